"""Validate an analyst's table for a report and bring it to canonical column names.

Each report's input is a :class:`crm_lessons.tables.Table` (:func:`report_table`): the base kind the
report names (transactions, survey, calls) refined by the report's columns, with the report rules as
:class:`~crm_lessons.tables.Check` s. :func:`prepare` reads the analyst's frame through it with the
command-line options (``--amount-col``...) as the names in every message.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dataclasses import replace

from crm_lessons._validation import FIRST_LINE_ATTR, SOURCE_ATTR, CRMInputError, check_dataframe, where
from crm_lessons.io import read_table
from crm_lessons.tables import TABLES, Check, Column, Problem, ReadContext, Table, first_problem
from crm_lessons.values import NOTES_ATTR, TOTAL_LABELS
from crm_lessons.reports._registry import Report

__all__ = ["EARLIEST_DATE", "parse_as_of", "prepare", "read_and_prepare", "report_table"]

#: Dates before this are treated as placeholders (1900-01-01, 1970-01-01, Excel's day 0).
EARLIEST_DATE = pd.Timestamp("1990-01-01")


def parse_as_of(as_of) -> pd.Timestamp | None:
    """The as-of date as a Timestamp (day), or None; a clear error if it is not a date."""
    if as_of is None or as_of == "":
        return None
    try:
        ts = pd.Timestamp(as_of)
    except (TypeError, ValueError):
        ts = pd.NaT
    if ts is pd.NaT or pd.isna(ts):
        raise CRMInputError(
            f"argument `--as-of`: must be a date; found {as_of!r}. Write it as YYYY-MM-DD, e.g. --as-of 2024-12-31."
        )
    return ts.tz_localize(None).normalize() if ts.tzinfo else ts.normalize()


def _names(report: Report, columns: dict | None) -> dict[str, str]:
    names = {c.role: c.default for c in report.columns}
    for role, name in (columns or {}).items():
        if name is None:
            continue
        if role not in names:
            raise CRMInputError(
                f"argument `--col {role}`: report '{report.name}' has no column role {role!r}; found {role!r}. "
                f"Use one of {sorted(names)}."
            )
        names[role] = str(name)
    return names


_KINDS = {"id": "id", "category": "category", "date": "date", "amount": "number", "count": "number",
          "score": "number"}


# --------------------------------------------------------------------------- the report rules
def _totals_label(ids: pd.Series, ctx: ReadContext) -> Problem | None:
    """A row whose id reads 合计 / Total is a totals row, not a customer."""
    if isinstance(ids.dtype, pd.CategoricalDtype):  # each distinct id once, by pyarrow
        import pyarrow as pa
        import pyarrow.compute as pc

        cats = ids.cat.categories                 # text already (one cheap look): no copy made by astype(str)
        cats = cats if cats.inferred_type == "string" else cats.astype(str)
        text = pa.array(cats.to_numpy(dtype=object), type=pa.string())
        cats = pc.is_in(pc.utf8_lower(pc.utf8_trim_whitespace(text)), value_set=pa.array(sorted(TOTAL_LABELS)))
        cats = cats.fill_null(False).to_numpy(zero_copy_only=False)
        bad = pd.Series(cats[ids.cat.codes.to_numpy()] & (ids.cat.codes.to_numpy() >= 0), index=ids.index) \
            if cats.any() else pd.Series(False, index=ids.index)
    else:
        bad = ids.astype(str).str.strip().str.lower().isin(TOTAL_LABELS)
    p = first_problem(bad, ids, "rows must be single records, not totals",
                      "Delete the totals row(s) (合计/小计) and run again.")
    return p and p._replace(found=f"{ctx.df.loc[p.row, ctx.names['customer']]!r}, a totals row")


def _placeholder_date(s: pd.Series, ctx: ReadContext) -> Problem | None:
    """Dates before :data:`EARLIEST_DATE` are placeholders (1900-01-01, 1970-01-01, Excel's day 0)."""
    return first_problem(s < EARLIEST_DATE, s, f"dates must not be before {EARLIEST_DATE.date()}",
                         "Placeholder dates (1900-01-01, 1970-01-01) mean the date is unknown: fill it in or remove "
                         "the rows.", show=lambda v: str(v.date()))


def _zero_amount(s: pd.Series, ctx: ReadContext) -> Problem | None:
    """Amount 0 (free items, vouchers) is refused unless --drop-zero-amounts leaves those rows out."""
    if ctx.settings.get("drop_zero_amounts"):
        return None
    return first_problem(s == 0, s, "values must be > 0", "Correct or remove these rows, or pass --drop-zero-amounts "
                         "to leave out zero amounts (free items, vouchers).")


def _totals_row(amount: pd.Series, ctx: ReadContext) -> Problem | None:
    """A row whose amount equals the sum of all the others is a totals row that would double the revenue."""
    if len(amount) < 3:
        return None
    v = amount.to_numpy()
    top = int(np.argmax(v))
    rest = float(v.sum()) - float(v[top])
    if rest > 0 and abs(float(v[top]) - rest) <= max(0.005 * rest, 0.01):
        return Problem(amount.index[top], "rows must be single records, not totals",
                       f"{float(v[top]):,.2f}, the sum of all the other rows",
                       "Delete the totals row (合计) and run again, or it doubles the revenue.")
    return None


def _count_checks():
    def negative(s, ctx):
        return first_problem(s < 0, s, "values must be whole numbers >= 0", "Counts cannot be negative: check the "
                             "column.", show=lambda v: repr(float(v)))

    def decimals(s, ctx):
        return first_problem(s != np.round(s), s, "values must be whole numbers", "Counts cannot have decimals: "
                             "check the column.", show=lambda v: repr(float(v)))
    return negative, decimals


def _scale_checks(report: Report, lo, hi):
    def within(s, ctx):
        return first_problem((s < lo) | (s > hi), s, f"values must be within the scale {lo:g}-{hi:g}",
                             f"If the survey used another scale, say so, e.g. --param {report.scale_param}=10 "
                             "--param scale_min=0 for 0-10; otherwise correct or remove these rows.")

    def reached(s, ctx):
        """Answers that stay two or more points below the stated top of the scale: the scale is probably wrong."""
        if s.max() <= hi - 2:
            return Problem(None, f"answers must reach near the top of the scale (1-{hi:g})",
                           f"answers from {s.min():g} to {s.max():g}",
                           f"If the survey used a 1-{s.max():g} scale, pass --param {report.scale_param}={s.max():g}.")
        return None
    return within, reached


def _repeated_rows(columns: list[str]):
    def find(frame, ctx):
        """Fully repeated rows (an export run twice) unless --allow-duplicates."""
        if ctx.settings.get("allow_duplicates"):
            return None
        df = ctx.df
        maybe = _maybe_repeated(frame, df, columns)
        if maybe is not None and not maybe.any():
            return None
        rows = df if maybe is None else df.iloc[np.flatnonzero(maybe)]
        dup = rows.duplicated(subset=columns, keep="first")
        if not dup.any():
            return None
        row = dup.index[dup.to_numpy()][0]
        n = int(dup.sum())
        first = df.index[(df[columns] == df.loc[row, columns]).all(axis=1).to_numpy()][0]
        orig = where(df, arg="--input", row=first).split(", ")[-1]
        return Problem(row, "rows must not repeat", f"a copy of {orig} ({n} repeated row{'s' if n > 1 else ''})",
                       "Remove the repeated rows (an export run twice?), or pass --allow-duplicates if they are "
                       "separate purchases.")
    return find


_ODD = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93], dtype=np.uint64)


def _maybe_repeated(frame: pd.DataFrame, df: pd.DataFrame, columns: list[str]) -> np.ndarray | None:
    """Rows that may repeat an earlier row of ``df`` in ``columns``, found on the parsed values; None if unknown.

    Cells equal in the user's frame are parsed to equal values, so rows whose parsed values (id codes,
    dates, amounts as their bits) hash to a value no other row has cannot be repeats: one sort of
    64-bit hashes, not pandas' ``duplicated`` on three columns of ten million cells. The rows marked
    are a superset of the repeats (equal parsed values from different text, a hash collision); the
    exact check runs on those alone. None when a column is not one of these kinds (then all rows).
    """
    canonical = {user: c for c, (user, _) in frame.attrs.get("crm_columns", {}).items()}
    if len(frame) != len(df) or len(df) < 2 or not all(c in canonical for c in columns):
        return None
    mixed, term = np.zeros(len(frame), dtype=np.uint64), np.empty(len(frame), dtype=np.uint64)
    for i, c in enumerate(columns):
        values = frame[canonical[c]]
        if isinstance(values.dtype, pd.CategoricalDtype):
            key = values.cat.codes.to_numpy().astype(np.int64).view(np.uint64)
        elif values.dtype.kind in "Mf" and values.dtype.itemsize == 8:  # datetime64, float64: their bits
            key = values.to_numpy().view(np.uint64)
        else:
            return None
        np.multiply(key, _ODD[i % len(_ODD)], out=term)  # the sum of the columns times large odd numbers,
        mixed += term                                     # modulo 2**64
    ordered = np.sort(mixed)
    same = ordered[1:] == ordered[:-1]
    if not same.any():
        return np.zeros(len(frame), dtype=bool)
    return np.isin(mixed, ordered[1:][same])


def report_table(report: Report, *, params: dict, names: dict[str, str], extras=(), by: str | None = None) -> Table:
    """The input table of ``report``: its base kind (:data:`crm_lessons.tables.TABLES`) refined by its columns.

    Each report column becomes a :class:`~crm_lessons.tables.Column` (ids and categories read as clean
    text, amounts >= 0 and <= their cap, scores within their bounds); the report rules (totals rows,
    placeholder dates, zero amounts, the scale, whole counts, repeated rows) are its
    :class:`~crm_lessons.tables.Check` s. ``extras`` are score columns found by suffix, ``by`` the
    ``--by`` column. No key: a report refuses fully repeated rows instead.

    >>> from crm_lessons.reports._catalogue import get_report
    >>> t = report_table(get_report("customer-value"), params={}, names={})
    >>> [(c.role, c.kind, c.max) for c in t.columns][:3], len(t.checks)
    ([('customer', 'id', None), ('date', 'date', None), ('amount', 'number', 10000000.0)], 5)
    """
    base = TABLES[report.table]
    scale_top = params.get(report.scale_param) if report.scale_param else None
    scale_low = params.get("scale_min") if report.scale_param else None
    cols, checks = [], []
    for c in report.columns:
        param = c.max_value == "param"
        cols.append(Column(c.role, c.default, _KINDS[c.kind], min=0 if c.kind == "amount" else
                           (None if param else c.min_value), max=None if param else c.max_value,
                           clean=c.kind in ("id", "category"), doc=c.help))
        if c.kind == "id":
            checks.append(Check(c.role, _totals_label))
        elif c.kind == "date":
            checks.append(Check(c.role, _placeholder_date))
        elif c.kind == "amount":
            checks += [Check(c.role, _zero_amount), Check(c.role, _totals_row)]
        elif c.kind == "count":
            checks += [Check(c.role, f) for f in _count_checks()]
        if param:
            checks += [Check(c.role, f) for f in _scale_checks(report, 1 if scale_low is None else scale_low,
                                                                 scale_top)]
    for e in extras:
        cols.append(Column(e, e, "number", min=1 if scale_low is None else scale_low, max=scale_top))
    if by is not None:
        cols.append(Column("by", by, "id", doc="one report per value (--by)"))
    rows = [n for r, n in names.items() if r in {c.role for c in report.columns}] + ([by] if by else [])
    checks.append(Check(None, _repeated_rows(list(dict.fromkeys(rows)))))
    return replace(base.extend(*cols), kind=f"{report.name} input", key=(), rules=(), as_of_role=report.date_role,
                   checks=tuple(checks))


def prepare(df: pd.DataFrame, report: Report, *, columns: dict | None = None, as_of=None,
            keep: list[str] | None = None, today=None, params: dict | None = None,
            allow_duplicates: bool = False, date_format: str | None = None,
            drop_zero_amounts: bool = False, copy: bool = True) -> tuple[pd.DataFrame, pd.Timestamp | None]:
    """Check ``df`` for ``report`` and return it with canonical column names, and the as-of date.

    ``columns`` maps a role (``customer``, ``date``, ``amount``...) to the
    analyst's column name; ``keep`` lists extra columns to carry along (the
    ``--by`` column). The frame goes through the report's input table
    (:func:`report_table`, :meth:`crm_lessons.tables.Table.read`): dates must not
    be after today nor before :data:`EARLIEST_DATE`; the as-of date defaults to
    the last date. Fully repeated rows are an error unless ``allow_duplicates``.
    ``date_format`` (e.g. ``%d/%m/%Y``) settles the day/month order of dates;
    ``drop_zero_amounts`` leaves out rows with amount 0 (free items, vouchers)
    instead of refusing them. A report with ``id_codes`` gets its id columns as
    the reader made them: text, or for a large file a categorical of sorted ids.
    ``copy=False`` lets the result share memory with ``df`` (for a caller that
    read ``df`` itself and drops it).

    >>> from crm_lessons.reports._catalogue import get_report
    >>> df = pd.DataFrame({"客户": [" 7", "7.0", "8"], "日期": ["2024年1月5日", "2024-02-01", "2024-01-20"],
    ...                    "金额": ["￥1,234.50", "30", "8"]})
    >>> data, as_of = prepare(df, get_report("customer-value"), today="2026-01-01",
    ...                       columns={"customer": "客户", "date": "日期", "amount": "金额"})
    >>> data["customer_id"].tolist(), data["amount"].tolist(), str(as_of.date())
    (['7', '7', '8'], [1234.5, 30.0, 8.0], '2024-02-01')
    >>> prepare(df.assign(金额=[5, -1, 3]), get_report("customer-value"),
    ...         columns={"customer": "客户", "date": "日期", "amount": "金额"})
    Traceback (most recent call last):
    ...
    crm_lessons._validation.CRMInputError: argument `--input`, column '金额' (--amount-col), row 1: values must be >= 0; found -1.0 (1 such row). Correct or remove these rows, e.g. refunds belong in a separate table.
    """
    check_dataframe(df, arg="--input")
    names = _names(report, columns)
    as_of = parse_as_of(as_of)
    limit = pd.Timestamp(today or pd.Timestamp.now()).normalize()
    present = {r: n for r, n in names.items() if report.column(r).required or n in df.columns}
    params = report.parse_params(params)
    suffixes = tuple(params[p] for p in report.score_suffix_params if params.get(p))
    extras = [str(c) for c in df.columns if suffixes and str(c).endswith(suffixes) and c not in present.values()]
    roles = {report.column(r).default for r in present}
    by = next((k for k in keep or [] if k not in roles), None)
    table = report_table(report, params=params, names=present, extras=extras, by=by)
    cols = {f"{r}_col": n for r, n in present.items()} | {f"{e}_col": e for e in extras}
    options = {r: report.column(r).option for r in present} | {e: e for e in extras}
    if by is not None:
        cols["by_col"], options["by"] = by, "--by"
    frame = table.read(df, arg="--input", as_of=limit if report.date_role else None, options=options,
                       date_format=date_format, settings={"allow_duplicates": allow_duplicates,
                                                          "drop_zero_amounts": drop_zero_amounts}, copy=copy, **cols)
    for r in present:
        if report.column(r).kind == "count":
            frame[report.column(r).default] = frame[report.column(r).default].astype("int64")
    if by is not None:
        frame[by] = frame[by].astype(str).str.strip()
    coded = {report.column(r).default for r in present if report.id_codes and report.column(r).kind == "id"}
    for c in frame.columns:  # ids read as dictionary codes: the same text column as the exact reader's
        if isinstance(frame[c].dtype, pd.CategoricalDtype) and c not in coded:
            frame[c] = np.asarray(frame[c])
    frame.index = pd.RangeIndex(len(frame))  # the frame is the reader's own: no copy of its columns
    column_notes = frame.attrs.get("crm_column_notes", [])
    zero_note = []
    amount = next((report.column(r).default for r in present if report.column(r).kind == "amount"), None)
    if drop_zero_amounts and amount is not None and (frame[amount] == 0).any():
        zero = (frame[amount] == 0).to_numpy()
        k = int(zero.sum())
        frame = frame[~zero].reset_index(drop=True)
        if frame.empty:
            raise CRMInputError(f"{where(df, arg='--input')}: needs rows with an amount above 0; found only zero amounts ({k} rows). "
                                "Check the amount column (--amount-col).")
        zero_note = [[f"{k:,} row{'s' if k > 1 else ''} with amount 0 {'were' if k > 1 else 'was'} left out "
                      "(--drop-zero-amounts).",
                      f"金额为 0 的 {k:,} 行未计入（--drop-zero-amounts）。"]]
    notes = list(df.attrs.get(NOTES_ATTR, [])) + zero_note + list(column_notes)
    if as_of is not None and report.date_role is not None:
        later = frame[report.column(report.date_role).default] >= as_of + pd.Timedelta(days=1)
        if later.all():
            raise CRMInputError(
                f"argument `--as-of`: must not be before the first date in the file; found {as_of.date()} before "
                f"{frame[report.column(report.date_role).default].min().date()}. Pass a later --as-of date."
            )
        if later.any():
            k = int(later.sum())
            notes.append([f"{k:,} row{'s' if k > 1 else ''} dated after the as-of date {as_of.date()} "
                          f"{'were' if k > 1 else 'was'} left out.",
                          f"截止日 {as_of.date()} 之后的 {k:,} 行未计入。"])
            frame = frame[~later.to_numpy()].reset_index(drop=True)
    frame.attrs = {k: v for k, v in df.attrs.items() if k in (SOURCE_ATTR, FIRST_LINE_ATTR)}
    frame.attrs[NOTES_ATTR] = notes
    if as_of is None and report.date_role is not None:
        as_of = frame[report.column(report.date_role).default].max().normalize()
    return frame, as_of


def read_and_prepare(path, report: Report, *, columns=None, as_of=None, keep=None, sheet=None,
                     header_row=None, today=None, params=None, allow_duplicates=False, date_format=None,
                     drop_zero_amounts=False):
    """:func:`crm_lessons.io.read_table` then :func:`prepare`; ids are read as text."""
    names = _names(report, columns)
    ids = {n: str for r, n in names.items() if report.column(r).kind in ("id", "category")}
    ids.update({k: str for k in keep or []})
    df = read_table(path, sheet=sheet, header_row=header_row, dtype=ids)
    return prepare(df, report, columns=columns, as_of=as_of, keep=keep, today=today, params=params,
                   allow_duplicates=allow_duplicates, date_format=date_format, drop_zero_amounts=drop_zero_amounts,
                   copy=False)                # the file's frame is ours and dropped: its columns are not copied
