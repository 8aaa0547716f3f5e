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
