"""Customer data management: matcher, quality report, single view, blind spots and freshness,
each scored against the truth of the simulated messy records or an independent calculation."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons import customer_data as cd
from crm_lessons.simulate import simulate_messy_customers


@pytest.fixture(scope="module", params=[0, 3])
def sim(request):
    data, truth = simulate_messy_customers(1000, seed=request.param)
    return data, truth, cd.match_duplicates(data)


def _true_cluster(data, truth):
    return data["record_id"].map(truth["records"].set_index("record_id")["customer_id"])


def test_matcher_precision_and_recall_on_simulated_truth(sim):
    data, truth, m = sim
    q = cd.pair_quality(m[m["match"]], truth["pairs"])            # default threshold 0.7
    assert 0.93 <= q["precision"] <= 0.99 and 0.84 <= q["recall"] <= 0.91
    # normalising matters: exact raw name and raw phone find far fewer true pairs
    raw = data.merge(data, on=["name", "phone"], suffixes=("_a", "_b"))
    raw = raw[raw["record_id_a"] < raw["record_id_b"]].rename(columns={"record_id_a": "record_a",
                                                                      "record_id_b": "record_b"})
    assert cd.pair_quality(raw, truth["pairs"])["recall"] < q["recall"] - 0.2


def test_threshold_trades_precision_for_recall(sim):
    data, truth, m = sim
    t = cd.threshold_table(m, truth["pairs"]).set_index("threshold")
    assert t.loc[0.5, "recall"] > t.loc[0.7, "recall"] > t.loc[0.85, "recall"]
    assert t.loc[0.5, "precision"] < t.loc[0.7, "precision"] < t.loc[0.85, "precision"]
    assert t.loc[0.5, "precision"] < 0.9 and t.loc[0.5, "recall"] > 0.97
    assert t.loc[0.85, "precision"] > 0.99 and t.loc[0.85, "recall"] < 0.6
    assert t["f1"].idxmax() in (0.55, 0.6, 0.65, 0.7)
    assert (t["recall"].diff().dropna() <= 0).all()                  # a higher threshold never finds more


def test_false_matches_at_a_low_threshold_are_family_members(sim):
    data, truth, m = sim
    cid = truth["records"].set_index("record_id")["customer_id"]
    host = truth["customers"].set_index("customer_id")["household_of"]
    low = m[m["score"] >= 0.5]
    a, b = cid[low["record_a"]].to_numpy(), cid[low["record_b"]].to_numpy()
    wrong = a != b
    family = (host[a].to_numpy() == b) | (host[b].to_numpy() == a) | (
        (host[a].to_numpy() == host[b].to_numpy()) & (host[a].to_numpy() > 0))
    assert wrong.sum() > 100 and (family[wrong]).mean() > 0.9


def test_quality_report_equals_the_truth_of_the_errors(sim):
    data, truth, _ = sim
    rec = truth["records"]
    q = cd.quality_report(data.assign(cid=_true_cluster(data, truth)), as_of=truth["as_of"],
                          cluster_col="cid").set_index(["dimension", "field"])["value"]
    assert q["completeness", "email"] == pytest.approx(1 - rec["email_missing"].mean())
    assert q["validity", "phone"] == pytest.approx(1 - rec["phone_invalid"].mean())
    present = ~rec["email_missing"]
    assert q["validity", "email"] == pytest.approx(1 - rec.loc[present, "email_invalid"].mean())
    assert q["timeliness", "last_verified"] == pytest.approx(1 - rec["stale"].mean())
    assert q["uniqueness", "record"] == pytest.approx(rec["customer_id"].nunique() / len(rec))
    # city consistency by hand: customers with 2+ records whose records carry no moved (old) city
    multi = rec.groupby("customer_id").filter(lambda g: len(g) > 1)
    by_hand = (~multi.groupby("customer_id")["old_city"].any()).mean()
    assert q["consistency", "city"] == pytest.approx(by_hand, abs=0.01)   # two old cities may agree by chance


def test_clusters_of_the_true_pairs_are_the_true_customers(sim):
    data, truth, _ = sim
    cl = cd.cluster_records(truth["pairs"], data["record_id"])
    true = _true_cluster(data, truth).to_numpy()
    assert pd.crosstab(cl.to_numpy(), true).astype(bool).sum(axis=1).max() == 1    # no cluster mixes customers
    assert cl.nunique() == len(set(true))


def test_single_view_and_blind_spots_against_the_truth(sim):
    data, truth, m = sim
    cl = _true_cluster(data, truth).set_axis(data["record_id"])
    view = cd.single_view(data, cl)
    c = truth["customers"].set_index("customer_id").loc[view.index]
    assert (view["open_complaint"] == (c["open_complaint"] & view["departments"].str.contains("service"))).all()
    assert (view["opted_out"] == (c["opted_out"] & view["departments"].str.contains("marketing"))).all()
    sales = view["departments"].str.contains("sales")
    assert np.allclose(view.loc[sales, "annual_spend"], c.loc[sales, "annual_spend"])
    spots = cd.department_blind_spots(view)["customers"]
    held = truth["records"].groupby("customer_id")["record_id"].agg(
        lambda r: set(data.set_index("record_id").loc[r, "department"]))
    cc = truth["customers"].set_index("customer_id").loc[held.index]
    comp = cc["open_complaint"] & held.map(lambda s: "service" in s)
    opt = cc["opted_out"] & held.map(lambda s: "marketing" in s)
    spend = cc["annual_spend"].where(held.map(lambda s: "sales" in s))
    vip = spend >= spend.dropna().quantile(0.9)
    assert spots["marketing"] == int((held.map(lambda s: "marketing" in s) & comp & ~opt).sum())
    assert spots["service"] == int((held.map(lambda s: "service" in s) & vip).sum())
    assert spots["sales"] == int((held.map(lambda s: "sales" in s) & opt).sum())
    assert min(spots) > 10


def test_reverify_priority_by_hand():
    r = pd.DataFrame({"record_id": [1, 2, 3, 4], "annual_spend": [100.0, 1000.0, 400.0, None],
                      "last_verified": ["2020-06-30", "2024-06-30", "2022-06-30", "2018-01-01"]})
    out = cd.reverify_priority(r, as_of="2024-06-30").set_index("record_id")
    days = (pd.Timestamp("2024-06-30") - pd.to_datetime(r["last_verified"])).dt.days.to_numpy()
    expected = np.array([100.0, 1000.0, 400.0, 0.0]) * days / 365
    assert out.loc[[1, 2, 3, 4], "priority"].to_numpy() == pytest.approx(expected)
    assert out["rank"].tolist() == [1, 2, 3, 4] and out.index.tolist() == [3, 1, 4, 2]


def test_pair_quality_by_hand():
    found = pd.DataFrame({"record_a": [1, 2, 3], "record_b": [2, 3, 4]})
    true = pd.DataFrame({"record_a": [1, 3], "record_b": [2, 4]})
    q = cd.pair_quality(found, true)
    assert (q["precision"], q["recall"]) == (pytest.approx(2 / 3), 1.0)
