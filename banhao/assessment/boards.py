"""红蓝榜: the monthly red-blue board of a hall's windows, and the blue list's rectification.

A board is the assess part's ScoreSet of kind window, a monthly scheme and a group "hall:<id>".
After assessment_compute made it (a draft), the hall's manager reviews it (draft → reviewed)
and publishes it (reviewed → published); only then is it public. Publishing opens one
rectification task (蓝榜整改) per window on the blue list, once. Every step locks the row
(select_for_update: a double click sees the second one refused), writes a BoardEvent and an
audit event, in one transaction. Refusals are ValidationError/PermissionDenied in Chinese and
change nothing. See docs/boards.md.

    board_rules(scheme)       the red/blue rule in force (BANHAO_HONOUR_BOARD)
    board_lists(score_set)    {score id: "red" | "blue" | None}
    board_rows(score_set)     the rows of a board for pages and the API
    boards_in_scope(scope)    the boards a staff scope may see
    board_review / board_publish
    published_board(hall_id, period)   the public board (None if not published)
    rectification_measures / rectification_close / rectification_return
    board_rectification_sweep(today)   reminders and escalation
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from banhao.core.audit import actor_label, audit_record
from banhao.core.calendar import Countdown, add_workdays, workdays_between
from banhao.core.calendar import countdown as calendar_countdown
from banhao.notify.api import SITE, message_send
from banhao.org import api as org_api

from . import board_states as states
from .models_boards import BoardEvent, BoardRectification
from .models_schemes import PeriodKind, Score, ScoreSet, SubjectKind
from .periods import parse_period

B = ScoreSet.Status
R = BoardRectification.Status
RED, BLUE = "red", "blue"
LIST_LABELS = {RED: "红榜", BLUE: "蓝榜"}
TEXT_MAX = 2000

DEFAULT_RULES = {"red_top": 3, "red_at_least": None, "blue_bottom": 3, "blue_below": None}


# --- settings -------------------------------------------------------------------------------------


def _conf() -> dict:
    return getattr(settings, "BANHAO_HONOUR_BOARD", {}) or {}


def board_rules(scheme) -> dict:
    """The rule for one scheme: the defaults, then BANHAO_HONOUR_BOARD's keys, then its
    "schemes" entry for the scheme's name (an override per scheme)."""
    conf = _conf()
    rules = dict(DEFAULT_RULES)
    rules.update({k: conf[k] for k in DEFAULT_RULES if k in conf})
    override = (conf.get("schemes") or {}).get(getattr(scheme, "name", ""), {})
    rules.update({k: override[k] for k in DEFAULT_RULES if k in override})
    return rules


def publisher_must_differ() -> bool:
    """True when the publisher must be another person than the reviewer (四眼原则)."""
    return bool(_conf().get("publisher_must_differ", False))


def rectification_days() -> int:
    return int(_conf().get("rectification_days", 10))


def remind_days() -> int:
    return int(_conf().get("remind_days", 2))


# --- the lists -------------------------------------------------------------------------------------


def _is_board(ss: ScoreSet) -> bool:
    return (
        ss.subject_kind == SubjectKind.WINDOW
        and ss.group.startswith("hall:")
        and ss.scheme.period_kind == PeriodKind.MONTH
    )


def hall_of(ss: ScoreSet) -> int:
    return int(ss.group.split(":", 1)[1])


def board_lists(score_set: ScoreSet, scores=None) -> dict[int, str | None]:
    """Which list each score is on. Windows without a total (no data) are on neither.

    Red: rank ≤ red_top (competition ranks: a tie at the edge takes every tied window in) or
    total ≥ red_at_least. Blue, among the windows not red: total ≤ the red_bottom-th lowest
    total (ties at the edge all in) or total < blue_below. A rule left None is not applied;
    0 switches the top/bottom part off."""
    rules = board_rules(score_set.scheme)
    scores = list(scores if scores is not None else score_set.scores.all())
    out: dict[int, str | None] = {s.pk: None for s in scores}
    ranked = [s for s in scores if s.total is not None]
    red_top, red_min = rules["red_top"], rules["red_at_least"]
    for s in ranked:
        if (red_top and s.rank is not None and s.rank <= int(red_top)) or (
            red_min is not None and float(s.total) >= float(red_min)
        ):
            out[s.pk] = RED
    rest = sorted((s for s in ranked if out[s.pk] is None), key=lambda s: float(s.total))
    bottom, below = rules["blue_bottom"], rules["blue_below"]
    edge = float(rest[int(bottom) - 1].total) if bottom and len(rest) >= int(bottom) else None
    if bottom and rest and edge is None:
        edge = float(rest[-1].total)  # fewer windows left than N: all of them
    for s in rest:
        if (edge is not None and float(s.total) <= edge) or (
            below is not None and float(s.total) < float(below)
        ):
            out[s.pk] = BLUE
    return out


def month_running(ss: ScoreSet, today: dt.date | None = None) -> bool:
    """This month's board is a preview until the month has ended: not reviewed or published yet."""
    return parse_period(ss.period).end > (today or timezone.localdate())


def _natural(label: str) -> tuple:
    """「2号窗口」 before 「10号窗口」: numbers inside a label compare as numbers."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", label))


def board_rows(score_set: ScoreSet) -> list[dict]:
    scores = list(score_set.scores.order_by("rank", "subject_label"))
    lists = board_lists(score_set, scores)
    rows = []
    prefix = score_set.group_label.strip()
    for s in sorted(scores, key=lambda s: (s.rank is None, s.rank or 0, _natural(s.subject_label))):
        rows.append(
            {
                "score": s,
                "window_id": s.subject_id,
                "window": s.subject_label,
                # on the hall's own page and screen the hall's name is said once, not per window
                "short": s.subject_label.removeprefix(prefix).strip() or s.subject_label,
                "total": s.total,
                "rank": s.rank,
                "list": lists[s.pk],
                "list_label": LIST_LABELS.get(lists[s.pk], ""),
            }
        )
    return rows


# --- scope -------------------------------------------------------------------------------------------


def all_boards():
    return ScoreSet.objects.filter(
        subject_kind=SubjectKind.WINDOW, group__startswith="hall:", scheme__period_kind=PeriodKind.MONTH
    ).select_related("scheme", "region")


def boards_in_scope(scope):
    """A hall manager: the boards of their hall; a supervisor or administrator with
    assessment.view: the boards of the halls in their regions; anyone else: none."""
    qs = all_boards()
    if scope is None or not scope.can("assessment.view"):
        return qs.none()
    if scope.role == org_api.Role.HALL_MANAGER:
        return qs.filter(group=f"hall:{scope.hall_id}") if scope.hall_id else qs.none()
    if scope.role in (org_api.Role.SUPERVISOR, org_api.Role.ADMINISTRATOR):
        return scope.filter(qs, region_field="region")
    return qs.none()


def can_decide(scope, ss: ScoreSet) -> bool:
    """Only the manager of the board's hall reviews and publishes it."""
    return (
        scope is not None
        and scope.role == org_api.Role.HALL_MANAGER
        and scope.can("assessment.view")
        and scope.hall_id is not None
        and ss.group == f"hall:{scope.hall_id}"
    )


_label = actor_label


def _event(ss, actor, action, before, after, *, rect=None, note=""):
    user = actor if getattr(actor, "is_authenticated", False) else None
    return BoardEvent.objects.create(
        score_set=ss,
        rectification=rect,
        action=action,
        from_status=before,
        to_status=after,
        note=note,
        actor=user,
        actor_label=_label(actor),
    )


def _locked_board(score_set) -> ScoreSet:
    pk = score_set.pk if isinstance(score_set, ScoreSet) else int(score_set)
    ss = ScoreSet.objects.select_for_update().get(pk=pk)
    if not _is_board(ss):
        raise ValidationError("这不是大厅窗口的月度红蓝榜。")
    return ss


def _check_decider(actor, ss: ScoreSet) -> None:
    scope = org_api.scope_for_user(actor)
    if not can_decide(scope, ss):
        raise PermissionDenied("只有本大厅的大厅管理人员可以审核和发布本大厅的红蓝榜。")


# --- the board's steps ----------------------------------------------------------------------------


@transaction.atomic
def board_review(*, actor, score_set, note: str = "") -> ScoreSet:
    """The hall manager has checked the draft against its facts: draft → reviewed. From now on
    the computation leaves the scores alone."""
    ss = _locked_board(score_set)
    _check_decider(actor, ss)
    if month_running(ss):
        raise ValidationError("本月尚未结束，红蓝榜须在月度结束后审核发布（当前为截至今日的草稿）。")
    before = ss.status
    ss.status = states.board_transition(ss.status, "review")
    ss.reviewed_by, ss.reviewed_at = actor, timezone.now()
    ss.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    note = (note or "").strip()[:TEXT_MAX]
    _event(ss, actor, "review", before, ss.status, note=note)
    audit_record(
        actor=actor,
        obj=ss,
        action="assessment.board.review",
        before={"status": before},
        after={"status": ss.status, "period": ss.period, "group": ss.group},
        reason=note,
    )
    return ss


@transaction.atomic
def board_publish(*, actor, score_set, on: dt.date | None = None) -> ScoreSet:
    """reviewed → published: the board becomes public (hall page, big screen, API) and every
    window on the blue list gets its rectification task."""
    ss = _locked_board(score_set)
    _check_decider(actor, ss)
    target = states.board_transition(ss.status, "publish")
    if publisher_must_differ() and ss.reviewed_by_id == getattr(actor, "pk", None):
        raise ValidationError("按本平台设置，红蓝榜须由审核人以外的大厅管理人员发布。")
    before = ss.status
    ss.status = target
    ss.published_by, ss.published_at = actor, timezone.now()
    ss.save(update_fields=["status", "published_by", "published_at"])
    _event(ss, actor, "publish", before, ss.status)
    opened = board_rectifications_open(ss, on=on)
    audit_record(
        actor=actor,
        obj=ss,
        action="assessment.board.publish",
        before={"status": before},
        after={"status": ss.status, "period": ss.period, "blue_tasks": [r.pk for r in opened]},
    )
    return ss


def board_rectifications_open(ss: ScoreSet, *, on: dt.date | None = None) -> list[BoardRectification]:
    """One task per blue window of a published board; a second call opens nothing new."""
    if ss.status != B.PUBLISHED:
        raise ValidationError("只有已发布的红蓝榜才派发蓝榜整改。")
    today = on or timezone.localdate()
    lists = board_lists(ss)
    hall_id = hall_of(ss)
    out = []
    for score in Score.objects.filter(pk__in=[pk for pk, lst in lists.items() if lst == BLUE]):
        existing = BoardRectification.objects.filter(score_set=ss, window_id=score.subject_id).first()
        if existing is not None:
            out.append(existing)
            continue
        try:
            with transaction.atomic():
                rect = BoardRectification.objects.create(
                    score_set=ss,
                    score=score,
                    window_id=score.subject_id,
                    window_label=score.subject_label,
                    hall_id=hall_id,
                    region_id=ss.region_id,
                    period=ss.period,
                    opened_on=today,
                    due_on=add_workdays(today, rectification_days()),
                )
        except IntegrityError:  # opened by a concurrent call
            out.append(BoardRectification.objects.get(score_set=ss, window_id=score.subject_id))
            continue
        _event(ss, "红蓝榜发布", "open", "", rect.status, rect=rect, note=f"整改期限 {rect.due_on:%Y-%m-%d}")
        audit_record(
            actor="红蓝榜发布",
            obj=rect,
            action="assessment.board_rectification.open",
            after={"window": rect.window_id, "period": rect.period, "due_on": rect.due_on.isoformat()},
        )
        for uid in org_api.staff_user_ids([org_api.Role.HALL_MANAGER], hall_id=hall_id):
            message_send(
                recipient=uid,
                channel=SITE,
                title="蓝榜窗口整改任务",
                text=f"{rect.window_label}列入{ss.period}红蓝榜蓝榜，请于{rect.due_on:%Y-%m-%d}前填报整改措施。",
                link=f"/assessment/boards/tasks/{rect.pk}/",
                dedupe_key=f"board-rect:{rect.pk}:open:{uid}",
            )
        out.append(rect)
    return out


def published_board(hall_id: int, period: str | None = None) -> ScoreSet | None:
    """The published board of a hall for a month (``None`` period: the latest published one).
    Several monthly window schemes: the one with the lowest id."""
    qs = all_boards().filter(group=f"hall:{hall_id}", status=B.PUBLISHED)
    if period:
        qs = qs.filter(period=period)
    return qs.order_by("-period", "scheme_id").first()


# --- the blue list's rectification -----------------------------------------------------------


def rectifications_in_scope(scope):
    qs = BoardRectification.objects.select_related("score_set", "score_set__scheme")
    if scope is None or not scope.can("assessment.view"):
        return qs.none()
    if scope.role == org_api.Role.HALL_MANAGER:
        return qs.filter(hall_id=scope.hall_id) if scope.hall_id else qs.none()
    if scope.role in (org_api.Role.SUPERVISOR, org_api.Role.ADMINISTRATOR):
        return scope.filter(qs, region_field="region")
    return qs.none()


def countdown(rect: BoardRectification, today: dt.date | None = None) -> Countdown | None:
    """The working-day countdown to the deadline (core.calendar's); None once rectified."""
    if rect.status != R.OPEN:
        return None
    return calendar_countdown(rect.due_on, today or timezone.localdate())


def _locked_rect(rect) -> BoardRectification:
    pk = rect.pk if isinstance(rect, BoardRectification) else int(rect)
    return BoardRectification.objects.select_for_update().select_related("score_set").get(pk=pk)


def _move(rect, actor, action, note="", **fields):
    before = rect.status
    rect.status = states.rect_transition(rect.status, action)
    for k, v in fields.items():
        setattr(rect, k, v)
    rect.save(update_fields=["status", *fields])
    _event(rect.score_set, actor, action, before, rect.status, rect=rect, note=note)
    audit_record(
        actor=actor,
        obj=rect,
        action=f"assessment.board_rectification.{action}",
        before={"status": before},
        after={"status": rect.status},
        reason=note[:300],
    )
    return rect


def _text(value, field, label, required=True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: f"请填写{label}。"})
    if len(value) > TEXT_MAX:
        raise ValidationError({field: f"{label}不得超过{TEXT_MAX}字。"})
    return value


@transaction.atomic
def rectification_measures(*, actor, rectification, measures: str, on: dt.date | None = None):
    """The hall's manager records what was done: open → rectified; on time if by the deadline."""
    rect = _locked_rect(rectification)
    scope = org_api.scope_for_user(actor)
    if not (scope and scope.role == org_api.Role.HALL_MANAGER and scope.hall_id == rect.hall_id):
        raise PermissionDenied("只有该窗口所在大厅的大厅管理人员可以填报整改措施。")
    states.rect_transition(rect.status, "measures")
    measures = _text(measures, "measures", "整改措施")
    today = on or timezone.localdate()
    return _move(
        rect,
        actor,
        "measures",
        note=measures,
        measures=measures,
        rectified_at=timezone.now(),
        on_time=today <= rect.due_on,
    )


def _check_supervisor(actor, rect) -> None:
    scope = org_api.scope_for_user(actor)
    if not (scope and scope.can("assessment.manage") and scope.allows(rect.region_id)):
        raise PermissionDenied("只有本区域的督查人员可以确认或退回蓝榜整改。")


@transaction.atomic
def rectification_close(*, actor, rectification, note: str = ""):
    """A supervisor accepts the measures: rectified → closed."""
    rect = _locked_rect(rectification)
    _check_supervisor(actor, rect)
    states.rect_transition(rect.status, "close")
    return _move(
        rect,
        actor,
        "close",
        note=_text(note, "note", "意见", required=False) or "确认办结",
        closed_at=timezone.now(),
    )


@transaction.atomic
def rectification_return(*, actor, rectification, note: str):
    """A supervisor finds the measures insufficient: rectified → open (the deadline stands)."""
    rect = _locked_rect(rectification)
    _check_supervisor(actor, rect)
    states.rect_transition(rect.status, "return")
    return _move(rect, actor, "return", note=_text(note, "note", "退回理由"), on_time=None)


def board_rectification_sweep(today: dt.date | None = None) -> dict:
    """Daily: remind the hall's managers of open tasks due within remind_days working days
    (once per task), and tell the region's supervisors of overdue ones (once per task)."""
    today = today or timezone.localdate()
    reminded = escalated = 0
    for rect in BoardRectification.objects.filter(status=R.OPEN):
        left = workdays_between(today, rect.due_on)
        with transaction.atomic():
            rect = _locked_rect(rect)
            if rect.status != R.OPEN:
                continue
            if left < 0 and rect.escalated_on is None:
                rect.escalated_on = today
                rect.save(update_fields=["escalated_on"])
                _event(
                    rect.score_set,
                    "系统",
                    "escalate",
                    rect.status,
                    rect.status,
                    rect=rect,
                    note=f"已超过整改期限 {rect.due_on:%Y-%m-%d}",
                )
                audit_record(
                    actor="系统",
                    obj=rect,
                    action="assessment.board_rectification.escalate",
                    after={"escalated_on": today.isoformat()},
                )
                for uid in org_api.staff_user_ids(
                    [org_api.Role.SUPERVISOR], covering_region_id=rect.region_id
                ):
                    message_send(
                        recipient=uid,
                        channel=SITE,
                        title="蓝榜整改超期",
                        text=f"{rect.window_label}（{rect.period}蓝榜）整改已超期。",
                        link=f"/assessment/boards/tasks/{rect.pk}/",
                        dedupe_key=f"board-rect:{rect.pk}:escalate:{uid}",
                    )
                escalated += 1
            elif 0 <= left <= remind_days() and rect.reminded_on is None:
                rect.reminded_on = today
                rect.save(update_fields=["reminded_on"])
                _event(
                    rect.score_set,
                    "系统",
                    "remind",
                    rect.status,
                    rect.status,
                    rect=rect,
                    note=f"距整改期限还有{left}个工作日",
                )
                audit_record(
                    actor="系统",
                    obj=rect,
                    action="assessment.board_rectification.remind",
                    after={"reminded_on": today.isoformat()},
                )
                for uid in org_api.staff_user_ids([org_api.Role.HALL_MANAGER], hall_id=rect.hall_id):
                    message_send(
                        recipient=uid,
                        channel=SITE,
                        title="蓝榜整改即将到期",
                        text=f"{rect.window_label}的蓝榜整改将于{rect.due_on:%Y-%m-%d}到期。",
                        link=f"/assessment/boards/tasks/{rect.pk}/",
                        dedupe_key=f"board-rect:{rect.pk}:remind:{uid}",
                    )
                reminded += 1
    return {"reminded": reminded, "escalated": escalated}
