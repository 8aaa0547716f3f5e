"""Customer value segmentation (客户价值细分), lesson 2.5.

Customer segmentation (客户细分) divides a customer base into groups whose
members are alike and differ from other groups, so that a firm with limited
resources can serve each group as its needs and value deserve. This module
holds the course's value-based segmentations, each a small function on a
transaction log or a per-customer table:

* :func:`rfm_table` -- recency, frequency, monetary value (RFM), quantile
  scores, the R x F segment map (:data:`RFM_SEGMENTS`) and the eight
  high/low R/F/M classes (重要价值客户 ... 一般挽留客户, :data:`RFM_CLASSES`);
* :func:`pareto_curve`, :func:`lorenz_curve`, :func:`gini` and
  :func:`abc_classes` -- the 80/20 rule (帕累托定律) and ABC classification;
* :func:`customer_pyramid` -- the customer pyramid (客户金字塔) of VIP 1%,
  main 4%, ordinary 15% and small 80% customers;
* :func:`growth_potential` and :func:`value_matrix` -- the customer value
  matrix (客户价值细分矩阵): current value x growth potential (增值潜力);
* :func:`loyalty_value_quadrants` -- HSBC's true friends, butterflies,
  barnacles and strangers (知己/蝴蝶/藤壶/过客);
* :func:`monthly_customer_stats` and :func:`tier_by_rules` -- grading by a
  rules table, e.g. the restaurant grades of :data:`RESTAURANT_RULES`;
* :func:`kmeans_segments` and :func:`choose_k` -- data-driven segments;
* :func:`tier_summary` -- size and value share of any segmentation;
* plots: :func:`plot_pareto`, :func:`plot_pyramid`, :func:`plot_value_matrix`,
  :func:`plot_rfm_heatmap`, :func:`plot_segment_profile`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from crm_lessons.figures import get_axes
from crm_lessons._segmentation_plots import (
    plot_pyramid, plot_rfm_heatmap, plot_segment_profile, plot_value_matrix,
)
from crm_lessons._segmentation_tables import (
    LOYALTY_QUADRANTS, PYRAMID_TIERS_ZH, RESTAURANT_PRIVILEGES, RESTAURANT_RULES, RFM_CLASSES,
    RFM_SEGMENTS, VALUE_MATRIX_CLASSES,
)
from crm_lessons._grouping import count_worse, customer_slots, day_numbers, periods_per_customer
from crm_lessons.tables import RFM_VALUES, TRANSACTIONS, Column
from crm_lessons.tables import as_of as as_of_date
from crm_lessons._validation import (
    check_rows,
    CRMInputError, check_dataframe, check_number, check_numeric,
    check_probability, require_columns,
)

__all__ = [
    "RFM_SEGMENTS", "RFM_CLASSES", "VALUE_MATRIX_CLASSES", "PYRAMID_TIERS_ZH", "LOYALTY_QUADRANTS",
    "RESTAURANT_RULES", "RESTAURANT_PRIVILEGES",
    "rank_scores", "rfm_scores", "rfm_table", "pareto_curve", "lorenz_curve", "gini", "abc_classes",
    "customer_pyramid", "tier_summary", "growth_potential", "value_matrix",
    "loyalty_value_quadrants", "monthly_customer_stats", "tier_by_rules",
    "KMeansSegments", "kmeans_segments", "choose_k",
    "plot_pareto", "plot_pyramid", "plot_value_matrix", "plot_rfm_heatmap", "plot_segment_profile",
]


# --------------------------------------------------------------------------- helpers
def _values(values, name: str = "values") -> pd.Series:
    """A 1-D array-like of non-negative values as a float Series (index kept), checked."""
    if isinstance(values, pd.DataFrame):
        raise CRMInputError(
            f"argument `{name}`: expected one column of values; found a DataFrame with columns "
            f"{list(map(str, values.columns))}. Pass one column, e.g. {name}=df['monetary']."
        )
    s = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values).ravel())
    if s.ndim != 1:
        raise CRMInputError(f"argument `{name}`: expected a 1-D array of values; found {s.ndim} dimensions.")
    frame = s.to_frame(name="value")
    check_dataframe(frame, arg=name)
    out = check_numeric(frame, "value", arg=name, min_value=0)
    if out.sum() <= 0:
        raise CRMInputError(
            f"argument `{name}`: the values sum to 0; found {len(out)} zero values. "
            "Shares of value need at least one customer with a positive value."
        )
    return out.rename(s.name if s.name is not None else "value")


def rank_scores(values, *, n_bins: int = 5, higher_is_better: bool = True) -> pd.Series:
    """Quantile scores 1..n_bins by rank, tied values sharing one score.

    Parameters
    ----------
    values : array-like or Series
        One number per customer (no missing values).
    n_bins : int, default 5
        Number of score levels (5 = quintiles).
    higher_is_better : bool, default True
        ``False`` for measures where small is good (recency in days).

    Returns
    -------
    pandas.Series of int
        The score of each customer, same index as ``values``.

    Notes
    -----
    With ``k`` the number of customers strictly worse than a customer and
    ``n`` the number of customers,

    .. math:: \\text{score} = 1 + \\lfloor n_{bins} \\cdot k / n \\rfloor .

    A customer beaten by nobody gets 1; one better than 80% of customers gets
    5 (of 5). Tied customers have the same ``k`` and so the same score, so ties
    never split a bin at random and no bin edges are duplicated (which breaks
    ``pd.qcut`` on skewed counts such as frequency, where most customers buy
    once). Bins are then as equal as the ties allow.

    Examples
    --------
    >>> rank_scores([1, 1, 1, 2, 3, 10], n_bins=3).tolist()
    [1, 1, 1, 2, 3, 3]
    >>> rank_scores([5, 40, 200], n_bins=3, higher_is_better=False).tolist()
    [3, 2, 1]
    """
    check_number(n_bins, "n_bins", min_value=2, max_value=9, integer=True)
    s = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=float))
    x = s.astype(float) if higher_is_better else -s.astype(float)
    worse = x.rank(method="min") - 1
    return (1 + np.floor(n_bins * worse / len(x))).astype(int)


def _rank_scores(x: np.ndarray, n_bins: int, higher_is_better: bool = True) -> np.ndarray:
    """:func:`rank_scores` on a float/int array: ``k`` (customers strictly worse) by a sort and a search."""
    worse = count_worse(x, higher_is_better)
    worse *= n_bins
    worse //= len(worse)
    worse += 1
    return worse.astype(int, copy=False)


def _to_five(score: pd.Series, n_bins: int) -> pd.Series:
    """Map scores 1..n_bins onto the 1..5 scale of the segment map."""
    return (1 + np.floor((score - 1) * 5 / n_bins)).astype(int)


def _first_match(table: pd.DataFrame, conditions: list[pd.Series]) -> np.ndarray:
    """Index (row of ``table``) of the first rule whose condition holds, -1 if none."""
    hit = np.column_stack([c.to_numpy(dtype=bool) for c in conditions])
    first = hit.argmax(axis=1)
    return np.where(hit.any(axis=1), first, -1)


#: A restaurant's visit log: a transaction log with the party size of each visit.
VISITS = TRANSACTIONS.extend(Column("party", "guests", "number", min=0, strict=True, doc="guests at the table"))


def _log(transactions, arg, customer_col, date_col, amount_col, as_of=None, **more) -> pd.DataFrame:
    """Canonical transaction log (days, float amounts) of :data:`crm_lessons.tables.TRANSACTIONS`."""
    log = (VISITS if "party_col" in more else TRANSACTIONS).read(
        transactions, arg=arg, as_of=as_of, customer_col=customer_col, date_col=date_col,
        amount_col=amount_col, **more)
    log["date"] = log["date"].dt.normalize()
    return log


# --------------------------------------------------------------------------- RFM
def rfm_table(transactions: pd.DataFrame, *, as_of=None, customer_col: str = "customer_id",
              date_col: str = "date", amount_col: str = "amount", n_bins: int = 5,
              recency_days=None) -> pd.DataFrame:
    """Recency, frequency and monetary value (RFM) of every customer, with scores and segments.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase: customer, date, amount (>= 0).
    as_of : date-like, optional
        The day the analysis is made; default the last date in the log.
        Purchases after it are an error.
    customer_col, date_col, amount_col : str
        Column names in ``transactions``.
    n_bins : int, default 5
        Number of score levels of R, F and M (2..9).
    recency_days : sequence of int, optional
        Score R by days instead of rank: ``n_bins - 1`` increasing numbers of
        days. A customer quiet for at most ``recency_days[0]`` days gets R =
        ``n_bins``, ... one quiet for more than ``recency_days[-1]`` days gets
        R = 1, whatever the other customers do.

    Returns
    -------
    DataFrame
        Indexed by customer (``customer_id``), columns:

        - ``recency``: days from the last purchase to ``as_of``;
        - ``frequency``: number of purchase days (rows on one day count once);
        - ``monetary``: total spend;
        - ``r_score``, ``f_score``, ``m_score``: 1..n_bins, higher is better
          (a recent buyer has a high R), see :func:`rank_scores`;
        - ``rfm_score``: the three scores as a string, e.g. ``"545"``;
        - ``segment``, ``segment_zh``: the R x F segment of :data:`RFM_SEGMENTS`
          (scores mapped to 1..5 first when ``n_bins != 5``);
        - ``rfm_class``, ``rfm_class_zh``: the eight classes of
          :data:`RFM_CLASSES`, each of R, F, M "high" when its score is above the
          mean score of all customers.

    Raises
    ------
    CRMInputError
        Missing column, unparseable or missing date, date after ``as_of``,
        negative or non-numeric amount.

    Notes
    -----
    For customer *i* with purchase days :math:`t_{i1} < \\dots < t_{ix_i}` and
    amounts :math:`a_{ij}`,

    .. math::

        R_i = \\text{as\\_of} - t_{ix_i}, \\qquad F_i = x_i, \\qquad M_i = \\sum_j a_{ij}.

    References
    ----------
    Hughes, A. M. (1994). *Strategic Database Marketing*. Probus.
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using
    iso-value curves for customer base analysis. *Journal of Marketing
    Research*, 42(4), 415-430.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 3, 3, 3],
    ...                    "date": ["2024-01-05", "2024-03-01", "2024-02-01",
    ...                             "2024-01-10", "2024-02-10", "2024-03-10"],
    ...                    "amount": [20.0, 30.0, 15.0, 10.0, 60.0, 40.0]})
    >>> rfm = rfm_table(tx, as_of="2024-03-31", n_bins=3)
    >>> rfm[["recency", "frequency", "monetary", "rfm_score"]]
                 recency  frequency  monetary rfm_score
    customer_id
    1                 30          2      50.0       222
    2                 59          1      15.0       111
    3                 21          3     110.0       333
    >>> rfm.loc[3, "rfm_class_zh"]
    '重要价值客户'
    >>> rfm_table(tx, as_of="2024-03-31", n_bins=3, recency_days=[25, 40])["r_score"].tolist()
    [2, 1, 3]
    """
    check_number(n_bins, "n_bins", min_value=2, max_value=9, integer=True)
    days_ = None if recency_days is None else np.asarray(recency_days, dtype=float)
    if days_ is not None and (days_.shape != (n_bins - 1,) or not np.all(np.diff(days_) > 0) or days_[0] < 0):
        raise CRMInputError(
            f"argument `recency_days`: must be {n_bins - 1} increasing numbers of days >= 0 (one fewer than "
            f"n_bins); found {list(np.ravel(recency_days))!r}. Pass e.g. recency_days={[30, 90, 180, 365][:n_bins - 1]}."
        )
    log = TRANSACTIONS.read(transactions, arg="transactions", as_of=as_of, customer_col=customer_col,
                            date_col=date_col, amount_col=amount_col)
    day = as_of_date(log)
    codes, ids = customer_slots(log["customer_id"])      # compact integer ids: offsets, no look-up
    days = day_numbers(log["date"])
    amount = log["amount"].to_numpy(dtype=float)
    del log                                         # customer and date columns freed before the sort
    g = periods_per_customer(codes, days, amount, n_codes=len(ids), first_value=False, overwrite_code=True)
    del codes, days, amount
    index = pd.Index(ids[g["code"]] if len(g["code"]) < len(ids) else ids, name="customer_id")
    out = pd.DataFrame({
        "recency": (int(np.datetime64(day.normalize(), "D").astype(np.int64)) - g["last"]).astype(int),
        "frequency": g["n_periods"].astype(int),
        "monetary": g["total"],
    }, index=index)
    return _score(out, n_bins, days_)


def rfm_scores(out: pd.DataFrame, *, n_bins: int = 5, recency_days=None) -> pd.DataFrame:
    """Add the scores, segments and classes of :func:`rfm_table` to a table of ``recency``, ``frequency`` and
    ``monetary`` per customer, in place (the scoring step of :func:`rfm_table`, for a table aggregated elsewhere,
    e.g. by an engine: :mod:`crm_lessons.engine`).

    ``recency_days`` (``n_bins - 1`` increasing day limits, checked by
    :func:`rfm_table`) gives the R score by days, else R is scored by rank like F
    and M. Returns ``out``.

    >>> t = pd.DataFrame({"recency": [3, 40, 400], "frequency": [5, 2, 1], "monetary": [90.0, 30.0, 5.0]})
    >>> rfm_scores(t, n_bins=3)[["r_score", "f_score", "m_score", "rfm_score"]]
       r_score  f_score  m_score rfm_score
    0        3        3        3       333
    1        2        2        2       222
    2        1        1        1       111
    """
    values = RFM_VALUES.read(out, arg="out", recency_col="recency", frequency_col="frequency", monetary_col="monetary")
    return _score(out, n_bins, recency_days, values)


def _score(out: pd.DataFrame, n_bins: int, recency_days, values: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`rfm_scores` on a table already checked (``values``: its checked columns; default ``out``'s own,
    as :func:`rfm_table` builds them)."""
    values = out if values is None else values
    recency, frequency, monetary = (values[c].to_numpy() for c in ("recency", "frequency", "monetary"))
    days_ = None if recency_days is None else np.asarray(recency_days, dtype=float)
    out["r_score"] = (_rank_scores(recency, n_bins, higher_is_better=False) if days_ is None
                      else n_bins - np.searchsorted(days_, recency, side="left"))
    out["f_score"] = _rank_scores(frequency, n_bins)
    # ties in spend judged to a millionth of the currency unit: the order in which purchases are
    # added up must not break a tie between two customers who spent the same
    out["m_score"] = _rank_scores(np.round(monetary, 6), n_bins)
    r, f, m = (out[c].to_numpy() for c in ("r_score", "f_score", "m_score"))
    labels = np.array([f"{i:03d}" for i in range(1000)], dtype=object)
    text = pd.Series(["1"]).astype(str).dtype              # object on pandas 2, str on pandas 3
    code = labels[r * 100 + f * 10 + m]
    out["rfm_score"] = code if text == object else pd.Series(code, index=out.index).astype(text)
    # the R x F segment and the eight classes: look-up tables over the few score combinations
    seg = RFM_SEGMENTS
    grid = pd.Series(np.arange(1, n_bins + 1))
    g5 = _to_five(grid, n_bins).to_numpy()
    rr, ff = np.meshgrid(g5, g5, indexing="ij")
    rr, ff = pd.Series(rr.ravel()), pd.Series(ff.ravel())
    seg_lut = _first_match(seg, [rr.between(a, b) & ff.between(c, d)
                                 for a, b, c, d in seg[["r_min", "r_max", "f_min", "f_max"]].itertuples(index=False)])
    idx = seg_lut[(r - 1) * n_bins + (f - 1)] % len(seg)
    out["segment"] = pd.Categorical.from_codes(idx, categories=seg["segment"])
    out["segment_zh"] = seg["segment_zh"].to_numpy()[idx]
    highs = [out[c].to_numpy() > out[c].mean() for c in ("r_score", "f_score", "m_score")]
    cls = RFM_CLASSES
    hh = pd.DataFrame([(a, b, c) for a in (False, True) for b in (False, True) for c in (False, True)])
    cls_lut = _first_match(cls, [(hh[0] == r_) & (hh[1] == f_) & (hh[2] == m_)
                                 for r_, f_, m_ in cls[["r_high", "f_high", "m_high"]].itertuples(index=False)])
    idx = cls_lut[highs[0] * 4 + highs[1] * 2 + highs[2]] % len(cls)
    out["rfm_class"] = pd.Categorical.from_codes(idx, categories=cls["rfm_class"])
    out["rfm_class_zh"] = cls["rfm_class_zh"].to_numpy()[idx]
    return out




# --------------------------------------------------------------------------- Pareto / ABC / pyramid
def pareto_curve(values) -> pd.DataFrame:
    """Cumulative share of value held by the top share of customers (帕累托曲线).

    Parameters
    ----------
    values : array-like or Series
        Value of each customer (spend, profit), >= 0, not all 0.

    Returns
    -------
    DataFrame
        ``customer_share`` (0..1) and ``value_share`` (0..1), starting at (0, 0),
        customers sorted from the most to the least valuable: the row with
        ``customer_share`` 0.2 says what the top 20% hold.

    Raises
    ------
    CRMInputError
        Empty, negative, missing or non-numeric values, or values summing to 0.

    Notes
    -----
    With values sorted in decreasing order :math:`x_{(1)} \\ge \\dots \\ge x_{(n)}`,
    the curve passes through :math:`(k/n, \\sum_{j \\le k} x_{(j)} / \\sum_j x_j)`.
    It is the Lorenz curve turned round: :math:`P(p) = 1 - L(1 - p)`.

    Examples
    --------
    >>> pareto_curve([10, 40, 30, 20]).round(2).to_numpy().tolist()
    [[0.0, 0.0], [0.25, 0.4], [0.5, 0.7], [0.75, 0.9], [1.0, 1.0]]
    """
    x = np.sort(_values(values).to_numpy())[::-1]
    n = len(x)
    return pd.DataFrame({"customer_share": np.arange(n + 1) / n,
                         "value_share": np.concatenate([[0.0], np.cumsum(x) / x.sum()])})


def lorenz_curve(values) -> pd.DataFrame:
    """The Lorenz curve: share of value held by the bottom share of customers.

    Returns ``customer_share`` and ``value_share`` from (0, 0) to (1, 1), customers
    sorted from the least to the most valuable.

    Examples
    --------
    >>> lorenz_curve([10, 40, 30, 20]).round(2).to_numpy().tolist()
    [[0.0, 0.0], [0.25, 0.1], [0.5, 0.3], [0.75, 0.6], [1.0, 1.0]]
    """
    x = np.sort(_values(values).to_numpy())
    n = len(x)
    return pd.DataFrame({"customer_share": np.arange(n + 1) / n,
                         "value_share": np.concatenate([[0.0], np.cumsum(x) / x.sum()])})


def gini(values) -> float:
    """Gini coefficient of customer value: 0 = all equal, (n-1)/n = one customer has all.

    Notes
    -----
    Twice the area between the diagonal and the Lorenz curve; with values
    sorted increasingly :math:`x_{(1)} \\le \\dots \\le x_{(n)}`,

    .. math:: G = \\frac{2 \\sum_{i=1}^n i\\, x_{(i)}}{n \\sum_i x_i} - \\frac{n + 1}{n}.

    References
    ----------
    Gini, C. (1912). *Variabilità e mutabilità*. Bologna.

    Examples
    --------
    >>> gini([5, 5, 5, 5])
    0.0
    >>> gini([1, 2, 3, 4])
    0.25
    """
    x = np.sort(_values(values).to_numpy())
    n = len(x)
    g = 2 * np.sum(np.arange(1, n + 1) * x) / (n * x.sum()) - (n + 1) / n
    return float(round(g, 12))


def plot_pareto(values, *, ax=None, top: float = 0.2, abc=None):
    """Pareto curve (share of value held by the top customers) with the Gini coefficient.

    Parameters
    ----------
    values : array-like or Series
        Value of each customer.
    ax : matplotlib Axes, optional
    top : float, default 0.2
        Mark the share of value held by this top share of customers.
    abc : tuple (a, b), optional
        Draw the ABC class limits (cumulative value shares).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_pareto([1, 2, 3, 50])
    >>> ax.get_title()
    'Pareto curve of customer value (Gini 0.66)'
    """
    curve = pareto_curve(values)
    ax = get_axes(ax)
    ax.plot(curve["customer_share"], curve["value_share"], color="C0", label="customers, most valuable first")
    ax.plot([0, 1], [0, 1], color="grey", ls="--", lw=1, label="all customers equal")
    held = float(np.interp(top, curve["customer_share"], curve["value_share"]))
    ax.plot([top, top, 0], [0, held, held], color="C3", lw=1)
    ax.annotate(f"top {top:.0%} hold {held:.0%}", (top, held), xytext=(8, -14), textcoords="offset points",
                color="C3")
    if abc is not None:
        for lim, name in zip(abc, ("A|B", "B|C")):
            ax.axhline(lim, color="C2", lw=0.8, ls=":")
            # at the left edge: on the right the labels sat on the curve and the diagonal
            ax.text(0.01, lim, name, color="C2", ha="left", va="bottom")
    ax.set(xlim=(0, 1), ylim=(0, 1.02), xlabel="Share of customers", ylabel="Share of value",
           title=f"Pareto curve of customer value (Gini {gini(values):.2f})")
    ax.legend(loc="lower right", fontsize="small")
    return ax


def _order_desc(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The order from high to low (stable for ties) and each value's position 0..n-1 in it."""
    order = np.argsort(-x, kind="stable")
    pos = np.empty(len(x), dtype=int)
    pos[order] = np.arange(len(x))
    return order, pos


def abc_classes(values, *, a: float = 0.8, b: float = 0.95) -> pd.DataFrame:
    """ABC classification of customers by their share of total value.

    Parameters
    ----------
    values : array-like or Series
        Value of each customer (index kept as customer id if a Series).
    a, b : float, default 0.8 and 0.95
        Cumulative value shares closing classes A and B (0 < a < b <= 1).

    Returns
    -------
    DataFrame
        Same index as ``values``; ``value``, ``rank`` (1 = most valuable),
        ``cum_share`` (share of total value held by customers ranked up to and
        including this one) and ``abc_class`` ("A", "B", "C").

    Notes
    -----
    Customers are sorted by value, high to low. A customer is in A while the
    customers ranked before it hold less than ``a`` of the value (so the
    customer who crosses ``a`` is the last A), in B while they hold less than
    ``b``, otherwise in C. Ties are ranked in input order.

    References
    ----------
    Juran, J. M. (1951). *Quality Control Handbook*. McGraw-Hill (the "vital
    few and trivial many" behind ABC analysis and the 80/20 rule).

    Examples
    --------
    >>> abc_classes([50, 5, 30, 10, 5], a=0.8, b=0.95)["abc_class"].tolist()
    ['A', 'B', 'A', 'B', 'C']
    """
    check_probability(a, "a", allow_zero=False)
    check_probability(b, "b", allow_zero=False)
    if not a < b:
        raise CRMInputError(f"arguments `a` and `b`: need a < b; found a={a!r}, b={b!r}. Pass e.g. a=0.8, b=0.95.")
    v = _values(values)
    x = v.to_numpy()
    order, pos = _order_desc(x)
    sorted_v = x[order]                                   # the values from high to low (no second sort)
    cum = np.cumsum(sorted_v) / sorted_v.sum()
    before = np.concatenate([[0.0], cum[:-1]])[pos]
    cls = np.where(before < a - 1e-12, 0, np.where(before < b - 1e-12, 1, 2)).astype(np.int8)
    return pd.DataFrame({"value": x, "rank": pos + 1, "cum_share": cum[pos],
                         "abc_class": pd.Categorical.from_codes(cls, categories=["A", "B", "C"])}, index=v.index)


def customer_pyramid(values, *, shares=(0.01, 0.04, 0.15, 0.80),
                     labels=("VIP", "Main", "Ordinary", "Small"), labels_zh=None) -> pd.DataFrame:
    """The customer pyramid (客户金字塔): tiers of fixed customer shares ranked by value.

    Parameters
    ----------
    values : array-like or Series
        Value of each customer.
    shares : sequence of float, default (0.01, 0.04, 0.15, 0.80)
        Share of customers in each tier, top first; must sum to 1 (the MBA chapter:
        VIP 1%, main 4%, ordinary 15%, small 80%).
    labels : sequence of str, default ("VIP", "Main", "Ordinary", "Small")
        Tier names, top first.
    labels_zh : sequence of str, optional
        Chinese names; default :data:`PYRAMID_TIERS_ZH` for the default labels,
        otherwise the labels themselves.

    Returns
    -------
    DataFrame
        Same index as ``values``: ``value``, ``rank`` (1 = most valuable),
        ``tier`` (ordered categorical, top first) and ``tier_zh``. Summarise it
        with :func:`tier_summary`.

    Notes
    -----
    With ``n`` customers, tier *j* takes ranks
    :math:`(\\text{round}(n S_{j-1}), \\text{round}(n S_j)]` where :math:`S_j` is
    the cumulative share of the first *j* tiers; ties are ranked in input order.

    References
    ----------
    Zeithaml, V. A., Rust, R. T. & Lemon, K. N. (2001). The customer pyramid:
    creating and serving profitable customers. *California Management Review*,
    43(4), 118-142.

    Examples
    --------
    >>> pyr = customer_pyramid(range(1, 101))
    >>> pyr["tier"].value_counts(sort=False).tolist()
    [1, 4, 15, 80]
    >>> tier_summary(pyr, tier_col="tier")["value_share"].round(3).tolist()
    [0.02, 0.077, 0.261, 0.642]
    """
    shares = np.asarray(shares, dtype=float)
    labels = list(labels)
    if len(shares) != len(labels) or len(shares) < 2:
        raise CRMInputError(f"arguments `shares` and `labels`: need the same length (>= 2); found "
                            f"{len(shares)} shares and {len(labels)} labels. Give one label per share.")
    for j, s in enumerate(shares):
        check_probability(float(s), f"shares[{j}]", allow_zero=False)
    if abs(shares.sum() - 1) > 1e-9:
        raise CRMInputError(f"argument `shares`: must sum to 1; found {shares.sum():g}. "
                            "Give the share of customers in every tier, e.g. (0.01, 0.04, 0.15, 0.80).")
    if labels_zh is None:
        labels_zh = [PYRAMID_TIERS_ZH.get(lab, lab) for lab in labels]
    v = _values(values)
    _, pos = _order_desc(v.to_numpy())
    edges = np.round(np.cumsum(shares) * len(v)).astype(int)
    tier_idx = np.searchsorted(edges, pos, side="right")
    return pd.DataFrame({"value": v.to_numpy(), "rank": pos + 1,
                         "tier": pd.Categorical.from_codes(tier_idx, categories=labels, ordered=True),
                         "tier_zh": np.asarray(list(labels_zh), dtype=object)[tier_idx]}, index=v.index)


def tier_summary(df: pd.DataFrame, *, tier_col: str, value_col: str = "value") -> pd.DataFrame:
    """Size and value of each segment: count, share of customers, value, share of value.

    Parameters
    ----------
    df : DataFrame
        One row per customer with a segment column and a value column.
    tier_col : str
        The segment column (categories keep their order; empty ones show 0).
    value_col : str, default "value"
        The value column (>= 0).

    Returns
    -------
    DataFrame
        Indexed by segment: ``customers``, ``customer_share``, ``value``,
        ``value_share``, ``mean_value`` and ``value_index`` (value share /
        customer share: 1 = average, 10 = each customer worth ten average ones).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"tier": ["A", "A", "B", "C"], "value": [60.0, 20.0, 15.0, 5.0]})
    >>> tier_summary(df, tier_col="tier")[["customers", "value_share", "value_index"]]
          customers  value_share  value_index
    tier
    A             2         0.80          1.6
    B             1         0.15          0.6
    C             1         0.05          0.2
    """
    check_dataframe(df, arg="df")
    require_columns(df, {"tier_col": tier_col, "value_col": value_col}, arg="df")
    value = check_numeric(df, value_col, arg="df", col_arg="value_col", min_value=0)
    g = value.groupby(df[tier_col], observed=False, sort=True)
    out = pd.DataFrame({"customers": g.size().astype(int), "value": g.sum()})
    out["customer_share"] = out["customers"] / out["customers"].sum()
    out["value_share"] = out["value"] / out["value"].sum()
    out["mean_value"] = out["value"] / out["customers"].where(out["customers"] > 0)
    out["value_index"] = out["value_share"] / out["customer_share"].where(out["customers"] > 0)
    out.index.name = tier_col
    return out[["customers", "customer_share", "value", "value_share", "mean_value", "value_index"]]


# --------------------------------------------------------------------------- value matrix
def growth_potential(transactions: pd.DataFrame, *, as_of=None, customer_col: str = "customer_id",
                     date_col: str = "date", amount_col: str = "amount", category_col: str | None = None,
                     referrals=None) -> pd.DataFrame:
    """Current value and a growth-potential index (增值潜力) from a transaction log.

    The course measures growth potential by three things a customer may add:
    incremental purchase (增量购买), cross-buying (交叉购买) and referrals of new
    customers (推荐新客户). Each is proxied from the log, turned into a
    percentile (0..1) and averaged:

    - incremental purchase: ``spend_trend`` = (late - early) / (late + early),
      where early and late are the customer's spend in the first and second
      half of their span (first purchase to ``as_of``): +1 = all spend recent,
      -1 = nothing recent, 0 = steady. Relative, so that it does not simply
      repeat current value;
    - cross-buying (only with ``category_col``): ``n_categories`` bought --
      customers who already buy across categories are the ones who cross-buy
      (Kumar, George & Pancras 2008);
    - referrals (only with ``referrals``): number of customers referred.

    Parameters
    ----------
    transactions : DataFrame
        Purchases: customer, date, amount (>= 0) and optionally a category.
    as_of : date-like, optional
        End of the window; default the last date in the log.
    customer_col, date_col, amount_col : str
        Column names.
    category_col : str, optional
        Product category column; adds the cross-buying component.
    referrals : Series, optional
        Number of referrals per customer (index = customer id); missing
        customers count 0.

    Returns
    -------
    DataFrame
        Indexed by customer: ``current_value`` (total spend), ``spend_trend``,
        ``n_categories`` and ``referrals`` (when given), and ``potential``, the
        mean percentile of the components (0..1; ties share the mid rank).

    Notes
    -----
    This is a transparent index, not an amount of money: it orders customers
    by how much room to grow their behaviour shows. A firm with a fitted
    model of future spend (lesson 2.3, CLV) can use predicted minus current
    value instead.

    References
    ----------
    Kumar, V., George, M. & Pancras, J. (2008). Cross-buying in retailing:
    drivers and consequences. *Journal of Retailing*, 84(1), 15-27.

    Examples
    --------
    >>> import pandas as pd
    >>> tx = pd.DataFrame({"customer_id": [1, 1, 2, 2], "category": ["a", "b", "a", "a"],
    ...                    "date": ["2024-01-01", "2024-12-01", "2024-01-01", "2024-02-01"],
    ...                    "amount": [10.0, 50.0, 40.0, 30.0]})
    >>> growth_potential(tx, category_col="category").round(2)
                 current_value  spend_trend  n_categories  potential
    customer_id
    1                     60.0         0.67             2        1.0
    2                     70.0        -1.00             1        0.5
    """
    log = _log(transactions, "transactions", customer_col, date_col, amount_col, as_of=as_of,
               category_col=category_col)
    day = as_of_date(log)
    first = log.groupby("customer_id")["date"].transform("min")
    mid = first + (day - first) / 2
    late = log["date"] > mid
    g = log.groupby("customer_id", sort=True)
    out = pd.DataFrame({"current_value": g["amount"].sum()})
    late_spend = log["amount"].where(late, 0).groupby(log["customer_id"]).sum()
    early_spend = log["amount"].where(~late, 0).groupby(log["customer_id"]).sum()
    total = (late_spend + early_spend).where(lambda t: t > 0)
    out["spend_trend"] = ((late_spend - early_spend) / total).fillna(0.0)
    parts = ["spend_trend"]
    if category_col is not None:
        out["n_categories"] = g["category"].nunique().astype(int)
        parts.append("n_categories")
    if referrals is not None:
        ref = referrals if isinstance(referrals, pd.Series) else pd.Series(referrals)
        ref_frame = ref.to_frame("referrals")
        check_numeric(ref_frame, "referrals", arg="referrals", min_value=0)
        out["referrals"] = ref.reindex(out.index).fillna(0).astype(float)
        parts.append("referrals")
    out["potential"] = out[parts].rank(pct=True, method="average").mean(axis=1)
    out.index.name = "customer_id"
    return out


def _split(s: pd.Series, threshold, name: str) -> tuple[pd.Series, float]:
    """High/low split of ``s`` at ``threshold`` (median by default): high = strictly above."""
    t = float(s.median()) if threshold is None else check_number(threshold, name)
    return s > t, float(t)


def value_matrix(df: pd.DataFrame, *, current_value_col: str = "current_value",
                 potential_col: str = "potential", value_threshold: float | None = None,
                 potential_threshold: float | None = None) -> pd.DataFrame:
    """The customer value matrix (客户价值细分矩阵): current value x growth potential.

    Parameters
    ----------
    df : DataFrame
        One row per customer with a current value and a growth potential, e.g.
        the output of :func:`growth_potential`.
    current_value_col, potential_col : str
        Column names.
    value_threshold, potential_threshold : float, optional
        "High" means strictly above the threshold; default the median.

    Returns
    -------
    DataFrame
        Copy of ``df`` with ``high_value``, ``high_potential``, ``value_class``
        (I, II, III, IV), ``value_class_zh``, ``pyramid_layer`` and
        ``strategy`` (the course's management strategy, :data:`VALUE_MATRIX_CLASSES`).
        The thresholds used are in ``.attrs["thresholds"]``.

    Notes
    -----
    I = low value, low potential; II = low value, high potential; III = high
    value, low potential; IV = high value, high potential. Ranked by value the
    four classes form the course's customer pyramid (IV at the top).

    References
    ----------
    The lecture plan, lesson 2.5: 客户价值细分矩阵, 四类客户的不同管理对策.
    Zeithaml, V. A., Rust, R. T. & Lemon, K. N. (2001), for the layer names.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"current_value": [10, 90, 20, 80], "potential": [0.1, 0.2, 0.9, 0.8]})
    >>> value_matrix(df)["value_class"].tolist()
    ['I', 'III', 'II', 'IV']
    """
    check_dataframe(df, arg="df")
    require_columns(df, {"current_value_col": current_value_col, "potential_col": potential_col}, arg="df")
    value = check_numeric(df, current_value_col, arg="df", col_arg="current_value_col")
    potential = check_numeric(df, potential_col, arg="df", col_arg="potential_col")
    hv, tv = _split(value, value_threshold, "value_threshold")
    hp, tp = _split(potential, potential_threshold, "potential_threshold")
    out = df.copy()
    out["high_value"], out["high_potential"] = hv, hp
    t = VALUE_MATRIX_CLASSES
    idx = _first_match(t, [(hv == v) & (hp == p) for v, p in t[["high_value", "high_potential"]].itertuples(index=False)])
    out["value_class"] = pd.Categorical(t["value_class"].to_numpy()[idx], categories=t["value_class"], ordered=True)
    for col in ("value_class_zh", "pyramid_layer", "strategy"):
        out[col] = t[col].to_numpy()[idx]
    out.attrs["thresholds"] = {"value": tv, "potential": tp}
    return out


def loyalty_value_quadrants(df: pd.DataFrame, *, loyalty_col: str, value_col: str,
                            loyalty_threshold: float | None = None,
                            value_threshold: float | None = None) -> pd.DataFrame:
    """HSBC's loyalty x value quadrants: true friends, butterflies, barnacles, strangers.

    Parameters
    ----------
    df : DataFrame
        One row per customer.
    loyalty_col : str
        A loyalty measure (number of purchases, tenure, products held).
    value_col : str
        A value measure (profit, spend per transaction).
    loyalty_threshold, value_threshold : float, optional
        "High" means strictly above; default the median.

    Returns
    -------
    DataFrame
        Copy of ``df`` with ``high_loyalty``, ``high_value``, ``quadrant``,
        ``quadrant_zh`` and ``strategy`` (:data:`LOYALTY_QUADRANTS`);
        thresholds in ``.attrs["thresholds"]``.

    References
    ----------
    Reinartz, W. & Kumar, V. (2002). The mismanagement of customer loyalty.
    *Harvard Business Review*, 80(7), 86-94.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"orders": [12, 1, 9, 2], "avg_order": [80, 95, 10, 12]})
    >>> loyalty_value_quadrants(df, loyalty_col="orders", value_col="avg_order")["quadrant_zh"].tolist()
    ['知己型客户', '蝴蝶型客户', '藤壶型客户', '过客型客户']
    """
    check_dataframe(df, arg="df")
    require_columns(df, {"loyalty_col": loyalty_col, "value_col": value_col}, arg="df")
    loyalty = check_numeric(df, loyalty_col, arg="df", col_arg="loyalty_col")
    value = check_numeric(df, value_col, arg="df", col_arg="value_col")
    hl, tl = _split(loyalty, loyalty_threshold, "loyalty_threshold")
    hv, tv = _split(value, value_threshold, "value_threshold")
    out = df.copy()
    out["high_loyalty"], out["high_value"] = hl, hv
    t = LOYALTY_QUADRANTS
    idx = _first_match(t, [(hl == a) & (hv == b) for a, b in t[["high_loyalty", "high_value"]].itertuples(index=False)])
    out["quadrant"] = pd.Categorical(t["quadrant"].to_numpy()[idx], categories=t["quadrant"])
    out["quadrant_zh"] = t["quadrant_zh"].to_numpy()[idx]
    out["strategy"] = t["strategy"].to_numpy()[idx]
    out.attrs["thresholds"] = {"loyalty": tl, "value": tv}
    return out


# --------------------------------------------------------------------------- rule-based tiers
def monthly_customer_stats(visits: pd.DataFrame, *, customer_col: str = "customer_id",
                           date_col: str = "date", amount_col: str = "amount",
                           party_col: str = "party_size", months: float | None = None) -> pd.DataFrame:
    """Average monthly visits, monthly spend and spend per head of each customer (客户统计).

    Parameters
    ----------
    visits : DataFrame
        One row per visit (a lunch and a dinner on one day are two visits):
        customer, date, amount (>= 0) and number of guests (> 0).
    customer_col, date_col, amount_col, party_col : str
        Column names.
    months : float, optional
        Length of the observation window in months; default the number of
        calendar months the log spans (first to last month, inclusive).

    Returns
    -------
    DataFrame
        Indexed by customer: ``visits``, ``spend``, ``guests``,
        ``monthly_visits`` = visits / months, ``monthly_spend`` = spend / months
        and ``spend_per_head`` = spend / guests (人均消费).

    Notes
    -----
    Every customer is divided by the same window, as a restaurant's monthly
    report does; a customer who joined late looks less active than they are.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"customer_id": [1, 1, 1, 2], "party_size": [10, 8, 2, 4],
    ...                   "date": ["2024-01-03", "2024-01-20", "2024-02-05", "2024-02-10"],
    ...                   "amount": [900.0, 700.0, 200.0, 180.0]})
    >>> monthly_customer_stats(v)[["monthly_visits", "monthly_spend", "spend_per_head"]]
                 monthly_visits  monthly_spend  spend_per_head
    customer_id
    1                       1.5          900.0            90.0
    2                       0.5           90.0            45.0
    """
    log = _log(visits, "visits", customer_col, date_col, amount_col, party_col=party_col)
    if months is None:
        first, last = log["date"].min(), log["date"].max()
        months = (last.year - first.year) * 12 + last.month - first.month + 1
    check_number(months, "months", min_value=0, strict=True)
    g = log.groupby("customer_id", sort=True)
    out = pd.DataFrame({"visits": g.size().astype(int), "spend": g["amount"].sum(), "guests": g["guests"].sum()})
    out["monthly_visits"] = out["visits"] / months
    out["monthly_spend"] = out["spend"] / months
    out["spend_per_head"] = out["spend"] / out["guests"]
    out.index.name = "customer_id"
    return out


def tier_by_rules(data: pd.DataFrame, rules: pd.DataFrame = RESTAURANT_RULES, *,
                  default: str | None = None) -> pd.DataFrame:
    """Give each customer the first tier of a rules table whose minimums it meets (客户分级).

    Parameters
    ----------
    data : DataFrame
        One row per customer with the measures the rules use, e.g. the output
        of :func:`monthly_customer_stats`.
    rules : DataFrame, default :data:`RESTAURANT_RULES`
        One row per tier, best first: a ``tier`` column, optionally
        ``tier_zh``, and columns ``min_<measure>`` giving the minimum of
        ``data[<measure>]`` for the tier (NaN = no condition). A row with no
        conditions catches everyone left.
    default : str, optional
        Tier of customers who meet no rule; if None and someone meets no rule,
        an error says so.

    Returns
    -------
    DataFrame
        Copy of ``data`` with ``tier`` (ordered categorical in the rules' order)
        and ``tier_zh`` (if the rules have it).

    Raises
    ------
    CRMInputError
        Rules without ``tier`` or without ``min_`` columns, a measure missing
        from ``data``, or customers that meet no rule without a ``default``.

    Notes
    -----
    Customer *i* gets the first tier *t* with :math:`x_{im} \\ge \\min_{tm}` for
    every measure *m* the tier constrains.

    References
    ----------
    The slides: 富丽华·华膳楼酒店客户等级管理制度 (customer grades and privileges).

    Examples
    --------
    >>> import pandas as pd
    >>> stats = pd.DataFrame({"monthly_visits": [7.0, 6.5, 4.2, 1.0],
    ...                       "monthly_spend": [6200.0, 4800.0, 1900.0, 300.0],
    ...                       "spend_per_head": [95.0, 66.0, 55.0, 45.0]})
    >>> tier_by_rules(stats)["tier_zh"].tolist()
    ['A级品质客户', 'A级活跃客户', 'B级客户', 'C级客户']
    """
    check_dataframe(data, arg="data")
    check_dataframe(rules, arg="rules")
    require_columns(rules, ["tier"], arg="rules")
    measures = [c[4:] for c in rules.columns if str(c).startswith("min_")]
    if not measures:
        raise CRMInputError(f"argument `rules`: needs columns named min_<measure>; found {list(map(str, rules.columns))}. "
                            "Add e.g. a column min_monthly_spend with the minimum of data['monthly_spend'].")
    missing = [m for m in measures if m not in data.columns]
    if missing:
        raise CRMInputError(
            f"argument `data`: column '{missing[0]}' (needed by rules column 'min_{missing[0]}') is missing; "
            f"found columns {list(map(str, data.columns))}. Compute it first (for visit logs: "
            "monthly_customer_stats) or rename the rules column to min_<your column>.")
    values = {m: check_numeric(data, m, arg="data", allow_missing=True) for m in measures}
    conditions = []
    for _, rule in rules.iterrows():
        ok = pd.Series(True, index=data.index)
        for m in measures:
            lim = rule[f"min_{m}"]
            if pd.notna(lim):
                ok &= values[m] >= float(lim)
        conditions.append(ok)
    idx = _first_match(rules, conditions)
    tiers = list(rules["tier"])
    if (idx < 0).any():
        if default is None:
            check_rows(data, pd.Series(idx < 0, index=data.index), pd.Series(idx, index=data.index), arg="data",
                       column=None, col_arg=None, rule="every row must meet a rule of `rules`",
                       show=lambda _: "a row that meets none",
                       fix="Add a last rule without conditions or pass default='<tier name>'.")
        tiers = tiers + [default]
    out = data.copy()
    out["tier"] = pd.Categorical(np.asarray(tiers, dtype=object)[idx], categories=list(dict.fromkeys(tiers)), ordered=True)
    if "tier_zh" in rules.columns:
        zh = list(rules["tier_zh"]) + ([default] if len(tiers) > len(rules) else [])
        out["tier_zh"] = np.asarray(zh, dtype=object)[idx]
    return out


# --------------------------------------------------------------------------- k-means
class KMeansSegments(NamedTuple):
    """Result of :func:`kmeans_segments`."""

    labels: pd.Series
    """Segment of each customer, 0 = the segment with the highest mean value."""
    profile: pd.DataFrame
    """Per segment: size, share, mean of each feature (original units), value share."""
    model: object
    """The fitted ``sklearn.cluster.KMeans`` (on transformed, standardised features)."""


def _prepare(features: pd.DataFrame, log) -> tuple[pd.DataFrame, np.ndarray]:
    check_dataframe(features, arg="features", min_rows=2)
    cols = list(features.columns)
    log_cols = cols if log is True else ([] if log is False else list(log))
    require_columns(features, log_cols, arg="features")
    x = pd.DataFrame({c: check_numeric(features, c, arg="features", min_value=0 if c in log_cols else None)
                      for c in cols}, index=features.index)
    z = x.copy()
    z[log_cols] = np.log1p(z[log_cols])
    from sklearn.preprocessing import StandardScaler
    return x, StandardScaler().fit_transform(z.to_numpy())


def _fit_kmeans(z: np.ndarray, k: int, n_init: int, seed: int):
    """KMeans on one thread: for a few features and tens of thousands of customers this is
    faster than scikit-learn's OpenMP threads on a busy machine (no oversubscription)."""
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits
    with threadpool_limits(limits=1):
        return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(z)


def kmeans_segments(features: pd.DataFrame, *, k: int = 4, seed: int = 0, log=True,
                    value_col: str | None = None, n_init: int = 10) -> KMeansSegments:
    """k-means segments (聚类细分) with a deterministic label order and a profile table.

    Parameters
    ----------
    features : DataFrame
        One row per customer, numeric columns only (e.g. recency, frequency,
        monetary of :func:`rfm_table`).
    k : int, default 4
        Number of segments.
    seed : int, default 0
        ``random_state`` of k-means.
    log : bool or list of str, default True
        Columns to transform with ``log1p`` before standardising (True = all,
        which must then be >= 0). Money and counts are skewed; without the log
        a few big spenders make their own clusters.
    value_col : str, optional
        Column that orders the segments and gives the value share; default
        ``"monetary"`` if present, else the last column.
    n_init : int, default 10
        Number of k-means restarts (fixed, so results do not depend on the
        scikit-learn version's default).

    Returns
    -------
    KMeansSegments
        ``labels`` (Series named ``segment``, 0 = highest mean ``value_col``),
        ``profile`` (``customers``, ``customer_share``, the mean of every
        feature, ``value_share``) and the fitted ``model``.

    Notes
    -----
    k-means minimises the within-segment sum of squares
    :math:`\\sum_i \\lVert z_i - \\mu_{c(i)} \\rVert^2` of the standardised
    features :math:`z`; each feature counts equally after standardising.

    References
    ----------
    Lloyd, S. (1982). Least squares quantization in PCM. *IEEE Transactions
    on Information Theory*, 28(2), 129-137.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"frequency": [1, 1, 2, 20, 25, 22], "monetary": [10, 12, 15, 900, 1000, 950]})
    >>> res = kmeans_segments(f, k=2)
    >>> res.labels.tolist()
    [1, 1, 1, 0, 0, 0]
    >>> res.profile[["customers", "monetary", "value_share"]].round(2)
             customers  monetary  value_share
    segment
    0                3    950.00         0.99
    1                3     12.33         0.01
    """
    check_number(k, "k", min_value=1, integer=True)
    x, z = _prepare(features, log)
    if k > len(x):
        raise CRMInputError(f"argument `k`: at most the number of customers ({len(x)}); found {k}. Pass a smaller k.")
    value_col = value_col or ("monetary" if "monetary" in x.columns else x.columns[-1])
    require_columns(x, {"value_col": value_col}, arg="features")
    model = _fit_kmeans(z, k, n_init, seed)
    raw = pd.Series(model.labels_, index=x.index)
    order = x[value_col].groupby(raw).mean().sort_values(ascending=False, kind="stable").index
    relabel = {old: new for new, old in enumerate(order)}
    labels = raw.map(relabel).astype(int).rename("segment")
    g = x.groupby(labels)
    profile = pd.concat([g.size().rename("customers"), (g.size() / len(x)).rename("customer_share"),
                         g.mean(), (g[value_col].sum() / x[value_col].sum()).rename("value_share")], axis=1)
    profile.index.name = "segment"
    return KMeansSegments(labels=labels, profile=profile, model=model)


def choose_k(features: pd.DataFrame, *, k_range=range(2, 9), seed: int = 0, log=True,
             n_init: int = 10, sample_size: int = 2000) -> pd.DataFrame:
    """Inertia (elbow) and silhouette for each number of segments.

    Parameters
    ----------
    features : DataFrame
        As for :func:`kmeans_segments`.
    k_range : iterable of int, default range(2, 9)
        Numbers of segments to try (each >= 2).
    seed, log, n_init : as for :func:`kmeans_segments`.
    sample_size : int, default 2000
        Customers drawn (with ``seed``) to compute the silhouette, which costs
        O(n^2); all are used when there are fewer.

    Returns
    -------
    DataFrame
        Indexed by ``k``: ``inertia`` (within-segment sum of squares of the
        standardised features) and ``silhouette`` (-1..1, higher = better
        separated).

    Notes
    -----
    The silhouette of customer *i* is :math:`(b_i - a_i) / \\max(a_i, b_i)`,
    with :math:`a_i` the mean distance to its own segment and :math:`b_i` to
    the nearest other segment (Rousseeuw 1987).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> f = pd.DataFrame({"x": np.r_[rng.normal(0, 1, 50), rng.normal(10, 1, 50)],
    ...                   "y": np.r_[rng.normal(0, 1, 50), rng.normal(10, 1, 50)]})
    >>> int(choose_k(f, k_range=range(2, 5), log=False)["silhouette"].idxmax())
    2
    """
    from sklearn.metrics import silhouette_score
    ks = [check_number(kk, "k_range", min_value=2, integer=True) for kk in k_range]
    _, z = _prepare(features, log)
    rows = []
    for kk in ks:
        if kk >= len(z):
            raise CRMInputError(f"argument `k_range`: each k must be below the number of customers ({len(z)}); "
                                f"found {kk}. Pass a smaller range.")
        m = _fit_kmeans(z, kk, n_init, seed)
        sil = silhouette_score(z, m.labels_, sample_size=min(sample_size, len(z)), random_state=seed)
        rows.append((kk, float(m.inertia_), float(sil)))
    return pd.DataFrame(rows, columns=["k", "inertia", "silhouette"]).set_index("k")
