"""Tests of crm_lessons.kpis (lesson 1.4): a hand-computed log and a brute-force recount."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons._validation import CRMInputError
from crm_lessons.kpis import customer_depth, kpi_table, plot_kpis
from crm_lessons.simulate import simulate_retail


@pytest.fixture
def log():
    # A buys Jan (2 orders), Mar, Jun; B buys Feb; C buys Jan, Feb, Mar, Apr.
    return pd.DataFrame({
        "customer_id": ["A", "A", "A", "A", "B", "C", "C", "C", "C"],
        "date": pd.to_datetime(["2024-01-05", "2024-01-25", "2024-03-10", "2024-06-01", "2024-02-10",
                                "2024-01-20", "2024-02-15", "2024-03-03", "2024-04-09"]),
        "category": ["x", "y", "x", "z", "x", "x", "x", "y", "x"],
        "amount": [10.0, 20.0, 5.0, 15.0, 30.0, 8.0, 12.0, 4.0, 6.0],
    })


def test_more_counts_by_hand(log):
    t = kpi_table(log, lapse_periods=2)
    assert [str(p) for p in t.index] == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
    assert t["active"].tolist() == [2, 3, 3, 2, 1, 1]
    assert t["new"].tolist() == [2, 1, 0, 0, 0, 0]
    assert t["winback"].tolist() == [0, 0, 0, 0, 0, 1]     # A comes back in June after a lapse in May
    assert t["lost"].tolist() == [0, 0, 0, 1, 1, 1]         # B in April, A in May, C in June
    np.testing.assert_allclose(t["retention_rate"], [np.nan, 1, 1, 2 / 3, 1 / 2, 0])


def test_longer_tenure_by_hand(log):
    t = kpi_table(log, lapse_periods=2)
    # days from first purchase (A 01-05, B 02-10, C 01-20) to each month end, over active customers
    expected = [(26 + 11) / 2, (55 + 19 + 40) / 3, (86 + 50 + 71) / 3, (116 + 101) / 2, 132, 177]
    np.testing.assert_allclose(t["avg_tenure_days"], expected)


def test_deeper_by_hand(log):
    wallet = pd.DataFrame({"customer_id": ["A", "B", "C"], "wallet": [100.0, 60.0, 40.0]})
    t = kpi_table(log, lapse_periods=2, wallet=wallet)
    assert t["purchasers"].tolist() == [2, 2, 2, 1, 0, 1]
    np.testing.assert_allclose(t["spend_per_customer"], [19, 21, 4.5, 6, np.nan, 15])
    np.testing.assert_allclose(t["orders_per_customer"], [1.5, 1, 1, 1, np.nan, 1])
    np.testing.assert_allclose(t["categories_per_customer"], [1.5, 1, 1, 1, np.nan, 1])
    np.testing.assert_allclose(t["share_of_wallet"], [38 / 140, 42 / 200, 9 / 200, 6 / 140, 0, 15 / 100])
    # A customer without a wallet estimate is left out of both sums.
    t2 = kpi_table(log, lapse_periods=2, wallet=wallet[wallet.customer_id != "B"])
    assert t2["share_of_wallet"].iloc[1] == pytest.approx(12 / 140)


def test_quarters_and_no_categories(log):
    t = kpi_table(log, freq="Q", lapse_periods=1, category_col=None)
    assert t["active"].tolist() == [3, 2]
    assert t["lost"].tolist() == [0, 1]         # B bought only in Q1
    assert "categories_per_customer" not in t
    assert t["spend_per_customer"].iloc[0] == pytest.approx(89 / 3)


def _brute_force(tx, lapse):
    """Recount active/new/winback/lost with Python sets, month by month."""
    p = tx["date"].dt.to_period("M")
    months = pd.period_range(p.min(), p.max(), freq="M")
    buyers = {m: set(tx.loc[p == m, "customer_id"]) for m in months}
    rows, seen, prev_active = [], set(), set()
    for i, m in enumerate(months):
        active = set().union(*(buyers[months[j]] for j in range(max(0, i - lapse + 1), i + 1)))
        new = buyers[m] - seen
        winback = (buyers[m] & seen) - prev_active
        rows.append([len(active), len(new), len(winback), len(prev_active - active)])
        seen |= buyers[m]
        prev_active = active
    return rows


def test_matches_a_brute_force_recount_on_simulated_log():
    data, truth = simulate_retail(800, seed=4)
    tx = data["transactions"]
    t = kpi_table(tx, lapse_periods=4)
    assert t[["active", "new", "winback", "lost"]].values.tolist() == _brute_force(tx, 4)
    # Flow identity, every customer new exactly once, and win-backs exist (p_return = 0.3).
    change = t["active"].diff().fillna(t["active"].iloc[0])
    assert (change == t["new"] + t["winback"] - t["lost"]).all()
    assert t["new"].sum() == tx["customer_id"].nunique()
    assert t["winback"].sum() > 0


def test_customer_depth_by_hand(log):
    d = customer_depth(log, as_of="2024-03-31")
    assert d.loc["A", ["orders", "spend", "categories"]].tolist() == [3.0, 35.0, 2.0]
    assert d.loc["A", "tenure_days"] == 86
    assert d.loc["C", "spend_per_order"] == pytest.approx(8.0)


def test_plot_returns_three_axes(log):
    import matplotlib.pyplot as plt
    axes = plot_kpis(kpi_table(log, lapse_periods=2))
    assert len(axes) == 3 and axes[0].get_title().startswith("More")
    plt.close("all")


def test_input_is_not_modified(log):
    before = log.copy()
    kpi_table(log)
    pd.testing.assert_frame_equal(log, before)


def test_bad_inputs_give_clear_messages(log):
    with pytest.raises(CRMInputError, match=r"column 'category' \(given as category_col\) is missing"):
        kpi_table(log.drop(columns="category"))
    with pytest.raises(CRMInputError, match=r"column 'amount' \(amount_col\), row 2: values must be >= 0; found -1.0"):
        kpi_table(log.assign(amount=[10, 20, -1, 15, 30, 8, 12, 4, 6]))
    with pytest.raises(CRMInputError, match="argument `freq`: must be a pandas period alias; found 'fortnight'"):
        kpi_table(log, freq="fortnight")
    with pytest.raises(CRMInputError, match="argument `lapse_periods`: must be >= 1; found 0"):
        kpi_table(log, lapse_periods=0)
    with pytest.raises(CRMInputError, match="wallet estimates per customer must be unique; found 'A' twice"):
        kpi_table(log, wallet=pd.DataFrame({"customer_id": ["A", "A"], "wallet": [1.0, 2.0]}))
    with pytest.raises(CRMInputError, match=r"argument `wallet`, column 'wallet' \(wallet_col\), row 0: values must be > 0"):
        kpi_table(log, wallet=pd.DataFrame({"customer_id": ["A"], "wallet": [0.0]}))
    with pytest.raises(CRMInputError, match="values must be dates"):
        kpi_table(log.assign(date="yesterday"))
