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

__all__ = ["CHART_DPI", "CHART_SIZE", "CJK_FONT", "chart_fonts", "chart_style", "cjk_font_path",
           "missing_glyphs", "percent_axis", "render_png"]

#: The font with Chinese glyphs used in every report chart.
CJK_FONT = "Noto Sans SC"
#: Default chart size in inches; at :data:`CHART_DPI` a 16:9 slide picture of 1600 x 900 pixels.
CHART_SIZE = (8.0, 4.5)
#: Resolution of the chart PNGs (charts/*.png and the pictures in report.html).
CHART_DPI = 200


def cjk_font_path() -> Path:
    """The Noto Sans SC file shipped by the ``pylopdf-fonts-zh-cn`` package."""
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.sans_path())


@functools.lru_cache(maxsize=1)
def chart_fonts() -> list[str]:
    """Register the shipped CJK font with matplotlib; return the font family list for charts."""
    from matplotlib import font_manager

    path = cjk_font_path()
    if not any(Path(f.fname) == path for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(path))
    return [CJK_FONT, "DejaVu Sans"]


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


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` that neither chart font can draw (checked in the fonts' cmaps)."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    fonts = [FT2Font(str(cjk_font_path())),
             FT2Font(font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans")))]
    return sorted({c for c in text if not c.isspace() and not any(f.get_char_index(ord(c)) for f in fonts)})


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
