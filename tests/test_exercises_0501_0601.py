"""Exercises 5.1 and 6.1: the demo passes its own checks, and per-student variants are never degenerate."""

import pytest

from lesson_exec import assert_answers_vary, graded_answers, run_exercise


#: exercise -> graded answers
ANSWERS = {
    "05.01": ["top_share", "js_two", "value_gini", "needs_excess", "quadrant", "value_margin", "needs_margin", "personalised_hit", "mass_hit"],
    "06.01": ["email_complete", "timely_share", "precision_70", "recall_70", "best_threshold",
              "n_customers_found", "marketing_blind", "first_to_verify"],
}


@pytest.mark.parametrize("exercise", list(ANSWERS))
def test_demo_solution_passes_every_check(exercise):
    run_exercise(exercise, "demo", checks=True)


@pytest.mark.parametrize("exercise", list(ANSWERS))
def test_variants_differ_between_students_and_are_not_degenerate(exercise):
    values = graded_answers(exercise, ANSWERS[exercise])  # the solution also passes each student's checks
    assert_answers_vary(exercise, values)
    if exercise == "05.01":                        # every quadrant of the matrix occurs among the students
        assert len(set(values["quadrant"])) == 4
