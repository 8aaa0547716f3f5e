"""Exercises 6.x and 7.1: per-student variants are never degenerate (every graded answer varies over 50 ids)."""

import nbformat
import pytest

from crm_lessons.grading.variants import student_seed
from lesson_exec import NOTEBOOKS

EXERCISES = NOTEBOOKS.parent / "exercises"
STUDENTS = [f"s{i:03d}" for i in range(50)]


def solve(stem: str, seed: int) -> dict:
    """Run the setup and solution cells of an instructor exercise for one seed; return its namespace."""
    import matplotlib
    matplotlib.use("Agg")
    nb = nbformat.read(EXERCISES / f"{stem}.ipynb", as_version=4)
    ns = {"display": lambda *a, **k: None}
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type != "code" or "check" in tags or "hidden-check" in tags:
            continue
        src = f"student_id = 'x'\nseed = {seed}" if "parameters" in tags else cell.source
        exec(compile(src, stem, "exec"), ns)
    return ns


@pytest.mark.parametrize("stem,answers", [
    ("06.02-Customer-Analysis-Structure-Value-Credit",
     ["bad_rate_records", "bad_rate_no_records", "chosen_depth", "valid_auc", "logit_auc",
      "n_accepted", "break_even", "late_share", "late_profit"]),
    ("06.03-Customer-Analysis-Association-Cross-Selling-Fraud",
     ["support_q1", "confidence_q1", "lift_q1", "n_rules", "share_stable", "n_targets", "rate_car_fire",
      "best_hit_rate", "best_false_alarm_rate"]),
    ("07.01-Contact-Centre-Operations", ["mean_1000", "wape", "wape_naive", "peak_agents", "n_wilson", "n_wald"]),
])
def test_graded_answers_vary_over_students(stem, answers):
    seen = {a: set() for a in answers}
    for sid in STUDENTS:
        ns = solve(stem, student_seed(sid))
        for a in answers:
            seen[a].add(round(float(ns[a]), 9))
    for a, values in seen.items():
        assert len(values) > 1, f"{stem}: answer {a} is the same for all {len(STUDENTS)} students"
