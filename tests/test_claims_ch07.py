"""Claims of lesson 7.1 hold for other holdout lengths, handle times and seeds."""

import numpy as np
import pytest

from crm_lessons import callcenter
from crm_lessons import contact_centre as cc
from crm_lessons.datasets import load_bank_calls
from lesson_exec import call_at_range_ends, run_lesson

L71 = "07.01-Contact-Centre-Operations"


@pytest.fixture(scope="module")
def calls():
    return load_bank_calls().rename(columns={"date": "time"})


@pytest.mark.parametrize("weeks", [2, 4, 6])
def test_71_forecast_claims(calls, weeks):
    f = cc.forecast_arrivals(calls, holdout_weeks=weeks)
    assert f.attrs["wape"] < f.attrs["wape_naive"]          # "the weekday-slot mean beats last week"
    prof = f.attrs["profile"]
    peak_slot = prof.mean().idxmax()
    assert "09:30" <= peak_slot <= "12:00"                    # "calls peak in the late morning"
    assert prof.mean(axis=1).idxmax() == "Monday"             # "Mondays are busiest"
    evening = prof.loc[:, "17:00":].mean()
    assert (np.diff(evening.rolling(6).mean().dropna().to_numpy()[::6]) < 0).all()   # "fall through the evening"


@pytest.mark.parametrize("aht,seed", [(180, 0), (240, 42), (300, 7)])
def test_71_erlang_c_matches_the_simulation(calls, aht, seed):
    prof = cc.forecast_arrivals(calls, holdout_weeks=4).attrs["profile"]
    wed = prof.loc["Wednesday"]
    hh = wed.index.str[:3] + (wed.index.str[3:5].astype(int) // 30 * 30).map("{:02d}".format)
    plan = callcenter.staffing_table(wed.groupby(hh).sum(), interval=1800, aht=aht, answer_time=20)
    peak = plan["agents"].idxmax()
    sim = callcenter.simulate_queue(int(plan.loc[peak, "agents"]), arrival_rate=plan.loc[peak, "calls"] / 1800,
                                    aht=aht, n_calls=200_000, answer_time=20, seed=seed)
    # "agrees to within a few points" (a simulated half-hour near 95% occupancy is noisy)
    assert sim["service_level"] == pytest.approx(plan.loc[peak, "service_level"], abs=0.08)
    assert sim["occupancy"] == pytest.approx(plan.loc[peak, "occupancy"], abs=0.02)


def test_71_mystery_claim():
    assert 200 <= cc.mystery_call_sample_size(0.8, 0.05) <= 400   # "a few hundred calls for ±5 points"


def test_71_lesson_runs_and_widget_ends():
    ns = run_lesson(L71, n_customers=100)
    call_at_range_ends(ns["explore"], {"aht_seconds": (60, 600), "target": (0.5, 0.95), "sale_rate": (0.0, 0.3)})
