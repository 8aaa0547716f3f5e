"""Tests of crm_lessons.relationships (lesson 1.1) against hand classifications and simulated truth."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons._validation import CRMInputError
from crm_lessons.relationships import (KOTLER_MATRIX, LADDER, classify_customers, recommend_level,
                                       recommend_levels, status_over_time)
from crm_lessons.simulate import simulate_retail

D = pd.to_datetime


@pytest.fixture
def small():
    """Eight people, one on each rung, with dates chosen by hand."""
    customers = pd.DataFrame({
        "customer_id": [1, 2, 3, 4, 5, 6, 7, 8, 9],
        "lead_date": D(["2024-01-01", "2024-01-01", "2024-01-01", "2024-01-01", "2024-01-01",
                        "2024-01-01", "2024-01-01", "2024-01-01", "2024-09-01"]),
        "prospect_date": D([None, "2024-02-01", "2024-02-01", None, None, None, None, None, None]),
        "target": [False, False, True, False, False, False, False, False, False],
        "member_date": D([None, None, None, None, None, None, "2024-03-01", None, None]),
        "partner_date": D([None, None, None, None, None, None, None, "2024-04-01", None]),
        "referred_by": pd.array([pd.NA, pd.NA, pd.NA, pd.NA, pd.NA, pd.NA, pd.NA, pd.NA, 6], dtype="Int64"),
    })
    tx = pd.DataFrame({
        "customer_id": [4, 5, 5, 5, 6, 6, 6, 6, 7, 8],
        "date": D(["2024-01-10", "2024-02-01", "2024-03-01", "2024-05-20", "2024-01-05", "2024-02-05",
                   "2024-03-05", "2024-04-05", "2024-02-01", "2024-02-01"]),
    })
    return customers, tx


def test_status_and_stage_by_hand(small):
    customers, tx = small
    out = classify_customers(customers, tx, "2024-06-01", lapse_days=90)
    # 1 lead only; 2 prospect; 3 target prospect; 4 bought once on 01-10 (143 days ago -> lost);
    # 5 bought 3 times, last 12 days ago; 6 four purchases, last 57 days ago (client), not yet an advocate;
    # 7 member, bought 121 days ago; 8 partner; 9 not yet a lead.
    assert out["status"].astype(str).tolist() == [
        "potential", "potential", "target", "lost", "current", "current", "lost", "lost", "non"]
    assert out["stage"].astype(str).tolist() == [
        "suspect", "prospect", "prospect", "first-time buyer", "repeat buyer", "client", "member",
        "partner", "suspect"]
    assert out.loc[5, "n_purchases"] == 3
    assert out.loc[5, "days_since_last"] == 12
    # Three months later customer 9 (referred by 6) is a lead, so 6 has become an advocate.
    later = classify_customers(customers, tx, "2024-09-15", lapse_days=90)
    assert later.loc[6, "stage"] == "advocate"
    assert later.loc[9, "status"] == "potential"
    assert later.loc[5, "status"] == "lost"


def test_replaying_history_ignores_later_purchases(small):
    customers, tx = small
    early = classify_customers(customers, tx, "2024-02-15", lapse_days=90)
    assert early.loc[6, "stage"] == "repeat buyer"   # 2 purchases by mid-February
    assert early.loc[5, "stage"] == "first-time buyer"
    assert early.loc[7, "stage"] == "first-time buyer"  # member only from March
    assert early.loc[3, "status"] == "target"


def test_optional_columns_can_be_skipped(small):
    customers, tx = small
    out = classify_customers(customers[["customer_id"]], tx, "2024-06-01", lead_col=None, prospect_col=None,
                             target_col=None, member_col=None, partner_col=None, referred_by_col=None)
    assert set(out.loc[[1, 2, 3, 9], "status"].astype(str)) == {"potential"}
    assert out.loc[7, "stage"] == "first-time buyer"


def test_client_threshold(small):
    customers, tx = small
    out = classify_customers(customers, tx, "2024-06-01", client_purchases=3)
    assert out.loc[5, "stage"] == "client"


def test_kotler_matrix_matches_published_table():
    # Kotler & Keller, Marketing Management: levels of relationship marketing.
    published = {("many", "high"): "accountable", ("many", "medium"): "reactive", ("many", "low"): "basic",
                 ("medium", "high"): "proactive", ("medium", "medium"): "accountable",
                 ("medium", "low"): "reactive", ("few", "high"): "partnership",
                 ("few", "medium"): "proactive", ("few", "low"): "accountable"}
    for (n, m), level in published.items():
        assert recommend_level(n, m) == level
        assert KOTLER_MATRIX.loc[n, m] == level


def test_recommend_levels_bands_at_the_cut_points():
    lines = pd.DataFrame({"n_customers": [99, 100, 9_999, 10_000], "unit_margin": [0.149, 0.15, 0.399, 0.40]})
    out = recommend_levels(lines)
    assert out["number_of_customers"].tolist() == ["few", "medium", "medium", "many"]
    assert out["margin_band"].tolist() == ["low", "medium", "medium", "high"]
    assert out["level"].tolist() == ["accountable", "accountable", "accountable", "accountable"]
    assert out["level_zh"].tolist() == ["负责型"] * 4
    assert "level" not in lines  # input untouched


def test_status_over_time_counts_everyone():
    data, _ = simulate_retail(400, seed=3)
    dates = pd.date_range("2023-03-31", "2024-12-31", freq="QE")
    counts = status_over_time(data["customers"], data["transactions"], dates)
    assert (counts.sum(axis=1) == 400).all()
    ladder = status_over_time(data["customers"], data["transactions"], dates, by="stage")
    assert list(ladder.columns) == LADDER["stage"].tolist()
    # Buyers never un-buy: the number who reached at least "first-time buyer" never falls.
    reached = ladder.iloc[:, 2:].sum(axis=1)
    assert reached.is_monotonic_increasing


def test_status_tracks_true_activity_on_simulated_data():
    data, truth = simulate_retail(3000, seed=11)
    as_of = pd.Timestamp("2024-06-30")
    out = classify_customers(data["customers"], data["transactions"], as_of, lapse_days=90)
    sp = truth["spells"].set_index("customer_id")
    alive = (((sp.spell1_start <= as_of) & (sp.spell1_end > as_of))
             | ((sp.spell2_start <= as_of) & (sp.spell2_end > as_of)))
    buyers = out["n_purchases"] > 0
    accuracy = ((out["status"] == "current") == alive)[buyers].mean()
    assert accuracy > 0.8, accuracy
    # Truly alive customers are mostly classed current, and truly dead ones mostly lost.
    assert (out.loc[buyers & alive, "status"] == "current").mean() > 0.9
    # Targets convert more often than plain leads (p_convert 0.7 vs 0.1 in the generator).
    first = classify_customers(data["customers"], data["transactions"], "2024-12-31")
    conv = (first["n_purchases"] > 0).groupby(data["customers"].set_index("customer_id")["target"]).mean()
    assert conv[True] > conv[False] + 0.2


def test_stage_never_goes_down_over_time():
    data, _ = simulate_retail(500, seed=5)
    a = classify_customers(data["customers"], data["transactions"], "2023-09-30")["stage"].cat.codes
    b = classify_customers(data["customers"], data["transactions"], "2024-09-30")["stage"].cat.codes
    assert (b >= a).all()


def test_bad_inputs_give_clear_messages(small):
    customers, tx = small
    with pytest.raises(CRMInputError, match=r"column 'lead' \(given as lead_col\) is missing"):
        classify_customers(customers, tx, "2024-06-01", lead_col="lead")
    with pytest.raises(CRMInputError, match="customer ids must be unique; found 1 twice"):
        classify_customers(pd.concat([customers, customers.iloc[:1]]), tx, "2024-06-01")
    with pytest.raises(CRMInputError, match="every purchase must belong to a customer"):
        classify_customers(customers, pd.concat([tx, pd.DataFrame({"customer_id": [99], "date": D(["2024-01-01"])})]),
                           "2024-06-01")
    with pytest.raises(CRMInputError, match="argument `as_of`: must be a date"):
        classify_customers(customers, tx, "not a date")
    with pytest.raises(CRMInputError, match="argument `lapse_days`: must be >= 1"):
        classify_customers(customers, tx, "2024-06-01", lapse_days=0)
    with pytest.raises(CRMInputError, match="values must be True/False"):
        classify_customers(customers.assign(target="yes"), tx, "2024-06-01")
    with pytest.raises(CRMInputError, match="values must be dates; found 'soon'"):
        classify_customers(customers.assign(member_date="soon"), tx, "2024-06-01")
    with pytest.raises(CRMInputError, match=r"argument `unit_margin`: must be one of \['high', 'medium', 'low'\]"):
        recommend_level("many", "huge")
    with pytest.raises(CRMInputError, match="needs two increasing cut points"):
        recommend_levels(pd.DataFrame({"n_customers": [1], "unit_margin": [0.1]}), customer_cuts=(10, 5))
    with pytest.raises(CRMInputError, match=r"values must be > 0; found 0"):
        recommend_levels(pd.DataFrame({"n_customers": [0], "unit_margin": [0.1]}))
