"""Run a lesson's code in this process, with other parameters, for the claims and widget tests.

``run_lesson(name, seed=7)`` executes the lesson's code cells in order (the
``parameters`` cell first, then the given overrides) and returns the namespace,
so a claims test can assert each sentence of the lesson on its own variables.
The Explore cell's ``widgets.interact`` is captured instead of shown:
``widget_ends(ns)`` yields every keyword setting with one control at the end of
its range and the others at their initial values, for the callback test.
"""

from __future__ import annotations

import contextlib
import io
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
    ns = run_lesson(stem, **params)
    calls = list(widget_ends(ns))
    for func, kwargs in calls:
        with contextlib.redirect_stdout(io.StringIO()):
            func(**kwargs)
        plt.close("all")
    return len(calls)
