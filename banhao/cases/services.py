"""Writes to cases. Every status change goes through states.transition and writes a CaseEvent;
every date comes from clock.due_date."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from banhao.core.audit import actor_label
from banhao.core.calendar import add_workdays

from . import clock, states, workflow
from .models import STATUS_GROUPS, Case, CaseEvent, CaseNumberSequence, Pause, Status, Warning

_label = actor_label


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _event(
    case: Case, actor, action: str, *, before: str = "", note: str = "", data: dict | None = None
) -> CaseEvent:
    """Records one step and, in the same transaction, writes what the applicant is told (a site
    message and an SMS) to notify's outbox: the step and its messages commit together."""
    from .messages import case_event_notify

    event = CaseEvent.objects.create(
        case=case,
        actor=_user(actor),
        actor_label=_label(actor),
        action=action,
        from_status=before,
        to_status=case.status if before else "",
        note=note,
        data=data or {},
    )
    case_event_notify(case, event)
    return event


def _locked(case: Case) -> Case:
    """The case's row, locked until the transaction ends (case_act hands in a row it has
    already locked in this transaction: it is not read twice)."""
    if (
        getattr(case, "_locked_in", None) is transaction.get_connection().connection
        and transaction.get_connection().in_atomic_block
    ):
        return case
    return Case.objects.select_for_update().get(pk=case.pk)


def _move(case: Case, actor, action: str, *, note: str = "", data: dict | None = None, **changes) -> Case:
    before = case.status
    case.status = states.transition(before, action)
    for field, value in changes.items():
        setattr(case, field, value)
    case.save()
    _event(case, actor, action, before=before, note=note, data=data)
    return case


# --- numbering ---------------------------------------------------------------------------


def counter_next(key: str, day: dt.date) -> int:
    """The next value of a daily counter (case numbers per region, group numbers): the one
    counter-row helper of cases.

    The row is created once per key and day and incremented with an UPDATE … SET last = last + 1
    under a row lock held until the caller's transaction ends, so concurrent callers never share
    a value (and two submissions in one region queue here).
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                CaseNumberSequence.objects.get_or_create(region_code=key, day=day)
        except IntegrityError:  # another transaction created it first
            pass
        seq = CaseNumberSequence.objects.select_for_update().get(region_code=key, day=day)
        CaseNumberSequence.objects.filter(pk=seq.pk).update(last=F("last") + 1)
        seq.refresh_from_db(fields=["last"])
    return seq.last


def case_number_next(region_code: str, day: dt.date) -> str:
    """`<division code>-<yyyymmdd>-<5-digit sequence>`, e.g. 371302-20261124-00012."""
    return f"{region_code}-{day:%Y%m%d}-{counter_next(region_code, day):05d}"


def group_number_next(region_code: str, day: dt.date) -> str:
    """A case group's number: `<division code>-<yyyymmdd>-G<4-digit sequence>`."""
    return f"{region_code}-{day:%Y%m%d}-G{counter_next('G' + region_code, day):04d}"


def case_opened(actor, idempotency_key: str) -> Case | None:
    """The case this opener already made with this key (the one idempotency rule of cases:
    a key is unique per account that opens cases, whatever the channel)."""
    user = _user(actor)
    if not idempotency_key or user is None:
        return None
    return Case.objects.filter(opened_by=user, idempotency_key=idempotency_key).first()


# --- submission and acceptance ---------------------------------------------------------------


@transaction.atomic
def case_create(
    *,
    actor,
    implementation,
    version,
    region_id: int,
    region_code: str,
    department_id: int,
    person_id: int,
    organization_id: int | None = None,
    contact_phone: str,
    form_data: dict[str, Any],
    situations: dict[str, Any] | None = None,
    channel: str = Case.Channel.ONLINE,
    idempotency_key: str = "",
    applicant_user=None,
    group_id: int | None = None,
    known_new: bool = False,
) -> tuple[Case, bool]:
    """Creates a submitted case; returns (case, created). The same idempotency key from the same
    opener returns the case already made (a double click or a retry creates one case).
    ``applicant_user`` is the applicant's account (online: the actor unless given); ``known_new``:
    the caller has just looked the key up (a race still ends in the unique constraint)."""
    if applicant_user is None and channel == Case.Channel.ONLINE:
        applicant_user = _user(actor)
    user = _user(actor)
    existing = None if known_new else case_opened(actor, idempotency_key)
    if existing is not None:
        return existing, False
    case = Case(
        number=case_number_next(region_code, timezone.localdate()),
        implementation=implementation,
        version=version,
        region_id=region_id,
        department_id=department_id,
        channel=channel,
        applicant_user=applicant_user,
        opened_by=user,
        group_id=group_id,
        person_id=person_id,
        organization_id=organization_id,
        contact_phone=contact_phone,
        form_data=form_data,
        situations=situations or {},
        idempotency_key=idempotency_key,
        promised_limit=version.promised_days,
        statutory_limit=version.statutory_days,
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:  # the same key at the same moment: the other transaction made it
        existing = case_opened(actor, idempotency_key)
        if existing is None:
            raise
        return existing, False
    _event(case, actor, "submit", note=f"通过{case.get_channel_display()}提交")
    return case, True


def _warn_on(due: dt.date, limit: int) -> dt.date | None:
    """The day a case turns yellow: when at most the configured share of its limit is left."""
    if not limit:
        return None
    fraction = getattr(settings, "BANHAO_WARNING_FRACTION", 0.2)
    left = max(1, math.floor(limit * fraction))
    return add_workdays(due, -left)


def _redate(case: Case) -> None:
    """Recomputes the due dates from the clock start and the closed pauses (clock.due_date).

    A re-handled case (重办) runs on its re-handling clock: ``rehandle_days`` working days after
    ``rehandle_on``, moved by the pauses after that day; the statutory date stays the first
    handling's (the law's limit is not renewed by a callback)."""
    pauses = [(p.started_on, p.ended_on) for p in case.pauses.filter(ended_on__isnull=False)]
    if case.rehandle_on is not None:
        case.rehandle_due = clock.due_date(case.rehandle_on, case.rehandle_days or 0, pauses)
        case.promised_due = case.rehandle_due
        case.warn_on = _warn_on(case.promised_due, case.rehandle_days or 0)
        return
    case.promised_due = clock.due_date(case.clock_start, case.promised_limit or 0, pauses)
    case.statutory_due = (
        clock.due_date(case.clock_start, case.statutory_limit, pauses)
        if case.statutory_limit is not None
        else None
    )
    case.warn_on = _warn_on(case.promised_due, case.promised_limit or 0)


@transaction.atomic
def case_accept(*, actor, case: Case, on: dt.date | None = None) -> Case:
    """Accepts: the clock starts the day after acceptance, or after the day the complete
    materials arrived when a correction was needed (domain.md §2)."""
    case = _locked(case)
    on = on or timezone.localdate()
    case.accepted_on = on
    case.clock_start = case.materials_completed_on or on
    _redate(case)
    case.warning = Warning.NONE
    # acceptance completes the process's 受理 step (and the applicant's 申请 before it)
    case.step_index = max(case.step_index, workflow.plan_for(case.version.steps).after_acceptance)
    return _move(case, actor, "accept", data={"promised_due": case.promised_due.isoformat()})


@transaction.atomic
def case_request_correction(*, actor, case: Case, items: list[dict[str, str]], note: str = "") -> Case:
    """一次性告知: ONE notice listing every missing or defective material, each with the reason."""
    case = _locked(case)
    cleaned = [
        {"material": (i.get("material") or "").strip(), "reason": (i.get("reason") or "").strip()}
        for i in items
    ]
    cleaned = [i for i in cleaned if i["material"]]
    if not cleaned:
        raise ValidationError("一次性告知至少列出一项需补正的材料。")
    if any(not i["reason"] for i in cleaned):
        raise ValidationError("每项需补正的材料都要写明原因。")
    for item in cleaned:
        case.materials.filter(name=item["material"]).update(state="defective", defect=item["reason"])
    return _move(case, actor, "request_correction", note=note, data={"items": cleaned})


@transaction.atomic
def case_resubmit(*, actor, case: Case, on: dt.date | None = None) -> Case:
    """The applicant supplied everything the notice listed: the day they arrived restarts the count."""
    case = _locked(case)
    return _move(case, actor, "resubmit", materials_completed_on=on or timezone.localdate())


@transaction.atomic
def case_refuse(*, actor, case: Case, reason: str, competent_office: str = "") -> Case:
    if not reason.strip():
        raise ValidationError("不予受理必须说明理由。")
    case = _locked(case)
    return _move(
        case,
        actor,
        "refuse",
        note=reason,
        refusal_reason=reason.strip(),
        competent_office=competent_office.strip(),
    )


@transaction.atomic
def case_withdraw(*, actor, case: Case, reason: str = "") -> Case:
    case = _locked(case)
    if getattr(actor, "is_authenticated", False) and case.applicant_user_id not in (None, actor.pk):
        raise ValidationError("只有申请人本人可以撤回申请。")
    return _move(case, actor, "withdraw", note=reason)


# --- review ------------------------------------------------------------------------------------


@transaction.atomic
def case_claim(*, actor, case: Case) -> Case:
    """A reviewer takes the case; accepted cases start their review."""
    case = _locked(case)
    if case.assignee_id and case.assignee_id != actor.pk:
        raise ValidationError("该办件已由其他人员认领。")
    case.assignee = actor
    if case.status == Status.ACCEPTED:
        return _move(case, actor, "start_review")
    case.save(update_fields=["assignee", "updated_at"])
    _event(case, actor, "claim")
    return case


@transaction.atomic
def case_assign(*, actor, case: Case, assignee) -> Case:
    case = _locked(case)
    case.assignee = assignee
    case.save(update_fields=["assignee", "updated_at"])
    _event(case, actor, "assign", note=f"分派给{_label(assignee)}")
    return case


@transaction.atomic
def case_record_opinion(*, actor, case: Case, opinion: str, complete_step: bool = False) -> Case:
    if not opinion.strip():
        raise ValidationError("请填写审查意见。")
    case = _locked(case)
    if case.status != Status.UNDER_REVIEW:
        raise ValidationError("只有审查中的办件可以填写审查意见。")
    plan = workflow.plan_for(case.version.steps)
    current = plan.step(case.step_index)
    step = current.name if current else ""
    if complete_step:
        if current is None or case.step_index >= len(plan.steps) - 1:
            raise ValidationError("该事项的办理流程没有下一个环节。")
        case.step_index += 1
        case.save(update_fields=["step_index", "updated_at"])
    data = {"step": step, "step_index": current.index if current else None}
    if complete_step:
        data["completed"] = True
    _event(case, actor, "opinion", note=opinion.strip(), data=data)
    return case


@transaction.atomic
def case_suspend(
    *, actor, case: Case, kind: str, reason: str, expected_days: int, on: dt.date | None = None
) -> Case:
    """A special procedure stops the clock from ``on`` (inclusive)."""
    if kind not in Pause.Kind.values:
        raise ValidationError("请选择特别程序的种类。")
    if not reason.strip():
        raise ValidationError("请说明进入特别程序的原因。")
    if expected_days < 1:
        raise ValidationError("请填写特别程序的预计时长（工作日）。")
    case = _locked(case)
    on = on or timezone.localdate()
    Pause.objects.create(
        case=case, kind=kind, reason=reason.strip(), started_on=on, expected_days=expected_days
    )
    return _move(
        case,
        actor,
        "suspend",
        note=reason,
        data={"kind": kind, "expected_days": expected_days, "started_on": on.isoformat()},
    )


@transaction.atomic
def case_resume(*, actor, case: Case, on: dt.date | None = None) -> Case:
    """The procedure ended; the clock runs again from ``on``: the pause covers the days before it."""
    case = _locked(case)
    on = on or timezone.localdate()
    pause = case.pauses.select_for_update().get(ended_on__isnull=True)
    if on < pause.started_on:
        raise ValidationError("特别程序的结束日期不能早于开始日期。")
    pause.ended_on = on - dt.timedelta(days=1)
    if pause.ended_on < pause.started_on:  # resumed the day it began: nothing paused
        pause.ended_on = pause.started_on
        pause.delete()
    else:
        pause.save()
    _redate(case)
    case.warning = Warning.NONE
    return _move(case, actor, "resume", data={"promised_due": case.promised_due.isoformat()})


@transaction.atomic
def case_decide(*, actor, case: Case, approved: bool, reason: str) -> Case:
    """准予 or 不予许可; a denial must give its reasons (and the notice states the remedies)."""
    case = _locked(case)
    if not approved and not reason.strip():
        raise ValidationError("不予许可必须说明理由。")
    plan = workflow.plan_for(case.version.steps)
    if plan.decision is not None:  # the decision completes the decision step
        case.step_index = min(max(case.step_index, plan.decision + 1), max(len(plan.steps) - 1, 0))
    return _move(
        case,
        actor,
        "approve" if approved else "deny",
        note=reason,
        decision_reason=reason.strip(),
        decided_at=timezone.now(),
    )


@transaction.atomic
def case_result_ready(*, actor, case: Case) -> Case:
    """制证/出具结果. An approved case whose item yields an e-licence issues and signs it here, in
    the same transaction: the result is never ready without its licence."""
    case = _locked(case)
    approved = case.status == Status.APPROVED
    case = _move(case, actor, "result_ready")
    if approved:
        from banhao.licences import api as licences_api

        issued = licences_api.licence_issue_for_case(case=_licence_facts(case), actor=actor)
        if issued:
            _event(
                case,
                actor,
                "licence_issued",
                note="、".join(f"《{x.name}》" for x in issued),
                data={"licences": [x.identifier for x in issued]},
            )
    return case


def _licence_facts(case: Case):
    from banhao.licences import api as licences_api

    return licences_api.CaseFacts(
        case_id=case.pk,
        number=case.number,
        standard_item_id=case.version.item_id,
        department_id=case.department_id,
        region_id=case.region_id,
        person_id=case.person_id,
        organization_id=case.organization_id,
        form_data=case.form_data or {},
        division_code=case.region.code,
    )


@transaction.atomic
def case_deliver(*, actor, case: Case, method: str, tracking_number: str = "") -> Case:
    if method not in Case.Delivery.values:
        raise ValidationError("请选择送达方式。")
    if method == Case.Delivery.POST and not tracking_number.strip():
        raise ValidationError("邮寄送达请填写快递单号。")
    return _move(
        _locked(case),
        actor,
        "deliver",
        delivery_method=method,
        tracking_number=tracking_number.strip(),
        delivered_at=timezone.now(),
    )


@transaction.atomic
def case_conclude(*, actor, case: Case) -> Case:
    return _move(_locked(case), actor, "conclude", concluded_at=timezone.now())


REHANDLE_DAYS_MAX = 60


@transaction.atomic
def case_rehandle(*, actor, case: Case, reason: str, days: int, on: dt.date | None = None) -> Case:
    """重办: a delivered or concluded case goes back to review (a dissatisfied 12345 callback).

    The re-handling is due ``days`` working days after ``on`` (today; the day itself does not
    count, as with acceptance). ``promised_due`` becomes that date, so the inbox countdown, the
    warnings and the overdue escalation follow the re-handling; the first handling's promise
    stays in ``first_promised_due`` (kept from the first re-handling on). The decision is taken
    again: the case returns to its decision step, with the reviewer who had it."""
    case = _locked(case)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": ["请写明重办原因。"]})
    if not 1 <= int(days) <= REHANDLE_DAYS_MAX:
        raise ValidationError({"days": [f"重办时限应为1到{REHANDLE_DAYS_MAX}个工作日。"]})
    on = on or timezone.localdate()
    if case.rehandle_count == 0:
        case.first_promised_due = case.promised_due
    case.rehandle_count += 1
    case.rehandle_on = on
    case.rehandle_days = int(days)
    case.rehandle_reason = reason[:500]
    _redate(case)
    case.warning = Warning.NONE
    case.warning_checked_on = None
    case.escalated_at = None
    plan = workflow.plan_for(case.version.steps)
    if plan.decision is not None:
        case.step_index = plan.decision
    return _move(
        case,
        actor,
        "rehandle",
        note=case.rehandle_reason,
        data={
            "rehandle_due": case.rehandle_due.isoformat(),
            "days": case.rehandle_days,
            "count": case.rehandle_count,
        },
    )


# --- warnings ----------------------------------------------------------------------------------

RUNNING = sorted(STATUS_GROUPS["running"])


def warning_sweep(today: dt.date | None = None) -> dict[str, int]:
    """Turns cases yellow or red, incrementally.

    The (status, warning, promised_due) and (status, warning, warn_on) indexes lead straight
    to the cases whose level can change today; nothing else is read. Newly red cases are
    escalated to their department head (one event each), in chunks small enough for any
    database's parameter limit.
    """
    today = today or timezone.localdate()
    stamp = timezone.now()
    with transaction.atomic():
        newly_red = list(
            Case.objects.filter(
                status__in=RUNNING, warning__in=[Warning.NONE, Warning.YELLOW], promised_due__lt=today
            ).values_list("id", flat=True)
        )
        for i in range(0, len(newly_red), 5000):
            chunk = newly_red[i : i + 5000]
            Case.objects.filter(id__in=chunk).update(
                warning=Warning.RED, warning_checked_on=today, escalated_at=stamp
            )
            CaseEvent.objects.bulk_create(
                [
                    CaseEvent(
                        case_id=case_id,
                        actor_label="系统",
                        action="escalate",
                        note="已超过承诺时限，报部门负责人督办",
                    )
                    for case_id in chunk
                ]
            )
        newly_yellow = list(
            Case.objects.filter(
                status__in=RUNNING, warning=Warning.NONE, warn_on__lte=today, promised_due__gte=today
            ).values_list("id", flat=True)
        )
        for i in range(0, len(newly_yellow), 5000):
            chunk = newly_yellow[i : i + 5000]
            Case.objects.filter(id__in=chunk).update(warning=Warning.YELLOW, warning_checked_on=today)
            CaseEvent.objects.bulk_create(
                [
                    CaseEvent(
                        case_id=case_id,
                        actor_label="系统",
                        action="warning",
                        note="剩余时限不足承诺时限的预警比例，临期预警",
                        data={"level": Warning.YELLOW},
                    )
                    for case_id in chunk
                ]
            )
    return {"yellow": len(newly_yellow), "red": len(newly_red)}


CORRECTION_MAX_BYTES = 20 * 1024 * 1024


def correction_items(case: Case) -> list[dict[str, str]]:
    """The items of the case's latest one-time correction notice (material, reason)."""
    notice = case.events.filter(action="request_correction").order_by("-at", "-id").first()
    return list(notice.data.get("items", [])) if notice else []


@transaction.atomic
def case_correct(*, actor, case: Case, uploads: dict[str, Any], on: dt.date | None = None) -> Case:
    """The applicant supplies every material the correction notice listed, then resubmits.

    All or nothing: each listed material needs a file that passes the upload check; if any is
    missing or refused, nothing changes. The day of resubmission restarts the count.
    """
    import hashlib

    from banhao.core.uploads import check_upload

    from .models import CaseMaterial

    case = _locked(case)
    if case.status != Status.CORRECTION:
        states.transition(case.status, "resubmit")  # raises the Chinese "cannot" message
    if getattr(actor, "is_authenticated", False) and case.applicant_user_id != actor.pk:
        raise ValidationError("只有申请人本人可以提交补正材料。")
    errors: dict[str, list[str]] = {}
    kinds = {}
    for item in correction_items(case):
        name = item["material"]
        upload = uploads.get(name)
        if upload is None:
            errors[name] = ["请上传补正后的材料。"]
            continue
        try:
            kinds[name] = check_upload(
                upload, allowed=("pdf", "jpg", "png", "ofd"), max_bytes=CORRECTION_MAX_BYTES
            )
        except ValidationError as e:
            errors[name] = e.messages
    if errors:
        raise ValidationError(errors)
    for name, kind in kinds.items():
        upload = uploads[name]
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        material = case.materials.filter(name=name).first() or CaseMaterial(case=case, name=name)
        material.original_name = upload.name[:200]
        material.content_type = kind.content_type
        material.size = upload.size
        material.sha256 = digest.hexdigest()
        material.state = CaseMaterial.State.RECEIVED
        material.defect = ""
        material.file.save(f"{case.number}-{digest.hexdigest()[:12]}{kind.extensions[0]}", upload, save=False)
        material.save()
    return case_resubmit(actor=actor, case=case, on=on)
