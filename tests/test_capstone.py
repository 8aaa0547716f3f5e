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


def test_run_reports_on_a_students_own_file_names_the_file_and_line(tmp_path):
    """The capstone's optional section: a student's own export, read from its path (GBK, Chinese headers)."""
    a = capstone.assignment(3)
    data = capstone.assignment_data(3).rename(columns={"customer_id": "客户", "date": "日期", "amount": "金额"})
    data["日期"] = data["日期"].dt.strftime("%Y年%-m月%-d日")  # as a Chinese export writes dates
    path = tmp_path / "订单.csv"
    data.to_csv(path, index=False, encoding="gbk")
    cols = {"customer_col": "客户", "date_col": "日期", "amount_col": "金额"}
    from_file = capstone.key_numbers(capstone.run_reports(path, as_of=a["as_of"], **cols))
    from_frame = capstone.key_numbers(capstone.run_reports(capstone.assignment_data(3), as_of=a["as_of"]))
    pd.testing.assert_series_equal(from_file, from_frame)
    data["金额"] = data["金额"].astype(object)
    data.loc[4, "金额"] = "n/a"
    data.to_csv(path, index=False, encoding="gbk")
    with pytest.raises(CRMInputError, match=r"订单\.csv.*column '金额'.*line 6"):
        capstone.run_reports(path, as_of=a["as_of"], **cols)
