"""Messy customer records from three departments, with the truth behind every error (多部门客户数据).

Sales, service and marketing each keep their own customer list (the MBA
chapter's 客户信息的分散性与片断性). This generator draws one set of true customers
and writes each department's export with **known errors**, so that lesson 6.1
can measure data quality and score a duplicate matcher against the truth:

* each true customer appears in each department with probability ``coverage``
  and, within a department, twice with probability ``dup_rate`` (a duplicate);
* every written record may carry, independently: a one-character typo in the
  name (``typo_rate``), the name in traditional characters (``traditional_rate``),
  the phone in another format (``format_rate``: ``138-1234-5678``,
  ``+86 138 1234 5678``...), a missing e-mail (``missing_rate``), and a
  last-verified date older than two years (``stale_rate``).

``truth["records"]`` lists every record with its true customer id and the
errors it carries; ``truth["pairs"]`` is every pair of records of the same customer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_lessons._validation import check_date, check_number, check_probability
from crm_lessons.customer_data import TRADITIONAL
from crm_lessons.simulate._base import Simulated, rng_from

__all__ = ["simulate_messy_customers", "TRADITIONAL"]

_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚华红玲兰"
_CITIES = ["北京", "上海", "广州", "深圳", "成都", "杭州"]
DEPARTMENTS = ("sales", "service", "marketing")


def simulate_messy_customers(n_customers: int = 1000, *, seed: int = 0, as_of: str = "2024-06-30",
                             coverage: float = 0.7, dup_rate: float = 0.08, typo_rate: float = 0.1,
                             traditional_rate: float = 0.1, format_rate: float = 0.3,
                             missing_rate: float = 0.1, stale_rate: float = 0.2) -> Simulated:
    """Simulate three departments' customer lists with known duplicates and errors.

    Parameters
    ----------
    n_customers : int, default 1000
        True customers.
    seed : int, default 0
        Seed of the random generator.
    as_of : str, default "2024-06-30"
        Day of the export; last-verified dates are before it.
    coverage, dup_rate, typo_rate, traditional_rate, format_rate, missing_rate, stale_rate : float
        Probabilities described in the module docstring.

    Returns
    -------
    Simulated
        ``data``: one DataFrame with ``record_id, department, name, phone, email,
        city, birth_date, last_verified``; ``truth``: ``customers`` (the true
        records), ``records`` (``record_id, customer_id`` and one bool column per
        error: ``typo, traditional, phone_format, email_missing, stale``),
        ``pairs`` (DataFrame of ``record_a < record_b`` of the same customer) and
        the settings.

    Examples
    --------
    >>> data, truth = simulate_messy_customers(200, seed=1)
    >>> data.columns.tolist()
    ['record_id', 'department', 'name', 'phone', 'email', 'city', 'birth_date', 'last_verified']
    >>> bool(truth["records"]["record_id"].equals(data["record_id"]))
    True
    """
    check_number(n_customers, "n_customers", min_value=2, integer=True)
    for name, value in (("coverage", coverage), ("dup_rate", dup_rate), ("typo_rate", typo_rate),
                        ("traditional_rate", traditional_rate), ("format_rate", format_rate),
                        ("missing_rate", missing_rate), ("stale_rate", stale_rate)):
        check_probability(value, name)
    end = check_date(as_of, "as_of")
    rng = rng_from(seed)
    n = int(n_customers)
    true = _true_customers(rng, n)
    rows = []
    for dept in DEPARTMENTS:
        present = rng.random(n) < coverage
        copies = present.astype(int) + (present & (rng.random(n) < dup_rate))
        idx = np.repeat(np.arange(n), copies)
        rows.append(pd.DataFrame({"department": dept, "customer_id": true["customer_id"].to_numpy()[idx]}))
    rec = pd.concat(rows, ignore_index=True)
    rec.insert(0, "record_id", np.arange(1, len(rec) + 1))
    base = true.set_index("customer_id").loc[rec["customer_id"]].reset_index(drop=True)
    m = len(rec)
    flags = {k: rng.random(m) < p for k, p in (("typo", typo_rate), ("traditional", traditional_rate),
                                               ("phone_format", format_rate), ("email_missing", missing_rate),
                                               ("stale", stale_rate))}
    name = [_typo(rng, s) if t else s for s, t in zip(base["name"], flags["typo"])]
    converted = ["".join(TRADITIONAL.get(ch, ch) for ch in s) if t else s for s, t in zip(name, flags["traditional"])]
    flags["traditional"] = np.array([c != s for c, s in zip(converted, name)])   # only where a character changed
    name = converted
    phone = [_format_phone(rng, p) if f else p for p, f in zip(base["phone"], flags["phone_format"])]
    days_old = np.where(flags["stale"], rng.integers(731, 1500, m), rng.integers(0, 730, m))
    data = pd.DataFrame({
        "record_id": rec["record_id"], "department": rec["department"], "name": name, "phone": phone,
        "email": base["email"].where(~flags["email_missing"], None),
        "city": base["city"], "birth_date": base["birth_date"],
        "last_verified": end - pd.to_timedelta(days_old, unit="D"),
    })
    records = pd.DataFrame({"record_id": rec["record_id"], "customer_id": rec["customer_id"], **flags})
    pairs = records[["record_id", "customer_id"]].merge(records[["record_id", "customer_id"]], on="customer_id",
                                                        suffixes=("_a", "_b"))
    pairs = pairs[pairs["record_id_a"] < pairs["record_id_b"]].rename(
        columns={"record_id_a": "record_a", "record_id_b": "record_b"})[["record_a", "record_b"]]
    truth = {"customers": true, "records": records, "pairs": pairs.reset_index(drop=True), "as_of": end,
             "coverage": coverage, "dup_rate": dup_rate}
    return Simulated(data=data, truth=truth)


def _true_customers(rng, n):
    sur = rng.choice(list(_SURNAMES), n)
    given = ["".join(rng.choice(list(_GIVEN), k)) for k in rng.integers(1, 3, n)]
    phone = [f"1{rng.choice([3, 5, 8])}{rng.integers(0, 10)}{rng.integers(0, 10**8):08d}" for _ in range(n)]
    birth = pd.Timestamp("1950-01-01") + pd.to_timedelta(rng.integers(0, 365 * 55, n), unit="D")
    return pd.DataFrame({"customer_id": np.arange(1, n + 1), "name": [s + g for s, g in zip(sur, given)],
                         "phone": phone, "email": [f"user{i:05d}@example.cn" for i in range(1, n + 1)],
                         "city": rng.choice(_CITIES, n), "birth_date": birth})


def _typo(rng, s):
    i = int(rng.integers(1, len(s))) if len(s) > 1 else 0     # keep the surname
    return s[:i] + rng.choice(list(_GIVEN.replace(s[i], ""))) + s[i + 1:]


def _format_phone(rng, p):
    k = int(rng.integers(0, 3))
    return [f"{p[:3]}-{p[3:7]}-{p[7:]}", f"+86 {p[:3]} {p[3:7]} {p[7:]}", f"({p[:3]}) {p[3:]}"][k]
