"""Finding submissions: every file in the submissions folder is graded or accounted for.

Layout: ``SUBMISSIONS/<student_id>/<exercise>.ipynb``. Only regular files are
read (never a symbolic link, FIFO, device or socket: they are reported and not
opened), each with ``O_NOFOLLOW | O_NONBLOCK`` and a size limit. A file that is
not an exercise notebook -- a misnamed copy, a hidden file, a sub-folder -- is
an "unmatched" entry with its name shown escaped, never skipped silently.

Examples
--------
>>> shown("a\\nb|c")
'a\\\\nb|c'
>>> suggest("99.01-test-exercise-Copy1.ipynb", ["99.01-Test-Exercise"])
'99.01-Test-Exercise'
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from crm_lessons._validation import CRMInputError
from crm_lessons.grading.variants import check_student_id

__all__ = ["shown", "md", "suggest", "scan", "read_regular", "MAX_NOTEBOOK_BYTES"]

#: the largest notebook the grader reads
MAX_NOTEBOOK_BYTES = 50 * 2**20
_COPY = re.compile(r"(-copy\d*| copy\d*| \(\d+\)|_\d+)$")
_KINDS = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
          (stat.S_ISDIR, "a folder"))


def shown(name) -> str:
    """``name`` with every unprintable character escaped (newlines, control and undecodable bytes).

    Examples
    --------
    >>> shown("张伟\\x1b[2J.ipynb")
    '张伟\\\\x1b[2J.ipynb'
    """
    text = os.fsdecode(name) if isinstance(name, bytes) else str(name)
    return "".join(c if c.isprintable() else c.encode("unicode_escape", "backslashreplace").decode("ascii")
                   if ord(c) < 0xD800 or ord(c) > 0xDFFF else f"\\x{ord(c) - 0xDC00:02x}" for c in text)


def md(text) -> str:
    """``text`` escaped for one Markdown table cell or list item (also :func:`shown`).

    Examples
    --------
    >>> md("a|b *c* <script>")
    'a\\\\|b *c* \\\\<script\\\\>'
    """
    out = shown(text)
    for ch in "\\`[]<>|":
        out = out.replace(ch, "\\" + ch)
    return out


def suggest(filename: str, exercises) -> str | None:
    """The exercise a misnamed file probably is (case, ``-Copy1``, `` (1)``), or None."""
    stem = Path(str(filename)).stem if str(filename).lower().endswith(".ipynb") else None
    if stem is None:
        return None
    base = _COPY.sub("", stem.strip().lower())
    return next((e for e in exercises if e.lower() == base), None)


def _kind(mode: int) -> str | None:
    return next((what for test, what in _KINDS if test(mode)), None if stat.S_ISREG(mode) else "not a file")


def read_regular(path, limit: int = MAX_NOTEBOOK_BYTES) -> bytes:
    """Bytes of ``path`` if it is a regular file of at most ``limit`` bytes; else ``ValueError``.

    Opens with ``O_NOFOLLOW | O_NONBLOCK``: a symbolic link is refused, a FIFO
    never blocks.

    Examples
    --------
    >>> import os, tempfile
    >>> fifo = os.path.join(tempfile.mkdtemp(), "x.ipynb"); os.mkfifo(fifo)
    >>> read_regular(fifo)
    Traceback (most recent call last):
    ValueError: a FIFO (named pipe)
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise ValueError("a symbolic link" if exc.errno == 40 else f"cannot be opened ({exc.strerror})")
    try:
        info = os.fstat(fd)
        what = _kind(info.st_mode)
        if what:
            raise ValueError(what)
        if info.st_size > limit:
            raise ValueError(f"larger than {limit // 2**20} MiB")
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 2**20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)[:limit]
    finally:
        os.close(fd)


def scan(submissions_dir, exercises, *, students=None, only=None):
    """Sort the submissions folder into submissions and unmatched files.

    Parameters
    ----------
    submissions_dir : path-like
    exercises : iterable of str
        Exercise names (notebook stems) that can be graded.
    students : set of str, optional
        Look only at these students' folders.
    only : set of str, optional
        Look only at these exercises' notebooks (others are left alone).

    Returns
    -------
    submissions : list of dict
        ``{"student", "exercise", "path", "mtime", "problem"}``; ``problem`` is
        None for a regular file, else why it is not read (e.g. "a symbolic link").
    unmatched : dict
        ``{folder shown: [(file shown, why), ...]}``, for every scanned folder
        (empty list: nothing unmatched), ``""`` for the top level.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "s1").mkdir(); _ = (root / "s1" / "E.ipynb").write_text("{}")
    >>> _ = (root / "s1" / "E-Copy1.ipynb").write_text("{}")
    >>> subs, unmatched = scan(root, ["E"])
    >>> [(s["student"], s["exercise"]) for s in subs], unmatched["s1"][0][0]
    ([('s1', 'E')], 'E-Copy1.ipynb')
    """
    root = Path(submissions_dir)
    if not root.is_dir():
        raise CRMInputError(f"argument `submissions_dir`: not a folder; found '{shown(root)}'. "
                            "Pass the folder holding one sub-folder per student.")
    exercises = sorted(exercises)
    subs, unmatched = [], {}
    top = unmatched.setdefault("", []) if students is None else []
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        if not entry.is_dir(follow_symlinks=False):
            top.append((shown(entry.name), _why_not_folder(entry)))
            continue
        try:
            student = check_student_id(entry.name, where="folder")
        except CRMInputError:
            top.append((shown(entry.name) + "/", "not a student id (letters, digits and . _ - @, "
                        "starting with a letter or digit); nothing in it was graded"))
            continue
        if students is not None and student not in students:
            continue
        notes = unmatched.setdefault(student, [])
        for item in sorted(os.scandir(entry.path), key=lambda e: e.name):
            name = item.name
            stem = name[:-6] if name.endswith(".ipynb") else None
            mode = item.stat(follow_symlinks=False).st_mode
            if stem in exercises:
                if only is None or stem in only:
                    subs.append({"student": student, "exercise": stem, "path": item.path,
                                 "mtime": os.lstat(item.path).st_mtime, "problem": _kind(mode)})
                continue
            hint = suggest(name, exercises)
            why = _kind(mode) or "not an exercise notebook name"
            if hint:
                why += f"; it looks like {hint}: rename it to {hint}.ipynb to have it graded"
            notes.append((shown(name) + ("/" if stat.S_ISDIR(mode) else ""), why))
    return subs, unmatched


def _why_not_folder(entry) -> str:
    what = _kind(entry.stat(follow_symlinks=False).st_mode) or "a file"
    return f"{what} at the top level, not in a <student_id>/ folder; not graded"
