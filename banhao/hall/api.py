"""What other apps may read of the hall: facts, as small frozen dataclasses.

Evaluation (the rating pad), and later assessment and insights, import only this module.
Every fact is read from the hall's append-only event log (HallEvent) or from the desk row
that a hall service wrote; nothing here changes anything.

- ``ticket_finished(ticket_id)`` / ``ticket_finished_facts(hall_id=…, day=…)``: "ticket T
  finished at window W by clerk C at time X with cases […]";
- ``window_desk(window_id)``: who sits at a window, whether it calls, and the visit it
  finished last (what the window's rating pad asks about);
- ``hall_day_figures(hall_id, day)``: a day's tickets, waits, service times, transfers,
  skipped tickets and appointments (check-ins, no-shows, cancellations), computed from the
  events alone;
- ``hall_events_after(hall_id, after_id)``: the raw facts after a cursor, oldest first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from statistics import mean

from django.utils import timezone

from .models import Desk, HallEvent, TicketCase

__all__ = [
    "CaseVisits",
    "DayFigures",
    "DeskFacts",
    "HallEventFact",
    "TicketFact",
    "TicketFinished",
    "case_visit_facts",
    "hall_day_figures",
    "hall_events_after",
    "ticket_finished",
    "ticket_finished_facts",
    "ticket_numbers",
    "ticket_period_facts",
    "window_desk",
]

E = HallEvent.Action


@dataclass(frozen=True)
class TicketFinished:
    """Ticket ``number`` finished (办结) at ``window_id`` by ``clerk_id`` at ``finished_at``,
    with the cases accepted or handed over on that visit."""

    ticket_id: int
    number: str
    hall_id: int
    window_id: int | None
    clerk_id: int | None
    finished_at: dt.datetime
    case_ids: tuple[int, ...]


@dataclass(frozen=True)
class DeskFacts:
    window_id: int
    clerk_id: int | None
    paused: bool
    serving_ticket_id: int | None
    last_finished: TicketFinished | None


@dataclass(frozen=True)
class DayFigures:
    """One hall's day, from its events. Wait = first call − issue (tickets called at least
    once); service time = finish − first call (finished tickets)."""

    hall_id: int
    day: dt.date
    issued: int
    called: int
    finished: int
    skipped: int  # 过号
    transferred: int  # transfer events (a ticket may be transferred more than once)
    avg_wait_s: float | None
    max_wait_s: float | None
    avg_service_s: float | None
    appointments_booked: int  # bookings for this day, now (whenever made; moved ones count where they went)
    appointments_checked_in: int
    appointments_no_show: int  # 爽约
    appointments_cancelled: int


@dataclass(frozen=True)
class HallEventFact:
    id: int
    hall_id: int
    action: str
    action_label: str
    at: dt.datetime
    ticket_id: int | None
    appointment_id: int | None
    window_id: int | None
    clerk_id: int | None
    data: dict


def _case_ids(ticket_ids: list[int]) -> dict[int, tuple[int, ...]]:
    out: dict[int, list[int]] = {}
    for ticket_id, case_id in TicketCase.objects.filter(ticket_id__in=ticket_ids).values_list(
        "ticket_id", "case_id"
    ):
        out.setdefault(ticket_id, []).append(case_id)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def _finished(rows: list[dict]) -> list[TicketFinished]:
    cases = _case_ids([r["ticket_id"] for r in rows])
    return [
        TicketFinished(
            ticket_id=r["ticket_id"],
            number=r["ticket__number"],
            hall_id=r["hall_id"],
            window_id=r["window_id"],
            clerk_id=r["clerk_id"],
            finished_at=r["at"],
            case_ids=cases.get(r["ticket_id"], ()),
        )
        for r in rows
    ]


_FINISH_FIELDS = ("ticket_id", "ticket__number", "hall_id", "window_id", "clerk_id", "at")


def ticket_finished(ticket_id: int) -> TicketFinished | None:
    """The finish of one ticket, or None while it is not finished."""
    rows = list(
        HallEvent.objects.filter(ticket_id=ticket_id, action=E.FINISH)
        .order_by("-id")
        .values(*_FINISH_FIELDS)[:1]
    )
    return _finished(rows)[0] if rows else None


def _day_range(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def ticket_finished_facts(
    *,
    hall_id: int,
    day: dt.date | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    window_id: int | None = None,
    clerk_id: int | None = None,
) -> list[TicketFinished]:
    """Every ticket finished in a hall on ``day`` (or in [since, until)), oldest first,
    optionally of one window or one clerk."""
    qs = HallEvent.objects.filter(hall_id=hall_id, action=E.FINISH)
    if day is not None:
        since, until = _day_range(day)
    if since is not None:
        qs = qs.filter(at__gte=since)
    if until is not None:
        qs = qs.filter(at__lt=until)
    if window_id is not None:
        qs = qs.filter(window_id=window_id)
    if clerk_id is not None:
        qs = qs.filter(clerk_id=clerk_id)
    return _finished(list(qs.order_by("id").values(*_FINISH_FIELDS)))


def window_desk(window_id: int) -> DeskFacts | None:
    """The window at work: its clerk, pause, current ticket and the visit it finished last.
    None for a window nobody has opened yet."""
    desk = (
        Desk.objects.filter(window_id=window_id)
        .values("window_id", "clerk_id", "state", "current_id", "last_finished_id", "last_finished_at")
        .first()
    )
    if desk is None:
        return None
    last = None
    if desk["last_finished_id"] and desk["last_finished_at"]:
        last = ticket_finished(desk["last_finished_id"])
    return DeskFacts(
        window_id=desk["window_id"],
        clerk_id=desk["clerk_id"],
        paused=desk["state"] == Desk.State.PAUSED,
        serving_ticket_id=desk["current_id"],
        last_finished=last,
    )


def hall_day_figures(hall_id: int, day: dt.date) -> DayFigures:
    """A day's figures of a hall, computed from its events only (the statistics the screens
    show are computed from the tickets; both agree, see the tests)."""
    start, end = _day_range(day)
    rows = HallEvent.objects.filter(
        hall_id=hall_id, at__gte=start, at__lt=end, ticket__isnull=False
    ).values_list("ticket_id", "action", "at")
    issued: dict[int, dt.datetime] = {}
    first_call: dict[int, dt.datetime] = {}
    finished: dict[int, dt.datetime] = {}
    skipped = transferred = 0
    for ticket_id, action, at in rows.order_by("id"):
        if action == E.ISSUE:
            issued[ticket_id] = at
        elif action == E.CALL:
            first_call.setdefault(ticket_id, at)
        elif action == E.FINISH:
            finished[ticket_id] = at
        elif action == E.SKIP:
            skipped += 1
        elif action == E.TRANSFER:
            transferred += 1
    waits = [(first_call[t] - issued[t]).total_seconds() for t in first_call if t in issued]
    services = [(finished[t] - first_call[t]).total_seconds() for t in finished if t in first_call]
    appts = HallEvent.objects.filter(hall_id=hall_id, appointment__day=day)
    counts = dict.fromkeys((E.BOOK, E.CHECK_IN, E.NO_SHOW, E.CANCEL), 0)
    for action in appts.filter(action__in=list(counts)).values_list("action", flat=True):
        counts[action] += 1
    return DayFigures(
        hall_id=hall_id,
        day=day,
        issued=len(issued),
        called=len(first_call),
        finished=len(finished),
        skipped=skipped,
        transferred=transferred,
        avg_wait_s=mean(waits) if waits else None,
        max_wait_s=max(waits) if waits else None,
        avg_service_s=mean(services) if services else None,
        appointments_booked=counts[E.BOOK],
        appointments_checked_in=counts[E.CHECK_IN],
        appointments_no_show=counts[E.NO_SHOW],
        appointments_cancelled=counts[E.CANCEL],
    )


def hall_events_after(
    hall_id: int, after_id: int = 0, *, limit: int = 500, actions: list[str] | None = None
) -> list[HallEventFact]:
    """The hall's facts after the cursor ``after_id`` (an event id), oldest first."""
    qs = HallEvent.objects.filter(hall_id=hall_id, id__gt=after_id)
    if actions:
        qs = qs.filter(action__in=actions)
    labels = dict(E.choices)
    return [
        HallEventFact(
            id=e["id"],
            hall_id=e["hall_id"],
            action=e["action"],
            action_label=labels.get(e["action"], e["action"]),
            at=e["at"],
            ticket_id=e["ticket_id"],
            appointment_id=e["appointment_id"],
            window_id=e["window_id"],
            clerk_id=e["clerk_id"],
            data=e["data"],
        )
        for e in qs.order_by("id").values(
            "id", "hall_id", "action", "at", "ticket_id", "appointment_id", "window_id", "clerk_id", "data"
        )[:limit]
    ]


# --- facts for the assessment (考核): one query per period ------------------------------------


@dataclass(frozen=True, slots=True)
class TicketFact:
    """A ticket of a period: where it was served, its wait (first call − issue) and service
    time (finish − first call) in seconds when it got that far, and whether it was 过号."""

    id: int
    hall_id: int
    region_id: int
    window_id: int | None
    clerk_id: int | None
    wait_s: float | None
    service_s: float | None
    no_show: bool


def ticket_period_facts(start: dt.date, end: dt.date, *, region_ids=None) -> list[TicketFact]:
    """The tickets issued on days in [start, end), cancelled ones left out. One query; the
    durations are computed by the database."""
    from django.db import models as m

    from .models import Ticket

    qs = Ticket.objects.filter(day__gte=start, day__lt=end).exclude(status=Ticket.Status.CANCELLED)
    if region_ids is not None:
        qs = qs.filter(hall__region_id__in=list(region_ids))
    qs = qs.annotate(
        wait=m.ExpressionWrapper(m.F("first_called_at") - m.F("issued_at"), output_field=m.DurationField()),
        service=m.ExpressionWrapper(
            m.F("finished_at") - m.F("first_called_at"), output_field=m.DurationField()
        ),
    )
    done, no_show = Ticket.Status.DONE, Ticket.Status.NO_SHOW
    return [
        TicketFact(
            pk,
            hall,
            region,
            window,
            clerk,
            wait.total_seconds() if wait is not None else None,
            service.total_seconds() if service is not None and status == done else None,
            status == no_show,
        )
        for pk, hall, region, window, clerk, status, wait, service in qs.values_list(
            "id", "hall_id", "hall__region_id", "window_id", "clerk_id", "status", "wait", "service"
        )
    ]


@dataclass(frozen=True, slots=True)
class CaseVisits:
    """How many times the applicant came to the hall for a case (tickets that handled it, plus a
    collection at a window without a ticket of its own), and the window and clerk of the first."""

    case_id: int
    visits: int
    window_id: int | None
    clerk_id: int | None


def case_visit_facts(start: dt.date, end: dt.date) -> dict[int, CaseVisits]:
    """The hall visits of the cases delivered or concluded in [start, end), by case id. A case
    absent here never came through the hall (0 visits: online and by post). Two queries."""
    from django.db.models import Q

    from .models import Handover

    since = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    until = timezone.make_aware(dt.datetime.combine(end, dt.time.min))
    in_period = Q(case__delivered_at__gte=since, case__delivered_at__lt=until) | Q(
        case__delivered_at__isnull=True, case__concluded_at__gte=since, case__concluded_at__lt=until
    )
    tickets: dict[int, list] = {}
    for case_id, ticket_id, window, clerk in (
        TicketCase.objects.filter(in_period)
        .order_by("case_id", "ticket__issued_at", "ticket_id")
        .values_list("case_id", "ticket_id", "ticket__window_id", "ticket__clerk_id")
    ):
        tickets.setdefault(case_id, []).append((ticket_id, window, clerk))
    pickups: dict[int, tuple] = {}
    for case_id, ticket_id, window, clerk in Handover.objects.filter(in_period).values_list(
        "case_id", "ticket_id", "window_id", "clerk_id"
    ):
        pickups[case_id] = (ticket_id, window, clerk)
    out = {}
    for case_id in tickets.keys() | pickups.keys():
        rows = tickets.get(case_id, [])
        ids = {t for t, _, _ in rows}
        visits = len(ids)
        pick = pickups.get(case_id)
        if pick is not None and (pick[0] is None or pick[0] not in ids):
            visits += 1
        first = rows[0] if rows else pick
        out[case_id] = CaseVisits(case_id, visits, first[1], first[2])
    return out


def ticket_numbers(ids) -> dict[int, tuple[str, dt.date, str]]:
    """Ticket id → (number, day, status label), for a scorecard's drill-down."""
    from .models import Ticket

    return {t.pk: (t.number, t.day, t.get_status_display()) for t in Ticket.objects.filter(pk__in=list(ids))}
