"""Customer summary: hand calculations, the published CDNOW summary, calibration/holdout split, errors."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons._validation import CRMInputError
from crm_lessons.customer_summary import summary_from_transactions
from crm_lessons.datasets import load_cdnow, load_cdnow_summary

LOG = pd.DataFrame({
    "cust": ["b", "a", "a", "a", "a", "b", "c"],
    "when": ["2024-01-03", "2024-01-01", "2024-01-01", "2024-01-08", "2024-01-15", "2024-01-20", "2024-01-25"],
    "value": [7.0, 10.0, 5.0, 20.0, 30.0, 9.0, 4.0],
})


def test_hand_calculation_days_and_weeks():
    s = summary_from_transactions(LOG, customer_col="cust", date_col="when", amount_col="value",
                                  as_of="2024-01-29")
    assert list(s.columns) == ["customer_id", "frequency", "recency", "T", "monetary_value"]
    a, b, c = (s.iloc[i] for i in range(3))
    # a: days 1 (two purchases merge: 15), 8, 15 -> x=2, recency 14, T 28, mean of repeats (20+30)/2
    assert (a["customer_id"], a["frequency"], a["recency"], a["T"], a["monetary_value"]) == ("a", 2, 14, 28, 25)
    assert (b["frequency"], b["recency"], b["T"], b["monetary_value"]) == (1, 17, 26, 9)
    assert (c["frequency"], c["recency"], c["T"], c["monetary_value"]) == (0, 0, 4, 0)
    w = summary_from_transactions(LOG, customer_col="cust", date_col="when", amount_col="value",
                                  as_of="2024-01-29", time_unit="W")
    np.testing.assert_allclose(w["T"], s["T"] / 7)
    assert w.attrs["time_unit"] == "W"


def test_weekly_and_monthly_periods():
    # weeks Monday..Sunday: 2024-01-01 is a Monday, so a's three days fall in three weeks
    s = summary_from_transactions(LOG, customer_col="cust", date_col="when", amount_col="value",
                                  as_of="2024-01-29", period="W", time_unit="W")
    assert s["frequency"].tolist() == [2, 1, 0]
    # b: 2024-01-03 (week of Jan 1) and 2024-01-20 (week of Jan 15) -> recency 2 weeks
    assert s["recency"].tolist()[1] == 2.0
    m = summary_from_transactions(LOG, customer_col="cust", date_col="when", amount_col="value", period="M")
    assert m["frequency"].tolist() == [0, 0, 0]
    assert m["monetary_value"].tolist() == [0, 0, 0]


def test_reproduces_published_cdnow_summary():
    tx = load_cdnow(sample=True)
    ours = summary_from_transactions(tx, as_of="1997-09-30", time_unit="W")
    pub = load_cdnow_summary()
    assert len(ours) == len(pub) == 2357
    assert (ours["frequency"].to_numpy() == pub["frequency"].to_numpy()).all()
    # the published file rounds recency and T to two decimals
    np.testing.assert_allclose(ours["recency"], pub["recency"], atol=0.005)
    np.testing.assert_allclose(ours["T"], pub["T"], atol=0.005)
    np.testing.assert_allclose(ours["monetary_value"], pub["monetary_value"], atol=0.005)


def test_calibration_holdout_split():
    s = summary_from_transactions(LOG, customer_col="cust", date_col="when", amount_col="value",
                                  calibration_end="2024-01-10", holdout_end="2024-01-31")
    # c's first purchase is after calibration: left out
    assert s["customer_id"].tolist() == ["a", "b"]
    assert s["frequency"].tolist() == [1, 0]
    assert s["T"].tolist() == [9, 7]
    assert s["frequency_holdout"].tolist() == [1, 1]
    assert s["monetary_value_holdout"].tolist() == [30.0, 9.0]
    assert s["duration_holdout"].tolist() == [21.0, 21.0]


def test_exact_timestamps():
    log = pd.DataFrame({"customer_id": [1, 1, 1], "date": pd.to_datetime(
        ["2024-01-01 06:00", "2024-01-01 18:00", "2024-01-02 06:00"]), "amount": [1.0, 2.0, 4.0]})
    s = summary_from_transactions(log, as_of="2024-01-03", period=None)
    assert s["frequency"].iloc[0] == 2
    assert s["recency"].iloc[0] == pytest.approx(1.0)
    assert s["T"].iloc[0] == pytest.approx(1.75)
    assert s["monetary_value"].iloc[0] == pytest.approx(3.0)


def test_input_not_modified_and_unordered_input():
    log = LOG.sample(frac=1, random_state=3)
    before = log.copy()
    s1 = summary_from_transactions(log, customer_col="cust", date_col="when", amount_col="value")
    s2 = summary_from_transactions(LOG, customer_col="cust", date_col="when", amount_col="value")
    pd.testing.assert_frame_equal(log, before)
    pd.testing.assert_frame_equal(s1, s2)


def test_errors():
    with pytest.raises(CRMInputError, match="column 'date' .given as date_col. is missing"):
        summary_from_transactions(LOG, customer_col="cust", amount_col="value")
    bad = LOG.assign(value=[1.0, -2.0, 1, 1, 1, 1, 1])
    with pytest.raises(CRMInputError, match="values must be >= 0"):
        summary_from_transactions(bad, customer_col="cust", date_col="when", amount_col="value")
    bad = LOG.assign(when=["2024-01-03", "soon", *LOG["when"][2:]])
    with pytest.raises(CRMInputError, match="values must be dates; found 'soon'"):
        summary_from_transactions(bad, customer_col="cust", date_col="when", amount_col="value")
    with pytest.raises(CRMInputError, match="must be after calibration_end"):
        summary_from_transactions(LOG, customer_col="cust", date_col="when", amount_col="value",
                                  calibration_end="2024-01-10", holdout_end="2024-01-05")
    with pytest.raises(CRMInputError, match="no transaction on or before 2023-12-01"):
        summary_from_transactions(LOG, customer_col="cust", date_col="when", amount_col="value", as_of="2023-12-01")
    with pytest.raises(CRMInputError, match="argument `time_unit`: must be one of"):
        summary_from_transactions(LOG, customer_col="cust", date_col="when", amount_col="value", time_unit="Y")


def test_integer_and_text_ids_give_the_same_summary():
    rng = np.random.default_rng(0)
    log = pd.DataFrame({"customer_id": rng.choice([3, 7, 8, 15, 40], size=200),
                        "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 90, 200), unit="D"),
                        "amount": rng.gamma(2.0, 10.0, 200).round(2)})
    as_int = summary_from_transactions(log)                       # compact integer ids: no hashing
    as_text = summary_from_transactions(log.assign(customer_id=log["customer_id"].map("{:03d}".format)))
    sparse = summary_from_transactions(log.assign(customer_id=log["customer_id"] * 10**9))   # hashed
    assert as_int["customer_id"].tolist() == [3, 7, 8, 15, 40]
    for other in (as_text, sparse):
        pd.testing.assert_frame_equal(as_int.drop(columns="customer_id"), other.drop(columns="customer_id"))
