"""The demo city's licence catalog (证照目录), and the licences its people and enterprises hold.

The curated types carry face fields, validity rules and the items that yield them. Their type
codes are 21 characters: the defining authority's credit code (the national authorities' codes
here are made up for the demo, with valid check characters) and a 3-digit number. Every other
catalog item whose result is an e-licence gets a generic type built from its form (face = the
form's answers without the contact fields), defined by the implementing department, so that no
approved demo case promises a licence it cannot issue.

`load_holdings()` then gives the demo's people and enterprises their licences through approved
cases (see DEMO_CASES below).
"""

from __future__ import annotations

from dataclasses import dataclass

from banhao.catalog.models import StandardVersion, Status
from banhao.core.identifiers import make_org_code, make_uscc
from banhao.licences import services as licences
from banhao.licences.excel import type_unchanged
from banhao.licences.models import HolderKind, LicenceType, Validity

ACTOR = "演示数据载入"


def _authority(base8: str) -> str:
    return make_uscc("1", "1", "100000", make_org_code(base8))


SAMR = "11100000000013338W"  # 国家市场监督管理总局 (the domain reference's vector)
MOHURD = _authority("00001302")  # 住房和城乡建设部
MNR = _authority("00001318")  # 自然资源部
CDPF = _authority("50000001")  # 中国残疾人联合会
NHC = _authority("00001313")  # 国家卫生健康委员会
MCA = _authority("00001307")  # 民政部
MWR = _authority("00001309")  # 水利部
NMPA = _authority("00001339")  # 国家药品监督管理局


def f(key, label, *sources, kind="text", required=False, public=False):
    return {
        "key": key,
        "label": label,
        "kind": kind,
        "required": required,
        "public": public,
        "sources": list(sources) or [key],
    }


CURATED = [
    {
        "name": "营业执照",
        "code": SAMR + "001",
        "authority_name": "国家市场监督管理总局",
        "holder_kind": HolderKind.ORGANIZATION,
        "validity": Validity.LONG_TERM,
        "items": ["371301002301", "371301002401", "371301002601", "371301004401"],
        "fields": [
            f("number", "统一社会信用代码", "holder.code", required=True, public=True),
            f(
                "name",
                "名称",
                "company_name",
                "coop_name",
                "trade_name",
                "org_name",
                "holder.name",
                required=True,
                public=True,
            ),
            f("entity_type", "类型", "company_type", "composition", public=True),
            f(
                "legal_representative",
                "法定代表人（经营者）",
                "legal_rep_name",
                "legal_representative",
                "applicant_name",
                public=True,
            ),
            f("capital", "注册资本（出资额）", "registered_capital", "total_contribution"),
            f("domicile", "住所（经营场所）", "domicile", "business_site", public=True),
            f("business_scope", "经营范围", "business_scope", "change_after", public=True),
        ],
    },
    {
        "name": "食品经营许可证",
        "code": SAMR + "027",
        "authority_name": "国家市场监督管理总局",
        "holder_kind": HolderKind.ORGANIZATION,
        "validity": Validity.YEARS,
        "validity_years": 5,
        "items": ["371301002701"],
        "fields": [
            f("operator", "经营者名称", "org_name", "holder.name", required=True, public=True),
            f("credit_code", "社会信用代码", "holder.code", required=True, public=True),
            f("legal_representative", "法定代表人（负责人）", "legal_representative", public=True),
            f("site", "经营场所", "business_site", public=True),
            f("main_business", "主体业态", "main_business", public=True),
            f("items", "经营项目", "business_items", "change_after", public=True),
            f("safety_manager", "食品安全管理人员", "safety_manager"),
        ],
    },
    {
        "name": "建筑工程施工许可证",
        "code": MOHURD + "012",
        "authority_name": "中华人民共和国住房和城乡建设部",
        "holder_kind": HolderKind.ORGANIZATION,
        "validity": Validity.LONG_TERM,
        "several_allowed": True,  # one per project
        "items": ["371301001201"],
        "fields": [
            f("owner", "建设单位", "org_name", "holder.name", required=True, public=True),
            f("project_code", "项目代码", "project_code", public=True),
            f("project_name", "工程名称", "project_name", required=True, public=True),
            f("site", "建设地址", "project_site", public=True),
            f("scale", "建设规模（平方米）", "building_area", kind="number"),
            f("contract_price", "合同价格（万元）", "contract_price", kind="number"),
            f("builder", "施工单位", "construction_unit", public=True),
            f("supervisor", "监理单位", "supervision_unit", public=True),
        ],
    },
    {
        "name": "建设工程规划许可证",
        "code": MNR + "007",
        "authority_name": "中华人民共和国自然资源部",
        "holder_kind": HolderKind.ORGANIZATION,
        "validity": Validity.LONG_TERM,
        "several_allowed": True,
        "items": ["371301000701"],
        "fields": [
            f("owner", "建设单位", "org_name", "holder.name", required=True, public=True),
            f("project_name", "建设项目名称", "project_name", required=True, public=True),
            f("site", "建设位置", "project_site", public=True),
            f("scale", "建设规模（平方米）", "building_area", kind="number", public=True),
        ],
    },
    {
        "name": "不动产权证书",
        "code": MNR + "067",
        "authority_name": "中华人民共和国自然资源部",
        "holder_kind": HolderKind.PERSON,
        "validity": Validity.LONG_TERM,
        "several_allowed": True,  # one per property
        "items": ["371307006701"],
        "fields": [
            f("obligee", "权利人", "applicant_name", "holder.name", required=True),
            f("location", "坐落", "house_address", required=True),
            f("ownership", "共有情况", "ownership"),
            f("right_type", "权利类型", "right_type"),
        ],
    },
    {
        "name": "中华人民共和国残疾人证",
        "code": CDPF + "001",
        "authority_name": "中国残疾人联合会",
        "holder_kind": HolderKind.PERSON,
        "validity": Validity.YEARS,
        "validity_years": 10,
        "aliases": ["残疾人证"],
        "items": ["371320005601"],
        "fields": [
            f("name", "姓名", "applicant_name", "holder.name", required=True),
            f("id_number", "公民身份号码", "holder.code", kind="code", required=True),
            f("category", "残疾类别", "disability_type", required=True, public=True),
            f("address", "住址", "applicant_address"),
        ],
    },
    {
        "name": "医师执业证书",
        "code": NHC + "048",
        "authority_name": "中华人民共和国国家卫生健康委员会",
        "holder_kind": HolderKind.PERSON,
        "validity": Validity.LONG_TERM,
        "items": ["371301004801"],
        "fields": [
            f("name", "姓名", "applicant_name", "holder.name", required=True, public=True),
            f("category", "执业类别", "practice_category", public=True),
            f("scope", "执业范围", "practice_scope", public=True),
            f("institution", "执业地点（机构）", "institution", "new_institution", public=True),
        ],
    },
    {
        "name": "公共场所卫生许可证",
        "code": NHC + "031",
        "authority_name": "中华人民共和国国家卫生健康委员会",
        "holder_kind": HolderKind.ORGANIZATION,
        "validity": Validity.YEARS,
        "validity_years": 4,
        "items": ["371301003101"],
        "fields": [
            f("unit", "单位名称", "org_name", "holder.name", required=True, public=True),
            f("legal_representative", "法定代表人（负责人）", "legal_representative", public=True),
            f("site", "地址", "site_address", public=True),
            f("place_type", "许可项目", "place_type", public=True),
        ],
    },
    {
        "name": "药品经营许可证",
        "code": NMPA + "029",
        "authority_name": "国家药品监督管理局",
        "holder_kind": HolderKind.ORGANIZATION,
        "validity": Validity.YEARS,
        "validity_years": 5,
        "items": ["371301002901"],
        "fields": [
            f("unit", "企业名称", "org_name", "holder.name", required=True, public=True),
            f("address", "注册地址", "store_address", public=True),
            f("scope", "经营范围", "business_scope", public=True),
            f("pharmacist", "质量负责人", "pharmacist"),
        ],
    },
    {
        "name": "取水许可证",
        "code": MWR + "042",
        "authority_name": "中华人民共和国水利部",
        "holder_kind": HolderKind.ORGANIZATION,
        "validity": Validity.YEARS,
        "validity_years": 5,
        "items": ["371301004201"],
        "fields": [
            f("holder", "取水权人", "org_name", "holder.name", required=True, public=True),
            f("site", "取水地点", "intake_site", public=True),
            f("source", "水源类型", "water_source", public=True),
            f("volume", "取水量（万立方米/年）", "annual_volume", kind="number", public=True),
            f("purpose", "取水用途", "purpose", public=True),
        ],
    },
    {
        "name": "结婚证",
        "code": MCA + "054",
        "authority_name": "中华人民共和国民政部",
        "holder_kind": HolderKind.PERSON,
        "validity": Validity.LONG_TERM,
        "items": ["371307005401-01"],
        "fields": [
            f("holder", "持证人", "applicant_name", "holder.name", required=True),
            f("partner", "对方姓名", "partner_name", required=True),
            f("date", "登记日期", "booking_date", kind="date"),
        ],
    },
]

CONTACT_KEYS = {
    "contact_name",
    "contact_phone",
    "applicant_phone",
    "agent_name",
    "agent_id",
    "applicant_id",
    "partner_id",
    "seller_id",
    "guardian_id",
}


def _generic(version: StandardVersion, used_codes: set[str]) -> dict | None:
    dept_code = version.department.credit_code
    n = 900
    while f"{dept_code}{n:03d}" in used_codes:
        n += 1
    person = not any(fd.get("key") == "org_name" for fd in version.form_fields)
    fields = [f("holder", "持证主体", "holder.name", required=True, public=True)]
    for fd in version.form_fields:
        key = fd.get("key", "")
        if key in CONTACT_KEYS or key in {"org_name", "credit_code", "applicant_name"} or not key:
            continue
        if fd.get("type") in {"resident_id", "phone"}:  # never on a face that strangers may verify
            continue
        kind = {"date": "date", "number": "number"}.get(fd.get("type"), "text")
        fields.append(f(key[:40], (fd.get("label") or key)[:40], key, kind=kind))
        if len(fields) >= 8:
            break
    return {
        "name": version.result_name,
        "code": f"{dept_code}{n:03d}",
        "authority_name": version.department.name,
        "holder_kind": HolderKind.PERSON if person else HolderKind.ORGANIZATION,
        "validity": Validity.LONG_TERM,
        "several_allowed": True,
        "items": [version.item.code],
        "fields": fields,
        "composition_note": "示例：按事项申请表生成的通用照面，正式使用前请按国家或省级证照标准核定。",
    }


def load() -> int:
    """Creates or updates the demo licence catalog; returns the number of types in it."""
    for spec in CURATED:
        spec = dict(spec)
        spec["item_codes"] = spec.pop("items")
        if not type_unchanged(spec):  # a second load writes (and audits) nothing
            licences.licence_type_upsert(actor=ACTOR, **spec)
    used = set(LicenceType.objects.values_list("code", flat=True))
    covered = set(LicenceType.objects.values_list("items__id", flat=True))
    names = set(LicenceType.objects.values_list("name", flat=True))
    versions = (
        StandardVersion.objects.filter(status=Status.PUBLISHED, result_is_licence=True)
        .select_related("department", "item")
        .order_by("item__code")
    )
    for version in versions:
        if version.item_id in covered:
            continue
        if version.result_name in names:  # another handling item of a result already catalogued
            t = LicenceType.objects.get(name=version.result_name)
            t.items.add(version.item)
            continue
        spec = _generic(version, used)
        items = spec.pop("items")
        licences.licence_type_upsert(actor=ACTOR, item_codes=items, **spec)
        used.add(spec["code"])
        names.add(spec["name"])
    return LicenceType.objects.count()


# --- the demo's licences: approved cases through the real path ---------------------------------
#
# Each demo case is opened and accepted at the window (case_open, outcome 受理, the materials
# checked on paper), claimed by the department's reviewer, reviewed step by step, approved,
# made ready, delivered and concluded (case_act); the result-ready step issues and signs the
# licence as for any case.
# The cases are keyed (idempotency key "demo-licence-…"): a second load finds them and opens
# none. Keys: every department with a credit code gets a signing key first (keys_ensure).

CASE_ACTOR = "系统（演示数据）"
CASE_KEY = "demo-licence-{}"
# (who, item code, region code, form) — who: ("org", n) is the n-th demo enterprise account
# (acting through its agent), ("person", n) the n-th demo personal account.
CHANGE_FORM = {
    "change_items": "经营范围",
    "change_before": "一般项目：日用百货销售",
    "change_after": "一般项目：日用百货销售；食品销售（仅销售预包装食品）；餐饮服务",
    "resolution_date": "2026-03-18",
}
DEMO_CASES = [
    *[(("org", n), "371301002401-01", "371300", CHANGE_FORM) for n in range(5)],
    (
        ("org", 0),
        "371301002701-01",
        "371300",
        {
            "main_business": "餐饮服务经营者",
            "business_items": "热食类食品制售；冷食类食品制售",
            "area": "180",
            "safety_manager": "王建华",
        },
    ),
    (
        ("org", 1),
        "371301002701-01",
        "371300",
        {
            "main_business": "食品销售经营者",
            "business_items": "预包装食品（含冷藏冷冻食品）销售",
            "area": "95",
            "safety_manager": "刘秀英",
        },
    ),
    (
        ("org", 2),
        "371301003101-01",
        "371300",
        {"place_type": "住宿场所", "area": "1200", "central_aircon": "否"},
    ),
    (
        ("person", 0),
        "371307006701-01",
        "371300",
        {
            "seller_name": "赵国强",
            "seller_id": "370102196804120031",
            "house_address": "临沂市兰山区沂蒙路168号金城花园3号楼2单元601室",
            "cert_no": "鲁（2019）临沂市不动产权第0012345号",
            "price": "1280000",
            "utility_transfer": "是",
        },
    ),
    (
        ("person", 1),
        "371320005601-01",
        "371302",
        {"disability_type": "肢体残疾", "hospital": "临沂市人民医院"},
    ),
    (
        ("person", 2),
        "371301004801-01",
        "371300",
        {"practice_category": "临床", "practice_scope": "内科专业", "institution": "临沂市人民医院"},
    ),
]
# (case index in DEMO_CASES, action, reason): the verification page shows every status
STATUS_CHANGES = [
    (7, "suspend", "卫生监督抽检发现客房布草消毒不合格，责令整改，整改期间暂停使用。"),
    (6, "revoke", "经营者申请注销：已停止食品经营活动（演示）。"),
]


def demo_accounts():
    """The demo's enterprise accounts (agent, organisation) and personal accounts, as loaded by
    city.load_applicants: the first five enterprise accounts and the personal accounts in order."""
    from banhao.registry.models import ApplicantAccount

    accounts = ApplicantAccount.objects.select_related("person", "organization", "user").order_by("id")
    enterprises = [a for a in accounts if a.organization_id is not None][:5]
    persons = [a for a in accounts if a.organization_id is None][:10]
    return enterprises, persons


def _department_keys() -> int:
    """A signing key (the default algorithm) for every department with a credit code."""
    from banhao.licences import keys
    from banhao.org.models import Department

    codes = [c for c in Department.objects.values_list("credit_code", flat=True) if c]
    return len(keys.keys_ensure(codes))


def _reviewer_for(case):
    from banhao.org.models import StaffMember
    from banhao.org.roles import Role

    member = (
        StaffMember.objects.select_related("user")
        .filter(role=Role.REVIEWER, department_id=case.department_id, region_id=case.region_id)
        .order_by("id")
        .first()
    )
    if member is None:
        raise LookupError(f"演示数据缺少{case.department}的后台审批人员，无法办理演示办件。")
    return member.user


def _form_for(who, account, extra: dict) -> dict:
    person, org = account.person, account.organization
    if who[0] == "org":
        return {
            "org_name": org.name,
            "credit_code": org.credit_code,
            "legal_representative": org.legal_representative,
            "contact_name": person.name,
            "contact_phone": person.phone,
            "business_site": org.address,
            "site_address": org.address,
            **extra,
        }
    return {
        "applicant_name": person.name,
        "applicant_id": person.resident_id,
        "applicant_phone": person.phone,
        "applicant_address": person.address,
        **extra,
    }


def _approve(n: int, who, item_code: str, region_code: str, extra: dict):
    """Opens, accepts, reviews, approves, makes ready (the licence), delivers electronically and
    concludes one demo case; returns (its id, whether it was made now)."""
    from banhao.cases import api as cases_api
    from banhao.cases import workflow
    from banhao.cases.models import Case
    from banhao.catalog.models import Implementation

    key = CASE_KEY.format(n)
    existing = Case.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing.pk, False
    enterprises, persons = demo_accounts()
    account = enterprises[who[1]] if who[0] == "org" else persons[who[1]]
    impl = Implementation.objects.select_related("standard").get(
        standard__code=item_code, region__code=region_code
    )
    version = impl.standard.versions.filter(status=Status.PUBLISHED).order_by("-number").first()
    situations = {s["key"]: False for s in version.situations or []}
    form_keys = {f["key"] for f in version.form_fields or []}
    materials = [
        {"name": m["name"], "how": "paper"}
        for m in version.materials or []
        if m.get("required") and not m.get("situation")
    ]
    info = cases_api.case_open(
        channel=Case.Channel.WINDOW,
        implementation_id=impl.pk,
        applicant=cases_api.Applicant(
            person_id=account.person_id,
            organization_id=account.organization_id if who[0] == "org" else None,
            contact_phone=account.person.phone,
        ),
        form_data={k: v for k, v in _form_for(who, account, extra).items() if k in form_keys},
        situations=situations,
        materials=materials,
        outcome="accept",
        idempotency_key=key,
        actor=CASE_ACTOR,
    )
    case = Case.objects.select_related("department", "version").get(pk=info.id)
    cases_api.case_act(case.pk, "claim", _reviewer_for(case))
    plan = workflow.plan_for(case.version.steps)
    while plan.decision is not None and Case.objects.get(pk=case.pk).step_index < plan.decision:
        cases_api.case_act(
            case.pk, "opinion", CASE_ACTOR, opinion="材料齐全，符合法定条件", complete_step=True
        )
    cases_api.case_act(case.pk, "decide", CASE_ACTOR, decision="approve", reason="符合法定条件，准予许可")
    cases_api.case_act(case.pk, "result_ready", CASE_ACTOR)  # issues and signs the licence
    cases_api.case_act(case.pk, "deliver", CASE_ACTOR, method=Case.Delivery.ELECTRONIC)
    cases_api.case_act(case.pk, "conclude", CASE_ACTOR)
    return case.pk, True


@dataclass(frozen=True)
class Holdings:
    licences: int
    new_cases: int
    new_keys: int
    sample_identifier: str
    by_account: list[tuple[str, str, list[str]]]  # (login phone, holder, ["《营业执照》（有效）", …])
    by_status: dict[str, int]


def load_holdings() -> Holdings:
    """The demo people's and enterprises' licences (see DEMO_CASES); idempotent."""
    from banhao.licences.models import Licence, LicenceEvent

    new_keys = _department_keys()
    case_ids, new_cases = [], 0
    for n, (who, item_code, region_code, extra) in enumerate(DEMO_CASES):
        case_id, created = _approve(n, who, item_code, region_code, extra)
        case_ids.append(case_id)
        new_cases += created
    for index, action, reason in STATUS_CHANGES:
        licence = Licence.objects.filter(case_id=case_ids[index]).order_by("id").first()
        if licence is None or LicenceEvent.objects.filter(licence=licence, action=action).exists():
            continue
        change = licences.licence_suspend if action == "suspend" else licences.licence_revoke
        change(actor=ACTOR, licence=licence, reason=reason)

    demo = Licence.objects.filter(case_id__in=case_ids)
    sample = demo.filter(status="valid", type__name="营业执照").order_by("id").first()
    enterprises, persons = demo_accounts()
    by_account = []
    for account in enterprises + persons:
        held = Licence.objects.filter(
            holder_code=(
                account.organization.credit_code if account.organization else account.person.resident_id
            )
        ).exclude(status="superseded")
        if not held.exists():
            continue
        by_account.append(
            (
                account.person.phone,  # the login, as city.load_applicants prints it
                account.organization.name if account.organization else account.person.name,
                [f"《{x.name}》（{x.get_status_display()}）" for x in held.order_by("id")],
            )
        )
    statuses: dict[str, int] = {}
    for status in demo.values_list("status", flat=True):
        statuses[status] = statuses.get(status, 0) + 1
    return Holdings(
        licences=demo.count(),
        new_cases=new_cases,
        new_keys=new_keys,
        sample_identifier=sample.identifier if sample else "",
        by_account=by_account,
        by_status=statuses,
    )
