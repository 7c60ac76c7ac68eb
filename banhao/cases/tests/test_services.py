"""A case's life: every transition, every refused transition, and the clock that governs it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from banhao.cases import services, states
from banhao.cases.models import Case, CaseEvent, Pause, Status, Warning

pytestmark = pytest.mark.django_db
D = dt.date


def test_a_new_case_has_a_human_readable_number_of_region_date_and_sequence(make_case):
    first, second = make_case(), make_case()
    assert first.number.startswith("371302-") and first.number.endswith("-00001")
    assert second.number.endswith("-00002")
    assert first.events.get().action == "submit"


def test_a_double_submit_with_the_same_key_creates_one_case(make_case, make_staff):
    user = make_staff("window_clerk")  # any logged-in account carries the key
    a, b = make_case(key="form-123", user=user), make_case(key="form-123", user=user)
    assert a.pk == b.pk and Case.objects.count() == 1


def test_acceptance_dates_the_case_across_the_spring_festival(make_case):
    case = services.case_accept(actor="测试", case=make_case(), on=D(2026, 2, 13))
    assert case.status == Status.ACCEPTED
    assert case.clock_start == D(2026, 2, 13)
    assert case.promised_due == D(2026, 2, 27)  # 5 days: 2/14 (make-up Sat), 2/24, 2/25, 2/26, 2/27
    # 10 days: 2/14, 2/24-2/27, 2/28 (make-up Sat), 3/2-3/5
    assert case.statutory_due == D(2026, 3, 5)


def test_a_correction_restarts_the_count_the_day_after_the_complete_materials_arrive(make_case):
    case = make_case()
    case = services.case_request_correction(
        actor="测试",
        case=case,
        items=[
            {"material": "营业执照", "reason": "已过有效期"},
            {"material": "授权委托书", "reason": "缺少委托人签字"},
        ],
    )
    assert case.status == Status.CORRECTION
    notice = case.events.get(action="request_correction")
    assert [i["material"] for i in notice.data["items"]] == [
        "营业执照",
        "授权委托书",
    ]  # one notice, every item
    case = services.case_resubmit(actor="测试", case=case, on=D(2026, 9, 30))
    case = services.case_accept(actor="测试", case=case, on=D(2026, 10, 9))
    assert case.clock_start == D(2026, 9, 30)
    assert case.promised_due == D(2026, 10, 13)  # 10/8, 10/9, 10/10 (make-up Sat), 10/12, 10/13


def test_a_correction_notice_must_give_a_reason_for_every_item(make_case):
    with pytest.raises(ValidationError):
        services.case_request_correction(
            actor="测试", case=make_case(), items=[{"material": "营业执照", "reason": ""}]
        )


def test_a_special_procedure_stops_the_clock_and_moves_the_due_date(make_case, make_staff):
    case = services.case_accept(actor="测试", case=make_case(), on=D(2026, 3, 2))
    case = services.case_claim(actor=make_staff("administrator"), case=case)
    assert case.status == Status.UNDER_REVIEW and case.promised_due == D(2026, 3, 9)
    case = services.case_suspend(
        actor="测试", case=case, kind="expert", reason="组织专家评审", expected_days=3, on=D(2026, 3, 4)
    )
    assert case.status == Status.SUSPENDED
    # resumed Monday 3/9: the pause covers 3/4..3/8, which holds 3 working days (3/4, 3/5, 3/6)
    case = services.case_resume(actor="测试", case=case, on=D(2026, 3, 9))
    assert case.status == Status.UNDER_REVIEW
    assert Pause.objects.get().ended_on == D(2026, 3, 8)
    assert case.promised_due == D(2026, 3, 12)


def test_the_full_life_of_an_approved_case(make_case, make_staff):
    reviewer = make_staff("administrator")
    case = services.case_accept(actor="测试", case=make_case(), on=D(2026, 11, 2))
    case = services.case_claim(actor=reviewer, case=case)
    assert case.status == Status.UNDER_REVIEW and case.assignee == reviewer
    case = services.case_record_opinion(
        actor=reviewer, case=case, opinion="材料齐全，符合条件", complete_step=True
    )
    case = services.case_decide(actor=reviewer, case=case, approved=True, reason="符合法定条件")
    case = services.case_result_ready(actor=reviewer, case=case)
    with pytest.raises(ValidationError):
        services.case_deliver(actor=reviewer, case=case, method="post")  # post needs a tracking number
    case = services.case_deliver(actor=reviewer, case=case, method="post", tracking_number="SF1234567890")
    case = services.case_conclude(actor=reviewer, case=case)
    assert case.status == Status.CONCLUDED
    assert list(case.events.values_list("action", flat=True)) == [
        "submit",
        "accept",
        "start_review",
        "opinion",
        "approve",
        "result_ready",
        "deliver",
        "conclude",
    ]


def test_a_denial_and_a_refusal_must_state_their_reasons(make_case, make_staff):
    with pytest.raises(ValidationError):
        services.case_refuse(actor="测试", case=make_case(), reason=" ")
    refused = services.case_refuse(
        actor="测试", case=make_case(), reason="不属于本机关职权范围", competent_office="临沂市市场监督管理局"
    )
    assert refused.status == Status.REFUSED and refused.competent_office == "临沂市市场监督管理局"
    case = services.case_claim(
        actor=make_staff("administrator"), case=services.case_accept(actor="测试", case=make_case())
    )
    with pytest.raises(ValidationError):
        services.case_decide(actor="测试", case=case, approved=False, reason="")


def test_the_applicant_may_withdraw_before_the_decision_but_not_after(make_case, make_staff):
    assert (
        services.case_withdraw(actor="测试", case=make_case(), reason="不再需要").status == Status.WITHDRAWN
    )
    case = services.case_claim(
        actor=make_staff("administrator"), case=services.case_accept(actor="测试", case=make_case())
    )
    case = services.case_decide(actor="测试", case=case, approved=True, reason="")
    with pytest.raises(ValidationError) as err:
        services.case_withdraw(actor="测试", case=case)
    assert "不能“撤回申请”" in err.value.messages[0]


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (Status.SUBMITTED, "approve"),
        (Status.CORRECTION, "accept"),
        (Status.REFUSED, "accept"),
        (Status.CONCLUDED, "withdraw"),
        (Status.APPROVED, "suspend"),
        (Status.DELIVERED, "deliver"),
    ],
)
def test_refused_transitions_say_why_in_chinese(status, action):
    with pytest.raises(ValidationError) as err:
        states.transition(status, action)
    assert f"办件当前状态为“{Status(status).label}”" in err.value.messages[0]


def test_every_status_but_the_final_ones_has_a_way_forward():
    final = {Status.CONCLUDED, Status.WITHDRAWN}
    for status in Status.values:
        forward = [a for a in states.allowed_actions(status) if a != "rehandle"]
        assert bool(forward) == (status not in final), status
    # a concluded case only goes back, when a 12345 callback sends it for re-handling (重办)
    assert states.allowed_actions(Status.CONCLUDED) == ["rehandle"]


def test_the_warning_sweep_turns_cases_yellow_then_red_and_escalates_once(make_case):
    case = services.case_accept(actor="测试", case=make_case(), on=D(2026, 3, 2))  # due 3/9, yellow from 3/6
    assert case.warn_on == D(2026, 3, 6)
    assert services.warning_sweep(D(2026, 3, 5)) == {"yellow": 0, "red": 0}
    assert services.warning_sweep(D(2026, 3, 6)) == {"yellow": 1, "red": 0}
    assert Case.objects.get(pk=case.pk).warning == Warning.YELLOW
    warning = CaseEvent.objects.get(case=case, action="warning")  # the yellow change is an event too
    assert warning.data == {"level": "yellow"} and warning.actor_label == "系统"
    assert services.warning_sweep(D(2026, 3, 6)) == {"yellow": 0, "red": 0}
    assert CaseEvent.objects.filter(case=case, action="warning").count() == 1
    assert services.warning_sweep(D(2026, 3, 10)) == {"yellow": 0, "red": 1}
    assert services.warning_sweep(D(2026, 3, 11)) == {"yellow": 0, "red": 0}  # incremental: nothing new
    assert CaseEvent.objects.filter(case=case, action="escalate").count() == 1


def test_suspended_cases_are_not_swept(make_case, make_staff):
    case = services.case_claim(
        actor=make_staff("administrator"),
        case=services.case_accept(actor="测试", case=make_case(), on=D(2026, 3, 2)),
    )
    services.case_suspend(
        actor="测试", case=case, kind="inspection", reason="送检", expected_days=10, on=D(2026, 3, 3)
    )
    assert services.warning_sweep(D(2026, 4, 1)) == {"yellow": 0, "red": 0}


def test_the_sweep_command_reports_what_it_changed(make_case):
    import io

    from django.core.management import CommandError, call_command

    services.case_accept(actor="测试", case=make_case(), on=D(2026, 3, 2))
    out = io.StringIO()
    call_command("cases_sweep", "--date", "2026-03-10", stdout=out)
    assert "新增超期 1 件" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("cases_sweep", "--date", "2026-13-01")
