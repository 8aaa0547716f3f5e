"""Complaints and service recovery (客户投诉): ticket metrics and word-of-mouth reach.

Seed 002: an unhappy customer tells 8–12 people on average, and 20% of them
tell as many as 20; one negative impression takes 12 positive ones to undo.

Examples
--------
>>> word_of_mouth_reach(100)
1200.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import (CRMInputError, check_dataframe, check_dates, check_number, check_numeric,
                                     check_probability, check_rows, require_columns)
from crm_lessons.tables import TICKETS

__all__ = ["complaint_pareto", "ticket_metrics", "word_of_mouth_reach"]


def ticket_metrics(tickets: pd.DataFrame, *, by: str | None = None, created_col: str = "created",
                   hours_col: str = "resolution_hours", fcr_col: str = "first_contact_resolved",
                   complaint_col: str = "is_complaint", customers: int | None = None) -> pd.DataFrame:
    """Volume, resolution time and first-contact resolution of service tickets, overall or by a column.

    Parameters
    ----------
    tickets : DataFrame
        One row per ticket.
    by : str, optional
        Column to group by (channel, category, ...).
    created_col, hours_col, fcr_col, complaint_col : str
        Column names: creation timestamp, hours to resolve, resolved at first
        contact (bool), is a complaint (bool).
    customers : int, optional
        Number of customers served, for the complaint rate (投诉率) per 1,000 customers.

    Returns
    -------
    DataFrame
        ``tickets``, ``per_day`` (tickets / calendar days spanned),
        ``median_hours``, ``mean_hours``, ``p90_hours``, ``fcr_rate`` (首次解决率),
        ``complaints`` and, with ``customers``, ``complaints_per_1000``.

    Notes
    -----
    For lognormal resolution times the median estimates :math:`e^{\\mu}` and
    the mean :math:`e^{\\mu + \\sigma^2/2}`; the median is the robust figure to
    report.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"created": pd.to_datetime(["2024-01-01", "2024-01-02"]),
    ...                   "resolution_hours": [2.0, 4.0], "first_contact_resolved": [True, False],
    ...                   "is_complaint": [True, False]})
    >>> ticket_metrics(t, customers=1000)[["tickets", "per_day", "median_hours", "fcr_rate", "complaints_per_1000"]]
             tickets  per_day  median_hours  fcr_rate  complaints_per_1000
    overall        2      1.0           3.0       0.5                  1.0
    """
    check_dataframe(tickets, arg="tickets")
    cols = {"created_col": created_col, "hours_col": hours_col, "fcr_col": fcr_col, "complaint_col": complaint_col}
    if by is not None:
        cols["by"] = by
    require_columns(tickets, cols, arg="tickets")
    created = check_dates(tickets, created_col, arg="tickets", col_arg="created_col")
    hours = check_numeric(tickets, hours_col, arg="tickets", col_arg="hours_col", min_value=0)
    days = max((created.max().normalize() - created.min().normalize()).days + 1, 1)
    frame = pd.DataFrame({"h": hours, "fcr": tickets[fcr_col].astype(bool), "c": tickets[complaint_col].astype(bool),
                          "g": tickets[by] if by else "overall"})
    g = frame.groupby("g", observed=True)
    out = pd.DataFrame({
        "tickets": g.size(),
        "per_day": g.size() / days,
        "median_hours": g["h"].median(),
        "mean_hours": g["h"].mean(),
        "p90_hours": g["h"].quantile(0.9),
        "fcr_rate": g["fcr"].mean(),
        "complaints": g["c"].sum().astype(int),
    })
    if customers is not None:
        check_number(customers, "customers", min_value=1)
        out["complaints_per_1000"] = out["complaints"] / customers * 1000
    out.index.name = by
    return out


def word_of_mouth_reach(n_unhappy: int, *, tell_mean: float = 10.0, heavy_share: float = 0.2,
                        heavy_tell: float = 20.0) -> float:
    """Expected number of people who hear of a bad experience from ``n_unhappy`` unhappy customers.

    Parameters
    ----------
    n_unhappy : int
        Unhappy customers.
    tell_mean : float, default 10
        People an ordinary unhappy customer tells (seed 002: 8–12, midpoint 10).
    heavy_share : float, default 0.2
        Share who tell many more (seed 002: 20%).
    heavy_tell : float, default 20
        People those tell (seed 002: 20).

    Returns
    -------
    float
        :math:`n\\,[(1-s)\\,m + s\\,h]`; with the seed's figures, 12 people per unhappy customer.
    """
    check_number(n_unhappy, "n_unhappy", min_value=0)
    check_probability(heavy_share, "heavy_share")
    return float(n_unhappy * ((1 - heavy_share) * tell_mean + heavy_share * heavy_tell))


def complaint_pareto(tickets: pd.DataFrame, *, category_col: str = "category", complaint_col: str | None = "is_complaint",
                     categories=None) -> pd.DataFrame:
    """Pareto table of complaint causes: count, share and cumulative share, largest first.

    Parameters
    ----------
    tickets : DataFrame
        One row per ticket.
    category_col : str, default "category"
        The cause (category) of each ticket.
    complaint_col : str or None, default "is_complaint"
        Count only the rows flagged as complaints; ``None`` counts every row.
    categories : list, optional
        Every category to report, in any order, so that a category without
        complaints shows a zero (e.g. ``["设计", "工程质量", "销售承诺", "物业管理"]``);
        a ticket of another category is an error. Default: the categories found.

    Returns
    -------
    DataFrame
        Indexed by category, sorted by count (ties keep the order of
        ``categories``): ``complaints``, ``share`` and ``cumulative_share``.

    Notes
    -----
    The Pareto principle (a few causes give most complaints) is textbook
    quality management, not a claim of the course material; the table shows
    whether it holds in the data. Seed 002 (C47, C48) asks that complaints be
    collected and analysed for improvement.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"category": ["设计", "物业管理", "物业管理", "工程质量"],
    ...                   "is_complaint": [True, True, True, False]})
    >>> complaint_pareto(t, categories=["设计", "工程质量", "销售承诺", "物业管理"])
          complaints  share  cumulative_share
    物业管理           2  0.667             0.667
    设计             1  0.333             1.000
    工程质量           0  0.000             1.000
    销售承诺           0  0.000             1.000
    """
    frame = TICKETS.read(tickets, arg="tickets", category_col=category_col, complaint_col=complaint_col)
    cat = frame["category"].astype(object)
    if categories is not None:
        categories = list(categories)
        check_rows(frame, ~cat.isin(categories).to_numpy() & cat.notna().to_numpy(), cat, arg="tickets",
                   column=category_col, col_arg="category_col", rule=f"category must be one of {categories}",
                   fix="Fix the category or add it to `categories`.")
    if complaint_col is not None:
        cat = cat[frame["is_complaint"]]
    counts = cat.value_counts()
    order = categories if categories is not None else sorted(counts.index, key=str)
    counts = counts.reindex(order, fill_value=0)
    counts = counts.iloc[np.argsort(-counts.to_numpy(), kind="stable")].astype(int)
    total = counts.sum()
    if total == 0:
        raise CRMInputError("argument `tickets`: there are no complaints to rank; found 0 flagged rows. "
                            "Pass complaint_col=None to rank every ticket.")
    out = pd.DataFrame({"complaints": counts, "share": (counts / total).round(3),
                        "cumulative_share": (counts.cumsum() / total).round(3)})
    out.index.name = None
    return out
