"""The engine path says how it read dates written otherwise than YYYY-MM-DD, in the in-memory path's words.

The engine counts such rows in its one pass; only when there are some does a second query fetch the
distinct cells with their row counts, which :func:`crm_lessons.values.parse_dates` (``weights``) turns
into the same notes the in-memory reader writes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from crm_lessons.reports._catalogue import get_report
from crm_lessons.reports._engine import prepare_engine
from crm_lessons.reports._prepare import read_and_prepare
from crm_lessons.values import NOTES_ATTR

FORMS = {
    "iso": lambda d: d.strftime("%Y-%m-%d"),
    "cn": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "compact": lambda d: d.strftime("%Y%m%d"),
    "slash": lambda d: f"{d.year}/{d.month}/{d.day}",
}


def _log(tmp_path, forms, fmt, n=2000, seed=1):
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 600, n), unit="D")
    pick = rng.choice(len(forms), n)
    df = pd.DataFrame({"会员": rng.integers(0, 250, n),
                       "日期": [FORMS[forms[k]](d) for d, k in zip(days, pick)],
                       "金额": np.round(rng.lognormal(3, 1, n), 2) + 0.01})
    path = tmp_path / f"log.{fmt}"
    df.to_csv(path, index=False) if fmt == "csv" else df.to_parquet(path, index=False)
    return path


@pytest.mark.parametrize("forms, fmt", [
    (["iso", "cn", "compact", "slash"], "csv"),
    (["cn", "iso"], "parquet"),
    (["cn"], "csv"),
    (["slash", "compact"], "csv"),   # pandas' ISO reader takes both: no note on either path
    (["iso"], "csv"),
])
def test_the_engine_notes_the_date_forms_as_the_reader_does(tmp_path, forms, fmt):
    path = _log(tmp_path, forms, fmt)
    kw = dict(columns={"customer": "会员", "date": "日期", "amount": "金额"}, allow_duplicates=True,
              as_of="2024-03-31")
    report = get_report("customer-value")
    mem = read_and_prepare(path, report, **kw)[0].attrs[NOTES_ATTR]
    eng = prepare_engine(path, report, **kw)[0].attrs[NOTES_ATTR]
    assert eng == mem
    dated = [n for n in mem if "date" in n[0] and "as-of" not in n[0]]
    if "cn" in forms:   # one note per converted form, and one on the mix; the count is the file's (not the cells')
        assert len(dated) == len(set(forms) - {"iso"}) + (len(forms) > 1), dated
        cells = (pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path))["日期"].astype(str)
        k = int(cells.str.contains("年").sum())
        assert any(n[0].startswith(f"Column '日期': {k:,} dates written as '") for n in eng), eng


MONEY = ["¥1,234.50", "￥88", "１２３", "88元", "RMB 1,000", "12.5", "7"]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_engine_reads_amounts_with_currency_signs_and_says_so(tmp_path, fmt):
    """¥1,234.50, ￥88, full-width digits, 88元: the same values and the same note as in memory."""
    rng = np.random.default_rng(4)
    n = 1500
    df = pd.DataFrame({"customer_id": rng.integers(0, 200, n),
                       "date": (pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D"))
                       .strftime("%Y-%m-%d"),
                       "amount": rng.choice(MONEY, n)})
    path = tmp_path / f"money.{fmt}"
    df.to_csv(path, index=False) if fmt == "csv" else df.to_parquet(path, index=False)
    report = get_report("customer-value")
    mem_data = read_and_prepare(path, report, allow_duplicates=True)[0]
    eng_data = prepare_engine(path, report, allow_duplicates=True)[0]
    assert eng_data.attrs[NOTES_ATTR] == mem_data.attrs[NOTES_ATTR]
    k = int((~df["amount"].isin(["12.5", "7"])).sum())
    assert any(note[0].startswith(f"Column 'amount': {k:,} numbers written with a currency sign")
               for note in eng_data.attrs[NOTES_ATTR])
    spent = eng_data.customer_table(as_of=pd.Timestamp("2024-12-31"), tr=_text())[0]["monetary"].sum()
    assert spent == pytest.approx(mem_data["amount"].sum(), rel=1e-12)
    assert mem_data["amount"].sum() == pytest.approx(sum({"¥1,234.50": 1234.5, "￥88": 88, "１２３": 123, "88元": 88,
                                                          "RMB 1,000": 1000, "12.5": 12.5, "7": 7}[a]
                                                         for a in df["amount"]), rel=1e-12)


def _text():
    from crm_lessons.reports._text import Text

    return Text("en")
