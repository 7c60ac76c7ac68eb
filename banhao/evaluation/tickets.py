"""12345 tickets (工单) that come from the 12345 system itself: 咨询, 求助, 投诉, 建议.

The life of a ticket, as data: (status, action) -> new status.

    received → dispatched (派单, to a department)
    dispatched → signed (签收) | returned (退回: not this department's, with a reason)
    returned → dispatched (改派, to another department)
    signed → signed (申请延期: once, before the deadline) | answered (答复)
    answered → answered (回访未接通, counted) | called_back (回访)
    called_back → closed (办结) | signed (重办: dissatisfied, back to the same department)

Time limits (domain.md §5), on the working-day calendar: the department signs within
BANHAO_HOTLINE_SIGN_DAYS working days of the dispatch (a re-dispatch starts that count again);
the answer is due BANHAO_HOTLINE_LIMITS[kind] working days after the day 12345 received the
ticket (the day itself does not count) — the caller's wait does not restart when a ticket is
sent on to another department; an extension is asked before that day ends, once, for at most
BANHAO_HOTLINE_EXTENSION_DAYS; a re-handling is due BANHAO_HOTLINE_REHANDLE_DAYS after the
callback that sent it back. The callback happens after the answer; after
BANHAO_CALLBACK_MAX_TRIES unanswered calls it is recorded as 无法联系 and the ticket can close.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from banhao.core.audit import actor_label, audit_record
from banhao.core.calendar import add_workdays, countdown

from .models import Level
from .models_hotline import HotlineTicket, TicketEvent

T = HotlineTicket.Status
TRANSITIONS: dict[tuple[str, str], str] = {
    (T.RECEIVED, "dispatch"): T.DISPATCHED,
    (T.RETURNED, "dispatch"): T.DISPATCHED,
    (T.DISPATCHED, "sign"): T.SIGNED,
    (T.DISPATCHED, "return"): T.RETURNED,
    (T.SIGNED, "extend"): T.SIGNED,
    (T.SIGNED, "answer"): T.ANSWERED,
    (T.ANSWERED, "callback_missed"): T.ANSWERED,
    (T.ANSWERED, "callback"): T.CALLED_BACK,
    (T.CALLED_BACK, "close"): T.CLOSED,
    (T.CALLED_BACK, "rehandle"): T.SIGNED,
}
ACTION_LABELS = {
    "receive": "接收工单",
    "dispatch": "派单",
    "sign": "签收",
    "return": "退回",
    "extend": "申请延期",
    "answer": "答复",
    "callback_missed": "回访未接通",
    "callback": "回访",
    "close": "办结",
    "rehandle": "退回重办",
}
# who takes each action: the hotline desk or the department the ticket is dispatched to
HOTLINE_ACTIONS = {"dispatch", "callback_missed", "callback", "close", "rehandle"}
DEPARTMENT_ACTIONS = {"sign", "return", "extend", "answer"}
NUMBER_MAX = 40
TEXT_MAX = 2000
SATISFIED_FROM = Level.BASIC  # 基本满意 and better count as satisfied


def limits() -> dict[str, int]:
    default = {"consult": 3, "help": 5, "complaint": 15, "suggestion": 15}
    return {**default, **(getattr(settings, "BANHAO_HOTLINE_LIMITS", {}) or {})}


def _days(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def transition(current: str, action: str) -> str:
    target = TRANSITIONS.get((current, action))
    if target is None:
        raise ValidationError(
            "工单当前状态为“%(state)s”，不能“%(action)s”。",
            code="transition",
            params={"state": T(current).label, "action": ACTION_LABELS.get(action, action)},
        )
    return target


def allowed_actions(current: str) -> list[str]:
    return [a for (s, a) in TRANSITIONS if s == current]


_label = actor_label


def _event(ticket: HotlineTicket, actor, action: str, before: str, note: str = "", data=None) -> TicketEvent:
    user = actor if getattr(actor, "is_authenticated", False) else None
    event = TicketEvent.objects.create(
        ticket=ticket,
        action=action,
        from_status=before,
        to_status=ticket.status,
        note=note,
        data=data or {},
        department_id=ticket.department_id,
        actor=user,
        actor_label=_label(actor),
    )
    audit_record(
        actor=actor,
        obj=ticket,
        action=f"evaluation.ticket_{action}",
        before={"status": before} if before else None,
        after={"status": ticket.status, **(data or {})},
        reason=note[:200],
    )
    return event


# --- receiving ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    ticket: HotlineTicket
    created: bool


def ticket_receive(*, actor, data, region_id: int, source: str = "") -> Received:
    """Takes a ticket from the 12345 system. Idempotent on the 12345 ticket number: the same
    number again returns the ticket already received (created=False) and changes nothing.
    ValidationError keyed by field, in Chinese, for bad input."""
    errors: dict[str, str] = {}
    number = str(data.get("number") or "").strip()
    if not number:
        errors["number"] = "请提供12345工单编号。"
    elif len(number) > NUMBER_MAX:
        errors["number"] = f"工单编号不能超过{NUMBER_MAX}个字符。"
    kind = str(data.get("kind") or "").strip()
    if kind not in HotlineTicket.Kind.values:
        errors["kind"] = (
            "诉求类型应为 consult（咨询）、help（求助）、complaint（投诉）或 suggestion（建议）。"
        )
    title = str(data.get("title") or "").strip()
    if not title:
        errors["title"] = "请提供工单标题。"
    elif len(title) > 200:
        errors["title"] = "工单标题不能超过200字。"
    content = str(data.get("content") or "").strip()
    if not content:
        errors["content"] = "请提供诉求内容。"
    elif len(content) > TEXT_MAX:
        errors["content"] = f"诉求内容不能超过{TEXT_MAX}字。"
    caller_name = str(data.get("caller_name") or "").strip()[:50]
    phone = str(data.get("caller_phone") or "").strip()
    if phone and (not phone.replace("-", "").isdigit() or not 7 <= len(phone) <= 20):
        errors["caller_phone"] = "来电号码格式有误。"
    received_at = data.get("received_at")
    if received_at:
        if isinstance(received_at, str):
            try:
                received_at = dt.datetime.fromisoformat(received_at)
            except ValueError:
                received_at = None
                errors["received_at"] = "受理时间格式应为 ISO 8601，如 2026-12-04T09:30:00+08:00。"
        if isinstance(received_at, dt.datetime):
            if timezone.is_naive(received_at):
                received_at = timezone.make_aware(received_at)
            if received_at > timezone.now() + dt.timedelta(minutes=5):
                errors["received_at"] = "受理时间不能晚于当前时间。"
    if errors:
        raise ValidationError(errors)
    existing = HotlineTicket.objects.filter(number=number).first()
    if existing is not None:
        return Received(existing, False)
    received_at = received_at or timezone.now()
    received_on = timezone.localtime(received_at).date()
    try:
        with transaction.atomic():
            ticket = HotlineTicket.objects.create(
                number=number,
                kind=kind,
                title=title,
                content=content,
                caller_name=caller_name,
                caller_phone=phone,
                region_id=region_id,
                received_at=received_at,
                received_on=received_on,
                answer_due=add_workdays(received_on, limits()[kind]),
                source=source[:100],
            )
            _event(ticket, actor, "receive", "", data={"number": number, "kind": kind})
    except IntegrityError:  # the same number at the same moment: the first one stands
        return Received(HotlineTicket.objects.get(number=number), False)
    return Received(ticket, True)


# --- acting -------------------------------------------------------------------------------------------


def tickets_for_scope(scope):
    """The tickets of the scope: the hotline desk (and any role that is not a department's) sees
    the tickets of its regions; a department role the tickets dispatched to its department,
    wherever the caller lives (the desk may send a ticket to a unit of another district)."""
    qs = HotlineTicket.objects.select_related("department")
    if scope.department_id is not None and not scope.can("hotline.tickets"):
        return qs.filter(department_id=scope.department_id)
    return scope.filter(qs, "region")


def _check_actor(ticket: HotlineTicket, action: str, actor):
    """The hotline desk (hotline.tickets) takes its actions, the department the ticket is
    dispatched to (hotline.handle) its own; a tool's label string takes any."""
    if isinstance(actor, str):
        return None
    from banhao.org.api import scope_for_user

    scope = scope_for_user(actor)
    if scope is None:
        raise PermissionDenied("您无权办理该工单。")
    if action in HOTLINE_ACTIONS:
        if not scope.can("hotline.tickets") or not scope.allows(ticket.region_id):
            raise PermissionDenied(f"只有12345热线人员可以“{ACTION_LABELS[action]}”。")
    elif not scope.can("hotline.handle") or scope.department_id != ticket.department_id:
        raise PermissionDenied(f"只有承办单位可以“{ACTION_LABELS[action]}”。")
    return scope


def _text(data, key: str, message: str, *, required: bool = True) -> str:
    """A text parameter: an answer keeps its line breaks, a note or reason is one line."""
    raw = str((data or {}).get(key) or "")
    value = raw.strip() if key == "answer" else " ".join(raw.split())
    if required and not value:
        raise ValidationError({key: message})
    if len(value) > TEXT_MAX:
        raise ValidationError({key: f"内容不能超过{TEXT_MAX}字。"})
    return value


def _int(data, key: str, message: str, low: int, high: int) -> int:
    try:
        value = int(str((data or {}).get(key) or "").strip())
    except ValueError:
        raise ValidationError({key: message}) from None
    if not low <= value <= high:
        raise ValidationError({key: message})
    return value


@transaction.atomic
def ticket_act(ticket_id: int, action: str, actor, today: dt.date | None = None, **data) -> HotlineTicket:
    """Performs one step on a ticket: checks the action exists, the status allows it (the
    transition table's Chinese message), the actor may take it, and the parameters; writes a TicketEvent
    and an audit row. Raises ValidationError / PermissionDenied; nothing changes then."""
    if action not in ACTION_LABELS or action == "receive":
        raise ValidationError({"action": "未知的操作。"})
    ticket = HotlineTicket.objects.select_for_update().filter(pk=ticket_id).first()
    if ticket is None:
        raise ValidationError("工单不存在。")
    before = ticket.status
    target = transition(before, action)
    scope = _check_actor(ticket, action, actor)
    today = today or timezone.localdate()
    now = timezone.now()
    note = ""
    extra: dict = {}
    if action == "dispatch":
        department_id = data.get("department_id")
        department = _department(department_id, scope)
        ticket.department_id = department
        ticket.dispatched_at = now
        ticket.sign_due = add_workdays(today, _days("BANHAO_HOTLINE_SIGN_DAYS", 1))
        ticket.signed_at = None
        ticket.on_time_sign = None
        note = _text(data, "note", "", required=False)
        extra = {"department_id": department, "sign_due": ticket.sign_due.isoformat()}
    elif action == "sign":
        ticket.signed_at = now
        ticket.on_time_sign = today <= ticket.sign_due if ticket.sign_due else True
    elif action == "return":
        note = _text(data, "reason", "退回须说明理由（如不属于本单位职责，建议由哪个单位承办）。")
        extra = {"department_id": ticket.department_id}
        ticket.sign_due = None  # a return is not a late sign-off; the re-dispatch dates it again
    elif action == "extend":
        if today > ticket.answer_due:
            raise ValidationError({"days": "已超过办结期限，延期须在期限届满前申请。"})
        if ticket.extended_days:
            raise ValidationError({"days": "该工单已延期一次，不能再次延期。"})
        most = _days("BANHAO_HOTLINE_EXTENSION_DAYS", 5)
        days = _int(data, "days", f"延期天数应为1到{most}个工作日。", 1, most)
        note = _text(data, "reason", "请说明延期理由。")
        ticket.extended_days = days
        ticket.answer_due = add_workdays(ticket.answer_due, days)
        extra = {"days": days, "answer_due": ticket.answer_due.isoformat()}
    elif action == "answer":
        ticket.answer = _text(data, "answer", "请填写答复内容。")
        ticket.answered_at = now
        in_time = today <= ticket.answer_due
        ticket.on_time_answer = (
            in_time if ticket.on_time_answer is None else (ticket.on_time_answer and in_time)
        )
        ticket.callback_tries = 0
        extra = {"on_time": in_time}
    elif action == "callback_missed":
        ticket.callback_tries += 1
        note = _text(data, "note", "", required=False)
        from .callbacks import max_tries

        if ticket.callback_tries >= max_tries():
            target = T.CALLED_BACK  # 无法联系: the callback is over, the ticket may close
            ticket.callback_outcome = "unreachable"
            ticket.called_back_at = now
        extra = {"tries": ticket.callback_tries}
    elif action == "callback":
        outcome = str(data.get("outcome") or "reached")
        if outcome not in ("reached", "refused"):
            raise ValidationError({"outcome": "请选择回访结果。"})
        ticket.callback_outcome = outcome
        ticket.called_back_at = now
        ticket.callback_tries += 1
        if outcome == "reached":
            resolved = data.get("resolved")
            if resolved in (None, ""):
                raise ValidationError({"resolved": "请记录诉求是否已解决。"})
            ticket.resolved = str(resolved).lower() in ("1", "true", "yes", "on")
            ticket.level = _int(data, "level", "请选择满意程度（非常满意至非常不满意）。", 1, 5)
        note = _text(data, "note", "", required=False)
        extra = {"outcome": outcome, "resolved": ticket.resolved, "level": ticket.level}
    elif action == "close":
        ticket.closed_at = now
    elif action == "rehandle":
        satisfied = (ticket.level or 0) >= SATISFIED_FROM and ticket.resolved
        if ticket.callback_outcome != "reached" or satisfied:
            raise ValidationError("只有回访不满意或未解决的工单可以退回重办。")
        note = _text(data, "reason", "请写明重办原因。")
        ticket.rehandle_count += 1
        ticket.answer_due = add_workdays(today, _days("BANHAO_HOTLINE_REHANDLE_DAYS", 5))
        ticket.answered_at = None
        ticket.called_back_at = None
        ticket.callback_outcome = ""
        ticket.resolved = None
        ticket.level = None
        extra = {"answer_due": ticket.answer_due.isoformat(), "count": ticket.rehandle_count}
    ticket.status = target
    ticket.save()
    event = _event(ticket, actor, action, before, note=note, data=extra)
    if action in ("dispatch", "rehandle"):
        _tell_department(ticket, event)
    return ticket


def _tell_department(ticket: HotlineTicket, event: TicketEvent) -> None:
    """A site message to the department's handlers, through notify's outbox, in this transaction."""
    from django.urls import reverse

    from banhao.notify.api import SITE, message_send
    from banhao.org.api import department_staff_user_ids

    what = "退回重办" if event.action == "rehandle" else "派单"
    due = ticket.sign_due if event.action == "dispatch" else ticket.answer_due
    when = "签收" if event.action == "dispatch" else "重新答复"
    for user_id in department_staff_user_ids(ticket.department_id, "hotline.handle"):
        message_send(
            recipient=user_id,
            channel=SITE,
            title=f"12345工单{what}",
            text=f"12345工单{ticket.number}（{ticket.get_kind_display()}：{ticket.title}）已{what}至本单位，"
            f"请于{due.year}年{due.month}月{due.day}日前{when}。",
            link=reverse("hotline:ticket", args=[ticket.pk]),
            dedupe_key=f"hotline-ticket-event:{event.pk}:{user_id}",
        )


def _department(department_id, scope) -> int:
    """An existing department within the dispatcher's regions."""
    from banhao.org.api import department_info

    try:
        department_id = int(department_id)
    except (TypeError, ValueError):
        raise ValidationError({"department_id": "请选择承办单位。"}) from None
    info = department_info(department_id)
    if info is None or (scope is not None and not scope.allows(info.region.id)):
        raise ValidationError({"department_id": "请选择本辖区的承办单位。"})
    return department_id


def ticket_phone_reveal(*, ticket: HotlineTicket, actor, reason: str = "") -> str:
    """Records that ``actor`` saw the caller's whole number and returns it."""
    audit_record(
        actor=actor,
        obj=ticket,
        action="evaluation.ticket_reveal_phone",
        after={"shown": "caller_phone", "number": ticket.number},
        reason=" ".join((reason or "").split())[:200],
    )
    return ticket.caller_phone


def ticket_countdown(due: dt.date | None, today: dt.date | None = None) -> tuple[str, str]:
    """(the calendar's countdown text, level) for a due date."""
    if due is None:
        return "", ""
    c = countdown(due, today or timezone.localdate())
    return c.text, "red" if c.overdue else "yellow" if c.days <= 1 else "none"
