"""The lessons' widget helper, and every lesson's Explore callback at the ends of every control."""

import subprocess
import sys

import ipywidgets
import nbformat
import pytest

from crm_lessons import widgets



def test_interact_builds_real_controls_calls_the_function_and_returns_none(monkeypatch):
    monkeypatch.setenv(widgets.STATIC_ENV, "0")  # force live widgets (pytest is a batch executor)
    seen, shown = [], []
    monkeypatch.setattr("IPython.display.display", lambda w, *a, **k: shown.append(w))
    result = widgets.interact(lambda contact_cost, who: seen.append((contact_cost, who)),
                              contact_cost=widgets.IntSlider(value=3, min=1, max=5),
                              who=widgets.Dropdown(options=["a", "b"], value="b"))
    assert result is None  # no stray Out[n]: <function …> under the cell
    assert seen == [(3, "b")]  # called once with the initial values


def test_controls_show_their_labels_in_full():
    slider = widgets.FloatSlider(value=0.5, min=0, max=1, description="experience_weight").build()
    assert slider.style.description_width == "initial"
    assert isinstance(slider, ipywidgets.FloatSlider)
    own = widgets.IntSlider(value=1, style={"description_width": "200px"}).build()
    assert own.style.description_width == "200px"  # a lesson's own style wins


def test_static_run_creates_no_widget(monkeypatch, capsys):
    monkeypatch.setenv(widgets.STATIC_ENV, "1")
    called = []
    assert widgets.interact(lambda x: called.append(x), x=widgets.FloatSlider(value=0.5)) is None
    assert called == []
    assert capsys.readouterr().out.strip().endswith("to use them): x")


@pytest.mark.parametrize("parent, expected", [
    ("/usr/bin/python3 /home/u/.venv/bin/papermill lesson.ipynb out.ipynb", True),
    ("python -m jupyter nbconvert --to notebook --execute lesson.ipynb", True),
    ("python -m pytest -n 2", True),
    ("/home/u/.venv/bin/python /home/u/.venv/bin/jupyter-lab notebooks/Index.ipynb", False),
    ("", False),
])
def test_unattended_is_detected_from_the_parent_process(monkeypatch, parent, expected):
    monkeypatch.delenv(widgets.STATIC_ENV, raising=False)
    monkeypatch.setattr(widgets, "_parent_command", lambda pid=None: parent)
    assert widgets.unattended() is expected
    monkeypatch.setenv(widgets.STATIC_ENV, "0")
    assert widgets.unattended() is False
    monkeypatch.setenv(widgets.STATIC_ENV, "1")
    assert widgets.unattended() is True


def test_parent_command_is_read_for_real():
    child = "from crm_lessons.widgets import _parent_command; print(_parent_command())"
    out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=True).stdout
    assert "pytest" in out or "python" in out


def test_papermill_without_the_variable_does_not_open_widgets(tmp_path, monkeypatch):
    """`papermill lesson.ipynb out.ipynb` with no environment variable: the widget cell is static."""
    monkeypatch.delenv(widgets.STATIC_ENV, raising=False)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "from crm_lessons import widgets\nwidgets.interact(lambda k: print(k), k=widgets.IntSlider(value=2))")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, tmp_path / "in.ipynb")
    env = {k: v for k, v in __import__("os").environ.items() if k != widgets.STATIC_ENV}
    subprocess.run([sys.executable, "-m", "papermill", "in.ipynb", "out.ipynb", "--no-progress-bar"],
                   cwd=tmp_path, env=env, check=True, timeout=300, capture_output=True)
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[0].outputs
    assert [o.get("text", "").strip() for o in out] == [
        "Interactive controls (run this notebook in Jupyter to use them): k"]


def test_control_describes_its_initial_value_and_ends():
    assert widgets.FloatSlider(value=0.25, min=0, max=1).value == 0.25
    assert widgets.FloatSlider(value=0.25, min=0, max=1).ends() == [0, 1]
    assert widgets.SelectionSlider(options=["x", "y"], value="x").ends() == ["x", "y"]
    assert widgets.Dropdown(options={"A": 1, "B": 2}, value=2).ends() == [1, 2]
    assert widgets.SelectionSlider(options=["x"], value="x").build().value == "x"


# The Explore callback of every lesson at the ends of every control is tested in tests/test_figures.py, on
# the same in-process run of the lesson as its figure rules (one run per lesson).
