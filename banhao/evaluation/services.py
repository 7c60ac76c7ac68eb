"""The rating pad at each window (窗口评价器), one rating per visit (一次一评).

The pad asks about the visit its window finished last, a fact it reads from the hall
(banhao.hall.api.window_desk); it waits ``PAD_TIMEOUT`` for a tap and then goes back to idle
without recording anything. The hall knows nothing of ratings.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

import banhao.hall.api as hall

from .api import RatingInfo, rating_for_ticket, rating_record_onsite

PAD_TIMEOUT = dt.timedelta(seconds=120)


def _now(now: dt.datetime | None) -> dt.datetime:
    return timezone.localtime(now or timezone.now())


def pad_pending(
    window_id: int, now: dt.datetime | None = None, *, desk: hall.DeskFacts | None = None
) -> hall.TicketFinished | None:
    """The visit the window's pad should ask about now: the one the window finished last,
    while it is unrated and less than ``PAD_TIMEOUT`` old. None otherwise. ``desk``: the
    window's desk facts when the caller has read them already."""
    desk = desk or hall.window_desk(window_id)
    last = desk.last_finished if desk else None
    if last is None or _now(now) - last.finished_at > PAD_TIMEOUT:
        return None
    if rating_for_ticket(last.ticket_id) is not None:
        return None
    return last


def pad_seconds_left(pending: hall.TicketFinished, now: dt.datetime | None = None) -> int:
    """Whole seconds the pad still waits for a rating (at least 1 while it waits)."""
    elapsed = (_now(now) - pending.finished_at).total_seconds()
    return max(1, int(PAD_TIMEOUT.total_seconds() - elapsed))


@transaction.atomic
def pad_rate(
    *, window_id: int, ticket_id: int, level, dimensions: dict | None = None, now=None
) -> RatingInfo:
    """Stores the pad's rating of the visit its window finished last, on the window and the
    clerk who served it and the cases of that visit. Refused (in Chinese, nothing stored) for
    any other ticket, a visit already rated, or after the timeout."""
    now = _now(now)
    desk = hall.window_desk(window_id)
    last = desk.last_finished if desk else None
    if last is None or last.ticket_id != int(ticket_id) or rating_for_ticket(last.ticket_id) is not None:
        raise ValidationError("本次服务已评价或评价已超时。")
    if now - last.finished_at > PAD_TIMEOUT:
        raise ValidationError("评价已超时，本次未记录评价。")
    info, _created = rating_record_onsite(
        ticket_id=last.ticket_id,
        hall_id=last.hall_id,
        window_id=last.window_id,
        clerk_id=last.clerk_id,
        case_ids=list(last.case_ids),
        level=level,
        dimensions=dimensions,
    )
    return info
