"""Working days on the State Council calendar.

Rule (docs/domain: §2): Saturdays and Sundays are off except make-up working days
(调休上班); statutory holidays are off. Periods count from the day AFTER the start:
``add_workdays(start, 1)`` is the first working day after ``start``; ``add_workdays(start, 0)``
is ``start`` itself (即办件: same day).

The exceptions live in the database (``CalendarDay``; seeded from chinesecalendar for
2004–2026, editable by administrators). Each process keeps a precomputed table:

* ``_cum[i]`` — number of working days from the table's first day up to and including day i;
* ``_workdays`` — the ordinal day numbers of every working day, in order.

so every question is two list look-ups. The table is rebuilt when an administrator edits
the calendar through ``calendar_day_set`` (immediately in that process, within
``RECHECK_SECONDS`` in the others, which compare a cheap version stamp).

A year with no published arrangement is counted with weekends only; ``missing_years``
tells administrators which years need entering, and a warning is logged once per year.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass

logger = logging.getLogger(__name__)

FIRST_DAY = dt.date(1949, 10, 1)
LAST_DAY = dt.date(2199, 12, 31)
RECHECK_SECONDS = 30.0

_ORD0 = FIRST_DAY.toordinal()
_ORD_LAST = LAST_DAY.toordinal()


@dataclass(frozen=True)
class _Table:
    cum: list[int]  # cum[i]: working days in [FIRST_DAY, FIRST_DAY + i]
    workdays: list[int]  # ordinals of working days, ascending
    known_years: frozenset[int]
    version: tuple


_table: _Table | None = None
_next_check = 0.0
_lock = threading.Lock()
_warned_years: set[int] = set()


def _db_version() -> tuple:
    from django.db.models import Count, Max

    from .models import CalendarDay, CalendarYear

    days = CalendarDay.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    years = CalendarYear.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    return (days["n"], days["t"], years["n"], years["t"])


def _build() -> _Table:
    from .models import CalendarDay, CalendarYear

    version = _db_version()
    exceptions = dict(CalendarDay.objects.values_list("date", "kind"))
    known = frozenset(CalendarYear.objects.values_list("year", flat=True))
    size = _ORD_LAST - _ORD0 + 1
    cum = [0] * size
    workdays: list[int] = []
    count = 0
    day = FIRST_DAY
    one = dt.timedelta(days=1)
    for i in range(size):
        kind = exceptions.get(day)
        working = (kind == "workday") if kind is not None else day.weekday() < 5
        if working:
            count += 1
            workdays.append(_ORD0 + i)
        cum[i] = count
        day += one
    return _Table(cum=cum, workdays=workdays, known_years=known, version=version)


def _get() -> _Table:
    global _table, _next_check
    table = _table
    now = time.monotonic()
    if table is not None and now < _next_check:
        return table
    with _lock:
        if _table is None or _db_version() != _table.version:
            _table = _build()
        _next_check = now + RECHECK_SECONDS
        return _table


def reset_cache() -> None:
    """Forgets the table; the next question rebuilds it from the database."""
    global _table, _next_check
    with _lock:
        _table = None
        _next_check = 0.0


def _index(d: dt.date, table: _Table) -> int:
    if isinstance(d, dt.datetime):
        d = d.date()
    o = d.toordinal()
    if o < _ORD0 or o > _ORD_LAST:
        raise ValueError(f"日期 {d} 超出工作日历的范围（{FIRST_DAY} 至 {LAST_DAY}）。")
    if d.year not in table.known_years and d.year not in _warned_years and d.year >= 2004:
        _warned_years.add(d.year)
        logger.warning("%s年节假日安排尚未录入，该年按周末双休推算工作日。", d.year)
    return o - _ORD0


def is_workday(d: dt.date) -> bool:
    table = _get()
    i = _index(d, table)
    return table.cum[i] != (table.cum[i - 1] if i else 0)


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative when end < start)."""
    table = _get()
    return table.cum[_index(end, table)] - table.cum[_index(start, table)]


def add_workdays(start: dt.date, n: int) -> dt.date:
    """The day on which a period of ``n`` working days that starts after ``start`` ends.

    n = 0 gives ``start`` itself. For every n, ``workdays_between(start, result) == n``;
    for n != 0 the result is a working day (the earliest such day).
    """
    table = _get()
    c = table.cum[_index(start, table)]
    if n == 0:
        return start.date() if isinstance(start, dt.datetime) else start
    # workdays[j] is the (j+1)-th working day of the table, so cum there is j + 1.
    k = c + n - 1
    if k < 0 or k >= len(table.workdays):
        raise ValueError("结果超出工作日历的范围。")
    return dt.date.fromordinal(table.workdays[k])


def next_workday(d: dt.date) -> dt.date:
    """``d`` itself if it is a working day, else the first working day after it."""
    return d if is_workday(d) else add_workdays(d, 1)


def known_years() -> frozenset[int]:
    return _get().known_years


def missing_years(today: dt.date | None = None) -> list[int]:
    """Years administrators must enter: this year if absent, and next year from November on.

    The State Council publishes the next year's arrangement in November or December.
    """
    today = today or dt.date.today()
    wanted = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    known = known_years()
    return [y for y in wanted if y not in known]


def workdays_in_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every working day in [first, last], for calendars and reports."""
    table = _get()
    lo = bisect.bisect_left(table.workdays, first.toordinal())
    hi = bisect.bisect_right(table.workdays, last.toordinal())
    return [dt.date.fromordinal(o) for o in table.workdays[lo:hi]]


@dataclass(frozen=True)
class Countdown:
    """Working days left until a deadline, and how to say it — one wording for every list with
    a deadline (差评整改, complaints, 12345 callbacks and tickets, 蓝榜整改, the workbench).

    ``days``: working days left (0 on the deadline day); negative: working days overdue.
    ``overdue``: the deadline has passed — also on the rest day right after it, when no working
    day has passed yet (days 0, said 「已超期」)."""

    days: int
    overdue: bool

    @property
    def text(self) -> str:
        if self.overdue:
            return f"超期{-self.days}个工作日" if self.days else "已超期"
        return f"剩余{self.days}个工作日" if self.days else "今日到期"


def countdown(due: dt.date, today: dt.date) -> Countdown:
    """The countdown to ``due`` seen on ``today`` on the working-day calendar."""
    if due >= today:
        return Countdown(workdays_between(today, due), False)
    return Countdown(-workdays_between(due, today), True)
