"""The lessons' widgets (互动探索), with a static fallback for unattended runs.

A lesson's Explore cell reads like plain ipywidgets::

    from crm_lessons import widgets
    widgets.interact(explore, retention=widgets.FloatSlider(value=0.85, min=0.3, max=0.94, step=0.01))

In Jupyter this *is* ``ipywidgets.interact``: the controls appear and move the
chart. Three differences, each for a defect found in the lessons:

* ``interact`` returns None, so the cell shows no stray ``Out[n]: <function …>``.
* every control gets ``style={"description_width": "initial"}``: the label is
  shown in full ("contact_cost", not "contact_c…").
* in an **unattended** run ``interact`` creates no widget and prints one line
  naming the controls instead: kernels executed by nbclient/papermill can stall
  for ever on widget messages (nteract/papermill#723, jupyter/nbclient#312), and
  a built HTML page cannot run the controls anyway. A run is unattended when
  the environment variable ``CRM_LESSONS_STATIC_WIDGETS`` is set to anything
  but ``0`` (the test suite and ``make course`` set it), or when the kernel was
  started by a batch executor — its parent process is ``papermill``,
  ``nbconvert``, ``nbclient`` or ``pytest`` — so that ``papermill lesson.ipynb
  out.ipynb`` works without the variable. ``CRM_LESSONS_STATIC_WIDGETS=0``
  forces live widgets.

:func:`positions` lists the settings a test should try: every control at the
ends of its range, the others at their initial values.

Examples
--------
>>> import os
>>> os.environ[STATIC_ENV] = "1"
>>> interact(lambda k=3: k, k=IntSlider(value=3, min=1, max=5))
Interactive controls (run this notebook in Jupyter to use them): k
>>> del os.environ[STATIC_ENV]
>>> positions(k=IntSlider(value=3, min=1, max=5), who=Dropdown(options=["a", "b"], value="b"))
[{'k': 3, 'who': 'b'}, {'k': 1, 'who': 'b'}, {'k': 5, 'who': 'b'}, {'k': 3, 'who': 'a'}]
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["STATIC_ENV", "Control", "Dropdown", "FloatSlider", "IntSlider", "SelectionSlider",
           "ToggleButtons", "interact", "positions", "unattended"]

STATIC_ENV = "CRM_LESSONS_STATIC_WIDGETS"

#: names of programs that execute notebooks with no person watching
BATCH_EXECUTORS = ("papermill", "nbconvert", "nbclient", "pytest", "nbval")


@dataclass
class Control:
    """A description of an ipywidgets control: its class name and keyword arguments."""

    kind: str
    kwargs: dict = field(default_factory=dict)

    @property
    def value(self):
        """The control's initial value."""
        if "value" in self.kwargs:
            return self.kwargs["value"]
        if "options" in self.kwargs:
            return _options(self.kwargs["options"])[0]
        return self.kwargs.get("min", 0)

    def ends(self) -> list:
        """The two ends of the control's range (first and last option, or min and max)."""
        if "options" in self.kwargs:
            opts = _options(self.kwargs["options"])
            return [opts[0], opts[-1]]
        return [self.kwargs.get("min", 0), self.kwargs.get("max", 100 if self.kind == "IntSlider" else 10.0)]

    def build(self):
        """The real ipywidgets control, its label shown in full."""
        import ipywidgets

        kwargs = {"style": {"description_width": "initial"}, **self.kwargs}
        return getattr(ipywidgets, self.kind)(**kwargs)


def _options(options) -> list:
    """Option values as ipywidgets reads them (a dict or (label, value) pairs give values)."""
    if isinstance(options, dict):
        return list(options.values())
    return [o[1] if isinstance(o, tuple) and len(o) == 2 else o for o in options]


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


def _parent_command(pid: int | None = None) -> str:
    """The command line of this process's parent ('' where it cannot be read)."""
    pid = os.getppid() if pid is None else pid
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        try:
            import psutil

            return " ".join(psutil.Process(pid).cmdline())
        except Exception:  # no /proc and no psutil: assume a person is watching
            return ""


def unattended() -> bool:
    """True when no person can move the controls (see the module docstring for the rule)."""
    flag = os.environ.get(STATIC_ENV)
    if flag is not None and flag.strip() != "":
        return flag.strip() != "0"
    return _is_batch_executor(_parent_command())


def _is_batch_executor(command: str) -> bool:
    """Whether a command line runs one of :data:`BATCH_EXECUTORS`: its program, its script or its ``-m``
    module is named so. Paths among its arguments do not count (a JupyterLab rooted in
    ``/tmp/pytest-of-root/...`` is a person's).

    >>> _is_batch_executor("/venv/bin/python -m papermill in.ipynb out.ipynb")
    True
    >>> _is_batch_executor("/venv/bin/python -m jupyterlab --ServerApp.root_dir=/tmp/pytest-of-root/x")
    False
    """
    parts = command.lower().split()
    names = [Path(p).name for p in parts[:2]]
    if "-m" in parts[:-1]:
        names.append(parts[parts.index("-m") + 1])
    for at, part in enumerate(parts[:-1]):            # jupyter nbconvert ..., python -m jupyter nbconvert ...
        if Path(part).name == "jupyter":
            names.append(parts[at + 1])
            break
    names = [n.removesuffix(".py").replace("jupyter-", "") for n in names]
    return any(n.split(".")[0] in BATCH_EXECUTORS for n in names)


def positions(**controls) -> list[dict]:
    """The settings to try: the initial values, then each control at each end of its range."""
    start = {k: c.value if isinstance(c, Control) else c for k, c in controls.items()}
    out = [start]
    for name, control in controls.items():
        if isinstance(control, Control):
            for end in control.ends():
                if end != start[name]:
                    out.append({**start, name: end})
    return out


def interact(func, **controls) -> None:
    """Show ``func`` with a control for each keyword, as ``ipywidgets.interact`` does.

    Parameters
    ----------
    func : callable
        Draws the view; called with the controls' values whenever one moves.
    **controls : Control or anything ``ipywidgets.interact`` accepts
        One per keyword argument of ``func``.

    Returns
    -------
    None (the widget displays itself), so that the cell shows no ``<function …>``.
    In an unattended run, or when ipywidgets is missing, one line is printed instead.
    """
    if unattended():
        print("Interactive controls (run this notebook in Jupyter to use them): " + ", ".join(controls))
        return None
    try:
        import ipywidgets
    except ImportError:
        print("ipywidgets is not installed: `pip install ipywidgets` to move the controls.")
        return None
    built = {k: c.build() if isinstance(c, Control) else c for k, c in controls.items()}
    ipywidgets.interact(func, **built)
    return None
