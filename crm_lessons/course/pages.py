"""The site's own pages: setup and run, the API reference, the contents page with time estimates.

Each page is generated when the site is built, from a source that is kept anyway:

* **Setup and run** is the README's ``## Quick start`` section (one text for both);
* the **API reference** has one page per public module of ``crm_lessons`` (its name has
  no ``_`` part) that a lesson or an analyst calls (not the course, grading and command-line
  machinery), filled by Sphinx autodoc from the docstrings and their ``__all__``;
* the **contents page** is the notebook contents page with each lesson's time estimate
  and links to these pages.

Examples
--------
>>> readme_section("# X\\n## Quick start\\nrun it\\n## Next\\nmore", "Quick start")
'run it'
>>> "crm_lessons.clv" in public_modules()
True
>>> [n for n in public_modules() if n.split(".")[-1].startswith("_") or n.startswith("crm_lessons.course")]
[]
"""

from __future__ import annotations

import importlib
import pkgutil
import re

from crm_lessons.course.lessons import REPO_ROOT

__all__ = ["REFERENCE_PAGES", "api_pages", "public_modules", "readme_section", "setup_markdown",
           "site_contents_markdown"]

#: machinery, not an API for students: the course build, grading and the command lines.
_MACHINERY = ("crm_lessons.course", "crm_lessons.grading", "crm_lessons.cli")

#: the reference pages of the site (file stem under ``reference/`` -> title), in their order.
REFERENCE_PAGES = {
    "glossary": "Glossary (中英术语表)",
    "bibliography": "Bibliography (参考文献)",
    "api/index": "API reference of crm_lessons",
}


def readme_section(text: str, heading: str) -> str:
    """The body of the ``## heading`` section of a Markdown text (to the next ``##``)."""
    m = re.search(rf"^## {re.escape(heading)}\s*\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    if not m:
        raise ValueError(f"no '## {heading}' section found")
    return m.group(1).strip()


def setup_markdown(readme: str | None = None) -> str:
    """The setup-and-run page: the README's Quick start, with what to do in the course."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8") if readme is None else readme
    return "\n\n".join([
        "# Setup and run (安装与运行)",
        "How to get the course running on your own computer, work through the lessons in JupyterLab "
        "and run the tests. Everything runs offline once it is installed.",
        readme_section(readme, "Quick start"),
        "## Working through the course",
        "`make lab` opens JupyterLab on your workspace: start at `notebooks/Index.ipynb`, run a lesson "
        "top to bottom (Run → Run All Cells), move the sliders in its *Explore* section, then open its "
        "exercise from the link in the *Exercise* section (`exercises/student/…`).",
    ]) + "\n"


def public_modules() -> list[str]:
    """The public modules of ``crm_lessons`` for the API reference, sorted.

    None of their dotted parts starts with ``_``; the course, grading and command-line modules are left out.
    """
    import crm_lessons

    names = ["crm_lessons"] + [m.name for m in pkgutil.walk_packages(crm_lessons.__path__, "crm_lessons.")]
    return sorted(n for n in names if not any(part.startswith("_") for part in n.split("."))
                  and not n.startswith(_MACHINERY) and not n.endswith(".cli"))


def _summary(name: str) -> str:
    try:
        doc = importlib.import_module(name).__doc__ or ""
    except Exception as exc:  # a module that cannot be imported is listed with the reason
        return f"(not importable: {type(exc).__name__})"
    return " ".join(doc.strip().split("\n\n")[0].split()).replace("|", "\\|")


def api_pages() -> dict[str, str]:
    """The API reference: ``{"index": page, "<module>": page, …}`` (Markdown with autodoc directives)."""
    modules = public_modules()
    index = ["# API reference of `crm_lessons`", "",
             "Every public module of the package the lessons call, documented from its docstrings "
             "(numpydoc). The examples in the docstrings run as tests.", "",
             "| module | what it is for |", "|---|---|"]
    index += [f"| [`{m}`]({m}.md) | {_summary(m)} |" for m in modules]
    pages = {"index": "\n".join(index) + "\n"}
    for m in modules:
        pages[m] = f"# `{m}`\n\n```{{eval-rst}}\n.. automodule:: {m}\n   :members:\n```\n"
    return pages


def site_contents_markdown(contents: str) -> str:
    """The site's front page: the contents page, then links to the setup and reference pages."""
    links = "\n".join(f"- [{title}](../reference/{stem}.md)" for stem, title in
                      [("setup", "Setup and run (安装与运行)"), *REFERENCE_PAGES.items()])
    return contents.rstrip() + "\n\n## Reference (参考)\n\n" + links + "\n"
