"""Retention-and-churn report: cohorts, active / at-risk / lapsed base, churn-risk list."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons import churn, retention
from crm_lessons.customer_summary import summary_from_transactions
from crm_lessons.purchase_models import BetaGeoModel
from crm_lessons.reports.results import Chart, ReportResult, fmt_money, fmt_number, fmt_pct

__all__ = ["build", "customer_status"]

_STATUS = ["active", "at risk", "lapsed"]


def customer_status(data: pd.DataFrame, *, as_of, lapsed_days: int) -> pd.DataFrame:
    """Per customer: first and last purchase, days since last, purchases, spend in the last year, status.

    Status: ``active`` (last purchase less than ``lapsed_days / 2`` ago),
    ``at risk`` (up to ``lapsed_days``) or ``lapsed``; plus the BG/NBD
    probability that the customer is still active (``p_alive``).
    """
    as_of = pd.Timestamp(as_of) if as_of else pd.Timestamp(data["date"].max()).normalize()
    g = data.groupby("customer_id")
    out = pd.DataFrame({"first_purchase": g["date"].min(), "last_purchase": g["date"].max(),
                        "purchases": g.size(), "revenue": g["amount"].sum()})
    last_year = data[data["date"] > as_of - pd.Timedelta(days=365)]
    out["revenue_last_365d"] = last_year.groupby("customer_id")["amount"].sum().reindex(out.index).fillna(0.0)
    out["days_since_last"] = (as_of - out["last_purchase"].dt.normalize()).dt.days
    out["status"] = pd.Categorical(np.where(out["days_since_last"] < lapsed_days / 2, "active",
                                            np.where(out["days_since_last"] < lapsed_days, "at risk", "lapsed")),
                                   categories=_STATUS, ordered=True)
    summary = summary_from_transactions(data, as_of=as_of + pd.Timedelta(days=1), time_unit="W",
                                        period="D").set_index("customer_id")
    bg = BetaGeoModel().fit(summary)
    s = summary.reindex(out.index)
    out["p_alive"] = bg.probability_alive(s["frequency"].to_numpy(), s["recency"].to_numpy(), s["T"].to_numpy())
    out["churn_probability"] = 1 - out["p_alive"]
    out["value_at_risk"] = out["churn_probability"] * out["revenue"] / np.maximum(
        (as_of - out["first_purchase"]).dt.days / 365.25, 1.0)
    return out


def _round(df: pd.DataFrame, decimals: int = 4) -> pd.DataFrame:
    """Round the numeric columns only (pandas 3 warns when ``round`` meets the date columns)."""
    return df.round(dict.fromkeys(df.select_dtypes("number").columns, decimals))


def build(data: pd.DataFrame, *, as_of=None, period: str = "M", lapsed_days: int = 180, top_n: int = 100,
          max_cohorts: int = 12, risk_threshold: float = 0.5) -> ReportResult:
    """Compute the retention-and-churn report from a transaction log ``customer_id, date, amount``."""
    as_of_day = pd.Timestamp(as_of) if as_of else pd.Timestamp(data["date"].max()).normalize()
    matrix = retention.cohort_matrix(data, period=period)
    curves = retention.retention_curves(matrix)
    pooled = curves[curves["cohort"] == "all cohorts"].set_index("periods_since_first")["retention"]
    status = customer_status(data, as_of=as_of_day, lapsed_days=lapsed_days)
    by_status = status.groupby("status", observed=False).agg(customers=("revenue", "size"),
                                                             revenue_last_365d=("revenue_last_365d", "sum"))
    by_status["customer_share"] = by_status["customers"] / by_status["customers"].sum()
    scores = status[status["status"] != "lapsed"].reset_index()
    warn = churn.early_warning_list(scores, threshold=risk_threshold)
    risk = warn.sort_values("value_at_risk", ascending=False, kind="stable").head(top_n)
    unit = {"M": "month", "Q": "quarter", "W": "week"}[period]
    step = {"M": 12, "Q": 4, "W": 52}[period]
    r1 = float(pooled.get(1, np.nan))
    r_year = float(pooled.get(step, np.nan))
    n = len(status)
    res = ReportResult(title="Retention and churn")
    res.key_figures = {
        "As-of date": str(as_of_day.date()),
        "Customers": fmt_number(n),
        f"Active (bought in the last {lapsed_days // 2} days)": fmt_pct((status["status"] == "active").mean()),
        f"At risk ({lapsed_days // 2}-{lapsed_days} days quiet)": fmt_pct((status["status"] == "at risk").mean()),
        f"Lapsed (over {lapsed_days} days quiet)": fmt_pct((status["status"] == "lapsed").mean()),
        f"Customers buying again in their 2nd {unit}": fmt_pct(r1) if np.isfinite(r1) else "n/a",
        f"Customers buying {step} {unit}s after their first": fmt_pct(r_year) if np.isfinite(r_year) else
        "n/a (data too short)",
        f"Churn-risk list (P(churned) >= {risk_threshold:g}, not yet lapsed)": f"{len(warn):,} customers, "
        f"{fmt_money(warn['value_at_risk'].sum())} yearly revenue at risk",
    }
    res.actions = [
        f"Call the top of the churn-risk list first: {min(top_n, len(risk)):,} customers ranked by yearly "
        "revenue at risk (table 'churn-risk list'); each week of delay lowers the chance of winning them back.",
        f"Fix the first repeat purchase: only {fmt_pct(r1)} of new customers buy again in their second {unit}; "
        "an onboarding message and a second-purchase offer target the steepest drop of the retention curve."
        if np.isfinite(r1) else "Collect a longer history to measure repeat purchases.",
        f"{int((status['status'] == 'at risk').sum()):,} customers have been quiet for {lapsed_days // 2}-"
        f"{lapsed_days} days: a reminder now costs less than a win-back campaign later.",
        "Compare recent cohorts with older ones in the cohort table: a falling curve means the product or "
        "the acquisition channel changed, not just the customers.",
    ]

    def _curves(ax):
        retention.plot_retention_curves(curves, ax=ax, max_cohorts=max_cohorts)
        ax.set_xlabel(f"{unit.capitalize()}s since first purchase")

    def _status(ax):
        x = np.arange(len(by_status))
        ax.bar(x - 0.2, by_status["customer_share"], width=0.4, label="share of customers")
        total = by_status["revenue_last_365d"].sum()
        ax.bar(x + 0.2, by_status["revenue_last_365d"] / total if total else 0, width=0.4,
               label="share of last year's revenue")
        ax.set_xticks(x, by_status.index.astype(str))
        ax.set_ylabel("Share")
        ax.legend(fontsize="small")

    recent = matrix.tail(24)

    def _heat(ax):
        retention.plot_cohort_matrix(recent, ax=ax, annot=False)

    res.charts = [
        Chart("Retention curves by cohort", _curves, table="retention curves"),
        Chart("Customers by status", _status, table="status"),
        Chart("Cohort retention matrix (latest 24 cohorts)", _heat, table="cohort matrix", key=False,
              size=(8, max(3.0, 0.25 * len(recent) + 1.5))),
    ]
    cm = matrix.copy()
    cm.index = cm.index.astype(str)
    cols = ["first_purchase", "last_purchase", "days_since_last", "purchases", "revenue", "revenue_last_365d",
            "status", "p_alive", "churn_probability", "value_at_risk"]
    res.tables = {
        "churn-risk list": _round(risk[["customer_id"] + cols].assign(rank=np.arange(1, len(risk) + 1))),
        "status": by_status.reset_index().round(4),
        "retention curves": curves.round(4),
        "cohort matrix": cm.reset_index(),
        "customers": _round(status[cols].reset_index()),
    }
    res.notes = [
        f"Data: {len(data):,} purchases of {n:,} customers from {pd.Timestamp(data['date'].min()).date()} to "
        f"{pd.Timestamp(data['date'].max()).date()}; as-of date {as_of_day.date()}.",
        f"Cohorts: customers grouped by the {unit} of their first purchase; a cell counts the cohort's customers "
        "who bought in that later period (crm_lessons.retention.cohort_matrix).",
        "P(churned) = 1 - P(alive) of a BG/NBD model fitted to all customers: it weighs how long a customer "
        "has been quiet against how often they used to buy. Yearly revenue at risk = P(churned) x revenue "
        "per year of tenure.",
    ]
    return res
