"""Every change in the hall appends one HallEvent: tickets, appointments and the windows."""

import datetime as dt

from django.utils import timezone

from banhao.hall import services
from banhao.hall.models import Appointment, HallEvent, Ticket
from banhao.hall.tests.factories import AppointmentFactory, TicketFactory, next_working_day, slot_at

E = HallEvent.Action


def actions(**filters) -> list[str]:
    return list(HallEvent.objects.filter(**filters).order_by("id").values_list("action", flat=True))


def test_a_tickets_life_is_told_by_its_events(hall, make_staff):
    clerk = make_staff("window_clerk", region="lanshan", hall=hall["hall"], window=hall["windows"][1]).staff
    w1 = hall["windows"][1]
    t = TicketFactory(hall, recalled=1, finished=True, window=1, staff_id=clerk.pk)
    assert actions(ticket=t) == [E.ISSUE, E.CALL, E.RECALL, E.FINISH]
    finish = HallEvent.objects.get(ticket=t, action=E.FINISH)
    assert (finish.hall_id, finish.window_id, finish.clerk_id) == (hall["hall"].pk, w1.pk, clerk.pk)
    skipped = TicketFactory(hall, skipped=True)
    assert actions(ticket=skipped) == [E.ISSUE, E.CALL, E.SKIP]


def test_a_transfer_records_where_the_ticket_went(hall):
    t = TicketFactory(hall, transferred_to=hall["windows"][3])
    assert actions(ticket=t) == [E.ISSUE, E.CALL, E.TRANSFER]
    data = HallEvent.objects.get(ticket=t, action=E.TRANSFER).data
    assert data["to_window"] == hall["windows"][3].pk
    assert (data["from_zone"], data["to_zone"]) == (hall["zones"]["A"].pk, hall["zones"]["B"].pk)
    to_zone = TicketFactory(hall, transferred_to=hall["zones"]["B"])
    data = HallEvent.objects.get(ticket=to_zone, action=E.TRANSFER).data
    assert data["to_window"] is None and data["to_zone"] == hall["zones"]["B"].pk


def test_booking_rescheduling_and_cancelling_each_write_an_event(hall):
    appt = AppointmentFactory(hall)
    day = appt.day
    services.appointment_reschedule(user=appt.user, appointment=appt, day=day, start=dt.time(10, 0))
    services.appointment_cancel(user=appt.user, appointment=Appointment.objects.get(pk=appt.pk))
    assert actions(appointment=appt) == [E.BOOK, E.RESCHEDULE, E.CANCEL]
    moved = HallEvent.objects.get(appointment=appt, action=E.RESCHEDULE)
    assert moved.data["from"] == {"day": day.isoformat(), "start": "09:00"} and moved.data["start"] == "10:00"
    assert all(e.hall_id == hall["hall"].pk and e.ticket_id is None for e in HallEvent.objects.all())


def test_check_in_writes_an_event_on_the_appointment_and_its_ticket(hall):
    appt = AppointmentFactory(hall, checked_in=True)
    check_in = HallEvent.objects.get(action=E.CHECK_IN)
    assert (check_in.appointment_id, check_in.ticket_id) == (appt.pk, appt.ticket_id)
    assert check_in.data == {"number": appt.ticket.number, "early_s": 1800}
    assert actions(ticket=appt.ticket) == [E.ISSUE, E.CHECK_IN]


def test_each_no_show_gets_its_own_event_and_the_sweep_is_idempotent(hall):
    day = next_working_day()
    a = AppointmentFactory(hall, day=day, start="09:00")
    b = AppointmentFactory(hall, day=day, start="09:30")
    later = AppointmentFactory(hall, day=day, start="15:00")
    assert services.appointment_mark_no_shows(slot_at(day, dt.time(12, 0))) == 2
    assert services.appointment_mark_no_shows(slot_at(day, dt.time(12, 0))) == 0
    no_shows = HallEvent.objects.filter(action=E.NO_SHOW)
    assert sorted(no_shows.values_list("appointment_id", flat=True)) == sorted([a.pk, b.pk])
    assert {e.actor_label for e in no_shows} == {"系统"}
    assert Appointment.objects.get(pk=later.pk).status == "booked"


def test_desk_sign_in_once_a_day_and_on_a_change_of_clerk(hall, make_staff):
    w = hall["windows"][1]
    first = make_staff("window_clerk", region="lanshan", hall=hall["hall"], window=w).staff
    second = make_staff("window_clerk", region="lanshan", hall=hall["hall"], window=w).staff
    services.desk_sign_in(window_id=w.pk, staff_id=first.pk, actor_label=first.name)
    services.desk_sign_in(window_id=w.pk, staff_id=first.pk)  # the page opened again: no change
    assert actions(action=E.SIGN_IN) == [E.SIGN_IN]
    services.desk_sign_in(window_id=w.pk, staff_id=second.pk)
    events = list(HallEvent.objects.filter(action=E.SIGN_IN).order_by("id"))
    assert [(e.window_id, e.clerk_id) for e in events] == [(w.pk, first.pk), (w.pk, second.pk)]
    assert events[0].actor_label == first.name and events[1].data["replaces"] == first.pk
    # the next morning the same clerk signs in again
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    services.desk_sign_in(window_id=w.pk, staff_id=second.pk, now=tomorrow)
    assert HallEvent.objects.filter(action=E.SIGN_IN).count() == 3


def test_pause_and_resume_write_events(hall):
    w = hall["windows"][2]
    services.desk_pause(window_id=w.pk, staff_id=None, paused=True, actor_label="王")
    services.desk_pause(window_id=w.pk, staff_id=None, paused=False, actor_label="王")
    events = list(HallEvent.objects.filter(window=w).order_by("id"))
    assert [(e.action, e.actor_label, e.hall_id) for e in events] == [
        (E.PAUSE, "王", hall["hall"].pk),
        (E.RESUME, "王", hall["hall"].pk),
    ]


def test_every_status_a_service_reached_has_its_event(hall):
    """Nothing changes silently: each ticket's status is the one its last event implies."""
    TicketFactory(hall, called=True)
    TicketFactory(hall, finished=True)
    TicketFactory(hall, skipped=True)
    TicketFactory(hall, transferred_to=hall["zones"]["B"])
    TicketFactory(hall)  # last: a waiting ticket would be called before the next one
    implied = {
        E.ISSUE: "waiting",
        E.CALL: "serving",
        E.FINISH: "done",
        E.SKIP: "no_show",
        E.TRANSFER: "waiting",
    }
    for t in Ticket.objects.all():
        last = HallEvent.objects.filter(ticket=t).order_by("-id").values_list("action", flat=True).first()
        assert implied[last] == t.status
