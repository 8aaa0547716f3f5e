"""Customer-value report: RFM segments, ABC classes, customer pyramid, CLV and customer equity."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons import clv as clv_mod
from crm_lessons import segmentation
from crm_lessons._validation import CRMInputError
from crm_lessons.customer_summary import summary_from_transactions
from crm_lessons.purchase_models import BetaGeoModel
from crm_lessons.reports.results import Chart, ReportResult, fmt_money, fmt_number, fmt_pct
from crm_lessons.spend_model import GammaGammaModel

__all__ = ["MIN_REPEAT_CUSTOMERS", "build", "customer_table"]

#: Fewest repeat customers with which the BG/NBD and Gamma-Gamma fits are attempted.
MIN_REPEAT_CUSTOMERS = 20


def customer_table(data: pd.DataFrame, *, as_of, rfm_bins: int = 5, horizon_months: int = 12,
                   discount_rate: float = 0.10, margin: float = 0.30):
    """One row per customer: RFM, ABC class, pyramid tier, P(alive), expected purchases and CLV.

    Returns ``(customers, models)`` where ``models`` holds the fitted
    BG/NBD and Gamma-Gamma models.
    """
    as_of = pd.Timestamp(as_of) if as_of else pd.Timestamp(data["date"].max()).normalize()
    rfm = segmentation.rfm_table(data, as_of=as_of, n_bins=rfm_bins)
    # the models measure customer age T to the end of the as-of day, so a customer
    # first seen on that day has T = 1 day, not 0
    summary = summary_from_transactions(data, as_of=as_of + pd.Timedelta(days=1), time_unit="W", period="D")
    repeat = int((summary["frequency"] > 0).sum())
    if repeat < MIN_REPEAT_CUSTOMERS:
        raise CRMInputError(
            f"argument `data`: the CLV models need at least {MIN_REPEAT_CUSTOMERS} customers with repeat purchases; "
            f"found {repeat} among {len(summary)} customers. Use a longer period or a larger group of customers."
        )
    bg = BetaGeoModel().fit(summary)
    gg = GammaGammaModel().fit(summary)
    monthly = (1 + discount_rate) ** (1 / 12) - 1
    value = clv_mod.customer_lifetime_value(bg, gg, summary, horizon=horizon_months, discount_rate=monthly,
                                            margin=margin)
    value["p_alive"] = bg.probability_alive(summary["frequency"].to_numpy(), summary["recency"].to_numpy(),
                                            summary["T"].to_numpy())
    value = value.set_index("customer_id")
    customers = rfm.join(value, how="left")
    customers["abc_class"] = segmentation.abc_classes(customers["monetary"])["abc_class"]
    pyr = segmentation.customer_pyramid(customers["clv"])
    customers["tier"] = pyr["tier"]
    customers.index.name = "customer_id"
    return customers, {"bgnbd": bg, "gamma_gamma": gg}


def build(data: pd.DataFrame, *, as_of=None, rfm_bins: int = 5, horizon_months: int = 12,
          discount_rate: float = 0.10, margin: float = 0.30, top_n: int = 50) -> ReportResult:
    """Compute the customer-value report from a transaction log ``customer_id, date, amount``."""
    customers, models = customer_table(data, as_of=as_of, rfm_bins=rfm_bins, horizon_months=horizon_months,
                                       discount_rate=discount_rate, margin=margin)
    as_of_day = pd.Timestamp(as_of) if as_of else pd.Timestamp(data["date"].max()).normalize()
    n = len(customers)
    revenue = float(customers["monetary"].sum())
    equity = clv_mod.customer_equity(customers["clv"].to_numpy())["current"]

    seg = segmentation.tier_summary(customers.assign(value=customers["monetary"]), tier_col="segment")
    seg = seg[seg["customers"] > 0].sort_values("value", ascending=False)
    seg["clv"] = customers.groupby("segment", observed=True)["clv"].sum().reindex(seg.index)
    seg["mean_p_alive"] = customers.groupby("segment", observed=True)["p_alive"].mean().reindex(seg.index)
    actions = segmentation.RFM_SEGMENTS.set_index("segment")["action"]
    seg["action"] = actions.reindex(seg.index).to_numpy()
    tiers = segmentation.tier_summary(customers.assign(value=customers["clv"]), tier_col="tier")
    abc = segmentation.tier_summary(customers.assign(value=customers["monetary"]), tier_col="abc_class")
    pareto = segmentation.pareto_curve(customers["monetary"])
    if len(pareto) > 201:  # a light curve for the chart and its CSV
        pareto = pareto.iloc[np.unique(np.linspace(0, len(pareto) - 1, 201).round().astype(int))]
    top20 = float(np.interp(0.2, pareto.iloc[:, 0], pareto.iloc[:, 1])) if len(pareto) else float("nan")

    top = customers.sort_values("clv", ascending=False).head(top_n).reset_index()
    risk_mask = customers["segment"].isin(["Can't lose them", "At risk"])
    at_risk = customers[risk_mask].sort_values("monetary", ascending=False)

    res = ReportResult(title="Customer value")
    res.key_figures = {
        "As-of date": str(as_of_day.date()),
        "Customers / purchases": f"{fmt_number(n)} / {fmt_number(len(data))}",
        "Revenue in the data": fmt_money(revenue),
        "Share of revenue from the top 20% of customers": fmt_pct(top20),
        "A-class customers (80% of revenue)": f"{int((customers['abc_class'] == 'A').sum()):,} "
                                              f"({fmt_pct((customers['abc_class'] == 'A').mean())} of customers)",
        f"Customer equity: CLV of the current base, next {horizon_months} months": fmt_money(equity),
        "Mean CLV per customer": fmt_money(equity / n),
        "Customers probably still active (P(alive) > 0.5)": fmt_pct((customers["p_alive"] > 0.5).mean()),
        "Biggest segment by revenue": f"{seg.index[0]} ({fmt_pct(seg['value_share'].iloc[0])} of revenue)",
    }
    vip = tiers.iloc[0]
    res.actions = [
        f"Protect the top tier: {int(vip['customers']):,} VIP customers hold {fmt_pct(vip['value_share'])} of "
        "expected future value; give them named contacts and early access (list: 'top customers').",
        (f"Win back {len(at_risk):,} 'At risk' / 'Can't lose them' customers who spent "
         f"{fmt_money(at_risk['monetary'].sum())} ({fmt_pct(at_risk['monetary'].sum() / revenue)} of revenue) "
         "but have gone quiet: personal calls first, offers second (list: 'win-back list')."
         if len(at_risk) else "No valuable customers have gone quiet ('At risk' / 'Can't lose them' are empty)."),
        f"Turn first-time buyers into repeat buyers: {int((customers['frequency'] == 1).sum()):,} customers "
        "bought only once; a second-purchase offer within weeks of the first is the cheapest growth lever.",
        f"Spend on acquiring a customer less than the CLV of a typical new one (mean CLV {fmt_money(equity / n)} "
        f"at {fmt_pct(margin, 0)} margin); per-segment actions are in the 'rfm segments' table.",
    ]

    def _seg_chart(ax):
        s = seg.iloc[::-1]
        y = np.arange(len(s))
        ax.barh(y - 0.2, s["customer_share"], height=0.4, label="share of customers")
        ax.barh(y + 0.2, s["value_share"], height=0.4, label="share of revenue")
        ax.set_yticks(y, s.index)
        ax.set_xlabel("Share")
        ax.legend(loc="lower right", fontsize="small")

    def _tier_chart(ax):
        ax.bar(tiers.index.astype(str), tiers["value_share"], color="tab:green")
        for i, (c, v) in enumerate(zip(tiers["customer_share"], tiers["value_share"])):
            ax.text(i, v, f"{fmt_pct(c, 0)} of customers", ha="center", va="bottom", fontsize="small")
        ax.set_xlabel("Tier (ranked by CLV)")
        ax.set_ylabel("Share of customer equity")

    def _pareto_chart(ax):
        ax.plot(pareto.iloc[:, 0], pareto.iloc[:, 1])
        ax.plot([0, 1], [0, 1], ls=":", color="grey")
        ax.axvline(0.2, ls="--", color="grey", lw=0.8)
        ax.set_xlabel("Share of customers (largest first)")
        ax.set_ylabel("Share of revenue")

    def _clv_hist(ax):
        v = customers["clv"].clip(upper=customers["clv"].quantile(0.99))
        ax.hist(v, bins=40)
        ax.set_xlabel(f"CLV, next {horizon_months} months (top 1% clipped)")
        ax.set_ylabel("Customers")

    res.charts = [
        Chart("Customers and revenue by RFM segment", _seg_chart, table="rfm segments", size=(7, 4.2)),
        Chart("Customer pyramid: share of customer equity by tier", _tier_chart, table="pyramid"),
        Chart("Pareto curve of revenue", _pareto_chart, table="pareto curve", key=False, size=(5, 4)),
        Chart("Distribution of customer lifetime value", _clv_hist, table="customers", key=False),
    ]
    cols = ["recency", "frequency", "monetary", "r_score", "f_score", "m_score", "segment", "rfm_class",
            "abc_class", "tier", "p_alive", "expected_purchases", "expected_spend", "clv"]
    rounded = {"p_alive": 4, "expected_purchases": 3, "expected_spend": 2, "clv": 2, "monetary": 2}
    params = pd.concat({k: m.params_ for k, m in models.items()}).rename("estimate").reset_index()
    params.columns = ["model", "parameter", "estimate"]
    res.tables = {
        "rfm segments": seg.reset_index().round(4),
        "pyramid": tiers.reset_index().round(4),
        "abc classes": abc.reset_index().round(4),
        "top customers": top[["customer_id"] + cols].round(rounded),
        "win-back list": at_risk.reset_index()[["customer_id"] + cols].head(max(top_n, 100)).round(rounded),
        "pareto curve": pareto.round(5),
        "customers": customers[cols].reset_index().round(rounded),
        "model parameters": params.round(5),
    }
    res.notes = [
        f"Data: {len(data):,} purchases of {n:,} customers from {pd.Timestamp(data['date'].min()).date()} "
        f"to {pd.Timestamp(data['date'].max()).date()}; as-of date {as_of_day.date()}.",
        f"RFM: recency in days, frequency = purchase days, monetary = total spend; scores 1-{rfm_bins} by rank "
        "(crm_lessons.segmentation.rfm_table); segments from the R x F map.",
        "ABC classes: A = customers holding the first 80% of revenue, B the next 15%, C the rest. "
        "Pyramid: VIP 1%, main 4%, ordinary 15%, small 80% of customers, ranked by CLV.",
        f"CLV: BG/NBD model of repeat purchases and Gamma-Gamma model of spend per purchase fitted to the "
        f"whole base (Fader, Hardie & Lee 2005), {horizon_months} months ahead, {fmt_pct(discount_rate, 0)} "
        f"annual discount rate, {fmt_pct(margin, 0)} margin. Customer equity here is the CLV of current "
        "customers only (no future acquisitions). Model parameters are in the 'model parameters' table.",
    ]
    return res
