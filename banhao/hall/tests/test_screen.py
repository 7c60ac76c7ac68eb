"""The hall's big screen, its feed, and a window's small screen."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from banhao.hall import services
from banhao.hall.models import Desk, HallEvent


def today_at(hour, minute=0):
    """A fixed time today (the screens show today's tickets)."""
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(hour, minute)))


def take(hall, phone, letter="A", at=(9, 0)):
    return services.ticket_issue(
        hall_id=hall["hall"].pk,
        zone_id=hall["zones"][letter].pk,
        source="kiosk",
        phone=phone,
        now=today_at(*at),
    )[0]


def call(hall, window, at=(9, 5), staff_id=None):
    return services.ticket_call_next(
        window_id=hall["windows"][window].pk, staff_id=staff_id, now=today_at(*at)
    )


def feed(client, hall, after=None):
    url = reverse("hall:screen_feed", args=[hall["hall"].pk])
    r = client.get(url, {} if after is None else {"after": after})
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    return r.json()


def test_the_feed_shows_a_call_right_after_call_next(client, hall):
    take(hall, "13800000001")
    start = feed(client, hall)["last"]
    call(hall, 1)
    data = feed(client, hall, after=start)
    assert [(e["action"], e["number"], e["window"]) for e in data["events"]] == [("call", "A001", 1)]
    assert data["events"][0]["led"] == "请A001到1号窗口"
    assert data["events"][0]["say"] == "请A001号到1号窗口办理"
    assert data["last"] == data["events"][0]["id"] > start
    assert data["windows"][str(hall["windows"][1].pk)] == {"state": "serving", "number": "A001"}


def test_only_calls_after_the_given_event_id_are_returned(client, hall):
    take(hall, "13800000001")
    take(hall, "13800000002")
    call(hall, 1)
    first = HallEvent.objects.get(action="call").pk
    call(hall, 2, at=(9, 6))
    data = feed(client, hall, after=first)
    assert [(e["number"], e["window"]) for e in data["events"]] == [("A002", 2)]
    later = feed(client, hall, after=data["last"])
    assert later["events"] == [] and later["last"] == data["last"]


def test_a_screen_that_has_just_loaded_is_not_given_the_mornings_calls(client, hall):
    take(hall, "13800000001")
    call(hall, 1)
    data = feed(client, hall)
    assert data["events"] == []
    assert data["last"] == HallEvent.objects.get(action="call").pk


@pytest.mark.parametrize("after", ["abc", "-1", "²", "9" * 30])
def test_a_malformed_after_is_treated_like_a_screen_that_has_just_loaded(client, hall, after):
    take(hall, "13800000001")
    call(hall, 1)
    data = feed(client, hall, after=after)
    assert data["events"] == [] and data["last"] == HallEvent.objects.get(action="call").pk


def test_issue_skip_and_finish_are_not_announced(client, hall):
    take(hall, "13800000001")
    take(hall, "13800000002")
    call(hall, 1)
    services.ticket_finish(window_id=hall["windows"][1].pk, staff_id=None, now=today_at(9, 7))
    call(hall, 1, at=(9, 8))
    services.ticket_skip(window_id=hall["windows"][1].pk, staff_id=None, now=today_at(9, 9))
    data = feed(client, hall, after=0)
    assert [(e["action"], e["number"]) for e in data["events"]] == [("call", "A001"), ("call", "A002")]
    assert data["windows"][str(hall["windows"][1].pk)] == {"state": "idle", "number": ""}


def test_a_recall_appears_as_a_new_event(client, hall):
    take(hall, "13800000001")
    call(hall, 1)
    seen = feed(client, hall)["last"]
    services.ticket_recall(window_id=hall["windows"][1].pk, staff_id=None, now=today_at(9, 7))
    data = feed(client, hall, after=seen)
    assert [(e["action"], e["number"], e["led"]) for e in data["events"]] == [
        ("recall", "A001", "请A001到1号窗口")
    ]
    assert data["events"][0]["id"] > seen


def test_the_waiting_counts_are_per_ticket_zone(client, hall):
    for i in range(3):
        take(hall, f"1380000000{i}", "A")
    take(hall, "13900000000", "B")
    call(hall, 1)
    data = feed(client, hall, after=0)
    assert data["zones"] == {str(hall["zones"]["A"].pk): 2, str(hall["zones"]["B"].pk): 1}
    assert data["waiting_total"] == 3


def test_the_average_wait_today_counts_from_issue_to_first_call(client, hall):
    take(hall, "13800000001", at=(9, 0))
    take(hall, "13800000002", at=(9, 0))
    call(hall, 1, at=(9, 1))
    call(hall, 2, at=(9, 5))  # waits of 1 and 5 minutes: 3 on average
    assert feed(client, hall, after=0)["avg_wait"] == "约3分钟"


def test_a_paused_window_and_one_never_opened_show_as_such(client, hall):
    services.desk_pause(window_id=hall["windows"][3].pk, staff_id=None, paused=True)
    data = feed(client, hall, after=0)
    assert data["windows"][str(hall["windows"][3].pk)] == {"state": "paused", "number": ""}
    assert str(hall["windows"][2].pk) not in data["windows"]  # no Desk row yet: the page shows 空闲
    page = client.get(reverse("hall:screen", args=[hall["hall"].pk])).content.decode()
    assert "暂停服务" in page and "空闲" in page


def test_a_ticket_left_open_yesterday_is_not_shown(client, hall):
    yesterday = today_at(9) - dt.timedelta(days=1)
    services.ticket_issue(
        hall_id=hall["hall"].pk,
        zone_id=hall["zones"]["A"].pk,
        source="kiosk",
        phone="13800000001",
        now=yesterday,
    )
    services.ticket_call_next(window_id=hall["windows"][1].pk, staff_id=None, now=yesterday)
    data = feed(client, hall, after=0)
    assert data["windows"][str(hall["windows"][1].pk)] == {"state": "idle", "number": ""}


def test_the_feed_reads_a_fixed_handful_of_rows_whatever_the_queue(
    client, hall, django_assert_max_num_queries
):
    for i in range(30):
        take(hall, f"138000000{i:02d}", "AB"[i % 2])
    for n in (1, 2, 3, 4):
        call(hall, n)
    with django_assert_max_num_queries(3):
        data = feed(client, hall, after=0)
    assert len(data["events"]) == 4


def test_the_screen_page_is_public_and_carries_the_poll_interval(client, hall, settings):
    settings.BANHAO_SCREEN_POLL_MS = 750
    take(hall, "13800000001")
    take(hall, "13900000002", "B")
    call(hall, 1)
    r = client.get(reverse("hall:screen", args=[hall["hall"].pk]))
    page = r.content.decode()
    assert r.status_code == 200
    assert 'data-poll-ms="750"' in page
    assert "兰山区政务服务中心" in page and "请A001到1号窗口" in page
    assert f'data-after="{HallEvent.objects.get(action="call").pk}"' in page
    assert "开启语音播报" in page and "banhao/js/hall-screen.js" in page
    assert "9号窗口" in page and "B 社会事务" in page
    assert f'data-zone="{hall["zones"]["F"].pk}"' not in page  # self-service takes no tickets
    assert "13800000001" not in page and "13900000002" not in page  # no personal data on a public screen
    assert "<script>" not in page and "style=" not in page


def test_an_unknown_hall_has_no_screen(client, hall):
    assert client.get(reverse("hall:screen", args=[hall["hall"].pk + 99])).status_code == 404


# --- a window's small screen -----------------------------------------------------------------


@pytest.fixture
def clerk(make_staff, hall):
    return make_staff("window_clerk", region="lanshan", hall=hall["hall"], window=hall["windows"][1]).staff


def window_feed(client, hall, number):
    r = client.get(reverse("hall:window_screen_feed", args=[hall["windows"][number].pk]))
    assert r.status_code == 200
    return r.json()


def test_the_window_screen_shows_the_current_ticket_and_the_clerk(client, hall, clerk):
    take(hall, "13800000001")
    services.desk_sign_in(window_id=hall["windows"][1].pk, staff_id=clerk.pk)
    assert window_feed(client, hall, 1)["state"] == "idle"
    call(hall, 1, staff_id=clerk.pk)
    data = window_feed(client, hall, 1)
    assert (data["state"], data["number"], data["led"]) == ("serving", "A001", "请A001到1号窗口")
    assert (data["clerk_name"], data["employee_no"]) == (clerk.name, clerk.employee_no)
    page = client.get(reverse("hall:window_screen", args=[hall["windows"][1].pk])).content.decode()
    assert (
        "请A001到1号窗口" in page
        and clerk.name in page
        and f'工号：<strong id="hs-clerk-no">{clerk.employee_no}' in page
    )


def test_a_paused_window_screen_says_so(client, hall, clerk):
    services.desk_pause(window_id=hall["windows"][1].pk, staff_id=clerk.pk, paused=True)
    data = window_feed(client, hall, 1)
    assert (data["state"], data["led"], data["clerk_name"]) == ("paused", "暂停服务", clerk.name)


def test_yesterdays_clerk_is_not_shown_this_morning(client, hall, clerk):
    services.desk_sign_in(window_id=hall["windows"][1].pk, staff_id=clerk.pk)
    assert window_feed(client, hall, 1)["clerk_name"] == clerk.name
    Desk.objects.filter(window=hall["windows"][1]).update(updated_at=timezone.now() - dt.timedelta(days=1))
    data = window_feed(client, hall, 1)
    assert (data["state"], data["clerk_name"], data["employee_no"]) == ("idle", "", "")


def test_an_unknown_window_has_no_screen(client, hall):
    missing = hall["windows"][9].pk + 99
    assert client.get(reverse("hall:window_screen", args=[missing])).status_code == 404
    assert client.get(reverse("hall:window_screen_feed", args=[missing])).status_code == 404
