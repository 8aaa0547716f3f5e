"""loyalty.loyalty_indicators: the course's eight loyalty indicators (A91), against hand and known truth."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons import loyalty
from crm_lessons._validation import CRMInputError
from crm_lessons.simulate import simulate_survey

ITEMS = ["purchases_12m", "tenure_years", "share_of_wallet", "choice_minutes", "trust", "referrals_12m",
         "competitor_interest", "price_quality_tolerance"]


@pytest.fixture(scope="module")
def small():
    return simulate_survey(400, seed=3).data


def test_the_eight_indicators_are_the_courses_list():
    t = loyalty.LOYALTY_INDICATORS
    assert sorted(set(t["number"])) == list(range(1, 9))
    assert list(t["name_zh"]) == ["重复购买率", "购买频率", "购买时间", "购买支出份额", "挑选时间",
                                  "情感上的信任与支持", "潜在客户推荐数量", "对企业竞争对手的态度", "对价格或质量的态度"]
    assert (t["kind"] == "behaviour").sum() == 5 and set(t.loc[t["kind"] == "attitude", "number"]) == {5, 6, 7, 8}
    assert set(t.loc[t["direction"] == -1].index) == {"choice_minutes", "competitor_interest"}


def test_per_customer_matches_a_hand_calculation(small):
    out = loyalty.loyalty_indicators(small)
    assert list(out.columns) == list(loyalty.LOYALTY_INDICATORS.index)
    assert out.index.tolist() == small["customer_id"].tolist()
    np.testing.assert_array_equal(out["repeat_purchase"], (small["purchases_12m"] > 1).astype(float))
    for col in ITEMS:
        np.testing.assert_allclose(out[col].to_numpy(), small[col].to_numpy(dtype=float))


def test_groups_and_standardised_scores_by_hand(small):
    by_seg = loyalty.loyalty_indicators(small, by="segment")
    hand = small.groupby("segment")[ITEMS].mean()
    np.testing.assert_allclose(by_seg[ITEMS].to_numpy(), hand.to_numpy())
    assert by_seg["customers"].tolist() == small["segment"].value_counts().sort_index().tolist()
    assert by_seg.loc["value", "repeat_purchase"] == pytest.approx(
        (small.loc[small["segment"] == "value", "purchases_12m"] >= 2).mean())
    z = loyalty.loyalty_indicators(small, standardise=True)
    x = small["choice_minutes"]
    np.testing.assert_allclose(z["choice_minutes"], -(x - x.mean()) / x.std())   # signed: shorter = more loyal
    t = small["trust"]
    np.testing.assert_allclose(z["trust"], (t - t.mean()) / t.std())
    np.testing.assert_allclose(z.mean().to_numpy(), 0, atol=1e-12)
    types = loyalty.classify_loyalty(small)["loyalty_type"]
    zt = loyalty.loyalty_indicators(small, by=types, standardise=True)
    assert zt.index.name == "loyalty_type"
    np.testing.assert_allclose(zt.loc["super_value", "trust"], z.loc[(types == "super_value").to_numpy(), "trust"].mean())


def test_recovers_the_simulated_truth():
    survey, truth = simulate_survey(20_000, seed=4, population_size=20_000)   # the whole population
    by_s = loyalty.loyalty_indicators(survey, by="overall_satisfaction")
    pd.testing.assert_frame_equal(by_s[ITEMS], truth["loyalty_by_satisfaction"], check_names=False)
    # repeat purchase: 1 + Poisson(4 p) >= 2 has probability 1 - exp(-4 p), concave in p, so its mean over
    # the customers of a level lies below 1 - exp(-4 E p) (Jensen), and not far below
    p = truth["repurchase_by_satisfaction"]
    for level in (3, 5, 6):
        bound = 1 - np.exp(-4 * p[level])
        assert bound - 0.1 < by_s.loc[level, "repeat_purchase"] < bound + 0.01
    # attitude follows satisfaction, behaviour lock-in too: super-value vs monopoly
    types = loyalty.classify_loyalty(survey)["loyalty_type"]
    z = loyalty.loyalty_indicators(survey, by=types, standardise=True)
    assert (z.loc["super_value", ["trust", "referrals_12m", "competitor_interest", "price_quality_tolerance"]]
            > z.loc["monopoly", ["trust", "referrals_12m", "competitor_interest", "price_quality_tolerance"]] + 0.5).all()
    assert abs(z.loc["super_value", "share_of_wallet"] - z.loc["monopoly", "share_of_wallet"]) < 0.15


def test_a_left_out_item_drops_its_indicator(small):
    out = loyalty.loyalty_indicators(small.drop(columns=["choice_minutes", "purchases_12m"]),
                                     choice_time_col=None, purchases_col=None)
    assert "choice_minutes" not in out and "repeat_purchase" not in out and "trust" in out
    renamed = small.rename(columns={"trust": "信任"})
    assert loyalty.loyalty_indicators(renamed, trust_col="信任")["trust"].equals(
        loyalty.loyalty_indicators(small)["trust"])


@pytest.mark.parametrize("change, kwargs, message", [
    (lambda d: d.drop(columns="trust"), {}, r"argument `survey`.*'trust'.*trust_col"),
    (lambda d: d.assign(purchases_12m=0), {}, r"argument `survey`, column 'purchases_12m' \(purchases_col\)"),
    (lambda d: d.assign(share_of_wallet=1.5), {}, r"column 'share_of_wallet' \(share_col\)"),
    (lambda d: d.assign(customer_id=1), {}, r"argument `survey`.*respondent ids"),
    (lambda d: d, {"by": "no_such"}, r"argument `survey`.*no_such"),
    (lambda d: d, {"by": pd.Series([1, 2])}, r"argument `by`"),
    (lambda d: d, dict.fromkeys(["purchases_col", "tenure_col", "share_col", "choice_time_col", "trust_col",
                                 "referrals_col", "competitor_col", "tolerance_col"]), r"every indicator column"),
])
def test_bad_inputs_say_what_to_fix(small, change, kwargs, message):
    with pytest.raises(CRMInputError, match=message):
        loyalty.loyalty_indicators(change(small), **kwargs)
