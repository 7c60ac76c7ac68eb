"""学习培训 pages (/assessment/training/…).

- mine/: a staff member's own record: hours per month, quarter and year, the courses to study,
  the sessions to enrol in, what is done (any active staff member).
- courses/<pk>/: a course meant for the viewer: the material (opening it records the start of a
  self-study), the confirmation, the sessions; courses/<pk>/material/: its PDF.
- sessions/<pk>/attendance/: the organiser's (or a manager's) attendance sheet.
- manage/…: courses and sessions of the scope, the per-person records with the hours of a
  period and the required courses not done, and their Excel export (training.manage).
A record outside the viewer's scope is a 404.
"""

from __future__ import annotations

import datetime as dt
import uuid
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from banhao.org import api as org
from banhao.org.api import staff_required

from . import training
from .models_training import Attendance, Course, Enrolment, StudyRecord, TrainingCredit, TrainingSession
from .training_excel import records_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def staff_page(view):
    """Any active staff member (the own record is everyone's); sets request.scope and
    request.staff."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        scope = org.scope_for_user(request.user)
        if scope is None:
            raise PermissionDenied("学习培训仅面向在岗工作人员。")
        request.scope = scope
        request.staff = training.staff_of(request.user)
        return view(request, *args, **kwargs)

    return wrapped


def _errors(e: ValidationError) -> dict[str, str]:
    if hasattr(e, "error_dict"):
        return {("form" if k == "__all__" else k): "；".join(v) for k, v in e.message_dict.items()}
    return {"form": "；".join(e.messages)}


# --- the staff member's own pages ------------------------------------------------------------------


@staff_page
def mine(request):
    """GET /assessment/training/mine/?year=YYYY — my training record."""
    today = timezone.localdate()
    raw = request.GET.get("year", "")
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else today.year
    staff = request.staff
    hours = training.hours_by_period(staff.id, year)
    credits = list(
        TrainingCredit.objects.filter(staff_id=staff.id)
        .select_related("course", "session")
        .order_by("-earned_on", "-id")
    )
    done_ids = {c.course_id for c in credits}
    courses = training.courses_for(staff)
    started = dict(StudyRecord.objects.filter(staff_id=staff.id).values_list("course_id", "started_at"))
    todo = [
        {"course": c, "started_at": started.get(c.pk)}
        for c in courses
        if c.kind == Course.Kind.SELF_STUDY and c.pk not in done_ids
    ]
    todo.sort(key=lambda r: (not r["course"].required, r["course"].title))
    session_courses = [c.pk for c in courses if c.kind == Course.Kind.SESSION]
    enrolled = set(Enrolment.objects.filter(staff_id=staff.id).values_list("session_id", flat=True))
    upcoming = [
        {"session": s, "enrolled": s.pk in enrolled}
        for s in TrainingSession.objects.filter(course_id__in=session_courses, ends_at__gte=timezone.now())
        .select_related("course")
        .order_by("starts_at")
    ]
    attended = list(
        Attendance.objects.filter(staff_id=staff.id)
        .select_related("session__course")
        .order_by("-session__starts_at")
    )
    missing_required = [c for c in courses if c.required and c.pk not in done_ids]
    return render(
        request,
        "assessment/training/mine.html",
        {
            "staff": staff,
            "year": year,
            "years": list(range(today.year, today.year - 4, -1)),
            "months": list(enumerate(hours["months"], start=1)),
            "quarters": list(enumerate(hours["quarters"], start=1)),
            "year_hours": hours["year"],
            "credits": [c for c in credits if c.session_id is None],
            "attended": attended,
            "todo": todo,
            "upcoming": upcoming,
            "missing_required": missing_required,
            "can_manage": request.scope.can("training.manage"),
        },
    )


def _course_or_404(request, pk: int) -> Course:
    course = training.course_for_staff(request.staff, pk)
    if course is None:
        raise Http404("未找到该课程。")
    return course


def _course_context(request, course: Course, **extra) -> dict:
    staff = request.staff
    record = StudyRecord.objects.filter(course=course, staff_id=staff.id).first()
    credit = TrainingCredit.objects.filter(staff_id=staff.id, course=course, session__isnull=True).first()
    now = timezone.now()
    ready_at = None
    if record is not None and course.kind == Course.Kind.SELF_STUDY:
        ready_at = record.started_at + dt.timedelta(minutes=course.reading_minutes)
    enrolled = set(Enrolment.objects.filter(staff_id=staff.id).values_list("session_id", flat=True))
    marks = dict(
        Attendance.objects.filter(staff_id=staff.id, session__course=course).values_list(
            "session_id", "status"
        )
    )
    labels = dict(Attendance.Status.choices)
    sessions = [
        {
            "session": s,
            "enrolled": s.pk in enrolled,
            "count": s.enrolments.count(),
            "attendance": labels.get(marks.get(s.pk, ""), ""),
            "open": s.enrolment_open and s.starts_at > now,
        }
        for s in course.sessions.order_by("starts_at")
    ]
    return {
        "course": course,
        "record": record,
        "credit": credit,
        "ready_at": ready_at,
        "ready": ready_at is not None and now >= ready_at,
        "sessions": sessions,
        **extra,
    }


@staff_page
def course(request, pk: int):
    """GET /assessment/training/courses/<pk>/ — the course; a self-study's first opening is
    recorded as the start of the reading (the server's clock)."""
    c = _course_or_404(request, pk)
    if c.kind == Course.Kind.SELF_STUDY:
        training.study_open(actor=request.user, staff=request.staff, course_id=c.pk)
    return render(request, "assessment/training/course.html", _course_context(request, c))


@require_POST
@staff_page
def confirm(request, pk: int):
    """POST /assessment/training/courses/<pk>/confirm/ — 确认学完."""
    c = _course_or_404(request, pk)
    try:
        done = training.study_confirm(actor=request.user, staff=request.staff, course_id=c.pk)
    except ValidationError as e:
        context = _course_context(request, c, error="；".join(e.messages))
        return render(request, "assessment/training/course.html", context, status=400)
    if done.created:
        messages.success(request, f"已确认学完《{c.title}》，记{done.credit.hours}学时。")
    else:
        messages.info(request, f"《{c.title}》已确认学完，学时只记一次，本次重复提交未再记录。")
    return redirect("training:course", pk=c.pk)


@staff_page
def material(request, pk: int):
    """GET /assessment/training/courses/<pk>/material/ — the PDF, for its audience and for the
    managers of its region."""
    c = Course.objects.filter(pk=pk).first()
    manager = (
        c is not None and request.scope.can("training.manage") and c.region_id in request.scope.region_ids
    )
    if c is None or not c.material or not (manager or training.course_for_staff(request.staff, pk)):
        raise Http404("未找到该学习材料。")
    response = FileResponse(
        c.material.open("rb"), content_type="application/pdf", filename=c.material_name or "学习材料.pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@staff_page
def enrol(request, pk: int):
    """POST /assessment/training/sessions/<pk>/enrol/ — 报名."""
    try:
        done = training.session_enrol(actor=request.user, staff=request.staff, session_id=pk)
    except PermissionDenied:
        raise Http404("未找到该培训场次。") from None
    except ValidationError as e:
        messages.error(request, "报名未成功：" + "；".join(e.messages))
    else:
        if done.created:
            messages.success(request, "报名成功，请按时参加。")
        else:
            messages.info(request, "您已报名该场次，本次重复提交未再处理。")
    session = TrainingSession.objects.get(pk=pk)
    return redirect("training:course", pk=session.course_id)


# --- attendance (the organiser or a manager) ---------------------------------------------------------


def _attendance_context(request, session: TrainingSession, **extra) -> dict:
    recorded = {a.staff_id: a for a in session.attendance.all()}
    enrolled = list(session.enrolments.values_list("staff_id", flat=True))
    rows = org.staff_rows(org.region_descendants_of(session.region_id))
    by_id = {r.id: r for r in rows}
    listed = [by_id[i] for i in dict.fromkeys([*enrolled, *recorded]) if i in by_id]
    others = [r for r in rows if r.id not in recorded and r.id not in enrolled]
    return {
        "session": session,
        "rows": [
            {"staff": r, "attendance": recorded.get(r.id), "enrolled": r.id in enrolled} for r in listed
        ],
        "others": others,
        "statuses": Attendance.Status.choices,
        "started": session.starts_at <= timezone.now(),
        "present": sum(1 for a in recorded.values() if a.status == Attendance.Status.PRESENT),
        **extra,
    }


@staff_page
def attendance(request, pk: int):
    """GET/POST /assessment/training/sessions/<pk>/attendance/ — record each person once."""
    session = TrainingSession.objects.select_related("course", "organiser").filter(pk=pk).first()
    if session is None or not training.can_record_attendance(request.scope, session):
        raise Http404("未找到该培训场次。")
    if request.method == "POST":
        staff_id = request.POST.get("staff", "")
        try:
            done = training.attendance_record(
                actor=request.user,
                scope=request.scope,
                session_id=session.pk,
                staff_id=int(staff_id) if staff_id.isdigit() else 0,
                status=request.POST.get("status", ""),
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as e:
            context = _attendance_context(request, session, errors=_errors(e), failed=staff_id)
            return render(request, "assessment/training/attendance.html", context, status=400)
        a = done.attendance
        name = org.staff_names([a.staff_id]).get(a.staff_id, "")
        if done.created:
            messages.success(request, f"已登记{name}：{a.get_status_display()}。")
        else:
            messages.info(request, f"{name}的考勤已登记，本次重复提交未再处理。")
        return redirect("training:attendance", pk=session.pk)
    return render(request, "assessment/training/attendance.html", _attendance_context(request, session))


# --- the managers' pages ------------------------------------------------------------------------------


@staff_required("training.manage")
def manage(request):
    """GET /assessment/training/manage/ — the courses and sessions of the scope."""
    courses = training.courses_in_scope(request.scope).order_by("-created_at", "-id")
    sessions = training.sessions_in_scope(request.scope).order_by("-starts_at")[:50]
    return render(request, "assessment/training/manage.html", {"courses": courses, "sessions": sessions})


def _course_form_context(request, course=None, values=None, errors=None) -> dict:
    if values is None:
        values = {
            "kind": "self_study",
            "reading_minutes": "20",
            "credit_hours": "1",
            "audience_roles": [],
            "audience_regions": [],
            "audience_departments": [],
            "submission_key": uuid.uuid4().hex,
        }
        if course is not None:
            values = {
                "title": course.title,
                "kind": course.kind,
                "description": course.description,
                "content": course.content,
                "reading_minutes": str(course.reading_minutes or ""),
                "credit_hours": str(course.credit_hours),
                "required": course.required,
                "published": course.published,
                "audience_roles": list(course.audience_roles),
                "audience_regions": [str(r.pk) for r in course.audience_regions.all()],
                "audience_departments": [str(d.pk) for d in course.audience_departments.all()],
            }
    return {
        "course": course,
        "values": values,
        "errors": errors or {},
        "kinds": Course.Kind.choices,
        "roles": org.Role.choices,
        "regions": [(str(i), n) for i, n in _region_ids_names(request.scope)],
        "departments": [(str(i), n) for i, n, _ in org.department_choices(request.scope.region_ids)],
    }


def _region_ids_names(scope):
    rows = []
    for code, name in org.region_choices(scope.region_ids):
        rid = org.region_id_by_code(code)
        if rid is not None:
            rows.append((rid, name))
    return rows


def _course_values(post) -> dict:
    return {
        "title": post.get("title", ""),
        "kind": post.get("kind", ""),
        "description": post.get("description", ""),
        "content": post.get("content", ""),
        "reading_minutes": post.get("reading_minutes", ""),
        "credit_hours": post.get("credit_hours", ""),
        "required": bool(post.get("required")),
        "published": bool(post.get("published")),
        "audience_roles": post.getlist("audience_roles"),
        "audience_regions": post.getlist("audience_regions"),
        "audience_departments": post.getlist("audience_departments"),
        "submission_key": post.get("submission_key", "")[:40],
    }


@staff_required("training.manage")
def course_edit(request, pk: int | None = None):
    """GET/POST /assessment/training/manage/courses/new/ and …/courses/<pk>/ — the course form."""
    course = None
    if pk is not None:
        course = training.courses_in_scope(request.scope).filter(pk=pk).first()
        if course is None:
            raise Http404("未找到该课程。")
    if request.method == "POST":
        values = _course_values(request.POST)
        try:
            saved = training.course_save(
                actor=request.user,
                scope=request.scope,
                data=values,
                upload=request.FILES.get("material"),
                course_id=course.pk if course else None,
            )
        except ValidationError as e:
            context = _course_form_context(request, course, values, _errors(e))
            return render(request, "assessment/training/course_form.html", context, status=400)
        messages.success(
            request, f"课程《{saved.title}》已保存{'并发布' if saved.published else '（未发布）'}。"
        )
        return redirect("training:course_edit", pk=saved.pk)
    context = _course_form_context(request, course)
    if course is not None:
        context["sessions"] = course.sessions.select_related("organiser").order_by("-starts_at")
        context["learners"] = course.credits.count()
    return render(request, "assessment/training/course_form.html", context)


@staff_required("training.manage")
def session_new(request, pk: int):
    """GET/POST /assessment/training/manage/courses/<pk>/sessions/new/ — a session."""
    course = training.courses_in_scope(request.scope).filter(pk=pk, kind=Course.Kind.SESSION).first()
    if course is None:
        raise Http404("未找到该集中学习课程。")
    organisers = org.staff_choices(request.scope.region_ids)
    values = {
        "hours": str(course.credit_hours),
        "organiser": str(request.scope.staff_id),
        "capacity": "0",
        "enrolment_open": True,
    }
    errors = {}
    if request.method == "POST":
        values = {
            k: request.POST.get(k, "")
            for k in ("starts_at", "ends_at", "place", "hours", "organiser", "capacity")
        }
        values["enrolment_open"] = bool(request.POST.get("enrolment_open"))
        try:
            training.session_create(actor=request.user, scope=request.scope, course_id=course.pk, data=values)
        except ValidationError as e:
            errors = _errors(e)
        else:
            messages.success(request, "场次已安排。")
            return redirect("training:course_edit", pk=course.pk)
    return render(
        request,
        "assessment/training/session_form.html",
        {"course": course, "values": values, "errors": errors, "organisers": organisers},
        status=400 if errors else 200,
    )


def _records_request(request):
    g = request.GET
    errors = []
    try:
        period = training.period_parse(g.get("period", ""))
    except ValidationError as e:
        errors.append("；".join(e.messages))
        period = training.period_parse("")
    regions = dict(_region_ids_names(request.scope))
    filters = {"region": None, "department": None, "hall": None}
    for key in filters:
        raw = g.get(key, "")
        if raw.isdigit():
            filters[key] = int(raw)
    if filters["region"] is not None and filters["region"] not in regions:
        errors.append("所选区域不在您的管理范围内。")
        filters["region"] = None
    departments = org.department_choices(request.scope.region_ids)
    if filters["department"] is not None and filters["department"] not in {d for d, _, _ in departments}:
        errors.append("所选部门不在您的管理范围内。")
        filters["department"] = None
    halls = org.hall_list(request.scope.region_ids)
    if filters["hall"] is not None and filters["hall"] not in {h for h, _, _ in halls}:
        errors.append("所选大厅不在您的管理范围内。")
        filters["hall"] = None
    rows = training.records_for(
        request.scope,
        period,
        region_id=filters["region"],
        department_id=filters["department"],
        hall_id=filters["hall"],
    )
    return period, filters, rows, errors, regions, departments, halls


@staff_required("training.manage")
def records(request):
    """GET /assessment/training/manage/records/?period=&region=&department=&hall= — hours per
    person in the period and the required courses not done."""
    period, filters, rows, errors, regions, departments, halls = _records_request(request)
    total = sum(r.hours for r in rows)
    return render(
        request,
        "assessment/training/records.html",
        {
            "period": period,
            "filters": filters,
            "rows": rows,
            "errors": errors,
            "regions": sorted(regions.items(), key=lambda kv: kv[0]),
            "departments": departments,
            "halls": halls,
            "total": total,
            "average": round(total / len(rows), 2) if rows else 0,
            "missing": sum(1 for r in rows if r.missing_required),
            "query": request.GET.urlencode(),
        },
        status=400 if errors else 200,
    )


@staff_required("training.manage")
def records_export(request):
    """GET /assessment/training/manage/records/export/ — the same list as .xlsx."""
    period, _filters, rows, errors, *_ = _records_request(request)
    if errors:
        messages.error(request, "导出未成功：" + "；".join(errors))
        return redirect("training:records")
    data = records_workbook(period, rows)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''training-{period.key}.xlsx"
    return response
