"""The tables the package reads, declared once (数据表规范).

Every kind of table a helper takes -- a transaction log, a customer summary,
a survey, a brand-choice panel, customer durations, sales opportunities,
service tickets, call arrivals -- is declared here as a :class:`Table`: for
each **role** (``customer``, ``date``, ``amount``...) its default column name,
its type and bounds, whether it may be missing; the uniqueness key; rules that
tie columns together (``recency <= T``); and which date column must not come
after the analysis date ``as_of``.

:meth:`Table.read` is the one entry point. A helper passes the user's frame,
the name of its own argument and the column keywords it was given
(``customer_col="会员号"``...); it gets back a new frame with canonical column
names (the role's default name), parsed dates and float numbers, the user's
index, and the file/line bookkeeping of :mod:`crm_lessons.io`. The input is
never changed. Every problem is raised as a
:class:`~crm_lessons._validation.CRMInputError` in the one message grammar
(argument or file, column, line; what was found; how to fix it), naming the
helper's real argument and keyword.

Adding a table kind: declare a :class:`Table` below (or ``extend`` one with
the extra :class:`Column` a helper needs), add it to :data:`TABLES`, and call
``TABLE.read(df, arg="<your argument>", <role>_col=...)`` in the helper. The
test ``tests/test_tables.py`` walks every public function that takes a table.

Examples
--------
>>> import pandas as pd
>>> log = pd.DataFrame({"会员号": ["a", "a", "b"], "日期": ["2024-01-05", "2024-02-01", "2024-01-20"],
...                     "金额": [10, 5.5, 8]})
>>> t = TRANSACTIONS.read(log, arg="transactions", customer_col="会员号", date_col="日期",
...                       amount_col="金额", as_of="2024-03-31")
>>> t.columns.tolist(), t["amount"].dtype.name, str(as_of(t).date())
(['customer_id', 'date', 'amount'], 'float64', '2024-03-31')
>>> TRANSACTIONS.read(log, arg="transactions", customer_col="会员号", date_col="日期",
...                   amount_col="金额", as_of="2024-01-31")
Traceback (most recent call last):
...
crm_lessons._validation.CRMInputError: argument `transactions`, column '日期' (date_col), row 1: dates must not be after 2024-01-31; found 2024-02-01 (1 such row). Check the date format (day/month swapped?) or pass a later as-of date.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np
import pandas as pd

from crm_lessons._validation import (
    CRMInputError,
    check_choice,
    check_dataframe,
    check_date,
    check_dates,
    check_no_missing,
    check_numeric,
    check_rows,
    check_unique,
    require_columns,
    show_value,
    where,
)
from crm_lessons.values import NOTES_ATTR, column_notes, parse_ids

__all__ = [
    "CALLS",
    "Check",
    "Column",
    "DURATIONS",
    "OPPORTUNITIES",
    "PANEL",
    "Problem",
    "ReadContext",
    "Rule",
    "SUMMARY",
    "SURVEY",
    "TABLES",
    "TICKETS",
    "TRANSACTIONS",
    "Table",
    "as_of",
    "first_problem",
    "source_column",
]

#: Kinds of column and what :meth:`Table.read` makes of them.
KINDS = {
    "id": "an identifier, never missing, kept as given",
    "category": "a label (kept as given; categorical order is kept)",
    "text": "free text, may be missing",
    "date": "a date or time, parsed to datetime64 (time zones dropped)",
    "number": "a real number, parsed to float",
    "count": "a whole number >= 0, parsed to float",
    "flag": "yes/no, parsed to bool (1/0, true/false, yes/no, 是/否)",
}

_FLAG_WORDS = {"1": True, "0": False, "true": True, "false": False, "yes": True, "no": False,
               "y": True, "n": False, "是": True, "否": False}


@dataclass(frozen=True)
class Column:
    """One role of a table: canonical name, kind, bounds, whether it may be missing.

    ``role`` is the stem of the helpers' keyword (``customer`` for ``customer_col``);
    ``name`` is the default and canonical column name.
    """

    role: str
    name: str
    kind: str
    min: float | None = None
    max: float | None = None
    strict: bool = False
    missing: bool = False
    doc: str = ""
    #: ids/categories read as trimmed text (``1001.0`` -> ``1001``, full-width made plain; noted)
    clean: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Column {self.role!r}: kind must be one of {sorted(KINDS)}; found {self.kind!r}")


@dataclass(frozen=True)
class Rule:
    """A check across columns: ``bad(frame)`` marks the rows that break it."""

    roles: tuple[str, ...]
    bad: Callable[[pd.DataFrame], pd.Series]
    rule: str
    fix: str


class Problem(NamedTuple):
    """What a :class:`Check` found: the row (user's index; None for the column as a whole), the rule,
    what was found and how to fix it. :meth:`Table.read` words it as ``<where>: <rule>; found <found>. <fix>``."""

    row: object
    rule: str
    found: str
    fix: str


@dataclass(frozen=True)
class Check:
    """A check beyond a column's kind and bounds (a totals row, a placeholder date...).

    ``find(values, ctx)`` gets the parsed column of ``role`` (with the user's index; for
    ``role=None`` the canonical frame so far) and the :class:`ReadContext`, and returns a
    :class:`Problem` or None. It runs right after its column is parsed (``role=None``: after
    every column), so the first problem of a row is reported in column order.
    """

    role: str | None
    find: Callable[[pd.Series | pd.DataFrame, ReadContext], Problem | None]
    doc: str = ""


@dataclass(frozen=True)
class ReadContext:
    """What a :class:`Check` may look at: the user's frame, the user's column names by role, settings."""

    df: pd.DataFrame
    names: dict
    settings: dict


def first_problem(mask, values: pd.Series, rule: str, fix: str, show=None) -> Problem | None:
    """The first row where ``mask`` holds, as a :class:`Problem` found ``<value> (<n> such rows)``.

    >>> first_problem(pd.Series([False, True, True]), pd.Series([1.0, -2.0, -3.0]), "values must be >= 0", "Fix.")
    Problem(row=1, rule='values must be >= 0', found='-2.0 (2 such rows)', fix='Fix.')
    """
    mask = pd.Series(mask, index=values.index) if not isinstance(mask, pd.Series) else mask
    hit = mask.to_numpy(dtype=bool)
    if not hit.any():
        return None
    row = values.index[int(np.argmax(hit))]
    n = int(hit.sum())
    return Problem(row, rule, f"{(show or show_value)(values.loc[row])} ({n} such row{'s' if n > 1 else ''})", fix)


@dataclass(frozen=True)
class Table:
    """A kind of input table; :meth:`read` turns a user's frame into the canonical one."""

    kind: str
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()
    as_of_role: str | None = None
    key_what: str = "keys"
    key_fix: str = "Keep one row per key."
    checks: tuple[Check, ...] = ()
    _by_role: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_by_role", {c.role: c for c in self.columns})

    def column(self, role: str) -> Column:
        """The declared column of ``role``."""
        return self._by_role[role]

    @property
    def roles(self) -> list[str]:
        """The roles of this table, in declaration order."""
        return list(self._by_role)

    def extend(self, *columns: Column, rules: tuple[Rule, ...] = ()) -> Table:
        """This table with more (or redefined) columns and rules.

        >>> SURVEY.extend(Column("wait", "wait_minutes", "number", min=0)).column("wait").name
        'wait_minutes'
        """
        cols = {c.role: c for c in self.columns}
        cols.update({c.role: c for c in columns})
        return replace(self, columns=tuple(cols.values()), rules=self.rules + tuple(rules))

    def read(self, df, *, arg: str, as_of=None, later: str = "error", keep: tuple[str, ...] = (),
             min_rows: int = 1, options: Mapping[str, str] | None = None, date_format: str | None = None,
             settings: Mapping | None = None, copy: bool = True, **cols: str | None) -> pd.DataFrame:
        """Check ``df`` and return the canonical frame.

        Parameters
        ----------
        df : DataFrame
            The user's table (never changed).
        arg : str
            The helper's argument name, used in every message (``transactions``).
        as_of : date-like, optional
            The analysis date: checked as a date, dates of the table's
            ``as_of_role`` must not be after it; recorded for :func:`as_of`.
        keep : tuple of str
            Further columns of ``df`` carried along under their own names.
        min_rows : int, default 1
            Fewest rows accepted.
        options : mapping, optional
            Role -> the option that named its column, used in messages instead
            of ``<role>_col`` (the command line's ``--amount-col``).
        date_format : str, optional
            ``strptime`` format of the date columns (e.g. ``%d/%m/%Y``).
        settings : mapping, optional
            Passed to the table's :class:`Check` functions (``allow_duplicates``...).
        copy : bool, default True
            Whether columns still backed by ``df`` are copied. False for a caller that
            made ``df`` itself and drops it (the report reader): no copy of ten million cells.
        **cols : str or None
            ``<role>_col=<user's column>`` for each role the helper uses;
            ``None`` leaves the role out.

        Returns
        -------
        DataFrame
            The roles' canonical columns in the order given, then ``keep``; the
            user's index; ``attrs`` with the source file, its first line, the
            user's column names (see :func:`source_column`) and ``as_of``.

        Raises
        ------
        CRMInputError
            For a missing column, a value of the wrong type or out of bounds, a
            missing value where none may be, a repeated key, a broken rule, or
            an ``as_of`` that is not a date.
        """
        check_dataframe(df, arg=arg, min_rows=min_rows)
        used: dict[str, tuple[Column, str, str]] = {}
        for col_arg, name in cols.items():
            if name is None:
                continue
            role = col_arg.removesuffix("_col")
            if not col_arg.endswith("_col") or role not in self._by_role:
                raise TypeError(f"{self.kind}.read(): unknown column keyword {col_arg!r}; "
                                f"roles are {self.roles}")
            used[role] = (self._by_role[role], str(name) if not isinstance(name, str) else name,
                          (options or {}).get(role, col_arg))
        require_columns(df, {col_arg: name for _, name, col_arg in used.values()}, arg=arg)
        require_columns(df, list(keep), arg=arg)
        limit = None if as_of is None else check_date(as_of, "as_of").normalize()
        out = {}
        check_choice(later, "later", ["error", "drop"])
        end = None if limit is None else limit + pd.Timedelta(days=1) - pd.Timedelta(1, "ns")
        ctx = ReadContext(df, {r: name for r, (_, name, _) in used.items()}, dict(settings or {}))
        notes = []
        for role, (column, name, col_arg) in used.items():
            not_after = end if role == self.as_of_role and later == "error" else None
            values = _parse(df, column, name, col_arg, arg, not_after, date_format)
            notes += column_notes(name, getattr(values, "attrs", {}).get(NOTES_ATTR, []))
            out[column.name] = values
            self._run_checks(role, values, ctx, df, arg, name, col_arg)
        out = {k: v.to_numpy() if isinstance(v, pd.Series) and not isinstance(v.dtype, pd.CategoricalDtype)
               else v.array if isinstance(v, pd.Series) else v for k, v in out.items()}
        # one copy at most of each column: arrays still backed by the user's table are copied, the
        # others (parsed, converted) are taken as they are, without pandas' consolidating copy
        out = {k: (v.copy() if copy and _backed_by(v, df) else v) for k, v in out.items()}
        frame = pd.DataFrame(out, index=df.index, copy=False)
        if end is not None and later == "drop" and self.as_of_role in used:
            frame = frame[frame[self._by_role[self.as_of_role].name] <= end]
        for name in keep:
            frame[name] = df[name].to_numpy()
        frame.attrs = {k: v for k, v in df.attrs.items() if k.startswith("crm_") or k == "time_unit"}
        frame.attrs["crm_columns"] = {c.name: (name, col_arg) for c, name, col_arg in used.values()}
        frame.attrs["crm_arg"] = arg
        if limit is not None:
            frame.attrs["crm_as_of"] = limit
        if self.key and all(r in used for r in self.key):
            check_unique(df, [used[r][1] for r in self.key], arg=arg,
                         col_arg=used[self.key[0]][2] if len(self.key) == 1 else None,
                         what=self.key_what, fix=self.key_fix)
        for rule in self.rules:
            if all(r in used for r in rule.roles):
                first = used[rule.roles[0]]
                bad = rule.bad(frame.rename(columns={self._by_role[r].name: r for r in used}))
                check_rows(frame, bad, frame[first[0].name], arg=arg, column=first[1], col_arg=first[2],
                           rule=rule.rule, fix=rule.fix)
        self._run_checks(None, frame, ctx, df, arg, None, None)
        if notes:
            frame.attrs["crm_column_notes"] = notes
        return frame

    def _run_checks(self, role, values, ctx, df, arg, name, col_arg) -> None:
        """Run the checks of ``role``; the first problem found is raised in the one grammar."""
        for check in self.checks:
            if check.role != role:
                continue
            problem = check.find(values, ctx)
            if problem is not None:
                raise CRMInputError(
                    f"{where(df, arg=arg, column=name, col_arg=col_arg, row=problem.row)}: "
                    f"{problem.rule}; found {problem.found}. {problem.fix}")


def _backed_by(values, df: pd.DataFrame) -> bool:
    """Whether ``values`` may share memory with a column of ``df`` (then the canonical frame copies it)."""
    if not isinstance(values, np.ndarray):
        return True                                  # extension arrays: copy, as before
    return any(np.may_share_memory(values, df.iloc[:, i].to_numpy()) for i in range(df.shape[1])
               if isinstance(df.dtypes.iloc[i], np.dtype))


def _parse(df, column: Column, name: str, col_arg: str, arg: str, not_after,
           date_format: str | None = None) -> np.ndarray | pd.Series:
    """The parsed column: a Series with the user's index (numbers, dates, cleaned ids) or an array."""
    where_ = {"arg": arg, "col_arg": col_arg}
    kind = column.kind
    if kind in ("number", "count"):
        s = check_numeric(df, name, **where_, min_value=0 if kind == "count" and column.min is None else column.min,
                          strict=column.strict, max_value=column.max, allow_missing=column.missing)
        if kind == "count":
            check_rows(df, s.notna() & (s != np.round(s)), s, **where_, column=name,
                       rule="values must be whole numbers", fix="Count whole purchases, calls or customers.")
        return s
    if kind == "date":
        if column.missing:
            present = df[name].notna()
            s = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
            if present.any():
                s[present] = check_dates(df.loc[present], name, **where_, not_after=not_after, format=date_format)
            return s.to_numpy()
        return check_dates(df, name, **where_, not_after=not_after, format=date_format)
    if not column.missing:
        check_no_missing(df, name, **where_)
    if kind == "flag":
        return _flags(df, name, where_)
    if column.clean:
        s = df[name]
        if isinstance(s.dtype, pd.CategoricalDtype) and _plain_sorted(s.cat.categories):
            ids, notes = s, []                       # what parse_ids gives them, without a look at each id
        else:
            ids, notes = parse_ids(s)
        ids.attrs[NOTES_ATTR] = notes
        return ids
    return df[name].array if isinstance(df[name].dtype, pd.CategoricalDtype) else df[name].to_numpy()


def _plain_sorted(categories: pd.Index) -> bool:
    """Whether ids with these categories are clean as they are and in sorted order (then
    :func:`crm_lessons.values.parse_ids` returns them unchanged): every id printable ASCII without spaces,
    none empty, none like ``1001.0`` (no point at all), strictly increasing. One look at the ids joined
    into one string, not a regular expression per id. False also means "not known": parse_ids decides."""
    if not len(categories) or not categories.is_monotonic_increasing:
        return False
    try:
        text = "".join(categories)
    except TypeError:                                # ids that are not text
        return False
    return (categories[0] != "" and text.isascii() and text.isprintable() and " " not in text
            and "." not in text)


def _flags(df, name, where_) -> np.ndarray:
    s = df[name]
    if pd.api.types.is_bool_dtype(s):
        return s.to_numpy(dtype=bool)
    words = s.astype(str).str.strip().str.lower().str.removesuffix(".0")
    mapped = words.map(_FLAG_WORDS)
    check_rows(df, mapped.isna() & s.notna(), s, **where_, column=name,
               rule="values must be 0/1 or True/False (yes/no)", fix="Code the column as 1 for yes and 0 for no.")
    return mapped.fillna(False).to_numpy(dtype=bool)


def as_of(frame: pd.DataFrame, date: str = "date") -> pd.Timestamp:
    """The analysis date of a canonical frame: the ``as_of`` given to :meth:`Table.read`, else the last date.

    >>> as_of(pd.DataFrame({"date": pd.to_datetime(["2024-01-05 08:00", "2024-03-02 10:00"])}))
    Timestamp('2024-03-02 00:00:00')
    """
    given = frame.attrs.get("crm_as_of")
    return given if given is not None else pd.Timestamp(frame[date].max()).normalize()


def source_column(frame: pd.DataFrame, name: str) -> tuple[str, str | None]:
    """The user's column name and keyword behind canonical column ``name`` (for messages).

    >>> t = TRANSACTIONS.read(pd.DataFrame({"id": [1], "d": ["2024-01-01"]}), arg="tx",
    ...                       customer_col="id", date_col="d")
    >>> source_column(t, "date")
    ('d', 'date_col')
    """
    return frame.attrs.get("crm_columns", {}).get(name, (name, None))


def _recency_after_T(f):
    return f["recency"] > f["T"] * (1 + 1e-12)


def _repeat_without_spend(f):
    return (f["frequency"] > 0) & (f["monetary_value"] <= 0)


def _repeatless_recency(f):
    return (f["frequency"] == 0) & (f["recency"] != 0)


# --------------------------------------------------------------------------- the tables
TRANSACTIONS = Table(
    "transactions", "transaction log (交易记录): one row per purchase",
    (Column("customer", "customer_id", "id", doc="customer id"),
     Column("date", "date", "date", doc="purchase date"),
     Column("amount", "amount", "number", min=0, doc="purchase amount"),
     Column("category", "category", "category", doc="product category"),
     Column("quantity", "quantity", "number", min=0, doc="quantity bought"),
     Column("profit", "profit", "number", doc="profit of the purchase (may be negative)")),
    as_of_role="date",
)

SUMMARY = Table(
    "summary", "customer summary (客户汇总): one row per customer",
    (Column("customer", "customer_id", "id"),
     Column("frequency", "frequency", "count", doc="repeat purchases x"),
     Column("recency", "recency", "number", min=0, doc="time of the last purchase after the first, t_x"),
     Column("T", "T", "number", min=0, strict=True, doc="time from the first purchase to the end, T"),
     Column("monetary_value", "monetary_value", "number", min=0, doc="mean value of the repeat purchases"),
     Column("weights", "weights", "number", min=0, strict=True, doc="customers with this profile"),
     Column("holdout", "frequency_holdout", "count", doc="purchases in the holdout period"),
     Column("duration", "duration_holdout", "number", min=0, strict=True, doc="length of the holdout period")),
    key=("customer",),
    key_what="customer ids",
    key_fix="Keep one row per customer (build the summary with customer_summary.summary_from_transactions).",
    rules=(Rule(("recency", "T"), _recency_after_T, "recency must not exceed T",
                "Recency and T must be measured from the first purchase to the same as-of date."),
           Rule(("recency", "frequency"), _repeatless_recency,
                "a customer without repeat purchases (frequency 0) must have recency 0",
                "Recency is the time of the last purchase minus the time of the first."),
           Rule(("monetary_value", "frequency"), _repeat_without_spend,
                "mean spend of a repeat customer must be > 0", "Remove zero-value transactions.")),
)

SURVEY = Table(
    "survey", "survey answers (满意度调查): one row per respondent",
    (Column("respondent", "respondent_id", "id"),
     Column("satisfaction", "overall_satisfaction", "number"),
     Column("recommend", "recommend", "number", min=0, max=10, doc="likelihood to recommend, 0-10"),
     Column("repurchase", "repurchase", "number"),
     Column("segment", "segment", "category")),
    key=("respondent",),
    key_what="respondent ids",
    key_fix="Keep one row per respondent.",
)

PANEL = Table(
    "panel", "brand-choice panel (品牌选择面板): one row per purchase occasion",
    (Column("customer", "customer_id", "id"),
     Column("choice", "choice", "category", doc="brand bought"),
     Column("order", "occasion", "number", doc="purchase order within a household"),
     Column("date", "date", "date"),
     Column("choice_time", "choice_time", "number", min=0)),
    key=("customer", "order"),
    as_of_role="date",
    key_what="each household's occasions",
    key_fix="Number each household's purchases 1, 2, ... or pass order_col=None to use row order.",
)

DURATIONS = Table(
    "durations", "customer durations (客户存续期): one row per customer or subscription",
    (Column("customer", "customer_id", "id"),
     Column("duration", "duration", "number", min=0, doc="time observed (tenure)"),
     Column("event", "event", "flag", doc="churned (1) or still active / censored (0)"),
     Column("group", "group", "category"),
     Column("start", "start_date", "date"),
     Column("end", "end_date", "date", missing=True)),
    key=("customer",),
    key_what="customer ids",
    key_fix="Keep one row per customer (or subscription id).",
)

OPPORTUNITIES = Table(
    "opportunities", "sales opportunities (销售机会): one row per deal",
    (Column("opportunity", "opportunity_id", "id"),
     Column("customer", "customer_id", "id"),
     Column("stage", "stage", "category"),
     Column("amount", "amount", "number", min=0),
     Column("status", "status", "category"),
     Column("created", "created", "date"),
     Column("closed", "closed", "date", missing=True)),
    key=("opportunity",),
    key_what="opportunity ids",
    key_fix="Keep one row per opportunity.",
    as_of_role="created",
)

TICKETS = Table(
    "tickets", "service tickets (服务工单): one row per contact or complaint",
    (Column("ticket", "ticket_id", "id"),
     Column("customer", "customer_id", "id"),
     Column("created", "created", "date"),
     Column("category", "category", "category"),
     Column("hours", "resolution_hours", "number", min=0, missing=True),
     Column("fcr", "first_contact_resolved", "flag"),
     Column("complaint", "is_complaint", "flag")),
    key=("ticket",),
    key_what="ticket ids",
    key_fix="Keep one row per ticket.",
    as_of_role="created",
)

CALLS = Table(
    "calls", "call arrivals (来电记录): one row per time slot",
    (Column("time", "time", "date"),
     Column("calls", "calls", "count")),
    key=("time",),
    key_what="time slots",
    key_fix="Sum the calls of a repeated time slot into one row.",
)

#: Every table kind, by name.
TABLES = {t.kind: t for t in (TRANSACTIONS, SUMMARY, SURVEY, PANEL, DURATIONS, OPPORTUNITIES, TICKETS, CALLS)}

#: A survey with the course's eight loyalty indicators (客户忠诚度的衡量指标), as
#: :func:`crm_lessons.simulate.simulate_survey` draws them.
LOYALTY_SURVEY = replace(SURVEY, kind="loyalty_survey",
                         title="loyalty survey (客户忠诚度调查): one row per respondent").extend(
    Column("purchases", "purchases_12m", "count", min=1, doc="purchases in the last 12 months (>= 1)"),
    Column("tenure", "tenure_years", "number", min=0, doc="years as a customer"),
    Column("share", "share_of_wallet", "number", min=0, max=1, doc="share of category spend, 0-1"),
    Column("choice_time", "choice_minutes", "number", min=0, doc="time spent choosing"),
    Column("trust", "trust", "number", doc="trust item (1-7)"),
    Column("referrals", "referrals_12m", "count", doc="people referred in 12 months"),
    Column("competitor", "competitor_interest", "number", doc="interest in competitors' offers (1-7)"),
    Column("tolerance", "price_quality_tolerance", "number", doc="tolerance of a price rise or quality slip (1-7)"),
)
TABLES[LOYALTY_SURVEY.kind] = LOYALTY_SURVEY
__all__.append("LOYALTY_SURVEY")

#: RFM values per customer, aggregated elsewhere (an engine, a warehouse): the input of
#: :func:`crm_lessons.segmentation.rfm_scores`.
RFM_VALUES = Table(
    "rfm_values", "RFM values (RFM 值): one row per customer",
    (Column("recency", "recency", "number", min=0, doc="days since the last purchase"),
     Column("frequency", "frequency", "count", min=1, doc="purchases (>= 1)"),
     Column("monetary", "monetary", "number", min=0, doc="total spend")),
)
TABLES[RFM_VALUES.kind] = RFM_VALUES
__all__.append("RFM_VALUES")
