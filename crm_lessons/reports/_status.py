"""One definition of customer status for every report (客户状态), and who the purchase models can judge.

A customer is **active** if the last purchase is at most ``active_days`` days
before the as-of date, **at risk** up to ``lapsed_days`` days, and **lapsed**
after that. The customer-value and retention-churn reports both use this
definition, with the same parameters, so their shares agree.

The BG/NBD model's P(alive) is 1 for a customer who bought only once, however
long ago (the model assumes a customer can only drop out right after a repeat
purchase). It says nothing about one-time buyers, so :func:`p_alive_repeat`
leaves it empty for them and the reports judge them by their status alone.

Examples
--------
>>> import pandas as pd
>>> customer_status(pd.Series([10, 120, 546]), active_days=90, lapsed_days=180).tolist()
['active', 'at risk', 'lapsed']
>>> status_label("at risk", "zh")
'有流失风险'
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from crm_lessons._validation import CRMInputError
from crm_lessons.reports._registry import Param

__all__ = ["MIN_REPEAT_CUSTOMERS", "STATUSES", "STATUS_PARAMS", "Models", "check_status_params", "class_customers",
           "customer_status",
           "fit_models", "fit_summary", "p_alive_repeat", "status_label"]

#: Fewest repeat customers with which the BG/NBD and Gamma-Gamma fits are attempted.
MIN_REPEAT_CUSTOMERS = 20

STATUSES = ("active", "at risk", "lapsed")
_ZH = {"active": "活跃", "at risk": "有流失风险", "lapsed": "已流失"}

#: The status parameters every customer report takes.
STATUS_PARAMS = (
    Param("active_days", int, 90, "a customer is active if the last purchase is at most this many days ago",
          min_value=1, max_value=3650),
    Param("lapsed_days", int, 180, "days without purchase after which a customer counts as lapsed",
          min_value=2, max_value=3650),
)


def check_status_params(active_days: int, lapsed_days: int) -> None:
    """``active_days`` must be below ``lapsed_days``."""
    if not active_days < lapsed_days:
        raise CRMInputError(
            f"argument `--param active_days`: must be less than lapsed_days ({lapsed_days}); found {active_days}. "
            f"Pass e.g. --param active_days={max(1, lapsed_days // 2)}."
        )


def customer_status(days_since_last: pd.Series, *, active_days: int, lapsed_days: int) -> pd.Series:
    """Status of each customer from the days since the last purchase (ordered categorical)."""
    check_status_params(active_days, lapsed_days)
    d = days_since_last.to_numpy()
    codes = np.where(d <= active_days, 0, np.where(d <= lapsed_days, 1, 2)).astype(np.int8)  # STATUSES' order
    return pd.Series(pd.Categorical.from_codes(codes, categories=STATUSES, ordered=True),
                     index=days_since_last.index, name="status")


def class_customers(customers: pd.DataFrame) -> pd.DataFrame:
    """Add each customer's ABC class (by spend) and pyramid tier (by CLV when estimated, else spend), in place.

    Shared by the in-memory and the engine paths of the customer-value report.
    """
    from crm_lessons import segmentation

    customers["abc_class"] = segmentation.abc_classes(customers["monetary"])["abc_class"]
    ranked_by = customers["clv"] if "clv" in customers else customers["monetary"]
    customers["tier"] = segmentation.customer_pyramid(ranked_by)["tier"]
    customers.index.name = "customer_id"
    return customers


def status_label(status: str, lang: str) -> str:
    """The status in the report's language."""
    return _ZH[status] if lang == "zh" else status


def p_alive_repeat(model, summary: pd.DataFrame) -> pd.Series:
    """BG/NBD P(alive) of repeat customers; empty (NaN) for one-time buyers, of whom the model cannot tell."""
    p = model.probability_alive(summary["frequency"].to_numpy(), summary["recency"].to_numpy(),
                                summary["T"].to_numpy())
    return pd.Series(np.where(summary["frequency"].to_numpy() > 0, p, np.nan), index=summary.index, name="p_alive")


class Models(NamedTuple):
    """The per-customer summary and the fitted models, or the plain-words reason they could not be fitted."""

    summary: pd.DataFrame
    bgnbd: object | None
    gamma_gamma: object | None
    reason: str  # "" when fitted


def fit_models(data: pd.DataFrame, *, as_of, tr, spend: bool = True) -> Models:
    """Fit BG/NBD (and Gamma-Gamma when ``spend``) to the log; on failure give the reason in plain words.

    The models measure customer age T to the end of the as-of day, so a
    customer first seen on that day has T = 1 day, not 0.
    """
    from crm_lessons.customer_summary import summary_from_transactions

    summary = summary_from_transactions(data, as_of=as_of + pd.Timedelta(days=1), time_unit="W", period="D")
    summary = summary.set_index("customer_id")
    return fit_summary(summary, tr=tr, spend=spend)


def fit_summary(summary: pd.DataFrame, *, tr, spend: bool = True, profiles: pd.DataFrame | None = None,
                repeat_spend: pd.DataFrame | None = None) -> Models:
    """:func:`fit_models` on a customer summary (weeks) already made.

    An engine passes instead the distinct ``(frequency, recency, T)`` profiles with
    their customer counts ``n`` and the repeat customers' ``frequency,
    monetary_value`` (the fits are the same: the BG/NBD likelihood depends on a
    customer only through the profile); ``summary`` is then returned as given.
    """
    from crm_lessons.purchase_models import BetaGeoModel, ConvergenceError
    from crm_lessons.spend_model import GammaGammaModel

    if profiles is None:
        profiles = summary.reset_index()
        repeat_spend = profiles
        weights = None
        n_customers = len(summary)
    else:
        profiles = profiles.copy()
        profiles.attrs["time_unit"] = "W"
        weights = "n"
        n_customers = int(profiles["n"].sum())
    repeat = int(profiles.loc[profiles["frequency"] > 0, "n"].sum()) if weights else int((profiles["frequency"] > 0).sum())
    if repeat < MIN_REPEAT_CUSTOMERS:
        return Models(summary, None, None, tr(
            f"only {repeat:,} of the {n_customers:,} customers bought on more than one day; the models need at "
            f"least {MIN_REPEAT_CUSTOMERS} such repeat customers. A longer period or a larger group of customers "
            "would make it estimable.",
            f"{n_customers:,} 位客户中只有 {repeat:,} 位在不止一天购买过；模型至少需要 {MIN_REPEAT_CUSTOMERS} 位"
            "回头客。换用更长的时期或更大的客户群即可估计。"))
    try:
        bg = BetaGeoModel().fit(profiles, weights_col=weights)
        gg = GammaGammaModel().fit(repeat_spend) if spend else None
    except (CRMInputError, ConvergenceError):
        return Models(summary, None, None, tr(
            "the purchase history does not pin the models down (for example when hardly anyone has stopped "
            "buying yet, or all purchases fall within a few days). A longer period would make it estimable.",
            "购买记录不足以确定模型（例如几乎没有客户停止购买，或所有购买集中在几天内）。换用更长的时期即可估计。"))
    return Models(summary, bg, gg, "")
