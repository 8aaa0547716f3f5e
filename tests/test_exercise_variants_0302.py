"""Exercise 3.2 Q6 (the eight loyalty indicators, A91): every student's answers vary and pass their own checks.

The solution runs with each of 50 student ids' seeds, checks included (the visible and hidden checks of
each student must pass on the solution); ``repeat_rate_super`` and ``trust_gap`` must take more than one
value, and the trust gap is positive for every student: in the simulation trust follows satisfaction, so
super-value customers trust more than any loyal-but-not-satisfied type.
"""

from lesson_exec import assert_answers_vary, graded_answers

STUDENTS = [f"s{i:03d}" for i in range(1, 51)]


def test_q6_answers_vary_and_the_trust_gap_is_positive():
    values = graded_answers("03.02-Customer-Loyalty", ["repeat_rate_super", "trust_gap", "largest_unsatisfied"],
                            ids=STUDENTS, checks=True)
    assert_answers_vary("03.02", values)
    assert min(values["trust_gap"]) > 0.3, "super-value customers trust more than the lock-in types"
    assert all(0.8 < r <= 1 for r in values["repeat_rate_super"])
