"""The registry of reports: name, notebook, parameters and the columns each needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from crm_lessons._validation import CRMInputError

__all__ = ["Column", "Param", "Report"]


@dataclass(frozen=True)
class Param:
    """A report parameter: ``--param name=value`` on the command line."""

    name: str
    type: type
    default: object
    help: str
    min_value: float | None = None
    max_value: float | None = None
    choices: tuple | None = None

    def parse(self, value):
        """Convert ``value`` (a string from the command line, or a Python value) and check it."""
        try:
            if isinstance(value, str) and self.type is bool:
                low = value.strip().lower()
                if low not in {"true", "false", "1", "0", "yes", "no"}:
                    raise ValueError(value)
                out = low in {"true", "1", "yes"}
            elif isinstance(value, str):
                out = self.type(value.strip())
            else:
                out = self.type(value)
                if self.type is int and out != value:
                    raise ValueError(value)
        except (TypeError, ValueError):
            kind = {int: "a whole number", float: "a number", bool: "true or false", str: "text"}[self.type]
            raise CRMInputError(
                f"argument `--param {self.name}`: must be {kind}; found {value!r}. "
                f"Pass e.g. --param {self.name}={self.default}."
            ) from None
        if self.choices is not None and out not in self.choices:
            raise CRMInputError(
                f"argument `--param {self.name}`: must be one of {list(self.choices)}; found {out!r}. "
                f"Pass e.g. --param {self.name}={self.default}."
            )
        lo_bad = self.min_value is not None and out < self.min_value
        hi_bad = self.max_value is not None and out > self.max_value
        if lo_bad or hi_bad:
            raise CRMInputError(
                f"argument `--param {self.name}`: must be between {self.min_value:g} and {self.max_value:g}; "
                f"found {out!r}. Choose a value in that range."
                if self.min_value is not None and self.max_value is not None else
                f"argument `--param {self.name}`: must be "
                + (f">= {self.min_value:g}" if lo_bad else f"<= {self.max_value:g}")
                + f"; found {out!r}. Choose a value in that range."
            )
        return out


@dataclass(frozen=True)
class Column:
    """A column a report reads: its role, default name and kind.

    ``kind`` is one of ``"id"`` (any non-missing value), ``"date"`` (dates,
    not after the as-of date), ``"amount"`` (numbers > 0), ``"count"``
    (whole numbers >= 0), ``"score"`` (numbers within ``min_value``..``max_value``),
    ``"category"`` (text; optional columns may be absent).
    """

    role: str
    default: str
    kind: str
    help: str
    required: bool = True
    min_value: float | None = None
    max_value: float | None = None

    @property
    def option(self) -> str:
        """Command-line option naming the analyst's column, e.g. ``--amount-col``."""
        return f"--{self.role.replace('_', '-')}-col"


@dataclass(frozen=True)
class Report:
    """One parameterised report."""

    name: str
    title: str
    description: str
    module: str  # crm_lessons.reports.<module> with build(data, *, as_of, **params)
    columns: tuple[Column, ...]
    title_zh: str = ""
    params: tuple[Param, ...] = field(default_factory=tuple)
    date_role: str | None = "date"
    helpers: tuple[str, ...] = ()  # crm_lessons modules the report needs
    #: params naming column suffixes: columns ending so are kept and checked as scores
    score_suffix_params: tuple[str, ...] = ()
    #: param giving the top of score columns whose Column.max_value is the string "param"
    scale_param: str | None = None
    #: the kind of input table (crm_lessons.tables.TABLES) the report's columns refine
    table: str = "transactions"
    #: the report's build takes id columns as categoricals (the reader's sorted dictionary codes, one
    #: string per distinct id) and turns them into text only in its output
    id_codes: bool = False

    @property
    def notebook(self) -> Path:
        """The report notebook shipped as package data."""
        return Path(str(resources.files("crm_lessons.reports") / "notebooks" / f"{self.name}.ipynb"))

    def column(self, role: str) -> Column:
        return next(c for c in self.columns if c.role == role)

    def parse_params(self, given: dict | None) -> dict:
        """Defaults updated with ``given`` (strings or values), each checked."""
        known = {p.name: p for p in self.params}
        out = {p.name: p.default for p in self.params}
        for key, value in (given or {}).items():
            if key not in known:
                raise CRMInputError(
                    f"argument `--param {key}`: unknown parameter of report '{self.name}'; found {key!r}. "
                    f"Use one of {sorted(known)} (see crm-lessons report --list)."
                )
            out[key] = known[key].parse(value)
        return out

    def available(self) -> tuple[bool, str]:
        """Whether the crm_lessons helpers this report calls are installed."""
        import importlib

        for mod in self.helpers:
            try:
                importlib.import_module(mod)
            except ImportError as exc:
                return False, f"needs {mod} ({exc})"
        return True, ""
