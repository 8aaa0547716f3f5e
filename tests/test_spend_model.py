"""Gamma-Gamma spend model: published CDNOW estimates, predictions, recovery, errors."""

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

from crm_lessons._validation import CRMInputError
from crm_lessons.customer_summary import summary_from_transactions
from crm_lessons.datasets import load_cdnow
from crm_lessons.simulate.transactions import simulate_transactions
from crm_lessons.spend_model import GammaGammaModel


@pytest.fixture(scope="module")
def cdnow_calibration():
    # the 946 repeat customers of the 2,357-customer sample, 39-week calibration period
    return summary_from_transactions(load_cdnow(sample=True), as_of="1997-09-30", time_unit="W")


def test_reproduces_fader_hardie_2013_estimates(cdnow_calibration):
    assert (cdnow_calibration["frequency"] > 0).sum() == 946
    m = GammaGammaModel().fit(cdnow_calibration)
    # Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value": p=6.25, q=3.74, gamma=15.44
    assert m.params_.round(2).to_dict() == {"p": 6.25, "q": 3.74, "gamma": 15.44}
    assert m.n_ == 946
    assert np.all(m.se_ > 0)


def test_density_integrates_to_one_and_matches_mixture():
    m = GammaGammaModel.from_params(p=6.25, q=3.74, gamma=15.44)
    x = 3
    total = integrate.quad(lambda v: np.exp(m.log_likelihood(x, v)), 0, np.inf)[0]
    assert total == pytest.approx(1.0, rel=1e-7)
    # independent: mean of x Gamma(p, nu) is Gamma(px, x nu); integrate over nu ~ Gamma(q, gamma)
    mx = 25.0
    mix = integrate.quad(lambda nu: stats.gamma.pdf(mx, 6.25 * x, scale=1 / (x * nu))
                         * stats.gamma.pdf(nu, 3.74, scale=1 / 15.44), 0, np.inf)[0]
    assert np.exp(m.log_likelihood(x, mx)) == pytest.approx(mix, rel=1e-7)


def test_expected_spend_is_posterior_mean():
    p, q, g = 6.25, 3.74, 15.44
    m = GammaGammaModel.from_params(p=p, q=q, gamma=g)
    x, mx = 4, 30.0
    # posterior of nu is Gamma(px + q, gamma + x m_x); E[Z | nu] = p / nu
    expected = p * (g + x * mx) / (p * x + q - 1)
    assert m.expected_spend(x, mx) == pytest.approx(expected, rel=1e-12)
    assert m.expected_spend(0, 0.0) == pytest.approx(m.mean_spend())
    assert m.mean_spend() == pytest.approx(p * g / (q - 1))


def test_recovers_simulated_truth():
    sim = simulate_transactions(20_000, seed=21, timestamps=True)
    summ = summary_from_transactions(sim.data, as_of=sim.truth["end"], time_unit="W", period=None)
    m = GammaGammaModel().fit(summ)
    z = (m.params_ - pd.Series(sim.truth["spend_params"])) / m.se_
    assert np.all(np.abs(z) < 3), z


def test_errors():
    with pytest.raises(CRMInputError, match="GammaGammaModel is not fitted yet"):
        GammaGammaModel().expected_spend(1, 10.0)
    few = pd.DataFrame({"frequency": [0, 1, 0], "monetary_value": [0.0, 5.0, 0.0]})
    with pytest.raises(CRMInputError, match="needs customers with repeat purchases"):
        GammaGammaModel().fit(few)
    zero = pd.DataFrame({"frequency": [1] * 12, "monetary_value": [0.0] + [5.0] * 11})
    with pytest.raises(CRMInputError, match="mean spend of a repeat customer must be > 0"):
        GammaGammaModel().fit(zero)
    with pytest.raises(CRMInputError, match="column 'spend' .given as monetary_value_col. is missing"):
        GammaGammaModel().fit(few, monetary_value_col="spend")
