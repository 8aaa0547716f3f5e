"""Credit tree helpers and the profit cube against independent calculations."""

import numpy as np
import pandas as pd
import pytest
from sklearn.tree import DecisionTreeClassifier

from crm_lessons import credit, cube
from crm_lessons._validation import CRMInputError


def test_leaf_rules_partition_and_rates():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"income": rng.normal(100, 30, 600), "records": rng.random(600) < 0.2})
    X = credit.credit_features(X, columns=["income", "records"])
    y = ((X["income"] < 80) | (X["records"] == 1)).astype(int)
    tree = DecisionTreeClassifier(max_depth=2).fit(X, y)
    r = credit.leaf_rules(tree, X, y)
    assert r["applicants"].sum() == 600 and r["bad"].sum() == y.sum()
    assert set(r["bad_rate"].round(6)) <= {0.0, 1.0}          # a perfect split of this rule
    assert any("records" in rule and "not" not in rule for rule in r["rule"])


def test_group_balance_formula():
    a = pd.DataFrame({"x": [1.0, 2, 3, 4]})
    b = pd.DataFrame({"x": [2.0, 3, 4, 5]})
    d = credit.group_balance(a, b, columns=["x"]).loc["x", "std_difference"]
    assert d == pytest.approx(-1 / np.sqrt((a["x"].var() + b["x"].var()) / 2))


def test_tree_by_depth_detects_signal_and_needs_both_classes():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(1000, 3))
    y = (X[:, 0] > 0.5).astype(int)
    t = credit.tree_by_depth(X[:500], y[:500], X[500:], y[500:], depths=[1, 2, 3])
    assert t.loc[0, "auc_valid"] > 0.95 and t.attrs["chosen_depth"] == 1
    with pytest.raises(CRMInputError, match="both good and bad"):
        credit.tree_by_depth(X[:10], np.zeros(10), X[10:20], y[10:20])


def test_limit_policy_break_even():
    b = pd.DataFrame({"decile": [1, 2], "churn_rate": [0.3, 0.2]})
    p = credit.limit_policy(b, margin=0.1, loss_given_default=0.3)
    assert p.attrs["break_even"] == pytest.approx(0.25)
    assert p["decision"].tolist() == ["decline", "accept"]      # above and below break-even 0.25


def test_profit_cube_equals_groupby_sums():
    rng = np.random.default_rng(3)
    f = pd.DataFrame({"seg": rng.choice(list("ab"), 200), "prod": rng.choice(list("xyz"), 200),
                      "region": rng.choice(["N", "S"], 200), "profit": rng.normal(10, 5, 200)})
    c = cube.profit_cube(f, rows=["seg", "prod"], columns="region")
    g = f.groupby(["seg", "prod", "region"])["profit"].sum()
    for (s, p, r), v in g.items():
        assert c.loc[(s, p), r] == pytest.approx(v)
    assert c.loc[("All", ""), "All"] == pytest.approx(f["profit"].sum())
    assert c["All"].drop(("All", "")).sum() == pytest.approx(f["profit"].sum())
