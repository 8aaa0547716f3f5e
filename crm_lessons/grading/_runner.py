"""Run notebook cells in this process with IPython: ``python -m crm_lessons.grading._runner``.

Reads ``{"cells": [...], "status_fd": n, "preimport": [...], "send": folder}`` as
JSON on stdin. A cell is ``{"source", "timeout", "always"}``, optionally with
``"call": {"export"|"load": names, "folder": ...}``: after its source, the
runner calls :func:`~crm_lessons.grading._sandbox.export_answers` or
:func:`~crm_lessons.grading._sandbox.load_answers` on the notebook namespace
(grader code from this module, never resolved through the student's names).
Reports on file descriptor ``status_fd``, one JSON line per event:
``{"start": i}``, ``{"done": i, "status": "ok"|"error"|"timeout", "error": ...}``,
then the answer files of folder ``send`` as ``{"file": name, "chunk": base64}``
lines, and finally ``{"final": {"answer_status": ...}}``. A cell past its time limit
gets a ``CellTimeout`` raised inside it and the remaining cells are skipped,
except those marked ``"always": true``; a cell that swallows the timeout is
killed with the process by the supervising worker. Cells run like in a notebook (magics, last-line
display), with the IPython shell's own output sent nowhere.
"""

from __future__ import annotations

import json
import os
import signal
import sys

__all__ = ["main", "CellTimeout"]


class CellTimeout(Exception):
    """Raised inside a cell that ran longer than its time limit."""


def _alarm(signum, frame):
    raise CellTimeout("the cell ran longer than its time limit")


def _call(call, ns, answer_status):
    """Export or load the answers; the exception raised, or None."""
    from crm_lessons.grading import _sandbox

    try:
        if "export" in call:
            _sandbox.export_answers(ns, call["export"], call["folder"])
        else:
            answer_status.update(_sandbox.load_answers(ns, call["load"], call["folder"]))
    except CellTimeout:
        raise
    except Exception as exc:  # noqa: BLE001 - reported as the cell's error
        return exc
    return None


def _send(folder, report):
    """Send the answer files of ``folder`` over the status channel (64 MiB at most in all)."""
    import base64

    from crm_lessons.grading import _sandbox

    left = _sandbox.MAX_ANSWER_BYTES
    try:
        names = sorted(n for n in os.listdir(folder) if _sandbox.answer_file_ok(n))
    except OSError:
        return
    for name in names:
        try:
            data = _sandbox._read_regular(os.path.join(folder, name), left)
        except (OSError, ValueError):
            continue
        left -= len(data)
        for start in range(0, max(len(data), 1), 2**19):
            report({"file": name, "chunk": base64.b64encode(data[start:start + 2**19]).decode()})


def main() -> int:
    job = json.loads(sys.stdin.read())
    status = os.fdopen(job["status_fd"], "w", buffering=1, closefd=False)

    def report(obj):
        status.write(json.dumps(obj) + "\n")
        status.flush()

    import importlib

    from IPython.core.interactiveshell import InteractiveShell

    for module in job.get("preimport", []):  # before the clock starts: imports are slow on a busy machine
        try:
            importlib.import_module(module)
        except Exception:
            pass

    shell = InteractiveShell.instance()
    shell.history_manager.enabled = False
    signal.signal(signal.SIGALRM, _alarm)
    timed_out = False
    answer_status = {}
    for i, cell in enumerate(job["cells"]):
        if timed_out and not cell.get("always"):
            continue
        report({"start": i})
        signal.setitimer(signal.ITIMER_REAL, float(cell.get("timeout", 60)))
        try:
            result = shell.run_cell(cell.get("source", ""), store_history=False)
            error = result.error_before_exec or result.error_in_exec
            if error is None and cell.get("call"):
                error = _call(cell["call"], shell.user_ns, answer_status)
        except CellTimeout:  # raised outside the user code
            result = None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        error = None if result is None else error
        if result is None or isinstance(error, CellTimeout):
            report({"done": i, "status": "timeout"})
            timed_out = True
            continue
        if isinstance(error, SyntaxError):
            report({"done": i, "status": "error",
                    "error": f"{type(error).__name__}: {error.msg} (line {error.lineno})"})
        elif error is not None:
            text = str(error).strip()
            report({"done": i, "status": "error", "error": (f"{type(error).__name__}: {text}" if text else
                                                            f"{type(error).__name__} (without a message)")[:500]})
        else:
            report({"done": i, "status": "ok"})
    if job.get("send"):
        _send(job["send"], report)
    report({"final": {"answer_status": {str(k): str(v) for k, v in answer_status.items()}}})
    status.close()
    os._exit(0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
