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

__all__ = ["main", "skip_slow_imports", "SUBCOMMANDS"]

#: name -> (module, one-line help)
SUBCOMMANDS = {
    "course": ("crm_lessons.course.cli", "execute the lessons, check navigation, build the HTML course"),
    "exercises": ("crm_lessons.grading.cli", "student copies, per-student variants and autograding"),
    "report": ("crm_lessons.reports.cli", "parameterised analysis reports on your own data"),
}


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only ``command``'s module is imported for its options (the others stay unloaded)."""
    parser = argparse.ArgumentParser(
        prog="crm-lessons", description="CRM Lessons (客户关系管理): the course, the exercises and the reports.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(_module=module)
        if name != command:
            continue
        try:
            importlib.import_module(module).add_arguments(p)
        except ModuleNotFoundError as exc:  # a subcommand not built yet
            if exc.name is None or not module.startswith(exc.name):
                raise
    return parser


def skip_slow_imports() -> None:
    """Keep ``rfc3987_syntax`` out of this process: importing it compiles a grammar (about 2 s).

    ``jsonschema`` (under ``nbformat``, which papermill and nbconvert import) registers the
    ``iri`` format checkers only when that module imports; no notebook schema uses the ``iri``
    format, so nothing is validated differently. A process that imported it already keeps it.

    >>> skip_slow_imports()
    """
    sys.modules.setdefault("rfc3987_syntax", None)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    from crm_lessons._validation import CRMInputError

    skip_slow_imports()
    argv = sys.argv[1:] if argv is None else list(argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    args = _parser(command).parse_args(argv)
    if not getattr(args, "command", None):
        _parser().print_help()
        return 2
    try:
        return int(importlib.import_module(args._module).run(args) or 0)
    except Exception as exc:
        models = sys.modules.get("crm_lessons.models")  # a fit can fail only if the models were imported
        if isinstance(exc, CRMInputError) or (models is not None and isinstance(exc, models.ConvergenceError)):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
