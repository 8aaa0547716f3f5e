"""Input checks shared by every helper of ``crm_lessons``.

Every public function of the package checks its inputs here, so that a wrong
column, type, date or value reaches the user as **one** clear message that
names the argument (or the file), what was found, and how to fix it.

All checks raise :class:`CRMInputError`, a ``ValueError``. Messages follow one
pattern::

    <where>: <what is wrong>; found <what was found>. <How to fix it.>

where ``<where>`` is ``argument `sales``` for a DataFrame passed in Python, or
``file 'sales.csv', column 'amount', line 17`` when the data came from a file
(see :func:`crm_lessons.io.read_table`, which records the file on the frame).

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"customer_id": [1, 2], "amount": [10.0, -5.0]})
>>> require_columns(df, {"amount_col": "amount", "date_col": "date"}, arg="sales")
Traceback (most recent call last):
...
crm_lessons._validation.CRMInputError: argument `sales`: column 'date' (given as date_col) is missing; found columns ['customer_id', 'amount']. Pass date_col='<your column>' naming the column that holds it.
>>> check_numeric(df, "amount", arg="sales", col_arg="amount_col", min_value=0)
Traceback (most recent call last):
...
crm_lessons._validation.CRMInputError: argument `sales`, column 'amount' (amount_col), row 1: values must be >= 0; found -5.0 (1 such row). Correct or remove these rows, e.g. refunds belong in a separate table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from numbers import Real

import numpy as np
import pandas as pd

from crm_lessons.values import NOTES_ATTR, bad_date_fix, parse_dates, parse_numbers

__all__ = [
    "CRMInputError",
    "check_choice",
    "check_dataframe",
    "check_date",
    "check_dates",
    "check_fitted",
    "check_no_missing",
    "check_numeric",
    "check_number",
    "check_probability",
    "check_rows",
    "check_seed",
    "check_unique",
    "require_columns",
    "show_value",
    "where",
]

#: Attribute key under which :func:`crm_lessons.io.read_table` stores the
#: source file name and the file line of the first data row.
SOURCE_ATTR = "crm_source"
FIRST_LINE_ATTR = "crm_first_line"


class CRMInputError(ValueError):
    """A user's input is wrong; the message says where, what, and how to fix it."""


def where(df: pd.DataFrame | None = None, *, arg: str | None = None, column: str | None = None,
          col_arg: str | None = None, row=None) -> str:
    """Describe a place in the user's input: argument or file, column, row."""
    source = df.attrs.get(SOURCE_ATTR) if df is not None else None
    if not source and arg is None:
        raise TypeError("where(): name the argument (arg=...) for a table that did not come from a file")
    parts = [f"file '{source}'" if source else f"argument `{arg}`"]
    if column is not None:
        parts.append(f"column '{column}'" + (f" ({col_arg})" if col_arg and col_arg != column else ""))
    if row is not None:
        if source and df is not None and FIRST_LINE_ATTR in df.attrs:
            pos = df.index.get_loc(row)
            if isinstance(pos, (int, np.integer)):
                parts.append(f"line {int(pos) + int(df.attrs[FIRST_LINE_ATTR])}")
            else:
                parts.append(f"row {row!r}")
        else:
            parts.append(f"row {row!r}" if not isinstance(row, (int, np.integer)) else f"row {int(row)}")
    return ", ".join(parts)


def show_value(value) -> str:
    """repr of a cell value, without numpy's type wrapper.

    >>> show_value(np.int64(3))
    '3'
    """
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def _first_bad(df: pd.DataFrame, mask: pd.Series):
    bad = mask[mask.to_numpy(dtype=bool)]
    return bad.index[0], int(bad.shape[0])


def check_dataframe(df, *, arg: str, min_rows: int = 1) -> pd.DataFrame:
    """Check that ``df`` is a DataFrame with at least ``min_rows`` rows."""
    if not isinstance(df, pd.DataFrame):
        raise CRMInputError(
            f"argument `{arg}`: expected a pandas DataFrame; found {type(df).__name__}. "
            "Pass a table, e.g. pd.read_csv('file.csv') or a loader from crm_lessons.datasets."
        )
    if len(df) < min_rows:
        raise CRMInputError(
            f"{where(df, arg=arg)}: needs at least {min_rows} row(s); found {len(df)}. "
            "Check that the file or filter is not empty."
        )
    return df


def require_columns(df: pd.DataFrame, columns: Mapping[str, str] | Iterable[str], *,
                    arg: str) -> None:
    """Check that every named column is in ``df``.

    ``columns`` maps the keyword argument that named the column (``amount_col``)
    to the column name (``"amount"``); a plain list of names is also accepted.
    """
    check_dataframe(df, arg=arg, min_rows=0)
    items = columns.items() if isinstance(columns, Mapping) else ((c, c) for c in columns)
    for col_arg, name in items:
        if name not in df.columns:
            hint = (f"Pass {col_arg}='<your column>' naming the column that holds it."
                    if col_arg != name else "Add the column or rename yours to this name.")
            raise CRMInputError(
                f"{where(df, arg=arg)}: column '{name}'"
                + (f" (given as {col_arg})" if col_arg != name else "")
                + f" is missing; found columns {list(map(str, df.columns))}. {hint}"
            )


def check_rows(df: pd.DataFrame, mask, values: pd.Series, *, arg: str, column: str, col_arg: str | None,
               rule: str, fix: str, show=None) -> None:
    """Raise for the first row where ``mask`` holds: ``<where>: <rule>; found <value> (<n> such rows). <fix>``."""
    mask = pd.Series(mask, index=df.index) if not isinstance(mask, pd.Series) else mask
    if not mask.any():
        return
    row, n = _first_bad(df, mask)
    found = (show or show_value)(values.loc[row])
    raise CRMInputError(
        f"{where(df, arg=arg, column=column, col_arg=col_arg, row=row)}: "
        f"{rule}; found {found} ({n} such row{'s' if n > 1 else ''}). {fix}"
    )


def check_unique(df: pd.DataFrame, columns: list[str], *, arg: str, names: list[str] | None = None,
                 col_arg: str | None = None, what: str = "values",
                 fix: str = "Keep one row per key.") -> None:
    """Check that the key ``columns`` do not repeat: ``<where>: <what> must be unique; found <key> twice``.

    ``names`` are the user's column names behind ``columns`` (for the message).

    >>> check_unique(pd.DataFrame({"id": [1, 2, 1]}), ["id"], arg="customers", what="customer ids")
    Traceback (most recent call last):
    ...
    crm_lessons._validation.CRMInputError: argument `customers`, column 'id', row 2: customer ids must be unique; found 1 twice (first at row 0; 1 repeated row). Keep one row per key.
    """
    dup = df.duplicated(subset=columns, keep="first").to_numpy()
    if not dup.any():
        return
    names = names or columns
    pos = int(np.flatnonzero(dup)[0])
    key = df[columns].iloc[pos]
    same = (df[columns] == key).all(axis=1).to_numpy()
    first = df.index[int(np.flatnonzero(same)[0])]
    value = show_value(key.iloc[0]) if len(columns) == 1 else "(" + ", ".join(map(show_value, key)) + ")"
    row_at = where(df, arg=arg, row=df.index[pos]).split(", ")[-1]
    first_at = where(df, arg=arg, row=first).split(", ")[-1]
    cols = (where(df, arg=arg, column=names[0], col_arg=col_arg) if len(names) == 1 else
            where(df, arg=arg) + ", columns " + " and ".join(f"'{n}'" for n in names))
    n = int(dup.sum())
    raise CRMInputError(
        f"{cols}, {row_at}: {what} must be unique; found {value} twice "
        f"(first at {first_at}; {n} repeated row{'s' if n > 1 else ''}). {fix}"
    )


def check_no_missing(df: pd.DataFrame, column: str, *, arg: str,
                     col_arg: str | None = None) -> None:
    """Check that ``column`` has no missing values."""
    check_rows(df, df[column].isna(), df[column], arg=arg, column=column, col_arg=col_arg,
                rule="values must not be missing", fix="Fill in or remove these rows.",
                show=lambda _: "an empty cell")


def check_numeric(df: pd.DataFrame, column: str, *, arg: str, col_arg: str | None = None,
                  min_value: float | None = None, strict: bool = False,
                  max_value: float | None = None, allow_missing: bool = False) -> pd.Series:
    """Return ``df[column]`` as floats, checking type, missing values and bounds.

    ``strict=True`` makes ``min_value`` exclusive (amounts that must be > 0).
    """
    where_ = {"arg": arg, "column": column, "col_arg": col_arg}
    s = df[column]
    if not allow_missing:
        check_no_missing(df, column, arg=arg, col_arg=col_arg)
    num, notes = parse_numbers(s)
    check_rows(df, num.isna() & s.notna(), s, **where_, rule="values must be numbers",
                fix="Remove currency signs, thousands separators and text from this column.")
    s = num
    check_rows(df, ~np.isfinite(s) & s.notna(), s, **where_, rule="values must be finite",
                fix="Replace infinite values.")
    if min_value is not None:
        fix = ("Correct or remove these rows, e.g. refunds belong in a separate table."
               if min_value == 0 else "Correct or remove these rows.")
        check_rows(df, (s <= min_value) if strict else (s < min_value), s, **where_,
                    rule=f"values must be {'>' if strict else '>='} {min_value:g}", fix=fix)
    if max_value is not None:
        check_rows(df, s > max_value, s, **where_, rule=f"values must be <= {max_value:g}",
                    fix="Correct or remove these rows.")
    s.attrs[NOTES_ATTR] = notes  # what was converted (¥, thousands separators), for reports to say
    return s


def check_dates(df: pd.DataFrame, column: str, *, arg: str, col_arg: str | None = None,
                not_after: pd.Timestamp | str | None = None, format: str | None = None) -> pd.Series:
    """Return ``df[column]`` parsed as datetimes, naming the first unparseable or late date."""
    where_ = {"arg": arg, "column": column, "col_arg": col_arg}
    check_no_missing(df, column, arg=arg, col_arg=col_arg)
    s = df[column]
    parsed, notes = parse_dates(s, format=format)
    bad = parsed.isna()
    check_rows(df, bad, s, **where_, rule="values must be dates",
                fix=bad_date_fix(s[bad.to_numpy()].iloc[0]) if bad.any() else "")
    s = parsed
    if getattr(s.dt, "tz", None) is not None:
        s = s.dt.tz_localize(None)
    if not_after is not None:
        limit = pd.Timestamp(not_after)
        check_rows(df, s > limit, s, **where_, rule=f"dates must not be after {limit.date()}",
                    fix="Check the date format (day/month swapped?) or pass a later as-of date.",
                    show=lambda v: str(v.date()))
    s.attrs[NOTES_ATTR] = notes  # what was converted (2023年1月5日, Excel serials...), for reports to say
    return s


def check_date(value, name: str, *, example: str = "2024-06-30") -> pd.Timestamp:
    """Check a scalar date argument (``as_of``, ``start``...) and return it as a Timestamp.

    >>> check_date("2024-01-31", "as_of")
    Timestamp('2024-01-31 00:00:00')
    >>> check_date("end of June", "as_of")
    Traceback (most recent call last):
    ...
    crm_lessons._validation.CRMInputError: argument `as_of`: must be a date; found 'end of June'. Pass e.g. as_of='2024-06-30'.
    """
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        ts = pd.NaT
    if pd.isna(ts):
        raise CRMInputError(f"argument `{name}`: must be a date; found {value!r}. Pass e.g. {name}='{example}'.")
    return ts


def check_number(value, name: str, *, min_value: float | None = None, max_value: float | None = None,
                 strict: bool = False, integer: bool = False) -> float:
    """Check a scalar argument: a real number within bounds (``strict`` makes bounds exclusive)."""
    ok_type = isinstance(value, (int, np.integer)) if integer else isinstance(value, Real)
    if isinstance(value, bool) or not ok_type or (not integer and not np.isfinite(value)):
        kind = "a whole number" if integer else "a finite number"
        raise CRMInputError(f"argument `{name}`: must be {kind}; found {value!r}. Pass e.g. {name}=1.")
    lo_bad = min_value is not None and (value <= min_value if strict else value < min_value)
    hi_bad = max_value is not None and (value >= max_value if strict else value > max_value)
    if lo_bad or hi_bad:
        lo = "" if min_value is None else f"{'>' if strict else '>='} {min_value:g}"
        hi = "" if max_value is None else f"{'<' if strict else '<='} {max_value:g}"
        rng = " and ".join(p for p in (lo, hi) if p)
        raise CRMInputError(f"argument `{name}`: must be {rng}; found {value!r}. Choose a value in that range.")
    return value


def check_seed(seed, name: str = "seed") -> np.random.Generator:
    """A NumPy random generator from a checked whole-number seed (every seeded helper uses it).

    >>> float(check_seed(1).uniform()) == float(np.random.default_rng(1).uniform())
    True
    """
    check_number(seed, name, min_value=0, integer=True)
    return np.random.default_rng(int(seed))


def check_probability(value, name: str, *, allow_zero: bool = True, allow_one: bool = True) -> float:
    """Check a probability or rate argument in [0, 1] (ends optionally excluded)."""
    check_number(value, name)
    if value < 0 or value > 1 or (value == 0 and not allow_zero) or (value == 1 and not allow_one):
        lo = "0 <=" if allow_zero else "0 <"
        hi = "<= 1" if allow_one else "< 1"
        raise CRMInputError(
            f"argument `{name}`: must be a probability, {lo} {name} {hi}; found {value!r}. "
            "Write percentages as fractions (5% -> 0.05)."
        )
    return float(value)


def check_choice(value, name: str, choices: Iterable) -> None:
    """Check that ``value`` is one of ``choices``."""
    choices = list(choices)
    if value not in choices:
        raise CRMInputError(f"argument `{name}`: must be one of {choices}; found {value!r}.")


def check_fitted(model, attribute: str = "params_") -> None:
    """Check that a model has been fitted before it is used."""
    if not hasattr(model, attribute):
        raise CRMInputError(
            f"{type(model).__name__} is not fitted yet; call .fit(...) before using it."
        )
