"""差评整改: every real-name bad rating opens a rectification for the department of the case
(or the hall, for a rating of a window visit) with a deadline in working days: 5 for a simple
case, 15 for a complex one (BANHAO_RECTIFICATION_DAYS)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from banhao.core.calendar import add_workdays

from .models import Rating, Rectification, RectificationEvent


def deadline_days(complex_: bool) -> int:
    days = getattr(settings, "BANHAO_RECTIFICATION_DAYS", {"simple": 5, "complex": 15})
    return int(days["complex" if complex_ else "simple"])


def _event(rect: Rectification, actor, action: str, before: str, note: str = "", data: dict | None = None):
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = (getattr(user, "display_name", "") or user.get_username()) if user else str(actor or "系统")
    return RectificationEvent.objects.create(
        rectification=rect,
        action=action,
        from_status=before,
        to_status=rect.status,
        note=note,
        data=data or {},
        actor=user,
        actor_label=label,
    )


@transaction.atomic
def rectification_open(*, rating: Rating, complex: bool = False, on=None) -> Rectification:
    """Opens the rectification of a bad rating (once: a second call returns the first)."""
    existing = Rectification.objects.filter(rating=rating).first()
    if existing is not None:
        return existing
    today = on or timezone.localdate()
    rect = Rectification.objects.create(
        rating=rating,
        department_id=rating.department_id,
        hall_id=None if rating.department_id else rating.hall_id,
        region_id=rating.region_id,
        complex=complex,
        opened_on=today,
        due_on=add_workdays(today, deadline_days(complex)),
    )
    _event(rect, "差评自动派发", "open", "", note=f"整改期限 {rect.due_on.isoformat()}")
    return rect
