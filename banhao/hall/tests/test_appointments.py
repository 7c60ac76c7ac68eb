"""Online appointments (预约取号) for applicants: the pages, the capacity, the calendar, the sweep.

The pages use the real clock, so their tests pick the day from ``bookable_days()`` at test
time (a working day after today: every slot of it is still ahead). Timing rules of the
services are tested with an explicit ``now=``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from banhao.accounts import sms
from banhao.hall import services
from banhao.hall.models import Appointment, AppointmentSlot
from banhao.org.api import hall_info
from banhao.org.models import Zone
from banhao.registry import services as registry
from conftest import PASSWORD

BOOK = reverse("hall:appointments")
MINE = reverse("hall:my_appointments")


def _html(response) -> str:
    return response.content.decode()


def _plain(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _html(response))))


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _next_day() -> dt.date:
    """A bookable working day after today (all of its slots lie ahead, whatever the hour)."""
    today = timezone.localdate()
    return next(d for d in services.bookable_days() if d > today)


def _login(person, phone: str) -> Client:
    registry.applicant_account_open(actor="测试", person=person, password=PASSWORD)
    client = Client()
    assert client.login(username=phone, password=PASSWORD)
    return client


@pytest.fixture
def person(make_person):
    return make_person("371302", name="王芳", phone="13900000011")


@pytest.fixture
def applicant(person):
    """A logged-in applicant client (王芳)."""
    return _login(person, "13900000011")


@pytest.fixture
def other(make_person):
    """Another logged-in applicant (赵磊) and his person record."""
    p = make_person("371302", name="赵磊", phone="13900000022")
    return _login(p, "13900000022"), p


@pytest.fixture
def zone_a(hall):
    return hall["zones"]["A"]


def _user(person):
    from banhao.registry.models import ApplicantAccount

    return ApplicantAccount.objects.get(person=person).user


def _book(person, hall, zone, day, start="09:00", now=None, phone="13900000099"):
    """A booking made straight through the service (someone else filling a slot)."""
    return services.appointment_book(
        user=_user(person),
        person_id=person.pk,
        phone=phone,
        hall_id=hall["hall"].pk,
        zone_id=zone.pk,
        day=day,
        start=dt.time.fromisoformat(start),
        now=now,
    )


def _post_booking(client, hall, zone, day, start="09:00", **extra):
    data = {
        "hall": hall["hall"].pk,
        "zone": zone.pk,
        "day": day.isoformat(),
        "start": start,
        "phone": "13900000011",
        **extra,
    }
    return client.post(BOOK, data)


def _booked(zone, day, start="09:00") -> int:
    return (
        AppointmentSlot.objects.filter(zone=zone, day=day, start=dt.time.fromisoformat(start))
        .values_list("booked", flat=True)
        .first()
        or 0
    )


# --- who may book ------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, hall):
    for url in (BOOK, MINE):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_staff_accounts_get_a_403_page_in_chinese(client, hall, make_staff):
    staff = make_staff("window_clerk", region="lanshan")
    client.force_login(staff)
    for url in (BOOK, MINE):
        response = client.get(url)
        assert response.status_code == 403
        assert "工作人员账户不能网上预约" in _plain(response)


# --- booking through the pages -------------------------------------------------------------------


def test_the_booking_page_offers_only_bookable_zones_and_the_next_working_days(applicant, hall, zone_a):
    h = hall["hall"]
    page = _plain(applicant.get(BOOK, {"hall": h.pk}))
    assert "当前位置： 首页 > 预约取号" in page
    assert "市场准入" in page and "社会事务" in page  # A and B take bookings
    assert "24小时自助服务区" not in page and "统一出件" not in page  # F and G do not

    source = _html(applicant.get(BOOK, {"hall": h.pk, "zone": zone_a.pk}))
    offered = [dt.date.fromisoformat(d) for d in re.findall(r"day=(\d{4}-\d{2}-\d{2})", source)]
    assert offered and sorted(set(offered)) == services.bookable_days(hall=hall_info(h.pk))


def test_an_applicant_books_a_slot_through_the_pages_and_sees_the_code(
    applicant, person, hall, zone_a, run_tasks
):
    h, day = hall["hall"], _next_day()
    grid = applicant.get(BOOK, {"hall": h.pk, "zone": zone_a.pk, "day": day.isoformat()})
    assert "09:00—09:30" in _plain(grid) and "余6个" in _plain(grid)

    confirm = applicant.get(BOOK, {"hall": h.pk, "zone": zone_a.pk, "day": day.isoformat(), "start": "09:00"})
    assert "确认预约" in _plain(confirm)
    assert 'value="13900000011"' in _html(confirm)  # the phone from the registry

    sms.outbox.clear()
    response = _post_booking(applicant, hall, zone_a, day)
    run_tasks()  # the booking's SMS went to the outbox; a worker sends it
    appt = Appointment.objects.get(person=person)
    assert response.status_code == 302
    assert response["Location"] == reverse("hall:appointment_detail", args=[appt.pk])
    assert (appt.day, appt.start, appt.end, appt.status) == (day, dt.time(9), dt.time(9, 30), "booked")
    assert _booked(zone_a, day) == 1

    detail = _plain(applicant.get(response["Location"]))
    assert appt.code in detail and "已预约" in detail and "预约成功" in detail
    assert [m.phone for m in sms.outbox if appt.code in m.text] == ["13900000011"]


def test_a_double_click_books_once_and_shows_the_first_booking(applicant, person, hall, zone_a):
    day = _next_day()
    first = _post_booking(applicant, hall, zone_a, day)
    second = _post_booking(applicant, hall, zone_a, day)
    appt = Appointment.objects.get(person=person)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"] == reverse("hall:appointment_detail", args=[appt.pk])
    assert _booked(zone_a, day) == 1
    assert "无需重复提交" in _plain(applicant.get(second["Location"]))


def test_a_second_booking_in_the_same_zone_and_day_is_refused_with_the_services_message(
    applicant, person, hall, zone_a
):
    day = _next_day()
    _post_booking(applicant, hall, zone_a, day, "09:00")
    response = _post_booking(applicant, hall, zone_a, day, "10:00")
    assert response.status_code == 200
    assert "您当天在该功能区已有预约" in _plain(response)
    assert Appointment.objects.filter(person=person).count() == 1


def test_a_full_slot_is_greyed_out_and_the_next_booking_is_told_it_is_full(
    applicant, person, other, hall, zone_a, make_person
):
    Zone.objects.filter(pk=zone_a.pk).update(slot_capacity=2)
    day = _next_day()
    _book(other[1], hall, zone_a, day)
    third = make_person("371302", name="钱多", phone="13900000033")
    _login(third, "13900000033")
    _book(third, hall, zone_a, day)
    assert _booked(zone_a, day) == 2

    grid = applicant.get(BOOK, {"hall": hall["hall"].pk, "zone": zone_a.pk, "day": day.isoformat()})
    source = _html(grid)
    full = re.search(
        r'<span class="ha-slot ha-slot--full"[^>]*>\s*<span class="ha-slot__time">09:00—09:30', source
    )
    assert full is not None and "约满" in _plain(grid)
    assert "start=09%3A00" not in source and "start=09%3A30" in source  # no link to the full slot

    response = _post_booking(applicant, hall, zone_a, day)
    assert response.status_code == 200
    assert "该时段已约满，请选择其他时段。" in _plain(response)
    assert not Appointment.objects.filter(person=person).exists()
    assert _booked(zone_a, day) == 2


def test_a_typed_in_holiday_is_refused_with_the_services_message(applicant, person, hall, zone_a):
    national_day = dt.date(2026, 10, 1)
    response = _post_booking(applicant, hall, zone_a, national_day)
    assert response.status_code == 200
    assert "2026年10月1日是非工作日，大厅不办公，请选择工作日。" in _plain(response)
    assert not Appointment.objects.filter(person=person).exists()

    page = applicant.get(BOOK, {"hall": hall["hall"].pk, "zone": zone_a.pk, "day": "2026-10-01"})
    assert "2026年10月1日是非工作日" in _plain(page)
    assert "ha-slot" not in _html(page)  # no slot grid for a holiday


def test_a_zone_that_takes_no_bookings_is_refused(applicant, hall):
    pickup = hall["zones"]["G"]
    response = _post_booking(applicant, hall, pickup, _next_day())
    assert "该功能区不接受预约" in _plain(response)
    assert not Appointment.objects.exists()


def test_an_item_found_by_search_is_recorded_on_the_booking(
    applicant, person, hall, zone_a, published_implementation
):
    impl, version = published_implementation
    h, day = hall["hall"], _next_day()
    found = applicant.get(BOOK, {"hall": h.pk, "zone": zone_a.pk, "q": "食品经营"})
    assert version.display_name in _plain(found)
    assert f"item={impl.pk}" in _html(found)

    _post_booking(applicant, hall, zone_a, day, item=impl.pk)
    appt = Appointment.objects.get(person=person)
    assert (appt.implementation_id, appt.item_name) == (impl.pk, version.display_name)


# --- the calendar (services, with now=) --------------------------------------------------------


def test_national_day_is_never_bookable_but_the_make_up_working_days_are(hall, person, zone_a):
    """2026: 10月1日—7日 off; Sunday 9月20日 and Saturday 10月10日 are make-up working days
    (State Council arrangement, as chinesecalendar and the seeded CalendarDay table have it)."""
    days = services.bookable_days(_at(dt.date(2026, 9, 28), 8))
    assert dt.date(2026, 9, 30) in days and dt.date(2026, 10, 8) in days
    assert not any(dt.date(2026, 10, n) in days for n in range(1, 8))
    assert dt.date(2026, 10, 10) in days  # a Saturday, worked
    assert dt.date(2026, 10, 11) not in days  # the Sunday after it is not
    assert dt.date(2026, 9, 20) in services.bookable_days(_at(dt.date(2026, 9, 18), 8))

    _login(person, "13900000011")
    appt = _book(person, hall, zone_a, dt.date(2026, 10, 10), now=_at(dt.date(2026, 9, 28), 8))
    assert appt.day == dt.date(2026, 10, 10)
    with pytest.raises(ValidationError, match="2026年10月2日是非工作日"):
        _book(person, hall, zone_a, dt.date(2026, 10, 2), now=_at(dt.date(2026, 9, 28), 8))


# --- my appointments, cancel, reschedule ---------------------------------------------------------


def test_my_appointments_shows_upcoming_and_past_with_their_status_and_code(applicant, person, hall, zone_a):
    zone_b = hall["zones"]["B"]
    earlier = services.bookable_days(timezone.localtime() - dt.timedelta(days=40))[0]
    gone = _book(person, hall, zone_a, earlier, now=_at(earlier, 8))
    call_command("hall_sweep", stdout=StringIO())  # that slot ended weeks ago: 爽约
    coming = _book(person, hall, zone_b, _next_day())

    page = _html(applicant.get(MINE))
    upcoming, past = page.split('id="ha-past"')
    assert coming.code in upcoming and "ha-code__value" in upcoming and "已预约" in upcoming
    assert gone.code in past and "爽约" in past and gone.code not in upcoming
    assert reverse("hall:appointment_cancel", args=[coming.pk]) in upcoming
    assert reverse("hall:appointment_cancel", args=[gone.pk]) not in page


def test_cancelling_asks_first_then_frees_the_slot_for_someone_else(applicant, person, other, hall, zone_a):
    Zone.objects.filter(pk=zone_a.pk).update(slot_capacity=1)
    day = _next_day()
    _post_booking(applicant, hall, zone_a, day)
    appt = Appointment.objects.get(person=person)
    url = reverse("hall:appointment_cancel", args=[appt.pk])

    ask = applicant.get(url)
    assert "确定要取消以下预约吗" in _plain(ask)
    appt.refresh_from_db()
    assert appt.status == "booked"  # a GET only asks

    response = applicant.post(url)
    assert response.status_code == 302 and response["Location"] == MINE
    appt.refresh_from_db()
    assert appt.status == "cancelled" and _booked(zone_a, day) == 0
    assert "已取消" in _plain(applicant.get(MINE))

    other_client, other_person = other
    taken = _post_booking(other_client, hall, zone_a, day, phone="13900000022")
    assert taken.status_code == 302
    assert Appointment.objects.get(person=other_person, status="booked").start == dt.time(9)


def test_rescheduling_moves_the_booking_to_another_slot_and_keeps_the_code(applicant, person, hall, zone_a):
    days = [d for d in services.bookable_days() if d > timezone.localdate()]
    day, later = days[0], days[1]
    _post_booking(applicant, hall, zone_a, day)
    appt = Appointment.objects.get(person=person)
    url = reverse("hall:appointment_reschedule", args=[appt.pk])

    page = applicant.get(url, {"day": later.isoformat(), "start": "14:00"})
    assert "确认改约" in _plain(page) and "14:00—14:30" in _plain(page)

    response = applicant.post(url, {"day": later.isoformat(), "start": "14:00"})
    assert response.status_code == 302
    moved = Appointment.objects.get(pk=appt.pk)
    assert (moved.day, moved.start, moved.end, moved.code) == (later, dt.time(14), dt.time(14, 30), appt.code)
    assert _booked(zone_a, day) == 0 and _booked(zone_a, later, "14:00") == 1


def test_rescheduling_to_a_holiday_is_refused_with_the_services_message(applicant, person, hall, zone_a):
    _post_booking(applicant, hall, zone_a, _next_day())
    appt = Appointment.objects.get(person=person)
    response = applicant.post(
        reverse("hall:appointment_reschedule", args=[appt.pk]), {"day": "2026-10-01", "start": "09:00"}
    )
    assert "2026年10月1日是非工作日" in _plain(response)
    assert Appointment.objects.get(pk=appt.pk).day == appt.day


def test_another_applicant_cannot_see_cancel_or_reschedule_my_appointment(
    applicant, person, other, hall, zone_a
):
    _post_booking(applicant, hall, zone_a, _next_day())
    appt = Appointment.objects.get(person=person)
    stranger = other[0]
    for name in ("hall:appointment_detail", "hall:appointment_cancel", "hall:appointment_reschedule"):
        assert stranger.get(reverse(name, args=[appt.pk])).status_code == 404
    assert stranger.post(reverse("hall:appointment_cancel", args=[appt.pk])).status_code == 404
    later = services.bookable_days()[-1]
    moved = stranger.post(
        reverse("hall:appointment_reschedule", args=[appt.pk]), {"day": later.isoformat(), "start": "10:00"}
    )
    assert moved.status_code == 404
    appt.refresh_from_db()
    assert appt.status == "booked" and appt.start == dt.time(9)
    assert appt.code not in _html(stranger.get(MINE))


# --- the sweep ---------------------------------------------------------------------------------


def test_the_sweep_marks_bookings_whose_slot_ended_without_check_in_as_no_shows(hall, person, other, zone_a):
    day = dt.date(2026, 12, 1)  # a Tuesday
    _login(person, "13900000011")
    early = _book(person, hall, zone_a, day, "09:00", now=_at(day, 8))
    later = _book(other[1], hall, zone_a, day, "10:00", now=_at(day, 8))

    out = StringIO()
    call_command("hall_sweep", "--at", "2026-12-01 09:40", stdout=out)
    assert out.getvalue().splitlines()[0] == "标记爽约 1 个预约。"
    early.refresh_from_db()
    later.refresh_from_db()
    assert (early.status, later.status) == ("no_show", "booked")

    out = StringIO()
    call_command("hall_sweep", "--at", "2026-12-01 09:45", stdout=out)
    assert out.getvalue().splitlines()[0] == "标记爽约 0 个预约。"  # running it again changes nothing


def test_the_sweep_leaves_checked_in_bookings_alone(hall, person, zone_a):
    day = dt.date(2026, 12, 1)
    _login(person, "13900000011")
    appt = _book(person, hall, zone_a, day, "09:00", now=_at(day, 8))
    services.appointment_check_in(hall_id=hall["hall"].pk, code=appt.code, now=_at(day, 8, 30))
    call_command("hall_sweep", "--at", "2026-12-01 18:00", stdout=StringIO())
    appt.refresh_from_db()
    assert appt.status == "checked_in"


def test_the_sweep_refuses_a_malformed_time():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="时刻格式应为"):
        call_command("hall_sweep", "--at", "yesterday", stdout=StringIO())


def test_after_the_last_slot_has_begun_today_is_no_longer_offered(hall):
    info = hall_info(hall["hall"].pk)
    tuesday = dt.date(2026, 12, 1)
    assert services.bookable_days(_at(tuesday, 16), hall=info)[0] == tuesday  # 16:30 is still ahead
    assert services.bookable_days(_at(tuesday, 16, 40), hall=info)[0] == dt.date(2026, 12, 2)
    assert services.bookable_days(_at(tuesday, 16, 40))[0] == tuesday  # without a hall: the day itself


def test_hall_info_of_the_fixture_has_thirty_minute_slots(hall):
    """The tests above assume 09:00—09:30 is the first slot (default hall hours)."""
    assert services.slot_starts(hall_info(hall["hall"].pk))[0] == (dt.time(9), dt.time(9, 30))


def test_the_sweep_removes_scans_of_acceptance_forms_never_submitted(db, settings, tmp_path):
    import os

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = tmp_path
    old = default_storage.save("window/7/old.pdf", ContentFile(b"%PDF-1.4 old"))
    fresh = default_storage.save("window/7/fresh.pdf", ContentFile(b"%PDF-1.4 fresh"))
    two_days_ago = (dt.datetime.now() - dt.timedelta(days=2)).timestamp()
    os.utime(default_storage.path(old), (two_days_ago, two_days_ago))
    out = StringIO()
    call_command("hall_sweep", stdout=out)
    assert "清理未提交的窗口扫描件 1 个。" in out.getvalue()
    assert not default_storage.exists(old) and default_storage.exists(fresh)
