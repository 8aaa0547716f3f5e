"""Targeted campaigns (精准营销): break-even response rate, profit over mailing depth, the best depth.

Direct mail reaches many but costs much and gets a low response unless the
offer is attractive (the slides, C45); targeting should not be carpet-bombing
(不应是地毯式轰炸, the MBA chapter, D41). A response model ranks prospects; the profit
curve says how deep down that ranking to mail.

Examples
--------
A piece costs 2 and a responder brings 50: mail whoever responds with
probability above 4%.

>>> break_even_rate(2.0, 50.0)
0.04
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import CRMInputError, check_number, check_numeric, require_columns

__all__ = ["best_depth", "break_even_rate", "profit_bootstrap", "profit_curve", "simulate_prospects"]


def break_even_rate(cost_per_piece: float, margin_per_responder: float) -> float:
    """Response rate at which mailing one more piece breaks even: cost per piece / margin per responder.

    Examples
    --------
    >>> break_even_rate(1.5, 30.0)
    0.05
    """
    check_number(cost_per_piece, "cost_per_piece", min_value=0)
    check_number(margin_per_responder, "margin_per_responder", min_value=0, strict=True)
    return float(cost_per_piece / margin_per_responder)


def profit_curve(response, score, *, cost_per_piece: float, margin_per_responder: float,
                 fixed_cost: float = 0.0) -> pd.DataFrame:
    """Profit of mailing the top *k* prospects by score, for every depth *k* = 0..n.

    Parameters
    ----------
    response : array-like
        Outcome of each prospect (1 = responded) or, for an expected-profit curve,
        its true response probability.
    score : array-like
        Model score; higher = mail first (ties keep input order).
    cost_per_piece, margin_per_responder : float
        Cost of one piece; margin of one response.
    fixed_cost : float, default 0
        Campaign cost paid whenever anything is mailed.

    Returns
    -------
    DataFrame
        Indexed by depth *k*: ``share`` (k / n), ``responders`` (cumulative
        response), ``response_rate`` of the mailed, ``profit`` = margin x responders
        - cost x k - fixed cost (0 at k = 0).

    Notes
    -----
    .. math:: \\Pi(k) = m \\sum_{i \\le k} y_{(i)} - c\\,k - F\\,[k > 0]

    Mailing one more prospect with response probability *p* adds :math:`m p - c`,
    so with the true probabilities the expected profit peaks where *p* falls
    below the break-even rate *c / m*.

    Examples
    --------
    >>> profit_curve([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1], cost_per_piece=1, margin_per_responder=3)["profit"].tolist()
    [0.0, 2.0, 1.0, 3.0, 2.0]
    """
    y = np.asarray(response, dtype=float).ravel()
    s = np.asarray(score, dtype=float).ravel()
    if y.shape != s.shape or len(y) == 0:
        raise CRMInputError(f"arguments `response` and `score`: need the same non-zero length; found {len(y)} "
                            f"and {len(s)}. Pass one score per prospect.")
    if np.isnan(y).any() or np.isnan(s).any() or (y < 0).any() or (y > 1).any():
        raise CRMInputError("argument `response`: values must be 0/1 outcomes or probabilities in [0, 1], "
                            "and scores must not be missing. Drop or fill the missing rows.")
    check_number(cost_per_piece, "cost_per_piece", min_value=0)
    check_number(margin_per_responder, "margin_per_responder", min_value=0, strict=True)
    check_number(fixed_cost, "fixed_cost", min_value=0)
    order = np.argsort(-s, kind="stable")
    k = np.arange(len(y) + 1)
    responders = np.concatenate([[0.0], np.cumsum(y[order])])
    profit = margin_per_responder * responders - cost_per_piece * k - fixed_cost * (k > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(k > 0, responders / k, np.nan)
    return pd.DataFrame({"share": k / len(y), "responders": responders, "response_rate": rate, "profit": profit},
                        index=pd.Index(k, name="depth"))


def best_depth(curve: pd.DataFrame) -> int:
    """The depth (number mailed) of highest profit on a :func:`profit_curve`; the smallest if tied.

    Examples
    --------
    >>> best_depth(profit_curve([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1], cost_per_piece=1, margin_per_responder=3))
    3
    """
    require_columns(curve, ["profit"], arg="curve")
    return int(check_numeric(curve, "profit", arg="curve").idxmax())


def profit_bootstrap(response, score, *, cost_per_piece: float, margin_per_responder: float, depth_share: float,
                     n_boot: int = 500, seed: int = 0) -> pd.DataFrame:
    """Bootstrap the profit curve: how sure are the best depth, its profit and the profit of a chosen depth?

    Each draw resamples the prospects with replacement, recomputes :func:`profit_curve`
    and records its best depth and the profit at a fixed share mailed.

    Parameters
    ----------
    response, score : array-like
        As for :func:`profit_curve` (outcomes and model scores of a held-out set).
    cost_per_piece, margin_per_responder : float
    depth_share : float
        The share mailed that was chosen (e.g. the best share on the full set), 0-1.
    n_boot : int, default 500
    seed : int, default 0

    Returns
    -------
    DataFrame
        One row per draw: ``best_share`` (best depth / n), ``best_profit``,
        ``profit_at_share`` (profit when the top ``depth_share`` is mailed) and
        ``mail_all_profit``. Quantiles 2.5% and 97.5% of a column give a 95% interval
        (the percentile bootstrap, Efron & Tibshirani 1993; textbook statistics).

    Examples
    --------
    >>> b = profit_bootstrap([1, 0, 0, 1, 0, 0, 0, 0], [.9, .8, .7, .6, .5, .4, .3, .2], cost_per_piece=1,
    ...                      margin_per_responder=4, depth_share=0.5, n_boot=50)
    >>> list(b.columns), len(b)
    (['best_share', 'best_profit', 'profit_at_share', 'mail_all_profit'], 50)
    """
    y = np.asarray(response, dtype=float).ravel()
    s = np.asarray(score, dtype=float).ravel()
    profit_curve(y, s, cost_per_piece=cost_per_piece, margin_per_responder=margin_per_responder)  # checks
    check_number(depth_share, "depth_share", min_value=0, max_value=1)
    check_number(n_boot, "n_boot", min_value=1, integer=True)
    rng = np.random.default_rng(int(check_number(seed, "seed", min_value=0, integer=True)))
    n = len(y)
    k = int(round(depth_share * n))
    rows = []
    for _ in range(int(n_boot)):
        i = rng.integers(0, n, n)
        c = profit_curve(y[i], s[i], cost_per_piece=cost_per_piece, margin_per_responder=margin_per_responder)
        best = int(c["profit"].to_numpy().argmax())
        rows.append((best / n, c["profit"].iloc[best], c["profit"].iloc[k], c["profit"].iloc[-1]))
    return pd.DataFrame(rows, columns=["best_share", "best_profit", "profit_at_share", "mail_all_profit"])


def simulate_prospects(n: int, *, seed: int = 0, base_rate: float = 0.06) -> pd.DataFrame:
    r"""A prospect population with known response probabilities, for checking a chosen mailing depth.

    Four features: ``income`` and ``car_policies`` raise the response, ``age_band``
    (a category, "band 1" to "band 5") raises it in the middle bands, ``noise`` does nothing. The true response
    probability is logistic in them, with the intercept set so that about
    ``base_rate`` respond (Caravan's 6%).

    Returns
    -------
    DataFrame
        ``income``, ``car_policies``, ``age_band``, ``noise``, ``probability``
        (the truth) and ``responded`` (0/1 drawn from it).

    Notes
    -----
    .. math:: \operatorname{logit} p_i = a + 0.9\,\text{income}_i + 0.7\,\text{car}_i
       - 0.3\,(\text{age}_i - 3)^2

    Examples
    --------
    >>> d = simulate_prospects(20_000, seed=1)
    >>> round(float(d["probability"].mean()), 2), round(float(d["responded"].mean()), 2)
    (0.06, 0.06)
    """
    check_number(n, "n", min_value=10, integer=True)
    check_number(base_rate, "base_rate", min_value=0, max_value=0.5, strict=True)
    rng = np.random.default_rng(int(check_number(seed, "seed", min_value=0, integer=True)))
    n = int(n)
    income = rng.standard_normal(n)
    car = rng.poisson(0.6, n).astype(float)
    age = rng.integers(1, 6, n).astype(float)
    noise = rng.standard_normal(n)
    eta = 0.9 * income + 0.7 * (car - 0.6) - 0.3 * (age - 3) ** 2

    def mean_p(a):
        return float(np.mean(1 / (1 + np.exp(-(a + eta)))))

    lo, hi = -15.0, 5.0   # bisection for the intercept that gives the base rate
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if mean_p(mid) < base_rate else (lo, mid)
    p = 1 / (1 + np.exp(-((lo + hi) / 2 + eta)))
    bands = pd.Categorical([f"band {int(a)}" for a in age], categories=[f"band {i}" for i in range(1, 6)])
    return pd.DataFrame({"income": income, "car_policies": car, "age_band": bands, "noise": noise,
                         "probability": p, "responded": (rng.random(n) < p).astype(int)})
