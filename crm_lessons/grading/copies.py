"""Student copies of the instructor exercises: generated, never edited by hand.

A student copy keeps the instructor notebook's text, set-up code and visible
checks; it replaces each solution span by ``# YOUR CODE HERE`` /
``raise NotImplementedError()``, drops hidden checks and rubrics, and clears all
outputs. :func:`check_student_copies` fails when a committed copy is stale.

Examples
--------
>>> import nbformat
>>> nb = nbformat.v4.new_notebook(cells=[
...     nbformat.v4.new_code_cell("### BEGIN SOLUTION\\nx = 1\\n### END SOLUTION",
...                               metadata={"tags": ["solution"]}),
...     nbformat.v4.new_code_cell("assert x == 1", metadata={"tags": ["hidden-check"],
...                               "crm_grading": {"id": "q1", "points": 1}})])
>>> copy = student_copy(nb)
>>> [c.source for c in copy.cells]
['# YOUR CODE HERE\\nraise NotImplementedError()']
"""

from __future__ import annotations

import copy as _copy
from pathlib import Path

import nbformat

from crm_lessons._validation import CRMInputError
from crm_lessons.grading._cells import (BEGIN, STUDENT_STUB, grading_meta, is_rubric, strip_solution,
                                        tags)

__all__ = ["student_copy", "write_student_copies", "check_student_copies", "instructor_exercises"]

_VOLATILE_CELL_META = ("execution", "papermill", "collapsed", "scrolled", "ExecuteTime")


def instructor_exercises(exercises_dir) -> list[Path]:
    """The instructor exercise notebooks ``exercises_dir/*.ipynb``, sorted."""
    exercises_dir = Path(exercises_dir)
    if not exercises_dir.is_dir():
        raise CRMInputError(f"argument `exercises_dir`: not a folder; found '{exercises_dir}'. "
                            "Pass the folder holding the instructor exercises, e.g. 'exercises'.")
    return sorted(p for p in exercises_dir.glob("*.ipynb") if not p.name.startswith("."))


def student_copy(instructor_nb, *, exercise: str | None = None):
    """Build the student copy of an instructor exercise notebook.

    Parameters
    ----------
    instructor_nb : nbformat.NotebookNode
        The instructor version (left unchanged).
    exercise : str, optional
        The exercise's name (file stem), recorded in the notebook metadata.

    Returns
    -------
    nbformat.NotebookNode
        Solutions replaced by stubs, ``hidden-check`` and ``rubric`` cells removed,
        outputs cleared; check cells keep their ``crm_grading`` id and points, and
        each ``answer`` cell records the rubric id it is graded by.
    """
    nb = _copy.deepcopy(instructor_nb)
    cells = []
    for index, cell in enumerate(nb.cells):
        cell_tags = tags(cell)
        if "hidden-check" in cell_tags or is_rubric(cell):
            continue
        for key in _VOLATILE_CELL_META:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            if "solution" in cell_tags or BEGIN in cell.source:   # a span is stripped even if untagged
                cell.source = strip_solution(cell.source) if BEGIN in cell.source else STUDENT_STUB
        if "answer" in cell_tags:
            rubric = next((c for c in nb.cells[index + 1:] if is_rubric(c)), None)
            if rubric is not None and grading_meta(rubric).get("id"):
                cell.metadata["crm_grading"] = {"answer_for": grading_meta(rubric)["id"]}
        cells.append(cell)
    nb.cells = cells
    nb.metadata.pop("papermill", None)
    meta = {"student_copy": True}
    if exercise:
        meta["exercise"] = exercise
    nb.metadata["crm_grading"] = meta
    return nb


def _expected(exercises_dir) -> dict[str, str]:
    out = {}
    for path in instructor_exercises(exercises_dir):
        nb = nbformat.read(path, as_version=4)
        out[path.name] = nbformat.writes(student_copy(nb, exercise=path.stem)) + "\n"
    return out


def _student_dir(exercises_dir, out_dir):
    return Path(out_dir) if out_dir is not None else Path(exercises_dir) / "student"


def write_student_copies(exercises_dir="exercises", out_dir=None) -> list[Path]:
    """Write the student copy of every ``exercises_dir/*.ipynb`` to ``out_dir``.

    ``out_dir`` defaults to ``exercises_dir/student``. Copies of exercises that
    no longer exist are removed. Returns the written paths.
    """
    out = _student_dir(exercises_dir, out_dir)
    out.mkdir(parents=True, exist_ok=True)
    expected = _expected(exercises_dir)
    written = []
    for name, text in expected.items():
        path = out / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    for stale in out.glob("*.ipynb"):
        if stale.name not in expected:
            stale.unlink()
    return written


def check_student_copies(exercises_dir="exercises", out_dir=None) -> list[str]:
    """List the student copies that are missing, stale or orphaned (empty list: in step).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> nbformat.write(nbformat.v4.new_notebook(), d / "01.01-A.ipynb")
    >>> check_student_copies(d)
    ['missing: student/01.01-A.ipynb']
    >>> _ = write_student_copies(d); check_student_copies(d)
    []
    """
    out = _student_dir(exercises_dir, out_dir)
    expected = _expected(exercises_dir)
    label = out.name
    problems = []
    for name, text in expected.items():
        path = out / name
        if not path.exists():
            problems.append(f"missing: {label}/{name}")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"stale: {label}/{name}")
    if out.is_dir():
        problems += [f"orphaned: {label}/{p.name}" for p in sorted(out.glob("*.ipynb"))
                     if p.name not in expected]
    return problems
