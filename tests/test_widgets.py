"""The lessons' widget helper: real ipywidgets in Jupyter, one line in a static run."""

import ipywidgets

from crm_lessons import widgets


def test_interact_builds_real_controls_and_calls_the_function(monkeypatch):
    monkeypatch.delenv(widgets.STATIC_ENV, raising=False)
    seen = []
    shown = widgets.interact(lambda k, who: seen.append((k, who)),
                             k=widgets.IntSlider(value=3, min=1, max=5),
                             who=widgets.Dropdown(options=["a", "b"], value="b"))
    assert seen == [(3, "b")]  # called once with the initial values
    assert isinstance(shown.widget.children[0], ipywidgets.IntSlider)
    assert shown.widget.children[0].max == 5


def test_static_run_creates_no_widget(monkeypatch, capsys):
    monkeypatch.setenv(widgets.STATIC_ENV, "1")
    called = []
    assert widgets.interact(lambda x: called.append(x), x=widgets.FloatSlider(value=0.5)) is None
    assert called == []
    assert capsys.readouterr().out.strip().endswith("to use them): x")


def test_control_describes_its_initial_value():
    assert widgets.FloatSlider(value=0.25, min=0, max=1).value == 0.25
    assert widgets.SelectionSlider(options=["x"], value="x").build().value == "x"
