"""Customer differentiation (客户差异化): IDIC, the customer difference matrix and personalised offers.

The course's core model of CRM is **IDIC** (识别 identify, 差异化 differentiate, 互动 interact, 定制
customize), and its marketing chain runs from customer records to precision marketing in seven steps
(:data:`RELATIONSHIP_CHAIN`). Peppers & Rogers' **customer difference matrix** (顧客差異矩陣) places a
business by how much its customers differ in *value* and in *needs*:

* value differentiation = Gini coefficient of customer value (:func:`crm_lessons.segmentation.gini`);
* needs differentiation = mean distance between customers' purchase-share vectors
  (:func:`needs_differentiation`), beside the distance the same purchases would show if every customer
  had the same needs (the *noise floor*: customers with few purchases look different by chance).

:func:`difference_matrix` names each business's quadrant and the strategy for it;
:func:`offer_hit_rates` compares a personalised offer with one mass offer on a holdout period.

Examples
--------
>>> log = pd.DataFrame({"customer_id": [1, 1, 2, 2], "category": ["a", "a", "b", "b"]})
>>> share_vectors(log)
category       a    b
customer_id
1            1.0  0.0
2            0.0  1.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import (CRMInputError, check_choice, check_dataframe, check_number, check_numeric,
                                     check_seed, require_columns, where)
from crm_lessons.tables import TRANSACTIONS

__all__ = ["IDIC", "RELATIONSHIP_CHAIN", "QUADRANTS", "share_vectors", "pairwise_mean_distance",
           "needs_differentiation", "difference_matrix", "offer_hit_rates"]

#: IDIC with the course's sub-points (MBA chapter, D19-D22).
IDIC = pd.DataFrame({
    "step": ["Identify (识别)", "Differentiate (差异化)", "Interact (互动)", "Customize (定制)"],
    "course_points": [
        "不要幻想所有人都是你的客户; 以盈利性客户为中心; 不盲目开发新客户 — not everyone is your customer; "
        "centre on profitable customers; no blind acquisition",
        "客户需求的差异化; 客户价值的差异化 — customers differ in needs and in value",
        "高效的沟通平台与渠道; 最大限度降低接触、服务客户的成本; 收集每次接触的信息 — efficient channels, lowest "
        "cost of contact and service, record what every contact teaches",
        "提供个性化产品与服务; 精准营销 — personalised products and services, precision marketing",
    ],
    "computed_in_this_course": [
        "4.1 selection; 6.1 records (who is one customer?)",
        "2.5 value (Gini, pyramid); 5.1 needs (share-vector distance) and the difference matrix",
        "5.2 channels; 7.1 contact centre",
        "5.1 personalised vs mass offer on a holdout; 6.3 cross-selling",
    ],
})

#: The MBA chapter's seven steps of marketing built on customer relationships (D26): the spine of chapters 5-6.
RELATIONSHIP_CHAIN = pd.DataFrame({
    "step": range(1, 8),
    "course_term": ["建立与完善客户信息档案, 客户信息整合与共享", "客户信息的分析与客户的识别", "客户的差异化需求与价值分析",
                    "客户的分级与差异化管理", "构建与客户高效互动沟通平台与渠道", "产品与服务的定制", "精准营销"],
    "english": ["complete, integrated and shared customer records", "analysis and identification of customers",
                "differences in needs and value", "tiering and differentiated management",
                "an efficient interaction platform and channels", "customised products and services",
                "precision marketing"],
    "lesson": ["6.1", "6.2, 6.3", "5.1", "2.5, 5.1", "5.2, 7.1", "5.1, 6.3", "4.2, 5.1"],
})

#: Peppers & Rogers' four quadrants (the strategy texts are textbook material: the slides name the matrix only).
QUADRANTS = pd.DataFrame({
    "quadrant": ["low value, low needs", "high value, low needs", "low value, high needs", "high value, high needs"],
    "value_differentiated": [False, True, False, True],
    "needs_differentiated": [False, False, True, True],
    "strategy": ["mass marketing (大众营销): one offer, lowest cost to serve",
                 "tiering by value (分级管理): loyalty and service levels for the valuable few",
                 "customisation by needs (定制): offers that follow each customer's mix, cheaply delivered",
                 "one-to-one (一对一): tiered and customised, the case where full CRM pays most"],
}).set_index("quadrant")


def _log(purchases, customer_col, category_col, amount_col, arg="purchases") -> pd.DataFrame:
    return TRANSACTIONS.read(purchases, arg=arg, customer_col=customer_col, category_col=category_col,
                             amount_col=amount_col)


def share_vectors(purchases: pd.DataFrame, *, customer_col: str = "customer_id", category_col: str = "category",
                  amount_col: str | None = None) -> pd.DataFrame:
    """Each customer's purchase-share vector (购买结构): the share of each category in their purchases.

    .. math:: s_{ik} = \\frac{w_{ik}}{\\sum_{k'} w_{ik'}}

    where :math:`w_{ik}` counts customer *i*'s purchases of category *k* (or sums their amounts when
    ``amount_col`` is given).

    Parameters
    ----------
    purchases : DataFrame
        One row per purchase (a brand-choice panel, a transaction log, or one row per service held).
    customer_col, category_col : str
        Columns of the customer and the category or brand bought.
    amount_col : str, optional
        Weight purchases by this amount instead of counting them.

    Returns
    -------
    DataFrame
        Customers (index) x categories (columns); each row sums to 1.

    Examples
    --------
    >>> log = pd.DataFrame({"customer_id": [1, 1, 1, 2], "brand": ["x", "x", "y", "y"]})
    >>> share_vectors(log, category_col="brand").round(3).to_numpy().tolist()
    [[0.667, 0.333], [0.0, 1.0]]
    """
    log = _log(purchases, customer_col, category_col, amount_col)
    weight = log["amount"] if amount_col is not None else pd.Series(1.0, index=log.index)
    table = pd.crosstab(log["customer_id"], log["category"].astype(str), values=weight, aggfunc="sum").fillna(0.0)
    total = table.sum(axis=1)
    if (total <= 0).any():
        raise CRMInputError(f"{where(arg='purchases', column=amount_col)}: customer {total.idxmin()!r} has no "
                            "positive amount, so no share vector; found a total of 0. Drop customers without "
                            "purchases or count purchases (amount_col=None).")
    return table.div(total, axis=0).rename_axis(index="customer_id", columns="category")


def _entropy(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.where(p > 0, p * np.log2(p), 0.0).sum(axis=-1)


def pairwise_mean_distance(shares: pd.DataFrame, *, metric: str = "jensen-shannon", max_customers: int = 1000,
                           seed: int = 0) -> float:
    """Mean distance between the share vectors of every pair of customers.

    ``metric="jensen-shannon"``: the Jensen–Shannon divergence in bits (0 = same mix, 1 = nothing in common),

    .. math:: \\mathrm{JS}(p, q) = H\\!\\left(\\tfrac{p+q}{2}\\right) - \\tfrac{1}{2}H(p) - \\tfrac{1}{2}H(q),
              \\quad H(p) = -\\sum_k p_k \\log_2 p_k ;

    ``metric="cosine"``: :math:`1 - p\\cdot q / (\\lVert p\\rVert\\,\\lVert q\\rVert)`. The mean runs over
    all pairs :math:`i < j`; above ``max_customers`` customers a random sample of that size is used.

    Parameters
    ----------
    shares : DataFrame
        Customers x categories, non-negative, rows summing to 1 (:func:`share_vectors`).
    metric : {"jensen-shannon", "cosine"}
    max_customers : int, default 1000
        Largest number of customers compared pairwise.
    seed : int, default 0
        Seed of the sample when there are more customers.

    Returns
    -------
    float

    References
    ----------
    Lin, J. (1991). Divergence measures based on the Shannon entropy. *IEEE Trans. Inf. Theory* 37(1), 145-151.

    Examples
    --------
    >>> s = pd.DataFrame({"a": [1, 1, 0, 0], "b": [0, 0, 1, 1]})   # two pairs of twins
    >>> round(pairwise_mean_distance(s), 4)                        # 4 of 6 pairs differ completely
    0.6667
    """
    check_choice(metric, "metric", ["jensen-shannon", "cosine"])
    check_number(max_customers, "max_customers", min_value=2, integer=True)
    rng = check_seed(seed)
    if not isinstance(shares, pd.DataFrame) or len(shares) < 2:
        raise CRMInputError(f"argument `shares`: expected a DataFrame of share vectors with at least 2 customers; "
                            f"found {type(shares).__name__} of length {len(shares) if hasattr(shares, '__len__') else '?'}. "
                            "Build it with share_vectors(purchases).")
    try:
        p = shares.to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise CRMInputError("argument `shares`: values must be numbers (shares between 0 and 1); found columns "
                            f"{list(map(str, shares.columns))}. Build it with share_vectors(purchases).") from None
    if not np.isfinite(p).all() or (p < 0).any() or not np.allclose(p.sum(axis=1), 1.0, atol=1e-6):
        raise CRMInputError("argument `shares`: each row must hold non-negative shares summing to 1; found a row "
                            "that does not. Build it with share_vectors(purchases).")
    if len(p) > max_customers:
        p = p[rng.choice(len(p), int(max_customers), replace=False)]
    n = len(p)
    if metric == "cosine":
        u = p / np.linalg.norm(p, axis=1, keepdims=True)
        d = 1.0 - u @ u.T
        return float(d[np.triu_indices(n, 1)].mean())
    h = _entropy(p)
    total = 0.0
    for i in range(n - 1):
        m = (p[i] + p[i + 1:]) / 2
        total += float((_entropy(m) - (h[i] + h[i + 1:]) / 2).sum())
    return float(total / (n * (n - 1) / 2))


def needs_differentiation(purchases: pd.DataFrame, *, customer_col: str = "customer_id",
                          category_col: str = "category", amount_col: str | None = None,
                          metric: str = "jensen-shannon", min_purchases: int = 1, max_customers: int = 1000,
                          bundles: bool = False, seed: int = 0) -> dict:
    """Needs differentiation (需求差异) of a customer base, with its noise floor.

    ``needs`` is :func:`pairwise_mean_distance` of the customers' share vectors. ``floor`` is the same
    measure after the categories of all purchases are shuffled across customers (each keeps the number
    of purchases): what customers with *identical* needs would show by chance. ``excess = needs - floor``
    is the part due to real differences in needs. With ``bundles=True`` each customer holds each category
    at most once (a set of services), and the floor gives each customer as many *distinct* categories,
    drawn without replacement with probabilities proportional to their popularity.

    Parameters
    ----------
    purchases : DataFrame
        One row per purchase.
    customer_col, category_col, amount_col : str
        As in :func:`share_vectors`.
    metric : {"jensen-shannon", "cosine"}
    min_purchases : int, default 1
        Keep only customers with at least this many purchases (rows).
    max_customers : int, default 1000
        Largest number of customers compared pairwise (a random sample above it).
    bundles : bool, default False
        The rows are the distinct services each customer holds, not repeated purchases.
    seed : int, default 0
        Seed of the sample and of the shuffle.

    Returns
    -------
    dict
        ``customers`` (kept), ``purchases_per_customer`` (mean), ``needs``, ``floor``, ``excess``.

    Examples
    --------
    >>> log = pd.DataFrame({"customer_id": np.repeat([1, 2, 3, 4], 10), "category": list("a" * 20 + "b" * 20)})
    >>> r = needs_differentiation(log)
    >>> round(r["needs"], 4), r["floor"] < 0.5
    (0.6667, True)
    """
    check_number(min_purchases, "min_purchases", min_value=1, integer=True)
    log = _log(purchases, customer_col, category_col, amount_col)
    count = log.groupby("customer_id")["category"].transform("size")
    log = log[count >= min_purchases]
    if log["customer_id"].nunique() < 2:
        raise CRMInputError(f"argument `min_purchases`: fewer than 2 customers have {min_purchases} or more "
                            f"purchases; found {log['customer_id'].nunique()}. Lower min_purchases.")
    cols = dict(customer_col="customer_id", category_col="category", amount_col=None if amount_col is None else "amount")
    shares = share_vectors(log, **cols)
    shuffled = _null_log(log, bundles=bundles, seed=seed)
    opts = dict(metric=metric, max_customers=max_customers, seed=seed)
    needs = pairwise_mean_distance(shares, **opts)
    floor = pairwise_mean_distance(share_vectors(shuffled, **{**cols, "amount_col": None if bundles else
                                                             cols["amount_col"]}), **opts)
    return {"customers": int(len(shares)), "purchases_per_customer": float(len(log) / len(shares)),
            "needs": needs, "floor": floor, "excess": needs - floor}


def _null_log(log: pd.DataFrame, *, bundles: bool, seed: int) -> pd.DataFrame:
    """The purchases with every customer given the population's mix (same counts, identical needs)."""
    rng = np.random.default_rng(seed)
    cats = log["category"].astype(str)
    if not bundles:
        return log.assign(category=rng.permutation(cats.to_numpy()))
    pop = cats.value_counts()
    counts = log.groupby("customer_id").size()
    if counts.max() > len(pop):
        raise CRMInputError(f"argument `purchases`: with bundles=True a customer holds each category once; found "
                            f"customer {counts.idxmax()!r} with {counts.max()} rows and {len(pop)} categories. "
                            "Drop repeated rows or use bundles=False.")
    keys = np.log(pop.to_numpy())[None, :] + rng.gumbel(size=(len(counts), len(pop)))   # Gumbel top-k sampling
    order = np.argsort(-keys, axis=1)
    take = np.arange(len(pop))[None, :] < counts.to_numpy()[:, None]
    return pd.DataFrame({"customer_id": np.repeat(counts.index.to_numpy(), counts.to_numpy()),
                         "category": pop.index.to_numpy()[order[take]]})


def difference_matrix(profiles: pd.DataFrame, *, value_col: str = "value_gini", needs_col: str = "needs",
                      value_cut: float = 0.5, needs_cut: float = 0.3) -> pd.DataFrame:
    """Place businesses in Peppers & Rogers' customer difference matrix (顧客差異矩陣) and name the strategy.

    A business is value-differentiated when ``value_col >= value_cut`` and needs-differentiated when
    ``needs_col >= needs_cut``; the cut-offs are a choice of the analyst (the matrix has no published
    numbers), so the table also gives each business's distance to them.

    Parameters
    ----------
    profiles : DataFrame
        One row per business (index = its name) with the two measures.
    value_col, needs_col : str
        Columns of value differentiation (Gini) and needs differentiation.
    value_cut, needs_cut : float
        Cut-offs between low and high.

    Returns
    -------
    DataFrame
        ``profiles`` with ``quadrant`` and ``strategy`` (from :data:`QUADRANTS`).

    References
    ----------
    Peppers, D. & Rogers, M. (2001). *One to One B2B*. New York: Currency/Doubleday. The slides' 圖10-9.

    Examples
    --------
    >>> p = pd.DataFrame({"value_gini": [0.2, 0.7], "needs": [0.1, 0.6]}, index=["soap", "bank"])
    >>> difference_matrix(p)["quadrant"].tolist()
    ['low value, low needs', 'high value, high needs']
    """
    check_number(value_cut, "value_cut", min_value=0, max_value=1)
    check_number(needs_cut, "needs_cut", min_value=0, max_value=1)
    check_dataframe(profiles, arg="profiles")
    require_columns(profiles, {"value_col": value_col, "needs_col": needs_col}, arg="profiles")
    for col, col_arg in ((value_col, "value_col"), (needs_col, "needs_col")):
        check_numeric(profiles, col, arg="profiles", col_arg=col_arg)
    high_v = profiles[value_col].astype(float) >= value_cut
    high_n = profiles[needs_col].astype(float) >= needs_cut
    names = np.select([high_v & high_n, high_v, high_n], QUADRANTS.index[[3, 1, 2]], QUADRANTS.index[0])
    out = profiles.copy()
    out["quadrant"] = names
    out["strategy"] = QUADRANTS.loc[names, "strategy"].to_numpy()
    return out


def offer_hit_rates(train: pd.DataFrame, holdout: pd.DataFrame, *, customer_col: str = "customer_id",
                    category_col: str = "category") -> pd.DataFrame:
    """Hit rate of a personalised offer against one mass offer, judged on a holdout period.

    Each customer who bought in both periods gets one category offer:

    * **personalised** (个性化): the category they bought most in ``train`` (ties: the more popular one);
    * **mass** (大众): the category bought most by all customers in ``train``, the same for everyone.

    An offer *hits* when the customer buys that category in ``holdout``; the hit rate is hits / customers.

    Parameters
    ----------
    train, holdout : DataFrame
        Purchases of the two periods (one row per purchase).
    customer_col, category_col : str
        Column names.

    Returns
    -------
    DataFrame
        Index ``personalised, mass``; columns ``offer`` (the mass category, or "own top category"),
        ``customers``, ``hits``, ``hit_rate``.

    Examples
    --------
    >>> tr = pd.DataFrame({"customer_id": [1, 1, 2, 3], "category": ["a", "a", "b", "a"]})
    >>> ho = pd.DataFrame({"customer_id": [1, 2, 3], "category": ["a", "b", "b"]})
    >>> offer_hit_rates(tr, ho)[["customers", "hits"]].to_numpy().tolist()
    [[3, 2], [3, 1]]
    """
    a = TRANSACTIONS.read(train, arg="train", customer_col=customer_col, category_col=category_col)
    b = TRANSACTIONS.read(holdout, arg="holdout", customer_col=customer_col, category_col=category_col)
    a = a.assign(category=a["category"].astype(str))
    b = b.assign(category=b["category"].astype(str))
    popularity = a["category"].value_counts()
    mass = str(popularity.index[0])
    both = np.intersect1d(a["customer_id"].unique(), b["customer_id"].unique())
    if len(both) == 0:
        raise CRMInputError("argument `holdout`: no customer bought in both periods; found 0 in common. "
                            "Split one customer log by date so that customers appear in both.")
    counts = pd.crosstab(a["customer_id"], a["category"]).loc[both]
    counts = counts[popularity.index]                      # ties go to the more popular category
    own = counts.idxmax(axis=1)
    bought = set(zip(b["customer_id"], b["category"]))
    hits_p = sum((c, k) in bought for c, k in own.items())
    hits_m = sum((c, mass) in bought for c in both)
    n = len(both)
    return pd.DataFrame({"offer": ["own top category", mass], "customers": [n, n], "hits": [hits_p, hits_m],
                         "hit_rate": [hits_p / n, hits_m / n]}, index=pd.Index(["personalised", "mass"], name="policy"))
