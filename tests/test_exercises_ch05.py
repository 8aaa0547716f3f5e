"""Chapter 5 exercises: the demo passes its own checks, and per-student variants are never degenerate."""

import pytest

from lesson_exec import assert_answers_vary, graded_answers, run_exercise


#: exercise -> graded answers
ANSWERS = {
    "05.03": ["weighted_open", "proposal_win_rate", "outside_revenue_share", "weakest_rep",
              "weakest_expected_coverage"],
    "05.04": ["phone_fcr", "complaints_per_1000", "email_compliance", "late_tickets", "n_causes_80",
              "top_cause_share", "n_high_value_repeat", "high_value_repeat_value"],
}


@pytest.mark.parametrize("exercise", list(ANSWERS))
def test_demo_solution_passes_every_check(exercise):
    run_exercise(exercise, "demo", checks=True)


@pytest.mark.parametrize("exercise", list(ANSWERS))
def test_variants_differ_between_students_and_are_not_degenerate(exercise):
    values = graded_answers(exercise, ANSWERS[exercise])  # the solution also passes each student's checks
    assert_answers_vary(exercise, values)
