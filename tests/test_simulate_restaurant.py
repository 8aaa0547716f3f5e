"""Tests of simulate_restaurant_visits: the log follows the stated model and truth."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons._validation import CRMInputError
from crm_lessons.segmentation import monthly_customer_stats
from crm_lessons.simulate import simulate_restaurant_visits


@pytest.fixture(scope="module")
def sim():
    return simulate_restaurant_visits(4000, months=6, seed=11)


def test_columns_window_and_determinism(sim):
    visits, truth = sim
    assert list(visits.columns) == ["customer_id", "date", "party_size", "amount"]
    assert visits["date"].min() >= pd.Timestamp("2024-01-01")
    assert visits["date"].max() < pd.Timestamp("2024-07-01")
    assert (visits["party_size"] >= 1).all() and (visits["amount"] > 0).all()
    again = simulate_restaurant_visits(4000, months=6, seed=11).data
    pd.testing.assert_frame_equal(visits, again)
    assert not simulate_restaurant_visits(4000, months=6, seed=12).data.equals(visits)
    assert set(visits["customer_id"]) <= set(truth["customers"]["customer_id"])


def test_grade_shares_match_truth(sim):
    _, truth = sim
    counts = truth["customers"]["grade"].value_counts(sort=False).to_numpy()
    p = np.array(truth["grade_shares"])
    n = counts.sum()
    # each count within 4 binomial sd of its expectation
    assert np.all(np.abs(counts - n * p) < 4 * np.sqrt(n * p * (1 - p)))


def test_observed_rates_match_true_rates_by_grade(sim):
    visits, truth = sim
    stats = monthly_customer_stats(visits, months=6)
    c = truth["customers"].set_index("customer_id").join(stats, rsuffix="_obs")
    c = c.dropna(subset=["visits"])
    g = c.groupby("grade", observed=True)
    # grade means of observed monthly visits vs the grade's rate: Poisson sd of a grade mean is
    # sqrt(rate / 6 / n_grade) < 0.1; heterogeneity (5%) moves the mean by < 1%
    obs = g["monthly_visits_obs"].mean().to_numpy()
    np.testing.assert_allclose(obs, truth["monthly_visits"], rtol=0.03)
    # spend per head (ratio of totals) recovers each customer's rate within the visit noise
    rel = (c["spend_per_head_obs"] / c["spend_per_head"] - 1)
    assert abs(rel.mean()) < 0.01
    guests = visits.groupby("customer_id")["party_size"].mean()
    pg = c.join(guests.rename("guests_obs")).groupby("grade", observed=True)["guests_obs"].mean()
    np.testing.assert_allclose(pg.to_numpy(), truth["party_size"], rtol=0.03)
    np.testing.assert_allclose(c["monthly_spend"], c["monthly_visits"] * c["party_size"] * c["spend_per_head"])


def test_no_heterogeneity_gives_grade_rates():
    _, truth = simulate_restaurant_visits(50, seed=0, heterogeneity=0)
    c = truth["customers"]
    for j, grade in enumerate(truth["grades"]):
        assert (c.loc[c["grade"] == grade, "monthly_visits"] == truth["monthly_visits"][j]).all()


def test_bad_inputs():
    with pytest.raises(CRMInputError, match=r"argument `grade_shares`: must sum to 1"):
        simulate_restaurant_visits(10, grade_shares=(0.5, 0.5, 0.5, 0.5))
    with pytest.raises(CRMInputError, match=r"argument `monthly_visits`: needs one number per grade"):
        simulate_restaurant_visits(10, monthly_visits=(1, 2))
    with pytest.raises(CRMInputError, match=r"argument `party_size`: each mean must be >= 1"):
        simulate_restaurant_visits(10, party_size=(0.5, 2, 2, 2))
    with pytest.raises(CRMInputError, match=r"argument `start`: must be a date"):
        simulate_restaurant_visits(10, start="someday")
    with pytest.raises(CRMInputError, match=r"argument `n_customers`: must be >= 1"):
        simulate_restaurant_visits(0)
    with pytest.raises(CRMInputError, match=r"argument `seed`"):
        simulate_restaurant_visits(10, seed=-1)
