"""Run a lesson's code in this process and keep what it made, for the claims, figure and widget tests.

``run_lesson("02.04", seed=7, n_customers=5000)`` executes the lesson's code cells (navigation cells
skipped) in one namespace, with the given parameters assigned right after the ``parameters`` cell,
as papermill would. Figures are collected instead of shown; each Explore cell's callback and
controls are recorded instead of opening a widget. No kernel is started, so a lesson costs only
its own computation.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import nbformat

from crm_lessons import widgets

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


@dataclass
class LessonRun:
    ns: dict
    figures: list = field(default_factory=list)   # (cell index, Figure)
    explore: list = field(default_factory=list)   # (callback, {name: Control})

    def __getitem__(self, name):
        return self.ns[name]


def lesson_path(code: str) -> Path:
    """notebooks/<code>-….ipynb for a code such as '02.04'."""
    (path,) = NOTEBOOKS.glob(f"{code}-*.ipynb")
    return path


def code_cells(path: Path) -> list[str]:
    """The lesson's code cells in order (navigation cells skipped); the parameters cell is tagged."""
    nb = nbformat.read(path, as_version=4)
    return [c for c in nb.cells if c.cell_type == "code" and "nav" not in c.metadata.get("tags", [])]


@functools.lru_cache(maxsize=32)
def _run_cached(code: str, params: tuple, keep_figures: bool) -> LessonRun:
    return _run(code, dict(params), keep_figures)


def run_lesson(code: str, *, keep_figures: bool = False, **params) -> LessonRun:
    """Execute lesson ``code`` with ``params`` overriding its parameters cell (cached per arguments)."""
    return _run_cached(code, tuple(sorted(params.items())), keep_figures)


def _run(code: str, params: dict, keep_figures: bool) -> LessonRun:
    from IPython.core.inputtransformer2 import TransformerManager
    from IPython.display import display

    matplotlib.use("Agg")
    path = lesson_path(code)
    run = LessonRun(ns={"__name__": "__lesson__", "display": display})
    transform = TransformerManager().transform_cell
    old_cwd, old_show, old_interact = os.getcwd(), plt.show, widgets.interact
    current = [0]

    def show(*args, **kwargs):
        for num in plt.get_fignums():
            fig = plt.figure(num)
            if keep_figures:
                run.figures.append((current[0], fig))
        if not keep_figures:
            plt.close("all")
        else:
            for num in plt.get_fignums():  # detach from pyplot, keep the object
                plt.close(num)

    plt.show = show
    widgets.interact = lambda func, **controls: run.explore.append((func, controls))
    os.chdir(path.parent)
    try:
        for i, cell in enumerate(code_cells(path)):
            current[0] = i
            exec(compile(transform(cell.source), f"<{code} cell {i}>", "exec"), run.ns)
            if "parameters" in cell.metadata.get("tags", []):
                run.ns.update(params)
            show()
    finally:
        os.chdir(old_cwd)
        plt.show, widgets.interact = old_show, old_interact
        plt.close("all")
    return run
