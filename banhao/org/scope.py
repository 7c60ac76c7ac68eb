"""Data scope: which regions (and departments) a staff member's records may come from.

Every staff read and write goes through a `Scope`: a county clerk's scope is the county
and the regions below it; a city administrator's is the whole city, plus records that
belong to no region of ours (outside the city); a reviewer's is further narrowed to the
department. Applicants have no staff scope at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .models import Region, StaffMember
from .roles import DEPARTMENT_SCOPED, role_can


@dataclass(frozen=True)
class Scope:
    staff_id: int
    role: str
    region_id: int
    region_ids: frozenset[int]
    department_id: int | None
    hall_id: int | None
    is_city_wide: bool

    def can(self, permission: str) -> bool:
        return role_can(self.role, permission)

    def allows(self, region_id: int | None, department_id: int | None = None) -> bool:
        if region_id is None:
            in_region = self.is_city_wide
        else:
            in_region = region_id in self.region_ids
        if not in_region:
            return False
        if self.role in DEPARTMENT_SCOPED and department_id is not None:
            return department_id == self.department_id
        return True

    def filter(
        self, qs: QuerySet, region_field: str = "region", department_field: str | None = None
    ) -> QuerySet:
        cond = Q(**{f"{region_field}__in": self.region_ids})
        if self.is_city_wide:
            cond |= Q(**{f"{region_field}__isnull": True})
        qs = qs.filter(cond)
        if department_field and self.role in DEPARTMENT_SCOPED:
            qs = qs.filter(**{department_field: self.department_id})
        return qs


def region_descendants(region_id: int) -> frozenset[int]:
    parents = dict(Region.objects.values_list("id", "parent_id"))
    found = {region_id}
    changed = True
    while changed:
        changed = False
        for rid, pid in parents.items():
            if pid in found and rid not in found:
                found.add(rid)
                changed = True
    return frozenset(found)


def scope_for_user(user) -> Scope | None:
    """The user's scope, or None for applicants, anonymous users and inactive staff."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_banhao_scope", False)
    if cached is not False:
        return cached
    staff = StaffMember.objects.filter(user=user, active=True).select_related("region").first()
    scope = None
    if staff is not None:
        scope = Scope(
            staff_id=staff.pk,
            role=staff.role,
            region_id=staff.region_id,
            region_ids=region_descendants(staff.region_id),
            department_id=staff.department_id,
            hall_id=staff.hall_id,
            is_city_wide=staff.region.parent_id is None or staff.region.level == Region.Level.CITY,
        )
    user._banhao_scope = scope
    return scope
