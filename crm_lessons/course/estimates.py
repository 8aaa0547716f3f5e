"""How long a lesson and its exercise take a student: an estimate from the notebooks themselves.

The estimate counts what a student does, at stated rates (the constants below):

* reads the text: English words at :data:`WORDS_PER_MINUTE`, Chinese characters at
  :data:`HANZI_PER_MINUTE` (study reading, slower than reading for pleasure);
* reads and runs each code cell (:data:`MINUTES_PER_CODE_CELL`) and looks at each figure
  (:data:`MINUTES_PER_FIGURE`);
* plays with the Explore widget (:data:`MINUTES_EXPLORE`);
* in the exercise, writes each answer cell (``solution`` tag: :data:`MINUTES_PER_ANSWER`) and
  each judgement answer (``answer`` tag: :data:`MINUTES_PER_JUDGEMENT`).

Each part is rounded to 5 minutes (at least 5). Navigation cells are not counted.

Examples
--------
>>> import nbformat
>>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("word " * 1200),
...                                      nbformat.v4.new_code_cell("x = 1")])
>>> notebook_minutes(nb)   # 1200 / 120 = 10 minutes of reading + 1 code cell, rounded to 5
10
>>> round5(12.6), round5(0.4)
(15, 5)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from crm_lessons.course.lessons import Lesson

__all__ = ["WORDS_PER_MINUTE", "HANZI_PER_MINUTE", "MINUTES_PER_CODE_CELL", "MINUTES_PER_FIGURE",
           "MINUTES_EXPLORE", "MINUTES_PER_ANSWER", "MINUTES_PER_JUDGEMENT", "Estimate", "estimate",
           "notebook_minutes", "round5"]

WORDS_PER_MINUTE = 120
HANZI_PER_MINUTE = 250
MINUTES_PER_CODE_CELL = 1.0
MINUTES_PER_FIGURE = 1.0
MINUTES_EXPLORE = 5.0
MINUTES_PER_ANSWER = 8.0
MINUTES_PER_JUDGEMENT = 6.0

_HANZI = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")


def round5(minutes: float) -> int:
    """``minutes`` rounded to the nearest 5, at least 5."""
    return max(5, int(5 * round(minutes / 5)))


def _tags(cell) -> list:
    return cell.get("metadata", {}).get("tags", [])


def notebook_minutes(nb) -> int:
    """Minutes to work through a notebook (lesson or exercise), rounded to 5."""
    minutes = 0.0
    for cell in nb.cells:
        if "nav" in _tags(cell):
            continue
        if cell.cell_type == "markdown":
            text = cell.source
            minutes += len(_WORD.findall(text)) / WORDS_PER_MINUTE + len(_HANZI.findall(text)) / HANZI_PER_MINUTE
            if "## Explore" in text:
                minutes += MINUTES_EXPLORE
            if "answer" in _tags(cell):
                minutes += MINUTES_PER_JUDGEMENT
        elif cell.cell_type == "code":
            minutes += MINUTES_PER_ANSWER if "solution" in _tags(cell) else MINUTES_PER_CODE_CELL
            minutes += MINUTES_PER_FIGURE * sum("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
    return round5(minutes)


@dataclass(frozen=True)
class Estimate:
    """Minutes for a lesson and for its exercise (0 when it has none)."""

    lesson: int
    exercise: int

    @property
    def total(self) -> int:
        """Both together."""
        return self.lesson + self.exercise

    def sentence(self) -> str:
        """``'About 60 minutes: 40 for the lesson, 20 for its exercise.'``"""
        if not self.exercise:
            return f"About {self.lesson} minutes."
        return f"About {self.total} minutes: {self.lesson} for the lesson, {self.exercise} for its exercise."


def estimate(lesson: Lesson, *, notebook: Path | None = None) -> Estimate:
    """The time estimate of a lesson (from ``notebook``, e.g. its executed copy, if given) and its exercise."""
    nb = nbformat.read(notebook or lesson.path, as_version=4)
    ex = lesson.student_exercise
    return Estimate(notebook_minutes(nb), notebook_minutes(nbformat.read(ex, as_version=4)) if ex.exists() else 0)
