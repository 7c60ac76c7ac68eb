"""Properties of the working-day arithmetic, checked on generated dates (2004–2030) and periods."""

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from banhao.core.calendar import add_workdays, is_workday, workdays_between

pytestmark = pytest.mark.django_db

# The tests only read the calendar, so one database transaction per test (not per example)
# is right; the autouse cache-reset fixture is harmless between examples.
PROPERTY = settings(
    deadline=None,
    max_examples=200,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
dates = st.dates(min_value=dt.date(2004, 1, 1), max_value=dt.date(2030, 12, 31))
periods = st.integers(min_value=-400, max_value=400)
ONE = dt.timedelta(days=1)


def naive_add_workdays(start: dt.date, n: int) -> dt.date:
    """Reference for n >= 1: walk day by day, counting working days after the start."""
    day, left = start, n
    while left:
        day += ONE
        if is_workday(day):
            left -= 1
    return day


@PROPERTY
@given(start=dates, n=periods)
def test_the_period_added_is_the_period_counted_back(start, n):
    assert workdays_between(start, add_workdays(start, n)) == n


@PROPERTY
@given(start=dates, n=periods.filter(lambda n: n != 0))
def test_a_nonzero_period_ends_on_a_working_day(start, n):
    assert is_workday(add_workdays(start, n))


@PROPERTY
@given(start=dates, n=periods.filter(lambda n: n != 0))
def test_a_period_ends_on_the_earliest_day_that_completes_it(start, n):
    end = add_workdays(start, n)
    assert workdays_between(start, end - ONE) == n - 1


@PROPERTY
@given(a=dates, b=dates)
def test_counting_backwards_gives_the_negated_count(a, b):
    assert workdays_between(a, b) == -workdays_between(b, a)


@PROPERTY
@given(a=dates, b=dates, c=dates)
def test_counts_add_up_across_an_intermediate_day(a, b, c):
    assert workdays_between(a, c) == workdays_between(a, b) + workdays_between(b, c)


@PROPERTY
@given(start=dates, n=st.integers(min_value=1, max_value=400))
def test_add_workdays_agrees_with_a_day_by_day_reference(start, n):
    assert add_workdays(start, n) == naive_add_workdays(start, n)


@PROPERTY
@given(start=dates, n=st.integers(min_value=1, max_value=400))
def test_a_non_working_start_day_counts_like_the_working_day_before_it(start, n):
    # Day 1 is the first working day after the start, so the days off between the last
    # working day and a non-working start day add nothing to the period.
    assume(not is_workday(start))
    previous = start - ONE
    while not is_workday(previous):
        previous -= ONE
    assert add_workdays(start, n) == add_workdays(previous, n)


def test_every_date_from_2004_to_2026_agrees_with_chinesecalendar():
    day, last = dt.date(2004, 1, 1), dt.date(2026, 12, 31)
    disagreements = []
    while day <= last:
        if is_workday(day) != chinese_calendar.is_workday(day):
            disagreements.append(day)
        day += ONE
    assert disagreements == []
