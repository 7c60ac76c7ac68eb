"""Cases (办件): one application of one item in one region, from submission to conclusion.

The status changes only through `states.transition` (called by the services), and each
change writes a CaseEvent, which is the case's timeline and the audit of what happened.
Due dates are stored columns computed by `clock.due_date`; the warning level is a stored,
indexed column kept current by the incremental sweep.
"""

from django.conf import settings
from django.db import models


class Status(models.TextChoices):
    SUBMITTED = "submitted", "已提交"
    PRE_REVIEW = "pre_review", "预审中"
    CORRECTION = "correction", "待补正"
    REFUSED = "refused", "不予受理"
    ACCEPTED = "accepted", "已受理"
    UNDER_REVIEW = "under_review", "审查中"
    SUSPENDED = "suspended", "特别程序中"
    APPROVED = "approved", "准予许可"
    DENIED = "denied", "不予许可"
    RESULT_READY = "result_ready", "待领取/待送达"
    DELIVERED = "delivered", "已送达"
    CONCLUDED = "concluded", "已办结"
    WITHDRAWN = "withdrawn", "已撤回"


# The one table of status groups for the whole app: every "which statuses count as …" reads it.
STATUS_GROUPS: dict[str, frozenset[str]] = {
    # the clock is running (or paused by a special procedure)
    "open": frozenset({Status.ACCEPTED, Status.UNDER_REVIEW, Status.SUSPENDED}),
    # the clock is running: what the warning sweep looks at
    "running": frozenset({Status.ACCEPTED, Status.UNDER_REVIEW}),
    # a reviewer takes (claims) or is given (assigned) the case
    "review": frozenset({Status.ACCEPTED, Status.UNDER_REVIEW, Status.SUSPENDED}),
    # off the working lists (the "all" filter brings them back)
    "closed": frozenset({Status.CONCLUDED, Status.WITHDRAWN}),
    # nothing more will happen (a case group's member that needs no delivery)
    "finished": frozenset({Status.CONCLUDED, Status.WITHDRAWN, Status.REFUSED}),
    # a result exists and waits for, or has had, its delivery
    "result": frozenset({Status.RESULT_READY, Status.DELIVERED}),
}
OPEN_STATUSES = STATUS_GROUPS["open"]


class Warning(models.TextChoices):
    NONE = "none", "正常"
    YELLOW = "yellow", "临期预警"
    RED = "red", "超期"


class CaseGroup(models.Model):
    """The cases of one application: the items handed in on one visit, later a bundle (一件事)
    or a project stage. Its status is derived from its members (never stored); its result is
    delivered once (``case_group_deliver``)."""

    class Kind(models.TextChoices):
        VISIT = "visit", "一次到访"
        BUNDLE = "bundle", "一件事"
        STAGE = "stage", "项目阶段"

    number = models.CharField("申请编号", max_length=32, unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.VISIT)
    title = models.CharField("名称", max_length=200, blank=True)
    channel = models.CharField("申请渠道", max_length=10, blank=True)
    person = models.ForeignKey(
        "registry.Person", verbose_name="申请人/经办人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "办件组"
        verbose_name_plural = "办件组"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class Case(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", "网上申请"
        WINDOW = "window", "窗口受理"
        API = "api", "接口申请"  # the provincial platform, mobile apps (POST /api/v1/cases/)

    class Delivery(models.TextChoices):
        PICKUP = "pickup", "窗口领取"
        POST = "post", "邮寄送达"
        ELECTRONIC = "electronic", "电子送达"

    number = models.CharField("办件编号", max_length=32, unique=True)
    implementation = models.ForeignKey(
        "catalog.Implementation", verbose_name="实施清单", on_delete=models.PROTECT, related_name="+"
    )
    version = models.ForeignKey(
        "catalog.StandardVersion",
        verbose_name="适用的标准化文本版本",
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        "org.Region", verbose_name="办理区域", on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name="承办部门", on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField("申请渠道", max_length=10, choices=Channel.choices)
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请账户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name="申请人/经办人", on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "registry.Organization",
        verbose_name="申请单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    contact_phone = models.CharField("联系电话", max_length=20)
    group = models.ForeignKey(
        CaseGroup,
        verbose_name="办件组",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    # Who called case_open: the applicant online, the clerk at a window, the API client's account.
    # An idempotency key is unique per opener: one rule for every channel.
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    form_data = models.JSONField("申请表", default=dict, blank=True)
    situations = models.JSONField("情形选择", default=dict, blank=True)
    idempotency_key = models.CharField("提交标识", max_length=64, blank=True)
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    # the clock
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    clock_start = models.DateField("计时起算日", null=True, blank=True)
    promised_limit = models.PositiveSmallIntegerField("承诺时限（工作日）", null=True, blank=True)
    statutory_limit = models.PositiveSmallIntegerField("法定时限（工作日）", null=True, blank=True)
    promised_due = models.DateField("承诺办结日期", null=True, blank=True)
    statutory_due = models.DateField("法定办结日期", null=True, blank=True)
    materials_completed_on = models.DateField("材料补齐日期", null=True, blank=True)
    warn_on = models.DateField("预警起始日期", null=True, blank=True)
    warning = models.CharField("时限预警", max_length=10, choices=Warning.choices, default=Warning.NONE)
    warning_checked_on = models.DateField("预警检查日期", null=True, blank=True)
    escalated_at = models.DateTimeField("超期督办时间", null=True, blank=True)
    # review and decision
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    step_index = models.PositiveSmallIntegerField("当前环节", default=0)
    decision_reason = models.TextField("决定理由", blank=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    refusal_reason = models.TextField("不予受理理由", blank=True)
    competent_office = models.CharField("有权受理的机关", max_length=200, blank=True)
    delivery_method = models.CharField("送达方式", max_length=12, choices=Delivery.choices, blank=True)
    tracking_number = models.CharField("快递单号", max_length=40, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    concluded_at = models.DateTimeField("办结时间", null=True, blank=True)
    # re-handling (重办) after a dissatisfied 12345 callback: the case is reviewed again within
    # rehandle_days working days counted from the day after rehandle_on (clock.due_date, with the
    # pauses after that day); promised_due then holds that re-handling deadline, and
    # first_promised_due keeps the promise of the first handling (states.py, docs/hotline.md).
    rehandle_count = models.PositiveSmallIntegerField("重办次数", default=0)
    rehandle_on = models.DateField("重办起算日", null=True, blank=True)
    rehandle_days = models.PositiveSmallIntegerField("重办时限（工作日）", null=True, blank=True)
    rehandle_due = models.DateField("重办期限", null=True, blank=True)
    rehandle_reason = models.CharField("重办原因", max_length=500, blank=True)
    first_promised_due = models.DateField("首次承诺办结日期", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-submitted_at"]
        indexes = [
            # the warning sweep: cases that can still turn red / yellow, by due date / warning date
            models.Index(fields=["status", "warning", "promised_due"], name="cases_sweep_due_idx"),
            models.Index(fields=["status", "warning", "warn_on"], name="cases_sweep_warn_idx"),
            models.Index(fields=["department", "status"], name="cases_dept_status_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["opened_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="cases_one_case_per_submission",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CaseEvent(models.Model):
    """One step of the case's life: the timeline, the audit, the raw material of statistics."""

    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField("操作人名称", max_length=100, blank=True)
    action = models.CharField("动作", max_length=40)
    from_status = models.CharField("原状态", max_length=20, blank=True)
    to_status = models.CharField("新状态", max_length=20, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)

    class Meta:
        verbose_name = "办件记录"
        verbose_name_plural = "办件记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case.number} {self.action}"


class Pause(models.Model):
    """A special procedure (特别程序) that stops the clock."""

    class Kind(models.TextChoices):
        HEARING = "hearing", "听证"
        INSPECTION = "inspection", "检验检测"
        EXPERT = "expert", "专家评审"
        NOTICE = "notice", "公示"
        EXTENSION = "extension", "延长审批"
        SITE = "site", "现场勘验"

    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField("特别程序", max_length=12, choices=Kind.choices)
    reason = models.CharField("原因", max_length=500)
    started_on = models.DateField("开始日期")
    expected_days = models.PositiveSmallIntegerField("预计时长（工作日）")
    ended_on = models.DateField("结束日期", null=True, blank=True)

    class Meta:
        verbose_name = "特别程序"
        verbose_name_plural = "特别程序"
        ordering = ["started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(ended_on__isnull=True), name="cases_one_open_pause"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}（{self.started_on}起）"


class CaseMaterial(models.Model):
    """A material the applicant supplied (an upload, or a licence fetched instead: 免提交)."""

    class State(models.TextChoices):
        RECEIVED = "received", "已收取"
        ACCEPTED = "accepted", "合格"
        DEFECTIVE = "defective", "需补正"

    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.CASCADE, related_name="materials")
    name = models.CharField("材料名称", max_length=200)
    file = models.FileField("文件", upload_to="cases/%Y/%m/", blank=True)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    content_type = models.CharField("文件类型", max_length=120, blank=True)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.RECEIVED)
    defect = models.CharField("补正要求", max_length=500, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)  # e.g. 免提交（数据共享）
    # 免提交 by a held electronic licence: the licence used instead of the material (its use is
    # logged in the licence store with this case's number)
    licence_identifier = models.CharField("电子证照标识", max_length=120, blank=True)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "申请材料"
        verbose_name_plural = "申请材料"
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return self.name


class CaseNumberSequence(models.Model):
    """The last sequence number used for a (region, day): numbers are safe under concurrency."""

    region_code = models.CharField(max_length=12)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region_code", "day"], name="cases_one_sequence_per_day")
        ]
        verbose_name = "办件编号序列"
        verbose_name_plural = "办件编号序列"

    def __str__(self) -> str:
        return f"{self.region_code}-{self.day:%Y%m%d}: {self.last}"


class Draft(models.Model):
    """An online application in progress (申请草稿): one per account and implementation.

    ``data`` holds what the applicant typed exactly as typed, so nothing is lost when a
    validation error sends them back: ``{"key": idempotency key, "fields": {field key: text},
    "situations": {situation key: "yes"|"no"}, "contact_phone": text, "files": {material name:
    {"path", "name", "size", "sha256", "content_type"}}}``. Uploaded files already checked are kept
    under MEDIA_ROOT/drafts/ (``path`` is the storage name) until the application is submitted.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申请账户",
        on_delete=models.CASCADE,
        related_name="application_drafts",
    )
    implementation = models.ForeignKey(
        "catalog.Implementation", verbose_name="实施清单", on_delete=models.CASCADE, related_name="+"
    )
    data = models.JSONField("草稿内容", default=dict, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("保存时间", auto_now=True)

    class Meta:
        verbose_name = "申请草稿"
        verbose_name_plural = "申请草稿"
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "implementation"], name="cases_one_draft_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.implementation}"

    @property
    def files(self) -> dict:
        return self.data.setdefault("files", {})


# Module-level names of the nested choices, for the OpenAPI enum names (ENUM_NAME_OVERRIDES).
CaseChannel = Case.Channel
PauseKind = Pause.Kind
