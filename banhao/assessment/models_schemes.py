"""Scoring schemes as data (考核方案), their versions and indicators, manual bonus and deduction
items (加分/扣分), and the computed scores grouped in score sets (one per scheme, period and
ranking group: a hall's windows, a region's departments, the city's counties, a department's
staff). See docs/assessment.md."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from .indicators import FORMULAS


class SubjectKind(models.TextChoices):
    WINDOW = "window", "窗口"
    DEPARTMENT = "department", "部门"
    COUNTY = "county", "县区"
    SECTION = "section", "内设科室"
    STAFF = "staff", "工作人员"


class PeriodKind(models.TextChoices):
    MONTH = "month", "月度"
    QUARTER = "quarter", "季度"
    YEAR = "year", "年度"


class Scheme(models.Model):
    name = models.CharField("方案名称", max_length=100)
    subject_kind = models.CharField("考核对象", max_length=12, choices=SubjectKind.choices)
    period_kind = models.CharField("考核周期", max_length=8, choices=PeriodKind.choices)
    example = models.BooleanField(
        "示例方案", default=False, help_text="演示数据附带的示例，正式使用前应由管理员审定。"
    )
    active = models.BooleanField("启用", default=True)
    description = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        ordering = ["subject_kind", "period_kind", "name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="assessment_scheme_unique_name")]

    def __str__(self) -> str:
        marked = self.example and "示例" not in self.name
        return f"{self.name}（示例）" if marked else self.name


class SchemeVersion(models.Model):
    """A version of a scheme's rules. A period is scored with the published version in force at
    its start (the latest valid_from on or before it). A published version is never edited:
    a change is a new version with a later valid_from."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    scheme = models.ForeignKey(
        Scheme, verbose_name="考核方案", on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveSmallIntegerField("版本号")
    valid_from = models.DateField("生效日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    note = models.CharField("修订说明", max_length=200, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "方案版本"
        verbose_name_plural = "方案版本"
        ordering = ["scheme", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "number"], name="assessment_version_unique_number"),
            models.UniqueConstraint(
                fields=["scheme", "valid_from"],
                condition=models.Q(status="published"),
                name="assessment_version_one_published_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} 第{self.number}版（{self.valid_from:%Y-%m-%d}起）"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class Indicator(models.Model):
    """One weighted indicator of a version. Its score is linear between two thresholds: the
    value at zero_at scores 0, the value at full_at scores the full weight, values beyond
    either end are clamped. Higher-is-better needs full_at > zero_at, lower-is-better the
    reverse."""

    class Direction(models.TextChoices):
        HIGHER = "higher", "越高越好"
        LOWER = "lower", "越低越好"

    version = models.ForeignKey(
        SchemeVersion, verbose_name="方案版本", on_delete=models.CASCADE, related_name="indicators"
    )
    key = models.CharField("计算公式", max_length=40, choices=[(k, f.label) for k, f in FORMULAS.items()])
    label = models.CharField("指标名称", max_length=60)
    direction = models.CharField("方向", max_length=8, choices=Direction.choices)
    weight = models.DecimalField("权重（分）", max_digits=6, decimal_places=2)
    full_at = models.DecimalField("满分值", max_digits=10, decimal_places=2)
    zero_at = models.DecimalField("零分值", max_digits=10, decimal_places=2)
    order = models.PositiveSmallIntegerField("排序", default=0)
    notes = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "考核指标"
        verbose_name_plural = "考核指标"
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="assessment_indicator_unique_key"),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0), name="assessment_indicator_weight_positive"
            ),
            models.CheckConstraint(
                condition=(models.Q(direction="higher") & models.Q(full_at__gt=models.F("zero_at")))
                | (models.Q(direction="lower") & models.Q(full_at__lt=models.F("zero_at"))),
                name="assessment_indicator_thresholds_follow_direction",
                violation_error_message="满分值与零分值须符合指标方向：越高越好时满分值大于零分值，越低越好时反之。",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def clean(self):
        formula = FORMULAS.get(self.key)
        if formula is not None and self.version_id:
            kind = self.version.scheme.subject_kind
            if kind not in formula.kinds:
                raise ValidationError(
                    {"key": f"“{formula.label}”不适用于考核对象“{SubjectKind(kind).label}”。"}
                )
        if self.version_id and self.version.is_published:
            raise ValidationError("已发布的方案版本不可修改，请新建版本。")

    def score(self, value: float | None) -> float | None:
        return linear_score(value, float(self.weight), float(self.full_at), float(self.zero_at))


def linear_score(value: float | None, weight: float, full_at: float, zero_at: float) -> float | None:
    """weight × (value − zero_at) / (full_at − zero_at), clamped to [0, weight]; None for no value."""
    if value is None:
        return None
    if full_at == zero_at:
        return weight if value == full_at else 0.0
    frac = (value - zero_at) / (full_at - zero_at)
    return round(weight * min(1.0, max(0.0, frac)), 2)


class ManualItem(models.Model):
    """加分/扣分: points added to or taken from one subject's score of one period, with a reason.
    It counts only once approved by a person other than the one who asked for it."""

    class Kind(models.TextChoices):
        BONUS = "bonus", "加分"
        DEDUCTION = "deduction", "扣分"

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "未批准"

    scheme = models.ForeignKey(
        Scheme, verbose_name="考核方案", on_delete=models.PROTECT, related_name="manual_items"
    )
    subject_kind = models.CharField("考核对象类型", max_length=12, choices=SubjectKind.choices)
    subject_id = models.PositiveIntegerField("考核对象编号")
    subject_label = models.CharField("考核对象", max_length=120)
    region = models.ForeignKey("org.Region", verbose_name="区域", on_delete=models.PROTECT, related_name="+")
    period = models.CharField("考核周期", max_length=8, help_text="YYYY-MM、YYYY-Q1…Q4 或 YYYY")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    points = models.DecimalField("分值", max_digits=6, decimal_places=2, help_text="正数；扣分时自动计为负分")
    reason = models.CharField("事由", max_length=300)
    evidence = models.CharField("依据", max_length=300, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "加减分项"
        verbose_name_plural = "加减分项"
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["scheme", "period", "status"], name="assessment_manual_period")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(points__gt=0), name="assessment_manual_points_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending") | ~models.Q(decided_by=models.F("requested_by")),
                name="assessment_manual_approver_not_requester",
                violation_error_message="加减分须由申请人以外的人员审批。",
            ),
            models.CheckConstraint(
                condition=models.Q(status="pending") | models.Q(decided_by__isnull=False),
                name="assessment_manual_decided_has_approver",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_label} {self.period} {self.get_kind_display()}{self.points}"

    @property
    def signed_points(self) -> float:
        return float(self.points) if self.kind == self.Kind.BONUS else -float(self.points)


class ScoreSet(models.Model):
    """The scores of one scheme, period and ranking group. A draft is replaced by the next
    computation; a reviewed or published one is never recomputed (the board's life cycle:
    draft → reviewed → published, next part)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        REVIEWED = "reviewed", "已审核"
        PUBLISHED = "published", "已发布"

    scheme = models.ForeignKey(
        Scheme, verbose_name="考核方案", on_delete=models.PROTECT, related_name="score_sets"
    )
    version = models.ForeignKey(
        SchemeVersion, verbose_name="方案版本", on_delete=models.PROTECT, related_name="+"
    )
    subject_kind = models.CharField("考核对象类型", max_length=12, choices=SubjectKind.choices)
    period = models.CharField("考核周期", max_length=8)
    group = models.CharField("排名范围", max_length=40)  # "hall:3", "region:2", "department:5"
    group_label = models.CharField("排名范围名称", max_length=120)
    region = models.ForeignKey(
        "org.Region", verbose_name="区域", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    computed_at = models.DateTimeField("计算时间")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "考核结果"
        verbose_name_plural = "考核结果"
        ordering = ["-period", "scheme", "group"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "period", "group"], name="assessment_scoreset_unique")
        ]
        indexes = [models.Index(fields=["subject_kind", "period"], name="assessment_scoreset_kind")]

    def __str__(self) -> str:
        return f"{self.scheme} {self.period} {self.group_label}"


class Score(models.Model):
    """One subject's score of a period. ``details``: per indicator {key, label, value, score,
    weight, available, n, facts: {"source": ..., "ids": [...]}}; ``manual``: the approved
    items counted [{id, kind, points, reason}]."""

    score_set = models.ForeignKey(
        ScoreSet, verbose_name="考核结果", on_delete=models.CASCADE, related_name="scores"
    )
    subject_kind = models.CharField("考核对象类型", max_length=12, choices=SubjectKind.choices)
    subject_id = models.PositiveIntegerField("考核对象编号")
    subject_label = models.CharField("考核对象", max_length=120)
    period = models.CharField("考核周期", max_length=8)
    version = models.ForeignKey(
        SchemeVersion, verbose_name="方案版本", on_delete=models.PROTECT, related_name="+"
    )
    base = models.DecimalField("指标得分", max_digits=8, decimal_places=2, null=True, blank=True)
    manual_points = models.DecimalField("加减分", max_digits=8, decimal_places=2, default=0)
    total = models.DecimalField("总分", max_digits=8, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField("排名", null=True, blank=True)
    details = models.JSONField("指标明细", default=list)
    manual = models.JSONField("加减分明细", default=list)

    class Meta:
        verbose_name = "考核得分"
        verbose_name_plural = "考核得分"
        ordering = ["score_set", "rank", "subject_label"]
        constraints = [
            models.UniqueConstraint(
                fields=["score_set", "subject_id"], name="assessment_score_unique_subject"
            )
        ]
        indexes = [
            models.Index(fields=["subject_kind", "subject_id", "period"], name="assessment_score_subject")
        ]

    def __str__(self) -> str:
        return f"{self.subject_label} {self.period} {self.total}"


__all__ = [
    "Indicator",
    "ManualItem",
    "PeriodKind",
    "Scheme",
    "SchemeVersion",
    "Score",
    "ScoreSet",
    "SubjectKind",
    "linear_score",
]
