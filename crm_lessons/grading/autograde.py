"""Autograding: one call grades a folder of submitted notebooks.

Layout: ``SUBMISSIONS/<student_id>/<exercise>.ipynb`` (the layout :func:`make_variants`
distributes). The grader never trusts a submission's check cells, parameters or
metadata: it takes the student from the folder name, the exercise from the file
name, the seed from the key (or the student id), and runs

1. the student's non-check cells in a process of their own, inside the OS
   sandbox of :mod:`._jail` (Landlock, namespaces, resource limits; a fresh tmpfs
   as working folder; per-cell time limit), ending with an export of the answer
   variables to plain data files;
2. a second sandboxed process that runs only the instructor's code --
   parameters, set-up cells, the exported answers (JSON / NumPy / Parquet, never
   pickle) and all check cells, visible and hidden. A check passes when its cell
   raises nothing.

Each submission runs in a worker process with a wall-clock limit; the results
come back signed and are stored as a new version per submission; the
gradebook, manual-grading sheet and feedback drafts are then rebuilt from the
stored results (see :mod:`.gradebook`), each file atomically. Where the sandbox
is unavailable, :func:`grade` refuses to run unless ``unsafe=True``.
"""

from __future__ import annotations

import ast
import concurrent.futures
import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pandas as pd

from crm_lessons._validation import CRMInputError
from crm_lessons.grading import _jail, gradebook
from crm_lessons.grading._submissions import read_regular, scan, shown
from crm_lessons.grading._cells import (assigned_names, grading_meta, is_check, is_parameters,
                                        is_rubric, tags)
from crm_lessons.grading._sandbox import RESULT_PREFIX
from crm_lessons.grading.copies import instructor_exercises, student_copy
from crm_lessons.grading.gradebook import GRADEBOOK_COLUMNS, MANUAL_COLUMNS
from crm_lessons.grading.variants import check_student_id, read_key, read_roster, student_seed

__all__ = ["grade", "GRADEBOOK_COLUMNS", "MANUAL_COLUMNS"]
#: imported in the grading processes before the per-cell clocks start
PREIMPORT = ("numpy", "pandas", "crm_lessons")
_NAME_ERROR = re.compile(r"^NameError: name '([^']+)' is not defined")


# --------------------------------------------------------------------------- exercise plan
def _plan(instructor_nb) -> dict:
    """What grading needs from an instructor notebook: checks, rubrics, the clean-run plan."""
    plan, checks, rubrics, names = [], [], [], []
    for cell in instructor_nb.cells:
        if is_rubric(cell):
            meta = grading_meta(cell)
            rubrics.append({"id": str(meta.get("id", f"rubric-{len(rubrics) + 1}")),
                            "points": meta.get("points", 0), "text": cell.source})
        if cell.cell_type != "code" or is_parameters(cell):
            continue
        if is_check(cell):
            meta = grading_meta(cell)
            check = {"kind": "check", "id": str(meta.get("id", f"check-{len(checks) + 1}")),
                     "points": meta.get("points", 1), "source": cell.source,
                     "hidden": "hidden-check" in tags(cell)}
            checks.append(check)
            plan.append(check)
        elif "solution" in tags(cell):
            tree = _parse(cell.source)
            imports = [ast.get_source_segment(cell.source, n) or "" for n in (tree.body if tree else [])
                       if isinstance(n, (ast.Import, ast.ImportFrom))]
            imported = assigned_names("\n".join(imports))
            cell_names = sorted(assigned_names(cell.source) - imported)
            names += [n for n in cell_names if n not in names]
            plan.append({"kind": "load", "names": cell_names, "imports": "\n".join(imports)})
        else:
            plan.append({"kind": "setup", "source": cell.source})
    return {"plan": plan, "checks": checks, "rubrics": rubrics, "names": names}


def _parse(source):
    try:
        return ast.parse("\n".join(ln for ln in source.splitlines()
                                   if not ln.lstrip().startswith(("%", "!"))))
    except SyntaxError:
        return None


def _literal_assignments(source) -> dict:
    out, tree = {}, _parse(source)
    for node in (tree.body if tree else []):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                out[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    return out


# --------------------------------------------------------------------------- submissions
def _tamper_notes(sub_nb, reference_nb, params: dict) -> list[str]:
    """Differences from the student copy that grading ignores, reported to the student."""
    notes = []
    ref = {grading_meta(c)["id"]: c.source for c in reference_nb.cells if is_check(c) and "id" in grading_meta(c)}
    sub = {}
    for cell in sub_nb.cells:
        if is_check(cell) and "id" in grading_meta(cell):
            sub[str(grading_meta(cell)["id"])] = cell.source
    deleted = [i for i in ref if i not in sub]
    edited = [i for i in ref if i in sub and sub[i].strip() != ref[i].strip()]
    if deleted:
        notes.append(f"check cells deleted or untagged: {', '.join(deleted)} (the instructor's checks were run)")
    if edited:
        notes.append(f"check cells edited: {', '.join(edited)} (the instructor's checks were run)")
    added = [i for i in sub if i not in ref]
    if added:
        notes.append(f"check cells added: {', '.join(added)} (ignored)")
    claimed = {}
    for cell in sub_nb.cells:
        if cell.cell_type == "code" and is_parameters(cell):
            claimed.update(_literal_assignments(cell.source))
    changed = {k: claimed[k] for k in ("student_id", "seed") if k in claimed and claimed[k] != params[k]}
    if changed:
        shown = ", ".join(f"{k}={v!r}" for k, v in changed.items())
        notes.append(f"the notebook's parameters ({shown}) were replaced by yours "
                     f"(student_id={params['student_id']!r}, seed={params['seed']})")
    meta_id = (sub_nb.metadata.get("crm_grading") or {}).get("student_id")
    if meta_id is not None and meta_id != params["student_id"]:
        notes.append(f"the notebook's metadata names student {meta_id!r}; graded as "
                     f"{params['student_id']!r} (the submission folder)")
    return notes


def _answers_by_rubric(sub_nb, rubrics) -> dict:
    answers = [c for c in sub_nb.cells if "answer" in tags(c)]
    out = {}
    for cell in answers:
        target = (grading_meta(cell) or {}).get("answer_for")
        if target:
            out.setdefault(str(target), cell.source)
    unclaimed = [c for c in answers if not (grading_meta(c) or {}).get("answer_for")]
    for rubric in rubrics:
        if rubric["id"] not in out and unclaimed:
            out[rubric["id"]] = unclaimed.pop(0).source
    return out


# --------------------------------------------------------------------------- running
def _kill_tree(pid: int) -> None:
    import psutil

    try:
        procs = psutil.Process(pid).children(recursive=True) + [psutil.Process(pid)]
    except psutil.Error:
        procs = []
    for proc in procs:
        try:
            proc.kill()
        except psutil.Error:
            pass
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass
    psutil.wait_procs(procs, timeout=5)


def _run_worker(job: dict, wall: float) -> dict:
    nonce = secrets.token_bytes(32)
    payload = json.dumps({**job, "nonce": nonce.hex()})
    # -I: no folder of the submission or of the caller on sys.path; cwd: the grader's own temp root
    proc = subprocess.Popen([sys.executable, "-I", "-B", "-m", "crm_lessons.grading._worker"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=str(Path(job["phase2_dir"]).parent), start_new_session=True)
    try:
        out, err = proc.communicate(payload.encode("utf-8"), timeout=wall)
    except subprocess.TimeoutExpired:
        _kill_tree(proc.pid)
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:  # a pipe still held open: give up on it, never wait forever
            pass
        return {"wall_timeout": True}
    _kill_tree(proc.pid)
    valid = []
    for line in out.decode("utf-8", "replace").splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[0] == RESULT_PREFIX:
            expected = hmac.new(nonce, parts[2].encode("utf-8"), hashlib.sha256).hexdigest()
            if hmac.compare_digest(expected, parts[1]):
                valid.append(parts[2])
    if len(valid) == 1:
        return json.loads(valid[0])
    if valid:  # someone else learnt the nonce: trust nothing
        return {"worker_error": "more than one signed result; the submission interfered with grading"}
    tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no result"]
    return {"worker_error": tail[0][:300]}


# --------------------------------------------------------------------------- results
def _check_feedback(res, result, names, student_cells) -> str:
    """Feedback for a failed check: its assertion message, or why its answer is missing.

    An answer missing because the run stopped (a cell timed out or the process
    died) before the first cell mentioning it gives "timed out" / "the run stopped".
    """
    if result.get("wall_timeout"):
        return "timed out"
    if result.get("worker_error"):
        return f"grading failed: {result['worker_error']}"
    got = res.get("error") or "failed"
    match = _NAME_ERROR.match(got)
    if not (match and match.group(1) in names):
        return got
    name = match.group(1)
    stops = [c for c in result.get("phase1", {}).get("cells", []) if c["status"] in ("timeout", "died")]
    if stops:
        mention = re.compile(rf"\b{re.escape(name)}\b")
        first = next((c["index"] for c in student_cells if mention.search(c["source"])), None)
        lost = result.get("phase1", {}).get("export") != "ok"  # answers computed before were not saved
        if lost or first is None or first >= stops[0]["index"]:
            return "timed out" if stops[0]["status"] == "timeout" else \
                f"the run stopped in cell {stops[0]['index'] + 1} (the process died)"
    status = result.get("answer_status", {}).get(name, "was not computed")
    return f"answer `{name}` {status}"


def _record(student, stem, sub, plan, result, job, timeout, wall) -> dict:
    """The stored result of one graded submission (see :mod:`.gradebook`)."""
    notes = list(sub["notes"])
    for cell in result.get("phase1", {}).get("cells", []):
        what = {"timeout": f"ran longer than {timeout:g} s and was stopped",
                "died": "ended the Python process (or went over a memory, disk or process limit)",
                "not run": "was not run"}.get(cell["status"])
        notes.append(f"cell {cell['index'] + 1} " + (what or f"raised {cell['error']}"))
    if result.get("phase1", {}).get("jail_error"):
        notes.append(f"the sandbox did not start: {result['phase1']['jail_error']}")
    elif result.get("phase1") and not result["phase1"].get("guard_ok"):
        notes.append("grading set-up failed in the student's process")
    for err in result.get("setup_errors", []):
        notes.append(f"exercise set-up with your answers raised {err}")
    if result.get("wall_timeout"):
        notes.append(f"the whole run took longer than {wall:g} s and was stopped")
    rows = []
    for check in plan["checks"]:
        res = result.get("checks", {}).get(check["id"], {})
        passed = bool(res.get("passed")) and not result.get("wall_timeout")
        rows.append({"check": check["id"], "points": check["points"] if passed else 0,
                     "max_points": check["points"], "hidden": check["hidden"],
                     "feedback": "passed" if passed else _check_feedback(res, result, plan["names"],
                                                                           job["student_cells"])})
    return {**_base_record(student, stem, sub, plan, "graded", rows), "notes": notes}


def _base_record(student, stem, sub, plan, status, rows) -> dict:
    answers = _answers_by_rubric(sub["nb"], plan["rubrics"]) if sub.get("nb") is not None else {}
    rows = rows + [{"check": r["id"], "points": None, "max_points": r["points"], "manual": True,
                    "feedback": f"manual grading: {r['id']}"} for r in plan["rubrics"]]
    return {"student": student, "exercise": stem, "status": status, "file": sub["file"],
            "submitted_at": sub["submitted_at"], "sha256": sub.get("sha256"), "notes": sub["notes"],
            "rows": rows, "manual": [{"rubric": r["id"], "max_points": r["points"],
                                      "answer": answers.get(r["id"], ""), "rubric_text": r["text"]}
                                     for r in plan["rubrics"]]}


def _unreadable(student, stem, sub, plan, why) -> dict:
    rows = [{"check": c["id"], "points": 0, "max_points": c["points"], "hidden": c["hidden"],
             "feedback": f"the notebook could not be read: {why}"} for c in plan["checks"]]
    record = _base_record(student, stem, sub, plan, "unreadable", rows)
    record["notes"] = sub["notes"] + [f"the notebook could not be read ({why}); no code was run"]
    return record


def _checked_names(values, known, arg, what):
    out = []
    for value in values or []:
        if value not in known:
            raise CRMInputError(f"argument `{arg}`: no {what} {shown(value)!r}; found {sorted(known)[:10]}. "
                                f"Pass one of them.")
        out.append(value)
    return out


def grade(submissions_dir, *, exercises_dir="exercises", out_dir, timeout=60, key=None,
          jobs=2, wall_timeout=None, unsafe=False, memory_mb=None, roster=None, students=None,
          exercises=None, due=None, hide_expected=None, progress=False) -> pd.DataFrame:
    """Grade the submissions ``<student_id>/<exercise>.ipynb`` under ``submissions_dir``.

    Parameters
    ----------
    submissions_dir : path-like
        One folder per student holding the submitted notebooks.
    exercises_dir : path-like, default "exercises"
        The instructor exercises (with solutions, checks and rubrics).
    out_dir : path-like
        The grading record (see :mod:`crm_lessons.grading.gradebook`): results
        are added as new versions; ``gradebook.csv``, ``manual.csv`` and
        ``feedback/`` are rebuilt; ``manual-scores.csv`` only gains rows.
    timeout : float, default 60
        Seconds allowed per cell; a student cell over it stops the student's run
        (its remaining checks score 0, "timed out").
    key : path-like, optional
        ``key.csv`` from :func:`~crm_lessons.grading.variants.make_variants`; a
        student not in it gets the seed of their id.
    jobs : int, default 2
        Submissions graded at the same time.
    wall_timeout : float, optional
        Seconds after which a submission's whole run is killed (default
        ``4 * timeout + 120``).
    unsafe : bool, default False
        Grade even where the operating-system sandbox is unavailable (student
        code then runs with all the rights of your user account). Without it,
        grading refuses to start on such a machine and says why.
    memory_mb : int, optional
        Address-space limit of each sandboxed process in MiB (default 3072).
    roster : path-like, optional
        Roster CSV (``student_id`` column): every student in it gets a row for
        every assigned exercise, "missing" when nothing was submitted.
    students, exercises : list of str, optional
        Grade only these students / exercises; every other row is kept as it was.
    due : str, optional
        Due date (ISO, UTC unless an offset is given): later submissions (by file
        time) are marked "late".
    hide_expected : bool, optional
        In the feedback files, a failed hidden check says only that it failed.
    progress : bool, default False
        Show a progress bar on stderr.

    Returns
    -------
    pandas.DataFrame
        The whole gradebook: student, exercise, check, status (graded, late,
        missing, unreadable, unmatched), points, max_points, feedback; rubric
        items have empty points and feedback "manual grading: <id>".
    """
    out_dir = Path(out_dir)
    if timeout is None or timeout <= 0:
        raise CRMInputError(f"argument `timeout`: must be > 0 seconds; found {timeout!r}.")
    available = {p.stem: p for p in instructor_exercises(exercises_dir)}
    only = set(_checked_names(exercises, available, "exercises", "exercise")) or None
    wanted = {check_student_id(s, where="argument `students`") for s in students} if students else None
    due_at = gradebook.parse_due(due)
    if not unsafe:
        reason = _jail.status()
        if reason:
            raise CRMInputError(f"grading refused: {reason}. Student code must run in the sandbox; "
                                "grade on such a machine, or pass --unsafe (unsafe=True) to run it "
                                "with all the rights of your user account.")
    roster_ids = read_roster(roster) if roster is not None else None
    seeds = read_key(key) if key is not None else {}
    wall = wall_timeout or 4 * timeout + 120
    found, unmatched = scan(submissions_dir, available, students=wanted, only=only)
    out_dir.mkdir(parents=True, exist_ok=True)
    plans = {}
    for stem in sorted({s["exercise"] for s in found} | (only or set())):
        inst = nbformat.read(available[stem], as_version=4)
        plans[stem] = {**_plan(inst), "copy": student_copy(inst, exercise=stem)}
    root = Path(tempfile.mkdtemp(prefix="crm-grade-"))
    protected = sorted({str(Path(p).resolve()) for p in
                        [exercises_dir, submissions_dir, out_dir, root, Path.home()]
                        + ([key] if key else []) + ([roster] if roster else [])})
    records, tasks = [], []
    try:
        for n, item in enumerate(found):
            student, stem, plan = item["student"], item["exercise"], plans[item["exercise"]]
            sub = {"file": f"{student}/{stem}.ipynb", "notes": [], "nb": None,
                   "submitted_at": datetime.fromtimestamp(item["mtime"], timezone.utc).isoformat(timespec="seconds")}
            if item["problem"]:
                records.append(_unreadable(student, stem, sub, plan, f"it is {item['problem']}; not opened"))
                continue
            params = {"student_id": student, "seed": seeds.get(student, student_seed(student))}
            if seeds and student not in seeds:
                sub["notes"].append(f"student not in the key; seed taken from the student id ({params['seed']})")
            try:
                data = read_regular(item["path"])
                sub["sha256"] = hashlib.sha256(data).hexdigest()
                sub["nb"] = nbformat.reads(data.decode("utf-8"), as_version=4)
                student_cells = [{"index": i, "source": c.source} for i, c in enumerate(sub["nb"].cells)
                                 if c.get("cell_type") == "code" and not is_check(c)
                                 and not is_parameters(c)]
                sub["notes"] += _tamper_notes(sub["nb"], plan["copy"], params)
            except Exception as exc:  # noqa: BLE001 - any unreadable notebook is reported, not raised
                sub["nb"] = None
                why = str(exc) if isinstance(exc, ValueError) and str(exc).startswith(("a ", "larger", "cannot")) \
                    else type(exc).__name__
                records.append(_unreadable(student, stem, sub, plan, why))
                continue
            p1, p2 = root / f"{n:04d}-student", root / f"{n:04d}-checks"
            p1.mkdir()
            p2.mkdir()
            job = {"phase1_dir": str(p1), "phase2_dir": str(p2), "timeout": timeout,
                   "parameters": f"student_id = {student!r}\nseed = {int(params['seed'])}",
                   "student_cells": student_cells, "answer_names": plan["names"],
                   "checks_plan": plan["plan"], "protected": protected,
                   "preimport": list(PREIMPORT), "unsafe": bool(unsafe),
                   "limits": {"memory": int(memory_mb) * 2**20} if memory_mb else {},
                   "cpu": int(wall)}
            tasks.append((student, stem, sub, job))
        results = _run_all(tasks, wall, jobs, progress)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    for (student, stem, sub, job), result in zip(tasks, results):
        records.append(_record(student, stem, sub, plans[stem], result, job, timeout, wall))
    for record in records:
        gradebook.store_result(out_dir, record)
    specs = {stem: {"checks": [{"id": c["id"], "points": c["points"]} for c in plan["checks"]],
                    "rubrics": [{"id": r["id"], "points": r["points"]} for r in plan["rubrics"]]}
             for stem, plan in plans.items()}
    gradebook.update_state(out_dir, roster=roster_ids, assigned=plans, exercises=specs, unmatched=unmatched,
                           due=due_at.isoformat() if due_at else None, hide_expected=hide_expected)
    return gradebook.rebuild(out_dir)


def _run_all(tasks, wall, jobs, progress) -> list:
    """Run the workers, ``jobs`` at a time, with a progress bar when asked."""
    from tqdm import tqdm

    results = [None] * len(tasks)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, int(jobs))) as pool, \
            tqdm(total=len(tasks), desc="grading", unit="notebook", disable=not progress) as bar:
        futures = {pool.submit(_run_worker, task[3], wall): i for i, task in enumerate(tasks)}
        for future in concurrent.futures.as_completed(futures):
            results[futures[future]] = future.result()
            bar.update(1)
    return results
