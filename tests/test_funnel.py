"""Funnel: seed 002's weighted forecast, and recovery of the simulated stage win rates."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons._validation import CRMInputError
from crm_lessons.funnel import stage_win_rates, weighted_pipeline
from crm_lessons.simulate import simulate_opportunities
from crm_lessons.simulate.opportunities import FUNNEL_STAGES, SELLING_STAGES


def test_weighted_pipeline_reproduces_the_seed_table():
    # seed 002: stage totals (万欧元) 300, 240, 176, 464, 146, 98 at win rates 5..80%
    stages = [s for s, _, _ in SELLING_STAGES]
    rates = {s: r for s, _, r in SELLING_STAGES}
    rows = [("lead", 60.0)] * 5 + [("opportunity", 60.0)] * 4 + [("proposal", 176 / 3)] * 3 + \
        [("evaluation", 232.0)] * 2 + [("negotiation", 73.0)] * 2 + [("contract", 49.0)] * 2
    opps = pd.DataFrame(rows, columns=["stage", "amount"])
    out = weighted_pipeline(opps, rates)
    assert out["count"].tolist() == [5, 4, 3, 2, 2, 2]
    assert out["amount"].round(6).tolist() == [300, 240, 176, 464, 146, 98]
    assert list(out.index) == stages
    # 300*.05 + 240*.1 + 176*.2 + 464*.3 + 146*.5 + 98*.8, by hand
    assert out["expected"].sum() == pytest.approx(15 + 24 + 35.2 + 139.2 + 73 + 78.4)


def test_simulated_funnel_win_rates_are_recovered():
    # a matured cohort: created in the first 90 days, observed two years later
    sim = simulate_opportunities(200_000, seed=3, span_days=90, snapshot_days=730)
    assert (sim.data["status"] == "open").mean() < 0.001
    est = stage_win_rates(sim.data).iloc[:-1]  # the six selling stages; 项目实施 is won by definition
    truth = sim.truth["win_rates"].iloc[:-1]
    n = est["reached"].to_numpy()
    se = np.sqrt(truth * (1 - truth) / n)
    assert np.all(np.abs(est["won"] / n - truth) < 4 * se), (est, truth)
    assert stage_win_rates(sim.data)["win_rate"].iloc[-1] == 1
    conv = est["conversion"].to_numpy()
    assert np.allclose(conv, sim.truth["advance_probs"].to_numpy(), atol=0.01)


def test_stage_names_are_the_sources():
    # seed 002, C60-C61: seven stages, win rates 5/10/20/30/50/80% and 项目实施 after the contract
    assert [zh for _, zh, _ in FUNNEL_STAGES] == ["销售线索", "机会建立", "方案提供", "方案评估", "商务谈判",
                                                  "合同签定", "项目实施"]
    assert [r for _, _, r in SELLING_STAGES] == [0.05, 0.10, 0.20, 0.30, 0.50, 0.80]
    sim = simulate_opportunities(3_000, seed=2, labels="zh")
    assert sim.data["stage"].cat.categories.tolist() == [zh for _, zh, _ in FUNNEL_STAGES]
    won = sim.data["status"] == "won"
    assert (sim.data.loc[won, "stage"] == "项目实施").all() and (sim.data.loc[~won, "stage"] != "项目实施").all()


def test_open_deals_at_the_snapshot_and_their_stage():
    sim = simulate_opportunities(5_000, seed=1)
    data = sim.data
    open_ = data[data["status"] == "open"]
    assert len(open_) > 0 and open_["closed"].isna().all()
    assert data.loc[data["status"] != "open", "closed"].le(sim.truth["snapshot"]).all()
    assert (data["created"] <= sim.truth["snapshot"]).all()
    # same seed, same data
    pd.testing.assert_frame_equal(data, simulate_opportunities(5_000, seed=1).data)


def test_bad_inputs_name_the_problem():
    with pytest.raises(CRMInputError, match=r"stage order is unknown.*Pass stages="):
        stage_win_rates(pd.DataFrame({"stage": ["a"], "status": ["won"]}))
    with pytest.raises(CRMInputError, match=r"row 1: status must be 'won', 'lost' or 'open'; found 'maybe'"):
        stage_win_rates(pd.DataFrame({"stage": ["a", "a"], "status": ["won", "maybe"]}), stages=["a"])
    with pytest.raises(CRMInputError, match=r"row 0: stage must be one of \['a'\]; found 'z'"):
        weighted_pipeline(pd.DataFrame({"stage": ["z"], "amount": [1.0]}), {"a": 0.5})
    with pytest.raises(CRMInputError, match=r"must increase from stage to stage"):
        simulate_opportunities(10, win_rates=[0.5, 0.4, 0.3, 0.2, 0.1, 0.05])
