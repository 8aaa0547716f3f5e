"""Survey waves and loyalty-programme evaluation (crm_lessons.programmes) against simulated truth."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons import programmes as pg
from crm_lessons._validation import CRMInputError


def _wave(rng, n, pp, pd_):
    answers = rng.choice([10, 8, 3], size=n, p=[pp, 1 - pp - pd_, pd_])
    return pd.DataFrame({"recommend": answers})


def test_wave_change_by_hand():
    w1 = pd.DataFrame({"recommend": [10] * 40 + [8] * 30 + [3] * 30})
    w2 = pd.DataFrame({"recommend": [10] * 50 + [8] * 30 + [3] * 20})
    out = pg.wave_change(w1, w2)
    se1 = np.sqrt((0.4 + 0.3 - 0.01) / 100) * 100
    se2 = np.sqrt((0.5 + 0.2 - 0.09) / 100) * 100
    assert np.isclose(out["se"], np.hypot(se1, se2))
    assert np.isclose(out["change"], 20)
    c = pg.wave_change(pd.DataFrame({"overall_satisfaction": [7, 6, 2, 3]}),
                       pd.DataFrame({"overall_satisfaction": [7, 6, 6, 3]}), metric="csat")
    assert np.isclose(c["change"], 0.25) and np.isclose(c["se"], np.hypot(0.5 / 2, np.sqrt(0.75 * 0.25 / 4)))


def test_sample_size_gives_the_promised_power():
    n = pg.wave_sample_size(6, promoters=0.4, detractors=0.2)
    rng = np.random.default_rng(11)
    hits = [pg.wave_change(_wave(rng, n, 0.4, 0.2), _wave(rng, n, 0.43, 0.17))["p_value"] < 0.05
            for _ in range(300)]                                         # true change: +6 points
    assert abs(np.mean(hits) - 0.8) < 0.07
    nulls = [pg.wave_change(_wave(rng, n, 0.4, 0.2), _wave(rng, n, 0.4, 0.2))["p_value"] < 0.05 for _ in range(300)]
    assert np.mean(nulls) < 0.09                                         # no change: about 5% false alarms
    with pytest.raises(CRMInputError, match="argument `promoters`"):
        pg.wave_sample_size(5, promoters=0.7, detractors=0.5)


def test_holdout_recovers_the_true_effect_and_naive_is_biased():
    est, covered = [], 0
    for seed in range(20):
        data, truth = pg.simulate_programme(5000, true_effect=1.0, seed=seed)
        e = pg.programme_effects(data)
        est.append(e["estimate"].to_numpy())
        covered += e.loc["randomised holdout", "ci_low"] <= 1.0 <= e.loc["randomised holdout", "ci_high"]
        assert e.loc["naive member vs non-member", "ci_low"] > 1.0 + 0.5   # biased upwards, every seed
    holdout, naive, did = np.mean(est, axis=0)
    assert abs(holdout - 1.0) < 0.08 and abs(did - 1.0) < 0.05
    assert naive > 2.0
    assert covered >= 16                                                  # ~95% coverage (19 of 20 expected)


def test_without_self_selection_the_naive_comparison_is_fair():
    data, _ = pg.simulate_programme(40000, true_effect=1.0, selection=0.0, seed=5)
    e = pg.programme_effects(data)
    # non-members include the holdout; with no selection both groups have the same rates
    assert abs(e.loc["naive member vs non-member", "estimate"] - 1.0) < 0.1


def test_programme_effects_input_errors():
    data, _ = pg.simulate_programme(200, seed=1)
    with pytest.raises(CRMInputError, match="holdout customers cannot be members"):
        pg.programme_effects(data.assign(member=True))
    with pytest.raises(CRMInputError, match="needs at least two customers in each group"):
        pg.programme_effects(data.assign(offered=True))
