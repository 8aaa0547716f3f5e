"""The integer-key helpers of crm_lessons._grouping against plain pandas / NumPy on random data."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons._grouping import (
    count_worse, customer_slots, day_numbers, month_numbers, periods_per_customer,
)


def _ref_worse(x, higher_is_better=True):
    s = pd.Series(x if higher_is_better else -np.asarray(x, dtype=float))
    return (s.rank(method="min") - 1).astype(np.int64).to_numpy()


@pytest.mark.parametrize("kind", ["small ints", "wide ints", "cents", "6 decimals", "any floats", "negative"])
@pytest.mark.parametrize("higher", [True, False])
def test_count_worse_equals_pandas_rank_min(kind, higher):
    rng = np.random.default_rng(len(kind) + higher)
    n = 5_000
    x = {"small ints": rng.integers(0, 40, n),
         "wide ints": rng.integers(-10 ** 12, 10 ** 12, n) // 1000 * 1000,
         "cents": np.round(rng.lognormal(3, 1, n), 2),
         "6 decimals": np.round(rng.random(n) * 3, 6),
         "any floats": rng.random(n) * 1e20,
         "negative": np.round(rng.normal(0, 5, n), 1)}[kind]
    x = np.concatenate([x, x[:500]])                  # ties for sure
    got = count_worse(x, higher)
    np.testing.assert_array_equal(got, _ref_worse(x, higher))
    assert len(np.unique(got)) > 30


def test_customer_slots_map_back_to_the_ids():
    rng = np.random.default_rng(3)
    ids = pd.Series(rng.integers(0, 3000, 2000) * 3 + 17)      # compact but with gaps
    code, of_code = customer_slots(ids)
    np.testing.assert_array_equal(np.asarray(of_code)[code], ids.to_numpy())
    text = ids.astype(str)
    code, of_code = customer_slots(text)
    np.testing.assert_array_equal(np.asarray(of_code)[code], text.to_numpy())
    assert list(of_code) == sorted(of_code)


@pytest.mark.parametrize("unit", ["ns", "us", "s"])
def test_day_and_month_numbers_equal_numpy_calendar_casts(unit):
    rng = np.random.default_rng(4)
    secs = rng.integers(-40 * 365 * 86400, 60 * 365 * 86400, 10_000)   # 1930..2030, before 1970 too
    ts = pd.Series(secs.astype("datetime64[s]").astype(f"datetime64[{unit}]"))
    days = day_numbers(ts)
    np.testing.assert_array_equal(days, ts.to_numpy().astype("datetime64[D]").astype(np.int64))
    months = month_numbers(days.copy())
    np.testing.assert_array_equal(months, days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64))


def test_periods_per_customer_with_an_overwritten_code_array():
    rng = np.random.default_rng(5)
    code = rng.integers(0, 300, 5_000)
    period = rng.integers(100, 160, 5_000)
    amount = np.round(rng.lognormal(3, 1, 5_000), 2)
    a = periods_per_customer(code.copy(), period, amount, n_codes=300, first_value=False, overwrite_code=True)
    b = periods_per_customer(code, period, amount, n_codes=300)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    df = pd.DataFrame({"c": code, "p": period, "a": amount})
    g = df.groupby("c")
    np.testing.assert_array_equal(a["n_periods"], g["p"].nunique())
    np.testing.assert_array_equal(a["last"], g["p"].max())
    np.testing.assert_allclose(a["total"], g["a"].sum(), rtol=1e-12)
    first = df[df["p"] == g["p"].transform("min")].groupby("c")["a"].sum()
    np.testing.assert_allclose(b["first_value"], first, rtol=1e-12)
