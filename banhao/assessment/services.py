"""Writes of the assessment: manual bonus and deduction items (加分/扣分) and their approval,
and publishing a scheme version. Each writes an audit event."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from banhao.core.audit import audit_record, snapshot
from banhao.org.api import scope_for_user

from .models_schemes import Indicator, ManualItem, Scheme, SchemeVersion
from .periods import parse_period


@transaction.atomic
def manual_item_request(
    *, actor, scheme_id: int, subject_id: int, period: str, kind: str, points, reason: str, evidence: str = ""
) -> ManualItem:
    """Ask for a bonus or deduction; it counts once another person with assessment.manage approves."""
    from banhao.org.api import assessment_subjects

    scope = scope_for_user(actor)
    if scope is None or not (scope.can("assessment.manage") or scope.can("assessment.view")):
        raise PermissionDenied("您的角色无权申请加减分。")
    scheme = Scheme.objects.filter(pk=scheme_id).first()
    if scheme is None:
        raise ValidationError("考核方案不存在。")
    p = parse_period(period)
    if p.kind != scheme.period_kind:
        raise ValidationError("考核周期与方案的周期类型不一致。")
    if kind not in ManualItem.Kind.values:
        raise ValidationError("请选择加分或扣分。")
    try:
        pts = Decimal(str(points))
    except InvalidOperation:
        raise ValidationError("分值应为数字。") from None
    if pts <= 0 or pts > 100:
        raise ValidationError("分值应大于 0 且不超过 100。")
    if not (reason or "").strip():
        raise ValidationError("请填写加减分事由。")
    subject = next(
        (s for s in assessment_subjects(scheme.subject_kind, scope.region_ids) if s.id == subject_id), None
    )
    if subject is None:
        raise ValidationError("考核对象不存在或不在您的管辖范围内。")
    item = ManualItem.objects.create(
        scheme=scheme,
        subject_kind=scheme.subject_kind,
        subject_id=subject.id,
        subject_label=subject.label,
        region_id=subject.region_id,
        period=p.code,
        kind=kind,
        points=pts,
        reason=reason.strip(),
        evidence=(evidence or "").strip(),
        requested_by=actor,
    )
    audit_record(actor=actor, obj=item, action="assessment.manual_request", after=snapshot(item))
    return item


@transaction.atomic
def manual_item_decide(*, actor, item_id: int, approve: bool, note: str = "") -> ManualItem:
    """Approve or refuse a pending item: only a person with assessment.manage whose scope holds
    the subject's region, and never the one who asked."""
    item = ManualItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None:
        raise ValidationError("加减分项不存在。")
    if not getattr(actor, "is_superuser", False):
        scope = scope_for_user(actor)
        if scope is None or not scope.can("assessment.manage") or not scope.allows(item.region_id):
            raise PermissionDenied("您无权审批该加减分项。")
    if item.requested_by_id == actor.pk:
        raise ValidationError("加减分须由申请人以外的人员审批。")
    if item.status != ManualItem.Status.PENDING:
        raise ValidationError("该加减分项已审批，不能重复审批。")
    before = snapshot(item)
    item.status = ManualItem.Status.APPROVED if approve else ManualItem.Status.REFUSED
    item.decided_by = actor
    item.decided_at = timezone.now()
    item.decision_note = (note or "").strip()
    item.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        actor=actor, obj=item, action="assessment.manual_decide", before=before, after=snapshot(item)
    )
    return item


@transaction.atomic
def scheme_version_publish(*, actor, version_id: int) -> SchemeVersion:
    """Publish a draft version (it must have indicators); from then on it is never edited."""
    v = SchemeVersion.objects.select_for_update().get(pk=version_id)
    if v.is_published:
        raise ValidationError("该版本已发布。")
    if not v.indicators.exists():
        raise ValidationError("版本中没有指标，不能发布。")
    before = snapshot(v)
    v.status = SchemeVersion.Status.PUBLISHED
    v.published_at = timezone.now()
    v.published_by = actor if getattr(actor, "is_authenticated", False) else None
    v.save(update_fields=["status", "published_at", "published_by"])
    audit_record(actor=actor, obj=v, action="assessment.version_publish", before=before, after=snapshot(v))
    return v


@transaction.atomic
def scheme_version_copy(*, actor, version_id: int, valid_from) -> SchemeVersion:
    """A new draft version with the indicators of ``version_id``: how a published one is changed."""
    src = SchemeVersion.objects.get(pk=version_id)
    number = (src.scheme.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    new = SchemeVersion.objects.create(
        scheme=src.scheme, number=number, valid_from=valid_from, note=f"由第{src.number}版复制"
    )
    Indicator.objects.bulk_create(
        [
            Indicator(
                version=new,
                key=i.key,
                label=i.label,
                direction=i.direction,
                weight=i.weight,
                full_at=i.full_at,
                zero_at=i.zero_at,
                order=i.order,
                notes=i.notes,
            )
            for i in src.indicators.all()
        ]
    )
    audit_record(
        actor=actor,
        obj=new,
        action="assessment.version_copy",
        after={"from": src.pk, "valid_from": str(valid_from)},
    )
    return new
