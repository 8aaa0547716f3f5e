"""Credit analysis of customers (客户信用分析): a validated decision tree, score bands, limits.

The slides' bank example (C73) splits a million depositors into two groups of
*equal structure* (實驗組/對照組), grows a decision tree on the first and checks
it on the second. That is a **training/validation split** (训练集/验证集), not an
experiment: nobody is treated differently. This module supplies the pieces a
lesson needs around scikit-learn's tree:

* :func:`group_balance` -- do the two groups have the same structure?
* :func:`tree_by_depth` -- training and validation AUC for each tree depth,
  so that the depth is chosen on the validation group;
* :func:`leaf_rules` -- the tree's leaves as readable rules with their bad rates;
* :func:`limit_policy` -- turn score bands into an accept/limit decision from
  the margin earned on a good account and the loss on a bad one.

Score bands themselves come from :func:`crm_lessons.churn.gains_table`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.tree import DecisionTreeClassifier

from crm_lessons._validation import CRMInputError, check_dataframe, check_number, require_columns

__all__ = ["credit_features", "group_balance", "tree_by_depth", "leaf_rules", "limit_policy"]


def credit_features(df: pd.DataFrame, *, columns) -> pd.DataFrame:
    """Numeric design matrix for a tree: numbers as they are, categories and flags as 0/1 columns.

    Parameters
    ----------
    df : DataFrame
        Applicants, one row each.
    columns : list of str
        Columns to use. ``bool`` columns become 0/1; ``category``/``object``
        columns become one 0/1 column per level named ``<column>=<level>``;
        missing numbers stay NaN (scikit-learn's trees route them).

    Returns
    -------
    DataFrame
        Float columns, same index as ``df``.

    Examples
    --------
    >>> df = pd.DataFrame({"home": pd.Categorical(["rent", "owner"]), "age": [30, 41],
    ...                    "records": [True, False]})
    >>> credit_features(df, columns=["age", "home", "records"]).columns.tolist()
    ['age', 'records', 'home=owner', 'home=rent']
    """
    check_dataframe(df, arg="df")
    require_columns(df, list(columns), arg="df")
    num, dummies = {}, []
    for col in columns:
        s = df[col]
        if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            num[col] = s.astype("float64")
        else:
            levels = s.cat.categories if isinstance(s.dtype, pd.CategoricalDtype) else pd.unique(s.dropna())
            for level in levels:
                dummies.append(((s == level) & s.notna()).astype("float64").rename(f"{col}={level}"))
    return pd.concat([pd.DataFrame(num, index=df.index), *dummies], axis=1)


def group_balance(first: pd.DataFrame, second: pd.DataFrame, *, columns,
                  names=("training", "validation")) -> pd.DataFrame:
    """Compare the structure of two groups: mean of each column and the standardised difference.

    The standardised difference of column :math:`x` is
    :math:`d = (\\bar x_1 - \\bar x_2) / \\sqrt{(s_1^2 + s_2^2)/2}`; :math:`|d| < 0.1`
    is the usual sign of balance (Austin, 2009). Apply it to the columns of
    :func:`credit_features` (0/1 columns give shares).

    Parameters
    ----------
    first, second : DataFrame
        The two groups.
    columns : list of str
        Numeric columns to compare (missing values are skipped).
    names : tuple of two str
        Column labels of the two groups' means.

    Returns
    -------
    DataFrame
        Index ``columns``; the two means, ``std_difference``, ``balanced`` (:math:`|d| < 0.1`).

    References
    ----------
    Austin, P. C. (2009). Balance diagnostics for comparing the distribution of
    baseline covariates between treatment groups. *Statistics in Medicine*, 28, 3083-3107.

    Examples
    --------
    >>> a = pd.DataFrame({"age": [30.0, 40, 50]}); b = pd.DataFrame({"age": [31.0, 39, 52]})
    >>> group_balance(a, b, columns=["age"]).round(3)
         training  validation  std_difference  balanced
    age      40.0      40.667          -0.065      True
    """
    check_dataframe(first, arg="first")
    check_dataframe(second, arg="second")
    require_columns(first, list(columns), arg="first")
    require_columns(second, list(columns), arg="second")
    m1, m2 = first[columns].mean(), second[columns].mean()
    pooled = np.sqrt((first[columns].var() + second[columns].var()) / 2)
    d = (m1 - m2) / pooled.replace(0, np.nan)
    out = pd.DataFrame({names[0]: m1, names[1]: m2, "std_difference": d.fillna(0.0)})
    out["balanced"] = out["std_difference"].abs() < 0.1
    return out


def tree_by_depth(X_train, y_train, X_valid, y_valid, *, depths=range(1, 9),
                  min_samples_leaf: int = 25, tolerance: float = 0.01, seed: int = 0) -> pd.DataFrame:
    """Grow a decision tree of each depth and score it on both groups by AUC.

    Depth is chosen on the *validation* group: training AUC keeps rising with
    depth (the tree learns the training group's noise), validation AUC stops
    rising. The chosen depth is the smallest whose validation AUC is within
    ``tolerance`` of the best (a simpler tree that is nearly as good, in the
    spirit of the one-standard-error rule of Breiman et al., 1984).

    Parameters
    ----------
    X_train, y_train, X_valid, y_valid : array-like
        Features (numeric, NaN allowed) and 0/1 outcomes (1 = bad) of the two groups.
    depths : iterable of int
        Maximum depths to try.
    min_samples_leaf : int, default 25
        Fewest applicants in a leaf.
    tolerance : float, default 0.01
        AUC a simpler tree may give up against the best one.
    seed : int, default 0
        ``random_state`` of the trees.

    Returns
    -------
    DataFrame
        ``depth, leaves, auc_train, auc_valid``; ``attrs["best_depth"]`` (highest
        validation AUC) and ``attrs["chosen_depth"]`` (smallest within ``tolerance``).

    References
    ----------
    Breiman, L., Friedman, J. H., Olshen, R. A. & Stone, C. J. (1984).
    *Classification and Regression Trees*. Wadsworth.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 2)); y = (X[:, 0] + rng.normal(size=400) > 1).astype(int)
    >>> t = tree_by_depth(X[:200], y[:200], X[200:], y[200:], depths=[1, 2, 3])
    >>> t.columns.tolist(), bool((t["auc_valid"] > 0.7).all())
    (['depth', 'leaves', 'auc_train', 'auc_valid'], True)
    """
    check_number(min_samples_leaf, "min_samples_leaf", min_value=1, integer=True)
    check_number(tolerance, "tolerance", min_value=0)
    y_train, y_valid = np.asarray(y_train).astype(int), np.asarray(y_valid).astype(int)
    if len(np.unique(y_train)) < 2 or len(np.unique(y_valid)) < 2:
        raise CRMInputError("arguments `y_train`, `y_valid`: each group needs both good and bad "
                            "cases; found only one class. Use a stratified split.")
    rows = []
    for depth in depths:
        check_number(depth, "depths", min_value=1, integer=True)
        tree = DecisionTreeClassifier(max_depth=int(depth), min_samples_leaf=int(min_samples_leaf),
                                      random_state=seed).fit(X_train, y_train)
        rows.append({"depth": int(depth), "leaves": int(tree.get_n_leaves()),
                     "auc_train": roc_auc_score(y_train, tree.predict_proba(X_train)[:, 1]),
                     "auc_valid": roc_auc_score(y_valid, tree.predict_proba(X_valid)[:, 1])})
    out = pd.DataFrame(rows)
    best = out["auc_valid"].max()
    out.attrs["best_depth"] = int(out.loc[out["auc_valid"].idxmax(), "depth"])
    out.attrs["chosen_depth"] = int(out.loc[out["auc_valid"] >= best - tolerance, "depth"].min())
    return out


def leaf_rules(tree: DecisionTreeClassifier, X: pd.DataFrame, y) -> pd.DataFrame:
    """The leaves of a fitted tree as rules, with the applicants and bad rate of ``X, y`` in each.

    Parameters
    ----------
    tree : DecisionTreeClassifier
        Fitted on columns named like ``X``'s.
    X : DataFrame
        Applicants to count (training or validation group).
    y : array-like
        Their 0/1 outcomes (1 = bad).

    Returns
    -------
    DataFrame
        One row per leaf, highest bad rate first: ``leaf`` (node id), ``rule``
        (conditions joined by "and"; "is missing" routes are named),
        ``applicants``, ``bad``, ``bad_rate``.

    Examples
    --------
    >>> X = pd.DataFrame({"income": [50.0, 60, 200, 220]}); y = [1, 1, 0, 0]
    >>> t = DecisionTreeClassifier(max_depth=1).fit(X, y)
    >>> leaf_rules(t, X, y)[["rule", "applicants", "bad_rate"]]
                rule  applicants  bad_rate
    0  income <= 130           2       1.0
    1   income > 130           2       0.0
    """
    check_dataframe(X, arg="X")
    t = tree.tree_
    names = list(X.columns)
    rules = {}

    def walk(node, conds):
        if t.children_left[node] == -1:
            rules[node] = " and ".join(conds) or "all applicants"
            return
        name, thr = names[t.feature[node]], t.threshold[node]
        shown = f"{thr:.4g}"
        if set(X[name].dropna().unique()) <= {0.0, 1.0}:      # a flag or a dummy: yes / no
            left, right = f"not {name}", name
        else:
            left, right = f"{name} <= {shown}", f"{name} > {shown}"
        miss_left = bool(getattr(t, "missing_go_to_left", np.zeros(t.node_count))[node])
        if X[name].isna().any():
            left, right = (f"({left} or missing)", right) if miss_left else (left, f"({right} or missing)")
        walk(t.children_left[node], conds + [left])
        walk(t.children_right[node], conds + [right])

    walk(0, [])
    leaf = tree.apply(X)
    y = np.asarray(y).astype(int)
    frame = pd.DataFrame({"leaf": leaf, "bad": y}).groupby("leaf")["bad"].agg(["size", "sum"])
    out = pd.DataFrame({"leaf": list(rules), "rule": list(rules.values())})
    out["applicants"] = out["leaf"].map(frame["size"]).fillna(0).astype(int)
    out["bad"] = out["leaf"].map(frame["sum"]).fillna(0).astype(int)
    out["bad_rate"] = out["bad"] / out["applicants"].replace(0, np.nan)
    return out.sort_values("bad_rate", ascending=False, kind="stable").reset_index(drop=True)


def limit_policy(bands: pd.DataFrame, *, margin: float, loss_given_default: float,
                 rate_col: str = "churn_rate", band_col: str = "decile") -> pd.DataFrame:
    """Accept or decline each score band, and scale its credit limit, by expected profit.

    For one yuan of credit line, a good account earns ``margin`` and a bad one
    loses ``loss_given_default``; with bad rate :math:`p` the expected profit per
    yuan is

    .. math:: \\pi(p) = m (1 - p) - L\\, p,

    positive when :math:`p < p^* = m / (m + L)` (the break-even bad rate). The
    limit multiplier is :math:`\\pi(p) / \\pi(\\bar p_{\\min})`, 1 for the best band
    and 0 where the band is declined.

    Parameters
    ----------
    bands : DataFrame
        Score bands, e.g. :func:`crm_lessons.churn.gains_table` of the bad
        outcome and a risk score (its ``churn_rate`` is then the band's bad rate).
    margin : float
        Profit per yuan of line on a good account (e.g. 0.08).
    loss_given_default : float
        Loss per yuan of line on a bad account (e.g. 0.6).
    rate_col, band_col : str
        Columns of the bad rate and of the band label.

    Returns
    -------
    DataFrame
        ``band, bad_rate, profit_per_yuan, decision`` (accept/decline),
        ``limit_multiplier``; ``attrs["break_even"]`` = :math:`p^*`.

    Examples
    --------
    >>> b = pd.DataFrame({"decile": [1, 2, 3], "churn_rate": [0.5, 0.1, 0.02]})
    >>> limit_policy(b, margin=0.1, loss_given_default=0.5).round(3)
       band  bad_rate  profit_per_yuan decision  limit_multiplier
    0     1      0.50           -0.200  decline             0.000
    1     2      0.10            0.040   accept             0.455
    2     3      0.02            0.088   accept             1.000
    """
    check_number(margin, "margin", min_value=0, strict=True)
    check_number(loss_given_default, "loss_given_default", min_value=0, strict=True)
    check_dataframe(bands, arg="bands")
    require_columns(bands, {"rate_col": rate_col, "band_col": band_col}, arg="bands")
    p = bands[rate_col].astype(float).to_numpy()
    profit = margin * (1 - p) - loss_given_default * p
    best = profit.max()
    mult = np.where(profit > 0, profit / best if best > 0 else 0.0, 0.0)
    out = pd.DataFrame({"band": bands[band_col].to_numpy(), "bad_rate": p, "profit_per_yuan": profit,
                        "decision": np.where(profit > 0, "accept", "decline"), "limit_multiplier": mult})
    out.attrs["break_even"] = margin / (margin + loss_given_default)
    return out
