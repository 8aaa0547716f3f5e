"""More, longer, deeper (多、久、深): the three dimensions of CRM goals as KPIs by period.

Lesson 1.4. From a transaction log:

* **more** (多, number of relationships): active customers, new customers,
  win-backs (赢返, reactivated after a lapse) and lost customers per period;
* **longer** (久, length of relationships): average tenure of active customers,
  period retention rate;
* **deeper** (深, quality of relationships): spend, orders and categories per
  purchasing customer (cross-selling, 交叉销售), and share of wallet (钱包份额)
  when wallet estimates are given.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from crm_lessons.tables import TRANSACTIONS
from crm_lessons.tables import as_of as as_of_date
from crm_lessons._validation import CRMInputError, check_number, check_numeric, check_unique, require_columns

__all__ = ["KPI_COLUMNS", "customer_depth", "kpi_table", "plot_kpis"]

#: Columns of :func:`kpi_table` by dimension.
KPI_COLUMNS = {
    "more": ["active", "new", "winback", "lost"],
    "longer": ["retention_rate", "avg_tenure_days"],
    "deeper": ["purchasers", "spend_per_customer", "orders_per_customer", "categories_per_customer",
               "share_of_wallet"],
}


def _log(data, customer_col, date_col, amount_col, category_col, as_of=None):
    """The transaction log with short column names c(ustomer), d(ate), a(mount), k (category)."""
    log = TRANSACTIONS.read(data, arg="data", as_of=as_of, later="drop", customer_col=customer_col,
                            date_col=date_col, amount_col=amount_col, category_col=category_col)
    return log.rename(columns={"customer_id": "c", "date": "d", "amount": "a", "category": "k"})


def kpi_table(data: pd.DataFrame, *, customer_col: str = "customer_id", date_col: str = "date",
              amount_col: str = "amount", category_col: str | None = "category", freq: str = "M",
              lapse_periods: int = 3, wallet: pd.DataFrame | None = None,
              wallet_col: str = "wallet") -> pd.DataFrame:
    """One tidy table of more / longer / deeper KPIs by period.

    Parameters
    ----------
    data : DataFrame
        Transaction log, one row per purchase (or order line).
    customer_col, date_col, amount_col : str
        Columns of customer id, purchase date and amount (>= 0).
    category_col : str or None, default "category"
        Product category of each row; ``None`` skips ``categories_per_customer``.
    freq : str, default "M"
        Period length, a pandas period alias ("M" months, "Q" quarters, "W" weeks).
    lapse_periods : int, default 3
        A customer is **active** in a period if he bought in it or in the
        ``lapse_periods - 1`` periods before; a customer who stops being active
        is **lost** in that period.
    wallet : DataFrame or None
        Optional wallet estimates: ``customer_col`` and ``wallet_col``, the
        customer's total spend per period in the category with all suppliers.
    wallet_col : str, default "wallet"
        Column of ``wallet`` with the estimate (> 0).

    Returns
    -------
    DataFrame
        Indexed by period: ``active``, ``new``, ``winback``, ``lost``,
        ``retention_rate``, ``avg_tenure_days``, ``purchasers``,
        ``spend_per_customer``, ``orders_per_customer``,
        ``categories_per_customer`` (if ``category_col``), ``share_of_wallet``
        (if ``wallet``).

    Raises
    ------
    CRMInputError
        Missing columns, bad dates or amounts, bad ``lapse_periods`` or wallet.

    Notes
    -----
    With :math:`B_{ip}` = 1 if customer :math:`i` bought in period :math:`p`
    and :math:`k` = ``lapse_periods``:

    .. math::

        A_{ip} = \\max_{p-k < q \\le p} B_{iq}, \\quad
        \\text{new}_p = \\#\\{i: \\text{first purchase in } p\\}, \\quad
        \\text{winback}_p = \\#\\{i: B_{ip}=1, A_{i,p-1}=0, \\text{bought before } p\\},

    :math:`\\text{lost}_p = \\#\\{i: A_{i,p-1}=1, A_{ip}=0\\}`, so that
    :math:`\\text{active}_p = \\text{active}_{p-1} + \\text{new}_p + \\text{winback}_p - \\text{lost}_p`.
    Retention rate :math:`= 1 - \\text{lost}_p / \\text{active}_{p-1}`; tenure is
    days from a customer's first purchase to the end of the period, averaged
    over active customers. Deeper measures average over the period's
    purchasers; share of wallet :math:`= \\sum_{i \\in A_p} s_{ip} / \\sum_{i \\in A_p} w_i`
    over active customers with a wallet estimate.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 1],
    ...                    "date": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-02-03", "2024-05-01"]),
    ...                    "category": ["a", "b", "a", "a"], "amount": [10.0, 20.0, 5.0, 8.0]})
    >>> t = kpi_table(tx, lapse_periods=2)
    >>> t[["active", "new", "winback", "lost"]].values.tolist()
    [[1, 1, 0, 0], [2, 1, 0, 0], [1, 0, 0, 1], [0, 0, 0, 1], [1, 0, 1, 0]]
    >>> t["spend_per_customer"].tolist()
    [30.0, 5.0, nan, nan, 8.0]
    """
    check_number(lapse_periods, "lapse_periods", min_value=1, integer=True)
    tx = _log(data, customer_col, date_col, amount_col, category_col)
    try:
        tx["p"] = tx["d"].dt.to_period(freq)
    except (ValueError, TypeError) as exc:
        raise CRMInputError(f"argument `freq`: must be a pandas period alias; found {freq!r}. "
                            "Pass e.g. freq='M' (months), 'Q' (quarters) or 'W' (weeks).") from exc
    periods = pd.period_range(tx["p"].min(), tx["p"].max(), freq=tx["p"].dt.freq)
    cust = pd.Index(pd.unique(tx["c"]))
    ci = cust.get_indexer(tx["c"])
    pi = tx["p"].array.asi8 - periods[0].ordinal
    n_c, n_p = len(cust), len(periods)

    bought = np.zeros((n_c, n_p), dtype=bool)
    bought[ci, pi] = True
    cum = np.cumsum(bought, axis=1)
    before_window = np.zeros_like(cum)
    before_window[:, lapse_periods:] = cum[:, :-lapse_periods] if lapse_periods < n_p else 0
    active = (cum - before_window) > 0
    prev_active = np.zeros_like(active)
    prev_active[:, 1:] = active[:, :-1]
    prev_cum = np.zeros_like(cum)
    prev_cum[:, 1:] = cum[:, :-1]
    new = bought & (prev_cum == 0)
    winback = bought & (prev_cum > 0) & ~prev_active
    lost = prev_active & ~active

    first = tx.groupby("c")["d"].min().reindex(cust).to_numpy()
    ends = periods.end_time.normalize().to_numpy()
    tenure = (ends[None, :] - first[:, None]) / np.timedelta64(1, "D")
    n_active = active.sum(axis=0)
    n_prev = prev_active.sum(axis=0)

    out = pd.DataFrame(index=pd.PeriodIndex(periods, name="period"))
    out["active"] = n_active
    out["new"] = new.sum(axis=0)
    out["winback"] = winback.sum(axis=0)
    out["lost"] = lost.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["retention_rate"] = np.where(n_prev > 0, 1 - out["lost"] / np.where(n_prev > 0, n_prev, 1), np.nan)
        out["avg_tenure_days"] = np.where(n_active > 0, np.where(active, tenure, 0).sum(axis=0)
                                          / np.where(n_active > 0, n_active, 1), np.nan)
    per = tx.assign(pi=pi).groupby("pi")
    purchasers = per["c"].nunique().reindex(range(n_p), fill_value=0).to_numpy()
    spend = per["a"].sum().reindex(range(n_p), fill_value=0).to_numpy()
    orders = per.size().reindex(range(n_p), fill_value=0).to_numpy()
    safe = np.where(purchasers > 0, purchasers, 1)
    out["purchasers"] = purchasers
    out["spend_per_customer"] = np.where(purchasers > 0, spend / safe, np.nan)
    out["orders_per_customer"] = np.where(purchasers > 0, orders / safe, np.nan)
    if category_col is not None:
        cats = tx.assign(pi=pi).groupby(["pi", "c"])["k"].nunique().groupby("pi").sum()
        out["categories_per_customer"] = np.where(purchasers > 0, cats.reindex(range(n_p), fill_value=0)
                                                  .to_numpy() / safe, np.nan)
    if wallet is not None:
        require_columns(wallet, {"customer_col": customer_col, "wallet_col": wallet_col}, arg="wallet")
        w = check_numeric(wallet, wallet_col, arg="wallet", col_arg="wallet_col", min_value=0, strict=True)
        check_unique(wallet, [customer_col], arg="wallet", col_arg="customer_col",
                     what="wallet estimates per customer", fix="Keep one row per customer.")
        wv = pd.Series(w.to_numpy(), index=wallet[customer_col]).reindex(cust).to_numpy()
        has = ~np.isnan(wv)
        spend_mat = np.zeros((n_c, n_p))
        np.add.at(spend_mat, (ci, pi), tx["a"].to_numpy())
        num = (spend_mat * (active & has[:, None])).sum(axis=0)
        den = (np.where(has, wv, 0)[:, None] * active).sum(axis=0)
        out["share_of_wallet"] = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    return out


def customer_depth(data: pd.DataFrame, *, customer_col: str = "customer_id", date_col: str = "date",
                   amount_col: str = "amount", category_col: str | None = "category",
                   as_of=None) -> pd.DataFrame:
    """Per-customer length and depth of the relationship (久 and 深) as of a date.

    Returns
    -------
    DataFrame
        Indexed by customer: ``first_purchase``, ``last_purchase``,
        ``tenure_days`` (first purchase to ``as_of``), ``orders``, ``spend``,
        ``categories`` (distinct, if ``category_col``), ``spend_per_order``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "date": pd.to_datetime(["2024-01-01", "2024-01-31", "2024-01-15"]),
    ...                    "category": ["a", "b", "a"], "amount": [10.0, 30.0, 5.0]})
    >>> customer_depth(tx, as_of="2024-02-01")[["tenure_days", "orders", "categories", "spend_per_order"]].values.tolist()
    [[31.0, 2.0, 2.0, 20.0], [17.0, 1.0, 1.0, 5.0]]
    """
    tx = _log(data, customer_col, date_col, amount_col, category_col, as_of=as_of)
    t = as_of_date(tx, "d")
    g = tx.groupby("c")
    out = pd.DataFrame({"first_purchase": g["d"].min(), "last_purchase": g["d"].max()})
    out.index.name = customer_col
    out["tenure_days"] = (t - out["first_purchase"]).dt.days.astype(float)
    out["orders"] = g.size().astype(float)
    out["spend"] = g["a"].sum()
    if category_col is not None:
        out["categories"] = g["k"].nunique().astype(float)
    out["spend_per_order"] = out["spend"] / out["orders"]
    return out


def plot_kpis(table: pd.DataFrame, *, axes=None):
    """Three panels: more (counts), longer (tenure, retention), deeper (spend, categories).

    Parameters
    ----------
    table : DataFrame
        Output of :func:`kpi_table`.
    axes : sequence of 3 Axes, optional

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
    """
    require_columns(table, KPI_COLUMNS["more"] + ["avg_tenure_days", "retention_rate"], arg="table")
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    axes = np.asarray(axes).ravel()
    x = table.index.to_timestamp() if isinstance(table.index, pd.PeriodIndex) else table.index
    labels = {"active": "active", "new": "new", "winback": "won back", "lost": "lost"}
    for col in KPI_COLUMNS["more"]:
        axes[0].plot(x, table[col], label=labels[col])
    axes[0].set_title("More: customers")
    axes[0].set_ylabel("Customers")
    axes[1].plot(x, table["avg_tenure_days"] / 30.44, color="C4", label="avg tenure (months)")
    axes[1].set_title("Longer: tenure and retention")
    axes[1].set_ylabel("Average tenure of active customers (months)", color="C4")
    twin = axes[1].twinx()
    twin.plot(x, table["retention_rate"], color="C5", ls="--", label="retention rate")
    twin.set_ylabel("Period retention rate (dashed)", color="C5")
    twin.set_ylim(0, 1.05)
    axes[2].plot(x, table["spend_per_customer"], color="C2", label="spend per customer")
    axes[2].set_title("Deeper: spend and breadth")
    axes[2].set_ylabel("Spend per purchasing customer", color="C2")
    axes[2].set_ylim(0, 1.15 * max(float(table["spend_per_customer"].max()), 1e-9))  # from zero: a flat line looks flat
    if "categories_per_customer" in table:
        t2 = axes[2].twinx()
        t2.plot(x, table["categories_per_customer"], color="C3", ls="--", label="categories per customer")
        t2.set_ylabel("Categories per purchasing customer (dashed)", color="C3")
        t2.set_ylim(0, 1.15 * max(float(table["categories_per_customer"].max()), 1e-9))
    for ax in axes:
        ax.set_xlabel("Period")
        ax.tick_params(axis="x", labelrotation=45)
    axes[0].legend(fontsize="small")
    axes[0].figure.tight_layout()
    return axes
