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

__all__ = ["customer_codes", "distinct_pairs", "periods_per_customer"]


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
    """
    ids = ids if isinstance(ids, pd.Series) else pd.Series(ids)
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


def distinct_pairs(code: np.ndarray, period: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """The distinct (code, period) pairs, sorted by code then period, as one sorted key.

    Returns ``(key, code_of_key, span)`` with ``key = code * span + (period - min)``.

    >>> key, c, span = distinct_pairs(np.array([1, 0, 1, 1]), np.array([5, 3, 5, 4]))
    >>> key.tolist(), c.tolist(), span
    ([0, 4, 5], [0, 1, 1], 3)
    """
    p0 = int(period.min())
    span = int(period.max()) - p0 + 1
    key = code.astype(np.int64) * span + (period.astype(np.int64) - p0)
    key.sort()                                      # a value sort (SIMD), not an argsort
    new = np.empty(key.size, dtype=bool)
    new[:1] = True
    np.not_equal(key[1:], key[:-1], out=new[1:])
    key = key[new]
    return key, key // span, span


def periods_per_customer(code: np.ndarray, period: np.ndarray, amount: np.ndarray | None = None,
                         n_codes: int | None = None) -> dict:
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
    key, c, span = distinct_pairs(code, period)
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
    if amount is not None:
        amount = np.asarray(amount, dtype=float)
        total = np.bincount(code, weights=amount, minlength=n_codes)
        first_of = np.zeros(n_codes, dtype=np.int64)
        first_of[present] = first
        in_first = period == first_of[code]
        first_value = np.bincount(code, weights=np.where(in_first, amount, 0.0), minlength=n_codes)
        out["total"] = total[present]
        out["first_value"] = first_value[present]
    return out
