"""crm_lessons.defects: 1 - (1 - p)^k against simulation, enumeration and the inverse."""

import itertools

import numpy as np
import pytest

from crm_lessons import defects
from crm_lessons._validation import CRMInputError


def test_the_lessons_headline_number():
    assert defects.p_meets_defect(0.01, 200) == pytest.approx(1 - 0.99 ** 200)
    assert round(defects.p_meets_defect(0.01, 200), 3) == 0.866             # "87% of owners"


def test_unequal_rates_by_enumerating_every_outcome():
    rates = [0.1, 0.25, 0.4]
    p_none = 0.0
    for outcome in itertools.product([0, 1], repeat=3):                       # all 8 defect patterns
        prob = np.prod([r if d else 1 - r for r, d in zip(rates, outcome)])
        p_none += prob * (sum(outcome) == 0)
    assert defects.p_meets_defect(rates) == pytest.approx(1 - p_none)


@pytest.mark.parametrize("p, k", [(0.01, 200), (0.002, 50), (0.05, 10)])
def test_simulation_agrees_with_the_formula(p, k):
    homes = defects.simulate_defects(40000, p=p, k=k, seed=11)
    truth = defects.p_meets_defect(p, k)
    se = np.sqrt(truth * (1 - truth) / len(homes))
    assert abs(homes["any_defect"].mean() - truth) < 4 * se
    assert homes["defects"].mean() == pytest.approx(k * p, rel=0.05)
    assert homes.attrs["p_meets_defect"] == pytest.approx(truth)


def test_simulation_with_one_rate_per_item():
    rates = np.r_[np.full(20, 0.05), np.full(80, 0.001)]
    homes = defects.simulate_defects(40000, p=rates, seed=2)
    truth = 1 - np.prod(1 - rates)
    assert abs(homes["any_defect"].mean() - truth) < 4 * np.sqrt(truth * (1 - truth) / 40000)
    assert homes["defects"].mean() == pytest.approx(rates.sum(), rel=0.05)


@pytest.mark.parametrize("target, k", [(0.1, 200), (0.5, 10), (0.01, 1)])
def test_max_item_rate_inverts_the_formula(target, k):
    p = defects.max_item_rate(target, k)
    assert defects.p_meets_defect(p, k) == pytest.approx(target)
    assert defects.p_meets_defect(p * 1.01, k) > target


def test_edges():
    assert defects.p_meets_defect(0.3, 0) == 0.0
    assert defects.p_meets_defect(1.0, 3) == 1.0
    assert defects.p_meets_defect(1e-12, 1000) == pytest.approx(1e-9, rel=1e-6)   # accurate for tiny rates
    assert not defects.simulate_defects(10, p=0.0, k=5)["any_defect"].any()


@pytest.mark.parametrize("call, message", [
    (lambda: defects.p_meets_defect(1.5, 10), "argument `p`"),
    (lambda: defects.p_meets_defect([0.1, -0.2]), "argument `p`"),
    (lambda: defects.p_meets_defect(0.1, -1), "argument `k`"),
    (lambda: defects.p_meets_defect([0.1, 0.2], 5), "argument `k`"),
    (lambda: defects.max_item_rate(0.1, 0), "argument `k`"),
    (lambda: defects.simulate_defects(0, p=0.1, k=3), "argument `n_owners`"),
])
def test_bad_inputs_name_the_argument(call, message):
    with pytest.raises(CRMInputError, match=message):
        call()
