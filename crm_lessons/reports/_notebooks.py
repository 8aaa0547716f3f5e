"""Write the report notebooks from the registry (``python -m crm_lessons.reports._notebooks``).

The notebooks under ``crm_lessons/reports/notebooks/`` are generated, never
edited by hand; a test checks that they match :func:`build_notebook`.
They hold no logic: the report module's ``build`` computes, and
:mod:`crm_lessons.reports.results` shows and saves.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from crm_lessons.reports._registry import REPORTS, Report

__all__ = ["build_notebook", "write_notebooks"]


def _cell_id(report: Report, i: int) -> str:
    return f"{report.name}-{i}"


def build_notebook(report: Report) -> nbformat.NotebookNode:
    """The notebook of ``report``: summary, key charts, details, notes."""
    params = "\n".join(f"{p.name} = {p.default!r}  # {p.help}" for p in report.params)
    call = ", ".join(f"{p.name}={p.name}" for p in report.params)
    cells = [
        new_markdown_cell(f"# {report.title}\n\n{report.description}\n\n"
                          f"Made with `crm-lessons report {report.name}`; how the figures were computed "
                          "is under *About this report* at the end."),
        new_code_cell('data_path = "data.parquet"  # validated data written by the runner\n'
                      'tables_dir = "tables"  # where the tables behind the charts go as CSV\n'
                      'as_of = "last"  # as-of date YYYY-MM-DD, or last: the last date in the data\n' + params,
                      metadata={"tags": ["parameters"]}),
        new_code_cell(f"from crm_lessons.reports import results\n"
                      f"from {report.module} import build\n\n"
                      f"result = build(results.load_data(data_path), as_of=None if as_of == \"last\" else as_of"
                      + (f", {call}" if call else "") + ")\n"
                      "results.save_tables(result, tables_dir);"),
        new_code_cell("results.show_summary(result)"),
        new_markdown_cell("## Charts that matter"),
        new_code_cell("results.show_charts(result, key=True)"),
        new_markdown_cell("## Details"),
        new_code_cell("results.show_charts(result, key=False)\nresults.show_tables(result)"),
        new_markdown_cell("## About this report"),
        new_code_cell("results.show_notes(result)"),
    ]
    for i, cell in enumerate(cells):
        cell["id"] = _cell_id(report, i)
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "title": report.title,  # the HTML page title
    })
    return nb


def write_notebooks(folder: Path | None = None) -> list[Path]:
    """Write every registered report's notebook; return the paths."""
    from crm_lessons.reports import _catalogue  # noqa: F401

    folder = Path(folder or Path(__file__).parent / "notebooks")
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for report in REPORTS.values():
        path = folder / f"{report.name}.ipynb"
        nbformat.write(build_notebook(report), path)
        paths.append(path)
    return paths


if __name__ == "__main__":  # pragma: no cover
    for p in write_notebooks(Path(sys.argv[1]) if len(sys.argv) > 1 else None):
        print(p)
