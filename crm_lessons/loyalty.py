"""Customer loyalty (客户忠诚): panel indicators, brand switching, loyalty types.

The course defines loyalty as a lasting preference that shows itself in
repeated purchase of a firm's products (一再指向性的重复购买), lists eight
indicators of it (重复购买率, 购买时间和频率, 购买支出份额, 挑选时间, 情感上的信任,
推荐, 对竞争对手的态度, 对价格或质量的态度), five types (垄断/惰性/价格/激励/超值忠诚),
and warns that satisfied customers may not be loyal. This module measures
these from data:

* :func:`household_loyalty` and :func:`brand_loyalty` — the behavioural
  indicators from a purchase panel (one row per purchase occasion);
* :func:`switching_matrix`, :func:`steady_state`, :func:`project_shares` —
  brand switching as a Markov chain and the market shares it leads to;
* :class:`RepurchaseCurve` — repurchase rate against satisfaction with a
  logistic fit;
* :data:`LOYALTY_TYPES` and :func:`classify_loyalty` — the five types as a
  table and a documented rule-based classifier;
* :data:`LOYALTY_INDICATORS` and :func:`loyalty_indicators` — all eight
  indicators of the course from a survey, per customer or per group.

Panels follow :func:`crm_lessons.datasets.load_yogurt`: ``customer_id``,
``occasion`` (1, 2, ... within household) and ``choice`` (the brand bought).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit

from crm_lessons.tables import LOYALTY_SURVEY, PANEL
from crm_lessons._validation import (
    CRMInputError,
    check_dataframe,
    check_fitted,
    check_number,
    check_numeric,
    check_probability,
    require_columns,
)

__all__ = [
    "LOYALTY_INDICATORS",
    "LOYALTY_TYPES",
    "RepurchaseCurve",
    "brand_loyalty",
    "classify_loyalty",
    "household_loyalty",
    "loyalty_indicators",
    "project_shares",
    "steady_state",
    "switching_matrix",
]


# --------------------------------------------------------------------------- panel helpers
def _ordered_panel(panel, customer_col, choice_col, order_col, date_col=None, choice_time_col=None) -> pd.DataFrame:
    """The canonical panel with columns customer, choice (str), sorted by household and order."""
    df = PANEL.read(panel, arg="panel", customer_col=customer_col, choice_col=choice_col, order_col=order_col,
                    date_col=date_col, choice_time_col=choice_time_col)
    df = df.rename(columns={"customer_id": "customer", "occasion": "_order"})
    df["choice"] = df["choice"].astype(str)
    df["_row"] = np.arange(len(df))
    keys = ["customer", "_order", "_row"] if order_col is not None else ["customer", "_row"]
    return df.sort_values(keys, kind="stable")


def _brand_order(panel, choice_col, observed) -> list[str]:
    col = panel[choice_col]
    if isinstance(col.dtype, pd.CategoricalDtype):
        return [str(c) for c in col.cat.categories if str(c) in observed]
    return sorted(observed)


# --------------------------------------------------------------------------- indicators
def household_loyalty(panel: pd.DataFrame, *, customer_col: str = "customer_id", choice_col: str = "choice",
                      order_col: str | None = "occasion", date_col: str | None = None,
                      choice_time_col: str | None = None, price_prefix: str | None = None) -> pd.DataFrame:
    """Behavioural loyalty indicators per household from a purchase panel (客户忠诚度的衡量指标).

    Parameters
    ----------
    panel : DataFrame
        One row per purchase occasion.
    customer_col, choice_col : str
        Household id and brand bought.
    order_col : str or None, default "occasion"
        Purchase order within a household; ``None`` uses the row order.
    date_col : str, optional
        Purchase date; gives the purchase interval (购买时间) in days.
    choice_time_col : str, optional
        Time spent choosing (挑选时间), e.g. seconds in store or on the page.
    price_prefix : str, optional
        Prefix of the per-brand price columns (``"price_"`` for the yogurt and
        ketchup panels); gives the share of purchases of the cheapest brand
        (对价格的态度).

    Returns
    -------
    DataFrame
        Index ``customer_id``; columns

        - ``n_purchases`` — purchase frequency (购买频率): occasions observed;
        - ``n_brands`` — distinct brands bought;
        - ``favourite`` — most bought brand (ties: the one bought first);
        - ``favourite_share`` — share of category requirements (购买支出份额)
          given to the favourite;
        - ``repeat_rate`` — repeat purchase rate (重复购买率): share of
          purchases after the first that repeat the previous brand (NaN for a
          single purchase);
        - ``longest_run`` — longest run of the same brand;
        - ``mean_interval_days`` — mean days between purchases (if ``date_col``);
        - ``mean_choice_time`` — if ``choice_time_col``;
        - ``cheapest_share`` — share of purchases where the brand bought was
          the cheapest on offer (if ``price_prefix``).

    Raises
    ------
    CRMInputError
        If a column is missing or occasions repeat within a household.

    Examples
    --------
    >>> panel = pd.DataFrame({"customer_id": [1, 1, 1, 1, 2, 2], "occasion": [1, 2, 3, 4, 1, 2],
    ...                       "choice": ["a", "a", "b", "a", "b", "b"]})
    >>> household_loyalty(panel)[["n_purchases", "favourite", "favourite_share", "repeat_rate"]].round(3).values.tolist()
    [[4, 'a', 0.75, 0.333], [2, 'b', 1.0, 1.0]]
    """
    df = _ordered_panel(panel, customer_col, choice_col, order_col, date_col, choice_time_col)
    same = df["choice"].eq(df.groupby("customer")["choice"].shift())
    first = ~df["customer"].duplicated()
    df["_repeat"] = same.astype(float).where(~first)
    run_id = (~same).cumsum()
    runs = df.groupby(["customer", run_id]).size().groupby(level=0).max()
    counts = df.groupby(["customer", "choice"], sort=False).size()
    first_pos = df.groupby(["customer", "choice"], sort=False)["_row"].min()
    ranked = pd.DataFrame({"n": counts, "first": first_pos}).reset_index()
    ranked = ranked.sort_values(["customer", "n", "first"], ascending=[True, False, True], kind="stable")
    top = ranked.drop_duplicates("customer").set_index("customer")
    g = df.groupby("customer")
    out = pd.DataFrame({"n_purchases": g.size(), "n_brands": g["choice"].nunique()})
    out["favourite"] = top["choice"]
    out["favourite_share"] = top["n"] / out["n_purchases"]
    out["repeat_rate"] = g["_repeat"].mean()
    out["longest_run"] = runs
    if date_col is not None:
        gaps = df["date"].groupby(df["customer"]).diff().dt.days
        out["mean_interval_days"] = gaps.groupby(df["customer"]).mean()
    if choice_time_col is not None:
        out["mean_choice_time"] = df["choice_time"].groupby(df["customer"]).mean()
    if price_prefix is not None:
        out["cheapest_share"] = _cheapest(panel.loc[df.index], df, price_prefix).groupby(df["customer"]).mean()
    out.index.name = customer_col
    return out


def _cheapest(panel, df, prefix) -> pd.Series:
    brands = sorted(df["choice"].unique())
    missing = [f"{prefix}{b}" for b in brands if f"{prefix}{b}" not in panel.columns]
    if missing:
        raise CRMInputError(
            f"argument `price_prefix`: no price column for {missing}; found columns "
            f"{list(map(str, panel.columns))}. Name prices '<prefix><brand>' or leave price_prefix=None."
        )
    price_cols = [c for c in panel.columns if isinstance(c, str) and c.startswith(prefix)]
    prices = pd.DataFrame({c[len(prefix):]: check_numeric(panel, c, arg="panel") for c in price_cols})
    paid = prices.to_numpy()[np.arange(len(prices)), prices.columns.get_indexer(df["choice"])]
    return pd.Series(paid <= prices.min(axis=1).to_numpy() + 1e-9, index=df.index).astype(float)


def brand_loyalty(panel: pd.DataFrame, *, customer_col: str = "customer_id", choice_col: str = "choice",
                  order_col: str | None = "occasion") -> pd.DataFrame:
    """Loyalty indicators per brand from a purchase panel (Ehrenberg's brand performance measures).

    Parameters
    ----------
    panel : DataFrame
        One row per purchase occasion.
    customer_col, choice_col, order_col : str
        As :func:`household_loyalty`.

    Returns
    -------
    DataFrame
        Index ``brand``; columns

        - ``purchases`` and ``market_share`` (share of all purchases);
        - ``penetration`` — share of households that bought the brand at least once;
        - ``purchase_frequency`` — purchases of the brand per buyer;
        - ``repeat_buyers`` — repeat purchase rate (重复购买率): share of the
          brand's buyers who bought it two or more times;
        - ``repeat_probability`` — P(next purchase is the brand | this one
          is), the diagonal of :func:`switching_matrix`;
        - ``share_of_category`` — share of category requirements (SCR, 份额):
          the brand's purchases over all category purchases of its buyers;
        - ``sole_buyers`` — share of its buyers who bought nothing else (100% loyal).

    References
    ----------
    Ehrenberg, A. S. C., Uncles, M. D., & Goodhardt, G. J. (2004). Understanding
    brand performance measures: using Dirichlet benchmarks. *Journal of
    Business Research*, 57(12), 1307–1325.

    Examples
    --------
    >>> panel = pd.DataFrame({"customer_id": [1, 1, 1, 1, 2, 2], "occasion": [1, 2, 3, 4, 1, 2],
    ...                       "choice": ["a", "a", "b", "a", "b", "b"]})
    >>> brand_loyalty(panel)[["penetration", "repeat_buyers", "share_of_category", "sole_buyers"]]
           penetration  repeat_buyers  share_of_category  sole_buyers
    brand
    a              0.5            1.0           0.750000          0.0
    b              1.0            0.5           0.500000          0.5
    """
    df = _ordered_panel(panel, customer_col, choice_col, order_col)
    brands = _brand_order(panel, choice_col, set(df["choice"]))
    counts = df.groupby(["customer", "choice"]).size().unstack(fill_value=0).reindex(columns=brands, fill_value=0)
    total = counts.sum(axis=1)
    buyers = counts > 0
    n_brands = buyers.sum(axis=1)
    P = switching_matrix(panel, customer_col=customer_col, choice_col=choice_col, order_col=order_col,
                         normalize=False)
    out = pd.DataFrame(index=pd.Index(brands, name="brand"))
    out["purchases"] = counts.sum()
    out["market_share"] = out["purchases"] / out["purchases"].sum()
    out["penetration"] = buyers.mean()
    out["purchase_frequency"] = out["purchases"] / buyers.sum()
    out["repeat_buyers"] = (counts >= 2).sum() / buyers.sum()
    rows = P.reindex(index=brands, columns=brands, fill_value=0)
    row_sum = rows.sum(axis=1)
    out["repeat_probability"] = np.where(row_sum > 0, np.diag(rows.to_numpy()) / row_sum.replace(0, 1), np.nan)
    out["share_of_category"] = [counts.loc[buyers[b], b].sum() / total[buyers[b]].sum() for b in brands]
    out["sole_buyers"] = [(n_brands[buyers[b]] == 1).mean() for b in brands]
    return out


# --------------------------------------------------------------------------- switching
def switching_matrix(panel: pd.DataFrame, *, customer_col: str = "customer_id", choice_col: str = "choice",
                     order_col: str | None = "occasion", normalize: bool = True) -> pd.DataFrame:
    """Brand-switching matrix from consecutive purchases of each household (品牌转换矩阵).

    Parameters
    ----------
    panel : DataFrame
        One row per purchase occasion.
    customer_col, choice_col, order_col : str
        As :func:`household_loyalty`.
    normalize : bool, default True
        Divide each row by its total, giving transition probabilities; else counts.

    Returns
    -------
    DataFrame
        Rows: brand bought at one occasion (``from``); columns: brand bought
        at the household's next occasion (``to``). Brands never left (last
        purchases only) get a row of NaN when normalised — never silently zero.

    Raises
    ------
    CRMInputError
        If no household has two purchases.

    Notes
    -----
    Maximum-likelihood estimate of a first-order Markov chain:

    .. math:: \\hat P_{ij} = n_{ij} / \\textstyle\\sum_k n_{ik}

    Examples
    --------
    >>> panel = pd.DataFrame({"customer_id": [1, 1, 1, 1, 2, 2], "occasion": [1, 2, 3, 4, 1, 2],
    ...                       "choice": ["a", "a", "b", "a", "b", "b"]})
    >>> switching_matrix(panel)
    to      a    b
    from
    a     0.5  0.5
    b     0.5  0.5
    """
    df = _ordered_panel(panel, customer_col, choice_col, order_col)
    nxt = df.groupby("customer")["choice"].shift(-1)
    pairs = pd.DataFrame({"from": df["choice"], "to": nxt}).dropna()
    if pairs.empty:
        raise CRMInputError(
            "argument `panel`: no household has two or more purchases; found "
            f"{df['customer'].nunique()} household(s) with one purchase each. Switching needs repeat buyers."
        )
    brands = _brand_order(panel, choice_col, set(df["choice"]))
    counts = pd.crosstab(pairs["from"], pairs["to"]).reindex(index=brands, columns=brands, fill_value=0)
    counts.index.name, counts.columns.name = "from", "to"
    if not normalize:
        return counts
    totals = counts.sum(axis=1)
    return counts.div(totals.where(totals > 0), axis=0)


def _check_transition(transition) -> pd.DataFrame:
    P = transition if isinstance(transition, pd.DataFrame) else pd.DataFrame(np.asarray(transition, dtype=float))
    vals = P.to_numpy(dtype=float)
    if vals.ndim != 2 or vals.shape[0] != vals.shape[1] or vals.shape[0] < 1:
        raise CRMInputError(f"argument `transition`: must be a square matrix; found shape {vals.shape}. "
                            "Pass switching_matrix(panel).")
    if not np.all(np.isfinite(vals)) or np.any(vals < 0) or not np.allclose(vals.sum(axis=1), 1, atol=1e-6):
        raise CRMInputError(
            "argument `transition`: every row must hold probabilities summing to 1; found row sums "
            f"{np.round(vals.sum(axis=1), 4).tolist()}. Drop brands with no next purchase (NaN rows) "
            "or normalise the rows."
        )
    return P


def steady_state(transition) -> pd.Series:
    """Long-run market shares of a brand-switching Markov chain (稳态市场份额).

    Parameters
    ----------
    transition : DataFrame or array
        Row-stochastic switching matrix (:func:`switching_matrix`).

    Returns
    -------
    Series
        Shares :math:`\\pi` (sum 1) indexed by brand, named ``"steady_state"``.

    Raises
    ------
    CRMInputError
        If rows are not probability distributions, or the chain has no unique
        steady state (brands that never reach each other).

    Notes
    -----
    Solves the linear system

    .. math:: \\pi (P - I) = 0,\\qquad \\textstyle\\sum_j \\pi_j = 1.

    Examples
    --------
    >>> P = pd.DataFrame([[0.9, 0.1], [0.3, 0.7]], index=["a", "b"], columns=["a", "b"])
    >>> steady_state(P).round(3).tolist()
    [0.75, 0.25]
    """
    P = _check_transition(transition)
    k = P.shape[0]
    A = np.vstack([P.to_numpy(dtype=float).T - np.eye(k), np.ones(k)])
    b = np.r_[np.zeros(k), 1.0]
    if np.linalg.matrix_rank(A) < k:
        raise CRMInputError(
            "argument `transition`: the chain has no unique steady state; found groups of brands that "
            "never switch to each other. Analyse those groups separately."
        )
    pi = np.linalg.lstsq(A, b, rcond=None)[0]
    return pd.Series(np.clip(pi, 0, None) / np.clip(pi, 0, None).sum(), index=pd.Index(P.index, name="brand"),
                     name="steady_state")


def project_shares(transition, initial, *, periods: int = 10) -> pd.DataFrame:
    """Project market shares forward with a switching matrix (马尔可夫预测).

    Parameters
    ----------
    transition : DataFrame or array
        Row-stochastic switching matrix.
    initial : Series or sequence
        Shares now (sum 1), in the order of the matrix rows.
    periods : int, default 10
        Purchase cycles to project.

    Returns
    -------
    DataFrame
        Index ``period`` 0..periods; one column per brand; row t is
        :math:`s_0 P^t`.

    Examples
    --------
    >>> P = pd.DataFrame([[0.9, 0.1], [0.3, 0.7]], index=["a", "b"], columns=["a", "b"])
    >>> project_shares(P, [0.5, 0.5], periods=2).round(3)
    brand       a      b
    period
    0       0.500  0.500
    1       0.600  0.400
    2       0.660  0.340
    """
    P = _check_transition(transition)
    check_number(periods, "periods", min_value=0, integer=True)
    s = np.asarray(initial.reindex(P.index) if isinstance(initial, pd.Series) else initial, dtype=float)
    if s.shape != (P.shape[0],) or np.any(~np.isfinite(s)) or np.any(s < 0) or not np.isclose(s.sum(), 1):
        raise CRMInputError(f"argument `initial`: must be {P.shape[0]} shares summing to 1; found "
                            f"{np.round(s, 4).tolist()}. Pass e.g. brand_loyalty(panel)['market_share'].")
    rows = [s]
    M = P.to_numpy(dtype=float)
    for _ in range(periods):
        rows.append(rows[-1] @ M)
    out = pd.DataFrame(rows, columns=pd.Index(P.columns, name="brand"))
    out.index.name = "period"
    return out


# --------------------------------------------------------------------------- satisfaction -> repurchase
class RepurchaseCurve:
    """Repurchase rate against satisfaction, binned and with a logistic fit (满意与忠诚).

    Parameters
    ----------
    level : float, default 0.95
        Confidence level of the binned rates (Wilson intervals) and of the parameters.

    Attributes
    ----------
    params_ : Series
        ``intercept`` and ``slope`` of the logit of repurchase on satisfaction.
    se_ : Series
        Their standard errors (inverse Fisher information).
    table_ : DataFrame
        Per satisfaction level: ``n, repurchase_rate, ci_low, ci_high, fitted``.

    Notes
    -----
    Fitted by Newton–Raphson on the log-likelihood

    .. math::

        \\ell(\\beta) = \\sum_i y_i \\eta_i - \\log(1 + e^{\\eta_i}),\\quad
        \\eta_i = \\beta_0 + \\beta_1 s_i .

    Examples
    --------
    >>> df = pd.DataFrame({"overall_satisfaction": [1, 2, 3, 4, 5, 6, 7, 2, 6, 4],
    ...                    "repurchase": [0, 0, 1, 0, 1, 1, 1, 1, 0, 1]})
    >>> curve = RepurchaseCurve().fit(df)
    >>> curve.params_.round(3).tolist()
    [-1.035, 0.372]
    """

    def __init__(self, *, level: float = 0.95):
        self.level = level

    def fit(self, survey: pd.DataFrame, *, satisfaction_col: str = "overall_satisfaction",
            repurchase_col: str = "repurchase", max_iter: int = 50) -> RepurchaseCurve:
        """Fit the curve; returns self."""
        check_dataframe(survey, arg="survey", min_rows=2)
        require_columns(survey, {"satisfaction_col": satisfaction_col, "repurchase_col": repurchase_col},
                        arg="survey")
        check_probability(self.level, "level", allow_zero=False, allow_one=False)
        s = check_numeric(survey, satisfaction_col, arg="survey", col_arg="satisfaction_col").to_numpy()
        y = check_numeric(survey, repurchase_col, arg="survey", col_arg="repurchase_col",
                          min_value=0, max_value=1).to_numpy()
        if not np.all((y == 0) | (y == 1)):
            raise CRMInputError(f"argument `survey`, column '{repurchase_col}' (repurchase_col): values must "
                                "be 0/1 or True/False; found fractions. Code repurchase as a yes/no flag.")
        if y.min() == y.max() or s.min() == s.max():
            raise CRMInputError("argument `survey`: the logistic fit needs both repurchasers and non-"
                                "repurchasers and varying satisfaction; found one value only.")
        X = np.column_stack([np.ones_like(s), s])
        beta = np.zeros(2)
        for _ in range(max_iter):
            p = expit(X @ beta)
            W = p * (1 - p)
            H = X.T @ (X * W[:, None])
            step = np.linalg.solve(H, X.T @ (y - p))
            beta = beta + step
            if np.max(np.abs(step)) < 1e-10:
                break
        else:
            raise CRMInputError("RepurchaseCurve: the logistic fit did not converge (the groups may be "
                                "perfectly separated by satisfaction). Check the data or bin satisfaction.")
        p = expit(X @ beta)
        cov = np.linalg.inv(X.T @ (X * (p * (1 - p))[:, None]))
        self.params_ = pd.Series(beta, index=["intercept", "slope"], name="coef")
        self.se_ = pd.Series(np.sqrt(np.diag(cov)), index=["intercept", "slope"], name="se")
        z = stats.norm.ppf(0.5 + self.level / 2)
        g = pd.Series(y).groupby(survey[satisfaction_col].to_numpy())
        tab = pd.DataFrame({"n": g.size(), "repurchase_rate": g.mean()})
        n = tab["n"]
        denom = 1 + z ** 2 / n
        centre = (tab["repurchase_rate"] + z ** 2 / (2 * n)) / denom
        half = z / denom * np.sqrt(tab["repurchase_rate"] * (1 - tab["repurchase_rate"]) / n + z ** 2 / (4 * n ** 2))
        tab["ci_low"], tab["ci_high"] = centre - half, centre + half
        tab["fitted"] = self.predict(tab.index.to_numpy(dtype=float))
        tab.index.name = satisfaction_col
        self.table_ = tab
        return self

    def predict(self, satisfaction) -> np.ndarray:
        """Fitted repurchase probability at the given satisfaction values."""
        check_fitted(self)
        s = np.asarray(satisfaction, dtype=float)
        return expit(self.params_["intercept"] + self.params_["slope"] * s)

    def plot(self, *, ax=None):
        """Binned rates with intervals and the fitted curve; returns the Axes."""
        import matplotlib.pyplot as plt

        check_fitted(self)
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        t = self.table_
        x = t.index.to_numpy(dtype=float)
        rate = t["repurchase_rate"]
        ax.errorbar(x, rate, yerr=[rate - t["ci_low"], t["ci_high"] - rate], fmt="o", capsize=3,
                    label=f"observed rate ({self.level:.0%} CI)")
        grid = np.linspace(x.min(), x.max(), 100)
        ax.plot(grid, self.predict(grid), label="logistic fit")
        ax.set_ylim(0, 1)
        ax.set_xlabel("Overall satisfaction")
        ax.set_ylabel("Repurchase rate")
        ax.set_title("Satisfaction vs repurchase")
        ax.legend(loc="lower right")
        return ax


# --------------------------------------------------------------------------- loyalty types
#: The course's five loyalty types (客户忠诚的类型), plus the two non-loyal cells of
#: the attitude x behaviour grid (Dick & Basu 1994).
LOYALTY_TYPES = pd.DataFrame(
    [
        ("monopoly", "垄断忠诚", "low", "repeat", "no real alternative / high switching cost",
         "stays because there is no other supplier or leaving is costly (utilities, single campus canteen)",
         "do not mistake for satisfaction: customers leave when a rival appears"),
        ("inertia", "惰性忠诚", "low", "repeat", "habit and convenience",
         "buys again out of habit, without preference; little switching cost, not price driven",
         "turn habit into preference: raise satisfaction before a rival breaks the habit"),
        ("price", "价格忠诚", "low", "repeat", "lowest price",
         "stays for the price; highly price sensitive, leaves for a cheaper offer",
         "keep costs low or add value that is not price"),
        ("incentive", "激励忠诚", "low", "repeat", "rewards, points, member benefits",
         "stays while the loyalty programme pays; leaves when the incentive stops",
         "use incentives to start a relationship, then build value"),
        ("super_value", "超值忠诚", "high", "repeat", "superior value, trust, emotional bond",
         "satisfied and repurchasing; recommends, tolerant of price and quality slips",
         "the goal of CRM: protect and reward, ask for referrals"),
        ("latent", "潜在忠诚", "high", "no repeat", "(satisfied but not buying)",
         "satisfied may not be loyal: positive attitude held back by price, access or need",
         "remove the barrier (availability, price, reminder)"),
        ("not_loyal", "不忠诚", "low", "no repeat", "-",
         "neither attitude nor behaviour", "win back only if valuable"),
    ],
    columns=["loyalty_type", "loyalty_type_zh", "attitude", "behaviour", "driver", "description", "management"],
).set_index("loyalty_type")


def classify_loyalty(survey: pd.DataFrame, *, attitude_col: str = "overall_satisfaction",
                     behaviour_col: str = "repurchase", switching_cost_col: str | None = "switching_cost",
                     price_sensitivity_col: str | None = "price_sensitivity",
                     incentive_col: str | None = "loyalty_member", attitude_threshold: float = 6,
                     behaviour_threshold: float = 0.5, high_threshold: float = 5) -> pd.DataFrame:
    """Assign each customer one of the course's loyalty types by explicit rules (客户忠诚的类型).

    Parameters
    ----------
    survey : DataFrame
        One row per customer (survey answers, possibly joined with log measures).
    attitude_col : str, default "overall_satisfaction"
        Attitudinal loyalty (satisfaction, or e.g. recommend 0–10).
    behaviour_col : str, default "repurchase"
        Behavioural loyalty: a repurchase flag or a repeat-purchase rate.
    switching_cost_col, price_sensitivity_col : str or None
        Likert items (1–7); ``None`` skips the rule that uses them.
    incentive_col : str or None, default "loyalty_member"
        Flag (or 0/1 score) of a customer held by rewards; ``None`` skips the rule.
    attitude_threshold : float, default 6
        Attitude at or above this is "high" (6 = top-2-box of a 1–7 scale).
    behaviour_threshold : float, default 0.5
        Behaviour at or above this is "repeat".
    high_threshold : float, default 5
        Switching cost / price sensitivity at or above this is "high".

    Returns
    -------
    DataFrame
        Same index as ``survey``; columns ``loyalty_type`` and ``loyalty_type_zh``
        (see :data:`LOYALTY_TYPES`).

    Raises
    ------
    CRMInputError
        If a named column is missing or not numeric.

    Notes
    -----
    Rules, applied in order:

    1. no repeat behaviour: attitude high -> ``latent`` (潜在忠诚), else ``not_loyal``;
    2. repeat behaviour and high attitude -> ``super_value`` (超值忠诚);
    3. repeat behaviour, low attitude, high switching cost -> ``monopoly`` (垄断忠诚);
    4. ... held by an incentive -> ``incentive`` (激励忠诚);
    5. ... high price sensitivity -> ``price`` (价格忠诚);
    6. otherwise -> ``inertia`` (惰性忠诚): repeat buying without preference,
       cost or incentive.

    References
    ----------
    Dick, A. S., & Basu, K. (1994). Customer loyalty: toward an integrated
    conceptual framework. *Journal of the Academy of Marketing Science*, 22(2), 99–113.

    Examples
    --------
    >>> s = pd.DataFrame({"overall_satisfaction": [7, 3, 3, 3, 3, 7, 2],
    ...                   "repurchase": [True, True, True, True, True, False, False],
    ...                   "switching_cost": [4, 6, 2, 2, 2, 4, 4], "price_sensitivity": [3, 3, 6, 2, 2, 3, 3],
    ...                   "loyalty_member": [False, False, False, True, False, False, False]})
    >>> classify_loyalty(s)["loyalty_type"].tolist()
    ['super_value', 'monopoly', 'price', 'incentive', 'inertia', 'latent', 'not_loyal']
    """
    check_dataframe(survey, arg="survey")
    named = {"attitude_col": attitude_col, "behaviour_col": behaviour_col}
    for arg, col in (("switching_cost_col", switching_cost_col), ("price_sensitivity_col", price_sensitivity_col),
                     ("incentive_col", incentive_col)):
        if col is not None:
            named[arg] = col
    require_columns(survey, named, arg="survey")
    check_number(attitude_threshold, "attitude_threshold")
    check_number(behaviour_threshold, "behaviour_threshold")
    check_number(high_threshold, "high_threshold")
    v = {arg: check_numeric(survey, col, arg="survey", col_arg=arg).to_numpy() for arg, col in named.items()}
    high_att = v["attitude_col"] >= attitude_threshold
    repeat = v["behaviour_col"] >= behaviour_threshold
    false = np.zeros(len(survey), dtype=bool)
    switch = v["switching_cost_col"] >= high_threshold if "switching_cost_col" in v else false
    incent = v["incentive_col"] >= 0.5 if "incentive_col" in v else false
    price = v["price_sensitivity_col"] >= high_threshold if "price_sensitivity_col" in v else false
    kind = np.select(
        [~repeat & high_att, ~repeat, high_att, switch, incent, price],
        ["latent", "not_loyal", "super_value", "monopoly", "incentive", "price"],
        default="inertia",
    )
    out = pd.DataFrame({"loyalty_type": kind}, index=survey.index)
    out["loyalty_type_zh"] = LOYALTY_TYPES.loc[out["loyalty_type"], "loyalty_type_zh"].to_numpy()
    return out


# --------------------------------------------------------------------------- the eight indicators
#: The course's eight loyalty indicators (客户忠诚度的衡量指标) as columns of
#: :func:`loyalty_indicators`: number in the course's list (一 to 八), names, kind, and
#: ``direction`` (+1: a higher value means more loyal, -1: lower means more loyal).
LOYALTY_INDICATORS = pd.DataFrame(
    [
        ("repeat_purchase", 1, "repeat purchase rate", "重复购买率", "behaviour", 1,
         "bought again in the last 12 months (0/1; a group's mean is its repeat purchase rate)"),
        ("purchases_12m", 2, "purchase frequency", "购买频率", "behaviour", 1, "purchases in 12 months"),
        ("tenure_years", 2, "purchase time (tenure)", "购买时间", "behaviour", 1, "years as a customer"),
        ("share_of_wallet", 3, "share of spend", "购买支出份额", "behaviour", 1,
         "share of the category spend given to the firm"),
        ("choice_minutes", 4, "choice time", "挑选时间", "behaviour", -1,
         "minutes spent choosing: loyal customers choose quickly"),
        ("trust", 5, "trust and support", "情感上的信任与支持", "attitude", 1, "'I trust this firm', 1-7"),
        ("referrals_12m", 6, "referrals of potential customers", "潜在客户推荐数量", "attitude", 1,
         "people referred in 12 months"),
        ("competitor_interest", 7, "attitude to competitors", "对企业竞争对手的态度", "attitude", -1,
         "'I watch competitors' offers', 1-7: loyal customers ignore them"),
        ("price_quality_tolerance", 8, "attitude to price or quality", "对价格或质量的态度", "attitude", 1,
         "'I would stay after a 10% price rise or one quality slip', 1-7"),
    ],
    columns=["indicator", "number", "name", "name_zh", "kind", "direction", "measured_as"],
).set_index("indicator")

_INDICATOR_ROLES = {"purchases_12m": "purchases", "tenure_years": "tenure", "share_of_wallet": "share",
                    "choice_minutes": "choice_time", "trust": "trust", "referrals_12m": "referrals",
                    "competitor_interest": "competitor", "price_quality_tolerance": "tolerance"}


def loyalty_indicators(survey: pd.DataFrame, *, by=None, standardise: bool = False,
                       customer_col: str = "customer_id", purchases_col: str | None = "purchases_12m",
                       tenure_col: str | None = "tenure_years", share_col: str | None = "share_of_wallet",
                       choice_time_col: str | None = "choice_minutes", trust_col: str | None = "trust",
                       referrals_col: str | None = "referrals_12m",
                       competitor_col: str | None = "competitor_interest",
                       tolerance_col: str | None = "price_quality_tolerance") -> pd.DataFrame:
    """The course's eight loyalty indicators per customer or per group (客户忠诚度的衡量指标).

    Parameters
    ----------
    survey : DataFrame
        One row per customer, with the items of
        :func:`crm_lessons.simulate.simulate_survey` (or your own survey).
    by : str or Series, optional
        Group the customers: a column of ``survey`` (``"segment"``) or a
        Series on the survey's index (e.g. ``classify_loyalty(survey)["loyalty_type"]``);
        the result is then the mean of each indicator per group, plus ``customers``.
    standardise : bool, default False
        Return z-scores signed so that higher always means more loyal:
        :math:`z_{ik} = d_k (x_{ik} - \\bar x_k) / s_k`, with ``d_k`` the
        ``direction`` of :data:`LOYALTY_INDICATORS` and mean and standard
        deviation over all customers (before grouping), so that groups can be
        compared on one scale.
    customer_col : str, default "customer_id"
        Customer id (one row per customer).
    purchases_col, tenure_col, share_col, choice_time_col, trust_col, referrals_col, competitor_col, tolerance_col : str or None
        The items; ``None`` leaves an indicator out (both ``repeat_purchase`` and
        ``purchases_12m`` come from ``purchases_col``).

    Returns
    -------
    DataFrame
        Index ``customer_id`` (or the groups); the columns of
        :data:`LOYALTY_INDICATORS` that were measured: ``repeat_purchase``
        (1 if the customer bought two or more times in 12 months — a group's
        mean is its repeat purchase rate, 重复购买率), ``purchases_12m``
        (购买频率), ``tenure_years`` (购买时间), ``share_of_wallet``
        (购买支出份额), ``choice_minutes`` (挑选时间), ``trust``
        (情感上的信任与支持), ``referrals_12m`` (潜在客户推荐数量),
        ``competitor_interest`` (对企业竞争对手的态度),
        ``price_quality_tolerance`` (对价格或质量的态度); with ``by`` also
        ``customers``.

    Raises
    ------
    CRMInputError
        If a column is missing, not numeric or out of range (purchases below 1,
        a share outside 0–1, negative minutes or referrals), a customer id
        repeats, or ``by`` is neither a column nor a Series on the survey's index.

    Notes
    -----
    The list of eight is the lecture plan's (四、客户忠诚度的衡量指标): (一)
    repeat purchase rate, (二) purchase time and frequency, (三) share of
    spend, (四) choice time, (五) emotional trust and support, (六) number
    of potential customers referred, (七) attitude to competitors, (八)
    attitude to price or quality. The first four are behaviour, the last four
    attitude (Dick & Basu's two sides of loyalty).

    References
    ----------
    Dick and Basu (1994), given in full under :func:`classify_loyalty`.

    Examples
    --------
    >>> s = pd.DataFrame({"customer_id": [1, 2, 3, 4], "purchases_12m": [1, 3, 5, 2],
    ...                   "tenure_years": [0.5, 2, 6, 1], "share_of_wallet": [0.2, 0.5, 0.9, 0.4],
    ...                   "choice_minutes": [20, 12, 5, 15], "trust": [2, 5, 7, 4],
    ...                   "referrals_12m": [0, 1, 3, 0], "competitor_interest": [6, 4, 1, 5],
    ...                   "price_quality_tolerance": [2, 4, 6, 3], "segment": ["a", "a", "b", "b"]})
    >>> loyalty_indicators(s).loc[3, ["repeat_purchase", "trust", "referrals_12m"]].tolist()
    [1.0, 7.0, 3.0]
    >>> loyalty_indicators(s, by="segment")[["customers", "repeat_purchase", "share_of_wallet"]].round(2)
             customers  repeat_purchase  share_of_wallet
    segment
    a                2              0.5             0.35
    b                2              1.0             0.65
    """
    items = {"purchases_12m": purchases_col, "tenure_years": tenure_col, "share_of_wallet": share_col,
             "choice_minutes": choice_time_col, "trust": trust_col, "referrals_12m": referrals_col,
             "competitor_interest": competitor_col, "price_quality_tolerance": tolerance_col}
    if all(col is None for col in items.values()):
        raise CRMInputError("loyalty_indicators: every indicator column is None; name at least one, "
                            "e.g. trust_col='trust'.")
    roles = {f"{_INDICATOR_ROLES[k]}_col": col for k, col in items.items()}
    df = LOYALTY_SURVEY.read(survey, arg="survey", respondent_col=customer_col, **roles)
    out = pd.DataFrame(index=pd.Index(df["respondent_id"].to_numpy(), name=customer_col))
    for name, col in items.items():
        if col is None:
            continue
        if name == "purchases_12m":
            out["repeat_purchase"] = (df[name].to_numpy() >= 2).astype(float)
        out[name] = df[name].to_numpy()
    if standardise:
        sd = out.std(ddof=1).replace(0, np.nan)
        out = (out - out.mean()) / sd * LOYALTY_INDICATORS.loc[out.columns, "direction"].to_numpy()
    if by is None:
        return out
    groups = _groups(survey, by)
    g = out.groupby(groups.to_numpy(), sort=True)
    res = g.mean()
    res.insert(0, "customers", g.size())
    res.index.name = groups.name
    return res


def _groups(survey: pd.DataFrame, by) -> pd.Series:
    if isinstance(by, str):
        require_columns(survey, {"by": by}, arg="survey")
        groups = survey[by]
    elif isinstance(by, pd.Series) and len(by) == len(survey) and by.index.equals(survey.index):
        groups = by
    else:
        raise CRMInputError(f"argument `by`: must be a column of `survey` or a Series on the survey's index; "
                            f"found {type(by).__name__}. Pass e.g. by='segment' or "
                            "by=classify_loyalty(survey)['loyalty_type'].")
    if groups.isna().any():
        raise CRMInputError(f"argument `by`: {int(groups.isna().sum())} customers have no group; "
                            "fill or drop them first.")
    return groups.rename(groups.name if groups.name is not None else "group")
