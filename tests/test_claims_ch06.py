"""Claims of lessons 6.x: each sentence stating a number or direction holds for other seeds and sizes."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score
from sklearn.model_selection import train_test_split

from crm_lessons import credit
from crm_lessons import segmentation as seg
from crm_lessons.datasets import load_credit_card, load_credit_data
from crm_lessons.simulate import simulate_card_transactions
from lesson_exec import call_at_range_ends, run_lesson

L62 = "06.02-Customer-Analysis-Structure-Value-Credit"
SEEDS = [0, 7, 42]


# --------------------------------------------------------------------------- 6.2

def test_62_top_spender_traits_on_the_real_data():
    cards = load_credit_card()
    h = cards[cards["card"]]
    top = h["expenditure"] >= h["expenditure"].quantile(0.8)
    index = 100 * h.loc[top].mean(numeric_only=True) / h.mean(numeric_only=True)
    assert index["income"] > 110 and index["owner"] > 105 and index["dependents"] > 105
    assert all(90 < index[c] < 110 for c in ("age", "majorcards", "active"))
    assert index["reports"] > 100                      # "more derogatory reports"
    assert (h["expenditure"] > 0).mean() > 0.9 and h["expenditure"].skew() > 1   # skewed right
    assert cards.groupby("card")["reports"].mean().diff().iloc[-1] < 0   # refused had more reports


@pytest.mark.parametrize("seed", SEEDS)
def test_62_tree_depth_claims(seed):
    apps = load_credit_data()
    cols = ["seniority", "home", "time", "age", "marital", "records", "job", "expenses", "income",
            "assets", "debt", "amount", "price"]
    X = credit.credit_features(apps, columns=cols)
    y = apps["bad"].astype(int)
    Xt, Xv, yt, yv = train_test_split(X, y, test_size=0.5, stratify=y, random_state=seed)
    assert abs(yt.mean() - yv.mean()) < 0.001           # stratified: same bad rate
    d = credit.tree_by_depth(Xt, yt, Xv, yv, depths=range(1, 9), tolerance=0.01, seed=seed)
    # "Training AUC keeps rising with depth; validation AUC flattens"
    assert (d["auc_train"].diff().dropna() > -1e-9).all()
    gain_late = d["auc_valid"].iloc[-1] - d["auc_valid"].iloc[3]
    gain_early = d["auc_valid"].iloc[3] - d["auc_valid"].iloc[0]
    assert gain_late < 0.25 * gain_early
    assert d["auc_train"].iloc[-1] - d["auc_valid"].iloc[-1] > 0.05   # fits its own group better
    assert d.attrs["chosen_depth"] <= d.attrs["best_depth"]


@pytest.mark.parametrize("seed,n", [(0, 500), (7, 2000), (42, 2000), (3, 1000)])
def test_62_simulated_book_claims(seed, n):
    book, truth = simulate_card_transactions(n, seed=seed, months=6)
    cust = book["customers"]
    # "in the simulation multi-card holders are worth more"
    by_cards = cust.groupby("n_cards")["profit"].mean()
    assert by_cards.is_monotonic_increasing
    behaviour = cust.set_index("customer_id")[["on_time_rate", "revolve_rate", "months_90_late"]]
    km = seg.kmeans_segments(behaviour, k=3, seed=seed, log=False)
    # "the clusters recover the true classes closely"
    assert adjusted_rand_score(truth["credit_class"], km.labels) > 0.7
    means = behaviour.groupby(km.labels).mean()
    late = means["months_90_late"].idxmax()
    profit = cust.set_index("customer_id")["profit"].groupby(km.labels).mean()
    assert profit[late] < 0 and (profit.drop(late) > 0).all()   # "late payers lose money on average"


def test_62_lesson_runs_and_widget_ends():
    ns = run_lesson(L62, n_customers=500)
    assert ns["policy"]["decision"].isin(["accept", "decline"]).all()
    call_at_range_ends(ns["explore"], {"max_depth": (1, 12), "min_leaf": (1, 200),
                                       "margin": (0.01, 0.5), "loss": (0.05, 1.0)})


# --------------------------------------------------------------------------- 6.3

L63 = "06.03-Customer-Analysis-Association-Cross-Selling-Fraud"


def test_63_spend_and_income_claims():
    cards = load_credit_card()
    s = cards[cards["card"] & (cards["expenditure"] > 0)]
    corr = s[["income", "age", "dependents", "owner", "selfemp", "active", "majorcards"]].apply(
        lambda c: c.corr(s["expenditure"], method="spearman"))
    assert corr.abs().idxmax() == "income" and corr["income"] > 0     # "spend rises with income"
    assert (corr.drop("income").abs() < corr["income"] / 2).all()     # "other traits matter less"
    slope = np.polyfit(np.log(s["income"]), np.log(s["expenditure"]), 1)[0]
    assert 0 < slope < 1                                               # "an elasticity below one"


def _holdings():
    from crm_lessons import association as assoc
    from crm_lessons.datasets import load_caravan
    car = load_caravan()
    h = (car[list(assoc.CARAVAN_PRODUCTS)] > 0).rename(columns=assoc.CARAVAN_PRODUCTS)
    h["caravan"] = car["purchase"]
    return h


@pytest.mark.parametrize("seed", SEEDS)
def test_63_rule_claims(seed):
    from crm_lessons import association as assoc
    h = _holdings()
    half = np.random.default_rng(seed).random(len(h)) < 0.5
    r = assoc.rules_on_holdout(assoc.association_rules(h[half], min_support=0.01, min_confidence=0.3), h[~half])
    farm = {"tractor", "third party (agriculture)"}
    top = r.head(4)
    # "the strongest rules tie the farm products together: few customers, very high lift"
    assert all(farm & ({c} | set(a)) for a, c in zip(top["antecedent"], top["consequent"]))
    assert (top["lift"] > 10).all() and (top["support"] < 0.03).all()
    # "rules with large support tie car, fire and private third-party cover"
    big = r.sort_values("support", ascending=False).head(3)
    assert all(({c} | set(a)) <= {"car", "fire", "private third party"} for a, c in zip(big["antecedent"], big["consequent"]))
    # "no rule into caravan reaches 30% confidence"; the best cross-sell rule beats the base rate on the holdout
    assert not (r["consequent"] == "caravan").any()
    into = assoc.association_rules(h[half], min_support=0.005, min_confidence=0.08)
    into = assoc.rules_on_holdout(into[into["consequent"] == "caravan"], h[~half])
    assert into.iloc[0]["confidence_holdout"] > h.loc[~half, "caravan"].mean()


@pytest.mark.parametrize("seed,n", [(7, 500), (42, 2000), (3, 1000)])
def test_63_fraud_claims(seed, n):
    from crm_lessons import fraud
    book, truth = simulate_card_transactions(n, seed=seed)
    tx, y = book["transactions"], truth["is_fraud"]
    f = fraud.transaction_features(tx)
    m = f.groupby(y).mean()
    assert (m.loc[True] > m.loc[False]).all()        # fraud is more unusual on every feature
    for method in ("isolation_forest", "robust_sum"):
        best = fraud.fraud_cost_table(y, fraud.anomaly_scores(f, method=method, seed=seed), tx["amount"],
                                      review_cost=20).attrs["best"]
        assert best["precision"] < 0.5                # "most alerts are still false alarms"
        assert best["total_cost"] < tx.loc[y, "amount"].sum()


def test_63_lesson_runs_and_widget_ends():
    ns = run_lesson(L63, n_customers=500)
    call_at_range_ends(ns["explore"], {"review": (1.0, 200.0), "method": ("isolation_forest", "robust_sum")})
