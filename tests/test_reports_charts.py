"""Chinese in report charts: the shipped font is really used and has every glyph (issue 15, item 1)."""

import io
import warnings

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font
from PIL import Image

from crm_lessons.reports._charts import CJK_FONT, chart_fonts, chart_style, cjk_font_path, missing_glyphs, render_png

LABELS = "客户价值 重要价值客户 流失风险 门店：北京/朝阳店 满意度 人数 n = 1,234"


def _draw(ax):
    ax.bar(["重要价值客户", "一般保持客户", "流失风险"], [3, 2, 1])
    ax.set_xlabel("客户分群")
    ax.set_ylabel("人数（n = 1,234）")


def test_font_comes_from_the_declared_package_and_has_the_glyphs():
    path = cjk_font_path()
    assert path.is_file() and path.suffix == ".otf"
    font = FT2Font(str(path))
    assert font.family_name == CJK_FONT
    # every character of the labels has a glyph id in the font's own cmap (0 = .notdef, a box)
    assert all(font.get_char_index(ord(c)) != 0 for c in LABELS if not c.isspace())
    assert missing_glyphs(LABELS) == []
    assert missing_glyphs("a\U00013000") == ["\U00013000"]  # the check can fail: a hieroglyph is in neither font


def test_matplotlib_resolves_the_chart_fonts_to_the_cjk_file():
    with chart_style():
        assert mpl.rcParams["font.family"] == chart_fonts()
        found = font_manager.findfont(font_manager.FontProperties(family=mpl.rcParams["font.family"]),
                                      fallback_to_default=False)
    assert font_manager.FontProperties(fname=found).get_name() == CJK_FONT


def test_chart_with_chinese_labels_renders_without_a_missing_glyph():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib's "Glyph ... missing from font(s)" becomes a failure
        png = render_png(_draw, title="客户分群：人数")
    img = Image.open(io.BytesIO(png))
    assert img.size[0] >= 1500 and img.size[1] >= 800  # slide resolution


def test_the_old_set_up_draws_boxes_so_the_test_can_fail():
    """DejaVu Sans first in font.sans-serif (the set-up of issue 15) warns of missing glyphs."""
    chart_fonts()  # the CJK font is registered, yet the generic family resolves to DejaVu Sans only
    with mpl.rc_context({"font.family": ["sans-serif"],
                         "font.sans-serif": ["DejaVu Sans", CJK_FONT]}), \
            warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots()
        _draw(ax)
        fig.canvas.draw()
        plt.close(fig)
    assert any("missing from font" in str(w.message) for w in caught)


def test_chinese_pixels_differ_from_boxes():
    """The same label drawn with the chart fonts and with DejaVu only (boxes) gives different pixels."""

    def label_pixels(family):
        with mpl.rc_context({"font.family": family}), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fig = plt.figure(figsize=(2, 0.5), dpi=100)
            fig.text(0, 0.2, "客户")
            buf = io.BytesIO()
            fig.savefig(buf, format="png")
            plt.close(fig)
        return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("L"))

    assert not np.array_equal(label_pixels(chart_fonts()), label_pixels(["DejaVu Sans"]))


@pytest.mark.parametrize("text", ["重要价值客户", "Customers (n = 25)", "−5%"])
def test_labels_of_both_languages_are_covered(text):
    assert missing_glyphs(text) == []
