"""The loyalty items of simulate_survey (A91): own random stream, known truth, older columns unchanged."""

import hashlib

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from crm_lessons.simulate import simulate_survey, simulate_survey_log
from crm_lessons.simulate.survey import LOYALTY_ITEMS

#: The columns simulate_survey had before the loyalty items were added, in order.
OLD_COLUMNS = [
    "customer_id", "segment",
    *[f"{a}_{k}" for a in ("product_quality", "price", "service", "delivery", "staff", "image")
      for k in ("expectation", "experience", "importance")],
    "overall_satisfaction", "switching_cost", "price_sensitivity", "loyalty_member", "recommend",
    "repurchase", "brand_named",
]
NEW_COLUMNS = ["purchases_12m", "tenure_years", "share_of_wallet", "choice_minutes", "trust", "referrals_12m",
               "competitor_interest", "price_quality_tolerance"]


def _digest(df: pd.DataFrame) -> str:
    text = df.to_csv(index=False, lineterminator="\n", float_format="%.12g")
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# digests of the older columns computed before the loyalty items existed (commit 56906b4)
@pytest.mark.parametrize("n, seed, digest, csat", [
    (300, 0, "7c92c8e83cd7b010", 0.20826),
    (2000, 42, "06620c926dbe2b00", 0.20462),
    (500, 7, "327cac879d880f94", 0.20624),
])
def test_older_columns_are_byte_identical(n, seed, digest, csat):
    survey, truth = simulate_survey(n, seed=seed)
    assert list(survey.columns) == OLD_COLUMNS + NEW_COLUMNS
    assert _digest(survey[OLD_COLUMNS]) == digest
    assert truth["csat"] == csat


def test_survey_log_is_unchanged_too():
    data, _ = simulate_survey_log(400, seed=6)
    assert _digest(data["survey"][OLD_COLUMNS]) == "4bc6526c4affe68a"
    assert _digest(data["transactions"]) == "7f2262c0a09bb406"


def test_items_are_deterministic_in_range_and_vary_with_the_seed():
    a, truth = simulate_survey(3000, seed=5)
    b, _ = simulate_survey(3000, seed=5)
    c, _ = simulate_survey(3000, seed=6)
    pd.testing.assert_frame_equal(a, b)
    assert not a[NEW_COLUMNS].equals(c[NEW_COLUMNS])
    assert set(truth["loyalty_items"]) == set(NEW_COLUMNS) == set(LOYALTY_ITEMS)
    assert a["purchases_12m"].min() >= 1 and a["referrals_12m"].min() >= 0
    assert a["share_of_wallet"].between(0, 1).all() and (a["tenure_years"] >= 0.1).all()
    assert (a["choice_minutes"] >= 0).all()
    for col in ("trust", "competitor_interest", "price_quality_tolerance"):
        assert a[col].isin(range(1, 8)).all() and a[col].nunique() == 7


def _likert_mean(mu, sd):
    """E[clip(round(mu + sd z), 1, 7)] for z ~ N(0, 1), by summing the category probabilities."""
    mu = np.asarray(mu, dtype=float)[:, None]
    cuts = np.array([-np.inf, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, np.inf])
    p = np.diff(stats.norm.cdf((cuts[None, :] - mu) / sd), axis=1)
    return (p * np.arange(1, 8)).sum(axis=1)


@pytest.fixture(scope="module")
def population():
    return simulate_survey(20_000, seed=11, population_size=20_000)   # the whole population


def test_truth_table_is_the_population_mean(population):
    survey, truth = population
    by_s = survey.groupby("overall_satisfaction")[NEW_COLUMNS].mean()
    pd.testing.assert_frame_equal(by_s, truth["loyalty_by_satisfaction"])


def test_attitudinal_items_follow_the_stated_formulas(population):
    survey, _ = population
    s = survey["overall_satisfaction"].to_numpy() - 4
    assert survey["trust"].mean() == pytest.approx(_likert_mean(4.2 + 0.7 * s, 1.0).mean(), abs=0.03)
    assert survey["competitor_interest"].mean() == pytest.approx(_likert_mean(4.0 - 0.6 * s, 1.1).mean(), abs=0.03)
    mu = 4.0 + 0.5 * s - 0.4 * (survey["price_sensitivity"].to_numpy() - 4)
    assert survey["price_quality_tolerance"].mean() == pytest.approx(_likert_mean(mu, 1.0).mean(), abs=0.03)
    by_s = survey.groupby("overall_satisfaction")["referrals_12m"].mean()
    for level in (3, 4, 5, 6):
        assert by_s[level] == pytest.approx(0.4 * np.exp(0.45 * (level - 4)), rel=0.1)


def test_behavioural_items_follow_the_repurchase_probability(population):
    survey, truth = population
    p = truth["repurchase_by_satisfaction"]                 # mean true p per satisfaction level
    g = survey.groupby("overall_satisfaction")
    for level in (3, 4, 5, 6):
        assert g["purchases_12m"].mean()[level] == pytest.approx(1 + 4 * p[level], abs=0.08)
        assert g["share_of_wallet"].mean()[level] == pytest.approx(0.2 + 0.6 * p[level], abs=0.01)
        assert g["tenure_years"].mean()[level] == pytest.approx(2 * (1 + 2 * p[level]), abs=0.1)
        log_choice = np.log(survey.loc[survey["overall_satisfaction"] == level, "choice_minutes"]).mean()
        assert log_choice == pytest.approx(np.log(12) - 1.5 * (p[level] - 0.5), abs=0.03)


def test_lock_in_moves_behaviour_not_attitude(population):
    """Switching cost raises p (so the behavioural items) but not the attitudinal items, given satisfaction."""
    survey, _ = population
    mid = survey[survey["overall_satisfaction"] == 4]
    high = mid["switching_cost"] >= 5
    assert mid.loc[high, "share_of_wallet"].mean() > mid.loc[~high, "share_of_wallet"].mean() + 0.05
    assert mid.loc[high, "trust"].mean() == pytest.approx(mid.loc[~high, "trust"].mean(), abs=0.1)
    assert mid.loc[high, "referrals_12m"].mean() == pytest.approx(mid.loc[~high, "referrals_12m"].mean(), abs=0.06)
