"""Erlang C staffing: published worked examples, a direct formula and a simulation."""

import math

import numpy as np
import pandas as pd
import pytest

from crm_lessons import callcenter as cc
from crm_lessons._validation import CRMInputError


def _erlang_c_direct(n, a):
    """Textbook form with factorials (fine for small n): an independent calculation."""
    top = a**n / math.factorial(n) * n / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


@pytest.mark.parametrize("n,a", [(1, 0.5), (3, 2.0), (11, 10.0), (20, 17.3), (55, 48.0)])
def test_erlang_c_matches_factorial_formula(n, a):
    assert cc.erlang_c(n, a) == pytest.approx(_erlang_c_direct(n, a), rel=1e-10)


def test_erlang_b_matches_factorial_formula():
    a, n = 7.5, 9
    direct = a**n / math.factorial(n) / sum(a**k / math.factorial(k) for k in range(n + 1))
    assert cc.erlang_b(n, a) == pytest.approx(direct, rel=1e-12)


# Call Centre Helper, "Erlang C formula - made simple with an easy worked example":
# 100 calls in 30 minutes, AHT 180 s (10 erlangs), target 80% answered in 20 s.
# Published: P(wait) 68.21%, 44.94%, 28.53%, 17.41% for 11..14 agents; service level
# 39.0%, 64.0%, 79.6%, 88.8%; 14 agents needed, 20 with 30% shrinkage.
@pytest.mark.parametrize("n,p_wait,sl", [(11, 0.6821, 0.390), (12, 0.4494, 0.640),
                                         (13, 0.2853, 0.796), (14, 0.1741, 0.888)])
def test_call_centre_helper_example(n, p_wait, sl):
    assert round(cc.erlang_c(n, 10.0), 4) == p_wait
    assert round(cc.service_level(n, 10.0, aht=180, answer_time=20), 3) == sl


def test_call_centre_helper_staffing():
    assert cc.agents_needed(calls=100, interval=1800, aht=180, target_sl=0.8, answer_time=20) == 14
    table = cc.staffing_table(pd.Series([100.0]), interval=1800, aht=180, shrinkage=0.3)
    assert int(table["staff"].iloc[0]) == 20


# Westbay Engineers, "The Erlang-C formula": 360 calls per half hour, 4-minute calls, 55 agents,
# 15 s target. Published: traffic 48 erlangs, occupancy 0.873, Erlang C 0.239, ASA 8.2 s, SL 84.6%.
def test_westbay_example():
    assert cc.occupancy(55, 48.0) == pytest.approx(0.873, abs=5e-4)
    assert cc.erlang_c(55, 48.0) == pytest.approx(0.239, abs=5e-4)
    assert cc.asa(55, 48.0, aht=240) == pytest.approx(8.2, abs=0.05)
    assert cc.service_level(55, 48.0, aht=240, answer_time=15) == pytest.approx(0.846, abs=5e-4)


def test_large_centre_is_stable():
    p = cc.erlang_c(3000, 2950.0)
    assert 0 < p < 1 and np.isfinite(p)


def test_overloaded_centre():
    assert cc.erlang_c(10, 10.0) == 1.0
    assert cc.service_level(9, 10.0, aht=180, answer_time=20) == 0.0
    assert cc.asa(9, 10.0, aht=180) == float("inf")


def test_simulation_agrees_with_formulas():
    sim = cc.simulate_queue(12, arrival_rate=100 / 1800, aht=180, n_calls=200_000, answer_time=20, seed=3)
    assert sim["p_wait"] == pytest.approx(cc.erlang_c(12, 10.0), abs=0.02)
    assert sim["service_level"] == pytest.approx(cc.service_level(12, 10.0, aht=180, answer_time=20), abs=0.02)
    assert sim["asa"] == pytest.approx(cc.asa(12, 10.0, aht=180), rel=0.1)
    assert sim["occupancy"] == pytest.approx(cc.occupancy(12, 10.0), abs=0.02)


def test_max_occupancy_adds_agents():
    n = cc.agents_needed(calls=360, interval=1800, aht=240, target_sl=0.5, answer_time=15, max_occupancy=0.8)
    assert n == 60  # 48 / 0.8


def test_bad_inputs():
    with pytest.raises(CRMInputError, match=r"argument `target_sl`: must be a probability"):
        cc.agents_needed(calls=10, interval=1800, aht=180, target_sl=80)
    with pytest.raises(CRMInputError, match=r"argument `agents`: must be a whole number"):
        cc.erlang_c(2.5, 1.0)
    with pytest.raises(CRMInputError, match=r"argument `agents`: must exceed the traffic 10 erlangs"):
        cc.simulate_queue(10, arrival_rate=100 / 1800, aht=180)
