"""Service fees on small balances (小额账户服务费): fee revenue against the attrition they cause.

The MBA chapter's Citibank Shanghai case (2002): the branch charged customers
whose total deposits were below US$5,000 a service fee of US$6 a month. A fee
like this earns money from the small customers who stay and drives some of them
away; whether the bank gains depends on what the leavers earned and cost. This
module prices that trade-off under a stated attrition elasticity.

Model (an assumption of this course, not in the source)
------------------------------------------------------
A customer with balance :math:`b` earns the bank a yearly margin :math:`m b`
(the spread on deposits) and costs :math:`c` a year to serve. Customers with
:math:`b < T` pay a fee :math:`f` a month; each of them leaves with probability

.. math::

    q(f) = \\min(1,\\ e f),

where :math:`e` (``leave_per_dollar``, the attrition elasticity 流失弹性) is the
share of charged customers who leave per US$1 of monthly fee. Over a year the
change in profit is

.. math::

    \\Delta\\Pi(f) = \\sum_{i: b_i < T} \\big[(1 - q)\\, 12 f - q\\,(m b_i - c)\\big].

A leaver whose margin is below his cost (:math:`m b_i < c`) *raises* profit by
leaving: the fee either pays for the customer's service or sends him away.

Examples
--------
>>> out = fee_outcome([1000, 2000, 50000], fee=6, threshold=5000, leave_per_dollar=0.05,
...                   margin_rate=0.02, cost_per_customer=60)
>>> round(float(out["profit_change"]), 1)     # 0.7 * 2 * 12 * 6 - 0.3 * 0.02 * 3000 + 0.3 * 2 * 60
118.8
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import CRMInputError, check_number

__all__ = ["fee_outcome", "fee_scan", "best_fee"]


def _balances(balances) -> np.ndarray:
    b = np.asarray(balances, dtype=float).ravel()
    if b.size == 0 or not np.all(np.isfinite(b)) or np.any(b < 0):
        raise CRMInputError(f"argument `balances`: needs one or more finite balances >= 0; found "
                            f"{b.size} values{' with a negative or missing one' if b.size else ''}. "
                            "Pass each customer's balance (e.g. a DataFrame column).")
    return b


def _check(fee, threshold, leave_per_dollar, margin_rate, cost_per_customer, months):
    check_number(fee, "fee", min_value=0)
    check_number(threshold, "threshold", min_value=0)
    check_number(leave_per_dollar, "leave_per_dollar", min_value=0)
    check_number(margin_rate, "margin_rate")
    check_number(cost_per_customer, "cost_per_customer", min_value=0)
    check_number(months, "months", min_value=1, integer=True)


def fee_outcome(balances, *, fee: float, threshold: float, leave_per_dollar: float, margin_rate: float,
                cost_per_customer: float, months: int = 12) -> pd.Series:
    """Yearly effect of a monthly fee on balances below a threshold (expected values).

    Parameters
    ----------
    balances : array-like
        Each customer's balance (US$ or yuan), one value per customer.
    fee : float
        Monthly fee charged to customers whose balance is below ``threshold``.
    threshold : float
        Customers with a balance strictly below it are charged.
    leave_per_dollar : float
        Attrition elasticity: share of charged customers who leave per unit of
        monthly fee (0.05 = 5% per US$1; a US$6 fee then loses 30%).
    margin_rate : float
        Yearly margin earned per unit of balance (e.g. 0.02 = 2% spread).
    cost_per_customer : float
        Yearly cost of serving one customer (counters, statements).
    months : int, default 12
        Months of fee counted.

    Returns
    -------
    Series
        ``customers``, ``charged`` (customers below the threshold),
        ``leave_share`` (:math:`q`), ``leavers`` (expected), ``fee_revenue``
        (fees paid by the charged customers who stay), ``lost_margin`` (margin
        of the leavers), ``saved_cost`` (their service cost), ``profit_before``,
        ``profit_change`` and ``profit_after`` (yearly, all customers).

    Raises
    ------
    CRMInputError
        On negative or missing balances, a negative fee, threshold, elasticity or cost.

    Notes
    -----
    .. math::

        q = \\min(1, e f),\\quad
        \\Delta\\Pi = (1-q)\\, n_T\\, \\text{months}\\cdot f - q \\sum_{b_i<T} (m b_i - c),

    with :math:`n_T` the number of charged customers. Expected values: the
    leavers are a share, not a draw.

    References
    ----------
    The Citibank Shanghai case (MBA chapter on CRM, item D45): US$6 a
    month below US$5,000 of deposits. The elasticity is an assumption.

    Examples
    --------
    >>> out = fee_outcome([1000, 2000, 50000], fee=6, threshold=5000, leave_per_dollar=0.05,
    ...                   margin_rate=0.02, cost_per_customer=60)
    >>> out[["charged", "leave_share", "leavers", "fee_revenue", "lost_margin", "saved_cost"]].round(2).tolist()
    [2.0, 0.3, 0.6, 100.8, 18.0, 36.0]
    """
    b = _balances(balances)
    _check(fee, threshold, leave_per_dollar, margin_rate, cost_per_customer, months)
    charged = b < threshold
    n_t = int(charged.sum())
    q = min(1.0, float(leave_per_dollar) * float(fee))
    fee_revenue = (1 - q) * n_t * months * fee
    lost_margin = q * float(margin_rate * b[charged].sum())
    saved_cost = q * n_t * float(cost_per_customer)
    before = float((margin_rate * b - cost_per_customer).sum())
    change = fee_revenue - lost_margin + saved_cost
    return pd.Series({"customers": float(b.size), "charged": float(n_t), "leave_share": q,
                      "leavers": q * n_t, "fee_revenue": fee_revenue, "lost_margin": lost_margin,
                      "saved_cost": saved_cost, "profit_before": before, "profit_change": change,
                      "profit_after": before + change}, name="fee_outcome")


def fee_scan(balances, *, fees, threshold: float, leave_per_dollar: float, margin_rate: float,
             cost_per_customer: float, months: int = 12) -> pd.DataFrame:
    """:func:`fee_outcome` for several fees, one row per fee.

    Examples
    --------
    >>> t = fee_scan([1000, 2000, 50000], fees=[0, 6, 12], threshold=5000, leave_per_dollar=0.05,
    ...              margin_rate=0.02, cost_per_customer=60)
    >>> t["profit_change"].round(1).tolist()
    [0.0, 118.8, 151.2]
    """
    fees = np.asarray(fees, dtype=float).ravel()
    if fees.size == 0:
        raise CRMInputError("argument `fees`: needs one or more fees; found none. Pass e.g. fees=range(0, 21).")
    rows = [fee_outcome(balances, fee=f, threshold=threshold, leave_per_dollar=leave_per_dollar,
                        margin_rate=margin_rate, cost_per_customer=cost_per_customer, months=months)
            for f in fees]
    out = pd.DataFrame(rows).reset_index(drop=True)
    out.insert(0, "fee", fees)
    return out


def best_fee(balances, *, threshold: float, leave_per_dollar: float, margin_rate: float,
             cost_per_customer: float, months: int = 12) -> float:
    """The monthly fee that maximises the yearly profit change (closed form).

    Parameters
    ----------
    balances, threshold, leave_per_dollar, margin_rate, cost_per_customer, months
        As in :func:`fee_outcome`; ``leave_per_dollar`` must be > 0.

    Returns
    -------
    float
        :math:`f^*`, clipped to :math:`[0, 1/e]` (at :math:`1/e` every charged
        customer leaves). NaN when nobody is below the threshold.

    Notes
    -----
    With :math:`M` = months and :math:`\\bar D` the mean yearly profit
    :math:`m b - c` of the charged customers, per charged customer
    :math:`\\Delta\\pi(f) = (1 - e f) M f - e f \\bar D` for :math:`f \\le 1/e`.
    Setting the derivative to zero,

    .. math::

        f^* = \\frac{1}{2e} - \\frac{\\bar D}{2M}.

    Unprofitable small customers (:math:`\\bar D < 0`) push the best fee up:
    losing them is no loss.

    Examples
    --------
    >>> round(best_fee([1000, 2000, 50000], threshold=5000, leave_per_dollar=0.05,
    ...                margin_rate=0.02, cost_per_customer=60), 3)
    11.25
    """
    b = _balances(balances)
    _check(0.0, threshold, leave_per_dollar, margin_rate, cost_per_customer, months)
    check_number(leave_per_dollar, "leave_per_dollar", min_value=0, strict=True)
    charged = b < threshold
    if not charged.any():
        return float("nan")
    d_bar = float((margin_rate * b[charged] - cost_per_customer).mean())
    f = 1 / (2 * leave_per_dollar) - d_bar / (2 * months)
    return float(np.clip(f, 0.0, 1 / leave_per_dollar))
