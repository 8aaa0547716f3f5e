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


# --------------------------------------------------------------------------- lesson 5.3 helpers
from crm_lessons import funnel  # noqa: E402


def test_the_slides_forecast_table_to_the_unit():
    # seed 002, C61: 5/4/3/2/2/2 opportunities, 300/240/176/464/146/98 万欧元 = 1,424; C63: forecast formula
    table = funnel.pipeline_table(funnel.SOURCE_FUNNEL)
    assert table["stage_zh"].tolist() == ["销售线索", "机会建立", "方案提供", "方案评估", "商务谈判", "合同签定", "总计"]
    assert table.loc["total", "count"] == 18 and table.loc["total", "amount"] == 1424
    assert table["expected"].tolist() == [15.0, 24.0, 35.2, 139.2, 73.0, 78.4, 364.8]
    f = funnel.sales_forecast(funnel.SOURCE_FUNNEL, closed_revenue=250)
    assert f["forecast"] == pytest.approx(250 + 364.8) and f["pipeline_amount"] == 1424


def test_velocity_and_coverage_by_hand():
    sim = simulate_opportunities(3_000, seed=8, outside_share=0.1)
    d = sim.data
    closed = d[d["status"] != "open"]
    won = closed[closed["status"] == "won"]
    by_hand = len(closed) * (len(won) / len(closed)) * won["amount"].mean() / won["days_open"].mean()
    assert funnel.velocity(d)["velocity"].iloc[0] == pytest.approx(by_hand)
    rates = sim.truth["win_rates"]
    cov = funnel.coverage(d, rates, {"R1": 1e6, "R2": 2e6, "R3": 0.0, "R4": 5e5})
    r1 = d[d["rep"] == "R1"]
    open1 = r1[r1["status"] == "open"]
    gap = 1e6 - r1.loc[r1["status"] == "won", "amount"].sum()
    assert cov.loc["R1", "gap"] == pytest.approx(max(gap, 0))
    expected = (open1["amount"] * open1["stage"].astype(str).map(rates)).sum()
    assert cov.loc["R1", "expected"] == pytest.approx(expected)
    assert cov.loc["R3", "coverage"] == np.inf  # no gap
    with pytest.raises(CRMInputError, match=r"argument `targets`: needs a target for every rep"):
        funnel.coverage(d, rates, {"R1": 1.0})


def test_open_pipeline_forecast_is_unbiased_against_the_simulated_outcomes():
    # durations do not depend on the outcome, so an open deal at stage k is won with probability w_k:
    # over many snapshots the realised revenue of the open pipeline averages its weighted forecast
    kw = dict(seed=11, span_days=900, snapshot_days=900)
    sim = simulate_opportunities(30_000, **kw)
    views = {day: simulate_opportunities(30_000, **{**kw, "snapshot_days": day}).data for day in range(300, 900, 60)}
    bt = funnel.forecast_backtest(views, sim.truth["final_status"], sim.truth["win_rates"])
    ratio = bt["realised"].sum() / bt["forecast"].sum()
    assert ratio == pytest.approx(1, abs=0.06), bt
    # the same deals, seen at a later date, are the same deals (the snapshot only changes the view)
    later = views[840].set_index("opportunity_id")
    early = views[300].set_index("opportunity_id")
    assert (later.loc[early.index, "amount"] == early["amount"]).all()


def test_stage_progress_moves_only_up_the_funnel():
    kw = dict(seed=5, span_days=365)
    before = simulate_opportunities(4_000, snapshot_days=200, **kw).data
    after = simulate_opportunities(4_000, snapshot_days=290, **kw).data
    prog = funnel.stage_progress(before, after)
    assert prog.to_numpy().sum() == (before["status"] == "open").sum()
    stages = list(before["stage"].cat.categories)
    for row in prog.index:  # an open deal never moves down
        for col in prog.columns:
            if col in stages and stages.index(col) < stages.index(row):
                assert prog.loc[row, col] == 0


def test_roles_effect_and_out_of_funnel_share_are_recovered():
    sim = simulate_opportunities(60_000, seed=9, span_days=90, snapshot_days=730, outside_share=0.2,
                                 role_effect=0.1)
    d = sim.data
    won = d[d["status"] == "won"]
    assert (~won["in_funnel"]).mean() == pytest.approx(0.2, abs=0.02)
    at_contract = d[d["in_funnel"] & d["stage"].isin(["contract", "implementation"])]
    rate = at_contract.groupby("roles_engaged")["status"].apply(lambda s: (s == "won").mean())
    truth = 0.8 * (1 + 0.1 * (rate.index - 2))
    n = at_contract.groupby("roles_engaged").size()
    assert np.all(np.abs(rate - truth) < 4 * np.sqrt(truth * (1 - truth) / n))
    with pytest.raises(CRMInputError, match=r"argument `role_effect`"):
        simulate_opportunities(10, role_effect=0.2)
