"""Lesson 10.1's additions to crm_lessons.operations: customer types, the monthly dashboard and its signals."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons import operations as ops
from crm_lessons import satisfaction as sat
from crm_lessons import segmentation as seg
from crm_lessons._validation import CRMInputError
from crm_lessons.simulate import simulate_retail, simulate_survey


@pytest.fixture(scope="module")
def shop():
    data, _ = simulate_retail(1500, seed=5, n_days=900)
    tx = data["transactions"][data["transactions"]["date"] < "2025-01-01"]
    months = pd.period_range("2023-01", "2024-12", freq="M")
    survey = pd.concat([simulate_survey(150, seed=i, population_size=3000).data.assign(month=str(m))
                        for i, m in enumerate(months)], ignore_index=True)
    return tx, data["customers"], survey


def test_types_follow_the_rules_by_hand(shop):
    tx, customers, _ = shop
    m = ops.customer_measures(tx, customers, as_of="2024-12-31")
    assert m["purchases"].sum() == len(tx)
    t = seg.tier_by_rules(m, ops.customer_type_rules(400.0))["tier"].astype(str)
    hand = np.select([m["spend_12m"] >= 400, m["member"] == 1, m["purchases"] >= 2,
                      (m["purchases"] == 1) & (m["days_since_first"] >= 90), m["purchases"] == 1,
                      m["prospect"] == 1], ["high-value", "member", "repeat", "one-time", "new", "potential"], "lead")
    assert (t.to_numpy() == hand).all()


def test_dashboard_referral_and_survey_by_hand(shop):
    tx, customers, survey = shop
    d = ops.monthly_dashboard(tx, customers=customers, survey=survey)
    first = tx.groupby("customer_id")["date"].min().dt.to_period("M")
    referred = set(customers.loc[customers["referred_by"].notna(), "customer_id"])
    assert d["referred_new"].sum() == sum(c in referred for c in first.index)
    part = survey[survey["month"] == "2024-06"]
    c, n = sat.csat(part), sat.nps(part)
    row = d.loc[pd.Period("2024-06", "M")]
    assert np.isclose(row["csat_low"], c["ci_low"]) and np.isclose(row["nps_high"], n["ci_high"])
    assert row["satisfied"] == (part["overall_satisfaction"] >= 6).sum()


def test_signals_false_alarm_rate_and_a_real_shift(shop):
    tx, customers, survey = shop
    d = ops.monthly_dashboard(tx, customers=customers, survey=survey)
    calm = [ops.dashboard_signals(d, month=m).loc["csat", "signal"] for m in d.index[12:]]
    assert sum(s != "" for s in calm) <= 1                                  # a stable survey rarely signals
    bad = simulate_survey(150, seed=99, population_size=3000, intercept=3.9).data.assign(month="2024-12")
    d2 = ops.monthly_dashboard(tx, survey=pd.concat([survey[survey["month"] != "2024-12"], bad]))
    s = ops.dashboard_signals(d2)
    assert s.loc["csat", "signal"] == "below" and s.loc["nps", "signal"] == "below"
    k, n = d2["satisfied"].iloc[-13:-1].sum(), d2["respondents"].iloc[-13:-1].sum()
    p = k / n
    assert np.isclose(s.loc["csat", "lower"], p - 3 * np.sqrt(p * (1 - p) / 150))


def test_signals_errors_name_the_argument(shop):
    tx, _, _ = shop
    d = ops.monthly_dashboard(tx)
    with pytest.raises(CRMInputError, match="argument `month`"):
        ops.dashboard_signals(d, month="1990-01")
    with pytest.raises(CRMInputError, match="argument `month`"):
        ops.dashboard_signals(d, month=str(d.index[0]))
    with pytest.raises(CRMInputError, match="argument `dashboard`"):
        ops.dashboard_signals(d.reset_index(drop=True))
