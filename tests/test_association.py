"""Association rules against a published example and a brute-force count."""

from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from crm_lessons import association as assoc
from crm_lessons._validation import CRMInputError

# Tan, Steinbach & Kumar (2006), Introduction to Data Mining, table 6.1 and section 6.1
TAN = [{"bread", "milk"}, {"bread", "diapers", "beer", "eggs"}, {"milk", "diapers", "beer", "cola"},
       {"bread", "milk", "diapers", "beer"}, {"bread", "milk", "diapers", "cola"}]
ITEMS = ["bread", "milk", "diapers", "beer", "eggs", "cola"]


@pytest.fixture
def tan():
    return pd.DataFrame([[i in s for i in ITEMS] for s in TAN], columns=ITEMS)


def test_published_rule_measures(tan):
    r = assoc.association_rules(tan, min_support=0.2, min_confidence=0.0)
    row = r[(r["antecedent"] == ("milk", "diapers")) & (r["consequent"] == "beer")].iloc[0]
    assert row["support"] == pytest.approx(0.4) and row["confidence"] == pytest.approx(2 / 3)
    # the book's other rules from {beer, diapers, milk}: {milk,beer}=>{diapers} c=1.0, {diapers,beer}=>{milk} c=0.67
    c = r.set_index(["antecedent", "consequent"])["confidence"]
    assert c[(("milk", "beer"), "diapers")] == pytest.approx(1.0)
    assert c[(("diapers", "beer"), "milk")] == pytest.approx(2 / 3)
    assert row["lift"] == pytest.approx((2 / 3) / 0.6)


def test_apriori_equals_brute_force():
    rng = np.random.default_rng(1)
    b = pd.DataFrame(rng.random((300, 7)) < [0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05], columns=list("abcdefg"))
    got = assoc.frequent_itemsets(b, min_support=0.05, max_len=3).set_index("itemset")["support"]
    want = {}
    for k in (1, 2, 3):
        for combo in combinations(b.columns, k):
            s = b[list(combo)].all(axis=1).mean()
            if s >= 0.05:
                want[combo] = s
    assert set(got.index) == set(want)
    for k, v in want.items():
        assert got[k] == pytest.approx(v)


def test_holdout_and_targets(tan):
    r = assoc.association_rules(tan, min_support=0.4, min_confidence=0.5)
    same = assoc.rules_on_holdout(r, tan)
    np.testing.assert_allclose(same["confidence_holdout"], same["confidence"])
    np.testing.assert_allclose(same["lift_holdout"], same["lift"])
    t = assoc.cross_sell_targets(tan, ("milk", "diapers"), "beer")
    assert t.tolist() == [4]


def test_bad_basket():
    with pytest.raises(CRMInputError, match="holdings must be yes/no"):
        assoc.frequent_itemsets(pd.DataFrame({"x": [0, 2]}))
