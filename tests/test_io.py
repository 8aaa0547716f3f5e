"""crm_lessons.io: reading analysts' files (encodings, Excel, Parquet) and writing outputs safely."""

import os

import openpyxl
import numpy as np
import pandas as pd
import pytest

from crm_lessons._validation import FIRST_LINE_ATTR, SOURCE_ATTR, CRMInputError, check_numeric
from crm_lessons.io import atomic_output_dir, escape_formulas, read_table, safe_filename, write_csv_safe

ROWS = [("C001", "2024-01-05", 12.5, "北京店"), ("C002", "2024-02-11", 30.0, "上海店"),
        ("C001", "2024-03-02", 8.0, "北京店")]
CN_COLUMNS = ["客户编号", "日期", "金额", "门店"]


def _frame():
    return pd.DataFrame(ROWS, columns=CN_COLUMNS)


def _write_text(path, text, encoding):
    path.write_bytes(text.encode(encoding))
    return path


def _csv_text(sep=","):
    lines = [sep.join(CN_COLUMNS)] + [sep.join(str(v) for v in r) for r in ROWS]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_with_chinese_names_and_values(tmp_path, encoding):
    path = _write_text(tmp_path / f"sales_{encoding}.csv", _csv_text(), encoding)
    before = path.read_bytes()
    df = read_table(path, dtype={"客户编号": str})
    assert list(df.columns) == CN_COLUMNS  # the BOM is not part of the first name
    assert df["门店"].tolist() == ["北京店", "上海店", "北京店"]
    assert df["客户编号"].tolist() == ["C001", "C002", "C001"]
    assert df["金额"].sum() == pytest.approx(50.5)
    assert df.attrs[SOURCE_ATTR] == path.name and df.attrs[FIRST_LINE_ATTR] == 2
    assert path.read_bytes() == before  # never modified


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_delimiters_are_detected(tmp_path, sep):
    df = read_table(_write_text(tmp_path / "s.csv", _csv_text(sep), "utf-8"))
    assert list(df.columns) == CN_COLUMNS and len(df) == 3


def test_line_numbers_in_messages_follow_the_file(tmp_path):
    text = "id,amount\n1,5\n2,6\n\n3,-1\n\n\n"  # a blank line inside, blank lines at the end
    df = read_table(_write_text(tmp_path / "s.csv", text, "utf-8"))
    assert len(df) == 4  # trailing blank lines dropped, the inner one kept as an empty row
    with pytest.raises(CRMInputError, match=r"^file 's.csv', column 'amount', line 4: values must not be missing"):
        check_numeric(df, "amount", arg="sales", min_value=0)
    with pytest.raises(CRMInputError, match=r"line 5: values must be >= 0; found -1.0"):
        check_numeric(df, "amount", arg="sales", min_value=0, allow_missing=True)


def test_leading_zeros_of_ids_can_be_kept(tmp_path):
    df = read_table(_write_text(tmp_path / "s.csv", "id,amount\n007,1\n", "utf-8"), dtype={"id": str})
    assert df["id"].tolist() == ["007"]


def test_undecodable_file_is_rejected(tmp_path):
    # Latin-1 "café" then a comma: neither UTF-8 nor GB18030
    path = tmp_path / "latin.csv"
    path.write_bytes(b"name,amount\ncaf\xe9,1\n")
    with pytest.raises(CRMInputError, match=r"^file 'latin.csv', line 2: text encoding not recognised; found "
                                            r"bytes b'\\xe9,1\\n' .* Save the file as 'CSV UTF-8'"):
        read_table(path)


def test_utf16_is_rejected(tmp_path):
    path = _write_text(tmp_path / "u16.csv", "id,amount\n1,2\n", "utf-16")
    with pytest.raises(CRMInputError, match=r"^file 'u16.csv': text encoding not supported; found UTF-16"):
        read_table(path)


def _xlsx(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "销售"
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


def test_xlsx_reads_with_chinese_sheet_and_line_numbers(tmp_path):
    path = _xlsx(tmp_path / "s.xlsx", [CN_COLUMNS, *ROWS])
    df = read_table(path, dtype={"客户编号": str})
    assert list(df.columns) == CN_COLUMNS and df["门店"].tolist()[1] == "上海店"
    assert df.attrs[FIRST_LINE_ATTR] == 2
    assert read_table(path, sheet="销售").shape == (3, 4)
    with pytest.raises(CRMInputError, match=r"sheet 'Sheet9' not found; found sheets \['销售'\]"):
        read_table(path, sheet="Sheet9")


def test_xlsx_with_title_rows_above_the_header(tmp_path):
    path = _xlsx(tmp_path / "report.xlsx", [("2024 年销售报表",), (), CN_COLUMNS, *ROWS])
    with pytest.raises(CRMInputError) as err:
        read_table(path)
    assert str(err.value) == (
        "file 'report.xlsx', line 3: the header must be the first row; found 2 row(s) above it, starting with "
        "'2024 年销售报表'. Delete the rows above the header, or pass header_row=3 (command line: --header-row 3).")
    df = read_table(path, header_row=3)
    assert list(df.columns) == CN_COLUMNS and len(df) == 3
    assert df.attrs[FIRST_LINE_ATTR] == 4  # Excel row of the first data row
    with pytest.raises(CRMInputError, match=r"file 'report.xlsx', column '金额', line 5"):
        check_numeric(df.assign(金额=[1.0, -2.0, 3.0]), "金额", arg="sales", min_value=0)


def test_csv_with_title_rows_above_the_header(tmp_path):
    path = _write_text(tmp_path / "t.csv", "Sales export\nid,amount\n1,2\n", "utf-8")
    with pytest.raises(CRMInputError, match=r"^file 't.csv', line 2: the header must be the first row"):
        read_table(path)
    assert read_table(path, header_row=2).attrs[FIRST_LINE_ATTR] == 3


def test_parquet(tmp_path):
    path = tmp_path / "s.parquet"
    _frame().to_parquet(path)
    df = read_table(path)
    assert df.reset_index(drop=True).equals(_frame()) and df.attrs[SOURCE_ATTR] == "s.parquet"
    assert df.index[0] == 1  # rows counted from 1 in messages


@pytest.mark.parametrize("content,message", [
    ("", r"^file 'e.csv': the file is empty; found 0 bytes"),
    ("\n\n", r"^file 'e.csv': the file is empty; found only blank lines"),
    ("id,amount\n", r"^file 'e.csv': has a header but no data rows; found columns \['id', 'amount'\]"),
    ("id,id\n1,2\n", r"^file 'e.csv', column 'id': column names must be unique; found 'id' twice"),
    ("id,,amount\n1,2,3\n", r"^file 'e.csv', column 2: every column needs a name"),
    ("id,amount\n1,2\n3,4,5\n", r"^file 'e.csv', line 3: every row must have as many fields as the header; "
                                r"found 3 fields where the header has 2"),
])
def test_broken_files(tmp_path, content, message):
    with pytest.raises(CRMInputError, match=message):
        read_table(_write_text(tmp_path / "e.csv", content, "utf-8"))


def test_missing_and_unsupported_files(tmp_path):
    with pytest.raises(CRMInputError, match=r"^file 'nope.csv': cannot be read; found no such file"):
        read_table(tmp_path / "nope.csv")
    (tmp_path / "a.xls").write_bytes(b"x")
    with pytest.raises(CRMInputError, match=r"^file 'a.xls': unsupported file type; found '.xls'"):
        read_table(tmp_path / "a.xls")


def test_formula_cells_are_escaped(tmp_path):
    df = pd.DataFrame({"store": ["=cmd|'/C calc'!A0", "+1", "-x", "@SUM(A1)", "plain", "北京"],
                       "amount": [-1.5, 2, 3, 4, 5, 6]})
    path = write_csv_safe(df, tmp_path / "out.csv")
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert back["store"].tolist() == ["'=cmd|'/C calc'!A0", "'+1", "'-x", "'@SUM(A1)", "plain", "北京"]
    assert back["amount"].tolist() == [-1.5, 2, 3, 4, 5, 6]  # numbers stay numbers
    assert df["store"].iloc[0] == "=cmd|'/C calc'!A0"  # input untouched
    assert list(escape_formulas(pd.DataFrame({"=a": [1]})).columns) == ["'=a"]
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left


@pytest.mark.parametrize("name,expected", [
    ("北京/朝阳店", "北京_朝阳店"), ("../../etc/passwd", "etc_passwd"), ("a:b*c?d", "a_b_c_d"),
    ("CON", "_CON"), ("", "_"), (".hidden", "hidden"), ("x" * 200, "x" * 80), ("Ｓｔｏｒｅ　1", "Store_1"),
])
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_atomic_output_dir_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out"
    with pytest.raises(RuntimeError):
        with atomic_output_dir(target) as tmp:
            (tmp / "half.txt").write_text("x")
            raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_atomic_output_dir_replaces_only_its_own_output(tmp_path):
    target = tmp_path / "out"
    with atomic_output_dir(target) as tmp:
        (tmp / "v1.txt").write_text("1")
    with pytest.raises(CRMInputError, match=r"the output directory must not exist yet"):
        with atomic_output_dir(target):
            pass
    with atomic_output_dir(target, overwrite=True) as tmp:
        (tmp / "v2.txt").write_text("2")
    assert sorted(p.name for p in target.iterdir()) == [".crm-lessons-output", "v2.txt"]
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("precious")
    with pytest.raises(CRMInputError, match=r"only an earlier report directory can be overwritten"):
        with atomic_output_dir(mine, overwrite=True):
            pass
    assert (mine / "thesis.docx").read_text() == "precious"
    assert sorted(os.listdir(tmp_path)) == ["mine", "out"]


def test_escape_formulas_looks_at_categories_of_a_categorical_column():
    """A categorical column is skipped only when no category reads as a formula (the fast path must not skip one)."""
    df = pd.DataFrame({"seg": pd.Categorical(["ok", "=cmd", "ok"]), "tier": pd.Categorical(["A", "B", "A"])})
    out = escape_formulas(df)
    assert out["seg"].astype(str).tolist() == ["ok", "'=cmd", "ok"]
    assert out["tier"].astype(str).tolist() == ["A", "B", "A"]


def test_escape_formulas_fast_path_equals_the_per_cell_rule():
    """pyarrow's pattern on all-text columns and on the index gives what the rule says cell by cell; a column
    mixing text and numbers goes through the rule itself."""
    from crm_lessons.io import _FORMULA_START, escape_formulas

    rng = np.random.default_rng(5)
    starts = list("=+-@\t\rAb1 '") + ["", "中"]
    text = [s + "x" for s in rng.choice(starts, 3000)]
    text[7] = None
    rule = [("'" + v) if isinstance(v, str) and v.startswith(_FORMULA_START) else v for v in text]
    df = pd.DataFrame({"t": np.array(text, dtype=object), "mixed": [3 if i % 3 else v for i, v in enumerate(text)]},
                      index=pd.Index([f"{v}{i}" if v is not None else "none" for i, v in enumerate(text)], dtype=object))
    out = escape_formulas(df)

    def cells(col):   # (pandas 3 keeps the missing cell of a text column as NaN)
        return [None if not isinstance(v, (str, int)) and pd.isna(v) else v for v in out[col]]

    assert cells("t") == rule
    assert cells("mixed") == [3 if i % 3 else v for i, v in enumerate(rule)]
    assert list(out.index) == [f"{v}{i}" if v is not None else "none" for i, v in enumerate(rule)]
    assert sum(r != t for r, t in zip(rule, text)) > 1000   # the fixture escapes many cells
