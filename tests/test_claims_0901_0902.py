"""Lessons 9.1 and 9.2: each sentence holds for other seeds and sizes, and the Explore callbacks run at the ends.

Each lesson is rerun in-process (``run_lesson``) for three seeds and sizes; the tests assert what the prose says.
The modules' numbers are checked against independent calculations in tests/test_fees.py,
tests/test_defects.py and tests/test_reading_delay.py.
"""

import numpy as np
import pytest

from lesson_exec import call_widget_ends, run_lesson

RUNS_91 = [dict(seed=42, n_customers=2000), dict(seed=7, n_customers=800), dict(seed=1, n_customers=1200)]
RUNS_92 = [dict(seed=42, n_customers=3000), dict(seed=7, n_customers=1000), dict(seed=1, n_customers=1500)]


# --------------------------------------------------------------------------- 9.1
@pytest.fixture(scope="module", params=RUNS_91, ids=lambda p: f"seed{p['seed']}-n{p['n_customers']}")
def ns91(request):
    return run_lesson("09.01-Bank-Credit-Cards-Case", **request.param)


def test_91_quadrants(ns91):
    q = ns91["quadrants"]
    assert q["yearly_profit"].idxmax() == "True friends"
    # barnacles earn little: pay in full (low revolving), less profit than butterflies
    assert q.loc["Barnacles", "yearly_profit"] < q.loc["Butterflies", "yearly_profit"]
    assert q.loc["Barnacles", "revolve_rate"] < min(q.loc["Butterflies", "revolve_rate"], q.loc["True friends", "revolve_rate"])
    # butterflies earn well from fewer purchases
    assert q.loc["Butterflies", "yearly_profit"] > 0
    assert q.loc["Butterflies", "purchases_per_month"] < q.loc[["True friends", "Barnacles"], "purchases_per_month"].min()


def test_91_chase_tiers(ns91):
    chase = ns91["chase"]
    assert chase.loc["exit", "profit_share"] < 0
    assert (ns91["tiers"].loc[ns91["tiers"]["tier"] == "exit", "yearly_profit"] < 0).all()
    assert (ns91["tiers"].loc[ns91["tiers"]["tier"] == "transfer", "n_cards"] >= 2).all()


def test_91_fee_economics(ns91):
    out, small = ns91["outcome"], ns91["small"]
    assert out["profit_change"] == pytest.approx(ns91["by_hand"])
    assert (0.02 * small < 120).all()                                  # small customers cost more than they earn
    grey = ns91["scan"]["saved_cost"] - ns91["scan"]["lost_margin"]
    assert (np.diff(grey) >= 0).all()                                  # "the grey line rises with the fee"
    fees, balances, terms = ns91["fees"], ns91["balances"], ns91["terms"]
    f0 = fees.best_fee(balances, **terms)
    assert fees.best_fee(balances, **{**terms, "cost_per_customer": 60.0}) < f0       # lower cost: best fee falls
    assert fees.best_fee(balances, **{**terms, "leave_per_dollar": 0.08}) < f0       # higher elasticity: falls
    profitable = {**terms, "cost_per_customer": 0.0}
    assert fees.fee_outcome(balances, fee=1 / terms["leave_per_dollar"], **profitable)["profit_change"] < 0


def test_91_churn_signal_is_weak(ns91):
    assert 0.5 < ns91["auc_truth"] < 0.7            # the true probability ranks closers only a little better than chance


def test_91_bundles(ns91):
    basket, half = ns91["basket"], ns91["half"]
    for part in (basket[half], basket[~half]):                       # gold holders rarely also hold classic
        lift = (part["gold"] & part["classic"]).mean() / (part["gold"].mean() * part["classic"].mean())
        assert lift < 1
    assert (ns91["bundles"]["lift"] < 1).any()


def test_91_reichheld(ns91):
    r = ns91["reichheld"]
    assert round(r.loc[0, "model_increase_pct"]) == 123
    assert (np.diff(ns91["sens"].to_numpy()) > 0).all()            # rises with the acquisition cost


def test_91_widgetcall_widget_ends(ns91):
    if ns91["seed"] == 7:
        assert call_widget_ends(ns91) == 10


# --------------------------------------------------------------------------- 9.2
@pytest.fixture(scope="module", params=RUNS_92, ids=lambda p: f"seed{p['seed']}-n{p['n_customers']}")
def ns92(request):
    return run_lesson("09.02-Real-Estate-Longfor-Case", **request.param)


def test_92_checklist(ns92):
    assert set(ns92["weakest"]) == {"defect feedback", "risk prevention"}
    assert ns92["blocks"].set_index("block")["score"].idxmax() == "complaint handling"


def test_92_complaints_close_to_truth(ns92):
    p, m = ns92["pareto"], ns92["metrics"]
    assert (p["share"] - p["true_share"]).abs().max() < 0.08
    assert (m["fcr_rate"] - m["true_fcr_rate"]).abs().max() < 0.15
    assert p.index[0] == "工程质量"                                       # build quality brings the most complaints


def test_92_defects(ns92):
    assert abs(ns92["homes"]["any_defect"].mean() - ns92["p_owner"]) < 4 * ns92["se"]
    if ns92["p_defect"] == 0.01 and ns92["k_items"] == 200:
        assert 0.5 < ns92["p_owner"] < 0.9                             # "most owners see a defect"


def test_92_drivers(ns92):
    t = ns92["table"]
    assert t["coef"].idxmax() == "build_quality"
    assert (t["coef"] - t["true_weight"]).abs().max() < 0.08


def test_92_reading(ns92):
    r = ns92["reading"]
    daily = r.loc["every day at 9:00 (Longfor)"]
    assert daily["max_hours"] < 24 and daily["read_within_24h"] == 1
    order = ["twice a day, 9:00 and 17:00", "every day at 9:00 (Longfor)", "working days at 9:00", "weekly, Monday 9:00"]
    assert (np.diff(r.loc[order, "mean_hours_to_read"]) > 0).all()
    assert (np.diff(r.loc[order, "expected_public"]) > 0).all()


def test_92_widgetcall_widget_ends(ns92):
    if ns92["seed"] == 7:
        assert call_widget_ends(ns92) == 4
