"""Plots of lesson 2.5 (re-exported by :mod:`crm_lessons.segmentation`).

Each takes ``ax=None`` (a new figure if None) and returns the Axes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons.figures import get_axes
from crm_lessons._validation import CRMInputError, check_dataframe, require_columns

__all__ = ["plot_pyramid", "plot_value_matrix", "plot_rfm_heatmap", "plot_segment_profile"]


def _axes(ax, size=(6, 4)):
    return get_axes(ax, figsize=size)


def plot_pyramid(summary: pd.DataFrame, *, ax=None):
    """Draw a customer pyramid from a :func:`~crm_lessons.segmentation.tier_summary` table (top tier first).

    Each tier is a row, top tier at the top; the bar to the left of the axis is its share of
    customers, the bar to the right its share of value, both drawn to scale (a pyramid drawn
    with equal-height layers would show a 1% tier as large as an 80% one).

    Examples
    --------
    >>> from crm_lessons.segmentation import customer_pyramid, tier_summary
    >>> ax = plot_pyramid(tier_summary(customer_pyramid(range(1, 101)), tier_col="tier"))
    >>> len(ax.patches)
    8
    """
    check_dataframe(summary, arg="summary")
    require_columns(summary, ["customer_share", "value_share"], arg="summary")
    ax = _axes(ax)
    n = len(summary)
    y = np.arange(n)[::-1]  # top tier at the top
    cust = summary["customer_share"].to_numpy(dtype=float)
    val = summary["value_share"].to_numpy(dtype=float)
    ax.barh(y, -cust, color="C0")
    ax.barh(y, val, color="C1")
    for yi, c, v in zip(y, cust, val):
        ax.text(-c - 0.02, yi, f"{c:.0%}", ha="right", va="center")
        ax.text(v + 0.02, yi, f"{v:.0%}", ha="left", va="center")
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, [str(i) for i in summary.index])
    ax.set_xlim(-1.2, 1.2)
    ax.set_xticks([-1, -0.5, 0, 0.5, 1], ["100%", "50%", "0", "50%", "100%"])
    ax.set(xlabel="share of customers (left) | share of value (right)",
           title="Customer pyramid: share of customers and of value")
    ax.set_ylim(-0.6, n - 0.1)
    ax.text(-0.6, n - 0.5, "customers", ha="center", va="bottom", color="C0", fontweight="bold")
    ax.text(0.6, n - 0.5, "value", ha="center", va="bottom", color="C1", fontweight="bold")
    return ax


def plot_value_matrix(df: pd.DataFrame, *, current_value_col: str = "current_value",
                      potential_col: str = "potential", ax=None, log_value: bool = True):
    """Scatter of the customer value matrix, coloured by class I-IV, with the thresholds.

    ``df`` is the output of :func:`~crm_lessons.segmentation.value_matrix`.

    Examples
    --------
    >>> import pandas as pd
    >>> from crm_lessons.segmentation import value_matrix
    >>> vm = value_matrix(pd.DataFrame({"current_value": [10, 90, 20, 80], "potential": [0.1, 0.2, 0.9, 0.8]}))
    >>> plot_value_matrix(vm).get_xlabel()
    'Current value (log scale)'
    """
    require_columns(df, {"current_value_col": current_value_col, "potential_col": potential_col,
                         "value_class": "value_class"}, arg="df")
    ax = _axes(ax)
    for j, cls in enumerate(df["value_class"].cat.categories):
        part = df[df["value_class"] == cls]
        ax.scatter(part[current_value_col], part[potential_col], s=8, alpha=0.5, color=f"C{j}",
                   label=f"{cls} ({len(part)})")
    t = df.attrs.get("thresholds", {})
    if "value" in t:
        ax.axvline(t["value"], color="black", lw=0.8)
    if "potential" in t:
        ax.axhline(t["potential"], color="black", lw=0.8)
    if log_value and (df[current_value_col] > 0).all():
        ax.set_xscale("log")
    elif log_value:
        ax.set_xscale("symlog", linthresh=1)
        ax.set_xlim(left=0)
    ax.set(xlabel="Current value" + (" (log scale)" if log_value else ""), ylabel="Growth potential",
           title="Customer value matrix: current value x growth potential")
    ax.legend(title="class", fontsize="small", loc="upper left", bbox_to_anchor=(1, 1))
    return ax


def plot_rfm_heatmap(rfm: pd.DataFrame, *, ax=None, value_col: str = "monetary", min_customers: int = 20):
    """Heat map of mean ``value_col`` by R score (rows) and F score (columns), with customer counts.

    ``rfm`` is the output of :func:`~crm_lessons.segmentation.rfm_table`. Cells with fewer than
    ``min_customers`` customers are left grey and do not set the colour scale: a mean of one or two
    customers would otherwise paint every other cell pale.

    Examples
    --------
    >>> import pandas as pd
    >>> from crm_lessons.segmentation import rfm_table
    >>> tx = pd.DataFrame({"customer_id": [1, 2, 2, 3], "amount": [5.0, 10.0, 20.0, 8.0],
    ...                    "date": ["2024-01-01", "2024-01-01", "2024-02-01", "2024-02-01"]})
    >>> plot_rfm_heatmap(rfm_table(tx, n_bins=2), min_customers=1).get_title()
    'Mean monetary value by R and F score (n = customers)'
    """
    require_columns(rfm, ["r_score", "f_score", value_col], arg="rfm")
    mean = rfm.pivot_table(index="r_score", columns="f_score", values=value_col, aggfunc="mean",
                           observed=False).sort_index(ascending=False)
    count = rfm.pivot_table(index="r_score", columns="f_score", values=value_col, aggfunc="size",
                            observed=False).reindex_like(mean).fillna(0)
    shown = mean.where(count >= min_customers)
    ax = _axes(ax, (6, 4.5))
    ax.set_facecolor("0.9")
    im = ax.imshow(np.ma.masked_invalid(shown.to_numpy(dtype=float)), cmap="YlOrRd", aspect="auto")
    for i in range(mean.shape[0]):
        for j in range(mean.shape[1]):
            m, c = mean.iat[i, j], count.iat[i, j]
            if pd.notna(m):
                few = c < min_customers
                ax.text(j, i, f"{m:.0f}\nn={int(c)}", ha="center", va="center", fontsize=8,
                        color="0.45" if few else "black")
    ax.set_xticks(range(mean.shape[1]), [str(c) for c in mean.columns])
    ax.set_yticks(range(mean.shape[0]), [str(r) for r in mean.index])
    name = "monetary value" if value_col == "monetary" else value_col.replace("_", " ")
    ax.figure.colorbar(im, ax=ax, label=f"mean {name} (cells with {min_customers}+ customers)")
    ax.set(xlabel="F score (frequency)", ylabel="R score (recency, 5 = most recent)",
           title=f"Mean {name} by R and F score (n = customers)")
    return ax


def plot_segment_profile(summary: pd.DataFrame, *, ax=None, title: str = "Share of customers and share of value by segment"):
    """Bars of each segment's share of customers beside its share of value.

    ``summary`` has ``customer_share`` and ``value_share`` columns, indexed by
    segment: :func:`~crm_lessons.segmentation.tier_summary` or the ``profile``
    of :func:`~crm_lessons.segmentation.kmeans_segments`.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"customer_share": [0.2, 0.8], "value_share": [0.7, 0.3]}, index=["A", "B"])
    >>> len(plot_segment_profile(s).patches)
    4
    """
    check_dataframe(summary, arg="summary")
    require_columns(summary, ["customer_share", "value_share"], arg="summary")
    if len(summary) > 30:
        raise CRMInputError(f"argument `summary`: at most 30 segments can be drawn; found {len(summary)}.")
    ax = _axes(ax, (7, 4))
    x = np.arange(len(summary))
    ax.bar(x - 0.2, summary["customer_share"], width=0.4, label="share of customers", color="C0")
    ax.bar(x + 0.2, summary["value_share"], width=0.4, label="share of value", color="C1")
    ax.set_xticks(x, [str(i) for i in summary.index], rotation=30 if len(summary) > 5 else 0,
                  ha="right" if len(summary) > 5 else "center")
    ax.set(ylabel="Share", xlabel=str(summary.index.name or "segment"), title=title)
    ax.legend(fontsize="small")
    return ax
