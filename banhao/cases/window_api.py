"""Cases for the hall's comprehensive windows (前台综合受理) and the unified pickup window (统一出件).

Re-exported by banhao.cases.api; other apps import them from there.

Comprehensive acceptance. A clerk at any window of a hall accepts any item of the city's
catalog:

- ``window_item`` says whether an implementation may be accepted at a hall: one of the hall's
  own region always; one of another region of the city only when its 通办范围 is 全市 or wider
  (全市通办), or 全县 when the item is implemented below the hall's own region; otherwise it
  raises ``WindowItemRefused`` with the Chinese reason.
- The form is the online application's (apply_forms: situations, fields prefilled from the
  registry, contact phone), plus, for each material, how the window received it: 原件核验
  (paper), 扫描上传 (a file through check_upload), 免提交 (shared), 未提交 or 需补正 (with a
  reason). ``window_merge`` keeps everything the clerk typed; uploads that pass the check are
  stored under MEDIA_ROOT/window/ and carried from one render to the next in a signed token,
  so a validation error loses nothing.
- ``window_validate`` checks the form for one of three outcomes and ``window_case_submit``
  makes the case (channel window) in one transaction with its materials and the outcome:
  受理 (accepted the same day), 一次性告知补正 (one notice listing every missing or defective
  material, each with its reason) or 不予受理 (reason and competent office). The same
  idempotency key returns the case already made, so a double submit creates one case.

Unified pickup. ``pickup_list`` / ``pickup_case`` read the results ready for pickup within a
staff scope, ``pickup_collector`` checks the collector's ID (本人 must match the case's person)
and ``pickup_hand_over`` delivers (pickup) and concludes the case. The hand-over record itself
(hall.Handover) is written by the hall, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from banhao.core.identifiers import normalize_resident_id
from banhao.core.masking import mask_phone, mask_resident_id
from banhao.core.uploads import check_upload

from . import apply_forms as af
from . import documents, services
from .commands import CaseInfo, case_info
from .models import Case, Status

__all__ = [
    "HOW_CHOICES",
    "WINDOW_MAX_UPLOAD_MB",
    "WINDOW_UPLOAD_ACCEPT",
    "Collector",
    "PickupRow",
    "WindowCase",
    "WindowItem",
    "WindowItemRefused",
    "WindowResult",
    "pickup_case",
    "pickup_collector",
    "pickup_hand_over",
    "pickup_list",
    "window_case",
    "window_case_submit",
    "window_clean_key",
    "window_item",
    "window_item_labels",
    "window_merge",
    "window_new_data",
    "window_notice",
    "window_page",
    "window_scans_purge",
    "window_validate",
]

WINDOW_UPLOAD_ACCEPT = af.UPLOAD_ACCEPT
WINDOW_MAX_UPLOAD_MB = af.MAX_UPLOAD_BYTES // (1024 * 1024)
WINDOW_DIR = "window"
TOKEN_SALT = "banhao.cases.window.upload"  # noqa: S105  (a signing salt, not a secret)
TOKEN_MAX_AGE = 12 * 3600  # a form left open over lunch still has its files

PAPER, FILE, SHARED, MISSING, DEFECTIVE = "paper", "file", "shared", "missing", "defective"
HOW_CHOICES = [
    (PAPER, "纸质原件核验"),
    (FILE, "扫描/上传文件"),
    (SHARED, "免提交（数据共享）"),
    (MISSING, "未提交"),
    (DEFECTIVE, "有缺陷，需补正"),
]
RECEIVED = {PAPER, FILE, SHARED}
HOW_NOTES = {PAPER: "纸质原件已核验", SHARED: af.SHARED_MATERIAL_NOTE, FILE: "窗口扫描上传"}
MISSING_REASON = "未提交该材料，请补充提交。"

ACCEPT, CORRECTION, REFUSE = "accept", "correction", "refuse"
OUTCOMES = {ACCEPT: "受理", CORRECTION: "一次性告知补正", REFUSE: "不予受理"}
OUTCOME_NOTICES = {
    ACCEPT: documents.ACCEPTANCE,
    CORRECTION: documents.CORRECTION,
    REFUSE: documents.REFUSAL,
}

# --- which items a hall may accept ---------------------------------------------------------------


class WindowItemRefused(ValidationError):
    """The item is published, but this hall may not accept it (通办范围)."""


@dataclass(frozen=True)
class WindowItem:
    implementation_id: int
    version_id: int
    title: str
    region_id: int
    region_name: str
    department_id: int
    department_name: str
    scope: str  # 通办范围 of the version ("" when not set)
    label: str  # 本级受理 / 全市通办 / 全县通办
    cross_region: bool
    promised_days: int
    case_type: str
    content: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def _resolve(implementation_id: int, hall_region_id: int):
    """(implementation, version, WindowItem); None when not published; raises WindowItemRefused."""
    from banhao.catalog.api import cross_region_acceptance, published_for_application, version_content

    impl, version = published_for_application(implementation_id)
    if impl is None:
        return None
    label, reason = cross_region_acceptance(impl, version, hall_region_id)
    if reason:
        raise WindowItemRefused(reason, code="scope")
    item = WindowItem(
        implementation_id=impl.pk,
        version_id=version.pk,
        title=version.display_name,
        region_id=impl.region_id,
        region_name=impl.region.name,
        department_id=impl.department_id,
        department_name=impl.department.name,
        scope=version.scope or "",
        label=label,
        cross_region=impl.region_id != hall_region_id,
        promised_days=version.promised_days,
        case_type=version.case_type,
        content=version_content(version),
    )
    return impl, version, item


def window_item(implementation_id: int, *, hall_region_id: int) -> WindowItem | None:
    """The item as a hall of that region may accept it; None when it is not published.
    Raises WindowItemRefused (a ValidationError with the Chinese reason) when the hall may not."""
    found = _resolve(implementation_id, hall_region_id)
    return found[2] if found else None


def window_item_labels(implementation_ids, *, hall_region_id: int) -> dict[int, tuple[str, str]]:
    """{implementation id: (label, refusal reason)} for search results (one of the two is "")."""
    from banhao.catalog.api import cross_region_acceptance, published_for_application

    out = {}
    for pk in implementation_ids:
        impl, version = published_for_application(pk)
        if impl is not None:
            out[pk] = cross_region_acceptance(impl, version, hall_region_id)
    return out


# --- the form: keeping what the clerk typed ---------------------------------------------------


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
            "sha256": af._sha256(upload),
            "content_type": kind.content_type,
        }
        ways.setdefault(m["name"], {})["how"] = FILE  # a file chosen means it was scanned
    return errors


def _how(m: dict[str, Any], data: dict[str, Any]) -> str:
    chosen = data.get("materials", {}).get(m["name"], {}).get("how", "")
    if chosen:
        return chosen
    return SHARED if m["shared"] else ""


def window_page(
    content: dict[str, Any], data: dict[str, Any], identity, errors: dict[str, str]
) -> dict[str, Any]:
    """Rows for the template (apply_forms.page), each material with its way of receipt, the
    reason, the kept file and its token."""
    rows = af.page(content, data, identity, errors)
    ways = data.get("materials", {})
    for row in rows["materials"]:
        row["how"] = _how(row, data)
        row["reason"] = ways.get(row["name"], {}).get("reason", "")
        row["token"] = _token(row["file"]) if row.get("file") else ""
        row["choices"] = [(v, label) for v, label in HOW_CHOICES if v != SHARED or row["shared"]]
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
    for i, m in enumerate(content["materials"]):
        if not af.applies(m, answers):
            continue
        name = af.material_input(i)
        how = _how(m, data)
        reason = (ways.get(m["name"], {}).get("reason") or "").strip()
        if how == SHARED and not m["shared"]:
            how = ""
        if how == FILE and m["name"] not in kept:
            r.errors[name] = f"“{m['name']}”选择了扫描上传，请选择要上传的文件。"
            continue
        if how in RECEIVED or how == DEFECTIVE:
            r.materials.append(
                {"name": m["name"], "how": how, "file": kept.get(m["name"]) if how == FILE else None}
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


# --- making the case -----------------------------------------------------------------------------


WindowCase = CaseInfo  # the window reads a case as the one door returns it


def window_case(number: str = "", *, case_id: int | None = None) -> WindowCase | None:
    """A case by number (or id), as plain values; the caller checks the clerk may see it."""
    return case_info(case_id, number=number)


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


@transaction.atomic
def window_case_submit(
    *,
    actor,
    implementation_id: int,
    hall_region_id: int,
    person_id: int,
    organization_id: int | None,
    result: WindowResult,
    idempotency_key: str,
    group: int | None = None,
) -> tuple[WindowCase, bool]:
    """The window's case: ``case_open`` (channel window) with the checked form's materials and
    outcome; returns (case, created). The same key returns the case already made."""
    from .commands import Applicant, case_open

    if not result.ok:
        raise ValidationError(list(result.errors.values()))
    key = af.clean_key(idempotency_key)
    if not key:
        raise ValidationError("表单已失效，请重新打开受理页面。")
    info = case_open(
        channel=Case.Channel.WINDOW,
        implementation_id=implementation_id,
        applicant=Applicant(
            person_id=person_id, organization_id=organization_id, contact_phone=result.contact_phone
        ),
        form_data=result.form_data,
        situations=result.situations,
        materials=[{**m, "note": "窗口扫描上传" if m["how"] == FILE else ""} for m in result.materials],
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
    return info, info.created


def window_notice(case_id: int, kind: str, *, base_url: str | None = None) -> tuple[str, bytes]:
    """(file name, PDF) of a notice the case was issued. Raises documents.NoticeNotApplicable as
    LookupError when there is none, and core.pdf.PdfUnavailable when PDFs cannot be made here."""
    case = Case.objects.select_related(
        "version", "department", "region", "region__parent", "implementation", "person", "organization"
    ).get(pk=case_id)
    if kind not in documents.KINDS:
        raise LookupError(kind)
    try:
        notice = documents.notice_for(case, kind)
    except documents.NoticeNotApplicable:
        raise LookupError(kind) from None
    return f"{notice.title}-{case.number}.pdf", documents.render_notice(case, kind, base_url=base_url)


# --- unified pickup (统一出件) ---------------------------------------------------------------------


@dataclass(frozen=True)
class PickupRow:
    id: int
    number: str
    item: str
    department: str
    region: str
    applicant: str
    person_name: str
    person_id_masked: str
    phone_masked: str
    result_name: str
    decision: str  # 准予许可 / 不予许可
    status: str
    status_label: str
    decided_at: Any = None
    delivered_at: Any = None


def _pickup_row(case: Case) -> PickupRow:
    decision = ""
    last = case.events.filter(action__in=("approve", "deny")).order_by("-id").first()
    if last is not None:
        decision = "准予许可" if last.action == "approve" else "不予许可"
    return PickupRow(
        id=case.pk,
        number=case.number,
        item=case.version.display_name,
        department=case.department.name,
        region=case.region.name,
        applicant=documents.applicant_name(case),
        person_name=case.person.name,
        person_id_masked=mask_resident_id(case.person.resident_id),
        phone_masked=mask_phone(case.contact_phone),
        result_name=case.version.result_name,
        decision=decision,
        status=case.status,
        status_label=case.get_status_display(),
        decided_at=case.decided_at,
        delivered_at=case.delivered_at,
    )


def _scoped(scope, also_ids=None):
    """Cases in the scope, plus ``also_ids`` (cases accepted at this hall's windows under 全市通办,
    whose results are collected where they were handed in)."""
    qs = Case.objects.select_related("version", "department", "region", "person", "organization")
    scoped = scope.filter(qs, "region")
    if also_ids:
        return qs.filter(Q(pk__in=scoped.values("pk")) | Q(pk__in=list(also_ids)))
    return scoped


def pickup_list(scope, q: str = "", *, limit: int = 50, also_ids=None) -> tuple[list[PickupRow], int]:
    """Results ready for pickup in the scope (and ``also_ids``), oldest decision first; ``q`` is a
    case number (or its tail), the applicant's resident ID or the contact phone. Returns (rows, total)."""
    qs = _scoped(scope, also_ids).filter(status=Status.RESULT_READY)
    q = "".join((q or "").split())[:32]
    if q:
        cond = Q(number=q) | Q(number__endswith=q) | Q(contact_phone=q)
        if len(q) == 18:
            cond |= Q(person__resident_id=q.upper())
        qs = qs.filter(cond)
    total = qs.count()
    rows = [_pickup_row(c) for c in qs.order_by("decided_at", "id")[:limit]]
    return rows, total


def pickup_case(scope, number: str, *, ready_only: bool = True, also_ids=None) -> PickupRow | None:
    """One case for the pickup window (None when not in the scope, or not ready)."""
    qs = _scoped(scope, also_ids).filter(number=number)
    if ready_only:
        qs = qs.filter(status=Status.RESULT_READY)
    case = qs.first()
    return _pickup_row(case) if case else None


@dataclass(frozen=True)
class Collector:
    relation: str  # self / agent
    name: str
    id_masked: str
    id_sha256: str  # HMAC-SHA256 of the normalised number (never the number itself)
    proxy_note: str


def id_digest(resident_id: str) -> str:
    """The keyed SHA-256 digest of a normalised resident ID: the same number gives the same
    digest (a later dispute can be checked), and the stored digest cannot be reversed by
    trying every possible number without the server's key."""
    return salted_hmac("banhao.hall.handover.id", resident_id, algorithm="sha256").hexdigest()


def pickup_collector(
    case_id: int, *, relation: str, resident_id: str, name: str = "", note: str = ""
) -> Collector:
    """Checks who collects. 本人: the ID typed must be the case's person's. 受托代领人: their own
    name and valid ID, and a note of the authorisation. Raises ValidationError
    ({input name: message}) and changes nothing."""
    case = Case.objects.select_related("person").get(pk=case_id)
    errors: dict[str, str] = {}
    number = ""
    try:
        number = normalize_resident_id(resident_id)
    except ValidationError as exc:
        errors["resident_id"] = exc.messages[0]
    if relation == "self":
        if number and number != case.person.resident_id:
            errors["resident_id"] = (
                "证件号码与申请人不一致：本人领取须核验申请人本人的身份证件；他人代领请选择“受托代领人”。"
            )
        name = case.person.name
        note = ""
    elif relation == "agent":
        name = " ".join((name or "").split())[:50]
        note = " ".join((note or "").split())[:200]
        if not name:
            errors["name"] = "请填写代领人姓名。"
        if not note:
            errors["note"] = "请写明委托情况（如：持申请人签字的授权委托书及申请人身份证复印件）。"
    else:
        errors["relation"] = "请选择领取人身份：本人或受托代领人。"
    if errors:
        raise ValidationError(errors)
    return Collector(relation, name, mask_resident_id(number), id_digest(number), note)


@transaction.atomic
def pickup_hand_over(*, actor, case_id: int) -> PickupRow:
    """Hands the result over at the window: delivered (窗口领取), then concluded. A case not
    (or no longer) ready for pickup raises the transition's Chinese message."""
    case = Case.objects.select_for_update().get(pk=case_id)
    if case.status != Status.RESULT_READY:
        raise ValidationError(f"该办件当前状态为“{case.get_status_display()}”，不能出件（可能已领取）。")
    case = services.case_deliver(actor=actor, case=case, method=Case.Delivery.PICKUP)
    case = services.case_conclude(actor=actor, case=case)
    case = Case.objects.select_related("version", "department", "region", "person", "organization").get(
        pk=case.pk
    )
    return _pickup_row(case)
