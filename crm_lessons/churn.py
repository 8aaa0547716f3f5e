"""Customer churn (客户流失): measures, types, prediction, early warning and win-back.

* churn-rate measures: :func:`period_churn_rates` (customer and revenue churn
  by period), :func:`convert_churn_rate` (monthly <-> annual);
* the course's six churn types (客户流失的类型), four bases of quantitative
  identification (定量识别) and six causes: :class:`ChurnType`,
  :func:`churn_types`, :data:`IDENTIFICATION_INDICATORS`, :data:`CHURN_CAUSES`;
* churn prediction with a held-out test set: :func:`fit_churn_models`
  (logistic regression and a gradient-boosted tree ensemble), :func:`auc`,
  :func:`gains_table`, :func:`calibration_table` and plots;
* acting on the scores: :func:`early_warning_list`, :func:`threshold_table`
  (hit and false-alarm rates), :func:`winback_priority`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from sklearn.base import BaseEstimator, ClassifierMixin

from crm_lessons.tables import DURATIONS, Column
from crm_lessons._validation import (
    CRMInputError,
    check_choice,
    check_dataframe,
    check_no_missing,
    check_number,
    check_numeric,
    check_probability,
    check_rows,
    require_columns,
    show_value,
    where,
)

#: Subscriptions (合约): start date, end date (empty while active) and optional revenue per period.
SUBSCRIPTIONS = DURATIONS.extend(Column("value", "value", "number", min=0, doc="revenue per period"))

__all__ = [
    "SUBSCRIPTIONS",
    "ChurnType",
    "churn_types",
    "IDENTIFICATION_INDICATORS",
    "CHURN_CAUSES",
    "DEFAULT_WINBACK_RATES",
    "period_churn_rates",
    "convert_churn_rate",
    "auc",
    "gains_table",
    "calibration_table",
    "ChurnModel",
    "ChurnModels",
    "fit_churn_models",
    "plot_roc",
    "plot_gains",
    "plot_lift",
    "plot_calibration",
    "early_warning_list",
    "threshold_table",
    "winback_priority",
]


# --------------------------------------------------------------------------- course concepts
class ChurnType(str, Enum):
    """The six churn types of the course (客户流失的主要类型): the lecture plan, lesson 3/4.

    Each member's value is its English key; ``.chinese`` gives the course term.

    Examples
    --------
    >>> ChurnType.POACHED.chinese
    '被竞争对手挖走的客户'
    >>> ChurnType("forced").chinese
    '被迫离开的客户'
    """

    DROPPED_BY_FIRM = "dropped_by_firm"
    LEFT_VOLUNTARILY = "left_voluntarily"
    POACHED = "poached"
    ATTRACTED_AWAY = "attracted_away"
    FORCED = "forced"
    OTHER = "other"

    @property
    def chinese(self) -> str:
        return _CHURN_TYPE_INFO[self][0]

    @property
    def description(self) -> str:
        return _CHURN_TYPE_INFO[self][1]


_CHURN_TYPE_INFO = {
    ChurnType.DROPPED_BY_FIRM: ("企业主动放弃的客户",
                                "The firm ends the relationship: unprofitable, high-risk or bad-debt customers.",
                                "Usually not worth winning back; check the decision was deliberate."),
    ChurnType.LEFT_VOLUNTARILY: ("自己主动离开的客户",
                                 "The customer leaves of her own accord, mostly from dissatisfaction "
                                 "with product, service, price or a neglected detail.",
                                 "Find and fix the cause; apologise and offer a remedy."),
    ChurnType.POACHED: ("被竞争对手挖走的客户",
                        "A competitor actively takes the customer, e.g. with a departing sales rep "
                        "or an aggressive offer.",
                        "Counter-offer quickly; secure relationships beyond one employee."),
    ChurnType.ATTRACTED_AWAY: ("被竞争对手吸引走的客户",
                               "The customer is drawn by a competitor's better product, price or brand.",
                               "Close the value gap (delivered value); win back with the improved offer."),
    ChurnType.FORCED: ("被迫离开的客户",
                       "The customer has to leave: moved away, went out of business, "
                       "lost the need, market change.",
                       "Little to do; stay in touch for a later return or referral."),
    ChurnType.OTHER: ("其他原因离开的客户",
                      "Any other reason (including unknown).",
                      "Ask: an exit survey turns 'other' into a known type."),
}


def churn_types() -> pd.DataFrame:
    """The six churn types as a table: key, Chinese term, description, suggested response.

    Examples
    --------
    >>> churn_types()["chinese"].tolist()[:2]
    ['企业主动放弃的客户', '自己主动离开的客户']
    """
    return pd.DataFrame(
        [{"type": t.value, "chinese": info[0], "description": info[1], "response": info[2]}
         for t, info in _CHURN_TYPE_INFO.items()]
    )


#: The course's four bases of quantitative churn identification (客户流失的定量识别) and the
#: indicators that measure each; the column ``helper`` names the function of this package
#: that computes it (None when the data must come from outside the customer base).
IDENTIFICATION_INDICATORS = pd.DataFrame([
    {"basis": "customer-based", "chinese": "以客户为基础",
     "indicator": "customer churn rate, retention rate, average customer lifetime (1 / churn rate)",
     "helper": "period_churn_rates, convert_churn_rate"},
    {"basis": "market-based", "chinese": "以市场为基础",
     "indicator": "market share and its change; share of the customer's purchases (share of wallet)",
     "helper": None},
    {"basis": "finance-based", "chinese": "以企业财务为基础",
     "indicator": "revenue churn rate (lost revenue / revenue at start), sales growth, profit from lost customers",
     "helper": "period_churn_rates(value_col=...)"},
    {"basis": "competitiveness-based", "chinese": "以企业竞争力为基础",
     "indicator": "share of lost customers going to each competitor; our win rate against them",
     "helper": "winback_priority (by reason)"},
])

#: The course's six causes of churn (客户流失的原因).
CHURN_CAUSES = pd.DataFrame([
    {"cause": "staff turnover takes customers along", "chinese": "公司人员流动导致客户流失"},
    {"cause": "competitors take customers", "chinese": "竞争对手夺走客户"},
    {"cause": "market fluctuation", "chinese": "市场波动导致失去客户"},
    {"cause": "neglected details", "chinese": "细节的疏忽使客户离去"},
    {"cause": "broken trust (integrity problems)", "chinese": "诚信问题让客户失去"},
    {"cause": "a big firm bullies its customers", "chinese": "店大欺客,客户不堪承受压力"},
])

#: Illustrative win-back probabilities by churn type (assumptions for the lesson, not data):
#: customers the firm dropped are not pursued; forced leavers rarely return.
DEFAULT_WINBACK_RATES = {
    ChurnType.DROPPED_BY_FIRM.value: 0.0,
    ChurnType.LEFT_VOLUNTARILY.value: 0.25,
    ChurnType.POACHED.value: 0.20,
    ChurnType.ATTRACTED_AWAY.value: 0.30,
    ChurnType.FORCED.value: 0.05,
    ChurnType.OTHER.value: 0.10,
}


# --------------------------------------------------------------------------- churn measures
def period_churn_rates(subscriptions: pd.DataFrame, *, start_col: str = "start_date",
                       end_col: str = "end_date", value_col: str | None = None,
                       period: str = "M") -> pd.DataFrame:
    """Customer (and revenue) churn rate of every period of a subscription table.

    Parameters
    ----------
    subscriptions : DataFrame
        One row per customer with a start date and an end date (the last day
        served; missing while the customer is still active).
    start_col, end_col : str
        Column names of the start and end dates.
    value_col : str, optional
        Revenue per period of each customer (e.g. the monthly charge); adds
        revenue churn.
    period : {"M", "Q", "Y"}, default "M"

    Returns
    -------
    DataFrame
        Index ``period``; columns ``active`` (customers served in the
        period), ``new`` (joined in it), ``churned`` (left at its end),
        ``churn_rate`` = churned / active, ``retention_rate`` = 1 - churn_rate;
        with ``value_col`` also ``revenue_active``, ``revenue_churned`` and
        ``revenue_churn_rate``. The last period is the one holding the latest date.

    Notes
    -----
    .. math:: c_p = \\frac{\\#\\{i: \\text{last period served} = p\\}}{\\#\\{i: \\text{served in } p\\}}

    Revenue churn weights each customer by ``value_col``; it exceeds
    customer churn when high-paying customers leave more often.

    Examples
    --------
    >>> subs = pd.DataFrame({"start_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01"]),
    ...                      "end_date": pd.to_datetime(["2024-01-31", None, "2024-02-29"])})
    >>> period_churn_rates(subs)[["active", "new", "churned", "churn_rate"]]
             active  new  churned  churn_rate
    period
    2024-01       2    2        1         0.5
    2024-02       2    1        1         0.5
    """
    check_choice(period, "period", ["M", "Q", "Y"])
    subs = SUBSCRIPTIONS.read(subscriptions, arg="subscriptions", start_col=start_col, end_col=end_col,
                              value_col=value_col)
    start, end = subs["start_date"], subs["end_date"]
    check_rows(subs, end.notna() & (end < start), end, arg="subscriptions", column=end_col, col_arg="end_col",
               rule="the end date must not be before the start date", show=lambda v: str(v.date()),
               fix="Correct the dates or swap the columns.")
    sp = _codes(start, period)
    last = int(max(sp.max(), _codes(end.dropna(), period).max() if end.notna().any() else sp.max()))
    ep = np.full(len(sp), last, dtype=np.int64)
    has_end = end.notna().to_numpy()
    ep[has_end] = _codes(end[has_end], period)
    p0 = int(sp.min())
    n = last - p0 + 1
    weights = [None] if value_col is None else [None, subs["value"].to_numpy()]
    out = {}
    for w in weights:
        # active in p  <=>  start <= p <= end : +1 at start, -1 after end, cumulative sum
        delta = (np.bincount(sp - p0, weights=w, minlength=n + 1)
                 - np.bincount(ep - p0 + 1, weights=w, minlength=n + 1))
        active = np.cumsum(delta)[:n]
        churned = np.bincount(ep[has_end] - p0, weights=None if w is None else w[has_end], minlength=n)[:n]
        if w is None:
            out["active"] = active.astype(int)
            out["new"] = np.bincount(sp - p0, minlength=n)[:n]
            out["churned"] = churned.astype(int)
        else:
            out["revenue_active"] = active
            out["revenue_churned"] = churned
    res = pd.DataFrame(out, index=pd.PeriodIndex.from_ordinals(np.arange(p0, last + 1), freq=period))
    res.index.name = "period"
    with np.errstate(invalid="ignore", divide="ignore"):
        res["churn_rate"] = res["churned"] / res["active"]
        res["retention_rate"] = 1 - res["churn_rate"]
        if value_col is not None:
            res["revenue_churn_rate"] = res["revenue_churned"] / res["revenue_active"]
    return res


def _codes(dates: pd.Series, period: str) -> np.ndarray:
    return pd.PeriodIndex(pd.DatetimeIndex(dates), freq=period).asi8


def convert_churn_rate(rate: float, *, from_periods: float = 1, to_periods: float = 12) -> float:
    """Convert a churn rate between period lengths, assuming a constant rate.

    ``from_periods`` and ``to_periods`` are lengths in a common unit (months by
    default: monthly -> annual is ``from_periods=1, to_periods=12``).

    Notes
    -----
    .. math:: c_{\\text{to}} = 1 - (1 - c_{\\text{from}})^{\\text{to}/\\text{from}}

    A monthly churn of 2% is an annual churn of 21.5%, not 24%.

    Examples
    --------
    >>> round(convert_churn_rate(0.02), 4)
    0.2153
    >>> round(convert_churn_rate(0.2153, from_periods=12, to_periods=1), 4)
    0.02
    """
    check_probability(rate, "rate", allow_one=False)
    check_number(from_periods, "from_periods", min_value=0, strict=True)
    check_number(to_periods, "to_periods", min_value=0, strict=True)
    return float(1 - (1 - rate) ** (to_periods / from_periods))


# --------------------------------------------------------------------------- model evaluation
def _check_scores(y, score, name_y="y_true", name_s="score"):
    y = np.asarray(y)
    s = np.asarray(score, dtype=float)
    if y.shape != s.shape or y.ndim != 1:
        raise CRMInputError(
            f"arguments `{name_y}` and `{name_s}`: must be 1-d and of equal length; found shapes "
            f"{y.shape} and {s.shape}. Pass one outcome and one score per customer."
        )
    if not np.isin(y, [0, 1, True, False]).all():
        raise CRMInputError(
            f"argument `{name_y}`: values must be 0/1 (1 = churned); found {sorted(set(np.unique(y).tolist()))[:5]}. "
            "Code the outcome as 1 for churners and 0 for stayers."
        )
    if not np.isfinite(s).all():
        raise CRMInputError(f"argument `{name_s}`: values must be finite numbers; found NaN or inf. "
                            "Drop or impute customers without a score.")
    y = y.astype(int)
    if y.min() == y.max():
        raise CRMInputError(
            f"argument `{name_y}`: needs both churners (1) and stayers (0); found only {y[0]}. "
            "Use a larger or different sample."
        )
    return y, s


def auc(y_true, score) -> float:
    """Area under the ROC curve: the probability that a random churner scores above a random stayer.

    Notes
    -----
    Mann-Whitney form, ties counted as one half:

    .. math:: \\mathrm{AUC} = \\frac{R_1 - n_1(n_1+1)/2}{n_1 n_0}

    with :math:`R_1` the sum of the (mid-)ranks of the churners' scores.

    Examples
    --------
    >>> auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    y, s = _check_scores(y_true, score)
    r = rankdata(s)
    n1 = y.sum()
    n0 = len(y) - n1
    return float((r[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def gains_table(y_true, score, *, n_bins: int = 10) -> pd.DataFrame:
    """Gains and lift by score decile (or ``n_bins`` groups), highest scores first.

    Returns
    -------
    DataFrame
        One row per group: ``decile`` (1 = highest scores), ``customers``,
        ``churners``, ``churn_rate``, ``lift`` (= churn_rate / overall rate),
        ``cum_customers_share``, ``cum_churners_share`` (gains, the share of
        all churners captured so far), ``cum_lift``. The first row's
        ``cum_churners_share`` is the top-decile capture.

    Notes
    -----
    Customers are sorted by score, highest first (ties in input order) and
    split into groups as equal as possible (``np.array_split``).

    Examples
    --------
    >>> g = gains_table([1, 1, 0, 1, 0, 0, 0, 0, 0, 0], [.9, .8, .7, .6, .5, .4, .3, .2, .1, 0], n_bins=5)
    >>> g[["decile", "churners", "lift", "cum_churners_share"]].round(2)
       decile  churners  lift  cum_churners_share
    0       1         2  3.33                0.67
    1       2         1  1.67                1.00
    2       3         0  0.00                1.00
    3       4         0  0.00                1.00
    4       5         0  0.00                1.00
    """
    y, s = _check_scores(y_true, score)
    check_number(n_bins, "n_bins", min_value=1, integer=True)
    if n_bins > len(y):
        raise CRMInputError(f"argument `n_bins`: must be <= the number of customers ({len(y)}); "
                            f"found {n_bins}. Use fewer groups.")
    order = np.argsort(-s, kind="stable")
    groups = np.array_split(y[order], n_bins)
    customers = np.array([len(g) for g in groups])
    churners = np.array([g.sum() for g in groups])
    base = y.mean()
    out = pd.DataFrame({"decile": np.arange(1, n_bins + 1), "customers": customers, "churners": churners})
    out["churn_rate"] = churners / customers
    out["lift"] = out["churn_rate"] / base
    out["cum_customers_share"] = customers.cumsum() / customers.sum()
    out["cum_churners_share"] = churners.cumsum() / churners.sum()
    out["cum_lift"] = out["cum_churners_share"] / out["cum_customers_share"]
    return out


def calibration_table(y_true, probability, *, n_bins: int = 10) -> pd.DataFrame:
    """Reliability table: mean predicted probability vs observed churn rate in probability-quantile bins.

    Examples
    --------
    >>> calibration_table([0, 1, 0, 1], [0.2, 0.8, 0.3, 0.7], n_bins=2)
       bin  customers  mean_predicted  observed_rate
    0    1          2            0.25            0.0
    1    2          2            0.75            1.0
    """
    y, p = _check_scores(y_true, probability, name_s="probability")
    if (p < 0).any() or (p > 1).any():
        raise CRMInputError("argument `probability`: values must be between 0 and 1; found "
                            f"{p.min():.3g}..{p.max():.3g}. Pass predicted probabilities, not scores.")
    order = np.argsort(p, kind="stable")
    bins = np.array_split(order, min(n_bins, len(p)))
    return pd.DataFrame({
        "bin": np.arange(1, len(bins) + 1),
        "customers": [len(b) for b in bins],
        "mean_predicted": [p[b].mean() for b in bins],
        "observed_rate": [y[b].mean() for b in bins],
    })


# --------------------------------------------------------------------------- churn models
@dataclass
class ChurnModels:
    """Fitted churn models and their held-out evaluation (from :func:`fit_churn_models`).

    Attributes
    ----------
    models : dict
        ``{"logistic regression": ChurnModel, "gradient boosting": ChurnModel}``, fitted on the training set
        (:class:`ChurnModel` is a scikit-learn estimator).
    X_test, y_test : DataFrame, Series
        The held-out test set (never used in fitting).
    test_scores : DataFrame
        Predicted churn probabilities of the test customers, one column per model.
    metrics : DataFrame
        Per model: ``auc``, ``brier`` (mean squared error of the probabilities),
        ``top_decile_lift``, ``top_decile_capture``; ``base_rate`` of the test set.
    coefficients : DataFrame
        Logistic regression: ``feature``, ``coefficient`` (log-odds per standard
        deviation for numeric features, vs the reference level for categories),
        ``coefficient_per_unit`` (per unit of the original variable) and ``odds_ratio``
        (per unit).
    importance : DataFrame
        Permutation importance on the test set (drop in AUC), per model and original feature.
    """

    models: dict
    X_test: pd.DataFrame
    y_test: pd.Series
    test_scores: pd.DataFrame
    metrics: pd.DataFrame
    coefficients: pd.DataFrame
    importance: pd.DataFrame
    feature_cols: list

    def gains(self, model: str = "logistic regression", *, n_bins: int = 10) -> pd.DataFrame:
        """Gains/lift table of one model on the test set."""
        check_choice(model, "model", list(self.test_scores.columns))
        return gains_table(self.y_test.to_numpy(), self.test_scores[model].to_numpy(), n_bins=n_bins)

    def calibration(self, model: str = "logistic regression", *, n_bins: int = 10) -> pd.DataFrame:
        """Reliability table of one model on the test set."""
        check_choice(model, "model", list(self.test_scores.columns))
        return calibration_table(self.y_test.to_numpy(), self.test_scores[model].to_numpy(), n_bins=n_bins)

    def predict_proba(self, df: pd.DataFrame, model: str = "logistic regression") -> np.ndarray:
        """Churn probabilities of new customers (columns as in training)."""
        check_choice(model, "model", list(self.models))
        from threadpoolctl import threadpool_limits

        require_columns(df, self.feature_cols, arg="df")
        with threadpool_limits(limits=1, user_api="openmp"):
            return self.models[model].predict_proba(df[self.feature_cols])[:, 1]


def fit_churn_models(df: pd.DataFrame, *, target_col: str = "churned", feature_cols: list | None = None,
                     test_size: float = 0.25, seed: int = 0, C: float = 1.0,
                     calibrate: bool = True, importance_repeats: int = 5,
                     models: tuple = ("logistic regression", "gradient boosting")) -> ChurnModels:
    """Fit logistic regression and gradient boosting churn models and evaluate them on a held-out test set.

    Parameters
    ----------
    df : DataFrame
        One row per customer: features and the 0/1 (or True/False, or "Yes"/"No") churn outcome.
    target_col : str, default "churned"
    feature_cols : list of str, optional
        Default: every other column except ones whose name ends in ``id``.
        Numeric columns are imputed (median) and standardised; others one-hot
        encoded (first level dropped, so LR coefficients are contrasts).
    test_size : float, default 0.25
        Share of customers held out (stratified by the outcome).
    seed : int, default 0
    C : float, default 1.0
        Inverse L2 regularisation of the logistic regression.
    calibrate : bool, default True
        Wrap the tree ensemble in ``CalibratedClassifierCV`` (isotonic, 3 folds)
        so its scores are probabilities; the logistic regression is calibrated by
        construction. :meth:`ChurnModels.calibration` checks both.
    importance_repeats : int, default 5
        Repeats of the permutation importance (0 skips it).
    models : tuple of str, default ("logistic regression", "gradient boosting")
        Which models to fit; the logistic regression is always fitted (its
        coefficients are reported).

    Returns
    -------
    ChurnModels

    Raises
    ------
    CRMInputError
        Missing columns, an outcome that is not two-valued, a bad ``test_size``,
        too few churners to hold some out.

    Notes
    -----
    Logistic regression: :math:`\\operatorname{logit} P(\\text{churn}\\mid x) = b_0 + x^\\top b`.
    The ensemble is scikit-learn's ``HistGradientBoostingClassifier``.
    Everything reported is computed on the test set only. OpenMP is limited
    to one thread while fitting: on small tables (thousands of customers) the
    ensemble is then faster, and much faster on a busy shared machine.

    Examples
    --------
    >>> from crm_lessons.simulate import simulate_subscriptions
    >>> data, truth = simulate_subscriptions(3000, seed=3, snapshot=True, heterogeneity=False)
    >>> res = fit_churn_models(data, feature_cols=["contract", "monthly_charge", "support_calls",
    ...                                            "usage_trend", "tenure"], importance_repeats=0)
    >>> res.metrics.columns.tolist()
    ['model', 'auc', 'brier', 'top_decile_lift', 'top_decile_capture', 'base_rate']
    """
    # import the OpenMP-using estimators first: threadpool_limits only limits libraries already loaded
    import sklearn.ensemble  # noqa: F401
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="openmp"):
        return _fit_churn_models(df, target_col=target_col, feature_cols=feature_cols, test_size=test_size,
                                 seed=seed, C=C, calibrate=calibrate, importance_repeats=importance_repeats,
                                 models=models)


def _fit_churn_models(df, *, target_col, feature_cols, test_size, seed, C, calibrate, importance_repeats,
                      models):
    from sklearn.model_selection import train_test_split

    check_dataframe(df, arg="df", min_rows=10)
    require_columns(df, {"target_col": target_col}, arg="df")
    check_number(test_size, "test_size", min_value=0, max_value=1, strict=True)
    check_number(seed, "seed", min_value=0, integer=True)
    check_number(C, "C", min_value=0, strict=True)
    for m in models:
        check_choice(m, "models", ["logistic regression", "gradient boosting"])
    if feature_cols is None:
        feature_cols = [c for c in df.columns if c != target_col and not str(c).lower().endswith("id")]
    feature_cols = list(feature_cols)
    if not feature_cols:
        raise CRMInputError("argument `feature_cols`: needs at least one feature; found []. "
                            "Name the columns to predict churn from.")
    require_columns(df, {f"feature_cols[{i}]": c for i, c in enumerate(feature_cols)}, arg="df")
    y = _binary_target(df, target_col)
    X = df[feature_cols]

    numeric = [c for c in feature_cols
               if pd.api.types.is_numeric_dtype(X[c]) and not pd.api.types.is_bool_dtype(X[c])]
    categorical = [c for c in feature_cols if c not in numeric]
    for c in categorical:
        check_no_missing(df, c, arg="df", col_arg="feature_cols")
    n_test_churn = y.sum() * test_size
    if n_test_churn < 2 or (len(y) - y.sum()) * test_size < 2:
        raise CRMInputError(
            f"{where(df, arg='df', column=target_col, col_arg='target_col')}: too few churners ({int(y.sum())}) or "
            f"stayers ({int(len(y) - y.sum())}) to hold out a test set of {test_size:.0%}. Use more data."
        )
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, random_state=seed,
                                                        stratify=y)

    lr = ChurnModel("logistic regression", C=C, seed=seed).fit(X_train, y_train)
    fitted = {"logistic regression": lr}
    if "gradient boosting" in models:
        fitted["gradient boosting"] = ChurnModel("gradient boosting", calibrate=calibrate, seed=seed).fit(
            X_train, y_train)
    models = fitted
    scores = pd.DataFrame({name: m.predict_proba(X_test)[:, 1] for name, m in models.items()},
                          index=X_test.index)
    rows = []
    for name in models:
        g = gains_table(y_test.to_numpy(), scores[name].to_numpy())
        rows.append({"model": name, "auc": auc(y_test.to_numpy(), scores[name].to_numpy()),
                     "brier": float(np.mean((scores[name].to_numpy() - y_test.to_numpy()) ** 2)),
                     "top_decile_lift": float(g["lift"].iloc[0]),
                     "top_decile_capture": float(g["cum_churners_share"].iloc[0]),
                     "base_rate": float(y_test.mean())})
    metrics = pd.DataFrame(rows)

    coefficients = lr.coefficients()

    imp_rows = []
    if importance_repeats:
        for name, m in models.items():
            imp_rows.append(_permutation_importance(m, X_test, y_test.to_numpy(), repeats=importance_repeats,
                                                    seed=seed).assign(model=name))
    importance = (pd.concat(imp_rows, ignore_index=True)
                  .sort_values(["model", "importance_mean"], ascending=[False, False], ignore_index=True)
                  if imp_rows else pd.DataFrame(columns=["model", "feature", "importance_mean", "importance_std"]))
    return ChurnModels(models=models, X_test=X_test, y_test=y_test, test_scores=scores, metrics=metrics,
                       coefficients=coefficients, importance=importance, feature_cols=feature_cols)


def _permutation_importance(model, X: pd.DataFrame, y: np.ndarray, *, repeats: int, seed: int) -> pd.DataFrame:
    """Drop in test AUC when one original feature is shuffled, ``repeats`` times per feature.

    The same quantity as ``sklearn.inspection.permutation_importance(..., scoring="roc_auc")``
    but all shuffled copies are scored in one ``predict_proba`` call, which is many times
    faster for pipelines whose preprocessing (one-hot encoding) dominates the cost.
    """
    rng = np.random.default_rng(seed)
    n = len(X)
    base = auc(y, model.predict_proba(X)[:, 1])
    blocks = []
    for col in X.columns:
        for _ in range(repeats):
            b = X.copy()
            b[col] = X[col].to_numpy()[rng.permutation(n)]
            blocks.append(b)
    p = model.predict_proba(pd.concat(blocks, ignore_index=True))[:, 1].reshape(len(blocks), n)
    drops = np.array([base - auc(y, row) for row in p]).reshape(len(X.columns), repeats)
    return pd.DataFrame({"feature": list(X.columns), "importance_mean": drops.mean(axis=1),
                         "importance_std": drops.std(axis=1)})


class ChurnModel(ClassifierMixin, BaseEstimator):
    """One churn classifier with its preprocessing, following the scikit-learn estimator contract.

    Numeric features are imputed (median) and standardised; the other columns are one-hot
    encoded (first level dropped, unknown levels ignored). ``kind`` chooses the classifier:

    * ``"logistic regression"``: :math:`\\operatorname{logit} P(\\text{churn}\\mid x) = b_0 + x^\\top b`
      with an L2 penalty of strength ``1 / C``;
    * ``"gradient boosting"``: scikit-learn's ``HistGradientBoostingClassifier`` (100 trees of at
      most 15 leaves), isotonic-calibrated by 3-fold ``CalibratedClassifierCV`` when ``calibrate``.

    As every scikit-learn estimator it can be cloned, cross-validated and put in a pipeline;
    :func:`fit_churn_models` fits one per kind on a training split and evaluates them on the rest.

    Parameters
    ----------
    kind : {"logistic regression", "gradient boosting"}, default "logistic regression"
    C : float, default 1.0
        Inverse regularisation strength of the logistic regression.
    calibrate : bool, default True
        Calibrate the tree ensemble's scores (ignored by the logistic regression, which is
        calibrated by construction).
    seed : int, default 0
        Random state of the tree ensemble and of the calibration folds.

    Attributes
    ----------
    classes_ : ndarray
        The two outcome values, ``[0, 1]`` after fitting on a 0/1 outcome.
    feature_names_in_ : ndarray
        The columns fitted on, in order.
    pipeline_ : estimator
        The fitted scikit-learn pipeline (preprocessing + classifier).

    References
    ----------
    Pedregosa, F. et al. (2011). Scikit-learn: machine learning in Python. *JMLR* 12, 2825–2830
    (the estimator contract: ``fit`` returns self, parameters are ``__init__`` arguments).

    Examples
    --------
    >>> from sklearn.base import clone
    >>> from sklearn.model_selection import cross_val_score
    >>> from crm_lessons.simulate import simulate_subscriptions
    >>> data, _ = simulate_subscriptions(2000, seed=3, snapshot=True, heterogeneity=False)
    >>> X, y = data[["contract", "monthly_charge", "usage_trend"]], data["churned"].astype(int)
    >>> model = ChurnModel(C=0.5).fit(X, y)
    >>> model.predict_proba(X.head(3)).shape
    (3, 2)
    >>> clone(model).get_params()["C"]
    0.5
    >>> bool(cross_val_score(ChurnModel(), X, y, cv=3, scoring="roc_auc").mean() > 0.6)
    True
    """

    def __init__(self, kind: str = "logistic regression", *, C: float = 1.0, calibrate: bool = True,
                 seed: int = 0):
        self.kind = kind
        self.C = C
        self.calibrate = calibrate
        self.seed = seed

    def fit(self, X: pd.DataFrame, y) -> ChurnModel:
        """Fit on the features ``X`` (a DataFrame) and the 0/1 outcome ``y``; returns self."""
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.compose import ColumnTransformer
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline, make_pipeline
        from sklearn.preprocessing import OneHotEncoder, StandardScaler
        from threadpoolctl import threadpool_limits

        check_choice(self.kind, "kind", ["logistic regression", "gradient boosting"])
        check_number(self.C, "C", min_value=0, strict=True)
        check_number(self.seed, "seed", min_value=0, integer=True)
        check_dataframe(X, arg="X", min_rows=2)
        if np.ndim(y) != 1 or len(y) != len(X):
            raise CRMInputError(f"argument `y`: needs one outcome per row of `X` ({len(X)}); found "
                                f"{show_value(y)}. Pass the churn outcome (1 = churned) of the same customers.")
        y = _binary_target(pd.DataFrame({"y": np.asarray(y)}, index=X.index), "y", arg="y")
        self.numeric_features_ = [c for c in X.columns
                         if pd.api.types.is_numeric_dtype(X[c]) and not pd.api.types.is_bool_dtype(X[c])]
        categorical = [c for c in X.columns if c not in self.numeric_features_]
        prep = ColumnTransformer([
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), self.numeric_features_),
            ("cat", OneHotEncoder(drop="first", handle_unknown="ignore", sparse_output=False), categorical),
        ], verbose_feature_names_out=False)
        if self.kind == "logistic regression":
            model = Pipeline([("prep", prep), ("model", LogisticRegression(C=self.C, max_iter=5000))])
        else:
            model = Pipeline([("prep", prep), ("model", HistGradientBoostingClassifier(
                max_iter=100, learning_rate=0.1, max_leaf_nodes=15, min_samples_leaf=20, random_state=self.seed))])
            if self.calibrate:
                model = CalibratedClassifierCV(model, method="isotonic", cv=3)
        with threadpool_limits(limits=1, user_api="openmp"):
            self.pipeline_ = model.fit(X, np.asarray(y))
        self.classes_ = self.pipeline_.classes_
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_in_ = X.shape[1]
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Class probabilities, one column per value of ``classes_`` (churn is the second)."""
        from sklearn.utils.validation import check_is_fitted
        from threadpoolctl import threadpool_limits

        check_is_fitted(self, "pipeline_")
        require_columns(X, list(self.feature_names_in_), arg="X")
        with threadpool_limits(limits=1, user_api="openmp"):
            return self.pipeline_.predict_proba(X[list(self.feature_names_in_)])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The more probable class of each row."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def coefficients(self) -> pd.DataFrame:
        """The logistic regression's coefficients: ``feature``, ``coefficient`` (log-odds per standard
        deviation for numeric features, vs the reference level for categories), ``coefficient_per_unit``
        and ``odds_ratio`` (per unit of the original variable); the intercept first."""
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "pipeline_")
        if self.kind != "logistic regression":
            raise CRMInputError(f"argument `kind`: coefficients exist for the logistic regression only; found "
                                f"{self.kind!r}. Use the permutation importance of fit_churn_models instead.")
        prep, lr = self.pipeline_.named_steps["prep"], self.pipeline_.named_steps["model"]
        names = prep.get_feature_names_out()
        coef = lr.coef_[0]
        scale = np.ones(len(names))
        if self.numeric_features_:
            scale[: len(self.numeric_features_)] = prep.named_transformers_["num"][-1].scale_
        out = pd.DataFrame({"feature": names, "coefficient": coef, "coefficient_per_unit": coef / scale})
        out["odds_ratio"] = np.exp(out["coefficient_per_unit"])
        intercept = pd.DataFrame({"feature": ["(intercept)"], "coefficient": [lr.intercept_[0]],
                                  "coefficient_per_unit": [np.nan], "odds_ratio": [np.nan]})
        return pd.concat([intercept, out], ignore_index=True)


def _binary_target(df: pd.DataFrame, target_col: str, *, arg: str = "df") -> pd.Series:
    if arg != "df":  # an outcome given alone (ChurnModel.fit's y): say `y`, not a column of a table
        s = df[target_col]
        if s.isna().any() or s.nunique() != 2:
            raise CRMInputError(f"argument `{arg}`: the outcome must have two values, 1/0, True/False or "
                                f"'Yes'/'No', none missing; found {sorted(map(str, s.unique()))[:5]}. "
                                "Recode it, 1 = churned.")
    check_no_missing(df, target_col, arg=arg, col_arg="target_col")
    s = df[target_col]
    if pd.api.types.is_bool_dtype(s):
        return s.astype(int)
    if pd.api.types.is_numeric_dtype(s):
        vals = set(np.unique(s.to_numpy()).tolist())
        if vals <= {0, 1} and len(vals) == 2:
            return s.astype(int)
    else:
        low = s.astype(str).str.strip().str.lower()
        if set(low.unique()) == {"yes", "no"}:
            return (low == "yes").astype(int)
    place = where(df, arg="df", column=target_col, col_arg="target_col") if arg == "df" else f"argument `{arg}`"
    raise CRMInputError(
        f"{place}: the outcome must have two values, 1/0, "
        f"True/False or 'Yes'/'No'; found {sorted(map(str, s.unique()))[:5]}. Recode it, 1 = churned."
    )


# --------------------------------------------------------------------------- plots
def plot_roc(result: ChurnModels, *, ax=None, title: str = "ROC curve (test set)"):
    """ROC curves of all models of a :class:`ChurnModels`, AUC in the legend; returns the Axes."""
    import matplotlib.pyplot as plt
    from sklearn.metrics import roc_curve

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    for name in result.test_scores:
        fpr, tpr, _ = roc_curve(result.y_test, result.test_scores[name])
        a = result.metrics.set_index("model").loc[name, "auc"]
        ax.plot(fpr, tpr, label=f"{name} (AUC {a:.3f})")
    ax.plot([0, 1], [0, 1], color="0.6", ls="--", label="random")
    ax.set_title(title)
    ax.set_xlabel("False-positive rate (stayers flagged)")
    ax.set_ylabel("True-positive rate (churners caught)")
    ax.legend(loc="lower right")
    return ax


def plot_gains(result: ChurnModels, *, ax=None, title: str = "Cumulative gains (test set)"):
    """Cumulative gains chart: share of churners captured vs share of customers contacted."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    for name in result.test_scores:
        g = result.gains(name)
        ax.plot(np.r_[0, g["cum_customers_share"]], np.r_[0, g["cum_churners_share"]], marker="o", label=name)
    ax.plot([0, 1], [0, 1], color="0.6", ls="--", label="random")
    ax.set_title(title)
    ax.set_xlabel("Share of customers contacted (by score)")
    ax.set_ylabel("Share of churners captured")
    ax.legend(loc="lower right")
    return ax


def plot_lift(result: ChurnModels, *, ax=None, title: str = "Lift by decile (test set)"):
    """Lift of each score decile over the base churn rate."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    width = 0.8 / len(result.test_scores.columns)
    for i, name in enumerate(result.test_scores):
        g = result.gains(name)
        ax.bar(g["decile"] + (i - 0.5) * width, g["lift"], width=width, label=name)
    ax.axhline(1, color="0.4", ls="--")
    ax.set_title(title)
    ax.set_xlabel("Score decile (1 = highest risk)")
    ax.set_ylabel("Lift (churn rate / base rate)")
    ax.set_xticks(range(1, 11))
    ax.legend()
    return ax


def plot_calibration(result: ChurnModels, *, ax=None, title: str = "Calibration (test set)"):
    """Reliability diagram: observed churn rate vs mean predicted probability by bin."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    top = 0.0
    for name in result.test_scores:
        c = result.calibration(name)
        ax.plot(c["mean_predicted"], c["observed_rate"], marker="o", label=name)
        top = max(top, c["mean_predicted"].max(), c["observed_rate"].max())
    ax.plot([0, top], [0, top], color="0.6", ls="--", label="perfect")
    ax.set_title(title)
    ax.set_xlabel("Mean predicted churn probability")
    ax.set_ylabel("Observed churn rate")
    ax.legend(loc="upper left")
    return ax


# --------------------------------------------------------------------------- acting on scores
def early_warning_list(scores: pd.DataFrame, *, threshold: float, score_col: str = "churn_probability",
                       customer_col: str = "customer_id") -> pd.DataFrame:
    """Customers whose churn score reaches ``threshold`` (预警名单), highest risk first.

    Returns the rows of ``scores`` with ``score >= threshold``, sorted by
    descending score, with a ``rank`` column (1 = highest risk).

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": [1, 2, 3], "churn_probability": [0.2, 0.7, 0.5]})
    >>> early_warning_list(s, threshold=0.5)
       customer_id  churn_probability  rank
    0            2                0.7     1
    1            3                0.5     2
    """
    check_dataframe(scores, arg="scores", min_rows=0)
    require_columns(scores, {"customer_col": customer_col, "score_col": score_col}, arg="scores")
    check_number(threshold, "threshold")
    s = check_numeric(scores, score_col, arg="scores", col_arg="score_col")
    out = scores.loc[s >= threshold].sort_values(score_col, ascending=False, kind="stable")
    out = out.reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out


def threshold_table(y_true, score, *, thresholds=None) -> pd.DataFrame:
    """Hit rate and false-alarm rate of an early-warning rule at each threshold.

    Parameters
    ----------
    y_true : array-like of 0/1
        Did the customer churn (in the period after scoring)?
    score : array-like
        Churn score or probability; a customer is flagged when ``score >= threshold``.
    thresholds : array-like, optional
        Default: 0.05, 0.10, ..., 0.95.

    Returns
    -------
    DataFrame
        ``threshold``, ``flagged``, ``flagged_share``, ``hits`` (flagged churners),
        ``hit_rate`` (= hits / churners: share of churners warned, recall),
        ``precision`` (= hits / flagged), ``false_alarms`` (flagged stayers),
        ``false_alarm_rate`` (= false alarms / stayers).

    Examples
    --------
    >>> t = threshold_table([1, 0, 1, 0], [0.9, 0.6, 0.4, 0.1], thresholds=[0.5])
    >>> t[["threshold", "flagged", "hits", "hit_rate", "false_alarm_rate"]]
       threshold  flagged  hits  hit_rate  false_alarm_rate
    0        0.5        2     1       0.5               0.5
    """
    y, s = _check_scores(y_true, score)
    t = np.round(np.arange(0.05, 1.0, 0.05), 2) if thresholds is None else np.asarray(thresholds, float)
    flag = s[None, :] >= t[:, None]
    hits = (flag & (y == 1)).sum(axis=1)
    flagged = flag.sum(axis=1)
    fa = flagged - hits
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(flagged > 0, hits / np.maximum(flagged, 1), np.nan)
    return pd.DataFrame({"threshold": t, "flagged": flagged, "flagged_share": flagged / len(y),
                         "hits": hits, "hit_rate": hits / y.sum(), "precision": precision,
                         "false_alarms": fa, "false_alarm_rate": fa / (len(y) - y.sum())})


def winback_priority(lost_customers: pd.DataFrame, *, remaining_value_col: str = "remaining_value",
                     reason_col: str = "reason", customer_col: str = "customer_id",
                     winback_rates: dict | None = None, cost: float = 0.0) -> pd.DataFrame:
    """Rank lost customers for win-back (客户挽回) by remaining value x win-back probability by reason.

    Parameters
    ----------
    lost_customers : DataFrame
        One row per lost customer.
    remaining_value_col : str
        Value the customer would still bring if won back (e.g. her CLV at churn).
    reason_col : str
        Churn type of the customer (a key of ``winback_rates``; by default the
        six :class:`ChurnType` values).
    winback_rates : dict, optional
        ``{reason: probability a win-back attempt succeeds}``; default
        :data:`DEFAULT_WINBACK_RATES` (illustrative assumptions; estimate your
        own from past win-back campaigns).
    cost : float, default 0
        Cost of one win-back attempt.

    Returns
    -------
    DataFrame
        The input columns plus ``winback_probability``, ``expected_gain`` (=
        value x probability - cost), ``priority`` (1 = first) and ``pursue``
        (expected gain > 0), sorted by priority.

    Raises
    ------
    CRMInputError
        Missing columns, negative values, a reason with no win-back rate.

    Examples
    --------
    >>> lost = pd.DataFrame({"customer_id": [1, 2, 3], "remaining_value": [1000, 400, 5000],
    ...                      "reason": ["attracted_away", "left_voluntarily", "dropped_by_firm"]})
    >>> winback_priority(lost, cost=50)[["customer_id", "expected_gain", "priority", "pursue"]]
       customer_id  expected_gain  priority  pursue
    0            1          250.0         1    True
    1            2           50.0         2    True
    2            3          -50.0         3   False
    """
    check_dataframe(lost_customers, arg="lost_customers")
    require_columns(lost_customers, {"customer_col": customer_col, "remaining_value_col": remaining_value_col,
                                     "reason_col": reason_col}, arg="lost_customers")
    value = check_numeric(lost_customers, remaining_value_col, arg="lost_customers",
                          col_arg="remaining_value_col", min_value=0)
    check_no_missing(lost_customers, reason_col, arg="lost_customers", col_arg="reason_col")
    check_number(cost, "cost", min_value=0)
    rates = dict(DEFAULT_WINBACK_RATES if winback_rates is None else winback_rates)
    for k, v in rates.items():
        check_probability(v, f"winback_rates[{k!r}]")
    reasons = lost_customers[reason_col].map(lambda r: r.value if isinstance(r, ChurnType) else r)
    unknown = sorted(set(reasons.astype(str)) - set(map(str, rates)))
    if unknown:
        raise CRMInputError(
            f"argument `lost_customers`, column '{reason_col}' (reason_col): no win-back rate for reason(s) "
            f"{unknown}; known reasons {sorted(map(str, rates))}. Add them to winback_rates or recode the reasons."
        )
    out = lost_customers.copy()
    out["winback_probability"] = reasons.astype(str).map({str(k): v for k, v in rates.items()}).astype(float)
    out["expected_gain"] = value * out["winback_probability"] - cost
    out = out.sort_values(["expected_gain", remaining_value_col], ascending=False, kind="stable")
    out = out.reset_index(drop=True)
    out["priority"] = np.arange(1, len(out) + 1)
    out["pursue"] = out["expected_gain"] > 0
    return out
