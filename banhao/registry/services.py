"""Writes to the base information registry. Each one validates, saves and audits atomically."""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from banhao.core.audit import audit_record, snapshot
from banhao.core.digests import keyed_digest
from banhao.core.identifiers import (
    clean_code,
    normalize_resident_id,
    normalize_uscc,
    resident_id_birth_date,
    resident_id_gender,
)
from banhao.org.api import Scope, region_for_division_code

from .models import ApplicantAccount, Mandate, Organization, Person

_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def normalize_mobile(value: str, *, required: bool = False) -> str:
    """A mainland mobile number in canonical form (11 ASCII digits) or a Chinese ValidationError.

    Compatibility forms are folded first (NFKC: full-width １３８… is 138…), spaces and
    hyphens removed, a leading +86 / 0086 country code dropped; then only ASCII digits pass.
    """
    value = clean_code(value)
    value = re.sub(r"^(?:\+86|0086)(?=1[0-9]{10}$)", "", value)
    if not value:
        if required:
            raise ValidationError("请填写手机号码。", code="required")
        return ""
    if not _MOBILE.fullmatch(value):
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


# Usernames of personal accounts carry a keyed digest of the resident ID, never the number (the
# admin's user list showed every "per-<ID>"): the same person always gets the same name, so the
# unique username still keeps one personal account per person. Credit codes are public.
USERNAME_DIGEST_PURPOSE = "banhao.registry.applicant_username"


def applicant_username(*, person: Person, organization: Organization | None = None) -> str:
    if organization is not None:
        return f"org-{organization.credit_code}"
    return "per-" + keyed_digest(person.resident_id, purpose=USERNAME_DIGEST_PURPOSE)[:20]


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
    username = applicant_username(person=person, organization=organization)
    personal_taken = organization is None and person.accounts.filter(organization__isnull=True).exists()
    if personal_taken or user_model.objects.filter(username=username).exists():
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


# --- applicants' own registration and contact details -----------------------------------


@transaction.atomic
def applicant_self_register(*, name: str, resident_id: str, phone: str, password: str) -> ApplicantAccount:
    """An applicant opens a personal account online (the phone is verified by the caller).

    A person already in the registry must give the registered name; a new person is
    registered first. The registry keeps its phone number; an empty one takes this one.
    """
    number = normalize_resident_id(resident_id)
    phone = normalize_mobile(phone, required=True)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写姓名。"})
    actor = f"本人网上注册（{name}）"
    user_model = get_user_model()
    if user_model.objects.filter(phone=phone, kind=user_model.Kind.APPLICANT).exists():
        raise ValidationError({"phone": "该手机号码已注册办事账户，请直接登录。"})
    person = Person.objects.select_for_update().filter(resident_id=number).first()
    if person is None:
        person = person_register(actor=actor, name=name, resident_id=number, phone=phone)
    else:
        if person.name != name:
            raise ValidationError(
                {"name": "姓名与身份号码不一致，请核对。登记信息有误的，请到政务服务大厅更正。"}
            )
        if person.accounts.filter(organization__isnull=True).exists():
            raise ValidationError(
                {"resident_id": "该身份号码已注册个人办事账户，请使用注册时的手机号码登录。"}
            )
        if not person.phone:
            person = person_update(
                actor=actor,
                person=person,
                name=person.name,
                phone=phone,
                address=person.address,
                reason="网上注册时登记手机号码",
            )
    try:
        with transaction.atomic():
            return applicant_account_open(actor=actor, person=person, password=password, phone=phone)
    except IntegrityError:  # a double submit or a concurrent registration of the same phone
        raise ValidationError({"phone": "该手机号码已注册办事账户，请直接登录。"}) from None


@transaction.atomic
def applicant_contact_update(
    *, actor, account: ApplicantAccount, address: str | None = None, phone: str | None = None
) -> ApplicantAccount:
    """The applicant changes their address and (with a verified code) their mobile number.

    The mobile is both the registry's contact number and the account's login, so both change.
    None keeps a value as it is.
    """
    account = ApplicantAccount.objects.select_related("person", "user").get(pk=account.pk)
    person = account.person
    new_phone = normalize_mobile(phone, required=True) if phone is not None else None
    person_update(
        actor=actor,
        person=person,
        name=person.name,
        phone=new_phone if new_phone is not None else person.phone,
        address=address if address is not None else person.address,
        reason="申请人本人修改联系方式",
    )
    user = account.user
    if new_phone is not None and new_phone != user.phone:
        user_model = get_user_model()
        taken = user_model.objects.filter(phone=new_phone, kind=user_model.Kind.APPLICANT).exclude(pk=user.pk)
        if taken.exists():
            raise ValidationError({"phone": "该手机号码已注册其他办事账户。"})
        before = snapshot(user, ["phone"])
        user.phone = new_phone
        try:
            with transaction.atomic():
                user.save(update_fields=["phone"])
        except IntegrityError:
            raise ValidationError({"phone": "该手机号码已注册其他办事账户。"}) from None
        audit_record(
            actor=actor,
            obj=user,
            action="accounts.user_change",
            before=before,
            after=snapshot(user, ["phone"]),
            reason="申请人本人更换登录手机号码",
        )
    return ApplicantAccount.objects.select_related("person", "organization", "user").get(pk=account.pk)


# --- enterprise agents' mandates (经办人授权) ------------------------------------------


@transaction.atomic
def mandate_grant(
    *,
    actor,
    organization: Organization,
    agent: Person,
    scope: str = Mandate.ALL_ITEMS,
    valid_until: dt.date | None = None,
    valid_from: dt.date | None = None,
    granted_by: str = "",
) -> Mandate:
    """Records that ``organization`` authorises ``agent`` to act for it (audited).

    ``granted_by`` defaults to the organisation's legal representative. An expired mandate of
    the same agent is closed first; a live one must be revoked before a new grant.
    """
    today = timezone.localdate()
    valid_from = valid_from or today
    scope = " ".join((scope or "").split()) or Mandate.ALL_ITEMS
    if valid_until is not None and valid_until < max(valid_from, today):
        raise ValidationError({"valid_until": "授权截止日不能早于起始日或今天。"})
    granted_by = (granted_by or "").strip() or organization.legal_representative
    current = (
        Mandate.objects.select_for_update()
        .filter(organization=organization, agent=agent, revoked_at__isnull=True)
        .first()
    )
    if current is not None:
        if current.valid_until is None or current.valid_until >= today:
            raise ValidationError("该经办人已有未撤销的授权，如需变更请先撤销原授权。", code="mandate_exists")
        _mandate_close(actor=actor, mandate=current, reason="授权期满，重新授权")
    mandate = Mandate(
        organization=organization,
        agent=agent,
        granted_by=granted_by,
        scope=scope,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    try:
        with transaction.atomic():
            mandate.save()
    except IntegrityError:  # a concurrent grant for the same agent won the race
        raise ValidationError(
            "该经办人已有未撤销的授权，如需变更请先撤销原授权。", code="mandate_exists"
        ) from None
    audit_record(actor=actor, obj=mandate, action="registry.mandate_grant", after=snapshot(mandate))
    return mandate


def _mandate_close(*, actor, mandate: Mandate, reason: str) -> Mandate:
    before = snapshot(mandate)
    mandate.revoked_at = timezone.now()
    mandate.revoke_reason = reason[:200]
    mandate.save(update_fields=["revoked_at", "revoke_reason"])
    audit_record(
        actor=actor,
        obj=mandate,
        action="registry.mandate_revoke",
        before=before,
        after=snapshot(mandate),
        reason=reason,
    )
    return mandate


@transaction.atomic
def mandate_revoke(*, actor, mandate: Mandate, reason: str) -> Mandate:
    """Ends a mandate now (audited with the reason); the agent can no longer act for the organisation."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写撤销原因。"})
    mandate = Mandate.objects.select_for_update().select_related("organization", "agent").get(pk=mandate.pk)
    if mandate.revoked_at is not None:
        raise ValidationError("该授权已撤销。", code="mandate_revoked")
    return _mandate_close(actor=actor, mandate=mandate, reason=reason)


def mandate_active(organization_id: int, person_id: int, on: dt.date | None = None) -> bool:
    """Whether the person holds a live mandate of the organisation on the given day (default today)."""
    on = on or timezone.localdate()
    return (
        Mandate.objects.filter(
            organization_id=organization_id,
            agent_id=person_id,
            revoked_at__isnull=True,
            valid_from__lte=on,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .exists()
    )


@transaction.atomic
def enterprise_account_open(
    *,
    actor,
    person: Person,
    organization: Organization,
    password: str,
    phone: str = "",
    scope: str = Mandate.ALL_ITEMS,
    valid_until: dt.date | None = None,
    granted_by: str = "",
) -> ApplicantAccount:
    """Opens an enterprise account for its agent and records the agent's mandate with it."""
    account = applicant_account_open(
        actor=actor, person=person, password=password, phone=phone, organization=organization
    )
    if not mandate_active(organization.pk, person.pk):
        mandate_grant(
            actor=actor,
            organization=organization,
            agent=person,
            scope=scope,
            valid_until=valid_until,
            granted_by=granted_by,
        )
    return account
