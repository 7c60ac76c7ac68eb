"""The working-day calendar (domain.md §2): exact 2025/2026 arrangements, the counting rule,
the weekends-only fallback for unpublished years, and administrators' edits."""

import datetime as dt
import logging

import pytest
from django.core.exceptions import ValidationError

from banhao.core import calendar
from banhao.core.calendar import (
    add_workdays,
    is_workday,
    known_years,
    missing_years,
    next_workday,
    workdays_between,
    workdays_in_range,
)
from banhao.core.models import AuditEvent, CalendarDay, CalendarYear
from banhao.core.services import calendar_day_clear, calendar_day_set, calendar_year_publish

pytestmark = pytest.mark.django_db

D = dt.date


def _span(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


# domain.md §2, copied by hand (not from chinesecalendar, which seeds the table).
HOLIDAYS = {
    2025: [
        *_span(D(2025, 1, 1), D(2025, 1, 1)),
        *_span(D(2025, 1, 28), D(2025, 2, 4)),
        *_span(D(2025, 4, 4), D(2025, 4, 6)),
        *_span(D(2025, 5, 1), D(2025, 5, 5)),
        *_span(D(2025, 5, 31), D(2025, 6, 2)),
        *_span(D(2025, 10, 1), D(2025, 10, 8)),
    ],
    2026: [
        *_span(D(2026, 1, 1), D(2026, 1, 3)),
        *_span(D(2026, 2, 15), D(2026, 2, 23)),
        *_span(D(2026, 4, 4), D(2026, 4, 6)),
        *_span(D(2026, 5, 1), D(2026, 5, 5)),
        *_span(D(2026, 6, 19), D(2026, 6, 21)),
        *_span(D(2026, 9, 25), D(2026, 9, 27)),
        *_span(D(2026, 10, 1), D(2026, 10, 7)),
    ],
}
MAKEUP_WORKDAYS = {
    2025: [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)],
    2026: [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)],
}
ALL_HOLIDAYS = [d for year in HOLIDAYS.values() for d in year]
ALL_MAKEUPS = [d for year in MAKEUP_WORKDAYS.values() for d in year]


# --- the published arrangements of 2025 and 2026 ------------------------------------------


@pytest.mark.parametrize("day", ALL_HOLIDAYS, ids=str)
def test_every_statutory_holiday_of_2025_and_2026_is_not_a_workday(day):
    assert is_workday(day) is False


@pytest.mark.parametrize("day", ALL_MAKEUPS, ids=str)
def test_every_make_up_weekend_of_2025_and_2026_is_a_workday(day):
    assert day.weekday() >= 5, "the domain lists make-up days on weekends only"
    assert is_workday(day) is True


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_other_day_of_2025_and_2026_follows_the_weekend_rule(year):
    holidays, makeups = set(HOLIDAYS[year]), set(MAKEUP_WORKDAYS[year])
    for day in _span(D(year, 1, 1), D(year, 12, 31)):
        expected = day in makeups or (day.weekday() < 5 and day not in holidays)
        assert is_workday(day) is expected, day


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 2, 14), True),  # Saturday, Spring Festival make-up
        (D(2026, 2, 16), False),  # Monday inside Spring Festival
        (D(2025, 10, 11), True),  # Saturday, National Day make-up
        (D(2025, 1, 26), True),  # Sunday, Spring Festival make-up
        (D(2026, 3, 2), True),  # ordinary Monday
        (D(2026, 3, 7), False),  # ordinary Saturday
    ],
    ids=str,
)
def test_is_workday_gives_the_named_examples_of_the_domain(day, expected):
    assert is_workday(day) is expected


def test_2025_and_2026_each_have_248_working_days():
    # 261 weekdays − holidays falling on weekdays + make-up weekends.
    for year in (2025, 2026):
        days = _span(D(year, 1, 1), D(year, 12, 31))
        weekdays = sum(1 for d in days if d.weekday() < 5)
        holidays_on_weekdays = sum(1 for d in HOLIDAYS[year] if d.weekday() < 5)
        expected = weekdays - holidays_on_weekdays + len(MAKEUP_WORKDAYS[year])
        assert expected == 248
        assert len(workdays_in_range(D(year, 1, 1), D(year, 12, 31))) == expected
        assert workdays_between(D(year - 1, 12, 31), D(year, 12, 31)) == expected


# --- the counting rule --------------------------------------------------------------------


@pytest.mark.parametrize("start", [D(2026, 2, 13), D(2026, 2, 15), D(2025, 10, 4), D(2026, 3, 2)], ids=str)
def test_a_period_of_zero_working_days_ends_on_the_start_day_itself(start):
    assert add_workdays(start, 0) == start


def test_day_one_is_the_first_working_day_after_the_start():
    assert add_workdays(D(2026, 3, 2), 1) == D(2026, 3, 3)  # Monday → Tuesday
    assert add_workdays(D(2026, 3, 6), 1) == D(2026, 3, 9)  # Friday → Monday
    assert add_workdays(D(2026, 3, 7), 1) == D(2026, 3, 9)  # Saturday → Monday


def test_across_spring_festival_2026_the_saturday_make_up_counts_then_the_holiday_is_skipped():
    assert add_workdays(D(2026, 2, 13), 1) == D(2026, 2, 14)
    assert add_workdays(D(2026, 2, 13), 2) == D(2026, 2, 24)
    assert add_workdays(D(2026, 2, 14), 1) == D(2026, 2, 24)
    # 2/14, 2/24–2/28 (2/28 a Saturday make-up day), 3/2–3/6: the eleventh is Friday 3/6.
    assert add_workdays(D(2026, 2, 13), 11) == D(2026, 3, 6)


def test_across_national_day_2025_the_count_resumes_on_october_9():
    assert add_workdays(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert add_workdays(D(2025, 9, 30), 2) == D(2025, 10, 10)
    assert add_workdays(D(2025, 9, 30), 3) == D(2025, 10, 11)  # Saturday make-up


def test_across_national_day_2026_the_count_resumes_on_october_8():
    assert add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)


def test_the_day_after_october_9_2026_is_the_saturday_make_up_day():
    assert add_workdays(D(2026, 10, 9), 1) == D(2026, 10, 10)


def test_negative_periods_count_backwards_over_holidays():
    assert add_workdays(D(2026, 2, 24), -1) == D(2026, 2, 14)
    assert add_workdays(D(2026, 2, 24), -2) == D(2026, 2, 13)
    assert add_workdays(D(2025, 10, 9), -1) == D(2025, 9, 30)


def test_a_datetime_start_is_taken_as_its_date():
    assert add_workdays(dt.datetime(2026, 2, 13, 17, 30), 0) == D(2026, 2, 13)
    assert add_workdays(dt.datetime(2026, 2, 13, 17, 30), 2) == D(2026, 2, 24)
    assert is_workday(dt.datetime(2026, 2, 14, 9, 0)) is True


# --- workdays_between ---------------------------------------------------------------------


def test_workdays_between_a_day_and_itself_is_zero():
    assert workdays_between(D(2026, 2, 16), D(2026, 2, 16)) == 0
    assert workdays_between(D(2026, 2, 24), D(2026, 2, 24)) == 0


def test_workdays_between_counts_working_days_after_start_up_to_and_including_end():
    assert workdays_between(D(2026, 3, 6), D(2026, 3, 9)) == 1  # Fri → Mon
    assert workdays_between(D(2026, 3, 6), D(2026, 3, 8)) == 0  # Fri → Sun
    assert workdays_between(D(2026, 2, 13), D(2026, 2, 24)) == 2
    assert workdays_between(D(2026, 2, 13), D(2026, 2, 23)) == 1
    assert workdays_between(D(2025, 9, 30), D(2025, 10, 11)) == 3


def test_workdays_between_is_negative_when_the_end_is_before_the_start():
    assert workdays_between(D(2026, 2, 24), D(2026, 2, 13)) == -2
    assert workdays_between(D(2026, 3, 9), D(2026, 3, 6)) == -1
    assert workdays_between(D(2026, 3, 8), D(2026, 3, 6)) == 0


def test_next_workday_is_the_day_itself_or_the_first_working_day_after_it():
    assert next_workday(D(2026, 2, 14)) == D(2026, 2, 14)
    assert next_workday(D(2026, 2, 15)) == D(2026, 2, 24)
    assert next_workday(D(2025, 10, 1)) == D(2025, 10, 9)


def test_workdays_in_range_lists_every_working_day_inclusive():
    assert workdays_in_range(D(2026, 2, 13), D(2026, 2, 26)) == [
        D(2026, 2, 13),
        D(2026, 2, 14),
        D(2026, 2, 24),
        D(2026, 2, 25),
        D(2026, 2, 26),
    ]
    assert workdays_in_range(D(2026, 2, 15), D(2026, 2, 23)) == []


def test_dates_outside_the_table_are_refused_with_a_value_error():
    with pytest.raises(ValueError, match="超出工作日历的范围"):
        is_workday(D(1900, 1, 1))
    with pytest.raises(ValueError, match="超出工作日历的范围"):
        add_workdays(D(2199, 12, 30), 5)


# --- years without a published arrangement ------------------------------------------------


def test_the_seeded_years_are_2004_to_2026():
    assert set(range(2004, 2027)) <= known_years()
    assert 2027 not in known_years()


def test_2027_does_not_crash_and_falls_back_to_weekends_only():
    assert D(2027, 1, 1).weekday() == 4  # a Friday
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 1)
    assert add_workdays(D(2026, 12, 31), 2) == D(2027, 1, 4)
    assert is_workday(D(2027, 1, 1)) is True
    assert is_workday(D(2027, 1, 2)) is False


def test_counting_into_an_unpublished_year_logs_a_warning_once(caplog, monkeypatch):
    monkeypatch.setattr(calendar, "_warned_years", set())
    with caplog.at_level(logging.WARNING, logger="banhao.core.calendar"):
        add_workdays(D(2027, 3, 1), 1)
        add_workdays(D(2027, 3, 2), 1)
    warnings = [r for r in caplog.records if "2027年节假日安排尚未录入" in r.getMessage()]
    assert len(warnings) == 1


def test_next_year_is_missing_from_november_on():
    assert missing_years(D(2026, 11, 24)) == [2027]
    assert missing_years(D(2026, 6, 1)) == []
    assert missing_years(D(2026, 10, 31)) == []
    assert missing_years(D(2027, 1, 2)) == [2027]


# --- administrators' edits ----------------------------------------------------------------


def test_declaring_new_years_day_2027_a_holiday_moves_the_result_after_commit(
    django_capture_on_commit_callbacks,
):
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        calendar_day_set(actor="管理员", date=D(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦")
    assert callbacks, "the cache reset is registered to run on commit"
    assert is_workday(D(2027, 1, 1)) is False
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_before_commit_this_process_keeps_its_table(django_capture_on_commit_callbacks):
    assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 1)
    with django_capture_on_commit_callbacks(execute=False):
        calendar_day_set(actor="管理员", date=D(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦")
        assert add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 1)


def test_other_processes_notice_an_edit_by_its_version_stamp_on_their_next_check(
    django_capture_on_commit_callbacks, monkeypatch
):
    assert is_workday(D(2027, 1, 1)) is True
    # The edit's on-commit reset runs only in the editing process: not here.
    with django_capture_on_commit_callbacks(execute=False):
        calendar_day_set(actor="管理员", date=D(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY)
    assert is_workday(D(2027, 1, 1)) is True  # still the old table within RECHECK_SECONDS
    monkeypatch.setattr(calendar, "_next_check", 0.0)  # RECHECK_SECONDS have passed
    assert is_workday(D(2027, 1, 1)) is False
    # Removing the entry changes the row count: noticed the same way.
    with django_capture_on_commit_callbacks(execute=False):
        calendar_day_clear(actor="管理员", date=D(2027, 1, 1))
    monkeypatch.setattr(calendar, "_next_check", 0.0)
    assert is_workday(D(2027, 1, 1)) is True


def test_a_saturday_can_be_declared_a_make_up_workday(django_capture_on_commit_callbacks):
    assert is_workday(D(2027, 2, 6)) is False
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(
            actor="管理员", date=D(2027, 2, 6), kind=CalendarDay.Kind.WORKDAY, name="春节调休上班"
        )
    assert is_workday(D(2027, 2, 6)) is True
    assert add_workdays(D(2027, 2, 5), 1) == D(2027, 2, 6)


def test_clearing_an_entry_restores_the_weekend_rule(django_capture_on_commit_callbacks):
    assert is_workday(D(2026, 2, 14)) is True
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_clear(actor="管理员", date=D(2026, 2, 14))
    assert is_workday(D(2026, 2, 14)) is False
    assert not CalendarDay.objects.filter(date=D(2026, 2, 14)).exists()


def test_clearing_a_date_without_an_entry_does_nothing():
    before = AuditEvent.objects.count()
    calendar_day_clear(actor="管理员", date=D(2026, 3, 3))
    assert AuditEvent.objects.count() == before


def test_publishing_2027_removes_it_from_the_missing_years(django_capture_on_commit_callbacks):
    assert missing_years(D(2026, 11, 24)) == [2027]
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_publish(actor="管理员", year=2027, source="国办发明电〔2026〕X号")
    assert missing_years(D(2026, 11, 24)) == []
    assert 2027 in known_years()


def test_a_make_up_workday_on_a_weekday_is_refused_with_a_chinese_message():
    with pytest.raises(ValidationError) as excinfo:
        calendar_day_set(actor="管理员", date=D(2027, 1, 4), kind=CalendarDay.Kind.WORKDAY)
    assert excinfo.value.messages == ["调休上班日应为周六或周日，2027-01-04 本来就是工作日。"]
    assert not CalendarDay.objects.filter(date=D(2027, 1, 4)).exists()


def test_an_unknown_kind_of_day_is_refused_with_a_chinese_message():
    with pytest.raises(ValidationError) as excinfo:
        calendar_day_set(actor="管理员", date=D(2027, 1, 4), kind="festival")
    assert "法定节假日" in excinfo.value.messages[0]


def test_declaring_a_day_writes_an_audit_event_with_the_new_entry():
    day = calendar_day_set(actor="管理员", date=D(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦")
    event = AuditEvent.objects.get(action="calendar.day_set")
    assert event.object_type == "core.calendarday"
    assert event.object_id == str(day.pk)
    assert event.actor is None and event.actor_label == "管理员"
    assert event.before is None
    assert event.after["date"] == "2027-01-01"
    assert event.after["kind"] == "holiday"
    assert event.after["name"] == "元旦"
    assert "updated_at" not in event.after


def test_changing_a_day_audits_only_the_changed_fields():
    day = CalendarDay.objects.get(date=D(2026, 10, 10))
    calendar_day_set(actor="管理员", date=D(2026, 10, 10), kind=CalendarDay.Kind.HOLIDAY, name="更正")
    event = AuditEvent.objects.get(action="calendar.day_set")
    assert event.object_id == str(day.pk)
    assert event.before == {"kind": "workday", "name": day.name}
    assert event.after == {"kind": "holiday", "name": "更正"}


def test_clearing_a_day_writes_an_audit_event_with_the_old_entry():
    day = CalendarDay.objects.get(date=D(2026, 2, 14))
    calendar_day_clear(actor="管理员", date=D(2026, 2, 14))
    event = AuditEvent.objects.get(action="calendar.day_clear")
    assert event.object_id == str(day.pk)
    assert event.before["kind"] == "workday"
    assert event.after is None


def test_publishing_a_year_writes_an_audit_event_and_a_changed_source_another():
    entry = calendar_year_publish(actor="管理员", year=2027, source="通知甲")
    event = AuditEvent.objects.get(action="calendar.year_publish")
    assert event.object_type == "core.calendaryear"
    assert event.object_id == str(entry.pk)
    assert event.after["year"] == 2027 and event.after["source"] == "通知甲"
    calendar_year_publish(actor="管理员", year=2027, source="通知乙")
    update = AuditEvent.objects.get(action="calendar.year_update")
    assert update.before == {"source": "通知甲"}
    assert update.after == {"source": "通知乙"}
    assert CalendarYear.objects.get(year=2027).source == "通知乙"
    calendar_year_publish(actor="管理员", year=2027)  # nothing changes: nothing audited
    assert AuditEvent.objects.filter(object_type="core.calendaryear").count() == 2


def test_an_edit_by_a_signed_in_user_records_the_user(django_user_model):
    user = django_user_model.objects.create_user(username="calendar_admin", display_name="王管理")
    calendar_day_set(actor=user, date=D(2027, 1, 1), kind=CalendarDay.Kind.HOLIDAY, name="元旦")
    event = AuditEvent.objects.get(action="calendar.day_set")
    assert event.actor == user
    assert event.actor_label == "王管理"


def test_one_countdown_wording_for_every_deadline_list():
    """core.calendar.countdown: working days left, today, overdue — and 「已超期」 on the rest day
    right after a deadline, before any working day has passed (2026-12-04 is a Friday)."""
    from banhao.core.calendar import countdown

    friday = dt.date(2026, 12, 4)
    assert countdown(friday, dt.date(2026, 11, 30)).text == "剩余4个工作日"
    assert countdown(friday, friday).text == "今日到期" and not countdown(friday, friday).overdue
    saturday = countdown(friday, dt.date(2026, 12, 5))
    assert saturday.overdue and saturday.days == 0 and saturday.text == "已超期"
    tuesday = countdown(friday, dt.date(2026, 12, 8))
    assert tuesday.overdue and tuesday.days == -2 and tuesday.text == "超期2个工作日"
    # across the National Day holiday: only 10-08 and 10-09 are working days after 09-30
    assert countdown(dt.date(2026, 10, 9), dt.date(2026, 9, 30)).days == 2
