"""Excel (.xlsx) import and export of the licence catalog (证照目录).

Two sheets: 「证照类型」 (one row per type) and 「照面项」 (one row per face field, linked to its
type by 证照类型代码), plus a 「说明」 sheet. The layout follows the catalog's workbook
(banhao.catalog.excel): Chinese headers with notes, 是/否 columns, codes kept as text.

``licence_types_import(file, actor=…)`` (a binary stream: an upload, or a file a command opened) reads the whole workbook, checks every row (the
service's own validation, run inside a savepoint that is rolled back), and writes only when
nothing at all is wrong, in one transaction, through ``services.licence_type_upsert``. Every
error names the sheet, the Excel row and the column. A file that is not a workbook, or one
whose sheets or headers are not those of the export, is refused with a clear message and
nothing changes. ``licence_types_export()`` writes the catalog in the same layout: exporting
and importing again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from banhao.catalog.api import standard_item_ids
from banhao.core.identifiers import normalize_licence_type_code

from . import services
from .models import HolderKind, LicenceType, Validity

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
NOT_XLSX = "文件不是有效的Excel（.xlsx）工作簿。"
YES, NO = "是", "否"
_LIST_SPLIT = re.compile(r"[、,，;；\n]")
HOLDER_KINDS = {label: value for value, label in HolderKind.choices}
VALIDITIES = {label: value for value, label in Validity.choices}

TYPES_TITLE, FIELDS_TITLE, GUIDE_TITLE = "证照类型", "照面项", "说明"
# (header, key, width, note)
TYPE_COLUMNS = (
    ("证照名称", "name", 22, ""),
    ("证照类型代码", "code", 24, "21位：定义机构的统一社会信用代码（18位）+ 3位顺序码"),
    ("定义机构", "authority_name", 24, ""),
    ("持证主体类别", "holder_kind", 14, "可填：" + "、".join(HOLDER_KINDS)),
    ("有效期规则", "validity", 18, "可填：" + "、".join(VALIDITIES)),
    ("有效年限", "validity_years", 8, "有效期规则为“固定年限”时填写（1至50）"),
    ("有效期字段", "validity_field", 16, "有效期规则为“以申请表所填日期为准”时填写申请表字段编码"),
    ("可同时持有多本", "several_allowed", 10, "填“是”或“否”"),
    ("产生此证照的事项编码", "item_codes", 30, "用“、”或“,”分隔；基本编码（含其全部办理项）或完整事项编码"),
    ("材料名称别名", "aliases", 20, "申请材料中对这种证照的其他叫法，用“、”分隔"),
)
FIELD_COLUMNS = (
    ("证照类型代码", "type_code", 24, "「证照类型」表中的证照类型代码"),
    ("标识", "key", 18, "小写字母开头的字母、数字或下划线"),
    ("名称", "label", 20, ""),
    ("类型", "kind", 10, "可填：text、date、number、code"),
    ("必填", "required", 8, "填“是”或“否”"),
    ("公开", "public", 8, "核验页是否显示；填“是”或“否”"),
    (
        "取值来源",
        "sources",
        36,
        "申请表字段编码，用“、”分隔，取第一个有值的；holder.name、holder.code 为持证主体名称、代码",
    ),
)
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


# --- export -----------------------------------------------------------------------------------


def _write(ws, row: int, col: int, value: Any):
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text, never a formula
        cell.number_format = "@"
    return cell


def _sheet(wb: Workbook, title: str, columns, rows) -> None:
    ws = wb.create_sheet(title)
    for col, (header, _key, width, note) in enumerate(columns, start=1):
        cell = _write(ws, 1, col, header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        if note:
            cell.comment = Comment(note, "办好", width=320, height=40 + 18 * (len(note) // 18))
        ws.column_dimensions[get_column_letter(col)].width = width
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            _write(ws, r, c, value)
    ws.freeze_panes = "B2"


def _item_codes(licence_type: LicenceType) -> list[str]:
    """The type's items, a basic code standing for all its handling items when it has them all."""
    items = sorted(licence_type.items.values_list("basic_code", "code"))
    out: list[str] = []
    for basic in dict.fromkeys(b for b, _ in items):
        mine = [c for b, c in items if b == basic]
        if len(mine) == len(standard_item_ids(basic)):
            out.append(basic)
        else:
            out.extend(mine)
    return out


def licence_types_export() -> bytes:
    """The licence catalog as an .xlsx workbook (the layout licence_types_import reads)."""
    types = LicenceType.objects.prefetch_related("items").order_by("code")
    type_rows, field_rows = [], []
    for t in types:
        type_rows.append(
            [
                t.name,
                t.code,
                t.authority_name,
                t.get_holder_kind_display(),
                t.get_validity_display(),
                t.validity_years if t.validity == Validity.YEARS else None,
                t.validity_field,
                YES if t.several_allowed else NO,
                "、".join(_item_codes(t)),
                "、".join(t.aliases or []),
            ]
        )
        for f in t.fields:
            field_rows.append(
                [
                    t.code,
                    f["key"],
                    f.get("label", ""),
                    f.get("kind", "text"),
                    YES if f.get("required") else NO,
                    YES if f.get("public") else NO,
                    "、".join(f.get("sources") or []),
                ]
            )
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(wb, TYPES_TITLE, TYPE_COLUMNS, type_rows)
    _sheet(wb, FIELDS_TITLE, FIELD_COLUMNS, field_rows)
    guide = [
        ("使用方法", ""),
        ("证照类型", "每行一种证照；以“证照类型代码”识别，已有的更新，没有的新建。"),
        ("照面项", "每行一个照面项，用“证照类型代码”关联到「证照类型」表；同一证照的照面项按表中顺序排列。"),
        ("导入规则", "先检查整个工作簿，有任何错误都不导入任何数据；错误逐一列出所在工作表、行和列。"),
        ("未列出的证照", "工作簿中没有的证照类型保持不变（不会被删除）。"),
    ]
    _sheet(wb, GUIDE_TITLE, (("项目", "", 16, ""), ("说明", "", 90, "")), guide)
    wb.active = 0
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- import -----------------------------------------------------------------------------------


@dataclass
class ImportReport:
    errors: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def summary(self) -> str:
        if self.errors:
            return f"导入失败：发现{len(self.errors)}处错误，未导入任何数据。"
        return f"导入完成：证照类型新建{self.created}种、更新{self.updated}种、未变化{self.unchanged}种。"


class _Refused(Exception):
    pass


def _read_bytes(source) -> bytes:
    """The bytes of a binary stream (an upload, a file the command opened), at most the limit."""
    size = getattr(source, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        raise _Refused("文件超过10 MB，不予导入。")
    if hasattr(source, "seek"):
        source.seek(0)
    data = source.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _Refused("文件超过10 MB，不予导入。")
    return data


def _open(data: bytes):
    if not data.startswith(b"PK\x03\x04"):
        raise _Refused(NOT_XLSX)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise _Refused("文件解压后过大，不予导入。")
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _Refused:
        raise
    except Exception as exc:  # openpyxl and zipfile raise many kinds on a file that is not xlsx
        raise _Refused(NOT_XLSX) from exc


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


@dataclass
class _Row:
    number: int
    cells: dict[str, str]


def _rows(ws, title: str, columns, errors: list[str]) -> list[_Row] | None:
    rows = ws.iter_rows(values_only=True)
    header = [_plain(h) for h in (next(rows, None) or ())]
    known = {h: k for h, k, _w, _n in columns}
    positions: dict[str, int] = {}
    usable = True
    for i, name in enumerate(header):
        if not name:
            continue
        if name not in known:
            errors.append(f"「{title}」第1行：无法识别的列「{name}」，请使用导出模板中的列名。")
            usable = False
        elif known[name] in positions:
            errors.append(f"「{title}」第1行：列「{name}」重复。")
            usable = False
        else:
            positions[known[name]] = i
    for header_name, key, _w, _n in columns:
        if key not in positions:
            errors.append(f"「{title}」第1行：缺少列「{header_name}」。")
            usable = False
    if not usable:
        return None
    out = []
    for number, values in enumerate(rows, start=2):
        cells = {k: _plain(values[i]) if i < len(values) else "" for k, i in positions.items()}
        if any(cells.values()):
            out.append(_Row(number, cells))
    return out


def _bool(row: _Row, key: str, where, errors: list[str]) -> bool:
    text = row.cells.get(key, "")
    if text in ("", NO):
        return False
    if text == YES:
        return True
    errors.append(where(key) + f"应填写“是”或“否”，不能是“{text}”。")
    return False


def _split(text: str) -> list[str]:
    return [p.strip() for p in _LIST_SPLIT.split(text or "") if p.strip()]


_HEADERS = {k: h for h, k, _w, _n in TYPE_COLUMNS} | {
    "fields": "证照类型代码",
    "items": "产生此证照的事项编码",
}
_FIELD_HEADERS = {k: h for h, k, _w, _n in FIELD_COLUMNS}


def _specs(types: list[_Row], fields: list[_Row], errors: list[str]):
    """(row, spec for licence_type_upsert) per type row, and the face field rows by type code."""
    by_code: dict[str, list[_Row]] = {}
    for row in fields:
        by_code.setdefault(row.cells.get("type_code", "").upper(), []).append(row)
    specs, seen = [], {}
    for row in types:

        def where(key, row=row):
            return f"「{TYPES_TITLE}」第{row.number}行「{_HEADERS[key]}」："

        c = row.cells
        code = c.get("code", "").upper()
        if not code:
            errors.append(where("code") + "不能为空。")
        elif code in seen:
            errors.append(where("code") + f"与第{seen[code]}行重复。")
            continue
        seen[code] = row.number
        holder_kind = HOLDER_KINDS.get(c.get("holder_kind", ""), c.get("holder_kind", ""))
        if holder_kind not in HolderKind.values:
            errors.append(where("holder_kind") + "应为“自然人”或“法人及其他组织”。")
        validity = VALIDITIES.get(c.get("validity", ""), c.get("validity", "")) or Validity.LONG_TERM
        if validity not in Validity.values:
            errors.append(where("validity") + "应为“长期有效”“固定年限”或“以申请表所填日期为准”。")
        years = c.get("validity_years", "")
        if years and not years.isdigit():
            errors.append(where("validity_years") + "应为整数。")
            years = ""
        face = []
        for frow in by_code.get(code, []):

            def fwhere(key, frow=frow):
                return f"「{FIELDS_TITLE}」第{frow.number}行「{_FIELD_HEADERS[key]}」："

            fc = frow.cells
            single = {
                "key": fc.get("key", ""),
                "label": fc.get("label", ""),
                "kind": fc.get("kind", "") or "text",
            }
            try:
                services.fields_check([single])
            except ValidationError as exc:
                column = (
                    "label" if "名称" in exc.messages[0] else "kind" if "类型" in exc.messages[0] else "key"
                )
                errors.append(fwhere(column) + exc.messages[0].replace("第1个照面项的", ""))
            if any(f["key"] == single["key"] for f in face) and single["key"]:
                errors.append(fwhere("key") + f"照面项标识“{single['key']}”在同一证照中重复。")
            face.append(
                {
                    "key": fc.get("key", ""),
                    "label": fc.get("label", ""),
                    "kind": fc.get("kind", "") or "text",
                    "required": _bool(frow, "required", fwhere, errors),
                    "public": _bool(frow, "public", fwhere, errors),
                    "sources": _split(fc.get("sources", "")) or [fc.get("key", "")],
                    "_row": frow.number,
                }
            )
        if not c.get("name"):
            errors.append(where("name") + "不能为空。")
        if not c.get("authority_name"):
            errors.append(where("authority_name") + "不能为空。")
        if code:
            try:
                normalize_licence_type_code(code)
            except ValidationError as exc:
                errors.append(where("code") + exc.messages[0])
        for item_code in _split(c.get("item_codes", "")):
            if not standard_item_ids(item_code):
                errors.append(where("item_codes") + f"事项目录中没有编码为 {item_code} 的标准化文本。")
        spec = {
            "name": c.get("name", ""),
            "code": code,
            "authority_name": c.get("authority_name", ""),
            "holder_kind": holder_kind,
            "fields": face,
            "validity": validity,
            "validity_years": int(years) if years else None,
            "validity_field": c.get("validity_field", ""),
            "several_allowed": _bool(row, "several_allowed", where, errors),
            "aliases": _split(c.get("aliases", "")),
            "item_codes": _split(c.get("item_codes", "")),
        }
        specs.append((row, spec))
    for code, rows in by_code.items():
        if code not in seen:
            first = rows[0]
            what = f"证照类型代码“{code}”" if code else "证照类型代码"
            tail = "不能为空。" if not code else "在「证照类型」表中不存在。"
            errors.append(f"「{FIELDS_TITLE}」第{first.number}行「证照类型代码」：{what}{tail}")
    return specs


def _messages(exc: ValidationError, row: _Row, spec: dict) -> list[str]:
    out = []
    items = exc.error_dict.items() if hasattr(exc, "error_dict") else [("", exc.error_list)]
    for key, errs in items:
        for message in ValidationError(errs).messages:
            if key == "fields":
                field_row = _field_row_for(message, spec)
                if field_row:
                    out.append(f"「{FIELDS_TITLE}」第{field_row}行：{message}")
                    continue
                if not spec["fields"]:
                    out.append(
                        f"「{TYPES_TITLE}」第{row.number}行：「{FIELDS_TITLE}」表中没有该证照的照面项（至少需要一个）。"
                    )
                    continue
            header = _HEADERS.get(key, "")
            out.append(
                f"「{TYPES_TITLE}」第{row.number}行" + (f"「{header}」" if header else "") + f"：{message}"
            )
    return out


def _field_row_for(message: str, spec: dict) -> int | None:
    """The 照面项 row a fields_check message is about (it names the field's position, key or label)."""
    m = re.match(r"第(\d+)个照面项", message)
    if m and 0 < int(m.group(1)) <= len(spec["fields"]):
        return spec["fields"][int(m.group(1)) - 1]["_row"]
    for f in spec["fields"]:
        if (f["key"] and f"“{f['key']}”" in message) or (f["label"] and f"“{f['label']}”" in message):
            return f["_row"]
    return None


def _clean_spec(spec: dict) -> dict:
    return {**spec, "fields": [{k: v for k, v in f.items() if k != "_row"} for f in spec["fields"]]}


def type_unchanged(spec: dict) -> bool:
    """Whether licence_type_upsert(**spec) would leave the stored type exactly as it is."""
    existing = LicenceType.objects.filter(code=(spec.get("code") or "").upper()).first()
    if existing is None:
        return False
    try:
        fields = services.fields_check(spec["fields"])
    except ValidationError:
        return False
    validity = spec.get("validity", Validity.LONG_TERM)
    wanted = {
        "name": (spec.get("name") or "").strip(),
        "authority_name": (spec.get("authority_name") or "").strip(),
        "holder_kind": spec.get("holder_kind"),
        "fields": fields,
        "validity": validity,
        "validity_years": int(spec["validity_years"])
        if validity == Validity.YEARS and spec.get("validity_years")
        else None,
        "validity_field": spec.get("validity_field", "") if validity == Validity.CASE else "",
        "several_allowed": bool(spec.get("several_allowed")),
        "aliases": [a.strip() for a in spec.get("aliases") or [] if a.strip()],
    }
    if "composition_note" in spec:
        wanted["composition_note"] = (spec.get("composition_note") or "")[:200]
    if any(getattr(existing, k) != v for k, v in wanted.items()):
        return False
    if spec.get("item_codes") is not None:
        ids = {i for c in spec["item_codes"] for i in standard_item_ids(c)}
        if ids != set(existing.items.values_list("id", flat=True)):
            return False
    return True


class _Rollback(Exception):
    pass


_WHERE = re.compile(r"^「(.+?)」第(\d+)行(?:「(.+?)」)?")
_COLUMN_ORDER = {h: i for i, (h, *_r) in enumerate(TYPE_COLUMNS)} | {
    f"{FIELDS_TITLE}:{h}": i for i, (h, *_r) in enumerate(FIELD_COLUMNS)
}


def _in_reading_order(errors: list[str]) -> list[str]:
    """Sheet by sheet, row by row, column by column, as a person reads the workbook."""

    def key(message: str):
        m = _WHERE.match(message)
        if not m:
            return (-1, 0, 0)
        sheet = 0 if m.group(1) == TYPES_TITLE else 1
        column = m.group(3) or ""
        col = _COLUMN_ORDER.get(column if sheet == 0 else f"{FIELDS_TITLE}:{column}", 99)
        return (sheet, int(m.group(2)), col)

    return sorted(dict.fromkeys(errors), key=key)


def licence_types_import(file, *, actor) -> ImportReport:
    """Imports a licence catalog workbook all-or-nothing (see the module doc)."""
    report = ImportReport()
    try:
        wb = _open(_read_bytes(file))
    except _Refused as exc:
        report.errors.append(str(exc))
        return report
    except OSError:
        report.errors.append("无法读取文件。")
        return report
    errors: list[str] = []
    try:
        for title in wb.sheetnames:
            if title not in (TYPES_TITLE, FIELDS_TITLE, GUIDE_TITLE):
                errors.append(
                    f"工作表「{title}」无法识别；可用的工作表：{TYPES_TITLE}、{FIELDS_TITLE}、{GUIDE_TITLE}。"
                )
        sheets = {}
        for title, columns in ((TYPES_TITLE, TYPE_COLUMNS), (FIELDS_TITLE, FIELD_COLUMNS)):
            if title not in wb.sheetnames:
                errors.append(f"工作簿缺少工作表「{title}」。")
                continue
            sheets[title] = _rows(wb[title], title, columns, errors)
    finally:
        wb.close()
    if errors or any(v is None for v in sheets.values()):
        report.errors = _in_reading_order(errors)
        return report
    specs = _specs(sheets[TYPES_TITLE], sheets[FIELDS_TITLE], errors)
    if not specs and not errors:
        errors.append(f"「{TYPES_TITLE}」表中没有证照类型。")
    if errors:  # the rows' own mistakes: no need to ask the service
        report.errors = _in_reading_order(errors)
        return report
    try:
        with transaction.atomic():
            for row, spec in specs:
                existing = LicenceType.objects.filter(code=spec["code"]).only("composition_note").first()
                if existing is not None:  # the workbook has no column for the note: it stays
                    spec["composition_note"] = existing.composition_note
                if type_unchanged(_clean_spec(spec)):
                    report.unchanged += 1
                    continue
                try:
                    with transaction.atomic():
                        _type, created = services.licence_type_upsert(actor=actor, **_clean_spec(spec))
                except ValidationError as exc:
                    errors.extend(_messages(exc, row, spec))
                    continue
                if created:
                    report.created += 1
                else:
                    report.updated += 1
            if errors:
                raise _Rollback
    except _Rollback:
        report.created = report.updated = report.unchanged = 0
        report.errors = _in_reading_order(errors)
    return report
