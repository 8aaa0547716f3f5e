"""The restaurant case (案例: 富丽华·华膳楼): monthly report, grade migration, privileges, a rival.

Lesson 2.5 teaches the restaurant's grading rules
(:data:`crm_lessons.segmentation.RESTAURANT_RULES`, :func:`~crm_lessons.segmentation.tier_by_rules`,
:func:`~crm_lessons.segmentation.monthly_customer_stats`). This module runs the
case on top of them (lesson 9.3):

* :data:`SOURCE_REPORT_VISITS`, :data:`SOURCE_REPORT_GRADES` and
  :func:`monthly_report` -- the slides' monthly customer report (本月客户信息统计),
  reproduced to the yuan;
* :func:`monthly_grades`, :func:`grade_migration` and :func:`sticky_grades` --
  grades month by month, their Markov matrix, and a downgrade rule that waits
  for repeated misses;
* :func:`privilege_economics` -- the slides' privileges priced per grade and the
  spend uplift at which they pay;
* :data:`SWITCHING_BY_LOYALTY` and :func:`competitor_entry` -- a new restaurant
  opens opposite (对面开了一家新的餐馆): expected revenue at risk by grade under
  three responses.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import CRMInputError, check_choice, check_dataframe, check_number, check_numeric, require_columns
from crm_lessons.loyalty import LOYALTY_TYPES, switching_matrix
from crm_lessons.figures import get_axes
from crm_lessons.segmentation import RESTAURANT_RULES, VISITS, monthly_customer_stats, tier_by_rules

__all__ = [
    "SOURCE_REPORT_GRADES",
    "SOURCE_REPORT_VISITS",
    "SWITCHING_BY_LOYALTY",
    "LOYALTY_MIX_BY_GRADE",
    "competitor_entry",
    "draw_loyalty_types",
    "grade_audit",
    "grade_migration",
    "monthly_grades",
    "monthly_report",
    "plot_migration",
    "privilege_economics",
    "sticky_grades",
]

#: The visits behind the slides' monthly report (本月客户信息统计). 张先生 (grade B):
#: 3 visits with 8, 10 and 6 guests spending 460, 520 and 340 yuan. The other row
#: (grade C, no name given) has 19 guests on the 1st and 8 on the 5th and 2,420 yuan
#: in total. Not in the source, and so assumed here: 张先生's days (not legible)
#: and how the 2,420 yuan split between the two visits (the report row depends
#: only on the total).
SOURCE_REPORT_VISITS = pd.DataFrame({
    "customer_id": ["张先生", "张先生", "张先生", "C级客户", "C级客户"],
    "date": pd.to_datetime(["2024-05-08", "2024-05-20", "2024-05-27", "2024-05-01", "2024-05-05"]),
    "party_size": [8, 10, 6, 19, 8],
    "amount": [460.0, 520.0, 340.0, 1700.0, 720.0],
})

#: The grades the report lists beside each customer (类别).
SOURCE_REPORT_GRADES = pd.Series({"张先生": "B", "C级客户": "C"}, name="grade")

_GRADE_ORDER = list(RESTAURANT_RULES["tier"])
_STREAM = 9303  # random stream of draw_loyalty_types


def monthly_report(visits: pd.DataFrame, *, grades: pd.Series | None = None, customer_col: str = "customer_id",
                   date_col: str = "date", amount_col: str = "amount",
                   party_col: str = "party_size") -> pd.DataFrame:
    """The restaurant's monthly customer report (本月客户信息统计), one row per customer.

    Parameters
    ----------
    visits : DataFrame
        One month of visits: customer, date, amount (yuan) and guests.
    grades : Series, optional
        The grade the restaurant holds for each customer (类别), by customer id.
    customer_col, date_col, amount_col, party_col : str
        Column names.

    Returns
    -------
    DataFrame
        Indexed by customer: ``visits`` (总次数), ``guests`` (总人数), ``spend``
        (消费总额, yuan), ``spend_per_head`` (人均, rounded to the yuan as the
        report prints it), ``grade`` (if ``grades`` is given) and
        ``rules_grade``, the grade this month alone earns under
        :data:`~crm_lessons.segmentation.RESTAURANT_RULES`.

    Raises
    ------
    CRMInputError
        If the visits span more than one calendar month.

    Notes
    -----
    Spend per head = total spend / total guests, :math:`1320 / 24 = 55`.

    References
    ----------
    The slide deck's restaurant case, 富丽华·华膳楼酒店客户等级管理制度 (monthly report).

    Examples
    --------
    >>> monthly_report(SOURCE_REPORT_VISITS, grades=SOURCE_REPORT_GRADES)
                 visits  guests   spend  spend_per_head grade rules_grade
    customer_id
    C级客户              2      27  2420.0              90     C           C
    张先生                3      24  1320.0              55     B           C
    """
    log = VISITS.read(visits, arg="visits", customer_col=customer_col, date_col=date_col,
                      amount_col=amount_col, party_col=party_col)
    n_months = log["date"].dt.to_period("M").nunique()
    if n_months != 1:
        raise CRMInputError(f"argument `visits`: a monthly report needs one calendar month of visits; found "
                            f"{n_months} months. Select one month first, e.g. visits[visits['date'].dt.month == 5].")
    canon = log.rename(columns={"guests": "party_size"})
    stats = monthly_customer_stats(canon, months=1)
    out = stats[["visits", "guests", "spend"]].copy()
    out["guests"] = out["guests"].astype(int)
    out["spend_per_head"] = np.floor(stats["spend_per_head"] + 0.5).astype(int)
    if grades is not None:
        out["grade"] = pd.Series(grades).reindex(out.index).to_numpy()
    out["rules_grade"] = tier_by_rules(stats)["tier"].astype(str)
    return out


def monthly_grades(visits: pd.DataFrame, rules: pd.DataFrame = RESTAURANT_RULES, *, window: int = 1,
                   customer_col: str = "customer_id", date_col: str = "date", amount_col: str = "amount",
                   party_col: str = "party_size") -> pd.DataFrame:
    """Grade every customer at the end of every month from the last ``window`` months (逐月分级).

    Parameters
    ----------
    visits : DataFrame
        Visit log: customer, date, amount and guests.
    rules : DataFrame, default :data:`~crm_lessons.segmentation.RESTAURANT_RULES`
        Grading rules, best grade first; the last row must catch everyone.
    window : int, default 1
        Months of visits each grade is computed from (1 = that month alone).
    customer_col, date_col, amount_col, party_col : str
        Column names.

    Returns
    -------
    DataFrame
        One row per customer and month (from the ``window``-th month of the
        log): ``customer_id``, ``month`` (Period), ``month_index`` (1, 2, ...)
        and ``grade`` (ordered categorical). A customer with no visit in the
        window gets the last grade.

    Examples
    --------
    >>> g = monthly_grades(SOURCE_REPORT_VISITS)
    >>> g[["customer_id", "month", "grade"]].to_string(index=False)
    'customer_id   month grade\\n       C级客户 2024-05     C\\n        张先生 2024-05     C'
    """
    check_number(window, "window", min_value=1, integer=True)
    log = VISITS.read(visits, arg="visits", customer_col=customer_col, date_col=date_col,
                      amount_col=amount_col, party_col=party_col).rename(columns={"guests": "party_size"})
    log["month"] = log["date"].dt.to_period("M")
    months = pd.period_range(log["month"].min(), log["month"].max(), freq="M")
    if len(months) < window:
        raise CRMInputError(f"argument `window`: the log spans {len(months)} month(s); found window={window}. "
                            "Pass a window no longer than the log.")
    customers = pd.Index(sorted(log["customer_id"].unique()), name="customer_id")
    zero = pd.DataFrame({"monthly_visits": 0.0, "monthly_spend": 0.0, "spend_per_head": np.nan}, index=customers)
    frames = []
    for i, month in enumerate(months[window - 1:], start=1):
        part = log[(log["month"] > month - window) & (log["month"] <= month)]
        stats = zero.copy()
        if len(part):
            got = monthly_customer_stats(part, months=window)
            stats.loc[got.index, list(zero.columns)] = got[list(zero.columns)]
        tiers = tier_by_rules(stats, rules)["tier"]
        frames.append(pd.DataFrame({"customer_id": customers, "month": month, "month_index": i,
                                    "grade": tiers.to_numpy()}))
    out = pd.concat(frames, ignore_index=True)
    out["grade"] = pd.Categorical(out["grade"], categories=list(rules["tier"]), ordered=True)
    return out


def _check_grades(grades: pd.DataFrame, arg: str = "grades") -> pd.DataFrame:
    check_dataframe(grades, arg=arg)
    require_columns(grades, ["customer_id", "month_index", "grade"], arg=arg)
    if not isinstance(grades["grade"].dtype, pd.CategoricalDtype):
        raise CRMInputError(f"argument `{arg}`, column 'grade': must be an ordered categorical (best grade first); "
                            f"found dtype {grades['grade'].dtype}. Pass the output of monthly_grades.")
    return grades.sort_values(["customer_id", "month_index"], kind="stable")


def grade_migration(grades: pd.DataFrame, *, normalize: bool = True) -> pd.DataFrame:
    """Month-to-month grade migration matrix (客户等级迁移矩阵), a Markov chain of grades.

    Parameters
    ----------
    grades : DataFrame
        Output of :func:`monthly_grades` or :func:`sticky_grades`.
    normalize : bool, default True
        Transition probabilities (rows sum to 1); else counts.

    Returns
    -------
    DataFrame
        Rows: grade in one month (``from``); columns: grade the next month (``to``).

    Notes
    -----
    :func:`crm_lessons.loyalty.switching_matrix` with grades as the "brands":
    :math:`\\hat P_{ij} = n_{ij} / \\sum_k n_{ik}`.

    Examples
    --------
    >>> g = pd.DataFrame({"customer_id": [1, 1, 1, 2, 2, 2], "month_index": [1, 2, 3, 1, 2, 3],
    ...                   "grade": pd.Categorical(list("BBCCCC"), categories=list("ABC"), ordered=True)})
    >>> grade_migration(g)
    to      B    C
    from
    B     0.5  0.5
    C     0.0  1.0
    """
    df = _check_grades(grades)
    return switching_matrix(df, customer_col="customer_id", choice_col="grade", order_col="month_index",
                            normalize=normalize)


def sticky_grades(grades: pd.DataFrame, *, misses: int = 2) -> pd.DataFrame:
    """Hold a grade until it is missed ``misses`` months in a row (降级规则: 连续未达标才降级).

    Parameters
    ----------
    grades : DataFrame
        Output of :func:`monthly_grades` (the measured grade of each month).
    misses : int, default 2
        Consecutive months below the held grade before the customer moves
        down; 1 = follow the measured grade.

    Returns
    -------
    DataFrame
        Copy of ``grades`` with ``measured`` (the input grade) and ``grade``,
        the held grade.

    Notes
    -----
    The first month's held grade is the measured one. A customer moves **up**
    as soon as the measured grade is better; **down** only after ``misses``
    consecutive months measured below the held grade, and then to the best
    grade measured in those months.

    Examples
    --------
    >>> g = pd.DataFrame({"customer_id": [1] * 5, "month_index": [1, 2, 3, 4, 5],
    ...                   "grade": pd.Categorical(list("BCBCC"), categories=list("ABC"), ordered=True)})
    >>> sticky_grades(g)["grade"].tolist()
    ['B', 'B', 'B', 'B', 'C']
    """
    check_number(misses, "misses", min_value=1, integer=True)
    df = _check_grades(grades).copy()
    cats = df["grade"].cat.categories
    codes = df["grade"].cat.codes.to_numpy()   # 0 = best
    if (codes < 0).any():
        raise CRMInputError("argument `grades`, column 'grade': has missing grades; found "
                            f"{int((codes < 0).sum())}. Grade every customer every month.")
    held = codes.copy()
    cust = df["customer_id"].to_numpy()
    run, best = 0, 0
    for i in range(len(codes)):
        if i == 0 or cust[i] != cust[i - 1]:
            held[i], run = codes[i], 0
            continue
        prev = held[i - 1]
        if codes[i] <= prev:
            held[i], run = codes[i], 0
        else:
            best = codes[i] if run == 0 else min(best, codes[i])
            run += 1
            held[i] = best if run >= misses else prev
            if run >= misses:
                run = 0
    df["measured"] = df["grade"]
    df["grade"] = pd.Categorical.from_codes(held, categories=cats, ordered=True)
    return df


def grade_audit(grades: pd.DataFrame, true_grades: pd.Series) -> pd.Series:
    """How often monthly grades are right, and how often they move, against known true grades.

    Parameters
    ----------
    grades : DataFrame
        Output of :func:`monthly_grades` or :func:`sticky_grades`.
    true_grades : Series
        True grade of each customer (index: customer id), e.g. from
        :func:`~crm_lessons.simulate.simulate_restaurant_visits`' truth.

    Returns
    -------
    Series
        ``right_grade`` (share of customer-months graded right),
        ``downgrades`` and ``upgrades`` per 100 customers a month (every move
        is noise when the true grades do not change), ``true_b_kept``: share of
        true-B customer-months graded B or better.

    Examples
    --------
    >>> g = pd.DataFrame({"customer_id": [1, 1, 1], "month_index": [1, 2, 3],
    ...                   "grade": pd.Categorical(list("BCB"), categories=list("ABC"), ordered=True)})
    >>> grade_audit(g, pd.Series({1: "B"})).round(2).tolist()
    [0.67, 50.0, 50.0, 0.67]
    """
    df = _check_grades(grades)
    true = df["customer_id"].map(pd.Series(true_grades).astype(str))
    if true.isna().any():
        raise CRMInputError(f"argument `true_grades`: no true grade for customer {df.loc[true.isna(), 'customer_id'].iloc[0]!r}; "
                            "found none. Pass a grade for every customer in `grades`.")
    step = df.groupby("customer_id")["grade"].transform(lambda x: x.cat.codes.diff())
    pairs = step.notna().sum()
    cats = list(df["grade"].cat.categories)
    is_b = true == "B" if "B" in cats else pd.Series(False, index=df.index)
    kept = df.loc[is_b, "grade"].cat.codes <= cats.index("B") if "B" in cats else pd.Series(dtype=bool)
    return pd.Series({"right_grade": float((df["grade"].astype(str) == true).mean()),
                      "downgrades": 100 * float((step > 0).sum()) / pairs,
                      "upgrades": 100 * float((step < 0).sum()) / pairs,
                      "true_b_kept": float(kept.mean()) if len(kept) else np.nan})


def plot_migration(matrix: pd.DataFrame, *, ax=None, title: str = "Grade migration, month to month"):
    """Heat map of a grade migration matrix (row: this month's grade; column: next month's).

    Examples
    --------
    >>> m = pd.DataFrame([[0.8, 0.2], [0.1, 0.9]], index=["B", "C"], columns=["B", "C"])
    >>> plot_migration(m).get_xlabel()
    'Grade next month'
    """
    check_dataframe(matrix, arg="matrix")
    for col in matrix.columns:
        check_numeric(matrix, col, arg="matrix")
    ax = get_axes(ax, figsize=(5.5, 4.5))
    vals = matrix.to_numpy(dtype=float)
    im = ax.imshow(vals, cmap="Blues", vmin=0, vmax=1)
    for i in range(vals.shape[0]):
        for j in range(vals.shape[1]):
            if np.isfinite(vals[i, j]):
                ax.text(j, i, f"{vals[i, j]:.0%}", ha="center", va="center", fontsize=9,
                        color="white" if vals[i, j] > 0.6 else "black")
    ax.set_xticks(range(vals.shape[1]), [str(c) for c in matrix.columns])
    ax.set_yticks(range(vals.shape[0]), [str(r) for r in matrix.index])
    ax.figure.colorbar(im, ax=ax, label="share of customers", fraction=0.046)
    ax.set(xlabel="Grade next month", ylabel="Grade this month", title=title)
    return ax


def privilege_economics(spend: pd.Series, *, margin: float = 0.4, discount: float = 0.85,
                        discountable_share: float = 0.5, gift_yuan: float = 100.0, gifts_per_year: float = 2,
                        dinner_yuan: float = 700.0, dinner_every_months: float = 4.5,
                        staff_yuan_per_hour: float = 50.0, call_minutes: float = 5.0,
                        visit_hours: float = 1.0) -> pd.DataFrame:
    """The slides' privileges priced per customer and the spend uplift at which they pay (特权的经济性).

    Parameters
    ----------
    spend : Series
        Monthly spend (yuan) of a typical customer of each grade, indexed by grade.
    margin : float, default 0.4
        Gross margin on spend before discounts (assumed, not in the source).
    discount : float, default 0.85
        Price paid under the privilege discount (the slides' floor: 8.5折).
    discountable_share : float, default 0.5
        Share of spend the discount applies to (the slides exclude drinks,
        seafood, specials and banquets; the share is assumed).
    gift_yuan, gifts_per_year : float
        Gift value (slides: 100 yuan) and gifts a year (birthday, anniversary).
    dinner_yuan, dinner_every_months : float
        GM's dinner (slides: 700 yuan a table, every 3-6 months; default 4.5).
    staff_yuan_per_hour, call_minutes, visit_hours : float
        Cost of the sales manager's time (assumed), a call every 3 days and a
        visit every 10 days (slides), their length (assumed).

    Returns
    -------
    DataFrame
        By grade: ``yearly_spend``, ``gifts``, ``dinners``, ``staff_time``,
        ``discount`` (yuan a year), ``cost`` (their sum), ``cost_share`` of
        yearly spend, and ``break_even_uplift``: the relative rise in spend at
        which the privileges pay for themselves.

    Notes
    -----
    With yearly spend :math:`S`, fixed cost :math:`F` (gifts, dinners, staff
    time), margin :math:`m` and discount cost rate :math:`c = (1-d)\\,s`,
    the privileges cost :math:`F + cS` and an uplift :math:`u` earns
    :math:`(m - c)uS`. They pay when

    .. math:: u^* = \\frac{F + cS}{(m - c)\\,S}.

    Examples
    --------
    >>> t = privilege_economics(pd.Series({"A": 5000.0, "B": 2000.0}))
    >>> t[["cost", "cost_share", "break_even_uplift"]].round(3)
           cost  cost_share  break_even_uplift
    A  8898.611       0.148              0.456
    B  6198.611       0.258              0.795
    """
    check_number(margin, "margin", min_value=0, max_value=1, strict=True)
    check_number(discount, "discount", min_value=0, max_value=1)
    check_number(discountable_share, "discountable_share", min_value=0, max_value=1)
    for name, v in (("gift_yuan", gift_yuan), ("gifts_per_year", gifts_per_year), ("dinner_yuan", dinner_yuan),
                    ("staff_yuan_per_hour", staff_yuan_per_hour), ("call_minutes", call_minutes),
                    ("visit_hours", visit_hours)):
        check_number(v, name, min_value=0)
    check_number(dinner_every_months, "dinner_every_months", min_value=0, strict=True)
    c = (1 - discount) * discountable_share
    if c >= margin:
        raise CRMInputError(f"argument `discount`: the discount costs {c:.3f} of spend, not less than the margin "
                            f"{margin}; found discount={discount}. No spend uplift can pay for it: raise the margin "
                            "or the price paid.")
    s = pd.Series(spend, dtype=float) * 12
    out = pd.DataFrame({"yearly_spend": s})
    out["gifts"] = gift_yuan * gifts_per_year
    out["dinners"] = dinner_yuan * 12 / dinner_every_months
    out["staff_time"] = staff_yuan_per_hour * (365 / 3 * call_minutes / 60 + 365 / 10 * visit_hours)
    out["discount"] = c * s
    out["cost"] = out[["gifts", "dinners", "staff_time", "discount"]].sum(axis=1)
    out["cost_share"] = out["cost"] / s
    out["break_even_uplift"] = out["cost"] / ((margin - c) * s)
    return out


#: Assumed probability that a customer of each loyalty type (lesson 3.2) switches
#: to a new restaurant opposite that opens with a discount, by the incumbent's
#: response: do nothing, match the discount (a financial bond), or offer the
#: grade's privileges (a social bond). Not in the source: the slides only pose the
#: question (这时候你还属于第一家餐馆的忠诚顾客吗?).
SWITCHING_BY_LOYALTY = pd.DataFrame(
    {"none": [0.50, 0.25, 0.60, 0.45, 0.05],
     "match": [0.35, 0.15, 0.10, 0.30, 0.05],
     "privileges": [0.40, 0.10, 0.50, 0.20, 0.02]},
    index=pd.Index(["monopoly", "inertia", "price", "incentive", "super_value"], name="loyalty_type"),
)
SWITCHING_BY_LOYALTY.insert(0, "loyalty_type_zh", LOYALTY_TYPES.loc[SWITCHING_BY_LOYALTY.index, "loyalty_type_zh"])

_RESPONSES = ("none", "match", "privileges")

#: Assumed mix of loyalty types within each grade (rows sum to 1): the better the
#: grade, the more super-value loyalty (超值忠诚) and the less price loyalty (价格忠诚).
#: Not in the source.
LOYALTY_MIX_BY_GRADE = pd.DataFrame(
    {"monopoly": [0.05, 0.05, 0.05, 0.05], "inertia": [0.15, 0.15, 0.25, 0.30],
     "price": [0.10, 0.20, 0.30, 0.45], "incentive": [0.20, 0.25, 0.20, 0.10],
     "super_value": [0.50, 0.35, 0.20, 0.10]},
    index=pd.Index(_GRADE_ORDER, name="grade"),
)


def draw_loyalty_types(grades: pd.Series, *, mix: pd.DataFrame = LOYALTY_MIX_BY_GRADE,
                       seed: int = 0) -> pd.Series:
    """Draw each customer's loyalty type from the mix of their grade (assumed, for simulation).

    Parameters
    ----------
    grades : Series
        Grade of each customer (values in ``mix.index``).
    mix : DataFrame, default :data:`LOYALTY_MIX_BY_GRADE`
        Probability of each loyalty type (columns) by grade (rows).
    seed : int, default 0
        Random seed.

    Returns
    -------
    Series
        ``loyalty_type`` with the index of ``grades``.

    Examples
    --------
    >>> draw_loyalty_types(pd.Series(["A quality"] * 4 + ["C"] * 4), seed=1).tolist()
    ['super_value', 'incentive', 'super_value', 'incentive', 'price', 'price', 'price', 'price']
    """
    g = pd.Series(grades).astype(str)
    unknown = sorted(set(g) - set(mix.index))
    if unknown:
        raise CRMInputError(f"argument `grades`: grades must be in the mix table {list(mix.index)}; "
                            f"found {unknown[:3]}. Pass a mix with a row per grade.")
    check_number(seed, "seed", min_value=0, integer=True)
    # a stream of its own: with rng_from(seed), grades drawn by a simulator with the same seed
    # would reuse the same uniforms and tie the loyalty type to the grade
    rng = np.random.default_rng([int(seed), _STREAM])
    cum = mix.loc[g].to_numpy(float).cumsum(axis=1)
    pick = (rng.random(len(g))[:, None] > cum).sum(axis=1)
    return pd.Series(np.asarray(mix.columns)[np.minimum(pick, mix.shape[1] - 1)], index=g.index,
                     name="loyalty_type")


def competitor_entry(customers: pd.DataFrame, *, response: str = "none", rival_discount: float = 0.2,
                     switching: pd.DataFrame = SWITCHING_BY_LOYALTY, margin: float = 0.4,
                     privilege_cost: float | pd.Series = 0.0, targets=None, grade_col: str = "grade",
                     type_col: str = "loyalty_type", spend_col: str = "yearly_spend") -> pd.DataFrame:
    """Expected revenue and profit at risk by grade when a rival opens opposite (竞争者进入).

    Parameters
    ----------
    customers : DataFrame
        One row per customer: grade, loyalty type and yearly spend (yuan).
    response : {"none", "match", "privileges"}
        The incumbent's answer: nothing, match the rival's discount for
        everyone, or give privileges (a social bond).
    rival_discount : float, default 0.2
        The discount matched under ``"match"`` (share of spend).
    switching : DataFrame, default :data:`SWITCHING_BY_LOYALTY`
        Switching probability by loyalty type (rows) and response (columns).
    margin : float, default 0.4
        Gross margin on spend (assumed).
    privilege_cost : float or Series, default 0
        Yearly privilege cost per customer under ``"privileges"``, one number
        or by grade (e.g. ``privilege_economics(...)["cost"]``; 0 for grades
        that get none).
    targets : list of grades, optional
        Grades that get the response; the others behave as under ``"none"``
        and cost nothing. Default: every grade.
    grade_col, type_col, spend_col : str
        Column names.

    Returns
    -------
    DataFrame
        By grade: ``customers``, ``revenue`` (yearly, before entry),
        ``expected_switchers``, ``revenue_at_risk`` = expected spend lost,
        ``response_cost`` and ``profit`` = margin on kept spend minus the
        response's cost; a ``total`` row.

    Notes
    -----
    Customer *i* switches with probability :math:`p_{t(i),r}`. Expected kept
    revenue :math:`\\sum_i (1-p_i)S_i`; matching costs the discount on every
    kept yuan, :math:`\\delta \\sum_i (1-p_i)S_i`; privileges cost
    :math:`\\sum_i k_{g(i)}`. Profit :math:`= m\\sum_i(1-p_i)S_i - \\text{cost}`.

    Examples
    --------
    >>> c = pd.DataFrame({"grade": ["A", "A", "C"], "loyalty_type": ["price", "super_value", "price"],
    ...                   "yearly_spend": [60000.0, 60000.0, 3000.0]})
    >>> competitor_entry(c)[["customers", "expected_switchers", "revenue_at_risk"]]
           customers  expected_switchers  revenue_at_risk
    grade
    A              2                0.65          39000.0
    C              1                0.60           1800.0
    total          3                1.25          40800.0
    """
    check_choice(response, "response", list(_RESPONSES))
    check_number(rival_discount, "rival_discount", min_value=0, max_value=1)
    check_number(margin, "margin", min_value=0, max_value=1)
    check_dataframe(customers, arg="customers")
    require_columns(customers, {"grade_col": grade_col, "type_col": type_col, "spend_col": spend_col},
                    arg="customers")
    unknown = sorted(set(customers[type_col].astype(str)) - set(switching.index))
    if unknown:
        raise CRMInputError(f"argument `customers`, column '{type_col}' (type_col): loyalty types must be in the "
                            f"switching table {list(switching.index)}; found {unknown[:3]}. Map them first.")
    df = pd.DataFrame({"grade": customers[grade_col].reset_index(drop=True),   # keeps a categorical's order
                       "spend": customers[spend_col].to_numpy(float)})
    types = customers[type_col].astype(str)
    hit = np.ones(len(df), bool) if targets is None else df["grade"].astype(str).isin([str(t) for t in targets]).to_numpy()
    df["p"] = np.where(hit, switching.loc[types, response].to_numpy(float), switching.loc[types, "none"].to_numpy(float))
    df["kept"] = (1 - df["p"]) * df["spend"]
    if response == "match":
        df["cost"] = rival_discount * df["kept"]
    elif response == "privileges":
        k = privilege_cost if np.isscalar(privilege_cost) else pd.Series(privilege_cost).reindex(df["grade"]).fillna(0)
        df["cost"] = np.asarray(k, dtype=float) if not np.isscalar(k) else float(k)
    else:
        df["cost"] = 0.0
    df["cost"] = np.where(hit, df["cost"], 0.0)
    df["risk"] = df["p"] * df["spend"]
    g = df.groupby("grade", sort=True, observed=True)
    out = pd.DataFrame({"customers": g.size(), "revenue": g["spend"].sum(), "expected_switchers": g["p"].sum(),
                        "revenue_at_risk": g["risk"].sum(), "response_cost": g["cost"].sum()})
    out["profit"] = margin * g["kept"].sum() - out["response_cost"]
    out.index = out.index.astype(str)
    out.loc["total"] = out.sum()
    out["customers"] = out["customers"].astype(int)
    out.index.name = "grade"
    return out
