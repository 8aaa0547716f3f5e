"""Customer retention (客户保持): cohorts, survival curves and the sBG model.

Three ways to look at how long customers stay:

* :func:`cohort_matrix` / :func:`retention_curves` — customers grouped by the
  period of their first purchase (cohort, 同期群) and counted in every later
  period: the cohort retention matrix of non-contractual businesses;
* :func:`kaplan_meier` — survival curves (生存曲线) of contract customers by
  segment, with Greenwood bands, medians and a log-rank test;
* :class:`ShiftedBetaGeometric` — the shifted-beta-geometric model of Fader &
  Hardie (2007) that projects the survival of a contract cohort from a few
  periods of data and values the remaining lifetime (DERL).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import betaln, hyp2f1

from crm_lessons._grouping import customer_slots, day_numbers, month_numbers
from crm_lessons.models import LikelihoodModel, fit_mle
from crm_lessons.tables import DURATIONS, TRANSACTIONS, Column
from crm_lessons._validation import (
    CRMInputError,
    check_choice,
    check_dataframe,
    check_fitted,
    check_number,
    check_numeric,
    check_probability,
    require_columns,
)

__all__ = [
    "cohort_matrix",
    "retention_curves",
    "plot_cohort_matrix",
    "plot_retention_curves",
    "KaplanMeierResult",
    "kaplan_meier",
    "plot_kaplan_meier",
    "ShiftedBetaGeometric",
    "survivors_from_durations",
]

_PERIODS = {"M": "month", "W": "week", "Q": "quarter"}
#: Largest customers x periods bit map of :func:`cohort_matrix` (above it: a sort).
_BITMAP_CELLS = 400_000_000


# --------------------------------------------------------------------------- cohorts
def _period_codes(dates: pd.Series, period: str) -> np.ndarray:
    """Integer period number of each date (months, Monday weeks or quarters since 1970)."""
    days = day_numbers(dates)
    if period == "W":
        return (days + 3) // 7                          # 1970-01-01 is a Thursday
    months = month_numbers(days)
    return months // 3 if period == "Q" else months


def _period_index(codes: np.ndarray, period: str) -> pd.PeriodIndex:
    if period == "W":
        # week code k starts on Monday 1970-01-05 + 7(k-1)
        start = np.datetime64("1969-12-29") + (codes * 7).astype("timedelta64[D]")
        return pd.PeriodIndex(pd.DatetimeIndex(start), freq="W")
    if period == "Q":
        return pd.PeriodIndex.from_ordinals(codes, freq="Q")
    return pd.PeriodIndex.from_ordinals(codes, freq="M")


def cohort_matrix(transactions: pd.DataFrame, *, customer_col: str = "customer_id",
                  date_col: str = "date", period: str = "M", normalize: bool = False) -> pd.DataFrame:
    """Cohort retention matrix: active customers of each first-purchase cohort by period.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase (any number of rows per customer).
    customer_col, date_col : str
        Columns with the customer identifier and the purchase date.
    period : {"M", "W", "Q"}, default "M"
        Length of a period: month, week (Monday to Sunday) or quarter.
    normalize : bool, default False
        False: counts of distinct active customers. True: retention share,
        the counts divided by the cohort size (column 0).

    Returns
    -------
    DataFrame
        Index ``cohort`` (a ``PeriodIndex``: the period of the first purchase),
        columns ``0, 1, 2, ...`` named ``periods_since_first``; cell (c, k) is
        the number (or share) of customers of cohort c who bought in period
        c + k. Cells after the last observed period are NaN (not yet
        observable), which is different from 0 (observable, nobody bought).

    Raises
    ------
    CRMInputError
        Missing columns, unparseable or missing dates, missing customers, an
        unknown ``period``.

    Notes
    -----
    Each date becomes an integer period number and each customer an integer
    code (compact integer ids as offsets, others ``pd.factorize``); distinct
    (customer, period) pairs are marked in a bit map (or, above 400 million
    cells, found by one value sort of a single integer key), which leaves them
    in customer-then-period order, so each customer's first period (cohort) is
    the first of its run; the (cohort, age) cells are counted with ``np.bincount``. No Python loop runs over customers, so
    ten million purchases take a few seconds.

    .. math:: r_{c,k} = \\frac{|\\{i \\in c: i \\text{ buys in period } c+k\\}|}{|c|}

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 2, 3],
    ...                    "date": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-01-20",
    ...                                            "2024-03-01", "2024-02-02"])})
    >>> cohort_matrix(tx)
    periods_since_first    0    1    2
    cohort
    2024-01              2.0  1.0  1.0
    2024-02              1.0  0.0  NaN
    """
    check_choice(period, "period", list(_PERIODS))
    log = TRANSACTIONS.read(transactions, arg="transactions", customer_col=customer_col, date_col=date_col)
    dates = log["date"]

    per = _period_codes(dates, period)
    cust, ids = customer_slots(log["customer_id"])     # compact integer ids: offsets, no hashing
    del log, dates                                      # the canonical copy is not needed any more
    n_cust = len(ids)
    p0 = int(per.min())
    n_per = int(per.max()) - p0 + 1
    key = cust.astype(np.int64, copy=False)             # customer * n_per + period, built in place
    del cust
    key *= n_per
    key += per
    key -= p0
    del per
    if n_cust * n_per <= _BITMAP_CELLS:                 # distinct (customer, period): a bit map ...
        seen = np.zeros(n_cust * n_per, dtype=bool)
        seen[key] = True
        del key
        key = np.flatnonzero(seen)
        del seen
    else:                                               # ... or one value sort (SIMD), no hash table
        key.sort()
        key = key[np.concatenate(([True], key[1:] != key[:-1]))]
    c = key // n_per
    key -= c * n_per
    month = key                                         # in place: the period of each distinct pair
    start = np.empty(c.size, dtype=bool)               # keys sorted: each customer's first is its cohort
    start[:1] = True
    np.not_equal(c[1:], c[:-1], out=start[1:])
    del c
    starts = np.flatnonzero(start)
    del start
    cohort = np.repeat(month[starts], np.diff(np.append(starts, month.size)))
    month -= cohort                                     # age
    cohort *= n_per
    cohort += month                                     # the (cohort, age) cell
    del month, key
    counts = np.bincount(cohort, minlength=n_per * n_per)
    counts = counts.reshape(n_per, n_per).astype(float)

    cohorts = np.flatnonzero(counts[:, 0] > 0)
    mat = counts[cohorts]
    observable = cohorts[:, None] + np.arange(n_per)[None, :] <= n_per - 1
    mat[~observable] = np.nan
    if normalize:
        mat = mat / mat[:, [0]]
    out = pd.DataFrame(mat, index=_period_index(cohorts + p0, period),
                       columns=pd.RangeIndex(n_per, name="periods_since_first"))
    out.index.name = "cohort"
    return out.dropna(axis=1, how="all")


def retention_curves(matrix: pd.DataFrame) -> pd.DataFrame:
    """Retention curves, one per cohort and one pooled over cohorts, as a long table.

    Parameters
    ----------
    matrix : DataFrame
        A count matrix from :func:`cohort_matrix` (``normalize=False``).

    Returns
    -------
    DataFrame
        Columns ``cohort`` (str; ``"all cohorts"`` for the pooled curve),
        ``periods_since_first``, ``active``, ``cohort_size``, ``retention``
        (= active / cohort_size). The pooled curve at age k sums over the
        cohorts observable at age k.

    Raises
    ------
    CRMInputError
        If ``matrix`` holds shares instead of counts.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3],
    ...                    "date": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-01-20", "2024-02-02"])})
    >>> curves = retention_curves(cohort_matrix(tx))
    >>> curves[curves["cohort"] == "all cohorts"][["periods_since_first", "retention"]]
       periods_since_first  retention
    3                    0        1.0
    4                    1        0.5
    """
    check_dataframe(matrix, arg="matrix")
    if 0 not in matrix.columns:
        raise CRMInputError(
            f"argument `matrix`: needs a column 0 (cohort size); found columns {list(matrix.columns)[:5]}. "
            "Pass the output of cohort_matrix()."
        )
    if np.allclose(matrix[0].to_numpy(float), 1.0) and matrix.max().max() <= 1:
        raise CRMInputError(
            "argument `matrix`: needs customer counts; found retention shares (column 0 is all 1). "
            "Pass cohort_matrix(..., normalize=False)."
        )
    size = matrix[0]
    long = matrix.stack(future_stack=True).dropna().rename("active").reset_index()
    long.columns = ["cohort", "periods_since_first", "active"]
    long["cohort_size"] = size.reindex(long["cohort"]).to_numpy()
    long["cohort"] = long["cohort"].astype(str)
    pooled = (long.groupby("periods_since_first", as_index=False)[["active", "cohort_size"]].sum())
    pooled.insert(0, "cohort", "all cohorts")
    out = pd.concat([long, pooled], ignore_index=True)
    out["retention"] = out["active"] / out["cohort_size"]
    out["periods_since_first"] = out["periods_since_first"].astype(int)
    return out


def plot_cohort_matrix(matrix: pd.DataFrame, *, ax=None, annot: bool | None = None,
                       title: str = "Cohort retention matrix"):
    """Heatmap of a cohort matrix (shares are computed if counts are given); returns the Axes.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "date": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-01-20"])})
    >>> plot_cohort_matrix(cohort_matrix(tx)).get_title()
    'Cohort retention matrix'
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    require_columns(matrix, [0], arg="matrix")
    share = matrix.div(matrix[0], axis=0) if (matrix[0] > 1).any() else matrix
    if ax is None:
        _, ax = plt.subplots(figsize=(9, max(3.0, 0.25 * len(share) + 1)))
    if annot is None:
        annot = share.shape[0] <= 15 and share.shape[1] <= 15
    # Period 0 is 100% by definition: leave it out of the colour scale, or it paints every later cell pale.
    later = share.drop(columns=share.columns[0]) if share.shape[1] > 1 else share
    vmax = float(np.nanquantile(later.to_numpy(dtype=float), 0.99)) if later.notna().any().any() else 1.0
    vmax = min(max(vmax, 0.01), 1.0)
    sns.heatmap(share.set_axis(share.index.astype(str)), ax=ax, cmap="Blues", vmin=0, vmax=vmax,
                annot=annot, fmt=".0%",
                cbar_kws={"label": "share of cohort active", "extend": "max" if vmax < 1 else "neither"})
    ax.set_title(title)
    ax.set_xlabel("Periods since first purchase")
    ax.set_ylabel("Cohort (first purchase)")
    return ax


def plot_retention_curves(curves: pd.DataFrame, *, ax=None, max_cohorts: int = 12,
                          title: str = "Retention curves by cohort"):
    """Retention curves from :func:`retention_curves`: thin lines per cohort, thick pooled line.

    Examples
    --------
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2], "date": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-01-20"])})
    >>> plot_retention_curves(retention_curves(cohort_matrix(tx))).get_xlabel()
    'Periods since first purchase'
    """
    import matplotlib.pyplot as plt

    require_columns(curves, ["cohort", "periods_since_first", "retention"], arg="curves")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    names = [c for c in curves["cohort"].unique() if c != "all cohorts"][:max_cohorts]
    for name in names:
        sub = curves[curves["cohort"] == name]
        ax.plot(sub["periods_since_first"], sub["retention"], color="0.6", lw=0.8)
    pooled = curves[curves["cohort"] == "all cohorts"]
    ax.plot(pooled["periods_since_first"], pooled["retention"], color="C0", lw=2.5, label="all cohorts")
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.set_xlabel("Periods since first purchase")
    ax.set_ylabel("Share of cohort active")
    ax.legend()
    return ax


# --------------------------------------------------------------------------- Kaplan-Meier
@dataclass(frozen=True)
class KaplanMeierResult:
    """Output of :func:`kaplan_meier`.

    ``table``: group, time, at_risk, churned, censored, survival, std_error (Greenwood),
    ci_lower, ci_upper;
    ``medians``: group, customers, churned, median_survival (inf if the curve stays above 0.5);
    ``logrank``: test_statistic, degrees_of_freedom, p_value (None with one group).
    """

    table: pd.DataFrame
    medians: pd.DataFrame
    logrank: pd.DataFrame | None


def kaplan_meier(df: pd.DataFrame, *, duration_col: str = "tenure", event_col: str = "churned",
                 group_col: str | None = None, alpha: float = 0.05) -> KaplanMeierResult:
    """Kaplan-Meier survival curves (生存曲线) by segment, medians and a log-rank test.

    Parameters
    ----------
    df : DataFrame
        One row per customer.
    duration_col : str, default "tenure"
        Time with the firm (up to churn or to the end of observation), >= 0.
    event_col : str, default "churned"
        1/True if the customer churned (event), 0/False if still active (censored).
    group_col : str, optional
        Segment column; one curve per value and a log-rank test across them.
    alpha : float, default 0.05
        1 - level of the pointwise confidence band.

    Returns
    -------
    KaplanMeierResult

    Raises
    ------
    CRMInputError
        Missing columns, negative durations, events other than 0/1.

    Notes
    -----
    Product-limit estimate (Kaplan & Meier 1958), with :math:`d_j` churns at
    time :math:`t_j` and :math:`n_j` customers at risk just before it:

    .. math:: \\hat S(t) = \\prod_{t_j \\le t} \\left(1 - \\frac{d_j}{n_j}\\right)

    Greenwood's variance (Greenwood 1926) and the pointwise band on the
    log(-log) scale (Kalbfleisch & Prentice 1980, the default of Stata and
    ``lifelines``), which stays inside [0, 1]:

    .. math::

        \\widehat{\\mathrm{Var}}\\,\\hat S(t) = \\hat S(t)^2 \\sigma^2(t), \\quad
        \\sigma^2(t) = \\sum_{t_j \\le t} \\frac{d_j}{n_j (n_j - d_j)}, \\quad
        \\hat S(t)^{\\exp\\left(\\pm z_{1-\\alpha/2}\\, \\sigma(t) / \\log \\hat S(t)\\right)}

    (the band is [1, 1] while :math:`\\hat S = 1` and [0, 0] once it reaches 0).
    The median is the first time with :math:`\\hat S(t) \\le 0.5`. The
    log-rank test compares, at every churn time, each segment's churns
    :math:`d_{gj}` with the number expected if all segments had one hazard:

    .. math::

        U_g = \\sum_j \\Big(d_{gj} - d_j \\frac{n_{gj}}{n_j}\\Big), \\quad
        V_{gh} = \\sum_j d_j \\frac{n_j - d_j}{n_j - 1}
                 \\frac{n_{gj}}{n_j}\\Big(\\delta_{gh} - \\frac{n_{hj}}{n_j}\\Big), \\quad
        \\chi^2 = U^\\top V^{-1} U

    over the first :math:`G - 1` segments, referred to a chi-square with
    :math:`G - 1` degrees of freedom (Mantel 1966; Kleinbaum & Klein 2012, ch. 2).

    References
    ----------
    Kaplan, E. L. & Meier, P. (1958). Nonparametric estimation from incomplete
    observations. *JASA*, 53(282), 457-481.
    Greenwood, M. (1926). The natural duration of cancer. *Reports on Public
    Health and Medical Subjects*, 33, 1-26.
    Kalbfleisch, J. D. & Prentice, R. L. (1980). *The Statistical Analysis of
    Failure Time Data*. Wiley, section 1.3.
    Mantel, N. (1966). Evaluation of survival data and two new rank order
    statistics arising in its consideration. *Cancer Chemotherapy Reports*, 50(3), 163-170.
    Kleinbaum, D. G. & Klein, M. (2012). *Survival Analysis: A Self-Learning
    Text*, 3rd ed. Springer, chapter 2.

    Examples
    --------
    >>> d = pd.DataFrame({"tenure": [1, 2, 2, 3, 4], "churned": [1, 1, 0, 1, 0]})
    >>> kaplan_meier(d).table[["time", "at_risk", "survival"]].round(3)
       time  at_risk  survival
    0   0.0        5     1.000
    1   1.0        5     0.800
    2   2.0        4     0.600
    3   3.0        2     0.300
    4   4.0        1     0.300
    >>> d["plan"] = ["a", "b", "a", "b", "a"]
    >>> kaplan_meier(d, group_col="plan").logrank.round(3)
       test_statistic  degrees_of_freedom  p_value
    0           0.486                   1    0.485
    """
    d = DURATIONS.read(df, arg="df", duration_col=duration_col, event_col=event_col, group_col=group_col)
    durations, events = d["duration"], d["event"]
    groups = pd.Series("all", index=d.index) if group_col is None else d["group"].astype(str)

    from scipy.stats import chi2, norm  # here, not at import: scipy.stats alone weighs 50 MB

    z = norm.ppf(1 - check_probability(alpha, "alpha", allow_zero=False, allow_one=False) / 2)
    names = sorted(groups.unique())
    tables, medians = [], []
    for name in names:
        m = (groups == name).to_numpy()
        t = _km_curve(durations.to_numpy(float)[m], events.to_numpy()[m], z)
        tables.append(t.assign(group=name)[["group", *t.columns]])
        below = t["survival"].to_numpy() <= 0.5 + 1e-12      # S exactly 0.5 counts despite rounding
        medians.append({"group": name, "customers": int(m.sum()), "churned": int(events[m].sum()),
                        "median_survival": float(t["time"].to_numpy()[below][0]) if below.any() else np.inf})
    table = pd.concat(tables, ignore_index=True)
    if group_col is None:
        table = table.drop(columns="group")
    logrank = None
    if len(names) >= 2:
        stat, dof = _logrank(durations.to_numpy(float), events.to_numpy(),
                             pd.Categorical(groups, categories=names).codes)
        logrank = pd.DataFrame({"test_statistic": [stat], "degrees_of_freedom": [dof],
                                "p_value": [float(chi2.sf(stat, dof))]})
    return KaplanMeierResult(table=table, medians=pd.DataFrame(medians), logrank=logrank)


def _risk_table(durations: np.ndarray, events: np.ndarray, codes: np.ndarray, k: int):
    """Distinct times (with 0) and, per time and group, customers at risk, churns and exits."""
    times, pos = np.unique(np.concatenate([[0.0], durations]), return_inverse=True)
    pos = pos[1:]
    shape = (len(times), k)
    churned = np.zeros(shape)
    removed = np.zeros(shape)
    np.add.at(churned, (pos, codes), events)
    np.add.at(removed, (pos, codes), 1)
    at_risk = removed[::-1].cumsum(axis=0)[::-1]         # still there just before each time
    return times, at_risk, churned, removed


def _km_curve(durations: np.ndarray, events: np.ndarray, z: float) -> pd.DataFrame:
    """Product-limit estimate, Greenwood variance and log-log band of one group."""
    times, n, d, removed = (a if a.ndim == 1 else a[:, 0]
                            for a in _risk_table(durations, events, np.zeros(len(durations), int), 1))
    survival = np.cumprod(1 - d / n)
    # Greenwood's sum; a step where everyone left (n == d) has S = 0 and an empty band
    greenwood = np.cumsum(np.divide(d, n * (n - d), out=np.zeros_like(d), where=n > d))
    with np.errstate(divide="ignore", invalid="ignore"):
        log_s = np.log(survival)
        half = z * np.sqrt(greenwood) / np.abs(log_s)
        lower, upper = survival ** np.exp(half), survival ** np.exp(-half)
    lower = np.where(survival == 1, 1.0, lower)
    upper = np.where(survival == 1, 1.0, upper)
    return pd.DataFrame({"time": times, "at_risk": n.astype(int), "churned": d.astype(int),
                         "censored": (removed - d).astype(int), "survival": survival,
                         "std_error": survival * np.sqrt(greenwood), "ci_lower": lower, "ci_upper": upper})


def _logrank(durations: np.ndarray, events: np.ndarray, codes: np.ndarray) -> tuple[float, int]:
    """Log-rank chi-square across the groups ``codes`` (0..k-1) and its degrees of freedom."""
    k = int(codes.max()) + 1
    _, n_g, d_g, _ = _risk_table(durations, events, codes, k)
    n, d = n_g.sum(axis=1), d_g.sum(axis=1)
    keep = d > 0
    n_g, d_g, n, d = n_g[keep], d_g[keep], n[keep], d[keep]
    share = n_g / n[:, None]
    observed_minus_expected = (d_g - d[:, None] * share).sum(axis=0)
    tie = np.divide(n - d, n - 1, out=np.zeros_like(n), where=n > 1)
    w = (d * tie)[:, None] * share
    cov = np.diag(w.sum(axis=0)) - w.T @ share
    u = observed_minus_expected[:-1]
    stat = float(u @ np.linalg.pinv(cov[:-1, :-1]) @ u)
    return stat, k - 1


def plot_kaplan_meier(result: KaplanMeierResult, *, ax=None, band: bool = True,
                      title: str = "Kaplan-Meier survival curves", time_label: str = "Tenure"):
    """Step plot of the survival curves in a :class:`KaplanMeierResult`; returns the Axes.

    Examples
    --------
    >>> d = pd.DataFrame({"tenure": [1, 2, 2, 3], "churned": [1, 1, 0, 1]})
    >>> plot_kaplan_meier(kaplan_meier(d)).get_ylabel()
    'Share still a customer'
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    table = result.table if "group" in result.table else result.table.assign(group="all")
    for i, (name, sub) in enumerate(table.groupby("group", sort=True)):
        ax.step(sub["time"], sub["survival"], where="post", color=f"C{i}", label=str(name))
        if band:
            ax.fill_between(sub["time"], sub["ci_lower"], sub["ci_upper"], step="post",
                            color=f"C{i}", alpha=0.15)
    ax.set_ylim(0, 1.02)
    ax.set_title(title)
    ax.set_xlabel(time_label)
    ax.set_ylabel("Share still a customer")
    if table["group"].nunique() > 1:
        ax.legend(title="segment")
    return ax


# --------------------------------------------------------------------------- sBG
def survivors_from_durations(df: pd.DataFrame, *, duration_col: str = "tenure",
                             event_col: str = "churned") -> pd.DataFrame:
    """Churned and censored counts by period from customer-level durations.

    Returns a DataFrame indexed by period ``t = 1..max`` with columns ``churned``
    (customers who left at renewal t, i.e. after t periods) and ``censored``
    (customers still active after t periods at the end of observation), the
    input :meth:`ShiftedBetaGeometric.fit_counts` takes.

    Examples
    --------
    >>> d = pd.DataFrame({"tenure": [1, 1, 2, 3], "churned": [True, False, True, False]})
    >>> survivors_from_durations(d)
       churned  censored
    t
    1        1        1
    2        1        0
    3        0        1
    """
    table = DURATIONS.extend(Column("duration", "duration", "count", min=1, doc="completed renewal periods"))
    frame = table.read(df, arg="df", duration_col=duration_col, event_col=event_col)
    d, e = frame["duration"], frame["event"]
    d, e = d.to_numpy().astype(int), e.to_numpy()
    n = int(d.max())
    out = pd.DataFrame({"churned": np.bincount(d[e], minlength=n + 1)[1:],
                        "censored": np.bincount(d[~e], minlength=n + 1)[1:]},
                       index=pd.RangeIndex(1, n + 1, name="t"))
    return out


class ShiftedBetaGeometric(LikelihoodModel):
    """The shifted-beta-geometric (sBG) model of contract retention (Fader & Hardie 2007).

    Each customer renews at the end of every period with her own constant
    probability :math:`1-\\theta`; across customers :math:`\\theta \\sim
    \\mathrm{Beta}(\\alpha, \\beta)`. Because the customers most likely to
    churn leave first, the *aggregate* retention rate rises with tenure even
    though nobody's own rate changes.

    Parameters
    ----------
    x0 : tuple of float, default (1.0, 1.0)
        Starting values of (alpha, beta) for the optimiser.

    Attributes
    ----------
    params_, se_ : Series
        Maximum-likelihood estimates of ``alpha`` and ``beta`` and their
        standard errors (observed information, delta method from the log
        scale), as in every model of :mod:`crm_lessons.models`.
    cov_ : DataFrame
        Their covariance.
    log_likelihood_ : float
        Maximised log-likelihood.
    n_ : int
        Customers in the fitted cohort(s).
    n_periods_ : int
        Number of periods the model was fitted on.

    Notes
    -----
    With :math:`T` the period in which a customer churns (Fader & Hardie 2007, eqs. 5-6):

    .. math::

        P(T=t \\mid \\alpha,\\beta) = \\frac{B(\\alpha+1, \\beta+t-1)}{B(\\alpha,\\beta)},
        \\qquad
        S(t \\mid \\alpha,\\beta) = \\frac{B(\\alpha, \\beta+t)}{B(\\alpha,\\beta)},
        \\qquad
        r_t = \\frac{S(t)}{S(t-1)} = \\frac{\\beta+t-1}{\\alpha+\\beta+t-1}.

    For survivor counts :math:`n_0 \\ge n_1 \\ge \\dots \\ge n_T` the
    log-likelihood (eq. 7) is
    :math:`LL = \\sum_{t=1}^{T} (n_{t-1}-n_t)\\ln P(T=t) + n_T \\ln S(T)`.

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention.
    *Journal of Interactive Marketing*, 21(1), 76-90.
    Fader, P. S. & Hardie, B. G. S. (2010). Customer-base valuation in a
    contractual setting: the perils of ignoring heterogeneity. *Marketing
    Science*, 29(1), 85-93.

    Examples
    --------
    The "regular" customers of Fader & Hardie (2007), years 0-7:

    >>> sbg = ShiftedBetaGeometric().fit([1000, 631, 468, 382, 326, 289, 262, 241])
    >>> {k: round(v, 3) for k, v in sbg.params_.items()}
    {'alpha': 0.704, 'beta': 1.182}
    >>> sbg.project(12, cohort_size=1000)["expected_survivors"].round(0).tolist()[-3:]
    [191.0, 180.0, 170.0]
    """

    param_names = ("alpha", "beta")

    def __init__(self, *, x0: tuple[float, float] = (1.0, 1.0)):
        self.x0 = x0

    @classmethod
    def from_params(cls, **params: float) -> "ShiftedBetaGeometric":
        """A model with given (e.g. true or published) ``alpha`` and ``beta``, ready to predict.

        Examples
        --------
        >>> ShiftedBetaGeometric.from_params(alpha=1.0, beta=1.0).survival([0, 1, 3]).round(3).tolist()
        [1.0, 0.5, 0.25]
        """
        model = super().from_params(**params)
        model.n_periods_ = 0
        return model

    # ---- likelihood, written as in the paper
    @staticmethod
    def _log_p_churn(t, alpha, beta):
        """ln P(T = t) = ln B(alpha+1, beta+t-1) - ln B(alpha, beta)."""
        return betaln(alpha + 1, beta + np.asarray(t, float) - 1) - betaln(alpha, beta)

    @staticmethod
    def _log_survival(t, alpha, beta):
        """ln S(t) = ln B(alpha, beta+t) - ln B(alpha, beta)."""
        return betaln(alpha, beta + np.asarray(t, float)) - betaln(alpha, beta)

    @classmethod
    def log_likelihood(cls, alpha: float, beta: float, churned, censored) -> float:
        """Log-likelihood of churn counts at t=1..T and of customers censored after t periods."""
        t = np.arange(1, len(churned) + 1)
        return float(np.dot(churned, cls._log_p_churn(t, alpha, beta))
                     + np.dot(censored, cls._log_survival(t, alpha, beta)))

    # ---- fitting
    def fit(self, survivors) -> "ShiftedBetaGeometric":
        """Fit to one cohort's survivor counts ``[n_0, n_1, ..., n_T]`` (n_0 = cohort size).

        Raises
        ------
        CRMInputError
            Fewer than 2 periods, negative, fractional or increasing counts, a zero cohort;
        ConvergenceError
            When the likelihood search fails (see :mod:`crm_lessons.models`).
        """
        s = np.asarray(survivors, dtype=float)
        if s.ndim != 1 or len(s) < 3:
            raise CRMInputError(
                f"argument `survivors`: needs at least 3 counts [n_0, n_1, n_2] (cohort size and two "
                f"periods) to fit two parameters; found {len(np.atleast_1d(s))}. Pass more periods."
            )
        if not np.all(np.isfinite(s)) or (s < 0).any() or s[0] <= 0:
            raise CRMInputError(
                f"argument `survivors`: counts must be finite, >= 0, and the cohort size n_0 > 0; "
                f"found {s.tolist()[:6]}. Pass numbers of customers, e.g. [1000, 631, 468]."
            )
        if (np.diff(s) > 0).any():
            i = int(np.flatnonzero(np.diff(s) > 0)[0]) + 1
            raise CRMInputError(
                f"argument `survivors`: survivors can only fall; found {s[i - 1]:g} at period {i - 1} "
                f"then {s[i]:g} at period {i}. Pass counts of one cohort, not of the whole base; "
                "if retention shares were given, multiply by the cohort size."
            )
        churned = s[:-1] - s[1:]
        censored = np.zeros_like(churned)
        censored[-1] = s[-1]
        return self._fit(churned, censored)

    def fit_counts(self, counts: pd.DataFrame, *, churned_col: str = "churned",
                   censored_col: str = "censored") -> "ShiftedBetaGeometric":
        """Fit to churned and censored counts at t = 1..T (e.g. from :func:`survivors_from_durations`)."""
        require_columns(counts, {"churned_col": churned_col, "censored_col": censored_col}, arg="counts")
        c = check_numeric(counts, churned_col, arg="counts", col_arg="churned_col", min_value=0)
        z = check_numeric(counts, censored_col, arg="counts", col_arg="censored_col", min_value=0)
        if c.sum() <= 0:
            raise CRMInputError("argument `counts`: no customer churned; the sBG model cannot be "
                                "estimated. Observe the cohort for longer.")
        return self._fit(c.to_numpy(), z.to_numpy())

    def fit_durations(self, df: pd.DataFrame, *, duration_col: str = "tenure",
                      event_col: str = "churned") -> "ShiftedBetaGeometric":
        """Fit to customer-level tenures (whole periods) and churn flags of a staggered base."""
        return self.fit_counts(survivors_from_durations(df, duration_col=duration_col,
                                                        event_col=event_col))

    def _fit(self, churned, censored) -> "ShiftedBetaGeometric":
        churned = np.asarray(churned, float)
        censored = np.asarray(censored, float)

        def nll(z):
            return -self.log_likelihood(np.exp(z[0]), np.exp(z[1]), churned, censored)

        res = fit_mle(lambda th: (self.log_likelihood(th[0], th[1], churned, censored), None),
                      dict(zip(self.param_names, map(float, self.x0))), n_obs=int(churned.sum() + censored.sum()),
                      model_name="ShiftedBetaGeometric", gradient=False,
                      advice="This happens when retention is nearly constant (no heterogeneity across "
                             "customers) or almost nobody churned: use more periods, or a simple geometric "
                             "model with one retention rate.")
        self._set_fit(res, n=int(round(churned.sum() + censored.sum())))
        self.n_periods_ = int(len(churned))
        return self

    # ---- predictions
    def survival(self, t) -> np.ndarray:
        """S(t): share of a cohort still a customer after t periods (t = 0, 1, ...)."""
        check_fitted(self)
        a, b = self.params_["alpha"], self.params_["beta"]
        return np.exp(self._log_survival(t, a, b))

    def churn_probability(self, t) -> np.ndarray:
        """P(T = t): share of a cohort that churns at renewal t (t = 1, 2, ...)."""
        check_fitted(self)
        a, b = self.params_["alpha"], self.params_["beta"]
        return np.exp(self._log_p_churn(t, a, b))

    def retention_rate(self, t) -> np.ndarray:
        """r_t = S(t)/S(t-1) = (beta+t-1)/(alpha+beta+t-1), the retention rate of period t (t >= 1)."""
        check_fitted(self)
        a, b = self.params_["alpha"], self.params_["beta"]
        t = np.asarray(t, float)
        return (b + t - 1) / (a + b + t - 1)

    def project(self, n_periods: int, *, cohort_size: float = 1.0) -> pd.DataFrame:
        """Survival, expected survivors and retention rate for t = 0..n_periods.

        Returns columns ``t, survival, expected_survivors, retention_rate``
        (retention rate NaN at t=0) and ``fitted`` (True for the periods used in fitting).
        """
        check_fitted(self)
        check_number(n_periods, "n_periods", min_value=1, integer=True)
        t = np.arange(int(n_periods) + 1)
        s = self.survival(t)
        r = np.r_[np.nan, self.retention_rate(t[1:])]
        return pd.DataFrame({"t": t, "survival": s, "expected_survivors": cohort_size * s,
                             "retention_rate": r, "fitted": t <= self.n_periods_})

    def derl(self, discount_rate: float, *, renewals: int = 0) -> float:
        """Discounted expected residual lifetime (DERL) of a customer with ``renewals`` renewals so far.

        The expected discounted number of further payments, the next one
        (renewal ``renewals + 1``) included and undiscounted. Multiply by the
        margin per period to value the customer.

        Notes
        -----
        Fader & Hardie (2010, eq. 6), with :math:`n` = renewals + 1 and :math:`d` the discount rate:

        .. math::

            \\mathrm{DERL}(d \\mid \\alpha,\\beta,n-1)
              = \\sum_{t=n}^{\\infty} \\frac{S(t)}{S(n-1)} \\frac{1}{(1+d)^{t-n}}
              = \\frac{B(\\alpha, \\beta+n)}{B(\\alpha, \\beta+n-1)}\\,
                {}_2F_1\\!\\left(1, \\beta+n; \\alpha+\\beta+n; \\tfrac{1}{1+d}\\right)
        """
        check_fitted(self)
        check_number(discount_rate, "discount_rate", min_value=0, strict=True)
        check_number(renewals, "renewals", min_value=0, integer=True)
        a, b = self.params_["alpha"], self.params_["beta"]
        n = int(renewals) + 1
        ratio = np.exp(betaln(a, b + n) - betaln(a, b + n - 1))
        return float(ratio * hyp2f1(1.0, b + n, a + b + n, 1.0 / (1.0 + discount_rate)))

    def expected_lifetime(self) -> float:
        """Mean number of periods a new customer stays, E[T] = (alpha+beta-1)/(alpha-1); inf if alpha <= 1."""
        check_fitted(self)
        a, b = self.params_["alpha"], self.params_["beta"]
        return float((a + b - 1) / (a - 1)) if a > 1 else float("inf")

    def summary(self) -> pd.DataFrame:
        """Estimates with standard errors, 95% intervals and the implied mean churn probability.

        The mean churn probability is :math:`E[\\theta] = \\alpha / (\\alpha + \\beta)`, its
        standard error by the delta method from ``cov_``.
        """
        out = super().summary()
        a, b = self.params_["alpha"], self.params_["beta"]
        g = np.array([b, -a]) / (a + b) ** 2
        se = float(np.sqrt(g @ self.cov_.to_numpy() @ g))
        m = a / (a + b)
        out.loc["mean churn probability"] = [m, se, m - 1.959963984540054 * se, m + 1.959963984540054 * se]
        out.index.name = "parameter"
        return out

