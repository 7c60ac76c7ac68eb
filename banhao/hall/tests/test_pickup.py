"""The unified pickup window (统一出件): the ID check, the hand-over record, once only, in scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from banhao.cases import services as cases
from banhao.cases.models import CaseEvent
from banhao.core.identifiers import make_resident_id
from banhao.hall import services as hall_services
from banhao.hall.models import Handover, TicketCase
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready_case(make_case, make_staff):
    """A case of 兰山区 approved and ready for pickup (applicant 王芳, 13800000001)."""
    case = make_case()
    reviewer = make_staff("reviewer", region="lanshan", department=case.department)
    case = cases.case_accept(actor=reviewer, case=case)
    case = cases.case_claim(actor=reviewer, case=case)
    case = cases.case_decide(actor=reviewer, case=case, approved=True, reason="符合条件")
    case = cases.case_result_ready(actor=reviewer, case=case)
    assert case.status == "result_ready"
    return case


@pytest.fixture
def clerk(client, make_staff, hall):
    user = make_staff("window_clerk", region="lanshan", hall=hall["hall"], window=hall["windows"][9])
    client.login(username=user.username, password=PASSWORD)
    return user


def handover_url(case):
    return reverse("hall:pickup_handover", args=[case.number])


def test_results_ready_are_listed_and_found_by_number_id_or_phone(client, clerk, ready_case):
    page = client.get(reverse("hall:pickup")).content.decode()
    assert ready_case.number in page and "食品经营许可证" in page
    for q in (ready_case.number, ready_case.person.resident_id, "13800000001"):
        assert ready_case.number in client.get(reverse("hall:pickup"), {"q": q}).content.decode(), q
    assert ready_case.number not in client.get(reverse("hall:pickup"), {"q": "13999999999"}).content.decode()


def test_a_wrong_check_digit_is_refused_and_nothing_changes(client, clerk, ready_case):
    rid = ready_case.person.resident_id
    wrong = rid[:17] + ("0" if rid[17] != "0" else "1")
    r = client.post(handover_url(ready_case), {"relation": "self", "resident_id": wrong})
    assert r.status_code == 400 and "校验位不正确" in r.content.decode()
    ready_case.refresh_from_db()
    assert ready_case.status == "result_ready" and not Handover.objects.exists()


def test_someone_elses_id_is_not_the_applicant_and_nothing_changes(client, clerk, ready_case):
    other = make_resident_id("37130219850505001")
    r = client.post(handover_url(ready_case), {"relation": "self", "resident_id": other})
    assert r.status_code == 400 and "证件号码与申请人不一致" in r.content.decode()
    ready_case.refresh_from_db()
    assert ready_case.status == "result_ready" and ready_case.delivered_at is None
    assert not Handover.objects.exists()
    assert not CaseEvent.objects.filter(case=ready_case, action="deliver").exists()


def test_the_applicant_collects_in_person(client, clerk, ready_case, hall):
    rid = ready_case.person.resident_id
    r = client.post(handover_url(ready_case), {"relation": "self", "resident_id": rid.lower()})
    assert r.status_code == 302 and r.url == reverse("hall:pickup_receipt", args=[ready_case.number])
    ready_case.refresh_from_db()
    assert ready_case.status == "concluded" and ready_case.delivery_method == "pickup"
    assert [e.action for e in ready_case.events.order_by("id")][-2:] == ["deliver", "conclude"]
    record = Handover.objects.get(case=ready_case)
    assert record.relation == "self" and record.collector_name == "王芳"
    assert record.window_id == hall["windows"][9].pk and record.clerk_id == clerk.staff.pk
    assert record.collector_id_masked == rid[:4] + "*" * 10 + rid[-4:]
    assert len(record.collector_id_sha256) == 64 and rid not in record.collector_id_sha256
    assert rid not in str(Handover.objects.filter(pk=record.pk).values().get())
    receipt = client.get(r.url).content.decode()
    assert "出件回执" in receipt and "王芳（本人）" in receipt and record.collector_id_masked in receipt


def test_an_agent_collects_with_an_authorisation(client, clerk, ready_case):
    agent_id = make_resident_id("37130219900303002")
    data = {
        "relation": "agent",
        "resident_id": agent_id,
        "name": "李明",
        "note": "持授权委托书及申请人身份证复印件",
    }
    r = client.post(handover_url(ready_case), data)
    assert r.status_code == 302
    record = Handover.objects.get(case=ready_case)
    assert record.relation == "agent" and record.collector_name == "李明"
    assert record.proxy_note == "持授权委托书及申请人身份证复印件"
    assert record.collector_id_masked.endswith(agent_id[-4:]) and agent_id not in record.collector_id_masked


def test_an_agent_must_name_themselves_and_the_authorisation(client, clerk, ready_case):
    agent_id = make_resident_id("37130219900303003")
    r = client.post(handover_url(ready_case), {"relation": "agent", "resident_id": agent_id})
    page = r.content.decode()
    assert r.status_code == 400 and "请填写代领人姓名" in page and "请写明委托情况" in page
    ready_case.refresh_from_db()
    assert ready_case.status == "result_ready" and not Handover.objects.exists()


def test_a_result_cannot_be_handed_over_twice(client, clerk, ready_case):
    rid = ready_case.person.resident_id
    assert client.post(handover_url(ready_case), {"relation": "self", "resident_id": rid}).status_code == 302
    again = client.post(handover_url(ready_case), {"relation": "self", "resident_id": rid})
    assert again.status_code == 409 and "不能重复出件" in again.content.decode()
    assert Handover.objects.count() == 1
    assert CaseEvent.objects.filter(case=ready_case, action="deliver").count() == 1
    assert ready_case.number not in client.get(reverse("hall:pickup")).content.decode()


def test_the_hand_over_is_linked_to_the_ticket_being_served(client, clerk, ready_case, hall):
    hall_services.ticket_issue(
        hall_id=hall["hall"].pk, zone_id=hall["zones"]["G"].pk, source="kiosk", phone="13800000001"
    )
    ticket = hall_services.ticket_call_next(window_id=hall["windows"][9].pk, staff_id=clerk.staff.pk)
    client.post(handover_url(ready_case), {"relation": "self", "resident_id": ready_case.person.resident_id})
    assert Handover.objects.get(case=ready_case).ticket_id == ticket.pk
    assert TicketCase.objects.filter(ticket=ticket, case=ready_case).exists()


def test_a_clerk_of_another_county_neither_sees_nor_hands_over_the_case(client, make_staff, ready_case):
    stranger = make_staff("window_clerk", region="yinan")
    client.login(username=stranger.username, password=PASSWORD)
    assert ready_case.number not in client.get(reverse("hall:pickup")).content.decode()
    assert client.get(handover_url(ready_case)).status_code == 404
    r = client.post(
        handover_url(ready_case), {"relation": "self", "resident_id": ready_case.person.resident_id}
    )
    assert r.status_code == 404
    ready_case.refresh_from_db()
    assert ready_case.status == "result_ready" and not Handover.objects.exists()


def test_a_clerk_without_a_window_cannot_hand_over(client, make_staff, ready_case):
    user = make_staff("window_clerk", region="lanshan")
    client.login(username=user.username, password=PASSWORD)
    assert ready_case.number in client.get(reverse("hall:pickup")).content.decode()
    r = client.post(
        handover_url(ready_case), {"relation": "self", "resident_id": ready_case.person.resident_id}
    )
    assert r.status_code == 400 and "未分配窗口" in r.content.decode()
    assert not Handover.objects.exists()


def test_only_staff_with_the_pickup_permission_open_the_window(client, make_staff):
    manager = make_staff("hall_manager", region="lanshan")
    client.login(username=manager.username, password=PASSWORD)
    assert client.get(reverse("hall:pickup")).status_code == 403


def test_a_result_accepted_at_another_countys_hall_is_collected_where_it_was_handed_in(
    client, make_staff, ready_case, regions
):
    """全市通办: a 兰山区 case handed in at the 沂南县 hall's window is listed at that hall's pickup."""
    from banhao.org import services as org

    yinan_hall = org.hall_ensure(actor="测试", name="沂南县政务服务中心", region=regions["yinan"])
    zone = org.zone_ensure(actor="测试", hall=yinan_hall, kind="pickup", letter="G", bookable=False)
    window = org.window_ensure(actor="测试", hall=yinan_hall, zone=zone, number=9, kind="pickup")
    yinan_clerk = make_staff("window_clerk", region="yinan", hall=yinan_hall, window=window)
    client.login(username=yinan_clerk.username, password=PASSWORD)
    assert ready_case.number not in client.get(reverse("hall:pickup")).content.decode()
    ticket, _ = hall_services.ticket_issue(
        hall_id=yinan_hall.pk, zone_id=zone.pk, source="kiosk", phone="13800000001"
    )
    hall_services.ticket_link_case(ticket_id=ticket.pk, case_id=ready_case.pk)
    assert ready_case.number in client.get(reverse("hall:pickup")).content.decode()
    r = client.post(
        handover_url(ready_case), {"relation": "self", "resident_id": ready_case.person.resident_id}
    )
    assert r.status_code in (200, 302)
    assert Handover.objects.get(case=ready_case).window_id == window.pk


def test_the_pickup_list_takes_the_halls_cases_as_a_subquery(client, clerk, ready_case, hall):
    """Issue 10, build 2: the cases handed in at the hall are a subquery, not an IN list that
    grows with every case ever linked to the hall."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from banhao.hall.tests.factories import TicketFactory

    def page_sql() -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            r = client.get(reverse("hall:pickup"))
        assert r.status_code == 200 and ready_case.number in r.content.decode()
        return [q["sql"] for q in queries if "cases_case" in q["sql"] and "hall_ticketcase" in q["sql"]]

    TicketCase.objects.create(ticket=TicketFactory(hall, phone="13800000001"), case=ready_case)
    few = page_sql()
    assert few and all("SELECT" in sql.split("hall_ticketcase")[0].upper().split("IN (")[-1] for sql in few)
    for i in range(30):
        TicketCase.objects.create(ticket=TicketFactory(hall, phone=f"1390000{i:04d}"), case=ready_case)
    many = page_sql()
    assert [len(sql) for sql in many] == [len(sql) for sql in few]
