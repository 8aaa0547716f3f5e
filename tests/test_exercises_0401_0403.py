"""Exercises 4.1 and 4.3: the demo passes its own checks, and per-student variants are never degenerate."""

import pytest

from lesson_exec import assert_answers_vary, graded_answers, run_exercise


#: exercise -> graded answers
ANSWERS = {
    "04.01": ["n_unprofitable", "loss_total", "peak_share", "peak_at", "top_stay", "rho", "score_auc", "top_lift"],
    "04.03": ["profit_top20", "rate_top20", "p_star", "best_k", "best_profit", "mail_all_profit", "rule_k",
              "rule_profit"],
}


@pytest.mark.parametrize("exercise", list(ANSWERS))
def test_demo_solution_passes_every_check(exercise):
    run_exercise(exercise, "demo", checks=True)


@pytest.mark.parametrize("exercise", list(ANSWERS))
def test_variants_differ_between_students_and_are_not_degenerate(exercise):
    values = graded_answers(exercise, ANSWERS[exercise])  # the solution also passes each student's checks
    assert_answers_vary(exercise, values)
