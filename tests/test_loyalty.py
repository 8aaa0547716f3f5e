"""Tests of crm_lessons.loyalty: hand-computed panels, simulation truth, independent computations."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from crm_lessons import loyalty as L
from crm_lessons._validation import CRMInputError
from crm_lessons.datasets import load_ketchup, load_yogurt
from crm_lessons.simulate import simulate_survey
from crm_lessons.simulate.panel import DEFAULT_TRANSITION, simulate_brand_panel

# household 1: a a b a ; household 2: b b ; household 3: c (one purchase), rows shuffled
HAND = pd.DataFrame({
    "customer_id": [2, 1, 1, 3, 1, 2, 1],
    "occasion": [2, 3, 1, 1, 2, 1, 4],
    "choice": ["b", "b", "a", "c", "a", "b", "a"],
    "date": pd.to_datetime(["2024-01-11", "2024-01-21", "2024-01-01", "2024-01-05", "2024-01-11",
                            "2024-01-01", "2024-02-20"]),
    "price_a": [1.0, 1.0, 1.0, 1.0, 2.0, 1.0, 1.0],
    "price_b": [0.5, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0],
    "price_c": [3.0, 3.0, 3.0, 0.5, 3.0, 3.0, 3.0],
})


def test_household_loyalty_by_hand():
    h = L.household_loyalty(HAND, date_col="date", price_prefix="price_")
    assert h.loc[1, "n_purchases"] == 4 and h.loc[1, "n_brands"] == 2
    assert h.loc[1, "favourite"] == "a" and h.loc[1, "favourite_share"] == 0.75
    assert h.loc[1, "repeat_rate"] == pytest.approx(1 / 3)       # a->a repeat, a->b, b->a
    assert h.loc[1, "longest_run"] == 2
    assert h.loc[1, "mean_interval_days"] == pytest.approx((10 + 10 + 30) / 3)
    # cheapest: occ1 a@1 vs 2,3 yes; occ2 a@2 vs b 2 -> tie counts as cheapest; occ3 b@2 vs a 1 no; occ4 yes
    assert h.loc[1, "cheapest_share"] == pytest.approx(3 / 4)
    assert h.loc[2, "repeat_rate"] == 1.0 and h.loc[2, "cheapest_share"] == pytest.approx(0.5)
    assert np.isnan(h.loc[3, "repeat_rate"])
    assert h.loc[3, "longest_run"] == 1


def test_favourite_tie_goes_to_first_bought():
    panel = pd.DataFrame({"customer_id": [1, 1], "occasion": [1, 2], "choice": ["z", "a"]})
    assert L.household_loyalty(panel).loc[1, "favourite"] == "z"


def test_brand_loyalty_by_hand():
    b = L.brand_loyalty(HAND)
    assert b.loc["a", "purchases"] == 3 and b.loc["b", "purchases"] == 3 and b.loc["c", "purchases"] == 1
    assert b.loc["b", "penetration"] == pytest.approx(2 / 3)
    assert b.loc["b", "purchase_frequency"] == pytest.approx(1.5)
    assert b.loc["b", "repeat_buyers"] == pytest.approx(0.5)      # household 2 bought b twice, 1 once
    assert b.loc["b", "share_of_category"] == pytest.approx(3 / 6)  # buyers 1 and 2 made 6 purchases
    assert b.loc["b", "sole_buyers"] == pytest.approx(0.5)
    assert b.loc["a", "repeat_probability"] == pytest.approx(0.5)  # a->a, a->b
    assert np.isnan(b.loc["c", "repeat_probability"])


def test_switching_matrix_by_hand_and_order():
    counts = L.switching_matrix(HAND, normalize=False)
    expected = pd.DataFrame([[1, 1, 0], [1, 1, 0], [0, 0, 0]], index=["a", "b", "c"], columns=["a", "b", "c"])
    np.testing.assert_array_equal(counts.to_numpy(), expected.to_numpy())
    P = L.switching_matrix(HAND)
    assert P.loc["a"].tolist() == [0.5, 0.5, 0.0]
    assert P.loc["c"].isna().all()          # never left: NaN, not zero
    # row order instead of occasion order gives a different (wrong) answer
    by_rows = L.switching_matrix(HAND, order_col=None, normalize=False)
    assert not by_rows.equals(counts)


def test_switching_matrix_recovers_generating_matrix():
    panel, truth = simulate_brand_panel(3000, n_purchases=12, seed=3)
    P = L.switching_matrix(panel)
    np.testing.assert_allclose(P.to_numpy(), truth["transition"].to_numpy(), atol=0.02)
    pi = L.steady_state(P)
    np.testing.assert_allclose(pi, truth["steady_state"], atol=0.02)


def test_steady_state_vs_matrix_power():
    P = DEFAULT_TRANSITION
    pi = L.steady_state(P)
    limit = np.linalg.matrix_power(P.to_numpy(), 200)
    np.testing.assert_allclose(pi, limit[0], atol=1e-10)
    np.testing.assert_allclose(pi.to_numpy() @ P.to_numpy(), pi, atol=1e-12)
    proj = L.project_shares(P, [1, 0, 0, 0], periods=5)
    np.testing.assert_allclose(proj.loc[5], np.linalg.matrix_power(P.to_numpy(), 5)[0])
    np.testing.assert_allclose(L.project_shares(P, pi, periods=3).loc[3], pi, atol=1e-12)


def test_yogurt_switching_vs_loop_and_power():
    y = load_yogurt()
    counts = L.switching_matrix(y, normalize=False)
    loop = {}
    for _, g in y.sort_values(["customer_id", "occasion"]).groupby("customer_id"):
        c = g["choice"].astype(str).tolist()
        for a, b in zip(c[:-1], c[1:]):
            loop[(a, b)] = loop.get((a, b), 0) + 1
    for (a, b), n in loop.items():
        assert counts.loc[a, b] == n
    assert counts.to_numpy().sum() == len(y) - y["customer_id"].nunique()
    P = L.switching_matrix(y)
    pi = L.steady_state(P)
    np.testing.assert_allclose(pi, np.linalg.matrix_power(P.to_numpy(), 500)[0], atol=1e-8)
    assert list(pi.index) == ["yoplait", "dannon", "hiland", "weight"]
    b = L.brand_loyalty(y)
    assert b["purchases"].to_dict() == {"yoplait": 818, "dannon": 970, "hiland": 71, "weight": 553}


def test_ketchup_indicators_run():
    k = load_ketchup()
    h = L.household_loyalty(k, price_prefix="price_")
    assert len(h) == 300 and h["favourite_share"].between(0, 1).all()
    assert h["n_purchases"].sum() == len(k)


def test_panel_bad_inputs():
    with pytest.raises(CRMInputError, match="column 'brand' \\(given as choice_col\\) is missing"):
        L.switching_matrix(HAND, choice_col="brand")
    dup = pd.DataFrame({"customer_id": [1, 1], "occasion": [1, 1], "choice": ["a", "b"]})
    with pytest.raises(CRMInputError, match="occasions must be unique; found \\(1, 1\\) twice"):
        L.household_loyalty(dup)
    single = pd.DataFrame({"customer_id": [1, 2], "occasion": [1, 1], "choice": ["a", "b"]})
    with pytest.raises(CRMInputError, match="no household has two or more purchases"):
        L.switching_matrix(single)
    with pytest.raises(CRMInputError, match="no price column for"):
        L.household_loyalty(HAND.drop(columns="price_c"), price_prefix="price_")
    with pytest.raises(CRMInputError, match="values must not be missing"):
        L.brand_loyalty(HAND.assign(choice=[None, "a", "a", "c", "a", "b", "a"]))


def test_markov_bad_inputs():
    with pytest.raises(CRMInputError, match="summing to 1"):
        L.steady_state([[0.5, 0.4], [0.5, 0.5]])
    with pytest.raises(CRMInputError, match="NaN rows"):
        L.steady_state(L.switching_matrix(HAND))
    with pytest.raises(CRMInputError, match="no unique steady state"):
        L.steady_state(np.eye(2))
    with pytest.raises(CRMInputError, match="argument `initial`"):
        L.project_shares(DEFAULT_TRANSITION, [0.5, 0.5])
    with pytest.raises(CRMInputError, match="square matrix"):
        L.steady_state(np.ones((2, 3)) / 3)


# ----------------------------------------------------------------- satisfaction -> repurchase
def test_repurchase_curve_matches_sklearn_and_truth():
    survey, truth = simulate_survey(8000, seed=4)
    curve = L.RepurchaseCurve().fit(survey)
    lr = LogisticRegression(C=np.inf, tol=1e-10, max_iter=1000).fit(
        survey[["overall_satisfaction"]], survey["repurchase"])
    assert curve.params_["slope"] == pytest.approx(lr.coef_[0, 0], abs=1e-4)
    assert curve.params_["intercept"] == pytest.approx(lr.intercept_[0], abs=1e-4)
    t = curve.table_
    obs = survey.groupby("overall_satisfaction")["repurchase"].agg(["size", "mean"])
    np.testing.assert_allclose(t["repurchase_rate"], obs["mean"])
    big = t[t["n"] >= 300]
    true = truth["repurchase_by_satisfaction"].reindex(big.index)
    assert ((big["ci_low"] - 0.01 <= true) & (true <= big["ci_high"] + 0.01)).all()
    # satisfied may not be loyal: even top-box customers often do not repurchase
    assert t.loc[7, "repurchase_rate"] < 0.9
    ax = curve.plot()
    assert ax.get_xlabel() == "Overall satisfaction"


def test_repurchase_curve_bad_inputs():
    with pytest.raises(CRMInputError, match="values must be <= 1"):
        L.RepurchaseCurve().fit(pd.DataFrame({"overall_satisfaction": [1, 2], "repurchase": [0, 2]}))
    with pytest.raises(CRMInputError, match="both repurchasers and non-repurchasers"):
        L.RepurchaseCurve().fit(pd.DataFrame({"overall_satisfaction": [1, 2], "repurchase": [1, 1]}))
    with pytest.raises(CRMInputError, match="did not converge"):
        L.RepurchaseCurve().fit(pd.DataFrame({"overall_satisfaction": [1, 2, 6, 7], "repurchase": [0, 0, 1, 1]}))
    with pytest.raises(CRMInputError, match="not fitted yet"):
        L.RepurchaseCurve().predict([1])


# ----------------------------------------------------------------- loyalty types
def test_loyalty_types_table():
    assert set(L.LOYALTY_TYPES["loyalty_type_zh"]) >= {"垄断忠诚", "惰性忠诚", "价格忠诚", "激励忠诚", "超值忠诚"}


def test_classify_loyalty_rules_and_simulated_survey():
    survey, _ = simulate_survey(3000, seed=1)
    out = L.classify_loyalty(survey)
    assert set(out["loyalty_type"]) == set(L.LOYALTY_TYPES.index)
    rep = survey["repurchase"].to_numpy()
    high = survey["overall_satisfaction"].to_numpy() >= 6
    assert ((out["loyalty_type"] == "super_value") == (rep & high)).all()
    assert ((out["loyalty_type"] == "latent") == (~rep & high)).all()
    mono = out["loyalty_type"] == "monopoly"
    assert (survey.loc[mono, "switching_cost"] >= 5).all()
    # skipping a rule moves its customers to the next rule
    no_switch = L.classify_loyalty(survey, switching_cost_col=None)
    assert (no_switch["loyalty_type"] != "monopoly").all()
    assert out.loc[mono, "loyalty_type_zh"].eq("垄断忠诚").all()


def test_classify_loyalty_bad_inputs():
    survey, _ = simulate_survey(20, seed=1)
    with pytest.raises(CRMInputError, match=r"column 'loyal' \(given as behaviour_col\) is missing"):
        L.classify_loyalty(survey, behaviour_col="loyal")
    with pytest.raises(CRMInputError, match="argument `attitude_threshold`"):
        L.classify_loyalty(survey, attitude_threshold="high")


def test_choice_time_indicator():
    panel = HAND.assign(seconds=[10, 20, 30, 5, 40, 60, 50])
    h = L.household_loyalty(panel, choice_time_col="seconds")
    assert h.loc[1, "mean_choice_time"] == pytest.approx((20 + 30 + 40 + 50) / 4)
    assert h.loc[2, "mean_choice_time"] == pytest.approx(35)
    with pytest.raises(CRMInputError, match=r"column 'seconds' \(choice_time_col\), row 0: values must be >= 0"):
        L.household_loyalty(panel.assign(seconds=-1), choice_time_col="seconds")


def test_bad_dates_are_named():
    with pytest.raises(CRMInputError, match=r"column 'date' \(date_col\), row 0: values must be dates"):
        L.household_loyalty(HAND.assign(date="soon"), date_col="date")
