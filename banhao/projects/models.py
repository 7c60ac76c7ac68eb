"""Engineering construction projects (工程建设项目): the registry keyed by the GB/T 40058 code,
the approval tracks as data (a track's versions, their stages and member items) and the
record of each stage's run for a project."""

from __future__ import annotations

from django.db import models


class InvestmentKind(models.TextChoices):
    GOVERNMENT = "government", "政府投资"
    SOCIAL = "social", "社会投资"


class UseKind(models.TextChoices):
    INDUSTRIAL = "industrial", "工业类"
    CIVIL = "civil", "民用建筑类"


class KeyLevel(models.TextChoices):
    NONE = "", "非重点项目"
    CITY = "city", "市级重点项目"
    COUNTY = "county", "县级重点项目"


class Track(models.Model):
    """An approval route (审批路线) for one kind of project. Which projects it serves is data:
    investment kind (or any), simple low-risk or not, small projects only or not; among the
    tracks that fit, the highest priority wins."""

    class Kind(models.TextChoices):
        ANY = "any", "不限"
        GOVERNMENT = "government", "政府投资"
        SOCIAL = "social", "社会投资"

    key = models.SlugField("标识", max_length=40, unique=True)
    name = models.CharField("路线名称", max_length=80)
    investment_kind = models.CharField("投资类型", max_length=12, choices=Kind.choices, default=Kind.ANY)
    simple_low_risk = models.BooleanField("简易低风险项目", default=False)
    small_only = models.BooleanField("仅限小型项目", default=False)
    priority = models.PositiveSmallIntegerField(
        "优先级", default=0, help_text="多条路线都适用时取优先级高的。"
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "审批路线"
        verbose_name_plural = "审批路线"
        ordering = ["-priority", "key"]

    def __str__(self) -> str:
        return self.name


class TrackVersion(models.Model):
    """One version of a track. A published version is never edited: a new draft is copied from it
    (like the catalog's standard texts); projects keep the version they were registered under."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        RETIRED = "retired", "已停用"

    track = models.ForeignKey(
        Track, verbose_name="审批路线", on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField("版本号")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    main_limit_days = models.PositiveIntegerField("主流程时限（工作日）")
    whole_limit_days = models.PositiveIntegerField("全流程时限（工作日）")
    basis = models.CharField("依据", max_length=200, blank=True)
    note = models.CharField("版本说明", max_length=200, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "路线版本"
        verbose_name_plural = "路线版本"
        ordering = ["track", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["track", "number"], name="projects_trackversion_unique_number"),
            models.UniqueConstraint(
                fields=["track"],
                condition=models.Q(status="published"),
                name="projects_trackversion_one_published",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.track.name} 第{self.number}版（{self.get_status_display()}）"

    @property
    def is_published(self) -> bool:
        return self.status != self.Status.DRAFT


class Stage(models.Model):
    """A stage of a track version; `covers` names the standard stages it stands for (1–4), so a
    merged 工程建设许可+施工许可 stage covers [2, 3]."""

    version = models.ForeignKey(
        TrackVersion, verbose_name="路线版本", on_delete=models.CASCADE, related_name="stages"
    )
    order = models.PositiveSmallIntegerField("顺序")
    name = models.CharField("阶段名称", max_length=60)
    covers = models.JSONField(
        "对应标准阶段", default=list, help_text="如 [2, 3] 表示合并工程建设许可和施工许可。"
    )
    lead_department = models.ForeignKey(
        "org.Department", verbose_name="牵头部门", on_delete=models.PROTECT, related_name="+"
    )
    limit_days = models.PositiveIntegerField("阶段时限（工作日）")

    class Meta:
        verbose_name = "审批阶段"
        verbose_name_plural = "审批阶段"
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="projects_stage_unique_order")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class StageItem(models.Model):
    """A catalog implementation handled in a stage: main-line (主线) or parallel (并联)."""

    stage = models.ForeignKey(Stage, verbose_name="阶段", on_delete=models.CASCADE, related_name="items")
    implementation = models.ForeignKey(
        "catalog.Implementation", verbose_name="事项（实施清单）", on_delete=models.PROTECT, related_name="+"
    )
    parallel = models.BooleanField("并联事项", default=False)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "阶段事项"
        verbose_name_plural = "阶段事项"
        ordering = ["stage", "parallel", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "implementation"], name="projects_stageitem_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.stage} · {self.implementation_id}"


class Project(models.Model):
    code = models.CharField("投资项目代码", max_length=24, unique=True)
    name = models.CharField("项目名称", max_length=120)
    owner_organization_id = models.PositiveBigIntegerField("建设单位（主体库编号）", db_index=True)
    owner_name = models.CharField("建设单位", max_length=120)
    owner_credit_code = models.CharField("统一社会信用代码", max_length=18)
    investment_kind = models.CharField("投资类型", max_length=12, choices=InvestmentKind.choices)
    use_kind = models.CharField("项目类别", max_length=12, choices=UseKind.choices)
    simple_low_risk = models.BooleanField("简易低风险项目", default=False)
    small = models.BooleanField("小型项目", default=False)
    location = models.CharField("建设地点", max_length=160)
    region = models.ForeignKey(
        "org.Region", verbose_name="所属区域", on_delete=models.PROTECT, related_name="+"
    )
    scale = models.CharField("建设规模及内容", max_length=400)
    total_investment = models.DecimalField("总投资（万元）", max_digits=14, decimal_places=2)
    key_level = models.CharField("重点项目", max_length=8, choices=KeyLevel.choices, default="", blank=True)
    track_version = models.ForeignKey(
        TrackVersion, verbose_name="审批路线版本", on_delete=models.PROTECT, related_name="projects"
    )
    registered_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "工程建设项目"
        verbose_name_plural = "工程建设项目"
        ordering = ["-registered_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def key_project(self) -> bool:
        return bool(self.key_level)


class ReviewStatus(models.TextChoices):
    NOT_STARTED = "not_started", "未申报"
    SUBMITTED = "submitted", "已申报待受理"
    CORRECTION = "correction", "待补正"
    ACCEPTED = "accepted", "并联审批中"
    REPLIED = "replied", "已出具阶段意见"


class StageRun(models.Model):
    """A project's run through one stage. Opening the stage's cases (parallel review) fills
    `case_group_id`; the report reads the dates."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "未开始"
        OPEN = "open", "办理中"
        DONE = "done", "已办结"

    project = models.ForeignKey(
        Project, verbose_name="项目", on_delete=models.CASCADE, related_name="stage_runs"
    )
    stage = models.ForeignKey(Stage, verbose_name="阶段", on_delete=models.PROTECT, related_name="runs")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    opened_on = models.DateField("开始日期", null=True, blank=True)
    done_on = models.DateField("办结日期", null=True, blank=True)
    case_group_id = models.PositiveBigIntegerField("案件组", null=True, blank=True)
    # parallel review (review.py): the owner's one submission, the lead's one correction notice,
    # the merged stage reply
    review = models.CharField(
        "并联审批状态", max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.NOT_STARTED
    )
    submitted_form = models.JSONField("合并表单", default=dict, blank=True)
    submitted_materials = models.JSONField("提交材料", default=list, blank=True)
    submitted_situations = models.JSONField("情形", default=dict, blank=True)
    applicant_person_id = models.PositiveBigIntegerField("经办人（主体库编号）", null=True, blank=True)
    applicant_user_id = models.PositiveBigIntegerField("经办人账户", null=True, blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    correction_note = models.TextField("一次性告知内容", blank=True)
    reply = models.TextField("阶段办理意见", blank=True)

    class Meta:
        verbose_name = "阶段办理"
        verbose_name_plural = "阶段办理"
        ordering = ["project", "stage__order"]
        constraints = [
            models.UniqueConstraint(fields=["project", "stage"], name="projects_stagerun_unique"),
            models.CheckConstraint(
                condition=models.Q(status="not_started", opened_on__isnull=True, done_on__isnull=True)
                | models.Q(status="open", opened_on__isnull=False, done_on__isnull=True)
                | models.Q(status="done", opened_on__isnull=False, done_on__isnull=False),
                name="projects_stagerun_dates_match_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.stage.name}"
