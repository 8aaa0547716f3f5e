"""Autograding: one call grades a folder of submitted notebooks.

Layout: ``SUBMISSIONS/<student_id>/<exercise>.ipynb`` (the layout :func:`make_variants`
distributes). The grader never trusts a submission's check cells, parameters or
metadata: it takes the student from the folder name, the exercise from the file
name, the seed from the key (or the student id), and runs

1. the student's non-check cells in a process of their own (fresh temporary
   folder, per-cell time limit, a guard refusing access to the instructor,
   submission and output folders and refusing to start processes), ending with
   an export of the answer variables to plain data files;
2. a clean process that runs only the instructor's code -- parameters, set-up
   cells, the exported answers (JSON / NumPy / Parquet, never pickle) and all
   check cells, visible and hidden. A check passes when its cell raises nothing.

Each submission runs in a worker process with a wall-clock limit; the results
come back signed, and the gradebook, manual-grading sheet and feedback files are
written only afterwards, by this process, atomically.
"""

from __future__ import annotations

import ast
import concurrent.futures
import hashlib
import hmac
import io
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pandas as pd

from crm_lessons._validation import CRMInputError
from crm_lessons.grading import _jail
from crm_lessons.grading._cells import (assigned_names, grading_meta, is_check, is_parameters,
                                        is_rubric, tags)
from crm_lessons.grading._sandbox import RESULT_PREFIX
from crm_lessons.grading.copies import instructor_exercises, student_copy
from crm_lessons.grading.variants import check_student_id, read_key, student_seed

__all__ = ["grade", "GRADEBOOK_COLUMNS", "MANUAL_COLUMNS"]

GRADEBOOK_COLUMNS = ["student", "exercise", "check", "points", "max_points", "feedback"]
MANUAL_COLUMNS = ["student", "exercise", "rubric", "max_points", "answer", "rubric_text"]
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
def _submissions(submissions_dir: Path):
    """``[(student, path)]`` for ``<student>/<exercise>.ipynb``, and notes on skipped files."""
    found, skipped = [], []
    for path in sorted(submissions_dir.rglob("*.ipynb")):
        rel = path.relative_to(submissions_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if len(rel.parts) != 2:
            skipped.append(f"{rel}: not in a <student_id>/ folder")
            continue
        try:
            found.append((check_student_id(rel.parts[0]), path))
        except CRMInputError as exc:
            skipped.append(f"{rel}: {exc}")
    return found, skipped


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


def _feedback_md(student, sections) -> str:
    lines = [f"# Feedback for {student}", ""]
    for sec in sections:
        lines += [f"## {sec['exercise']}", ""]
        auto = sec["rows"]
        if not auto:
            lines += [f"- {n}" for n in sec["notes"]] + [""]
            continue
        got = sum(r["points"] for r in auto if r["points"] is not None)
        top = sum(r["max_points"] for r in auto if not r["feedback"].startswith("manual grading"))
        lines += [f"Automatic checks: {got} / {top} points.", "",
                  "| check | points | feedback |", "|---|---|---|"]
        for r in auto:
            pts = "pending" if r["points"] is None else f"{r['points']} / {r['max_points']}"
            text = r["feedback"].replace("|", "\\|").replace("\n", " ")
            lines.append(f"| {r['check']} | {pts} | {text} |")
        if sec["notes"]:
            lines += ["", "Notes:", ""] + [f"- {n}" for n in sec["notes"]]
        lines.append("")
    return "\n".join(lines)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, path)


def _csv_text(df: pd.DataFrame) -> str:
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def grade(submissions_dir, *, exercises_dir="exercises", out_dir, timeout=60, key=None,
          jobs=2, wall_timeout=None, unsafe=False, memory_mb=None) -> pd.DataFrame:
    """Grade every ``<student_id>/<exercise>.ipynb`` under ``submissions_dir``.

    Parameters
    ----------
    submissions_dir : path-like
        One folder per student holding the submitted notebooks.
    exercises_dir : path-like, default "exercises"
        The instructor exercises (with solutions, checks and rubrics).
    out_dir : path-like
        Receives ``gradebook.csv``, ``manual.csv`` and ``feedback/<student>.md``.
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

    Returns
    -------
    pandas.DataFrame
        The gradebook: student, exercise, check, points, max_points, feedback;
        rubric items have empty points and feedback "manual grading: <id>".
    """
    submissions_dir, out_dir = Path(submissions_dir), Path(out_dir)
    if not submissions_dir.is_dir():
        raise CRMInputError(f"argument `submissions_dir`: not a folder; found '{submissions_dir}'. "
                            "Pass the folder holding one sub-folder per student.")
    if timeout is None or timeout <= 0:
        raise CRMInputError(f"argument `timeout`: must be > 0 seconds; found {timeout!r}.")
    exercises = {p.stem: p for p in instructor_exercises(exercises_dir)}
    if not unsafe:
        reason = _jail.status()
        if reason:
            raise CRMInputError(f"grading refused: {reason}. Student code must run in the sandbox; "
                                "grade on such a machine, or pass --unsafe (unsafe=True) to run it "
                                "with all the rights of your user account.")
    seeds = read_key(key) if key is not None else {}
    wall = wall_timeout or 4 * timeout + 120
    out_dir.mkdir(parents=True, exist_ok=True)
    found, skipped = _submissions(submissions_dir)
    plans, copies = {}, {}
    root = Path(tempfile.mkdtemp(prefix="crm-grade-"))
    protected = sorted({str(Path(p).resolve()) for p in
                        [exercises_dir, submissions_dir, out_dir, root] + ([key] if key else [])})
    tasks, sections = [], {}
    try:
        for n, (student, path) in enumerate(found):
            stem = path.stem
            notes, section = [], {"exercise": stem, "rows": [], "notes": []}
            sections.setdefault(student, []).append(section)
            if stem not in exercises:
                section["notes"].append(f"{path.name}: no exercise of this name; not graded")
                continue
            if stem not in plans:
                inst = nbformat.read(exercises[stem], as_version=4)
                plans[stem] = _plan(inst)
                copies[stem] = student_copy(inst, exercise=stem)
            plan = plans[stem]
            params = {"student_id": student, "seed": seeds.get(student, student_seed(student))}
            if seeds and student not in seeds:
                notes.append(f"student not in the key; seed taken from the student id ({params['seed']})")
            try:
                sub = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
                student_cells = [{"index": i, "source": c.source} for i, c in enumerate(sub.cells)
                                 if c.get("cell_type") == "code" and not is_check(c)
                                 and not is_parameters(c)]
                notes += _tamper_notes(sub, copies[stem], params)
            except Exception as exc:
                section["notes"] = notes + [f"the notebook could not be read ({type(exc).__name__}); "
                                            "no code was run"]
                section["rows"] = [{"student": student, "exercise": stem, "check": c["id"], "points": 0,
                                    "max_points": c["points"], "feedback": "the notebook could not be read"}
                                   for c in plan["checks"]]
                section["rows"] += [{"student": student, "exercise": stem, "check": r["id"],
                                     "points": None, "max_points": r["points"],
                                     "feedback": f"manual grading: {r['id']}"} for r in plan["rubrics"]]
                section["manual"] = [{"student": student, "exercise": stem, "rubric": r["id"],
                                      "max_points": r["points"], "answer": "", "rubric_text": r["text"]}
                                     for r in plan["rubrics"]]
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
            section["notes"] = notes
            tasks.append((student, stem, section, sub, job))
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, int(jobs))) as pool:
            results = list(pool.map(lambda t: _run_worker(t[4], wall), tasks))
    finally:
        shutil.rmtree(root, ignore_errors=True)

    for (student, stem, section, sub, job), result in zip(tasks, results):
        plan = plans[stem]
        for cell in result.get("phase1", {}).get("cells", []):
            what = {"timeout": f"ran longer than {timeout:g} s and was stopped",
                    "died": "ended the Python process", "not run": "was not run"}.get(cell["status"])
            section["notes"].append(f"cell {cell['index'] + 1} " + (what or f"raised {cell['error']}"))
        if result.get("phase1") and not result["phase1"].get("guard_ok"):
            section["notes"].append("grading set-up failed in the student's process")
        for err in result.get("setup_errors", []):
            section["notes"].append(f"exercise set-up with your answers raised {err}")
        if result.get("wall_timeout"):
            section["notes"].append(f"the whole run took longer than {wall:g} s and was stopped")
        for check in plan["checks"]:
            res = result.get("checks", {}).get(check["id"], {})
            passed = bool(res.get("passed")) and not result.get("wall_timeout")
            section["rows"].append({
                "student": student, "exercise": stem, "check": check["id"],
                "points": check["points"] if passed else 0, "max_points": check["points"],
                "feedback": "passed" if passed else _check_feedback(res, result, plan["names"],
                                                                      job["student_cells"])})
        answers = _answers_by_rubric(sub, plan["rubrics"]) if sub is not None else {}
        for rubric in plan["rubrics"]:
            section["rows"].append({"student": student, "exercise": stem, "check": rubric["id"],
                                    "points": None, "max_points": rubric["points"],
                                    "feedback": f"manual grading: {rubric['id']}"})
            section.setdefault("manual", []).append({
                "student": student, "exercise": stem, "rubric": rubric["id"],
                "max_points": rubric["points"], "answer": answers.get(rubric["id"], ""),
                "rubric_text": rubric["text"]})
    rows = [row for secs in sections.values() for sec in secs for row in sec["rows"]]
    manual = [row for secs in sections.values() for sec in secs for row in sec.get("manual", [])]

    gradebook = pd.DataFrame(rows, columns=GRADEBOOK_COLUMNS)
    for col in ("points", "max_points"):  # whole points print as 2, not 2.0; half points stay
        values = pd.to_numeric(gradebook[col], errors="coerce")
        whole = values.dropna().eq(values.dropna().round()).all()
        gradebook[col] = values.astype("Int64" if whole else "Float64")
    _write_atomic(out_dir / "gradebook.csv", _csv_text(gradebook))
    _write_atomic(out_dir / "manual.csv", _csv_text(pd.DataFrame(manual, columns=MANUAL_COLUMNS)))
    staging = Path(tempfile.mkdtemp(dir=out_dir, prefix=".feedback-"))
    os.chmod(staging, 0o777 & ~_umask())
    for student, secs in sections.items():
        (staging / f"{student}.md").write_text(_feedback_md(student, secs), encoding="utf-8")
    if skipped:
        (staging / "_skipped.txt").write_text("\n".join(skipped) + "\n", encoding="utf-8")
    final = out_dir / "feedback"
    if final.exists() or final.is_symlink():
        old = out_dir / f".feedback-old-{secrets.token_hex(4)}"
        os.replace(final, old)
        shutil.rmtree(old, ignore_errors=True) if not old.is_symlink() else old.unlink()
    os.replace(staging, final)
    return gradebook
