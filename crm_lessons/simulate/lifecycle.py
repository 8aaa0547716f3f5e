"""Customers whose monthly spend follows a stated relationship-lifecycle curve (客户关系生命周期).

Each customer is drawn **in** a known stage at the end of the window —
exploration (考察期), formation (形成期), stability (稳定期) or decline (退化期) —
and its expected monthly spend follows that stage's curve (``peak`` = the
customer's spend in the stability stage):

* exploration: 1–3 months old, spend at ``explore_level * peak``;
* formation: 6–15 months old; two exploration months, then a straight rise
  that has reached 60–90% of ``peak`` by the last month;
* stability: at least 12 months old; exploration, a 3–6 month rise, then at
  least 6 months flat at ``peak``;
* decline: at least 14 months old; as stability, then over the last 4–8
  months a straight fall to 20–40% of ``peak``.

Orders per month are Poisson with mean ``spend / mean_ticket``; order values
are gamma with mean ``mean_ticket``. Profit per order is
``amount * margin - cost_per_order`` with the margin rising from
``margin_start`` to ``margin_end`` over the first year of the relationship
(longer relationships are more profitable, as the course says).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import CRMInputError, check_number, check_probability
from crm_lessons.simulate._base import Simulated, rng_from

__all__ = ["LIFECYCLE_STAGES", "simulate_lifecycle"]

#: The four stages of the relationship lifecycle.
LIFECYCLE_STAGES = ["exploration", "formation", "stability", "decline"]


def _curves(rng, stage, n_months, explore_level):
    """Expected spend as a fraction of peak, customers x months (NaN before the start)."""
    n = stage.size
    m = np.arange(n_months)[None, :]
    age_total = np.select(
        [stage == 0, stage == 1, stage == 2],
        [rng.integers(1, 4, n), rng.integers(6, 16, n), rng.integers(12, n_months + 1, n)],
        rng.integers(14, n_months + 1, n))
    start = n_months - age_total
    age = m - start[:, None]                                   # months since first month, 0-based
    ramp = np.where(stage == 1, age_total - 2, rng.integers(3, 7, n))
    fall = np.where(stage == 3, np.minimum(rng.integers(4, 9, n), age_total - 2 - ramp - 1), 0)
    floor = rng.uniform(0.2, 0.4, n)
    top = np.where(stage == 1, rng.uniform(0.6, 0.9, n), 1.0)     # formation: part way up
    rise = explore_level + (top[:, None] - explore_level) * np.clip((age - 1) / ramp[:, None], 0, 1)
    frac = np.where(age < 2, explore_level, rise)
    since_fall = age - (age_total - fall)[:, None] + 1
    falling = (stage[:, None] == 3) & (since_fall > 0)
    frac = np.where(falling, 1 - (1 - floor[:, None]) * since_fall / np.maximum(fall, 1)[:, None], frac)
    frac = np.where(stage[:, None] == 0, explore_level, frac)
    return np.where(age >= 0, frac, np.nan), start


def simulate_lifecycle(n_customers: int, *, seed: int = 0, n_months: int = 24, end: str = "2024-12-31",
                       stage_probs: tuple[float, float, float, float] = (0.2, 0.3, 0.3, 0.2),
                       peak_spend: float = 300.0, peak_sd: float = 0.4, explore_level: float = 0.2,
                       mean_ticket: float = 30.0, margin_start: float = 0.15, margin_end: float = 0.30,
                       cost_per_order: float = 3.0) -> Simulated:
    """Draw a transaction log of customers in known lifecycle stages.

    Parameters
    ----------
    n_customers : int
        Number of customers.
    seed : int, default 0
        Random seed.
    n_months : int, default 24
        Length of the window in months, ending with the month of ``end``.
    stage_probs : 4 floats, default (0.2, 0.3, 0.3, 0.2)
        Shares of customers in exploration, formation, stability, decline.
    peak_spend : float, default 300
        Median monthly spend at the peak; lognormal across customers with log-sd ``peak_sd``.
    explore_level : float, default 0.2
        Spend in the exploration stage as a fraction of peak.
    mean_ticket : float, default 30
        Mean order value.
    margin_start, margin_end : float
        Gross margin in the first month and after 12 months of relationship.
    cost_per_order : float, default 3
        Cost to serve one order.

    Returns
    -------
    Simulated
        ``data``: transactions (customer_id, date, amount, profit).
        ``truth``: ``customers`` (customer_id, stage, first_month, peak),
        ``expected`` (customers x months expected spend, NaN before the
        start), and the parameters.

    Examples
    --------
    >>> data, truth = simulate_lifecycle(100, seed=2)
    >>> list(data.columns)
    ['customer_id', 'date', 'amount', 'profit']
    >>> sorted(truth["customers"]["stage"].unique())
    ['decline', 'exploration', 'formation', 'stability']
    """
    check_number(n_customers, "n_customers", min_value=1, integer=True)
    check_number(n_months, "n_months", min_value=18, integer=True)
    probs = np.asarray(stage_probs, dtype=float)
    if probs.shape != (4,) or (probs < 0).any() or not np.isclose(probs.sum(), 1):
        raise CRMInputError(f"argument `stage_probs`: needs 4 shares >= 0 that sum to 1; found {stage_probs!r}. "
                            "Pass e.g. stage_probs=(0.2, 0.3, 0.3, 0.2).")
    for name, v in [("peak_spend", peak_spend), ("mean_ticket", mean_ticket)]:
        check_number(v, name, min_value=0, strict=True)
    check_number(peak_sd, "peak_sd", min_value=0)
    check_number(cost_per_order, "cost_per_order", min_value=0)
    for name, v in [("explore_level", explore_level), ("margin_start", margin_start), ("margin_end", margin_end)]:
        check_probability(v, name)
    rng = rng_from(seed)
    n = int(n_customers)
    stage = rng.choice(4, size=n, p=probs)
    frac, start = _curves(rng, stage, n_months, explore_level)
    peak = peak_spend * np.exp(rng.normal(0, peak_sd, n))
    expected = frac * peak[:, None]

    counts = rng.poisson(np.nan_to_num(expected) / mean_ticket)
    cust, month = np.nonzero(counts)
    reps = counts[cust, month]
    cust, month = np.repeat(cust, reps), np.repeat(month, reps)
    last = pd.Period(end, freq="M")
    months = pd.period_range(end=last, periods=n_months, freq="M", name="period")
    month_start = months.to_timestamp()[month]
    days_in = months.days_in_month.to_numpy()[month]
    date = month_start + pd.to_timedelta(np.floor(rng.uniform(0, 1, month.size) * days_in), "D")
    amount = np.round(rng.gamma(4.0, mean_ticket / 4.0, month.size), 2)
    age = month - start[cust]
    margin = margin_start + (margin_end - margin_start) * np.clip(age / 12, 0, 1)
    profit = np.round(amount * margin - cost_per_order, 2)
    tx = pd.DataFrame({"customer_id": cust + 1, "date": date, "amount": amount, "profit": profit})
    tx = tx.sort_values(["customer_id", "date"], kind="stable").reset_index(drop=True)

    truth_customers = pd.DataFrame({"customer_id": np.arange(1, n + 1),
                                    "stage": np.array(LIFECYCLE_STAGES)[stage],
                                    "first_month": months[start], "peak": peak})
    truth = {"customers": truth_customers,
             "expected": pd.DataFrame(expected, index=pd.Index(np.arange(1, n + 1), name="customer_id"),
                                      columns=months),
             "stage_probs": tuple(stage_probs), "peak_spend": peak_spend, "explore_level": explore_level,
             "mean_ticket": mean_ticket, "margin_start": margin_start, "margin_end": margin_end,
             "cost_per_order": cost_per_order, "end": last}
    return Simulated(data=tx, truth=truth)
