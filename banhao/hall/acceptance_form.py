"""The comprehensive window's acceptance form (前台综合受理): what the clerk typed and scanned,
kept from one render to the next, and checked for the outcome the clerk chose.

The form is the online application's (cases.api ``application_form``: situations, fields
prefilled from the registry, contact phone), plus, for each material, how the window received
it: 原件核验 (paper), 扫描上传 (a file through check_upload), 免提交 (shared), 调用电子证照
(licence: a usable licence the applicant or their enterprise holds, for a material whose 对应证照
the licence store holds, with the applicant's oral consent ticked as 申请人已同意调用; such a
material is never 免提交 on trust), 未提交 or 需补正 (with a reason). ``window_merge`` keeps everything the clerk typed; uploads that pass the check
are stored under MEDIA_ROOT/window/<staff>/ and carried between renders in a signed token, so a
validation error loses nothing. ``window_validate`` checks the form for one of three outcomes
(受理, 一次性告知补正, 不予受理) and ``acceptance_case_open`` hands the result to the one door
into cases (``case_open``, channel window). ``window_scans_purge`` (hall_sweep) removes scans
of forms never submitted.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone

from banhao.cases.api import application_form as af
from banhao.core.uploads import check_upload

WINDOW_UPLOAD_ACCEPT = af.UPLOAD_ACCEPT
WINDOW_MAX_UPLOAD_MB = af.MAX_UPLOAD_BYTES // (1024 * 1024)
WINDOW_DIR = "window"
TOKEN_SALT = "banhao.cases.window.upload"  # noqa: S105  (a signing salt, not a secret)
TOKEN_MAX_AGE = 12 * 3600  # a form left open over lunch still has its files

PAPER, FILE, SHARED, MISSING, DEFECTIVE = "paper", "file", "shared", "missing", "defective"
LICENCE = "licence"
HOW_CHOICES = [
    (PAPER, "纸质原件核验"),
    (FILE, "扫描/上传文件"),
    (SHARED, "免提交（数据共享）"),
    (LICENCE, "调用电子证照（免提交）"),
    (MISSING, "未提交"),
    (DEFECTIVE, "有缺陷，需补正"),
]
RECEIVED = {PAPER, FILE, SHARED, LICENCE}
CONSENT_TEXT = "申请人已同意调用"
HOW_NOTES = {
    PAPER: "纸质原件已核验",
    SHARED: af.SHARED_MATERIAL_NOTE,
    LICENCE: "免提交（电子证照）",
    FILE: "窗口扫描上传",
    DEFECTIVE: "窗口收取（需补正）",
}
MISSING_REASON = "未提交该材料，请补充提交。"

ACCEPT, CORRECTION, REFUSE = "accept", "correction", "refuse"
OUTCOMES = {ACCEPT: "受理", CORRECTION: "一次性告知补正", REFUSE: "不予受理"}


window_clean_key = af.clean_key  # the form's idempotency key, or "" when it is not one


def window_new_data() -> dict[str, Any]:
    """A fresh form: the online application's draft shape plus how each material was received."""
    return {**af.new_draft_data(), "materials": {}}


def _token(record: dict[str, Any]) -> str:
    return signing.dumps(record, salt=TOKEN_SALT, compress=True)


def _untoken(token: str, staff_id: int) -> dict[str, Any] | None:
    """A kept upload from its token; None when forged, expired, another clerk's or gone."""
    try:
        record = signing.loads(token or "", salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
    path = str(record.get("path", ""))
    if not path.startswith(f"{WINDOW_DIR}/{staff_id}/") or not default_storage.exists(path):
        return None
    return record


def window_merge(
    data: dict[str, Any], post, files, content: dict[str, Any], *, staff_id: int
) -> dict[str, str]:
    """Copies every input of the page into ``data`` as typed (fields, situations, phone, each
    material's way of receipt and reason) and keeps the uploads that pass check_upload under
    MEDIA_ROOT/window/<staff>/. Returns {input name: Chinese message} for refused files."""
    af.merge_post(data, post, content)
    ways = data.setdefault("materials", {})
    kept = data.setdefault("files", {})
    errors: dict[str, str] = {}
    for i, m in enumerate(content["materials"]):
        name = af.material_input(i)
        how = post.get(f"{name}_how")
        if how is not None:
            ways.setdefault(m["name"], {})["how"] = how if how in dict(HOW_CHOICES) else ""
        if f"{name}_reason" in post:
            ways.setdefault(m["name"], {})["reason"] = str(post.get(f"{name}_reason", ""))[:200]
        if f"{name}_licence" in post:
            ways.setdefault(m["name"], {}).update(
                licence=str(post.get(f"{name}_licence", "")).strip()[:120],
                consent=post.get(f"{name}_consent") == "yes",
            )
        record = _untoken(post.get(f"{name}_kept", ""), staff_id)
        if record is not None:
            kept[m["name"]] = record
        upload = files.get(name)
        if upload is None:
            continue
        try:
            kind = check_upload(upload, allowed=af.UPLOAD_KINDS, max_bytes=af.MAX_UPLOAD_BYTES)
        except ValidationError as exc:
            errors[name] = f"“{m['name']}”：{exc.messages[0]}"
            continue
        path = default_storage.save(f"{WINDOW_DIR}/{staff_id}/{uuid.uuid4().hex}{kind.extensions[0]}", upload)
        kept[m["name"]] = {
            "path": path,
            "name": (upload.name or "")[-200:],
            "size": upload.size,
            "sha256": af.file_sha256(upload),
            "content_type": kind.content_type,
        }
        ways.setdefault(m["name"], {})["how"] = FILE  # a file chosen means it was scanned
    return errors


def _how(m: dict[str, Any], data: dict[str, Any], store_type: str = "", held: bool = False) -> str:
    chosen = data.get("materials", {}).get(m["name"], {}).get("how", "")
    if chosen:
        return chosen
    if store_type:  # a licence the store holds: offered when the applicant holds one
        return LICENCE if held else ""
    return SHARED if m["shared"] else ""


def window_page(
    content: dict[str, Any], data: dict[str, Any], identity, errors: dict[str, str]
) -> dict[str, Any]:
    """Rows for the template (apply_forms.page), each material with its way of receipt, the
    reason, the kept file and its token."""
    rows = af.page(content, data, identity, errors)
    ways = data.get("materials", {})
    for row in rows["materials"]:
        way = ways.get(row["name"], {})
        row["how"] = _how(row, data, row["store_type"], bool(row["held"]))
        row["reason"] = way.get("reason", "")
        row["token"] = _token(row["file"]) if row.get("file") else ""
        row["choices"] = [
            (v, label)
            for v, label in HOW_CHOICES
            if (v != SHARED or (row["shared"] and not row["store_type"])) and (v != LICENCE or row["held"])
        ]
        if row["store_type"]:
            row["licence"] = way.get("licence") or (row["held"][0].identifier if row["held"] else "")
            row["consent"] = bool(way.get("consent"))
    rows["consent_text"] = CONSENT_TEXT
    for f in rows["fields"]:
        if f["locked"]:
            f["help_text"] = "已从基础信息库自动填写（与所核验的证件一致），不能修改。"
        elif f["prefill"] and identity is not None and identity.value(f["prefill"]):
            f["help_text"] = "已从基础信息库自动填写，可按办事人的说明修改。"
        elif f["prefill"]:
            f["help_text"] = f["help"] or af.TYPE_HELP.get(f["type"], "")
    return rows


# --- validation ----------------------------------------------------------------------------------


@dataclass
class WindowResult:
    """The checked form: the application and the outcome's data, or errors keyed by input name."""

    outcome: str = ""
    form_data: dict[str, Any] = field(default_factory=dict)
    situations: dict[str, bool] = field(default_factory=dict)
    contact_phone: str = ""
    materials: list[dict[str, Any]] = field(default_factory=list)  # {name, how, file, reason}
    correction_items: list[dict[str, str]] = field(default_factory=list)
    correction_note: str = ""
    refusal_reason: str = ""
    competent_office: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def window_validate(content: dict[str, Any], data: dict[str, Any], identity, post) -> WindowResult:
    """Checks the form for the outcome the clerk chose (``post["outcome"]``).

    Every outcome needs the situations answered, the fields valid by type and a contact phone;
    the identity fields come from the registry (the clerk checked the ID card). 受理 needs every
    required material received; 补正 lists every required material not received and every one
    marked defective, each with its reason; 不予受理 needs the reason and takes the form as far
    as it was filled in.
    """
    r = WindowResult(outcome=post.get("outcome", ""))
    if r.outcome not in OUTCOMES:
        r.errors["outcome"] = "请选择受理结果：受理、一次性告知补正或不予受理。"
    refusing = r.outcome == REFUSE
    answers = data.get("situations", {})
    for s in content["situations"]:
        answer = answers.get(s["key"])
        if answer in (af.YES, af.NO):
            r.situations[s["key"]] = answer == af.YES
        elif not refusing:
            r.errors[af.situation_input(s["key"])] = f"请回答：{s['question']}"

    for f in content["form_fields"]:
        if not af.applies(f, answers):
            continue
        name = af.field_input(f["key"])
        registered = identity.value(f["prefill"]) if identity is not None else None
        raw = (
            registered
            if f["prefill"] in af.CHECKED_SOURCES and registered is not None
            else af.field_value(f, data, identity)
        )
        if refusing and not (raw or "").strip():
            continue
        try:
            r.form_data[f["key"]] = af.clean_field(f, raw)
        except ValidationError as exc:
            r.errors[name] = exc.messages[0]

    try:
        phone = af.contact_value(data, identity).strip()
        if not phone:
            raise ValidationError("请填写联系电话，以便承办部门联系办事人。")
        r.contact_phone = af.normalize_phone(phone)
    except ValidationError as exc:
        r.errors["contact_phone"] = exc.messages[0]

    kept = data.get("files", {})
    ways = data.get("materials", {})
    stored_types = af.licence_types(content)
    for i, m in enumerate(content["materials"]):
        if not af.applies(m, answers):
            continue
        name = af.material_input(i)
        store_type = stored_types.get(m["name"], "")
        held = af.licences_held(identity, store_type) if store_type else []
        how = _how(m, data, store_type, bool(held))
        way = ways.get(m["name"], {})
        reason = (way.get("reason") or "").strip()
        if how == SHARED and (not m["shared"] or store_type):
            how = ""  # a licence the store holds is never 免提交 on trust
        if how == FILE and m["name"] not in kept:
            r.errors[name] = f"“{m['name']}”选择了扫描上传，请选择要上传的文件。"
            continue
        licence = ""
        if how == LICENCE:
            licence = way.get("licence") or (held[0].identifier if len(held) == 1 else "")
            if not store_type:
                r.errors[name] = f"“{m['name']}”不在电子证照库中，请核验纸质原件或扫描上传。"
                continue
            if licence not in {x.identifier for x in held}:
                r.errors[name] = (
                    f"申请人（或其单位）没有可用的《{store_type}》电子证照，请核验纸质原件或扫描上传。"
                    if not held
                    else f"请选择申请人（或其单位）持有的有效《{store_type}》电子证照。"
                )
                continue
            if not way.get("consent"):
                r.errors[name] = f"调用电子证照作为“{m['name']}”，须经申请人同意：请勾选“{CONSENT_TEXT}”。"
                continue
        if how in RECEIVED or how == DEFECTIVE:
            r.materials.append(
                {
                    "name": m["name"],
                    "how": how,
                    "file": kept.get(m["name"]) if how == FILE else None,
                    "licence": licence,
                }
            )
        if how == DEFECTIVE:
            if not reason and r.outcome == CORRECTION:
                r.errors[name] = f"请写明“{m['name']}”需要补正的原因。"
            r.correction_items.append({"material": m["name"], "reason": reason})
        elif how not in RECEIVED and m["required"]:
            r.correction_items.append({"material": m["name"], "reason": reason or MISSING_REASON})
            if r.outcome == ACCEPT:
                r.errors[name] = f"必要材料“{m['name']}”未收取：收齐后才能受理，否则请选择“一次性告知补正”。"
        elif how == MISSING and reason:  # an optional material the clerk asks for anyway
            r.correction_items.append({"material": m["name"], "reason": reason})
    if r.outcome == ACCEPT and any(m["how"] == DEFECTIVE for m in r.materials):
        r.errors.setdefault("outcome", "有材料需要补正，不能受理：请选择“一次性告知补正”。")
    if r.outcome == CORRECTION:
        r.correction_note = str(post.get("correction_note", "")).strip()[:500]
        if not r.correction_items:
            r.errors.setdefault(
                "outcome",
                "没有需要补正的材料：请把缺少或有缺陷的材料标为“未提交”或“需补正”，材料齐全的请选择“受理”。",
            )
    if refusing:
        r.refusal_reason = str(post.get("refusal_reason", "")).strip()[:1000]
        r.competent_office = str(post.get("competent_office", "")).strip()[:200]
        if not r.refusal_reason:
            r.errors["refusal_reason"] = (
                "不予受理必须说明理由（如不属于本机关职权范围、不需要取得行政许可等）。"
            )
    return r


def window_scans_purge(now: dt.datetime | None = None) -> int:
    """Deletes scans of acceptance forms never submitted: files under window/ older than twice
    the form token's life (its signed link has expired, nothing can use them). Returns how many."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=2 * TOKEN_MAX_AGE)
    removed = 0
    try:
        staff_dirs, _ = default_storage.listdir(WINDOW_DIR)
    except FileNotFoundError:
        return 0
    for staff_dir in staff_dirs:
        _, files = default_storage.listdir(f"{WINDOW_DIR}/{staff_dir}")
        for name in files:
            path = f"{WINDOW_DIR}/{staff_dir}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed += 1
    return removed


def acceptance_case_open(
    *,
    actor,
    implementation_id: int,
    hall_region_id: int,
    person_id: int,
    organization_id: int | None,
    result: WindowResult,
    idempotency_key: str,
    group: int | None = None,
):
    """Opens the window's case through cases.api ``case_open`` (channel window) with the checked
    form's materials and outcome; returns its CaseInfo (``created`` False for a repeated key)."""
    from banhao.cases.api import Applicant, case_open

    if not result.ok:
        raise ValidationError(list(result.errors.values()))
    key = af.clean_key(idempotency_key)
    if not key:
        raise ValidationError("表单已失效，请重新打开受理页面。")
    return case_open(
        channel="window",
        implementation_id=implementation_id,
        applicant=Applicant(
            person_id=person_id, organization_id=organization_id, contact_phone=result.contact_phone
        ),
        form_data=result.form_data,
        situations=result.situations,
        materials=[{**m, "note": HOW_NOTES.get(m["how"], "")} for m in result.materials],
        outcome=result.outcome,
        idempotency_key=key,
        group=group,
        actor=actor,
        hall_region_id=hall_region_id,
        correction_items=result.correction_items,
        correction_note=result.correction_note,
        refusal_reason=result.refusal_reason,
        competent_office=result.competent_office,
    )
