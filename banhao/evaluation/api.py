"""What other apps may use of evaluation: recording a rating, the levels and their labels."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from banhao.core.audit import audit_record

from .models import BAD_LEVELS, ONSITE_DIMENSIONS, Level, Rating

__all__ = [
    "LEVELS",
    "ONSITE_DIMENSIONS",
    "AccountabilityInfo",
    "RatingInfo",
    "accountability_records",
    "rating_for_ticket",
    "rating_record_onsite",
]

# (value, label), best first: the order the pad shows them.
LEVELS: list[tuple[int, str]] = [(int(v), str(label)) for v, label in Level.choices]


@dataclass(frozen=True)
class RatingInfo:
    id: int
    level: int
    level_label: str
    is_bad: bool
    window_id: int | None
    clerk_id: int | None
    ticket_id: int | None
    case_ids: tuple[int, ...]


def _info(r: Rating) -> RatingInfo:
    return RatingInfo(
        id=r.pk,
        level=r.level,
        level_label=r.get_level_display(),
        is_bad=r.level in BAD_LEVELS,
        window_id=r.window_id,
        clerk_id=r.clerk_id,
        ticket_id=r.ticket_id,
        case_ids=tuple(r.cases.values_list("pk", flat=True)),
    )


def rating_for_ticket(ticket_id: int) -> RatingInfo | None:
    r = Rating.objects.filter(ticket_id=ticket_id).first()
    return _info(r) if r else None


@transaction.atomic
def rating_record_onsite(
    *,
    ticket_id: int,
    hall_id: int,
    window_id: int,
    clerk_id: int | None,
    case_ids: list[int],
    level: int,
    dimensions: dict[str, int] | None = None,
    channel: str = Rating.Channel.HALL_PAD,
) -> tuple[RatingInfo, bool]:
    """One rating per visit on site (一次一评): a second rating of the same ticket changes
    nothing and returns the first. Returns (rating, created). ``channel``: the window's pad, or
    the QR code on the window's sheet (二维码评价)."""
    try:
        level = int(level)
    except (TypeError, ValueError):
        raise ValidationError("请选择满意程度。") from None
    if level not in Level.values:
        raise ValidationError("请选择满意程度。")
    dims = {}
    for key, value in (dimensions or {}).items():
        if key not in ONSITE_DIMENSIONS:
            continue
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise ValidationError(f"“{ONSITE_DIMENSIONS[key]}”的评价无效。") from None
        if value not in Level.values:
            raise ValidationError(f"“{ONSITE_DIMENSIONS[key]}”的评价无效。")
        dims[key] = value
    existing = Rating.objects.filter(ticket_id=ticket_id).first()
    if existing is not None:
        return _info(existing), False
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                channel=channel,
                level=level,
                dimensions=dims,
                ticket_id=ticket_id,
                window_id=window_id,
                clerk_id=clerk_id,
                hall_id=hall_id,
            )
    except IntegrityError:  # the same visit rated twice at once
        return _info(Rating.objects.get(ticket_id=ticket_id)), False
    if case_ids:
        rating.cases.set(case_ids)
    audit_record(
        actor="窗口评价器" if channel == Rating.Channel.HALL_PAD else "窗口评价二维码",
        action="evaluation.rate",
        obj=rating,
        after={"level": level},
    )
    return _info(rating), True


# --- 责任追究: what the assessment counts ---------------------------------------------------


@dataclass(frozen=True)
class AccountabilityInfo:
    id: int
    complaint_id: int
    complaint_number: str
    conclusion: str  # "substantiated" | "partly"
    subject_kind: str  # "staff" | "window" | "department"
    staff_id: int | None
    window_id: int | None
    department_id: int
    region_id: int
    measure_code: str
    measure_name: str
    severity: int
    facts: str
    decided_on: dt.date


def accountability_records(
    subject_kind: str | None = None,
    subject_id: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    region_ids=None,
) -> list[AccountabilityInfo]:
    """The accountability records (责任追究) decided in [start, end) (either bound optional),
    of one subject — ("staff", staff id), ("window", window id) or ("department", department
    id: every record of the department, its windows and staff included) — or of all, optionally
    within some regions. Oldest first."""
    from .models_complaints import AccountabilityRecord

    qs = AccountabilityRecord.objects.select_related("complaint", "measure")
    if subject_kind == "staff":
        qs = qs.filter(staff_id=subject_id)
    elif subject_kind == "window":
        qs = qs.filter(window_id=subject_id)
    elif subject_kind == "department":
        qs = qs.filter(department_id=subject_id)
    elif subject_kind is not None:
        raise ValueError(f"unknown subject kind {subject_kind!r}")
    if start is not None:
        qs = qs.filter(decided_on__gte=start)
    if end is not None:
        qs = qs.filter(decided_on__lt=end)
    if region_ids is not None:
        qs = qs.filter(region_id__in=list(region_ids))
    return [
        AccountabilityInfo(
            id=r.pk,
            complaint_id=r.complaint_id,
            complaint_number=r.complaint.number or "",
            conclusion=r.complaint.conclusion,
            subject_kind=r.subject_kind,
            staff_id=r.staff_id,
            window_id=r.window_id,
            department_id=r.department_id,
            region_id=r.region_id,
            measure_code=r.measure.code,
            measure_name=r.measure.name,
            severity=r.measure.severity,
            facts=r.facts,
            decided_on=r.decided_on,
        )
        for r in qs.order_by("decided_on", "id")
    ]
