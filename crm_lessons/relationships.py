"""Customers and relationships: status, formation ladder, relationship levels (客户与客户关系).

Lesson 1.1. Every customer of a customer table is given, **as of any date**,

* a relationship status (按客户与企业的关系分类): non-customer (非客户), potential
  (潜在客户), target (目标客户), current (现实客户) or lost (流失客户);
* a stage on the customer formation ladder (客户的形成): suspect (猜想顾客) →
  prospect (预期顾客) → first-time buyer (首次购买) → repeat buyer (重复购买) →
  client (客户) → member (成员) → advocate (拥护者) → partner (合伙人);

and Kotler's matrix recommends one of five relationship levels (客户关系的类型):
basic (基本型), reactive (被动型), accountable (负责型), proactive (能动型),
partnership (伙伴型) from the number of customers and the unit margin.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from crm_lessons._validation import (show_value, CRMInputError, check_unique, check_choice, check_date, check_dates, check_number,
                                     check_numeric, require_columns, check_dataframe)

__all__ = [
    "KOTLER_MATRIX",
    "LADDER",
    "RELATIONSHIP_LEVELS",
    "STATUSES",
    "classify_customers",
    "plot_status_over_time",
    "recommend_level",
    "recommend_levels",
    "status_over_time",
]

#: Relationship statuses, from no relationship to a relationship that ended.
STATUSES = pd.DataFrame({
    "status": ["non", "potential", "target", "current", "lost"],
    "status_zh": ["非客户", "潜在客户", "目标客户", "现实客户", "流失客户"],
    "rule": [
        "not (yet) a known lead on the date, and never bought",
        "a known lead (lead_date <= date) that has not bought and is not a target",
        "a prospect the firm has selected (target flag, prospect_date <= date) that has not bought",
        "bought within the lapse window (date - lapse_days, date]",
        "bought before, but not within the lapse window",
    ],
})

#: The customer formation ladder (客户的形成), lowest rung first.
LADDER = pd.DataFrame({
    "stage": ["suspect", "prospect", "first-time buyer", "repeat buyer", "client", "member",
              "advocate", "partner"],
    "stage_zh": ["猜想顾客", "预期顾客", "首次购买", "重复购买", "客户", "成员", "拥护者", "合伙人"],
    "rule": [
        "in the customer table (any person who might buy)",
        "qualified as a prospect (prospect_date <= date)",
        "exactly 1 purchase by the date",
        "2 to client_purchases - 1 purchases",
        "at least client_purchases purchases",
        "joined the membership programme (member_date <= date)",
        "referred at least one other customer (a row whose referred_by names them, lead_date <= date)",
        "became a partner (partner_date <= date)",
    ],
})

#: Kotler's five levels of relationship (客户关系的五种类型).
RELATIONSHIP_LEVELS = pd.DataFrame({
    "level": ["basic", "reactive", "accountable", "proactive", "partnership"],
    "level_zh": ["基本型", "被动型", "负责型", "能动型", "伙伴型"],
    "description": [
        "sells the product and does not follow up",
        "sells and encourages the customer to call with questions or complaints",
        "calls the customer soon after the sale to check expectations were met and asks for suggestions",
        "contacts the customer from time to time with improved uses or new products",
        "works continuously with the customer to find ways to deliver better value",
    ],
})

#: Kotler's matrix: recommended level by number of customers (rows) x unit margin (columns).
#: Kotler gives "basic or reactive" for many customers with a low margin; we use basic.
KOTLER_MATRIX = pd.DataFrame(
    [["accountable", "reactive", "basic"],
     ["proactive", "accountable", "reactive"],
     ["partnership", "proactive", "accountable"]],
    index=pd.Index(["many", "medium", "few"], name="number_of_customers"),
    columns=pd.Index(["high", "medium", "low"], name="unit_margin"),
)

_ZH = dict(zip(RELATIONSHIP_LEVELS["level"], RELATIONSHIP_LEVELS["level_zh"]))


def recommend_level(number_of_customers: str, unit_margin: str) -> str:
    """Kotler's recommended relationship level for a market.

    Parameters
    ----------
    number_of_customers : {"many", "medium", "few"}
        How many customers the product line has (客户数量).
    unit_margin : {"high", "medium", "low"}
        Profit margin per unit (单位利润).

    Returns
    -------
    str
        One of ``RELATIONSHIP_LEVELS["level"]``.

    Raises
    ------
    CRMInputError
        If a label is not one of the allowed ones.

    References
    ----------
    Kotler, P. & Keller, K. L. *Marketing Management*, chapter on building
    customer relationships ("levels of relationship marketing as a function of
    profit margin and number of customers").

    Examples
    --------
    >>> recommend_level("few", "high")
    'partnership'
    >>> recommend_level("many", "low")
    'basic'
    """
    check_choice(number_of_customers, "number_of_customers", list(KOTLER_MATRIX.index))
    check_choice(unit_margin, "unit_margin", list(KOTLER_MATRIX.columns))
    return str(KOTLER_MATRIX.loc[number_of_customers, unit_margin])


def _band(values: pd.Series, cuts, labels, name: str) -> pd.Series:
    lo, hi = cuts
    if not lo < hi:
        raise CRMInputError(f"argument `{name}`: needs two increasing cut points (low, high); "
                            f"found {tuple(cuts)!r}. Pass e.g. {name}=(100, 10000).")
    return pd.Series(np.select([values < lo, values < hi], labels[:2], labels[2]), index=values.index)


def recommend_levels(data: pd.DataFrame, *, customers_col: str = "n_customers",
                     margin_col: str = "unit_margin", customer_cuts=(100, 10_000),
                     margin_cuts=(0.15, 0.40)) -> pd.DataFrame:
    """Kotler's recommended relationship level for each row (product line, market) of a table.

    Parameters
    ----------
    data : DataFrame
        One row per product line or market.
    customers_col : str, default "n_customers"
        Number of customers (> 0).
    margin_col : str, default "unit_margin"
        Unit margin, as a fraction of price (0.25 = 25%).
    customer_cuts : (low, high), default (100, 10000)
        Fewer than ``low`` customers is "few", ``high`` or more is "many".
    margin_cuts : (low, high), default (0.15, 0.40)
        A margin below ``low`` is "low", ``high`` or above is "high".

    Returns
    -------
    DataFrame
        A copy of ``data`` with ``number_of_customers``, ``margin_band``,
        ``level`` and ``level_zh``.

    Notes
    -----
    The cut points are a judgement for each industry; the defaults are only
    illustrative.

    Examples
    --------
    >>> lines = pd.DataFrame({"n_customers": [50, 5_000, 200_000], "unit_margin": [0.5, 0.3, 0.05]})
    >>> recommend_levels(lines)["level"].tolist()
    ['partnership', 'accountable', 'basic']
    """
    require_columns(data, {"customers_col": customers_col, "margin_col": margin_col}, arg="data")
    n = check_numeric(data, customers_col, arg="data", col_arg="customers_col", min_value=0, strict=True)
    m = check_numeric(data, margin_col, arg="data", col_arg="margin_col")
    out = data.copy()
    out["number_of_customers"] = _band(n, customer_cuts, ["few", "medium", "many"], "customer_cuts")
    out["margin_band"] = _band(m, margin_cuts, ["low", "medium", "high"], "margin_cuts")
    out["level"] = [KOTLER_MATRIX.loc[a, b] for a, b in zip(out["number_of_customers"], out["margin_band"])]
    out["level_zh"] = out["level"].map(_ZH)
    return out


def _optional_dates(customers, col, col_arg):
    if col is None:
        return pd.Series(pd.NaT, index=customers.index)
    require_columns(customers, {col_arg: col}, arg="customers")
    s = customers[col]
    if s.notna().any():
        parsed = check_dates(customers.loc[s.notna()], col, arg="customers", col_arg=col_arg)
        return parsed.reindex(customers.index)
    return pd.Series(pd.NaT, index=customers.index)


def classify_customers(customers: pd.DataFrame, transactions: pd.DataFrame, as_of, *,
                       customer_col: str = "customer_id", date_col: str = "date",
                       lead_col: str | None = "lead_date", prospect_col: str | None = "prospect_date",
                       target_col: str | None = "target", member_col: str | None = "member_date",
                       partner_col: str | None = "partner_date",
                       referred_by_col: str | None = "referred_by",
                       lapse_days: int = 180, client_purchases: int = 4) -> pd.DataFrame:
    """Relationship status and formation-ladder stage of every customer as of a date.

    Parameters
    ----------
    customers : DataFrame
        One row per person, ``customer_col`` unique. The optional columns
        (pass ``None`` to skip one) are dates (empty = never): ``lead_col``
        (known lead), ``prospect_col`` (qualified prospect), ``member_col``
        (joined the membership programme), ``partner_col`` (became a partner);
        ``target_col`` a True/False flag (selected as a target); and
        ``referred_by_col`` the id of the customer who referred this one.
    transactions : DataFrame
        Purchases: ``customer_col`` and ``date_col``. Purchases after ``as_of``
        are ignored, so the function can replay history.
    as_of : date-like
        The date of the classification.
    lapse_days : int, default 180
        A buyer with no purchase in the last ``lapse_days`` days is lost (流失).
    client_purchases : int, default 4
        Purchases needed to be a client (客户) rather than a repeat buyer.

    Returns
    -------
    DataFrame
        Indexed by customer: ``n_purchases``, ``first_purchase``,
        ``last_purchase``, ``days_since_last``, ``status`` and ``stage``
        (ordered categoricals, see :data:`STATUSES` and :data:`LADDER`),
        ``status_zh``, ``stage_zh``.

    Raises
    ------
    CRMInputError
        For missing columns, duplicated customers, bad dates, purchases by
        customers missing from ``customers``, or bad numbers.

    Notes
    -----
    Status rules as of date :math:`t`, with :math:`L` = ``lapse_days`` and
    :math:`t_{last}` the last purchase on or before :math:`t`:

    .. math::

        \\text{status} = \\begin{cases}
        \\text{current} & t - t_{last} < L \\\\
        \\text{lost} & t - t_{last} \\ge L \\\\
        \\text{target} & \\text{no purchase, target, prospect date} \\le t \\\\
        \\text{potential} & \\text{no purchase, lead date} \\le t \\\\
        \\text{non} & \\text{otherwise}
        \\end{cases}

    The ladder stage is the **highest** rung reached by :math:`t` (checked from
    partner down): a lost customer keeps the rung he reached, the status says
    that the relationship has lapsed.

    References
    ----------
    Christopher, M., Payne, A. & Ballantyne, D. (1991). *Relationship
    Marketing*. Butterworth-Heinemann (the ladder of customer loyalty).

    Examples
    --------
    >>> cust = pd.DataFrame({"customer_id": [1, 2, 3, 4],
    ...                      "lead_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01", None]),
    ...                      "target": [False, True, False, False]})
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 3], "date": pd.to_datetime(["2024-01-10", "2024-03-01", "2024-02-05"])})
    >>> out = classify_customers(cust, tx, "2024-06-01", prospect_col=None, member_col=None,
    ...                          partner_col=None, referred_by_col=None, lapse_days=100)
    >>> out[["status", "stage"]].astype(str).values.tolist()
    [['current', 'repeat buyer'], ['target', 'suspect'], ['lost', 'first-time buyer'], ['non', 'suspect']]
    """
    check_dataframe(customers, arg="customers")
    require_columns(customers, {"customer_col": customer_col}, arg="customers")
    check_dataframe(transactions, arg="transactions", min_rows=0)
    require_columns(transactions, {"customer_col": customer_col, "date_col": date_col}, arg="transactions")
    check_number(lapse_days, "lapse_days", min_value=1, integer=True)
    check_number(client_purchases, "client_purchases", min_value=2, integer=True)
    t = check_date(as_of, "as_of", example="2024-06-30")
    ids = customers[customer_col]
    check_unique(customers, [customer_col], arg="customers", col_arg="customer_col", what="customer ids",
                 fix="Keep one row per customer.")
    unknown = ~transactions[customer_col].isin(ids)
    if unknown.any():
        raise CRMInputError(f"argument `transactions`, column '{customer_col}': every purchase must belong "
                            f"to a customer of `customers`; found {show_value(transactions[customer_col][unknown].iloc[0])} "
                            f"({int(unknown.sum())} such rows). Add these customers to the customer table.")

    dates = check_dates(transactions, date_col, arg="transactions", col_arg="date_col")
    tx = pd.DataFrame({"c": transactions[customer_col].to_numpy(), "d": dates.to_numpy()})
    tx = tx[tx["d"] <= t]
    g = tx.groupby("c")["d"]
    idx = pd.Index(ids, name=customer_col)
    out = pd.DataFrame(index=idx)
    out["n_purchases"] = g.size().reindex(idx, fill_value=0).astype(int)
    out["first_purchase"] = g.min().reindex(idx)
    out["last_purchase"] = g.max().reindex(idx)
    out["days_since_last"] = (t - out["last_purchase"]).dt.days

    def on(col, arg):
        s = _optional_dates(customers, col, arg)
        return pd.Series((s <= t).to_numpy(), index=idx)

    lead = on(lead_col, "lead_col")
    prospect = on(prospect_col, "prospect_col")
    if target_col is None:
        target = pd.Series(False, index=idx)
    else:
        require_columns(customers, {"target_col": target_col}, arg="customers")
        raw = customers[target_col]
        if not (pd.api.types.is_bool_dtype(raw) or set(raw.dropna().unique()) <= {0, 1}):
            raise CRMInputError(f"argument `customers`, column '{target_col}' (target_col): values must be "
                                f"True/False; found {raw.dropna().unique()[:3].tolist()!r}. Use a boolean column.")
        target = pd.Series(raw.fillna(False).astype(bool).to_numpy(), index=idx)
    bought = out["n_purchases"] > 0
    recent = out["days_since_last"] < lapse_days
    known = (lead if lead_col is not None else pd.Series(True, index=idx)) | prospect
    selected = target & (prospect if prospect_col is not None else known)
    status = np.select([bought & recent, bought, selected, known],
                       ["current", "lost", "target", "potential"], "non")
    out["status"] = pd.Categorical(status, categories=STATUSES["status"], ordered=True)

    advocate = pd.Series(False, index=idx)
    if referred_by_col is not None:
        require_columns(customers, {"referred_by_col": referred_by_col}, arg="customers")
        ref_known = lead if lead_col is not None else bought
        referrers = customers.loc[ref_known.to_numpy(), referred_by_col].dropna().unique()
        advocate = pd.Series(idx.isin(referrers), index=idx)
    n = out["n_purchases"]
    stage = np.select(
        [on(partner_col, "partner_col"), advocate, on(member_col, "member_col"), n >= client_purchases,
         n >= 2, n == 1, prospect],
        LADDER["stage"].tolist()[:0:-1], "suspect")
    out["stage"] = pd.Categorical(stage, categories=LADDER["stage"], ordered=True)
    out["status_zh"] = out["status"].map(dict(zip(STATUSES["status"], STATUSES["status_zh"]))).astype(str)
    out["stage_zh"] = out["stage"].map(dict(zip(LADDER["stage"], LADDER["stage_zh"]))).astype(str)
    return out


def status_over_time(customers: pd.DataFrame, transactions: pd.DataFrame, dates, *,
                     by: str = "status", **kwargs) -> pd.DataFrame:
    """Counts of customers in each status (or ladder stage) at each of several dates.

    Parameters
    ----------
    customers, transactions : DataFrame
        As for :func:`classify_customers`.
    dates : sequence of date-like
        The dates at which to classify (e.g. month ends).
    by : {"status", "stage"}, default "status"
        Count relationship statuses or ladder stages.
    **kwargs
        Passed to :func:`classify_customers` (column names, ``lapse_days`` ...).

    Returns
    -------
    DataFrame
        One row per date, one column per status or stage (all of them, zeros kept).

    Examples
    --------
    >>> cust = pd.DataFrame({"customer_id": [1, 2], "lead_date": pd.to_datetime(["2024-01-01", "2024-03-01"])})
    >>> tx = pd.DataFrame({"customer_id": [1], "date": pd.to_datetime(["2024-01-15"])})
    >>> kw = dict(prospect_col=None, target_col=None, member_col=None, partner_col=None, referred_by_col=None)
    >>> status_over_time(cust, tx, ["2024-02-01", "2024-09-01"], lapse_days=90, **kw).values.tolist()
    [[1, 0, 0, 1, 0], [0, 1, 0, 0, 1]]
    """
    check_choice(by, "by", ["status", "stage"])
    rows = {}
    for d in dates:
        c = classify_customers(customers, transactions, d, **kwargs)[by]
        rows[pd.Timestamp(d)] = c.value_counts(sort=False)
    out = pd.DataFrame(rows).T
    out.index.name = "date"
    out.columns = out.columns.astype(str)
    return out.astype(int)


def plot_status_over_time(counts: pd.DataFrame, *, ax=None, exclude=("non",)):
    """Stacked area chart of the table returned by :func:`status_over_time`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_dataframe(counts, arg="counts")
    for col in counts.columns:
        check_numeric(counts, col, arg="counts")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    show = counts.drop(columns=[c for c in exclude if c in counts.columns])
    ax.stackplot(show.index, show.T.to_numpy(), labels=show.columns, alpha=0.85)
    ax.set_title("Customers by relationship status over time")
    ax.set_xlabel("Date")
    ax.set_ylabel("Customers")
    ax.legend(loc="upper left", fontsize="small", ncol=2)
    return ax
