"""Customer data management (客户信息管理): finding duplicate customers and scoring the matcher.

Departments keep their own lists, so one customer appears several times with
small differences (a typo, traditional characters, another phone format). A
matcher (textbook record linkage, Fellegi & Sunter 1969; Christen 2012):

1. **normalises** the fields (traditional -> simplified characters, phone digits only);
2. **blocks**: compares only records that share a key (phone, name or birth
   date), instead of every pair;
3. **scores** each candidate pair by a weighted similarity and calls it a match
   above a threshold.

:func:`pair_quality` scores the matches against known true pairs (precision,
recall), as lesson 6.1 does on simulated records.
"""

from __future__ import annotations

from difflib import SequenceMatcher

import numpy as np
import pandas as pd

from crm_lessons._validation import check_probability, require_columns
from crm_lessons.tables import Column, Table

__all__ = ["CUSTOMER_RECORDS", "TRADITIONAL", "normalise_name", "normalise_phone", "match_duplicates", "pair_quality"]

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
