"""Synthetic customer-service tickets (客户服务工单) with known arrival, resolution and first-contact rates.

Tickets arrive as a Poisson process whose daily rate follows a weekday
pattern; each has a channel and a category; its resolution time is lognormal
with a known median by channel; it is resolved at first contact (首次解决)
with a known probability by category; a share of tickets are complaints (投诉).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.special import ndtr   # the standard normal CDF (what scipy.stats.norm.cdf calls), without loading scipy.stats

from crm_lessons._validation import CRMInputError, check_number, check_probability
from crm_lessons.simulate._base import Simulated, rng_from

__all__ = ["simulate_tickets"]

_CHANNELS = {"phone": (0.5, 4.0), "email": (0.3, 24.0), "chat": (0.2, 1.5)}  # share, median hours
_CATEGORIES = {"billing": (0.4, 0.75), "technical": (0.35, 0.45), "delivery": (0.25, 0.65)}  # share, P(FCR)
_PROMISED_HOURS = {"phone": 8.0, "email": 36.0, "chat": 4.0}  # the time limit promised (承诺的时限)
_RESPONSE_HOURS = {"phone": 0.05, "email": 6.0, "chat": 0.1}  # mean hours to the first response
_WEEKDAY = (1.2, 1.1, 1.0, 1.0, 1.1, 0.8, 0.6)  # Monday..Sunday, mean 0.971


def _category_table(categories, fcr_rate: float) -> tuple[list, np.ndarray]:
    """(names, array of (share, P(FCR))) from None, a list of names or a mapping name -> (share, fcr)."""
    if categories is None:
        categories = _CATEGORIES
    if isinstance(categories, Mapping):
        names = list(categories)
        table = np.array([tuple(v) for v in categories.values()], dtype=float).reshape(len(names), -1)
        if table.shape[1] != 2:
            raise CRMInputError(f"argument `categories`: each category needs (share, first-contact resolution "
                                f"rate); found {dict(categories)!r}. Pass e.g. {{'billing': (0.4, 0.75)}}.")
    else:
        names = [c for c in categories] if not isinstance(categories, str) else [categories]
        table = np.column_stack([np.full(len(names), 1.0), np.full(len(names), fcr_rate)])
    if not names or len(set(names)) != len(names):
        raise CRMInputError(f"argument `categories`: needs one or more distinct names; found {names!r}. "
                            f"Pass e.g. ['设计', '工程质量', '销售承诺', '物业管理'].")
    if np.any(table[:, 0] <= 0) or np.any((table[:, 1] < 0) | (table[:, 1] > 1)):
        raise CRMInputError(f"argument `categories`: shares must be > 0 and resolution rates in [0, 1]; "
                            f"found {table.tolist()}. Shares are rescaled to sum to 1.")
    table[:, 0] /= table[:, 0].sum()
    return names, table


def simulate_tickets(n_days: int = 90, *, daily_rate: float = 120.0, seed: int = 0, start: str = "2024-01-01",
                     complaint_share: float = 0.3, sigma_log_hours: float = 0.8, categories=None,
                     fcr_rate: float = 0.6, n_customers: int = 2000, change_day: int | None = None,
                     complaint_share_after: float | None = None) -> Simulated:
    """Draw service tickets with known arrival, resolution-time and first-contact-resolution rates.

    Parameters
    ----------
    n_days : int, default 90
        Days of tickets from ``start``.
    daily_rate : float, default 120
        Mean tickets on a day of weekday factor 1 (factors Monday..Sunday
        1.2, 1.1, 1.0, 1.0, 1.1, 0.8, 0.6).
    seed : int, default 0
        Random seed.
    start : str
        First day.
    complaint_share : float, default 0.3
        Probability that a ticket is a complaint (投诉) rather than a request.
    sigma_log_hours : float, default 0.8
        Standard deviation of log resolution hours.
    categories : list or mapping, optional
        Ticket categories (causes). A list of names gives equal shares and the
        first-contact resolution rate ``fcr_rate`` for each (chapter 9.2's
        ``["设计", "工程质量", "销售承诺", "物业管理"]``); a mapping gives
        ``name -> (share, P(first-contact resolution))``. Default: billing (0.4,
        0.75), technical (0.35, 0.45), delivery (0.25, 0.65).
    fcr_rate : float, default 0.6
        First-contact resolution rate of every category given as a list.
    n_customers : int, default 2000
        Customers who raise the tickets. Each has a contact propensity drawn from
        a gamma distribution (shape 0.5), so a few customers raise many tickets,
        and a yearly value (lognormal, mean 1,000, log sd 1) that does not depend
        on the propensity.
    change_day, complaint_share_after : optional
        From day ``change_day`` (0 = ``start``) on, a ticket is a complaint with
        probability ``complaint_share_after`` (e.g. after a fix).

    Returns
    -------
    Simulated
        ``data``: ``ticket_id``, ``created`` (timestamp), ``channel``,
        ``category``, ``is_complaint``, ``resolution_hours``,
        ``first_contact_resolved``, ``customer_id``, ``first_response_hours``
        and ``promised_hours`` (the time limit promised to the customer, by
        channel: phone 8, email 36, chat 4). ``truth``: ``customers`` (DataFrame:
        ``customer_id``, ``value``, ``propensity``), ``promised_hours``,
        ``within_promise`` (true probability of meeting the promise, by channel),
        ``response_mean_hours``, ``daily_rate``,
        ``weekday_factors`` (Series), ``median_hours`` and ``fcr_rate``
        (Series by channel / category), ``category_share``, ``sigma_log_hours``, ``complaint_share``.

    Examples
    --------
    >>> sim = simulate_tickets(28, seed=1)
    >>> sorted(sim.data["channel"].unique())
    ['chat', 'email', 'phone']
    >>> float(sim.truth["median_hours"]["email"])
    24.0
    >>> sim = simulate_tickets(28, seed=1, categories=["设计", "工程质量", "销售承诺", "物业管理"])
    >>> sim.data["category"].cat.categories.tolist(), float(sim.truth["category_share"].sum())
    (['设计', '工程质量', '销售承诺', '物业管理'], 1.0)
    """
    check_number(n_days, "n_days", min_value=1, integer=True)
    check_number(daily_rate, "daily_rate", min_value=0, strict=True)
    check_probability(fcr_rate, "fcr_rate")
    cat_names, cat = _category_table(categories, fcr_rate)
    rng = rng_from(seed)
    days = pd.date_range(start, periods=int(n_days), freq="D")
    factors = np.asarray(_WEEKDAY)[days.day_of_week]
    counts = rng.poisson(daily_rate * factors)
    n = int(counts.sum())
    day = np.repeat(days.to_numpy(), counts)
    created = pd.to_datetime(day) + pd.to_timedelta(np.round(rng.uniform(8, 20, n) * 3600), unit="s")
    ch_names, ch = list(_CHANNELS), np.array(list(_CHANNELS.values()))
    channel = rng.choice(len(ch_names), n, p=ch[:, 0])
    category = rng.choice(len(cat_names), n, p=cat[:, 0])
    hours = ch[channel, 1] * np.exp(sigma_log_hours * rng.standard_normal(n))
    p_complaint = np.full(n, float(complaint_share))
    if change_day is not None:
        check_probability(complaint_share_after, "complaint_share_after")
        p_complaint[(pd.to_datetime(day) - days[0]).days >= int(change_day)] = complaint_share_after
    data = pd.DataFrame({
        "ticket_id": np.arange(1, n + 1),
        "created": created,
        "channel": pd.Categorical.from_codes(channel, ch_names),
        "category": pd.Categorical.from_codes(category, cat_names),
        "is_complaint": rng.random(n) < p_complaint,
        "resolution_hours": np.round(hours, 2),
        "first_contact_resolved": rng.random(n) < cat[category, 1],
    })
    check_number(n_customers, "n_customers", min_value=1, integer=True)
    propensity = rng.gamma(0.5, 2.0, int(n_customers))
    value = rng.lognormal(np.log(1000) - 0.5, 1.0, int(n_customers))
    data["customer_id"] = 1 + rng.choice(int(n_customers), n, p=propensity / propensity.sum())
    response_mean = np.array([_RESPONSE_HOURS[c] for c in ch_names])
    data["first_response_hours"] = np.round(np.minimum(rng.exponential(response_mean[channel]), hours), 3)
    data["promised_hours"] = np.array([_PROMISED_HOURS[c] for c in ch_names], dtype=float)[channel]
    data = data.sort_values(["created", "ticket_id"], kind="stable").reset_index(drop=True)
    data["ticket_id"] = np.arange(1, n + 1)
    promised = pd.Series([_PROMISED_HOURS[c] for c in ch_names], index=ch_names, dtype=float)
    truth = {
        "daily_rate": float(daily_rate),
        "weekday_factors": pd.Series(_WEEKDAY, index=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]),
        "median_hours": pd.Series(ch[:, 1], index=ch_names),
        "fcr_rate": pd.Series(cat[:, 1], index=cat_names),
        "category_share": pd.Series(cat[:, 0], index=cat_names),
        "sigma_log_hours": float(sigma_log_hours),
        "complaint_share": float(complaint_share),
        "complaint_share_after": None if change_day is None else float(complaint_share_after),
        "change_day": change_day,
        "customers": pd.DataFrame({"customer_id": np.arange(1, int(n_customers) + 1), "value": np.round(value, 2),
                                   "propensity": propensity}),
        "promised_hours": promised,
        "within_promise": pd.Series(ndtr(np.log(promised / ch[:, 1]) / sigma_log_hours), index=ch_names),
        "response_mean_hours": pd.Series(response_mean, index=ch_names),
    }
    return Simulated(data, truth)
