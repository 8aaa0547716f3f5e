"""The student edition of the course: what to hand out, with no solution in it.

:func:`student_edition` copies the lessons, the student copies of the
exercises (at the same path, ``exercises/student/``, so the lessons' links
work), the ``crm_lessons`` package, the data and the set-up files into a new
folder. It leaves out the instructor exercises, the tests (their fixtures hold
a solved exercise), ``.git`` and every build or grading folder, and then reads
every notebook it wrote: one that still holds a solution span, a hidden check
or a rubric stops the build, and nothing is left behind.

Examples
--------
>>> sorted(INCLUDE)[:3]
['Makefile', 'README.md', 'crm_lessons']
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import nbformat

from crm_lessons._validation import CRMInputError
from crm_lessons.grading._cells import BEGIN, is_rubric, tags

__all__ = ["student_edition", "INCLUDE", "solution_leaks"]

#: what the edition holds (paths relative to the repository)
INCLUDE = ("README.md", "Makefile", "pyproject.toml", "requirements.lock", "environment.yml",
           "crm_lessons", "datasets", "notebooks", "exercises/student")
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", ".*")


def solution_leaks(folder) -> list[str]:
    """Notebooks under ``folder`` that hold a solution span, hidden check or rubric, and why.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("### BEGIN SOLUTION\\nx = 1")])
    >>> nbformat.write(nb, d / "a.ipynb")
    >>> solution_leaks(d)
    ['a.ipynb: cell 1 holds a solution']
    """
    folder = Path(folder)
    leaks = []
    for path in sorted(folder.rglob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells, 1):
            if BEGIN in cell.source:
                leaks.append(f"{path.relative_to(folder)}: cell {i} holds a solution")
            elif "hidden-check" in tags(cell) or is_rubric(cell):
                leaks.append(f"{path.relative_to(folder)}: cell {i} is a hidden check or rubric")
    return leaks


def student_edition(root, out) -> Path:
    """Build the student edition of the course repository ``root`` in the new folder ``out``.

    Parameters
    ----------
    root : path-like
        The course repository (with ``notebooks/``, ``exercises/student/``, ``crm_lessons/``).
    out : path-like
        Folder to create; it must not exist yet.

    Returns
    -------
    pathlib.Path
        ``out``.
    """
    root, out = Path(root), Path(out)
    missing = [p for p in ("notebooks", "exercises/student", "crm_lessons") if not (root / p).is_dir()]
    if missing:
        raise CRMInputError(f"argument `root`: '{root}' is not the course repository; {missing} missing. "
                            "Pass the folder that holds notebooks/, exercises/ and crm_lessons/.")
    if out.exists():
        raise CRMInputError(f"argument `out`: '{out}' already exists; pass a new folder name.")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}-"))
    try:
        for rel in INCLUDE:
            src, dst = root / rel, staging / rel
            if src.is_dir():
                shutil.copytree(src, dst, ignore=_SKIP, symlinks=False)
            elif src.is_file():
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dst)
        leaks = solution_leaks(staging)
        if leaks:
            raise CRMInputError(f"argument `root`: the student edition would contain solutions: {leaks[:5]}. "
                                "Run `crm-lessons exercises student-copies` and try again.")
        staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out
