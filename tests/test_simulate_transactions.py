"""Transaction simulator: shape, determinism, and moments against the models' formulas."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons._validation import CRMInputError
from crm_lessons.purchase_models import BetaGeoModel, ParetoNBDModel
from crm_lessons.simulate import simulate_transactions
from crm_lessons.spend_model import GammaGammaModel


def test_shape_and_truth():
    sim = simulate_transactions(2000, seed=3)
    d, truth = sim
    assert list(d.columns) == ["customer_id", "date", "amount"]
    assert d["customer_id"].nunique() == 2000
    assert d["date"].min() >= pd.Timestamp("1997-01-01") and d["date"].max() < truth["end"]
    assert (d["amount"] > 0).all()
    assert d.groupby("customer_id")["date"].is_monotonic_increasing.all()
    c = truth["customers"]
    assert list(c.columns) == ["customer_id", "first_purchase", "lam", "p", "nu", "alive", "n_repeat"]
    assert (d.groupby("customer_id").size().to_numpy() == c["n_repeat"].to_numpy() + 1).all()
    assert (d.groupby("customer_id")["date"].min().to_numpy() == c["first_purchase"].to_numpy()).all()
    pd.testing.assert_frame_equal(d, simulate_transactions(2000, seed=3).data)


@pytest.mark.parametrize("model,cls", [("bgnbd", BetaGeoModel), ("paretonbd", ParetoNBDModel)])
def test_repeat_purchases_match_unconditional_expectation(model, cls):
    sim = simulate_transactions(100_000, model=model, seed=5, timestamps=True)
    c = sim.truth["customers"]
    T = (sim.truth["end"] - c["first_purchase"]).dt.total_seconds().to_numpy() / (7 * 86400)
    m = cls.from_params(**sim.truth["params"])
    expected = m.expected_purchases_unconditional(T).mean()
    se = c["n_repeat"].std() / np.sqrt(len(c))
    assert abs(c["n_repeat"].mean() - expected) < 4 * se


def test_alive_share_matches_probability_alive():
    # E[P(alive | x, t_x, T)] over customers equals the share truly alive at the end
    sim = simulate_transactions(50_000, seed=8, timestamps=True)
    from crm_lessons.customer_summary import summary_from_transactions
    s = summary_from_transactions(sim.data, as_of=sim.truth["end"], time_unit="W", period=None)
    pa = BetaGeoModel.from_params(**sim.truth["params"]).probability_alive(s["frequency"], s["recency"], s["T"])
    assert sim.truth["customers"]["alive"].mean() == pytest.approx(pa.mean(), abs=0.01)


def test_spend_mean_matches_gamma_gamma():
    sim = simulate_transactions(50_000, seed=9, timestamps=True)
    # per-customer mean spend given nu is p / nu; population mean p * gamma / (q - 1)
    c = sim.truth["customers"]
    mean_by_customer = sim.data.groupby("customer_id")["amount"].mean().to_numpy()
    n = c["n_repeat"].to_numpy() + 1
    z = (mean_by_customer - 6.25 / c["nu"].to_numpy()) * np.sqrt(n) / (np.sqrt(6.25) / c["nu"].to_numpy())
    assert abs(z.mean()) < 4 / np.sqrt(len(z))
    assert np.median(6.25 / c["nu"]) < GammaGammaModel.from_params(**sim.truth["spend_params"]).mean_spend()


def test_errors():
    with pytest.raises(CRMInputError, match="argument `model`: must be one of"):
        simulate_transactions(10, model="gamma")
    with pytest.raises(CRMInputError, match="needs exactly the keys"):
        simulate_transactions(10, params={"r": 1.0})
    with pytest.raises(CRMInputError, match="must be larger than acquisition_days"):
        simulate_transactions(10, acquisition_days=100, observation_days=50)
    with pytest.raises(CRMInputError, match="argument `params\\['a'\\]`: must be > 0"):
        simulate_transactions(10, params={"r": 1.0, "alpha": 1.0, "a": -1.0, "b": 1.0})
