"""What a report computes, and the few calls its notebook makes to show and save it.

A report module's ``build(data, *, as_of, lang, **params)`` returns a
:class:`ReportResult`: key figures, recommended actions, charts (each drawn
from one of the tables and stating its base, n), the tables themselves, the
sections that could not be estimated and why, and notes on method and data.
The notebook only calls :func:`save_outputs`, :func:`show_summary`,
:func:`show_charts`, :func:`show_tables` and :func:`show_notes`.

Tables are kept in two forms: ``tables/*.csv`` (and ``*.parquet`` when too
long for Excel) hold the canonical columns and raw numbers, for other tools;
``tables.xlsx`` (one sheet per table) and the report page show readable
headers in the report's language, percentages, thousands separators and
the currency.

Examples
--------
>>> import pandas as pd
>>> res = ReportResult(title="Demo", key_figures={"Customers": "3"}, actions=["Call them."],
...                    not_estimable={"Customer lifetime value": "only 3 customers bought twice."})
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
<BLANKLINE>
### Not estimable
<BLANKLINE>
- **Customer lifetime value**: not estimable, because only 3 customers bought twice.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from crm_lessons.io import atomic_write, safe_filename, write_csv_safe
from crm_lessons.reports._charts import CHART_SIZE, render_png
from crm_lessons.reports._text import Text, column_label

__all__ = [
    "CSV_PART_ROWS",
    "EXCEL_MAX_ROWS",
    "WORKBOOK_MAX_ROWS",
    "Chart",
    "ReportResult",
    "add_context",
    "format_table",
    "load_data",
    "save_data",
    "save_outputs",
    "save_tables",
    "save_workbook",
    "write_csv_parts",
    "show_charts",
    "show_heading",
    "show_notes",
    "show_title",
    "show_summary",
    "show_tables",
    "summary_markdown",
]

#: Data rows an Excel sheet holds (1,048,576 rows less the header).
EXCEL_MAX_ROWS = 1_048_575
#: Longest table put in tables.xlsx (writing a sheet costs about 10 microseconds a cell); longer tables
#: are also written as Parquet, and their sheet names the files.
WORKBOOK_MAX_ROWS = 100_000


@dataclass
class Chart:
    """A chart drawn by ``draw(ax)`` from the table ``table``; ``base`` states what it counts (n = ...)."""

    title: str
    draw: Callable
    table: str | None = None
    key: bool = True
    size: tuple[float, float] = CHART_SIZE
    base: str = ""
    png: bytes | None = field(default=None, repr=False)

    def render(self) -> bytes:
        """The chart as a slide-sized PNG (drawn once)."""
        if self.png is None:
            self.png = render_png(self.draw, title=self.title, size=self.size, footnote=self.base)
        return self.png


@dataclass
class ReportResult:
    """Everything a report shows: summary first, details after."""

    title: str
    key_figures: dict[str, str] = field(default_factory=dict)
    actions: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: section -> plain-words reason it could not be computed ("only 3 customers bought twice.")
    not_estimable: dict[str, str] = field(default_factory=dict)
    lang: str = "en"
    currency: str = "¥"
    #: table name -> its title in the report's language (default: the name)
    table_titles: dict[str, str] = field(default_factory=dict)
    #: table name -> {column: kind} overriding the kind guessed from the column name
    formats: dict[str, dict[str, str]] = field(default_factory=dict)
    #: key figures as numbers for comparing groups: key -> {"en": label, "zh": label, "value": x, "kind": k}
    figures: dict[str, dict] = field(default_factory=dict)
    #: table name -> {column: header} overriding the readable header of the column name
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def figure(self, key: str, en: str, zh: str, value, kind: str = "number") -> None:
        """Record a key figure as a number (``kind``: number, pct, money) for the batch index."""
        v = None if value is None or not np.isfinite(float(value)) else float(value)
        self.figures[key] = {"en": en, "zh": zh, "value": v, "kind": kind}

    def header(self, table: str, col) -> str:
        """The readable header of ``col`` in ``table``."""
        return self.headers.get(table, {}).get(str(col)) or column_label(col, self.lang)

    @property
    def text(self) -> Text:
        return Text(self.lang, currency=self.currency)


#: Schema metadata key of :func:`save_data`'s Arrow file: the categorical columns (name, ordered).
CODED_META = b"crm_coded_columns"
_ARROW_MAGIC = b"ARROW1"


def save_data(data, path) -> list[Path]:
    """Write the validated data for the report notebook (read back by :func:`load_data`); returns the files.

    A frame with categorical columns (ids read as sorted dictionary codes) is
    written as one uncompressed Arrow IPC file, whatever ``path``'s suffix: each
    categorical as its integer codes with its categories once beside them (an
    Arrow dictionary column), the other columns as they are. The file is
    temporary (the runner removes it after the run), so it is not compressed:
    both ways cost little more than the disk (10M rows: about 0.5 s each way,
    against 1.1 s and 3.8 s for Parquet with the categories in a second file). Other frames are written as Parquet; the engine's
    per-customer table writes itself.

    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "d.parquet"
    >>> df = pd.DataFrame({"customer_id": pd.Categorical(["b", "a", "b"]), "amount": [1.0, 2.0, 3.0]})
    >>> [f.name for f in save_data(df, p)]
    ['d.parquet']
    >>> back = load_data(p)
    >>> back["customer_id"].tolist(), back["amount"].tolist()
    (['b', 'a', 'b'], [1.0, 2.0, 3.0])
    """
    import json

    import pyarrow as pa

    path = Path(path)
    coded = ([c for c in data.columns if isinstance(data[c].dtype, pd.CategoricalDtype)]
             if isinstance(data, pd.DataFrame) else [])
    if not coded:
        data.to_parquet(path, index=False)
        return [path]
    plain = pa.Table.from_pandas(data.drop(columns=coded), preserve_index=False)
    columns = []
    for c in data.columns:
        if c in coded:
            codes = data[c].cat.codes.to_numpy()
            columns.append(pa.DictionaryArray.from_arrays(
                pa.array(codes, mask=codes < 0), pa.array(data[c].cat.categories.to_numpy(), from_pandas=True),
                ordered=bool(data[c].cat.ordered)))
        else:
            columns.append(plain.column(c))
    meta = {**(plain.schema.metadata or {}), CODED_META: json.dumps(
        [[c, bool(data[c].cat.ordered)] for c in coded]).encode()}
    table = pa.table(columns, names=list(data.columns), metadata=meta)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return [path]


def _is_arrow_file(path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(len(_ARROW_MAGIC)) == _ARROW_MAGIC


def load_data(path) -> pd.DataFrame:
    """The validated data the runner handed to the notebook (the engine's per-customer table on the engine path).

    Reads :func:`save_data`'s Arrow file (a categorical column rebuilt from its
    codes and categories: sorted categories are known to be distinct without
    hashing them) or a Parquet file.
    """
    if not _is_arrow_file(path):
        import pyarrow.parquet as pq

        from crm_lessons.reports._engine import ENGINE_META, EngineData

        if ENGINE_META in (pq.read_schema(path).metadata or {}):
            return EngineData.from_parquet(path)
        return pd.read_parquet(path)
    import json

    import pyarrow as pa

    with pa.OSFile(str(path), "rb") as source:      # read, not mapped: the runner removes the file afterwards
        table = pa.ipc.open_file(source).read_all()
    coded = dict(json.loads((table.schema.metadata or {}).get(CODED_META, b"[]")))
    plain = table.drop_columns(list(coded)).to_pandas()
    data = {}
    for c in table.column_names:
        if c not in coded:
            data[c] = plain[c]
            continue
        col = table.column(c).combine_chunks()
        cats = pd.Index(col.dictionary.to_pandas(deduplicate_objects=False))
        cats.is_monotonic_increasing      # strictly increasing categories are distinct: no hash table built
        codes = col.indices.fill_null(-1).to_numpy(zero_copy_only=False)
        data[c] = pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(cats, ordered=coded[c]), validate=False)
    return pd.DataFrame(data, index=plain.index)


_HEAD = {"summary": ("Summary", "摘要"), "figure": ("Key figure", "关键指标"), "value": ("Value", "数值"),
         "todo": ("What to do", "建议行动"), "missing": ("Not estimable", "无法估计的部分"),
         "because": ("not estimable, because", "无法估计，因为"),
         "first": ("first {k} of {n} rows; full table in", "前 {k} 行，共 {n} 行；完整表格见"),
         "sheet": ("sheet", "工作表"), "charts": ("Charts that matter", "重点图表"),
         "details": ("Details", "详细内容"), "about": ("About this report", "关于本报告"),
         "read": ("Reading the file", "读取文件"), "group": ("Group", "分组")}


def _h(result: ReportResult, key: str) -> str:
    en, zh = _HEAD[key]
    return result.text(en, zh)


def summary_markdown(result: ReportResult) -> str:
    """The summary block: key figures, what to do, and the sections that could not be estimated."""
    lines = [f"## {_h(result, 'summary')}", "", f"| {_h(result, 'figure')} | {_h(result, 'value')} |", "|---|---|"]
    lines += [f"| {_md(k)} | {_md(v)} |" for k, v in result.key_figures.items()]
    if result.actions:
        lines += ["", f"### {_h(result, 'todo')}", ""] + [f"- {_md(a)}" for a in result.actions]
    if result.not_estimable:
        lines += ["", f"### {_h(result, 'missing')}", ""]
        sep = "：" if result.lang == "zh" else ": "
    gap = "" if result.lang == "zh" else " "
    lines += [f"- **{_md(k)}**{sep}{_h(result, 'because')}{gap}{_md(v)}" for k, v in result.not_estimable.items()]
    return "\n".join(lines)


def _md(text) -> str:
    """Text from the data made inert in Markdown: HTML escaped, table pipes escaped."""
    return html.escape(str(text), quote=False).replace("|", "\\|")


def add_context(result: ReportResult, *, label: str = "", input_notes="[]") -> ReportResult:
    """Name the group (store...) in the title and add what was converted when the file was read to the notes.

    ``input_notes`` is a JSON list of ``[english, chinese]`` pairs (or a list of them).
    """
    import json

    notes = json.loads(input_notes) if isinstance(input_notes, str) else list(input_notes)
    if label:
        result.title = f"{result.title}: {label}" if result.lang == "en" else f"{result.title}：{label}"
        result.key_figures = {result.text("Group", "分组"): label, **result.key_figures}
    read = [(n[1] if result.lang == "zh" else n[0]) for n in notes]
    result.notes = result.notes + [f"{_h(result, 'read')}: {r}" if result.lang == "en" else f"{_h(result, 'read')}：{r}"
                                   for r in read]
    return result


def show_title(result: ReportResult) -> None:
    """The report's title as the page heading."""
    from IPython.display import Markdown, display

    display(Markdown(f"# {_md(result.title)}"))


def show_heading(result: ReportResult, key: str) -> None:
    """A section heading (``charts``, ``details``, ``about``) in the report's language."""
    from IPython.display import Markdown, display

    display(Markdown(f"## {_h(result, key)}"))


def show_summary(result: ReportResult) -> None:
    """Display the summary (key figures, actions, what could not be estimated) as Markdown."""
    from IPython.display import Markdown, display

    display(Markdown(summary_markdown(result)))


def show_charts(result: ReportResult, *, key: bool = True) -> None:
    """Draw the key charts (``key=True``) or the others, one slide-sized PNG each.

    Chinese labels use the shipped Noto Sans SC font (:mod:`crm_lessons.reports._charts`).
    """
    from IPython.display import Image, display

    for chart in result.charts:
        if chart.key == key:
            width = round(_SHOWN_WIDTH * chart.size[0] / CHART_SIZE[0])  # one scale for every chart's lettering
            display(Image(data=chart.render(), format="png", width=width))


#: Width in pixels at which the (larger) chart PNGs are shown in report.html.
_SHOWN_WIDTH = 760

_PCT = {"customer_share", "value_share", "p_alive", "churn_probability", "retention", "mean_p_alive", "occupancy",
        "service_level", "p_wait", "share_of_customers", "share_of_value", "csat", "lmg_share", "share_of_revenue"}
_MONEY = {"monetary", "revenue", "value", "clv", "expected_spend", "value_at_risk", "revenue_last_365d",
          "mean_clv", "new_customer_clv", "mean_value"}
_INT = {"recency", "frequency", "customers", "purchases", "days_since_last", "agents", "staff", "respondents",
        "n", "rank", "r_score", "f_score", "m_score", "recency_min", "recency_max", "days_averaged", "rows"}
_DATE = {"first_purchase", "last_purchase", "date", "first_date", "last_date"}


def _kind(table: str, col, result: ReportResult, s: pd.Series) -> str:
    given = result.formats.get(table, {}).get(str(col))
    if given:
        return given
    name = str(col)
    for kind, names in (("pct", _PCT), ("money", _MONEY), ("int", _INT), ("date", _DATE)):
        if name in names:
            return kind
    if pd.api.types.is_datetime64_any_dtype(s):
        return "date"
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return "number"
    return "text"


def _cell(value, kind: str, tr: Text) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "—"
    if kind == "pct":
        return tr.pct(value)
    if kind == "money":
        return tr.money(value)
    if kind == "int":
        return f"{float(value):,.0f}"
    if kind == "number":
        return tr.number(value)
    if kind == "date":
        return tr.date(value)
    return str(value)


def format_table(result: ReportResult, name: str, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Table ``name`` for people: readable headers, every cell as text (%, ¥, thousands, dates, — for none).

    >>> res = ReportResult(title="t", lang="zh", tables={"s": pd.DataFrame(
    ...     {"customers": [2882.0], "customer_share": [0.18], "monetary": [1234.5], "p_alive": [np.nan],
    ...      "last_purchase": [pd.Timestamp("2024-01-05")]})})
    >>> format_table(res, "s").iloc[0].tolist()
    ['2,882', '18.0%', '¥1,234.50', '—', '2024-01-05']
    >>> list(format_table(res, "s").columns)
    ['客户数', '客户占比', '消费金额', '仍活跃概率', '最近购买']
    """
    table = result.tables[name] if table is None else table
    tr = result.text
    out = pd.DataFrame({result.header(name, c): [_cell(v, _kind(name, c, result, table[c]), tr)
                                                 for v in table[c].tolist()]
                        for c in table.columns})
    return out


def _title(result: ReportResult, name: str) -> str:
    return result.table_titles.get(name, name)


def show_tables(result: ReportResult, *, rows: int = 10) -> None:
    """Show the first ``rows`` rows of every table, readable, with the file that holds all of it."""
    from IPython.display import HTML, Markdown, display

    for name, table in result.tables.items():
        k = min(rows, len(table))
        where = f"`tables/{safe_filename(name)}.csv`"
        if len(table) > WORKBOOK_MAX_ROWS:
            where += f", `tables/{safe_filename(name)}.parquet`"
        first = _h(result, "first").format(k=k, n=f"{len(table):,}")
        display(Markdown(f"**{_md(_title(result, name))}** ({first} {where})"))
        shown = format_table(result, name, table.head(rows))
        display(HTML(shown.to_html(index=False, escape=True, border=0, classes="crm-table")))


def show_notes(result: ReportResult) -> None:
    """Display the notes on data and method."""
    from IPython.display import Markdown, display

    display(Markdown("\n".join(f"- {_md(n)}" for n in result.notes)))


def save_tables(result: ReportResult, tables_dir) -> list[Path]:
    """Write every table as ``tables_dir/<safe name>.csv`` (formulas escaped); too long for the workbook: also Parquet.

    A long table's CSV is written in parts side by side (:func:`write_csv_parts`) while its Parquet copy
    is written; the files are the same as when written one after the other.
    """
    tables_dir = Path(tables_dir)
    tables_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in result.tables.items():
        csv = tables_dir / f"{safe_filename(name)}.csv"
        if len(table) <= WORKBOOK_MAX_ROWS:
            paths.append(write_csv_safe(table, csv))
            continue
        with ThreadPoolExecutor(1) as pool:     # pyarrow writes Parquet without holding the GIL
            parquet = pool.submit(atomic_write, tables_dir / f"{safe_filename(name)}.parquet",
                                  lambda p, t=table: t.to_parquet(p, index=False))
            try:
                paths.append(write_csv_parts(table, csv))
            finally:
                paths.append(parquet.result())
    return paths


#: Fewest rows of each part of a CSV written in parts by :func:`write_csv_parts`.
CSV_PART_ROWS = 500_000


def write_csv_parts(table: pd.DataFrame, path, *, parts: int | None = None) -> Path:
    """:func:`crm_lessons.io.write_csv_safe` of a long table, its rows cut into parts written by threads at once.

    pyarrow's CSV writer and the conversions before it release the GIL, so on two
    cores two parts take little more than half the time of the whole. Each part is
    written as the whole would be (the same text for the same rows), the parts are
    joined without their header, and the file appears whole or not at all.
    ``parts`` defaults to one per core, at least :data:`CSV_PART_ROWS` rows each.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> t = pd.DataFrame({"id": ["=a", "b", "c", "d", "e"], "x": [1.5, 2.0, None, 4.25, 1e-5]})
    >>> _ = write_csv_parts(t, d / "parts.csv", parts=3)
    >>> _ = write_csv_safe(t, d / "whole.csv")
    >>> (d / "parts.csv").read_bytes() == (d / "whole.csv").read_bytes()
    True
    """
    import os
    import shutil
    import tempfile

    path = Path(path)
    k = parts or min(os.cpu_count() or 1, 4, len(table) // CSV_PART_ROWS)
    k = max(1, min(k, len(table)))
    if k == 1:
        return write_csv_safe(table, path)
    bounds = np.linspace(0, len(table), k + 1).round().astype(int)
    files = []
    try:
        for i in range(k + 1):                  # the header alone, then the parts
            fd, f = tempfile.mkstemp(prefix=f".{path.name}.part{i}.", suffix=".tmp", dir=path.parent)
            os.close(fd)
            files.append(Path(f))
        head = write_csv_safe(table.head(0), files[0]).read_bytes()
        with ThreadPoolExecutor(k) as pool:
            list(pool.map(lambda i: write_csv_safe(table.iloc[bounds[i]:bounds[i + 1]], files[i + 1]), range(k)))

        def join(tmp):
            with open(tmp, "wb") as out:
                for i, f in enumerate(files[1:]):
                    with open(f, "rb") as fh:
                        if fh.read(len(head)) != head:
                            raise ValueError(f"{f}: a part of {path.name} does not start with its header")
                        if i == 0:
                            out.write(head)
                        shutil.copyfileobj(fh, out, 1 << 24)
        return atomic_write(path, join)
    finally:
        for f in files:
            f.unlink(missing_ok=True)


_BAD_SHEET = str.maketrans({c: "_" for c in "[]:*?/\\"})


def _sheet_names(names: list[str]) -> list[str]:
    out, seen = [], set()
    for name in names:
        base = (name.translate(_BAD_SHEET).strip("'") or "_")[:28]
        sheet, i = base, 1
        while sheet.lower() in seen:
            i += 1
            sheet = f"{base}-{i}"
        seen.add(sheet.lower())
        out.append(sheet)
    return out


def _excel_column(values: pd.Series, kind: str) -> list:
    """A column's cells for the workbook: None for missing, dates as datetimes, formula-like text made inert."""
    if kind == "date":
        out = pd.to_datetime(values, errors="coerce")
        return [None if pd.isna(v) else v.to_pydatetime() for v in out]
    out = []
    for v in values.tolist():
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            out.append(None)
        elif isinstance(v, str):
            out.append("'" + v if v.startswith(("=", "+", "-", "@")) else v)
        elif isinstance(v, (bool, np.bool_)):
            out.append(str(v))
        elif isinstance(v, (int, float, np.integer, np.floating)):
            out.append(float(v))
        else:
            out.append(str(v))
    return out


def save_workbook(result: ReportResult, path) -> Path:
    """Write every table to one ``.xlsx`` workbook, one sheet each, with readable headers and number formats.

    Formats are set per column (xlsxwriter), so even a per-customer table of a million rows is written in
    seconds. A table longer than an Excel sheet gets a sheet saying so and naming its Parquet and CSV files.
    """
    import xlsxwriter

    tr = result.text
    codes = {"pct": "0.0%", "money": f'"{result.currency}"#,##0.00', "int": "#,##0", "number": "#,##0.###",
             "date": "yyyy-mm-dd"}
    names = list(result.tables)

    def write(tmp):
        wb = xlsxwriter.Workbook(tmp, {"constant_memory": True, "strings_to_formulas": False,
                                       "strings_to_urls": False, "strings_to_numbers": False})
        fmts = {k: wb.add_format({"num_format": v}) for k, v in codes.items()}
        bold = wb.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        for name, sheet in zip(names, _sheet_names([_title(result, n) for n in names])):
            table = result.tables[name]
            ws = wb.add_worksheet(sheet)
            if len(table) > EXCEL_MAX_ROWS:
                ws.write_string(0, 0, tr(f"Too long for Excel: {len(table):,} rows (a sheet holds {EXCEL_MAX_ROWS:,}).",
                                         f"表格过长，Excel 放不下：共 {len(table):,} 行（一个工作表最多 "
                                         f"{EXCEL_MAX_ROWS:,} 行）。"))
            if len(table) > WORKBOOK_MAX_ROWS:
                if len(table) <= EXCEL_MAX_ROWS:
                    ws.write_string(0, 0, tr(f"Too long for this workbook: {len(table):,} rows (sheets here hold up "
                                             f"to {WORKBOOK_MAX_ROWS:,}).",
                                             f"表格过长，未放入本工作簿：共 {len(table):,} 行（本工作簿每表最多 "
                                             f"{WORKBOOK_MAX_ROWS:,} 行）。"))
                ws.write_string(1, 0, tr("The whole table is in", "完整表格见")
                                + f" tables/{safe_filename(name)}.parquet, tables/{safe_filename(name)}.csv")
                continue
            kinds = [_kind(name, c, result, table[c]) for c in table.columns]
            for j, (c, kind) in enumerate(zip(table.columns, kinds)):
                header = result.header(name, c)
                ws.set_column(j, j, max(10, min(40, 2 * len(header) + 2)), fmts.get(kind))
            ws.write_row(0, 0, [result.header(name, c) for c in table.columns], bold)
            ws.freeze_panes(1, 0)
            columns = [_excel_column(table[c], k) for c, k in zip(table.columns, kinds)]
            for i, row in enumerate(zip(*columns), start=1):
                for j, v in enumerate(row):
                    if v is None:
                        continue
                    if isinstance(v, str):
                        ws.write_string(i, j, v)
                    elif isinstance(v, float):
                        ws.write_number(i, j, v)
                    else:
                        ws.write_datetime(i, j, v)
        if not names:
            wb.add_worksheet("_")
        wb.close()

    return atomic_write(Path(path), write)


def save_outputs(result: ReportResult, tables_dir="tables", charts_dir="charts") -> None:
    """Save the tables (CSV, Parquet when too long for Excel), the ``tables.xlsx`` workbook and the chart PNGs.

    A long table is written by threads (:func:`save_tables`); the charts are drawn after it, not beside
    it: matplotlib holds the GIL, and drawing beside the table writers slowed both (10M rows, 2 cores).
    """
    tables_dir = Path(tables_dir)
    import json

    save_tables(result, tables_dir)
    save_workbook(result, tables_dir.parent / "tables.xlsx")
    atomic_write(tables_dir.parent / "figures.json", lambda p: Path(p).write_text(
        json.dumps(result.figures, ensure_ascii=False, indent=1), encoding="utf-8"))
    charts_dir = Path(charts_dir)
    charts_dir.mkdir(parents=True, exist_ok=True)
    for i, chart in enumerate(result.charts, 1):
        png = chart.render()
        atomic_write(charts_dir / f"{i:02d}_{safe_filename(chart.title)}.png", lambda p, b=png: Path(p).write_bytes(b))
