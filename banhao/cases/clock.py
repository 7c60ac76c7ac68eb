"""The case clock: due dates in working days, moved by special procedures (特别程序).

``due_date(start, limit, pauses)``: ``start`` is the acceptance date, or the day the complete
materials arrived after a correction (补正); the count begins the day after it (domain.md
§2). ``limit`` is in working days (0 = the same day, 即办件). Each pause is (first day, last
day), inclusive; the working days inside the pauses are added to the limit. Overlapping
pauses count once, and days on or before ``start`` do not count (the clock had not started).
Every service that dates a case calls this function, never a copy of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from banhao.core.calendar import add_workdays, workdays_between


def merge_pauses(start: dt.date, pauses: Iterable[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """Pauses clipped to the days after ``start``, merged where they overlap or touch."""
    clipped = []
    for first, last in pauses:
        if last < first:
            raise ValueError(f"暂停的结束日期 {last} 早于开始日期 {first}。")
        first = max(first, start + dt.timedelta(days=1))
        if last >= first:
            clipped.append((first, last))
    merged: list[tuple[dt.date, dt.date]] = []
    for first, last in sorted(clipped):
        if merged and first <= merged[-1][1] + dt.timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def paused_workdays(start: dt.date, pauses: Iterable[tuple[dt.date, dt.date]]) -> int:
    """Working days inside the pauses (after ``start``, each day once)."""
    return sum(
        workdays_between(first - dt.timedelta(days=1), last) for first, last in merge_pauses(start, pauses)
    )


def due_date(start: dt.date, limit: int, pauses: list[tuple[dt.date, dt.date]]) -> dt.date:
    """The last day of a ``limit``-working-day period after ``start``, moved by the pauses."""
    if limit < 0:
        raise ValueError("时限不能为负数。")
    return add_workdays(start, limit + paused_workdays(start, pauses))


def workdays_left(today: dt.date, due: dt.date) -> int:
    """Working days from today to the due date (0 on the due day; negative once overdue)."""
    return workdays_between(today, due)
