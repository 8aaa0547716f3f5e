"""Fraud detection on card transactions (欺诈发现): anomaly scores and a threshold chosen by cost.

Fraud is rare and changes its form, so labels are few; a bank therefore scores
each transaction by how *unusual* it is for its card holder and reviews the
most unusual. :func:`transaction_features` describes each purchase against the
holder's own habits; :func:`anomaly_scores` turns the features into one score
(an isolation forest, Liu, Ting & Zhou 2008, or a transparent sum of robust
z-scores); :func:`fraud_cost_table` prices every threshold -- the MBA chapter's
"设置什么样的合适门槛值" -- as the fraud it lets through plus the cost of
reviewing the alerts it raises.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest

from crm_lessons._validation import CRMInputError, check_choice, check_dataframe, check_number, check_numeric
from crm_lessons.churn import threshold_table
from crm_lessons.tables import TRANSACTIONS, Column

__all__ = ["CARD_TRANSACTIONS", "FEATURES", "transaction_features", "anomaly_scores", "fraud_cost_table"]

#: A card-transaction log: the transaction log plus the time of day, region and channel.
CARD_TRANSACTIONS = TRANSACTIONS.extend(
    Column("time", "time", "date", doc="date and time of the purchase"),
    Column("region", "region", "category", doc="where the purchase was made"),
    Column("channel", "channel", "category", doc="pos or online"),
)

#: the features :func:`transaction_features` returns, in order
FEATURES = ["amount_z", "night", "away", "online", "rare_category", "velocity_24h"]


def transaction_features(transactions: pd.DataFrame, *, customer_col: str = "customer_id",
                         time_col: str = "time", amount_col: str = "amount",
                         category_col: str = "category", region_col: str = "region",
                         channel_col: str = "channel") -> pd.DataFrame:
    """Describe each purchase against its holder's own habits.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase; ``*_col`` name its columns (see :data:`CARD_TRANSACTIONS`).
    customer_col, time_col, amount_col, category_col, region_col, channel_col : str
        Column names.

    Returns
    -------
    DataFrame
        Same index and row order as ``transactions``, columns:

        - ``amount_z``: robust z-score of the log amount within the holder,
          :math:`(\\ln a - \\mathrm{median}) / (1.4826\\,\\mathrm{MAD})` (MAD floored at 0.1);
        - ``night`` (0/1): made between 0:00 and 6:00;
        - ``away`` (0/1): region is not the holder's most frequent region;
        - ``online`` (0/1): channel is "online";
        - ``rare_category``: 1 - the holder's share of purchases in this category;
        - ``velocity_24h``: the holder's purchases in the 24 hours up to and including this one.

    Examples
    --------
    >>> t = pd.DataFrame({"customer_id": [1, 1, 1, 1],
    ...     "time": pd.to_datetime(["2024-01-01 10:00", "2024-01-02 12:00", "2024-01-03 11:00",
    ...                             "2024-01-03 03:00"]),
    ...     "amount": [20.0, 25, 22, 900], "category": ["food", "food", "food", "jewels"],
    ...     "region": ["N", "N", "N", "Abroad"], "channel": ["pos", "pos", "pos", "online"]})
    >>> transaction_features(t).round(2)
       amount_z  night  away  online  rare_category  velocity_24h
    0     -0.96    0.0   0.0     0.0           0.25           1.0
    1      0.39    0.0   0.0     0.0           0.25           1.0
    2     -0.39    0.0   0.0     0.0           0.25           3.0
    3     22.05    1.0   1.0     1.0           0.75           2.0
    """
    t = CARD_TRANSACTIONS.read(transactions, arg="transactions", customer_col=customer_col,
                               time_col=time_col, amount_col=amount_col, category_col=category_col,
                               region_col=region_col, channel_col=channel_col)
    if (t["amount"] <= 0).any():
        raise CRMInputError(f"argument `transactions`, column '{amount_col}' (amount_col): amounts "
                            "must be positive for a log scale; found zero. Drop zero-amount rows.")
    cust = t["customer_id"]
    log_a = np.log(t["amount"])
    med = log_a.groupby(cust).transform("median")
    mad = (log_a - med).abs().groupby(cust).transform("median").clip(lower=0.1)
    region = t["region"].astype(str)
    counts = pd.DataFrame({"c": cust.to_numpy(), "r": region.to_numpy()}).value_counts().reset_index(name="n")
    home = (counts.sort_values(["c", "n", "r"], ascending=[True, False, True], kind="stable")
            .drop_duplicates("c").set_index("c")["r"])
    cat = t["category"].astype(str)
    share = cat.groupby([cust, cat]).transform("size") / cat.groupby(cust).transform("size")
    order = np.lexsort((np.arange(len(t)), t["time"].to_numpy(), cust.to_numpy()))
    sorted_t = pd.DataFrame({"c": cust.to_numpy()[order], "time": t["time"].to_numpy()[order],
                             "one": 1.0})
    rolled = (sorted_t.set_index("time").groupby("c", sort=False)["one"].rolling("24h").sum()
              .to_numpy())
    velocity = np.empty(len(t))
    velocity[order] = rolled if len(rolled) == len(t) else _velocity_fallback(sorted_t)
    out = pd.DataFrame({
        "amount_z": (log_a - med) / (1.4826 * mad),
        "night": (t["time"].dt.hour < 6).astype(float),
        "away": (region.to_numpy() != home.reindex(cust).to_numpy()).astype(float),
        "online": (t["channel"].astype(str).str.lower() == "online").astype(float),
        "rare_category": 1 - share,
        "velocity_24h": velocity,
    }, index=transactions.index)
    return out


def _velocity_fallback(sorted_t):                      # pragma: no cover - same result, slower
    return sorted_t.groupby("c", sort=False, group_keys=False).apply(
        lambda g: g.set_index("time")["one"].rolling("24h").sum()).to_numpy()


def anomaly_scores(features: pd.DataFrame, *, method: str = "isolation_forest", seed: int = 0,
                   n_estimators: int = 200) -> pd.Series:
    """One anomaly score per transaction; higher = more unusual.

    Parameters
    ----------
    features : DataFrame
        Numeric features, e.g. :func:`transaction_features`.
    method : {"isolation_forest", "robust_sum"}
        ``isolation_forest``: scikit-learn's :class:`~sklearn.ensemble.IsolationForest`
        (score = minus its ``score_samples``: short isolation paths score high).
        ``robust_sum``: the sum over features of the positive part of each
        feature's robust z-score :math:`(x - \\mathrm{median}) / (1.4826\\,\\mathrm{MAD})`
        (MAD floored at 0.1) -- transparent, each feature counts equally.
    seed : int, default 0
        ``random_state`` of the forest.
    n_estimators : int, default 200
        Trees in the forest.

    Returns
    -------
    Series
        ``anomaly_score``, same index as ``features``.

    References
    ----------
    Liu, F. T., Ting, K. M. & Zhou, Z.-H. (2008). Isolation forest. *Proc. 8th
    IEEE International Conference on Data Mining*, 413-422.

    Examples
    --------
    >>> f = pd.DataFrame({"x": [0.0, 0.1, -0.1, 0.05, 8.0], "y": [1.0, 1.1, 0.9, 1.0, 1.0]})
    >>> s = anomaly_scores(f, method="robust_sum")
    >>> int(s.idxmax())
    4
    >>> int(anomaly_scores(f, seed=1, n_estimators=50).idxmax())
    4
    """
    check_dataframe(features, arg="features")
    for col in features.columns:
        check_numeric(features, col, arg="features")
    check_choice(method, "method", ["isolation_forest", "robust_sum"])
    check_number(n_estimators, "n_estimators", min_value=1, integer=True)
    x = features.astype(float)
    if x.isna().any().any():
        raise CRMInputError("argument `features`: missing values; fill or drop them first.")
    if method == "robust_sum":
        med = x.median()
        mad = (x - med).abs().median().clip(lower=0.1)
        z = ((x - med) / (1.4826 * mad)).clip(lower=0)
        return z.sum(axis=1).rename("anomaly_score")
    forest = IsolationForest(n_estimators=int(n_estimators), random_state=seed).fit(x.to_numpy())
    return pd.Series(-forest.score_samples(x.to_numpy()), index=x.index, name="anomaly_score")


def fraud_cost_table(is_fraud, score, amount, *, review_cost: float, thresholds=None) -> pd.DataFrame:
    """Hits, false alarms and the total cost of every alert threshold.

    A transaction is flagged when ``score >= threshold``. Each alert is
    reviewed at ``review_cost``; each fraud that is not flagged is lost in full:

    .. math:: \\mathrm{cost}(t) = c_{\\mathrm{review}} \\cdot \\#\\{s_i \\ge t\\}
              + \\sum_{i\\,:\\,\\mathrm{fraud},\\ s_i < t} a_i .

    Parameters
    ----------
    is_fraud : array-like of bool/0-1
        Known fraud (confirmed later, or a simulation's truth).
    score : array-like
        Anomaly score, higher = more suspicious.
    amount : array-like
        Amount of each transaction (the loss if a fraud is missed).
    review_cost : float
        Cost of reviewing one alert (a call to the holder, an analyst's time).
    thresholds : array-like, optional
        Default: the 90th to 99.9th percentiles of the score and 40 points between.

    Returns
    -------
    DataFrame
        :func:`crm_lessons.churn.threshold_table`'s columns (``hit_rate`` = share of
        frauds flagged, ``false_alarm_rate`` = share of genuine purchases flagged)
        plus ``missed_amount``, ``review_total``, ``total_cost``;
        ``attrs["best"]``: the row of the lowest total cost.

    Examples
    --------
    >>> t = fraud_cost_table([0, 0, 1, 1], [0.1, 0.5, 0.6, 0.9], [10, 10, 300, 50],
    ...                      review_cost=20, thresholds=[0.55, 0.95])
    >>> t[["threshold", "hits", "false_alarms", "missed_amount", "total_cost"]]
       threshold  hits  false_alarms  missed_amount  total_cost
    0       0.55     2             0            0.0        40.0
    1       0.95     0             0          350.0       350.0
    """
    check_number(review_cost, "review_cost", min_value=0)
    y = np.asarray(is_fraud).astype(int)
    s = np.asarray(score, float)
    a = np.asarray(amount, float)
    if not (len(y) == len(s) == len(a)):
        raise CRMInputError(f"arguments `is_fraud`, `score`, `amount`: lengths differ; found "
                            f"{len(y)}, {len(s)}, {len(a)}. Pass one value per transaction.")
    if thresholds is None:
        thresholds = np.quantile(s, np.linspace(0.90, 0.999, 40))
    table = threshold_table(y, s, thresholds=thresholds)
    t = table["threshold"].to_numpy()
    missed = np.array([a[(y == 1) & (s < th)].sum() for th in t])
    table["missed_amount"] = missed
    table["review_total"] = review_cost * table["flagged"]
    table["total_cost"] = table["missed_amount"] + table["review_total"]
    table.attrs["best"] = table.loc[table["total_cost"].idxmin()]
    return table
