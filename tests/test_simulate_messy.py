"""The messy multi-department customer lists agree with the truth they state."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons.simulate import simulate_messy_customers
from crm_lessons.simulate.messy import TRADITIONAL


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
    for col, p in (("typo", 0.1), ("phone_format", 0.3), ("email_missing", 0.1), ("stale", 0.2),
                   ("old_phone", 0.2 * 0.4), ("old_city", 0.2 * 0.3), ("phone_invalid", 0.03 * (1 - 0.08)),
                   ("email_invalid", 0.03 * 0.9)):
        assert rec[col].mean() == pytest.approx(p, abs=0.015), col
    per_dept = data.groupby("department")["record_id"].size() / 3000
    assert per_dept.to_numpy() == pytest.approx(0.7 * 1.08, abs=0.03)   # coverage x (1 + dup_rate)
    members = truth["customers"]["household_of"] > 0
    assert members.mean() == pytest.approx(0.15, abs=0.02)


def test_errors_are_what_they_claim(sim):
    data, truth = sim
    rec = truth["records"].set_index("record_id")
    true = truth["customers"].set_index("customer_id")
    d = data.set_index("record_id")
    t = true.loc[rec["customer_id"]].set_axis(rec.index)
    clean = ~rec["typo"] & ~rec["traditional"]
    assert (d.loc[clean, "name"] == t.loc[clean, "name"]).all()
    trad = rec.index[rec["traditional"]]
    assert d.loc[trad, "name"].map(lambda s: any(ch in TRADITIONAL.values() for ch in s)).all()
    digits = d["phone"].str.replace(r"\D", "", regex=True).str[-11:]
    good = ~rec["old_phone"] & ~rec["phone_invalid"]
    assert (digits[good] == t.loc[good, "phone"]).all()
    assert (digits[rec["old_phone"]] != t.loc[rec["old_phone"], "phone"]).all()
    bad = d.loc[rec["phone_invalid"], "phone"].str.replace(r"^\+86", "", regex=True)
    assert (bad.str.replace(r"\D", "", regex=True).str.len() == 10).all()          # one digit dropped
    age = (truth["as_of"] - d["last_verified"]).dt.days
    assert (age[rec["stale"]] > 730).all() and (age[~rec["stale"]] < 730).all()
    assert d.loc[rec["email_missing"], "email"].isna().all()
    assert not d.loc[rec["email_invalid"], "email"].str.contains("@").any()
    assert (d.loc[rec["old_city"], "city"] != t.loc[rec["old_city"], "city"]).all()
    assert (d.loc[~rec["old_city"], "city"] == t.loc[~rec["old_city"], "city"]).all()
    ok = ~rec["birth_error"]
    assert (d.loc[ok, "birth_date"] == t.loc[ok, "birth_date"]).all()
    assert (d.loc[rec["birth_error"], "birth_date"] != t.loc[rec["birth_error"], "birth_date"]).all()


def test_business_fields_sit_on_their_department_and_equal_the_truth(sim):
    data, truth = sim
    rec = truth["records"].set_index("record_id")
    true = truth["customers"].set_index("customer_id")
    d = data.set_index("record_id")
    for col, dept in (("annual_spend", "sales"), ("open_complaint", "service"), ("opted_out", "marketing")):
        own = d["department"] == dept
        assert d.loc[~own, col].isna().all() and d.loc[own, col].notna().all()
        assert (d.loc[own, col].to_numpy() == true.loc[rec.loc[own, "customer_id"], col].to_numpy()).all()


def test_family_members_look_alike_but_are_other_customers(sim):
    data, truth = sim
    c = truth["customers"].set_index("customer_id")
    members = c[c["household_of"] > 0]
    host = c.loc[members["household_of"]]
    assert (members["phone"].to_numpy() == host["phone"].to_numpy()).all()
    assert (members["name"].str[0].to_numpy() == host["name"].str[0].to_numpy()).all()
    assert (members["name"].to_numpy() != host["name"].to_numpy()).all()
    assert 0.2 < np.mean(members["email"].to_numpy() == host["email"].to_numpy()) < 0.4   # some share the e-mail


def test_seeded_and_exported():
    a = simulate_messy_customers(50, seed=1).data
    b = simulate_messy_customers(50, seed=1).data
    pd.testing.assert_frame_equal(a, b)
