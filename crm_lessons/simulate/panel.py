"""Synthetic brand-choice panel with a known switching matrix (品牌转换).

Each household makes a sequence of purchases in one category; the brand of
each purchase depends only on the brand of the previous one through a known
row-stochastic transition matrix :math:`P` (a first-order Markov chain).
Lesson 3.2 estimates :math:`P` from the panel and projects market shares.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import CRMInputError, check_number
from crm_lessons.simulate._base import Simulated, rng_from

__all__ = ["simulate_brand_panel", "DEFAULT_TRANSITION"]

#: Default brands and transition matrix (rows: from, columns: to).
DEFAULT_TRANSITION = pd.DataFrame(
    [[0.70, 0.15, 0.10, 0.05],
     [0.20, 0.60, 0.15, 0.05],
     [0.15, 0.15, 0.60, 0.10],
     [0.10, 0.10, 0.20, 0.60]],
    index=["A", "B", "C", "D"], columns=["A", "B", "C", "D"],
)


def _check_transition(transition) -> pd.DataFrame:
    P = pd.DataFrame(transition).astype(float)
    if P.shape[0] != P.shape[1] or list(P.index) != list(P.columns):
        raise CRMInputError(
            f"argument `transition`: must be a square matrix with the same brands as rows and "
            f"columns; found shape {P.shape}. Pass a DataFrame indexed and labelled by brand."
        )
    vals = P.to_numpy()
    if np.any(vals < 0) or not np.allclose(vals.sum(axis=1), 1.0, atol=1e-8):
        raise CRMInputError(
            "argument `transition`: every row must hold probabilities summing to 1; found row sums "
            f"{np.round(vals.sum(axis=1), 4).tolist()}. Divide each row by its sum."
        )
    return P


def simulate_brand_panel(n_households: int = 500, *, n_purchases: int = 12, transition=None,
                         initial=None, seed: int = 0) -> Simulated:
    """Simulate a household brand-choice panel from a known Markov chain.

    Parameters
    ----------
    n_households : int, default 500
        Number of households.
    n_purchases : int, default 12
        Purchases per household (all households are observed equally long).
    transition : DataFrame, optional
        Row-stochastic matrix, rows = brand bought last time, columns = brand
        bought now; default :data:`DEFAULT_TRANSITION`.
    initial : sequence of float, optional
        Brand shares of the first purchase; default equal shares.
    seed : int, default 0
        Random seed.

    Returns
    -------
    Simulated
        ``data``: ``customer_id, occasion`` (1, 2, ...), ``choice`` (the brand; one row per
        purchase, in order). ``truth``: ``transition`` (DataFrame),
        ``initial`` and ``steady_state`` (Series of shares).

    Raises
    ------
    CRMInputError
        If sizes are not positive whole numbers or a matrix row is not a
        probability distribution.

    Notes
    -----
    .. math::

        \\Pr(b_{t+1} = j \\mid b_t = i) = P_{ij},\\qquad
        \\pi = \\pi P,\\ \\textstyle\\sum_j \\pi_j = 1.

    Examples
    --------
    >>> panel, truth = simulate_brand_panel(3, n_purchases=2, seed=1)
    >>> panel.shape
    (6, 3)
    >>> truth["steady_state"].round(3).tolist()
    [0.347, 0.26, 0.254, 0.139]
    """
    check_number(n_households, "n_households", min_value=1, integer=True)
    check_number(n_purchases, "n_purchases", min_value=1, integer=True)
    P = _check_transition(DEFAULT_TRANSITION if transition is None else transition)
    brands = list(P.index)
    k = len(brands)
    init = np.full(k, 1.0 / k) if initial is None else np.asarray(initial, dtype=float)
    if init.shape != (k,) or np.any(init < 0) or not np.isclose(init.sum(), 1.0):
        raise CRMInputError(f"argument `initial`: must be {k} shares summing to 1; found {init.tolist()}. "
                            "Pass one share per brand of `transition`.")
    rng = rng_from(seed)
    cum = np.cumsum(P.to_numpy(), axis=1)
    cum[:, -1] = 1.0
    states = np.empty((n_households, n_purchases), dtype=int)
    states[:, 0] = rng.choice(k, size=n_households, p=init)
    for t in range(1, n_purchases):
        u = rng.random(n_households)
        states[:, t] = (u[:, None] > cum[states[:, t - 1]]).sum(axis=1)
    panel = pd.DataFrame({
        "customer_id": np.repeat(np.arange(1, n_households + 1), n_purchases),
        "occasion": np.tile(np.arange(1, n_purchases + 1), n_households),
        "choice": np.asarray(brands, dtype=object)[states.ravel()],
    })
    A = np.vstack([P.to_numpy().T - np.eye(k), np.ones(k)])
    pi = np.linalg.lstsq(A, np.r_[np.zeros(k), 1.0], rcond=None)[0]
    truth = {"transition": P, "initial": pd.Series(init, index=brands, name="share"),
             "steady_state": pd.Series(pi, index=brands, name="share")}
    return Simulated(panel, truth)
