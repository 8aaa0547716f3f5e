"""Fraud detection: features by hand, costs by hand, and hit/false-alarm rates on the simulated truth."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons import churn, fraud
from crm_lessons.simulate import simulate_card_transactions


@pytest.fixture(scope="module")
def book():
    return simulate_card_transactions(1500, seed=11, months=4)


def test_features_match_a_direct_calculation(book):
    data, _ = book
    tx = data["transactions"]
    f = fraud.transaction_features(tx)
    one = tx[tx["customer_id"] == tx["customer_id"].iloc[0]].sort_values("time")
    la = np.log(one["amount"])
    mad = max((la - la.median()).abs().median(), 0.1)
    np.testing.assert_allclose(f.loc[one.index, "amount_z"], (la - la.median()) / (1.4826 * mad))
    vel = [((one["time"] > t - pd.Timedelta(hours=24)) & (one["time"] <= t)).sum() for t in one["time"]]
    np.testing.assert_allclose(f.loc[one.index, "velocity_24h"], vel)
    assert f.index.equals(tx.index) and list(f.columns) == fraud.FEATURES


def test_cost_table_by_hand():
    y = np.array([0, 1, 0, 1, 0])
    s = np.array([0.1, 0.9, 0.8, 0.3, 0.2])
    a = np.array([5.0, 100, 7, 40, 9])
    t = fraud.fraud_cost_table(y, s, a, review_cost=10, thresholds=[0.25, 0.85])
    assert t["total_cost"].tolist() == [3 * 10 + 0, 1 * 10 + 40]
    assert t.attrs["best"]["threshold"] == 0.25


@pytest.mark.parametrize("method,min_hit,max_fa", [("isolation_forest", 0.7, 0.02), ("robust_sum", 0.65, 0.02)])
def test_detector_on_simulated_truth(book, method, min_hit, max_fa):
    data, truth = book
    tx, y = data["transactions"], truth["is_fraud"]
    s = fraud.anomaly_scores(fraud.transaction_features(tx), method=method, seed=3)
    assert churn.auc(y, s) > 0.95
    best = fraud.fraud_cost_table(y, s, tx["amount"], review_cost=20).attrs["best"]
    assert best["hit_rate"] >= min_hit            # share of planted frauds caught
    assert best["false_alarm_rate"] <= max_fa     # share of genuine purchases flagged
    assert best["total_cost"] < tx.loc[y, "amount"].sum() / 2   # far cheaper than no review
