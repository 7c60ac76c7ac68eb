"""The demo city's licence catalog (证照目录): the types its catalog's items produce.

The curated types carry face fields, validity rules and the items that yield them. Their type
codes are 21 characters: the defining authority's credit code (the national authorities' codes
here are made up for the demo, with valid check characters) and a 3-digit number. Every other
catalog item whose result is an e-licence gets a generic type built from its form (face = the
form's answers without the contact fields), defined by the implementing department, so that no
approved demo case promises a licence it cannot issue.
"""

from __future__ import annotations

from banhao.catalog.models import StandardVersion, Status
from banhao.core.identifiers import make_org_code, make_uscc
from banhao.licences import services as licences
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
    """Creates or updates the demo licence catalog; returns the number of types."""
    done = 0
    for spec in CURATED:
        spec = dict(spec)
        licences.licence_type_upsert(actor=ACTOR, item_codes=spec.pop("items"), **spec)
        done += 1
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
        done += 1
    return done
