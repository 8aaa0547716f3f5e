"""Benchmark: the aggregations and the customer-value report against DuckDB and polars, side by side.

Three per-customer aggregations of a transaction log -- the customer summary
(``customer_summary.summary_from_transactions``), the RFM table
(``segmentation.rfm_table``) and the cohort matrix (``retention.cohort_matrix``) --
are computed by ``crm_lessons``, by DuckDB (SQL) and by polars (lazy-free
expressions) on the same simulated log, at 1M, 10M and 100M rows (``--rows``; sizes of 50M rows and more are
skipped with a note when less than ``--min-free-gb``, default 16 GB, is available),
with the rows in date order and in random order. Every method runs in a **fresh process**
(interleaved: crm, duckdb, polars, crm, ...): it loads the Parquet file into its
own memory (pandas / DuckDB table / polars frame: "load"), then runs the task
twice ("first" call and "warm" call). The peak resident memory of the process
(``VmHWM``: interpreter, data, work) is reported, with the 1-minute load average
when the method finished (the machine is shared: quote the ratios). The peers compute the same
numbers (for the RFM table: recency, frequency, monetary and the three rank
scores; ``crm_lessons`` also names the segments), and the parent checks that the
outputs agree (counts exactly, money to 1e-9 relative).

With ``--report`` the customer-value report (``crm-lessons report customer-value``)
also runs end to end on the same logs written as CSV and Parquet (text customer ids),
timed from process start to the finished output directory, with the peak memory of
the process tree.

    .venv-bench/bin/python benchmarks/bench_scale.py [--rows 1000000 10000000 100000000] [--report]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve()
TASKS = ("summary", "rfm", "cohort")
METHODS = ("crm_lessons", "duckdb", "polars")
DAYS = 4 * 365


# --------------------------------------------------------------------------- data
def make_log(n_rows: int, seed: int = 1):
    """``n_rows`` purchases of about n_rows/4 customers over four years: int ids, timestamps, amounts.

    Returns the three columns in date order as NumPy arrays (customer id, seconds since
    2021-01-01, amount), so that 100M rows fit in a few GB.
    """
    rng = np.random.default_rng(seed)
    n_cust = max(n_rows // 4, 1)
    first = rng.integers(0, DAYS, n_cust)
    cust = rng.integers(0, n_cust, n_rows)
    f = first[cust]
    day = f + (rng.random(n_rows) * (DAYS - f)).astype(np.int64)
    del f
    sec = day * 86400 + rng.integers(8 * 3600, 22 * 3600, n_rows)
    del day
    amount = np.round(rng.lognormal(3.0, 0.8, n_rows), 2)
    order = np.argsort(sec, kind="stable")
    return cust[order] + 100_000, sec[order], amount[order]


def _write(path: Path, cust, sec, amount, rows=None, chunk: int = 10_000_000) -> None:
    """Write the log (optionally the rows ``rows`` in that order) to Parquet in chunks."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = cust.size
    t0 = np.datetime64("2021-01-01", "s")
    schema = pa.schema([("customer_id", pa.int64()), ("date", pa.timestamp("us")), ("amount", pa.float64())])
    with pq.ParquetWriter(path, schema) as w:
        for a in range(0, n, chunk):
            idx = slice(a, a + chunk) if rows is None else rows[a:a + chunk]
            ts = (t0 + sec[idx].astype("timedelta64[s]")).astype("datetime64[us]")
            w.write_table(pa.table({"customer_id": cust[idx], "date": ts, "amount": amount[idx]}, schema=schema),
                          row_group_size=1_000_000)


def data_files(n_rows: int, folder: Path) -> dict[str, Path]:
    """Parquet files of the log in date order and in random order (made once, then cached)."""
    files = {o: folder / f"log_{n_rows}_{o}.parquet" for o in ("sorted", "random")}
    if not all(f.exists() for f in files.values()):
        cust, sec, amount = make_log(n_rows)
        _write(files["sorted"], cust, sec, amount)
        _write(files["random"], cust, sec, amount, rows=np.random.default_rng(2).permutation(cust.size))
    return files


def mem_available_gb() -> float:
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024 ** 2
    return float("nan")


# --------------------------------------------------------------------------- the methods (run in a worker)
def _crm(task, path):
    import pandas  # noqa: F401 - imported here, not inside the timed load (pyarrow imports it lazily)
    import pyarrow.parquet as pq

    t0 = time.perf_counter()
    # the frugal way to load Parquet into pandas: Arrow's buffers freed column by column, and the
    # system allocator (ARROW_DEFAULT_MEMORY_POOL=system, set by the parent) so that they go back
    df = pq.read_table(path).to_pandas(self_destruct=True, split_blocks=True)
    load = time.perf_counter() - t0
    if task == "summary":
        from crm_lessons.customer_summary import summary_from_transactions as f
    elif task == "rfm":
        from crm_lessons.segmentation import rfm_table as f
    else:
        from crm_lessons.retention import cohort_matrix as f
    return load, lambda: f(df)


def _crm_out(task, res):
    import pandas as pd

    if task == "summary":
        return res[["customer_id", "frequency", "recency", "T", "monetary_value"]]
    if task == "rfm":
        return res.reset_index()[["customer_id", "recency", "frequency", "monetary", "r_score", "f_score", "m_score"]]
    long = res.stack().rename("n").reset_index()
    long["cohort"] = long["cohort"].map(lambda p: p.ordinal)
    long = long.rename(columns={"periods_since_first": "age"})
    long = long[long["n"] > 0]
    return pd.DataFrame({"cohort": long["cohort"].to_numpy(np.int64), "age": long["age"].to_numpy(np.int64),
                         "n": long["n"].to_numpy(np.int64)})


_SQL = {
    "summary": """
        WITH d AS (SELECT customer_id, CAST(date AS DATE) AS day, SUM(amount) AS v FROM t GROUP BY ALL),
             e AS (SELECT MAX(day) AS end_day FROM d)
        SELECT customer_id, COUNT(*) - 1 AS frequency,
               CAST(MAX(day) - MIN(day) AS DOUBLE) AS recency,
               CAST(ANY_VALUE(end_day) - MIN(day) AS DOUBLE) AS T,
               CASE WHEN COUNT(*) > 1 THEN (SUM(v) - ARG_MIN(v, day)) / (COUNT(*) - 1) ELSE 0 END AS monetary_value
        FROM d, e GROUP BY customer_id ORDER BY customer_id""",
    "rfm": """
        WITH d AS (SELECT customer_id, CAST(date AS DATE) AS day, SUM(amount) AS v FROM t GROUP BY ALL),
             e AS (SELECT MAX(day) AS end_day FROM d),
             c AS (SELECT customer_id, ANY_VALUE(end_day) - MAX(day) AS recency, COUNT(*) AS frequency,
                          SUM(v) AS monetary FROM d, e GROUP BY customer_id),
             n AS (SELECT COUNT(*) AS n FROM c)
        SELECT customer_id, recency, frequency, monetary,
               1 + FLOOR(5 * (RANK() OVER (ORDER BY recency DESC) - 1) / n) AS r_score,
               1 + FLOOR(5 * (RANK() OVER (ORDER BY frequency) - 1) / n) AS f_score,
               1 + FLOOR(5 * (RANK() OVER (ORDER BY monetary) - 1) / n) AS m_score
        FROM c, n ORDER BY customer_id""",
    "cohort": """
        WITH m AS (SELECT DISTINCT customer_id, (YEAR(date) - 1970) * 12 + MONTH(date) - 1 AS month FROM t),
             f AS (SELECT customer_id, month, MIN(month) OVER (PARTITION BY customer_id) AS cohort FROM m)
        SELECT cohort, month - cohort AS age, COUNT(*) AS n FROM f GROUP BY ALL ORDER BY cohort, age""",
}


def _duckdb(task, path):
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads = 2")
    t0 = time.perf_counter()
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet('{path}')")
    load = time.perf_counter() - t0
    return load, lambda: con.sql(_SQL[task]).to_arrow_table()


def _polars(task, path):
    import polars as pl

    t0 = time.perf_counter()
    df = pl.read_parquet(path)
    load = time.perf_counter() - t0

    def run():
        if task == "cohort":
            m = df.select("customer_id", month=(pl.col("date").dt.year() - 1970) * 12 + pl.col("date").dt.month() - 1).unique()
            m = m.with_columns(cohort=pl.col("month").min().over("customer_id"))
            return (m.group_by("cohort", age=pl.col("month") - pl.col("cohort")).agg(n=pl.len())
                    .sort("cohort", "age"))
        d = df.group_by("customer_id", day=pl.col("date").dt.date()).agg(v=pl.col("amount").sum())
        end = d["day"].max()
        if task == "summary":
            c = d.group_by("customer_id").agg(n=pl.len(), first=pl.col("day").min(), last=pl.col("day").max(),
                                              tot=pl.col("v").sum(), fv=pl.col("v").sort_by("day").first())
            return c.select(
                "customer_id", frequency=pl.col("n") - 1,
                recency=(pl.col("last") - pl.col("first")).dt.total_days().cast(pl.Float64),
                T=(pl.lit(end) - pl.col("first")).dt.total_days().cast(pl.Float64),
                monetary_value=pl.when(pl.col("n") > 1).then((pl.col("tot") - pl.col("fv")) / (pl.col("n") - 1))
                .otherwise(0.0)).sort("customer_id")
        c = d.group_by("customer_id").agg(recency=(pl.lit(end) - pl.col("day").max()).dt.total_days(),
                                          frequency=pl.len(), monetary=pl.col("v").sum())
        n = c.height

        def score(col, desc=False):
            return 1 + (5 * (pl.col(col).rank("min", descending=desc) - 1) // n)
        return c.with_columns(r_score=score("recency", True), f_score=score("frequency"),
                              m_score=score("monetary")).sort("customer_id")
    return load, run


def _peer_out(res):
    df = res.to_pandas() if hasattr(res, "to_pandas") else res
    return df


def _peak_gb() -> float:
    """Peak resident memory of this process in GB (VmHWM; ru_maxrss would include the parent's at fork)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024 ** 2
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2


def worker(method: str, task: str, path: str, out: str | None) -> None:
    setup = {"crm_lessons": _crm, "duckdb": _duckdb, "polars": _polars}[method]
    load, run = setup(task, path)
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        res = run()
        times.append(time.perf_counter() - t0)
    peak = _peak_gb()
    if out:
        frame = _crm_out(task, res) if method == "crm_lessons" else _peer_out(res)
        frame.reset_index(drop=True).to_parquet(out)
    print(json.dumps({"load": load, "first": times[0], "warm": times[1], "peak_gb": peak}))


def compare(task: str, a: Path, b: Path) -> str:
    import pandas as pd

    x, y = pd.read_parquet(a), pd.read_parquet(b)
    if len(x) != len(y):
        return f"rows differ {len(x)} vs {len(y)}"
    worst, ties = 0.0, 0
    for c in x.columns:
        u, v = x[c].to_numpy(dtype=float), y[c].to_numpy(dtype=float)
        if c in ("monetary_value", "monetary"):
            worst = max(worst, float(np.max(np.abs(u - v) / np.maximum(np.abs(v), 1e-9), initial=0)))
        elif c == "m_score":        # sums of cents differ in the last bit with the order of addition: rank ties
            ties = int((u != v).sum())
        elif not np.array_equal(u, v):
            return f"column {c} differs"
    if worst >= 1e-9 or ties > len(x) // 1000:
        return f"money differs {worst:.1e}, m_score in {ties} rows"
    return ("identical" if worst == 0 else f"identical (money to {worst:.0e}" + (f"; m_score {ties} float ties)" if ties else ")"))


def run_worker(method, task, path, out=None) -> dict:
    cmd = [sys.executable, str(HERE), "--worker", method, task, str(path)] + ([str(out)] if out else [])
    env = dict(os.environ, ARROW_DEFAULT_MEMORY_POOL="system") if method == "crm_lessons" else None
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- the report end to end
def report_run(path: Path, out: Path, engine: str | None) -> dict:
    cmd = [sys.executable, "-m", "crm_lessons.cli", "report", "customer-value", "--input", str(path), "--out", str(out)]
    if engine:
        cmd += ["--engine", engine]
    # a wrapper process, so that its children's peak memory is this run's alone
    wrap = ("import json, resource, subprocess, sys, time; t = time.perf_counter(); "
            "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); w = time.perf_counter() - t; "
            "r = resource.getrusage(resource.RUSAGE_CHILDREN); "
            "print(json.dumps({'rc': p.returncode, 'err': p.stderr[-2000:], 'wall': w, "
            "'cpu': r.ru_utime + r.ru_stime, 'peak_gb': r.ru_maxrss / 1024 ** 2}))")
    proc = subprocess.run([sys.executable, "-c", wrap, *cmd], capture_output=True, text=True)
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    if r["rc"] != 0:
        return {"error": (r["err"].strip().splitlines() or ["?"])[-1]}
    return r


def report_files(n_rows: int, folder: Path) -> dict[str, Path]:
    import pandas as pd

    files = {"CSV": folder / f"report_{n_rows}.csv", "Parquet": folder / f"report_{n_rows}.parquet"}
    if not all(f.exists() for f in files.values()):
        df = pd.read_parquet(data_files(n_rows, folder)["sorted"])
        df = pd.DataFrame({"customer_id": "C" + df["customer_id"].astype(str), "date": df["date"].dt.strftime("%Y-%m-%d"),
                           "amount": df["amount"]})
        df = df.drop_duplicates()
        df.to_csv(files["CSV"], index=False)
        df.to_parquet(files["Parquet"], index=False)
    return files


def render(path: Path) -> str:
    """The README table (one row per task, size and order) from the JSON lines of ``--json`` (last run wins)."""
    runs: dict = {}
    for line in path.read_text().splitlines():
        r = json.loads(line)
        runs.setdefault((r["task"], r["rows"], r["order"]), {})[r["method"]] = r
    names = {"summary": "summary", "rfm": "RFM table", "cohort": "cohort matrix"}
    out = ["| task | rows | order | crm_lessons first / warm s | DuckDB first / warm s | polars first / warm s "
           "| ratio first / warm | peak GB ours / DuckDB / polars | peak ratio | load avg | outputs |",
           "|---|---:|---|---:|---:|---:|---:|---|---:|---:|---|"]
    for (task, n, order), m in sorted(runs.items(), key=lambda kv: (kv[0][1], kv[0][2] != "sorted", TASKS.index(kv[0][0]))):
        ours, peers = m.get("crm_lessons"), [m[k] for k in ("duckdb", "polars") if k in m]
        if not ours or not peers:
            continue
        cell = {k: f"{m[k]['first']:.2f} / {m[k]['warm']:.2f}" if k in m else "-" for k in METHODS}
        peak = " / ".join(f"{m[k]['peak_gb']:.2f}" if k in m else "-" for k in METHODS)
        checks = sorted({m[k]["check"] for k in ("duckdb", "polars") if k in m})
        load = max(r["loadavg"] for r in m.values())
        out.append(f"| {names[task]} | {n // 1_000_000}M | {'date' if order == 'sorted' else 'random'} | "
                   f"{cell['crm_lessons']} | {cell['duckdb']} | {cell['polars']} | "
                   f"**{ours['first'] / min(p['first'] for p in peers):.2f} / {ours['warm'] / min(p['warm'] for p in peers):.2f}** | "
                   f"{peak} | {ours['peak_gb'] / min(p['peak_gb'] for p in peers):.2f} | {load:.1f} | {'; '.join(checks)} |")
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000, 100_000_000])
    ap.add_argument("--min-free-gb", type=float, default=16.0,
                    help="skip sizes of 50M rows and more unless this much memory is available (MemAvailable)")
    ap.add_argument("--json", type=Path, help="append each measurement as a JSON line to this file")
    ap.add_argument("--tasks", nargs="+", default=list(TASKS), choices=TASKS)
    ap.add_argument("--orders", nargs="+", default=["sorted", "random"], choices=["sorted", "random"])
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS,
                    help="a subset (e.g. crm_lessons duckdb when memory allows only the leaner peer)")
    ap.add_argument("--report", action="store_true", help="also run the customer-value report end to end")
    ap.add_argument("--report-only", action="store_true", help="only the report")
    ap.add_argument("--engines", nargs="+", default=[None], help="report --engine values to try (default: the default)")
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "crm-bench-scale")
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    ap.add_argument("--render", type=Path, help="print the README table from a --json file and stop")
    args = ap.parse_args(argv)
    if args.render:
        print(render(args.render))
        return 0
    if args.worker:
        method, task, path, *out = args.worker
        worker(method, task, path, out[0] if out else None)
        return 0
    args.data.mkdir(parents=True, exist_ok=True)
    import pandas as pd
    import duckdb
    import polars

    print(f"# bench_scale: Python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
          f"duckdb {duckdb.__version__}, polars {polars.__version__}; load average {os.getloadavg()[0]:.1f}")
    if not args.report_only:
        print("| task | rows | order | method | load s | first s | warm s | peak GB | ratio first / warm "
              "| peak ratio | load avg | output |")
        print("|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
        for n in args.rows:
            if n >= 50_000_000 and mem_available_gb() < args.min_free_gb:
                print(f"| (all) | {n:,} | - | skipped: {mem_available_gb():.1f} GB available, "
                      f"{args.min_free_gb:g} GB needed |||||||||", flush=True)
                continue
            files = data_files(n, args.data)
            for order in args.orders:
                for task in args.tasks:
                    res, outs, loads = {}, {}, {}
                    for m in args.methods:
                        if n >= 50_000_000 and mem_available_gb() < args.min_free_gb:
                            res[m] = {"error": f"skipped: {mem_available_gb():.1f} GB available"}
                            continue
                        outs[m] = args.data / f"out_{m}.parquet"
                        res[m] = run_worker(m, task, files[order], outs[m])
                        loads[m] = os.getloadavg()[0]
                    peers = [res[m] for m in ("duckdb", "polars") if m in res and "error" not in res[m]]
                    for m in args.methods:
                        r = res[m]
                        if "error" in r:
                            print(f"| {task} | {n:,} | {order} | {m} | error: {r['error']} |||||||", flush=True)
                            continue
                        check = "-" if m == "crm_lessons" else compare(task, outs["crm_lessons"], outs[m])
                        ratio = peak = ""
                        if m == "crm_lessons" and peers:
                            ratio = (f"**{r['first'] / min(p['first'] for p in peers):.2f}** / "
                                     f"**{r['warm'] / min(p['warm'] for p in peers):.2f}**")
                            peak = f"{r['peak_gb'] / min(p['peak_gb'] for p in peers):.2f}"
                        print(f"| {task} | {n:,} | {order} | {m} | {r['load']:.2f} | {r['first']:.2f} | {r['warm']:.2f} | "
                              f"{r['peak_gb']:.2f} | {ratio} | {peak} | {loads[m]:.1f} | {check} |", flush=True)
                        if args.json:
                            with open(args.json, "a") as fh:
                                fh.write(json.dumps({"task": task, "rows": n, "order": order, "method": m,
                                                     "loadavg": loads[m], "check": check, **r}) + "\n")
    if args.report or args.report_only:
        print(f"\n# customer-value report end to end; load average {os.getloadavg()[0]:.1f}")
        print("| transactions | input | engine | wall s | CPU s | peak GB |")
        print("|---:|---|---|---:|---:|---:|")
        for n in args.rows:
            for kind, path in report_files(n, args.data).items():
                for engine in args.engines:
                    with tempfile.TemporaryDirectory() as tmp:
                        r = report_run(path, Path(tmp) / "out", None if engine in (None, "default") else engine)
                    if "error" in r:
                        print(f"| {n:,} | {kind} | {engine or 'default'} | error: {r['error']} |||")
                    else:
                        print(f"| {n:,} | {kind} | {engine or 'default'} | {r['wall']:.1f} | {r['cpu']:.1f} | "
                              f"{r['peak_gb']:.2f} |", flush=True)
    print(f"# load average at the end {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
