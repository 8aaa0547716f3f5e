"""Customer lifetime value (客户终身价值) and customer equity (客户资产).

Customer lifetime value is the discounted sum of everything the firm earns
from a customer over the whole relationship, net of the costs of winning,
selling to and serving the customer. This module has

* the **closed-form** CLV of a customer who stays each period with
  probability ``retention`` (:func:`clv_closed_form`) and its extension with
  the factors the course lists -- lifecycle length, discount rate, retention
  rate, referral rate, income change, retention cost, marketing cost
  (:func:`clv_model`), with a sensitivity table and tornado chart
  (:func:`clv_sensitivity`, :func:`plot_tornado`);
* **retention economics** for lesson 1.2: lifetime profit as a function of
  retention (:func:`lifetime_profit`) and the Reichheld--Sasser table of the
  profit gained from 5 points lower defection (:func:`defection_profit_table`);
* **probabilistic CLV**: BG/NBD or Pareto/NBD purchases times Gamma-Gamma
  spend, discounted period by period (:func:`customer_lifetime_value`);
* **customer equity**: the discounted CLV of current plus future customers,
  under scenarios (:func:`customer_equity`, :func:`equity_scenarios`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._mle import compress, summary_arrays
from crm_lessons._validation import CRMInputError, check_fitted, check_number, check_probability

__all__ = [
    "CLV_FACTORS",
    "INDUSTRY_PROFILES",
    "clv_closed_form",
    "clv_model",
    "clv_sensitivity",
    "customer_equity",
    "customer_lifetime_value",
    "defection_profit_table",
    "equity_scenarios",
    "lifetime_profit",
    "new_customer_value",
    "plot_retention_profit",
    "plot_tornado",
]


# --------------------------------------------------------------------------- closed form
def _geometric_sum(q, horizon):
    """sum_{t=0}^{horizon-1} q^t (horizon=None: infinite, needs q < 1)."""
    q = np.asarray(q, float)
    if horizon is None:
        if np.any(q >= 1):
            raise CRMInputError(
                "argument `horizon`: an infinite horizon needs retention * (1 + margin_growth) < 1 + discount_rate; "
                "found a growing value stream. Pass a finite horizon (e.g. horizon=20).")
        return 1.0 / (1.0 - q)
    n = float(horizon)
    near_one = np.isclose(q, 1.0)
    safe = np.where(near_one, 0.5, q)
    return np.where(near_one, n, (1.0 - safe ** n) / (1.0 - safe))


def _check_horizon(horizon):
    if horizon is not None:
        check_number(horizon, "horizon", min_value=1, integer=True)


def clv_closed_form(margin, retention, discount_rate, *, horizon: int | None = None,
                    acquisition_cost: float = 0.0):
    """Closed-form CLV of a customer retained each period with a constant probability.

    The customer pays ``margin`` at the start of every period while retained
    (the first period for certain), cash flows are discounted at
    ``discount_rate`` per period, and ``acquisition_cost`` is paid up front.

    Parameters
    ----------
    margin : float or array
        Margin (profit) per period from an active customer.
    retention : float or array
        Probability that a customer active in one period is active in the next.
    discount_rate : float
        Discount rate per period (e.g. 0.1 for 10% a year).
    horizon : int, optional
        Number of periods; ``None`` (default) for an infinite horizon.
    acquisition_cost : float, default 0
        Cost of winning the customer, subtracted once.

    Returns
    -------
    float or ndarray

    Notes
    -----
    .. math::

        CLV = \\sum_{t=0}^{N-1} m \\left(\\frac{r}{1+d}\\right)^t - AC
            = m\\,\\frac{1 - \\left(\\frac{r}{1+d}\\right)^N}{1 - \\frac{r}{1+d}} - AC
            \\xrightarrow{N\\to\\infty} m\\,\\frac{1+d}{1+d-r} - AC

    References
    ----------
    Gupta, S. & Lehmann, D. R. (2003). Customers as assets. Journal of
    Interactive Marketing 17(1), 9-24.

    Examples
    --------
    >>> round(clv_closed_form(100, 0.8, 0.1), 2)          # 100 * 1.1 / 0.3
    366.67
    >>> round(clv_closed_form(100, 0.8, 0.1, horizon=3, acquisition_cost=50), 2)
    175.62
    """
    for name, v in (("margin", margin), ("retention", retention)):
        if not np.all(np.isfinite(np.asarray(v, float))):
            raise CRMInputError(f"argument `{name}`: must be finite; found {v!r}.")
    r = np.asarray(retention, float)
    if np.any((r < 0) | (r > 1)):
        raise CRMInputError(f"argument `retention`: must be a probability, 0 <= retention <= 1; found {retention!r}. "
                            "Write percentages as fractions (80% -> 0.8).")
    check_number(discount_rate, "discount_rate", min_value=-1, strict=True)
    check_number(acquisition_cost, "acquisition_cost", min_value=0)
    _check_horizon(horizon)
    val = np.asarray(margin, float) * _geometric_sum(r / (1 + discount_rate), horizon) - acquisition_cost
    return float(val) if np.ndim(val) == 0 else val


#: Factors of CLV named in the course (lesson 2.3), as arguments of :func:`clv_model`.
CLV_FACTORS = {
    "horizon": "lifecycle length (客户关系生命周期长度)",
    "discount_rate": "discount rate (贴现率)",
    "retention": "retention rate (客户维持率)",
    "referral_rate": "referral rate (产品被提及率)",
    "margin_growth": "income change (客户收入变化)",
    "retention_cost": "retention cost (关系维系成本)",
    "acquisition_cost": "marketing cost (营销费用)",
    "margin": "margin per period (每期利润)",
}


def clv_model(*, margin: float = 100.0, retention: float = 0.8, discount_rate: float = 0.1,
              horizon: int | None = 10, margin_growth: float = 0.0, referral_rate: float = 0.0,
              retention_cost: float = 0.0, acquisition_cost: float = 0.0) -> float:
    """CLV with the factors of the course: lifecycle, discounting, retention, referrals, income change, costs.

    Parameters
    ----------
    margin : float
        Margin in the first period.
    retention : float
        Retention rate per period.
    discount_rate : float
        Discount rate per period.
    horizon : int or None
        Lifecycle length in periods (``None``: infinite).
    margin_growth : float
        Growth of the customer's margin per period of tenure (income change;
        may be negative).
    referral_rate : float
        New customers referred per active customer and period; each referred
        customer is worth the transaction value below (their own referrals are
        not counted).
    retention_cost : float
        Cost per active period of keeping the customer (service, loyalty offers).
    acquisition_cost : float
        Marketing cost of winning the customer, paid once.

    Returns
    -------
    float

    Notes
    -----
    With :math:`q = r(1+g)/(1+d)` and :math:`S_N(x) = \\sum_{t=0}^{N-1} x^t`:

    .. math::

        V_{tx} = m\\,S_N(q) - c\\,S_N\\!\\left(\\tfrac{r}{1+d}\\right),\\qquad
        CLV = V_{tx} + \\rho\\,S_N\\!\\left(\\tfrac{r}{1+d}\\right) V_{tx} - AC

    (transaction value, referral value with referral rate :math:`\\rho`,
    minus acquisition cost).

    Examples
    --------
    >>> round(clv_model(margin=100, retention=0.8, discount_rate=0.1, horizon=None), 2)
    366.67
    >>> round(clv_model(horizon=None, referral_rate=0.1), 2)     # 366.67 * (1 + 0.1 * 3.667)
    501.11
    """
    check_number(margin, "margin")
    check_probability(retention, "retention")
    check_number(discount_rate, "discount_rate", min_value=-1, strict=True)
    _check_horizon(horizon)
    check_number(margin_growth, "margin_growth", min_value=-1, strict=True)
    check_number(referral_rate, "referral_rate", min_value=0)
    check_number(retention_cost, "retention_cost", min_value=0)
    check_number(acquisition_cost, "acquisition_cost", min_value=0)
    survive = _geometric_sum(retention / (1 + discount_rate), horizon)
    v_tx = margin * _geometric_sum(retention * (1 + margin_growth) / (1 + discount_rate), horizon) \
        - retention_cost * survive
    return float(v_tx * (1 + referral_rate * survive) - acquisition_cost)


def clv_sensitivity(base: dict | None = None, *, change: float = 0.2, ranges: dict | None = None) -> pd.DataFrame:
    """Sensitivity of :func:`clv_model` to each factor, one at a time (for a tornado chart).

    Parameters
    ----------
    base : dict, optional
        Base values of :func:`clv_model`'s arguments; default a 10-period
        customer with margin 100, retention 0.8, discount 10%, margin growth
        3%, referral rate 0.05, retention cost 10, acquisition cost 50.
    change : float, default 0.2
        Relative change of each factor down and up (20%); retention is capped
        below 1, the horizon rounded to whole periods.
    ranges : dict, optional
        ``factor -> (low, high)`` overriding the relative change.

    Returns
    -------
    DataFrame
        One row per factor, sorted by ``swing`` (largest first): ``factor,
        label, low, high, clv_low, clv_high, swing`` and ``base_clv``.

    Examples
    --------
    >>> t = clv_sensitivity()
    >>> t.iloc[0]["factor"]
    'retention'
    >>> round(float(t["base_clv"].iloc[0]), 1)
    351.2
    """
    params = {"margin": 100.0, "retention": 0.8, "discount_rate": 0.1, "horizon": 10, "margin_growth": 0.03,
              "referral_rate": 0.05, "retention_cost": 10.0, "acquisition_cost": 50.0}
    if base is not None:
        unknown = sorted(set(base) - set(params))
        if unknown:
            raise CRMInputError(f"argument `base`: unknown factors {unknown}; use keys of {sorted(params)}.")
        params.update(base)
    check_number(change, "change", min_value=0, max_value=1, strict=True)
    ranges = dict(ranges or {})
    base_clv = clv_model(**params)
    rows = []
    for factor in CLV_FACTORS:
        value = params[factor]
        if factor in ranges:
            low, high = ranges[factor]
        elif factor == "horizon":
            if value is None:
                continue
            low, high = max(1, round(value * (1 - change))), max(1, round(value * (1 + change)))
        else:
            low, high = value * (1 - change), value * (1 + change)
            if factor == "retention":
                high = min(high, 0.999)
        clv_low = clv_model(**{**params, factor: low})
        clv_high = clv_model(**{**params, factor: high})
        rows.append({"factor": factor, "label": CLV_FACTORS[factor], "low": low, "high": high,
                     "clv_low": clv_low, "clv_high": clv_high, "swing": abs(clv_high - clv_low)})
    out = pd.DataFrame(rows).sort_values("swing", ascending=False, ignore_index=True)
    out["base_clv"] = base_clv
    return out


def plot_tornado(table: pd.DataFrame, *, ax=None):
    """Tornado chart of a :func:`clv_sensitivity` table: CLV at each factor's low and high value.

    Returns
    -------
    matplotlib.axes.Axes
    """
    from crm_lessons._validation import require_columns
    require_columns(table, ["factor", "clv_low", "clv_high", "base_clv"], arg="table")
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(7, 0.45 * len(table) + 1.2))
    base = float(table["base_clv"].iloc[0])
    t = table.iloc[::-1]
    y = np.arange(len(t))
    ax.barh(y, t["clv_low"] - base, left=base, color="tab:red", label="factor at its low value")
    ax.barh(y, t["clv_high"] - base, left=base, color="tab:blue", label="factor at its high value")
    ax.axvline(base, color="black", linewidth=1)
    # plain English words, not the parameter names (the Chinese term would need a CJK font)
    labels = (t["label"].astype(str).str.split(" (", regex=False).str[0] if "label" in t
              else t["factor"].astype(str).str.replace("_", " "))
    ax.set_yticks(y, labels)
    ax.set_xlabel("Customer lifetime value")
    ax.set_title("Sensitivity of CLV to each factor")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    return ax


# --------------------------------------------------------------------------- retention economics
def lifetime_profit(retention, *, margin: float = 1.0, margin_growth: float = 0.0, discount_rate: float = 0.1,
                    acquisition_cost: float = 0.0, horizon: int | None = 30):
    """Net present value of a customer's profit stream as a function of the retention rate.

    Vectorised over ``retention``; the customer pays ``margin * (1 +
    margin_growth)^t`` in year ``t`` of tenure while retained, minus
    ``acquisition_cost`` up front (see :func:`clv_model`).

    Examples
    --------
    >>> import numpy as np
    >>> np.round(lifetime_profit([0.5, 0.9], horizon=None), 3)
    array([1.833, 5.5  ])
    """
    r = np.asarray(retention, float)
    if np.any((r < 0) | (r > 1)) or not np.all(np.isfinite(r)):
        raise CRMInputError(f"argument `retention`: must be probabilities in [0, 1]; found {retention!r}.")
    check_number(margin_growth, "margin_growth", min_value=-1, strict=True)
    check_number(discount_rate, "discount_rate", min_value=-1, strict=True)
    check_number(acquisition_cost, "acquisition_cost", min_value=0)
    _check_horizon(horizon)
    val = margin * _geometric_sum(r * (1 + margin_growth) / (1 + discount_rate), horizon) - acquisition_cost
    return float(val) if np.ndim(val) == 0 else val


#: Industry profiles for :func:`defection_profit_table`: retention rate,
#: margin growth per year of tenure, acquisition cost in units of the
#: first-year margin, and the published profit increase (Reichheld & Sasser
#: 1990, in the course's figures-and-cases handout). Retention and growth are stated assumptions (long
#: relationships and margins that grow with tenure in credit cards, short ones
#: in mail order); the acquisition cost was chosen once, to one decimal, so
#: that the model lands near the published figure.
INDUSTRY_PROFILES = pd.DataFrame({
    "industry": ["mail order", "auto service chain", "software", "insurance brokerage", "credit card"],
    "industry_zh": ["邮购", "汽车维修连锁店", "软件", "保险经纪", "信用卡"],
    "retention": [0.55, 0.60, 0.70, 0.80, 0.85],
    "margin_growth": [0.00, 0.02, 0.03, 0.03, 0.08],
    "acquisition_cost": [1.0, 1.4, 1.6, 2.2, 4.1],
    "published_increase_pct": [20, 30, 35, 50, 125],
})


def defection_profit_table(profiles: pd.DataFrame | None = None, *, defection_cut: float = 0.05,
                           discount_rate: float = 0.1, horizon: int = 30) -> pd.DataFrame:
    """Profit increase from cutting defection by ``defection_cut``, per industry (Reichheld--Sasser).

    For each industry profile the net present value of a customer's profit
    (:func:`lifetime_profit`, margin 1 in the first year) is computed at its
    retention rate ``r`` and at ``r + defection_cut``.

    Parameters
    ----------
    profiles : DataFrame, optional
        Columns ``industry, retention, margin_growth, acquisition_cost``;
        default :data:`INDUSTRY_PROFILES`.
    defection_cut : float, default 0.05
        Reduction of the yearly defection rate (5 percentage points).
    discount_rate : float, default 0.1
        Yearly discount rate.
    horizon : int, default 30
        Years of relationship counted.

    Returns
    -------
    DataFrame
        The profile columns plus ``npv_base``, ``npv_improved`` and
        ``model_increase_pct`` (and ``published_increase_pct`` when given).

    Notes
    -----
    .. math::

        \\text{increase} = \\frac{NPV(r + 0.05) - NPV(r)}{NPV(r)},\\quad
        NPV(r) = \\sum_{t=0}^{N-1}\\left(\\frac{r(1+g)}{1+d}\\right)^t - AC

    The increase is largest where relationships are long, margins grow with
    tenure and acquisition eats much of the first years' profit.

    References
    ----------
    Reichheld, F. F. & Sasser, W. E. (1990). Zero defections: Quality comes
    to services. Harvard Business Review 68(5), 105-111.

    Examples
    --------
    >>> t = defection_profit_table()
    >>> t[["industry", "model_increase_pct", "published_increase_pct"]].round(0)
                  industry  model_increase_pct  published_increase_pct
    0           mail order                20.0                      20
    1   auto service chain                31.0                      30
    2             software                35.0                      35
    3  insurance brokerage                51.0                      50
    4          credit card               123.0                     125
    """
    from crm_lessons._validation import require_columns
    profiles = INDUSTRY_PROFILES if profiles is None else profiles
    require_columns(profiles, ["industry", "retention", "margin_growth", "acquisition_cost"], arg="profiles")
    check_probability(defection_cut, "defection_cut")
    out = profiles.copy()
    kw = {"discount_rate": discount_rate, "horizon": horizon}
    base = np.array([lifetime_profit(r, margin_growth=g, acquisition_cost=ac, **kw)
                     for r, g, ac in zip(out["retention"], out["margin_growth"], out["acquisition_cost"])])
    better = np.array([lifetime_profit(min(r + defection_cut, 1.0), margin_growth=g, acquisition_cost=ac, **kw)
                       for r, g, ac in zip(out["retention"], out["margin_growth"], out["acquisition_cost"])])
    if np.any(base <= 0):
        raise CRMInputError("argument `profiles`: a customer's lifetime profit is <= 0 at the base retention; "
                            "lower acquisition_cost or raise retention for that industry.")
    out["npv_base"] = base
    out["npv_improved"] = better
    out["model_increase_pct"] = 100 * (better - base) / base
    return out


def plot_retention_profit(*, margin: float = 1.0, margin_growth: float = 0.0, discount_rate: float = 0.1,
                          acquisition_cost: float = 0.0, horizon: int | None = 30, ax=None):
    """Line chart of lifetime profit against the retention rate (rises steeply towards 1).

    Returns
    -------
    matplotlib.axes.Axes
    """
    r = np.linspace(0, 0.99, 100)
    v = lifetime_profit(r, margin=margin, margin_growth=margin_growth, discount_rate=discount_rate,
                        acquisition_cost=acquisition_cost, horizon=horizon)
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(7, 4))
    ax.plot(r, v)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xlabel("Retention rate per period")
    ax.set_ylabel("Lifetime profit (NPV)")
    ax.set_title("Lifetime profit as a function of retention")
    return ax


# --------------------------------------------------------------------------- probabilistic CLV
def _period_length(purchase_model, period_length):
    if period_length is not None:
        check_number(period_length, "period_length", min_value=0, strict=True)
        return float(period_length)
    from crm_lessons.customer_summary import TIME_UNIT_DAYS
    unit = getattr(purchase_model, "time_unit_", None)
    if unit is None:
        raise CRMInputError(
            "argument `period_length`: the purchase model does not know its time unit; found none. "
            "Pass period_length in the model's time unit (e.g. 4.348 weeks for a month).")
    return TIME_UNIT_DAYS["M"] / TIME_UNIT_DAYS[unit]


def customer_lifetime_value(purchase_model, spend_model, summary: pd.DataFrame, *, horizon: int = 12,
                            period_length: float | None = None, discount_rate: float = 0.01, margin: float = 1.0,
                            customer_col: str = "customer_id", frequency_col: str = "frequency",
                            recency_col: str = "recency", T_col: str = "T",
                            monetary_value_col: str = "monetary_value") -> pd.DataFrame:
    """Discounted probabilistic CLV per customer: expected purchases x expected spend x margin.

    The horizon is cut into ``horizon`` periods of ``period_length`` model
    time units (default one month, from the model's ``time_unit_``); the
    purchases expected in each period (differences of the conditional
    expectation) are valued at the Gamma-Gamma expected spend and discounted
    at ``discount_rate`` per period -- the method of ``lifetimes``'
    ``customer_lifetime_value``.

    Parameters
    ----------
    purchase_model : BetaGeoModel or ParetoNBDModel
        Fitted purchase model.
    spend_model : GammaGammaModel
        Fitted spend model.
    summary : DataFrame
        Customer summary (same time unit as the purchase model's fit).
    horizon : int, default 12
        Number of periods.
    period_length : float, optional
        Length of a period in model time units.
    discount_rate : float, default 0.01
        Discount rate per period (e.g. monthly).
    margin : float, default 1
        Profit margin on spend (0.3 = 30%).

    Returns
    -------
    DataFrame
        ``customer_id, expected_purchases, expected_spend, clv`` in the
        order of ``summary``.

    Notes
    -----
    .. math::

        CLV_i = m\\, E[Z_i]\\sum_{k=1}^{H}
        \\frac{E[Y_i(kL)] - E[Y_i((k-1)L)]}{(1+d)^k}

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: Using
    iso-value curves for customer base analysis. Journal of Marketing
    Research 42(4), 415-430.

    Examples
    --------
    >>> import pandas as pd
    >>> from crm_lessons.purchase_models import BetaGeoModel
    >>> from crm_lessons.spend_model import GammaGammaModel
    >>> bg = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> gg = GammaGammaModel.from_params(p=6.25, q=3.74, gamma=15.44)
    >>> summ = pd.DataFrame({"customer_id": [1, 2], "frequency": [2, 0], "recency": [30.43, 0.0],
    ...                      "T": [38.86, 38.86], "monetary_value": [22.35, 0.0]})
    >>> customer_lifetime_value(bg, gg, summ, period_length=4.348).round(2)
       customer_id  expected_purchases  expected_spend   clv
    0            1                1.56           24.66  36.31
    1            2                0.25           35.22   8.37
    """
    check_fitted(purchase_model)
    check_fitted(spend_model)
    check_number(horizon, "horizon", min_value=1, integer=True)
    check_number(discount_rate, "discount_rate", min_value=-1, strict=True)
    check_number(margin, "margin", min_value=0)
    length = _period_length(purchase_model, period_length)
    arr = summary_arrays(summary, {"frequency_col": frequency_col, "recency_col": recency_col, "T_col": T_col,
                                   "monetary_value_col": monetary_value_col, "customer_col": customer_col})
    (x, tx, T), _, inv = compress(arr["frequency"], arr["recency"], arr["T"])
    steps = np.arange(1, horizon + 1) * length
    cum = np.column_stack([np.zeros(x.size)] + [purchase_model.expected_purchases(t, x, tx, T) for t in steps])
    per_period = np.diff(cum, axis=1)
    discount = (1 + discount_rate) ** -np.arange(1, horizon + 1, dtype=float)
    purchases = (per_period @ discount)[inv]
    spend = spend_model.expected_spend(arr["frequency"], arr["monetary_value"])
    return pd.DataFrame({"customer_id": summary[customer_col].to_numpy(),
                         "expected_purchases": cum[inv, -1],
                         "expected_spend": spend,
                         "clv": margin * spend * purchases})


def new_customer_value(purchase_model, spend_model, *, horizon: int = 12, period_length: float | None = None,
                       discount_rate: float = 0.01, margin: float = 1.0) -> float:
    """Discounted expected value of a newly acquired customer (first purchase plus repeat purchases).

    Uses the unconditional expectation ``E[X(t)]`` and the population mean
    spend; the first purchase is valued at the mean spend, undiscounted.

    Examples
    --------
    >>> from crm_lessons.purchase_models import BetaGeoModel
    >>> from crm_lessons.spend_model import GammaGammaModel
    >>> bg = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> gg = GammaGammaModel.from_params(p=6.25, q=3.74, gamma=15.44)
    >>> round(new_customer_value(bg, gg, period_length=4.348), 2)
    83.59
    """
    check_fitted(purchase_model)
    check_fitted(spend_model)
    check_number(horizon, "horizon", min_value=1, integer=True)
    check_number(discount_rate, "discount_rate", min_value=-1, strict=True)
    length = _period_length(purchase_model, period_length)
    steps = np.arange(0, horizon + 1) * length
    cum = np.asarray(purchase_model.expected_purchases_unconditional(steps), float)
    discount = (1 + discount_rate) ** -np.arange(1, horizon + 1, dtype=float)
    return float(margin * spend_model.mean_spend() * (1 + np.diff(cum) @ discount))


# --------------------------------------------------------------------------- customer equity
def customer_equity(current_clv, *, new_customers_per_period: float = 0.0, new_customer_clv: float = 0.0,
                    acquisition_cost: float = 0.0, discount_rate: float = 0.1, periods: int = 5) -> dict:
    """Customer equity: discounted CLV of the current customers plus the customers still to be won.

    Parameters
    ----------
    current_clv : float or array
        CLV of each current customer (an array is summed), or their total.
    new_customers_per_period : float
        Customers acquired at the end of each of the next ``periods`` periods.
    new_customer_clv : float
        CLV of a new customer at acquisition (before acquisition cost).
    acquisition_cost : float
        Cost of acquiring one new customer.
    discount_rate : float
        Discount rate per period.
    periods : int
        Number of future acquisition periods counted.

    Returns
    -------
    dict
        ``current``, ``future`` and ``total`` equity.

    Notes
    -----
    .. math::

        CE = \\sum_{i \\in \\text{current}} CLV_i + \\sum_{t=1}^{P}
        \\frac{n_t\\,(CLV_{new} - AC)}{(1+d)^t}

    References
    ----------
    Blattberg, R. C. & Deighton, J. (1996). Manage marketing by the customer
    equity test. Harvard Business Review 74(4), 136-144.

    Examples
    --------
    >>> e = customer_equity([100.0, 50.0], new_customers_per_period=10, new_customer_clv=80,
    ...                     acquisition_cost=30, discount_rate=0.1, periods=2)
    >>> {k: round(v, 1) for k, v in e.items()}
    {'current': 150.0, 'future': 867.8, 'total': 1017.8}
    """
    cur = np.asarray(current_clv, float)
    if not np.all(np.isfinite(cur)):
        raise CRMInputError("argument `current_clv`: values must be finite; found a missing or infinite CLV.")
    check_number(new_customers_per_period, "new_customers_per_period", min_value=0)
    check_number(new_customer_clv, "new_customer_clv")
    check_number(acquisition_cost, "acquisition_cost", min_value=0)
    check_number(discount_rate, "discount_rate", min_value=-1, strict=True)
    check_number(periods, "periods", min_value=0, integer=True)
    disc = (1 + discount_rate) ** -np.arange(1, periods + 1, dtype=float)
    future = float(new_customers_per_period * (new_customer_clv - acquisition_cost) * disc.sum())
    current = float(cur.sum())
    return {"current": current, "future": future, "total": current + future}


def equity_scenarios(*, n_customers: float = 1000, new_customers_per_period: float = 200,
                     margin: float = 100.0, retention: float = 0.75, discount_rate: float = 0.1,
                     acquisition_cost: float = 120.0, periods: int = 5, horizon: int | None = 20,
                     scenarios: dict | None = None) -> pd.DataFrame:
    """Customer equity under scenarios that change acquisition, retention or margin.

    Each customer's CLV is the closed form (:func:`clv_closed_form`), current
    customers already acquired, new customers won each period at
    ``acquisition_cost``. A scenario is a dict of overrides of these
    arguments; the default scenarios raise acquisition by 20% (at 10% higher
    cost), retention by 5 points, and margin by 10%.

    Returns
    -------
    DataFrame
        One row per scenario (``base`` first): the inputs, ``clv``,
        ``equity_current``, ``equity_future``, ``equity`` and
        ``change_pct`` against the base.

    Examples
    --------
    >>> t = equity_scenarios()
    >>> t.set_index("scenario")["change_pct"].round(1).to_dict()
    {'base': 0.0, 'acquisition +20%': 4.0, 'retention +5 pts': 19.8, 'margin +10%': 12.0}
    """
    base = {"n_customers": n_customers, "new_customers_per_period": new_customers_per_period, "margin": margin,
            "retention": retention, "discount_rate": discount_rate, "acquisition_cost": acquisition_cost,
            "periods": periods, "horizon": horizon}
    if scenarios is None:
        scenarios = {
            "acquisition +20%": {"new_customers_per_period": new_customers_per_period * 1.2,
                                 "acquisition_cost": acquisition_cost * 1.1},
            "retention +5 pts": {"retention": min(retention + 0.05, 1.0)},
            "margin +10%": {"margin": margin * 1.1},
        }
    rows = []
    for name, over in {"base": {}, **scenarios}.items():
        unknown = sorted(set(over) - set(base))
        if unknown:
            raise CRMInputError(f"argument `scenarios`: scenario {name!r} has unknown keys {unknown}; "
                                f"use keys of {sorted(base)}.")
        s = {**base, **over}
        clv = clv_closed_form(s["margin"], s["retention"], s["discount_rate"], horizon=s["horizon"])
        eq = customer_equity(s["n_customers"] * clv, new_customers_per_period=s["new_customers_per_period"],
                             new_customer_clv=clv, acquisition_cost=s["acquisition_cost"],
                             discount_rate=s["discount_rate"], periods=s["periods"])
        rows.append({"scenario": name, **s, "clv": clv, "equity_current": eq["current"],
                     "equity_future": eq["future"], "equity": eq["total"]})
    out = pd.DataFrame(rows)
    out["change_pct"] = 100 * (out["equity"] / out["equity"].iloc[0] - 1)
    return out
