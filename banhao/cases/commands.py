"""The one door into cases: ``case_open`` and ``case_act``, for every channel.

The online hall, the comprehensive window, the JSON API (and later project stages and 一件事
bundles) open a case with ``case_open`` and move it with ``case_act``. The permission rules
live here, not in the pages: who may open a case for whom and with which outcome; which role
may take each action; who may complete each step of the item's process and who decides
(``workflow``: the head signs where the process has a 部门负责人 step, a reviewer decides
otherwise); claims. The pages and the API parse their input and call these; the primitives in
``services`` are internal to cases.

An actor is an account (request.user) or, for the platform's own tools (the demo loader, the
benchmarks), a label string. An anonymous user is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from . import documents, selectors, services, states, workflow
from .models import STATUS_GROUPS, Case, CaseEvent, CaseGroup, CaseMaterial, Pause, Status

SUBMIT, ACCEPT, CORRECTION, REFUSE = "submit", "accept", "correction", "refuse"
OUTCOMES = {SUBMIT: "提交", ACCEPT: "受理", CORRECTION: "一次性告知补正", REFUSE: "不予受理"}
CHANNELS = {c.value for c in Case.Channel}

# How a material reached the case.
PAPER, FILE, SHARED, DEFECTIVE = "paper", "file", "shared", "defective"
# 免提交 by a held electronic licence: a material whose 对应证照 is a type of the licence store is
# supplied by naming the applicant's licence (``licence``: its identifier), checked and logged
# with the case number; such a material is never "shared" on trust.
LICENCE = "licence"
LICENCE_NOTE = "免提交（电子证照）"
RECEIVED = {PAPER, FILE, SHARED, LICENCE}
MATERIAL_NOTES = {
    PAPER: "纸质原件已核验",
    SHARED: "免提交（数据共享）",
    LICENCE: LICENCE_NOTE,
    FILE: "",
    DEFECTIVE: "窗口收取（需补正）",
}
# Temporary uploads a channel keeps until the case is made (removed once it commits).
TEMPORARY_DIRS = ("window/", "drafts/", "api/")


class CaseNotFound(LookupError):
    """No such case, or not one the actor may see (the two look the same: a 404)."""


@dataclass(frozen=True)
class Applicant:
    """Who applies: a registry person (the applicant or an enterprise's agent), the enterprise
    when one applies, the phone to reach them."""

    person_id: int
    organization_id: int | None = None
    contact_phone: str = ""


@dataclass(frozen=True)
class CaseInfo:
    id: int
    number: str
    item: str
    implementation_id: int
    department: str
    department_id: int
    region: str
    region_id: int
    status: str
    status_label: str
    channel: str
    applicant: str  # name with a masked ID, or the organisation
    person_id: int
    organization_id: int | None
    group_id: int | None
    group_number: str
    current_step: str
    notice_kind: str  # the notice this case was last issued at acceptance ("" when none)
    notice_title: str
    promised_due: dt.date | None = None
    statutory_due: dt.date | None = None
    accepted_on: dt.date | None = None
    created: bool = False  # case_open: made now (False: the same key returned the case already made)


def _heavy_version_fields() -> list[str]:
    """The version's large JSON and text elements: acting on a case needs its steps and names,
    not its whole guide (parsing the JSON of every element on every step is most of the cost)."""
    from django.db import models as m

    version_model = Case._meta.get_field("version").related_model
    return [
        f"version__{f.name}"
        for f in version_model._meta.concrete_fields
        if isinstance(f, m.JSONField | m.TextField) and f.name != "steps"
    ]


def _cases():
    return Case.objects.select_related(
        "version", "department", "region", "person", "organization", "group"
    ).defer(*_heavy_version_fields())


def _read(case_id: int) -> Case:
    return _cases().get(pk=case_id)


def _info(case: Case, *, created: bool = False) -> CaseInfo:
    kind = {
        Status.ACCEPTED: documents.ACCEPTANCE,
        Status.CORRECTION: documents.CORRECTION,
        Status.REFUSED: documents.REFUSAL,
    }.get(case.status, "")
    if not kind and case.accepted_on:
        kind = documents.ACCEPTANCE
    return CaseInfo(
        id=case.pk,
        number=case.number,
        item=case.version.display_name,
        implementation_id=case.implementation_id,
        department=case.department.name,
        department_id=case.department_id,
        region=case.region.name,
        region_id=case.region_id,
        status=case.status,
        status_label=case.get_status_display(),
        channel=case.channel,
        applicant=documents.applicant_name(case),
        person_id=case.person_id,
        organization_id=case.organization_id,
        group_id=case.group_id,
        group_number=case.group.number if case.group_id else "",
        current_step=selectors.current_step(case),
        notice_kind=kind,
        notice_title=documents.KINDS.get(kind, ""),
        promised_due=case.promised_due,
        statutory_due=case.statutory_due,
        accepted_on=case.accepted_on,
        created=created,
    )


def case_info(case_id: int | None = None, *, number: str = "") -> CaseInfo | None:
    """A case as plain values, by id or number (None when absent). No scope: callers check it."""
    qs = Case.objects.select_related("version", "department", "region", "person", "organization", "group")
    case = qs.filter(pk=case_id).first() if case_id is not None else qs.filter(number=number).first()
    return _info(case) if case else None


# --- who acts ------------------------------------------------------------------------------------


def _account(actor):
    """The account behind an actor, None for a tool's label; refuses an anonymous user."""
    if isinstance(actor, str):
        return None
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("请先登录。")
    return actor


def _scope(user):
    from banhao.org.api import scope_for_user

    return scope_for_user(user) if user is not None else None


# --- opening a case ------------------------------------------------------------------------------


def _check_opener(
    user, *, channel, outcome, impl, version, applicant: Applicant, hall_region_id, identity=None
):
    """Who may open this case. An applicant: only for themselves (or the enterprise they hold a
    live mandate for), outcome 提交, online or through the API. Staff: the 受理 permission and
    the item in their scope, or (at a window) their hall's region with the item's 通办 rule."""
    if user is None:
        return  # the platform's own tools
    if getattr(user, "is_applicant", False):
        from banhao.registry.api import applicant_identity

        if outcome != SUBMIT or channel == Case.Channel.WINDOW:
            raise PermissionDenied("申请人只能提交申请，受理由工作人员办理。")
        identity = identity or applicant_identity(user)
        if identity is None:
            raise PermissionDenied("请先完善实名信息后再申请。")
        if applicant.person_id != identity.person.id:
            raise PermissionDenied("网上申请只能以本人名义办理。")
        own_org = identity.organization.id if identity.organization else None
        if applicant.organization_id not in (None, own_org):
            raise PermissionDenied("您没有该单位的有效经办授权，不能以该单位名义申请。")
        return
    scope = _scope(user)
    if scope is None or not scope.can("cases.accept"):
        raise PermissionDenied("您的角色无权受理办件。")
    if hall_region_id is not None:
        from banhao.catalog.api import cross_region_acceptance

        if not scope.allows(hall_region_id):
            raise PermissionDenied("该大厅不在您的工作范围内。")
        _, reason = cross_region_acceptance(impl, version, hall_region_id)
        if reason:
            raise ValidationError(reason, code="scope")
    elif not scope.allows(impl.region_id, impl.department_id):
        raise PermissionDenied("该事项不在您的受理范围内。")


def _missing_materials(version, situations: Mapping[str, bool], materials: list[dict]) -> list[str]:
    answered = {k for k, v in (situations or {}).items() if v}
    received = {m["name"] for m in materials if m.get("how") in RECEIVED}
    return [
        m["name"]
        for m in version.materials or []
        if m.get("required")
        and (not m.get("situation") or m["situation"] in answered)
        and m["name"] not in received
    ]


def _clean_materials(materials: Iterable[Mapping]) -> list[dict]:
    rows = []
    for m in materials or ():
        name = str(m.get("name") or "").strip()
        how = m.get("how") or (SHARED if m.get("shared") else FILE if m.get("file") else "")
        if not name:
            raise ValidationError("材料名称不能为空。")
        if how not in MATERIAL_NOTES:
            raise ValidationError(f"“{name}”的收取方式无效。")
        if how == FILE and not m.get("file"):
            raise ValidationError(f"“{name}”选择了上传文件，但没有文件。")
        licence = str(m.get("licence") or "").strip() if how == LICENCE else ""
        rows.append(
            {
                "name": name,
                "how": how,
                "file": m.get("file"),
                "note": str(m.get("note") or ""),
                "licence": licence,
            }
        )
    return rows


def _material_error(index: int, name: str, message: str, field: str = "licence") -> ValidationError:
    """An error keyed by the material's place in ``materials`` (the API's JSON path)."""
    return ValidationError({f"materials[{index}].{field}": [f"“{name}”：{message}"]})


def _check_licence_materials(version, rows: list[dict]) -> dict[str, str]:
    """Which way each material may come in, by its 对应证照: a material whose licence type the
    licence store holds may be a held licence (``how`` licence, with its identifier) or a file,
    paper or defective, never ``shared`` on trust; ``licence`` is refused for any other material.
    Returns {material name: licence type name} for the rows that name a licence."""
    from banhao.licences import api as licences_api

    listed = {m["name"]: m for m in version.materials or []}
    types: dict[str, str | None] = {}
    wanted: dict[str, str] = {}
    for i, m in enumerate(rows):
        if m["how"] not in (LICENCE, SHARED):
            continue
        material_type = str((listed.get(m["name"]) or {}).get("licence_type") or "").strip()
        if material_type not in types:
            types[material_type] = licences_api.licence_type_for_material(material_type)
        store_type = types[material_type]
        if m["how"] == SHARED and store_type:
            raise _material_error(
                i,
                m["name"],
                f"须使用申请人持有的《{store_type}》电子证照（免提交），或上传文件、核验纸质原件。",
                field="how",
            )
        if m["how"] == LICENCE:
            if m["name"] not in listed:
                raise _material_error(i, m["name"], "本事项没有这项申请材料。", field="name")
            if not store_type:
                raise _material_error(
                    i, m["name"], "电子证照库不提供这项材料，不能以电子证照免提交。", field="how"
                )
            if not m["licence"]:
                raise _material_error(i, m["name"], "请选择要调用的电子证照（证照标识）。")
            wanted[m["name"]] = store_type
    return wanted


def _use_licences(case: Case, rows: list[dict], wanted: dict[str, str], actor) -> None:
    """Checks each named licence against the applicant (or their enterprise), the material's type
    and its signature and status, and logs the use with the new case's number; a refusal raises
    (inside the case's transaction: nothing is kept)."""
    if not wanted:
        return
    from banhao.licences import api as licences_api

    holder_codes = {case.person.resident_id}
    if case.organization_id:
        holder_codes.add(case.organization.credit_code)
    for i, m in enumerate(rows):
        if m["how"] != LICENCE:
            continue
        try:
            info = licences_api.licence_use_as_material(
                identifier=m["licence"],
                holder_codes=holder_codes,
                type_name=wanted[m["name"]],
                case_number=case.number,
                actor=actor,
            )
        except ValidationError as exc:
            raise _material_error(i, m["name"], exc.messages[0]) from None
        m["licence"] = info.identifier
        m["note"] = f"{LICENCE_NOTE}，证照标识：{info.identifier}"


def _store_material(case: Case, index: int, m: dict) -> None:
    material = CaseMaterial(case=case, name=m["name"], state=CaseMaterial.State.RECEIVED)
    material.note = (m.get("note") or MATERIAL_NOTES.get(m["how"], ""))[:200]
    if m["how"] == LICENCE:
        material.licence_identifier = m["licence"]
    record = m.get("file") if m["how"] in (FILE, DEFECTIVE) else None
    if record:
        material.original_name = str(record["name"])[:200]
        material.content_type = record["content_type"]
        material.size = record["size"]
        material.sha256 = record["sha256"]
        suffix = "." + record["path"].rsplit(".", 1)[-1] if "." in record["path"] else ""
        with default_storage.open(record["path"], "rb") as fh:
            material.file.save(f"{case.number}-{index:02d}{suffix}", File(fh), save=False)
    material.save()


def _remove_temporary_after_commit(materials: list[dict]) -> None:
    paths = [m["file"]["path"] for m in materials if m.get("file") and m["file"].get("path")]
    paths = [p for p in paths if p.startswith(TEMPORARY_DIRS)]
    if not paths:
        return

    def remove():
        for path in paths:
            if default_storage.exists(path):
                default_storage.delete(path)

    transaction.on_commit(remove)


def case_open(
    *,
    channel: str,
    implementation_id: int,
    applicant: Applicant,
    form_data: Mapping[str, Any],
    materials: Iterable[Mapping] = (),
    outcome: str = SUBMIT,
    idempotency_key: str,
    group: int | None = None,
    actor,
    situations: Mapping[str, bool] | None = None,
    hall_region_id: int | None = None,
    correction_items: Iterable[Mapping] = (),
    correction_note: str = "",
    refusal_reason: str = "",
    competent_office: str = "",
) -> CaseInfo:
    """Opens a case of a published implementation and gives it its first outcome, in one
    transaction; returns its CaseInfo (``created`` False when the key was used before).

    ``materials`` rows are ``{"name", "how": paper|file|shared|licence|defective, "file": an
    uploaded record {path, name, size, sha256, content_type} in default storage, "licence": the
    identifier of a held electronic licence (how licence), "note"}``. A material whose 对应证照
    is a type of the licence store is never ``shared``: it is a held licence (checked against the
    applicant or their enterprise, its type, signature and status, and its use logged with the
    case number, all in this transaction), a file, paper, or defective; a refusal raises a
    ValidationError keyed ``materials[<index>].licence``. ``outcome``:
    提交 (submit: to be accepted by the office), 受理 (accept today), 一次性告知补正 (correction:
    ``correction_items`` [{material, reason}], ``correction_note``) or 不予受理 (refuse:
    ``refusal_reason``, ``competent_office``). ``group`` adds the case to a case group
    (``case_group_open``). The same ``idempotency_key`` from the same opener returns the case
    already made and changes nothing: a double click, a retry or two windows racing make one case.
    """
    from banhao.catalog.api import published_for_application

    key, user = _door(channel=channel, outcome=outcome, idempotency_key=idempotency_key, actor=actor)
    earlier = services.case_opened(user, key)
    if earlier is not None:
        return _info(_read(earlier.pk))
    impl, version = published_for_application(implementation_id)
    if impl is None:
        raise ValidationError("该事项不存在或已停止办理。")
    case, created = case_open_resolved(
        impl=impl,
        version=version,
        channel=channel,
        applicant=applicant,
        form_data=form_data,
        materials=materials,
        outcome=outcome,
        idempotency_key=key,
        group=group,
        actor=actor,
        situations=situations,
        hall_region_id=hall_region_id,
        correction_items=correction_items,
        correction_note=correction_note,
        refusal_reason=refusal_reason,
        competent_office=competent_office,
    )
    return _info(case, created=created)


def _door(*, channel: str, outcome: str, idempotency_key: str, actor):
    if channel not in CHANNELS:
        raise ValidationError(f"未知的申请渠道：{channel}。")
    if outcome not in OUTCOMES:
        raise ValidationError("请选择受理结果：提交、受理、一次性告知补正或不予受理。")
    key = (idempotency_key or "").strip()
    if not key or len(key) > 64:
        raise ValidationError("缺少有效的提交标识（1–64个字符），无法防止重复提交。")
    return key, _account(actor)


@transaction.atomic
def case_open_resolved(
    *,
    impl,
    version,
    channel: str,
    applicant: Applicant,
    form_data: Mapping[str, Any],
    materials: Iterable[Mapping] = (),
    outcome: str = SUBMIT,
    idempotency_key: str,
    group: int | None = None,
    actor,
    situations: Mapping[str, bool] | None = None,
    hall_region_id: int | None = None,
    correction_items: Iterable[Mapping] = (),
    correction_note: str = "",
    refusal_reason: str = "",
    competent_office: str = "",
    identity=None,
) -> tuple[Case, bool]:
    """``case_open`` for a caller inside cases that has already resolved the published
    implementation (and the applicant's identity) and looked the key up: the same rules, the
    same transaction, without doing that work twice. Returns (the case read for display, created)."""
    key, user = _door(channel=channel, outcome=outcome, idempotency_key=idempotency_key, actor=actor)
    _check_opener(
        user,
        channel=channel,
        outcome=outcome,
        impl=impl,
        version=version,
        applicant=applicant,
        hall_region_id=hall_region_id,
        identity=identity,
    )
    rows = _clean_materials(materials)
    wanted = _check_licence_materials(version, rows)
    answers = {str(k): bool(v) for k, v in (situations or {}).items()}
    if outcome in (SUBMIT, ACCEPT):
        missing = _missing_materials(version, answers, rows)
        if missing:
            verb = "受理" if outcome == ACCEPT else "提交"
            raise ValidationError("申请材料不全，不能" + verb + "：" + "、".join(missing) + "。")
    if outcome == ACCEPT and any(m["how"] == DEFECTIVE for m in rows):
        raise ValidationError("有材料需要补正，不能受理：请选择“一次性告知补正”。")
    if group is not None and not CaseGroup.objects.filter(pk=group).exists():
        raise ValidationError("办件组不存在。")
    case, created = services.case_create(
        actor=actor,
        implementation=impl,
        version=version,
        region_id=impl.region_id,
        region_code=impl.region.code,
        department_id=impl.department_id,
        person_id=applicant.person_id,
        organization_id=applicant.organization_id,
        contact_phone=applicant.contact_phone,
        form_data=dict(form_data),
        situations=answers,
        channel=channel,
        idempotency_key=key,
        applicant_user=user if getattr(user, "is_applicant", False) else None,
        group_id=group,
        known_new=True,
    )
    _remove_temporary_after_commit(rows)
    if not created:
        return _read(case.pk), False
    _use_licences(case, rows, wanted, actor)
    for i, m in enumerate(rows, 1):
        _store_material(case, i, m)
    if outcome == ACCEPT:
        case = services.case_accept(actor=actor, case=case)
    elif outcome == CORRECTION:
        case = services.case_request_correction(
            actor=actor, case=case, items=list(correction_items), note=correction_note
        )
    elif outcome == REFUSE:
        case = services.case_refuse(
            actor=actor, case=case, reason=refusal_reason, competent_office=competent_office
        )
    return _read(case.pk), True


def case_submit_application(
    *,
    actor,
    implementation_id: int,
    applicant: Applicant,
    form_data: dict[str, Any],
    situations: dict[str, bool],
    materials: list[dict[str, Any]],
    idempotency_key: str,
    draft=None,
) -> CaseInfo:
    """The online hall's submission: case_open (channel online, outcome submit) and, in the
    same transaction, the draft it came from is deleted; the draft's files are removed only
    after the commit, so a failed submission keeps them. ``materials`` rows are the apply
    form's ``{"name", "shared", "file", "licence"}`` (``licence``: the identifier of the held
    electronic licence the applicant consented to use instead of an upload)."""
    from .models import Draft

    with transaction.atomic():
        info = case_open(
            channel=Case.Channel.ONLINE,
            implementation_id=implementation_id,
            applicant=applicant,
            form_data=form_data,
            situations=situations,
            materials=[
                {
                    "name": m["name"],
                    "how": LICENCE if m.get("licence") else SHARED if m.get("shared") else FILE,
                    "file": None if m.get("licence") else m.get("file"),
                    "licence": m.get("licence") or "",
                }
                for m in materials
                if m.get("licence") or m.get("shared") or m.get("file")
            ],
            outcome=SUBMIT,
            idempotency_key=idempotency_key,
            actor=actor,
        )
        if draft is not None and draft.pk:
            Draft.objects.filter(pk=draft.pk).delete()
    return info


# --- case groups -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseGroupInfo:
    id: int
    number: str
    kind: str
    kind_label: str
    title: str
    status: str  # derived from the members: open / partly_ready / ready / delivered / closed / empty
    status_label: str
    case_ids: tuple[int, ...]
    case_numbers: tuple[str, ...]


GROUP_STATUS_LABELS = {
    "empty": "尚无办件",
    "open": "办理中",
    "partly_ready": "部分结果待领取",
    "ready": "结果待领取",
    "delivered": "已送达",
    "closed": "已办结",
}
_FINISHED = STATUS_GROUPS["finished"]


def _group_status(statuses: list[str]) -> str:
    live = [s for s in statuses if s not in _FINISHED]
    if not statuses:
        return "empty"
    if not live:
        return "closed"
    if all(s == Status.DELIVERED for s in live):
        return "delivered"
    if all(s in STATUS_GROUPS["result"] for s in live):
        return "ready"
    if any(s == Status.RESULT_READY for s in live):
        return "partly_ready"
    return "open"


def case_group_info(group_id: int) -> CaseGroupInfo | None:
    group = CaseGroup.objects.filter(pk=group_id).first()
    if group is None:
        return None
    members = list(group.cases.order_by("id").values_list("id", "number", "status"))
    status = _group_status([s for _, _, s in members])
    return CaseGroupInfo(
        id=group.pk,
        number=group.number,
        kind=group.kind,
        kind_label=group.get_kind_display(),
        title=group.title,
        status=status,
        status_label=GROUP_STATUS_LABELS[status],
        case_ids=tuple(i for i, _, _ in members),
        case_numbers=tuple(n for _, n, _ in members),
    )


@transaction.atomic
def case_group_open(
    *, actor, region_code: str, kind: str = CaseGroup.Kind.VISIT, title: str = "", person_id=None, channel=""
) -> CaseGroupInfo:
    """A new case group (a visit's items, a bundle, a project stage) with its own number."""
    if kind not in CaseGroup.Kind.values:
        raise ValidationError("未知的办件组类型。")
    user = _account(actor)
    group = CaseGroup.objects.create(
        number=services.group_number_next(region_code, timezone.localdate()),
        kind=kind,
        title=title[:200],
        channel=channel,
        person_id=person_id,
        created_by=user,
    )
    return case_group_info(group.pk)


@transaction.atomic
def case_group_deliver(*, group_id: int, actor, method: str, tracking_number: str = "") -> CaseGroupInfo:
    """One delivery for the group: every member whose result is ready is delivered the same way
    (and, when handed over at the window, concluded). Refused when none is ready."""
    ready = list(
        Case.objects.select_for_update().filter(group_id=group_id, status=Status.RESULT_READY).order_by("id")
    )
    if not ready:
        raise ValidationError("该申请没有待领取或待送达的办理结果。")
    user = _account(actor)
    scope = _scope(user)
    if user is not None and (scope is None or not scope.can("cases.deliver")):
        raise PermissionDenied("您的角色无权“送达”。")
    args = _clean(DeliverForm({"method": method, "tracking_number": tracking_number}))
    for case in ready:
        services.case_deliver(
            actor=actor, case=case, method=args["method"], tracking_number=args["tracking_number"]
        )
        if method == Case.Delivery.PICKUP:
            services.case_conclude(actor=actor, case=case)
    return case_group_info(group_id)


# --- acting on a case --------------------------------------------------------------------------------


class AcceptForm(forms.Form):
    on = forms.DateField(
        label="受理日期", required=False, error_messages={"invalid": "受理日期格式应为 YYYY-MM-DD。"}
    )

    def clean_on(self):
        on = self.cleaned_data.get("on")
        if on and on > timezone.localdate():
            raise ValidationError("受理日期不能晚于今天。")
        return on


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label="不予受理理由", max_length=2000, error_messages={"required": "不予受理必须说明理由。"}
    )
    competent_office = forms.CharField(
        label="有权受理的机关",
        max_length=200,
        required=False,
        error_messages={"max_length": "有权受理的机关名称不能超过200字。"},
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label="承办人",
        queryset=None,
        error_messages={
            "required": "请选择承办人。",
            "invalid_choice": "请选择本部门的工作人员。",
            "invalid_pk_value": "请选择本部门的工作人员。",
        },
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = selectors.assignee_candidates(case)


class OpinionForm(forms.Form):
    opinion = forms.CharField(
        label="审查意见", max_length=5000, error_messages={"required": "请填写审查意见。"}
    )
    complete_step = forms.BooleanField(label="完成本环节", required=False)


class SuspendForm(forms.Form):
    kind = forms.ChoiceField(
        label="特别程序",
        choices=Pause.Kind.choices,
        error_messages={"required": "请选择特别程序的种类。", "invalid_choice": "请选择特别程序的种类。"},
    )
    reason = forms.CharField(
        label="原因",
        max_length=500,
        error_messages={"required": "请说明进入特别程序的原因。", "max_length": "原因不能超过500字。"},
    )
    expected_days = forms.IntegerField(
        label="预计时长（工作日）",
        min_value=1,
        max_value=365,
        error_messages={
            "required": "请填写特别程序的预计时长（工作日）。",
            "invalid": "预计时长应为整数（工作日）。",
            "min_value": "预计时长至少1个工作日。",
            "max_value": "预计时长不能超过365个工作日。",
        },
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="决定",
        choices=[("approve", "准予许可"), ("deny", "不予许可")],
        error_messages={"required": "请选择准予或不予许可。", "invalid_choice": "请选择准予或不予许可。"},
    )
    reason = forms.CharField(label="理由", max_length=5000, required=False)


class DeliverForm(forms.Form):
    method = forms.ChoiceField(
        label="送达方式",
        choices=Case.Delivery.choices,
        error_messages={"required": "请选择送达方式。", "invalid_choice": "请选择送达方式。"},
    )
    tracking_number = forms.CharField(
        label="快递单号",
        max_length=40,
        required=False,
        error_messages={"max_length": "快递单号不能超过40个字符。"},
    )


class RehandleForm(forms.Form):
    reason = forms.CharField(
        label="重办原因",
        max_length=500,
        error_messages={"required": "请写明重办原因。", "max_length": "重办原因不能超过500字。"},
    )
    days = forms.IntegerField(
        label="重办时限（工作日）",
        min_value=1,
        max_value=services.REHANDLE_DAYS_MAX,
        error_messages={
            "required": "请填写重办时限（工作日）。",
            "invalid": "重办时限应为整数（工作日）。",
            "min_value": "重办时限至少1个工作日。",
            "max_value": f"重办时限不能超过{services.REHANDLE_DAYS_MAX}个工作日。",
        },
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤回原因", max_length=500, required=False)


def _clean(form: forms.Form) -> dict[str, Any]:
    if not form.is_valid():
        raise ValidationError({k: list(v) for k, v in form.errors.items()})
    return form.cleaned_data


def _correction_items(data: Mapping) -> list[dict[str, str]]:
    items = data.get("items")
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        raise ValidationError({"items": ["请逐项列出需补正的材料及原因。"]})
    return [{"material": str(i.get("material") or ""), "reason": str(i.get("reason") or "")} for i in items]


def _accept(*, actor, case, data, **_):
    return services.case_accept(actor=actor, case=case, on=_clean(AcceptForm(data))["on"])


def _request_correction(*, actor, case, data, **_):
    return services.case_request_correction(
        actor=actor, case=case, items=_correction_items(data), note=str(data.get("note") or "").strip()
    )


def _refuse(*, actor, case, data, **_):
    args = _clean(RefuseForm(data))
    return services.case_refuse(
        actor=actor, case=case, reason=args["reason"], competent_office=args["competent_office"]
    )


def _claim(*, actor, case, **_):
    return services.case_claim(actor=actor, case=case)


def _assign(*, actor, case, data, **_):
    args = _clean(AssignForm(data, case=case))
    return services.case_assign(actor=actor, case=case, assignee=args["assignee"])


def _opinion(*, actor, case, data, role, plan, **_):
    args = _clean(OpinionForm(data))
    if args["complete_step"] and role is not None:
        workflow.check_complete(plan, case.step_index, role)
    return services.case_record_opinion(
        actor=actor, case=case, opinion=args["opinion"], complete_step=args["complete_step"]
    )


def _suspend(*, actor, case, data, **_):
    args = _clean(SuspendForm(data))
    return services.case_suspend(
        actor=actor, case=case, kind=args["kind"], reason=args["reason"], expected_days=args["expected_days"]
    )


def _resume(*, actor, case, **_):
    return services.case_resume(actor=actor, case=case)


def _decide(*, actor, case, data, role, plan, **_):
    args = _clean(DecideForm(data))
    if role is not None:
        workflow.check_decide(plan, case.step_index, role)
    return services.case_decide(
        actor=actor, case=case, approved=args["decision"] == "approve", reason=args["reason"]
    )


def _result_ready(*, actor, case, **_):
    return services.case_result_ready(actor=actor, case=case)


def _deliver(*, actor, case, data, **_):
    args = _clean(DeliverForm(data))
    return services.case_deliver(
        actor=actor, case=case, method=args["method"], tracking_number=args["tracking_number"]
    )


def _conclude(*, actor, case, **_):
    return services.case_conclude(actor=actor, case=case)


def _rehandle(*, actor, case, data, **_):
    args = _clean(RehandleForm(data))
    return services.case_rehandle(actor=actor, case=case, reason=args["reason"], days=args["days"])


def _withdraw(*, actor, case, data, **_):
    return services.case_withdraw(actor=actor, case=case, reason=_clean(WithdrawForm(data))["reason"])


def _correct(*, actor, case, data, **_):
    uploads = data.get("uploads")
    if not isinstance(uploads, Mapping):
        raise ValidationError("请上传补正后的材料。")
    return services.case_correct(actor=actor, case=case, uploads=uploads)


STAFF, APPLICANT = "staff", "applicant"


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    permission: str  # the role permission (staff actions), "" for the applicant's own actions
    run: Callable[..., Case]
    # the transition-table action whose availability decides this one (None: see `statuses`)
    transition: str | None = None
    statuses: frozenset[str] = frozenset()
    side: str = STAFF


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("accept", "受理", "cases.accept", _accept, transition="accept"),
        Action(
            "request_correction",
            "一次性告知补正",
            "cases.accept",
            _request_correction,
            transition="request_correction",
        ),
        Action("refuse", "不予受理", "cases.accept", _refuse, transition="refuse"),
        Action("claim", "认领", "cases.review", _claim, statuses=frozenset(selectors.REVIEW_STATUSES)),
        Action("assign", "分派", "cases.assign", _assign, statuses=frozenset(selectors.REVIEW_STATUSES)),
        Action("opinion", "审查意见", "cases.review", _opinion, statuses=frozenset({Status.UNDER_REVIEW})),
        Action("suspend", "进入特别程序", "cases.review", _suspend, transition="suspend"),
        Action("resume", "特别程序结束", "cases.review", _resume, transition="resume"),
        Action("decide", "作出决定", "cases.review", _decide, transition="approve"),
        Action("result_ready", "制证/出具结果", "cases.deliver", _result_ready, transition="result_ready"),
        Action("deliver", "送达", "cases.deliver", _deliver, transition="deliver"),
        Action("conclude", "办结", "cases.deliver", _conclude, transition="conclude"),
        # 重办: the 12345 callback (hotline staff, or the evaluation loop's own label) sends the case back
        Action("rehandle", "退回重办", "cases.rehandle", _rehandle, transition="rehandle"),
        Action("withdraw", "撤回申请", "", _withdraw, transition="withdraw", side=APPLICANT),
        Action("correct", "提交补正材料", "", _correct, transition="resubmit", side=APPLICANT),
    )
}
HEAD_SIGN_OFF_TEXT = "该事项须由部门负责人签批"


def _status_allows(action: Action, status: str) -> bool:
    if action.transition:
        return (status, action.transition) in states.TRANSITIONS
    return status in action.statuses


def _status_error(action: Action, case: Case) -> ValidationError:
    return ValidationError(
        "办件当前状态为“%(state)s”，不能“%(action)s”。",
        code="transition",
        params={"state": Status(case.status).label, "action": action.label},
    )


def _claim_blocked(user, case: Case) -> str:
    if user is None:
        return ""
    if case.assignee_id and case.assignee_id != user.pk:
        return "该办件已由其他人员认领。"
    if case.assignee_id == user.pk and case.status != Status.ACCEPTED:
        return "您已认领该办件。"
    return ""


_NOT_DETAILS = {"action", "case_id", "actor", "csrfmiddlewaretoken"}


def details_from(data: Mapping) -> dict[str, Any]:
    """An action's parameters from a form or a JSON body (without the action's own name)."""
    return {str(k): v for k, v in data.items() if k not in _NOT_DETAILS}


def case_act(case_id: int, action: str, actor, **details) -> CaseInfo:
    """Performs one action on a case; returns the case as it is now.

    Checks, in this order: the action exists (ValidationError); the case exists and the actor
    may see it (CaseNotFound: the pages and the API answer 404); the actor's role has the
    action's permission, or for the applicant's actions it is their own case (PermissionDenied);
    the status allows it (ValidationError with the transition table's Chinese message); the
    process step rules (only the step's role completes it; the decision by its role, after the
    steps before it: PermissionDenied or ValidationError); the parameters (a small form each,
    Chinese messages); then exactly one primitive of ``services`` runs.
    """
    spec = ACTIONS.get(action)
    if spec is None:
        raise ValidationError({"action": ["未知的操作。"]})
    user = _account(actor)
    with transaction.atomic():
        case = _cases().select_for_update(of=("self",)).filter(pk=case_id).first()
        if case is None:
            raise CaseNotFound(case_id)
        case._locked_in = transaction.get_connection().connection
        return _act(spec, case, action, actor, user, details)


def _act(spec: Action, case: Case, action: str, actor, user, details: dict) -> CaseInfo:
    role = None
    if spec.side == APPLICANT:
        if user is not None and (
            not getattr(user, "is_applicant", False) or case.applicant_user_id != user.pk
        ):
            if getattr(user, "is_applicant", False):
                raise CaseNotFound(case.pk)
            raise PermissionDenied(f"只有申请人本人可以“{spec.label}”。")
    elif user is not None:
        scope = _scope(user)
        if scope is None:
            if getattr(user, "is_applicant", False) and case.applicant_user_id == user.pk:
                raise PermissionDenied("只有工作人员可以办理办件。")
            raise CaseNotFound(case.pk)
        if not scope.allows(case.region_id, case.department_id):
            raise CaseNotFound(case.pk)
        if not scope.can(spec.permission):
            raise PermissionDenied(f"您的角色无权“{spec.label}”。")
        role = scope.role
    if not _status_allows(spec, case.status):
        raise _status_error(spec, case)
    if action == "claim" and (blocked := _claim_blocked(user, case)):
        raise ValidationError(blocked)
    plan = workflow.plan_for(case.version.steps)
    case = spec.run(actor=actor, case=case, data=details, role=role, plan=plan)
    return _info(case)


@dataclass(frozen=True)
class Offer:
    """An action the case page shows: enabled, or disabled with the reason in words."""

    name: str
    label: str
    enabled: bool = True
    note: str = ""


def case_offers(case_id: int, actor) -> dict[str, Offer]:
    """The staff actions the case's status, the actor's role and the process allow now."""
    user = _account(actor)
    scope = _scope(user)
    case = Case.objects.select_related("version").get(pk=case_id)
    offers: dict[str, Offer] = {}
    if scope is None:
        return offers
    plan = workflow.plan_for(case.version.steps)
    for spec in ACTIONS.values():
        if spec.side != STAFF or not _status_allows(spec, case.status):
            continue
        if spec.name == "rehandle":  # sent back from the 12345 callback page, with its questionnaire
            continue
        if spec.name == "decide":
            reason = workflow.may_decide(plan, scope.role)
            if reason:
                if scope.can("cases.review") or scope.can("cases.decide"):
                    offers["decide"] = Offer("decide", spec.label, enabled=False, note=reason)
                continue
            if plan.decision is not None and case.step_index < plan.decision:
                pending = plan.steps[case.step_index]
                note = f"请先完成“{pending.name}”环节"
                offers["decide"] = Offer("decide", spec.label, enabled=False, note=note)
                continue
        if not scope.can(spec.permission):
            continue
        if spec.name == "claim" and _claim_blocked(user, case):
            continue
        offers[spec.name] = Offer(spec.name, spec.label)
    return offers


def step_completable(case_id: int, actor) -> bool:
    """Whether the actor may complete the case's current step with 完成本环节 (for the page)."""
    scope = _scope(_account(actor))
    case = Case.objects.select_related("version").get(pk=case_id)
    if scope is None:
        return False
    try:
        workflow.check_complete(workflow.plan_for(case.version.steps), case.step_index, scope.role)
    except (PermissionDenied, ValidationError):
        return False
    return True


# --- events, for the apps that read the facts ---------------------------------------------------------


@dataclass(frozen=True)
class CaseEventFact:
    id: int
    case_id: int
    case_number: str
    at: dt.datetime
    action: str
    from_status: str
    to_status: str
    actor_id: int | None
    channel: str
    region_id: int
    department_id: int
    implementation_id: int
    group_id: int | None
    data: dict


def case_events_after(
    cursor: int = 0, *, limit: int = 500, case_id: int | None = None
) -> list[CaseEventFact]:
    """Case events with an id above ``cursor``, oldest first (at most ``limit``): a reader keeps
    the last id it saw and asks again from there (evaluation, assessment, insights)."""
    qs = CaseEvent.objects.filter(pk__gt=cursor).select_related("case").order_by("id")
    if case_id is not None:
        qs = qs.filter(case_id=case_id)
    return [
        CaseEventFact(
            id=e.pk,
            case_id=e.case_id,
            case_number=e.case.number,
            at=e.at,
            action=e.action,
            from_status=e.from_status,
            to_status=e.to_status,
            actor_id=e.actor_id,
            channel=e.case.channel,
            region_id=e.case.region_id,
            department_id=e.case.department_id,
            implementation_id=e.case.implementation_id,
            group_id=e.case.group_id,
            data=dict(e.data or {}),
        )
        for e in qs[: max(1, min(limit, 5000))]
    ]
