"""Maximum-likelihood machinery shared by the CLV models (private).

* :func:`summary_arrays` -- check and extract frequency/recency/T(/monetary)
  columns of a customer summary;
* :func:`compress` -- identical rows collapsed into one row with a weight;
* :func:`log_hyp2f1_pfaff` -- ``log 2F1(a, b; a + 1; z)`` for ``0 <= z < 1``
  without overflow, used by the Pareto/NBD likelihood.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import special

from crm_lessons.tables import SUMMARY

__all__ = ["compress", "log_hyp2f1_pfaff", "numeric_gradient", "summary_arrays", "wsum"]


def summary_arrays(summary: pd.DataFrame, cols: dict[str, str], *, arg: str = "summary") -> dict[str, np.ndarray]:
    """Float arrays of the named columns of a customer summary, checked by :data:`crm_lessons.tables.SUMMARY`.

    ``cols`` maps the keyword argument (``frequency_col``) to the column name;
    the arrays are keyed by its stem (``frequency``).

    >>> s = pd.DataFrame({"frequency": [2, 0], "recency": [30.0, 0.0], "T": [40.0, 10.0]})
    >>> summary_arrays(s, {"frequency_col": "frequency", "T_col": "T"})["T"].tolist()
    [40.0, 10.0]
    """
    frame = SUMMARY.read(summary, arg=arg, **cols)
    return {col_arg.removesuffix("_col"): frame[SUMMARY.column(col_arg.removesuffix("_col")).name].to_numpy()
            for col_arg in cols}


def compress(*arrays: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Unique rows of the stacked arrays, their counts (weights) and the inverse index.

    Hashes (``pandas.factorize``) column by column into one integer key --
    linear time, much faster than sorting rows with ``np.unique(axis=0)``.
    Rows come in order of first appearance; columns are contiguous.
    """
    arrays = [np.asarray(a, float).ravel() for a in arrays]
    codes = np.zeros(arrays[0].size, dtype=np.int64)
    for a in arrays:
        c, u = pd.factorize(a)
        codes, _ = pd.factorize(codes * len(u) + c)
    k = int(codes.max()) + 1
    first = np.empty(k, dtype=np.int64)
    first[codes[::-1]] = np.arange(codes.size - 1, -1, -1)
    counts = np.bincount(codes, minlength=k).astype(float)
    return [np.ascontiguousarray(a[first]) for a in arrays], counts, codes


def wsum(w: np.ndarray, v: np.ndarray) -> float:
    """Weighted sum without BLAS (whose threads spin on a busy machine)."""
    return float(np.sum(w * v))


def numeric_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of a scalar function."""
    g = np.empty_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def log_hyp2f1_pfaff(a, b, z):
    """``log 2F1(a, b; a + 1; z)`` for ``0 <= z < 1``, stable for large ``a`` and ``b``.

    Pfaff's transformation ``2F1(a, b; c; z) = (1 - z)^{-b} 2F1(c - a, b; c; z/(z - 1))``
    with ``c = a + 1`` leaves ``2F1(1, b; a + 1; w)`` with ``w <= 0``, a number
    in ``(0, 1]`` when ``a + 1 > b > 0``; the large factor ``(1-z)^{-b}`` is
    kept as a logarithm.
    """
    a, b, z = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float), np.asarray(z, float))
    w = z / (z - 1.0)
    return -b * np.log1p(-z) + np.log(special.hyp2f1(1.0, b, a + 1.0, w))
