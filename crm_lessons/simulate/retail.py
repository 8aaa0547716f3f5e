"""Synthetic retail customers and purchases with categories (合成零售数据).

A customer table (leads, prospects, targets, members, referrals, partners)
and a transaction log with product categories, drawn from stated processes so
that lessons 1.1 (relationship status, formation ladder) and 1.4 (more,
longer, deeper KPIs) can compare their rules with the truth.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import check_number, check_probability
from crm_lessons.simulate._base import Simulated, days_after, rng_from

__all__ = ["CATEGORIES", "simulate_retail"]

#: Product categories of the synthetic shop and their mean ticket (currency units).
CATEGORIES = {"grocery": 25.0, "fresh": 18.0, "household": 35.0, "beauty": 60.0, "electronics": 150.0}


def _poisson_times(rng, starts, ends, rates):
    """Event times of Poisson processes on [start, end) with the given rates (vectorised)."""
    length = np.clip(ends - starts, 0, None)
    counts = rng.poisson(rates * length)
    owner = np.repeat(np.arange(len(starts)), counts)
    times = starts[owner] + rng.uniform(0, 1, owner.size) * length[owner]
    return owner, times


def simulate_retail(n_customers: int, *, seed: int = 0, start: str = "2023-01-01", n_days: int = 730,
                    p_prospect: float = 0.6, p_target: float = 0.5,
                    p_convert: tuple[float, float, float] = (0.1, 0.35, 0.7),
                    mean_interpurchase_days: float = 30.0, mean_lifetime_days: float = 300.0,
                    p_return: float = 0.3, mean_gap_days: float = 150.0,
                    p_member: float = 0.4, member_after: int = 3, p_referred: float = 0.06,
                    p_partner: float = 0.05, partner_after: int = 12) -> Simulated:
    """Draw a customer table and a purchase log with categories.

    Parameters
    ----------
    n_customers : int
        Number of people in the customer table (leads and buyers; some never buy).
    seed : int, default 0
        Random seed.
    start : str, default "2023-01-01"
        First day of the observation window.
    n_days : int, default 730
        Length of the window; purchases after it are dropped.
    p_prospect : float, default 0.6
        Share of leads that become qualified prospects (预期顾客).
    p_target : float, default 0.5
        Share of prospects the firm selects as targets (目标客户).
    p_convert : tuple of 3 floats, default (0.1, 0.35, 0.7)
        Probability of a first purchase for a plain lead, a prospect that is not
        a target, and a target.
    mean_interpurchase_days : float, default 30
        Mean days between purchases while a customer is alive (rates vary
        between customers, gamma with shape 2).
    mean_lifetime_days : float, default 300
        Mean length of a spell of activity (exponential).
    p_return : float, default 0.3
        Probability that a customer who dropped out comes back (win-back) for a
        second spell, after a gap of 60 + exponential(``mean_gap_days``) days.
    p_member : float, default 0.4
        Probability of joining the loyalty programme at the ``member_after``-th purchase.
    p_referred : float, default 0.06
        Share of leads referred by an earlier buyer (``referred_by``).
    p_partner : float, default 0.05
        Probability that a customer reaching ``partner_after`` purchases becomes a partner.

    Returns
    -------
    Simulated
        ``data`` is a dict with ``customers`` (customer_id, lead_date,
        prospect_date, target, member_date, partner_date, referred_by) and
        ``transactions`` (customer_id, date, category, amount); ``truth`` holds
        the parameters and ``spells``: per customer the true purchase rate and
        the start/end of each active spell (NaT where there is none).

    Examples
    --------
    >>> data, truth = simulate_retail(200, seed=1)
    >>> sorted(data)
    ['customers', 'transactions']
    >>> list(data["transactions"].columns)
    ['customer_id', 'date', 'category', 'amount']
    """
    check_number(n_customers, "n_customers", min_value=1, integer=True)
    check_number(n_days, "n_days", min_value=30, integer=True)
    for name, p in [("p_prospect", p_prospect), ("p_target", p_target), ("p_return", p_return),
                    ("p_member", p_member), ("p_referred", p_referred), ("p_partner", p_partner)]:
        check_probability(p, name)
    for i, p in enumerate(p_convert):
        check_probability(p, f"p_convert[{i}]")
    for name, v in [("mean_interpurchase_days", mean_interpurchase_days),
                    ("mean_lifetime_days", mean_lifetime_days), ("mean_gap_days", mean_gap_days)]:
        check_number(v, name, min_value=0, strict=True)
    rng = rng_from(seed)
    n = int(n_customers)
    t0 = pd.Timestamp(start)
    day = pd.to_timedelta(1, "D")

    # Pipeline: lead -> prospect -> target -> first purchase (days from start).
    lead = rng.uniform(-60, 0.8 * n_days, n)
    is_prospect = rng.uniform(size=n) < p_prospect
    prospect = np.where(is_prospect, lead + rng.exponential(20, n), np.nan)
    target = is_prospect & (rng.uniform(size=n) < p_target)
    p_buy = np.where(target, p_convert[2], np.where(is_prospect, p_convert[1], p_convert[0]))
    buys = rng.uniform(size=n) < p_buy
    first = np.where(buys, np.fmax(lead, np.nan_to_num(prospect, nan=-1e9)) + rng.exponential(45, n), np.nan)

    # Spells of activity; Poisson purchases inside them, the first at the spell start.
    rate = rng.gamma(2.0, 1.0 / (2.0 * mean_interpurchase_days), n)
    end1 = first + rng.exponential(mean_lifetime_days, n)
    back = buys & (rng.uniform(size=n) < p_return)
    start2 = np.where(back, end1 + 60 + rng.exponential(mean_gap_days, n), np.nan)
    end2 = start2 + rng.exponential(mean_lifetime_days, n)
    horizon = float(n_days)

    owners, times = [], []
    for s, e in [(first, end1), (start2, end2)]:
        ok = np.isfinite(s) & (s < horizon)
        idx = np.flatnonzero(ok)
        owners.append(idx)
        times.append(s[idx])                       # the purchase that opens the spell
        o, t = _poisson_times(rng, s[idx], np.fmin(e[idx], horizon), rate[idx])
        owners.append(idx[o])
        times.append(t)
    owner = np.concatenate(owners)
    when = np.concatenate(times)
    keep = (when >= 0) & (when < horizon)
    owner, when = owner[keep], np.floor(when[keep])

    # Categories: each customer has preferences over the categories; amounts are gamma.
    cats = np.array(list(CATEGORIES))
    prefs = rng.dirichlet(np.full(len(cats), 0.6), n)
    cum = prefs.cumsum(axis=1)[owner]
    cat_idx = (rng.uniform(size=owner.size)[:, None] > cum).sum(axis=1).clip(max=len(cats) - 1)
    mean_ticket = np.array(list(CATEGORIES.values()))[cat_idx]
    amount = np.round(rng.gamma(4.0, mean_ticket / 4.0), 2)
    tx = pd.DataFrame({"customer_id": owner + 1, "date": t0 + when * day,
                       "category": cats[cat_idx], "amount": amount})
    tx = tx.sort_values(["customer_id", "date"], kind="stable").reset_index(drop=True)

    # Membership and partnership at the k-th purchase; referrals by earlier buyers.
    rank = tx.groupby("customer_id").cumcount() + 1
    kth = lambda k: tx.loc[rank == k].set_index("customer_id")["date"]  # noqa: E731
    ids = np.arange(1, n + 1)
    member_date = kth(member_after).reindex(ids)
    member_date[rng.uniform(size=n) >= p_member] = pd.NaT
    partner_date = kth(partner_after).reindex(ids)
    partner_date[rng.uniform(size=n) >= p_partner] = pd.NaT
    first_seen = tx.groupby("customer_id")["date"].min().reindex(ids)
    referred_by = np.full(n, np.nan)
    lead_ts = days_after(t0, np.floor(lead))
    for i in np.flatnonzero(rng.uniform(size=n) < p_referred):
        earlier = np.flatnonzero((first_seen < lead_ts[i]).to_numpy())
        earlier = earlier[earlier != i]
        if earlier.size:
            referred_by[i] = ids[rng.choice(earlier)]

    customers = pd.DataFrame({
        "customer_id": ids,
        "lead_date": lead_ts,
        "prospect_date": days_after(t0, np.floor(prospect)),
        "target": target,
        "member_date": member_date.to_numpy(),
        "partner_date": partner_date.to_numpy(),
        "referred_by": pd.array(referred_by, dtype="Int64"),
    })
    to_ts = lambda x: days_after(t0, np.floor(x))  # noqa: E731
    spells = pd.DataFrame({"customer_id": ids, "rate_per_day": rate,
                           "spell1_start": to_ts(first), "spell1_end": to_ts(end1),
                           "spell2_start": to_ts(start2), "spell2_end": to_ts(end2)})
    truth = {"categories": dict(CATEGORIES), "category_prefs": prefs, "spells": spells,
             "p_prospect": p_prospect, "p_target": p_target, "p_convert": tuple(p_convert),
             "mean_interpurchase_days": mean_interpurchase_days,
             "mean_lifetime_days": mean_lifetime_days, "p_return": p_return,
             "mean_gap_days": mean_gap_days, "start": t0, "end": t0 + n_days * day}
    return Simulated(data={"customers": customers, "transactions": tx}, truth=truth)
