"""Multidimensional analysis (多维分析): a profit cube by any dimensions, with margins.

The training outline asks a CRM database to give "cost, profit, productivity
and risk" by customer, product, department and region (B10). A cube is a
table of one measure summed over every combination of a few dimensions, with
subtotals ("All") along each. :func:`profit_cube` builds it with pandas; lesson
8.1 computes the same cube with SQL ``GROUP BY`` and checks that they agree.
"""

from __future__ import annotations

import pandas as pd

from crm_lessons._validation import check_choice, check_dataframe, check_numeric, require_columns

__all__ = ["profit_cube"]


def profit_cube(facts: pd.DataFrame, *, rows, columns, value: str = "profit",
                aggfunc: str = "sum") -> pd.DataFrame:
    """Sum (or average, count) a measure over row and column dimensions, with "All" margins.

    Parameters
    ----------
    facts : DataFrame
        One row per fact (a customer, a transaction), with the dimension
        columns and the measure.
    rows, columns : str or list of str
        Dimensions of the rows and of the columns.
    value : str, default "profit"
        The measure column (numeric, no missing values).
    aggfunc : {"sum", "mean", "count"}
        How the facts of a cell are combined.

    Returns
    -------
    DataFrame
        The cube: one row per combination of ``rows``, one column per
        combination of ``columns``, plus a row and a column "All" (the margins:
        the same aggregate over the whole row or column). Empty combinations
        are 0 for ``sum``/``count`` and NaN for ``mean``.

    Examples
    --------
    >>> f = pd.DataFrame({"tier": ["A", "A", "B"], "region": ["N", "S", "N"], "profit": [5.0, 3, -1]})
    >>> profit_cube(f, rows="tier", columns="region")
    region    N    S  All
    tier                  
    A       5.0  3.0  8.0
    B      -1.0  0.0 -1.0
    All     4.0  3.0  7.0
    """
    check_dataframe(facts, arg="facts")
    check_choice(aggfunc, "aggfunc", ["sum", "mean", "count"])
    rows = [rows] if isinstance(rows, str) else list(rows)
    columns = [columns] if isinstance(columns, str) else list(columns)
    require_columns(facts, rows + columns + [value], arg="facts")
    check_numeric(facts, value, arg="facts", col_arg="value")
    frame = facts[rows + columns + [value]].copy()
    for dim in rows + columns:            # plain labels: categories would add empty levels
        frame[dim] = frame[dim].astype(str)
    fill = 0 if aggfunc in ("sum", "count") else None
    cube = pd.pivot_table(frame, index=rows, columns=columns, values=value, aggfunc=aggfunc,
                          margins=True, margins_name="All", fill_value=fill, observed=True)
    return cube.astype(float)
