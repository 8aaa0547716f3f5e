"""The words and number formats of a report, in English or Chinese (报告语言).

Every sentence of a report is written in both languages side by side,
``tr("Customers", "客户数")``, so a translation cannot drift from its
sentence. Numbers are formatted for people: thousands separators,
percentages, the currency sign, dates without times.

Examples
--------
>>> tr = Text("zh")
>>> tr("Customers", "客户数"), tr.money(1234.5), tr.pct(0.1804), tr.number(2882.0)
('客户数', '¥1,234.50', '18.0%', '2,882')
>>> Text("en").money(1234567.0), Text("en").count(1, "customer", "customers")
('¥1,234,567', '1 customer')
"""

from __future__ import annotations

import math

import pandas as pd

from crm_lessons._validation import CRMInputError

__all__ = ["LANGS", "Text", "column_label"]

#: Report languages: English and Chinese.
LANGS = ("en", "zh")


class Text:
    """Pick the sentence of the report's language and format numbers (``lang`` is ``"en"`` or ``"zh"``)."""

    def __init__(self, lang: str = "en", *, currency: str = "¥"):
        if lang not in LANGS:
            raise CRMInputError(f"argument `--lang`: must be one of {list(LANGS)}; found {lang!r}. "
                                "Pass --lang zh for Chinese or --lang en for English.")
        self.lang = lang
        self.currency = currency

    def __call__(self, en: str, zh: str) -> str:
        return zh if self.lang == "zh" else en

    @property
    def zh(self) -> bool:
        return self.lang == "zh"

    def number(self, x, digits: int = 3) -> str:
        """Thousands separators; about ``digits`` significant digits below 1,000; whole numbers without decimals."""
        x = float(x)
        if not math.isfinite(x):
            return "—"
        if abs(x) >= 10 ** (digits - 1) or x == int(x):
            return f"{x:,.0f}"
        return f"{x:,.{digits}g}"

    def money(self, x) -> str:
        """Currency sign, thousands separators; cents below 10,000."""
        x = float(x)
        if not math.isfinite(x):
            return "—"
        sign = "-" if x < 0 else ""
        return f"{sign}{self.currency}{abs(x):,.0f}" if abs(x) >= 10_000 else f"{sign}{self.currency}{abs(x):,.2f}"

    def pct(self, x, digits: int = 1) -> str:
        """A share as a percentage (0.18 -> 18.0%)."""
        x = float(x)
        return "—" if not math.isfinite(x) else f"{100 * x:.{digits}f}%"

    def date(self, d) -> str:
        """A day as YYYY-MM-DD (never a time of 00:00:00)."""
        return "—" if d is None or pd.isna(d) else str(pd.Timestamp(d).date())

    def count(self, n, one: str, many: str, zh_unit: str = "") -> str:
        """``n`` with its noun: 1 customer, 2 customers; 2 位 in Chinese when ``zh_unit`` is given."""
        n = int(n)
        if self.zh:
            return f"{n:,}{zh_unit}{many}" if zh_unit else f"{n:,}"
        return f"{n:,} {one if n == 1 else many}"

    def n_base(self, n, one: str = "customer", many: str = "customers", zh: str = "位客户") -> str:
        """The base of a chart: ``n = 1,234 customers`` / ``n = 1,234 位客户``."""
        return f"n = {int(n):,} {zh}" if self.zh else f"n = {int(n):,} {one if int(n) == 1 else many}"


#: Readable column headers (English, Chinese) of the report tables.
_COLUMNS = {
    "customer_id": ("Customer", "客户编号"),
    "recency": ("Days since last purchase", "距上次购买天数"),
    "frequency": ("Purchase days", "购买天数"),
    "monetary": ("Revenue", "消费金额"),
    "r_score": ("R", "R"), "f_score": ("F", "F"), "m_score": ("M", "M"),
    "segment": ("RFM segment", "RFM 分群"),
    "segment_zh": ("RFM segment", "RFM 分群"),
    "rfm_class": ("RFM class", "RFM 客户类别"),
    "rfm_class_zh": ("RFM class", "RFM 客户类别"),
    "abc_class": ("ABC class", "ABC 类"),
    "tier": ("Pyramid tier", "金字塔层级"),
    "status": ("Status", "客户状态"),
    "p_alive": ("P(still a customer)", "仍活跃概率"),
    "churn_probability": ("P(churned)", "流失概率"),
    "expected_purchases": ("Expected purchases", "预计购买次数"),
    "expected_spend": ("Expected spend per purchase", "预计客单价"),
    "clv": ("CLV", "客户终身价值"),
    "customers": ("Customers", "客户数"),
    "customer_share": ("Share of customers", "客户占比"),
    "value": ("Revenue", "金额"),
    "value_share": ("Share of value", "价值占比"),
    "mean_p_alive": ("Mean P(still a customer)", "平均仍活跃概率"),
    "recency_min": ("Fewest days quiet", "最短未购天数"),
    "recency_max": ("Most days quiet", "最长未购天数"),
    "action": ("What to do", "建议行动"),
    "mean_value": ("Mean per customer", "人均金额"), "value_index": ("Value index (1 = average)", "价值指数（1 = 平均）"),
    "share_of_customers_pct": ("Share of customers", "客户占比"), "share_of_revenue": ("Share of revenue", "销售额占比"),
    "first_purchase": ("First purchase", "首次购买"),
    "last_purchase": ("Last purchase", "最近购买"),
    "days_since_last": ("Days since last purchase", "距上次购买天数"),
    "purchases": ("Purchases", "购买次数"),
    "revenue": ("Revenue", "消费金额"),
    "revenue_last_365d": ("Revenue, last 365 days", "近 365 天消费"),
    "value_at_risk": ("Yearly revenue at risk", "年度风险金额"),
    "rank": ("Rank", "排名"),
    "cohort": ("Cohort", "同期群"),
    "periods_since_first": ("Periods since first purchase", "距首购期数"),
    "retention": ("Retention", "留存率"),
    "model": ("Model", "模型"), "parameter": ("Parameter", "参数"), "estimate": ("Estimate", "估计值"),
    "measure": ("Measure", "指标"), "ci_low": ("95% CI from", "95% 置信区间下限"),
    "ci_high": ("95% CI to", "95% 置信区间上限"), "n": ("Respondents", "样本量"),
    "attribute": ("Attribute", "属性"), "importance": ("Importance", "重要性"),
    "performance": ("Performance", "表现"), "quadrant": ("Quadrant", "象限"),
    "expectation": ("Expectation", "期望"), "experience": ("Experience", "体验"), "gap": ("Gap", "差距"),
    "respondents": ("Respondents", "样本量"), "csat": ("CSAT", "满意度 (CSAT)"), "nps": ("NPS", "净推荐值 (NPS)"),
    "weekday": ("Weekday", "星期"), "slot": ("Time", "时段"), "calls": ("Calls", "来电量"),
    "agents": ("Agents", "坐席数"), "staff": ("Rostered staff", "排班人数"),
    "occupancy": ("Occupancy", "占用率"), "service_level": ("Service level", "服务水平"),
    "asa_seconds": ("Mean wait (s)", "平均等待（秒）"), "p_wait": ("P(wait)", "等待概率"),
    "traffic": ("Traffic (Erlang)", "话务量（爱尔兰）"), "days_averaged": ("Days averaged", "平均天数"),
    "date": ("Date", "日期"), "store": ("Store", "门店"), "label": ("Group", "分组"),
    "share_of_customers": ("Share of customers", "客户占比"), "share_of_value": ("Share of revenue", "收入占比"),
}


def column_label(name, lang: str) -> str:
    """The readable header of column ``name`` (the name itself when it has none).

    >>> column_label("p_alive", "zh"), column_label("p_alive", "en"), column_label("门店", "en")
    ('仍活跃概率', 'P(still a customer)', '门店')
    """
    pair = _COLUMNS.get(str(name))
    return str(name) if pair is None else pair[1 if lang == "zh" else 0]
