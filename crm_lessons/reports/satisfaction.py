"""Satisfaction-survey report: CSAT, NPS, expectation-experience gaps, IPA and key drivers."""

from __future__ import annotations

import pandas as pd

from crm_lessons import satisfaction as sat
from crm_lessons._validation import CRMInputError
from crm_lessons.reports._charts import percent_axis
from crm_lessons.reports._text import Text
from crm_lessons.reports.results import Chart, ReportResult

__all__ = ["build"]


def _attributes(data: pd.DataFrame, suffix: str) -> list[str]:
    return [c[: -len(suffix)] for c in data.columns if suffix and c.endswith(suffix)]


def build(data: pd.DataFrame, *, as_of=None, lang: str = "en", currency: str = "¥", scale_max: int = 7,
          scale_min: int = 1,
          expectation_suffix: str = "_expectation", experience_suffix: str = "_experience",
          importance_suffix: str = "_importance") -> ReportResult:
    """Compute the satisfaction report from one row per respondent.

    Needs ``overall_satisfaction`` (1..scale_max) and ``recommend`` (0-10);
    attribute items ``<attribute><experience_suffix>`` (and optionally
    expectation and importance items) feed gaps, IPA and driver analysis.
    The driver analysis is marked not estimable, with the reason, when it
    cannot be fitted (too few respondents, ratings that never vary).
    """
    tr = Text(lang, currency=currency)
    scale = (scale_min, scale_max)
    attrs = _attributes(data, experience_suffix)
    if len(attrs) < 2:
        raise CRMInputError(
            f"argument `data`: the satisfaction report needs experience ratings of 2+ attributes, columns named "
            f"'<attribute>{experience_suffix}'; found {len(attrs)} such column(s). Name the items e.g. "
            f"'quality{experience_suffix}', or pass --param experience_suffix=<your suffix>."
        )
    c = sat.csat(data, scale=scale)
    has_nps = "recommend" in data.columns
    p = sat.nps(data) if has_nps else None
    res = ReportResult(title=tr("Customer satisfaction survey", "客户满意度调查"), lang=lang, currency=currency)
    try:
        ipa = sat.importance_performance(data, attributes=attrs, experience_suffix=experience_suffix)
        drivers = sat.DriverAnalysis().fit(data, drivers=[f"{a}{experience_suffix}" for a in attrs])
    except CRMInputError:
        ipa = drivers = None
        res.not_estimable[tr("Importance-performance and drivers of satisfaction", "重要性-表现分析与满意度驱动因素")] = tr(
            f"the {len(data):,} answers do not separate the attributes' effects (too few respondents, or "
            "ratings that never vary). More respondents would make it estimable.",
            f"{len(data):,} 份答卷不足以区分各属性的影响（样本太少或评分没有变化）。增加样本即可估计。")
    has_exp = [a for a in attrs if f"{a}{expectation_suffix}" in data.columns]
    gaps = (sat.gap_table(data, attributes=has_exp, expectation_suffix=expectation_suffix,
                          experience_suffix=experience_suffix) if has_exp else None)
    n = int(c["n"])
    base = tr.n_base(n, "respondent", "respondents", "份答卷")
    res.key_figures = {
        tr("Respondents", "答卷数"): f"{n:,}",
        tr(f"CSAT (top-2 boxes of {scale_min}-{scale_max})", f"满意度 CSAT（{scale_min}-{scale_max} 分中最高两档）"):
            tr(f"{tr.pct(c['csat'])} (95% CI {tr.pct(c['ci_low'])} to {tr.pct(c['ci_high'])})",
               f"{tr.pct(c['csat'])}（95% 置信区间 {tr.pct(c['ci_low'])} 至 {tr.pct(c['ci_high'])}）"),
        tr("Net Promoter Score", "净推荐值 NPS"):
            (tr(f"{p['nps']:.0f} points (95% CI {p['ci_low']:.0f} to {p['ci_high']:.0f}); promoters "
                f"{tr.pct(p['promoters'], 0)}, detractors {tr.pct(p['detractors'], 0)}",
                f"{p['nps']:.0f} 分（95% 置信区间 {p['ci_low']:.0f} 至 {p['ci_high']:.0f}）；推荐者 "
                f"{tr.pct(p['promoters'], 0)}，贬损者 {tr.pct(p['detractors'], 0)}")
             if has_nps else tr("not asked (no recommendation column)", "未调查（没有推荐意愿列）")),
    }
    res.figure("respondents", "Respondents", "答卷数", n)
    res.figure("csat", "CSAT", "满意度 CSAT", c["csat"], "pct")
    res.figure("nps", "NPS (points)", "NPS（分）", p["nps"] if has_nps else None)
    res.actions = []
    res.charts = []
    res.tables = {}
    # both on a 0-100 scale: CSAT in percent, NPS in points
    score_rows = [{"measure": "csat", "value": 100 * c["csat"], "ci_low": 100 * c["ci_low"],
                   "ci_high": 100 * c["ci_high"], "n": c["n"]}]
    if has_nps:
        score_rows.append({"measure": "nps", "value": p["nps"], "ci_low": p["ci_low"], "ci_high": p["ci_high"],
                           "n": p["n"]})
    res.tables["scores"] = pd.DataFrame(score_rows).round(4)
    if drivers is not None:
        drv = drivers.summary_.copy()
        drv.index = [i[: -len(experience_suffix)] if str(i).endswith(experience_suffix) else i for i in drv.index]
        drv.index.name = "attribute"
        fix = ipa[ipa["quadrant"] == "Concentrate here"].sort_values("importance", ascending=False)
        overkill = ipa[ipa["quadrant"] == "Possible overkill"]
        share_col = "lmg_share" if "lmg_share" in drv.columns and drv["lmg_share"].notna().all() else "std_coef"
        top_driver = drv[share_col].idxmax()
        res.key_figures.update({
            tr("Strongest driver of overall satisfaction", "对总体满意度影响最大的因素"):
                (tr(f"{top_driver} ({tr.pct(drv.loc[top_driver, share_col], 0)} of explained variance)",
                    f"{top_driver}（占可解释方差的 {tr.pct(drv.loc[top_driver, share_col], 0)}）")
                 if share_col == "lmg_share" else str(top_driver)),
            tr("Attributes to fix first (important, weak)", "应优先改进的属性（重要但表现弱）"):
                ", ".join(map(str, fix.index)) or tr("none", "无"),
            tr("Drivers explain", "驱动因素可解释"): tr(f"{tr.pct(drivers.r2_, 0)} of the variance of overall satisfaction",
                                                   f"总体满意度方差的 {tr.pct(drivers.r2_, 0)}"),
        })
        res.actions = [
            (tr(f"Concentrate on {', '.join(map(str, fix.index))}: customers weigh them heavily and rate them below "
                "average (importance-performance chart, upper left).",
                f"集中改进{'、'.join(map(str, fix.index))}：客户很看重，但评分低于平均（重要性-表现图左上）。")
             if len(fix) else tr("No attribute is both important and weak: keep up the good work on the important ones.",
                                 "没有既重要又表现弱的属性：继续保持重要属性上的表现。")),
            tr(f"Improve {top_driver} first if budgets are tight: it explains the largest share of overall satisfaction.",
               f"预算有限时先改进{top_driver}：它对总体满意度的解释力最大。"),
            (tr(f"Consider moving resources away from {', '.join(map(str, overkill.index))}: rated well but matter little.",
                f"考虑把资源从{'、'.join(map(str, overkill.index))}移走：评分高但影响小。")
             if len(overkill) else tr("No attribute looks over-served.", "没有属性显得投入过度。")),
        ]

        def _ipa(ax):
            sat.plot_importance_performance(ipa, ax=ax)
            ax.set_title("")
            if tr.zh and "quadrant_zh" in ipa:
                names = dict(zip(ipa["quadrant"], ipa["quadrant_zh"]))
                for t in ax.get_legend().get_texts():
                    t.set_text(names.get(t.get_text(), t.get_text()))
            ax.set_xlabel(tr("Performance (mean rating)", "表现（平均评分）"))
            ax.set_ylabel(tr("Importance (correlation with overall satisfaction)", "重要性（与总体满意度的相关）"))

        def _drivers(ax):
            d = drv[share_col].sort_values()
            ax.barh([str(i) for i in d.index], d.to_numpy(), color="tab:purple")
            if share_col == "lmg_share":
                ax.xaxis.set_major_formatter(percent_axis())
            ax.set_xlabel(tr("Share of explained variance (LMG)", "可解释方差占比（LMG）") if share_col == "lmg_share"
                          else tr("Standardised coefficient", "标准化系数"))

        res.charts += [
            Chart(tr("Importance-performance analysis", "重要性-表现分析"), _ipa, table="importance performance",
                  size=(7, 5.2), base=base),
            Chart(tr("Drivers of overall satisfaction", "总体满意度的驱动因素"), _drivers, table="drivers", base=base),
        ]
        shown_ipa = ipa.copy()
        if tr.zh and "quadrant_zh" in shown_ipa:
            shown_ipa["quadrant"] = shown_ipa["quadrant_zh"]
        res.tables["importance performance"] = shown_ipa.drop(columns=["quadrant_zh"], errors="ignore").reset_index().round(4)
        res.tables["drivers"] = drv.reset_index().round(4)
    if gaps is not None:
        worst = gaps["gap"].idxmin()
        res.key_figures[tr("Largest shortfall vs expectation", "与期望差距最大的属性")] = tr(
            f"{worst} ({gaps.loc[worst, 'gap']:+.2f} points)", f"{worst}（{gaps.loc[worst, 'gap']:+.2f} 分）")

        def _gaps(ax):
            g = gaps.sort_values("gap")
            ax.barh([str(i) for i in g.index], g["gap"], xerr=[g["gap"] - g["ci_low"], g["ci_high"] - g["gap"]]
                    if {"ci_low", "ci_high"} <= set(g.columns) else None, color="tab:orange")
            ax.axvline(0, color="grey", lw=0.8)
            ax.set_xlabel(tr("Experience - expectation (points)", "体验 - 期望（分）"))

        res.charts.append(Chart(tr("Expectation-experience gap by attribute", "各属性的期望-体验差距"), _gaps,
                                table="gaps", key=False, base=base))
        res.tables["gaps"] = gaps.reset_index().round(4)
    res.actions.append(
        tr(f"Call back the {tr.pct(p['detractors'], 0)} detractors (0-6 on recommendation) within a week: "
           "a recovered complaint often turns into loyalty.",
           f"一周内回访 {tr.pct(p['detractors'], 0)} 的贬损者（推荐意愿 0-6 分）：妥善处理的投诉常能换来忠诚。")
        if has_nps else
        tr("Add the question 'How likely are you to recommend us (0-10)?' to the next survey to track NPS.",
           "在下次调查中加入“您向他人推荐我们的可能性有多大（0-10）？”以跟踪 NPS。"))
    if "segment" in data.columns:
        rows = []
        for name, part in data.groupby("segment", sort=True):
            if len(part) >= 10:
                rows.append({"segment": name, "respondents": len(part),
                             "csat": float(sat.csat(part, scale=scale)["csat"]),
                             "nps": float(sat.nps(part)["nps"]) if has_nps else float("nan")})
        if rows:
            res.tables["by segment"] = pd.DataFrame(rows).round(4)
    res.formats = {"scores": {"value": "number", "ci_low": "number", "ci_high": "number", "n": "int"},
                   "by segment": {"nps": "number"}}
    res.headers = {"scores": {"value": tr("Score (0-100: CSAT in %, NPS in points)", "得分（0-100：CSAT 为 %，NPS 为分）")}}
    res.table_titles = {"scores": tr("CSAT and NPS", "CSAT 与 NPS"),
                        "importance performance": tr("Importance and performance", "重要性与表现"),
                        "drivers": tr("Drivers", "驱动因素"), "gaps": tr("Gaps to expectation", "与期望的差距"),
                        "by segment": tr("By segment", "按客群")}
    res.notes = [
        tr(f"Data: {len(data):,} respondents; attributes {', '.join(attrs)} (columns '<attribute>{experience_suffix}').",
           f"数据：{len(data):,} 份答卷；属性 {'、'.join(attrs)}（列名“<属性>{experience_suffix}”）。"),
        tr(f"CSAT = share answering {scale_max - 1} or {scale_max} on overall satisfaction (Wilson interval); "
           "NPS = % promoters (9-10) - % detractors (0-6) on likelihood to recommend (Wald interval); in the tables "
           "CSAT is in percent and NPS in points, both on a 0-100 scale.",
           f"CSAT = 总体满意度答 {scale_max - 1} 或 {scale_max} 分的比例（Wilson 区间）；NPS = 推荐者（9-10 分）比例 - "
           "贬损者（0-6 分）比例（Wald 区间）；表中 CSAT 以百分数、NPS 以分数表示，均为 0-100。"),
        tr("Importance is derived: the correlation of each attribute's rating with overall satisfaction; the "
           "quadrant lines cross at the means (Martilla & James 1977). Drivers: least-squares regression of "
           "overall satisfaction on the attribute ratings, R² split among them by LMG (crm_lessons.satisfaction).",
           "重要性为推导值：各属性评分与总体满意度的相关系数；象限线交于均值（Martilla & James 1977）。驱动因素："
           "总体满意度对各属性评分的最小二乘回归，R² 按 LMG 分解（crm_lessons.satisfaction）。"),
    ]
    return res
