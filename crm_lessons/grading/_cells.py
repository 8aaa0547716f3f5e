"""Cell conventions of the exercise notebooks: tags, grading metadata, solution spans.

An instructor exercise marks its cells with tags (cell metadata ``"tags"``):

``parameters``     ``student_id = "demo"`` and ``seed = 0``, set per student by the tools;
``solution``       the answer between ``### BEGIN SOLUTION`` and ``### END SOLUTION``;
``check``          a check the students see (immediate feedback);
``hidden-check``   a check run only at grading;
``answer``         a markdown cell where the student writes a judgement;
``rubric``         the instructor's rubric for the preceding answer (manual grading).

Check and rubric cells carry ``"crm_grading": {"id": ..., "points": ...}``.
"""

from __future__ import annotations

import ast
import builtins
import re

__all__ = [
    "CHECK_TAGS", "BEGIN", "END", "tags", "grading_meta", "is_check", "is_rubric",
    "is_parameters", "strip_solution", "assigned_names", "read_names",
]

CHECK_TAGS = ("check", "hidden-check")
BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUDENT_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
PARAMETER_TAGS = ("parameters", "injected-parameters")

SOLUTION_SPAN = re.compile(r"^([ \t]*)### BEGIN SOLUTION[^\n]*\n.*?^[ \t]*### END SOLUTION[^\n]*$",
                   re.MULTILINE | re.DOTALL)


def tags(cell) -> list[str]:
    """The cell's tags (a list, possibly empty)."""
    return list(cell.get("metadata", {}).get("tags", []) or [])


def grading_meta(cell) -> dict:
    """The cell's ``crm_grading`` metadata (a dict, possibly empty)."""
    meta = cell.get("metadata", {}).get("crm_grading", {})
    return dict(meta) if isinstance(meta, dict) else {}


def is_check(cell) -> bool:
    """True for a ``check`` or ``hidden-check`` cell, by tag or by grading id on a code cell."""
    return any(t in CHECK_TAGS for t in tags(cell)) or (
        cell.get("cell_type") == "code" and "id" in grading_meta(cell))


def is_rubric(cell) -> bool:
    """True for an instructor-only rubric cell."""
    return "rubric" in tags(cell)


def is_parameters(cell) -> bool:
    """True for a ``parameters`` or papermill ``injected-parameters`` cell."""
    return any(t in PARAMETER_TAGS for t in tags(cell))


def strip_solution(source: str) -> str:
    """Replace every solution span by the student stub, keeping its indentation.

    Examples
    --------
    >>> print(strip_solution("x = 1\\n### BEGIN SOLUTION\\ny = 2\\n### END SOLUTION\\nprint(y)"))
    x = 1
    # YOUR CODE HERE
    raise NotImplementedError()
    print(y)
    """
    def stub(match):
        indent = match.group(1)
        return "\n".join(indent + line for line in STUDENT_STUB.splitlines())
    return SOLUTION_SPAN.sub(stub, source)


def _tree(source: str):
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def assigned_names(source: str) -> set[str]:
    """Names bound at any level of a code cell (assignments, defs, imports, loops).

    Examples
    --------
    >>> sorted(assigned_names("a = 1\\nb, c = 2, 3\\ndef f(): pass\\nimport numpy as np"))
    ['a', 'b', 'c', 'f', 'np']
    """
    tree = _tree(source)
    if tree is None:
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add((alias.asname or alias.name).split(".")[0])
    return names


def read_names(source: str) -> set[str]:
    """Names a code cell reads and does not define itself (builtins excluded).

    Examples
    --------
    >>> sorted(read_names("import numpy as np\\nassert np.isclose(total, 3), msg"))
    ['msg', 'total']
    """
    tree = _tree(source)
    if tree is None:
        return set()
    loaded = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return loaded - assigned_names(source) - set(dir(builtins))
