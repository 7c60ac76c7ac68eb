"""Cases for the 24-hour self-service area: looking up a case and printing a decision.

Re-exported by banhao.cases.api; other apps import them from there.

办件查询 follows the rules of the public lookup (/cases/lookup/): the case number and the
contact phone given at application must both match, and every failed attempt counts against
the same per-address limit (``BANHAO_LOOKUP_MAX_FAILURES_PER_HOUR`` in a sliding hour, one
counter for the web page and the hall's kiosks, plus one per case number: see the throttle below). 打印决定书 asks for the case number and the
resident ID number of the case's person; a wrong pair, a case without a decision and an
unknown case all get one neutral message and count as failures on the same counter.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import ipaddress
import re
import time
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError

from banhao.core.identifiers import normalize_resident_id

__all__ = [
    "DECISION_FAILED",
    "LOOKUP_FAILED",
    "LOOKUP_THROTTLED",
    "CaseLookupInfo",
    "DecisionPdf",
    "case_lookup",
    "decision_check",
    "decision_pdf",
    "lookup_record_failure",
    "lookup_throttled",
    "lookup_trusted",
    "normal_number",
    "normal_phone",
]

LOOKUP_WINDOW_SECONDS = 3600
LOOKUP_FAILED = "未找到与该办件编号和手机号码相符的办件，请核对后重试。"
LOOKUP_THROTTLED = "查询失败次数过多，为保护办件信息，请1小时后再试；如需帮助，请拨打咨询电话。"
DECISION_FAILED = "未找到与该办件编号和身份证号码相符、已作出决定的办件，请核对后重试。"

# A decision (准予／不予行政许可决定书) exists from these statuses on.
DECIDED = {"approved", "denied", "result_ready", "delivered", "concluded"}


# --- the failure throttle (shared with /cases/lookup/) -------------------------------------------
#
# Two counters, each a sliding hour: per client address, so one address cannot try many
# numbers, and per case number, so many addresses (a botnet, or a whole NAT) cannot try many
# phones for one case. Addresses in BANHAO_LOOKUP_TRUSTED_ADDRESSES (the hall's kiosks, which
# serve a whole queue from one address) are exempt from the per-address counter only: the
# per-number counter still guards every case.


def _max_failures() -> int:
    return getattr(settings, "BANHAO_LOOKUP_MAX_FAILURES_PER_HOUR", 10)


def _max_failures_per_number() -> int:
    return getattr(settings, "BANHAO_LOOKUP_MAX_FAILURES_PER_NUMBER_PER_HOUR", 10)


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip())


def lookup_trusted(ip: str) -> bool:
    """True for an address (or inside a network) listed in BANHAO_LOOKUP_TRUSTED_ADDRESSES."""
    entries = tuple(getattr(settings, "BANHAO_LOOKUP_TRUSTED_ADDRESSES", ()) or ())
    if not ip or not entries:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in net for net in _networks(entries))


def _digest(value: str) -> str:
    return hashlib.sha256((value or "-").encode()).hexdigest()[:32]


def _failure_key(ip: str) -> str:
    # The key of the public lookup's counter: a failure at the kiosk counts there too.
    return "cases:lookup-failures:" + _digest(ip)


def _number_key(number: str) -> str:
    return "cases:lookup-failures-number:" + _digest(normal_number(number))


def _recent(key: str) -> list[float]:
    since = time.time() - LOOKUP_WINDOW_SECONDS
    return [t for t in cache.get(key, []) if t > since]


def normal_number(value: str) -> str:
    """A typed case number in the stored form (compatibility forms folded, spaces removed)."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", value or ""))[:64]


def lookup_throttled(ip: str, number: str | None = None) -> bool:
    """True when this address (unless trusted) or this case number has used up its failed
    attempts of the last hour."""
    if not lookup_trusted(ip) and len(_recent(_failure_key(ip))) >= _max_failures():
        return True
    return bool(number) and len(_recent(_number_key(number))) >= _max_failures_per_number()


def lookup_record_failure(ip: str, number: str | None = None) -> None:
    # A list of times with a sliding hour (the same on every cache backend: no incr, whose
    # expiry differs between backends).
    keys = [_failure_key(ip)] + ([_number_key(number)] if number else [])
    for key in keys:
        cache.set(key, [*_recent(key), time.time()], LOOKUP_WINDOW_SECONDS)


def normal_phone(value: str) -> str:
    """The ASCII digits of a phone number (full-width ones folded), without a leading 86."""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", value or "") if "0" <= ch <= "9")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


# --- 办件查询 --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseLookupInfo:
    number: str
    status: str
    status_label: str
    tone: str  # ok / warn / danger / muted / ""
    item: str
    department: str
    applicant_masked: str
    accepted_on: dt.date | None
    promised_due: dt.date | None
    last_event_at: dt.datetime | None


def case_lookup(*, number: str, phone: str, ip: str) -> CaseLookupInfo:
    """The status of a case by its number and contact phone; ValidationError (Chinese) when
    the address is throttled or the pair does not match (which counts as a failure)."""
    from . import documents
    from .applicant_views import STATUS_TONE, mask_name
    from .models import Case

    number = normal_number(number)
    if lookup_throttled(ip, number):
        raise ValidationError(LOOKUP_THROTTLED)
    case = (
        Case.objects.select_related("version", "department", "person", "organization")
        .filter(number=number)
        .first()
    )
    given = normal_phone(phone)
    stored = normal_phone(case.contact_phone) if case is not None else ""
    if case is None or not given or not hmac.compare_digest(given, stored):
        lookup_record_failure(ip, number)
        raise ValidationError(LOOKUP_FAILED)
    last = case.events.order_by("-at", "-id").values_list("at", flat=True).first()
    return CaseLookupInfo(
        number=case.number,
        status=case.status,
        status_label=case.get_status_display(),
        tone=STATUS_TONE.get(case.status, ""),
        item=case.version.display_name,
        department=case.department.name,
        applicant_masked=mask_name(documents.applicant_name(case)),
        accepted_on=case.accepted_on,
        promised_due=case.promised_due,
        last_event_at=last,
    )


# --- 打印决定书 ------------------------------------------------------------------------------------


def decision_check(*, number: str, resident_id: str, ip: str, actor_label: str = "") -> int:
    """The id of the case whose decision this person may print: the case number and the
    resident ID number of the case's person must match and the case must have a decision.

    Raises ValidationError (Chinese): LOOKUP_THROTTLED, or DECISION_FAILED for every kind of
    mismatch (counted as a failure). An ID number that is not a valid ID at all is a typo, not
    a guess: it gets its own message and is not counted. The access is written to the audit log.
    """
    from banhao.core.audit import audit_record

    from . import documents
    from .models import Case

    number = normal_number(number)
    if lookup_throttled(ip, number):
        raise ValidationError(LOOKUP_THROTTLED)
    try:
        rid = normalize_resident_id((resident_id or "").strip())
    except ValidationError:
        raise ValidationError("身份证号码有误，请核对后重新输入。") from None
    case = Case.objects.select_related("person", "version").filter(number=number).first()
    stored = case.person.resident_id.upper() if case is not None and case.person_id else ""
    ok = case is not None and stored and hmac.compare_digest(rid.upper(), stored)
    if ok and case.status in DECIDED:
        try:
            documents.notice_for(case, documents.DECISION)
        except documents.NoticeNotApplicable:
            ok = False
    else:
        ok = False
    if not ok:
        lookup_record_failure(ip, number)
        raise ValidationError(DECISION_FAILED)
    audit_record(
        actor=actor_label or "24小时自助服务区",
        obj=case,
        action="cases.self_service_decision",
        after={"printed": "decision"},
    )
    return case.pk


@dataclass(frozen=True)
class DecisionPdf:
    body: bytes
    filename: str
    title: str
    case_number: str


def decision_pdf(case_id: int, *, base_url: str | None = None) -> DecisionPdf:
    """The decision of a case (checked with ``decision_check``) as PDF bytes.

    Raises Case.DoesNotExist / documents.NoticeNotApplicable as LookupError, and
    banhao.core.pdf.PdfUnavailable when this server cannot make PDFs.
    """
    from . import documents
    from .models import Case

    case = (
        Case.objects.select_related(
            "version", "department", "region", "region__parent", "person", "organization"
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None or case.status not in DECIDED:
        raise LookupError("没有可打印的决定书。")
    try:
        notice = documents.notice_for(case, documents.DECISION)
    except documents.NoticeNotApplicable:
        raise LookupError("没有可打印的决定书。") from None
    body = documents.render_notice(case, documents.DECISION, base_url=base_url)
    return DecisionPdf(
        body=body, filename=f"{notice.title}-{case.number}.pdf", title=notice.title, case_number=case.number
    )
