"""Check the checks: the instructor's solutions pass, and wrong submissions earn nothing.

For each student id given, :func:`self_check` grades (with the real grader, in
its sandbox) four copies of every instructor exercise:

``solution``  the instructor version: every check must pass;
``blank``     the student copy as handed out: no check may pass;
``zeros``     every answer variable set to ``0`` (a guessed constant): no check may pass;
``other``     the solutions computed on another student's data (another seed): no hidden
              check may pass, or it does not depend on the student's data (or the variants are
              all the same). Visible checks are not counted here: they cannot know a student's
              answer without showing the solution, so they may only test its type and shape.

It also reports a check that fails without a message (the student would read
only "AssertionError").

Examples
--------
>>> print(zeros_source("### BEGIN SOLUTION\\ntotal = df.x.sum()\\n### END SOLUTION\\ntotal"))
total = 0
total
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from pathlib import Path

import nbformat

from crm_lessons.grading._cells import SOLUTION_SPAN, assigned_names, grading_meta, is_parameters, tags
from crm_lessons.grading.autograde import grade
from crm_lessons.grading.copies import instructor_exercises, student_copy
from crm_lessons.grading.variants import check_student_id, student_seed

__all__ = ["self_check", "zeros_source", "KINDS"]

#: the copies graded, and what a point earned by each means
KINDS = {
    "blank": "the blank student copy",
    "zeros": "a copy that sets every answer to 0",
    "other": "a copy computed on another student's data (a hidden check that ignores the student's data)",
}


def zeros_source(source: str) -> str:
    """``source`` with each solution span replaced by ``name = 0`` for every name it assigns."""
    def zero(match):
        names = sorted(assigned_names(match.group(0)))
        return "\n".join(f"{match.group(1)}{n} = 0" for n in names) or f"{match.group(1)}pass"
    return SOLUTION_SPAN.sub(zero, source)


def _copies(nb, student):
    blank = student_copy(nb)
    zeros = copy.deepcopy(nb)
    for cell in zeros.cells:
        if "solution" in tags(cell):
            cell.source = zeros_source(cell.source)
    other = copy.deepcopy(nb)
    at = next((i + 1 for i, c in enumerate(other.cells) if is_parameters(c)), 0)
    other.cells.insert(at, nbformat.v4.new_code_cell(
        f"seed = {student_seed(student + '-other')}  # another student's data"))
    return {"solution": nb, "blank": blank, "zeros": zeros, "other": other}


def self_check(exercises_dir="exercises", students=("demo",), *, timeout=120, jobs=2, unsafe=False,
               progress=False) -> list[str]:
    """Grade the four copies of every exercise for each student; return the problems (empty: all good).

    Parameters
    ----------
    exercises_dir : path-like, default "exercises"
    students : iterable of str, default ("demo",)
        Student ids whose seeds to use.
    timeout : float, default 120
        Seconds allowed per cell.
    jobs : int, default 2
        Notebooks graded at the same time.
    unsafe : bool, default False
        As for :func:`~crm_lessons.grading.autograde.grade`.
    progress : bool, default False
        Show a progress bar.

    Returns
    -------
    list of str
        One line per problem, e.g. ``"02.05-...: check q3 gives 1 point(s) to a copy that sets
        every answer to 0 (student s001)"``.
    """
    students = [check_student_id(s, where="argument `students`") for s in students]
    work = Path(tempfile.mkdtemp(prefix="crm-self-check-"))
    hidden = set()
    try:
        for path in instructor_exercises(exercises_dir):
            nb = nbformat.read(path, as_version=4)
            hidden |= {(path.stem, str(grading_meta(c).get("id"))) for c in nb.cells if "hidden-check" in tags(c)}
            for student in students:
                for kind, made in _copies(nb, student).items():
                    sid = student if kind == "solution" else f"{student}.{kind}"
                    (work / "submissions" / sid).mkdir(parents=True, exist_ok=True)
                    nbformat.write(made, work / "submissions" / sid / path.name)
        book = grade(work / "submissions", exercises_dir=exercises_dir, out_dir=work / "graded",
                     timeout=timeout, jobs=jobs, unsafe=unsafe, progress=progress)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return _problems(book, hidden)


def _problems(book, hidden) -> list[str]:
    problems = []
    auto = book[book["points"].notna() & (book["status"] != "unmatched")]
    for row in auto.itertuples():
        student, _, kind = row.student.partition(".")
        if not kind and row.points < row.max_points:
            problems.append(f"{row.exercise}: check {row.check} fails on your solution (student {student}): "
                            f"{row.feedback}")
        elif kind in KINDS and row.points > 0 and (kind != "other" or (row.exercise, row.check) in hidden):
            problems.append(f"{row.exercise}: check {row.check} gives {row.points} point(s) to "
                            f"{KINDS[kind]} (student {student})")
        if row.feedback.endswith("(without a message)") and kind in ("zeros", "other"):
            problems.append(f"{row.exercise}: check {row.check} fails without a message ({row.feedback}); "
                            "give its assert a message that tells the student what is wrong")
    return list(dict.fromkeys(problems))
