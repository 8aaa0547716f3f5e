"""``crm-lessons exercises``: student copies, per-student variants, autograding, self-check.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="crm-lessons exercises")
>>> add_arguments(parser)
>>> parser.parse_args(["grade", "submissions", "--out", "graded"]).timeout
60.0
>>> parser.parse_args(["totals", "graded", "--late-penalty", "0.1"]).late_penalty
0.1
"""

from __future__ import annotations

import argparse

__all__ = ["add_arguments", "run"]


def _late_policy(p) -> None:
    """The arguments `totals` and `release` share: the grading folder and the late policy."""
    p.add_argument("out", help="the --out folder of `grade`")
    p.add_argument("--due", default=None, help="due date (default: the one given to `grade`)")
    p.add_argument("--late-penalty", type=float, default=0.0,
                   help="fraction of the points taken off per started day late (default: 0)")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``student-copies``, ``variants``, ``grade``, ``totals``, ``release``,
    ``student-edition`` and ``self-check`` actions to ``parser``."""
    sub = parser.add_subparsers(dest="exercises_command", metavar="ACTION")
    p = sub.add_parser("student-copies", help="write exercises/student/ from the instructor versions",
                       description="Write the student copy of every exercises/*.ipynb "
                                   "(solutions, hidden checks and rubrics removed, outputs cleared).")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 listing student copies that are out of step")
    p.add_argument("--exercises", default="exercises", help="instructor exercises folder (default: exercises)")
    p.add_argument("--out", default=None, help="student copies folder (default: <exercises>/student)")

    p = sub.add_parser("variants", help="one notebook per student, with the student's own data",
                       description="Write OUT/<student_id>/<exercise>.ipynb for every student of the "
                                   "roster (seeded by the student id) and OUT/key.csv.")
    p.add_argument("exercise", help="the instructor exercise notebook")
    p.add_argument("--roster", required=True, help="CSV with a student_id column")
    p.add_argument("--out", required=True, help="folder to distribute")

    p = sub.add_parser("grade", help="grade a folder of submissions",
                       description="Grade SUBMISSIONS/<student_id>/<exercise>.ipynb in the OS sandbox; "
                                   "add the results to OUT/results/ and rebuild OUT/gradebook.csv, "
                                   "OUT/manual.csv and OUT/feedback/ (OUT/manual-scores.csv only gains rows).")
    p.add_argument("submissions", help="folder with one sub-folder per student")
    p.add_argument("--out", required=True, help="folder for the grading record (kept across regrades)")
    p.add_argument("--exercises", default="exercises", help="instructor exercises folder (default: exercises)")
    p.add_argument("--roster", default=None, help="CSV with a student_id column: every student gets a row")
    p.add_argument("--student", action="append", default=None,
                   help="grade only this student (repeat for several); other rows are kept")
    p.add_argument("--exercise", action="append", default=None,
                   help="grade only this exercise, e.g. 02.05-Customer-Value-Segmentation (repeatable)")
    p.add_argument("--due", default=None, help="due date, e.g. 2024-06-30T23:59+08:00: later files are 'late'")
    p.add_argument("--hide-expected", action="store_true",
                   help="feedback on a failed hidden check does not show its message (expected values)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds allowed per cell (default: 60)")
    p.add_argument("--key", default=None, help="key.csv written by `variants` (default: seeds from ids)")
    p.add_argument("--jobs", type=int, default=2, help="submissions graded at once (default: 2)")
    p.add_argument("--memory", type=int, default=None, metavar="MB",
                   help="address-space limit of each sandboxed process (default: 3072)")
    p.add_argument("--unsafe", action="store_true",
                   help="grade even where the OS sandbox is unavailable (student code then runs "
                        "with all your rights); without it grading refuses and says why")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")

    p = sub.add_parser("totals", help="totals per student and an LMS import sheet",
                       description="Add automatic points and your manual-scores.csv per student and "
                                   "exercise, apply the late policy; write OUT/totals.csv and OUT/lms.csv.")
    _late_policy(p)
    p.add_argument("--roster", default=None, help="roster CSV; its name and email columns go into lms.csv")

    p = sub.add_parser("release", help="write the final feedback files to send",
                       description="Write RELEASE/<student_id>.md: automatic checks, your manual scores "
                                   "and comments, lateness and total (runs `totals` first).")
    _late_policy(p)
    p.add_argument("--to", required=True, help="folder for the released feedback files")
    p.add_argument("--hide-expected", action="store_true", default=None,
                   help="do not show the message of a failed hidden check")

    p = sub.add_parser("student-edition", help="build the course to hand out (no solutions)",
                       description="Copy the lessons, the student copies of the exercises, the crm_lessons "
                                   "package and the data into OUT, without instructor exercises or grading "
                                   "records; fails if a solution would be included.")
    p.add_argument("--out", required=True, help="folder to create (must not exist)")
    p.add_argument("--root", default=".", help="the course repository (default: .)")

    p = sub.add_parser("self-check", help="check the checks: solutions pass, wrong copies earn nothing",
                       description="Grade each instructor exercise as if it were a submission (for "
                                   "each --student, so with their seeds), and three wrong copies: the blank "
                                   "student copy, every answer set to 0, and the solutions run on another "
                                   "student's data. Exit 1 listing any check the solution fails, any point "
                                   "a wrong copy earns and any check that fails without a message.")
    p.add_argument("--exercises", default="exercises", help="instructor exercises folder (default: exercises)")
    p.add_argument("--student", action="append", default=None,
                   help="student id whose seed to use; repeat for several (default: demo)")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds allowed per cell (default: 120)")
    p.add_argument("--jobs", type=int, default=2, help="notebooks graded at once (default: 2)")
    p.add_argument("--unsafe", action="store_true", help="as for `grade`")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(_exercises_parser=parser)


def _self_check(args) -> int:
    from crm_lessons.grading.selfcheck import self_check

    problems = self_check(args.exercises, args.student or ["demo"], timeout=args.timeout, jobs=args.jobs,
                          unsafe=args.unsafe, progress=not args.no_progress)
    for line in problems:
        print(line)
    print(f"{len(problems)} problem{'s' * (len(problems) != 1)} with the checks" if problems else
          "all checks pass on your solutions and give no point to blank, zero or other-data copies")
    return 1 if problems else 0


def run(args) -> int:
    """Run the chosen action; return the exit code."""
    action = getattr(args, "exercises_command", None)
    if action == "student-copies":
        from crm_lessons.grading.copies import check_student_copies, write_student_copies

        if args.check:
            problems = check_student_copies(args.exercises, args.out)
            for line in problems:
                print(line)
            if problems:
                print("Student copies are out of step; run `crm-lessons exercises student-copies`.")
            return 1 if problems else 0
        for path in write_student_copies(args.exercises, args.out):
            print(path)
        return 0
    if action == "variants":
        from crm_lessons.grading.variants import make_variants

        print(make_variants(args.exercise, args.roster, args.out))
        return 0
    if action == "grade":
        from crm_lessons.grading.autograde import grade

        book = grade(args.submissions, exercises_dir=args.exercises, out_dir=args.out,
                     timeout=args.timeout, key=args.key, jobs=args.jobs, unsafe=args.unsafe,
                     memory_mb=args.memory, roster=args.roster, students=args.student,
                     exercises=args.exercise, due=args.due, hide_expected=args.hide_expected or None,
                     progress=not args.no_progress)
        graded = book[book["status"] != "unmatched"]
        print(graded.groupby(["student", "exercise", "status"])[["points", "max_points"]].sum().to_string())
        if (book["status"] == "unmatched").any():
            print(f"{int((book['status'] == 'unmatched').sum())} unmatched files (see gradebook.csv)")
        print(f"Wrote {args.out}/gradebook.csv, manual.csv, manual-scores.csv (new rows only) and feedback/")
        return 0
    if action in ("totals", "release"):
        from crm_lessons.grading import gradebook

        if action == "totals":
            frame = gradebook.totals(args.out, due=args.due, late_penalty=args.late_penalty, roster=args.roster)
            print(frame.to_string(index=False))
            print(f"Wrote {args.out}/totals.csv and {args.out}/lms.csv")
        else:
            paths = gradebook.release(args.out, args.to, due=args.due, late_penalty=args.late_penalty,
                                      hide_expected=args.hide_expected)
            print(f"Wrote {len(paths)} feedback files to {args.to}")
        return 0
    if action == "student-edition":
        from crm_lessons.grading.edition import student_edition

        print(student_edition(args.root, args.out))
        return 0
    if action == "self-check":
        return _self_check(args)
    args._exercises_parser.print_help()
    return 2
