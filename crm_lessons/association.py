"""Association rules on product holdings (关联规则: 支持度、置信度、提升度), in plain pandas.

A customer's holdings are a row of yes/no flags, one per product. A rule
:math:`A \\Rightarrow B` ("holders of every product in A also hold B") is
measured by

.. math::

    \\mathrm{support}(A \\Rightarrow B) = P(A \\cap B), \\qquad
    \\mathrm{confidence} = \\frac{P(A \\cap B)}{P(A)}, \\qquad
    \\mathrm{lift} = \\frac{\\mathrm{confidence}}{P(B)}.

Lift above 1 means holders of A hold B more often than customers in general:
a bundle (套餐) or a cross-sell lead. The search is the Apriori principle
(Agrawal & Srikant, 1994): an itemset can only be frequent if all its subsets are.
:func:`rules_on_holdout` re-measures rules on customers they were not mined on,
and :func:`cross_sell_targets` lists the holders of A without B.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from crm_lessons._validation import CRMInputError, check_dataframe, check_number, check_probability

__all__ = ["CARAVAN_PRODUCTS", "frequent_itemsets", "association_rules", "rules_on_holdout", "cross_sell_targets"]


#: The 21 insurance products of the CoIL 2000 (Caravan) data: the column giving the number of
#: policies held (``a*``) -> its English name in the data dictionary (van der Putten & van Someren, 2000).
CARAVAN_PRODUCTS = {
    "awapart": "private third party", "awabedr": "third party (firms)", "awaland": "third party (agriculture)",
    "apersaut": "car", "abesaut": "delivery van", "amotsco": "motorcycle/scooter", "avraaut": "lorry",
    "aaanhang": "trailer", "atractor": "tractor", "awerkt": "agricultural machines", "abrom": "moped",
    "aleven": "life", "apersong": "private accident", "agezong": "family accident", "awaoreg": "disability",
    "abrand": "fire", "azeilpl": "surfboard", "aplezier": "boat", "afiets": "bicycle", "ainboed": "property",
    "abystand": "social security",
}


def _basket(basket: pd.DataFrame, arg: str = "basket") -> pd.DataFrame:
    check_dataframe(basket, arg=arg)
    bad = [c for c in basket.columns if not (pd.api.types.is_bool_dtype(basket[c])
                                            or set(pd.unique(basket[c])) <= {0, 1})]
    if bad:
        raise CRMInputError(f"argument `{arg}`, column '{bad[0]}': holdings must be yes/no (bool or 0/1); "
                            f"found values {sorted(map(str, pd.unique(basket[bad[0]])))[:5]}. "
                            "Turn counts into flags first, e.g. basket = counts > 0.")
    return basket.astype(bool)


def frequent_itemsets(basket: pd.DataFrame, *, min_support: float = 0.05, max_len: int = 3) -> pd.DataFrame:
    """Every set of products held together by at least ``min_support`` of customers (Apriori).

    Parameters
    ----------
    basket : DataFrame
        One row per customer, one bool (or 0/1) column per product.
    min_support : float, default 0.05
        Smallest share of customers holding the whole set.
    max_len : int, default 3
        Largest set size.

    Returns
    -------
    DataFrame
        ``itemset`` (tuple of product names, in column order), ``size``,
        ``support`` (share), ``count`` (customers), largest support first.

    Examples
    --------
    >>> b = pd.DataFrame({"bread": [1, 1, 0, 1, 1], "milk": [1, 0, 1, 1, 1],
    ...                   "diapers": [0, 1, 1, 1, 1], "beer": [0, 1, 1, 1, 0]})
    >>> f = frequent_itemsets(b, min_support=0.6)
    >>> f.loc[f["size"] == 2, ["itemset", "support"]].to_numpy().tolist()
    [[('bread', 'milk'), 0.6], [('bread', 'diapers'), 0.6], [('milk', 'diapers'), 0.6], [('diapers', 'beer'), 0.6]]
    """
    b = _basket(basket)
    check_probability(min_support, "min_support", allow_zero=False)
    check_number(max_len, "max_len", min_value=1, integer=True)
    m = b.to_numpy()
    n = len(m)
    names = list(b.columns)
    rows, level = [], []
    for j in range(len(names)):
        c = int(m[:, j].sum())
        if c / n >= min_support:
            level.append((j,))
            rows.append(((names[j],), 1, c))
    frequent = set(level)
    for size in range(2, int(max_len) + 1):
        items = sorted({j for s in level for j in s})
        nxt = []
        for cand in combinations(items, size):
            if any(sub not in frequent for sub in combinations(cand, size - 1)):
                continue                          # Apriori: every subset must be frequent
            c = int(m[:, list(cand)].all(axis=1).sum())
            if c / n >= min_support:
                nxt.append(cand)
                rows.append((tuple(names[j] for j in cand), size, c))
        frequent |= set(nxt)
        level = nxt
        if not level:
            break
    out = pd.DataFrame(rows, columns=["itemset", "size", "count"])
    out["support"] = out["count"] / n
    out = out.sort_values(["support", "size"], ascending=[False, True], kind="stable")
    return out[["itemset", "size", "support", "count"]].reset_index(drop=True)


def association_rules(basket: pd.DataFrame, *, min_support: float = 0.05, min_confidence: float = 0.3,
                      max_len: int = 3) -> pd.DataFrame:
    """Rules A => B (one product B) with support, confidence and lift.

    Parameters
    ----------
    basket : DataFrame
        One row per customer, one bool (or 0/1) column per product.
    min_support : float, default 0.05
        Smallest support of A and B together.
    min_confidence : float, default 0.3
        Smallest confidence P(B | A).
    max_len : int, default 3
        Largest size of A plus B.

    Returns
    -------
    DataFrame
        ``antecedent`` (tuple), ``consequent`` (product name), ``support``,
        ``confidence``, ``lift``, ``antecedent_support``, ``consequent_support``,
        ``count`` (customers holding A and B); highest lift first.

    References
    ----------
    Agrawal, R. & Srikant, R. (1994). Fast algorithms for mining association
    rules. *Proc. 20th VLDB*, 487-499. Tan, P.-N., Steinbach, M. & Kumar, V.
    (2006). *Introduction to Data Mining*, ch. 6.

    Examples
    --------
    The textbook market baskets of Tan, Steinbach & Kumar (table 6.1): the rule
    {milk, diapers} => {beer} has support 0.4 and confidence 0.67.

    >>> t = [{"bread", "milk"}, {"bread", "diapers", "beer", "eggs"}, {"milk", "diapers", "beer", "cola"},
    ...      {"bread", "milk", "diapers", "beer"}, {"bread", "milk", "diapers", "cola"}]
    >>> items = ["bread", "milk", "diapers", "beer", "eggs", "cola"]
    >>> b = pd.DataFrame([[i in s for i in items] for s in t], columns=items)
    >>> r = association_rules(b, min_support=0.4, min_confidence=0.5)
    >>> r[(r["antecedent"] == ("milk", "diapers")) & (r["consequent"] == "beer")][
    ...     ["support", "confidence", "lift"]].round(3).to_numpy().tolist()
    [[0.4, 0.667, 1.111]]
    """
    check_probability(min_confidence, "min_confidence")
    b = _basket(basket)
    sets = frequent_itemsets(b, min_support=min_support, max_len=max_len)
    support = dict(zip(sets["itemset"], sets["support"]))
    count = dict(zip(sets["itemset"], sets["count"]))
    order = {name: i for i, name in enumerate(b.columns)}
    rows = []
    for itemset in sets.loc[sets["size"] >= 2, "itemset"]:
        for consequent in itemset:
            ante = tuple(i for i in itemset if i != consequent)
            conf = support[itemset] / support[ante]
            if conf >= min_confidence:
                cons_support = support[(consequent,)]
                rows.append((ante, consequent, support[itemset], conf, conf / cons_support,
                             support[ante], cons_support, count[itemset]))
    cols = ["antecedent", "consequent", "support", "confidence", "lift", "antecedent_support",
            "consequent_support", "count"]
    out = pd.DataFrame(rows, columns=cols)
    if out.empty:
        return out
    out["_o"] = out["consequent"].map(order)
    out = out.sort_values(["lift", "support", "_o"], ascending=[False, False, True], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)


def _holds(basket: pd.DataFrame, items) -> np.ndarray:
    return basket[list(items)].to_numpy().all(axis=1)


def rules_on_holdout(rules: pd.DataFrame, holdout: pd.DataFrame) -> pd.DataFrame:
    """Measure rules found on one group of customers again on another (the holdout).

    Parameters
    ----------
    rules : DataFrame
        Output of :func:`association_rules`.
    holdout : DataFrame
        Holdings of other customers, same product columns.

    Returns
    -------
    DataFrame
        ``rules`` with ``support_holdout``, ``confidence_holdout``, ``lift_holdout``
        (NaN where no holdout customer holds the antecedent).

    Examples
    --------
    >>> b = pd.DataFrame({"x": [1, 1, 0, 0], "y": [1, 1, 0, 1]}).astype(bool)
    >>> r = association_rules(b, min_support=0.5, min_confidence=0.5)
    >>> h = pd.DataFrame({"x": [1, 1, 0, 1], "y": [1, 0, 1, 1]}).astype(bool)
    >>> rules_on_holdout(r, h)[["antecedent", "consequent", "confidence", "confidence_holdout"]].round(3)
      antecedent consequent  confidence  confidence_holdout
    0       (y,)          x       0.667               0.667
    1       (x,)          y       1.000               0.667
    """
    h = _basket(holdout, "holdout")
    out = rules.copy()
    sup, conf, lift = [], [], []
    for ante, cons in zip(rules["antecedent"], rules["consequent"]):
        a, c = _holds(h, ante), h[cons].to_numpy()
        both = (a & c).mean()
        sup.append(both)
        conf.append(both / a.mean() if a.any() else np.nan)
        lift.append(conf[-1] / c.mean() if a.any() and c.any() else np.nan)
    out["support_holdout"], out["confidence_holdout"], out["lift_holdout"] = sup, conf, lift
    return out


def cross_sell_targets(basket: pd.DataFrame, antecedent, consequent: str) -> pd.Index:
    """Customers who hold every product of ``antecedent`` but not ``consequent``: the cross-sell list.

    Examples
    --------
    >>> b = pd.DataFrame({"car": [1, 1, 1, 0], "fire": [1, 0, 0, 1]}, index=[11, 12, 13, 14])
    >>> cross_sell_targets(b, ("car",), "fire").tolist()
    [12, 13]
    """
    b = _basket(basket)
    items = (antecedent,) if isinstance(antecedent, str) else tuple(antecedent)
    return b.index[_holds(b, items) & ~b[consequent].to_numpy()]
