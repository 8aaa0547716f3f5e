"""Customer-value report: RFM segments, status, ABC classes, customer pyramid, CLV and customer equity."""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons import clv as clv_mod
from crm_lessons import segmentation
from crm_lessons._grouping import customer_codes, day_numbers, periods_per_customer
from crm_lessons._validation import CRMInputError
from crm_lessons.customer_summary import summary_from_periods
from crm_lessons.tables import TRANSACTIONS
from crm_lessons.reports._charts import percent_axis
from crm_lessons.reports._status import (
    MIN_REPEAT_CUSTOMERS, class_customers, customer_status, fit_summary, p_alive_repeat, status_label,
)
from crm_lessons.reports._text import Text
from crm_lessons.reports.results import Chart, ReportResult

__all__ = ["MIN_REPEAT_CUSTOMERS", "build", "customer_table", "parse_recency_days"]

#: What to do with each RFM segment, in Chinese (the English actions are in segmentation.RFM_SEGMENTS).
_ACTIONS_ZH = {
    "Champions": "近期常买：给予奖励，请其推荐，新品优先体验",
    "Loyal customers": "购买频繁：向上销售，会员计划",
    "Potential loyalists": "近期买过几次：发展会员，个性化推荐",
    "New customers": "刚刚首购：新客引导，二次购买优惠",
    "Promising": "近期单次购买：加深了解，免费试用",
    "Need attention": "各项一般：基于历史的限时优惠",
    "About to sleep": "正在流失：用相关产品重新激活",
    "Can't lose them": "曾是最佳客户，现已沉默：专人挽回",
    "At risk": "很久以前常买：个性化挽回，续约提醒",
    "Lost": "很久以前只买过一次：忽略或低成本唤醒",
    "Hibernating": "很久以前买过几次：仅做低成本提醒",
}
_MONTH_WEEKS = 365.25 / 12 / 7  # a month in the models' time unit (weeks)


def parse_recency_days(text, rfm_bins: int) -> list[int]:
    """The R-score thresholds in days from ``--param recency_days=30,90,180,365`` (``rfm_bins - 1`` of them).

    >>> parse_recency_days("30,90,180,365", 5)
    [30, 90, 180, 365]
    >>> parse_recency_days("30,90", 5)
    Traceback (most recent call last):
    ...
    crm_lessons._validation.CRMInputError: argument `--param recency_days`: must be 4 increasing whole numbers of days (one fewer than rfm_bins = 5); found '30,90'. Pass e.g. --param recency_days=30,90,180,365.
    """
    example = ",".join(str(d) for d in np.unique(np.geomspace(30, 365, rfm_bins - 1).round().astype(int)))
    try:
        days = [int(x) for x in str(text).replace("，", ",").split(",")]
    except ValueError:
        days = []
    if len(days) != rfm_bins - 1 or days[0] < 0 or any(b <= a for a, b in zip(days, days[1:])):
        raise CRMInputError(
            f"argument `--param recency_days`: must be {rfm_bins - 1} increasing whole numbers of days (one fewer "
            f"than rfm_bins = {rfm_bins}); found {text!r}. Pass e.g. --param recency_days="
            f"{'30,90,180,365' if rfm_bins == 5 else example}."
        )
    return days


def customer_table(data: pd.DataFrame, *, as_of, tr: Text, rfm_bins: int = 5, recency_days=(30, 90, 180, 365),
                   horizon_months: int = 12, discount_rate: float = 0.10, margin: float = 0.30,
                   active_days: int = 90, lapsed_days: int = 180):
    """One row per customer: RFM, status, ABC class, and (when estimable) P(alive), expected purchases and CLV.

    Returns ``(customers, models)``; ``models.reason`` says why CLV could not be estimated ("" if it was).
    P(alive) is left empty for one-time buyers (the BG/NBD model gives them 1 whatever their silence).
    """
    if hasattr(data, "customer_table"):  # the engine's per-customer table (crm_lessons.reports._engine)
        return data.customer_table(as_of=as_of, tr=tr, rfm_bins=rfm_bins, recency_days=recency_days,
                                   horizon_months=horizon_months, discount_rate=discount_rate, margin=margin,
                                   active_days=active_days, lapsed_days=lapsed_days)
    # customers as integer codes (in sorted order of the ids: a categorical's codes as they are, other ids
    # factorised once), and one pass over the log for both the RFM table and the models' summary
    codes, ids = customer_codes(data["customer_id"])
    log = TRANSACTIONS.read(pd.DataFrame({"customer_id": codes, "date": data["date"].to_numpy(),
                                          "amount": data["amount"].to_numpy()}, copy=False),  # (read copies)
                            arg="transactions", as_of=as_of, customer_col="customer_id", date_col="date",
                            amount_col="amount")
    days = day_numbers(log["date"])
    g = periods_per_customer(codes, days, log["amount"].to_numpy(dtype=float), n_codes=len(ids))
    del log, days
    day = int(np.datetime64(pd.Timestamp(as_of).normalize(), "D").astype(np.int64))
    index = pd.Index(g["code"], name="customer_id")
    rfm = segmentation.rfm_scores(pd.DataFrame({"recency": (day - g["last"]).astype(int),
                                                "frequency": g["n_periods"].astype(int), "monetary": g["total"]},
                                               index=index), n_bins=rfm_bins, recency_days=list(recency_days))
    rfm["status"] = customer_status(rfm["recency"], active_days=active_days, lapsed_days=lapsed_days)
    # the models measure customer age T to the end of the as-of day (as fit_models does)
    summary = summary_from_periods(g["code"], g["n_periods"], g["first"], g["last"], day + 1, total=g["total"],
                                   first_value=g["first_value"], time_unit="W")
    summary.index = pd.Index(summary.pop("customer_id"))      # (set_index would copy the other columns)
    del g
    models = fit_summary(summary, tr=tr)
    customers = rfm
    if not models.reason:
        monthly = (1 + discount_rate) ** (1 / 12) - 1
        value = clv_mod.customer_lifetime_value(models.bgnbd, models.gamma_gamma, summary.reset_index(),
                                                horizon=horizon_months, discount_rate=monthly, margin=margin)
        p_alive = p_alive_repeat(models.bgnbd, summary).to_numpy()
        if np.array_equal(value["customer_id"].to_numpy(), index.to_numpy()):  # the same customers in the same
            for c in value.columns[1:]:                                       # order (as always here): no join
                rfm[c] = value[c].to_numpy()
            rfm["p_alive"] = p_alive
        else:
            customers = rfm.join(value.set_index("customer_id").assign(p_alive=p_alive), how="left")
    customers = class_customers(customers)              # (indexed by code: no alignment on text ids)
    text = pd.Index(ids[index.to_numpy()], name="customer_id")   # the ids as text again, once
    customers.index = text
    summary.index = text
    return customers, models._replace(summary=summary)


def _relabel(s: pd.Series, label) -> pd.Series:
    """A categorical's cells as the text ``label(category)`` (a list of text, as one would write it cell by cell),
    labelling each category once."""
    names = np.array([label(c) for c in s.cat.categories] + [np.nan], dtype=object)
    return pd.Series(names[s.cat.codes.to_numpy()].tolist(), index=s.index)


def _top_rows(s: pd.Series, n: int) -> np.ndarray:
    """Row numbers of ``s.sort_values(ascending=False, kind="stable").head(n)`` without sorting every row.

    The rows at least as large as the n-th largest value are the only candidates; sorted stably, as the
    whole would be, they give the same first n rows (ties in row order).

    >>> _top_rows(pd.Series([3.0, 5.0, 3.0, 1.0, 5.0, 3.0]), 3).tolist()
    [1, 4, 0]
    """
    x = s.to_numpy()
    if n <= 0 or n >= len(x) or np.isnan(x).any():
        return s.reset_index(drop=True).sort_values(ascending=False, kind="stable").index[:n].to_numpy()
    kth = np.partition(x, len(x) - n)[len(x) - n]          # the n-th largest value
    rows = np.flatnonzero(x >= kth)
    return rows[pd.Series(x[rows]).sort_values(ascending=False, kind="stable").index[:n].to_numpy()]


def build(data: pd.DataFrame, *, as_of=None, lang: str = "en", currency: str = "¥", rfm_bins: int = 5,
          recency_days: str = "30,90,180,365", horizon_months: int = 12, discount_rate: float = 0.10,
          margin: float = 0.30, top_n: int = 50, active_days: int = 90, lapsed_days: int = 180) -> ReportResult:
    """Compute the customer-value report from a transaction log ``customer_id, date, amount``.

    Every section that can be computed is written; CLV (and the pyramid by CLV) is marked not estimable,
    with the reason, when the purchase models cannot be fitted.
    """
    tr = Text(lang, currency=currency)
    as_of_day = pd.Timestamp(as_of) if as_of else pd.Timestamp(data["date"].max()).normalize()
    days = parse_recency_days(recency_days, rfm_bins)
    customers, models = customer_table(data, as_of=as_of_day, tr=tr, rfm_bins=rfm_bins, recency_days=days,
                                       horizon_months=horizon_months, discount_rate=discount_rate, margin=margin,
                                       active_days=active_days, lapsed_days=lapsed_days)
    has_clv = not models.reason
    n = len(customers)
    revenue = float(customers["monetary"].sum())
    seg_name = (lambda s: segmentation.RFM_SEGMENTS.set_index("segment")["segment_zh"].get(s, s)) if tr.zh else str
    res = ReportResult(title=tr("Customer value", "客户价值分析"), lang=lang, currency=currency)

    # ---- RFM segments, with each segment's recency range in days
    monetary = customers["monetary"].to_numpy()

    def _by(col, value):   # tier_summary's input: two columns, not a copy of the whole table
        return segmentation.tier_summary(pd.DataFrame({col: customers[col].array, "value": value}), tier_col=col)

    seg = _by("segment", monetary)
    seg = seg[seg["customers"] > 0].sort_values("value", ascending=False)
    g = customers.groupby("segment", observed=True)
    seg["recency_min"] = g["recency"].min().reindex(seg.index)
    seg["recency_max"] = g["recency"].max().reindex(seg.index)
    if has_clv:
        seg["clv"] = g["clv"].sum().reindex(seg.index)
        seg["mean_p_alive"] = g["p_alive"].mean().reindex(seg.index)
    actions = segmentation.RFM_SEGMENTS.set_index("segment")["action"]
    seg["action"] = [(_ACTIONS_ZH[s] if tr.zh else actions[s]) for s in seg.index]
    seg.index = [seg_name(s) for s in seg.index]
    seg.index.name = "segment"

    tiers = _by("tier", customers["clv"].to_numpy() if has_clv else monetary)
    tiers.index = [segmentation.PYRAMID_TIERS_ZH.get(t, t) if tr.zh else t for t in tiers.index]
    tiers.index.name = "tier"
    abc = _by("abc_class", monetary)
    status = _by("status", monetary)
    status.index = [status_label(s, lang) for s in status.index]
    status.index.name = "status"
    pareto = segmentation.pareto_curve(customers["monetary"])
    if len(pareto) > 201:  # a light curve for the chart and its CSV
        pareto = pareto.iloc[np.unique(np.linspace(0, len(pareto) - 1, 201).round().astype(int))]
    top20 = float(np.interp(0.2, pareto.iloc[:, 0], pareto.iloc[:, 1])) if len(pareto) else float("nan")
    # the customers of the two win-back segments, by spend (the sort DataFrame.sort_values does), as row numbers
    risk_rows = np.flatnonzero(customers["segment"].isin(["Can't lose them", "At risk"]).to_numpy())
    risk_spend = pd.Series(monetary[risk_rows]).sort_values(ascending=False)
    risk_rows = risk_rows[risk_spend.index.to_numpy()]
    one_time = int((customers["frequency"] == 1).sum())
    share = customers["status"].value_counts(normalize=True).reindex(["active", "at risk", "lapsed"]).fillna(0)

    kf = {
        tr("As-of date", "分析截止日"): tr.date(as_of_day),
        tr("Customers / purchases", "客户数 / 购买笔数"): f"{n:,} / {len(data):,}",
        tr("Revenue in the data", "数据中的销售额"): tr.money(revenue),
        tr("Share of revenue from the top 20% of customers", "前 20% 客户贡献的销售额占比"): tr.pct(top20),
        tr("A-class customers (80% of revenue)", "A 类客户（贡献 80% 销售额）"):
            tr(f"{int((customers['abc_class'] == 'A').sum()):,} ({tr.pct((customers['abc_class'] == 'A').mean())} "
               "of customers)", f"{int((customers['abc_class'] == 'A').sum()):,} 位（占客户 "
               f"{tr.pct((customers['abc_class'] == 'A').mean())}）"),
        tr(f"Active / at risk / lapsed (last purchase ≤{active_days} / ≤{lapsed_days} / >{lapsed_days} days ago)",
           f"活跃 / 有流失风险 / 已流失（最近购买在 {active_days} 天内 / {lapsed_days} 天内 / 超过 {lapsed_days} 天）"):
            " / ".join(tr.pct(share[s]) for s in ("active", "at risk", "lapsed")),
        tr("Customers who bought only once", "只购买过一次的客户"): f"{one_time:,} ({tr.pct(one_time / n)})",
        tr("Biggest segment by revenue", "销售额最大的分群"):
            tr(f"{seg.index[0]} ({tr.pct(seg['value_share'].iloc[0])} of revenue)",
               f"{seg.index[0]}（占销售额 {tr.pct(seg['value_share'].iloc[0])}）"),
    }
    if has_clv:
        equity = float(customers["clv"].sum())
        new_value = clv_mod.new_customer_value(models.bgnbd, models.gamma_gamma, horizon=horizon_months,
                                               period_length=_MONTH_WEEKS,
                                               discount_rate=(1 + discount_rate) ** (1 / 12) - 1, margin=margin)
        repeat = customers["p_alive"].notna()
        kf.update({
            tr(f"Customer equity: CLV of the current base, next {horizon_months} months",
               f"客户资产：现有客户未来 {horizon_months} 个月的 CLV 合计"): tr.money(equity),
            tr("Mean CLV per current customer", "现有客户平均 CLV"): tr.money(equity / n),
            tr("CLV of a typical new customer", "一位新客户的 CLV"): tr.money(new_value),
            tr("Repeat customers probably still buying (P(alive) > 0.5)", "仍可能购买的回头客（仍活跃概率 > 0.5）"):
                tr(f"{tr.pct((customers.loc[repeat, 'p_alive'] > 0.5).mean())} of {int(repeat.sum()):,} repeat "
                   "customers", f"{int(repeat.sum()):,} 位回头客中的 "
                   f"{tr.pct((customers.loc[repeat, 'p_alive'] > 0.5).mean())}"),
        })
    else:
        res.not_estimable[tr("Customer lifetime value (CLV), customer equity and P(alive)",
                             "客户终身价值（CLV）、客户资产与仍活跃概率")] = models.reason
    res.key_figures = kf
    res.figure("customers", "Customers", "客户数", n)
    res.figure("revenue", "Revenue", "销售额", revenue, "money")
    res.figure("top20", "Top 20% share of revenue", "前 20% 客户销售额占比", top20, "pct")
    res.figure("active", "Active", "活跃", share["active"], "pct")
    res.figure("lapsed", "Lapsed", "已流失", share["lapsed"], "pct")
    res.figure("one_time", "Bought once", "只买过一次", one_time / n, "pct")
    res.figure("equity", "Customer equity", "客户资产", float(customers["clv"].sum()) if has_clv else None, "money")
    res.figure("new_clv", "CLV of a new customer", "新客户 CLV", new_value if has_clv else None, "money")

    vip = tiers[tiers["customers"] > 0].iloc[0]
    res.actions = [
        tr(f"Protect the top tier: {int(vip['customers']):,} {vip.name} customers hold {tr.pct(vip['value_share'])} of "
           + ("expected future value" if has_clv else "revenue")
           + "; give them named contacts and early access (list: 'top customers').",
           f"守住顶层客户：{int(vip['customers']):,} 位{vip.name}占"
           + ("预期未来价值" if has_clv else "销售额") + f"的 {tr.pct(vip['value_share'])}；"
           "为他们指定专属联系人并提供优先权益（名单见“top customers”）。"),
        (tr(f"Win back {len(risk_rows):,} 'At risk' / 'Can't lose them' customers who spent "
            f"{tr.money(risk_spend.sum())} ({tr.pct(risk_spend.sum() / revenue)} of revenue) "
            "but have gone quiet: personal calls first, offers second (list: 'win-back list').",
            f"挽回 {len(risk_rows):,} 位“有流失风险客户 / 不能失去的客户”：他们共消费 "
            f"{tr.money(risk_spend.sum())}（占销售额 {tr.pct(risk_spend.sum() / revenue)}），"
            "但已沉默：先电话联系，再给优惠（名单见“win-back list”）。")
         if len(risk_rows) else tr("No valuable customers have gone quiet ('At risk' / 'Can't lose them' are empty).",
                                 "没有高价值客户沉默（“有流失风险客户”与“不能失去的客户”为空）。")),
        tr(f"Turn first-time buyers into repeat buyers: {tr.count(one_time, 'customer', 'customers')} bought only once; a second-purchase "
           "offer within weeks of the first is the cheapest growth lever.",
           f"把首购客户变成回头客：{one_time:,} 位客户只买过一次；首购后几周内的二次购买优惠是最便宜的增长手段。"),
    ]
    if has_clv:
        res.actions.append(tr(
            f"Spend less on acquiring a customer than a new customer is worth: {tr.money(new_value)} over "
            f"{horizon_months} months at {tr.pct(margin, 0)} margin (first purchase included; the mean of the "
            f"current, partly dormant base is {tr.money(equity / n)}). Per-segment actions are in the "
            "'rfm segments' table.",
            f"获客成本应低于一位新客户的价值：{horizon_months} 个月内 {tr.money(new_value)}（毛利率 "
            f"{tr.pct(margin, 0)}，含首单；现有客户多有沉睡，其平均 CLV 为 {tr.money(equity / n)}）。"
            "各分群的建议见“rfm segments”表。"))

    base = tr.n_base(n)

    def _seg_chart(ax):
        s = seg.iloc[::-1]
        y = np.arange(len(s))
        ax.barh(y - 0.2, s["customer_share"], height=0.4, label=tr("share of customers", "客户占比"))
        ax.barh(y + 0.2, s["value_share"], height=0.4, label=tr("share of revenue", "销售额占比"))
        ax.set_yticks(y, [f"{name} ({d0}–{d1} {tr('d', '天')})" for name, d0, d1 in
                          zip(s.index, s["recency_min"], s["recency_max"])])
        ax.xaxis.set_major_formatter(percent_axis())
        ax.set_xlabel(tr("Share (days since last purchase in brackets)", "占比（括号内为距上次购买天数）"))
        ax.legend(loc="lower right", fontsize="small")

    def _tier_chart(ax):
        ax.bar(tiers.index.astype(str), tiers["value_share"], color="tab:green")
        for i, (c, v) in enumerate(zip(tiers["customer_share"], tiers["value_share"])):
            ax.text(i, v, tr(f"{tr.pct(c, 0)} of customers", f"占客户 {tr.pct(c, 0)}"), ha="center", va="bottom",
                    fontsize="small")
        ax.yaxis.set_major_formatter(percent_axis())
        ax.set_xlabel(tr("Tier (ranked by CLV)", "层级（按 CLV 排序）") if has_clv
                      else tr("Tier (ranked by revenue: CLV not estimable)", "层级（按销售额排序：CLV 无法估计）"))
        ax.set_ylabel(tr("Share of customer equity", "客户资产占比") if has_clv else tr("Share of revenue", "销售额占比"))

    def _pareto_chart(ax):
        ax.plot(pareto.iloc[:, 0], pareto.iloc[:, 1])
        ax.plot([0, 1], [0, 1], ls=":", color="grey")
        ax.axvline(0.2, ls="--", color="grey", lw=0.8)
        ax.xaxis.set_major_formatter(percent_axis())
        ax.yaxis.set_major_formatter(percent_axis())
        ax.set_xlabel(tr("Share of customers (largest first)", "客户占比（从大到小）"))
        ax.set_ylabel(tr("Share of revenue", "销售额占比"))

    def _status_chart(ax):
        x = np.arange(len(status))
        ax.bar(x - 0.2, status["customer_share"], width=0.4, label=tr("share of customers", "客户占比"))
        ax.bar(x + 0.2, status["value_share"], width=0.4, label=tr("share of revenue", "销售额占比"))
        ax.set_xticks(x, status.index.astype(str))
        ax.yaxis.set_major_formatter(percent_axis())
        ax.legend(fontsize="small")

    res.charts = [
        Chart(tr("Customers and revenue by RFM segment", "各 RFM 分群的客户与销售额"), _seg_chart,
              table="rfm segments", size=(8, 5), base=base),
        Chart(tr("Customer pyramid", "客户金字塔"), _tier_chart, table="pyramid", base=base),
        Chart(tr("Customers by status", "客户状态分布"), _status_chart, table="status", key=False, base=base),
        Chart(tr("Pareto curve of revenue", "销售额帕累托曲线"), _pareto_chart, table="pareto curve", key=False,
              size=(6, 4.5), base=base),
    ]
    if has_clv:
        def _clv_hist(ax):
            v = customers["clv"].clip(upper=customers["clv"].quantile(0.99))
            ax.hist(v, bins=40)
            ax.set_xlabel(tr(f"CLV, next {horizon_months} months (top 1% clipped)",
                             f"未来 {horizon_months} 个月 CLV（截去最高 1%）"))
            ax.set_ylabel(tr("Customers", "客户数"))

        res.charts.append(Chart(tr("Distribution of customer lifetime value", "客户终身价值分布"), _clv_hist,
                                table="customers", key=False, base=base))

    cols = ["recency", "frequency", "monetary", "r_score", "f_score", "m_score", "segment", "rfm_class",
            "status", "abc_class", "tier"]
    if has_clv:
        cols += ["p_alive", "expected_purchases", "expected_spend", "clv"]
    rounded = {"p_alive": 4, "expected_purchases": 3, "expected_spend": 2, "clv": 2, "monetary": 2}
    columns = {c: customers[c].round(rounded[c]) if c in rounded else customers[c] for c in cols}
    if tr.zh:
        columns["segment"] = customers["segment_zh"]
        columns["rfm_class"] = customers["rfm_class_zh"]
        columns["status"] = _relabel(customers["status"], lambda s: status_label(s, lang))
        columns["tier"] = _relabel(customers["tier"], lambda t: segmentation.PYRAMID_TIERS_ZH.get(t, t))
    # built once, with its id column (Series and an Index: no type inference over millions of text cells)
    per_customer = pd.DataFrame(columns, index=customers.index, copy=False)
    per_customer.index = pd.RangeIndex(len(per_customer))
    per_customer.insert(0, "customer_id", customers.index)
    sort_col = "clv" if has_clv else "monetary"
    top = _top_rows(per_customer[sort_col], top_n)
    res.tables = {
        "rfm segments": seg.reset_index().round(4),
        "status": status.reset_index().round(4),
        "pyramid": tiers.reset_index().round(4),
        "abc classes": abc.reset_index().round(4),
        "top customers": per_customer.iloc[top],
        "win-back list": per_customer.iloc[risk_rows[:max(top_n, 100)]].reset_index(drop=True),
        "pareto curve": pareto.round(5),
        "customers": per_customer,
    }
    if has_clv:
        params = pd.concat({"bgnbd": models.bgnbd.params_, "gamma_gamma": models.gamma_gamma.params_})
        params = params.rename("estimate").reset_index()
        params.columns = ["model", "parameter", "estimate"]
        res.tables["model parameters"] = params.round(5)
    res.formats = {"pareto curve": {c: "pct" for c in pareto.columns}, "model parameters": {"estimate": "number"}}
    res.table_titles = {k: v for k, v in {
        "rfm segments": tr("RFM segments", "RFM 分群"), "status": tr("Customer status", "客户状态"),
        "pyramid": tr("Customer pyramid", "客户金字塔"), "abc classes": tr("ABC classes", "ABC 分类"),
        "top customers": tr("Top customers", "重点客户"), "win-back list": tr("Win-back list", "挽回名单"),
        "pareto curve": tr("Pareto curve", "帕累托曲线"), "customers": tr("All customers", "全部客户"),
        "model parameters": tr("Model parameters", "模型参数")}.items() if k in res.tables}
    r_ranges = ", ".join(f"R{rfm_bins - i}: {lo}–{hi}" for i, (lo, hi) in
                         enumerate(zip([0] + [d + 1 for d in days], days + ["…"])))
    res.notes = [
        tr(f"Data: {len(data):,} purchases of {n:,} customers from {tr.date(data['date'].min())} to "
           f"{tr.date(data['date'].max())}; as-of date {tr.date(as_of_day)}.",
           f"数据：{n:,} 位客户的 {len(data):,} 笔购买，{tr.date(data['date'].min())} 至 "
           f"{tr.date(data['date'].max())}；分析截止日 {tr.date(as_of_day)}。"),
        tr(f"RFM: recency = days since the last purchase, frequency = purchase days, monetary = total spend. The R "
           f"score comes from days ({r_ranges} days; --param recency_days), F and M scores 1-{rfm_bins} by rank; "
           "segments from the R x F map. Each segment's range of days since the last purchase is in the "
           "'rfm segments' table.",
           f"RFM：R = 距上次购买天数，F = 购买天数，M = 消费总额。R 分按天数划分（{r_ranges} 天；"
           f"--param recency_days），F 与 M 按排名分为 1-{rfm_bins} 分；分群依据 R × F 矩阵。各分群的"
           "距上次购买天数范围见“rfm segments”表。"),
        tr(f"Status, the same in every report: active = last purchase at most {active_days} days ago, at risk = "
           f"at most {lapsed_days} days, lapsed = longer (--param active_days, lapsed_days).",
           f"客户状态（各报告统一）：活跃 = 最近购买在 {active_days} 天内，有流失风险 = {lapsed_days} 天内，"
           "已流失 = 更久（--param active_days、lapsed_days）。"),
        tr("ABC classes: A = customers holding the first 80% of revenue, B the next 15%, C the rest. Pyramid: VIP 1%, "
           "main 4%, ordinary 15%, small 80% of customers, ranked by " + ("CLV." if has_clv else "revenue."),
           "ABC 分类：A = 贡献前 80% 销售额的客户，B = 其后 15%，C = 其余。客户金字塔：VIP 1%、主要 4%、普通 15%、"
           "小客户 80%，按" + ("CLV 排序。" if has_clv else "销售额排序。")),
    ]
    if has_clv:
        res.notes.append(tr(
            f"CLV: BG/NBD model of repeat purchases and Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee "
            f"2005), {horizon_months} months ahead, {tr.pct(discount_rate, 0)} annual discount rate, "
            f"{tr.pct(margin, 0)} margin; customer equity is the CLV of current customers only. P(alive) is shown "
            "for repeat customers only: the model gives every one-time buyer P(alive) = 1, however long ago the "
            "purchase, so one-time buyers are judged by their status. A new customer's value is the model's "
            "expectation for someone just acquired (crm_lessons.clv.new_customer_value).",
            f"CLV：BG/NBD 复购模型与 Gamma-Gamma 客单价模型（Fader, Hardie & Lee 2005），预测未来 {horizon_months} 个月，"
            f"年折现率 {tr.pct(discount_rate, 0)}，毛利率 {tr.pct(margin, 0)}；客户资产只含现有客户。仍活跃概率只对"
            "回头客给出：模型对只买过一次的客户一律给出 1，无论购买多久以前，因此这些客户按客户状态判断。新客户价值是"
            "模型对刚获得的客户的期望（crm_lessons.clv.new_customer_value）。"))
    return res
