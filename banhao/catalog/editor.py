"""A table editor for the list elements of a standard text, usable without JavaScript.

Each list (materials, steps, …) is described by columns. `rows_from_post` reads the
submitted table back into dicts (blank rows dropped, rows marked 删除 dropped) and keeps
the map from the position in the cleaned list to the row on screen, so an error at
``materials[2].name`` is shown on the row the officer typed it in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import codes


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"  # text | textarea | number | bool | select | list
    options: tuple[tuple[str, str], ...] = ()
    width: str = ""  # css class suffix: s / m / l


@dataclass(frozen=True)
class ListSpec:
    name: str
    label: str
    columns: tuple[Column, ...]
    help: str = ""


def _opts(mapping) -> tuple[tuple[str, str], ...]:
    if isinstance(mapping, dict):
        return tuple(mapping.items())
    return tuple((v, v or "（无）") for v in mapping)


YES_NO = (("1", "是"), ("", "否"))
LISTS: tuple[ListSpec, ...] = (
    ListSpec(
        "legal_bases",
        "设立依据",
        (
            Column("law", "法律法规名称", width="l"),
            Column("article", "条款", width="s"),
            Column("text", "条款内容", "textarea", width="l"),
        ),
    ),
    ListSpec(
        "situations",
        "情形",
        (
            Column("key", "情形编码", width="s"),
            Column("question", "情形问题", width="l"),
            Column("answer", "触发答案", width="s"),
        ),
        help="情形编码由小写字母、数字、下划线组成；材料和表单字段可填写情形编码，只在该情形下需要。",
    ),
    ListSpec(
        "materials",
        "申请材料",
        (
            Column("name", "材料名称", width="l"),
            Column("required", "必要", "bool"),
            Column("medium", "形式", "select", _opts(codes.MEDIA)),
            Column("copy", "原件/复印件", "select", _opts(codes.COPY_KINDS)),
            Column("copies", "份数", "number", width="s"),
            Column("pages", "页数", "number", width="s"),
            Column("source", "来源", "select", _opts(codes.SOURCES)),
            Column("standard", "受理标准", "textarea", width="l"),
            Column("shared", "共享免提交", "bool"),
            Column("licence_type", "对应证照", width="m"),
            Column("situation", "情形", width="s"),
            Column("tolerated", "容缺", "bool"),
            Column("has_blank_form", "空白表格", "bool"),
            Column("has_sample", "示例样表", "bool"),
        ),
    ),
    ListSpec(
        "steps",
        "办理流程",
        (
            Column("name", "环节", width="m"),
            Column("role", "办理岗位", width="m"),
            Column("share", "时限占比（%）", "number", width="s"),
        ),
        help="各环节时限占比之和应为100%。",
    ),
    ListSpec(
        "fee_lines",
        "收费项目",
        (
            Column("name", "收费项目", width="m"),
            Column("standard", "收费标准", width="m"),
            Column("basis", "收费依据", width="l"),
            Column("reduction", "减免政策", width="m"),
        ),
        help="不收费的事项不填。",
    ),
    ListSpec(
        "form_fields",
        "表单字段",
        (
            Column("key", "字段编码", width="s"),
            Column("label", "字段名称", width="m"),
            Column("type", "类型", "select", _opts(codes.FIELD_TYPES)),
            Column("required", "必填", "bool"),
            Column("choices", "选项（用“、”分隔）", "list", width="m"),
            Column("max_length", "最大长度", "number", width="s"),
            Column("help", "填写说明", width="m"),
            Column("situation", "情形", width="s"),
            Column("prefill", "预填来源", "select", _opts(codes.PREFILL_SOURCES)),
        ),
    ),
    ListSpec("faq", "常见问题", (Column("q", "问题", width="l"), Column("a", "解答", "textarea", width="l"))),
)
LIST_BY_NAME = {spec.name: spec for spec in LISTS}


def _cell_value(column: Column, raw: str) -> Any:
    raw = (raw or "").strip()
    if column.kind == "bool":
        return raw == "1"
    if column.kind == "number":
        return raw or None
    if column.kind == "list":
        return [p.strip() for p in raw.replace(",", "、").replace("，", "、").split("、") if p.strip()]
    return raw


def _display(column: Column, value: Any) -> str:
    if column.kind == "bool":
        return "1" if value else ""
    if column.kind == "list":
        return "、".join(value or [])
    return "" if value is None else str(value)


@dataclass
class EditorRow:
    index: int
    cells: list[tuple[Column, str, list[str]]]  # column, value shown, errors
    deleted: bool = False
    errors: list[str] = field(default_factory=list)


@dataclass
class EditorTable:
    spec: ListSpec
    rows: list[EditorRow]
    errors: list[str]


def rows_from_post(post, spec: ListSpec) -> tuple[list[dict[str, Any]], list[int], list[dict[str, str]]]:
    """(values for the content, screen row of each value, raw rows to redisplay)."""
    try:
        total = min(int(post.get(f"{spec.name}-TOTAL", "0")), 500)
    except ValueError:
        total = 0
    values, positions, raw_rows = [], [], []
    for i in range(total):
        raw = {c.key: post.get(f"{spec.name}-{i}-{c.key}", "") for c in spec.columns}
        raw["_delete"] = post.get(f"{spec.name}-{i}-_delete", "")
        raw_rows.append(raw)
        if raw["_delete"] or not any(str(raw[c.key]).strip() for c in spec.columns if c.kind != "bool"):
            continue
        values.append({c.key: _cell_value(c, raw[c.key]) for c in spec.columns})
        positions.append(i)
    return values, positions, raw_rows


def table(spec: ListSpec, *, values=None, raw_rows=None, positions=None, errors=None, extra=1) -> EditorTable:
    """Builds a table for display: from saved values, or from what was posted (with errors)."""
    errors = errors or {}
    if raw_rows is None:
        raw_rows = [{c.key: _display(c, v.get(c.key)) for c in spec.columns} for v in (values or [])]
        positions = list(range(len(raw_rows)))
    by_row: dict[int, dict[str, list[str]]] = {}
    general: list[str] = []
    prefix = "fee.lines" if spec.name == "fee_lines" else spec.name
    for path, messages in errors.items():
        if path == prefix or path == spec.name:
            general.extend(messages)
            continue
        if not path.startswith(prefix + "["):
            continue
        index = int(path[len(prefix) + 1 : path.index("]")])
        column = path.split(".")[-1]
        row = positions[index] if positions and index < len(positions) else index
        by_row.setdefault(row, {}).setdefault(column, []).extend(messages)
    rows = []
    for i, raw in enumerate([*raw_rows, *({} for _ in range(extra))]):
        cells = [(c, str(raw.get(c.key, "") or ""), by_row.get(i, {}).get(c.key, [])) for c in spec.columns]
        rows.append(EditorRow(index=i, cells=cells, deleted=bool(raw.get("_delete"))))
    return EditorTable(spec=spec, rows=rows, errors=general)
