"""Relationship maintenance and loyalty programmes (客户关系维护与忠诚计划): lesson 10.2.

* :func:`wave_change` and :func:`wave_sample_size` -- the satisfaction feedback
  loop (设计问卷 -> 定期调查 -> 分析 -> 反馈与改进): is a change in NPS or CSAT between
  two survey waves real, and how many respondents per wave detect a given change;
* :func:`simulate_programme` and :func:`programme_effects` -- a points programme
  (会员制度和积分奖励计划) evaluated three ways on data with a known true effect:
  a randomised holdout, the naive member vs non-member comparison, and
  difference-in-differences.

NPS and CSAT themselves are :func:`crm_lessons.satisfaction.nps` and
:func:`~crm_lessons.satisfaction.csat`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from crm_lessons._validation import CRMInputError, check_choice, check_dataframe, check_number, check_probability
from crm_lessons._validation import require_columns
from crm_lessons.satisfaction import csat, nps
from crm_lessons.simulate._base import Simulated, rng_from

__all__ = ["programme_effects", "simulate_programme", "wave_change", "wave_sample_size"]


def wave_change(before: pd.DataFrame, after: pd.DataFrame, *, metric: str = "nps", level: float = 0.95,
                **kwargs) -> pd.Series:
    """Change of NPS or CSAT between two independent survey waves, with a CI and a test (调查波次比较).

    Parameters
    ----------
    before, after : DataFrame
        The two waves' answers (independent samples of respondents).
    metric : {"nps", "csat"}, default "nps"
        NPS in points (:func:`~crm_lessons.satisfaction.nps`) or CSAT as a
        share (:func:`~crm_lessons.satisfaction.csat`).
    level : float, default 0.95
        Confidence level.
    **kwargs
        Passed to the metric (``recommend_col``, ``satisfaction_col``, ``scale``...).

    Returns
    -------
    Series
        ``before``, ``after``, ``change``, ``se``, ``ci_low``, ``ci_high``,
        ``z`` and ``p_value`` (two-sided), ``n_before``, ``n_after``.

    Notes
    -----
    .. math:: \\widehat{\\Delta} = \\hat m_2 - \\hat m_1,\\qquad
              \\mathrm{se}(\\widehat\\Delta) = \\sqrt{\\mathrm{se}_1^2 + \\mathrm{se}_2^2}

    with the multinomial variance of NPS (:func:`~crm_lessons.satisfaction.nps`)
    and :math:`p(1-p)/n` for CSAT.

    Examples
    --------
    >>> w1 = pd.DataFrame({"recommend": [10] * 40 + [8] * 30 + [3] * 30})
    >>> w2 = pd.DataFrame({"recommend": [10] * 50 + [8] * 30 + [3] * 20})
    >>> wave_change(w1, w2)[["before", "after", "change", "p_value"]].round(3).tolist()
    [10.0, 30.0, 20.0, 0.079]
    """
    check_choice(metric, "metric", ["nps", "csat"])
    check_dataframe(before, arg="before")
    check_dataframe(after, arg="after")
    column = kwargs.get("recommend_col", "recommend") if metric == "nps" else kwargs.get(
        "satisfaction_col", "overall_satisfaction")
    key = "recommend_col" if metric == "nps" else "satisfaction_col"
    require_columns(before, {key: column}, arg="before")       # named here, not as nps()'s `survey`
    require_columns(after, {key: column}, arg="after")
    z = stats.norm.ppf(0.5 + level / 2)
    if metric == "nps":
        a, b = nps(before, level=level, **kwargs), nps(after, level=level, **kwargs)
        m1, m2, se1, se2 = a["nps"], b["nps"], a["se"], b["se"]
    else:
        a, b = csat(before, level=level, **kwargs), csat(after, level=level, **kwargs)
        m1, m2 = a["csat"], b["csat"]
        se1, se2 = np.sqrt(m1 * (1 - m1) / a["n"]), np.sqrt(m2 * (1 - m2) / b["n"])
    d, se = m2 - m1, float(np.hypot(se1, se2))
    zval = d / se if se > 0 else np.nan
    return pd.Series({"before": m1, "after": m2, "change": d, "se": se, "ci_low": d - z * se, "ci_high": d + z * se,
                      "z": zval, "p_value": float(2 * stats.norm.sf(abs(zval))) if se > 0 else np.nan,
                      "n_before": a["n"], "n_after": b["n"]}, name=metric)


def wave_sample_size(change: float, *, metric: str = "nps", promoters: float = 0.4, detractors: float = 0.2,
                     satisfied: float = 0.6, alpha: float = 0.05, power: float = 0.8) -> int:
    """Respondents per wave needed to detect a change of NPS (points) or CSAT (share) (每波样本量).

    Parameters
    ----------
    change : float
        The smallest change worth detecting: NPS points (e.g. 5) or a CSAT
        share (e.g. 0.05).
    metric : {"nps", "csat"}
    promoters, detractors : float
        Expected shares in a wave (NPS).
    satisfied : float
        Expected CSAT (share satisfied).
    alpha, power : float
        Two-sided significance level and the chance of detecting the change.

    Returns
    -------
    int
        Respondents in *each* of the two waves.

    Notes
    -----
    .. math:: n = \\frac{(z_{1-\\alpha/2} + z_{\\text{power}})^2\\, 2\\sigma^2}{\\Delta^2},

    :math:`\\sigma^2 = p_P + p_D - (p_P - p_D)^2` for NPS (in shares, so
    :math:`\\Delta` = points / 100) and :math:`p(1-p)` for CSAT.

    Examples
    --------
    >>> wave_sample_size(5)
    3517
    >>> wave_sample_size(0.05, metric="csat")
    1507
    """
    check_choice(metric, "metric", ["nps", "csat"])
    check_number(change, "change", min_value=0, strict=True)
    check_probability(alpha, "alpha", allow_zero=False, allow_one=False)
    check_probability(power, "power", allow_zero=False, allow_one=False)
    if metric == "nps":
        check_probability(promoters, "promoters")
        check_probability(detractors, "detractors")
        if promoters + detractors > 1:
            raise CRMInputError(f"argument `promoters`: promoters + detractors must not exceed 1; found "
                                f"{promoters} + {detractors}. Pass shares of respondents.")
        var, delta = promoters + detractors - (promoters - detractors) ** 2, change / 100
    else:
        check_probability(satisfied, "satisfied")
        var, delta = satisfied * (1 - satisfied), change
    k = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    return int(np.ceil(k ** 2 * 2 * var / delta ** 2))


def simulate_programme(n_customers: int, *, true_effect: float = 1.0, holdout_share: float = 0.2,
                       selection: float = 1.5, trend: float = 0.3, seed: int = 0) -> Simulated:
    """Draw a points programme's customers, with a randomised holdout and a known true effect (积分计划).

    Parameters
    ----------
    n_customers : int
        Customers.
    true_effect : float, default 1.0
        Extra purchases in the after period caused by membership (the truth).
    holdout_share : float, default 0.2
        Share of customers randomly kept out of the offer (the holdout).
    selection : float, default 1.5
        How strongly heavy buyers self-select into the programme (0 = joining
        is unrelated to buying).
    trend : float, default 0.3
        Purchases added to everyone's rate in the after period (a market trend).
    seed : int, default 0
        Random seed.

    Returns
    -------
    Simulated
        ``data``: one row per customer: ``customer_id``, ``offered`` (not in the
        holdout), ``member`` (joined; only offered customers can join),
        ``before`` and ``after`` (purchases in the periods before and after the
        launch). ``truth``: the arguments and ``rate`` (each customer's own
        purchase rate).

    Notes
    -----
    Rate :math:`\\lambda_i \\sim \\text{Gamma}(2, 1.5)`; before :math:`\\sim
    \\text{Poisson}(\\lambda_i)`; an offered customer joins with probability
    :math:`\\text{logistic}(-0.5 + \\text{selection}\\,(\\log\\lambda_i - \\overline{\\log\\lambda}))`;
    after :math:`\\sim \\text{Poisson}(\\lambda_i + \\text{trend} + \\text{effect}\\cdot\\text{member}_i)`.
    The trend is additive, so before/after changes are parallel without the
    programme: the assumption difference-in-differences needs.

    Examples
    --------
    >>> data, truth = simulate_programme(1000, seed=1)
    >>> list(data.columns)
    ['customer_id', 'offered', 'member', 'before', 'after']
    >>> int(data["member"].sum()), int((~data["offered"]).sum())
    (327, 184)
    """
    check_number(n_customers, "n_customers", min_value=10, integer=True)
    check_number(true_effect, "true_effect")
    check_probability(holdout_share, "holdout_share", allow_zero=False, allow_one=False)
    check_number(selection, "selection")
    check_number(trend, "trend", min_value=0)
    rng = rng_from(seed)
    rate = rng.gamma(2.0, 1.5, size=n_customers)
    before = rng.poisson(rate)
    offered = rng.random(n_customers) >= holdout_share
    log_rate = np.log(rate)
    p_join = 1 / (1 + np.exp(-(-0.5 + selection * (log_rate - log_rate.mean()))))
    member = offered & (rng.random(n_customers) < p_join)
    after = rng.poisson(np.maximum(rate + trend + true_effect * member, 0))
    data = pd.DataFrame({"customer_id": np.arange(1, n_customers + 1), "offered": offered, "member": member,
                         "before": before, "after": after})
    truth = {"n_customers": n_customers, "true_effect": true_effect, "holdout_share": holdout_share,
             "selection": selection, "trend": trend, "rate": rate}
    return Simulated(data=data, truth=truth)


def _diff(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    return float(a.mean() - b.mean()), float(np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size))


def programme_effects(data: pd.DataFrame, *, level: float = 0.95, offered_col: str = "offered",
                      member_col: str = "member", before_col: str = "before", after_col: str = "after") -> pd.DataFrame:
    """The programme's effect on its members, estimated three ways (忠诚计划效果评估).

    Parameters
    ----------
    data : DataFrame
        One row per customer: offered (False = randomised holdout), member
        (joined), purchases before and after the launch.
    level : float, default 0.95
        Confidence level.
    offered_col, member_col, before_col, after_col : str
        Column names.

    Returns
    -------
    DataFrame
        Rows ``randomised holdout``, ``naive member vs non-member``,
        ``difference-in-differences``; columns ``estimate``, ``se``,
        ``ci_low``, ``ci_high``.

    Raises
    ------
    CRMInputError
        If a group (holdout, offered, members, offered non-members) is empty.

    Notes
    -----
    * Holdout: the offer's effect on everyone offered, divided by the share who
      joined (holdout customers cannot join):
      :math:`(\\overline{\\Delta y}_{\\text{offered}} - \\overline{\\Delta y}_{\\text{holdout}}) / \\hat\\pi_{\\text{join}}`,
      with :math:`\\Delta y` = after - before. Randomisation makes it unbiased for
      the effect on members; using the change rather than the after-period level
      removes each customer's stable purchase rate and narrows the interval.
    * Naive: :math:`\\bar y_{\\text{member}} - \\bar y_{\\text{non-member}}`,
      biased when heavy buyers join.
    * Difference-in-differences among the offered:
      :math:`(\\bar y^{a} - \\bar y^{b})_{\\text{member}} - (\\bar y^{a} - \\bar y^{b})_{\\text{non-member}}`,
      unbiased if both groups would have changed alike without the programme.

    References
    ----------
    Bloom, H. S. (1984). Accounting for no-shows in experimental evaluation
    designs. *Evaluation Review*, 8(2), 225-246 (textbook method, not in the
    course material).

    Examples
    --------
    >>> data, truth = simulate_programme(20000, true_effect=1.0, seed=3)
    >>> programme_effects(data)["estimate"].round(2).tolist()
    [1.23, 2.69, 1.12]
    """
    check_dataframe(data, arg="data")
    require_columns(data, {"offered_col": offered_col, "member_col": member_col, "before_col": before_col,
                           "after_col": after_col}, arg="data")
    offered = data[offered_col].astype(bool).to_numpy()
    member = data[member_col].astype(bool).to_numpy()
    if (member & ~offered).any():
        raise CRMInputError(f"argument `data`, column '{member_col}': holdout customers cannot be members; found "
                            f"{int((member & ~offered).sum())}. Check the offered and member flags.")
    y = data[after_col].to_numpy(float)
    change = y - data[before_col].to_numpy(float)
    groups = {"holdout": ~offered, "offered": offered, "members": member, "offered non-members": offered & ~member}
    empty = [k for k, g in groups.items() if g.sum() < 2]
    if empty:
        raise CRMInputError(f"argument `data`: needs at least two customers in each group; found too few {empty[0]}. "
                            "A holdout evaluation needs a randomised holdout and both joiners and non-joiners.")
    join = member[offered].mean()
    itt, itt_se = _diff(change[offered], change[~offered])
    rows = {"randomised holdout": (itt / join, itt_se / join),
            "naive member vs non-member": _diff(y[member], y[~member]),
            "difference-in-differences": _diff(change[member], change[offered & ~member])}
    z = stats.norm.ppf(0.5 + level / 2)
    out = pd.DataFrame(rows, index=["estimate", "se"]).T
    out["ci_low"] = out["estimate"] - z * out["se"]
    out["ci_high"] = out["estimate"] + z * out["se"]
    out.index.name = "method"
    return out
