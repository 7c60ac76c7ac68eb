"""好差评: one internal scale, converted only at the edges (domain.md §4).

Internal levels follow the national upload interface: 5 = 非常满意 … 1 = 非常不满意 (GB/T 39046
numbers them the other way round; convert there, never here). 不满意 and 非常不满意 are 差评.
"""

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


class Rating(models.Model):
    class Channel(models.TextChoices):
        HALL_PAD = "hall_pad", "窗口评价器"
        PC = "pc", "电脑端"
        MOBILE = "mobile", "移动端"

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
    created_at = models.DateTimeField("评价时间", auto_now_add=True)

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="evaluation_level_1_5"
            ),
        ]

    def __str__(self) -> str:
        return self.get_level_display()

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS
