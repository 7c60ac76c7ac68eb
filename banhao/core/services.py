"""Writes of the kernel: the working-day calendar."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from . import calendar
from .audit import audit_record, snapshot
from .models import CalendarDay, CalendarYear


@transaction.atomic
def calendar_day_set(*, actor, date: dt.date, kind: str, name: str = "") -> CalendarDay:
    """Declares a holiday or a make-up working day (creates or changes the entry)."""
    if kind not in CalendarDay.Kind.values:
        raise ValidationError("日期类型只能是“法定节假日”或“调休上班”。")
    if kind == CalendarDay.Kind.WORKDAY and date.weekday() < 5:
        raise ValidationError("调休上班日应为周六或周日，%(d)s 本来就是工作日。", params={"d": date})
    day = CalendarDay.objects.select_for_update().filter(date=date).first()
    before = snapshot(day) if day else None
    if day is None:
        day = CalendarDay(date=date)
    day.kind, day.name = kind, name
    day.save()
    audit_record(actor=actor, obj=day, action="calendar.day_set", before=before, after=snapshot(day))
    transaction.on_commit(calendar.reset_cache)
    return day


@transaction.atomic
def calendar_day_clear(*, actor, date: dt.date) -> None:
    """Removes an exception: the day follows the weekend rule again."""
    day = CalendarDay.objects.select_for_update().filter(date=date).first()
    if day is None:
        return
    audit_record(actor=actor, obj=day, action="calendar.day_clear", before=snapshot(day), after=None)
    day.delete()
    transaction.on_commit(calendar.reset_cache)


@transaction.atomic
def calendar_year_publish(*, actor, year: int, source: str = "") -> CalendarYear:
    """Marks a year's arrangement as entered: its dates no longer fall back to weekends only."""
    entry, created = CalendarYear.objects.get_or_create(year=year, defaults={"source": source})
    if not created and source and entry.source != source:
        before = snapshot(entry)
        entry.source = source
        entry.save()
        audit_record(
            actor=actor, obj=entry, action="calendar.year_update", before=before, after=snapshot(entry)
        )
    elif created:
        audit_record(actor=actor, obj=entry, action="calendar.year_publish", after=snapshot(entry))
    transaction.on_commit(calendar.reset_cache)
    return entry
