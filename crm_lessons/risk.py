"""Risk management in customer operations (客户经营中的风险管理): lesson 10.3.

The training outline's risk part, made computable:

* :data:`RISK_TYPES` -- the four risk types with the outline's events and causes
  (credit, market, operational, legal), with the labels put back on the right
  descriptions; :data:`RISK_PROCESS` (identify -> assess -> thresholds -> respond)
  and :data:`RISK_RESPONSES` (avoid, reduce, transfer, accept);
* :func:`risk_grades` and :func:`expected_loss` -- probability-of-default grades
  and EL = PD x LGD x EAD;
* :func:`cutoff_table` -- hit and false-alarm rates by cut-off (from
  :func:`crm_lessons.churn.threshold_table`) with the profit of each cut-off, and
  :func:`break_even_cutoff`, the cut-off theory says is best;
* :func:`compare_responses` -- the four responses on expected loss, profit and
  the spread of losses;
* :func:`warning_flags` and :func:`warning_performance` -- early-warning rules on
  monthly behaviour, their hits, false alarms and lead time;
* :data:`RISK_REGISTER`, :func:`risk_register` and :func:`plot_risk_matrix` -- a
  likelihood x impact register.

The PD model itself is :func:`crm_lessons.churn.fit_churn_models` with the
default flag as the outcome: a case adds data and questions, not a new model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons.figures import get_axes
from crm_lessons._validation import (
    CRMInputError,
    check_dataframe,
    check_number,
    check_probability,
    require_columns,
)
from crm_lessons.churn import threshold_table

__all__ = [
    "RISK_PROCESS",
    "RISK_REGISTER",
    "RISK_RESPONSES",
    "RISK_TYPES",
    "break_even_cutoff",
    "compare_responses",
    "cutoff_table",
    "expected_loss",
    "plot_risk_matrix",
    "risk_grades",
    "risk_register",
    "warning_flags",
    "warning_performance",
]

#: The outline's four risk types (常见风险类型及成因). In the outline's layout the labels
#: are shifted against their descriptions; the descriptions below are the text's,
#: each under the label it describes.
RISK_TYPES = pd.DataFrame(
    [("credit", "信用风险", "customers pay late, default or commit fraud (客户拖欠款项、违约、欺诈) -> loss of funds",
      "poor customer credit, deliberate evasion of debts, a changing market (客户信用状况不良、恶意逃债、市场环境变化)"),
     ("market", "市场风险", "price swings, fiercer competition, changing demand (价格波动、竞争加剧、需求变化) -> unstable income",
      "supply-demand imbalance, industry cycles, policy changes (市场供需失衡、行业周期性波动、政策调整)"),
     ("operational", "操作风险", "internal processes, staff errors or system failures (流程、员工操作失误、系统故障) -> lost customers or funds",
      "badly designed processes, low staff skills, ageing equipment (流程设计不合理、员工素质不高、技术设备老化)"),
     ("legal", "法律风险", "disputes and damages over contracts, intellectual property, privacy (合同、知识产权、隐私保护)",
      "changing laws, unclear contract terms, weak compliance awareness (法律法规变化、合同条款不明确、合规意识薄弱)")],
    columns=["risk_type", "risk_type_zh", "events", "causes"],
).set_index("risk_type")

#: The outline's early-warning mechanism (风险预警机制), in order.
RISK_PROCESS = pd.DataFrame(
    [("identify", "风险识别", "collect and analyse market, customer and operations information regularly to find risk points"),
     ("assess", "风险评估", "quantify each risk: its grade and the loss it may cause"),
     ("thresholds", "预警信号设置", "set warning signals and thresholds from the assessment, to see risks early"),
     ("respond", "预警响应机制", "a response process with each department's duties and measures")],
    columns=["step", "step_zh", "what"],
).set_index("step")

#: The outline's four responses (风险应对策略), and how lesson 10.3 prices each on a loan book.
RISK_RESPONSES = pd.DataFrame(
    [("avoid", "风险规避", "refuse or exit high-risk business, customers or markets",
      "decline the accounts whose PD is at or above the cut-off"),
     ("reduce", "风险降低", "improve controls, staff and processes to make the risk less likely or smaller",
      "cut the credit limit (exposure) of the high-PD accounts"),
     ("transfer", "风险转移", "insurance, outsourcing, guarantees: pass the risk to another party",
      "insure part of the high-PD accounts' loss at a premium above its expected value"),
     ("accept", "风险承担", "bear part or all of the risk after assessing it, with a plan that keeps it under control",
      "keep the accounts and charge the high-PD ones a risk-based price")],
    columns=["response", "response_zh", "outline", "on_a_loan_book"],
).set_index("response")

_GRADE_EDGES = (0.005, 0.02, 0.08, 0.25)
_GRADE_LABELS = ("A", "B", "C", "D", "E")


def risk_grades(pd_values, *, edges=_GRADE_EDGES, labels=_GRADE_LABELS) -> pd.Categorical:
    """Risk grade of each probability of default (风险等级) by PD band.

    Parameters
    ----------
    pd_values : array-like
        Probabilities of default, 0..1.
    edges : increasing floats, default (0.005, 0.02, 0.08, 0.25)
        Upper limits of every grade but the last (PD < edge).
    labels : str, default ("A", "B", "C", "D", "E")
        One more label than edges, best first.

    Returns
    -------
    pandas.Categorical
        Ordered grades.

    Examples
    --------
    >>> list(risk_grades([0.001, 0.01, 0.05, 0.1, 0.6]))
    ['A', 'B', 'C', 'D', 'E']
    """
    p = np.asarray(pd_values, dtype=float)
    if p.size and (np.isnan(p).any() or p.min() < 0 or p.max() > 1):
        raise CRMInputError(f"argument `pd_values`: probabilities must lie in 0..1; found min {np.nanmin(p):g}, "
                            f"max {np.nanmax(p):g}, {int(np.isnan(p).sum())} missing. Pass predicted probabilities.")
    e = np.asarray(edges, dtype=float)
    if len(labels) != len(e) + 1 or (np.diff(e) <= 0).any():
        raise CRMInputError(f"argument `edges`: needs increasing edges and one label more than edges; found "
                            f"{len(e)} edges, {len(labels)} labels. Pass e.g. edges=(0.02, 0.1), labels=('A', 'B', 'C').")
    idx = np.searchsorted(e, p, side="right")
    return pd.Categorical(np.asarray(labels, dtype=object)[idx], categories=list(labels), ordered=True)


def expected_loss(pd_values, *, lgd, ead):
    """Expected loss EL = PD x LGD x EAD (预期损失), element by element.

    Parameters
    ----------
    pd_values : array-like
        Probability of default in the period.
    lgd : float or array-like
        Loss given default: share of the exposure lost (0..1).
    ead : float or array-like
        Exposure at default (money).

    Returns
    -------
    ndarray

    References
    ----------
    Basel Committee on Banking Supervision (2006), *International Convergence
    of Capital Measurement and Capital Standards*, para. 211 ff. (textbook, not
    in the course material).

    Examples
    --------
    >>> expected_loss([0.02, 0.5], lgd=0.6, ead=[1000.0, 2000.0]).tolist()
    [12.0, 600.0]
    """
    p = np.asarray(pd_values, dtype=float)
    lg = np.asarray(lgd, dtype=float)
    if (p < 0).any() or (p > 1).any() or (lg < 0).any() or (lg > 1).any():
        raise CRMInputError("argument `pd_values` or `lgd`: must lie in 0..1; found values outside. "
                            "PD and LGD are probabilities / shares.")
    return p * lg * np.asarray(ead, dtype=float)


def break_even_cutoff(*, margin: float, lgd: float) -> float:
    """The PD above which declining an account earns more than keeping it.

    Keeping an account with exposure :math:`E` earns :math:`(1-p)mE - p\\,\\ell E`
    in expectation (margin :math:`m` if it pays, loss :math:`\\ell` = LGD if it
    defaults); declining earns 0. Keeping pays while

    .. math:: p < p^* = \\frac{m}{m + \\ell}.

    Examples
    --------
    >>> round(break_even_cutoff(margin=0.1, lgd=0.6), 4)
    0.1429
    """
    check_probability(margin, "margin", allow_zero=False)
    check_probability(lgd, "lgd", allow_zero=False)
    return margin / (margin + lgd)


def cutoff_table(y_true, pd_values, ead, *, lgd: float, margin: float, thresholds=None) -> pd.DataFrame:
    """Hits, false alarms and the realised profit of declining every account with PD >= cut-off.

    Parameters
    ----------
    y_true : array-like of 0/1
        Did the account default (held-out data)?
    pd_values : array-like
        Predicted probability of default.
    ead : array-like
        Exposure of each account (money).
    lgd, margin : float
        Loss given default; margin earned on the exposure of an account that pays.
    thresholds : array-like, optional
        Cut-offs; default 0.01, 0.02, ..., 0.60.

    Returns
    -------
    DataFrame
        :func:`crm_lessons.churn.threshold_table`'s columns (``hit_rate`` =
        share of defaulters declined, ``false_alarm_rate`` = share of good
        accounts declined), plus ``loss_avoided`` (LGD x EAD of the declined
        defaulters), ``margin_lost`` (margin on the declined good accounts) and
        ``profit`` of the book at that cut-off.

    Examples
    --------
    >>> t = cutoff_table([1, 0, 0], [0.6, 0.3, 0.05], [100.0, 100.0, 100.0], lgd=0.5, margin=0.1,
    ...                  thresholds=[0.2, 0.5, 0.7])
    >>> t[["threshold", "hits", "false_alarms", "profit"]]
       threshold  hits  false_alarms  profit
    0        0.2     1             1    10.0
    1        0.5     1             0    20.0
    2        0.7     0             0   -30.0
    """
    t = np.round(np.arange(0.01, 0.605, 0.01), 2) if thresholds is None else np.asarray(thresholds, float)
    table = threshold_table(y_true, pd_values, thresholds=t)
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(pd_values, dtype=float)
    e = np.asarray(ead, dtype=float)
    if e.shape != y.shape or (e < 0).any():
        raise CRMInputError(f"argument `ead`: needs one exposure >= 0 per account; found shape {e.shape} "
                            f"for {y.size} accounts.")
    check_probability(lgd, "lgd")
    check_number(margin, "margin", min_value=0)
    flag = p[None, :] >= t[:, None]
    loss = lgd * e * y
    gain = margin * e * (1 - y)
    table["loss_avoided"] = flag @ loss
    table["margin_lost"] = flag @ gain
    table["profit"] = gain.sum() - loss.sum() - table["margin_lost"] + table["loss_avoided"]
    return table


def compare_responses(pd_values, ead, *, lgd: float, margin: float, cutoff: float, limit_cut: float = 0.5,
                      insured_share: float = 0.8, premium_loading: float = 0.3,
                      risk_price: float = 0.05) -> pd.DataFrame:
    """The four responses to the high-PD accounts compared on expected loss, profit and loss spread.

    Parameters
    ----------
    pd_values, ead : array-like
        PD and exposure of each account.
    lgd, margin : float
        Loss given default; margin on the exposure of an account that pays.
    cutoff : float
        Accounts with PD >= ``cutoff`` are the high-risk band the response targets.
    limit_cut : float, default 0.5
        *reduce*: share by which their exposure is cut.
    insured_share, premium_loading : float
        *transfer*: share of their loss insured, and the premium's loading over
        the expected insured loss (the insurer's cost and profit).
    risk_price : float, default 0.05
        *accept*: extra margin charged to them (risk-based pricing).

    Returns
    -------
    DataFrame
        One row per policy (``none`` = keep all at the normal price, then
        avoid, reduce, transfer, accept): ``accounts``, ``exposure``,
        ``expected_loss`` (kept by the firm), ``expected_profit`` and
        ``loss_sd``, the standard deviation of the firm's loss.

    Notes
    -----
    Account *i* (PD :math:`p_i`, exposure :math:`E_i`) earns :math:`mE_i`
    if it pays and loses :math:`\\ell E_i` if it defaults. Expected profit
    :math:`\\sum_i (1-p_i)m_iE_i - \\text{EL} - \\text{premium}`; loss variance
    :math:`\\sum_i p_i(1-p_i)(\\ell_i E_i)^2` (defaults independent; the
    premium is fixed). Transfer pays :math:`(1+\\lambda)` times the expected
    insured loss and keeps :math:`1 - s` of each loss. Accepting assumes the
    higher price changes neither PD nor exposure.

    Examples
    --------
    >>> t = compare_responses([0.01, 0.3], [1000.0, 1000.0], lgd=0.6, margin=0.1, cutoff=0.2)
    >>> t["expected_profit"].round(1).tolist()
    [-17.0, 93.0, 38.0, -60.2, 18.0]
    """
    p = np.asarray(pd_values, dtype=float)
    e = np.asarray(ead, dtype=float)
    check_probability(cutoff, "cutoff")
    for name, v in (("limit_cut", limit_cut), ("insured_share", insured_share)):
        check_probability(v, name)
    check_number(premium_loading, "premium_loading", min_value=0)
    check_number(risk_price, "risk_price", min_value=0)
    high = p >= cutoff
    policies = {
        "none": (np.ones_like(p), e, np.full_like(p, margin), np.zeros_like(p)),
        "avoid": (~high * 1.0, e * ~high, np.full_like(p, margin), np.zeros_like(p)),
        "reduce": (np.ones_like(p), np.where(high, e * (1 - limit_cut), e), np.full_like(p, margin), np.zeros_like(p)),
        "transfer": (np.ones_like(p), e, np.full_like(p, margin), np.where(high, insured_share, 0.0)),
        "accept": (np.ones_like(p), e, np.where(high, margin + risk_price, margin), np.zeros_like(p)),
    }
    rows = {}
    for name, (kept, exp_, m, insured) in policies.items():
        loss_kept = lgd * exp_ * (1 - insured)
        el = float((p * loss_kept).sum())
        premium = float(((1 + premium_loading) * p * lgd * exp_ * insured).sum())
        profit = float(((1 - p) * m * exp_).sum()) - el - premium
        rows[name] = {"accounts": int(kept.sum()), "exposure": float(exp_.sum()), "expected_loss": el,
                      "premium": premium, "expected_profit": profit,
                      "loss_sd": float(np.sqrt((p * (1 - p) * loss_kept ** 2).sum()))}
    return pd.DataFrame(rows).T.astype({"accounts": int})


def warning_flags(months: pd.DataFrame, rules: dict, *, account_col: str = "account_id",
                  month_col: str = "month") -> pd.DataFrame:
    """The first month in which each early-warning rule fires for each account (预警信号).

    Parameters
    ----------
    months : DataFrame
        One row per account and month.
    rules : dict
        Rule name -> function of the account-month frame (sorted by account and
        month) returning a boolean Series: True where the signal fires.
    account_col, month_col : str
        Column names.

    Returns
    -------
    DataFrame
        One row per account, one column per rule and ``any_rule``: the first
        month the signal fired (NaN if never).

    Examples
    --------
    >>> m = pd.DataFrame({"account_id": [1, 1, 2, 2], "month": [1, 2, 1, 2], "days_past_due": [0, 30, 0, 0]})
    >>> warning_flags(m, {"late": lambda d: d["days_past_due"] >= 30})
                late  any_rule
    account_id
    1            2.0       2.0
    2            NaN       NaN
    """
    check_dataframe(months, arg="months")
    require_columns(months, {"account_col": account_col, "month_col": month_col}, arg="months")
    if not rules:
        raise CRMInputError("argument `rules`: needs at least one rule; found none. "
                            "Pass e.g. {'late': lambda d: d['days_past_due'] >= 30}.")
    df = months.sort_values([account_col, month_col], kind="stable").reset_index(drop=True)
    out = pd.DataFrame(index=pd.Index(sorted(df[account_col].unique()), name=account_col))
    for name, rule in rules.items():
        fired = pd.Series(rule(df), index=df.index).fillna(False).astype(bool)
        out[name] = df.loc[fired].groupby(account_col)[month_col].min().reindex(out.index).astype(float)
    out["any_rule"] = out.min(axis=1)
    return out


def warning_performance(flags: pd.DataFrame, accounts: pd.DataFrame, *, min_lead: int = 1) -> pd.DataFrame:
    """Hit rate, false-alarm rate and lead time of each warning rule against known defaults.

    Parameters
    ----------
    flags : DataFrame
        Output of :func:`warning_flags` (first month each rule fired).
    accounts : DataFrame
        One row per account: ``account_id``, ``defaulted`` (bool) and
        ``default_month`` (NaN if none), e.g. the truth of
        :func:`~crm_lessons.simulate.simulate_account_months`.
    min_lead : int, default 1
        A warning is a hit only if it fires at least this many months before
        the default (a warning in the default month is too late).

    Returns
    -------
    DataFrame
        By rule: ``hit_rate`` (defaulters warned in time), ``false_alarm_rate``
        (share of healthy accounts ever flagged), ``median_lead`` and
        ``mean_lead`` (months from the first warning to default, hits only).

    Examples
    --------
    >>> f = pd.DataFrame({"late": [2.0, None, 5.0]}, index=pd.Index([1, 2, 3], name="account_id"))
    >>> a = pd.DataFrame({"account_id": [1, 2, 3], "defaulted": [True, True, False],
    ...                   "default_month": [6.0, 4.0, None]})
    >>> warning_performance(f, a)
          hit_rate  false_alarm_rate  median_lead  mean_lead
    rule
    late       0.5               1.0          4.0        4.0
    """
    check_dataframe(accounts, arg="accounts")
    require_columns(accounts, ["account_id", "defaulted", "default_month"], arg="accounts")
    acc = accounts.set_index("account_id")
    f = flags.reindex(acc.index)
    bad = acc["defaulted"].astype(bool)
    rows = {}
    for rule in flags.columns:
        lead = acc["default_month"] - f[rule]
        hit = bad & (lead >= min_lead)
        rows[rule] = {"hit_rate": float(hit[bad].mean()) if bad.any() else np.nan,
                      "false_alarm_rate": float(f.loc[~bad, rule].notna().mean()) if (~bad).any() else np.nan,
                      "median_lead": float(lead[hit].median()) if hit.any() else np.nan,
                      "mean_lead": float(lead[hit].mean()) if hit.any() else np.nan}
    out = pd.DataFrame(rows).T
    out.index.name = "rule"
    return out


#: An example risk register for the market, operational and legal risks (风险登记表). The
#: events come from the training outline; the likelihood and impact scores (1-5) are
#: illustrative assumptions, for a retailer, not the outline's.
RISK_REGISTER = pd.DataFrame(
    [("market", "a competitor cuts prices", "价格波动、竞争加剧", 4, 3),
     ("market", "demand shifts away from a core product", "客户需求变化", 3, 4),
     ("operational", "CRM system outage during a campaign", "系统故障", 2, 4),
     ("operational", "staff mis-handle complaints", "员工操作失误", 4, 2),
     ("operational", "a badly designed returns process loses customers", "流程设计不合理", 3, 3),
     ("legal", "a customer-data privacy breach", "隐私保护", 2, 5),
     ("legal", "unclear contract terms lead to a dispute", "合同条款不明确", 3, 2),
     ("legal", "campaign material infringes intellectual property", "知识产权", 1, 3)],
    columns=["risk_type", "risk", "outline_term", "likelihood", "impact"],
)


def risk_register(register: pd.DataFrame, *, high: int = 12, medium: int = 6) -> pd.DataFrame:
    """Score a likelihood x impact register: score = likelihood x impact and a level (风险等级).

    Parameters
    ----------
    register : DataFrame
        ``likelihood`` and ``impact`` on 1..5, one row per risk.
    high, medium : int, default 12 and 6
        Lowest score of the high and medium levels.

    Returns
    -------
    DataFrame
        Copy with ``score`` and ``level`` (low / medium / high), sorted by score.

    Examples
    --------
    >>> risk_register(RISK_REGISTER)[["risk", "score", "level"]].head(2)
                                        risk  score level
    0                a competitor cuts prices     12  high
    1  demand shifts away from a core product     12  high
    """
    check_dataframe(register, arg="register")
    require_columns(register, ["likelihood", "impact"], arg="register")
    for col in ("likelihood", "impact"):
        v = register[col]
        if not v.between(1, 5).all():
            raise CRMInputError(f"argument `register`, column '{col}': scores must be 1..5; found "
                                f"{v[~v.between(1, 5)].iloc[0]!r}. Score each risk from 1 (rare / minor) to 5.")
    out = register.copy()
    out["score"] = (out["likelihood"] * out["impact"]).astype(int)
    out["level"] = np.where(out["score"] >= high, "high", np.where(out["score"] >= medium, "medium", "low"))
    return out.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)


def plot_risk_matrix(register: pd.DataFrame, *, ax=None):
    """Likelihood x impact heat map with each risk's number (1, 2, ... in ``register``'s row order) in its cell.

    Examples
    --------
    >>> plot_risk_matrix(risk_register(RISK_REGISTER)).get_xlabel()
    'Impact (1 = minor, 5 = severe)'
    """
    require_columns(register, ["likelihood", "impact"], arg="register")
    ax = get_axes(ax, figsize=(6, 5))
    grid = np.outer(np.arange(1, 6), np.arange(1, 6))
    ax.imshow(grid, origin="lower", cmap="RdYlGn_r", extent=(0.5, 5.5, 0.5, 5.5), alpha=0.6, vmin=1, vmax=25)
    cells: dict = {}
    for number, (lik, imp) in enumerate(register[["likelihood", "impact"]].itertuples(index=False), start=1):
        cells.setdefault((imp, lik), []).append(str(number))
    for (imp, lik), numbers in cells.items():
        ax.text(imp, lik, ", ".join(numbers), ha="center", va="center", fontsize=12, weight="bold")
    ax.set_xticks(range(1, 6))
    ax.set_yticks(range(1, 6))
    ax.set(xlabel="Impact (1 = minor, 5 = severe)", ylabel="Likelihood (1 = rare, 5 = almost certain)",
           title="Risk register: likelihood x impact (numbers = rows of the register)")
    return ax
