"""12345 回访: the daily callback plan, the scripted questionnaire and its scores, the outcome of
each call, and what a dissatisfied answer sets off.

The plan (``callback_plan``, a step of ``manage.py evaluation_sweep``) runs on working days. It
takes the cases delivered or concluded since the previous working day (cases_finished_between),
groups them by department and item, and in each group picks ``ceil(rate × n)`` cases in the order
of a hash of their case number (deterministic: a rerun picks the same ones, and the unique
constraint per case and round keeps it from adding any); every case with a bad current rating
is planned as well. A case finished again after a re-handling (重办) is in a new round: it is
called back again whatever the draw, to hear whether the re-handling put it right. The rate is BANHAO_CALLBACK_RATE, overridden per department (by name or id) in
BANHAO_CALLBACK_DEPARTMENT_RATES. A callback is due BANHAO_CALLBACK_DAYS working days after the
case finished (the day after completion, domain.md §5).

A call is recorded with ``callback_record``: reached (the questionnaire answered), not reached
(无人接听, 占线, 号码有误: after BANHAO_CALLBACK_MAX_TRIES tries the callback closes as 无法联系),
or refused. When reached: each answer scores by SCORING (data, not code); a case nobody rated gets
the satisfaction answer as its phone rating (``rating_record_phone``: real name, like every other
channel, so a bad one opens a rectification); an answer of 不满意 or 非常不满意 sends the case back
for re-handling (cases.api.case_act "rehandle") with BANHAO_CALLBACK_REHANDLE_DAYS working days.
"Not done in one go", extra materials and several visits lower the score and show on the
supervisor's figures, but do not by themselves reopen a case the applicant is satisfied with:
re-handling redoes the decision, and that is what a dissatisfied applicant asks for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from banhao.cases import api as cases_api
from banhao.core.audit import actor_label, audit_record
from banhao.core.calendar import add_workdays, is_workday

from .api import RatingInfo, _info
from .models import BAD_LEVELS, Level, Rating
from .models_hotline import Callback, CallbackAttempt

# --- the questionnaire and its scores (data) -----------------------------------------------------


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    options: tuple[tuple[str, str, int], ...]  # (value, label, score)

    def option(self, value: str) -> tuple[str, str, int] | None:
        return next((o for o in self.options if o[0] == value), None)


QUESTIONNAIRE: tuple[Question, ...] = (
    Question(
        "once",
        "您好，这里是12345热线。您办理的事项一次办好了吗？",
        (("yes", "一次办好", 25), ("no", "没有一次办好", 0)),
    ),
    Question(
        "visits",
        "办理过程中您到现场跑了几次？",
        (("0", "没有跑（全程网办或邮寄）", 25), ("1", "1次", 25), ("2", "2次", 10), ("3", "3次及以上", 0)),
    ),
    Question("extra", "是否被要求提交办事指南清单以外的材料？", (("no", "没有", 25), ("yes", "有", 0))),
    Question(
        "satisfaction",
        "您对本次办理满意吗？",
        tuple(
            (str(int(v)), str(label), score)
            for (v, label), score in zip(Level.choices, (25, 20, 15, 5, 0), strict=False)
        ),
    ),
)
QUESTIONS = {q.key: q for q in QUESTIONNAIRE}
SCORE_MAX = sum(max(o[2] for o in q.options) for q in QUESTIONNAIRE)
NOTE_MAX = 500


def _setting(name: str, default):
    return getattr(settings, name, default)


def max_tries() -> int:
    return max(1, int(_setting("BANHAO_CALLBACK_MAX_TRIES", 3)))


def rate_for(department_id: int, department: str) -> float:
    overrides = _setting("BANHAO_CALLBACK_DEPARTMENT_RATES", {}) or {}
    rate = overrides.get(department, overrides.get(str(department_id), overrides.get(department_id)))
    if rate is None:
        rate = _setting("BANHAO_CALLBACK_RATE", 0.1)
    return min(1.0, max(0.0, float(rate)))


# --- the plan -------------------------------------------------------------------------------------


def _draw(number: str) -> str:
    """The case's place in the draw: a hash of its number (the same on every run)."""
    return hashlib.sha256(number.encode("utf-8")).hexdigest()


def _bad_rated(case_ids: list[int]) -> set[int]:
    return set(
        Rating.objects.filter(case_id__in=case_ids, current=True, level__in=BAD_LEVELS).values_list(
            "case_id", flat=True
        )
    )


def callback_plan(today: dt.date | None = None) -> int:
    """Plans the callbacks of the cases finished since the previous working day; returns how many
    were added (0 on a rest day: the next working day's run covers it)."""
    today = today or timezone.localdate()
    if not is_workday(today):
        return 0
    since = add_workdays(today, -1)
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(since, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(today, dt.time.min, tzinfo=tz)
    finished = cases_api.cases_finished_between(start, end, limit=50000)
    bad = _bad_rated([f.id for f in finished])
    groups: dict[tuple[int, str], list] = defaultdict(list)
    for facts in finished:
        groups[(facts.department_id, facts.item)].append(facts)
    chosen: list[tuple[object, str]] = []
    for (department_id, _item), members in groups.items():
        rate = rate_for(department_id, members[0].department)
        wanted = math.ceil(rate * len(members)) if rate > 0 else 0
        ordered = sorted(members, key=lambda f: _draw(f.number))
        picked = {f.id for f in ordered[:wanted]}
        for f in members:
            if f.rehandle_count and f.id not in bad:
                chosen.append((f, Callback.Reason.REHANDLED))
            elif f.id in bad:
                chosen.append((f, Callback.Reason.BAD_RATING))
            elif f.id in picked:
                chosen.append((f, Callback.Reason.SAMPLED))
    days = int(_setting("BANHAO_CALLBACK_DAYS", 1))
    added = 0
    for facts, reason in chosen:
        finished_at = facts.delivered_at or facts.concluded_at
        finished_on = timezone.localtime(finished_at).date() if finished_at else since
        try:
            with transaction.atomic():
                Callback.objects.create(
                    case_id=facts.id,
                    case_number=facts.number,
                    round=facts.rehandle_count,
                    item=facts.item[:300],
                    department_id=facts.department_id,
                    region_id=facts.region_id,
                    phone=facts.contact_phone,
                    reason=reason,
                    finished_on=finished_on,
                    planned_on=today,
                    due_on=max(today, add_workdays(finished_on, days)),
                )
        except IntegrityError:  # planned already (a rerun, or an earlier day's plan)
            continue
        added += 1
    return added


# --- the questionnaire ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Answers:
    values: dict[str, str]
    scores: dict[str, int]
    score: int
    level: int
    extra_note: str


def callback_answers_check(data) -> Answers:
    """The questionnaire's answers and scores, or ValidationError keyed by question (Chinese)."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    scores: dict[str, int] = {}
    for q in QUESTIONNAIRE:
        raw = str((data or {}).get(q.key) or "").strip()
        option = q.option(raw)
        if option is None:
            errors[q.key] = f"请选择“{q.text.split('。')[-1]}”的回答。"
            continue
        values[q.key] = raw
        scores[q.key] = option[2]
    extra_note = str((data or {}).get("extra_note") or "").strip()
    if values.get("extra") == "yes" and not extra_note:
        errors["extra_note"] = "请记录被要求提交的清单以外材料。"
    if len(extra_note) > NOTE_MAX:
        errors["extra_note"] = f"材料说明不能超过{NOTE_MAX}字。"
    if values.get("once") == "yes" and values.get("visits") in ("2", "3"):
        errors["visits"] = "回答“一次办好”时，到现场次数不应超过1次，请与来电人核实。"
    if errors:
        raise ValidationError(errors)
    return Answers(values, scores, sum(scores.values()), int(values["satisfaction"]), extra_note)


# --- the phone rating -------------------------------------------------------------------------------


@transaction.atomic
def rating_record_phone(*, case_id: int, level, actor, reasons=None, comment: str = "") -> RatingInfo:
    """The case's rating taken by phone (12345 callback): channel phone, real name (the hotline
    called the applicant's own number), the same checks as every channel (a bad level needs a
    listed reason and a description); a bad one opens its rectification as the others do.
    Raises ValidationError, or ratings.AlreadyRated when the case has a rating."""
    from .ratings import AlreadyRated, _after_record, rating_check

    facts = cases_api.case_rating_facts(case_id)
    if facts is None:
        raise ValidationError({"case": "办件不存在。"})
    if Rating.objects.filter(case_id=case_id, current=True).exists():
        raise AlreadyRated()
    data = rating_check(channel=Rating.Channel.PHONE, level=level, reasons=reasons, comment=comment)
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                channel=Rating.Channel.PHONE,
                level=data.level,
                reasons=data.reasons,
                comment=data.comment,
                case_id=case_id,
                department_id=facts.department_id,
                region_id=facts.region_id,
                rater_person_id=facts.person_id,
                rater_phone=facts.contact_phone,
                real_name=True,
            )
    except IntegrityError:
        raise AlreadyRated() from None
    rating.cases.set([case_id])
    audit_record(
        actor=actor,
        obj=rating,
        action="evaluation.rate",
        after={"level": data.level, "channel": Rating.Channel.PHONE, "case": facts.number},
    )
    _after_record(rating, facts)
    return _info(rating)


# --- recording a call -------------------------------------------------------------------------------


_label = actor_label


def callbacks_for_scope(scope):
    """The callbacks of the scope's regions (and, for a department role, its department)."""
    return scope.filter(Callback.objects.all(), region_field="region", department_field="department")


@transaction.atomic
def callback_record(
    *,
    callback_id: int,
    actor,
    outcome: str,
    note: str = "",
    answers=None,
    reasons=None,
    comment: str = "",
) -> Callback:
    """Records one call of a pending callback. ``outcome`` is a CallbackAttempt.Outcome; when
    reached, ``answers`` holds the questionnaire (and, for a bad satisfaction answer on a case
    nobody rated, ``reasons`` from BAD_REASONS and ``comment``, as any bad rating needs)."""
    callback = Callback.objects.select_for_update().filter(pk=callback_id).first()
    if callback is None:
        raise ValidationError("回访任务不存在。")
    if callback.status != Callback.Status.PENDING:
        raise ValidationError(f"该回访已结束（{callback.get_status_display()}），不能再记录。")
    if outcome not in CallbackAttempt.Outcome.values:
        raise ValidationError({"outcome": "请选择本次拨打的结果。"})
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"说明不能超过{NOTE_MAX}字。"})
    before = callback.status
    user = actor if getattr(actor, "is_authenticated", False) else None
    CallbackAttempt.objects.create(
        callback=callback, outcome=outcome, note=note, actor=user, actor_label=_label(actor)
    )
    callback.tries += 1
    if outcome == CallbackAttempt.Outcome.REACHED:
        _reached(callback, actor, answers, reasons, comment)
    elif outcome == CallbackAttempt.Outcome.REFUSED:
        callback.status = Callback.Status.REFUSED
    elif callback.tries >= max_tries():
        callback.status = Callback.Status.UNREACHABLE
    if callback.status != Callback.Status.PENDING:
        callback.closed_at = timezone.now()
        callback.closed_by = user
    callback.save()
    audit_record(
        actor=actor,
        obj=callback,
        action="evaluation.callback",
        before={"status": before},
        after={
            "status": callback.status,
            "outcome": outcome,
            "tries": callback.tries,
            "score": callback.score,
            "rehandled": callback.rehandled,
        },
        reason=note,
    )
    return callback


def _reached(callback: Callback, actor, answers, reasons, comment: str) -> None:
    from .ratings import AlreadyRated

    checked = callback_answers_check(answers)
    callback.status = Callback.Status.REACHED
    callback.answers = {
        **checked.values,
        **({"extra_note": checked.extra_note} if checked.extra_note else {}),
    }
    callback.scores = checked.scores
    callback.score = checked.score
    callback.level = checked.level
    comment = (comment or "").strip()
    if not Rating.objects.filter(case_id=callback.case_id, current=True).exists():
        try:
            info = rating_record_phone(
                case_id=callback.case_id, level=checked.level, actor=actor, reasons=reasons, comment=comment
            )
        except AlreadyRated:  # rated on another channel a moment ago: that rating stands
            info = None
        if info is not None:
            callback.rating_id = info.id
    if checked.level in BAD_LEVELS:
        facts = cases_api.case_rating_facts(callback.case_id)
        if facts is not None and facts.status in ("delivered", "concluded"):
            label = Level(checked.level).label
            reason = f"12345回访：申请人表示{label}" + (f"，{comment}" if comment else "")
            cases_api.case_act(
                callback.case_id,
                "rehandle",
                actor,
                reason=reason[:500],
                days=int(_setting("BANHAO_CALLBACK_REHANDLE_DAYS", 5)),
            )
            callback.rehandled = True


@transaction.atomic
def callback_phone_reveal(*, callback: Callback, actor, reason: str = "") -> str:
    """Records that ``actor`` saw the whole phone number of a callback and returns it (the caller
    checked the callback is in the actor's scope and the role may reveal)."""
    reason = " ".join((reason or "").split())[:200]
    audit_record(
        actor=actor,
        obj=callback,
        action="evaluation.callback_reveal_phone",
        after={"shown": "phone", "case": callback.case_number},
        reason=reason,
    )
    return callback.phone
