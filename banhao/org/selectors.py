"""Reads of the organisation, filtered by the reader's scope."""

from django.db.models import Count, QuerySet

from .models import Department, Hall, StaffMember, Window
from .scope import Scope


def departments_visible(scope: Scope) -> QuerySet[Department]:
    qs = scope.filter(Department.objects.select_related("region").annotate(staff_count=Count("staff")))
    if scope.department_id and scope.role in {"reviewer", "department_head"}:
        qs = qs.filter(pk=scope.department_id)
    return qs


def halls_visible(scope: Scope) -> QuerySet[Hall]:
    return scope.filter(Hall.objects.select_related("region")).prefetch_related("zones")


def windows_visible(scope: Scope, hall_id: int | None = None) -> QuerySet[Window]:
    qs = scope.filter(Window.objects.select_related("hall", "zone"), region_field="hall__region")
    if hall_id:
        qs = qs.filter(hall_id=hall_id)
    return qs.prefetch_related("departments", "staff")


def staff_visible(scope: Scope) -> QuerySet[StaffMember]:
    qs = StaffMember.objects.select_related("region", "department", "hall", "window")
    return scope.filter(qs, department_field="department")
