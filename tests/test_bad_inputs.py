"""Every bad input file gets one clear message (file, column, line, fix) and leaves no output.

The corpus is written by tests/bad_inputs_corpus.py (``python tests/bad_inputs_corpus.py DIR``
writes the files for a look).
"""

import contextlib
import io

import pytest
from bad_inputs_corpus import CASES

from crm_lessons.cli import main

FIX_NUMBER = "Remove currency signs, thousands separators and text from this column."
FIX_DATE = "Write dates as YYYY-MM-DD (e.g. 2024-03-31)."
FIX_AMOUNT = "Correct or remove these rows, e.g. refunds belong in a separate table."
FIX_RANGE = "Correct or remove these rows."
FIX_MISSING = "Fill in or remove these rows."
FIX_UTF8 = "Save the file as 'CSV UTF-8' (Excel: File > Save As > CSV UTF-8)."
FIX_EXPORT = "Export the table again, with a header row and the data rows."

EXPECTED = {
    "missing_column.csv": "file 'missing_column.csv': column 'amount' (given as --amount-col) is missing; found columns "
                          "['customer_id', 'date']. Pass --amount-col='<your column>' naming the column that holds it.",
    "renamed_column.csv": "file 'renamed_column.csv': column '金额' (given as --amount-col) is missing; found columns "
                          "['customer_id', 'date', 'Amount']. Pass --amount-col='<your column>' naming the column that "
                          "holds it.",
    "currency_sign.csv": "file 'currency_sign.csv', column 'amount' (--amount-col), line 3: values must be numbers; "
                         f"found '¥30.00' (1 such row). {FIX_NUMBER}",
    "thousands_separator.csv": "file 'thousands_separator.csv', column 'amount' (--amount-col), line 4: values must be "
                               f"numbers; found '1,208.00' (1 such row). {FIX_NUMBER}",
    "text_in_amount.csv": "file 'text_in_amount.csv', column 'amount' (--amount-col), line 5: values must be numbers; "
                          f"found 'refund' (1 such row). {FIX_NUMBER}",
    "bad_date.csv": "file 'bad_date.csv', column 'date' (--date-col), line 3: values must be dates; found '2024-13-45' "
                    f"(1 such row). {FIX_DATE}",
    "date_as_words.csv": "file 'date_as_words.csv', column 'date' (--date-col), line 4: values must be dates; found "
                         f"'yesterday' (1 such row). {FIX_DATE}",
    "future_date.csv": "file 'future_date.csv', column 'date' (--date-col), line 5: dates must not be after 2024-12-31; "
                       "found 2025-06-01 (1 such row). Check the date format (day/month swapped?) or pass a later "
                       "as-of date.",
    "placeholder_date.csv": "file 'placeholder_date.csv', column 'date' (--date-col), line 2: dates must not be before "
                            "1990-01-01; found 1900-01-01 (1 such row). Placeholder dates (1900-01-01, 1970-01-01) mean "
                            "the date is unknown: fill it in or remove the rows.",
    "negative_amount.csv": "file 'negative_amount.csv', column 'amount' (--amount-col), line 4: values must be > 0; "
                           f"found -8.0 (1 such row). {FIX_AMOUNT}",
    "zero_amount.csv": "file 'zero_amount.csv', column 'amount' (--amount-col), line 3: values must be > 0; found 0.0 "
                       f"(1 such row). {FIX_AMOUNT}",
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
    "not_really.xlsx": "file 'not_really.xlsx': cannot be read as an Excel workbook; found BadZipFile: File is not a "
                       "zip file. Open it in Excel and save it again as .xlsx.",
    "wrong_type.parquet": "file 'wrong_type.parquet', column 'amount' (--amount-col), row 2: values must be numbers; "
                          f"found 'n/a' (1 such row). {FIX_NUMBER}",
    "spreadsheet.xls": "file 'spreadsheet.xls': unsupported file type; found '.xls'. Save the table as one of .csv, "
                       ".txt, .tsv, .xlsx, .parquet.",
    "unknown_param.csv": "argument `--param horizon`: unknown parameter of report 'customer-value'; found 'horizon'. "
                         "Use one of ['discount_rate', 'horizon_months', 'margin', 'rfm_bins', 'top_n'] "
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
                               f"line 3: values must be <= 7; found 8.0 (1 such row). {FIX_RANGE}",
    "survey_item_out_of_scale.csv": "file 'survey_item_out_of_scale.csv', column 'quality_experience', line 4: values "
                                    f"must be >= 1; found 0.0 (1 such row). {FIX_RANGE}",
    "survey_recommend_11.csv": "file 'survey_recommend_11.csv', column 'recommend' (--recommend-col), line 2: values "
                               f"must be <= 10; found 11.0 (1 such row). {FIX_RANGE}",
}


def test_corpus_is_large_and_every_case_has_a_message():
    assert len(CASES) >= 25
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
