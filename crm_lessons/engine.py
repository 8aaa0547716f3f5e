"""Out-of-core and distributed customer summaries: one set of Ibis expressions for DuckDB and Spark (计算引擎).

The in-memory reports read the whole transaction log into pandas; past the
machine's memory that fails. This module pushes every per-transaction step --
reading, checking, the per-customer aggregation -- into an engine, and brings
back only what grows with the number of *customers* (or less):

* the per-customer table ``customer_id, recency, frequency, monetary`` (RFM in
  days) and the model summary ``x, t_x, T, monetary_value`` (weeks);
* the distinct ``(x, t_x, T)`` triples with their customer counts, on which
  the BG/NBD model is fitted (a weighted fit, equal to the fit on every
  customer) and predicted; the predictions are joined back to the customers
  *inside the engine*, which writes the per-customer table as Parquet.

Design choice: **Ibis** (``ibis-framework`` 12) is the portable layer. One
expression per step compiles to DuckDB (embedded, out of core: it reads CSV and
Parquet files itself, spills to a temporary directory under ``SET
memory_limit``) and to Spark (``pyspark``; a cluster or local mode), and to the
other engines Ibis supports (Postgres, BigQuery, Snowflake, Trino...), so there
is no second hand-written copy of a query. Evaluated against hand-written SQL
transpiled with SQLGlot (which Ibis uses underneath): Ibis gives typed
expressions and a DataFrame-like API at the cost of about 25 MB installed; it
works with pandas 2.2 and 3.x and with pyspark 4.3. One caveat found: Ibis 12
emits SQL that SQLGlot >= 29 renders wrongly (``DROP VIEW IF EXISTS`` without a
name), so SQLGlot is kept below 29.

Inputs: a CSV or Parquet file (read by DuckDB), ``duckdb:FILE.duckdb:TABLE``
(a table of a DuckDB database), ``spark:[DB.]TABLE`` (a table or view of the
active Spark session, or of one built from ``CRM_LESSONS_SPARK_MASTER``), or
``ibis:URL#TABLE`` (any Ibis backend by URL, e.g.
``ibis:postgres://user@host/db#sales``).

Examples
--------
>>> parse_memory("2GB"), parse_memory("512MB")
(2000000000, 512000000)
>>> import pandas as pd
>>> log = pd.DataFrame({"customer_id": ["1", "1", "2"], "date": ["2024-01-01", "2024-01-11", "2024-01-05"],
...                     "amount": [10.0, 20.0, 8.0]})
>>> con = connect()
>>> t = typed_transactions(con.create_table("log", log), customer="customer_id", date="date", amount="amount")
>>> base = customer_base(t, as_of=pd.Timestamp("2024-01-20"))
>>> con.to_pandas(base.order_by("customer_id"))[["customer_id", "recency", "frequency", "monetary", "x", "T"]]
  customer_id  recency  frequency  monetary  x         T
0           1        9          2      30.0  1  2.857143
1           2       15          1       8.0  0  2.285714
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from crm_lessons._validation import CRMInputError
from crm_lessons.io import check_csv_fields
from crm_lessons.values import TOTAL_LABELS

__all__ = ["ENGINES", "SIZE_FACTOR", "EngineInput", "choose_engine", "connect", "customer_base", "customer_checks",
           "customer_rfm", "open_input", "parse_memory", "resource_problem", "triples", "typed_transactions"]

#: Values of ``--engine``.
ENGINES = ("auto", "pandas", "duckdb")
#: Memory the in-memory path needs per byte of input file (measured: a 20M-row CSV of 0.56 GB peaked at
#: 7.9 GB, a Parquet file expands about 30-fold); ``auto`` uses the engine when size x factor > memory.
SIZE_FACTOR = {".csv": 14, ".txt": 14, ".tsv": 14, ".parquet": 30}
_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
          "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}
ROW = "_crm_row"
#: The least memory given to DuckDB whatever ``--max-memory`` says (bytes).
MIN_ENGINE_MEMORY = 128 * 10**6


def parse_memory(text) -> int:
    """Bytes from a size such as ``4GB``, ``512MB``, ``2GiB`` (decimal units as DuckDB reads them).

    >>> parse_memory("1.5 GB")
    1500000000
    >>> parse_memory("lots")
    Traceback (most recent call last):
    ...
    crm_lessons._validation.CRMInputError: argument `--max-memory`: must be a size like 4GB or 512MB; found 'lots'. Pass e.g. --max-memory 4GB.
    """
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([A-Za-z]*)\s*", str(text))
    if not m or m.group(2).upper() not in _UNITS or float(m.group(1)) <= 0:
        raise CRMInputError(f"argument `--max-memory`: must be a size like 4GB or 512MB; found {text!r}. "
                            "Pass e.g. --max-memory 4GB.")
    return int(float(m.group(1)) * _UNITS[m.group(2).upper()])


def is_engine_table(source) -> bool:
    """Whether ``--input`` names an engine table (``spark:``, ``duckdb:``, ``ibis:``) rather than a file."""
    return isinstance(source, str) and source.split(":", 1)[0] in ("spark", "duckdb", "ibis") and ":" in source


def choose_engine(source, engine: str = "auto", max_memory=None) -> str:
    """``"pandas"`` or ``"duckdb"`` (``"spark"``/``"ibis"`` for an engine table) for ``--engine``.

    ``auto`` takes the engine when the file's size times :data:`SIZE_FACTOR`
    exceeds ``max_memory`` (default: the memory available now).

    >>> choose_engine("sales.csv", "pandas")
    'pandas'
    >>> choose_engine("spark:shop.sales")
    'spark'
    """
    if engine not in ENGINES:
        raise CRMInputError(f"argument `--engine`: must be one of {', '.join(ENGINES)}; found {engine!r}. "
                            "Pass e.g. --engine auto.")
    if is_engine_table(source):
        kind = str(source).split(":", 1)[0]
        return "duckdb" if kind == "duckdb" else kind
    if engine != "auto":
        return engine
    path = Path(source)
    if not path.is_file() or path.suffix.lower() not in SIZE_FACTOR:
        return "pandas"
    if max_memory is None:
        import psutil
        limit = psutil.virtual_memory().available
    else:
        limit = parse_memory(max_memory)
    return "duckdb" if path.stat().st_size * SIZE_FACTOR[path.suffix.lower()] > limit else "pandas"


def connect(*, max_memory=None, temp_directory=None, threads: int | None = None):
    """A DuckDB connection (through Ibis) limited to ``max_memory``, spilling to ``temp_directory``."""
    import warnings

    import ibis

    # Ibis 12 calls DuckDB 1.4+'s fetch_arrow_table, which warns that it is deprecated
    warnings.filterwarnings("ignore", message=".*fetch_arrow_table.*", category=DeprecationWarning)

    con = ibis.duckdb.connect()
    con.raw_sql("SET enable_progress_bar = false")  # no progress bars on the report's stderr
    if max_memory is not None:  # DuckDB needs about 100 MB to read a CSV file at all
        con.raw_sql(f"SET memory_limit = '{max(parse_memory(max_memory), MIN_ENGINE_MEMORY)}B'")
    if temp_directory is not None:
        con.raw_sql(f"SET temp_directory = '{Path(temp_directory).as_posix()}'")
    if threads:
        con.raw_sql(f"SET threads = {int(threads)}")
    return con


def resource_problem(exc: BaseException, max_memory=None, spill_folder=None) -> str | None:
    """The plain message for an engine that ran out of memory or of disk, or ``None`` for any other error.

    DuckDB keeps at most ``--max-memory`` in memory and writes the rest to a temporary folder; at 100M
    transactions under ``--max-memory 2GB`` that folder grew past 15 GB. When memory or the disk under the
    folder runs out, DuckDB raises ``OutOfMemoryException`` or an ``IOException`` ("No space left on device"):
    the analyst gets this sentence, naming the setting, the folder and its free space, and what to change,
    instead of a traceback.

    Examples
    --------
    >>> import duckdb
    >>> msg = resource_problem(duckdb.IOException("Could not write file: No space left on device"), "2GB", "/tmp")
    >>> msg.startswith("the engine (DuckDB) ran out of disk space in /tmp")
    True
    >>> resource_problem(ValueError("something else")) is None
    True
    """
    try:
        import duckdb
    except ImportError:  # pragma: no cover - duckdb is a core dependency
        return None
    import shutil
    import tempfile

    setting = f"--max-memory {max_memory}" if max_memory is not None else "the default memory limit (80% of RAM)"
    if isinstance(exc, duckdb.OutOfMemoryException):
        return (f"the engine (DuckDB) ran out of memory under {setting}: {str(exc).splitlines()[0]} Pass a "
                "larger --max-memory (for example 8GB), or close other programs. Nothing was written.")
    if isinstance(exc, duckdb.IOException) and "No space left" in str(exc):
        folder = str(spill_folder or tempfile.gettempdir())
        try:
            free = f"{shutil.disk_usage(folder).free / 1e9:.1f} GB free now"
        except OSError:
            free = "free space unknown"
        return (f"the engine (DuckDB) ran out of disk space in {folder} ({free}) while writing what did not fit "
                f"in {setting}. Free disk space there, set the TMPDIR environment variable to a folder on a "
                "larger disk, or pass a larger --max-memory (less is written to disk). Nothing was written.")
    return None


@dataclass
class EngineInput:
    """A transaction table in an engine: the backend, the raw table (with a row number) and how to name rows."""

    con: object
    table: object
    source: str          # file name for messages ('sales.csv'), or the table's name
    first_line: int | None  # file line of the first data row (CSV), None for Parquet/tables ("row k")
    kind: str            # "duckdb", "spark", "ibis"
    extra: dict = field(default_factory=dict)


def _spark_session():
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder.appName("crm-lessons")
    master = os.environ.get("CRM_LESSONS_SPARK_MASTER")
    if master:
        builder = builder.master(master)
    return builder.getOrCreate()


def open_input(source, *, con=None, max_memory=None, temp_directory=None) -> EngineInput:
    """Open ``--input`` in an engine: a CSV/Parquet file, ``duckdb:DB:TABLE``, ``spark:TABLE`` or ``ibis:URL#TABLE``.

    CSV files are read as text (every column ``VARCHAR``) so that the checks see
    the cells as written; a row number in file order is added for messages.
    """
    import ibis

    text = str(source)
    if is_engine_table(text):
        kind, rest = text.split(":", 1)
        if kind == "spark":
            try:
                session = _spark_session()
            except ImportError:
                raise CRMInputError(f"argument `--input`: a Spark table needs pyspark; found {text!r} without it. "
                                    "Install it with pip install 'crm-lessons[spark]'.") from None
            con = ibis.pyspark.connect(session)
            name = rest.split(".")
            table = con.table(name[-1], database=name[0] if len(name) > 1 else None)
        elif kind == "duckdb":
            db, _, name = rest.rpartition(":")
            if not db or not name:
                raise CRMInputError(f"argument `--input`: a DuckDB table is written duckdb:FILE.duckdb:TABLE; "
                                    f"found {text!r}. Pass e.g. --input duckdb:shop.duckdb:sales.")
            con = ibis.duckdb.connect(db, read_only=True)
            table = con.table(name)
        else:
            url, _, name = rest.partition("#")
            con = ibis.connect(url)
            table = con.table(name)
        table = table.mutate(**{ROW: ibis.row_number()})
        return EngineInput(con, table, text, None, kind)
    path = Path(text)
    if not path.is_file():
        raise CRMInputError(f"argument `--input`: file not found; found '{text}'. Check the path.")
    con = con if con is not None else connect(max_memory=max_memory, temp_directory=temp_directory)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        table = con.read_parquet(path)
        first = None
    elif suffix in (".csv", ".txt", ".tsv"):
        import duckdb

        sep = "\t" if suffix == ".tsv" else ","
        try:   # skip=0: the header is line 1 (DuckDB would skip leading lines to make a ragged file fit)
            table = con.read_csv(path, all_varchar=True, header=True, sep=sep, skip=0)
        except duckdb.Error:   # a row with more or fewer fields: the reader's message, naming its line
            check_csv_fields(path, sep=sep)
            raise
        first = 2
    else:
        raise CRMInputError(f"argument `--input`: the engine reads CSV and Parquet files; found '{path.name}'. "
                            "Save the table as CSV or Parquet, or pass --engine pandas.")
    table = table.mutate(**{ROW: ibis.row_number()})
    return EngineInput(con, table, path.name, first, "duckdb")


def _plain_text(s):
    """``s`` (text) with full-width ASCII, the ideographic space and ￥ made plain (NFKC's effect on them), trimmed."""
    import ibis

    full = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000\uffe5"
    plain = "".join(chr(c) for c in range(0x21, 0x7F)) + " \u00a5"
    # translate costs about 7 us a cell on DuckDB: only cells with a character outside printable ASCII need it
    return ibis.cases((s.re_search(r"[^ -~]"), s.translate(full, plain)), else_=s).strip()


def _ids(col):
    """Ids as text as :func:`crm_lessons.values.parse_ids` makes them: trimmed, full-width ASCII made plain,
    ``1001.0`` read as ``1001``."""
    s = col.cast("string")
    if col.type().is_integer():  # the text of an integer needs none of the steps below
        return s
    return _plain_text(s).re_replace(r"^([0-9]+)\.0+$", r"\1")


def _dates(col):
    """Timestamps from ISO text (``YYYY-MM-DD[ HH:MM:SS]``, ``YYYY/MM/DD``), ``YYYYMMDD`` or ``2023年1月5日``;
    NULL if none."""
    import ibis

    if col.type().is_timestamp():
        return col.cast("timestamp")
    if col.type().is_date():
        return col.cast("timestamp")
    if col.type().is_integer():
        col = col.cast("string")
    s = col.cast("string").strip()
    compact = s.re_search(r"^[0-9]{8}$")
    # 2023年1月5日 [time], as crm_lessons.values.parse_dates reads it
    cn_date = r"^([0-9]{4})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*[日号]?\s*(.*)$"
    y, m, d, rest = (s.re_extract(cn_date, i) for i in (1, 2, 3, 4))
    iso = ibis.cases((compact, s.substr(0, 4) + "-" + s.substr(4, 2) + "-" + s.substr(6, 2)),
                     (s.re_search(cn_date), (y + "-" + m.lpad(2, "0") + "-" + d.lpad(2, "0") + " " + rest).strip()),
                     else_=s.replace("/", "-"))
    return iso.try_cast("timestamp")


#: ``crm_lessons.values._MONEY`` in RE2's words: a currency sign or word, thousands separators, decimals
_MONEY = r"(?i)^(?:¥|\$|RMB|CNY|人民币)?\s*([+-]?[0-9]{1,3}(?:,[0-9]{3})+|[+-]?[0-9]+)(\.[0-9]+)?\s*(?:元|RMB|CNY)?$"


def _amounts(col):
    """Numbers; text as :func:`crm_lessons.values.parse_numbers` reads it (``¥1,234.50``, ``１２３``, ``88元``)."""
    if col.type().is_numeric():
        return col.cast("float64")
    s = col.cast("string")
    number = s.strip().try_cast("float64")
    t = _plain_text(s)
    money = (t.re_extract(_MONEY, 1).replace(",", "") + t.re_extract(_MONEY, 2)).try_cast("float64")
    return number.fill_null(money)


def written_as_money(t):
    """Rows whose amount was read from text that is not a plain number (``¥1,234.50``): the reader says so.
    None when the column is not text."""
    if not t.raw_amount.type().is_string():
        return None
    return t.amount.notnull() & t.raw_amount.strip().try_cast("float64").isnull()


def typed_transactions(table, *, customer: str, date: str, amount: str, row: bool = True):
    """``customer_id`` (text), ``key``, ``ts`` (timestamp), ``day`` (date), ``amount`` (float) and the raw cells.

    One expression for every engine; cells that do not parse become NULL and
    are caught by the checks. ``key`` groups the customers: the raw column when
    it holds integers (their text is one to one with them, and integers group
    faster), else ``customer_id``. ``row=False`` leaves out the row number: a
    window over the whole table that engines do not drop when it is unused
    (about a quarter of the time of the checks on DuckDB; one partition on Spark).
    """
    import ibis

    number = {} if not row else {ROW: table[ROW] if ROW in table.columns else ibis.row_number()}
    ts = _dates(table[date])
    ids = _ids(table[customer])
    key = table[customer] if table[customer].type().is_integer() else ids
    return table.select(**number, customer_id=ids, key=key, ts=ts, day=ts.date(),
                        amount=_amounts(table[amount]), raw_customer=table[customer], raw_date=table[date],
                        raw_amount=table[amount])


def suspicious(t, *, not_after, earliest, max_amount=None, drop_zero_amounts: bool = False):
    """Rows failing any per-row check of the report's input (missing or totals-row id, bad or out-of-range date,
    non-number or non-positive amount)."""
    import ibis

    a = t.amount
    amount_bad = a.isnull() | a.isinf() | a.isnan() | (a < 0) | (a == 0 if not drop_zero_amounts else ibis.literal(False))
    if max_amount is not None:
        amount_bad = amount_bad | (a > max_amount)
    return (t.customer_id.isnull() | t.customer_id.lower().isin(sorted(TOTAL_LABELS))
            | t.ts.isnull() | (t.ts > not_after) | (t.ts < earliest) | amount_bad)


def duplicates(t, keys: list[str]):
    """Each row with the number of the first row equal to it (on ``keys``) and its rank (from 0) among equal rows."""
    import ibis

    w = ibis.window(group_by=[t[k] for k in keys], order_by=t[ROW])
    return t.mutate(_first=t[ROW].min().over(w), _k=ibis.row_number().over(w))


def written_otherwise(t):
    """Rows whose date was read from text not written as ``YYYY-MM-DD`` (``20230105``, ``2023/1/5``,
    ``2023年1月5日``): the reader says how it read them. None when the column is not text."""
    if not t.raw_date.type().is_string():
        return None
    # the fifth character, not a pattern: about 2x cheaper per row (a cell with a leading space is only looked at)
    return t.ts.notnull() & (t.raw_date.substr(4, 1) != "-")


def date_forms(t):
    """The distinct date cells of :func:`written_otherwise` rows, with their row counts ``n`` and first row
    ``first``, in file order; and one plain ``YYYY-MM-DD`` cell (if any) with the count of such rows: the
    input of :func:`crm_lessons.values.parse_dates` with ``weights`` for the reader's notes."""
    import ibis

    parsed = t.filter(t.ts.notnull())
    odd = written_otherwise(parsed)
    o, p = parsed.filter(odd), parsed.filter(~odd)
    cells = o.group_by(cell=o.raw_date).aggregate(n=o.count(), first=o[ROW].min().cast("int64"))
    plain = p.aggregate(cell=p.raw_date.min(), n=p.count(), first=ibis.literal(-1, "int64"))
    return cells.union(plain.filter(plain.n > 0)).order_by("first")


def customer_checks(t, *, bad=None, keep=None, after=None, zero=None, odd=None, money=None):
    """Per customer, in ONE pass over the rows: the day counts and spend the RFM and model summaries need, and
    the counts the checks need.

    Rows are grouped by (customer, day), then by customer. ``keep`` marks the
    rows that enter the summaries (default all); ``bad``, ``after`` and ``zero``
    mark rows counted in ``n_bad``, ``n_after``, ``n_zero``; ``odd`` (:func:`written_otherwise`) in ``n_odd``,
    ``money`` (:func:`written_as_money`) in ``n_money``.
    Columns: ``key``;
    ``days``, ``rows`` (all rows: ``rows > days`` means two rows share a
    customer and day, the only place a repeated row can be); ``kept`` (rows
    kept), ``frequency`` (days with a kept row), ``first``, ``last`` (their
    first and last day), ``monetary``, ``first_total`` (spend of all and of the
    first such day); ``amount_sum``, ``top`` (sum and largest amount of all
    rows), ``lo``, ``hi`` (first and last kept timestamp) and the counts.
    """
    import ibis

    flag = {"n_bad": bad, "n_after": after, "n_zero": zero, "n_odd": odd, "n_money": money}
    count = {k: t.count(where=v) if v is not None else ibis.literal(0, "int64") for k, v in flag.items()}
    d = t.group_by(["key", "day"]).aggregate(
        rows=t.count(), kept=t.count(where=keep), total=t.amount.sum(where=keep), amount_sum=t.amount.sum(),
        top=t.amount.max(), lo=t.ts.min(where=keep), hi=t.ts.max(where=keep), **count)
    has = d.kept > 0
    return d.group_by("key").aggregate(
        days=d.count(), rows=d.rows.sum(), kept=d.kept.sum(), frequency=d.count(where=has),
        first=d.day.min(where=has), last=d.day.max(where=has), monetary=d.total.sum(where=has),
        first_total=d.total.argmin(d.day, where=has), amount_sum=d.amount_sum.sum(), top=d.top.max(),
        lo=d.lo.min(), hi=d.hi.max(), **{k: d[k].sum() for k in flag})


def customer_rfm(checks, *, as_of):
    """Per customer with a kept row: RFM in days and the BG/NBD summary in weeks, up to the end of the ``as_of``
    day, from :func:`customer_checks`.

    ``recency`` = days from the last purchase day to ``as_of``; ``frequency`` =
    purchase days; ``monetary`` = total spend; ``x`` = repeat purchase days;
    ``t_x``, ``T`` = weeks from the first to the last purchase day and to the day
    after ``as_of``; ``monetary_value`` = mean spend per repeat purchase day (0
    for one-time buyers) -- the definitions of
    :func:`crm_lessons.segmentation.rfm_table` and
    :func:`crm_lessons.customer_summary.summary_from_transactions` (period ``D``).
    """
    import ibis

    g = checks.filter(checks.frequency > 0)
    end = ibis.date(pd.Timestamp(as_of).date())
    x = g.frequency - 1
    return g.select(
        customer_id=g.key.cast("string"),
        recency=end.delta(g["last"], unit="day").cast("int64"),
        frequency=g.frequency.cast("int64"), monetary=g.monetary,
        x=x.cast("int64"),
        t_x=g["last"].delta(g["first"], unit="day").cast("float64") / 7.0,
        T=(end.delta(g["first"], unit="day") + 1).cast("float64") / 7.0,
        monetary_value=ibis.cases((x > 0, (g.monetary - g.first_total) / x.cast("float64")), else_=0.0),
    )


def customer_base(t, *, as_of):
    """:func:`customer_rfm` of :func:`customer_checks` of every row: RFM and the BG/NBD summary per customer."""
    return customer_rfm(customer_checks(t), as_of=as_of)


def triples(base):
    """The distinct ``(x, t_x, T)`` of a customer base with their customer counts ``n``."""
    return base.group_by(["x", "t_x", "T"]).aggregate(n=base.count())
