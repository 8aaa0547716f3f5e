"""Synthetic restaurant visits with known customer grades (合成餐厅客户消费记录).

The slides' restaurant (富丽华·华膳楼) grades its customers A quality, A active,
B and C by average monthly visits, monthly spend and spend per head. Here each
customer is born with a true grade and visits, brings guests and spends at
that grade's rates, so that lesson 2.5 and its tests can check how well the
grading rules (:data:`crm_lessons.segmentation.RESTAURANT_RULES`) recover the
true grades from a few months of visits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import CRMInputError, check_date, check_number
from crm_lessons.simulate._base import Simulated, rng_from

__all__ = ["GRADES", "simulate_restaurant_visits"]

#: True grades (English, Chinese), best first, as in the slides.
GRADES = (("A quality", "A级品质客户"), ("A active", "A级活跃客户"), ("B", "B级客户"), ("C", "C级客户"))


def _per_grade(value, name: str, *, strict: bool = True) -> np.ndarray:
    arr = np.asarray(value, dtype=float)
    if arr.shape != (len(GRADES),):
        raise CRMInputError(f"argument `{name}`: needs one number per grade {[g for g, _ in GRADES]}; "
                            f"found {value!r}. Pass a tuple of {len(GRADES)} numbers.")
    for j, v in enumerate(arr):
        check_number(float(v), f"{name}[{j}]", min_value=0, strict=strict)
    return arr


def simulate_restaurant_visits(n_customers: int, *, months: int = 6, seed: int = 0, start: str = "2024-01-01",
                               grade_shares=(0.05, 0.10, 0.25, 0.60),
                               monthly_visits=(9.0, 8.0, 5.0, 1.5),
                               party_size=(8.0, 11.0, 6.5, 4.0),
                               spend_per_head=(100.0, 68.0, 60.0, 45.0),
                               heterogeneity: float = 0.05, noise: float = 0.15) -> Simulated:
    """Draw a restaurant's visit log from customers with known grades.

    Parameters
    ----------
    n_customers : int
        Number of customers (each gets a true grade).
    months : int, default 6
        Length of the log in calendar months from ``start``.
    seed : int, default 0
        Random seed.
    start : str, default "2024-01-01"
        First day of the log.
    grade_shares : 4 floats, default (0.05, 0.10, 0.25, 0.60)
        Probability of each grade (A quality, A active, B, C); must sum to 1.
    monthly_visits : 4 floats, default (9, 8, 5, 1.5)
        Mean visits per month by grade (lunch and dinner count separately).
    party_size : 4 floats, default (8, 11, 6.5, 4)
        Mean number of guests per visit by grade (>= 1).
    spend_per_head : 4 floats, default (100, 68, 60, 45)
        Mean spend per guest in yuan by grade.
    heterogeneity : float, default 0.05
        Standard deviation of the log of each customer's own rates around its
        grade's rates (0 = all customers of a grade alike).
    noise : float, default 0.15
        Standard deviation of the log of spend per head from visit to visit.

    Returns
    -------
    Simulated
        ``data``: one row per visit, sorted by date then customer, with
        ``customer_id``, ``date``, ``party_size`` and ``amount`` (yuan, whole).
        ``truth``: the arguments, and ``customers``, one row per customer with
        the true ``grade`` (ordered categorical), ``grade_zh``, and the
        customer's own ``monthly_visits``, ``party_size`` (mean guests),
        ``spend_per_head`` and ``monthly_spend`` (their product). Customers
        with no visit in the window are in the truth but not in the log.

    Notes
    -----
    Customer *i* of grade *g* has rates :math:`\\lambda_i = \\lambda_g e^{\\sigma z}`,
    :math:`m_i = 1 + (m_g - 1) e^{\\sigma z'}`, :math:`h_i = h_g e^{\\sigma z''}`
    (:math:`\\sigma` = ``heterogeneity``). The number of visits is
    Poisson(:math:`\\lambda_i \\times` months), days uniform in the window;
    each visit has :math:`1 + \\text{Poisson}(m_i - 1)` guests who spend
    :math:`h_i e^{\\epsilon - \\tau^2/2}`, :math:`\\epsilon \\sim N(0, \\tau^2)` each
    on average (:math:`\\tau` = ``noise``), so the expected spend per head is :math:`h_i`.
    With the defaults every grade's rates lie inside that grade's rules of
    :data:`crm_lessons.segmentation.RESTAURANT_RULES`.

    Examples
    --------
    >>> visits, truth = simulate_restaurant_visits(200, seed=1)
    >>> list(visits.columns)
    ['customer_id', 'date', 'party_size', 'amount']
    >>> truth["customers"]["grade"].value_counts(sort=False).tolist()
    [8, 16, 56, 120]
    """
    check_number(n_customers, "n_customers", min_value=1, integer=True)
    check_number(months, "months", min_value=1, integer=True)
    check_number(heterogeneity, "heterogeneity", min_value=0)
    check_number(noise, "noise", min_value=0)
    shares = _per_grade(grade_shares, "grade_shares", strict=False)
    if abs(shares.sum() - 1) > 1e-9:
        raise CRMInputError(f"argument `grade_shares`: must sum to 1; found {shares.sum():g}. "
                            "Pass e.g. grade_shares=(0.05, 0.10, 0.25, 0.60).")
    visits_g = _per_grade(monthly_visits, "monthly_visits")
    party_g = _per_grade(party_size, "party_size")
    if (party_g < 1).any():
        raise CRMInputError(f"argument `party_size`: each mean must be >= 1 guest; found {party_size!r}.")
    head_g = _per_grade(spend_per_head, "spend_per_head")
    first = check_date(start, "start", example="2024-01-01").normalize()
    n_days = ((first + pd.DateOffset(months=months)) - first).days

    rng = rng_from(seed)
    grade = rng.choice(len(GRADES), size=n_customers, p=shares)
    z = rng.normal(0.0, heterogeneity, size=(3, n_customers))
    rate = visits_g[grade] * np.exp(z[0])
    party = 1 + (party_g[grade] - 1) * np.exp(z[1])
    head = head_g[grade] * np.exp(z[2])

    counts = rng.poisson(rate * months)
    owner = np.repeat(np.arange(n_customers), counts)
    day = rng.integers(0, n_days, size=owner.size)
    guests = 1 + rng.poisson(party[owner] - 1)
    per_head = head[owner] * np.exp(rng.normal(-noise ** 2 / 2, noise, size=owner.size))
    visits = pd.DataFrame({"customer_id": owner + 1, "date": first + pd.to_timedelta(day, unit="D"),
                           "party_size": guests.astype(int), "amount": np.round(guests * per_head)})
    visits = visits.sort_values(["date", "customer_id"], kind="stable").reset_index(drop=True)

    names = [g for g, _ in GRADES]
    customers = pd.DataFrame({
        "customer_id": np.arange(1, n_customers + 1),
        "grade": pd.Categorical(np.asarray(names, dtype=object)[grade], categories=names, ordered=True),
        "grade_zh": np.asarray([zh for _, zh in GRADES], dtype=object)[grade],
        "monthly_visits": rate, "party_size": party, "spend_per_head": head,
        "monthly_spend": rate * party * head,
    })
    truth = {"grades": names, "grade_shares": tuple(shares), "monthly_visits": tuple(visits_g),
             "party_size": tuple(party_g), "spend_per_head": tuple(head_g), "heterogeneity": heterogeneity,
             "noise": noise, "months": months, "start": first, "customers": customers}
    return Simulated(data=visits, truth=truth)
