"""What the cells of a user's table mean: dates and numbers as people write them (数据取值).

This module only *parses*: it turns a column of text into dates or numbers and
says which cells it could not read and what it converted. Saying *where* a
problem is (argument or file, column, line) and how to fix it is the job of
:mod:`crm_lessons._validation`, which calls these parsers.

Examples
--------
>>> import pandas as pd
>>> parsed, notes = parse_dates(pd.Series(["2024-01-05", "not a date"]))
>>> parsed.isna().tolist()
[False, True]
>>> parse_numbers(pd.Series(["10", "x"]))[0].tolist()
[10.0, nan]
"""

from __future__ import annotations

import warnings

import pandas as pd

__all__ = ["parse_dates", "parse_numbers"]


def parse_dates(s: pd.Series, *, format: str | None = None) -> tuple[pd.Series, list[str]]:
    """Parse a column as dates.

    Returns the parsed column (``NaT`` where a cell could not be read) and a list
    of plain-language notes on what was converted (empty when nothing was).

    >>> parse_dates(pd.Series(["2024-03-31"]))[0].dt.day.tolist()
    [31]
    """
    if pd.api.types.is_datetime64_any_dtype(s):
        return s, []
    with warnings.catch_warnings():  # mixed formats are parsed one by one; bad ones are named by the caller
        warnings.simplefilter("ignore", UserWarning)
        return pd.to_datetime(s, errors="coerce", format=format), []


def parse_numbers(s: pd.Series) -> tuple[pd.Series, list[str]]:
    """Parse a column as numbers (floats), ``NaN`` where a cell could not be read.

    >>> parse_numbers(pd.Series([1, 2]))[0].dtype
    dtype('float64')
    """
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.astype(float), []
    return pd.to_numeric(s, errors="coerce").astype(float), []
