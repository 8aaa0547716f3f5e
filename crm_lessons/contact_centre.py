"""Contact-centre operations (客户服务中心): arrival forecasts, profit-optimal staffing, mystery calls.

The Erlang C formulas and the queue simulation live in :mod:`crm_lessons.callcenter`;
this module adds what the training outline's checklist asks of a call centre:

* :func:`forecast_arrivals` -- calls per weekday and time slot from past weeks,
  judged on later **holdout weeks** against a naive "same slot last week" forecast;
* :func:`profit_staffing` -- when incoming calls are sales opportunities, the
  number of agents that maximises margin from answered calls minus wages;
* :func:`mystery_call_sample_size` and :func:`two_proportion_test` -- how many
  mystery calls give the "answer obtained" rate within a margin, and whether our
  centre differs from a competitor's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from crm_lessons._validation import CRMInputError, check_number, check_probability
from crm_lessons.callcenter import service_level
from crm_lessons.tables import CALLS

__all__ = ["forecast_arrivals", "profit_staffing", "mystery_call_sample_size", "two_proportion_test",
           "wilson_interval"]


def forecast_arrivals(calls: pd.DataFrame, *, holdout_weeks: int = 4, time_col: str = "time",
                      calls_col: str = "calls") -> pd.DataFrame:
    """Forecast each slot's calls by the mean of the same weekday and time in the training weeks.

    The last ``holdout_weeks`` weeks (counted back from the last day, whole ISO
    weeks) are held out; the forecast of a holdout slot is the mean of the same
    weekday and time of day over all earlier weeks. The naive benchmark is the
    same slot one week before.

    Parameters
    ----------
    calls : DataFrame
        One row per time slot: ``time_col`` (timestamp) and ``calls_col`` (count).
    holdout_weeks : int, default 4
        Weeks at the end kept for checking.
    time_col, calls_col : str
        Column names.

    Returns
    -------
    DataFrame
        The holdout slots: ``time, weekday, slot, actual, forecast, naive``;
        ``attrs``: ``wape`` and ``wape_naive`` (weighted absolute percentage
        error :math:`\\sum|y-\\hat y| / \\sum y`), ``mae``, ``profile`` (the
        training means, weekday x slot) and ``train_weeks``.

    Examples
    --------
    >>> days = pd.date_range("2024-01-01", periods=21, freq="D")
    >>> t = (days + pd.Timedelta(hours=9)).append(days + pd.Timedelta(hours=10)).sort_values()
    >>> df = pd.DataFrame({"time": t, "calls": np.where(t.hour == 9, 10, 20)})
    >>> f = forecast_arrivals(df, holdout_weeks=1)
    >>> f.attrs["wape"], len(f)
    (0.0, 14)
    """
    check_number(holdout_weeks, "holdout_weeks", min_value=1, integer=True)
    t = CALLS.read(calls, arg="calls", time_col=time_col, calls_col=calls_col)
    week = t["time"].dt.to_period("W")
    weeks = np.sort(week.unique())
    if len(weeks) <= holdout_weeks:
        raise CRMInputError(f"argument `holdout_weeks`: must leave training weeks; found {holdout_weeks} "
                            f"of {len(weeks)} weeks. Hold out fewer weeks.")
    hold = week.isin(weeks[-int(holdout_weeks):])
    frame = pd.DataFrame({"time": t["time"], "weekday": t["time"].dt.day_name(),
                          "slot": t["time"].dt.strftime("%H:%M"), "actual": t["calls"]})
    profile = frame[~hold].groupby(["weekday", "slot"])["actual"].mean()
    out = frame[hold].copy()
    out["forecast"] = profile.reindex(pd.MultiIndex.from_frame(out[["weekday", "slot"]])).to_numpy()
    last_week = frame.set_index("time")["actual"]
    out["naive"] = last_week.reindex(out["time"] - pd.Timedelta(days=7)).to_numpy()
    out = out.reset_index(drop=True)
    ok = out["forecast"].notna()
    ok_naive = ok & out["naive"].notna()
    out.attrs["wape"] = float((out.loc[ok, "actual"] - out.loc[ok, "forecast"]).abs().sum()
                              / out.loc[ok, "actual"].sum())
    out.attrs["wape_naive"] = float((out.loc[ok_naive, "actual"] - out.loc[ok_naive, "naive"]).abs().sum()
                                    / out.loc[ok_naive, "actual"].sum())
    out.attrs["mae"] = float((out.loc[ok, "actual"] - out.loc[ok, "forecast"]).abs().mean())
    out.attrs["profile"] = profile.unstack("slot")
    out.attrs["train_weeks"] = int(len(weeks) - holdout_weeks)
    return out


def profit_staffing(*, calls: float, interval: float, aht: float, patience: float, sale_rate: float,
                    margin: float, wage: float, max_agents: int | None = None) -> pd.DataFrame:
    """Profit of each number of agents when answered calls can become sales.

    A caller waits at most ``patience``; the share answered with :math:`N`
    agents is approximated by the Erlang C probability of waiting no longer than
    that, :math:`P(W \\le T_p)` (callers who would wait longer hang up). Then

    .. math:: \\pi(N) = \\lambda \\, P(W \\le T_p) \\, s \\, m - N w ,

    with :math:`\\lambda` calls in the interval, sale rate :math:`s`, margin
    :math:`m` per sale and wage :math:`w` per agent and interval. (The Erlang C
    approximation ignores that hang-ups shorten the queue; Erlang A models that
    exactly -- Garnett, Mandelbaum & Reiman, 2002.)

    Parameters
    ----------
    calls, interval, aht : float
        Calls in the interval, its length and the handle time (same time unit).
    patience : float
        Longest wait a caller accepts (same unit).
    sale_rate : float
        Share of answered calls that buy.
    margin : float
        Margin per sale.
    wage : float
        Cost of one agent for the interval.
    max_agents : int, optional
        Largest staffing tried; default traffic + 30.

    Returns
    -------
    DataFrame
        ``agents, answered_share, sales, margin_total, wages, profit``, for every
        stable staffing (more agents than the traffic); ``attrs["best"]`` is the
        row of the highest profit.

    Examples
    --------
    >>> p = profit_staffing(calls=100, interval=1800, aht=180, patience=60, sale_rate=0.1,
    ...                     margin=200, wage=60)
    >>> int(p.attrs["best"]["agents"])
    14
    """
    for name, v in (("calls", calls), ("interval", interval), ("aht", aht), ("patience", patience),
                    ("margin", margin), ("wage", wage)):
        check_number(v, name, min_value=0, strict=name in ("interval", "aht"))
    check_probability(sale_rate, "sale_rate")
    traffic = calls * aht / interval
    top = int(np.floor(traffic)) + 30 if max_agents is None else int(max_agents)
    rows = []
    for n in range(int(np.floor(traffic)) + 1, top + 1):
        share = service_level(n, traffic, aht=aht, answer_time=patience) if traffic > 0 else 1.0
        sales = calls * share * sale_rate
        rows.append((n, share, sales, sales * margin, n * wage, sales * margin - n * wage))
    if not rows:
        raise CRMInputError(f"argument `max_agents`: must exceed the traffic {traffic:.3g} erlangs; "
                            f"found {max_agents}. Allow more agents.")
    out = pd.DataFrame(rows, columns=["agents", "answered_share", "sales", "margin_total", "wages", "profit"])
    out.attrs["best"] = out.loc[out["profit"].idxmax()]
    return out


def wilson_interval(successes: int, n: int, *, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion (Wilson, 1927).

    Examples
    --------
    >>> [round(x, 4) for x in wilson_interval(8, 10)]
    [0.4902, 0.9433]
    """
    check_number(n, "n", min_value=1, integer=True)
    check_number(successes, "successes", min_value=0, max_value=n)
    check_probability(level, "level", allow_zero=False, allow_one=False)
    z = norm.ppf(0.5 + level / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(centre - half), float(centre + half)


def mystery_call_sample_size(p: float, margin: float, *, level: float = 0.95, method: str = "wilson") -> int:
    """Fewest mystery calls so that the interval of a rate is at most ``± margin`` wide.

    ``method="wald"``: :math:`n = \\lceil z^2 p (1-p) / e^2 \\rceil` (the textbook
    formula; 385 for p = 0.5, e = 0.05, 95%). ``method="wilson"``: the smallest
    :math:`n` whose Wilson interval at the expected rate has half-width at most :math:`e`.

    Parameters
    ----------
    p : float
        Expected rate (e.g. share of calls where the caller obtained an answer).
    margin : float
        Wanted half-width, e.g. 0.05 for ±5 points.
    level : float, default 0.95
        Confidence level.
    method : {"wilson", "wald"}

    Returns
    -------
    int

    Examples
    --------
    >>> mystery_call_sample_size(0.5, 0.05, method="wald")
    385
    >>> mystery_call_sample_size(0.8, 0.05)
    245
    """
    check_probability(p, "p")
    check_probability(margin, "margin", allow_zero=False)
    if method not in ("wilson", "wald"):
        raise CRMInputError(f"argument `method`: must be 'wilson' or 'wald'; found {method!r}.")
    z = norm.ppf(0.5 + level / 2)
    wald = int(np.ceil(z * z * p * (1 - p) / margin ** 2 - 1e-9))
    if method == "wald":
        return max(wald, 1)
    n = 1
    while True:
        lo, hi = wilson_interval(p * n, n, level=level) if p * n <= n else (0, 1)
        if (hi - lo) / 2 <= margin:
            return n
        n += 1


def two_proportion_test(k1: int, n1: int, k2: int, n2: int) -> dict:
    """Two-sided z-test that two rates are equal (pooled standard error).

    :math:`z = (\\hat p_1 - \\hat p_2) / \\sqrt{\\bar p (1-\\bar p)(1/n_1 + 1/n_2)}`,
    :math:`\\bar p = (k_1 + k_2)/(n_1 + n_2)`.

    Returns
    -------
    dict
        ``p1, p2, difference, z, p_value``.

    Examples
    --------
    >>> r = two_proportion_test(160, 200, 140, 200)
    >>> round(r["z"], 3), round(r["p_value"], 4)
    (2.309, 0.0209)
    """
    for name, k, n in (("k1", k1, n1), ("k2", k2, n2)):
        check_number(n, name.replace("k", "n"), min_value=1, integer=True)
        check_number(k, name, min_value=0, max_value=n)
    p1, p2 = k1 / n1, k2 / n2
    pool = (k1 + k2) / (n1 + n2)
    se = np.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2))
    z = (p1 - p2) / se if se > 0 else 0.0
    return {"p1": p1, "p2": p2, "difference": p1 - p2, "z": float(z), "p_value": float(2 * norm.sf(abs(z)))}
