"""``crm-lessons report``: run a report on your own file, or list the reports.

Examples
--------
::

    crm-lessons report --list
    crm-lessons report customer-value --input sales.csv --out out/value \\
        --customer-col 客户编号 --date-col 日期 --amount-col 金额 --as-of 2024-12-31 \\
        --param horizon_months=24
    crm-lessons report customer-value --input sales.xlsx --out out/by_store --by 门店 --jobs 2
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from crm_lessons._validation import CRMInputError

__all__ = ["add_arguments", "list_text", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``report`` options to ``parser``."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = "Run 'crm-lessons report --list' for the reports, their columns and parameters."
    parser.add_argument("name", nargs="?", metavar="NAME", help="report to run (see --list)")
    parser.add_argument("--list", action="store_true", help="list the reports and their parameters")
    parser.add_argument("--input", metavar="FILE", help="CSV/XLSX/Parquet file, or a folder (one report per file); "
                        "or an engine table: spark:[DB.]TABLE, duckdb:FILE.duckdb:TABLE, ibis:URL#TABLE")
    parser.add_argument("--out", metavar="DIR", help="output directory (must not exist yet)")
    parser.add_argument("--sheet", help="Excel sheet name (default: the first sheet)")
    parser.add_argument("--header-row", type=int, metavar="N", help="line/row of the column names if not the first")
    cols = parser.add_argument_group("your column names")
    for role, (default, used_by) in _roles().items():
        cols.add_argument(f"--{role.replace('_', '-')}-col", dest=f"{role}_col", metavar="NAME",
                          help=f"column of the {role} (default {default}; {', '.join(used_by)})")
    cols.add_argument("--col", action="append", default=[], metavar="ROLE=NAME",
                      help="the same by role name, e.g. --col time=interval_start")
    parser.add_argument("--as-of", metavar="DATE",
                        help="as-of date YYYY-MM-DD (default: last date in the data); an earlier date leaves the "
                             "later rows out, to compare a period with the previous one")
    parser.add_argument("--lang", choices=("en", "zh"), default="en",
                        help="language of the whole report: en (English) or zh (中文)")
    parser.add_argument("--currency", default="¥", help="currency sign of amounts (default ¥)")
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                        help="report parameter, repeatable (see --list)")
    batch = parser.add_argument_group("batch")
    batch.add_argument("--by", metavar="COLUMN", help="one report per value of this column (store, region...)")
    batch.add_argument("--jobs", type=int, metavar="N", help="parallel runs in a batch (default: all cores)")
    batch.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--allow-duplicates", action="store_true",
                        help="keep fully repeated rows as separate purchases (default: refuse them)")
    parser.add_argument("--overwrite", action="store_true", help="replace an earlier report in --out")
    parser.add_argument("--date-format", metavar="FORMAT",
                        help="format of the dates when day and month cannot be told apart, e.g. %%d/%%m/%%Y")
    engine = parser.add_argument_group("large data (customer-value report)")
    engine.add_argument("--engine", choices=("auto", "pandas", "duckdb"), default="auto",
                        help="where the per-transaction work runs: pandas in memory, or DuckDB out of core; auto "
                             "(default) takes DuckDB when the file would not fit in memory (--max-memory). "
                             "--input spark:TABLE or duckdb:FILE.duckdb:TABLE runs in that engine")
    engine.add_argument("--max-memory", metavar="SIZE",
                        help="memory the run may use, e.g. 4GB (default: what is free); DuckDB spills to disk past it")
    parser.add_argument("--drop-zero-amounts", action="store_true",
                        help="leave out rows with amount 0 (free items, vouchers) instead of refusing them")


def _roles() -> dict[str, tuple[str, list[str]]]:
    from crm_lessons.reports import list_reports

    roles: dict[str, tuple[str, list[str]]] = {}
    for rep in list_reports().values():
        for c in rep.columns:
            default, used = roles.setdefault(c.role, (c.default, []))
            used.append(rep.name)
    return roles


def _pairs(items: list[str], option: str) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CRMInputError(
                f"argument `{option}`: must be KEY=VALUE; found {item!r}. Write e.g. {option} "
                + ("horizon_months=24." if option == "--param" else "time=interval_start.")
            )
        out[key.strip().replace("-", "_")] = value.strip()
    return out


def list_text() -> str:
    """The reports, their columns and parameters, as printed by ``--list``."""
    from crm_lessons.reports import list_reports

    lines = []
    for rep in list_reports().values():
        ok, why = rep.available()
        lines.append(f"{rep.name}: {rep.title}" + ("" if ok else f"  [not available: {why}]"))
        lines.append(f"    {rep.description}")
        lines.append("    columns (option, default name):")
        for c in rep.columns:
            lines.append(f"      {c.option:<26} {c.default!r:<24} {c.help}" + ("" if c.required else " [optional]"))
        if rep.params:
            lines.append("    parameters (--param KEY=VALUE, default):")
            for p in rep.params:
                lines.append(f"      {p.name:<26} {p.default!r:<24} {p.help}")
        lines.append("")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Run the ``report`` subcommand; return the exit code."""
    from crm_lessons.reports.runner import ReportError, run_batch, run_report

    if args.list:
        print(list_text())
        return 0
    if not args.name:
        raise CRMInputError("argument `NAME`: a report name is needed; found none. "
                            "Run 'crm-lessons report --list' to see the reports.")
    if not args.input or not args.out:
        missing = "--input" if not args.input else "--out"
        raise CRMInputError(f"argument `{missing}`: is required; found none. "
                            "Write e.g. crm-lessons report NAME --input sales.csv --out report_dir.")
    columns = _pairs(args.col, "--col")
    for role in _roles():
        value = getattr(args, f"{role}_col", None)
        if value:
            columns[role] = value
    params = _pairs(args.param, "--param")
    common = dict(columns=columns, as_of=args.as_of, params=params, sheet=args.sheet,
                  header_row=args.header_row, overwrite=args.overwrite, allow_duplicates=args.allow_duplicates,
                  lang=args.lang, currency=args.currency, date_format=args.date_format,
                  drop_zero_amounts=args.drop_zero_amounts)
    if args.max_memory is not None:
        from crm_lessons.engine import parse_memory
        parse_memory(args.max_memory)
    if args.by or Path(args.input).is_dir():
        try:
            statuses = run_batch(args.name, args.input, args.out, by=args.by, jobs=args.jobs,
                                 progress=not args.no_progress, **common)
        except KeyboardInterrupt:
            print("error: interrupted (Ctrl-C); nothing was written.", file=sys.stderr)
            return 130
        failed = [s for s in statuses if s.status != "ok"]
        for s in failed:
            print(f"failed: {s.label}: {s.message}", file=sys.stderr)
        print(f"{len(statuses) - len(failed)} of {len(statuses)} reports written; index: "
              f"{Path(args.out) / 'index.html'}")
        return 1 if failed else 0
    try:
        out = run_report(args.name, args.input, args.out, engine=args.engine, max_memory=args.max_memory, **common)
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted (Ctrl-C); nothing was written.", file=sys.stderr)
        return 130
    print(f"report written: {out / 'report.html'}")
    return 0
