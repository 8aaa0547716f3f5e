"""Tests of crm_lessons.segmentation: hand-computed examples, independent calculations,
known distributions and simulated data with known segments."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import adjusted_rand_score

from crm_lessons import segmentation as seg
from crm_lessons._validation import CRMInputError
from crm_lessons.simulate import simulate_restaurant_visits


@pytest.fixture
def small_log():
    """Five customers, as-of 2024-04-01. Customer 2 has two rows on one day (one purchase day)."""
    return pd.DataFrame({
        "customer_id": [1, 1, 1, 2, 2, 3, 4, 4, 5, 5, 5, 5],
        "date": ["2024-01-10", "2024-02-15", "2024-03-30", "2024-03-01", "2024-03-01", "2024-01-02",
                 "2024-02-01", "2024-03-25", "2024-01-05", "2024-01-20", "2024-02-05", "2024-02-20"],
        "amount": [40.0, 60.0, 50.0, 30.0, 20.0, 500.0, 10.0, 15.0, 80.0, 90.0, 70.0, 60.0],
    })


# ----------------------------------------------------------------------------- RFM
def test_rank_scores_ties_share_a_score():
    # 4 of 6 customers buy once: none of them is beaten, so all get 1; 2 beats 4 of 6 -> 1+floor(5*4/6)=4
    assert seg.rank_scores([1, 1, 1, 1, 2, 3], n_bins=5).tolist() == [1, 1, 1, 1, 4, 5]
    # quintiles of 10 distinct values: two per score
    assert seg.rank_scores(np.arange(10), n_bins=5).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_rfm_table_hand_computed(small_log):
    rfm = seg.rfm_table(small_log, as_of="2024-04-01", n_bins=5)
    # recency (days to 2024-04-01), frequency (purchase days), monetary (total), by hand
    expected = pd.DataFrame({"recency": [2, 31, 90, 7, 41], "frequency": [3, 1, 1, 2, 4],
                             "monetary": [150.0, 50.0, 500.0, 25.0, 300.0]},
                            index=pd.Index([1, 2, 3, 4, 5], name="customer_id"))
    pd.testing.assert_frame_equal(rfm[["recency", "frequency", "monetary"]], expected)
    # scores = 1 + floor(5 * (# strictly worse customers) / 5)
    # R: recency 2 beats 4 -> 5; 31 beats 2 (41, 90) -> 3; 90 -> 1; 7 beats 3 -> 4; 41 beats 1 -> 2
    assert rfm["r_score"].tolist() == [5, 3, 1, 4, 2]
    # F: 3 beats 3 -> 4; 1 beats none -> 1 (tied); 2 beats 2 -> 3; 4 beats 4 -> 5
    assert rfm["f_score"].tolist() == [4, 1, 1, 3, 5]
    # M: 150 beats 2 -> 3; 50 beats 1 -> 2; 500 -> 5; 25 -> 1; 300 -> 4
    assert rfm["m_score"].tolist() == [3, 2, 5, 1, 4]
    assert rfm["rfm_score"].tolist() == ["543", "312", "115", "431", "254"]
    # R x F map: (5,4) Champions; (3,1) About to sleep; (1,1) Lost; (4,3) Potential loyalists; (2,5) Can't lose
    assert rfm["segment"].astype(str).tolist() == [
        "Champions", "About to sleep", "Lost", "Potential loyalists", "Can't lose them"]
    # eight classes: mean scores R 3, F 2.8, M 3 -> high = strictly above
    # 1: R5 F4 M3 -> H H L ; 2: L L L ; 3: L L H ; 4: H H L ; 5: L H H
    assert rfm["rfm_class_zh"].tolist() == ["一般价值客户", "一般挽留客户", "重要挽留客户", "一般价值客户",
                                            "重要保持客户"]


def test_rfm_segment_map_covers_the_grid_as_published():
    """The R x F map equals the widely used 5 x 5 grid (with 'Lost' split from R1 F1)."""
    grid = {}
    for r in range(1, 6):
        for f in range(1, 6):
            if r == 1 and f == 1:
                grid[r, f] = "Lost"
            elif r <= 2 and f <= 2:
                grid[r, f] = "Hibernating"
            elif r <= 2 and f <= 4:
                grid[r, f] = "At risk"
            elif r <= 2:
                grid[r, f] = "Can't lose them"
            elif r == 3 and f <= 2:
                grid[r, f] = "About to sleep"
            elif r == 3 and f == 3:
                grid[r, f] = "Need attention"
            elif f >= 4:
                grid[r, f] = "Champions" if r == 5 else "Loyal customers"
            elif f == 1:
                grid[r, f] = "New customers" if r == 5 else "Promising"
            else:
                grid[r, f] = "Potential loyalists"
    # build a log whose R and F scores hit every cell: 25 customers, one per cell
    rows = []
    for i, (r, f) in enumerate(grid):
        last = pd.Timestamp("2024-12-31") - pd.Timedelta(days=10 * (5 - r))
        rows += [(i, last - pd.Timedelta(days=100 * k), 10.0) for k in range(f)]
    tx = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    rfm = seg.rfm_table(tx, as_of="2024-12-31")
    cells = list(grid)
    got = {cells[i]: s for i, s in rfm["segment"].astype(str).items()}
    # scores recovered exactly (ties give each cell of R its own score)
    assert list(zip(rfm["r_score"], rfm["f_score"])) == cells
    assert got == grid


def test_rfm_n_bins_and_as_of_default(small_log):
    rfm3 = seg.rfm_table(small_log, n_bins=3)
    assert rfm3["recency"].min() == 0  # as_of defaults to the last date in the log
    assert set(rfm3["r_score"]) <= {1, 2, 3}
    assert rfm3["segment"].notna().all()


def test_rfm_does_not_modify_input(small_log):
    before = small_log.copy()
    seg.rfm_table(small_log)
    pd.testing.assert_frame_equal(small_log, before)


# ----------------------------------------------------------------------------- Pareto, ABC, pyramid, Gini
@pytest.fixture
def skewed():
    return pd.Series(np.random.default_rng(3).lognormal(3, 1.2, 1000), name="monetary")


def test_pareto_and_abc_match_numpy_cumsum(skewed):
    x = np.sort(skewed.to_numpy())[::-1]
    cum = np.cumsum(x) / x.sum()
    curve = seg.pareto_curve(skewed)
    np.testing.assert_allclose(curve["value_share"].iloc[1:], cum)
    abc = seg.abc_classes(skewed, a=0.8, b=0.95)
    # independent: count of A = number of customers whose predecessors hold < 80%, by a loop
    n_a = n_b = 0
    held = 0.0
    for v in x:
        if held < 0.8:
            n_a += 1
        elif held < 0.95:
            n_b += 1
        held += v / x.sum()
    counts = abc["abc_class"].value_counts()
    assert (counts["A"], counts["B"], counts["C"]) == (n_a, n_b, len(x) - n_a - n_b)
    # A's value share is the first share at or above 80%
    summ = seg.tier_summary(abc, tier_col="abc_class")
    assert summ.loc["A", "value_share"] == pytest.approx(cum[n_a - 1])
    assert summ.loc["A", "value_share"] >= 0.8 > cum[n_a - 2]
    assert abc.index.equals(skewed.index)


def test_pyramid_matches_independent_ranking(skewed):
    pyr = seg.customer_pyramid(skewed)
    assert pyr["tier"].value_counts(sort=False).tolist() == [10, 40, 150, 800]
    ranks = skewed.rank(ascending=False, method="first")
    top10 = skewed[ranks <= 10]
    assert set(pyr.index[pyr["tier"] == "VIP"]) == set(top10.index)
    summ = seg.tier_summary(pyr, tier_col="tier")
    assert summ.loc["VIP", "value_share"] == pytest.approx(top10.sum() / skewed.sum())
    assert summ["value_share"].sum() == pytest.approx(1)
    assert pyr.loc[top10.index, "tier_zh"].eq("VIP客户").all()


def test_pyramid_custom_shares():
    pyr = seg.customer_pyramid(np.arange(10.0), shares=(0.2, 0.8), labels=("top", "rest"))
    assert pyr["tier"].astype(str).tolist() == ["rest"] * 8 + ["top"] * 2
    assert pyr["tier_zh"].tolist()[-1] == "top"


def test_gini_known_values():
    assert seg.gini(np.full(50, 7.0)) == pytest.approx(0.0)
    n = 20
    assert seg.gini(np.r_[np.zeros(n - 1), 5.0]) == pytest.approx((n - 1) / n)
    assert seg.gini([1, 2, 3, 4]) == pytest.approx(0.25)
    # large samples: uniform(0, 1) has G = 1/3, exponential has G = 1/2
    rng = np.random.default_rng(0)
    assert seg.gini(rng.uniform(0, 1, 200_000)) == pytest.approx(1 / 3, abs=0.005)
    assert seg.gini(rng.exponential(1, 200_000)) == pytest.approx(0.5, abs=0.005)


def test_gini_is_twice_the_area_between_diagonal_and_lorenz(skewed):
    lz = seg.lorenz_curve(skewed)
    area = np.trapezoid(lz["value_share"], lz["customer_share"])
    assert seg.gini(skewed) == pytest.approx(1 - 2 * area, abs=1e-9)
    # the Pareto curve is the Lorenz curve turned round: P(p) = 1 - L(1 - p)
    pc = seg.pareto_curve(skewed)
    np.testing.assert_allclose(pc["value_share"].to_numpy(), 1 - lz["value_share"].to_numpy()[::-1], atol=1e-12)


# ----------------------------------------------------------------------------- value matrix, quadrants
def test_growth_potential_orders_growing_customers_first():
    dates = pd.date_range("2024-01-01", periods=12, freq="MS")
    grow = pd.DataFrame({"customer_id": 1, "date": dates, "amount": np.linspace(10, 120, 12), "cat": list("abcabcabcabc")})
    shrink = pd.DataFrame({"customer_id": 2, "date": dates, "amount": np.linspace(120, 10, 12), "cat": "a"})
    tx = pd.concat([grow, shrink], ignore_index=True)
    gp = seg.growth_potential(tx, category_col="cat", referrals=pd.Series({1: 2}))
    assert gp.loc[1, "current_value"] == gp.loc[2, "current_value"]
    assert gp.loc[1, "spend_trend"] > 0 > gp.loc[2, "spend_trend"]
    assert gp.loc[1, "n_categories"] == 3 and gp.loc[2, "referrals"] == 0
    assert gp.loc[1, "potential"] == 1.0 and gp.loc[2, "potential"] == 0.5


def test_value_matrix_classes_and_thresholds():
    df = pd.DataFrame({"current_value": [1, 2, 3, 4, 5, 6], "potential": [0.9, 0.1, 0.5, 0.2, 0.8, 0.95]})
    vm = seg.value_matrix(df)
    assert vm.attrs["thresholds"] == {"value": 3.5, "potential": 0.65}
    assert vm["value_class"].astype(str).tolist() == ["II", "I", "I", "III", "IV", "IV"]
    assert vm["value_class_zh"].iloc[-1] == "IV类客户"
    assert "strategy" in vm and list(df.columns) == ["current_value", "potential"]
    vm2 = seg.value_matrix(df, value_threshold=0, potential_threshold=0)
    assert (vm2["value_class"] == "IV").all()


def test_loyalty_quadrants_thresholds():
    df = pd.DataFrame({"orders": [10, 1, 8, 2, 5], "avg": [90, 80, 5, 6, 50]})
    q = seg.loyalty_value_quadrants(df, loyalty_col="orders", value_col="avg")
    assert q.attrs["thresholds"] == {"loyalty": 5.0, "value": 50.0}
    # the median customer (5, 50) is low on both: strictly above the median counts as high
    assert q["quadrant"].astype(str).tolist() == ["True friends", "Butterflies", "Barnacles", "Strangers", "Strangers"]


# ----------------------------------------------------------------------------- rule-based tiers
def test_monthly_stats_by_hand():
    v = pd.DataFrame({"customer_id": ["a", "a", "b"], "date": ["2024-01-31", "2024-03-01", "2024-02-10"],
                      "amount": [600.0, 300.0, 90.0], "party_size": [6, 3, 2]})
    st = seg.monthly_customer_stats(v)  # window Jan-Mar = 3 months
    assert st.loc["a", "monthly_visits"] == pytest.approx(2 / 3)
    assert st.loc["a", "monthly_spend"] == pytest.approx(300.0)
    assert st.loc["a", "spend_per_head"] == pytest.approx(100.0)
    assert seg.monthly_customer_stats(v, months=1).loc["b", "monthly_spend"] == 90.0


def _accuracy(months, seed=0, n=2000):
    visits, truth = simulate_restaurant_visits(n, months=months, seed=seed)
    graded = seg.tier_by_rules(seg.monthly_customer_stats(visits, months=months))
    true = truth["customers"].set_index("customer_id")["grade"].astype(str)
    return (graded["tier"].astype(str) == true.reindex(graded.index)).mean(), visits, truth


def test_tier_by_rules_recovers_true_grades():
    # 1. applied to the TRUE rates the rules give back the true grades (the defaults put every
    #    grade's rates inside its rules; only the 5% customer heterogeneity can cross a limit)
    _, visits, truth = _accuracy(6)
    c = truth["customers"].set_index("customer_id")
    on_truth = seg.tier_by_rules(c[["monthly_visits", "monthly_spend", "spend_per_head"]])
    assert (on_truth["tier"].astype(str) == c["grade"].astype(str)).mean() > 0.99
    # 2. from 6 months of visits, errors come from Poisson noise in the visit counts. The
    #    independent expectation: a customer keeps its grade when its visit count N ~ Poisson(6 * rate)
    #    reaches its grade's limits: N >= 6 * min_monthly_visits and N * (guests x spend per head
    #    per visit) >= 6 * min_monthly_spend (spend per visit taken at its mean; C has no limits).
    acc, _, _ = _accuracy(6)
    rules = seg.RESTAURANT_RULES.set_index("tier").fillna(0)
    g = c["grade"].astype(str)
    per_visit = c["party_size"] * c["spend_per_head"]
    need = np.maximum(6 * rules.loc[g, "min_monthly_visits"].to_numpy(),
                      np.ceil(6 * rules.loc[g, "min_monthly_spend"].to_numpy() / per_visit.to_numpy()))
    expected = stats.poisson.sf(need - 1, 6 * c["monthly_visits"].to_numpy()).mean()
    assert 0.93 < expected < 0.98
    # binomial sd of an accuracy over 2000 customers is ~0.005; visit-to-visit spend noise, ignored
    # above, costs about 1 point more: allow 0.02
    assert acc == pytest.approx(expected, abs=0.02)
    assert acc > 0.92
    # 3. a longer log grades better
    assert _accuracy(12)[0] > _accuracy(3)[0]


def test_tier_by_rules_custom_table_and_default():
    rules = pd.DataFrame({"tier": ["gold", "silver"], "min_spend": [100.0, 50.0], "min_orders": [5, np.nan]})
    data = pd.DataFrame({"spend": [150.0, 150.0, 60.0, 10.0], "orders": [6, 2, 1, 9]})
    out = seg.tier_by_rules(data, rules, default="other")
    assert out["tier"].astype(str).tolist() == ["gold", "silver", "silver", "other"]
    assert list(out["tier"].cat.categories) == ["gold", "silver", "other"]
    with pytest.raises(CRMInputError, match=r"^argument `data`, row 3: every row must meet a rule of `rules`.*default="):
        seg.tier_by_rules(data, rules)


# ----------------------------------------------------------------------------- k-means
def _blobs(seed=0, n=300):
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, n)
    freq = np.exp(np.array([0.0, 1.5, 3.0])[truth] + rng.normal(0, 0.15, n))
    money = np.exp(np.array([3.0, 5.0, 7.0])[truth] + rng.normal(0, 0.15, n))
    return pd.DataFrame({"frequency": freq, "monetary": money}), truth


def test_kmeans_recovers_separated_clusters_with_value_order():
    f, truth = _blobs()
    res = seg.kmeans_segments(f, k=3, seed=0)
    assert adjusted_rand_score(truth, res.labels) > 0.99
    # segment 0 = highest mean monetary = true group 2
    assert (res.labels[truth == 2] == 0).mean() > 0.99
    assert res.profile["monetary"].is_monotonic_decreasing
    assert res.profile["customers"].sum() == len(f)
    assert res.profile["value_share"].sum() == pytest.approx(1)
    np.testing.assert_allclose(res.profile.loc[0, "monetary"], f["monetary"][res.labels == 0].mean())


def test_kmeans_is_deterministic_and_choose_k_finds_three():
    f, _ = _blobs(seed=1)
    a, b = seg.kmeans_segments(f, k=3, seed=5), seg.kmeans_segments(f, k=3, seed=5)
    pd.testing.assert_series_equal(a.labels, b.labels)
    ck = seg.choose_k(f, k_range=range(2, 6))
    assert ck["silhouette"].idxmax() == 3
    assert ck["inertia"].is_monotonic_decreasing


# ----------------------------------------------------------------------------- bad inputs
def test_bad_inputs_have_clear_messages(small_log):
    with pytest.raises(CRMInputError, match=r"column 'when' \(given as date_col\) is missing"):
        seg.rfm_table(small_log, date_col="when")
    neg = small_log.assign(amount=small_log["amount"].where(small_log.index != 4, -3.0))
    with pytest.raises(CRMInputError, match=r"column 'amount' \(amount_col\), row 4: values must be >= 0; found -3.0"):
        seg.rfm_table(neg)
    bad = small_log.assign(date=small_log["date"].where(small_log.index != 2, "31/31/2024"))
    with pytest.raises(CRMInputError, match=r"row 2: values must be dates; found '31/31/2024'"):
        seg.rfm_table(bad)
    nobody = small_log.assign(customer_id=small_log["customer_id"].where(small_log.index != 3))
    with pytest.raises(CRMInputError, match=r"column 'customer_id' \(customer_col\), row 3: values must not be missing"):
        seg.rfm_table(nobody)
    with pytest.raises(CRMInputError, match=r"dates must not be after 2024-02-01"):
        seg.rfm_table(small_log, as_of="2024-02-01")
    with pytest.raises(CRMInputError, match=r"argument `as_of`: must be a date"):
        seg.rfm_table(small_log, as_of="soon")
    with pytest.raises(CRMInputError, match=r"argument `n_bins`: must be >= 2"):
        seg.rfm_table(small_log, n_bins=1)
    with pytest.raises(CRMInputError, match=r"argument `values`: expected one column"):
        seg.pareto_curve(small_log)
    with pytest.raises(CRMInputError, match=r"the values sum to 0"):
        seg.gini([0, 0, 0])
    with pytest.raises(CRMInputError, match=r"need a < b"):
        seg.abc_classes([1, 2, 3], a=0.9, b=0.8)
    with pytest.raises(CRMInputError, match=r"argument `shares`: must sum to 1"):
        seg.customer_pyramid([1, 2, 3], shares=(0.5, 0.4), labels=("a", "b"))
    with pytest.raises(CRMInputError, match=r"column 'party_size' \(given as party_col\) is missing"):
        seg.monthly_customer_stats(small_log)
    with pytest.raises(CRMInputError, match=r"needs columns named min_<measure>"):
        seg.tier_by_rules(pd.DataFrame({"x": [1]}), pd.DataFrame({"tier": ["a"]}))
    with pytest.raises(CRMInputError, match=r"column 'monthly_visits' \(needed by rules column 'min_monthly_visits'\) is missing.*monthly_customer_stats"):
        seg.tier_by_rules(pd.DataFrame({"x": [1]}))
    with pytest.raises(CRMInputError, match=r"argument `k`: at most the number of customers \(2\)"):
        seg.kmeans_segments(pd.DataFrame({"monetary": [1.0, 2.0]}), k=3)
    with pytest.raises(CRMInputError, match=r"argument `features`, column 'monetary'.*>= 0"):
        seg.kmeans_segments(pd.DataFrame({"monetary": [1.0, -2.0, 3.0]}), k=2)
    with pytest.raises(CRMInputError, match=r"column 'potential' \(given as potential_col\) is missing"):
        seg.value_matrix(pd.DataFrame({"current_value": [1.0]}))
