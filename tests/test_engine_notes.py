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
