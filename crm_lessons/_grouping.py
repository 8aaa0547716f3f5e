"""Per-customer aggregation of a transaction log on integer codes, without hashing or argsort.

The customer summary, the RFM table and the cohort matrix all need, per
customer, the distinct purchase periods (days, weeks, months) with their first
and last period and the money spent. Done with pandas ``groupby`` or
``np.unique`` that is a hash table or an ``argsort`` of every row; here it is

* customers as integer codes: compact integer ids are used as they are
  (``id - min``, no hashing); other ids are factorised once;
* one **value sort** of a single ``int64`` key ``code * span + period`` (NumPy's
  SIMD sort, several times faster than an ``argsort`` that carries the rows
  along), from which the distinct (customer, period) pairs, the number of
  periods and the first and last period of each customer follow by comparing
  neighbours;
* money by ``np.bincount`` with weights, in row order (no sort at all): the total
  per customer, and the total of the first period (the rows whose period is the
  customer's first).

Sums are taken in row order, so they can differ from a sorted sum in the last
bit (relative 1e-16).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["customer_codes", "customer_offsets", "customer_slots", "day_numbers", "month_numbers", "distinct_pairs", "periods_per_customer", "count_worse"]


def customer_codes(ids) -> tuple[np.ndarray, np.ndarray | pd.Index]:
    """Integer code of each row's customer (0..k-1 in sorted order of the ids) and the k ids.

    Compact integer ids (range at most four times the number of rows) need no
    hashing: a presence map and its cumulative sum give the codes. Other ids
    are factorised once (a hash table) and the distinct ids sorted.

    Examples
    --------
    >>> codes, ids = customer_codes(pd.Series([30, 10, 30, 20]))
    >>> codes.tolist(), ids.tolist()
    ([2, 0, 2, 1], [10, 20, 30])
    >>> codes, ids = customer_codes(pd.Series(["b", "a", "b"]))
    >>> codes.tolist(), list(ids)
    ([1, 0, 1], ['a', 'b'])
    >>> codes, ids = customer_codes(pd.Series(pd.Categorical(["c", "a", "c"], categories=["c", "b", "a"])))
    >>> codes.tolist(), list(ids)
    ([1, 0, 1], ['a', 'c'])
    """
    ids = ids if isinstance(ids, pd.Series) else pd.Series(ids)
    if isinstance(ids.dtype, pd.CategoricalDtype) and len(ids) and ids.cat.codes.min() >= 0:
        return _category_codes(ids)
    if pd.api.types.is_integer_dtype(ids) and not pd.api.types.is_bool_dtype(ids) and len(ids):
        v = ids.to_numpy(dtype=np.int64)
        lo, hi = int(v.min()), int(v.max())
        if hi - lo <= 4 * v.size:
            present = np.zeros(hi - lo + 1, dtype=bool)
            present[v - lo] = True
            rank = np.cumsum(present, dtype=np.int64) - 1
            return rank[v - lo], np.flatnonzero(present) + lo
    codes, uniques = pd.factorize(ids)
    try:
        sorter = uniques.argsort()
    except TypeError:                               # ids of mixed types: keep first-seen order
        sorter = np.arange(len(uniques))
    rank = np.empty(len(uniques), dtype=np.int64)
    rank[sorter] = np.arange(len(uniques))
    return rank[codes], uniques[sorter]


def _category_codes(ids: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """:func:`customer_codes` of a categorical without missing values: its codes, no hashing of text.

    The categories are ranked in sorted order of their values (already so when
    read by :mod:`crm_lessons.io`) and unused ones dropped.
    """
    cats = ids.cat.categories
    code = ids.cat.codes.to_numpy().astype(np.int64)
    if not cats.is_monotonic_increasing:
        sorter = cats.argsort()
        pos = np.empty(len(cats), dtype=np.int64)
        pos[sorter] = np.arange(len(cats))
        code = pos[code]
        cats = cats[sorter]
    present = np.zeros(len(cats), dtype=bool)
    present[code] = True
    if present.all():
        return code, cats
    return (np.cumsum(present, dtype=np.int64) - 1)[code], cats[present]


def customer_offsets(ids) -> tuple[np.ndarray, int, int] | None:
    """``(id - min, min, max - min + 1)`` for compact integer ids (no hashing, no look-up), else None.

    Offsets are codes with gaps: a customer's offset is its id minus the
    smallest id, so the per-customer work needs no gather through a code
    table; :func:`periods_per_customer` reports the offsets present, and the
    ids are ``offset + min``. Compact means a range of at most four times the
    number of rows (``None`` otherwise: use :func:`customer_codes`).

    >>> off, lo, n = customer_offsets(pd.Series([13, 10, 13, 11]))
    >>> off.tolist(), lo, n
    ([3, 0, 3, 1], 10, 4)
    >>> customer_offsets(pd.Series(["b", "a"])) is None
    True
    """
    ids = ids if isinstance(ids, pd.Series) else pd.Series(ids)
    if not (pd.api.types.is_integer_dtype(ids) and not pd.api.types.is_bool_dtype(ids) and len(ids)):
        return None
    v = ids.to_numpy()
    lo, hi = int(v.min()), int(v.max())
    if hi - lo > 4 * v.size:
        return None
    off = v.astype(np.int64)                        # a copy (or the conversion) we may change in place
    if np.shares_memory(off, v):
        off = off.copy()
    off -= lo
    return off, lo, hi - lo + 1


_PER_DAY = {"ns": 86_400 * 10 ** 9, "us": 86_400 * 10 ** 6, "ms": 86_400 * 10 ** 3, "s": 86_400}


def day_numbers(dates) -> np.ndarray:
    """Whole days since 1970-01-01 of timezone-naive datetimes without missing values (``int64``).

    One integer floor division of the stored ticks (any unit), instead of
    NumPy's calendar conversion to ``datetime64[D]``.

    >>> day_numbers(pd.Series(pd.to_datetime(["1970-01-02 23:59", "1969-12-31 01:00"]))).tolist()
    [1, -1]
    """
    values = dates.to_numpy() if isinstance(dates, (pd.Series, pd.Index)) else np.asarray(dates)
    if values.dtype.kind == "M":
        unit = np.datetime_data(values.dtype)[0]
        if unit in _PER_DAY:
            return values.view(np.int64) // _PER_DAY[unit]
    return pd.Series(dates).to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)


def month_numbers(days: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of day numbers, by a look-up table over the days' range.

    NumPy's ``datetime64[D] -> datetime64[M]`` conversion does calendar
    arithmetic on every row; the few distinct days are converted once.

    >>> month_numbers(np.array([0, 31, -1, 59])).tolist()
    [0, 1, -1, 2]
    """
    days = np.asarray(days, dtype=np.int64)
    lo, hi = int(days.min()), int(days.max())
    if hi - lo > 4 * days.size + 10_000:
        return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    lut = np.arange(lo, hi + 1).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    idx = days - lo
    return np.take(lut, idx, out=idx, mode="clip")   # in place: one array of the log's length


def customer_slots(ids) -> tuple[np.ndarray, np.ndarray | pd.Index]:
    """Like :func:`customer_codes`, but compact integer ids keep their offsets as codes (no look-up).

    Returns ``(code, ids_of_codes)``: for compact integer ids ``code = id - min``
    and ``ids_of_codes = min, min + 1, ..., max`` (slots of absent ids included,
    so ``ids_of_codes[code]`` is each row's id), else :func:`customer_codes`.
    A per-customer result over the codes present maps back with
    ``ids_of_codes[present]``.

    >>> code, ids = customer_slots(pd.Series([13, 10, 13, 11]))
    >>> code.tolist(), ids.tolist()
    ([3, 0, 3, 1], [10, 11, 12, 13])
    >>> code, ids = customer_slots(pd.Series(["b", "a", "b"]))
    >>> code.tolist(), list(ids)
    ([1, 0, 1], ['a', 'b'])
    """
    compact = customer_offsets(ids)
    if compact is None:
        return customer_codes(ids)
    off, lo, n_slots = compact
    return off, np.arange(lo, lo + n_slots, dtype=np.int64)


def count_worse(x, higher_is_better: bool = True) -> np.ndarray:
    """For each value, how many values are strictly worse (``rank(method="min") - 1``), without an argsort.

    Integers of a compact range are counted (``np.bincount`` and a cumulative
    sum). Otherwise the values become ``int64`` ordinal keys (integers as they
    are; floats with at most 6 decimals, e.g. from ``np.round(x, 6)``, as
    ``rint(x * 1e6)``) packed with the row number into
    one ``int64`` and **value**-sorted (SIMD), which is several times faster than
    ``np.argsort``; anything else is argsorted.

    >>> count_worse(np.array([3, 1, 3, 2])).tolist()
    [2, 0, 2, 1]
    >>> count_worse(np.array([3, 1, 3, 2]), higher_is_better=False).tolist()
    [0, 3, 0, 2]
    >>> count_worse(np.array([0.5, 0.25, 0.5, 7.0])).tolist()
    [1, 0, 1, 3]
    """
    x = np.asarray(x)
    n = x.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if x.dtype.kind in "iub":
        x = x.astype(np.int64, copy=False)
        lo, hi = int(x.min()), int(x.max())
        if hi - lo <= 4 * n + 1024:
            count = np.bincount(x - lo, minlength=hi - lo + 1)
            cum = np.cumsum(count)
            worse = (cum - count) if higher_is_better else (n - cum)
            return worse[x - lo]
        key = x - lo
    else:
        x = np.asarray(x, dtype=float)
        key = None
        if np.abs(x).max() * 1e6 < 2.0 ** 62:      # False for NaN too
            q = np.rint(x * 1e6)
            if np.array_equal(q / 1e6, x):          # x has at most 6 decimals: q is an exact ordinal key
                key = q.astype(np.int64)
    bits = int(n - 1).bit_length()
    if key is not None:
        key -= key.min()
    if key is not None and int(key.max()) < 2 ** (63 - bits):
        packed = key << bits
        packed |= np.arange(n, dtype=np.int64)
        packed.sort()                               # a value sort of (key, row)
        row = packed & ((1 << bits) - 1)
        packed >>= bits
        ks = packed
    else:
        row = np.argsort(x if key is None else key, kind="stable")
        ks = (x if key is None else key)[row]
    start = np.empty(n, dtype=bool)
    start[0] = True
    np.not_equal(ks[1:], ks[:-1], out=start[1:])
    starts = np.flatnonzero(start)
    run = np.cumsum(start) - 1
    worse_sorted = starts[run] if higher_is_better else n - np.append(starts[1:], n)[run]
    out = np.empty(n, dtype=np.int64)
    out[row] = worse_sorted
    return out


def distinct_pairs(code: np.ndarray, period: np.ndarray, overwrite_code: bool = False) -> tuple[np.ndarray, np.ndarray, int]:
    """The distinct (code, period) pairs, sorted by code then period, as one sorted key.

    Returns ``(key, code_of_key, span)`` with ``key = code * span + (period - min)``.

    >>> key, c, span = distinct_pairs(np.array([1, 0, 1, 1]), np.array([5, 3, 5, 4]))
    >>> key.tolist(), c.tolist(), span
    ([0, 4, 5], [0, 1, 1], 3)
    """
    p0 = int(period.min())
    span = int(period.max()) - p0 + 1
    key = code.astype(np.int64, copy=not overwrite_code)   # built in place: one array of the log's length
    key *= span
    key += period
    key -= p0
    key.sort()                                      # a value sort (SIMD), not an argsort
    new = np.empty(key.size, dtype=bool)
    new[:1] = True
    np.not_equal(key[1:], key[:-1], out=new[1:])
    key = key[new]
    return key, key // span, span


def periods_per_customer(code: np.ndarray, period: np.ndarray, amount: np.ndarray | None = None,
                         n_codes: int | None = None, first_value: bool = True,
                         overwrite_code: bool = False) -> dict:
    """Distinct periods per customer, the first and last, total spend and the first period's spend.

    Parameters
    ----------
    code : int array
        Customer code of each row (0..n_codes-1), e.g. from :func:`customer_codes`.
    period : int array
        Integer period of each row (day, week or month number).
    amount : float array, optional
        Value of each row.
    n_codes : int, optional
        Number of codes (default ``code.max() + 1``).
    first_value : bool, default True
        Also the first period's spend (one more pass over the rows).
    overwrite_code : bool, default False
        Without ``first_value``, ``code`` (``int64``) may be overwritten by the
        sort key: one array of the log's length fewer.

    Returns
    -------
    dict
        Per customer present (ascending code): ``code``, ``n_periods``,
        ``first`` and ``last`` period; with ``amount`` also ``total`` (sum of
        all rows) and ``first_value`` (sum of the rows in the first period).

    Notes
    -----
    With :math:`P_i` the set of periods of customer *i*:
    ``n_periods`` :math:`= |P_i|`, ``first`` :math:`= \\min P_i`, ``last``
    :math:`= \\max P_i`, ``total`` :math:`= \\sum_{r \\in i} a_r`,
    ``first_value`` :math:`= \\sum_{r \\in i,\\, p_r = \\min P_i} a_r`.

    Examples
    --------
    >>> out = periods_per_customer(np.array([1, 0, 1, 1]), np.array([5, 3, 5, 9]),
    ...                            np.array([1.0, 2.0, 3.0, 4.0]))
    >>> {k: v.tolist() for k, v in out.items()}  # doctest: +NORMALIZE_WHITESPACE
    {'code': [0, 1], 'n_periods': [1, 2], 'first': [3, 5], 'last': [3, 9],
     'total': [2.0, 8.0], 'first_value': [2.0, 4.0]}
    """
    n_codes = int(code.max()) + 1 if n_codes is None else int(n_codes)
    total = None
    if amount is not None:
        total = np.bincount(code, weights=np.asarray(amount, dtype=float), minlength=n_codes)
    reuse = overwrite_code and not (amount is not None and first_value) and code.dtype == np.int64
    key, c, span = distinct_pairs(code, period, overwrite_code=reuse)
    if reuse:
        code = None                                 # now the sort key
    p0 = int(period.min())
    start = np.empty(c.size, dtype=bool)
    start[:1] = True
    np.not_equal(c[1:], c[:-1], out=start[1:])
    starts = np.flatnonzero(start)
    ends = np.append(starts[1:], c.size) - 1
    present = c[starts]
    first = key[starts] - present * span + p0
    out = {"code": present, "n_periods": np.diff(np.append(starts, c.size)),
           "first": first, "last": key[ends] - present * span + p0}
    if total is not None:
        out["total"] = total[present]
    if amount is not None and first_value:
        first_of = np.zeros(n_codes, dtype=period.dtype)
        first_of[present] = first
        in_first = first_of[code] == period
        amount = np.asarray(amount, dtype=float)
        out["first_value"] = np.bincount(code[in_first], weights=amount[in_first], minlength=n_codes)[present]
    return out
