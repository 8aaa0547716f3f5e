"""Synthetic customer-satisfaction survey with known drivers (满意度调查).

Each respondent rates, for every attribute (product quality, price, service,
delivery, staff, image), what they **expected** (客户期望) and what they
**experienced** (客户体验) on a 1–7 Likert scale, plus how important the
attribute is to them. Overall satisfaction follows the course's formula
satisfaction = experience − expectation (客户满意度 = 客户体验 − 客户期望):

.. math::

    S^*_i = \\beta_0 + \\sum_k w_k\\,(P_{ik} - E_{ik}) + \\varepsilon_i,
    \\qquad \\varepsilon_i \\sim N(0, \\sigma^2),

and the overall satisfaction item is :math:`S^*_i` cut at known thresholds
into categories 1–7. Likelihood to recommend (0–10) and repurchase depend on
the satisfaction item through known curves, so that every estimate of the
lessons (gaps, CSAT, NPS, driver weights, the satisfaction–repurchase curve)
can be compared with the truth.

Respondents are a simple random sample of a finite population of customers;
``truth["nps"]`` and ``truth["csat"]`` are the population values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from crm_lessons._validation import CRMInputError, check_number
from crm_lessons.simulate._base import Simulated, rng_from

__all__ = ["simulate_survey", "simulate_survey_log", "DEFAULT_WEIGHTS", "LOYALTY_ITEMS"]

#: True driver weights w_k of the experience-minus-expectation gaps.
DEFAULT_WEIGHTS = {
    "product_quality": 0.35,
    "price": 0.20,
    "service": 0.25,
    "delivery": 0.08,
    "staff": 0.07,
    "image": 0.05,
}

#: Mean expectation (期望) and mean experience (体验) of each attribute, 1–7 scale.
_MEAN_EXPECTATION = {"product_quality": 5.4, "price": 4.6, "service": 5.2, "delivery": 4.8,
                     "staff": 4.6, "image": 4.4}
_MEAN_EXPERIENCE = {"product_quality": 4.9, "price": 4.2, "service": 4.5, "delivery": 5.2,
                    "staff": 5.0, "image": 4.9}

_SEGMENTS = ("value", "mainstream", "premium")
_SEGMENT_SHARE = (0.35, 0.45, 0.20)
_SEGMENT_EXPECTATION_SHIFT = (-0.4, 0.0, 0.7)
_SEGMENT_PRICE_SENSITIVITY = (5.3, 4.2, 3.0)
_SEGMENT_SWITCHING_COST = (3.2, 3.8, 4.6)

#: Recommend ~ Binomial(10, expit(a + b (S - 4))), S = satisfaction item.
_RECOMMEND_CURVE = {"a": 0.5, "b": 0.9}
#: logit P(repurchase) = c0 + c_sat (S-4) + c_switch (switching_cost-4)
#:                        + c_price (price_sensitivity-4) + c_member member
_REPURCHASE_LOGIT = {"intercept": 0.3, "satisfaction": 0.45, "switching_cost": 0.5,
                     "price_sensitivity": -0.35, "loyalty_member": 0.8}
#: logit P(names our brand unprompted) = d0 + d1 (S - 4)
_BRAND_NAMED_LOGIT = {"intercept": -0.6, "satisfaction": 0.7}

#: The eight loyalty indicators of the course (客户忠诚度的衡量指标), as survey items. S is the
#: satisfaction item (1-7), p the respondent's true repurchase probability, z ~ N(0, 1) fresh noise.
#: Behavioural items follow p (satisfaction *and* lock-in, price, rewards); attitudinal items follow S.
LOYALTY_ITEMS = {
    "purchases_12m": "1 + Poisson(4 p)  (重复购买率 / 购买频率: purchases in the last 12 months)",
    "tenure_years": "Gamma(shape 2, scale 1 + 2 p), rounded to 0.1, at least 0.1  (购买时间)",
    "share_of_wallet": "Beta(6 m, 6 (1 - m)), m = 0.2 + 0.6 p, rounded to 0.01  (购买支出份额)",
    "choice_minutes": "12 exp(-1.5 (p - 0.5) + 0.5 z), rounded to 0.1  (挑选时间)",
    "trust": "likert(4.2 + 0.7 (S - 4) + z)  (情感上的信任与支持)",
    "referrals_12m": "Poisson(0.4 exp(0.45 (S - 4)))  (潜在客户推荐数量)",
    "competitor_interest": "likert(4.0 - 0.6 (S - 4) + 1.1 z)  (对企业竞争对手的态度)",
    "price_quality_tolerance": "likert(4.0 + 0.5 (S - 4) - 0.4 (price_sensitivity - 4) + z)  (对价格或质量的态度)",
}


def _loyalty_rng(seed) -> np.random.Generator:
    """The loyalty items' own stream: a child of the seed, so the older columns never change."""
    return np.random.default_rng(np.random.SeedSequence(int(seed)).spawn(1)[0])


def _draw_loyalty_items(rng: np.random.Generator, pop: pd.DataFrame) -> dict[str, np.ndarray]:
    """The eight loyalty indicators (see :data:`LOYALTY_ITEMS`) for every member of the population."""
    n = len(pop)
    p = pop["_p_repurchase"].to_numpy()
    s = pop["overall_satisfaction"].to_numpy() - 4
    out = {"purchases_12m": 1 + rng.poisson(4.0 * p),
           "tenure_years": np.maximum(np.round(rng.gamma(2.0, 1.0 + 2.0 * p), 1), 0.1)}
    m = 0.2 + 0.6 * p
    out["share_of_wallet"] = np.round(rng.beta(6.0 * m, 6.0 * (1.0 - m)), 2)
    out["choice_minutes"] = np.round(12.0 * np.exp(-1.5 * (p - 0.5) + 0.5 * rng.normal(size=n)), 1)
    out["trust"] = _likert(4.2 + 0.7 * s + rng.normal(size=n), 7)
    out["referrals_12m"] = rng.poisson(0.4 * np.exp(0.45 * s))
    out["competitor_interest"] = _likert(4.0 - 0.6 * s + 1.1 * rng.normal(size=n), 7)
    out["price_quality_tolerance"] = _likert(4.0 + 0.5 * s - 0.4 * (pop["price_sensitivity"].to_numpy() - 4)
                                             + rng.normal(size=n), 7)
    return out


def _likert(latent: np.ndarray, scale: int) -> np.ndarray:
    """Round a latent score to the nearest category 1..scale."""
    return np.clip(np.rint(latent), 1, scale).astype(int)


def _draw_population(rng: np.random.Generator, n: int, weights: dict, intercept: float,
                     noise_sd: float, thresholds: np.ndarray) -> pd.DataFrame:
    attrs = list(weights)
    seg = rng.choice(len(_SEGMENTS), size=n, p=_SEGMENT_SHARE)
    shift = np.asarray(_SEGMENT_EXPECTATION_SHIFT)[seg]
    halo = rng.normal(0.0, 1.0, size=n)           # general liking, correlates the experiences
    cols: dict[str, np.ndarray] = {"segment": np.asarray(_SEGMENTS, dtype=object)[seg]}
    gaps = np.zeros((n, len(attrs)))
    mean_w = np.mean(list(weights.values()))
    for k, a in enumerate(attrs):
        e_shift = shift if a != "price" else -0.5 * shift    # premium buyers expect less on price
        expect = _likert(_MEAN_EXPECTATION.get(a, 5.0) + e_shift + rng.normal(0, 0.9, n), 7)
        exper = _likert(_MEAN_EXPERIENCE.get(a, 5.0) + 0.6 * halo + rng.normal(0, 0.9, n), 7)
        # stated importance: all high (ceiling), only loosely tracks the true weight
        imp = _likert(5.6 + 4.0 * (weights[a] - mean_w) + rng.normal(0, 0.9, n), 7)
        cols[f"{a}_expectation"], cols[f"{a}_experience"], cols[f"{a}_importance"] = expect, exper, imp
        gaps[:, k] = exper - expect
    w = np.asarray([weights[a] for a in attrs])
    latent = intercept + gaps @ w + rng.normal(0.0, noise_sd, n)
    sat = 1 + np.searchsorted(thresholds, latent)           # category 1..len(thresholds)+1
    cols["overall_satisfaction"] = sat
    cols["switching_cost"] = _likert(np.asarray(_SEGMENT_SWITCHING_COST)[seg] + rng.normal(0, 1.3, n), 7)
    # satisfied customers are less sensitive to price changes (对价格变化的敏感度)
    cols["price_sensitivity"] = _likert(np.asarray(_SEGMENT_PRICE_SENSITIVITY)[seg] - 0.5 * (sat - 4)
                                        + rng.normal(0, 1.1, n), 7)
    cols["loyalty_member"] = rng.random(n) < 0.3
    p_rec = expit(_RECOMMEND_CURVE["a"] + _RECOMMEND_CURVE["b"] * (sat - 4))
    cols["recommend"] = rng.binomial(10, p_rec)
    c = _REPURCHASE_LOGIT
    eta = (c["intercept"] + c["satisfaction"] * (sat - 4) + c["switching_cost"] * (cols["switching_cost"] - 4)
           + c["price_sensitivity"] * (cols["price_sensitivity"] - 4) + c["loyalty_member"] * cols["loyalty_member"])
    cols["_p_repurchase"] = expit(eta)
    cols["repurchase"] = rng.random(n) < cols["_p_repurchase"]
    d = _BRAND_NAMED_LOGIT
    cols["brand_named"] = rng.random(n) < expit(d["intercept"] + d["satisfaction"] * (sat - 4))
    return pd.DataFrame(cols)


def _simulate(n_respondents, seed, weights, intercept, noise_sd, thresholds, population_size):
    check_number(n_respondents, "n_respondents", min_value=1, integer=True)
    check_number(population_size, "population_size", min_value=1, integer=True)
    if n_respondents > population_size:
        raise CRMInputError(
            f"argument `n_respondents`: must be <= population_size ({population_size}); found "
            f"{n_respondents}. Raise population_size or survey fewer respondents."
        )
    check_number(noise_sd, "noise_sd", min_value=0)
    check_number(intercept, "intercept")
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    if not weights:
        raise CRMInputError("argument `weights`: needs at least one attribute; found {}. "
                            "Pass e.g. weights={'service': 0.5}.")
    for name, w in weights.items():
        check_number(w, f"weights['{name}']")
    thresholds = np.asarray(np.arange(1.5, 7.0, 1.0) if thresholds is None else thresholds, dtype=float)
    if thresholds.ndim != 1 or len(thresholds) < 1 or np.any(np.diff(thresholds) <= 0):
        raise CRMInputError(f"argument `thresholds`: must be increasing cut points; found "
                            f"{thresholds.tolist()}. Pass e.g. [1.5, 2.5, 3.5, 4.5, 5.5, 6.5].")
    rng = rng_from(seed)
    pop = _draw_population(rng, int(population_size), weights, float(intercept), float(noise_sd), thresholds)
    pop = pop.assign(**_draw_loyalty_items(_loyalty_rng(seed), pop))   # own stream: main draws unchanged
    idx = np.sort(rng.choice(len(pop), size=int(n_respondents), replace=False))
    scale = len(thresholds) + 1
    top2 = pop["overall_satisfaction"] >= scale - 1
    promoters = (pop["recommend"] >= 9).mean()
    detractors = (pop["recommend"] <= 6).mean()
    by_sat = pop.groupby("overall_satisfaction")["_p_repurchase"].mean()
    truth = {
        "attributes": list(weights),
        "weights": pd.Series(weights, name="weight", dtype=float),
        "intercept": float(intercept),
        "noise_sd": float(noise_sd),
        "thresholds": thresholds.tolist(),
        "scale": (1, scale),
        "population_size": int(population_size),
        "csat": float(top2.mean()),
        "nps": float(100 * (promoters - detractors)),
        "promoters": float(promoters),
        "detractors": float(detractors),
        "mean_gap": pd.Series({a: float((pop[f"{a}_experience"] - pop[f"{a}_expectation"]).mean())
                               for a in weights}, name="gap"),
        "recommend_curve": dict(_RECOMMEND_CURVE),
        "repurchase_logit": dict(_REPURCHASE_LOGIT),
        "brand_named_logit": dict(_BRAND_NAMED_LOGIT),
        "repurchase_rate": float(pop["repurchase"].mean()),
        "repurchase_by_satisfaction": by_sat.rename("p_repurchase"),
        "loyalty_items": dict(LOYALTY_ITEMS),
        "loyalty_by_satisfaction": pop.groupby("overall_satisfaction")[list(LOYALTY_ITEMS)].mean(),
    }
    survey = pop.iloc[idx].drop(columns="_p_repurchase").reset_index(drop=True)
    survey.insert(0, "customer_id", np.arange(1, len(survey) + 1))
    return survey, pop["_p_repurchase"].to_numpy()[idx], truth, rng


def simulate_survey(n_respondents: int = 1000, *, seed: int = 0, weights: dict | None = None,
                    intercept: float = 4.9, noise_sd: float = 0.7, thresholds=None,
                    population_size: int = 50_000) -> Simulated:
    """Simulate a satisfaction survey with known attribute weights (满意度调查).

    Parameters
    ----------
    n_respondents : int, default 1000
        Respondents, a simple random sample of the population.
    seed : int, default 0
        Random seed.
    weights : dict, optional
        Attribute -> weight of its gap (experience − expectation); default
        :data:`DEFAULT_WEIGHTS` (quality 0.35, price 0.20, service 0.25,
        delivery 0.08, staff 0.07, image 0.05).
    intercept : float, default 4.9
        Latent satisfaction of a respondent whose experience equals expectation.
    noise_sd : float, default 0.7
        Standard deviation of the latent satisfaction noise.
    thresholds : sequence of float, optional
        Increasing cut points of the latent satisfaction; default
        ``[1.5, 2.5, ..., 6.5]`` (rounding to a 1–7 item).
    population_size : int, default 50000
        Size of the finite customer population the sample is drawn from.

    Returns
    -------
    Simulated
        ``data``: one row per respondent with ``customer_id, segment``; for
        each attribute ``<a>_expectation, <a>_experience, <a>_importance``
        (1–7); ``overall_satisfaction`` (1–7), ``switching_cost`` (1–7, "it
        would be hard to change supplier"), ``price_sensitivity`` (1–7, "I
        would switch for a 10% lower price"; falls by 0.5 per satisfaction point), ``loyalty_member`` (bool),
        ``recommend`` (0–10), ``repurchase`` (bool), ``brand_named`` (bool,
        names our brand unprompted); then the eight loyalty indicators of the
        course (客户忠诚度的衡量指标, see Notes): ``purchases_12m`` (purchases in
        the last 12 months, >= 1), ``tenure_years`` (years a customer),
        ``share_of_wallet`` (0–1, share of the category spend given to us),
        ``choice_minutes`` (time spent choosing the last purchase),
        ``trust`` (1–7, "I trust this firm"), ``referrals_12m`` (people
        referred in 12 months), ``competitor_interest`` (1–7, "I watch
        competitors' offers"), ``price_quality_tolerance`` (1–7, "I would stay
        after a 10% price rise or one quality slip"). ``truth``: ``weights``, ``intercept``,
        ``noise_sd``, ``thresholds``, population ``csat`` (top-2-box share),
        ``nps`` (points), ``promoters``, ``detractors``, ``mean_gap``,
        ``repurchase_rate``, ``repurchase_by_satisfaction``, and the link
        curves ``recommend_curve`` (recommend ~ Binomial(10, expit(a + b(S − 4))))
        and ``repurchase_logit``; ``loyalty_items`` (the formulas below) and
        ``loyalty_by_satisfaction`` (population mean of each loyalty item by
        satisfaction level).

    Raises
    ------
    CRMInputError
        If a size is not a positive whole number, ``n_respondents`` exceeds
        ``population_size``, or the thresholds are not increasing.

    Notes
    -----
    .. math::

        S^*_i = \\beta_0 + \\sum_k w_k (P_{ik} - E_{ik}) + \\varepsilon_i,\\quad
        S_i = 1 + \\#\\{\\tau_j < S^*_i\\}

    Experiences share a "halo" factor, so attributes are correlated as in
    real surveys; stated importances are high for every attribute (a ceiling
    effect) and only loosely follow the true weights.

    **Loyalty indicators (客户忠诚度的衡量指标).** The eight indicators of the
    course are drawn, independently given ``S`` and ``p``, from a stream of
    their own (a child of ``seed`` via ``numpy.random.SeedSequence(seed).spawn``),
    so every other column is the same as before they were added. With
    ``S`` the satisfaction item, ``p`` the respondent's true repurchase
    probability (which rises with satisfaction, switching cost and membership
    and falls with price sensitivity) and ``z ~ N(0, 1)`` fresh noise:

    - (一) repeat purchase (重复购买率) and (二) frequency (购买频率):
      ``purchases_12m = 1 + Poisson(4 p)``; (二) purchase time (购买时间):
      ``tenure_years ~ Gamma(shape 2, scale 1 + 2 p)`` (mean ``2 + 4 p``);
    - (三) share of spend (购买支出份额): ``share_of_wallet ~ Beta(6 m, 6 (1 − m))``,
      mean ``m = 0.2 + 0.6 p``;
    - (四) choice time (挑选时间): ``choice_minutes = 12 exp(−1.5 (p − 0.5) + 0.5 z)``
      (median 12 minutes at ``p = 0.5``; habitual buyers choose fast);
    - (五) trust (情感上的信任与支持): ``trust = likert(4.2 + 0.7 (S − 4) + z)``;
    - (六) referrals (潜在客户推荐数量): ``referrals_12m ~ Poisson(0.4 exp(0.45 (S − 4)))``;
    - (七) attitude to competitors (对企业竞争对手的态度):
      ``competitor_interest = likert(4.0 − 0.6 (S − 4) + 1.1 z)`` (lower = more loyal);
    - (八) attitude to price or quality (对价格或质量的态度):
      ``price_quality_tolerance = likert(4.0 + 0.5 (S − 4) − 0.4 (price_sensitivity − 4) + z)``.

    So the four behavioural indicators follow ``p`` — satisfaction *and*
    lock-in, price and rewards — while the four attitudinal ones follow
    satisfaction only: a customer held by switching costs buys like a loyal
    one but does not trust, refer or forgive like one. ``likert`` rounds to
    the nearest of 1–7.

    References
    ----------
    Oliver, R. L. (1980). A cognitive model of the antecedents and consequences
    of satisfaction decisions. *Journal of Marketing Research*, 17(4), 460–469.

    Examples
    --------
    >>> survey, truth = simulate_survey(200, seed=1)
    >>> survey.shape
    (200, 35)
    >>> survey[["purchases_12m", "trust", "referrals_12m"]].min().tolist()
    [1, 1, 0]
    >>> float(truth["weights"]["product_quality"])
    0.35
    """
    survey, _, truth, _ = _simulate(n_respondents, seed, weights, intercept, noise_sd, thresholds,
                                    population_size)
    return Simulated(survey, truth)


def simulate_survey_log(n_respondents: int = 1000, *, seed: int = 0, start: str = "2025-01-01",
                        days: int = 365, **survey_options) -> Simulated:
    """Simulate a survey together with the respondents' purchase log (调查 + 交易记录).

    The survey is exactly :func:`simulate_survey` with the same arguments;
    the log covers ``days`` days from ``start``. Every respondent buys once;
    further purchases number Poisson(4 p_i) where p_i is the respondent's
    true repurchase probability. Amounts are gamma with mean
    40 + 6 (S − 4) (satisfied customers spend more per transaction, 单次购买额);
    a transaction leads to a complaint with probability expit(−2.5 − 0.7 (S − 4)).

    Parameters
    ----------
    n_respondents, seed, **survey_options
        As :func:`simulate_survey`.
    start : str, default "2025-01-01"
        First day of the log.
    days : int, default 365
        Length of the log in days.

    Returns
    -------
    Simulated
        ``data = {"survey": ..., "transactions": ...}``; transactions have
        ``customer_id, date, amount, complaint``. ``truth`` as
        :func:`simulate_survey` plus ``spend_mean`` (mean spend per transaction
        by satisfaction level) and ``complaint_logit``.

    Examples
    --------
    >>> data, truth = simulate_survey_log(50, seed=1)
    >>> sorted(data)
    ['survey', 'transactions']
    >>> list(data["transactions"].columns)
    ['customer_id', 'date', 'amount', 'complaint']
    """
    check_number(days, "days", min_value=1, integer=True)
    survey, p_rep, truth, rng = _simulate(
        n_respondents, seed, survey_options.pop("weights", None), survey_options.pop("intercept", 4.9),
        survey_options.pop("noise_sd", 0.7), survey_options.pop("thresholds", None),
        survey_options.pop("population_size", 50_000))
    if survey_options:
        raise CRMInputError(f"simulate_survey_log: unknown options {sorted(survey_options)}; "
                            "see simulate_survey for the accepted keyword arguments.")
    n = len(survey)
    sat = survey["overall_satisfaction"].to_numpy()
    n_tx = 1 + rng.poisson(4.0 * p_rep)
    cust = np.repeat(survey["customer_id"].to_numpy(), n_tx)
    s_tx = np.repeat(sat, n_tx)
    first = rng.integers(0, 60, size=n)
    offset = np.repeat(first, n_tx) + (rng.random(len(cust)) * (days - np.repeat(first, n_tx))).astype(int)
    is_first = np.r_[True, cust[1:] != cust[:-1]]
    offset = np.where(is_first, np.repeat(first, n_tx), offset)
    mean_spend = 40.0 + 6.0 * (s_tx - 4)
    amount = np.round(rng.gamma(4.0, mean_spend / 4.0), 2)
    complaint = rng.random(len(cust)) < expit(-2.5 - 0.7 * (s_tx - 4))
    tx = pd.DataFrame({"customer_id": cust,
                       "date": pd.Timestamp(start) + pd.to_timedelta(offset, unit="D"),
                       "amount": amount, "complaint": complaint})
    tx = tx.sort_values(["customer_id", "date"], kind="stable").reset_index(drop=True)
    truth = dict(truth, spend_mean={s: 40.0 + 6.0 * (s - 4) for s in range(1, 8)},
                 complaint_logit={"intercept": -2.5, "satisfaction": -0.7})
    return Simulated({"survey": survey, "transactions": tx}, truth)
