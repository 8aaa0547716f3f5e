"""Customer operations (客户经营): the monthly dashboard's rates, control limits, class audits (lesson 10.1).

* :func:`monthly_rates` -- active customers, retention (留存率) and repurchase
  (复购率) month by month from a transaction log;
* :func:`control_limits` -- a p-chart: which month's rate moved beyond noise;
* :func:`class_changes` -- how many customers change class when one threshold
  of a rules table moves (rules as in
  :func:`crm_lessons.segmentation.tier_by_rules`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import CRMInputError, check_dataframe, check_number, require_columns
from crm_lessons.segmentation import tier_by_rules
from crm_lessons.tables import TRANSACTIONS

__all__ = ["class_changes", "control_limits", "monthly_rates"]


def monthly_rates(transactions: pd.DataFrame, *, customer_col: str = "customer_id", date_col: str = "date",
                  amount_col: str = "amount") -> pd.DataFrame:
    """Active customers, retention and repurchase, month by month (月度经营指标).

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase: customer, date, amount.
    customer_col, date_col, amount_col : str
        Column names.

    Returns
    -------
    DataFrame
        Indexed by month (Period): ``active`` (customers who bought),
        ``new`` (first purchase ever), ``retained`` (active last month and this
        month), ``retention`` = retained / last month's active, ``repeat``
        (active this month and bought in an earlier month), ``repurchase`` =
        repeat / active, ``revenue``.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 2, 1, 3, 1, 2],
    ...                    "date": ["2024-01-05", "2024-01-09", "2024-02-02", "2024-02-10", "2024-03-01", "2024-03-03"],
    ...                    "amount": [10.0, 20.0, 5.0, 8.0, 7.0, 9.0]})
    >>> monthly_rates(tx)[["active", "new", "retained", "retention", "repurchase"]]
             active  new  retained  retention  repurchase
    month
    2024-01       2    2         0        NaN         0.0
    2024-02       2    1         1        0.5         0.5
    2024-03       2    0         1        0.5         1.0
    """
    log = TRANSACTIONS.read(transactions, arg="transactions", customer_col=customer_col, date_col=date_col,
                            amount_col=amount_col)
    log["month"] = log["date"].dt.to_period("M")
    months = pd.period_range(log["month"].min(), log["month"].max(), freq="M", name="month")
    active = log.groupby("month")["customer_id"].agg(lambda s: set(s)).reindex(months, fill_value=set())
    first = log.groupby("customer_id")["month"].min()
    rows, seen, prev = [], set(), set()
    for month, now in active.items():
        rows.append({"active": len(now), "new": int((first == month).sum()), "retained": len(now & prev),
                     "retention": len(now & prev) / len(prev) if prev else np.nan,
                     "repeat": len(now & seen), "repurchase": len(now & seen) / len(now) if now else np.nan})
        seen |= now
        prev = now
    out = pd.DataFrame(rows, index=months)
    out["revenue"] = log.groupby("month")["amount"].sum().reindex(months, fill_value=0.0)
    return out


def control_limits(successes, trials, *, sigma: float = 3.0) -> pd.DataFrame:
    """p-chart of a monthly rate: centre line, limits and the months beyond them (控制限).

    Parameters
    ----------
    successes, trials : array-like or Series
        Per period: the count of successes (e.g. retained customers) and of
        trials (e.g. last month's active customers).
    sigma : float, default 3
        Width of the limits in standard errors.

    Returns
    -------
    DataFrame
        ``rate``, ``centre``, ``lower``, ``upper`` and ``signal`` (True when
        the rate lies outside the limits), indexed like ``successes``.

    Notes
    -----
    .. math:: \\bar p = \\frac{\\sum_t k_t}{\\sum_t n_t},\\qquad
              \\bar p \\pm \\sigma\\sqrt{\\bar p(1-\\bar p)/n_t}

    (Shewhart's p-chart; textbook, not in the course material). A stable
    process puts a month outside 3-sigma limits about 0.3% of the time.

    Examples
    --------
    >>> control_limits([45, 50, 30], [100, 100, 100]).round(3)
       rate  centre  lower  upper  signal
    0  0.45   0.417  0.269  0.565   False
    1  0.50   0.417  0.269  0.565   False
    2  0.30   0.417  0.269  0.565   False
    """
    k = pd.Series(successes, dtype=float)
    n = pd.Series(np.asarray(trials, dtype=float), index=k.index)
    check_number(sigma, "sigma", min_value=0, strict=True)
    if len(k) != len(n) or (n <= 0).any() or (k < 0).any() or (k > n).any():
        raise CRMInputError("argument `successes`/`trials`: need one count per period with 0 <= successes <= trials "
                            f"and trials > 0; found {len(k)} and {len(n)} periods. Drop periods without trials.")
    p = k.sum() / n.sum()
    half = sigma * np.sqrt(p * (1 - p) / n)
    rate = k / n
    return pd.DataFrame({"rate": rate, "centre": p, "lower": (p - half).clip(lower=0), "upper": (p + half).clip(upper=1),
                         "signal": (rate < p - half) | (rate > p + half)})


def class_changes(data: pd.DataFrame, rules: pd.DataFrame, *, column: str, tier: str, values) -> pd.DataFrame:
    """How many customers change class when one threshold of a rules table moves (分类阈值敏感性).

    Parameters
    ----------
    data : DataFrame
        One row per customer with the measures the rules use.
    rules : DataFrame
        Rules table of :func:`crm_lessons.segmentation.tier_by_rules`.
    column : str
        The rules column that moves (``min_<measure>``).
    tier : str
        The tier (row of ``rules``) whose threshold moves.
    values : iterable of float
        Thresholds to try.

    Returns
    -------
    DataFrame
        One row per threshold: ``threshold``, ``changed`` (customers whose tier
        differs from the tier under the original rules), ``changed_share`` and
        the count in each tier.

    Examples
    --------
    >>> rules = pd.DataFrame({"tier": ["high", "low"], "min_spend": [100.0, float("nan")]})
    >>> data = pd.DataFrame({"spend": [50.0, 90.0, 120.0, 300.0]})
    >>> class_changes(data, rules, column="min_spend", tier="high", values=[80, 100, 150])
       threshold  changed  changed_share  high  low
    0       80.0        1           0.25     3    1
    1      100.0        0           0.00     2    2
    2      150.0        1           0.25     1    3
    """
    check_dataframe(data, arg="data")
    check_dataframe(rules, arg="rules")
    require_columns(rules, ["tier", column], arg="rules")
    if tier not in set(rules["tier"]):
        raise CRMInputError(f"argument `tier`: must be a tier of the rules {list(rules['tier'])}; found {tier!r}.")
    base = tier_by_rules(data, rules)["tier"].astype(str)
    rows = []
    for v in values:
        moved = rules.copy()
        moved.loc[moved["tier"] == tier, column] = float(v)
        t = tier_by_rules(data, moved)["tier"].astype(str)
        counts = t.value_counts().reindex(list(rules["tier"]), fill_value=0)
        rows.append({"threshold": float(v), "changed": int((t != base).sum()),
                     "changed_share": float((t != base).mean()), **counts.to_dict()})
    return pd.DataFrame(rows)
