"""The case clock across the 2025 and 2026 holidays and make-up days, with pauses."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from banhao.cases.clock import due_date, merge_pauses, paused_workdays
from banhao.core.calendar import add_workdays, is_workday, workdays_between

pytestmark = pytest.mark.django_db
D = dt.date


def test_a_same_day_item_is_due_on_the_acceptance_day():
    assert due_date(D(2026, 11, 24), 0, []) == D(2026, 11, 24)


def test_day_one_is_the_first_working_day_after_acceptance():
    assert due_date(D(2026, 11, 20), 1, []) == D(2026, 11, 23)  # Friday -> Monday


def test_the_count_crosses_the_spring_festival_2026_and_its_make_up_saturday():
    # accepted Friday 2026-02-13: 2/14 (make-up Saturday) is day 1; the holiday runs 2/15-2/23
    assert due_date(D(2026, 2, 13), 1, []) == D(2026, 2, 14)
    assert due_date(D(2026, 2, 13), 5, []) == D(2026, 2, 27)
    assert due_date(D(2026, 2, 13), 6, []) == D(2026, 2, 28)  # 2/28 is a make-up Saturday


def test_the_count_crosses_national_day_2025_and_the_make_up_days_around_it():
    # 2025-09-28 (Sun) and 2025-10-11 (Sat) are working days; 10/1-10/8 are off
    assert due_date(D(2025, 9, 26), 1, []) == D(2025, 9, 28)
    assert due_date(D(2025, 9, 30), 1, []) == D(2025, 10, 9)
    assert due_date(D(2025, 10, 9), 2, []) == D(2025, 10, 11)


def test_a_pause_moves_the_due_date_by_its_working_days_only():
    # accepted Mon 2026-03-02, 5 days -> Mon 3/9; a pause Thu 3/5 - Tue 3/10 holds 4 working days
    assert due_date(D(2026, 3, 2), 5, []) == D(2026, 3, 9)
    assert due_date(D(2026, 3, 2), 5, [(D(2026, 3, 5), D(2026, 3, 10))]) == D(2026, 3, 13)


def test_a_pause_over_a_holiday_adds_only_working_days():
    # expert review 2026-09-24 .. 2026-10-09: working days in it are 9/24, 9/28-30, 10/8, 10/9 (10/10 is a
    # make-up Saturday but lies outside) -> 6 days
    assert paused_workdays(D(2026, 9, 21), [(D(2026, 9, 24), D(2026, 10, 9))]) == 6
    base = due_date(D(2026, 9, 21), 10, [])
    assert due_date(D(2026, 9, 21), 10, [(D(2026, 9, 24), D(2026, 10, 9))]) == add_workdays(base, 6)


def test_overlapping_pauses_count_each_day_once():
    pauses = [(D(2026, 3, 3), D(2026, 3, 5)), (D(2026, 3, 4), D(2026, 3, 6))]
    assert merge_pauses(D(2026, 3, 2), pauses) == [(D(2026, 3, 3), D(2026, 3, 6))]
    assert paused_workdays(D(2026, 3, 2), pauses) == 4


def test_days_before_the_clock_started_do_not_count():
    assert paused_workdays(D(2026, 3, 4), [(D(2026, 3, 2), D(2026, 3, 5))]) == 1  # only 3/5


def test_a_correction_restarts_the_count_the_day_after_the_complete_materials():
    # complete materials arrived Friday 2026-02-13: a 3-day item is due 2/14, 2/24, 2/25 -> 2/25
    assert due_date(D(2026, 2, 13), 3, []) == D(2026, 2, 25)


def test_an_inverted_pause_is_refused():
    with pytest.raises(ValueError):
        due_date(D(2026, 3, 2), 5, [(D(2026, 3, 6), D(2026, 3, 5))])


dates = st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 12, 1))
pause_offsets = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 15)), max_size=3)


def _pauses(start, offsets):
    return [(start + dt.timedelta(days=a), start + dt.timedelta(days=a + b)) for a, b in offsets]


@settings(deadline=None, max_examples=150)
@given(start=dates, limit=st.integers(0, 60), offsets=pause_offsets)
def test_the_working_days_to_the_due_date_are_the_limit_plus_the_paused_working_days(start, limit, offsets):
    pauses = _pauses(start, offsets)
    due = due_date(start, limit, pauses)
    extra = paused_workdays(start, pauses)
    assert workdays_between(start, due) == limit + extra
    if limit + extra:
        assert is_workday(due)


@settings(deadline=None, max_examples=150)
@given(start=dates, limit=st.integers(1, 60), offsets=pause_offsets)
def test_when_the_pauses_fall_inside_the_period_a_day_by_day_count_agrees(start, limit, offsets):
    """Reference: walk day by day, counting working days that are not paused."""
    pauses = _pauses(start, offsets)
    paused = {p[0] + dt.timedelta(days=i) for p in pauses for i in range((p[1] - p[0]).days + 1)}
    day, counted = start, 0
    while counted < limit:
        day += dt.timedelta(days=1)
        if is_workday(day) and day not in paused:
            counted += 1
    due = due_date(start, limit, pauses)
    if all(last <= day for _, last in pauses):  # no pause reaches past the reference end
        assert due == day
