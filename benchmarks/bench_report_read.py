"""Benchmark: the report's reading and checking (``read_and_prepare``) at 1M and 10M transactions, CSV and Parquet.

Each measurement runs in a fresh process and reports wall time and peak memory (VmHWM). ``--code DIR``
runs another copy of the package (e.g. an export of an older commit) for a before/after comparison:

    .venv/bin/python benchmarks/bench_report_read.py --rows 1000000 10000000
    git archive <commit> crm_lessons | tar -x -C /tmp/before
    .venv/bin/python benchmarks/bench_report_read.py --rows 1000000 --code /tmp/before
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

CHILD = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from crm_lessons.reports._catalogue import get_report
from crm_lessons.reports._prepare import read_and_prepare
t = time.perf_counter()
data, as_of = read_and_prepare(sys.argv[2], get_report("customer-value"), today="2026-01-01")
wall = time.perf_counter() - t
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(f"{wall:.2f} {hwm / 2**20:.2f} {len(data)}")
"""


def make_log(n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` distinct purchases of about ``n / 2.8`` customers over two years (text ids, ISO dates)."""
    rng = np.random.default_rng(seed)
    k = max(int(n / 2.8), 1)
    cust = rng.integers(0, k, int(n * 1.05))
    day = rng.integers(0, 730, cust.size)
    df = pd.DataFrame({"customer_id": cust, "day": day}).drop_duplicates().iloc[:n]
    df = df.sort_values("day", kind="stable")
    return pd.DataFrame({"customer_id": np.char.add("C", df["customer_id"].to_numpy().astype(str)),
                         "date": (pd.Timestamp("2023-01-01") + pd.to_timedelta(df["day"].to_numpy(), unit="D"))
                         .strftime("%Y-%m-%d"),
                         "amount": np.round(rng.lognormal(3.5, 0.8, len(df)) + 0.01, 2)})


def measure(code: str, path: Path) -> tuple[float, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, code, str(path)], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(out.stderr)
    wall, gb, _ = out.stdout.split()
    return float(wall), float(gb)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--code", default=str(Path(__file__).resolve().parents[1]), help="folder holding crm_lessons")
    ap.add_argument("--keep", metavar="DIR", help="write (or reuse) the data files in DIR")
    args = ap.parse_args(argv)
    tmp = Path(args.keep or tempfile.mkdtemp(prefix="bench-read-"))
    tmp.mkdir(parents=True, exist_ok=True)
    print("| rows | format | file MB | wall s | peak GB |\n|---:|---|---:|---:|---:|")
    for n in args.rows:
        csv, pq = tmp / f"tx{n}.csv", tmp / f"tx{n}.parquet"
        if not csv.exists():
            log = make_log(n)
            log.to_csv(csv, index=False)
            log.assign(date=pd.to_datetime(log["date"])).to_parquet(pq, index=False)  # dates as timestamps
            del log
        for path in (csv, pq):
            wall, gb = measure(args.code, path)
            print(f"| {n:,} | {path.suffix[1:]} | {path.stat().st_size / 1e6:,.0f} | {wall:.1f} | {gb:.2f} |",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
