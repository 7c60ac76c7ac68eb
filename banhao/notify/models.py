"""Site messages (站内消息) to an applicant's account, one per step of their case."""

from django.conf import settings
from django.db import models


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收账户",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    case_number = models.CharField("办件编号", max_length=32, blank=True, db_index=True)
    # The CaseEvent it announces: one message per event, however often the notifier runs.
    event_id = models.BigIntegerField("办件记录", null=True, blank=True, unique=True)
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容")
    created_at = models.DateTimeField("发送时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notify_user_unread_idx")]

    def __str__(self) -> str:
        return f"{self.case_number} {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
