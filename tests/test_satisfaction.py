"""Tests of crm_lessons.satisfaction against independent calculations and simulation truth."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.linear_model import LinearRegression

from crm_lessons import satisfaction as S
from crm_lessons._validation import CRMInputError
from crm_lessons.simulate import simulate_survey, simulate_survey_log


@pytest.fixture(scope="module")
def big():
    return simulate_survey(20_000, seed=11)


@pytest.fixture(scope="module")
def small():
    return simulate_survey(600, seed=5)


# ----------------------------------------------------------------- gaps
def test_gaps_are_experience_minus_expectation(small):
    survey, truth = small
    gaps = S.satisfaction_gaps(survey, keep=["overall_satisfaction"])
    assert list(gaps.columns) == truth["attributes"] + ["overall_satisfaction"]
    for a in truth["attributes"]:
        np.testing.assert_array_equal(gaps[a], survey[f"{a}_experience"] - survey[f"{a}_expectation"])


def test_gap_table_matches_paired_t_interval(small):
    survey, _ = small
    table = S.gap_table(survey)
    g = survey["service_experience"] - survey["service_expectation"]
    ci = stats.ttest_1samp(g, 0).confidence_interval(0.95)
    assert table.loc["service", "gap"] == pytest.approx(g.mean())
    assert table.loc["service", "ci_low"] == pytest.approx(ci.low)
    assert table.loc["service", "ci_high"] == pytest.approx(ci.high)
    assert table.loc["service", "share_below"] == pytest.approx((g < 0).mean())
    assert table["gap"].is_monotonic_increasing


def test_gap_table_recovers_population_gaps(big):
    survey, truth = big
    table = S.gap_table(survey)
    for a, true_gap in truth["mean_gap"].items():
        assert table.loc[a, "ci_low"] - 0.01 <= true_gap <= table.loc[a, "ci_high"] + 0.01


def test_gaps_bad_inputs():
    with pytest.raises(CRMInputError, match="no attribute columns ending in"):
        S.satisfaction_gaps(pd.DataFrame({"x": [1]}))
    with pytest.raises(CRMInputError, match=r"column 'price_experience' \(for attribute 'price'\) is missing"):
        S.satisfaction_gaps(pd.DataFrame({"price_expectation": [1]}), attributes=["price"])
    with pytest.raises(CRMInputError, match="expected a pandas DataFrame"):
        S.gap_table([1, 2])


# ----------------------------------------------------------------- indices
def test_likert_index_by_hand():
    df = pd.DataFrame({"a": [1, 7, 4], "b": [5, 1, 4]})
    idx = S.likert_index(df, ["a", "b"], scale=(1, 5 + 2))
    np.testing.assert_allclose(idx, [100 * (0 + 4 / 6) / 2, 50, 50])
    rev = S.likert_index(df, ["a", "b"], reverse=["b"])
    np.testing.assert_allclose(rev, [100 * (0 + 2 / 6) / 2, 100, 50])
    five = S.likert_index(pd.DataFrame({"q": [1, 3, 5]}), "q", scale=(1, 5))
    assert five.tolist() == [0.0, 50.0, 100.0]


def test_likert_index_bad_inputs():
    df = pd.DataFrame({"a": [1, 8]})
    with pytest.raises(CRMInputError, match=r"column 'a' \(items\), row 1: values must be <= 7; found 8"):
        S.likert_index(df, ["a"])
    with pytest.raises(CRMInputError, match="argument `reverse`"):
        S.likert_index(df, ["a"], reverse=["b"], scale=(1, 9))
    with pytest.raises(CRMInputError, match="argument `scale`"):
        S.likert_index(df, ["a"], scale=(7, 1))


# ----------------------------------------------------------------- CSAT
def test_csat_wilson_matches_scipy(small):
    survey, _ = small
    res = S.csat(survey, level=0.9)
    k = int((survey["overall_satisfaction"] >= 6).sum())
    ci = stats.binomtest(k, len(survey)).proportion_ci(0.9, method="wilson")
    assert res["csat"] == pytest.approx(k / len(survey))
    assert res["ci_low"] == pytest.approx(ci.low)
    assert res["ci_high"] == pytest.approx(ci.high)


def test_csat_interval_close_to_row_bootstrap(small):
    survey, _ = small
    rng = np.random.default_rng(1)
    top = (survey["overall_satisfaction"].to_numpy() >= 6)
    boot = top[rng.integers(0, len(top), size=(4000, len(top)))].mean(axis=1)
    lo, hi = np.quantile(boot, [0.025, 0.975])
    res = S.csat(survey)
    assert res["ci_low"] == pytest.approx(lo, abs=0.006)
    assert res["ci_high"] == pytest.approx(hi, abs=0.006)
    res_b = S.csat(survey, method="bootstrap", n_boot=4000, seed=2)
    assert res_b["ci_low"] == pytest.approx(lo, abs=0.006)


def test_csat_covers_population_truth(big):
    survey, truth = big
    res = S.csat(survey)
    assert res["ci_low"] <= truth["csat"] <= res["ci_high"]


def test_csat_wilson_coverage():
    rng = np.random.default_rng(3)
    p, n = 0.2, 150
    hits = 0
    for k in rng.binomial(n, p, size=400):
        res = S.csat(pd.DataFrame({"overall_satisfaction": np.r_[np.full(k, 7), np.full(n - k, 3)]}))
        hits += res["ci_low"] <= p <= res["ci_high"]
    assert 0.92 <= hits / 400 <= 0.98


def test_csat_bad_inputs():
    df = pd.DataFrame({"overall_satisfaction": [1, 9]})
    with pytest.raises(CRMInputError, match="must be <= 7; found 9"):
        S.csat(df)
    with pytest.raises(CRMInputError, match="satisfaction_col"):
        S.csat(pd.DataFrame({"sat": [1]}))
    with pytest.raises(CRMInputError, match="argument `method`"):
        S.csat(pd.DataFrame({"overall_satisfaction": [1]}), method="exact")
    with pytest.raises(CRMInputError, match="argument `level`"):
        S.csat(pd.DataFrame({"overall_satisfaction": [1]}), level=95)


# ----------------------------------------------------------------- NPS
def test_nps_by_hand():
    df = pd.DataFrame({"recommend": [10, 9, 8, 7, 6, 3, 10, 9, 9, 5]})
    res = S.nps(df)
    assert res["nps"] == pytest.approx(20.0)
    assert res["se"] == pytest.approx(100 * np.sqrt((0.5 + 0.3 - 0.2 ** 2) / 10))


def test_nps_se_matches_row_bootstrap(small):
    survey, _ = small
    rng = np.random.default_rng(4)
    r = survey["recommend"].to_numpy()
    score = np.where(r >= 9, 100, np.where(r <= 6, -100, 0))
    boot = score[rng.integers(0, len(r), size=(4000, len(r)))].mean(axis=1)
    res = S.nps(survey)
    assert res["nps"] == pytest.approx(score.mean())
    assert res["se"] == pytest.approx(boot.std(), rel=0.06)
    # the NPS is the mean of +100/0/-100 scores: its se is that of a mean
    assert res["se"] == pytest.approx(score.std() / np.sqrt(len(r)), rel=1e-9)
    res_b = S.nps(survey, method="bootstrap", n_boot=4000, seed=1)
    lo, hi = np.quantile(boot, [0.025, 0.975])
    assert res_b["ci_low"] == pytest.approx(lo, abs=1.0)
    assert res_b["ci_high"] == pytest.approx(hi, abs=1.0)


def test_nps_covers_population_truth(big):
    survey, truth = big
    res = S.nps(survey)
    assert res["ci_low"] <= truth["nps"] <= res["ci_high"]
    assert res["promoters"] == pytest.approx(truth["promoters"], abs=0.01)


def test_nps_wald_coverage():
    rng = np.random.default_rng(5)
    probs, n = [0.3, 0.3, 0.4], 200
    true = 100 * (probs[0] - probs[2])
    hits = 0
    for c in rng.multinomial(n, probs, size=400):
        df = pd.DataFrame({"recommend": np.repeat([10, 8, 2], c)})
        res = S.nps(df)
        hits += res["ci_low"] <= true <= res["ci_high"]
    assert 0.92 <= hits / 400 <= 0.98


def test_nps_bad_inputs():
    with pytest.raises(CRMInputError, match=r"column 'recommend' \(recommend_col\), row 0: values must be <= 10"):
        S.nps(pd.DataFrame({"recommend": [11]}))
    with pytest.raises(CRMInputError, match="values must be numbers"):
        S.nps(pd.DataFrame({"recommend": ["ten"]}))


# ----------------------------------------------------------------- seven indicators
def test_indicators_from_survey_and_log():
    (data, truth) = simulate_survey_log(3000, seed=2)
    survey, tx = data["survey"], data["transactions"]
    ind = S.satisfaction_indicators(survey, tx)
    assert list(ind.index) == ["reputation", "brand_naming", "return_rate", "complaint_rate",
                               "spend_per_transaction", "price_sensitivity", "referral_rate"]
    counts = tx.groupby("customer_id").size()
    assert ind.loc["return_rate", "value"] == pytest.approx((counts > 1).mean())
    assert ind.loc["complaint_rate", "value"] == pytest.approx(tx["complaint"].mean())
    assert ind.loc["spend_per_transaction", "value"] == pytest.approx(tx["amount"].mean())
    assert ind.loc["referral_rate", "value"] == pytest.approx(S.nps(survey)["promoters"])
    assert ind.loc["price_sensitivity", "value"] == pytest.approx(
        100 * ((survey["price_sensitivity"] - 1) / 6).mean())
    assert (ind["source"] != "").all()
    # spend per transaction follows the true curve 40 + 6 (S - 4)
    merged = tx.merge(survey[["customer_id", "overall_satisfaction"]], on="customer_id")
    by_s = merged.groupby("overall_satisfaction")["amount"].mean()
    for s in (3, 4, 5):
        assert by_s[s] == pytest.approx(truth["spend_mean"][s], rel=0.06)


def test_indicators_without_log_say_so():
    survey, _ = simulate_survey(100, seed=1)
    ind = S.satisfaction_indicators(survey)
    assert ind.loc["return_rate", "source"] == "survey (stated)"
    assert ind.loc["complaint_rate", "source"].startswith("not available")
    assert np.isnan(ind.loc["complaint_rate", "value"])
    ind2 = S.satisfaction_indicators(survey.drop(columns="brand_named"))
    assert ind2.loc["brand_naming", "source"] == "not available: no survey column 'brand_named'"


def test_indicators_bad_log():
    survey, _ = simulate_survey(20, seed=1)
    with pytest.raises(CRMInputError, match=r"argument `transactions`: column 'amount'"):
        S.satisfaction_indicators(survey, pd.DataFrame({"customer_id": [1]}))


# ----------------------------------------------------------------- IPA
def test_ipa_quadrants_by_hand():
    df = pd.DataFrame({
        "a_experience": [2, 3], "a_importance": [7, 7],
        "b_experience": [6, 7], "b_importance": [7, 6],
        "c_experience": [2, 2], "c_importance": [2, 3],
        "d_experience": [7, 6], "d_importance": [3, 2],
    })
    ipa = S.importance_performance(df, importance="stated")
    assert ipa["quadrant"].to_dict() == {"a": "Concentrate here", "b": "Keep up the good work",
                                         "c": "Low priority", "d": "Possible overkill"}
    assert ipa.loc["a", "quadrant_zh"] == "重点改进区"
    assert ipa.attrs["split"] == pytest.approx(((7 + 6.5 + 2.5 + 2.5) / 4, (2.5 + 6.5 + 2 + 6.5) / 4))


def test_ipa_derived_is_correlation(small):
    survey, _ = small
    ipa = S.importance_performance(survey)
    r = stats.pearsonr(survey["price_experience"], survey["overall_satisfaction"]).statistic
    assert ipa.loc["price", "importance"] == pytest.approx(r)
    assert ipa.loc["price", "performance"] == pytest.approx(survey["price_experience"].mean())
    ax = S.plot_importance_performance(ipa)
    assert ax.get_title() == "Importance-performance analysis"


def test_ipa_bad_inputs(small):
    survey, _ = small
    with pytest.raises(CRMInputError, match="argument `importance`"):
        S.importance_performance(survey, importance="asked")
    with pytest.raises(CRMInputError, match="satisfaction_col"):
        S.importance_performance(survey, satisfaction_col="overall")


# ----------------------------------------------------------------- drivers
def test_driver_analysis_recovers_true_weights(big):
    survey, truth = big
    data = S.satisfaction_gaps(survey, keep=["overall_satisfaction"])
    model = S.DriverAnalysis().fit(data, drivers=truth["attributes"])
    est = model.params_[truth["attributes"]]
    np.testing.assert_allclose(est, truth["weights"], atol=0.02)
    summ = model.summary_
    inside = (summ["ci_low"] - 0.01 <= truth["weights"]) & (truth["weights"] <= summ["ci_high"] + 0.01)
    assert inside.all()
    # the three most important drivers by LMG are the three with the largest true weights
    assert set(summ["lmg"].nlargest(3).index) == set(truth["weights"].nlargest(3).index)
    assert summ["lmg"].sum() == pytest.approx(model.r2_)
    assert summ["relative_weight"].sum() == pytest.approx(model.r2_)


def test_driver_ols_matches_sklearn_and_bootstrap(small):
    survey, truth = small
    data = S.satisfaction_gaps(survey, keep=["overall_satisfaction"])
    X, y = data[truth["attributes"]].to_numpy(float), data["overall_satisfaction"].to_numpy(float)
    model = S.DriverAnalysis().fit(data, drivers=truth["attributes"])
    lr = LinearRegression().fit(X, y)
    np.testing.assert_allclose(model.params_.iloc[1:], lr.coef_, atol=1e-10)
    assert model.params_["intercept"] == pytest.approx(lr.intercept_)
    assert model.r2_ == pytest.approx(lr.score(X, y))
    rng = np.random.default_rng(0)
    boots = []
    for _ in range(300):
        i = rng.integers(0, len(y), len(y))
        boots.append(np.linalg.lstsq(np.column_stack([np.ones(len(i)), X[i]]), y[i], rcond=None)[0])
    np.testing.assert_allclose(model.se_, np.std(boots, axis=0), rtol=0.2)
    std = lr.coef_ * X.std(axis=0, ddof=1) / y.std(ddof=1)
    np.testing.assert_allclose(model.summary_["std_coef"], std)
    np.testing.assert_allclose(model.predict(data), lr.predict(X))


def test_lmg_two_drivers_by_hand():
    rng = np.random.default_rng(1)
    x1 = rng.normal(size=500)
    x2 = 0.6 * x1 + rng.normal(size=500)
    y = x1 + 0.5 * x2 + rng.normal(size=500)
    df = pd.DataFrame({"x1": x1, "x2": x2, "y": y})

    def r2(cols):
        return LinearRegression().fit(df[cols], df["y"]).score(df[cols], df["y"])

    model = S.DriverAnalysis().fit(df, drivers=["x1", "x2"], target_col="y")
    full = r2(["x1", "x2"])
    expected = 0.5 * (r2(["x1"]) + full - r2(["x2"]))
    assert model.summary_.loc["x1", "lmg"] == pytest.approx(expected)
    # uncorrelated drivers: LMG and relative weights both equal the squared correlations
    z = pd.DataFrame({"a": [1, -1, 1, -1, 1, -1, 1, -1.0], "b": [1, 1, -1, -1, 1, 1, -1, -1.0]})
    z["y"] = 2 * z["a"] + z["b"] + np.array([0.1, -0.2, 0.0, 0.3, -0.1, 0.2, 0.05, -0.35])
    m = S.DriverAnalysis().fit(z, drivers=["a", "b"], target_col="y")
    r = z.corr()["y"][["a", "b"]] ** 2
    np.testing.assert_allclose(m.summary_["lmg"], r, atol=1e-10)
    np.testing.assert_allclose(m.summary_["relative_weight"], r, atol=1e-10)


def test_driver_bad_inputs():
    df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 4, 6, 8], "c": [1, 1, 1, 1], "y": [1, 3, 2, 4]})
    with pytest.raises(CRMInputError, match="perfectly collinear"):
        S.DriverAnalysis().fit(df, drivers=["a", "b"], target_col="y")
    with pytest.raises(CRMInputError, match=r"\['c'\] do not vary"):
        S.DriverAnalysis().fit(df, drivers=["a", "c"], target_col="y")
    with pytest.raises(CRMInputError, match="needs more respondents than drivers"):
        S.DriverAnalysis().fit(df.head(3), drivers=["a", "c"], target_col="y")
    with pytest.raises(CRMInputError, match=r"column 'zz' \(listed in drivers\) is missing"):
        S.DriverAnalysis().fit(df, drivers=["zz"], target_col="y")
    with pytest.raises(CRMInputError, match="not fitted yet"):
        S.DriverAnalysis().predict(df)


def test_ipa_gap_performance(small):
    survey, _ = small
    ipa = S.importance_performance(survey, performance="gap")
    gaps = S.gap_table(survey)["gap"]
    np.testing.assert_allclose(ipa["performance"], gaps.reindex(ipa.index))
    assert ipa.attrs["performance"] == "gap"
    # quality is above the average experience but below expectation: the gap view flags it
    assert ipa.loc["product_quality", "quadrant"] == "Concentrate here"
    with pytest.raises(CRMInputError, match="argument `performance`"):
        S.importance_performance(survey, performance="level")


def test_listed_columns_missing():
    df = pd.DataFrame({"a": [1, 2]})
    with pytest.raises(CRMInputError, match=r"argument `survey`: column 'b' \(listed in items\) is missing"):
        S.likert_index(df, ["a", "b"])
    with pytest.raises(CRMInputError, match=r"column 'y' \(listed in keep\) is missing"):
        S.satisfaction_gaps(pd.DataFrame({"q_expectation": [1], "q_experience": [2]}), keep=["y"])


def test_driver_analysis_follows_the_scikit_learn_contract():
    from sklearn.base import clone
    from sklearn.model_selection import cross_val_score

    data, truth = simulate_survey(1500, seed=4)
    drivers = [f"{a}_experience" for a in truth["attributes"]]
    model = S.DriverAnalysis(level=0.9)
    assert model.fit(data, drivers=drivers) is model
    twin = clone(model).fit(data[drivers], data["overall_satisfaction"])  # the X, y form gives the same fit
    assert np.allclose(twin.params_.to_numpy(), model.params_.to_numpy())
    assert twin.get_params()["level"] == 0.9
    assert model.score(data, data["overall_satisfaction"]) == pytest.approx(model.r2_)
    scores = cross_val_score(S.DriverAnalysis(), data[drivers], data["overall_satisfaction"], cv=3)
    assert scores.min() > model.r2_ - 0.1
    with pytest.raises(CRMInputError, match="argument `y`: needs one outcome per row"):
        S.DriverAnalysis().fit(data[drivers], data["overall_satisfaction"].head(10))
