"""Inside a CRM system (CRM软件系统): a CRM database in SQLite, its queries, and their speed.

A CRM system is, underneath, a relational database: one table per kind of
thing the firm keeps track of -- customers, their contacts and buying roles,
partners, opportunities, activities, orders, service tickets, campaigns and
who responded -- tied together by keys. The training material lists what such
a database is for (B04-B10): customers reach the firm through any channel;
every employee sees the whole relationship; campaigns are planned and judged
with a 360-degree view; sales activities are tracked; users reach it from
anywhere; and cost, profit, productivity and risk are analysed by customer,
product, department and region. The slides list the fields of a sales
opportunity (C55) and the parties a CRM serves: customers, prospects and
partners (C56).

:data:`SCHEMA` is the database's DDL (SQLite dialect, standard library
``sqlite3``); :func:`build_crm_database` fills it from the course's seeded
simulators; the named queries (:data:`QUERIES`) answer the four questions of
lesson 8.1 -- a 360-degree customer view, the weighted pipeline, a profit
cube and campaign response -- and :func:`read_tables` returns the tables as
DataFrames so that every query can be checked against its pandas helper
(:mod:`crm_lessons.customer_summary`, :mod:`crm_lessons.funnel`,
:mod:`crm_lessons.cube`, :mod:`crm_lessons.campaigns`).
:func:`lookup_timing` measures how a one-customer lookup slows as the base
grows, with and without an index.

Examples
--------
>>> con = build_crm_database(":memory:", seed=1, n_customers=300)
>>> table_counts(con).loc[["customers", "stages"], "rows"].tolist()
[300, 7]
>>> "SEARCH orders USING INDEX" in query_plan(con, "SELECT * FROM orders WHERE customer_id = 5")
True
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import numpy as np
import pandas as pd

from crm_lessons._validation import CRMInputError, check_choice, check_dataframe, check_number, require_columns
from crm_lessons.simulate import simulate_opportunities, simulate_retail, simulate_tickets
from crm_lessons.simulate.opportunities import BUYING_ROLES, FUNNEL_STAGES

__all__ = ["CUBE_DIMENSIONS", "DATABASE_PURPOSES", "OPPORTUNITY_FIELDS", "PRODUCT_MARGINS", "QUERIES", "REGIONS",
           "SCHEMA", "build_crm_database", "campaign_profit_curve", "campaign_response", "customer_360",
           "extrapolate_timing", "lookup_timing", "profit_cube_sql", "query_plan", "read_tables", "table_counts",
           "weighted_pipeline_sql"]

#: The purposes of customer management that a CRM database serves (training material, items B04-B10).
DATABASE_PURPOSES = pd.DataFrame({
    "item": ["B04", "B05", "B06", "B07", "B08", "B09", "B10"],
    "purpose": ["customers reach the firm by phone, fax or web and do business through it",
                "every employee who deals with a customer sees the whole relationship, sells up and across, "
                "and records what they learn",
                "marketing campaigns are planned and evaluated with a 360-degree view",
                "every sales activity is tracked",
                "users reach the system from anywhere, at any time",
                "marketing and sales activities can be analysed",
                "cost, profit, productivity and risk by customer, product, department and region "
                "(multidimensional analysis)"],
    "source_zh": ["可通过电话、传真、网络等访问企业", "员工都能全面了解客户关系", "对整个活动进行360°的透视",
                  "能够对各种销售活动进行追踪", "系统用户可不受地域限制", "拥有对市场活动、销售活动的分析能力",
                  "提供成本、利润、生产率、风险率等信息"],
    "in_this_database": ["customers.channel, tickets.channel", "query customer_360",
                         "campaigns, campaign_contacts; query campaign_response", "activities (advance flag)",
                         "a server database; SQLite here is a single file (not shown)",
                         "queries weighted_pipeline, campaign_response", "query profit_cube"],
})

#: The fields of a sales opportunity on the slides (C55) and the column that holds each.
OPPORTUNITY_FIELDS = pd.DataFrame({
    "field_zh": ["机会题目", "机会产品", "机会描述", "销售方法", "机会对象", "机会阶段", "成功率", "预计销售额",
                 "机会联系人", "机会工作组", "机会影响力", "预计结束时间", "机会来源", "竞争对手"],
    "field": ["topic", "product", "description", "sales method", "party (customer, distributor or partner)",
              "stage (sales funnel)", "success rate", "expected amount", "contacts", "team", "influence (CUTE)",
              "expected close date", "source", "competitors"],
    "column": ["opportunities.topic", "opportunities.product", "opportunities.description",
               "opportunities.sales_method", "opportunities.customer_id, opportunities.partner_id",
               "opportunities.stage -> stages", "stages.win_rate", "opportunities.expected_amount",
               "opportunity_contacts", "opportunities.owner", "opportunities.influence",
               "opportunities.expected_close", "opportunities.source", "opportunities.competitor"],
})

#: Regions of the demo firm (a stated assumption of the generator).
REGIONS = ("North", "East", "South", "West")
_REGION_P = (0.3, 0.3, 0.25, 0.15)
#: Gross margin rate of each product (a stated assumption); each order also costs 2.0 to handle.
PRODUCT_MARGINS = {"beauty": 0.45, "electronics": 0.12, "grocery": 0.18, "household": 0.25, "fresh": 0.22}
_HANDLING = 2.0
#: The dimensions :func:`profit_cube_sql` may group by, and the SQL expression of each.
CUBE_DIMENSIONS = {"tier": "c.tier", "region": "c.region", "product": "o.product",
                   "year": "strftime('%Y', o.order_date)", "channel": "c.channel"}

_STAGE_NAMES = "', '".join(s for s, _, _ in FUNNEL_STAGES)
_ROLES = "', '".join(BUYING_ROLES)

#: The database schema (SQLite DDL): keys, constraints and indexes.
SCHEMA = f"""
CREATE TABLE customers (                  -- 客户 and 潜在客户 (C56)
    customer_id INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('customer', 'prospect')),
    region      TEXT NOT NULL,
    channel     TEXT NOT NULL CHECK (channel IN ('phone', 'web', 'store')),   -- how they reach us (B04)
    tier        TEXT CHECK (tier IN ('A', 'B', 'C')),                          -- NULL for prospects
    created     TEXT NOT NULL                                                   -- ISO date
);
CREATE TABLE partners (                   -- 合作伙伴, 分销商 (C55, C56)
    partner_id  INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('distributor', 'partner')),
    region      TEXT NOT NULL
);
CREATE TABLE contacts (                   -- people at a customer, with their buying role
    contact_id  INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (customer_id),
    name        TEXT NOT NULL,
    buying_role TEXT NOT NULL CHECK (buying_role IN ('{_ROLES}')),
    phone       TEXT
);
CREATE TABLE products (
    product     TEXT PRIMARY KEY,
    margin_rate REAL NOT NULL CHECK (margin_rate BETWEEN 0 AND 1)
);
CREATE TABLE stages (                     -- the sales funnel's stages and win rates (C60-C61)
    stage       TEXT PRIMARY KEY,
    stage_zh    TEXT NOT NULL UNIQUE,
    position    INTEGER NOT NULL UNIQUE,
    win_rate    REAL NOT NULL CHECK (win_rate BETWEEN 0 AND 1)
);
CREATE TABLE orders (
    order_id    INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (customer_id),
    order_date  TEXT NOT NULL,
    product     TEXT NOT NULL REFERENCES products (product),
    amount      REAL NOT NULL CHECK (amount >= 0),
    profit      REAL NOT NULL
);
CREATE TABLE opportunities (              -- the opportunity record's fields (C55)
    opportunity_id  INTEGER PRIMARY KEY,
    topic           TEXT NOT NULL,
    product         TEXT NOT NULL REFERENCES products (product),
    description     TEXT,
    sales_method    TEXT NOT NULL CHECK (sales_method IN ('direct', 'through partner')),
    customer_id     INTEGER NOT NULL REFERENCES customers (customer_id),
    partner_id      INTEGER REFERENCES partners (partner_id),
    stage           TEXT NOT NULL REFERENCES stages (stage),
    status          TEXT NOT NULL CHECK (status IN ('open', 'won', 'lost')),
    expected_amount REAL NOT NULL CHECK (expected_amount >= 0),
    owner           TEXT NOT NULL,
    influence       INTEGER NOT NULL CHECK (influence BETWEEN 0 AND 4),
    expected_close  TEXT,
    source          TEXT NOT NULL,
    competitor      TEXT,
    created         TEXT NOT NULL,
    closed          TEXT,
    CHECK ((status = 'open') = (closed IS NULL)),
    CHECK ((sales_method = 'through partner') = (partner_id IS NOT NULL))
);
CREATE TABLE opportunity_contacts (       -- 机会联系人: the buying roles engaged
    opportunity_id INTEGER NOT NULL REFERENCES opportunities (opportunity_id),
    contact_id     INTEGER NOT NULL REFERENCES contacts (contact_id),
    PRIMARY KEY (opportunity_id, contact_id)
);
CREATE TABLE activities (                 -- every meeting; advance = 1 when the deal moved a stage (C66)
    activity_id    INTEGER PRIMARY KEY,
    opportunity_id INTEGER NOT NULL REFERENCES opportunities (opportunity_id),
    customer_id    INTEGER NOT NULL REFERENCES customers (customer_id),
    activity_date  TEXT NOT NULL,
    advance        INTEGER NOT NULL CHECK (advance IN (0, 1))
);
CREATE TABLE tickets (
    ticket_id              INTEGER PRIMARY KEY,
    customer_id            INTEGER NOT NULL REFERENCES customers (customer_id),
    created                TEXT NOT NULL,
    channel                TEXT NOT NULL,
    category               TEXT NOT NULL,
    is_complaint           INTEGER NOT NULL CHECK (is_complaint IN (0, 1)),
    resolution_hours       REAL CHECK (resolution_hours >= 0),
    first_contact_resolved INTEGER NOT NULL CHECK (first_contact_resolved IN (0, 1))
);
CREATE TABLE campaigns (
    campaign_id         INTEGER PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE,
    channel             TEXT NOT NULL,
    launched            TEXT NOT NULL,
    cost_per_contact    REAL NOT NULL CHECK (cost_per_contact >= 0),
    margin_per_response REAL NOT NULL CHECK (margin_per_response > 0)
);
CREATE TABLE campaign_contacts (          -- who was contacted, the model's score, who responded
    campaign_id INTEGER NOT NULL REFERENCES campaigns (campaign_id),
    customer_id INTEGER NOT NULL REFERENCES customers (customer_id),
    score       REAL NOT NULL CHECK (score BETWEEN 0 AND 1),
    responded   INTEGER NOT NULL CHECK (responded IN (0, 1)),
    PRIMARY KEY (campaign_id, customer_id)
);
CREATE INDEX orders_by_customer ON orders (customer_id, order_date);
CREATE INDEX contacts_by_customer ON contacts (customer_id);
CREATE INDEX opportunities_by_customer ON opportunities (customer_id);
CREATE INDEX opportunities_by_status ON opportunities (status, stage);
CREATE INDEX activities_by_opportunity ON activities (opportunity_id);
CREATE INDEX tickets_by_customer ON tickets (customer_id);
CREATE INDEX campaign_contacts_by_customer ON campaign_contacts (customer_id);
"""

# --------------------------------------------------------------------------- named queries
_CUSTOMER_360 = """
WITH days AS (            -- one row per customer and purchase day (as customer_summary with period 'D')
    SELECT customer_id, order_date AS day, SUM(amount) AS value
    FROM orders WHERE order_date <= :as_of GROUP BY customer_id, order_date
), firsts AS (
    SELECT customer_id, MIN(day) AS first_day, MAX(day) AS last_day, COUNT(*) AS n_days, SUM(value) AS total
    FROM days GROUP BY customer_id
), rfm AS (
    SELECT f.customer_id, f.n_days - 1 AS frequency,
           julianday(f.last_day) - julianday(f.first_day) AS recency,
           julianday(:as_of) - julianday(f.first_day) AS T,
           CASE WHEN f.n_days > 1 THEN (f.total - d.value) / (f.n_days - 1) ELSE 0.0 END AS monetary_value
    FROM firsts f JOIN days d ON d.customer_id = f.customer_id AND d.day = f.first_day
), sales AS (
    SELECT customer_id, COUNT(*) AS orders, SUM(amount) AS revenue, SUM(profit) AS profit,
           COUNT(DISTINCT product) AS products
    FROM orders WHERE order_date <= :as_of GROUP BY customer_id
), pipe AS (
    SELECT o.customer_id, COUNT(*) AS open_opportunities, SUM(o.expected_amount * s.win_rate) AS weighted_open
    FROM opportunities o JOIN stages s USING (stage) WHERE o.status = 'open' GROUP BY o.customer_id
), service AS (
    SELECT customer_id, COUNT(*) AS tickets, SUM(is_complaint) AS complaints FROM tickets GROUP BY customer_id
), reach AS (
    SELECT customer_id, COUNT(*) AS campaigns, SUM(responded) AS responses
    FROM campaign_contacts GROUP BY customer_id
), people AS (
    SELECT customer_id, COUNT(*) AS contacts,
           MAX(CASE WHEN buying_role = 'decision_maker' THEN name END) AS decision_maker
    FROM contacts GROUP BY customer_id
)
SELECT c.customer_id, c.name, c.kind, c.region, c.tier, c.channel,
       COALESCE(p.contacts, 0) AS contacts, p.decision_maker,
       COALESCE(s.orders, 0) AS orders, COALESCE(s.revenue, 0.0) AS revenue, COALESCE(s.profit, 0.0) AS profit,
       COALESCE(s.products, 0) AS products,
       r.frequency, r.recency, r.T, r.monetary_value,
       COALESCE(pipe.open_opportunities, 0) AS open_opportunities,
       COALESCE(pipe.weighted_open, 0.0) AS weighted_open,
       COALESCE(sv.tickets, 0) AS tickets, COALESCE(sv.complaints, 0) AS complaints,
       COALESCE(rc.campaigns, 0) AS campaigns, COALESCE(rc.responses, 0) AS responses
FROM customers c
LEFT JOIN people p ON p.customer_id = c.customer_id
LEFT JOIN sales s ON s.customer_id = c.customer_id
LEFT JOIN rfm r ON r.customer_id = c.customer_id
LEFT JOIN pipe ON pipe.customer_id = c.customer_id
LEFT JOIN service sv ON sv.customer_id = c.customer_id
LEFT JOIN reach rc ON rc.customer_id = c.customer_id
WHERE :customer_id IS NULL OR c.customer_id = :customer_id
ORDER BY c.customer_id
"""

_WEIGHTED_PIPELINE = """
SELECT s.stage, s.stage_zh, COUNT(o.opportunity_id) AS count,
       COALESCE(SUM(o.expected_amount), 0.0) AS amount, s.win_rate,
       COALESCE(SUM(o.expected_amount), 0.0) * s.win_rate AS expected
FROM stages s
LEFT JOIN opportunities o ON o.stage = s.stage AND o.status = 'open'
GROUP BY s.stage ORDER BY s.position
"""

_CAMPAIGN_RESPONSE = """
SELECT k.campaign_id, k.name, k.channel, COUNT(*) AS contacted, SUM(cc.responded) AS responders,
       AVG(cc.responded) AS response_rate,
       k.cost_per_contact / k.margin_per_response AS break_even_rate,
       k.margin_per_response * SUM(cc.responded) - k.cost_per_contact * COUNT(*) AS profit
FROM campaigns k JOIN campaign_contacts cc USING (campaign_id)
GROUP BY k.campaign_id ORDER BY k.campaign_id
"""

_CAMPAIGN_CURVE = """
SELECT ROW_NUMBER() OVER w AS depth,
       SUM(cc.responded) OVER w AS responders,
       k.margin_per_response * SUM(cc.responded) OVER w - k.cost_per_contact * ROW_NUMBER() OVER w AS profit
FROM campaign_contacts cc JOIN campaigns k USING (campaign_id)
WHERE cc.campaign_id = :campaign_id
WINDOW w AS (ORDER BY cc.score DESC, cc.customer_id ROWS UNBOUNDED PRECEDING)
ORDER BY depth
"""

#: The named queries of lesson 8.1 (SQLite); the cube's SQL depends on its dimensions (:func:`profit_cube_sql`).
QUERIES = {"customer_360": _CUSTOMER_360, "weighted_pipeline": _WEIGHTED_PIPELINE,
           "campaign_response": _CAMPAIGN_RESPONSE, "campaign_profit_curve": _CAMPAIGN_CURVE}


# --------------------------------------------------------------------------- building the database
def _iso(dates) -> np.ndarray:
    return pd.to_datetime(pd.Series(dates)).dt.strftime("%Y-%m-%d").to_numpy(dtype=object)


def _customers(rng, retail, n):
    cust = retail["customers"]
    tx = retail["transactions"]
    revenue = tx.groupby("customer_id")["amount"].sum().reindex(cust["customer_id"], fill_value=0.0)
    buyers = revenue[revenue > 0].sort_values(ascending=False, kind="stable")
    share = np.arange(1, len(buyers) + 1) / max(len(buyers), 1)     # rank share: top 20% A, next 30% B
    tier = pd.Series(np.select([share <= 0.2, share <= 0.5], ["A", "B"], "C"), index=buyers.index)
    return pd.DataFrame({
        "customer_id": cust["customer_id"].to_numpy(),
        "name": [f"Customer {i:06d}" for i in cust["customer_id"]],
        "kind": np.where(revenue.to_numpy() > 0, "customer", "prospect"),
        "region": rng.choice(REGIONS, size=n, p=_REGION_P),
        "channel": rng.choice(["phone", "web", "store"], size=n, p=[0.25, 0.45, 0.30]),
        "tier": tier.reindex(cust["customer_id"]).to_numpy(dtype=object),
        "created": _iso(cust["lead_date"]),
    })


def _contacts(rng, customer_ids):
    k = rng.integers(1, 5, size=len(customer_ids))                 # 1-4 contacts, the first roles in order
    cid = np.repeat(customer_ids, k)
    role_pos = np.concatenate([rng.permutation(4)[:j] for j in k])
    n = len(cid)
    return pd.DataFrame({"contact_id": np.arange(1, n + 1), "customer_id": cid,
                         "name": [f"Contact {i:07d}" for i in range(1, n + 1)],
                         "buying_role": np.asarray(BUYING_ROLES)[role_pos],
                         "phone": [f"1{rng.integers(30, 90)}{rng.integers(10**7, 10**8)}" for _ in range(n)]})


def _opportunities(rng, seed, customers, contacts, n_opps, snapshot):
    sim = simulate_opportunities(n_opps, seed=seed, mean_amount=5000.0, start=str(snapshot - pd.Timedelta(days=365)),
                                 days_in_stage=(30.0, 40.0, 40.0, 60.0, 40.0, 30.0),
                                 span_days=365, snapshot_days=365).data
    n = len(sim)
    products = np.array(sorted(PRODUCT_MARGINS))
    via_partner = rng.random(n) < 0.2
    ids = rng.choice(customers["customer_id"].to_numpy(), size=n)
    stage = sim["stage"].astype(str).to_numpy()
    created = sim["created"]
    opps = pd.DataFrame({
        "opportunity_id": sim["opportunity_id"].to_numpy(),
        "topic": [f"Deal {i:05d}" for i in sim["opportunity_id"]],
        "product": rng.choice(products, size=n),
        "description": None,
        "sales_method": np.where(via_partner, "through partner", "direct"),
        "customer_id": ids,
        "partner_id": np.where(via_partner, rng.integers(1, 7, size=n), None),
        "stage": stage,
        "status": sim["status"].to_numpy(),
        "expected_amount": sim["amount"].to_numpy(),
        "owner": sim["rep"].astype(str).to_numpy(),
        "influence": sim["roles_engaged"].to_numpy(),
        "expected_close": _iso(created + pd.Timedelta(days=90)),
        "source": rng.choice(["referral", "web", "event", "cold call"], size=n),
        "competitor": rng.choice(np.array(["Rival Co", "Other Ltd", None], dtype=object), size=n),
        "created": _iso(created),
        "closed": np.where(sim["closed"].isna(), None, _iso(sim["closed"].fillna(created))),
    })
    # activities: every meeting of the simulator, the first `advances` of them moved the deal a stage
    m = sim["meetings"].to_numpy()
    end = sim["closed"].fillna(snapshot)
    span = (end - created).dt.days.to_numpy()
    opp_rep = np.repeat(np.arange(n), m)
    within = np.concatenate([np.arange(j) for j in m]) if m.sum() else np.zeros(0, int)
    offset = np.floor(rng.random(len(opp_rep)) * (span[opp_rep] + 1))
    acts = pd.DataFrame({"activity_id": np.arange(1, len(opp_rep) + 1),
                         "opportunity_id": opps["opportunity_id"].to_numpy()[opp_rep],
                         "customer_id": ids[opp_rep],
                         "activity_date": _iso(created.to_numpy()[opp_rep] + pd.to_timedelta(offset, unit="D")),
                         "advance": (within < sim["advances"].to_numpy()[opp_rep]).astype(int)})
    # engaged buying roles: link up to `influence` of the customer's contacts
    by_cust = contacts.groupby("customer_id")["contact_id"].apply(list)
    links = [(oid, c) for oid, cust, k in zip(opps["opportunity_id"], ids, opps["influence"])
             for c in by_cust.get(cust, [])[:k]]
    links = pd.DataFrame(links, columns=["opportunity_id", "contact_id"])
    return opps, acts, links


def _campaigns(rng, customers, launched):
    camp = pd.DataFrame({"campaign_id": [1, 2, 3], "name": ["Spring e-mail", "Catalogue mailing", "Member SMS"],
                         "channel": ["email", "direct mail", "sms"], "launched": launched,
                         "cost_per_contact": [0.5, 6.0, 0.3], "margin_per_response": [20.0, 60.0, 15.0]})
    rows = []
    bought = (customers["kind"] == "customer").to_numpy()
    for k, (share, base) in enumerate([(0.6, -3.2), (0.3, -2.2), (0.4, -3.0)], start=1):
        chosen = rng.random(len(customers)) < share
        ids = customers["customer_id"].to_numpy()[chosen]
        latent = rng.normal(size=chosen.sum()) + 0.8 * bought[chosen]
        p = 1 / (1 + np.exp(-(base + 1.2 * latent)))              # true response probability
        score = 1 / (1 + np.exp(-(base + 1.2 * (latent + rng.normal(0, 0.7, size=len(ids))))))
        rows.append(pd.DataFrame({"campaign_id": k, "customer_id": ids, "score": np.round(score, 6),
                                  "responded": (rng.random(len(ids)) < p).astype(int)}))
    return camp, pd.concat(rows, ignore_index=True)


def build_crm_database(path_or_memory: str | Path = ":memory:", *, seed: int = 0,
                       n_customers: int = 2000) -> sqlite3.Connection:
    """Create the CRM database of :data:`SCHEMA` and fill it from the course's simulators.

    Parameters
    ----------
    path_or_memory : str or Path, default ":memory:"
        A file path (an existing file is replaced) or ``":memory:"``.
    seed : int, default 0
        Random seed of every generator.
    n_customers : int, default 2000
        People in the customer table (buyers and prospects), 50 to 50,000.

    Returns
    -------
    sqlite3.Connection
        Open connection with foreign keys enforced (``PRAGMA foreign_keys = ON``).

    Notes
    -----
    Customers and orders come from :func:`~crm_lessons.simulate.simulate_retail` (two years; a customer
    is a buyer, the rest are prospects; tier A/B/C = top 20% / next 30% / rest of buyers by revenue);
    opportunities and their meetings from :func:`~crm_lessons.simulate.simulate_opportunities` (one
    opportunity per four customers, amounts of mean 5,000, the last year); tickets from
    :func:`~crm_lessons.simulate.simulate_tickets` (the last year). Regions, channels, contacts,
    partners, product margins and three campaigns with a response model are drawn here: assumptions
    of the demo firm, not findings.

    Examples
    --------
    >>> con = build_crm_database(seed=3, n_customers=200)
    >>> con.execute("SELECT COUNT(*) FROM customers WHERE kind = 'prospect'").fetchone()[0] > 0
    True
    """
    check_number(n_customers, "n_customers", min_value=50, max_value=50_000, integer=True)
    check_number(seed, "seed", min_value=0, integer=True)
    n = int(n_customers)
    rng = np.random.default_rng([int(seed), 801])
    retail = simulate_retail(n, seed=seed).data
    snapshot = pd.Timestamp("2024-12-31")
    customers = _customers(rng, retail, n)
    contacts = _contacts(rng, customers["customer_id"].to_numpy())
    tx = retail["transactions"]
    margin = tx["category"].astype(str).map(PRODUCT_MARGINS).to_numpy()
    orders = pd.DataFrame({"order_id": np.arange(1, len(tx) + 1), "customer_id": tx["customer_id"].to_numpy(),
                           "order_date": _iso(tx["date"]), "product": tx["category"].astype(str).to_numpy(),
                           "amount": tx["amount"].to_numpy(),
                           "profit": np.round(tx["amount"].to_numpy() * margin - _HANDLING, 2)})
    opps, acts, links = _opportunities(rng, seed, customers, contacts, max(n // 4, 20), snapshot)
    tk = simulate_tickets(365, daily_rate=n / 100, n_customers=n, seed=seed, start="2024-01-01").data
    tickets = pd.DataFrame({"ticket_id": tk["ticket_id"].to_numpy(), "customer_id": tk["customer_id"].to_numpy(),
                            "created": _iso(tk["created"]), "channel": tk["channel"].astype(str).to_numpy(),
                            "category": tk["category"].astype(str).to_numpy(),
                            "is_complaint": tk["is_complaint"].astype(int).to_numpy(),
                            "resolution_hours": tk["resolution_hours"].to_numpy(),
                            "first_contact_resolved": tk["first_contact_resolved"].astype(int).to_numpy()})
    camp, reach = _campaigns(rng, customers, ["2024-03-01", "2024-06-01", "2024-09-01"])
    partners = pd.DataFrame({"partner_id": range(1, 7), "name": [f"Partner {i}" for i in range(1, 7)],
                             "kind": ["distributor", "distributor", "distributor", "partner", "partner", "partner"],
                             "region": [REGIONS[i % 4] for i in range(6)]})
    stages = pd.DataFrame({"stage": [s for s, _, _ in FUNNEL_STAGES], "stage_zh": [z for _, z, _ in FUNNEL_STAGES],
                           "position": range(1, len(FUNNEL_STAGES) + 1),
                           "win_rate": [w for _, _, w in FUNNEL_STAGES]})
    products = pd.DataFrame({"product": list(PRODUCT_MARGINS), "margin_rate": list(PRODUCT_MARGINS.values())})
    path = str(path_or_memory)
    if path != ":memory:" and Path(path).exists():
        Path(path).unlink()
    con = sqlite3.connect(path)
    con.execute("PRAGMA foreign_keys = ON")
    con.executescript(SCHEMA)
    for name, frame in [("customers", customers), ("partners", partners), ("contacts", contacts),
                        ("products", products), ("stages", stages), ("orders", orders), ("opportunities", opps),
                        ("opportunity_contacts", links), ("activities", acts), ("tickets", tickets),
                        ("campaigns", camp), ("campaign_contacts", reach)]:
        cols = ", ".join(frame.columns)
        marks = ", ".join("?" * len(frame.columns))
        rows = [tuple(None if v is None or (isinstance(v, float) and np.isnan(v)) else
                      (v.item() if hasattr(v, "item") else v) for v in row)
                for row in frame.itertuples(index=False, name=None)]
        con.executemany(f"INSERT INTO {name} ({cols}) VALUES ({marks})", rows)
    con.commit()
    return con


# --------------------------------------------------------------------------- reading and querying
def _check_connection(con):
    if not isinstance(con, sqlite3.Connection):
        raise CRMInputError(f"argument `con`: must be an open sqlite3 connection; found {type(con).__name__}. "
                            "Pass the connection that build_crm_database returned.")


def read_tables(con: sqlite3.Connection) -> dict[str, pd.DataFrame]:
    """Every table of the database as a DataFrame (dates parsed), for the pandas side of each check.

    Examples
    --------
    >>> t = read_tables(build_crm_database(seed=1, n_customers=100))
    >>> t["orders"]["order_date"].dtype.kind
    'M'
    """
    _check_connection(con)
    names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    dates = {"created", "order_date", "closed", "expected_close", "activity_date", "launched"}
    out = {}
    for name in names:
        frame = pd.read_sql_query(f"SELECT * FROM {name}", con)
        for col in dates & set(frame.columns):
            frame[col] = pd.to_datetime(frame[col])
        out[name] = frame
    return out


def table_counts(con: sqlite3.Connection) -> pd.DataFrame:
    """Rows in each table of the database.

    Examples
    --------
    >>> int(table_counts(build_crm_database(seed=2, n_customers=80)).loc["stages", "rows"])
    7
    """
    _check_connection(con)
    names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    return pd.DataFrame({"rows": [con.execute(f"SELECT COUNT(*) FROM {n}").fetchone()[0] for n in names]},
                        index=pd.Index(names, name="table"))


_PLANS = 0


def query_plan(con: sqlite3.Connection, sql: str, params=()) -> str:
    """SQLite's plan for a query (``EXPLAIN QUERY PLAN``), one step per line: ``SCAN`` reads every row,
    ``SEARCH ... USING INDEX`` jumps to the matching rows.

    Examples
    --------
    >>> con = sqlite3.connect(":memory:")
    >>> _ = con.execute("CREATE TABLE t (k INTEGER, v REAL)")
    >>> query_plan(con, "SELECT v FROM t WHERE k = 1")
    'SCAN t'
    """
    _check_connection(con)
    global _PLANS
    _PLANS += 1   # a new statement text each time: sqlite3's statement cache would keep a plan made before an index
    return "\n".join(r[-1] for r in con.execute(f"EXPLAIN QUERY PLAN {sql} -- {_PLANS}", params))


def customer_360(con: sqlite3.Connection, customer_id: int | None = None, *, as_of: str = "2024-12-31"
                 ) -> pd.DataFrame:
    """The 360-degree customer view (客户全景视图): one row per customer with everything the firm knows.

    Parameters
    ----------
    con : sqlite3.Connection
        The CRM database.
    customer_id : int, optional
        One customer; default every customer.
    as_of : str, default "2024-12-31"
        End of the period for the order columns and for recency/T.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``: profile (name, kind, region, tier, channel), ``contacts`` and the
        ``decision_maker``, ``orders``, ``revenue``, ``profit``, ``products``, the purchase summary
        ``frequency, recency, T, monetary_value`` (days; NaN for a prospect), ``open_opportunities``,
        ``weighted_open`` (open amount x stage win rate), ``tickets``, ``complaints``, ``campaigns``
        (times contacted) and ``responses``.

    Notes
    -----
    The purchase summary follows :func:`crm_lessons.customer_summary.summary_from_transactions` with
    ``period="D"``: purchases of one day count once, frequency = purchase days - 1, recency = last - first
    day, T = as_of - first day, monetary value = mean value of the repeat purchase days.

    Examples
    --------
    >>> con = build_crm_database(seed=1, n_customers=200)
    >>> row = customer_360(con, 2)
    >>> row.columns[:4].tolist(), len(row)
    (['name', 'kind', 'region', 'tier'], 1)
    """
    _check_connection(con)
    out = pd.read_sql_query(_CUSTOMER_360, con, params={"as_of": str(pd.Timestamp(as_of).date()),
                                                        "customer_id": customer_id})
    for col in ("frequency", "recency", "T", "monetary_value", "revenue", "profit", "weighted_open"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)   # NULL for a prospect -> NaN
    text = pd.Series(["x"]).dtype  # pandas' dtype for text: object in 2.x, str in 3.x
    for col in ("name", "kind", "region", "tier", "channel", "decision_maker"):
        if out[col].isna().all():  # all NULL (one customer without a tier): the same dtype as with text
            out[col] = out[col].astype(text)
    return out.set_index("customer_id")


def weighted_pipeline_sql(con: sqlite3.Connection) -> pd.DataFrame:
    """The weighted pipeline by stage in SQL: open opportunities, their amount, win rate and expected value.

    Same columns and order as :func:`crm_lessons.funnel.weighted_pipeline` (plus ``stage_zh``).

    Examples
    --------
    >>> p = weighted_pipeline_sql(build_crm_database(seed=1, n_customers=400))
    >>> p.index[0], float(p.loc["implementation", "count"])
    ('lead', 0.0)
    """
    _check_connection(con)
    return pd.read_sql_query(_WEIGHTED_PIPELINE, con).set_index("stage")


def campaign_response(con: sqlite3.Connection) -> pd.DataFrame:
    """Response of each campaign: contacted, responders, response rate, break-even rate and profit.

    ``profit`` = margin per response x responders - cost per contact x contacted; ``break_even_rate`` =
    cost / margin (:func:`crm_lessons.campaigns.break_even_rate`).

    Examples
    --------
    >>> r = campaign_response(build_crm_database(seed=1, n_customers=300))
    >>> bool((r["responders"] <= r["contacted"]).all())
    True
    """
    _check_connection(con)
    return pd.read_sql_query(_CAMPAIGN_RESPONSE, con).set_index("campaign_id")


def campaign_profit_curve(con: sqlite3.Connection, campaign_id: int) -> pd.DataFrame:
    """Profit of contacting the top *k* customers of one campaign by score, for *k* = 1..n (SQL window).

    The same curve as :func:`crm_lessons.campaigns.profit_curve` (without its row k = 0); ties in the
    score are broken by customer id.

    Examples
    --------
    >>> c = campaign_profit_curve(build_crm_database(seed=1, n_customers=300), 1)
    >>> int(c.index[0]), c.columns.tolist()
    (1, ['responders', 'profit'])
    """
    _check_connection(con)
    out = pd.read_sql_query(_CAMPAIGN_CURVE, con, params={"campaign_id": int(campaign_id)})
    if out.empty:
        raise CRMInputError(f"argument `campaign_id`: no contacts for campaign {campaign_id!r}. "
                            "Pick an id from the campaigns table.")
    return out.set_index("depth").astype(float)


def profit_cube_sql(con: sqlite3.Connection, *, rows: str = "tier", columns: str = "region",
                    value: str = "profit") -> tuple[str, pd.DataFrame]:
    """A profit cube with "All" margins computed in SQL (``GROUP BY`` and ``UNION ALL``), like
    :func:`crm_lessons.cube.profit_cube`.

    Parameters
    ----------
    con : sqlite3.Connection
    rows, columns : str
        Dimensions, from :data:`CUBE_DIMENSIONS` (tier, region, product, year, channel).
    value : {"profit", "amount"}
        Measure summed over the orders of each cell.

    Returns
    -------
    (str, DataFrame)
        The SQL that was run, and the cube (rows x columns plus "All"), prospects left out.

    Examples
    --------
    >>> sql, cube = profit_cube_sql(build_crm_database(seed=1, n_customers=300), rows="tier", columns="product")
    >>> cube.index.tolist()
    ['A', 'B', 'C', 'All']
    """
    _check_connection(con)
    check_choice(rows, "rows", list(CUBE_DIMENSIONS))
    check_choice(columns, "columns", list(CUBE_DIMENSIONS))
    check_choice(value, "value", ["profit", "amount"])
    if rows == columns:
        raise CRMInputError(f"arguments `rows` and `columns`: must differ; found {rows!r} twice. "
                            "Choose two dimensions.")
    r, c = CUBE_DIMENSIONS[rows], CUBE_DIMENSIONS[columns]
    base = "FROM orders o JOIN customers c USING (customer_id)"
    sql = (f"SELECT {r} AS r, {c} AS c, SUM(o.{value}) AS v {base} GROUP BY 1, 2\n"
           f"UNION ALL SELECT {r}, 'All', SUM(o.{value}) {base} GROUP BY 1\n"
           f"UNION ALL SELECT 'All', {c}, SUM(o.{value}) {base} GROUP BY 2\n"
           f"UNION ALL SELECT 'All', 'All', SUM(o.{value}) {base}")
    long = pd.read_sql_query(sql, con)
    cube = long.pivot(index="r", columns="c", values="v").fillna(0.0)
    order_r = sorted(x for x in cube.index if x != "All") + ["All"]
    order_c = sorted(x for x in cube.columns if x != "All") + ["All"]
    cube = cube.loc[order_r, order_c].astype(float)
    cube.index.name, cube.columns.name = rows, columns
    return sql, cube


# --------------------------------------------------------------------------- speed as the base grows
def _fill_orders(con, n_rows: int, n_customers: int, seed: int):
    con.execute("DROP TABLE IF EXISTS big_orders")
    con.execute("CREATE TABLE big_orders (order_id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, "
                "order_date TEXT NOT NULL, amount REAL NOT NULL)")
    # SQLite's own random(): rows are made inside the engine (fast); the seed only picks the looked-up ids
    con.execute("WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?) "
                "INSERT INTO big_orders SELECT i, 1 + abs(random()) % ?, "
                "date('2024-01-01', '+' || (abs(random()) % 365) || ' days'), (abs(random()) % 10000) / 100.0 "
                "FROM s", (int(n_rows), int(n_customers)))


def lookup_timing(sizes=(20_000, 100_000, 500_000), *, orders_per_customer: int = 10, lookups: int = 15,
                  seed: int = 0) -> pd.DataFrame:
    """Measured time of a one-customer lookup (its orders, summed) as the orders table grows, with and
    without an index on ``customer_id``.

    Parameters
    ----------
    sizes : sequence of int
        Rows of the orders table to try (each 1,000 to 5,000,000).
    orders_per_customer : int, default 10
        Rows per customer (customers = rows / this).
    lookups : int, default 15
        Random customers looked up at each size; the median time is reported.
    seed : int, default 0
        Picks the customers looked up.

    Returns
    -------
    DataFrame
        One row per size and ``index`` (False, True): ``rows``, ``customers``, ``index``, ``ms_per_lookup``
        (median wall-clock milliseconds on this machine), ``plan`` (SCAN or SEARCH).

    Examples
    --------
    >>> t = lookup_timing([2000, 4000], lookups=3)
    >>> t["plan"].tolist()
    ['SCAN', 'SEARCH', 'SCAN', 'SEARCH']
    """
    sizes = [int(s) for s in sizes]
    for s in sizes:
        check_number(s, "sizes", min_value=1000, max_value=5_000_000, integer=True)
    check_number(orders_per_customer, "orders_per_customer", min_value=1, integer=True)
    check_number(lookups, "lookups", min_value=1, integer=True)
    rng = np.random.default_rng(seed)
    con = sqlite3.connect(":memory:")
    sql = "SELECT COUNT(*), SUM(amount) FROM big_orders WHERE customer_id = ?"
    rows = []
    for s in sizes:
        n_cust = max(s // orders_per_customer, 1)
        _fill_orders(con, s, n_cust, seed)
        for indexed in (False, True):
            if indexed:
                con.execute("CREATE INDEX big_by_customer ON big_orders (customer_id)")
            ids = rng.integers(1, n_cust + 1, size=lookups)
            times = []
            for cid in ids:
                t0 = time.perf_counter()
                con.execute(sql, (int(cid),)).fetchall()
                times.append(time.perf_counter() - t0)
            plan = query_plan(con, sql, (1,)).split()[0]
            rows.append({"rows": s, "customers": n_cust, "index": indexed,
                         "ms_per_lookup": 1000 * float(np.median(times)), "plan": plan})
    con.close()
    return pd.DataFrame(rows)


def extrapolate_timing(timing: pd.DataFrame, rows) -> pd.DataFrame:
    """Extrapolate measured lookup times to larger tables: a scan grows in proportion to the rows
    (time = b x rows, fitted through the origin), an index search with log(rows) (time = a + b log rows).

    Parameters
    ----------
    timing : DataFrame
        Output of :func:`lookup_timing`.
    rows : sequence of int
        Table sizes to extrapolate to.

    Returns
    -------
    DataFrame
        Indexed by ``rows``: ``scan_ms`` and ``index_ms`` (extrapolated, not measured).

    Examples
    --------
    >>> t = pd.DataFrame({"rows": [1000, 1000, 10000, 10000], "index": [False, True, False, True],
    ...                   "ms_per_lookup": [1.0, 0.01, 10.0, 0.02]})
    >>> extrapolate_timing(t, [100000]).round(3).to_numpy().tolist()
    [[100.0, 0.03]]
    """
    check_dataframe(timing, arg="timing", min_rows=2)
    require_columns(timing, ["rows", "index", "ms_per_lookup"], arg="timing")
    scan = timing[~timing["index"].astype(bool)]
    idx = timing[timing["index"].astype(bool)]
    if len(scan) < 1 or idx["rows"].nunique() < 2:
        raise CRMInputError("argument `timing`: need scan times and index times at two sizes or more; "
                            f"found {len(scan)} scan and {idx['rows'].nunique()} index sizes. "
                            "Run lookup_timing with at least two sizes.")
    x, y = scan["rows"].to_numpy(float), scan["ms_per_lookup"].to_numpy(float)
    b_scan = float(x @ y / (x @ x))
    b, a = np.polyfit(np.log(idx["rows"].to_numpy(float)), idx["ms_per_lookup"].to_numpy(float), 1)
    r = np.asarray(rows, dtype=float)
    return pd.DataFrame({"scan_ms": b_scan * r, "index_ms": np.maximum(a + b * np.log(r), 0.0)},
                        index=pd.Index(np.asarray(rows), name="rows"))
