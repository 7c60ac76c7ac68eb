"""What other apps may use of licences: issuing a case's licence, the licences an applicant holds,
免提交 (a held licence used as a material), and small figures. Frozen facts only.

    from banhao.licences import api as licences_api
    licences_api.licence_issue_for_case(case=CaseFacts(...), actor=user)
    licences_api.licences_held(person_id=…, organization_id=…)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from banhao.core.masking import mask_resident_id

from . import services
from .models import ACTIVE_STATUSES, HolderKind, Licence, LicenceType, LicenceUse, Status

__all__ = [
    "CaseFacts",
    "LicenceInfo",
    "item_yields_licence",
    "licence_figures",
    "licence_info",
    "licence_issue_for_case",
    "licence_type_for_material",
    "licence_use_as_material",
    "licences_for_case",
    "licences_held",
]


@dataclass(frozen=True)
class LicenceInfo:
    id: int
    identifier: str
    name: str
    number: str
    holder_name: str
    holder_masked: str  # what a stranger may see: 张** and 3713**********123X; an organisation in full
    holder_code_masked: str
    issuer_name: str
    issued_on: dt.date
    valid_until: dt.date | None
    status: str  # valid | suspended | revoked | expired | superseded (effective)
    status_label: str
    face: dict[str, str] = field(default_factory=dict)  # the public face fields only
    case_number: str = ""

    @property
    def usable(self) -> bool:
        return self.status == Status.VALID


def holder_masked(licence: Licence) -> str:
    """A person's name shows its first character only; an organisation's name is public."""
    if licence.holder_kind == HolderKind.ORGANIZATION:
        return licence.holder_name
    name = licence.holder_name
    return name[:1] + "*" * max(len(name) - 1, 1)


def _info(licence: Licence, *, public_only: bool = True) -> LicenceInfo:
    status = services.effective_status(licence)
    labels = {f["key"]: f.get("label", f["key"]) for f in licence.type.fields}
    public = {f["key"] for f in licence.type.fields if f.get("public")}
    face = {labels.get(k, k): v for k, v in licence.face.items() if (k in public or not public_only)}
    return LicenceInfo(
        id=licence.pk,
        identifier=licence.identifier,
        name=licence.name,
        number=licence.number,
        holder_name=licence.holder_name,
        holder_masked=holder_masked(licence),
        holder_code_masked=licence.holder_code
        if licence.holder_kind == HolderKind.ORGANIZATION
        else mask_resident_id(licence.holder_code),
        issuer_name=licence.issuer_name,
        issued_on=licence.issued_on,
        valid_until=licence.valid_until,
        status=str(status),
        status_label=dict(Status.choices)[status],
        face=face,
        case_number=licence.case_number,
    )


def licence_info(identifier: str) -> LicenceInfo | None:
    licence = Licence.objects.select_related("type").filter(identifier=identifier).first()
    return _info(licence) if licence else None


# --- issuing from a case ------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFacts:
    """What the licences app needs to know of an approved case to issue its licence."""

    case_id: int
    number: str
    standard_item_id: int
    department_id: int
    region_id: int
    person_id: int
    organization_id: int | None
    form_data: dict[str, Any]
    division_code: str = ""


def _types_for_item(item_id: int):
    return LicenceType.objects.filter(items__id=item_id, active=True).order_by("code")


def item_yields_licence(standard_item_id: int) -> bool:
    return _types_for_item(standard_item_id).exists()


# where a registration creates its holder (设立登记), the new organisation's details come from these
_NEW_ORG_NAME = (
    "company_name",
    "coop_name",
    "trade_name",
    "org_name_proposed",
    "school_name",
    "institution_name",
    "org_name",
)
_NEW_ORG_REP = ("legal_rep_name", "legal_representative", "applicant_name")
_NEW_ORG_ADDRESS = ("domicile", "business_site", "school_address", "site_address", "applicant_address")


def _first(form: dict[str, Any], keys) -> str:
    for k in keys:
        v = str(form.get(k) or "").strip()
        if v:
            return v
    return ""


def face_from_case(licence_type: LicenceType, case: CaseFacts, holder: services.Holder) -> dict[str, str]:
    face: dict[str, str] = {}
    for f in licence_type.fields:
        for source in f.get("sources") or [f["key"]]:
            if source == "holder.name":
                value = holder.name
            elif source == "holder.code":
                value = holder.code
            elif source == "case.number":
                value = case.number
            else:
                value = str(case.form_data.get(source) or "").strip()
            if value:
                face[f["key"]] = value
                break
    return face


def licence_issue_for_case(*, case: CaseFacts, actor) -> list[LicenceInfo]:
    """Issues the licence(s) an approved case's item yields; called by cases when the result is ready.
    A registration that creates its holder (an enterprise not yet in the registry) registers it first."""
    from banhao.registry import api as registry_api

    issued = []
    for licence_type in _types_for_item(case.standard_item_id):
        organization_id = case.organization_id
        if licence_type.holder_kind == HolderKind.ORGANIZATION and organization_id is None:
            name = _first(case.form_data, _NEW_ORG_NAME)
            if not name:
                raise ValidationError(f"申请表中没有单位名称，不能签发《{licence_type.name}》。")
            org = registry_api.organization_register_new(
                actor=actor,
                name=name,
                legal_representative=_first(case.form_data, _NEW_ORG_REP) or "—",
                division_code=case.division_code or "371300",
                address=_first(case.form_data, _NEW_ORG_ADDRESS),
                individual="trade_name" in case.form_data,
            )
            organization_id = org.id
        holder = services.holder_for(
            licence_type=licence_type, person_id=case.person_id, organization_id=organization_id
        )
        licence = services.licence_issue(
            actor=actor,
            licence_type=licence_type,
            issuer_id=case.department_id,
            face=face_from_case(licence_type, case, holder),
            person_id=case.person_id,
            organization_id=organization_id,
            region_id=case.region_id,
            case_id=case.case_id,
            case_number=case.number,
        )
        issued.append(_info(licence))
    return issued


def licences_for_case(case_id: int) -> list[LicenceInfo]:
    return [_info(x) for x in Licence.objects.select_related("type").filter(case_id=case_id).order_by("id")]


# --- 免提交 ------------------------------------------------------------------------------------


def licence_type_for_material(material_licence_type: str) -> str | None:
    """The licence catalog's type name that a material's 对应证照 names (by name, alias or code);
    None when the licence store does not hold that kind of licence (it is shared by other means)."""
    text = (material_licence_type or "").strip()
    if not text:
        return None
    for t in LicenceType.objects.filter(active=True).only("name", "code", "aliases"):
        if text in {t.name, t.code, *t.aliases}:
            return t.name
    return None


def licences_held(
    *,
    person_id: int | None,
    organization_id: int | None,
    type_name: str | None = None,
    usable_only: bool = True,
) -> list[LicenceInfo]:
    """The licences a person (their own) or an organisation holds, newest first."""
    q = Q()
    if person_id:
        q |= Q(holder_person_id=person_id)
    if organization_id:
        q |= Q(holder_organization_id=organization_id)
    if not q:
        return []
    qs = Licence.objects.select_related("type").filter(q)
    if usable_only:
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    if type_name:
        qs = qs.filter(type__name=type_name)
    out = [_info(x) for x in qs.order_by("-issued_on", "-id")]
    return [x for x in out if x.usable] if usable_only else out


def licence_use_as_material(
    *, identifier: str, holder_codes: set[str], type_name: str, case_number: str, actor
) -> LicenceInfo:
    """Records that a held licence stands in for a material (免提交). Raises ValidationError in
    Chinese for a made-up, foreign, revoked, suspended, expired or tampered licence."""
    licence = services.licence_use_as_material(
        identifier=identifier,
        holder_codes={c for c in holder_codes if c},
        type_names={type_name} if type_name else set(),
        case_number=case_number,
        actor=actor,
    )
    return _info(licence)


# --- figures (insights reads these later) ---------------------------------------------------------


def licence_figures(*, since: dt.date | None = None, until: dt.date | None = None) -> list[dict[str, Any]]:
    """Per licence type and issuing department: issued, used (every logged use) and reused as a
    material (papers saved)."""
    from django.db.models import Count

    issued = Licence.objects.all()
    uses = LicenceUse.objects.all()
    if since:
        issued, uses = issued.filter(issued_on__gte=since), uses.filter(at__date__gte=since)
    if until:
        issued, uses = issued.filter(issued_on__lte=until), uses.filter(at__date__lte=until)
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for r in issued.values("name", "issuer_name").annotate(n=Count("id")):
        rows[(r["name"], r["issuer_name"])] = {
            "type": r["name"],
            "department": r["issuer_name"],
            "issued": r["n"],
            "used": 0,
            "reused": 0,
        }
    for r in uses.values("licence__name", "licence__issuer_name", "kind").annotate(n=Count("id")):
        row = rows.setdefault(
            (r["licence__name"], r["licence__issuer_name"]),
            {
                "type": r["licence__name"],
                "department": r["licence__issuer_name"],
                "issued": 0,
                "used": 0,
                "reused": 0,
            },
        )
        row["used"] += r["n"]
        if r["kind"] == LicenceUse.Kind.MATERIAL:
            row["reused"] += r["n"]
    return sorted(rows.values(), key=lambda r: (-r["issued"], r["type"]))
