"""The restaurant case (crm_lessons.restaurant): the source's report, grade migration, privileges, a rival."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons import restaurant as r
from crm_lessons._validation import CRMInputError
from crm_lessons.simulate import simulate_restaurant_visits


def test_monthly_report_matches_the_source_to_the_yuan():
    rep = r.monthly_report(r.SOURCE_REPORT_VISITS, grades=r.SOURCE_REPORT_GRADES)
    zhang = rep.loc["张先生"]
    assert (zhang["visits"], zhang["guests"], zhang["spend"], zhang["spend_per_head"]) == (3, 24, 1320, 55)
    other = rep.loc["C级客户"]
    assert (other["visits"], other["guests"], other["spend"], other["spend_per_head"]) == (2, 27, 2420, 90)
    assert zhang["grade"] == "B" and zhang["rules_grade"] == "C"  # 3 visits < 4: this month alone earns C


def test_monthly_report_needs_one_month():
    two = pd.concat([r.SOURCE_REPORT_VISITS,
                     r.SOURCE_REPORT_VISITS.assign(date=pd.Timestamp("2024-06-03"))], ignore_index=True)
    with pytest.raises(CRMInputError, match="argument `visits`: a monthly report needs one calendar month"):
        r.monthly_report(two)


def test_monthly_grades_by_hand():
    v = pd.DataFrame({"customer_id": [1] * 7 + [2],
                      "date": pd.to_datetime(["2024-01-02"] * 6 + ["2024-02-10", "2024-02-11"]),
                      "party_size": [10] * 7 + [4], "amount": [900.0] * 6 + [900.0, 150.0]})
    g = r.monthly_grades(v).set_index(["customer_id", "month_index"])["grade"].astype(str)
    # customer 1: Jan 6 visits, 5,400 yuan, 90 a head -> A quality; Feb one visit -> C; customer 2: C, C
    assert g.to_dict() == {(1, 1): "A quality", (1, 2): "C", (2, 1): "C", (2, 2): "C"}
    g2 = r.monthly_grades(v, window=2)  # Jan+Feb: 3.5 visits a month -> C
    assert g2["grade"].astype(str).tolist() == ["C", "C"]
    with pytest.raises(CRMInputError, match="argument `window`"):
        r.monthly_grades(v, window=3)


def test_grade_migration_counts_pairs():
    g = pd.DataFrame({"customer_id": [1, 1, 1, 2, 2], "month_index": [1, 2, 3, 1, 2],
                      "grade": pd.Categorical(list("ABBCB"), categories=list("ABC"), ordered=True)})
    counts = r.grade_migration(g, normalize=False)
    assert counts.loc["A", "B"] == 1 and counts.loc["B", "B"] == 1 and counts.loc["C", "B"] == 1
    assert counts.to_numpy().sum() == 3


def test_sticky_grades_rules():
    cat = dict(categories=list("ABC"), ordered=True)
    g = pd.DataFrame({"customer_id": [1] * 6, "month_index": range(1, 7),
                      "grade": pd.Categorical(list("ACBCCA"), **cat)})
    assert r.sticky_grades(g)["grade"].tolist() == list("AABBCA")  # down to the best missed grade
    assert r.sticky_grades(g, misses=1)["grade"].tolist() == list("ACBCCA")
    assert r.sticky_grades(g, misses=3)["grade"].tolist() == list("AAABBA")


@pytest.mark.parametrize("seed", [1, 7, 42])
def test_downgrade_rule_beats_noise(seed):
    """True grades never change in the simulation: every measured migration is noise."""
    visits, truth = simulate_restaurant_visits(1500, months=12, seed=seed)
    true = truth["customers"].set_index("customer_id")["grade"].astype(str)
    measured = r.monthly_grades(visits)
    held = r.sticky_grades(measured)

    def accuracy(g):
        return (g["grade"].astype(str) == g["customer_id"].map(true)).mean()

    def downgrades(g):
        return int((g.groupby("customer_id")["grade"].transform(lambda x: x.cat.codes.diff()) > 0).sum())

    assert accuracy(held) > accuracy(measured) + 0.03
    assert downgrades(held) < 0.5 * downgrades(measured)
    stay_b = r.grade_migration(measured).loc["B", "B"]
    assert stay_b < r.grade_migration(held).loc["B", "B"]


def test_privilege_break_even_pays_exactly():
    spend = pd.Series({"A": 5200.0, "B": 1900.0})
    kw = dict(margin=0.35, discount=0.85, discountable_share=0.6)
    t = r.privilege_economics(spend, **kw)
    fixed = t["gifts"] + t["dinners"] + t["staff_time"]
    assert np.allclose(t["dinners"], 700 * 12 / 4.5) and np.allclose(t["gifts"], 200)
    s, u = 12 * spend, t["break_even_uplift"]
    c = 0.15 * 0.6
    # profit with privileges and the uplift = profit without them
    assert np.allclose(0.35 * s * (1 + u) - c * s * (1 + u) - fixed, 0.35 * s)
    with pytest.raises(CRMInputError, match="argument `discount`"):
        r.privilege_economics(spend, margin=0.05)


def test_competitor_entry_expectation_matches_simulation():
    rng = np.random.default_rng(3)
    n = 4000
    grades = pd.Series(rng.choice(["A quality", "B", "C"], size=n))
    cust = pd.DataFrame({"grade": grades, "loyalty_type": r.draw_loyalty_types(grades, seed=3),
                         "yearly_spend": rng.gamma(2.0, 5000.0, size=n)})
    for response in ("none", "match", "privileges"):
        out = r.competitor_entry(cust, response=response, privilege_cost=pd.Series({"A quality": 900.0}))
        p = r.SWITCHING_BY_LOYALTY.loc[cust["loyalty_type"], response].to_numpy()
        sims = [(rng.random(n) < p) @ cust["yearly_spend"].to_numpy() for _ in range(200)]
        assert abs(np.mean(sims) - out.loc["total", "revenue_at_risk"]) < 0.01 * out.loc["total", "revenue"]
    match = r.competitor_entry(cust, response="match", rival_discount=0.2)
    kept = match.loc["total", "revenue"] - match.loc["total", "revenue_at_risk"]
    assert np.isclose(match.loc["total", "response_cost"], 0.2 * kept)
    priv = r.competitor_entry(cust, response="privileges", privilege_cost=pd.Series({"A quality": 900.0}))
    assert np.isclose(priv.loc["total", "response_cost"], 900.0 * (grades == "A quality").sum())


def test_loyalty_mix_is_respected():
    grades = pd.Series(["B"] * 20000)
    share = r.draw_loyalty_types(grades, seed=5).value_counts(normalize=True)
    assert np.allclose(share.reindex(r.LOYALTY_MIX_BY_GRADE.columns), r.LOYALTY_MIX_BY_GRADE.loc["B"], atol=0.01)
    # grades drawn by the simulator with the same seed: the types must still follow the mix
    _, truth = simulate_restaurant_visits(20000, months=1, seed=42)
    g = truth["customers"]["grade"].astype(str)
    mix = pd.crosstab(g, r.draw_loyalty_types(g, seed=42), normalize="index")
    assert np.allclose(mix.reindex(index=r.LOYALTY_MIX_BY_GRADE.index, columns=r.LOYALTY_MIX_BY_GRADE.columns),
                       r.LOYALTY_MIX_BY_GRADE, atol=0.04)
    assert np.allclose(r.LOYALTY_MIX_BY_GRADE.sum(axis=1), 1)
    with pytest.raises(CRMInputError, match="argument `grades`"):
        r.draw_loyalty_types(pd.Series(["Z"]))
