"""The model contract, checked on every maximum-likelihood model class of the package."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_lessons import datasets
from crm_lessons._validation import CRMInputError
from crm_lessons.models import ConvergenceError, LikelihoodModel
from crm_lessons.purchase_models import BetaGeoModel, ParetoNBDModel
from crm_lessons.retention import ShiftedBetaGeometric
from crm_lessons.spend_model import GammaGammaModel

REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]       # Fader & Hardie (2007), regular customers
_RNG = np.random.default_rng(0)
NOBODY_REPEATS = pd.DataFrame({"frequency": 0, "recency": 0.0, "T": _RNG.uniform(10, 50, 200),
                               "monetary_value": 0.0})
SAME_SPEND = pd.DataFrame({"frequency": [2] * 30, "recency": 5.0, "T": 10.0, "monetary_value": 25.0})


@pytest.fixture(scope="module")
def cdnow():
    return datasets.load_cdnow_summary()


def _fit(cls, cdnow):
    if cls is ShiftedBetaGeometric:
        return cls().fit(REGULAR)
    if cls is GammaGammaModel:
        return cls().fit(cdnow)
    return cls().fit(cdnow)


def _degenerate(cls):
    return {ShiftedBetaGeometric: [1000, 900, 810, 729, 656, 590],      # constant churn: no heterogeneity
            GammaGammaModel: SAME_SPEND}.get(cls, NOBODY_REPEATS)


MODELS = [BetaGeoModel, ParetoNBDModel, GammaGammaModel, ShiftedBetaGeometric]


def test_every_likelihood_model_is_listed_here():
    found = {c for c in LikelihoodModel.__subclasses__()} | {
        c for base in LikelihoodModel.__subclasses__() for c in base.__subclasses__()}
    assert {c for c in found if not c.__name__.startswith("_")} == set(MODELS)


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_fit_gives_the_contract(cls, cdnow):
    model = cls()
    assert repr(model) == f"{cls.__name__}()"
    with pytest.raises(CRMInputError, match="is not fitted yet"):
        model.summary()
    fitted = _fit(cls, cdnow) if cls is not BetaGeoModel else model.fit(cdnow)
    if cls is BetaGeoModel:
        assert fitted is model
    names = list(cls.param_names)
    for attr in ("params_", "se_"):
        value = getattr(fitted, attr)
        assert isinstance(value, pd.Series) and value.index.tolist() == names
        assert np.all(np.isfinite(value)) and np.all(value > 0)
    assert fitted.cov_.shape == (len(names), len(names))
    assert np.allclose(np.sqrt(np.diag(fitted.cov_)), fitted.se_)
    assert np.isfinite(fitted.log_likelihood_) and fitted.log_likelihood_ < 0
    assert isinstance(fitted.n_, int) and fitted.n_ > 0
    assert repr(fitted).startswith(f"{cls.__name__}(") and f"n={fitted.n_}" in repr(fitted)
    table = fitted.summary()
    assert table.loc[names, "estimate"].tolist() == fitted.params_.tolist()
    assert (table.loc[names, "lower_95"] < table.loc[names, "estimate"]).all()


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_from_params_is_a_usable_model(cls, cdnow):
    fitted = _fit(cls, cdnow)
    given = cls.from_params(**fitted.params_.to_dict())
    assert repr(given) == repr(fitted).split(";")[0] + "; given parameters)"
    assert given.summary()["estimate"].tolist()[:len(cls.param_names)] == fitted.params_.tolist()
    assert given.se_.isna().all() and given.n_ == 0
    if cls is ShiftedBetaGeometric:
        assert np.allclose(given.survival([1, 5]), fitted.survival([1, 5]))
    elif cls is GammaGammaModel:
        assert given.expected_spend(2, 30.0) == pytest.approx(fitted.expected_spend(2, 30.0))
    else:
        assert given.expected_purchases(10, 2, 20.0, 30.0) == pytest.approx(
            fitted.expected_purchases(10, 2, 20.0, 30.0))


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_from_params_refuses_wrong_names_and_values(cls):
    with pytest.raises(CRMInputError, match=r"^argument `params`: .*from_params needs exactly"):
        cls.from_params(x=1.0)
    bad = dict.fromkeys(cls.param_names, 1.0) | {cls.param_names[0]: -1.0}
    with pytest.raises(CRMInputError, match=rf"^argument `{cls.param_names[0]}`: must be > 0"):
        cls.from_params(**bad)


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_a_degenerate_input_raises_convergence_error_not_an_input_error(cls):
    with pytest.raises(ConvergenceError) as err:
        cls().fit(_degenerate(cls))
    assert not isinstance(err.value, ValueError)
    message = str(err.value)
    assert message.startswith(cls.__name__) and len(message) > 120        # says what happened and what to try
