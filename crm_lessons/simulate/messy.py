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
  ``+86 138 1234 5678``...), a missing e-mail (``missing_rate``), a mistyped
  phone or e-mail that fails validation (``invalid_rate``), a missing or
  day/month-swapped birth date (``birth_error_rate``), and a last-verified date
  older than two years (``stale_rate``);
* a stale record is out of date: with probability ``old_phone_rate`` it holds
  the customer's old phone number, and with ``moved_rate`` their old city;
* a share ``household_rate`` of the true customers are family members of
  another customer: same surname, phone and city, another given name, e-mail
  and birth date (three in ten also share the family e-mail). They are
  different customers that look alike, the matcher's false positives.

Each department also keeps its own business field, filled only on its rows:
sales the customer's ``annual_spend``, service whether the customer has an
``open_complaint``, marketing whether the customer ``opted_out`` of marketing.
The true customer-level values are in ``truth["customers"]``.

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
                             missing_rate: float = 0.1, stale_rate: float = 0.2, invalid_rate: float = 0.03,
                             birth_error_rate: float = 0.05, old_phone_rate: float = 0.4,
                             moved_rate: float = 0.3, household_rate: float = 0.15) -> Simulated:
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
    invalid_rate, birth_error_rate, old_phone_rate, moved_rate, household_rate : float
        Probabilities described in the module docstring.

    Returns
    -------
    Simulated
        ``data``: one DataFrame with ``record_id, department, name, phone, email,
        city, birth_date, last_verified, annual_spend, open_complaint, opted_out``;
        ``truth``: ``customers`` (the true records with ``household_of``, the
        customer whose phone a family member shares, and the three business
        fields), ``records`` (``record_id, customer_id`` and one bool column per
        error: ``typo, traditional, phone_format, email_missing, stale,
        phone_invalid, email_invalid, birth_error, old_phone, old_city``),
        ``pairs`` (DataFrame of ``record_a < record_b`` of the same customer) and
        the settings.

    Examples
    --------
    >>> data, truth = simulate_messy_customers(200, seed=1)
    >>> data.columns.tolist()
    ['record_id', 'department', 'name', 'phone', 'email', 'city', 'birth_date', 'last_verified', 'annual_spend', 'open_complaint', 'opted_out']
    >>> bool(truth["records"]["record_id"].equals(data["record_id"]))
    True
    """
    check_number(n_customers, "n_customers", min_value=2, integer=True)
    for name, value in (("coverage", coverage), ("dup_rate", dup_rate), ("typo_rate", typo_rate),
                        ("traditional_rate", traditional_rate), ("format_rate", format_rate),
                        ("missing_rate", missing_rate), ("stale_rate", stale_rate), ("invalid_rate", invalid_rate),
                        ("birth_error_rate", birth_error_rate), ("old_phone_rate", old_phone_rate),
                        ("moved_rate", moved_rate), ("household_rate", household_rate)):
        check_probability(value, name)
    end = check_date(as_of, "as_of")
    rng = rng_from(seed)
    n = int(n_customers)
    true = _true_customers(rng, n, household_rate)
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
    flags["old_phone"] = flags["stale"] & (rng.random(m) < old_phone_rate)
    flags["old_city"] = flags["stale"] & (rng.random(m) < moved_rate)
    flags["phone_invalid"] = ~flags["old_phone"] & (rng.random(m) < invalid_rate)
    flags["email_invalid"] = ~flags["email_missing"] & (rng.random(m) < invalid_rate)
    flags["birth_error"] = rng.random(m) < birth_error_rate
    phone = np.where(flags["old_phone"], _phones(rng, m), base["phone"].to_numpy())
    phone = [p[:k] + p[k + 1:] if bad else p                                   # a digit dropped
             for p, bad, k in zip(phone, flags["phone_invalid"], rng.integers(3, 11, m))]
    phone = [_format_phone(rng, p) if f else p for p, f in zip(phone, flags["phone_format"])]
    email = [e.replace("@", "") if bad else e for e, bad in zip(base["email"], flags["email_invalid"])]
    birth = base["birth_date"].copy()
    swap = flags["birth_error"] & (rng.random(m) < 0.5) & (birth.dt.day <= 12) & (birth.dt.day != birth.dt.month)
    birth[swap] = [pd.Timestamp(b.year, b.day, b.month) for b in birth[swap]]
    flags["birth_error"] = swap | (flags["birth_error"] & (birth == base["birth_date"]))   # swapped or blanked
    birth = birth.where(~(flags["birth_error"] & ~swap))
    city = np.where(flags["old_city"], [_other(rng, c) for c in base["city"]], base["city"].to_numpy())
    days_old = np.where(flags["stale"], rng.integers(731, 1500, m), rng.integers(0, 730, m))
    dept = rec["department"].to_numpy()
    data = pd.DataFrame({
        "record_id": rec["record_id"], "department": rec["department"], "name": name, "phone": phone,
        "email": pd.Series(email, dtype=object).where(~flags["email_missing"], None),
        "city": city, "birth_date": birth,
        "last_verified": end - pd.to_timedelta(days_old, unit="D"),
        "annual_spend": base["annual_spend"].where(dept == "sales"),
        "open_complaint": base["open_complaint"].astype(object).where(dept == "service"),
        "opted_out": base["opted_out"].astype(object).where(dept == "marketing"),
    })
    records = pd.DataFrame({"record_id": rec["record_id"], "customer_id": rec["customer_id"], **flags})
    pairs = records[["record_id", "customer_id"]].merge(records[["record_id", "customer_id"]], on="customer_id",
                                                        suffixes=("_a", "_b"))
    pairs = pairs[pairs["record_id_a"] < pairs["record_id_b"]].rename(
        columns={"record_id_a": "record_a", "record_id_b": "record_b"})[["record_a", "record_b"]]
    truth = {"customers": true, "records": records, "pairs": pairs.reset_index(drop=True), "as_of": end,
             "coverage": coverage, "dup_rate": dup_rate}
    return Simulated(data=data, truth=truth)


def _phones(rng, n):
    return np.array([f"1{rng.choice([3, 5, 8])}{rng.integers(0, 10)}{rng.integers(0, 10**8):08d}" for _ in range(n)])


def _other(rng, city):
    return rng.choice([c for c in _CITIES if c != city])


def _true_customers(rng, n, household_rate):
    sur = rng.choice(list(_SURNAMES), n)
    given = ["".join(rng.choice(list(_GIVEN), k)) for k in rng.integers(1, 3, n)]
    phone = _phones(rng, n)
    city = rng.choice(_CITIES, n)
    email = np.array([f"user{i:05d}@example.cn" for i in range(1, n + 1)], dtype=object)
    member = rng.random(n) < household_rate
    hosts = np.flatnonzero(~member)
    host = np.where(member, rng.choice(hosts, n) if len(hosts) else np.arange(n), -1)
    for i in np.flatnonzero(member & (host >= 0)):          # a family member shares surname, phone and city
        j = host[i]
        sur[i], phone[i], city[i] = sur[j], phone[j], city[j]
        if rng.random() < 0.3:                              # and some share the family e-mail
            email[i] = email[j]
        while sur[i] + given[i] == sur[j] + given[j]:
            given[i] = "".join(rng.choice(list(_GIVEN), 2))
    birth = pd.Timestamp("1950-01-01") + pd.to_timedelta(rng.integers(0, 365 * 55, n), unit="D")
    spend = np.round(rng.lognormal(7.0, 1.0, n), 2)
    return pd.DataFrame({"customer_id": np.arange(1, n + 1), "name": [s + g for s, g in zip(sur, given)],
                         "phone": phone, "email": email,
                         "city": city, "birth_date": birth,
                         "household_of": np.where(host >= 0, host + 1, 0),
                         "annual_spend": spend, "open_complaint": rng.random(n) < 0.08,
                         "opted_out": rng.random(n) < 0.1})


def _typo(rng, s):
    i = int(rng.integers(1, len(s))) if len(s) > 1 else 0     # keep the surname
    return s[:i] + rng.choice(list(_GIVEN.replace(s[i], ""))) + s[i + 1:]


def _format_phone(rng, p):
    k = int(rng.integers(0, 3))
    return [f"{p[:3]}-{p[3:7]}-{p[7:]}", f"+86 {p[:3]} {p[3:7]} {p[7:]}", f"({p[:3]}) {p[3:]}"][k]
