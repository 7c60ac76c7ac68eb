"""Writes to the organisation. Each validates, saves and audits in one transaction."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from banhao.core.audit import audit_record, snapshot
from banhao.core.identifiers import normalize_uscc

from .models import Department, Hall, Region, StaffMember, Window, Zone
from .roles import DEPARTMENT_SCOPED, Role

# Roles that work in the Django admin as well as in the platform's own screens.
ADMIN_ROLES = {Role.ADMINISTRATOR, Role.HALL_MANAGER}


def _created(actor, obj, action):
    audit_record(actor=actor, obj=obj, action=action, after=snapshot(obj))
    return obj


@transaction.atomic
def region_ensure(
    *, actor, code: str, name: str, level: str, parent: Region | None = None, order: int = 0
) -> Region:
    region = Region.objects.filter(code=code).first()
    if region:
        return region
    region = Region(code=code, name=name, level=level, parent=parent, order=order)
    region.full_clean()
    region.save()
    return _created(actor, region, "org.region_add")


@transaction.atomic
def department_ensure(
    *,
    actor,
    name: str,
    credit_code: str,
    region: Region,
    short_name: str = "",
    phone: str = "",
    order: int = 0,
) -> Department:
    code = normalize_uscc(credit_code)
    dept = Department.objects.filter(credit_code=code).first()
    if dept:
        return dept
    dept = Department(
        name=name, short_name=short_name, credit_code=code, region=region, phone=phone, order=order
    )
    dept.full_clean()
    dept.save()
    return _created(actor, dept, "org.department_add")


@transaction.atomic
def hall_ensure(
    *, actor, name: str, region: Region, address: str = "", phone: str = "", opening_hours: str = ""
) -> Hall:
    hall = Hall.objects.filter(region=region, name=name).first()
    if hall:
        return hall
    hall = Hall.objects.create(
        name=name, region=region, address=address, phone=phone, opening_hours=opening_hours
    )
    return _created(actor, hall, "org.hall_add")


@transaction.atomic
def zone_ensure(
    *,
    actor,
    hall: Hall,
    kind: str,
    letter: str,
    name: str = "",
    floor: str = "",
    order: int = 0,
    bookable: bool = True,
    takes_tickets: bool = True,
) -> Zone:
    zone = Zone.objects.filter(hall=hall, letter=letter).first()
    if zone:
        return zone
    zone = Zone(
        hall=hall,
        kind=kind,
        letter=letter,
        name=name or Zone.Kind(kind).label,
        floor=floor,
        order=order,
        bookable=bookable,
        takes_tickets=takes_tickets,
    )
    zone.full_clean()
    zone.save()
    return _created(actor, zone, "org.zone_add")


@transaction.atomic
def window_ensure(
    *, actor, hall: Hall, zone: Zone, number: int, kind: str, departments: list[Department] | None = None
) -> Window:
    window = Window.objects.filter(hall=hall, number=number).first()
    if window:
        return window
    if zone.hall_id != hall.pk:
        raise ValidationError("窗口所在功能区必须属于同一大厅。")
    window = Window.objects.create(hall=hall, zone=zone, number=number, kind=kind)
    if departments:
        window.departments.set(departments)
    return _created(actor, window, "org.window_add")


@transaction.atomic
def staff_member_create(
    *,
    actor,
    username: str,
    password: str,
    name: str,
    employee_no: str,
    role: str,
    region: Region,
    department: Department | None = None,
    hall: Hall | None = None,
    window: Window | None = None,
    phone: str = "",
) -> StaffMember:
    """Creates a staff login with its role and data scope."""
    user_model = get_user_model()
    if role not in Role.values:
        raise ValidationError("未知的角色。")
    if role in DEPARTMENT_SCOPED and department is None:
        raise ValidationError("后台审批人员和部门负责人必须指定所属部门。")
    if department is not None and department.region_id != region.pk:
        raise ValidationError("所属部门必须位于该人员的数据范围区域内。")
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError("该登录账号已存在。")
    user = user_model(
        username=username,
        kind=user_model.Kind.STAFF,
        display_name=name,
        phone=phone,
        is_staff=role in ADMIN_ROLES,
    )
    validate_password(password, user)
    user.set_password(password)
    user.save()
    member = StaffMember.objects.create(
        user=user,
        name=name,
        employee_no=employee_no,
        role=role,
        region=region,
        department=department,
        hall=hall,
        window=window,
        phone=phone,
    )
    return _created(actor, member, "org.staffmember_add")
