"""The sales funnel (销售漏斗): stage win rates, conversion and the weighted pipeline.

A sales funnel follows opportunities from lead to contract. Two numbers per
stage drive a forecast: the **win rate (赢率)** — the share of opportunities
standing at a stage that are eventually won — and the **conversion rate** to
the next stage. The **weighted pipeline (加权销售预测)** values every open
opportunity at its amount times the win rate of its stage.

The sales forecast (销售预计) of the slides (C63) is closed revenue
plus the weighted pipeline. Besides the forecast the slides name two more
funnel measures (C62): progress (销售进展: how opportunities move up the
stages) and sales outside the funnel (漏斗外销售额: revenue that never was an
opportunity). Coverage (C64) says whether there are enough opportunities.

Examples
--------
The slides' funnel table (万欧元): 18 opportunities at six stages, 1,424 in all.

>>> pipeline_table(SOURCE_FUNNEL).loc["total", ["count", "amount", "expected"]].astype(float).round(1).tolist()
[18.0, 1424.0, 364.8]
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from crm_lessons._validation import (CRMInputError, check_dataframe, check_number, check_numeric, check_rows,
                                     require_columns)
from crm_lessons.figures import get_axes
from crm_lessons.tables import OPPORTUNITIES, Column

__all__ = ["SOURCE_FUNNEL", "coverage", "forecast_backtest", "pipeline_table", "plot_funnel", "sales_forecast", "stage_progress",
           "stage_win_rates", "velocity", "weighted_pipeline"]

#: The slides' funnel table (C61): stage, the source's name, opportunities, total amount
#: (万欧元) and win rate (赢率). The expected values are not in the source: :func:`pipeline_table` computes them.
SOURCE_FUNNEL = pd.DataFrame({
    "stage_zh": ["销售线索", "机会建立", "方案提供", "方案评估", "商务谈判", "合同签定"],
    "count": [5, 4, 3, 2, 2, 2],
    "amount": [300.0, 240.0, 176.0, 464.0, 146.0, 98.0],
    "win_rate": [0.05, 0.10, 0.20, 0.30, 0.50, 0.80],
}, index=pd.Index(["lead", "opportunity", "proposal", "evaluation", "negotiation", "contract"], name="stage"))

#: Opportunities as the funnel helpers read them: the contract's table plus rep, funnel flag, days open.
DEALS = OPPORTUNITIES.extend(Column("rep", "rep", "category", doc="sales rep"),
                             Column("in_funnel", "in_funnel", "flag", doc="was an opportunity before it closed"),
                             Column("days", "days_open", "number", min=0, doc="days from creation to close"))
_STATUSES = ("won", "lost", "open")


def _stage_codes(df: pd.DataFrame, stage_col: str, stages, arg: str) -> tuple[np.ndarray, list]:
    s = df[stage_col]
    if stages is None:
        if not isinstance(s.dtype, pd.CategoricalDtype) or not s.cat.ordered:
            raise CRMInputError(
                f"argument `{arg}`, column '{stage_col}' (stage_col): the stage order is unknown; found an "
                f"unordered column. Pass stages=[...] listing the stages from first to last.")
        stages = list(s.cat.categories)
    codes = pd.Categorical(s.where(s.isin(list(stages))), categories=list(stages), ordered=True).codes
    check_rows(df, (codes < 0) & s.notna().to_numpy(), s, arg=arg, column=stage_col, col_arg="stage_col",
               rule=f"stage must be one of {list(stages)}", fix="Fix the stage name or add it to `stages`.")
    return codes, list(stages)


def stage_win_rates(opportunities: pd.DataFrame, *, stage_col: str = "stage", status_col: str = "status",
                    stages=None) -> pd.DataFrame:
    """Win rate from each stage and stage-to-stage conversion, from closed opportunities.

    Parameters
    ----------
    opportunities : DataFrame
        One row per opportunity with the furthest stage it reached and its status.
    stage_col : str, default "stage"
        Furthest stage reached (ordered categorical, or give ``stages``).
    status_col : str, default "status"
        "won", "lost" or "open"; open opportunities are left out (their outcome is unknown).
    stages : list, optional
        Stage names from first to last, when ``stage_col`` is not an ordered categorical.

    Returns
    -------
    DataFrame
        Indexed by stage: ``reached`` (closed opportunities that reached the
        stage), ``won``, ``win_rate`` = won / reached, and ``conversion`` =
        reached(next stage) / reached(this stage).

    Notes
    -----
    .. math:: \\hat w_k = \\frac{\\#\\{\\text{won}, \\text{reached } k\\}}{\\#\\{\\text{closed}, \\text{reached } k\\}},
              \\qquad \\hat a_k = \\frac{\\#\\{\\text{closed}, \\text{reached } k+1\\}}{\\#\\{\\text{closed}, \\text{reached } k\\}}

    An opportunity that reached stage *k* passed every earlier stage. Using
    closed opportunities only is unbiased when the cohort has matured; for
    recent cohorts the slow (often won) deals are still open, so the rates
    are biased down.

    References
    ----------
    The slides (客户关系管理全套课件): the funnel stages and win rates 5/10/20/30/50/80%.

    Examples
    --------
    >>> import pandas as pd
    >>> opps = pd.DataFrame({"stage": ["a", "b", "b", "c"], "status": ["lost", "lost", "won", "won"]})
    >>> stage_win_rates(opps, stages=["a", "b", "c"])[["reached", "won", "win_rate"]]
           reached  won  win_rate
    stage
    a            4    2     0.500
    b            3    2     0.667
    c            1    1     1.000
    """
    check_dataframe(opportunities, arg="opportunities")
    require_columns(opportunities, {"stage_col": stage_col, "status_col": status_col}, arg="opportunities")
    status = opportunities[status_col].astype(str).str.lower()
    check_rows(opportunities, ~status.isin(["won", "lost", "open"]), opportunities[status_col],
               arg="opportunities", column=status_col, col_arg="status_col",
               rule="status must be 'won', 'lost' or 'open'", fix="Recode the status column.")
    codes, stages = _stage_codes(opportunities, stage_col, stages, "opportunities")
    closed = (status != "open").to_numpy()
    won = (status == "won").to_numpy()
    K = len(stages)
    reached = np.array([(closed & (codes >= k)).sum() for k in range(K)])
    won_k = np.array([(won & (codes >= k)).sum() for k in range(K)])
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame({
            "reached": reached,
            "won": won_k,
            "win_rate": np.round(won_k / reached, 3),
            "conversion": np.round(np.append(reached[1:] / reached[:-1], np.nan), 3),
        }, index=pd.Index(stages, name="stage"))
    return out


def weighted_pipeline(opportunities: pd.DataFrame, win_rates: Mapping | pd.Series, *, stage_col: str = "stage",
                      amount_col: str = "amount", status_col: str | None = None) -> pd.DataFrame:
    """Expected value of the open pipeline: amount x win rate of its stage, by stage.

    Parameters
    ----------
    opportunities : DataFrame
        Opportunities with a stage and an amount.
    win_rates : mapping or Series
        Win rate of each stage (e.g. from :func:`stage_win_rates` or the slides' table).
    stage_col, amount_col : str
        Column names.
    status_col : str, optional
        If given, only rows whose status is "open" are counted.

    Returns
    -------
    DataFrame
        Indexed by stage: ``count``, ``amount`` (total), ``win_rate``,
        ``expected`` = amount x win rate; in the order of ``win_rates``.

    Notes
    -----
    .. math:: E[\\text{sales}] = \\sum_{i \\in \\text{open}} \\text{amount}_i \\, w_{\\text{stage}(i)}
    """
    check_dataframe(opportunities, arg="opportunities", min_rows=0)
    cols = {"stage_col": stage_col, "amount_col": amount_col}
    if status_col is not None:
        cols["status_col"] = status_col
    require_columns(opportunities, cols, arg="opportunities")
    rates = pd.Series(win_rates, dtype=float)
    df = opportunities
    if status_col is not None:
        df = df[df[status_col].astype(str).str.lower() == "open"]
    amount = check_numeric(df, amount_col, arg="opportunities", col_arg="amount_col", min_value=0)
    _stage_codes(df, stage_col, list(rates.index), "opportunities")  # every stage must have a rate
    stage = df[stage_col].astype(str)
    out = pd.DataFrame({
        "count": stage.value_counts().reindex(rates.index, fill_value=0),
        "amount": amount.groupby(stage).sum().reindex(rates.index, fill_value=0.0),
        "win_rate": rates,
    })
    out["expected"] = out["amount"] * out["win_rate"]
    out.index.name = "stage"
    return out


def _read_deals(df, arg: str, **cols) -> pd.DataFrame:
    frame = DEALS.read(df, arg=arg, **cols)
    if "status" in frame:
        status = pd.Series(frame["status"], index=frame.index).astype(str).str.lower()
        name, col_arg = frame.attrs["crm_columns"]["status"]
        check_rows(frame, ~status.isin(_STATUSES).to_numpy(), pd.Series(frame["status"], index=frame.index),
                   arg=arg, column=name, col_arg=col_arg, rule="status must be 'won', 'lost' or 'open'",
                   fix="Recode the status column.")
        frame["status"] = status.to_numpy()
    return frame


def pipeline_table(pipeline: pd.DataFrame) -> pd.DataFrame:
    """The funnel table of the slides: count, amount, win rate and expected value by stage, with a total row.

    Parameters
    ----------
    pipeline : DataFrame
        Indexed by stage, with ``count``, ``amount`` and ``win_rate`` (e.g.
        :data:`SOURCE_FUNNEL` or the output of :func:`weighted_pipeline`).

    Returns
    -------
    DataFrame
        The stages and a ``total`` row: ``count``, ``amount``, ``win_rate``
        (in the total row: expected / amount, the pipeline's average win rate)
        and ``expected`` = amount x win rate.

    Notes
    -----
    .. math:: \\text{expected}_k = A_k\\, w_k, \\qquad \\text{weighted pipeline} = \\sum_k A_k w_k

    References
    ----------
    The slides' table (C61, C63): 300 x 5% + 240 x 10% + 176 x 20% + 464 x 30% + 146 x 50% + 98 x 80%.

    Examples
    --------
    >>> pipeline_table(SOURCE_FUNNEL)[["count", "amount", "win_rate", "expected"]]
                 count  amount  win_rate  expected
    stage
    lead             5   300.0     0.050      15.0
    opportunity      4   240.0     0.100      24.0
    proposal         3   176.0     0.200      35.2
    evaluation       2   464.0     0.300     139.2
    negotiation      2   146.0     0.500      73.0
    contract         2    98.0     0.800      78.4
    total           18  1424.0     0.256     364.8
    """
    check_dataframe(pipeline, arg="pipeline")
    require_columns(pipeline, ["count", "amount", "win_rate"], arg="pipeline")
    amount = check_numeric(pipeline, "amount", arg="pipeline", min_value=0)
    rate = check_numeric(pipeline, "win_rate", arg="pipeline", min_value=0, max_value=1)
    out = pipeline.drop(index="total", errors="ignore").copy()
    out["expected"] = (amount * rate).reindex(out.index).round(6)
    total = out[["count", "amount", "expected"]].sum().round(6)
    total["win_rate"] = round(total["expected"] / total["amount"], 3) if total["amount"] else np.nan
    out.loc["total", ["count", "amount", "expected", "win_rate"]] = total
    if "stage_zh" in out:
        out.loc["total", "stage_zh"] = "总计"  # the slides' total row
    out["count"] = out["count"].astype(int)
    return out


def sales_forecast(pipeline: pd.DataFrame, *, closed_revenue: float = 0.0) -> pd.Series:
    """The slides' sales forecast (销售预计) = closed revenue + weighted pipeline.

    Parameters
    ----------
    pipeline : DataFrame
        By stage, with ``amount`` and ``win_rate`` (a ``total`` row is ignored).
    closed_revenue : float, default 0
        Revenue already won in the period (已经完成的销售收入).

    Returns
    -------
    Series
        ``closed_revenue``, ``pipeline_amount``, ``weighted_pipeline`` and ``forecast``.

    References
    ----------
    The slides, C63: 销售预计 = 已经完成的销售收入 + ∑ 每个阶段的销售机会的金额 × 每个阶段的赢率.

    Examples
    --------
    >>> sales_forecast(SOURCE_FUNNEL, closed_revenue=100).round(1).tolist()
    [100.0, 1424.0, 364.8, 464.8]
    """
    check_number(closed_revenue, "closed_revenue", min_value=0)
    table = pipeline_table(pipeline).loc["total"]
    return pd.Series({"closed_revenue": float(closed_revenue), "pipeline_amount": float(table["amount"]),
                      "weighted_pipeline": float(table["expected"]),
                      "forecast": float(closed_revenue + table["expected"])})


def velocity(opportunities: pd.DataFrame, *, status_col: str = "status", amount_col: str = "amount",
             days_col: str = "days_open", by: str | None = None) -> pd.DataFrame:
    """Sales velocity: closed opportunities x win rate x average won deal / average cycle of won deals.

    Parameters
    ----------
    opportunities : DataFrame
        One row per opportunity with status, amount and days from creation to close.
    status_col, amount_col, days_col : str
        Column names; open opportunities are left out.
    by : str, optional
        A column to group by (e.g. ``rep``).

    Returns
    -------
    DataFrame
        ``closed`` (opportunities), ``win_rate``, ``avg_won_amount``, ``cycle_days``
        (mean days of won deals) and ``velocity`` (revenue per day).

    Notes
    -----
    .. math:: v = \\frac{N \\cdot w \\cdot \\bar A_{\\text{won}}}{\\bar T_{\\text{won}}}

    The sales-velocity formula is common sales-management practice, not a
    formula of the course material. The slides report a sales cycle one third
    shorter with CRM (the slides, C59): with the other factors fixed, velocity
    then rises by a half.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"status": ["won", "lost", "won", "lost"], "amount": [10.0, 5.0, 30.0, 1.0],
    ...                   "days_open": [10, 3, 30, 8]})
    >>> velocity(d)[["closed", "win_rate", "avg_won_amount", "cycle_days", "velocity"]]
             closed  win_rate  avg_won_amount  cycle_days  velocity
    overall       4       0.5            20.0        20.0       2.0
    """
    frame = _read_deals(opportunities, "opportunities", status_col=status_col, amount_col=amount_col,
                        days_col=days_col, keep=(by,) if by else ())
    frame = frame[frame["status"] != "open"]
    won = frame["status"] == "won"
    g = frame.assign(won=won, won_amount=frame["amount"].where(won), won_days=frame["days_open"].where(won),
                     g=frame[by] if by else "overall").groupby("g", observed=True)
    out = pd.DataFrame({"closed": g.size(), "win_rate": g["won"].mean(), "avg_won_amount": g["won_amount"].mean(),
                        "cycle_days": g["won_days"].mean()})
    out["velocity"] = out["closed"] * out["win_rate"] * out["avg_won_amount"] / out["cycle_days"]
    out.index.name = by
    return out


def coverage(opportunities: pd.DataFrame, win_rates, targets, *, by: str = "rep", stage_col: str = "stage",
             amount_col: str = "amount", status_col: str = "status") -> pd.DataFrame:
    """Is the pipeline sufficient (销售机会是否足够, C64)? Gap to target against the open pipeline, by rep.

    Parameters
    ----------
    opportunities : DataFrame
        Opportunities of the period with stage, amount, status and ``by``.
    win_rates : mapping or Series
        Win rate of each stage of an open opportunity.
    targets : float, mapping or Series
        Revenue target of each group (one number: the same for every group).
    by : str, default "rep"
        The column that names the group (rep, team, region).
    stage_col, amount_col, status_col : str
        Column names.

    Returns
    -------
    DataFrame
        By group: ``target``, ``closed`` (won revenue), ``gap`` = max(target - closed, 0),
        ``pipeline`` (open amount), ``expected`` (weighted open amount),
        ``coverage`` = pipeline / gap and ``expected_coverage`` = expected / gap
        (>= 1: the expected pipeline closes the gap; infinite when there is no gap).

    Notes
    -----
    Coverage ratios (a rule of thumb of three times the gap in raw pipeline) are
    sales-management practice, not the course material's; the slides only ask
    whether there are enough opportunities.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"rep": ["A", "A", "B"], "stage": ["lead", "contract", "contract"],
    ...                   "amount": [100.0, 50.0, 40.0], "status": ["open", "won", "open"]})
    >>> coverage(d, {"lead": 0.1, "contract": 0.8}, 90)[["closed", "gap", "pipeline", "expected_coverage"]]
         closed   gap  pipeline  expected_coverage
    rep
    A      50.0  40.0     100.0              0.250
    B       0.0  90.0      40.0              0.356
    """
    frame = _read_deals(opportunities, "opportunities", stage_col=stage_col, amount_col=amount_col,
                        status_col=status_col, keep=(by,))
    rates = pd.Series(win_rates, dtype=float)
    groups = pd.Index(pd.unique(frame[by]), name=by).sort_values()
    target = (pd.Series(targets, dtype=float) if isinstance(targets, (Mapping, pd.Series))
              else pd.Series(check_number(targets, "targets", min_value=0), index=groups)).reindex(groups)
    if target.isna().any():
        raise CRMInputError(f"argument `targets`: needs a target for every {by}; found none for "
                            f"{list(target.index[target.isna()])}. Pass one number or a target per {by}.")
    is_open, won = frame["status"] == "open", frame["status"] == "won"
    open_ = frame[is_open]
    _stage_codes(open_, "stage", list(rates.index), "opportunities")
    expected = open_["amount"] * open_["stage"].astype(str).map(rates)
    out = pd.DataFrame({"target": target,
                        "closed": frame.loc[won, "amount"].groupby(frame.loc[won, by]).sum(),
                        "pipeline": open_["amount"].groupby(open_[by]).sum(),
                        "expected": expected.groupby(open_[by]).sum()}).reindex(groups).fillna(0.0)
    out.insert(2, "gap", (out["target"] - out["closed"]).clip(lower=0))
    with np.errstate(divide="ignore", invalid="ignore"):
        out["coverage"] = np.where(out["gap"] > 0, out["pipeline"] / out["gap"], np.inf).round(3)
        out["expected_coverage"] = np.where(out["gap"] > 0, out["expected"] / out["gap"], np.inf).round(3)
    return out


def stage_progress(before: pd.DataFrame, after: pd.DataFrame, *, id_col: str = "opportunity_id",
                   stage_col: str = "stage", status_col: str = "status") -> pd.DataFrame:
    """Progress (销售进展, C62): where the opportunities open at one date stand at a later date.

    Parameters
    ----------
    before, after : DataFrame
        The same opportunities seen at two dates (``after`` may hold new ones).
    id_col, stage_col, status_col : str
        Column names.

    Returns
    -------
    DataFrame
        Rows: the stage of each opportunity open in ``before``; columns: its
        stage in ``after`` if still open, or ``won`` / ``lost``; counts.

    Examples
    --------
    >>> import pandas as pd
    >>> b = pd.DataFrame({"opportunity_id": [1, 2, 3], "stage": ["a", "a", "b"], "status": ["open"] * 3})
    >>> a = pd.DataFrame({"opportunity_id": [1, 2, 3], "stage": ["b", "a", "b"], "status": ["open", "lost", "won"]})
    >>> stage_progress(b, a)
    after   b  lost  won
    before
    a       1     1    0
    b       0     0    1
    """
    cols = {"opportunity_col": id_col, "stage_col": stage_col, "status_col": status_col}
    b = _read_deals(before, "before", **cols)
    a = _read_deals(after, "after", **cols).set_index("opportunity_id")
    b = b[b["status"] == "open"]
    missing = ~b["opportunity_id"].isin(a.index)
    if missing.any():
        raise CRMInputError(f"argument `after`: every opportunity open in `before` must appear; found "
                            f"{int(missing.sum())} missing (e.g. id {b.loc[missing, 'opportunity_id'].iloc[0]!r}). "
                            f"Pass the later view of the same opportunities.")
    later = a.reindex(b["opportunity_id"])
    where_now = np.where(later["status"] == "open", later["stage"].astype(str), later["status"])
    table = pd.crosstab(pd.Series(b["stage"], index=b.index).astype(str).to_numpy(), where_now,
                        rownames=["before"], colnames=["after"])
    stage_order = [str(s) for s in getattr(pd.Series(before[stage_col]).dtype, "categories", [])] or sorted(
        set(table.index) | (set(table.columns) - {"lost", "won"}))
    rows = [s for s in stage_order if s in table.index]
    cols = [s for s in stage_order if s in table.columns] + [c for c in ("lost", "won") if c in table.columns]
    return table.reindex(index=rows, columns=cols)


def forecast_backtest(views: Mapping, outcomes: pd.Series, win_rates, *, stage_col: str = "stage",
                      amount_col: str = "amount", status_col: str = "status",
                      id_col: str = "opportunity_id") -> pd.DataFrame:
    """Weighted forecast of the open pipeline at several dates against the revenue it really brought.

    Parameters
    ----------
    views : mapping
        Date (or label) -> the opportunities as seen that day.
    outcomes : Series
        Final status ("won"/"lost") of every opportunity, indexed by id.
    win_rates : mapping or Series
        Win rate of each stage.
    stage_col, amount_col, status_col, id_col : str
        Column names.

    Returns
    -------
    DataFrame
        By view: ``open`` (opportunities), ``forecast`` (weighted pipeline),
        ``realised`` (amount of those that were won), ``error`` = realised - forecast
        and ``error_pct`` = error / forecast.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"opportunity_id": [1, 2], "stage": ["a", "b"], "amount": [100.0, 10.0],
    ...                   "status": ["open", "open"]})
    >>> forecast_backtest({"Q1": v}, pd.Series(["lost", "won"], index=[1, 2]), {"a": 0.1, "b": 0.5})
        open  forecast  realised  error  error_pct
    Q1     2      15.0      10.0   -5.0     -0.333
    """
    rows = {}
    for label, view in views.items():
        frame = _read_deals(view, "views", opportunity_col=id_col, stage_col=stage_col, amount_col=amount_col,
                            status_col=status_col)
        open_ = frame[frame["status"] == "open"]
        expected = weighted_pipeline(open_, win_rates)["expected"].sum() if len(open_) else 0.0
        final = outcomes.reindex(open_["opportunity_id"]).astype(str).str.lower().to_numpy()
        if pd.isna(outcomes.reindex(open_["opportunity_id"])).any():
            raise CRMInputError("argument `outcomes`: needs the final status of every opportunity open in a "
                                "view; found ids without one. Pass the outcomes of all opportunities.")
        realised = float(open_["amount"].to_numpy()[final == "won"].sum())
        rows[label] = {"open": len(open_), "forecast": float(expected), "realised": realised}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out["error"] = out["realised"] - out["forecast"]
    out["error_pct"] = (out["error"] / out["forecast"]).round(3)
    return out


def plot_funnel(pipeline: pd.DataFrame, *, ax=None, unit: str = "", title: str = "Sales funnel"):
    """Funnel chart: one centred bar per stage, width = amount, labelled with count, amount and expected value.

    Parameters
    ----------
    pipeline : DataFrame
        By stage with ``count``, ``amount`` and ``win_rate`` (a ``total`` row is dropped).
    ax : matplotlib Axes, optional
    unit : str
        Unit of the amounts, shown in the labels.
    title : str

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> len(plot_funnel(SOURCE_FUNNEL).patches)
    6
    """
    table = pipeline_table(pipeline).drop(index="total")
    ax = get_axes(ax, figsize=(7, 4))
    y = np.arange(len(table))[::-1]
    width = table["amount"].to_numpy(dtype=float)
    ax.barh(y, width, left=-width / 2, color="#4c72b0", alpha=0.8)
    for yi, (stage, row) in zip(y, table.iterrows()):
        ax.text(0, yi, f"{stage}: {int(row['count'])} deals, {row['amount']:,.0f}{unit} "
                       f"x {row['win_rate']:.0%} = {row['expected']:,.1f}{unit}",
                ha="center", va="center", fontsize=8, color="black",
                bbox=dict(facecolor="white", alpha=0.7, edgecolor="none", pad=1))
    ax.set_yticks([])
    ax.set_xlabel(f"total amount at the stage{' (' + unit.strip() + ')' if unit else ''}, centred")
    ax.set_title(title)
    return ax
