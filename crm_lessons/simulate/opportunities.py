"""Synthetic sales opportunities moving through a funnel with known stage win rates (销售漏斗).

Seed 002's sales funnel (销售漏斗) has six stages, each with the chance that
an opportunity standing there is eventually won (赢率): lead 5%, opportunity
10%, proposal 20%, evaluation 30%, negotiation 50%, contract 80%. Here every
opportunity starts as a lead and moves up one stage at a time; the chance of
moving from stage *k* to *k + 1* is ``w[k] / w[k + 1]``, so that the win rate
from each stage is exactly ``w[k]``. Time spent in each stage is exponential
with a stated mean, so open and closed opportunities both appear at the
snapshot date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import CRMInputError, check_number
from crm_lessons.simulate._base import Simulated, rng_from

__all__ = ["FUNNEL_STAGES", "simulate_opportunities"]

#: (stage, Chinese name, win rate from this stage) as in seed 002.
FUNNEL_STAGES = (
    ("lead", "潜在客户", 0.05),
    ("opportunity", "销售机会", 0.10),
    ("proposal", "方案建议", 0.20),
    ("evaluation", "评估", 0.30),
    ("negotiation", "谈判", 0.50),
    ("contract", "签约", 0.80),
)


def simulate_opportunities(n_opportunities: int, *, seed: int = 0, win_rates=None,
                           days_in_stage=(10.0, 14.0, 14.0, 21.0, 14.0, 10.0),
                           start: str = "2024-01-01", span_days: int = 365,
                           snapshot_days: int = 365, mean_amount: float = 50_000.0,
                           amount_sd_log: float = 0.8) -> Simulated:
    """Draw opportunities that move through the funnel stages with known win rates.

    Parameters
    ----------
    n_opportunities : int
        Number of opportunities (leads) created.
    seed : int, default 0
        Random seed.
    win_rates : sequence of 6 floats, optional
        Win rate from each stage, increasing, the last < 1; default seed 002's
        (0.05, 0.10, 0.20, 0.30, 0.50, 0.80).
    days_in_stage : sequence of 6 floats
        Mean days an opportunity spends in each stage before it moves on or is
        closed (exponential).
    start : str, default "2024-01-01"
        First creation date; creations are uniform over ``span_days``.
    snapshot_days : int, default 365
        Days after ``start`` at which the pipeline is observed; opportunities
        not closed by then are ``open`` at the stage they stand in.
    mean_amount, amount_sd_log : float
        Deal size: lognormal with this mean and log standard deviation.

    Returns
    -------
    Simulated
        ``data``: one row per opportunity with ``opportunity_id``, ``created``,
        ``amount``, ``stage`` (ordered categorical: the furthest stage reached
        by the snapshot), ``status`` ("won", "lost", "open"), ``closed``
        (date or NaT) and ``days_open``. ``truth``: ``win_rates`` and
        ``advance_probs`` (Series by stage), ``days_in_stage``, ``mean_amount``,
        ``snapshot``.

    Notes
    -----
    With win rates :math:`w_1 < \\dots < w_K`, an opportunity at stage *k* moves
    on with probability :math:`a_k = w_k / w_{k+1}` (:math:`k < K`) and is won
    from the last stage with probability :math:`w_K`, so
    :math:`P(\\text{won} \\mid \\text{reached } k) = \\prod_{j \\ge k} a_j \\cdot w_K = w_k`.

    Examples
    --------
    >>> sim = simulate_opportunities(2000, seed=1)
    >>> bool(sim.data["status"].value_counts().reindex(["won", "lost", "open"]).gt(0).all())
    True
    >>> float(sim.truth["advance_probs"]["lead"])
    0.5
    """
    check_number(n_opportunities, "n_opportunities", min_value=1, integer=True)
    stages = [s for s, _, _ in FUNNEL_STAGES]
    w = np.asarray([r for _, _, r in FUNNEL_STAGES] if win_rates is None else win_rates, dtype=float)
    days = np.asarray(days_in_stage, dtype=float)
    if w.shape != (len(stages),) or days.shape != (len(stages),):
        raise CRMInputError(f"arguments `win_rates` and `days_in_stage`: need {len(stages)} numbers each, "
                            f"one per stage {stages}; found {len(w)} and {len(days)}.")
    if not (np.all(np.diff(w) > 0) and w[0] > 0 and w[-1] < 1):
        raise CRMInputError(f"argument `win_rates`: must increase from stage to stage, between 0 and 1; "
                            f"found {w.tolist()}. A later stage is closer to a contract, so its win rate is higher.")
    check_number(mean_amount, "mean_amount", min_value=0, strict=True)
    rng = rng_from(seed)
    n, K = int(n_opportunities), len(stages)
    advance = np.append(w[:-1] / w[1:], w[-1])  # last entry: P(won | contract stage)

    # furthest stage reached (0-based) and whether the deal is won, ignoring the snapshot
    moves = rng.random((n, K)) < advance
    furthest = np.minimum(np.argmin(np.append(moves, np.zeros((n, 1), bool), axis=1), axis=1), K - 1)
    won = moves.all(axis=1)
    durations = rng.exponential(days, size=(n, K))
    created = rng.uniform(0, span_days, n)
    # entry day of each stage, and the day the deal closes (leaves its furthest stage)
    entry = created[:, None] + np.concatenate([np.zeros((n, 1)), np.cumsum(durations, axis=1)[:, :-1]], axis=1)
    close_day = entry[np.arange(n), furthest] + durations[np.arange(n), furthest]
    # at the snapshot an opportunity stands in the last stage it had entered
    entered = (entry <= snapshot_days) & (np.arange(K) <= furthest[:, None])
    stage_now = entered.sum(axis=1) - 1
    is_open = close_day > snapshot_days
    keep = created <= snapshot_days
    t0 = pd.Timestamp(start)
    status = np.where(is_open, "open", np.where(won, "won", "lost"))
    amount = rng.lognormal(np.log(mean_amount) - amount_sd_log ** 2 / 2, amount_sd_log, n)
    data = pd.DataFrame({
        "opportunity_id": np.arange(1, n + 1),
        "created": t0 + pd.to_timedelta(np.floor(created), unit="D"),
        "amount": np.round(amount, -2),
        "stage": pd.Categorical.from_codes(stage_now, categories=stages, ordered=True),
        "status": status,
        "closed": pd.to_datetime(np.where(is_open, pd.NaT, t0 + pd.to_timedelta(np.floor(close_day), unit="D"))),
        "days_open": np.floor(np.where(is_open, snapshot_days, close_day) - created).astype(int),
    })[keep].reset_index(drop=True)
    truth = {
        "win_rates": pd.Series(w, index=stages, name="win_rate"),
        "advance_probs": pd.Series(advance[:-1], index=stages[:-1], name="advance_prob"),
        "days_in_stage": pd.Series(days, index=stages, name="mean_days"),
        "mean_amount": float(mean_amount),
        "snapshot": t0 + pd.Timedelta(days=snapshot_days),
    }
    return Simulated(data, truth)
