"""Prospecting and acquisition economics (寻找客户的方法与开发成本).

Lesson 4.2. The slides list prospecting methods (寻找客户的方法) of which nos. 4 to 9 survive
(the slides, C41–C46); the telephone method (电话寻找法) comes with seven steps (C44). This module turns
them into numbers:

- the seven steps as a **funnel** (漏斗): leads entering and passing each step, the cost of each step,
  calls per sale and **cost per acquired customer** (CPA, 获客成本), and which step's rate moves the CPA
  most (:func:`step_sensitivity`, drawn as a tornado chart by :func:`plot_step_tornado`);
- methods compared by CPA against the **customer lifetime value** (CLV, from :func:`crm_lessons.clv.clv_model`)
  of the customers each brings, and the **payback period** (回收期);
- **referral trees** (推荐树) and the **centre of influence** (中心开花法, C42) as a branching process:
  expected reach 1 + m_0 / (1 - m) (:func:`expected_reach`), measured trees (:func:`referral_trees`).

Examples
--------
>>> costs = funnel_costs(PHONE_STEPS, n_leads=1000)
>>> round(float(funnel_summary(costs)["cost_per_customer"]), 2)
719.05
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from crm_lessons import clv
from crm_lessons._validation import (CRMInputError, check_dataframe, check_number, check_numeric,
                                     check_probability, check_rows, require_columns)
from crm_lessons.tables import Column, Table

__all__ = ["COST_RULES", "PHONE_STEPS", "PROSPECTING_METHODS", "cost_rules", "expected_reach", "funnel_costs",
           "funnel_summary", "method_economics", "payback_period", "plot_step_tornado", "referral_trees",
           "step_sensitivity"]

#: The slides' prospecting methods that survive (the slides, C41–C46): what the slides say, and a note of the
#: lesson's own (``lesson_note``, not in the slides). Nos. 1–3 are lost from the source; no. 4 survives only
#: as the drawback on its page.
PROSPECTING_METHODS = pd.DataFrame({
    "no": [4, 5, 6, 7, 8, 9],
    "method_zh": ["(名称缺失)", "名人介绍法 (中心开花法)", "会议寻找法", "电话寻找法", "直接邮寄寻找法 (信函寻找法)",
                  "市场咨询法"],
    "method": ["(name lost)", "centre of influence", "meetings", "telephone", "direct mail", "market consulting"],
    "slides_say": [
        "Drawback: commercial data go stale (商业资料的时效性比较差).",
        "In a chosen area, win influential people as customers and, with their help, turn the others there into "
        "buyers; the key is the central person (中心人物).",
        "Use meetings to build links with other participants; needs skill in personal contact to win their trust.",
        "Prospect by telephone, in seven steps (see PHONE_STEPS).",
        "Wide coverage, many customers reached; but high cost, slow, and a low response unless the product is "
        "especially attractive.",
        "Use the paid information services of market-research agencies to find customers.",
    ],
    "lesson_note": [
        "Any list bought or copied must be checked before use (step 2 of the phone method).",
        "Cheap per customer if the central person refers many; everything depends on winning that one person.",
        "Few contacts per event, but warm ones; cost is time and fees.",
        "Cost is driven by calls per sale; measurable step by step.",
        "Response modelling and mailing depth: lesson 4.3.",
        "Pays for information rather than contacts; same staleness risk as no. 4.",
    ],
})

#: The telephone method's seven steps (the slides, C44) as funnel stages. ``step_zh`` is the slides' text;
#: ``passes`` is what a lead must do to pass the step, ``rate`` the share that passes and ``unit_cost`` the
#: cost (¥) of taking one lead through the step -- both illustrative assumptions of the lesson.
PHONE_STEPS = pd.DataFrame({
    "step_zh": ["建立核实预期客户的标准", "使用该标准列出预期客户的名单", "了解财务状况和信誉度", "确定每次打电话的目的",
                "准备开场白和销售信息", "准备各种方式结束销售", "成功则快速跟进,不成功则请求一次会面"],
    "step": ["criteria", "list", "finances and credit", "purpose of the call", "opening and pitch", "close",
             "follow-up or meeting"],
    "passes": ["a directory name meets the criteria", "has a working contact (list data go stale)",
               "finances and credit are sound", "the call reaches the decision maker", "listens and is interested",
               "buys or agrees to a meeting", "becomes a customer (fast follow-up or the meeting)"],
    "rate": [0.40, 0.75, 0.80, 0.35, 0.30, 0.40, 0.60],
    "unit_cost": [0.5, 1.0, 4.0, 3.0, 8.0, 10.0, 60.0],
}, index=pd.RangeIndex(1, 8, name="no"))

#: The three cost rules of thumb in the course material (C13, D08, C92): cost of winning a new customer
#: relative to keeping an existing one.
COST_RULES = pd.DataFrame({
    "source": ["the slides (CRM chapter)", "the MBA chapter", "the slides (\"authoritative research\")"],
    "rule_zh": ["开发一位新顾客与留住一位旧顾客的本钱大约是3:1", "获取一个新顾客的成本是保留一个老顾客的5倍",
                "争取一个新客户的成本是保住一个老客户所花费的7倍"],
    "ratio": [3.0, 5.0, 7.0],
})

REFERRALS = Table(
    "referrals", "referrals (推荐记录): one row per customer, with who referred them",
    (Column("customer", "customer_id", "id", doc="customer id"),
     Column("referrer", "referred_by", "id", missing=True, doc="the customer who referred them (missing: none)")),
    key=("customer",), key_what="customer ids", key_fix="Keep one row per customer.",
)


# --------------------------------------------------------------------------- the phone funnel
def _steps(steps: pd.DataFrame, rate_col: str, cost_col: str) -> pd.DataFrame:
    check_dataframe(steps, arg="steps")
    require_columns(steps, {"rate_col": rate_col, "cost_col": cost_col}, arg="steps")
    rate = check_numeric(steps, rate_col, arg="steps", col_arg="rate_col", min_value=0, max_value=1)
    cost = check_numeric(steps, cost_col, arg="steps", col_arg="cost_col", min_value=0)
    return pd.DataFrame({"rate": rate.to_numpy(float), "unit_cost": cost.to_numpy(float)}, index=steps.index)


def funnel_costs(steps: pd.DataFrame, *, n_leads: float = 1000, rate_col: str = "rate",
                 cost_col: str = "unit_cost") -> pd.DataFrame:
    """Leads entering and passing each step of a sequential funnel, and what each step costs.

    Parameters
    ----------
    steps : DataFrame
        One row per step, in order, with the share of leads that pass it and the cost of taking one lead
        through it (e.g. :data:`PHONE_STEPS`).
    n_leads : float, default 1000
        Leads entering the first step.
    rate_col, cost_col : str
        Columns of the pass rate (0–1) and the unit cost.

    Returns
    -------
    DataFrame
        Indexed like ``steps``: ``entering``, ``rate``, ``passing``, ``unit_cost``, ``cost`` = entering ×
        unit_cost, ``cost_share`` of the total.

    Notes
    -----
    With pass rates :math:`r_1, \\dots, r_K` and :math:`N_0` leads, step *k* is entered by
    :math:`N_k = N_0 \\prod_{j<k} r_j` leads and costs :math:`c_k N_k`; the funnel yields
    :math:`N_0 \\prod_j r_j` customers.

    Examples
    --------
    >>> s = pd.DataFrame({"rate": [0.5, 0.2], "unit_cost": [1.0, 10.0]})
    >>> funnel_costs(s, n_leads=100)[["entering", "passing", "cost"]]
       entering  passing   cost
    0     100.0     50.0  100.0
    1      50.0     10.0  500.0
    """
    s = _steps(steps, rate_col, cost_col)
    check_number(n_leads, "n_leads", min_value=0, strict=True)
    entering = float(n_leads) * np.concatenate([[1.0], np.cumprod(s["rate"].to_numpy())[:-1]])
    out = pd.DataFrame({"entering": entering, "rate": s["rate"], "passing": entering * s["rate"].to_numpy(),
                        "unit_cost": s["unit_cost"]}, index=steps.index)
    out["cost"] = out["entering"] * out["unit_cost"]
    total = out["cost"].sum()
    out["cost_share"] = out["cost"] / total if total > 0 else 0.0
    return out


def funnel_summary(costs: pd.DataFrame, *, call_step=None) -> pd.Series:
    """Leads, calls, customers, calls per customer and cost per acquired customer of a :func:`funnel_costs` table.

    Parameters
    ----------
    costs : DataFrame
        The output of :func:`funnel_costs`.
    call_step : index label, optional
        The first step that takes a call; the leads entering it are the calls made. Default: the fourth
        step (the phone method's "purpose of the call").

    Returns
    -------
    Series
        ``leads, calls, customers, total_cost, calls_per_customer, cost_per_customer`` (infinite when the
        funnel yields no customer).

    Notes
    -----
    .. math:: \\text{CPA} = \\frac{\\sum_k c_k N_k}{N_0 \\prod_k r_k}

    Examples
    --------
    >>> s = pd.DataFrame({"rate": [0.5, 0.2], "unit_cost": [1.0, 10.0]})
    >>> float(funnel_summary(funnel_costs(s, n_leads=100), call_step=1)["cost_per_customer"])
    60.0
    """
    check_dataframe(costs, arg="costs")
    require_columns(costs, ["entering", "passing", "cost"], arg="costs")
    if call_step is None:
        call_step = costs.index[min(3, len(costs) - 1)]
    if call_step not in costs.index:
        raise CRMInputError(f"argument `call_step`: {call_step!r} is not a step of `costs`; found steps "
                            f"{list(costs.index)}. Pass the label of the first step that takes a call.")
    customers = float(costs["passing"].iloc[-1])
    calls = float(costs.loc[call_step, "entering"])
    total = float(costs["cost"].sum())
    per = (lambda x: x / customers) if customers > 0 else (lambda x: math.inf)
    return pd.Series({"leads": float(costs["entering"].iloc[0]), "calls": calls, "customers": customers,
                      "total_cost": total, "calls_per_customer": per(calls), "cost_per_customer": per(total)})


def step_sensitivity(steps: pd.DataFrame, *, change: float = 0.05, rate_col: str = "rate",
                     cost_col: str = "unit_cost", label_col: str | None = "step") -> pd.DataFrame:
    """Cost per acquired customer when each step's pass rate moves down and up by ``change`` (for a tornado chart).

    Parameters
    ----------
    steps : DataFrame
        Funnel steps as for :func:`funnel_costs`.
    change : float, default 0.05
        Change of each rate in percentage points (0.05 = 5 points), kept within [0.01, 1].
    rate_col, cost_col : str
        Columns of the pass rate and the unit cost.
    label_col : str or None, default "step"
        Column naming the steps (``None``: the index).

    Returns
    -------
    DataFrame
        One row per step, largest swing first: ``factor`` (step label), ``label``, ``low``, ``high``
        (rates), ``cpa_low``, ``cpa_high`` (CPA at the low and high rate), ``swing`` = ``abs(cpa_low - cpa_high)``
        and ``base_cpa``.

    Notes
    -----
    Raising rate :math:`r_j` by a factor leaves the cost of steps up to *j* unchanged and multiplies the
    customers and the cost of every later step by the same factor, so only the costs of steps
    :math:`\\le j` are spread over more customers. Equal *relative* improvements therefore help most at
    the last step; equal *absolute* improvements (points) help most where the rate is low.

    Examples
    --------
    >>> s = pd.DataFrame({"step": ["a", "b"], "rate": [0.5, 0.2], "unit_cost": [1.0, 10.0]})
    >>> t = step_sensitivity(s, change=0.1)
    >>> t[["factor", "cpa_low", "cpa_high"]].round(1).to_numpy().tolist()
    [['b', 120.0, 40.0], ['a', 62.5, 58.3]]
    """
    s = _steps(steps, rate_col, cost_col)
    check_number(change, "change", min_value=0, max_value=1, strict=True)
    labels = steps[label_col].astype(str).to_numpy() if label_col is not None else steps.index.astype(str)
    if label_col is not None:
        require_columns(steps, {"label_col": label_col}, arg="steps")

    def cpa(rates):
        c = funnel_costs(pd.DataFrame({"rate": rates, "unit_cost": s["unit_cost"].to_numpy()}), n_leads=1.0)
        return float(funnel_summary(c, call_step=c.index[0])["cost_per_customer"])

    base = s["rate"].to_numpy()
    rows = []
    for i, name in enumerate(labels):
        lo, hi = max(base[i] - change, 0.01), min(base[i] + change, 1.0)
        r_lo, r_hi = base.copy(), base.copy()
        r_lo[i], r_hi[i] = lo, hi
        c_lo, c_hi = cpa(r_lo), cpa(r_hi)
        rows.append({"factor": name, "label": name, "low": lo, "high": hi, "cpa_low": c_lo, "cpa_high": c_hi,
                     "swing": abs(c_lo - c_hi)})
    out = pd.DataFrame(rows).sort_values("swing", ascending=False, kind="stable", ignore_index=True)
    out["base_cpa"] = cpa(base)
    return out


def plot_step_tornado(table: pd.DataFrame, *, ax=None, currency: str = "¥"):
    """Tornado chart of a :func:`step_sensitivity` table (drawn by :func:`crm_lessons.clv.plot_tornado`).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_dataframe(table, arg="table")
    require_columns(table, ["factor", "label", "cpa_low", "cpa_high", "base_cpa"], arg="table")
    t = table.rename(columns={"cpa_low": "clv_low", "cpa_high": "clv_high", "base_cpa": "base_clv"})
    ax = clv.plot_tornado(t, ax=ax)
    ax.set_xlabel(f"Cost per acquired customer ({currency})")
    ax.set_title("Which step's rate moves the cost per customer most")
    handles, _ = ax.get_legend_handles_labels()
    ax.legend(handles, ["rate lower (worse)", "rate higher (better)"], loc="upper left", bbox_to_anchor=(1.01, 1),
              fontsize="small")
    return ax


# --------------------------------------------------------------------------- methods and payback
def payback_period(cpa: float, *, margin: float, retention: float, discount_rate: float = 0.1) -> float:
    """Periods until a customer's expected discounted margin repays what it cost to acquire them.

    Parameters
    ----------
    cpa : float
        Cost per acquired customer.
    margin : float
        Margin per period while the customer stays (the first one at once, as in :func:`crm_lessons.clv.clv_model`).
    retention : float
        Retention rate per period.
    discount_rate : float, default 0.1
        Discount rate per period.

    Returns
    -------
    float
        The smallest whole number of periods *T* with cumulative value :math:`\\ge` CPA; ``inf`` if the
        customer's whole CLV is below the CPA.

    Notes
    -----
    With :math:`q = r/(1+d)` the value of the first *T* periods is :math:`m (1-q^T)/(1-q)`, so

    .. math:: T = \\left\\lceil \\frac{\\ln\\left(1 - \\text{CPA}(1-q)/m\\right)}{\\ln q} \\right\\rceil
              \\quad\\text{if } \\text{CPA} < m/(1-q).

    Examples
    --------
    >>> payback_period(250, margin=100, retention=0.8, discount_rate=0.1)   # 100, 72.7, 52.9: 225.6 < 250
    4.0
    >>> payback_period(500, margin=100, retention=0.8, discount_rate=0.1)   # CLV 366.7 < 500
    inf
    """
    check_number(cpa, "cpa", min_value=0)
    check_number(margin, "margin", min_value=0, strict=True)
    check_probability(retention, "retention")
    check_number(discount_rate, "discount_rate", min_value=-1, strict=True)
    if cpa == 0:
        return 0.0
    q = retention / (1 + discount_rate)
    if q == 0:
        return 1.0 if cpa <= margin else math.inf
    if q >= 1:
        return float(math.ceil(cpa / margin - 1e-12)) if q == 1 else float(
            next(t for t in range(1, 10_000) if margin * (q ** t - 1) / (q - 1) >= cpa - 1e-9))
    x = 1 - cpa * (1 - q) / margin
    if x <= 0:
        return math.inf
    return float(max(1, math.ceil(math.log(x) / math.log(q) - 1e-9)))


def method_economics(methods: pd.DataFrame, *, cost_col: str = "cost_per_contact", response_col: str = "response",
                     conversion_col: str = "conversion", margin_col: str = "margin", retention_col: str = "retention",
                     discount_rate: float = 0.1) -> pd.DataFrame:
    """Cost per acquired customer, CLV, net value and payback period of each prospecting method.

    Parameters
    ----------
    methods : DataFrame
        One row per method: cost per contact, response rate (share of contacts who respond), conversion
        (share of responders who buy), and the margin per period and retention rate of the customers it brings.
    cost_col, response_col, conversion_col, margin_col, retention_col : str
        Column names.
    discount_rate : float, default 0.1
        Discount rate per period for the CLV.

    Returns
    -------
    DataFrame
        ``methods`` with ``contacts_per_customer`` = 1 / (response × conversion), ``cpa`` = cost per contact
        × contacts per customer, ``clv`` (:func:`crm_lessons.clv.clv_model`, no horizon), ``net_value`` =
        clv − cpa, ``clv_to_cpa`` and ``payback_periods`` (:func:`payback_period`).

    Examples
    --------
    >>> m = pd.DataFrame({"cost_per_contact": [2.0], "response": [0.1], "conversion": [0.5],
    ...                   "margin": [100.0], "retention": [0.8]})
    >>> method_economics(m)[["cpa", "clv", "payback_periods"]].round(1)
        cpa    clv  payback_periods
    0  40.0  366.7              1.0
    """
    check_dataframe(methods, arg="methods")
    cols = {"cost_col": cost_col, "response_col": response_col, "conversion_col": conversion_col,
            "margin_col": margin_col, "retention_col": retention_col}
    require_columns(methods, cols, arg="methods")
    cost = check_numeric(methods, cost_col, arg="methods", col_arg="cost_col", min_value=0)
    resp = check_numeric(methods, response_col, arg="methods", col_arg="response_col", min_value=0, max_value=1,
                         strict=True)
    conv = check_numeric(methods, conversion_col, arg="methods", col_arg="conversion_col", min_value=0, max_value=1,
                         strict=True)
    margin = check_numeric(methods, margin_col, arg="methods", col_arg="margin_col", min_value=0, strict=True)
    ret = check_numeric(methods, retention_col, arg="methods", col_arg="retention_col", min_value=0, max_value=1)
    check_rows(methods, ret >= 1, ret, arg="methods", column=retention_col, col_arg="retention_col",
               rule="retention must be below 1", fix="Give a yearly retention rate such as 0.8.")
    check_number(discount_rate, "discount_rate", min_value=-1, strict=True)
    out = methods.copy()
    out["contacts_per_customer"] = 1.0 / (resp * conv)
    out["cpa"] = cost * out["contacts_per_customer"]
    out["clv"] = [clv.clv_model(margin=m, retention=r, discount_rate=discount_rate, horizon=None)
                  for m, r in zip(margin, ret)]
    out["net_value"] = out["clv"] - out["cpa"]
    out["clv_to_cpa"] = out["clv"] / out["cpa"]
    out["payback_periods"] = [payback_period(c, margin=m, retention=r, discount_rate=discount_rate)
                              for c, m, r in zip(out["cpa"], margin, ret)]
    return out


def cost_rules(cpa: float, *, ratios=None) -> pd.DataFrame:
    """What each cost rule of thumb (3:1, 5×, 7×) implies for the cost of keeping a customer.

    Parameters
    ----------
    cpa : float
        Measured cost of acquiring one customer.
    ratios : mapping, optional
        ``rule -> ratio``; default the course's three rules (:data:`COST_RULES`).

    Returns
    -------
    DataFrame
        Per rule: ``ratio``, ``keep_cost`` = cpa / ratio (the implied cost of keeping one customer) and
        ``kept_per_new`` = ratio (customers kept for the cost of one new one).

    Examples
    --------
    >>> cost_rules(210.0)["keep_cost"].round(1).tolist()
    [70.0, 42.0, 30.0]
    """
    check_number(cpa, "cpa", min_value=0)
    if ratios is None:
        ratios = dict(zip(COST_RULES["source"] + ": " + COST_RULES["ratio"].map("{:g}x".format), COST_RULES["ratio"]))
    for name, r in dict(ratios).items():
        check_number(r, f"ratios[{name!r}]", min_value=0, strict=True)
    out = pd.DataFrame({"ratio": pd.Series(dict(ratios), dtype=float)})
    out.index.name = "rule"
    out["keep_cost"] = float(cpa) / out["ratio"]
    out["kept_per_new"] = out["ratio"]
    return out


# --------------------------------------------------------------------------- referrals
def expected_reach(m: float, *, m_seed: float | None = None, generations: int | None = None) -> float:
    """Expected number of customers won from one seeded customer in a referral branching process.

    Parameters
    ----------
    m : float
        Mean number of new customers each customer refers (the offspring mean).
    m_seed : float, optional
        Mean referrals of the seeded person (a centre of influence refers more); default ``m``.
    generations : int, optional
        Generations of referrals counted after the seed; default all.

    Returns
    -------
    float
        The seed plus the expected number of customers referred in the counted generations; ``inf`` for
        unlimited generations when ``m >= 1`` (the cascade may never die out).

    Notes
    -----
    Generation *k* ≥ 1 has :math:`m_0 m^{k-1}` people on average, so

    .. math:: E[\\text{reach}] = 1 + m_0 \\sum_{k=0}^{G-1} m^k \\;\\xrightarrow{G\\to\\infty}\\; 1 + \\frac{m_0}{1-m},

    which is :math:`1/(1-m)` for a random customer (:math:`m_0 = m`). Standard Galton–Watson
    branching-process result (textbook material, not in the course slides).

    Examples
    --------
    >>> round(expected_reach(0.4), 4)                 # a random customer: 1 / (1 - 0.4)
    1.6667
    >>> round(expected_reach(0.4, m_seed=6.0), 2)     # a centre of influence: 1 + 6 / 0.6
    11.0
    >>> expected_reach(0.5, m_seed=2.0, generations=2)   # 1 + 2 + 1
    4.0
    """
    check_number(m, "m", min_value=0)
    m_seed = m if m_seed is None else m_seed
    check_number(m_seed, "m_seed", min_value=0)
    if generations is None:
        if m >= 1:
            return math.inf if m_seed > 0 else 1.0
        return 1.0 + m_seed / (1.0 - m)
    check_number(generations, "generations", min_value=0, integer=True)
    return 1.0 + m_seed * float(sum(m ** k for k in range(int(generations))))


def referral_trees(referrals: pd.DataFrame, *, customer_col: str = "customer_id",
                   referrer_col: str = "referred_by") -> pd.DataFrame:
    """Each customer's place in the referral trees: root, generation, direct referrals and descendants.

    Parameters
    ----------
    referrals : DataFrame
        One row per customer; ``referrer_col`` names the customer who referred them (missing for a customer
        who came by another route: the root of a tree).
    customer_col, referrer_col : str
        Column names.

    Returns
    -------
    DataFrame
        Indexed by customer: ``root`` (the first customer of their tree), ``generation`` (0 for a root),
        ``direct_referrals`` and ``descendants`` (everyone in the tree below them). A root's tree holds
        1 + descendants customers; customers with many direct referrals are the advocates (拥护者).

    Raises
    ------
    CRMInputError
        If a referrer is not a customer of the table, or the referrals form a loop.

    Examples
    --------
    >>> r = pd.DataFrame({"customer_id": [1, 2, 3, 4, 5], "referred_by": [None, 1, 1, 2, None]})
    >>> referral_trees(r)
                 root  generation  direct_referrals  descendants
    customer_id
    1               1           0                 2            3
    2               1           1                 1            1
    3               1           1                 0            0
    4               1           2                 0            0
    5               5           0                 0            0
    """
    t = REFERRALS.read(referrals, arg="referrals", customer_col=customer_col, referrer_col=referrer_col)
    ids = pd.Index(t["customer_id"])
    ref = pd.Series(t["referred_by"].to_numpy(), index=t.index)
    has = ref.notna()
    check_rows(t, has & ~ref.isin(ids), ref, arg="referrals", column=referrer_col, col_arg="referrer_col",
               rule="the referrer must be a customer of the table", fix="Add the referrer's row or blank the value.")
    parent = dict(zip(t["customer_id"], ref))
    children: dict = {c: [] for c in ids}
    for c, p in parent.items():
        if pd.notna(p):
            children[p].append(c)
    root, gen, order = {}, {}, []
    for r in [c for c in ids if pd.isna(parent[c])]:
        stack = [(r, 0)]
        while stack:
            c, g = stack.pop()
            root[c], gen[c] = r, g
            order.append(c)
            stack.extend((k, g + 1) for k in children[c])
    if len(order) < len(ids):
        loop = next(i for i, c in enumerate(ids) if c not in root)
        raise CRMInputError(f"argument `referrals`, column '{referrer_col}' (referrer_col), row {t.index[loop]!r}: "
                            f"the referrals form a loop; found customer {ids[loop]!r} in a chain that never starts. "
                            f"Every chain of referrers must end at a customer without a referrer.")
    desc = {c: 0 for c in ids}
    for c in reversed(order):
        p = parent[c]
        if pd.notna(p):
            desc[p] += desc[c] + 1
    out = pd.DataFrame({"root": [root[c] for c in ids], "generation": [gen[c] for c in ids],
                        "direct_referrals": [len(children[c]) for c in ids], "descendants": [desc[c] for c in ids]},
                       index=pd.Index(ids, name=customer_col))
    return out
