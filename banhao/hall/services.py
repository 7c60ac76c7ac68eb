"""Writes in the hall: tickets, calling, windows at work, appointments.

Every status change goes through the life cycles of `hall.states` (the one place that writes
a status), and every change writes a HallEvent (what, who, which window, when): tickets,
appointments, the windows' sign-in and pauses. Anything two windows or two kiosks may race
for is settled by the database, never by check-then-act:

- ticket numbers come from a per-zone, per-day counter row incremented under a row lock;
- "call next" locks the window's Desk row (one call per window at a time), picks the best
  waiting ticket with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL (windows calling at
  the same moment take different tickets instead of queueing on the same row) and then claims
  it with ``UPDATE … WHERE status='waiting'``, checking the row count; on SQLite, whose writers
  are serialised by ``BEGIN IMMEDIATE``, the same UPDATE is the guard;
- appointment capacity is ``UPDATE … SET booked = booked + 1 WHERE booked < capacity``.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case as When_
from django.db.models import F, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

import banhao.org.api as org
from banhao.core.calendar import is_workday
from banhao.core.digests import resident_id_digest
from banhao.core.identifiers import normalize_resident_id, resident_id_birth_date
from banhao.core.masking import mask_phone, mask_resident_id
from banhao.registry.api import normalize_mobile

from . import states
from .models import (
    Appointment,
    AppointmentSlot,
    Desk,
    Green,
    HallEvent,
    Handover,
    Ticket,
    TicketCase,
    TicketSequence,
)

logger = logging.getLogger("banhao.hall")

S = Ticket.Status
GREEN_AGE = 65  # 老年人绿色通道: age from the birth date in the resident ID


# --- small helpers -----------------------------------------------------------------------------


def _now(now: dt.datetime | None) -> dt.datetime:
    return timezone.localtime(now or timezone.now())


def _sms(phone: str, text: str) -> None:
    """Writes the SMS to notify's outbox in the hall's transaction: it is sent (by a worker, with
    retries) exactly when the hall's write commits, once. Each call is its own message."""
    if not phone:
        return
    from banhao.notify.api import SMS, message_send

    try:
        message_send(recipient=phone, channel=SMS, text=text, dedupe_key=f"hall:{uuid.uuid4().hex}")
    except ValidationError:  # not a number a gateway can text: the hall's write stands
        logger.warning("大厅短信无法发送到：%s", mask_phone(phone))


E = HallEvent.Action


def _event(
    action: str,
    *,
    at,
    ticket: Ticket | None = None,
    appointment: Appointment | None = None,
    hall_id: int | None = None,
    window_id=None,
    clerk_id=None,
    actor_label="",
    data=None,
) -> HallEvent:
    """Appends one fact to the hall's event log."""
    obj = ticket or appointment
    return HallEvent.objects.create(
        hall_id=hall_id or obj.hall_id,
        action=action,
        ticket=ticket,
        appointment=appointment,
        window_id=window_id,
        clerk_id=clerk_id,
        actor_label=actor_label,
        at=at,
        data=data or {},
    )


def is_open(hall: org.HallInfo, at: dt.datetime) -> bool:
    """Working day and inside the morning or afternoon hours (tickets from 30 minutes before
    opening). ``BANHAO_HALL_ALWAYS_OPEN`` (tests, demos at night) lifts the rule."""
    if getattr(settings, "BANHAO_HALL_ALWAYS_OPEN", False):
        return True
    at = timezone.localtime(at)
    if not is_workday(at.date()):
        return False
    early = (dt.datetime.combine(at.date(), hall.am_open) - dt.timedelta(minutes=30)).time()
    t = at.time()
    return early <= t < hall.am_close or hall.pm_open <= t < hall.pm_close


def closed_message(hall: org.HallInfo) -> str:
    return (
        f"{hall.name}现在不在办公时间，请于工作日 {hall.am_open:%H:%M}—{hall.am_close:%H:%M}、"
        f"{hall.pm_open:%H:%M}—{hall.pm_close:%H:%M} 取号；24小时自助服务区可自助办理。"
    )


# --- queue order -------------------------------------------------------------------------------


def ranked(qs, now: dt.datetime):
    """Annotates the calling order: ``klass`` 0 = green channel, 1 = an appointment whose slot
    has begun, 2 = everyone else; ``rank_at`` = the slot start for class 1, else the time the
    ticket was issued (a transferred ticket keeps its place). Order by (klass, rank_at, id)."""
    return qs.annotate(
        klass=When_(
            When(~Q(green=""), then=Value(0)),
            When(appointment_at__lte=now, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
        rank_at=When_(
            When(Q(green="") & Q(appointment_at__lte=now), then=F("appointment_at")),
            default=F("issued_at"),
        ),
    )


ORDER = ("klass", "rank_at", "id")


def people_ahead(ticket: Ticket, now: dt.datetime | None = None) -> int:
    """Waiting tickets of the same zone that will be called before this one."""
    now = _now(now)
    qs = ranked(
        Ticket.objects.filter(zone_id=ticket.zone_id, day=ticket.day, status=S.WAITING).exclude(pk=ticket.pk),
        now,
    )
    mine = ranked(Ticket.objects.filter(pk=ticket.pk), now).values("klass", "rank_at").first()
    if mine is None:
        return 0
    k, r = mine["klass"], mine["rank_at"]
    return qs.filter(
        Q(klass__lt=k) | Q(klass=k, rank_at__lt=r) | Q(klass=k, rank_at=r, id__lt=ticket.pk)
    ).count()


# --- issuing tickets ---------------------------------------------------------------------------


def _seq_next(zone_id: int, day: dt.date) -> int:
    """The next number of the zone today. The UPDATE holds the row lock until the commit, so
    the value read back is ours alone; the day's first ticket creates the row."""
    counter = TicketSequence.objects.filter(zone_id=zone_id, day=day)
    if not counter.update(last=F("last") + 1):
        try:
            with transaction.atomic():
                TicketSequence.objects.create(zone_id=zone_id, day=day, last=1)
                return 1
        except IntegrityError:  # another kiosk created today's counter first
            counter.update(last=F("last") + 1)
    return counter.values_list("last", flat=True).get()


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


@transaction.atomic
def ticket_issue(
    *,
    hall_id: int,
    zone_id: int,
    source: str,
    resident_id: str = "",
    phone: str = "",
    green: str = "",
    appointment: Appointment | None = None,
    actor_label: str = "",
    now: dt.datetime | None = None,
) -> tuple[Ticket, bool]:
    """Takes a ticket with a resident ID or a phone number. Returns (ticket, created).

    A person (or phone) already waiting in that zone today gets the same ticket back: a double
    tap at the kiosk never makes two. The elderly (65 and over by their ID) get the green channel
    without asking; staff may grant it for other reasons (残疾人, 军人, 重点项目 …).
    """
    from banhao.registry.api import person_by_resident_id

    now = _now(now)
    hall = org.hall_info(hall_id, windows=False)
    if hall is None:
        raise ValidationError("没有这个大厅。")
    zone = hall.zone(int(zone_id)) if str(zone_id).isdigit() else None
    if zone is None or not zone.takes_tickets:
        raise ValidationError("请选择要办理的业务。")
    if source not in Ticket.Source.values:
        raise ValidationError("取号方式无效。")
    if green and green not in Green.values:
        raise ValidationError("绿色通道类别无效。")
    resident_id = (resident_id or "").strip()
    if resident_id:
        try:
            resident_id = normalize_resident_id(resident_id)
        except ValidationError:
            raise ValidationError("身份证号码有误，请核对后重新输入。") from None
    phone = normalize_mobile(phone)
    if not resident_id and not phone:
        raise ValidationError("请刷身份证、输入身份证号码或手机号码后取号。")
    if appointment is None and not is_open(hall, now):
        raise ValidationError(closed_message(hall))
    day = now.date()
    person = person_by_resident_id(resident_id) if resident_id else None
    if not phone and person is not None:
        phone = person.phone
    same = Ticket.objects.select_for_update().filter(zone_id=zone.id, day=day, status=S.WAITING)
    if person is not None:
        existing = same.filter(person_id=person.id)
    elif resident_id:
        # The full number decides, through its keyed digest: two people can share a mask.
        existing = same.filter(person__isnull=True, id_digest=resident_id_digest(resident_id))
    else:
        existing = same.filter(person__isnull=True, id_masked="", phone=phone)
    found = existing.order_by("id").first()
    if found is not None and appointment is None:
        return found, False
    if not green and resident_id and _age(resident_id_birth_date(resident_id), day) >= GREEN_AGE:
        green = Green.ELDERLY
    seq = _seq_next(zone.id, day)
    ticket = Ticket.objects.create(
        hall_id=hall.id,
        zone_id=zone.id,
        issued_zone_id=zone.id,
        day=day,
        seq=seq,
        number=f"{zone.letter}{seq:03d}",
        source=source,
        green=green,
        person_id=person.id if person else None,
        phone=phone,
        id_masked=mask_resident_id(resident_id) if resident_id else "",
        id_digest=resident_id_digest(resident_id),
        appointment_at=(
            timezone.make_aware(dt.datetime.combine(appointment.day, appointment.start))
            if appointment
            else None
        ),
        issued_at=now,
    )
    _event(
        E.ISSUE,
        at=now,
        ticket=ticket,
        actor_label=actor_label or ticket.get_source_display(),
        data={"green": green} if green else {},
    )
    ahead = people_ahead(ticket, now)
    _sms(
        phone,
        f"您已在{hall.name}领取{ticket.number}号（{zone.name}），前方等待{ahead}人。请留意叫号，过号需重新取号。",
    )
    return ticket, True


# --- windows at work ---------------------------------------------------------------------------


def _window(window_id: int) -> org.WindowInfo:
    window = org.window_info(window_id, departments=False)
    if window is None or not window.active:
        raise ValidationError("该窗口未启用。")
    return window


def _desk(window_id: int) -> Desk:
    """The window's Desk row, locked for the rest of the transaction (made on first use)."""
    desk = Desk.objects.select_for_update().filter(window_id=window_id).first()
    if desk is not None:
        return desk
    try:
        with transaction.atomic():
            Desk.objects.create(window_id=window_id)
    except IntegrityError:  # another request made it first
        pass
    return Desk.objects.select_for_update().get(window_id=window_id)


@transaction.atomic
def desk_sign_in(*, window_id: int, staff_id: int, actor_label: str = "", now=None) -> Desk:
    """The clerk opens the workstation: the window is theirs today. A sign-in event is written
    when the clerk changes or on the desk's first use of the day (opening the page again later
    the same day changes nothing)."""
    now = _now(now)
    window = _window(window_id)
    desk = _desk(window_id)
    if desk.clerk_id == staff_id and timezone.localtime(desk.updated_at).date() == now.date():
        return desk
    before = desk.clerk_id
    desk.clerk_id = staff_id
    desk.save(update_fields=["clerk", "updated_at"])
    _event(
        E.SIGN_IN,
        at=now,
        hall_id=window.hall_id,
        window_id=window_id,
        clerk_id=staff_id,
        actor_label=actor_label,
        data={"window": window.number, **({"replaces": before} if before and before != staff_id else {})},
    )
    return desk


@transaction.atomic
def desk_pause(*, window_id: int, staff_id: int, paused: bool, actor_label: str = "", now=None) -> Desk:
    """暂停 / 恢复: a paused window calls nobody. Pausing a paused window (or resuming an open
    one) is refused by the desk's life cycle and changes nothing."""
    from banhao.core.audit import audit_record

    now = _now(now)
    window = _window(window_id)
    desk = _desk(window_id)
    action = "pause" if paused else "resume"
    states.DESK.target(desk.state, action)  # refuses before anything else is checked
    if paused and desk.current_id:
        raise ValidationError("请先办结或过号当前的号码，再暂停服务。")
    before = desk.state
    states.move(desk, action, clerk_id=staff_id, updated_at=now)
    _event(
        E.PAUSE if paused else E.RESUME,
        at=now,
        hall_id=window.hall_id,
        window_id=window_id,
        clerk_id=staff_id,
        actor_label=actor_label,
        data={"window": window.number},
    )
    audit_record(
        actor=actor_label or "窗口",
        obj=desk,
        action=f"hall.desk_{action}",
        before={"state": before},
        after={"state": desk.state},
    )
    return desk


def _current(desk: Desk) -> Ticket:
    if not desk.current_id:
        raise ValidationError("当前没有正在办理的号码，请先呼叫。")
    return Ticket.objects.select_for_update().get(pk=desk.current_id)


@transaction.atomic
def ticket_call_next(
    *, window_id: int, staff_id: int | None, actor_label: str = "", now: dt.datetime | None = None
) -> Ticket | None:
    """Calls the best waiting ticket this window may serve; None when nobody waits.

    The best is: a ticket transferred to this very window, then the green channel, then
    appointments whose slot has begun, then by waiting time. Atomic under concurrent calls
    from many windows: no ticket is called twice and none is passed over (see the module note).
    """
    now = _now(now)
    window = _window(window_id)
    desk = _desk(window_id)
    if desk.state == Desk.State.PAUSED:
        raise ValidationError("窗口已暂停服务，请先恢复叫号。")
    if desk.current_id:
        current = Ticket.objects.only("number").get(pk=desk.current_id)
        raise ValidationError(f"请先办结、过号或转移当前的{current.number}号，再呼叫下一位。")
    base = Ticket.objects.filter(hall_id=window.hall_id, day=now.date(), status=S.WAITING).filter(
        Q(target_window_id=window.id) | Q(target_window__isnull=True, zone_id__in=window.served_zone_ids)
    )
    order = ranked(base, now).annotate(
        mine=When_(
            When(target_window_id=window.id, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    )
    for _attempt in range(10):
        candidate = (
            order.select_for_update(skip_locked=True, of=("self",))
            .order_by("mine", *ORDER)
            .values_list("pk", flat=True)
            .first()
        )
        if candidate is None:
            return None
        claimed = states.claim(
            Ticket,
            candidate,
            S.WAITING,
            "call",
            window_id=window.id,
            clerk_id=staff_id,
            called_at=now,
            first_called_at=Coalesce(F("first_called_at"), Value(now)),
            target_window=None,
            updated_at=now,
        )
        if claimed:
            break
    else:  # pragma: no cover - only under extreme contention on a database without SKIP LOCKED
        raise ValidationError("叫号繁忙，请重试。")
    ticket = Ticket.objects.get(pk=candidate)
    desk.current_id = ticket.pk
    desk.clerk_id = staff_id
    desk.save(update_fields=["current", "clerk", "updated_at"])
    _event(
        E.CALL,
        at=now,
        ticket=ticket,
        window_id=window.id,
        clerk_id=staff_id,
        actor_label=actor_label,
        data={"window": window.number},
    )
    _sms(ticket.phone, f"请{ticket.number}到{window.number}号窗口办理。")
    return ticket


@transaction.atomic
def ticket_recall(*, window_id: int, staff_id: int | None, actor_label: str = "", now=None) -> Ticket:
    now = _now(now)
    window = _window(window_id)
    ticket = _current(_desk(window_id))
    states.move(ticket, "recall", recalls=F("recalls") + 1, called_at=now, updated_at=now)
    _event(
        E.RECALL,
        at=now,
        ticket=ticket,
        window_id=window.id,
        clerk_id=staff_id,
        actor_label=actor_label,
        data={"window": window.number},
    )
    return ticket


def _release(desk: Desk) -> None:
    desk.current_id = None
    desk.save(update_fields=["current", "updated_at"])


def _close_current(desk: Desk, action: str, now: dt.datetime) -> Ticket:
    """Ends the desk's current ticket by ``action`` (skip → 过号, finish → 办结) and frees the desk."""
    ticket = _current(desk)
    states.move(ticket, action, finished_at=now, updated_at=now)
    desk.current_id = None
    return ticket


@transaction.atomic
def ticket_skip(*, window_id: int, staff_id: int | None, actor_label: str = "", now=None) -> Ticket:
    """过号: the person did not come; the ticket is closed (a missed number needs a new ticket)."""
    now = _now(now)
    desk = _desk(window_id)
    ticket = _close_current(desk, "skip", now)
    desk.save(update_fields=["current", "updated_at"])
    _event(
        E.SKIP,
        at=now,
        ticket=ticket,
        window_id=window_id,
        clerk_id=staff_id,
        actor_label=actor_label,
    )
    return ticket


@transaction.atomic
def ticket_transfer(
    *,
    window_id: int,
    staff_id: int | None,
    to_zone_id: int | None = None,
    to_window_id: int | None = None,
    reason: str = "",
    actor_label: str = "",
    now=None,
) -> Ticket:
    """转移: back to the queue of another zone, or to one named window; it keeps its place."""
    now = _now(now)
    window = _window(window_id)
    hall = org.hall_info(window.hall_id)
    desk = _desk(window_id)
    ticket = _current(desk)
    target_window = hall.window(int(to_window_id)) if to_window_id else None
    target_zone = hall.zone(int(to_zone_id)) if to_zone_id else None
    if to_window_id and (target_window is None or not target_window.active):
        raise ValidationError("请选择本大厅在用的窗口。")
    if to_zone_id and (target_zone is None or not target_zone.takes_tickets):
        raise ValidationError("请选择本大厅可取号的功能区。")
    if target_window is None and target_zone is None:
        raise ValidationError("请选择转移到的功能区或窗口。")
    if target_window is not None and target_window.id == window.id:
        raise ValidationError("不能转移到本窗口。")
    zone_id = target_window.zone_id if target_window else target_zone.id
    from_zone_id = ticket.zone_id
    states.move(
        ticket,
        "transfer",
        zone_id=zone_id,
        target_window_id=target_window.id if target_window else None,
        window=None,
        clerk=None,
        updated_at=now,
    )
    _release(desk)
    to = target_window.label if target_window else target_zone.name
    _event(
        E.TRANSFER,
        at=now,
        ticket=ticket,
        window_id=window_id,
        clerk_id=staff_id,
        actor_label=actor_label,
        data={
            "to": to,
            "from_zone": from_zone_id,
            "to_zone": zone_id,
            "to_window": target_window.id if target_window else None,
            "reason": reason.strip()[:200],
        },
    )
    return ticket


@transaction.atomic
def ticket_finish(*, window_id: int, staff_id: int | None, actor_label: str = "", now=None) -> Ticket:
    """办结: the service is over. The desk remembers the visit as the one it finished last
    (the fact the window's rating pad reads through banhao.hall.api)."""
    now = _now(now)
    desk = _desk(window_id)
    ticket = _close_current(desk, "finish", now)
    desk.last_finished_id = ticket.pk
    desk.last_finished_at = now
    desk.save(update_fields=["current", "last_finished", "last_finished_at", "updated_at"])
    cases = list(ticket.cases.values_list("case_id", flat=True))
    _event(
        E.FINISH,
        at=now,
        ticket=ticket,
        window_id=window_id,
        clerk_id=staff_id,
        actor_label=actor_label,
        data={"cases": cases} if cases else {},
    )
    return ticket


@transaction.atomic
def ticket_link_case(*, ticket_id: int, case_id: int) -> None:
    TicketCase.objects.get_or_create(ticket_id=ticket_id, case_id=case_id)


@transaction.atomic
def ticket_accept_application(*, actor, window_id: int, ticket_id: int, result, idempotency_key: str, **case):
    """前台综合受理 for the ticket the window is serving: the case and its outcome (cases.api
    ``case_open`` through acceptance_form) and the link to the ticket, in one
    transaction. Every item handed in on one visit (one ticket) joins the visit's case group, so
    the visit has one number and one delivery. Refused when the ticket was finished or
    transferred meanwhile (the desk row is locked while we check). ``case`` carries
    implementation_id, hall_region_id, person_id and organization_id."""
    from banhao.cases.api import case_group_open, case_info

    from .acceptance_form import acceptance_case_open

    desk = _desk(window_id)
    ticket = Ticket.objects.filter(pk=ticket_id, status=S.SERVING).first()
    if desk.current_id != ticket_id or ticket is None:
        raise ValidationError("当前办理的号码已办结或已转移，不能再为其受理。请回到叫号页面。")
    group = None
    for case_id in TicketCase.objects.filter(ticket_id=ticket_id).values_list("case_id", flat=True):
        linked = case_info(case_id)
        if linked is not None and linked.group_id:
            group = linked.group_id
            break
    if group is None:
        hall = org.hall_info(ticket.hall_id, windows=False)
        group = case_group_open(
            actor=actor,
            region_code=hall.region_code,
            title=f"{hall.name} {ticket.number}号",
            person_id=case.get("person_id"),
            channel="window",
        ).id
    made = acceptance_case_open(
        actor=actor, result=result, idempotency_key=idempotency_key, group=group, **case
    )
    ticket_link_case(ticket_id=ticket_id, case_id=made.id)
    return made


# --- appointments ------------------------------------------------------------------------------

BOOK_AHEAD_WORKDAYS = 10


def slot_starts(hall: org.HallInfo) -> list[tuple[dt.time, dt.time]]:
    """The day's slots: (start, end) through the morning and the afternoon hours."""
    slots = []
    step = dt.timedelta(minutes=hall.slot_minutes)
    for begin, end in ((hall.am_open, hall.am_close), (hall.pm_open, hall.pm_close)):
        t = dt.datetime.combine(dt.date(2000, 1, 3), begin)
        stop = dt.datetime.combine(dt.date(2000, 1, 3), end)
        while t + step <= stop:
            slots.append((t.time(), (t + step).time()))
            t += step
    return slots


def bookable_days(
    now: dt.datetime | None = None, count: int = BOOK_AHEAD_WORKDAYS, *, hall: org.HallInfo | None = None
) -> list[dt.date]:
    """Today (if a working day, and the hall's last slot has not begun) and the next working
    days, per the working-day calendar."""
    now = _now(now)
    days, d = [], now.date()
    if hall is not None and slot_starts(hall) and now.time() >= slot_starts(hall)[-1][0]:
        d += dt.timedelta(days=1)  # nothing left to book today
    while len(days) < count and d <= now.date() + dt.timedelta(days=60):
        if is_workday(d):
            days.append(d)
        d += dt.timedelta(days=1)
    return days


def slots_for(hall: org.HallInfo, zone: org.ZoneInfo, day: dt.date, now=None) -> list[dict]:
    """Every slot of the day with its capacity, bookings left, and whether it can be booked."""
    now = _now(now)
    booked = dict(AppointmentSlot.objects.filter(zone_id=zone.id, day=day).values_list("start", "booked"))
    working = is_workday(day)
    out = []
    for start, end in slot_starts(hall):
        taken = booked.get(start, 0)
        begins = timezone.make_aware(dt.datetime.combine(day, start))
        left = max(zone.slot_capacity - taken, 0)
        out.append(
            {
                "start": start,
                "end": end,
                "capacity": zone.slot_capacity,
                "left": left,
                "open": working and zone.bookable and begins > now and left > 0,
            }
        )
    return out


def _check_slot(hall: org.HallInfo, zone: org.ZoneInfo | None, day: dt.date, start: dt.time, now) -> dt.time:
    if zone is None or not zone.bookable:
        raise ValidationError("该功能区不接受预约，请选择其他业务。")
    if not is_workday(day):
        raise ValidationError(f"{day:%Y年%-m月%-d日}是非工作日，大厅不办公，请选择工作日。")
    if day not in bookable_days(now, hall=hall):
        raise ValidationError(f"只能预约今天起{BOOK_AHEAD_WORKDAYS}个工作日内的时段。")
    ends = dict(slot_starts(hall))
    if start not in ends:
        raise ValidationError("请选择大厅办公时间内的预约时段。")
    if timezone.make_aware(dt.datetime.combine(day, start)) <= now:
        raise ValidationError("该时段已开始或已过，请选择之后的时段。")
    return ends[start]


def _reserve(zone: org.ZoneInfo, day: dt.date, start: dt.time) -> None:
    try:
        with transaction.atomic():
            AppointmentSlot.objects.get_or_create(zone_id=zone.id, day=day, start=start)
    except IntegrityError:
        pass
    got = AppointmentSlot.objects.filter(
        zone_id=zone.id, day=day, start=start, booked__lt=zone.slot_capacity
    ).update(booked=F("booked") + 1)
    if not got:
        raise ValidationError("该时段已约满，请选择其他时段。")


def _release_slot(zone_id: int, day: dt.date, start: dt.time) -> None:
    AppointmentSlot.objects.filter(zone_id=zone_id, day=day, start=start, booked__gt=0).update(
        booked=F("booked") - 1
    )


@transaction.atomic
def appointment_book(
    *,
    user,
    person_id: int,
    phone: str,
    hall_id: int,
    zone_id: int,
    day: dt.date,
    start: dt.time,
    implementation_id: int | None = None,
    item_name: str = "",
    now=None,
) -> Appointment:
    from banhao.core.audit import audit_record

    now = _now(now)
    hall = org.hall_info(hall_id)
    if hall is None:
        raise ValidationError("请选择大厅。")
    zone = hall.zone(int(zone_id))
    end = _check_slot(hall, zone, day, start, now)
    phone = normalize_mobile(phone)
    if not phone:
        raise ValidationError("请填写手机号码，用于接收预约短信。")
    if Appointment.objects.filter(
        person_id=person_id, zone_id=zone.id, day=day, status=Appointment.Status.BOOKED
    ).exists():
        raise ValidationError("您当天在该功能区已有预约，可改约或取消后再约。")
    _reserve(zone, day, start)
    appt = Appointment(
        code=_code(),
        hall_id=hall.id,
        zone_id=zone.id,
        implementation_id=implementation_id,
        item_name=item_name[:200],
        user=user,
        person_id=person_id,
        phone=phone,
        day=day,
        start=start,
        end=end,
    )
    try:
        with transaction.atomic():
            appt.save()
    except IntegrityError:  # a double click: the same person, zone and day booked at once
        raise ValidationError("您当天在该功能区已有预约，可改约或取消后再约。") from None
    audit_record(
        actor=user,
        obj=appt,
        action="hall.appointment_book",
        after={"day": day.isoformat(), "start": start.strftime("%H:%M"), "zone": zone.name},
    )
    _event(
        E.BOOK,
        at=now,
        appointment=appt,
        actor_label="预约人",
        data={"zone": zone.id, "day": day.isoformat(), "start": start.strftime("%H:%M")},
    )
    _sms(
        phone,
        f"您已预约{hall.name} {day:%-m月%-d日} {start:%H:%M}—{end:%H:%M}（{zone.name}），"
        f"预约码{appt.code}。请按时到大厅取号机签到，爽约将被记录。",
    )
    return appt


def _code() -> str:
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    while True:
        code = "".join(secrets.choice(alphabet) for _ in range(8))
        if not Appointment.objects.filter(code=code).exists():
            return code


def appointment_begins(appt: Appointment) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(appt.day, appt.start))


def appointment_changeable(appt: Appointment, now: dt.datetime | None = None) -> bool:
    """A booking may be cancelled or moved while it is booked and its slot has not begun."""
    return appt.status == Appointment.Status.BOOKED and appointment_begins(appt) > _now(now)


def _own(appt: Appointment, user, action: str) -> Appointment:
    locked = Appointment.objects.select_for_update().get(pk=appt.pk)
    if user is not None and locked.user_id != user.pk:
        raise ValidationError("只能变更本人的预约。")
    states.APPOINTMENT.target(locked.status, action)  # e.g. 预约当前状态为“已签到”，不能“取消预约”。
    return locked


@transaction.atomic
def appointment_cancel(*, user, appointment: Appointment, now=None) -> Appointment:
    from banhao.core.audit import audit_record

    now = _now(now)
    appt = _own(appointment, user, "cancel")
    if not appointment_changeable(appt, now):
        raise ValidationError("预约时段已开始，不能取消。")
    states.move(appt, "cancel", changed_at=now)
    _release_slot(appt.zone_id, appt.day, appt.start)
    _event(
        E.CANCEL,
        at=now,
        appointment=appt,
        actor_label="预约人",
        data={"day": appt.day.isoformat(), "start": appt.start.strftime("%H:%M")},
    )
    audit_record(
        actor=user,
        obj=appt,
        action="hall.appointment_cancel",
        before={"status": "booked"},
        after={"status": "cancelled"},
    )
    return appt


@transaction.atomic
def appointment_reschedule(
    *, user, appointment: Appointment, day: dt.date, start: dt.time, now=None
) -> Appointment:
    from banhao.core.audit import audit_record

    now = _now(now)
    appt = _own(appointment, user, "reschedule")
    if not appointment_changeable(appt, now):
        raise ValidationError("预约时段已开始，不能改约。")
    if (day, start) == (appt.day, appt.start):
        return appt
    hall = org.hall_info(appt.hall_id)
    zone = hall.zone(appt.zone_id)
    end = _check_slot(hall, zone, day, start, now)
    if (
        day != appt.day
        and Appointment.objects.filter(
            person_id=appt.person_id, zone_id=appt.zone_id, day=day, status=Appointment.Status.BOOKED
        ).exists()
    ):
        raise ValidationError("您在该日期已有同一功能区的预约。")
    _reserve(zone, day, start)
    _release_slot(appt.zone_id, appt.day, appt.start)
    before = {"day": appt.day.isoformat(), "start": appt.start.strftime("%H:%M")}
    states.move(appt, "reschedule", day=day, start=start, end=end, changed_at=now)
    _event(
        E.RESCHEDULE,
        at=now,
        appointment=appt,
        actor_label="预约人",
        data={"from": before, "day": day.isoformat(), "start": start.strftime("%H:%M")},
    )
    audit_record(
        actor=user,
        obj=appt,
        action="hall.appointment_reschedule",
        before=before,
        after={"day": day.isoformat(), "start": start.strftime("%H:%M")},
    )
    _sms(
        appt.phone,
        f"您在{hall.name}的预约已改到{day:%-m月%-d日} {start:%H:%M}—{end:%H:%M}（{zone.name}），预约码{appt.code}。",
    )
    return appt


CHECK_IN_EARLY = dt.timedelta(minutes=60)


@transaction.atomic
def appointment_check_in(*, hall_id: int, code: str = "", resident_id: str = "", now=None) -> Ticket:
    """At the hall: the booking (by its code, or by the person's ID today) becomes a ticket
    that is called first once its slot begins. Up to an hour early, and until the slot ends."""
    from banhao.registry.api import person_by_resident_id

    now = _now(now)
    qs = Appointment.objects.select_for_update().filter(hall_id=hall_id, day=now.date())
    code = (code or "").strip().upper()
    if code:
        appts = list(qs.filter(code=code))
    elif resident_id:
        try:
            rid = normalize_resident_id(resident_id)
        except ValidationError:
            raise ValidationError("身份证号码有误，请核对后重新输入。") from None
        person = person_by_resident_id(rid)
        appts = list(qs.filter(person_id=person.id).order_by("start")) if person else []
    else:
        raise ValidationError("请输入预约码或身份证号码。")
    appts = [a for a in appts if a.status == Appointment.Status.BOOKED]
    if not appts:
        raise ValidationError("没有找到您今天在本大厅的有效预约，请直接取号。")
    appt = appts[0]
    begins = appointment_begins(appt)
    ends = timezone.make_aware(dt.datetime.combine(appt.day, appt.end))
    if now < begins - CHECK_IN_EARLY:
        raise ValidationError(f"您的预约时段为{appt.start:%H:%M}—{appt.end:%H:%M}，请于开始前1小时内签到。")
    if now >= ends:
        raise ValidationError("您的预约时段已过，请直接取号。")
    from banhao.registry.api import person_by_id

    person = person_by_id(appt.person_id)
    ticket, _ = ticket_issue(
        hall_id=hall_id,
        zone_id=appt.zone_id,
        source=Ticket.Source.APPOINTMENT,
        resident_id=person.resident_id if person else "",
        phone=appt.phone,
        appointment=appt,
        actor_label="预约签到",
        now=now,
    )
    states.move(appt, "check_in", ticket=ticket, changed_at=now)
    _event(
        E.CHECK_IN,
        at=now,
        appointment=appt,
        ticket=ticket,
        actor_label="预约签到",
        data={"number": ticket.number, "early_s": max(0, int((begins - now).total_seconds()))},
    )
    return ticket


@transaction.atomic
def appointment_mark_no_shows(now=None) -> int:
    """Bookings whose slot has ended without a check-in become 爽约 (recorded, not deleted),
    each with a no-show event. Running it again changes nothing."""
    now = _now(now)
    today = now.date()
    over = Appointment.objects.filter(Q(day__lt=today) | Q(day=today, end__lte=now.time()))
    ids = states.move_all(over, "no_show", changed_at=now)
    HallEvent.objects.bulk_create(
        HallEvent(
            hall_id=hall_id,
            action=E.NO_SHOW,
            appointment_id=pk,
            actor_label="系统",
            at=now,
            data={"day": day.isoformat(), "start": start.strftime("%H:%M")},
        )
        for pk, hall_id, day, start in Appointment.objects.filter(pk__in=ids).values_list(
            "pk", "hall_id", "day", "start"
        )
    )
    return len(ids)


# --- unified pickup (统一出件) ---------------------------------------------------------------------


@transaction.atomic
def pickup_hand_over(
    *, actor, staff_id: int, window_id: int, case_id: int, collector, ticket_id: int | None = None
) -> Handover:
    """Delivers and concludes the case and records who collected it, all or nothing.

    ``collector`` is a cases.api ``Collector`` (name, masked ID, keyed digest, relation, note),
    made by ``pickup_collector`` after the ID check.

    Raises ValidationError (in Chinese) when the case is no longer ready for pickup or was
    handed over meanwhile.
    """
    from banhao.cases.api import pickup_hand_over as cases_hand_over

    cases_hand_over(actor=actor, case_id=case_id)  # locks the case; refuses a second delivery
    try:
        with transaction.atomic():
            record = Handover.objects.create(
                case_id=case_id,
                window_id=window_id,
                clerk_id=staff_id,
                ticket_id=ticket_id,
                collector_name=collector.name,
                collector_id_masked=collector.id_masked,
                collector_id_sha256=collector.id_sha256,
                relation=collector.relation,
                proxy_note=collector.proxy_note,
            )
    except IntegrityError:
        raise ValidationError("该办件已出件，不能重复出件。") from None
    if ticket_id is not None:
        ticket_link_case(ticket_id=ticket_id, case_id=case_id)
    return record
