"""What other apps may use of org: scopes, roles, regions by code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .admin_base import ScopedAuditedAdmin
from .models import Region, StaffMember
from .roles import Role, role_can
from .scope import Scope, scope_for_user

__all__ = [
    "AssessmentSubject",
    "DepartmentInfo",
    "HallInfo",
    "RegionInfo",
    "Role",
    "Scope",
    "ScopedAuditedAdmin",
    "StaffBrief",
    "StaffInfo",
    "StaffRow",
    "WindowBrief",
    "WindowInfo",
    "ZoneInfo",
    "assessment_subjects",
    "city_region_code",
    "county_of_regions",
    "department_choices",
    "department_credit_codes",
    "department_id_by_name",
    "department_info",
    "department_names",
    "department_staff_user_ids",
    "hall_info",
    "hall_list",
    "region_ancestors",
    "region_choices",
    "region_descendants_of",
    "region_for_division_code",
    "region_id_by_code",
    "region_info",
    "role_can",
    "scope_for_user",
    "staff_brief",
    "staff_choices",
    "staff_for_user",
    "staff_members_of",
    "staff_names",
    "staff_required",
    "staff_rows",
    "staff_user_ids",
    "window_brief",
    "window_choices",
    "window_info",
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


def region_info(region_id: int) -> RegionInfo | None:
    r = Region.objects.filter(pk=region_id).first()
    return RegionInfo(r.pk, r.code, r.name) if r else None


@dataclass(frozen=True)
class DepartmentInfo:
    id: int
    name: str
    credit_code: str
    region: RegionInfo


def department_info(department_id: int) -> DepartmentInfo | None:
    from .models import Department

    d = Department.objects.select_related("region").filter(pk=department_id).first()
    if d is None:
        return None
    return DepartmentInfo(d.pk, d.name, d.credit_code, RegionInfo(d.region.pk, d.region.code, d.region.name))


@dataclass(frozen=True)
class StaffInfo:
    staff_id: int
    region_id: int
    window_id: int | None
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
        staff_id=s.pk,
        region_id=s.region_id,
        window_id=s.window_id,
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


def department_credit_codes() -> list[str]:
    """The unified social credit codes of every department (active or not), in code order.

    Issuers of e-licences sign with a key per credit code (banhao.licences.keys).
    """
    from .models import Department

    return list(
        Department.objects.exclude(credit_code="")
        .order_by("credit_code")
        .values_list("credit_code", flat=True)
    )


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


def department_staff_user_ids(department_id: int, permission: str) -> list[int]:
    """The accounts of a department's active staff whose role grants ``permission``."""
    rows = StaffMember.objects.filter(department_id=department_id, active=True).values_list("user_id", "role")
    return [user_id for user_id, role in rows if role_can(role, permission)]


def region_choices(region_ids=None) -> list[tuple[str, str]]:
    """(division code, name) of the regions, optionally limited to some ids (a scope)."""
    qs = Region.objects.order_by("order", "code")
    if region_ids is not None:
        qs = qs.filter(id__in=region_ids)
    return list(qs.values_list("code", "name"))


# --- halls, zones and windows (the hall app reads them through here) ------------------------


@dataclass(frozen=True)
class ZoneInfo:
    id: int
    letter: str
    name: str
    kind: str
    floor: str
    slot_capacity: int
    bookable: bool
    takes_tickets: bool


@dataclass(frozen=True)
class WindowInfo:
    id: int
    number: int
    kind: str
    kind_label: str
    zone_id: int
    zone_letter: str
    zone_name: str
    served_zone_ids: tuple[int, ...]
    department_names: tuple[str, ...]
    active: bool
    hall_id: int = 0

    @property
    def label(self) -> str:
        return f"{self.number}号窗口"


@dataclass(frozen=True)
class HallInfo:
    id: int
    name: str
    region_id: int
    region_code: str
    region_name: str
    address: str
    phone: str
    opening_hours: str
    am_open: dt.time
    am_close: dt.time
    pm_open: dt.time
    pm_close: dt.time
    slot_minutes: int
    zones: tuple[ZoneInfo, ...]
    windows: tuple[WindowInfo, ...]

    def zone(self, zone_id: int) -> ZoneInfo | None:
        return next((z for z in self.zones if z.id == zone_id), None)

    def window(self, window_id: int) -> WindowInfo | None:
        return next((w for w in self.windows if w.id == window_id), None)

    def zone_by_letter(self, letter: str) -> ZoneInfo | None:
        return next((z for z in self.zones if z.letter == letter), None)


def hall_info(hall_id: int, *, windows: bool = True) -> HallInfo | None:
    """A hall with its zones and windows, as plain values (None when there is no such hall).

    ``windows=False`` leaves the windows out (two queries instead of five: taking a ticket)."""
    from .models import Hall, Window, Zone

    hall = Hall.objects.select_related("region").filter(pk=hall_id).first()
    if hall is None:
        return None
    zones = tuple(
        ZoneInfo(z.pk, z.letter, z.name, z.kind, z.floor, z.slot_capacity, z.bookable, z.takes_tickets)
        for z in Zone.objects.filter(hall=hall).order_by("order", "letter")
    )
    letters = {z.id: z for z in zones}
    windows = tuple(
        WindowInfo(
            id=w.pk,
            number=w.number,
            kind=w.kind,
            kind_label=w.get_kind_display(),
            zone_id=w.zone_id,
            zone_letter=letters[w.zone_id].letter,
            zone_name=letters[w.zone_id].name,
            served_zone_ids=tuple(w.served_zone_ids()),
            department_names=tuple(d.name for d in w.departments.all()),
            active=w.active,
            hall_id=hall.pk,
        )
        for w in (
            Window.objects.filter(hall=hall).prefetch_related("skills", "departments").order_by("number")
            if windows
            else []
        )
    )
    return HallInfo(
        id=hall.pk,
        name=hall.name,
        region_id=hall.region_id,
        region_code=hall.region.code,
        region_name=hall.region.name,
        address=hall.address,
        phone=hall.phone,
        opening_hours=hall.opening_hours,
        am_open=hall.am_open,
        am_close=hall.am_close,
        pm_open=hall.pm_open,
        pm_close=hall.pm_close,
        slot_minutes=hall.slot_minutes,
        zones=zones,
        windows=windows,
    )


def window_info(window_id: int, *, departments: bool = True) -> WindowInfo | None:
    """One window with the zones it calls from: two small queries without the departments
    (the hot path of calling), no ordering joins."""
    from .models import Window

    row = (
        Window.objects.filter(pk=window_id)
        .order_by()
        .values("id", "number", "kind", "zone_id", "zone__letter", "zone__name", "active", "hall_id")
        .first()
    )
    if row is None:
        return None
    skills = Window.skills.through.objects.filter(window_id=window_id).order_by("zone_id")
    served = [row["zone_id"], *[z for z in skills.values_list("zone_id", flat=True) if z != row["zone_id"]]]
    names = ()
    if departments:
        names = tuple(
            Window.departments.through.objects.filter(window_id=window_id)
            .order_by("department__order", "department__name")
            .values_list("department__name", flat=True)
        )
    return WindowInfo(
        id=row["id"],
        number=row["number"],
        kind=row["kind"],
        kind_label=Window.Kind(row["kind"]).label,
        zone_id=row["zone_id"],
        zone_letter=row["zone__letter"],
        zone_name=row["zone__name"],
        served_zone_ids=tuple(served),
        department_names=names,
        active=row["active"],
        hall_id=row["hall_id"],
    )


def hall_list(region_ids=None) -> list[tuple[int, str, str]]:
    """(id, name, region name) of the halls, optionally limited to some regions (a scope)."""
    from .models import Hall

    qs = Hall.objects.select_related("region").order_by("region__order", "name")
    if region_ids is not None:
        qs = qs.filter(region_id__in=region_ids)
    return [(h.pk, h.name, h.region.name) for h in qs]


def staff_names(staff_ids) -> dict[int, str]:
    """Staff display names by id (for statistics and ratings)."""
    return dict(StaffMember.objects.filter(pk__in=list(staff_ids)).values_list("pk", "name"))


# --- pickers and small lookups (efficiency complaints and accountability name their subject) ---


def department_choices(region_ids=None, *, active_only: bool = True) -> list[tuple[int, str, int]]:
    """(id, name, region id) of the departments, in display order, optionally limited to some
    regions (a scope). Names are unique within a region; the pickers show the region beside."""
    from .models import Department

    qs = Department.objects.order_by("region__order", "region__code", "order", "name")
    if active_only:
        qs = qs.filter(active=True)
    if region_ids is not None:
        qs = qs.filter(region_id__in=list(region_ids))
    return list(qs.values_list("id", "name", "region_id"))


@dataclass(frozen=True)
class StaffBrief:
    id: int
    name: str
    employee_no: str
    role: str
    region_id: int
    department_id: int | None
    department_name: str
    hall_id: int | None
    window_id: int | None
    active: bool


def staff_brief(staff_id: int) -> StaffBrief | None:
    """One staff member as plain values (None when there is no such member)."""
    s = StaffMember.objects.select_related("department").filter(pk=staff_id).first()
    if s is None:
        return None
    return StaffBrief(
        id=s.pk,
        name=s.name,
        employee_no=s.employee_no,
        role=s.role,
        region_id=s.region_id,
        department_id=s.department_id,
        department_name=s.department.name if s.department else "",
        hall_id=s.hall_id,
        window_id=s.window_id,
        active=s.active,
    )


def staff_choices(region_ids=None, department_id: int | None = None) -> list[tuple[int, str]]:
    """(id, "name（工号）") of the active staff, optionally of some regions or one department."""
    qs = StaffMember.objects.filter(active=True).order_by("region__order", "employee_no")
    if region_ids is not None:
        qs = qs.filter(region_id__in=list(region_ids))
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    return [(pk, f"{name}（{no}）") for pk, name, no in qs.values_list("id", "name", "employee_no")]


@dataclass(frozen=True)
class WindowBrief:
    id: int
    number: int
    label: str
    hall_id: int
    hall_name: str
    region_id: int


def window_brief(window_id: int) -> WindowBrief | None:
    from .models import Window

    w = Window.objects.select_related("hall").filter(pk=window_id).first()
    if w is None:
        return None
    return WindowBrief(
        w.pk, w.number, f"{w.hall.name} {w.number}号窗口", w.hall_id, w.hall.name, w.hall.region_id
    )


def window_choices(region_ids=None) -> list[tuple[int, str]]:
    """(id, "hall n号窗口") of the active windows, optionally limited to some regions."""
    from .models import Window

    qs = (
        Window.objects.filter(active=True)
        .select_related("hall")
        .order_by("hall__region__order", "hall__name", "number")
    )
    if region_ids is not None:
        qs = qs.filter(hall__region_id__in=list(region_ids))
    return [(w.pk, f"{w.hall.name} {w.number}号窗口") for w in qs]


def staff_user_ids(
    roles,
    *,
    department_id: int | None = None,
    hall_id: int | None = None,
    covering_region_id: int | None = None,
) -> list[int]:
    """Account ids of the active staff with one of ``roles``: of a department, of a hall, or
    whose region covers ``covering_region_id`` (that region or one above it), for messages."""
    qs = StaffMember.objects.filter(active=True, role__in=list(roles))
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    if hall_id is not None:
        qs = qs.filter(hall_id=hall_id)
    if covering_region_id is not None:
        parents = dict(Region.objects.values_list("id", "parent_id"))
        chain, rid = [], covering_region_id
        while rid is not None and rid not in chain:
            chain.append(rid)
            rid = parents.get(rid)
        qs = qs.filter(region_id__in=chain)
    return sorted(set(qs.values_list("user_id", flat=True)))


# --- training and assessment: who belongs to a unit ------------------------------------------


def region_ancestors(region_id: int) -> tuple[int, ...]:
    """The region and the regions above it, nearest first (a course of the city reaches the
    staff of its counties)."""
    parents = dict(Region.objects.values_list("id", "parent_id"))
    chain, rid = [], region_id
    while rid is not None and rid not in chain:
        chain.append(rid)
        rid = parents.get(rid)
    return tuple(chain)


def region_descendants_of(region_id: int) -> frozenset[int]:
    """The region and every region below it."""
    from .scope import region_descendants

    return region_descendants(region_id)


def staff_members_of(kind: str, unit_ids) -> dict[int, tuple[int, ...]]:
    """The active staff of each unit, by unit id: ``kind`` is "window" (the staff assigned to
    the window), "department", "hall" or "region" (the staff of that region and the regions
    below it). Units without staff map to an empty tuple. Two queries at most."""
    from .scope import region_descendants

    ids = [int(i) for i in unit_ids]
    found: dict[int, list[int]] = {i: [] for i in ids}
    qs = StaffMember.objects.filter(active=True).order_by()
    if kind in ("window", "department", "hall"):
        field = f"{kind}_id"
        for staff_id, unit in qs.filter(**{f"{field}__in": ids}).values_list("id", field):
            found[unit].append(staff_id)
    elif kind == "region":
        below = {i: region_descendants(i) for i in ids}
        every = set().union(*below.values()) if below else set()
        for staff_id, region_id in qs.filter(region_id__in=every).values_list("id", "region_id"):
            for unit, regions in below.items():
                if region_id in regions:
                    found[unit].append(staff_id)
    else:
        raise ValueError(f"unknown unit kind: {kind}")
    return {unit: tuple(sorted(members)) for unit, members in found.items()}


@dataclass(frozen=True)
class StaffRow:
    id: int
    name: str
    employee_no: str
    role: str
    role_label: str
    region_id: int
    region_name: str
    department_id: int | None
    department_name: str
    hall_id: int | None
    hall_name: str
    window_id: int | None
    window_label: str


def staff_rows(region_ids, *, department_id: int | None = None, hall_id: int | None = None) -> list[StaffRow]:
    """The active staff of some regions (a scope), optionally of one department or hall, in
    region and employee-number order, with the names a list shows (one query)."""
    qs = (
        StaffMember.objects.filter(active=True, region_id__in=list(region_ids))
        .select_related("region", "department", "hall", "window")
        .order_by("region__order", "region__code", "employee_no")
    )
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    if hall_id is not None:
        qs = qs.filter(hall_id=hall_id)
    return [
        StaffRow(
            id=s.pk,
            name=s.name,
            employee_no=s.employee_no,
            role=s.role,
            role_label=s.get_role_display(),
            region_id=s.region_id,
            region_name=s.region.name,
            department_id=s.department_id,
            department_name=s.department.name if s.department else "",
            hall_id=s.hall_id,
            hall_name=s.hall.name if s.hall else "",
            window_id=s.window_id,
            window_label=f"{s.window.number}号窗口" if s.window else "",
        )
        for s in qs
    ]


# --- who the assessment (考核) scores --------------------------------------------------------

# Region levels a "county" subject (县区) may be: the districts, counties and development zones.
COUNTY_LEVELS = ("district", "county", "zone")


@dataclass(frozen=True, slots=True)
class AssessmentSubject:
    """One subject of an assessment and the group it is ranked in (a hall's windows, a
    region's departments, the city's counties, a department's staff)."""

    id: int
    label: str
    group: str  # "hall:3", "region:2", "department:5" …
    group_label: str
    region_id: int
    department_id: int | None = None
    hall_id: int | None = None


def county_of_regions() -> dict[int, int]:
    """Region id → the id of the district/county/zone it lies in (itself for one)."""
    rows = {
        pk: (parent, level) for pk, parent, level in Region.objects.values_list("id", "parent_id", "level")
    }
    out: dict[int, int] = {}
    for rid in rows:
        cur, seen = rid, set()
        while cur is not None and cur not in seen:
            seen.add(cur)
            parent, level = rows[cur]
            if level in COUNTY_LEVELS:
                out[rid] = cur
                break
            cur = parent
    return out


def assessment_subjects(kind: str, region_ids=None) -> list[AssessmentSubject]:
    """The active subjects of one kind — "window", "department", "county", "staff" — optionally
    within some regions. "section" (内设科室) has no subjects: org keeps no sections yet."""
    from .models import Department, Window

    region_ids = list(region_ids) if region_ids is not None else None
    if kind == "window":
        qs = Window.objects.filter(active=True).select_related("hall").order_by("hall_id", "number")
        if region_ids is not None:
            qs = qs.filter(hall__region_id__in=region_ids)
        return [
            AssessmentSubject(
                w.pk,
                f"{w.hall.name} {w.number}号窗口",
                f"hall:{w.hall_id}",
                w.hall.name,
                w.hall.region_id,
                hall_id=w.hall_id,
            )
            for w in qs
        ]
    if kind == "department":
        qs = (
            Department.objects.filter(active=True)
            .select_related("region")
            .order_by("region_id", "order", "name")
        )
        if region_ids is not None:
            qs = qs.filter(region_id__in=region_ids)
        return [
            AssessmentSubject(
                d.pk, d.name, f"region:{d.region_id}", d.region.name, d.region_id, department_id=d.pk
            )
            for d in qs
        ]
    if kind == "county":
        qs = Region.objects.filter(level__in=COUNTY_LEVELS).select_related("parent").order_by("order", "code")
        if region_ids is not None:
            qs = qs.filter(pk__in=region_ids)
        return [
            AssessmentSubject(r.pk, r.name, f"region:{r.parent_id}", r.parent.name if r.parent else "", r.pk)
            for r in qs
        ]
    if kind == "staff":
        qs = (
            StaffMember.objects.filter(active=True)
            .exclude(role__in=["administrator"])
            .select_related("department", "hall", "region")
            .order_by("employee_no")
        )
        if region_ids is not None:
            qs = qs.filter(region_id__in=region_ids)
        out = []
        for m in qs:
            if m.department_id:
                group, label = f"department:{m.department_id}", m.department.name
            elif m.hall_id:
                group, label = f"hall:{m.hall_id}", m.hall.name
            else:
                group, label = f"region:{m.region_id}", m.region.name
            out.append(
                AssessmentSubject(
                    m.pk,
                    f"{m.name}（{m.employee_no}）",
                    group,
                    label,
                    m.region_id,
                    department_id=m.department_id,
                    hall_id=m.hall_id,
                )
            )
        return out
    if kind == "section":
        return []
    raise ValueError(f"unknown subject kind {kind!r}")
