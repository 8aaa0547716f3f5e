"""A Sphinx extension that makes the Jupyter Book of the course work offline, with working menus.

Loaded by the book's ``_config.yml`` (``sphinx: extra_extensions``). It

* serves MathJax 3 from the build itself (``_static/mathjax/``, copied from the
  ``django-static-mathjax`` wheel's ``mathjax/static/mathjax/es5``) instead of a CDN;
* drops every script that would load from another host (require.js and the widget
  embedder of myst-nb, thebe and its configuration line, which the theme adds twice
  and so throws "Identifier 'THEBE_JS_URL' has already been declared");
* adds ``crm-site.css`` (code wraps instead of running off the page) and ``crm-site.js``
  (the phone ☰ menu and the page-contents button open; the search query is stemmed as
  the index is, so "NPS" is not cut to "np"; see the file), and sets the theme's colour
  mode (light; unset, the theme logs a console error on every first visit);
* indexes the pages for search with Sphinx's Chinese splitter (jieba, with the glossary's
  terms as its user dictionary), so that 满意 finds 客户满意度 and English words still
  match as before. Sphinx 7's splitter keeps every Latin word it has seen in a *list* and
  looks each word up in it while stemming (quadratic: 300 of the 520 s of a course build);
  :class:`LatinTerms` gives it a set with the same ``extend`` and ``in``, so the index is
  the same (a test compares) and the build several times faster.

Examples
--------
>>> is_external("https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js")
True
>>> is_external("_static/mathjax/tex-chtml.js"), is_external("//unpkg.com/x.js")
(False, True)
>>> mathjax_dir().joinpath("tex-chtml.js").is_file()
True
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

__all__ = ["MATHJAX_FILES", "STATIC_DIR", "LatinTerms", "is_external", "mathjax_dir", "setup"]

#: this package's own static files (CSS and JS), copied into ``_static/``.
STATIC_DIR = Path(__file__).with_name("static")
#: what of MathJax's ``es5`` folder the site needs: the TeX-to-HTML bundle and what it loads on demand.
MATHJAX_FILES = ("tex-chtml.js", "input", "output/chtml", "ui", "a11y", "sre", "adaptors")

_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)


def is_external(url: str | None) -> bool:
    """Whether ``url`` points at another host (``https://…`` or ``//…``)."""
    return bool(url) and bool(_EXTERNAL.match(url))


def mathjax_dir() -> Path:
    """MathJax 3's ``es5`` folder, as shipped by the ``django-static-mathjax`` wheel.

    Raises
    ------
    ModuleNotFoundError
        If the wheel is not installed (``pip install django-static-mathjax``; ``make setup`` does).
    """
    import importlib.util

    spec = importlib.util.find_spec("mathjax")
    es5 = Path(spec.submodule_search_locations[0]) / "static" / "mathjax" / "es5" if spec else None
    if es5 is None or not (es5 / "tex-chtml.js").is_file():
        raise ModuleNotFoundError("MathJax 3 is not installed: `pip install django-static-mathjax` "
                                  "(in pyproject's 'book' extra; `make setup` installs it)")
    return es5


def _configure(app, config) -> None:
    config.mathjax_path = "mathjax/tex-chtml.js"  # relative: served from _static/
    config.nb_ipywidgets_js = {}  # no require.js / widget embedder from a CDN: the site is static
    config.html_search_language = "zh"
    config.html_static_path = [*config.html_static_path, str(STATIC_DIR)]
    # the theme reads the colour mode from here; left empty it logs "Got invalid theme mode" as an error
    config.html_context = {**config.html_context, "default_mode": "light"}


def _drop_external_scripts(app, pagename, templatename, context, doctree) -> None:
    """Remove scripts and styles from other hosts, and thebe, from every page."""

    def keep(asset) -> bool:
        url = getattr(asset, "filename", asset)
        body = getattr(asset, "attributes", {}).get("body", "")
        return not (is_external(url) or "thebe" in str(url) or "THEBE" in body)

    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [a for a in context[key] if keep(a)]


def _copy_mathjax(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    src, dest = mathjax_dir(), Path(app.outdir) / "_static" / "mathjax"
    for name in MATHJAX_FILES:
        if (src / name).is_dir():
            shutil.copytree(src / name, dest / name, dirs_exist_ok=True)
        elif (src / name).is_file():
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src / name, dest / name)


class LatinTerms(set):
    """The Latin words the Chinese search splitter has seen: a set that also has ``list.extend``.

    >>> terms = LatinTerms()
    >>> terms.extend(["NPS", "CRM", "NPS"])
    >>> "NPS" in terms, len(terms)
    (True, 2)
    """

    def extend(self, words) -> None:
        self.update(words)


def _fast_chinese_search() -> None:
    """Give Sphinx's Chinese splitter a set of the Latin words it has seen instead of a list.

    The list is a class attribute shared by every splitter of the process; the set is too, and it
    starts with the same words, so every membership test answers as before.
    """
    from sphinx.search import zh

    if not isinstance(zh.SearchChinese.latin_terms, LatinTerms):
        zh.SearchChinese.latin_terms = LatinTerms(zh.SearchChinese.latin_terms)


def setup(app):
    """Register the extension with Sphinx."""
    mathjax_dir()  # fail at once, with the fix, when MathJax is missing
    _fast_chinese_search()
    app.connect("config-inited", _configure, priority=900)
    app.connect("html-page-context", _drop_external_scripts, priority=900)
    app.connect("build-finished", _copy_mathjax)
    app.add_css_file("crm-site.css")
    app.add_js_file("crm-site.js")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
