"""What the rating channels keep of their own: the position of the invitation step in the case
event stream (cases.api.case_events_after), so each delivery is read once."""

from django.db import models

__all__ = ["EventCursor"]


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
