"""The ``crm-lessons`` command line.

Subcommands live in their own modules; each module exposes
``add_arguments(parser)`` and ``run(args) -> int``. They are imported only when
used, so ``crm-lessons --help`` stays fast.

Examples
--------
>>> main(["--help"])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import importlib
import sys

__all__ = ["main", "SUBCOMMANDS"]

#: name -> (module, one-line help)
SUBCOMMANDS = {
    "course": ("crm_lessons.course.cli", "execute the lessons, check navigation, build the HTML course"),
    "exercises": ("crm_lessons.grading.cli", "student copies, per-student variants and autograding"),
    "report": ("crm_lessons.reports.cli", "parameterised analysis reports on your own data"),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crm-lessons", description="CRM Lessons (客户关系管理): the course, the exercises and the reports.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module)
        try:
            importlib.import_module(module).add_arguments(p)
        except ModuleNotFoundError as exc:  # a subcommand not built yet
            if exc.name is None or not module.startswith(exc.name):
                raise
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    from crm_lessons._validation import CRMInputError
    from crm_lessons.models import ConvergenceError

    args = _parser().parse_args(argv)
    if not getattr(args, "command", None):
        _parser().print_help()
        return 2
    try:
        return int(importlib.import_module(args._module).run(args) or 0)
    except (CRMInputError, ConvergenceError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
