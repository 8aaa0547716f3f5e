"""Exercises 10.1 and 10.4: the demo's checks pass, hidden checks catch wrong answers, variants never degenerate.

For 50 student ids, the instructor solution runs on each student's data and every graded answer must take
more than one value (a constant answer would let students copy the demo's numbers).
"""

import nbformat
import pytest

from lesson_exec import EXERCISES, assert_answers_vary, graded_answers, run_exercise

STUDENTS = [f"s{i:03d}" for i in range(1, 51)]

GRADED = {
    "10.01-Customer-Operations": ["retention_hand", "repurchase_hand", "referral_month", "csat_month", "nps_month",
                                  "nps_low_month", "n_signals", "csat_lower_limit", "hv_threshold", "n_high_value",
                                  "changed_up"],
    "10.04-Capstone": ["n_customers", "n_purchases", "revenue", "top20_share", "equity", "repeat_2nd",
                       "churn_risk_n", "retention_last", "repurchase_last", "n_signals"],
}


@pytest.mark.parametrize("stem", sorted(GRADED))
def test_demo_solution_passes_every_check(stem):
    run_exercise(stem, "demo", checks=True)          # raises if a visible or hidden check fails


@pytest.mark.parametrize("stem", sorted(GRADED))
def test_other_students_solutions_pass_their_checks(stem):
    run_exercise(stem, "s007", checks=True)


@pytest.mark.parametrize("stem", sorted(GRADED))
def test_every_graded_answer_varies_across_students(stem):
    assert_answers_vary(stem, graded_answers(stem, GRADED[stem], ids=STUDENTS, checks=False))


@pytest.mark.parametrize("stem", sorted(GRADED))
def test_rubric_points_and_hand_question(stem):
    nb = nbformat.read(EXERCISES / f"{stem}.ipynb", as_version=4)
    manual = [c for c in nb.cells if "rubric" in c.metadata.get("tags", [])]
    assert manual and all(c.metadata["crm_grading"]["manual"] for c in manual)
    assert any("by hand" in c.source.lower() and "pandas" in c.source for c in nb.cells if c.cell_type == "markdown")


def test_capstone_points_match_the_rubric():
    from crm_lessons.capstone import RUBRIC

    nb = nbformat.read(EXERCISES / "10.04-Capstone.ipynb", as_version=4)
    points = {}
    for c in nb.cells:
        g = c.metadata.get("crm_grading")
        if g:
            item = g["id"].split("-")[0]
            points[item] = points.get(item, 0) + g["points"]
    assert points == dict(zip(RUBRIC["item"], RUBRIC["points"]))
