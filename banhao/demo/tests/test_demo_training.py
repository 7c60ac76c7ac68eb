"""The demo's 学习培训: the courses, the held session with its attendance, a finished
self-study; loading again changes nothing."""

import pytest

from banhao.assessment.models import Attendance, Course, StudyRecord, TrainingCredit, TrainingSession
from banhao.core.models import AuditEvent
from banhao.demo import city
from banhao.demo import training as demo_training

pytestmark = pytest.mark.django_db


def test_the_demo_training_is_loaded_once_with_attendance_and_credits():
    city.load()
    first = demo_training.load()
    assert first["courses"] == 3
    assert set(Course.objects.values_list("title", flat=True)) == {
        "政务服务礼仪规范",
        "好差评制度学习",
        "一次办好改革政策解读",
    }
    marks = dict(Attendance.objects.values_list("staff__user__username", "status"))
    assert marks == {"clerk": "present", "clerk2": "present", "clerk_pickup": "leave", "helper": "absent"}
    credits = set(TrainingCredit.objects.values_list("staff__user__username", "course__title"))
    assert credits == {
        ("clerk", "一次办好改革政策解读"),
        ("clerk2", "一次办好改革政策解读"),
        ("clerk", "政务服务礼仪规范"),
    }
    assert StudyRecord.objects.get().confirmed_at is not None
    counts = (TrainingSession.objects.count(), TrainingCredit.objects.count(), AuditEvent.objects.count())
    assert demo_training.load() == first
    assert (
        TrainingSession.objects.count(),
        TrainingCredit.objects.count(),
        AuditEvent.objects.count(),
    ) == counts


def test_the_etiquette_course_is_required_of_the_hall_staff_only():
    from banhao.assessment import training
    from banhao.org.models import StaffMember

    city.load()
    demo_training.load()

    def required_of(username):
        user = StaffMember.objects.get(user__username=username).user
        return {c.title for c in training.courses_for(training.staff_of(user), required_only=True)}

    assert required_of("clerk2") == {"政务服务礼仪规范", "一次办好改革政策解读"}
    assert required_of("reviewer") == {"一次办好改革政策解读"}
