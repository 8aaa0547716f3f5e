"""Rules every lesson figure keeps, checked on the figures the lessons draw (and their Explore views).

The rules come from reading every figure as a PNG (LESSON-CHECKLIST.md, Figures):

* plain words, no code names (``margin_growth``, ``BetaGeoModel``) in titles, axis labels and legends;
* no ``$`` eaten by math text: a dollar amount in a text is written ``\\$``;
* a legend inside the axes covers no data point, line vertex or bar;
* a colour scale is not dominated by one cell: at least a tenth of the cells of a heat map use the
  upper 80% of its scale (a cohort matrix scaled by its 100% first column fails this);
* Chinese renders as characters, never boxes: drawing the figure warns of no missing glyph.
"""

import functools
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.collections import QuadMesh
from matplotlib.ft2font import FT2Font
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from crm_lessons import widgets
from crm_lessons.course import find_lessons
from crm_lessons.figures import get_axes
from lesson_exec import forget_recorded_runs, run_lesson_recorded

CODES = [lesson.path.name[:5] for lesson in find_lessons()]
CODE_NAME = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[A-Z][a-z]+(?:[A-Z][a-z]+)+Model\b")
UNESCAPED_DOLLAR_AMOUNT = re.compile(r"(?<!\\)\$\s?[\d,.]+")


def _texts(fig):
    """(where, text) of every title, axis label and legend entry of a figure."""
    for ax in fig.axes:
        for where, t in (("title", ax.get_title()), ("x label", ax.get_xlabel()), ("y label", ax.get_ylabel())):
            if t:
                yield where, t
        legend = ax.get_legend()
        if legend is not None:
            for t in legend.get_texts():
                yield "legend", t.get_text()
            if legend.get_title().get_text():
                yield "legend title", legend.get_title().get_text()
        for axis, name in ((ax.xaxis, "x tick label"), (ax.yaxis, "y tick label")):
            for t in axis.get_ticklabels():
                if t.get_text() and not re.fullmatch(r"[-−+\d.,%$\\ ]+", t.get_text()):
                    yield name, t.get_text()
    if fig._suptitle is not None:
        yield "suptitle", fig._suptitle.get_text()


def _legend_overlaps(ax):
    """Data points, line vertices or bars of ``ax`` inside its legend's box (display coordinates)."""
    legend = ax.get_legend()
    if legend is None or not legend.get_visible():
        return []
    box = legend.get_window_extent()
    axbox = ax.get_window_extent()
    if not axbox.overlaps(box):  # legend placed outside the axes
        return []
    hits = []
    for line in ax.get_lines():
        xy = line.get_xydata()
        if len(xy) == 0 or line.get_label().startswith("_") and len(xy) <= 2:
            continue  # reference lines (axhline/axvline) are not data
        pts = line.get_transform().transform(xy[np.isfinite(xy).all(axis=1)])
        inside = (pts[:, 0] > box.x0) & (pts[:, 0] < box.x1) & (pts[:, 1] > box.y0) & (pts[:, 1] < box.y1)
        if inside.any():
            hits.append(f"line {line.get_label()!r}")
    for patch in ax.patches:
        if isinstance(patch, Rectangle) and patch.get_width() and patch.get_height():
            pbox = patch.get_window_extent()
            if pbox.overlaps(box) and min(pbox.x1, box.x1) - max(pbox.x0, box.x0) > 2 and \
                    min(pbox.y1, box.y1) - max(pbox.y0, box.y0) > 2:
                hits.append("a bar")
    for coll in ax.collections:
        offsets = coll.get_offsets()
        if isinstance(coll, QuadMesh) or len(offsets) == 0 or len(offsets) > 5000:
            continue
        pts = coll.get_offset_transform().transform(offsets)
        inside = (pts[:, 0] > box.x0) & (pts[:, 0] < box.x1) & (pts[:, 1] > box.y0) & (pts[:, 1] < box.y1)
        if inside.mean() > 0.01:
            hits.append(f"{int(inside.sum())} points")
    return hits


@functools.lru_cache(maxsize=None)
def _font(path):
    return FT2Font(path)


def _boxes(fig):
    """(text, character) of every character no font of its text's family list can draw (a box)."""
    found = []
    for text in fig.findobj(Text):
        s = text.get_text()
        if not text.get_visible() or s.isascii():
            continue
        prop = text.get_fontproperties()
        paths = {font_manager.findfont(font_manager.FontProperties(family=f, style=prop.get_style(),
                                                                    weight=prop.get_weight()))
                 for f in prop.get_family()}
        fonts = [_font(p) for p in paths]
        found += [(s, c) for c in sorted(set(s)) if not c.isspace() and
                  not any(f.get_char_index(ord(c)) for f in fonts)]
    return found


def _dominated_scales(fig):
    """Heat maps whose colour scale is used by fewer than a tenth of their cells."""
    bad = []
    for ax in fig.axes:
        for artist in list(ax.collections) + list(ax.images):
            if not isinstance(artist, (QuadMesh, AxesImage)):
                continue
            values = np.ma.masked_invalid(np.ma.asarray(artist.get_array(), dtype=float)).compressed()
            if values.size < 6:
                continue
            scaled = artist.norm(values)
            if np.mean(np.asarray(scaled) > 0.2) < 0.1:
                bad.append(ax.get_title() or "a heat map")
    return bad


def check_figure(fig):
    """All rule violations of one figure, as sentences."""
    problems = []
    for where, text in _texts(fig):
        if CODE_NAME.search(text):
            problems.append(f"code name in {where}: {text!r}")
        if UNESCAPED_DOLLAR_AMOUNT.search(text):
            problems.append(f"unescaped $ (math text eats it) in {where}: {text!r}")
    problems += [f"a box instead of {c!r} in {t!r}" for t, c in _boxes(fig)]
    fig.canvas.draw()
    for ax in fig.axes:
        for hit in _legend_overlaps(ax):
            problems.append(f"legend of {ax.get_title()!r} covers {hit}")
    problems += [f"colour scale of {t!r} dominated by one cell" for t in _dominated_scales(fig)]
    return problems


def _figures_of(code):
    run = run_lesson_recorded(code, keep_figures=True)
    figures = [(f"cell {cell}", fig) for cell, fig in run.figures]
    for func, controls in run.explore:
        before = set(plt.get_fignums())
        old_show = plt.show
        plt.show = lambda *a, **k: None
        try:
            func(**widgets.positions(**controls)[0])
        finally:
            plt.show = old_show
        figures += [("Explore", plt.figure(n)) for n in plt.get_fignums() if n not in before]
    return figures


@pytest.mark.parametrize("code", CODES)
def test_lesson_figures_keep_the_rules_and_explore_runs_at_the_ends_of_every_control(code, capsys):
    """One in-process run per lesson: its figures keep the rules, and the Explore callback gives a result
    or a sentence (no traceback) with each control at each end of its range, the others at their initial
    values (LESSON-CHECKLIST: Figures, Explore)."""
    problems = []
    try:
        for where, fig in _figures_of(code):
            problems += [f"{where}: {p}" for p in check_figure(fig)]
    finally:
        plt.close("all")
    capsys.readouterr()
    assert not problems, f"lesson {code}:\n" + "\n".join(problems)
    run = run_lesson_recorded(code, keep_figures=True)  # the same run (cached)
    assert run.explore, f"lesson {code} has no Explore widget"
    for func, controls in run.explore:
        for setting in widgets.positions(**controls):
            try:
                func(**setting)
            except Exception as exc:  # pragma: no cover - the message is the point
                pytest.fail(f"lesson {code}: Explore raised {exc!r} at {setting}")
            finally:
                plt.close("all")
        assert "Traceback" not in capsys.readouterr().out
    forget_recorded_runs()  # the figures of one lesson are not kept for the next


# ----------------------------------------------------------------- the rules themselves
def test_the_rules_catch_the_defects_they_are_for():
    fig, axes = plt.subplots(1, 3, figsize=(12, 3))
    axes[0].bar(["a", "b"], [1, 1])
    axes[0].legend(["margin_growth"], loc="center")  # code name, and covers a bar
    axes[1].set_title("total CLV $35,958, mean $15.26")
    cohort = np.full((10, 20), 0.05)
    cohort[:, 0] = 1.0
    axes[2].imshow(cohort, vmin=0, vmax=1)
    problems = check_figure(fig)
    plt.close(fig)
    with plt.rc_context({"font.family": ["DejaVu Sans"]}):  # matplotlib's default: no Chinese glyphs
        boxed, ax = plt.subplots()  # (a figure's texts take the font family in force when it is made)
        ax.set_title("留存 cohorts")
    assert any("a box instead of '留'" in p for p in check_figure(boxed))
    plt.close(boxed)
    assert any("code name" in p for p in problems)
    assert any("covers a bar" in p for p in problems)
    assert any("unescaped $" in p for p in problems)
    assert any("dominated" in p for p in problems)


def test_a_clean_figure_passes():
    ax = get_axes(None)  # the package's figures draw Chinese (crm_lessons.figures.use_chinese_fonts)
    ax.bar(["a", "b"], [1, 2], label="share of customers 客户占比")
    ax.set(title=r"total CLV \$35,958 客户终身价值", xlabel="Tier", ylabel="Share")
    fig = ax.figure
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
    assert check_figure(fig) == []
    plt.close(fig)
