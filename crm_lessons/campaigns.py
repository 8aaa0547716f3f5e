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

__all__ = ["best_depth", "break_even_rate", "profit_curve"]


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
