"""What other apps may use of cases: the one door (case_open / case_act), case groups, and
the facts of cases and their events as plain values, never models.

Every channel opens a case with ``case_open`` and moves it with ``case_act`` (commands.py);
the permission rules are inside them. Readers take ``case_info`` and ``case_events_after``.
(The wording the applicant receives is cases' own: cases/messages.py.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from . import apply_forms as application_form  # the item form (fields, situations, materials)
from .commands import (
    ACCEPT,
    CORRECTION,
    OUTCOMES,
    REFUSE,
    SUBMIT,
    Applicant,
    CaseEventFact,
    CaseGroupInfo,
    CaseInfo,
    CaseNotFound,
    case_act,
    case_events_after,
    case_group_deliver,
    case_group_info,
    case_group_open,
    case_info,
    case_open,
)
from .self_service_api import *  # noqa: F403  (the 24-hour self-service area)
from .self_service_api import __all__ as _self_service_all
from .window_api import *  # noqa: F403  (comprehensive windows and unified pickup)
from .window_api import __all__ as _window_all

__all__ = [
    "CaseRatingFacts",
    "case_rating_facts",
    "cases_finished_between",
    "CaseConcludedFact",
    "CaseTimeFact",
    "case_concluded_facts",
    "case_due_facts",
    "ACCEPT",
    "CORRECTION",
    "OUTCOMES",
    "REFUSE",
    "SUBMIT",
    "Applicant",
    "CaseEventFact",
    "CaseEventInfo",
    "CaseGroupInfo",
    "CaseInfo",
    "CaseNotFound",
    "case_act",
    "case_event_info",
    "case_events_after",
    "case_group_deliver",
    "case_group_info",
    "case_group_open",
    "case_info",
    "case_open",
    "application_form",
    "case_summaries",
    *_window_all,
    *_self_service_all,
]


@dataclass(frozen=True)
class CaseEventInfo:
    event_id: int
    action: str
    action_label: str
    note: str
    case_id: int
    case_number: str
    item: str  # the item's display name, 食品经营许可（新办）
    applicant_user_id: int | None  # None for a case taken at the window without an account
    contact_phone: str
    status_label: str
    promised_due: dt.date | None
    promised_due_cn: str  # 2026年2月27日, or ""
    procedure: str  # the special procedure of a "suspend" step (听证 …), or ""
    delivery: str  # 邮寄送达（快递单号…）, or ""
    next_step: str  # what the applicant is expected to do now ("" once a later step happened)
    data: dict[str, Any] = field(default_factory=dict)


def case_event_info(event_id: int) -> CaseEventInfo | None:
    """The facts of one CaseEvent and its case as they are now (None when it does not exist)."""
    from . import documents, states
    from .messages import delivery_label, next_step_for_applicant, procedure_label
    from .models import CaseEvent

    event = CaseEvent.objects.select_related("case", "case__version").filter(pk=event_id).first()
    if event is None:
        return None
    case = event.case
    data = event.data or {}
    latest = case.events.order_by("-id").values_list("id", flat=True).first()
    return CaseEventInfo(
        event_id=event.pk,
        action=event.action,
        action_label=states.ACTION_LABELS.get(event.action, event.action),
        note=event.note,
        case_id=case.pk,
        case_number=case.number,
        item=case.version.display_name,
        applicant_user_id=case.applicant_user_id,
        contact_phone=case.contact_phone,
        status_label=case.get_status_display(),
        promised_due=case.promised_due,
        promised_due_cn=documents.cn_date(case.promised_due),
        procedure=procedure_label(event),
        delivery=delivery_label(case),
        next_step=next_step_for_applicant(case) if latest == event.pk else "",
        data=data,
    )


def case_summaries(case_ids: list[int]) -> list[dict[str, Any]]:
    """Number, item, department and status of some cases, in the order given (for the hall)."""
    from .models import Case

    rows = {
        c.pk: {
            "id": c.pk,
            "number": c.number,
            "item": c.version.display_name,
            "department": c.department.name,
            "status": c.status,
            "status_label": c.get_status_display(),
        }
        for c in Case.objects.select_related("version", "department").filter(pk__in=case_ids)
    }
    return [rows[i] for i in case_ids if i in rows]


# --- facts for evaluation (好差评, 12345 callbacks) -------------------------------------------


@dataclass(frozen=True)
class CaseRatingFacts:
    """What the evaluation loop needs of a case: who may rate it, and where the rating belongs."""

    id: int
    number: str
    item: str
    status: str
    department_id: int
    department: str
    region_id: int
    applicant_user_id: int | None
    person_id: int
    contact_phone: str
    channel: str
    delivered_at: dt.datetime | None
    concluded_at: dt.datetime | None
    complex: bool  # promised limit over 5 working days: its rectifications get the longer deadline
    rehandle_count: int = 0  # times sent back for re-handling (重办): each round is called back again

    @property
    def ratable(self) -> bool:
        """Rated after delivery (送达) or conclusion (办结)."""
        return self.status in ("delivered", "concluded")


def _rating_facts(c) -> CaseRatingFacts:
    return CaseRatingFacts(
        id=c.pk,
        number=c.number,
        item=c.version.display_name,
        status=c.status,
        department_id=c.department_id,
        department=c.department.name,
        region_id=c.region_id,
        applicant_user_id=c.applicant_user_id,
        person_id=c.person_id,
        contact_phone=c.contact_phone,
        channel=c.channel,
        delivered_at=c.delivered_at,
        concluded_at=c.concluded_at,
        complex=(c.promised_limit or 0) > 5,
        rehandle_count=c.rehandle_count,
    )


def case_rating_facts(case_id: int | None = None, *, number: str = "") -> CaseRatingFacts | None:
    from .models import Case

    qs = Case.objects.select_related("version", "department").only(
        "number",
        "status",
        "department_id",
        "department__name",
        "region_id",
        "applicant_user_id",
        "person_id",
        "contact_phone",
        "channel",
        "delivered_at",
        "concluded_at",
        "promised_limit",
        "rehandle_count",
        "version__name",
        "version__sub_item_name",
        "version__handling_name",
    )
    c = qs.filter(pk=case_id).first() if case_id is not None else qs.filter(number=number).first()
    return _rating_facts(c) if c else None


def cases_finished_between(
    start: dt.datetime, end: dt.datetime, *, limit: int = 5000
) -> list[CaseRatingFacts]:
    """Cases delivered (or concluded without a delivery) in [start, end), oldest first: the
    default-rating sweep and the 12345 callback plan read them."""
    from django.db.models import Q

    from .models import Case

    qs = (
        Case.objects.select_related("version", "department")
        .filter(status__in=["delivered", "concluded"])
        .filter(
            Q(delivered_at__gte=start, delivered_at__lt=end)
            | Q(delivered_at__isnull=True, concluded_at__gte=start, concluded_at__lt=end)
        )
        .order_by("delivered_at", "id")
    )
    return [_rating_facts(c) for c in qs[:limit]]


# --- facts for the assessment (考核): one query per period ------------------------------------


@dataclass(frozen=True, slots=True)
class CaseTimeFact:
    """A case whose promised day (承诺办结日期) falls in a period, and whether its decision came
    by that day. A case with no decision yet counts as late once the day has passed."""

    id: int
    number: str
    department_id: int
    region_id: int
    on_time: bool


def case_due_facts(start: dt.date, end: dt.date, *, today: dt.date | None = None) -> list[CaseTimeFact]:
    """The accepted cases whose promised day is in [start, end) and has passed by ``today``
    (a case due tomorrow is neither on time nor late yet). On time: decided (or concluded) on
    or before the promised day, in local time; suspensions already moved that day (特别程序).
    One query; the comparison is made by the database."""
    from django.db import models as m
    from django.db.models.functions import Coalesce, TruncDate
    from django.utils import timezone

    from .models import Case

    today = today or timezone.localdate()
    qs = Case.objects.filter(promised_due__gte=start, promised_due__lt=min(end, today + dt.timedelta(days=1)))
    qs = qs.exclude(status__in=["withdrawn", "refused"]).annotate(
        done_on=TruncDate(Coalesce("decided_at", "concluded_at"), tzinfo=timezone.get_current_timezone()),
        on_time=m.Case(
            m.When(done_on__isnull=False, done_on__lte=m.F("promised_due"), then=m.Value(True)),
            default=m.Value(False),
            output_field=m.BooleanField(),
        ),
    )
    return [
        CaseTimeFact(*row) for row in qs.values_list("id", "number", "department_id", "region_id", "on_time")
    ]


@dataclass(frozen=True, slots=True)
class CaseConcludedFact:
    id: int
    number: str
    department_id: int
    region_id: int


def case_concluded_facts(start: dt.date, end: dt.date) -> list[CaseConcludedFact]:
    """The cases delivered or concluded in [start, end) (the 一次办好 denominator). One query."""
    from django.db.models import Q
    from django.utils import timezone

    from .models import Case

    since = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    until = timezone.make_aware(dt.datetime.combine(end, dt.time.min))
    qs = Case.objects.filter(status__in=["delivered", "concluded"]).filter(
        Q(delivered_at__gte=since, delivered_at__lt=until)
        | Q(delivered_at__isnull=True, concluded_at__gte=since, concluded_at__lt=until)
    )
    return [CaseConcludedFact(*row) for row in qs.values_list("id", "number", "department_id", "region_id")]
