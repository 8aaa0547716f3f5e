"""Report charts: the Chinese font, slide-sized PNGs, and the base (n) of every chart (图表).

Chinese text in a chart needs a font with Chinese glyphs. Matplotlib resolves a
generic family such as ``sans-serif`` to **one** font, so listing a CJK font
after DejaVu Sans in ``font.sans-serif`` never reaches it. Here the charts use
an explicit family list, ``["Noto Sans SC", "DejaVu Sans"]``: matplotlib
(3.6+) falls back glyph by glyph along an explicit list, so Chinese and Latin
text both render. Noto Sans SC (SIL Open Font License 1.1) comes with the
``pylopdf-fonts-zh-cn`` package, a declared dependency, so a fresh machine
needs no system font. Missing-glyph warnings are never silenced: in a report
they would show as an error output, which the tests refuse.

Examples
--------
>>> CJK_FONT
'Noto Sans SC'
>>> chart_fonts()[0]
'Noto Sans SC'
>>> missing_glyphs("客户价值 RFM 2024")
[]
"""

from __future__ import annotations

import functools
import io
from pathlib import Path

from crm_lessons.figures import CJK_FONT, chart_fonts, cjk_font_path, missing_glyphs

__all__ = ["CHART_DPI", "CHART_SIZE", "CJK_FONT", "chart_fonts", "chart_style", "cjk_font_path",
           "missing_glyphs", "percent_axis", "render_png"]

#: Default chart size in inches; at :data:`CHART_DPI` a 16:9 slide picture of 1600 x 900 pixels.
CHART_SIZE = (8.0, 4.5)
#: Resolution of the chart PNGs (charts/*.png and the pictures in report.html).
CHART_DPI = 200


def chart_style():
    """rc settings of the report charts (a context manager): fonts, sizes, light grid."""
    import matplotlib as mpl

    return mpl.rc_context({
        "font.family": chart_fonts(),
        "axes.unicode_minus": False,  # the ASCII minus: present in every font
        "font.size": 11,
        "axes.titlesize": 13,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "figure.dpi": 100,
        "savefig.dpi": CHART_DPI,
    })


def render_png(draw, *, title: str, size=CHART_SIZE, dpi: int = CHART_DPI, footnote: str = "") -> bytes:
    """Draw ``draw(ax)`` on a new figure titled ``title`` and return it as PNG bytes.

    ``footnote`` (the chart's base, n = ...) goes in the bottom-right corner, below the axis label.
    Missing-glyph warnings are not silenced (a chart with boxes must be seen).
    """
    import matplotlib.pyplot as plt

    with chart_style():
        fig, ax = plt.subplots(figsize=size)
        try:
            draw(ax)
            ax.set_title(title)
            if footnote:
                fig.text(0.99, 0.01, footnote, ha="right", va="bottom", fontsize=9, color="0.35")
            fig.tight_layout(rect=(0, 0.05 if footnote else 0, 1, 1))
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=dpi)
        finally:
            plt.close(fig)
    return buf.getvalue()


def percent_axis():
    """A tick formatter showing shares 0..1 as 0%..100%."""
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0, decimals=0)
