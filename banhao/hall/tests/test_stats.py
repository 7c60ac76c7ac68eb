"""The hall manager's live statistics: a small scripted day, and who may see it."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

import banhao.org.api as org
from banhao.hall import selectors, services
from banhao.hall.models import Appointment
from conftest import PASSWORD


def today_at(hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(hour, minute)))


@pytest.fixture
def day(hall, make_staff):
    """Today in the hall, at fixed times:

    A001 09:00, A002 09:05, A003 09:10 (zone A), B001 10:20 (zone B, still waiting);
    window 1 (clerk 甲) calls A001 09:02, finishes 09:12 — waited 2 min, served 10 min;
    window 2 (clerk 乙) calls A002 09:09, finishes 09:14 — waited 4 min, served 5 min;
    window 1 calls A003 09:13 and skips it 09:18 — waited 3 min, a no-show."""
    w1, w2 = hall["windows"][1].pk, hall["windows"][2].pk
    one = make_staff("window_clerk", region="lanshan", hall=hall["hall"], window=hall["windows"][1]).staff
    two = make_staff("window_clerk", region="lanshan", hall=hall["hall"], window=hall["windows"][2]).staff

    def issue(letter, phone, h, m):
        services.ticket_issue(
            hall_id=hall["hall"].pk,
            zone_id=hall["zones"][letter].pk,
            source="kiosk",
            phone=phone,
            now=today_at(h, m),
        )

    issue("A", "13800000001", 9, 0)
    issue("A", "13800000002", 9, 5)
    issue("A", "13800000003", 9, 10)
    issue("B", "13800000004", 10, 20)
    services.ticket_call_next(window_id=w1, staff_id=one.pk, now=today_at(9, 2))
    services.ticket_call_next(window_id=w2, staff_id=two.pk, now=today_at(9, 9))
    services.ticket_finish(window_id=w1, staff_id=one.pk, now=today_at(9, 12))
    services.ticket_call_next(window_id=w1, staff_id=one.pk, now=today_at(9, 13))
    services.ticket_finish(window_id=w2, staff_id=two.pk, now=today_at(9, 14))
    services.ticket_skip(window_id=w1, staff_id=one.pk, now=today_at(9, 18))
    return {"one": one, "two": two}


def figures(hall):
    return selectors.hall_stats(org.hall_info(hall["hall"].pk), timezone.localdate())


def test_the_day_totals_average_wait_from_issue_to_first_call_and_service_to_finish(hall, day):
    t = figures(hall)["total"]
    assert (t.issued, t.waiting, t.serving, t.done, t.no_show) == (4, 1, 0, 2, 1)
    assert t.avg_wait_s == (120 + 240 + 180) / 3  # every ticket called, the skipped one too
    assert t.avg_service_s == (600 + 300) / 2  # finished tickets only: a no-show was not served
    assert (t.avg_wait, t.avg_service) == ("3分00秒", "7分30秒")


def test_zones_windows_and_clerks_each_get_their_own_averages(hall, day):
    s = figures(hall)
    zones = {z.sub: z for z in s["zones"]}
    assert list(zones) == ["A", "B", "G"]  # ticket zones only, in the hall's order
    assert (zones["A"].issued, zones["A"].avg_wait_s, zones["A"].avg_service_s) == (3, 180, 450)
    assert (zones["B"].issued, zones["B"].waiting, zones["B"].avg_wait_s) == (1, 1, None)
    windows = {row["tally"].label: row["tally"] for row in s["windows"]}
    assert (windows["1号窗口"].issued, windows["1号窗口"].avg_wait_s, windows["1号窗口"].avg_service_s) == (
        2,
        150,
        600,
    )
    assert (windows["2号窗口"].issued, windows["2号窗口"].avg_wait_s, windows["2号窗口"].avg_service_s) == (
        1,
        240,
        300,
    )
    assert windows["3号窗口"].issued == 0 and windows["3号窗口"].avg_wait == "—"
    clerks = {c.label: c for c in s["clerks"]}
    one, two = clerks[day["one"].name], clerks[day["two"].name]
    assert (one.issued, one.done, one.no_show, one.avg_service_s) == (2, 1, 1, 600)
    assert (two.issued, two.done, two.no_show, two.avg_wait_s) == (1, 1, 0, 240)


def test_tickets_are_counted_per_hour_of_issue(hall, day):
    hours = {h["hour"]: h["count"] for h in figures(hall)["hours"]}
    assert hours[9] == 3 and hours[10] == 1 and hours[11] == 0
    assert min(hours) == 9 and max(hours) == 16  # the opening hours are always listed


def test_appointment_no_shows_count_only_todays_in_this_hall(hall, day, make_person):
    person = make_person()
    user = get_user_model().objects.create_user(username="booker", kind="staff")
    common = {"hall": hall["hall"], "zone": hall["zones"]["A"], "user": user, "person": person}
    common |= {"phone": "13800000009", "start": dt.time(9, 0), "end": dt.time(9, 30)}
    today = timezone.localdate()
    Appointment.objects.create(code="NS000001", day=today, status="no_show", **common)
    Appointment.objects.create(code="NS000002", day=today - dt.timedelta(days=1), status="no_show", **common)
    Appointment.objects.create(code="BK000003", day=today, status="booked", **common)
    assert figures(hall)["appointment_no_show"] == 1


# --- the page --------------------------------------------------------------------------------


def login(client, make_staff, role, region, **kw):
    user = make_staff(role, region=region, **kw)
    client.login(username=user.username, password=PASSWORD)
    return user


def test_the_hall_manager_sees_the_figures_of_the_day(client, make_staff, hall, day):
    login(client, make_staff, "hall_manager", "lanshan", hall=hall["hall"])
    r = client.get(reverse("hall:stats", args=[hall["hall"].pk]))
    page = r.content.decode()
    assert r.status_code == 200
    assert "当前位置：" in page and "政务服务大厅</a> &gt; <span>实时统计</span>" in page
    assert '<strong data-kpi="avg-wait">3分00秒</strong>' in page
    assert '<strong data-kpi="avg-service">7分30秒</strong>' in page
    assert '<strong data-kpi="no-show">1</strong>' in page and '<strong data-kpi="waiting">1</strong>' in page
    assert 'hx-trigger="every 5s"' in page and day["two"].name in page
    assert "style=" not in page and "<script>" not in page


def test_htmx_refreshes_only_the_live_part(client, make_staff, hall, day):
    login(client, make_staff, "hall_manager", "lanshan", hall=hall["hall"])
    r = client.get(reverse("hall:stats", args=[hall["hall"].pk]), HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert r.status_code == 200 and body.lstrip().startswith('<div id="hall-stats-live"')
    assert "<html" not in body and '<strong data-kpi="issued">4</strong>' in body


def test_a_city_manager_sees_every_hall_of_the_city(client, make_staff, hall):
    login(client, make_staff, "hall_manager", "city")
    assert client.get(reverse("hall:stats", args=[hall["hall"].pk])).status_code == 200


def test_staff_without_the_stats_permission_are_refused(client, make_staff, hall):
    login(client, make_staff, "window_clerk", "lanshan", hall=hall["hall"])
    assert client.get(reverse("hall:stats", args=[hall["hall"].pk])).status_code == 403


def test_a_manager_of_another_county_finds_no_such_hall(client, make_staff, hall):
    login(client, make_staff, "hall_manager", "yinan")
    assert client.get(reverse("hall:stats", args=[hall["hall"].pk])).status_code == 404


def test_an_unknown_hall_has_no_statistics(client, make_staff, hall):
    login(client, make_staff, "hall_manager", "city")
    assert client.get(reverse("hall:stats", args=[hall["hall"].pk + 99])).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(client, hall):
    url = reverse("hall:stats", args=[hall["hall"].pk])
    r = client.get(url)
    assert r.status_code == 302 and r["Location"].startswith(reverse("accounts:login"))
    assert "next=" in r["Location"]
