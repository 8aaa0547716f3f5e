"""The reports shipped with crm_lessons, declared in one table: :data:`REPORTS`.

Adding a report is one module (``crm_lessons/reports/<name>.py`` with its ``build`` function) plus
one :class:`~crm_lessons.reports._registry.Report` entry in the tuple below.

>>> sorted(REPORTS)
['customer-value', 'retention-churn', 'satisfaction', 'staffing']
>>> get_report("customer-value").name
'customer-value'
"""

from __future__ import annotations

from crm_lessons._validation import CRMInputError
from crm_lessons.reports._registry import Column, Param, Report
from crm_lessons.reports._status import STATUS_PARAMS

__all__ = ["REPORTS", "get_report"]

_TX_COLUMNS = (
    Column("customer", "customer_id", "id", "customer identifier"),
    Column("date", "date", "date", "date of the purchase (YYYY-MM-DD)"),
    Column("amount", "amount", "amount", "value of the purchase (> 0)", max_value=1e7),
)

_SHIPPED = (
Report(
    name="customer-value",
    title="Customer value",
    title_zh="客户价值分析",
    description="RFM scores and segments, ABC (Pareto) classes, the customer pyramid, "
                "probabilistic CLV (BG/NBD + Gamma-Gamma) and customer equity.",
    module="crm_lessons.reports.customer_value",
    columns=_TX_COLUMNS,
    id_codes=True,
    params=(
        Param("rfm_bins", int, 5, "number of score classes for recency, frequency and monetary value",
              min_value=2, max_value=9),
        Param("recency_days", str, "30,90,180,365", "R score by days since the last purchase: rfm_bins - 1 "
              "increasing day limits (at most 30 days: R=5, ... over 365 days: R=1)"),
        Param("horizon_months", int, 12, "CLV horizon in months", min_value=1, max_value=120),
        Param("discount_rate", float, 0.10, "annual discount rate for CLV", min_value=0.0, max_value=1.0),
        Param("margin", float, 0.30, "gross margin on revenue (CLV is profit = margin x revenue)",
              min_value=0.0, max_value=1.0),
        Param("top_n", int, 50, "length of the top-customer list", min_value=1, max_value=100000),
        *STATUS_PARAMS,
    ),
    helpers=("crm_lessons.segmentation", "crm_lessons.customer_summary", "crm_lessons.purchase_models",
             "crm_lessons.spend_model"),
),

Report(
    name="retention-churn",
    title="Retention and churn",
    title_zh="客户保持与流失分析",
    description="Monthly acquisition cohorts and their retention, the active / at-risk / lapsed base, "
                "and a churn-risk list of valuable customers going quiet.",
    module="crm_lessons.reports.retention_churn",
    columns=_TX_COLUMNS,
    params=(
        Param("period", str, "M", "cohort period: M (month), Q (quarter) or W (week)", choices=("M", "Q", "W")),
        *STATUS_PARAMS,
        Param("top_n", int, 100, "length of the churn-risk list", min_value=1, max_value=100000),
        Param("max_cohorts", int, 12, "cohorts drawn in the retention chart", min_value=1, max_value=60),
        Param("risk_threshold", float, 0.5, "P(churned) from which a customer goes on the churn-risk list",
              min_value=0.0, max_value=1.0),
    ),
    helpers=("crm_lessons.retention", "crm_lessons.churn", "crm_lessons.customer_summary",
             "crm_lessons.purchase_models"),
),

Report(
    name="satisfaction",
    title="Customer satisfaction survey",
    title_zh="客户满意度调查",
    description="CSAT and NPS with confidence intervals, expectation-experience gaps per attribute, "
                "importance-performance analysis and the drivers of overall satisfaction.",
    module="crm_lessons.reports.satisfaction",
    columns=(
        Column("respondent", "customer_id", "id", "respondent or customer identifier"),
        Column("satisfaction", "overall_satisfaction", "score", "overall satisfaction (1..scale_max)",
               min_value=1, max_value="param"),
        Column("recommend", "recommend", "score", "likelihood to recommend, 0-10 (for NPS)",
               required=False, min_value=0, max_value=10),
        Column("segment", "segment", "category", "segment of the respondent (optional)", required=False),
    ),
    params=(
        Param("scale_max", int, 7, "top of the rating scale (5, 7, 10 ...)", min_value=3, max_value=10),
        Param("scale_min", int, 1, "bottom of the rating scale: 1, or 0 for a 0-10 scale", choices=(0, 1)),
        Param("expectation_suffix", str, "_expectation", "suffix of expectation items (<attribute><suffix>)"),
        Param("experience_suffix", str, "_experience", "suffix of experience items"),
        Param("importance_suffix", str, "_importance", "suffix of stated-importance items"),
    ),
    date_role=None,
    helpers=("crm_lessons.satisfaction",),
    score_suffix_params=("expectation_suffix", "experience_suffix", "importance_suffix"),
    scale_param="scale_max",
    table="survey",
),

Report(
    name="staffing",
    title="Contact-centre staffing",
    title_zh="呼叫中心排班",
    description="Calls forecast by weekday and time of day from recent weeks, and the agents and rostered "
                "staff Erlang C needs for a service-level target.",
    module="crm_lessons.reports.staffing",
    columns=(
        Column("time", "time", "date", "start of the interval (date and time)"),
        Column("calls", "calls", "count", "calls arriving in the interval", max_value=1e6),
    ),
    params=(
        Param("aht_seconds", float, 300.0, "average handle time in seconds (talk + hold + wrap-up)",
              min_value=1, max_value=36000),
        Param("target_sl", float, 0.8, "service-level target: share answered within answer_seconds",
              min_value=0.01, max_value=0.999),
        Param("answer_seconds", float, 20.0, "answer-time target in seconds", min_value=0, max_value=3600),
        Param("shrinkage", float, 0.3, "share of paid time not on the phones", min_value=0.0, max_value=0.9),
        Param("max_occupancy", float, 0.85, "highest acceptable agent occupancy", min_value=0.1, max_value=1.0),
        Param("interval_minutes", int, 30, "planning interval in minutes", min_value=1, max_value=1440),
        Param("weeks", int, 8, "recent weeks averaged for the forecast", min_value=1, max_value=104),
    ),
    date_role="time",
    helpers=("crm_lessons.callcenter",),
    table="calls",
),
)

#: The reports by name.
REPORTS: dict[str, Report] = {r.name: r for r in _SHIPPED}


def get_report(name: str) -> Report:
    """The report called ``name``, or a clear error listing the reports."""
    if name not in REPORTS:
        raise CRMInputError(
            f"argument `NAME`: unknown report; found {name!r}. "
            f"Choose one of {sorted(REPORTS)} (crm-lessons report --list)."
        )
    return REPORTS[name]
