"""The corpus of awkward input files for the report command line (used by tests/test_bad_inputs.py).

Each case writes one file and gives the command-line arguments to run on it;
``python tests/bad_inputs_corpus.py DIR`` writes the whole corpus into DIR for a
look at the files. Three lists:

- ``CASES``: files that are refused with one clear message (formats refused,
  silent-error traps now caught, former tracebacks now messages);
- ``ACCEPTED``: files in formats that are unambiguous and accepted, with the
  exact values read and the notes saying what was converted.

Good rows look like this::

    customer_id,date,amount
    C001,2024-01-05,12.50
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd

GOOD = [("C001", "2024-01-05", "12.50"), ("C002", "2024-02-11", "30.00"), ("C001", "2024-03-02", "8.00"),
        ("C003", "2024-03-09", "19.90")]
HEADER = ("customer_id", "date", "amount")


@dataclass
class Case:
    """One bad file: its name, how to write it, the report and extra arguments."""

    name: str
    write: callable
    report: str = "customer-value"
    args: list = field(default_factory=list)


def _csv(rows, header=HEADER, *, encoding="utf-8", sep=","):
    def write(path: Path):
        lines = [sep.join(header)] + [sep.join(r) for r in rows]
        path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return write


def _bytes(data: bytes):
    def write(path: Path):
        path.write_bytes(data)
    return write


def _with(i, col, value):
    rows = [list(r) for r in GOOD]
    rows[i][HEADER.index(col)] = value
    return [tuple(r) for r in rows]


def _xlsx(rows, sheet="Sheet1"):
    return _xlsx_sheets({sheet: rows})


def _parquet(frame):
    def write(path: Path):
        frame.to_parquet(path)
    return write


def _dates(dates):
    return [(c, d, a) for (c, _, a), d in zip(GOOD, dates)]


def _xlsx_sheets(sheets: dict):
    def write(path: Path):
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for name, rows in sheets.items():
            ws = wb.create_sheet(name)
            for r in rows:
                ws.append(list(r))
        wb.save(path)
    return write


def _truncated_xlsx(rows):
    def write(path: Path):
        _xlsx(rows)(path)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    return write


def _merged_xlsx(path: Path):
    """Store names merged over their rows, as ERP exports and hand-made sheets often have."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["门店", "customer_id", "date", "amount"])
    for store, rows in (("北京店", GOOD[:2]), ("上海店", GOOD[2:])):
        first = ws.max_row + 1
        for i, (c, d, a) in enumerate(rows):
            ws.append([store if i == 0 else None, c, d, float(a)])
        ws.merge_cells(start_row=first, start_column=1, end_row=ws.max_row, end_column=1)
    wb.save(path)


_CALLS = [("2024-03-04 09:00", "12"), ("2024-03-04 09:30", "15"), ("2024-03-04 10:00", "11")]
_SURVEY_HEADER = ("customer_id", "overall_satisfaction", "recommend", "quality_experience", "price_experience")
_SURVEY = [("R1", "5", "9", "6", "4"), ("R2", "6", "10", "7", "5"), ("R3", "3", "4", "3", "2")]
_SURVEY_5 = [("R1", "5", "9", "4", "4"), ("R2", "4", "10", "5", "3"), ("R3", "3", "4", "3", "2"),
             ("R4", "5", "8", "5", "5")]
_SURVEY_10 = [("R1", "8", "9", "6", "4"), ("R2", "0", "10", "7", "5"), ("R3", "10", "4", "3", "2")]

CASES = [
    Case("missing_column.csv", _csv([r[:2] for r in GOOD], HEADER[:2])),
    Case("renamed_column.csv", _csv(GOOD, ("customer_id", "date", "Amount")), args=["--amount-col", "金额"]),
    Case("text_in_amount.csv", _csv(_with(3, "amount", "refund"))),
    Case("bad_date.csv", _csv(_with(1, "date", "2024-13-45"))),
    Case("date_as_words.csv", _csv(_with(2, "date", "yesterday"))),
    Case("future_date.csv", _csv(_with(3, "date", "2099-06-01"))),
    Case("placeholder_date.csv", _csv(_with(0, "date", "1900-01-01"))),
    Case("negative_amount.csv", _csv(_with(2, "amount", "-8.00"))),
    Case("zero_amount.csv", _csv(_with(1, "amount", "0"))),
    Case("absurd_amount.csv", _csv(_with(3, "amount", "999999999"))),
    Case("missing_customer.csv", _csv(_with(2, "customer_id", ""))),
    Case("missing_date.csv", _csv(_with(1, "date", ""))),
    Case("duplicated_rows.csv", _csv(GOOD + [GOOD[1]])),
    Case("empty.csv", _bytes(b"")),
    Case("blank_lines.csv", _bytes(b"\n\n\n")),
    Case("header_only.csv", _csv([])),
    Case("latin1.csv", _bytes("customer_id,date,amount\nCafé,2024-01-05,1\n".encode("latin-1"))),
    Case("utf16.csv", _csv(GOOD, encoding="utf-16")),
    Case("duplicate_header.csv", _csv([("C001", "2024-01-05", "1", "2")], HEADER + ("amount",))),
    Case("ragged_rows.csv", _bytes(b"customer_id,date,amount\nC001,2024-01-05,12.50\nC002,2024-02-11,3,0\n")),
    Case("extra_header_rows.xlsx", _xlsx([("Sales export", None, None), ("Shop: all", None, None), (),
                                          HEADER] + [(c, d, float(a)) for c, d, a in GOOD])),
    Case("wrong_sheet.xlsx", _xlsx([HEADER] + GOOD, sheet="Data"), args=["--sheet", "Sales"]),
    Case("not_really.xlsx", _bytes(b"customer_id,date,amount\n")),
    Case("wrong_type.parquet", _parquet(pd.DataFrame({"customer_id": ["C1", "C2"], "date": ["2024-01-01"] * 2,
                                                      "amount": ["12", "n/a"]}))),
    Case("spreadsheet.xls", _bytes(b"\xd0\xcf\x11\xe0")),
    # --- formats refused: day/month order not settled, European decimals
    Case("ambiguous_day_month.csv", _csv(_dates(["05/01/2024", "11/02/2024", "02/03/2024", "09/03/2024"]))),
    Case("contradictory_day_month.csv", _csv(_dates(["25/01/2024", "01/25/2024", "02/03/2024", "09/03/2024"]))),
    Case("european_decimals.csv", _csv(_with(1, "amount", '"1.234,50"'))),
    Case("zero_amount_with_hint.csv", _csv(_with(3, "amount", "0.00"))),
    # --- silent-error traps now caught
    Case("totals_row_labelled.csv", _csv(GOOD + [("合计", "2024-03-31", "70.40")])),
    Case("totals_row_unlabelled.csv", _csv(GOOD + [("C999", "2024-03-31", "70.40")])),
    Case("survey_1_5_with_default_scale.csv", _csv(_SURVEY_5, _SURVEY_HEADER), report="satisfaction"),
    Case("survey_0_10_with_default_scale.csv", _csv(_SURVEY_10, _SURVEY_HEADER), report="satisfaction"),
    Case("time_only_column.csv", _csv([("09:00", "12"), ("09:30", "15"), ("10:00", "11")], ("time", "calls")),
         report="staffing"),
    Case("time_slots_without_date.csv", _csv([("09:00-09:30", "12"), ("09:30-10:00", "15")], ("time", "calls")),
         report="staffing"),
    Case("time_only_cells.xlsx", _xlsx([("time", "calls"), (dt.time(9, 0), 12), (dt.time(9, 30), 15)]),
         report="staffing"),
    # --- former tracebacks, now messages
    Case("several_sheets.xlsx", _xlsx_sheets({"2023": [HEADER] + GOOD[:2], "2024": [HEADER] + GOOD[2:],
                                              "说明": [("导出自 ERP",)]})),
    Case("password_protected.xlsx", _bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)),
    Case("truncated.xlsx", _truncated_xlsx([HEADER] + GOOD)),
    Case("unknown_param.csv", _csv(GOOD), args=["--param", "horizon=12"]),
    Case("bad_param_value.csv", _csv(GOOD), args=["--param", "horizon_months=twelve"]),
    Case("bad_as_of.csv", _csv(GOOD), args=["--as-of", "end of year"]),
    Case("calls_decimal.csv", _csv([(t, "12.5" if i == 1 else c) for i, (t, c) in enumerate(_CALLS)],
                                   ("interval", "calls")), report="staffing", args=["--time-col", "interval"]),
    Case("calls_negative.csv", _csv([(t, "-3" if i == 2 else c) for i, (t, c) in enumerate(_CALLS)],
                                    ("time", "calls")), report="staffing"),
    Case("survey_out_of_scale.csv", _csv([r if i != 1 else ("R2", "8", "10", "7", "5") for i, r in enumerate(_SURVEY)],
                                         _SURVEY_HEADER), report="satisfaction"),
    Case("survey_item_out_of_scale.csv", _csv([r if i != 2 else ("R3", "3", "4", "0", "2")
                                               for i, r in enumerate(_SURVEY)], _SURVEY_HEADER),
         report="satisfaction"),
    Case("survey_recommend_11.csv", _csv([r if i != 0 else ("R1", "5", "11", "6", "4") for i, r in enumerate(_SURVEY)],
                                         _SURVEY_HEADER), report="satisfaction"),
]


@dataclass
class Accepted:
    """A file in an unambiguous format: accepted, with the exact values read and what was said about them."""

    name: str
    write: callable
    column: str  # canonical column checked
    values: list  # its exact values after reading
    notes: list  # the English notes of what was converted
    report: str = "customer-value"
    args: dict = field(default_factory=dict)  # keyword arguments of read_and_prepare


def _ts(*days):
    return [pd.Timestamp(d) for d in days]


_DAYS = ["2024-01-05", "2024-02-11", "2024-03-02", "2024-03-09"]
ACCEPTED = [
    Accepted("chinese_dates.csv", _csv(_dates(["2024年1月5日", "2024年2月11日", "2024年3月2日", "2024年3月9日"])),
             "date", _ts(*_DAYS), ["Column 'date': 4 dates written as '2024年1月5日' were read as 2024-01-05 "
                                   "(and so on)."]),
    Accepted("chinese_dates_gbk.csv", _csv(_dates(["2024年1月5日", "2024年2月11日", "2024年3月2日", "2024年3月9日"]),
                                           encoding="gbk"),
             "date", _ts(*_DAYS), ["Column 'date': 4 dates written as '2024年1月5日' were read as 2024-01-05 "
                                   "(and so on)."]),
    Accepted("mixed_date_formats.csv", _csv(_dates(["2024-01-05", "2024/2/11", "2024年3月2日", "20240309"])),
             "date", _ts(*_DAYS), ["Column 'date': 1 date written as '2024年3月2日' was read as 2024-03-02.",
                                   "Column 'date': 1 date written as '2024/2/11' was read as 2024-02-11.",
                                   "Column 'date': 1 date written as '20240309' was read as 2024-03-09.",
                                   "Column 'date': The column mixes 4 date formats; each was read as year-month-day."]),
    Accepted("excel_serial_dates.xlsx", _xlsx([HEADER] + [(c, v, float(a)) for (c, _, a), v in
                                                          zip(GOOD, [45296, 45333, 45353, 45360])]),
             "date", _ts(*_DAYS), ["Column 'date': 4 Excel date serial numbers (e.g. 45296) were read as dates "
                                   "(2024-01-05)."]),
    Accepted("excel_serial_dates_as_text.csv", _csv(_dates(["45296", "45333", "45353", "45360"])),
             "date", _ts(*_DAYS), ["Column 'date': 4 Excel date serial numbers (e.g. 45296) were read as dates "
                                   "(2024-01-05)."]),
    Accepted("excel_date_cells.xlsx", _xlsx([HEADER] + [(c, pd.Timestamp(d).to_pydatetime(), float(a))
                                                        for (c, _, a), d in zip(GOOD, _DAYS)]),
             "date", _ts(*_DAYS), []),
    Accepted("day_first_dates.csv", _csv(_dates(["05/01/2024", "11/02/2024", "02/03/2024", "29/03/2024"])),
             "date", _ts("2024-01-05", "2024-02-11", "2024-03-02", "2024-03-29"),
             ["Column 'date': 4 dates written as '05/01/2024' were read as 2024-01-05 (and so on)."]),
    Accepted("month_first_dates.csv", _csv(_dates(["01/05/2024", "02/11/2024", "03/02/2024", "03/29/2024"])),
             "date", _ts("2024-01-05", "2024-02-11", "2024-03-02", "2024-03-29"),
             ["Column 'date': 4 dates written as '01/05/2024' were read as 2024-01-05 (and so on)."]),
    Accepted("ambiguous_dates_with_format.csv", _csv(_dates(["05/01/2024", "11/02/2024", "02/03/2024",
                                                             "09/03/2024"])),
             "date", _ts(*_DAYS[:3], "2024-03-09"), [], args={"date_format": "%d/%m/%Y"}),
    Accepted("yen_signs.csv", _csv([("C001", "2024-01-05", "¥12.50"), ("C002", "2024-02-11", "￥30.00"),
                                    ("C001", "2024-03-02", "8.00"), ("C003", "2024-03-09", "19.90")]),
             "amount", [12.5, 30.0, 8.0, 19.9],
             ["Column 'amount': 2 numbers written with a currency sign, thousands separators or full-width digits (e.g. '¥12.50') "
              "were read as plain numbers (12.5)."]),
    Accepted("yuan_and_thousands.csv", _csv([("C001", "2024-01-05", '"1,208.50元"'), ("C002", "2024-02-11", "30元"),
                                             ("C001", "2024-03-02", "RMB 8"), ("C003", "2024-03-09", '"12,000"')]),
             "amount", [1208.5, 30.0, 8.0, 12000.0],
             ["Column 'amount': 4 numbers written with a currency sign, thousands separators or full-width digits (e.g. '1,208.50元') "
              "were read as plain numbers (1208.5)."]),
    Accepted("thousands_separator.csv", _csv(_with(2, "amount", '"1,208.00"')), "amount", [12.5, 30.0, 1208.0, 19.9],
             ["Column 'amount': 1 number written with a currency sign, thousands separators or full-width digits (e.g. '1,208.00') "
              "was read as a plain number (1208)."]),
    Accepted("fullwidth_digits.csv", _csv(_with(1, "amount", "３０．００")), "amount", [12.5, 30.0, 8.0, 19.9],
             ["Column 'amount': 1 number written with a currency sign, thousands separators or full-width digits (e.g. '３０．００') "
              "was read as a plain number (30)."]),
    Accepted("float_ids.csv", _csv([("1001", "2024-01-05", "12.50"), ("1002", "2024-02-11", "30.00"),
                                    ("1001.0", "2024-03-02", "8.00"), ("1003", "2024-03-09", "19.90")],
                                   ("customer_id", "date", "amount")),
             "customer_id", ["1001", "1002", "1001", "1003"],
             ["Column 'customer_id': 2 different ways of writing one id (e.g. '1001.0' and '1001') were read as "
              "one: 1 id affected."]),
    Accepted("ids_with_spaces.csv", _csv([(" C001", "2024-01-05", "12.50"), ("C002", "2024-02-11", "30.00"),
                                          ("C001 ", "2024-03-02", "8.00"), ("C003", "2024-03-09", "19.90")]),
             "customer_id", ["C001", "C002", "C001", "C003"],
             ["Column 'customer_id': 2 different ways of writing one id (e.g. ' C001' and 'C001 ') were read as "
              "one: 1 id affected."]),
    Accepted("time_slots.csv", _csv([("2024-03-04 09:00-09:30", "12"), ("2024-03-04 09:30-10:00", "15"),
                                     ("2024-03-04 10:00-10:30", "11")], ("time", "calls")),
             "time", _ts("2024-03-04 09:00", "2024-03-04 09:30", "2024-03-04 10:00"),
             ["Column 'time': 3 time slots such as '2024-03-04 09:00-09:30' were read as the start of the slot."],
             report="staffing"),
    Accepted("mixed_time_zones.csv", _csv([("2024-03-04T09:00:00+08:00", "12"), ("2024-03-04T01:30:00Z", "15"),
                                           ("2024-03-04T10:00:00+08:00", "11")], ("time", "calls")),
             "time", _ts("2024-03-04 09:00", "2024-03-04 09:30", "2024-03-04 10:00"),
             ["Column 'time': 1 time in another time zone (e.g. '2024-03-04T01:30:00Z') was converted to "
              "UTC+08:00, the zone of most rows."], report="staffing"),
    Accepted("merged_store_cells.xlsx", _merged_xlsx, "门店", ["北京店", "北京店", "上海店", "上海店"],
             ["2 cells of merged ranges took the value of the merged cell."], args={"keep": ["门店"]}),
    Accepted("survey_0_10.csv", _csv(_SURVEY_10, _SURVEY_HEADER), "overall_satisfaction", [8.0, 0.0, 10.0], [],
             report="satisfaction", args={"params": {"scale_max": 10, "scale_min": 0}}),
    Accepted("zero_amounts_dropped.csv", _csv(GOOD + [("C004", "2024-03-10", "0")]), "amount",
             [12.5, 30.0, 8.0, 19.9], ["1 row with amount 0 was left out (--drop-zero-amounts)."],
             args={"drop_zero_amounts": True}),
    Accepted("as_of_before_the_last_date.csv", _csv(GOOD), "date", _ts(*_DAYS[:2]),
             ["2 rows dated after the as-of date 2024-02-29 were left out."], args={"as_of": "2024-02-29"}),
]


def write_corpus(folder) -> list[Path]:
    """Write every bad file into ``folder``; return the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for case in [*CASES, *ACCEPTED]:
        case.write(folder / case.name)
        paths.append(folder / case.name)
    return paths


if __name__ == "__main__":  # pragma: no cover
    for p in write_corpus(sys.argv[1] if len(sys.argv) > 1 else "bad_inputs"):
        print(p)
