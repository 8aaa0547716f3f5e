"""Report contents without a kernel: one customer status everywhere, one-time buyers, RFM days, CLV advice,
readable tables in both languages, the workbook, tables too long for Excel (issue 15, items 2, 3, 8)."""

import numpy as np
import openpyxl
import pandas as pd
import pytest

from crm_lessons import clv as clv_mod
from crm_lessons.reports import customer_value, retention_churn, results
from crm_lessons.reports._status import fit_models
from crm_lessons.reports._text import Text
from crm_lessons.reports.results import ReportResult, format_table, save_outputs, save_workbook, summary_markdown


@pytest.fixture(scope="module")
def log():
    from crm_lessons.simulate.transactions import simulate_transactions

    return simulate_transactions(500, seed=11).data


@pytest.fixture(scope="module")
def value_en(log):
    return customer_value.build(log)


@pytest.fixture(scope="module")
def value_zh(log):
    return customer_value.build(log, lang="zh")


def _quiet(log):
    as_of = log["date"].max().normalize()
    return (as_of - log.groupby("customer_id")["date"].max().dt.normalize()).dt.days


def test_one_status_definition_in_both_reports(log, value_en):
    quiet = _quiet(log)
    expected = {"active": (quiet <= 90).mean(), "at risk": ((quiet > 90) & (quiet <= 180)).mean(),
                "lapsed": (quiet > 180).mean()}
    ret = retention_churn.build(log)
    assert value_en.figures["active"]["value"] == pytest.approx(expected["active"])
    assert value_en.figures["lapsed"]["value"] == pytest.approx(expected["lapsed"])
    assert ret.figures["active"]["value"] == pytest.approx(expected["active"])
    assert ret.figures["at risk"]["value"] == pytest.approx(expected["at risk"])
    assert ret.figures["lapsed"]["value"] == pytest.approx(expected["lapsed"])
    shares = " / ".join(f"{100 * expected[k]:.1f}%" for k in ("active", "at risk", "lapsed"))
    assert value_en.key_figures["Active / at risk / lapsed (last purchase ≤90 / ≤180 / >180 days ago)"] == shares


def test_one_time_buyers_get_no_p_alive_headline(log, value_en):
    customers = value_en.tables["customers"].set_index("customer_id")
    once = customers["frequency"] == 1
    assert once.any() and customers.loc[once, "p_alive"].isna().all()
    assert customers.loc[~once, "p_alive"].notna().all()
    repeat = customers.loc[~once, "p_alive"]
    assert value_en.key_figures["Repeat customers probably still buying (P(alive) > 0.5)"] == (
        f"{100 * (repeat > 0.5).mean():.1f}% of {len(repeat):,} repeat customers")
    # retention-churn: no one-time buyer on the churn-risk list, nor with a churn probability
    ret = retention_churn.build(log)
    risk = ret.tables["churn-risk list"]
    assert (risk["purchases"] > 1).all() and risk["churn_probability"].notna().all()
    table = ret.tables["customers"].set_index("customer_id")
    multi_day = log.groupby("customer_id")["date"].apply(lambda d: d.dt.normalize().nunique())
    assert table.loc[multi_day[multi_day == 1].index, "churn_probability"].isna().all()


def test_rfm_recency_scores_come_from_days_and_segments_show_their_range(log, value_en):
    customers = value_en.tables["customers"]
    quiet = customers["recency"]
    expected = np.select([quiet <= 30, quiet <= 90, quiet <= 180, quiet <= 365], [5, 4, 3, 2], 1)
    assert (customers["r_score"].to_numpy() == expected).all()
    seg = value_en.tables["rfm segments"].set_index("segment")
    by = customers.groupby("segment", observed=True)["recency"]
    assert (seg["recency_min"] == by.min().reindex(seg.index)).all()
    assert (seg["recency_max"] == by.max().reindex(seg.index)).all()
    # nobody quiet for over a year is scored R >= 3 (issue 15: 'Loyal' at 464-535 days)
    assert (customers.loc[quiet > 365, "r_score"] == 1).all()
    other = customer_value.build(log, recency_days="60,120,240,480")
    assert (other.tables["customers"]["r_score"] == np.select(
        [quiet <= 60, quiet <= 120, quiet <= 240, quiet <= 480], [5, 4, 3, 2], 1)).all()


def test_acquisition_advice_quotes_the_value_of_a_new_customer(log, value_en):
    as_of = log["date"].max().normalize()
    models = fit_models(log, as_of=as_of, tr=Text("en"))
    expected = clv_mod.new_customer_value(models.bgnbd, models.gamma_gamma, horizon=12, period_length=365.25 / 12 / 7,
                                          discount_rate=1.1 ** (1 / 12) - 1, margin=0.3)
    assert value_en.figures["new_clv"]["value"] == pytest.approx(expected)
    assert f"¥{expected:,.2f} over 12 months" in value_en.actions[-1]
    mean_clv = value_en.tables["customers"]["clv"].sum() / len(value_en.tables["customers"])
    assert expected > mean_clv  # the dormant base's mean would understate what a new customer is worth


def test_clv_not_estimable_is_said_in_plain_words_and_the_rest_is_written(log):
    few = log[log["customer_id"].isin(log["customer_id"].unique()[:12])]
    res = customer_value.build(few, lang="zh")
    assert list(res.not_estimable) == ["客户终身价值（CLV）、客户资产与仍活跃概率"]
    assert "argument" not in summary_markdown(res) and "time_unit" not in summary_markdown(res)
    assert {"rfm segments", "status", "pyramid", "abc classes", "customers"} <= set(res.tables)
    assert "model parameters" not in res.tables and "clv" not in res.tables["customers"]
    one = customer_value.build(log.head(1))
    assert len(one.tables["customers"]) == 1 and one.not_estimable
    ret = retention_churn.build(log.head(1))
    assert set(ret.not_estimable) == {"Retention curves", "Churn probability and the churn-risk list"}


def test_readable_tables_in_both_languages(value_en, value_zh):
    for res in (value_en, value_zh):
        for name in res.tables:
            shown = format_table(res, name, res.tables[name].head(50))
            text = shown.to_string()
            assert "nan" not in text.lower() and "00:00:00" not in text
            assert not any(str(c).islower() and "_" in str(c) for c in shown.columns)  # no snake_case headers
    seg_en = format_table(value_en, "rfm segments")
    seg_zh = format_table(value_zh, "rfm segments")
    raw = value_en.tables["rfm segments"]
    assert seg_en["Share of customers"].tolist() == [f"{100 * v:.1f}%" for v in raw["customer_share"]]
    assert seg_zh["客户占比"].tolist() == seg_en["Share of customers"].tolist()
    assert seg_en["Revenue"].iloc[0] == f"¥{raw['value'].iloc[0]:,.0f}"
    # the library's Chinese segment names
    from crm_lessons.segmentation import RFM_SEGMENTS

    zh = RFM_SEGMENTS.set_index("segment")["segment_zh"]
    assert seg_zh["RFM 分群"].tolist() == [zh[s] for s in raw["segment"]]
    assert value_zh.title == "客户价值分析" and "分析截止日" in value_zh.key_figures


def test_workbook_has_every_table_with_headers_and_number_formats(tmp_path, value_zh):
    save_outputs(value_zh, tmp_path / "tables", tmp_path / "charts")
    wb = openpyxl.load_workbook(tmp_path / "tables.xlsx")
    assert len(wb.sheetnames) == len(value_zh.tables) == len(list((tmp_path / "tables").glob("*.csv")))
    ws = wb["RFM 分群"]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["RFM 分群", "客户数", "客户占比"]
    raw = value_zh.tables["rfm segments"]
    assert ws.cell(2, 3).value == pytest.approx(raw["customer_share"].iloc[0]) and ws.cell(2, 3).number_format == "0.0%"
    assert ws.cell(2, 4).number_format.startswith('"¥"')
    assert len(list((tmp_path / "charts").glob("*.png"))) == len(value_zh.charts)


def test_table_too_long_for_excel_says_so_and_is_written_as_parquet(tmp_path, monkeypatch):
    monkeypatch.setattr(results, "EXCEL_MAX_ROWS", 5)
    monkeypatch.setattr(results, "WORKBOOK_MAX_ROWS", 3)
    res = ReportResult(title="t", tables={"customers": pd.DataFrame({"customer_id": [f"C{i}" for i in range(8)],
                                                                     "clv": np.arange(8.0)}),
                                          "small": pd.DataFrame({"n": [1]})})
    paths = results.save_tables(res, tmp_path)
    assert sorted(p.name for p in paths) == ["customers.csv", "customers.parquet", "small.csv"]
    assert pd.read_parquet(tmp_path / "customers.parquet").equals(res.tables["customers"])
    save_workbook(res, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["customers"]
    assert ws.cell(1, 1).value == "Too long for Excel: 8 rows (a sheet holds 5)."
    assert ws.cell(2, 1).value == "The whole table is in tables/customers.parquet, tables/customers.csv"
    # longer than the workbook takes, short enough for Excel: said so, and also Parquet
    res.tables["customers"] = res.tables["customers"].head(4)
    paths = results.save_tables(res, tmp_path / "b")
    assert sorted(p.name for p in paths) == ["customers.csv", "customers.parquet", "small.csv"]
    save_workbook(res, tmp_path / "b.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "b.xlsx")
    assert wb["customers"].cell(1, 1).value == "Too long for this workbook: 4 rows (sheets here hold up to 3)."
    assert wb["small"].cell(2, 1).value == 1


def test_batch_label_names_the_store_and_input_notes_are_listed():
    res = ReportResult(title="Customer value", lang="zh", key_figures={"客户数": "3"})
    results.add_context(res, label="北京/朝阳店", input_notes='[["x", "列“日期”：4 个日期按 2024-01-05 读取。"]]')
    assert res.title == "Customer value：北京/朝阳店" and list(res.key_figures)[0] == "分组"
    assert res.notes == ["读取文件：列“日期”：4 个日期按 2024-01-05 读取。"]
