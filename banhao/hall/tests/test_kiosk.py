"""The ticket kiosk and the 24-hour self-service area, through their pages (no login)."""

import datetime as dt
import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from banhao.cases import services as case_services
from banhao.cases.api import DECISION_FAILED, LOOKUP_FAILED, LOOKUP_THROTTLED
from banhao.hall import services
from banhao.hall.models import Appointment, Ticket


@pytest.fixture(autouse=True)
def _fresh_cache(db):  # the cache is the database's (or Redis)
    cache.clear()  # the lookup throttle lives there
    yield
    cache.clear()


def _html(response) -> str:
    return response.content.decode()


def _plain(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _html(response))))


def _kiosk(hall):
    return reverse("hall:kiosk", args=[hall["hall"].pk])


def _identify(hall, letter):
    return reverse("hall:kiosk_identify", args=[hall["hall"].pk, hall["zones"][letter].pk])


def _check_in(hall):
    return reverse("hall:kiosk_check_in", args=[hall["hall"].pk])


def _ss(hall, name="self_service"):
    return reverse(f"hall:{name}", args=[hall["hall"].pk])


# --- choosing a business ---------------------------------------------------------------------


def test_the_kiosk_start_lists_the_zones_that_take_tickets_with_letters_and_names(client, hall):
    response = client.get(_kiosk(hall))
    assert response.status_code == 200
    page = _html(response)
    for letter in ("A", "B", "G"):
        assert f'href="{_identify(hall, letter)}"' in page
        assert hall["zones"][letter].name in page
    assert _identify(hall, "F") not in page  # the self-service area has no queue
    assert f'href="{_check_in(hall)}"' in page


def test_the_kiosk_start_shows_how_many_people_wait_in_each_zone(client, hall):
    services.ticket_issue(
        hall_id=hall["hall"].pk, zone_id=hall["zones"]["B"].pk, source="kiosk", phone="13800000001"
    )
    assert "B区 · 等候 1 人" in _plain(client.get(_kiosk(hall)))
    assert "A区 · 等候 0 人" in _plain(client.get(_kiosk(hall)))


def test_an_unknown_hall_is_not_found(client, hall):
    assert client.get(reverse("hall:kiosk", args=[hall["hall"].pk + 999])).status_code == 404


# --- identify and take the ticket -------------------------------------------------------------


def test_a_resident_takes_a_ticket_with_an_id_number_and_sees_number_people_ahead_and_windows(
    client, hall, make_person
):
    services.ticket_issue(
        hall_id=hall["hall"].pk, zone_id=hall["zones"]["A"].pk, source="kiosk", phone="13800000009"
    )
    person = make_person(name="李四", phone="13900000001")
    response = client.post(_identify(hall, "A"), {"resident_id": person.resident_id, "phone": ""})
    assert response.status_code == 302
    ticket = Ticket.objects.get(person=person)
    assert ticket.number == "A002" and ticket.source == "kiosk"
    page = client.get(response["Location"])
    text = _plain(page)
    assert "A002" in text
    assert "前方等待 1 人" in text
    assert "A区 " + hall["zones"]["A"].name in text
    assert "1号、2号、4号窗口" in text  # 4 is a B window that also calls A
    assert "3号" not in text
    assert "过号需重新取号" in text
    assert timezone.localtime(ticket.issued_at).strftime("%Y-%m-%d %H:%M") in text
    assert 'data-kk-say="您已领取A002号，前方等待1人"' in _html(page)
    assert ticket.id_masked in text and person.resident_id not in _html(page)
    assert "13900000001" not in _html(page)


def test_a_resident_takes_a_ticket_with_a_mobile_number_and_sees_it_masked(client, hall):
    response = client.post(_identify(hall, "B"), {"resident_id": "", "phone": "138 0000 0001"})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.number == "B001" and ticket.phone == "13800000001"
    page = client.get(response["Location"])
    assert "138****0001" in _plain(page)
    assert "13800000001" not in _html(page)
    assert "前方等待 0 人" in _plain(page)
    assert "3号、4号窗口" in _plain(page)


def test_a_double_post_gives_one_ticket_and_the_second_page_says_it_was_taken(client, hall):
    first = client.post(_identify(hall, "A"), {"phone": "13800000001"})
    second = client.post(_identify(hall, "A"), {"phone": "13800000001"})
    assert first.status_code == second.status_code == 302
    assert Ticket.objects.count() == 1
    assert "您已取过号" not in _plain(client.get(first["Location"]))
    again = _plain(client.get(second["Location"]))
    assert "您已取过号" in again and "A001" in again


@pytest.mark.parametrize(
    "data, message",
    [
        ({"resident_id": "37130219800101001", "phone": ""}, "身份证号码有误，请核对后重新输入。"),
        ({"resident_id": "", "phone": "1380000"}, "手机号码应为11位数字，以1开头。"),
        ({"resident_id": "", "phone": ""}, "请刷身份证、输入身份证号码或手机号码后取号。"),
    ],
)
def test_an_invalid_id_or_phone_gets_a_chinese_error_on_the_form_and_no_ticket(client, hall, data, message):
    response = client.post(_identify(hall, "A"), data)
    assert response.status_code == 400
    assert message in _plain(response)
    assert Ticket.objects.count() == 0
    typed = data["resident_id"] or data["phone"]
    if typed:
        assert typed not in _html(response)  # the typed number is not left on the screen


def test_the_kiosk_cannot_take_a_ticket_for_the_self_service_zone(client, hall):
    response = client.post(_identify(hall, "F"), {"phone": "13800000001"})
    assert response.status_code == 400
    assert "该区域无需取号" in _plain(response)
    assert Ticket.objects.count() == 0
    assert client.get(_identify(hall, "F")).status_code == 400


def test_a_closed_hall_refuses_the_ticket_with_its_opening_hours(client, hall, monkeypatch):
    monkeypatch.setattr(services, "is_open", lambda hall, at: False)
    start = _plain(client.get(_kiosk(hall)))
    assert "现在不在办公时间" in start
    response = client.post(_identify(hall, "A"), {"phone": "13800000001"})
    assert response.status_code == 400
    assert "现在不在办公时间" in _plain(response)
    assert Ticket.objects.count() == 0


def test_a_forged_ticket_link_leads_back_to_the_start(client, hall):
    url = reverse("hall:kiosk_ticket", args=[hall["hall"].pk, "forged-token"])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == _kiosk(hall)


def test_a_ticket_link_of_another_hall_shows_nothing(client, hall, regions):
    from banhao.org import services as org_services

    other = org_services.hall_ensure(
        actor="测试", name="沂南县政务服务中心", region=regions["yinan"], address="-"
    )
    response = client.post(_identify(hall, "A"), {"phone": "13800000001"})
    token = response["Location"].rstrip("/").rsplit("/", 1)[1]
    elsewhere = client.get(reverse("hall:kiosk_ticket", args=[other.pk, token]))
    assert elsewhere.status_code == 302 and "A001" not in _html(elsewhere)


# --- the idle reset and the page rules ---------------------------------------------------------


def test_kiosk_pages_carry_the_idle_reset_and_are_never_cached(client, hall):
    start = client.get(_kiosk(hall))
    assert 'data-idle-seconds="90"' in _html(start)
    assert f'data-home="{_kiosk(hall)}"' in _html(start)
    assert 'id="kk-idle"' in _html(start) and "hall-kiosk.js" in _html(start)
    assert "no-store" in start["Cache-Control"]
    ticket = client.get(client.post(_identify(hall, "A"), {"phone": "13800000001"})["Location"])
    assert 'data-idle-seconds="30"' in _html(ticket)
    assert f'http-equiv="refresh" content="50;url={_kiosk(hall)}"' in _html(ticket)  # without JS too
    assert "no-store" in ticket["Cache-Control"]
    menu = client.get(_ss(hall))
    assert f'data-home="{_ss(hall)}"' in _html(menu)


def test_the_idle_seconds_are_configurable(client, hall, settings):
    settings.BANHAO_KIOSK_IDLE_SECONDS = 120
    assert 'data-idle-seconds="120"' in _html(client.get(_kiosk(hall)))


def test_kiosk_pages_have_no_inline_scripts_or_styles(client, hall, published_implementation):
    impl, _ = published_implementation
    pages = [
        client.get(_kiosk(hall)),
        client.get(_identify(hall, "A")),
        client.get(client.post(_identify(hall, "A"), {"phone": "13800000001"})["Location"]),
        client.get(_check_in(hall)),
        client.get(_ss(hall)),
        client.get(_ss(hall, "self_service_guide"), {"q": "食品"}),
        client.get(reverse("hall:self_service_guide_detail", args=[hall["hall"].pk, impl.pk])),
        client.get(_ss(hall, "self_service_lookup")),
        client.get(_ss(hall, "self_service_decision")),
    ]
    for page in pages:
        assert page.status_code == 200
        source = _html(page)
        assert " style=" not in source and " onclick=" not in source
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", source)


# --- appointment check-in ----------------------------------------------------------------------


def _booking_for_today(hall, person, code="K7Q2M9TX"):
    """A booking today whose slot contains now, whatever the hour the suite runs at."""
    user = get_user_model().objects.create_user(username="13900000011", password="x", kind="applicant")
    return Appointment.objects.create(
        code=code,
        hall=hall["hall"],
        zone=hall["zones"]["A"],
        user=user,
        person=person,
        phone="13900000011",
        day=timezone.localdate(),
        start=dt.time(0, 0),
        end=dt.time(23, 59, 59),
    )


def test_the_service_turns_a_booking_into_a_ticket_inside_its_slot(hall, make_person):
    person = make_person(name="王芳", phone="13900000011")
    user = get_user_model().objects.create_user(username="13900000011", password="x", kind="applicant")
    tuesday = dt.date(2026, 11, 24)
    booked_on = timezone.make_aware(dt.datetime(2026, 11, 23, 10, 0))
    appt = services.appointment_book(
        user=user,
        person_id=person.pk,
        phone="13900000011",
        hall_id=hall["hall"].pk,
        zone_id=hall["zones"]["A"].pk,
        day=tuesday,
        start=dt.time(9, 0),
        now=booked_on,
    )
    ticket = services.appointment_check_in(
        hall_id=hall["hall"].pk, code=appt.code, now=timezone.make_aware(dt.datetime(2026, 11, 24, 8, 50))
    )
    appt.refresh_from_db()
    assert appt.status == Appointment.Status.CHECKED_IN and appt.ticket == ticket
    assert ticket.source == "appointment" and ticket.number == "A001"


def test_check_in_with_the_booking_code_leads_to_the_ticket_page(client, hall, make_person):
    person = make_person(name="王芳", phone="13900000011")
    appt = _booking_for_today(hall, person)
    response = client.post(_check_in(hall), {"code": appt.code.lower(), "resident_id": ""})
    assert response.status_code == 302
    appt.refresh_from_db()
    assert appt.status == Appointment.Status.CHECKED_IN and appt.ticket is not None
    text = _plain(client.get(response["Location"]))
    assert appt.ticket.number in text and "预约时段 00:00—23:59" in text
    assert person.resident_id not in text


def test_check_in_with_the_id_number_and_a_double_tap_give_one_ticket(client, hall, make_person):
    person = make_person(name="王芳", phone="13900000011")
    _booking_for_today(hall, person)
    first = client.post(_check_in(hall), {"code": "", "resident_id": person.resident_id})
    second = client.post(_check_in(hall), {"code": "", "resident_id": person.resident_id})
    assert first.status_code == second.status_code == 302
    assert Ticket.objects.count() == 1
    assert "您已取过号" in _plain(client.get(second["Location"]))


def test_check_in_with_an_unknown_code_says_so_in_chinese_and_changes_nothing(client, hall):
    response = client.post(_check_in(hall), {"code": "ZZZZ2222", "resident_id": ""})
    assert response.status_code == 400
    assert "没有找到您今天在本大厅的有效预约" in _plain(response)
    assert Ticket.objects.count() == 0


def test_check_in_without_code_or_id_asks_for_one(client, hall):
    response = client.post(_check_in(hall), {"code": "", "resident_id": ""})
    assert response.status_code == 400 and "请输入预约码或身份证号码。" in _plain(response)


# --- the 24-hour self-service area -------------------------------------------------------------


def test_the_self_service_menu_has_five_large_tiles(client, hall):
    page = _html(client.get(_ss(hall)))
    for name in ("查办事指南", "自助取号", "办件查询", "打印决定书", "服务评价"):
        assert name in page
    for target in (
        _ss(hall, "self_service_guide"),
        _kiosk(hall),
        _ss(hall, "self_service_lookup"),
        _ss(hall, "self_service_decision"),
        reverse("rating:kiosk", args=[hall["hall"].pk]),  # evaluation's page, linked by name
    ):
        assert f'href="{target}"' in page
    assert page.count('class="kk-tile"') == 5


def test_the_guide_search_finds_items_of_the_hall_region_and_opens_them_in_kiosk_mode(
    client, hall, published_implementation
):
    impl, _ = published_implementation
    response = client.get(_ss(hall, "self_service_guide"), {"q": "食品经营"})
    detail = reverse("hall:self_service_guide_detail", args=[hall["hall"].pk, impl.pk])
    assert f'href="{detail}"' in _html(response)
    text = _plain(response)
    assert "食品经营许可" in text and "兰山区行政审批服务局" in text and "5个工作日" in text
    page = client.get(detail)
    assert page.status_code == 200
    text = _plain(page)
    assert "食品经营许可申请书" in text and "营业执照" in text and "不收费" in text
    assert 'src="data:image/svg+xml' in _html(page)  # the QR code to the full guide


def test_the_guide_search_says_when_nothing_matches(client, hall, published_implementation):
    text = _plain(client.get(_ss(hall, "self_service_guide"), {"q": "潜水执照"}))
    assert "没有找到与“潜水执照”相关的事项" in text


def test_an_unpublished_guide_is_not_found(client, hall):
    assert (
        client.get(reverse("hall:self_service_guide_detail", args=[hall["hall"].pk, 9999])).status_code == 404
    )


def test_the_case_lookup_shows_the_status_with_the_applicant_masked(client, hall, make_case):
    case = case_services.case_accept(actor="测试", case=make_case(), on=dt.date(2026, 2, 13))
    response = client.post(_ss(hall, "self_service_lookup"), {"number": case.number, "phone": "13800000001"})
    assert response.status_code == 200
    text = _plain(response)
    assert "已受理" in text and "兰山区行政审批服务局" in text and "王*" in text
    assert "王芳" not in text and "13800000001" not in text


def test_a_wrong_lookup_pair_gets_the_neutral_message(client, hall, make_case):
    case = make_case()
    response = client.post(_ss(hall, "self_service_lookup"), {"number": case.number, "phone": "13900000000"})
    assert response.status_code == 400
    assert LOOKUP_FAILED in _plain(response) and "兰山区行政审批服务局" not in _plain(response)


def test_failed_lookups_at_the_kiosk_count_for_the_same_throttle_as_the_web_lookup(
    client, hall, make_case, settings
):
    settings.BANHAO_LOOKUP_MAX_FAILURES_PER_HOUR = 3
    case = make_case()
    url = _ss(hall, "self_service_lookup")
    for _ in range(3):
        assert LOOKUP_FAILED in _plain(client.post(url, {"number": case.number, "phone": "13900000000"}))
    blocked = client.post(url, {"number": case.number, "phone": "13800000001"})
    assert LOOKUP_THROTTLED in _plain(blocked) and "兰山区行政审批服务局" not in _plain(blocked)
    web = client.post(reverse("cases:lookup"), {"number": case.number, "phone": "13800000001"})
    assert "查询失败次数过多" in _plain(web)


def _decided(make_case, approved=True):
    """A case accepted, claimed by a reviewer and decided."""
    case = case_services.case_accept(actor="测试", case=make_case(), on=dt.date(2026, 2, 13))
    reviewer, _ = get_user_model().objects.get_or_create(username="reviewer-k", defaults={"kind": "staff"})
    case = case_services.case_claim(actor=reviewer, case=case)
    reason = "" if approved else "经营场所不符合要求"
    return case_services.case_decide(actor="测试", case=case, approved=approved, reason=reason)


def test_the_decision_prints_only_with_the_right_case_number_and_id(client, hall, make_case):
    case = _decided(make_case)
    url = _ss(hall, "self_service_decision")
    ready = client.post(url, {"number": case.number, "resident_id": case.person.resident_id})
    assert ready.status_code == 200
    match = re.search(r'<iframe[^>]*src="([^"]+)"', _html(ready))
    assert match, "the decision page frames the PDF"
    pdf = client.get(match.group(1))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("inline")
    assert pdf.content.startswith(b"%PDF")
    assert "frame-ancestors 'self'" in pdf["Content-Security-Policy"]


def test_a_wrong_pair_or_an_undecided_case_gets_one_neutral_message_and_no_pdf(
    client, hall, make_case, make_person
):
    decided = _decided(make_case)
    undecided = case_services.case_accept(actor="测试", case=make_case(), on=dt.date(2026, 2, 13))
    stranger = make_person(name="赵磊")
    url = _ss(hall, "self_service_decision")
    for number, rid in (
        (decided.number, stranger.resident_id),
        (undecided.number, undecided.person.resident_id),
        ("371302-20260101-99999", decided.person.resident_id),
    ):
        response = client.post(url, {"number": number, "resident_id": rid})
        assert response.status_code == 400
        assert DECISION_FAILED in _plain(response)
        assert "<iframe" not in _html(response)


def test_a_forged_decision_link_gives_no_pdf(client, hall):
    url = reverse("hall:self_service_decision_pdf", args=[hall["hall"].pk, "forged"])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == _ss(hall)


def test_wrong_decision_pairs_count_for_the_lookup_throttle(client, hall, make_case, make_person, settings):
    settings.BANHAO_LOOKUP_MAX_FAILURES_PER_HOUR = 2
    case = _decided(make_case)
    url = _ss(hall, "self_service_decision")
    wrong = make_person(name="赵磊").resident_id
    for _ in range(2):
        client.post(url, {"number": case.number, "resident_id": wrong})
    blocked = client.post(url, {"number": case.number, "resident_id": case.person.resident_id})
    assert blocked.status_code == 400 and LOOKUP_THROTTLED in _plain(blocked)
    assert "<iframe" not in _html(blocked)
