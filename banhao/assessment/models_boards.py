"""红蓝榜 (the monthly red-blue board of a hall's windows): the events of a board's life
(reviewed, published) and the rectification task (蓝榜整改) a window on the blue list gets.
The board itself is the assess part's ScoreSet of the windows of one hall and month; its
status (draft → reviewed → published) lives there. See docs/boards.md."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .models_schemes import Score, ScoreSet


class BoardEvent(models.Model):
    """One step of a board or of one of its rectification tasks, for the record."""

    score_set = models.ForeignKey(
        ScoreSet, verbose_name="红蓝榜", on_delete=models.CASCADE, related_name="board_events"
    )
    rectification = models.ForeignKey(
        "BoardRectification",
        verbose_name="蓝榜整改",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    action = models.CharField("操作", max_length=20)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    note = models.TextField("说明", blank=True)
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
        verbose_name = "红蓝榜记录"
        verbose_name_plural = "红蓝榜记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.score_set} {self.action}"

    @property
    def action_label(self) -> str:
        from .board_states import ACTION_LABELS

        return ACTION_LABELS.get(self.action, self.action)


class BoardRectification(models.Model):
    """蓝榜整改: the task of a window on a published blue list. Opened once per window and board
    (a constraint), due in BANHAO_HONOUR_BOARD_RECTIFICATION_DAYS working days:
    open ──measures──▶ rectified ──close──▶ closed, and rectified ──return──▶ open."""

    class Status(models.TextChoices):
        OPEN = "open", "待整改"
        RECTIFIED = "rectified", "已整改待确认"
        CLOSED = "closed", "已办结"

    score_set = models.ForeignKey(
        ScoreSet, verbose_name="红蓝榜", on_delete=models.PROTECT, related_name="board_rectifications"
    )
    score = models.ForeignKey(Score, verbose_name="考核得分", on_delete=models.PROTECT, related_name="+")
    window_id = models.PositiveIntegerField("窗口编号")
    window_label = models.CharField("窗口", max_length=120)
    hall_id = models.PositiveIntegerField("大厅编号")
    region = models.ForeignKey(
        "org.Region", verbose_name="区域", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField("考核周期", max_length=8)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField("派发日期")
    due_on = models.DateField("整改期限")
    measures = models.TextField("整改措施", blank=True)
    rectified_at = models.DateTimeField("整改时间", null=True, blank=True)
    on_time = models.BooleanField("按期整改", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    reminded_on = models.DateField("已提醒日期", null=True, blank=True)
    escalated_on = models.DateField("超期督办日期", null=True, blank=True)

    class Meta:
        verbose_name = "蓝榜整改"
        verbose_name_plural = "蓝榜整改"
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["score_set", "window_id"], name="assessment_board_rect_one_per_window"
            )
        ]
        indexes = [models.Index(fields=["hall_id", "status"], name="assessment_board_rect_hall")]

    def __str__(self) -> str:
        return f"{self.window_label} {self.period} 蓝榜整改"


__all__ = ["BoardEvent", "BoardRectification"]
