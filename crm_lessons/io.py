"""Reading analysts' files and writing report outputs safely (数据读写).

:func:`read_table` reads CSV (UTF-8, UTF-8 with BOM, GBK/GB18030), Excel
``.xlsx`` and Parquet files into a DataFrame and records on ``df.attrs`` the
file name and the file line of the first data row, so that every check of
:mod:`crm_lessons._validation` names the file and the line of a bad value.
Problems with the file itself (empty, header only, undecodable, a title above
the header) are raised as :class:`~crm_lessons._validation.CRMInputError`
with one message saying where, what and how to fix it.

The writers never touch the input: :func:`write_csv_safe` escapes cells a
spreadsheet would run as formulas, :func:`safe_filename` turns names from the
data (stores, segments) into safe file names, and :func:`atomic_output_dir`
builds an output directory beside its target and renames it into place only
when complete.

Examples
--------
>>> import pandas as pd, tempfile, pathlib
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> _ = (tmp / "sales.csv").write_text("customer_id,amount\\n1,10\\n2,-5\\n", encoding="utf-8")
>>> df = read_table(tmp / "sales.csv")
>>> df.attrs["crm_source"], df.attrs["crm_first_line"]
('sales.csv', 2)
>>> from crm_lessons._validation import check_numeric
>>> check_numeric(df, "amount", arg="sales", min_value=0)
Traceback (most recent call last):
...
crm_lessons._validation.CRMInputError: file 'sales.csv', column 'amount', line 3: values must be >= 0; found -5.0 (1 such row). Correct or remove these rows, e.g. refunds belong in a separate table.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as _dt
import functools
import io
import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from crm_lessons._validation import FIRST_LINE_ATTR, SOURCE_ATTR, CRMInputError

__all__ = [
    "READABLE_SUFFIXES",
    "atomic_output_dir",
    "atomic_write",
    "check_csv_fields",
    "escape_formulas",
    "read_table",
    "safe_filename",
    "write_csv_safe",
]

#: File suffixes :func:`read_table` understands.
READABLE_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".parquet")

_ENCODINGS = ("utf-8-sig", "gb18030")  # utf-8-sig also reads plain UTF-8
_HEADER_SCAN = 30  # lines looked at when searching for the header row


# --------------------------------------------------------------------------- reading
def read_table(path, *, sheet=None, header_row: int | None = None, dtype=None) -> pd.DataFrame:
    """Read a CSV, Excel (.xlsx) or Parquet file, recording file and first line.

    Parameters
    ----------
    path : str or Path
        The file. ``.csv``/``.txt``/``.tsv`` are decoded as UTF-8 (with or
        without BOM), then GB18030 (a superset of GBK); the delimiter (comma,
        semicolon, tab or ``|``) is detected.
    sheet : str or int, optional
        Excel sheet name or 0-based position; default the first sheet.
    header_row : int, optional
        1-based line (Excel row) of the header. By default the header must be
        the first non-empty line; rows of titles above it are reported with
        the line to pass here.
    dtype : dict, optional
        Column types passed to the reader, e.g. ``{"customer_id": str}`` to
        keep leading zeros of ids.

    Returns
    -------
    DataFrame
        Column names stripped of surrounding spaces. ``df.attrs["crm_source"]``
        holds the file name, ``df.attrs["crm_first_line"]`` the line (Excel
        row) of the first data row, so check messages name the line. A
        Parquet file has no lines: its index counts rows from 1, so messages
        name "row 1" for the first row.

    Raises
    ------
    CRMInputError
        The file is missing, of an unknown type, empty, has only a header, is
        in an unknown text encoding, has titles above the header, or repeats a
        column name.
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise CRMInputError(
            f"file '{name}': cannot be read; found no such file in '{path.parent}'. "
            "Check the path and the spelling of the file name."
        )
    suffix = path.suffix.lower()
    if suffix not in READABLE_SUFFIXES:
        raise CRMInputError(
            f"file '{name}': unsupported file type; found '{suffix or '(no suffix)'}'. "
            f"Save the table as one of {', '.join(READABLE_SUFFIXES)}."
        )
    if path.stat().st_size == 0:
        raise CRMInputError(
            f"file '{name}': the file is empty; found 0 bytes. "
            "Export the table again, with a header row and the data rows."
        )
    if suffix == ".parquet":
        df, first_line = _read_parquet(path, dtype=dtype), None
    elif suffix == ".xlsx":
        df, first_line = _read_excel(path, sheet=sheet, header_row=header_row, dtype=dtype)
    else:
        df, first_line = _read_text(path, header_row=header_row, dtype=dtype)
    df.attrs[SOURCE_ATTR] = name
    if first_line is not None:
        df.attrs[FIRST_LINE_ATTR] = first_line
    if len(df) == 0:
        raise CRMInputError(
            f"file '{name}': has a header but no data rows; found columns {list(map(str, df.columns))}. "
            "Export the table again with its data rows."
        )
    return df


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    name = path.name
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw[:4096]:
        raise CRMInputError(
            f"file '{name}': text encoding not supported; found UTF-16 (zero bytes between characters). "
            "Save the file as 'CSV UTF-8' (Excel: File > Save As > CSV UTF-8)."
        )
    for enc in _ENCODINGS:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start
    line = raw[:start].count(b"\n") + 1
    raise CRMInputError(
        f"file '{name}', line {line}: text encoding not recognised; found bytes "
        f"{raw[start:start + 4]!r} that are neither UTF-8 nor GBK/GB18030. "
        "Save the file as 'CSV UTF-8' (Excel: File > Save As > CSV UTF-8)."
    )


def _sniff_delimiter(lines: list[str]) -> str:
    sample = [ln for ln in lines if ln.strip()][:_HEADER_SCAN]
    best, best_score = ",", -1
    for sep in (",", ";", "\t", "|"):
        counts = [len(next(csv.reader([ln], delimiter=sep))) for ln in sample]
        mode = max(set(counts), key=counts.count) if counts else 1
        score = (mode > 1) * counts.count(mode) * 100 + mode
        if score > best_score:
            best, best_score = sep, score
    return best


def _find_header(rows: list[list]) -> int:
    """0-based index of the header among ``rows``: the first row as wide as the table."""
    filled = [sum(1 for v in r if v is not None and str(v).strip() != "") for r in rows]
    body = [n for n in filled if n > 0]
    if not body:
        return 0
    width = max(set(body), key=body.count)
    for i, n in enumerate(filled):
        if n >= width:
            return i
    return next(i for i, n in enumerate(filled) if n > 0)


def _check_header(name: str, rows: list[list], header_row: int | None, offset: int = 0) -> int:
    """Return the 0-based header index; complain about titles above the header."""
    if header_row is not None:
        if not (isinstance(header_row, (int, np.integer)) and 1 <= header_row <= len(rows)):
            raise CRMInputError(
                f"argument `header_row`: must be a line number between 1 and {len(rows)}; "
                f"found {header_row!r}. Pass the line that holds the column names."
            )
        return int(header_row) - 1
    h = _find_header(rows)
    if h > 0:
        above = next(str(v) for r in rows[:h] for v in r if v is not None and str(v).strip())
        raise CRMInputError(
            f"file '{name}', line {h + 1 + offset}: the header must be the first row; found {h} row(s) "
            f"above it, starting with {above.strip()!r}. Delete the rows above the header, "
            f"or pass header_row={h + 1 + offset} (command line: --header-row {h + 1 + offset})."
        )
    return h


def _check_columns(name: str, columns: list) -> list[str]:
    cols = [("" if c is None or (isinstance(c, float) and np.isnan(c)) else str(c)).strip() for c in columns]
    for i, c in enumerate(cols):
        if c == "":
            raise CRMInputError(
                f"file '{name}', column {i + 1}: every column needs a name in the header; found an empty "
                "header cell. Name the column or delete it."
            )
    seen = set()
    for c in cols:
        if c in seen:
            raise CRMInputError(
                f"file '{name}', column '{c}': column names must be unique; found '{c}' twice. "
                "Rename or delete one of them."
            )
        seen.add(c)
    return cols


#: Text files of at least this many bytes are read with pyarrow's multi-threaded CSV reader when
#: they are clean UTF-8 without blank lines (else, and for smaller files, with the exact reader below).
#: Text id columns (``dtype={col: str}``) come as dictionary codes (pandas categoricals), so ten
#: million ids are not ten million Python strings; :func:`crm_lessons.values.parse_ids` cleans each
#: distinct id once. The tests run it on every file of the bad-input corpus (same messages, same frame).
FAST_CSV_BYTES = 8 * 2**20

# pandas' default missing-value words (pyarrow's list lacks '<NA>', 'None')
_NA_WORDS = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
             "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]


@functools.lru_cache(maxsize=1)
def _parsed_date_unit() -> str:
    """The resolution pandas gives dates parsed from text: "ns" in pandas 2, "us" in pandas 3."""
    return np.datetime_data(pd.to_datetime(pd.Series(["2024-01-05"])).dtype)[0]


def _read_text_fast(path: Path, *, header_row, dtype):
    """pyarrow's CSV reader on a clean UTF-8 file; None when the exact reader must take over.

    The header is found and checked exactly as :func:`_read_text` does (same lines, same
    messages). Every data line must be a row (no blank lines), so row ``i`` is line
    ``first_line + i`` and the checks name the same lines. ISO dates (``YYYY-MM-DD``) are
    parsed by pyarrow, other dates and times stay text for :func:`crm_lessons.values.parse_dates`;
    any problem pyarrow meets (bad UTF-8, a short row, a blank line) hands over to the exact reader.
    """
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    if dtype is not None and not isinstance(dtype, dict):
        return None
    with open(path, "rb") as fh:
        raw = fh.read(1 << 16)
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw[:4096]:
        return None
    part = len(raw) == 1 << 16                # only the start of the file was read
    if raw[:3] == b"\xef\xbb\xbf":          # Excel's "CSV UTF-8": pyarrow skips the BOM too
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(raw) - 4:
            return None
        text = raw[:exc.start].decode("utf-8")
    lines = text.splitlines()[:-1] if part else text.splitlines()
    lead = 0
    while lead < len(lines) and not lines[lead].strip():
        lead += 1
    if lead == len(lines) or (part and lead + _HEADER_SCAN > len(lines)):
        return None
    name = path.name
    sep = _sniff_delimiter(lines[lead: lead + _HEADER_SCAN])
    head = [next(csv.reader([ln], delimiter=sep)) if ln.strip() else [] for ln in lines[: lead + _HEADER_SCAN]]
    if header_row is None:
        h = lead + _check_header(name, head[lead:], None, offset=lead)
    else:
        h = _check_header(name, head, header_row)
    columns = _check_columns(name, head[h])
    text_cols = {k for k, v in (dtype or {}).items() if v is str and k in columns}
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(skip_rows=h + 1, column_names=columns),
            parse_options=pacsv.ParseOptions(delimiter=sep, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in text_cols}, null_values=_NA_WORDS,
                strings_can_be_null=True, timestamp_parsers=["%Y-%m-%d"], true_values=["True", "TRUE", "true"],
                false_values=["False", "FALSE", "false"]))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
        return None
    except MemoryError:
        raise _too_big(path) from None
    if table.num_rows == 0:
        return None
    unit = _parsed_date_unit()
    for i, f in enumerate(table.schema):       # ISO dates come as date32: to datetime64 in the unit parse_dates gives
        if pa.types.is_date32(f.type):
            try:
                table = table.set_column(i, f.name, table.column(i).cast(pa.timestamp(unit)))
            except pa.ArrowInvalid:           # a year pandas cannot hold (0001-01-01): the exact reader says which
                return None
    plain = (pa.types.is_integer, pa.types.is_floating, pa.types.is_boolean, pa.types.is_string,
             pa.types.is_timestamp, pa.types.is_null, pa.types.is_dictionary)
    if not all(any(t(f.type) for t in plain) for f in table.schema):
        return None                           # e.g. a column of times (09:00): the exact reader keeps the text
    codes = {}
    for c in text_cols:                       # ids: sorted dictionary codes, not a Python string per row
        i = table.schema.get_field_index(c)
        if pa.types.is_string(table.schema.field(i).type):
            codes[c] = _sorted_categorical(table.column(i))
            table = table.set_column(i, c, pa.nulls(table.num_rows, pa.int8()))
    df = table.to_pandas()
    for c, cat in codes.items():
        df[c] = cat
    for c in df.columns:                      # an all-empty column: NaN floats, as pandas reads it
        if pa.types.is_null(table.schema.field(c).type):
            df[c] = np.nan
    empty = df.isna().all(axis=1).to_numpy()  # trailing empty rows (",,") are not data
    n = len(df)
    while n > 0 and empty[n - 1]:
        n -= 1
    if n < len(df):
        df = df.iloc[:n].reset_index(drop=True)
    return df, h + 2


def _sorted_categorical(col) -> pd.Categorical:
    """A pyarrow text (or integer) column as a pandas categorical whose categories are the distinct values as
    text, in sorted order.

    Encoded and sorted by pyarrow (byte order of UTF-8 is Python's order of str), so ten million ids
    cost a Python string per distinct id only. Integers (and text that is integers written as Python
    writes them: ``1001``, not ``01001`` or ``+1001``) are encoded as numbers, without hashing text,
    and only the distinct ones are written as text.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    except pa.ArrowInvalid:                   # more than 2 GB of text: 64-bit offsets
        arr = col.cast(pa.large_string()).combine_chunks()
    form = None if pa.types.is_integer(arr.type) else _numbered_text(arr)
    if form is not None:                      # ids such as 1001 or C0001001: coded by their number
        arr, prefix, width = form
    if pa.types.is_integer(arr.type) and arr.null_count == 0 and len(arr):
        dense = _dense_integer_codes(arr.to_numpy(), *(form[1:] if form else ("", None)))
        if dense is not None:
            return dense
    enc = pc.dictionary_encode(arr)
    if form is not None:                      # the distinct numbers as the ids' text
        words = _number_text(enc.dictionary, prefix, width)
    elif pa.types.is_string(enc.dictionary.type) or pa.types.is_large_string(enc.dictionary.type):
        words = enc.dictionary
    else:
        words = enc.dictionary.cast(pa.string())
    order = pc.sort_indices(words).to_numpy()
    rank = np.empty(order.size + 1, dtype=_code_type(order.size))
    rank[order] = np.arange(order.size, dtype=rank.dtype)
    rank[-1] = -1                             # missing values
    idx = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    return _categorical(rank[idx], words.take(order))


def _code_type(n: int):
    """pandas' own code type for ``n`` categories (so ``from_codes`` keeps the codes without a copy)."""
    return np.int8 if n < 2**7 - 1 else np.int16 if n < 2**15 - 1 else np.int32 if n < 2**31 - 1 else np.int64


def _categorical(codes: np.ndarray, words) -> pd.Categorical:
    """Codes and their categories (a pyarrow text array of distinct values in sorted order) as a categorical."""
    cats = pd.Index(words.to_numpy(zero_copy_only=False), dtype=object)
    # distinct and sorted, so strictly increasing: once pandas has seen that (one pass of comparisons), it
    # knows the categories are unique and does not hash millions of strings to check it
    if not cats.is_monotonic_increasing:      # pragma: no cover - pyarrow's order is Python's order of str
        raise AssertionError("pyarrow sorted the ids in an order Python does not share")
    return pd.Categorical.from_codes(codes, categories=cats, validate=False)


def _numbered_text(arr):
    """Text ids that are a number after a fixed prefix (``1001``, ``C1001``, ``C0001001``) as
    ``(numbers, prefix, width)``: every cell is ``prefix + str(number)`` (width None) or, when every
    cell has the same length, ``prefix + str(number).zfill(width)``. None for other text or missing cells."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)) or arr.null_count or not len(arr):
        return None
    first = arr[0].as_py()
    prefix = first[: next((i for i, c in enumerate(first) if c in "0123456789"), len(first))]
    if not prefix.isascii() or len(first) - len(prefix) > 18:
        return None
    if prefix and not pc.all(pc.starts_with(arr, prefix)).as_py():
        return None
    rest = pc.utf8_slice_codeunits(arr, len(prefix)) if prefix else arr
    if not pc.all(pc.ascii_is_decimal(rest)).as_py():     # digits only: no sign, space, point or 0x
        return None
    try:
        numbers = rest.cast(pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # more digits than 64 bits hold
        return None
    length = pc.binary_length(rest).to_numpy()
    if length.min() == length.max():
        return numbers, prefix, int(length[0])           # fixed width: zeros in front are part of the id
    zero = pc.starts_with(rest, "0").to_numpy(zero_copy_only=False)
    if (zero & (length > 1)).any():                      # 0042 beside 123: the zeros are not the number's
        return None
    return numbers, prefix, None


def _number_text(numbers, prefix: str, width: int | None):
    """The ids :func:`_numbered_text` read as numbers, as text again."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = numbers.cast(pa.string())
    if width is not None:
        text = pc.utf8_lpad(text, width, "0")
    return pc.binary_join_element_wise(prefix, text, "") if prefix else text


def _dense_integer_codes(values: np.ndarray, prefix: str = "", width: int | None = None) -> pd.Categorical | None:
    """Integer ids between 0 and a few times their count, without missing ones, as :func:`_sorted_categorical`
    makes them: a table indexed by the id marks the distinct ones (no hashing), the distinct ones as text
    (:func:`_number_text`) are sorted, and each row's code is read from a second table. None for ids
    outside that range."""
    import pyarrow as pa
    import pyarrow.compute as pc

    low, high = int(values.min()), int(values.max())
    if low < 0 or high > 4 * len(values) + 1024:
        return None
    seen = np.zeros(high + 1, dtype=bool)
    seen[values] = True
    distinct = np.flatnonzero(seen)
    words = _number_text(pa.array(distinct), prefix, width)
    rank = np.empty(high + 1, dtype=_code_type(distinct.size))
    if width is not None:                     # same width: the order of the text is the order of the numbers
        rank[distinct] = np.arange(distinct.size, dtype=rank.dtype)
        return _categorical(rank[values], words)
    # text order of numbers written in full: by their digits left-aligned, a shorter one (1) before a longer
    # one with the same digits (10); numbers are distinct and ascending, so a stable sort keeps 1 before 10
    digits = np.searchsorted(10 ** np.arange(1, 19, dtype=np.int64), distinct, side="right") + 1
    aligned = distinct.astype(np.uint64) * (np.uint64(10) ** (19 - digits).astype(np.uint64))
    order = np.argsort(aligned, kind="stable")
    rank[distinct[order]] = np.arange(distinct.size, dtype=rank.dtype)
    return _categorical(rank[values], words.take(pa.array(order)))


def _ragged(name: str, line: int | None, found: str) -> CRMInputError:
    """The message for a row with more or fewer fields than the header (at ``line`` when known)."""
    where_ = f"file '{name}', line {line}" if line else f"file '{name}'"
    return CRMInputError(f"{where_}: every row must have as many fields as the header; found {found}. "
                         "Quote values that contain the delimiter, or remove the extra fields.")


def check_csv_fields(path, *, sep: str = ",") -> None:
    """Raise the reader's message for the first row of a CSV file whose number of fields is not the header's.

    For a reader that stops at such a row without saying where (an engine's): the file is
    read row by row, in constant memory; blank lines are not rows. Nothing happens when
    every row has the header's fields.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
    >>> _ = p.write_text("id,date,amount" + chr(10) + "1,2024-01-02,5" + chr(10) + "2,2024-01-03,1,2" + chr(10))
    >>> try:
    ...     check_csv_fields(p)
    ... except CRMInputError as exc:
    ...     print(str(exc)[:86])
    file 's.csv', line 3: every row must have as many fields as the header; found 4 fields
    """
    path = Path(path)
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        rows = csv.reader(fh, delimiter=sep)
        header = next(rows, [])
        for row in rows:
            if row and len(row) != len(header):
                raise _ragged(path.name, rows.line_num, f"{len(row)} fields where the header has {len(header)}")


def _read_text(path: Path, *, header_row, dtype):
    name = path.name
    if path.stat().st_size >= FAST_CSV_BYTES:
        fast = _read_text_fast(path, header_row=header_row, dtype=dtype)
        if fast is not None:
            return fast
    text = _decode(path)
    lines = text.splitlines()
    lead = 0
    while lead < len(lines) and not lines[lead].strip():
        lead += 1
    if lead == len(lines):
        raise CRMInputError(
            f"file '{name}': the file is empty; found only blank lines. "
            "Export the table again, with a header row and the data rows."
        )
    sep = _sniff_delimiter(lines[lead: lead + _HEADER_SCAN])
    head = [next(csv.reader([ln], delimiter=sep)) if ln.strip() else [] for ln in lines[: lead + _HEADER_SCAN]]
    if header_row is None:
        h = lead + _check_header(name, head[lead:], None, offset=lead)
    else:
        h = _check_header(name, head, header_row)
    columns = _check_columns(name, head[h])
    if isinstance(dtype, dict):
        dtype = {k: v for k, v in dtype.items() if k in columns}
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, header=None, skiprows=h + 1, names=columns,
                         dtype=dtype, skip_blank_lines=False, low_memory=False)
    except MemoryError:
        raise _too_big(path) from None
    except pd.errors.ParserError as exc:
        if "out of memory" in str(exc):
            raise _too_big(path) from None
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        raise _ragged(name, int(m.group(2)), f"{m.group(3)} fields where the header has {len(columns)}"
                      if m else str(exc)) from None
    # trailing blank lines are not data
    empty = df.isna().all(axis=1).to_numpy()
    n = len(df)
    while n > 0 and empty[n - 1]:
        n -= 1
    df = df.iloc[:n].reset_index(drop=True)
    return df, h + 2


def _workbook_sheets(path: Path) -> list[tuple[str, int]]:
    """The sheets of a workbook with their number of filled rows (a damaged file raises)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return [(ws.title, sum(1 for r in ws.iter_rows(values_only=True)
                               if any(v is not None and str(v).strip() for v in r))) for ws in wb.worksheets]
    finally:
        wb.close()


def _read_excel(path: Path, *, sheet, header_row, dtype):
    name = path.name
    head = path.read_bytes()[:8]
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # an OLE container: Excel's encrypted (password) format
        raise CRMInputError(
            f"file '{name}': the workbook is password-protected (encrypted); found an encrypted Excel file. "
            "Open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password) and "
            "save it again, or export the sheet as CSV."
        )
    try:
        sheets = _workbook_sheets(path)
    except Exception as exc:  # zip/openpyxl errors: damaged, or not a real xlsx
        raise CRMInputError(
            f"file '{name}': cannot be read as an Excel workbook (damaged, or not an .xlsx file); found "
            f"{type(exc).__name__}: {exc}. Open it in Excel and save it again as .xlsx, or export it as CSV."
        ) from None
    names = [t for t, _ in sheets]
    if sheet is not None and sheet not in names:
        raise CRMInputError(
            f"file '{name}': sheet {sheet!r} not found; found sheets {names}. "
            "Pass one of these names (command line: --sheet NAME)."
        )
    filled = [f"{t} ({k} row{'s' if k > 1 else ''})" for t, k in sheets if k]
    if sheet is None and len(filled) > 1:
        raise CRMInputError(
            f"file '{name}': the workbook has {len(filled)} sheets with data, so which one to read is not clear; "
            f"found sheets {', '.join(filled)}. Pass the sheet to read (command line: --sheet NAME)."
        )
    if sheet is None:
        sheet = next((t for t, k in sheets if k), names[0])
    try:
        raw = pd.read_excel(path, sheet_name=sheet, header=None, engine="openpyxl", dtype=object)
    except MemoryError:
        raise _too_big(path) from None
    if raw.empty:
        raise CRMInputError(
            f"file '{name}': the sheet is empty; found no cells. "
            "Put the header in row 1 and the data below it, or pass the right sheet (--sheet)."
        )
    rows = raw.head(_HEADER_SCAN).where(raw.head(_HEADER_SCAN).notna(), None).values.tolist()
    h = _check_header(name, rows, header_row)
    columns = _check_columns(name, list(raw.iloc[h]))
    df = raw.iloc[h + 1:].reset_index(drop=True)
    # drop columns beyond the header (all-empty trailing columns)
    df.columns = columns
    empty = df.isna().all(axis=1).to_numpy()
    n = len(df)
    while n > 0 and empty[n - 1]:
        n -= 1
    df = df.iloc[:n].reset_index(drop=True)
    df = _fill_merged(path, sheet, df, h)
    df = df.map(lambda v: v.isoformat() if isinstance(v, _dt.time) else v)  # a time cell: its text, not a date
    df = df.infer_objects()
    keep_text = {k for k, v in dict(dtype or {}).items() if v is str and k in df.columns}
    for col in df.columns:
        if col in keep_text:
            df[col] = df[col].map(_excel_text)
        elif df[col].dtype == object:
            conv = pd.to_numeric(df[col], errors="coerce")
            if conv.notna().sum() == df[col].notna().sum():
                df[col] = conv
    rest = {k: v for k, v in dict(dtype or {}).items() if k in df.columns and k not in keep_text}
    if rest:
        df = df.astype(rest)
    # raw rows counted from 0 = Excel row 1
    return df, h + 2


def _fill_merged(path: Path, sheet: str, df: pd.DataFrame, header_index: int) -> pd.DataFrame:
    """Cells of a merged range (a store name merged over its rows) take the range's value; noted on attrs."""
    if not df.isna().any().any():
        return df
    import openpyxl

    wb = openpyxl.load_workbook(path)
    try:
        ranges = list(wb[sheet].merged_cells.ranges)
    finally:
        wb.close()
    filled = 0
    for rng in ranges:
        top = rng.min_row - 2 - header_index  # Excel row (1-based) -> data row (0-based, below the header)
        rows = range(max(top, 0), min(rng.max_row - 1 - header_index, len(df)))
        if top < 0 or len(rows) < 2:
            continue
        for c in range(rng.min_col - 1, min(rng.max_col, df.shape[1])):
            value = df.iat[top, c]
            for r in rows[1:]:
                if pd.isna(df.iat[r, c]):
                    df.iat[r, c] = value
                    filled += 1
    if filled:
        from crm_lessons.values import NOTES_ATTR

        df.attrs[NOTES_ATTR] = [[f"{filled:,} cells of merged ranges took the value of the merged cell.",
                                 f"合并单元格中的 {filled:,} 个单元格取合并单元格的值。"]]
    return df


def _too_big(path: Path) -> CRMInputError:
    size = path.stat().st_size / 2**20
    return CRMInputError(
        f"file '{path.name}': too large for the memory of this computer; found {size:,.0f} MB. Split the file "
        "(e.g. one file per year or store, then --input FOLDER), or run on a computer with more memory."
    )


def _excel_text(value):
    """An Excel cell as text: 1001.0 -> '1001'; empty stays missing."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return np.nan
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


#: Parquet files of at least this many rows have text columns of ISO dates (``YYYY-MM-DD``) read as dates
#: by pyarrow, as the fast CSV reader does (:data:`FAST_CSV_BYTES`); smaller ones keep the text.
FAST_PARQUET_ROWS = 200_000


def _iso_dates(col):
    """A pyarrow text column of ISO dates (``YYYY-MM-DD``, or missing) as timestamps in the unit pandas
    gives parsed dates; None if any cell is something else (then the exact parser reads the text)."""
    import pyarrow as pa

    if col.null_count == len(col):            # an empty column: not known to be dates
        return None
    try:                                      # strict: YYYY-MM-DD and a real day of the calendar, else an error;
        return col.cast(pa.date32()).cast(pa.timestamp(_parsed_date_unit()))  # so is a year pandas cannot hold
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _read_parquet(path: Path, dtype=None) -> pd.DataFrame:
    """A Parquet file; text or integer columns asked for as text (``dtype={col: str}``) come as
    dictionary codes (categoricals of text), read by pyarrow without a Python string per row. In a
    large file (:data:`FAST_PARQUET_ROWS`) text columns of ISO dates come as dates."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        text = {k: k for k, v in (dtype or {}).items() if v is str} if isinstance(dtype, dict) else {}
        dates = {}
        for i, f in enumerate(table.schema):
            if f.name in text and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
                                   or pa.types.is_integer(f.type)):
                text[f.name] = _sorted_categorical(table.column(i))
                table = table.set_column(i, f.name, pa.nulls(table.num_rows, pa.int8()))
            elif table.num_rows >= FAST_PARQUET_ROWS and (pa.types.is_string(f.type)
                                                          or pa.types.is_large_string(f.type)):
                dates[f.name] = _iso_dates(table.column(i))
                if dates[f.name] is not None:  # set after to_pandas: the file's pandas metadata says text
                    table = table.set_column(i, f.name, pa.nulls(table.num_rows, pa.int8()))
        df = table.to_pandas()
        for c, cat in text.items():
            if not isinstance(cat, str):
                df[c] = cat
        for c, days in dates.items():
            if days is not None:
                df[c] = days.to_pandas().to_numpy()
    except Exception as exc:
        raise CRMInputError(
            f"file '{path.name}': cannot be read as Parquet; found {type(exc).__name__}: {exc}. "
            "Write the file again (pandas: df.to_parquet(path))."
        ) from None
    df = df.reset_index(drop=True)
    df.index = pd.RangeIndex(1, len(df) + 1)  # messages name "row 1" for the first row
    return df


# --------------------------------------------------------------------------- writing
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy where text cells starting with ``= + - @`` (or tab/CR) get a leading ``'``.

    Spreadsheets run such cells as formulas when a CSV is opened (CSV
    injection); the apostrophe makes them plain text. Numbers are left as
    they are, so a negative number stays a number.

    Examples
    --------
    >>> escape_formulas(pd.DataFrame({"a": ["=1+1", "ok", "-x"], "b": [-1, 2, 3]}))
          a  b
    0  '=1+1 -1
    1    ok  2
    2   '-x  3
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.CategoricalDtype) and not pd.Series(
                s.cat.categories.astype(object)).str.startswith(_FORMULA_START, na=False).any():
            continue  # no category reads as a formula: no need to look at every cell
        if s.dtype == object or isinstance(s.dtype, pd.StringDtype) or isinstance(s.dtype, pd.CategoricalDtype):
            s = s.astype(object)
            mask = _formula_cells(s)
            if mask.any():
                out[col] = s.where(~mask, "'" + s[mask].astype(str))
    names = [("'" + c) if isinstance(c, str) and c.startswith(_FORMULA_START) else c for c in out.columns]
    out.columns = names
    if out.index.dtype == object:
        mask = _formula_cells(pd.Series(out.index, dtype=object))
        if mask.any():
            out.index = [("'" + i) if m else i for i, m in zip(out.index, mask)]
    return out


def _formula_cells(s: pd.Series) -> np.ndarray:
    """Which cells of an object column are text starting like a formula (pyarrow when all are text: 4x faster)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        arr = pa.array(s, from_pandas=True, type=pa.large_string())
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):   # not all text: pandas looks at each cell
        return np.asarray([isinstance(v, str) and v.startswith(_FORMULA_START) for v in s], dtype=bool)
    return pc.fill_null(pc.match_substring_regex(arr, r"^[=+\-@\t\r]"), False).to_numpy(zero_copy_only=False)


def write_csv_safe(df: pd.DataFrame, path, *, index: bool = False) -> Path:
    """Write ``df`` as UTF-8 CSV (with BOM, so Excel shows Chinese text), formulas escaped.

    The file is written beside its target and renamed into place, so a
    reader never sees half a file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = write_csv_safe(pd.DataFrame({"store": ["=HYPERLINK(1)"]}), p)
    >>> p.read_text(encoding="utf-8-sig").splitlines()
    ['store', "'=HYPERLINK(1)"]
    """
    def write(tmp):
        safe = escape_formulas(df)
        if index or len(safe) < FAST_WRITE_ROWS or not _write_csv_fast(safe, tmp):
            safe.to_csv(tmp, index=index, encoding="utf-8-sig")
    return atomic_write(path, write)


#: Tables of at least this many rows are written by pyarrow's CSV writer when the text is identical.
FAST_WRITE_ROWS = 200_000


def _write_csv_fast(df: pd.DataFrame, tmp) -> bool:
    """pyarrow's CSV writer (about 7x pandas' on a million customers); False if its text would differ.

    Numbers (shortest round-trip text, missing as empty; floats between 1e-4 and 1e9 in size,
    where pyarrow and Python print the same digits) and text that needs no quotes are
    written exactly as ``DataFrame.to_csv`` writes them; frames with other columns (dates,
    booleans, text with commas, quotes or line breaks) are left to pandas.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    try:
        table = pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        return False
    for field, col in zip(table.schema, table.columns):
        t = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
        if pa.types.is_string(t) or pa.types.is_large_string(t):
            text = col.cast(pa.large_string()) if pa.types.is_dictionary(field.type) else col
            if pc.any(pc.match_substring_regex(text, r'[",\r\n]')).as_py():
                return False
        elif pa.types.is_floating(t):          # Python's repr: 1.0 not 1, 1e-09 not 1e-9
            size = pc.abs(pc.if_else(pc.is_finite(col), col, 1.0))
            odd = pc.and_(pc.not_equal(size, 0), pc.or_(pc.less(size, 1e-4), pc.greater_equal(size, 1e9)))
            if pc.any(odd).as_py():             # where the two switch to exponents differently
                return False
            text = pc.cast(col, pa.string())    # (no exponents in this range: 1e-4 <= |x| < 1e9)
            whole = pc.and_(pc.is_finite(col), pc.equal(col, pc.floor(col)))   # pyarrow's 3 is Python's 3.0
            text = pc.if_else(whole, pc.binary_join_element_wise(text, ".0", ""), text)
            table = table.set_column(table.schema.get_field_index(field.name), field.name, text)
        elif not (pa.types.is_integer(t) or pa.types.is_null(t)):
            return False
    header = df.head(0).to_csv(index=False)
    with open(tmp, "wb") as fh:
        fh.write(("\ufeff" + header).encode("utf-8"))
        pacsv.write_csv(table, fh, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    return True


def atomic_write(path, write) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it to ``path``: never half a file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> atomic_write(p, lambda tmp: pathlib.Path(tmp).write_text("done")).read_text()
    'done'
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def safe_filename(name, *, max_length: int = 80) -> str:
    """Turn a name from the data (a store, a segment) into a safe file name.

    Keeps letters of any script (Chinese stays Chinese), digits, ``-``,
    ``_`` and ``.``; replaces path separators, control and reserved
    characters by ``_``; never returns ``''``, ``.``/``..``, a hidden name or
    a Windows device name; caps the length in bytes-friendly characters.

    Examples
    --------
    >>> safe_filename("北京/朝阳店")
    '北京_朝阳店'
    >>> safe_filename("../../etc/passwd")
    'etc_passwd'
    >>> safe_filename("CON"), safe_filename(""), safe_filename("  A  b ")
    ('_CON', '_', 'A_b')
    """
    text = unicodedata.normalize("NFKC", str(name))
    text = _UNSAFE.sub("_", text)
    text = re.sub(r"\s+", "_", text.strip())
    text = re.sub(r"\.{2,}", "_", text)
    text = re.sub(r"_+", "_", text).strip("._ ")
    if not text:
        return "_"
    if text.split(".")[0].lower() in _RESERVED:
        text = "_" + text
    if len(text) > max_length:
        text = text[:max_length].rstrip("._ ")
    return text


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_output_dir(target, *, overwrite: bool = False, marker: str = ".crm-lessons-output"):
    """Build an output directory in a temporary place and rename it into place when complete.

    Yields the temporary directory (beside ``target``, so the final rename is
    atomic on one file system). If the block raises, the temporary directory
    is removed and ``target`` is untouched. An existing ``target`` is replaced
    only with ``overwrite=True`` and only if an earlier run of this function
    made it (it holds the ``marker`` file), so a user's folder is never
    deleted.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "report"
    >>> with atomic_output_dir(out) as tmp:
    ...     _ = (tmp / "a.txt").write_text("done")
    >>> sorted(p.name for p in out.iterdir())
    ['.crm-lessons-output', 'a.txt']
    """
    target = Path(target).absolute()
    if target.exists():
        if not overwrite:
            raise CRMInputError(
                f"argument `out`: the output directory must not exist yet; found '{target}'. "
                "Choose a new --out directory, or pass --overwrite to replace an earlier report."
            )
        if not (target.is_dir() and (target / marker).exists()):
            raise CRMInputError(
                f"argument `out`: only an earlier report directory can be overwritten; found '{target}', "
                "which was not made by crm-lessons. Choose a new --out directory."
            )
    made = [p for p in [target.parent, *target.parent.parents] if not p.exists()]
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    done = False
    try:
        yield tmp
        (tmp / marker).write_text("made by crm-lessons; safe to delete\n", encoding="utf-8")
        os.chmod(tmp, 0o777 & ~_umask())
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
            os.replace(target, old / "x")
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
        done = True
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
        if not done:  # a refused or failed run leaves no empty folders behind
            for p in made:
                with contextlib.suppress(OSError):
                    p.rmdir()
