"""Figure helpers shared by the plots of every lesson and report (图表), and the Chinese font.

Every ``plot_*`` function of the package takes ``ax=None`` and returns the
Axes it drew on; :func:`get_axes` is the one place that makes a new figure
when none is given.

Chinese text in a chart needs a font with Chinese glyphs. Matplotlib resolves a
generic family such as ``sans-serif`` to **one** font, so listing a CJK font
after DejaVu Sans in ``font.sans-serif`` never reaches it. An explicit family
list does: matplotlib (3.6+) falls back glyph by glyph along it. Noto Sans SC
(SIL Open Font License 1.1) comes with the ``pylopdf-fonts-zh-cn`` package, a
declared dependency, so a fresh machine needs no system font.
:func:`use_chinese_fonts` (called by :func:`get_axes`, and by the lessons'
first figure through it) sets ``font.family`` to ``["DejaVu Sans", "Noto Sans SC"]``:
Latin text keeps matplotlib's default look and every Chinese character falls
back to Noto Sans SC, so a lesson's 客户 renders as characters, never boxes.
The reports put Noto Sans SC first (:func:`chart_fonts`).

Examples
--------
>>> ax = get_axes(None, figsize=(4, 3))
>>> ax.figure.get_size_inches().tolist()
[4.0, 3.0]
>>> import matplotlib as mpl
>>> mpl.rcParams["font.family"]
['DejaVu Sans', 'Noto Sans SC']
>>> missing_glyphs("客户价值 RFM 2024")
[]
"""

from __future__ import annotations

import functools
from pathlib import Path

__all__ = ["CJK_FONT", "chart_fonts", "cjk_font_path", "get_axes", "missing_glyphs", "use_chinese_fonts"]

#: The font with Chinese glyphs used in every chart.
CJK_FONT = "Noto Sans SC"


def cjk_font_path() -> Path:
    """The Noto Sans SC file shipped by the ``pylopdf-fonts-zh-cn`` package.

    Examples
    --------
    >>> cjk_font_path().suffix in {".otf", ".ttf"}
    True
    """
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.sans_path())


def _not_a_missing_cjk_weight(record) -> bool:
    """Logging filter: drop matplotlib's notice that Noto Sans SC has no bold (Chinese in bold text is drawn regular)."""
    return not (record.getMessage().startswith("findfont: Failed to find font weight") and CJK_FONT in record.getMessage())


@functools.lru_cache(maxsize=1)
def _register_cjk_font() -> None:
    import logging

    from matplotlib import font_manager

    path = cjk_font_path()
    if not any(Path(f.fname) == path for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(path))
    # only the regular weight is shipped: a bold title's Chinese characters are drawn in it, and matplotlib's
    # log line about it (on stderr, in every notebook) says nothing a reader can act on
    logging.getLogger("matplotlib.font_manager").addFilter(_not_a_missing_cjk_weight)


def chart_fonts() -> list[str]:
    """Register the shipped CJK font with matplotlib; return the report charts' family list.

    Examples
    --------
    >>> chart_fonts()
    ['Noto Sans SC', 'DejaVu Sans']
    """
    _register_cjk_font()
    return [CJK_FONT, "DejaVu Sans"]


def use_chinese_fonts() -> None:
    """Let every later figure draw Chinese: ``font.family`` = DejaVu Sans, then Noto Sans SC.

    Latin text still uses DejaVu Sans (matplotlib's default); a character DejaVu
    Sans lacks (every Chinese one) falls back to Noto Sans SC. Idempotent.

    Examples
    --------
    >>> use_chinese_fonts()
    >>> import matplotlib as mpl
    >>> mpl.rcParams["font.family"]
    ['DejaVu Sans', 'Noto Sans SC']
    """
    import matplotlib as mpl

    _register_cjk_font()
    if mpl.rcParams["font.family"] in (["sans-serif"], ["DejaVu Sans"]):
        mpl.rcParams["font.family"] = ["DejaVu Sans", CJK_FONT]


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` that neither chart font can draw (checked in the fonts' cmaps).

    Examples
    --------
    >>> missing_glyphs("客户关系管理 CRM")
    []
    """
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    fonts = [FT2Font(str(cjk_font_path())),
             FT2Font(font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans")))]
    return sorted({c for c in text if not c.isspace() and not any(f.get_char_index(ord(c)) for f in fonts)})


def get_axes(ax=None, *, figsize=(6, 4)):
    """``ax`` itself, or the Axes of a new figure of ``figsize`` inches when ``ax`` is None.

    Also makes Chinese text drawable in this and every later figure (:func:`use_chinese_fonts`).
    """
    use_chinese_fonts()
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=figsize)
    return ax
