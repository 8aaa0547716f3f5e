"""Run a lesson's code cells in this process with other parameters, for the claims and widget tests.

The claims tests rerun each lesson's computations for several seeds and sizes and assert every
sentence of its prose that states a number or a direction; the widget tests call each Explore
callback at the ends of its controls' ranges. Both need the lesson's variables, so the code cells
run here (the parameters cell replaced, the widget cell skipped, figures drawn off-screen).
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import nbformat

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def run_lesson(name: str, **params) -> dict:
    """Execute the lesson ``notebooks/<name>*.ipynb`` with ``params`` and return its namespace."""
    (path,) = sorted(NOTEBOOKS.glob(f"{name}*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    ns: dict = {"display": lambda *a, **k: None, "__name__": "__lesson__"}
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or "nbval-ignore-output" in tags:
            continue
        source = re.sub(r"^\s*[%!].*$", "", cell.source, flags=re.M)
        exec(compile(source, f"{path.name}", "exec"), ns)
        if "parameters" in tags:
            unknown = set(params) - set(ns)
            assert not unknown, f"not parameters of {path.name}: {unknown}"
            ns.update(params)
        plt.close("all")
    return ns


def call_at_range_ends(ns: dict, callback: str, controls: dict) -> None:
    """Call ``ns[callback]`` with each control at each end of its range, the others at their defaults."""
    func = ns[callback]
    for name, ends in controls.items():
        for value in ends:
            func(**{name: value})
            plt.close("all")


EXERCISES = NOTEBOOKS.parent / "exercises"


def run_exercise(name: str, student_id: str, *, checks: bool = False) -> dict:
    """Execute the instructor version of exercise ``name`` for ``student_id`` (its seed as the grader draws it).

    Solution cells run; check and hidden-check cells run only with ``checks=True``.
    """
    from crm_lessons.grading.variants import student_seed

    (path,) = sorted(EXERCISES.glob(f"{name}*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    ns: dict = {"display": lambda *a, **k: None, "__name__": "__exercise__"}
    for cell in nb.cells:
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type != "code" or (not checks and tags & {"check", "hidden-check"}):
            continue
        exec(compile(cell.source, path.name, "exec"), ns)
        if "parameters" in tags and student_id != "demo":
            ns.update(student_id=student_id, seed=student_seed(student_id))
        plt.close("all")
    return ns
