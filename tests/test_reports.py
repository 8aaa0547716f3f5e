"""The report command line: every report on shipped/simulated data and on sample company files.

Report runs start a Jupyter kernel (a few seconds each), so each run is made once per module
and several tests read its output.
"""

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from crm_lessons import callcenter
from crm_lessons._validation import CRMInputError
from crm_lessons.cli import main
from crm_lessons.reports import list_reports, run_report
from crm_lessons.reports._notebooks import build_notebook
from crm_lessons.reports import get_report

FIXTURES = Path(__file__).parent / "fixtures" / "reports"
SALES = FIXTURES / "门店销售_gbk.csv"
SURVEY = FIXTURES / "满意度调查.xlsx"
CALLS = FIXTURES / "话务量.xlsx"


def _cli(*args):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["report", *map(str, args)])
    return code, out.getvalue(), err.getvalue()


def _digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _table(folder, name):
    return pd.read_csv(Path(folder) / "tables" / f"{name}.csv", encoding="utf-8-sig")


def _text(html: str) -> str:
    html = re.sub(r"<(style|script)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


HEADINGS = {"en": ["Summary", "What to do", "Charts that matter", "Details", "About this report"],
            "zh": ["摘要", "建议行动", "重点图表", "详细内容", "关于本报告"]}


def _check_outputs(folder, lang="en"):
    folder = Path(folder)
    assert sorted(p.name for p in folder.iterdir()) == [".crm-lessons-output", "charts", "figures.json",
                                                       "report.html", "report.ipynb", "run.json", "tables",
                                                       "tables.xlsx"]
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "results.show_summary" not in html and "import build" not in html  # no code cells
    text = _text(html)
    positions = [text.index(h) for h in HEADINGS[lang]]
    assert positions == sorted(positions)
    other = HEADINGS["zh" if lang == "en" else "en"]
    assert not [h for h in other[2:] if h in text]  # one language throughout
    assert html.count("<img") >= 2
    for bad in (" nan ", "NaN", "00:00:00"):
        assert bad not in text
    # every table of the CSVs is a sheet of the workbook
    sheets = pd.ExcelFile(folder / "tables.xlsx").sheet_names
    assert len(sheets) == len(list((folder / "tables").glob("*.csv")))
    pngs = list((folder / "charts").glob("*.png"))
    assert len(pngs) >= 2 and all(p.stat().st_size > 10_000 for p in pngs)
    nb = nbformat.read(folder / "report.ipynb", as_version=4)
    assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code")
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.get("name") == "stderr"]
    assert not list(folder.glob("*.parquet"))
    return text


# --------------------------------------------------------------------------- fixtures: one run each
# The report runs are started together as `python -m crm_lessons.cli report ...` processes (the
# command line as installed) and waited for once, so their kernels start in parallel.
@pytest.fixture(scope="module")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("reports")


@pytest.fixture(scope="module")
def simulated_tx(work):
    from crm_lessons.simulate.transactions import simulate_transactions

    sim = simulate_transactions(600, seed=3)
    folder = work / "monthly_files"  # a folder: one report per file
    folder.mkdir()
    sim.data.to_parquet(folder / "tx.parquet")
    (folder / "empty.csv").write_text("customer_id,date,amount\n", encoding="utf-8")
    (folder / "notes.md").write_text("not a table", encoding="utf-8")
    return sim, folder


@pytest.fixture(scope="module")
def bank_calls(work):
    from crm_lessons.datasets import load_bank_calls

    calls = load_bank_calls()
    calls = calls[calls["date"] >= "2003-09-01"]  # the last eight weeks
    path = work / "bank_calls.csv"
    calls.to_csv(path, index=False)
    return calls, path


@pytest.fixture(scope="module")
def simulated_survey(work):
    from crm_lessons.simulate.survey import simulate_survey

    survey, truth = simulate_survey(400, seed=6)
    path = work / "survey.csv"
    survey.to_csv(path, index=False)
    return survey, path


class _Runs(dict):
    """The report runs by name; a test of a run left out by ``CRM_LESSONS_REPORT_RUNS`` is skipped."""

    def __missing__(self, key):
        pytest.skip(f"the {key!r} report run is not in CRM_LESSONS_REPORT_RUNS (make test runs all eight)")


@pytest.fixture(scope="module")
def runs(work, simulated_tx, bank_calls, simulated_survey):
    before = _digest(SALES), _digest(SURVEY), _digest(CALLS)
    tx_csv = work / "tx.csv"
    simulated_tx[0].data.to_csv(tx_csv, index=False)
    commands = {
        # customer-value: one report per store of the GBK company file, 2 processes
        "by_store": ["customer-value", "--input", SALES, "--by", "门店", "--customer-col", "会员号",
                     "--date-col", "消费日期", "--amount-col", "消费金额", "--jobs", "2", "--param", "top_n=20"],
        "retention": ["retention-churn", "--input", simulated_tx[1], "--as-of", "1998-06-30",
                      "--param", "lapsed_days=120"],
        "survey": ["satisfaction", "--input", SURVEY, "--sheet", "问卷", "--respondent-col", "问卷编号",
                   "--satisfaction-col", "总体满意度", "--recommend-col", "推荐意愿", "--segment-col", "客群",
                   "--param", "experience_suffix=_体验", "--param", "expectation_suffix=_期望",
                   "--param", "importance_suffix=", "--lang", "zh"],
        "staffing": ["staffing", "--input", bank_calls[1], "--time-col", "date", "--param", "aht_seconds=240",
                     "--param", "weeks=4", "--param", "interval_minutes=60"],
        # the other half: each report also on the other kind of data
        "value_simulated": ["customer-value", "--input", tx_csv, "--param", "horizon_months=6"],
        "retention_company": ["retention-churn", "--input", SALES, "--customer-col", "会员号", "--date-col", "消费日期",
                              "--amount-col", "消费金额", "--as-of", "2024-03-31", "--lang", "zh"],
        "survey_simulated": ["satisfaction", "--input", simulated_survey[1]],
        "staffing_company": ["staffing", "--input", CALLS, "--header-row", "4", "--time-col", "时段",
                             "--calls-col", "来电量", "--param", "weeks=3", "--lang", "zh"],
    }
    only = os.environ.get("CRM_LESSONS_REPORT_RUNS")  # make test-pandas3 runs two of the eight
    if only:
        commands = {k: v for k, v in commands.items() if k in only.split(",")}
    # at most three at a time: on a shared 2-core machine eight kernels at once thrash
    results, waiting, running = _Runs(), list(commands.items()), {}
    while waiting or running:
        while waiting and len(running) < 3:
            k, args = waiting.pop(0)
            running[k] = subprocess.Popen([sys.executable, "-m", "crm_lessons.cli", "report", *map(str, args),
                                           "--out", str(work / k)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                          text=True, encoding="utf-8")
        k = next(iter(running))
        out, err = running[k].communicate(timeout=1200)
        results[k] = (running.pop(k).returncode, out, err, work / k)
    assert (_digest(SALES), _digest(SURVEY), _digest(CALLS)) == before  # inputs untouched
    return results


@pytest.fixture(scope="module")
def sales_batch(runs):
    return runs["by_store"]


@pytest.fixture(scope="module")
def retention_run(runs):
    code, out, err, folder = runs["retention"]
    return code, err, folder / "tx"


@pytest.fixture(scope="module")
def survey_run(runs):
    code, out, err, folder = runs["survey"]
    return code, err, folder


@pytest.fixture(scope="module")
def staffing_run(runs):
    code, out, err, folder = runs["staffing"]
    return code, err, folder


# --------------------------------------------------------------------------- list and registry
def test_list_shows_reports_columns_and_parameters():
    code, out, _ = _cli("--list")
    assert code == 0
    for name, rep in list_reports().items():
        assert f"{name}: {rep.title}" in out and "not available" not in out
        for p in rep.params:
            assert re.search(rf"^\s+{p.name}\s+{re.escape(repr(p.default))}\s", out, flags=re.M)
    assert re.search(r"--amount-col\s+'amount'", out) and re.search(r"--calls-col\s+'calls'", out)


def test_shipped_notebooks_match_the_registry():
    for name, rep in list_reports().items():
        shipped = nbformat.read(rep.notebook, as_version=4)
        assert shipped.cells == build_notebook(rep).cells, f"run python -m crm_lessons.reports._notebooks ({name})"
        tagged = [c for c in shipped.cells if "parameters" in c.metadata.get("tags", [])]
        assert len(tagged) == 1 and shipped.cells.index(tagged[0]) == 0


def test_unknown_report_and_missing_arguments():
    with pytest.raises(CRMInputError, match=r"argument `NAME`: unknown report; found 'value'. Choose one of "
                                            r"\['customer-value', 'retention-churn', 'satisfaction', 'staffing'\]"):
        get_report("value")
    assert _cli("customer-value", "--out", "x")[0] == 2
    assert "argument `--input`: is required" in _cli("customer-value", "--out", "x")[2]


# --------------------------------------------------------------------------- customer-value batch (company file)
def test_batch_writes_every_store_and_the_index_compares_them(sales_batch):
    code, out, err, folder = sales_batch
    assert code == 0, err
    assert "3 of 3 reports written" in out
    assert "customer-value reports: 100%" in err  # the progress bar on stderr
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([".crm-lessons-output", "index.html", "index.csv", "北京_朝阳店", "+上海·浦东店", "广州试点店"])
    index = pd.read_csv(folder / "index.csv", encoding="utf-8-sig").set_index("label")
    assert index["status"].to_dict() == {"'+上海·浦东店": "ok", "北京/朝阳店": "ok", "广州试点店": "ok"}
    raw = pd.read_csv(SALES, encoding="gbk", dtype={"会员号": str})
    # the index compares the stores on the key figures, each checked against the raw file
    for store, part in raw.groupby("门店"):
        row = index.loc["'" + store if store.startswith("+") else store]
        assert row["customers"] == part["会员号"].nunique()
        assert row["revenue"] == pytest.approx(part["消费金额"].sum(), abs=0.01)
        last = pd.to_datetime(part.groupby("会员号")["消费日期"].max())
        quiet = (pd.Timestamp(raw["消费日期"].max()) - last).dt.days
        assert row["lapsed"] == pytest.approx((quiet > 180).mean())
    assert np.isnan(index.loc["广州试点店", "equity"]) and index.loc["北京/朝阳店", "equity"] > 0
    html = (folder / "index.html").read_text(encoding="utf-8")
    assert '<a href="北京_朝阳店/report.html">北京/朝阳店</a>' in html
    assert '<a href="+上海·浦东店/report.html">+上海·浦东店</a>' in html
    assert "<th>Customers</th>" in html and "<th>Lapsed</th>" in html


def test_store_where_clv_is_not_estimable_still_gets_the_other_sections(sales_batch):
    folder = sales_batch[3] / "广州试点店"
    text = _check_outputs(folder)
    assert "Customer value: 广州试点店" in text  # the report names its store
    assert re.search(r"Not estimable \W* Customer lifetime value \(CLV\), customer equity and P\(alive\)", text)
    assert ("not estimable, because only 0 of the 5 customers bought on more than one day; the models need at "
            "least 20 such repeat customers.") in text
    assert len(_table(folder, "customers")) == 5 and "clv" not in _table(folder, "customers")
    assert _table(folder, "rfm_segments")["customers"].sum() == 5


def test_batch_report_numbers(sales_batch):
    folder = sales_batch[3] / "北京_朝阳店"
    text = _check_outputs(folder)
    raw = pd.read_csv(SALES, encoding="gbk", dtype={"会员号": str})
    store = raw[raw["门店"] == "北京/朝阳店"]
    customers = _table(folder, "customers")
    assert len(customers) == store["会员号"].nunique()
    assert customers["monetary"].sum() == pytest.approx(store["消费金额"].sum(), abs=0.05)
    assert f"Revenue in the data ¥{store['消费金额'].sum():,.0f}" in text
    assert "Customer value: 北京/朝阳店" in text
    # recency: days from a customer's last purchase to the as-of date (the file's last date)
    as_of = pd.Timestamp(raw["消费日期"].max())
    last = pd.to_datetime(store.groupby("会员号")["消费日期"].max())
    rec = customers.set_index("customer_id")["recency"]
    assert (rec.sort_index() == (as_of - last).dt.days.sort_index()).all()
    # customer equity in the summary is the sum of the customers' CLV
    equity = float(re.search(r"next 12 months ¥([\d,\.]+)", text).group(1).replace(",", ""))
    assert customers["clv"].sum() == pytest.approx(equity, abs=1)
    assert len(_table(folder, "top_customers")) == 20
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert run["group"] == "北京/朝阳店" and run["as_of"] == str(as_of.date())


# --------------------------------------------------------------------------- retention-churn (simulated)
def test_batch_over_a_folder(runs):
    code, out, err, folder = runs["retention"]
    assert code == 1 and "1 of 2 reports written" in out
    index = pd.read_csv(folder / "index.csv", encoding="utf-8-sig").set_index("label")
    assert index["status"].to_dict() == {"empty": "failed", "tx": "ok"}
    assert index.loc["empty", "message"] == ("file 'empty.csv': has a header but no data rows; found columns "
                                             "['customer_id', 'date', 'amount']. Export the table again with its "
                                             "data rows.")
    assert sorted(p.name for p in folder.iterdir()) == [".crm-lessons-output", "index.csv", "index.html", "tx"]


def test_retention_report(retention_run, simulated_tx):
    code, err, folder = retention_run
    _check_outputs(folder)
    sim, _ = simulated_tx
    status = _table(folder, "status")
    assert status["customers"].sum() == sim.data["customer_id"].nunique()
    last = sim.data.groupby("customer_id")["date"].max()
    quiet = (pd.Timestamp("1998-06-30") - last).dt.days
    assert status.set_index("status").loc["lapsed", "customers"] == (quiet > 120).sum()
    matrix = _table(folder, "cohort_matrix")
    first = sim.data.groupby("customer_id")["date"].min().dt.to_period("M").value_counts().sort_index()
    assert matrix["0"].tolist() == first.tolist()  # cohort sizes
    risk = _table(folder, "churn-risk_list")
    assert (risk["churn_probability"] >= 0.5).all() and (risk["status"] != "lapsed").all()
    assert risk["value_at_risk"].is_monotonic_decreasing


# --------------------------------------------------------------------------- satisfaction (company Excel file)
def test_satisfaction_report_on_company_excel(survey_run):
    code, err, folder = survey_run
    assert code == 0, err
    text = _check_outputs(folder, "zh")
    raw = pd.read_excel(SURVEY, sheet_name="问卷")
    scores = _table(folder, "scores").set_index("measure")
    assert scores.loc["csat", "value"] == pytest.approx(100 * (raw["总体满意度"] >= 6).mean(), abs=1e-2)
    nps = 100 * ((raw["推荐意愿"] >= 9).mean() - (raw["推荐意愿"] <= 6).mean())
    assert scores.loc["nps", "value"] == pytest.approx(nps, abs=1e-3)
    gaps = _table(folder, "gaps").set_index("attribute")
    assert gaps.loc["服务", "gap"] == pytest.approx((raw["服务_体验"] - raw["服务_期望"]).mean(), abs=1e-3)
    assert set(_table(folder, "by_segment")["segment"]) == set(raw["客群"])
    assert "净推荐值 NPS" in text and "Net Promoter Score" not in text


# --------------------------------------------------------------------------- staffing (shipped bank calls)
def test_staffing_report_on_bank_calls(staffing_run, bank_calls):
    code, err, folder = staffing_run
    assert code == 0, err
    _check_outputs(folder)
    calls, _ = bank_calls
    end = calls["date"].max().normalize() + pd.Timedelta(days=1)
    recent = calls[calls["date"] >= end - pd.Timedelta(weeks=4)]
    hourly = recent.groupby(recent["date"].dt.floor("60min"))["calls"].sum()
    mondays = hourly[(hourly.index.dayofweek == 0) & (hourly.index.hour == 10)]
    table = _table(folder, "staffing").set_index(["weekday", "slot"])
    row = table.loc[("Mon", "10:00")]
    assert row["calls"] == pytest.approx(mondays.mean(), abs=0.01)
    assert row["agents"] == callcenter.agents_needed(calls=mondays.mean(), interval=3600, aht=240,
                                                     target_sl=0.8, answer_time=20, max_occupancy=0.85)
    assert row["staff"] == np.ceil(row["agents"] / 0.7)


# --------------------------------------------------------------------------- each report on the other data
def test_customer_value_on_simulated_data(runs, simulated_tx):
    code, out, err, folder = runs["value_simulated"]
    assert code == 0, err
    text = _check_outputs(folder)
    sim = simulated_tx[0]
    customers = _table(folder, "customers")
    assert len(customers) == sim.data["customer_id"].nunique()
    assert "CLV of the current base, next 6 months" in text
    params = _table(folder, "model_parameters").set_index(["model", "parameter"])["estimate"]
    # BG/NBD estimates near the parameters the log was simulated from (600 customers: loose)
    truth = sim.truth["params"]
    assert params[("bgnbd", "r")] == pytest.approx(truth["r"], rel=0.5)


def test_retention_on_company_file(runs):
    code, out, err, folder = runs["retention_company"]
    assert code == 0, err
    text = _check_outputs(folder, "zh")
    assert "已流失（超过 180 天未购买）" in text
    raw = pd.read_csv(SALES, encoding="gbk")
    # an as-of date before the file's last date: the later rows are left out, and the report says so
    kept = raw[raw["消费日期"] <= "2024-03-31"]
    assert len(kept) < len(raw)
    assert _table(folder, "status")["customers"].sum() == kept["会员号"].nunique()
    assert f"读取文件：截止日 2024-03-31 之后的 {len(raw) - len(kept):,} 行未计入。" in text
    last = pd.to_datetime(kept.groupby("会员号")["消费日期"].max())
    quiet = (pd.Timestamp("2024-03-31") - last).dt.days
    status = _table(folder, "status").set_index("status")["customers"]
    assert status.to_dict() == {"活跃": (quiet <= 90).sum(), "有流失风险": ((quiet > 90) & (quiet <= 180)).sum(),
                                "已流失": (quiet > 180).sum()}


def test_satisfaction_on_simulated_survey(runs, simulated_survey):
    code, out, err, folder = runs["survey_simulated"]
    assert code == 0, err
    _check_outputs(folder)
    survey = simulated_survey[0]
    csat = _table(folder, "scores").set_index("measure").loc["csat", "value"]
    assert csat == pytest.approx(100 * (survey["overall_satisfaction"] >= 6).mean(), abs=1e-2)
    # the strongest simulated driver (weights: quality 0.35) comes first
    drivers = _table(folder, "drivers").set_index("attribute")
    assert drivers["lmg_share"].idxmax() == "product_quality"


def test_staffing_on_company_excel(runs):
    code, out, err, folder = runs["staffing_company"]
    assert code == 0, err
    _check_outputs(folder, "zh")
    raw = pd.read_excel(CALLS, header=3)
    day = pd.to_datetime(raw["时段"]).dt.normalize()
    per_weekday = raw.groupby(day.dt.dayofweek)["来电量"].sum() / day.groupby(day.dt.dayofweek).nunique()
    table = _table(folder, "staffing")
    assert table["calls"].sum() == pytest.approx(per_weekday.sum(), abs=0.005 * len(table))  # calls rounded to 0.01


# --------------------------------------------------------------------------- output safety
def test_out_must_not_exist_or_overlap_the_input(tmp_path):
    src = tmp_path / "data"
    src.mkdir()
    shutil.copy(SALES, src / "s.csv")
    with pytest.raises(CRMInputError, match=r"argument `out`: must be a new directory outside the input"):
        run_report("customer-value", src, src / "out")
    with pytest.raises(CRMInputError, match=r"argument `out`: must be a new directory outside the input"):
        run_report("customer-value", src / "s.csv", src)
    (tmp_path / "taken").mkdir()
    code, _, err = _cli("customer-value", "--input", src / "s.csv", "--out", tmp_path / "taken")
    assert code == 2 and "the output directory must not exist yet" in err
    code, _, err = _cli("customer-value", "--input", src / "s.csv", "--out", tmp_path / "taken", "--overwrite",
                        "--customer-col", "会员号", "--date-col", "消费日期", "--amount-col", "消费金额")
    assert code == 2 and "only an earlier report directory can be overwritten" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "taken"]
    assert [p.name for p in src.iterdir()] == ["s.csv"] and _digest(src / "s.csv") == _digest(SALES)


def test_batch_by_a_missing_column(tmp_path):
    code, _, err = _cli("customer-value", "--input", SALES, "--out", tmp_path / "o", "--by", "store",
                        "--customer-col", "会员号", "--date-col", "消费日期", "--amount-col", "消费金额")
    assert code == 2
    assert err == ("error: file '门店销售_gbk.csv': column 'store' (given as --by) is missing; found columns "
                   "['会员号', '消费日期', '消费金额', '门店']. Pass --by='<your column>' naming the column that holds it.\n")
    assert list(tmp_path.iterdir()) == []


def test_failed_report_leaves_no_output(tmp_path, monkeypatch):
    from crm_lessons.reports import runner

    def half_written(report, data, folder, **kwargs):
        (folder / "report.html").write_text("half", encoding="utf-8")
        raise runner.ReportError("report 'staffing' failed: ZeroDivisionError: boom")

    monkeypatch.setattr(runner, "execute_report", half_written)
    path = tmp_path / "calls.csv"
    path.write_text("time,calls\n2024-03-04 09:00,12\n2024-03-04 09:30,15\n", encoding="utf-8")
    code, _, err = _cli("staffing", "--input", path, "--out", tmp_path / "out")
    assert code == 1 and err == "error: report 'staffing' failed: ZeroDivisionError: boom\n"
    assert [p.name for p in tmp_path.iterdir()] == ["calls.csv"]


def test_satisfaction_without_a_recommendation_question():
    from crm_lessons.reports.satisfaction import build
    from crm_lessons.simulate.survey import simulate_survey

    survey, _ = simulate_survey(200, seed=4)
    res = build(survey.drop(columns=["recommend"]))
    assert res.key_figures["Net Promoter Score"] == "not asked (no recommendation column)"
    assert res.tables["scores"]["measure"].tolist() == ["csat"]


def test_text_from_the_data_cannot_inject_html(monkeypatch):
    import IPython.display

    from crm_lessons.reports.results import ReportResult, show_summary, show_tables

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(
        obj.to_html() if hasattr(obj, "to_html") else obj.data))
    evil = "<script>alert(1)</script>"
    res = ReportResult(title="t", key_figures={"Biggest store": evil}, actions=[f"Call {evil}"],
                       tables={"stores": pd.DataFrame({evil: [evil], "n": [1.5]})})
    show_summary(res)
    show_tables(res)
    text = "".join(shown)
    assert len(shown) == 3 and text.count("&lt;script&gt;") == 4 and "<script>" not in text
