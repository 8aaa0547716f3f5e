"""The return type shared by all generators."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from crm_lessons._validation import check_seed

__all__ = ["Simulated", "rng_from"]


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