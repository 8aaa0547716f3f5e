"""Replenishment: predict when each household runs out, as Wang Yung-ching did (王永庆卖米).

Lesson 1.3. The young Wang Yung-ching (王永庆) ran a rice shop in Chiayi. He
noted for every household how many people it had, how much rice it bought and
when, worked out how fast it ate rice, and delivered a new bag *before* the
old one ran out. This module does the same from a purchase log:

1. :class:`ReplenishmentModel` estimates each household's consumption rate
   (kg per person per day), pooling households and shrinking the rate of
   households with a short history towards the pooled rate;
2. it predicts each household's next purchase date (when the last bag is used
   up down to the household's usual buffer);
3. :func:`visit_list` lists the households to visit in a given week.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from crm_lessons._validation import (show_value, CRMInputError, check_unique, check_dataframe, check_date, check_dates, check_fitted,
                                     check_no_missing, check_number, check_numeric, require_columns)

__all__ = ["ReplenishmentModel", "plot_household", "visit_list"]


class ReplenishmentModel:
    """Consumption-rate model of households' repeat purchases of a staple.

    Parameters
    ----------
    prior_person_days : float, default 30
        Strength of the pooled rate in the shrinkage, in person-days of
        observation: a household observed for that many person-days gets half
        its own rate and half the pooled rate. 0 means no shrinkage.

    Attributes
    ----------
    rates_ : DataFrame
        Per household: ``size``, ``n_purchases``, ``first_purchase``,
        ``last_purchase``, ``last_quantity``, ``kg_consumed``, ``span_days``,
        ``person_days``, ``rate_raw`` (kg/person/day, NaN with one purchase),
        ``weight`` and ``rate`` (shrunk), ``daily_kg`` = ``rate * size``.
    pooled_rate_ : float
        Pooled kg per person per day over all households.
    as_of_ : Timestamp
        Last purchase date in the data.

    Notes
    -----
    A household that buys when its stock falls to the same buffer each time eats
    one purchase's quantity between that purchase and the next. With purchases
    :math:`(t_j, q_j)`, :math:`j = 1..n`, and household size :math:`m`:

    .. math::

        \\hat r_h = \\frac{\\sum_{j<n} q_j}{m\\,(t_n - t_1)}, \\quad
        \\hat r = \\frac{\\sum_h \\sum_{j<n} q_{hj}}{\\sum_h m_h (t_{hn} - t_{h1})}, \\quad
        \\tilde r_h = \\frac{E_h \\hat r_h + \\tau \\hat r}{E_h + \\tau}

    with :math:`E_h = m_h (t_n - t_1)` person-days and :math:`\\tau` =
    ``prior_person_days``. The next purchase is due :math:`q_n / (m \\tilde r_h)`
    days after the last one.

    References
    ----------
    The story of Wang Yung-ching's rice shop is told in Chinese CRM textbooks
    (王永庆卖米); the pooled/shrunk rate is the usual credibility (empirical
    Bayes) weighting, e.g. Bühlmann, H. & Gisler, A. (2005), *A Course in
    Credibility Theory*, Springer.

    Examples
    --------
    >>> hh = pd.DataFrame({"household_id": [1, 2], "size": [4, 2]})
    >>> buys = pd.DataFrame({"household_id": [1, 1, 1, 2, 2],
    ...                      "date": pd.to_datetime(["2024-01-01", "2024-01-11", "2024-01-21", "2024-01-01", "2024-01-21"]),
    ...                      "quantity_kg": [10.0, 10.0, 10.0, 10.0, 10.0]})
    >>> model = ReplenishmentModel(prior_person_days=0).fit(buys, hh)
    >>> model.rates_["rate"].round(3).tolist()
    [0.25, 0.25]
    >>> model.predict()["next_purchase"].dt.strftime("%Y-%m-%d").tolist()
    ['2024-01-31', '2024-02-10']
    """

    def __init__(self, prior_person_days: float = 30.0):
        self.prior_person_days = prior_person_days

    def fit(self, purchases: pd.DataFrame, households: pd.DataFrame, *,
            household_col: str = "household_id", date_col: str = "date",
            quantity_col: str = "quantity_kg", size_col: str = "size") -> "ReplenishmentModel":
        """Estimate each household's consumption rate from its purchases.

        Parameters
        ----------
        purchases : DataFrame
            One row per purchase: ``household_col``, ``date_col``, ``quantity_col`` (> 0).
        households : DataFrame
            One row per household: ``household_col`` and ``size_col`` (people, >= 1).

        Returns
        -------
        ReplenishmentModel
            ``self``, fitted.

        Raises
        ------
        CRMInputError
            Missing columns, bad dates, quantities or sizes, duplicated
            households, purchases of unknown households, or no household with
            two purchases on different days.
        """
        check_number(self.prior_person_days, "prior_person_days", min_value=0)
        check_dataframe(purchases, arg="purchases")
        check_dataframe(households, arg="households")
        require_columns(purchases, {"household_col": household_col, "date_col": date_col,
                                    "quantity_col": quantity_col}, arg="purchases")
        require_columns(households, {"household_col": household_col, "size_col": size_col}, arg="households")
        check_no_missing(purchases, household_col, arg="purchases", col_arg="household_col")
        dates = check_dates(purchases, date_col, arg="purchases", col_arg="date_col")
        qty = check_numeric(purchases, quantity_col, arg="purchases", col_arg="quantity_col",
                            min_value=0, strict=True)
        size = check_numeric(households, size_col, arg="households", col_arg="size_col", min_value=1)
        ids = households[household_col]
        check_unique(households, [household_col], arg="households", col_arg="household_col",
                     what="household ids", fix="Keep one row per household.")
        unknown = ~purchases[household_col].isin(ids)
        if unknown.any():
            raise CRMInputError(f"argument `purchases`, column '{household_col}': every purchase must belong to "
                                f"a household of `households`; found {show_value(purchases[household_col][unknown].iloc[0])} "
                                f"({int(unknown.sum())} such rows). Add the household and its size.")

        log = pd.DataFrame({"h": purchases[household_col].to_numpy(), "d": dates.to_numpy(),
                            "q": qty.to_numpy()}).sort_values(["h", "d"], kind="stable")
        g = log.groupby("h")
        idx = pd.Index(ids, name=household_col)
        r = pd.DataFrame(index=idx)
        r["size"] = size.to_numpy()
        r["n_purchases"] = g.size().reindex(idx, fill_value=0).astype(int)
        r["first_purchase"] = g["d"].min().reindex(idx)
        r["last_purchase"] = g["d"].max().reindex(idx)
        r["last_quantity"] = g["q"].last().reindex(idx)
        r["kg_consumed"] = (g["q"].sum() - g["q"].last()).reindex(idx).fillna(0.0)
        r["span_days"] = (r["last_purchase"] - r["first_purchase"]).dt.days.fillna(0).astype(float)
        r["person_days"] = r["size"] * r["span_days"]
        usable = r["person_days"] > 0
        if not usable.any():
            raise CRMInputError("argument `purchases`: no household has two purchases on different days, so no "
                                "consumption rate can be estimated. Record at least two purchases per household.")
        r["rate_raw"] = np.where(usable, r["kg_consumed"] / r["person_days"].where(usable, 1.0), np.nan)
        pooled = float(r.loc[usable, "kg_consumed"].sum() / r.loc[usable, "person_days"].sum())
        tau = float(self.prior_person_days)
        denom = r["person_days"] + tau
        r["weight"] = np.where(denom > 0, r["person_days"] / denom.where(denom > 0, 1.0), 0.0)
        r["rate"] = r["weight"] * r["rate_raw"].fillna(0.0) + (1 - r["weight"]) * pooled
        r["daily_kg"] = r["rate"] * r["size"]
        self.rates_ = r
        self.pooled_rate_ = pooled
        self.as_of_ = log["d"].max()
        return self

    def predict(self) -> pd.DataFrame:
        """Predicted next purchase date of every household that has bought.

        Returns
        -------
        DataFrame
            Indexed by household: ``last_purchase``, ``last_quantity``,
            ``daily_kg``, ``days_cover`` (days the last purchase lasts) and
            ``next_purchase`` (last purchase + ``days_cover``, rounded to a day).
        """
        check_fitted(self, "rates_")
        r = self.rates_[self.rates_["n_purchases"] > 0]
        out = r[["size", "last_purchase", "last_quantity", "daily_kg"]].copy()
        out["days_cover"] = out["last_quantity"] / out["daily_kg"]
        out["next_purchase"] = out["last_purchase"] + pd.to_timedelta(np.round(out["days_cover"]), "D")
        return out


def visit_list(predictions: pd.DataFrame, week_start, *, lead_days: int = 2, days: int = 7,
               include_overdue: bool = True) -> pd.DataFrame:
    """Households to visit in a week: those whose rice is due soon.

    A household is visited ``lead_days`` before its predicted next purchase, so
    the new bag arrives before the old one is finished.

    Parameters
    ----------
    predictions : DataFrame
        Output of :meth:`ReplenishmentModel.predict` (needs ``next_purchase``).
    week_start : date-like
        First day of the week.
    lead_days : int, default 2
        Visit this many days before the predicted purchase date.
    days : int, default 7
        Length of the planning window.
    include_overdue : bool, default True
        Also list households whose visit date is before ``week_start`` (due
        but, as far as the records go, not yet served).

    Returns
    -------
    DataFrame
        The rows of ``predictions`` to visit, with ``visit_date`` and
        ``overdue``, sorted by visit date.

    Examples
    --------
    >>> pred = pd.DataFrame({"next_purchase": pd.to_datetime(["2024-03-05", "2024-03-20", "2024-02-20"])},
    ...                     index=pd.Index([1, 2, 3], name="household_id"))
    >>> visit_list(pred, "2024-03-01").index.tolist()
    [3, 1]
    """
    require_columns(predictions, {"next_purchase": "next_purchase"}, arg="predictions")
    check_number(lead_days, "lead_days", min_value=0, integer=True)
    check_number(days, "days", min_value=1, integer=True)
    start = check_date(week_start, "week_start", example="2025-01-06")
    out = predictions.copy()
    out["visit_date"] = out["next_purchase"] - pd.to_timedelta(lead_days, "D")
    out["overdue"] = out["visit_date"] < start
    keep = (out["visit_date"] < start + pd.to_timedelta(days, "D")) & (include_overdue | ~out["overdue"])
    return out[keep].sort_values("visit_date", kind="stable")


def plot_household(purchases: pd.DataFrame, model: ReplenishmentModel, household, *,
                   household_col: str = "household_id", date_col: str = "date",
                   quantity_col: str = "quantity_kg", truth_next=None, ax=None):
    """Saw-tooth of a household's estimated rice stock, with the predicted next purchase.

    The stock above the buffer rises by each purchase and falls at the
    estimated daily rate; the dashed line marks the predicted next purchase
    and, if given, the dotted line the true one.

    Returns
    -------
    matplotlib.axes.Axes
    """
    require_columns(purchases, {"household_col": household_col, "date_col": date_col, "quantity_col": quantity_col},
                    arg="purchases")
    check_fitted(model, "rates_")
    if household not in model.rates_.index:
        raise CRMInputError(f"argument `household`: unknown household {show_value(household)}. "
                            "Pass an id from the households table.")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 3.5))
    rows = purchases[purchases[household_col] == household].sort_values(date_col)
    daily = float(model.rates_.loc[household, "daily_kg"])
    t, stock = [], []
    level = 0.0
    prev = None
    for d, q in zip(pd.to_datetime(rows[date_col]), rows[quantity_col].astype(float)):
        if prev is not None:
            level = max(level - daily * (d - prev).days, 0.0)
            t.append(d)
            stock.append(level)
        t.append(d)
        level += q
        stock.append(level)
        prev = d
    nxt = prev + pd.to_timedelta(round(level / daily), "D")
    t.append(nxt)
    stock.append(0.0)
    ax.plot(t, stock, color="C0", label="estimated stock above buffer")
    ax.axvline(nxt, color="C1", ls="--", label="predicted next purchase")
    if truth_next is not None:
        ax.axvline(pd.Timestamp(truth_next), color="C2", ls=":", label="true next purchase")
    ax.set_title(f"Household {household}: rice stock and next purchase")
    ax.set_xlabel("Date")
    ax.set_ylabel("Rice (kg)")
    ax.legend(fontsize="small")
    return ax
