"""Hashes of exercise answers, so a visible check can confirm a demo answer without showing it.

An exercise's visible check must tell the student whether the answer is right for the demo data, yet
the student copy must not contain the answer. The check therefore compares a short hash of the
student's value with the hash of the instructor's value, computed once when the exercise was written::

    from crm_lessons.grading import answer_digest
    if (student_id, seed) == ("demo", 0):
        assert answer_digest(n_lost) == "749fc650cacb", "`n_lost` is not right for the demo data"

The function is pure Python (``hashlib`` and NumPy only), so the grader's sandbox can import it.
"""

from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["answer_digest"]


def _plain(x):
    """A float rounded to 2 decimals; a NumPy scalar as the Python scalar; anything else unchanged."""
    if isinstance(x, (float, np.floating)):
        return round(float(x), 2)
    if isinstance(x, np.generic):
        return x.item()
    return x


def answer_digest(value) -> str:
    """The first 12 hex digits of the SHA-256 of an answer's ``repr``, floats rounded to 2 decimals.

    The hash is ``sha256(repr(plain(value)))[:12]`` where ``plain`` rounds a float (Python or NumPy)
    to 2 decimals and turns any other NumPy scalar into its Python scalar; a list is hashed element
    by element in the same way. So ``np.int64(3)`` and ``3`` hash alike, as do ``0.501`` and ``0.5``,
    while ``3`` and ``3.0`` do not (an int answer must be an int). Answers that differ by less than
    0.005 may straddle a rounding boundary: compare floats of that precision with a tolerance instead.

    Parameters
    ----------
    value : int, float, str, bool, NumPy scalar, or list of these
        The answer.

    Returns
    -------
    str
        12 lowercase hex digits.

    Examples
    --------
    >>> answer_digest(3) == answer_digest(np.int64(3))
    True
    >>> answer_digest(0.501) == answer_digest(0.5), answer_digest(3) == answer_digest(3.0)
    (True, False)
    >>> answer_digest(["basic", np.str_("partnership")]) == answer_digest(["basic", "partnership"])
    True
    >>> answer_digest(42)
    '73475cb40a56'
    """
    plain = [_plain(x) for x in value] if isinstance(value, list) else _plain(value)
    return hashlib.sha256(repr(plain).encode()).hexdigest()[:12]
