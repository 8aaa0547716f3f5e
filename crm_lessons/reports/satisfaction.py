"""Satisfaction-survey report: CSAT, NPS, expectation-experience gaps, IPA and key drivers."""

from __future__ import annotations

import pandas as pd

from crm_lessons import satisfaction as sat
from crm_lessons._validation import CRMInputError
from crm_lessons.reports.results import Chart, ReportResult, fmt_pct

__all__ = ["build"]


def _attributes(data: pd.DataFrame, suffix: str) -> list[str]:
    return [c[: -len(suffix)] for c in data.columns if suffix and c.endswith(suffix)]


def build(data: pd.DataFrame, *, as_of=None, scale_max: int = 7, expectation_suffix: str = "_expectation",
          experience_suffix: str = "_experience", importance_suffix: str = "_importance") -> ReportResult:
    """Compute the satisfaction report from one row per respondent.

    Needs ``overall_satisfaction`` (1..scale_max) and ``recommend`` (0-10);
    attribute items ``<attribute><experience_suffix>`` (and optionally
    expectation and importance items) feed gaps, IPA and driver analysis.
    """
    scale = (1, scale_max)
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
    ipa = sat.importance_performance(data, attributes=attrs, experience_suffix=experience_suffix)
    drivers = sat.DriverAnalysis().fit(data, drivers=[f"{a}{experience_suffix}" for a in attrs])
    drv = drivers.summary_.copy()
    drv.index = [i[: -len(experience_suffix)] if str(i).endswith(experience_suffix) else i for i in drv.index]
    drv.index.name = "attribute"
    has_exp = [a for a in attrs if f"{a}{expectation_suffix}" in data.columns]
    gaps = (sat.gap_table(data, attributes=has_exp, expectation_suffix=expectation_suffix,
                          experience_suffix=experience_suffix) if has_exp else None)
    fix = ipa[ipa["quadrant"] == "Concentrate here"].sort_values("importance", ascending=False)
    overkill = ipa[ipa["quadrant"] == "Possible overkill"]
    share_col = "lmg_share" if "lmg_share" in drv.columns and drv["lmg_share"].notna().all() else "std_coef"
    top_driver = drv[share_col].idxmax()

    seg_table = None
    if "segment" in data.columns:
        rows = []
        for name, part in data.groupby("segment", sort=True):
            if len(part) >= 10:
                rows.append({"segment": name, "respondents": len(part),
                             "csat": float(sat.csat(part, scale=scale)["csat"]),
                             "nps": float(sat.nps(part)["nps"]) if has_nps else float("nan")})
        seg_table = pd.DataFrame(rows) if rows else None

    res = ReportResult(title="Customer satisfaction survey")
    res.key_figures = {
        "Respondents": f"{int(c['n']):,}",
        f"CSAT (top-2 boxes of 1-{scale_max})": f"{fmt_pct(c['csat'])} (95% CI {fmt_pct(c['ci_low'])} to "
                                                f"{fmt_pct(c['ci_high'])})",
        "Net Promoter Score": (f"{p['nps']:.0f} points (95% CI {p['ci_low']:.0f} to {p['ci_high']:.0f}); "
                               f"promoters {fmt_pct(p['promoters'], 0)}, detractors {fmt_pct(p['detractors'], 0)}"
                               if has_nps else "not asked (no recommendation column)"),
        "Strongest driver of overall satisfaction": f"{top_driver} ({fmt_pct(drv.loc[top_driver, share_col], 0)} "
                                                    "of explained variance)" if share_col == "lmg_share" else top_driver,
        "Attributes to fix first (important, weak)": ", ".join(fix.index) or "none",
        "Drivers explain": f"{fmt_pct(drivers.r2_, 0)} of the variance of overall satisfaction",
    }
    if gaps is not None:
        worst = gaps["gap"].idxmin()
        res.key_figures["Largest shortfall vs expectation"] = f"{worst} ({gaps.loc[worst, 'gap']:+.2f} points)"
    res.actions = [
        (f"Concentrate on {', '.join(fix.index)}: customers weigh them heavily and rate them below average "
         "(importance-performance chart, upper left)." if len(fix) else
         "No attribute is both important and weak: keep up the good work on the important ones."),
        f"Improve {top_driver} first if budgets are tight: it explains the largest share of overall satisfaction.",
        (f"Consider moving resources away from {', '.join(overkill.index)}: rated well but matter little."
         if len(overkill) else "No attribute looks over-served."),
        (f"Call back the {fmt_pct(p['detractors'], 0)} detractors (0-6 on recommendation) within a week: "
         "a recovered complaint often turns into loyalty." if has_nps else
         "Add the question 'How likely are you to recommend us (0-10)?' to the next survey to track NPS."),
    ]

    def _ipa(ax):
        sat.plot_importance_performance(ipa, ax=ax)

    def _drivers(ax):
        d = drv[share_col].sort_values()
        ax.barh(d.index, d.to_numpy(), color="tab:purple")
        ax.set_xlabel("Share of explained variance (LMG)" if share_col == "lmg_share" else "Standardised coefficient")

    def _gaps(ax):
        g = gaps.sort_values("gap")
        ax.barh(g.index, g["gap"], xerr=[g["gap"] - g["ci_low"], g["ci_high"] - g["gap"]]
                if {"ci_low", "ci_high"} <= set(g.columns) else None, color="tab:orange")
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_xlabel("Experience - expectation (points)")

    res.charts = [
        Chart("Importance-performance analysis", _ipa, table="importance performance", size=(6.5, 5)),
        Chart("Drivers of overall satisfaction", _drivers, table="drivers"),
    ]
    if gaps is not None:
        res.charts.append(Chart("Expectation-experience gap by attribute", _gaps, table="gaps", key=False))
    score_rows = [{"measure": "csat", "value": c["csat"], "ci_low": c["ci_low"], "ci_high": c["ci_high"],
                   "n": c["n"]}]
    if has_nps:
        score_rows.append({"measure": "nps", "value": p["nps"], "ci_low": p["ci_low"], "ci_high": p["ci_high"],
                           "n": p["n"]})
    res.tables = {
        "scores": pd.DataFrame(score_rows).round(4),
        "importance performance": ipa.reset_index().round(4),
        "drivers": drv.reset_index().round(4),
    }
    if gaps is not None:
        res.tables["gaps"] = gaps.reset_index().round(4)
    if seg_table is not None:
        res.tables["by segment"] = seg_table.round(4)
    res.notes = [
        f"Data: {len(data):,} respondents; attributes {', '.join(attrs)} (columns '<attribute>{experience_suffix}').",
        f"CSAT = share answering {scale_max - 1} or {scale_max} on overall satisfaction (Wilson interval); "
        "NPS = % promoters (9-10) - % detractors (0-6) on likelihood to recommend (Wald interval).",
        "Importance is derived: the correlation of each attribute's rating with overall satisfaction; the "
        "quadrant lines cross at the means (Martilla & James 1977). Drivers: least-squares regression of "
        "overall satisfaction on the attribute ratings, R² split among them by LMG (crm_lessons.satisfaction).",
    ]
    return res
