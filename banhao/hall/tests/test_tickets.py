"""The ticket life cycle: issue, call in the right order, recall, skip, transfer, finish."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from banhao.core.digests import resident_id_digest
from banhao.core.identifiers import make_resident_id
from banhao.hall import services
from banhao.hall.models import Green, HallEvent, Ticket

T0 = timezone.make_aware(dt.datetime(2026, 11, 24, 9, 0))  # a Tuesday, a working day


def at(minutes):
    return T0 + dt.timedelta(minutes=minutes)


def issue(hall, letter="A", phone="", rid="", minutes=0, **kw):
    ticket, _ = services.ticket_issue(
        hall_id=hall["hall"].pk,
        zone_id=hall["zones"][letter].pk,
        source="kiosk",
        phone=phone,
        resident_id=rid,
        now=at(minutes),
        **kw,
    )
    return ticket


def call(hall, number, minutes=0, staff=None):
    return services.ticket_call_next(window_id=hall["windows"][number].pk, staff_id=staff, now=at(minutes))


@pytest.fixture
def clerk(make_staff, hall):
    return make_staff("window_clerk", region="lanshan", hall=hall["hall"], window=hall["windows"][1]).staff


def test_numbers_run_per_zone_and_restart_the_next_day(hall):
    a1 = issue(hall, "A", phone="13800000001")
    a2 = issue(hall, "A", phone="13800000002")
    b1 = issue(hall, "B", phone="13800000003")
    assert [a1.number, a2.number, b1.number] == ["A001", "A002", "B001"]
    next_day = services.ticket_issue(
        hall_id=hall["hall"].pk,
        zone_id=hall["zones"]["A"].pk,
        source="kiosk",
        phone="13800000009",
        now=at(24 * 60),
    )[0]
    assert next_day.number == "A001" and next_day.day == dt.date(2026, 11, 25)


def test_a_double_tap_gives_the_same_ticket(hall):
    first = issue(hall, phone="13800000001")
    again, created = services.ticket_issue(
        hall_id=hall["hall"].pk,
        zone_id=hall["zones"]["A"].pk,
        source="kiosk",
        phone="138 0000 0001",
        now=at(1),
    )
    assert again.pk == first.pk and not created
    assert Ticket.objects.count() == 1


def test_two_people_whose_masked_ids_and_phone_agree_get_two_tickets(hall):
    # Both mask as 3713**********1115; neither is in the registry; the same phone typed.
    first, created_first = services.ticket_issue(
        hall_id=hall["hall"].pk,
        zone_id=hall["zones"]["A"].pk,
        source="kiosk",
        resident_id="371302198005051115",
        phone="13800000001",
        now=at(0),
    )
    second, created_second = services.ticket_issue(
        hall_id=hall["hall"].pk,
        zone_id=hall["zones"]["A"].pk,
        source="kiosk",
        resident_id="371311196807071115",
        phone="13800000001",
        now=at(1),
    )
    assert first.id_masked == second.id_masked == "3713**********1115"
    assert created_first and created_second
    assert first.pk != second.pk and [first.number, second.number] == ["A001", "A002"]
    # the digest is keyed and of the full number, never the number itself
    assert first.id_digest == resident_id_digest("371302198005051115") != second.id_digest
    assert "371302198005051115" not in first.id_digest and len(first.id_digest) == 64


def test_a_double_tap_with_the_same_id_gives_the_same_ticket(hall):
    first = issue(hall, rid="371302198005051115", phone="13800000001")
    again, created = services.ticket_issue(
        hall_id=hall["hall"].pk,
        zone_id=hall["zones"]["A"].pk,
        source="kiosk",
        resident_id="371302198005051115",
        now=at(1),
    )
    assert again.pk == first.pk and not created
    assert Ticket.objects.count() == 1


def test_bad_input_is_refused_in_chinese_and_changes_nothing(hall):
    with pytest.raises(ValidationError, match="身份证号码有误"):
        issue(hall, rid="371302198001010000")
    with pytest.raises(ValidationError, match="手机号码应为11位"):
        issue(hall, phone="12345")
    with pytest.raises(ValidationError, match="刷身份证"):
        issue(hall)
    with pytest.raises(ValidationError, match="请选择要办理的业务"):
        issue(hall, "F", phone="13800000001")  # the self-service area takes no tickets
    assert Ticket.objects.count() == 0


def test_the_elderly_get_the_green_channel_from_their_id(hall):
    old = make_resident_id("37130219500101001")
    t = issue(hall, rid=old)
    assert t.green == Green.ELDERLY
    young = issue(hall, rid=make_resident_id("37130219900101001"))
    assert young.green == ""
    assert "****" in t.id_masked or "*" in t.id_masked


def test_call_next_takes_green_then_started_appointments_then_waiting_time(hall):
    walk1 = issue(hall, phone="13800000001", minutes=0)
    walk2 = issue(hall, phone="13800000002", minutes=1)
    green = issue(hall, phone="13800000003", minutes=2, green=Green.DISABLED)
    # an appointment ticket whose slot starts later than now ranks by its issue time meanwhile
    appt_ticket = issue(hall, phone="13800000004", minutes=3)
    Ticket.objects.filter(pk=appt_ticket.pk).update(appointment_at=at(10))
    assert call(hall, 1, minutes=5).pk == green.pk
    services.ticket_finish(window_id=hall["windows"][1].pk, staff_id=None, now=at(6))
    assert call(hall, 1, minutes=6).pk == walk1.pk
    services.ticket_finish(window_id=hall["windows"][1].pk, staff_id=None, now=at(7))
    # after 09:10 the appointment's slot has begun: it goes before walk2
    assert call(hall, 1, minutes=11).pk == appt_ticket.pk
    services.ticket_finish(window_id=hall["windows"][1].pk, staff_id=None, now=at(12))
    assert call(hall, 1, minutes=12).pk == walk2.pk


def test_windows_call_only_the_zones_they_serve(hall):
    a = issue(hall, "A", phone="13800000001")
    b = issue(hall, "B", phone="13800000002")
    assert call(hall, 3).pk == b.pk  # window 3 serves B only
    services.ticket_finish(window_id=hall["windows"][3].pk, staff_id=None, now=at(1))
    assert call(hall, 3, minutes=1) is None  # A001 is not B's
    assert call(hall, 4, minutes=1).pk == a.pk  # window 4 also calls A


def test_a_window_must_close_its_ticket_before_calling_again(hall):
    issue(hall, phone="13800000001")
    issue(hall, phone="13800000002")
    t = call(hall, 1)
    with pytest.raises(ValidationError, match=f"当前的{t.number}号"):
        call(hall, 1)


def test_recall_skip_transfer_and_finish_are_recorded(hall, clerk):
    w1, w3 = hall["windows"][1], hall["windows"][3]
    t = issue(hall, phone="13800000001")
    call(hall, 1, minutes=1, staff=clerk.pk)
    services.ticket_recall(window_id=w1.pk, staff_id=clerk.pk, now=at(2))
    services.ticket_transfer(
        window_id=w1.pk, staff_id=clerk.pk, to_window_id=w3.pk, reason="社保业务", now=at(3)
    )
    t.refresh_from_db()
    assert t.status == "waiting" and t.target_window_id == w3.pk and t.number == "A001"
    assert call(hall, 2, minutes=4) is None  # transferred to window 3 only
    assert call(hall, 3, minutes=4).pk == t.pk
    services.ticket_finish(window_id=w3.pk, staff_id=None, now=at(9))
    t.refresh_from_db()
    assert t.status == "done" and t.finished_at == at(9) and t.recalls == 1
    actions = list(HallEvent.objects.filter(ticket=t).values_list("action", flat=True))
    assert actions == ["issue", "call", "recall", "transfer", "call", "finish"]
    skipped = issue(hall, phone="13800000002", minutes=10)
    call(hall, 1, minutes=10)
    services.ticket_skip(window_id=w1.pk, staff_id=clerk.pk, now=at(15))
    skipped.refresh_from_db()
    assert skipped.status == "no_show"


def test_a_paused_window_does_not_call(hall):
    issue(hall, phone="13800000001")
    services.desk_pause(window_id=hall["windows"][1].pk, staff_id=None, paused=True)
    with pytest.raises(ValidationError, match="暂停"):
        call(hall, 1)
    services.desk_pause(window_id=hall["windows"][1].pk, staff_id=None, paused=False)
    assert call(hall, 1) is not None
    from banhao.core.models import AuditEvent

    assert list(
        AuditEvent.objects.filter(action__startswith="hall.desk_")
        .order_by("id")
        .values_list("action", flat=True)
    ) == [
        "hall.desk_pause",
        "hall.desk_resume",
    ]


def test_the_ticket_sms_says_the_number_and_the_people_ahead(hall, run_tasks):
    from banhao.accounts import sms

    sms.outbox.clear()
    issue(hall, phone="13800000001")
    issue(hall, phone="13800000002", minutes=1)
    run_tasks()  # the hall's SMS go through the outbox; a worker sends them
    assert "A002号" in sms.outbox[-1].text and "前方等待1人" in sms.outbox[-1].text
    call(hall, 2, minutes=2)
    run_tasks()
    assert sms.outbox[-1].text.endswith("请A001到2号窗口办理。")


def test_tickets_are_refused_outside_opening_hours_and_on_holidays(hall, settings):
    settings.BANHAO_HALL_ALWAYS_OPEN = False
    with pytest.raises(ValidationError, match="不在办公时间"):
        issue(hall, phone="13800000001", minutes=-120)  # 07:00
    with pytest.raises(ValidationError, match="不在办公时间"):
        issue(hall, phone="13800000001", minutes=3 * 60 + 30)  # 12:30, lunch
    national_day = timezone.make_aware(dt.datetime(2026, 10, 2, 10, 0))
    with pytest.raises(ValidationError, match="不在办公时间"):
        services.ticket_issue(
            hall_id=hall["hall"].pk,
            zone_id=hall["zones"]["A"].pk,
            source="kiosk",
            phone="13800000001",
            now=national_day,
        )
    assert issue(hall, phone="13800000001", minutes=60).number == "A001"
