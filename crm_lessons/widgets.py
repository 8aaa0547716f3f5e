"""The lessons' widgets (互动探索), with a static fallback for automated runs.

A lesson's Explore cell reads like plain ipywidgets::

    from crm_lessons import widgets
    widgets.interact(explore, retention=widgets.FloatSlider(value=0.85, min=0.3, max=0.94, step=0.01))

In Jupyter this *is* ``ipywidgets.interact``: the controls appear and move the
chart. The controls are only descriptions until then, so nothing talks to the
front end while a notebook is run unattended. When the environment variable
``CRM_LESSONS_STATIC_WIDGETS`` is set — the test suite and ``make course`` set
it — ``interact`` creates no widget and prints one line naming the controls
instead: kernels executed by nbclient/papermill can stall for ever on widget
messages (nteract/papermill#723, jupyter/nbclient#312), and a built HTML page
cannot run the controls anyway.

Examples
--------
>>> import os
>>> os.environ[STATIC_ENV] = "1"
>>> widgets_shown = interact(lambda k=3: k, k=IntSlider(value=3, min=1, max=5))
Interactive controls (run this notebook in Jupyter to use them): k
>>> del os.environ[STATIC_ENV]
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

__all__ = ["STATIC_ENV", "Control", "Dropdown", "FloatSlider", "IntSlider", "SelectionSlider",
           "ToggleButtons", "interact"]

STATIC_ENV = "CRM_LESSONS_STATIC_WIDGETS"


@dataclass
class Control:
    """A description of an ipywidgets control: its class name and keyword arguments."""

    kind: str
    kwargs: dict = field(default_factory=dict)

    @property
    def value(self):
        """The control's initial value."""
        return self.kwargs.get("value")

    def build(self):
        """The real ipywidgets control."""
        import ipywidgets

        return getattr(ipywidgets, self.kind)(**self.kwargs)


def _control(kind: str):
    def make(**kwargs) -> Control:
        return Control(kind, kwargs)

    make.__name__ = kind
    make.__doc__ = f"Describe an ``ipywidgets.{kind}`` with these keyword arguments."
    return make


FloatSlider = _control("FloatSlider")
IntSlider = _control("IntSlider")
Dropdown = _control("Dropdown")
SelectionSlider = _control("SelectionSlider")
ToggleButtons = _control("ToggleButtons")


def interact(func, **controls):
    """Show ``func`` with a control for each keyword, as ``ipywidgets.interact`` does.

    Parameters
    ----------
    func : callable
        Draws the view; called with the controls' values whenever one moves.
    **controls : Control or anything ``ipywidgets.interact`` accepts
        One per keyword argument of ``func``.

    Returns
    -------
    The ``ipywidgets.interact`` result in Jupyter; None in a static run or
    when ipywidgets is missing (a message says how to install it).
    """
    if os.environ.get(STATIC_ENV):
        print("Interactive controls (run this notebook in Jupyter to use them): " + ", ".join(controls))
        return None
    try:
        import ipywidgets
    except ImportError:
        print("ipywidgets is not installed: `pip install ipywidgets` to move the controls.")
        return None
    built = {k: c.build() if isinstance(c, Control) else c for k, c in controls.items()}
    return ipywidgets.interact(func, **built)
