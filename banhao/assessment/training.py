"""学习培训: every write of the training part, the reads its pages need, and the fact the
assessment counts (``training_hours``).

Two ways of learning (docs/training.md):

- 日常自学: the staff member opens the course's material; the server records when (the first
  opening, ``study_open``). Confirming the reading (``study_confirm``) is accepted only when at
  least the course's reading minutes have passed on the server's clock since then; too early is
  a Chinese error and records nothing. The hours are credited once per course per person (a
  unique constraint on the ledger).
- 集中学习: a course held in sessions (time, place, hours, organiser, capacity). Staff may enrol
  (``session_enrol``, capacity held under a row lock); after the session starts the organiser,
  or a manager of the scope, records each person's attendance once (``attendance_record``:
  present / absent / leave with a reason); present credits the session's hours.

Every change writes an audit event in its transaction. The ledger (``TrainingCredit``) is what
the hours per month, quarter and year and ``training_hours`` sum.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from banhao.core.audit import audit_record, register_action_labels, snapshot
from banhao.core.uploads import check_upload
from banhao.org import api as org

from .models_training import Attendance, Course, Enrolment, StudyRecord, TrainingCredit, TrainingSession

register_action_labels(
    {
        "assessment.course_create": "培训课程：新建",
        "assessment.course_change": "培训课程：修改",
        "assessment.session_create": "集中学习：新建场次",
        "assessment.study_open": "日常自学：开始学习",
        "assessment.study_confirm": "日常自学：确认学完",
        "assessment.session_enrol": "集中学习：报名",
        "assessment.attendance_record": "集中学习：登记考勤",
    }
)

MATERIAL_MAX_BYTES = 20 * 1024 * 1024
CONTENT_MAX = 20000
SUBJECT_KINDS = ("staff", "window", "department", "county")


# --- who is asking ----------------------------------------------------------------------------


def staff_of(user) -> org.StaffBrief:
    """The active staff member behind an account, or PermissionDenied (applicants, inactive)."""
    scope = org.scope_for_user(user)
    brief = org.staff_brief(scope.staff_id) if scope is not None else None
    if brief is None or not brief.active:
        raise PermissionDenied("只有在岗工作人员可以参加学习培训。")
    return brief


def _reaches(course: Course, staff: org.StaffBrief, ancestors: tuple[int, ...]) -> bool:
    """Whether a course is meant for this staff member: within its region, and within its
    audience of roles, regions and departments (an empty audience item means everyone)."""
    if course.region_id not in ancestors:
        return False
    if course.audience_roles and staff.role not in course.audience_roles:
        return False
    regions = [r.pk for r in course.audience_regions.all()]
    if regions and not set(regions) & set(ancestors):
        return False
    departments = [d.pk for d in course.audience_departments.all()]
    return not departments or staff.department_id in departments


def courses_for(staff: org.StaffBrief, *, required_only: bool = False) -> list[Course]:
    """The published courses meant for a staff member, newest first."""
    ancestors = org.region_ancestors(staff.region_id)
    qs = Course.objects.filter(published=True, region_id__in=ancestors).prefetch_related(
        "audience_regions", "audience_departments"
    )
    if required_only:
        qs = qs.filter(required=True)
    return [c for c in qs if _reaches(c, staff, ancestors)]


def course_for_staff(staff: org.StaffBrief, course_id: int) -> Course | None:
    course = (
        Course.objects.filter(pk=course_id, published=True)
        .prefetch_related("audience_regions", "audience_departments")
        .first()
    )
    if course is None or not _reaches(course, staff, org.region_ancestors(staff.region_id)):
        return None
    return course


def courses_in_scope(scope):
    return Course.objects.filter(region_id__in=scope.region_ids)


def sessions_in_scope(scope):
    return TrainingSession.objects.filter(region_id__in=scope.region_ids).select_related(
        "course", "organiser"
    )


# --- courses and sessions (managers) -----------------------------------------------------------


def _hours(raw, label: str, errors: dict, key: str, top: int) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        errors[key] = f"请填写{label}（数字，如 1 或 1.5）。"
        return None
    if not value.is_finite() or value <= 0 or value > top or value != value.quantize(Decimal("0.1")):
        errors[key] = f"{label}应大于0、不超过{top}，最多一位小数。"
        return None
    return value


def _ids(values) -> list[int]:
    out = []
    for v in values or []:
        if str(v).isdigit():
            out.append(int(v))
    return sorted(set(out))


@transaction.atomic
def course_save(*, actor, scope, data, upload=None, course_id: int | None = None) -> Course:
    """Creates or changes a course of the manager's scope. ``data``: title, kind, description,
    content, reading_minutes, credit_hours, required, published, audience_roles,
    audience_regions, audience_departments (lists of ids). A PDF material is checked by its
    content (a disguised or scripted file is refused). Errors: ValidationError (dict, Chinese)."""
    if not scope.can("training.manage"):
        raise PermissionDenied("您的角色无权管理培训课程。")
    course = None
    key = (data.get("submission_key") or "").strip()[:40] or None
    if course_id is None and key is not None:
        earlier = courses_in_scope(scope).filter(submission_key=key).first()
        if earlier is not None:  # the same form sent twice: the course it created
            return earlier
    if course_id is not None:
        course = courses_in_scope(scope).select_for_update().filter(pk=course_id).first()
        if course is None:
            raise PermissionDenied("未找到该课程，或不在您的管理范围内。")
    errors: dict[str, str] = {}
    title = (data.get("title") or "").strip()
    if not 2 <= len(title) <= 100:
        errors["title"] = "请填写课程名称（2至100个字）。"
    kind = data.get("kind") or ""
    if kind not in Course.Kind.values:
        errors["kind"] = "请选择学习形式（日常自学或集中学习）。"
    elif course is not None and kind != course.kind and (course.studies.exists() or course.sessions.exists()):
        errors["kind"] = "已有学习记录或场次的课程不能更改学习形式。"
    description = (data.get("description") or "").strip()
    if len(description) > 300:
        errors["description"] = "课程简介不能超过300个字。"
    content = (data.get("content") or "").strip()
    if len(content) > CONTENT_MAX:
        errors["content"] = f"学习内容不能超过{CONTENT_MAX}个字。"
    hours = _hours(data.get("credit_hours", ""), "学时", errors, "credit_hours", 100)
    minutes = 0
    if kind == Course.Kind.SELF_STUDY:
        raw = str(data.get("reading_minutes") or "").strip()
        if not raw.isdigit() or not 1 <= int(raw) <= 600:
            errors["reading_minutes"] = "日常自学须规定阅读时长（1至600分钟）。"
        else:
            minutes = int(raw)
    material_kind = None
    if upload is not None:
        try:
            material_kind = check_upload(upload, allowed=("pdf",), max_bytes=MATERIAL_MAX_BYTES)
        except ValidationError as e:
            errors["material"] = "；".join(e.messages)
    has_material = bool(upload is not None or (course is not None and course.material))
    if kind == Course.Kind.SELF_STUDY and not content and not has_material and "material" not in errors:
        errors["content"] = "日常自学课程须有学习内容或上传PDF学习材料。"
    roles = sorted(set(data.get("audience_roles") or []))
    if any(r not in org.Role.values for r in roles):
        errors["audience_roles"] = "面向角色中有无效的角色。"
    region_ids = _ids(data.get("audience_regions"))
    if any(r not in scope.region_ids for r in region_ids):
        errors["audience_regions"] = "只能选择您管理范围内的区域。"
    department_ids = _ids(data.get("audience_departments"))
    allowed_departments = {d for d, _, _ in org.department_choices(scope.region_ids)}
    if any(d not in allowed_departments for d in department_ids):
        errors["audience_departments"] = "只能选择您管理范围内的部门。"
    if not errors:
        clash = courses_in_scope(scope).filter(
            region_id=course.region_id if course else scope.region_id, title=title
        )
        if course is not None:
            clash = clash.exclude(pk=course.pk)
        if clash.exists():
            errors["title"] = "本区域已有同名课程，请换一个名称。"
    if errors:
        raise ValidationError(errors)
    before = snapshot(course) if course is not None else None
    if course is None:
        course = Course(
            region_id=scope.region_id,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            submission_key=key,
        )
    course.title, course.kind, course.description, course.content = title, kind, description, content
    course.reading_minutes = minutes
    course.credit_hours = hours
    course.required = bool(data.get("required"))
    course.published = bool(data.get("published"))
    course.audience_roles = roles
    if material_kind is not None:
        course.material = upload
        course.material_name = (getattr(upload, "name", "") or "学习材料.pdf")[-120:]
    try:
        with transaction.atomic():
            course.save()
    except IntegrityError:  # saved a moment ago by a parallel request
        earlier = Course.objects.filter(submission_key=key).first() if key else None
        if earlier is not None:
            return earlier
        raise ValidationError({"title": "本区域已有同名课程，请换一个名称。"}) from None
    course.audience_regions.set(region_ids)
    course.audience_departments.set(department_ids)
    after = snapshot(course) | {"audience_regions": region_ids, "audience_departments": department_ids}
    audit_record(
        actor=actor,
        obj=course,
        action="assessment.course_change" if before else "assessment.course_create",
        before=before,
        after=after,
    )
    return course


def _local(value: str, label: str, errors: dict, key: str) -> dt.datetime | None:
    try:
        naive = dt.datetime.fromisoformat((value or "").strip())
    except ValueError:
        errors[key] = f"请填写{label}（日期和时间）。"
        return None
    if timezone.is_aware(naive):
        return naive
    return timezone.make_aware(naive)


@transaction.atomic
def session_create(*, actor, scope, course_id: int, data) -> TrainingSession:
    """A session of a 集中学习 course of the scope. ``data``: starts_at, ends_at (ISO local),
    place, hours (defaults to the course's), organiser (a staff id of the scope), capacity (0 =
    no limit), enrolment_open."""
    if not scope.can("training.manage"):
        raise PermissionDenied("您的角色无权管理培训课程。")
    # the course row is locked: two submissions of the same sitting cannot both pass the check
    course = courses_in_scope(scope).select_for_update().filter(pk=course_id).first()
    if course is None:
        raise PermissionDenied("未找到该课程，或不在您的管理范围内。")
    errors: dict[str, str] = {}
    if course.kind != Course.Kind.SESSION:
        raise ValidationError("只有集中学习课程可以安排场次。")
    starts = _local(data.get("starts_at", ""), "开始时间", errors, "starts_at")
    ends = _local(data.get("ends_at", ""), "结束时间", errors, "ends_at")
    if starts and ends and ends <= starts:
        errors["ends_at"] = "结束时间应晚于开始时间。"
    place = (data.get("place") or "").strip()
    if not 2 <= len(place) <= 100:
        errors["place"] = "请填写培训地点（2至100个字）。"
    raw_hours = data.get("hours") or course.credit_hours
    hours = _hours(raw_hours, "学时", errors, "hours", 24)
    organiser_id = str(data.get("organiser") or "")
    organiser = org.staff_brief(int(organiser_id)) if organiser_id.isdigit() else None
    if organiser is None or not organiser.active or organiser.region_id not in scope.region_ids:
        errors["organiser"] = "请选择您管理范围内在岗的组织人。"
    capacity = str(data.get("capacity") or "0").strip()
    if not capacity.isdigit() or int(capacity) > 2000:
        errors["capacity"] = "名额应为0至2000的整数（0为不限）。"
    if errors:
        raise ValidationError(errors)
    if TrainingSession.objects.filter(course=course, starts_at=starts, place=place).exists():
        raise ValidationError("该课程在同一时间、同一地点的场次已经安排（可能是重复提交）。")
    session = TrainingSession.objects.create(
        course=course,
        starts_at=starts,
        ends_at=ends,
        place=place,
        hours=hours,
        organiser_id=organiser.id,
        capacity=int(capacity),
        enrolment_open=bool(data.get("enrolment_open")),
        region_id=course.region_id,
    )
    audit_record(actor=actor, obj=session, action="assessment.session_create", after=snapshot(session))
    return session


# --- 日常自学 ---------------------------------------------------------------------------------


def _now(now):
    return now or timezone.now()


@transaction.atomic
def study_open(*, actor, staff: org.StaffBrief, course_id: int, now=None) -> StudyRecord:
    """Records the first opening of a self-study course's material (later openings keep it)."""
    course = course_for_staff(staff, course_id)
    if course is None or course.kind != Course.Kind.SELF_STUDY:
        raise PermissionDenied("未找到该课程。")
    record = StudyRecord.objects.filter(course=course, staff_id=staff.id).first()
    if record is not None:
        return record
    try:
        with transaction.atomic():
            record = StudyRecord.objects.create(course=course, staff_id=staff.id, started_at=_now(now))
    except IntegrityError:  # a second tab opened it at the same moment
        return StudyRecord.objects.get(course=course, staff_id=staff.id)
    audit_record(actor=actor, obj=record, action="assessment.study_open", after=snapshot(record))
    return record


@dataclass(frozen=True)
class Confirmed:
    credit: TrainingCredit
    created: bool


@transaction.atomic
def study_confirm(*, actor, staff: org.StaffBrief, course_id: int, now=None) -> Confirmed:
    """Confirms the reading of a self-study course and credits its hours, once.

    The time is the server's: at least ``reading_minutes`` since the recorded start. Too early
    raises ValidationError (Chinese, saying how long is left) and records nothing. A repeated
    confirmation returns the credit already recorded (``created`` False)."""
    now = _now(now)
    course = course_for_staff(staff, course_id)
    if course is None or course.kind != Course.Kind.SELF_STUDY:
        raise PermissionDenied("未找到该课程。")
    record = StudyRecord.objects.select_for_update().filter(course=course, staff_id=staff.id).first()
    if record is None:
        raise ValidationError("请先打开学习材料进行学习，再确认学完。")
    done = TrainingCredit.objects.filter(staff_id=staff.id, course=course, session__isnull=True).first()
    if done is not None:
        return Confirmed(done, False)
    elapsed = now - record.started_at
    needed = dt.timedelta(minutes=course.reading_minutes)
    if elapsed < needed:
        left = needed - elapsed
        minutes_left = max(1, -(-int(left.total_seconds()) // 60))
        raise ValidationError(
            f"学习时间不足：本课程要求至少学习{course.reading_minutes}分钟，"
            f"您自{timezone.localtime(record.started_at):%H:%M}开始已学习{int(elapsed.total_seconds() // 60)}分钟，"
            f"还需约{minutes_left}分钟，学完后再确认。"
        )
    try:
        with transaction.atomic():
            credit = TrainingCredit.objects.create(
                staff_id=staff.id, course=course, hours=course.credit_hours, earned_on=timezone.localdate(now)
            )
    except IntegrityError:
        return Confirmed(
            TrainingCredit.objects.get(staff_id=staff.id, course=course, session__isnull=True), False
        )
    before = snapshot(record, ["confirmed_at"])
    record.confirmed_at = now
    record.save(update_fields=["confirmed_at"])
    audit_record(
        actor=actor,
        obj=record,
        action="assessment.study_confirm",
        before=before,
        after=snapshot(record, ["confirmed_at"]) | {"hours": str(credit.hours)},
    )
    return Confirmed(credit, True)


# --- 集中学习 ---------------------------------------------------------------------------------


def session_for_staff(staff: org.StaffBrief, session_id: int) -> TrainingSession | None:
    session = TrainingSession.objects.select_related("course").filter(pk=session_id).first()
    if session is None or course_for_staff(staff, session.course_id) is None:
        return None
    return session


@dataclass(frozen=True)
class Enrolled:
    enrolment: Enrolment
    created: bool


@transaction.atomic
def session_enrol(*, actor, staff: org.StaffBrief, session_id: int, now=None) -> Enrolled:
    """Enrols a staff member in a session of a course meant for them, before it starts and
    within its capacity (the session row is locked while counting). Enrolling twice returns
    the first enrolment."""
    now = _now(now)
    if session_for_staff(staff, session_id) is None:
        raise PermissionDenied("未找到该培训场次。")
    session = TrainingSession.objects.select_for_update().get(pk=session_id)
    existing = Enrolment.objects.filter(session=session, staff_id=staff.id).first()
    if existing is not None:
        return Enrolled(existing, False)
    if not session.enrolment_open:
        raise ValidationError("该场次未开放报名。")
    if session.starts_at <= now:
        raise ValidationError("该场次已开始，不能再报名。")
    if session.capacity and session.enrolments.count() >= session.capacity:
        raise ValidationError(f"该场次名额（{session.capacity}人）已满。")
    enrolment = Enrolment.objects.create(session=session, staff_id=staff.id)
    audit_record(actor=actor, obj=enrolment, action="assessment.session_enrol", after=snapshot(enrolment))
    return Enrolled(enrolment, True)


def can_record_attendance(scope, session: TrainingSession) -> bool:
    """The session's organiser, or a training manager of the session's region."""
    if scope is None:
        return False
    if session.organiser_id == scope.staff_id:
        return True
    return scope.can("training.manage") and session.region_id in scope.region_ids


@dataclass(frozen=True)
class Recorded:
    attendance: Attendance
    created: bool


@transaction.atomic
def attendance_record(
    *, actor, scope, session_id: int, staff_id: int, status: str, reason: str = "", now=None
) -> Recorded:
    """Records one person's attendance of a session, once (a unique constraint), after the
    session has started. Present credits the session's hours on the session's date. The same
    entry again (a double submission) returns the first; a different one is refused."""
    now = _now(now)
    session = (
        TrainingSession.objects.select_for_update().select_related("course").filter(pk=session_id).first()
    )
    if session is None or not can_record_attendance(scope, session):
        raise PermissionDenied("只有组织人或本区域的培训管理人员可以登记考勤。")
    if session.starts_at > now:
        raise ValidationError("培训尚未开始，开始后才能登记考勤。")
    errors = {}
    if status not in Attendance.Status.values:
        errors["status"] = "请选择考勤情况（出席、缺席或请假）。"
    reason = (reason or "").strip()
    if status == Attendance.Status.LEAVE and not reason:
        errors["reason"] = "请假须写明事由。"
    elif len(reason) > 200:
        errors["reason"] = "事由不能超过200个字。"
    person = org.staff_brief(staff_id)
    if person is None or person.region_id not in org.region_descendants_of(session.region_id):
        errors["staff"] = "该人员不在本场次培训范围内。"
    if errors:
        raise ValidationError(errors)
    existing = Attendance.objects.filter(session=session, staff_id=staff_id).first()
    if existing is not None:
        if existing.status == status:
            return Recorded(existing, False)
        raise ValidationError(
            f"{person.name}的考勤已登记为“{existing.get_status_display()}”，每人每场只登记一次。"
        )
    user = actor if getattr(actor, "is_authenticated", False) else None
    attendance = Attendance.objects.create(
        session=session,
        staff_id=staff_id,
        status=status,
        reason=reason if status != Attendance.Status.PRESENT else "",
        recorded_by=user,
    )
    after = snapshot(attendance)
    if status == Attendance.Status.PRESENT:
        credit = TrainingCredit.objects.create(
            staff_id=staff_id,
            course=session.course,
            session=session,
            hours=session.hours,
            earned_on=timezone.localdate(session.starts_at),
        )
        after["hours"] = str(credit.hours)
    audit_record(actor=actor, obj=attendance, action="assessment.attendance_record", after=after)
    return Recorded(attendance, True)


# --- hours per period ------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    key: str  # "2026", "2026-Q4", "2026-11"
    label: str
    start: dt.date  # inclusive
    end: dt.date  # exclusive


def period_parse(key: str, today: dt.date | None = None) -> Period:
    """A period from its key: "YYYY", "YYYY-Qn" or "YYYY-MM" (this month when empty).
    Raises ValidationError (Chinese) for anything else."""
    today = today or timezone.localdate()
    key = (key or "").strip() or f"{today:%Y-%m}"
    try:
        if len(key) == 4 and key.isdigit():
            y = int(key)
            return Period(key, f"{y}年", dt.date(y, 1, 1), dt.date(y + 1, 1, 1))
        y, rest = key.split("-", 1)
        y = int(y)
        if rest[:1].upper() == "Q" and rest[1:] in ("1", "2", "3", "4"):
            q = int(rest[1:])
            start = dt.date(y, 3 * q - 2, 1)
            end = dt.date(y + 1, 1, 1) if q == 4 else dt.date(y, 3 * q + 1, 1)
            return Period(f"{y}-Q{q}", f"{y}年第{q}季度", start, end)
        m = int(rest)
        start = dt.date(y, m, 1)
        end = dt.date(y + 1, 1, 1) if m == 12 else dt.date(y, m + 1, 1)
        return Period(f"{y}-{m:02d}", f"{y}年{m}月", start, end)
    except (ValueError, TypeError):
        raise ValidationError("统计期间应为年（2026）、季度（2026-Q4）或月份（2026-11）。") from None


def hours_by_period(staff_id: int, year: int) -> dict:
    """A person's hours of a year: {"months": [12 floats], "quarters": [4], "year": float}."""
    rows = (
        TrainingCredit.objects.filter(
            staff_id=staff_id, earned_on__gte=dt.date(year, 1, 1), earned_on__lt=dt.date(year + 1, 1, 1)
        )
        .values_list("earned_on", "hours")
        .order_by()
    )
    months = [Decimal(0)] * 12
    for day, hours in rows:
        months[day.month - 1] += hours
    quarters = [sum(months[i : i + 3], Decimal(0)) for i in (0, 3, 6, 9)]
    return {
        "months": [float(m) for m in months],
        "quarters": [float(q) for q in quarters],
        "year": float(sum(months, Decimal(0))),
    }


def training_hours(subject_kind: str, subject_ids, start: dt.date, end: dt.date) -> dict[int, float]:
    """Training hours credited in [start, end) (dates; ``end`` is the first day after the
    period), for the assessment's indicator "attendance at training" (参加学习培训).

    - ``"staff"``: each staff member's hours;
    - ``"window"``: the average hours per staff member assigned to the window (org's
      StaffMember.window), ``"department"``: per staff member of the department, ``"county"``:
      per staff member of the region (the county and the regions below it).

    Only active staff count, as members of their unit today. Every id asked for is in the
    result: 0.0 for a person without hours, a unit whose people have none, or a unit without
    staff. Two queries whatever the number of subjects: the members of the units (org.api)
    and one grouped sum over the ledger."""
    if subject_kind not in SUBJECT_KINDS:
        raise ValueError(f"unknown subject kind: {subject_kind}")
    if isinstance(start, dt.datetime):
        start = start.date()
    if isinstance(end, dt.datetime):
        end = end.date()
    ids = [int(i) for i in subject_ids]
    if subject_kind == "staff":
        members = {i: (i,) for i in ids}
    else:
        unit = "region" if subject_kind == "county" else subject_kind
        members = org.staff_members_of(unit, ids)
    everyone = sorted({s for group in members.values() for s in group})
    sums = (
        dict(
            TrainingCredit.objects.filter(staff_id__in=everyone, earned_on__gte=start, earned_on__lt=end)
            .order_by()
            .values("staff_id")
            .annotate(total=Sum("hours"))
            .values_list("staff_id", "total")
        )
        if everyone
        else {}
    )
    out = {}
    for i in ids:
        group = members.get(i, ())
        if not group:
            out[i] = 0.0
            continue
        total = sum((sums.get(s, Decimal(0)) for s in group), Decimal(0))
        out[i] = round(float(total) / len(group), 2)
    return out


# --- the managers' records ---------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRecord:
    staff: org.StaffRow
    hours: float
    courses_done: int
    sessions_attended: int
    missing_required: tuple[str, ...]


def records_for(
    scope, period: Period, *, region_id=None, department_id=None, hall_id=None
) -> list[PersonRecord]:
    """One row per active staff member of the scope (optionally of a region below it, a
    department or a hall): the hours of the period, what they have done, and the required
    courses meant for them that they have not completed (ever)."""
    regions = scope.region_ids
    if region_id is not None:
        regions = frozenset(org.region_descendants_of(region_id)) & scope.region_ids
    if scope.role in ("reviewer", "department_head"):
        department_id = scope.department_id
    people = org.staff_rows(regions, department_id=department_id, hall_id=hall_id)
    ids = [p.id for p in people]
    hours = training_hours("staff", ids, period.start, period.end) if ids else {}
    done = defaultdict(set)
    sessions = defaultdict(int)
    for staff_id, course_id, session_id in TrainingCredit.objects.filter(staff_id__in=ids).values_list(
        "staff_id", "course_id", "session_id"
    ):
        done[staff_id].add(course_id)
        if session_id is not None:
            sessions[staff_id] += 1
    required = list(
        Course.objects.filter(published=True, required=True).prefetch_related(
            "audience_regions", "audience_departments"
        )
    )
    ancestors_cache: dict[int, tuple[int, ...]] = {}
    rows = []
    for p in people:
        ancestors = ancestors_cache.setdefault(p.region_id, org.region_ancestors(p.region_id))
        brief = org.StaffBrief(
            p.id,
            p.name,
            p.employee_no,
            p.role,
            p.region_id,
            p.department_id,
            p.department_name,
            p.hall_id,
            p.window_id,
            True,
        )
        missing = tuple(c.title for c in required if c.pk not in done[p.id] and _reaches(c, brief, ancestors))
        rows.append(
            PersonRecord(
                staff=p,
                hours=hours.get(p.id, 0.0),
                courses_done=len(done[p.id]),
                sessions_attended=sessions[p.id],
                missing_required=missing,
            )
        )
    return rows
