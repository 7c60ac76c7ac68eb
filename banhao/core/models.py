"""Kernel tables: the append-only audit trail and the working-day calendar."""

from django.conf import settings
from django.db import models


class AuditQuerySet(models.QuerySet):
    """Audit rows are written once; bulk updates and deletes are refused in code.

    The database refuses them too (triggers in migration 0002), so a raw statement or a
    bug elsewhere cannot rewrite history either.
    """

    def update(self, **kwargs):
        raise PermissionError("审计日志只可追加，不可修改。")

    def delete(self):
        raise PermissionError("审计日志只可追加，不可删除。")


class AuditEvent(models.Model):
    """Who did what to which object, when, and what it looked like before and after."""

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField("操作人名称", max_length=150, blank=True)
    action = models.CharField("动作", max_length=64)
    object_type = models.CharField("对象类型", max_length=100)  # "app_label.model"
    object_id = models.CharField("对象编号", max_length=64)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    reason = models.CharField("事由", max_length=200, blank=True)
    request_id = models.CharField("请求编号", max_length=64, blank=True)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    # The region (org.Region id, a plain integer: the kernel imports no app) the object lies
    # in, when it has one; the audit admin scopes by it. None: seen at city level only.
    region_id = models.IntegerField("所属地区", null=True, blank=True, db_index=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计日志只可追加，不可修改。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志只可追加，不可删除。")

    @property
    def diff_rows(self) -> list[tuple[str, object, object]]:
        """(field label, before, after) for display, in a stable order."""
        from .labels import field_label

        before, after = self.before or {}, self.after or {}
        keys = list(after) + [k for k in before if k not in after]
        return [(field_label(self.object_type, k), before.get(k), after.get(k)) for k in keys]

    @property
    def action_label(self) -> str:
        from .labels import action_label

        return action_label(self.action)


class CalendarYear(models.Model):
    """A year whose official holiday arrangement has been entered (published by the State Council)."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField("来源", max_length=200, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "已发布年度"
        verbose_name_plural = "工作日历年度"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年"


class CalendarDay(models.Model):
    """An exception to the weekend rule: a holiday on a weekday or a make-up working day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "法定节假日（休息）"
        WORKDAY = "workday", "调休上班"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    name = models.CharField("名称", max_length=50, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "节假日/调休日"
        verbose_name_plural = "节假日与调休日"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}"
