"""The outbox (every message to send, one row per de-duplication key) and the site messages
(站内消息) an account reads."""

from django.conf import settings
from django.db import models

from banhao.core.masking import mask_phone


class Message(models.Model):
    """One message to one recipient, written in the transaction of the change that causes it.

    ``dedupe_key`` is unique: the same key twice is one message. A site message is delivered in
    that same transaction (it is a row of ours); an SMS is delivered by a worker
    (banhao.notify.tasks.message_deliver), which claims it (sending), calls the gateway with the
    key as the message id, and marks it sent, or pending again with a later attempt, or failed
    for good after BANHAO_OUTBOX_MAX_ATTEMPTS."""

    class Channel(models.TextChoices):
        SITE = "site", "站内消息"
        SMS = "sms", "短信"

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    dedupe_key = models.CharField("去重键", max_length=120, unique=True)
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收账户",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    phone = models.CharField("手机号", max_length=20, blank=True)
    title = models.CharField("标题", max_length=100, blank=True)
    text = models.TextField("内容")
    link = models.CharField("链接", max_length=200, blank=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间", null=True, blank=True)
    claimed_at = models.DateTimeField("开始发送时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送成功时间", null=True, blank=True)
    failed_at = models.DateTimeField("最终失败时间", null=True, blank=True)
    last_error = models.TextField("最近一次错误", blank=True)
    task_id = models.CharField("投递任务", max_length=64, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "消息发送记录"
        verbose_name_plural = "消息发送记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notify_msg_status_next_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(channel="site", user__isnull=False)
                    | (models.Q(channel="sms") & ~models.Q(phone=""))
                ),
                name="notify_message_has_recipient",
            ),
        ]

    def __str__(self) -> str:
        to = mask_phone(self.phone) if self.channel == self.Channel.SMS else f"账户{self.user_id}"
        return f"{self.get_channel_display()} → {to}：{self.text[:20]}"


class Notification(models.Model):
    """A site message in an account's inbox (the delivery of a Message on the site channel)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收账户",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    message = models.OneToOneField(
        Message,
        verbose_name="发送记录",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification",
    )
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容")
    link = models.CharField("链接", max_length=200, blank=True)  # the page 查看详情 opens (a local path)
    created_at = models.DateTimeField("发送时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notify_user_unread_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
