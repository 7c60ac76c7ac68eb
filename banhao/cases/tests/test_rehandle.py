"""重办: a delivered or concluded case goes back to review (a dissatisfied 12345 callback), with
its own working-day deadline; refused from every other status and for roles without the right."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from banhao.cases import api, commands, selectors, services
from banhao.cases.models import Case, CaseEvent, Status
from banhao.cases.tests.factories import advance
from banhao.core.calendar import add_workdays
from banhao.org.api import scope_for_user
from banhao.org.models import Department

pytestmark = pytest.mark.django_db
D = dt.date
REASON = "回访时申请人表示不满意：许可证载明的经营项目有误"


@pytest.fixture
def hotline(make_staff):
    return make_staff("hotline", region="city")


@pytest.fixture
def delivered(make_case):
    return advance(make_case(), delivered=True)


def _reload(case) -> Case:
    return Case.objects.get(pk=case.pk)


def test_a_delivered_case_goes_back_to_review_with_its_own_deadline(delivered, hotline, make_staff):
    first_due = delivered.promised_due
    info = api.case_act(delivered.pk, "rehandle", hotline, reason=REASON, days=5)

    assert info.status == Status.UNDER_REVIEW
    case = _reload(delivered)
    today = timezone.localdate()
    assert case.rehandle_count == 1
    assert case.rehandle_on == today
    assert case.rehandle_due == add_workdays(today, 5)
    assert case.promised_due == case.rehandle_due  # the countdown and warnings follow the re-handling
    assert case.first_promised_due == first_due
    assert case.rehandle_reason == REASON
    assert case.warning == "none"
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.action, event.from_status, event.to_status) == ("rehandle", "delivered", "under_review")
    assert event.note == REASON and event.data["days"] == 5
    assert event.actor_id == hotline.pk

    # the department's reviewer finds it in the inbox, marked 重办
    dept = Department.objects.get(name="兰山区行政审批服务局")
    reviewer = make_staff("reviewer", region="lanshan", department=dept)
    numbers = [c.number for c in selectors.inbox(scope_for_user(reviewer), reviewer)]
    assert case.number in numbers


def test_a_concluded_case_can_be_sent_back_twice_and_keeps_its_first_promise(make_case, hotline):
    case = advance(make_case(), concluded=True)
    first_due = case.promised_due
    api.case_act(case.pk, "rehandle", hotline, reason=REASON, days=3)
    case = _reload(case)
    # handled again: decided, result ready, delivered
    services.case_decide(actor="测试", case=case, approved=True, reason="")
    services.case_result_ready(actor="测试", case=_reload(case))
    services.case_deliver(actor="测试", case=_reload(case), method="pickup")
    api.case_act(case.pk, "rehandle", "12345回访", reason="第二次回访仍不满意", days=2)
    case = _reload(case)
    assert case.status == Status.UNDER_REVIEW
    assert case.rehandle_count == 2
    assert case.first_promised_due == first_due
    assert case.rehandle_due == add_workdays(timezone.localdate(), 2)


def test_the_re_handling_deadline_counts_working_days_across_national_day_2026(delivered):
    # Wed 2026-09-30: 10/1-10/7 off, Thu 10/8 is day 1, Fri 10/9 day 2, Sat 10/10 (make-up) day 3
    case = services.case_rehandle(actor="测试", case=delivered, reason=REASON, days=3, on=D(2026, 9, 30))
    assert case.rehandle_due == D(2026, 10, 10)
    assert _reload(case).promised_due == D(2026, 10, 10)


def test_a_special_procedure_during_re_handling_moves_only_the_re_handling_deadline(delivered):
    case = services.case_rehandle(actor="测试", case=delivered, reason=REASON, days=5, on=D(2026, 3, 2))
    assert case.rehandle_due == D(2026, 3, 9)
    statutory = case.statutory_due
    case = services.case_suspend(
        actor="测试", case=_reload(case), kind="inspection", reason="检测", expected_days=3, on=D(2026, 3, 3)
    )
    services.case_resume(actor="测试", case=_reload(case), on=D(2026, 3, 5))  # paused Tue 3/3 - Wed 3/4
    case = _reload(case)
    assert case.rehandle_due == D(2026, 3, 11)
    assert case.promised_due == D(2026, 3, 11)
    assert case.statutory_due == statutory  # the law's limit of the first handling is not renewed


@pytest.mark.parametrize(
    "traits",
    [{}, {"accepted": True}, {"under_review": True}, {"approved": True}, {"result_ready": True}],
    ids=["submitted", "accepted", "under_review", "approved", "result_ready"],
)
def test_re_handling_is_refused_from_every_other_status(make_case, hotline, traits):
    case = advance(make_case(), **traits)
    before = _reload(case).status
    with pytest.raises(ValidationError) as e:
        api.case_act(case.pk, "rehandle", hotline, reason=REASON, days=5)
    assert "不能“退回重办”" in str(e.value)
    case = _reload(case)
    assert case.status == before and case.rehandle_count == 0


def test_a_refused_or_withdrawn_case_is_not_re_handled(make_case, hotline):
    refused = advance(make_case(), refused=True)
    withdrawn = services.case_withdraw(actor="测试", case=make_case(), reason="")
    for case in (refused, withdrawn):
        with pytest.raises(ValidationError):
            api.case_act(case.pk, "rehandle", hotline, reason=REASON, days=5)
        assert _reload(case).rehandle_count == 0


def test_roles_without_the_right_and_staff_outside_the_region_are_refused(delivered, make_staff):
    clerk = make_staff("window_clerk", region="lanshan")
    with pytest.raises(PermissionDenied):
        api.case_act(delivered.pk, "rehandle", clerk, reason=REASON, days=5)
    elsewhere = make_staff("hotline", region="yinan")
    with pytest.raises(commands.CaseNotFound):
        api.case_act(delivered.pk, "rehandle", elsewhere, reason=REASON, days=5)
    assert _reload(delivered).status == Status.DELIVERED


@pytest.mark.parametrize(
    ("details", "field", "message"),
    [
        ({"days": 5}, "reason", "请写明重办原因。"),
        ({"reason": REASON}, "days", "请填写重办时限（工作日）。"),
        ({"reason": REASON, "days": 0}, "days", "重办时限至少1个工作日。"),
        ({"reason": REASON, "days": "五"}, "days", "重办时限应为整数（工作日）。"),
        ({"reason": REASON, "days": 61}, "days", "重办时限不能超过60个工作日。"),
    ],
)
def test_bad_parameters_are_refused_in_chinese_and_nothing_changes(
    delivered, hotline, details, field, message
):
    with pytest.raises(ValidationError) as e:
        api.case_act(delivered.pk, "rehandle", hotline, **details)
    assert e.value.message_dict[field] == [message]
    case = _reload(delivered)
    assert case.status == Status.DELIVERED and case.rehandle_count == 0
    assert not CaseEvent.objects.filter(case=case, action="rehandle").exists()


def test_the_case_page_does_not_offer_re_handling_as_a_plain_button(delivered, hotline):
    assert "rehandle" not in commands.case_offers(delivered.pk, hotline)


def test_the_applicant_is_told_of_the_re_handling_and_its_new_date(delivered, hotline):
    from banhao.notify.models import Message

    api.case_act(delivered.pk, "rehandle", hotline, reason=REASON, days=5)
    due = _reload(delivered).rehandle_due
    sms = Message.objects.filter(phone=delivered.contact_phone).order_by("-id").first()
    assert sms is not None
    assert "退回重新办理" in sms.text
    assert f"{due.year}年{due.month}月{due.day}日" in sms.text


def test_the_inbox_and_the_case_page_say_it_is_being_re_handled(client, delivered, hotline, make_staff):
    from django.urls import reverse

    api.case_act(delivered.pk, "rehandle", hotline, reason=REASON, days=5)
    dept = Department.objects.get(name="兰山区行政审批服务局")
    client.force_login(make_staff("reviewer", region="lanshan", department=dept))
    inbox = client.get(reverse("cases_office:inbox")).content.decode()
    assert delivered.number in inbox and ">重办</span>" in inbox
    page = client.get(reverse("cases_office:case_detail", args=[delivered.number])).content.decode()
    assert "第1次重办" in page and REASON in page
