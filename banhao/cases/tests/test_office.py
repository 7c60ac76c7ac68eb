"""The back office: the inbox with its SLA countdown, the case page and its actions, scopes."""

import re

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from banhao.cases import services
from banhao.cases.models import Case, CaseEvent, CaseMaterial, Status, Warning
from banhao.cases.tests.factories import advance
from banhao.core.calendar import add_workdays
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

INBOX = "/office/cases/"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def page(number):
    return f"{INBOX}{number}/"


def act(client, number, action, **data):
    return client.post(f"{INBOX}{number}/actions/", {"action": action, **data}, follow=True)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def office(published_implementation, make_department, make_staff, make_case):
    """Two departments in 兰山区, each with a case; staff of the first department."""
    impl, version = published_implementation
    other = make_department("兰山区市场监督管理局", region="lanshan")
    ours, theirs = make_case(), make_case()
    Case.objects.filter(pk=theirs.pk).update(department=other)
    theirs.refresh_from_db()
    return {
        "impl": impl,
        "version": version,
        "dept": impl.department,
        "other_dept": other,
        "ours": ours,
        "theirs": theirs,
        "reviewer": make_staff("reviewer", region="lanshan", department=impl.department),
        "head": make_staff("department_head", region="lanshan", department=impl.department),
        "clerk": make_staff("window_clerk", region="lanshan"),
        "other_reviewer": make_staff("reviewer", region="lanshan", department=other),
    }


def _accepted(case):
    return advance(case, accepted=True)


def _under_review(case, reviewer):
    return advance(case, under_review=True, reviewer=reviewer)


# --- scope -------------------------------------------------------------------------------


def test_a_reviewer_inbox_lists_only_the_cases_of_the_reviewers_department(client, office):
    login(client, office["reviewer"])
    body = client.get(INBOX).content.decode()
    assert office["ours"].number in body
    assert office["theirs"].number not in body


def test_a_window_clerk_sees_every_case_of_the_region(client, office):
    login(client, office["clerk"])
    body = client.get(INBOX).content.decode()
    assert office["ours"].number in body and office["theirs"].number in body


def test_another_departments_case_is_a_404_never_a_403(client, office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    theirs = office["theirs"]
    material = CaseMaterial.objects.create(case=theirs, name="营业执照", file=ContentFile(b"x", name="a.pdf"))
    login(client, office["reviewer"])
    assert client.get(page(theirs.number)).status_code == 404
    assert client.get(page("371302-20991231-99999")).status_code == 404
    assert client.get(f"{page(theirs.number)}materials/{material.pk}/").status_code == 404
    response = client.post(f"{page(theirs.number)}actions/", {"action": "accept"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.SUBMITTED


def test_applicants_and_anonymous_visitors_are_kept_out(client, office, make_person):
    from banhao.registry.services import applicant_account_open

    assert client.get(INBOX).status_code == 302  # to the login page
    person = make_person("371302", name="赵六", phone="13900000009")
    account = applicant_account_open(actor="测试", person=person, password=PASSWORD)
    login(client, account.user)
    assert client.get(INBOX).status_code == 403
    assert client.get(page(office["ours"].number)).status_code == 403


# --- the inbox -----------------------------------------------------------------------------


def test_the_inbox_says_the_sla_countdown_in_words_and_colours_it(client, office, make_case):
    today = timezone.localdate()
    due_in_3, due_today, overdue = (_accepted(make_case()) for _ in range(3))
    Case.objects.filter(pk=due_in_3.pk).update(promised_due=add_workdays(today, 3), warning=Warning.NONE)
    Case.objects.filter(pk=due_today.pk).update(promised_due=today, warning=Warning.YELLOW)
    Case.objects.filter(pk=overdue.pk).update(promised_due=add_workdays(today, -2), warning=Warning.RED)
    login(client, office["reviewer"])
    body = client.get(INBOX).content.decode()
    assert re.search(r'bh-badge--ok">剩余3个工作日<', body)
    assert re.search(r'bh-badge--warn">今日到期（临期）<', body)
    assert re.search(r'bh-badge--danger">超期2个工作日<', body)
    # red first, then yellow, then by due date; the undated submitted case last
    order = [body.index(c.number) for c in (overdue, due_today, due_in_3, office["ours"])]
    assert order == sorted(order)


def test_the_inbox_counts_cases_per_status_and_filters_them(client, office, make_case):
    reviewer = office["reviewer"]
    mine = _under_review(make_case(), reviewer)
    free = _accepted(make_case())
    login(client, reviewer)
    body = client.get(INBOX).content.decode()
    assert "已受理 1" in body and "审查中 1" in body and "已提交 1" in body
    body = client.get(INBOX, {"mine": "1"}).content.decode()
    assert mine.number in body and free.number not in body
    body = client.get(INBOX, {"unassigned": "1", "status": "accepted"}).content.decode()
    assert free.number in body and mine.number not in body and office["ours"].number not in body
    body = client.get(INBOX, {"number": free.number[-5:]}).content.decode()
    assert free.number in body and mine.number not in body
    body = client.get(INBOX, {"q": "食品经营"}).content.decode()
    assert free.number in body and mine.number in body
    assert client.get(INBOX, {"q": "不存在的事项"}).content.decode().count("没有符合条件的办件") == 1


def test_the_inbox_pages_by_thirty(client, office, make_case):
    for _ in range(30):
        make_case()
    login(client, office["clerk"])
    first = client.get(INBOX, {"status": "submitted"})
    assert len(first.context["rows"]) == 30
    assert "status=submitted&amp;page=2" in first.content.decode()
    second = client.get(INBOX, {"status": "submitted", "page": 2})
    assert len(second.context["rows"]) == 2  # 32 cases of the region


def test_bulk_claim_takes_every_ticked_case_in_one_post(client, office, make_case):
    reviewer = office["reviewer"]
    a, b, taken = (_accepted(make_case()) for _ in range(3))
    colleague = services.case_claim(actor=office["head"], case=taken).assignee
    login(client, reviewer)
    response = client.post(
        f"{INBOX}claim/",
        {"numbers": [a.number, b.number, taken.number, office["theirs"].number], "next": INBOX},
        follow=True,
    )
    assert response.status_code == 200
    for case in (a, b):
        case.refresh_from_db()
        assert case.assignee == reviewer and case.status == Status.UNDER_REVIEW
    taken.refresh_from_db()
    assert taken.assignee == colleague
    text = " ".join(messages_of(response))
    assert "已认领2件办件" in text and "2件未能认领" in text and "已由其他人员认领" in text
    assert f"{office['theirs'].number}（未找到）" in text


def test_a_window_clerk_cannot_claim(client, office):
    login(client, office["clerk"])
    assert "认领所选" not in client.get(INBOX).content.decode()
    assert client.post(f"{INBOX}claim/", {"numbers": [office["ours"].number]}).status_code == 403


# --- the case page ----------------------------------------------------------------------


def test_the_case_page_shows_the_form_with_its_labels_and_the_timeline(client, office):
    case = office["ours"]
    login(client, office["clerk"])
    body = client.get(page(case.number)).content.decode()
    assert "经营者名称" in body and "临沂某餐饮店" in body  # the label from version.form_fields
    assert "王芳（" in body and "*" in body  # the applicant's masked ID
    assert "提交申请" in body  # the timeline
    assert 'value="accept"' in body and 'value="request_correction"' in body and 'value="refuse"' in body
    assert 'value="deliver"' not in body and 'value="conclude"' not in body  # not in this status


def test_the_correction_form_lists_every_material_and_sends_one_notice(client, office):
    case = office["ours"]
    login(client, office["clerk"])
    body = client.get(page(case.number)).content.decode()
    for name in ("食品经营许可申请书", "营业执照", "授权委托书"):
        assert name in body
    response = act(
        client,
        case.number,
        "request_correction",
        material=["0", "2"],
        reason_0="未签字",
        reason_1="这一项没有勾选",
        reason_2="委托书缺少委托期限",
        note="请一次补齐",
    )
    case.refresh_from_db()
    assert case.status == Status.CORRECTION
    notices = CaseEvent.objects.filter(case=case, action="request_correction")
    assert notices.count() == 1
    assert notices.get().data["items"] == [
        {"material": "食品经营许可申请书", "reason": "未签字"},
        {"material": "授权委托书", "reason": "委托书缺少委托期限"},
    ]
    assert any("一次性告知补正" in m for m in messages_of(response))


def test_a_ticked_material_without_a_reason_is_refused_in_chinese(client, office):
    case = office["ours"]
    login(client, office["clerk"])
    response = act(client, case.number, "request_correction", material=["1"], reason_1=" ")
    assert "每项需补正的材料都要写明原因。" in messages_of(response)
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_a_transition_the_status_does_not_allow_is_refused_with_the_reason(client, office):
    login(client, office["clerk"])
    response = act(client, office["ours"].number, "conclude")
    assert "办件当前状态为“已提交”，不能“办结”。" in messages_of(response)


def test_the_head_signs_off_where_the_process_has_that_step(client, office):
    case = _under_review(office["ours"], office["reviewer"])
    login(client, office["reviewer"])
    body = client.get(page(case.number)).content.decode()
    assert "该事项须由部门负责人签批" in body
    assert re.search(r"<button[^>]*disabled[^>]*>作出决定</button>", body)
    assert 'name="decision"' not in body
    assert act(client, case.number, "decide", decision="approve").status_code == 403
    case.refresh_from_db()
    assert case.status == Status.UNDER_REVIEW

    client.logout()
    login(client, office["head"])
    body = client.get(page(case.number)).content.decode()
    assert 'name="decision"' not in body and "请先完成“审查”环节" in body  # the reviewer's step first
    response = act(client, case.number, "decide", decision="approve")
    assert any("请先完成“审查”环节" in m for m in messages_of(response))
    case.refresh_from_db()
    assert case.status == Status.UNDER_REVIEW
    client.logout()
    login(client, office["reviewer"])
    act(client, case.number, "opinion", opinion="符合条件", complete_step="1")
    case.refresh_from_db()
    assert case.step_index == 2
    client.logout()
    login(client, office["head"])
    body = client.get(page(case.number)).content.decode()
    assert 'name="decision"' in body and "该事项须由部门负责人签批" not in body
    response = act(client, case.number, "decide", decision="approve", reason="符合法定条件")
    case.refresh_from_db()
    assert case.status == Status.APPROVED and case.decision_reason == "符合法定条件"
    assert any("准予许可" in m for m in messages_of(response))


def test_a_case_runs_its_whole_life_through_the_pages(client, office):
    case, reviewer, head, clerk = office["ours"], office["reviewer"], office["head"], office["clerk"]
    n = case.number

    def status():
        case.refresh_from_db()
        return case.status

    login(client, clerk)
    act(client, n, "accept", on=timezone.localdate().isoformat())
    assert status() == Status.ACCEPTED and case.accepted_on == timezone.localdate()
    assert case.step_index == 1  # acceptance completed the 受理 step
    client.logout()
    login(client, head)
    act(client, n, "assign", assignee=str(reviewer.pk))
    assert status() == Status.ACCEPTED and case.assignee == reviewer
    client.logout()
    login(client, reviewer)
    act(client, n, "claim")
    assert status() == Status.UNDER_REVIEW
    act(client, n, "opinion", opinion="材料齐全", complete_step="1")
    assert status() == Status.UNDER_REVIEW and case.step_index == 2
    act(client, n, "suspend", kind="expert", reason="组织专家评审", expected_days="3")
    assert status() == Status.SUSPENDED
    body = client.get(page(n)).content.decode()
    assert "专家评审" in body and "特别程序中，计时暂停" in body
    act(client, n, "resume")
    assert status() == Status.UNDER_REVIEW
    client.logout()
    login(client, head)
    act(client, n, "decide", decision="deny", reason="不符合条件")
    assert status() == Status.DENIED
    client.logout()
    login(client, clerk)
    act(client, n, "result_ready")
    assert status() == Status.RESULT_READY
    response = act(client, n, "deliver", method="post")
    assert "邮寄送达请填写快递单号。" in messages_of(response) and status() == Status.RESULT_READY
    act(client, n, "deliver", method="post", tracking_number="SF1234567890")
    assert status() == Status.DELIVERED and case.tracking_number == "SF1234567890"
    act(client, n, "conclude")
    assert status() == Status.CONCLUDED
    body = client.get(page(n)).content.decode()
    assert "您没有可进行的操作" in body
    assert [e.action for e in case.events.all()] == [
        "submit",
        "accept",
        "assign",
        "start_review",
        "opinion",
        "suspend",
        "resume",
        "deny",
        "result_ready",
        "deliver",
        "conclude",
    ]


def test_assign_offers_only_staff_of_the_cases_department(client, office):
    case = _accepted(office["ours"])
    login(client, office["head"])
    body = client.get(page(case.number)).content.decode()
    assert f'value="{office["reviewer"].pk}"' in body
    assert f'value="{office["other_reviewer"].pk}"' not in body
    response = act(client, case.number, "assign", assignee=str(office["other_reviewer"].pk))
    assert "请选择本部门的工作人员。" in messages_of(response)
    case.refresh_from_db()
    assert case.assignee is None


def test_staff_in_scope_download_a_material_and_others_do_not(client, office, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = office["ours"]
    material = CaseMaterial.objects.create(
        case=case,
        name="营业执照",
        file=ContentFile(b"%PDF-1.4 test", name="licence.pdf"),
        original_name="营业执照.pdf",
        content_type="application/pdf",
        size=13,
    )
    login(client, office["reviewer"])
    assert "下载 营业执照.pdf" in client.get(page(case.number)).content.decode()
    response = client.get(f"{page(case.number)}materials/{material.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert "attachment" in response["Content-Disposition"]
    client.logout()
    login(client, office["other_reviewer"])
    assert client.get(f"{page(case.number)}materials/{material.pk}/").status_code == 404


def test_without_a_head_step_in_the_process_nobody_is_told_to_wait_for_the_head(client, office):
    from banhao.catalog.models import StandardVersion

    steps = [
        {"name": "受理", "role": "窗口受理人员", "share": 50},
        {"name": "审查", "role": "后台审批人员", "share": 50},
    ]
    StandardVersion.objects.filter(pk=office["version"].pk).update(steps=steps)
    case = _under_review(office["ours"], office["reviewer"])
    login(client, office["reviewer"])
    assert "该事项须由部门负责人签批" not in client.get(page(case.number)).content.decode()
    client.logout()
    login(client, office["head"])
    act(client, case.number, "decide", decision="approve")
    case.refresh_from_db()
    assert case.status == Status.APPROVED


def test_the_case_admin_is_read_only_and_scoped(client, make_staff, make_case):
    from banhao.cases.models import Case

    case = make_case()
    user = make_staff("administrator", region="yinan")
    user.is_staff = True
    user.save()
    assert client.login(username=user.username, password=PASSWORD)
    assert case.number not in client.get("/admin/cases/case/").content.decode()  # 兰山区 case, 沂南县 admin
    client.logout()
    city = make_staff("administrator")
    city.is_staff = True
    city.save()
    assert client.login(username=city.username, password=PASSWORD)
    assert case.number in client.get("/admin/cases/case/").content.decode()
    assert client.get(f"/admin/cases/case/{case.pk}/change/").status_code == 200
    assert client.post(f"/admin/cases/case/{case.pk}/change/", {"status": "concluded"}).status_code == 403
    assert Case.objects.get(pk=case.pk).status == "submitted"
