"""The bilingual glossary (中英术语表), read from the lessons' "English term (中文术语)" pairs.

Every lesson writes a course term in English with the course's Chinese term in brackets
beside it: ``customer lifetime value (客户终身价值)``. :func:`find_terms` reads these pairs
from the lessons' text (not code, not navigation), :func:`glossary` merges them over all
lessons, and :func:`glossary_markdown` writes the glossary page of the site.

Which words before the bracket are the term: a **bold** term if there is one
(``**customer pyramid** (客户金字塔)``); otherwise the words after the last punctuation
mark or link word ("the", "of the", "and", a verb such as "define" …), at most
:data:`MAX_WORDS` of them. A bracket that lists several Chinese terms
(``考察期/形成期/稳定期/退化期`` or ``考察期、形成期…``) is paired item by item with an
English list of the same length ("exploration, formation, stability and decline"), and
skipped when the two lists differ in length. Not terms: the skeleton's section headings
(教学目标, 概念…), Chinese phrases longer than :data:`MAX_HANZI` characters (descriptions) or
naming a section (…的含义, …的类型), and one English word before a Chinese phrase of four or
more characters (the rest of that phrase's English is in the sentence, not before the bracket)
unless the word is bold or an acronym. :func:`glossary` keeps one English term per Chinese
term: the bold one, else the most frequent, else the shortest of two words or more.

Examples
--------
>>> find_terms("the meaning of customer (客户) and **customer delivered value** (客户让渡价值).")
[('customer', '客户'), ('customer delivered value', '客户让渡价值')]
>>> find_terms("four stages — exploration, formation, stability and decline (考察期、形成期、稳定期、退化期)")
[('exploration', '考察期'), ('formation', '形成期'), ('stability', '稳定期'), ('decline', '退化期')]
>>> find_terms("Customer lifetime value (客户终身价值, CLV) is")
[('Customer lifetime value', '客户终身价值')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from crm_lessons.course.lessons import Lesson

__all__ = ["MAX_HANZI", "MAX_WORDS", "Term", "find_terms", "glossary", "glossary_markdown", "user_dictionary"]

#: the longest English term taken from the words before a bracket.
MAX_WORDS = 5
#: the longest Chinese term: longer phrases in brackets are descriptions, not terms.
MAX_HANZI = 6
_SECTION_SUFFIX = ("的含义", "的概念", "的类型", "的原因", "的组成", "的目的", "的方式", "的措施", "的因素")
#: the skeleton's section names: headings, not course terms.
_SKELETON = {"教学目标", "概念", "案例分析", "互动探索", "练习", "教学小结"}
_PAIR = re.compile(r"(?P<before>[^()（）\n]{0,200}?)\s*[(（](?P<zh>[^()（）\n]*[\u4e00-\u9fff][^()（）\n]*)[)）]")
_HANZI_TERM = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9·]+$")
_LIST_SEP = re.compile(r"\s*[、/／]\s*")
#: words that end a term when read backwards from the bracket: articles, links, verbs of the goals.
_STOP = set("""a an the and or of to in on at by for from with as is are be its their this that these those
what which how why who when where into than then our your each every both one two three four five six seven
eight nine ten name define explain describe compute state list read say use show give see estimate find
know apply distinguish identify decide recognise measure build calls called call also only here""".split())


def _clean(text: str) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # markdown links -> their text
    text = re.sub(r"<[^>]+>|[`*_]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def _bold(before: str) -> str | None:
    bold = re.search(r"\*\*([^*]+)\*\*\s*$", before)
    return _clean(bold.group(1)) if bold else None


def _english_before(before: str) -> str:
    if _bold(before):
        return _bold(before)
    tail = re.split(r"[.;:!?—–→=,\"“”‘’(\[\]|>#]|\s-\s|\*\*", before)[-1]
    words = _clean(tail).split(" ")
    kept: list[str] = []
    for word in reversed(words):
        if not word or word.lower() in _STOP or not re.match(r"^[A-Za-z][A-Za-z0-9'’-]*$", word) or len(kept) == MAX_WORDS:
            break
        kept.insert(0, word)
    return " ".join(kept)


def _english_list(before: str, n: int) -> list[str] | None:
    tail = re.split(r"[.;:!?—–→=(\[\]]", before)[-1]
    items = [i for i in re.split(r",\s*|\s+and\s+|\s+or\s+|\s*/\s*|\s*→\s*", _clean(tail)) if i]
    if len(items) < n:
        return None
    items = [_english_before(i) for i in items[-n:]]
    return items if all(items) else None


def _is_term(english: str, chinese: str, bold: bool) -> bool:
    hanzi = len(re.findall(r"[\u4e00-\u9fff]", chinese))
    if not english or not _HANZI_TERM.match(chinese) or not hanzi or chinese in _SKELETON:
        return False
    if hanzi > MAX_HANZI and not bold or chinese.endswith(_SECTION_SUFFIX):
        return False
    one_word = " " not in english and not english.isupper()
    return bold or not (one_word and hanzi >= 4)


def find_terms(markdown: str, *, with_bold: bool = False) -> list[tuple]:
    """The (English, Chinese) term pairs in a piece of Markdown, in order.

    With ``with_bold``, each pair carries a third item: whether the English term was bold.
    """
    out = []
    for m in _PAIR.finditer(markdown):
        zh = re.split(r"\s*[,，;；:：]\s*", m.group("zh").strip())[0].strip()
        parts = [p for p in _LIST_SEP.split(zh) if p]
        if len(parts) > 1:
            english = _english_list(m.group("before"), len(parts))
            if english:
                out += [(e, z, False) for e, z in zip(english, parts) if _is_term(e, z, True)]
            continue
        english, bold = _english_before(m.group("before")), _bold(m.group("before")) is not None
        if _is_term(english, zh, bold):
            out.append((english, zh, bold))
    return out if with_bold else [t[:2] for t in out]


@dataclass
class Term:
    """One glossary entry: an English term, its Chinese term and the lessons that use it."""

    english: str
    chinese: str
    lessons: list[Lesson] = field(default_factory=list)


def _markdown_of(lesson: Lesson) -> str:
    nb = nbformat.read(lesson.path, as_version=4)
    return "\n\n".join(c.source for c in nb.cells
                       if c.cell_type == "markdown" and "nav" not in c.get("metadata", {}).get("tags", []))


def glossary(lessons: list[Lesson]) -> list[Term]:
    """The glossary of the lessons: one entry per Chinese term, sorted by English.

    A term used in several lessons lists each lesson once; an English term written in
    another case ("Customer churn", "customer churn") is the same term.
    """
    seen: dict[str, dict[str, list]] = {}  # chinese -> english (lower) -> [english, bold, count]
    where: dict[str, list[Lesson]] = {}
    for lesson in lessons:
        for english, chinese, bold in find_terms(_markdown_of(lesson), with_bold=True):
            english = english[0].lower() + english[1:] if english[1:2].islower() else english
            entry = seen.setdefault(chinese, {}).setdefault(english.lower(), [english, False, 0])
            entry[1] |= bold
            entry[2] += 1
            if lesson not in where.setdefault(chinese, []):
                where[chinese].append(lesson)
    terms = []
    for chinese, variants in seen.items():
        english, *_ = max(variants.values(), key=lambda v: (v[1], v[2], " " in v[0], -len(v[0])))
        terms.append(Term(english, chinese, where[chinese]))
    return sorted(terms, key=lambda t: (t.english.lower(), t.chinese))


def glossary_markdown(terms: list[Term], *, link_prefix: str = "../notebooks/") -> str:
    """The glossary page (Markdown): a table of English, Chinese and the lessons that teach the term."""
    lines = [
        "# Glossary (中英术语表)",
        "",
        "Every course term as the lessons write it, in English with the course's Chinese term, and the "
        "lessons that use it. The page is generated from the lessons' text when the site is built.",
        "",
        "| English | 中文 | lessons |",
        "|---|---|---|",
    ]
    for term in terms:
        links = ", ".join(f"[{l.code}]({link_prefix}{l.path.name})" for l in term.lessons)
        lines.append(f"| {term.english} | {term.chinese} | {links} |")
    return "\n".join(lines) + "\n"


def user_dictionary(terms: list[Term], path: Path) -> Path:
    """Write the Chinese terms as a jieba user dictionary (one term and a high frequency per line)."""
    words = sorted({t.chinese for t in terms if len(t.chinese) > 1})
    Path(path).write_text("".join(f"{w} 50000\n" for w in words), encoding="utf-8")
    return Path(path)
