"""Validate an analyst's table for a report and bring it to canonical column names."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import (
    FIRST_LINE_ATTR,
    SOURCE_ATTR,
    CRMInputError,
    check_dataframe,
    check_dates,
    check_no_missing,
    check_numeric,
    check_rows,
    require_columns,
    where,
)
from crm_lessons.io import read_table
from crm_lessons.values import NOTES_ATTR, parse_ids
from crm_lessons.reports._registry import Report

__all__ = ["EARLIEST_DATE", "parse_as_of", "prepare", "read_and_prepare"]

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


def _check_duplicates(df: pd.DataFrame, cols: list[str]) -> None:
    dup = df.duplicated(subset=cols, keep="first")
    if dup.any():
        row = dup.index[dup.to_numpy()][0]
        n = int(dup.sum())
        first = df.index[(df[cols] == df.loc[row, cols]).all(axis=1).to_numpy()][0]
        orig = where(df, arg="--input", row=first).split(", ")[-1]
        raise CRMInputError(
            f"{where(df, arg='--input', row=row)}: rows must not repeat; found a copy of {orig} "
            f"({n} repeated row{'s' if n > 1 else ''}). Remove the repeated rows (an export run twice?), "
            "or pass --allow-duplicates if they are separate purchases."
        )


_TOTAL_LABELS = {"合计", "总计", "小计", "总和", "合 计", "total", "totals", "sum", "grand total", "subtotal"}


def _check_totals_label(df: pd.DataFrame, name: str, opt: str, ids: pd.Series) -> None:
    """A row whose id reads 合计 / Total is a totals row, not a customer."""
    bad = ids.astype(str).str.strip().str.lower().isin(_TOTAL_LABELS)
    if bad.any():
        row = bad.index[bad.to_numpy()][0]
        raise CRMInputError(
            f"{where(df, arg='--input', column=name, col_arg=opt, row=row)}: rows must be single records, not totals; found "
            f"{df.loc[row, name]!r}, a totals row. Delete the totals row(s) (合计/小计) and run again."
        )


def _check_totals_row(df: pd.DataFrame, name: str, opt: str, amount: pd.Series) -> None:
    """A row whose amount equals the sum of all the others is a totals row that would double the revenue."""
    if len(amount) < 3:
        return
    total = float(amount.sum())
    top = amount.idxmax()
    rest = total - float(amount.loc[top])
    if rest > 0 and abs(float(amount.loc[top]) - rest) <= max(0.005 * rest, 0.01):
        raise CRMInputError(
            f"{where(df, arg='--input', column=name, col_arg=opt, row=top)}: rows must be single records, not totals; found "
            f"{float(amount.loc[top]):,.2f}, the sum of all the other rows. Delete the totals row (合计) and run "
            "again, or it doubles the revenue."
        )


def _check_scale_reached(df: pd.DataFrame, name: str, opt: str, s: pd.Series, param: str, top) -> None:
    """Answers that stay two or more points below the stated top of the scale: the scale is probably wrong."""
    if top is not None and s.max() <= top - 2:
        raise CRMInputError(
            f"{where(df, arg='--input', column=name, col_arg=opt)}: answers must reach near the top of the scale (1-{top:g}); "
            f"found answers from {s.min():g} to {s.max():g}. If the survey used a 1-{s.max():g} scale, pass "
            f"--param {param}={s.max():g}."
        )


def prepare(df: pd.DataFrame, report: Report, *, columns: dict | None = None, as_of=None,
            keep: list[str] | None = None, today=None, params: dict | None = None,
            allow_duplicates: bool = False, date_format: str | None = None,
            drop_zero_amounts: bool = False) -> tuple[pd.DataFrame, pd.Timestamp | None]:
    """Check ``df`` for ``report`` and return it with canonical column names, and the as-of date.

    ``columns`` maps a role (``customer``, ``date``, ``amount``...) to the
    analyst's column name; ``keep`` lists extra columns to carry along (the
    ``--by`` column). Dates must not be after ``as_of`` (default: today) nor
    before :data:`EARLIEST_DATE`; the as-of date defaults to the last date.
    Fully repeated rows are an error unless ``allow_duplicates``. ``date_format``
    (e.g. ``%d/%m/%Y``) settles the day/month order of dates; ``drop_zero_amounts``
    leaves out rows with amount 0 (free items, vouchers) instead of refusing them.
    """
    check_dataframe(df, arg="--input")
    names = _names(report, columns)
    as_of = parse_as_of(as_of)
    limit = pd.Timestamp(today or pd.Timestamp.now()).normalize()
    present = {r: n for r, n in names.items() if report.column(r).required or n in df.columns}
    require_columns(df, {report.column(r).option: n for r, n in present.items()}, arg="--input")
    for k in keep or []:
        require_columns(df, {"--by": k}, arg="--input")
    params = report.parse_params(params)
    scale_top = params.get(report.scale_param) if report.scale_param else None
    scale_low = params.get("scale_min") if report.scale_param else None
    out = {}
    zero_rows = None
    for role, name in present.items():
        col = report.column(role)
        opt = col.option
        hi = scale_top if col.max_value == "param" else col.max_value
        if col.kind == "id" or col.kind == "category":
            check_no_missing(df, name, arg="--input", col_arg=opt)
            ids, notes = parse_ids(df[name])
            if col.kind == "id":
                _check_totals_label(df, name, opt, ids)
            ids.attrs[NOTES_ATTR] = [[f"Column '{name}': {en}", f"列“{name}”：{zh}"] for en, zh in notes]
            out[col.default] = ids
        elif col.kind == "date":
            s = check_dates(df, name, arg="--input", col_arg=opt, not_after=limit + pd.Timedelta(days=1) - pd.Timedelta(seconds=1),
                            format=date_format)
            early = s < EARLIEST_DATE
            if early.any():
                row = early.index[early.to_numpy()][0]
                n = int(early.sum())
                raise CRMInputError(
                    f"{where(df, arg='--input', column=name, col_arg=opt, row=row)}: dates must not be before "
                    f"{EARLIEST_DATE.date()}; found {s.loc[row].date()} ({n} such row{'s' if n > 1 else ''}). "
                    "Placeholder dates (1900-01-01, 1970-01-01) mean the date is unknown: fill it in or remove the rows."
                )
            out[col.default] = s
        else:
            strict = col.kind == "amount"
            lo = 0 if col.kind == "amount" else col.min_value
            if col.max_value == "param":
                s = check_numeric(df, name, arg="--input", col_arg=opt)
                lo = 1 if scale_low is None else scale_low
                check_rows(df, (s < lo) | (s > hi), s, arg="--input", column=name, col_arg=opt,
                           rule=f"values must be within the scale {lo:g}-{hi:g}",
                           fix=f"If the survey used another scale, say so, e.g. --param {report.scale_param}=10 "
                               "--param scale_min=0 for 0-10; otherwise correct or remove these rows.")
            else:
                s = check_numeric(df, name, arg="--input", col_arg=opt, min_value=lo, strict=False, max_value=hi)
            if col.kind == "amount":
                if not drop_zero_amounts:
                    check_rows(df, s == 0, s, arg="--input", column=name, col_arg=opt, rule="values must be > 0",
                               fix="Correct or remove these rows, or pass --drop-zero-amounts to leave out "
                                   "zero amounts (free items, vouchers).")
                elif (s == 0).any():
                    zero = s == 0
                    zero_rows = zero if zero_rows is None else zero_rows | zero
                _check_totals_row(df, name, opt, s)
            if col.max_value == "param":
                _check_scale_reached(df, name, opt, s, report.scale_param, hi)
            if col.kind == "count":
                for bad, what, fix in ((s < 0, "whole numbers >= 0", "Counts cannot be negative: check the column."),
                                       (s != np.round(s), "whole numbers", "Counts cannot have decimals: check the column.")):
                    if bad.any():
                        row = bad.index[bad.to_numpy()][0]
                        k = int(bad.sum())
                        raise CRMInputError(
                            f"{where(df, arg='--input', column=name, col_arg=opt, row=row)}: values must be {what}; "
                            f"found {float(s.loc[row])!r} ({k} such row{'s' if k > 1 else ''}). {fix}"
                        )
                s = s.astype("int64")
            out[col.default] = s
    suffixes = tuple(params[p] for p in report.score_suffix_params if params.get(p))
    extra = [c for c in df.columns if suffixes and str(c).endswith(suffixes) and c not in present.values()]
    for c in extra:
        out[c] = check_numeric(df, c, arg="--input", min_value=1 if scale_low is None else scale_low, max_value=scale_top)
    for k in keep or []:
        check_no_missing(df, k, arg="--input", col_arg="--by")
        out.setdefault(k, df[k].astype(str).str.strip())
    if not allow_duplicates:
        _check_duplicates(df, list(dict.fromkeys(list(present.values()) + list(keep or []))))
    frame = pd.DataFrame(out).reset_index(drop=True)
    if zero_rows is not None:
        k = int(zero_rows.sum())
        frame = frame[~zero_rows.to_numpy()].reset_index(drop=True)
        if frame.empty:
            raise CRMInputError(f"{where(df, arg='--input')}: needs rows with an amount above 0; found only zero amounts ({k} rows). "
                                "Check the amount column (--amount-col).")
        df.attrs.setdefault(NOTES_ATTR, [])
        zero_note = [[f"{k:,} row{'s' if k > 1 else ''} with amount 0 {'were' if k > 1 else 'was'} left out "
                      "(--drop-zero-amounts).",
                      f"金额为 0 的 {k:,} 行未计入（--drop-zero-amounts）。"]]
    else:
        zero_note = []
    notes = list(df.attrs.get(NOTES_ATTR, [])) + zero_note
    for role, name in present.items():
        for en, zh in out[report.column(role).default].attrs.get(NOTES_ATTR, []):
            notes.append([en, zh] if en.startswith("Column") else [f"Column '{name}': {en}", f"列“{name}”：{zh}"])
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
            frame = frame[~later].reset_index(drop=True)
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
                   allow_duplicates=allow_duplicates, date_format=date_format, drop_zero_amounts=drop_zero_amounts)
