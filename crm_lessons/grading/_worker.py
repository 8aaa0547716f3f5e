"""Grade one submission in its own process: ``python -m crm_lessons.grading._worker``.

Reads a job (JSON) on stdin, runs

1. the student's cells in a runner process of their own (:mod:`._runner`, an
   IPython shell) inside the OS sandbox of :mod:`._jail`: its working folder is
   a size-limited tmpfs, it can read only Python and the installed packages,
   has no network and sees no other process. It runs the grader's parameters,
   the student's non-check cells, then exports the answer variables, which
   come back as plain-data files over the status pipe;
2. a second sandboxed runner that runs only instructor code: parameters,
   set-up cells, the exported answers loaded with code-free loaders, and every
   check cell. It can read only Python, the packages and its own folder.

then prints one result line signed with the job's nonce (HMAC-SHA256), so
nothing that reaches this process's stdout can pass for it. Every wait has a
time limit; all descendant processes are killed after each phase and at exit
(and the PID namespace of a phase dies with its first process).
"""

from __future__ import annotations

import base64
import ctypes
import hashlib
import hmac
import json
import os
import selectors
import subprocess
import sys
import time
from pathlib import Path

from crm_lessons.grading import _jail, _sandbox
from crm_lessons.grading._sandbox import MAX_ANSWER_BYTES, RESULT_PREFIX

__all__ = ["main", "run_job", "DEFAULT_LIMITS"]

#: resource limits of each sandboxed runner (bytes, processes incl. threads, open files)
DEFAULT_LIMITS = {"memory": 3 * 2**30, "disk": 256 * 2**20, "nproc": 64, "nofile": 512}
_MAX_LINE = 2**21
_PASS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LANG", "LC_ALL", "TZ")


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
    """The whole environment of a runner: nothing of the grader's but locale and BLAS settings."""
    env = {k: os.environ[k] for k in _PASS_ENV if k in os.environ}
    env.update(PATH="/usr/bin:/bin", HOME=str(cwd), TMPDIR=str(cwd / "tmp"),
               IPYTHONDIR=str(cwd / ".ipython"), MPLCONFIGDIR=str(cwd / "tmp"), MPLBACKEND="Agg",
               OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    return env


def _spec(cwd: Path, job: dict, *, tmpfs: bool) -> dict:
    """The sandbox of one runner: read Python and packages, write ``cwd`` only."""
    limits = {**DEFAULT_LIMITS, **job.get("limits", {})}
    hide = [p for p in job.get("protected", []) if not any(
        r == p or r.startswith(p.rstrip("/") + "/") for r in _jail.python_paths() + [str(cwd)])]
    return {"argv": [sys.executable, "-I", "-B", "-m", "crm_lessons.grading._runner"],
            "cwd": str(cwd), "read": _jail.python_paths(), "write": [str(cwd)], "env": _env(cwd),
            "hide": hide, "tmpfs": {"path": str(cwd), "size": limits["disk"]} if tmpfs else None,
            "limits": {"as": limits["memory"], "fsize": limits["disk"], "nproc": limits["nproc"],
                       "nofile": limits["nofile"], "cpu": int(job.get("cpu", 3600))},
            "quiet": True, "unsafe": bool(job.get("unsafe"))}


def _run(cells, *, cwd, timeout, job, preimport=(), send=None, startup=120.0, grace=5.0):
    """Execute ``cells`` (dicts with 'source', optional 'call', 'timeout', 'always') in a sandbox.

    Returns one dict per cell ("status": ok / error / timeout / died / not run,
    "error"), the runner's final report and the answer files it sent
    (``{name: bytes}``, when ``send`` names its answers folder). The runner is
    killed when a cell overruns its limit by ``grace`` seconds, when it sends a
    line longer than 2 MiB or more than 64 MiB of answers.
    """
    cwd = Path(cwd)
    specs = [{**{k: c[k] for k in ("source", "call") if k in c}, "timeout": c.get("timeout", timeout),
              "always": bool(c.get("always"))} for c in cells]
    results = [{"status": "not run"} for _ in cells]
    final, files, received = {}, {}, 0
    read_fd, write_fd = os.pipe()
    spec = _spec(cwd, job, tmpfs=send is not None)
    proc = subprocess.Popen(_jail.command(spec), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, cwd="/", pass_fds=(write_fd,), start_new_session=True)
    os.close(write_fd)
    try:
        proc.stdin.write(json.dumps({"cells": specs, "status_fd": write_fd, "send": send,
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
            if not chunk or len(buffer) > _MAX_LINE:
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
                    elif "file" in event and _sandbox.answer_file_ok(event["file"]):
                        data = base64.b64decode(str(event["chunk"]), validate=True)
                        received += len(data)
                        if received <= MAX_ANSWER_BYTES:
                            files.setdefault(str(event["file"]), bytearray()).extend(data)
                    elif "final" in event:
                        final = dict(event["final"])
                except (ValueError, TypeError, KeyError, IndexError):
                    continue
    os.close(read_fd)
    _kill_descendants()
    try:
        proc.wait(timeout=10)
        err = proc.stderr.read(4096) if proc.returncode == 125 else b""  # the jail's own message
    except subprocess.TimeoutExpired:  # pragma: no cover - killed above
        proc.kill()
        err = b""
    proc.stderr.close()
    if proc.returncode == 125 and not final:
        final = {"jail_error": err.decode("utf-8", "replace").strip()[-300:]}
    for res in results:
        if res["status"] == "running":
            res["status"] = "died"
    return results, final, {k: bytes(v) for k, v in files.items()}


def run_job(job: dict) -> dict:
    """Run both phases of one job; return the (unsigned) result."""
    p1, p2 = Path(job["phase1_dir"]), Path(job["phase2_dir"])
    timeout = float(job["timeout"])
    answers1, answers2 = p1 / _sandbox.ANSWERS_DIR, p2 / _sandbox.ANSWERS_DIR
    cells1 = ([{"kind": "grader", "source": job["parameters"], "timeout": 60}]
              + [{"kind": "student", "source": c["source"], "index": c["index"]}
                 for c in job["student_cells"]]
              + [{"kind": "export", "call": {"export": job["answer_names"], "folder": str(answers1)},
                  "timeout": max(10.0, min(timeout, 60.0)), "always": True}])
    preimport = job.get("preimport", [])
    res1, final1, files = _run(cells1, cwd=p1, timeout=timeout, job=job, preimport=preimport,
                               send=str(answers1))
    phase1 = {"guard_ok": res1[0]["status"] == "ok", "export": res1[-1]["status"], "cells": [],
              "jail_error": final1.get("jail_error")}
    for spec, res in zip(cells1, res1):
        if spec["kind"] == "student" and res["status"] != "ok":
            phase1["cells"].append({"index": spec["index"], "status": res["status"],
                                    "error": res.get("error")})
    answers2.mkdir(parents=True, exist_ok=True)
    if res1[-1]["status"] == "ok":
        for name, data in files.items():
            (answers2 / name).write_bytes(data)
    cells2 = [{"kind": "grader", "source": job["parameters"]}]
    for item in job["checks_plan"]:
        if item["kind"] == "load":
            cells2.append({"kind": "load", "source": item.get("imports", ""), "always": True,
                           "call": {"load": item["names"], "folder": str(answers2)}})
        else:
            cells2.append({**item, "always": True})
    res2, final, _ = _run(cells2, cwd=p2, timeout=timeout, job=job, preimport=preimport)
    checks, setup_errors = {}, []
    for spec, res in zip(cells2, res2):
        if spec["kind"] == "check":
            status = res["status"]
            checks[spec["id"]] = {"passed": status == "ok",
                                  "error": res.get("error") or {"timeout": "timed out"}.get(status, status)}
        elif res["status"] != "ok":
            setup_errors.append(res.get("error") or res["status"])
    if final.get("jail_error"):
        setup_errors.append(f"the checks' sandbox did not start: {final['jail_error']}")
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
