"""Synthetic customer contacts (客户接触记录) by channel and step, with stated costs and satisfaction.

Customers of the four types of the slides' new car-industry channel map (传统, 便利科技, 企业, 寻求特别款式者)
contact the firm at five steps (告知, 互动, 交易, 送货, 服务) through three channels (branch, phone, online).
Each contact's cost is the stated unit cost of its channel and step times a mean-one gamma noise; its
satisfaction (1–5), first-contact resolution and resolution time depend on the channel only, with known
probabilities. Lesson 5.2 recovers the stated costs and channel means from the contacts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import CRMInputError, check_number
from crm_lessons.simulate._base import Simulated, rng_from

__all__ = ["simulate_contacts"]

CHANNELS = ["branch", "phone", "online"]
STEPS = ["inform", "interact", "transact", "deliver", "service"]
TYPES = ["traditional", "convenience/tech", "corporate", "special-model seekers"]
#: stated cost per contact (¥) by channel (rows) and step (columns)
UNIT_COST = pd.DataFrame([[40.0, 60.0, 80.0, 120.0, 70.0],
                          [8.0, 12.0, 15.0, 20.0, 14.0],
                          [1.0, 2.0, 2.0, 5.0, 3.0]], index=CHANNELS, columns=STEPS)
_TYPE_SHARE = [0.4, 0.3, 0.15, 0.15]
_TYPE_FACTOR = [1.0, 1.0, 2.0, 1.3]                       # contact volume relative to a traditional customer
_STEP_MEAN = [1.0, 1.5, 0.5, 0.3, 1.2]                    # contacts per customer and step (traditional)
_CHANNEL_MIX = np.array([[0.6, 0.3, 0.1], [0.1, 0.2, 0.7], [0.3, 0.5, 0.2], [0.5, 0.2, 0.3]])
_SATISFACTION = np.array([[0.02, 0.05, 0.13, 0.40, 0.40],     # branch
                          [0.04, 0.10, 0.26, 0.35, 0.25],     # phone
                          [0.06, 0.12, 0.27, 0.33, 0.22]])    # online
_FCR = [0.85, 0.75, 0.60]
_MEDIAN_HOURS = [0.5, 2.0, 12.0]


def simulate_contacts(n_customers: int = 2000, *, seed: int = 0, n_days: int = 90, start: str = "2024-01-01",
                      cost_shape: float = 4.0, complaint_share: float = 0.1, unit_cost=None) -> Simulated:
    """Draw customers' contacts by channel and step with stated unit costs and channel satisfaction.

    Parameters
    ----------
    n_customers : int, default 2000
        Customers; each is one of four types (shares 0.4, 0.3, 0.15, 0.15).
    seed : int, default 0
        Random seed.
    n_days : int, default 90
        Days over which the contacts fall (uniformly).
    start : str
        First day.
    cost_shape : float, default 4
        Shape of the gamma noise (mean 1) multiplying the unit cost of each contact.
    complaint_share : float, default 0.1
        Probability that a contact is a complaint.
    unit_cost : DataFrame, optional
        Stated cost per contact (¥), channels ``branch, phone, online`` as rows and steps ``inform, interact,
        transact, deliver, service`` as columns; default branch 40–120, phone 8–20, online 1–5.

    Returns
    -------
    Simulated
        ``data``: ``ticket_id, customer_id, customer_type, step, channel, created, cost, satisfaction
        (1–5), first_contact_resolved, resolution_hours, is_complaint`` (the ticket columns read by
        :func:`crm_lessons.complaints.ticket_metrics`). ``truth``: ``unit_cost`` (channel × step
        DataFrame, ¥), ``mean_satisfaction``, ``fcr_rate`` and ``median_hours`` (Series by channel),
        ``channel_mix`` (type × channel DataFrame) and ``contacts_per_customer`` (Series by type).

    Examples
    --------
    >>> data, truth = simulate_contacts(300, seed=1)
    >>> sorted(data["channel"].unique()), float(truth["unit_cost"].loc["branch", "service"])
    (['branch', 'online', 'phone'], 70.0)
    >>> truth["mean_satisfaction"].round(2).tolist()
    [4.11, 3.67, 3.53]
    """
    check_number(n_customers, "n_customers", min_value=1, integer=True)
    check_number(n_days, "n_days", min_value=1, integer=True)
    check_number(cost_shape, "cost_shape", min_value=0, strict=True)
    check_number(complaint_share, "complaint_share", min_value=0, max_value=1)
    unit = UNIT_COST if unit_cost is None else pd.DataFrame(unit_cost)
    if unit.shape != UNIT_COST.shape or list(unit.index) != CHANNELS or list(unit.columns) != STEPS \
            or not (unit.to_numpy(dtype=float) > 0).all():
        raise CRMInputError(f"argument `unit_cost`: needs positive costs with rows {CHANNELS} and columns {STEPS}; "
                            f"found shape {unit.shape}. Pass e.g. simulate.contacts.UNIT_COST * 1.2.")
    unit = unit.astype(float)
    rng = rng_from(seed)
    n = int(n_customers)
    ctype = rng.choice(len(TYPES), n, p=_TYPE_SHARE)
    counts = rng.poisson(np.outer(np.asarray(_TYPE_FACTOR)[ctype], _STEP_MEAN))      # customers x steps
    cust = np.repeat(np.repeat(np.arange(n), len(STEPS)), counts.ravel())
    step = np.repeat(np.tile(np.arange(len(STEPS)), n), counts.ravel())
    k = cust.size
    u = rng.random(k)[:, None]
    channel = (u > np.cumsum(_CHANNEL_MIX[ctype[cust]], axis=1)).sum(axis=1)
    cost = unit.to_numpy()[channel, step] * rng.gamma(cost_shape, 1.0 / cost_shape, k)
    sat = 1 + (rng.random(k)[:, None] > np.cumsum(_SATISFACTION[channel], axis=1)).sum(axis=1)
    hours = np.asarray(_MEDIAN_HOURS)[channel] * np.exp(0.8 * rng.standard_normal(k))
    created = pd.Timestamp(start) + pd.to_timedelta(np.round(rng.uniform(0, n_days, k) * 86400), unit="s")
    data = pd.DataFrame({
        "customer_id": cust + 1,
        "customer_type": pd.Categorical.from_codes(ctype[cust], TYPES),
        "step": pd.Categorical.from_codes(step, STEPS, ordered=True),
        "channel": pd.Categorical.from_codes(channel, CHANNELS),
        "created": created,
        "cost": np.round(cost, 2),
        "satisfaction": sat,
        "first_contact_resolved": rng.random(k) < np.asarray(_FCR)[channel],
        "resolution_hours": np.round(hours, 2),
        "is_complaint": rng.random(k) < complaint_share,
    }).sort_values(["created", "customer_id"], kind="stable", ignore_index=True)
    data.insert(0, "ticket_id", np.arange(1, k + 1))
    truth = {
        "unit_cost": unit.copy(),
        "mean_satisfaction": pd.Series(_SATISFACTION @ np.arange(1, 6), index=CHANNELS),
        "fcr_rate": pd.Series(_FCR, index=CHANNELS),
        "median_hours": pd.Series(_MEDIAN_HOURS, index=CHANNELS),
        "channel_mix": pd.DataFrame(_CHANNEL_MIX, index=TYPES, columns=CHANNELS),
        "contacts_per_customer": pd.Series(np.asarray(_TYPE_FACTOR) * sum(_STEP_MEAN), index=TYPES),
        "customers": pd.DataFrame({"customer_id": np.arange(1, n + 1),
                                   "customer_type": pd.Categorical.from_codes(ctype, TYPES)}),
    }
    return Simulated(data, truth)
