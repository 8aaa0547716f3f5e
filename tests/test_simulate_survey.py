"""Tests of the survey and brand-panel generators (crm_lessons.simulate.survey / panel)."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.special import expit

from crm_lessons._validation import CRMInputError
from crm_lessons.simulate import simulate_survey, simulate_survey_log
from crm_lessons.simulate.panel import simulate_brand_panel


def test_survey_is_deterministic_and_in_range():
    a, ta = simulate_survey(300, seed=9)
    b, _ = simulate_survey(300, seed=9)
    pd.testing.assert_frame_equal(a, b)
    likert = [c for c in a.columns if c.endswith(("_expectation", "_experience", "_importance"))]
    assert a[likert].isin(range(1, 8)).all().all()
    assert a["overall_satisfaction"].between(1, 7).all()
    assert a["recommend"].between(0, 10).all()
    assert ta["weights"].sum() == pytest.approx(1.0)


def test_survey_truth_matches_population_design():
    survey, truth = simulate_survey(20_000, seed=2, population_size=20_000)   # the whole population
    assert (survey["overall_satisfaction"] >= 6).mean() == pytest.approx(truth["csat"])
    r = survey["recommend"]
    assert 100 * ((r >= 9).mean() - (r <= 6).mean()) == pytest.approx(truth["nps"])
    # recommend ~ Binomial(10, expit(a + b (S - 4))): mean recommend by satisfaction level
    c = truth["recommend_curve"]
    by_s = survey.groupby("overall_satisfaction")["recommend"].mean()
    for s in (3, 4, 5):
        assert by_s[s] == pytest.approx(10 * expit(c["a"] + c["b"] * (s - 4)), abs=0.1)


def test_survey_thresholds_cut_the_latent_score():
    coarse, truth = simulate_survey(5000, seed=3, thresholds=[0, 4.5, 100])
    assert set(coarse["overall_satisfaction"]) <= {1, 2, 3, 4}
    assert truth["scale"] == (1, 4)
    assert coarse["overall_satisfaction"].isin([2, 3]).all()


def test_survey_log_matches_survey():
    data, truth = simulate_survey_log(400, seed=6)
    alone, _ = simulate_survey(400, seed=6)
    pd.testing.assert_frame_equal(data["survey"], alone)
    tx = data["transactions"]
    assert set(tx["customer_id"]) == set(alone["customer_id"])
    assert tx["date"].between("2025-01-01", "2025-12-31").all()
    # extra purchases ~ Poisson(4 p): repurchasers intend to return and buy more often
    n = tx.groupby("customer_id").size()
    rep = alone.set_index("customer_id")["repurchase"]
    assert n[rep].mean() > n[~rep].mean()
    assert stats.mannwhitneyu(n[rep], n[~rep]).pvalue < 0.01


def test_survey_bad_inputs():
    with pytest.raises(CRMInputError, match="must be <= population_size"):
        simulate_survey(10, population_size=5)
    with pytest.raises(CRMInputError, match="argument `thresholds`"):
        simulate_survey(10, thresholds=[3, 2])
    with pytest.raises(CRMInputError, match="argument `n_respondents`: must be a whole number"):
        simulate_survey(2.5)
    with pytest.raises(CRMInputError, match="unknown options"):
        simulate_survey_log(10, colour="red")


def test_panel_first_choices_and_bad_matrix():
    panel, truth = simulate_brand_panel(4000, n_purchases=2, initial=[0.7, 0.1, 0.1, 0.1], seed=1)
    first = panel[panel["occasion"] == 1]["choice"].value_counts(normalize=True)
    assert first["A"] == pytest.approx(0.7, abs=0.03)
    assert np.allclose(truth["steady_state"].to_numpy() @ truth["transition"].to_numpy(),
                       truth["steady_state"].to_numpy())
    with pytest.raises(CRMInputError, match="summing to 1"):
        simulate_brand_panel(5, transition=pd.DataFrame([[0.5, 0.4], [0.5, 0.5]], index=["a", "b"],
                                                        columns=["a", "b"]))
    with pytest.raises(CRMInputError, match="argument `initial`"):
        simulate_brand_panel(5, initial=[1.0])
