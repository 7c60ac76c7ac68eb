"""The 12345 part's sources for the supervisor's workbench and the department's view
(summary.register_source): the pending case callbacks (回访) and the open hotline tickets (工单),
each with its deadline. Imported at the end of summary.py."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from . import summary
from .models_hotline import Callback, HotlineTicket


def _callbacks(scope, today: dt.date, limit: int) -> summary.Counts:
    """Pending callbacks within the scope (a department role: its own department's)."""
    qs = scope.filter(
        Callback.objects.filter(status=Callback.Status.PENDING).select_related("department"),
        region_field="region",
        department_field="department",
    )
    opens = scope.can("hotline.callback")
    return summary.from_queryset(
        qs,
        today=today,
        limit=limit,
        due_field="due_on",
        item=lambda c: summary.Item(
            f"回访 {c.case_number}",
            reverse("hotline:callback", args=[c.pk]) if opens else None,
            c.due_on,
            c.get_status_display(),
            c.department.name,
        ),
    )


def _tickets(scope, today: dt.date, limit: int) -> summary.Counts:
    """Tickets not yet answered (their answer clock runs), as the hotline pages scope them."""
    from .tickets import tickets_for_scope

    qs = tickets_for_scope(scope).filter(
        status__in=[
            HotlineTicket.Status.RECEIVED,
            HotlineTicket.Status.DISPATCHED,
            HotlineTicket.Status.RETURNED,
            HotlineTicket.Status.SIGNED,
        ]
    )
    opens = scope.can("hotline.tickets") or scope.can("hotline.handle")
    return summary.from_queryset(
        qs,
        today=today,
        limit=limit,
        due_field="answer_due",
        item=lambda t: summary.Item(
            f"12345工单 {t.number}",
            reverse("hotline:ticket", args=[t.pk]) if opens else None,
            t.answer_due,
            t.get_status_display(),
            t.department.name if t.department_id else "尚未派单",
        ),
    )


summary.register_source(
    "callbacks",
    "12345回访",
    _callbacks,
    permissions=("evaluation.supervise",),
    list_url="hotline:metrics",
    order=40,
)
summary.register_source(
    "hotline_tickets",
    "12345工单",
    _tickets,
    permissions=("evaluation.supervise", "evaluation.department"),
    list_url="hotline:metrics",
    order=50,
)
