"""The capstone (综合实践): a full customer report, its sections, its rubric and each student's variant (lesson 10.4).

* :data:`SECTIONS` -- the report's sections, each with the chapters and lessons it draws on and the tool
  (a parameterised report of :mod:`crm_lessons.reports` or a helper) that computes it;
* :data:`RUBRIC` and :func:`rubric_markdown` -- the marking scheme: auto-graded items (numbers the
  grader recomputes) and manual items (judgement), with points;
* :func:`assignment` and :func:`assignment_data` -- each student's data set, as-of date, customer
  subset and margin, drawn from the student's ``seed``;
* :func:`run_reports` and :func:`key_numbers` -- the customer-value and retention-churn reports run in
  this process on a transaction log, with the monthly dashboard of lesson 10.1, and the numbers the
  rubric grades.

The command line runs the same reports on any file and writes HTML: ``crm-lessons report --help``.
"""

from __future__ import annotations

from os import PathLike

import numpy as np
import pandas as pd

from crm_lessons._validation import check_dataframe, check_date, check_number, check_seed, require_columns
from crm_lessons.io import read_table
from crm_lessons.operations import monthly_dashboard
from crm_lessons.tables import TRANSACTIONS

__all__ = ["RUBRIC", "SECTIONS", "assignment", "assignment_data", "key_numbers", "rubric_markdown", "run_reports"]

#: The report's sections: what each shows, the chapters and lessons behind it, and the tool.
SECTIONS = pd.DataFrame({
    "section": [1, 2, 3, 4, 5, 6, 7],
    "title": ["Data and scope", "Customer value", "Retention and churn", "Monthly operations dashboard",
              "Satisfaction and loyalty", "Risk and early warning", "Recommendations"],
    "title_zh": ["数据与范围", "客户价值", "客户保持与流失", "月度经营看板", "满意度与忠诚度", "风险与预警", "建议"],
    "chapters": ["6", "2", "3", "10", "3", "10", "4, 5, 10"],
    "lessons": ["6.1 customer data", "2.3 CLV, 2.4 customer equity, 2.5 value segmentation",
                "3.3 retention, 3.4 churn", "10.1 customer operations", "3.1 satisfaction, 3.2 loyalty",
                "3.4 churn early warning, 10.3 risk", "4.1 choosing customers, 5.1 IDIC, 10.2 programmes"],
    "tool": ["pandas by hand", "report customer-value", "report retention-churn",
             "operations.monthly_dashboard", "report satisfaction (needs a survey)",
             "report retention-churn (churn-risk list)", "your judgement"],
})

#: The marking scheme: 20 points, 12 auto-graded (the grader recomputes them on the student's data), 8 manual.
RUBRIC = pd.DataFrame({
    "item": ["q1", "q2", "q3", "q4", "m1", "m2", "m3", "m4"],
    "section": [1, 2, 3, 4, 2, 3, 5, 7],
    "kind": ["auto", "auto", "auto", "auto", "manual", "manual", "manual", "manual"],
    "points": [3, 3, 3, 3, 2, 2, 1, 3],
    "criterion": [
        "customers, purchases and revenue in the window, computed by hand in pandas",
        "top-20% revenue share and customer equity from the customer-value report",
        "second-month repeat rate and the churn-risk list's length from the retention-churn report",
        "last month's retention and repurchase from the monthly dashboard, and the metrics beyond 3-sigma limits",
        "reads the value figures: how concentrated value is and what the equity means for the budget",
        "reads retention: how fast customers leave and which ones to call first",
        "says what the data cannot show (no survey: satisfaction and NPS) and how to get it (lesson 3.1)",
        "three recommendations, each tied to a number of the report and to a chapter's method",
    ],
})


def rubric_markdown(rubric: pd.DataFrame | None = None) -> str:
    """The rubric as a markdown table with a total (评分标准).

    Parameters
    ----------
    rubric : DataFrame, optional
        Rows with ``item``, ``section``, ``kind``, ``points`` and ``criterion``;
        default :data:`RUBRIC`.

    Returns
    -------
    str
        A markdown table, one row per item, and a line with the total points.

    Raises
    ------
    CRMInputError
        If ``rubric`` is not a table with those columns.

    Examples
    --------
    >>> print(rubric_markdown().splitlines()[-1])
    **Total: 20 points** (12 auto-graded, 8 marked by hand).
    """
    r = RUBRIC if rubric is None else check_dataframe(rubric, arg="rubric")
    require_columns(r, ["item", "section", "kind", "points", "criterion"], arg="rubric")
    lines = ["| item | section | graded | points | criterion |", "|---|---|---|---:|---|"]
    titles = SECTIONS.set_index("section")["title"]
    for row in r.itertuples(index=False):
        lines.append(f"| {row.item} | {row.section}. {titles.get(row.section, '')} | {row.kind} | {row.points} "
                     f"| {row.criterion} |")
    auto = int(r.loc[r["kind"] == "auto", "points"].sum())
    lines.append("")
    lines.append(f"**Total: {int(r['points'].sum())} points** ({auto} auto-graded, "
                 f"{int(r['points'].sum()) - auto} marked by hand).")
    return "\n".join(lines)


_CDNOW_ENDS = pd.date_range("1997-09-30", "1998-06-30", freq="ME")
_RETAIL_ENDS = pd.date_range("2024-06-30", "2024-12-31", freq="ME")


def assignment(seed: int) -> pd.Series:
    """One student's capstone variant, drawn from their seed (个人作业参数).

    Parameters
    ----------
    seed : int
        The student's seed (``crm_lessons.grading.student_seed``).

    Returns
    -------
    Series
        ``dataset`` ("cdnow" or "simulated retailer"), ``as_of`` (a month end),
        ``customers`` (the size of the student's customer subset) and
        ``margin`` (gross margin for CLV).

    Notes
    -----
    Even seeds get CDNOW (2,000–3,500 of its 23,570 customers, cut at a month end
    from September 1997 to June 1998); odd seeds the simulated retailer of
    lesson 10.1 (2,000–3,500 people, cut at a month end of the second half of
    2024). The margin is 20–40%.

    Examples
    --------
    >>> a = assignment(0)
    >>> a["dataset"], str(a["as_of"].date()) in {str(d.date()) for d in _CDNOW_ENDS}
    ('cdnow', True)
    >>> assignment(1)["dataset"]
    'simulated retailer'
    """
    check_number(seed, "seed", min_value=0, integer=True)
    rng = check_seed(int(seed))
    cdnow = int(seed) % 2 == 0
    ends = _CDNOW_ENDS if cdnow else _RETAIL_ENDS
    return pd.Series({"dataset": "cdnow" if cdnow else "simulated retailer",
                      "as_of": ends[int(rng.integers(len(ends)))],
                      "customers": int(rng.integers(2000, 3501)),
                      "margin": float(np.round(rng.uniform(0.2, 0.4), 2))})


def assignment_data(seed: int) -> pd.DataFrame:
    """The transaction log of one student's variant: ``customer_id, date, amount`` up to the as-of date.

    Parameters
    ----------
    seed : int
        The student's seed; see :func:`assignment`.

    Returns
    -------
    DataFrame
        Purchases of the student's customers up to the variant's ``as_of``, sorted
        by customer and date.

    Examples
    --------
    >>> tx = assignment_data(0)
    >>> list(tx.columns), bool(tx["date"].max() <= assignment(0)["as_of"])
    (['customer_id', 'date', 'amount'], True)
    """
    a = assignment(seed)
    rng = check_seed(int(seed) + 1)
    if a["dataset"] == "cdnow":
        from crm_lessons.datasets import load_cdnow

        tx = load_cdnow()[["customer_id", "date", "amount"]]
        ids = rng.choice(np.sort(tx["customer_id"].unique()), size=a["customers"], replace=False)
        tx = tx[tx["customer_id"].isin(ids)]
    else:
        from crm_lessons.simulate import simulate_retail

        tx = simulate_retail(a["customers"], seed=int(seed), n_days=900).data["transactions"]
        tx = tx[["customer_id", "date", "amount"]]
    tx = tx[(tx["date"] <= a["as_of"]) & (tx["amount"] > 0)]
    return tx.sort_values(["customer_id", "date"], kind="stable").reset_index(drop=True)


def run_reports(data: pd.DataFrame, *, as_of, margin: float = 0.30, currency: str = "¥",
                customer_col: str = "customer_id", date_col: str = "date", amount_col: str = "amount") -> dict:
    """Run the capstone's reports in this process on a transaction log (运行报告).

    Parameters
    ----------
    data : DataFrame, str or Path
        One row per purchase; or the path of a file of them (CSV in UTF-8 or
        GBK, Excel, Parquet), read by :func:`crm_lessons.io.read_table`, so a
        problem is reported with the file's name and line, as on the command line.
    as_of : date-like
        The report date; purchases after it are left out, as the command line's
        ``--as-of`` does.
    margin : float, default 0.30
        Gross margin for CLV (the customer-value report's ``margin``).
    currency : str, default "¥"
        Currency sign in the reports' text (CDNOW's amounts are US dollars: ``"$"``).
    customer_col, date_col, amount_col : str
        Column names.

    Returns
    -------
    dict
        ``"customer-value"`` and ``"retention-churn"``: the reports'
        ``ReportResult`` (key figures, actions, charts, tables);
        ``"dashboard"``: :func:`crm_lessons.operations.monthly_dashboard`.

    Examples
    --------
    >>> r = run_reports(assignment_data(0), as_of=assignment(0)["as_of"])
    >>> sorted(r)
    ['customer-value', 'dashboard', 'retention-churn']

    A student's own export (here a GBK file with Chinese column names):

    >>> import tempfile, pathlib
    >>> mine = assignment_data(0).rename(columns={"customer_id": "客户编号", "date": "日期", "amount": "金额"})
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "我的订单.csv"
    >>> mine.to_csv(path, index=False, encoding="gbk")
    >>> r2 = run_reports(path, as_of=assignment(0)["as_of"], customer_col="客户编号", date_col="日期",
    ...                  amount_col="金额")
    >>> bool(key_numbers(r2).equals(key_numbers(r)))
    True
    """
    from crm_lessons.reports import customer_value, retention_churn

    day = check_date(as_of, "as_of")
    check_number(margin, "margin", min_value=0, max_value=1)
    if isinstance(data, (str, PathLike)):
        data = read_table(data)
    log = TRANSACTIONS.read(data, arg="data", customer_col=customer_col, date_col=date_col, amount_col=amount_col)
    log = log[log["date"] <= day].reset_index(drop=True)
    return {"customer-value": customer_value.build(log, as_of=day, margin=margin, currency=currency),
            "retention-churn": retention_churn.build(log, as_of=day, currency=currency),
            "dashboard": monthly_dashboard(log)}


def key_numbers(reports: dict) -> pd.Series:
    """The numbers the capstone's auto-graded items check, read from :func:`run_reports` (关键数字).

    Parameters
    ----------
    reports : dict
        Output of :func:`run_reports`.

    Returns
    -------
    Series
        ``top20_share``, ``equity``, ``repeat_2nd`` (share of customers buying
        again in their second month), ``churn_risk_customers`` (length of the
        churn-risk list), ``retention_last`` and ``repurchase_last`` (the last
        month of the dashboard). NaN where a report cannot estimate a figure
        (e.g. CLV on a few months of data).

    Examples
    --------
    >>> k = key_numbers(run_reports(assignment_data(0), as_of=assignment(0)["as_of"]))
    >>> bool(0 < k["top20_share"] < 1 and k["equity"] > 0)
    True
    """
    cv, rc, dash = reports["customer-value"], reports["retention-churn"], reports["dashboard"]

    def value(result, key):          # NaN where the report says a figure is not estimable
        v = result.figures.get(key, {}).get("value")
        return np.nan if v is None else float(v)

    return pd.Series({"top20_share": value(cv, "top20"),
                      "equity": value(cv, "equity"),
                      "repeat_2nd": value(rc, "repeat_2nd"),
                      "churn_risk_customers": float(len(rc.tables["churn-risk list"])),
                      "retention_last": float(dash["retention"].iloc[-1]),
                      "repurchase_last": float(dash["repurchase"].iloc[-1])})
