"""Exercises 6.x and 7.1: per-student variants are never degenerate (every graded answer varies over 50 ids)."""

import pytest

from lesson_exec import assert_answers_vary, graded_answers


@pytest.mark.parametrize("stem,answers", [
    ("06.02-Customer-Analysis-Structure-Value-Credit",
     ["bad_rate_records", "bad_rate_no_records", "chosen_depth", "valid_auc", "logit_auc",
      "n_accepted", "break_even", "late_share", "late_profit"]),
    ("06.03-Customer-Analysis-Association-Cross-Selling-Fraud",
     ["support_q1", "confidence_q1", "lift_q1", "n_rules", "share_stable", "n_targets", "rate_car_fire",
      "best_hit_rate", "best_false_alarm_rate"]),
    ("07.01-Contact-Centre-Operations", ["mean_1000", "wape", "wape_naive", "peak_agents", "n_wilson", "n_wald"]),
])
def test_graded_answers_vary_over_students(stem, answers):
    assert_answers_vary(stem, graded_answers(stem, answers, checks=False))
