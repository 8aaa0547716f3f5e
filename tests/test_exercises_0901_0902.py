"""Exercises 9.1 and 9.2: the demo passes its own checks, and per-student variants are never degenerate.

For 50 student ids the instructor solution runs on each student's data and passes that student's visible
and hidden checks; every graded answer must take more than one value across the students.
"""

import pytest

from lesson_exec import assert_answers_vary, graded_answers, run_exercise


#: exercise -> graded answers
ANSWERS = {
    "09.01": ["n_charged", "profit_change", "best", "best_change", "share_true_friends", "barnacle_profit",
              "retention_year", "increase_pct"],
    "09.02": ["top_category", "top_share", "worst_category", "worst_fcr_rate", "p_owner", "sim_share", "p_max",
              "mean_wait_daily", "share_24h_workdays"],
}


@pytest.mark.parametrize("exercise", list(ANSWERS))
def test_demo_solution_passes_every_check(exercise):
    run_exercise(exercise, "demo", checks=True)


@pytest.mark.parametrize("exercise", list(ANSWERS))
def test_variants_differ_between_students_and_are_not_degenerate(exercise):
    values = graded_answers(exercise, ANSWERS[exercise])  # the solution also passes each student's checks
    assert_answers_vary(exercise, values)
