"""The report loader goes through the table contract (issue 10), and reads large files fast (issue 17).

- each report's input is a ``tables.Table`` (``_prepare.report_table``) and a bad file walks its
  checks in the one grammar, naming the file, the column, the option typed and the file line;
- the pyarrow reader and the exact reader give the same frame and the same message;
- the columnar (pyarrow) CSV writer writes the report's per-customer table byte for byte as pandas.
"""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import crm_lessons.io as cio
from crm_lessons._validation import CRMInputError
from crm_lessons.reports._catalogue import REPORTS, get_report
from crm_lessons.reports._prepare import read_and_prepare, report_table
from crm_lessons.reports._registry import Report
from crm_lessons.tables import TABLES, Table

TODAY = "2026-01-01"
HEAD = "customer_id,date,amount\n"
GOOD = ["C001,2024-01-05,12.50", "C002,2024-02-11,30.00", "C001,2024-03-02,8.00", "C003,2024-03-09,19.90"]
FIX_AMOUNT = "Correct or remove these rows, e.g. refunds belong in a separate table."


def _file(tmp_path, rows, head=HEAD, name="sales.csv"):
    path = tmp_path / name
    path.write_text(head + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _message(path, **kw):
    with pytest.raises(CRMInputError) as err:
        read_and_prepare(path, get_report("customer-value"), today=TODAY, **kw)
    return str(err.value)


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_each_report_input_is_a_table_of_its_base_kind(name):
    report = get_report(name)
    table = report_table(report, params=report.parse_params({}), names={})
    assert isinstance(table, Table) and table.key == ()
    base = TABLES[report.table]
    for c in report.columns:                              # the report's columns refine the base kind's roles
        assert c.role in base.roles and table.column(c.role).name == c.default
    assert table.as_of_role == report.date_role
    assert any(ch.role is None for ch in table.checks)    # repeated rows
    if name == "customer-value":
        assert (table.column("amount").min, table.column("amount").max) == (0, 1e7)
        assert {ch.role for ch in table.checks} == {"customer", "date", "amount", None}


def test_a_bad_file_walks_the_contract_with_the_file_line(tmp_path):
    # missing column, named by the option the user typed
    p = _file(tmp_path, [r.rsplit(",", 1)[0] for r in GOOD], head="customer_id,date\n")
    assert _message(p) == ("file 'sales.csv': column 'amount' (given as --amount-col) is missing; found columns "
                           "['customer_id', 'date']. Pass --amount-col='<your column>' naming the column that holds it.")
    p = _file(tmp_path, GOOD, head="客户,日期,金额\n")
    assert _message(p, columns={"customer": "客户", "date": "日期", "amount": "sales"}).startswith(
        "file 'sales.csv': column 'sales' (given as --amount-col) is missing")
    # a bad date on line 4 (header on line 1)
    rows = GOOD[:2] + ["C004,2024-02-30,5.00"] + GOOD[2:]
    assert _message(_file(tmp_path, rows)).startswith(
        "file 'sales.csv', column 'date' (--date-col), line 4: values must be dates; found '2024-02-30' (1 such row).")
    # a negative amount on line 3, the user's column name and option
    rows = [GOOD[0], "C002,2024-02-11,-30.00", *GOOD[2:]]
    assert _message(_file(tmp_path, rows, head="客户,日期,金额\n"),
                    columns={"customer": "客户", "date": "日期", "amount": "金额"}) == (
        f"file 'sales.csv', column '金额' (--amount-col), line 3: values must be >= 0; found -30.0 (1 such row). "
        f"{FIX_AMOUNT}")
    # a totals row, labelled (line 6) and unlabelled (line 6)
    assert _message(_file(tmp_path, GOOD + ["Total,2024-03-31,70.40"])) == (
        "file 'sales.csv', column 'customer_id' (--customer-col), line 6: rows must be single records, not totals; "
        "found 'Total', a totals row. Delete the totals row(s) (合计/小计) and run again.")
    assert _message(_file(tmp_path, GOOD + ["C009,2024-03-31,70.40"])).startswith(
        "file 'sales.csv', column 'amount' (--amount-col), line 6: rows must be single records, not totals; "
        "found 70.40, the sum of all the other rows.")
    # a placeholder date on line 5 (3 such rows)
    rows = GOOD[:3] + ["C004,1970-01-01,5.00", "C005,1900-01-01,6.00", "C006,1970-01-01,7.00"]
    assert _message(_file(tmp_path, rows)).startswith(
        "file 'sales.csv', column 'date' (--date-col), line 5: dates must not be before 1990-01-01; found 1970-01-01 "
        "(3 such rows).")
    # a zero amount: refused, or left out with a note
    rows = GOOD + ["C004,2024-03-10,0"]
    assert _message(_file(tmp_path, rows)).startswith(
        "file 'sales.csv', column 'amount' (--amount-col), line 6: values must be > 0; found 0.0 (1 such row).")
    data, _ = read_and_prepare(_file(tmp_path, rows), get_report("customer-value"), today=TODAY,
                               drop_zero_amounts=True)
    assert len(data) == 4 and data.attrs["crm_notes"][0][0] == "1 row with amount 0 was left out (--drop-zero-amounts)."
    # a repeated row: refused unless --allow-duplicates
    rows = GOOD + [GOOD[1]]
    assert _message(_file(tmp_path, rows)).startswith(
        "file 'sales.csv', line 6: rows must not repeat; found a copy of line 3 (1 repeated row).")
    data, _ = read_and_prepare(_file(tmp_path, rows), get_report("customer-value"), today=TODAY, allow_duplicates=True)
    assert len(data) == 5


def test_accepted_formats_are_read_and_said(tmp_path):
    rows = ["C001,2023年1月5日,\"￥1,234.50\"", " C002 ,2024-02-11,30", "C001,2024-03-02,8"]
    data, as_of = read_and_prepare(_file(tmp_path, rows), get_report("customer-value"), today=TODAY)
    assert data["customer_id"].tolist() == ["C001", "C002", "C001"]
    assert data["amount"].tolist() == [1234.5, 30.0, 8.0]
    assert data["date"].tolist() == [pd.Timestamp(d) for d in ("2023-01-05", "2024-02-11", "2024-03-02")]
    notes = [en for en, zh in data.attrs["crm_notes"]]
    assert any(n.startswith("Column 'amount': 1 number written with a currency sign") for n in notes)
    assert any(n.startswith("Column 'date':") for n in notes) and str(as_of.date()) == "2024-03-02"


# --------------------------------------------------------------------------- the fast reader
def _big_log(n=3000, seed=2):
    rng = np.random.default_rng(seed)
    cust = rng.integers(0, n // 3, n)
    day = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    log = pd.DataFrame({"customer_id": np.char.add("C", cust.astype(str)), "date": day.strftime("%Y-%m-%d"),
                        "amount": np.round(rng.lognormal(3, 1, n), 2) + 0.01}).drop_duplicates()
    return log.reset_index(drop=True)


def _read_both(monkeypatch, path, report="customer-value", **kw):
    out = []
    for limit in (2**62, 0):                                 # the exact reader, then pyarrow's
        monkeypatch.setattr(cio, "FAST_CSV_BYTES", limit)
        try:
            out.append(read_and_prepare(path, report if isinstance(report, Report) else get_report(report),
                                        today=TODAY, **kw))
        except CRMInputError as exc:
            out.append(str(exc))
    return out


def _as_text(frame):
    """The frame with its ids as text: the customer-value report keeps the reader's sorted codes (id_codes)."""
    ids = frame["customer_id"]
    if isinstance(ids.dtype, pd.CategoricalDtype):
        assert ids.cat.categories.is_monotonic_increasing and (ids.cat.codes >= 0).all()
        frame = frame.assign(customer_id=np.asarray(ids))
    return frame


def test_the_fast_reader_gives_the_same_frame_and_the_same_message(tmp_path, monkeypatch):
    taken = []
    real = cio._read_text_fast
    monkeypatch.setattr(cio, "_read_text_fast", lambda *a, **k: taken.append(1) or real(*a, **k))
    log = _big_log()
    path = tmp_path / "tx.csv"
    log.to_csv(path, index=False)
    (slow, as_slow), (fast, as_fast) = _read_both(monkeypatch, path)
    assert taken and as_slow == as_fast
    assert isinstance(fast["customer_id"].dtype, pd.CategoricalDtype)       # the codes kept for the report
    pd.testing.assert_frame_equal(slow, _as_text(fast))
    assert slow.attrs == fast.attrs and pd.api.types.is_string_dtype(slow["customer_id"])  # text (object or str)
    # a report that does not take codes gets the same text column from both readers
    (slow, _), (fast, _) = _read_both(monkeypatch, path, report=replace(get_report("customer-value"), id_codes=False))
    pd.testing.assert_frame_equal(slow, fast)
    assert pd.api.types.is_string_dtype(fast["customer_id"])
    # a bad value deep in the file: the same message, the same line, on both paths
    bad = log.copy()
    bad.loc[2500, "amount"] = -4.0
    bad.to_csv(path, index=False)
    slow_msg, fast_msg = _read_both(monkeypatch, path)
    assert slow_msg == fast_msg == (f"file 'tx.csv', column 'amount' (--amount-col), line 2502: values must be >= 0; "
                                    f"found -4.0 (1 such row). {FIX_AMOUNT}")
    bad = log.copy()
    bad.loc[1700, "customer_id"] = "合计"
    bad.to_csv(path, index=False)
    slow_msg, fast_msg = _read_both(monkeypatch, path)
    assert slow_msg == fast_msg and "line 1702: rows must be single records, not totals" in fast_msg


def test_parquet_ids_come_as_the_same_text(tmp_path):
    log = _big_log()
    csv, pq = tmp_path / "tx.csv", tmp_path / "tx.parquet"
    log.to_csv(csv, index=False)
    log.assign(date=pd.to_datetime(log["date"])).to_parquet(pq, index=False)
    a, _ = read_and_prepare(csv, get_report("customer-value"), today=TODAY)
    b, _ = read_and_prepare(pq, get_report("customer-value"), today=TODAY)
    pd.testing.assert_frame_equal(_as_text(a), _as_text(b))
    ints = log.assign(customer_id=log["customer_id"].str[1:].astype(int), date=pd.to_datetime(log["date"]))
    ints.to_parquet(pq, index=False)
    c, _ = read_and_prepare(pq, get_report("customer-value"), today=TODAY)
    assert c["customer_id"].tolist() == ints["customer_id"].astype(str).tolist()



# --------------------------------------------------------------------------- ids coded by number, repeats, dates
def _text_categorical(col):
    """What the reader's id coding must give: the distinct values as text, sorted, and each row's position."""
    import pyarrow as pa

    arr = col.cast(pa.string()) if pa.types.is_integer(col.type) else col
    values = pd.Series(arr.to_pylist(), dtype=object)
    return pd.Categorical(values, categories=sorted(set(values.dropna())))


@pytest.mark.parametrize("ids", [
    [3, 1, 22, 3, 10, 2, 0], [5, None, 7, 5], [10**12, 3, 3], [-1, -5, 3],
    ["3", "1", "22", "3", "10", "2"], ["3", "01", "22", None, "10"], ["0", "00"], ["00", "01", "10"], ["01", "1"],
    ["-3", "1", "22"], ["+5", "5"], ["7", "7.0"], ["7", " 7"], ["0x1F", "31"], ["9" * 19, "1"], ["9" * 25, "1"],
    ["C12", "C7", "C12", "C100", "C1"], ["C012", "C007", "C012", "C100"], ["C012", "C7"], ["C1", "D2"], ["C1", "CX"],
    ["C0x1F", "C31"], ["C-1", "C1"], ["C 1", "C1"], ["C1", None], ["", "1"], ["客户1", "客户10", "客户2"], ["Ｃ1", "C1"],
    ["1"] * 5 + ["x"], "C%d", "C%07d", "%d", "K-%d"])
def test_ids_coded_by_number_are_the_ids_coded_as_text(ids):
    """Ids that are a number after a prefix are coded through their numbers (no hashing of text): the same
    categories, in the same order, and the same codes as coding the text; any other text takes the text path."""
    import pyarrow as pa

    if isinstance(ids, str):                  # a large random sample in that form, dense and sparse numbers
        rng = np.random.default_rng(len(ids))
        ids = [ids % v for v in np.concatenate([rng.integers(0, 5000, 20000), rng.integers(0, 10**7, 300)])]
    col = pa.array(ids)
    got, want = cio._sorted_categorical(col), _text_categorical(col)
    assert got.categories.dtype == object and list(got.categories) == list(want.categories)
    np.testing.assert_array_equal(got.codes, want.codes)


def _repeat_file(tmp_path, fmt):
    """A large log (fast reader; ids C<number>) with a repeat of line 102 at line 2202, and near misses
    before it: the same customer and day with another amount, the same row with the date written another way."""
    log = _big_log().astype({"date": object})
    near = [log.loc[[100]].assign(amount=log.loc[100, "amount"] + 1),
            log.loc[[100]].assign(date=pd.Timestamp(log.loc[100, "date"]).strftime("%Y年%-m月%-d日"))]
    log = pd.concat([log.iloc[:1500], *near, log.iloc[1500:2198], log.loc[[100]], log.iloc[2198:]],
                    ignore_index=True)
    path = tmp_path / f"tx.{fmt}"
    log.to_csv(path, index=False) if fmt == "csv" else log.to_parquet(path, index=False)
    return path


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_repeated_row_found_on_codes_is_named_at_its_line(tmp_path, monkeypatch, fmt):
    path = _repeat_file(tmp_path, fmt)
    slow, fast = _read_both(monkeypatch, path)
    where = "line 2202" if fmt == "csv" else "row 2201"
    orig = "line 102" if fmt == "csv" else "row 101"
    assert slow == fast == (f"file 'tx.{fmt}', {where}: rows must not repeat; found a copy of {orig} (1 repeated "
                            "row). Remove the repeated rows (an export run twice?), or pass --allow-duplicates if "
                            "they are separate purchases.")
    (data, _), (again, _) = _read_both(monkeypatch, path, allow_duplicates=True)
    pd.testing.assert_frame_equal(_as_text(data), _as_text(again))


def test_the_rows_that_may_repeat_include_every_repeat(tmp_path):
    """The hashed check marks a superset of pandas' repeats; only those rows are compared exactly."""
    from crm_lessons.reports._prepare import _maybe_repeated

    rng = np.random.default_rng(5)
    n = 5000
    ids = pd.Categorical.from_codes(rng.integers(0, 40, n), [f"C{i:02d}" for i in range(40)])
    df = pd.DataFrame({"customer_id": ids,
                       "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 30, n), unit="D"),
                       "amount": rng.integers(1, 6, n) * 1.5})
    df.attrs["crm_columns"] = {c: (c, None) for c in df.columns}
    maybe = _maybe_repeated(df, df, list(df.columns))
    repeats = df.duplicated(keep=False).to_numpy()
    assert repeats.any() and not repeats.all() and (maybe | ~repeats).all()
    unique = df.drop_duplicates()
    unique.attrs = df.attrs
    assert not _maybe_repeated(unique, unique, list(df.columns)).any()
    assert _maybe_repeated(df.assign(customer_id=df["customer_id"].astype(str)), df, list(df.columns)) is None


def test_large_parquet_files_read_iso_dates_as_the_exact_parser(tmp_path, monkeypatch):
    """Text dates of a large Parquet file are read by pyarrow; any other text leaves the column to the
    exact parser: the same frame and the same messages either way."""
    log = _big_log()
    path = tmp_path / "tx.parquet"

    def both(frame):
        frame.to_parquet(path, index=False)
        out = []
        for limit in (2**62, 0):
            monkeypatch.setattr(cio, "FAST_PARQUET_ROWS", limit)
            try:
                out.append(read_and_prepare(path, get_report("customer-value"), today=TODAY))
            except CRMInputError as exc:
                out.append(str(exc))
        return out

    monkeypatch.setattr(cio, "FAST_PARQUET_ROWS", 0)
    assert pd.api.types.is_datetime64_dtype(cio.read_table(log.to_parquet(path, index=False) or path)["date"])
    (a, as_a), (b, as_b) = both(log)
    pd.testing.assert_frame_equal(a, b)
    assert as_a == as_b
    for value, said in [("2024-02-30", "row 2001: values must be dates"), ("1900-01-01", "row 2001: dates must not "
                        "be before 1990-01-01"), ("2099-01-05", "row 2001: dates must not be after 2026-01-01"),
                        (None, "row 2001: values must not be missing"), ("0001-01-01", "row 2001: "),
                        ("2024-1-5", ""), ("2024年1月5日", "")]:
        bad = log.astype({"date": object})
        bad.loc[2000, "date"] = value
        slow, fast = both(bad)
        if isinstance(slow, str) or isinstance(fast, str):
            assert slow == fast and said and said in fast, (value, slow, fast)
        else:
            pd.testing.assert_frame_equal(slow[0], fast[0])


def test_a_year_pandas_cannot_hold_sends_a_large_csv_to_the_exact_reader(tmp_path, monkeypatch):
    log = _big_log().astype({"date": object})
    log.loc[2000, "date"] = "0001-01-01"
    path = tmp_path / "tx.csv"
    log.to_csv(path, index=False)
    slow, fast = _read_both(monkeypatch, path)
    assert isinstance(fast, str) and slow == fast and "line 2002" in fast


# --------------------------------------------------------------------------- the columnar writer
def test_the_columnar_writer_writes_the_report_table_byte_for_byte(tmp_path, monkeypatch):
    from crm_lessons.reports.customer_value import build
    from crm_lessons.simulate.transactions import simulate_transactions

    log = simulate_transactions(1500, seed=4).data
    log["customer_id"] = "K" + log["customer_id"].astype(str)
    table = build(log).tables["customers"]
    assert len(table) > 1000 and "clv" in table
    monkeypatch.setattr(cio, "FAST_WRITE_ROWS", 10 ** 12)
    cio.write_csv_safe(table, tmp_path / "pandas.csv")
    monkeypatch.setattr(cio, "FAST_WRITE_ROWS", 1)
    assert cio._write_csv_fast(cio.escape_formulas(table), tmp_path / "probe.csv")   # pyarrow takes it
    cio.write_csv_safe(table, tmp_path / "arrow.csv")
    assert (tmp_path / "arrow.csv").read_bytes() == (tmp_path / "pandas.csv").read_bytes()


def test_a_csv_saved_by_excel_with_a_bom_is_read_fast_to_the_same_frame(tmp_path, monkeypatch):
    taken = []
    real = cio._read_text_fast
    monkeypatch.setattr(cio, "_read_text_fast", lambda *a, **k: taken.append(real(*a, **k)) or taken[-1])
    path = tmp_path / "excel.csv"
    _big_log().to_csv(path, index=False, encoding="utf-8-sig")
    (slow, _), (fast, _) = _read_both(monkeypatch, path)
    assert taken and taken[-1] is not None
    pd.testing.assert_frame_equal(slow, _as_text(fast))
    assert list(fast.columns) == ["customer_id", "date", "amount"]


def test_the_reader_frame_is_not_copied_but_a_given_frame_is(tmp_path):
    """read_and_prepare drops the file's frame, so its columns are taken as they are (copy=False); a frame
    the analyst passes to prepare is copied, so changing the result never changes it."""
    from crm_lessons.reports._prepare import prepare

    path = tmp_path / "tx.parquet"
    _big_log().assign(date=lambda d: pd.to_datetime(d["date"])).to_parquet(path, index=False)
    report = get_report("customer-value")
    df = cio.read_table(path, dtype={"customer_id": str})
    given, as_given = prepare(df, report, today=TODAY)
    assert not np.shares_memory(given["date"].to_numpy(), df["date"].to_numpy())
    shared, _ = prepare(df, report, today=TODAY, copy=False)
    assert np.shares_memory(shared["date"].to_numpy(), df["date"].to_numpy())
    read, as_read = read_and_prepare(path, report, today=TODAY)
    pd.testing.assert_frame_equal(read, given)
    assert as_read == as_given and read.attrs == given.attrs


@pytest.mark.parametrize("ids", [["a", "b"], ["b", "a"], ["", "a"], ["a b", "c"], ["1.0", "2"], ["1001.0", "2"],
                                 ["a.b", "c"], ["Ｃ1", "D"], ["a\t", "b"], ["C1", "C2"], ["1", "10", "2"], ["!", "~"],
                                 ["a", "é"], [" a", "b"], ["a", "b\n"], ["客户"], [1, 2]])
def test_ids_seen_clean_at_a_glance_are_what_parse_ids_leaves_unchanged(ids):
    """The reader's sorted, plain ids skip parse_ids (one look at them joined): only when parse_ids would
    return them unchanged, with no note."""
    from crm_lessons.tables import _plain_sorted
    from crm_lessons.values import parse_ids

    s = pd.Series(pd.Categorical(ids * 2, categories=ids))
    parsed, notes = parse_ids(s)
    glance = _plain_sorted(s.cat.categories)
    assert not glance or (parsed is s and notes == [])
    assert glance == (ids in (["a", "b"], ["C1", "C2"], ["1", "10", "2"], ["!", "~"]))
