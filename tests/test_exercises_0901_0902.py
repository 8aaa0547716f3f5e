"""Exercises 9.1 and 9.2: the demo passes its own checks, and per-student variants are never degenerate.

For 50 student ids the instructor solution runs on each student's data and passes that student's visible
and hidden checks; every graded answer must take more than one value across the students.
"""

import math

import pytest

from lesson_exec import run_exercise

IDS = [f"s{i:03d}" for i in range(50)]

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
    values = {name: [] for name in ANSWERS[exercise]}
    for sid in IDS:
        ns = run_exercise(exercise, sid, checks=True)  # the solution also passes each student's checks
        for name in values:
            v = ns[name]
            assert not (isinstance(v, float) and not math.isfinite(v)), f"{sid}: {name} = {v}"
            values[name].append(round(float(v), 6) if not isinstance(v, str) else v)
    for name, vs in values.items():
        assert len(set(vs)) > 1, f"{name} is the same for all {len(IDS)} students: {vs[0]!r}"
