"""Tests of crm_lessons.replenishment (lesson 1.3): hand calculations and simulated households."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons._validation import CRMInputError
from crm_lessons.replenishment import ReplenishmentModel, plot_household, visit_list
from crm_lessons.simulate import simulate_households

D = pd.to_datetime


@pytest.fixture
def shop():
    households = pd.DataFrame({"household_id": [1, 2, 3], "size": [4, 2, 5]})
    purchases = pd.DataFrame({
        "household_id": [1, 1, 1, 2, 2, 3],
        "date": D(["2024-01-01", "2024-01-11", "2024-01-26", "2024-01-01", "2024-01-31", "2024-01-20"]),
        "quantity_kg": [10.0, 15.0, 10.0, 10.0, 5.0, 20.0],
    })
    return purchases, households


def test_rates_and_shrinkage_by_hand(shop):
    purchases, households = shop
    m = ReplenishmentModel(prior_person_days=60).fit(purchases, households)
    r = m.rates_
    # household 1: 25 kg eaten over 25 days by 4 people = 0.25; household 2: 10 kg / (2 * 30) = 1/6
    assert r.loc[1, "rate_raw"] == pytest.approx(0.25)
    assert r.loc[2, "rate_raw"] == pytest.approx(1 / 6)
    assert np.isnan(r.loc[3, "rate_raw"])                   # one purchase only
    pooled = (25 + 10) / (100 + 60)
    assert m.pooled_rate_ == pytest.approx(pooled)
    assert r.loc[1, "rate"] == pytest.approx((100 * 0.25 + 60 * pooled) / 160)
    assert r.loc[2, "rate"] == pytest.approx((60 / 6 + 60 * pooled) / 120)
    assert r.loc[3, "rate"] == pytest.approx(pooled)        # falls back to the pooled rate
    pred = m.predict()
    days1 = 10 / (4 * r.loc[1, "rate"])
    assert pred.loc[1, "days_cover"] == pytest.approx(days1)
    assert pred.loc[1, "next_purchase"] == D("2024-01-26") + pd.Timedelta(days=round(days1))
    assert pred.loc[3, "days_cover"] == pytest.approx(20 / (5 * pooled))


def test_no_shrinkage_uses_own_rate(shop):
    purchases, households = shop
    r = ReplenishmentModel(prior_person_days=0).fit(purchases, households).rates_
    assert r.loc[1, "rate"] == pytest.approx(0.25)
    assert r.loc[2, "rate"] == pytest.approx(1 / 6)


def test_visit_list(shop):
    purchases, households = shop
    pred = ReplenishmentModel(prior_person_days=0).fit(purchases, households).predict()
    # next purchases: 1 -> 01-26 + 10 days = 02-05; 2 -> 01-31 + 15 days = 02-15
    assert pred.loc[[1, 2], "next_purchase"].tolist() == [D("2024-02-05"), D("2024-02-15")]
    week = visit_list(pred, "2024-02-01", lead_days=2)
    assert 1 in week.index and 2 not in week.index
    assert week.loc[1, "visit_date"] == D("2024-02-03")
    later = visit_list(pred, "2024-02-12", lead_days=2, include_overdue=False)
    assert later.index.tolist() == [2]


@pytest.mark.parametrize("seed", [0, 1])
def test_predicts_true_next_purchase_of_simulated_households(seed):
    data, truth = simulate_households(400, seed=seed)
    t = truth["households"].set_index("household_id")
    m = ReplenishmentModel().fit(data["purchases"], data["households"])
    # consumption rates within a few percent of the truth
    rel = (m.rates_["rate"] / t["rate_per_person"] - 1).abs()
    assert rel.median() < 0.05, rel.median()
    assert m.pooled_rate_ == pytest.approx(np.average(t["rate_per_person"], weights=t["size"]), rel=0.1)
    pred = m.predict()
    err = (pred["next_purchase"] - t["next_purchase"]).dt.days
    assert err.abs().mean() < 2.5, err.abs().mean()
    assert abs(err.mean()) < 1.0                          # no systematic bias
    # a visit 2 days ahead comes before the rice runs out for almost every household
    on_time = (pred["next_purchase"] - pd.Timedelta(days=2) <= t["run_out"]).mean()
    assert on_time > 0.9, on_time


def test_shrinkage_helps_households_with_short_histories():
    data, truth = simulate_households(600, seed=5, noise_sd=0.3)
    t = truth["households"].set_index("household_id")
    short = data["purchases"].groupby("household_id").head(2)   # only the first two purchases
    errs = {}
    for tau in (0, 150):
        r = ReplenishmentModel(prior_person_days=tau).fit(short, data["households"]).rates_
        errs[tau] = ((r["rate"] - t["rate_per_person"]) ** 2).mean()
    assert errs[150] < errs[0], errs


def test_simulated_truth_is_consistent():
    data, truth = simulate_households(200, seed=3)
    t = truth["households"]
    assert (data["purchases"]["date"] <= truth["as_of"]).all()
    assert (t["next_purchase"] > truth["as_of"]).all()
    assert ((t["run_out"] - t["next_purchase"]).dt.days == t["buffer_days"]).all()
    assert np.allclose(t["daily_kg"], t["size"] * t["rate_per_person"])


def test_plot_household(shop):
    import matplotlib.pyplot as plt
    purchases, households = shop
    m = ReplenishmentModel().fit(purchases, households)
    ax = plot_household(purchases, m, 1)
    assert ax.get_title().startswith("Household 1")
    plt.close("all")
    with pytest.raises(CRMInputError, match="unknown household 9"):
        plot_household(purchases, m, 9)


def test_bad_inputs_give_clear_messages(shop):
    purchases, households = shop
    with pytest.raises(CRMInputError, match="ReplenishmentModel is not fitted yet"):
        ReplenishmentModel().predict()
    with pytest.raises(CRMInputError, match=r"column 'qty' \(given as quantity_col\) is missing"):
        ReplenishmentModel().fit(purchases, households, quantity_col="qty")
    with pytest.raises(CRMInputError, match=r"column 'quantity_kg' \(quantity_col\), row 0: values must be > 0"):
        ReplenishmentModel().fit(purchases.assign(quantity_kg=[0.0, 1, 1, 1, 1, 1]), households)
    with pytest.raises(CRMInputError, match=r"argument `households`, column 'size' \(size_col\), row 1: values must be >= 1"):
        ReplenishmentModel().fit(purchases, households.assign(size=[4, 0, 5]))
    with pytest.raises(CRMInputError, match="household ids must be unique; found 1 twice"):
        ReplenishmentModel().fit(purchases, pd.concat([households, households.iloc[:1]]))
    with pytest.raises(CRMInputError, match="every purchase must belong to a household"):
        ReplenishmentModel().fit(purchases, households.iloc[:2])
    with pytest.raises(CRMInputError, match="no household has two purchases on different days"):
        ReplenishmentModel().fit(purchases.iloc[[0, 3, 5]], households)
    with pytest.raises(CRMInputError, match="argument `prior_person_days`: must be >= 0"):
        ReplenishmentModel(prior_person_days=-1).fit(purchases, households)
    with pytest.raises(CRMInputError, match="argument `week_start`: must be a date"):
        visit_list(ReplenishmentModel().fit(purchases, households).predict(), "next week")
    with pytest.raises(CRMInputError, match="argument `as_of`: must be at least 90 days after start"):
        simulate_households(10, as_of="2024-02-01")
