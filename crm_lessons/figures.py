"""Figure helpers shared by the plots of every lesson (图表).

Every ``plot_*`` function of the package takes ``ax=None`` and returns the
Axes it drew on; :func:`get_axes` is the one place that makes a new figure
when none is given.

Examples
--------
>>> ax = get_axes(None, figsize=(4, 3))
>>> ax.figure.get_size_inches().tolist()
[4.0, 3.0]
"""

from __future__ import annotations

__all__ = ["get_axes"]


def get_axes(ax=None, *, figsize=(6, 4)):
    """``ax`` itself, or the Axes of a new figure of ``figsize`` inches when ``ax`` is None."""
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=figsize)
    return ax
