"""Every write of the licences app: issue (and supersede), status changes, the expiry sweep and
the use log. Verification (a read that also logs) lives here too, beside the signed payload it
must recompute exactly as the issuer did.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from banhao.core.audit import audit_record
from banhao.core.identifiers import make_licence_identifier, normalize_licence_identifier
from banhao.notify.api import SITE, SMS, message_send
from banhao.org import api as org_api
from banhao.registry import api as registry_api

from . import keys, signing, states
from .models import (
    ACTIVE_STATUSES,
    HOLDER_CODE_TYPES,
    HolderKind,
    Licence,
    LicenceEvent,
    LicenceType,
    LicenceUse,
    SerialCounter,
    Status,
    Validity,
)

logger = logging.getLogger("banhao.licences")

REASON_MAX = 200
FIELD_KINDS = {"text", "date", "number", "code"}


# --- the signed payload ---------------------------------------------------------------------


def metadata(licence: Licence) -> dict[str, Any]:
    """The GB/T 36902 metadata of a licence, as signed (the status is not signed: it changes)."""
    return {
        "证照名称": licence.name,
        "证照类型代码": licence.type_code,
        "证照编号": licence.number,
        "电子证照标识": licence.identifier,
        "版本号": f"{licence.version:03d}",
        "持证主体": licence.holder_name,
        "持证主体代码": licence.holder_code,
        "持证主体代码类型": licence.holder_code_type,
        "颁发机构": licence.issuer_name,
        "颁发机构代码": licence.issuer_code,
        "颁发日期": licence.issued_on.isoformat(),
        "有效期起始": licence.valid_from.isoformat(),
        "有效期截止": licence.valid_until.isoformat() if licence.valid_until else "长期",
        "管辖属地": licence.region_code,
    }


def signed_payload(licence: Licence) -> bytes:
    """Canonical JSON (sorted keys, no spaces, UTF-8) of the metadata and the face."""
    body = {"metadata": metadata(licence), "face": licence.face}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature_holds(licence: Licence) -> bool:
    key = keys.public_key(licence.key_id)
    if key is None or key.algorithm != licence.algorithm:
        # a key id this server's keyring does not know: the record was altered, or the keyrings of
        # several servers are out of step (operations.md); either way the licence cannot be trusted
        logger.warning("licence %s names key %s, which the keyring does not hold", licence.pk, licence.key_id)
        return False
    return signing.verify(licence.algorithm, key.public, signed_payload(licence), licence.signature)


def _sign(licence: Licence, algorithm: str | None = None) -> None:
    try:
        key = keys.signing_key(licence.issuer_code, algorithm)
    except keys.KeyringError:
        # the demo, development and the tests make a department's key on its first licence;
        # production provisions keys (BANHAO_LICENCE_KEYS or the key file) and refuses here
        if not getattr(settings, "BANHAO_LICENCE_KEYS_AUTOCREATE", False):
            raise ValidationError(
                f"颁发机构“{licence.issuer_name}”尚未配置电子证照签名密钥，证照未签发，办件状态未改变。请联系系统管理员。"
            ) from None
        key = keys.key_generate(licence.issuer_code, algorithm)
    licence.algorithm = key.algorithm
    licence.key_id = key.key_id
    licence.signature = key.sign(signed_payload(licence))
    licence.signed_at = timezone.now()


# --- the face -------------------------------------------------------------------------------


def face_check(licence_type: LicenceType, face: dict[str, Any]) -> dict[str, str]:
    """The face as the type defines it: required fields present, dates and numbers well formed.
    Returns the cleaned face (strings); raises ValidationError keyed by field label."""
    errors: dict[str, str] = {}
    out: dict[str, str] = {}
    for f in licence_type.fields:
        key, label = f["key"], f.get("label") or f["key"]
        value = str(face.get(key) or "").strip()
        if not value:
            if f.get("required"):
                errors[key] = f"照面项“{label}”不能为空。"
            continue
        kind = f.get("kind", "text")
        if kind == "date":
            try:
                value = dt.date.fromisoformat(value).isoformat()
            except ValueError:
                errors[key] = f"照面项“{label}”应为日期（如 2026-12-04）。"
        elif kind == "number":
            try:
                float(value.replace(",", ""))
            except ValueError:
                errors[key] = f"照面项“{label}”应为数字。"
        if len(value) > 500:
            errors[key] = f"照面项“{label}”不得超过500字。"
        out[key] = value
    if errors:
        raise ValidationError(errors)
    return out


def _valid_until(licence_type: LicenceType, issued: dt.date, face: dict[str, str], until: dt.date | None):
    if until is not None:
        return until
    if licence_type.validity == Validity.YEARS and licence_type.validity_years:
        try:
            end = issued.replace(year=issued.year + licence_type.validity_years)
        except ValueError:  # 29 February
            end = issued.replace(year=issued.year + licence_type.validity_years, day=28)
        return end - dt.timedelta(days=1)
    if licence_type.validity == Validity.CASE and licence_type.validity_field:
        raw = face.get(licence_type.validity_field, "")
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise ValidationError(
                f"有效期截止日期（{licence_type.validity_field}）未填写或格式不正确。"
            ) from None
    return None


# --- issue ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    kind: str
    name: str
    code: str
    person_id: int | None
    organization_id: int | None


def holder_for(*, licence_type: LicenceType, person_id: int | None, organization_id: int | None) -> Holder:
    if licence_type.holder_kind == HolderKind.ORGANIZATION:
        org = registry_api.organization_by_id(organization_id) if organization_id else None
        if org is None:
            raise ValidationError(f"《{licence_type.name}》的持证主体应为单位，基础信息库中未找到该单位。")
        return Holder(HolderKind.ORGANIZATION, org.name, org.credit_code, None, org.id)
    person = registry_api.person_by_id(person_id) if person_id else None
    if person is None:
        raise ValidationError(f"《{licence_type.name}》的持证人应为自然人，基础信息库中未找到该人员。")
    return Holder(HolderKind.PERSON, person.name, person.resident_id, person.id, None)


def _serial_next(licence_type: LicenceType, issuer_code: str, year: int) -> str:
    try:
        with transaction.atomic():
            SerialCounter.objects.get_or_create(type=licence_type, issuer_code=issuer_code, year=year)
    except IntegrityError:  # another transaction created it first
        pass
    counter = SerialCounter.objects.select_for_update().get(
        type=licence_type, issuer_code=issuer_code, year=year
    )
    SerialCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return f"{year}{counter.last:07d}"


def _slot(licence: Licence) -> str | None:
    if licence.type.several_allowed or licence.status not in ACTIVE_STATUSES:
        return None
    return f"{licence.type_id}:{licence.holder_code}"


@transaction.atomic
def licence_issue(
    *,
    actor,
    licence_type: LicenceType,
    issuer_id: int,
    face: dict[str, Any],
    person_id: int | None = None,
    organization_id: int | None = None,
    region_id: int | None = None,
    case_id: int | None = None,
    case_number: str = "",
    issued_on: dt.date | None = None,
    valid_until: dt.date | None = None,
    algorithm: str | None = None,
) -> Licence:
    """Issues and signs a licence. For a type a holder may hold only once, an active licence of
    the same type and holder is superseded: the new one is its next version (same serial)."""
    if not licence_type.active:
        raise ValidationError(f"证照类型《{licence_type.name}》已停用，不能签发。")
    holder = holder_for(licence_type=licence_type, person_id=person_id, organization_id=organization_id)
    issuer = org_api.department_info(issuer_id)
    if issuer is None or not issuer.credit_code:
        raise ValidationError("颁发机构不存在或没有统一社会信用代码，不能签发电子证照。")
    region = (org_api.region_info(region_id) if region_id else None) or issuer.region
    today = issued_on or timezone.localdate()

    previous = None
    if not licence_type.several_allowed:
        previous = (
            Licence.objects.select_for_update()
            .filter(type=licence_type, holder_code=holder.code, status__in=ACTIVE_STATUSES)
            .first()
        )
    face = {**_from_holder(licence_type, holder), **{k: v for k, v in face.items() if str(v or "").strip()}}
    if previous is not None:  # 变更/换发: the new version keeps what the application did not change
        face = {**previous.face, **face}
    clean = face_check(licence_type, face)
    if previous is not None and previous.issuer_code == issuer.credit_code:
        serial, version, number = previous.serial, previous.version + 1, previous.number
    else:
        serial, version, number = _serial_next(licence_type, issuer.credit_code, today.year), 1, ""
    if previous is not None:
        _move(previous, actor, "supersede", reason=f"换发新版本（{case_number or '变更'}）")

    licence = Licence(
        identifier=make_licence_identifier(licence_type.code, issuer.credit_code, serial, version),
        type=licence_type,
        name=licence_type.name,
        type_code=licence_type.code,
        serial=serial,
        version=version,
        holder_kind=holder.kind,
        holder_name=holder.name,
        holder_code=holder.code,
        holder_code_type=HOLDER_CODE_TYPES[holder.kind],
        holder_person_id=holder.person_id,
        holder_organization_id=holder.organization_id,
        issuer_id=issuer.id,
        issuer_name=issuer.name,
        issuer_code=issuer.credit_code,
        region_id=region.id,
        region_code=region.code,
        issued_on=today,
        valid_from=today,
        valid_until=_valid_until(licence_type, today, clean, valid_until),
        face=clean,
        status=Status.VALID,
        supersedes=previous,
        case_id=case_id,
        case_number=case_number,
    )
    licence.number = number or _number(licence_type, holder, serial)
    licence.holder_slot = _slot(licence)
    _sign(licence, algorithm)
    try:
        with transaction.atomic():
            licence.save()
    except IntegrityError:
        raise ValidationError(
            f"{holder.name}已持有有效的《{licence_type.name}》，同一主体不能同时持有两本。"
        ) from None
    _event(licence, actor, "issue", "", Status.VALID, reason=case_number)
    audit_record(
        actor=actor,
        obj=licence,
        action="licences.issue",
        after={"identifier": licence.identifier, "case": case_number},
    )
    _notify(licence, "issue")
    return licence


def _from_holder(licence_type: LicenceType, holder: Holder) -> dict[str, str]:
    """Face fields whose source is the holder (名称, 统一社会信用代码 …), filled from the registry."""
    out = {}
    for f in licence_type.fields:
        for source in f.get("sources") or []:
            if source in ("holder.name", "holder.code"):
                out[f["key"]] = holder.name if source == "holder.name" else holder.code
                break
    return out


def _number(licence_type: LicenceType, holder: Holder, serial: str) -> str:
    # 营业执照 and other registration certificates carry the holder's credit code as their number
    for f in licence_type.fields:
        if f.get("key") == "number" and "holder.code" in (f.get("sources") or []):
            return holder.code
    return serial


# --- the life cycle -------------------------------------------------------------------------


def _event(licence: Licence, actor, action: str, from_status: str, to_status: str, reason: str = "") -> None:
    user = actor if getattr(actor, "is_authenticated", False) else None
    label = (
        (getattr(user, "display_name", "") or user.get_username())
        if user
        else (actor if isinstance(actor, str) else "")
    )
    LicenceEvent.objects.create(
        licence=licence,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason[:200],
        actor=user,
        actor_label=label or "系统",
    )


def _move(licence: Licence, actor, action: str, *, reason: str = "") -> Licence:
    to = states.next_status(licence.status, action)
    if to is None:
        raise ValidationError(
            f"证照当前状态为“{licence.get_status_display()}”，不能{states.ACTION_LABELS.get(action, action)}。"
        )
    before = licence.status
    licence.status = to
    licence.holder_slot = _slot(licence)
    licence.save(update_fields=["status", "holder_slot"])
    _event(licence, actor, action, before, to, reason)
    audit_record(
        actor=actor,
        obj=licence,
        action=f"licences.{action}",
        before={"status": before},
        after={"status": to},
        reason=reason,
    )
    _notify(licence, action, reason)
    return licence


def _reason(reason: str, what: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError(f"请填写{what}原因。")
    if len(text) > REASON_MAX:
        raise ValidationError(f"{what}原因不得超过{REASON_MAX}字。")
    return text


@transaction.atomic
def licence_suspend(*, actor, licence: Licence, reason: str) -> Licence:
    reason = _reason(reason, "暂停使用")
    return _move(Licence.objects.select_for_update().get(pk=licence.pk), actor, "suspend", reason=reason)


@transaction.atomic
def licence_resume(*, actor, licence: Licence, reason: str) -> Licence:
    reason = _reason(reason, "恢复使用")
    return _move(Licence.objects.select_for_update().get(pk=licence.pk), actor, "resume", reason=reason)


@transaction.atomic
def licence_revoke(*, actor, licence: Licence, reason: str) -> Licence:
    reason = _reason(reason, "注销")
    return _move(Licence.objects.select_for_update().get(pk=licence.pk), actor, "revoke", reason=reason)


def licence_expire_sweep(today: dt.date | None = None) -> int:
    """Marks licences past their validity as expired (one event and one notice each)."""
    today = today or timezone.localdate()
    ids = list(
        Licence.objects.filter(status__in=ACTIVE_STATUSES, valid_until__lt=today).values_list("id", flat=True)
    )
    done = 0
    for pk in ids:
        with transaction.atomic():
            licence = Licence.objects.select_for_update().get(pk=pk)
            if licence.status in ACTIVE_STATUSES and licence.valid_until and licence.valid_until < today:
                _move(licence, "到期清扫", "expire", reason=f"有效期至 {licence.valid_until.isoformat()}")
                done += 1
    return done


def _notify(licence: Licence, action: str, reason: str = "") -> None:
    title, text = states.NOTICES[action]
    text = text.format(name=licence.name, number=licence.number, reason=reason or "—")
    key = f"licence:{licence.pk}:{action}:{licence.events.count()}"
    users = registry_api.account_user_ids(
        person_id=licence.holder_person_id, organization_id=licence.holder_organization_id
    )
    for uid in users:
        message_send(
            recipient=uid,
            channel=SITE,
            title=title,
            text=text,
            dedupe_key=f"{key}:{uid}",
            link="/licences/mine/",
        )
    if action in {"suspend", "revoke", "expire"}:
        phone = ""
        if licence.holder_person_id:
            p = registry_api.person_by_id(licence.holder_person_id)
            phone = p.phone if p else ""
        elif licence.holder_organization_id:
            phone = registry_api.organization_phone(licence.holder_organization_id)
        if phone:
            message_send(recipient=phone, channel=SMS, text=f"【办好】{text}", dedupe_key=f"{key}:sms")


# --- verification and use ---------------------------------------------------------------------


def effective_status(licence: Licence, today: dt.date | None = None) -> str:
    """The status a verifier sees: a valid licence past its end date is expired even before the sweep."""
    today = today or timezone.localdate()
    if licence.status in ACTIVE_STATUSES and licence.valid_until and licence.valid_until < today:
        return Status.EXPIRED
    return licence.status


VERIFY_STATUSES = ("valid", "suspended", "revoked", "expired", "unknown", "tampered")


def verify_status(licence: Licence | None) -> str:
    if licence is None:
        return "unknown"
    if not signature_holds(licence):
        return "tampered"
    status = effective_status(licence)
    # a superseded version is no longer in force: report it as revoked (注销), naming the successor
    return "revoked" if status == Status.SUPERSEDED else str(status)


def use_reason(reason: str | None) -> str:
    """用证事由: required, at most 200 characters."""
    text = (reason or "").strip()
    if not text:
        raise ValidationError("请填写用证事由（reason），说明本次用证的目的。", code="reason_required")
    if len(text) > REASON_MAX:
        raise ValidationError(f"用证事由不得超过{REASON_MAX}字。", code="reason_too_long")
    return text


def licence_use_record(
    *,
    licence: Licence,
    kind: str,
    reason: str,
    user=None,
    client=None,
    label: str = "",
    case_number: str = "",
) -> LicenceUse:
    reason = use_reason(reason)
    if not label:
        if client is not None:
            label = (
                f"{client.name}（{client.organisation}）"
                if getattr(client, "organisation", "")
                else client.name
            )
        elif getattr(user, "is_authenticated", False):
            label = getattr(user, "display_name", "") or user.get_username()
        else:
            label = "公众"
    return LicenceUse.objects.create(
        licence=licence,
        kind=kind,
        reason=reason,
        user=user if getattr(user, "is_authenticated", False) else None,
        client=client,
        user_label=label[:200],
        case_number=case_number,
    )


def verification_url(identifier: str, base_url: str | None = None) -> str:
    """What a licence's QR code holds: the public verification page with the identifier."""
    from urllib.parse import urlencode

    from django.urls import reverse

    base = base_url
    if base is None:
        explicit = getattr(settings, "BANHAO_SITE_URL", "")
        base = explicit or f"https://{settings.BANHAO_SITE.get('domain') or 'localhost'}"
    return base.rstrip("/") + reverse("licences:verify") + "?" + urlencode({"id": identifier})


def identifier_from_qr(content: str) -> str:
    """The identifier inside a QR code's content: the verification URL (…?id=<identifier>) or the
    bare identifier. Raises ValidationError in Chinese."""
    from urllib.parse import parse_qs, urlsplit

    text = (content or "").strip()
    if not text:
        raise ValidationError("请提供二维码内容。")
    if "://" in text or text.startswith("/"):
        query = parse_qs(urlsplit(text).query)
        text = (query.get("id") or [""])[0]
        if not text:
            raise ValidationError("二维码内容中没有电子证照标识，请确认扫描的是电子证照二维码。")
    return normalize_licence_identifier(text)


@transaction.atomic
def licence_use_as_material(
    *, identifier: str, holder_codes: set[str], type_names: set[str], case_number: str, actor
) -> Licence:
    """免提交: a licence offered as an application's material must exist, belong to the applicant
    (or their enterprise), be of the material's type, have an intact signature and be valid.
    The use is logged with the case number as the reason."""
    identifier = normalize_licence_identifier(identifier)
    licence = Licence.objects.select_related("type").filter(identifier=identifier).first()
    if licence is None:
        raise ValidationError("电子证照库中没有这本证照，请上传材料。")
    if licence.holder_code not in holder_codes:
        raise ValidationError("这本电子证照不属于申请人，不能作为本次申请的材料。")
    if type_names and not ({licence.type.name, *licence.type.aliases} & type_names):
        raise ValidationError(f"《{licence.name}》不是本项材料所需的证照。")
    status = verify_status(licence)
    if status != "valid":
        label = {"tampered": "签名核验未通过", "unknown": "不存在"}.get(status) or dict(Status.choices)[
            status
        ]
        raise ValidationError(f"《{licence.name}》当前{label}，不能免提交，请上传有效材料。")
    licence_use_record(
        licence=licence,
        kind=LicenceUse.Kind.MATERIAL,
        reason=f"办件 {case_number} 申请材料（免提交）",
        user=actor if getattr(actor, "is_authenticated", False) else None,
        label="" if getattr(actor, "is_authenticated", False) else str(actor or "办件系统"),
        case_number=case_number,
    )
    return licence


# --- the licence catalog ----------------------------------------------------------------------


def fields_check(fields: Any) -> list[dict[str, Any]]:
    """The face fields of a type: [{key, label, kind, required, public, sources}] with Chinese errors."""
    import re

    if not isinstance(fields, list) or not fields:
        raise ValidationError({"fields": "至少需要一个照面项。"})
    out, seen = [], set()
    for i, f in enumerate(fields, start=1):
        if not isinstance(f, dict):
            raise ValidationError({"fields": f"第{i}个照面项格式不正确。"})
        key = str(f.get("key") or "").strip()
        label = str(f.get("label") or "").strip()
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", key):
            raise ValidationError({"fields": f"第{i}个照面项的标识应为小写字母开头的字母、数字或下划线。"})
        if key in seen:
            raise ValidationError({"fields": f"照面项标识“{key}”重复。"})
        if not label:
            raise ValidationError({"fields": f"照面项“{key}”缺少名称。"})
        kind = f.get("kind") or "text"
        if kind not in FIELD_KINDS:
            raise ValidationError({"fields": f"照面项“{label}”的类型应为 text、date、number 或 code。"})
        sources = f.get("sources") or [key]
        if isinstance(sources, str):
            sources = [s.strip() for s in re.split(r"[,，、\s]+", sources) if s.strip()]
        seen.add(key)
        out.append(
            {
                "key": key,
                "label": label[:40],
                "kind": kind,
                "required": bool(f.get("required")),
                "public": bool(f.get("public")),
                "sources": list(sources),
            }
        )
    return out


@transaction.atomic
def licence_type_upsert(
    *,
    actor,
    name: str,
    code: str,
    authority_name: str,
    holder_kind: str,
    fields: list[dict[str, Any]],
    validity: str = Validity.LONG_TERM,
    validity_years: int | None = None,
    validity_field: str = "",
    several_allowed: bool = False,
    aliases: list[str] | None = None,
    item_codes: list[str] | None = None,
    composition_note: str = "",
) -> tuple[LicenceType, bool]:
    """Creates or updates a type of the licence catalog, keyed by its type code. Returns (type, created)."""
    from banhao.catalog import api as catalog_api
    from banhao.core.identifiers import normalize_licence_type_code

    try:
        code = normalize_licence_type_code(code)
    except ValidationError as e:
        raise ValidationError({"code": e.messages}) from None
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写证照名称。"})
    if not (authority_name or "").strip():
        raise ValidationError({"authority_name": "请填写证照定义机构。"})
    if holder_kind not in HolderKind.values:
        raise ValidationError({"holder_kind": "持证主体类别应为“自然人”或“法人及其他组织”。"})
    if validity not in Validity.values:
        raise ValidationError({"validity": "有效期规则应为固定年限、长期有效或以申请表所填日期为准。"})
    if validity == Validity.YEARS and not (validity_years and 0 < int(validity_years) <= 50):
        raise ValidationError({"validity_years": "固定年限的证照请填写1至50之间的有效年限。"})
    if validity == Validity.CASE and not validity_field:
        raise ValidationError({"validity_field": "请填写有效期截止日期所取的表单字段。"})
    clean_fields = fields_check(fields)
    item_ids: list[int] = []
    for item_code in item_codes or []:
        found = catalog_api.standard_item_ids(item_code)
        if not found:
            raise ValidationError({"items": f"事项目录中没有编码为 {item_code} 的标准化文本。"})
        item_ids.extend(found)
    clash = LicenceType.objects.filter(name=name).exclude(code=code).first()
    if clash is not None:
        raise ValidationError({"name": f"证照名称“{name}”已被类型代码 {clash.code} 使用。"})
    values = {
        "name": name,
        "authority_name": authority_name.strip(),
        "holder_kind": holder_kind,
        "fields": clean_fields,
        "validity": validity,
        "validity_years": int(validity_years) if validity == Validity.YEARS else None,
        "validity_field": validity_field if validity == Validity.CASE else "",
        "several_allowed": bool(several_allowed),
        "aliases": [a.strip() for a in aliases or [] if a.strip()],
        "composition_note": composition_note[:200],
    }
    existing = LicenceType.objects.select_for_update().filter(code=code).first()
    before = {k: getattr(existing, k) for k in values} if existing else None
    licence_type, created = LicenceType.objects.update_or_create(code=code, defaults=values)
    if item_codes is not None:
        licence_type.items.set(item_ids)
    after = {k: getattr(licence_type, k) for k in values}
    if created or before != after:  # an unchanged re-import writes no audit event
        audit_record(
            actor=actor,
            obj=licence_type,
            action="licences.type_create" if created else "licences.type_update",
            before=before,
            after=after,
        )
    return licence_type, created
