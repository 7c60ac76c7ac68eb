"""申诉复核: the rated department or hall appeals a rating as malicious (恶意差评) or mistaken (误评)
with a reason and evidence; a supervisor of the region decides once.

- Filing moves the rectification to ``appealing`` and remembers where it was. Its clock does
  not stop: the deadline stays, reminders and escalation go on (an appeal is no way to gain
  time); an appeal filed late is still late if it is rejected.
- Upheld: the rating is excluded from every score (excluded=True with the reason) and kept,
  never deleted; the rectification closes as 申诉成立 and leaves the on-time figure.
- Rejected: the rectification goes back to the status it had.
- One open appeal per rating (a database constraint); a decided appeal cannot be re-decided.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from banhao.core.audit import audit_record
from banhao.core.uploads import check_upload
from banhao.org import api as org_api

from . import rectification as rect_services
from . import rectification_states as states
from .models import Appeal, AppealEvidence, Rating, Rectification

EVIDENCE_KINDS = ("pdf", "jpg", "png", "ofd", "docx", "doc")
REASON_MAX = 2000


def evidence_max_bytes() -> int:
    return int(getattr(settings, "BANHAO_APPEAL_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))


def evidence_max_files() -> int:
    return int(getattr(settings, "BANHAO_APPEAL_EVIDENCE_MAX_FILES", 5))


def appeals_in_scope(scope):
    """Appeals a supervisor may review: those of the scope's regions."""
    if scope is None:
        return Appeal.objects.none()
    return scope.filter(Appeal.objects.select_related("rectification", "rating"), region_field="region")


def _check_files(files) -> list:
    files = [f for f in (files or []) if f]
    if not files:
        raise ValidationError({"evidence": "请上传至少一份证明材料。"})
    if len(files) > evidence_max_files():
        raise ValidationError({"evidence": f"证明材料最多{evidence_max_files()}份。"})
    kinds = []
    for f in files:
        try:
            kinds.append(check_upload(f, allowed=EVIDENCE_KINDS, max_bytes=evidence_max_bytes()))
        except ValidationError as e:
            raise ValidationError({"evidence": f"“{f.name}”：" + "；".join(e.messages)}) from None
    return kinds


@transaction.atomic
def appeal_file(*, actor, rectification, kind: str, reason: str, files) -> Appeal:
    """Files an appeal against the rectification's rating; the task goes to appealing."""
    rect = rect_services._locked(rectification)
    rect_services._check_actor(actor, rect)
    states.transition(rect, "appeal")
    if kind not in Appeal.Kind.values:
        raise ValidationError({"kind": "请选择申诉类型：恶意差评或误评。"})
    reason = rect_services._text(reason, "reason", "申诉理由", limit=REASON_MAX)
    kinds = _check_files(files)
    prior = rect.status
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                rectification=rect,
                rating_id=rect.rating_id,
                region_id=rect.region_id,
                kind=kind,
                reason=reason,
                prior_status=prior,
                filed_by=actor,
                filed_by_label=rect_services._label(actor),
            )
    except IntegrityError:
        raise ValidationError("该评价已有待复核的申诉，请等待复核结果。") from None
    for f, k in zip(files, kinds, strict=False):
        AppealEvidence.objects.create(
            appeal=appeal, file=f, name=f.name[:200], content_type=k.content_type, size=f.size
        )
    audit_record(
        actor=actor,
        obj=appeal,
        action="evaluation.appeal.file",
        after={"kind": kind, "rectification": rect.pk, "files": len(kinds)},
    )
    rect_services._move(
        rect,
        actor,
        "appeal",
        note=f"{Appeal.Kind(kind).label}：{reason}",
        data={"appeal": appeal.pk, "prior_status": prior},
    )
    return appeal


@transaction.atomic
def appeal_decide(*, actor, appeal, upheld, opinion: str) -> Appeal:
    """A supervisor's decision, once. Upheld excludes the rating (kept) and closes the task as
    申诉成立; rejected returns the task to the status it had."""
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk if isinstance(appeal, Appeal) else appeal)
    scope = org_api.scope_for_user(actor)
    if scope is None or not scope.can("evaluation.supervise"):
        raise PermissionDenied("只有督查人员可以复核申诉。")
    if not appeals_in_scope(scope).filter(pk=appeal.pk).exists():
        raise PermissionDenied("该申诉不在您的督查范围内。")
    if appeal.status != Appeal.Status.PENDING:
        raise ValidationError(f"该申诉已复核（{appeal.get_status_display()}），不能再次复核。")
    if upheld not in (True, False):
        raise ValidationError({"upheld": "请选择复核结论：申诉成立或申诉不成立。"})
    opinion = rect_services._text(opinion, "opinion", "复核意见")
    rect = rect_services._locked(appeal.rectification_id)
    appeal.status = Appeal.Status.UPHELD if upheld else Appeal.Status.REJECTED
    appeal.decided_by = actor
    appeal.decided_by_label = rect_services._label(actor)
    appeal.decided_at = timezone.now()
    appeal.opinion = opinion
    appeal.save(update_fields=["status", "decided_by", "decided_by_label", "decided_at", "opinion"])
    audit_record(
        actor=actor,
        obj=appeal,
        action="evaluation.appeal.decide",
        before={"status": Appeal.Status.PENDING},
        after={"status": appeal.status},
        reason=opinion[:200],
    )
    if upheld:
        rating = Rating.objects.select_for_update().get(pk=appeal.rating_id)
        reason = f"申诉成立（{appeal.get_kind_display()}）：{opinion}"[:200]
        rating.excluded, rating.excluded_reason = True, reason
        rating.save(update_fields=["excluded", "excluded_reason"])
        audit_record(
            actor=actor,
            obj=rating,
            action="evaluation.rating.exclude",
            before={"excluded": False},
            after={"excluded": True, "excluded_reason": reason},
        )
        rect_services._move(
            rect,
            actor,
            "appeal_upheld",
            note=f"申诉成立：{opinion}",
            data={"appeal": appeal.pk},
            closed_at=timezone.now(),
            on_time=None,
        )
    else:
        states.transition(rect, "appeal_rejected")
        rect_services._move(
            rect,
            actor,
            "appeal_rejected",
            note=f"申诉不成立：{opinion}",
            data={"appeal": appeal.pk},
            target=appeal.prior_status,
        )
    return appeal


def appeal_open_for(rect: Rectification) -> Appeal | None:
    return rect.appeals.filter(status=Appeal.Status.PENDING).first()
