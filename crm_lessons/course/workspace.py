"""The student workspace that ``make lab`` opens: the lessons and the student exercises, nothing else.

JupyterLab shows, and serves, only what lies under its root folder, and it resolves
``..`` in a path against that root, never past it. So the workspace is a folder
(``build/lab/`` by default) holding exactly two entries:

* ``notebooks/``: the lessons (a link to the repository's ``notebooks/``, so work is saved there);
* ``exercises/student/``: the student copies of the exercises (a link as well).

A lesson's link ``../exercises/student/NN.MM-….ipynb`` opens the student copy; the
instructor versions (``exercises/NN.MM-….ipynb``, with solutions and hidden checks)
are not in the tree, so no click, path or file dialog in JupyterLab reaches them.
Where the file system has no symbolic links (some Windows set-ups), the two folders
are copied instead, and the workspace says so in ``README.md``.

This keeps the solutions out of the student's *JupyterLab*; a student with a shell
on a clone of the whole repository can still read them (give students the student
copies, not the repository, for that).

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> ws = make_workspace(Path(tempfile.mkdtemp()) / "lab")
>>> sorted(p.name for p in ws.iterdir())
['README.md', 'exercises', 'notebooks']
>>> [p.name for p in (ws / "exercises").iterdir()]
['student']
>>> lab_arguments(ws)[-1].endswith("lab/notebooks/Index.ipynb")
True
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from crm_lessons.course.lessons import NOTEBOOKS_DIR, REPO_ROOT, STUDENT_DIR
from crm_lessons.course.navigation import CONTENTS_NAME

__all__ = ["WORKSPACE_DIR", "lab_arguments", "make_workspace"]

#: where ``make lab`` lays out the student workspace.
WORKSPACE_DIR = REPO_ROOT / "build" / "lab"

_README = """# CRM Lessons: your workspace

Start with `notebooks/Index.ipynb`. The exercises are in `exercises/student/`.
{how}
"""


def _link_or_copy(target: Path, link: Path) -> bool:
    """Make ``link`` point at ``target`` (a directory); copy it where links are not allowed."""
    try:
        link.symlink_to(target.resolve(), target_is_directory=True)
        return True
    except (OSError, NotImplementedError):
        shutil.copytree(target, link)
        return False


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def make_workspace(dest: Path | str = WORKSPACE_DIR, *, notebooks: Path | str = NOTEBOOKS_DIR,
                   student: Path | str = STUDENT_DIR) -> Path:
    """Lay out the student workspace in ``dest`` (replacing an earlier one) and return it.

    Parameters
    ----------
    dest : path, default ``build/lab``
        The workspace folder: JupyterLab's root.
    notebooks, student : path
        The lessons and the student copies of the exercises it links to.

    Returns
    -------
    Path
        ``dest``, holding ``notebooks/``, ``exercises/student/`` and ``README.md`` only.

    Raises
    ------
    FileNotFoundError
        If ``notebooks`` or ``student`` does not exist (run ``crm-lessons exercises student-copies``).
    """
    dest, notebooks, student = Path(dest), Path(notebooks), Path(student)
    for folder in (notebooks, student):
        if not folder.is_dir():
            raise FileNotFoundError(f"{folder} does not exist; the workspace needs the lessons and the "
                                    "student copies (`crm-lessons exercises student-copies`)")
    dest.mkdir(parents=True, exist_ok=True)
    for entry in dest.iterdir():  # whatever an earlier layout left: only our three entries stay
        _remove(entry)
    (dest / "exercises").mkdir()
    linked = _link_or_copy(notebooks, dest / "notebooks") & _link_or_copy(student, dest / "exercises" / "student")
    how = ("Your changes are saved in the course's own folders." if linked else
           "This workspace holds copies: your changes stay here, and `make lab` would replace them. "
           "Save your work elsewhere first.")
    (dest / "README.md").write_text(_README.format(how=how), encoding="utf-8")
    return dest


def lab_arguments(workspace: Path | str = WORKSPACE_DIR) -> list[str]:
    """JupyterLab's arguments for the workspace (what ``make lab`` runs, and the browser test too).

    Rooted at the workspace, with no terminal (a shell would reach past the root), opening the
    contents page. Paths are absolute: JupyterLab reads a file to open relative to its root.
    """
    ws = Path(workspace).absolute()
    return [f"--ServerApp.root_dir={ws}", "--ServerApp.terminals_enabled=False",
            str(ws / "notebooks" / CONTENTS_NAME)]
