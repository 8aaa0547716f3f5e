"""Per-student variants of the chapter 9-10 exercises are never degenerate.

For 50 student ids, the instructor solution is run on each student's data and every
graded answer must take more than one value (a constant answer would let students copy
the demo's numbers).
"""

import pytest

from lesson_exec import assert_answers_vary, graded_answers

STUDENTS = [f"s{i:03d}" for i in range(1, 51)]

#: exercise -> the names its checks grade
GRADED = {
    "09.03-Restaurant-Case": ["n_four_plus", "top_spend_per_head", "stay_b", "right_monthly", "right_sticky",
                              "uplift_b"],
    "10.02-Relationship-Maintenance-and-Loyalty-Programmes": ["naive_effect", "holdout_effect", "nps_change",
                                                              "nps_p_value", "n_per_wave"],
    "10.03-Risk-and-Early-Warning": ["el_total", "el_share_e", "best_cutoff", "best_hit_rate", "theory_cutoff",
                                     "util_hit_rate", "util_false_alarm_rate", "util_mean_lead"],
}


@pytest.mark.parametrize("stem", sorted(GRADED))
def test_every_graded_answer_varies_across_students(stem):
    assert_answers_vary(stem, graded_answers(stem, GRADED[stem], ids=STUDENTS, checks=False))
