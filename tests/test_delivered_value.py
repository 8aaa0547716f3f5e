"""Tests of crm_lessons.delivered_value (lesson 2.2) against hand calculations."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons._validation import CRMInputError
from crm_lessons.delivered_value import (COMPONENTS, choice_shares, delivered_value,
                                         plot_delivered_value)


@pytest.fixture
def offers():
    return pd.DataFrame({
        "offer": ["own", "rival A", "rival B"],
        "product_value": [120.0, 110.0, 90.0], "service_value": [40.0, 20.0, 10.0],
        "personnel_value": [20.0, 15.0, 5.0], "image_value": [20.0, 35.0, 5.0],
        "monetary_cost": [100.0, 95.0, 60.0], "time_cost": [10.0, 20.0, 15.0],
        "energy_cost": [5.0, 10.0, 10.0], "psychic_cost": [5.0, 5.0, 10.0],
    })


def test_totals_by_hand(offers):
    t = delivered_value(offers)
    assert t.index.tolist() == ["own", "rival A", "rival B"]
    assert t.loc["own", "total_value"] == 200 and t.loc["own", "total_cost"] == 120
    assert t.loc["rival A", "delivered_value"] == 180 - 130
    assert t.loc["rival B", "delivered_value"] == 110 - 95
    assert t.loc["own", "value_ratio"] == pytest.approx(200 / 120)
    assert t["rank"].tolist() == [1, 2, 3]


def test_better_service_can_overtake(offers):
    # Rival A raising its service value by 40 delivers 90 > 80 without changing its price.
    t = delivered_value(offers.assign(service_value=[40.0, 60.0, 10.0]))
    assert t.index[0] == "rival A" and t.loc["rival A", "delivered_value"] == 90


def test_custom_columns_and_input_unchanged(offers):
    before = offers.copy()
    t = delivered_value(offers, value_cols=["product_value"], cost_cols=["monetary_cost", "time_cost"])
    assert t.loc["rival B", "delivered_value"] == 90 - 75
    pd.testing.assert_frame_equal(offers, before)
    assert len(COMPONENTS) == 8


def test_choice_shares_are_a_softmax(offers):
    t = delivered_value(offers)
    s = choice_shares(t, scale=20)
    dv = np.array([80.0, 50.0, 15.0])
    expected = np.exp(dv / 20) / np.exp(dv / 20).sum()
    np.testing.assert_allclose(s.to_numpy(), expected)
    assert s.sum() == pytest.approx(1)
    # less taste spread -> the best offer wins nearly everyone
    assert choice_shares(t, scale=1).iloc[0] > 0.999
    # shift invariance: adding the same value to every offer changes nothing
    np.testing.assert_allclose(choice_shares(t.assign(delivered_value=t.delivered_value + 1000), scale=20), s)


def test_plot(offers):
    import matplotlib.pyplot as plt
    ax = plot_delivered_value(delivered_value(offers))
    assert ax.get_title().startswith("Customer delivered value")
    assert len(ax.patches) == 3 * 8
    plt.close("all")


def test_bad_inputs_give_clear_messages(offers):
    with pytest.raises(CRMInputError, match=r"column 'image_value' \(given as value_cols\[3\]\) is missing"):
        delivered_value(offers.drop(columns="image_value"))
    with pytest.raises(CRMInputError, match=r"column 'time_cost' \(time_cost\)|column 'time_cost', row 1: values must be >= 0; found -5.0"):
        delivered_value(offers.assign(time_cost=[1.0, -5.0, 1.0]))
    with pytest.raises(CRMInputError, match="values must be numbers; found 'cheap'"):
        delivered_value(offers.assign(monetary_cost=["cheap", 1, 1]))
    with pytest.raises(CRMInputError, match="offer names must be unique; found 'own' twice"):
        delivered_value(offers.assign(offer=["own", "own", "x"]))
    with pytest.raises(CRMInputError, match="offer 'own' has a total customer cost of 0"):
        zero = offers.copy()
        zero.loc[0, ["monetary_cost", "time_cost", "energy_cost", "psychic_cost"]] = 0.0
        delivered_value(zero)
    with pytest.raises(CRMInputError, match=r"cannot be both a value and a cost; found \['time_cost'\]"):
        delivered_value(offers, value_cols=["product_value", "time_cost"])
    with pytest.raises(CRMInputError, match="argument `scale`: must be > 0"):
        choice_shares(delivered_value(offers), scale=0)
    with pytest.raises(CRMInputError, match="expected a pandas DataFrame; found dict"):
        delivered_value({"offer": ["a"]})


def test_individual_choices_by_hand(offers):
    from crm_lessons.delivered_value import individual_choices
    t = delivered_value(offers)
    # customer 1 weighs everything at 1 (picks the best offer); customer 2 counts money cost triple
    w = pd.DataFrame({"monetary_cost": [1.0, 3.0]}, index=[1, 2])
    out = individual_choices(t, w)
    assert out.loc[1, ["own", "rival A", "rival B"]].tolist() == [80.0, 50.0, 15.0]
    assert out.loc[2, "own"] == 200 - (300 + 20) and out.loc[2, "rival B"] == 110 - (180 + 35)
    assert out["choice"].tolist() == ["own", "rival B"]
    with pytest.raises(CRMInputError, match="column 'taste' is not a value or cost component"):
        individual_choices(t, pd.DataFrame({"taste": [1.0]}))
    with pytest.raises(CRMInputError, match=r"argument `weights`, column 'time_cost', row 0: values must be >= 0"):
        individual_choices(t, pd.DataFrame({"time_cost": [-1.0]}))


def test_simulated_tastes_and_logit_shares(offers):
    from crm_lessons.delivered_value import individual_choices
    from crm_lessons.simulate import simulate_tastes
    t = delivered_value(offers)
    w0, _ = simulate_tastes(500, seed=1, spread=0.0)
    assert (individual_choices(t, w0)["choice"] == "own").all()   # identical tastes: all pick the best
    w, truth = simulate_tastes(20_000, seed=2, spread=0.7)
    assert truth["spread"] == 0.7
    assert w.to_numpy().mean() == pytest.approx(1, abs=0.01)
    assert np.log(w.to_numpy()).std() == pytest.approx(0.7, rel=0.02)
    shares = individual_choices(t, w)["choice"].value_counts(normalize=True)
    # with taste spread the best offer still wins most, but not all, customers
    assert 0.5 < shares["own"] < 0.99
    assert shares.idxmax() == "own" and shares["rival A"] > 0.02 and shares["rival B"] > 0.02
