"""Validation and canonical form of a standard text's content.

`validate_content(data)` checks one standard text's elements (as a dict, the shape of
banhao/demo/catalog.json) and returns the cleaned dict, or raises ValidationError whose
`error_dict` maps a path such as ``materials[2].name`` to Chinese messages. The services,
the Excel import and the demo loader all go through it, so a rule is written once.

`shared_elements(data)` gives the ten two-level elements in canonical form: what the
two-level audit compares.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError

from . import codes

_BASIC_CODE = re.compile(r"^[0-9A-Z]{1,12}$")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

MATERIAL_DEFAULTS = {
    "required": True,
    "medium": "paper",
    "copy": "原件",
    "copies": 1,
    "pages": None,
    "source": "申请人自备",
    "standard": "",
    "shared": False,
    "licence_type": "",
    "situation": "",
    "tolerated": False,
    "has_blank_form": False,
    "has_sample": False,
}
FIELD_DEFAULTS = {
    "required": True,
    "choices": [],
    "max_length": None,
    "help": "",
    "situation": "",
    "prefill": "",
}


class _Errors:
    def __init__(self):
        self.errors: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _text(data, key, errors, *, required=True, max_length=200, path=None) -> str:
    value = data.get(key, "")
    value = "" if value is None else str(value).strip()
    if required and not value:
        errors.add(path or key, "不能为空。")
    if len(value) > max_length:
        errors.add(path or key, f"不能超过{max_length}个字符。")
    return value


def _int(data, key, errors, *, required=True, minimum=0, maximum=10_000, path=None) -> int | None:
    value = data.get(key)
    if value in (None, ""):
        if required:
            errors.add(path or key, "不能为空。")
        return None
    try:
        number = int(value)
        if isinstance(value, float) and value != number:
            raise ValueError
    except (TypeError, ValueError):
        errors.add(path or key, "应为整数。")
        return None
    if not minimum <= number <= maximum:
        errors.add(path or key, f"应在{minimum}到{maximum}之间。")
    return number


def _bool(data, key, default=False) -> bool:
    value = data.get(key, default)
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "是", "y"}
    return bool(value)


def _choice(data, key, allowed, errors, *, path=None, label="") -> str:
    value = str(data.get(key, "") or "").strip()
    if value not in allowed:
        shown = "、".join(str(a) for a in allowed if a) or "（空）"
        errors.add(path or key, f"“{value}”不是有效的{label or '取值'}，可选：{shown}。")
    return value


def _list(data, key, errors) -> list:
    value = data.get(key) or []
    if not isinstance(value, list):
        errors.add(key, "应为列表。")
        return []
    return value


def validate_content(data: dict[str, Any]) -> dict[str, Any]:
    """Checks a standard text's elements and returns them cleaned (see the module doc)."""
    e = _Errors()
    out: dict[str, Any] = {}
    out["basic_code"] = _text(data, "basic_code", e, max_length=12).upper()
    if out["basic_code"] and not _BASIC_CODE.match(out["basic_code"]):
        e.add("basic_code", "基本编码只能由数字和大写字母组成，最长12位。")
    out["handling_code"] = _text(data, "handling_code", e, max_length=2)
    if out["handling_code"] and not re.fullmatch(r"\d{2}", out["handling_code"]):
        e.add("handling_code", "办理项编码应为两位数字。")
    out["name"] = _text(data, "name", e, max_length=100)
    out["sub_item_name"] = _text(data, "sub_item_name", e, required=False, max_length=100) or out["name"]
    out["handling_name"] = _text(data, "handling_name", e, required=False, max_length=50)
    out["item_type"] = _choice(data, "item_type", codes.ITEM_TYPES, e, label="事项类别")
    out["zone"] = _choice(data, "zone", codes.ZONES, e, label="功能区")
    out["department"] = _text(data, "department", e, max_length=100)
    out["level"] = _choice(data, "level", codes.LEVELS, e, label="行使层级")
    out["conditions"] = _text(data, "conditions", e, required=False, max_length=2000)
    out["result_name"] = _text(data, "result_name", e, max_length=100)
    out["result_is_licence"] = _bool(data, "result_is_licence")
    out["result_delivery"] = _text(data, "result_delivery", e, required=False, max_length=100)
    out["consult_phone"] = _text(data, "consult_phone", e, required=False, max_length=30)
    out["complaint_phone"] = _text(data, "complaint_phone", e, required=False, max_length=30)
    out["scope"] = _choice(data, "scope", codes.SCOPES, e, label="通办范围")

    objects = _list(data, "service_objects", e)
    bad = [o for o in objects if o not in codes.SERVICE_OBJECTS]
    if bad or not objects:
        e.add("service_objects", "服务对象至少选择一项，且只能是：" + "、".join(codes.SERVICE_OBJECTS) + "。")
    out["service_objects"] = [o for o in codes.SERVICE_OBJECTS if o in objects]
    themes = _list(data, "themes", e)
    allowed_themes = set(codes.PERSONAL_THEMES) | set(codes.LEGAL_THEMES)
    if any(t not in allowed_themes for t in themes):
        e.add("themes", "主题分类只能是：" + "、".join(sorted(allowed_themes)) + "。")
    out["themes"] = [t for t in dict.fromkeys(themes) if t in allowed_themes]
    out["keywords"] = [str(k).strip() for k in dict.fromkeys(_list(data, "keywords", e)) if str(k).strip()]

    # time limits and handling
    out["statutory_days"] = _int(data, "statutory_days", e, required=False, maximum=366)
    out["promised_days"] = _int(data, "promised_days", e, maximum=366)
    if out["statutory_days"] is not None and out["promised_days"] is not None:
        if out["promised_days"] > out["statutory_days"]:
            e.add(
                "promised_days",
                f"承诺时限（{out['promised_days']}个工作日）不得超过法定时限（{out['statutory_days']}个工作日）。",
            )
    out["case_type"] = _choice(data, "case_type", codes.CASE_TYPES, e, label="办件类型")
    if out["case_type"] == "immediate" and out["promised_days"] not in (0, None):
        e.add("case_type", "即办件的承诺时限应为0（当场办结）。")
    if out["case_type"] == "promised" and out["promised_days"] == 0:
        e.add("case_type", "承诺时限为0的事项应为即办件。")
    out["visits"] = _int(data, "visits", e, maximum=5)
    out["visit_reason"] = _text(data, "visit_reason", e, required=False, max_length=200)
    out["online_depth"] = _choice(data, "online_depth", codes.ONLINE_DEPTHS, e, label="网上办理深度")
    out["booking"], out["post"], out["online_payment"] = (
        _bool(data, "booking"),
        _bool(data, "post"),
        _bool(data, "online_payment"),
    )
    if out["visits"] and not out["visit_reason"]:
        e.add("visit_reason", "到现场次数大于0时必须说明原因。")
    if out["online_depth"] == "4" and out["visits"]:
        e.add("visits", "全程网办的事项到现场次数应为0。")
    if out["visits"] == 0 and out["online_depth"] in {"1", "2", "3"} and not out["post"]:
        e.add("post", "零跑腿但不能全程网办的事项必须支持物流快递。")

    # situations first: materials and fields refer to them
    situations, keys = [], set()
    for i, s in enumerate(_list(data, "situations", e)):
        p = f"situations[{i}]"
        key = _text(s, "key", e, path=f"{p}.key", max_length=40)
        if key and not _KEY.match(key):
            e.add(f"{p}.key", "情形编码只能用小写字母、数字和下划线，以字母开头。")
        if key in keys:
            e.add(f"{p}.key", f"情形编码“{key}”重复。")
        keys.add(key)
        situations.append(
            {
                "key": key,
                "question": _text(s, "question", e, path=f"{p}.question"),
                "answer": _text(s, "answer", e, required=False, path=f"{p}.answer", max_length=50),
            }
        )
    out["situations"] = situations

    bases = []
    for i, b in enumerate(_list(data, "legal_bases", e)):
        p = f"legal_bases[{i}]"
        bases.append(
            {
                "law": _text(b, "law", e, path=f"{p}.law"),
                "article": _text(b, "article", e, required=False, path=f"{p}.article", max_length=50),
                "text": _text(b, "text", e, required=False, path=f"{p}.text", max_length=2000),
            }
        )
    if not bases:
        e.add("legal_bases", "至少需要一条设立依据。")
    out["legal_bases"] = bases

    materials, names = [], set()
    for i, m in enumerate(_list(data, "materials", e)):
        p = f"materials[{i}]"
        row = {**MATERIAL_DEFAULTS, **{k: v for k, v in m.items() if v is not None or k == "pages"}}
        item = {
            "name": _text(row, "name", e, path=f"{p}.name"),
            "required": _bool(row, "required", True),
            "medium": _choice(row, "medium", codes.MEDIA, e, path=f"{p}.medium", label="材料形式"),
            "copy": _choice(row, "copy", codes.COPY_KINDS, e, path=f"{p}.copy", label="原件/复印件"),
            "copies": _int(row, "copies", e, path=f"{p}.copies", minimum=1, maximum=99),
            "pages": _int(row, "pages", e, required=False, path=f"{p}.pages", minimum=1, maximum=9999),
            "source": _choice(row, "source", codes.SOURCES, e, path=f"{p}.source", label="来源渠道"),
            "standard": _text(row, "standard", e, required=False, path=f"{p}.standard", max_length=500),
            "shared": _bool(row, "shared"),
            "licence_type": _text(
                row, "licence_type", e, required=False, path=f"{p}.licence_type", max_length=50
            ),
            "situation": _text(row, "situation", e, required=False, path=f"{p}.situation", max_length=40),
            "tolerated": _bool(row, "tolerated"),
            "has_blank_form": _bool(row, "has_blank_form"),
            "has_sample": _bool(row, "has_sample"),
        }
        if item["name"] in names:
            e.add(f"{p}.name", f"材料“{item['name']}”重复。")
        names.add(item["name"])
        if item["situation"] and item["situation"] not in keys:
            e.add(f"{p}.situation", f"情形“{item['situation']}”未定义。")
        materials.append(item)
    if not materials:
        e.add("materials", "至少需要一项申请材料。")
    out["materials"] = materials

    steps, total = [], 0
    for i, s in enumerate(_list(data, "steps", e)):
        p = f"steps[{i}]"
        share = _int(s, "share", e, path=f"{p}.share", maximum=100) or 0
        total += share
        steps.append(
            {
                "name": _text(s, "name", e, path=f"{p}.name", max_length=50),
                "role": _text(s, "role", e, path=f"{p}.role", max_length=50),
                "share": share,
            }
        )
    if not steps:
        e.add("steps", "至少需要一个办理环节。")
    elif total != 100:
        e.add("steps", f"各环节时限占比之和应为100%，当前为{total}%。")
    out["steps"] = steps

    fee = data.get("fee") or {"free": True}
    if not isinstance(fee, dict):
        e.add("fee", "收费信息格式不正确。")
        fee = {"free": True}
    if _bool(fee, "free", True) and not fee.get("lines"):
        out["fee"] = {"free": True, "lines": []}
    else:
        lines = []
        for i, f in enumerate(fee.get("lines") or []):
            p = f"fee.lines[{i}]"
            lines.append(
                {
                    "name": _text(f, "name", e, path=f"{p}.name"),
                    "standard": _text(f, "standard", e, path=f"{p}.standard"),
                    "basis": _text(f, "basis", e, path=f"{p}.basis"),
                    "reduction": _text(f, "reduction", e, required=False, path=f"{p}.reduction"),
                }
            )
        if not lines:
            e.add("fee", "收费事项至少需要一条收费项目；不收费请标注“不收费”。")
        out["fee"] = {"free": False, "lines": lines}

    fields, field_keys = [], set()
    for i, f in enumerate(_list(data, "form_fields", e)):
        p = f"form_fields[{i}]"
        row = {**FIELD_DEFAULTS, **{k: v for k, v in f.items() if v is not None}}
        key = _text(row, "key", e, path=f"{p}.key", max_length=40)
        if key and not _KEY.match(key):
            e.add(f"{p}.key", "字段编码只能用小写字母、数字和下划线，以字母开头。")
        if key in field_keys:
            e.add(f"{p}.key", f"字段编码“{key}”重复。")
        field_keys.add(key)
        ftype = _choice(row, "type", codes.FIELD_TYPES, e, path=f"{p}.type", label="字段类型")
        choices = [str(c).strip() for c in (row.get("choices") or []) if str(c).strip()]
        if ftype == "choice" and len(choices) < 2:
            e.add(f"{p}.choices", "选项字段至少需要两个选项。")
        field = {
            "key": key,
            "label": _text(row, "label", e, path=f"{p}.label", max_length=50),
            "type": ftype,
            "required": _bool(row, "required", True),
            "choices": choices if ftype == "choice" else [],
            "max_length": _int(
                row, "max_length", e, required=False, path=f"{p}.max_length", minimum=1, maximum=5000
            ),
            "help": _text(row, "help", e, required=False, path=f"{p}.help", max_length=200),
            "situation": _text(row, "situation", e, required=False, path=f"{p}.situation", max_length=40),
            "prefill": _choice(
                row, "prefill", codes.PREFILL_SOURCES, e, path=f"{p}.prefill", label="预填来源"
            ),
        }
        if field["situation"] and field["situation"] not in keys:
            e.add(f"{p}.situation", f"情形“{field['situation']}”未定义。")
        fields.append(field)
    if not fields:
        e.add("form_fields", "至少需要一个表单字段。")
    out["form_fields"] = fields

    faq = []
    for i, q in enumerate(_list(data, "faq", e)):
        p = f"faq[{i}]"
        faq.append(
            {
                "q": _text(q, "q", e, path=f"{p}.q", max_length=200),
                "a": _text(q, "a", e, path=f"{p}.a", max_length=2000),
            }
        )
    out["faq"] = faq
    e.raise_if_any()
    return out


def shared_elements(content: dict[str, Any]) -> dict[str, Any]:
    """The ten two-level elements of cleaned content, in canonical (comparable) form."""
    return {key: content.get(key) for key in codes.SHARED_ELEMENTS}


def element_diff(standard: dict[str, Any], declared: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(element, standard value, declared value) for each of the ten elements that differ."""
    ours, theirs = shared_elements(standard), shared_elements(declared)
    return [(k, ours[k], theirs[k]) for k in codes.SHARED_ELEMENTS if ours[k] != theirs[k]]
