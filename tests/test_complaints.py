"""Ticket metrics recover the simulated truth; word-of-mouth reach matches seed 002's figures."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons._validation import CRMInputError
from crm_lessons.complaints import complaint_pareto, ticket_metrics, word_of_mouth_reach
from crm_lessons.simulate import simulate_tickets


def test_ticket_metrics_recover_the_truth():
    sim = simulate_tickets(364, seed=5)  # 52 whole weeks
    t = sim.truth
    by_channel = ticket_metrics(sim.data, by="channel")
    # median resolution hours: lognormal median, relative se ~ 1.25 sigma / sqrt(n)
    rel_err = by_channel["median_hours"] / t["median_hours"].reindex(by_channel.index) - 1
    assert np.all(np.abs(rel_err) < 4 * 1.25 * t["sigma_log_hours"] / np.sqrt(by_channel["tickets"]))
    by_cat = ticket_metrics(sim.data, by="category")
    p = t["fcr_rate"].reindex(by_cat.index)
    assert np.all(np.abs(by_cat["fcr_rate"] - p) < 4 * np.sqrt(p * (1 - p) / by_cat["tickets"]))
    overall = ticket_metrics(sim.data).iloc[0]
    expected_per_day = t["daily_rate"] * t["weekday_factors"].mean()
    assert overall["per_day"] == pytest.approx(expected_per_day, rel=4 / np.sqrt(overall["tickets"]))
    assert overall["complaints"] / overall["tickets"] == pytest.approx(t["complaint_share"], abs=0.01)


def test_word_of_mouth_reach_by_hand():
    # seed 002: 80% tell 8-12 (10), 20% tell 20 -> 12 each
    assert word_of_mouth_reach(50) == pytest.approx(50 * (0.8 * 10 + 0.2 * 20))
    assert word_of_mouth_reach(1, heavy_share=0) == 10


def test_bad_tickets_are_named():
    t = pd.DataFrame({"created": ["2024-01-01", "not a date"], "resolution_hours": [1.0, 2.0],
                      "first_contact_resolved": [True, True], "is_complaint": [False, False]})
    with pytest.raises(CRMInputError, match=r"column 'created' \(created_col\), row 1: values must be dates"):
        ticket_metrics(t)
    t["created"] = ["2024-01-01", "2024-01-02"]
    t["resolution_hours"] = [1.0, -2.0]
    with pytest.raises(CRMInputError, match=r"row 1: values must be >= 0; found -2.0"):
        ticket_metrics(t)


LONGFOR = ["设计", "工程质量", "销售承诺", "物业管理"]  # seed 002, C103 (lesson 9.2)


def test_configurable_categories_are_drawn_with_their_shares_and_rates():
    shares = {"设计": (0.1, 0.5), "工程质量": (0.4, 0.3), "销售承诺": (0.2, 0.6), "物业管理": (0.3, 0.8)}
    sim = simulate_tickets(364, seed=4, categories=shares)
    assert sim.data["category"].cat.categories.tolist() == LONGFOR
    by_cat = ticket_metrics(sim.data, by="category")
    n = by_cat["tickets"]
    share = sim.truth["category_share"].reindex(by_cat.index)
    assert np.all(np.abs(n / n.sum() - share) < 4 * np.sqrt(share * (1 - share) / n.sum()))
    p = sim.truth["fcr_rate"].reindex(by_cat.index)
    assert np.all(np.abs(by_cat["fcr_rate"] - p) < 4 * np.sqrt(p * (1 - p) / n))
    # a plain list: equal shares and one resolution rate
    sim = simulate_tickets(28, seed=4, categories=LONGFOR, fcr_rate=0.7)
    assert sim.truth["category_share"].tolist() == [0.25] * 4 and sim.truth["fcr_rate"].eq(0.7).all()
    with pytest.raises(CRMInputError, match=r"argument `categories`: needs one or more distinct names"):
        simulate_tickets(7, categories=["a", "a"])


def test_complaint_pareto_counts_by_hand():
    sim = simulate_tickets(120, seed=6, categories=LONGFOR)
    table = complaint_pareto(sim.data, categories=LONGFOR)
    by_hand = sim.data.loc[sim.data["is_complaint"], "category"].astype(str).value_counts()
    assert table["complaints"].to_dict() == by_hand.to_dict()
    assert table["complaints"].is_monotonic_decreasing and table["cumulative_share"].iloc[-1] == 1
    with pytest.raises(CRMInputError, match=r"row 0: category must be one of \['设计'\]; found '工程质量'"):
        complaint_pareto(pd.DataFrame({"category": ["工程质量"], "is_complaint": [True]}), categories=["设计"])


# --------------------------------------------------------------------------- lesson 5.4 helpers
from crm_lessons import complaints  # noqa: E402
from crm_lessons.datasets import load_telecom_churn  # noqa: E402


def test_sla_compliance_recovers_the_true_probability_of_keeping_the_promise():
    sim = simulate_tickets(364, seed=12)
    sla = complaints.sla_compliance(sim.data, by="channel")
    p = sim.truth["within_promise"].reindex(sla.index)
    assert np.all(np.abs(sla["within_promise"] - p) < 4 * np.sqrt(p * (1 - p) / sla["tickets"]))
    resp = sim.truth["response_mean_hours"].reindex(sla.index)
    assert np.all(sla["median_first_response"] <= resp * np.log(2) * 1.2)  # exponential median, capped


def test_control_chart_signals_a_real_drop_and_not_chance():
    steady = complaints.control_chart(simulate_tickets(182, seed=3).data)
    assert steady["signal"].sum() <= 1  # 3-sigma limits: a false signal is rare
    changed = complaints.control_chart(simulate_tickets(182, seed=3, change_day=91, complaint_share_after=0.15).data)
    late = changed.index > pd.Timestamp("2024-04-07")
    assert changed.loc[late, "signal"].mean() > 0.8 and not changed.loc[~late, "signal"].iloc[:8].any()
    c = changed["centre"].iloc[0]
    assert changed["ucl"].iloc[0] == pytest.approx(c + 3 * np.sqrt(c))


def test_repeat_complainers_by_hand():
    sim = simulate_tickets(90, seed=2, n_customers=500)
    table = complaints.repeat_complainers(sim.data, sim.truth["customers"], min_complaints=3)
    counts = sim.data[sim.data["is_complaint"]].groupby("customer_id").size()
    assert set(table.index) == set(counts[counts >= 3].index)
    value = sim.truth["customers"].set_index("customer_id")["value"]
    assert (table["tier"] == "high").sum() == (value.reindex(table.index) >= value.quantile(0.8)).sum()
    assert table["value"].is_monotonic_decreasing


def test_revenue_at_risk_on_the_telecom_data_by_hand():
    tel = load_telecom_churn()
    tel = tel.assign(revenue=tel.filter(like="charge").sum(axis=1))
    r = complaints.revenue_at_risk(tel, threshold=4, save_share=0.5)
    flagged = tel["number_customer_service_calls"] >= 4
    excess = tel.loc[flagged, "churn"].mean() - tel.loc[~flagged, "churn"].mean()
    assert r["excess_churn"] == pytest.approx(excess) and excess > 0.3  # churn jumps at 4+ calls
    assert r["revenue_at_risk"] == pytest.approx(tel.loc[flagged, "revenue"].sum() * excess)
    assert r["break_even_cost"] == pytest.approx(r["revenue_at_risk"] * 0.5 / flagged.sum())


def test_word_of_mouth_simulation_mean_and_spread():
    sims = complaints.word_of_mouth_simulation(100, n_sims=20_000, seed=4)
    assert sims.mean() == pytest.approx(complaints.word_of_mouth_reach(100), rel=0.005)
    # variance per teller: 0.8 * Var(U{8..12}) + 0.2*0.8*(20-10)^2 = 0.8*2 + 16 = 17.6
    assert sims.var() == pytest.approx(100 * 17.6, rel=0.05)
