"""Customer delivered value (客户让渡价值): what an offer gives minus what it costs the customer.

Lesson 2.2. Kotler's customer delivered value is total customer value (整体客户
价值: product 产品价值, service 服务价值, personnel 人员价值 and image 形象价值)
minus total customer cost (整体客户成本: money 货币成本, time 时间成本, energy
精力/体力成本 and psychic 精神成本). A customer buys the offer that delivers the
most value. This module computes it for competing offers, ranks them, draws
them, and turns delivered values into choice shares.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from crm_lessons._validation import (show_value, CRMInputError, check_unique, check_dataframe, check_number, check_numeric,
                                     require_columns)

__all__ = ["COMPONENTS", "COST_COLS", "VALUE_COLS", "choice_shares", "delivered_value",
           "individual_choices", "plot_delivered_value"]

#: Default value columns (total customer value) and cost columns (total customer cost).
VALUE_COLS = ("product_value", "service_value", "personnel_value", "image_value")
COST_COLS = ("monetary_cost", "time_cost", "energy_cost", "psychic_cost")

#: The eight components with their Chinese names.
COMPONENTS = pd.DataFrame({
    "column": list(VALUE_COLS) + list(COST_COLS),
    "side": ["value"] * 4 + ["cost"] * 4,
    "name_zh": ["产品价值", "服务价值", "人员价值", "形象价值", "货币成本", "时间成本", "精力(体力)成本", "精神成本"],
})


def delivered_value(offers: pd.DataFrame, *, offer_col: str = "offer", value_cols=VALUE_COLS,
                    cost_cols=COST_COLS) -> pd.DataFrame:
    """Total value, total cost, delivered value and value ratio of each offer.

    Parameters
    ----------
    offers : DataFrame
        One row per offer (own and competitors'), every component in the same
        money unit (value time at the customer's wage, etc.), all >= 0.
    offer_col : str, default "offer"
        Column naming the offer; must be unique.
    value_cols, cost_cols : sequence of str
        Columns making up total customer value and total customer cost.

    Returns
    -------
    DataFrame
        Indexed by offer, the components plus ``total_value``, ``total_cost``,
        ``delivered_value``, ``value_ratio`` and ``rank`` (1 = most delivered
        value), sorted by rank.

    Raises
    ------
    CRMInputError
        Missing or non-numeric columns, negative components, duplicated
        offers, a total cost of 0, or a column used on both sides.

    Notes
    -----
    .. math::

        \\text{TCV} = V_{product} + V_{service} + V_{personnel} + V_{image}, \\quad
        \\text{TCC} = C_{money} + C_{time} + C_{energy} + C_{psychic}

        \\text{delivered value} = \\text{TCV} - \\text{TCC}, \\qquad
        \\text{value ratio} = \\text{TCV} / \\text{TCC}

    References
    ----------
    Kotler, P. (1997). *Marketing Management: Analysis, Planning,
    Implementation, and Control*, 9th ed., Prentice Hall (customer delivered value).

    Examples
    --------
    >>> offers = pd.DataFrame({"offer": ["A", "B"], "product_value": [100, 90], "service_value": [20, 30],
    ...                        "personnel_value": [10, 10], "image_value": [20, 5],
    ...                        "monetary_cost": [80, 60], "time_cost": [10, 5], "energy_cost": [5, 5],
    ...                        "psychic_cost": [5, 5]})
    >>> delivered_value(offers)[["total_value", "total_cost", "delivered_value", "value_ratio"]].round(2).values.tolist()
    [[135.0, 75.0, 60.0, 1.8], [150.0, 100.0, 50.0, 1.5]]
    """
    check_dataframe(offers, arg="offers")
    value_cols, cost_cols = list(value_cols), list(cost_cols)
    if not value_cols or not cost_cols:
        raise CRMInputError("arguments `value_cols`/`cost_cols`: need at least one column each; "
                            f"found {value_cols!r} and {cost_cols!r}. Name the value and cost columns.")
    both = set(value_cols) & set(cost_cols)
    if both:
        raise CRMInputError(f"arguments `value_cols`/`cost_cols`: a column cannot be both a value and a cost; "
                            f"found {sorted(both)!r} in both. Put each column on one side.")
    require_columns(offers, {"offer_col": offer_col}, arg="offers")
    require_columns(offers, {f"value_cols[{i}]": c for i, c in enumerate(value_cols)}, arg="offers")
    require_columns(offers, {f"cost_cols[{i}]": c for i, c in enumerate(cost_cols)}, arg="offers")
    names = offers[offer_col]
    check_unique(offers, [offer_col], arg="offers", col_arg="offer_col", what="offer names",
                 fix="Give each offer one row.")
    out = pd.DataFrame(index=pd.Index(names, name=offer_col))
    for c in value_cols + cost_cols:
        out[c] = check_numeric(offers, c, arg="offers", col_arg=c, min_value=0).to_numpy()
    out["total_value"] = out[value_cols].sum(axis=1)
    out["total_cost"] = out[cost_cols].sum(axis=1)
    zero = out["total_cost"] <= 0
    if zero.any():
        raise CRMInputError(f"argument `offers`: offer {show_value(out.index[zero.to_numpy()][0])} has a total customer cost "
                            "of 0; found all cost columns 0. Every offer costs the customer something "
                            "(at least money or time); enter the costs.")
    out["delivered_value"] = out["total_value"] - out["total_cost"]
    out["value_ratio"] = out["total_value"] / out["total_cost"]
    out["rank"] = out["delivered_value"].rank(ascending=False, method="min").astype(int)
    return out.sort_values(["rank"], kind="stable")


def choice_shares(table: pd.DataFrame, *, scale: float = 10.0) -> pd.Series:
    """Share of customers choosing each offer, a logit of delivered value.

    Customers differ in how they value the components, so the best offer does
    not win everyone: with a Gumbel taste error of scale ``scale`` (money
    units), the shares are a softmax of delivered value.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`delivered_value` (needs ``delivered_value``).
    scale : float, default 10
        Spread of tastes; small = nearly everyone picks the best offer.

    Returns
    -------
    Series
        Choice share per offer, summing to 1.

    Notes
    -----
    .. math::

        s_j = \\frac{\\exp(DV_j / \\sigma)}{\\sum_k \\exp(DV_k / \\sigma)}

    References
    ----------
    McFadden, D. (1974). Conditional logit analysis of qualitative choice
    behavior. In P. Zarembka (ed.), *Frontiers in Econometrics*, Academic Press.

    Examples
    --------
    >>> t = pd.DataFrame({"delivered_value": [60.0, 50.0]}, index=["A", "B"])
    >>> choice_shares(t, scale=10).round(3).tolist()
    [0.731, 0.269]
    """
    require_columns(table, {"delivered_value": "delivered_value"}, arg="table")
    check_number(scale, "scale", min_value=0, strict=True)
    z = table["delivered_value"].astype(float) / scale
    e = np.exp(z - z.max())
    return (e / e.sum()).rename("choice_share")


def individual_choices(table: pd.DataFrame, weights: pd.DataFrame, *, value_cols=VALUE_COLS,
                       cost_cols=COST_COLS) -> pd.DataFrame:
    """Each customer's delivered value of every offer, with personal weights, and the offer he picks.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`delivered_value` (offers as index, component columns).
    weights : DataFrame
        One row per customer, one column per component: the weight he puts on
        it (1 = as in ``table``). Components without a column get weight 1.

    Returns
    -------
    DataFrame
        One row per customer: one column per offer with his delivered value,
        and ``choice``, the offer with the highest one.

    Notes
    -----
    .. math::

        DV_{ij} = \\sum_{c \\in V} w_{ic} x_{jc} - \\sum_{c \\in C} w_{ic} x_{jc}, \\qquad
        \\text{choice}_i = \\arg\\max_j DV_{ij}

    Examples
    --------
    >>> t = pd.DataFrame({"product_value": [100.0, 80.0], "monetary_cost": [60.0, 30.0]}, index=["A", "B"])
    >>> w = pd.DataFrame({"monetary_cost": [0.5, 2.0]})
    >>> individual_choices(t, w, value_cols=["product_value"], cost_cols=["monetary_cost"]).values.tolist()
    [[70.0, 65.0, 'A'], [-20.0, 20.0, 'B']]
    """
    value_cols, cost_cols = list(value_cols), list(cost_cols)
    require_columns(table, {f"value_cols[{i}]": c for i, c in enumerate(value_cols)}, arg="table")
    require_columns(table, {f"cost_cols[{i}]": c for i, c in enumerate(cost_cols)}, arg="table")
    check_dataframe(weights, arg="weights")
    unknown = [c for c in weights.columns if c not in value_cols + cost_cols]
    if unknown:
        raise CRMInputError(f"argument `weights`: column {unknown[0]!r} is not a value or cost component; "
                            f"found columns {list(map(str, weights.columns))}. Use names from value_cols/cost_cols.")
    for c in weights.columns:
        check_numeric(weights, c, arg="weights", col_arg=c, min_value=0)
    cols = value_cols + cost_cols
    w = weights.reindex(columns=cols).fillna(1.0).to_numpy(dtype=float)
    sign = np.array([1.0] * len(value_cols) + [-1.0] * len(cost_cols))
    x = table[cols].to_numpy(dtype=float) * sign                 # offers x components
    dv = w @ x.T                                                  # customers x offers
    out = pd.DataFrame(dv, index=weights.index, columns=list(table.index))
    out["choice"] = np.asarray(table.index)[dv.argmax(axis=1)]
    return out


def plot_delivered_value(table: pd.DataFrame, *, value_cols=VALUE_COLS, cost_cols=COST_COLS, ax=None):
    """Stacked bars per offer: value components up, cost components down, delivered value as a dot.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`delivered_value`.

    Returns
    -------
    matplotlib.axes.Axes
    """
    require_columns(table, {"delivered_value": "delivered_value"}, arg="table")
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    x = np.arange(len(table))
    blues = plt.get_cmap("Blues")(np.linspace(0.4, 0.9, len(value_cols)))
    reds = plt.get_cmap("Reds")(np.linspace(0.4, 0.9, len(cost_cols)))
    bottom = np.zeros(len(table))
    for c, col in zip(value_cols, blues):
        ax.bar(x, table[c], bottom=bottom, color=col, label=c.replace("_", " "))
        bottom = bottom + table[c].to_numpy()
    bottom = np.zeros(len(table))
    for c, col in zip(cost_cols, reds):
        ax.bar(x, -table[c], bottom=bottom, color=col, label=c.replace("_", " "))
        bottom = bottom - table[c].to_numpy()
    ax.plot(x, table["delivered_value"], "kD", label="delivered value")
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xticks(x, [str(i) for i in table.index])
    ax.set_title("Customer delivered value = total value - total cost")
    ax.set_xlabel("Offer")
    ax.set_ylabel("Value (+) and cost (-), money units")
    ax.legend(fontsize="small", ncol=1, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return ax
