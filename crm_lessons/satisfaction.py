"""Customer satisfaction (客户满意度): gaps, indices, CSAT, NPS, IPA and drivers.

The course defines satisfaction as the customer's experience minus the
customer's expectation (客户满意度 = 客户体验 − 客户期望). This module turns a
survey into the numbers a manager reads:

* :func:`satisfaction_gaps` / :func:`gap_table` — experience − expectation per
  attribute and respondent, and its summary;
* :func:`likert_index` — Likert items to a 0–100 index (reverse-coded items);
* :func:`csat` and :func:`nps` — top-2-box satisfaction and Net Promoter Score
  with confidence intervals;
* :func:`satisfaction_indicators` — the course's seven indicators (美誉度,
  指名度, 回头率, 投诉率, 单次交易的购买额, 对价格变化的敏感度, 推荐率);
* :func:`importance_performance` / :func:`plot_importance_performance` —
  importance–performance analysis (IPA);
* :class:`DriverAnalysis` — regression of overall satisfaction on its drivers,
  with standardised coefficients and relative importance (Shapley/LMG and
  Johnson's relative weights).

Survey columns follow :func:`crm_lessons.simulate.simulate_survey`:
``<attribute>_expectation``, ``<attribute>_experience``, ``<attribute>_importance``,
``overall_satisfaction`` (1–7) and ``recommend`` (0–10).
"""

from __future__ import annotations

from itertools import combinations
from math import factorial

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import BaseEstimator, RegressorMixin

from crm_lessons._validation import (
    CRMInputError,
    check_choice,
    check_seed,
    check_dataframe,
    check_fitted,
    check_number,
    check_numeric,
    check_probability,
    require_columns,
)

__all__ = [
    "DriverAnalysis",
    "IPA_QUADRANTS",
    "csat",
    "gap_table",
    "importance_performance",
    "likert_index",
    "nps",
    "plot_importance_performance",
    "satisfaction_gaps",
    "satisfaction_indicators",
]

#: IPA quadrants (Martilla & James 1977): (high importance?, high performance?) -> labels.
IPA_QUADRANTS = {
    (True, False): ("Concentrate here", "重点改进区"),
    (True, True): ("Keep up the good work", "继续保持区"),
    (False, False): ("Low priority", "低优先区"),
    (False, True): ("Possible overkill", "过度投入区"),
}


# --------------------------------------------------------------------------- helpers
def _require_listed(df: pd.DataFrame, names, *, list_arg: str, arg: str = "data", what=None) -> None:
    """Check that every column of a list argument (items, drivers, attributes) is in ``df``."""
    for name in names:
        if name not in df.columns:
            owner = what(name) if what else f"listed in {list_arg}"
            raise CRMInputError(
                f"argument `{arg}`: column '{name}' ({owner}) is missing; found columns "
                f"{list(map(str, df.columns))}. Check the spelling in {list_arg}."
            )


def _attributes(survey: pd.DataFrame, attributes, suffixes) -> list[str]:
    """Attributes named, or all that have a column for every suffix."""
    if attributes is None:
        first = suffixes[0]
        attributes = [c[: -len(first)] for c in survey.columns
                      if isinstance(c, str) and c.endswith(first)]
        attributes = [a for a in attributes if all(f"{a}{s}" in survey.columns for s in suffixes)]
        if not attributes:
            raise CRMInputError(
                f"argument `survey`: no attribute columns ending in {list(suffixes)}; found columns "
                f"{list(map(str, survey.columns))}. Name them like 'service{suffixes[0]}' or pass "
                "attributes=[...] and the suffix arguments."
            )
        return attributes
    if isinstance(attributes, str):
        attributes = [attributes]
    attributes = list(attributes)
    if not attributes:
        raise CRMInputError("argument `attributes`: needs at least one attribute; found []. "
                            "Pass e.g. attributes=['service'] or None to detect them.")
    for a in attributes:
        _require_listed(survey, [f"{a}{s}" for s in suffixes], list_arg="attributes or the *_suffix arguments",
                        arg="survey", what=lambda name, a=a: f"for attribute '{a}'")
    return attributes


def _z(level: float) -> float:
    check_probability(level, "level", allow_zero=False, allow_one=False)
    return float(stats.norm.ppf(0.5 + level / 2))


def _scale(scale) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in scale)
    except (TypeError, ValueError):
        raise CRMInputError(f"argument `scale`: must be (lowest, highest) category; found {scale!r}. "
                            "Pass e.g. scale=(1, 7).") from None
    if not hi > lo:
        raise CRMInputError(f"argument `scale`: highest must exceed lowest; found {scale!r}. "
                            "Pass e.g. scale=(1, 7).")
    return lo, hi


def _items(survey, col, col_arg, lo, hi) -> pd.Series:
    return check_numeric(survey, col, arg="survey", col_arg=col_arg, min_value=lo, max_value=hi)


# --------------------------------------------------------------------------- gaps
def satisfaction_gaps(survey: pd.DataFrame, *, attributes=None, expectation_suffix: str = "_expectation",
                      experience_suffix: str = "_experience", keep=()) -> pd.DataFrame:
    """Experience minus expectation per respondent and attribute (满意度 = 体验 − 期望).

    Parameters
    ----------
    survey : DataFrame
        One row per respondent.
    attributes : list of str, optional
        Attributes to use; default all with both an expectation and an experience column.
    expectation_suffix, experience_suffix : str
        Column suffixes: column ``f"{attribute}{suffix}"``.
    keep : sequence of str, default ()
        Survey columns to carry along (e.g. ``["overall_satisfaction"]``).

    Returns
    -------
    DataFrame
        One column per attribute holding the gap (positive: the experience
        exceeded the expectation), plus the ``keep`` columns; same index as ``survey``.

    Raises
    ------
    CRMInputError
        If a column is missing or not numeric.

    Notes
    -----
    .. math:: G_{ik} = P_{ik} - E_{ik}

    Examples
    --------
    >>> s = pd.DataFrame({"service_expectation": [6, 4], "service_experience": [5, 6]})
    >>> satisfaction_gaps(s)["service"].tolist()
    [-1.0, 2.0]
    """
    check_dataframe(survey, arg="survey")
    attrs = _attributes(survey, attributes, (expectation_suffix, experience_suffix))
    _require_listed(survey, keep, list_arg="keep", arg="survey")
    out = pd.DataFrame(index=survey.index)
    for a in attrs:
        e = check_numeric(survey, f"{a}{expectation_suffix}", arg="survey")
        p = check_numeric(survey, f"{a}{experience_suffix}", arg="survey")
        out[a] = p - e
    for k in keep:
        out[k] = survey[k]
    return out


def gap_table(survey: pd.DataFrame, *, attributes=None, expectation_suffix: str = "_expectation",
              experience_suffix: str = "_experience", level: float = 0.95) -> pd.DataFrame:
    """Mean expectation, experience and gap per attribute, with a confidence interval.

    Parameters
    ----------
    survey : DataFrame
        One row per respondent.
    attributes, expectation_suffix, experience_suffix
        As :func:`satisfaction_gaps`.
    level : float, default 0.95
        Confidence level of the interval of the mean gap (paired t interval).

    Returns
    -------
    DataFrame
        Index ``attribute``; columns ``expectation, experience, gap, gap_se,
        ci_low, ci_high, share_below`` (share of respondents whose experience
        fell short of the expectation), ``share_above``; sorted by gap, worst first.

    Notes
    -----
    .. math:: \\bar G_k = \\bar P_k - \\bar E_k,\\quad
              \\mathrm{se}(\\bar G_k) = s_{G_k} / \\sqrt{n}

    Examples
    --------
    >>> s = pd.DataFrame({"service_expectation": [6, 4, 5], "service_experience": [5, 6, 5]})
    >>> gap_table(s)[["expectation", "experience", "gap"]].round(2)
               expectation  experience  gap
    attribute
    service            5.0        5.33 0.33
    """
    gaps = satisfaction_gaps(survey, attributes=attributes, expectation_suffix=expectation_suffix,
                             experience_suffix=experience_suffix)
    check_probability(level, "level", allow_zero=False, allow_one=False)
    n = len(gaps)
    rows = {}
    for a in gaps.columns:
        g = gaps[a]
        se = g.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
        t = stats.t.ppf(0.5 + level / 2, n - 1) if n > 1 else np.nan
        rows[a] = {"expectation": survey[f"{a}{expectation_suffix}"].mean(),
                   "experience": survey[f"{a}{experience_suffix}"].mean(),
                   "gap": g.mean(), "gap_se": se, "ci_low": g.mean() - t * se, "ci_high": g.mean() + t * se,
                   "share_below": (g < 0).mean(), "share_above": (g > 0).mean()}
    out = pd.DataFrame.from_dict(rows, orient="index").sort_values("gap", kind="stable")
    out.index.name = "attribute"
    return out


# --------------------------------------------------------------------------- indices
def likert_index(survey: pd.DataFrame, items, *, scale=(1, 7), reverse=()) -> pd.Series:
    """Score Likert items into a 0–100 index per respondent (reverse-coded items allowed).

    Parameters
    ----------
    survey : DataFrame
        One row per respondent.
    items : list of str
        Item columns, all on the same ``scale``.
    scale : (int, int), default (1, 7)
        Lowest and highest category.
    reverse : sequence of str, default ()
        Items worded negatively ("It is hard to reach the service desk");
        they are reversed, :math:`x' = \\min + \\max - x`, before averaging.

    Returns
    -------
    Series
        The index, 0 (all items at the worst end) to 100 (all at the best end),
        named ``"index"``.

    Raises
    ------
    CRMInputError
        If an item is missing, outside the scale, or a reversed item is not among the items.

    Notes
    -----
    .. math:: I_i = \\frac{100}{K}\\sum_k \\frac{x'_{ik} - \\min}{\\max - \\min}

    Examples
    --------
    >>> s = pd.DataFrame({"friendly": [7, 4], "hard_to_reach": [1, 4]})
    >>> likert_index(s, ["friendly", "hard_to_reach"], reverse=["hard_to_reach"]).tolist()
    [100.0, 50.0]
    """
    check_dataframe(survey, arg="survey")
    items = [items] if isinstance(items, str) else list(items)
    if not items:
        raise CRMInputError("argument `items`: needs at least one item column; found []. "
                            "Pass e.g. items=['service_experience'].")
    lo, hi = _scale(scale)
    extra = [r for r in reverse if r not in items]
    if extra:
        raise CRMInputError(f"argument `reverse`: {extra} are not among the items {items}. "
                            "List reversed items in `items` too.")
    _require_listed(survey, items, list_arg="items", arg="survey")
    scores = []
    for c in items:
        x = _items(survey, c, "items", lo, hi)
        if c in reverse:
            x = lo + hi - x
        scores.append((x - lo) / (hi - lo))
    return (100 * pd.concat(scores, axis=1).mean(axis=1)).rename("index")


def _wilson(k: float, n: int, z: float) -> tuple[float, float]:
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def csat(survey: pd.DataFrame, *, satisfaction_col: str = "overall_satisfaction", scale=(1, 7),
         top_box: int = 2, level: float = 0.95, method: str = "wilson", n_boot: int = 2000,
         seed: int = 0) -> pd.Series:
    """Customer satisfaction score: share of respondents in the top boxes, with a CI.

    Parameters
    ----------
    survey : DataFrame
        One row per respondent.
    satisfaction_col : str, default "overall_satisfaction"
        Overall satisfaction item.
    scale : (int, int), default (1, 7)
        Lowest and highest category.
    top_box : int, default 2
        Number of top categories counted as satisfied (2: 6 and 7 on a 1–7 scale).
    level : float, default 0.95
        Confidence level.
    method : {"wilson", "bootstrap"}, default "wilson"
        Wilson score interval, or the percentile bootstrap.
    n_boot : int, default 2000
        Bootstrap resamples.
    seed : int, default 0
        Seed of the bootstrap.

    Returns
    -------
    Series
        ``csat`` (a share), ``ci_low``, ``ci_high``, ``n``.

    Raises
    ------
    CRMInputError
        If the column is missing, holds values outside the scale, or an option is wrong.

    Notes
    -----
    Wilson (1927) interval of :math:`\\hat p = k/n`:

    .. math::

        \\frac{\\hat p + z^2/2n \\pm z\\sqrt{\\hat p(1-\\hat p)/n + z^2/4n^2}}{1 + z^2/n}

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and
    statistical inference. *JASA*, 22(158), 209–212.

    Examples
    --------
    >>> s = pd.DataFrame({"overall_satisfaction": [7, 6, 5, 3, 6, 2, 7, 4, 5, 6]})
    >>> csat(s).round(3).tolist()
    [0.5, 0.237, 0.763, 10.0]
    """
    check_dataframe(survey, arg="survey")
    require_columns(survey, {"satisfaction_col": satisfaction_col}, arg="survey")
    lo, hi = _scale(scale)
    check_number(top_box, "top_box", min_value=1, max_value=hi - lo, integer=True)
    check_choice(method, "method", ["wilson", "bootstrap"])
    z = _z(level)
    x = _items(survey, satisfaction_col, "satisfaction_col", lo, hi)
    n = len(x)
    k = float((x > hi - top_box).sum())
    if method == "wilson":
        low, high = _wilson(k, n, z)
    else:
        check_number(n_boot, "n_boot", min_value=100, integer=True)
        draws = check_seed(seed).binomial(n, k / n, size=n_boot) / n
        low, high = np.quantile(draws, [0.5 - level / 2, 0.5 + level / 2])
    return pd.Series({"csat": k / n, "ci_low": float(low), "ci_high": float(high), "n": float(n)}, name="CSAT")


def nps(survey: pd.DataFrame, *, recommend_col: str = "recommend", level: float = 0.95,
        method: str = "wald", n_boot: int = 2000, seed: int = 0) -> pd.Series:
    """Net Promoter Score (净推荐值) with a confidence interval.

    Promoters answer 9–10 to "How likely are you to recommend us to a friend
    (0–10)?", detractors 0–6, passives 7–8.

    Parameters
    ----------
    survey : DataFrame
        One row per respondent.
    recommend_col : str, default "recommend"
        The 0–10 likelihood-to-recommend item.
    level : float, default 0.95
        Confidence level.
    method : {"wald", "bootstrap"}, default "wald"
        Normal approximation with the multinomial variance, or the percentile
        bootstrap (resampling the three categories).
    n_boot : int, default 2000
        Bootstrap resamples.
    seed : int, default 0
        Seed of the bootstrap.

    Returns
    -------
    Series
        ``nps`` (points, −100 to 100), ``promoters``, ``passives``,
        ``detractors`` (shares), ``se`` (points), ``ci_low``, ``ci_high``, ``n``.

    Raises
    ------
    CRMInputError
        If the column is missing or holds values outside 0–10.

    Notes
    -----
    .. math::

        \\mathrm{NPS} = 100(p_P - p_D),\\qquad
        \\mathrm{Var}(\\hat p_P - \\hat p_D) = \\frac{p_P + p_D - (p_P - p_D)^2}{n}

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. *Harvard
    Business Review*, 81(12), 46–54.

    Examples
    --------
    >>> s = pd.DataFrame({"recommend": [10, 9, 8, 7, 6, 3, 10, 9, 9, 5]})
    >>> nps(s)[["nps", "promoters", "detractors", "se"]].round(2).tolist()
    [20.0, 0.5, 0.3, 27.57]
    """
    check_dataframe(survey, arg="survey")
    require_columns(survey, {"recommend_col": recommend_col}, arg="survey")
    check_choice(method, "method", ["wald", "bootstrap"])
    z = _z(level)
    x = _items(survey, recommend_col, "recommend_col", 0, 10)
    n = len(x)
    pp, pd_ = float((x >= 9).mean()), float((x <= 6).mean())
    est = pp - pd_
    se = np.sqrt(max(pp + pd_ - est ** 2, 0.0) / n)
    if method == "wald":
        low, high = est - z * se, est + z * se
    else:
        check_number(n_boot, "n_boot", min_value=100, integer=True)
        counts = check_seed(seed).multinomial(n, [pp, 1 - pp - pd_, pd_], size=n_boot)
        draws = (counts[:, 0] - counts[:, 2]) / n
        low, high = np.quantile(draws, [0.5 - level / 2, 0.5 + level / 2])
    return pd.Series({"nps": 100 * est, "promoters": pp, "passives": 1 - pp - pd_, "detractors": pd_,
                      "se": 100 * se, "ci_low": 100 * float(low), "ci_high": 100 * float(high),
                      "n": float(n)}, name="NPS")


# --------------------------------------------------------------------------- seven indicators
_INDICATORS = [
    ("reputation", "美誉度", "share of respondents rating the image/reputation item in the top-2 boxes"),
    ("brand_naming", "指名度", "share of respondents who name our brand unprompted when asked what they would buy"),
    ("return_rate", "回头率", "share of customers in the log with 2+ purchases (else: share answering they will repurchase)"),
    ("complaint_rate", "投诉率", "share of transactions in the log that led to a complaint"),
    ("spend_per_transaction", "单次交易的购买额", "mean amount per transaction in the log"),
    ("price_sensitivity", "对价格变化的敏感度", "0-100 index of 'I would switch for a 10% lower price' (higher = more sensitive)"),
    ("referral_rate", "推荐率", "share of respondents answering 9-10 to 'would you recommend us' (promoters)"),
]


def satisfaction_indicators(survey: pd.DataFrame, transactions: pd.DataFrame | None = None, *,
                            reputation_col: str = "image_experience", brand_named_col: str = "brand_named",
                            repurchase_col: str = "repurchase", price_sensitivity_col: str = "price_sensitivity",
                            recommend_col: str = "recommend", customer_col: str = "customer_id",
                            amount_col: str = "amount", complaint_col: str = "complaint",
                            scale=(1, 7)) -> pd.DataFrame:
    """The course's seven satisfaction indicators (客户满意度的衡量指标) from a survey and a log.

    Parameters
    ----------
    survey : DataFrame
        One row per respondent.
    transactions : DataFrame, optional
        The respondents' purchase log (one row per transaction). Without it,
        the return rate is the stated repurchase intention and the log-only
        indicators are reported as not available.
    reputation_col, brand_named_col, repurchase_col, price_sensitivity_col, recommend_col : str
        Survey columns (see Returns for their use). A column absent from the
        survey makes its indicator "not available" rather than an error.
    customer_col, amount_col, complaint_col : str
        Log columns: customer id, amount, complaint flag (bool).
    scale : (int, int), default (1, 7)
        Scale of the Likert items.

    Returns
    -------
    DataFrame
        Index ``indicator`` (reputation, brand_naming, return_rate,
        complaint_rate, spend_per_transaction, price_sensitivity,
        referral_rate); columns ``indicator_zh``, ``value``, ``source``
        (survey / log / not available: <reason>) and ``definition``.
        Higher is better for all but the complaint rate and price sensitivity.

    Raises
    ------
    CRMInputError
        If a given table or a log column is malformed.

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": [1, 2], "image_experience": [7, 3], "brand_named": [True, False],
    ...                   "repurchase": [True, True], "price_sensitivity": [1, 4], "recommend": [10, 6]})
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "amount": [10.0, 20.0, 30.0],
    ...                    "complaint": [False, False, True]})
    >>> satisfaction_indicators(s, tx)["value"].round(3).tolist()
    [0.5, 0.5, 0.5, 0.333, 20.0, 25.0, 0.5]
    """
    check_dataframe(survey, arg="survey")
    lo, hi = _scale(scale)
    values: dict[str, tuple[float, str]] = {}

    def has(col):
        return col in survey.columns

    def na(col):
        return (np.nan, f"not available: no survey column '{col}'")

    values["reputation"] = ((_items(survey, reputation_col, "reputation_col", lo, hi) >= hi - 1).mean(),
                            "survey") if has(reputation_col) else na(reputation_col)
    values["brand_naming"] = (survey[brand_named_col].astype(float).mean(), "survey") \
        if has(brand_named_col) else na(brand_named_col)
    if transactions is not None:
        check_dataframe(transactions, arg="transactions")
        require_columns(transactions, {"customer_col": customer_col, "amount_col": amount_col},
                        arg="transactions")
        amount = check_numeric(transactions, amount_col, arg="transactions", col_arg="amount_col", min_value=0)
        counts = transactions.groupby(customer_col).size()
        values["return_rate"] = (float((counts >= 2).mean()), "log")
        if complaint_col in transactions.columns:
            values["complaint_rate"] = (float(transactions[complaint_col].astype(float).mean()), "log")
        else:
            values["complaint_rate"] = (np.nan, f"not available: no log column '{complaint_col}'")
        values["spend_per_transaction"] = (float(amount.mean()), "log")
    else:
        values["return_rate"] = ((survey[repurchase_col].astype(float).mean(), "survey (stated)")
                                 if has(repurchase_col) else na(repurchase_col))
        values["complaint_rate"] = (np.nan, "not available: no transaction log")
        values["spend_per_transaction"] = (np.nan, "not available: no transaction log")
    values["price_sensitivity"] = ((likert_index(survey, [price_sensitivity_col], scale=scale).mean(), "survey")
                                   if has(price_sensitivity_col) else na(price_sensitivity_col))
    values["referral_rate"] = (((_items(survey, recommend_col, "recommend_col", 0, 10) >= 9).mean(), "survey")
                               if has(recommend_col) else na(recommend_col))
    out = pd.DataFrame(
        [{"indicator": key, "indicator_zh": zh, "value": float(values[key][0]), "source": values[key][1],
          "definition": text} for key, zh, text in _INDICATORS]
    ).set_index("indicator")
    return out


# --------------------------------------------------------------------------- IPA
def importance_performance(survey: pd.DataFrame, *, attributes=None, importance: str = "derived",
                           satisfaction_col: str = "overall_satisfaction",
                           experience_suffix: str = "_experience", importance_suffix: str = "_importance",
                           performance: str = "experience", expectation_suffix: str = "_expectation",
                           split="mean") -> pd.DataFrame:
    """Importance–performance analysis (IPA, 重要性–绩效分析).

    Parameters
    ----------
    survey : DataFrame
        One row per respondent.
    attributes : list of str, optional
        Attributes; default all with an experience column (and, for stated
        importance, an importance column).
    importance : {"derived", "stated"}, default "derived"
        ``"stated"``: mean of the importance items; ``"derived"``: correlation
        of the attribute's experience with overall satisfaction.
    satisfaction_col : str, default "overall_satisfaction"
        Overall satisfaction (derived importance only).
    experience_suffix, importance_suffix, expectation_suffix : str
        Column suffixes.
    performance : {"experience", "gap"}, default "experience"
        ``"experience"``: mean experience (the classic IPA); ``"gap"``: mean
        experience − expectation, so that an attribute that is good in absolute
        terms but below what customers expected counts as weak.
    split : "mean" or (float, float), default "mean"
        Where the quadrant lines cross: the means of importance and of
        performance over the attributes, or given (importance, performance) values.

    Returns
    -------
    DataFrame
        Index ``attribute``; columns ``importance``, ``performance`` (mean
        experience or gap), ``quadrant`` and ``quadrant_zh``: Concentrate here
        (重点改进区, important but weak), Keep up the good work (继续保持区),
        Low priority (低优先区), Possible overkill (过度投入区, strong but
        unimportant). ``attrs["split"]`` holds the crossing point.

    Raises
    ------
    CRMInputError
        If columns are missing or an option is wrong.

    References
    ----------
    Martilla, J. A., & James, J. C. (1977). Importance-performance analysis.
    *Journal of Marketing*, 41(1), 77–79.

    Examples
    --------
    >>> from crm_lessons.simulate import simulate_survey
    >>> survey, _ = simulate_survey(2000, seed=0)
    >>> importance_performance(survey).loc["service", "quadrant"]
    'Concentrate here'
    """
    check_dataframe(survey, arg="survey")
    check_choice(importance, "importance", ["derived", "stated"])
    check_choice(performance, "performance", ["experience", "gap"])
    suffixes = (experience_suffix,) if importance == "derived" else (experience_suffix, importance_suffix)
    if performance == "gap":
        suffixes = (*suffixes, expectation_suffix)
    attrs = _attributes(survey, attributes, suffixes)
    perf = pd.Series({a: check_numeric(survey, f"{a}{experience_suffix}", arg="survey").mean() for a in attrs})
    if performance == "gap":
        perf = perf - pd.Series({a: check_numeric(survey, f"{a}{expectation_suffix}", arg="survey").mean()
                                 for a in attrs})
    if importance == "stated":
        imp = pd.Series({a: check_numeric(survey, f"{a}{importance_suffix}", arg="survey").mean() for a in attrs})
    else:
        require_columns(survey, {"satisfaction_col": satisfaction_col}, arg="survey")
        y = check_numeric(survey, satisfaction_col, arg="survey", col_arg="satisfaction_col")
        if len(survey) < 3 or y.std() == 0:
            raise CRMInputError("argument `survey`: derived importance needs 3+ respondents and varying "
                                f"'{satisfaction_col}'; found {len(survey)} rows. Use importance='stated'.")
        imp = pd.Series({a: float(np.corrcoef(survey[f"{a}{experience_suffix}"].astype(float), y)[0, 1])
                         for a in attrs})
    if isinstance(split, str):
        check_choice(split, "split", ["mean"])
        cut = (float(imp.mean()), float(perf.mean()))
    else:
        cut = tuple(float(v) for v in split)
    out = pd.DataFrame({"importance": imp, "performance": perf})
    labels = [IPA_QUADRANTS[(bool(i >= cut[0]), bool(p >= cut[1]))] for i, p in zip(imp, perf)]
    out["quadrant"] = [en for en, _ in labels]
    out["quadrant_zh"] = [zh for _, zh in labels]
    out.index.name = "attribute"
    out.attrs["split"] = cut
    out.attrs["importance"] = importance
    out.attrs["performance"] = performance
    return out


def plot_importance_performance(ipa: pd.DataFrame, *, ax=None):
    """Plot an IPA grid from :func:`importance_performance`; returns the Axes.

    Examples
    --------
    >>> from crm_lessons.simulate import simulate_survey
    >>> ax = plot_importance_performance(importance_performance(simulate_survey(300, seed=0).data))
    >>> ax.get_xlabel()
    'Performance (mean experience)'
    """
    import matplotlib.pyplot as plt

    require_columns(ipa, ["importance", "performance", "quadrant"], arg="ipa")
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 5))
    cut_i, cut_p = ipa.attrs.get("split", (ipa["importance"].mean(), ipa["performance"].mean()))
    colours = {"Concentrate here": "tab:red", "Keep up the good work": "tab:green",
               "Low priority": "tab:gray", "Possible overkill": "tab:orange"}
    for q, grp in ipa.groupby("quadrant"):
        ax.scatter(grp["performance"], grp["importance"], s=70, color=colours.get(q, "k"), label=q)
    ax.axvline(cut_p, color="k", lw=0.8, ls="--")
    ax.axhline(cut_i, color="k", lw=0.8, ls="--")
    # The grid is read against the cross-hairs (the means), so they sit in the middle of the plot;
    # the axes are zoomed on the attributes, which the axis labels say.
    perf, imp = ipa["performance"].to_numpy(dtype=float), ipa["importance"].to_numpy(dtype=float)
    half_x = 1.25 * max(np.abs(perf - cut_p).max(), 1e-3)
    half_y = 1.35 * max(np.abs(imp - cut_i).max(), 1e-3)
    ax.set_xlim(cut_p - half_x, cut_p + half_x)
    ax.set_ylim(cut_i - half_y, cut_i + half_y)
    _label_points(ax, [str(n).replace("_", " ") for n in ipa.index], perf, imp)
    ax.set_xlabel("Performance (mean experience)" if ipa.attrs.get("performance", "experience") == "experience"
                  else "Performance (mean experience - expectation)")
    ax.set_ylabel(f"Importance ({ipa.attrs.get('importance', 'derived')}; axes zoomed, dashed = mean)")
    ax.set_title("Importance-performance analysis")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax


def _label_points(ax, labels, x, y, *, fontsize: int = 9):
    """Label points without overlaps: a label that would cover an earlier one moves down a line."""
    ax.figure.canvas.draw()
    to_px = ax.transData.transform
    placed = []  # (x0, y0, x1, y1) in pixels
    line = fontsize * 1.5 * ax.figure.dpi / 72
    for label, px, py in sorted(zip(labels, x, y), key=lambda t: -t[2]):
        bx, by = to_px((px, py))
        width = 0.62 * fontsize * len(label) * ax.figure.dpi / 72
        dy = 5.0 * ax.figure.dpi / 72
        for _ in range(20):
            box = (bx + 5, by + dy, bx + 5 + width, by + dy + line)
            if not any(box[0] < q[2] and q[0] < box[2] and box[1] < q[3] and q[1] < box[3] for q in placed):
                break
            dy -= line
        placed.append(box)
        ax.annotate(label, (px, py), textcoords="offset points", xytext=(5, dy * 72 / ax.figure.dpi),
                    fontsize=fontsize)


# --------------------------------------------------------------------------- drivers
def _r2_subsets(R: np.ndarray, r: np.ndarray) -> dict[int, float]:
    """R^2 of every subset of predictors (bitmask) from the correlation matrix."""
    p = len(r)
    out = {0: 0.0}
    for mask in range(1, 2 ** p):
        idx = [j for j in range(p) if mask >> j & 1]
        sub = R[np.ix_(idx, idx)]
        out[mask] = float(r[idx] @ np.linalg.solve(sub, r[idx]))
    return out


def _lmg(R: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Shapley/LMG decomposition of R^2: average gain of each predictor over all orders."""
    p = len(r)
    r2 = _r2_subsets(R, r)
    shares = np.zeros(p)
    for j in range(p):
        others = [k for k in range(p) if k != j]
        for size in range(p):
            wt = factorial(size) * factorial(p - size - 1) / factorial(p)
            for combo in combinations(others, size):
                mask = sum(1 << k for k in combo)
                shares[j] += wt * (r2[mask | 1 << j] - r2[mask])
    return shares


def _relative_weights(R: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Johnson's (2000) relative weights: regress on the orthogonal counterparts of X."""
    evals, evecs = np.linalg.eigh(R)
    lam = evecs @ np.diag(np.sqrt(np.clip(evals, 0, None))) @ evecs.T
    beta = np.linalg.solve(lam, r)
    return (lam ** 2) @ (beta ** 2)


class DriverAnalysis(RegressorMixin, BaseEstimator):
    """Key-driver analysis of satisfaction by least squares (满意度驱动因素分析).

    Regresses overall satisfaction on its drivers (attribute experiences, or
    experience − expectation gaps) and reports what each driver is worth:
    the raw coefficient (points of satisfaction per point of the driver),
    its standard error, the standardised coefficient, and two relative
    importance measures that split R² among correlated drivers.

    It follows the scikit-learn estimator contract (``fit`` returns self, parameters are the
    constructor's arguments, ``predict`` and ``score`` (R²) work, so it can be cloned and
    cross-validated): ``fit(survey, drivers=[...])`` reads the outcome from ``target_col``, and
    ``fit(X, y)`` takes it as ``y`` with every column of ``X`` as a driver.

    Parameters
    ----------
    drivers : list of str, optional
        The driver columns; a list given to :meth:`fit` takes precedence. Default: every column
        of the data except the target.
    target_col : str, default "overall_satisfaction"
        The outcome column when :meth:`fit` is given no ``y``.
    level : float, default 0.95
        Confidence level of the coefficient intervals.
    relative_importance : bool, default True
        Compute the Shapley/LMG shares (up to 12 drivers) and Johnson's relative weights.

    Attributes
    ----------
    params_ : Series
        Intercept and coefficients.
    se_ : Series
        Their standard errors.
    summary_ : DataFrame
        Per driver: ``coef, se, t, p_value, ci_low, ci_high, std_coef, lmg,
        lmg_share, relative_weight, relative_weight_share``.
    r2_ : float
        Coefficient of determination.
    n_ : int
        Number of respondents used.

    Notes
    -----
    .. math::

        y = X\\beta + \\varepsilon,\\quad \\hat\\beta = (X^\\top X)^{-1}X^\\top y,\\quad
        \\widehat{\\mathrm{Var}}(\\hat\\beta) = \\hat\\sigma^2 (X^\\top X)^{-1},\\quad
        \\hat\\sigma^2 = \\frac{\\mathrm{RSS}}{n - p - 1}

    LMG (Lindeman, Merenda & Gold 1980) is the Shapley value of R²: the gain
    in R² from adding a driver, averaged over all orders of entry.

    References
    ----------
    Grömping, U. (2006). Relative importance for linear regression in R: the
    package relaimpo. *Journal of Statistical Software*, 17(1).
    Johnson, J. W. (2000). A heuristic method for estimating the relative
    weight of predictor variables in multiple regression. *Multivariate
    Behavioral Research*, 35(1), 1–19.

    Examples
    --------
    >>> df = pd.DataFrame({"x1": [1, 2, 3, 4, 5, 6], "x2": [2, 1, 4, 3, 6, 5],
    ...                    "y": [1.1, 1.9, 3.2, 3.9, 5.1, 6.0]})
    >>> model = DriverAnalysis().fit(df, drivers=["x1", "x2"], target_col="y")
    >>> model.params_.round(2).tolist()
    [-0.01, 0.91, 0.11]
    >>> round(float(model.summary_["lmg"].sum()), 4) == round(model.r2_, 4)
    True
    >>> from sklearn.model_selection import cross_val_score
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(60, 2)), columns=["service", "price"])
    >>> y = 5 + 1.0 * X["service"] + 0.3 * X["price"] + rng.normal(scale=0.5, size=60)
    >>> bool(cross_val_score(DriverAnalysis(), X, y, cv=3).min() > 0.6)
    True
    """

    def __init__(self, *, drivers=None, target_col: str = "overall_satisfaction", level: float = 0.95,
                 relative_importance: bool = True):
        self.drivers = drivers
        self.target_col = target_col
        self.level = level
        self.relative_importance = relative_importance

    def fit(self, data: pd.DataFrame, y=None, *, drivers=None, target_col: str | None = None) -> DriverAnalysis:
        """Fit the regression of ``target_col`` (or ``y``) on ``drivers``; returns self."""
        check_dataframe(data, arg="data")
        target_col = self.target_col if target_col is None else target_col
        if y is not None:
            if len(y) != len(data):
                raise CRMInputError(f"argument `y`: needs one outcome per row of `data` ({len(data)}); found "
                                    f"{len(y)}. Pass the outcome of the same respondents.")
            target_col = "__outcome__" if target_col in data.columns else target_col
            data = data.assign(**{target_col: np.asarray(y)})
        drivers = self.drivers if drivers is None else drivers
        if drivers is None:
            drivers = [c for c in data.columns if c != target_col]
        drivers = [drivers] if isinstance(drivers, str) else list(drivers)
        if not drivers:
            raise CRMInputError("argument `drivers`: needs at least one column; found []. "
                                "Pass e.g. drivers=['service', 'price'].")
        require_columns(data, {"target_col": target_col}, arg="data")
        _require_listed(data, drivers, list_arg="drivers")
        _z(self.level)
        X = np.column_stack([check_numeric(data, d, arg="data", col_arg="drivers") for d in drivers])
        y = check_numeric(data, target_col, arg="data", col_arg="target_col").to_numpy()
        n, p = X.shape
        if n <= p + 1:
            raise CRMInputError(f"argument `data`: needs more respondents than drivers + 1 ({p + 1}); "
                                f"found {n}. Collect more responses or use fewer drivers.")
        sd = X.std(axis=0, ddof=1)
        if np.any(sd == 0):
            bad = [d for d, s in zip(drivers, sd) if s == 0]
            raise CRMInputError(f"argument `drivers`: {bad} do not vary; found one value only. "
                                "Drop constant drivers.")
        if y.std() == 0:
            raise CRMInputError(f"argument `data`, column '{target_col}' (target_col): does not vary. "
                                "A regression needs a varying outcome.")
        Xd = np.column_stack([np.ones(n), X])
        if np.linalg.matrix_rank(Xd) < p + 1:
            raise CRMInputError("argument `drivers`: the drivers are perfectly collinear (one is a sum "
                                "of others); found rank-deficient design. Drop a redundant driver.")
        XtX_inv = np.linalg.inv(Xd.T @ Xd)
        beta = XtX_inv @ Xd.T @ y
        resid = y - Xd @ beta
        dof = n - p - 1
        sigma2 = float(resid @ resid) / dof
        se = np.sqrt(np.diag(XtX_inv) * sigma2)
        tval = beta / se
        pval = 2 * stats.t.sf(np.abs(tval), dof)
        tcrit = stats.t.ppf(0.5 + self.level / 2, dof)
        names = ["intercept", *drivers]
        self.params_ = pd.Series(beta, index=names, name="coef")
        self.se_ = pd.Series(se, index=names, name="se")
        self.r2_ = float(1 - resid @ resid / np.sum((y - y.mean()) ** 2))
        self.n_ = int(n)
        summ = pd.DataFrame({"coef": beta, "se": se, "t": tval, "p_value": pval,
                             "ci_low": beta - tcrit * se, "ci_high": beta + tcrit * se}, index=names)
        summ = summ.drop(index="intercept")
        summ["std_coef"] = beta[1:] * sd / y.std(ddof=1)
        if self.relative_importance:
            C = np.corrcoef(np.column_stack([X, y]), rowvar=False)
            R, r = C[:p, :p], C[:p, p]
            if p <= 12:
                summ["lmg"] = _lmg(R, r)
                summ["lmg_share"] = summ["lmg"] / self.r2_
            rw = _relative_weights(R, r)
            summ["relative_weight"] = rw
            summ["relative_weight_share"] = rw / rw.sum()
        summ.index.name = "driver"
        self.summary_ = summ
        return self

    def predict(self, data: pd.DataFrame) -> pd.Series:
        """Predicted satisfaction for the rows of ``data``."""
        check_fitted(self)
        drivers = list(self.params_.index[1:])
        check_dataframe(data, arg="data")
        _require_listed(data, drivers, list_arg="drivers")
        X = np.column_stack([check_numeric(data, d, arg="data", col_arg="drivers") for d in drivers])
        return pd.Series(self.params_.iloc[0] + X @ self.params_.iloc[1:].to_numpy(), index=data.index,
                         name="predicted")
