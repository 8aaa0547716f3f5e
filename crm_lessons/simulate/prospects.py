"""Synthetic prospecting data (寻找客户) with known truth: phone-funnel leads and referral cascades.

``simulate_phone_leads`` passes each lead through a sequence of steps with known pass rates (lesson 4.2's
seven telephone steps); ``simulate_referral_cascades`` grows referral trees from seeded customers as a
branching process with known offspring means (中心开花法: a central person refers more than a random one).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import CRMInputError, check_number, check_probability
from crm_lessons.simulate._base import Simulated, rng_from

__all__ = ["simulate_phone_leads", "simulate_referral_cascades"]


def simulate_phone_leads(n_leads: int, *, rates, seed: int = 0, stages=None) -> Simulated:
    """Draw leads that pass a sequence of steps with known rates; each stops at its first failed step.

    Parameters
    ----------
    n_leads : int
        Leads entering the first step.
    rates : sequence of float
        True pass rate of each step, in order.
    seed : int, default 0
        Random seed.
    stages : sequence of str, optional
        Names of the stages a lead reaches: ``len(rates) + 1`` names, the first for "entered" and one
        after each step; default ``"entered", "step 1", ...``.

    Returns
    -------
    Simulated
        ``data``: ``lead_id``, ``stage`` (the furthest stage reached, ordered categorical) and ``status``
        ("won" for a lead that passed every step, else "lost") -- the layout
        :func:`crm_lessons.funnel.stage_win_rates` reads; ``truth``: ``rates`` (Series by step stage).

    Examples
    --------
    >>> data, truth = simulate_phone_leads(1000, rates=[0.5, 0.2], seed=1)
    >>> data["stage"].cat.categories.tolist(), int((data["status"] == "won").sum())
    (['entered', 'step 1', 'step 2'], 99)
    """
    check_number(n_leads, "n_leads", min_value=1, integer=True)
    rates = [float(r) for r in rates]
    for i, r in enumerate(rates):
        check_probability(r, f"rates[{i}]")
    stages = ["entered"] + [f"step {i + 1}" for i in range(len(rates))] if stages is None else list(stages)
    if len(stages) != len(rates) + 1:
        raise CRMInputError(f"argument `stages`: needs {len(rates) + 1} names (one for 'entered' and one per "
                            f"step); found {len(stages)}. Pass one name more than there are rates.")
    rng = rng_from(seed)
    passed = rng.random((int(n_leads), len(rates))) < np.asarray(rates)
    reached = np.cumprod(passed, axis=1).sum(axis=1)
    data = pd.DataFrame({
        "lead_id": np.arange(1, int(n_leads) + 1),
        "stage": pd.Categorical.from_codes(reached, categories=stages, ordered=True),
        "status": np.where(reached == len(rates), "won", "lost"),
    })
    return Simulated(data, {"rates": pd.Series(rates, index=stages[1:], name="rate")})


def simulate_referral_cascades(n_cascades: int, *, m: float, m_seed: float | None = None,
                               dispersion: float = 1.0, generations: int = 8, seed: int = 0,
                               max_size: int = 1_000_000) -> Simulated:
    """Grow referral trees from seeded customers: each customer refers a random number of new ones.

    Parameters
    ----------
    n_cascades : int
        Seeded customers (one tree each).
    m : float
        True mean referrals of an ordinary customer.
    m_seed : float, optional
        True mean referrals of a seeded customer (a centre of influence); default ``m``.
    dispersion : float, default 1.0
        Shape *k* of the gamma-Poisson (negative binomial) number of referrals: small *k* = a few
        advocates refer many and most refer none; variance :math:`\\mu + \\mu^2/k`.
    generations : int, default 8
        Generations grown after the seed.
    seed : int, default 0
        Random seed.
    max_size : int, default 1,000,000
        Stop growing when this many customers exist (a guard for ``m >= 1``).

    Returns
    -------
    Simulated
        ``data``: ``customer_id``, ``referred_by`` (Int64, missing for a seed), ``cascade`` and
        ``generation``; ``truth``: ``m``, ``m_seed``, ``dispersion``, ``generations`` and
        ``expected_reach`` = :math:`1 + m_0\\sum_{k<G} m^k` per cascade.

    Examples
    --------
    >>> data, truth = simulate_referral_cascades(500, m=0.4, m_seed=3.0, seed=1)
    >>> round(truth["expected_reach"], 3), round(len(data) / 500, 1)
    (5.997, 6.1)
    """
    check_number(n_cascades, "n_cascades", min_value=1, integer=True)
    check_number(m, "m", min_value=0)
    m_seed = m if m_seed is None else m_seed
    check_number(m_seed, "m_seed", min_value=0)
    check_number(dispersion, "dispersion", min_value=0, strict=True)
    check_number(generations, "generations", min_value=0, integer=True)
    rng = rng_from(seed)
    n0 = int(n_cascades)
    ids = [np.arange(1, n0 + 1)]
    parents = [np.full(n0, -1)]
    cascades = [np.arange(1, n0 + 1)]
    gens = [np.zeros(n0, dtype=int)]
    cur_ids, cur_casc, next_id, size = ids[0], cascades[0], n0 + 1, n0
    for g in range(1, int(generations) + 1):
        mean = m_seed if g == 1 else m
        if mean == 0 or cur_ids.size == 0 or size >= max_size:
            break
        kids = rng.poisson(rng.gamma(dispersion, mean / dispersion, cur_ids.size))
        total = int(kids.sum())
        if total == 0:
            break
        new = np.arange(next_id, next_id + total)
        ids.append(new)
        parents.append(np.repeat(cur_ids, kids))
        cascades.append(np.repeat(cur_casc, kids))
        gens.append(np.full(total, g))
        cur_ids, cur_casc, next_id, size = new, cascades[-1], next_id + total, size + total
    parent = np.concatenate(parents)
    data = pd.DataFrame({
        "customer_id": np.concatenate(ids),
        "referred_by": pd.array(np.where(parent < 0, 0, parent), dtype="Int64"),
        "cascade": np.concatenate(cascades),
        "generation": np.concatenate(gens),
    })
    data.loc[parent < 0, "referred_by"] = pd.NA
    reach = 1.0 + m_seed * sum(m ** k for k in range(int(generations)))
    return Simulated(data, {"m": float(m), "m_seed": float(m_seed), "dispersion": float(dispersion),
                            "generations": int(generations), "expected_reach": float(reach)})
