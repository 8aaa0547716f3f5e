"""Channels and touchpoints (crm_lessons.channels) and the contact simulator: against stated truth and hand calculations."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons import channels, complaints
from crm_lessons._validation import CRMInputError
from crm_lessons.simulate import simulate_contacts


@pytest.fixture(scope="module")
def sim():
    return simulate_contacts(20000, seed=4)


def test_cost_matrix_recovers_the_stated_unit_costs(sim):
    data, truth = sim
    est = channels.cost_matrix(data)
    n = channels.cost_matrix(data, stat="count")
    se = truth["unit_cost"] * 0.5 / np.sqrt(n)                   # gamma noise, shape 4: CV 0.5
    assert ((est - truth["unit_cost"]).abs() < 4 * se + 0.01).all().all()
    total = channels.cost_matrix(data, stat="sum")
    assert np.isclose(total.to_numpy().sum(), data["cost"].sum())


def test_channel_satisfaction_and_fcr_recover_the_truth(sim):
    data, truth = sim
    sat = data.groupby("channel", observed=True)["satisfaction"].agg(["mean", "std", "size"])
    assert ((sat["mean"] - truth["mean_satisfaction"]).abs() < 4 * sat["std"] / np.sqrt(sat["size"])).all()
    m = complaints.ticket_metrics(data, by="channel")             # the service-ticket helper reads the contacts
    fcr = truth["fcr_rate"].reindex(m.index)
    assert ((m["fcr_rate"] - fcr).abs() < 4 * np.sqrt(fcr * (1 - fcr) / m["tickets"])).all()
    med = truth["median_hours"].reindex(m.index)
    assert ((m["median_hours"] / med - 1).abs() < 0.1).all()


def test_cost_to_serve_against_groupby_and_the_channel_mix(sim):
    data, truth = sim
    t = channels.cost_to_serve(data)
    per_customer = data.groupby(["customer_type", "customer_id"], observed=True)["cost"].sum()
    hand = per_customer.groupby(level=0, observed=True).mean()
    assert np.allclose(t["cost_per_customer"], hand.reindex(t.index))
    mix = truth["channel_mix"]
    for ch in ("branch", "phone", "online"):
        assert (t[f"share_{ch}"] - mix.loc[t.index, ch]).abs().max() < 0.02
    assert t["cost_per_customer"].idxmax() == "corporate"          # twice the contacts, half of them by phone/branch


def test_migration_scenario_follows_the_formula(sim):
    data, _ = sim
    out = channels.migration_scenario(data, from_channel="branch", to_channel="online", share=0.2)
    g = data.groupby("channel", observed=True)
    n, c, s, f = g.size(), g["cost"].mean(), g["satisfaction"].mean(), g["first_contact_resolved"].mean()
    moved = 0.2 * n["branch"]
    assert np.isclose(out.loc["change", "cost"], -moved * (c["branch"] - c["online"]))
    assert np.isclose(out.loc["change", "cost_with_repeats"],
                      -moved * (c["branch"] / f["branch"] - c["online"] / f["online"]))
    assert np.isclose(out.loc["change", "mean_satisfaction"], -moved * (s["branch"] - s["online"]) / n.sum())
    assert np.isclose(out.loc["before", "cost"], data["cost"].sum())
    assert out.loc["change", "contacts"] == 0
    assert out.loc["change", "fcr_rate"] < 0 and out.loc["change", "cost"] < 0
    none = channels.migration_scenario(data, from_channel="branch", to_channel="phone", share=0.0)
    assert np.allclose(none.loc["change"], 0)


def test_migration_scenario_errors(sim):
    data, _ = sim
    with pytest.raises(CRMInputError, match=r"argument `to_channel`: no contacts through channel 'fax'; found "
                                            r"channels \['branch', 'online', 'phone'\]"):
        channels.migration_scenario(data, from_channel="branch", to_channel="fax")
    with pytest.raises(CRMInputError, match="argument `share`"):
        channels.migration_scenario(data, from_channel="branch", to_channel="phone", share=1.5)
    with pytest.raises(CRMInputError, match=r"argument `contacts`: column 'satisfaction'"):
        channels.migration_scenario(data.drop(columns="satisfaction"), from_channel="branch", to_channel="phone")


def test_touchpoints_and_walkaround():
    gaps = channels.touchpoint_gaps(channels.TOUCHPOINTS)
    assert gaps.index.tolist() == channels.TOUCHPOINT_CATEGORIES.index.tolist()
    assert gaps["touchpoints"].sum() == len(channels.TOUCHPOINTS)
    assert gaps["gaps"].sum() == (~channels.TOUCHPOINTS["in_place"]).sum()
    msgs = ["您的车辆保养已完成。", "1. 首先请带上行驶证\n2. 然后到服务台登记\n3. 费用：380元",
            "我们理解您担心费用,例如很多客户和您一样选择分期,为您节省利息。"]
    w = channels.walkaround_check(msgs)
    assert w["B_score"].tolist() == [1, 4, 1]
    assert w["C_score"].tolist() == [0, 0, 4]
    assert channels.walkaround_check(["x" * 200])["concise"].tolist() == [False]
    with pytest.raises(CRMInputError, match="argument `messages`"):
        channels.walkaround_check(["ok", None])
    assert set(channels.WALKAROUND["quadrant"]) == {"B", "C"}            # A and D are not in the source
    assert len(channels.CHANNELS) == 7
