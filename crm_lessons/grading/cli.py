"""``crm-lessons exercises``: student copies, per-student variants, autograding, self-check.

Examples
--------
>>> import argparse
>>> parser = argparse.ArgumentParser(prog="crm-lessons exercises")
>>> add_arguments(parser)
>>> parser.parse_args(["grade", "submissions", "--out", "graded"]).timeout
60.0
"""

from __future__ import annotations

import argparse

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``student-copies``, ``variants``, ``grade`` and ``self-check`` actions to ``parser``."""
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
                       description="Grade SUBMISSIONS/<student_id>/<exercise>.ipynb; write OUT/gradebook.csv, "
                                   "OUT/manual.csv and OUT/feedback/<student_id>.md.")
    p.add_argument("submissions", help="folder with one sub-folder per student")
    p.add_argument("--out", required=True, help="folder for the gradebook and feedback")
    p.add_argument("--exercises", default="exercises", help="instructor exercises folder (default: exercises)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds allowed per cell (default: 60)")
    p.add_argument("--key", default=None, help="key.csv written by `variants` (default: seeds from ids)")
    p.add_argument("--jobs", type=int, default=2, help="submissions graded at once (default: 2)")
    p.add_argument("--memory", type=int, default=None, metavar="MB",
                   help="address-space limit of each sandboxed process (default: 3072)")
    p.add_argument("--unsafe", action="store_true",
                   help="grade even where the OS sandbox is unavailable (student code then runs "
                        "with all your rights); without it grading refuses and says why")
    p = sub.add_parser("self-check", help="grade the instructor versions: every check must pass",
                       description="Grade each instructor exercise as if it were a submission (for "
                                   "each --student, so with their seeds); exit 1 listing any check "
                                   "its own solution fails.")
    p.add_argument("--exercises", default="exercises", help="instructor exercises folder (default: exercises)")
    p.add_argument("--student", action="append", default=None,
                   help="student id whose seed to use; repeat for several (default: demo)")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds allowed per cell (default: 120)")
    p.add_argument("--jobs", type=int, default=2, help="notebooks graded at once (default: 2)")
    parser.set_defaults(_exercises_parser=parser)


def _self_check(args) -> int:
    import shutil
    import tempfile
    from pathlib import Path

    from crm_lessons.grading.autograde import grade
    from crm_lessons.grading.copies import instructor_exercises
    from crm_lessons.grading.variants import check_student_id

    students = [check_student_id(s, where="argument `--student`") for s in (args.student or ["demo"])]
    work = Path(tempfile.mkdtemp(prefix="crm-self-check-"))
    try:
        for student in students:
            (work / "submissions" / student).mkdir(parents=True)
            for path in instructor_exercises(args.exercises):
                shutil.copyfile(path, work / "submissions" / student / path.name)
        book = grade(work / "submissions", exercises_dir=args.exercises, out_dir=work / "graded",
                     timeout=args.timeout, jobs=args.jobs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    failed = book[book["points"].notna() & (book["points"] < book["max_points"])]
    for row in failed.itertuples():
        print(f"{row.exercise} (student {row.student}): {row.check}: {row.feedback}")
    n = book["exercise"].nunique()
    print(f"{len(failed)} failing checks in {n} exercises" if len(failed) else
          f"all checks pass on the instructor solutions ({n} exercises, {len(students)} seeds)")
    return 1 if len(failed) else 0


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
                     memory_mb=args.memory)
        auto = book[book["feedback"].str.startswith("manual grading") == False]  # noqa: E712
        totals = auto.groupby(["student", "exercise"])[["points", "max_points"]].sum()
        print(totals.to_string())
        print(f"Wrote {args.out}/gradebook.csv, manual.csv and feedback/")
        return 0
    if action == "self-check":
        return _self_check(args)
    args._exercises_parser.print_help()
    return 2
