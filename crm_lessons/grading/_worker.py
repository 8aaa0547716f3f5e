"""Grade one submission in its own process: ``python -m crm_lessons.grading._worker``.

Reads a job (JSON) on stdin, runs

1. the student's cells in a runner process of their own (:mod:`._runner`, an
   IPython shell; cwd = a fresh folder, file/process/network guard installed,
   grader's parameters, the student's non-check cells, then an export of the
   answer variables), and
2. a clean runner process that runs only instructor code: parameters, set-up
   cells, the exported answers loaded with code-free loaders, and every check cell,

then prints one result line signed with the job's nonce (HMAC-SHA256), so
nothing the student's code writes to this process's stdout can pass for it.
All descendant processes are killed before the clean runner starts and at exit.
"""

from __future__ import annotations

import ctypes
import hashlib
import hmac
import json
import os
import shutil
import selectors
import subprocess
import sys
import time
from pathlib import Path

from crm_lessons.grading import _sandbox
from crm_lessons.grading._sandbox import RESULT_PREFIX

__all__ = ["main", "run_job"]

_MAX_ANSWER_BYTES = 200 * 2**20


def _become_subreaper() -> None:
    """Orphans of the runners (double forks) re-parent to us, so we can kill them."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except Exception:  # pragma: no cover - not Linux
        pass


def _kill_descendants() -> None:
    import psutil

    for _ in range(3):
        children = psutil.Process().children(recursive=True)
        if not children:
            return
        for child in children:
            try:
                child.kill()
            except psutil.Error:
                pass
        psutil.wait_procs(children, timeout=5)


def _env(cwd: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONSTARTUP", "PYTHONPATH", "PYTHONHOME", "IPYTHONDIR", "JPY_PARENT_PID")}
    (cwd / "tmp").mkdir(exist_ok=True)
    env.update(IPYTHONDIR=str(cwd / ".ipython"), TMPDIR=str(cwd / "tmp"), MPLBACKEND="Agg",
               PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0")
    return env


def _run(cells, *, cwd, timeout, preimport=(), startup=120.0, grace=5.0):
    """Execute ``cells`` (dicts with 'source', optional 'timeout', 'always') in a runner process.

    Returns one dict per cell ("status": ok / error / timeout / died / not run,
    "error") and the runner's final report. The runner is killed when a cell
    overruns its limit by ``grace`` seconds (it ignored the in-cell timeout).
    """
    cwd = Path(cwd)
    specs = [{"source": c["source"], "timeout": c.get("timeout", timeout),
              "always": bool(c.get("always"))} for c in cells]
    results = [{"status": "not run"} for _ in cells]
    final = {}
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen([sys.executable, "-m", "crm_lessons.grading._runner"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=cwd, env=_env(cwd),
                            pass_fds=(write_fd,), start_new_session=True)
    os.close(write_fd)
    try:
        proc.stdin.write(json.dumps({"cells": specs, "status_fd": write_fd,
                                     "preimport": list(preimport)}).encode("utf-8"))
        proc.stdin.close()
    except OSError:
        pass
    current, deadline, buffer = None, time.monotonic() + startup, b""
    with selectors.DefaultSelector() as sel:
        sel.register(read_fd, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                if current is not None:
                    results[current] = {"status": "timeout"}
                break
            if not sel.select(timeout=left):
                continue
            chunk = os.read(read_fd, 65536)
            if not chunk:
                if current is not None:
                    results[current] = {"status": "died"}
                break
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for line in lines:
                try:
                    event = json.loads(line)
                    if "start" in event:
                        current = int(event["start"])
                        results[current] = {"status": "running"}
                        deadline = time.monotonic() + specs[current]["timeout"] + grace
                    elif "done" in event:
                        i = int(event["done"])
                        results[i] = {"status": str(event.get("status")),
                                      "error": event.get("error")}
                        current, deadline = None, time.monotonic() + startup
                    elif "final" in event:
                        final = dict(event["final"])
                except (ValueError, TypeError, KeyError, IndexError):
                    continue
    os.close(read_fd)
    _kill_descendants()
    proc.wait()
    for res in results:
        if res["status"] == "running":
            res["status"] = "died"
    return results, final


def _copy_answers(src: Path, dst: Path) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    if src.is_symlink() or not src.is_dir():
        return
    total = 0
    for entry in src.iterdir():
        if entry.is_symlink() or not entry.is_file():
            continue
        total += entry.stat().st_size
        if total > _MAX_ANSWER_BYTES:
            break
        shutil.copyfile(entry, dst / entry.name, follow_symlinks=False)


def run_job(job: dict) -> dict:
    """Run both phases of one job; return the (unsigned) result."""
    p1, p2 = Path(job["phase1_dir"]), Path(job["phase2_dir"])
    timeout = float(job["timeout"])
    answers1, answers2 = p1 / _sandbox.ANSWERS_DIR, p2 / _sandbox.ANSWERS_DIR
    protected = list(job["protected"]) + [f"/proc/{os.getpid()}", f"/proc/{os.getppid()}"]
    cells1 = ([{"kind": "grader", "source": _sandbox.guard_source(str(p1), protected),
                "timeout": 60},
               {"kind": "grader", "source": job["parameters"], "timeout": 60}]
              + [{"kind": "student", "source": c["source"], "index": c["index"]}
                 for c in job["student_cells"]]
              + [{"kind": "export", "source": _sandbox.export_source(job["answer_names"], str(answers1)),
                  "timeout": max(10.0, min(timeout, 60.0)), "always": True}])
    preimport = job.get("preimport", [])
    res1, _ = _run(cells1, cwd=p1, timeout=timeout, preimport=preimport)
    phase1 = {"guard_ok": res1[0]["status"] == "ok" and res1[1]["status"] == "ok",
              "export": res1[-1]["status"], "cells": []}
    for spec, res in zip(cells1, res1):
        if spec["kind"] == "student" and res["status"] != "ok":
            phase1["cells"].append({"index": spec["index"], "status": res["status"],
                                    "error": res.get("error")})
    if res1[-1]["status"] == "ok":
        _copy_answers(answers1, answers2)
    cells2 = [{"kind": "grader", "source": job["parameters"]}]
    for item in job["checks_plan"]:
        if item["kind"] == "load":
            source = item.get("imports", "") + "\n" + _sandbox.load_source(item["names"], str(answers2))
            cells2.append({"kind": "load", "source": source, "always": True})
        else:
            cells2.append({**item, "always": True})
    res2, final = _run(cells2, cwd=p2, timeout=timeout, preimport=preimport)
    checks, setup_errors = {}, []
    for spec, res in zip(cells2, res2):
        if spec["kind"] == "check":
            status = res["status"]
            checks[spec["id"]] = {"passed": status == "ok",
                                  "error": res.get("error") or {"timeout": "timed out"}.get(status, status)}
        elif res["status"] != "ok":
            setup_errors.append(res.get("error") or res["status"])
    return {"phase1": phase1, "checks": checks, "setup_errors": setup_errors,
            "answer_status": final.get("answer_status", {})}


def main() -> int:
    job = json.loads(sys.stdin.read())
    nonce = bytes.fromhex(job.pop("nonce"))
    _become_subreaper()
    try:
        result = run_job(job)
    except Exception as exc:  # report, never crash silently
        result = {"worker_error": f"{type(exc).__name__}: {exc}"[:500]}
    finally:
        _kill_descendants()
    payload = json.dumps(result, sort_keys=True)
    signature = hmac.new(nonce, payload.encode("utf-8"), hashlib.sha256).hexdigest()
    sys.stdout.write(f"\n{RESULT_PREFIX} {signature} {payload}\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
