"""Choosing customers (客户的选择): profitability, the whale curve, rank stability, prospect scorecards.

"Do not imagine that everyone is your customer; centre on profitable customers"
(the MBA chapter, D19). This module measures who is profitable and who is not
(负利客户, D03), whether last year's biggest customers are still the biggest
(the figures-and-cases handout, B16), ranks prospects by ability, willingness and credit (the training outline,
E09) and values a sales contact with a new or an existing customer (15% vs
50%, the MBA chapter, C94).

Examples
--------
Four customers, two of them unprofitable: the cumulative profit of the best
half peaks at 160% of the total.

>>> float(whale_summary([5.0, 3.0, -1.0, -2.0])["peak_share"])
1.6
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from crm_lessons._validation import (CRMInputError, check_dataframe, check_number, check_numeric,
                                     check_probability, require_columns)

__all__ = ["RankStability", "contact_value", "customer_profitability", "rank_stability", "scorecard",
           "scorecard_stability", "simulate_cost_to_serve", "whale_curve", "whale_summary"]


def _numbers(values, name: str) -> pd.Series:
    """A 1-D array-like of numbers (negative allowed) as a float Series, index kept, checked."""
    s = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=object).ravel())
    frame = s.to_frame(name="value")
    check_dataframe(frame, arg=name)
    return check_numeric(frame, "value", arg=name).rename(s.name)


def customer_profitability(customers: pd.DataFrame, *, revenue_col: str, cost_drivers: Mapping[str, float],
                           fixed_cost: float = 0.0) -> pd.DataFrame:
    """Revenue, cost to serve and profit of each customer from activity-based cost drivers.

    Parameters
    ----------
    customers : DataFrame
        One row per customer.
    revenue_col : str
        Revenue (or gross margin) of each customer.
    cost_drivers : mapping
        Column -> cost per unit of it (e.g. ``{"number_customer_service_calls": 5.0}``).
    fixed_cost : float, default 0
        Cost per customer regardless of activity (account cost).

    Returns
    -------
    DataFrame
        ``revenue``, ``cost`` and ``profit`` = revenue - fixed_cost - sum(driver x unit cost), on the input's index.

    Notes
    -----
    .. math:: \\pi_i = R_i - F - \\sum_j c_j\\, x_{ij}

    Activity-based cost to serve is textbook management accounting (Kaplan),
    not the course material's; the course names the result, negative-profit
    customers (负利客户, D03).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"rev": [100.0, 20.0], "calls": [1, 6]})
    >>> customer_profitability(d, revenue_col="rev", cost_drivers={"calls": 5.0}, fixed_cost=2)["profit"].tolist()
    [93.0, -12.0]
    """
    check_dataframe(customers, arg="customers")
    if not cost_drivers:
        raise CRMInputError("argument `cost_drivers`: needs at least one column -> unit cost; found none. "
                            "Pass e.g. {'service_calls': 5.0}.")
    require_columns(customers, [revenue_col, *cost_drivers], arg="customers")
    check_number(fixed_cost, "fixed_cost", min_value=0)
    revenue = check_numeric(customers, revenue_col, arg="customers", col_arg="revenue_col")
    cost = pd.Series(float(fixed_cost), index=customers.index)
    for col, unit in cost_drivers.items():
        check_number(unit, f"cost_drivers[{col!r}]", min_value=0)
        cost = cost + unit * check_numeric(customers, col, arg="customers", col_arg="cost_drivers", min_value=0)
    return pd.DataFrame({"revenue": revenue, "cost": cost, "profit": revenue - cost})


def whale_curve(profit) -> pd.DataFrame:
    """The whale curve: cumulative share of total profit against the share of customers, most profitable first.

    Parameters
    ----------
    profit : array-like or Series
        Profit of each customer (may be negative).

    Returns
    -------
    DataFrame
        One row per customer in order of falling profit: ``profit``,
        ``customer_share`` (i / n) and ``profit_share`` (cumulative profit / total
        profit). The curve rises above 1 while profitable customers are added and
        falls back to 1 through the unprofitable tail.

    Raises
    ------
    CRMInputError
        If total profit is not positive (the shares would have no meaning).

    Examples
    --------
    >>> whale_curve([5.0, -2.0, 3.0, -1.0])["profit_share"].tolist()
    [1.0, 1.6, 1.4, 1.0]
    """
    v = _numbers(profit, "profit")
    total = v.sum()
    if not total > 0:
        raise CRMInputError(f"argument `profit`: total profit must be > 0 for a whale curve; found {total:,.2f}. "
                            "Check the cost assumptions: with these costs the customers lose money overall.")
    order = v.sort_values(ascending=False, kind="stable")
    n = len(order)
    return pd.DataFrame({"profit": order.to_numpy(), "customer_share": np.arange(1, n + 1) / n,
                         "profit_share": order.cumsum().to_numpy() / total}, index=order.index)


def whale_summary(profit) -> pd.Series:
    """Key numbers of the whale curve.

    Returns
    -------
    Series
        ``customers``, ``total_profit``, ``peak_share`` (highest cumulative share of
        profit), ``peak_at`` (share of customers at the peak), ``unprofitable``
        (customers with profit < 0), ``unprofitable_share`` and ``loss`` (their
        total profit, negative).

    Examples
    --------
    >>> whale_summary([5.0, 3.0, -1.0, -2.0])[["peak_share", "peak_at", "unprofitable"]].tolist()
    [1.6, 0.5, 2.0]
    """
    curve = whale_curve(profit)
    peak = int(np.argmax(curve["profit_share"].to_numpy()))
    neg = curve["profit"] < 0
    return pd.Series({"customers": float(len(curve)), "total_profit": float(curve["profit"].sum()),
                      "peak_share": float(curve["profit_share"].iloc[peak]),
                      "peak_at": float(curve["customer_share"].iloc[peak]), "unprofitable": float(neg.sum()),
                      "unprofitable_share": float(neg.mean()), "loss": float(curve.loc[neg, "profit"].sum())})


class RankStability(NamedTuple):
    """Transition matrix of value bins between two periods, Spearman's rho and the top bin's stayers."""

    matrix: pd.DataFrame
    spearman: float
    top_stay: float


def rank_stability(first, second, *, n_bins: int = 10) -> RankStability:
    """Is last period's biggest customer still big (B16)? Value bins in two periods and their transitions.

    Parameters
    ----------
    first, second : Series
        Value of each customer in two periods, indexed by customer; a customer
        missing from ``second`` counts as 0 there.
    n_bins : int, default 10
        Number of equal-count bins by ``first`` (deciles, ties broken by order);
        ``second`` is binned at the same customer shares (bin 1 = the top), but
        customers tied there share the bin of the best of them, so that all who
        spent nothing in the second period fall in one bin (not spread over
        several at random).

    Returns
    -------
    RankStability
        ``matrix``: rows = bin in the first period, columns = bin in the second,
        cells = row shares; ``spearman``: rank correlation of the two values;
        ``top_stay``: share of the first period's top bin that is in the top bin again.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.Series([10.0, 8, 6, 4], index=list("abcd"))
    >>> b = pd.Series([9.0, 1, 7, 5], index=list("abcd"))
    >>> rs = rank_stability(a, b, n_bins=2)
    >>> rs.top_stay, round(rs.spearman, 2)
    (0.5, 0.4)
    """
    check_number(n_bins, "n_bins", min_value=2, integer=True)
    a = _numbers(first, "first")
    b = _numbers(second, "second").reindex(a.index).fillna(0.0)
    if len(a) < n_bins:
        raise CRMInputError(f"argument `first`: needs at least n_bins={n_bins} customers; found {len(a)}.")

    def bins(v, method):  # 1 = top
        rank = v.rank(ascending=False, method=method).to_numpy()
        return np.ceil(rank / len(v) * n_bins).astype(int)

    ba, bb = bins(a, "first"), bins(b, "min")
    matrix = pd.crosstab(pd.Series(ba, name="first period bin"), pd.Series(bb, name="second period bin"),
                         normalize="index")
    return RankStability(matrix, float(spearmanr(a, b).statistic), float(matrix.loc[1].get(1, 0.0)))


def scorecard(prospects: pd.DataFrame, weights: Mapping[str, float]) -> pd.Series:
    """Weighted prospect score: sum of weight x percentile rank of each criterion, over the sum of weights.

    Parameters
    ----------
    prospects : DataFrame
        One row per prospect with a numeric column per criterion (higher = better;
        negate a column where lower is better).
    weights : mapping
        Criterion column -> weight (>= 0, not all 0), e.g. ability, willingness, credit (E09).

    Returns
    -------
    Series
        Score in (0, 1] on the input's index.

    Notes
    -----
    .. math:: s_i = \\frac{\\sum_j w_j\\, r_{ij}}{\\sum_j w_j}

    with :math:`r_{ij}` the percentile rank (ties averaged) of prospect *i* on criterion *j*.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"income": [1, 2, 3, 4], "policies": [4, 3, 2, 1]})
    >>> scorecard(p, {"income": 3, "policies": 1}).tolist()
    [0.4375, 0.5625, 0.6875, 0.8125]
    """
    check_dataframe(prospects, arg="prospects")
    require_columns(prospects, list(weights), arg="prospects")
    w = pd.Series(weights, dtype=float)
    if (w < 0).any() or not w.sum() > 0:
        raise CRMInputError(f"argument `weights`: weights must be >= 0 and not all 0; found {dict(weights)}.")
    ranks = pd.DataFrame({c: check_numeric(prospects, c, arg="prospects").rank(pct=True) for c in w.index})
    return (ranks * w).sum(axis=1) / w.sum()


def scorecard_stability(prospects: pd.DataFrame, weights: Mapping[str, float], *, top_share: float = 0.1,
                        sd: float = 0.3, n_draws: int = 200, seed: int = 0) -> pd.Series:
    """How stable is the target list when the weights are uncertain? Overlap of top lists under perturbed weights.

    Each draw multiplies every weight by an independent lognormal factor
    (log sd ``sd``) and recomputes the top ``top_share`` of prospects.

    Returns
    -------
    Series
        One number per draw: the share of the original top list that is also in
        the perturbed top list (1 = the same list).

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"x": range(100), "y": range(100)})
    >>> float(scorecard_stability(p, {"x": 1, "y": 1}, n_draws=20).min())   # criteria agree: the list never moves
    1.0
    """
    check_probability(top_share, "top_share", allow_zero=False)
    check_number(sd, "sd", min_value=0)
    check_number(n_draws, "n_draws", min_value=1, integer=True)
    rng = np.random.default_rng(int(check_number(seed, "seed", min_value=0, integer=True)))
    k = max(int(round(top_share * len(prospects))), 1)
    base = set(scorecard(prospects, weights).nlargest(k).index)
    w = pd.Series(weights, dtype=float)
    out = []
    for _ in range(int(n_draws)):
        drawn = (w * np.exp(sd * rng.standard_normal(len(w)))).to_dict()
        out.append(len(base & set(scorecard(prospects, drawn).nlargest(k).index)) / k)
    return pd.Series(out, name="top_list_overlap")


def contact_value(success_rate: float, margin: float, cost: float) -> float:
    """Expected value of one sales contact: success rate x margin - cost of the contact.

    Parameters
    ----------
    success_rate : float
        Chance the contact ends in a sale (the MBA chapter, C94: 15% with a new customer,
        50% or more with an existing one).
    margin : float
        Profit of a sale.
    cost : float
        Cost of the contact.

    Examples
    --------
    >>> contact_value(0.15, 1000, 100), contact_value(0.5, 1000, 100)
    (50.0, 400.0)
    """
    check_probability(success_rate, "success_rate")
    check_number(margin, "margin")
    check_number(cost, "cost", min_value=0)
    return float(success_rate * margin - cost)


def simulate_cost_to_serve(n: int, *, seed: int = 0, cost_per_call: float = 10.0, fixed_cost: float = 25.0,
                           unrecorded_sd: float = 3.0) -> pd.DataFrame:
    """Customers whose true cost to serve is known, for checking that a whale curve finds the loss-makers.

    Revenue is gamma-distributed around 60 a month; service calls are Poisson with
    a gamma-mixed rate (a few customers call very often), and customers who call
    more spend a little less. The true cost is ``fixed_cost + cost_per_call x
    calls`` plus an unrecorded cost (normal, sd ``unrecorded_sd``) that no cost
    driver sees.

    Returns
    -------
    DataFrame
        ``revenue``, ``service_calls``, ``true_cost`` and ``true_profit``.

    Examples
    --------
    >>> d = simulate_cost_to_serve(1000, seed=1)
    >>> bool((d["true_profit"] < 0).any() and (d["true_profit"] > 0).any())
    True
    """
    check_number(n, "n", min_value=10, integer=True)
    check_number(cost_per_call, "cost_per_call", min_value=0)
    check_number(fixed_cost, "fixed_cost", min_value=0)
    check_number(unrecorded_sd, "unrecorded_sd", min_value=0)
    rng = np.random.default_rng(int(check_number(seed, "seed", min_value=0, integer=True)))
    n = int(n)
    calls = rng.poisson(rng.gamma(0.8, 2.0, n))
    revenue = rng.gamma(36.0, 60.0 / 36.0, n) - 1.0 * calls
    cost = fixed_cost + cost_per_call * calls + unrecorded_sd * rng.standard_normal(n)
    return pd.DataFrame({"revenue": revenue, "service_calls": calls, "true_cost": cost,
                         "true_profit": revenue - cost})
