"""The bibliography of the course: the works the lessons cite, with their full references.

A lesson cites in author–year form: ``Fader, Hardie & Lee (2005)``, ``(Reinartz & Kumar 2002)``,
``Fader & Hardie 2007``. The full references live in the numpydoc *References* sections of
the ``crm_lessons`` helpers the lessons call (``Fader, P. S., Hardie, B. G. S. & Lee, K. L.
(2005). "Counting your customers" the easy way …``). :func:`citations` reads the citations
of each lesson, :func:`references` the full references of the package, and
:func:`bibliography_markdown` writes the page that lists every cited work with its full
reference and the lessons that cite it. A citation whose work has no full reference in the
package is listed as cited, with a note, so that a missing reference is seen, not hidden.

Examples
--------
>>> find_citations("as Morrison & Colombo (1987) and Fader, Hardie & Lee (2005) did; HSBC (Reinartz & Kumar 2002)")
[(('Morrison', 'Colombo'), '1987'), (('Fader', 'Hardie', 'Lee'), '2005'), (('Reinartz', 'Kumar'), '2002')]
>>> find_citations("CDNOW's 1997 cohort")
[]
>>> refs = parse_references('''
...     Fader, P. S. & Hardie, B. G. S. (2007). How to project customer retention.
...     *Journal of Interactive Marketing*, 21(1), 76-90.
...     Juran, J. M. (1951). *Quality Control Handbook*. McGraw-Hill.
... ''')
>>> sorted(refs)
[(('Fader', 'Hardie'), '2007'), (('Juran',), '1951')]
>>> refs[(("Juran",), "1951")]
['Juran, J. M. (1951). *Quality Control Handbook*. McGraw-Hill.']

A work is known by its authors' surnames and year; two works with the same authors and
year are both given (a lesson's citation cannot tell them apart).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass, field

import nbformat

from crm_lessons.course.lessons import Lesson

__all__ = ["Work", "bibliography", "bibliography_markdown", "citations", "find_citations",
           "parse_references", "references"]

_NAME = r"[A-Z][A-Za-zÀ-ÿ'’-]+"
#: ``Fader, Hardie & Lee (2005)``, ``Fader & Hardie 2007``, ``Reichheld and Sasser (1990)``, ``Kotler (1997)``
_CITATION = re.compile(
    rf"(?P<names>{_NAME}(?:(?:,\s*|\s+&\s+|\s+and\s+){_NAME}){{0,4}})(?:\s+et al\.)?\s*\(?(?P<year>(?:19|20)\d\d)\b")
#: the start of a full reference: ``Surname, I. I.`` … ``(1990)``
_REFERENCE = re.compile(rf"^(?P<names>{_NAME},\s+(?:[A-Z]\.\s*)+.*?)\((?P<year>(?:19|20)\d\d)\)")
_SURNAME = re.compile(rf"({_NAME}),\s+(?:[A-Z]\.\s*)+")
_NOT_AUTHORS = {"In", "The", "From", "Since", "See", "Seed", "June", "January", "March", "December", "Until",
                "Course", "Chapter", "CDNOW", "Lesson", "Table", "Figure"}


def find_citations(text: str) -> list[tuple[tuple[str, ...], str]]:
    """The (authors' surnames, year) of each author–year citation in ``text``, in order, without repeats."""
    out = []
    for m in _CITATION.finditer(text):
        names = tuple(n for n in re.split(r",\s*|\s+&\s+|\s+and\s+", m.group("names")))
        key = (names, m.group("year"))
        if names[0] in _NOT_AUTHORS or names[0].isupper() or names[-1].endswith(("'s", "’s")) or key in out:
            continue
        out.append(key)
    return out


def parse_references(text: str) -> dict[tuple[tuple[str, ...], str], list[str]]:
    """Full references in a docstring's References section: (surnames, year) -> reference texts.

    A reference starts on a line ``Surname, I. … (year)`` and runs to the next such line
    or a blank line.
    """
    out: dict = {}
    current: list[str] | None = None
    for raw in text.splitlines() + [""]:
        line = raw.strip()
        m = _REFERENCE.match(line)
        if m or not line:
            if current and " ".join(current) not in out.setdefault(key, []):
                out[key].append(" ".join(current))
            current = [line] if m else None
            key = (tuple(_SURNAME.findall(m.group("names"))), m.group("year")) if m else None
        elif current is not None:
            current.append(line)
    return out


def references() -> dict[tuple[tuple[str, ...], str], list[str]]:
    """Every full reference in the References sections of the ``crm_lessons`` package's docstrings."""
    import crm_lessons

    out: dict = {}
    for info in pkgutil.walk_packages(crm_lessons.__path__, "crm_lessons."):
        try:
            module = importlib.import_module(info.name)
        except Exception:  # pragma: no cover - a module that cannot import has no references to give
            continue
        docs = [module.__doc__ or ""] + [inspect.getdoc(obj) or "" for _, obj in inspect.getmembers(module)
                                         if getattr(obj, "__module__", None) == info.name]
        for doc in docs:
            if "References" in doc:
                for key, refs in parse_references(doc.split("References", 1)[1]).items():
                    known = out.setdefault(key, [])
                    known += [r for r in refs if _same_work(r) not in map(_same_work, known)]
    return out


def _same_work(reference: str) -> str:
    """What two copies of one reference share, whatever their capitals and punctuation."""
    return re.sub(r"[^a-z0-9]", "", reference.lower())[:60]


@dataclass
class Work:
    """A cited work: authors' surnames, year, its full references (empty if unknown) and the citing lessons."""

    authors: tuple[str, ...]
    year: str
    references: list[str]
    lessons: list[Lesson] = field(default_factory=list)

    @property
    def citation(self) -> str:
        """``'Fader, Hardie & Lee (2005)'``."""
        names = self.authors[0] if len(self.authors) == 1 else ", ".join(self.authors[:-1]) + " & " + self.authors[-1]
        return f"{names} ({self.year})"


def citations(lesson: Lesson) -> list[tuple[tuple[str, ...], str]]:
    """The author–year citations in a lesson's text (markdown cells, navigation excluded)."""
    nb = nbformat.read(lesson.path, as_version=4)
    text = "\n".join(c.source for c in nb.cells
                     if c.cell_type == "markdown" and "nav" not in c.get("metadata", {}).get("tags", []))
    return find_citations(text)


def bibliography(lessons: list[Lesson], refs: dict | None = None) -> list[Work]:
    """The works the lessons cite, sorted by author and year, each with its full reference if known."""
    refs = references() if refs is None else refs
    works: dict[tuple[str, str], Work] = {}
    for lesson in lessons:
        for key in citations(lesson):
            work = works.setdefault(key, Work(*key, refs.get(key, [])))
            if lesson not in work.lessons:
                work.lessons.append(lesson)
    return sorted(works.values(), key=lambda w: (w.authors, w.year))


def bibliography_markdown(works: list[Work], *, link_prefix: str = "../notebooks/",
                          refs: dict | None = None) -> str:
    """The bibliography page (Markdown): the cited works, then (given ``refs``) every reference of the helpers."""
    lines = ["# Bibliography (参考文献)", "",
             "The works the lessons cite, with the lessons that cite them. The page is generated from the "
             "lessons' author–year citations and the References sections of the `crm_lessons` helpers.", ""]
    for w in works:
        full = w.references or [f"{w.citation}. *Full reference not yet recorded in `crm_lessons`.*"]
        cited = ", ".join(f"[{l.code}]({link_prefix}{l.path.name})" for l in w.lessons)
        lines += [f"- {' Or: '.join(full)} Cited in {cited}.", ""]
    if refs:
        lines += ["## The methods behind the helpers", "",
                  "Every work named in the References of the `crm_lessons` functions the lessons call "
                  "(see the API reference).", ""]
        lines += [f"- {r}" for key in sorted(refs) for r in refs[key]]
    return "\n".join(lines) + "\n"
