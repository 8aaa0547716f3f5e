"""The table contract: every public function that takes a table answers bad tables in one grammar.

The walk below finds every public function and model method of the concept
modules whose first argument is a DataFrame, and calls it with tables that
are wrong in one way each. Each call must raise ``CRMInputError`` whose
message starts with ``argument `<the function's real argument>```; no pandas
or numpy exception may escape.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import numpy as np
import pandas as pd
import pytest

import crm_lessons
from crm_lessons import tables
from crm_lessons._validation import CRMInputError

NOT_CONCEPTS = {"cli", "widgets", "io", "datasets", "course", "grading", "reports", "simulate", "values",
                "tables", "models"}


def _table_functions():
    found = []
    for info in pkgutil.iter_modules(crm_lessons.__path__):
        if info.name.startswith("_") or info.name in NOT_CONCEPTS:
            continue
        mod = importlib.import_module(f"crm_lessons.{info.name}")
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            targets = [(name, obj, None)] if inspect.isfunction(obj) else []
            if inspect.isclass(obj):
                targets += [(f"{name}.{m}", getattr(obj, m), obj) for m in ("fit", "fit_counts", "fit_durations")
                            if inspect.isfunction(getattr(obj, m, None))]
            for label, fn, cls in targets:
                params = [p for p in inspect.signature(fn).parameters.values() if p.name != "self"]
                if params and "DataFrame" in str(params[0].annotation):
                    found.append(pytest.param(info.name, label, fn, cls, params, id=f"{info.name}.{label}"))
    return found


TABLE_FUNCTIONS = _table_functions()


def _call(fn, cls, params, frame, **extra):
    args, kwargs = [], {}
    for p in params:
        if p is params[0]:
            args.append(frame)
        elif p.name in extra:
            (args.append(extra.pop(p.name)) if p.kind is p.POSITIONAL_OR_KEYWORD else
             kwargs.__setitem__(p.name, extra.pop(p.name)))
        elif p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            value = ("2024-06-30" if p.name == "as_of" else frame if "DataFrame" in str(p.annotation)
                     else "not_a_column")
            (args.append(value) if p.kind is p.POSITIONAL_OR_KEYWORD else kwargs.__setitem__(p.name, value))
    kwargs.update(extra)
    if cls is not None:
        init = inspect.signature(cls).parameters
        obj = cls(**{k: v.default for k, v in init.items() if v.default is not v.empty})
        return fn(obj, *args, **kwargs)
    return fn(*args, **kwargs)


def _own_arguments(params) -> tuple[str, ...]:
    """Message starts naming one of the function's own arguments (several may be wrong at once: the
    harness passes the same bad value to every table argument and a placeholder to the others)."""
    return tuple(f"argument `{p.name}`" for p in params)


def test_the_walk_finds_the_table_functions():
    names = {p.id for p in TABLE_FUNCTIONS}
    assert len(names) >= 50
    assert {"segmentation.rfm_table", "kpis.customer_depth", "lifecycle.assign_stages",
            "purchase_models.BetaGeoModel.fit", "retention.kaplan_meier"} <= names


#: Functions that answer a table without their columns with a plain "not available: no column ..." per row.
REPORTS_WHAT_IS_MISSING = {"satisfaction.satisfaction_indicators"}


@pytest.mark.parametrize("module, label, fn, cls, params", TABLE_FUNCTIONS)
def test_a_table_without_the_needed_columns_names_the_real_argument(module, label, fn, cls, params):
    if f"{module}.{label}" in REPORTS_WHAT_IS_MISSING:
        out = _call(fn, cls, params, pd.DataFrame({"unrelated": ["x", "y", "z"]}))
        assert out["source"].str.startswith("not available: no").sum() >= 4
        return
    frame = pd.DataFrame({"unrelated": ["x", "y", "z"]})
    with pytest.raises(CRMInputError) as err:
        _call(fn, cls, params, frame)
    assert str(err.value).startswith(_own_arguments(params)), str(err.value)


@pytest.mark.parametrize("module, label, fn, cls, params", TABLE_FUNCTIONS)
def test_not_a_table_names_the_real_argument(module, label, fn, cls, params):
    with pytest.raises(CRMInputError) as err:
        _call(fn, cls, params, [1, 2, 3])
    assert str(err.value).startswith(_own_arguments(params)), str(err.value)


LOG = pd.DataFrame({"customer_id": [1, 1, 2, 3, 3, 3], "category": list("abaabc"), "profit": 1.0,
                    "date": pd.to_datetime(["2024-01-05", "2024-02-10", "2024-01-20", "2024-03-01", "2024-04-02",
                                            "2024-05-30"]),
                    "amount": [10.0, 20.0, 5.0, 7.0, 9.0, 11.0], "party_size": 2})
LOG_FUNCTIONS = [p for p in TABLE_FUNCTIONS
                 if {"customer_col", "date_col"} <= {q.name for q in p.values[4]}
                 and p.values[4][0].name in ("transactions", "data", "visits")]


def test_the_transaction_log_functions_are_found():
    assert len(LOG_FUNCTIONS) >= 10


@pytest.mark.parametrize("module, label, fn, cls, params", LOG_FUNCTIONS)
def test_an_unreadable_as_of_names_as_of(module, label, fn, cls, params):
    if "as_of" not in {p.name for p in params}:
        pytest.skip("no as_of")
    with pytest.raises(CRMInputError, match=r"^argument `as_of`: must be a date; found 'end of June'"):
        _call(fn, cls, params, LOG, as_of="end of June")


@pytest.mark.parametrize("module, label, fn, cls, params", LOG_FUNCTIONS)
def test_a_bad_date_is_named_with_argument_column_and_row(module, label, fn, cls, params):
    bad = LOG.assign(date=LOG["date"].dt.strftime("%Y-%m-%d").where(LOG.index != 3, "31/02/2024"))
    with pytest.raises(CRMInputError, match=rf"^argument `{params[0].name}`, column 'date' \(date_col\), "
                                            r"row 3: values must be dates; found '31/02/2024'"):
        _call(fn, cls, params, bad)


@pytest.mark.parametrize("module, label, fn, cls, params", LOG_FUNCTIONS)
def test_a_negative_amount_is_named_with_argument_column_and_row(module, label, fn, cls, params):
    if "amount_col" not in {p.name for p in params}:
        pytest.skip("no amount")
    bad = LOG.assign(amount=LOG["amount"].where(LOG.index != 4, -9.0))
    with pytest.raises(CRMInputError, match=rf"^argument `{params[0].name}`, column 'amount' \(amount_col\), "
                                            r"row 4: values must be >= 0; found -9.0"):
        _call(fn, cls, params, bad)


def test_read_returns_a_canonical_copy_and_never_changes_the_input():
    user = pd.DataFrame({"会员": ["a", "b"], "日期": ["2024-01-05", "2024-02-01"], "金额": ["10", "5.5"]})
    before = user.copy(deep=True)
    t = tables.TRANSACTIONS.read(user, arg="sales", customer_col="会员", date_col="日期", amount_col="金额")
    pd.testing.assert_frame_equal(user, before)
    assert t.columns.tolist() == ["customer_id", "date", "amount"]
    assert t["amount"].tolist() == [10.0, 5.5]
    assert tables.source_column(t, "amount") == ("金额", "amount_col")


def test_keys_rules_and_flags():
    with pytest.raises(CRMInputError, match=r"^argument `summary`, column 'customer_id' \(customer_col\), row 2: "
                                            r"customer ids must be unique; found 7 twice \(first at row 0"):
        tables.SUMMARY.read(pd.DataFrame({"customer_id": [7, 8, 7], "frequency": [0, 1, 2]}), arg="summary",
                            customer_col="customer_id", frequency_col="frequency")
    with pytest.raises(CRMInputError, match=r"row 1: recency must not exceed T; found 9.0"):
        tables.SUMMARY.read(pd.DataFrame({"recency": [1.0, 9.0], "T": [5.0, 5.0]}), arg="summary",
                            recency_col="recency", T_col="T")
    flags = tables.DURATIONS.read(pd.DataFrame({"d": [1, 2, 3, 4], "e": ["是", "否", "1", 0]}), arg="df",
                                  duration_col="d", event_col="e")
    assert flags["event"].tolist() == [True, False, True, False]
    with pytest.raises(CRMInputError, match=r"column 'e' \(event_col\), row 1: values must be 0/1"):
        tables.DURATIONS.read(pd.DataFrame({"d": [1, 2], "e": [1, 2]}), arg="df", duration_col="d", event_col="e")


def test_later_rows_are_an_error_or_left_out():
    with pytest.raises(CRMInputError, match=r"row 5: dates must not be after 2024-05-01"):
        tables.TRANSACTIONS.read(LOG, arg="tx", customer_col="customer_id", date_col="date", as_of="2024-05-01")
    kept = tables.TRANSACTIONS.read(LOG, arg="tx", customer_col="customer_id", date_col="date",
                                    as_of="2024-05-01", later="drop")
    assert len(kept) == 5 and tables.as_of(kept) == pd.Timestamp("2024-05-01")
    same_day = LOG.assign(date=LOG["date"] + pd.Timedelta(hours=15))
    assert len(tables.TRANSACTIONS.read(same_day, arg="tx", customer_col="customer_id", date_col="date",
                                        as_of="2024-05-30")) == 6


def test_every_table_kind_is_declared_with_known_kinds():
    assert set(tables.TABLES) >= {"transactions", "summary", "survey", "panel", "durations", "opportunities",
                                  "tickets", "calls"}
    for t in tables.TABLES.values():
        assert all(c.kind in tables.KINDS for c in t.columns)
        assert all(k in t.roles for k in t.key)
        assert t.as_of_role is None or t.column(t.as_of_role).kind == "date"
    assert np.all([len(set(t.roles)) == len(t.roles) for t in tables.TABLES.values()])
