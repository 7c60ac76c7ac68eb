"""学习培训: the reading-time check, one credit per course, attendance once, hours by period,
training_hours per kind, the scope of the managers' pages, a disguised upload refused."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from banhao.assessment import training
from banhao.assessment.models import Attendance, Course, StudyRecord, TrainingCredit, TrainingSession
from banhao.core.models import AuditEvent
from banhao.org import api as org
from banhao.org.models import StaffMember

pytestmark = pytest.mark.django_db

T0 = timezone.make_aware(dt.datetime(2026, 11, 10, 9, 0))


@pytest.fixture
def people(regions, make_staff, make_department, hall):
    """A city supervisor and a 兰山区 hall manager (managers), three 兰山区 clerks at windows 1,
    1 and 2 of the hall, a 兰山区 reviewer of a department and a 沂南县 clerk."""
    dept = make_department("兰山区行政审批服务局", region="lanshan")
    h, w = hall["hall"], hall["windows"]
    users = {
        "supervisor": make_staff("supervisor", region="city"),
        "manager": make_staff("hall_manager", region="lanshan", hall=h),
        "clerk_a": make_staff("window_clerk", region="lanshan", hall=h, window=w[1]),
        "clerk_b": make_staff("window_clerk", region="lanshan", hall=h, window=w[1]),
        "clerk_c": make_staff("window_clerk", region="lanshan", hall=h, window=w[2]),
        "reviewer": make_staff("reviewer", region="lanshan", department=dept),
        "yinan": make_staff("window_clerk", region="yinan"),
    }
    out = {k: {"user": u, "staff": training.staff_of(u)} for k, u in users.items()}
    out["dept"] = dept
    out["windows"] = w
    return out


def _scope(user):
    user.__dict__.pop("_banhao_scope", None)
    return org.scope_for_user(user)


def _course(people, who="manager", **overrides):
    data = {
        "title": "政务服务礼仪规范",
        "kind": "self_study",
        "description": "窗口接待礼仪",
        "content": "第一章 仪容仪表\n第二章 接待用语",
        "reading_minutes": "20",
        "credit_hours": "1.5",
        "published": "1",
    } | overrides
    user = people[who]["user"]
    return training.course_save(actor=user, scope=_scope(user), data=data)


def _session_course(people, **overrides):
    return _course(
        people,
        title="一次办好改革政策解读",
        kind="session",
        reading_minutes="",
        credit_hours="3",
        **overrides,
    )


def _session(people, course, starts=T0, hours="3", **overrides):
    user = people["manager"]["user"]
    data = {
        "starts_at": timezone.localtime(starts).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(starts + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "place": "兰山区政务服务中心三楼会议室",
        "hours": hours,
        "organiser": str(people["manager"]["staff"].id),
        "capacity": "2",
        "enrolment_open": "1",
    } | overrides
    return training.session_create(actor=user, scope=_scope(user), course_id=course.pk, data=data)


# --- 日常自学: the reading time -----------------------------------------------------------------


def test_confirming_before_the_reading_minutes_is_refused_in_chinese_and_records_nothing(people):
    course = _course(people)
    me = people["clerk_a"]
    training.study_open(actor=me["user"], staff=me["staff"], course_id=course.pk, now=T0)
    with pytest.raises(ValidationError) as e:
        training.study_confirm(
            actor=me["user"],
            staff=me["staff"],
            course_id=course.pk,
            now=T0 + dt.timedelta(minutes=19, seconds=30),
        )
    assert "学习时间不足" in e.value.messages[0] and "20分钟" in e.value.messages[0]
    assert "还需约1分钟" in e.value.messages[0]
    assert not TrainingCredit.objects.exists()
    assert StudyRecord.objects.get().confirmed_at is None
    assert not AuditEvent.objects.filter(action="assessment.study_confirm").exists()


def test_a_second_opening_keeps_the_first_start_so_reopening_cannot_game_the_clock(people):
    course = _course(people)
    me = people["clerk_a"]
    training.study_open(actor=me["user"], staff=me["staff"], course_id=course.pk, now=T0)
    training.study_open(
        actor=me["user"], staff=me["staff"], course_id=course.pk, now=T0 + dt.timedelta(hours=1)
    )
    assert StudyRecord.objects.get().started_at == T0
    assert AuditEvent.objects.filter(action="assessment.study_open").count() == 1


def test_confirming_without_opening_is_refused(people):
    course = _course(people)
    me = people["clerk_a"]
    with pytest.raises(ValidationError, match="请先打开学习材料"):
        training.study_confirm(actor=me["user"], staff=me["staff"], course_id=course.pk, now=T0)


def test_confirming_after_the_minutes_credits_the_hours_once_and_audits(people):
    course = _course(people)
    me = people["clerk_a"]
    training.study_open(actor=me["user"], staff=me["staff"], course_id=course.pk, now=T0)
    first = training.study_confirm(
        actor=me["user"], staff=me["staff"], course_id=course.pk, now=T0 + dt.timedelta(minutes=20)
    )
    again = training.study_confirm(
        actor=me["user"], staff=me["staff"], course_id=course.pk, now=T0 + dt.timedelta(minutes=40)
    )
    assert first.created and not again.created and again.credit.pk == first.credit.pk
    credit = TrainingCredit.objects.get()
    assert credit.hours == Decimal("1.5") and credit.earned_on == dt.date(2026, 11, 10)
    assert AuditEvent.objects.filter(action="assessment.study_confirm").count() == 1


def test_the_database_refuses_a_second_credit_for_the_same_course(people):
    course = _course(people)
    staff_id = people["clerk_a"]["staff"].id
    TrainingCredit.objects.create(staff_id=staff_id, course=course, hours=1, earned_on=dt.date(2026, 11, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingCredit.objects.create(
            staff_id=staff_id, course=course, hours=1, earned_on=dt.date(2026, 11, 2)
        )


def test_a_course_outside_the_audience_cannot_be_opened(people):
    course = _course(people, audience_roles=["reviewer"])
    clerk, reviewer = people["clerk_a"], people["reviewer"]
    with pytest.raises(PermissionDenied):
        training.study_open(actor=clerk["user"], staff=clerk["staff"], course_id=course.pk, now=T0)
    training.study_open(actor=reviewer["user"], staff=reviewer["staff"], course_id=course.pk, now=T0)
    # the 兰山区 manager's course does not reach 沂南县
    assert course not in training.courses_for(people["yinan"]["staff"])
    # an unpublished course reaches nobody
    draft = _course(people, title="草稿课程", published="")
    assert draft not in training.courses_for(clerk["staff"])


def test_a_self_study_course_needs_minutes_and_material(people):
    with pytest.raises(ValidationError) as e:
        _course(people, reading_minutes="0", content="")
    assert set(e.value.message_dict) == {"reading_minutes", "content"}
    assert not Course.objects.exists()


def test_a_disguised_upload_is_refused_and_nothing_is_saved(people):
    user = people["manager"]["user"]
    fake = SimpleUploadedFile("材料.pdf", b"MZ\x90\x00 this is an executable", content_type="application/pdf")
    with pytest.raises(ValidationError) as e:
        training.course_save(
            actor=user,
            scope=_scope(user),
            data={"title": "伪装文件", "kind": "self_study", "reading_minutes": "5", "credit_hours": "1"},
            upload=fake,
        )
    assert "文件内容与扩展名不符" in e.value.message_dict["material"][0]
    assert not Course.objects.exists()


def test_a_real_pdf_is_kept_as_the_material(people, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.MEDIA_ROOT = tmp_path
    user = people["manager"]["user"]
    pdf = SimpleUploadedFile("礼仪.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF")
    course = training.course_save(
        actor=user,
        scope=_scope(user),
        data={
            "title": "PDF课程",
            "kind": "self_study",
            "reading_minutes": "5",
            "credit_hours": "1",
            "content": "",
        },
        upload=pdf,
    )
    assert course.material and course.material_name == "礼仪.pdf"


def test_only_training_managers_save_courses(people):
    clerk = people["clerk_a"]["user"]
    with pytest.raises(PermissionDenied):
        training.course_save(actor=clerk, scope=_scope(clerk), data={"title": "x"})


# --- 集中学习: enrolment and attendance ---------------------------------------------------------


def test_enrolment_respects_capacity_and_a_double_enrolment_is_the_same(people):
    course = _session_course(people)
    session = _session(people, course)
    before = T0 - dt.timedelta(days=1)
    a, b, c = people["clerk_a"], people["clerk_b"], people["clerk_c"]
    first = training.session_enrol(actor=a["user"], staff=a["staff"], session_id=session.pk, now=before)
    again = training.session_enrol(actor=a["user"], staff=a["staff"], session_id=session.pk, now=before)
    assert first.created and not again.created
    training.session_enrol(actor=b["user"], staff=b["staff"], session_id=session.pk, now=before)
    with pytest.raises(ValidationError, match="名额（2人）已满"):
        training.session_enrol(actor=c["user"], staff=c["staff"], session_id=session.pk, now=before)
    assert session.enrolments.count() == 2


def test_attendance_before_the_session_starts_is_refused(people):
    session = _session(people, _session_course(people))
    mgr = people["manager"]["user"]
    with pytest.raises(ValidationError, match="培训尚未开始"):
        training.attendance_record(
            actor=mgr,
            scope=_scope(mgr),
            session_id=session.pk,
            staff_id=people["clerk_a"]["staff"].id,
            status="present",
            now=T0 - dt.timedelta(minutes=1),
        )


def test_attendance_is_recorded_once_and_only_present_credits_hours(people):
    session = _session(people, _session_course(people), hours="2.5")
    mgr = people["manager"]["user"]
    after = T0 + dt.timedelta(hours=4)

    def record(who, status, reason=""):
        return training.attendance_record(
            actor=mgr,
            scope=_scope(mgr),
            session_id=session.pk,
            staff_id=people[who]["staff"].id,
            status=status,
            reason=reason,
            now=after,
        )

    assert record("clerk_a", "present").created
    assert not record("clerk_a", "present").created  # a double submission
    with pytest.raises(ValidationError, match="每人每场只登记一次"):
        record("clerk_a", "absent")
    with pytest.raises(ValidationError) as e:
        record("clerk_b", "leave")
    assert e.value.message_dict["reason"] == ["请假须写明事由。"]
    record("clerk_b", "leave", "窗口值班")
    record("clerk_c", "absent")
    assert Attendance.objects.count() == 3
    credit = TrainingCredit.objects.get()
    assert credit.staff_id == people["clerk_a"]["staff"].id and credit.hours == Decimal("2.5")
    assert credit.earned_on == dt.date(2026, 11, 10)
    assert AuditEvent.objects.filter(action="assessment.attendance_record").count() == 3
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(session=session, staff_id=people["clerk_c"]["staff"].id, status="absent")


def test_a_clerk_who_is_not_the_organiser_cannot_record_attendance(people):
    session = _session(people, _session_course(people))
    clerk = people["clerk_a"]["user"]
    with pytest.raises(PermissionDenied):
        training.attendance_record(
            actor=clerk,
            scope=_scope(clerk),
            session_id=session.pk,
            staff_id=people["clerk_b"]["staff"].id,
            status="present",
            now=T0 + dt.timedelta(hours=4),
        )


def test_the_organiser_may_record_even_without_the_manage_permission(people):
    course = _session_course(people)
    session = _session(people, course, organiser=str(people["clerk_c"]["staff"].id))
    clerk = people["clerk_c"]["user"]
    done = training.attendance_record(
        actor=clerk,
        scope=_scope(clerk),
        session_id=session.pk,
        staff_id=people["clerk_a"]["staff"].id,
        status="present",
        now=T0 + dt.timedelta(hours=4),
    )
    assert done.created


# --- hours by period and the assessment's fact ---------------------------------------------------


def _credit(people, who, day, hours, title):
    course = Course.objects.create(
        title=title,
        kind="self_study",
        reading_minutes=1,
        credit_hours=hours,
        region=StaffMember.objects.get(pk=people["manager"]["staff"].id).region,
        published=True,
    )
    return TrainingCredit.objects.create(
        staff_id=people[who]["staff"].id, course=course, hours=Decimal(hours), earned_on=day
    )


def test_hours_by_month_quarter_and_year(people):
    _credit(people, "clerk_a", dt.date(2026, 1, 31), "1.5", "c1")
    _credit(people, "clerk_a", dt.date(2026, 2, 1), "2", "c2")
    _credit(people, "clerk_a", dt.date(2026, 11, 30), "3", "c3")
    _credit(people, "clerk_a", dt.date(2025, 12, 31), "9", "c4")  # last year
    _credit(people, "clerk_b", dt.date(2026, 1, 5), "7", "c5")  # someone else
    h = training.hours_by_period(people["clerk_a"]["staff"].id, 2026)
    assert h["months"][0] == 1.5 and h["months"][1] == 2.0 and h["months"][10] == 3.0
    assert h["quarters"] == [3.5, 0.0, 0.0, 3.0]
    assert h["year"] == 6.5


def test_period_keys_parse_and_bad_ones_are_refused():
    assert training.period_parse("2026-11").start == dt.date(2026, 11, 1)
    assert training.period_parse("2026-12").end == dt.date(2027, 1, 1)
    q = training.period_parse("2026-q4")
    assert (q.start, q.end, q.label) == (dt.date(2026, 10, 1), dt.date(2027, 1, 1), "2026年第4季度")
    assert training.period_parse("2026").end == dt.date(2027, 1, 1)
    with pytest.raises(ValidationError, match="统计期间"):
        training.period_parse("2026-13")


def test_training_hours_for_each_kind_of_subject(people, regions):
    a, b, c = (people[k]["staff"].id for k in ("clerk_a", "clerk_b", "clerk_c"))
    _credit(people, "clerk_a", dt.date(2026, 11, 1), "4", "k1")
    _credit(people, "clerk_a", dt.date(2026, 11, 29), "2", "k2")
    _credit(people, "clerk_c", dt.date(2026, 11, 15), "3", "k3")
    _credit(people, "reviewer", dt.date(2026, 11, 15), "5", "k4")
    _credit(people, "clerk_b", dt.date(2026, 12, 1), "8", "k5")  # the next month: not counted
    _credit(people, "clerk_b", dt.date(2026, 10, 31), "8", "k6")  # the month before
    start, end = dt.date(2026, 11, 1), dt.date(2026, 12, 1)
    assert training.training_hours("staff", [a, b, c], start, end) == {a: 6.0, b: 0.0, c: 3.0}
    w1, w2 = people["windows"][1].pk, people["windows"][2].pk
    empty_window = people["windows"][3].pk
    # window 1 has clerks a and b: (6 + 0) / 2; window 2 only c; window 3 nobody
    assert training.training_hours("window", [w1, w2, empty_window], start, end) == {
        w1: 3.0,
        w2: 3.0,
        empty_window: 0.0,
    }
    dept = people["dept"].pk
    assert training.training_hours("department", [dept], start, end) == {dept: 5.0}
    # 兰山区: manager, clerks a b c, reviewer = 5 people, 6 + 3 + 5 = 14 hours
    lanshan, yinan = regions["lanshan"].pk, regions["yinan"].pk
    assert training.training_hours("county", [lanshan, yinan], start, end) == {lanshan: 2.8, yinan: 0.0}


def test_training_hours_of_an_empty_period_are_zero_for_everyone(people, regions):
    _credit(people, "clerk_a", dt.date(2026, 11, 1), "4", "e1")
    a = people["clerk_a"]["staff"].id
    start, end = dt.date(2026, 6, 1), dt.date(2026, 7, 1)
    assert training.training_hours("staff", [a], start, end) == {a: 0.0}
    assert training.training_hours("county", [regions["lanshan"].pk], start, end) == {
        regions["lanshan"].pk: 0.0
    }
    assert training.training_hours("window", [], start, end) == {}


def test_training_hours_runs_two_queries_whatever_the_number_of_windows(people, django_assert_num_queries):
    windows = [w.pk for w in people["windows"].values()]
    with django_assert_num_queries(2):
        training.training_hours("window", windows, dt.date(2026, 11, 1), dt.date(2026, 12, 1))


def test_training_hours_refuses_an_unknown_kind():
    with pytest.raises(ValueError):
        training.training_hours("section", [1], dt.date(2026, 1, 1), dt.date(2026, 2, 1))


# --- the pages -----------------------------------------------------------------------------------


def test_my_record_shows_the_hours_of_the_year_and_what_is_left(client, people):
    required = _course(people, required="1")
    me = people["clerk_a"]
    year = timezone.localdate().year
    TrainingCredit.objects.create(
        staff_id=me["staff"].id,
        course=_course(people, title="好差评制度学习"),
        hours=2,
        earned_on=dt.date(year, 1, 5),
    )
    client.force_login(me["user"])
    html = client.get(reverse("training:mine")).content.decode()
    assert '<span class="bh-num" data-year-hours>2.0</span>' in html
    assert "好差评制度学习" in html
    assert f"《{required.title}》" in html and "必修课程未完成" in html


def test_applicants_and_anonymous_visitors_have_no_training_record(client, make_person):
    assert client.get(reverse("training:mine")).status_code == 302
    from banhao.accounts.models import User

    user = User.objects.create_user(username="13800000000", password="x", kind="applicant")
    client.force_login(user)
    assert client.get(reverse("training:mine")).status_code == 403


def test_the_course_page_records_the_start_and_an_early_confirmation_is_a_chinese_400(client, people):
    course = _course(people)
    client.force_login(people["clerk_a"]["user"])
    assert client.get(reverse("training:course", args=[course.pk])).status_code == 200
    assert StudyRecord.objects.filter(course=course).count() == 1
    response = client.post(reverse("training:confirm", args=[course.pk]))
    assert response.status_code == 400
    assert "学习时间不足" in response.content.decode()
    assert not TrainingCredit.objects.exists()
    StudyRecord.objects.update(started_at=timezone.now() - dt.timedelta(minutes=21))
    assert client.post(reverse("training:confirm", args=[course.pk])).status_code == 302
    assert client.post(reverse("training:confirm", args=[course.pk])).status_code == 302  # a double click
    assert TrainingCredit.objects.count() == 1


def test_a_course_not_meant_for_the_viewer_is_a_404(client, people):
    course = _course(people)
    client.force_login(people["yinan"]["user"])
    assert client.get(reverse("training:course", args=[course.pk])).status_code == 404
    assert not StudyRecord.objects.exists()


def test_clerks_cannot_open_the_managers_pages(client, people):
    client.force_login(people["clerk_a"]["user"])
    for name in ("training:manage", "training:records", "training:course_new", "training:records_export"):
        assert client.get(reverse(name)).status_code == 403, name


def test_the_records_list_keeps_to_the_managers_scope(client, people):
    client.force_login(people["manager"]["user"])
    html = client.get(reverse("training:records"), {"period": "2026-11"}).content.decode()
    names = {people[k]["staff"].name for k in ("clerk_a", "clerk_b", "reviewer")}
    assert all(n in html for n in names)
    assert people["yinan"]["staff"].name not in html
    assert people["supervisor"]["staff"].name not in html
    # asking for another county is refused and shows nobody from there
    from banhao.org.models import Region

    yinan = Region.objects.get(code="371321")
    response = client.get(reverse("training:records"), {"region": yinan.pk})
    assert response.status_code == 400 and "不在您的管理范围内" in response.content.decode()
    assert people["yinan"]["staff"].name not in response.content.decode()
    # the city supervisor sees both counties
    client.force_login(people["supervisor"]["user"])
    html = client.get(reverse("training:records")).content.decode()
    assert people["yinan"]["staff"].name in html and people["clerk_a"]["staff"].name in html


def test_a_manager_cannot_edit_a_course_of_another_region(client, people, make_staff):
    course = _course(people)  # 兰山区
    other = make_staff("hall_manager", region="yinan")
    client.force_login(other)
    assert client.get(reverse("training:course_edit", args=[course.pk])).status_code == 404
    assert (
        client.post(reverse("training:course_edit", args=[course.pk]), {"title": "改名"}).status_code == 404
    )
    assert Course.objects.get(pk=course.pk).title == "政务服务礼仪规范"


def test_a_disguised_pdf_through_the_course_form_is_refused(client, people):
    client.force_login(people["manager"]["user"])
    fake = SimpleUploadedFile(
        "材料.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    response = client.post(
        reverse("training:course_new"),
        {
            "title": "伪装材料",
            "kind": "self_study",
            "reading_minutes": "10",
            "credit_hours": "1",
            "material": fake,
        },
    )
    assert response.status_code == 400
    assert "文件内容与扩展名不符" in response.content.decode()
    assert not Course.objects.exists()


def test_the_records_export_is_a_workbook_of_the_same_rows(client, people):
    course = _course(people, required="1")
    TrainingCredit.objects.create(
        staff_id=people["clerk_a"]["staff"].id,
        course=course,
        hours=Decimal("1.5"),
        earned_on=dt.date(2026, 11, 3),
    )
    client.force_login(people["manager"]["user"])
    response = client.get(reverse("training:records_export"), {"period": "2026-11"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = {r[1]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    a, b = people["clerk_a"]["staff"], people["clerk_b"]["staff"]
    assert rows[a.name][7] == 1.5 and rows[a.name][10] == "无"
    assert rows[b.name][7] == 0 and rows[b.name][10] == "政务服务礼仪规范"
    assert people["yinan"]["staff"].name not in rows


def test_the_organiser_records_attendance_on_the_page_once(client, people):
    session = _session(people, _session_course(people), starts=timezone.now() - dt.timedelta(hours=1))
    # enrolment is optional: a walk-in is recorded too
    client.force_login(people["manager"]["user"])
    url = reverse("training:attendance", args=[session.pk])
    assert client.get(url).status_code == 200
    a = people["clerk_a"]["staff"].id
    assert client.post(url, {"staff": a, "status": "present"}).status_code == 302
    assert client.post(url, {"staff": a, "status": "present"}).status_code == 302  # a double submission
    response = client.post(url, {"staff": people["clerk_b"]["staff"].id, "status": "leave", "reason": ""})
    assert response.status_code == 400 and "请假须写明事由" in response.content.decode()
    assert Attendance.objects.count() == 1 and TrainingCredit.objects.get().hours == Decimal("3")
    client.force_login(people["clerk_b"]["user"])
    assert client.get(url).status_code == 404


def test_the_home_pages_lead_to_training(client, people):
    client.force_login(people["clerk_a"]["user"])
    html = client.get(reverse("portal:workbench")).content.decode()
    assert '<span class="bh-tile__title">学习培训</span>' in html
    assert '<span class="bh-tile__title">培训管理</span>' not in html
    client.force_login(people["manager"]["user"])
    html = client.get(reverse("portal:workbench")).content.decode()
    assert '<span class="bh-tile__title">培训管理</span>' in html


def test_the_admin_lists_the_managers_own_courses_and_audits_a_change(client, people, make_staff):
    mine_course = _course(people)  # 兰山区
    other = make_staff("hall_manager", region="yinan")
    theirs = training.course_save(
        actor=other,
        scope=_scope(other),
        data={
            "title": "沂南县窗口规范",
            "kind": "self_study",
            "reading_minutes": "5",
            "credit_hours": "1",
            "content": "x",
        },
    )
    client.force_login(people["manager"]["user"])
    html = client.get("/admin/assessment/course/").content.decode()
    assert mine_course.title in html and theirs.title not in html
    assert client.get(f"/admin/assessment/course/{theirs.pk}/change/").status_code in (302, 404)
    # the read-only ledgers cannot be added to by hand
    assert client.get("/admin/assessment/trainingcredit/add/").status_code == 403
    response = client.post(
        f"/admin/assessment/course/{mine_course.pk}/change/",
        {
            "title": "政务服务礼仪规范（修订）",
            "kind": "self_study",
            "description": "",
            "content": "内容",
            "reading_minutes": "20",
            "credit_hours": "1.5",
            "region": mine_course.region_id,
            "audience_roles": "[]",
            "published": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Course.objects.get(pk=mine_course.pk).title == "政务服务礼仪规范（修订）"
    assert AuditEvent.objects.filter(
        action="assessment.course_change", object_id=str(mine_course.pk)
    ).exists()


def test_the_pdf_is_served_to_the_audience_only(client, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    user = people["manager"]["user"]
    pdf = SimpleUploadedFile("礼仪.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF")
    course = training.course_save(
        actor=user,
        scope=_scope(user),
        data={
            "title": "PDF课程",
            "kind": "self_study",
            "reading_minutes": "5",
            "credit_hours": "1",
            "published": "1",
        },
        upload=pdf,
    )
    url = reverse("training:material", args=[course.pk])
    client.force_login(people["clerk_a"]["user"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(people["yinan"]["user"])
    assert client.get(url).status_code == 404


def test_a_session_submitted_twice_is_one_session(people):
    course = _session_course(people)
    _session(people, course)
    with pytest.raises(ValidationError, match="重复提交"):
        _session(people, course)
    assert TrainingSession.objects.count() == 1
    assert AuditEvent.objects.filter(action="assessment.session_create").count() == 1


def test_a_session_of_a_self_study_course_is_refused(people):
    with pytest.raises(ValidationError, match="只有集中学习课程"):
        _session(people, _course(people))


def test_the_new_course_form_sent_twice_creates_one_course(client, people):
    client.force_login(people["manager"]["user"])
    page = client.get(reverse("training:course_new")).content.decode()
    key = page.split('name="submission_key" value="', 1)[1].split('"', 1)[0]
    data = {
        "title": "好差评制度学习",
        "kind": "self_study",
        "content": "评价渠道、差评整改",
        "reading_minutes": "10",
        "credit_hours": "0.5",
        "submission_key": key,
    }
    first = client.post(reverse("training:course_new"), data)
    second = client.post(reverse("training:course_new"), data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert Course.objects.count() == 1
    assert AuditEvent.objects.filter(action="assessment.course_create").count() == 1
