"""Synthetic subscriptions with known churn hazards (合成订阅数据: 客户保持与客户流失).

Each customer signs up at the start of a month, pays one period at a time and
at the end of every period decides to renew or to leave. Whether she leaves is
drawn from a *known* per-period churn probability, so the retention lesson
(3.3) and the churn lesson (3.4) can compare their estimates with the truth.

The per-period churn probability of customer :math:`i` in segment :math:`s`
(the contract type) is

.. math::

    \\operatorname{logit} p_i = \\operatorname{logit} \\theta_i
        + \\sum_k b_k \\, (x_{ik} - x_k^{\\mathrm{ref}}),
    \\qquad \\theta_i \\sim \\mathrm{Beta}(\\alpha_s, \\beta_s)

(with ``heterogeneity=False``, :math:`\\theta_i` is the segment mean
:math:`\\alpha_s/(\\alpha_s+\\beta_s)` for everybody). Consequences:

* with no covariate effects (``coefficients={}``) the lifetimes of a segment
  follow the shifted-beta-geometric (sBG) model of Fader & Hardie (2007) with
  parameters :math:`(\\alpha_s, \\beta_s)`;
* with ``heterogeneity=False`` the churn probability is exactly logistic in the
  covariates, so a logistic regression of "churned this period" recovers the
  coefficients :math:`b_k` (log-odds per unit) and the segment intercepts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from crm_lessons._validation import CRMInputError, check_number
from crm_lessons.simulate._base import Simulated, rng_from

__all__ = ["simulate_subscriptions", "DEFAULT_SEGMENTS", "DEFAULT_COEFFICIENTS", "REFERENCE_VALUES"]

#: contract type -> (share of customers, alpha, beta) of the Beta distribution of
#: the per-month churn probability. Means: 6.3%, 2.0% and 0.66% a month.
DEFAULT_SEGMENTS = {
    "month-to-month": (0.5, 1.0, 15.0),
    "one-year": (0.3, 1.2, 58.8),
    "two-year": (0.2, 1.0, 150.0),
}

#: covariate -> change in the log-odds of churning in a month per unit of the covariate.
DEFAULT_COEFFICIENTS = {
    "monthly_charge": 0.015,   # per currency unit of the monthly bill
    "support_calls": 0.30,     # per customer-service call last quarter
    "usage_trend": -0.50,      # per standard deviation of usage growth (falling use -> churn)
}

#: covariate values at which the churn probability equals theta (the covariates are centred here).
REFERENCE_VALUES = {"monthly_charge": 65.0, "support_calls": 1.5, "usage_trend": 0.0}


def simulate_subscriptions(n_customers: int = 10_000, *, seed: int = 0, n_periods: int = 36,
                           as_of: str = "2024-12-31", segments: dict | None = None,
                           coefficients: dict | None = None, heterogeneity: bool = True,
                           snapshot: bool = False) -> Simulated:
    """Simulate a subscription base whose churn follows known hazards.

    Parameters
    ----------
    n_customers : int, default 10_000
        Number of customers acquired (before ``snapshot`` filtering).
    seed : int, default 0
        Seed of the random generator.
    n_periods : int, default 36
        Customers join at the start of one of the last ``n_periods`` months
        before ``as_of`` (uniformly), so each is observed 1..n_periods months.
    as_of : str, default "2024-12-31"
        Observation date; the month that ends on it is the last observed month.
    segments : dict, optional
        ``{contract: (share, alpha, beta)}``; default :data:`DEFAULT_SEGMENTS`.
    coefficients : dict, optional
        ``{covariate: log-odds per unit}`` for ``monthly_charge``,
        ``support_calls`` and ``usage_trend``; default :data:`DEFAULT_COEFFICIENTS`.
        Pass ``{}`` for pure sBG lifetimes.
    heterogeneity : bool, default True
        Draw each customer's :math:`\\theta_i` from her segment's Beta
        distribution (True) or give everybody the segment mean (False).
    snapshot : bool, default False
        False: one row per customer ever acquired, ``churned`` = left by
        ``as_of`` (for cohort, Kaplan-Meier and sBG analysis). True: only the
        customers active at the start of the last month, ``churned`` = left
        during that month (a telco-style churn-prediction table).

    Returns
    -------
    Simulated
        ``data`` with columns ``customer_id, contract, monthly_charge,
        support_calls, usage_trend, start_date`` (first day of the first month),
        ``end_date`` (last day of the last month paid; NaT while active),
        ``tenure`` (months with the firm up to ``end_date`` or ``as_of``),
        ``churned`` (bool); ``truth`` with ``segments``, ``coefficients``,
        ``reference``, ``intercepts`` (log-odds of each contract at covariates
        0, valid with ``heterogeneity=False``), ``heterogeneity``,
        ``p_churn`` (each row's true monthly churn probability, a Series
        aligned with ``data``) and the settings.

    Raises
    ------
    CRMInputError
        Bad sizes, shares that do not sum to 1, non-positive alpha/beta, an
        unknown covariate name.

    Notes
    -----
    A customer with churn probability :math:`p_i` leaves at renewal
    :math:`T_i \\sim \\mathrm{Geometric}(p_i)`, :math:`P(T_i=t)=p_i(1-p_i)^{t-1}`;
    observed for :math:`k_i` months she is censored when :math:`T_i>k_i`.
    Mixing :math:`\\theta \\sim \\mathrm{Beta}(\\alpha,\\beta)` over the geometric
    gives the sBG: :math:`S(t)=B(\\alpha,\\beta+t)/B(\\alpha,\\beta)`.

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention.
    *Journal of Interactive Marketing*, 21(1), 76-90.

    Examples
    --------
    >>> data, truth = simulate_subscriptions(2_000, seed=1)
    >>> data.columns.tolist()[:4]
    ['customer_id', 'contract', 'monthly_charge', 'support_calls']
    >>> truth["segments"]["month-to-month"]
    (0.5, 1.0, 15.0)
    >>> bool(data.loc[~data["churned"], "end_date"].isna().all())
    True
    """
    check_number(n_customers, "n_customers", min_value=1, integer=True)
    check_number(n_periods, "n_periods", min_value=1, integer=True)
    rng = rng_from(seed)
    segments = dict(DEFAULT_SEGMENTS if segments is None else segments)
    coefficients = dict(DEFAULT_COEFFICIENTS if coefficients is None else coefficients)
    _check_segments(segments)
    unknown = set(coefficients) - set(REFERENCE_VALUES)
    if unknown:
        raise CRMInputError(
            f"argument `coefficients`: unknown covariate(s) {sorted(unknown)}; "
            f"found keys {sorted(coefficients)}. Use only {sorted(REFERENCE_VALUES)}."
        )
    names = list(segments)
    shares = np.array([segments[s][0] for s in names], float)
    alphas = np.array([segments[s][1] for s in names], float)
    betas = np.array([segments[s][2] for s in names], float)

    n = int(n_customers)
    seg = rng.choice(len(names), size=n, p=shares / shares.sum())
    x = {
        "monthly_charge": np.round(rng.uniform(20.0, 110.0, n), 2),
        "support_calls": rng.poisson(1.5, n),
        "usage_trend": np.round(rng.normal(0.0, 1.0, n), 2),
    }
    if heterogeneity:
        theta = rng.beta(alphas[seg], betas[seg])
    else:
        theta = (alphas / (alphas + betas))[seg]
    theta = np.clip(theta, 1e-12, 1 - 1e-12)
    eta = logit(theta)
    for k, b in coefficients.items():
        eta = eta + b * (x[k] - REFERENCE_VALUES[k])
    p = expit(eta)
    # Geometric(p) lifetimes by inversion; a clip keeps p=1e-12 finite
    u = rng.random(n)
    T = np.maximum(1, np.ceil(np.log1p(-u) / np.log1p(-np.clip(p, 1e-12, 1 - 1e-12)))).astype(np.int64)
    k_obs = rng.integers(1, int(n_periods) + 1, n)
    churned = T <= k_obs
    tenure = np.minimum(T, k_obs)

    end_month = pd.Period(pd.Timestamp(as_of), freq="M").ordinal + 1   # month after as_of starts here
    start_ord = end_month - k_obs
    start = pd.PeriodIndex.from_ordinals(start_ord, freq="M").to_timestamp()
    # the last day of the last month paid for
    end = pd.PeriodIndex.from_ordinals(start_ord + np.minimum(T, k_obs) - 1, freq="M").to_timestamp(how="end").normalize()
    end = end.where(churned, pd.NaT)

    data = pd.DataFrame({
        "customer_id": np.arange(1, n + 1),
        "contract": pd.Categorical.from_codes(seg, categories=names),
        "monthly_charge": x["monthly_charge"],
        "support_calls": x["support_calls"],
        "usage_trend": x["usage_trend"],
        "start_date": start,
        "end_date": end,
        "tenure": tenure,
        "churned": churned,
    })
    p_churn = pd.Series(p, index=data.index, name="p_churn")
    if snapshot:
        keep = T >= k_obs
        data = data.loc[keep].copy()
        data["churned"] = T[keep] == k_obs[keep]
        data["end_date"] = data["end_date"].where(data["churned"], pd.NaT)
        p_churn = p_churn.loc[keep]
        data = data.reset_index(drop=True)
        p_churn = p_churn.reset_index(drop=True)

    mean_logit = {s: float(logit(alphas[i] / (alphas[i] + betas[i]))) for i, s in enumerate(names)}
    shift = sum(b * REFERENCE_VALUES[k] for k, b in coefficients.items())
    truth = {
        "segments": segments,
        "coefficients": coefficients,
        "reference": dict(REFERENCE_VALUES),
        "intercepts": {s: v - shift for s, v in mean_logit.items()},
        "heterogeneity": bool(heterogeneity),
        "snapshot": bool(snapshot),
        "n_periods": int(n_periods),
        "as_of": pd.Timestamp(as_of),
        "p_churn": p_churn,
    }
    return Simulated(data=data, truth=truth)


def _check_segments(segments: dict) -> None:
    if not segments:
        raise CRMInputError("argument `segments`: must name at least one segment; found {}. "
                            "Pass e.g. {'basic': (1.0, 1.0, 10.0)}.")
    for name, spec in segments.items():
        if len(spec) != 3 or min(spec) <= 0:
            raise CRMInputError(
                f"argument `segments`, segment {name!r}: must be (share, alpha, beta), all > 0; "
                f"found {spec!r}. Pass e.g. (0.5, 1.0, 15.0)."
            )
    total = sum(spec[0] for spec in segments.values())
    if abs(total - 1) > 1e-6:
        raise CRMInputError(
            f"argument `segments`: the shares must sum to 1; found {total:g}. Rescale the shares."
        )
