"""The grading record without running the grader: results, regrades, manual scores, totals, release,
the student edition and the self-check of the checks (the last one runs the real grader once)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from crm_lessons._validation import CRMInputError
from crm_lessons.cli import main
from crm_lessons.grading import gradebook
from crm_lessons.grading._submissions import md, read_regular, scan, shown, suggest
from crm_lessons.grading.edition import solution_leaks, student_edition
from crm_lessons.grading.selfcheck import _problems, zeros_source

REPO = Path(__file__).resolve().parents[1]
EXERCISE = REPO / "tests" / "fixtures" / "grading" / "exercise" / "99.01-Test-Exercise.ipynb"
SPEC = {"99.01-A": {"checks": [{"id": "q1", "points": 2}, {"id": "q2", "points": 1}],
                    "rubrics": [{"id": "r1", "points": 2}]}}


def _record(student, q1, q2, when="2024-06-30T12:00:00+00:00", answer="because"):
    return {"student": student, "exercise": "99.01-A", "status": "graded", "submitted_at": when,
            "notes": [], "manual": [{"rubric": "r1", "max_points": 2, "answer": answer, "rubric_text": "Full"}],
            "rows": [{"check": "q1", "points": q1, "max_points": 2, "feedback": "passed" if q1 else "x = 3 != 4",
                      "hidden": True},
                     {"check": "q2", "points": q2, "max_points": 1, "feedback": "passed", "hidden": False},
                     {"check": "r1", "points": None, "max_points": 2, "manual": True,
                      "feedback": "manual grading: r1"}]}


@pytest.fixture
def record(tmp_path):
    out = tmp_path / "graded"
    gradebook.store_result(out, _record("s1", 2, 1))
    gradebook.store_result(out, _record("s2", 0, 1, when="2024-07-02T08:00:00+00:00", answer="=cmd|' /C calc'!A0"))
    gradebook.update_state(out, roster=["s1", "s2", "s3"], assigned=["99.01-A"], exercises=SPEC,
                           due="2024-06-30T23:59:00+00:00")
    gradebook.rebuild(out)
    return out


def test_gradebook_rows_for_every_roster_student(record):
    book = pd.read_csv(record / "gradebook.csv", dtype=str, keep_default_na=False)
    assert book[["student", "check", "status", "points"]].values.tolist() == [
        ["s1", "q1", "graded", "2"], ["s1", "q2", "graded", "1"], ["s1", "r1", "graded", ""],
        ["s2", "q1", "late", "0"], ["s2", "q2", "late", "1"], ["s2", "r1", "late", ""],
        ["s3", "q1", "missing", "0"], ["s3", "q2", "missing", "0"], ["s3", "r1", "missing", ""]]
    manual = pd.read_csv(record / "manual.csv", dtype=str, keep_default_na=False)
    assert manual["answer"].tolist() == ["because", "'=cmd|' /C calc'!A0"]


def test_regrade_adds_a_version_and_keeps_scores(record):
    scores = pd.read_csv(record / "manual-scores.csv", dtype=str, keep_default_na=False)
    scores["score"] = ["2", "0.5"]
    scores["comment"] = ["Clear.", "Too short."]
    scores.to_csv(record / "manual-scores.csv", index=False)
    gradebook.store_result(record, _record("s2", 2, 1, when="2024-07-02T08:00:00+00:00"))
    gradebook.rebuild(record)
    assert sorted(p.name for p in (record / "results" / "s2" / "99.01-A").iterdir()) == ["v0001.json", "v0002.json"]
    assert json.loads((record / "results" / "s2" / "99.01-A" / "v0001.json").read_text())["rows"][0]["points"] == 0
    kept = pd.read_csv(record / "manual-scores.csv", dtype=str, keep_default_na=False)
    assert kept[["student", "score", "comment"]].values.tolist() == [["s1", "2", "Clear."], ["s2", "0.5", "Too short."]]
    frame = gradebook.totals(record, late_penalty=0.25)
    assert frame[["student", "status", "auto_points", "manual_points", "days_late", "penalty", "total"]].values.tolist() == [
        ["s1", "graded", 3, 2.0, 0, 0.0, 5.0], ["s2", "late", 3, 0.5, 2, 0.5, 1.75],
        ["s3", "missing", 0, 0, 0, 0.0, 0.0]]
    lms = pd.read_csv(record / "lms.csv", dtype=str, keep_default_na=False)
    assert lms.values.tolist() == [["Points Possible", "", "", "5.0", "5.0"], ["s1", "s1", "", "5.0", "5.0"],
                                   ["s2", "s2", "", "1.75", "1.75"], ["s3", "s3", "", "0.0", "0.0"]]


def test_release_hides_expected_values_when_asked(record, tmp_path):
    gradebook.release(record, tmp_path / "rel", hide_expected=True)
    s2 = (tmp_path / "rel" / "s2.md").read_text(encoding="utf-8")
    assert "| q1 | 0 / 2 | not passed (hidden check; the expected value is not shown) |" in s2
    assert "x = 3 != 4" not in s2 and "| r1 | pending | to be graded by hand |" in s2
    gradebook.release(record, tmp_path / "rel2")
    assert "| q1 | 0 / 2 | x = 3 != 4 |" in (tmp_path / "rel2" / "s2.md").read_text(encoding="utf-8")
    assert (tmp_path / "rel" / "s3.md").read_text(encoding="utf-8").count("No submission was received.") == 1


def test_bad_manual_scores_and_arguments_are_named(record):
    (record / "manual-scores.csv").write_text(
        "student,exercise,rubric,max_points,score,comment\ns1,99.01-A,r1,2,3,\n", encoding="utf-8")
    with pytest.raises(CRMInputError, match=r"manual-scores.csv', column 'score', line 2: must be a number "
                                            r"from 0 to 2; found '3'"):
        gradebook.totals(record)
    with pytest.raises(CRMInputError, match="argument `late_penalty`: must be a fraction from 0 to 1"):
        gradebook.totals(record, late_penalty=5)
    with pytest.raises(CRMInputError, match="holds no grading results"):
        gradebook.totals(record / "results")
    assert main(["exercises", "totals", str(record / "nothing")]) == 2


def test_scan_reads_only_regular_files_and_names_the_rest(tmp_path):
    subs = tmp_path / "subs"
    (subs / "s1").mkdir(parents=True)
    (subs / "s1" / "99.01-A.ipynb").write_text("{}")
    (subs / "s1" / "99.01-a (1).ipynb").write_text("{}")
    (subs / "s1" / ".ipynb_checkpoints").mkdir()
    (subs / "s2").mkdir()
    (subs / "s2" / "99.01-A.ipynb").symlink_to(EXERCISE)
    (subs / "bad name").mkdir()
    (subs / "loose.ipynb").write_text("{}")
    found, unmatched = scan(subs, ["99.01-A"])
    assert [(f["student"], f["problem"]) for f in found] == [("s1", None), ("s2", "a symbolic link")]
    assert unmatched["s1"] == [(".ipynb_checkpoints/", "a folder"), (
        "99.01-a (1).ipynb", "not an exercise notebook name; it looks like 99.01-A: rename it to 99.01-A.ipynb "
        "to have it graded")]
    assert [name for name, _ in unmatched[""]] == ["bad name/", "loose.ipynb"]
    with pytest.raises(ValueError, match="a symbolic link"):
        read_regular(subs / "s2" / "99.01-A.ipynb")
    assert scan(subs, ["99.01-A"], students={"s2"})[1] == {"s2": []}


def test_names_are_escaped():
    assert shown("a\nb\x00\udcff") == "a\\nb\\x00\\xff"
    assert md("| x | <b>") == "\\| x \\| \\<b\\>"
    assert suggest("notes.txt", ["99.01-A"]) is None


def test_student_edition_has_no_solution(tmp_path):
    out = student_edition(REPO, tmp_path / "edition")
    assert (out / "exercises" / "student").is_dir() and (out / "crm_lessons" / "__init__.py").is_file()
    assert not list(out.glob("exercises/*.ipynb")) and not (out / "tests").exists() and not (out / ".git").exists()
    assert solution_leaks(out) == []
    assert solution_leaks(EXERCISE.parent)[0] == "99.01-Test-Exercise.ipynb: cell 5 holds a solution"
    with pytest.raises(CRMInputError, match="already exists"):
        student_edition(REPO, out)
    with pytest.raises(CRMInputError, match="is not the course repository"):
        student_edition(tmp_path, tmp_path / "e2")


def test_zeros_source_and_problem_lines():
    assert zeros_source("x = 1\n### BEGIN SOLUTION\na, b = 1, 2\n### END SOLUTION\nprint(a)") == \
        "x = 1\na = 0\nb = 0\nprint(a)"
    book = pd.DataFrame({"student": ["s1", "s1.zeros", "s1.other", "s1.blank", "s1.other", "s1.other"],
                         "exercise": ["E"] * 6, "check": ["q1", "q2", "q3", "q4", "q5", "q3"],
                         "status": ["graded"] * 6, "points": pd.array([0, 1, 0, 0, 1, 2], dtype="Int64"),
                         "max_points": pd.array([1, 1, 1, 1, 1, 2], dtype="Int64"),
                         "feedback": ["AssertionError: off", "passed", "AssertionError (without a message)",
                                      "answer `x` was not computed", "passed", "passed"]})
    assert _problems(book, hidden={("E", "q3")}) == [
        "E: check q1 fails on your solution (student s1): AssertionError: off",
        "E: check q2 gives 1 point(s) to a copy that sets every answer to 0 (student s1)",
        "E: check q3 fails without a message (AssertionError (without a message)); give its assert a message "
        "that tells the student what is wrong",
        "E: check q3 gives 2 point(s) to a copy computed on another student's data (a hidden check that "
        "ignores the student's data) (student s1)"]  # visible q5 passing on other data is not a problem


def test_self_check_catches_checks_that_reward_wrong_answers(capsys):
    code = main(["exercises", "self-check", "--exercises", str(EXERCISE.parent), "--student", "s001",
                 "--timeout", "20", "--no-progress"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    # the fixture's q2-visible tests only the type: a guessed 0 passes it; its hidden checks hold
    assert lines == [
        "99.01-Test-Exercise: check q2-visible gives 1 point(s) to a copy that sets every answer to 0 (student s001)",
        "1 problem with the checks"]
