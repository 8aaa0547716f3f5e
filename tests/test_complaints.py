"""Ticket metrics recover the simulated truth; word-of-mouth reach matches seed 002's figures."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons._validation import CRMInputError
from crm_lessons.complaints import ticket_metrics, word_of_mouth_reach
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
