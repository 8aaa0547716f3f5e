"""What a report computes, and the few calls its notebook makes to show and save it.

A report module's ``build(data, *, as_of, **params)`` returns a
:class:`ReportResult`: key figures, recommended actions, charts (each drawn
from one of the tables), the tables themselves and notes on method and data.
The notebook only calls :func:`show_summary`, :func:`show_charts`,
:func:`show_tables`, :func:`show_notes` and :func:`save_tables`.

Examples
--------
>>> import pandas as pd
>>> res = ReportResult(title="Demo", key_figures={"Customers": "3"}, actions=["Call them."],
...                    tables={"by store": pd.DataFrame({"store": ["=A"], "n": [3]})})
>>> print(summary_markdown(res))
## Summary
<BLANKLINE>
| Key figure | Value |
|---|---|
| Customers | 3 |
<BLANKLINE>
### What to do
<BLANKLINE>
- Call them.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from crm_lessons.io import safe_filename, write_csv_safe
from crm_lessons.reports._charts import CHART_SIZE, render_png

__all__ = [
    "Chart",
    "ReportResult",
    "fmt_money",
    "fmt_number",
    "fmt_pct",
    "load_data",
    "save_tables",
    "show_charts",
    "show_notes",
    "show_summary",
    "show_tables",
    "summary_markdown",
]


@dataclass
class Chart:
    """A chart drawn by ``draw(ax)`` from the table ``table`` (saved as CSV beside it)."""

    title: str
    draw: Callable
    table: str | None = None
    key: bool = True
    size: tuple[float, float] = CHART_SIZE


@dataclass
class ReportResult:
    """Everything a report shows: summary first, details after."""

    title: str
    key_figures: dict[str, str] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def fmt_number(x, digits: int = 3) -> str:
    """A number with thousands separators and about ``digits`` significant digits."""
    x = float(x)
    if abs(x) >= 10 ** digits or x == int(x):
        return f"{x:,.0f}"
    return f"{x:,.{max(0, digits - 1 - int(len(str(int(abs(x))))) + 1)}f}"


def fmt_money(x) -> str:
    """Money with thousands separators and no currency sign (the data's currency)."""
    return f"{float(x):,.0f}" if abs(x) >= 100 else f"{float(x):,.2f}"


def fmt_pct(x, digits: int = 1) -> str:
    """A fraction as a percentage."""
    return f"{100 * float(x):.{digits}f}%"


def load_data(path) -> pd.DataFrame:
    """The validated data the runner handed to the notebook."""
    return pd.read_parquet(path)


def summary_markdown(result: ReportResult) -> str:
    """The summary block: key figures table and what to do."""
    lines = ["## Summary", "", "| Key figure | Value |", "|---|---|"]
    lines += [f"| {_md(k)} | {_md(v)} |" for k, v in result.key_figures.items()]
    if result.actions:
        lines += ["", "### What to do", ""] + [f"- {_md(a)}" for a in result.actions]
    return "\n".join(lines)


def _md(text) -> str:
    """Text from the data made inert in Markdown: HTML escaped, table pipes escaped."""
    return html.escape(str(text), quote=False).replace("|", "\\|")


def show_summary(result: ReportResult) -> None:
    """Display the summary (key figures and actions) as Markdown."""
    from IPython.display import Markdown, display

    display(Markdown(summary_markdown(result)))


def show_charts(result: ReportResult, *, key: bool = True) -> None:
    """Draw the key charts (``key=True``) or the others, one PNG each at slide resolution.

    Chinese labels use the shipped Noto Sans SC font (:mod:`crm_lessons.reports._charts`).
    """
    from IPython.display import Image, display

    for chart in result.charts:
        if chart.key == key:
            png = render_png(chart.draw, title=chart.title, size=chart.size)
            display(Image(data=png, format="png", width=_SHOWN_WIDTH))


#: Width in pixels at which the (larger) chart PNGs are shown in report.html.
_SHOWN_WIDTH = 760


def show_tables(result: ReportResult, *, rows: int = 10) -> None:
    """Show the first ``rows`` rows of every table, with its CSV file name."""
    from IPython.display import Markdown, display

    for name, table in result.tables.items():
        display(Markdown(f"**{_md(name)}** (first {min(rows, len(table))} of {len(table)} rows; "
                         f"full table in `tables/{safe_filename(name)}.csv`)"))
        head = table.head(rows)
        style = head.style.format(precision=3, thousands=",", escape="html").format_index(escape="html", axis=1)
        display(style.hide(axis="index") if isinstance(table.index, pd.RangeIndex)
                else style.format_index(escape="html", axis=0))


def show_notes(result: ReportResult) -> None:
    """Display the notes on data and method."""
    from IPython.display import Markdown, display

    display(Markdown("\n".join(f"- {_md(n)}" for n in result.notes)))


def save_tables(result: ReportResult, tables_dir) -> list[Path]:
    """Write every table as ``tables_dir/<safe name>.csv`` (formulas escaped)."""
    tables_dir = Path(tables_dir)
    tables_dir.mkdir(parents=True, exist_ok=True)
    return [write_csv_safe(t, tables_dir / f"{safe_filename(n)}.csv") for n, t in result.tables.items()]
