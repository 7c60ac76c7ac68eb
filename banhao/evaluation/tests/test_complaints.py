"""效能投诉 and 责任追究: the life cycle with its refused transitions, evidence, the
complainant's notices, accountability only for a substantiated complaint, and the pages."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from banhao.core.calendar import add_workdays
from banhao.core.models import AuditEvent
from banhao.evaluation import api, complaints
from banhao.evaluation.models import AccountabilityMeasure, AccountabilityRecord, Complaint, ComplaintEvidence
from banhao.notify.models import Message
from banhao.org.models import Department, StaffMember

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TODAY = dt.date(2026, 11, 2)  # a Monday


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def dept(catalog_city):
    return Department.objects.get(name="兰山区行政审批服务局")


@pytest.fixture
def supervisor(make_staff):
    return make_staff("supervisor", region="lanshan")


def _file(dept, **kw):
    data = {
        "actor": "网上投诉",
        "source": "online",
        "department_id": dept.pk,
        "subject_kind": "window",
        "subject_note": "3号窗口",
        "content": "窗口工作人员让我跑了三次，每次要的材料都不一样。",
        "complainant_name": "李四",
        "complainant_phone": "13900000009",
        "today": TODAY,
    }
    data.update(kw)
    return complaints.complaint_file(**data)


def _concluded(dept, supervisor, conclusion="substantiated", **kw):
    c = _file(dept, **kw)
    complaints.complaint_accept(actor=supervisor, complaint_id=c.pk, today=TODAY)
    complaints.complaint_investigate(actor=supervisor, complaint_id=c.pk)
    complaints.complaint_conclude(
        actor=supervisor,
        complaint_id=c.pk,
        conclusion=conclusion,
        findings="经调取录像核实，情况属实。",
        today=TODAY,
    )
    c.refresh_from_db()
    return c


def test_a_complaint_runs_its_whole_life_cycle_with_working_day_deadlines_and_an_audit_trail(
    dept, supervisor
):
    c = _file(dept)
    assert c.status == "received" and c.number.startswith("TS20261102")
    assert c.due_on == add_workdays(TODAY, complaints.days("accept"))
    assert c.region_id == dept.region_id

    complaints.complaint_accept(actor=supervisor, complaint_id=c.pk, today=TODAY)
    c.refresh_from_db()
    assert c.status == "accepted" and c.due_on == add_workdays(TODAY, 15)
    complaints.complaint_investigate(actor=supervisor, complaint_id=c.pk, investigator="王督查")
    evidence = complaints.complaint_add_evidence(
        actor=supervisor, complaint_id=c.pk, upload=SimpleUploadedFile("录像截图.png", PNG), note="窗口录像"
    )
    assert evidence.kind == "PNG图片"
    complaints.complaint_conclude(
        actor=supervisor,
        complaint_id=c.pk,
        conclusion="partly",
        findings="经核实，要求提交清单以外材料属实，态度问题未查实。",
        today=TODAY + dt.timedelta(days=3),
    )
    c.refresh_from_db()
    assert c.status == "concluded" and c.on_time is True and c.due_on is None

    complaints.complaint_reply(actor=supervisor, complaint_id=c.pk, reply="已对窗口人员批评教育。")
    c.refresh_from_db()
    assert c.status == "replied"
    sms = Message.objects.get(dedupe_key=f"complaint:{c.pk}:reply:sms")
    assert sms.phone == "13900000009" and "部分属实" in sms.text and c.number in sms.text

    with pytest.raises(ValidationError, match="须先登记责任追究"):
        complaints.complaint_close(actor=supervisor, complaint_id=c.pk)
    measure = AccountabilityMeasure.objects.get(name="批评教育")
    complaints.accountability_decide(
        actor=supervisor,
        complaint_id=c.pk,
        subject_kind="department",
        measure_id=measure.pk,
        facts="要求提交清单以外的材料。",
    )
    complaints.complaint_close(actor=supervisor, complaint_id=c.pk)
    c.refresh_from_db()
    assert c.status == "closed" and c.closed_at is not None

    actions = list(c.events.values_list("action", flat=True))
    assert actions == [
        "file",
        "accept",
        "investigate",
        "evidence",
        "conclude",
        "reply",
        "accountability",
        "close",
    ]
    audited = set(
        AuditEvent.objects.filter(object_type="evaluation.complaint", object_id=str(c.pk)).values_list(
            "action", flat=True
        )
    )
    assert {
        "evaluation.complaint_file",
        "evaluation.complaint_conclude",
        "evaluation.complaint_close",
    } <= audited
    assert AuditEvent.objects.filter(action="evaluation.accountability_decide").count() == 1


def test_refused_transitions_say_why_in_chinese_and_change_nothing(dept, supervisor):
    c = _file(dept)
    events = c.events.count()
    for step in (
        lambda: complaints.complaint_investigate(actor=supervisor, complaint_id=c.pk),
        lambda: complaints.complaint_conclude(
            actor=supervisor, complaint_id=c.pk, conclusion="not", findings="调查情况说明。"
        ),
        lambda: complaints.complaint_reply(actor=supervisor, complaint_id=c.pk),
        lambda: complaints.complaint_close(actor=supervisor, complaint_id=c.pk),
        lambda: complaints.complaint_add_evidence(
            actor=supervisor, complaint_id=c.pk, upload=SimpleUploadedFile("a.png", PNG)
        ),
    ):
        with pytest.raises(ValidationError, match="投诉当前状态为“待受理”"):
            step()
    with pytest.raises(ValidationError, match="不予受理须写明理由"):
        complaints.complaint_decline(actor=supervisor, complaint_id=c.pk, reason="  ")
    c.refresh_from_db()
    assert c.status == "received" and c.events.count() == events
    assert not ComplaintEvidence.objects.exists()

    complaints.complaint_decline(
        actor=supervisor, complaint_id=c.pk, reason="不属于效能投诉范围，已转12345。"
    )
    c.refresh_from_db()
    assert c.status == "declined" and c.decline_reason.startswith("不属于")
    with pytest.raises(ValidationError, match="不能“受理”"):
        complaints.complaint_accept(actor=supervisor, complaint_id=c.pk)
    notice = Message.objects.get(dedupe_key=f"complaint:{c.pk}:decline:sms")
    assert "不予受理" in notice.text and "已转12345" in notice.text


def test_a_complaint_outside_the_scope_cannot_be_handled(dept, supervisor, make_staff):
    from banhao.org.api import scope_for_user

    c = _file(dept)
    other = scope_for_user(make_staff("supervisor", region="yinan"))
    with pytest.raises(ValidationError, match="未找到该投诉"):
        complaints.complaint_accept(actor="x", complaint_id=c.pk, scope=other)
    c.refresh_from_db()
    assert c.status == "received"


def test_filing_checks_the_input_in_chinese(dept, applicant):
    with pytest.raises(ValidationError) as e:
        _file(dept, complainant_phone="", content="太慢", department_id="")
    errors = e.value.message_dict
    assert "联系电话" in errors["complainant_phone"][0]
    assert "不少于10个字" in errors["content"][0]
    assert "被投诉的部门" in errors["department_id"][0]
    with pytest.raises(ValidationError) as e:
        _file(dept, complainant_phone="12345")
    assert "格式不正确" in e.value.message_dict["complainant_phone"][0]
    with pytest.raises(ValidationError) as e:
        _file(dept, source="hotline", actor="12345")
    assert "12345工单号" in e.value.message_dict["hotline_ticket"][0]
    assert not Complaint.objects.exists()
    # a logged-in citizen needs no phone: the result goes to the account
    c = _file(dept, complainant_phone="", complainant_user=applicant["user"])
    assert c.complainant_user == applicant["user"]


def test_a_disguised_evidence_file_is_refused(dept, supervisor):
    c = _file(dept)
    complaints.complaint_accept(actor=supervisor, complaint_id=c.pk, today=TODAY)
    with pytest.raises(ValidationError, match="文件内容与扩展名不符"):
        complaints.complaint_add_evidence(
            actor=supervisor,
            complaint_id=c.pk,
            upload=SimpleUploadedFile("证据.pdf", b"MZ\x90\x00" + b"\x00" * 40),
        )
    assert not ComplaintEvidence.objects.exists()
    assert not c.events.filter(action="evidence").exists()


def test_accountability_only_for_a_substantiated_complaint(dept, supervisor):
    measure = AccountabilityMeasure.objects.get(name="通报批评")
    received = _file(dept)
    with pytest.raises(ValidationError, match="尚未作出调查结论"):
        complaints.accountability_decide(
            actor=supervisor,
            complaint_id=received.pk,
            subject_kind="department",
            measure_id=measure.pk,
            facts="推诿扯皮。",
        )
    not_true = _concluded(dept, supervisor, conclusion="not")
    with pytest.raises(ValidationError, match="不属实，不予责任追究"):
        complaints.accountability_decide(
            actor=supervisor,
            complaint_id=not_true.pk,
            subject_kind="department",
            measure_id=measure.pk,
            facts="推诿扯皮。",
        )
    complaints.complaint_reply(actor=supervisor, complaint_id=not_true.pk)
    complaints.complaint_close(actor=supervisor, complaint_id=not_true.pk)  # no record needed
    assert not AccountabilityRecord.objects.exists()

    true = _concluded(dept, supervisor)
    clerk = StaffMember.objects.get(user=supervisor)  # any staff member serves as the subject here
    with pytest.raises(ValidationError) as e:
        complaints.accountability_decide(
            actor=supervisor, complaint_id=true.pk, subject_kind="staff", measure_id="", facts="短"
        )
    assert set(e.value.message_dict) == {"staff_id", "measure_id", "facts"}
    record = complaints.accountability_decide(
        actor=supervisor,
        complaint_id=true.pk,
        subject_kind="staff",
        staff_id=clerk.pk,
        measure_id=measure.pk,
        facts="多次要求提交清单以外的材料。",
        today=TODAY,
    )
    assert record.staff_id == clerk.pk and record.region_id == clerk.region_id
    with pytest.raises(ValidationError, match="未重复登记"):
        complaints.accountability_decide(
            actor=supervisor,
            complaint_id=true.pk,
            subject_kind="staff",
            staff_id=clerk.pk,
            measure_id=measure.pk,
            facts="多次要求提交清单以外的材料。",
        )
    # what the assessment counts
    found = api.accountability_records("staff", clerk.pk, TODAY, TODAY + dt.timedelta(days=1))
    assert [(r.measure_name, r.conclusion, r.complaint_number) for r in found] == [
        ("通报批评", "substantiated", true.number)
    ]
    assert api.accountability_records("staff", clerk.pk, TODAY + dt.timedelta(days=1)) == []
    assert len(api.accountability_records("department", true.department_id)) == 1


def test_a_measure_switched_off_in_the_admin_cannot_be_chosen(dept, supervisor):
    measure = AccountabilityMeasure.objects.get(name="调离岗位")
    measure.active = False
    measure.save()
    c = _concluded(dept, supervisor)
    with pytest.raises(ValidationError) as e:
        complaints.accountability_decide(
            actor=supervisor,
            complaint_id=c.pk,
            subject_kind="department",
            measure_id=measure.pk,
            facts="推诿扯皮。",
        )
    assert "追责措施" in e.value.message_dict["measure_id"][0]


def test_a_logged_in_complainant_is_told_by_site_message(dept, supervisor, applicant):
    c = _concluded(
        dept, supervisor, conclusion="not", complainant_phone="", complainant_user=applicant["user"]
    )
    complaints.complaint_reply(actor=supervisor, complaint_id=c.pk)
    site = Message.objects.get(dedupe_key=f"complaint:{c.pk}:reply:site")
    assert site.user_id == applicant["user"].pk and "不属实" in site.text
    assert not Message.objects.filter(dedupe_key=f"complaint:{c.pk}:reply:sms").exists()


# --- pages --------------------------------------------------------------------------------------


def test_the_public_form_files_a_complaint_without_login_and_is_throttled(client, dept, settings):
    settings.BANHAO_COMPLAINTS_PER_HOUR = 2
    url = reverse("complaints:new")
    assert client.get(url).status_code == 200
    post = {
        "department_id": dept.pk,
        "subject_kind": "department",
        "content": "办理营业执照超过承诺时限一周仍未办结。",
        "complainant_name": "张三",
        "complainant_phone": "13900000001",
    }
    bad = client.post(url, {**post, "complainant_phone": ""})
    assert bad.status_code == 400 and "请填写联系电话" in bad.content.decode()
    assert not Complaint.objects.exists()
    done = client.post(url, post)
    assert done.status_code == 302 and done.url == reverse("complaints:filed")
    number = Complaint.objects.get().number
    assert number in client.get(done.url).content.decode()
    assert client.post(url, post).status_code == 302
    throttled = client.post(url, post)
    assert throttled.status_code == 429 and "已达上限" in throttled.content.decode()
    assert Complaint.objects.count() == 2


def test_the_detail_offers_only_the_next_allowed_steps_and_a_repeat_changes_nothing(client, dept, supervisor):
    c = _file(dept)
    client.force_login(supervisor)
    html = client.get(reverse("complaints:detail", args=[c.pk])).content.decode()
    assert 'value="accept"' in html and 'value="decline"' in html
    assert 'value="conclude"' not in html and 'value="close"' not in html
    assert "139****0009" in html and "13900000009" not in html
    act = reverse("complaints:act", args=[c.pk])
    assert client.post(act, {"action": "accept", "status": "received"}).status_code == 302
    client.post(act, {"action": "accept", "status": "received"})  # a double click
    c.refresh_from_db()
    assert c.status == "accepted" and c.events.filter(action="accept").count() == 1
    refused = client.post(act, {"action": "close", "status": "accepted"})
    assert refused.status_code == 400 and "不能“归档”" in refused.content.decode()


def test_staff_pages_keep_to_role_and_scope(client, dept, supervisor, make_staff, make_department):
    c = _file(dept)
    detail = reverse("complaints:detail", args=[c.pk])
    assert client.get(reverse("complaints:list")).status_code == 302  # anonymous: to the login
    client.force_login(make_staff("supervisor", region="yinan"))
    assert client.get(detail).status_code == 404
    assert c.number not in client.get(reverse("complaints:list")).content.decode()
    other = make_department("兰山区市场监督管理局", region="lanshan")
    client.force_login(make_staff("department_head", region="lanshan", department=other))
    assert client.get(detail).status_code == 404
    client.force_login(make_staff("department_head", region="lanshan", department=dept))
    assert client.get(detail).status_code == 200
    assert client.post(reverse("complaints:act", args=[c.pk]), {"action": "accept"}).status_code == 403
    client.force_login(supervisor)
    assert c.number in client.get(reverse("complaints:list")).content.decode()


def test_staff_register_a_12345_complaint_and_a_supervisor_records_accountability(client, dept, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("complaints:register"),
        {
            "source": "hotline",
            "hotline_ticket": "12345-20261102-0001",
            "department_id": dept.pk,
            "subject_kind": "department",
            "content": "热线反映：窗口午休期间无人值守。",
            "complainant_name": "赵六",
            "complainant_phone": "13900000002",
        },
    )
    c = Complaint.objects.get()
    assert response.status_code == 302 and c.source == "hotline" and c.registered_by == supervisor
    complaints.complaint_accept(actor=supervisor, complaint_id=c.pk)
    complaints.complaint_investigate(actor=supervisor, complaint_id=c.pk)
    complaints.complaint_conclude(
        actor=supervisor, complaint_id=c.pk, conclusion="substantiated", findings="经核实属实。"
    )
    url = reverse("complaints:accountability", args=[c.pk])
    assert "提醒谈话" in client.get(url).content.decode()
    measure = AccountabilityMeasure.objects.get(name="提醒谈话")
    bad = client.post(url, {"subject_kind": "department", "department_id": dept.pk, "measure_id": measure.pk})
    assert bad.status_code == 400 and "追责事由" in bad.content.decode()
    ok = client.post(
        url,
        {
            "subject_kind": "department",
            "department_id": dept.pk,
            "measure_id": measure.pk,
            "facts": "午休期间窗口无人值守。",
        },
    )
    assert ok.status_code == 302
    assert AccountabilityRecord.objects.get().measure == measure


def test_a_double_submission_of_the_form_files_one_complaint(client, dept):
    post = {
        "department_id": dept.pk,
        "subject_kind": "department",
        "content": "办理营业执照超过承诺时限一周仍未办结。",
        "complainant_name": "张三",
        "complainant_phone": "13900000001",
        "submission_key": "k-0123456789",
    }
    url = reverse("complaints:new")
    assert client.post(url, post).status_code == 302
    assert client.post(url, post).status_code == 302
    assert Complaint.objects.count() == 1


def test_the_department_complained_about_does_not_see_who_complained(client, dept, make_staff):
    c = _file(dept, complainant_name="李四")
    client.force_login(make_staff("department_head", region="lanshan", department=dept))
    html = client.get(reverse("complaints:detail", args=[c.pk])).content.decode()
    assert "李四" not in html and "0009" not in html and "对被投诉单位保密" in html


def test_a_named_staff_member_must_belong_to_the_department(dept, make_staff, make_department):
    other = make_department("兰山区市场监督管理局", region="lanshan")
    stranger = StaffMember.objects.get(user=make_staff("reviewer", region="lanshan", department=other))
    with pytest.raises(ValidationError) as e:
        _file(dept, subject_kind="staff", staff_id=stranger.pk, source="hall", actor="测试")
    assert "不属于被投诉部门" in e.value.message_dict["staff_id"][0]
