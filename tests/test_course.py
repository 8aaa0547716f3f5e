"""The contents page, navigation and links are fresh, and the HTML course builds."""

import re

import pytest

from crm_lessons.course import check_navigation, find_lessons
from crm_lessons.course.build import build_book
from crm_lessons.course.lessons import parse_name
from crm_lessons.course.navigation import nav_line


def test_navigation_is_fresh_and_no_link_is_dead():
    problems = check_navigation()
    assert problems == [], "\n".join(problems)


def test_lesson_names_follow_the_pattern():
    assert parse_name("02.05-Customer-Value-Segmentation.ipynb") == (2, 5, "Customer Value Segmentation")
    assert parse_name("2.5-Segmentation.ipynb") is None
    assert parse_name("02.05 Customer.ipynb") is None


def test_nav_line_links_neighbours():
    a, b, c = (find_lessons() * 3)[:3]
    line = nav_line(a, c)
    assert line.startswith(f"< [{a.code} ") and line.endswith(f"]({c.path.name}) >")
    assert "[Contents](Index.ipynb)" in line


def test_stale_navigation_is_detected(tmp_path):
    import shutil

    lessons = find_lessons()
    for lesson in lessons:
        shutil.copy(lesson.path, tmp_path / lesson.path.name)
    # no contents page yet, so it is stale
    problems = check_navigation(tmp_path)
    assert any("Index.ipynb" in p and "stale" in p for p in problems)


def test_course_builds_to_html(tmp_path):
    lessons = find_lessons()
    index = build_book(lessons, lessons[0].path.parent, build_dir=tmp_path)
    html = index.parent
    assert index.exists()
    for lesson in lessons:
        page = html / "notebooks" / f"{lesson.path.stem}.html"
        assert page.exists(), f"{page} was not built"
        text = page.read_text(encoding="utf-8")
        assert "教学目标" in text and "<img" in text, f"{page.name} lacks its goals or its figures"
    index_text = (html / "notebooks" / "Index.html").read_text(encoding="utf-8")
    for lesson in lessons:
        assert f"{lesson.path.stem}.html" in index_text
    assert not (tmp_path / "jb").exists(), "scratch build folder left behind"
