"""What other apps may use of org: scopes, roles, regions by code."""

from __future__ import annotations

from dataclasses import dataclass

from .admin_base import ScopedAuditedAdmin
from .models import Region, StaffMember
from .roles import Role, role_can
from .scope import Scope, scope_for_user

__all__ = [
    "RegionInfo",
    "Role",
    "Scope",
    "ScopedAuditedAdmin",
    "StaffInfo",
    "city_region_code",
    "department_id_by_name",
    "department_names",
    "region_choices",
    "region_for_division_code",
    "region_id_by_code",
    "role_can",
    "scope_for_user",
    "staff_for_user",
    "staff_required",
]


@dataclass(frozen=True)
class RegionInfo:
    id: int
    code: str
    name: str


def region_for_division_code(code: str) -> RegionInfo | None:
    """The region a 6-digit division code belongs to: the exact region, else its city.

    Codes from outside the configured regions (another province) give None.
    """
    if not code or len(code) < 6:
        return None
    exact = Region.objects.filter(code=code[:6]).first()
    if exact is None:
        exact = Region.objects.filter(code=code[:4] + "00", level=Region.Level.CITY).first()
    return RegionInfo(exact.pk, exact.code, exact.name) if exact else None


@dataclass(frozen=True)
class StaffInfo:
    name: str
    employee_no: str
    role: str
    role_label: str
    region_name: str
    department_name: str
    hall_id: int | None
    hall_name: str
    window_label: str


def staff_for_user(user) -> StaffInfo | None:
    if not getattr(user, "is_authenticated", False):
        return None
    s = StaffMember.objects.filter(user=user).select_related("region", "department", "hall", "window").first()
    if s is None:
        return None
    return StaffInfo(
        name=s.name,
        employee_no=s.employee_no,
        role=s.role,
        role_label=s.get_role_display(),
        region_name=s.region.name,
        department_name=s.department.name if s.department else "",
        hall_id=s.hall_id,
        hall_name=s.hall.name if s.hall else "",
        window_label=str(s.window) if s.window else "",
    )


def staff_required(permission: str):
    """View decorator: a logged-in, active staff member whose role grants ``permission``.

    Anonymous users go to the login page; applicants and staff without the permission get
    403. The view receives the scope as ``request.scope`` and must use it for every query.
    """
    from functools import wraps

    from django.contrib.auth.views import redirect_to_login
    from django.core.exceptions import PermissionDenied

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            scope = scope_for_user(request.user)
            if scope is None or not scope.can(permission):
                raise PermissionDenied("您的角色无权访问此页面。")
            request.scope = scope
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def department_id_by_name(name: str, region_code: str) -> int | None:
    """The department of that name in that region (None when there is none)."""
    from .models import Department

    return Department.objects.filter(name=name, region__code=region_code).values_list("id", flat=True).first()


def region_id_by_code(code: str) -> int | None:
    return Region.objects.filter(code=code).values_list("id", flat=True).first()


def city_region_code() -> str | None:
    """The division code of the top region (the city the deployment serves)."""
    return (
        Region.objects.filter(parent__isnull=True)
        .order_by("order", "code")
        .values_list("code", flat=True)
        .first()
    )


def department_names(region_code: str) -> list[str]:
    """Names of the active departments of a region, in display order."""
    from .models import Department

    return list(
        Department.objects.filter(region__code=region_code, active=True)
        .order_by("order", "name")
        .values_list("name", flat=True)
    )


def region_choices(region_ids=None) -> list[tuple[str, str]]:
    """(division code, name) of the regions, optionally limited to some ids (a scope)."""
    qs = Region.objects.order_by("order", "code")
    if region_ids is not None:
        qs = qs.filter(id__in=region_ids)
    return list(qs.values_list("code", "name"))
