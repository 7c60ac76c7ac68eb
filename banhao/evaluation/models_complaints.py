"""效能投诉 and 责任追究 (domain.md §5): a complaint against a window, a staff member or a
department, its investigation with evidence, its conclusion, and for a substantiated one the
accountability records that the assessment counts. The life cycle: complaint_states.py; every
write: complaints.py."""

from django.conf import settings
from django.db import models

__all__ = [
    "AccountabilityMeasure",
    "AccountabilityRecord",
    "Complaint",
    "ComplaintEvent",
    "ComplaintEvidence",
]


class SubjectKind(models.TextChoices):
    WINDOW = "window", "窗口"
    STAFF = "staff", "工作人员"
    DEPARTMENT = "department", "部门"


class Complaint(models.Model):
    class Source(models.TextChoices):
        ONLINE = "online", "网上投诉"
        HALL = "hall", "大厅登记"
        HOTLINE = "hotline", "12345转办"

    class Status(models.TextChoices):
        RECEIVED = "received", "待受理"
        ACCEPTED = "accepted", "已受理待调查"
        DECLINED = "declined", "不予受理"
        INVESTIGATING = "investigating", "调查核实中"
        CONCLUDED = "concluded", "已办结待告知"
        REPLIED = "replied", "已告知投诉人"
        CLOSED = "closed", "已归档"

    class Conclusion(models.TextChoices):
        SUBSTANTIATED = "substantiated", "属实"
        PARTLY = "partly", "部分属实"
        NOT = "not", "不属实"

    SubjectKind = SubjectKind

    number = models.CharField("投诉编号", max_length=20, unique=True, null=True, blank=True)
    # the form's one-time key: a double submission finds the complaint it filed (unique)
    submission_key = models.CharField("提交标识", max_length=40, unique=True, null=True, blank=True)
    source = models.CharField("投诉来源", max_length=10, choices=Source.choices)
    status = models.CharField(
        "状态", max_length=14, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    subject_kind = models.CharField("投诉对象类型", max_length=12, choices=SubjectKind.choices)
    region = models.ForeignKey(
        "org.Region", verbose_name="所属区域", on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name="被投诉部门", on_delete=models.PROTECT, related_name="+"
    )
    window = models.ForeignKey(
        "org.Window",
        verbose_name="被投诉窗口",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    staff = models.ForeignKey(
        "org.StaffMember",
        verbose_name="被投诉工作人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject_note = models.CharField("投诉对象说明", max_length=100, blank=True)
    content = models.TextField("投诉内容")
    case_number = models.CharField("相关办件编号", max_length=64, blank=True)
    occurred_on = models.DateField("发生日期", null=True, blank=True)
    hotline_ticket = models.CharField("12345工单号", max_length=40, blank=True)
    complainant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="投诉人账户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    complainant_name = models.CharField("投诉人", max_length=50)
    complainant_phone = models.CharField("投诉人电话", max_length=20, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_on = models.DateField("收到日期")
    due_on = models.DateField("当前环节期限", null=True, blank=True, db_index=True)
    decline_reason = models.TextField("不予受理理由", blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    investigator = models.CharField("调查人", max_length=50, blank=True)
    conclusion = models.CharField("调查结论", max_length=14, choices=Conclusion.choices, blank=True)
    findings = models.TextField("调查情况", blank=True)
    concluded_on = models.DateField("办结日期", null=True, blank=True)
    on_time = models.BooleanField("按期办结", null=True, blank=True)
    reply = models.TextField("告知内容", blank=True)
    replied_at = models.DateTimeField("告知时间", null=True, blank=True)
    closed_at = models.DateTimeField("归档时间", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "效能投诉"
        verbose_name_plural = "效能投诉"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="declined") | ~models.Q(decline_reason=""),
                name="evaluation_complaint_decline_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["concluded", "replied", "closed"]) | ~models.Q(conclusion=""),
                name="evaluation_complaint_concluded_has_conclusion",
            ),
        ]
        indexes = [models.Index(fields=["region", "status"], name="evaluation_complaint_reg_idx")]

    def __str__(self) -> str:
        return f"效能投诉 {self.number or self.pk}"

    @property
    def substantiated(self) -> bool:
        return self.conclusion in (self.Conclusion.SUBSTANTIATED, self.Conclusion.PARTLY)

    @property
    def subject_label(self) -> str:
        parts = [self.department.name] if self.department_id else []
        if self.window_id:
            parts.append(str(self.window))
        if self.staff_id:
            parts.append(self.staff.name)
        if self.subject_note:
            parts.append(self.subject_note)
        return " · ".join(parts)


class ComplaintEvent(models.Model):
    complaint = models.ForeignKey(
        Complaint, verbose_name="效能投诉", on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField("动作", max_length=20)
    from_status = models.CharField("原状态", max_length=14, blank=True)
    to_status = models.CharField("新状态", max_length=14, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField("详情", default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField("操作人", max_length=100)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "投诉处理记录"
        verbose_name_plural = "投诉处理记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.action}"


class ComplaintEvidence(models.Model):
    complaint = models.ForeignKey(
        Complaint, verbose_name="效能投诉", on_delete=models.PROTECT, related_name="evidence"
    )
    file = models.FileField("证据文件", upload_to="complaints/%Y/%m/")
    name = models.CharField("文件名", max_length=120)
    kind = models.CharField("文件类型", max_length=20)
    note = models.CharField("说明", max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "调查证据"
        verbose_name_plural = "调查证据"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class AccountabilityMeasure(models.Model):
    """A measure of 责任追究 (提醒谈话, 批评教育, 通报批评 …): data, kept in the admin. A measure in
    use is never deleted, only switched off."""

    code = models.SlugField("编码", max_length=30, unique=True)
    name = models.CharField("追责措施", max_length=30, unique=True)
    severity = models.PositiveSmallIntegerField("轻重程度", default=1, help_text="1 最轻，数字越大越重")
    order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "追责措施"
        verbose_name_plural = "追责措施"
        ordering = ["order", "severity", "id"]

    def __str__(self) -> str:
        return self.name


class AccountabilityRecord(models.Model):
    """责任追究: who is held to account for a substantiated (or partly substantiated) complaint,
    for what, with which measure, decided by whom."""

    complaint = models.ForeignKey(
        Complaint, verbose_name="效能投诉", on_delete=models.PROTECT, related_name="accountability"
    )
    subject_kind = models.CharField("追责对象类型", max_length=12, choices=SubjectKind.choices)
    region = models.ForeignKey(
        "org.Region", verbose_name="所属区域", on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name="部门", on_delete=models.PROTECT, related_name="+"
    )
    window = models.ForeignKey(
        "org.Window", verbose_name="窗口", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        "org.StaffMember",
        verbose_name="工作人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    facts = models.TextField("追责事由")
    measure = models.ForeignKey(
        AccountabilityMeasure, verbose_name="追责措施", on_delete=models.PROTECT, related_name="+"
    )
    decided_on = models.DateField("决定日期", db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="决定人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by_label = models.CharField("决定人", max_length=100)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "责任追究"
        verbose_name_plural = "责任追究"
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(subject_kind="staff", staff__isnull=False)
                    | models.Q(subject_kind="window", window__isnull=False)
                    | models.Q(subject_kind="department")
                ),
                name="evaluation_accountability_subject_named",
            ),
        ]

    def __str__(self) -> str:
        return f"责任追究 #{self.pk} {self.measure}"

    @property
    def subject_label(self) -> str:
        if self.subject_kind == SubjectKind.STAFF and self.staff_id:
            return f"{self.staff.name}（{self.department.name}）"
        if self.subject_kind == SubjectKind.WINDOW and self.window_id:
            return f"{self.window}（{self.department.name}）"
        return self.department.name
