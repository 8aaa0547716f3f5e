"""Tests of crm_lessons.retention: published sBG values, simulated truth, independent calculations."""

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2

from crm_lessons._validation import CRMInputError
from crm_lessons.models import ConvergenceError
from crm_lessons.retention import (
    ShiftedBetaGeometric,
    cohort_matrix,
    kaplan_meier,
    retention_curves,
    survivors_from_durations,
)
from crm_lessons.simulate import simulate_subscriptions

# Fader & Hardie (2007), "How to Project Customer Retention", survivors per 1000, years 0..12
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394]


# --------------------------------------------------------------------------- sBG
@pytest.mark.parametrize("data, alpha, beta", [(REGULAR, 0.704, 1.182), (HIGH_END, 0.668, 3.806)])
def test_sbg_reproduces_published_estimates(data, alpha, beta):
    sbg = ShiftedBetaGeometric().fit(data[:8])
    assert round(sbg.params_["alpha"], 3) == alpha
    assert round(sbg.params_["beta"], 3) == beta


@pytest.mark.parametrize("data, max_error", [(REGULAR, 3.5), (HIGH_END, 16.5)])
def test_sbg_projects_years_8_to_12(data, max_error):
    # the paper's projection tracks the regular group within ~3 customers per 1000 and
    # under-projects the high-end group slightly (its year-12 actual is 394, sBG gives 378)
    sbg = ShiftedBetaGeometric().fit(data[:8])
    proj = sbg.project(12, cohort_size=1000)
    err = proj["expected_survivors"].to_numpy()[8:] - np.array(data[8:])
    assert np.abs(err).max() < max_error
    assert proj["fitted"].sum() == 8


def test_sbg_likelihood_and_survival_match_recursion():
    # independent form: P(T=1) = a/(a+b), P(T=t) = (b+t-2)/(a+b+t-1) P(T=t-1); S(t) = 1 - sum P
    a, b = 0.7, 1.2
    p = [a / (a + b)]
    for t in range(2, 8):
        p.append(p[-1] * (b + t - 2) / (a + b + t - 1))
    p = np.array(p)
    surv = 1 - np.cumsum(p)
    s = np.array(REGULAR[:8], float)
    ll = np.dot(s[:-1] - s[1:], np.log(p)) + s[-1] * np.log(surv[-1])
    churned = s[:-1] - s[1:]
    censored = np.r_[np.zeros(6), s[-1]]
    assert ShiftedBetaGeometric.log_likelihood(a, b, churned, censored) == pytest.approx(ll, rel=1e-12)
    sbg = ShiftedBetaGeometric()
    sbg.params_ = {"alpha": a, "beta": b}
    sbg.n_periods_ = 7
    assert np.allclose(sbg.survival(np.arange(1, 8)), surv)
    assert np.allclose(sbg.churn_probability(np.arange(1, 8)), p)
    assert np.allclose(sbg.retention_rate(np.arange(1, 8)), surv / np.r_[1, surv[:-1]])


def test_sbg_fit_is_the_maximum_and_se_are_positive():
    sbg = ShiftedBetaGeometric().fit(REGULAR[:8])
    s = np.array(REGULAR[:8], float)
    churned, censored = s[:-1] - s[1:], np.r_[np.zeros(6), s[-1]]
    a, b = sbg.params_["alpha"], sbg.params_["beta"]
    for da, db in [(0.01, 0), (-0.01, 0), (0, 0.01), (0, -0.01)]:
        assert ShiftedBetaGeometric.log_likelihood(a + da, b + db, churned, censored) < sbg.log_likelihood_
    assert sbg.log_likelihood_ == pytest.approx(-1680.27, abs=0.01)
    assert 0 < sbg.se_["alpha"] < 0.2 and 0 < sbg.se_["beta"] < 0.5


def test_derl_and_lifetime_match_direct_sums():
    sbg = ShiftedBetaGeometric().fit(HIGH_END[:8])
    t = np.arange(0, 20_000)
    s = sbg.survival(t)
    for renewals in (0, 4):
        n = renewals + 1
        direct = np.sum(s[n:] / s[n - 1] * np.exp(-np.log(1.1) * (t[n:] - n)))
        assert sbg.derl(0.10, renewals=renewals) == pytest.approx(direct, rel=1e-6)
    # DERL rises with tenure: survivors are the loyal ones
    assert sbg.derl(0.10, renewals=4) > sbg.derl(0.10, renewals=0)
    fit = ShiftedBetaGeometric()
    fit.params_ = {"alpha": 3.0, "beta": 6.0}
    fit.n_periods_ = 1
    assert fit.expected_lifetime() == pytest.approx(fit.survival(t).sum(), rel=1e-6)  # E[T] = sum S(t)
    assert sbg.expected_lifetime() == np.inf


def test_sbg_recovers_simulated_truth():
    data, truth = simulate_subscriptions(150_000, seed=11, coefficients={}, n_periods=36)
    for seg, (_, alpha, beta) in truth["segments"].items():
        sub = data[data["contract"] == seg]
        sbg = ShiftedBetaGeometric().fit_durations(sub)
        for name, true in (("alpha", alpha), ("beta", beta)):
            est, se = sbg.params_[name], sbg.se_[name]
            assert abs(est - true) < 4 * se, (seg, name, est, true, se)


def test_survivors_from_durations_counts():
    d = pd.DataFrame({"tenure": [1, 1, 2, 3, 3, 3], "churned": [1, 0, 1, 1, 0, 0]})
    c = survivors_from_durations(d)
    assert c["churned"].tolist() == [1, 1, 1]
    assert c["censored"].tolist() == [1, 0, 2]
    # a single cohort observed to the same horizon gives the same fit either way
    s = np.array(REGULAR[:8])
    rows = [(t, 1) for t in range(1, 8) for _ in range(s[t - 1] - s[t])] + [(7, 0)] * s[7]
    df = pd.DataFrame(rows, columns=["tenure", "churned"])
    a = ShiftedBetaGeometric().fit_durations(df).params_
    b = ShiftedBetaGeometric().fit(s).params_
    assert a["alpha"] == pytest.approx(b["alpha"], rel=1e-5)
    assert a["beta"] == pytest.approx(b["beta"], rel=1e-5)


def test_sbg_bad_inputs():
    with pytest.raises(CRMInputError, match="survivors can only fall"):
        ShiftedBetaGeometric().fit([1000, 600, 700])
    with pytest.raises(CRMInputError, match="at least 3 counts"):
        ShiftedBetaGeometric().fit([1000, 600])
    with pytest.raises(CRMInputError, match="not fitted yet"):
        ShiftedBetaGeometric().survival(3)
    with pytest.raises(CRMInputError, match="values must be whole numbers"):
        survivors_from_durations(pd.DataFrame({"tenure": [1.5, 2], "churned": [1, 0]}))
    with pytest.raises(ConvergenceError, match="did not converge.*no heterogeneity"):
        ShiftedBetaGeometric().fit([1000, 900, 810, 729, 656, 590])   # constant 10% churn: no heterogeneity
    fitted = ShiftedBetaGeometric().fit(REGULAR[:8])
    with pytest.raises(CRMInputError, match="discount_rate"):
        fitted.derl(0)


# --------------------------------------------------------------------------- cohorts
def _random_transactions(seed=0, n=3000, customers=400):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "cust": rng.choice([f"c{i}" for i in range(customers)], n),
        "day": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 500, n), unit="D"),
    })


def _slow_cohort_matrix(tx, period):
    """What an analyst writes: period per row, first period per customer, pivot of unique customers."""
    df = tx.copy()
    df["p"] = df["day"].dt.to_period(period)
    df["cohort"] = df.groupby("cust")["p"].transform("min")
    df["age"] = [(a - b).n for a, b in zip(df["p"], df["cohort"])]
    m = df.pivot_table(index="cohort", columns="age", values="cust", aggfunc="nunique")
    m = m.reindex(columns=range(int(m.columns.max()) + 1)).fillna(0)
    last = df["p"].max()
    for c in m.index:
        for a in m.columns:
            if c + a > last:
                m.loc[c, a] = np.nan
    return m


@pytest.mark.parametrize("period", ["M", "W", "Q"])
def test_cohort_matrix_matches_slow_pandas(period):
    tx = _random_transactions()
    fast = cohort_matrix(tx, customer_col="cust", date_col="day", period=period)
    slow = _slow_cohort_matrix(tx, period)
    assert list(fast.index.astype(str)) == list(slow.index.astype(str))
    np.testing.assert_array_equal(fast.to_numpy(), slow.reindex(columns=fast.columns).to_numpy())
    share = cohort_matrix(tx, customer_col="cust", date_col="day", period=period, normalize=True)
    np.testing.assert_allclose(share.to_numpy(), fast.to_numpy() / fast[[0]].to_numpy())


def test_retention_curves_pool_observable_cohorts():
    tx = _random_transactions(seed=2)
    m = cohort_matrix(tx, customer_col="cust", date_col="day")
    curves = retention_curves(m)
    pooled = curves[curves["cohort"] == "all cohorts"].set_index("periods_since_first")
    k = 5
    obs = m[k].notna()
    assert pooled.loc[k, "retention"] == pytest.approx(m.loc[obs, k].sum() / m.loc[obs, 0].sum())
    one = curves[curves["cohort"] == str(m.index[0])]
    np.testing.assert_allclose(one["retention"], (m.iloc[0] / m.iloc[0, 0]).dropna())


def test_cohort_bad_inputs():
    tx = _random_transactions()
    with pytest.raises(CRMInputError, match="column 'date' \\(given as date_col\\) is missing"):
        cohort_matrix(tx, customer_col="cust")
    with pytest.raises(CRMInputError, match="argument `period`: must be one of"):
        cohort_matrix(tx, customer_col="cust", date_col="day", period="D")
    bad = tx.astype({"day": str})
    bad.loc[3, "day"] = "yesterday"
    with pytest.raises(CRMInputError, match="values must be dates; found 'yesterday'"):
        cohort_matrix(bad, customer_col="cust", date_col="day")
    share = cohort_matrix(tx, customer_col="cust", date_col="day", normalize=True)
    with pytest.raises(CRMInputError, match="needs customer counts"):
        retention_curves(share)


# --------------------------------------------------------------------------- Kaplan-Meier
def test_kaplan_meier_hand_example_and_logrank():
    # group A: churn at 2, 3; censored at 3, 5.  group B: churn at 1, 1, 2; censored at 4
    d = pd.DataFrame({"tenure": [2, 3, 3, 5, 1, 1, 2, 4], "churned": [1, 1, 0, 0, 1, 1, 1, 0],
                      "seg": list("AAAABBBB")})
    res = kaplan_meier(d, group_col="seg")
    a = res.table[res.table["group"] == "A"].set_index("time")["survival"]
    b = res.table[res.table["group"] == "B"].set_index("time")["survival"]
    # by hand: A: S(2) = 3/4, S(3) = 3/4 * (1 - 1/3) = 1/2 ; B: S(1) = 2/4, S(2) = 1/2 * (1 - 1/2) = 1/4
    assert a.loc[2] == pytest.approx(0.75) and a.loc[3] == pytest.approx(0.5) and a.loc[5] == pytest.approx(0.5)
    assert b.loc[1] == pytest.approx(0.5) and b.loc[2] == pytest.approx(0.25)
    med = res.medians.set_index("group")["median_survival"]
    assert med["A"] == 3 and med["B"] == 1
    # log-rank by hand: at each event time, E_A = d * n_A / n, V = d (n_A/n)(1 - n_A/n)(n - d)/(n - 1)
    times = [1, 2, 3]
    n_a, n_b = [4, 4, 3], [4, 2, 1]
    d_a, d_b = [0, 1, 1], [2, 1, 0]
    o = e = v = 0.0
    for na, nb, da, db in zip(n_a, n_b, d_a, d_b):
        n, dd = na + nb, da + db
        o += da
        e += dd * na / n
        v += dd * (na / n) * (1 - na / n) * (n - dd) / (n - 1)
    stat = (o - e) ** 2 / v
    assert len(times) == 3
    assert res.logrank["test_statistic"].iloc[0] == pytest.approx(stat)
    assert res.logrank["p_value"].iloc[0] == pytest.approx(chi2.sf(stat, 1))


# Freireich et al. (1963) 6-MP leukemia remission trial, weeks to relapse ("+" = censored):
# 6-MP 6,6,6,7,10,13,16,22,23, 6+,9+,10+,11+,17+,19+,20+,25+,32+,32+,34+,35+;
# placebo 1,1,2,2,3,4,4,5,5,8,8,8,8,11,11,12,12,15,17,22,23.
LEUKEMIA = pd.DataFrame({
    "weeks": [6, 6, 6, 7, 10, 13, 16, 22, 23, 6, 9, 10, 11, 17, 19, 20, 25, 32, 32, 34, 35,
              1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23],
    "relapse": [1] * 9 + [0] * 12 + [1] * 21,
    "arm": ["6-MP"] * 21 + ["placebo"] * 21,
})


def test_kaplan_meier_greenwood_matches_published_leukemia_table():
    # Klein & Moeschberger (2003), Survival Analysis, 2nd ed., Table 4.1A (6-MP group):
    # time, S(t), Greenwood standard error
    published = [(6, 0.857, 0.0764), (7, 0.807, 0.0869), (10, 0.753, 0.0963), (13, 0.690, 0.1068),
                 (16, 0.627, 0.1141), (22, 0.538, 0.1282), (23, 0.448, 0.1346)]
    res = kaplan_meier(LEUKEMIA, duration_col="weeks", event_col="relapse", group_col="arm")
    mp = res.table[res.table["group"] == "6-MP"].set_index("time")
    for t, surv, se in published:
        assert round(mp.loc[t, "survival"], 3) == surv
        assert round(mp.loc[t, "std_error"], 4) == se
    assert mp.loc[6, ["at_risk", "churned", "censored"]].tolist() == [21, 3, 1]
    # log(-log) band at t = 6 by hand: S = 6/7, sigma^2 = 3/(21*18), h = 1.959964*sigma/|log S|,
    # limits S**exp(h), S**exp(-h) = 0.6197, 0.9516 (the 95% limits Stata's `sts list` prints)
    assert mp.loc[6, "ci_lower"] == pytest.approx(0.6197, abs=5e-5)
    assert mp.loc[6, "ci_upper"] == pytest.approx(0.9516, abs=5e-5)
    # band recorded from lifelines 0.30.3 KaplanMeierFitter (the library this replaces) at t = 23
    assert mp.loc[23, "ci_lower"] == pytest.approx(0.1880520060, rel=1e-9)
    assert mp.loc[23, "ci_upper"] == pytest.approx(0.6801426285, rel=1e-9)
    # medians 23 and 8 weeks (Kleinbaum & Klein 2012, ch. 2)
    assert res.medians.set_index("group")["median_survival"].to_dict() == {"6-MP": 23.0, "placebo": 8.0}
    # placebo curve ends at 0 (everyone relapsed): Greenwood term skipped, band closes at 0
    last = res.table[res.table["group"] == "placebo"].iloc[-1]
    assert (last["survival"], last["ci_lower"], last["ci_upper"]) == (0.0, 0.0, 0.0)


def test_logrank_matches_published_leukemia_chi_square():
    # Kleinbaum & Klein (2012), Survival Analysis: A Self-Learning Text, 3rd ed., ch. 2:
    # log-rank statistic 16.79 on 1 df for 6-MP vs placebo (R survdiff: Chisq = 16.8, p = 4.17e-05)
    res = kaplan_meier(LEUKEMIA, duration_col="weeks", event_col="relapse", group_col="arm")
    assert round(res.logrank["test_statistic"].iloc[0], 2) == 16.79
    assert res.logrank["degrees_of_freedom"].iloc[0] == 1
    assert res.logrank["p_value"].iloc[0] == pytest.approx(4.17e-05, abs=5e-8)


def test_kaplan_meier_telco_matches_lifelines_reference():
    # values recorded from lifelines 0.30.3 (KaplanMeierFitter, multivariate_logrank_test) on the
    # course's Telco data before lifelines was dropped; lesson 3.3 prints these medians and chi2
    from crm_lessons import datasets

    res = kaplan_meier(datasets.load_telco_churn(), duration_col="tenure", event_col="churn",
                       group_col="contract")
    assert res.logrank["test_statistic"].iloc[0] == pytest.approx(2352.8725382593416, rel=1e-12)
    assert res.logrank["degrees_of_freedom"].iloc[0] == 2
    tab = res.table.set_index(["group", "time"])
    reference = {("Month-to-month", 12): (0.7030966363488644, 0.687259357620821, 0.7183040754301768),
                 ("Month-to-month", 35): (0.4976910570445439, 0.47725661252848783, 0.5177686161946237),
                 ("One year", 35): (0.9603498526091653, 0.9475860905395664, 0.9700545435955524),
                 ("Two year", 12): (1.0, 1.0, 1.0),
                 ("Two year", 35): (0.9986759658872691, 0.9947153062156867, 0.9996687683469505)}
    for key, values in reference.items():
        assert tab.loc[key, ["survival", "ci_lower", "ci_upper"]].tolist() == pytest.approx(values, rel=1e-12)
    assert res.medians["median_survival"].tolist() == [35.0, np.inf, np.inf]


def test_logrank_three_groups_matches_independent_loop():
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"tenure": rng.integers(0, 9, 60), "churned": rng.integers(0, 2, 60),
                      "seg": rng.choice(["x", "y", "z"], 60)})
    res = kaplan_meier(d, group_col="seg")
    # the k-sample statistic written out time by time (Collett 2015, Modelling Survival Data, ch. 2)
    segs = ["x", "y", "z"]
    u, v = np.zeros(3), np.zeros((3, 3))
    for t in sorted(d.loc[d["churned"] == 1, "tenure"].unique()):
        at = d[d["tenure"] >= t]
        n, dd = len(at), int(at.loc[at["tenure"] == t, "churned"].sum())
        ng = np.array([(at["seg"] == g).sum() for g in segs])
        dg = np.array([((at["seg"] == g) & (at["tenure"] == t) & (at["churned"] == 1)).sum() for g in segs])
        u += dg - dd * ng / n
        if n > 1:
            v += dd * (n - dd) / (n - 1) * (np.diag(ng) / n - np.outer(ng, ng) / n**2)
    stat = u[:2] @ np.linalg.solve(v[:2, :2], u[:2])
    assert res.logrank["test_statistic"].iloc[0] == pytest.approx(stat, rel=1e-10)
    assert res.logrank["degrees_of_freedom"].iloc[0] == 2
    assert res.logrank["p_value"].iloc[0] == pytest.approx(chi2.sf(stat, 2), rel=1e-10)


def test_kaplan_meier_median_on_an_exact_half_and_churn_at_zero():
    # S = 5/6 * 4/5 * 3/4 = 1/2 exactly at t = 2: the median is 2 (lifelines' exp-log rounding said 6)
    d = pd.DataFrame({"tenure": [0, 1, 2, 6, 6, 6], "churned": [1, 1, 1, 1, 0, 0]})
    res = kaplan_meier(d, alpha=0.1)
    assert res.medians["median_survival"].iloc[0] == 2.0
    assert res.table["time"].iloc[0] == 0.0 and res.table["survival"].iloc[0] == pytest.approx(5 / 6)
    # a 90% band is narrower than the 95% one
    wide = kaplan_meier(d).table
    assert (res.table["ci_upper"] - res.table["ci_lower"]).iloc[1] < (wide["ci_upper"] - wide["ci_lower"]).iloc[1]


def test_kaplan_meier_matches_simulated_geometric_survival():
    data, truth = simulate_subscriptions(40_000, seed=5, coefficients={}, heterogeneity=False)
    res = kaplan_meier(data, group_col="contract")
    for seg, (_, a, b) in truth["segments"].items():
        t = res.table[res.table["group"] == seg].set_index("time")["survival"]
        assert t.loc[12] == pytest.approx((1 - a / (a + b)) ** 12, abs=0.02)
    assert res.logrank["p_value"].iloc[0] < 1e-10


def test_kaplan_meier_bad_inputs():
    d = pd.DataFrame({"tenure": [1, 2, -1], "churned": [1, 0, 1]})
    with pytest.raises(CRMInputError, match="values must be >= 0; found -1"):
        kaplan_meier(d)
    d = pd.DataFrame({"tenure": [1, 2, 3], "churned": [1, 0, 0.5]})
    with pytest.raises(CRMInputError, match="0/1 or True/False"):
        kaplan_meier(d)
    with pytest.raises(CRMInputError, match="column 'seg' \\(given as group_col\\) is missing"):
        kaplan_meier(d, group_col="seg")
    with pytest.raises(CRMInputError, match="alpha"):
        kaplan_meier(d.iloc[:2], alpha=5)
