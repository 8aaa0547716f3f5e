"""Tests of crm_lessons.simulate.subscriptions: structure, known hazards, bad inputs."""

import numpy as np
import pytest

from crm_lessons._validation import CRMInputError
from crm_lessons.simulate import simulate_subscriptions


def test_structure_and_dates_are_consistent():
    data, truth = simulate_subscriptions(5_000, seed=1, n_periods=24)
    assert data["customer_id"].is_unique
    assert (data["tenure"] >= 1).all() and (data["tenure"] <= 24).all()
    assert data["end_date"].isna().eq(~data["churned"]).all()
    assert (data["end_date"].dropna() <= truth["as_of"]).all()
    months = (data["end_date"].dt.to_period("M") - data["start_date"].dt.to_period("M")).dropna()
    assert (months.map(lambda d: d.n) + 1 == data.loc[data["churned"], "tenure"]).all()
    assert set(truth["segments"]) == set(data["contract"].cat.categories)
    again, _ = simulate_subscriptions(5_000, seed=1, n_periods=24)
    assert again.equals(data)


def test_first_month_churn_matches_true_probability():
    # every customer faces renewal 1; P(T = 1) = E[theta] = alpha / (alpha + beta) per contract
    data, truth = simulate_subscriptions(200_000, seed=2, coefficients={})
    first = data.assign(t1=(data["tenure"] == 1) & data["churned"])
    rate = first.groupby("contract", observed=True)["t1"].mean()
    for seg, (_, a, b) in truth["segments"].items():
        assert rate[seg] == pytest.approx(a / (a + b), rel=0.05)


def test_snapshot_rows_are_active_in_the_last_month():
    data, truth = simulate_subscriptions(50_000, seed=3, snapshot=True, heterogeneity=False)
    assert (data.loc[data["churned"], "end_date"] == truth["as_of"]).all()
    assert data["churned"].mean() == pytest.approx(truth["p_churn"].mean(), abs=0.004)
    assert np.allclose(truth["p_churn"].index, data.index)


def test_bad_inputs():
    with pytest.raises(CRMInputError, match="argument `n_customers`: must be a whole number"):
        simulate_subscriptions(10.5)
    with pytest.raises(CRMInputError, match="shares must sum to 1"):
        simulate_subscriptions(10, segments={"a": (0.5, 1.0, 2.0)})
    with pytest.raises(CRMInputError, match="unknown covariate"):
        simulate_subscriptions(10, coefficients={"age": 0.1})
    with pytest.raises(CRMInputError, match="must be \\(share, alpha, beta\\)"):
        simulate_subscriptions(10, segments={"a": (1.0, -1.0, 2.0)})
