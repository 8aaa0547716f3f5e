"""The messy multi-department customer lists agree with the truth they state."""

import pandas as pd
import pytest

from crm_lessons.simulate.messy import TRADITIONAL, simulate_messy_customers


@pytest.fixture(scope="module")
def sim():
    return simulate_messy_customers(3000, seed=4)


def test_pairs_are_exactly_the_records_of_one_customer(sim):
    data, truth = sim
    rec = truth["records"]
    size = rec.groupby("customer_id").size()
    assert len(truth["pairs"]) == int((size * (size - 1) // 2).sum())
    cid = rec.set_index("record_id")["customer_id"]
    assert (cid[truth["pairs"]["record_a"]].to_numpy() == cid[truth["pairs"]["record_b"]].to_numpy()).all()


def test_error_rates_and_coverage_match_the_settings(sim):
    data, truth = sim
    rec = truth["records"]
    for col, p in (("typo", 0.1), ("phone_format", 0.3), ("email_missing", 0.1), ("stale", 0.2)):
        assert rec[col].mean() == pytest.approx(p, abs=0.015)
    per_dept = data.groupby("department")["record_id"].size() / 3000
    assert per_dept.to_numpy() == pytest.approx(0.7 * 1.08, abs=0.03)   # coverage x (1 + dup_rate)


def test_errors_are_what_they_claim(sim):
    data, truth = sim
    rec = truth["records"].set_index("record_id")
    true = truth["customers"].set_index("customer_id")
    d = data.set_index("record_id")
    clean = ~rec["typo"] & ~rec["traditional"]
    assert (d.loc[clean, "name"] == true.loc[rec.loc[clean, "customer_id"], "name"].to_numpy()).all()
    trad = rec.index[rec["traditional"]]
    assert d.loc[trad, "name"].map(lambda s: any(ch in TRADITIONAL.values() for ch in s)).all()
    digits = d["phone"].str.replace(r"\D", "", regex=True).str[-11:]
    assert (digits.to_numpy() == true.loc[rec["customer_id"], "phone"].to_numpy()).all()
    age = (truth["as_of"] - d["last_verified"]).dt.days
    assert (age[rec["stale"]] > 730).all() and (age[~rec["stale"]] < 730).all()
    assert d.loc[rec["email_missing"], "email"].isna().all()
