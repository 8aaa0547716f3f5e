"""The grading record of a course: per-submission results, gradebook, manual scores, totals, release.

Everything lives in the grading output folder ``OUT``:

``results/<student>/<exercise>/v0001.json``  one file per grading of a submission, never
                                            overwritten: a regrade adds the next version;
``state.json``                              roster, assigned exercises and their checks,
                                            due date, files that matched no exercise;
``gradebook.csv``                           rebuilt from the latest versions: every roster
                                            student x assigned exercise, graded or not;
``manual.csv``                              each judgement answer beside its rubric (rebuilt);
``manual-scores.csv``                       **yours**: score and comment per judgement answer.
                                            Grading only adds rows for new answers; it never
                                            changes a row you filled in;
``feedback/<student>.md``                   drafts for checking (rebuilt);
``totals.csv``, ``lms.csv``                 written by :func:`totals`;
``release/<student>.md``                    written by :func:`release`, to send.

Examples
--------
>>> import tempfile
>>> out = tempfile.mkdtemp()
>>> record = {"student": "s1", "exercise": "01.01-A", "status": "graded", "submitted_at":
...           "2024-03-01T10:00:00+00:00", "notes": [], "manual": [], "rows": [
...           {"check": "q1", "points": 2, "max_points": 2, "feedback": "passed", "hidden": False}]}
>>> store_result(out, record).name
'v0001.json'
>>> update_state(out, roster=["s1", "s2"], assigned=["01.01-A"],
...              exercises={"01.01-A": {"checks": [{"id": "q1", "points": 2}], "rubrics": []}})
>>> rebuild(out)[["student", "check", "status", "points"]].to_string(index=False)
'student check  status  points\\n     s1    q1  graded       2\\n     s2    q1 missing       0'
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from crm_lessons._validation import CRMInputError
from crm_lessons.grading._submissions import md
from crm_lessons.io import write_csv_safe

__all__ = ["GRADEBOOK_COLUMNS", "MANUAL_COLUMNS", "SCORE_COLUMNS", "TOTALS_COLUMNS", "store_result",
           "latest_results", "update_state", "read_state", "rebuild", "read_scores", "totals", "release",
           "parse_due"]

GRADEBOOK_COLUMNS = ["student", "exercise", "check", "status", "points", "max_points", "feedback"]
MANUAL_COLUMNS = ["student", "exercise", "rubric", "max_points", "answer", "rubric_text"]
SCORE_COLUMNS = ["student", "exercise", "rubric", "max_points", "score", "comment"]
TOTALS_COLUMNS = ["student", "exercise", "status", "auto_points", "manual_points", "manual_pending",
                  "max_points", "submitted_at", "days_late", "penalty", "total"]
_VERSION = re.compile(r"^v(\d{4,})\.json$")


# --------------------------------------------------------------------------- files
def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    mask = os.umask(0o022)
    os.umask(mask)
    os.chmod(tmp, 0o666 & ~mask)
    os.replace(tmp, path)


def store_result(out_dir, record: dict) -> Path:
    """Save one grading of one submission as the next version; earlier versions stay."""
    folder = Path(out_dir) / "results" / record["student"] / record["exercise"]
    folder.mkdir(parents=True, exist_ok=True)
    versions = [int(m.group(1)) for p in folder.iterdir() if (m := _VERSION.match(p.name))]
    n = max(versions, default=0) + 1
    record = {**record, "version": n, "graded_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    path = folder / f"v{n:04d}.json"
    _write_atomic(path, json.dumps(record, ensure_ascii=False, indent=1))
    return path


def latest_results(out_dir) -> dict:
    """``{(student, exercise): record}`` of the newest version of every stored result."""
    out = {}
    results = Path(out_dir) / "results"
    for folder in sorted(results.glob("*/*")) if results.is_dir() else []:
        versions = sorted((int(m.group(1)), p) for p in folder.iterdir() if (m := _VERSION.match(p.name)))
        if versions:
            record = json.loads(versions[-1][1].read_text(encoding="utf-8"))
            out[(record["student"], record["exercise"])] = record
    return out


def read_state(out_dir) -> dict:
    """The grading state of ``out_dir`` (empty on a first run)."""
    path = Path(out_dir) / "state.json"
    state = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return {"roster": [], "assigned": [], "exercises": {}, "unmatched": {}, "due": None,
            "hide_expected": False, **state}


def update_state(out_dir, *, roster=None, assigned=(), exercises=None, unmatched=None, due=None,
                 hide_expected=None) -> None:
    """Merge into ``state.json``: the roster replaces, exercises add, unmatched replaces per folder."""
    state = read_state(out_dir)
    if roster is not None:
        state["roster"] = list(roster)
    state["assigned"] = sorted(set(state["assigned"]) | set(assigned))
    state["exercises"].update(exercises or {})
    state["unmatched"].update(unmatched or {})
    if due is not None:
        state["due"] = due
    if hide_expected is not None:
        state["hide_expected"] = bool(hide_expected)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    _write_atomic(Path(out_dir) / "state.json", json.dumps(state, ensure_ascii=False, indent=1))


def parse_due(due, *, where="argument `due`"):
    """A due date as an aware UTC timestamp (naive dates are taken as UTC), or None.

    Examples
    --------
    >>> parse_due("2024-06-30 23:59").isoformat()
    '2024-06-30T23:59:00+00:00'
    """
    if due is None or due == "":
        return None
    try:
        ts = pd.Timestamp(due)
    except (ValueError, TypeError):
        raise CRMInputError(f"{where}: not a date; found {due!r}. Write it like 2024-06-30T23:59 "
                            "(UTC) or 2024-06-30T23:59+08:00.") from None
    return (ts.tz_localize("UTC") if ts.tz is None else ts.tz_convert("UTC")).to_pydatetime()


def _late(record, due) -> bool:
    return bool(due and record.get("submitted_at") and
                datetime.fromisoformat(record["submitted_at"]) > due)


# --------------------------------------------------------------------------- gradebook
def _gradebook_rows(state, latest):
    due = parse_due(state.get("due"))
    students = list(dict.fromkeys(list(state["roster"]) + sorted({s for s, _ in latest})))
    rows = []
    for student in students:
        for exercise in state["assigned"]:
            record = latest.get((student, exercise))
            if record is None:
                spec = state["exercises"].get(exercise, {"checks": [], "rubrics": []})
                rows += [{"student": student, "exercise": exercise, "check": c["id"], "status": "missing",
                          "points": 0, "max_points": c["points"], "feedback": "missing: no submission"}
                         for c in spec["checks"]]
                rows += [{"student": student, "exercise": exercise, "check": r["id"], "status": "missing",
                          "points": None, "max_points": r["points"], "feedback": "missing: no submission"}
                         for r in spec["rubrics"]]
                continue
            status = "late" if record["status"] == "graded" and _late(record, due) else record["status"]
            rows += [{"student": student, "exercise": exercise, "check": r["check"], "status": status,
                      "points": r["points"], "max_points": r["max_points"], "feedback": r["feedback"]}
                     for r in record["rows"]]
        for name, why in state["unmatched"].get(student, []):
            rows.append({"student": student, "exercise": "", "check": "", "status": "unmatched",
                         "points": None, "max_points": None, "feedback": f"unmatched file '{name}': {why}"})
    for name, why in state["unmatched"].get("", []):
        rows.append({"student": "", "exercise": "", "check": "", "status": "unmatched", "points": None,
                     "max_points": None, "feedback": f"unmatched file '{name}': {why}"})
    return rows


def _points_columns(df: pd.DataFrame, cols) -> pd.DataFrame:
    for col in cols:  # whole points print as 2, not 2.0; half points stay
        values = pd.to_numeric(df[col], errors="coerce")
        whole = values.dropna().eq(values.dropna().round()).all()
        df[col] = values.astype("Int64" if whole else "Float64")
    return df


def rebuild(out_dir) -> pd.DataFrame:
    """Rewrite gradebook.csv, manual.csv, feedback drafts and new rows of manual-scores.csv.

    Built from the newest stored result of every submission and the state, so
    grading one student or one exercise changes only those rows.
    """
    out_dir = Path(out_dir)
    state, latest = read_state(out_dir), latest_results(out_dir)
    book = _points_columns(pd.DataFrame(_gradebook_rows(state, latest), columns=GRADEBOOK_COLUMNS),
                           ["points", "max_points"])
    write_csv_safe(book, out_dir / "gradebook.csv")
    manual = [{"student": s, "exercise": e, **m} for (s, e), rec in sorted(latest.items())
              for m in rec.get("manual", [])]
    write_csv_safe(pd.DataFrame(manual, columns=MANUAL_COLUMNS), out_dir / "manual.csv")
    _merge_scores(out_dir, manual)
    scores = read_scores(out_dir)
    for student in sorted({s for s, _ in latest}):
        text = feedback_text(student, state, latest, scores, hide_expected=state["hide_expected"])
        _write_atomic(out_dir / "feedback" / f"{student}.md", text)
    return book


def _merge_scores(out_dir: Path, manual) -> None:
    path = out_dir / "manual-scores.csv"
    old = read_scores(out_dir, raw=True)
    have = set(zip(old["student"], old["exercise"], old["rubric"]))
    new = [{"student": m["student"], "exercise": m["exercise"], "rubric": m["rubric"],
            "max_points": m["max_points"], "score": "", "comment": ""}
           for m in manual if (m["student"], m["exercise"], m["rubric"]) not in have]
    if new or not path.exists():
        new = pd.DataFrame(new, columns=SCORE_COLUMNS).astype(str)
        write_csv_safe(pd.concat([old, new], ignore_index=True).astype(object), path)


def read_scores(out_dir, *, raw=False) -> pd.DataFrame:
    """The instructor's ``manual-scores.csv``, checked (score empty or within 0..max_points).

    Examples
    --------
    >>> import tempfile
    >>> read_scores(tempfile.mkdtemp()).columns.tolist()
    ['student', 'exercise', 'rubric', 'max_points', 'score', 'comment']
    """
    path = Path(out_dir) / "manual-scores.csv"
    if not path.exists():
        return pd.DataFrame(columns=SCORE_COLUMNS, dtype=str)
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in SCORE_COLUMNS if c not in df.columns]
    if missing:
        raise CRMInputError(f"file '{path}': columns {missing} are missing; found {list(df.columns)}. "
                            "Restore the header row student,exercise,rubric,max_points,score,comment.")
    for col in ("student", "exercise", "rubric"):
        df[col] = df[col].str.lstrip("'")
    if raw:
        return df[SCORE_COLUMNS]
    for i, row in df.iterrows():
        if row["score"].strip() == "":
            continue
        try:
            score, top = float(row["score"]), float(row["max_points"])
        except ValueError:
            score, top = math.nan, 0.0
        if not 0 <= score <= top:
            raise CRMInputError(f"file '{path}', column 'score', line {i + 2}: must be a number from 0 to "
                                f"{row['max_points']}; found {row['score']!r}. Correct it or leave it empty.")
    return df[SCORE_COLUMNS]


# --------------------------------------------------------------------------- feedback
def _manual_lookup(scores):
    return {(r.student, r.exercise, r.rubric): (r.score, r.comment) for r in scores.itertuples()}


def feedback_text(student, state, latest, scores, *, hide_expected=False, penalties=None) -> str:
    """The feedback of one student in Markdown: per exercise, every check, notes, manual scores."""
    manual = _manual_lookup(scores)
    lines = [f"# Feedback for {md(student)}", ""]
    exercises = list(dict.fromkeys(list(state["assigned"]) + [e for s, e in latest if s == student]))
    for exercise in exercises:
        record = latest.get((student, exercise))
        lines += [f"## {md(exercise)}", ""]
        if record is None:
            lines += ["No submission was received.", ""]
            continue
        auto = [r for r in record["rows"] if not r.get("manual")]
        got = sum(r["points"] or 0 for r in auto)
        lines += [f"Automatic checks: {got:g} / {sum(r['max_points'] for r in auto):g} points.", "",
                  "| check | points | feedback |", "|---|---|---|"]
        for r in record["rows"]:
            if r.get("manual"):
                score, comment = manual.get((student, exercise, r["check"]), ("", ""))
                pts = f"{float(score):g} / {r['max_points']:g}" if score else "pending"
                text = comment or ("graded by hand" if score else "to be graded by hand")
            else:
                pts = f"{r['points']:g} / {r['max_points']:g}"
                text = r["feedback"]
                if hide_expected and r.get("hidden") and r["points"] < r["max_points"]:
                    text = "not passed (hidden check; the expected value is not shown)"
            lines.append(f"| {md(r['check'])} | {pts} | {md(text)} |")
        if penalties and (student, exercise) in penalties:
            lines += ["", penalties[(student, exercise)]]
        if record.get("notes"):
            lines += ["", "Notes:", ""] + [f"- {md(n)}" for n in record["notes"]]
        lines.append("")
    unmatched = state["unmatched"].get(student, [])
    if unmatched:
        lines += ["## Files not graded", ""] + [f"- {md(name)}: {md(why)}" for name, why in unmatched] + [""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- totals and hand-off
def _totals_frame(out_dir, due, late_penalty) -> pd.DataFrame:
    state, latest = read_state(out_dir), latest_results(out_dir)
    due = parse_due(due) if due is not None else parse_due(state.get("due"))
    manual = _manual_lookup(read_scores(out_dir))
    rows = []
    students = list(dict.fromkeys(list(state["roster"]) + sorted({s for s, _ in latest})))
    for student in students:
        for exercise in state["assigned"]:
            spec = state["exercises"].get(exercise, {"checks": [], "rubrics": []})
            top = sum(c["points"] for c in spec["checks"]) + sum(r["points"] for r in spec["rubrics"])
            record = latest.get((student, exercise))
            if record is None:
                rows.append({"student": student, "exercise": exercise, "status": "missing", "auto_points": 0,
                             "manual_points": 0, "manual_pending": 0, "max_points": top, "submitted_at": "",
                             "days_late": 0, "penalty": 0.0, "total": 0.0})
                continue
            auto = sum(r["points"] or 0 for r in record["rows"] if not r.get("manual"))
            given = [manual.get((student, exercise, r["check"]), ("", ""))[0]
                     for r in record["rows"] if r.get("manual")]
            days = 0
            if due and record.get("submitted_at"):
                late_by = (datetime.fromisoformat(record["submitted_at"]) - due).total_seconds()
                days = max(0, math.ceil(late_by / 86400))
            penalty = min(1.0, days * late_penalty)
            got = auto + sum(float(g) for g in given if g)
            rows.append({"student": student, "exercise": exercise,
                         "status": "late" if days else record["status"], "auto_points": auto,
                         "manual_points": sum(float(g) for g in given if g),
                         "manual_pending": sum(1 for g in given if not g), "max_points": top,
                         "submitted_at": record.get("submitted_at", ""), "days_late": days,
                         "penalty": penalty, "total": round(got * (1 - penalty), 2)})
    return pd.DataFrame(rows, columns=TOTALS_COLUMNS)


def _example() -> str:
    """A grading folder with one result (for the examples): s1 scored 1 / 2 on E, sent 2024-07-01."""
    out = tempfile.mkdtemp()
    rows = [{"check": "q1", "points": 1, "max_points": 2, "feedback": "x is 3, expected 4", "hidden": True}]
    store_result(out, {"student": "s1", "exercise": "E", "status": "graded", "notes": [], "manual": [],
                       "submitted_at": "2024-07-01T10:00:00+00:00", "rows": rows})
    update_state(out, assigned=["E"], exercises={"E": {"checks": [{"id": "q1", "points": 2}], "rubrics": []}})
    return out


def totals(out_dir, *, due=None, late_penalty=0.0, roster=None) -> pd.DataFrame:
    """Write ``totals.csv`` (student x exercise) and ``lms.csv`` (one row per student).

    Parameters
    ----------
    out_dir : path-like
        The grading output folder.
    due : str, optional
        Due date (default: the one given to ``grade``). A submission whose file
        time is later is late by the number of started days.
    late_penalty : float, default 0
        Fraction of the points taken off per day late (capped at all of them).
    roster : path-like, optional
        Roster CSV with ``student_id`` and optionally ``name`` and ``email``
        columns, copied into ``lms.csv``.

    Returns
    -------
    pandas.DataFrame
        The totals: automatic + manual points, pending manual items, lateness,
        penalty and total per student and exercise.

    Examples
    --------
    >>> out = _example()  # one graded submission, s1 of exercise E, sent on 1 July
    >>> totals(out, due="2024-06-30", late_penalty=0.1)[["student", "days_late", "penalty", "total"]]
      student  days_late  penalty  total
    0      s1          2      0.2    0.8
    """
    out_dir = Path(out_dir)
    if not (out_dir / "state.json").is_file():
        raise CRMInputError(f"argument `out_dir`: '{out_dir}' holds no grading results; pass the --out "
                            "folder of `crm-lessons exercises grade`.")
    if not 0 <= float(late_penalty) <= 1:
        raise CRMInputError(f"argument `late_penalty`: must be a fraction from 0 to 1 per day; found "
                            f"{late_penalty!r}, e.g. 0.1 for 10% a day.")
    frame = _totals_frame(out_dir, due, float(late_penalty))
    write_csv_safe(frame, out_dir / "totals.csv")
    write_csv_safe(_lms(frame, roster), out_dir / "lms.csv")
    return frame


def _lms(frame: pd.DataFrame, roster) -> pd.DataFrame:
    """Canvas/Moodle-style sheet: Student, SIS User ID, Email, one column per exercise, Total."""
    info = {}
    if roster is not None:
        table = pd.read_csv(roster, dtype=str, keep_default_na=False)
        info = {r["student_id"]: r for r in table.to_dict("records")}
    wide = frame.pivot_table(index="student", columns="exercise", values="total", aggfunc="sum", sort=False)
    tops = frame.groupby("exercise", sort=False)["max_points"].max()
    rows = [{"Student": "Points Possible", "SIS User ID": "", "Email": "",
             **{f"{e} ({tops[e]:g})": tops[e] for e in wide.columns}, "Total": tops.sum()}]
    for student, values in wide.iterrows():
        row = info.get(student, {})
        rows.append({"Student": row.get("name", student), "SIS User ID": student, "Email": row.get("email", ""),
                     **{f"{e} ({tops[e]:g})": round(float(values[e]), 2) for e in wide.columns},
                     "Total": round(float(values.sum()), 2)})
    return pd.DataFrame(rows)


def release(out_dir, to, *, due=None, late_penalty=0.0, hide_expected=None) -> list[Path]:
    """Write the final feedback of every student to ``to/<student>.md`` (manual scores included).

    Run it when manual grading is done; ``hide_expected`` (default: as given to
    ``grade``) replaces the message of a failed hidden check by a neutral one.

    Examples
    --------
    >>> out = _example()  # one graded submission, s1 of exercise E, sent on 1 July
    >>> [p.name for p in release(out, out + "/release", hide_expected=True)]
    ['s1.md']
    >>> print(open(out + "/release/s1.md").read().splitlines()[8])
    | q1 | 1 / 2 | not passed (hidden check; the expected value is not shown) |
    """
    out_dir, to = Path(out_dir), Path(to)
    frame = totals(out_dir, due=due, late_penalty=late_penalty)
    state, latest, scores = read_state(out_dir), latest_results(out_dir), read_scores(out_dir)
    hide = state["hide_expected"] if hide_expected is None else bool(hide_expected)
    penalties = {(r.student, r.exercise): f"Submitted {r.days_late} day(s) late: {r.penalty:.0%} "
                 f"taken off; total {r.total:g} / {r.max_points:g}." if r.days_late else
                 f"Total {r.total:g} / {r.max_points:g}." for r in frame.itertuples()}
    written = []
    for student in dict.fromkeys(frame["student"]):
        text = feedback_text(student, state, latest, scores, hide_expected=hide, penalties=penalties)
        _write_atomic(to / f"{student}.md", text)
        written.append(to / f"{student}.md")
    return written
