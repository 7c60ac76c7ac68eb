"""差评整改: every real-name bad rating opens a rectification for the department of the case
(or the hall, for a rating of a window visit) with a deadline in working days: 5 for a simple
case, 15 for a complex one (BANHAO_RECTIFICATION_DAYS).

The life cycle is the table in rectification_states.py; this module is the one door that moves
a rectification. Each step locks the row (select_for_update: two windows acting at once see one
succeed and the other refused), checks the transition, writes a RectificationEvent and an audit
event, all in one transaction. A refused step raises ValidationError (Chinese) and changes
nothing.

    rectification_open        a real-name bad rating (called by ratings.py)
    rectification_call        a callback call that did not reach the rater (stays open)
    rectification_callback    a call that reached the rater: open → called_back
    rectification_unreachable after N failed calls, complete the callback as 无法联系
    rectification_verify      substantiated or not: called_back → verified
    rectification_measures    the measures taken (substantiated only): verified → rectified
    rectification_feedback    tell the rater (site message + SMS with a signed link): → fed_back
    rectification_close       fed_back → closed (after the re-rate, or the sweep)
    rating_rerate             the rater's one re-rating after the feedback; closes the task
    rectification_sweep       daily: reminders, escalation, closing unanswered feedback
    rectifications_in_scope   what a staff scope may see; rectification_countdown, on_time_figure

``on_time`` is decided when the rater is told: fed back on or before ``due_on``. The clock never
stops, not even during an appeal (appeals.py).

A re-rating replaces the old rating for scoring (the old one is kept, current=False). A bad
re-rating does NOT open a new rectification for the same case: the case had its rectification,
and the re-rating is the rater's verdict on it (supervisors see it on the rectification).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from banhao.core.audit import actor_label, audit_record
from banhao.core.calendar import add_workdays, countdown, workdays_between
from banhao.notify.api import SITE, SMS, message_send
from banhao.org import api as org_api

from . import rectification_states as states
from .models import Level, Rating, Rectification, RectificationCall, RectificationEvent

S = Rectification.Status
FEEDBACK_SALT = "banhao.evaluation.rectification-feedback"  # a signing salt, not a secret
TEXT_MAX = 2000
ANSWERED_BY_MAX = 50


def deadline_days(complex_: bool) -> int:
    days = getattr(settings, "BANHAO_RECTIFICATION_DAYS", {"simple": 5, "complex": 15})
    return int(days["complex" if complex_ else "simple"])


def callback_tries() -> int:
    """Failed calls after which the callback step may be completed as 无法联系."""
    return max(1, int(getattr(settings, "BANHAO_RECTIFICATION_CALLBACK_TRIES", 3)))


def remind_days() -> int:
    return int(getattr(settings, "BANHAO_RECTIFICATION_REMIND_DAYS", 2))


def rerate_days() -> int:
    """Working days the rater has to re-rate after the feedback; then the sweep closes."""
    return int(getattr(settings, "BANHAO_RECTIFICATION_RERATE_DAYS", 5))


_label = actor_label


def _event(rect: Rectification, actor, action: str, before: str, note: str = "", data: dict | None = None):
    user = actor if getattr(actor, "is_authenticated", False) else None
    return RectificationEvent.objects.create(
        rectification=rect,
        action=action,
        from_status=before,
        to_status=rect.status,
        note=note,
        data=data or {},
        actor=user,
        actor_label=_label(actor),
    )


# --- scope ------------------------------------------------------------------------------------


def rectifications_in_scope(scope):
    """The rectifications a staff scope may see: a department's reviewers and head their own
    department's, a hall manager the window ratings of their hall, a supervisor the region's."""
    qs = Rectification.objects.select_related("rating")
    if scope is None:
        return qs.none()
    if scope.role == org_api.Role.HALL_MANAGER:
        return qs.filter(hall_id=scope.hall_id) if scope.hall_id else qs.none()
    qs = scope.filter(qs, region_field="region", department_field="department")
    if scope.role in (org_api.Role.REVIEWER, org_api.Role.DEPARTMENT_HEAD):
        qs = qs.filter(department_id=scope.department_id)
    return qs


def _check_actor(actor, rect: Rectification, permission: str = "evaluation.rectify") -> None:
    """A person acting must be staff whose role grants ``permission`` and whose scope holds the
    rectification; the system (a string actor: the sweep, the rater's re-rate) passes."""
    if isinstance(actor, str):
        return
    scope = org_api.scope_for_user(actor)
    if scope is None or not scope.can(permission):
        raise PermissionDenied("您的角色无权办理差评整改。")
    if not rectifications_in_scope(scope).filter(pk=rect.pk).exists():
        raise PermissionDenied("该差评整改不在您的职责范围内。")


def _locked(rect: Rectification | int) -> Rectification:
    pk = rect.pk if isinstance(rect, Rectification) else int(rect)
    return Rectification.objects.select_for_update().select_related("rating").get(pk=pk)


def _text(value, field: str, label: str, *, required: bool = True, limit: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"请填写{label}。"})
    if len(value) > limit:
        raise ValidationError({field: f"{label}不得超过{limit}字。"})
    return value


def _move(rect: Rectification, actor, action: str, *, note: str = "", data=None, target=None, **fields):
    """Applies ``action`` to a locked rectification: status, fields, event, audit."""
    to = target or states.transition(rect, action)
    before = {"status": rect.status, **{k: _plain(getattr(rect, k)) for k in fields}}
    old = rect.status
    rect.status = to
    for k, v in fields.items():
        setattr(rect, k, v)
    rect.save(update_fields=["status", *fields])
    _event(rect, actor, action, old, note=note, data=data)
    after = {"status": rect.status, **{k: _plain(v) for k, v in fields.items()}}
    audit_record(
        actor=actor, obj=rect, action=f"evaluation.rectification.{action}", before=before, after=after
    )
    return rect


def _plain(v):
    return v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v


# --- the steps ----------------------------------------------------------------------------------


@transaction.atomic
def rectification_open(*, rating: Rating, complex: bool = False, on=None) -> Rectification:
    """Opens the rectification of a bad rating (once: a second call returns the first)."""
    existing = Rectification.objects.filter(rating=rating).first()
    if existing is not None:
        return existing
    today = on or timezone.localdate()
    rect = Rectification.objects.create(
        rating=rating,
        department_id=rating.department_id,
        hall_id=None if rating.department_id else rating.hall_id,
        region_id=rating.region_id,
        complex=complex,
        opened_on=today,
        due_on=add_workdays(today, deadline_days(complex)),
    )
    _event(rect, "差评自动派发", "open", "", note=f"整改期限 {rect.due_on.isoformat()}")
    audit_record(
        actor="差评自动派发",
        obj=rect,
        action="evaluation.rectification.open",
        after={"rating": rating.pk, "due_on": rect.due_on.isoformat(), "complex": complex},
    )
    return rect


def _call_time(rect: Rectification, called_at) -> dt.datetime:
    if called_at is None:
        return timezone.now()
    if isinstance(called_at, dt.date) and not isinstance(called_at, dt.datetime):
        called_at = dt.datetime.combine(called_at, dt.time(12))
    if timezone.is_naive(called_at):
        called_at = timezone.make_aware(called_at)
    if called_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"called_at": "回访时间不能晚于现在。"})
    if timezone.localdate(called_at) < rect.opened_on:
        raise ValidationError({"called_at": "回访时间不能早于差评派发日期。"})
    return called_at


def _record_call(rect, actor, *, reached, called_at, answered_by, summary) -> RectificationCall:
    return RectificationCall.objects.create(
        rectification=rect,
        called_at=_call_time(rect, called_at),
        reached=reached,
        answered_by=_text(answered_by, "answered_by", "接听人", required=reached, limit=ANSWERED_BY_MAX),
        summary=_text(summary, "summary", "通话内容", required=reached),
        staff=actor if getattr(actor, "is_authenticated", False) else None,
        staff_label=_label(actor),
    )


def failed_calls(rect: Rectification) -> int:
    return rect.calls.filter(reached=False).count()


@transaction.atomic
def rectification_call(*, actor, rectification, called_at=None, summary: str = "") -> Rectification:
    """Records a callback call that did not reach the rater; the task stays open."""
    rect = _locked(rectification)
    _check_actor(actor, rect)
    states.transition(rect, "call")
    call = _record_call(rect, actor, reached=False, called_at=called_at, answered_by="", summary=summary)
    n = failed_calls(rect)
    return _move(
        rect,
        actor,
        "call",
        note=f"第{n}次回访未联系上" + (f"：{call.summary}" if call.summary else ""),
        data={"call": call.pk, "called_at": call.called_at.isoformat(), "failed": n},
    )


@transaction.atomic
def rectification_callback(
    *, actor, rectification, called_at=None, answered_by: str, summary: str
) -> Rectification:
    """Records the call that reached the rater (who answered, what was said): open → called_back."""
    rect = _locked(rectification)
    _check_actor(actor, rect)
    states.transition(rect, "callback")
    call = _record_call(
        rect, actor, reached=True, called_at=called_at, answered_by=answered_by, summary=summary
    )
    return _move(
        rect,
        actor,
        "callback",
        note=f"{call.answered_by}接听：{call.summary}",
        data={"call": call.pk, "called_at": call.called_at.isoformat(), "reached": True},
    )


@transaction.atomic
def rectification_unreachable(*, actor, rectification, note: str = "") -> Rectification:
    """Completes the callback step as 无法联系 once BANHAO_RECTIFICATION_CALLBACK_TRIES calls
    failed: open → called_back (the verification goes on from the record)."""
    rect = _locked(rectification)
    _check_actor(actor, rect)
    states.transition(rect, "callback")
    n, needed = failed_calls(rect), callback_tries()
    if n < needed:
        raise ValidationError(
            f"回访未联系上满{needed}次后才能按“无法联系”完成回访（目前{n}次）。", code="tries"
        )
    note = _text(note, "note", "说明", required=False)
    return _move(
        rect,
        actor,
        "callback",
        note=f"无法联系（{n}次回访均未联系上）" + (f"：{note}" if note else ""),
        data={"reached": False, "unreachable": True, "failed": n},
    )


@transaction.atomic
def rectification_verify(*, actor, rectification, substantiated, note: str) -> Rectification:
    """Records the verification: the rating is substantiated (情况属实) or not: called_back → verified."""
    rect = _locked(rectification)
    _check_actor(actor, rect)
    states.transition(rect, "verify")
    if substantiated not in (True, False):
        raise ValidationError({"substantiated": "请选择核实结论：情况属实或情况不属实。"})
    note = _text(note, "note", "核实情况")
    verdict = "情况属实" if substantiated else "情况不属实"
    return _move(
        rect,
        actor,
        "verify",
        note=f"{verdict}：{note}",
        data={"substantiated": substantiated},
        substantiated=substantiated,
    )


@transaction.atomic
def rectification_measures(*, actor, rectification, measures: str) -> Rectification:
    """Records the measures taken for a substantiated rating: verified → rectified."""
    rect = _locked(rectification)
    _check_actor(actor, rect)
    states.transition(rect, "measures")
    measures = _text(measures, "measures", "整改措施")
    return _move(rect, actor, "measures", note=measures, measures=measures)


def feedback_token(rectification_id: int) -> str:
    """The signed link part that opens the rater's feedback page without a login (SMS)."""
    return signing.dumps({"r": rectification_id}, salt=FEEDBACK_SALT, compress=True)


def feedback_token_rectification(token: str) -> int | None:
    """The rectification a valid feedback token names, or None (forged, or older than the
    rating token lifetime BANHAO_RATING_TOKEN_DAYS)."""
    max_age = int(getattr(settings, "BANHAO_RATING_TOKEN_DAYS", 30)) * 86400
    try:
        return int(signing.loads(token or "", salt=FEEDBACK_SALT, max_age=max_age)["r"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def _site_url() -> str:
    explicit = getattr(settings, "BANHAO_SITE_URL", "")
    if explicit:
        return explicit.rstrip("/")
    domain = getattr(settings, "BANHAO_SITE", {}).get("domain") or "localhost"
    return f"https://{domain}"


def feedback_path(rect: Rectification) -> str:
    return reverse("rectify_feedback:page", args=[rect.pk])


def _tell_rater(rect: Rectification) -> None:
    rating = rect.rating
    path = feedback_path(rect)
    text = "您对政务服务的评价已处理完毕，请查看整改情况并可再次评价。"
    if rating.rater_id:
        message_send(
            recipient=rating.rater_id,
            channel=SITE,
            title="您的评价已整改反馈",
            text=text,
            link=path,
            dedupe_key=f"rectify:{rect.pk}:feedback:site",
        )
    if rating.rater_phone:
        url = f"{_site_url()}{path}?t={feedback_token(rect.pk)}"
        message_send(
            recipient=rating.rater_phone,
            channel=SMS,
            text=f"{text}查看：{url}",
            dedupe_key=f"rectify:{rect.pk}:feedback:sms",
        )


@transaction.atomic
def rectification_feedback(*, actor, rectification, feedback: str, on=None) -> Rectification:
    """Feeds the result back to the rater (the measures, or the explanation of a not-substantiated
    rating) by site message and SMS with a link to their page: rectified | verified → fed_back.
    ``on_time`` is whether this happens on or before ``due_on``."""
    rect = _locked(rectification)
    _check_actor(actor, rect)
    states.transition(rect, "feedback")
    feedback = _text(feedback, "feedback", "反馈内容")
    today = on or timezone.localdate()
    rect = _move(
        rect,
        actor,
        "feedback",
        note=feedback,
        data={"on": today.isoformat()},
        feedback=feedback,
        on_time=today <= rect.due_on,
    )
    _tell_rater(rect)
    return rect


@transaction.atomic
def rectification_close(*, actor, rectification, note: str = "") -> Rectification:
    """Closes a fed-back rectification (after the rater's re-rate or when the re-rate period
    has passed): fed_back → closed."""
    rect = _locked(rectification)
    _check_actor(actor, rect)
    states.transition(rect, "close")
    on_time = rect.on_time if rect.on_time is not None else timezone.localdate() <= rect.due_on
    return _move(rect, actor, "close", note=note or "办结", closed_at=timezone.now(), on_time=on_time)


# --- the rater's re-rating --------------------------------------------------------------------------


class RerateRefused(ValidationError):
    pass


def fed_back_on(rect: Rectification) -> dt.date | None:
    event = rect.events.filter(action="feedback").order_by("-at", "-id").first()
    return timezone.localdate(event.at) if event else None


def rater_may_see(rect: Rectification, *, user=None, token: str | None = None) -> bool:
    """The rater's page opens for the applicant who rated (their login) or the SMS link."""
    if token and feedback_token_rectification(token) == rect.pk:
        return True
    return bool(getattr(user, "is_authenticated", False) and rect.rating.rater_id == user.pk)


# the channel a re-rating is validated as (the hall pad asks the on-site indicators, as the kiosk)
_CHECK_AS = {Rating.Channel.HALL_PAD: Rating.Channel.KIOSK}


@transaction.atomic
def rating_rerate(
    *, rectification, user=None, token: str | None = None, level, dimensions=None, reasons=None, comment=""
) -> Rating:
    """The rater's one re-rating after the feedback (追评): a new Rating with rerate_of=old on the
    original's channel; the old one stays, current=False. Closes the rectification. A bad
    re-rating opens no new rectification. PermissionDenied or ValidationError (Chinese)."""
    from .ratings import rating_check

    rect = _locked(rectification)
    if not rater_may_see(rect, user=user, token=token):
        raise PermissionDenied("只有评价人本人可以追评。")
    old = Rating.objects.select_for_update().get(pk=rect.rating_id)
    if Rating.objects.filter(rerate_of=old).exists():
        raise RerateRefused("每条评价只能追评一次，您已追评过。")
    if rect.status != S.FED_BACK:
        if rect.status == S.CLOSED:
            raise RerateRefused("该评价的整改已办结，追评期已过。")
        raise RerateRefused("整改结果反馈给您之后才能追评。")
    data = rating_check(
        channel=_CHECK_AS.get(old.channel, old.channel),
        level=level,
        dimensions=dimensions,
        reasons=reasons,
        comment=comment,
    )
    # one current rating per case: the old one steps down before the new one is written
    was_current = old.current
    old.current = False
    old.save(update_fields=["current"])
    new = Rating.objects.create(
        channel=old.channel,
        level=data.level,
        dimensions=data.dimensions,
        reasons=data.reasons,
        comment=data.comment,
        window_id=old.window_id,
        clerk_id=old.clerk_id,
        hall_id=old.hall_id,
        case_id=old.case_id,
        department_id=old.department_id,
        region_id=old.region_id,
        rater_id=old.rater_id,
        rater_person_id=old.rater_person_id,
        rater_phone=old.rater_phone,
        real_name=old.real_name,
        current=was_current,
        rerate_of=old,
    )
    new.cases.set(list(old.cases.values_list("pk", flat=True)))
    who = user if getattr(user, "is_authenticated", False) else "评价人（短信链接）"
    audit_record(
        actor=who,
        obj=new,
        action="evaluation.rerate",
        before={"rating": old.pk, "level": old.level},
        after={"rating": new.pk, "level": new.level},
    )
    _event(rect, who, "rerate", rect.status, note=f"追评：{Level(new.level).label}", data={"rating": new.pk})
    rectification_close(
        actor="评价人追评", rectification=rect, note=f"评价人已追评（{Level(new.level).label}）"
    )
    return new


# --- the daily sweep ------------------------------------------------------------------------------------

OPEN_WORK = (S.OPEN, S.CALLED_BACK, S.VERIFIED, S.RECTIFIED, S.APPEALING)


def _staff_of(rect: Rectification) -> list[int]:
    R = org_api.Role
    if rect.department_id:
        return org_api.staff_user_ids((R.REVIEWER, R.DEPARTMENT_HEAD), department_id=rect.department_id)
    if rect.hall_id:
        return org_api.staff_user_ids((R.HALL_MANAGER,), hall_id=rect.hall_id)
    return []


def _detail_path(rect: Rectification) -> str:
    return reverse("rectify:detail", args=[rect.pk])


@transaction.atomic
def _remind(rect_id: int, today: dt.date) -> bool:
    rect = _locked(rect_id)
    if rect.reminded_on or rect.status not in OPEN_WORK:
        return False
    left = workdays_between(today, rect.due_on)
    for uid in _staff_of(rect):
        message_send(
            recipient=uid,
            channel=SITE,
            title="差评整改即将到期",
            text=f"差评整改 #{rect.pk} 将于{rect.due_on:%Y年%m月%d日}到期（剩余{left}个工作日），请按期回访、核实、整改并反馈。",
            link=_detail_path(rect),
            dedupe_key=f"rectify:{rect.pk}:remind:{uid}",
        )
    rect.reminded_on = today
    rect.save(update_fields=["reminded_on"])
    _event(rect, "系统", "remind", rect.status, note=f"剩余{left}个工作日，已提醒整改单位")
    audit_record(
        actor="系统",
        obj=rect,
        action="evaluation.rectification.remind",
        after={"reminded_on": today.isoformat()},
    )
    return True


@transaction.atomic
def _escalate(rect_id: int, today: dt.date) -> bool:
    rect = _locked(rect_id)
    if rect.escalated_at or rect.status not in OPEN_WORK:
        return False
    late = workdays_between(rect.due_on, today)
    for uid in org_api.staff_user_ids((org_api.Role.SUPERVISOR,), covering_region_id=rect.region_id):
        message_send(
            recipient=uid,
            channel=SITE,
            title="差评整改超期督办",
            text=f"差评整改 #{rect.pk} 已超过整改期限（{rect.due_on:%Y年%m月%d日}）{late}个工作日，请督办。",
            link=_detail_path(rect),
            dedupe_key=f"rectify:{rect.pk}:escalate:{uid}",
        )
    rect.escalated_at = timezone.now()
    rect.save(update_fields=["escalated_at"])
    _event(rect, "系统", "escalate", rect.status, note=f"超期{late}个工作日，已报督查人员督办")
    audit_record(
        actor="系统",
        obj=rect,
        action="evaluation.rectification.escalate",
        after={"escalated_at": rect.escalated_at.isoformat(), "due_on": rect.due_on.isoformat()},
    )
    return True


def rectification_sweep(today: dt.date | None = None) -> dict[str, int]:
    """The daily steps: remind the unit when the deadline is within BANHAO_RECTIFICATION_REMIND_DAYS
    working days (once), escalate to the region's supervisors when overdue (once), and close a
    fed-back rectification whose rater did not re-rate within BANHAO_RECTIFICATION_RERATE_DAYS."""
    today = today or timezone.localdate()
    horizon = add_workdays(today, remind_days())
    open_work = Rectification.objects.filter(status__in=OPEN_WORK)
    reminded = sum(
        _remind(pk, today)
        for pk in open_work.filter(
            reminded_on__isnull=True, due_on__gte=today, due_on__lte=horizon
        ).values_list("pk", flat=True)
    )
    escalated = sum(
        _escalate(pk, today)
        for pk in open_work.filter(escalated_at__isnull=True, due_on__lt=today).values_list("pk", flat=True)
    )
    closed = 0
    for rect in Rectification.objects.filter(status=S.FED_BACK):
        since = fed_back_on(rect)
        if since is not None and workdays_between(since, today) >= rerate_days():
            try:
                rectification_close(actor="系统", rectification=rect, note="追评期满，评价人未追评，自动办结")
            except ValidationError:
                continue  # moved meanwhile (re-rated a moment ago)
            closed += 1
    return {"reminded": reminded, "escalated": escalated, "closed": closed}


def rectification_countdown(rect: Rectification, today: dt.date | None = None) -> dict:
    """Working days left (text always, red when overdue) — colour is never the only signal."""
    today = today or timezone.localdate()
    if rect.status == S.CLOSED:
        if rect.on_time is None:
            return {"text": "已办结", "tone": "muted", "days": None}
        return {
            "text": "按期办结" if rect.on_time else "超期办结",
            "tone": "ok" if rect.on_time else "danger",
            "days": None,
        }
    if rect.status == S.FED_BACK:
        return {
            "text": "已反馈" + ("（按期）" if rect.on_time else "（超期）"),
            "tone": "ok" if rect.on_time else "danger",
            "days": None,
        }
    c = countdown(rect.due_on, today)
    tone = "danger" if c.overdue else "warn" if c.days <= remind_days() else "ok"
    return {"text": c.text, "tone": tone, "days": c.days}


# --- figures ---------------------------------------------------------------------------------------------


def on_time_figure(qs, today: dt.date | None = None) -> dict:
    """实名差评按期整改率: of the rectifications due so far (deadline passed before today, or already fed back),
    leaving out those an upheld appeal excluded, the share fed back on time. Target 100%."""
    today = today or timezone.localdate()
    due = qs.filter(Q(due_on__lt=today) | Q(on_time__isnull=False)).exclude(rating__excluded=True)
    total = due.count()
    done = due.filter(on_time=True).count()
    return {"due": total, "on_time": done, "rate": (done * 100.0 / total) if total else None}
