"""Static rules of exercises 1.1-3.4 (issue 14): a by-hand question, demo-value visible checks, one answer hash.

Cheap (no notebook is run): the behaviour of the checks is tested by ``crm-lessons exercises self-check``
and by test_exercise_variants.py.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from crm_lessons.grading import answer_digest

EXERCISES = sorted((Path(__file__).resolve().parents[1] / "exercises").glob("0[123].0[1-5]-*.ipynb"))


def _tags(cell):
    return cell.metadata.get("tags", [])


def test_the_thirteen_exercises_are_found():
    assert len(EXERCISES) == 13


@pytest.mark.parametrize("path", EXERCISES, ids=[p.stem[:5] for p in EXERCISES])
def test_exercise_rules(path):
    nb = nbformat.read(path, as_version=4)
    questions = [c.source for c in nb.cells if c.cell_type == "markdown" and "**Q" in c.source]
    assert any("by hand" in q.lower() for q in questions), "no question asks for a computation by hand"
    for cell in nb.cells:
        if "check" in _tags(cell):
            assert '("demo", 0)' in cell.source or "seed == 0" in cell.source, (
                f"visible check {cell.metadata.get('crm_grading')} tests only type and range, not the demo's value")
    sources = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "def _digest" not in sources and "import hashlib" not in sources, "use crm_lessons.grading.answer_digest"
    if "answer_digest(" in sources:
        assert "from crm_lessons.grading import answer_digest" in sources


def test_answer_digest_keeps_the_hashes_the_exercises_were_written_with():
    # the hash of the copies that each exercise once defined: sha256(repr(plain(value)))[:12]
    import hashlib
    assert answer_digest(7) == hashlib.sha256(b"7").hexdigest()[:12]
    assert answer_digest(0.123) == hashlib.sha256(b"0.12").hexdigest()[:12]
    assert answer_digest(["a", 2]) == hashlib.sha256(b"['a', 2]").hexdigest()[:12]
