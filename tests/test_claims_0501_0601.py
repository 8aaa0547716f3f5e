"""Lessons 5.1 and 6.1: each sentence's number or direction holds for other seeds and sizes.

Each lesson is rerun in-process and each claim asserted; the Explore callbacks are called at the ends
of every control.
"""

import pytest

from lesson_exec import run_lesson, run_widget_ends

# --------------------------------------------------------------------------- 5.1
RUNS_501 = [dict(seed=42, n_customers=2000), dict(seed=7, n_customers=600), dict(seed=1, n_customers=4000)]


@pytest.fixture(scope="module", params=RUNS_501, ids=lambda p: f"seed{p['seed']}-n{p['n_customers']}")
def ns501(request):
    return run_lesson("05.01-IDIC-and-the-Customer-Difference-Matrix", **request.param)


def test_501_panels_differ_beyond_chance(ns501):
    p = ns501["profiles"]
    for name in ("yogurt", "ketchup", "crackers"):
        assert p.loc[name, "needs"] > p.loc[name, "floor"] + 0.15          # "well above its floor"
    assert p.loc["ketchup", "floor"] == p.loc[["yogurt", "ketchup", "crackers"], "floor"].max()
    assert p.loc["ketchup", "purchases_per_customer"] == p.loc[["yogurt", "ketchup", "crackers"],
                                                                 "purchases_per_customer"].min()


def test_501_telco_bundles_closer_than_random_and_value_unequal(ns501):
    t = ns501["telco_needs"]
    assert t["needs"] < t["floor"]                                          # "closer than random bundles"
    assert ns501["profiles"].loc["telco", "value_gini"] >= 0.4              # "value very unequal"


def test_501_retailer_truth_lies_between_excess_and_raw(ns501):
    s = ns501["shop_needs"]
    assert s["excess"] < ns501["true_needs"] < s["needs"]


def test_501_quadrants_of_the_real_businesses(ns501):
    q = ns501["matrix"]["quadrant"]
    assert q["yogurt"] == "high value, high needs"
    assert q["ketchup"] == "low value, low needs"
    assert q["crackers"] == "low value, high needs"
    assert q["telco"] == "high value, low needs"


def test_501_audit_and_offers(ns501):
    assert len(ns501["audit"]) == 5
    o = ns501["offers"]
    p, m = o.loc["personalised"], o.loc["mass"]
    assert p["hit_rate"] - m["hit_rate"] > 1.96 * ns501["se"]                # "beats by a wide margin"
    assert p["hit_rate"] - m["hit_rate"] > 0.15


def test_501_widget_ends_run():
    assert run_widget_ends("05.01-IDIC-and-the-Customer-Difference-Matrix", seed=7, n_customers=600) == 6


# --------------------------------------------------------------------------- 6.1
RUNS_601 = [dict(seed=42, n_customers=1000), dict(seed=7, n_customers=400), dict(seed=1, n_customers=2000)]


@pytest.fixture(scope="module", params=RUNS_601, ids=lambda p: f"seed{p['seed']}-n{p['n_customers']}")
def ns601(request):
    return run_lesson("06.01-Customer-Data", **request.param)


def test_601_files_round_trip(ns601):
    r, d = ns601["records"], ns601["data"]
    assert len(r) == len(d) and set(r["record_id"]) == set(d["record_id"])
    assert (r.set_index("record_id")["phone"] == d.set_index("record_id")["phone"]).all()   # no digits lost
    assert (r.set_index("record_id")["name"] == d.set_index("record_id")["name"]).all()     # GBK kept the names


def test_601_first_report(ns601):
    q = ns601["report"].set_index(["dimension", "field"])["value"]
    assert q["completeness", "name"] == 1 and q["completeness", "email"] < 0.95          # "often missing"
    assert q["validity", "phone"] < 1 and q["validity", "email"] < 1                     # "a few break"
    assert 0.7 < q["timeliness", "last_verified"] < 0.9                                  # "a fifth"


def test_601_threshold_trade_off(ns601):
    s = ns601["scores"].set_index("threshold")
    assert s.loc[0.4, "recall"] > 0.97 and s.loc[0.4, "precision"] < 0.75               # "finds nearly every"
    assert s.loc[0.9, "precision"] > 0.99 and s.loc[0.9, "recall"] < 0.6
    assert (s["recall"].diff().dropna() <= 0).all()


def test_601_errors_are_families_and_stale_records(ns601):
    assert ns601["family"][ns601["wrong"]].mean() > 0.9
    assert ns601["stale_missed"] > 0.5                                                   # "mostly involve"


def test_601_uniqueness_and_consistency(ns601):
    f = ns601["full"].set_index(["dimension", "field"])
    for col in ("estimated", "true"):
        assert f.loc[("uniqueness", "record"), col] < 0.5                               # "fewer than half"
        assert f.loc[("consistency", "phone"), col] < 0.9                               # "more than one in ten"
    assert abs(f.loc[("uniqueness", "record"), "estimated"] - f.loc[("uniqueness", "record"), "true"]) < 0.07
    assert ns601["clusters"].nunique() > ns601["true_clusters"].nunique()              # "finds more customers"


def test_601_blind_spots_close_to_the_truth(ns601):
    s = ns601["spots"]
    assert (s["customers"] > 0).all()
    rel = (s["customers"] - s["customers (true view)"]).abs() / s["customers (true view)"]
    assert (rel < 0.3).all()                                                             # "nearly the same"


def test_601_freshness_orders(ns601):
    f = ns601["fixed"]
    assert f.loc["oldest first", "old phones found"] >= f.loc["value x staleness", "old phones found"]
    assert f.loc["highest value first", "old phones found"] < f.loc["oldest first", "old phones found"]


def test_601_widget_ends_run():
    assert run_widget_ends("06.01-Customer-Data", seed=7, n_customers=400) == 4
