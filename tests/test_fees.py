"""crm_lessons.fees: the Citibank-style fee against an independent, customer-by-customer calculation."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons import fees
from crm_lessons._validation import CRMInputError

TERMS = dict(threshold=5000.0, leave_per_dollar=0.05, margin_rate=0.02, cost_per_customer=120.0)


def _by_loop(balances, fee, threshold, leave_per_dollar, margin_rate, cost_per_customer, months=12):
    """Customer by customer, in plain Python: fee revenue, margin lost and cost saved."""
    q = min(1.0, leave_per_dollar * fee)
    revenue = lost = saved = 0.0
    for b in balances:
        if b < threshold:
            revenue += (1 - q) * fee * months
            lost += q * margin_rate * b
            saved += q * cost_per_customer
    return revenue, lost, saved, revenue - lost + saved


@pytest.fixture(scope="module")
def balances():
    return np.random.default_rng(3).lognormal(np.log(8000), 1.2, 3000)


@pytest.mark.parametrize("fee", [0.0, 3.0, 6.0, 12.5, 20.0, 40.0])
def test_outcome_matches_a_loop_over_customers(balances, fee):
    out = fees.fee_outcome(balances, fee=fee, **TERMS)
    revenue, lost, saved, change = _by_loop(balances, fee, **TERMS)
    assert out["fee_revenue"] == pytest.approx(revenue)
    assert out["lost_margin"] == pytest.approx(lost)
    assert out["saved_cost"] == pytest.approx(saved)
    assert out["profit_change"] == pytest.approx(change)
    assert out["charged"] == (balances < 5000).sum()
    assert out["profit_after"] == pytest.approx(out["profit_before"] + change)
    assert out["profit_before"] == pytest.approx((0.02 * balances - 120).sum())


def test_everyone_leaves_at_and_above_one_over_e(balances):
    small = balances[balances < 5000]
    for fee in (20.0, 30.0):
        out = fees.fee_outcome(balances, fee=fee, **TERMS)
        assert out["leave_share"] == 1.0 and out["fee_revenue"] == 0.0
        assert out["profit_change"] == pytest.approx(-(0.02 * small - 120).sum())


def test_best_fee_is_the_maximum_of_a_fine_scan(balances):
    scan = fees.fee_scan(balances, fees=np.arange(0, 20.0001, 0.001), **TERMS)
    best = fees.best_fee(balances, **TERMS)
    assert best == pytest.approx(scan.loc[scan["profit_change"].idxmax(), "fee"], abs=0.001)
    # the closed form 1/(2e) - D/(2M) from the mean profit of the charged customers
    d_bar = (0.02 * balances[balances < 5000] - 120).mean()
    assert best == pytest.approx(10 - d_bar / 24)


def test_profitable_small_customers_lower_the_best_fee(balances):
    cheap = dict(TERMS, cost_per_customer=0.0)
    assert fees.best_fee(balances, **cheap) < 10 < fees.best_fee(balances, **TERMS)
    assert fees.fee_outcome(balances, fee=20.0, **cheap)["profit_change"] < 0


def test_best_fee_clips_and_handles_no_one_charged():
    assert fees.best_fee([100.0], threshold=5000, leave_per_dollar=0.05, margin_rate=0.0,
                         cost_per_customer=1000.0) == pytest.approx(20.0)      # clipped at 1/e
    assert np.isnan(fees.best_fee([9000.0], **TERMS))
    assert fees.fee_outcome([9000.0], fee=6, **TERMS)["profit_change"] == 0


def test_scan_has_one_row_per_fee(balances):
    scan = fees.fee_scan(pd.Series(balances), fees=[0, 6], **TERMS)
    assert scan["fee"].tolist() == [0.0, 6.0] and scan.loc[0, "profit_change"] == 0


@pytest.mark.parametrize("kwargs, message", [
    (dict(balances=[-1.0, 2.0]), "argument `balances`"),
    (dict(balances=[]), "argument `balances`"),
    (dict(balances=[np.nan]), "argument `balances`"),
    (dict(fee=-1.0), "argument `fee`"),
    (dict(leave_per_dollar=-0.1), "argument `leave_per_dollar`"),
    (dict(cost_per_customer=-5.0), "argument `cost_per_customer`"),
])
def test_bad_inputs_name_the_argument(kwargs, message):
    args = dict(balances=[1000.0, 9000.0], fee=6.0, **TERMS) | kwargs
    with pytest.raises(CRMInputError, match=message):
        fees.fee_outcome(args.pop("balances"), **args)


def test_best_fee_needs_a_positive_elasticity():
    with pytest.raises(CRMInputError, match="argument `leave_per_dollar`"):
        fees.best_fee([1000.0], **dict(TERMS, leave_per_dollar=0.0))
    with pytest.raises(CRMInputError, match="argument `fees`"):
        fees.fee_scan([1000.0], fees=[], **TERMS)
