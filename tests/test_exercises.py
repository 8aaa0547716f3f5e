"""Exercises of chapters 4-9: the demo passes its own checks, and per-student variants are never degenerate.

For 50 student ids the instructor solution runs on each student's data with the checks (visible and hidden),
and every graded answer must take more than one value (LESSON-CHECKLIST: Exercise).
"""

import pytest

from lesson_exec import assert_answers_vary, graded_answers, run_exercise

#: exercise -> graded answers
ANSWERS = {
    "04.01": ["n_unprofitable", "loss_total", "peak_share", "peak_at", "top_stay", "rho", "score_auc",
              "top_lift"],
    "04.02": ["pitch_rate", "calls_per_customer", "cpa", "best_saving", "reach_formula", "reach_simulated",
              "payback_years"],
    "04.03": ["profit_top20", "rate_top20", "p_star", "best_k", "best_profit", "mail_all_profit", "rule_k",
              "rule_profit"],
    "05.01": ["top_share", "js_two", "value_gini", "needs_excess", "quadrant", "value_margin", "needs_margin",
              "personalised_hit", "mass_hit"],
    "05.02": ["phone_service_cost", "branch_total", "corporate_cost", "traditional_branch_share", "saving",
              "satisfaction_change", "n_both"],
    "05.03": ["weighted_open", "proposal_win_rate", "outside_revenue_share", "weakest_rep",
              "weakest_expected_coverage"],
    "05.04": ["phone_fcr", "complaints_per_1000", "email_compliance", "late_tickets", "n_causes_80",
              "top_cause_share", "n_high_value_repeat", "high_value_repeat_value"],
    "06.01": ["email_complete", "timely_share", "precision_70", "recall_70", "best_threshold",
              "n_customers_found", "marketing_blind", "first_to_verify"],
    "08.01": ["a_revenue_pd", "a_orders_pd", "a_revenue_sql", "top_complainer", "top_complainer_revenue",
              "top_complainer_contacts", "direct_weighted", "direct_open", "best_depth_catalogue",
              "best_profit_catalogue"],
    "08.02": ["npv_hand", "payback_hand", "irr_flows", "winner", "p_winner_first", "p_runner_up", "npv_likely",
              "p_npv_positive", "median_payback"],
    "09.01": ["n_charged", "profit_change", "best", "best_change", "share_true_friends", "barnacle_profit",
              "retention_year", "increase_pct"],
    "09.02": ["top_category", "top_share", "worst_category", "worst_fcr_rate", "p_owner", "sim_share", "p_max",
              "mean_wait_daily", "share_24h_workdays"],
}


@pytest.mark.parametrize("exercise", sorted(ANSWERS))
def test_demo_solution_passes_every_check(exercise):
    run_exercise(exercise, "demo", checks=True)


@pytest.mark.parametrize("exercise", sorted(ANSWERS))
def test_variants_differ_between_students_and_are_not_degenerate(exercise):
    values = graded_answers(exercise, ANSWERS[exercise])  # the solution also passes each student's checks
    assert_answers_vary(exercise, values)
    if exercise == "05.01":  # every quadrant of the matrix occurs among the students
        assert len(set(values["quadrant"])) == 4
