"""Tests for crm_lessons.grading: student copies, variants and the autograder.

The autograder test grades the sample submissions in tests/fixtures/grading/
(made by make_fixtures.py there) and compares the gradebook with
expected_gradebook.csv exactly. The submissions are: alice correct, bob partly
correct, carol broken (syntax error, exception, then an infinite loop), eve
tampered and hostile, frank alice's notebook with her numbers typed in, gina
a corrupt file and a notebook for an exercise that does not exist.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from crm_lessons._validation import CRMInputError
from crm_lessons.cli import main
from crm_lessons.grading import (check_student_copies, grade, read_key, read_roster,
                                 student_copy, student_seed, write_student_copies)
from crm_lessons.grading import _sandbox

REPO = Path(__file__).resolve().parents[1]
FIX = REPO / "tests" / "fixtures" / "grading"
EXERCISE = FIX / "exercise" / "99.01-Test-Exercise.ipynb"
SUBMISSIONS = FIX / "submissions"
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


def _hashes(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --------------------------------------------------------------------------- student copies
def test_student_copy_contents():
    inst = nbformat.read(EXERCISE, as_version=4)
    copy = student_copy(inst, exercise=EXERCISE.stem)
    tags = [c.metadata.get("tags", []) for c in copy.cells]
    assert not any("hidden-check" in t or "rubric" in t for t in tags)
    solutions = [c.source for c in copy.cells if "solution" in c.metadata.get("tags", [])]
    assert solutions == [f"{STUB}\ntotal_revenue", f"{STUB}\ntop_customer",
                         f'{STUB}\nprint(f"The top 20% of customers bring {{top_share:.1%}} of revenue")']
    checks = [c.metadata["crm_grading"] for c in copy.cells if "check" in c.metadata.get("tags", [])]
    assert checks == [{"id": "q1-visible", "points": 1}, {"id": "q2-visible", "points": 1}]
    answers = [c.metadata.get("crm_grading") for c in copy.cells if "answer" in c.metadata.get("tags", [])]
    assert answers == [{"answer_for": "q4-judgement"}]
    assert all(c.outputs == [] and c.execution_count is None for c in copy.cells if c.cell_type == "code")
    assert copy.metadata["crm_grading"] == {"student_copy": True, "exercise": "99.01-Test-Exercise"}
    text = nbformat.writes(copy)
    for secret in ("BEGIN SOLUTION", "idxmax", "ascending=False", "Full marks", "q1-hidden"):
        assert secret not in text
    assert len(copy.cells) == len(inst.cells) - 4      # 3 hidden checks + 1 rubric
    assert nbformat.writes(inst) == nbformat.writes(nbformat.read(EXERCISE, as_version=4))  # input unchanged


def test_check_student_copies_lists_missing_stale_and_orphaned(tmp_path):
    ex = tmp_path / "exercises"
    ex.mkdir()
    nb = nbformat.read(EXERCISE, as_version=4)
    nbformat.write(nb, ex / EXERCISE.name)
    assert check_student_copies(ex) == [f"missing: student/{EXERCISE.name}"]
    write_student_copies(ex)
    assert check_student_copies(ex) == []
    nb.cells[0].source += "\nA new sentence."
    nbformat.write(nb, ex / EXERCISE.name)
    assert check_student_copies(ex) == [f"stale: student/{EXERCISE.name}"]
    nbformat.write(nb, ex / "99.02-Other.ipynb")
    write_student_copies(ex)
    (ex / "99.02-Other.ipynb").unlink()
    assert check_student_copies(ex) == ["orphaned: student/99.02-Other.ipynb"]
    assert main(["exercises", "student-copies", "--check", "--exercises", str(ex)]) == 1
    assert main(["exercises", "student-copies", "--exercises", str(ex)]) == 0
    assert main(["exercises", "student-copies", "--check", "--exercises", str(ex)]) == 0


def test_repository_student_copies_are_in_step():
    assert check_student_copies(REPO / "exercises") == [], (
        "run `crm-lessons exercises student-copies` and commit exercises/student/")


# --------------------------------------------------------------------------- variants
def test_student_seed_is_sha256_of_the_id():
    expected = int(hashlib.sha256(b"s001").hexdigest()[:8], 16) % 2**31
    assert student_seed("s001") == expected == 2117847071
    assert len({student_seed(f"s{i:03d}") for i in range(100)}) == 100


def test_make_variants_injects_each_students_parameters(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\ns001,Li Wei\ns002,Zhang Min\n", encoding="utf-8")
    out = tmp_path / "dist"
    assert main(["exercises", "variants", str(EXERCISE), "--roster", str(roster), "--out", str(out)]) == 0
    with (out / "key.csv").open(newline="") as fh:
        assert list(csv.DictReader(fh)) == [
            {"exercise": EXERCISE.stem, "student_id": sid, "seed": str(student_seed(sid)),
             "file": f"{sid}/{EXERCISE.name}"} for sid in ("s001", "s002")]
    assert read_key(out / "key.csv") == {"s001": student_seed("s001"), "s002": student_seed("s002")}
    for sid in ("s001", "s002"):
        nb = nbformat.read(out / sid / EXERCISE.name, as_version=4)
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1
        assert f'student_id = "{sid}"' in injected[0].source
        assert f"seed = {student_seed(sid)}" in injected[0].source
        assert nb.metadata["crm_grading"]["student_id"] == sid
        assert "BEGIN SOLUTION" not in nbformat.writes(nb)


def test_roster_errors_are_clear(tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text("id\ns1\n", encoding="utf-8")
    with pytest.raises(CRMInputError, match="column 'student_id' is missing"):
        read_roster(bad)
    bad.write_text("student_id\ns1\ns1\n", encoding="utf-8")
    with pytest.raises(CRMInputError, match=r"must be unique; found \['s1'\]"):
        read_roster(bad)
    bad.write_text("student_id\n../etc\n", encoding="utf-8")
    with pytest.raises(CRMInputError, match="line 2: student id '../etc' is not usable as a folder name"):
        read_roster(bad)


# --------------------------------------------------------------------------- answer transport
def test_answers_travel_as_plain_data(tmp_path):
    values = {
        "frame": pd.DataFrame({"a": [1.5, 2.0], 3: ["x", "y"]}, index=pd.Index([10, 20], name="id")),
        "series": pd.Series([3.0, 1.0], index=["p", "q"], name="total"),
        "array": np.arange(6).reshape(2, 3),
        "scalar": np.float64(0.25), "text": "gold", "pair": (1, "b"), "mapping": {"k": [1, 2]},
        "int_keys": {1: "a"}, "func": len,
        "when": pd.Timestamp("2024-03-01 12:30"), "when_tz": pd.Timestamp("2024-03-01", tz="Asia/Shanghai"),
        "gap": pd.Timedelta(days=3), "day": np.datetime64("2024-03-01"), "ids": {3, 1},
        "py_date": __import__("datetime").date(2024, 3, 1),
    }
    names = [*values, "never_set"]
    ns = {**values, "str": "shadowed", "isinstance": None, "open": 0, "len": 3}  # honest names
    _sandbox.export_answers(ns, names, str(tmp_path))
    loaded = {}
    status = _sandbox.load_answers(loaded, names, str(tmp_path))
    pd.testing.assert_frame_equal(loaded["frame"], values["frame"])
    pd.testing.assert_series_equal(loaded["series"], values["series"])
    np.testing.assert_array_equal(loaded["array"], values["array"])
    assert (loaded["scalar"], loaded["text"], loaded["pair"], loaded["mapping"], loaded["int_keys"]) == (
        0.25, "gold", (1, "b"), {"k": [1, 2]}, {1: "a"})
    for name in ("when", "when_tz", "gap", "day", "ids", "py_date"):
        assert loaded[name] == values[name] and type(loaded[name]) is type(values[name]), name
    assert str(loaded["when_tz"].tz) == "Asia/Shanghai"
    assert status == {
        "func": "could not be collected (TypeError: unsupported type builtin_function_or_method)",
        "never_set": "was not computed"}
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert {m["kind"] for m in meta.values()} == {"frame", "series", "array", "json", "unsaved", "missing"}
    assert not list(tmp_path.glob("*.pkl"))


# --------------------------------------------------------------------------- autograding
@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    before = _hashes(SUBMISSIONS) | {f"exercise/{k}": v for k, v in _hashes(EXERCISE.parent).items()}
    out = tmp_path_factory.mktemp("graded")
    (out / "feedback").mkdir()
    (out / "feedback" / "old.md").write_text("stale", encoding="utf-8")
    code = main(["exercises", "grade", str(SUBMISSIONS), "--out", str(out), "--exercises",
                 str(EXERCISE.parent), "--timeout", "10", "--jobs", "2"])
    planted = REPO / "crm_lessons" / "_eve_was_here.py"
    after = _hashes(SUBMISSIONS) | {f"exercise/{k}": v for k, v in _hashes(EXERCISE.parent).items()}
    leaked = planted.exists()
    planted.unlink(missing_ok=True)
    return {"code": code, "out": out, "before": before, "after": after, "leaked": leaked}


def test_gradebook_is_exactly_as_expected(graded):
    assert graded["code"] == 0
    got = pd.read_csv(graded["out"] / "gradebook.csv", dtype=str, keep_default_na=False)
    expected = pd.read_csv(FIX / "expected_gradebook.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(got, expected)


def test_totals_per_student(graded):
    book = pd.read_csv(graded["out"] / "gradebook.csv")
    totals = book.dropna(subset=["points"]).groupby("student")["points"].sum().to_dict()
    assert totals == {"alice": 8, "bob": 6, "carol": 3, "eve": 1, "frank": 2, "gina": 0}
    manual = book[book["points"].isna()]
    assert manual["feedback"].unique().tolist() == ["manual grading: q4-judgement"]


def test_manual_grading_sheet_lists_answers(graded):
    sheet = pd.read_csv(graded["out"] / "manual.csv", keep_default_na=False)
    assert sheet.columns.tolist() == ["student", "exercise", "rubric", "max_points", "answer", "rubric_text"]
    assert sheet["student"].tolist() == ["alice", "bob", "carol", "eve", "frank", "gina"]
    answers = dict(zip(sheet["student"], sheet["answer"]))
    assert answers["bob"] == "Yes, only the top customers matter."
    assert answers["alice"].startswith("No: the top 20% bring most revenue")
    assert answers["carol"] == "*Your answer here.*"
    assert sheet["rubric_text"].str.startswith("Full marks").all()


def test_feedback_files_explain_what_happened(graded):
    fb = graded["out"] / "feedback"
    assert sorted(p.name for p in fb.iterdir()) == [f"{s}.md" for s in
                                                    ("alice", "bob", "carol", "eve", "frank", "gina")]
    carol = (fb / "carol.md").read_text()
    assert "- cell 5 raised KeyError: 'segment'" in carol
    assert "- cell 7 raised SyntaxError: incomplete input (line 2)" in carol
    assert "- cell 13 ran longer than 10 s and was stopped" in carol
    assert "Automatic checks: 3 / 8 points." in carol
    assert "| q3-hidden | 0 / 2 | timed out |" in carol
    eve = (fb / "eve.md").read_text()
    for note in ["check cells deleted or untagged: q1-visible", "check cells edited: q2-visible",
                 "check cells added: q3-hidden (ignored)",
                 "the notebook's metadata names student 'alice'; graded as 'eve'",
                 "cell 4 raised FileNotFoundError: [Errno 2] No such file or directory",  # hidden
                 "cell 6 raised FileNotFoundError: [Errno 2] No such file or directory",
                 "cell 7 raised PermissionError: [Errno 13] Permission denied",
                 "cell 8 raised PermissionError: [Errno 13] Permission denied",
                 "cell 9 raised PermissionError: [Errno 13] Permission denied"]:
        assert note in eve
    gina = (fb / "gina.md").read_text()
    assert "- the notebook could not be read (NotJSONError); no code was run" in gina
    assert "- 99.99-No-Such-Exercise.ipynb: no exercise of this name; not graded" in gina
    frank = (fb / "frank.md").read_text()
    assert (f"the notebook's parameters (student_id='alice', seed={student_seed('alice')}) were "
            f"replaced by yours (student_id='frank', seed={student_seed('frank')})") in frank


def test_hostile_submission_changed_no_files(graded):
    assert graded["after"] == graded["before"]
    assert not graded["leaked"]
    assert not list(graded["out"].glob(".*")), "no temporary files left in the output folder"


def test_grade_input_errors(tmp_path):
    with pytest.raises(CRMInputError, match="argument `submissions_dir`: not a folder"):
        grade(tmp_path / "nope", exercises_dir=EXERCISE.parent, out_dir=tmp_path / "out")
    with pytest.raises(CRMInputError, match="argument `timeout`: must be > 0 seconds"):
        grade(tmp_path, exercises_dir=EXERCISE.parent, out_dir=tmp_path / "out", timeout=0)
    with pytest.raises(CRMInputError, match="argument `exercises_dir`: not a folder"):
        grade(tmp_path, exercises_dir=tmp_path / "none", out_dir=tmp_path / "out")
