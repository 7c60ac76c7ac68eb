"""Parallel review of a stage (一家牵头、并联审批、限时办结).

The owner submits the stage once with the merged form and the materials of the one-time notice;
the lead department accepts once or sends ONE correction notice for the whole stage (一次性告知);
acceptance opens one case per member item in its own department as one case group, each on its
own clock; when every member case is decided the lead writes one stage reply and the stage is
done. The review status moves by the table below; anything else is refused in Chinese and
changes nothing. Every change is an audit event in its transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from banhao.cases import api as cases_api
from banhao.core.audit import audit_record, snapshot
from banhao.notify import api as notify_api
from banhao.org.api import scope_for_user
from banhao.registry import api as registry_api

from .models import ReviewStatus, StageRun
from .notice import stage_notice

SUBMIT = "submit"
CORRECT = "correct"
ACCEPT = "accept"
REPLY = "reply"

# action: (allowed from, to, label)
TRANSITIONS: dict[str, tuple[frozenset[str], str, str]] = {
    SUBMIT: (frozenset({ReviewStatus.NOT_STARTED, ReviewStatus.CORRECTION}), ReviewStatus.SUBMITTED, "申报"),
    CORRECT: (frozenset({ReviewStatus.SUBMITTED}), ReviewStatus.CORRECTION, "一次性告知补正"),
    ACCEPT: (frozenset({ReviewStatus.SUBMITTED}), ReviewStatus.ACCEPTED, "受理"),
    REPLY: (frozenset({ReviewStatus.ACCEPTED}), ReviewStatus.REPLIED, "出具阶段意见"),
}

# the member case statuses in which the department has decided (cases.models.Status values)
DECIDED = frozenset({"approved", "denied", "result_ready", "delivered", "concluded"})
SUSPENDED = "suspended"  # 特别程序中: the member's own clock is stopped (cases moves its due on resume)
SYSTEM_ACTOR = "并联审批"


def _check(run: StageRun, action: str) -> str:
    allowed, to, label = TRANSITIONS[action]
    if run.review not in allowed:
        raise ValidationError(f"该阶段当前为“{run.get_review_display()}”，不能“{label}”。")
    return to


def _locked(run: StageRun) -> StageRun:
    return StageRun.objects.select_for_update().select_related("project", "stage").get(pk=run.pk)


def _previous_done(run: StageRun) -> None:
    earlier = StageRun.objects.filter(project=run.project, stage__order__lt=run.stage.order).exclude(
        status=StageRun.Status.DONE
    )
    if earlier.exists():
        raise ValidationError("上一阶段尚未办结，不能申报本阶段。")


def _owner_identity(actor, run: StageRun):
    identity = registry_api.applicant_identity(actor)
    if (
        identity is None
        or identity.organization is None
        or identity.organization.id != run.project.owner_organization_id
    ):
        raise PermissionDenied("只有建设单位的经办人可以申报本阶段。")
    return identity


def lead_may(user, run: StageRun) -> bool:
    """The lead department's staff with 受理 in the project's region."""
    scope = scope_for_user(user)
    return (
        scope is not None
        and scope.can("cases.accept")
        and scope.allows(run.project.region_id, run.stage.lead_department_id)
    )


def _lead(actor, run: StageRun) -> None:
    if not lead_may(actor, run):
        raise PermissionDenied("只有牵头部门的受理人员可以办理本阶段。")


def _tell_owner(run: StageRun, action: str, title: str, text: str) -> None:
    """A site message to the agent who submitted, through notify's outbox (in this transaction)."""
    if run.applicant_user_id is None:
        return
    from django.urls import reverse

    notify_api.message_send(
        recipient=int(run.applicant_user_id),
        channel=notify_api.SITE,
        title=title,
        text=text,
        dedupe_key=f"projects.stage.{run.pk}.{action}",
        link=reverse("projects:detail", args=[run.project_id]),
    )


def _audit(actor, run: StageRun, before: dict, action: str) -> None:
    audit_record(
        actor=actor,
        action=f"projects.stage_{action}",
        obj=run,
        before=before,
        after=snapshot(run),
    )


@transaction.atomic
def stage_submit(
    *, actor, run: StageRun, form: dict, materials: list[str], situations: dict[str, str] | None = None
) -> StageRun:
    """The owner submits the stage once: the merged form's answers and the names of the
    materials brought. Every required field and material of the notice must be there."""
    run = _locked(run)
    identity = _owner_identity(actor, run)
    to = _check(run, SUBMIT)
    _previous_done(run)
    answers = {str(k): str(v) for k, v in (situations or {}).items()}
    notice = stage_notice(run.project, run.stage, user=actor, answers=answers or None)
    if notice.unpublished:
        raise ValidationError("本阶段有事项尚未发布办事指南，暂不能申报。")
    values = {
        f.key: str(
            f.value if f.source == "registry" and f.value else form.get(f.key) or f.value or ""
        ).strip()
        for f in notice.fields
    }  # the registry's values are the registry's, not what a page sent back
    missing = [f.label for f in notice.fields if f.required and not values[f.key]]
    brought = {str(m).strip() for m in materials or () if str(m).strip()}
    lacking = [m.name for m in notice.materials if m.required and m.name not in brought]
    errors = []
    if missing:
        errors.append("请填写：" + "、".join(missing) + "。")
    if lacking:
        errors.append("请提交材料：" + "、".join(lacking) + "。")
    if errors:
        raise ValidationError(errors)
    before = snapshot(run)
    run.review = to
    run.submitted_form = values
    run.submitted_materials = sorted(brought)
    run.submitted_situations = answers
    run.applicant_person_id = identity.person.id
    run.applicant_user_id = actor.pk
    run.submitted_at = timezone.now()
    run.save()
    _audit(actor, run, before, SUBMIT)
    return run


@transaction.atomic
def stage_correct(*, actor, run: StageRun, note: str) -> StageRun:
    """The lead's one correction notice for the whole stage (所有需补正的内容一次告知)."""
    run = _locked(run)
    _lead(actor, run)
    to = _check(run, CORRECT)
    note = (note or "").strip()
    if not note:
        raise ValidationError("请一次性写明需要补正的全部内容。")
    if run.correction_note:
        raise ValidationError("本阶段已发出过一次性告知，不能再次要求补正；请受理。")
    before = snapshot(run)
    run.review = to
    run.correction_note = note[:2000]
    run.save()
    _audit(actor, run, before, CORRECT)
    _tell_owner(
        run, CORRECT, f"{run.stage.name}：一次性告知补正", f"{run.project.name}需补正：{run.correction_note}"
    )
    return run


def _item_materials(version, brought: set[str], dropped: dict[str, str]) -> list[dict]:
    rows = []
    for m in version.materials or []:
        name = m.get("name") or ""
        if name in brought:
            rows.append({"name": name, "how": "paper", "note": "阶段申报时一次提交"})
        elif name in dropped:
            rows.append({"name": name, "how": "paper", "note": f"免提交：{dropped[name]}"})
    return rows


@transaction.atomic
def stage_accept(*, actor, run: StageRun, today: dt.date | None = None) -> StageRun:
    """The lead accepts once: one case group of kind "stage", one accepted case per member item
    in its own department (each on its own clock); the stage is open from today."""
    from banhao.catalog.api import published_for_application

    run = _locked(run)
    _lead(actor, run)
    to = _check(run, ACCEPT)
    today = today or timezone.localdate()
    project = run.project
    group = cases_api.case_group_open(
        actor=actor,
        region_code=project.region.code,
        kind="stage",
        title=f"{project.name} · {run.stage.name}",
        person_id=run.applicant_person_id,
        channel="online",
    )
    notice = stage_notice(project, run.stage, answers=run.submitted_situations or None)
    dropped = {m.name: m.dropped for m in notice.dropped}
    brought = set(run.submitted_materials)
    situations = {k: v == "是" for k, v in (run.submitted_situations or {}).items()}
    applicant = cases_api.Applicant(
        person_id=run.applicant_person_id, organization_id=project.owner_organization_id
    )
    for item in run.stage.items.order_by("parallel", "order", "id"):
        _, version = published_for_application(item.implementation_id)
        keys = {f.get("key") for f in version.form_fields or []}
        form = {k: v for k, v in run.submitted_form.items() if k in keys}
        form.setdefault("project_code", project.code)
        cases_api.case_open(
            channel="online",
            implementation_id=item.implementation_id,
            applicant=applicant,
            form_data=form,
            materials=_item_materials(version, brought, dropped),
            outcome=cases_api.ACCEPT,
            idempotency_key=f"stage-{run.pk}-{item.implementation_id}",
            group=group.id,
            actor=SYSTEM_ACTOR,
            situations=situations,
        )
    before = snapshot(run)
    run.review = to
    run.case_group_id = group.id
    run.status = StageRun.Status.OPEN
    run.opened_on = today
    run.save()
    _audit(actor, run, before, ACCEPT)
    _tell_owner(
        run, ACCEPT, f"{run.stage.name}：已受理", f"{project.name}的{run.stage.name}已受理，各事项同时审批。"
    )
    return run


@dataclass(frozen=True)
class Member:
    case: cases_api.CaseInfo
    decided: bool
    late: bool


def stage_members(run: StageRun, *, today: dt.date | None = None) -> list[Member]:
    """The stage's member cases with their status and clocks; a member is late when its clock
    runs (not decided, not in a special procedure) and its promised due date has passed. A
    special procedure stops only that member's clock: cases moves only its due date on resume."""
    if run.case_group_id is None:
        return []
    today = today or timezone.localdate()
    info = cases_api.case_group_info(run.case_group_id)
    out = []
    for case_id in info.case_ids if info else ():
        case = cases_api.case_info(case_id)
        decided = case.status in DECIDED
        due = case.promised_due or case.statutory_due
        running = not decided and case.status != SUSPENDED  # a special procedure stops its clock
        out.append(Member(case=case, decided=decided, late=bool(running and due and due < today)))
    return out


def stage_late(run: StageRun, *, today: dt.date | None = None) -> bool:
    """A stage is late when any of its members is."""
    return any(m.late for m in stage_members(run, today=today))


@transaction.atomic
def stage_reply(*, actor, run: StageRun, text: str, today: dt.date | None = None) -> StageRun:
    """The lead's one merged stage reply, only once every member case is decided; the stage is
    done today."""
    run = _locked(run)
    _lead(actor, run)
    to = _check(run, REPLY)
    text = (text or "").strip()
    if not text:
        raise ValidationError("请填写阶段办理意见。")
    members = stage_members(run, today=today)
    pending = [m.case.item for m in members if not m.decided]
    if pending:
        raise ValidationError("以下事项尚未作出决定，不能出具阶段意见：" + "、".join(pending) + "。")
    today = today or timezone.localdate()
    if today < run.opened_on:
        raise ValidationError("办结日期不能早于受理日期。")
    before = snapshot(run)
    run.review = to
    run.reply = text[:4000]
    run.status = StageRun.Status.DONE
    run.done_on = today
    run.save()
    _audit(actor, run, before, REPLY)
    _tell_owner(
        run, REPLY, f"{run.stage.name}：已办结", f"{run.project.name}的{run.stage.name}已办结：{run.reply}"
    )
    return run
