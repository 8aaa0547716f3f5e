"""The sales funnel (销售漏斗): stage win rates, conversion and the weighted pipeline.

A sales funnel follows opportunities from lead to contract. Two numbers per
stage drive a forecast: the **win rate (赢率)** — the share of opportunities
standing at a stage that are eventually won — and the **conversion rate** to
the next stage. The **weighted pipeline (加权销售预测)** values every open
opportunity at its amount times the win rate of its stage.

Examples
--------
Seed 002's funnel table (万欧元): 18 opportunities at six stages.

>>> import pandas as pd
>>> table = pd.DataFrame({"stage": ["lead", "opportunity", "proposal", "evaluation", "negotiation", "contract"],
...                       "amount": [300, 240, 176, 464, 146, 98]})
>>> rates = {"lead": .05, "opportunity": .10, "proposal": .20, "evaluation": .30, "negotiation": .50, "contract": .80}
>>> round(float(weighted_pipeline(table, rates)["expected"].sum()), 1)
364.8
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from crm_lessons._validation import CRMInputError, check_dataframe, check_numeric, check_rows, require_columns

__all__ = ["stage_win_rates", "weighted_pipeline"]


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
    Seed 002 (客户关系管理全套课件): the funnel stages and win rates 5/10/20/30/50/80%.

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
        Win rate of each stage (e.g. from :func:`stage_win_rates` or seed 002's table).
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
