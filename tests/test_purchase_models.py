"""BG/NBD and Pareto/NBD models: published CDNOW estimates, predictions, recovery, robustness."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import integrate, special

from crm_lessons._validation import CRMInputError
from crm_lessons.customer_summary import summary_from_transactions
from crm_lessons.datasets import load_cdnow, load_cdnow_summary
from crm_lessons.purchase_models import (
    BetaGeoModel,
    ConvergenceError,
    ParetoNBDModel,
    plot_conditional_expectations,
    plot_cumulative_purchases,
    plot_frequency_fit,
)
from crm_lessons.simulate.transactions import simulate_transactions

BG_CDNOW = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)
PNBD_CDNOW = dict(r=0.553, alpha=10.578, s=0.606, beta=11.669)


@pytest.fixture(scope="module")
def cdnow():
    return load_cdnow_summary()


@pytest.fixture(scope="module")
def bg_fit(cdnow):
    return BetaGeoModel().fit(cdnow)


@pytest.fixture(scope="module")
def pnbd_fit(cdnow):
    return ParetoNBDModel().fit(cdnow)


# ---------------------------------------------------------------- published estimates
def test_bgnbd_reproduces_fhl2005_cdnow_estimates(bg_fit):
    # Fader, Hardie & Lee (2005), section 4: r=0.243, alpha=4.414, a=0.793, b=2.426, LL=-9582.4
    assert bg_fit.params_.round(3).to_dict() == BG_CDNOW
    assert round(bg_fit.log_likelihood_, 1) == -9582.4
    assert bg_fit.n_ == 2357


def test_paretonbd_reproduces_fader_hardie_cdnow_estimates(pnbd_fit):
    # Fader & Hardie (2005 note on the Pareto/NBD): r=0.553, alpha=10.578, s=0.606, beta=11.669, LL=-9595.0
    # beta is barely identified (se 6.2): the exact optimum is 11.668 (lifetimes 0.11.3 finds
    # 11.668 too); the published 11.669 comes from Excel's Solver stopping one unit earlier.
    est = pnbd_fit.params_.round(3).to_dict()
    assert {k: est[k] for k in ("r", "alpha", "s")} == {k: PNBD_CDNOW[k] for k in ("r", "alpha", "s")}
    assert abs(est["beta"] - PNBD_CDNOW["beta"]) <= 0.0015
    assert round(pnbd_fit.log_likelihood_, 1) == -9595.0


def test_standard_errors_match_numerical_hessian_of_loglik(bg_fit, cdnow):
    # independent check: finite-difference Hessian of the summed per-customer log-likelihood
    p0 = bg_fit.params_.to_numpy()

    def ll(p):
        return BetaGeoModel.from_params(**dict(zip(bg_fit.params_.index, p))).log_likelihood(
            cdnow["frequency"], cdnow["recency"], cdnow["T"]).sum()

    k, h = 4, 1e-4 * p0
    H = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            ei, ej = np.eye(k)[i] * h[i], np.eye(k)[j] * h[j]
            H[i, j] = (ll(p0 + ei + ej) - ll(p0 + ei - ej) - ll(p0 - ei + ej) + ll(p0 - ei - ej)) / (4 * h[i] * h[j])
    se = np.sqrt(np.diag(np.linalg.inv(-H)))
    np.testing.assert_allclose(bg_fit.se_.to_numpy(), se, rtol=1e-3)


def test_fit_is_invariant_to_row_compression(cdnow, bg_fit):
    counts = cdnow.groupby(["frequency", "recency", "T"]).size().rename("n").reset_index()
    m = BetaGeoModel().fit(counts, weights_col="n")
    np.testing.assert_allclose(m.params_, bg_fit.params_, rtol=1e-5)
    assert len(counts) < len(cdnow)


# ---------------------------------------------------------------- predictions
def test_bgnbd_conditional_expectation_published_example():
    # FHL 2005, section 5: x=2, t_x=30.43, T=38.86 -> 1.226 purchases in the next 39 weeks
    m = BetaGeoModel.from_params(**BG_CDNOW)
    assert round(m.expected_purchases(39, 2, 30.43, 38.86), 3) == 1.226


def test_bgnbd_predictions_against_direct_formulas():
    r, alpha, a, b = BG_CDNOW.values()
    m = BetaGeoModel.from_params(**BG_CDNOW)
    x, tx, T, t = 3, 20.0, 38.86, 52.0
    # FHL 2005 eq. 10, written directly (no transformation), moderate x
    z = t / (alpha + T + t)
    num = (a + b + x - 1) / (a - 1) * (1 - ((alpha + T) / (alpha + T + t)) ** (r + x)
                                       * special.hyp2f1(r + x, b + x, a + b + x - 1, z))
    den = 1 + a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x)
    assert m.expected_purchases(t, x, tx, T) == pytest.approx(num / den, rel=1e-10)
    assert m.probability_alive(x, tx, T) == pytest.approx(1 / den, rel=1e-12)
    # eq. 9 directly
    e9 = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * special.hyp2f1(r, b, a + b - 1, t / (alpha + t)))
    assert m.expected_purchases_unconditional(t) == pytest.approx(e9, rel=1e-10)
    assert m.probability_alive(0, 0, T) == 1.0


def test_bgnbd_unconditional_expectation_matches_simulation():
    m = BetaGeoModel.from_params(**BG_CDNOW)
    rng = np.random.default_rng(0)
    counts = m._draw_counts(np.full(400_000, 52.0), rng)
    assert counts.mean() == pytest.approx(m.expected_purchases_unconditional(52.0), rel=0.02)


def _pareto_lik_by_integration(p, x, tx, T):
    """Pareto/NBD likelihood from its integral form (Fader & Hardie 2005 note, eq. 21)."""
    r, alpha, s, beta = p.values()
    c = np.exp(special.gammaln(r + x) - special.gammaln(r)) * alpha ** r * beta ** s
    first = 1 / ((alpha + T) ** (r + x) * (beta + T) ** s)
    integral = integrate.quad(lambda tau: (alpha + tau) ** -(r + x) * (beta + tau) ** -(s + 1),
                              tx, T, epsabs=0, epsrel=1e-12)[0]
    return c, first, s * integral


@pytest.mark.parametrize("params", [PNBD_CDNOW, dict(r=0.553, alpha=10.578, s=0.606, beta=30.0)])
@pytest.mark.parametrize("x,tx,T", [(0, 0.0, 38.86), (2, 30.43, 38.86), (7, 10.0, 60.0), (30, 70.0, 78.0)])
def test_paretonbd_likelihood_and_palive_match_numerical_integration(params, x, tx, T):
    # both branches of the 2F1 (alpha >= beta and alpha < beta) against quadrature
    m = ParetoNBDModel.from_params(**params)
    c, first, second = _pareto_lik_by_integration(params, x, tx, T)
    assert m.log_likelihood(x, tx, T) == pytest.approx(np.log(c * (first + second)), rel=1e-9)
    assert m.probability_alive(x, tx, T) == pytest.approx(first / (first + second), rel=1e-8)


def test_paretonbd_conditional_expectation_against_integration():
    # E[Y(t)|alive] = E[lambda|x,T] * E[min(lifetime remaining, t)]; posterior lambda, mu are gammas
    p = PNBD_CDNOW
    m = ParetoNBDModel.from_params(**p)
    x, tx, T, t = 2, 30.43, 38.86, 39.0
    lam = (p["r"] + x) / (p["alpha"] + T)
    s_, b_ = p["s"], p["beta"] + T
    # E[min(tau, t)] with tau ~ Exp(mu), mu ~ Gamma(s, beta + T): integral of the survival function
    surv = integrate.quad(lambda u: (b_ / (b_ + u)) ** s_, 0, t)[0]
    expected = lam * surv * m.probability_alive(x, tx, T)
    assert m.expected_purchases(t, x, tx, T) == pytest.approx(expected, rel=1e-8)
    assert m.expected_purchases_unconditional(t) == pytest.approx(
        p["r"] / p["alpha"] * integrate.quad(lambda u: (p["beta"] / (p["beta"] + u)) ** s_, 0, t)[0], rel=1e-8)


# ---------------------------------------------------------------- robustness
@pytest.mark.parametrize("model", [BetaGeoModel.from_params(**BG_CDNOW), ParetoNBDModel.from_params(**PNBD_CDNOW)])
def test_no_overflow_for_heavy_buyers_and_long_histories(model):
    x = np.array([0, 1, 100, 500, 500, 2000])
    tx = np.array([0, 1, 1000, 1990, 5, 4999])
    T = np.array([2000, 2000, 2000, 2000, 2000, 5000.0])
    for v in (model.log_likelihood(x, tx, T), model.probability_alive(x, tx, T),
              model.expected_purchases(39, x, tx, T)):
        assert np.all(np.isfinite(v))
    pa = model.probability_alive(x, tx, T)
    assert pa[3] > 0.95 and pa[4] < 1e-6          # recent heavy buyer alive, lapsed heavy buyer gone
    e = model.expected_purchases(39, x, tx, T)
    # a live customer with 500 purchases in 1990 periods buys about 500/2000 * 39 ~ 9.8 more
    assert e[3] == pytest.approx(500 / 2000 * 39, rel=0.05)


def test_pareto_heavy_buyer_likelihood_against_integration_in_logs():
    # x=500: the plain 2F1 overflows; compare to quadrature of the integrand scaled by its maximum
    p = dict(r=0.553, alpha=10.578, s=0.606, beta=11.669)
    r, alpha, s, beta = p.values()
    x, tx, T = 500, 1990.0, 2000.0
    m = ParetoNBDModel.from_params(**p)
    log_first = -(r + x) * np.log(alpha + T) - s * np.log(beta + T)
    ref = -(r + x) * np.log(alpha + tx) - (s + 1) * np.log(beta + tx)
    integral = integrate.quad(lambda tau: np.exp(-(r + x) * np.log(alpha + tau) - (s + 1) * np.log(beta + tau) - ref),
                              tx, T, epsrel=1e-12)[0]
    log_second = np.log(s) + ref + np.log(integral)
    expected = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) + s * np.log(beta) \
        + np.logaddexp(log_first, log_second)
    assert m.log_likelihood(x, tx, T) == pytest.approx(expected, rel=1e-9)


def test_fit_with_heavy_buyers_converges():
    sim = simulate_transactions(3000, params=dict(r=2.0, alpha=1.0, a=0.5, b=10.0), observation_days=2000,
                                acquisition_days=100, time_unit="D", seed=4, timestamps=True)
    summ = summary_from_transactions(sim.data, as_of=sim.truth["end"], period=None)
    assert summ["frequency"].max() > 500
    m = BetaGeoModel().fit(summ)
    assert np.all(np.isfinite(m.se_))
    assert np.all(np.abs(m.params_ - pd.Series(sim.truth["params"])) < 4 * m.se_)


# ---------------------------------------------------------------- recovery of simulated truth
@pytest.mark.parametrize("model,cls,seed", [("bgnbd", BetaGeoModel, 11), ("paretonbd", ParetoNBDModel, 12)])
def test_recovers_true_parameters_of_simulated_data(model, cls, seed):
    sim = simulate_transactions(20_000, model=model, seed=seed, timestamps=True)
    summ = summary_from_transactions(sim.data, as_of=sim.truth["end"], time_unit="W", period=None)
    m = cls().fit(summ)
    z = (m.params_ - pd.Series(sim.truth["params"])) / m.se_
    assert np.all(np.abs(z) < 3), z


# ---------------------------------------------------------------- errors
def test_unfitted_model_says_so():
    with pytest.raises(CRMInputError, match="BetaGeoModel is not fitted yet"):
        BetaGeoModel().probability_alive(1, 1, 2)


def test_bad_summary_messages(cdnow):
    bad = cdnow.copy()
    bad.loc[0, "recency"] = 100.0
    with pytest.raises(CRMInputError, match="recency must not exceed T"):
        BetaGeoModel().fit(bad)
    with pytest.raises(CRMInputError, match="column 'freq' .given as frequency_col. is missing"):
        BetaGeoModel().fit(cdnow, frequency_col="freq")
    bad = cdnow.copy()
    bad["frequency"] = bad["frequency"].astype(float)
    bad.loc[1, "frequency"] = 1.5
    with pytest.raises(CRMInputError, match=r"column .frequency. \(frequency_col\), row 1: values must be whole numbers"):
        ParetoNBDModel().fit(bad)
    with pytest.raises(CRMInputError, match="argument `t`: must be a time >= 0"):
        BetaGeoModel.from_params(**BG_CDNOW).expected_purchases(-1, 1, 1, 2)


def test_degenerate_data_raise_convergence_error():
    # nobody ever comes back: the likelihood has no interior maximum
    summ = pd.DataFrame({"frequency": [0] * 50, "recency": [0.0] * 50, "T": np.linspace(10, 40, 50)})
    with pytest.raises(ConvergenceError, match="did not converge.*rescale time"):
        BetaGeoModel().fit(summ)


# ---------------------------------------------------------------- plots
def test_model_check_plots_return_axes(bg_fit):
    tx = load_cdnow(sample=True)
    split = summary_from_transactions(tx, calibration_end="1997-09-30", holdout_end="1998-06-30", time_unit="W")
    for ax in (plot_frequency_fit(bg_fit, split), plot_conditional_expectations(bg_fit, split),
               plot_cumulative_purchases(bg_fit, tx, calibration_end="1997-09-30")):
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
    # cumulative model line ends near the actual total (FHL 2005 Fig. 2: within a few percent)
    lines = ax.get_lines()
    actual, model = lines[0].get_ydata()[-1], lines[1].get_ydata()[-1]
    assert model == pytest.approx(actual, rel=0.05)
    plt.close("all")
