"""Benchmark: probabilistic CLV models against ``lifetimes`` 0.11.3.

On simulated customers (``crm_lessons.simulate.simulate_transactions``):

1. customer summary of a ~10-million-transaction log: ``summary_from_transactions``
   vs ``lifetimes.utils.summary_data_from_transaction_data`` (same numbers checked);
2. BG/NBD fit on one million customers: ``BetaGeoModel`` vs ``BetaGeoFitter``
   (estimates checked to 4 significant digits), and predictions (conditional
   expected purchases in 39 weeks and P(alive)) for all customers;
3. Gamma-Gamma fit on the repeat customers: ``GammaGammaModel`` vs ``GammaGammaFitter``;
4. Pareto/NBD fit: ``ParetoNBDModel`` vs ``ParetoNBDFitter`` (default on 100,000
   customers: lifetimes' Nelder-Mead fit of one million takes too long);
5. when PyMC-Marketing is installed, its BG/NBD MAP fit (``fit(method="map")``) on the same
   customers, with its default priors (the MAP is then not the MLE) and with flat priors
   (``HalfFlat`` on r, alpha, a, b: the MAP is the MLE and must equal ours).

``--customers`` takes several sizes (default 1M and 10M customers).

Prints a table and writes it into the section "CLV models" of
``benchmarks/README.md`` (``--no-readme`` to skip). Needs a venv with the
project and ``benchmarks/requirements-bench.txt`` (lifetimes needs pandas < 3)::

    python benchmarks/bench_clv.py [--customers 1000000] [--summary-transactions 10000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from crm_lessons.customer_summary import summary_from_transactions
from crm_lessons.purchase_models import BetaGeoModel, ParetoNBDModel
from crm_lessons.simulate import simulate_transactions
from crm_lessons.spend_model import GammaGammaModel

try:
    import lifetimes
    from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter
    from lifetimes.utils import summary_data_from_transaction_data
except ImportError:  # pragma: no cover
    sys.exit("lifetimes is not installed: pip install -r benchmarks/requirements-bench.txt")

try:
    import pymc_marketing
    from pymc_marketing.clv import BetaGeoModel as PymcBetaGeo
    from pymc_extras.prior import Prior
except ImportError:  # pragma: no cover
    pymc_marketing = None

README = Path(__file__).with_name("README.md")
ROWS: list[dict] = []
SIM: dict = {}


CPU: dict = {}


def timed(fn, *args, **kwargs):
    """Run ``fn``; return its result and the wall time (CPU time kept in ``CPU["last"]``)."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    CPU["prev"], CPU["last"] = CPU.get("last"), time.process_time() - c0
    return out, time.perf_counter() - t0


def sig_equal(a, b, digits=4) -> bool:
    """Equal to ``digits`` significant digits."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return bool(np.all([float(f"{x:.{digits}g}") == float(f"{y:.{digits}g}") for x, y in zip(a, b)]))


NO_PYMC = False


def record(task, n, ours, theirs, check, peer="lifetimes 0.11.3"):
    """Store one comparison; CPU times are those of the last two ``timed`` calls (ours, then theirs)."""
    cpu_ours, cpu_lt = CPU["prev"], CPU["last"]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    ROWS.append({"task": task, "n": n, "crm_lessons_s": ours, "lifetimes_s": theirs, "peer": peer,
                 "speed_up": theirs / ours, "cpu_ours": cpu_ours, "cpu_lt": cpu_lt,
                 "cpu_speed_up": cpu_lt / cpu_ours, "check": check, "load": load})
    print(f"{task:<46} n={n:>10,}  ours {ours:8.2f}s  {peer} {theirs:8.2f}s  x{theirs / ours:6.1f} "
          f"(CPU {cpu_ours:.2f}s vs {cpu_lt:.2f}s, x{cpu_lt / cpu_ours:.1f})  {check}", flush=True)


def bench_summary(n_transactions: int, seed: int):
    # BG/NBD customers average ~2.8 transactions each: pick the customer count for the wanted log size
    sim = simulate_transactions(max(1, int(n_transactions / 2.8)), seed=seed)
    log = sim.data
    ours, t_ours = timed(summary_from_transactions, log, as_of=sim.truth["end"], time_unit="D")
    theirs, t_lt = timed(summary_data_from_transaction_data, log, "customer_id", "date", "amount",
                         observation_period_end=sim.truth["end"], freq="D")
    theirs = theirs.loc[ours["customer_id"].to_numpy()]
    same = all(np.allclose(ours[c].to_numpy(), theirs[c].to_numpy(), rtol=1e-9, atol=1e-9)
               for c in ("frequency", "recency", "T", "monetary_value"))
    record("customer summary (frequency/recency/T/monetary)", len(log), t_ours, t_lt,
           "identical" if same else "DIFFERENT")


def bench_bgnbd_gg(n_customers: int, seed: int):
    sim, t_sim = timed(simulate_transactions, n_customers, seed=seed)
    SIM.update(n=n_customers, rows=len(sim.data), wall=t_sim, cpu=CPU["last"])
    print(f"simulated {n_customers:,} BG/NBD customers ({len(sim.data):,} transactions) in {t_sim:.2f}s "
          f"(CPU {CPU['last']:.2f}s)", flush=True)
    summ = summary_from_transactions(sim.data, as_of=sim.truth["end"], time_unit="W")
    x, tx, T = (summ[c].to_numpy() for c in ("frequency", "recency", "T"))

    ours, t_ours = timed(BetaGeoModel().fit, summ)
    bgf = BetaGeoFitter()
    _, t_lt = timed(bgf.fit, x, tx, T)
    lt_params = bgf.params_[["r", "alpha", "a", "b"]].to_numpy()
    same = sig_equal(ours.params_.to_numpy(), lt_params)
    print("  BG/NBD ours     ", ours.params_.round(5).to_dict(), "LL", round(ours.log_likelihood_, 2))
    print("  BG/NBD lifetimes", dict(zip(["r", "alpha", "a", "b"], np.round(lt_params, 5))))
    record("BG/NBD fit", n_customers, t_ours, t_lt, "same to 4 sig. digits" if same else "DIFFERENT estimates")
    if pymc_marketing is not None and not NO_PYMC:
        bench_pymc(summ, ours, n_customers)

    # predictions with the same (lifetimes') parameters, so that only the code differs
    ref = BetaGeoModel.from_params(**dict(zip(["r", "alpha", "a", "b"], lt_params)))

    def ours_predict():
        return ref.expected_purchases(39, x, tx, T), ref.probability_alive(x, tx, T)

    def lt_predict():
        return (bgf.conditional_expected_number_of_purchases_up_to_time(39, x, tx, T),
                bgf.conditional_probability_alive(x, tx, T))

    (e1, p1), t_ours = timed(ours_predict)
    (e2, p2), t_lt = timed(lt_predict)
    rel = max(np.max(np.abs(e1 - e2) / np.maximum(np.abs(e2), 1e-12)), np.max(np.abs(p1 - p2)))
    record("BG/NBD predict: conditional E[Y(39)] + P(alive)", n_customers, t_ours, t_lt, f"max rel. diff {rel:.1e}")

    rep = summ[summ["frequency"] > 0]
    gg, t_ours = timed(GammaGammaModel().fit, summ)
    ggf = GammaGammaFitter()
    _, t_lt = timed(ggf.fit, rep["frequency"].to_numpy(), rep["monetary_value"].to_numpy())
    lt_gg = ggf.params_[["p", "q", "v"]].to_numpy()
    print("  Gamma-Gamma ours     ", gg.params_.round(5).to_dict())
    print("  Gamma-Gamma lifetimes", dict(zip(["p", "q", "gamma"], np.round(lt_gg, 5))))
    record("Gamma-Gamma fit (repeat customers)", len(rep), t_ours, t_lt,
           "same to 4 sig. digits" if sig_equal(gg.params_.to_numpy(), lt_gg) else "DIFFERENT estimates")


def bench_pymc(summ: pd.DataFrame, ours, n_customers: int):
    """PyMC-Marketing's BG/NBD MAP fit, default and flat priors, against our MLE (``ours``)."""
    data = summ[["customer_id", "frequency", "recency", "T"]].copy()
    flat = {"r": Prior("HalfFlat"), "alpha": Prior("HalfFlat"), "a": Prior("HalfFlat"), "b": Prior("HalfFlat")}
    for name, config in (("default priors", None), ("flat priors", flat)):
        def fit():
            m = PymcBetaGeo(data=data, model_config=config)
            m.fit(method="map", progressbar=False)
            post = m.idata.posterior
            return {k: float(post[k].values.ravel()[0]) for k in ("r", "alpha", "a", "b") if k in post}
        try:
            est, t_pm = timed(fit)
        except Exception as exc:  # noqa: BLE001 - report and go on
            print(f"  PyMC-Marketing MAP ({name}) failed: {type(exc).__name__}: {exc}"[:300], flush=True)
            continue
        _, t_ours = timed(BetaGeoModel().fit, summ)
        CPU["prev"], CPU["last"] = CPU["last"], CPU["prev"]      # record() wants (ours, theirs)
        got = [est.get(k, np.nan) for k in ("r", "alpha", "a", "b")]
        print(f"  PyMC-Marketing MAP ({name})", {k: round(v, 5) for k, v in est.items()}, flush=True)
        if name == "flat priors":
            check = ("same as our MLE to 4 sig. digits" if sig_equal(ours.params_.to_numpy(), got)
                     else f"differs from our MLE: {np.round(got, 5).tolist()}")
        else:
            check = ("not the MLE: " + ", ".join(f"{k} {v:.4g}" for k, v in est.items())
                     + " (ours " + ", ".join(f"{k} {v:.4g}" for k, v in ours.params_.items()) + ")")
        record(f"BG/NBD fit vs PyMC-Marketing MAP, {name}", n_customers, t_ours, t_pm, check, peer="PyMC-Marketing")


def bench_pareto(n_customers: int, seed: int):
    sim = simulate_transactions(n_customers, model="paretonbd", seed=seed)
    summ = summary_from_transactions(sim.data, as_of=sim.truth["end"], time_unit="W")
    x, tx, T = (summ[c].to_numpy() for c in ("frequency", "recency", "T"))
    ours, t_ours = timed(ParetoNBDModel().fit, summ)
    pnf = ParetoNBDFitter()
    _, t_lt = timed(pnf.fit, x, tx, T)
    lt_params = pnf.params_[["r", "alpha", "s", "beta"]].to_numpy()
    print("  Pareto/NBD ours     ", ours.params_.round(5).to_dict(), "LL", round(ours.log_likelihood_, 2))
    print("  Pareto/NBD lifetimes", dict(zip(["r", "alpha", "s", "beta"], np.round(lt_params, 5))))
    ll_lt = ParetoNBDModel.from_params(**dict(zip(["r", "alpha", "s", "beta"], lt_params))).log_likelihood(x, tx, T).sum()
    same = sig_equal(ours.params_.to_numpy(), lt_params)
    check = ("same to 4 sig. digits" if same else
             f"4th digit differs: lifetimes' Nelder-Mead stops early (LL {ll_lt:.3f} vs ours {ours.log_likelihood_:.3f})")
    record("Pareto/NBD fit", n_customers, t_ours, t_lt, check)


def write_readme(args):
    table = ["| task | customers / transactions | crm_lessons wall (CPU) s | peer | peer wall (CPU) s "
             "| speed-up wall (CPU) | load avg | check |",
             "|---|---:|---:|---|---:|---:|---:|---|"]
    for r in ROWS:
        table.append(f"| {r['task']} | {r['n']:,} | {r['crm_lessons_s']:.2f} ({r['cpu_ours']:.2f}) | {r['peer']} | "
                     f"{r['lifetimes_s']:.2f} ({r['cpu_lt']:.2f}) | **{r['speed_up']:.1f}×** "
                     f"({r['cpu_speed_up']:.1f}×) | {r['load']:.1f} | {r['check']} |")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    section = "\n".join([
        "## CLV models",
        "",
        "`bench_clv.py` compares the CLV models of `crm_lessons` (`customer_summary`, `purchase_models`,",
        "`spend_model`) with `lifetimes` 0.11.3 on customers simulated from the CDNOW estimates",
        "(`simulate_transactions`): the same summary, fit and predictions in both, and checks that they",
        "agree (estimates to 4 significant digits).",
        "",
        *table,
        "",
        (f"Generating the {SIM['n']:,} customers' transaction log ({SIM['rows']:,} rows) with "
         f"`simulate_transactions` took {SIM['wall']:.2f} s ({SIM['cpu']:.2f} s CPU)." if SIM else ""),
        "",
        f"Measured on {dt.date.today().isoformat()} with Python {platform.python_version()}, pandas "
        f"{pd.__version__}, numpy {np.__version__}, lifetimes {lifetimes.__version__}"
        + (f", PyMC-Marketing {pymc_marketing.__version__}" if pymc_marketing is not None else "")
        + " on the project machine",
        f"(2 cores, load average {load:.1f} at the end; above about 2 other jobs slow both sides, so the CPU",
        "times (process time) are given too; the ratios are the figures to quote).",
        "",
        "Why ours is faster: identical (x, t_x, T) rows are compressed with weights (`pandas.factorize`);",
        "terms that depend on one of x, t_x or T alone (gamma functions, logs) are computed once per",
        "distinct value and the Pareto/NBD 2F1 once per distinct (x, t) pair; the BG/NBD and Gamma-Gamma",
        "fits use analytic gradients and Hessians in a Newton trust-region method (about 6 iterations,",
        "standard errors from the same Hessian) where lifetimes runs BFGS on autograd gradients, and the",
        "Pareto/NBD uses L-BFGS-B with central-difference gradients where lifetimes runs Nelder-Mead. The",
        "summary codes compact integer ids without hashing and sorts one integer key. Predictions gain",
        "least: lifetimes' prediction code is already vectorised NumPy; ours evaluates the 2F1 once per",
        "distinct (x, T) pair.",
        "",
        "Run it with a venv holding the project and `benchmarks/requirements-bench.txt`:",
        f"`python benchmarks/bench_clv.py --customers {' '.join(map(str, args.customers))} --summary-transactions "
        f"{args.summary_transactions} --pareto-customers {args.pareto_customers}`.",
        "",
    ])
    text = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    pattern = re.compile(r"^## CLV models\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    README.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    print(f"wrote section 'CLV models' of {README}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, nargs="+", default=[1_000_000, 10_000_000],
                    help="customers for the BG/NBD and Gamma-Gamma fits (one run per size)")
    ap.add_argument("--no-pymc", action="store_true", help="skip PyMC-Marketing even when installed")
    ap.add_argument("--summary-transactions", type=int, default=10_000_000, help="size of the log to summarise")
    ap.add_argument("--pareto-customers", type=int, default=100_000, help="customers for the Pareto/NBD fit (0: skip)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-readme", action="store_true", help="do not write benchmarks/README.md")
    args = ap.parse_args(argv)
    import warnings
    warnings.filterwarnings("ignore")          # lifetimes' RuntimeWarnings and pandas FutureWarnings
    global NO_PYMC
    NO_PYMC = args.no_pymc
    for n in args.customers:
        bench_bgnbd_gg(n, args.seed)
    if args.pareto_customers:
        bench_pareto(args.pareto_customers, args.seed)
    if args.summary_transactions:
        bench_summary(args.summary_transactions, args.seed)
    if not args.no_readme:
        write_readme(args)


if __name__ == "__main__":
    main()
