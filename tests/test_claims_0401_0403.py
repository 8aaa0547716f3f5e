"""Lessons 4.1 and 4.3: every sentence holds for other seeds and sizes; each lesson is rerun and each claim asserted.

The real-data parts (telecom, CDNOW, Caravan) do not change with ``n_customers``; ``seed`` moves the scorecard's
weight draws (4.1), the held-out split and the bootstrap (4.3) and the simulated populations of both lessons.
"""

import numpy as np
import pytest

from lesson_exec import call_at_range_ends, run_lesson

RUNS_41 = [dict(seed=42, n_customers=3000), dict(seed=7, n_customers=500), dict(seed=1, n_customers=1500)]
RUNS_43 = [dict(seed=42, n_customers=20000), dict(seed=7, n_customers=5000), dict(seed=1, n_customers=10000)]


@pytest.fixture(scope="module", params=RUNS_41, ids=lambda p: f"seed{p['seed']}-n{p['n_customers']}")
def ns41(request):
    return run_lesson("04.01-Choosing-Customers", **request.param)


@pytest.fixture(scope="module", params=RUNS_43, ids=lambda p: f"seed{p['seed']}-n{p['n_customers']}")
def ns43(request):
    return run_lesson("04.03-Targeted-Campaigns", **request.param)


# --------------------------------------------------------------------------- 4.1
def test_041_telecom_loss_makers_are_the_heavy_callers(ns41):
    tel, calls, churned = ns41["tel"], ns41["calls"], ns41["churned"]
    assert tel["unprofitable"] > 0 and tel["peak_share"] > 1 and tel["loss"] < 0
    assert calls[True] > 2 * calls[False]                         # "the heavy callers of customer service"
    assert churned[True] > churned[False]                         # "they also churn more often"
    assert ns41["recall_tel_revenue"] < 0.5                       # "the lowest spenders are mostly other customers"


def test_041_synthetic_check_recovers_the_true_loss_makers(ns41):
    assert ns41["precision"] > 0.85 and ns41["recall"] > 0.85     # "recovers nearly every true loss-maker"
    assert ns41["recall_revenue"] < 0.5                           # revenue ranking "misses most of them"
    # the estimate is exact up to the unrecorded cost: its errors sit near zero profit
    sim, est = ns41["sim"], ns41["est"]
    wrong = (sim["true_profit"] < 0) != (est["profit"] < 0)
    assert (sim.loc[wrong, "true_profit"].abs() < 15).all()   # 5 sd of the unrecorded cost


def test_041_cdnow_whale_and_concentration(ns41):
    cd = ns41["cd"]
    assert cd["peak_share"] > 1 and cd["unprofitable"] > 0
    assert ns41["g_tel"] < 0.2 and ns41["g_cd"] > 0.5             # "spread evenly (a low Gini)" vs "concentrated"


def test_041_key_accounts_are_not_all_still_big(ns41):
    stab = ns41["stab"]
    m = stab.matrix
    assert list(m.columns) == [1, 2, 3]                           # "only three columns"
    assert m.loc[1, 1] == m[1].max() and m.loc[1, 1] > 2 * m.loc[2, 1]   # "by far the likeliest to be top again"
    assert stab.top_stay < 0.5                                    # "fewer than half of them are"
    assert ns41["lapsed_top"] > 0.25                              # "a large share bought nothing"
    assert 0 < stab.spearman < 0.7


def test_041_scorecard_predicts_purchases_and_is_stable(ns41):
    top, aucs = ns41["top"], dict(ns41["aucs"])
    assert top["lift"] > 2                                        # "buys at a multiple of the average rate"
    combined = aucs.pop("scorecard 1 : 2 : 1")
    assert combined > max(aucs.values())                          # "better than any one criterion alone"
    assert max(aucs, key=aucs.get).startswith("willingness")     # "willingness is the strongest criterion"
    overlap = ns41["overlap"]
    assert overlap.median() > 0.8 and overlap.min() < 1           # "most of the list survives"; the edge changes


def test_041_contact_values(ns41):
    ev = ns41["contacts"]["expected value of a contact ($)"]
    assert ev["existing customer, one sale"] > 2 * max(ev["new customer, one sale"], 0)   # "far more"
    assert ev["new customer, one sale"] < 0 < ev["new customer, kept for life (CLV)"]
    be = ns41["contacts"]["margin needed to break even ($)"]
    assert be["new customer, one sale"] / be["existing customer, one sale"] > 3           # "more than three times"


def test_041_explore_at_the_ends_of_every_control(ns41):
    if ns41["seed"] != 42:
        pytest.skip("the callback does not depend on seed")
    call_at_range_ends(ns41, "explore", {"cost_per_call": (0.0, 40.0), "account_cost": (0.0, 60.0),
                                         "handling_cost": (0.0, 20.0)})
    call_at_range_ends(ns41["explore"], {"cost_per_call": (0.0, 40.0), "account_cost": (0.0, 60.0),
                                         "handling_cost": (0.0, 20.0)})


# --------------------------------------------------------------------------- 4.3
def test_043_models_rank_far_above_chance(ns43):
    m = ns43["metrics"]
    assert (m["auc"] > 0.65).all()                                # "far better than chance"
    assert (m["top_decile_lift"] > 2.5).all()                     # "several times the average rate"
    gains = ns43["gains"]
    assert gains["cum_churners_share"].iloc[1] > 0.4              # a fifth of the list: "a far larger share"
    assert gains["lift"].iloc[0] == gains["lift"].max()           # "highest in the top decile"
    assert gains["cum_churners_share"].iloc[4] > 0.5              # "the bottom half buys below the average rate"


def test_043_calibration_near_the_diagonal(ns43):
    for name in ("logistic regression", "gradient boosting"):
        cal = ns43["model"].calibration(name)
        assert (cal["observed_rate"] - cal["mean_predicted"]).abs().mean() < 0.03


def test_043_targeting_beats_mailing_everyone(ns43):
    curve, best, p_star = ns43["curve"], ns43["best"], ns43["p_star"]
    assert ns43["y_test"].mean() < p_star                         # "average rate below break-even"
    assert curve["profit"].iloc[-1] < 0 < curve.loc[best, "profit"]
    band = ns43["band"]                                           # "the top of the curve is broad"
    assert band.max() - band.min() > 0.2 and band.min() <= curve.loc[best, "share"] <= band.max()


def test_043_bootstrap(ns43):
    boot, ci = ns43["boot"], ns43["ci"]
    assert (ns43["gain"] > 0).mean() > 0.95                       # "(nearly) every resample"
    assert ci.loc[0.975, "best_share"] - ci.loc[0.025, "best_share"] > 0.1   # "its interval is wide"
    assert len(boot) == 500


def test_043_chosen_depth_is_the_true_optimum(ns43):
    check, n = ns43["check"], ns43["n_customers"]
    rule = check.loc["predicted p above break-even"]
    argmax = check.loc["best depth on the held-out profit curve"]
    assert rule["off the optimum by (%)"] < (10 if n >= 20000 else 25)       # "close to the true optimum"
    assert rule["expected profit (% of the best possible)"] > 95              # "nearly all of the best"
    assert argmax["expected profit (% of the best possible)"] > 85            # "also earns most of it"
    assert argmax["off the optimum by (%)"] > rule["off the optimum by (%)"]  # "lands farther from the optimum"


def test_043_explore_at_the_ends_of_every_control(ns43):
    if ns43["seed"] != 42:
        pytest.skip("one run suffices")
    ranges = {"cost_per_piece": (0.5, 60.0), "margin_per_responder": (20.0, 500.0),
              "model_name": ("logistic regression", "gradient boosting")}
    call_at_range_ends(ns43, "explore", ranges)
    call_at_range_ends(ns43["explore"], ranges)
