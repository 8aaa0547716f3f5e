"""Every bad input file gets one clear message (file, column, line, fix) and leaves no output;
every file in an unambiguous format is read to the exact values, and what was converted is said.

The corpus is written by tests/bad_inputs_corpus.py (``python tests/bad_inputs_corpus.py DIR``
writes the files for a look).
"""

import contextlib
import io

import pandas as pd
import pytest
from bad_inputs_corpus import ACCEPTED, CASES

from crm_lessons.cli import main
from crm_lessons.reports._prepare import read_and_prepare
from crm_lessons.reports import get_report

FIX_NUMBER = "Remove currency signs, thousands separators and text from this column."
FIX_DATE = "Write dates as YYYY-MM-DD (e.g. 2024-03-31)."
FIX_AMOUNT = "Correct or remove these rows, e.g. refunds belong in a separate table."
FIX_RANGE = "Correct or remove these rows."
FIX_MISSING = "Fill in or remove these rows."
FIX_UTF8 = "Save the file as 'CSV UTF-8' (Excel: File > Save As > CSV UTF-8)."
FIX_EXPORT = "Export the table again, with a header row and the data rows."
FIX_ZERO = ("Correct or remove these rows, or pass --drop-zero-amounts to leave out zero amounts (free items, "
            "vouchers).")
FIX_XLSX = "Open it in Excel and save it again as .xlsx, or export it as CSV."
FIX_SCALE = ("If the survey used another scale, say so, e.g. --param scale_max=10 --param scale_min=0 for 0-10; "
             "otherwise correct or remove these rows.")
FIX_DAY_MONTH = ("Day and month cannot be told apart in this column (05/01/2024: 5 January or 1 May?): write dates as "
                 "YYYY-MM-DD, or pass --date-format %d/%m/%Y (day first) or --date-format %m/%d/%Y (month first).")
FIX_NO_DATE = "The column holds times without a date: write the date with each time (e.g. 2024-03-04 09:00)."
TODAY = pd.Timestamp.now().date()

EXPECTED = {
    "missing_column.csv": "file 'missing_column.csv': column 'amount' (given as --amount-col) is missing; found columns "
                          "['customer_id', 'date']. Pass --amount-col='<your column>' naming the column that holds it.",
    "renamed_column.csv": "file 'renamed_column.csv': column '金额' (given as --amount-col) is missing; found columns "
                          "['customer_id', 'date', 'Amount']. Pass --amount-col='<your column>' naming the column that "
                          "holds it.",
    "text_in_amount.csv": "file 'text_in_amount.csv', column 'amount' (--amount-col), line 5: values must be numbers; "
                          f"found 'refund' (1 such row). {FIX_NUMBER}",
    "bad_date.csv": "file 'bad_date.csv', column 'date' (--date-col), line 3: values must be dates; found '2024-13-45' "
                    f"(1 such row). {FIX_DATE}",
    "date_as_words.csv": "file 'date_as_words.csv', column 'date' (--date-col), line 4: values must be dates; found "
                         f"'yesterday' (1 such row). {FIX_DATE}",
    "future_date.csv": f"file 'future_date.csv', column 'date' (--date-col), line 5: dates must not be after {TODAY}; "
                       "found 2099-06-01 (1 such row). Check the date format (day/month swapped?) or pass a later "
                       "as-of date.",
    "placeholder_date.csv": "file 'placeholder_date.csv', column 'date' (--date-col), line 2: dates must not be before "
                            "1990-01-01; found 1900-01-01 (1 such row). Placeholder dates (1900-01-01, 1970-01-01) mean "
                            "the date is unknown: fill it in or remove the rows.",
    "negative_amount.csv": "file 'negative_amount.csv', column 'amount' (--amount-col), line 4: values must be >= 0; "
                           f"found -8.0 (1 such row). {FIX_AMOUNT}",
    "zero_amount.csv": "file 'zero_amount.csv', column 'amount' (--amount-col), line 3: values must be > 0; found 0.0 "
                       f"(1 such row). {FIX_ZERO}",
    "absurd_amount.csv": "file 'absurd_amount.csv', column 'amount' (--amount-col), line 5: values must be <= 1e+07; "
                         f"found 999999999.0 (1 such row). {FIX_RANGE}",
    "missing_customer.csv": "file 'missing_customer.csv', column 'customer_id' (--customer-col), line 4: values must "
                            f"not be missing; found an empty cell (1 such row). {FIX_MISSING}",
    "missing_date.csv": "file 'missing_date.csv', column 'date' (--date-col), line 3: values must not be missing; "
                        f"found an empty cell (1 such row). {FIX_MISSING}",
    "duplicated_rows.csv": "file 'duplicated_rows.csv', line 6: rows must not repeat; found a copy of line 3 (1 repeated "
                           "row). Remove the repeated rows (an export run twice?), or pass --allow-duplicates if they "
                           "are separate purchases.",
    "empty.csv": f"file 'empty.csv': the file is empty; found 0 bytes. {FIX_EXPORT}",
    "blank_lines.csv": f"file 'blank_lines.csv': the file is empty; found only blank lines. {FIX_EXPORT}",
    "header_only.csv": "file 'header_only.csv': has a header but no data rows; found columns ['customer_id', 'date', "
                       "'amount']. Export the table again with its data rows.",
    "latin1.csv": "file 'latin1.csv', line 2: text encoding not recognised; found bytes b'\\xe9,20' that are neither "
                  f"UTF-8 nor GBK/GB18030. {FIX_UTF8}",
    "utf16.csv": f"file 'utf16.csv': text encoding not supported; found UTF-16 (zero bytes between characters). {FIX_UTF8}",
    "duplicate_header.csv": "file 'duplicate_header.csv', column 'amount': column names must be unique; found 'amount' "
                            "twice. Rename or delete one of them.",
    "ragged_rows.csv": "file 'ragged_rows.csv', line 3: every row must have as many fields as the header; found 4 "
                       "fields where the header has 3. Quote values that contain the delimiter, or remove the extra "
                       "fields.",
    "extra_header_rows.xlsx": "file 'extra_header_rows.xlsx', line 4: the header must be the first row; found 3 row(s) "
                              "above it, starting with 'Sales export'. Delete the rows above the header, or pass "
                              "header_row=4 (command line: --header-row 4).",
    "wrong_sheet.xlsx": "file 'wrong_sheet.xlsx': sheet 'Sales' not found; found sheets ['Data']. Pass one of these "
                        "names (command line: --sheet NAME).",
    "not_really.xlsx": "file 'not_really.xlsx': cannot be read as an Excel workbook (damaged, or not an .xlsx file); "
                       f"found BadZipFile: File is not a zip file. {FIX_XLSX}",
    "wrong_type.parquet": "file 'wrong_type.parquet', column 'amount' (--amount-col), row 2: values must be numbers; "
                          f"found 'n/a' (1 such row). {FIX_NUMBER}",
    "spreadsheet.xls": "file 'spreadsheet.xls': unsupported file type; found '.xls'. Save the table as one of .csv, "
                       ".txt, .tsv, .xlsx, .parquet.",
    "unknown_param.csv": "argument `--param horizon`: unknown parameter of report 'customer-value'; found 'horizon'. "
                         "Use one of ['active_days', 'discount_rate', 'horizon_months', 'lapsed_days', 'margin', "
                         "'recency_days', 'rfm_bins', 'top_n'] "
                         "(see crm-lessons report --list).",
    "bad_param_value.csv": "argument `--param horizon_months`: must be a whole number; found 'twelve'. Pass e.g. "
                           "--param horizon_months=12.",
    "bad_as_of.csv": "argument `--as-of`: must be a date; found 'end of year'. Write it as YYYY-MM-DD, e.g. "
                     "--as-of 2024-12-31.",
    "calls_decimal.csv": "file 'calls_decimal.csv', column 'calls' (--calls-col), line 3: values must be whole numbers; "
                         "found 12.5 (1 such row). Counts cannot have decimals: check the column.",
    "calls_negative.csv": "file 'calls_negative.csv', column 'calls' (--calls-col), line 4: values must be whole "
                          "numbers >= 0; found -3.0 (1 such row). Counts cannot be negative: check the column.",
    "survey_out_of_scale.csv": "file 'survey_out_of_scale.csv', column 'overall_satisfaction' (--satisfaction-col), "
                               f"line 3: values must be within the scale 1-7; found 8.0 (1 such row). {FIX_SCALE}",
    "survey_item_out_of_scale.csv": "file 'survey_item_out_of_scale.csv', column 'quality_experience', line 4: values "
                                    f"must be >= 1; found 0.0 (1 such row). {FIX_RANGE}",
    "survey_recommend_11.csv": "file 'survey_recommend_11.csv', column 'recommend' (--recommend-col), line 2: values "
                               f"must be <= 10; found 11.0 (1 such row). {FIX_RANGE}",
    # --- formats refused, with the fix
    "ambiguous_day_month.csv": "file 'ambiguous_day_month.csv', column 'date' (--date-col), line 2: values must be "
                               f"dates; found '05/01/2024' (4 such rows). {FIX_DAY_MONTH}",
    "contradictory_day_month.csv": "file 'contradictory_day_month.csv', column 'date' (--date-col), line 2: values "
                                   f"must be dates; found '25/01/2024' (4 such rows). {FIX_DAY_MONTH}",
    "european_decimals.csv": "file 'european_decimals.csv', column 'amount' (--amount-col), line 3: values must be "
                             f"numbers; found '1.234,50' (1 such row). {FIX_NUMBER}",
    "zero_amount_with_hint.csv": "file 'zero_amount_with_hint.csv', column 'amount' (--amount-col), line 5: values "
                                 f"must be > 0; found 0.0 (1 such row). {FIX_ZERO}",
    # --- silent-error traps, now caught
    "totals_row_labelled.csv": "file 'totals_row_labelled.csv', column 'customer_id' (--customer-col), line 6: rows "
                               "must be single records, not totals; found '合计', a totals row. Delete the totals "
                               "row(s) (合计/小计) and run again.",
    "totals_row_unlabelled.csv": "file 'totals_row_unlabelled.csv', column 'amount' (--amount-col), line 6: rows must "
                                 "be single records, not totals; found 70.40, the sum of all the other rows. Delete "
                                 "the totals row (合计) and run again, or it doubles the revenue.",
    "survey_1_5_with_default_scale.csv": "file 'survey_1_5_with_default_scale.csv', column 'overall_satisfaction' "
                                         "(--satisfaction-col): answers must reach near the top of the scale (1-7); "
                                         "found answers from 3 to 5. If the survey used a 1-5 scale, pass --param "
                                         "scale_max=5.",
    "survey_0_10_with_default_scale.csv": "file 'survey_0_10_with_default_scale.csv', column 'overall_satisfaction' "
                                          "(--satisfaction-col), line 2: values must be within the scale 1-7; found "
                                          f"8.0 (3 such rows). {FIX_SCALE}",
    "time_only_column.csv": "file 'time_only_column.csv', column 'time' (--time-col), line 2: values must be dates; "
                            f"found '09:00' (3 such rows). {FIX_NO_DATE}",
    "time_slots_without_date.csv": "file 'time_slots_without_date.csv', column 'time' (--time-col), line 2: values "
                                   f"must be dates; found '09:00-09:30' (2 such rows). {FIX_NO_DATE}",
    "time_only_cells.xlsx": "file 'time_only_cells.xlsx', column 'time' (--time-col), line 2: values must be dates; "
                            f"found '09:00:00' (2 such rows). {FIX_NO_DATE}",
    # --- former tracebacks, now messages
    "several_sheets.xlsx": "file 'several_sheets.xlsx': the workbook has 3 sheets with data, so which one to read is "
                           "not clear; found sheets 2023 (3 rows), 2024 (3 rows), 说明 (1 row). Pass the sheet to read "
                           "(command line: --sheet NAME).",
    "password_protected.xlsx": "file 'password_protected.xlsx': the workbook is password-protected (encrypted); found "
                               "an encrypted Excel file. Open it in Excel, remove the password (File > Info > Protect "
                               "Workbook > Encrypt with Password) and save it again, or export the sheet as CSV.",
    "truncated.xlsx": "file 'truncated.xlsx': cannot be read as an Excel workbook (damaged, or not an .xlsx file); "
                      f"found BadZipFile: File is not a zip file. {FIX_XLSX}",
}


def test_corpus_is_large_and_every_case_has_a_message():
    assert len(CASES) >= 25 and len(CASES) + len(ACCEPTED) >= 60  # 30+ new files (issue 15)
    assert sorted(c.name for c in CASES) == sorted(EXPECTED)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_gives_one_clear_message_and_no_output(tmp_path, case):
    src = tmp_path / "in"
    src.mkdir()
    path = src / case.name
    case.write(path)
    before = path.read_bytes()
    out_parent = tmp_path / "results"
    out_parent.mkdir()
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["report", case.report, "--input", str(path), "--out", str(out_parent / "report"), *case.args])
    assert code == 2
    assert err.getvalue() == f"error: {EXPECTED[case.name]}\n"
    assert list(out_parent.iterdir()) == []  # no output, no half-written temporary directory
    assert path.read_bytes() == before and [p.name for p in src.iterdir()] == [case.name]


@pytest.mark.parametrize("case", ACCEPTED, ids=[c.name for c in ACCEPTED])
def test_unambiguous_formats_are_read_to_the_exact_values_and_said(tmp_path, case):
    path = tmp_path / case.name
    case.write(path)
    before = path.read_bytes()
    data, _ = read_and_prepare(path, get_report(case.report), today="2026-01-01", **case.args)
    assert data[case.column].tolist() == case.values
    assert [en for en, zh in data.attrs["crm_notes"]] == case.notes
    assert all(zh and zh != en for en, zh in data.attrs["crm_notes"])  # said in Chinese too
    assert path.read_bytes() == before


def _run(tmp_path, *args):
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["report", *map(str, args)])
    return code, err.getvalue()


def _good_csv(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_text("customer_id,date,amount\nC1,2024-01-05,12.5\nC2,2024-02-11,30\n", encoding="utf-8")
    return path


def test_read_only_output_folder_is_a_message(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if __import__("os").access(locked, __import__("os").W_OK):
            pytest.skip("running as a user who can write anywhere (root)")
        code, err = _run(tmp_path, "customer-value", "--input", _good_csv(tmp_path), "--out", locked / "report")
    finally:
        locked.chmod(0o700)
    assert code == 2
    assert err == (f"error: argument `out`: cannot create the output directory; found '{locked}' is not a folder you "
                   "can write to (permission denied). Choose an --out directory in a folder you can write to.\n")


def test_read_only_output_folder_check_with_access_denied(tmp_path, monkeypatch):
    """As root every folder is writable, so the check is also tested with access() saying no."""
    import os

    real = os.access
    target = tmp_path / "ro"
    target.mkdir()
    monkeypatch.setattr(os, "access", lambda p, mode: False if os.fspath(p) == os.fspath(target) else real(p, mode))
    code, err = _run(tmp_path, "customer-value", "--input", _good_csv(tmp_path), "--out", target / "a" / "report")
    assert code == 2 and "cannot create the output directory; found" in err and "(permission denied)" in err
    assert list(target.iterdir()) == []


def test_ctrl_c_is_a_message_and_leaves_nothing(tmp_path, monkeypatch):
    from crm_lessons.reports import runner

    def interrupted(report, data, folder, **kwargs):
        (folder / "report.html").write_text("half", encoding="utf-8")
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "execute_report", interrupted)
    out = tmp_path / "new" / "deeper" / "report"
    code, err = _run(tmp_path, "customer-value", "--input", _good_csv(tmp_path), "--out", out)
    assert code == 130 and err == "error: interrupted (Ctrl-C); nothing was written.\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sales.csv"]  # not even the new parent folders


def test_out_of_memory_while_reading_is_a_message(tmp_path, monkeypatch):
    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(pd, "read_csv", no_memory)
    path = _good_csv(tmp_path)
    code, err = _run(tmp_path, "customer-value", "--input", path, "--out", tmp_path / "r")
    assert code == 2
    assert err == ("error: file 'sales.csv': too large for the memory of this computer; found 0 MB. Split the file "
                   "(e.g. one file per year or store, then --input FOLDER), or run on a computer with more memory.\n")


def test_refused_batch_leaves_no_empty_parent_folders(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_text("customer_id,date,amount\nC1,2024-01-05,-1\n", encoding="utf-8")
    code, err = _run(tmp_path, "customer-value", "--input", path, "--by", "customer_id", "--out",
                     tmp_path / "a" / "b" / "out")
    assert code == 2 and "values must be >= 0" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sales.csv"]
