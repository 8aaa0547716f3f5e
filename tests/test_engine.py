"""The customer-value report's engine path (crm_lessons.engine, reports/_engine) against the in-memory path.

Same per-customer table (ids, counts and days exact; money and predictions to 1e-9 relative) on the
shipped CDNOW log and on a simulated BG/NBD log with known truth; the same message for a bad file;
``--engine auto`` takes the engine above the memory threshold; the engine's peak memory stays
bounded by ``--max-memory``.
"""

import json
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from crm_lessons import datasets, engine
from crm_lessons._validation import CRMInputError
from crm_lessons.reports import customer_value as cv
from crm_lessons.reports._catalogue import get_report
from crm_lessons.reports._engine import EngineData, prepare_engine
from crm_lessons.reports._prepare import read_and_prepare
from crm_lessons.reports._text import Text
from crm_lessons.simulate import simulate_transactions

warnings.filterwarnings("ignore", message=".*fetch_arrow_table.*", category=DeprecationWarning)
REPORT = get_report("customer-value")
EXACT = ["recency", "frequency", "r_score", "f_score", "m_score", "rfm_score", "segment", "rfm_class", "status",
         "abc_class", "tier"]
CLOSE = ["monetary", "expected_purchases", "expected_spend", "clv", "p_alive"]


def customer_tables(path, **kw):
    """(in-memory table, models), (engine table, models) for the file ``path``."""
    data, as_of = read_and_prepare(path, REPORT, **kw)
    mem = cv.customer_table(data, as_of=as_of, tr=Text("en"))
    edata, as_of_e = prepare_engine(path, REPORT, **kw)
    assert as_of_e == as_of and len(edata) == len(data)
    assert str(pd.Timestamp(data["date"].min())) == str(edata["date"].min())
    return mem, cv.customer_table(edata, as_of=as_of_e, tr=Text("en"))


def assert_same_tables(a: pd.DataFrame, b: pd.DataFrame):
    assert a.index.tolist() == b.index.tolist()
    for c in EXACT:
        assert a[c].astype(str).tolist() == b[c].astype(str).tolist(), c
    for c in CLOSE:
        np.testing.assert_allclose(b[c].to_numpy(float), a[c].to_numpy(float), rtol=1e-9, atol=0, err_msg=c)


@pytest.fixture(scope="module")
def cdnow_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cdnow")
    df = datasets.load_cdnow()[["customer_id", "date", "amount"]]
    df = df.assign(date=df["date"].dt.strftime("%Y-%m-%d"))
    df.to_csv(folder / "cdnow.csv", index=False)
    df.to_parquet(folder / "cdnow.parquet", index=False)
    return folder


@pytest.mark.parametrize("name", ["cdnow.csv", "cdnow.parquet"])
def test_engine_equals_memory_on_cdnow(cdnow_files, name):
    """CDNOW as shipped has 80 zero amounts and 255 repeated rows: both paths take the same flags."""
    (a, ma), (b, mb) = customer_tables(cdnow_files / name, drop_zero_amounts=True, allow_duplicates=True)
    assert len(a) == 23_502  # 68 customers bought only zero amounts
    assert_same_tables(a, b)
    np.testing.assert_allclose(mb.bgnbd.params_.to_numpy(), ma.bgnbd.params_.to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(mb.gamma_gamma.params_.to_numpy(), ma.gamma_gamma.params_.to_numpy(), rtol=1e-9)


def test_engine_equals_memory_on_simulated_log_with_known_truth(tmp_path):
    sim = simulate_transactions(4000, seed=7)
    log = sim.data.assign(customer_id="K" + sim.data["customer_id"].astype(str),
                          date=sim.data["date"].dt.strftime("%Y-%m-%d"))
    path = tmp_path / "sim.parquet"
    log.to_parquet(path, index=False)
    (a, ma), (b, mb) = customer_tables(path, as_of=str(sim.truth["end"].date()), allow_duplicates=True)
    assert_same_tables(a, b)
    # known truth: purchase days counted by hand, and the BG/NBD estimates near the parameters drawn from
    days = log.groupby("customer_id")["date"].nunique()
    assert b["frequency"].to_dict() == days.to_dict()
    truth = pd.Series(sim.truth["params"])[mb.bgnbd.params_.index]
    np.testing.assert_allclose(mb.bgnbd.params_.to_numpy(), truth.to_numpy(), rtol=0.35)


def test_engine_reads_ids_as_the_memory_path_does(tmp_path):
    """Full-width digits, ``1001.0`` and padded ids name one customer on both paths (the engine translates only
    the cells outside printable ASCII; a bug there would split or merge customers)."""
    sim = simulate_transactions(1500, seed=11)
    k = sim.data["customer_id"].to_numpy()
    full = str.maketrans("0123456789", "０１２３４５６７８９")
    ids = [str(i).translate(full) if i % 3 == 0 else f"{i}.0" if i % 3 == 1 else f" {i}　" for i in k]
    log = sim.data.assign(customer_id=ids, date=sim.data["date"].dt.strftime("%Y-%m-%d"))
    log.to_csv(tmp_path / "ids.csv", index=False)
    (a, _), (b, _) = customer_tables(tmp_path / "ids.csv", as_of=str(sim.truth["end"].date()), allow_duplicates=True)
    assert_same_tables(a, b)
    assert sorted(a.index) == sorted(str(i) for i in np.unique(k))


def test_engine_reads_chinese_dates_as_the_memory_path_does(tmp_path):
    """``2023年1月5日`` (with and without 日, padded or not, with a time) gives the same days on both paths."""
    sim = simulate_transactions(800, seed=5)
    d = sim.data["date"]
    forms = [d.dt.strftime("%Y年%-m月%-d日"), d.dt.strftime("%Y年%m月%d日"), d.dt.strftime("%Y 年 %-m 月 %-d") ,
             d.dt.strftime("%Y-%m-%d"), d.dt.strftime("%Y年%-m月%-d日 12:30")]
    text = np.select([np.arange(len(d)) % 5 == i for i in range(5)], [f.to_numpy() for f in forms])
    sim.data.assign(date=text).to_csv(tmp_path / "cn.csv", index=False)
    (a, _), (b, _) = customer_tables(tmp_path / "cn.csv", as_of=str(sim.truth["end"].date()), allow_duplicates=True)
    assert_same_tables(a, b)


def test_engine_data_round_trips_through_parquet_for_the_notebook(cdnow_files, tmp_path):
    data, as_of = prepare_engine(cdnow_files / "cdnow.parquet", REPORT, drop_zero_amounts=True, allow_duplicates=True)
    data.to_parquet(tmp_path / "d.parquet")
    from crm_lessons.reports import results
    back = results.load_data(tmp_path / "d.parquet")
    assert isinstance(back, EngineData) and len(back) == len(data) == 69_579
    pd.testing.assert_frame_equal(back.base, data.base)
    res = cv.build(back, as_of=str(as_of.date()))
    assert res.tables["customers"].shape[0] == 23_502


# ------------------------------------------------------------------------------------------- bad input
GOOD = "customer_id,date,amount\n" + "".join(f"C{i % 7},2024-0{1 + i % 6}-1{i % 9},{10 + i}.5\n" for i in range(40))
BAD = {
    "bad date": ("C1,2024-13-45,10\n", {}),
    "negative amount": ("C1,2024-02-03,-4.5\n", {}),
    "text amount": ("C1,2024-02-03,ten\n", {}),
    "zero amount": ("C1,2024-02-03,0\n", {}),
    "missing id": (",2024-02-03,10\n", {}),
    "totals label": ("合计,2024-02-03,10\n", {}),
    "future date": ("C1,2099-02-03,10\n", {}),
    "placeholder date": ("C1,1900-01-01,10\n", {}),
    "missing date": ("C1,,10\n", {}),
    "repeated row": ("C3,2024-04-13,13.5\n", {}),
    "totals row": ("TOTAL2,2024-02-03,{total}\n", {}),
    "after as-of": ("", {"as_of": "2020-01-01"}),
}


@pytest.mark.parametrize("kind", list(BAD))
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_bad_file_gives_the_same_message_on_both_paths(tmp_path, kind, fmt):
    line, kw = BAD[kind]
    lines = GOOD.splitlines(keepends=True)
    total = sum(10 + i + 0.5 for i in range(40))
    text = "".join(lines[:25]) + line.format(total=total) + "".join(lines[25:])
    path = tmp_path / "sales.csv"
    path.write_text(text, encoding="utf-8")
    if fmt == "parquet":
        df = pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)
        df["amount"] = pd.to_numeric(df["amount"], errors="coerce") if kind != "text amount" else df["amount"]
        path = tmp_path / "sales.parquet"
        df.to_parquet(path, index=False)
    with pytest.raises(CRMInputError) as mem:
        read_and_prepare(path, REPORT, today="2025-01-01", **kw)
    with pytest.raises(CRMInputError) as eng:
        prepare_engine(path, REPORT, today="2025-01-01", **kw)
    assert str(eng.value) == str(mem.value)
    if fmt == "csv" and line:
        assert "line 26" in str(mem.value)  # header + 24 rows before it


@pytest.mark.parametrize("before, rows", [(24, 40), (2, 2)])
def test_a_row_with_an_extra_field_gives_the_same_message_on_both_paths(tmp_path, before, rows):
    """DuckDB stops at such a row with a traceback of its own, or (a short file) skips the lines before it
    and reads a data row as the header; the engine path gives the reader's message instead."""
    lines = GOOD.splitlines(keepends=True)
    path = tmp_path / "sales.csv"
    path.write_text("".join(lines[:before + 1]) + "C1,2024-02-03,¥1,2\n" + "".join(lines[before + 1:rows + 1]),
                    encoding="utf-8")
    with pytest.raises(CRMInputError) as mem:
        read_and_prepare(path, REPORT, today="2025-01-01")
    with pytest.raises(CRMInputError) as eng:
        prepare_engine(path, REPORT, today="2025-01-01")
    assert str(eng.value) == str(mem.value)
    assert f"line {before + 2}: every row must have as many fields as the header; found 4" in str(eng.value)


# ------------------------------------------------------------------------------------------- choosing
def test_auto_takes_the_engine_above_the_memory_threshold(cdnow_files):
    path = cdnow_files / "cdnow.csv"
    size = path.stat().st_size * engine.SIZE_FACTOR[".csv"]
    assert engine.choose_engine(path, "auto", max_memory=f"{size + 1000}B") == "pandas"
    assert engine.choose_engine(path, "auto", max_memory=f"{size - 1000}B") == "duckdb"
    assert engine.choose_engine(path, "pandas", max_memory="1B") == "pandas"
    assert engine.choose_engine("duckdb:shop.duckdb:sales") == "duckdb"
    with pytest.raises(CRMInputError, match="--engine"):
        engine.choose_engine(path, "polars")


def test_the_report_runs_end_to_end_on_the_engine_and_matches_pandas(cdnow_files, tmp_path):
    """The CLI with a small --max-memory picks the engine (run.json says so); its tables equal pandas'."""
    from crm_lessons.reports.runner import run_report

    src = cdnow_files / "cdnow.csv"
    common = dict(drop_zero_amounts=True, allow_duplicates=True, params={"top_n": 10})
    run_report("customer-value", src, tmp_path / "mem", engine="pandas", **common)
    run_report("customer-value", src, tmp_path / "eng", engine="auto", max_memory="10MB", **common)
    info = json.loads((tmp_path / "eng" / "run.json").read_text())
    assert info["engine"] == "duckdb" and info["rows"] == 69_579
    assert json.loads((tmp_path / "mem" / "run.json").read_text())["engine"] == "pandas"
    names = sorted(p.name for p in (tmp_path / "mem" / "tables").glob("*.csv"))
    assert len(names) == 9 and names == sorted(p.name for p in (tmp_path / "eng" / "tables").glob("*.csv"))
    for name in names:
        a = pd.read_csv(tmp_path / "mem" / "tables" / name)
        b = pd.read_csv(tmp_path / "eng" / "tables" / name)
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9)
    figures = [json.loads((tmp_path / d / "figures.json").read_text()) for d in ("mem", "eng")]
    assert figures[0].keys() == figures[1].keys()
    for k, v in figures[0].items():
        assert v["value"] == pytest.approx(figures[1][k]["value"], rel=1e-9), k


def test_engine_peak_memory_stays_bounded(tmp_path):
    """Four million transactions in a subprocess: under --max-memory 150MB the engine's peak (VmHWM) stays within
    the interpreter's own (the same imports, no data) plus 300 MB. The in-memory path needs about 180 MB per
    million rows of this file above that (measured: 730 MB at these 4M rows, against the engine's 226 MB), so
    the bound can fail."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(3)
    n = 4_000_000
    day = rng.integers(0, 700, n)
    table = pa.table({"customer_id": pa.array(np.char.add("C", rng.integers(0, 80_000, n).astype(str))),
                      "date": pa.array((np.datetime64("2022-01-01") + day.astype("timedelta64[D]")).astype(str)),
                      "amount": pa.array(np.round(rng.lognormal(3, 0.8, n), 2) + 0.01)})
    path = tmp_path / "log.csv"
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="none"))
    del table
    code = ("import sys, warnings; warnings.filterwarnings('ignore'); from crm_lessons.reports._catalogue import get_report;"
            "from crm_lessons.reports._engine import prepare_engine; from crm_lessons.reports._prepare import read_and_prepare;"
            "from crm_lessons.reports.customer_value import customer_table; from crm_lessons.reports._text import Text;"
            "import duckdb, ibis; r = get_report('customer-value'); p = sys.argv[1]\n"
            "if sys.argv[2] == 'engine':\n d, a = prepare_engine(p, r, allow_duplicates=True, max_memory='150MB')\n"
            " customer_table(d, as_of=a, tr=Text('en'))\n"

            "print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])")
    peak = {m: int(subprocess.run([sys.executable, "-c", code, str(path), m], capture_output=True, text=True,
                                  check=True).stdout.split()[-1]) / 1024 for m in ("engine", "imports only")}
    assert peak["engine"] - peak["imports only"] < 300, peak
