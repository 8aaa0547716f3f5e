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
