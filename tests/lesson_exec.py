"""Run a lesson's code cells in a namespace (for claims and widget tests), without Jupyter."""

from pathlib import Path

import matplotlib
import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def run_lesson(stem: str, **params) -> dict:
    """Execute every code cell of ``notebooks/<stem>.ipynb`` except the widget cell.

    ``params`` replace the ``parameters`` cell's values. Figures are closed, ``display``
    is a no-op. Returns the namespace (the lesson's variables and functions).
    """
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    nb = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    ns = {"display": lambda *a, **k: None, "__name__": "__lesson__"}
    for cell in nb.cells:
        if cell.cell_type != "code" or "nbval-ignore-output" in cell.metadata.get("tags", []):
            continue
        exec(compile(cell.source, f"{stem}.ipynb", "exec"), ns)
        if "parameters" in cell.metadata.get("tags", []):
            ns.update(params)
        plt.close("all")
    return ns


def call_at_range_ends(func, ranges: dict) -> None:
    """Call ``func`` with every control at its minimum, then at its maximum, one at a time and all together."""
    import matplotlib.pyplot as plt

    for which in (0, 1):
        func(**{k: v[which] for k, v in ranges.items()})
        plt.close("all")
        for k, v in ranges.items():
            func(**{k: v[which]})
            plt.close("all")
