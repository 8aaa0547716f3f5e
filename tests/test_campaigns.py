"""Campaigns: profit over mailing depth by hand; the chosen depth is the true optimum on a simulated population."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from crm_lessons import campaigns
from crm_lessons._validation import CRMInputError


def _population(n, seed):
    # known response probabilities: logistic in two features, about 6% respond (like Caravan)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 2))
    p = 1 / (1 + np.exp(-(-3.2 + 1.0 * x[:, 0] + 0.6 * x[:, 1])))
    return x, p, (rng.random(n) < p).astype(int)


def test_profit_curve_by_hand():
    curve = campaigns.profit_curve([0, 1, 1, 0], [0.1, 0.9, 0.5, 0.3], cost_per_piece=2, margin_per_responder=5,
                                   fixed_cost=1)
    # order: 0.9 (1), 0.5 (1), 0.3 (0), 0.1 (0)
    assert curve["profit"].tolist() == [0, 5 - 2 - 1, 10 - 4 - 1, 10 - 6 - 1, 10 - 8 - 1]
    assert campaigns.best_depth(curve) == 2
    with pytest.raises(CRMInputError, match=r"same non-zero length"):
        campaigns.profit_curve([1], [0.5, 0.4], cost_per_piece=1, margin_per_responder=2)


def test_with_the_true_probabilities_the_best_depth_is_everyone_above_break_even():
    _, p, _ = _population(20_000, 1)
    cost, margin = 1.5, 40.0
    curve = campaigns.profit_curve(p, p, cost_per_piece=cost, margin_per_responder=margin)
    assert campaigns.best_depth(curve) == (p > campaigns.break_even_rate(cost, margin)).sum()


def test_the_depth_chosen_on_a_test_set_matches_the_simulated_optimum():
    x, p, y = _population(200_000, 2)
    train, test = slice(0, 100_000), slice(100_000, None)
    model = LogisticRegression().fit(x[train], y[train])
    score = model.predict_proba(x[test])[:, 1]
    cost, margin = 1.5, 40.0
    chosen = campaigns.best_depth(campaigns.profit_curve(y[test], score, cost_per_piece=cost,
                                                         margin_per_responder=margin))
    truth = campaigns.profit_curve(p[test], p[test], cost_per_piece=cost, margin_per_responder=margin)
    optimum = campaigns.best_depth(truth)
    assert abs(chosen - optimum) / optimum < 0.1
    # expected profit of mailing the chosen depth by the model's ranking is within 1% of the best possible
    by_model = campaigns.profit_curve(p[test], score, cost_per_piece=cost, margin_per_responder=margin)
    assert by_model.loc[chosen, "profit"] > 0.99 * truth.loc[optimum, "profit"]


def test_simulated_prospects_have_the_stated_base_rate_and_truth():
    d = campaigns.simulate_prospects(50_000, seed=4, base_rate=0.06)
    assert d["probability"].mean() == pytest.approx(0.06, abs=1e-6)       # the intercept is solved for the rate
    assert d["responded"].mean() == pytest.approx(0.06, abs=0.005)
    assert list(d["age_band"].cat.categories) == [f"band {i}" for i in range(1, 6)]
    # the noise feature is unrelated to the truth; income raises it
    assert abs(np.corrcoef(d["noise"], d["probability"])[0, 1]) < 0.02
    assert np.corrcoef(d["income"], d["probability"])[0, 1] > 0.3


def test_profit_bootstrap_by_hand_and_its_interval_covers_the_truth():
    # a single draw of a perfect ranking: the best share is the buyers' share
    b = campaigns.profit_bootstrap([1, 1, 0, 0], [4, 3, 2, 1], cost_per_piece=1, margin_per_responder=3,
                                   depth_share=0.5, n_boot=200, seed=1)
    assert ((b["best_profit"] >= b["profit_at_share"]) & (b["best_profit"] >= b["mail_all_profit"])).all()
    # on a simulated test set, the 95% interval of profit at a fixed share covers its expected value
    d = campaigns.simulate_prospects(4000, seed=5)
    p = d["probability"].to_numpy()
    boot = campaigns.profit_bootstrap(d["responded"], p, cost_per_piece=1.5, margin_per_responder=40,
                                      depth_share=0.3, n_boot=400, seed=2)
    expected = campaigns.profit_curve(p, p, cost_per_piece=1.5, margin_per_responder=40).loc[1200, "profit"]
    lo, hi = boot["profit_at_share"].quantile([0.025, 0.975])
    assert lo < expected < hi
    with pytest.raises(CRMInputError, match=r"depth_share"):
        campaigns.profit_bootstrap([1, 0], [1, 0], cost_per_piece=1, margin_per_responder=2, depth_share=1.5)
