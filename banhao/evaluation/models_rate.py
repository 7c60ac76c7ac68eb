"""What the rating channels keep of their own: the position of the invitation step in the case
event stream (cases.api.case_events_after), so each delivery is read once."""

from django.db import models

__all__ = ["EventCursor", "RatingUpload"]


class EventCursor(models.Model):
    """The last case event id a reader of evaluation has handled (one row per reader)."""

    name = models.CharField("读取者", max_length=40, unique=True)
    position = models.BigIntegerField("已读到的事件", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "办件事件读取位置"
        verbose_name_plural = "办件事件读取位置"

    def __str__(self) -> str:
        return f"{self.name} @ {self.position}"


class RatingUpload(models.Model):
    """One push of a month's ratings to the provincial platform (export.ratings_push): what was sent,
    under which batch id, and how the platform answered."""

    class Status(models.TextChoices):
        SENT = "sent", "已推送"
        FAILED = "failed", "推送失败"

    month = models.CharField("月份", max_length=7)
    format = models.CharField("格式", max_length=20)
    count = models.PositiveIntegerField("评价条数", default=0)
    batch_id = models.CharField("批次号", max_length=80)
    status = models.CharField("状态", max_length=8, choices=Status.choices)
    error = models.CharField("错误", max_length=300, blank=True)
    at = models.DateTimeField("推送时间", auto_now_add=True)

    class Meta:
        verbose_name = "评价数据推送"
        verbose_name_plural = "评价数据推送"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.month} {self.format} {self.get_status_display()}"
