"""Customer operations (客户经营): the monthly dashboard's rates, control limits, class audits (lesson 10.1).

* :func:`monthly_rates` -- active customers, retention (留存率) and repurchase
  (复购率) month by month from a transaction log;
* :func:`control_limits` -- a p-chart: which month's rate moved beyond noise;
* :func:`class_changes` -- how many customers change class when one threshold
  of a rules table moves (rules as in
  :func:`crm_lessons.segmentation.tier_by_rules`);
* :func:`customer_measures` and :func:`customer_type_rules` -- the training
  outline's customer types (member, high-value, potential, one-time) as
  documented rules;
* :func:`monthly_dashboard` -- the monthly operations dashboard: retention,
  repurchase, referral, CSAT and NPS with intervals;
* :func:`dashboard_signals` -- which of this month's metrics moved beyond the
  noise of the months before; :func:`plot_dashboard` draws the four charts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import (CRMInputError, check_dataframe, check_date, check_dates, check_number,
                                    require_columns)
from crm_lessons.satisfaction import csat, nps
from crm_lessons.segmentation import tier_by_rules
from crm_lessons.tables import TRANSACTIONS

__all__ = ["CUSTOMER_TYPES", "class_changes", "control_limits", "customer_measures", "customer_type_rules",
           "dashboard_signals", "monthly_dashboard", "monthly_rates", "plot_dashboard"]


def monthly_rates(transactions: pd.DataFrame, *, customer_col: str = "customer_id", date_col: str = "date",
                  amount_col: str = "amount") -> pd.DataFrame:
    """Active customers, retention and repurchase, month by month (月度经营指标).

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase: customer, date, amount.
    customer_col, date_col, amount_col : str
        Column names.

    Returns
    -------
    DataFrame
        Indexed by month (Period): ``active`` (customers who bought),
        ``new`` (first purchase ever), ``retained`` (active last month and this
        month), ``retention`` = retained / last month's active, ``repeat``
        (active this month and bought in an earlier month), ``repurchase`` =
        repeat / active, ``revenue``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 2, 1, 3, 1, 2],
    ...                    "date": ["2024-01-05", "2024-01-09", "2024-02-02", "2024-02-10", "2024-03-01", "2024-03-03"],
    ...                    "amount": [10.0, 20.0, 5.0, 8.0, 7.0, 9.0]})
    >>> monthly_rates(tx)[["active", "new", "retained", "retention", "repurchase"]]
             active  new  retained  retention  repurchase
    month
    2024-01       2    2         0        NaN         0.0
    2024-02       2    1         1        0.5         0.5
    2024-03       2    0         1        0.5         1.0
    """
    log = TRANSACTIONS.read(transactions, arg="transactions", customer_col=customer_col, date_col=date_col,
                            amount_col=amount_col)
    log["month"] = log["date"].dt.to_period("M")
    months = pd.period_range(log["month"].min(), log["month"].max(), freq="M", name="month")
    active = log.groupby("month")["customer_id"].agg(lambda s: set(s)).reindex(months, fill_value=set())
    first = log.groupby("customer_id")["month"].min()
    rows, seen, prev = [], set(), set()
    for month, now in active.items():
        rows.append({"active": len(now), "new": int((first == month).sum()), "retained": len(now & prev),
                     "retention": len(now & prev) / len(prev) if prev else np.nan,
                     "repeat": len(now & seen), "repurchase": len(now & seen) / len(now) if now else np.nan})
        seen |= now
        prev = now
    out = pd.DataFrame(rows, index=months)
    out["revenue"] = log.groupby("month")["amount"].sum().reindex(months, fill_value=0.0)
    return out


def control_limits(successes, trials, *, sigma: float = 3.0) -> pd.DataFrame:
    """p-chart of a monthly rate: centre line, limits and the months beyond them (控制限).

    Parameters
    ----------
    successes, trials : array-like or Series
        Per period: the count of successes (e.g. retained customers) and of
        trials (e.g. last month's active customers).
    sigma : float, default 3
        Width of the limits in standard errors.

    Returns
    -------
    DataFrame
        ``rate``, ``centre``, ``lower``, ``upper`` and ``signal`` (True when
        the rate lies outside the limits), indexed like ``successes``.

    Notes
    -----
    .. math:: \\bar p = \\frac{\\sum_t k_t}{\\sum_t n_t},\\qquad
              \\bar p \\pm \\sigma\\sqrt{\\bar p(1-\\bar p)/n_t}

    (Shewhart's p-chart; textbook, not in the course material). A stable
    process puts a month outside 3-sigma limits about 0.3% of the time.

    Examples
    --------
    >>> control_limits([45, 50, 30], [100, 100, 100]).round(3)
       rate  centre  lower  upper  signal
    0  0.45   0.417  0.269  0.565   False
    1  0.50   0.417  0.269  0.565   False
    2  0.30   0.417  0.269  0.565   False
    """
    k = pd.Series(successes, dtype=float)
    n = pd.Series(np.asarray(trials, dtype=float), index=k.index)
    check_number(sigma, "sigma", min_value=0, strict=True)
    if len(k) != len(n) or (n <= 0).any() or (k < 0).any() or (k > n).any():
        raise CRMInputError("argument `successes`/`trials`: need one count per period with 0 <= successes <= trials "
                            f"and trials > 0; found {len(k)} and {len(n)} periods. Drop periods without trials.")
    p = k.sum() / n.sum()
    half = sigma * np.sqrt(p * (1 - p) / n)
    rate = k / n
    return pd.DataFrame({"rate": rate, "centre": p, "lower": (p - half).clip(lower=0), "upper": (p + half).clip(upper=1),
                         "signal": (rate < p - half) | (rate > p + half)})


def class_changes(data: pd.DataFrame, rules: pd.DataFrame, *, column: str, tier: str, values) -> pd.DataFrame:
    """How many customers change class when one threshold of a rules table moves (分类阈值敏感性).

    Parameters
    ----------
    data : DataFrame
        One row per customer with the measures the rules use.
    rules : DataFrame
        Rules table of :func:`crm_lessons.segmentation.tier_by_rules`.
    column : str
        The rules column that moves (``min_<measure>``).
    tier : str
        The tier (row of ``rules``) whose threshold moves.
    values : iterable of float
        Thresholds to try.

    Returns
    -------
    DataFrame
        One row per threshold: ``threshold``, ``changed`` (customers whose tier
        differs from the tier under the original rules), ``changed_share`` and
        the count in each tier.

    Examples
    --------
    >>> rules = pd.DataFrame({"tier": ["high", "low"], "min_spend": [100.0, float("nan")]})
    >>> data = pd.DataFrame({"spend": [50.0, 90.0, 120.0, 300.0]})
    >>> class_changes(data, rules, column="min_spend", tier="high", values=[80, 100, 150])
       threshold  changed  changed_share  high  low
    0       80.0        1           0.25     3    1
    1      100.0        0           0.00     2    2
    2      150.0        1           0.25     1    3
    """
    check_dataframe(data, arg="data")
    check_dataframe(rules, arg="rules")
    require_columns(rules, ["tier", column], arg="rules")
    if tier not in set(rules["tier"]):
        raise CRMInputError(f"argument `tier`: must be a tier of the rules {list(rules['tier'])}; found {tier!r}.")
    base = tier_by_rules(data, rules)["tier"].astype(str)
    rows = []
    for v in values:
        moved = rules.copy()
        moved.loc[moved["tier"] == tier, column] = float(v)
        t = tier_by_rules(data, moved)["tier"].astype(str)
        counts = t.value_counts().reindex(list(rules["tier"]), fill_value=0)
        rows.append({"threshold": float(v), "changed": int((t != base).sum()),
                     "changed_share": float((t != base).mean()), **counts.to_dict()})
    return pd.DataFrame(rows)


#: The customer types of lesson 10.1: the training outline's four (会员客户, 高价值客户, 潜在客户,
#: 一次性客户) plus the buyers they leave out (repeat non-members, new buyers) and plain leads.
CUSTOMER_TYPES = pd.DataFrame({
    "tier": ["high-value", "member", "repeat", "one-time", "new", "potential", "lead"],
    "tier_zh": ["高价值客户", "会员客户", "回头客", "一次性客户", "新客户", "潜在客户", "线索"],
    "rule": ["spend in the last 12 months >= the high-value threshold",
             "a member of the loyalty programme (not high-value)",
             "two or more purchases, not a member",
             "exactly one purchase, made at least `one_time_days` ago",
             "exactly one purchase, made less than `one_time_days` ago",
             "a qualified prospect (预期顾客) who has not bought yet",
             "everyone else: a lead that is not yet a prospect"],
    "needs": ["专业化、个性化服务 (professional, personal service)",
              "会员权益维护和增值服务 (member benefits and added services)",
              "keep them coming; invite them to the programme (textbook, not in the outline)",
              "性价比和售后服务 (value for money and after-sales service)",
              "a good second purchase (textbook, not in the outline)",
              "针对性推荐和优惠 (targeted offers and follow-up)",
              "qualify them first (lesson 4.2)"],
})


def customer_measures(transactions: pd.DataFrame, customers: pd.DataFrame, *, as_of, customer_col: str = "customer_id",
                      date_col: str = "date", amount_col: str = "amount", member_col: str = "member_date",
                      prospect_col: str = "prospect_date", lead_col: str = "lead_date") -> pd.DataFrame:
    """The measures the customer-type rules use, per customer at ``as_of`` (客户分类指标).

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase: customer, date, amount.
    customers : DataFrame
        One row per known customer or lead, with the dates they became a lead,
        a prospect and a member (NaT where they did not).
    as_of : date-like
        The classification date; purchases and dates after it are ignored.
    customer_col, date_col, amount_col : str
        Columns of ``transactions`` (``customer_col`` also in ``customers``).
    member_col, prospect_col, lead_col : str
        Date columns of ``customers``.

    Returns
    -------
    DataFrame
        Indexed by customer (leads known at ``as_of``): ``purchases``,
        ``spend_12m`` (spend in the 365 days up to ``as_of``),
        ``days_since_first`` (NaN without a purchase), ``member`` and
        ``prospect`` (1 or 0).

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "date": ["2024-01-05", "2024-05-01", "2024-06-20"],
    ...                    "amount": [50.0, 70.0, 20.0]})
    >>> cu = pd.DataFrame({"customer_id": [1, 2, 3], "lead_date": ["2023-12-01", "2024-06-01", "2024-06-10"],
    ...                    "prospect_date": ["2023-12-05", None, "2024-06-12"],
    ...                    "member_date": ["2024-05-01", None, None]})
    >>> customer_measures(tx, cu, as_of="2024-06-30")
                 purchases  spend_12m  days_since_first  member  prospect
    customer_id
    1                    2      120.0             177.0       1         1
    2                    1       20.0              10.0       0         0
    3                    0        0.0               NaN       0         1
    """
    day = check_date(as_of, "as_of")
    log = TRANSACTIONS.read(transactions, arg="transactions", customer_col=customer_col, date_col=date_col,
                            amount_col=amount_col)
    check_dataframe(customers, arg="customers")
    require_columns(customers, {"customer_col": customer_col, "lead_col": lead_col, "prospect_col": prospect_col,
                                "member_col": member_col}, arg="customers")
    lead = check_dates(customers, lead_col, arg="customers", col_arg="lead_col")
    dates = {c: pd.to_datetime(customers[c], errors="coerce") for c in (prospect_col, member_col)}
    known = (lead <= day).to_numpy()
    ids = pd.Index(customers[customer_col].to_numpy()[known], name="customer_id")
    log = log[log["date"] <= day]
    by = log.groupby("customer_id")
    recent = log[log["date"] > day - pd.Timedelta(days=365)].groupby("customer_id")["amount"].sum()
    first = by["date"].min().reindex(ids)
    return pd.DataFrame({
        "purchases": by.size().reindex(ids, fill_value=0).astype(int),
        "spend_12m": recent.reindex(ids, fill_value=0.0).astype(float),
        "days_since_first": (day - first).dt.days.astype(float),
        "member": (dates[member_col] <= day).to_numpy()[known].astype(int),
        "prospect": (dates[prospect_col] <= day).to_numpy()[known].astype(int)}, index=ids)


def customer_type_rules(high_value_spend: float, *, one_time_days: int = 90) -> pd.DataFrame:
    """The rules table of the customer types, for :func:`~crm_lessons.segmentation.tier_by_rules` (客户分类标准).

    Parameters
    ----------
    high_value_spend : float
        Least spend in the last 12 months of a high-value customer.
    one_time_days : int, default 90
        A single purchase at least this many days ago makes a one-time customer;
        a more recent one, a new customer.

    Returns
    -------
    DataFrame
        :data:`CUSTOMER_TYPES`' ``tier`` and ``tier_zh`` with the minimums
        ``min_spend_12m``, ``min_member``, ``min_purchases``,
        ``min_days_since_first`` and ``min_prospect`` (NaN = no condition).
        The first rule a customer meets gives the type.

    Notes
    -----
    The outline (客户分类: 标准制定 → 流程设计 → 结果应用) asks for documented
    standards; the thresholds here are the lesson's choices, not the outline's.

    Examples
    --------
    >>> rules = customer_type_rules(500.0)
    >>> rules[["tier", "min_spend_12m", "min_purchases"]].head(3)
             tier  min_spend_12m  min_purchases
    0  high-value          500.0            NaN
    1      member            NaN            NaN
    2      repeat            NaN            2.0
    """
    check_number(high_value_spend, "high_value_spend", min_value=0)
    check_number(one_time_days, "one_time_days", min_value=1, integer=True)
    nan = np.nan
    return pd.DataFrame({"tier": CUSTOMER_TYPES["tier"], "tier_zh": CUSTOMER_TYPES["tier_zh"],
                         "min_spend_12m": [float(high_value_spend), nan, nan, nan, nan, nan, nan],
                         "min_member": [nan, 1.0, nan, nan, nan, nan, nan],
                         "min_purchases": [nan, nan, 2.0, 1.0, 1.0, nan, nan],
                         "min_days_since_first": [nan, nan, nan, float(one_time_days), nan, nan, nan],
                         "min_prospect": [nan, nan, nan, nan, nan, 1.0, nan]})


def monthly_dashboard(transactions: pd.DataFrame, *, customers: pd.DataFrame | None = None,
                      survey: pd.DataFrame | None = None, customer_col: str = "customer_id", date_col: str = "date",
                      amount_col: str = "amount", referred_col: str = "referred_by", month_col: str = "month",
                      satisfaction_col: str = "overall_satisfaction", recommend_col: str = "recommend",
                      scale=(1, 7), level: float = 0.95) -> pd.DataFrame:
    """The monthly operations dashboard (月度客户经营看板): loyalty metrics with their counts and intervals.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase: customer, date, amount.
    customers : DataFrame, optional
        One row per customer with ``referred_by`` (the customer who referred
        them, missing if nobody did): gives the referral rate.
    survey : DataFrame, optional
        One row per respondent with the survey month (``month_col``), overall
        satisfaction and likelihood to recommend (0–10): gives CSAT and NPS.
    customer_col, date_col, amount_col, referred_col, month_col, satisfaction_col, recommend_col : str
        Column names.
    scale : (int, int), default (1, 7)
        The satisfaction scale (CSAT counts its top two boxes).
    level : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    DataFrame
        By month: :func:`monthly_rates`' columns plus ``prev_active``; with
        ``customers``: ``referred_new`` and ``referral_rate`` = new customers
        who came by referral / new customers (推荐率); with ``survey``:
        ``respondents``, ``satisfied``, ``csat`` with ``csat_low``/``csat_high``
        (Wilson), ``nps`` with ``nps_se``, ``nps_low``/``nps_high`` (points)
        and ``promoters``/``detractors`` (shares).

    Notes
    -----
    Retention (留存率) = customers active last month and this month / active
    last month; repurchase (复购率) = customers active this month who bought
    in an earlier month / active this month; referral rate (推荐率) as above.
    The intervals are :func:`crm_lessons.satisfaction.csat` and
    :func:`~crm_lessons.satisfaction.nps` on each month's respondents.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 2, 1, 3], "amount": [10.0, 20.0, 5.0, 8.0],
    ...                    "date": ["2024-01-05", "2024-01-09", "2024-02-02", "2024-02-10"]})
    >>> cu = pd.DataFrame({"customer_id": [1, 2, 3], "referred_by": [None, None, 1]})
    >>> monthly_dashboard(tx, customers=cu)[["active", "retention", "repurchase", "referral_rate"]]
             active  retention  repurchase  referral_rate
    month
    2024-01       2        NaN         0.0            0.0
    2024-02       2        0.5         0.5            1.0
    """
    out = monthly_rates(transactions, customer_col=customer_col, date_col=date_col, amount_col=amount_col)
    out.insert(out.columns.get_loc("retained"), "prev_active", out["active"].shift(1).fillna(0).astype(int))
    if customers is not None:
        check_dataframe(customers, arg="customers")
        require_columns(customers, {"customer_col": customer_col, "referred_col": referred_col}, arg="customers")
        log = TRANSACTIONS.read(transactions, arg="transactions", customer_col=customer_col, date_col=date_col)
        first = log.groupby("customer_id")["date"].min().dt.to_period("M")
        referred = customers.loc[customers[referred_col].notna(), customer_col]
        counts = first[first.index.isin(referred)].value_counts()
        out["referred_new"] = counts.reindex(out.index, fill_value=0).astype(int)
        out["referral_rate"] = out["referred_new"] / out["new"].where(out["new"] > 0)
    if survey is not None:
        check_dataframe(survey, arg="survey")
        require_columns(survey, {"month_col": month_col, "satisfaction_col": satisfaction_col,
                                 "recommend_col": recommend_col}, arg="survey")
        months = pd.PeriodIndex(pd.to_datetime(survey[month_col].astype(str)), freq="M")
        rows = {}
        for month, part in survey.groupby(months):
            c = csat(part, satisfaction_col=satisfaction_col, scale=scale, level=level)
            p = nps(part, recommend_col=recommend_col, level=level)
            rows[month] = {"respondents": int(c["n"]), "satisfied": int(round(c["csat"] * c["n"])), "csat": c["csat"],
                           "csat_low": c["ci_low"], "csat_high": c["ci_high"], "nps": p["nps"], "nps_se": p["se"],
                           "nps_low": p["ci_low"], "nps_high": p["ci_high"], "promoters": p["promoters"],
                           "detractors": p["detractors"]}
        out = out.join(pd.DataFrame.from_dict(rows, orient="index"))
    return out


def dashboard_signals(dashboard: pd.DataFrame, *, month=None, baseline: int = 12, sigma: float = 3.0) -> pd.DataFrame:
    r"""Which of a month's dashboard metrics moved beyond noise (控制限: 本月哪个指标真的变了)?

    Parameters
    ----------
    dashboard : DataFrame
        Output of :func:`monthly_dashboard`.
    month : str or Period, optional
        The month judged; default the last.
    baseline : int, default 12
        Months before ``month`` that set the centre line.
    sigma : float, default 3
        Width of the limits in standard errors.

    Returns
    -------
    DataFrame
        One row per metric present (retention, repurchase, referral_rate, csat,
        nps): ``value``, ``centre``, ``lower``, ``upper``, ``n`` (this month's
        base) and ``signal`` (``"above"``, ``"below"`` or ``""``).

    Notes
    -----
    Rates are judged with Shewhart's p-chart (textbook, not in the course
    material): the centre :math:`\bar p` pools the baseline months' counts and
    the limits are :math:`\bar p \pm \sigma\sqrt{\bar p(1-\bar p)/n}` with this
    month's base *n*. NPS (points) uses the pooled promoter and detractor shares:
    :math:`100(\bar p_P-\bar p_D) \pm 100\sigma\sqrt{(\bar p_P+\bar p_D-(\bar p_P-\bar p_D)^2)/n}`.
    The limits assume a stable process in the baseline; a metric that trends
    signals because it trends.

    Examples
    --------
    >>> d = pd.DataFrame({"retained": [60, 58, 61, 40], "prev_active": [100] * 4,
    ...                   "retention": [0.60, 0.58, 0.61, 0.40]}, index=pd.period_range("2024-01", periods=4, freq="M"))
    >>> dashboard_signals(d, baseline=3).round(3)
               value  centre  lower  upper    n signal
    metric
    retention    0.4   0.597  0.449  0.744  100  below
    """
    check_dataframe(dashboard, arg="dashboard", min_rows=2)
    check_number(baseline, "baseline", min_value=1, integer=True)
    check_number(sigma, "sigma", min_value=0, strict=True)
    if not isinstance(dashboard.index, pd.PeriodIndex):
        raise CRMInputError("argument `dashboard`: must be indexed by month (a PeriodIndex), as monthly_dashboard "
                            f"returns it; found an index of type {type(dashboard.index).__name__}.")
    m = dashboard.index[-1] if month is None else pd.Period(str(month), freq="M")
    if m not in dashboard.index:
        raise CRMInputError(f"argument `month`: {month!r} is not a month of the dashboard "
                            f"({dashboard.index[0]} to {dashboard.index[-1]}). Pass one of its months.")
    pos = dashboard.index.get_loc(m)
    if pos == 0:
        raise CRMInputError(f"argument `month`: {m} is the dashboard's first month; no earlier months set a "
                            "baseline. Pass a later month.")
    base, now = dashboard.iloc[max(0, pos - int(baseline)):pos], dashboard.iloc[pos]
    rates = {"retention": ("retained", "prev_active"), "repurchase": ("repeat", "active"),
             "referral_rate": ("referred_new", "new"), "csat": ("satisfied", "respondents")}
    rows = {}
    for name, (k, n) in rates.items():
        if {k, n} <= set(dashboard.columns) and base[n].sum() > 0 and now[n] > 0:
            p = base[k].sum() / base[n].sum()
            half = sigma * np.sqrt(p * (1 - p) / now[n])
            rows[name] = (now[k] / now[n], p, max(p - half, 0.0), min(p + half, 1.0), now[n])
    if {"nps", "promoters", "detractors", "respondents"} <= set(dashboard.columns) and now["respondents"] > 0:
        w = base["respondents"]
        pp, pd_ = (base["promoters"] * w).sum() / w.sum(), (base["detractors"] * w).sum() / w.sum()
        half = 100 * sigma * np.sqrt(max(pp + pd_ - (pp - pd_) ** 2, 0.0) / now["respondents"])
        c = 100 * (pp - pd_)
        rows["nps"] = (now["nps"], c, c - half, c + half, now["respondents"])
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["value", "centre", "lower", "upper", "n"])
    out["n"] = out["n"].astype(int)
    out["signal"] = np.where(out["value"] > out["upper"], "above", np.where(out["value"] < out["lower"], "below", ""))
    out.index.name = "metric"
    return out


_PANELS = (("retention", "retained", "prev_active", "Retention (share of last month's buyers back)", 100),
           ("repurchase", "repeat", "active", "Repurchase (share of buyers who bought before)", 100),
           ("csat", "satisfied", "respondents", "CSAT (share rating 6-7 of 7)", 100),
           ("nps", None, "respondents", "NPS (promoters minus detractors)", 1))


def plot_dashboard(dashboard: pd.DataFrame, *, baseline: int = 12, sigma: float = 3.0, axes=None):
    """Four dashboard charts with the control limits of the last month's baseline (经营看板图).

    Parameters
    ----------
    dashboard : DataFrame
        Output of :func:`monthly_dashboard` with a survey (CSAT and NPS).
    baseline, sigma
        As :func:`dashboard_signals`: the shaded band is the centre line of the
        ``baseline`` months before the last month ± ``sigma`` standard errors
        at each month's base.
    axes : array of 4 Axes, optional
        Where to draw; default a new 2 × 2 figure.

    Returns
    -------
    array of Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> d = pd.DataFrame({"retained": [60, 58, 61, 40], "prev_active": [100] * 4, "retention": [.6, .58, .61, .4],
    ...                   "repeat": [70, 72, 71, 70], "active": [100] * 4, "repurchase": [.7, .72, .71, .7],
    ...                   "satisfied": [30, 31, 29, 15], "respondents": [100] * 4, "csat": [.3, .31, .29, .15],
    ...                   "csat_low": [.2] * 4, "csat_high": [.4] * 4, "nps": [5.0, 6.0, 4.0, -20.0],
    ...                   "nps_low": [-5.0, -4.0, -6.0, -30.0], "nps_high": [15.0, 16.0, 14.0, -10.0], "promoters": [.3] * 4,
    ...                   "detractors": [.25] * 4}, index=pd.period_range("2024-01", periods=4, freq="M"))
    >>> len(plot_dashboard(d, baseline=3))
    4
    """
    import matplotlib.dates as mdates

    check_dataframe(dashboard, arg="dashboard", min_rows=2)
    require_columns(dashboard, ["retention", "repurchase", "csat", "nps", "respondents", "promoters", "detractors"],
                    arg="dashboard")
    if axes is None:
        import matplotlib.pyplot as plt
        _, axes = plt.subplots(2, 2, figsize=(12, 7), sharex=True)
    axes = np.asarray(axes).ravel()
    last = dashboard.index[-1]
    base = dashboard.iloc[max(0, len(dashboard) - 1 - int(baseline)):-1]
    x = dashboard.index.to_timestamp()
    for ax, (metric, k, n, title, scale) in zip(axes, _PANELS):
        size = dashboard[n].astype(float)
        if k is None:
            w = base["respondents"]
            pp, pn = (base["promoters"] * w).sum() / w.sum(), (base["detractors"] * w).sum() / w.sum()
            centre, se = 100 * (pp - pn), 100 * np.sqrt((pp + pn - (pp - pn) ** 2) / size)
        else:
            p = base[k].sum() / base[n].sum()
            centre, se = p * scale, scale * np.sqrt(p * (1 - p) / size.where(size > 0))
        y = dashboard[metric] * scale
        ax.fill_between(x, centre - sigma * se, centre + sigma * se, color="#cccccc", alpha=0.6,
                        label=f"control limits (±{sigma:g} SE around the {len(base)}-month centre)")
        ax.axhline(centre, color="grey", lw=0.8)
        if f"{metric}_low" in dashboard:
            lo, hi = dashboard[f"{metric}_low"] * scale, dashboard[f"{metric}_high"] * scale
            ax.errorbar(x, y, yerr=[(y - lo).clip(lower=0), (hi - y).clip(lower=0)], fmt="o-", ms=3, color="#1f77b4", ecolor="#9ecae1",
                        label="month's value with 95% interval")
        else:
            ax.plot(x, y, "o-", ms=3, color="#1f77b4", label="month's value")
        ax.plot(x[-1:], y.iloc[-1:], "o", ms=8, mfc="none", mec="#d62728", label=f"this month ({last})")
        ax.set(title=title, ylabel="points" if scale == 1 else "%")
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 7)))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    axes[0].legend(fontsize="small", loc="lower left")
    return axes
