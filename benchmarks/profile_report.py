"""Profile the customer-value report's in-memory path (``--engine pandas``) phase by phase: time and peak memory.

Runs, in this one process, what ``crm-lessons report customer-value --engine pandas`` runs: reading and
checking the file, the notebook's data file, then the report's build (customer aggregates, RFM scores, the
model summary, the fits, CLV predictions, classes), the tables, the workbook and the charts. Each phase's
peak resident memory is measured by resetting the process's high-water mark (``/proc/self/clear_refs``)
when it starts; a phase's peak includes what earlier phases still hold. The notebook execution and the
HTML export (papermill, nbconvert) are timed by ``bench_scale.py --report`` end to end, not here.

    .venv/bin/python benchmarks/profile_report.py FILE [FILE ...] [--code DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import os
import sys
import tempfile
import time
from pathlib import Path


def _hwm_gb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024 ** 2
    return float("nan")


def _reset_hwm() -> None:
    with contextlib.suppress(OSError):
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")


class Phases:
    """Nested timers; each phase's peak memory is the high-water mark while it ran (inner phases included)."""

    def __init__(self):
        self.rows: list[list] = []
        self.open: list[list] = []

    def _carry(self):
        hwm = _hwm_gb()
        for row in self.open:
            row[3] = max(row[3], hwm)
        _reset_hwm()

    @contextlib.contextmanager
    def __call__(self, name: str):
        self._carry()
        row = [len(self.open), name, 0.0, _hwm_gb(), 0.0]
        self.rows.append(row)
        self.open.append(row)
        t, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            row[2], row[4] = time.perf_counter() - t, time.process_time() - cpu
            self._carry()
            self.open.pop()

    def wrap(self, module: str, attr: str, name: str) -> None:
        """Time every call of ``module.attr`` (a function or ``Class.method``) as the phase ``name``."""
        owner = importlib.import_module(module)
        *path, last = attr.split(".")
        for p in path:
            owner = getattr(owner, p)
        f = getattr(owner, last)

        @functools.wraps(f)
        def timed(*a, **k):
            with self(name):
                return f(*a, **k)
        setattr(owner, last, timed)
        for m in list(sys.modules.values()):      # the names imported elsewhere (from ... import f)
            if getattr(m, "__name__", "").startswith("crm_lessons") and getattr(m, last, None) is f:
                setattr(m, last, timed)

    def table(self) -> str:
        out = ["| phase | wall s | CPU s | peak GB |", "|---|---:|---:|---:|"]
        out += [f"| {'&nbsp;&nbsp;' * d}{n} | {s:.2f} | {cpu:.2f} | {gb:.2f} |" for d, n, s, gb, cpu in self.rows]
        return "\n".join(out)


def profile(path: Path) -> str:
    import pandas as pd

    from crm_lessons.reports import results
    from crm_lessons.reports._catalogue import get_report
    from crm_lessons.reports._prepare import read_and_prepare

    from crm_lessons.reports import customer_value  # noqa: F401 - imported before its names are wrapped

    ph = Phases()
    for module, attr, name in [
        ("crm_lessons.reports.customer_value", "customer_table", "customer table"),
        ("crm_lessons._grouping", "periods_per_customer", "periods per customer (the pass over the rows)"),
        ("crm_lessons.segmentation", "rfm_table", "RFM table"),
        ("crm_lessons.segmentation", "rfm_scores", "RFM scores"),
        ("crm_lessons.customer_summary", "summary_from_transactions", "model summary"),
        ("crm_lessons.purchase_models", "BetaGeoModel.fit", "BG/NBD fit"),
        ("crm_lessons.spend_model", "GammaGammaModel.fit", "Gamma-Gamma fit"),
        ("crm_lessons.clv", "customer_lifetime_value", "CLV predictions"),
        ("crm_lessons.reports._status", "p_alive_repeat", "P(alive)"),
        ("crm_lessons.reports._status", "class_customers", "classes (ABC, pyramid)"),
        ("crm_lessons.reports.results", "save_tables", "tables (CSV, Parquet)"),
        ("crm_lessons.reports.results", "save_workbook", "workbook"),
        ("crm_lessons.reports.results", "render_png", "charts"),
    ]:
        with contextlib.suppress(AttributeError):
            ph.wrap(module, attr, name)
    from crm_lessons.reports import customer_value
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with ph("whole run"):
            with ph("read + checks"):
                data, as_of = read_and_prepare(path, get_report("customer-value"), today="2030-01-01")
            with ph("data file written"):
                if hasattr(results, "save_data"):
                    results.save_data(data, tmp / "_data.parquet")
                else:                                   # an older copy of the package (--code)
                    data.to_parquet(tmp / "_data.parquet", index=False)
            del data
            with ph("data file read"):
                data = results.load_data(tmp / "_data.parquet")
            with ph("build"):
                res = customer_value.build(data, as_of=as_of)
            with ph("outputs saved"):
                results.save_outputs(res, tmp / "tables", tmp / "charts")
    return f"{path.name}: {len(data):,} rows, load average {os.getloadavg()[0]:.1f}\n\n{ph.table()}\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--code", help="folder holding another copy of crm_lessons (e.g. an export of an older commit)")
    args = ap.parse_args(argv)
    if args.code:
        sys.path.insert(0, args.code)
    for f in args.files:
        print(profile(f), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
