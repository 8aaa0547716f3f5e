"""Duplicate matching scored by precision and recall against the simulated true pairs."""

import pandas as pd
import pytest

from crm_lessons import customer_data as cd
from crm_lessons.simulate.messy import simulate_messy_customers


@pytest.mark.parametrize("seed", [0, 3])
def test_matcher_precision_and_recall_on_simulated_truth(seed):
    data, truth = simulate_messy_customers(1000, seed=seed)
    m = cd.match_duplicates(data, threshold=0.7)
    q = cd.pair_quality(m[m["match"]], truth["pairs"])
    assert q["precision"] >= 0.95 and q["recall"] >= 0.9
    # normalising matters: exact raw name and raw phone find far fewer true pairs
    raw = data.merge(data, on=["name", "phone"], suffixes=("_a", "_b"))
    raw = raw[raw["record_id_a"] < raw["record_id_b"]].rename(columns={"record_id_a": "record_a",
                                                                      "record_id_b": "record_b"})
    assert cd.pair_quality(raw, truth["pairs"])["recall"] < q["recall"] - 0.2


def test_pair_quality_by_hand():
    found = pd.DataFrame({"record_a": [1, 2, 3], "record_b": [2, 3, 4]})
    true = pd.DataFrame({"record_a": [1, 3], "record_b": [2, 4]})
    q = cd.pair_quality(found, true)
    assert (q["precision"], q["recall"]) == (pytest.approx(2 / 3), 1.0)
