"""Cases for the hall's windows: which items a hall may accept, a case read by number, its
notices, and the unified pickup window (统一出件).

Re-exported by banhao.cases.api; other apps import them from there. The acceptance form itself
(what the clerk typed and scanned) is the hall's (banhao.hall.acceptance_form); it opens cases
through the one door, ``case_open``. The cross-region rule (通办) is the catalog's.

- ``window_item`` says whether an implementation may be accepted at a hall (catalog.api
  ``cross_region_acceptance``); otherwise it raises ``WindowItemRefused`` with the reason.
- ``pickup_list`` / ``pickup_case`` read the results ready for pickup within a staff scope,
  ``pickup_collector`` checks the collector's ID (本人 must match the case's person) and
  ``pickup_hand_over`` delivers (pickup) and concludes the case. The hand-over record itself
  (hall.Handover) is written by the hall, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from banhao.core.digests import resident_id_digest
from banhao.core.identifiers import normalize_resident_id
from banhao.core.masking import mask_phone, mask_resident_id

from . import documents, services
from .commands import CaseInfo, case_info
from .models import Case, Status

__all__ = [
    "Collector",
    "PickupRow",
    "WindowCase",
    "WindowItem",
    "WindowItemRefused",
    "pickup_case",
    "pickup_collector",
    "pickup_hand_over",
    "pickup_list",
    "window_case",
    "window_case_readable",
    "window_item",
    "window_item_labels",
    "window_notice",
]


# --- which items a hall may accept ---------------------------------------------------------------


class WindowItemRefused(ValidationError):
    """The item is published, but this hall may not accept it (通办范围)."""


@dataclass(frozen=True)
class WindowItem:
    implementation_id: int
    version_id: int
    title: str
    region_id: int
    region_name: str
    department_id: int
    department_name: str
    scope: str  # 通办范围 of the version ("" when not set)
    label: str  # 本级受理 / 全市通办 / 全县通办
    cross_region: bool
    promised_days: int
    case_type: str
    content: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def _resolve(implementation_id: int, hall_region_id: int):
    """(implementation, version, WindowItem); None when not published; raises WindowItemRefused."""
    from banhao.catalog.api import cross_region_acceptance, published_for_application, version_content

    impl, version = published_for_application(implementation_id)
    if impl is None:
        return None
    label, reason = cross_region_acceptance(impl, version, hall_region_id)
    if reason:
        raise WindowItemRefused(reason, code="scope")
    item = WindowItem(
        implementation_id=impl.pk,
        version_id=version.pk,
        title=version.display_name,
        region_id=impl.region_id,
        region_name=impl.region.name,
        department_id=impl.department_id,
        department_name=impl.department.name,
        scope=version.scope or "",
        label=label,
        cross_region=impl.region_id != hall_region_id,
        promised_days=version.promised_days,
        case_type=version.case_type,
        content=version_content(version),
    )
    return impl, version, item


def window_item(implementation_id: int, *, hall_region_id: int) -> WindowItem | None:
    """The item as a hall of that region may accept it; None when it is not published.
    Raises WindowItemRefused (a ValidationError with the Chinese reason) when the hall may not."""
    found = _resolve(implementation_id, hall_region_id)
    return found[2] if found else None


def window_item_labels(implementation_ids, *, hall_region_id: int) -> dict[int, tuple[str, str]]:
    """{implementation id: (label, refusal reason)} for search results (one of the two is "")."""
    from banhao.catalog.api import cross_region_acceptance, published_for_application

    out = {}
    for pk in implementation_ids:
        impl, version = published_for_application(pk)
        if impl is not None:
            out[pk] = cross_region_acceptance(impl, version, hall_region_id)
    return out


# --- the form: keeping what the clerk typed ---------------------------------------------------


# --- the case and its notices --------------------------------------------------------------------


WindowCase = CaseInfo  # the window reads a case as the one door returns it


def window_case(number: str = "", *, case_id: int | None = None) -> WindowCase | None:
    """A case by number (or id), as plain values; the caller checks the clerk may see it."""
    return case_info(case_id, number=number)


def window_case_readable(user, number: str) -> bool:
    """Whether ``user`` may read the case through the one scoped reader
    (selectors.case_visible_to: its applicant account, or staff with ``cases.view`` whose
    scope covers it). The hall adds its own rule: a case made for a ticket of the clerk's hall."""
    from .selectors import case_visible_to

    return case_visible_to(user, number) is not None


def window_notice(case_id: int, kind: str, *, base_url: str | None = None) -> tuple[str, bytes]:
    """(file name, PDF) of a notice the case was issued. Raises documents.NoticeNotApplicable as
    LookupError when there is none, and core.pdf.PdfUnavailable when PDFs cannot be made here."""
    case = Case.objects.select_related(
        "version", "department", "region", "region__parent", "implementation", "person", "organization"
    ).get(pk=case_id)
    if kind not in documents.KINDS:
        raise LookupError(kind)
    try:
        notice = documents.notice_for(case, kind)
    except documents.NoticeNotApplicable:
        raise LookupError(kind) from None
    return f"{notice.title}-{case.number}.pdf", documents.render_notice(case, kind, base_url=base_url)


# --- unified pickup (统一出件) ---------------------------------------------------------------------


@dataclass(frozen=True)
class PickupRow:
    id: int
    number: str
    item: str
    department: str
    region: str
    applicant: str
    person_name: str
    person_id_masked: str
    phone_masked: str
    result_name: str
    decision: str  # 准予许可 / 不予许可
    status: str
    status_label: str
    decided_at: Any = None
    delivered_at: Any = None


def _pickup_row(case: Case) -> PickupRow:
    decision = ""
    last = case.events.filter(action__in=("approve", "deny")).order_by("-id").first()
    if last is not None:
        decision = "准予许可" if last.action == "approve" else "不予许可"
    return PickupRow(
        id=case.pk,
        number=case.number,
        item=case.version.display_name,
        department=case.department.name,
        region=case.region.name,
        applicant=documents.applicant_name(case),
        person_name=case.person.name,
        person_id_masked=mask_resident_id(case.person.resident_id),
        phone_masked=mask_phone(case.contact_phone),
        result_name=case.version.result_name,
        decision=decision,
        status=case.status,
        status_label=case.get_status_display(),
        decided_at=case.decided_at,
        delivered_at=case.delivered_at,
    )


def _scoped(scope, also_ids=None):
    """Cases in the scope, plus ``also_ids`` (cases accepted at this hall's windows under 全市通办,
    whose results are collected where they were handed in): a query of one column of case ids
    (e.g. ``TicketCase.objects.filter(...).values("case_id")``), or a list of ids."""
    qs = Case.objects.select_related("version", "department", "region", "person", "organization")
    scoped = scope.filter(qs, "region")
    if also_ids is not None:
        # A query of ids (a subquery in the SQL, however many cases the hall ever took in) or,
        # from older callers, a list of ids.
        if not isinstance(also_ids, QuerySet):
            also_ids = list(also_ids)
        return qs.filter(Q(pk__in=scoped.values("pk")) | Q(pk__in=also_ids))
    return scoped


def pickup_list(scope, q: str = "", *, limit: int = 50, also_ids=None) -> tuple[list[PickupRow], int]:
    """Results ready for pickup in the scope (and ``also_ids``), oldest decision first; ``q`` is a
    case number (or its tail), the applicant's resident ID or the contact phone. Returns (rows, total)."""
    qs = _scoped(scope, also_ids).filter(status=Status.RESULT_READY)
    q = "".join((q or "").split())[:32]
    if q:
        cond = Q(number=q) | Q(number__endswith=q) | Q(contact_phone=q)
        if len(q) == 18:
            cond |= Q(person__resident_id=q.upper())
        qs = qs.filter(cond)
    total = qs.count()
    rows = [_pickup_row(c) for c in qs.order_by("decided_at", "id")[:limit]]
    return rows, total


def pickup_case(scope, number: str, *, ready_only: bool = True, also_ids=None) -> PickupRow | None:
    """One case for the pickup window (None when not in the scope, or not ready)."""
    qs = _scoped(scope, also_ids).filter(number=number)
    if ready_only:
        qs = qs.filter(status=Status.RESULT_READY)
    case = qs.first()
    return _pickup_row(case) if case else None


@dataclass(frozen=True)
class Collector:
    relation: str  # self / agent
    name: str
    id_masked: str
    id_sha256: str  # HMAC-SHA256 of the normalised number (never the number itself)
    proxy_note: str


def id_digest(resident_id: str) -> str:
    """The keyed SHA-256 digest of a normalised resident ID: the same number gives the same
    digest (a later dispute can be checked), and the stored digest cannot be reversed by
    trying every possible number without the server's key (banhao.core.digests)."""
    return resident_id_digest(resident_id)


def pickup_collector(
    case_id: int, *, relation: str, resident_id: str, name: str = "", note: str = ""
) -> Collector:
    """Checks who collects. 本人: the ID typed must be the case's person's. 受托代领人: their own
    name and valid ID, and a note of the authorisation. Raises ValidationError
    ({input name: message}) and changes nothing."""
    case = Case.objects.select_related("person").get(pk=case_id)
    errors: dict[str, str] = {}
    number = ""
    try:
        number = normalize_resident_id(resident_id)
    except ValidationError as exc:
        errors["resident_id"] = exc.messages[0]
    if relation == "self":
        if number and number != case.person.resident_id:
            errors["resident_id"] = (
                "证件号码与申请人不一致：本人领取须核验申请人本人的身份证件；他人代领请选择“受托代领人”。"
            )
        name = case.person.name
        note = ""
    elif relation == "agent":
        name = " ".join((name or "").split())[:50]
        note = " ".join((note or "").split())[:200]
        if not name:
            errors["name"] = "请填写代领人姓名。"
        if not note:
            errors["note"] = "请写明委托情况（如：持申请人签字的授权委托书及申请人身份证复印件）。"
    else:
        errors["relation"] = "请选择领取人身份：本人或受托代领人。"
    if errors:
        raise ValidationError(errors)
    return Collector(relation, name, mask_resident_id(number), id_digest(number), note)


@transaction.atomic
def pickup_hand_over(*, actor, case_id: int) -> PickupRow:
    """Hands the result over at the window: delivered (窗口领取), then concluded. A case not
    (or no longer) ready for pickup raises the transition's Chinese message."""
    case = Case.objects.select_for_update().get(pk=case_id)
    if case.status != Status.RESULT_READY:
        raise ValidationError(f"该办件当前状态为“{case.get_status_display()}”，不能出件（可能已领取）。")
    case = services.case_deliver(actor=actor, case=case, method=Case.Delivery.PICKUP)
    case = services.case_conclude(actor=actor, case=case)
    case = Case.objects.select_related("version", "department", "region", "person", "organization").get(
        pk=case.pk
    )
    return _pickup_row(case)
