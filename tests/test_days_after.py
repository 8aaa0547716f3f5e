"""Dates from day counts without pandas 2.2's read of uninitialised memory at NaN days."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons.simulate import simulate_opportunities
from crm_lessons.simulate._base import days_after
from crm_lessons.simulate.retail import simulate_retail


def test_days_after_equals_pandas_on_known_days_and_gives_nat_for_the_rest():
    rng = np.random.default_rng(3)
    d = rng.uniform(-50, 900, 1000)
    expected = pd.Timestamp("2023-01-01") + pd.to_timedelta(d, unit="D")
    pd.testing.assert_index_equal(days_after("2023-01-01", d), expected)
    holes = d.copy()
    holes[::7], holes[3::11] = np.nan, np.inf
    got = days_after("2023-01-01", holes)
    unknown = ~np.isfinite(holes)
    assert got[unknown].isna().all() and got[~unknown].equals(expected[~unknown])


@pytest.mark.parametrize("seed", [0, 42])
def test_simulators_with_unknown_days_never_hand_a_nan_to_pandas(seed):
    # tests/conftest.py makes pandas 2.2's conversion refuse a NaN (it would round uninitialised memory);
    # these generators have deals still open (no close day) and customers never converted.
    deals = simulate_opportunities(2000, seed=seed, span_days=730, snapshot_days=730, outside_share=0.1).data
    assert deals["closed"].isna().any() and deals["closed"].notna().any()
    customers = simulate_retail(1500, seed=seed).data["customers"]
    assert customers["prospect_date"].isna().any()
