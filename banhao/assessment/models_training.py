"""学习培训: courses (日常自学 online material, 集中学习 sessions), the reading record of a
self-study, enrolments and attendance of sessions, and the ledger of credited hours that the
assessment counts (training.training_hours). Every write: training.py."""

from django.conf import settings
from django.db import models

__all__ = [
    "Attendance",
    "Course",
    "Enrolment",
    "StudyRecord",
    "TrainingCredit",
    "TrainingSession",
]


class Course(models.Model):
    class Kind(models.TextChoices):
        SELF_STUDY = "self_study", "日常自学"
        SESSION = "session", "集中学习"

    title = models.CharField("课程名称", max_length=100)
    kind = models.CharField("学习形式", max_length=12, choices=Kind.choices)
    description = models.CharField("课程简介", max_length=300, blank=True)
    # Plain text, shown escaped with its line breaks kept (never rendered as markup).
    content = models.TextField("学习内容", blank=True)
    material = models.FileField("学习材料（PDF）", upload_to="training/%Y/", blank=True)
    material_name = models.CharField("材料文件名", max_length=120, blank=True)
    reading_minutes = models.PositiveSmallIntegerField("要求阅读时长（分钟）", default=0)
    credit_hours = models.DecimalField("学时", max_digits=4, decimal_places=1)
    required = models.BooleanField("必修", default=False)
    # The owning region (the manager's): the course reaches the staff of that region and below.
    region = models.ForeignKey(
        "org.Region", verbose_name="所属区域", on_delete=models.PROTECT, related_name="+"
    )
    # The audience within it; an empty list or set means everyone.
    audience_roles = models.JSONField("面向角色", default=list, blank=True)
    audience_regions = models.ManyToManyField(
        "org.Region", verbose_name="面向区域", blank=True, related_name="+"
    )
    audience_departments = models.ManyToManyField(
        "org.Department", verbose_name="面向部门", blank=True, related_name="+"
    )
    published = models.BooleanField("已发布", default=False)
    # the new-course form's one-time key: a double submission finds the course it created
    submission_key = models.CharField("提交标识", max_length=40, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "培训课程"
        verbose_name_plural = "培训课程"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(credit_hours__gt=0) & models.Q(credit_hours__lte=100),
                name="assessment_course_hours_range",
                violation_error_message="学时应大于0且不超过100。",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="self_study") | models.Q(reading_minutes__gt=0),
                name="assessment_course_self_study_minutes",
                violation_error_message="日常自学课程必须规定阅读时长。",
            ),
            models.UniqueConstraint(fields=["region", "title"], name="assessment_course_unique_title"),
        ]

    def __str__(self) -> str:
        return self.title


class TrainingSession(models.Model):
    """One sitting of a 集中学习 course."""

    course = models.ForeignKey(Course, verbose_name="课程", on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    place = models.CharField("地点", max_length=100)
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1)
    organiser = models.ForeignKey(
        "org.StaffMember", verbose_name="组织人", on_delete=models.PROTECT, related_name="+"
    )
    capacity = models.PositiveSmallIntegerField("名额（0为不限）", default=0)
    enrolment_open = models.BooleanField("开放报名", default=True)
    region = models.ForeignKey(
        "org.Region", verbose_name="所属区域", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "集中学习场次"
        verbose_name_plural = "集中学习场次"
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="assessment_session_ends_after_start",
                violation_error_message="结束时间应晚于开始时间。",
            ),
            models.CheckConstraint(
                condition=models.Q(hours__gt=0) & models.Q(hours__lte=24),
                name="assessment_session_hours_range",
                violation_error_message="学时应大于0且不超过24。",
            ),
            models.UniqueConstraint(
                fields=["course", "starts_at", "place"], name="assessment_session_unique_sitting"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course.title}（{self.starts_at:%Y-%m-%d %H:%M}）"


class StudyRecord(models.Model):
    """A staff member's self-study of a course: when the material was first opened (the server's
    clock) and when the reading was confirmed."""

    course = models.ForeignKey(Course, verbose_name="课程", on_delete=models.PROTECT, related_name="studies")
    staff = models.ForeignKey(
        "org.StaffMember", verbose_name="工作人员", on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField("开始学习时间")
    confirmed_at = models.DateTimeField("确认学完时间", null=True, blank=True)

    class Meta:
        verbose_name = "自学记录"
        verbose_name_plural = "自学记录"
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "staff"], name="assessment_study_once_per_course")
        ]

    def __str__(self) -> str:
        return f"{self.course.title} · {self.staff_id}"

    @property
    def audit_region_id(self) -> int | None:
        return self.course.region_id


class Enrolment(models.Model):
    session = models.ForeignKey(
        TrainingSession, verbose_name="场次", on_delete=models.CASCADE, related_name="enrolments"
    )
    staff = models.ForeignKey(
        "org.StaffMember", verbose_name="工作人员", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("报名时间", auto_now_add=True)

    class Meta:
        verbose_name = "报名"
        verbose_name_plural = "报名"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "staff"], name="assessment_enrol_once_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.staff_id}"

    @property
    def audit_region_id(self) -> int | None:
        return self.session.region_id


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", "出席"
        ABSENT = "absent", "缺席"
        LEAVE = "leave", "请假"

    session = models.ForeignKey(
        TrainingSession, verbose_name="场次", on_delete=models.PROTECT, related_name="attendance"
    )
    staff = models.ForeignKey(
        "org.StaffMember", verbose_name="工作人员", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("考勤", max_length=8, choices=Status.choices)
    reason = models.CharField("请假事由", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "考勤记录"
        verbose_name_plural = "考勤记录"
        ordering = ["session", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "staff"], name="assessment_attendance_once"),
            models.CheckConstraint(
                condition=~models.Q(status="leave") | ~models.Q(reason=""),
                name="assessment_attendance_leave_reason",
                violation_error_message="请假须写明事由。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.staff_id} · {self.get_status_display()}"

    @property
    def audit_region_id(self) -> int | None:
        return self.session.region_id


class TrainingCredit(models.Model):
    """The ledger of credited hours: one row per self-study course per person (on confirmation)
    and one per session per person (attended). The assessment sums it by ``earned_on``."""

    staff = models.ForeignKey(
        "org.StaffMember", verbose_name="工作人员", on_delete=models.PROTECT, related_name="training_credits"
    )
    course = models.ForeignKey(Course, verbose_name="课程", on_delete=models.PROTECT, related_name="credits")
    session = models.ForeignKey(
        TrainingSession,
        verbose_name="场次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credits",
    )
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1)
    earned_on = models.DateField("取得日期", db_index=True)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "学时记录"
        verbose_name_plural = "学时记录"
        ordering = ["-earned_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "course"],
                condition=models.Q(session__isnull=True),
                name="assessment_credit_once_per_course",
            ),
            models.UniqueConstraint(
                fields=["staff", "session"],
                condition=models.Q(session__isnull=False),
                name="assessment_credit_once_per_session",
            ),
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="assessment_credit_hours_positive"),
        ]
        indexes = [models.Index(fields=["staff", "earned_on"])]

    def __str__(self) -> str:
        return f"{self.course.title} · {self.hours}学时"

    @property
    def audit_region_id(self) -> int | None:
        return self.course.region_id
