"""What the stored outputs of every lesson show: definitions in full, no stray reprs, no seed ids.

These read the notebooks as committed (the outputs a student sees in the site and in JupyterLab).
"""

import re

import nbformat
import pytest

from crm_lessons.course import find_lessons

LESSONS = find_lessons()
IDS = [lesson.path.stem for lesson in LESSONS]

#: a table cell cut by pandas' max_colwidth ends in "..." right after a word (a whole "..." cell is
#: a skipped row or column, which is fine)
CUT_HTML_CELL = re.compile(r"<td>[^<]*[^\s.<>]\.\.\.</td>")
CUT_TEXT_CELL = re.compile(r"[^\s.]\.\.\.(?:\s|$)")


def _outputs(lesson):
    nb = nbformat.read(lesson.path, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                yield i, cell, out


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_no_table_cell_is_cut_off(lesson):
    cut = []
    for i, _, out in _outputs(lesson):
        data = out.get("data", {})
        html, text = data.get("text/html", ""), data.get("text/plain", "")
        if (html and CUT_HTML_CELL.search(html)) or (not html and text and CUT_TEXT_CELL.search(text)):
            cut.append(i)
    assert not cut, (f"cells {cut} show a table cut off with '...': show definitions in full "
                     "(pd.set_option('display.max_colwidth', None), or a markdown table)")


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_no_stray_function_repr(lesson):
    stray = [i for i, _, out in _outputs(lesson)
             if out.get("output_type") == "execute_result"
             and out.get("data", {}).get("text/plain", "").startswith("<function")]
    assert not stray, f"cells {stray} show Out[n]: <function …> under a widget"


@pytest.mark.parametrize("lesson", LESSONS, ids=IDS)
def test_student_text_names_sources_not_seed_files(lesson):
    nb = nbformat.read(lesson.path, as_version=4)
    text = "\n".join(re.sub(r"<!--.*?-->", "", c.source, flags=re.S) for c in nb.cells if c.cell_type == "markdown")
    found = re.findall(r"[Ss]eed 00\d", text)
    assert not found, "say 'the MBA chapter', 'the slides', 'the lecture plan' or 'the training outline'"


def test_the_cut_detector_sees_a_cut_cell():
    assert CUT_HTML_CELL.search("<td>sells the product and does not fol...</td>")
    assert not CUT_HTML_CELL.search("<td>...</td>")
    assert CUT_TEXT_CELL.search("0  in the customer table (any person who might buy)  joined the programme (member_date <...\n")
