"""The demo catalog: standard texts from catalog.json, implemented in the city and four counties.

A few implementations carry their county's own element set with a deliberate deviation
(SEEDED_DEVIATIONS) for the two-level audit to find; a few more carry an element set that
matches the standard exactly (no deviation). Loading twice changes nothing.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from django.db import transaction

from banhao.catalog import services
from banhao.catalog.models import Status
from banhao.org.api import department_names

from .city import ACTOR, CATALOG_COUNTIES, OPENING_HOURS

DATA = Path(__file__).with_name("catalog.json")
CITY = "371300"
COUNTY_NAMES = {"371302": "兰山区", "371311": "罗庄区", "371312": "河东区", "371321": "沂南县"}


def _more_days(c):
    c["promised_days"] += 2
    c["case_type"] = "promised"


def _drop_last_material(c):
    c["materials"] = c["materials"][:-1]


def _add_fee(c):
    c["fee"] = {
        "free": False,
        "lines": [{"name": "工本费", "standard": "10元/件", "basis": "县物价文件", "reduction": ""}],
    }


def _rename(c):
    c["name"] = c["name"].replace("住房公积金", "公积金")
    c["sub_item_name"] = c["sub_item_name"].replace("住房公积金", "公积金")


def _other_article(c):
    c["legal_bases"] = [{**c["legal_bases"][0], "article": "第十条"}, *c["legal_bases"][1:]]


# (item name, region code, change, element the audit must report)
SEEDED_DEVIATIONS = [
    ("食品经营许可", "371302", _more_days, "promised_days"),
    ("企业设立登记", "371321", _drop_last_material, "materials"),
    ("公共场所卫生许可", "371311", _add_fee, "fee"),
    ("住房公积金提取", "371312", _rename, "name"),
    ("住房公积金提取", "371312", lambda c: None, "sub_item_name"),  # the same rename touches both names
    ("建筑工程施工许可证核发", "371302", _other_article, "legal_bases"),
]
# Items whose county list was imported with the standard's own elements: declared, compliant.
COMPLIANT_DECLARED = [("社会保障卡申领", "371311"), ("城乡居民养老保险参保登记", "371312")]


def load_items() -> list[dict]:
    with DATA.open(encoding="utf-8") as f:
        return json.load(f)["items"]


def _county_department(city_department: str, county_code: str) -> str:
    county = COUNTY_NAMES[county_code]
    names = set(department_names(county_code))
    wanted = city_department.replace("临沂市", county, 1)
    return wanted if wanted in names else f"{county}行政审批服务局"


def _regions_for(level: str) -> list[str]:
    if level == "3":  # city-level powers: the city implements them alone
        return [CITY]
    if level in {"4", "5", "6"}:  # county and township powers
        return list(CATALOG_COUNTIES)
    return [CITY, *CATALOG_COUNTIES]


def _first_item_named(items: list[dict], name: str) -> dict:
    for item in items:
        if item["name"] == name:
            return item
    raise LookupError(name)


@transaction.atomic
def load() -> dict[str, int]:
    items = load_items()
    declared: dict[tuple[str, str], dict] = {}
    for name, region, change, _element in SEEDED_DEVIATIONS:
        key = (f"{(item := _first_item_named(items, name))['basic_code']}-{item['handling_code']}", region)
        content = declared.setdefault(key, copy.deepcopy(item))
        change(content)
    for name, region in COMPLIANT_DECLARED:
        item = _first_item_named(items, name)
        declared.setdefault((f"{item['basic_code']}-{item['handling_code']}", region), copy.deepcopy(item))

    counts = {"standards": 0, "implementations": 0}
    for data in items:
        version, _ = services.standard_save(actor=ACTOR, data=data, change_note="演示数据")
        if (
            version.status != Status.PUBLISHED
            and not version.item.versions.filter(status=Status.PUBLISHED).exists()
        ):
            services.version_publish(actor=ACTOR, version=version)
        counts["standards"] += 1
        code = version.item.code
        regions = _regions_for(data["level"])
        seeded_regions = {r for c, r in declared if c == code}
        if seeded_regions - set(regions):
            regions = [*regions, *sorted(seeded_regions - set(regions))]
        for region in regions:
            department = (
                data["department"] if region == CITY else _county_department(data["department"], region)
            )
            hall = "临沂市政务服务中心" if region == CITY else f"{COUNTY_NAMES[region]}政务服务中心"
            impl, _ = services.implementation_save(
                actor=ACTOR,
                standard=version.item,
                region_code=region,
                department=department,
                local={
                    "address": f"{hall}（演示地址）",
                    "phone": data.get("consult_phone", ""),
                    "office_hours": OPENING_HOURS,
                    "windows": "综合受理窗口",
                },
                declared=declared.get((code, region)),
            )
            if impl.status != Status.PUBLISHED and not services.implementation_deviations(impl):
                services.implementation_publish(actor=ACTOR, implementation=impl)
            counts["implementations"] += 1
    return counts


def expected_deviations() -> set[tuple[str, str, str]]:
    """(region code, item code, element) of every seeded deviation: what the audit must report."""
    items = load_items()
    out = set()
    for name, region, _change, element in SEEDED_DEVIATIONS:
        item = _first_item_named(items, name)
        out.add((region, f"{item['basic_code']}-{item['handling_code']}", element))
    return out
