"""Per-student variants of an exercise: each student's own data, seeded by the student id.

The seed is a stable hash of the student id, so the instructor, the student's
notebook and the grader agree on it without sharing state; the key file records
it anyway (and lets the instructor override it).

Examples
--------
>>> student_seed("s001")
2117847071
>>> student_seed("s001") == student_seed("s001") != student_seed("s002")
True
"""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import nbformat

from crm_lessons._validation import CRMInputError
from crm_lessons.grading.copies import student_copy

__all__ = ["student_seed", "read_roster", "read_key", "make_variants", "KEY_FILE"]

KEY_FILE = "key.csv"
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")


def student_seed(student_id: str) -> int:
    """A stable seed in ``[0, 2**31)`` from a student id (first 4 bytes of its SHA-256)."""
    return int.from_bytes(hashlib.sha256(str(student_id).encode("utf-8")).digest()[:4], "big") % 2**31


def check_student_id(student_id, *, where: str = "argument `student_ids`") -> str:
    """A student id usable as a folder name, or a clear error."""
    sid = str(student_id).strip()
    if not _SAFE_ID.match(sid):
        raise CRMInputError(f"{where}: student id {sid!r} is not usable as a folder name; use "
                            "letters, digits and . _ - @ only, starting with a letter or digit.")
    return sid


def read_roster(path) -> list[str]:
    """Student ids from a roster CSV with a ``student_id`` column (other columns ignored)."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if "student_id" not in (reader.fieldnames or []):
            raise CRMInputError(f"file '{path}': column 'student_id' is missing; found columns "
                                f"{reader.fieldnames}. Add a header row with a student_id column.")
        ids = [check_student_id(row["student_id"], where=f"file '{path}', line {i + 2}")
               for i, row in enumerate(reader) if (row["student_id"] or "").strip()]
    dupes = sorted({s for s in ids if ids.count(s) > 1})
    if dupes:
        raise CRMInputError(f"file '{path}': student ids must be unique; found {dupes} more than "
                            "once. Remove the duplicate rows.")
    return ids


def read_key(path) -> dict[str, int]:
    """``{student_id: seed}`` from a key file written by :func:`make_variants`."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = {"student_id", "seed"} - set(reader.fieldnames or [])
        if missing:
            raise CRMInputError(f"file '{path}': columns {sorted(missing)} are missing; found "
                                f"{reader.fieldnames}. Pass the key.csv written by `variants`.")
        return {row["student_id"].strip(): int(row["seed"]) for row in reader}


def make_variants(exercise, student_ids, out_dir) -> Path:
    """Write one student copy per student, with that student's parameters injected.

    Parameters
    ----------
    exercise : path-like
        The instructor exercise notebook.
    student_ids : iterable of str or path-like
        The student ids, or a roster CSV with a ``student_id`` column.
    out_dir : path-like
        Receives ``<student_id>/<exercise>.ipynb`` for each student and ``key.csv``
        (exercise, student_id, seed, file); an existing key keeps its other rows.

    Returns
    -------
    pathlib.Path
        The key file.

    Notes
    -----
    Parameters are injected by papermill (``prepare_only``: nothing is executed),
    so a student running the notebook top to bottom gets their own data.
    """
    import papermill as pm

    exercise = Path(exercise)
    if not exercise.is_file():
        raise CRMInputError(f"argument `exercise`: file not found; found '{exercise}'. "
                            "Pass an instructor notebook such as exercises/02.05-....ipynb.")
    if isinstance(student_ids, (str, Path)):
        student_ids = read_roster(student_ids)
    ids = [check_student_id(s) for s in student_ids]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    copy = student_copy(nbformat.read(exercise, as_version=4), exercise=exercise.stem)
    rows = []
    for sid in ids:
        seed = student_seed(sid)
        target = out_dir / sid / exercise.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nb = pm.execute_notebook(copy, None, parameters={"student_id": sid, "seed": seed},
                                 prepare_only=True, progress_bar=False, log_output=False,
                                 kernel_name="python3")
        for cell in nb.cells:
            for key in ("papermill", "execution"):
                cell.metadata.pop(key, None)
        nb.metadata.pop("papermill", None)
        nb.metadata["crm_grading"] = {**copy.metadata["crm_grading"], "student_id": sid}
        nbformat.write(nb, target)
        rows.append({"exercise": exercise.stem, "student_id": sid, "seed": seed,
                     "file": f"{sid}/{exercise.name}"})
    key = out_dir / KEY_FILE
    if key.exists():
        with key.open(newline="", encoding="utf-8") as fh:
            old = [r for r in csv.DictReader(fh)
                   if (r.get("exercise"), r.get("student_id")) not in
                   {(r2["exercise"], r2["student_id"]) for r2 in rows}]
        rows = old + rows
    with key.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["exercise", "student_id", "seed", "file"])
        writer.writeheader()
        writer.writerows(rows)
    return key
