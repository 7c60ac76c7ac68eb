"""The applicant's side: 我的办件, a case's timeline and withdrawal, and the public lookup."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from banhao.cases import services
from banhao.cases.applicant_views import mask_name, next_step_for_applicant
from banhao.cases.models import Status
from banhao.cases.self_service_api import LOOKUP_FAILED
from conftest import PASSWORD

pytestmark = pytest.mark.django_db
D = dt.date
ITEMS = [
    {"material": "营业执照", "reason": "已过有效期"},
    {"material": "授权委托书", "reason": "缺少委托人签字"},
]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the lookup throttle and the PDF cache live there
    yield
    cache.clear()


def _applicant(username="13800000001", name="王芳"):
    return get_user_model().objects.create_user(
        username=username, password=PASSWORD, kind="applicant", display_name=name
    )


@pytest.fixture
def applicant(db):
    return _applicant()


@pytest.fixture
def reviewer():
    user, _ = get_user_model().objects.get_or_create(username="reviewer-x", defaults={"kind": "staff"})
    return user


def _html(response) -> str:
    return response.content.decode()


def _plain(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", _html(response)))


# --- what is expected next ---------------------------------------------------------------------


def test_the_next_step_follows_the_status(make_case, applicant, reviewer):
    case = make_case(key="a", user=applicant)
    assert next_step_for_applicant(case) == "等待受理（一般1个工作日内）"
    case = services.case_request_correction(actor="测试", case=case, items=ITEMS)
    step = next_step_for_applicant(case)
    assert step.startswith("请按一次性告知书补正以下材料：")
    assert "营业执照（已过有效期）" in step and "授权委托书（缺少委托人签字）" in step
    case = services.case_resubmit(actor=applicant, case=case, on=D(2026, 2, 12))
    assert "补正材料已提交" in next_step_for_applicant(case)
    case = services.case_accept(actor="测试", case=case, on=D(2026, 2, 13))
    assert "承诺于2026年2月26日前办结" in next_step_for_applicant(case)
    case = services.case_claim(actor=reviewer, case=case)
    case = services.case_suspend(actor="测试", case=case, kind="hearing", reason="听证", expected_days=5)
    assert "听证" in next_step_for_applicant(case) and "不计入办理时限" in next_step_for_applicant(case)
    case = services.case_resume(actor="测试", case=case)
    case = services.case_decide(actor="测试", case=case, approved=True, reason="")
    assert "食品经营许可证" in next_step_for_applicant(case)
    case = services.case_result_ready(actor="测试", case=case)
    assert next_step_for_applicant(case) == "请到统一出件窗口领取或等待邮寄"


def test_a_refusal_tells_where_to_go_and_the_remedies(make_case, applicant):
    case = services.case_refuse(
        actor="测试", case=make_case(user=applicant), reason="不属于本机关职权", competent_office="市监局"
    )
    step = next_step_for_applicant(case)
    assert "不属于本机关职权" in step and "请向市监局提出申请" in step and "行政复议" in step


# --- 我的办件 ----------------------------------------------------------------------------------


def test_my_cases_lists_only_my_own_newest_first(client, make_case, applicant):
    other = _applicant("13900000002", "李四")
    first = make_case(key="1", user=applicant)
    second = make_case(key="2", user=applicant)
    theirs = make_case(key="3", user=other)
    services.case_accept(actor="测试", case=second, on=D(2026, 2, 13))
    client.force_login(applicant)
    response = client.get(reverse("cases:mine"))
    assert response.status_code == 200
    html = _html(response)
    assert first.number in html and second.number in html
    assert theirs.number not in html
    assert html.index(second.number) < html.index(first.number)  # newest first
    text = _plain(response)
    assert "已受理" in text and "2026年2月27日" in text  # status and promised due date
    assert "等待受理（一般1个工作日内）" in text  # what the other case waits for
    assert reverse("cases:detail", args=[first.number]) in html


def test_my_cases_needs_a_login(client):
    response = client.get(reverse("cases:mine"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- one case ------------------------------------------------------------------------------------


def test_the_owner_sees_every_event_the_dates_the_notices_and_can_withdraw(
    client, make_case, applicant, reviewer
):
    case = make_case(key="a", user=applicant)
    case = services.case_request_correction(actor="测试", case=case, items=ITEMS, note="请一次补齐")
    case = services.case_resubmit(actor=applicant, case=case, on=D(2026, 2, 12))
    case = services.case_accept(actor="测试", case=case, on=D(2026, 2, 13))
    case = services.case_claim(actor=reviewer, case=case)
    services.case_record_opinion(actor=reviewer, case=case, opinion="内部意见：材料无误")
    client.force_login(applicant)
    response = client.get(reverse("cases:detail", args=[case.number]))
    assert response.status_code == 200
    text = _plain(response)
    for label in ("提交申请", "一次性告知补正", "补正后重新提交", "受理", "开始审查", "审查意见"):
        assert label in text
    assert "营业执照：已过有效期" in text and "请一次补齐" in text
    assert "内部意见" not in text  # the reviewer's note stays in the office
    assert "当前状态：审查中" in text
    assert "2026年2月13日" in text and "2026年2月26日" in text
    html = _html(response)
    assert reverse("cases:notice", args=[case.number, "acceptance"]) in html
    assert reverse("cases:notice", args=[case.number, "correction"]) in html
    assert reverse("cases:notice", args=[case.number, "decision"]) not in html
    assert reverse("cases:withdraw", args=[case.number]) in html


def test_no_withdraw_button_after_a_decision(client, make_case, applicant, reviewer):
    case = services.case_accept(actor="测试", case=make_case(user=applicant), on=D(2026, 2, 13))
    case = services.case_claim(actor=reviewer, case=case)
    case = services.case_decide(actor="测试", case=case, approved=True, reason="")
    client.force_login(applicant)
    html = _html(client.get(reverse("cases:detail", args=[case.number])))
    assert reverse("cases:withdraw", args=[case.number]) not in html
    assert reverse("cases:notice", args=[case.number, "decision"]) in html
    response = client.post(reverse("cases:withdraw", args=[case.number]), {"confirm": "1"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.APPROVED


def test_the_owner_withdraws_after_confirming(client, make_case, applicant):
    case = make_case(user=applicant)
    client.force_login(applicant)
    url = reverse("cases:withdraw", args=[case.number])
    client.post(url, {"reason": "不再需要"})  # not confirmed: nothing happens
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED
    response = client.post(url, {"reason": "不再需要", "confirm": "1"}, follow=True)
    case.refresh_from_db()
    assert case.status == Status.WITHDRAWN
    assert "您的申请已撤回" in _html(response)
    event = case.events.get(action="withdraw")
    assert event.note == "不再需要" and event.actor == applicant


def test_anyone_else_gets_404_for_the_case_and_its_withdrawal(client, make_case, applicant, make_staff):
    case = make_case(user=applicant)
    client.force_login(_applicant("13900000002", "李四"))
    assert client.get(reverse("cases:detail", args=[case.number])).status_code == 404
    assert client.post(reverse("cases:withdraw", args=[case.number]), {"confirm": "1"}).status_code == 404
    client.force_login(make_staff("window_clerk", region="yinan"))
    assert client.get(reverse("cases:detail", args=[case.number])).status_code == 404
    client.force_login(make_staff("window_clerk", region="lanshan"))  # in scope: sees it, cannot withdraw
    response = client.get(reverse("cases:detail", args=[case.number]))
    assert response.status_code == 200 and reverse("cases:withdraw", args=[case.number]) not in _html(
        response
    )
    assert client.post(reverse("cases:withdraw", args=[case.number]), {"confirm": "1"}).status_code == 404
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED
    client.force_login(applicant)
    assert client.get(reverse("cases:detail", args=["371302-20260101-99999"])).status_code == 404


def test_the_case_page_sends_visitors_to_log_in(client, make_case, applicant):
    case = make_case(user=applicant)
    response = client.get(reverse("cases:detail", args=[case.number]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the public lookup ---------------------------------------------------------------------------


def test_names_are_masked():
    assert mask_name("王芳") == "王*"
    assert mask_name("欧阳娜娜") == "欧阳**"
    assert mask_name("临沂某餐饮店") == "临沂**饮店"


def test_the_lookup_shows_the_status_and_no_personal_data(client, make_case):
    case = services.case_accept(actor="测试", case=make_case(), on=D(2026, 2, 13))
    response = client.post(reverse("cases:lookup"), {"number": case.number, "phone": "138 0000 0001"})
    assert response.status_code == 200
    text = _plain(response)
    assert "已受理" in text and "食品经营许可（新办）" in text and "兰山区行政审批服务局" in text
    assert "2026年2月13日" in text and "2026年2月27日" in text
    assert "王*" in text and "王芳" not in text
    assert "13800000001" not in text and "临沂某餐饮店" not in text
    assert "最近办理时间" in text


def test_a_wrong_phone_and_an_unknown_number_get_the_same_answer(client, make_case):
    case = make_case()
    wrong_phone = client.post(reverse("cases:lookup"), {"number": case.number, "phone": "13900000000"})
    unknown = client.post(
        reverse("cases:lookup"), {"number": "371302-20260101-99999", "phone": "13800000001"}
    )
    for response in (wrong_phone, unknown):
        assert response.status_code == 200
        assert LOOKUP_FAILED in _html(response)
        assert "兰山区行政审批服务局" not in _html(response)


def test_ten_failed_lookups_an_hour_lock_the_address(client, make_case):
    case = make_case()
    url = reverse("cases:lookup")
    for i in range(10):  # ten different numbers guessed: the address is locked, not a number
        guess = f"371302-20260101-{i:05d}"
        assert LOOKUP_FAILED in _html(client.post(url, {"number": guess, "phone": "13900000000"}))
    blocked = client.post(url, {"number": case.number, "phone": "13800000001"})
    assert "查询失败次数过多" in _html(blocked) and "兰山区行政审批服务局" not in _html(blocked)
    # another address is not affected
    other = client.post(url, {"number": case.number, "phone": "13800000001"}, REMOTE_ADDR="10.0.0.9")
    assert "兰山区行政审批服务局" in _html(other)


def test_the_lookup_form_is_public(client):
    response = client.get(reverse("cases:lookup"))
    assert response.status_code == 200
    assert "办件编号" in _html(response) and "手机号码" in _html(response)
