"""The physical hall at work: appointments, tickets and their events, windows at work.

A ticket's or an appointment's status changes only through `hall.states` (called by
`hall.services`; each change writes a HallEvent: who, which window, when, what), and anything two windows may race for is an UPDATE … WHERE
status=… whose row count is checked (design.md habit 5).
"""

from django.conf import settings
from django.db import models


class TicketSequence(models.Model):
    """The last number given in a zone on a day (A001, A002 … restart every day)."""

    zone = models.ForeignKey("org.Zone", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["zone", "day"], name="hall_ticketseq_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.last}"


class Green(models.TextChoices):
    ELDERLY = "elderly", "老年人"
    DISABLED = "disabled", "残疾人"
    MILITARY = "military", "军人及优抚对象"
    PREGNANT = "pregnant", "孕妇"
    KEY_PROJECT = "key_project", "重点项目"


class Ticket(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", "等候中"
        SERVING = "serving", "办理中"
        DONE = "done", "已办结"
        NO_SHOW = "no_show", "过号"
        CANCELLED = "cancelled", "已取消"

    class Source(models.TextChoices):
        KIOSK = "kiosk", "自助取号机"
        WINDOW = "window", "窗口代取"
        APPOINTMENT = "appointment", "预约签到"

    hall = models.ForeignKey("org.Hall", verbose_name="大厅", on_delete=models.PROTECT, related_name="+")
    zone = models.ForeignKey(
        "org.Zone", verbose_name="当前功能区", on_delete=models.PROTECT, related_name="tickets"
    )
    issued_zone = models.ForeignKey(
        "org.Zone", verbose_name="取号功能区", on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField("日期")
    seq = models.PositiveIntegerField("序号")
    number = models.CharField("号码", max_length=8)
    source = models.CharField("取号方式", max_length=12, choices=Source.choices)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.WAITING, db_index=True
    )
    green = models.CharField("绿色通道", max_length=12, choices=Green.choices, blank=True)
    person = models.ForeignKey(
        "registry.Person",
        verbose_name="办事人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    phone = models.CharField("手机号码", max_length=20, blank=True)
    id_masked = models.CharField("证件号（脱敏）", max_length=32, blank=True)
    # Keyed digest of the full normalised number (banhao.core.digests): a double tap is matched
    # on it, never on the mask, which many people share.
    id_digest = models.CharField("证件号摘要", max_length=64, blank=True, editable=False)
    appointment_at = models.DateTimeField("预约时段开始", null=True, blank=True)
    issued_at = models.DateTimeField("取号时间")
    target_window = models.ForeignKey(
        "org.Window",
        verbose_name="指定窗口（转移）",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    window = models.ForeignKey(
        "org.Window",
        verbose_name="办理窗口",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    clerk = models.ForeignKey(
        "org.StaffMember",
        verbose_name="办理人员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    called_at = models.DateTimeField("呼叫时间", null=True, blank=True)
    first_called_at = models.DateTimeField("首次呼叫时间", null=True, blank=True)
    recalls = models.PositiveSmallIntegerField("重呼次数", default=0)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "排队号"
        verbose_name_plural = "排队号"
        ordering = ["-day", "issued_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "day", "number"], name="hall_ticket_unique_number"),
            models.CheckConstraint(
                condition=~models.Q(status="serving") | models.Q(window__isnull=False),
                name="hall_ticket_serving_has_window",
            ),
        ]
        indexes = [
            models.Index(fields=["hall", "day", "status"], name="hall_ticket_queue"),
            models.Index(fields=["zone", "status", "issued_at"], name="hall_ticket_zone_queue"),
        ]

    def __str__(self) -> str:
        return self.number


class HallEvent(models.Model):
    """One fact of the hall, append-only: a ticket's step, an appointment's step, a window's
    sign-in or pause. The raw material of the screens, the statistics and the audit; nothing
    updates or deletes a row (decision 0009)."""

    class Action(models.TextChoices):
        # tickets
        ISSUE = "issue", "取号"
        CALL = "call", "呼叫"
        RECALL = "recall", "重呼"
        SKIP = "skip", "过号"
        TRANSFER = "transfer", "转移"
        FINISH = "finish", "办结"
        CANCEL = "cancel", "取消"
        # appointments
        BOOK = "book", "预约"
        RESCHEDULE = "reschedule", "改约"
        CHECK_IN = "check_in", "预约签到"
        NO_SHOW = "no_show", "爽约"
        # windows
        SIGN_IN = "sign_in", "窗口签到"
        PAUSE = "pause", "暂停服务"
        RESUME = "resume", "恢复叫号"

    hall = models.ForeignKey("org.Hall", on_delete=models.PROTECT, related_name="+")
    action = models.CharField("动作", max_length=10, choices=Action.choices)
    ticket = models.ForeignKey(
        Ticket, verbose_name="排队号", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    appointment = models.ForeignKey(
        "hall.Appointment",
        verbose_name="预约",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    window = models.ForeignKey(
        "org.Window", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    clerk = models.ForeignKey(
        "org.StaffMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField("操作人", max_length=100, blank=True)
    at = models.DateTimeField("时间")
    data = models.JSONField("数据", default=dict, blank=True)

    class Meta:
        verbose_name = "大厅记录"
        verbose_name_plural = "大厅记录"
        ordering = ["id"]
        indexes = [models.Index(fields=["hall", "action", "id"], name="hall_event_feed")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%H:%M:%S}"


class TicketCase(models.Model):
    """A case accepted (or answered) for a ticket at the window: one visit, several items."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="cases")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "case"], name="hall_ticketcase_unique")]

    def __str__(self) -> str:
        return f"{self.ticket_id}→{self.case_id}"


class Desk(models.Model):
    """A window at work today: who sits there, whether it calls, the ticket it serves and the
    one it finished last (what the window's rating pad asks about, see banhao.hall.api)."""

    class State(models.TextChoices):
        OPEN = "open", "叫号中"
        PAUSED = "paused", "暂停服务"

    window = models.OneToOneField(
        "org.Window", verbose_name="窗口", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    clerk = models.ForeignKey(
        "org.StaffMember",
        verbose_name="当前人员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.OPEN)
    current = models.ForeignKey(
        Ticket, verbose_name="当前号", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_finished = models.ForeignKey(
        Ticket, verbose_name="刚办结号", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_finished_at = models.DateTimeField("办结时间", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "窗口工作状态"
        verbose_name_plural = "窗口工作状态"

    def __str__(self) -> str:
        return f"{self.window_id} {self.get_state_display()}"


class AppointmentSlot(models.Model):
    """How many bookings a zone has for one time slot of one day (capacity checked by UPDATE)."""

    zone = models.ForeignKey("org.Zone", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    start = models.TimeField()
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["zone", "day", "start"], name="hall_slot_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.start:%H:%M} {self.booked}"


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", "已预约"
        CHECKED_IN = "checked_in", "已签到"
        CANCELLED = "cancelled", "已取消"
        NO_SHOW = "no_show", "爽约"

    code = models.CharField("预约码", max_length=8, unique=True)
    hall = models.ForeignKey("org.Hall", verbose_name="大厅", on_delete=models.PROTECT, related_name="+")
    zone = models.ForeignKey("org.Zone", verbose_name="功能区", on_delete=models.PROTECT, related_name="+")
    implementation = models.ForeignKey(
        "catalog.Implementation",
        verbose_name="办理事项",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    item_name = models.CharField("事项名称", max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="预约账户", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name="办事人", on_delete=models.PROTECT, related_name="+"
    )
    phone = models.CharField("手机号码", max_length=20)
    day = models.DateField("预约日期")
    start = models.TimeField("时段开始")
    end = models.TimeField("时段结束")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.BOOKED)
    ticket = models.OneToOneField(
        Ticket,
        verbose_name="签到取号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointment",
    )
    created_at = models.DateTimeField("预约时间", auto_now_add=True)
    changed_at = models.DateTimeField("变更时间", auto_now=True)

    class Meta:
        verbose_name = "预约"
        verbose_name_plural = "预约"
        ordering = ["day", "start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "zone", "day"],
                condition=models.Q(status="booked"),
                name="hall_appointment_one_per_zone_day",
                violation_error_message="您当天在该功能区已有预约。",
            )
        ]
        indexes = [models.Index(fields=["status", "day"], name="hall_appt_status_day")]

    def __str__(self) -> str:
        return f"{self.code} {self.day} {self.start:%H:%M}"


class Handover(models.Model):
    """统一出件: who collected which case's result, when, at which window, after which ID check."""

    class Relation(models.TextChoices):
        SELF = "self", "本人"
        AGENT = "agent", "受托代领人"

    case = models.OneToOneField("cases.Case", verbose_name="办件", on_delete=models.PROTECT, related_name="+")
    window = models.ForeignKey(
        "org.Window", verbose_name="出件窗口", on_delete=models.PROTECT, related_name="+"
    )
    clerk = models.ForeignKey(
        "org.StaffMember", verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    collector_name = models.CharField("领取人姓名", max_length=50)
    collector_id_masked = models.CharField("领取人证件号（脱敏）", max_length=32)
    collector_id_sha256 = models.CharField("领取人证件号摘要", max_length=64)
    relation = models.CharField("领取人身份", max_length=8, choices=Relation.choices)
    proxy_note = models.CharField("委托说明", max_length=200, blank=True)
    at = models.DateTimeField("领取时间", auto_now_add=True)

    class Meta:
        verbose_name = "出件记录"
        verbose_name_plural = "出件记录"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.collector_name} {self.at:%Y-%m-%d %H:%M}"
