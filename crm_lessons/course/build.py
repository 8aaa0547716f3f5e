"""Execute every lesson with papermill and build the browsable HTML course.

``crm-lessons course build`` (what ``make course`` runs):

1. executes each lesson top to bottom with papermill into ``build/executed/``
   (the committed notebooks are never touched), two at a time;
2. lays out a Jupyter Book under ``build/book/``: the contents page, the
   executed lessons, and the *student* copies of the exercises (so a lesson's
   exercise link opens the exercise without its solutions);
3. builds it with jupyter-book (offline) into ``build/html/`` and prints where
   to open it.
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

from crm_lessons.course.lessons import CHAPTERS, REPO_ROOT, Lesson, find_lessons
from crm_lessons.course.navigation import CONTENTS_NAME

__all__ = ["execute_lessons", "build_book", "build_course"]

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
    lines = ["format: jb-book", f"root: notebooks/{Path(CONTENTS_NAME).stem}", "parts:"]
    chapters = sorted({l.chapter for l in lessons})
    for c in chapters:
        en, zh = CHAPTERS.get(c, (f"Chapter {c}", ""))
        lines += [f"- caption: \"{c}. {en} ({zh})\"", "  chapters:"]
        lines += [f"  - file: notebooks/{l.path.stem}" for l in lessons if l.chapter == c]
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
sphinx:
  config:
    html_show_copyright: false
    suppress_warnings: ["myst.header", "mystnb.unknown_mime_type", "misc.highlighting_failure"]
html:
  use_repository_button: false
  use_download_button: false
"""


def build_book(lessons: list[Lesson], executed_dir: Path, build_dir: Path = BUILD_DIR) -> Path:
    """Lay out and build the Jupyter Book from ``executed_dir``; return the path of ``index.html``.

    The HTML is built in a scratch folder and moved to ``build_dir/html`` only when complete.
    """
    book = build_dir / "book"
    if book.exists():
        shutil.rmtree(book)
    (book / "notebooks").mkdir(parents=True)
    (book / "exercises" / "student").mkdir(parents=True)
    for lesson in lessons:
        shutil.copy(executed_dir / lesson.path.name, book / "notebooks" / lesson.path.name)
    for lesson in lessons:  # only the student copies: the instructor versions never enter the book
        if lesson.student_exercise.exists():
            shutil.copy(lesson.student_exercise, book / "exercises" / "student" / lesson.path.name)
    shutil.copy(REPO_ROOT / "notebooks" / CONTENTS_NAME, book / "notebooks" / CONTENTS_NAME)
    (book / "_config.yml").write_text(_CONFIG, encoding="utf-8")
    (book / "_toc.yml").write_text(_toc(lessons, book), encoding="utf-8")
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
