"""Prospecting economics (crm_lessons.acquisition) and its simulators: against independent calculations and truth."""

import math

import numpy as np
import pandas as pd
import pytest

from crm_lessons import acquisition as acq
from crm_lessons import clv, funnel
from crm_lessons._validation import CRMInputError
from crm_lessons.simulate import simulate_phone_leads, simulate_referral_cascades


def test_phone_funnel_rates_are_recovered_from_simulated_leads():
    stages = ["entered", *acq.PHONE_STEPS["step"]]
    rates = acq.PHONE_STEPS["rate"].to_numpy()
    data, truth = simulate_phone_leads(200_000, rates=rates, seed=3, stages=stages)
    est = funnel.stage_win_rates(data, stages=stages)["conversion"].iloc[:-1].to_numpy()
    reached = funnel.stage_win_rates(data, stages=stages)["reached"].iloc[:-1].to_numpy()
    se = np.sqrt(rates * (1 - rates) / reached)
    assert np.all(np.abs(est - rates) < 4 * se + 1e-3), (est, rates)     # stage_win_rates rounds to 3 digits
    assert list(truth["rates"].index) == stages[1:]


def test_funnel_costs_and_cpa_against_a_plain_loop():
    steps = acq.PHONE_STEPS
    n, total, entering = 1000.0, 0.0, []
    for r, c in zip(steps["rate"], steps["unit_cost"]):
        entering.append(n)
        total += n * c
        n *= r
    costs = acq.funnel_costs(steps, n_leads=1000)
    assert np.allclose(costs["entering"], entering)
    s = acq.funnel_summary(costs)
    assert np.isclose(s["customers"], n) and np.isclose(s["total_cost"], total)
    assert np.isclose(s["cost_per_customer"], total / n)
    assert np.isclose(s["calls_per_customer"], entering[3] / n)            # calls start at step 4
    assert np.isclose(costs["cost_share"].sum(), 1.0)
    # CPA does not depend on the number of leads
    assert np.isclose(acq.funnel_summary(acq.funnel_costs(steps, n_leads=7))["cost_per_customer"], total / n)


def test_step_sensitivity_matches_recomputed_funnels_and_the_relative_rule():
    steps = acq.PHONE_STEPS
    t = acq.step_sensitivity(steps, change=0.05).set_index("factor")
    for i, name in enumerate(steps["step"]):
        rates = steps["rate"].to_numpy().copy()
        rates[i] = min(rates[i] + 0.05, 1)
        alt = steps.assign(rate=rates)
        assert np.isclose(t.loc[name, "cpa_high"], acq.funnel_summary(acq.funnel_costs(alt))["cost_per_customer"])
    assert (t["cpa_high"] < t["base_cpa"]).all() and (t["cpa_low"] > t["base_cpa"]).all()
    # a 10% *relative* improvement helps most at the last step (only the costs up to step j are spread)
    base = acq.funnel_summary(acq.funnel_costs(steps))["cost_per_customer"]
    gains = []
    for i in range(len(steps)):
        rates = steps["rate"].to_numpy().copy()
        rates[i] *= 1.1
        gains.append(base - acq.funnel_summary(acq.funnel_costs(steps.assign(rate=rates)))["cost_per_customer"])
    assert int(np.argmax(gains)) == len(steps) - 1
    assert np.isclose(gains[-1], base - base / 1.1)


@pytest.mark.parametrize("cpa, margin, r, d", [(250, 100, 0.8, 0.1), (40, 100, 0.8, 0.1), (900, 120, 0.9, 0.05),
                                               (366, 100, 0.8, 0.1), (10, 3, 0.5, 0.0)])
def test_payback_period_against_cumulating_periods(cpa, margin, r, d):
    q, value, t = r / (1 + d), 0.0, 0
    while value < cpa - 1e-9 and t < 1000:
        value += margin * q ** t
        t += 1
    expected = math.inf if t == 1000 else float(t)
    assert acq.payback_period(cpa, margin=margin, retention=r, discount_rate=d) == expected


def test_method_economics_uses_clv_model():
    m = pd.DataFrame({"cost_per_contact": [2.0, 0.8], "response": [0.1, 0.02], "conversion": [0.5, 0.25],
                      "margin": [100.0, 80.0], "retention": [0.8, 0.6]})
    out = acq.method_economics(m, discount_rate=0.1)
    assert np.allclose(out["cpa"], [40.0, 160.0])
    assert np.isclose(out.loc[1, "clv"], clv.clv_model(margin=80, retention=0.6, discount_rate=0.1, horizon=None))
    assert np.isclose(out.loc[1, "net_value"], out.loc[1, "clv"] - 160)
    assert m.columns.tolist() == ["cost_per_contact", "response", "conversion", "margin", "retention"]  # unchanged
    with pytest.raises(CRMInputError, match=r"argument `methods`, column 'retention' \(retention_col\), row 0"):
        acq.method_economics(m.assign(retention=[1.0, 0.5]))


@pytest.mark.parametrize("m, m_seed, k", [(0.4, None, 1.0), (0.4, 6.0, 0.5), (0.7, 2.0, 5.0), (0.0, 3.0, 1.0)])
def test_expected_reach_against_the_simulated_mean(m, m_seed, k):
    n = 20_000
    data, truth = simulate_referral_cascades(n, m=m, m_seed=m_seed, dispersion=k, generations=40, seed=11)
    sizes = data.groupby("cascade").size()
    analytic = acq.expected_reach(m, m_seed=m_seed)
    assert np.isclose(truth["expected_reach"], acq.expected_reach(m, m_seed=m_seed, generations=40))
    assert abs(sizes.mean() - analytic) < 4 * sizes.std() / math.sqrt(n) + 1e-3, (sizes.mean(), analytic)


def test_expected_reach_limits():
    assert acq.expected_reach(1.2) == math.inf
    assert acq.expected_reach(1.2, generations=2) == pytest.approx(1 + 1.2 + 1.44)
    assert acq.expected_reach(0.0, m_seed=0.0) == 1.0


def test_referral_trees_match_the_simulated_cascades():
    data, _ = simulate_referral_cascades(300, m=0.6, m_seed=2.0, seed=5)
    trees = acq.referral_trees(data)
    assert (trees["generation"].to_numpy() == data["generation"].to_numpy()).all()
    roots = trees[trees["generation"] == 0]
    sizes = data.groupby("cascade").size()
    assert np.array_equal(roots["descendants"].to_numpy() + 1, sizes.loc[roots.index].to_numpy())
    kids = data["referred_by"].value_counts()
    assert (trees.loc[kids.index.astype(int), "direct_referrals"].to_numpy() == kids.to_numpy()).all()


def test_referral_trees_errors():
    with pytest.raises(CRMInputError, match=r"row 1: the referrer must be a customer of the table; found 9"):
        acq.referral_trees(pd.DataFrame({"customer_id": [1, 2], "referred_by": [None, 9]}))
    with pytest.raises(CRMInputError, match="the referrals form a loop"):
        acq.referral_trees(pd.DataFrame({"customer_id": [1, 2, 3], "referred_by": [None, 3, 2]}))
    with pytest.raises(CRMInputError, match=r"argument `referrals`: column 'who'"):
        acq.referral_trees(pd.DataFrame({"customer_id": [1]}), referrer_col="who")


def test_cost_rules_and_sources():
    t = acq.cost_rules(700.0)
    assert t["ratio"].tolist() == [3.0, 5.0, 7.0]
    assert np.allclose(t["keep_cost"] * t["ratio"], 700.0)
    assert acq.COST_RULES["rule_zh"].str.contains("3:1|5倍|7倍").all()
    assert acq.PROSPECTING_METHODS["no"].tolist() == [4, 5, 6, 7, 8, 9]          # nos. 1-3 are lost
    assert len(acq.PHONE_STEPS) == 7
