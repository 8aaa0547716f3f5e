"""The capstone module (crm_lessons.capstone): rubric, variants, reports run in process."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons import capstone
from crm_lessons._validation import CRMInputError
from crm_lessons.datasets import load_cdnow


def test_rubric_totals_and_sections():
    r = capstone.RUBRIC
    assert r["points"].sum() == 20 and r.loc[r["kind"] == "auto", "points"].sum() == 12
    assert set(r["section"]) <= set(capstone.SECTIONS["section"])
    text = capstone.rubric_markdown()
    assert text.count("\n| ") == len(r)                               # one row per item after the header
    assert "**Total: 20 points** (12 auto-graded, 8 marked by hand)." in text


def test_assignment_is_deterministic_and_in_range():
    for s in range(30):
        a, b = capstone.assignment(s), capstone.assignment(s)
        assert a.equals(b)
        assert 2000 <= a["customers"] <= 3500 and 0.2 <= a["margin"] <= 0.4
        assert a["dataset"] == ("cdnow" if s % 2 == 0 else "simulated retailer")
    with pytest.raises(CRMInputError, match="seed"):
        capstone.assignment(-1)


def test_assignment_data_cdnow_subset_by_hand():
    a = capstone.assignment(4)
    tx = capstone.assignment_data(4)
    assert tx["date"].max() <= a["as_of"] and (tx["amount"] > 0).all()
    full = load_cdnow()
    ids = np.random.default_rng(5).choice(np.sort(full["customer_id"].unique()), size=a["customers"], replace=False)
    ref = full[full["customer_id"].isin(ids) & (full["date"] <= a["as_of"]) & (full["amount"] > 0)]
    assert len(tx) == len(ref) and np.isclose(tx["amount"].sum(), ref["amount"].sum())


def test_key_numbers_match_an_independent_calculation():
    a = capstone.assignment(0)
    tx = capstone.assignment_data(0)
    k = capstone.key_numbers(capstone.run_reports(tx, as_of=a["as_of"], margin=a["margin"]))
    spend = tx.groupby("customer_id")["amount"].sum().sort_values(ascending=False)
    top = spend.iloc[: int(np.ceil(0.2 * len(spend)))].sum() / spend.sum()
    assert abs(k["top20_share"] - top) < 0.01                          # Pareto share of the top fifth
    m = tx.assign(m=tx["date"].dt.to_period("M")).groupby("m")["customer_id"].apply(set)
    assert np.isclose(k["retention_last"], len(m.iloc[-1] & m.iloc[-2]) / len(m.iloc[-2]))
    k2 = capstone.key_numbers(capstone.run_reports(tx, as_of=a["as_of"], margin=2 * a["margin"]))
    assert np.isclose(k2["equity"], 2 * k["equity"], rtol=1e-6)        # equity is margin x expected revenue


def test_run_reports_names_the_argument():
    with pytest.raises(CRMInputError, match="argument `data`"):
        capstone.run_reports(pd.DataFrame({"customer_id": [1], "date": ["x"], "amount": [1.0]}), as_of="2024-01-01")
