"""Exercises 8.1 and 8.2: the demo passes its own checks, and per-student variants are never degenerate."""

import pytest

from lesson_exec import assert_answers_vary, graded_answers, run_exercise


#: exercise -> graded answers
ANSWERS = {
    "08.01": ["a_revenue_pd", "a_orders_pd", "a_revenue_sql", "top_complainer", "top_complainer_revenue",
              "top_complainer_contacts", "direct_weighted", "direct_open", "best_depth_catalogue",
              "best_profit_catalogue"],
    "08.02": ["npv_hand", "payback_hand", "irr_flows", "winner", "p_winner_first", "p_runner_up", "npv_likely",
              "p_npv_positive", "median_payback"],
}


@pytest.mark.parametrize("exercise", list(ANSWERS))
def test_demo_solution_passes_every_check(exercise):
    run_exercise(exercise, "demo", checks=True)


@pytest.mark.parametrize("exercise", list(ANSWERS))
def test_variants_differ_between_students_and_are_not_degenerate(exercise):
    values = graded_answers(exercise, ANSWERS[exercise])  # the solution also passes each student's checks
    assert_answers_vary(exercise, values)
