"""Per-student variants are never degenerate: over 50 student ids every graded answer takes more than one value.

Each exercise is run in this process (setup and solution cells, no checks:
``lesson_exec.run_exercise_answers``) with the seed the grader gives each of 50 student ids; the answers
are the names the solution cells assign. An answer that is the same for every student (or a question whose answer the data already give away) would let one
student's answer pass for all. Answers that were once the same for every student are named in
``ONCE_CONSTANT`` so that they stay graded (exercise 3.2 Q4's largest loyal-but-not-satisfied type was
"monopoly" for every id before its generator drew each student's market).
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from lesson_exec import run_exercise_answers

EXERCISES = sorted((Path(__file__).resolve().parents[1] / "exercises").glob("[0-9][0-9].[0-9][0-9]-*.ipynb"))
STUDENTS = [f"s{i:03d}" for i in range(1, 51)]
#: graded answers that must stay graded (each was once the same for every student)
ONCE_CONSTANT = {"01.01": ["levels"], "02.02": ["rank_ours", "same_winner"], "03.01": ["worst_attribute"],
                 "03.02": ["largest_unsatisfied", "n_largest_unsatisfied"]}


def answer_names(nb) -> list[str]:
    """Names assigned at top level in the solution cells (private names excluded)."""
    names = []
    for cell in nb.cells:
        if cell.cell_type == "code" and "solution" in cell.metadata.get("tags", []):
            for node in ast.parse(cell.source).body:
                targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
                for t in targets:
                    for n in ast.walk(t) if t is not None else []:
                        if isinstance(n, ast.Name) and not n.id.startswith("_") and n.id not in names:
                            names.append(n.id)
    return names


def _key(value):
    if isinstance(value, (pd.Series, pd.DataFrame)):
        return pd.util.hash_pandas_object(value.round(6) if hasattr(value, "round") else value).sum()
    if isinstance(value, (float, np.floating)):
        return round(float(value), 6)
    if isinstance(value, (list, tuple, np.ndarray)):
        return tuple(np.asarray(value, dtype=object).ravel().tolist())
    return repr(value)


@pytest.mark.parametrize("path", EXERCISES, ids=[p.stem[:5] for p in EXERCISES])
def test_every_graded_answer_varies_between_students(path, capsys):
    nb = nbformat.read(path, as_version=4)
    names = answer_names(nb)
    assert names, "no graded answers found in the solution cells"
    missing = [n for n in ONCE_CONSTANT.get(path.stem[:5], []) if n not in names]
    assert not missing, f"{path.stem}: {missing} are no longer graded answers of a solution cell"
    seen = {n: set() for n in names}
    for sid in STUDENTS:
        ns = run_exercise_answers(path.stem, sid)
        for n in names:
            if n in ns:
                seen[n].add(_key(ns[n]))
        if all(len(v) > 1 for v in seen.values()):
            break  # every answer already varies
    capsys.readouterr()
    constant = [n for n, v in seen.items() if len(v) <= 1]
    assert not constant, f"{path.stem}: the same answer for all {len(STUDENTS)} students: {constant}"
