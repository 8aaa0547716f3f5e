"""Synthetic monthly account behaviour with known defaults (合成的月度账户行为).

Lesson 10.3 tests early-warning rules (预警信号和阈值) on data whose defaults,
and the months in which trouble began, are known. Each account has a monthly
credit utilisation, days past due and complaints. Accounts that will default
start to deteriorate a known number of months before the default month (the
true lead time); the others only fluctuate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import check_number, check_probability
from crm_lessons.simulate._base import Simulated, rng_from

__all__ = ["simulate_account_months"]


def simulate_account_months(n_accounts: int, *, months: int = 24, seed: int = 0, default_rate: float = 0.08,
                            max_lead: int = 6, noise: float = 1.0) -> Simulated:
    """Draw monthly behaviour of credit accounts, some of which default.

    Parameters
    ----------
    n_accounts : int
        Number of accounts.
    months : int, default 24
        Months observed (1, 2, ...).
    seed : int, default 0
        Random seed.
    default_rate : float, default 0.08
        Probability that an account defaults within the window.
    max_lead : int, default 6
        Longest time (months) between the start of deterioration and default;
        each defaulter's lead is uniform on 2..``max_lead``.
    noise : float, default 1.0
        Scale of the month-to-month noise of the healthy behaviour (0 = none).

    Returns
    -------
    Simulated
        ``data``: one row per account and month up to the account's default
        month (included), with ``account_id``, ``month``, ``utilisation``
        (balance / limit, 0..1), ``days_past_due`` (0, 30, 60, 90) and
        ``complaints`` (count). ``truth``: the arguments and ``accounts``, one
        row per account with ``defaulted``, ``default_month`` (NaN if none)
        and ``onset_month`` (first month of deterioration, NaN if none).

    Notes
    -----
    Healthy month: utilisation :math:`u_i + 0.05\\,\\nu\\,\\epsilon` (clipped to
    0..1) around the account's own level :math:`u_i \\sim \\text{Beta}(2, 5)`;
    30 days past due with probability :math:`0.02\\,\\nu`; complaints
    Poisson(:math:`0.03\\,\\nu`) (:math:`\\nu` = ``noise``). From the onset
    month a defaulter's utilisation rises by 0.08 a month, its chance of a late
    payment by 0.15 a month (and the days past due step up with consecutive
    late months), and its complaint rate triples. Default is in month
    onset + lead, with lead uniform on 2..``max_lead``.

    Examples
    --------
    >>> data, truth = simulate_account_months(500, seed=1)
    >>> list(data.columns)
    ['account_id', 'month', 'utilisation', 'days_past_due', 'complaints']
    >>> int(truth["accounts"]["defaulted"].sum())
    39
    """
    check_number(n_accounts, "n_accounts", min_value=1, integer=True)
    check_number(months, "months", min_value=4, integer=True)
    check_probability(default_rate, "default_rate")
    check_number(max_lead, "max_lead", min_value=2, max_value=months - 1, integer=True)
    check_number(noise, "noise", min_value=0)
    rng = rng_from(seed)
    defaulted = rng.random(n_accounts) < default_rate
    lead = rng.integers(2, max_lead + 1, size=n_accounts)
    default_month = np.where(defaulted, rng.integers(max_lead + 1, months + 1, size=n_accounts), 0)
    onset = np.where(defaulted, default_month - lead, months + 1)
    level = rng.beta(2, 5, size=n_accounts)

    acc = np.repeat(np.arange(n_accounts), months)
    month = np.tile(np.arange(1, months + 1), n_accounts)
    since = np.maximum(month - onset[acc] + 1, 0)          # months into deterioration (0 = healthy)
    util = np.clip(level[acc] + 0.08 * since + 0.05 * noise * rng.normal(size=acc.size), 0, 1)
    p_late = np.clip(0.02 * noise + 0.15 * since, 0, 0.95)
    late = rng.random(acc.size) < p_late
    complaints = rng.poisson(0.03 * noise * np.where(since > 0, 3.0, 1.0))
    frame = pd.DataFrame({"account_id": acc + 1, "month": month, "utilisation": util, "late": late,
                          "complaints": complaints})
    keep = ~defaulted[acc] | (month <= default_month[acc])
    frame = frame[keep].reset_index(drop=True)
    run = frame.groupby([frame["account_id"], (~frame["late"]).cumsum()])["late"].cumsum()   # consecutive late months
    frame["days_past_due"] = (30 * np.minimum(run, 3)).astype(int)
    frame = frame.drop(columns="late")[["account_id", "month", "utilisation", "days_past_due", "complaints"]]
    accounts = pd.DataFrame({"account_id": np.arange(1, n_accounts + 1), "defaulted": defaulted,
                             "default_month": np.where(defaulted, default_month, np.nan),
                             "onset_month": np.where(defaulted, onset, np.nan), "level": level})
    truth = {"n_accounts": n_accounts, "months": months, "default_rate": default_rate, "max_lead": max_lead,
             "noise": noise, "accounts": accounts}
    return Simulated(data=frame, truth=truth)
