"""CLV: closed form vs hand calculation, factor model vs explicit cash flows, Reichheld-Sasser table,
probabilistic CLV vs a period-by-period loop, customer equity."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from crm_lessons import clv
from crm_lessons._validation import CRMInputError
from crm_lessons.datasets import load_cdnow_summary
from crm_lessons.purchase_models import BetaGeoModel, ParetoNBDModel
from crm_lessons.spend_model import GammaGammaModel

BG = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
GG = GammaGammaModel.from_params(p=6.25, q=3.74, gamma=15.44)


def _cash_flows(margin, retention, d, n, growth=0.0, ret_cost=0.0):
    """Explicit expected cash flows, period by period (independent of the geometric-sum formula)."""
    total, alive = 0.0, 1.0
    for t in range(n):
        total += alive * (margin * (1 + growth) ** t - ret_cost) / (1 + d) ** t
        alive *= retention
    return total


def test_closed_form_by_hand():
    # m (1+d)/(1+d-r): 100 * 1.1 / 0.3
    assert clv.clv_closed_form(100, 0.8, 0.1) == pytest.approx(366.6667, rel=1e-6)
    # finite horizon, 3 periods: 100 + 100*0.8/1.1 + 100*0.64/1.21 = 225.62, minus acquisition 50
    assert clv.clv_closed_form(100, 0.8, 0.1, horizon=3, acquisition_cost=50) == pytest.approx(175.6198, rel=1e-6)
    assert clv.clv_closed_form(100, 0.8, 0.1, horizon=40) == pytest.approx(_cash_flows(100, 0.8, 0.1, 40))
    # long horizon tends to the infinite one; retention 1 without discounting sums the margins
    assert clv.clv_closed_form(100, 0.8, 0.1, horizon=2000) == pytest.approx(clv.clv_closed_form(100, 0.8, 0.1))
    assert clv.clv_closed_form(10, 1.0, 0.0, horizon=7) == pytest.approx(70.0)
    np.testing.assert_allclose(clv.clv_closed_form(100, np.array([0.5, 0.9]), 0.1),
                               [100 * 1.1 / 0.6, 100 * 1.1 / 0.2])


def test_clv_model_against_explicit_cash_flows():
    kw = dict(margin=80.0, retention=0.7, discount_rate=0.12, horizon=15, margin_growth=0.04,
              retention_cost=8.0, acquisition_cost=40.0)
    tx_value = _cash_flows(80, 0.7, 0.12, 15, growth=0.04, ret_cost=8.0)
    assert clv.clv_model(**kw) == pytest.approx(tx_value - 40.0)
    # referrals: in each active period a customer brings rho new customers worth tx_value
    rho = 0.1
    referral_value = sum(rho * 0.7 ** t / 1.12 ** t * tx_value for t in range(15))
    assert clv.clv_model(**kw, referral_rate=rho) == pytest.approx(tx_value + referral_value - 40.0)


def test_sensitivity_table_and_tornado():
    t = clv.clv_sensitivity()
    assert set(t["factor"]) == set(clv.CLV_FACTORS)
    assert t["swing"].is_monotonic_decreasing
    row = t.set_index("factor")
    # directions: more retention, margin, referrals, growth, longer life raise CLV; costs and discounting lower it
    for f in ("retention", "margin", "referral_rate", "margin_growth", "horizon"):
        assert row.loc[f, "clv_high"] > row.loc[f, "clv_low"]
    for f in ("discount_rate", "retention_cost", "acquisition_cost"):
        assert row.loc[f, "clv_high"] < row.loc[f, "clv_low"]
    # acquisition cost enters one for one: +-20% of 50
    assert row.loc["acquisition_cost", "swing"] == pytest.approx(20.0)
    base = clv.clv_model(margin=100, retention=0.8, discount_rate=0.1, horizon=10, margin_growth=0.03,
                         referral_rate=0.05, retention_cost=10, acquisition_cost=50)
    assert t["base_clv"].iloc[0] == pytest.approx(base)
    ax = clv.plot_tornado(t)
    assert len(ax.patches) == 2 * len(t) and ax.get_title()
    plt.close("all")
    with pytest.raises(CRMInputError, match="unknown factors \\['churn'\\]"):
        clv.clv_sensitivity({"churn": 0.1})


def test_reichheld_sasser_shape():
    t = clv.defection_profit_table()
    # the published order and magnitudes (seed 001): within 2 points, credit card within 5
    assert list(t["industry"]) == ["mail order", "auto service chain", "software", "insurance brokerage",
                                   "credit card"]
    assert t["model_increase_pct"].is_monotonic_increasing
    diff = (t["model_increase_pct"] - t["published_increase_pct"]).abs()
    assert np.all(diff.iloc[:4] <= 2) and diff.iloc[4] <= 5
    # independent recomputation of one row from explicit cash flows
    r0 = t.iloc[0]
    base = _cash_flows(1, r0["retention"], 0.1, 30, growth=r0["margin_growth"]) - r0["acquisition_cost"]
    better = _cash_flows(1, r0["retention"] + 0.05, 0.1, 30, growth=r0["margin_growth"]) - r0["acquisition_cost"]
    assert r0["model_increase_pct"] == pytest.approx(100 * (better - base) / base)


def test_lifetime_profit_rises_with_retention_and_plot():
    v = clv.lifetime_profit(np.linspace(0, 0.95, 20), margin_growth=0.05)
    assert np.all(np.diff(v) > 0)
    assert clv.plot_retention_profit().get_xlabel() == "Retention rate per period"
    plt.close("all")


def test_probabilistic_clv_against_period_loop():
    summ = load_cdnow_summary().head(50)
    out = clv.customer_lifetime_value(BG, GG, summ, horizon=12, period_length=4.348, discount_rate=0.01, margin=0.3)
    assert list(out.columns) == ["customer_id", "expected_purchases", "expected_spend", "clv"]
    for i in (0, 1, 7):
        row = summ.iloc[i]
        total, prev = 0.0, 0.0
        for k in range(1, 13):
            cum = BG.expected_purchases(k * 4.348, row["frequency"], row["recency"], row["T"])
            total += (cum - prev) / 1.01 ** k
            prev = cum
        spend = GG.expected_spend(row["frequency"], row["monetary_value"])
        assert out["clv"].iloc[i] == pytest.approx(0.3 * spend * total, rel=1e-10)
        assert out["expected_purchases"].iloc[i] == pytest.approx(prev, rel=1e-10)


def test_probabilistic_clv_period_from_time_unit_and_pareto():
    summ = load_cdnow_summary()
    summ.attrs["time_unit"] = "W"
    pn = ParetoNBDModel().fit(summ)
    assert pn.time_unit_ == "W"
    a = clv.customer_lifetime_value(pn, GG, summ)
    b = clv.customer_lifetime_value(pn, GG, summ, period_length=365.25 / 12 / 7)
    np.testing.assert_allclose(a["clv"], b["clv"])
    with pytest.raises(CRMInputError, match="argument `period_length`"):
        clv.customer_lifetime_value(BG, GG, summ)


def test_new_customer_value():
    v = clv.new_customer_value(BG, GG, horizon=12, period_length=4.348, discount_rate=0.0)
    expected = GG.mean_spend() * (1 + BG.expected_purchases_unconditional(12 * 4.348))
    assert v == pytest.approx(expected)


def test_customer_equity_by_hand():
    e = clv.customer_equity([100.0, 50.0], new_customers_per_period=10, new_customer_clv=80,
                            acquisition_cost=30, discount_rate=0.1, periods=2)
    assert e["current"] == 150.0
    assert e["future"] == pytest.approx(10 * 50 / 1.1 + 10 * 50 / 1.21)
    assert e["total"] == pytest.approx(e["current"] + e["future"])


def test_equity_scenarios():
    t = clv.equity_scenarios()
    assert list(t["scenario"]) == ["base", "acquisition +20%", "retention +5 pts", "margin +10%"]
    base = t.iloc[0]
    clv0 = clv.clv_closed_form(100, 0.75, 0.1, horizon=20)
    disc = sum(1.1 ** -k for k in range(1, 6))
    assert base["equity"] == pytest.approx(1000 * clv0 + 200 * (clv0 - 120) * disc)
    assert t["change_pct"].iloc[1:].gt(0).all()
    with pytest.raises(CRMInputError, match="unknown keys \\['price'\\]"):
        clv.equity_scenarios(scenarios={"x": {"price": 2}})


def test_input_errors():
    with pytest.raises(CRMInputError, match="argument `retention`: must be a probability"):
        clv.clv_closed_form(100, 1.5, 0.1)
    with pytest.raises(CRMInputError, match="infinite horizon needs"):
        clv.clv_model(retention=1.0, discount_rate=0.0, horizon=None)
    with pytest.raises(CRMInputError, match="argument `horizon`: must be a whole number"):
        clv.clv_closed_form(100, 0.8, 0.1, horizon=2.5)
    with pytest.raises(CRMInputError, match="BetaGeoModel is not fitted yet"):
        clv.customer_lifetime_value(BetaGeoModel(), GG, load_cdnow_summary())
