"""Exercises 4.1 and 4.3: the demo passes its own checks, and per-student variants are never degenerate."""

import math

import pytest

from lesson_exec import run_exercise

IDS = [f"s{i:03d}" for i in range(50)]

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
    values = {name: [] for name in ANSWERS[exercise]}
    for sid in IDS:
        ns = run_exercise(exercise, sid, checks=True)  # the solution also passes each student's checks
        for name in values:
            v = ns[name]
            assert not (isinstance(v, float) and not math.isfinite(v)), f"{sid}: {name} = {v}"
            values[name].append(round(float(v), 6))
    for name, vs in values.items():
        assert len(set(vs)) > 1, f"{name} is the same for all {len(IDS)} students: {vs[0]!r}"
