"""The customer-value report on an engine (DuckDB out of core, Spark, any Ibis backend).

:func:`prepare_engine` does in the engine what ``_prepare.read_and_prepare`` +
``customer_value.customer_table`` do in pandas, for the per-transaction part:
read, check (the same messages, naming the same file line), aggregate per
customer, fit the models on the distinct (x, t_x, T) profiles, predict per
profile and join the predictions back to the customers in the engine, which
writes the per-customer table as Parquet. Only that table (one row per
customer, never per transaction) comes back to pandas, as an
:class:`EngineData` that the report notebook receives instead of the
transaction log; the ranks and classes (RFM scores, ABC, pyramid) are then
computed on it exactly as on the in-memory path.

Peak memory: the engine's (bounded by ``--max-memory``) plus about 200 bytes
per customer in pandas.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from crm_lessons import engine as eng
from crm_lessons import segmentation
from crm_lessons._validation import SOURCE_ATTR, CRMInputError, require_columns, where
from crm_lessons.values import NOTES_ATTR, column_notes, parse_dates, parse_numbers
from crm_lessons.reports._prepare import EARLIEST_DATE, parse_as_of, prepare
from crm_lessons.reports._registry import Report
from crm_lessons.reports._status import STATUSES, Models, class_customers, customer_status, fit_summary

__all__ = ["ENGINE_META", "EngineData", "prepare_engine"]

#: Key of the Parquet metadata that marks a per-customer table written by the engine path.
ENGINE_META = b"crm_engine"
_MAX_BAD_ROWS = 200_000  # bad rows fetched to build the message (their count is exact below this)
_MONTH_WEEKS = 365.25 / 12 / 7


class _UnitSpend:
    """A spend model worth 1 per purchase: customer_lifetime_value then gives discounted purchases."""

    params_ = pd.Series({"unit": 1.0})

    @staticmethod
    def expected_spend(frequency, monetary_value):
        return np.ones(np.shape(frequency))


class EngineData:
    """What the report gets from the engine: the per-customer table, the models and the log's size and dates.

    Stands in for the transaction log in ``customer_value.build``: ``len()`` is
    the number of transactions, ``data["date"]`` the first and last dates.
    """

    def __init__(self, base, meta: dict):
        self._base = base      # a pandas DataFrame, or a pyarrow Table turned into one when first needed
        self.meta = meta
        self.attrs = {NOTES_ATTR: meta.get("notes", [])}

    @property
    def base(self) -> pd.DataFrame:
        """The per-customer table in pandas (customer ids as pandas' text dtype)."""
        if not isinstance(self._base, pd.DataFrame):
            out = self._base.to_pandas()
            out["customer_id"] = out["customer_id"].astype(pd.Series(["a"]).astype(str).dtype)
            self._base = out
        return self._base

    def __len__(self):
        return int(self.meta["n_rows"])

    def __getitem__(self, key):
        if key != "date":
            raise KeyError(key)
        return pd.Series(pd.to_datetime([self.meta["date_min"], self.meta["date_max"]]), name="date")

    def to_parquet(self, path, index=False):
        """Write the table with the metadata :meth:`from_parquet` reads (columnar: never through pandas rows)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = self._base if isinstance(self._base, pa.Table) else pa.Table.from_pandas(self.base,
                                                                                          preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               ENGINE_META: json.dumps(self.meta, default=str).encode()})
        pq.write_table(table, path)

    @classmethod
    def from_parquet(cls, path):
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        meta = json.loads(table.schema.metadata[ENGINE_META])
        return cls(table.replace_schema_metadata(None), meta)

    def models(self, tr, base: pd.DataFrame | None = None) -> Models:
        """The fitted models (from their parameters) and the summary; ``base``: the table indexed by customer."""
        from crm_lessons.purchase_models import BetaGeoModel
        from crm_lessons.spend_model import GammaGammaModel

        m = self.meta
        base = self.base.set_index("customer_id") if base is None else base
        summary = base[["x", "t_x", "T", "monetary_value"]]
        if m["bgnbd"] is None:
            return Models(summary, None, None, tr(*m["reason"]))
        bg = BetaGeoModel.from_params(**m["bgnbd"])
        gg = GammaGammaModel.from_params(**m["gamma_gamma"])
        bg.time_unit_ = "W"
        return Models(summary, bg, gg, "")

    def customer_table(self, *, as_of, tr, rfm_bins=5, recency_days=(30, 90, 180, 365), horizon_months=12,
                       discount_rate=0.10, margin=0.30, active_days=90, lapsed_days=180):
        """``customer_value.customer_table`` from the engine's per-customer table."""
        b = self.base.set_index("customer_id")
        for k, v in (("horizon_months", horizon_months), ("discount_rate", discount_rate)):
            if self.meta["params"][k] != v:
                raise CRMInputError(f"argument `--param {k}`: must be the value the engine predicted with "
                                    f"({self.meta['params'][k]}); found {v}. Run the report again.")
        rfm = segmentation.rfm_scores(b[["recency", "frequency", "monetary"]].copy(), n_bins=rfm_bins,
                                      recency_days=recency_days)
        rfm["status"] = customer_status(rfm["recency"], active_days=active_days, lapsed_days=lapsed_days)
        models = self.models(tr, b)
        customers = rfm
        if not models.reason:
            # the columns the in-memory path joins on the same customers, set in place (one index, no join)
            rfm["expected_purchases"] = b["expected_purchases"].to_numpy()
            rfm["expected_spend"] = models.gamma_gamma.expected_spend(b["x"].to_numpy(),
                                                                      b["monetary_value"].to_numpy())
            rfm["clv"] = margin * rfm["expected_spend"].to_numpy() * b["discounted_purchases"].to_numpy()
            rfm["p_alive"] = b["p_alive"].to_numpy()
        return class_customers(customers), models


def _lines(message: str, first_line: int | None) -> str:
    """``row k`` (0-based position in the file) as ``line k + first_line`` for a CSV, as the pandas path names it."""
    if first_line is None:
        return message
    return re.sub(r"\brow (\d+)\b", lambda m: f"line {int(m.group(1)) + first_line}", message)


def _base(inp) -> int:
    """Row label of the first row: 0 for a CSV (turned into a line number), 1 otherwise (io's "row 1")."""
    return 0 if inp.first_line is not None else 1


def _names(report: Report, columns: dict | None) -> dict[str, str]:
    names = {c.role: c.default for c in report.columns}
    names.update({k: str(v) for k, v in (columns or {}).items() if v is not None and k in names})
    return names


def _raise_first_bad(inp, t, bad, report, names, **kw):
    """The pandas path's message for the bad rows: they are checked by the same ``prepare``, row numbers kept."""
    rows = t.filter(bad).order_by(eng.ROW).select(eng.ROW, "raw_customer", "raw_date", "raw_amount")
    sub = inp.con.to_pandas(rows.limit(_MAX_BAD_ROWS))
    frame = pd.DataFrame({names["customer"]: sub["raw_customer"], names["date"]: sub["raw_date"],
                          names["amount"]: sub["raw_amount"]})
    frame.index = sub[eng.ROW].astype("int64").to_numpy() + _base(inp)
    _raise_as_in_memory(inp, frame, report, **kw)
    first = int(frame.index[0])
    raise CRMInputError(
        f"{_lines(where(frame, arg='--input', row=first), inp.first_line)}: the engine reads dates as YYYY-MM-DD "
        f"(or YYYYMMDD) and amounts as plain numbers; found {frame.iloc[0].to_dict()!r}. Convert the file, or "
        "pass --engine pandas (it reads other formats) if it fits in memory.")


def _raise_as_in_memory(inp, frame, report, **kw) -> None:
    """Check ``frame`` (rows of the file, labelled by row number) with the in-memory path's ``prepare``; raise its
    message with CSV row numbers turned into file lines."""
    frame.attrs[SOURCE_ATTR] = inp.source
    try:
        prepare(frame, report, allow_duplicates=True, **kw)
    except CRMInputError as exc:
        raise CRMInputError(_lines(str(exc), inp.first_line)) from None


def _check_totals_row(inp, t, top, rest, report, names, **kw) -> None:
    """The totals-row check of the in-memory path, on three rows (the largest amount and the rest in two); the
    largest row's number is looked up only when the check refuses it."""
    def frame(row):
        return pd.DataFrame({names["customer"]: ["a", "b", "c"], names["date"]: ["2000-01-01"] * 3,
                             names["amount"]: [top, rest / 2, rest / 2]}, index=[row, row + 1, row + 2])

    try:
        _raise_as_in_memory(inp, frame(0), report, **kw)
    except CRMInputError:
        top_row = inp.con.to_pandas(t[eng.ROW].argmax(t.amount * 1e18 - t[eng.ROW]))
        _raise_as_in_memory(inp, frame(int(top_row) + _base(inp)), report, **kw)


def _check_repeats(inp, t, fast, candidates, header) -> None:
    """Fully repeated rows (same raw id, raw date and amount): only the customers with two rows on one day can
    have them, so only their rows are compared (``fast``: without row numbers); the message names the first
    repeat and the row it copies (``t``: with row numbers)."""
    keys = ["raw_customer", "raw_date", "amount"]
    rows = fast.semi_join(candidates, "key")
    g = rows.group_by(keys).aggregate(n=rows.count())
    if not int(inp.con.to_pandas((g.n - 1).sum()) or 0):
        return
    rows = t.semi_join(candidates, "key")
    d = eng.duplicates(rows, keys)
    d = d.filter(d._k > 0)   # ibis row numbers start at 0
    dup = inp.con.to_pandas(d.aggregate(n=d.count(), row=d[eng.ROW].min(), first=d._first.argmin(d[eng.ROW])))
    n, row, first = (int(dup[k].iloc[0]) + (_base(inp) if k != "n" else 0) for k in ("n", "row", "first"))
    orig = _lines(where(header, arg="--input", row=first), inp.first_line).split(", ")[-1]
    raise CRMInputError(
        f"{_lines(where(header, arg='--input', row=row), inp.first_line)}: rows must not repeat; found a copy "
        f"of {orig} ({n} repeated row{'s' if n > 1 else ''}). Remove the repeated rows (an export run "
        "twice?), or pass --allow-duplicates if they are separate purchases.")


def prepare_engine(source, report: Report, *, temp_directory=None, **kw) -> tuple[EngineData, pd.Timestamp]:
    """Check ``source`` in an engine and compute the customer-value report's per-customer table there.

    Returns the :class:`EngineData` and the as-of date. The checks give the
    messages of the pandas path; ``parquet_path`` (default a temporary file)
    receives the per-customer table written by the engine. DuckDB spills past
    ``max_memory`` into ``temp_directory``; by default a temporary folder, removed
    when this returns or fails (its own default is ``./.tmp``: the analyst's folder).
    """
    if temp_directory is not None:
        return _prepare_engine(source, report, temp_directory=temp_directory, **kw)
    with tempfile.TemporaryDirectory(prefix="crm-engine-spill-") as spill:
        return _prepare_engine(source, report, temp_directory=spill, **kw)


def _prepare_engine(source, report: Report, *, columns=None, as_of=None, today=None, params=None,
                    allow_duplicates=False, date_format=None, drop_zero_amounts=False, max_memory=None,
                    temp_directory=None, parquet_path=None) -> tuple[EngineData, pd.Timestamp]:
    import ibis

    from crm_lessons import clv as clv_mod
    from crm_lessons.reports._text import Text

    params = report.parse_params(params)
    if date_format:
        raise CRMInputError("argument `--date-format`: the engine reads dates as YYYY-MM-DD or YYYYMMDD; found "
                            f"{date_format!r}. Convert the dates, or pass --engine pandas.")
    names = _names(report, columns)
    as_of = parse_as_of(as_of)
    limit = pd.Timestamp(today or pd.Timestamp.now()).normalize()
    inp = eng.open_input(source, max_memory=max_memory, temp_directory=temp_directory)
    con = inp.con
    header = pd.DataFrame(columns=[c for c in inp.table.columns if c != eng.ROW])
    header.attrs[SOURCE_ATTR] = inp.source
    require_columns(header, {report.column(r).option: n for r, n in names.items()}, arg="--input")
    cols = dict(customer=names["customer"], date=names["date"], amount=names["amount"])
    t = eng.typed_transactions(inp.table, **cols)   # with row numbers: for the messages only
    fast = eng.typed_transactions(inp.table.drop(eng.ROW), **cols, row=False)
    not_after = limit + pd.Timedelta(days=1) - pd.Timedelta(seconds=1)
    amount_col = report.column("amount")

    def flagged(tab):
        return eng.suspicious(tab, not_after=not_after.to_pydatetime(), earliest=EARLIEST_DATE.to_pydatetime(),
                              max_amount=amount_col.max_value, drop_zero_amounts=drop_zero_amounts)

    kw = dict(columns=columns, as_of=None, today=today, params=params, drop_zero_amounts=drop_zero_amounts)
    # ONE pass over the rows: per customer the summaries and every count the checks need (the engine keeps the
    # per-customer table; the rows themselves are read again only to name a bad row in a message)
    nonzero = (fast.amount > 0) if drop_zero_amounts else None
    end = None if as_of is None else (as_of + pd.Timedelta(days=1)).to_pydatetime()
    after = None if end is None else ((fast.ts >= end) & nonzero if drop_zero_amounts else fast.ts >= end)
    keep = nonzero if end is None else (fast.ts < end) & nonzero if drop_zero_amounts else fast.ts < end
    checks = eng.customer_checks(fast, bad=flagged(fast), keep=keep, after=after,
                                 zero=(fast.amount == 0) if drop_zero_amounts else None,
                                 odd=eng.written_otherwise(fast), money=eng.written_as_money(fast)).cache()
    c = checks
    stats = con.to_pandas(c.aggregate(
        n=c.rows.sum(), n_bad=c.n_bad.sum(), total=c.amount_sum.sum(), top=c.top.max(), kept=c.kept.sum(),
        n_after=c.n_after.sum(), n_zero=c.n_zero.sum(), n_odd=c.n_odd.sum(), n_money=c.n_money.sum(),
        lo=c.lo.min(), hi=c.hi.max(),
        shared_days=(c.rows > c.days).cast("int64").sum())).iloc[0]
    n_rows = int(stats["n"]) if pd.notna(stats["n"]) else 0
    if n_rows == 0:
        raise CRMInputError(f"{where(header, arg='--input')}: needs at least 1 row(s); found 0. "
                            "Check that the file or filter is not empty.")
    if int(stats["n_bad"] or 0):
        _raise_first_bad(inp, t, flagged(t), report, names, **kw)
    top, rest = float(stats["top"]), float(stats["total"]) - float(stats["top"])
    if n_rows >= 3 and rest > 0 and abs(top - rest) <= max(0.005 * rest, 0.01):
        _check_totals_row(inp, t, top, rest, report, names, **kw)
    if not allow_duplicates and int(stats["shared_days"] or 0):
        _check_repeats(inp, t, fast, checks.filter(checks.rows > checks.days).select("key"), header)
    notes = []
    if int(stats["n_odd"] or 0):   # dates written otherwise than YYYY-MM-DD: the reader's notes, counted in the engine
        forms = con.to_pandas(eng.date_forms(t))
        notes += column_notes(names["date"], parse_dates(forms["cell"].astype(object),
                                                         weights=forms["n"].to_numpy())[1])
    k = int(stats["n_money"] or 0)
    if k:   # amounts written with a currency sign...: the reader's note on the first such cell, for all k of them
        first = con.to_pandas(t.filter(eng.written_as_money(t)).order_by(eng.ROW).limit(1).raw_amount)
        notes += column_notes(names["amount"], parse_numbers(first.astype(object), weights=[k])[1])
    k = int(stats["n_zero"] or 0)
    if k:
        notes.append([f"{k:,} row{'s' if k > 1 else ''} with amount 0 {'were' if k > 1 else 'was'} left out "
                      "(--drop-zero-amounts).", f"金额为 0 的 {k:,} 行未计入（--drop-zero-amounts）。"])
    if as_of is not None:
        k = int(stats["n_after"] or 0)
        if k == n_rows - int(stats["n_zero"] or 0):
            rows = fast.filter(nonzero) if drop_zero_amounts else fast
            first_day = con.to_pandas(rows.ts.min())
            raise CRMInputError(
                f"argument `--as-of`: must not be before the first date in the file; found {as_of.date()} before "
                f"{pd.Timestamp(first_day).date()}. Pass a later --as-of date.")
        if k:
            notes.append([f"{k:,} row{'s' if k > 1 else ''} dated after the as-of date {as_of.date()} "
                          f"{'were' if k > 1 else 'was'} left out.", f"截止日 {as_of.date()} 之后的 {k:,} 行未计入。"])
    span = {"n": int(stats["kept"]), "lo": stats["lo"], "hi": stats["hi"]}
    if as_of is None:
        as_of = pd.Timestamp(span["hi"]).normalize()
    # ---- per customer, and the models on the profiles
    base = eng.customer_rfm(checks, as_of=as_of)
    profiles = con.to_pandas(eng.triples(base)).rename(columns={"x": "frequency", "t_x": "recency"})
    rep = base.filter(base.x > 0).select(frequency="x", monetary_value="monetary_value")
    tr = Text("en")
    empty = pd.DataFrame(columns=["frequency", "recency", "T", "monetary_value"])
    models = fit_summary(empty, tr=tr, profiles=profiles, repeat_spend=con.to_pandas(rep))
    meta = {"n_rows": int(span["n"]), "date_min": str(span["lo"]), "date_max": str(span["hi"]),
            "notes": notes, "params": {"horizon_months": params["horizon_months"],
                                       "discount_rate": params["discount_rate"]},
            "bgnbd": None, "gamma_gamma": None, "reason": None, "source": inp.source}
    if models.reason:
        zh = Text("zh")
        meta["reason"] = [models.reason, fit_summary(empty, tr=zh, profiles=profiles,
                                                      repeat_spend=con.to_pandas(rep)).reason]
        joined = base.mutate(expected_purchases=ibis.null("float64"), discounted_purchases=ibis.null("float64"),
                             p_alive=ibis.null("float64"))
    else:
        meta["bgnbd"] = {k: float(v) for k, v in models.bgnbd.params_.items()}
        meta["gamma_gamma"] = {k: float(v) for k, v in models.gamma_gamma.params_.items()}
        monthly = (1 + params["discount_rate"]) ** (1 / 12) - 1
        p = profiles.rename(columns={"frequency": "x", "recency": "t_x"})[["x", "t_x", "T"]]
        summ = p.rename(columns={"x": "frequency", "t_x": "recency"}).assign(customer_id=np.arange(len(p)),
                                                                            monetary_value=1.0)
        value = clv_mod.customer_lifetime_value(models.bgnbd, _UnitSpend(), summ, horizon=params["horizon_months"],
                                                period_length=_MONTH_WEEKS, discount_rate=monthly, margin=1.0)
        palive = models.bgnbd.probability_alive(p["x"].to_numpy(), p["t_x"].to_numpy(), p["T"].to_numpy())
        pred = p.assign(expected_purchases=value["expected_purchases"].to_numpy(),
                        discounted_purchases=value["clv"].to_numpy(),
                        p_alive=np.where(p["x"].to_numpy() > 0, palive, np.nan))
        pred_t = ibis.memtable(pred)
        joined = base.join(pred_t, ["x", "t_x", "T"]).select(base, pred_t.expected_purchases,
                                                             pred_t.discounted_purchases, pred_t.p_alive)
    joined = joined.order_by("customer_id")
    tmp = None
    if parquet_path is None:
        tmp = tempfile.TemporaryDirectory(prefix="crm-engine-")
        parquet_path = Path(tmp.name) / "customers.parquet"
    import pyarrow.parquet as pq

    if inp.kind == "spark":
        out = con.to_pyarrow(joined)     # Spark writes a folder of parts; the customers come back in order
        pq.write_table(out, parquet_path)
    else:
        con.to_parquet(joined, parquet_path)
        out = pq.read_table(parquet_path)
    if tmp is not None:
        tmp.cleanup()
    data = EngineData(out, meta)
    return data, as_of
