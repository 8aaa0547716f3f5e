"""Run a lesson's code in this process, with other parameters, for the claims and widget tests.

``run_lesson(name, seed=7)`` executes the lesson's code cells in order (the
``parameters`` cell first, then the given overrides) and returns the namespace,
so a claims test can assert each sentence of the lesson on its own variables.
The Explore cell's ``widgets.interact`` is captured instead of shown:
``widget_ends(ns)`` yields every keyword setting with one control at the end of
its range and the others at their initial values, for the callback test.

``run_lesson_recorded("02.04", seed=7, keep_figures=True)`` runs a lesson the same way but the way a
kernel would (IPython's cell transforms, the notebook's folder as working directory, IPython's
``display``) and returns a :class:`LessonRun`: the namespace, the figures of each cell and every
Explore callback with its controls, for the figure and widget tests (cached per arguments).
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import nbformat

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from crm_lessons import widgets  # noqa: E402

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

#: ipywidgets' own defaults, for controls that do not set them
_DEFAULT_RANGE = {"FloatSlider": (0.0, 10.0), "IntSlider": (0, 100)}


EXERCISES = NOTEBOOKS.parent / "exercises"


def _one(folder: Path, stem: str) -> Path:
    """The notebook ``<stem>.ipynb``, or the one notebook whose name starts with ``stem`` ("05.03")."""
    (path,) = [folder / f"{stem}.ipynb"] if (folder / f"{stem}.ipynb").exists() else sorted(
        folder.glob(f"{stem}*.ipynb"))
    return path


def run_lesson(stem: str, **params) -> dict:
    """Execute ``notebooks/<stem>.ipynb`` (or ``<stem>*``) with ``params`` and return its namespace."""
    return run_notebook(_one(NOTEBOOKS, stem), **params)


def run_exercise_answers(stem: str, student_id: str) -> dict:
    """The instructor solution of ``exercises/<stem>.ipynb`` for one student (check cells skipped)."""
    return run_exercise(stem, student_id)


def run_exercise(stem: str, student_id: str, *, checks: bool = False) -> dict:
    """Execute the instructor version of an exercise for ``student_id`` (its seed as the grader draws it).

    Solution cells run; check and hidden-check cells only with ``checks=True``. The demo student keeps
    the notebook's own parameters.
    """
    from crm_lessons.grading import student_seed

    params = {} if student_id == "demo" else {"student_id": student_id, "seed": student_seed(student_id)}
    return run_notebook(_one(EXERCISES, stem), skip=() if checks else ("check", "hidden-check"), **params)


def call_at_range_ends(target, *args) -> None:
    """Call an Explore callback with each control at each end of its range, the others at their defaults.

    ``call_at_range_ends(ns, "explore", {"k": (lo, hi)})`` takes the callback from a lesson's namespace;
    ``call_at_range_ends(func, {"k": (lo, hi)})`` takes it directly and also calls it with every control
    at its minimum together, then at its maximum together.
    """
    together = callable(target)
    func, ranges = (target, args[0]) if together else (target[args[0]], args[1])
    for which in (0, -1):
        calls = ([{k: list(v)[which] for k, v in ranges.items()}] if together else []) + [
            {k: list(v)[which]} for k, v in ranges.items()]
        for kwargs in calls:
            with contextlib.redirect_stdout(io.StringIO()):
                func(**kwargs)
            plt.close("all")


def _reset_display_options() -> None:
    """Undo a lesson's ``pd.set_option("display...")`` so that it cannot change a later test's printed output."""
    import pandas as pd

    pd.reset_option("^display\\.")


def run_notebook(path, *, skip=(), **params) -> dict:
    """Execute a notebook's code cells (but those tagged ``skip``) with ``params``; return the namespace."""
    nb = nbformat.read(path, as_version=4)
    stem = Path(path).stem
    ns: dict = {"__name__": "__lesson__", "display": lambda *a, **k: None}
    captured = {}

    def interact(func, **controls):
        captured.update(func=func, controls=controls)

    original, widgets.interact = widgets.interact, interact
    try:
        with contextlib.redirect_stdout(io.StringIO()) as out:
            for cell in nb.cells:
                if cell.cell_type != "code" or {"nav", *skip} & set(cell.metadata.get("tags", [])):
                    continue
                src = "\n".join(l for l in cell.source.splitlines() if not l.lstrip().startswith(("%", "!")))
                exec(compile(src, f"<{stem}>", "exec"), ns)
                if "parameters" in cell.metadata.get("tags", []):
                    ns.update(params)
                plt.close("all")
    finally:
        widgets.interact = original
        _reset_display_options()
    ns["_stdout"] = out.getvalue()
    ns["_widget"] = captured
    return ns


def widget_ends(ns: dict):
    """(func, kwargs) with each control in turn at the minimum and maximum of its range."""
    w = ns["_widget"]
    controls = w["controls"]
    base = {k: c.value for k, c in controls.items()}
    for key, c in controls.items():
        if c.kind in _DEFAULT_RANGE:
            lo, hi = _DEFAULT_RANGE[c.kind]
            ends = (c.kwargs.get("min", lo), c.kwargs.get("max", hi))
        else:
            opts = list(c.kwargs["options"])
            ends = tuple(o[1] if isinstance(o, tuple) else o for o in (opts[0], opts[-1]))
        for v in ends:
            yield w["func"], {**base, key: v}


def run_widget_ends(stem: str, **params) -> int:
    """Run the lesson, then call its Explore callback at every control's range ends; return the number of calls."""
    return call_widget_ends(run_lesson(stem, **params))


def call_widget_ends(ns: dict) -> int:
    """Call the Explore callback of a lesson already run (``ns``) at every control's range ends; return the count."""
    calls = list(widget_ends(ns))
    for func, kwargs in calls:
        with contextlib.redirect_stdout(io.StringIO()):
            func(**kwargs)
        plt.close("all")
    return len(calls)


@dataclass
class LessonRun:
    """What :func:`run_lesson_recorded` kept: the namespace, figures and Explore callbacks."""
    ns: dict
    figures: list = field(default_factory=list)   # (cell index, Figure)
    explore: list = field(default_factory=list)   # (callback, {name: Control})

    def __getitem__(self, name):
        return self.ns[name]


def lesson_path(code: str) -> Path:
    """notebooks/<code>-….ipynb for a code such as '02.04'."""
    return _one(NOTEBOOKS, code)


def code_cells(path: Path) -> list:
    """The lesson's code cells in order (navigation cells skipped); the parameters cell is tagged."""
    nb = nbformat.read(path, as_version=4)
    return [c for c in nb.cells if c.cell_type == "code" and "nav" not in c.metadata.get("tags", [])]


def run_lesson_recorded(code: str, *, keep_figures: bool = False, **params) -> LessonRun:
    """Execute lesson ``code`` with ``params`` overriding its parameters cell; keep figures and widgets.

    Cached per arguments, so several tests of one lesson and parameter set share one run.
    """
    return _run_recorded_cached(code, tuple(sorted(params.items())), keep_figures)


@functools.lru_cache(maxsize=32)
def _run_recorded_cached(code: str, params: tuple, keep_figures: bool) -> LessonRun:
    return _run_recorded(code, dict(params), keep_figures)


def _run_recorded(code: str, params: dict, keep_figures: bool) -> LessonRun:
    from IPython.core.inputtransformer2 import TransformerManager
    from IPython.display import display

    path = lesson_path(code)
    run = LessonRun(ns={"__name__": "__lesson__", "display": display})
    transform = TransformerManager().transform_cell
    old_cwd, old_show, old_interact = os.getcwd(), plt.show, widgets.interact
    current = [0]

    def show(*args, **kwargs):
        if keep_figures:
            for num in plt.get_fignums():
                run.figures.append((current[0], plt.figure(num)))
            for num in plt.get_fignums():  # detach from pyplot, keep the object
                plt.close(num)
        else:
            plt.close("all")

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
        _reset_display_options()
    return run


def forget_recorded_runs() -> None:
    """Drop the cached runs of :func:`run_lesson_recorded` (their figures hold memory)."""
    _run_recorded_cached.cache_clear()


#: the student ids of the exercise variant tests (LESSON-CHECKLIST: a test over 50 student ids)
STUDENT_IDS = [f"s{i:03d}" for i in range(50)]


def graded_answers(stem: str, names, *, ids=STUDENT_IDS, checks: bool = True) -> dict:
    """Run the instructor solution of exercise ``stem`` for every student id and collect the graded answers.

    With ``checks`` the student's visible and hidden checks run too (the solution must pass each
    student's own checks). Each answer must be finite; floats are rounded to 6 digits.
    Returns ``{name: [value per student]}``.
    """
    import math

    values = {name: [] for name in names}
    for sid in ids:
        ns = run_exercise(stem, sid, checks=checks)
        for name in values:
            v = ns[name]
            if not isinstance(v, str):
                v = float(v)
                assert math.isfinite(v), f"{stem}, {sid}: {name} = {v}"
                v = round(v, 6)
            values[name].append(v)
    return values


def assert_answers_vary(stem: str, values: dict) -> None:
    """Every graded answer takes more than one value over the students (never the demo's for all)."""
    constant = {name: vs[0] for name, vs in values.items() if len(set(vs)) < 2}
    assert not constant, f"{stem}: the same answer for all {len(next(iter(values.values())))} students: {constant}"
