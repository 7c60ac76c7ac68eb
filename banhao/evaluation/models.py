"""好差评: one internal scale, converted only at the edges (domain.md §4).

Internal levels follow the national upload interface: 5 = 非常满意 … 1 = 非常不满意 (GB/T 39046
numbers them the other way round; convert there, never here). 不满意 and 非常不满意 are 差评.
"""

from django.conf import settings
from django.db import models


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    BASIC = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


BAD_LEVELS = (Level.DISSATISFIED, Level.VERY_DISSATISFIED)

# On-site dimensions (ui.md): the overall grade plus three more the pad may ask.
ONSITE_DIMENSIONS = {
    "efficiency": "服务效率",
    "skill": "服务水平",
    "attitude": "服务态度",
}
# Online dimensions (domain.md §4): overall plus these four.
ONLINE_DIMENSIONS = {
    "efficiency": "办事效率",
    "guide": "办事指南准确性",
    "convenience": "办事便捷程度",
    "usability": "平台好用程度",
}
# Why a rating is bad (a 不满意 / 非常不满意 must name at least one, plus a description).
BAD_REASONS = {
    "slow": "办理时间过长、超时限",
    "repeat": "多次跑腿、重复提交材料",
    "extra_material": "要求提交清单以外的材料",
    "guide_wrong": "办事指南不准确、不一致",
    "attitude": "服务态度差",
    "skill": "业务不熟练、解答不清",
    "system": "网上办理系统不好用",
    "fee": "违规收费",
    "other": "其他",
}


class Rating(models.Model):
    class Channel(models.TextChoices):
        HALL_PAD = "hall_pad", "窗口评价器"
        PC = "pc", "电脑端"
        MOBILE = "mobile", "移动端"
        SMS = "sms", "短信评价"
        QR = "qr", "二维码评价"
        KIOSK = "kiosk", "自助服务终端"
        PHONE = "phone", "电话回访"
        DEFAULT = "default", "默认评价"

    channel = models.CharField("评价渠道", max_length=10, choices=Channel.choices)
    level = models.PositiveSmallIntegerField("整体满意度", choices=Level.choices)
    dimensions = models.JSONField("分项评价", default=dict, blank=True)
    reasons = models.JSONField("差评原因", default=list, blank=True)
    comment = models.CharField("评价内容", max_length=500, blank=True)
    ticket = models.OneToOneField(
        "hall.Ticket",
        verbose_name="排队号",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cases = models.ManyToManyField("cases.Case", verbose_name="办件", blank=True, related_name="+")
    window = models.ForeignKey(
        "org.Window", verbose_name="窗口", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clerk = models.ForeignKey(
        "org.StaffMember",
        verbose_name="工作人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hall = models.ForeignKey(
        "org.Hall", verbose_name="大厅", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # 一事一评: the case an online / SMS / QR / kiosk / default rating is about (the pad's visit
    # ratings name their cases in ``cases``). One current rating per case; a re-rating after a
    # rectification's feedback replaces it for scoring (the old one is kept, current=False).
    case = models.ForeignKey(
        "cases.Case",
        verbose_name="评价办件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name="被评价部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        "org.Region",
        verbose_name="所属区域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评价人账户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rater_person = models.ForeignKey(
        "registry.Person",
        verbose_name="评价人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rater_phone = models.CharField("评价人电话", max_length=20, blank=True)
    real_name = models.BooleanField("实名评价", default=False)
    is_default = models.BooleanField("默认评价", default=False)
    current = models.BooleanField("当前有效", default=True)
    rerate_of = models.OneToOneField(
        "self",
        verbose_name="追评前的评价",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rerated_by",
    )
    # an upheld appeal (申诉) excludes a rating from every score; it is never deleted
    excluded = models.BooleanField("不计入统计", default=False)
    excluded_reason = models.CharField("不计入原因", max_length=200, blank=True)
    created_at = models.DateTimeField("评价时间", auto_now_add=True)

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="evaluation_level_1_5"
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(current=True, case__isnull=False),
                name="evaluation_one_current_rating_per_case",
            ),
        ]
        indexes = [
            models.Index(fields=["department", "created_at"], name="evaluation_dept_time_idx"),
            # the figures of a region's month or year (selectors.rating_figures, 好差评公示)
            models.Index(fields=["region", "created_at"], name="evaluation_region_time_idx"),
        ]

    def __str__(self) -> str:
        return self.get_level_display()

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS


class Rectification(models.Model):
    """差评整改: the task a real-name bad rating opens (the life cycle: rectification_states.py)."""

    class Status(models.TextChoices):
        OPEN = "open", "待回访"
        CALLED_BACK = "called_back", "已回访待核实"
        VERIFIED = "verified", "已核实待整改"
        RECTIFIED = "rectified", "已整改待反馈"
        FED_BACK = "fed_back", "已反馈"
        APPEALING = "appealing", "申诉复核中"
        CLOSED = "closed", "已办结"

    rating = models.OneToOneField(
        Rating, verbose_name="差评", on_delete=models.PROTECT, related_name="rectification"
    )
    department = models.ForeignKey(
        "org.Department",
        verbose_name="整改部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hall = models.ForeignKey(
        "org.Hall", verbose_name="整改大厅", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey(
        "org.Region",
        verbose_name="所属区域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        "状态", max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    complex = models.BooleanField("复杂整改", default=False)
    opened_on = models.DateField("开始日期")
    due_on = models.DateField("整改期限", db_index=True)
    substantiated = models.BooleanField("情况属实", null=True, blank=True)
    measures = models.TextField("整改措施", blank=True)
    feedback = models.TextField("反馈内容", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    on_time = models.BooleanField("按期整改", null=True, blank=True)
    reminded_on = models.DateField("提醒日期", null=True, blank=True)
    escalated_at = models.DateTimeField("超期督办时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "差评整改"
        verbose_name_plural = "差评整改"
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"差评整改 #{self.pk}"


class RectificationEvent(models.Model):
    rectification = models.ForeignKey(
        Rectification, verbose_name="差评整改", on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField("动作", max_length=20)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
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
        verbose_name = "整改记录"
        verbose_name_plural = "整改记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.rectification_id} {self.action}"


from .models_appeals import *  # noqa: E402,F403
from .models_complaints import *  # noqa: E402,F403
from .models_hotline import *  # noqa: E402,F403
from .models_rate import *  # noqa: E402,F403
