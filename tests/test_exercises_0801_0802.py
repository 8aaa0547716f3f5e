"""Exercises 8.1 and 8.2: the demo passes its own checks, and per-student variants are never degenerate."""

import math

import pytest

from lesson_exec import run_exercise

IDS = [f"s{i:03d}" for i in range(50)]

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
    values = {name: [] for name in ANSWERS[exercise]}
    for sid in IDS:
        ns = run_exercise(exercise, sid, checks=True)  # the solution also passes each student's checks
        for name in values:
            v = ns[name]
            assert not (isinstance(v, float) and not math.isfinite(v)), f"{sid}: {name} = {v}"
            values[name].append(round(v, 6) if isinstance(v, float) else v)
    for name, vs in values.items():
        assert len(set(vs)) > 1, f"{name} is the same for all {len(IDS)} students: {vs[0]!r}"
