"""Parameterised analysis reports on an analyst's own data (分析报告).

``crm-lessons report NAME --input FILE --out DIR`` validates the file, runs the
report notebook with papermill and writes ``report.html`` (no code),
``report.ipynb`` (executed) and ``tables/*.csv``. See
:mod:`crm_lessons.reports.runner` and ``crm-lessons report --list``.

Examples
--------
>>> sorted(list_reports())
['customer-value', 'retention-churn', 'satisfaction', 'staffing']
"""

from crm_lessons.reports._catalogue import REPORTS, get_report
from crm_lessons.reports._registry import Column, Param, Report
from crm_lessons.reports.runner import ReportError, RunStatus, run_batch, run_report

__all__ = ["Column", "Param", "REPORTS", "Report", "ReportError", "RunStatus", "get_report", "list_reports",
           "run_batch", "run_report"]


def list_reports() -> dict[str, Report]:
    """The registered reports by name."""
    return dict(REPORTS)
