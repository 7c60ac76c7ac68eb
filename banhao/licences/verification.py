"""Public verification of a licence (the QR code's page and GET /api/v1/licences/verify/).

Anyone may verify: the answer is the status the signature check gives (valid / suspended /
revoked / expired / unknown / tampered) and only what a stranger may see of the licence (the
masked holder and the face fields the type marks public). Two limits keep it from being a
scraping or log-flooding tool, both counted in the shared cache (several app servers count
together):

- per client address, ``BANHAO_LICENCE_VERIFY_PER_MINUTE`` verifications a minute (page and
  API together); addresses in ``BANHAO_LICENCE_VERIFY_TRUSTED_ADDRESSES`` (the hall's kiosks
  and windows, which serve a whole queue from one address; by default the case lookup's
  trusted addresses) are exempt. An API client with a token has its own per-client limit
  (accounts.rest) instead.
- the holder's use log (用证记录) gets at most one "verify" row per (licence, address, caller,
  用证事由, day): a crawler re-verifying a licence every second writes one row a day.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from banhao.core.identifiers import normalize_licence_identifier

from . import api, services
from .models import Licence, LicenceUse, Status

PUBLIC_REASON = "扫码/输入标识核验"
PUBLIC_LABEL = "公众核验"
THROTTLED = "核验过于频繁，为保护持证人信息，请{wait}秒后再试；如需帮助，请拨打咨询电话。"
MISSING = "请输入电子证照标识，或扫描电子证照上的二维码。"

STATUS_LABELS = {
    "valid": "有效",
    "suspended": "暂停使用",
    "revoked": "已注销",
    "expired": "已过期",
    "unknown": "未找到",
    "tampered": "核验未通过：证照数据被篡改",
}
# what the result says under its headline, per status
STATUS_NOTES = {
    "valid": "签名核验通过，证照真实有效。",
    "suspended": "签名核验通过，但该证照已被颁发机构暂停使用，暂不能作为有效证照使用。",
    "revoked": "签名核验通过，但该证照已被注销，不再有效。",
    "expired": "签名核验通过，但该证照已超过有效期，不再有效。",
    "unknown": "电子证照库中没有这个标识的证照。请核对标识是否输入完整，或确认二维码来自正规电子证照。",
    "tampered": "证照数据与颁发时的签名不一致，可能已被篡改。请勿采信，并向颁发机构或12345热线反映。",
}


@dataclass(frozen=True)
class Verification:
    status: str  # valid | suspended | revoked | expired | unknown | tampered
    status_label: str
    note: str
    identifier: str
    licence: api.LicenceInfo | None  # None when unknown or tampered (nothing shown can be trusted)
    superseded: bool = False  # revoked because a newer version (换发) replaced it
    use_logged: bool = False


# --- the per-address limit ----------------------------------------------------------------


def _per_minute() -> int:
    return int(getattr(settings, "BANHAO_LICENCE_VERIFY_PER_MINUTE", 60))


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def verify_trusted(ip: str) -> bool:
    entries = tuple(getattr(settings, "BANHAO_LICENCE_VERIFY_TRUSTED_ADDRESSES", ()) or ())
    if not ip or not entries:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in net for net in _networks(entries))


def _digest(value: str) -> str:
    return hashlib.sha256((value or "-").encode()).hexdigest()[:32]


def verify_throttle(ip: str) -> int:
    """Counts one verification from ``ip``; returns 0 when it may go ahead, else the seconds
    to wait (the current minute's count is over the limit)."""
    if verify_trusted(ip):
        return 0
    now = time.time()
    window = int(now // 60)
    key = f"licences:verify-ip:{_digest(ip)}:{window}"
    # incr first: once the minute's counter exists (every request but the first) that is the
    # only write; the counter of a past minute is never read again, whatever its expiry
    try:
        count = cache.incr(key)
    except ValueError:  # the minute's first request
        count = 1 if cache.add(key, 1, timeout=70) else cache.incr(key)
    if count > _per_minute():
        return max(1, int((window + 1) * 60 - now) + 1)
    return 0


def throttled_message(wait: int) -> str:
    return THROTTLED.format(wait=wait)


# --- the verification ----------------------------------------------------------------------


def _seconds_to_midnight() -> int:
    now = timezone.localtime()
    tomorrow = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time.min, tzinfo=now.tzinfo)
    return max(60, int((tomorrow - now).total_seconds()) + 60)


def _use_log(licence: Licence, *, ip: str, user, client, reason: str) -> bool:
    """One 'verify' use a day per (licence, address, caller, reason); True when written."""
    staff = user if getattr(user, "is_authenticated", False) else None
    caller = f"c{client.pk}" if client is not None else (f"u{staff.pk}" if staff is not None else "-")
    day = timezone.localdate().isoformat()
    key = "licences:verify-use:" + _digest(f"{licence.pk}|{ip}|{caller}|{reason}|{day}")
    # a read first: after the day's first verification that is all (add writes on some backends)
    if cache.get(key) is not None or not cache.add(key, 1, timeout=_seconds_to_midnight()):
        return False
    services.licence_use_record(
        licence=licence,
        kind=LicenceUse.Kind.VERIFY,
        reason=reason,
        user=staff,
        client=client,
        label="" if (client is not None or staff is not None) else PUBLIC_LABEL,
    )
    return True


def licence_verify(
    *,
    identifier: str | None = None,
    qr: str | None = None,
    ip: str = "",
    user=None,
    client=None,
    reason: str | None = None,
) -> Verification:
    """Verifies the licence an identifier (or a QR code's content) names, and logs the use for
    an existing licence (at most once a day per address and caller). ``user`` is a staff
    member or None (the public); ``client`` an API client. A reason (用证事由) is optional and
    only kept from a known caller (client or staff): the public's uses read 扫码/输入标识核验.

    Raises ValidationError (Chinese) for a missing or malformed identifier or QR content and
    for a reason over 200 characters.
    """
    if qr is not None and str(qr).strip():
        canonical = services.identifier_from_qr(qr)
    elif identifier is not None and str(identifier).strip():
        canonical = normalize_licence_identifier(str(identifier))
    else:
        raise ValidationError(MISSING)
    known_caller = client is not None or getattr(user, "is_authenticated", False)
    use = services.use_reason(reason) if known_caller and (reason or "").strip() else PUBLIC_REASON

    licence = Licence.objects.select_related("type").filter(identifier=canonical).first()
    status = services.verify_status(licence)
    logged = False
    if licence is not None:
        logged = _use_log(licence, ip=ip, user=user, client=client, reason=use)
    shown = None if status in ("unknown", "tampered") else api._info(licence)
    return Verification(
        status=status,
        status_label=STATUS_LABELS[status],
        note=STATUS_NOTES[status],
        identifier=canonical,
        licence=shown,
        superseded=licence is not None and status == "revoked" and licence.status == Status.SUPERSEDED,
        use_logged=logged,
    )
