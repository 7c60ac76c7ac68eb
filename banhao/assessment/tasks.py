"""Scheduled work of the assessment: the month's computation after the month closes."""

import datetime as dt

from django_tasks import task

# The closed month is computed on each of the first days of the next month, so that facts
# recorded late (a rectification closed on the 2nd) still count; a reviewed set stays frozen.
RECOMPUTE_DAYS = 5


@task()
def assessment_compute_closed_month() -> list[str]:
    """Compute the month that closed last (and the quarter or year it closes), on days
    1–RECOMPUTE_DAYS of the month; other days do nothing."""
    from django.utils import timezone

    from .compute import assessment_compute
    from .periods import MONTH, period_containing

    today = timezone.localdate()
    if today.day > RECOMPUTE_DAYS:
        return []
    closed = period_containing(MONTH, today.replace(day=1) - dt.timedelta(days=1))
    return [
        f"kind={s.kind} subjects={s.subjects} published={s.published}" for s in assessment_compute(closed)
    ]
