"""The customer-value report aggregates the log once (issue 17): its RFM columns and its models' summary
equal what ``segmentation.rfm_table`` and ``customer_summary.summary_from_transactions`` give on their own,
on logs of several shapes (ties on a day, one-time buyers, unsorted rows, text, integer and coded ids)."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons import segmentation
from crm_lessons.customer_summary import summary_from_transactions
from crm_lessons.reports.customer_value import customer_table
from crm_lessons.reports._text import Text
from crm_lessons.simulate.transactions import simulate_transactions

RFM_COLS = ["recency", "frequency", "monetary", "r_score", "f_score", "m_score", "rfm_score", "segment",
            "segment_zh", "rfm_class", "rfm_class_zh"]


def _log(shape: str) -> pd.DataFrame:
    rng = np.random.default_rng(len(shape))
    if shape == "fitted":                               # the models fit: CLV columns come out too
        log = simulate_transactions(600, seed=5).data
    else:
        n = 4000
        cust = rng.integers(0, 900, n)
        day = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 500, n), unit="D")
        log = pd.DataFrame({"customer_id": cust, "date": day, "amount": np.round(rng.lognormal(3, 1, n), 2)})
        # several purchases on one day, the first day included (their amounts add up)
        ties = log.sample(600, random_state=1).assign(amount=lambda d: np.round(d["amount"] / 3, 2))
        once = pd.DataFrame({"customer_id": np.arange(5000, 5300), "amount": 9.99,      # one-time buyers
                             "date": pd.Timestamp("2023-03-01") + pd.to_timedelta(np.arange(300), unit="D")})
        log = pd.concat([log, ties, once], ignore_index=True)
        log["date"] += pd.to_timedelta(rng.integers(8, 20, len(log)), unit="h")    # times within the day
    if shape != "sorted":
        log = log.sample(frac=1, random_state=2).reset_index(drop=True)         # unsorted rows
    else:
        log = log.sort_values("date", kind="stable").reset_index(drop=True)
    return log


def _ids(log: pd.DataFrame, kind: str) -> pd.Series:
    ids = log["customer_id"].astype(np.int64)
    if kind == "text":                                   # lengths vary: text order is not number order
        return "K" + ids.astype(str)
    if kind == "wide ints":                              # too sparse for offsets: factorised
        return ids * 10 ** 9 + 7
    if kind == "coded":                                  # the reader's categorical, here with unsorted and
        text = "K" + ids.astype(str)                     # unused categories
        cats = list(np.unique(text))[::-1] + ["unused"]
        return pd.Series(pd.Categorical(text, categories=cats))
    return ids


@pytest.mark.parametrize("shape,kind", [("sorted", "ints"), ("unsorted", "text"), ("unsorted", "wide ints"),
                                        ("unsorted", "coded"), ("fitted", "text")])
def test_one_pass_gives_the_rfm_table_and_the_summary_of_the_two_functions(shape, kind):
    log = _log(shape)
    data = log.assign(customer_id=_ids(log, kind))
    as_of = pd.Timestamp(data["date"].max()).normalize()
    customers, models = customer_table(data, as_of=as_of, tr=Text("en"), rfm_bins=4, recency_days=(30, 90, 365))
    plain = data.assign(customer_id=np.asarray(data["customer_id"]))
    rfm = segmentation.rfm_table(plain, as_of=as_of, n_bins=4, recency_days=[30, 90, 365])
    pd.testing.assert_frame_equal(customers[RFM_COLS], rfm[RFM_COLS], check_index_type=False)
    assert customers.index.tolist() == rfm.index.tolist() and customers.index.name == "customer_id"
    summary = summary_from_transactions(plain, as_of=as_of + pd.Timedelta(days=1), time_unit="W", period="D")
    pd.testing.assert_frame_equal(models.summary, summary.set_index("customer_id"), check_index_type=False)
    assert models.summary.attrs["time_unit"] == "W"
    assert (customers["frequency"] == 1).sum() >= (300 if shape != "fitted" else 1)
    assert ("clv" in customers) == (shape == "fitted") and (not models.reason) == (shape == "fitted")
    if shape == "fitted":
        assert customers["clv"].notna().all() and customers["p_alive"].isna().sum() == (customers["frequency"] == 1).sum()


def test_the_report_on_coded_ids_equals_the_report_on_text_ids(tmp_path):
    from crm_lessons.reports import results
    from crm_lessons.reports.customer_value import build

    log = _log("fitted").assign(customer_id=lambda d: "K" + d["customer_id"].astype(str))
    coded = log.assign(customer_id=pd.Categorical(log["customer_id"], categories=sorted(log["customer_id"].unique())
                                                  + ["unused"]))
    files = results.save_data(coded, tmp_path / "d.parquet")      # as the runner hands it to the kernel
    back = results.load_data(files[0])
    assert isinstance(back["customer_id"].dtype, pd.CategoricalDtype) and len(files) == 1
    a, b = build(log, lang="zh", top_n=5), build(back, lang="zh", top_n=5)
    assert list(a.tables) == list(b.tables) and len(a.tables["win-back list"]) > 0
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])
    assert a.key_figures == b.key_figures


@pytest.mark.parametrize("cats", [["a", "b", "c", "d"], ["d", "b", "a", "c"]], ids=["sorted", "unsorted"])
def test_the_data_file_gives_back_the_frame_it_was_given(tmp_path, cats):
    from crm_lessons.reports import results

    data = pd.DataFrame({"customer_id": pd.Categorical(["b", "a", None, "b", "d"], categories=cats),
                         "tier": pd.Categorical(["x", "y", "x", "x", "y"], categories=["y", "x"], ordered=True),
                         "date": pd.to_datetime(["2024-01-05T00:00:00", "2024-01-06T10:30:00", "2024-02-01T00:00:00",
                                                 "2024-02-02T00:00:00",
                                                 "2024-03-01T00:00:00"]),
                         "amount": [1.5, 2.0, 3.25, -4.0, 0.0], "note": ["k", None, "m", "n", "o"]})
    files = results.save_data(data, tmp_path / "d.parquet")
    back = results.load_data(files[0])
    assert [f.name for f in files] == ["d.parquet"]
    pd.testing.assert_frame_equal(back, data)
    assert back["customer_id"].cat.codes.tolist() == data["customer_id"].cat.codes.tolist()
    assert back["customer_id"].cat.categories.tolist() == cats and back["tier"].cat.ordered


@pytest.mark.parametrize("shape", ["fitted", "ties"])
def test_the_report_lists_are_the_sorted_per_customer_table(shape):
    """The top and win-back lists are taken without sorting the whole table: they equal the whole table sorted."""
    from crm_lessons.reports.customer_value import build

    res = build(_log(shape), top_n=7)
    per = res.tables["customers"]
    sort_col = "clv" if "clv" in per else "monetary"
    assert per[sort_col].duplicated().any()                               # ties, broken in row order
    top = per.sort_values(sort_col, ascending=False, kind="stable").head(7)
    pd.testing.assert_frame_equal(res.tables["top customers"], top)
    risk = per[per["segment"].isin(["Can't lose them", "At risk"])].sort_values("monetary", ascending=False)
    pd.testing.assert_frame_equal(res.tables["win-back list"], risk.head(100).reset_index(drop=True))
    assert len(risk) > 0


def test_a_long_table_written_in_parts_is_the_same_file(tmp_path):
    from crm_lessons.io import FAST_WRITE_ROWS, write_csv_safe
    from crm_lessons.reports.results import write_csv_parts

    n = 2 * FAST_WRITE_ROWS + 3                                           # each part on pyarrow's writer
    rng = np.random.default_rng(3)
    t = pd.DataFrame({"customer_id": [f"=C{i}" if i % 1000 == 0 else f"C{i}" for i in range(n)],
                      "frequency": rng.integers(1, 9, n),
                      "monetary": np.where(rng.random(n) < 0.1, 20.0, np.round(rng.lognormal(3, 1, n), 2)),
                      "p_alive": np.where(rng.random(n) < 0.3, np.nan, rng.random(n).round(4)),
                      "segment": pd.Categorical(rng.choice(["Lost", "At risk", "-x"], n))})
    write_csv_parts(t, tmp_path / "parts.csv", parts=2)
    write_csv_safe(t, tmp_path / "whole.csv")
    assert (tmp_path / "parts.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parts.csv", "whole.csv"]   # no part left behind
