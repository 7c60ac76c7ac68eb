"""Applicants' own account use cases: register, sign in by SMS code, change the login mobile.

Each checks the SMS code first without using it up (a wrong code costs one of its tries and
that count is kept), then acts and uses the code up in one transaction: a refusal after the
check (say, a name that does not match the registry) leaves the code valid for a retry, and
nothing about the registry is told to anyone who does not hold a code for the phone.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

import banhao.registry.api as registry_api
from banhao.core.identifiers import normalize_resident_id

from . import throttle
from .identity import IdentityClaim, identity_verify
from .sms_codes import Purpose, sms_code_spend_try, sms_code_verify

WRONG_CODE = "验证码不正确，或已过期、已使用，请核对或重新获取。"


def applicant_user_for_phone(phone: str):
    """The active applicant account signed in with this mobile (None for staff and unknown numbers)."""
    user_model = get_user_model()
    return (
        user_model.objects.filter(phone=phone, kind=user_model.Kind.APPLICANT, is_active=True).first()
        if phone
        else None
    )


def phone_registered(phone: str) -> bool:
    user_model = get_user_model()
    return user_model.objects.filter(phone=phone, kind=user_model.Kind.APPLICANT).exists()


def applicant_register(*, phone: str, code: str, name: str, resident_id: str, password: str):
    """Opens a personal account for the holder of ``phone`` and returns the new login."""
    if phone_registered(phone):
        raise ValidationError({"phone": "该手机号码已注册办事账户，请直接登录。"})
    if not sms_code_verify(phone=phone, purpose=Purpose.REGISTER, code=code, consume=False):
        raise ValidationError({"code": WRONG_CODE})
    claim = IdentityClaim(
        name=(name or "").strip(), resident_id=normalize_resident_id(resident_id), phone=phone
    )
    verdict = identity_verify(claim)
    if not verdict.ok or "service_confirmed" in verdict.reason:
        _note_identity_check(claim, verdict)
    if not verdict.ok:
        # The code stays valid for a corrected retry, but the refusal costs one of its tries:
        # one code cannot probe identity after identity.
        sms_code_spend_try(phone=phone, purpose=Purpose.REGISTER)
        raise ValidationError({"resident_id": verdict.message})
    with transaction.atomic():
        if not sms_code_verify(phone=phone, purpose=Purpose.REGISTER, code=code):
            raise ValidationError({"code": WRONG_CODE})  # used by a simultaneous request
        return registry_api.applicant_register(
            name=claim.name, resident_id=claim.resident_id, phone=phone, password=password
        )


@transaction.atomic
def _note_identity_check(claim: IdentityClaim, verdict) -> None:
    """The audit row of a refused (or service-confirmed) claim: on the claimed person's history
    when the registry knows them, otherwise on the registration's SMS code; identifiers masked."""
    from banhao.core.audit import audit_record
    from banhao.core.masking import mask_phone, mask_resident_id

    from .models import SmsCode

    action = "accounts.identity_confirmed" if verdict.ok else "accounts.identity_refused"
    actor = f"网上注册（{mask_phone(claim.phone)}）"
    details = {
        "name": claim.name,
        "resident_id": mask_resident_id(claim.resident_id),
        "phone": mask_phone(claim.phone),
        "backend": settings.BANHAO_IDENTITY_BACKEND.rsplit(".", 1)[-1],
        "reason": verdict.reason,
    }
    if registry_api.person_note_identity_check(
        resident_id=claim.resident_id, actor=actor, action=action, details=details
    ):
        return
    code = (
        SmsCode.objects.filter(phone=claim.phone, purpose=Purpose.REGISTER)
        .order_by("-created_at", "-id")
        .first()
    )
    if code is not None:
        audit_record(actor=actor, obj=code, action=action, after=details, reason=verdict.reason)


def applicant_sms_login(*, phone: str, code: str, ip: str | None):
    """The applicant account behind ``phone`` when ``code`` is right; failures count toward the lock-out.

    Raises ValidationError with code "locked" or "invalid_code". Staff accounts never sign in
    this way: a staff member's phone finds no applicant account.
    """
    if throttle.is_locked(phone, ip):
        raise ValidationError(throttle.lock_message(), code="locked")
    user = applicant_user_for_phone(phone)
    ok = user is not None and sms_code_verify(phone=phone, purpose=Purpose.LOGIN, code=code)
    throttle.record(phone, ip, success=ok)
    if not ok:
        if throttle.is_locked(phone, ip):
            raise ValidationError(throttle.lock_message(), code="locked")
        raise ValidationError(WRONG_CODE, code="invalid_code")
    return user


def applicant_phone_change(*, user, phone: str, code: str) -> None:
    """Moves the applicant's login and registry contact number to ``phone`` (its code verified)."""
    if phone == user.phone:
        raise ValidationError({"phone": "新手机号码与当前号码相同。"})
    if not sms_code_verify(phone=phone, purpose=Purpose.PHONE, code=code, consume=False):
        raise ValidationError({"code": WRONG_CODE})
    with transaction.atomic():
        if not sms_code_verify(phone=phone, purpose=Purpose.PHONE, code=code):
            raise ValidationError({"code": WRONG_CODE})
        registry_api.applicant_update_contact(user, phone=phone)
