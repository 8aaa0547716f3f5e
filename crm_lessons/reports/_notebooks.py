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
from nbformat.v4 import new_code_cell, new_notebook

from crm_lessons.reports._catalogue import REPORTS
from crm_lessons.reports._registry import Report

__all__ = ["build_notebook", "write_notebooks"]


def _cell_id(report: Report, i: int) -> str:
    return f"{report.name}-{i}"


def build_notebook(report: Report) -> nbformat.NotebookNode:
    """The notebook of ``report``: summary, key charts, details, notes."""
    params = "\n".join(f"{p.name} = {p.default!r}  # {p.help}" for p in report.params)
    call = ", ".join(f"{p.name}={p.name}" for p in report.params)
    cells = [
        new_code_cell('data_path = "data.parquet"  # validated data written by the runner\n'
                      'tables_dir = "tables"  # where the tables behind the charts go (CSV; tables.xlsx beside)\n'
                      'charts_dir = "charts"  # the charts as slide-sized PNGs\n'
                      'as_of = "last"  # as-of date YYYY-MM-DD, or last: the last date in the data\n'
                      'lang = "en"  # report language: en or zh\n'
                      'currency = "¥"  # currency sign of amounts\n'
                      'input_notes = "[]"  # JSON: what was converted when the file was read\n'
                      'label = ""  # the group (store...) of a batch report\n' + params,
                      metadata={"tags": ["parameters"]}),
        new_code_cell(f"from crm_lessons.reports import results\n"
                      f"from {report.module} import build\n\n"
                      f"result = build(results.load_data(data_path), as_of=None if as_of == \"last\" else as_of, "
                      "lang=lang, currency=currency" + (f", {call}" if call else "") + ")\n"
                      "results.add_context(result, label=label, input_notes=input_notes)\n"
                      "results.save_outputs(result, tables_dir, charts_dir)"),
        new_code_cell("results.show_title(result)\nresults.show_summary(result)"),
        new_code_cell('results.show_heading(result, "charts")\nresults.show_charts(result, key=True)'),
        new_code_cell('results.show_heading(result, "details")\nresults.show_charts(result, key=False)\n'
                      "results.show_tables(result)"),
        new_code_cell('results.show_heading(result, "about")\nresults.show_notes(result)'),
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
