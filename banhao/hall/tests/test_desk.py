"""The clerk's workstation (the rating pad's tests live in banhao/evaluation/tests)."""

from unittest import mock

import pytest
from django.db.models import QuerySet
from django.urls import reverse

from banhao.hall import services
from banhao.hall.models import Desk, Ticket
from banhao.hall.tests.factories import TicketFactory
from conftest import PASSWORD


@pytest.fixture
def clerk(client, make_staff, hall):
    user = make_staff("window_clerk", region="lanshan", hall=hall["hall"], window=hall["windows"][1])
    client.login(username=user.username, password=PASSWORD)
    return user


def press(client, action, **data):
    return client.post(reverse("hall:desk_act"), {"action": action, **data})


def test_the_desk_shows_the_window_and_the_waiting_counts(client, clerk, hall):
    TicketFactory(hall, phone="13800000001")
    TicketFactory(hall, phone="13800000002")
    page = client.get(reverse("hall:desk")).content.decode()
    assert "1号窗口" in page and "等候 <strong>2</strong> 人" in page
    assert Desk.objects.get(window=hall["windows"][1]).clerk_id == clerk.staff.pk


def test_call_recall_finish_through_the_buttons(client, clerk, hall):
    t = TicketFactory(hall, phone="13800000001")
    r = press(client, "call")
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.status == "serving" and t.window_id == hall["windows"][1].pk and t.clerk_id == clerk.staff.pk
    page = client.get(reverse("hall:desk")).content.decode()
    assert "已呼叫A001号" in page and "A001" in page
    press(client, "recall")
    press(client, "finish")
    t.refresh_from_db()
    assert t.status == "done" and t.recalls == 1


def test_an_empty_queue_and_wrong_steps_answer_in_chinese(client, clerk, hall):
    page = client.post(reverse("hall:desk_act"), {"action": "call"}, follow=True).content.decode()
    assert "当前没有等候的号码" in page
    page = client.post(reverse("hall:desk_act"), {"action": "finish"}, follow=True).content.decode()
    assert "当前没有正在办理的号码" in page
    page = client.post(reverse("hall:desk_act"), {"action": "explode"}, follow=True).content.decode()
    assert "未知的操作" in page


def test_htmx_buttons_swap_only_the_panel(client, clerk, hall):
    TicketFactory(hall, phone="13800000001")
    r = client.post(reverse("hall:desk_act"), {"action": "call"}, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert r.status_code == 200 and 'id="hall-desk-panel"' in body and "<html" not in body
    assert "A001" in body


def test_the_clerk_issues_a_green_channel_ticket(client, clerk, hall):
    page = client.post(
        reverse("hall:desk_act"),
        {"action": "issue", "zone": hall["zones"]["B"].pk, "phone": "13900000000", "green": "military"},
        follow=True,
    ).content.decode()
    t = Ticket.objects.get()
    assert t.number == "B001" and t.green == "military" and t.source == "window"
    assert "已代取B001号" in page


def test_transfer_to_another_window(client, clerk, hall):
    t = TicketFactory(hall, phone="13800000001")
    press(client, "call")
    press(client, "transfer", to_window=str(hall["windows"][3].pk), reason="社保")
    t.refresh_from_db()
    assert t.status == "waiting" and t.target_window_id == hall["windows"][3].pk


def test_only_window_clerks_use_the_desk(client, make_staff, hall):
    manager = make_staff("hall_manager", region="lanshan", hall=hall["hall"])
    client.login(username=manager.username, password=PASSWORD)
    assert client.get(reverse("hall:desk")).status_code == 403
    assert press(client, "call").status_code == 403


def test_a_clerk_without_a_window_is_told_so(client, make_staff, hall):
    user = make_staff("window_clerk", region="lanshan", hall=hall["hall"])
    client.login(username=user.username, password=PASSWORD)
    assert "未分配窗口" in client.get(reverse("hall:desk")).content.decode()
    assert press(client, "call").status_code == 403


def _writes_and_locks(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
        or "FOR UPDATE" in q["sql"].upper()
    ]


def test_the_five_second_poll_only_reads(client, clerk, hall):
    """Issue 10, build 2: the desk poll takes no lock on the row call-next locks and writes
    nothing (the page itself signs the clerk in, once)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    TicketFactory(hall, phone="13800000001")
    assert client.get(reverse("hall:desk")).status_code == 200  # opens the page: signs in
    assert Desk.objects.get(window=hall["windows"][1]).clerk_id == clerk.staff.pk
    # SQLite ignores FOR UPDATE (and the read-only check is what keeps it out on PostgreSQL):
    # no locking query is even built, and the locking sign-in is not entered (its transaction is
    # SQLite's BEGIN IMMEDIATE, a write lock).
    lock = mock.patch.object(
        QuerySet, "select_for_update", autospec=True, side_effect=QuerySet.select_for_update
    )
    sign_in = mock.patch.object(services, "desk_sign_in", wraps=services.desk_sign_in)
    for extra in ({"part": "queue"}, {}):
        with CaptureQueriesContext(connection) as queries, lock as locked, sign_in as signed:
            r = client.get(reverse("hall:desk"), extra, headers={"HX-Request": "true"})
        assert r.status_code == 200 and "等候" in r.content.decode()
        assert _writes_and_locks(queries) == [], _writes_and_locks(queries)
        assert locked.call_count == 0 and signed.call_count == 0
    # Opening the full page again the same day changes nothing either.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("hall:desk")).status_code == 200
    assert _writes_and_locks(queries) == []
