"""Test factories for the hall, with life-cycle traits, built on the real services.

    TicketFactory(hall)                         # waiting (取号 at the kiosk)
    TicketFactory(hall, called=True)            # serving at a free window of its zone
    TicketFactory(hall, finished=True)          # 办结 (called first)
    TicketFactory(hall, skipped=True)           # 过号
    TicketFactory(hall, transferred_to=window)  # called, then transferred to a window or zone
    AppointmentFactory(hall)                    # booked for the next working day, 09:00
    AppointmentFactory(hall, checked_in=True)   # … checked in (it has a ticket)
    AppointmentFactory(hall, cancelled=True) / AppointmentFactory(hall, no_show=True)

``hall`` is the ``hall`` fixture of conftest.py. Nothing here writes a status column: every
trait is reached through hall.services, so a factory-made object carries the events a real
one would. A trait that calls a ticket calls it through the real queue, so the ticket must be
the next in line at the chosen window (the factory checks it).
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from banhao.hall import services
from banhao.hall.models import Appointment, Desk, Ticket

_phones = itertools.count(1)
_people = itertools.count(1)


def next_phone() -> str:
    return f"137{next(_phones):08d}"


def _window_for(hall: dict, zone, window):
    """The window to call at: the one given (a Window or its number), else the first free,
    open window of the hall that serves the ticket's zone."""
    if window is not None:
        return hall["windows"][window] if isinstance(window, int) else window
    for w in hall["windows"].values():
        serves = w.zone_id == zone.pk or w.skills.filter(pk=zone.pk).exists()
        desk = Desk.objects.filter(window=w).first()
        if serves and (desk is None or (desk.current_id is None and desk.state == Desk.State.OPEN)):
            return w
    raise AssertionError(f"TicketFactory: no free window serves zone {zone.letter}")


class TicketFactory:
    """``TicketFactory(hall, **traits) -> Ticket`` (reloaded from the database)."""

    def __new__(
        cls,
        hall: dict,
        *,
        zone: str = "A",
        phone: str | None = None,
        resident_id: str = "",
        green: str = "",
        source: str = "kiosk",
        called: bool = False,
        recalled: int = 0,
        finished: bool = False,
        skipped: bool = False,
        transferred_to=None,
        window=None,
        staff_id: int | None = None,
        now: dt.datetime | None = None,
    ) -> Ticket:
        z = hall["zones"][zone]
        ticket, _created = services.ticket_issue(
            hall_id=hall["hall"].pk,
            zone_id=z.pk,
            source=source,
            resident_id=resident_id,
            phone=phone if phone is not None else ("" if resident_id else next_phone()),
            green=green,
            now=now,
        )
        if not (called or recalled or finished or skipped or transferred_to is not None):
            return ticket
        w = _window_for(hall, z, window)
        common = {"window_id": w.pk, "staff_id": staff_id, "now": now}
        got = services.ticket_call_next(**common)
        if got is None or got.pk != ticket.pk:
            raise AssertionError(f"TicketFactory: window {w.number} called {got} instead of {ticket.number}")
        for _ in range(recalled):
            services.ticket_recall(**common)
        if finished:
            services.ticket_finish(**common)
        elif skipped:
            services.ticket_skip(**common)
        elif transferred_to is not None:
            to = transferred_to
            if getattr(to, "letter", None):  # a zone
                services.ticket_transfer(**common, to_zone_id=to.pk, reason="测试转移")
            else:
                services.ticket_transfer(**common, to_window_id=to.pk, reason="测试转移")
        ticket.refresh_from_db()
        return ticket


def make_applicant(phone: str | None = None):
    """A registered person with an applicant account: (person, user)."""
    from banhao.core.identifiers import make_resident_id
    from banhao.registry import services as registry

    phone = phone or next_phone()
    person = registry.person_register(
        actor="测试",
        name="预约人",
        resident_id=make_resident_id(f"37130219850101{next(_people) % 1000:03d}"),
        phone=phone,
    )
    account = registry.applicant_account_open(actor="测试", person=person, password="Test@Pass2026")
    return person, account.user


def next_working_day() -> dt.date:
    """A bookable working day after today: every slot of it lies ahead."""
    today = timezone.localdate()
    return next(d for d in services.bookable_days() if d > today)


def slot_at(day: dt.date, t: dt.time, minutes: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, t)) + dt.timedelta(minutes=minutes)


class AppointmentFactory:
    """``AppointmentFactory(hall, **traits) -> Appointment`` (reloaded from the database).

    Books ``start`` on ``day`` (default: the next working day, 09:00) for ``person``/``user``
    (default: a new applicant). ``checked_in`` checks in 30 minutes before the slot;
    ``no_show`` runs the real sweep at the end of the slot (which marks every booking whose
    slot has ended by then); ``cancelled`` cancels it now."""

    def __new__(
        cls,
        hall: dict,
        *,
        zone: str = "A",
        person=None,
        user=None,
        day: dt.date | None = None,
        start: str = "09:00",
        checked_in: bool = False,
        cancelled: bool = False,
        no_show: bool = False,
    ) -> Appointment:
        if person is None:
            person, user = make_applicant()
        elif user is None:
            from banhao.registry.models import ApplicantAccount

            user = ApplicantAccount.objects.get(person=person).user
        day = day or next_working_day()
        begins = dt.time.fromisoformat(start)
        appt = services.appointment_book(
            user=user,
            person_id=person.pk,
            phone=person.phone or next_phone(),
            hall_id=hall["hall"].pk,
            zone_id=hall["zones"][zone].pk,
            day=day,
            start=begins,
        )
        if checked_in:
            services.appointment_check_in(
                hall_id=hall["hall"].pk, code=appt.code, now=slot_at(day, begins, -30)
            )
        elif cancelled:
            services.appointment_cancel(user=user, appointment=appt)
        elif no_show:
            services.appointment_mark_no_shows(timezone.make_aware(dt.datetime.combine(day, appt.end)))
        appt.refresh_from_db()
        return appt
