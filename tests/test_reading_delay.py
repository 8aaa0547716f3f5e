"""complaints.reading_delay: hours until the next scheduled reading, against a brute-force search."""

import numpy as np
import pandas as pd
import pytest

from crm_lessons import complaints
from crm_lessons._validation import CRMInputError


def _brute(stamp, times, weekdays):
    """Walk forward day by day and return the first listed reading time at or after the post."""
    day = stamp.normalize()
    while True:
        if day.dayofweek in weekdays:
            for t in sorted(times):
                when = day + pd.Timedelta(t + ":00")
                if when >= stamp:
                    return (when - stamp) / pd.Timedelta(hours=1)
        day += pd.Timedelta(days=1)


@pytest.mark.parametrize("times, weekdays", [(("09:00",), range(7)), (("09:00",), range(5)), (("09:00",), (0,)),
                                             (("09:00", "17:00"), range(7)), (("13:30",), (2, 5))])
def test_matches_brute_force(times, weekdays):
    rng = np.random.default_rng(5)
    posts = pd.Series(pd.Timestamp("2024-03-01") + pd.to_timedelta(rng.uniform(0, 60 * 24 * 3600, 300), unit="s"))
    got = complaints.reading_delay(posts, times=times, weekdays=weekdays)
    want = [_brute(s, times, set(weekdays)) for s in posts]
    np.testing.assert_allclose(got.to_numpy(), want, atol=1e-9)


def test_uniform_posts_wait_half_the_interval():
    rng = np.random.default_rng(1)
    posts = pd.Series(pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.uniform(0, 364 * 86400, 50000), unit="s"))
    daily = complaints.reading_delay(posts)
    weekly = complaints.reading_delay(posts, weekdays=(0,))
    assert daily.mean() == pytest.approx(12, abs=0.2) and daily.max() < 24
    assert weekly.mean() == pytest.approx(84, abs=1.5) and weekly.max() < 168
    assert (daily <= 24).all()


def test_a_post_at_reading_time_waits_zero_and_index_is_kept():
    posts = pd.Series(pd.to_datetime(["2024-01-02 09:00", "2024-01-02 09:01"]), index=[10, 20])
    out = complaints.reading_delay(posts)
    assert out.index.tolist() == [10, 20] and out.iloc[0] == 0 and out.iloc[1] == pytest.approx(23 + 59 / 60)


@pytest.mark.parametrize("kwargs, message", [
    (dict(created=["not a date"]), "argument `created`"),
    (dict(created=[pd.NaT]), "argument `created`"),
    (dict(created=["2024-01-01"], weekdays=()), "argument `weekdays`"),
    (dict(created=["2024-01-01"], weekdays=(7,)), "argument `weekdays`"),
    (dict(created=["2024-01-01"], times=("nine",)), "argument `times`"),
    (dict(created=["2024-01-01"], times=()), "argument `times`"),
])
def test_bad_inputs_name_the_argument(kwargs, message):
    with pytest.raises(CRMInputError, match=message):
        complaints.reading_delay(kwargs.pop("created"), **kwargs)
