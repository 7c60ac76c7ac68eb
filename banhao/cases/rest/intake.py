"""Opening a case over JSON (POST /api/v1/cases/): the body checked exactly as the online form
checks a submission, then ``commands.case_open`` (channel api).

An applicant account applies for itself (or the enterprise it holds a live mandate for) with
outcome 提交; staff with the 受理 permission name the applicant by resident ID (and the
enterprise by credit code) and may give any outcome. Files arrive base64-encoded and pass the
same content check as every upload. Errors are keyed by the JSON path of what was wrong
(``form_data.<key>``, ``situations.<key>``, ``materials.<name>``, ``materials[<i>].licence``,
``contact_phone`` …).

免提交 by a held electronic licence: a material whose 对应证照 is a type of the licence store
comes as ``{"name", "how": "licence", "licence": "<identifier>"}`` (``licence`` left out: the one
usable licence of that type the applicant holds, if exactly one). Passing it is the caller's
explicit consent; ``case_open`` checks it against the applicant and logs the use with the case
number. Such a material is never filled in as ``shared`` by the "shared unless uploaded" rule:
without a licence or a file it is missing.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from banhao.core.identifiers import normalize_resident_id, normalize_uscc
from banhao.core.uploads import check_upload

from .. import apply_forms as af
from .. import commands, services

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
API_DIR = "api"


class IntakeError(Exception):
    """400: ``errors`` maps a JSON path to its Chinese messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("；".join(m for ms in errors.values() for m in ms))
        self.errors = errors


def idempotency_key(header: str | None) -> str:
    key = (header or "").strip()
    if not key:
        raise IntakeError(
            {"Idempotency-Key": ["请在请求头 Idempotency-Key 中提供本次提交的唯一标识（1–64个字符）。"]}
        )
    if not KEY_PATTERN.match(key):
        raise IntakeError(
            {"Idempotency-Key": ["Idempotency-Key 只能由字母、数字、下划线和连字符组成，长度1–64。"]}
        )
    return key


def _identity(user, body: Mapping) -> Any:
    from banhao.registry.api import (
        ApplicantIdentity,
        applicant_identity,
        organization_by_credit_code,
        person_by_resident_id,
    )

    given = body.get("applicant")
    if getattr(user, "is_applicant", False):
        if given:
            raise IntakeError(
                {"applicant": ["申请人账户只能以本人（或经授权的本单位）名义申请，请勿填写 applicant。"]}
            )
        identity = applicant_identity(user)
        if identity is None:
            raise IntakeError({"applicant": ["该账户尚未完成实名信息，不能申请。"]})
        return identity
    if not isinstance(given, Mapping):
        raise IntakeError(
            {"applicant": ["请填写申请人：applicant.resident_id（及单位的 organization_credit_code）。"]}
        )
    errors: dict[str, list[str]] = {}
    person = organization = None
    try:
        person = person_by_resident_id(normalize_resident_id(str(given.get("resident_id") or "")))
        if person is None:
            errors["applicant.resident_id"] = ["基础信息库中没有此人，请先在窗口或基础信息库登记。"]
    except ValidationError as exc:
        errors["applicant.resident_id"] = exc.messages
    code = str(given.get("organization_credit_code") or "").strip()
    if code:
        try:
            organization = organization_by_credit_code(normalize_uscc(code))
            if organization is None:
                errors["applicant.organization_credit_code"] = ["基础信息库中没有该单位。"]
        except ValidationError as exc:
            errors["applicant.organization_credit_code"] = exc.messages
    if errors:
        raise IntakeError(errors)
    return ApplicantIdentity(person=person, organization=organization)


def _store(upload, kind, user_id: int) -> dict[str, Any]:
    path = default_storage.save(f"{API_DIR}/{user_id}/{uuid.uuid4().hex}{kind.extensions[0]}", upload)
    return {
        "path": path,
        "name": (upload.name or "")[-200:],
        "size": upload.size,
        "sha256": af.file_sha256(upload),
        "content_type": kind.content_type,
    }


def _materials(
    content, body, user_id: int, errors: dict[str, list[str]], identity=None
) -> tuple[list[dict], dict]:
    """(rows for case_open, {name: stored file record})."""
    rows, files = [], {}
    known = {m["name"]: m for m in content["materials"]}
    stored_types = af.licence_types(content)
    given = body.get("materials") or []
    if not isinstance(given, list):
        errors["materials"] = ["materials 应为数组。"]
        return rows, files
    for i, m in enumerate(given):
        if not isinstance(m, Mapping):
            errors[f"materials[{i}]"] = ["每项材料应为对象：{name, how, file}。"]
            continue
        name = str(m.get("name") or "").strip()
        path = f"materials.{name or i}"
        if name not in known:
            errors[path] = [f"本事项没有名为“{name}”的申请材料。"]
            continue
        how = str(m.get("how") or "")
        if how not in commands.MATERIAL_NOTES:
            errors[path] = [
                "how 应为 shared（免提交）、licence（电子证照免提交）、file（上传文件）、"
                "paper（纸质原件核验）或 defective（需补正）。"
            ]
            continue
        store_type = stored_types.get(name)
        if how == commands.SHARED and store_type:
            errors[f"materials[{i}].how"] = [
                f"“{name}”须使用申请人持有的《{store_type}》电子证照："
                '{"how": "licence", "licence": "<证照标识>"}，或上传文件。'
            ]
            continue
        if how == commands.SHARED and not known[name]["shared"]:
            errors[path] = [f"“{name}”不能通过数据共享免提交，请上传文件。"]
            continue
        if how == commands.LICENCE:
            if not store_type:
                errors[f"materials[{i}].how"] = [f"“{name}”不在电子证照库中，不能以电子证照免提交。"]
                continue
            licence = m.get("licence")
            if licence is not None and not isinstance(licence, str):
                errors[f"materials[{i}].licence"] = ["licence 应为电子证照标识（字符串）。"]
                continue
            licence = (licence or "").strip()
            if not licence:
                held = af.licences_held(identity, store_type)
                if len(held) != 1:
                    errors[f"materials[{i}].licence"] = [
                        f"请在 licence 中填写要调用的《{store_type}》电子证照标识"
                        + ("（申请人持有多本）。" if held else "；电子证照库中没有申请人有效的该证照。")
                    ]
                    continue
                licence = held[0].identifier
            rows.append({"name": name, "how": how, "file": None, "licence": licence[:120]})
            continue
        record = None
        if how in (commands.FILE, commands.DEFECTIVE) and m.get("file") is not None:
            f = m.get("file")
            if not isinstance(f, Mapping):
                errors[path] = ["file 应为对象：{filename, content_base64}。"]
                continue
            try:
                raw = base64.b64decode(str(f.get("content_base64") or ""), validate=True)
            except (binascii.Error, ValueError):
                errors[path] = ["content_base64 不是有效的 Base64 编码。"]
                continue
            upload = SimpleUploadedFile(str(f.get("filename") or "material")[-200:], raw)
            try:
                kind = check_upload(upload, allowed=af.UPLOAD_KINDS, max_bytes=af.MAX_UPLOAD_BYTES)
            except ValidationError as exc:
                errors[path] = exc.messages
                continue
            upload.seek(0)
            record = _store(ContentFile(upload.read(), name=upload.name), kind, user_id)
            files[name] = record
        elif how == commands.FILE:
            errors[path] = [f"“{name}”选择了上传文件，请提供 file。"]
            continue
        rows.append({"name": name, "how": how, "file": record})
    return rows, files


def _path_of(name: str, content) -> str:
    if name.startswith("f_"):
        return "form_data." + name[2:]
    if name.startswith("s_"):
        return "situations." + name[2:]
    if name.startswith("m_") and name[2:].isdigit():
        i = int(name[2:])
        return "materials." + (content["materials"][i]["name"] if i < len(content["materials"]) else name)
    return name


def open_case(*, user, body: Mapping, key: str):
    """Checks the body and opens the case; returns (case, created). Raises IntakeError (400) or
    the command's own PermissionDenied (403) and ValidationError (400)."""
    from banhao.catalog.api import published_for_application, version_content

    errors: dict[str, list[str]] = {}
    earlier = services.case_opened(user, key)
    if earlier is not None:  # a retry: the case already made, whatever the body says now
        return earlier, False
    try:
        implementation_id = int(body.get("implementation_id"))
    except (TypeError, ValueError):
        raise IntakeError({"implementation_id": ["请填写要申请的实施清单编号（整数）。"]}) from None
    if not 0 < implementation_id < 2**31:
        raise IntakeError({"implementation_id": ["实施清单编号超出范围。"]})
    impl, version = published_for_application(implementation_id)
    if impl is None:
        raise IntakeError({"implementation_id": ["该事项不存在或已停止办理。"]})
    content = version_content(version)
    outcome = str(body.get("outcome") or commands.SUBMIT)
    if outcome not in commands.OUTCOMES:
        raise IntakeError({"outcome": ["outcome 应为 submit、accept、correction 或 refuse。"]})
    if outcome != commands.SUBMIT and getattr(user, "is_applicant", False):
        raise PermissionDenied("申请人只能提交申请，受理由工作人员办理。")
    identity = _identity(user, body)

    for name in ("form_data", "situations"):
        if body.get(name) is not None and not isinstance(body.get(name), Mapping):
            errors[name] = [f"{name} 应为对象。"]
    if errors:
        raise IntakeError(errors)
    fields = {str(k): "" if v is None else str(v) for k, v in (body.get("form_data") or {}).items()}
    unknown = sorted(set(fields) - {f["key"] for f in content["form_fields"]})
    for k in unknown:
        errors[f"form_data.{k}"] = [f"本事项的申请表没有字段“{k}”。"]
    situations = {}
    for k, v in (body.get("situations") or {}).items():
        if not isinstance(v, bool):
            errors[f"situations.{k}"] = ["情形的回答应为 true 或 false。"]
        situations[str(k)] = af.YES if v is True else af.NO
    phone = body.get("contact_phone")
    data = {
        "fields": fields,
        "situations": situations,
        "contact_phone": None if phone is None else str(phone),
        "files": {},
    }
    rows, files = _materials(content, body, user.pk, errors, identity)
    data["files"] = files
    # a material given as shared, or as a held licence (checked by case_open, errors keyed
    # materials[<i>].licence), is not "missing"
    shared_given = {r["name"] for r in rows if r["how"] in (commands.SHARED, commands.LICENCE)}
    result = af.validate(content, data, identity)
    for name, message in result.errors.items():
        path = _path_of(name, content)
        if path.startswith("materials.") and outcome != commands.SUBMIT:
            continue  # staff outcomes say per material how it was received (checked by case_open)
        if path.startswith("materials.") and path[len("materials.") :] in shared_given:
            continue
        errors.setdefault(path, []).append(message)
    if outcome == commands.SUBMIT:
        # the online rule: a shareable material is fetched by the office (免提交) unless uploaded;
        # a material the licence store holds is never (validate leaves it out: licence or file)
        rows = [
            *rows,
            *(
                {"name": m["name"], "how": commands.SHARED, "file": None}
                for m in result.materials
                if m["shared"] and m["name"] not in {r["name"] for r in rows}
            ),
        ]
    correction = body.get("correction") or {}
    refusal = body.get("refusal") or {}
    if not isinstance(correction, Mapping) or not isinstance(refusal, Mapping):
        errors["correction"] = ["correction 和 refusal 应为对象。"]
        correction, refusal = {}, {}
    items = correction.get("items") or []
    if outcome == commands.CORRECTION and (
        not isinstance(items, list) or not items or not all(isinstance(i, Mapping) for i in items)
    ):
        errors["correction.items"] = ["一次性告知补正须逐项列出需补正的材料及原因：[{material, reason}]。"]
        items = []
    if outcome == commands.REFUSE and not str(refusal.get("reason") or "").strip():
        errors["refusal.reason"] = ["不予受理必须说明理由。"]
    if errors:
        raise IntakeError(errors)
    return commands.case_open_resolved(
        impl=impl,
        version=version,
        identity=identity,
        channel="api",
        applicant=commands.Applicant(
            person_id=identity.person.id,
            organization_id=identity.organization.id if identity.organization else None,
            contact_phone=result.contact_phone,
        ),
        form_data=result.form_data,
        situations=result.situations,
        materials=rows,
        outcome=outcome,
        idempotency_key=key,
        actor=user,
        correction_items=[
            {"material": str(i.get("material") or ""), "reason": str(i.get("reason") or "")} for i in items
        ],
        correction_note=str(correction.get("note") or "")[:500],
        refusal_reason=str(refusal.get("reason") or "")[:1000],
        competent_office=str(refusal.get("competent_office") or "")[:200],
    )
