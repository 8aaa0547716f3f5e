"""Execute every lesson with papermill and build the browsable HTML course.

``crm-lessons course build`` (what ``make course`` runs):

1. executes each lesson top to bottom with papermill into ``build/executed/``
   (the committed notebooks are never touched), two at a time;
2. lays out a Jupyter Book under ``build/book/``: the contents page (with the map of
   the course and each lesson's time estimate), the executed lessons, the *student*
   copies of the exercises (each linking back to its lesson), and the generated
   setup, glossary, bibliography and API reference pages;
3. builds it with jupyter-book into ``build/html/``, fully offline
   (:mod:`crm_lessons.course.sphinx_offline`), and prints where to open it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from crm_lessons.course.bibliography import bibliography, bibliography_markdown, references
from crm_lessons.course.estimates import Estimate, estimate
from crm_lessons.course.glossary import glossary, glossary_markdown, user_dictionary
from crm_lessons.course.lessons import CHAPTERS, REPO_ROOT, Lesson, find_lessons
from crm_lessons.course.navigation import CONTENTS_NAME, contents_markdown
from crm_lessons.course.pages import REFERENCE_PAGES, api_pages, setup_markdown, site_contents_markdown

__all__ = ["execute_lessons", "lay_out_book", "build_book", "build_course"]

BUILD_DIR = REPO_ROOT / "build"


def execute_lesson(lesson: Lesson, out_dir: Path, parameters: dict | None = None) -> float:
    """Run one lesson with papermill into ``out_dir``; return seconds taken."""
    import papermill as pm

    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    pm.execute_notebook(
        str(lesson.path), str(out_dir / lesson.path.name), parameters=parameters or {},
        cwd=str(lesson.path.parent), kernel_name="python3", progress_bar=False, log_output=False,
        execution_timeout=600,
    )
    return time.perf_counter() - start


def execute_lessons(lessons: list[Lesson], out_dir: Path, *, jobs: int = 2) -> dict[str, float]:
    """Execute lessons in parallel; return {file name: seconds}. Raises on the first failure.

    Each kernel gets one OpenMP/BLAS thread (inherited from this process's environment), so
    that ``jobs`` kernels side by side do not oversubscribe the cores, and static widgets.
    """
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    os.environ["CRM_LESSONS_STATIC_WIDGETS"] = "1"  # no live widgets in an unattended run (crm_lessons.widgets)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        times = dict(zip((l.path.name for l in lessons),
                         pool.map(lambda l: execute_lesson(l, out_dir), lessons)))
    return times


def _toc(lessons: list[Lesson], book: Path) -> str:
    """The book's table of contents: setup, the lessons by chapter, the reference pages, the exercises.

    Sphinx's "previous / next" buttons follow this order: after the last lesson comes the
    glossary, never an exercise; the exercises come last, each page linking back to its lesson.
    """
    lines = ["format: jb-book", f"root: notebooks/{Path(CONTENTS_NAME).stem}", "parts:",
             "- caption: \"Start here (开始)\"", "  chapters:", "  - file: reference/setup"]
    for c in sorted({l.chapter for l in lessons}):
        en, zh = CHAPTERS.get(c, (f"Chapter {c}", ""))
        lines += [f"- caption: \"{c}. {en} ({zh})\"", "  chapters:"]
        lines += [f"  - file: notebooks/{l.path.stem}" for l in lessons if l.chapter == c]
    lines += ["- caption: \"Reference (参考)\"", "  chapters:"]
    lines += [f"  - file: reference/{stem}" for stem in REFERENCE_PAGES]
    lines += ["    sections:"] + [f"    - file: reference/api/{p.stem}"  # under api/index, the last page
                                  for p in sorted((book / "reference" / "api").glob("crm_lessons*.md"))]
    exercises = sorted((book / "exercises" / "student").glob("*.ipynb"))
    if exercises:
        lines += ["- caption: \"Exercises (练习)\"", "  chapters:"]
        lines += [f"  - file: exercises/student/{p.stem}" for p in exercises]
    return "\n".join(lines) + "\n"


_CONFIG = """\
title: "CRM Lessons (客户关系管理)"
author: CRM Lessons
only_build_toc_files: true
execute:
  execute_notebooks: "off"
launch_buttons:
  thebe: false
sphinx:
  extra_extensions:
  - sphinx.ext.autodoc
  - sphinx.ext.napoleon
  - crm_lessons.course.sphinx_offline
  config:
    html_show_copyright: false
    html_search_options: {{dict: "{search_dict}"}}
    napoleon_google_docstring: false
    autodoc_member_order: bysource
    suppress_warnings: ["myst.header", "mystnb.unknown_mime_type", "misc.highlighting_failure", "myst.xref_missing",
                        "autodoc", "docutils", "ref.python"]
html:
  use_repository_button: false
  use_download_button: false
"""


def _markdown_notebook(text: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(text)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def _site_lesson(nb, estimate: Estimate) -> nbformat.NotebookNode:
    """A lesson as the site shows it: no navigation cells (the site has its own, kept out of
    search), the time estimate under the title."""
    nb = nbformat.from_dict(nb)
    cells = [c for c in nb.cells if "nav" not in c.get("metadata", {}).get("tags", [])]
    note = nbformat.v4.new_markdown_cell(f'<p class="crm-time-estimate">{estimate.sentence()}</p>')
    nb.cells = cells[:1] + [note] + cells[1:]
    return nb


def _site_exercise(nb, lesson: Lesson) -> nbformat.NotebookNode:
    """A student exercise as the site shows it: with a link back to its lesson at the top and bottom."""
    nb = nbformat.from_dict(nb)
    back = f"← Back to the lesson: [{lesson.code} {lesson.title}](../../notebooks/{lesson.path.name})"
    nb.cells = [nbformat.v4.new_markdown_cell(back), *nb.cells, nbformat.v4.new_markdown_cell(back)]
    return nb


def lay_out_book(lessons: list[Lesson], executed_dir: Path, book: Path) -> Path:
    """Write the Jupyter Book source into ``book``: pages, configuration and contents; return ``book``."""
    if book.exists():
        shutil.rmtree(book)
    for sub in ("notebooks", "exercises/student", "reference/api"):
        (book / sub).mkdir(parents=True)
    minutes = {}
    for lesson in lessons:  # only the student copies: the instructor versions never enter the book
        executed = executed_dir / lesson.path.name
        est = estimate(lesson, notebook=executed)
        minutes[lesson.path.name] = est.total
        nbformat.write(_site_lesson(nbformat.read(executed, as_version=4), est), book / "notebooks" / lesson.path.name)
        if lesson.student_exercise.exists():
            nbformat.write(_site_exercise(nbformat.read(lesson.student_exercise, as_version=4), lesson),
                           book / "exercises" / "student" / lesson.path.name)
    contents = site_contents_markdown(contents_markdown(lessons, minutes=minutes))
    nbformat.write(_markdown_notebook(contents), book / "notebooks" / CONTENTS_NAME)
    terms = glossary(lessons)
    refs = references()
    pages = {"setup": setup_markdown(), "glossary": glossary_markdown(terms),
             "bibliography": bibliography_markdown(bibliography(lessons, refs), refs=refs),
             **{f"api/{name}": text for name, text in api_pages().items()}}
    for stem, text in pages.items():
        (book / "reference" / f"{stem}.md").write_text(text, encoding="utf-8")
    search_dict = user_dictionary(terms, book / "search-terms.txt")
    (book / "_config.yml").write_text(_CONFIG.format(search_dict=search_dict.resolve().as_posix()),
                                      encoding="utf-8")
    (book / "_toc.yml").write_text(_toc(lessons, book), encoding="utf-8")
    return book


def build_book(lessons: list[Lesson], executed_dir: Path, build_dir: Path = BUILD_DIR) -> Path:
    """Lay out and build the Jupyter Book from ``executed_dir``; return the path of ``index.html``.

    The HTML is built in a scratch folder and moved to ``build_dir/html`` only when complete.
    """
    book = lay_out_book(lessons, executed_dir, build_dir / "book")
    html = build_dir / "html"
    scratch = build_dir / "jb"
    shutil.rmtree(scratch, ignore_errors=True)
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "jupyter-book"), "build", str(book), "--path-output", str(scratch),
         "--quiet"],
        capture_output=True, text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"jupyter-book failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    if html.exists():
        shutil.rmtree(html)
    shutil.move(str(scratch / "_build" / "html"), str(html))
    shutil.rmtree(scratch, ignore_errors=True)
    return html / "index.html"


def build_course(*, jobs: int = 2, execute: bool = True) -> Path:
    """Execute every lesson and build the HTML course; return the path of ``index.html``."""
    lessons = find_lessons()
    executed = BUILD_DIR / "executed"
    if not execute and not executed.exists():
        executed = lessons[0].path.parent  # the committed notebooks carry their outputs
    if execute:
        times = execute_lessons(lessons, executed, jobs=jobs)
        for name, sec in times.items():
            print(f"  executed {name} in {sec:.1f} s")
        (BUILD_DIR / "timings.json").write_text(json.dumps(times, indent=1), encoding="utf-8")
    index = build_book(lessons, executed)
    return index
