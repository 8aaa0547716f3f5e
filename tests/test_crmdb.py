"""crm_lessons.crmdb: the schema holds its constraints, and every SQL query equals its pandas helper."""

import sqlite3

import numpy as np
import pandas as pd
import pytest

from crm_lessons import campaigns, crmdb, cube, funnel
from crm_lessons._validation import CRMInputError
from crm_lessons.customer_summary import summary_from_transactions


@pytest.fixture(scope="module", params=[(42, 2000), (7, 400)], ids=["seed42-n2000", "seed7-n400"])
def db(request):
    seed, n = request.param
    con = crmdb.build_crm_database(":memory:", seed=seed, n_customers=n)
    return con, crmdb.read_tables(con)


def test_every_table_is_filled_and_keys_hold(db):
    con, t = db
    counts = crmdb.table_counts(con)["rows"]
    assert (counts > 0).all(), counts
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert set(t["contacts"]["buying_role"]) <= {"purchaser", "user", "gatekeeper", "decision_maker"}
    kinds = t["customers"].set_index("customer_id")["kind"]
    buyers = set(t["orders"]["customer_id"])
    assert (kinds[kinds == "customer"].index.isin(list(buyers))).all()
    assert not kinds[kinds == "prospect"].index.isin(list(buyers)).any()


def test_constraints_reject_bad_rows(db):
    con, _ = db
    bad = [
        "INSERT INTO orders (customer_id, order_date, product, amount, profit) VALUES (1, '2024-01-01', 'fresh', -5, 0)",
        "INSERT INTO orders (customer_id, order_date, product, amount, profit) VALUES (10**9, '2024-01-01', 'fresh', 5, 0)"
        .replace("10**9", "999999999"),
        "INSERT INTO contacts (customer_id, name, buying_role) VALUES (1, 'x', 'boss')",
        "INSERT INTO opportunities (topic, product, sales_method, customer_id, stage, status, expected_amount, owner, "
        "influence, source, created, closed) VALUES ('t', 'fresh', 'direct', 1, 'lead', 'open', 10, 'R1', 0, 'web', "
        "'2024-01-01', '2024-02-01')",                                  # open with a close date
        "INSERT INTO opportunities (topic, product, sales_method, customer_id, stage, status, expected_amount, owner, "
        "influence, source, created) VALUES ('t', 'fresh', 'direct', 1, 'nowhere', 'open', 10, 'R1', 0, 'web', "
        "'2024-01-01')",                                                # unknown stage
    ]
    for sql in bad:
        with pytest.raises(sqlite3.IntegrityError):
            con.execute(sql)
    con.rollback()


def test_customer_360_equals_pandas(db):
    con, t = db
    view = crmdb.customer_360(con, as_of="2024-12-31")
    orders = t["orders"]
    assert len(view) == len(t["customers"])
    s = summary_from_transactions(orders, date_col="order_date", as_of="2024-12-31").set_index("customer_id")
    got = view.loc[s.index, ["frequency", "recency", "T", "monetary_value"]]
    pd.testing.assert_frame_equal(got.astype(float), s[["frequency", "recency", "T", "monetary_value"]].astype(float),
                                  check_exact=False, rtol=1e-9, atol=1e-6)
    assert view.loc[~view.index.isin(s.index), "frequency"].isna().all()
    by = orders.groupby("customer_id")
    for col, ref in [("orders", by.size()), ("revenue", by["amount"].sum()), ("profit", by["profit"].sum()),
                     ("products", by["product"].nunique())]:
        np.testing.assert_allclose(view[col], ref.reindex(view.index, fill_value=0), rtol=1e-9, atol=1e-6)
    tk = t["tickets"].groupby("customer_id")
    np.testing.assert_array_equal(view["tickets"], tk.size().reindex(view.index, fill_value=0))
    np.testing.assert_array_equal(view["complaints"], tk["is_complaint"].sum().reindex(view.index, fill_value=0))
    reach = t["campaign_contacts"].groupby("customer_id")
    np.testing.assert_array_equal(view["responses"], reach["responded"].sum().reindex(view.index, fill_value=0))
    np.testing.assert_array_equal(view["contacts"],
                                  t["contacts"].groupby("customer_id").size().reindex(view.index, fill_value=0))
    one = crmdb.customer_360(con, int(view.index[3]))
    pd.testing.assert_frame_equal(one, view.iloc[[3]])


def test_an_earlier_as_of_leaves_out_later_orders(db):
    con, t = db
    view = crmdb.customer_360(con, as_of="2023-12-31")
    early = t["orders"][t["orders"]["order_date"] <= "2023-12-31"]
    np.testing.assert_allclose(view["revenue"].sum(), early["amount"].sum(), rtol=1e-9)


def test_weighted_pipeline_equals_funnel_helper(db):
    con, t = db
    sql = crmdb.weighted_pipeline_sql(con)
    rates = t["stages"].set_index("stage")["win_rate"]
    ref = funnel.weighted_pipeline(t["opportunities"], rates, amount_col="expected_amount", status_col="status")
    pd.testing.assert_frame_equal(sql[["count", "amount", "win_rate", "expected"]].astype(float),
                                  ref[["count", "amount", "win_rate", "expected"]].astype(float), check_names=False)
    # the 360 view's weighted_open adds up to the same total
    assert abs(crmdb.customer_360(con)["weighted_open"].sum() - ref["expected"].sum()) < 1e-6


@pytest.mark.parametrize("rows, columns", [("tier", "region"), ("product", "year"), ("region", "channel")])
def test_profit_cube_equals_cube_helper(db, rows, columns):
    con, t = db
    facts = t["orders"].merge(t["customers"], on="customer_id")
    facts["year"] = facts["order_date"].dt.year.astype(str)
    _, got = crmdb.profit_cube_sql(con, rows=rows, columns=columns)
    ref = cube.profit_cube(facts, rows=rows, columns=columns, value="profit")
    pd.testing.assert_frame_equal(got, ref, check_names=False, check_exact=False, rtol=1e-9, atol=1e-6)


def test_campaign_response_equals_campaign_helpers(db):
    con, t = db
    resp = crmdb.campaign_response(con)
    camp = t["campaigns"].set_index("campaign_id")
    for cid, row in resp.iterrows():
        cc = t["campaign_contacts"][t["campaign_contacts"]["campaign_id"] == cid].sort_values("customer_id")
        k = camp.loc[cid]
        curve = campaigns.profit_curve(cc["responded"], cc["score"], cost_per_piece=k["cost_per_contact"],
                                       margin_per_responder=k["margin_per_response"])
        assert row["contacted"] == len(cc) and row["responders"] == cc["responded"].sum()
        assert abs(row["profit"] - curve["profit"].iloc[-1]) < 1e-6
        assert abs(row["break_even_rate"] - campaigns.break_even_rate(k["cost_per_contact"],
                                                                      k["margin_per_response"])) < 1e-12
        sql_curve = crmdb.campaign_profit_curve(con, int(cid))
        np.testing.assert_allclose(sql_curve["profit"], curve["profit"].iloc[1:], atol=1e-6)
        np.testing.assert_allclose(sql_curve["responders"], curve["responders"].iloc[1:])
        assert campaigns.best_depth(curve) == (0 if curve["profit"].max() <= 0
                                               else int(sql_curve["profit"].idxmax()))


def test_scores_rank_responders(db):
    """The campaign scores carry signal: the top half by score responds more than the bottom half."""
    _, t = db
    cc = t["campaign_contacts"]
    for _, g in cc.groupby("campaign_id"):
        top = g["score"] >= g["score"].median()
        assert g.loc[top, "responded"].mean() > g.loc[~top, "responded"].mean()


def test_indexes_turn_scans_into_searches(db):
    con, _ = db
    sql = "SELECT SUM(amount) FROM orders WHERE customer_id = ?"
    assert "SEARCH orders USING INDEX orders_by_customer" in crmdb.query_plan(con, sql, (5,))
    con.execute("DROP INDEX orders_by_customer")
    assert crmdb.query_plan(con, sql, (5,)).startswith("SCAN orders")
    con.execute("CREATE INDEX orders_by_customer ON orders (customer_id, order_date)")
    assert "USING INDEX orders_by_customer" in crmdb.query_plan(con, sql, (5,))


def test_lookup_timing_index_wins_and_extrapolation_is_exact_on_its_model():
    t = crmdb.lookup_timing([20_000, 200_000], lookups=5)
    assert t["plan"].tolist() == ["SCAN", "SEARCH", "SCAN", "SEARCH"]
    big = t[t["rows"] == 200_000].set_index("index")["ms_per_lookup"]
    assert big[False] > 10 * big[True]                 # a full scan is far slower than a search
    fake = pd.DataFrame({"rows": [1e3, 1e3, 1e4, 1e4, 1e5, 1e5], "index": [False, True] * 3,
                         "ms_per_lookup": [0.5, 0.01, 5.0, 0.02, 50.0, 0.03]})
    e = crmdb.extrapolate_timing(fake, [1e6, 3.6e8])
    np.testing.assert_allclose(e["scan_ms"], [500.0, 180_000.0])
    np.testing.assert_allclose(e["index_ms"], [0.04, 0.01 + 0.01 * np.log10(3.6e8 / 1e3)], rtol=1e-9)


def test_file_database_and_bad_arguments(tmp_path):
    path = tmp_path / "crm.sqlite"
    con = crmdb.build_crm_database(path, seed=1, n_customers=60)
    con.close()
    con = sqlite3.connect(path)
    assert con.execute("SELECT COUNT(*) FROM customers").fetchone()[0] == 60
    crmdb.build_crm_database(path, seed=2, n_customers=70)            # replaces the file
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM customers").fetchone()[0] == 70
    with pytest.raises(CRMInputError, match="argument `n_customers`"):
        crmdb.build_crm_database(":memory:", n_customers=10)
    with pytest.raises(CRMInputError, match="argument `rows`"):
        crmdb.profit_cube_sql(con, rows="colour")
    with pytest.raises(CRMInputError, match="arguments `rows` and `columns`"):
        crmdb.profit_cube_sql(con, rows="tier", columns="tier")
    with pytest.raises(CRMInputError, match="argument `con`"):
        crmdb.customer_360("crm.sqlite")
    with pytest.raises(CRMInputError, match="argument `campaign_id`"):
        crmdb.campaign_profit_curve(con, 99)


def test_seeds_give_different_databases():
    a = crmdb.read_tables(crmdb.build_crm_database(seed=1, n_customers=100))
    b = crmdb.read_tables(crmdb.build_crm_database(seed=2, n_customers=100))
    c = crmdb.read_tables(crmdb.build_crm_database(seed=1, n_customers=100))
    assert not a["orders"]["amount"].equals(b["orders"]["amount"])
    pd.testing.assert_frame_equal(a["orders"], c["orders"])
    pd.testing.assert_frame_equal(a["campaign_contacts"], c["campaign_contacts"])
