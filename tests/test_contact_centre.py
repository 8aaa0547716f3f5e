"""Contact-centre helpers against published values, independent calculations and simulation."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from crm_lessons import callcenter
from crm_lessons import contact_centre as cc
from crm_lessons._validation import CRMInputError


def test_wald_sample_size_published_value():
    assert cc.mystery_call_sample_size(0.5, 0.05, method="wald") == 385   # the classic 384.16 -> 385
    assert cc.mystery_call_sample_size(0.5, 0.03, method="wald") == 1068


@pytest.mark.parametrize("p,e", [(0.8, 0.05), (0.6, 0.03), (0.9, 0.1)])
def test_wilson_sample_size_is_the_smallest_that_meets_the_margin(p, e):
    n = cc.mystery_call_sample_size(p, e)
    lo, hi = cc.wilson_interval(p * n, n)
    assert (hi - lo) / 2 <= e
    lo1, hi1 = cc.wilson_interval(p * (n - 1), n - 1)
    assert (hi1 - lo1) / 2 > e


def test_wilson_interval_published_example():
    # Newcombe (1998), Statistics in Medicine 17, 857-872, table I: 81/263 -> 0.2553 to 0.3662
    lo, hi = cc.wilson_interval(81, 263)
    assert (round(lo, 4), round(hi, 4)) == (0.2553, 0.3662)


def test_two_proportion_z_squared_is_the_chi_square():
    r = cc.two_proportion_test(160, 200, 140, 200)
    chi2, p, _, _ = chi2_contingency([[160, 40], [140, 60]], correction=False)
    assert r["z"] ** 2 == pytest.approx(chi2) and r["p_value"] == pytest.approx(p)


def test_profit_staffing_by_hand_and_optimum():
    p = cc.profit_staffing(calls=100, interval=1800, aht=180, patience=60, sale_rate=0.1, margin=200, wage=60)
    row = p.set_index("agents").loc[12]
    sl = callcenter.service_level(12, 10.0, aht=180, answer_time=60)
    assert row["profit"] == pytest.approx(100 * sl * 0.1 * 200 - 12 * 60)
    assert p.attrs["best"]["profit"] == p["profit"].max()
    free = cc.profit_staffing(calls=100, interval=1800, aht=180, patience=60, sale_rate=0.1, margin=200, wage=0)
    assert free.attrs["best"]["agents"] == free["agents"].max() or free["answered_share"].iloc[-1] > 0.999


def test_forecast_recovers_a_known_profile():
    rng = np.random.default_rng(0)
    days = pd.bdate_range("2024-01-01", periods=60)
    slots = pd.timedelta_range(start="9h", end="16h55min", freq="5min")
    t = pd.DatetimeIndex([d + s for d in days for s in slots])
    truth = np.asarray(50 + 30 * np.sin((t.hour + t.minute / 60 - 9) / 8 * np.pi) + 10 * (t.day_of_week == 0))
    df = pd.DataFrame({"time": t, "calls": rng.poisson(truth)})
    f = cc.forecast_arrivals(df, holdout_weeks=3)
    want = np.abs(rng.poisson(truth) - truth).sum() / truth.sum()      # noise floor
    assert f.attrs["wape"] < 1.3 * want and f.attrs["wape"] < f.attrs["wape_naive"]
    prof = f.attrs["profile"]
    assert prof.loc["Monday"].mean() - prof.loc["Tuesday"].mean() == pytest.approx(10, abs=1.5)
    with pytest.raises(CRMInputError, match="holdout_weeks"):
        cc.forecast_arrivals(df, holdout_weeks=20)
