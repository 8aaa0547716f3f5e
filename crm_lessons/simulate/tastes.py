"""Customers who weigh the components of an offer differently (客户价值偏好).

Each customer multiplies every value and cost component of an offer by a
personal weight, lognormal with mean 1 and log-sd ``spread``: a busy customer
counts time cost double, a brand-conscious one counts image value double.
Used with :func:`crm_lessons.delivered_value.individual_choices` (lesson 2.2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import CRMInputError, check_number
from crm_lessons.simulate._base import Simulated, rng_from

__all__ = ["simulate_tastes"]

_DEFAULT = ("product_value", "service_value", "personnel_value", "image_value",
            "monetary_cost", "time_cost", "energy_cost", "psychic_cost")


def simulate_tastes(n_customers: int, *, seed: int = 0, spread: float = 0.3,
                    components=_DEFAULT) -> Simulated:
    """Draw each customer's weight on each component of delivered value.

    Parameters
    ----------
    n_customers : int
        Number of customers.
    seed : int, default 0
        Random seed.
    spread : float, default 0.3
        Log-sd of the weights (0 = everyone weighs every component at 1).
    components : sequence of str
        Component columns (default: the four values and four costs of
        :mod:`crm_lessons.delivered_value`).

    Returns
    -------
    Simulated
        ``data``: DataFrame (customers x components) of weights, mean 1;
        ``truth``: ``spread`` and ``components``.

    Examples
    --------
    >>> w, truth = simulate_tastes(1000, seed=1)
    >>> w.shape
    (1000, 8)
    >>> bool(abs(w.to_numpy().mean() - 1) < 0.02)
    True
    """
    check_number(n_customers, "n_customers", min_value=1, integer=True)
    check_number(spread, "spread", min_value=0)
    components = list(components)
    if not components:
        raise CRMInputError("argument `components`: needs at least one component name; found []. "
                            "Pass e.g. components=['product_value', 'monetary_cost'].")
    rng = rng_from(seed)
    w = np.exp(rng.normal(-spread ** 2 / 2, spread, (int(n_customers), len(components))))
    data = pd.DataFrame(w, columns=components, index=pd.RangeIndex(1, int(n_customers) + 1, name="customer_id"))
    return Simulated(data=data, truth={"spread": spread, "components": components})
