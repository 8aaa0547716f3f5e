"""The return type shared by all generators."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from crm_lessons._validation import check_seed

__all__ = ["Simulated", "days_after", "rng_from"]


@dataclass(frozen=True)
class Simulated:
    """Synthetic data together with the true parameters that generated it.

    Examples
    --------
    >>> import pandas as pd
    >>> sim = Simulated(data=pd.DataFrame({"x": [1]}), truth={"mean": 1.0})
    >>> data, truth = sim   # unpacks like a tuple
    >>> truth["mean"]
    1.0
    """

    data: Any
    truth: dict = field(default_factory=dict)

    def __iter__(self):
        return iter((self.data, self.truth))


def rng_from(seed) -> np.random.Generator:
    """A NumPy generator from an integer seed (checked), so every generator seeds the same way."""
    return check_seed(seed)


def days_after(start, days) -> pd.DatetimeIndex:
    """The dates ``start + days`` for an array of (possibly fractional) day counts; a NaN or infinite day gives NaT.

    :math:`t_i = t_0 + d_i` days, exactly as ``start + pd.to_timedelta(days, unit="D")``, except that only
    the known days are converted. pandas 2.2 converts a float array by rounding its fractional parts
    before it looks at NaN, so at a NaN position it rounds whatever the memory held: depending on that
    memory it may print "RuntimeWarning: overflow encountered in multiply" (pandas 3 replaced that loop:
    pandas-dev/pandas#64438). A warning that depends on memory made a
    lesson's output differ from run to run; converting the known days only avoids it.

    Examples
    --------
    >>> import numpy as np
    >>> [str(t) for t in days_after("2024-01-01", np.array([0.0, 1.5, np.nan, np.inf]))]
    ['2024-01-01 00:00:00', '2024-01-02 12:00:00', 'NaT', 'NaT']
    """
    d = np.asarray(days, dtype=float)
    known = np.isfinite(d)
    start = pd.Timestamp(start)
    if known.all():
        return start + pd.to_timedelta(d, unit="D")
    delta = pd.to_timedelta(d[known], unit="D")
    out = np.full(d.shape, np.timedelta64("NaT"), dtype=delta.dtype)
    out[known] = delta.to_numpy()
    return start + pd.TimedeltaIndex(out)
