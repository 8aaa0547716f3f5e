"""What the cells of a user's table mean: dates, numbers and ids as people write them (数据取值).

This module only *parses*: it turns a column of text into dates, numbers or
ids, says which cells it could not read, and returns notes of what it
converted, as ``[english, chinese]`` pairs, so that a report can say so.
Saying *where* a problem is (argument or file, column, line) and how to fix
it is the job of :mod:`crm_lessons._validation`, which calls these parsers.

Accepted because unambiguous: ``2023-01-05``, ``2023/1/5``, ``2023.1.5``,
``2023年1月5日``, ``20230105``, Excel date serial numbers (``44931``), several
of these mixed in one column, ISO times with different time zones (converted
to the zone most rows use), time slots ``2024-03-04 09:00-09:30`` (their
start); amounts with ``¥``/``￥``/``元``/``RMB`` and thousands separators
(``1,234.50``); ids ``1001.0`` (read as ``1001``). Refused: day/month order
that the column does not settle (``05/01/2023``), times without a date.

Examples
--------
>>> import pandas as pd
>>> parsed, notes = parse_dates(pd.Series(["2024-01-05", "2024年1月6日", "not a date"]))
>>> parsed.dt.strftime("%Y-%m-%d").tolist()
['2024-01-05', '2024-01-06', nan]
>>> notes[0][0]
"1 date written as '2024年1月6日' was read as 2024-01-06."
>>> parse_numbers(pd.Series(["10", "￥1,234.50", "x"]))[0].tolist()
[10.0, 1234.5, nan]
>>> parse_ids(pd.Series(["1001", "1001.0", " C7 "]))[0].tolist()
['1001', '1001', 'C7']
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
import warnings

import numpy as np
import pandas as pd

__all__ = ["NOTES_ATTR", "TOTAL_LABELS", "bad_date_fix", "column_notes", "parse_dates", "parse_ids", "parse_numbers"]

#: Key of ``attrs`` (of a parsed column or a frame) holding the notes of what was converted:
#: a list of ``[english, chinese]`` pairs.
NOTES_ATTR = "crm_notes"

#: Ids that mark a totals row of an export (合计 / Total), not a customer; compared trimmed and lower-cased.
#: The in-memory report checks (``reports._prepare``) and the engine's (``engine``) both read this one set.
TOTAL_LABELS = frozenset({"合计", "总计", "小计", "总和", "合 计", "total", "totals", "sum", "grand total", "subtotal"})

_CN_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?\s*(.*)$")
_YMD = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(\s+.*|T.*)?$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(\s+.*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{5}(\.\d+)?$")
_SLOT = re.compile(r"^(.*\d{1,2}:\d{2}(?::\d{2})?)\s*[-–~至到]\s*\d{1,2}:\d{2}(?::\d{2})?$")
_TIME_ONLY = re.compile(r"^\d{1,2}:\d{2}(:\d{2})?(\s*[-–~至到]\s*\d{1,2}:\d{2}(:\d{2})?)?$")
_TZ = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")
#: Excel's day 0 (with its 1900 leap-year bug, serials from 61 on count from here).
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")
_SERIAL_RANGE = (25569, 73051)  # 1970-01-01 .. 2099-12-31


def _note(notes: list, n: int, en: str, zh: str) -> None:
    if n:
        notes.append([en, zh])


def column_notes(name: str, notes: list[list[str]]) -> list[list[str]]:
    """The notes of one column ([English, Chinese] pairs) as a report lists them: prefixed by the column's name.

    >>> column_notes("日期", [["3 dates written as '20230105' were read as 2023-01-05.", "3 个日期……"]])[0][0]
    "Column '日期': 3 dates written as '20230105' were read as 2023-01-05."
    """
    return [[f"Column '{name}': {en}", f"列“{name}”：{zh}"] for en, zh in notes]


def _example(s: pd.Series, mask) -> str:
    return str(s[np.asarray(mask, dtype=bool)].iloc[0])


def bad_date_fix(value) -> str:
    """How to fix a cell that is not a date (the fix of :func:`crm_lessons._validation.check_dates`).

    >>> bad_date_fix("09:00")
    'The column holds times without a date: write the date with each time (e.g. 2024-03-04 09:00).'
    """
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if _TIME_ONLY.match(text):
        return "The column holds times without a date: write the date with each time (e.g. 2024-03-04 09:00)."
    if _DMY.match(text):
        return ("Day and month cannot be told apart in this column (05/01/2024: 5 January or 1 May?): write dates "
                "as YYYY-MM-DD, or pass --date-format %d/%m/%Y (day first) or --date-format %m/%d/%Y (month first).")
    return "Write dates as YYYY-MM-DD (e.g. 2024-03-31)."


def parse_dates(s: pd.Series, *, format: str | None = None,
                weights=None) -> tuple[pd.Series, list[list[str]]]:
    """Parse a column as dates (naive datetimes).

    Returns the parsed column (``NaT`` where a cell could not be read, or
    where day and month cannot be told apart) and notes of what was converted.
    ``weights`` (optional, one integer per cell): how many rows each cell stands for, when ``s``
    holds a column's distinct cells (an engine's); the notes on written formats then count rows.

    >>> parse_dates(pd.Series([44931, 44932]))[0].dt.strftime("%Y-%m-%d").tolist()
    ['2023-01-05', '2023-01-06']
    >>> parse_dates(pd.Series(["25/01/2024", "05/02/2024"]))[0].dt.strftime("%Y-%m-%d").tolist()
    ['2024-01-25', '2024-02-05']
    >>> parse_dates(pd.Series(["05/01/2024", "06/01/2024"]))[0].isna().tolist()
    [True, True]
    >>> parse_dates(pd.Series(["2023年1月5日", "2023-01-06"]), weights=[3, 5])[1][0][0]
    "3 dates written as '2023年1月5日' were read as 2023-01-05 (and so on)."
    >>> t = parse_dates(pd.Series(["2024-03-04T09:00+08:00", "2024-03-04T10:00+08:00", "2024-03-04T01:30Z"]))[0]
    >>> t.dt.strftime("%H:%M").tolist()
    ['09:00', '10:00', '09:30']
    """
    notes: list[list[str]] = []
    if pd.api.types.is_datetime64_any_dtype(s):
        if getattr(s.dt, "tz", None) is not None:
            s = s.dt.tz_localize(None)
        return s, notes
    if format is not None:
        return pd.to_datetime(s, errors="coerce", format=format), notes
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return _serials(s.astype(float), notes), notes
    try:  # the common case, fast: every cell an ISO date (2024-01-05, 2024-01-05 09:30)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fast = pd.to_datetime(s, errors="coerce", format="ISO8601")
        if pd.api.types.is_datetime64_dtype(fast) and fast.notna().all() and s.astype(str).str.len().min() >= 8:
            return fast, notes
    except (TypeError, ValueError):
        pass
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    text = s.map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v))
                 else unicodedata.normalize("NFKC", str(v)).strip())
    if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object or pd.api.types.is_string_dtype(s):
        objs = s.astype(object)
        stamps = objs.map(lambda v: isinstance(v, (pd.Timestamp, np.datetime64, _dt.date)))
        if stamps.any():  # cells Excel stored as dates
            out[stamps] = pd.to_datetime(objs[stamps].map(lambda v: pd.Timestamp(v).tz_localize(None)
                                                          if pd.Timestamp(v).tzinfo else pd.Timestamp(v)))
            text[stamps] = None
    text = text.where(text != "", None)
    iso = text.copy()
    # time slots "09:00-09:30": their start
    slot = (text.str.match(_SLOT.pattern, na=False) & ~text.str.match(_TIME_ONLY.pattern, na=False)
            & ~text.str.contains("T", regex=False, na=False))
    if slot.any():
        iso[slot] = text[slot].str.replace(_SLOT.pattern, r"\1", regex=True)
        _note(notes, int(slot.sum()), f"{int(slot.sum()):,} time slots such as '{_example(text, slot)}' were read as "
              "the start of the slot.", f"{int(slot.sum()):,} 个时段（如“{_example(text, slot)}”）按起始时间读取。")
    kinds = {}
    cn = iso.str.match(_CN_DATE.pattern, na=False)
    if cn.any():
        iso[cn] = iso[cn].str.replace(_CN_DATE.pattern, lambda m: f"{m.group(1)}-{int(m.group(2)):02d}-"
                                      f"{int(m.group(3)):02d} {m.group(4)}".strip(), regex=True)
        kinds["2024年1月5日"] = (cn, "")
    ymd = iso.str.match(_YMD.pattern, na=False) & ~cn
    if ymd.any():
        iso[ymd] = iso[ymd].str.replace(_YMD.pattern, lambda m: f"{m.group(1)}-{int(m.group(2)):02d}-"
                                        f"{int(m.group(3)):02d}{m.group(4) or ''}", regex=True)
        kinds["2024/1/5"] = (ymd, "")
    compact = iso.str.match(_COMPACT.pattern, na=False)
    if compact.any():
        iso[compact] = iso[compact].str.replace(_COMPACT.pattern, r"\1-\2-\3", regex=True)
        kinds["20240105"] = (compact, "")
    dmy = iso.str.match(_DMY.pattern, na=False)
    if dmy.any():
        parts = iso[dmy].str.extract(_DMY.pattern)
        first, second = parts[0].astype(int), parts[1].astype(int)
        day_first, month_first = bool((first > 12).any()), bool((second > 12).any())
        if day_first != month_first:  # the column settles the order
            d, m = (first, second) if day_first else (second, first)
            year = parts[2].map(lambda y: y if len(y) == 4 else f"20{y}")
            iso[dmy] = (year + "-" + m.map("{:02d}".format) + "-" + d.map("{:02d}".format)
                        + parts[3].fillna(""))
            kinds["25/01/2024 (day first)" if day_first else "01/25/2024 (month first)"] = (dmy, "")
        else:  # ambiguous (or contradictory): refused, with the fix of bad_date_fix
            iso[dmy] = None
            text = text.where(~dmy, text)
    serial = iso.str.match(_SERIAL.pattern, na=False)
    if serial.any():
        out[serial] = _serials(iso[serial].astype(float), notes)
        iso[serial] = None
    # what is left must be a full ISO date (a year or a month alone is not a day)
    todo = iso.notna() & out.isna() & iso.str.match(r"^\d{4}-\d{2}-\d{2}", na=False)
    if todo.any():
        vals = iso[todo]
        zoned = vals.str.contains(r"(?:Z|[+-]\d{2}:?\d{2})$", regex=True, na=False)
        if zoned.any():
            utc = pd.to_datetime(vals[zoned], errors="coerce", utc=True, format="ISO8601")
            offsets = vals[zoned].str.extract(_TZ.pattern)[0].str.replace("Z", "+00:00")
            offsets = offsets.str.replace(r"^([+-]\d{2})(\d{2})$", r"\1:\2", regex=True)
            local = offsets.mode().iloc[0]
            hours, minutes = int(local[:3]), int(local[0] + local[4:6])
            out[vals[zoned].index] = (utc.dt.tz_localize(None) + pd.Timedelta(hours=hours, minutes=minutes))
            other = int((offsets != local).sum())
            if other:
                _note(notes, other, f"{other:,} time{'s' if other > 1 else ''} in another time zone (e.g. "
                      f"'{vals[zoned][offsets != local].iloc[0]}') {'were' if other > 1 else 'was'} converted to "
                      f"UTC{local}, the zone of most rows.",
                      f"{other:,} 个其他时区的时间（如“{vals[zoned][offsets != local].iloc[0]}”）已换算为多数行所用的 "
                      f"UTC{local}。")
            vals = vals[~zoned]
        out[vals.index] = pd.to_datetime(vals, errors="coerce", format="ISO8601")
        plain = pd.Series(s.index.isin(vals.index[out[vals.index].notna()]), index=s.index)
        for mask, _ in kinds.values():
            plain &= ~mask
        if plain.any():
            kinds["2024-01-05"] = (plain, "")
    for label, (mask, _) in kinds.items():
        mask = mask & out.notna()
        k = int(mask.sum()) if weights is None else int(np.asarray(weights)[mask.to_numpy()].sum())
        if label != "2024-01-05" and k:
            ex = _example(text, mask)
            read = str(out[mask].iloc[0].date())
            _note(notes, k, f"{k:,} date{'s' if k > 1 else ''} written as '{ex}' {'were' if k > 1 else 'was'} "
                  f"read as {read}" + (" (and so on)." if k > 1 else "."),
                  f"{k:,} 个写作“{ex}”的日期按 {read} 读取" + ("（其余类推）。" if k > 1 else "。"))
    used = [k for k, (m, _) in kinds.items() if (m & out.notna()).any()] + (["Excel"] if serial.any() else [])
    if len(used) > 1:
        notes.append([f"The column mixes {len(used)} date formats; each was read as year-month-day.",
                      f"该列混用了 {len(used)} 种日期格式，均按年-月-日读取。"])
    return out, notes


def _serials(x: pd.Series, notes: list) -> pd.Series:
    """Excel date serial numbers (days since 1899-12-30) as dates; others NaT."""
    ok = x.between(*_SERIAL_RANGE)
    out = pd.Series(pd.NaT, index=x.index, dtype="datetime64[ns]")
    out[ok] = _EXCEL_EPOCH + pd.to_timedelta(x[ok].round(6), unit="D")
    k = int(ok.sum())
    if k:
        ex = x[ok].iloc[0]
        notes.append([f"{k:,} Excel date serial number{'s' if k > 1 else ''} (e.g. {ex:g}) "
                      f"{'were' if k > 1 else 'was'} read as date{'s' if k > 1 else ''} ({out[ok].iloc[0].date()}).",
                      f"{k:,} 个 Excel 日期序号（如 {ex:g}）按日期读取（{out[ok].iloc[0].date()}）。"])
    return out


_MONEY = re.compile(r"^(?:¥|\$|RMB|CNY|人民币)?\s*([+-]?\d{1,3}(?:,\d{3})+|[+-]?\d+)(\.\d+)?\s*(?:元|RMB|CNY)?$",
                    re.IGNORECASE)


def parse_numbers(s: pd.Series, *, weights=None) -> tuple[pd.Series, list[list[str]]]:
    """Parse a column as numbers (floats), ``NaN`` where a cell could not be read.

    Currency signs (¥ ￥ $ RMB CNY 元 人民币) and thousands separators are removed
    and noted; full-width digits are read as digits. ``weights`` (optional, one
    integer per cell): how many rows each cell stands for (an engine's count); the note counts rows.

    >>> parse_numbers(pd.Series([1, 2]))[0].dtype
    dtype('float64')
    >>> parse_numbers(pd.Series(["1,234元", "1.234,5"]))[0].tolist()
    [1234.0, nan]
    >>> parse_numbers(pd.Series(["12", "¥1,234.50"]), weights=[3, 7])[1][0][0][:45]
    '7 numbers written with a currency sign, thous'
    """
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.astype(float), []
    num = pd.to_numeric(s, errors="coerce").astype(float)
    rest = num.isna() & s.notna()
    notes: list[list[str]] = []
    if rest.any():
        raw = s[rest].astype(str)
        text = raw.map(lambda v: unicodedata.normalize("NFKC", v).strip())
        m = text.str.extract(_MONEY)
        good = m[0].notna()
        if good.any():
            values = (m.loc[good, 0].str.replace(",", "") + m.loc[good, 1].fillna("")).astype(float)
            num[values.index] = values
            k = int(good.sum()) if weights is None else int(np.asarray(weights)[rest.to_numpy()][good.to_numpy()].sum())
            ex = raw[good].iloc[0]
            notes.append([f"{k:,} number{'s' if k > 1 else ''} written with a currency sign, thousands separators or "
                          f"full-width digits (e.g. '{ex}') "
                          + ("were read as plain numbers" if k > 1 else "was read as a plain number")
                          + f" ({values.iloc[0]:g}).",
                          f"{k:,} 个带货币符号、千分位或全角数字的数值（如“{ex}”）按数值读取（{values.iloc[0]:g}）。"])
    return num, notes


def parse_ids(s: pd.Series) -> tuple[pd.Series, list[list[str]]]:
    """Ids as text: spaces trimmed, full-width characters made plain, ``1001.0`` read as ``1001``.

    Ids that become one after this (``1001`` and ``1001.0``) are one customer; a note says so.

    >>> ids, notes = parse_ids(pd.Series(["1001", "1001.0", "1002"]))
    >>> notes[0][0]
    "2 different ways of writing one id (e.g. '1001.0' and '1001') were read as one: 1 id affected."
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        return _parse_categorical_ids(s)
    raw = s.map(_id_text)
    ids = raw.map(_clean_id)
    notes = _merged_ids_note(pd.DataFrame({"raw": raw, "id": ids}).dropna().drop_duplicates())
    return ids, notes


def _id_text(v):
    return v if v is None or (isinstance(v, float) and np.isnan(v)) else (
        str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))


def _clean_id(v):
    return v if not isinstance(v, str) else re.sub(r"^(\d+)\.0+$", r"\1", unicodedata.normalize("NFKC", v).strip())


def _parse_categorical_ids(s: pd.Series) -> tuple[pd.Series, list[list[str]]]:
    """:func:`parse_ids` on a categorical column (ids read as dictionary codes): the work is done once per
    distinct id; the result is categorical with the clean ids as categories, in sorted order."""
    cats = pd.Series(s.cat.categories)
    raw = cats.map(_id_text) if cats.dtype != object else cats
    plain = _plain_ids(raw)                   # printable ASCII, not 1001.0: nothing to clean
    if plain.all() and s.cat.categories.is_monotonic_increasing:
        return s, []
    clean = raw.copy()
    if not plain.all():
        clean[~plain] = raw[~plain].map(_clean_id).astype(str)
    notes = _merged_ids_note(pd.DataFrame({"raw": raw, "id": clean}).drop_duplicates()) if not plain.all() else []
    new_codes, uniques = pd.factorize(clean.to_numpy(dtype=object))
    try:
        order = np.argsort(uniques.astype(str), kind="stable")
    except TypeError:  # pragma: no cover - categories are text
        order = np.arange(len(uniques))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    codes = s.cat.codes.to_numpy()
    mapped = np.where(codes >= 0, rank[new_codes][np.maximum(codes, 0)], -1)
    ids = pd.Series(pd.Categorical.from_codes(mapped, categories=pd.Index(uniques[order], dtype=object)),
                    index=s.index, name=s.name)
    return ids, notes


def _plain_ids(raw: pd.Series) -> pd.Series:
    """Ids in printable ASCII without spaces and not of the form ``1001.0``: cleaning leaves them as they are."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc

        arr = pa.array(raw.to_numpy(dtype=object), type=pa.string())
        ok = pc.and_(pc.match_substring_regex(arr, r"^[!-~]+$"), pc.invert(pc.match_substring_regex(arr, r"^\d+\.0+$")))
        return pd.Series(ok.fill_null(False).to_numpy(zero_copy_only=False), index=raw.index)
    except (ImportError, TypeError, ValueError):  # pragma: no cover - pyarrow is a dependency
        return raw.str.fullmatch(r"[!-~]+").fillna(False) & ~raw.str.fullmatch(r"\d+\.0+").fillna(False)


def _merged_ids_note(pairs: pd.DataFrame) -> list[list[str]]:
    notes: list[list[str]] = []
    spread = pairs.groupby("id")["raw"].nunique()
    merged = spread[spread > 1]
    if len(merged):
        forms = pairs[pairs["id"] == merged.index[0]]["raw"].tolist()
        ex = sorted(forms, key=len, reverse=True)
        k = int(merged.sum())
        notes.append([f"{k:,} different ways of writing one id (e.g. '{ex[0]}' and '{ex[1]}') were read as one: "
                      f"{len(merged):,} id{'s' if len(merged) > 1 else ''} affected.",
                      f"{k:,} 种同一编号的不同写法（如“{ex[0]}”和“{ex[1]}”）合并为一个编号：涉及 {len(merged):,} 个编号。"])
    return notes
