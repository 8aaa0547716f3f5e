"""Chapter 10's sentences hold for other seeds and sizes: each lesson is rerun and each claim asserted.

Lesson 10.3 (risk and early warning). The PD model's held-out AUC and cost-optimal cut-off at the
default seed are asserted in tests/test_risk.py.
"""

import pytest

from lesson_exec import run_lesson, widget_ends

RUNS = [dict(seed=42, n_customers=3000), dict(seed=7, n_customers=500), dict(seed=1, n_customers=1500)]


@pytest.fixture(scope="module", params=RUNS, ids=lambda p: f"seed{p['seed']}-n{p['n_customers']}")
def ns103(request):
    return run_lesson("10.03-Risk-and-Early-Warning", **request.param)


def test_103_grades_rank_and_concentrate_loss(ns103):
    assert ns103["auc"] > 0.9
    g = ns103["grades"]
    rate = g["default_rate"]
    assert rate["E"] > rate["D"] > rate[["A", "B", "C"]].max()           # far higher in D and E
    for grade in ("D", "E"):
        assert abs(rate[grade] - g.loc[grade, "mean_pd"]) < 0.1            # close to the mean PD
    assert g.loc[["D", "E"], "loss_share"].sum() > 0.5                      # loss concentrated in the worst grades


def test_103_cutoff_near_theory_and_catch_all_earns_less(ns103):
    cut, theory = ns103["cut"], ns103["theory"]
    best = cut.loc[cut["profit"].idxmax()]
    assert ns103["at_theory"]["profit"] > 0.95 * best["profit"]             # "earns almost as much"
    low = cut.iloc[0]                                                       # cut-off 0.01: "catch most defaulters"
    assert low["hit_rate"] > best["hit_rate"] and low["false_alarm_rate"] > 2 * best["false_alarm_rate"]
    assert low["profit"] < best["profit"]


def test_103_responses(ns103):
    r = ns103["responses"]
    assert r.loc["avoid", "expected_profit"] > r.loc["none", "expected_profit"]
    assert r.loc["avoid", "expected_loss"] < 0.5 * r.loc["none", "expected_loss"]     # "removes most"
    assert r.loc["reduce", "expected_loss"] < r.loc["none", "expected_loss"]
    assert r.loc["transfer", "loss_sd"] < r.loc["none", "loss_sd"]
    assert r.loc["transfer", "expected_profit"] < r.loc["none", "expected_profit"]
    assert r.loc["accept", "expected_profit"] > r.loc["none", "expected_profit"]


def test_103_warning_rules_trade_off(ns103):
    p = ns103["perf"]
    late, late60 = p.loc["late 30+ days"], p.loc["late 60+ days"]
    util, both = p.loc["utilisation up 20 points in 3 months"], p.loc["late 30+ and utilisation up 10 points"]
    assert late["hit_rate"] > 0.7 and late["false_alarm_rate"] > 0.2           # most defaults, many healthy
    assert late60["false_alarm_rate"] < 0.05 and late60["mean_lead"] < late["mean_lead"]
    for rule in (util, both):                                                 # change rules: most, few alarms
        assert rule["hit_rate"] > 0.6 and rule["false_alarm_rate"] < late["false_alarm_rate"] / 3
        assert rule["mean_lead"] < late["mean_lead"]
    assert p.loc["any_rule", "hit_rate"] == p["hit_rate"].max()
    assert p.loc["any_rule", "false_alarm_rate"] == p["false_alarm_rate"].max()


def test_103_widget_ends_run():
    ns = run_lesson("10.03-Risk-and-Early-Warning", seed=7, n_customers=300)
    calls = list(widget_ends(ns))
    assert len(calls) == 10
    for func, kwargs in calls:
        func(**kwargs)
