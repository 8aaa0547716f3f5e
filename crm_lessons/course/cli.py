"""``crm-lessons course``: navigation, execution and the HTML build."""

from __future__ import annotations

import argparse

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    nav = sub.add_parser("nav", help="write the contents page and navigation cells")
    nav.add_argument("--check", action="store_true", help="only check; exit 1 if stale or a link is dead")
    sub.add_parser("workspace", help="lay out the student workspace build/lab (lessons + student exercises)")
    lab = sub.add_parser("lab", help="lay out the student workspace and open JupyterLab on it (`make lab`)")
    lab.add_argument("jupyter_args", nargs=argparse.REMAINDER, help="more arguments for jupyter lab")
    build = sub.add_parser("build", help="execute every lesson and build the HTML course under build/")
    build.add_argument("--jobs", type=int, default=2, help="lessons executed at once (default 2)")
    build.add_argument("--no-execute", action="store_true", help="reuse build/executed from the last run")


def run(args: argparse.Namespace) -> int:
    from crm_lessons.course.navigation import check_navigation, write_navigation

    if args.action == "nav":
        if args.check:
            problems = check_navigation()
            for p in problems:
                print(p)
            return 1 if problems else 0
        for path in write_navigation():
            print(f"wrote {path}")
        return 0
    if args.action in ("workspace", "lab"):
        import subprocess
        import sys

        from crm_lessons.course.workspace import lab_arguments, make_workspace

        ws = make_workspace()
        print(ws)
        if args.action == "lab":
            return subprocess.call([sys.executable, "-m", "jupyterlab", *lab_arguments(ws), *args.jupyter_args])
        return 0
    from crm_lessons.course.build import build_course

    index = build_course(jobs=args.jobs, execute=not args.no_execute)
    print(f"\nThe course is built. Open it in a browser:\n  file://{index}")
    return 0
