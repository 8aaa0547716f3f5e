"""Choosing customers: whale curve by hand and on simulated truth, rank stability, scorecards, contact value."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons import selection
from crm_lessons._validation import CRMInputError
from crm_lessons.churn import auc
from crm_lessons.datasets import load_caravan


def test_whale_curve_by_hand():
    curve = selection.whale_curve(pd.Series([-1.0, 5.0, 3.0, -2.0], index=list("abcd")))
    assert list(curve.index) == ["b", "c", "a", "d"]
    assert curve["profit_share"].tolist() == pytest.approx([1.0, 1.6, 1.4, 1.0])
    s = selection.whale_summary([-1.0, 5.0, 3.0, -2.0])
    assert (s["peak_share"], s["peak_at"], s["unprofitable"], s["loss"]) == (1.6, 0.5, 2.0, -3.0)
    with pytest.raises(CRMInputError, match=r"total profit must be > 0"):
        selection.whale_curve([-1.0, 0.5])


def test_profitability_finds_the_true_negative_profit_customers():
    # simulated truth: revenue and service calls with a known cost per call; the true loss-makers are known
    rng = np.random.default_rng(0)
    n = 5_000
    d = pd.DataFrame({"revenue": rng.gamma(2.0, 30.0, n), "calls": rng.poisson(rng.gamma(1.0, 2.0, n))})
    true_profit = d["revenue"] - 8.0 - 12.0 * d["calls"]
    est = selection.customer_profitability(d, revenue_col="revenue", cost_drivers={"calls": 12.0}, fixed_cost=8.0)
    assert np.allclose(est["profit"], true_profit)
    s = selection.whale_summary(est["profit"])
    assert s["unprofitable"] == (true_profit < 0).sum() and s["peak_share"] > 1
    # the peak is reached exactly where the unprofitable tail starts
    assert s["peak_at"] == pytest.approx((true_profit >= 0).mean(), abs=1 / n)
    # ignoring the cost to serve hides every loss-maker
    naive = selection.customer_profitability(d, revenue_col="revenue", cost_drivers={"calls": 0.0})
    assert (naive["profit"] < 0).sum() == 0


def test_rank_stability_at_the_extremes():
    rng = np.random.default_rng(1)
    a = pd.Series(rng.lognormal(0, 1, 10_000))
    same = selection.rank_stability(a, a * 2)
    assert same.top_stay == 1 and same.spearman == pytest.approx(1)
    assert np.allclose(np.diag(same.matrix), 1)
    indep = selection.rank_stability(a, pd.Series(rng.lognormal(0, 1, 10_000)))
    assert indep.top_stay == pytest.approx(0.1, abs=0.03) and abs(indep.spearman) < 0.05
    assert np.allclose(indep.matrix.sum(axis=1), 1)


def test_scorecard_by_hand_and_validated_on_caravan():
    p = pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [3.0, 3.0, 1.0]})
    # percentile ranks: x 1/3, 2/3, 1; y (ties averaged) 5/6, 5/6, 1/3
    assert selection.scorecard(p, {"x": 1, "y": 1}).tolist() == pytest.approx([7 / 12, 9 / 12, 8 / 12])
    car = load_caravan()
    # ability: purchasing power class; willingness: number of existing car policies (real purchases)
    score = selection.scorecard(car, {"mkoopkla": 1, "apersaut": 1})
    assert auc(car["purchase"].astype(int), score) > 0.6
    stab = selection.scorecard_stability(car, {"mkoopkla": 1, "apersaut": 1}, n_draws=20, seed=2)
    assert 0 < stab.min() <= stab.max() <= 1
    with pytest.raises(CRMInputError, match=r"argument `weights`"):
        selection.scorecard(p, {"x": -1})


def test_contact_value_new_vs_existing():
    # seed 003, C94: 15% vs 50%; by hand
    assert selection.contact_value(0.15, 1000, 100) == pytest.approx(50)
    assert selection.contact_value(0.50, 1000, 100) == pytest.approx(400)


def test_rank_stability_puts_tied_second_period_customers_in_one_bin():
    # 10 customers; in the second period only the first two buy: all eight non-buyers share bin 3 of 10
    a = pd.Series(np.arange(10.0, 0, -1), index=list("abcdefghij"))
    b = pd.Series([5.0, 4.0], index=["a", "b"])
    rs = selection.rank_stability(a, b, n_bins=10)
    assert list(rs.matrix.columns) == [1, 2, 3]
    assert rs.matrix.loc[1, 1] == 1 and rs.matrix.loc[2, 2] == 1 and (rs.matrix.loc[3:, 3] == 1).all()
    assert rs.top_stay == 1


def test_simulated_cost_to_serve_truth_and_recovery():
    d = selection.simulate_cost_to_serve(4000, seed=3, cost_per_call=10, fixed_cost=25, unrecorded_sd=0)
    # with no unrecorded cost the true profit is exactly revenue - 25 - 10 x calls
    assert np.allclose(d["true_profit"], d["revenue"] - 25 - 10 * d["service_calls"])
    noisy = selection.simulate_cost_to_serve(4000, seed=3, unrecorded_sd=3)
    est = selection.customer_profitability(noisy, revenue_col="revenue", cost_drivers={"service_calls": 10.0},
                                           fixed_cost=25)
    truly, found = noisy["true_profit"] < 0, est["profit"] < 0
    assert 0.05 < truly.mean() < 0.4
    assert (truly & found).sum() / truly.sum() > 0.85 and (truly & found).sum() / found.sum() > 0.85
    # callers cost more and spend a little less: the loss-makers are the heavy callers
    assert noisy.loc[truly, "service_calls"].mean() > 2 * noisy.loc[~truly, "service_calls"].mean()
