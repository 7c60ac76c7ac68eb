"""Writes to the base information registry. Each one validates, saves and audits atomically."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from banhao.core.audit import audit_record, snapshot
from banhao.core.identifiers import (
    normalize_resident_id,
    normalize_uscc,
    resident_id_birth_date,
    resident_id_gender,
)
from banhao.org.api import Scope, region_for_division_code

from .models import ApplicantAccount, Organization, Person

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize_mobile(value: str, *, required: bool = False) -> str:
    value = re.sub(r"[\s-]", "", value or "")
    if not value:
        if required:
            raise ValidationError("请填写手机号码。", code="required")
        return ""
    if not _MOBILE.match(value):
        raise ValidationError("手机号码应为11位数字，以1开头。", code="phone")
    return value


def _check_scope(scope: Scope | None, region_id: int | None) -> None:
    if scope is not None and not scope.allows(region_id):
        raise ValidationError("该记录所属区域不在您的数据范围内，无法登记或修改。", code="scope")


def _region_id(code: str) -> int | None:
    info = region_for_division_code(code)
    return info.id if info else None


def uscc_kind(code: str) -> str:
    """A default organisation kind from the registering authority and type characters."""
    head = code[:2]
    if head == "11":
        return Organization.Kind.AUTHORITY
    if head[0] == "1":
        return Organization.Kind.INSTITUTION
    if head[0] == "5":
        return Organization.Kind.SOCIAL
    if head == "91":
        return Organization.Kind.ENTERPRISE
    if head in {"92", "93"}:
        return Organization.Kind.UNINCORPORATED
    return Organization.Kind.OTHER


@transaction.atomic
def person_register(
    *, actor, name: str, resident_id: str, phone: str = "", address: str = "", scope: Scope | None = None
) -> Person:
    number = normalize_resident_id(resident_id)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写姓名。"})
    person = Person(
        name=name,
        resident_id=number,
        gender=resident_id_gender(number),
        birth_date=resident_id_birth_date(number),
        phone=normalize_mobile(phone),
        address=(address or "").strip(),
        region_id=_region_id(number[:6]),
    )
    _check_scope(scope, person.region_id)
    if Person.objects.filter(resident_id=number).exists():
        raise ValidationError({"resident_id": "该公民身份号码已在基础信息库中登记。"})
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:  # a concurrent registration of the same number won the race
        raise ValidationError({"resident_id": "该公民身份号码已在基础信息库中登记。"}) from None
    audit_record(actor=actor, obj=person, action="registry.person_register", after=snapshot(person))
    return person


@transaction.atomic
def person_update(
    *,
    actor,
    person: Person,
    name: str,
    phone: str,
    address: str,
    scope: Scope | None = None,
    reason: str = "",
) -> Person:
    person = Person.objects.select_for_update().get(pk=person.pk)
    _check_scope(scope, person.region_id)
    before = snapshot(person)
    person.name = (name or "").strip() or person.name
    person.phone = normalize_mobile(phone)
    person.address = (address or "").strip()
    person.save()
    audit_record(
        actor=actor,
        obj=person,
        action="registry.person_update",
        before=before,
        after=snapshot(person),
        reason=reason,
    )
    return person


@transaction.atomic
def organization_register(
    *,
    actor,
    name: str,
    credit_code: str,
    legal_representative: str,
    kind: str = "",
    legal_representative_id: str = "",
    phone: str = "",
    address: str = "",
    scope: Scope | None = None,
) -> Organization:
    code = normalize_uscc(credit_code)
    if not (name or "").strip():
        raise ValidationError({"name": "请填写名称。"})
    if not (legal_representative or "").strip():
        raise ValidationError({"legal_representative": "请填写法定代表人（负责人）。"})
    org = Organization(
        name=name.strip(),
        credit_code=code,
        kind=kind or uscc_kind(code),
        legal_representative=legal_representative.strip(),
        legal_representative_id=normalize_resident_id(legal_representative_id)
        if legal_representative_id
        else "",
        phone=(phone or "").strip(),
        address=(address or "").strip(),
        region_id=_region_id(code[2:8]),
    )
    _check_scope(scope, org.region_id)
    if Organization.objects.filter(credit_code=code).exists():
        raise ValidationError({"credit_code": "该统一社会信用代码已在基础信息库中登记。"})
    try:
        with transaction.atomic():
            org.save()
    except IntegrityError:
        raise ValidationError({"credit_code": "该统一社会信用代码已在基础信息库中登记。"}) from None
    audit_record(actor=actor, obj=org, action="registry.organization_register", after=snapshot(org))
    return org


@transaction.atomic
def organization_update(
    *,
    actor,
    organization: Organization,
    name: str,
    legal_representative: str,
    phone: str,
    address: str,
    scope: Scope | None = None,
    reason: str = "",
) -> Organization:
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    _check_scope(scope, org.region_id)
    before = snapshot(org)
    org.name = (name or "").strip() or org.name
    org.legal_representative = (legal_representative or "").strip() or org.legal_representative
    org.phone = (phone or "").strip()
    org.address = (address or "").strip()
    org.save()
    audit_record(
        actor=actor,
        obj=org,
        action="registry.organization_update",
        before=before,
        after=snapshot(org),
        reason=reason,
    )
    return org


@transaction.atomic
def applicant_account_open(
    *, actor, person: Person, password: str, phone: str = "", organization: Organization | None = None
) -> ApplicantAccount:
    """Opens a login for a registered person (and, for an enterprise account, its organisation)."""
    from django.contrib.auth.password_validation import validate_password

    user_model = get_user_model()
    phone = normalize_mobile(phone or person.phone, required=True)
    if user_model.objects.filter(phone=phone, kind=user_model.Kind.APPLICANT).exists():
        raise ValidationError({"phone": "该手机号码已注册办事账户。"})
    username = f"{'org' if organization else 'per'}-{(organization.credit_code if organization else person.resident_id)}"
    if user_model.objects.filter(username=username).exists():
        raise ValidationError("该主体已开通办事账户。")
    user = user_model(
        username=username, kind=user_model.Kind.APPLICANT, display_name=person.name, phone=phone
    )
    validate_password(password, user)
    user.set_password(password)
    user.save()
    account = ApplicantAccount.objects.create(user=user, person=person, organization=organization)
    audit_record(actor=actor, obj=account, action="registry.account_open", after=snapshot(account))
    return account
