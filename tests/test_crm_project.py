"""crm_lessons.crm_project: money formulas against published and hand-computed values; Monte Carlo against
exactly computable cases."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crm_lessons import crm_project as cp
from crm_lessons._validation import CRMInputError


# --------------------------------------------------------------------------- NPV, IRR, payback
def test_npv_and_irr_match_numpy_financial_documentation():
    # numpy-financial's docs: irr([-100, 39, 59, 55, 20]) = 0.28094842115996066,
    # npv(0.281, [-100, 39, 59, 55, 20]) = -0.0084785916384548798
    assert cp.irr([-100, 39, 59, 55, 20]) == pytest.approx(0.28094842115996066, abs=1e-9)
    assert cp.npv(0.281, [-100, 39, 59, 55, 20]) == pytest.approx(-0.0084785916384548798, abs=1e-12)


def test_npv_irr_by_hand():
    assert cp.npv(0.1, [-100, 110]) == pytest.approx(0.0, abs=1e-12)
    assert cp.npv(0.1, [-100, 0, 121]) == pytest.approx(0.0, abs=1e-12)
    assert cp.npv(0.0, [-100, 30, 30]) == pytest.approx(-40.0)
    assert cp.irr([-100, 0, 121]) == pytest.approx(0.1, abs=1e-9)
    # an annuity: 1000 now against 5 x 263.797 at 10% (annuity factor 3.790787)
    assert cp.irr([-1000] + [1000 / 3.7907867694084507] * 5) == pytest.approx(0.10, abs=1e-9)
    assert np.isnan(cp.irr([100, 10, 10]))                     # never negative: no IRR
    flows = np.array([[-100, 110, 0], [-100, 0, 121]])
    np.testing.assert_allclose(cp.irr(flows), [0.1, 0.1], atol=1e-9)
    np.testing.assert_allclose(cp.npv(0.1, flows), [0.0, 0.0], atol=1e-9)


def test_payback():
    assert cp.payback_period([-1000, 300, 400, 500]) == pytest.approx(2.6)
    assert cp.payback_period([-100, 100]) == pytest.approx(1.0)
    assert np.isnan(cp.payback_period([-1000, 100, 100]))
    np.testing.assert_allclose(cp.payback_period(np.array([[-10, 5, 10], [-10, 20, 0]])), [1.5, 0.5])
    with pytest.raises(CRMInputError, match="argument `cash_flows`"):
        cp.payback_period([5])


def test_adoption_curve():
    a = cp.adoption_curve(4, ceiling=1.0, half_life=2.0)
    np.testing.assert_allclose(a, [0, 1 - 2 ** -0.5, 0.5, 1 - 2 ** -1.5, 0.75])
    with pytest.raises(CRMInputError, match="argument `half_life`"):
        cp.adoption_curve(3, half_life=0)


# --------------------------------------------------------------------------- scorecard
def test_scorecard_by_hand():
    s = cp.scorecard(cp.EXAMPLE_VENDORS)
    w = cp.EXAMPLE_VENDORS["weight"] / cp.EXAMPLE_VENDORS["weight"].sum()
    for v in ("Vendor A", "Vendor B", "Vendor C"):
        assert s.loc[v, "score"] == pytest.approx(float((w * cp.EXAMPLE_VENDORS[v]).sum()))
    assert s["rank"].tolist() == [2, 1, 3]


@pytest.mark.parametrize("weights, kappa", [((0.5, 0.5), 2.0), ((0.6, 0.4), 20.0), ((0.45, 0.55), 50.0)])
def test_weight_monte_carlo_matches_the_beta_distribution(weights, kappa):
    """Two criteria, two vendors: A scores (1, 0), B (0, 1). A ranks first iff w1 > 1/2, and w1 ~ Beta."""
    scores = pd.DataFrame({"weight": weights, "A": [1.0, 0.0], "B": [0.0, 1.0]})
    n = 40_000
    mc = cp.weight_monte_carlo(scores, concentration=kappa, n_draws=n, seed=3)
    exact = stats.beta(kappa * weights[0], kappa * weights[1]).sf(0.5)
    se = np.sqrt(exact * (1 - exact) / n)
    assert abs(mc.loc["A", "p_first"] - exact) < 4 * se
    assert mc["p_first"].sum() == pytest.approx(1.0)


def test_a_dominant_vendor_always_wins_and_ties_are_shared():
    scores = pd.DataFrame({"weight": [0.5, 0.5], "A": [5, 5], "B": [3, 4], "C": [5, 5]})
    mc = cp.weight_monte_carlo(scores, n_draws=500)
    assert mc.loc["B", "p_first"] == 0
    assert mc.loc["A", "p_first"] == pytest.approx(0.5) and mc.loc["C", "p_first"] == pytest.approx(0.5)


def test_scorecard_errors():
    with pytest.raises(CRMInputError, match="argument `scores`"):
        cp.scorecard(pd.DataFrame({"weight": [1.0], "A": [3]}))
    with pytest.raises(CRMInputError, match="argument `scores`, column 'weight'"):
        cp.weight_monte_carlo(pd.DataFrame({"weight": [1.0, 0.0], "A": [3, 1], "B": [2, 2]}))


# --------------------------------------------------------------------------- business case
def _hand_lifetime_profit(r, margin, d, horizon=30):
    q = r / (1 + d)
    return margin * sum(q ** t for t in range(horizon))


def test_business_case_lines_by_hand():
    case = cp.business_case(claim_share=0.5, years=3)
    p = cp.CASE_DEFAULTS
    a = cp.adoption_curve(3, ceiling=p["adoption_ceiling"], half_life=p["adoption_half_life"])
    u, s, g = 0.5 * 0.51, 0.5 * 0.20, 0.5 * 0.05
    np.testing.assert_allclose(case["revenue_margin"], p["revenue"] * p["gross_margin"] * u * a)
    np.testing.assert_allclose(case["cost_saving"], p["sales_service_cost"] * s * a)
    m = p["revenue"] * p["gross_margin"] / p["customers"]
    ret = [p["customers"] * g * at * _hand_lifetime_profit(p["retention"] + g * at, m, p["discount_rate"]) for at in a]
    np.testing.assert_allclose(case["retention_value"], ret, rtol=1e-10)
    assert case.loc[0, "costs"] == p["upfront_cost"] + p["training_cost"]
    assert case.attrs["npv"] == pytest.approx(sum(case["net"] / 1.1 ** np.arange(4)))
    assert cp.npv(case.attrs["irr"], case["net"]) == pytest.approx(0, abs=1e-3)


def test_monte_carlo_case_against_an_exact_probability():
    """Only the revenue line uncertain, no failures: NPV is linear in the uplift u ~ triangular, so
    P(NPV > 0) = P(u > u*) is known exactly."""
    kw = dict(cost_saving=(0.0, 0.0), retention_gain=(0.0, 0.0), revenue_uplift=(0.0, 0.2), claim_share=0.3,
              p_failure=0.0, years=5)
    n = 40_000
    mc = cp.monte_carlo_case(n_draws=n, seed=5, **kw)
    p = {**cp.CASE_DEFAULTS, **kw}
    a = cp.adoption_curve(5, ceiling=p["adoption_ceiling"], half_life=p["adoption_half_life"])
    k = float((p["revenue"] * p["gross_margin"] * a / 1.1 ** np.arange(6)).sum())
    cost = p["upfront_cost"] + p["training_cost"] + p["running_cost"] * float((1 / 1.1 ** np.arange(1, 6)).sum())
    u_star = cost / k
    exact = stats.triang(c=0.3, loc=0.0, scale=0.2).sf(u_star)
    se = np.sqrt(exact * (1 - exact) / n)
    assert 0.05 < exact < 0.95
    assert abs(mc.attrs["p_positive"] - exact) < 4 * se
    np.testing.assert_allclose(mc["npv"], -cost + k * mc["revenue_uplift"], rtol=1e-9, atol=1e-3)


def test_failures_are_drawn_at_their_rate_and_earn_nothing():
    mc = cp.monte_carlo_case(n_draws=20_000, seed=2, p_failure=0.4)
    assert abs(mc["failed"].mean() - 0.4) < 4 * np.sqrt(0.24 / 20_000)
    failed = mc[mc["failed"]]
    assert (failed[["revenue_uplift", "cost_saving", "retention_gain"]] == 0).all().all()
    assert failed["npv"].nunique() == 1 and failed["npv"].iloc[0] < 0


def test_more_belief_in_the_claims_raises_the_chance_of_a_positive_npv():
    p = [cp.monte_carlo_case(n_draws=4000, seed=1, claim_share=k).attrs["p_positive"] for k in (0.0, 0.5, 1.0)]
    assert p[0] < p[1] < p[2]


def test_business_case_rejects_unknown_inputs():
    with pytest.raises(CRMInputError, match="argument `revenu`"):
        cp.business_case(revenu=1)
    with pytest.raises(CRMInputError, match="argument `ranges`"):
        cp.monte_carlo_case(n_draws=10, revenue_uplift=(0.3, 0.1))


def test_tables_hold_the_seed_items():
    assert len(cp.BENEFITS) == 7 and len(cp.THREE_ELEMENTS) == 3 and len(cp.SURVEY_GAINS) == 5
    assert cp.SURVEY_GAINS["claimed"].round(2).tolist() == [0.2, 0.2, 0.33, 0.51, 0.2]
    assert cp.HOTEL_CASE["net_profit_gain_usd"] == 65e6
    assert cp.PHASES["five_steps (C25)"].str.contains("数据迁移").any()
