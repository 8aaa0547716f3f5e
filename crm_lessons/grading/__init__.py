"""Exercises for instructors: student copies, per-student variants, sandboxed autograding.

See :mod:`crm_lessons.grading.copies`, :mod:`crm_lessons.grading.variants`,
:mod:`crm_lessons.grading.autograde` (the grader; its OS sandbox is
:mod:`crm_lessons.grading._jail`), :mod:`crm_lessons.grading.gradebook` (results,
manual scores, totals, release), :mod:`crm_lessons.grading.selfcheck`,
:mod:`crm_lessons.grading.edition` and :mod:`crm_lessons.grading.answers` (the answer hash
that the exercises' visible checks compare); the command line is ``crm-lessons exercises``.
Names are imported on first use, so the grading worker processes start fast.
"""

import importlib

_HOME = {
    "student_copy": "copies", "write_student_copies": "copies", "check_student_copies": "copies",
    "make_variants": "variants", "read_roster": "variants", "read_key": "variants",
    "student_seed": "variants", "grade": "autograde", "totals": "gradebook", "release": "gradebook",
    "student_edition": "edition", "self_check": "selfcheck", "answer_digest": "answers",
}
__all__ = list(_HOME)


def __getattr__(name):
    if name in _HOME:
        return getattr(importlib.import_module(f"crm_lessons.grading.{_HOME[name]}"), name)
    raise AttributeError(f"module 'crm_lessons.grading' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
