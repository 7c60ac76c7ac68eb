"""What other apps may use of evaluation: recording a rating, the levels and their labels."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from banhao.cases import api as cases
from banhao.core.audit import audit_record
from banhao.org import api as org

from .models import BAD_LEVELS, ONSITE_DIMENSIONS, Level, Rating

__all__ = [
    "LEVELS",
    "ONSITE_DIMENSIONS",
    "AccountabilityInfo",
    "CallbackFact",
    "CallbackFigures",
    "ComplaintFact",
    "RatingBrief",
    "RatingFact",
    "RatingInfo",
    "RectificationFact",
    "UnitMetrics",
    "accountability_records",
    "callback_facts",
    "callback_unit_figures",
    "hotline_unit_metrics",
    "rating_briefs",
    "rating_facts",
    "rating_for_ticket",
    "rating_record_onsite",
    "rectification_facts",
    "substantiated_complaint_facts",
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


def _info(r: Rating, case_ids=None) -> RatingInfo:
    """The rating as other apps see it; ``case_ids`` when the caller has just linked them (one
    query fewer)."""
    return RatingInfo(
        id=r.pk,
        level=r.level,
        level_label=r.get_level_display(),
        is_bad=r.level in BAD_LEVELS,
        window_id=r.window_id,
        clerk_id=r.clerk_id,
        ticket_id=r.ticket_id,
        case_ids=tuple(r.cases.values_list("pk", flat=True) if case_ids is None else case_ids),
    )


def rating_for_ticket(ticket_id: int) -> RatingInfo | None:
    r = Rating.objects.filter(ticket_id=ticket_id).first()
    return _info(r) if r else None


def _visit_place(hall_id: int, case_ids: list[int]) -> tuple[int | None, int | None]:
    """Where a window visit's rating belongs (region, department): the department when every
    case handled at the visit is that one department's, with the cases' region (where that
    department's case ratings count: a case taken under 通办 in another region's hall still
    counts at home); otherwise no department and the hall's region, and 好差评公示 shows the
    rating on its hall's row."""
    places = set()
    for case_id in dict.fromkeys(case_ids or []):
        facts = cases.case_rating_facts(case_id)
        if facts is not None:
            places.add((facts.region_id, facts.department_id))
    if len({department for _region, department in places}) == 1 and len(places) == 1:
        return places.pop()
    hall = org.hall_info(hall_id, windows=False)
    return (hall.region_id if hall else None), None


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
    reasons: list[str] | None = None,
    comment: str = "",
) -> tuple[RatingInfo, bool]:
    """One rating per visit on site (一次一评): a second rating of the same ticket changes
    nothing and returns the first. Returns (rating, created). ``channel``: the window's pad, or
    the QR code on the window's sheet (二维码评价), which also asks a bad rating's reasons and
    description (checked by the caller with ratings.rating_check)."""
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
    region_id, department_id = _visit_place(hall_id, case_ids)
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
                region_id=region_id,
                department_id=department_id,
                reasons=list(reasons or []),
                comment=comment or "",
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


# --- 12345: the per-unit figures ------------------------------------------------------------------


@dataclass(frozen=True)
class UnitMetrics:
    """One department's 12345 figures for the tickets received in one month. Each rate is a
    percentage with one decimal, or None when there is nothing to count yet."""

    department_id: int
    department: str
    month: str  # YYYY-MM
    tickets: int
    sign_due: int  # 应签收: signed, or not signed and past the sign-off day
    signed_on_time: int
    answer_due: int  # 应办结: answered, or not answered and past the answer day
    answered_on_time: int
    called_back: int  # reached on the callback
    resolved: int
    rated: int
    satisfied: int  # 基本满意 and better
    answered: int
    rehandled: int
    on_time_sign_rate: float | None
    on_time_answer_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    rehandle_rate: float | None


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def hotline_unit_metrics(
    month: str, *, region_ids=None, department_id: int | None = None, today=None
) -> list[UnitMetrics]:
    """按时签收率, 按时办结率, 解决率, 满意率, 重办率 per department for the 12345 tickets received
    in ``month`` (YYYY-MM), optionally within some regions (a scope) or for one department.
    Definitions (docs/hotline.md): on-time sign-off = signed on or before the sign-off day, over
    the tickets due to be signed; on-time completion = every answer by its day (an extension
    asked in time moves the day), over the tickets due to be answered; resolution and
    satisfaction over the callbacks that reached the caller (satisfied = 基本满意 or better);
    re-handling = tickets sent back at least once, over the tickets answered."""
    import datetime as dt

    from django.db.models import Count, Q
    from django.utils import timezone

    from .models_hotline import HotlineTicket

    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise ValidationError({"month": "月份格式应为 YYYY-MM。"}) from None
    after = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    today = today or timezone.localdate()
    qs = HotlineTicket.objects.filter(department__isnull=False, received_on__gte=first, received_on__lt=after)
    if region_ids is not None:
        qs = qs.filter(region_id__in=region_ids)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    rows = (
        qs.values("department_id", "department__name")
        .annotate(
            tickets=Count("id"),
            sign_due=Count(
                "id", filter=Q(on_time_sign__isnull=False) | Q(status="dispatched", sign_due__lt=today)
            ),
            signed_on_time=Count("id", filter=Q(on_time_sign=True)),
            answer_due=Count(
                "id", filter=Q(on_time_answer__isnull=False) | Q(status="signed", answer_due__lt=today)
            ),
            answered_on_time=Count("id", filter=Q(on_time_answer=True)),
            called_back=Count("id", filter=Q(callback_outcome="reached")),
            resolved=Count("id", filter=Q(callback_outcome="reached", resolved=True)),
            rated=Count("id", filter=Q(level__isnull=False)),
            satisfied=Count("id", filter=Q(level__gte=Level.BASIC)),
            answered=Count("id", filter=Q(on_time_answer__isnull=False)),
            rehandled=Count("id", filter=Q(rehandle_count__gt=0)),
        )
        .order_by("department__name")
    )
    return [
        UnitMetrics(
            department_id=r["department_id"],
            department=r["department__name"],
            month=month,
            tickets=r["tickets"],
            sign_due=r["sign_due"],
            signed_on_time=r["signed_on_time"],
            answer_due=r["answer_due"],
            answered_on_time=r["answered_on_time"],
            called_back=r["called_back"],
            resolved=r["resolved"],
            rated=r["rated"],
            satisfied=r["satisfied"],
            answered=r["answered"],
            rehandled=r["rehandled"],
            on_time_sign_rate=_rate(r["signed_on_time"], r["sign_due"]),
            on_time_answer_rate=_rate(r["answered_on_time"], r["answer_due"]),
            resolution_rate=_rate(r["resolved"], r["called_back"]),
            satisfaction_rate=_rate(r["satisfied"], r["rated"]),
            rehandle_rate=_rate(r["rehandled"], r["answered"]),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class CallbackFigures:
    """One department's case callbacks (回访) planned in one month."""

    department_id: int
    department: str
    planned: int
    reached: int
    unreachable: int
    refused: int
    average_score: float | None
    satisfied: int  # 基本满意 and better, of the reached
    rehandled: int
    satisfaction_rate: float | None


def callback_unit_figures(
    month: str, *, region_ids=None, department_id: int | None = None
) -> list[CallbackFigures]:
    """The case callbacks per department for the callbacks planned in ``month`` (YYYY-MM)."""
    import datetime as dt

    from django.db.models import Avg, Count, Q

    from .models_hotline import Callback

    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise ValidationError({"month": "月份格式应为 YYYY-MM。"}) from None
    after = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    qs = Callback.objects.filter(planned_on__gte=first, planned_on__lt=after)
    if region_ids is not None:
        qs = qs.filter(region_id__in=region_ids)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    rows = (
        qs.values("department_id", "department__name")
        .annotate(
            planned=Count("id"),
            reached=Count("id", filter=Q(status="reached")),
            unreachable=Count("id", filter=Q(status="unreachable")),
            refused=Count("id", filter=Q(status="refused")),
            average=Avg("score", filter=Q(status="reached")),
            satisfied=Count("id", filter=Q(status="reached", level__gte=Level.BASIC)),
            rehandled=Count("id", filter=Q(rehandled=True)),
        )
        .order_by("department__name")
    )
    return [
        CallbackFigures(
            department_id=r["department_id"],
            department=r["department__name"],
            planned=r["planned"],
            reached=r["reached"],
            unreachable=r["unreachable"],
            refused=r["refused"],
            average_score=round(float(r["average"]), 1) if r["average"] is not None else None,
            satisfied=r["satisfied"],
            rehandled=r["rehandled"],
            satisfaction_rate=_rate(r["satisfied"], r["reached"]),
        )
        for r in rows
    ]


# --- facts for the assessment (考核): one query per period, the ids kept for drill-down ---------


@dataclass(frozen=True, slots=True)
class RatingFact:
    """A current, counted rating made in a period, with everything it may be scored against."""

    id: int
    level: int
    is_bad: bool
    window_id: int | None
    clerk_id: int | None
    department_id: int | None
    region_id: int | None
    hall_id: int | None


def rating_facts(start: dt.date, end: dt.date, *, region_ids=None) -> list[RatingFact]:
    """The ratings made in [start, end) that count: current (a re-rating replaced the old one)
    and not excluded (申诉复核 upheld). One query."""
    from django.utils import timezone

    since = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    until = timezone.make_aware(dt.datetime.combine(end, dt.time.min))
    qs = Rating.objects.filter(current=True, excluded=False, created_at__gte=since, created_at__lt=until)
    if region_ids is not None:
        qs = qs.filter(region_id__in=list(region_ids))
    bad = set(BAD_LEVELS)
    return [
        RatingFact(pk, level, level in bad, w, c, d, r, h)
        for pk, level, w, c, d, r, h in qs.values_list(
            "id", "level", "window_id", "clerk_id", "department_id", "region_id", "hall_id"
        )
    ]


@dataclass(frozen=True, slots=True)
class RectificationFact:
    """A 差评整改 due in a period: on time (True), late or still open past its day (False)."""

    id: int
    on_time: bool
    window_id: int | None
    clerk_id: int | None
    department_id: int | None
    region_id: int | None
    hall_id: int | None


def rectification_facts(start: dt.date, end: dt.date, *, region_ids=None) -> list[RectificationFact]:
    """The rectifications whose deadline falls in [start, end). One query."""
    from .models import Rectification

    qs = Rectification.objects.filter(due_on__gte=start, due_on__lt=end)
    if region_ids is not None:
        qs = qs.filter(region_id__in=list(region_ids))
    return [
        RectificationFact(pk, bool(on_time), w, c, d, r, h)
        for pk, on_time, w, c, d, r, h in qs.values_list(
            "id",
            "on_time",
            "rating__window_id",
            "rating__clerk_id",
            "department_id",
            "region_id",
            "hall_id",
        )
    ]


@dataclass(frozen=True, slots=True)
class CallbackFact:
    """A case callback (回访) planned in a period that reached the applicant, with its score."""

    id: int
    score: int
    department_id: int
    region_id: int


def callback_facts(start: dt.date, end: dt.date, *, region_ids=None) -> list[CallbackFact]:
    """The reached callbacks with a score planned in [start, end). One query."""
    from .models_hotline import Callback

    qs = Callback.objects.filter(
        planned_on__gte=start, planned_on__lt=end, status="reached", score__isnull=False
    )
    if region_ids is not None:
        qs = qs.filter(region_id__in=list(region_ids))
    return [CallbackFact(*row) for row in qs.values_list("id", "score", "department_id", "region_id")]


@dataclass(frozen=True, slots=True)
class ComplaintFact:
    """An efficiency complaint (效能投诉) concluded in a period as substantiated or partly so."""

    id: int
    number: str
    conclusion: str
    window_id: int | None
    staff_id: int | None
    department_id: int | None
    region_id: int | None


def substantiated_complaint_facts(start: dt.date, end: dt.date, *, region_ids=None) -> list[ComplaintFact]:
    """The complaints concluded in [start, end) as 属实 or 部分属实. One query."""
    from .models_complaints import Complaint

    qs = Complaint.objects.filter(
        concluded_on__gte=start, concluded_on__lt=end, conclusion__in=["substantiated", "partly"]
    )
    if region_ids is not None:
        qs = qs.filter(region_id__in=list(region_ids))
    return [
        ComplaintFact(pk, number or "", conclusion, w, s, d, r)
        for pk, number, conclusion, w, s, d, r in qs.values_list(
            "id", "number", "conclusion", "window_id", "staff_id", "department_id", "region_id"
        )
    ]


@dataclass(frozen=True)
class RatingBrief:
    id: int
    level_label: str
    is_bad: bool
    channel_label: str
    created_at: dt.datetime
    has_rectification: bool
    rectification_id: int | None


def rating_briefs(ids) -> list[RatingBrief]:
    """Some ratings as plain values, newest first (a scorecard's drill-down)."""
    from .models import Rectification

    ids = list(ids)
    rect = dict(Rectification.objects.filter(rating_id__in=ids).values_list("rating_id", "id"))
    return [
        RatingBrief(
            r.pk,
            r.get_level_display(),
            r.level in BAD_LEVELS,
            r.get_channel_display(),
            r.created_at,
            r.pk in rect,
            rect.get(r.pk),
        )
        for r in Rating.objects.filter(pk__in=ids).order_by("-created_at", "-id")
    ]
