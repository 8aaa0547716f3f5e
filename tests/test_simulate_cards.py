"""The card-transaction simulator: its data agree with the truth it states."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons._validation import CRMInputError
from crm_lessons.simulate import simulate_card_transactions
from crm_lessons.simulate.cards import CREDIT_CLASSES


@pytest.fixture(scope="module")
def sim():
    return simulate_card_transactions(5000, seed=3, months=6)


def test_shapes_keys_and_order(sim):
    data, truth = sim
    tx, cust = data["transactions"], data["customers"]
    assert tx["transaction_id"].tolist() == list(range(1, len(tx) + 1))
    assert tx["time"].is_monotonic_increasing
    assert (tx["time"] >= truth["start"]).all() and (tx["time"] < truth["end"]).all()
    assert cust["customer_id"].is_unique and set(tx["customer_id"]) <= set(cust["customer_id"])
    assert truth["is_fraud"].index.equals(tx.index)
    assert (tx["amount"] > 0).all()


def test_deterministic():
    a = simulate_card_transactions(200, seed=5, months=2)
    b = simulate_card_transactions(200, seed=5, months=2)
    pd.testing.assert_frame_equal(a.data["transactions"], b.data["transactions"])
    assert a.truth["is_fraud"].equals(b.truth["is_fraud"])


def test_planted_fraud_matches_truth(sim):
    data, truth = sim
    tx, fraud = data["transactions"], truth["is_fraud"]
    assert len(truth["compromised"]) == round(0.03 * 5000)
    assert set(tx.loc[fraud, "customer_id"]) == set(truth["compromised"])
    per_victim = tx[fraud].groupby("customer_id")["time"].agg(["size", "min", "max"])
    assert (per_victim["size"] >= 2).all()
    assert (per_victim["max"] - per_victim["min"] <= pd.Timedelta(hours=48)).all()
    # stated model: 60% abroad, 85% online, 20% small test amounts
    assert tx.loc[fraud, "region"].eq("Abroad").mean() == pytest.approx(0.6, abs=0.06)
    assert tx.loc[fraud, "channel"].eq("online").mean() == pytest.approx(0.85, abs=0.05)
    assert (tx.loc[fraud, "amount"] <= 10).mean() == pytest.approx(0.2, abs=0.05)
    assert not tx.loc[~fraud, "region"].eq("Abroad").any()


def test_repayment_behaviour_follows_the_class_model(sim):
    data, truth = sim
    cust = data["customers"].set_index("customer_id")
    cls = truth["credit_class"]
    shares = cls.value_counts(normalize=True)
    for name, (share, (a1, b1), (a2, b2), late, _) in CREDIT_CLASSES.items():
        rows = cust[cls == name]
        assert shares[name] == pytest.approx(share, abs=0.03)
        assert rows["on_time_rate"].mean() == pytest.approx(a1 / (a1 + b1), abs=0.02)
        assert rows["revolve_rate"].mean() == pytest.approx(a2 / (a2 + b2), abs=0.02)
        assert rows["months_90_late"].mean() == pytest.approx(late, abs=4 * np.sqrt(late / len(rows)) + 0.01)


def test_attrition_and_amounts_match_truth(sim):
    data, truth = sim
    cust, tx = data["customers"], data["transactions"]
    cls = truth["credit_class"].to_numpy()
    p_open = np.array([(1 - CREDIT_CLASSES[c][4]) ** 6 for c in cls])
    se = np.sqrt((p_open * (1 - p_open)).sum()) / len(cust)
    assert cust["active"].mean() == pytest.approx(p_open.mean(), abs=4 * se)
    closed = truth["closed_month"].dropna()
    last = tx[~truth["is_fraud"]].groupby("customer_id")["time"].max().reindex(closed.index).dropna()
    limit = [truth["start"] + pd.DateOffset(months=int(m)) for m in closed[last.index]]
    assert (last.to_numpy() < np.array(limit, dtype="datetime64[ns]")).all()
    med = tx[~truth["is_fraud"]].groupby("customer_id")["amount"].median()
    ratio = med / truth["median_amount"].reindex(med.index)
    assert ratio.median() == pytest.approx(1.0, abs=0.05)


def test_profit_is_revenue_minus_cost_and_spend_is_the_log(sim):
    data, truth = sim
    cust, tx = data["customers"], data["transactions"]
    np.testing.assert_allclose(cust["profit"], cust["revenue"] - cust["cost"], atol=0.011)
    spend = tx[~truth["is_fraud"]].groupby("customer_id")["amount"].sum()
    np.testing.assert_allclose(cust.set_index("customer_id")["spend"].reindex(spend.index), spend,
                               atol=0.011)
    assert (cust["n_cards"] == cust["cards"].str.count(",") + 1).all()


def test_bad_arguments():
    with pytest.raises(CRMInputError, match="fraud_share"):
        simulate_card_transactions(10, fraud_share=1.5)
    with pytest.raises(CRMInputError, match="start"):
        simulate_card_transactions(10, start="soon")
