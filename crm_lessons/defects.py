"""Defects a customer meets (缺陷): "our 1% error is the customer's 100% loss" as a probability.

Longfor's customer creed (the real-estate slides): 我们1%的失误,对于客户而言就是100%的损失. A home
has many items (doors, windows, pipes, tiles, sockets...). If each item is
defective with probability :math:`p`, independently, an owner whose home has
:math:`k` items meets at least one defect with probability

.. math::

    P(\\text{at least one}) = 1 - (1 - p)^k,

and with item rates :math:`p_1, \\dots, p_k`, :math:`1 - \\prod_j (1 - p_j)`.
A firm that counts its error rate per item sees 1%; each owner who meets the
defect sees his one home spoiled, and with :math:`k = 200` items 87% of owners
meet at least one.

Examples
--------
>>> round(p_meets_defect(0.01, 200), 3)
0.866
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import CRMInputError, check_number, check_probability
from crm_lessons.simulate._base import rng_from

__all__ = ["p_meets_defect", "max_item_rate", "simulate_defects"]


def _rates(p, k):
    rates = np.asarray(p, dtype=float)
    if rates.ndim == 0:
        check_probability(float(rates), "p")
        check_number(k, "k", min_value=0, integer=True)
        return np.full(int(k), float(rates))
    rates = rates.ravel()
    if k is not None and int(k) != rates.size:
        raise CRMInputError(f"argument `k`: with one rate per item, k must equal the number of rates "
                            f"({rates.size}); found {k}. Leave k out or pass a single rate p.")
    if not np.all((rates >= 0) & (rates <= 1)):
        raise CRMInputError(f"argument `p`: item defect rates must be probabilities in [0, 1]; found "
                            f"{rates[~((rates >= 0) & (rates <= 1))][:3].tolist()}. Pass shares, e.g. 0.01 for 1%.")
    return rates


def p_meets_defect(p, k: int | None = None) -> float:
    """Probability that an owner meets at least one defect among ``k`` items.

    Parameters
    ----------
    p : float or array-like
        Defect rate of each item: one rate for all ``k`` items, or one rate per item.
    k : int, optional
        Items per home; needed with a single rate.

    Returns
    -------
    float
        :math:`1 - \\prod_{j=1}^{k} (1 - p_j)`.

    Raises
    ------
    CRMInputError
        On rates outside [0, 1], a negative ``k``, or ``k`` different from the number of rates.

    Notes
    -----
    Independence of items is assumed. Computed as ``-expm1(sum(log1p(-p)))``,
    accurate for tiny rates.

    References
    ----------
    Longfor's customer creed, "1% error = 100% loss" (real-estate slides, item C101).

    Examples
    --------
    >>> round(p_meets_defect(0.01, 200), 4), round(p_meets_defect([0.5, 0.5]), 2), p_meets_defect(0.3, 0)
    (0.866, 0.75, 0.0)
    """
    rates = _rates(p, k)
    with np.errstate(divide="ignore"):
        return float(-np.expm1(np.log1p(-rates).sum()))


def max_item_rate(target: float, k: int) -> float:
    """Largest per-item defect rate that keeps P(an owner meets a defect) at or below ``target``.

    Parameters
    ----------
    target : float
        Acceptable share of owners who meet at least one defect.
    k : int
        Items per home (>= 1).

    Returns
    -------
    float
        :math:`p_{\\max} = 1 - (1 - \\text{target})^{1/k}`, about :math:`\\text{target}/k` when small.

    Examples
    --------
    >>> round(max_item_rate(0.10, 200), 6)
    0.000527
    >>> round(p_meets_defect(max_item_rate(0.10, 200), 200), 6)
    0.1
    """
    check_probability(target, "target")
    check_number(k, "k", min_value=1, integer=True)
    return float(-np.expm1(np.log1p(-float(target)) / int(k)))


def simulate_defects(n_owners: int, *, p, k: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Draw each owner's defective items: item ``j`` of every home is defective with probability ``p_j``.

    Parameters
    ----------
    n_owners : int
        Homes (owners).
    p : float or array-like
        Defect rate: one for all ``k`` items or one per item.
    k : int, optional
        Items per home, with a single rate.
    seed : int, default 0

    Returns
    -------
    DataFrame
        One row per owner: ``owner_id``, ``defects`` (number of defective
        items), ``any_defect`` (bool). ``attrs["p_meets_defect"]`` holds the
        true probability.

    Examples
    --------
    >>> homes = simulate_defects(20000, p=0.01, k=200, seed=1)
    >>> bool(abs(homes["any_defect"].mean() - homes.attrs["p_meets_defect"]) < 0.01)
    True
    >>> round(float(homes["defects"].mean()), 1)    # k p = 2 defects per home on average
    2.0
    """
    check_number(n_owners, "n_owners", min_value=1, integer=True)
    rates = _rates(p, k)
    rng = rng_from(seed)
    n = int(n_owners)
    if np.all(rates == rates[0]) if rates.size else True:
        defects = rng.binomial(rates.size, rates[0] if rates.size else 0.0, n)
    else:
        defects = (rng.random((n, rates.size)) < rates).sum(axis=1)
    out = pd.DataFrame({"owner_id": np.arange(1, n + 1), "defects": defects.astype(int)})
    out["any_defect"] = out["defects"] > 0
    out.attrs["p_meets_defect"] = p_meets_defect(rates)
    return out
