"""Households buying rice, as in Wang Yung-ching's rice shop (王永庆卖米).

Each household eats rice at a known rate per person per day, buys bags of a
usual size, and buys again when its stock falls to a known buffer of a few
days' consumption. Day-to-day consumption varies, so the gap between purchases
is ``bag / (size * rate)`` days times a noise factor. The last purchase of
every household is held out as the truth to predict.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import CRMInputError, check_number
from crm_lessons.simulate._base import Simulated, rng_from

__all__ = ["simulate_households"]


def simulate_households(n_households: int, *, seed: int = 0, start: str = "2024-01-01",
                        as_of: str = "2024-12-31", mean_rate: float = 0.25, rate_sd: float = 0.25,
                        bag_sizes: tuple[float, ...] = (5.0, 10.0, 15.0, 20.0),
                        mean_household_size: float = 3.5, noise_sd: float = 0.1,
                        max_buffer_days: int = 5) -> Simulated:
    """Draw households and their rice purchases with known consumption rates.

    Parameters
    ----------
    n_households : int
        Number of households.
    seed : int, default 0
        Random seed.
    start, as_of : str
        Households start buying at random in the first 60 days after ``start``;
        purchases are recorded up to ``as_of``. The first purchase after
        ``as_of`` is the held-out truth.
    mean_rate : float, default 0.25
        Median rice eaten per person per day (kg); rates vary between
        households, lognormal with log-sd ``rate_sd``.
    bag_sizes : tuple of float
        Bag sizes (kg); each household has a usual size and buys it 80% of the time.
    mean_household_size : float, default 3.5
        Household size is 1 + Poisson(``mean_household_size`` - 1).
    noise_sd : float, default 0.1
        Log-sd of the factor by which one interval's consumption rate differs
        from the household's rate (guests, festivals, meals out).
    max_buffer_days : int, default 5
        Households buy when ``buffer_days`` (1 to this) days of rice are left.

    Returns
    -------
    Simulated
        ``data``: dict with ``households`` (household_id, size) and
        ``purchases`` (household_id, date, quantity_kg) up to ``as_of``.
        ``truth``: ``households`` (household_id, size, rate_per_person,
        daily_kg, usual_bag, buffer_days, next_purchase, run_out) where
        ``next_purchase`` is the first purchase after ``as_of`` and ``run_out``
        the day the rice would run out without it, plus the parameters.

    Examples
    --------
    >>> data, truth = simulate_households(50, seed=3)
    >>> list(data["purchases"].columns)
    ['household_id', 'date', 'quantity_kg']
    >>> bool((truth["households"]["next_purchase"] > pd.Timestamp("2024-12-31")).all())
    True
    """
    check_number(n_households, "n_households", min_value=1, integer=True)
    check_number(mean_rate, "mean_rate", min_value=0, strict=True)
    check_number(rate_sd, "rate_sd", min_value=0)
    check_number(noise_sd, "noise_sd", min_value=0)
    check_number(mean_household_size, "mean_household_size", min_value=1)
    check_number(max_buffer_days, "max_buffer_days", min_value=1, integer=True)
    rng = rng_from(seed)
    n = int(n_households)
    t0, t1 = pd.Timestamp(start), pd.Timestamp(as_of)
    horizon = (t1 - t0).days
    if horizon < 90:
        raise CRMInputError(f"argument `as_of`: must be at least 90 days after start ({t0.date()}); "
                            f"found {t1.date()}. Pass a later as_of or an earlier start.")

    size = 1 + rng.poisson(mean_household_size - 1, n)
    rate = mean_rate * np.exp(rng.normal(0, rate_sd, n))
    daily = size * rate
    bags = np.asarray(bag_sizes, dtype=float)
    usual = bags[rng.integers(0, bags.size, n)]
    buffer = rng.integers(1, max_buffer_days + 1, n)

    # Enough purchases to pass as_of for everyone: intervals are >= min bag / max daily use.
    max_gap = int(np.ceil(horizon / (bags.min() / daily.max() / np.exp(3 * noise_sd)))) + 2
    qty = np.where(rng.uniform(size=(n, max_gap)) < 0.8, usual[:, None],
                   bags[rng.integers(0, bags.size, (n, max_gap))])
    gaps = qty / (daily[:, None] * np.exp(rng.normal(0, noise_sd, (n, max_gap))))
    first = rng.uniform(0, 60, n)
    times = first[:, None] + np.concatenate([np.zeros((n, 1)), np.cumsum(gaps[:, :-1], axis=1)], axis=1)
    days = np.floor(times)
    recorded = days <= horizon
    nxt = np.argmin(recorded, axis=1)                    # first purchase after as_of
    rows = np.arange(n)
    next_day = days[rows, nxt]
    run_out = next_day + buffer

    hh, k = np.nonzero(recorded)
    purchases = pd.DataFrame({"household_id": hh + 1,
                              "date": t0 + pd.to_timedelta(days[hh, k], "D"),
                              "quantity_kg": qty[hh, k]})
    households = pd.DataFrame({"household_id": rows + 1, "size": size})
    truth_table = households.assign(rate_per_person=rate, daily_kg=daily, usual_bag=usual,
                                    buffer_days=buffer,
                                    next_purchase=t0 + pd.to_timedelta(next_day, "D"),
                                    run_out=t0 + pd.to_timedelta(run_out, "D"))
    truth = {"households": truth_table, "mean_rate": mean_rate, "rate_sd": rate_sd,
             "noise_sd": noise_sd, "bag_sizes": tuple(bag_sizes), "as_of": t1}
    return Simulated(data={"households": households, "purchases": purchases}, truth=truth)
