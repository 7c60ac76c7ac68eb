"""SMS verification codes: send (throttled), verify (constant time, limited tries), consume.

Rules (settings, see .env.example): a code has 6 digits and lives BANHAO_SMS_CODE_TTL_MINUTES;
it allows BANHAO_SMS_CODE_MAX_ATTEMPTS wrong tries; a phone may get a new code after
BANHAO_SMS_RESEND_SECONDS and at most BANHAO_SMS_MAX_PER_PHONE_PER_HOUR codes an hour; a
client address at most BANHAO_SMS_MAX_PER_IP_PER_HOUR. Only the newest code of a phone and
purpose counts: asking again is how a slow applicant extends the time (ui.md).

At rest a code is an HMAC (keyed with SECRET_KEY, salted per row) of phone, purpose and code:
a leaked table does not give the codes back, not even by trying all million of them.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from .models import SmsCode
from .sms import send_sms

Purpose = SmsCode.Purpose
_CODE = re.compile(r"^\d{6}$")
_HMAC_SALT = "banhao.accounts.sms_codes"

_INTRO = {
    Purpose.LOGIN: "您正在登录办事账户",
    Purpose.REGISTER: "您正在注册办事账户",
    Purpose.PHONE: "您正在更换办事账户的手机号码",
}


def _digest(salt: str, phone: str, purpose: str, code: str) -> str:
    return salted_hmac(_HMAC_SALT, f"{salt}|{phone}|{purpose}|{code}", algorithm="sha256").hexdigest()


def ttl_minutes() -> int:
    return settings.BANHAO_SMS_CODE_TTL_MINUTES


def _latest(phone: str, purpose: str | None = None):
    qs = SmsCode.objects.filter(phone=phone)
    if purpose is not None:
        qs = qs.filter(purpose=purpose)
    return qs.order_by("-created_at", "-id")


def resend_wait_seconds(phone: str, now: dt.datetime | None = None) -> int:
    """Seconds before this phone may get another code (0: now)."""
    now = now or timezone.now()
    last = _latest(phone).values_list("created_at", flat=True).first()
    if last is None:
        return 0
    left = (last + dt.timedelta(seconds=settings.BANHAO_SMS_RESEND_SECONDS) - now).total_seconds()
    return max(0, math.ceil(left))


@dataclass(frozen=True)
class CodeStatus:
    """What a page says about the pending code: until when it works, when to ask again."""

    expires_at: dt.datetime | None
    wait_seconds: int
    ttl_minutes: int


def sms_code_status(*, phone: str, purpose: str) -> CodeStatus:
    now = timezone.now()
    record = _latest(phone, purpose).first()  # only the newest code counts
    live = (
        record is not None
        and record.used_at is None
        and record.expires_at > now
        and record.attempts < settings.BANHAO_SMS_CODE_MAX_ATTEMPTS
    )
    expires = record.expires_at if live else None
    return CodeStatus(expires, resend_wait_seconds(phone, now), ttl_minutes())


@transaction.atomic
def sms_code_send(*, phone: str, purpose: str, ip: str | None) -> None:
    """Creates a new code for ``phone`` and texts it; ValidationError (Chinese) when throttled."""
    if purpose not in Purpose.values:
        raise ValueError(f"unknown SMS code purpose: {purpose!r}")
    if not phone:
        raise ValidationError("请填写手机号码。", code="required")
    now = timezone.now()
    hour_ago = now - dt.timedelta(hours=1)
    # Locks the phone's recent codes so two simultaneous requests cannot both pass the checks
    # (on SQLite the IMMEDIATE transaction already serialises writers).
    recent = list(_latest(phone).filter(created_at__gte=hour_ago).select_for_update())
    if recent:
        wait = resend_wait_seconds(phone, now)
        if wait > 0:
            raise ValidationError(
                "验证码已发送，请%(s)d秒后再重新获取。", code="sms_cooldown", params={"s": wait}
            )
    if len(recent) >= settings.BANHAO_SMS_MAX_PER_PHONE_PER_HOUR:
        raise ValidationError(
            "该手机号码1小时内获取验证码已达%(n)d次，请稍后再试。",
            code="sms_phone_limit",
            params={"n": settings.BANHAO_SMS_MAX_PER_PHONE_PER_HOUR},
        )
    if ip and (
        SmsCode.objects.filter(ip=ip, created_at__gte=hour_ago).count()
        >= settings.BANHAO_SMS_MAX_PER_IP_PER_HOUR
    ):
        raise ValidationError("当前网络获取验证码过于频繁，请1小时后再试。", code="sms_ip_limit")

    code = f"{secrets.randbelow(1_000_000):06d}"
    salt = secrets.token_hex(8)
    SmsCode.objects.create(
        phone=phone,
        purpose=purpose,
        salt=salt,
        code_hash=_digest(salt, phone, purpose, code),
        ip=ip or None,
        created_at=now,
        expires_at=now + dt.timedelta(minutes=ttl_minutes()),
    )
    text = f"{_INTRO[purpose]}，验证码：{code}，{ttl_minutes()}分钟内有效。请勿告诉他人；如非本人操作，请忽略本短信。"
    # The message leaves only when the code is saved; a gateway failure is logged, not raised.
    transaction.on_commit(lambda: send_sms(phone, text))


@transaction.atomic
def sms_code_verify(*, phone: str, purpose: str, code: str, consume: bool = True) -> bool:
    """True when ``code`` is the phone's newest live code for ``purpose``.

    A wrong code costs one of the code's tries; a code used up, expired or out of tries never
    verifies. ``consume=False`` checks without using the code up (the caller then verifies
    again with ``consume=True`` inside the transaction that acts on it).
    """
    record = _latest(phone, purpose).select_for_update().first()
    now = timezone.now()
    if (
        record is None
        or record.used_at is not None
        or record.expires_at <= now
        or record.attempts >= settings.BANHAO_SMS_CODE_MAX_ATTEMPTS
    ):
        return False
    code = (code or "").strip()
    expected = record.code_hash
    given = _digest(record.salt, phone, purpose, code) if _CODE.match(code) else ""
    if not constant_time_compare(given, expected):
        SmsCode.objects.filter(pk=record.pk).update(attempts=F("attempts") + 1)
        return False
    if consume:
        SmsCode.objects.filter(pk=record.pk).update(used_at=now)
    return True


@transaction.atomic
def sms_code_spend_try(*, phone: str, purpose: str) -> None:
    """Counts one of the newest code's tries without checking anything: a refusal after the
    code was right (say, a real-name check) costs a try like a wrong code, so one code cannot
    probe identity after identity."""
    record = _latest(phone, purpose).select_for_update().first()
    if record is not None and record.used_at is None:
        SmsCode.objects.filter(pk=record.pk).update(attempts=F("attempts") + 1)
