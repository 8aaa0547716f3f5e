"""Synthetic credit-card customers and transactions with planted fraud (合成信用卡交易: 欺诈与信用真值).

No public card-transaction data exist, so lessons 6.2, 6.3 and 9.1 use this
generator. Everything a lesson estimates is drawn from a stated model, and the
truth is returned beside the data:

* **Credit class** (信用类别) of each holder: ``transactor`` (pays in full),
  ``revolver`` (carries a balance and pays interest) or ``risky`` (pays late).
  The class sets the holder's repayment behaviour over the window:
  on-time share :math:`\\sim \\mathrm{Beta}`, share of the balance revolved
  :math:`\\sim \\mathrm{Beta}` and the number of months 90+ days late
  :math:`\\sim \\mathrm{Poisson}` (see :data:`CREDIT_CLASSES`). Clustering the
  repayment columns should recover the classes (lesson 6.2).
* **Spending**: holder :math:`i` makes :math:`\\mathrm{Poisson}(\\lambda_i)`
  purchases a month, :math:`\\lambda_i \\sim 2 + \\mathrm{Gamma}(2, 4)`; each
  amount is log-normal with median :math:`m_i` (set by income) and log-sd 0.8.
  Categories follow the holder's own Dirichlet preferences, hours a daytime
  between 6:00 and 24:00 (6 + 18 Beta(3, 3) hours, mean 15:00). 97% of purchases are in the home region.
* **Fraud** (欺诈): a share ``fraud_share`` of holders has a card compromised at
  a uniform moment in the window; 2 + Poisson(4) fraudulent purchases follow
  within 48 hours: 80% with amounts log-normal at 6 times the holder's median
  (electronics, jewellery or online; hour uniform over the day; 60% abroad;
  85% online), 20% small "test" amounts of 1-10 yuan. ``truth["is_fraud"]``
  marks them.
* **Attrition** (流失): each month a holder closes the account with the monthly
  probability of his class (transactor 1%, revolver 1.5%, risky 3%); no
  purchases follow.
* **Profit** over the window (yuan): interchange 0.6% of spend + interest and
  fees of 5% on the revolved share of spend (about three months at 1.5%) + annual fee of each
  card (pro rata) - servicing 15 a month per card - credit loss (half a
  month's spend per month 90+ days late). A model assumption, not data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import check_date, check_number, check_probability
from crm_lessons.simulate._base import Simulated, rng_from

__all__ = ["simulate_card_transactions", "CREDIT_CLASSES", "CARD_PRODUCTS", "CATEGORIES",
           "REGIONS"]

#: class -> (share, on-time Beta(a, b), revolved-share Beta(a, b), mean months 90+ late,
#: monthly attrition probability)
CREDIT_CLASSES = {
    "transactor": (0.50, (40.0, 1.0), (1.0, 30.0), 0.02, 0.010),
    "revolver": (0.35, (18.0, 2.0), (8.0, 4.0), 0.10, 0.015),
    "risky": (0.15, (3.0, 3.0), (6.0, 3.0), 1.00, 0.030),
}

#: card product -> annual fee (yuan)
CARD_PRODUCTS = {"classic": 100.0, "gold": 300.0, "platinum": 2000.0, "co-brand": 0.0}

#: merchant categories of ordinary purchases
CATEGORIES = ["grocery", "dining", "fuel", "travel", "online", "electronics", "jewellery"]

#: home regions and their shares
REGIONS = {"North": 0.3, "East": 0.35, "South": 0.25, "West": 0.10}

_FRAUD_CATEGORIES = ["electronics", "jewellery", "online"]
_INTERCHANGE, _INTEREST, _SERVICE = 0.006, 0.05, 15.0


def simulate_card_transactions(n_customers: int = 2000, *, seed: int = 0, months: int = 6,
                               start: str = "2024-01-01", fraud_share: float = 0.03) -> Simulated:
    """Simulate card holders, their purchases and planted fraud, with the truth.

    Parameters
    ----------
    n_customers : int, default 2000
        Number of card holders.
    seed : int, default 0
        Seed of the random generator.
    months : int, default 6
        Length of the window, in months from ``start``.
    start : str, default "2024-01-01"
        First day of the window.
    fraud_share : float, default 0.03
        Share of holders whose card is compromised once in the window.

    Returns
    -------
    Simulated
        ``data`` is a dict of two frames:

        - ``customers``: ``customer_id, age, income`` (monthly, yuan),
          ``region, primary_card, n_cards, cards`` (comma-separated products),
          ``on_time_rate, revolve_rate, months_90_late, spend, revenue, cost, profit``
          (window totals, yuan), ``active`` (account still open at the end).
        - ``transactions``: ``transaction_id, customer_id, time`` (timestamp),
          ``date`` (day), ``amount`` (yuan), ``category, channel`` (pos/online),
          ``region`` (home regions or Abroad), ``card`` (product used), in time order.

        ``truth`` holds ``credit_class`` (Series by customer id), ``is_fraud``
        (bool Series aligned with ``transactions``), ``compromised`` (customer ids),
        ``closed_month`` (Series, NaN while open), ``median_amount`` (each holder's
        true median purchase), and the settings.

    Raises
    ------
    CRMInputError
        On a bad size, share or date.

    Examples
    --------
    >>> data, truth = simulate_card_transactions(300, seed=1, months=3)
    >>> sorted(data)
    ['customers', 'transactions']
    >>> bool(truth["is_fraud"].index.equals(data["transactions"].index))
    True
    >>> data["customers"]["n_cards"].between(1, 3).all()
    np.True_
    """
    check_number(n_customers, "n_customers", min_value=1, integer=True)
    check_number(months, "months", min_value=1, max_value=60, integer=True)
    check_probability(fraud_share, "fraud_share")
    t0 = check_date(start, "start")
    rng = rng_from(seed)
    n = int(n_customers)
    customers, cls, median, lam, prefs = _holders(rng, n)
    end = t0 + pd.DateOffset(months=int(months))
    span = (end - t0) / pd.Timedelta(days=1)
    closed = _attrition(rng, cls, int(months))
    open_days = np.where(np.isnan(closed), span, (closed - 1 + rng.random(n)) * span / months)
    tx = _purchases(rng, customers, median, lam, prefs, open_days, int(months), t0)
    fraud, compromised = _fraud(rng, customers, median, open_days, float(fraud_share), t0)
    tx = pd.concat([tx.assign(is_fraud=False), fraud.assign(is_fraud=True)], ignore_index=True)
    tx = tx.sort_values(["time", "customer_id"], kind="stable").reset_index(drop=True)
    tx.insert(0, "transaction_id", np.arange(1, len(tx) + 1))
    tx["date"] = tx["time"].dt.normalize()
    is_fraud = tx.pop("is_fraud").astype(bool)
    tx = tx[["transaction_id", "customer_id", "time", "date", "amount", "category", "channel",
             "region", "card"]]
    customers = _profit(customers, tx[~is_fraud], int(months))
    customers["active"] = np.isnan(closed)
    names = list(CREDIT_CLASSES)
    truth = {
        "credit_class": pd.Series(pd.Categorical.from_codes(cls, names), index=customers["customer_id"],
                                  name="credit_class"),
        "is_fraud": is_fraud.rename("is_fraud"),
        "compromised": compromised,
        "closed_month": pd.Series(closed, index=customers["customer_id"], name="closed_month"),
        "median_amount": pd.Series(median, index=customers["customer_id"], name="median_amount"),
        "credit_classes": CREDIT_CLASSES, "start": t0, "end": end, "months": int(months),
        "fraud_share": float(fraud_share),
    }
    return Simulated(data={"customers": customers, "transactions": tx}, truth=truth)


def _holders(rng, n):
    names = list(CREDIT_CLASSES)
    shares = np.array([CREDIT_CLASSES[c][0] for c in names])
    cls = rng.choice(len(names), size=n, p=shares / shares.sum())
    age = np.clip(np.round(22 + rng.gamma(3.0, 6.0, n)), 20, 80).astype(int)
    income = np.round(np.exp(rng.normal(np.log(9000), 0.55, n)), -1)
    z = (np.log(income) - np.log(9000)) / 0.55 + rng.normal(0, 0.7, n)
    primary = np.select([z > 1.6, z > 0.4], [2, 1], 0)           # classic, gold, platinum
    products = list(CARD_PRODUCTS)
    n_cards = np.minimum(1 + rng.poisson(0.45 + 0.25 * (primary > 0), n), 3)
    cards = []
    for p, k in zip(primary, n_cards):
        others = [q for q in range(len(products)) if q != p]
        extra = rng.choice(others, size=k - 1, replace=False) if k > 1 else []
        cards.append([products[p]] + [products[q] for q in sorted(extra)])
    reg = list(REGIONS)
    region = rng.choice(len(reg), size=n, p=np.array(list(REGIONS.values())))
    on_time, revolve, late = [np.empty(n) for _ in range(3)]
    for j, c in enumerate(names):
        m = cls == j
        _, (a1, b1), (a2, b2), mu, _ = CREDIT_CLASSES[c]
        on_time[m] = rng.beta(a1, b1, m.sum())
        revolve[m] = rng.beta(a2, b2, m.sum())
        late[m] = rng.poisson(mu, m.sum())
    median = income * 0.015 * np.exp(rng.normal(0, 0.3, n))
    lam = 2 + rng.gamma(2.0, 4.0, n) + 2 * (n_cards - 1)
    prefs = rng.dirichlet([6, 4, 2, 1, 3, 1, 0.3], size=n)
    customers = pd.DataFrame({
        "customer_id": np.arange(1, n + 1), "age": age, "income": income,
        "region": pd.Categorical.from_codes(region, reg),
        "primary_card": pd.Categorical.from_codes(primary, products),
        "n_cards": n_cards, "cards": [",".join(c) for c in cards],
        "on_time_rate": np.round(on_time, 3), "revolve_rate": np.round(revolve, 3),
        "months_90_late": late.astype(int),
    })
    return customers, cls, median, lam, prefs


def _attrition(rng, cls, months):
    p = np.array([CREDIT_CLASSES[c][4] for c in CREDIT_CLASSES])[cls]
    first = rng.geometric(p).astype(float)     # month in which the account closes
    return np.where(first <= months, first, np.nan)


def _purchases(rng, customers, median, lam, prefs, open_days, months, t0):
    n = len(customers)
    rate_per_day = lam * months / (open_days.max() if open_days.max() > 0 else 1)
    counts = rng.poisson(rate_per_day * open_days)
    idx = np.repeat(np.arange(n), counts)
    day = np.floor(rng.random(idx.size) * open_days[idx])
    hour = 6 + 17.9 * rng.beta(3.0, 3.0, idx.size)
    time = t0 + pd.to_timedelta(day + hour / 24, unit="D")
    amount = np.round(median[idx] * np.exp(rng.normal(0, 0.8, idx.size)), 2)
    cat = (rng.random(idx.size)[:, None] > np.cumsum(prefs[idx], axis=1)).sum(axis=1)
    cat = np.minimum(cat, len(CATEGORIES) - 1)
    online = np.where(np.isin(cat, [4]), 0.95, 0.1)
    channel = np.where(rng.random(idx.size) < online, "online", "pos")
    reg = list(REGIONS)
    home = customers["region"].cat.codes.to_numpy()[idx]
    away = rng.integers(0, len(reg), idx.size)
    region = np.where(rng.random(idx.size) < 0.97, home, away)
    cards = customers["cards"].str.split(",").to_numpy()
    card = [c[int(u * len(c))] for c, u in zip(cards[idx], rng.random(idx.size))]
    return pd.DataFrame({
        "customer_id": customers["customer_id"].to_numpy()[idx], "time": time, "amount": amount,
        "category": pd.Categorical.from_codes(cat, CATEGORIES),
        "channel": channel, "region": np.asarray(reg, dtype=object)[region], "card": card})


def _fraud(rng, customers, median, open_days, share, t0):
    n = len(customers)
    k = int(round(share * n))
    victims = np.sort(rng.choice(n, size=k, replace=False)) if k else np.array([], int)
    counts = 2 + rng.poisson(4, victims.size)
    idx = np.repeat(victims, counts)
    start = rng.random(victims.size) * np.maximum(open_days[victims] - 2, 0)
    day = np.repeat(start, counts) + rng.random(idx.size) * 2
    test = rng.random(idx.size) < 0.2
    big = median[idx] * 6 * np.exp(rng.normal(0, 0.6, idx.size))
    amount = np.round(np.where(test, rng.uniform(1, 10, idx.size), big), 2)
    cat = rng.choice(_FRAUD_CATEGORIES, size=idx.size)
    home = customers["region"].astype(str).to_numpy()[idx]
    region = np.where(rng.random(idx.size) < 0.6, "Abroad", home)
    channel = np.where(rng.random(idx.size) < 0.85, "online", "pos")
    cards = customers["cards"].str.split(",").to_numpy()
    card = [c[int(u * len(c))] for c, u in zip(cards[idx], rng.random(idx.size))]
    frame = pd.DataFrame({
        "customer_id": customers["customer_id"].to_numpy()[idx],
        "time": t0 + pd.to_timedelta(day, unit="D"), "amount": amount,
        "category": pd.Categorical(cat, categories=CATEGORIES), "channel": channel,
        "region": region, "card": card})
    return frame, customers["customer_id"].to_numpy()[victims]


def _profit(customers, tx, months):
    out = customers.copy()
    spend = tx.groupby("customer_id")["amount"].sum().reindex(out["customer_id"], fill_value=0)
    spend = spend.to_numpy()
    fees = out["cards"].str.split(",").map(lambda cs: sum(CARD_PRODUCTS[c] for c in cs)).to_numpy()
    monthly = spend / months
    revenue = (_INTERCHANGE * spend + _INTEREST * out["revolve_rate"].to_numpy() * spend
               + fees * months / 12)
    cost = _SERVICE * months * out["n_cards"].to_numpy() + 0.5 * monthly * out["months_90_late"]
    out["spend"] = np.round(spend, 2)
    out["revenue"] = np.round(revenue, 2)
    out["cost"] = np.round(cost, 2)
    out["profit"] = np.round(revenue - cost, 2)
    return out
