"""Reads of the hall for its screens and its live statistics (no writes here).

The screens poll every second, so their reads are few and fixed in number whatever the size
of the hall: the windows' state is one query over the Desk rows, the waiting counts and the
day's average wait one grouped query over today's tickets, the new calls one range query on
the event index (hall, action, id). The hall's layout (zones, windows) is read once when a
screen page loads, not on every poll.

The statistics page reads the day's tickets of one hall in one query and counts in Python:
a busy hall issues a few thousand tickets a day, and one pass gives every breakdown (zone,
window, clerk, hour) with exact averages on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, FloatField, Func, Q, Sum
from django.utils import timezone

import banhao.org.api as org

from .models import Appointment, Desk, HallEvent, Ticket

S = Ticket.Status
A = HallEvent.Action
CALLS = (A.CALL, A.RECALL)
FEED_EVENTS = 10  # at most this many calls per poll: a screen back from an outage skips older ones
WEEKDAYS = "一二三四五六日"


# --- wording -----------------------------------------------------------------------------------


def led_text(number: str, window: int | str) -> str:
    """The LED line of a call: 请A001到5号窗口."""
    return f"请{number}到{window}号窗口"


def voice_text(number: str, window: int | str) -> str:
    """What the hall speaker says (twice): 请A001号到5号窗口办理."""
    return f"请{number}号到{window}号窗口办理"


def date_label(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日 星期{WEEKDAYS[day.weekday()]}"


def duration_label(seconds: float | None) -> str:
    """3分05秒 / 45秒 / 1小时02分 ; — when there is nothing to average."""
    if seconds is None:
        return "—"
    s = round(seconds)
    if s < 60:
        return f"{s}秒"
    if s < 3600:
        return f"{s // 60}分{s % 60:02d}秒"
    return f"{s // 3600}小时{s % 3600 // 60:02d}分"


def wait_minutes_label(seconds: float | None) -> str:
    """The big screen's coarser figure: 约8分钟 / 不足1分钟 / —."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return "不足1分钟"
    return f"约{round(seconds / 60)}分钟"


def today() -> dt.date:
    return timezone.localdate()


# --- the screens -------------------------------------------------------------------------------


def _call(row: dict) -> dict:
    number, window = row["ticket__number"], (row["data"] or {}).get("window", "")
    return {
        "id": row["id"],
        "action": row["action"],
        "number": number,
        "window": window,
        "led": led_text(number, window),
        "say": voice_text(number, window),
        "at": timezone.localtime(row["at"]).strftime("%H:%M:%S"),
    }


_CALL_FIELDS = ("id", "action", "at", "data", "ticket__number")


def calls_after(hall_id: int, after: int, limit: int = FEED_EVENTS) -> list[dict]:
    """Calls and recalls of the hall with an event id above ``after``, oldest first (at most the
    newest ``limit`` of them)."""
    rows = list(
        HallEvent.objects.filter(hall_id=hall_id, action__in=CALLS, id__gt=after)
        .order_by("-id")
        .values(*_CALL_FIELDS)[:limit]
    )
    return [_call(r) for r in reversed(rows)]


def recent_calls(hall_id: int, day: dt.date, limit: int = 6) -> list[dict]:
    """The day's latest calls and recalls, newest first. One backwards probe of the event index
    per action, so its cost does not grow with the hall's history."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    rows = []
    for action in CALLS:
        rows += (
            HallEvent.objects.filter(hall_id=hall_id, action=action, at__gte=start)
            .order_by("-id")
            .values(*_CALL_FIELDS)[:limit]
        )
    rows.sort(key=lambda r: r["id"], reverse=True)
    return [_call(r) for r in rows[:limit]]


def last_call_id(hall_id: int) -> int:
    """The id of the hall's latest call or recall event (0 when none): a screen polls from it."""
    ids = [
        HallEvent.objects.filter(hall_id=hall_id, action=action)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
        or 0
        for action in CALLS
    ]
    return max(ids)


def desk_states(hall_id: int, day: dt.date) -> dict[int, dict]:
    """Every window of the hall that has been worked at: {window id: {state, number}}.

    state is ``serving`` (number = the ticket called there), ``paused`` or ``idle``; a window
    no clerk has opened has no Desk row and counts as idle. A ticket left open from an
    earlier day is not shown."""
    out = {}
    for row in Desk.objects.filter(window__hall_id=hall_id).values(
        "window_id", "state", "current__number", "current__day"
    ):
        if row["state"] == Desk.State.PAUSED:
            out[row["window_id"]] = {"state": "paused", "number": ""}
        elif row["current__number"] and row["current__day"] == day:
            out[row["window_id"]] = {"state": "serving", "number": row["current__number"]}
        else:
            out[row["window_id"]] = {"state": "idle", "number": ""}
    return out


class SecondsBetween(Func):
    """Seconds from the first datetime to the second, computed by the database itself.

    Django's own datetime subtraction calls a Python function for every row on SQLite (about
    3 µs a row: 10 ms per poll for a busy day); julianday() is SQLite's C. On PostgreSQL it is
    EXTRACT(EPOCH FROM …) of the interval."""

    arity = 2
    output_field = FloatField()

    def _parts(self, compiler):
        start, start_params = compiler.compile(self.source_expressions[0])
        end, end_params = compiler.compile(self.source_expressions[1])
        return start, end, (*end_params, *start_params)

    def as_sqlite(self, compiler, connection, **extra_context):
        start, end, params = self._parts(compiler)
        return f"((julianday({end}) - julianday({start})) * 86400.0)", params

    def as_sql(self, compiler, connection, **extra_context):
        start, end, params = self._parts(compiler)
        return f"EXTRACT(EPOCH FROM ({end} - {start}))", params


_WAIT = SecondsBetween(F("issued_at"), F("first_called_at"))


def queue_figures(hall_id: int, day: dt.date) -> tuple[dict[int, int], float | None]:
    """({zone id: people waiting}, the day's average wait in seconds) in one grouped query."""
    rows = (
        Ticket.objects.filter(hall_id=hall_id, day=day)
        .values("zone_id")
        .annotate(
            waiting=Count("id", filter=Q(status=S.WAITING)),
            called=Count("first_called_at"),
            waited=Sum(_WAIT, filter=Q(first_called_at__isnull=False)),
        )
        .order_by()
    )
    waiting, called, waited = {}, 0, 0.0
    for r in rows:
        waiting[r["zone_id"]] = r["waiting"]
        called += r["called"]
        waited += float(r["waited"] or 0)
    return waiting, (round(waited / called, 3) if called else None)


def screen_state(hall_id: int, day: dt.date) -> dict:
    """The moving parts of the hall screen (two queries)."""
    waiting, avg_wait = queue_figures(hall_id, day)
    return {
        "windows": desk_states(hall_id, day),
        "zones": waiting,
        "waiting_total": sum(waiting.values()),
        "avg_wait_s": avg_wait,
        "avg_wait": wait_minutes_label(avg_wait),
    }


def notices(hall: org.HallInfo) -> list[str]:
    """The rolling notice line: the hall's own facts and the rules people ask about most."""
    lines = [
        f"欢迎来到{hall.name}",
        f"办公时间：工作日上午 {hall.am_open:%H:%M}—{hall.am_close:%H:%M}，"
        f"下午 {hall.pm_open:%H:%M}—{hall.pm_close:%H:%M}",
        "请留意叫号，过号需重新取号",
        "老年人、残疾人、军人及优抚对象、孕妇可走绿色通道优先办理",
        "办事请携带本人有效身份证件，委托他人办理请携带授权委托书",
    ]
    if any(z.kind == "self_service" for z in hall.zones):
        lines.append("24小时自助服务区全天开放，部分事项可自助办理")
    if hall.phone:
        lines.append(f"咨询电话：{hall.phone}")
    lines.append("对服务有意见建议，请扫码评价或拨打12345政务服务便民热线")
    return lines


@dataclass(frozen=True)
class WindowScreen:
    state: str  # serving / paused / idle / closed (window not in use)
    number: str = ""
    called_at: str = ""
    clerk_name: str = ""
    employee_no: str = ""

    def as_dict(self) -> dict:
        return {
            "state": self.state,
            "number": self.number,
            "called_at": self.called_at,
            "clerk_name": self.clerk_name,
            "employee_no": self.employee_no,
        }


def window_screen(window: org.WindowInfo, day: dt.date) -> WindowScreen:
    """The window's small screen: its current ticket, the clerk at work, or 暂停服务 (one query).

    The clerk is shown only when the window has been worked at today (signed in, called …):
    yesterday's name does not greet this morning's visitors."""
    if not window.active:
        return WindowScreen("closed")
    row = (
        Desk.objects.filter(window_id=window.id)
        .values(
            "state",
            "current__number",
            "current__day",
            "current__called_at",
            "clerk__name",
            "clerk__employee_no",
            "updated_at",
        )
        .first()
    )
    if row is None:
        return WindowScreen("idle")
    clerk = {"clerk_name": "", "employee_no": ""}
    if row["clerk__name"] and timezone.localtime(row["updated_at"]).date() == day:  # at work today
        clerk = {"clerk_name": row["clerk__name"], "employee_no": row["clerk__employee_no"]}
    if row["state"] == Desk.State.PAUSED:
        return WindowScreen("paused", **clerk)
    if row["current__number"] and row["current__day"] == day:
        called = row["current__called_at"]
        return WindowScreen(
            "serving",
            number=row["current__number"],
            called_at=called.isoformat() if called else "",
            **clerk,
        )
    return WindowScreen("idle", **clerk)


# --- live statistics ---------------------------------------------------------------------------


@dataclass
class Tally:
    """Counts and averages of a group of the day's tickets."""

    label: str = ""
    sub: str = ""
    issued: int = 0
    waiting: int = 0
    serving: int = 0
    done: int = 0
    no_show: int = 0
    _waits: list = field(default_factory=list, repr=False)
    _services: list = field(default_factory=list, repr=False)

    def add(self, t: dict) -> None:
        self.issued += 1
        status = t["status"]
        if status == S.WAITING:
            self.waiting += 1
        elif status == S.SERVING:
            self.serving += 1
        elif status == S.DONE:
            self.done += 1
        elif status == S.NO_SHOW:
            self.no_show += 1
        if t["first_called_at"]:
            self._waits.append((t["first_called_at"] - t["issued_at"]).total_seconds())
            if status == S.DONE and t["finished_at"]:
                self._services.append((t["finished_at"] - t["first_called_at"]).total_seconds())

    @property
    def avg_wait_s(self) -> float | None:
        return sum(self._waits) / len(self._waits) if self._waits else None

    @property
    def avg_service_s(self) -> float | None:
        return sum(self._services) / len(self._services) if self._services else None

    @property
    def avg_wait(self) -> str:
        return duration_label(self.avg_wait_s)

    @property
    def avg_service(self) -> str:
        return duration_label(self.avg_service_s)


def hall_stats(hall: org.HallInfo, day: dt.date) -> dict:
    """Today's figures of one hall: totals, per zone, per window, per clerk, per hour.

    Wait = first call − issue (every ticket called at least once); service time = finish −
    first call (tickets finished as 办结, not the skipped ones). Zones count a transferred
    ticket where it is now; windows and clerks count it where it was served last."""
    rows = Ticket.objects.filter(hall_id=hall.id, day=day).values(
        "zone_id",
        "window_id",
        "clerk_id",
        "status",
        "issued_at",
        "first_called_at",
        "finished_at",
    )
    total = Tally("全部")
    zones = {z.id: Tally(z.name, z.letter) for z in hall.zones if z.takes_tickets}
    windows = {w.id: Tally(w.label, w.kind_label) for w in hall.windows}
    clerks: dict[int, Tally] = {}
    hours: dict[int, int] = defaultdict(int)
    for t in rows:
        total.add(t)
        zones.setdefault(t["zone_id"], Tally("其他功能区")).add(t)
        if t["window_id"] in windows:
            windows[t["window_id"]].add(t)
        if t["clerk_id"]:
            clerks.setdefault(t["clerk_id"], Tally()).add(t)
        hours[timezone.localtime(t["issued_at"]).hour] += 1
    names = org.staff_names(clerks) if clerks else {}
    for staff_id, tally in clerks.items():
        tally.label = names.get(staff_id, "（已删除）")
    states = desk_states(hall.id, day)
    labels = {"serving": "办理中", "paused": "暂停服务", "idle": "空闲"}
    window_rows = []
    for w in hall.windows:
        if not w.active and not windows[w.id].issued:
            continue
        state = states.get(w.id, {"state": "idle", "number": ""})
        text = labels[state["state"]] + (f" {state['number']}" if state["number"] else "")
        if not w.active:
            text = "已停用"
        window_rows.append({"tally": windows[w.id], "state": state["state"], "state_label": text})
    appt_no_show = Appointment.objects.filter(
        hall_id=hall.id, day=day, status=Appointment.Status.NO_SHOW
    ).count()
    peak = max(hours.values(), default=0)
    span = sorted(set(hours) | set(range(hall.am_open.hour, hall.pm_close.hour + (hall.pm_close.minute > 0))))
    return {
        "day": day,
        "total": total,
        "zones": list(zones.values()),
        "windows": window_rows,
        "clerks": sorted(clerks.values(), key=lambda c: (-c.issued, c.label)),
        "appointment_no_show": appt_no_show,
        "hours": [{"hour": h, "count": hours.get(h, 0)} for h in span],
        "peak": peak,
    }


# --- the clerk's desk and the pickup window -----------------------------------------------------


@dataclass(frozen=True)
class Station:
    """A staff member at their window: the window (None when they have none) and the ticket
    the window is serving (None when it serves nobody right now)."""

    staff: org.StaffInfo | None
    window: org.WindowInfo | None
    ticket: Ticket | None


def station_for(user) -> Station:
    staff = org.staff_for_user(user)
    window = org.window_info(staff.window_id, departments=False) if staff and staff.window_id else None
    ticket = None
    if window is not None:
        desk = Desk.objects.filter(window_id=window.id).select_related("current").first()
        if desk is not None and desk.current_id and desk.current.status == Ticket.Status.SERVING:
            ticket = desk.current
    return Station(staff, window, ticket)


def desk_queue(window: org.WindowInfo, day: dt.date) -> tuple[dict[int, int], int]:
    """({served zone id: tickets waiting}, tickets transferred to this very window) today."""
    waiting = Ticket.objects.filter(hall_id=window.hall_id, day=day, status=Ticket.Status.WAITING)
    per_zone = dict.fromkeys(window.served_zone_ids, 0)
    rows = (
        waiting.filter(target_window__isnull=True, zone_id__in=list(per_zone))
        .values("zone_id")
        .annotate(n=Count("id"))
        .values_list("zone_id", "n")
    )
    per_zone.update(rows)
    return per_zone, waiting.filter(target_window_id=window.id).count()


def desk_signed_in(window_id: int, staff_id: int, day: dt.date) -> bool:
    """True when this clerk already holds this window today (read only: no lock, no write), so
    opening or polling the workstation need not go through services.desk_sign_in."""
    desk = Desk.objects.filter(window_id=window_id).values("clerk_id", "updated_at").first()
    return bool(
        desk and desk["clerk_id"] == staff_id and timezone.localtime(desk["updated_at"]).date() == day
    )


def cases_handed_in_at(hall_id: int):
    """Cases accepted at this hall's windows (全市通办 results are collected where handed in), as a
    lazy query of case ids: used as a subquery, never fetched into an IN list."""
    from .models import TicketCase

    return TicketCase.objects.filter(ticket__hall_id=hall_id).values("case_id")
