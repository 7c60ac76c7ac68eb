"""The demo city's 学习培训: three city-wide courses (two self-study, one held in sessions), a
held session with its attendance, one to come with enrolment open, and a finished self-study,
so that a clerk's record, the hall manager's attendance sheet and the supervisor's records have
something to show.

Everything goes through banhao.assessment.training (audited). Loading again changes nothing: a
course is found by its title, a session by its time and place, a reading and an attendance are
recorded once per person.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from banhao.assessment import training
from banhao.assessment.models import Course, TrainingSession
from banhao.org import api as org
from banhao.org.models import StaffMember

MANAGER = "manager"  # 吴晓东, the city hall's manager: owns the demo courses
COURSES = [
    {
        "title": "政务服务礼仪规范",
        "kind": "self_study",
        "description": "窗口工作人员的仪容仪表、接待用语和服务规范。",
        "content": (
            "一、仪容仪表\n着装整洁，佩戴工作牌，保持窗口台面整洁。\n\n"
            "二、接待用语\n群众到窗口时主动招呼“您好，请问办理什么业务？”；办结时告知“请您对我的服务进行评价”。\n\n"
            "三、首问负责\n群众咨询的问题不属于本窗口的，负责引导到相应窗口，不说“不知道”“不归我管”。\n\n"
            "四、一次性告知\n材料不全的，一次性书面告知需补正的全部材料。"
        ),
        "reading_minutes": "15",
        "credit_hours": "1",
        "required": "1",
        "published": "1",
        # for the people who meet the public at the hall
        "audience_roles": ["window_clerk", "hall_manager", "helper"],
    },
    {
        "title": "好差评制度学习",
        "kind": "self_study",
        "description": "政务服务“好差评”的评价渠道、差评回访整改和结果运用。",
        "content": (
            "一、评价渠道\n窗口评价器、网上办事大厅、移动端、短信和12345热线。\n\n"
            "二、差评处理\n实名差评在规定时限内回访核实、整改并反馈评价人。\n\n"
            "三、结果运用\n评价结果纳入窗口和工作人员的考核评价。"
        ),
        "reading_minutes": "10",
        "credit_hours": "0.5",
        "required": "",
        "published": "1",
    },
    {
        "title": "一次办好改革政策解读",
        "kind": "session",
        "description": "“一次办好”改革的主要举措：一窗受理、一次告知、一网通办。集中授课并交流。",
        "content": "",
        "reading_minutes": "",
        "credit_hours": "2",
        "required": "1",
        "published": "1",
    },
]
PLACE = "临沂市政务服务中心三楼培训室"
HELD_AT = dt.datetime(2026, 11, 20, 14, 30)  # local time
# (username, attendance, reason) of the held session
ATTENDANCE = [
    ("clerk", "present", ""),
    ("clerk2", "present", ""),
    ("clerk_pickup", "leave", "窗口值守"),
    ("helper", "absent", ""),
]
READ = ("clerk", "政务服务礼仪规范", dt.datetime(2026, 11, 18, 9, 0))  # a finished self-study


def _user(username):
    member = StaffMember.objects.select_related("user").filter(user__username=username).first()
    return member.user if member else None


def load() -> dict:
    """Loads the demo training; returns counts of what is there."""
    manager = _user(MANAGER)
    if manager is None:  # the city is not loaded (city.load first)
        return {"courses": 0, "sessions": 0}
    scope = org.scope_for_user(manager)
    courses = {}
    for data in COURSES:
        course = Course.objects.filter(region_id=scope.region_id, title=data["title"]).first()
        if course is None:
            course = training.course_save(actor=manager, scope=scope, data=data)
        courses[course.title] = course
    session_course = courses["一次办好改革政策解读"]
    held_at = timezone.make_aware(HELD_AT)
    now = timezone.now()
    held = TrainingSession.objects.filter(course=session_course, starts_at=held_at, place=PLACE).first()
    if held is None:
        held = training.session_create(
            actor=manager,
            scope=scope,
            course_id=session_course.pk,
            data={
                "starts_at": HELD_AT.isoformat(),
                "ends_at": (HELD_AT + dt.timedelta(hours=2)).isoformat(),
                "place": PLACE,
                "hours": "2",
                "organiser": str(scope.staff_id),
                "capacity": "40",
                "enrolment_open": "",
            },
        )
    if held.starts_at <= now:
        for username, status, reason in ATTENDANCE:
            user = _user(username)
            if user is not None:
                staff = org.scope_for_user(user)
                training.attendance_record(
                    actor=manager,
                    scope=scope,
                    session_id=held.pk,
                    staff_id=staff.staff_id,
                    status=status,
                    reason=reason,
                )
    if not session_course.sessions.filter(starts_at__gt=now).exists():
        day = timezone.localdate() + dt.timedelta(days=14)
        start = dt.datetime.combine(day, dt.time(9, 0))
        training.session_create(
            actor=manager,
            scope=scope,
            course_id=session_course.pk,
            data={
                "starts_at": start.isoformat(),
                "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
                "place": PLACE,
                "hours": "2",
                "organiser": str(scope.staff_id),
                "capacity": "30",
                "enrolment_open": "1",
            },
        )
    username, title, opened = READ
    reader = _user(username)
    if reader is not None:
        staff = training.staff_of(reader)
        opened_at = timezone.make_aware(opened)
        if opened_at + dt.timedelta(minutes=30) <= now:
            course = courses[title]
            training.study_open(actor=reader, staff=staff, course_id=course.pk, now=opened_at)
            try:
                training.study_confirm(
                    actor=reader, staff=staff, course_id=course.pk, now=opened_at + dt.timedelta(minutes=30)
                )
            except ValidationError:  # the account opened the course itself later: leave it to them
                pass
    return {
        "courses": len(courses),
        "sessions": TrainingSession.objects.filter(course__in=courses.values()).count(),
    }
