"""The lessons in real JupyterLab, as ``make lab`` opens them: run, moved by the keyboard, exercise link.

JupyterLab is started on a loopback port without a token, rooted at a student workspace
(``crm_lessons.course.workspace``) laid out over *copies* of the lessons and student
exercises in a temporary folder, so autosave never touches the repository. Chromium
(``browser_support``) opens it with every request to another host aborted and recorded.
Skipped without a browser, except under ``CI=true``.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from browser_support import DESKTOP, browser, open_page  # noqa: F401 (browser: a fixture)
from crm_lessons.course import find_lessons
from crm_lessons.course.lessons import STUDENT_DIR

LESSONS = find_lessons()
#: three short lessons with sliders (any three lessons serve when these are renamed).
PREFERRED = ("01.02", "02.02", "03.01")
SAMPLE = [l for l in LESSONS if l.path.name.startswith(PREFERRED)] or LESSONS[:3]
#: JupyterLab's own console noise that is no fault of the course (none expected today).
IGNORED_CONSOLE = ()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory, browser):
    from crm_lessons.course.workspace import lab_arguments, make_workspace

    tmp = tmp_path_factory.mktemp("lab")
    notebooks = shutil.copytree(LESSONS[0].path.parent, tmp / "copies" / "notebooks")
    student = shutil.copytree(STUDENT_DIR, tmp / "copies" / "student")
    ws = make_workspace(tmp / "workspace", notebooks=notebooks, student=student)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("CRM_LESSONS_STATIC_WIDGETS", "MPLBACKEND")}
    env.update(JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), JUPYTER_CONFIG_DIR=str(tmp / "config"))
    # what `make lab` runs (lab_arguments), on a loopback port without a token for the test
    cmd = [sys.executable, "-m", "jupyterlab", *lab_arguments(ws), "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", "--IdentityProvider.token=",
           "--ServerApp.password=", "--ServerApp.allow_root=True", "--LabApp.extension_manager=readonly",
           "--LabApp.expose_app_in_browser=True", f"--LabApp.workspaces_dir={tmp / 'lab-workspaces'}",
           f"--LabApp.user_settings_dir={tmp / 'lab-settings'}"]
    log = open(tmp / "jupyterlab.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ws)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base + "api/status", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start:\n{(tmp / 'jupyterlab.log').read_text()[-3000:]}")
                time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


_RUN_ALL = """async (path) => {
    const app = window.jupyterapp;
    await app.started; await app.restored;
    let panel = null;
    for (let i = 0; i < 1200; i++) {
        panel = app.shell.currentWidget;
        if (panel && panel.context && panel.context.path === path) break;
        await new Promise(r => setTimeout(r, 100));
    }
    await panel.context.ready; await panel.sessionContext.ready;
    const ok = await app.commands.execute('notebook:run-all-cells');
    const errors = [], unrun = [];
    for (const cell of panel.content.widgets) {
        if (cell.model.type !== 'code') continue;
        if (cell.model.executionCount === null) unrun.push(cell.model.sharedModel.getSource().slice(0, 60));
        for (const o of cell.model.outputs.toJSON())
            if (o.output_type === 'error') errors.push(o.ename + ': ' + o.evalue);
    }
    return {ok, errors, unrun, path: panel.context.path};
}"""


_SHUT_DOWN = """async () => {
    for (const w of window.jupyterapp.shell.widgets('main'))
        if (w.sessionContext) await w.sessionContext.shutdown();
}"""


def _open_and_run(page, lab: str, lesson) -> dict:
    page.goto(f"{lab}lab/tree/notebooks/{lesson.path.name}?reset")  # ?reset: no tabs from an earlier test
    page.wait_for_function("window.jupyterapp !== undefined", timeout=180_000)
    return page.evaluate(_RUN_ALL, f"notebooks/{lesson.path.name}")


def _interact_output(page) -> str:
    """What the Explore cell's callback shows (text and figures): the output area under its controls."""
    return page.evaluate("() => { const w = document.querySelector('.widget-interact');"
                         " const out = w && w.querySelector('.jp-OutputArea');"
                         " return out ? out.innerHTML : ''; }")


@pytest.mark.parametrize("lesson", SAMPLE, ids=[l.path.stem for l in SAMPLE])
def test_lesson_runs_all_cells_in_jupyterlab(lab, browser, lesson):
    with open_page(browser, DESKTOP, ignore_console=IGNORED_CONSOLE) as (page, log):
        result = _open_and_run(page, lab, lesson)
        assert result["path"] == f"notebooks/{lesson.path.name}"
        assert result["errors"] == [] and result["ok"], f"cells raised: {result['errors']}"
        assert result["unrun"] == [], f"cells did not run: {result['unrun']}"
        if lesson is SAMPLE[0]:
            _slider_moved_by_keyboard_changes_the_output(page)
            _exercise_link_opens_the_student_copy(page, lesson)
        errors = list(log.errors)  # before the shutdown below, whose cancelled requests JupyterLab logs
        page.evaluate(_SHUT_DOWN)  # free the cores for the next lesson
    assert log.external == [], f"JupyterLab tried to reach other hosts: {log.external[:5]}"
    assert errors == [], f"console errors: {errors[:5]}"


def _slider_moved_by_keyboard_changes_the_output(page) -> None:
    handle = page.locator(".widget-interact .widget-slider .noUi-handle").first
    handle.wait_for(state="visible", timeout=180_000)
    deadline = time.monotonic() + 180
    while not re.search(r"<img|<pre|jp-RenderedText", _interact_output(page)):
        assert time.monotonic() < deadline, "the Explore cell shows nothing under its controls"
        page.wait_for_timeout(250)
    before = _interact_output(page)
    readout = page.locator(".widget-interact .widget-slider .widget-readout").first.inner_text()
    handle.focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    assert page.locator(".widget-interact .widget-slider .widget-readout").first.inner_text() != readout, (
        "the arrow keys did not move the slider")
    deadline = time.monotonic() + 180
    while _interact_output(page) == before:
        assert time.monotonic() < deadline, "moving the slider did not change the output"
        page.wait_for_timeout(250)


def _exercise_link_opens_the_student_copy(page, lesson) -> None:
    link = page.locator('.jp-Notebook .jp-RenderedMarkdown a[href*="exercises/student/"]').first
    link.scroll_into_view_if_needed()
    link.click()
    want = f"exercises/student/{lesson.path.name}"
    page.wait_for_function(f"window.jupyterapp.shell.currentWidget && window.jupyterapp.shell.currentWidget.context"
                           f" && window.jupyterapp.shell.currentWidget.context.path === {want!r}", timeout=180_000)
    text = page.evaluate("async () => { const w = window.jupyterapp.shell.currentWidget; await w.context.ready;"
                         " return w.content.model.sharedModel.cells.map(c => c.getSource()).join('\\n'); }")
    assert "NotImplementedError" in text and "BEGIN SOLUTION" not in text, "not the student copy"
