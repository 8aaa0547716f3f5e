"""Fast aggregations (issue 17): the summary, RFM table and cohort matrix equal a plain pandas groupby.

Simulated logs with repeated days, text and integer ids, rows in date order and shuffled; the
reference is written the straightforward way (groupby on customer and day) and does not share
code with the package.
"""

import numpy as np
import pandas as pd
import pytest

import crm_lessons.retention as retention
from crm_lessons.customer_summary import summary_from_transactions
from crm_lessons.retention import cohort_matrix
from crm_lessons.segmentation import rfm_table


def _log(seed: int, n: int = 20_000, ids: str = "int", order: str = "random") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_cust = n // 5
    first = rng.integers(0, 700, n_cust)
    cust = rng.integers(0, n_cust, n)
    day = first[cust] + (rng.random(n) * (730 - first[cust])).astype(int)
    # a few customers buy twice on a day; amounts in cents
    df = pd.DataFrame({"customer_id": cust * 7 + 3 if ids == "int" else np.char.add("K", cust.astype(str)),
                       "date": pd.Timestamp("2022-01-01") + pd.to_timedelta(day * 24 + rng.integers(8, 20, n), unit="h"),
                       "amount": np.round(rng.lognormal(3, 1, n), 2)})
    df = df.sort_values("date", kind="stable") if order == "sorted" else df.sample(frac=1, random_state=seed)
    return df.reset_index(drop=True)


def _daily(df):
    d = df.assign(day=df["date"].dt.normalize())
    return d.groupby(["customer_id", "day"], as_index=False)["amount"].sum().sort_values(["customer_id", "day"])


CASES = [(1, "int", "random"), (2, "str", "sorted"), (3, "int", "sorted"), (4, "str", "random")]


@pytest.mark.parametrize("seed,ids,order", CASES)
def test_summary_equals_a_pandas_groupby(seed, ids, order):
    df = _log(seed, ids=ids, order=order)
    end = df["date"].max().normalize()
    daily = _daily(df)
    g = daily.groupby("customer_id")
    ref = pd.DataFrame({"frequency": g.size() - 1, "recency": (g["day"].max() - g["day"].min()).dt.days.astype(float),
                        "T": (end - g["day"].min()).dt.days.astype(float),
                        "first": g["amount"].first(), "total": g["amount"].sum()})
    ref["monetary_value"] = np.where(ref["frequency"] > 0, (ref["total"] - ref["first"]) / ref["frequency"].clip(lower=1), 0.0)
    ours = summary_from_transactions(df).set_index("customer_id")
    assert ours.index.equals(ref.index)
    assert (ours["frequency"].to_numpy() == ref["frequency"].to_numpy()).all()
    np.testing.assert_array_equal(ours["recency"], ref["recency"])
    np.testing.assert_array_equal(ours["T"], ref["T"])
    np.testing.assert_allclose(ours["monetary_value"], ref["monetary_value"], rtol=1e-12, atol=1e-12)
    assert (ref["frequency"] > 0).mean() > 0.3 and (daily.groupby(["customer_id", "day"]).size() == 1).all()


@pytest.mark.parametrize("period", ["W", "M"])
def test_summary_weeks_and_months_equal_a_pandas_groupby(period):
    df = _log(5, ids="str")
    per = df["date"].dt.to_period(period)
    d = df.assign(p=per.dt.start_time).groupby(["customer_id", "p"], as_index=False)["amount"].sum()
    g = d.groupby("customer_id")
    ours = summary_from_transactions(df, period=period).set_index("customer_id")
    np.testing.assert_array_equal(ours["frequency"], g.size() - 1)
    np.testing.assert_array_equal(ours["recency"], (g["p"].max() - g["p"].min()).dt.days)
    np.testing.assert_allclose(ours["monetary_value"] * ours["frequency"], g["amount"].sum() - g["amount"].first(),
                               rtol=1e-12, atol=1e-9)


def test_summary_split_equals_a_pandas_groupby():
    df = _log(6)
    cut = pd.Timestamp("2023-06-30")
    ours = summary_from_transactions(df, calibration_end=cut).set_index("customer_id")
    hold = _daily(df[df["date"] > cut + pd.Timedelta(days=1) - pd.Timedelta(1, "ns")])
    ref = hold.groupby("customer_id").size().reindex(ours.index, fill_value=0)
    np.testing.assert_array_equal(ours["frequency_holdout"], ref)
    cal = _daily(df[df["date"] < cut + pd.Timedelta(days=1)])
    assert ours.index.equals(pd.Index(cal["customer_id"].unique()).sort_values())


@pytest.mark.parametrize("seed,ids,order", CASES[:2])
def test_rfm_equals_a_pandas_groupby(seed, ids, order):
    df = _log(seed, ids=ids, order=order)
    daily = _daily(df)
    end = df["date"].max().normalize()
    g = daily.groupby("customer_id")
    ref = pd.DataFrame({"recency": (end - g["day"].max()).dt.days, "frequency": g.size(), "monetary": g["amount"].sum()})
    ours = rfm_table(df)
    assert ours.index.equals(ref.index)
    np.testing.assert_array_equal(ours["recency"], ref["recency"])
    np.testing.assert_array_equal(ours["frequency"], ref["frequency"])
    np.testing.assert_allclose(ours["monetary"], ref["monetary"], rtol=1e-12)
    n = len(ref)
    for col, score, worse_is_bigger in (("recency", "r_score", True), ("frequency", "f_score", False),
                                        ("monetary", "m_score", False)):
        x = ref[col].round(6)
        worse = (-x if worse_is_bigger else x).rank(method="min") - 1
        np.testing.assert_array_equal(ours[score], 1 + np.floor(5 * worse / n))
    assert (ours["rfm_score"] == ours["r_score"].astype(str) + ours["f_score"].astype(str)
            + ours["m_score"].astype(str)).all()
    assert ours["segment"].notna().all() and ours["rfm_class"].nunique() == 8


@pytest.mark.parametrize("bitmap", [True, False])
@pytest.mark.parametrize("seed,ids,order", CASES[:2])
def test_cohort_matrix_equals_a_pandas_pivot(seed, ids, order, bitmap, monkeypatch):
    if not bitmap:
        monkeypatch.setattr(retention, "_BITMAP_CELLS", 0)     # the sort path of very large bases
    df = _log(seed, ids=ids, order=order)
    month = df["date"].dt.year * 12 + df["date"].dt.month - 1
    cohort = month.groupby(df["customer_id"]).transform("min")
    age = month - cohort
    ref = (pd.DataFrame({"c": cohort, "age": age, "id": df["customer_id"]})
           .pivot_table(index="c", columns="age", values="id", aggfunc="nunique", fill_value=0))
    ours = cohort_matrix(df)
    observable = ours.notna().to_numpy()
    np.testing.assert_array_equal(ours.fillna(0).to_numpy(), np.where(observable, ref.to_numpy(), 0))
    assert [p.ordinal for p in ours.index] == [c - 1970 * 12 for c in ref.index]


# --------------------------------------------------------------------------- the fast CSV reader
def _text_cases(cases):
    return [c for c in cases if c.name.endswith((".csv", ".txt", ".tsv"))]


@pytest.fixture
def fast_csv(monkeypatch):
    """Every text file through pyarrow's reader (normally only files of 8 MB and more)."""
    import crm_lessons.io as cio

    calls = []
    real = cio._read_text_fast

    def spy(*a, **k):
        out = real(*a, **k)
        calls.append(out is not None)
        return out
    monkeypatch.setattr(cio, "FAST_CSV_BYTES", 0)
    monkeypatch.setattr(cio, "_read_text_fast", spy)
    return calls


def test_fast_csv_reader_gives_the_same_messages_as_the_exact_one(tmp_path, fast_csv):
    import contextlib
    import io as _io

    from test_bad_inputs import CASES, EXPECTED, main

    for case in _text_cases(CASES):
        path = tmp_path / case.name
        case.write(path)
        err = _io.StringIO()
        with contextlib.redirect_stderr(err):
            code = main(["report", case.report, "--input", str(path), "--out", str(tmp_path / "out"), *case.args])
        assert (code, err.getvalue()) == (2, f"error: {EXPECTED[case.name]}\n"), case.name
    assert any(fast_csv) and not all(fast_csv)     # some files taken by pyarrow, some handed over


def test_fast_csv_reader_reads_the_same_values(tmp_path, fast_csv):
    from test_bad_inputs import ACCEPTED, get_report, read_and_prepare

    for case in _text_cases(ACCEPTED):
        path = tmp_path / case.name
        case.write(path)
        data, _ = read_and_prepare(path, get_report(case.report), today="2026-01-01", **case.args)
        assert data[case.column].tolist() == case.values, case.name
        assert [en for en, zh in data.attrs["crm_notes"]] == case.notes, case.name
    assert any(fast_csv)


# --------------------------------------------------------------------------- fits on distinct profiles
def test_bgnbd_fit_on_distinct_triples_with_counts_equals_the_fit_on_every_customer():
    """An engine hands the models only the distinct (frequency, recency, T) triples with their counts."""
    from crm_lessons.datasets import load_cdnow
    from crm_lessons.purchase_models import BetaGeoModel

    summary = summary_from_transactions(load_cdnow(sample=True), as_of="1997-09-30", time_unit="W")
    triples = (summary.groupby(["frequency", "recency", "T"], as_index=False).size()
               .rename(columns={"size": "weights"}))
    assert len(triples) < 0.8 * len(summary)          # the compression is real on CDNOW
    full = BetaGeoModel().fit(summary)
    weighted = BetaGeoModel().fit(triples, weights_col="weights")
    np.testing.assert_allclose(weighted.params_, full.params_, rtol=1e-8)
    assert weighted.log_likelihood_ == pytest.approx(full.log_likelihood_, rel=1e-12)
    # published CDNOW estimates (Fader, Hardie & Lee 2005): r 0.243, alpha 4.414, a 0.793, b 2.426
    np.testing.assert_allclose(weighted.params_.to_numpy(), [0.243, 4.414, 0.793, 2.426], atol=0.001)


def test_fast_csv_writer_writes_the_same_bytes_as_pandas(tmp_path, monkeypatch):
    import crm_lessons.io as cio

    rng = np.random.default_rng(3)
    n = 2_000
    df = pd.DataFrame({"customer_id": [f"C{i:05d}" for i in range(n)], "clv": rng.lognormal(3, 2, n).clip(1e-4, 1e8),
                       "k": np.arange(n), "seg": pd.Categorical(rng.choice(["Champions", "=odd", "At risk"], n)),
                       "p": np.where(rng.random(n) < 0.1, np.nan, rng.uniform(0.01, 1, n)),
                       "whole": rng.integers(0, 9, n) / 2, "cents": np.round(rng.lognormal(3, 1, n), 2)})
    monkeypatch.setattr(cio, "FAST_WRITE_ROWS", 10 ** 12)
    cio.write_csv_safe(df, tmp_path / "pandas.csv")
    monkeypatch.setattr(cio, "FAST_WRITE_ROWS", 1)
    assert cio._write_csv_fast(cio.escape_formulas(df), tmp_path / "probe.csv")   # the fast path is taken
    cio.write_csv_safe(df, tmp_path / "arrow.csv")
    assert (tmp_path / "arrow.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()
    # text with a comma, and numbers printed differently by the two writers, go to pandas
    assert not cio._write_csv_fast(df.assign(customer_id="a,b"), tmp_path / "x.csv")
    assert not cio._write_csv_fast(df.assign(clv=1e-7), tmp_path / "y.csv")
