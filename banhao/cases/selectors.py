"""Reads of cases, always through a scope: staff whose role may read cases (``cases.view``) see
their region (and, in the back office, only their department); applicants see the cases of
their own account. ``case_visible_to`` is the one reader for a case page or notice.

A case outside the reader's scope is simply not found (None / an empty queryset), so the
views answer 404 and nobody can probe which case numbers exist. A staff role without
``cases.view`` (a helper, a catalog officer) has no case scope at all: it sees none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.db.models import Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from banhao.core.masking import mask_field_value
from banhao.org.api import scope_for_user

from . import clock
from .models import OPEN_STATUSES, STATUS_GROUPS, Case, Status, Warning

# Finished cases leave the working list; the "all" filter brings them back.
CLOSED_STATUSES = STATUS_GROUPS["closed"]
# Statuses in which a reviewer takes (claims) or is given (assigned) a case.
REVIEW_STATUSES = STATUS_GROUPS["review"]
# The permission every staff read of a case needs, on top of the region/department scope.
VIEW_PERMISSION = "cases.view"
# The decision belongs to the department head where the process has that step.
HEAD_ROLE_LABEL = "部门负责人"


def _base() -> QuerySet[Case]:
    return Case.objects.select_related(
        "version", "region", "department", "person", "organization", "assignee"
    )


def cases_for_staff(scope) -> QuerySet[Case]:
    """The cases a staff member may see: none unless the role has ``cases.view``; else their
    region (and below), and for the department-scoped roles (reviewer, department head) only
    their department's cases."""
    if scope is None or not scope.can(VIEW_PERMISSION):
        return Case.objects.none()
    return scope.filter(_base(), region_field="region", department_field="department")


def case_for_staff(scope, number: str) -> Case | None:
    """One case by number, or None when it does not exist or lies outside the scope."""
    return cases_for_staff(scope).filter(number=number).first()


def cases_for_applicant(user) -> QuerySet[Case]:
    """The cases submitted from this applicant account."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return _base().filter(applicant_user=user)


def case_for_applicant(user, number: str) -> Case | None:
    return cases_for_applicant(user).filter(number=number).first()


def case_visible_to(user, number: str) -> Case | None:
    """The case when ``user`` may read it, else None (absent and forbidden look the same):
    for the applicant account that submitted it, or for staff whose role has ``cases.view``
    and whose scope covers the case's region (and department, for the department roles)."""
    if not getattr(user, "is_authenticated", False):
        return None
    case = _base().select_related("region__parent", "implementation").filter(number=number).first()
    if case is None:
        return None
    if is_owner(case, user):
        return case
    scope = scope_for_user(user)
    if scope is not None and scope.can(VIEW_PERMISSION) and scope.allows(case.region_id, case.department_id):
        return case
    return None


def is_owner(case: Case, user) -> bool:
    """The case was submitted from this account (withdraw and correct are the owner's)."""
    return case.applicant_user_id is not None and case.applicant_user_id == getattr(user, "pk", None)


def _urgency_order(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Red first, then yellow, then by the promised due date (undated cases last)."""
    return qs.annotate(
        _urgency=models.Case(
            When(warning=Warning.RED, then=Value(0)),
            When(warning=Warning.YELLOW, then=Value(1)),
            default=Value(2),
            output_field=models.IntegerField(),
        )
    ).order_by("_urgency", F("promised_due").asc(nulls_last=True), "submitted_at", "id")


def inbox(
    scope,
    user,
    *,
    status: str | None = None,
    warning: str | None = None,
    mine: bool = False,
    unassigned: bool = False,
    q: str = "",
    number: str = "",
) -> QuerySet[Case]:
    """The reviewer's working list. ``status`` None or "" = every unfinished case, "all" =
    every case, else that status; ``warning`` a Warning value; ``q`` matches the item name,
    the applicant or the number."""
    qs = cases_for_staff(scope)
    if status == "all":
        pass
    elif status in Status.values:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status__in=CLOSED_STATUSES)
    if warning in Warning.values:
        qs = qs.filter(warning=warning)
    if mine:
        qs = qs.filter(assignee=user)
    if unassigned:
        qs = qs.filter(assignee__isnull=True)
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(version__name__contains=q)
            | Q(version__sub_item_name__contains=q)
            | Q(person__name__contains=q)
            | Q(organization__name__contains=q)
            | Q(number__contains=q)
        )
    number = (number or "").strip()
    if number:
        qs = qs.filter(number__contains=number)
    return _urgency_order(qs)


def status_counts(scope) -> dict[str, int]:
    """Cases in scope per status, plus the red and yellow warnings of unfinished cases."""
    qs = cases_for_staff(scope)
    counts = {row["status"]: row["n"] for row in qs.order_by().values("status").annotate(n=Count("id"))}
    warn = qs.exclude(status__in=CLOSED_STATUSES).order_by().values("warning").annotate(n=Count("id"))
    for row in warn:
        counts[f"warning:{row['warning']}"] = row["n"]
    return counts


@dataclass(frozen=True)
class Countdown:
    """The SLA countdown as words (never colour alone) and a level for the colour."""

    text: str
    level: str  # "red" | "yellow" | "none" | "" (no clock)
    days: int | None


def countdown(case: Case, today: dt.date | None = None) -> Countdown:
    """“剩余3个工作日” / “今日到期” / “超期2个工作日”, from clock.workdays_left; the colour
    follows the stored warning level the sweep keeps."""
    if case.status == Status.SUSPENDED:
        return Countdown("特别程序中，计时暂停", case.warning, None)
    if case.status not in OPEN_STATUSES or case.promised_due is None:
        return Countdown("", "", None)
    today = today or timezone.localdate()
    left = clock.workdays_left(today, case.promised_due)
    if left > 0:
        text = f"剩余{left}个工作日"
    elif left == 0 and today <= case.promised_due:
        text = "今日到期"
    elif left == 0:  # due on a working day, today a rest day after it
        text = "已超期"
    else:
        text = f"超期{-left}个工作日"
    level = case.warning
    if left < 0 or (left == 0 and today > case.promised_due):
        level = Warning.RED  # overdue reads red even before tonight's sweep
    return Countdown(text, level, left)


def requires_head_sign_off(case: Case) -> bool:
    """The process (the version's steps) has a department head step: only a head decides."""
    return any((step or {}).get("role") == HEAD_ROLE_LABEL for step in case.version.steps or [])


def current_step(case: Case) -> str:
    if case.status in CLOSED_STATUSES:
        return ""
    steps = case.version.steps or []
    if case.step_index < len(steps):
        return steps[case.step_index].get("name", "")
    return ""


def form_rows(case: Case) -> list[tuple[str, str]]:
    """The applicant's form data as (label, value), in the order of the version's fields;
    keys the version does not know come last under their own names. Identifiers are masked:
    a resident-ID or phone field whole, an ID or mobile inside any other answer."""
    data = case.form_data or {}
    rows: list[tuple[str, str]] = []
    seen = set()
    for field in case.version.form_fields or []:
        key = field.get("key")
        if not key:
            continue
        seen.add(key)
        if key in data:
            value = mask_field_value(_plain(data[key]), field.get("type") or "")
            rows.append((field.get("label") or key, value))
    rows.extend((key, mask_field_value(_plain(value))) for key, value in data.items() if key not in seen)
    return rows


def situation_rows(case: Case) -> list[tuple[str, str]]:
    questions = {s.get("key"): s.get("question") for s in case.version.situations or []}
    return [(questions.get(k) or k, _plain(v)) for k, v in (case.situations or {}).items()]


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{_plain(v)}" for k, v in value.items())
    return str(value)


def applicant_label(case: Case) -> str:
    """The applicant as staff see it: the organisation's name, else the person's name and
    masked ID number."""
    if case.organization_id:
        return f"{case.organization.name}（经办人：{case.person.name}）"
    return f"{case.person.name}（{case.person.masked_id}）"


def assignee_candidates(case: Case) -> QuerySet:
    """Active back-office staff of the case's department (those a head may assign it to)."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            staff__department_id=case.department_id,
            staff__active=True,
            staff__role__in=["reviewer", "department_head"],
            is_active=True,
        )
        .order_by("staff__employee_no")
    )
