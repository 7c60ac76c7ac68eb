"""Assessment periods as strings: a month "2026-11", a quarter "2026-Q4", a year "2026".
A period is the half-open range [start, end) of dates."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

MONTH, QUARTER, YEAR = "month", "quarter", "year"
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Period:
    kind: str
    code: str
    start: dt.date
    end: dt.date  # exclusive

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == QUARTER:
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        return f"{self.start.year}年度"

    def previous(self, n: int = 1) -> Period:
        p = self
        for _ in range(n):
            p = period_containing(p.kind, p.start - dt.timedelta(days=1))
        return p

    def last(self, n: int) -> list[Period]:
        """This period and the n-1 before it, oldest first."""
        return [self.previous(i) for i in range(n - 1, -1, -1)]


def _next_month(d: dt.date) -> dt.date:
    return (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def period_containing(kind: str, day: dt.date) -> Period:
    if kind == MONTH:
        start = day.replace(day=1)
        return Period(MONTH, f"{start:%Y-%m}", start, _next_month(start))
    if kind == QUARTER:
        q = (day.month - 1) // 3
        start = dt.date(day.year, 3 * q + 1, 1)
        end = dt.date(day.year + 1, 1, 1) if q == 3 else dt.date(day.year, 3 * q + 4, 1)
        return Period(QUARTER, f"{day.year}-Q{q + 1}", start, end)
    if kind == YEAR:
        return Period(YEAR, str(day.year), dt.date(day.year, 1, 1), dt.date(day.year + 1, 1, 1))
    raise ValueError(kind)


def parse_period(code: str) -> Period:
    code = (code or "").strip().upper()
    try:
        if m := _MONTH.match(code):
            return period_containing(MONTH, dt.date(int(m[1]), int(m[2]), 1))
        if m := _QUARTER.match(code):
            return period_containing(QUARTER, dt.date(int(m[1]), 3 * int(m[2]) - 2, 1))
        if m := _YEAR.match(code):
            return period_containing(YEAR, dt.date(int(m[1]), 1, 1))
    except ValueError:
        pass
    raise ValidationError("考核周期格式应为 YYYY-MM、YYYY-Q1…Q4 或 YYYY。")


def periods_closed_by(month: Period) -> list[Period]:
    """The month itself, plus the quarter and the year that it closes (December closes Q4 and
    the year; March closes Q1 …): what a monthly run computes."""
    out = [month]
    if month.start.month % 3 == 0:
        out.append(period_containing(QUARTER, month.start))
    if month.start.month == 12:
        out.append(period_containing(YEAR, month.start))
    return out
