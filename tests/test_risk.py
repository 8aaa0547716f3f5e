"""Risk management (crm_lessons.risk) and the account simulator: values against independent calculations and truth."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons import churn, risk
from crm_lessons._validation import CRMInputError
from crm_lessons.datasets import load_default
from crm_lessons.simulate import simulate_account_months


@pytest.fixture(scope="module")
def pd_model():
    df = load_default()
    return churn.fit_churn_models(df, target_col="default", feature_cols=["balance", "income", "student"],
                                  seed=42, models=("logistic regression",), importance_repeats=0)


def test_pd_model_held_out_auc_and_cost_optimal_cutoff(pd_model):
    auc = pd_model.metrics.set_index("model").loc["logistic regression", "auc"]
    assert 0.93 < auc < 0.96                      # ISLR's logistic model of Default: AUC about 0.95
    y = pd_model.y_test.to_numpy()
    p = pd_model.test_scores["logistic regression"].to_numpy()
    table = risk.cutoff_table(y, p, pd_model.X_test["balance"].to_numpy(), lgd=0.6, margin=0.1)
    best = table.loc[table["profit"].idxmax(), "threshold"]
    theory = risk.break_even_cutoff(margin=0.1, lgd=0.6)          # 0.143
    assert abs(best - theory) <= 0.05, (best, theory)
    # the realised profit at the theoretical cut-off is within 5% of the best cut-off's
    at_theory = table.iloc[(table["threshold"] - theory).abs().argmin()]["profit"]
    assert at_theory > 0.95 * table["profit"].max()
    # declining nobody (cut-off above every PD) = the book's profit
    none = risk.cutoff_table(y, p, pd_model.X_test["balance"].to_numpy(), lgd=0.6, margin=0.1, thresholds=[1.01])
    e = pd_model.X_test["balance"].to_numpy()
    assert np.isclose(none["profit"].iloc[0], (0.1 * e * (1 - y)).sum() - (0.6 * e * y).sum())


def test_grades_rank_default_rates(pd_model):
    y = pd_model.y_test.to_numpy()
    g = risk.risk_grades(pd_model.test_scores["logistic regression"])
    rates = pd.Series(y).groupby(np.asarray(g)).mean()
    assert rates.is_monotonic_increasing


def test_expected_loss_and_break_even():
    assert np.allclose(risk.expected_loss([0.1], lgd=0.45, ead=[2000.0]), 90.0)
    p = risk.break_even_cutoff(margin=0.08, lgd=0.5)
    assert np.isclose((1 - p) * 0.08 - p * 0.5, 0)                 # keep and decline earn the same
    with pytest.raises(CRMInputError, match="argument `pd_values` or `lgd`"):
        risk.expected_loss([1.2], lgd=0.5, ead=[1.0])
    with pytest.raises(CRMInputError, match="argument `edges`"):
        risk.risk_grades([0.1], edges=(0.2, 0.1), labels=("A", "B", "C"))


def test_compare_responses_by_simulation():
    rng = np.random.default_rng(1)
    p = rng.beta(1, 12, size=3000)
    e = rng.gamma(2.0, 500.0, size=3000)
    kw = dict(lgd=0.6, margin=0.1, cutoff=0.15)
    t = risk.compare_responses(p, e, **kw)
    high = p >= 0.15
    defaults = rng.random((2000, p.size)) < p
    for policy, keep, expo, share in (("none", 1, e, 0), ("reduce", 1, np.where(high, 0.5 * e, e), 0),
                                      ("transfer", 1, e, np.where(high, 0.8, 0))):
        loss = (defaults * (0.6 * expo * (1 - share))).sum(axis=1)
        assert abs(loss.mean() - t.loc[policy, "expected_loss"]) < 0.02 * t.loc[policy, "expected_loss"]
        assert abs(loss.std() - t.loc[policy, "loss_sd"]) < 0.06 * t.loc[policy, "loss_sd"]
    assert t.loc["avoid", "accounts"] == (~high).sum()
    assert t.loc["transfer", "loss_sd"] < t.loc["none", "loss_sd"]
    assert t.loc["transfer", "expected_profit"] < t.loc["none", "expected_profit"]   # the loading is paid


@pytest.mark.parametrize("seed", [1, 42])
def test_warning_rules_against_known_defaults(seed):
    data, truth = simulate_account_months(2000, seed=seed)
    acc = truth["accounts"]
    assert 0.06 < acc["defaulted"].mean() < 0.10
    lead = acc["default_month"] - acc["onset_month"]
    assert lead.dropna().between(2, 6).all()
    flags = risk.warning_flags(data, {"late": lambda d: d["days_past_due"] >= 30,
                                      "never": lambda d: d["utilisation"] > 2})
    perf = risk.warning_performance(flags, acc)
    assert perf.loc["never", "hit_rate"] == 0 and perf.loc["never", "false_alarm_rate"] == 0
    assert perf.loc["late", "hit_rate"] > 0.7                   # deterioration shows as late payment
    # hits are warned no earlier than the onset can explain plus noise: by hand for one defaulter
    bad = acc[acc["defaulted"]].iloc[0]
    own = data[(data["account_id"] == bad["account_id"]) & (data["days_past_due"] >= 30)]
    expected = own["month"].min() if len(own) else np.nan
    assert flags.loc[bad["account_id"], "late"] == expected or (np.isnan(expected) and np.isnan(flags.loc[bad["account_id"], "late"]))


def test_register_scores():
    reg = risk.risk_register(risk.RISK_REGISTER)
    assert (reg["score"] == reg["likelihood"] * reg["impact"]).all()
    assert reg["score"].is_monotonic_decreasing
    assert set(reg["risk_type"]) == {"market", "operational", "legal"}
    with pytest.raises(CRMInputError, match="column 'impact'"):
        risk.risk_register(risk.RISK_REGISTER.assign(impact=9))


def test_risk_types_have_the_corrected_mapping():
    t = risk.RISK_TYPES
    assert "拖欠" in t.loc["credit", "events"] and "欺诈" in t.loc["credit", "events"]
    assert "价格波动" in t.loc["market", "events"]
    assert "系统故障" in t.loc["operational", "events"]
    assert "隐私保护" in t.loc["legal", "events"]
