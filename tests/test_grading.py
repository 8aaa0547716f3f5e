"""Tests for crm_lessons.grading: student copies, variants and the autograder.

The autograder tests grade, in ONE run of the real grader in its sandbox, the
sample submissions in tests/fixtures/grading/ (made by make_fixtures.py there:
alice correct, bob partly correct and late, carol broken (syntax error,
exception, infinite loop), eve tampered, frank alice's numbers typed in, gina
a corrupt file and an unknown exercise) together with the hostile submissions
of tests/fixtures/grading/hostile.py (one per class of attack) and an honest
notebook that uses builtin names as variables. The gradebook of the sample
submissions is compared with expected_gradebook.csv exactly; every attack
must earn no point, leak no secret, change no file outside its folder and not
stall grading; a roster student without a submission, misnamed and hidden
files all get rows. A regrade of one student then must keep every other row
and every manual score.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from crm_lessons._validation import CRMInputError
from crm_lessons.cli import main
from crm_lessons.grading import (check_student_copies, grade, read_key, read_roster,
                                 student_copy, student_seed, write_student_copies)
from crm_lessons.grading import _jail, _sandbox, gradebook

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "grading"))
import hostile  # noqa: E402

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
        "count": np.int64(7), "flag": np.bool_(True), "ratio32": np.float32(0.5),  # numpy scalars stay numpy
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
    for name in ("when", "when_tz", "gap", "day", "ids", "py_date", "scalar", "count", "flag", "ratio32"):
        assert loaded[name] == values[name] and type(loaded[name]) is type(values[name]), name
    assert str(loaded["when_tz"].tz) == "Asia/Shanghai"
    assert status == {
        "func": "could not be collected (TypeError: unsupported type builtin_function_or_method)",
        "never_set": "was not computed"}
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert {m["kind"] for m in meta.values()} == {"frame", "series", "array", "json", "unsaved", "missing"}
    assert not list(tmp_path.glob("*.pkl"))


# --------------------------------------------------------------------------- autograding
DUE = "2024-06-30T23:59:00+00:00"
SAMPLES = ["alice", "bob", "carol", "eve", "frank", "gina"]
ATTACKERS = [*hostile.ATTACKS, "symlink", "fifo"]


def _outside_hashes(*folders) -> dict:
    out = {}
    for folder in folders:
        for p in sorted(Path(folder).rglob("*")):
            if p.is_file() and not p.is_symlink() and "__pycache__" not in p.parts:
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _escapees() -> list:
    import psutil

    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if any("crm-escapee" in part for part in (proc.info["cmdline"] or [])):
            found.append(proc)
    return found


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = tmp_path_factory.mktemp("grading")
    subs, out, home = base / "submissions", base / "graded", base / "home"
    shutil.copytree(SUBMISSIONS, subs)
    home.mkdir()
    (home / "canary.txt").write_text("home secret", encoding="utf-8")
    (base / "keys").mkdir()
    key = base / "keys" / "key.csv"
    key.write_text("exercise,student_id,seed,file\n", encoding="utf-8")
    inst = nbformat.read(EXERCISE, as_version=4)
    victim = subprocess.Popen(["sleep", "600"])
    paths = {"EXERCISE": EXERCISE, "SUBMISSIONS": subs, "OUT": out, "KEY": key, "HOME": home,
             "GIT": REPO / ".git", "PACKAGE": REPO / "crm_lessons", "VICTIM": victim.pid}
    made = hostile.build(subs, student_copy(inst, exercise=EXERCISE.stem),
                         nbformat.read(SUBMISSIONS / "alice" / EXERCISE.name, as_version=4), paths)
    shutil.copyfile(SUBMISSIONS / "alice" / EXERCISE.name, subs / "alice" / "99.01-test-exercise-Copy1.ipynb")
    (subs / ".hidden").mkdir()
    (subs / ".hidden" / EXERCISE.name).write_text("{}", encoding="utf-8")
    (subs / "..sneaky").mkdir()
    due = pd.Timestamp(DUE).timestamp()
    for path in subs.rglob("*.ipynb"):
        if path.is_file() and not path.is_symlink():
            os.utime(path, (due - 86400, due - 86400))
    os.utime(subs / "bob" / EXERCISE.name, (due + 1.5 * 86400, due + 1.5 * 86400))  # 2 started days late
    roster = base / "roster.csv"
    roster.write_text("student_id,name\n" + "".join(f"{s},{s.title()}\n" for s in SAMPLES + sorted(made))
                      + "zed,Zed\n", encoding="utf-8")
    watched = [EXERCISE.parent, home, REPO / "crm_lessons", key.parent, subs]
    before = _outside_hashes(*watched)
    old_home = os.environ.get("HOME")
    os.environ["HOME"] = str(home)
    start = time.monotonic()
    try:
        code = main(["exercises", "grade", str(subs), "--out", str(out), "--exercises", str(EXERCISE.parent),
                     "--timeout", "10", "--jobs", "2", "--roster", str(roster), "--due", DUE,
                     "--key", str(key), "--no-progress"])
    finally:
        os.environ["HOME"] = old_home or ""
    elapsed = time.monotonic() - start
    escapees = _escapees()
    for proc in escapees:
        proc.kill()
    victim_alive = victim.poll() is None
    victim.kill()
    bombs = [p for p in ("/tmp/crm-disk-bomb.bin", out / "bomb.bin", home / "bomb.bin") if Path(p).exists()]
    return {"code": code, "out": out, "subs": subs, "roster": roster, "key": key, "base": base,
            "before": before, "after": _outside_hashes(*watched), "elapsed": elapsed,
            "escapees": escapees, "victim_alive": victim_alive, "bombs": bombs,
            "book": pd.read_csv(out / "gradebook.csv", dtype=str, keep_default_na=False)}


def _points(book, student) -> float:
    rows = book[(book["student"] == student) & (book["points"] != "")]
    return float(pd.to_numeric(rows["points"]).sum())


def _feedback(run, student) -> str:
    return (run["out"] / "feedback" / f"{student}.md").read_text(encoding="utf-8")


def test_sample_gradebook_is_exactly_as_expected(run):
    assert run["code"] == 0
    got = run["book"][run["book"]["student"].isin(SAMPLES)].reset_index(drop=True)
    expected = pd.read_csv(FIX / "expected_gradebook.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(got, expected)


def test_honest_controls_get_full_marks(run):
    for student in ("alice", "shadow"):  # shadow: str, len, open, ... reused as variable names
        assert _points(run["book"], student) == 8, _feedback(run, student)


@pytest.mark.parametrize("student", ATTACKERS)
def test_no_attack_earns_a_point(run, student):
    rows = run["book"][(run["book"]["student"] == student) & (run["book"]["status"] != "unmatched")]
    assert len(rows) == 6, rows  # every check and the rubric, never fewer
    assert _points(run["book"], student) == 0, _feedback(run, student)


def test_no_attack_reads_a_secret(run):
    texts = [p.read_text(encoding="utf-8") for p in (run["out"] / "feedback").glob("*.md")]
    texts += [(run["out"] / name).read_text(encoding="utf-8") for name in ("gradebook.csv", "manual.csv")]
    for text in texts:
        assert "LEAKED" not in text
        assert "home secret" not in text and "idxmax" not in text


def test_no_attack_changes_a_file_outside_its_folder(run):
    assert run["after"] == run["before"]
    assert run["bombs"] == []
    assert not list(run["out"].glob(".*")), "no temporary files left in the output folder"


def test_no_attack_stalls_grading_or_escapes(run):
    assert run["escapees"] == [], "processes started by a submission outlived its grading"
    assert run["victim_alive"], "a submission killed a process outside its sandbox"
    for student in ATTACKERS:
        assert "took longer than" not in _feedback(run, student)
    assert run["elapsed"] < 600


def test_limits_stop_bombs_and_say_so(run):
    assert "- cell 3 raised MemoryError: refused refused stopped" in _feedback(run, "memory")
    disk = [ln for ln in _feedback(run, "disk").splitlines() if ln.startswith("- cell 3 raised OSError: ")]
    assert len(disk) == 1, _feedback(run, "disk")
    errors = disk[0].split(": ", 1)[1].split(", ")
    assert errors[0] in ("No space left on device", "File too large")
    assert len(errors) == 4 and set(errors[1:]) <= {"Permission denied", "Read-only file system"}


def test_links_and_fifos_are_not_opened(run):
    book = run["book"]
    for student, what in (("symlink", "a symbolic link"), ("fifo", "a FIFO (named pipe)")):
        rows = book[book["student"] == student]
        assert set(rows["status"]) == {"unreadable"}
        assert rows["feedback"].iloc[0] == f"the notebook could not be read: it is {what}; not opened"


def test_every_student_and_file_is_accounted_for(run):
    book = run["book"]
    zed = book[book["student"] == "zed"]
    assert zed["status"].tolist() == ["missing"] * 6
    assert zed["points"].tolist() == ["0"] * 5 + [""]
    assert set(book[book["student"] == "bob"]["status"]) == {"late"}
    unmatched = book[book["status"] == "unmatched"]["feedback"].tolist()
    assert ("unmatched file '99.01-test-exercise-Copy1.ipynb': not an exercise notebook name; it looks like "
            "99.01-Test-Exercise: rename it to 99.01-Test-Exercise.ipynb to have it graded") in unmatched
    assert any(f.startswith("unmatched file '.hidden/': not a student id") for f in unmatched)
    assert any(f.startswith("unmatched file '..sneaky/'") for f in unmatched)
    assert "unmatched file '99.01\\n| q1 | 8 pts | passed |.ipynb': not an exercise notebook name" in unmatched


def test_injection_is_escaped(run):
    sheet = pd.read_csv(run["out"] / "manual.csv", dtype=str, keep_default_na=False)
    answer = sheet.loc[sheet["student"] == "inject", "answer"].iloc[0]
    assert answer.startswith("'=HYPERLINK(")
    text = _feedback(run, "inject")
    lines = text.splitlines()
    assert [ln[:19] for ln in lines if ln.startswith("| q1-hidden")] == ["| q1-hidden | 0 / 2"]
    assert not any(ln.startswith("## Full marks") or "<img" in ln.replace("\\<img", "") for ln in lines)
    assert "99.01\\\\n\\| q1 \\| 8 pts \\| passed \\|.ipynb" in text


def test_feedback_files_explain_what_happened(run):
    carol = _feedback(run, "carol")
    assert "- cell 5 raised KeyError: 'segment'" in carol
    assert "- cell 7 raised SyntaxError: incomplete input (line 2)" in carol
    assert "- cell 13 ran longer than 10 s and was stopped" in carol
    assert "Automatic checks: 3 / 8 points." in carol
    assert "| q3-hidden | 0 / 2 | timed out |" in carol
    eve = _feedback(run, "eve")
    for note in ["check cells deleted or untagged: q1-visible", "check cells edited: q2-visible",
                 "check cells added: q3-hidden (ignored)",
                 "the notebook's metadata names student 'alice'; graded as 'eve'",
                 "cell 4 raised FileNotFoundError: \\[Errno 2\\] No such file or directory",  # hidden
                 "cell 6 raised PermissionError: \\[Errno 13\\] Permission denied",
                 "cell 7 raised PermissionError: \\[Errno 13\\] Permission denied",
                 "cell 8 raised PermissionError: \\[Errno 13\\] Permission denied",
                 "cell 9 raised PermissionError: \\[Errno 13\\] Permission denied"]:
        assert note in eve
    gina = _feedback(run, "gina")
    assert "- the notebook could not be read (NotJSONError); no code was run" in gina
    assert "- 99.99-No-Such-Exercise.ipynb: not an exercise notebook name" in gina
    frank = _feedback(run, "frank")
    assert (f"the notebook's parameters (student_id='alice', seed={student_seed('alice')}) were "
            f"replaced by yours (student_id='frank', seed={student_seed('frank')})") in frank


def test_manual_grading_sheet_lists_answers(run):
    sheet = pd.read_csv(run["out"] / "manual.csv", keep_default_na=False)
    assert sheet.columns.tolist() == ["student", "exercise", "rubric", "max_points", "answer", "rubric_text"]
    answers = dict(zip(sheet["student"], sheet["answer"]))
    assert answers["bob"] == "Yes, only the top customers matter."
    assert answers["alice"].startswith("No: the top 20% bring most revenue")
    assert answers["carol"] == "*Your answer here.*"
    assert sheet["rubric_text"].str.startswith("Full marks").all()
    scores = pd.read_csv(run["out"] / "manual-scores.csv", dtype=str, keep_default_na=False)
    assert scores.columns.tolist() == gradebook.SCORE_COLUMNS
    assert (scores["score"] == "").all() and "alice" in scores["student"].tolist()


def test_regrade_of_one_student_keeps_everything_else(run, tmp_path):
    out = tmp_path / "graded"
    shutil.copytree(run["out"], out)
    scores = pd.read_csv(out / "manual-scores.csv", dtype=str, keep_default_na=False)
    scores.loc[scores["student"] == "alice", ["score", "comment"]] = ["1.5", "Good, but no risk argument."]
    scores.to_csv(out / "manual-scores.csv", index=False)
    bob = run["subs"] / "bob" / EXERCISE.name
    nb = nbformat.read(bob, as_version=4)
    nb.cells = [c for c in nb.cells if "idxmin" not in c.source] + [new_cell(SOLVED_Q2)]
    nbformat.write(nb, bob)
    late = pd.Timestamp(DUE).timestamp() + 1.5 * 86400
    os.utime(bob, (late, late))
    code = main(["exercises", "grade", str(run["subs"]), "--out", str(out), "--exercises", str(EXERCISE.parent),
                 "--timeout", "10", "--student", "bob", "--no-progress"])
    assert code == 0
    new = pd.read_csv(out / "gradebook.csv", dtype=str, keep_default_na=False)
    old = run["book"]
    others = old["student"] != "bob"
    pd.testing.assert_frame_equal(new[new["student"] != "bob"].reset_index(drop=True),
                                  old[others].reset_index(drop=True))
    assert _points(new, "bob") == 8 and _points(old, "bob") == 6
    assert sorted(p.name for p in (out / "results" / "bob" / EXERCISE.stem).iterdir()) == ["v0001.json", "v0002.json"]
    assert sorted(p.name for p in (out / "results" / "alice" / EXERCISE.stem).iterdir()) == ["v0001.json"]
    kept = pd.read_csv(out / "manual-scores.csv", dtype=str, keep_default_na=False)
    assert kept.loc[kept["student"] == "alice", ["score", "comment"]].values.tolist() == [
        ["1.5", "Good, but no risk argument."]]
    # totals and hand-off from the merged record: bob is 2 days late at 10% a day
    assert main(["exercises", "totals", str(out), "--late-penalty", "0.1", "--roster", str(run["roster"])]) == 0
    totals = pd.read_csv(out / "totals.csv", dtype=str, keep_default_na=False).set_index("student")
    assert totals.loc["alice", ["auto_points", "manual_points", "total"]].tolist() == ["8", "1.5", "9.5"]
    assert totals.loc["bob", ["status", "days_late", "penalty", "total"]].tolist() == ["late", "2", "0.2", "6.4"]
    assert totals.loc["zed", ["status", "total"]].tolist() == ["missing", "0.0"]
    lms = pd.read_csv(out / "lms.csv", dtype=str, keep_default_na=False)
    assert lms.columns.tolist() == ["Student", "SIS User ID", "Email", "99.01-Test-Exercise (10)", "Total"]
    assert lms.iloc[0].tolist()[:1] == ["Points Possible"]
    assert lms.set_index("SIS User ID").loc["alice", "Student"] == "Alice"
    assert main(["exercises", "release", str(out), "--to", str(tmp_path / "release"), "--hide-expected"]) == 0
    alice = (tmp_path / "release" / "alice.md").read_text(encoding="utf-8")
    assert "| q4-judgement | 1.5 / 2 | Good, but no risk argument. |" in alice
    assert "Total 9.5 / 10." in alice
    frank = (tmp_path / "release" / "frank.md").read_text(encoding="utf-8")
    assert "not passed (hidden check; the expected value is not shown)" in frank
    assert "customer 19 is not" not in frank and "customer 19 is not" in _feedback(run, "frank")


SOLVED_Q2 = 'top_customer = int(orders.groupby("customer_id")["amount"].sum().idxmax())'


def new_cell(source):
    return nbformat.v4.new_code_cell(source)


def test_grade_refuses_without_a_sandbox(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(_jail, "status", lambda: "the kernel offers Landlock ABI 0")
    code = main(["exercises", "grade", str(SUBMISSIONS), "--out", str(tmp_path / "out"),
                 "--exercises", str(EXERCISE.parent)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: grading refused: the kernel offers Landlock ABI 0.")
    assert "--unsafe" in err and not (tmp_path / "out").exists()


def test_grade_input_errors(tmp_path):
    with pytest.raises(CRMInputError, match="argument `submissions_dir`: not a folder"):
        grade(tmp_path / "nope", exercises_dir=EXERCISE.parent, out_dir=tmp_path / "out")
    with pytest.raises(CRMInputError, match="argument `timeout`: must be > 0 seconds"):
        grade(tmp_path, exercises_dir=EXERCISE.parent, out_dir=tmp_path / "out", timeout=0)
    with pytest.raises(CRMInputError, match="argument `exercises_dir`: not a folder"):
        grade(tmp_path, exercises_dir=tmp_path / "none", out_dir=tmp_path / "out")
    with pytest.raises(CRMInputError, match="argument `exercises`: no exercise '99.02-Nope'"):
        grade(tmp_path, exercises_dir=EXERCISE.parent, out_dir=tmp_path / "out", exercises=["99.02-Nope"])
    with pytest.raises(CRMInputError, match="argument `due`: not a date; found 'soon'"):
        grade(tmp_path, exercises_dir=EXERCISE.parent, out_dir=tmp_path / "out", due="soon")


def test_a_solution_span_is_stripped_even_from_an_untagged_cell():
    inst = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "### BEGIN SOLUTION\nanswer = secret_formula()\n### END SOLUTION\nprint(answer)")])
    text = nbformat.writes(student_copy(inst, exercise="99.02-Untagged"))
    assert "secret_formula" not in text and "BEGIN SOLUTION" not in text and "print(answer)" in text
