"""Customer data management (客户信息管理): finding duplicate customers and scoring the matcher.

Departments keep their own lists, so one customer appears several times with
small differences (a typo, traditional characters, another phone format). A
matcher (textbook record linkage, Fellegi & Sunter 1969; Christen 2012):

1. **normalises** the fields (traditional -> simplified characters, phone digits only);
2. **blocks**: compares only records that share a key (phone, name or birth
   date), instead of every pair;
3. **scores** each candidate pair by a weighted similarity and calls it a match
   above a threshold.

:func:`pair_quality` and :func:`threshold_table` score the matches against known true pairs (precision,
recall), as lesson 6.1 does on simulated records. :func:`cluster_records` joins matched pairs into
customers, :func:`single_view` merges each customer's records into one row (the single customer view,
客户信息整合), :func:`department_blind_spots` counts what each department alone gets wrong,
:func:`quality_report` measures the five dimensions of data quality, and :func:`reverify_priority` says
which records to verify first (验证并更新客户信息, 删除过时信息).
"""

from __future__ import annotations

from difflib import SequenceMatcher

import numpy as np
import pandas as pd

from crm_lessons._validation import (CRMInputError, check_dataframe, check_date, check_number, check_probability,
                                     require_columns)
from crm_lessons.tables import Column, Table

__all__ = ["CUSTOMER_RECORDS", "TRADITIONAL", "normalise_name", "normalise_phone", "match_duplicates", "pair_quality",
           "threshold_table", "cluster_records", "quality_report", "single_view", "department_blind_spots",
           "reverify_priority"]

#: simplified -> traditional for common surname and given-name characters that differ
TRADITIONAL = dict(zip("张刘陈杨黄赵吴孙马罗伟静丽强军艳杰涛刚华红兰",
                       "張劉陳楊黃趙吳孫馬羅偉靜麗強軍艷傑濤剛華紅蘭"))
_SIMPLIFIED = {t: s for s, t in TRADITIONAL.items()}

#: A customer list of one or more departments: one row per record (客户记录).
CUSTOMER_RECORDS = Table(
    "customer_records", "customer records (客户记录): one row per record, duplicates possible",
    (Column("record", "record_id", "id", doc="record id"),
     Column("name", "name", "text", missing=True, doc="customer name"),
     Column("phone", "phone", "text", missing=True, doc="phone number, any format"),
     Column("email", "email", "text", missing=True, doc="e-mail address"),
     Column("birth", "birth_date", "date", missing=True, doc="date of birth")),
    key=("record",),
    key_what="record ids",
    key_fix="Give every record its own id (e.g. department + row number).",
)

#: weights of the field similarities in a pair's score (they sum to 1)
WEIGHTS = {"name": 0.4, "phone": 0.3, "email": 0.2, "birth": 0.1}


def normalise_name(name: pd.Series) -> pd.Series:
    """Names with spaces removed and traditional characters made simplified (table :data:`TRADITIONAL`).

    >>> normalise_name(pd.Series(["陳 偉", "陈伟"])).tolist()
    ['陈伟', '陈伟']
    """
    return name.fillna("").astype(str).str.replace(r"\s+", "", regex=True).map(
        lambda s: "".join(_SIMPLIFIED.get(ch, ch) for ch in s))


def normalise_phone(phone: pd.Series) -> pd.Series:
    """The last 11 digits of a phone number, whatever its format.

    >>> normalise_phone(pd.Series(["+86 138 1234 5678", "138-1234-5678", "(138) 12345678"])).tolist()
    ['13812345678', '13812345678', '13812345678']
    """
    return phone.fillna("").astype(str).str.replace(r"\D", "", regex=True).str[-11:]


def match_duplicates(records: pd.DataFrame, *, id_col: str = "record_id", name_col: str = "name",
                     phone_col: str = "phone", email_col: str = "email", birth_col: str = "birth_date",
                     threshold: float = 0.7) -> pd.DataFrame:
    """Pairs of records that probably describe the same customer.

    Score of a candidate pair (blocked on equal normalised phone, name or birth date):

    .. math:: s = 0.4\\,\\mathrm{sim}(\\text{name}) + 0.3\\,[\\text{phone}=] + 0.2\\,[\\text{email}=]
              + 0.1\\,[\\text{birth}=]

    where sim is :class:`difflib.SequenceMatcher`'s ratio of the normalised names
    and an e-mail counts only when both records have one.

    Parameters
    ----------
    records : DataFrame
        One row per record.
    id_col, name_col, phone_col, email_col, birth_col : str
        Column names (read through :data:`CUSTOMER_RECORDS`).
    threshold : float, default 0.7
        Smallest score called a match.

    Returns
    -------
    DataFrame
        ``record_a < record_b``, ``score``, the four similarities, for every
        candidate pair (``match`` says whether it reaches the threshold).

    Examples
    --------
    >>> r = pd.DataFrame({"record_id": [1, 2, 3], "name": ["陈伟", "陳偉", "王芳"],
    ...                   "phone": ["138-1234-5678", "13812345678", "13900000000"],
    ...                   "email": ["a@x.cn", None, "b@x.cn"], "birth_date": ["1980-01-01"] * 3})
    >>> m = match_duplicates(r)
    >>> m[["record_a", "record_b", "score", "match"]]
       record_a  record_b  score  match
    0         1         2    0.8   True
    1         1         3    0.1  False
    2         2         3    0.1  False
    """
    check_probability(threshold, "threshold")
    r = CUSTOMER_RECORDS.read(records, arg="records", record_col=id_col, name_col=name_col,
                              phone_col=phone_col, email_col=email_col, birth_col=birth_col)
    f = pd.DataFrame({"id": r["record_id"].to_numpy(), "name": normalise_name(r["name"]).to_numpy(),
                      "phone": normalise_phone(r["phone"]).to_numpy(), "email": r["email"].to_numpy(),
                      "birth": r["birth_date"].to_numpy()})
    cand = []
    for key in ("phone", "name", "birth"):
        k = f[["id", key]][f[key].notna() & (f[key].astype(str) != "")]      # no blocking on blanks
        pairs = k.merge(k, on=key, suffixes=("_a", "_b"))
        cand.append(pairs.loc[pairs["id_a"] < pairs["id_b"], ["id_a", "id_b"]])
    pairs = pd.concat(cand).drop_duplicates().sort_values(["id_a", "id_b"]).reset_index(drop=True)
    a = f.set_index("id").loc[pairs["id_a"]].reset_index(drop=True)
    b = f.set_index("id").loc[pairs["id_b"]].reset_index(drop=True)
    out = pd.DataFrame({"record_a": pairs["id_a"], "record_b": pairs["id_b"]})
    out["name_sim"] = [SequenceMatcher(None, x, y).ratio() for x, y in zip(a["name"], b["name"])]
    out["phone_eq"] = (a["phone"] == b["phone"]).astype(float)
    out["email_eq"] = (a["email"].notna() & (a["email"] == b["email"])).astype(float)
    out["birth_eq"] = (a["birth"] == b["birth"]).astype(float)
    out["score"] = np.round(WEIGHTS["name"] * out["name_sim"] + WEIGHTS["phone"] * out["phone_eq"]
                            + WEIGHTS["email"] * out["email_eq"] + WEIGHTS["birth"] * out["birth_eq"], 10)
    out["match"] = out["score"] >= threshold
    return out[["record_a", "record_b", "score", "match", "name_sim", "phone_eq", "email_eq", "birth_eq"]]


def pair_quality(found: pd.DataFrame, true_pairs: pd.DataFrame) -> dict:
    """Precision, recall and F1 of found pairs against the true pairs (columns ``record_a``, ``record_b``).

    precision = true pairs found / pairs found; recall = true pairs found / true pairs.

    >>> found = pd.DataFrame({"record_a": [1, 1], "record_b": [2, 3]})
    >>> true = pd.DataFrame({"record_a": [1, 4], "record_b": [2, 5]})
    >>> pair_quality(found, true)
    {'found': 2, 'true': 2, 'correct': 1, 'precision': 0.5, 'recall': 0.5, 'f1': 0.5}
    """
    require_columns(found, ["record_a", "record_b"], arg="found")
    require_columns(true_pairs, ["record_a", "record_b"], arg="true_pairs")
    f = set(zip(found["record_a"], found["record_b"]))
    t = set(zip(true_pairs["record_a"], true_pairs["record_b"]))
    correct = len(f & t)
    precision = correct / len(f) if f else float("nan")
    recall = correct / len(t) if t else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if f and t and (precision + recall) > 0 else 0.0
    return {"found": len(f), "true": len(t), "correct": correct, "precision": precision, "recall": recall,
            "f1": f1}


def threshold_table(matches: pd.DataFrame, true_pairs: pd.DataFrame, *, thresholds=None) -> pd.DataFrame:
    """Precision, recall and F1 of :func:`match_duplicates`' candidate pairs at each threshold.

    A pair is called a match when ``score >= threshold``; true pairs that blocking never compared count
    as missed.

    Parameters
    ----------
    matches : DataFrame
        Output of :func:`match_duplicates` (``record_a, record_b, score``).
    true_pairs : DataFrame
        ``record_a < record_b`` of the same customer.
    thresholds : sequence of float, optional
        Default 0.30, 0.35, ..., 1.00.

    Returns
    -------
    DataFrame
        One row per threshold: ``threshold, found, correct, precision, recall, f1``.

    Examples
    --------
    >>> m = pd.DataFrame({"record_a": [1, 1], "record_b": [2, 3], "score": [0.9, 0.5]})
    >>> t = pd.DataFrame({"record_a": [1], "record_b": [2]})
    >>> threshold_table(m, t, thresholds=[0.4, 0.8])[["threshold", "precision", "recall"]]
       threshold  precision  recall
    0        0.4        0.5     1.0
    1        0.8        1.0     1.0
    """
    require_columns(matches, ["record_a", "record_b", "score"], arg="matches")
    thresholds = np.round(np.arange(0.30, 1.0001, 0.05), 2) if thresholds is None else list(thresholds)
    rows = []
    for t in thresholds:
        q = pair_quality(matches[matches["score"] >= float(t) - 1e-12], true_pairs)
        rows.append({"threshold": float(t), "found": q["found"], "correct": q["correct"],
                     "precision": q["precision"], "recall": q["recall"], "f1": q["f1"]})
    return pd.DataFrame(rows)


def cluster_records(matches: pd.DataFrame, record_ids) -> pd.Series:
    """One customer id per record: the connected components of the matched pairs (union-find).

    Records linked by a chain of matches (a = b, b = c) become one customer; records without a match
    are customers of their own. The customer id is the smallest record id of the component.

    Parameters
    ----------
    matches : DataFrame
        Pairs called matches (``record_a``, ``record_b``), e.g. ``m[m["match"]]``.
    record_ids : sequence
        Every record id.

    Returns
    -------
    Series
        Index = record id, values = customer (cluster) id, name ``cluster``.

    Examples
    --------
    >>> m = pd.DataFrame({"record_a": [1, 2], "record_b": [2, 3]})
    >>> cluster_records(m, [1, 2, 3, 4]).tolist()
    [1, 1, 1, 4]
    """
    require_columns(matches, ["record_a", "record_b"], arg="matches")
    ids = list(pd.unique(pd.Series(list(record_ids))))
    parent = {r: r for r in ids}

    def root(r):
        while parent[r] != r:
            parent[r] = parent[parent[r]]
            r = parent[r]
        return r

    for a, b in zip(matches["record_a"], matches["record_b"]):
        if a not in parent or b not in parent:
            raise CRMInputError(f"argument `matches`: pair ({a!r}, {b!r}) names a record that is not in "
                                "`record_ids`; found an unknown id. Pass every record id of the table matched.")
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return pd.Series([root(r) for r in ids], index=pd.Index(ids, name="record_id"), name="cluster")


_PHONE_OK = r"^1[3-9]\d{9}$"
_EMAIL_OK = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def quality_report(records: pd.DataFrame, *, as_of, cluster_col: str | None = None, id_col: str = "record_id",
                   name_col: str = "name", phone_col: str = "phone", email_col: str = "email",
                   birth_col: str = "birth_date", city_col: str = "city", verified_col: str = "last_verified",
                   max_age_days: int = 730) -> pd.DataFrame:
    """The five dimensions of data quality (数据质量) of a customer list, as shares between 0 and 1.

    * **completeness** (完整性): share of records with the field filled;
    * **validity** (有效性): share of the filled values that pass the rule (a mainland mobile number of 11
      digits starting 13-19 after removing spaces, dashes and +86; an e-mail ``x@y.z``; a birth date that
      makes the customer 16-100 years old at ``as_of``);
    * **uniqueness** (唯一性): customers / records (1 = no duplicates); needs ``cluster_col``, the customer
      each record belongs to (from :func:`cluster_records` or the truth);
    * **consistency** (一致性): among customers with two or more records, share whose records agree on
      the field (normalised phone, city, birth date); needs ``cluster_col``;
    * **timeliness** (及时性): share of records verified within ``max_age_days`` of ``as_of``.

    Parameters
    ----------
    records : DataFrame
        One row per record.
    as_of : date-like
        Day of the export.
    cluster_col : str, optional
        Column of the customer (cluster) id; without it uniqueness and consistency are not reported.
    id_col, name_col, phone_col, email_col, birth_col, city_col, verified_col : str
        Column names.
    max_age_days : int, default 730
        Oldest verification still counted as timely.

    Returns
    -------
    DataFrame
        ``dimension, field, value, rule``.

    References
    ----------
    Wang, R. Y. & Strong, D. M. (1996). Beyond accuracy: what data quality means to data consumers.
    *Journal of Management Information Systems* 12(4), 5-33 (textbook framework, not in the course material).

    Examples
    --------
    >>> r = pd.DataFrame({"record_id": [1, 2], "name": ["陈伟", "陳偉"], "phone": ["138-1234-5678", "1381234"],
    ...                   "email": ["a@x.cn", None], "birth_date": ["1980-01-01", "1980-01-01"],
    ...                   "city": ["北京", "上海"], "last_verified": ["2024-01-01", "2020-01-01"], "cid": [1, 1]})
    >>> q = quality_report(r, as_of="2024-06-30", cluster_col="cid").set_index(["dimension", "field"])["value"]
    >>> [float(q[k]) for k in [("completeness", "email"), ("validity", "phone"), ("uniqueness", "record"),
    ...                        ("consistency", "city")]]
    [0.5, 0.5, 0.5, 0.0]
    """
    end = check_date(as_of, "as_of")
    check_number(max_age_days, "max_age_days", min_value=1)
    check_dataframe(records, arg="records")
    cols = {"id_col": id_col, "name_col": name_col, "phone_col": phone_col, "email_col": email_col,
            "birth_col": birth_col, "city_col": city_col, "verified_col": verified_col}
    if cluster_col is not None:
        cols["cluster_col"] = cluster_col
    require_columns(records, cols, arg="records")
    r = records
    text = lambda c: r[c].astype("string").str.strip().replace("", pd.NA)      # noqa: E731
    phone, email = text(phone_col), text(email_col)
    birth = pd.to_datetime(r[birth_col], errors="coerce")
    verified = pd.to_datetime(r[verified_col], errors="coerce")
    digits = phone.str.replace(r"\D", "", regex=True).str.replace(r"^(0086|86)(?=1\d{10}$)", "", regex=True)
    age = (end - birth).dt.days / 365.25
    rows = [("completeness", f, float(s.notna().mean()), "share of records with a value")
            for f, s in (("name", text(name_col)), ("phone", phone), ("email", email), ("birth_date", birth),
                         ("city", text(city_col)))]
    rows += [("validity", "phone", float(digits[phone.notna()].str.fullmatch(_PHONE_OK[1:-1]).mean()),
              "11-digit mobile number starting 13-19 (spaces, dashes, +86 allowed)"),
             ("validity", "email", float(email[email.notna()].str.fullmatch(_EMAIL_OK[1:-1]).mean()),
              "one @ and a domain with a dot"),
             ("validity", "birth_date", float(age[birth.notna()].between(16, 100).mean()),
              "customer aged 16-100 at the export date")]
    if cluster_col is not None:
        cl = r[cluster_col]
        rows.append(("uniqueness", "record", float(cl.nunique() / len(r)), "customers / records"))
        multi = cl.map(cl.value_counts()) > 1
        for f, s in (("phone", digits.str[-11:]), ("city", text(city_col)), ("birth_date", birth)):
            g = pd.DataFrame({"c": cl[multi], "v": s[multi].astype("string")}).groupby("c")["v"]
            rows.append(("consistency", f, float((g.nunique(dropna=False) == 1).mean()) if multi.any() else float("nan"),
                         "customers with 2+ records whose records agree"))
    fresh = (end - verified).dt.days <= max_age_days
    rows.append(("timeliness", "last_verified", float(fresh.mean()), f"verified within {max_age_days} days"))
    return pd.DataFrame(rows, columns=["dimension", "field", "value", "rule"])


def single_view(records: pd.DataFrame, clusters: pd.Series, *, id_col: str = "record_id",
                department_col: str = "department", verified_col: str = "last_verified",
                fields=("name", "phone", "email", "city"), flags=("open_complaint", "opted_out"),
                value_col: str = "annual_spend") -> pd.DataFrame:
    """One row per customer (客户信息整合: the single customer view) from the records of every department.

    Each customer (cluster) takes each field from its most recently verified record that has it, the
    largest ``value_col`` of its records, and each flag as *true if any record says so* (a complaint
    known to service, an opt-out known to marketing, holds for the whole firm).

    Parameters
    ----------
    records : DataFrame
        One row per record, with the department and the business fields.
    clusters : Series
        Record id -> customer id (:func:`cluster_records`).
    id_col, department_col, verified_col, value_col : str
        Column names.
    fields, flags : sequence of str
        Contact fields (latest value wins) and yes/no fields (any record wins).

    Returns
    -------
    DataFrame
        Index ``cluster``; ``records``, ``departments`` (sorted, joined by "+"), the fields, ``value_col``
        and the flags.

    Examples
    --------
    >>> r = pd.DataFrame({"record_id": [1, 2], "department": ["sales", "service"], "name": ["陈伟", "陈伟"],
    ...                   "last_verified": ["2023-01-01", "2024-01-01"], "annual_spend": [900.0, None],
    ...                   "open_complaint": [None, True]})
    >>> v = single_view(r, pd.Series([1, 1], index=[1, 2]), fields=("name",), flags=("open_complaint",))
    >>> v[["records", "departments", "annual_spend", "open_complaint"]].to_dict("records")
    [{'records': 2, 'departments': 'sales+service', 'annual_spend': 900.0, 'open_complaint': True}]
    """
    check_dataframe(records, arg="records")
    require_columns(records, {"id_col": id_col, "department_col": department_col, "verified_col": verified_col,
                              "value_col": value_col, **{f: f for f in (*fields, *flags)}}, arg="records")
    if not isinstance(clusters, pd.Series):
        raise CRMInputError("argument `clusters`: expected a Series record id -> customer id; found "
                            f"{type(clusters).__name__}. Build it with cluster_records(matches, record_ids).")
    cl = records[id_col].map(clusters)
    if cl.isna().any():
        raise CRMInputError(f"argument `clusters`: record {records.loc[cl.isna(), id_col].iloc[0]!r} has no "
                            "customer id; found it missing. Pass every record id to cluster_records.")
    r = records.assign(_cluster=cl.to_numpy(), _verified=pd.to_datetime(records[verified_col], errors="coerce"))
    r = r.sort_values("_verified", ascending=False, kind="stable")
    g = r.groupby("_cluster", sort=True)
    depts = (r[["_cluster", department_col]].astype({department_col: str}).drop_duplicates()
             .sort_values(["_cluster", department_col]).groupby("_cluster")[department_col].agg("+".join))
    out = pd.DataFrame({"records": g.size(), "departments": depts})
    for f in fields:
        out[f] = g[f].first()
    out[value_col] = pd.to_numeric(r[value_col], errors="coerce").groupby(r["_cluster"]).max()
    for f in flags:
        yes = r[f].map(lambda x: bool(x) if pd.notna(x) else False).astype(bool)
        out[f] = yes.groupby(r["_cluster"]).any()
    return out.rename_axis("cluster")


def department_blind_spots(view: pd.DataFrame, *, departments_col: str = "departments",
                           value_col: str = "annual_spend", complaint_col: str = "open_complaint",
                           opt_out_col: str = "opted_out", vip_share: float = 0.1) -> pd.DataFrame:
    """What each department gets wrong when it sees only its own records (the MBA chapter's 片断性).

    On a single customer view (:func:`single_view`, or the truth):

    * **marketing alone** mails an offer to customers it holds who have an open complaint (known only to
      service) — a promotion on top of an unsolved problem;
    * **service alone** serves VIP customers (top ``vip_share`` by ``value_col``, known only to sales) as
      ordinary customers: no priority, no escalation;
    * **sales alone** calls customers it holds who opted out of marketing (known only to marketing) — a
      privacy and legal risk.

    Parameters
    ----------
    view : DataFrame
        One row per customer with the departments that hold the customer (joined by "+"), value and flags.
    departments_col, value_col, complaint_col, opt_out_col : str
        Column names.
    vip_share : float, default 0.1
        Share of customers (by value, of those with a value) called VIP.

    Returns
    -------
    DataFrame
        Index ``department``; ``blind_spot`` (what goes wrong) and ``customers`` (how many).

    Examples
    --------
    >>> v = pd.DataFrame({"departments": ["marketing+service", "sales+service", "marketing+sales"],
    ...                   "annual_spend": [None, 5000.0, 100.0], "open_complaint": [True, True, False],
    ...                   "opted_out": [False, False, True]})
    >>> department_blind_spots(v, vip_share=0.5)["customers"].tolist()
    [1, 1, 1]
    """
    check_dataframe(view, arg="view")
    require_columns(view, {"departments_col": departments_col, "value_col": value_col,
                           "complaint_col": complaint_col, "opt_out_col": opt_out_col}, arg="view")
    check_probability(vip_share, "vip_share", allow_zero=False)
    dep = view[departments_col].astype(str).str.split("+")
    has = lambda d: dep.map(lambda x: d in x)                          # noqa: E731
    complaint = view[complaint_col].fillna(False).astype(bool)
    opted = view[opt_out_col].fillna(False).astype(bool)
    value = pd.to_numeric(view[value_col], errors="coerce")
    vip = value >= value.dropna().quantile(1 - vip_share) if value.notna().any() else value.notna()
    rows = [("marketing", "offers mailed to customers with an open complaint", int((has("marketing") & complaint
                                                                                    & ~opted).sum())),
            ("service", "VIP customers served as ordinary customers", int((has("service") & vip).sum())),
            ("sales", "customers who opted out of marketing called for a sale", int((has("sales") & opted).sum()))]
    return pd.DataFrame(rows, columns=["department", "blind_spot", "customers"]).set_index("department")


def reverify_priority(records: pd.DataFrame, *, as_of, value_col: str = "annual_spend",
                      verified_col: str = "last_verified", id_col: str = "record_id") -> pd.DataFrame:
    """Which records to verify first (验证并更新客户信息): value x staleness, highest first.

    .. math:: \text{priority}_i = v_i \times \frac{\text{days since verification}_i}{365}

    A valuable customer's record that has not been checked for years comes first; a cheap customer's
    fresh record last. Records without a value count as 0.

    Parameters
    ----------
    records : DataFrame
        One row per record (or per customer).
    as_of : date-like
        Day of the export.
    value_col, verified_col, id_col : str
        Column names.

    Returns
    -------
    DataFrame
        ``id_col, value, years_since_verified, priority, rank``, sorted by priority.

    Examples
    --------
    >>> r = pd.DataFrame({"record_id": [1, 2, 3], "annual_spend": [100.0, 1000.0, 1000.0],
    ...                   "last_verified": ["2020-06-30", "2024-06-30", "2022-06-30"]})
    >>> reverify_priority(r, as_of="2024-06-30")["record_id"].tolist()
    [3, 1, 2]
    """
    end = check_date(as_of, "as_of")
    check_dataframe(records, arg="records")
    require_columns(records, {"id_col": id_col, "value_col": value_col, "verified_col": verified_col},
                    arg="records")
    verified = pd.to_datetime(records[verified_col], errors="coerce")
    if verified.isna().any():
        raise CRMInputError(f"argument `records`, column '{verified_col}' (verified_col): every record needs the "
                            "date it was last verified; found a missing or unreadable date. Treat unknown dates "
                            "as the record's creation date.")
    years = (end - verified).dt.days.clip(lower=0) / 365.0
    value = pd.to_numeric(records[value_col], errors="coerce").fillna(0.0)
    out = pd.DataFrame({id_col: records[id_col].to_numpy(), "value": value.to_numpy(),
                        "years_since_verified": years.to_numpy()})
    out["priority"] = out["value"] * out["years_since_verified"]
    out = out.sort_values(["priority", "years_since_verified"], ascending=False, kind="stable").reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out
