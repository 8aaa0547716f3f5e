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
    require_columns,
    where,
)
from crm_lessons.io import read_table
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


def prepare(df: pd.DataFrame, report: Report, *, columns: dict | None = None, as_of=None,
            keep: list[str] | None = None, today=None, params: dict | None = None,
            allow_duplicates: bool = False) -> tuple[pd.DataFrame, pd.Timestamp | None]:
    """Check ``df`` for ``report`` and return it with canonical column names, and the as-of date.

    ``columns`` maps a role (``customer``, ``date``, ``amount``...) to the
    analyst's column name; ``keep`` lists extra columns to carry along (the
    ``--by`` column). Dates must not be after ``as_of`` (default: today) nor
    before :data:`EARLIEST_DATE`; the as-of date defaults to the last date.
    Fully repeated rows are an error unless ``allow_duplicates``.
    """
    check_dataframe(df, arg="--input")
    names = _names(report, columns)
    as_of = parse_as_of(as_of)
    limit = as_of if as_of is not None else pd.Timestamp(today or pd.Timestamp.now()).normalize()
    present = {r: n for r, n in names.items() if report.column(r).required or n in df.columns}
    require_columns(df, {report.column(r).option: n for r, n in present.items()}, arg="--input")
    for k in keep or []:
        require_columns(df, {"--by": k}, arg="--input")
    params = report.parse_params(params)
    scale_top = params.get(report.scale_param) if report.scale_param else None
    out = {}
    for role, name in present.items():
        col = report.column(role)
        opt = col.option
        hi = scale_top if col.max_value == "param" else col.max_value
        if col.kind == "id" or col.kind == "category":
            check_no_missing(df, name, arg="--input", col_arg=opt)
            s = df[name]
            out[col.default] = (s.astype(str).str.strip() if s.dtype == object else s.astype(str))
        elif col.kind == "date":
            s = check_dates(df, name, arg="--input", col_arg=opt, not_after=limit + pd.Timedelta(days=1) - pd.Timedelta(seconds=1))
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
            s = check_numeric(df, name, arg="--input", col_arg=opt, min_value=lo, strict=strict, max_value=hi)
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
        out[c] = check_numeric(df, c, arg="--input", min_value=1, max_value=scale_top)
    for k in keep or []:
        check_no_missing(df, k, arg="--input", col_arg="--by")
        out.setdefault(k, df[k].astype(str).str.strip())
    if not allow_duplicates:
        _check_duplicates(df, list(dict.fromkeys(list(present.values()) + list(keep or []))))
    frame = pd.DataFrame(out).reset_index(drop=True)
    frame.attrs = {k: v for k, v in df.attrs.items() if k in (SOURCE_ATTR, FIRST_LINE_ATTR)}
    if as_of is None and report.date_role is not None:
        as_of = frame[report.column(report.date_role).default].max().normalize()
    return frame, as_of


def read_and_prepare(path, report: Report, *, columns=None, as_of=None, keep=None, sheet=None,
                     header_row=None, today=None, params=None, allow_duplicates=False):
    """:func:`crm_lessons.io.read_table` then :func:`prepare`; ids are read as text."""
    names = _names(report, columns)
    ids = {n: str for r, n in names.items() if report.column(r).kind in ("id", "category")}
    ids.update({k: str for k in keep or []})
    df = read_table(path, sheet=sheet, header_row=header_row, dtype=ids)
    return prepare(df, report, columns=columns, as_of=as_of, keep=keep, today=today, params=params,
                   allow_duplicates=allow_duplicates)
