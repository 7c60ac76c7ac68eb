"""差评整改's records besides the rectification itself: the callback calls (回访记录) and the
appeals (申诉) with their evidence. Imported at the end of models.py."""

from django.conf import settings
from django.db import models

__all__ = ["Appeal", "AppealEvidence", "RectificationCall"]


class RectificationCall(models.Model):
    """One callback call to the rater: when, reached or not, who answered, what was said. A call
    not reached may be recorded several times; after BANHAO_RECTIFICATION_CALLBACK_TRIES failed
    calls the callback step may be completed as 无法联系."""

    rectification = models.ForeignKey(
        "evaluation.Rectification", verbose_name="差评整改", on_delete=models.CASCADE, related_name="calls"
    )
    called_at = models.DateTimeField("回访时间")
    reached = models.BooleanField("联系上")
    answered_by = models.CharField("接听人", max_length=50, blank=True)
    summary = models.TextField("通话内容", blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回访人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    staff_label = models.CharField("回访人", max_length=100)
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "回访记录"
        verbose_name_plural = "回访记录"
        ordering = ["called_at", "id"]

    def __str__(self) -> str:
        return f"回访 {self.called_at:%Y-%m-%d %H:%M}（{'已联系上' if self.reached else '未联系上'}）"


class Appeal(models.Model):
    """申诉: the rated department or hall says a rating is malicious or mistaken. A supervisor
    decides once: upheld excludes the rating from every score (kept, never deleted) and closes
    the rectification; rejected puts the rectification back where it was."""

    class Kind(models.TextChoices):
        MALICIOUS = "malicious", "恶意差评"
        MISTAKEN = "mistaken", "误评"

    class Status(models.TextChoices):
        PENDING = "pending", "待复核"
        UPHELD = "upheld", "申诉成立"
        REJECTED = "rejected", "申诉不成立"

    rectification = models.ForeignKey(
        "evaluation.Rectification", verbose_name="差评整改", on_delete=models.PROTECT, related_name="appeals"
    )
    rating = models.ForeignKey(
        "evaluation.Rating", verbose_name="被申诉评价", on_delete=models.PROTECT, related_name="appeals"
    )
    region = models.ForeignKey(
        "org.Region",
        verbose_name="所属区域",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField("申诉类型", max_length=10, choices=Kind.choices)
    reason = models.TextField("申诉理由")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    # the rectification's status when the appeal was filed: a rejected appeal returns it there
    prior_status = models.CharField("申诉前状态", max_length=12)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申诉人", on_delete=models.PROTECT, related_name="+"
    )
    filed_by_label = models.CharField("申诉人", max_length=100)
    filed_at = models.DateTimeField("申诉时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="复核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by_label = models.CharField("复核人", max_length=100, blank=True)
    decided_at = models.DateTimeField("复核时间", null=True, blank=True)
    opinion = models.TextField("复核意见", blank=True)

    class Meta:
        verbose_name = "差评申诉"
        verbose_name_plural = "差评申诉"
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rating"],
                condition=models.Q(status="pending"),
                name="evaluation_one_open_appeal_per_rating",
            )
        ]

    def __str__(self) -> str:
        return f"差评申诉 #{self.pk}"


class AppealEvidence(models.Model):
    appeal = models.ForeignKey(Appeal, verbose_name="申诉", on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField("证明材料", upload_to="evaluation/appeals/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=120)
    size = models.PositiveIntegerField("大小")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "申诉证明材料"
        verbose_name_plural = "申诉证明材料"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
