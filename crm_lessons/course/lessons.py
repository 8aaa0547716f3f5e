"""Find the lesson notebooks and read their number and title.

Lessons are named ``notebooks/NN.MM-Title-With-Dashes.ipynb``: chapter ``NN``,
lesson ``MM``. The title shown in the contents is the lesson's first heading,
``# 2.5 Customer value segmentation (客户价值细分)``.

Examples
--------
>>> parse_name("02.05-Customer-Value-Segmentation.ipynb")
(2, 5, 'Customer Value Segmentation')
>>> parse_name("Index.ipynb") is None
True
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

__all__ = ["CHAPTERS", "PARTS", "PLAN", "Lesson", "find_lessons", "parse_name", "REPO_ROOT", "NOTEBOOKS_DIR",
           "EXERCISES_DIR", "STUDENT_DIR"]

def _course_root() -> Path:
    """The course folder (holding notebooks/ and exercises/): ``$CRM_LESSONS_ROOT``, else the current
    folder when it holds the course, else the checkout this package was installed from in editable mode."""
    if os.environ.get("CRM_LESSONS_ROOT"):
        return Path(os.environ["CRM_LESSONS_ROOT"]).resolve()
    if (Path.cwd() / "notebooks").is_dir() and (Path.cwd() / "exercises").is_dir():
        return Path.cwd().resolve()
    return Path(__file__).resolve().parents[2]


#: The course folder the course tools work on (set ``CRM_LESSONS_ROOT`` to choose another).
REPO_ROOT = _course_root()
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
EXERCISES_DIR = REPO_ROOT / "exercises"
#: the generated student copies of the exercises: the only exercises a student is shown.
STUDENT_DIR = EXERCISES_DIR / "student"

#: chapter number -> (English title, Chinese title), from the course's lecture plan.
CHAPTERS = {
    1: ("CRM fundamentals", "客户关系管理基础"),
    2: ("Value of customer relationships", "客户关系价值"),
    3: ("Satisfaction and loyalty", "客户满意与客户忠诚"),
    4: ("Selecting and developing relationships", "客户关系的选择与开发"),
    5: ("Customer interaction", "客户互动管理"),
    6: ("CRM data management and analysis", "CRM中的数据管理与分析"),
    7: ("Customer service centre", "客户服务中心"),
    8: ("CRM software systems", "CRM软件系统"),
    9: ("Cases", "实践应用"),
    10: ("Customer operations and risk", "客户经营与风险管理"),
}

#: part title -> chapters in it.
PARTS = {
    "Part I — Foundations (基础)": (1,),
    "Part II — Core theory (核心理论)": (2, 3, 4, 5),
    "Part III — Technology (技术)": (6, 7, 8),
    "Part IV — Practice (实践应用)": (9, 10),
}

#: the planned lessons of the course (``/shared/COURSE.md``): (chapter, lesson) -> English title.
#: The contents page shows a planned lesson as plain text until its notebook exists.
PLAN = {
    (1, 1): "Customers and relationships", (1, 2): "Why CRM: value and drivers",
    (1, 3): "Content and role of CRM", (1, 4): "Goals: more, longer, deeper",
    (2, 1): "Relationship lifecycle", (2, 2): "Customer value and delivered value",
    (2, 3): "Customer lifetime value", (2, 4): "Customer equity", (2, 5): "Customer value segmentation",
    (3, 1): "Satisfaction", (3, 2): "Loyalty", (3, 3): "Retention", (3, 4): "Churn",
    (4, 1): "Choosing customers", (4, 2): "Prospecting methods", (4, 3): "Targeted campaigns",
    (5, 1): "IDIC and the customer difference matrix", (5, 2): "Channels, touchpoints and communication",
    (5, 3): "Sales funnel", (5, 4): "Complaints and service recovery",
    (6, 1): "Customer data", (6, 2): "Customer analysis I: structure, value, credit",
    (6, 3): "Customer analysis II: association, cross-selling, fraud",
    (7, 1): "Contact-centre operations",
    (8, 1): "Inside a CRM system", (8, 2): "Choosing and implementing CRM",
    (9, 1): "Bank credit cards", (9, 2): "Real estate: Longfor", (9, 3): "Restaurant",
    (10, 1): "Customer operations", (10, 2): "Relationship maintenance and loyalty programmes",
    (10, 3): "Risk and early warning", (10, 4): "Capstone",
}

_NAME = re.compile(r"^(\d{2})\.(\d{2})-([A-Za-z0-9-]+)\.ipynb$")


def parse_name(name: str):
    """Return ``(chapter, lesson, title)`` from a lesson file name, or None if it is not one."""
    m = _NAME.match(name)
    if not m or m.group(1) == "00":
        return None
    return int(m.group(1)), int(m.group(2)), m.group(3).replace("-", " ")


@dataclass(frozen=True)
class Lesson:
    """One lesson notebook."""

    path: Path
    chapter: int
    number: int
    title: str

    @property
    def code(self) -> str:
        """``"2.5"``."""
        return f"{self.chapter}.{self.number}"

    @property
    def exercise(self) -> Path:
        """The instructor exercise of the lesson (same file name under ``exercises/``): never linked."""
        return self.path.parent.parent / "exercises" / self.path.name

    @property
    def student_exercise(self) -> Path:
        """The student copy of the exercise (``exercises/student/``), the one lessons link to."""
        return self.path.parent.parent / "exercises" / "student" / self.path.name


def _heading(path: Path) -> str | None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and "nav" not in cell.metadata.get("tags", []):
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return None


def find_lessons(notebooks_dir: Path | str = NOTEBOOKS_DIR) -> list[Lesson]:
    """All lessons in chapter order, titled by their first ``#`` heading."""
    out = []
    for path in sorted(Path(notebooks_dir).glob("*.ipynb")):
        parsed = parse_name(path.name)
        if parsed is None:
            continue
        chapter, number, fallback = parsed
        heading = _heading(path) or fallback
        title = re.sub(rf"^{chapter}\.{number}\s+", "", heading)
        out.append(Lesson(path=path, chapter=chapter, number=number, title=title))
    return sorted(out, key=lambda l: (l.chapter, l.number))
