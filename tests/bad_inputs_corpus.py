"""The corpus of bad input files for the report command line (used by tests/test_bad_inputs.py).

Each case writes one file and gives the command-line arguments to run on it;
``python tests/bad_inputs_corpus.py DIR`` writes the whole corpus into DIR for a
look at the files. Good rows look like this::

    customer_id,date,amount
    C001,2024-01-05,12.50
"""

from __future__ import annotations

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
    def write(path: Path):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = sheet
        for r in rows:
            ws.append(list(r))
        wb.save(path)
    return write


def _parquet(frame):
    def write(path: Path):
        frame.to_parquet(path)
    return write


_CALLS = [("2024-03-04 09:00", "12"), ("2024-03-04 09:30", "15"), ("2024-03-04 10:00", "11")]
_SURVEY_HEADER = ("customer_id", "overall_satisfaction", "recommend", "quality_experience", "price_experience")
_SURVEY = [("R1", "5", "9", "6", "4"), ("R2", "6", "10", "7", "5"), ("R3", "3", "4", "3", "2")]

CASES = [
    Case("missing_column.csv", _csv([r[:2] for r in GOOD], HEADER[:2])),
    Case("renamed_column.csv", _csv(GOOD, ("customer_id", "date", "Amount")), args=["--amount-col", "金额"]),
    Case("currency_sign.csv", _csv(_with(1, "amount", "¥30.00"))),
    Case("thousands_separator.csv", _csv(_with(2, "amount", '"1,208.00"'))),
    Case("text_in_amount.csv", _csv(_with(3, "amount", "refund"))),
    Case("bad_date.csv", _csv(_with(1, "date", "2024-13-45"))),
    Case("date_as_words.csv", _csv(_with(2, "date", "yesterday"))),
    Case("future_date.csv", _csv(_with(3, "date", "2025-06-01")), args=["--as-of", "2024-12-31"]),
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


def write_corpus(folder) -> list[Path]:
    """Write every bad file into ``folder``; return the paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for case in CASES:
        case.write(folder / case.name)
        paths.append(folder / case.name)
    return paths


if __name__ == "__main__":  # pragma: no cover
    for p in write_corpus(sys.argv[1] if len(sys.argv) > 1 else "bad_inputs"):
        print(p)
