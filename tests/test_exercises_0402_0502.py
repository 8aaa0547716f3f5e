"""Exercises 4.2 and 5.2: the demo passes its own checks, and per-student variants are never degenerate.

For 50 student ids the instructor solution runs on each student's data with the checks (visible and
hidden), and every graded answer must take more than one value.
"""

import pytest

from lesson_exec import assert_answers_vary, graded_answers, run_exercise


#: exercise -> graded answers
ANSWERS = {
    "04.02": ["pitch_rate", "calls_per_customer", "cpa", "best_saving", "reach_formula", "reach_simulated",
              "payback_years"],
    "05.02": ["phone_service_cost", "branch_total", "corporate_cost", "traditional_branch_share", "saving",
              "satisfaction_change", "n_both"],
}


@pytest.mark.parametrize("exercise", list(ANSWERS))
def test_demo_solution_passes_every_check(exercise):
    run_exercise(exercise, "demo", checks=True)


@pytest.mark.parametrize("exercise", list(ANSWERS))
def test_variants_differ_between_students_and_are_not_degenerate(exercise):
    values = graded_answers(exercise, ANSWERS[exercise])  # the solution also passes each student's checks
    assert_answers_vary(exercise, values)
