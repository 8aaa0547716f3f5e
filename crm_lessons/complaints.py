"""Complaints and service recovery (客户投诉): ticket metrics and word-of-mouth reach.

The slides: an unhappy customer tells 8–12 people on average, and 20% of them
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
from crm_lessons.simulate._base import rng_from
from crm_lessons.tables import TICKETS, Column

#: Tickets as the service-recovery helpers read them: the contract's table plus the promise and first response.
SERVICE_TICKETS = TICKETS.extend(
    Column("promised", "promised_hours", "number", min=0, strict=True, doc="time limit promised to the customer"),
    Column("response", "first_response_hours", "number", min=0, doc="hours to the first response"),
    Column("group", "group", "category", doc="a column to group by"))

__all__ = ["complaint_pareto", "control_chart", "repeat_complainers", "revenue_at_risk", "sla_compliance",
           "ticket_metrics", "word_of_mouth_reach", "word_of_mouth_simulation", "reading_delay"]


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
        People an ordinary unhappy customer tells (the slides: 8–12, midpoint 10).
    heavy_share : float, default 0.2
        Share who tell many more (the slides: 20%).
    heavy_tell : float, default 20
        People those tell (the slides: 20).

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
    whether it holds in the data. The slides (C47, C48) ask that complaints be
    collected and analysed for improvement.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"category": ["设计", "物业管理", "物业管理", "工程质量"],
    ...                   "is_complaint": [True, True, True, False]})
    >>> complaint_pareto(t, categories=["设计", "工程质量", "销售承诺", "物业管理"]).round(3)
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
    out = pd.DataFrame({"complaints": counts, "share": counts / total,
                        "cumulative_share": counts.cumsum() / total})
    out.index.name = None
    return out


def sla_compliance(tickets: pd.DataFrame, *, by: str | None = None, hours_col: str = "resolution_hours",
                   promised_col: str = "promised_hours", response_col: str | None = "first_response_hours"
                   ) -> pd.DataFrame:
    """Share of tickets resolved within the time limit promised to the customer (承诺的时限), overall or by group.

    Parameters
    ----------
    tickets : DataFrame
        One row per ticket with resolution hours and the promised hours.
    by : str, optional
        Column to group by (channel, category...).
    hours_col, promised_col : str
        Hours to resolution and the promised limit.
    response_col : str or None
        Hours to the first response; ``None`` if not recorded.

    Returns
    -------
    DataFrame
        ``tickets``, ``within_promise`` (share resolved in time), ``late``,
        ``median_hours``, ``promised_hours`` (median promise) and, with
        ``response_col``, ``median_first_response``.

    References
    ----------
    The slides (C48): the quality-award criteria ask a firm to promise the customer
    a time limit and content for handling a complaint, and to keep the promise.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"channel": ["phone", "phone", "email"], "resolution_hours": [2.0, 9.0, 30.0],
    ...                   "promised_hours": [8.0, 8.0, 48.0], "first_response_hours": [0.1, 0.2, 5.0]})
    >>> sla_compliance(t, by="channel")[["tickets", "within_promise", "late"]]
             tickets  within_promise  late
    channel
    email          1             1.0     0
    phone          2             0.5     1
    """
    frame = SERVICE_TICKETS.read(tickets, arg="tickets", hours_col=hours_col, promised_col=promised_col,
                                 response_col=response_col, group_col=by)
    g = frame.assign(ok=frame["resolution_hours"] <= frame["promised_hours"],
                     key=frame["group"] if by else "overall").groupby("key", observed=True)
    out = pd.DataFrame({"tickets": g.size(), "within_promise": g["ok"].mean(),
                        "late": (g.size() - g["ok"].sum()).astype(int),
                        "median_hours": g["resolution_hours"].median(),
                        "promised_hours": g["promised_hours"].median()})
    if response_col is not None:
        out["median_first_response"] = g["first_response_hours"].median()
    out.index.name = by
    return out


def control_chart(tickets: pd.DataFrame, *, freq: str = "W-SUN", baseline: int = 8, created_col: str = "created",
                  complaint_col: str = "is_complaint") -> pd.DataFrame:
    """A c-chart of complaints per period: counts, centre line and Poisson 3-sigma limits from a baseline.

    Parameters
    ----------
    tickets : DataFrame
        One row per ticket with its creation time and complaint flag.
    freq : str, default "W-SUN"
        Period (a pandas frequency; weeks ending on Sunday). Incomplete first
        and last periods are dropped.
    baseline : int, default 8
        Number of first periods that set the centre line.
    created_col, complaint_col : str
        Column names.

    Returns
    -------
    DataFrame
        By period end: ``complaints``, ``centre`` :math:`\\bar c` (baseline mean),
        ``lcl`` and ``ucl`` = :math:`\\bar c \\mp 3\\sqrt{\\bar c}` (lcl at least 0)
        and ``signal`` (outside the limits).

    Notes
    -----
    The c-chart (Shewhart control chart for counts) is textbook quality control,
    not the course material's; it answers the question of the improvement loop
    (C47, C48): did a change in complaints go beyond chance?

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"created": pd.date_range("2024-01-01", periods=28, freq="D"), "is_complaint": [True] * 28})
    >>> control_chart(t, baseline=2)[["complaints", "centre", "signal"]]
                complaints  centre  signal
    created
    2024-01-07           7     7.0   False
    2024-01-14           7     7.0   False
    2024-01-21           7     7.0   False
    2024-01-28           7     7.0   False
    """
    frame = TICKETS.read(tickets, arg="tickets", created_col=created_col, complaint_col=complaint_col)
    check_number(baseline, "baseline", min_value=1, integer=True)
    created = frame["created"]
    counts = frame.set_index("created")["is_complaint"].astype(int).resample(freq).sum()
    periods = counts.index
    first, last = created.min().normalize(), created.max().normalize()
    full = (periods - pd.tseries.frequencies.to_offset(freq) + pd.Timedelta(days=1) >= first) & (periods <= last)
    counts = counts[full]
    if len(counts) <= baseline:
        raise CRMInputError(f"argument `tickets`: needs more than baseline={baseline} whole periods; found "
                            f"{len(counts)}. Pass more data or a smaller baseline.")
    centre = counts.iloc[:baseline].mean()
    out = pd.DataFrame({"complaints": counts, "centre": centre,
                        "lcl": max(centre - 3 * np.sqrt(centre), 0.0), "ucl": centre + 3 * np.sqrt(centre)})
    out["signal"] = (out["complaints"] < out["lcl"]) | (out["complaints"] > out["ucl"])
    return out


def repeat_complainers(tickets: pd.DataFrame, customers: pd.DataFrame, *, min_complaints: int = 2,
                       top_share: float = 0.2, customer_col: str = "customer_id", value_col: str = "value",
                       complaint_col: str = "is_complaint") -> pd.DataFrame:
    """Customers who complained repeatedly, with their value and value tier, most valuable first.

    Parameters
    ----------
    tickets : DataFrame
        One row per ticket with the customer and the complaint flag.
    customers : DataFrame
        One row per customer with its value.
    min_complaints : int, default 2
        Fewest complaints to count as a repeat complainer.
    top_share : float, default 0.2
        Share of customers (by value) in the ``high`` tier.
    customer_col, value_col, complaint_col : str
        Column names.

    Returns
    -------
    DataFrame
        Indexed by customer: ``complaints``, ``value``, ``tier`` ("high" for the top
        ``top_share`` of all customers by value, else "other").

    References
    ----------
    The figures-and-cases handout (B15): which big customers complained repeatedly last year?

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"customer_id": [1, 1, 2, 2, 3], "is_complaint": [True, True, True, True, True]})
    >>> c = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5], "value": [50.0, 900.0, 10.0, 20.0, 30.0]})
    >>> repeat_complainers(t, c)
                 complaints  value  tier
    customer_id
    2                     2  900.0  high
    1                     2   50.0  other
    """
    t = TICKETS.read(tickets, arg="tickets", customer_col=customer_col, complaint_col=complaint_col)
    check_number(min_complaints, "min_complaints", min_value=1, integer=True)
    check_probability(top_share, "top_share", allow_zero=False)
    check_dataframe(customers, arg="customers")
    require_columns(customers, {"customer_col": customer_col, "value_col": value_col}, arg="customers")
    value = pd.Series(check_numeric(customers, value_col, arg="customers", col_arg="value_col").to_numpy(),
                      index=customers[customer_col].to_numpy())
    cut = value.quantile(1 - top_share)
    n = t.loc[t["is_complaint"], "customer_id"].value_counts()
    n = n[n >= min_complaints]
    out = pd.DataFrame({"complaints": n.astype(int), "value": value.reindex(n.index)})
    out["tier"] = np.where(out["value"] >= cut, "high", "other")
    out.index.name = customer_col
    return out.sort_values(["value", "complaints"], ascending=False, kind="stable")


def revenue_at_risk(customers: pd.DataFrame, *, calls_col: str = "number_customer_service_calls",
                    churn_col: str = "churn", revenue_col: str = "revenue", threshold: int = 4,
                    save_share: float = 0.5) -> pd.Series:
    """Revenue at risk from unresolved complaints: customers with many service calls and their excess churn.

    Parameters
    ----------
    customers : DataFrame
        One row per customer: service calls, churned (bool), revenue per period.
    calls_col, churn_col, revenue_col : str
        Column names.
    threshold : int, default 4
        Customers with at least this many calls are "flagged".
    save_share : float, default 0.5
        Share of the excess churn a recovery programme would prevent.

    Returns
    -------
    Series
        ``flagged`` (customers), ``churn_flagged``, ``churn_others``,
        ``excess_churn`` = the difference, ``revenue_flagged``, ``revenue_at_risk``
        = revenue_flagged x excess_churn, and ``break_even_cost`` = the most a
        recovery programme may spend per flagged customer:
        revenue_at_risk x save_share / flagged.

    Notes
    -----
    Excess churn is a difference of rates, not a proven effect of the calls:
    customers who call often may differ in other ways.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"number_customer_service_calls": [0, 1, 4, 5], "churn": [False, True, True, True],
    ...                   "revenue": [10.0, 10.0, 20.0, 30.0]})
    >>> revenue_at_risk(d)[["flagged", "excess_churn", "revenue_at_risk", "break_even_cost"]].tolist()
    [2.0, 0.5, 25.0, 6.25]
    """
    check_dataframe(customers, arg="customers")
    require_columns(customers, {"calls_col": calls_col, "churn_col": churn_col, "revenue_col": revenue_col},
                    arg="customers")
    calls = check_numeric(customers, calls_col, arg="customers", col_arg="calls_col", min_value=0)
    revenue = check_numeric(customers, revenue_col, arg="customers", col_arg="revenue_col")
    check_probability(save_share, "save_share")
    churn = customers[churn_col].astype(bool)
    flagged = calls >= threshold
    if flagged.all() or not flagged.any():
        raise CRMInputError(f"argument `customers`: need customers on both sides of threshold={threshold}; found "
                            f"{int(flagged.sum())} of {len(flagged)} flagged. Pick another threshold.")
    excess = churn[flagged].mean() - churn[~flagged].mean()
    at_risk = revenue[flagged].sum() * excess
    return pd.Series({"flagged": float(flagged.sum()), "churn_flagged": churn[flagged].mean(),
                      "churn_others": churn[~flagged].mean(), "excess_churn": excess,
                      "revenue_flagged": float(revenue[flagged].sum()), "revenue_at_risk": at_risk,
                      "break_even_cost": at_risk * save_share / flagged.sum()})


def word_of_mouth_simulation(n_unhappy: int, *, n_sims: int = 10_000, seed: int = 0, tell_low: int = 8,
                             tell_high: int = 12, heavy_share: float = 0.2, heavy_tell: int = 20) -> np.ndarray:
    """Simulated number of people told about bad experiences, to show the spread around the slides' average.

    Each unhappy customer is a heavy teller with probability ``heavy_share`` and tells
    ``heavy_tell`` people; otherwise tells a whole number drawn uniformly from
    ``tell_low..tell_high``. The mean per customer is :func:`word_of_mouth_reach`'s.

    Parameters
    ----------
    n_unhappy : int
        Unhappy customers.
    n_sims : int, default 10000
        Simulated cohorts of ``n_unhappy`` customers.
    seed : int
    tell_low, tell_high, heavy_share, heavy_tell
        The slides' figures: 8-12 people, 20% tell 20 (C82).

    Returns
    -------
    ndarray
        People told, one number per simulated cohort (each hearer counted once per
        teller; overlaps between tellers are ignored).

    Examples
    --------
    >>> sims = word_of_mouth_simulation(100, n_sims=2000, seed=1)
    >>> bool(abs(sims.mean() - word_of_mouth_reach(100)) < 5)
    True
    """
    check_number(n_unhappy, "n_unhappy", min_value=1, integer=True)
    check_number(n_sims, "n_sims", min_value=1, integer=True)
    check_probability(heavy_share, "heavy_share")
    if not 0 <= tell_low <= tell_high:
        raise CRMInputError(f"arguments `tell_low`, `tell_high`: need 0 <= tell_low <= tell_high; found "
                            f"{tell_low}, {tell_high}.")
    rng = rng_from(seed)
    heavy = rng.binomial(int(n_unhappy), heavy_share, int(n_sims))
    ordinary = rng.integers(tell_low, tell_high + 1, (int(n_sims), int(n_unhappy)))
    ordinary_sum = np.where(np.arange(int(n_unhappy)) < (n_unhappy - heavy)[:, None], ordinary, 0).sum(axis=1)
    return ordinary_sum + heavy * heavy_tell


def reading_delay(created, *, times=("09:00",), weekdays=(0, 1, 2, 3, 4, 5, 6)) -> pd.Series:
    """Hours from each post until the next scheduled reading (e.g. executives reading a complaint forum daily).

    Parameters
    ----------
    created : array-like of timestamps
        When each complaint was posted.
    times : sequence of str, default ("09:00",)
        Times of day at which the posts are read ("HH:MM").
    weekdays : sequence of int, default every day
        Days of the week with readings (0 = Monday ... 6 = Sunday): ``(0,)`` is a
        Monday-morning review, ``range(5)`` working days.

    Returns
    -------
    Series
        Hours from each post to the first reading at or after it (index as
        ``created`` when it is a Series).

    Raises
    ------
    CRMInputError
        On unparseable timestamps or times, or no reading day.

    Notes
    -----
    For posts spread evenly over the day and one reading a day the wait is
    uniform on [0, 24) hours (mean 12); with one reading a week, uniform on
    [0, 168) (mean 84).

    References
    ----------
    Longfor's complaint forum, read every morning by its executives (real-estate slides, C102).

    Examples
    --------
    >>> posts = pd.Series(pd.to_datetime(["2024-01-01 08:00", "2024-01-01 10:00", "2024-01-06 10:00"]))
    >>> reading_delay(posts).tolist()
    [1.0, 23.0, 23.0]
    >>> reading_delay(posts, weekdays=(0,)).tolist()       # Monday 1 January 2024, read on Mondays only
    [1.0, 167.0, 47.0]
    """
    stamps = pd.Series(created) if not isinstance(created, pd.Series) else created
    try:
        when = pd.to_datetime(stamps)
    except (ValueError, TypeError) as exc:
        raise CRMInputError(f"argument `created`: needs timestamps; found {stamps.head(3).tolist()!r} ({exc}). "
                            "Pass e.g. tickets['created'].") from None
    if when.isna().any():
        raise CRMInputError(f"argument `created`: {int(when.isna().sum())} missing timestamps; found NaT at "
                            f"position {int(np.flatnonzero(when.isna().to_numpy())[0])}. Drop or fill them first.")
    days = sorted({int(d) for d in weekdays})
    if not days or any(d < 0 or d > 6 for d in days):
        raise CRMInputError(f"argument `weekdays`: needs days 0 (Monday) to 6 (Sunday); found {list(weekdays)!r}. "
                            "Pass e.g. (0,) for Mondays or range(7) for every day.")
    try:
        offsets = sorted(pd.to_timedelta([f"{t}:00" if str(t).count(":") == 1 else str(t) for t in times]))
    except (ValueError, TypeError):
        raise CRMInputError(f"argument `times`: needs times of day as 'HH:MM'; found {list(times)!r}. "
                            "Pass e.g. ('09:00', '17:00').") from None
    if not offsets:
        raise CRMInputError("argument `times`: needs at least one time of day; found none. Pass e.g. ('09:00',).")
    if len(when) == 0:
        return pd.Series([], index=stamps.index, dtype=float, name="hours_to_reading")
    first, last = when.min().normalize(), when.max().normalize() + pd.Timedelta(days=8)
    calendar = pd.date_range(first, last, freq="D")
    calendar = calendar[calendar.dayofweek.isin(days)]
    readings = np.sort(np.concatenate([(calendar + off).to_numpy() for off in offsets]))
    idx = np.searchsorted(readings, when.to_numpy(), side="left")
    hours = (readings[idx] - when.to_numpy()) / np.timedelta64(1, "h")
    return pd.Series(hours.astype(float), index=stamps.index, name="hours_to_reading")
