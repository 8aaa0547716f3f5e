"""Retention-and-churn report: cohorts, active / at-risk / lapsed base, churn-risk list."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons import churn, retention
from crm_lessons.reports._charts import percent_axis
from crm_lessons.reports._status import customer_status as status_of
from crm_lessons.reports._status import fit_models, p_alive_repeat, status_label
from crm_lessons.reports._text import Text
from crm_lessons.reports.results import Chart, ReportResult

__all__ = ["build", "customer_status"]


def customer_status(data: pd.DataFrame, *, as_of, tr: Text, active_days: int = 90, lapsed_days: int = 180):
    """Per customer: first and last purchase, days since last, purchases, spend, status and churn risk.

    Status as in every report (:mod:`crm_lessons.reports._status`). ``p_alive`` and
    ``churn_probability`` come from a BG/NBD model for repeat customers only (empty for
    one-time buyers, and for everyone when the model is not estimable). Returns
    ``(table, reason)``, ``reason`` saying why the model was not estimable ("" if it was).
    """
    as_of = pd.Timestamp(as_of) if as_of else pd.Timestamp(data["date"].max()).normalize()
    g = data.groupby("customer_id")
    out = pd.DataFrame({"first_purchase": g["date"].min(), "last_purchase": g["date"].max(),
                        "purchases": g.size(), "revenue": g["amount"].sum()})
    last_year = data[data["date"] > as_of - pd.Timedelta(days=365)]
    out["revenue_last_365d"] = last_year.groupby("customer_id")["amount"].sum().reindex(out.index).fillna(0.0)
    out["days_since_last"] = (as_of - out["last_purchase"].dt.normalize()).dt.days
    out["status"] = status_of(out["days_since_last"], active_days=active_days, lapsed_days=lapsed_days)
    models = fit_models(data, as_of=as_of, tr=tr, spend=False)
    out["p_alive"] = (p_alive_repeat(models.bgnbd, models.summary).reindex(out.index) if not models.reason
                      else np.nan)
    out["churn_probability"] = 1 - out["p_alive"]
    out["value_at_risk"] = out["churn_probability"] * out["revenue"] / np.maximum(
        (as_of - out["first_purchase"]).dt.days / 365.25, 1.0)
    return out, models.reason


def _round(df: pd.DataFrame, decimals: int = 4) -> pd.DataFrame:
    """Round the numeric columns only (pandas 3 warns when ``round`` meets the date columns)."""
    return df.round(dict.fromkeys(df.select_dtypes("number").columns, decimals))


def build(data: pd.DataFrame, *, as_of=None, lang: str = "en", currency: str = "¥", period: str = "M",
          active_days: int = 90, lapsed_days: int = 180, top_n: int = 100, max_cohorts: int = 12,
          risk_threshold: float = 0.5) -> ReportResult:
    """Compute the retention-and-churn report from a transaction log ``customer_id, date, amount``."""
    tr = Text(lang, currency=currency)
    as_of_day = pd.Timestamp(as_of) if as_of else pd.Timestamp(data["date"].max()).normalize()
    matrix = retention.cohort_matrix(data, period=period)
    if (matrix.iloc[:, 0] > 1).any():
        curves = retention.retention_curves(matrix)
    else:  # every cohort is one customer: no curve to speak of
        curves = pd.DataFrame({"cohort": pd.Series(dtype=str), "periods_since_first": pd.Series(dtype=int),
                               "retention": pd.Series(dtype=float)})
    pooled = curves[curves["cohort"] == "all cohorts"].set_index("periods_since_first")["retention"]
    status, reason = customer_status(data, as_of=as_of_day, tr=tr, active_days=active_days, lapsed_days=lapsed_days)
    by_status = status.groupby("status", observed=False).agg(customers=("revenue", "size"),
                                                             revenue_last_365d=("revenue_last_365d", "sum"))
    by_status["customer_share"] = by_status["customers"] / by_status["customers"].sum()
    total = by_status["revenue_last_365d"].sum()
    by_status["share_of_revenue"] = by_status["revenue_last_365d"] / total if total else 0.0
    by_status.index = [status_label(s, lang) for s in by_status.index]
    by_status.index.name = "status"
    scores = status[(status["status"] != "lapsed") & status["churn_probability"].notna()].reset_index()
    warn = churn.early_warning_list(scores, threshold=risk_threshold)
    risk = warn.sort_values("value_at_risk", ascending=False, kind="stable").head(top_n)
    unit_en, unit_zh = {"M": ("month", "月"), "Q": ("quarter", "季度"), "W": ("week", "周")}[period]
    step = {"M": 12, "Q": 4, "W": 52}[period]
    r1 = float(pooled.get(1, np.nan))
    r_year = float(pooled.get(step, np.nan))
    n = len(status)
    share = status["status"].value_counts(normalize=True)
    res = ReportResult(title=tr("Retention and churn", "客户保持与流失分析"), lang=lang, currency=currency)
    res.key_figures = {
        tr("As-of date", "分析截止日"): tr.date(as_of_day),
        tr("Customers", "客户数"): f"{n:,}",
        tr(f"Active (bought in the last {active_days} days)", f"活跃（{active_days} 天内购买过）"): tr.pct(share["active"]),
        tr(f"At risk ({active_days + 1}-{lapsed_days} days quiet)", f"有流失风险（{active_days + 1}-{lapsed_days} 天未购买）"):
            tr.pct(share["at risk"]),
        tr(f"Lapsed (over {lapsed_days} days quiet)", f"已流失（超过 {lapsed_days} 天未购买）"): tr.pct(share["lapsed"]),
        tr(f"Customers buying again in their 2nd {unit_en}", f"第 2 个{unit_zh}再次购买的客户"):
            tr.pct(r1) if np.isfinite(r1) else tr("not estimable: the data cover one period",
                                                  "无法估计：数据只覆盖一个时期"),
        tr(f"Customers buying {step} {unit_en}s after their first", f"首购 {step} 个{unit_zh}后仍购买的客户"):
            tr.pct(r_year) if np.isfinite(r_year) else tr("not estimable: the data are too short",
                                                          "无法估计：数据时间太短"),
    }
    res.figure("customers", "Customers", "客户数", n)
    for k in ("active", "at risk", "lapsed"):
        res.figure(k, status_label(k, "en").capitalize(), status_label(k, "zh"), share[k], "pct")
    res.figure("repeat_2nd", f"Buying in 2nd {unit_en}", f"第 2 个{unit_zh}复购", r1, "pct")
    if curves.empty:
        res.not_estimable[tr("Retention curves", "留存曲线")] = tr(
            "every cohort holds a single customer; a curve needs cohorts of several customers.",
            "每个同期群只有一位客户；留存曲线需要多位客户的同期群。")
    if reason:
        res.not_estimable[tr("Churn probability and the churn-risk list", "流失概率与流失预警名单")] = reason
    else:
        res.key_figures[tr(f"Churn-risk list (repeat customers, P(churned) ≥ {risk_threshold:g}, not yet lapsed)",
                           f"流失预警名单（回头客，流失概率 ≥ {risk_threshold:g}，尚未流失）")] = tr(
            f"{len(warn):,} customers, {tr.money(warn['value_at_risk'].sum())} yearly revenue at risk",
            f"{len(warn):,} 位客户，年度风险金额 {tr.money(warn['value_at_risk'].sum())}")
    res.actions = []
    if not reason:
        res.actions.append(tr(
            f"Call the top of the churn-risk list first: {min(top_n, len(risk)):,} customers ranked by yearly "
            "revenue at risk (table 'churn-risk list'); each week of delay lowers the chance of winning them back.",
            f"优先联系流失预警名单的前列：{min(top_n, len(risk)):,} 位客户按年度风险金额排序（“churn-risk list”表）；"
            "每拖延一周，挽回的机会就更小。"))
    res.actions += [
        (tr(f"Fix the first repeat purchase: only {tr.pct(r1)} of new customers buy again in their second {unit_en}; "
            "an onboarding message and a second-purchase offer target the steepest drop of the retention curve.",
            f"抓住第一次复购：只有 {tr.pct(r1)} 的新客户在第 2 个{unit_zh}再次购买；新客引导和二次购买优惠针对留存"
            "曲线下降最陡的一段。")
         if np.isfinite(r1) else tr("Collect a longer history to measure repeat purchases.",
                                    "积累更长的历史数据以衡量复购。")),
        tr(f"{int((status['status'] == 'at risk').sum()):,} customers have been quiet for {active_days + 1}-"
           f"{lapsed_days} days: a reminder now costs less than a win-back campaign later.",
           f"{int((status['status'] == 'at risk').sum()):,} 位客户已 {active_days + 1}-{lapsed_days} 天未购买："
           "现在提醒比日后挽回更省钱。"),
        tr("Compare recent cohorts with older ones in the cohort table: a falling curve means the product or "
           "the acquisition channel changed, not just the customers.",
           "在同期群表中比较新旧同期群：曲线下降说明产品或获客渠道变了，而不只是客户变了。"),
    ]
    sizes = matrix.iloc[:, 0]
    shown = sizes.head(max_cohorts)

    def _curves(ax):
        from matplotlib.ticker import MaxNLocator

        retention.plot_retention_curves(curves, ax=ax, max_cohorts=max_cohorts, title="")
        ax.set_xlabel(tr(f"{unit_en.capitalize()}s since first purchase", f"距首购的{unit_zh}数"))
        ax.set_ylabel(tr("Share of cohort buying", "同期群中购买的客户占比"))
        ax.yaxis.set_major_formatter(percent_axis())
        lines = ax.get_lines()
        ax.legend([lines[0], lines[-1]], [tr("each cohort", "各同期群"), tr("all cohorts", "全部同期群")],
                  fontsize="small")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))

    def _status(ax):
        x = np.arange(len(by_status))
        ax.bar(x - 0.2, by_status["customer_share"], width=0.4, label=tr("share of customers", "客户占比"))
        ax.bar(x + 0.2, by_status["share_of_revenue"], width=0.4,
               label=tr("share of last year's revenue", "近一年销售额占比"))
        ax.set_xticks(x, by_status.index.astype(str))
        ax.yaxis.set_major_formatter(percent_axis())
        ax.legend(fontsize="small")

    recent = matrix.tail(24)

    def _heat(ax):
        retention.plot_cohort_matrix(recent, ax=ax, annot=False)
        ax.set_title("")
        ax.grid(False)
        bar = getattr(ax.collections[0], "colorbar", None) if ax.collections else None
        if bar is not None:
            bar.set_label(tr("share of the cohort buying", "同期群中购买的客户占比"))
        ax.set_ylabel(tr("Cohort (customers)", "同期群（客户数）"))
        ticks = ax.get_yticks()
        ax.set_yticks(ticks, [f"{recent.index[int(t)]} ({int(recent.iloc[int(t), 0]):,})" for t in ticks],
                      rotation=0)
        ax.set_xlabel(tr(f"{unit_en.capitalize()}s since first purchase", f"距首购的{unit_zh}数"))

    res.charts = [] if curves.empty else [
        Chart(tr("Retention curves by cohort", "各同期群的留存曲线"), _curves, table="retention curves",
              base=tr(f"n = {int(sizes.sum()):,} customers in {len(sizes)} cohorts; first {len(shown)} drawn, "
                      f"{int(shown.min()) if len(shown) else 0:,}-{int(shown.max()) if len(shown) else 0:,} each",
                      f"n = {int(sizes.sum()):,} 位客户，{len(sizes)} 个同期群；图中为前 {len(shown)} 个，每个 "
                      f"{int(shown.min()) if len(shown) else 0:,}-{int(shown.max()) if len(shown) else 0:,} 位")),
    ]
    res.charts += [
        Chart(tr("Customers by status", "客户状态分布"), _status, table="status", base=tr.n_base(n)),
        Chart(tr("Cohort retention matrix (latest 24 cohorts)", "同期群留存矩阵（最近 24 个）"), _heat,
              table="cohort matrix", key=False, size=(8, max(3.0, 0.25 * len(recent) + 1.5)),
              base=tr(f"n = {int(recent.iloc[:, 0].sum()):,} customers; cohort sizes on the left",
                      f"n = {int(recent.iloc[:, 0].sum()):,} 位客户；左侧为各同期群人数")),
    ]
    cm = matrix.copy()
    cm.index = cm.index.astype(str)
    cols = ["first_purchase", "last_purchase", "days_since_last", "purchases", "revenue", "revenue_last_365d",
            "status", "p_alive", "churn_probability", "value_at_risk"]
    shown_status = status[cols].copy()
    shown_status["status"] = [status_label(x, lang) for x in status["status"]]
    risk = risk.assign(status=[status_label(x, lang) for x in risk["status"]])
    res.tables = {
        "churn-risk list": _round(risk[["customer_id"] + cols].assign(rank=np.arange(1, len(risk) + 1))),
        "status": by_status.reset_index().round(4),
        "retention curves": curves.round(4),
        "cohort matrix": cm.reset_index(),
        "customers": _round(shown_status.reset_index()),
    }
    res.formats = {"cohort matrix": {c: "int" for c in cm.columns}}
    res.table_titles = {"churn-risk list": tr("Churn-risk list", "流失预警名单"), "status": tr("Customer status", "客户状态"),
                        "retention curves": tr("Retention curves", "留存曲线"),
                        "cohort matrix": tr("Cohort matrix", "同期群矩阵"), "customers": tr("All customers", "全部客户")}
    res.notes = [
        tr(f"Data: {len(data):,} purchases of {n:,} customers from {tr.date(data['date'].min())} to "
           f"{tr.date(data['date'].max())}; as-of date {tr.date(as_of_day)}.",
           f"数据：{n:,} 位客户的 {len(data):,} 笔购买，{tr.date(data['date'].min())} 至 "
           f"{tr.date(data['date'].max())}；分析截止日 {tr.date(as_of_day)}。"),
        tr(f"Status, the same in every report: active = last purchase at most {active_days} days ago, at risk = "
           f"at most {lapsed_days} days, lapsed = longer (--param active_days, lapsed_days).",
           f"客户状态（各报告统一）：活跃 = 最近购买在 {active_days} 天内，有流失风险 = {lapsed_days} 天内，"
           "已流失 = 更久（--param active_days、lapsed_days）。"),
        tr(f"Cohorts: customers grouped by the {unit_en} of their first purchase; a cell counts the cohort's "
           "customers who bought in that later period (crm_lessons.retention.cohort_matrix).",
           f"同期群：按首购所在{unit_zh}分组；每格为该同期群在之后该时期购买的客户数（crm_lessons.retention.cohort_matrix）。"),
        tr("P(churned) = 1 - P(alive) of a BG/NBD model fitted to all customers, for repeat customers only: the model "
           "gives a one-time buyer P(alive) = 1 however long ago the purchase, so one-time buyers are judged by "
           "their status. Yearly revenue at risk = P(churned) x revenue per year of tenure.",
           "流失概率 = 1 - 仍活跃概率，来自对全部客户拟合的 BG/NBD 模型，只对回头客给出：模型对只买过一次的客户一律给出"
           "仍活跃概率 1，无论购买多久以前，因此这些客户按客户状态判断。年度风险金额 = 流失概率 × 每年消费额。"),
    ]
    return res
