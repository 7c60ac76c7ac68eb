"""The demo catalog (catalog.json) obeys the rules of the standard texts.

Pure data checks: the JSON is loaded with json.load, no database is needed.
"""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from banhao.catalog import codes
from banhao.demo.city import CITY_DEPARTMENTS

CATALOG = Path(__file__).resolve().parent.parent / "catalog.json"

# The allowed values are the platform's own code tables (one source of truth).
ZONES = set(codes.ZONES)
ITEM_TYPES = set(codes.HALL_ITEM_TYPES)
DEPARTMENTS = {name for name, _short, _kind in CITY_DEPARTMENTS}
LEVELS = set(codes.LEVELS)
SERVICE_OBJECTS = set(codes.SERVICE_OBJECTS)
THEMES = set(codes.PERSONAL_THEMES) | set(codes.LEGAL_THEMES)
MEDIA = set(codes.MEDIA)
COPY_KINDS = set(codes.COPY_KINDS)
SOURCES = set(codes.SOURCES)
FIELD_TYPES = set(codes.FIELD_TYPES)
PREFILLS = set(codes.PREFILL_SOURCES)
SCOPES = set(codes.SCOPES)
ONLINE_DEPTHS = set(codes.ONLINE_DEPTHS)
REQUIRED_NAMES = [
    "企业设立登记",
    "个体工商户登记",
    "食品经营许可",
    "公共场所卫生许可",
    "建设工程规划许可证核发",
    "建筑工程施工许可证核发",
    "不动产转移登记",
    "住房公积金提取",
    "社会保障卡申领",
    "城乡居民养老保险参保登记",
    "最低生活保障审核确认",
    "城镇污水排入排水管网许可",
]
HAN = re.compile(r"[\u4e00-\u9fff]")
ARTICLE = re.compile(r"^第[零一二三四五六七八九十百千]+条")


def load():
    with CATALOG.open(encoding="utf-8") as fh:
        return json.load(fh)


DATA = load()
ITEMS = DATA["items"]


def by_item():
    return pytest.mark.parametrize("item", ITEMS, ids=[i["code"] for i in ITEMS])


def test_top_level_shape_and_size():
    assert set(DATA) == {"version", "items"}
    assert DATA["version"] == 1
    assert len(ITEMS) >= 64
    zones = Counter(i["zone"] for i in ITEMS)
    assert set(zones) == ZONES
    for zone in ZONES:
        assert zones[zone] >= 8, zone


def test_codes_are_unique_and_well_formed():
    codes = [i["code"] for i in ITEMS]
    assert len(codes) == len(set(codes))
    for item in ITEMS:
        assert re.fullmatch(r"[0-9A-Z]+", item["basic_code"]), item["code"]
        assert len(item["basic_code"]) <= 12, item["code"]
        assert re.fullmatch(r"\d{2}", item["handling_code"]), item["code"]
        assert item["code"] == f"{item['basic_code']}-{item['handling_code']}"


def test_handling_items_of_one_basic_code_share_the_item_elements():
    groups = {}
    for item in ITEMS:
        key = (item["name"], item["sub_item_name"], item["item_type"], item["department"])
        groups.setdefault(item["basic_code"], set()).add(key)
    assert all(len(v) == 1 for v in groups.values()), groups


def test_required_items_are_present():
    names = {i["name"] for i in ITEMS}
    for name in REQUIRED_NAMES:
        assert name in names, name
    setup = [i for i in ITEMS if i["name"] == "个体工商户登记" and i["handling_name"] == "设立"]
    assert setup, "个体工商户登记 / 设立"
    assert "个体工商户设立登记" in setup[0]["keywords"]
    (dibao,) = [i for i in ITEMS if i["name"] == "最低生活保障审核确认"]
    assert "低保" in dibao["keywords"]
    for name in ("企业设立登记", "个体工商户登记"):
        assert any("营业执照" in i["keywords"] for i in ITEMS if i["name"] == name), name
    all_keywords = {k for i in ITEMS for k in i["keywords"]}
    assert {"低保", "营业执照"} <= all_keywords
    (pension,) = [i for i in ITEMS if i["name"] == "城乡居民养老保险参保登记"]
    assert pension["item_type"] == "20"
    assert pension["case_type"] == "immediate"
    assert pension["visits"] == 0


@by_item()
def test_classification_uses_the_code_tables(item):
    assert item["zone"] in ZONES
    assert item["item_type"] in ITEM_TYPES
    assert item["department"] in DEPARTMENTS
    assert item["level"] in LEVELS
    assert item["service_objects"]
    assert set(item["service_objects"]) <= SERVICE_OBJECTS
    assert item["themes"]
    assert set(item["themes"]) <= THEMES
    assert item["scope"] in SCOPES
    assert item["online_depth"] in ONLINE_DEPTHS
    assert re.fullmatch(r"0539-\d{7}", item["consult_phone"])
    assert item["complaint_phone"] == "12345"


@by_item()
def test_texts_are_chinese_and_complete(item):
    for key in ("name", "sub_item_name", "conditions", "result_name", "result_delivery"):
        assert HAN.search(item[key]), key
    assert len(item["keywords"]) >= 2
    assert all(HAN.search(k) for k in item["keywords"])
    assert len(set(item["keywords"])) == len(item["keywords"])
    assert 1 <= len(item["faq"]) <= 3
    for qa in item["faq"]:
        assert HAN.search(qa["q"]) and HAN.search(qa["a"])


@by_item()
def test_legal_bases(item):
    assert len(item["legal_bases"]) >= 1
    for basis in item["legal_bases"]:
        assert HAN.search(basis["law"])
        assert ARTICLE.match(basis["article"]), basis["article"]
        assert HAN.search(basis["text"])


@by_item()
def test_time_limits_and_case_type(item):
    promised, statutory = item["promised_days"], item["statutory_days"]
    assert isinstance(promised, int) and promised >= 0
    assert (item["case_type"] == "immediate") == (promised == 0)
    assert item["case_type"] in {"immediate", "promised"}
    if statutory is not None:
        assert isinstance(statutory, int) and statutory > 0
        assert promised <= statutory


@by_item()
def test_visits_and_online_service(item):
    visits = item["visits"]
    assert visits in (0, 1, 2)
    if item["online_depth"] == "4":
        assert visits == 0
    if visits > 0:
        assert HAN.search(item["visit_reason"])
    else:
        assert item["visit_reason"] == ""
        if item["online_depth"] < "4":
            assert item["post"] is True
    for flag in ("booking", "post", "online_payment", "result_is_licence"):
        assert isinstance(item[flag], bool), flag


@by_item()
def test_steps_share_the_whole_time_limit(item):
    steps = item["steps"]
    assert 3 <= len(steps) <= 6
    assert sum(s["share"] for s in steps) == 100
    assert all(s["share"] > 0 and s["name"] and s["role"] for s in steps)


@by_item()
def test_fee(item):
    fee = item["fee"]
    if fee["free"]:
        assert fee == {"free": True}
    else:
        assert fee["lines"]
        for line in fee["lines"]:
            assert set(line) == {"name", "standard", "basis", "reduction"}
            assert line["name"] and line["standard"] and line["basis"]


@by_item()
def test_materials(item):
    keys = {s["key"] for s in item["situations"]}
    assert len(item["situations"]) <= 3
    assert len(keys) == len(item["situations"])
    for situation in item["situations"]:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", situation["key"])
        assert HAN.search(situation["question"]) and situation["answer"]
    materials = item["materials"]
    assert 3 <= len(materials) <= 8
    assert len({m["name"] for m in materials}) == len(materials)
    for m in materials:
        assert HAN.search(m["name"]) and HAN.search(m["standard"])
        assert isinstance(m["required"], bool)
        assert m["medium"] in MEDIA
        assert m["copy"] in COPY_KINDS
        assert isinstance(m["copies"], int) and m["copies"] >= 1
        assert m["pages"] is None or (isinstance(m["pages"], int) and m["pages"] > 0)
        assert m["source"] in SOURCES
        for flag in ("shared", "tolerated", "has_blank_form", "has_sample"):
            assert isinstance(m[flag], bool), flag
        if m["licence_type"]:
            assert m["shared"], m["name"]
        assert m["situation"] == "" or m["situation"] in keys, m["name"]


@by_item()
def test_form_fields(item):
    keys = {s["key"] for s in item["situations"]}
    fields = item["form_fields"]
    assert 4 <= len(fields) <= 12
    assert len({f["key"] for f in fields}) == len(fields)
    for f in fields:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", f["key"]), f["key"]
        assert HAN.search(f["label"])
        assert f["type"] in FIELD_TYPES
        assert isinstance(f["required"], bool)
        if f["type"] == "choice":
            assert len(f["choices"]) >= 1
        else:
            assert "choices" not in f
        assert f["max_length"] is None or (isinstance(f["max_length"], int) and f["max_length"] > 0)
        assert f["situation"] == "" or f["situation"] in keys, f["key"]
        assert f["prefill"] in PREFILLS
    assert any(f["prefill"] for f in fields), "the applicant's identity is prefilled"


def test_every_demo_item_passes_the_platforms_own_content_validation():
    """The same validator the catalog services and the Excel import use (no database needed)."""
    from django.core.exceptions import ValidationError

    from banhao.catalog.content import validate_content

    failures = {}
    for item in json.loads(CATALOG.read_text(encoding="utf-8"))["items"]:
        try:
            validate_content(item)
        except ValidationError as e:
            failures[item["code"]] = e.message_dict
    assert failures == {}
