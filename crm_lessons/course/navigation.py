"""Generated contents page and navigation cells, and the check that keeps them fresh.

Nothing here is edited by hand: ``crm-lessons course nav`` writes

* ``notebooks/Index.ipynb``, the contents page (chapters in course order), and
* a navigation cell (tagged ``nav``) at the top and bottom of every lesson:
  ``< previous | Contents | next >``, and
* every exercise link pointed at the student copy (``../exercises/student/…``):
  the instructor version, with solutions and hidden checks, is never linked,

and ``crm-lessons course nav --check`` (run by the tests) fails when any of these is
stale, when a page links an instructor exercise, or when a link is dead.

Examples
--------
>>> nav_line(None, None)
'[Contents](Index.ipynb)'
>>> student_links("[Exercise 2.5](../exercises/02.05-Customer-Value-Segmentation.ipynb)")
'[Exercise 2.5](../exercises/student/02.05-Customer-Value-Segmentation.ipynb)'
>>> instructor_links("see [it](../exercises/02.05-X.ipynb) and [that](../exercises/student/02.05-X.ipynb)")
['../exercises/02.05-X.ipynb']
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from crm_lessons.course.lessons import CHAPTERS, PARTS, PLAN, NOTEBOOKS_DIR, Lesson, find_lessons

__all__ = ["CONTENTS_NAME", "check_navigation", "contents_markdown", "contents_notebook", "instructor_links",
           "nav_line", "student_links", "write_navigation"]

CONTENTS_NAME = "Index.ipynb"
NAV_TAG = "nav"
NAV_MARK = "<!--NAVIGATION-->"
_LINK = re.compile(r"\]\(([^)\s]+)\)")
#: a link to an instructor exercise: ``../exercises/NN.MM-….ipynb`` (anything under exercises/ but student/)
_INSTRUCTOR = re.compile(r"(\]\((?:\.\./)*exercises/)(?!student/)([^)\s]+)\)")


def student_links(markdown: str) -> str:
    """``markdown`` with every link to an instructor exercise pointed at its student copy."""
    return _INSTRUCTOR.sub(r"\1student/\2)", markdown)


def instructor_links(markdown: str) -> list[str]:
    """The link targets in ``markdown`` that open an instructor exercise (solutions, hidden checks)."""
    return [m.group(1)[2:] + m.group(2) for m in _INSTRUCTOR.finditer(markdown)]


def _link(lesson: Lesson) -> str:
    return f"[{lesson.code} {lesson.title}]({lesson.path.name})"


def nav_line(prev: Lesson | None, nxt: Lesson | None) -> str:
    """The navigation line between two lessons (either may be None)."""
    parts = []
    if prev is not None:
        parts.append(f"< {_link(prev)}")
    parts.append(f"[Contents]({CONTENTS_NAME})")
    if nxt is not None:
        parts.append(f"{_link(nxt)} >")
    return " | ".join(parts)


def contents_markdown(lessons: list[Lesson], *, minutes: dict[str, int] | None = None) -> str:
    """The contents page as Markdown: the map of all parts and chapters of the course.

    A written lesson is a link, with its exercise (the student copy) and, when ``minutes``
    gives it (file name -> minutes), its time estimate; a lesson of the plan that is not
    written yet is shown as planned, without a link.
    """
    lines = [
        "# CRM Lessons: a workbook of customer relationship management (客户关系管理)",
        "",
        "Each lesson states its learning goals (教学目标), explains the course's concepts with their "
        "Chinese terms, works them on real or simulated data with a helper from `crm_lessons`, lets you "
        "move the key parameters with a widget, points to its exercise and sums up (教学小结).",
        "",
        "The course has 10 chapters in 4 parts. Lessons marked *planned* are not written yet.",
        "",
    ]
    written = {(l.chapter, l.number): l for l in lessons}
    chapters_of = {c: n for n, cs in enumerate(PARTS.values()) for c in cs}
    extra = sorted(c for c in {l.chapter for l in lessons} if c not in chapters_of)
    parts = [(part, tuple(chapters)) for part, chapters in PARTS.items()]
    if extra:
        parts.append(("More chapters", tuple(extra)))
    for part, chapters in parts:
        lines += [f"## {part}", ""]
        for c in chapters:
            en, zh = CHAPTERS.get(c, (f"Chapter {c}", ""))
            lines += [f"### Chapter {c} {en}" + (f" ({zh})" if zh else ""), ""]
            keys = sorted({k for k in PLAN if k[0] == c} | {k for k in written if k[0] == c})
            for key in keys:
                lesson = written.get(key)
                if lesson is None:
                    lines.append(f"- {key[0]}.{key[1]} {PLAN[key]} — *planned*")
                    continue
                ex = lesson.student_exercise
                extra_text = f" — [exercise](../exercises/student/{ex.name})" if ex.exists() else ""
                if minutes and lesson.path.name in minutes:
                    extra_text += f" — about {minutes[lesson.path.name]} min"
                lines.append(f"- {_link(lesson)}{extra_text}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def contents_notebook(lessons: list[Lesson]) -> nbformat.NotebookNode:
    """The contents page as a notebook."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(contents_markdown(lessons))]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    _stable_ids(nb, "contents")
    return nb


def _stable_ids(nb, prefix: str) -> None:
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{prefix}-{i}"


def _nav_cell(text: str, where: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(f"{NAV_MARK}\n{text}")
    cell.metadata["tags"] = [NAV_TAG]
    cell["id"] = f"nav-{where}"
    return cell


def with_navigation(nb, prev: Lesson | None, nxt: Lesson | None):
    """A copy of a lesson notebook with fresh top and bottom navigation cells."""
    nb = nbformat.from_dict(nb)
    body = [c for c in nb.cells if NAV_TAG not in c.metadata.get("tags", [])]
    for cell in body:
        if cell.cell_type == "markdown":
            cell.source = student_links(cell.source)
    line = nav_line(prev, nxt)
    nb.cells = [_nav_cell(line, "top"), *body, _nav_cell(line, "bottom")]
    return nb


def _read(path: Path):
    return nbformat.read(path, as_version=4) if path.exists() else None


def _planned(notebooks_dir: Path):
    """(path, current notebook or None, expected notebook) for the contents page and every lesson."""
    lessons = find_lessons(notebooks_dir)
    contents = Path(notebooks_dir) / CONTENTS_NAME
    yield contents, _read(contents), contents_notebook(lessons)
    for i, lesson in enumerate(lessons):
        prev = lessons[i - 1] if i > 0 else None
        nxt = lessons[i + 1] if i + 1 < len(lessons) else None
        current = _read(lesson.path)
        yield lesson.path, current, with_navigation(current, prev, nxt)


def _same(current, expected) -> bool:
    return current is not None and nbformat.writes(current) == nbformat.writes(expected)


def write_navigation(notebooks_dir: Path | str = NOTEBOOKS_DIR) -> list[Path]:
    """Write the contents page and every lesson's navigation cells; return the files changed."""
    changed = []
    for path, current, nb in _planned(Path(notebooks_dir)):
        if not _same(current, nb):
            tmp = path.with_suffix(".ipynb.tmp")
            nbformat.write(nb, tmp)
            tmp.replace(path)
            changed.append(path)
    return changed


def dead_links(path: Path, nb=None) -> list[str]:
    """Relative links in a notebook's markdown cells whose target file does not exist."""
    nb = _read(path) if nb is None else nb
    dead = []
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for target in _LINK.findall(cell.source):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue  # absolute URL or in-page anchor
            file_part = target.split("#", 1)[0]
            if file_part and not (path.parent / file_part).exists():
                dead.append(f"{path.name}: dead link to {target}")
    return dead


def check_navigation(notebooks_dir: Path | str = NOTEBOOKS_DIR) -> list[str]:
    """Problems with the contents page, the navigation cells and the links; empty when all is well."""
    problems = []
    for path, current, nb in _planned(Path(notebooks_dir)):
        if not _same(current, nb):
            problems.append(f"{path.name}: contents or navigation is stale; run `crm-lessons course nav`")
        if current is not None:
            problems += dead_links(path, current)
            problems += [f"{path.name}: links the instructor exercise {t} (solutions!); students get "
                         f"exercises/student/: run `crm-lessons course nav`"
                         for c in current.cells if c.cell_type == "markdown" for t in instructor_links(c.source)]
    return problems
