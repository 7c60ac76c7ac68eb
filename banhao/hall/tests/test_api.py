"""The facts other apps read of the hall (banhao.hall.api)."""

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone

import banhao.org.api as org
from banhao.hall import api, selectors, services
from banhao.hall.tests.factories import AppointmentFactory, TicketFactory, next_working_day
from banhao.hall.tests.test_stats import day, today_at  # noqa: F401  (the scripted day)


def test_a_finished_ticket_is_a_fact_with_window_clerk_time_and_cases(hall, make_staff, make_case):
    clerk = make_staff("window_clerk", region="lanshan", hall=hall["hall"], window=hall["windows"][2]).staff
    t = TicketFactory(hall, called=True, window=2, staff_id=clerk.pk)
    assert api.ticket_finished(t.pk) is None  # not finished yet
    case = make_case()
    services.ticket_link_case(ticket_id=t.pk, case_id=case.pk)
    services.ticket_finish(window_id=hall["windows"][2].pk, staff_id=clerk.pk)
    fact = api.ticket_finished(t.pk)
    assert fact == api.TicketFinished(
        ticket_id=t.pk,
        number="A001",
        hall_id=hall["hall"].pk,
        window_id=hall["windows"][2].pk,
        clerk_id=clerk.pk,
        finished_at=fact.finished_at,
        case_ids=(case.pk,),
    )
    assert abs((timezone.now() - fact.finished_at).total_seconds()) < 60
    with pytest.raises(dataclasses.FrozenInstanceError):
        fact.number = "X"  # facts are frozen


def test_the_finished_facts_of_a_day_by_window_and_by_clerk(hall, day):  # noqa: F811
    h = hall["hall"].pk
    facts = api.ticket_finished_facts(hall_id=h, day=timezone.localdate())
    assert [f.number for f in facts] == ["A001", "A002"]
    assert [f.finished_at for f in facts] == [today_at(9, 12), today_at(9, 14)]
    by_window = api.ticket_finished_facts(
        hall_id=h, day=timezone.localdate(), window_id=hall["windows"][2].pk
    )
    assert [f.number for f in by_window] == ["A002"]
    by_clerk = api.ticket_finished_facts(hall_id=h, day=timezone.localdate(), clerk_id=day["one"].pk)
    assert [f.number for f in by_clerk] == ["A001"]
    assert api.ticket_finished_facts(hall_id=h, day=timezone.localdate() - dt.timedelta(days=1)) == []
    assert [f.number for f in api.ticket_finished_facts(hall_id=h, since=today_at(9, 13))] == ["A002"]


def test_the_window_desk_tells_its_clerk_pause_current_and_last_finished(hall, make_staff):
    w = hall["windows"][1]
    assert api.window_desk(w.pk) is None  # never opened
    clerk = make_staff("window_clerk", region="lanshan", hall=hall["hall"], window=w).staff
    done = TicketFactory(hall, finished=True, window=1, staff_id=clerk.pk)
    serving = TicketFactory(hall, called=True, window=1, staff_id=clerk.pk)
    desk = api.window_desk(w.pk)
    assert (desk.window_id, desk.clerk_id, desk.paused, desk.serving_ticket_id) == (
        w.pk,
        clerk.pk,
        False,
        serving.pk,
    )
    assert desk.last_finished == api.ticket_finished(done.pk)
    services.ticket_finish(window_id=w.pk, staff_id=clerk.pk)
    services.desk_pause(window_id=w.pk, staff_id=clerk.pk, paused=True)
    desk = api.window_desk(w.pk)
    assert desk.paused and desk.serving_ticket_id is None and desk.last_finished.ticket_id == serving.pk


def test_the_day_figures_from_the_events_agree_with_the_live_statistics(hall, day):  # noqa: F811
    figures = api.hall_day_figures(hall["hall"].pk, timezone.localdate())
    live = selectors.hall_stats(org.hall_info(hall["hall"].pk), timezone.localdate())["total"]
    assert (figures.issued, figures.finished, figures.skipped) == (live.issued, live.done, live.no_show)
    assert (figures.issued, figures.called, figures.finished, figures.skipped, figures.transferred) == (
        4,
        3,
        2,
        1,
        0,
    )
    assert figures.avg_wait_s == live.avg_wait_s == 180  # (2 + 4 + 3) min / 3
    assert figures.max_wait_s == 240
    assert figures.avg_service_s == live.avg_service_s == 450  # (10 + 5) min / 2


def test_a_transferred_ticket_keeps_its_first_wait_and_counts_one_transfer(hall):
    h = hall["hall"].pk
    services.ticket_issue(
        hall_id=h, zone_id=hall["zones"]["A"].pk, source="kiosk", phone="13800000001", now=today_at(9, 0)
    )
    services.ticket_call_next(window_id=hall["windows"][1].pk, staff_id=None, now=today_at(9, 10))
    services.ticket_transfer(
        window_id=hall["windows"][1].pk,
        staff_id=None,
        to_window_id=hall["windows"][3].pk,
        now=today_at(9, 12),
    )
    services.ticket_call_next(window_id=hall["windows"][3].pk, staff_id=None, now=today_at(9, 20))
    services.ticket_finish(window_id=hall["windows"][3].pk, staff_id=None, now=today_at(9, 30))
    figures = api.hall_day_figures(h, timezone.localdate())
    assert (figures.issued, figures.called, figures.finished, figures.transferred) == (1, 1, 1, 1)
    assert (figures.avg_wait_s, figures.avg_service_s) == (600, 1200)


def test_the_day_figures_count_appointments_checked_in_no_shows_and_cancellations(hall):
    d = next_working_day()
    AppointmentFactory(hall, day=d, start="15:00")  # still booked
    AppointmentFactory(hall, day=d, start="09:30", checked_in=True)
    AppointmentFactory(hall, day=d, start="09:00", no_show=True)
    AppointmentFactory(hall, day=d, start="10:00", cancelled=True)
    figures = api.hall_day_figures(hall["hall"].pk, d)
    assert (
        figures.appointments_booked,
        figures.appointments_checked_in,
        figures.appointments_no_show,
        figures.appointments_cancelled,
    ) == (4, 1, 1, 1)
    assert figures.issued == 1  # the check-in's ticket
    other = api.hall_day_figures(hall["hall"].pk, d + dt.timedelta(days=1))
    assert (other.appointments_booked, other.issued) == (0, 0)


def test_events_after_a_cursor(hall):
    TicketFactory(hall, finished=True)
    everything = api.hall_events_after(hall["hall"].pk)
    assert [e.action for e in everything] == ["issue", "call", "finish"]
    assert everything[1].action_label == "呼叫"
    assert [e.action for e in api.hall_events_after(hall["hall"].pk, everything[0].id)] == ["call", "finish"]
    assert [e.id for e in api.hall_events_after(hall["hall"].pk, actions=["finish"])] == [everything[2].id]
