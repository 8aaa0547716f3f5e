"""Choosing and implementing CRM (CRM系统的选择与实施): vendor scorecard, business case, phases.

The slides give the pieces of a CRM decision. Three elements must come together -- a management idea,
re-engineered business processes and system support (管理理念, 业务流程重组, 系统支撑; C57). CRM is
expected to bring seven benefits (C09), and a survey of firms "that implemented CRM successfully"
reports satisfaction +20%, sales and service cost -20%, a sales cycle one third shorter, sales per rep
+51% and profit +20% (C59; the slides give no source: treat them as vendor claims). A system is chosen
for its cost-effectiveness once the needs are met (性价比, C24); the introduction runs through phases
given three ways (C10-C12, C49, C25) and a strategy blueprint (C33, C34).

This module turns them into numbers: :func:`scorecard` and :func:`weight_monte_carlo` (which vendor
ranks first, and how sure is that when the weights are uncertain?); :func:`npv`, :func:`irr`,
:func:`payback_period`, :func:`adoption_curve`, :func:`business_case` and :func:`monte_carlo_case`
(the business case as a distribution); :data:`PHASES` (the introduction processes in one table).
The retention benefit is valued with lesson 1.2's lifetime-profit model,
:func:`crm_lessons.clv.lifetime_profit`.

Examples
--------
>>> round(irr([-100, 39, 59, 55, 20]), 6)
0.280948
>>> payback_period([-1000, 300, 400, 500])
2.6
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import CRMInputError, check_dataframe, check_number, check_numeric, require_columns
from crm_lessons.clv import lifetime_profit

__all__ = ["BENEFITS", "CASE_DEFAULTS", "EXAMPLE_VENDORS", "HOTEL_CASE", "PHASES", "SURVEY_GAINS",
           "THREE_ELEMENTS", "adoption_curve", "business_case", "irr", "monte_carlo_case", "npv",
           "payback_period", "scorecard", "weight_monte_carlo"]

#: Three elements of CRM (C57).
THREE_ELEMENTS = pd.DataFrame({
    "element_zh": ["管理理念", "业务流程重组", "系统支撑"],
    "element": ["management idea (customer-centred)", "business process re-engineering", "system support (software)"],
})

#: The seven benefits of CRM (C09) and the business-case line that carries each (or why none does).
BENEFITS = pd.DataFrame({
    "benefit_zh": ["提高顧客滿意度及忠誠度", "增加收益", "提高獲利率", "減少銷售本钱", "增加顧客知識", "達成關係行銷",
                   "改善企業流程"],
    "benefit": ["higher satisfaction and loyalty", "more revenue", "higher profitability", "lower cost of selling",
                "more customer knowledge", "relationship marketing", "better business processes"],
    "business_case_line": ["retention (valued with lesson 1.2's lifetime profit)", "revenue (extra gross margin)",
                           "not a line: the result of the others (counting it would count twice)",
                           "cost saving (sales and service cost)", "not priced: feeds the other lines",
                           "not priced: feeds retention and revenue", "not priced: feeds cost saving"],
})

#: The slides' survey of firms using CRM (C59): claimed gain, and the range this module draws from.
#: The slides name no source and the firms were the successful ones, so each claim is taken as the best
#: case; the worst case is no gain. ``line`` says which business-case line a claim sizes.
SURVEY_GAINS = pd.DataFrame({
    "claim_zh": ["客户满意度增加20%", "销售和服务的成本降低20%", "销售周期减少了三分之一", "每个销售人员的销售额增加51%",
                 "利润增加20%"],
    "claim": ["customer satisfaction +20%", "sales and service cost -20%", "sales cycle -1/3", "sales per rep +51%",
              "profit +20%"],
    "claimed": [0.20, 0.20, 1 / 3, 0.51, 0.20],
    "line": ["retention line: not a retention figure; best case taken as +5 points of retention (lesson 1.2's table)",
             "cost-saving line: 0 to 20% of sales and service cost", "not priced separately (faster cash; overlaps revenue)",
             "revenue line: 0 to 51% more sales", "not a line: the result of the others"],
})

#: Inputs of the demo business case (an assumed mid-sized firm, yuan; not from the slides). Gains are
#: (low, high) ranges; the most likely value is ``claim_share`` x high.
CASE_DEFAULTS = {
    "revenue": 150e6,              # yearly sales through the channels the CRM supports
    "gross_margin": 0.30,
    "sales_service_cost": 20e6,    # yearly cost of selling and service
    "customers": 50_000,
    "retention": 0.80,             # yearly retention before CRM
    "revenue_uplift": (0.0, 0.51),
    "cost_saving": (0.0, 0.20),
    "retention_gain": (0.0, 0.05),
    "claim_share": 0.25,
    "p_failure": 0.3,              # chance that the project delivers no gain at all (assumed)
    "upfront_cost": 8e6,           # licences, configuration, data migration (year 0)
    "training_cost": 1e6,          # year 0
    "running_cost": 2e6,           # each year from year 1
    "years": 5,
    "discount_rate": 0.10,
    "adoption_ceiling": 0.85,
    "adoption_half_life": 1.0,     # years to reach half the ceiling; training shortens it (C12)
}

#: The hotel case of the slides (C38): focusing on 15-20 key capabilities in direct marketing, sales and
#: call-centre operations would add about US$65M of net profit in five years.
HOTEL_CASE = {"net_profit_gain_usd": 65e6, "years": 5, "capabilities": (15, 20)}

#: Vendors scored 1-5 on five criteria (illustrative numbers), with the buyer's weights. Cost-effectiveness
#: is the slides' criterion (C24); the other four are common textbook criteria, not the slides'.
EXAMPLE_VENDORS = pd.DataFrame({
    "criterion": ["functional fit", "cost-effectiveness (性价比)", "integration with existing systems",
                  "ease of use (adoption)", "vendor support and implementation"],
    "weight": [0.30, 0.25, 0.15, 0.15, 0.15],
    "Vendor A": [5, 2, 4, 3, 4],
    "Vendor B": [4, 4, 3, 4, 3],
    "Vendor C": [3, 5, 3, 4, 2],
})

#: The slides' introduction processes merged into one phase table: each phase with the step of each source
#: that belongs to it (C10-C12 Taiwan deck, C49 three steps, C25 five implementation steps, C33 blueprint).
PHASES = pd.DataFrame({
    "phase": ["1 Review and goals", "2 Strategy and business case", "3 Selection", "4 Organisation",
              "5 Configuration and data migration", "6 Training and roll-out", "7 Go-live and support"],
    "review_plan_deliver (C10-C12)": ["檢視: review technology and processes, find the gaps",
                                      "規劃: plan training, processes, ROI (投資報酬評估), interaction, data", "",
                                      "調整組織流程: people, departments, information flows", "",
                                      "交付及發展: drive adoption (training, sharing meetings, vendor briefings)",
                                      "交付及發展 (continued)"],
    "three_steps (C49)": ["目标设定: needs analysis, benchmarking and best practice, assess current CRM",
                          "CRM战略和技术概念: vision and target system, potential value, detailed strategy",
                          "CRM战略和技术概念 (target system)", "实施: CRM workflow", "实施", "实施: dialogue, personalised service",
                          "实施: retention"],
    "five_steps (C25)": ["项目准备: goals, team, plan", "项目准备", "", "", "系统配置 + 数据迁移", "培训与推广",
                         "上线与支持"],
    "blueprint (C33)": ["確認策略背景: strategic context", "性能評估 + 業務案例發展: capabilities, business case", "",
                        "建立執行計畫: execution plan", "", "", ""],
    "deliverable": ["gap list, goals with numbers", "business case: NPV distribution, P(NPV > 0)",
                    "scorecard with P(rank first); cost-effectiveness (C24)", "new roles and processes",
                    "configured system; migrated, de-duplicated data (lesson 6.1)", "trained users; adoption curve",
                    "live system; adoption and benefit tracking against the case"],
})


# --------------------------------------------------------------------------- vendor scorecard
def _vendor_table(scores, weight_col, arg="scores"):
    check_dataframe(scores, arg=arg)
    require_columns(scores, {"weight_col": weight_col}, arg=arg)
    vendors = [c for c in scores.columns if c not in (weight_col, "criterion")]
    if len(vendors) < 2:
        raise CRMInputError(f"argument `{arg}`: need two vendor columns or more besides '{weight_col}' and "
                            f"'criterion'; found {vendors}. Add one column of scores per vendor.")
    w = check_numeric(scores, weight_col, arg=arg, col_arg="weight_col", min_value=0).to_numpy(float)
    if w.sum() <= 0:
        raise CRMInputError(f"argument `{arg}`, column '{weight_col}' (weight_col): weights must not all be 0; "
                            f"found {w.tolist()}. Give each criterion its importance.")
    s = np.column_stack([check_numeric(scores, v, arg=arg).to_numpy(float) for v in vendors])
    return vendors, w / w.sum(), s


def scorecard(scores: pd.DataFrame, *, weight_col: str = "weight") -> pd.DataFrame:
    """Weighted score of each vendor: sum over criteria of weight x score (weights rescaled to sum to 1).

    Parameters
    ----------
    scores : DataFrame
        One row per criterion: a weight column and one column of scores per vendor (a ``criterion``
        column of names is ignored).
    weight_col : str, default "weight"

    Returns
    -------
    DataFrame
        Indexed by vendor: ``score`` and ``rank`` (1 = best; ties share the better rank).

    Examples
    --------
    >>> scorecard(EXAMPLE_VENDORS)
              score  rank
    Vendor A   3.65     2
    Vendor B   3.70     1
    Vendor C   3.50     3
    """
    vendors, w, s = _vendor_table(scores, weight_col)
    total = np.round(w @ s, 10)
    out = pd.DataFrame({"score": total}, index=pd.Index(vendors))
    out["rank"] = out["score"].rank(ascending=False, method="min").astype(int)
    return out


def weight_monte_carlo(scores: pd.DataFrame, *, weight_col: str = "weight", concentration: float = 50.0,
                       n_draws: int = 10_000, seed: int = 0) -> pd.DataFrame:
    """Probability that each vendor ranks first when the weights are uncertain (Dirichlet draws).

    Parameters
    ----------
    scores : DataFrame
        As for :func:`scorecard`.
    concentration : float, default 50
        Weights are drawn from Dirichlet(concentration x weights): their mean is the stated weights;
        a smaller concentration means less agreement on them (at 50 a weight of 0.3 has sd about 0.06).
    n_draws : int, default 10,000
    seed : int, default 0

    Returns
    -------
    DataFrame
        Indexed by vendor: ``score`` (at the stated weights), ``p_first`` (share of draws in which the
        vendor has the highest score; a tie is shared equally), ``mean_rank``.

    Notes
    -----
    .. math:: w \\sim \\mathrm{Dirichlet}(\\kappa \\bar w),\\qquad
              P_v = \\Pr\\big(\\textstyle\\sum_c w_c s_{cv} > \\sum_c w_c s_{cu}\\ \\forall u \\ne v\\big)

    With two criteria, Dirichlet weights make :math:`w_1 \\sim \\mathrm{Beta}(\\kappa\\bar w_1,
    \\kappa\\bar w_2)`, so the probabilities can be checked exactly (tests/test_crm_project.py).

    Examples
    --------
    >>> mc = weight_monte_carlo(EXAMPLE_VENDORS, seed=1)
    >>> mc["p_first"].idxmax(), round(float(mc["p_first"].sum()), 6)
    ('Vendor B', 1.0)
    """
    vendors, w, s = _vendor_table(scores, weight_col)
    check_number(concentration, "concentration", min_value=0, strict=True)
    check_number(n_draws, "n_draws", min_value=1, integer=True)
    if np.any(w <= 0):
        raise CRMInputError(f"argument `scores`, column '{weight_col}' (weight_col): every weight must be > 0 for "
                            f"Dirichlet draws; found {w.tolist()}. Drop a criterion of weight 0.")
    rng = np.random.default_rng(seed)
    draws = rng.dirichlet(concentration * w, size=int(n_draws))
    totals = draws @ s
    best = totals.max(axis=1, keepdims=True)
    top = np.isclose(totals, best, rtol=0, atol=1e-12)
    share = top / top.sum(axis=1, keepdims=True)
    ranks = (-totals).argsort(axis=1).argsort(axis=1) + 1
    return pd.DataFrame({"score": w @ s, "p_first": share.mean(axis=0), "mean_rank": ranks.mean(axis=0)},
                        index=pd.Index(vendors))


# --------------------------------------------------------------------------- money over time
def _flows(cash_flows, name="cash_flows") -> np.ndarray:
    cf = np.asarray(cash_flows, dtype=float)
    if cf.ndim not in (1, 2) or cf.shape[-1] < 2 or not np.all(np.isfinite(cf)):
        raise CRMInputError(f"argument `{name}`: need finite cash flows for years 0, 1, ... (two or more, "
                            f"rows = scenarios); found shape {cf.shape}. Pass a list like [-100, 40, 60].")
    return cf


def npv(rate: float, cash_flows) -> float | np.ndarray:
    """Net present value of cash flows at years 0, 1, 2, ...: sum of CF_t / (1 + rate)^t.

    ``cash_flows`` may be 2-D (one scenario per row); the result is then one NPV per row. Unlike
    Excel's NPV, the first flow is at year 0 and is not discounted (numpy-financial's convention).

    Examples
    --------
    >>> round(npv(0.281, [-100, 39, 59, 55, 20]), 6)
    -0.008479
    """
    cf = _flows(cash_flows)
    check_number(rate, "rate", min_value=-1, strict=True)
    disc = (1 + rate) ** -np.arange(cf.shape[-1])
    out = cf @ disc
    return float(out) if cf.ndim == 1 else out


def irr(cash_flows, *, low: float = -0.99, high: float = 10.0, tol: float = 1e-10) -> float | np.ndarray:
    """Internal rate of return: the rate at which the NPV is 0 (bisection; NaN where none in [low, high]).

    Cash flows must change sign once (an outlay, then returns) for a unique IRR; with a 2-D array,
    one IRR per row.

    Notes
    -----
    .. math:: \\sum_t \\frac{CF_t}{(1+\\mathrm{IRR})^t} = 0

    References
    ----------
    numpy-financial, ``irr`` documentation: IRR of [-100, 39, 59, 55, 20] is 0.28095.

    Examples
    --------
    >>> round(irr([-100, 39, 59, 55, 20]), 5)
    0.28095
    >>> irr([-100, 10, 10])
    -0.6...
    """
    cf = _flows(cash_flows)
    one = cf.ndim == 1
    cf = np.atleast_2d(cf)
    t = np.arange(cf.shape[1])

    def f(r):
        return (cf * (1 + r[:, None]) ** -t).sum(axis=1)

    lo = np.full(len(cf), low)
    hi = np.full(len(cf), high)
    f_lo, f_hi = f(lo), f(hi)
    ok = np.sign(f_lo) * np.sign(f_hi) < 0
    for _ in range(200):
        mid = (lo + hi) / 2
        f_mid = f(mid)
        left = np.sign(f_mid) == np.sign(f_lo)
        lo, f_lo = np.where(left, mid, lo), np.where(left, f_mid, f_lo)
        hi = np.where(left, hi, mid)
        if np.all(hi - lo < tol):
            break
    out = np.where(ok, (lo + hi) / 2, np.nan)
    return float(out[0]) if one else out


def payback_period(cash_flows) -> float | np.ndarray:
    """Years until the cumulative (undiscounted) cash flow turns non-negative, interpolated within the year;
    NaN when it never does within the horizon.

    Examples
    --------
    >>> payback_period([-1000, 300, 400, 500])
    2.6
    >>> payback_period([-1000, 100, 100])
    nan
    """
    cf = _flows(cash_flows)
    one = cf.ndim == 1
    cf = np.atleast_2d(cf)
    cum = np.cumsum(cf, axis=1)
    out = np.full(len(cf), np.nan)
    for i, c in enumerate(cum):
        if c[0] >= 0:
            out[i] = 0.0
            continue
        hit = np.nonzero(c >= 0)[0]
        if hit.size:
            k = hit[0]
            out[i] = k - 1 + (-c[k - 1]) / cf[i, k]
    return float(np.round(out[0], 12)) if one else out


def adoption_curve(years: int, *, ceiling: float = 0.85, half_life: float = 1.0) -> np.ndarray:
    """Share of the intended users working with the system in years 0..years (0 in year 0).

    .. math:: a_t = \\text{ceiling}\\,(1 - 2^{-t / h})

    Training and user support (the slides' 交付及發展, C12) shorten the half-life *h* and raise the
    ceiling; both are assumptions to vary, not measured values.

    Examples
    --------
    >>> adoption_curve(3, ceiling=0.8, half_life=1.0).round(2).tolist()
    [0.0, 0.4, 0.6, 0.7]
    """
    check_number(years, "years", min_value=1, max_value=50, integer=True)
    check_number(ceiling, "ceiling", min_value=0, max_value=1)
    check_number(half_life, "half_life", min_value=0, strict=True)
    t = np.arange(int(years) + 1)
    return ceiling * (1 - 2.0 ** (-t / half_life))


# --------------------------------------------------------------------------- the business case
def _inputs(**overrides) -> dict:
    unknown = set(overrides) - set(CASE_DEFAULTS)
    if unknown:
        raise CRMInputError(f"argument `{sorted(unknown)[0]}`: not an input of the business case; found "
                            f"{sorted(unknown)}. Use the keys of CASE_DEFAULTS: {sorted(CASE_DEFAULTS)}.")
    p = {**CASE_DEFAULTS, **overrides}
    for key in ("revenue", "sales_service_cost", "customers", "upfront_cost", "training_cost", "running_cost"):
        check_number(p[key], key, min_value=0)
    check_number(p["gross_margin"], "gross_margin", min_value=0, max_value=1)
    check_number(p["retention"], "retention", min_value=0, max_value=0.99)
    check_number(p["claim_share"], "claim_share", min_value=0, max_value=1)
    check_number(p["p_failure"], "p_failure", min_value=0, max_value=1)
    return p


def _lines(p, uplift, saving, gain):
    """Yearly benefit lines (arrays: scenarios x years+1) for gains given per scenario."""
    a = adoption_curve(p["years"], ceiling=p["adoption_ceiling"], half_life=p["adoption_half_life"])
    uplift, saving, gain = (np.asarray(x, float)[:, None] for x in (uplift, saving, gain))
    revenue = p["revenue"] * p["gross_margin"] * uplift * a
    cost = p["sales_service_cost"] * saving * a
    margin_per_customer = p["revenue"] * p["gross_margin"] / p["customers"]
    r_new = np.minimum(p["retention"] + gain * a, 0.99)
    # customers kept each year that would have left, each worth the lifetime profit at the new retention
    saved = p["customers"] * (r_new - p["retention"])
    life = lifetime_profit(r_new, margin=margin_per_customer, discount_rate=p["discount_rate"], horizon=30)
    retention = saved * life
    costs = np.zeros(p["years"] + 1)
    costs[0] = p["upfront_cost"] + p["training_cost"]
    costs[1:] = p["running_cost"]
    return revenue, cost, retention, costs


def business_case(**inputs) -> pd.DataFrame:
    """The CRM business case at the most likely gains: yearly benefit lines, costs and net cash flow.

    Parameters
    ----------
    **inputs
        Any key of :data:`CASE_DEFAULTS` (revenue, gross_margin, sales_service_cost, customers,
        retention, the gain ranges, claim_share, costs, years, discount_rate, adoption_ceiling,
        adoption_half_life).

    Returns
    -------
    DataFrame
        Indexed by year 0..years: ``adoption``, ``revenue_margin`` (extra gross margin),
        ``cost_saving``, ``retention_value``, ``costs``, ``net`` and ``cumulative``. ``attrs`` hold
        ``npv``, ``irr`` and ``payback``.

    Notes
    -----
    With adoption :math:`a_t` and gains at full adoption *u* (sales), *s* (cost) and *g* (retention
    points), each the most likely value ``claim_share`` x the top of its range:

    .. math::
        \\text{revenue}_t = R\\,m\\,u\\,a_t,\\quad \\text{saving}_t = C\\,s\\,a_t,\\quad
        \\text{retention}_t = N (r_t - r_0)\\,\\mathrm{LP}(r_t),\\ r_t = r_0 + g\\,a_t

    where LP is lesson 1.2's lifetime profit (:func:`crm_lessons.clv.lifetime_profit`, margin per
    customer R m / N, 30 years): each year the CRM keeps :math:`N(r_t - r_0)` customers who would have
    left, and each is worth the rest of its relationship.

    Examples
    --------
    >>> case = business_case(years=3)
    >>> case.index.tolist(), bool(case.loc[0, "net"] < 0)
    ([0, 1, 2, 3], True)
    """
    p = _inputs(**inputs)
    k = p["claim_share"]
    rev, cost, ret, costs = _lines(p, [k * p["revenue_uplift"][1]], [k * p["cost_saving"][1]],
                                   [k * p["retention_gain"][1]])
    out = pd.DataFrame({"adoption": adoption_curve(p["years"], ceiling=p["adoption_ceiling"],
                                                   half_life=p["adoption_half_life"]),
                        "revenue_margin": rev[0], "cost_saving": cost[0], "retention_value": ret[0],
                        "costs": costs}, index=pd.Index(range(p["years"] + 1), name="year"))
    out["net"] = out["revenue_margin"] + out["cost_saving"] + out["retention_value"] - out["costs"]
    out["cumulative"] = out["net"].cumsum()
    out.attrs.update(npv=npv(p["discount_rate"], out["net"]), irr=irr(out["net"]),
                     payback=payback_period(out["net"]))
    return out


def _triangular(rng, low, high, mode_share, n):
    low, high = float(low), float(high)
    if high < low:
        raise CRMInputError(f"argument `ranges`: a range must be (low, high) with low <= high; found ({low}, {high}).")
    if high == low:
        return np.full(n, low)
    return rng.triangular(low, low + mode_share * (high - low), high, size=n)


def monte_carlo_case(*, n_draws: int = 10_000, seed: int = 0, **inputs) -> pd.DataFrame:
    """The business case as a distribution: gains drawn from triangular ranges, one NPV, IRR and payback
    per draw.

    Parameters
    ----------
    n_draws : int, default 10,000
    seed : int, default 0
    **inputs
        As for :func:`business_case`. Each gain is drawn from a triangular distribution on its
        (low, high) range with mode low + ``claim_share`` x (high - low), independently; with
        probability ``p_failure`` a draw is a failed project and every gain is 0.

    Returns
    -------
    DataFrame
        One row per draw: ``failed``, ``revenue_uplift``, ``cost_saving``, ``retention_gain``, ``npv``, ``irr``
        (NaN if none), ``payback`` (NaN if not within the horizon), ``profit_gain_last_year``
        (last-year benefit - running cost, as a share of the base profit revenue x gross margin -
        sales_service_cost). ``attrs["p_positive"]`` = share of draws with NPV > 0.

    Examples
    --------
    >>> mc = monte_carlo_case(n_draws=2000, seed=1)
    >>> 0 < mc.attrs["p_positive"] < 1
    True
    """
    check_number(n_draws, "n_draws", min_value=1, integer=True)
    p = _inputs(**inputs)
    rng = np.random.default_rng(seed)
    n = int(n_draws)
    k = p["claim_share"]
    u = _triangular(rng, *p["revenue_uplift"], k, n)
    s = _triangular(rng, *p["cost_saving"], k, n)
    g = _triangular(rng, *p["retention_gain"], k, n)
    failed = rng.random(n) < p["p_failure"]          # a failed project: no gain on any line
    u, s, g = (np.where(failed, 0.0, x) for x in (u, s, g))
    rev, cost, ret, costs = _lines(p, u, s, g)
    net = rev + cost + ret - costs
    base_profit = p["revenue"] * p["gross_margin"] - p["sales_service_cost"]
    out = pd.DataFrame({"failed": failed, "revenue_uplift": u, "cost_saving": s, "retention_gain": g,
                        "npv": npv(p["discount_rate"], net), "irr": irr(net), "payback": payback_period(net),
                        "profit_gain_last_year": (net[:, -1]) / base_profit if base_profit > 0 else np.nan})
    out.attrs["p_positive"] = float((out["npv"] > 0).mean())
    return out
