"""Contact-centre staffing with the Erlang C queue (呼叫中心排班).

Calls arrive at random (Poisson, rate :math:`\\lambda`), each takes an agent an
exponentially distributed handle time with mean AHT, and callers who find
every agent busy wait in one first-come-first-served queue (M/M/N). The
offered traffic is :math:`A = \\lambda\\,\\mathrm{AHT}` erlangs; with :math:`N > A`
agents the Erlang C formula gives the probability that a caller waits, and
from it the service level, the average speed of answer and occupancy.

Examples
--------
>>> round(erlang_c(55, 48.0), 3)        # 360 calls / 30 min, AHT 240 s
0.239
>>> round(service_level(55, 48.0, aht=240, answer_time=15), 3)
0.846
>>> agents_needed(calls=100, interval=1800, aht=180, target_sl=0.8, answer_time=20)
14
"""

from __future__ import annotations

import heapq

import numpy as np
import pandas as pd

from crm_lessons._validation import CRMInputError, check_number, check_probability

__all__ = [
    "agents_needed",
    "asa",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "service_level",
    "simulate_queue",
    "staffing_table",
]


def _check_load(agents, traffic):
    check_number(agents, "agents", min_value=1, integer=True)
    check_number(traffic, "traffic", min_value=0)


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability of the Erlang B (loss) system with ``agents`` servers.

    Parameters
    ----------
    agents : int
        Number of servers :math:`N \\ge 1`.
    traffic : float
        Offered traffic :math:`A` in erlangs (:math:`\\ge 0`).

    Returns
    -------
    float
        :math:`B(N, A)`.

    Notes
    -----
    Computed by the recursion, which never forms :math:`A^N` or :math:`N!`
    and is stable for thousands of agents:

    .. math:: B(0, A) = 1, \\qquad B(k, A) = \\frac{A\\,B(k-1, A)}{k + A\\,B(k-1, A)}.

    References
    ----------
    Erlang, A. K. (1917). Solution of some problems in the theory of probabilities of significance
    in automatic telephone exchanges. *Elektroteknikeren* 13.

    Examples
    --------
    >>> round(erlang_b(2, 1.0), 4)   # (1/2) / (1 + 1 + 1/2)
    0.2
    """
    _check_load(agents, traffic)
    b = 1.0
    for k in range(1, int(agents) + 1):
        b = traffic * b / (k + traffic * b)
    return b


def erlang_c(agents: int, traffic: float) -> float:
    """Probability that a caller waits (Erlang C), :math:`P_W`; 1 when :math:`N \\le A`.

    Parameters
    ----------
    agents : int
        Agents answering calls, :math:`N`.
    traffic : float
        Offered traffic :math:`A = \\lambda\\,\\mathrm{AHT}` in erlangs.

    Returns
    -------
    float
        Probability of waiting.

    Notes
    -----
    From the Erlang B value (numerically stable):

    .. math:: C(N, A) = \\frac{N\\,B(N, A)}{N - A\\,(1 - B(N, A))}, \\qquad N > A.

    With :math:`N \\le A` the queue grows without bound and every caller waits.

    References
    ----------
    Gans, N., Koole, G. and Mandelbaum, A. (2003). Telephone call centers: tutorial, review and
    research prospects. *Manufacturing & Service Operations Management* 5(2), 79-141.

    Examples
    --------
    >>> round(erlang_c(11, 10.0), 4)  # 100 calls / 30 min, AHT 3 min
    0.6821
    """
    _check_load(agents, traffic)
    if agents <= traffic:
        return 1.0
    b = erlang_b(agents, traffic)
    return agents * b / (agents - traffic * (1.0 - b))


def service_level(agents: int, traffic: float, *, aht: float, answer_time: float) -> float:
    """Share of calls answered within ``answer_time`` (same unit as ``aht``).

    Notes
    -----
    .. math:: SL(t) = 1 - C(N, A)\\,e^{-(N - A)\\,t / \\mathrm{AHT}}

    Examples
    --------
    >>> round(service_level(14, 10.0, aht=180, answer_time=20), 3)
    0.888
    """
    check_number(aht, "aht", min_value=0, strict=True)
    check_number(answer_time, "answer_time", min_value=0)
    if agents <= traffic:
        return 0.0
    return 1.0 - erlang_c(agents, traffic) * float(np.exp(-(agents - traffic) * answer_time / aht))


def asa(agents: int, traffic: float, *, aht: float) -> float:
    """Average speed of answer (mean wait of all callers), in the unit of ``aht``; inf when :math:`N \\le A`.

    Notes
    -----
    .. math:: \\mathrm{ASA} = \\frac{C(N, A)\\,\\mathrm{AHT}}{N - A}

    Examples
    --------
    >>> round(asa(55, 48.0, aht=240), 1)
    8.2
    """
    check_number(aht, "aht", min_value=0, strict=True)
    if agents <= traffic:
        return float("inf")
    return erlang_c(agents, traffic) * aht / (agents - traffic)


def occupancy(agents: int, traffic: float) -> float:
    """Share of agents' time spent on calls, :math:`\\min(A / N, 1)`.

    Examples
    --------
    >>> round(occupancy(55, 48.0), 3)
    0.873
    """
    _check_load(agents, traffic)
    return min(traffic / agents, 1.0)


def agents_needed(*, calls: float, interval: float, aht: float, target_sl: float = 0.8,
                  answer_time: float = 20, max_occupancy: float = 1.0) -> int:
    """Fewest agents so that ``target_sl`` of calls are answered within ``answer_time``.

    Parameters
    ----------
    calls : float
        Calls expected in the interval (>= 0).
    interval : float
        Length of the interval, in the unit of ``aht`` (e.g. 1800 s).
    aht : float
        Average handle time (talk + hold + after-call work).
    target_sl : float, default 0.8
        Target service level, e.g. 0.8 for "80/20".
    answer_time : float, default 20
        Target answer time, same unit as ``aht``.
    max_occupancy : float, default 1.0
        Also keep occupancy :math:`A/N` at or below this (e.g. 0.85).

    Returns
    -------
    int
        Agents on the phones (before shrinkage); 0 when no calls are expected.

    Examples
    --------
    >>> agents_needed(calls=360, interval=1800, aht=240, target_sl=0.8, answer_time=15)
    55
    """
    check_number(calls, "calls", min_value=0)
    check_number(interval, "interval", min_value=0, strict=True)
    check_number(aht, "aht", min_value=0, strict=True)
    check_probability(target_sl, "target_sl", allow_one=False)
    check_probability(max_occupancy, "max_occupancy", allow_zero=False)
    traffic = calls * aht / interval
    if traffic == 0:
        return 0
    n = max(1, int(np.floor(traffic)) + 1, int(np.ceil(traffic / max_occupancy)))
    while service_level(n, traffic, aht=aht, answer_time=answer_time) < target_sl:
        n += 1
    return n


def staffing_table(calls: pd.Series, *, interval: float, aht: float, target_sl: float = 0.8,
                   answer_time: float = 20, shrinkage: float = 0.3, max_occupancy: float = 1.0) -> pd.DataFrame:
    """Agents needed and the resulting service for each interval's expected calls.

    Parameters
    ----------
    calls : Series
        Expected calls per interval (index: the interval labels).
    interval, aht, target_sl, answer_time, max_occupancy
        As in :func:`agents_needed` (``interval`` and ``aht`` in seconds).
    shrinkage : float, default 0.3
        Share of paid time agents are not on the phones (breaks, training,
        absence); rostered staff = agents / (1 - shrinkage), rounded up.

    Returns
    -------
    DataFrame
        Index as ``calls``; columns ``calls, traffic, agents, p_wait,
        service_level, asa_seconds, occupancy, staff``.

    Examples
    --------
    >>> staffing_table(pd.Series([100.0], index=["09:00"]), interval=1800, aht=180,
    ...                answer_time=20, shrinkage=0.3)[["agents", "staff"]]
           agents  staff
    09:00      14     20
    """
    check_probability(shrinkage, "shrinkage", allow_one=False)
    calls = pd.Series(calls, dtype=float)
    rows = []
    for c in calls.to_numpy():
        traffic = c * aht / interval
        n = agents_needed(calls=c, interval=interval, aht=aht, target_sl=target_sl,
                          answer_time=answer_time, max_occupancy=max_occupancy)
        if n == 0:
            rows.append((c, 0.0, 0, 0.0, 1.0, 0.0, 0.0, 0))
            continue
        rows.append((c, traffic, n, erlang_c(n, traffic),
                     service_level(n, traffic, aht=aht, answer_time=answer_time),
                     asa(n, traffic, aht=aht), occupancy(n, traffic),
                     int(np.ceil(n / (1 - shrinkage) - 1e-9))))
    return pd.DataFrame(rows, index=calls.index,
                        columns=["calls", "traffic", "agents", "p_wait", "service_level", "asa_seconds",
                                 "occupancy", "staff"])


def simulate_queue(agents: int, *, arrival_rate: float, aht: float, n_calls: int = 100_000,
                   answer_time: float = 20, seed: int = 0) -> dict:
    """Discrete-event simulation of the M/M/N queue, to check the Erlang C formulas.

    Calls arrive with exponential gaps (rate ``arrival_rate`` per time unit),
    each takes an exponential handle time with mean ``aht``; a call goes to
    the agent who is free first (first come, first served).

    Returns
    -------
    dict
        ``p_wait`` (share of calls that waited), ``service_level`` (share
        answered within ``answer_time``), ``asa`` (mean wait) and
        ``occupancy`` (busy time / agent time), all estimated after a warm-up
        of 10% of the calls.

    Examples
    --------
    >>> sim = simulate_queue(11, arrival_rate=100 / 1800, aht=180, n_calls=20_000, seed=1)
    >>> abs(sim["p_wait"] - erlang_c(11, 10.0)) < 0.05
    True
    """
    check_number(agents, "agents", min_value=1, integer=True)
    check_number(arrival_rate, "arrival_rate", min_value=0, strict=True)
    check_number(aht, "aht", min_value=0, strict=True)
    check_number(n_calls, "n_calls", min_value=100, integer=True)
    if arrival_rate * aht >= agents:
        raise CRMInputError(
            f"argument `agents`: must exceed the traffic {arrival_rate * aht:.3g} erlangs for a stable queue; "
            f"found {agents}. Add agents or lower the arrival rate."
        )
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(1 / arrival_rate, n_calls))
    service = rng.exponential(aht, n_calls)
    free = [0.0] * int(agents)  # heap of the times agents become free
    waits = np.empty(n_calls)
    for i in range(n_calls):
        t_free = heapq.heappop(free)
        start = max(arrivals[i], t_free)
        waits[i] = start - arrivals[i]
        heapq.heappush(free, start + service[i])
    keep = slice(n_calls // 10, None)
    w = waits[keep]
    span = arrivals[-1] - arrivals[n_calls // 10]
    return {
        "p_wait": float(np.mean(w > 0)),
        "service_level": float(np.mean(w <= answer_time)),
        "asa": float(w.mean()),
        "occupancy": float(service[keep].sum() / (agents * span)),
    }
