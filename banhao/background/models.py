"""One row per schedule slot enqueued: the unique key that stops two schedulers from
enqueueing the same run twice."""

from django.db import models


class ScheduledRun(models.Model):
    name = models.CharField("计划任务", max_length=64)
    slot = models.CharField("计划时刻", max_length=32)  # 2026-12-04T12:05 (local) or an epoch bucket
    enqueued_at = models.DateTimeField("排队时间", auto_now_add=True)
    task_id = models.CharField("任务", max_length=64, blank=True)

    class Meta:
        verbose_name = "计划任务运行"
        verbose_name_plural = "计划任务运行"
        ordering = ["-enqueued_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["name", "slot"], name="background_run_once_per_slot")]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot}"
