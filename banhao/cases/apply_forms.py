"""The online application form (网上申请): parsing, draft keeping and validation.

The form is not a fixed Django form: its fields, situations and materials come from the
published version of the standard text (catalog.content). This module works on plain values:

- ``new_draft_data()`` / ``merge_post()`` / ``store_uploads()`` keep what the applicant typed and
  uploaded in the draft's JSON exactly as given, so a validation error never loses anything;
- ``validate()`` checks a draft against the version and the registry and returns the cleaned
  application or the Chinese error messages, keyed like the inputs;
- ``page()`` gives the template every row to draw, with values, widgets and errors.

Input names are ASCII and derived from the content: ``f_<field key>``, ``s_<situation key>``,
``m_<material index>``, ``contact_phone``.

免提交 by a held electronic licence: a material whose 对应证照 is a type of the licence store
(``licences.api.licence_type_for_material``) is never fetched on trust. When the applicant (or
their enterprise, under a live mandate) holds a usable licence of that type, the page offers it
instead of the upload (``m_<i>_use``: the licence's identifier or ``upload``) with a preview and
a consent box (``m_<i>_consent``); otherwise the upload is required, with a hint that the
licence store has none on record. The draft keeps the choice in ``licences`` and ``consent``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from banhao.core.identifiers import clean_code, normalize_resident_id, normalize_uscc
from banhao.core.uploads import check_upload

YES, NO = "yes", "no"
UPLOAD_KINDS = ("pdf", "jpg", "png", "ofd")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_ACCEPT = ".pdf,.jpg,.jpeg,.png,.ofd"
DRAFT_DIR = "drafts"
SHARED_NOTE = "可通过数据共享获取，无需上传"
SHARED_MATERIAL_NOTE = "免提交（数据共享）"
UPLOAD_CHOICE = "upload"  # m_<i>_use: upload a file instead of using a held licence
CONSENT_TEXT = "同意本次申请调用该电子证照"

# Prefilled values that say who applies: they must equal the registry's (no one applies in
# someone else's name). Phone and address are the applicant's to correct.
CHECKED_SOURCES = {"person.name", "person.resident_id", "org.name", "org.credit_code"}
# Longest text accepted per type when the standard text sets no max_length.
DEFAULT_MAX_LENGTH = {
    "text": 200,
    "textarea": 2000,
    "address": 200,
    "number": 30,
    "date": 10,
    "choice": 200,
    "resident_id": 30,
    "credit_code": 30,
    "phone": 30,
}
_LANDLINE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?$")
_KEY = re.compile(r"^[0-9a-f]{32}$")
PHONE_MESSAGE = "请填写11位手机号码，或带区号的固定电话（如 0539-8123456）。"


def field_input(key: str) -> str:
    return f"f_{key}"


def situation_input(key: str) -> str:
    return f"s_{key}"


def material_input(index: int) -> str:
    return f"m_{index}"


def licence_use_input(index: int) -> str:
    return f"m_{index}_use"


def licence_consent_input(index: int) -> str:
    return f"m_{index}_consent"


def licence_types(content: dict[str, Any]) -> dict[str, str]:
    """{material name: licence type name} for the materials whose 对应证照 the licence store holds."""
    from banhao.licences import api as licences_api

    out: dict[str, str] = {}
    seen: dict[str, str | None] = {}
    for m in content["materials"]:
        material_type = str(m.get("licence_type") or "").strip()
        if not material_type:
            continue
        if material_type not in seen:
            seen[material_type] = licences_api.licence_type_for_material(material_type)
        if seen[material_type]:
            out[m["name"]] = seen[material_type]
    return out


def licences_held(identity, type_name: str) -> list:
    """The usable licences of that type the applicant holds, or their enterprise (the identity
    carries the enterprise only while the agent's mandate is live)."""
    from banhao.licences import api as licences_api

    if identity is None:
        return []
    organization = getattr(identity, "organization", None)
    return licences_api.licences_held(
        person_id=identity.person.id,
        organization_id=organization.id if organization is not None else None,
        type_name=type_name,
    )


def applies(item: dict[str, Any], answers: dict[str, str]) -> bool:
    """A field or material applies when it belongs to every case or to a situation answered 是."""
    return not item.get("situation") or answers.get(item["situation"]) == YES


def new_key() -> str:
    return uuid.uuid4().hex


def clean_key(value) -> str:
    """The idempotency key from the page (a uuid4 in hex), or "" when it is not one."""
    value = str(value or "").strip().lower().replace("-", "")
    return value if _KEY.match(value) else ""


def new_draft_data() -> dict[str, Any]:
    return {"key": new_key(), "fields": {}, "situations": {}, "contact_phone": None, "files": {}}


def normalize_phone(value: str) -> str:
    """A contact phone: a landline with its area code (0539-8123456), or a mobile by the
    registry's one mobile rule (registry.api.normalize_mobile: NFKC folding, +86 dropped, 11
    ASCII digits). Raises ValidationError otherwise."""
    from banhao.registry.api import normalize_mobile

    # NFKC folds full-width digits and brackets (０５３９… → 0539…) before the ASCII pattern.
    number = re.sub(r"[\s()]", "", unicodedata.normalize("NFKC", value or "")).replace("—", "-")
    if number.startswith("0") and not number.startswith("0086") and _LANDLINE.match(number):
        return number
    try:
        mobile = normalize_mobile(number)
    except ValidationError:
        raise ValidationError(PHONE_MESSAGE) from None
    if not mobile:
        raise ValidationError(PHONE_MESSAGE)
    return mobile


# --- keeping what was typed and uploaded ------------------------------------------------------


def merge_post(data: dict[str, Any], post, content: dict[str, Any]) -> None:
    """Copies every input the page sent into the draft, as typed. Inputs the page did not draw
    (a field of a situation answered 否) keep their earlier value."""
    fields = data.setdefault("fields", {})
    for f in content["form_fields"]:
        name = field_input(f["key"])
        if name in post:
            # Kept whole, never cut: clean_field refuses an over-long value with its limit and
            # the applicant keeps the text to shorten (Django's request size cap bounds it).
            fields[f["key"]] = str(post.get(name, ""))
    answers = data.setdefault("situations", {})
    for s in content["situations"]:
        value = post.get(situation_input(s["key"]))
        if value in (YES, NO):
            answers[s["key"]] = value
    if "contact_phone" in post:
        data["contact_phone"] = str(post.get("contact_phone", ""))[:40]
    choices = data.setdefault("licences", {})
    consent = data.setdefault("consent", {})
    for i, m in enumerate(content["materials"]):
        use = post.get(licence_use_input(i))
        if use is None:
            continue  # the page did not offer a licence for it: keep the earlier choice
        use = str(use).strip()[:120]
        choices[m["name"]] = "" if use == UPLOAD_CHOICE else use
        consent[m["name"]] = post.get(licence_consent_input(i)) == "yes"


def file_sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def delete_stored(record: dict[str, Any] | None) -> None:
    path = (record or {}).get("path") or ""
    if path.startswith(f"{DRAFT_DIR}/") and default_storage.exists(path):
        default_storage.delete(path)


def store_uploads(data: dict[str, Any], files, content: dict[str, Any], *, user_id: int) -> dict[str, str]:
    """Checks each uploaded material (type sniffed from the content, 20 MB at most) and keeps the
    good ones under MEDIA_ROOT/drafts/, replacing an earlier file of the same material. Returns
    {input name: Chinese message} for the files refused; a refused file is not stored."""
    errors: dict[str, str] = {}
    kept = data.setdefault("files", {})
    stored_types = licence_types(content)
    for i, m in enumerate(content["materials"]):
        name = material_input(i)
        upload = files.get(name)
        if upload is None or (m["shared"] and m["name"] not in stored_types):
            continue
        try:
            kind = check_upload(upload, allowed=UPLOAD_KINDS, max_bytes=MAX_UPLOAD_BYTES)
        except ValidationError as exc:
            errors[name] = f"“{m['name']}”：{exc.messages[0]}"
            continue
        path = default_storage.save(f"{DRAFT_DIR}/{user_id}/{uuid.uuid4().hex}{kind.extensions[0]}", upload)
        delete_stored(kept.get(m["name"]))
        kept[m["name"]] = {
            "path": path,
            "name": (upload.name or "")[-200:],
            "size": upload.size,
            "sha256": file_sha256(upload),
            "content_type": kind.content_type,
        }
        data.setdefault("licences", {})[m["name"]] = ""  # a file chosen means it is uploaded
    return errors


# --- validation ------------------------------------------------------------------------------


@dataclass
class Result:
    """The outcome of ``validate``: the cleaned application, or errors keyed by input name."""

    form_data: dict[str, Any] = field(default_factory=dict)
    situations: dict[str, bool] = field(default_factory=dict)
    contact_phone: str = ""
    materials: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def field_value(f: dict[str, Any], data: dict[str, Any], identity) -> str:
    """What the field holds: what the applicant typed, or else the registry's prefill."""
    typed = data.get("fields", {})
    if f["key"] in typed:
        return typed[f["key"]]
    return (identity.value(f["prefill"]) if identity is not None else None) or ""


def contact_value(data: dict[str, Any], identity) -> str:
    if data.get("contact_phone") is not None:
        return data["contact_phone"]
    return identity.person.phone if identity is not None else ""


def clean_field(f: dict[str, Any], raw: str) -> Any:
    """One field's value in stored form, by type; raises ValidationError with a Chinese message."""
    label, kind = f["label"], f["type"]
    value = (raw or "").strip()
    if not value:
        if f["required"]:
            raise ValidationError(f"请{'选择' if kind == 'choice' else '填写'}“{label}”。")
        return ""
    limit = f.get("max_length") or DEFAULT_MAX_LENGTH.get(kind, 200)
    if len(value) > limit:
        raise ValidationError(f"“{label}”不能超过{limit}个字，当前{len(value)}个字。")
    if kind == "resident_id":
        return normalize_resident_id(value)
    if kind == "credit_code":
        return normalize_uscc(value)
    if kind == "phone":
        return normalize_phone(value)
    if kind == "number":
        try:
            number = Decimal(value.replace(",", "").replace("，", ""))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValidationError(f"“{label}”应填写数字。")
        return format(number.normalize(), "f")
    if kind == "date":
        try:
            return dt.date.fromisoformat(value.replace("/", "-")).isoformat()
        except ValueError:
            raise ValidationError(f"“{label}”应为有效日期，格式如 2026-01-31。") from None
    if kind == "choice":
        if value not in f["choices"]:
            raise ValidationError(f"“{label}”请从给定选项中选择：{'、'.join(f['choices'])}。")
        return value
    return value


def _registry_form(source: str, value: str) -> str:
    if source in {"person.resident_id", "org.credit_code"}:
        return clean_code(value)
    return re.sub(r"\s+", "", value or "")


def validate(content: dict[str, Any], data: dict[str, Any], identity) -> Result:
    """Checks the draft for submission: situations answered, every applicable field by its type,
    the applicant's identity fields against the registry, the contact phone, the materials."""
    result = Result()
    answers = data.get("situations", {})
    for s in content["situations"]:
        answer = answers.get(s["key"])
        if answer not in (YES, NO):
            result.errors[situation_input(s["key"])] = f"请回答：{s['question']}"
        else:
            result.situations[s["key"]] = answer == YES

    for f in content["form_fields"]:
        if not applies(f, answers):
            continue
        name = field_input(f["key"])
        try:
            value = clean_field(f, field_value(f, data, identity))
        except ValidationError as exc:
            result.errors[name] = exc.messages[0]
            continue
        registered = identity.value(f["prefill"]) if f["prefill"] in CHECKED_SOURCES else None
        if registered is not None and _registry_form(f["prefill"], value) != _registry_form(
            f["prefill"], registered
        ):
            whose = "本单位" if f["prefill"].startswith("org.") else "本人"
            result.errors[name] = f"“{f['label']}”与基础信息库不一致：网上申请只能以{whose}名义办理。"
            continue
        result.form_data[f["key"]] = value

    try:
        phone = contact_value(data, identity).strip()
        if not phone:
            raise ValidationError("请填写联系电话，以便受理人员联系您。")
        result.contact_phone = normalize_phone(phone)
    except ValidationError as exc:
        result.errors["contact_phone"] = exc.messages[0]

    kept = data.get("files", {})
    stored_types = licence_types(content)
    chosen = data.get("licences", {})
    consent = data.get("consent", {})
    for i, m in enumerate(content["materials"]):
        if not applies(m, answers):
            continue
        type_name = stored_types.get(m["name"])
        if type_name:  # a held licence (with consent) or an upload, never fetched on trust
            identifier = chosen.get(m["name"]) or ""
            held = {x.identifier for x in licences_held(identity, type_name)}
            if identifier and identifier in held:
                if not consent.get(m["name"]):
                    result.errors[material_input(i)] = (
                        f"使用电子证照免提交“{m['name']}”，请勾选“{CONSENT_TEXT}”；也可以改为上传材料。"
                    )
                else:
                    result.materials.append(
                        {"name": m["name"], "shared": False, "file": None, "licence": identifier}
                    )
            elif identifier and held:
                result.errors[material_input(i)] = (
                    f"所选《{type_name}》电子证照不是您（或本单位）持有的有效证照，请重新选择或上传“{m['name']}”。"
                )
            elif m["name"] in kept:
                result.materials.append({"name": m["name"], "shared": False, "file": kept[m["name"]]})
            elif m["required"]:
                result.errors[material_input(i)] = (
                    f"请选择使用已有的《{type_name}》电子证照，或上传“{m['name']}”。"
                    if held
                    else f"请上传“{m['name']}”（电子证照库中没有您（或本单位）的《{type_name}》）。"
                )
            continue
        if m["shared"]:
            result.materials.append({"name": m["name"], "shared": True, "file": None})
        elif m["name"] in kept:
            result.materials.append({"name": m["name"], "shared": False, "file": kept[m["name"]]})
        elif m["required"]:
            result.errors[material_input(i)] = f"请上传“{m['name']}”。"
    return result


# --- what the page draws ------------------------------------------------------------------------


def _widget(f: dict[str, Any]) -> str:
    if f["type"] == "textarea":
        return "textarea"
    if f["type"] == "choice":
        return "radio" if len(f["choices"]) <= 5 else "select"
    return "input"


INPUT_ATTRS = {
    "text": {"type": "text"},
    "address": {"type": "text", "autocomplete": "street-address"},
    "number": {"type": "text", "inputmode": "decimal"},
    "date": {"type": "date"},
    "resident_id": {"type": "text", "autocomplete": "off", "spellcheck": "false"},
    "credit_code": {"type": "text", "autocomplete": "off", "spellcheck": "false"},
    "phone": {"type": "tel", "inputmode": "tel", "autocomplete": "tel"},
}
TYPE_HELP = {
    "resident_id": "18位公民身份号码，末位可为X。",
    "credit_code": "18位统一社会信用代码。",
    "phone": "手机号码或带区号的固定电话。",
    "date": "格式如 2026-01-31。",
    "number": "请填写数字。",
}


def page(content: dict[str, Any], data: dict[str, Any], identity, errors: dict[str, str]) -> dict[str, Any]:
    """Rows for the template: situations, the applicable fields and materials, the contact phone."""
    answers = data.get("situations", {})
    situations = [
        {
            **s,
            "input": situation_input(s["key"]),
            "answer": answers.get(s["key"], ""),
            "error": errors.get(situation_input(s["key"]), ""),
        }
        for s in content["situations"]
    ]
    fields = []
    for f in content["form_fields"]:
        if not applies(f, answers):
            continue
        registered = identity.value(f["prefill"]) if identity is not None else None
        locked = f["prefill"] in CHECKED_SOURCES and registered is not None
        help_text = f["help"] or TYPE_HELP.get(f["type"], "")
        if registered is not None:
            help_text = (
                "已从基础信息库自动填写，不能修改；如有误请到窗口更正基础信息。"
                if locked
                else "已从基础信息库自动填写，可以修改。"
            )
        fields.append(
            {
                **f,
                "input": field_input(f["key"]),
                "value": field_value(f, data, identity),
                "widget": _widget(f),
                "attrs": INPUT_ATTRS.get(f["type"], {"type": "text"}),
                "maxlength": f.get("max_length") or DEFAULT_MAX_LENGTH.get(f["type"], 200),
                "locked": locked,
                "help_text": help_text,
                "error": errors.get(field_input(f["key"]), ""),
            }
        )
    kept = data.get("files", {})
    stored_types = licence_types(content)
    chosen = data.get("licences", {})
    consent = data.get("consent", {})
    materials = []
    for i, m in enumerate(content["materials"]):
        if not applies(m, answers):
            continue
        row = {
            **m,
            "input": material_input(i),
            "file": kept.get(m["name"]),
            "error": errors.get(material_input(i), ""),
            "store_type": stored_types.get(m["name"], ""),
            "held": [],
        }
        if row["store_type"]:
            held = licences_held(identity, row["store_type"])
            choice = chosen.get(m["name"])
            if choice is None:  # never answered: offer the newest licence unless a file is there
                choice = "" if row["file"] or not held else held[0].identifier
            row.update(
                held=held,
                choice=choice or UPLOAD_CHOICE,
                consent=bool(consent.get(m["name"])),
                use_input=licence_use_input(i),
                consent_input=licence_consent_input(i),
            )
        materials.append(row)
    return {
        "situations": situations,
        "fields": fields,
        "materials": materials,
        "contact_phone": contact_value(data, identity),
        "contact_error": errors.get("contact_phone", ""),
        "consent_text": CONSENT_TEXT,
        "upload_choice": UPLOAD_CHOICE,
    }
