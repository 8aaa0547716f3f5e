"""Every lesson has the course skeleton and reruns under papermill with other parameters.

nbval (see pyproject.toml) executes each lesson with its stored parameters and
compares the outputs; here each lesson is run again with another seed and a
smaller sample, as an instructor or analyst would.
"""

import re
from pathlib import Path

import nbformat
import pytest

from crm_lessons.course import find_lessons

LESSONS = find_lessons()
IDS = [lesson.path.stem for lesson in LESSONS]

#: the skeleton of COURSE.md, in order: heading -> what it is for
SECTIONS = [
    "## Learning goals (教学目标)",
    "## Concepts (概念)",
    "## Worked example (案例分析)",
    "## Explore (互动探索)",
    "## Exercise (练习)",
    "## Summary (教学小结)",
]
CHINESE_TERM = re.compile(r"[A-Za-z][^()（）\n]*[(（][^()（）\n]*[\u4e00-\u9fff]+[^()（）\n]*[)）]")
MAX_CODE_LINES = 25  # notebooks hold glue; logic lives in crm_lessons


def test_there_are_lessons():
    assert LESSONS, "no lesson notebooks found in notebooks/"


def _cells(lesson):
    nb = nbformat.read(lesson.path, as_version=4)
    return [c for c in nb.cells if "nav" not in c.metadata.get("tags", [])]


def _sections(cells):
    """heading -> list of cells under it (until the next ## heading)."""
    out, current = {}, None
    for cell in cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("## "):
                    current = line.strip()
                    out.setdefault(current, [])
        if current is not None:
            out[current].append(cell)
    return out


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_lesson_has_the_skeleton(lesson):
    cells = _cells(lesson)
    title = cells[0].source.splitlines()[0]
    assert re.match(rf"^# {lesson.chapter}\.{lesson.number} .+\(.*[\u4e00-\u9fff].*\)$", title), (
        f"first cell must be '# {lesson.code} English title (中文)', found {title!r}")
    headings = [line.strip() for c in cells if c.cell_type == "markdown"
                for line in c.source.splitlines() if line.startswith("## ")]
    present = [h for h in headings if h in SECTIONS]
    assert present == SECTIONS, f"sections in order {SECTIONS}; found {headings}"
    sections = _sections(cells)
    concept_text = "\n".join(c.source for c in sections[SECTIONS[1]] if c.cell_type == "markdown")
    assert len(CHINESE_TERM.findall(concept_text)) >= 3, "concepts need English terms with the Chinese term beside"
    worked = sections[SECTIONS[2]]
    assert any(c.cell_type == "code" and "crm_lessons" in c.source or "load_" in c.source
               for c in worked + cells[:6]), "the worked example must use crm_lessons"
    widget_cells = [c for c in sections[SECTIONS[3]]
                    if c.cell_type == "code" and re.search(r"interact|widgets\.", c.source)]
    assert widget_cells, "the Explore section needs an ipywidgets widget"
    for c in widget_cells:  # nbval sees a widget callback's output as plain stdout
        assert "nbval-ignore-output" in c.metadata.get("tags", []), (
            "tag the widget cell 'nbval-ignore-output'")
    exercise_md = "\n".join(c.source for c in sections[SECTIONS[4]])
    link = re.search(r"\]\((\.\./exercises/[^)]+\.ipynb)\)", exercise_md)
    assert link, "the Exercise section must link to ../exercises/<lesson>.ipynb"
    assert (lesson.path.parent / link.group(1)).exists(), f"exercise {link.group(1)} does not exist"
    summary = sections[SECTIONS[5]]
    assert sum(len(c.source) for c in summary) > 200, "the summary must sum up the lesson"


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_lesson_parameters_and_glue(lesson):
    cells = _cells(lesson)
    params = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1, "exactly one code cell tagged 'parameters'"
    assert re.search(r"^seed\s*=\s*\d+", params[0].source, re.M)
    assert re.search(r"^n_customers\s*=\s*[\d_]+", params[0].source, re.M)
    for c in cells:
        if c.cell_type == "code":
            n = len([l for l in c.source.splitlines() if l.strip() and not l.strip().startswith("#")])
            assert n <= MAX_CODE_LINES, (
                f"a code cell has {n} lines (> {MAX_CODE_LINES}): move the logic into crm_lessons\n{c.source[:300]}")
            assert not any(o.get("name") == "stderr" for o in c.get("outputs", [])), (
                f"a cell writes to stderr (warnings?):\n{c.source[:300]}")
            assert not any(o.get("output_type") == "error" for o in c.get("outputs", []))


#: papermill reruns the first lesson of every other chapter (1, 3, 5, 7, 9) in a real kernel with other
#: parameters (the injected-parameters path, widgets left closed when unattended: the same mechanism in
#: every lesson); every lesson is also rerun in-process with several seeds and sizes by its claims test
#: (tests/test_claims*.py), which keeps CI under 20 minutes.
RERUN = [lesson for lesson in LESSONS if lesson.number == 1 and lesson.chapter % 2 == 1]


def test_every_lesson_has_a_claims_test_that_reruns_it():
    text = "\n".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_claims*.py"))
    missing = [lesson.code for lesson in LESSONS
               if not re.search(rf"['\"]0?{lesson.chapter}\.0?{lesson.number}\b|{lesson.path.stem[:5]}", text)]
    assert not missing, f"lessons without a claims test: {missing}"


@pytest.mark.parametrize("lesson", RERUN, ids=[lesson.path.stem for lesson in RERUN])
def test_lesson_reruns_with_other_parameters(lesson, tmp_path):
    import papermill as pm

    out = tmp_path / lesson.path.name
    pm.execute_notebook(
        str(lesson.path), str(out), parameters={"seed": 7, "n_customers": 500},
        cwd=str(lesson.path.parent), kernel_name="python3", progress_bar=False,
        execution_timeout=600,  # a stuck cell fails the test instead of stalling the run
    )
    nb = nbformat.read(out, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
