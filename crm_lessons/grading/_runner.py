"""Run notebook cells in this process with IPython: ``python -m crm_lessons.grading._runner``.

Reads ``{"cells": [{"source", "timeout"}], "status_fd": n, "preimport": [...]}`` as
JSON on stdin.
Reports on file descriptor ``status_fd``, one JSON line per event:
``{"start": i}``, ``{"done": i, "status": "ok"|"error"|"timeout", "error": ...}``
and finally ``{"final": {"answer_status": ...}}``. A cell past its time limit
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
    for i, cell in enumerate(job["cells"]):
        if timed_out and not cell.get("always"):
            continue
        report({"start": i})
        signal.setitimer(signal.ITIMER_REAL, float(cell.get("timeout", 60)))
        try:
            result = shell.run_cell(cell["source"], store_history=False)
        except CellTimeout:  # raised outside the user code
            result = None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        error = None if result is None else (result.error_before_exec or result.error_in_exec)
        if result is None or isinstance(error, CellTimeout):
            report({"done": i, "status": "timeout"})
            timed_out = True
            continue
        if isinstance(error, SyntaxError):
            report({"done": i, "status": "error",
                    "error": f"{type(error).__name__}: {error.msg} (line {error.lineno})"})
        elif error is not None:
            report({"done": i, "status": "error",
                    "error": f"{type(error).__name__}: {error}".strip()[:500]})
        else:
            report({"done": i, "status": "ok"})
    answer_status = shell.user_ns.get("_crm_answer_status", {})
    try:
        report({"final": {"answer_status": {str(k): str(v) for k, v in dict(answer_status).items()}}})
    except Exception:
        report({"final": {}})
    status.close()
    os._exit(0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
