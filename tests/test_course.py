"""The contents page, navigation and links are fresh; students reach only student copies.

The HTML course is built and checked in ``tests/test_site.py``.
"""

import re

import pytest

from crm_lessons.course import check_navigation, find_lessons
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


# --- students reach only student copies (issue 14, item 1) -------------------------------------

def _pages():
    from crm_lessons.course.navigation import CONTENTS_NAME

    import nbformat

    lessons = find_lessons()
    paths = [lesson.path for lesson in lessons] + [lessons[0].path.parent / CONTENTS_NAME]
    return [(p, nbformat.read(p, as_version=4)) for p in paths]


def test_no_lesson_or_contents_page_links_an_instructor_exercise():
    from crm_lessons.course.navigation import instructor_links

    bad = [f"{p.name}: {t}" for p, nb in _pages() for c in nb.cells if c.cell_type == "markdown"
           for t in instructor_links(c.source)]
    assert bad == [], "pages link the instructor exercise (with solutions):\n" + "\n".join(bad)
    linked = [p for p, nb in _pages() if any("exercises/student/" in c.source for c in nb.cells)]
    assert len(linked) == len(_pages()), "every lesson and the contents page link a student copy"


def test_an_instructor_exercise_link_is_caught_and_rewritten(tmp_path):
    import shutil

    import nbformat

    from crm_lessons.course.navigation import instructor_links, student_links, write_navigation

    for lesson in find_lessons():
        shutil.copy(lesson.path, tmp_path / lesson.path.name)
    shutil.copytree(find_lessons()[0].path.parent.parent / "exercises", tmp_path.parent / "exercises",
                    dirs_exist_ok=True)
    write_navigation(tmp_path)
    assert check_navigation(tmp_path) == []
    victim = tmp_path / find_lessons()[0].path.name
    nb = nbformat.read(victim, as_version=4)
    planted = f"[the answers](../exercises/{victim.name})"
    nb.cells.insert(2, nbformat.v4.new_markdown_cell(planted))
    nbformat.write(nb, victim)
    problems = check_navigation(tmp_path)
    assert any("instructor exercise" in p and victim.name in p for p in problems), problems
    assert instructor_links(planted) == [f"../exercises/{victim.name}"]
    assert instructor_links(student_links(planted)) == []
    write_navigation(tmp_path)  # `crm-lessons course nav` repairs it
    assert check_navigation(tmp_path) == []


def test_lab_workspace_serves_no_instructor_exercise(tmp_path):
    """JupyterLab's own contents manager, rooted at the workspace, cannot reach a solution."""
    from jupyter_server.services.contents.filemanager import FileContentsManager
    from tornado.web import HTTPError

    from crm_lessons.course.workspace import make_workspace

    lessons = find_lessons()
    ws = make_workspace(tmp_path / "lab")
    cm = FileContentsManager(root_dir=str(ws))
    assert {e["name"] for e in cm.get("", content=True)["content"]} == {"notebooks", "exercises", "README.md"}
    assert [e["name"] for e in cm.get("exercises", content=True)["content"]] == ["student"]
    name = lessons[0].path.name
    assert lessons[0].exercise.exists(), "the instructor version exists in the repository"
    assert cm.get(f"exercises/student/{name}", content=False)["type"] == "notebook"
    assert cm.get(f"notebooks/{name}", content=False)["type"] == "notebook"
    for path in (f"exercises/{name}", f"notebooks/../exercises/{name}", f"../exercises/{name}",
                 f"exercises/student/../{name}"):
        with pytest.raises(HTTPError) as err:
            cm.get(path, content=False)
        assert err.value.status_code == 404, path
    import os

    served = [os.path.relpath(os.path.join(d, f), ws) for d, _, files in os.walk(ws, followlinks=True)
              for f in files if f.endswith(".ipynb") and ".ipynb_checkpoints" not in d]
    assert len(served) >= 2 * len(lessons)
    assert all(s.startswith(("notebooks/", "exercises/student/")) for s in served), served
