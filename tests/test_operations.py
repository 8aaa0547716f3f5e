"""Customer operations (crm_lessons.operations): monthly rates, control limits, class audits."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons import operations as ops
from crm_lessons import segmentation as seg
from crm_lessons._validation import CRMInputError
from crm_lessons.simulate import simulate_restaurant_visits


def test_monthly_rates_by_hand():
    rng = np.random.default_rng(2)
    tx = pd.DataFrame({"customer_id": rng.integers(1, 60, 800),
                       "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 180, 800), unit="D"),
                       "amount": rng.gamma(2.0, 10.0, 800)})
    out = ops.monthly_rates(tx)
    m = tx.assign(month=tx["date"].dt.to_period("M"))
    by = m.groupby("month")["customer_id"].apply(set)
    months = list(by.index)
    for a, b in zip(months, months[1:]):
        assert out.loc[b, "retained"] == len(by[a] & by[b])
        assert np.isclose(out.loc[b, "retention"], len(by[a] & by[b]) / len(by[a]))
    assert np.isclose(out["revenue"].sum(), tx["amount"].sum())
    assert out["new"].sum() == tx["customer_id"].nunique()


def test_control_limits_false_signals_and_a_real_shift():
    rng = np.random.default_rng(4)
    n = np.full(20000, 400)
    k = rng.binomial(n, 0.3)
    chart = ops.control_limits(k, n)
    assert abs(chart["signal"].mean() - 0.0027) < 0.0015                 # 3-sigma: about 0.27% false signals
    k2 = k[:24].copy()
    k2[-1] = 400 * 0.38                                                   # an 8-point jump in the last month
    assert ops.control_limits(k2, n[:24])["signal"].iloc[-1]
    with pytest.raises(CRMInputError, match="successes"):
        ops.control_limits([5], [3])


def test_class_changes_counts_moves():
    visits, _ = simulate_restaurant_visits(800, months=6, seed=3)
    stats = seg.monthly_customer_stats(visits, months=6)
    out = ops.class_changes(stats, seg.RESTAURANT_RULES, column="min_monthly_visits", tier="B", values=[3, 4, 5])
    base = seg.tier_by_rules(stats)["tier"].astype(str)
    assert out.loc[out["threshold"] == 4, "changed"].item() == 0       # the original threshold changes nobody
    assert out.loc[out["threshold"] == 5, "B"].item() < (base == "B").sum()
    moved = seg.RESTAURANT_RULES.copy()
    moved.loc[moved["tier"] == "B", "min_monthly_visits"] = 3.0
    by_hand = (seg.tier_by_rules(stats, moved)["tier"].astype(str) != base).sum()
    assert out.loc[out["threshold"] == 3, "changed"].item() == by_hand
