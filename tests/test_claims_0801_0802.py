"""Lessons 8.1 and 8.2: each sentence holds for other seeds and sizes; each lesson is rerun in-process and its
claims asserted, and the Explore callback is called at the ends of every control."""

import numpy as np
import pytest

from crm_lessons import crmdb
from lesson_exec import call_at_range_ends, run_lesson

RUNS_81 = [dict(seed=42, n_customers=2000, timing_sizes=(20_000, 200_000)),
           dict(seed=7, n_customers=500, timing_sizes=(10_000, 100_000)),
           dict(seed=1, n_customers=1000, timing_sizes=(20_000, 100_000))]


@pytest.fixture(scope="module", params=RUNS_81, ids=lambda p: f"seed{p['seed']}-n{p['n_customers']}")
def ns81(request):
    return run_lesson("08.01-Inside-a-CRM-System", **request.param)


def test_81_every_sql_answer_equals_pandas(ns81):
    for name in ("diff_rfm", "diff_revenue", "diff_pipe", "diff_cube", "diff_curve"):
        assert ns81[name] < 1e-6, name
    assert ns81["diff_tickets"] == 0


def test_81_the_360_example_is_a_buyer(ns81):
    assert ns81["view"].loc[ns81["star"], "kind"] == "customer"
    assert ns81["view"].loc[ns81["star"], "revenue"] == ns81["view"]["revenue"].max()


def test_81_targeting_never_loses_and_helps_the_catalogue_most(ns81):
    gain = ns81["gain"]
    assert (gain >= 0).all()
    assert gain.idxmax() == "Catalogue mailing"           # highest break-even rate, largest gain


def test_81_index_is_far_faster_and_scans_grow(ns81):
    t = ns81["timing"]
    scan = t[~t["index"]].set_index("rows")["ms_per_lookup"]
    idx = t[t["index"]].set_index("rows")["ms_per_lookup"]
    assert ns81["speedup"] > 10
    assert scan.iloc[-1] > 2 * scan.iloc[0]                 # grows with the rows
    assert idx.max() < scan.iloc[-1] / 10                   # the index barely moves
    assert (t["plan"] == np.where(t["index"], "SEARCH", "SCAN")).all()
    e = ns81["extra"]
    assert e["scan_ms"].iloc[0] > 1000 * e["index_ms"].iloc[0]


def test_81_explore_at_every_end():
    ns = run_lesson("08.01-Inside-a-CRM-System", seed=3, n_customers=300, timing_sizes=(5_000, 10_000))
    dims = list(crmdb.CUBE_DIMENSIONS)
    call_at_range_ends(ns, "explore", {"rows": dims, "columns": dims, "value": ["profit", "amount"]})
    call_at_range_ends(ns["explore"], {"rows": dims, "columns": dims, "value": ["profit", "amount"]})


# --------------------------------------------------------------------------- 8.2
RUNS_82 = [dict(seed=42, n_customers=50_000, n_draws=6000), dict(seed=7, n_customers=500, n_draws=4000),
           dict(seed=1, n_customers=20_000, n_draws=4000)]


@pytest.fixture(scope="module", params=RUNS_82, ids=lambda p: f"seed{p['seed']}-n{p['n_customers']}")
def ns82(request):
    return run_lesson("08.02-Choosing-and-Implementing-CRM", **request.param)


def test_82_scorecard_winner_is_not_sure(ns82):
    p = ns82["p_first"]
    leader = ns82["leader"]
    assert leader == "Vendor B"
    assert p.loc[leader, 50] < 0.8                          # "ranks first in only part of the draws"
    assert p.loc[leader, 10] < p.loc[leader, 50] < p.loc[leader, 200]   # more agreement, more wins
    for kappa in (50, 200):                                 # C wins least once the buyers broadly agree
        assert p[kappa].idxmin() == "Vendor C"


def test_82_business_case(ns82):
    case, mc = ns82["case"], ns82["mc"]
    assert case.attrs["npv"] > 0 and np.isfinite(case.attrs["payback"])
    assert 0.3 < ns82["p_pos"] < 0.95
    assert ns82["p_pos_working"] > 0.85                     # an adopted project almost always pays
    assert (mc.loc[mc["failed"], "npv"] < 0).all()          # a failed one loses its cost
    losers = mc[mc["npv"] <= 0]
    assert losers["failed"].mean() > 0.5                    # the risk is mostly adoption


def test_82_revenue_line_carries_the_case_and_hotel_check(ns82):
    pv = ns82["pv"]
    assert pv.idxmax() == "extra gross margin (sales per rep)"
    assert 0.3e9 < ns82["implied_revenue_usd"] < 3e9         # a large group, not a single hotel


def test_82_explore_at_every_end():
    ns = run_lesson("08.02-Choosing-and-Implementing-CRM", seed=3, n_customers=1000, n_draws=500)
    ranges = {"claim_share": (0.0, 1.0), "p_failure": (0.0, 0.8), "adoption_half_life": (0.25, 4.0),
              "adoption_ceiling": (0.3, 1.0)}
    call_at_range_ends(ns, "explore", ranges)
    call_at_range_ends(ns["explore"], ranges)
