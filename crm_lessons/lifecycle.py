"""The relationship lifecycle (客户关系生命周期): stages from the trend of each customer's activity.

Lesson 2.1. The course divides a relationship into four stages —
exploration (考察期), formation (形成期), stability (稳定期) and decline
(退化期) — with transaction volume and profit rising with the level of the
relationship; and the customer's lifecycle into potential (潜在客户) → new
(新客户) → old (老客户) → new-business customer (新业务的新客户). This module
assigns both from a transaction log with plain, documented rules, summarises
volume and profit by stage, and draws lifecycle curves.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from crm_lessons.tables import TRANSACTIONS
from crm_lessons.tables import as_of as as_of_date
from crm_lessons._validation import CRMInputError, check_number, require_columns, show_value

__all__ = [
    "CURVE_PATTERNS",
    "CUSTOMER_STAGES",
    "STAGES",
    "assign_stages",
    "customer_lifecycle",
    "exit_patterns",
    "monthly_activity",
    "plot_lifecycle_curves",
    "plot_stage_summary",
    "stage_summary",
]

#: The four stages of the relationship lifecycle and their rules (see :func:`assign_stages`).
STAGES = pd.DataFrame({
    "stage": ["exploration", "formation", "stability", "decline"],
    "stage_zh": ["考察期", "形成期", "稳定期", "退化期"],
    "rule": [
        "tenure <= exploration_periods",
        "growth >= growth_threshold",
        "otherwise",
        "level < decline_level, or growth <= -growth_threshold",
    ],
})

#: Lifecycle-curve patterns (客户生命曲线的模式) of an ended relationship, by the stage in which it ended
#: (see :func:`exit_patterns`). The names are textbook material; the course gives the heading only.
CURVE_PATTERNS = pd.DataFrame({
    "exit_stage": ["exploration", "formation", "stability", "decline"],
    "pattern": ["early termination", "termination in formation", "early exit from stability", "long-lasting"],
    "pattern_zh": ["早期流产型", "中途夭折型", "提前退出型", "长久保持型"],
})

#: The stages of the customer lifecycle (客户生命周期).
CUSTOMER_STAGES = pd.DataFrame({
    "stage": ["potential", "new", "old", "new-business"],
    "stage_zh": ["潜在客户", "新客户", "老客户", "新业务的新客户"],
    "rule": [
        "in the customer table, no purchase yet",
        "first purchase within the last new_days",
        "first purchase longer ago, no new business line recently",
        "an old customer who first bought a new business line (category) within the last new_days",
    ],
})


def _log(data, customer_col, date_col, amount_col, as_of=None, **more) -> pd.DataFrame:
    """The canonical transaction log up to ``as_of`` (later purchases left out)."""
    return TRANSACTIONS.read(data, arg="data", as_of=as_of, later="drop", customer_col=customer_col,
                             date_col=date_col, amount_col=amount_col, **more)


def monthly_activity(data: pd.DataFrame, *, customer_col: str = "customer_id", date_col: str = "date",
                     amount_col: str = "amount", freq: str = "M", as_of=None) -> pd.DataFrame:
    """Spend of every customer in every period (customers x periods), NaN before the first purchase.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "date": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-02-10"]),
    ...                    "amount": [10.0, 5.0, 7.0]})
    >>> monthly_activity(tx).values.tolist()
    [[10.0, 0.0, 5.0], [nan, 7.0, 0.0]]
    """
    tx = _log(data, customer_col, date_col, amount_col, as_of=as_of)
    end = as_of_date(tx)
    try:
        period = tx["date"].dt.to_period(freq)
    except (ValueError, TypeError) as exc:
        raise CRMInputError(f"argument `freq`: must be a pandas period alias; found {freq!r}. "
                            "Pass e.g. freq='M' or 'Q'.") from exc
    log = pd.DataFrame({"c": tx["customer_id"].to_numpy(), "p": period.to_numpy(), "a": tx["amount"].to_numpy()})
    table = log.pivot_table(index="c", columns="p", values="a", aggfunc="sum", fill_value=0.0)
    periods = pd.period_range(period.min(), pd.Timestamp(end).to_period(period.dt.freq), name="period")
    table = table.reindex(columns=periods, fill_value=0.0)
    table.index.name = customer_col
    # a customer starts with his first purchase, even one of amount 0
    first = log.groupby("c")["p"].min().reindex(table.index)
    offset = np.array([(f - periods[0]).n for f in first])
    started = np.arange(len(periods))[None, :] >= offset[:, None]
    return table.where(started).astype(float)


def assign_stages(data: pd.DataFrame, *, customer_col: str = "customer_id", date_col: str = "date",
                  amount_col: str = "amount", as_of=None, freq: str = "M", exploration_periods: int = 3,
                  window: int = 6, growth_threshold: float = 0.3, decline_level: float = 0.7) -> pd.DataFrame:
    """Lifecycle stage of each customer from the trend of its spend.

    Parameters
    ----------
    data : DataFrame
        Transaction log: ``customer_col``, ``date_col``, ``amount_col``.
    as_of : date-like, optional
        Classify as of this date (default: the last date in the log).
    freq : str, default "M"
        Period of the activity series.
    exploration_periods : int, default 3
        Customers whose first purchase is at most this many periods old are
        in exploration (考察期).
    window : int, default 6
        Periods in the recent and in the earlier window that are compared.
    growth_threshold : float, default 0.3
        Change of the window mean, as a share of the peak, that counts as growth
        (or, negative, as decline).
    decline_level : float, default 0.7
        A recent level below this share of the peak is decline.

    Returns
    -------
    DataFrame
        Indexed by customer: ``tenure`` (periods since the first purchase,
        counting the current one), ``recent`` and ``earlier`` (mean spend per
        period in the last ``window`` periods and the ``window`` before),
        ``peak`` (highest ``window``-period mean so far), ``level`` =
        recent/peak, ``growth`` = (recent - earlier)/peak, ``stage``
        (ordered categorical) and ``stage_zh``.

    Notes
    -----
    With :math:`\\bar s_{r}` and :math:`\\bar s_{e}` the mean spend of the recent
    and the earlier window and :math:`s^*` the highest rolling mean so far:

    .. math::

        \\text{level} = \\bar s_r / s^*, \\qquad \\text{growth} = (\\bar s_r - \\bar s_e) / s^*

    exploration if tenure :math:`\\le` ``exploration_periods``; else decline if
    level < ``decline_level`` or growth :math:`\\le` -``growth_threshold``;
    else formation if growth :math:`\\ge` ``growth_threshold``; else stability.
    The defaults recover the true stage of about 83% of the customers drawn by
    :func:`crm_lessons.simulate.simulate_lifecycle` (see the tests).
    Periods before the first purchase do not count (an earlier window that
    reaches before it uses the periods there are).

    References
    ----------
    Dwyer, F. R., Schurr, P. H. & Oh, S. (1987). Developing buyer-seller
    relationships. *Journal of Marketing* 51(2), 11–27 (the stages).

    Examples
    --------
    >>> dates = pd.date_range("2023-01-15", periods=24, freq="MS") + pd.Timedelta(days=14)
    >>> spend = [50.0] * 2 + list(np.linspace(60, 300, 12)) + [300.0] * 10
    >>> tx = pd.DataFrame({"customer_id": 1, "date": dates, "amount": spend})
    >>> str(assign_stages(tx)["stage"].iloc[0])
    'stability'
    >>> str(assign_stages(tx, as_of="2023-10-31")["stage"].iloc[0])
    'formation'
    """
    check_number(exploration_periods, "exploration_periods", min_value=0, integer=True)
    check_number(window, "window", min_value=1, integer=True)
    check_number(growth_threshold, "growth_threshold", min_value=0, strict=True)
    check_number(decline_level, "decline_level", min_value=0, max_value=1, strict=True)
    act = monthly_activity(data, customer_col=customer_col, date_col=date_col, amount_col=amount_col,
                           freq=freq, as_of=as_of)
    values = act.to_numpy()
    tenure = np.isfinite(values).sum(axis=1)
    filled = np.nan_to_num(values)
    started = np.isfinite(values)

    def window_mean(upto):  # mean of started periods in (upto - window, upto]
        lo = max(upto - window, 0)
        n = started[:, lo:upto].sum(axis=1)
        return np.where(n > 0, filled[:, lo:upto].sum(axis=1) / np.maximum(n, 1), np.nan)

    n_p = values.shape[1]
    recent = window_mean(n_p)
    earlier = window_mean(n_p - window)
    roll = pd.DataFrame(values).T.rolling(window, min_periods=1).mean().T.to_numpy()
    peak = np.nanmax(np.where(started, roll, np.nan), axis=1)
    earlier = np.where(np.isnan(earlier), 0.0, earlier)
    safe = np.where(peak > 0, peak, 1.0)
    level = recent / safe
    growth = (recent - earlier) / safe
    stage = np.select(
        [tenure <= exploration_periods, (level < decline_level) | (growth <= -growth_threshold),
         growth >= growth_threshold],
        ["exploration", "decline", "formation"], "stability")
    out = pd.DataFrame({"tenure": tenure, "recent": recent, "earlier": earlier, "peak": peak,
                        "level": level, "growth": growth}, index=act.index)
    out["stage"] = pd.Categorical(stage, categories=STAGES["stage"], ordered=True)
    out["stage_zh"] = out["stage"].map(dict(zip(STAGES["stage"], STAGES["stage_zh"]))).astype(str)
    return out


def exit_patterns(data: pd.DataFrame, as_of, *, lapse_days: int = 180, customer_col: str = "customer_id",
                  date_col: str = "date", amount_col: str = "amount", freq: str = "M",
                  exploration_periods: int = 3, window: int = 6, growth_threshold: float = 0.3,
                  decline_level: float = 0.7) -> pd.DataFrame:
    """Curve pattern of each ended relationship: the stage it was in at its last purchase.

    A relationship has ended (流失) when its last purchase lies ``lapse_days`` or
    more days before ``as_of`` (the rule of
    :func:`crm_lessons.relationships.classify_customers`). Its exit stage is
    the stage :func:`assign_stages` gives it as of the end of the period of
    its last purchase, that is, the stage it had reached when it stopped buying.

    Parameters
    ----------
    data : DataFrame
        Transaction log: ``customer_col``, ``date_col``, ``amount_col``.
    as_of : date-like
        Date at which relationships are judged ended; later purchases are ignored.
    lapse_days : int, default 180
        Days without a purchase after which a relationship has ended.
    freq, exploration_periods, window, growth_threshold, decline_level
        The stage rule, as in :func:`assign_stages`.

    Returns
    -------
    DataFrame
        One row per ended relationship, indexed by customer: ``last_purchase``,
        ``tenure`` (periods from the first to the last purchase, both counted),
        ``exit_stage``, ``pattern`` (ordered categorical) and ``pattern_zh``.

    Notes
    -----
    Exit stage :math:`\\to` pattern (:data:`CURVE_PATTERNS`): exploration
    :math:`\\to` early termination (早期流产型), formation :math:`\\to`
    termination in formation (中途夭折型), stability :math:`\\to` early exit
    from stability (提前退出型), decline :math:`\\to` long-lasting (长久保持型:
    the full curve, which ends only after a decline). The four pattern names
    are textbook material (e.g. 苏朝晖, 《客户关系管理》); the rule that assigns
    them by exit stage is this module's.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 2, 2, 2, 2, 3],
    ...                    "date": pd.to_datetime(["2024-01-10", "2024-01-10", "2024-02-10", "2024-03-10",
    ...                                            "2024-04-10", "2024-12-01"]),
    ...                    "amount": [10.0, 20.0, 20.0, 20.0, 20.0, 5.0]})
    >>> out = exit_patterns(tx, "2024-12-31", window=2, exploration_periods=1)
    >>> out[["tenure", "exit_stage", "pattern_zh"]].astype(str).values.tolist()
    [['1', 'exploration', '早期流产型'], ['4', 'stability', '提前退出型']]
    """
    check_number(lapse_days, "lapse_days", min_value=1, integer=True)
    tx = _log(data, customer_col, date_col, amount_col, as_of=as_of)
    end = as_of_date(tx)
    last = tx.groupby("customer_id")["date"].max()
    ended = last[(end - last).dt.days >= lapse_days]
    rule = dict(freq=freq, exploration_periods=exploration_periods, window=window,
                growth_threshold=growth_threshold, decline_level=decline_level)
    try:
        periods = ended.dt.to_period(freq)
    except (ValueError, TypeError) as exc:
        raise CRMInputError(f"argument `freq`: must be a pandas period alias; found {freq!r}. "
                            "Pass e.g. freq='M' or 'Q'.") from exc
    parts = [assign_stages(tx[tx["customer_id"].isin(ids).to_numpy()], as_of=period.end_time.normalize(), **rule)
             for period, ids in ended.groupby(periods).groups.items()]
    out = pd.DataFrame({"last_purchase": ended}).rename_axis(customer_col)
    stages = pd.concat(parts) if parts else pd.DataFrame({"tenure": [], "stage": []}, dtype=object)
    out["tenure"] = stages["tenure"].reindex(ended.index).to_numpy().astype(int)
    exit_stage = stages["stage"].astype(str).reindex(ended.index).to_numpy()
    out["exit_stage"] = pd.Categorical(exit_stage, categories=STAGES["stage"], ordered=True)
    names = CURVE_PATTERNS.set_index("exit_stage")
    out["pattern"] = pd.Categorical(out["exit_stage"].map(names["pattern"]).astype(str),
                                    categories=CURVE_PATTERNS["pattern"], ordered=True)
    out["pattern_zh"] = out["exit_stage"].map(names["pattern_zh"]).astype(str)
    return out


def stage_summary(data: pd.DataFrame, stages: pd.DataFrame, *, customer_col: str = "customer_id",
                  date_col: str = "date", amount_col: str = "amount", profit_col: str | None = "profit",
                  as_of=None, freq: str = "M", window: int = 3) -> pd.DataFrame:
    """Transaction volume and profit per customer in each lifecycle stage.

    Parameters
    ----------
    data : DataFrame
        Transaction log (with ``profit_col`` if given).
    stages : DataFrame
        Output of :func:`assign_stages` (index = customer, column ``stage``).
    window : int, default 3
        Volume and profit are averaged over the last ``window`` periods.

    Returns
    -------
    DataFrame
        One row per stage: ``customers``, ``share``, ``spend_per_period``
        (mean per customer and period), ``profit_per_period`` (if
        ``profit_col``), ``avg_tenure``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 2], "date": pd.to_datetime(["2024-01-05", "2024-01-09"]),
    ...                    "amount": [30.0, 60.0], "profit": [3.0, 9.0]})
    >>> st = pd.DataFrame({"stage": pd.Categorical(["exploration", "exploration"], categories=STAGES["stage"]),
    ...                    "tenure": [1, 1]}, index=[1, 2])
    >>> stage_summary(tx, st, window=1).loc["exploration", ["customers", "spend_per_period", "profit_per_period"]].tolist()
    [2.0, 45.0, 6.0]
    """
    tx = _log(data, customer_col, date_col, amount_col, as_of=as_of, profit_col=profit_col)
    require_columns(stages, {"stage": "stage", "tenure": "tenure"}, arg="stages")
    check_number(window, "window", min_value=1, integer=True)
    end = as_of_date(tx)
    first = (end.to_period(freq) - (window - 1)).to_timestamp()
    g = tx[(tx["date"] >= first).to_numpy()].groupby("customer_id")
    per = pd.DataFrame(index=stages.index)
    per["spend"] = g["amount"].sum().reindex(stages.index, fill_value=0.0) / window
    if profit_col is not None:
        per["profit"] = g["profit"].sum().reindex(stages.index, fill_value=0.0) / window
    per["stage"] = stages["stage"]
    per["tenure"] = stages["tenure"]
    agg = {"customers": ("spend", "size"), "spend_per_period": ("spend", "mean")}
    if profit_col is not None:
        agg["profit_per_period"] = ("profit", "mean")
    agg["avg_tenure"] = ("tenure", "mean")
    out = per.groupby("stage", observed=False).agg(**agg)
    out["customers"] = out["customers"].astype(float)
    out.insert(1, "share", out["customers"] / out["customers"].sum())
    return out


def customer_lifecycle(transactions: pd.DataFrame, as_of, *, customers: pd.DataFrame | None = None,
                       customer_col: str = "customer_id", date_col: str = "date",
                       category_col: str | None = "category", new_days: int = 180) -> pd.DataFrame:
    """Customer lifecycle stage: potential, new, old or new-business customer (客户生命周期).

    Parameters
    ----------
    transactions : DataFrame
        Purchases: ``customer_col``, ``date_col`` and (for new-business) ``category_col``.
    as_of : date-like
        Date of the classification; later purchases are ignored.
    customers : DataFrame, optional
        Customer table; its customers without a purchase are ``potential``.
    category_col : str or None, default "category"
        Business line of each purchase; ``None`` means no new-business stage.
    new_days : int, default 180
        A first purchase (of the firm, or of a business line) within this many
        days before ``as_of`` is "new".

    Returns
    -------
    DataFrame
        Indexed by customer: ``first_purchase``, ``latest_new_line`` (first
        purchase date of the most recently started business line), ``stage``
        and ``stage_zh``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 2, 2, 3], "category": ["a", "a", "b", "a"],
    ...                    "date": pd.to_datetime(["2024-05-01", "2023-01-01", "2024-05-01", "2023-01-01"])})
    >>> cust = pd.DataFrame({"customer_id": [1, 2, 3, 4]})
    >>> customer_lifecycle(tx, "2024-06-01", customers=cust)["stage"].astype(str).tolist()
    ['new', 'new-business', 'old', 'potential']
    """
    check_number(new_days, "new_days", min_value=1, integer=True)
    log = TRANSACTIONS.read(transactions, arg="transactions", as_of=as_of, later="drop",
                            customer_col=customer_col, date_col=date_col, category_col=category_col)
    t = as_of_date(log)
    tx = pd.DataFrame({"c": log["customer_id"].to_numpy(), "d": log["date"].to_numpy(),
                       "k": log["category"].to_numpy() if category_col is not None else 0})
    first = tx.groupby("c")["d"].min()
    line_start = tx.groupby(["c", "k"])["d"].min()
    latest_line = line_start.groupby(level=0).max()
    idx = first.index
    if customers is not None:
        require_columns(customers, {"customer_col": customer_col}, arg="customers")
        idx = pd.Index(pd.unique(np.concatenate([customers[customer_col].to_numpy(), idx.to_numpy()])))
    idx.name = customer_col
    out = pd.DataFrame({"first_purchase": first.reindex(idx), "latest_new_line": latest_line.reindex(idx)})
    cutoff = t - pd.to_timedelta(new_days, "D")
    stage = np.select([out["first_purchase"].isna(), out["first_purchase"] > cutoff,
                       out["latest_new_line"] > cutoff], ["potential", "new", "new-business"], "old")
    out["stage"] = pd.Categorical(stage, categories=CUSTOMER_STAGES["stage"], ordered=True)
    out["stage_zh"] = out["stage"].map(dict(zip(CUSTOMER_STAGES["stage"], CUSTOMER_STAGES["stage_zh"]))).astype(str)
    return out


def plot_lifecycle_curves(data: pd.DataFrame, customers, *, stages: pd.DataFrame | None = None,
                          customer_col: str = "customer_id", date_col: str = "date",
                          amount_col: str = "amount", freq: str = "M", smooth: int = 3, ax=None):
    """Monthly spend (rolling mean over ``smooth`` periods) of a few customers: their lifecycle curves.

    Returns
    -------
    matplotlib.axes.Axes
    """
    act = monthly_activity(data, customer_col=customer_col, date_col=date_col, amount_col=amount_col, freq=freq)
    missing = [c for c in customers if c not in act.index]
    if missing:
        raise CRMInputError(f"argument `customers`: {show_value(missing[0])} has no purchases in `data`. "
                            "Pass ids of customers that appear in the log.")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    x = act.columns.to_timestamp()
    for c in customers:
        y = act.loc[c].rolling(smooth, min_periods=1).mean()
        label = f"customer {c}" + (f" ({stages.loc[c, 'stage']})" if stages is not None else "")
        ax.plot(x, y, marker=".", label=label)
    ax.set_title(f"Lifecycle curves: spend per period ({smooth}-period rolling mean)")
    ax.set_xlabel("Period")
    ax.set_ylabel("Spend per period")
    # outside the axes: curves cross every corner of the plot
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
    return ax


def plot_stage_summary(summary: pd.DataFrame, *, ax=None):
    """Bars of spend and profit per customer and period by lifecycle stage.

    Returns
    -------
    matplotlib.axes.Axes
    """
    require_columns(summary, ["spend_per_period"], arg="summary")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    cols = [c for c in ["spend_per_period", "profit_per_period"] if c in summary]
    x = np.arange(len(summary))
    width = 0.8 / len(cols)
    for i, col in enumerate(cols):
        ax.bar(x + (i - (len(cols) - 1) / 2) * width, summary[col], width,
               label=col.replace("_", " "))
    ax.set_xticks(x, [str(s) for s in summary.index])
    ax.set_title("Transaction volume and profit by lifecycle stage")
    ax.set_xlabel("Stage")
    ax.set_ylabel("Per customer and period")
    ax.legend(fontsize="small")
    return ax
