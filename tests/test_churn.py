"""Tests of crm_lessons.churn: simulated truth, sklearn, independent calculations, the seed's terms."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from crm_lessons._validation import CRMInputError
from crm_lessons.churn import (
    ChurnModel,
    CHURN_CAUSES,
    IDENTIFICATION_INDICATORS,
    ChurnType,
    auc,
    calibration_table,
    churn_types,
    convert_churn_rate,
    early_warning_list,
    fit_churn_models,
    gains_table,
    period_churn_rates,
    threshold_table,
    winback_priority,
)
from crm_lessons.simulate import simulate_subscriptions

FEATURES = ["contract", "monthly_charge", "support_calls", "usage_trend", "tenure"]


@pytest.fixture(scope="module")
def big_fit():
    data, truth = simulate_subscriptions(300_000, seed=21, snapshot=True, heterogeneity=False)
    res = fit_churn_models(data, feature_cols=FEATURES, importance_repeats=0, calibrate=False, C=100.0)
    return data, truth, res


# --------------------------------------------------------------------------- course terms
def test_six_churn_types_and_four_bases_follow_the_seed():
    seed_types = ["企业主动放弃的客户", "自己主动离开的客户", "被竞争对手挖走的客户", "被竞争对手吸引走的客户",
                  "被迫离开的客户", "其他原因离开的客户"]
    assert churn_types()["chinese"].tolist() == seed_types
    assert [t.chinese for t in ChurnType] == seed_types
    assert IDENTIFICATION_INDICATORS["chinese"].tolist() == ["以客户为基础", "以市场为基础", "以企业财务为基础",
                                                              "以企业竞争力为基础"]
    assert len(CHURN_CAUSES) == 6


# --------------------------------------------------------------------------- churn measures
def test_period_churn_rates_match_a_loop():
    rng = np.random.default_rng(4)
    n = 300
    start = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D")
    length = pd.to_timedelta(rng.integers(0, 500, n), unit="D")
    end = (start + length).where(rng.random(n) < 0.6)
    end = end.where(end <= pd.Timestamp("2024-06-30"))
    value = rng.uniform(10, 100, n).round(2)
    subs = pd.DataFrame({"start_date": start, "end_date": end, "fee": value})
    res = period_churn_rates(subs, value_col="fee")
    for p in res.index[::3]:
        sp, ep = subs["start_date"].dt.to_period("M"), subs["end_date"].dt.to_period("M")
        active = (sp <= p) & (ep.isna() | (ep >= p))
        churned = ep == p
        assert res.loc[p, "active"] == active.sum()
        assert res.loc[p, "churned"] == churned.sum()
        assert res.loc[p, "revenue_churn_rate"] == pytest.approx(subs.loc[churned, "fee"].sum()
                                                                 / subs.loc[active, "fee"].sum())


def test_period_churn_rate_recovers_simulated_hazard():
    data, truth = simulate_subscriptions(200_000, seed=8, heterogeneity=False, coefficients={})
    res = period_churn_rates(data[data["contract"] == "month-to-month"])
    _, a, b = truth["segments"]["month-to-month"]
    # with no heterogeneity every month-to-month customer churns with a / (a + b) a month
    assert res["churn_rate"].iloc[-12:].mean() == pytest.approx(a / (a + b), rel=0.03)


def test_convert_churn_rate():
    assert convert_churn_rate(0.02) == pytest.approx(1 - 0.98 ** 12)
    assert convert_churn_rate(convert_churn_rate(0.05), from_periods=12, to_periods=1) == pytest.approx(0.05)
    with pytest.raises(CRMInputError, match="must be a probability"):
        convert_churn_rate(5)


def test_period_churn_rates_bad_inputs():
    subs = pd.DataFrame({"start_date": pd.to_datetime(["2024-03-01"]), "end_date": pd.to_datetime(["2024-01-31"])})
    with pytest.raises(CRMInputError, match=r"^argument `subscriptions`, column 'end_date' \(end_col\), row 0: the end date must not be before the start date; found 2024-01-31"):
        period_churn_rates(subs)
    with pytest.raises(CRMInputError, match="column 'fee' \\(given as value_col\\) is missing"):
        period_churn_rates(subs, value_col="fee")


# --------------------------------------------------------------------------- evaluation
def test_auc_matches_sklearn_with_ties():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 500)
    s = np.round(rng.random(500) + 0.3 * y, 1)          # many ties
    assert auc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)


def test_gains_table_matches_independent_qcut():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 1000)
    s = rng.random(1000) + 0.5 * y
    g = gains_table(y, s)
    df = pd.DataFrame({"y": y, "s": s})
    df["decile"] = pd.qcut(df["s"].rank(method="first", ascending=False), 10, labels=range(1, 11))
    ind = df.groupby("decile", observed=True)["y"].agg(["size", "sum"])
    np.testing.assert_array_equal(g["churners"], ind["sum"])
    np.testing.assert_allclose(g["lift"], (ind["sum"] / ind["size"]) / y.mean())
    np.testing.assert_allclose(g["cum_churners_share"], ind["sum"].cumsum() / y.sum())
    assert g["cum_churners_share"].iloc[-1] == pytest.approx(1.0)


def test_calibration_and_threshold_tables():
    y = np.array([1, 0, 1, 0, 0, 1, 0, 0])
    p = np.array([0.9, 0.8, 0.7, 0.3, 0.2, 0.6, 0.1, 0.05])
    c = calibration_table(y, p, n_bins=2)
    assert c["observed_rate"].tolist() == [0.0, 0.75]
    t = threshold_table(y, p, thresholds=[0.5, 0.75])
    # at 0.5: flagged 0.9, 0.8, 0.7, 0.6 -> 3 hits of 3 churners, 1 false alarm of 5 stayers
    assert t["hit_rate"].tolist() == [1.0, 1 / 3]
    assert t["false_alarm_rate"].tolist() == [0.2, 0.2]
    assert t["precision"].tolist() == [0.75, 0.5]


def test_evaluation_bad_inputs():
    with pytest.raises(CRMInputError, match="needs both churners"):
        auc([0, 0, 0], [0.1, 0.2, 0.3])
    with pytest.raises(CRMInputError, match="equal length"):
        gains_table([0, 1], [0.1, 0.2, 0.3])
    with pytest.raises(CRMInputError, match="values must be 0/1"):
        auc([0, 2, 1], [0.1, 0.2, 0.3])
    with pytest.raises(CRMInputError, match="between 0 and 1"):
        calibration_table([0, 1], [0.5, 3.0])


# --------------------------------------------------------------------------- churn models
def test_logistic_regression_recovers_true_coefficients(big_fit):
    data, truth, res = big_fit
    coef = res.coefficients.set_index("feature")["coefficient_per_unit"]
    for name, true in truth["coefficients"].items():
        assert coef[name] == pytest.approx(true, abs=max(0.1 * abs(true), 0.002)), name
    assert abs(coef["tenure"]) < 0.006          # no duration dependence without heterogeneity (SE ~ 0.0015)
    ic = truth["intercepts"]
    assert coef["contract_one-year"] == pytest.approx(ic["one-year"] - ic["month-to-month"], abs=0.1)
    assert coef["contract_two-year"] == pytest.approx(ic["two-year"] - ic["month-to-month"], abs=0.15)


def test_churn_model_probabilities_match_truth(big_fit):
    data, truth, res = big_fit
    p_true = truth["p_churn"].loc[res.X_test.index].to_numpy()
    p_lr = res.test_scores["logistic regression"].to_numpy()
    assert np.corrcoef(p_true, p_lr)[0, 1] > 0.98
    # the AUC of the true probabilities bounds what any model can reach
    best = roc_auc_score(res.y_test, p_true)
    m = res.metrics.set_index("model")
    assert m.loc["logistic regression", "auc"] == pytest.approx(best, abs=0.01)
    assert m.loc["gradient boosting", "auc"] > best - 0.02
    cal = res.calibration("logistic regression")
    np.testing.assert_allclose(cal["observed_rate"], cal["mean_predicted"], atol=0.01)
    assert m.loc["logistic regression", "top_decile_capture"] == pytest.approx(
        res.gains("logistic regression")["cum_churners_share"].iloc[0])


def test_fit_churn_models_small_with_importance_and_yes_no_target():
    data, _ = simulate_subscriptions(20_000, seed=3, snapshot=True)
    data["churn"] = np.where(data["churned"], "Yes", "No")
    res = fit_churn_models(data, target_col="churn", feature_cols=FEATURES, importance_repeats=2)
    assert len(res.X_test) == pytest.approx(0.25 * len(data), abs=1)
    assert set(res.importance["feature"]) == set(FEATURES)
    top = res.importance[res.importance["model"] == "logistic regression"].iloc[0]["feature"]
    assert top in {"contract", "usage_trend"}
    # batched permutation importance agrees with scikit-learn's (different shuffles: loose tolerance)
    from sklearn.inspection import permutation_importance
    sk = permutation_importance(res.models["logistic regression"], res.X_test, res.y_test, scoring="roc_auc",
                                n_repeats=5, random_state=0)
    ours = res.importance[res.importance["model"] == "logistic regression"].set_index("feature").loc[FEATURES]
    se = np.sqrt(ours["importance_std"] ** 2 / 2 + sk.importances_std ** 2 / 5)
    assert (np.abs(ours["importance_mean"] - sk.importances_mean) < 3 * se + 0.005).all()
    assert np.allclose(res.predict_proba(data.head(5)), res.models["logistic regression"]
                       .predict_proba(data.head(5)[FEATURES])[:, 1])


def test_fit_churn_models_bad_inputs():
    data, _ = simulate_subscriptions(2_000, seed=3, snapshot=True)
    with pytest.raises(CRMInputError, match="column 'churn' \\(given as target_col\\) is missing"):
        fit_churn_models(data, target_col="churn")
    with pytest.raises(CRMInputError, match="the outcome must have two values"):
        fit_churn_models(data, target_col="support_calls", feature_cols=["usage_trend"])
    with pytest.raises(CRMInputError, match="argument `test_size`"):
        fit_churn_models(data, feature_cols=["usage_trend"], test_size=1.5)
    with pytest.raises(CRMInputError, match="column 'age' \\(given as feature_cols\\[1\\]\\) is missing"):
        fit_churn_models(data, feature_cols=["usage_trend", "age"])
    with pytest.raises(CRMInputError, match="argument `models`: must be one of"):
        fit_churn_models(data, feature_cols=["usage_trend"], models=("random forest",))
    only_lr = fit_churn_models(data, feature_cols=["usage_trend"], models=("logistic regression",),
                               importance_repeats=0)
    assert only_lr.test_scores.columns.tolist() == ["logistic regression"]


# --------------------------------------------------------------------------- acting on scores
def test_early_warning_list_and_winback():
    s = pd.DataFrame({"customer_id": [1, 2, 3, 4], "churn_probability": [0.1, 0.9, 0.4, 0.6]})
    ew = early_warning_list(s, threshold=0.4)
    assert ew["customer_id"].tolist() == [2, 4, 3]
    assert ew["rank"].tolist() == [1, 2, 3]
    lost = pd.DataFrame({"customer_id": [1, 2, 3, 4], "remaining_value": [100.0, 900.0, 500.0, 2000.0],
                         "reason": ["poached", "forced", "attracted_away", "dropped_by_firm"]})
    w = winback_priority(lost, cost=10.0)
    # by hand: 1: 100*.2-10=10; 2: 900*.05-10=35; 3: 500*.3-10=140; 4: 0-10=-10
    assert w["customer_id"].tolist() == [3, 2, 1, 4]
    assert w["expected_gain"].tolist() == pytest.approx([140.0, 35.0, 10.0, -10.0])
    assert w["pursue"].tolist() == [True, True, True, False]
    assert lost.columns.tolist() == ["customer_id", "remaining_value", "reason"]   # input unchanged
    w2 = winback_priority(lost.assign(reason="price"), winback_rates={"price": 0.5})
    assert w2["customer_id"].tolist() == [4, 2, 3, 1]
    with pytest.raises(CRMInputError, match="no win-back rate for reason\\(s\\) \\['price'\\]"):
        winback_priority(lost.assign(reason="price"))
    with pytest.raises(CRMInputError, match="must be a probability"):
        winback_priority(lost.assign(reason="price"), winback_rates={"price": 1.5})
    with pytest.raises(CRMInputError, match="column 'score' \\(given as score_col\\) is missing"):
        early_warning_list(s, threshold=0.5, score_col="score")


def test_churn_model_follows_the_scikit_learn_contract():
    from sklearn.base import clone
    from sklearn.model_selection import cross_val_score

    data, _ = simulate_subscriptions(3000, seed=5, snapshot=True, heterogeneity=False)
    X, y = data[FEATURES], data["churned"].astype(int)
    res = fit_churn_models(data, feature_cols=FEATURES, importance_repeats=0)
    for name, model in res.models.items():  # the models of fit_churn_models are these estimators
        assert isinstance(model, ChurnModel) and model.kind == name
        twin = clone(model).fit(res.X_test, res.y_test)
        assert twin is not model and twin.get_params() == model.get_params()
    lr = ChurnModel(C=0.3).fit(X, y)
    assert list(lr.classes_) == [0, 1]
    assert ((lr.predict_proba(X)[:, 1] > 0.5).astype(int) == lr.predict(X)).all()
    assert lr.coefficients()["feature"].iloc[0] == "(intercept)"
    from sklearn.model_selection import StratifiedKFold
    auc_cv = cross_val_score(ChurnModel(), X, y, cv=StratifiedKFold(3, shuffle=True, random_state=0),
                             scoring="roc_auc")
    # cross-validated AUC close to the held-out AUC of fit_churn_models (folds of 1,000 customers: SE ~0.02)
    assert abs(auc_cv.mean() - res.metrics.set_index("model").loc["logistic regression", "auc"]) < 0.08
    with pytest.raises(CRMInputError, match="argument `kind`: must be one of"):
        ChurnModel("random forest").fit(X, y)
    with pytest.raises(CRMInputError, match="coefficients exist for the logistic regression only"):
        ChurnModel("gradient boosting", calibrate=False).fit(X, y).coefficients()
