"""12345 hotline: callbacks of finished cases (回访) and the hotline's own tickets (工单).

A Callback is one planned call about one case (at most one per case and re-handling round: the
plan's rerun adds nothing, a case finished again after 重办 is called again); its attempts are CallbackAttempt rows. A HotlineTicket is a 12345 ticket received
from the 12345 system (idempotent on its number) and moved by tickets.py's transition table;
each step is a TicketEvent. See docs/hotline.md.
"""

from django.conf import settings
from django.db import models

__all__ = ["Callback", "CallbackAttempt", "HotlineTicket", "TicketEvent"]


class Callback(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待回访"
        REACHED = "reached", "已回访"
        UNREACHABLE = "unreachable", "无法联系"
        REFUSED = "refused", "拒绝回访"

    class Reason(models.TextChoices):
        SAMPLED = "sampled", "抽样回访"
        BAD_RATING = "bad_rating", "差评必访"
        REHANDLED = "rehandled", "重办后回访"

    case = models.ForeignKey("cases.Case", verbose_name="办件", on_delete=models.PROTECT, related_name="+")
    case_number = models.CharField("办件编号", max_length=32)
    # the case's re-handling round when planned: 0 for its first completion, 1 after one 重办 …
    round = models.PositiveSmallIntegerField("回访轮次", default=0)
    item = models.CharField("事项", max_length=300)
    department = models.ForeignKey(
        "org.Department", verbose_name="承办部门", on_delete=models.PROTECT, related_name="+"
    )
    region = models.ForeignKey("org.Region", verbose_name="区域", on_delete=models.PROTECT, related_name="+")
    phone = models.CharField("联系电话", max_length=20, blank=True)
    reason = models.CharField("回访原因", max_length=12, choices=Reason.choices)
    finished_on = models.DateField("办结日期")
    planned_on = models.DateField("计划日期")
    due_on = models.DateField("回访期限", db_index=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    tries = models.PositiveSmallIntegerField("拨打次数", default=0)
    answers = models.JSONField("问卷答案", default=dict, blank=True)
    scores = models.JSONField("各题得分", default=dict, blank=True)
    score = models.PositiveSmallIntegerField("回访得分", null=True, blank=True)
    level = models.PositiveSmallIntegerField("满意程度", null=True, blank=True)
    rehandled = models.BooleanField("已退回重办", default=False)
    rating = models.ForeignKey(
        "evaluation.Rating",
        verbose_name="电话评价",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField("完成时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回访人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "12345回访"
        verbose_name_plural = "12345回访"
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "round"], name="evaluation_one_callback_per_case_round")
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="evaluation_callback_work_idx")]

    def __str__(self) -> str:
        return f"回访 {self.case_number}"


class CallbackAttempt(models.Model):
    class Outcome(models.TextChoices):
        REACHED = "reached", "已接通"
        NO_ANSWER = "no_answer", "无人接听"
        BUSY = "busy", "占线/关机"
        WRONG = "wrong", "号码有误"
        REFUSED = "refused", "拒绝回访"

    callback = models.ForeignKey(
        Callback, verbose_name="回访", on_delete=models.CASCADE, related_name="attempts"
    )
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices)
    note = models.CharField("说明", max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回访人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField("操作人", max_length=100)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "回访拨打记录"
        verbose_name_plural = "回访拨打记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.callback_id} {self.outcome}"


class HotlineTicket(models.Model):
    class Kind(models.TextChoices):
        CONSULT = "consult", "咨询"
        HELP = "help", "求助"
        COMPLAINT = "complaint", "投诉"
        SUGGESTION = "suggestion", "建议"

    class Status(models.TextChoices):
        RECEIVED = "received", "已受理"
        DISPATCHED = "dispatched", "已派单"
        RETURNED = "returned", "已退回"
        SIGNED = "signed", "已签收"
        ANSWERED = "answered", "已答复"
        CALLED_BACK = "called_back", "已回访"
        CLOSED = "closed", "已办结"

    number = models.CharField("12345工单编号", max_length=40, unique=True)
    kind = models.CharField("诉求类型", max_length=12, choices=Kind.choices)
    title = models.CharField("标题", max_length=200)
    content = models.TextField("诉求内容")
    caller_name = models.CharField("来电人", max_length=50, blank=True)
    caller_phone = models.CharField("来电号码", max_length=20, blank=True)
    region = models.ForeignKey("org.Region", verbose_name="区域", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "org.Department",
        verbose_name="承办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.RECEIVED)
    received_at = models.DateTimeField("受理时间")
    received_on = models.DateField("受理日期")
    answer_due = models.DateField("办结期限", db_index=True)
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    sign_due = models.DateField("签收期限", null=True, blank=True)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    on_time_sign = models.BooleanField("按时签收", null=True, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answer = models.TextField("答复内容", blank=True)
    on_time_answer = models.BooleanField("按时办结", null=True, blank=True)
    extended_days = models.PositiveSmallIntegerField("延期（工作日）", default=0)
    callback_tries = models.PositiveSmallIntegerField("回访拨打次数", default=0)
    callback_outcome = models.CharField("回访结果", max_length=12, blank=True)
    resolved = models.BooleanField("已解决", null=True, blank=True)
    level = models.PositiveSmallIntegerField("满意程度", null=True, blank=True)
    called_back_at = models.DateTimeField("回访时间", null=True, blank=True)
    rehandle_count = models.PositiveSmallIntegerField("重办次数", default=0)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    source = models.CharField("来源", max_length=100, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "12345工单"
        verbose_name_plural = "12345工单"
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "answer_due"], name="evaluation_ticket_work_idx"),
            models.Index(fields=["department", "received_on"], name="evaluation_ticket_unit_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class TicketEvent(models.Model):
    ticket = models.ForeignKey(
        HotlineTicket, verbose_name="工单", on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField("动作", max_length=20)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField("详情", default=dict, blank=True)
    department = models.ForeignKey(
        "org.Department",
        verbose_name="承办单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
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
        verbose_name = "12345工单记录"
        verbose_name_plural = "12345工单记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action}"


TicketKind = HotlineTicket.Kind  # named in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]
