"""Lessons 4.2 and 5.2: each sentence that states a number or a direction holds for other seeds and sizes.

Each lesson is rerun in-process (``run_lesson``) for three seeds/sizes and each claim asserted on its
variables; the Explore callbacks are called at the ends of every control.
"""

import math

import numpy as np
import pytest

from lesson_exec import run_lesson, run_widget_ends

RUNS_0402 = [dict(seed=42, n_customers=2000), dict(seed=7, n_customers=500), dict(seed=1, n_customers=4000)]


@pytest.fixture(scope="module", params=RUNS_0402, ids=lambda p: f"seed{p['seed']}-n{p['n_customers']}")
def ns0402(request):
    return run_lesson("04.02-Prospecting-Methods", **request.param)


def test_0402_funnel_recovers_the_true_rates(ns0402):
    check = ns0402["check"]
    n = check["leads entering"].to_numpy()
    p = check["true rate"].to_numpy()
    se = np.sqrt(p * (1 - p) / n)
    assert np.all(np.abs(check["estimated rate"] - p) < 4 * se + 1e-3)   # "recover the true ones up to noise"
    s = ns0402["summary"]
    assert np.isclose(s["cost_per_customer"], s["total_cost"] / s["customers"])


def test_0402_tornado_claims(ns0402):
    sens, rel, steps = ns0402["sens"], ns0402["rel"], ns0402["steps"]
    assert (sens["cpa_high"] < sens["base_cpa"]).all()
    # "the same relative improvement is worth most at the last step"
    assert rel.idxmin() == steps["step"].iloc[-1]
    # "with equal point gains the low-rate call steps lead": the largest swing is at a step with a rate below 0.5
    best = sens.iloc[0]["factor"]
    assert float(steps.set_index("step").loc[best, "rate"]) < 0.5
    assert best in ("purpose of the call", "opening and pitch", "close")


def test_0402_referral_claims(ns0402):
    reach = ns0402["reach"]
    for who in reach.index:                                              # "within a few standard errors"
        r = reach.loc[who]
        assert abs(r["simulated mean reach"] - r["formula"]) < 4 * r["standard error"]
    assert reach.loc["centre of influence", "formula"] > reach.loc["random customer", "formula"]
    # "even at ¥3,000 the centre brings customers more cheaply than the telephone"
    assert reach.loc["centre of influence", "cost per customer reached (¥)"] < ns0402["cpa_phone"]
    # "a few customers with many direct referrals" carry the trees
    ref = ns0402["referrers"]
    assert (ref > 0).mean() < 0.5 and ref.nlargest(len(ref) // 10).sum() / ref.sum() > 0.4


def test_0402_method_claims(ns0402):
    econ = ns0402["econ"]
    # "direct mail wins a customer more cheaply than any other method but never pays back"
    assert econ["cpa"].idxmin() == "direct mail"
    assert math.isinf(econ.loc["direct mail", "payback_periods"]) and econ.loc["direct mail", "net_value"] < 0
    # "the centre of influence is both cheap and brings customers who stay"
    assert econ["net_value"].idxmax() == "centre of influence"
    assert econ.loc["centre of influence", "cpa"] < econ.loc["telephone", "cpa"]
    rules = ns0402["rules"]
    assert np.isclose(rules["keep_cost"].max() / rules["keep_cost"].min(), 7 / 3)   # "differ by a factor of 7/3"


def test_0402_widget_ends_run():
    assert run_widget_ends("04.02-Prospecting-Methods", seed=7, n_customers=400) == 8


# --------------------------------------------------------------------------- 5.2
RUNS_0502 = [dict(seed=42, n_customers=3000), dict(seed=7, n_customers=1000), dict(seed=1, n_customers=6000)]


@pytest.fixture(scope="module", params=RUNS_0502, ids=lambda p: f"seed{p['seed']}-n{p['n_customers']}")
def ns0502(request):
    return run_lesson("05.02-Channels-Touchpoints-and-Communication", **request.param)


def test_0502_cost_matrix_recovers_the_stated_costs(ns0502):
    unit, truth = ns0502["unit"], ns0502["truth"]["unit_cost"]
    assert ns0502["error"].max().max() < 0.15
    # "a branch contact costs tens of times a web contact at every step; the phone lies between"
    assert ((unit.loc["branch"] / unit.loc["online"]) > 10).all()
    assert ((unit.loc["phone"] < unit.loc["branch"]) & (unit.loc["phone"] > unit.loc["online"])).all()
    assert (truth.loc["branch"] > truth.loc["phone"]).all()


def test_0502_cost_to_serve_and_mix(ns0502):
    serve, mix = ns0502["serve"], ns0502["truth"]["channel_mix"]
    for ch in ("branch", "phone", "online"):                    # "the table recovers the stated mix"
        assert (serve[f"share_{ch}"] - mix.loc[serve.index, ch]).abs().max() < 0.05
    assert serve["contacts_per_customer"].idxmax() == "corporate"
    q = ns0502["quality"]
    assert (q["fcr_rate"] - q["stated_fcr"]).abs().max() < 0.05
    assert (q["satisfaction"] - q["stated_satisfaction"]).abs().max() < 0.1


def test_0502_migration_claims(ns0502):
    moves, base = ns0502["moves"], ns0502["base"]
    phone, online = moves.loc["branch -> phone"], moves.loc["branch -> online"]
    for m in (phone, online):                                   # "both cut cost, both cost satisfaction and FCR"
        assert m["cost"] < 0 and m["cost_with_repeats"] < 0
        assert m["mean_satisfaction"] < 0 and m["fcr_rate"] < 0
        # "the saving as a share of cost is a little smaller once repeats are counted"
        assert m["cost_with_repeats"] / base["cost_with_repeats"] > m["cost"] / base["cost"]
    assert online["cost"] < phone["cost"]                       # online saves more
    assert online["mean_satisfaction"] < phone["mean_satisfaction"] and online["fcr_rate"] < phone["fcr_rate"]


def test_0502_touchpoints_and_walkaround(ns0502):
    assert ns0502["gaps"]["gaps"].sum() == 4
    check = ns0502["check"]
    assert check.loc["organised (B)", "B_score"] > check.loc["plain", "B_score"]
    assert check.loc["personal (C)", "C_score"] > check.loc["organised (B)", "C_score"]


def test_0502_widget_ends_run():
    assert run_widget_ends("05.02-Channels-Touchpoints-and-Communication", seed=7, n_customers=500) == 6
