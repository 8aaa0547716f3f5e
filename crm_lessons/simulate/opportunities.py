"""Synthetic sales opportunities moving through a funnel with known stage win rates (销售漏斗).

The slides' sales funnel (销售漏斗, item C60-C61) has six selling stages, each
with the chance that an opportunity standing there is eventually won (赢率):
销售线索 (lead) 5%, 机会建立 (opportunity) 10%, 方案提供 (proposal) 20%,
方案评估 (evaluation) 30%, 商务谈判 (negotiation) 50%, 合同签定 (contract)
80%; a won deal then goes on to 项目实施 (implementation), the seventh stage,
whose "win rate" is 1 by definition. Here every opportunity starts as a lead
and moves up one stage at a time; the chance of moving from stage *k* to
*k + 1* is ``w[k] / w[k + 1]``, so that the win rate from each stage is
exactly ``w[k]``. Time spent in each stage is exponential
with a stated mean, so open and closed opportunities both appear at the
snapshot date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import CRMInputError, check_choice, check_number, check_probability
from crm_lessons.simulate._base import Simulated, days_after, rng_from

__all__ = ["BUYING_ROLES", "FUNNEL_STAGES", "SELLING_STAGES", "simulate_opportunities"]

#: (stage, the source's Chinese name, win rate from this stage), the slides' items C60-C61. The
#: seventh stage, 项目实施, follows a won contract: its win rate is 1 by definition.
FUNNEL_STAGES = (
    ("lead", "销售线索", 0.05),
    ("opportunity", "机会建立", 0.10),
    ("proposal", "方案提供", 0.20),
    ("evaluation", "方案评估", 0.30),
    ("negotiation", "商务谈判", 0.50),
    ("contract", "合同签定", 0.80),
    ("implementation", "项目实施", 1.00),
)
#: The six selling stages (those with a win rate below 1).
SELLING_STAGES = FUNNEL_STAGES[:-1]


#: The four buying roles of the slides (C65): 采购人员, 使用者, 技术/财务把关者, 决策人.
BUYING_ROLES = ("purchaser", "user", "gatekeeper", "decision_maker")


def simulate_opportunities(n_opportunities: int, *, seed: int = 0, win_rates=None,
                           days_in_stage=(10.0, 14.0, 14.0, 21.0, 14.0, 10.0),
                           start: str = "2024-01-01", span_days: int = 365,
                           snapshot_days: int = 365, mean_amount: float = 50_000.0,
                           amount_sd_log: float = 0.8, labels: str = "en", n_reps: int = 4,
                           outside_share: float = 0.0, role_effect: float = 0.1,
                           meetings_per_stage: float = 1.5) -> Simulated:
    """Draw opportunities that move through the funnel stages with known win rates.

    Parameters
    ----------
    n_opportunities : int
        Number of opportunities (leads) created.
    seed : int, default 0
        Random seed.
    win_rates : sequence of 6 floats, optional
        Win rate from each selling stage, increasing, the last < 1; default: the slides'
        (0.05, 0.10, 0.20, 0.30, 0.50, 0.80).
    days_in_stage : sequence of 6 floats
        Mean days an opportunity spends in each selling stage before it moves on or is
        closed (exponential).
    start : str, default "2024-01-01"
        First creation date; creations are uniform over ``span_days``.
    snapshot_days : int, default 365
        Days after ``start`` at which the pipeline is observed; opportunities
        not closed by then are ``open`` at the stage they stand in.
    mean_amount, amount_sd_log : float
        Deal size: lognormal with this mean and log standard deviation.
    labels : {"en", "zh"}, default "en"
        Stage names: English codes or the source's Chinese (销售线索 ... 项目实施).
    n_reps : int, default 4
        Sales reps; each opportunity belongs to one (``rep``: "R1", "R2", ...).
    outside_share : float, default 0
        Expected share of won deals that close without ever being in the funnel
        (漏斗外销售额, C62): rows with ``in_funnel`` False, won at creation.
    role_effect : float, default 0.1
        Effect of the buying roles engaged (C65): each of the four roles is
        engaged with probability 1/2, and the chance of winning from the contract
        stage is ``w_K * (1 + role_effect * (roles - 2))`` (mean ``w_K``, so the
        stage win rates stay exact).
    meetings_per_stage : float, default 1.5
        Mean meetings without an advance (进展, C66) in each stage entered; every
        stage move is one more meeting, with an advance.

    Returns
    -------
    Simulated
        ``data``: one row per opportunity with ``opportunity_id``, ``rep``,
        ``created``, ``amount``, ``stage`` (ordered categorical: the furthest
        stage reached by the snapshot; a won deal stands in 项目实施),
        ``status`` ("won", "lost", "open"), ``closed`` (date or NaT),
        ``days_open``, ``in_funnel``, ``roles_engaged`` (0-4), ``meetings`` and
        ``advances``. ``truth``: ``win_rates`` (Series over the seven stages,
        1 at 项目实施) and ``advance_probs`` (six selling stages),
        ``days_in_stage``, ``mean_amount``, ``snapshot``, ``outside_share``,
        ``role_effect``, ``meetings_per_stage``, ``final_status`` and ``final_closed`` (each opportunity's
        outcome after the snapshot, indexed by ``opportunity_id``).

    Notes
    -----
    With win rates :math:`w_1 < \\dots < w_K`, an opportunity at stage *k* moves
    on with probability :math:`a_k = w_k / w_{k+1}` (:math:`k < K`) and is won
    from the last stage with probability :math:`w_K`, so
    :math:`P(\\text{won} \\mid \\text{reached } k) = \\prod_{j \\ge k} a_j \\cdot w_K = w_k`.
    Durations do not depend on the outcome, so an opportunity that stands open
    at stage *k* at the snapshot is also won with probability :math:`w_k`.

    Examples
    --------
    >>> sim = simulate_opportunities(2000, seed=1)
    >>> bool(sim.data["status"].value_counts().reindex(["won", "lost", "open"]).gt(0).all())
    True
    >>> float(sim.truth["advance_probs"]["lead"])
    0.5
    >>> simulate_opportunities(50, labels="zh").data["stage"].cat.categories[[0, -1]].tolist()
    ['销售线索', '项目实施']
    """
    check_number(n_opportunities, "n_opportunities", min_value=1, integer=True)
    check_choice(labels, "labels", ["en", "zh"])
    check_number(n_reps, "n_reps", min_value=1, integer=True)
    check_probability(outside_share, "outside_share", allow_one=False)
    check_number(meetings_per_stage, "meetings_per_stage", min_value=0)
    selling = [s for s, _, _ in SELLING_STAGES]
    w = np.asarray([r for _, _, r in SELLING_STAGES] if win_rates is None else win_rates, dtype=float)
    days = np.asarray(days_in_stage, dtype=float)
    if w.shape != (len(selling),) or days.shape != (len(selling),):
        raise CRMInputError(f"arguments `win_rates` and `days_in_stage`: need {len(selling)} numbers each, "
                            f"one per stage {selling}; found {len(w)} and {len(days)}.")
    if not (np.all(np.diff(w) > 0) and w[0] > 0 and w[-1] < 1):
        raise CRMInputError(f"argument `win_rates`: must increase from stage to stage, between 0 and 1; "
                            f"found {w.tolist()}. A later stage is closer to a contract, so its win rate is higher.")
    if not 0 <= role_effect * 2 < 1 or w[-1] * (1 + 2 * role_effect) > 1:
        raise CRMInputError(f"argument `role_effect`: the win chance from the contract stage, "
                            f"{w[-1]:g} x (1 + 2 x role_effect), must stay <= 1; found role_effect={role_effect!r}. "
                            f"Pass a smaller value, e.g. {round((1 / w[-1] - 1) / 2, 3)}.")
    check_number(mean_amount, "mean_amount", min_value=0, strict=True)
    rng = rng_from(seed)
    n, K = int(n_opportunities), len(selling)
    advance = np.append(w[:-1] / w[1:], w[-1])  # last entry: P(won | contract stage)

    # furthest stage reached (0-based) and whether the deal is won, ignoring the snapshot
    roles = rng.binomial(4, 0.5, n)
    p = np.tile(advance, (n, 1))
    p[:, -1] = w[-1] * (1 + role_effect * (roles - 2))
    moves = rng.random((n, K)) < p
    furthest = np.minimum(np.argmin(np.append(moves, np.zeros((n, 1), bool), axis=1), axis=1), K - 1)
    won = moves.all(axis=1)
    durations = rng.exponential(days, size=(n, K))
    created = rng.uniform(0, span_days, n)
    # entry day of each stage, and the day the deal closes (leaves its furthest stage)
    entry = created[:, None] + np.concatenate([np.zeros((n, 1)), np.cumsum(durations, axis=1)[:, :-1]], axis=1)
    close_day = entry[np.arange(n), furthest] + durations[np.arange(n), furthest]
    # at the snapshot an opportunity stands in the last stage it had entered
    entered = (entry <= snapshot_days) & (np.arange(K) <= furthest[:, None])
    is_open = close_day > snapshot_days
    stage_now = np.where(won & ~is_open, K, entered.sum(axis=1) - 1)
    t0 = pd.Timestamp(start)
    status = np.where(is_open, "open", np.where(won, "won", "lost"))
    amount = rng.lognormal(np.log(mean_amount) - amount_sd_log ** 2 / 2, amount_sd_log, n)
    advances = stage_now  # stage moves made by the snapshot, each one an advance (进展)
    meetings = advances + rng.poisson(meetings_per_stage * (np.minimum(stage_now, K - 1) + 1))
    n_out = int(rng.poisson(outside_share / (1 - outside_share) * n * w[0]))
    out_day = rng.uniform(0, span_days, n_out)
    out_amount = rng.lognormal(np.log(mean_amount) - amount_sd_log ** 2 / 2, amount_sd_log, n_out)
    reps = np.array([f"R{i + 1}" for i in range(int(n_reps))])
    names = [s if labels == "en" else zh for s, zh, _ in FUNNEL_STAGES]
    day = np.concatenate([created, out_day])
    closed = np.where(np.append(is_open, np.zeros(n_out, bool)), np.nan, np.append(close_day, out_day))
    data = pd.DataFrame({
        "opportunity_id": np.arange(1, n + n_out + 1),
        "rep": reps[rng.integers(0, len(reps), n + n_out)],
        "created": t0 + pd.to_timedelta(np.floor(day), unit="D"),
        "amount": np.round(np.append(amount, out_amount), -2),
        "stage": pd.Categorical.from_codes(np.append(stage_now, np.full(n_out, K)), categories=names,
                                           ordered=True),
        "status": np.append(status, np.full(n_out, "won")),
        "closed": days_after(t0, np.floor(closed)),
        "days_open": np.floor(np.where(np.isnan(closed), snapshot_days, closed) - day).astype(int),
        "in_funnel": np.arange(n + n_out) < n,
        "roles_engaged": np.append(roles, np.zeros(n_out, int)),
        "meetings": np.append(meetings, np.zeros(n_out, int)),
        "advances": np.append(advances, np.zeros(n_out, int)),
    })
    keep = day <= snapshot_days
    final_status = pd.Series(np.append(np.where(won, "won", "lost"), np.full(n_out, "won")),
                             index=data["opportunity_id"], name="final_status")
    final_closed = pd.Series(t0 + pd.to_timedelta(np.floor(np.append(close_day, out_day)), unit="D"),
                             index=data["opportunity_id"], name="final_closed")
    data = data[keep].reset_index(drop=True)
    truth = {
        "win_rates": pd.Series(np.append(w, 1.0), index=names, name="win_rate"),
        "advance_probs": pd.Series(advance, index=names[:-1], name="advance_prob"),
        "days_in_stage": pd.Series(days, index=names[:-1], name="mean_days"),
        "mean_amount": float(mean_amount),
        "snapshot": t0 + pd.Timedelta(days=snapshot_days),
        "outside_share": float(outside_share),
        "role_effect": float(role_effect),
        "meetings_per_stage": float(meetings_per_stage),
        "final_status": final_status[keep],
        "final_closed": final_closed[keep],
    }
    return Simulated(data, truth)
