"""Reads of the evaluation loop: the rating figures per department (好差评公示, the workbench).

The figures of a period, per department (a rating of a window visit that names no department
counts for its hall), over the ratings that count: current (a re-rating replaces the rating it
follows) and not excluded (an upheld appeal). Definitions (docs/supervision.md):

- ratings (评价数): ratings given by people (the default ratings are counted separately);
- default_ratings (默认评价数): cases nobody rated in time, recorded at the default level;
- satisfied: 非常满意 + 满意 + 基本满意 of the ratings given by people; satisfaction rate
  (满意率) = satisfied / ratings. domain.md §4: the bottom two levels are 差评, the top three
  are not. BANHAO_SATISFACTION_COUNTS_DEFAULT = True counts the default ratings in both terms
  (some provinces do);
- bad (差评数): 不满意 + 非常不满意;
- bad_rectified (差评整改数): bad ratings whose rectification has been fed back to the rater
  (fed back or closed: the measures taken, or why the rating was not substantiated);
  bad_rectified_on_time: of those, fed back by the deadline; the rectification rate
  (整改率) = bad_rectified / bad.

One grouped query (a conditional COUNT per figure, LEFT JOIN to the rectification), served by
the (region, created_at) index on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from banhao.org import api as org

from .models import BAD_LEVELS, Level, Rating, Rectification

# a rectification is done once its result (measures, or the finding that the rating was not
# substantiated) has been fed back to the rater (rectification_states: fed_back, then closed);
# on time as docs/rectification.md decides it (``on_time``, set at the feedback)
RECTIFIED_STATUSES = (Rectification.Status.FED_BACK, Rectification.Status.CLOSED)
SATISFIED_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED, Level.BASIC)


def _rate(part: int, whole: int) -> Decimal | None:
    """A percentage with two decimals (None when there is nothing to divide by)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    department_id: int | None
    hall_id: int | None
    name: str
    ratings: int
    satisfied: int
    bad: int
    bad_rectified: int
    bad_rectified_on_time: int
    default_ratings: int

    @property
    def satisfaction_rate(self) -> Decimal | None:
        counts_default = getattr(settings, "BANHAO_SATISFACTION_COUNTS_DEFAULT", False)
        if counts_default:
            return _rate(self.satisfied + self.default_ratings, self.ratings + self.default_ratings)
        return _rate(self.satisfied, self.ratings)

    @property
    def rectification_rate(self) -> Decimal | None:
        return _rate(self.bad_rectified, self.bad)

    @property
    def on_time_rate(self) -> Decimal | None:
        return _rate(self.bad_rectified_on_time, self.bad)


@dataclass(frozen=True)
class Period:
    start: dt.date  # first day
    end: dt.date  # the day after the last
    label: str


def month_period(year: int, month: int) -> Period:
    start = dt.date(year, month, 1)
    end = dt.date(year + (month == 12), month % 12 + 1, 1)
    return Period(start, end, f"{year}年{month}月")


def year_period(year: int) -> Period:
    return Period(dt.date(year, 1, 1), dt.date(year + 1, 1, 1), f"{year}年")


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(period.start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(period.end, dt.time.min, tzinfo=tz),
    )


def rating_figures(
    *,
    period: Period,
    region_ids=None,
    department_id: int | None = None,
) -> list[Figures]:
    """The figures per department (and per hall, for window ratings without a department) of
    the ratings in ``period`` within ``region_ids`` (None: everywhere) and optionally one
    department, ordered by satisfaction rate then number of ratings (best first)."""
    start, end = _bounds(period)
    qs = Rating.objects.filter(created_at__gte=start, created_at__lt=end, current=True, excluded=False)
    if region_ids is not None:
        ids = list(region_ids)
        # a pad rating names its hall, not a region: the halls of the regions, read first (no join)
        halls = [pk for pk, _name, _region in org.hall_list(ids)]
        qs = qs.filter(Q(region_id__in=ids) | Q(region__isnull=True, hall_id__in=halls))
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    given = Q(is_default=False)
    bad = given & Q(level__in=BAD_LEVELS)
    rectified = bad & Q(rectification__status__in=RECTIFIED_STATUSES)
    rows = (
        qs.order_by()
        .values("department_id", "hall_id")
        .annotate(
            n=Count("id", filter=given),
            satisfied=Count("id", filter=given & Q(level__in=SATISFIED_LEVELS)),
            bad=Count("id", filter=bad),
            rectified=Count("id", filter=rectified),
            on_time=Count("id", filter=rectified & Q(rectification__on_time=True)),
            defaults=Count("id", filter=Q(is_default=True)),
        )
    )
    # a department's ratings with a hall set (kiosk, pad with a department) stay one row
    merged: dict[tuple, dict] = {}
    for row in rows:
        key = (row["department_id"], None if row["department_id"] else row.get("hall_id"))
        acc = merged.setdefault(
            key, dict.fromkeys(("n", "satisfied", "bad", "rectified", "on_time", "defaults"), 0)
        )
        for k in acc:
            acc[k] += row[k]
    names = _names(merged)
    figures = [
        Figures(
            department_id=dept,
            hall_id=hall,
            name=names.get((dept, hall), "（未注明部门）"),
            ratings=v["n"],
            satisfied=v["satisfied"],
            bad=v["bad"],
            bad_rectified=v["rectified"],
            bad_rectified_on_time=v["on_time"],
            default_ratings=v["defaults"],
        )
        for (dept, hall), v in merged.items()
    ]
    figures.sort(key=lambda f: (-(f.satisfaction_rate or Decimal(-1)), -f.ratings, f.name))
    return figures


def _names(keys) -> dict[tuple, str]:
    dept_ids = [d for d, _ in keys if d]
    names: dict[tuple, str] = {}
    if dept_ids:
        by_id = {pk: name for pk, name, _ in org.department_choices(active_only=False) if pk in set(dept_ids)}
        names.update({(d, None): by_id.get(d, "") for d in dept_ids})
    hall_ids = {h for d, h in keys if not d and h}
    if hall_ids:
        halls = {pk: name for pk, name, _ in org.hall_list()}
        names.update({(None, h): halls.get(h, "") for h in hall_ids})
    return names


def totals(figures: list[Figures], name: str = "合计") -> Figures:
    return Figures(
        department_id=None,
        hall_id=None,
        name=name,
        ratings=sum(f.ratings for f in figures),
        satisfied=sum(f.satisfied for f in figures),
        bad=sum(f.bad for f in figures),
        bad_rectified=sum(f.bad_rectified for f in figures),
        bad_rectified_on_time=sum(f.bad_rectified_on_time for f in figures),
        default_ratings=sum(f.default_ratings for f in figures),
    )
