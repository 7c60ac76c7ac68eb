"""Cases for tests, brought to a life-cycle state through the real services (never by writing
the status column), so a factory-made case has every event, date and step a real one has.

    CaseFactory(accepted=True)            # 受理 today (or on=…)
    CaseFactory(under_review=True)        # claimed by a reviewer
    CaseFactory(reviewed=True)            # the reviewer's step completed: at the decision step
    CaseFactory(approved=True) / CaseFactory(denied=True)
    CaseFactory(result_ready=True) / (delivered=True) / (concluded=True)
    CaseFactory(correction=True) / CaseFactory(refused=True)
    CaseFactory(overdue=True)             # accepted long enough ago to be past its promised date

A later state implies the earlier ones. ``CaseFactory`` is a pytest fixture (conftest.py) over
``advance``, which tests may also call on a case they made themselves.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from banhao.cases import services, workflow
from banhao.cases.models import Case

ORDER = (
    "accepted",
    "under_review",
    "reviewed",
    "decided",
    "result_ready",
    "delivered",
    "concluded",
)


def _staff(username: str):
    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"kind": "staff"})
    return user


def advance(
    case: Case,
    *,
    accepted: bool = False,
    under_review: bool = False,
    reviewed: bool = False,
    approved: bool = False,
    denied: bool = False,
    result_ready: bool = False,
    delivered: bool = False,
    concluded: bool = False,
    correction: bool = False,
    refused: bool = False,
    overdue: bool = False,
    on: dt.date | None = None,
    reviewer=None,
    reason: str = "",
) -> Case:
    """Moves a submitted case to the state the traits name, step by step through the services."""
    if correction:
        return services.case_request_correction(
            actor="测试", case=case, items=[{"material": "营业执照", "reason": "已过期"}]
        )
    if refused:
        return services.case_refuse(actor="测试", case=case, reason=reason or "不属于本机关职权范围")
    decided = approved or denied
    wanted = {
        "accepted": accepted or overdue,
        "under_review": under_review,
        "reviewed": reviewed,
        "decided": decided,
        "result_ready": result_ready,
        "delivered": delivered,
        "concluded": concluded,
    }
    deepest = max((i for i, name in enumerate(ORDER) if wanted[name]), default=-1)
    if deepest < 0:
        return case
    if overdue and on is None:
        on = timezone.localdate() - dt.timedelta(days=90)
    case = services.case_accept(actor="测试", case=case, on=on)
    if deepest >= 1:
        case = services.case_claim(actor=reviewer or _staff("factory-reviewer"), case=case)
    plan = workflow.plan_for(case.version.steps)
    while deepest >= 2 and plan.decision is not None and case.step_index < plan.decision:
        case = services.case_record_opinion(
            actor="测试", case=case, opinion="材料齐全，符合条件", complete_step=True
        )
    if deepest >= 3:
        approve = not denied
        why = reason or ("" if approve else "不符合法定条件")
        case = services.case_decide(actor="测试", case=case, approved=approve, reason=why)
    if deepest >= 4:
        case = services.case_result_ready(actor="测试", case=case)
    if deepest >= 5:
        case = services.case_deliver(actor="测试", case=case, method=Case.Delivery.PICKUP)
    if deepest >= 6:
        case = services.case_conclude(actor="测试", case=case)
    return case
