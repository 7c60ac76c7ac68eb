"""Excel (.xlsx) import and export of the city's standard texts and implementation lists.

Staff keep the catalog in Excel/WPS, so the workbook is the exchange format: one sheet per
kind of element, every row linked to its standard text by 事项编码 ("<基本编码>-<办理项编码>").

`export_catalog(path_or_stream)` writes the latest published version of each standard text
(or the latest version of any status) and the local fields of its implementations.

`import_catalog(stream, actor=…)` parses the whole workbook into one content dict per code,
validates everything with `content.validate_content` (the single validator) and the
departments and regions it names, and writes only when nothing at all is wrong, inside one
transaction, through the catalog services. Every error names the sheet, the Excel row and
the column that produced the value; the map from (code, content path) to that cell is built
while parsing, so the validator's paths (``materials[2].name``) come back as
「申请材料」第5行「材料名称」.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from banhao.org.api import city_region_code, department_id_by_name, region_id_by_code

from . import codes, services
from .content import validate_content
from .models import Implementation, StandardItem, StandardVersion, Status

MAX_FILE_BYTES = 20 * 1024 * 1024
# An .xlsx is a zip: refuse archives that would inflate far beyond any real catalog (zip bombs).
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
NOT_XLSX = "文件不是有效的Excel（.xlsx）工作簿。"
LIST_SEPARATOR = "、"
_LIST_SPLIT = re.compile(r"[、,，;；\n]")
_INT = re.compile(r"^[+-]?\d+$")
YES, NO = "是", "否"
CHANGE_NOTE = "Excel导入"
_NO_CODE = "#"  # placeholder code of a 事项 row whose code cells are empty


# --- the workbook layout, as data ----------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    key: str  # the content key ("" for the link column and read-only columns)
    kind: str  # link | text | int | bool | list | choice | label | order | readonly
    width: int = 14
    choices: dict[str, str] | None = None  # choice/label columns: code -> Chinese label
    digits: int = 0  # a number typed into a code cell is zero-padded to this width
    note: str = ""


@dataclass(frozen=True)
class Sheet:
    title: str
    element: str  # the content list the rows make ("" for 事项 and 实施清单)
    columns: tuple[Column, ...]
    about: str

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


def _code_note(table: dict[str, str]) -> str:
    return "；".join(f"{k} {v}" for k, v in table.items() if k)


CODE = Column("事项编码", "", "link", 20, note="基本编码-办理项编码，如 371301002301-01")
ORDER = Column("序号", "_order", "order", 6, note="同一事项内的排列顺序；留空则按表中顺序")

ITEMS = Sheet(
    "事项",
    "",
    (
        Column("事项编码", "", "link", 20, note="基本编码-办理项编码；可留空，由后两列生成"),
        Column("基本编码", "basic_code", "text", 16, note="数字和大写字母，最长12位"),
        Column("办理项编码", "handling_code", "text", 10, digits=2, note="两位数字，如 01"),
        Column("事项名称", "name", "text", 24),
        Column("子项名称", "sub_item_name", "text", 24, note="留空则与事项名称相同"),
        Column("业务办理项", "handling_name", "text", 12),
        Column("事项类别", "item_type", "choice", 10, codes.ITEM_TYPES, digits=2),
        Column("所属功能区", "zone", "choice", 13, codes.ZONES),
        Column("实施主体", "department", "text", 24, note="市级部门全称"),
        Column("行使层级", "level", "choice", 9, codes.LEVELS),
        Column(
            "服务对象", "service_objects", "list", 20, note="用“、”分隔：" + "、".join(codes.SERVICE_OBJECTS)
        ),
        Column("主题分类", "themes", "list", 14, note="用“、”分隔"),
        Column("搜索关键词", "keywords", "list", 18, note="用“、”分隔"),
        Column("受理条件", "conditions", "text", 40),
        Column("法定时限（工作日）", "statutory_days", "int", 10, note="可留空"),
        Column("承诺时限（工作日）", "promised_days", "int", 10, note="不得超过法定时限；即办件为0"),
        Column("办件类型", "case_type", "choice", 11, codes.CASE_TYPES),
        Column("到办事现场次数", "visits", "int", 8),
        Column("到现场原因", "visit_reason", "text", 20),
        Column("网上办理深度", "online_depth", "choice", 8, codes.ONLINE_DEPTHS),
        Column("支持预约", "booking", "bool", 8),
        Column("支持物流快递", "post", "bool", 8),
        Column("支持网上支付", "online_payment", "bool", 8),
        Column("通办范围", "scope", "choice", 10, {s: s for s in codes.SCOPES if s}),
        Column("办理结果名称", "result_name", "text", 20),
        Column("结果为电子证照", "result_is_licence", "bool", 8),
        Column("结果送达方式", "result_delivery", "text", 20),
        Column("咨询电话", "consult_phone", "text", 14),
        Column("监督投诉电话", "complaint_phone", "text", 14),
        Column(
            "不收费", "fee", "bool", 8, note="是：不收费（「收费」表无该事项的行）；否：在「收费」表逐项填写"
        ),
        Column("状态", "", "readonly", 8, note="导出时的版本状态，导入时不读取"),
        Column("版本号", "", "readonly", 7, note="导出时的版本号，导入时不读取"),
        Column("生效日期", "", "readonly", 12, note="导出时的生效日期，导入时不读取"),
    ),
    "每行一个标准化文本（业务办理项）的基本信息和各项标量要素。",
)
SITUATIONS = Sheet(
    "情形",
    "situations",
    (
        CODE,
        Column("情形编码", "key", "text", 14, note="小写字母、数字和下划线，以字母开头"),
        Column("问题", "question", "text", 36),
        Column("答案", "answer", "text", 12),
    ),
    "办事情形（问答）。申请材料和表单字段的“适用情形”引用这里的情形编码。",
)
LEGAL_BASES = Sheet(
    "设立依据",
    "legal_bases",
    (
        CODE,
        Column("法律法规名称", "law", "text", 32),
        Column("条款号", "article", "text", 14),
        Column("条款内容", "text", "text", 60),
    ),
    "设立依据，每条一行；每个事项至少一条。",
)
MATERIALS = Sheet(
    "申请材料",
    "materials",
    (
        CODE,
        ORDER,
        Column("材料名称", "name", "text", 28),
        Column("是否必需", "required", "bool", 8, note="留空视为“是”"),
        Column("材料形式", "medium", "label", 12, codes.MEDIA),
        Column("原件/复印件", "copy", "choice", 12, {c: c for c in codes.COPY_KINDS}),
        Column("份数", "copies", "int", 6, note="留空视为1"),
        Column("页数", "pages", "int", 6, note="可留空"),
        Column("来源渠道", "source", "choice", 14, {s: s for s in codes.SOURCES}),
        Column("受理标准", "standard", "text", 30),
        Column("可共享获取", "shared", "bool", 10),
        Column("电子证照类型", "licence_type", "text", 16),
        Column("适用情形", "situation", "text", 12, note="「情形」表的情形编码；留空则所有情形都需要"),
        Column("容缺受理", "tolerated", "bool", 8),
        Column("有空白表格", "has_blank_form", "bool", 10),
        Column("有示例样表", "has_sample", "bool", 10),
    ),
    "申请材料，每项一行；每个事项至少一项。",
)
FEES = Sheet(
    "收费",
    "fee.lines",
    (
        CODE,
        Column("收费项目名称", "name", "text", 24),
        Column("收费标准", "standard", "text", 30),
        Column("收费依据", "basis", "text", 36),
        Column("减免政策", "reduction", "text", 30),
    ),
    "收费项目，每项一行；不收费的事项（「事项」表“不收费”为“是”）在此没有行。",
)
STEPS = Sheet(
    "办理流程",
    "steps",
    (
        CODE,
        ORDER,
        Column("环节名称", "name", "text", 14),
        Column("办理人员", "role", "text", 18),
        Column("时限占比（%）", "share", "int", 10, note="同一事项各环节之和应为100"),
    ),
    "办理流程的各环节，按序号排列；同一事项各环节时限占比之和应为100。",
)
FORM_FIELDS = Sheet(
    "表单字段",
    "form_fields",
    (
        CODE,
        ORDER,
        Column("字段编码", "key", "text", 16, note="小写字母、数字和下划线，以字母开头"),
        Column("字段名称", "label", "text", 18),
        Column("字段类型", "type", "choice", 13, codes.FIELD_TYPES),
        Column("是否必填", "required", "bool", 8, note="留空视为“是”"),
        Column("选项", "choices", "list", 24, note="选项字段的选项，用“、”分隔"),
        Column("最大长度", "max_length", "int", 8, note="可留空"),
        Column("填写说明", "help", "text", 24),
        Column("适用情形", "situation", "text", 12, note="「情形」表的情形编码"),
        Column("预填来源", "prefill", "choice", 20, {p: p for p in codes.PREFILL_SOURCES if p}),
    ),
    "申请表单的字段（网上和窗口同一张表），按序号排列；每个事项至少一个字段。",
)
FAQ = Sheet(
    "常见问题",
    "faq",
    (CODE, Column("问题", "q", "text", 36), Column("解答", "a", "text", 60)),
    "常见问题，每问一行。",
)
IMPLEMENTATIONS = Sheet(
    "实施清单",
    "",
    (
        CODE,
        Column("区划代码", "region", "text", 10, note="实施区域的6位行政区划代码"),
        Column("区域名称", "", "readonly", 14, note="导出时的区域名称，导入时不读取"),
        Column("实施主体", "department", "text", 24, note="该区域的部门全称"),
        Column("办理地点", "address", "text", 30),
        Column("咨询电话", "phone", "text", 14),
        Column("办理时间", "office_hours", "text", 24),
        Column("办理窗口", "windows", "text", 18),
    ),
    "各区县的实施清单，只含本地字段（实施主体、地点、电话、时间、窗口）；十同要素不在此表，导入不会改变它们。",
)
CHILD_SHEETS = (SITUATIONS, LEGAL_BASES, MATERIALS, FEES, STEPS, FORM_FIELDS, FAQ)
DATA_SHEETS = (ITEMS, *CHILD_SHEETS, IMPLEMENTATIONS)
GUIDE_TITLE = "说明"
_SHEET_ORDER = {s.title: i for i, s in enumerate(DATA_SHEETS)}
_LOCAL_MAX_LENGTH = {"address": 200, "phone": 30, "office_hours": 200, "windows": 200}


# --- export ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportResult:
    standards: int
    implementations: int


def _versions_to_export(status: str | None):
    """The latest version of each standard text (among those with ``status`` when given)."""
    base = StandardVersion.objects.all() if status is None else StandardVersion.objects.filter(status=status)
    latest = base.filter(item=OuterRef("item")).order_by("-number").values("pk")[:1]
    return base.filter(pk=Subquery(latest)).select_related("item", "department").order_by("item__code")


def _yes_no(value: bool) -> str:
    return YES if value else NO


def _cell_value(column: Column, value: Any) -> Any:
    if column.kind == "bool":
        return _yes_no(bool(value))
    if column.kind == "list":
        return LIST_SEPARATOR.join(str(v) for v in value or [])
    if column.kind == "label":
        return column.choices.get(value, value)
    return value


def _item_row(version: StandardVersion, content: dict[str, Any]) -> list[Any]:
    row = []
    for column in ITEMS.columns:
        if column.header == "事项编码":
            row.append(version.item.code)
        elif column.key == "fee":
            row.append(_yes_no(content["fee"].get("free", True)))
        elif column.header == "状态":
            row.append(version.get_status_display())
        elif column.header == "版本号":
            row.append(version.number)
        elif column.header == "生效日期":
            row.append(version.effective_from)
        else:
            row.append(_cell_value(column, content.get(column.key)))
    return row


def _child_rows(sheet: Sheet, code: str, content: dict[str, Any]) -> list[list[Any]]:
    entries = content["fee"].get("lines", []) if sheet is FEES else content.get(sheet.element, [])
    rows = []
    for index, entry in enumerate(entries, start=1):
        row = []
        for column in sheet.columns:
            if column.kind == "link":
                row.append(code)
            elif column.kind == "order":
                row.append(index)
            else:
                row.append(_cell_value(column, entry.get(column.key)))
        rows.append(row)
    return rows


def _write_cell(ws, row: int, col: int, value: Any):
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula (and no formula injection)
    return cell


_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_YES_NO = '"是,否"'


def _add_sheet(wb: Workbook, sheet: Sheet, rows: list[list[Any]]) -> None:
    ws = wb.create_sheet(sheet.title)
    for col, column in enumerate(sheet.columns, start=1):
        cell = _write_cell(ws, 1, col, column.header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        note = column.note
        if column.choices and column.kind in {"choice", "label"}:
            shown = (
                "、".join(column.choices.values())
                if column.kind == "label" or all(k == v for k, v in column.choices.items())
                else _code_note(column.choices)
            )
            note = (note + "；" if note else "") + "可填：" + shown
        if column.kind == "bool" and not note:
            note = "填“是”或“否”"
        if note:
            cell.comment = Comment(note, "办好", width=320, height=40 + 18 * (len(note) // 18))
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = column.width
        if column.kind not in {"int", "order", "readonly", "bool"}:
            ws.column_dimensions[letter].number_format = "@"  # codes typed later stay text
        options = None
        if column.kind == "bool":
            options = _YES_NO
        elif column.kind in {"choice", "label"}:
            values = column.choices.values() if column.kind == "label" else column.choices.keys()
            options = '"' + ",".join(values) + '"'
        if options and len(options) <= 255:
            # A drop-down as a hint only: no error alert, so an import can still say what is wrong.
            dv = DataValidation(type="list", formula1=options, allow_blank=True)
            dv.add(f"{letter}2:{letter}{max(len(rows) + 1, 2000)}")
            ws.add_data_validation(dv)
    for r, values in enumerate(rows, start=2):
        for c, (column, value) in enumerate(zip(sheet.columns, values, strict=True), start=1):
            cell = _write_cell(ws, r, c, value)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            elif column.kind not in {"int", "order", "readonly", "bool"}:
                cell.number_format = "@"
    ws.row_dimensions[1].height = 32  # room for a wrapped two-line header
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{max(len(rows) + 1, 1)}"


def _guide_rows() -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = [
        ("使用方法", "", ""),
        ("", "关联方式", "各工作表用“事项编码”（基本编码-办理项编码）关联到「事项」表的一行。"),
        ("", "是/否", "是否类的列只能填“是”或“否”。"),
        ("", "多个取值", "服务对象、主题分类、搜索关键词、选项等多个取值用“、”分隔。"),
        ("", "序号", "同一事项的材料、环节、字段按序号排列；留空则按表中先后顺序。"),
        ("", "只读列", "状态、版本号、生效日期、区域名称是导出时的信息，导入时不读取。"),
        (
            "",
            "导入规则",
            "导入时先检查整个工作簿，有任何错误都不会导入任何数据；内容未变化的事项不会产生新版本，"
            "已发布的事项内容变化后生成新版本（草稿），可选择导入后直接发布。",
        ),
        ("", "文件大小", "不超过20 MB。"),
        ("工作表", "", ""),
    ]
    rows += [
        ("", s.title, s.about + "列：" + "、".join(c.header for c in s.columns) + "。") for s in DATA_SHEETS
    ]
    rows.append(("代码表", "", ""))

    def table(title: str, items) -> None:
        rows.append((title, "", ""))
        rows.extend(("", str(code), str(label)) for code, label in items)

    table("事项类别（填代码）", codes.ITEM_TYPES.items())
    table("所属功能区（填代码）", codes.ZONES.items())
    table("行使层级（填代码）", codes.LEVELS.items())
    table("办件类型（填代码）", codes.CASE_TYPES.items())
    table("网上办理深度（填代码）", codes.ONLINE_DEPTHS.items())
    table("通办范围", [(s, "") for s in codes.SCOPES if s] + [("（留空）", "不限")])
    table("服务对象", [(s, "") for s in codes.SERVICE_OBJECTS])
    table("主题分类（自然人）", [(s, "") for s in codes.PERSONAL_THEMES])
    table("主题分类（法人）", [(s, "") for s in codes.LEGAL_THEMES])
    table("材料形式（填中文）", [(label, code) for code, label in codes.MEDIA.items()])
    table("原件/复印件", [(s, "") for s in codes.COPY_KINDS])
    table("来源渠道", [(s, "") for s in codes.SOURCES])
    table("字段类型（填代码）", codes.FIELD_TYPES.items())
    table("预填来源", [(p, "") for p in codes.PREFILL_SOURCES if p] + [("（留空）", "不预填")])
    return rows


def _add_guide(wb: Workbook) -> None:
    ws = wb.create_sheet(GUIDE_TITLE)
    for col, (header, width) in enumerate((("项目", 22), ("取值/工作表", 22), ("说明", 90)), start=1):
        cell = _write_cell(ws, 1, col, header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        ws.column_dimensions[get_column_letter(col)].width = width
    for r, values in enumerate(_guide_rows(), start=2):
        for c, value in enumerate(values, start=1):
            cell = _write_cell(ws, r, c, value)
            cell.number_format = "@"
            if c == 1 and value:
                cell.font = _HEADER_FONT
            if c == 3:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"


def export_catalog(
    path_or_stream: str | os.PathLike | BinaryIO, *, status: str | None = "published"
) -> ExportResult:
    """Writes the workbook: the latest version with ``status`` (None: of any status) of each text."""
    sheet_rows: dict[str, list[list[Any]]] = {s.title: [] for s in DATA_SHEETS}
    versions = list(_versions_to_export(status))
    item_ids = []
    for version in versions:
        content = services.version_content(version)
        item_ids.append(version.item_id)
        sheet_rows[ITEMS.title].append(_item_row(version, content))
        for sheet in CHILD_SHEETS:
            sheet_rows[sheet.title].extend(_child_rows(sheet, version.item.code, content))
    impls = (
        Implementation.objects.filter(standard_id__in=item_ids)
        .select_related("standard", "region", "department")
        .order_by("standard__code", "region__code")
    )
    impl_count = 0
    for impl in impls:
        impl_count += 1
        sheet_rows[IMPLEMENTATIONS.title].append(
            [
                impl.standard.code,
                impl.region.code,
                impl.region.name,
                impl.department.name,
                impl.address,
                impl.phone,
                impl.office_hours,
                impl.windows,
            ]
        )
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in DATA_SHEETS:
        _add_sheet(wb, sheet, sheet_rows[sheet.title])
    _add_guide(wb)
    wb.active = 0
    wb.save(path_or_stream)
    return ExportResult(standards=len(versions), implementations=impl_count)


# --- import ---------------------------------------------------------------------------------


@dataclass
class ImportReport:
    errors: list[str] = field(default_factory=list)
    created: int = 0
    new_version: int = 0
    updated: int = 0
    unchanged: int = 0
    published: int = 0
    implementations_created: int = 0
    implementations_updated: int = 0
    implementations_unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def summary(self) -> str:
        if self.errors:
            return f"导入失败：发现{len(self.errors)}处错误，未导入任何数据。"
        line = (
            f"导入完成：标准化文本新建{self.created}项、生成新版本{self.new_version}项、"
            f"更新草稿{self.updated}项、未变化{self.unchanged}项"
        )
        if self.published:
            line += f"，发布{self.published}项"
        return line + (
            f"；实施清单新建{self.implementations_created}条、更新{self.implementations_updated}条、"
            f"未变化{self.implementations_unchanged}条。"
        )

    def _reset_counts(self) -> None:
        for name in (
            "created",
            "new_version",
            "updated",
            "unchanged",
            "published",
            "implementations_created",
            "implementations_updated",
            "implementations_unchanged",
        ):
            setattr(self, name, 0)


@dataclass(frozen=True)
class _Cell:
    sheet: str
    row: int
    column: str


class _Problems:
    """Errors sorted the way a person reads the workbook: sheet by sheet, row by row."""

    def __init__(self):
        self._found: dict[str, tuple] = {}
        self.bad_cells: set[_Cell] = set()

    def workbook(self, message: str) -> None:
        self._found.setdefault(message, (-1, 0, 0))

    def at(self, cell: _Cell, message: str) -> None:
        self.bad_cells.add(cell)
        sheet = next((s for s in DATA_SHEETS if s.title == cell.sheet), None)
        col = next((i for i, c in enumerate(sheet.columns) if c.header == cell.column), 99) if sheet else 99
        text = (
            f"「{cell.sheet}」第{cell.row}行" + (f"「{cell.column}」" if cell.column else "") + "：" + message
        )
        self._found.setdefault(text, (_SHEET_ORDER.get(cell.sheet, 99), cell.row, col))

    def __bool__(self) -> bool:
        return bool(self._found)

    def messages(self) -> list[str]:
        return [m for m, _ in sorted(self._found.items(), key=lambda kv: kv[1])]


class _Unreadable(Exception):
    pass


def _read_bytes(source) -> bytes:
    if isinstance(source, (str, os.PathLike)):
        if os.path.getsize(source) > MAX_FILE_BYTES:
            raise _Unreadable("文件超过20 MB，不予导入。")
        with open(source, "rb") as fh:
            return fh.read()
    size = getattr(source, "size", None)  # Django's UploadedFile knows its size
    if size is not None and size > MAX_FILE_BYTES:
        raise _Unreadable("文件超过20 MB，不予导入。")
    data = source.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _Unreadable("文件超过20 MB，不予导入。")
    return data


def _open_workbook(data: bytes):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise _Unreadable("文件解压后过大，不予导入。")
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except _Unreadable:
        raise
    except Exception as exc:  # openpyxl and zipfile raise many kinds on a file that is not xlsx
        raise _Unreadable(NOT_XLSX) from exc


# --- cell parsing: each returns (value, error message or "") ---


def _plain(value: Any) -> Any:
    """Excel's numbers, dates and strings as plain Python (an integral float is an int)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _parse(column: Column, raw: Any) -> tuple[Any, str]:
    """A cell's value for the content dict (None when blank: the validator's default applies)."""
    if _is_blank(raw):
        return None, ""
    value = _plain(raw)
    kind = column.kind
    if kind in {"int", "order"}:
        if isinstance(value, bool) or not (isinstance(value, int) or _INT.match(str(value).strip())):
            return None, "应为整数。"
        number = int(str(value).strip()) if not isinstance(value, int) else value
        if kind == "order" and number < 1:
            return None, "序号应为正整数。"
        return number, ""
    if kind == "bool":
        if isinstance(value, bool):
            return value, ""
        text = str(value).strip()
        if text in (YES, NO):
            return text == YES, ""
        return None, f"应填写“是”或“否”，不能是“{text}”。"
    if kind == "list":
        return [p.strip() for p in _LIST_SPLIT.split(str(value)) if p.strip()], ""
    text = str(value).strip()
    if column.digits and text.isdigit() and len(text) < column.digits:
        text = text.zfill(column.digits)  # Excel dropped the leading zero of a code typed as a number
    if kind == "choice":
        by_label = {label: code for code, label in column.choices.items()}
        return (text if text in column.choices else by_label.get(text, text)), ""
    if kind == "label":
        by_label = {label: code for code, label in column.choices.items()}
        if text in by_label:
            return by_label[text], ""
        if text in column.choices:
            return text, ""
        return None, f"“{text}”不是有效的取值，可选：{'、'.join(column.choices.values())}。"
    if kind == "link":
        return text.upper(), ""
    return text, ""


@dataclass
class _Row:
    number: int
    code: str
    values: dict[str, Any]  # content key -> parsed value (blank cells left out)


@dataclass
class _Parsed:
    items: dict[str, _Row] = field(default_factory=dict)  # code -> 事项 row
    children: dict[str, dict[str, list[_Row]]] = field(default_factory=lambda: defaultdict(dict))
    implementations: list[_Row] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)  # sheets missing or with unusable headers
    orphans: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # rows of unknown codes

    def suppressed(self, path: str) -> bool:
        """Whether an error at ``path`` only repeats that its sheet could not be read."""
        root = re.split(r"[.\[]", path, maxsplit=1)[0]
        sheet = next((s for s in CHILD_SHEETS if s.element.split(".")[0] == root), None)
        return sheet is not None and sheet.title in self.broken


def _read_sheet(ws, sheet: Sheet, problems: _Problems) -> list[_Row] | None:
    """The sheet's non-blank rows, parsed; None when its header row is unusable."""
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None) or ()
    positions: dict[str, int] = {}
    known = {c.header: c for c in sheet.columns}
    usable = True
    for index, raw in enumerate(header):
        if _is_blank(raw):
            continue
        name = str(raw).strip()
        if name not in known:
            problems.at(_Cell(sheet.title, 1, name), "无法识别的列，请使用导出模板中的列名。")
            usable = False
        elif name in positions:
            problems.at(_Cell(sheet.title, 1, name), "列名重复。")
            usable = False
        else:
            positions[name] = index
    for column in sheet.columns:
        if column.kind != "readonly" and column.header not in positions:
            problems.at(_Cell(sheet.title, 1, ""), f"缺少列「{column.header}」。")
            usable = False
    if not usable:
        return None
    parsed = []
    for number, values in enumerate(rows, start=2):
        cells = {h: (values[i] if i < len(values) else None) for h, i in positions.items()}
        if all(_is_blank(v) for h, v in cells.items() if known[h].kind != "readonly"):
            continue
        row = _Row(number, "", {})
        for column in sheet.columns:
            if column.kind == "readonly":
                continue
            value, error = _parse(column, cells.get(column.header))
            if error:
                problems.at(_Cell(sheet.title, number, column.header), error)
            elif column.kind == "link":
                row.code = value or ""
            elif value is not None:
                row.values[column.key] = value
        parsed.append(row)
    return parsed


class _Locator:
    """Maps (code, content path) back to the cell that produced the value."""

    def __init__(self):
        self._cells: dict[tuple[str, str], _Cell] = {}

    def put(self, code: str, path: str, cell: _Cell) -> None:
        self._cells[(code, path)] = cell

    def find(self, code: str, path: str) -> _Cell:
        while True:
            if (code, path) in self._cells:
                return self._cells[(code, path)]
            shorter = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", path)
            if shorter == path:
                return self._cells[(code, "")]
            path = shorter


def _order_rows(rows: list[_Row]) -> list[_Row]:
    # Stable: rows without 序号 keep their place in the sheet after the numbered ones.
    return sorted(rows, key=lambda r: (r.values.get("_order", 10**9), r.number))


def _content_for(code: str, item: _Row, parsed: _Parsed, locator: _Locator, problems: _Problems) -> dict:
    """One standard text's content dict (validate_content's shape), recording where each value lives."""
    data = {k: v for k, v in item.values.items() if k != "fee"}
    locator.put(code, "", _Cell(ITEMS.title, item.number, "事项编码"))
    for column in ITEMS.columns:
        if column.key:
            locator.put(code, column.key, _Cell(ITEMS.title, item.number, column.header))
    for sheet in CHILD_SHEETS:
        rows = parsed.children[sheet.title].get(code, [])
        if sheet in (MATERIALS, STEPS, FORM_FIELDS):
            rows = _order_rows(rows)
        entries = []
        for i, row in enumerate(rows):
            prefix = f"{sheet.element}[{i}]"
            locator.put(code, prefix, _Cell(sheet.title, row.number, "事项编码"))
            for column in sheet.columns:
                if column.key and column.kind != "order":
                    locator.put(code, f"{prefix}.{column.key}", _Cell(sheet.title, row.number, column.header))
            entries.append({k: v for k, v in row.values.items() if k != "_order"})
        if sheet is FEES:
            continue
        data[sheet.element] = entries
        if sheet is STEPS and rows:
            # "the shares do not add up to 100" belongs with the shares
            locator.put(code, "steps", _Cell(STEPS.title, rows[0].number, "时限占比（%）"))
        elif not rows:
            locator.put(code, sheet.element, _Cell(ITEMS.title, item.number, "事项编码"))
    lines = [{k: v for k, v in r.values.items()} for r in parsed.children[FEES.title].get(code, [])]
    free = item.values.get("fee")
    fee_cell = _Cell(ITEMS.title, item.number, "不收费")
    if free is None:
        free = not lines
    elif free and lines:
        problems.at(fee_cell, f"标注为不收费，但「收费」表中有{len(lines)}条该事项的收费项目。")
    data["fee"] = {"free": free, "lines": lines}
    locator.put(code, "fee", fee_cell)
    return data


def _parse_workbook(wb, problems: _Problems) -> _Parsed:
    parsed = _Parsed()
    titles = set(wb.sheetnames)
    expected = {s.title for s in DATA_SHEETS}
    for title in wb.sheetnames:
        if title not in expected and title != GUIDE_TITLE:
            problems.workbook(
                f"工作表「{title}」无法识别；可用的工作表：{'、'.join(s.title for s in DATA_SHEETS)}、{GUIDE_TITLE}。"
            )
    sheets: dict[str, list[_Row]] = {}
    for sheet in DATA_SHEETS:
        if sheet.title not in titles:
            problems.workbook(f"工作簿缺少工作表「{sheet.title}」。")
            parsed.broken.add(sheet.title)
            continue
        rows = _read_sheet(wb[sheet.title], sheet, problems)
        if rows is None:
            parsed.broken.add(sheet.title)
        else:
            sheets[sheet.title] = rows
    if ITEMS.title in parsed.broken:
        return parsed  # nothing to link the other sheets to: the structural errors come first

    for row in sheets.get(ITEMS.title, []):
        basic = row.values.get("basic_code", "").upper()
        handling = row.values.get("handling_code", "")
        derived = f"{basic}-{handling}" if basic and handling else ""
        cell = _Cell(ITEMS.title, row.number, "事项编码")
        if row.code and derived and row.code != derived:
            # still validated, under the code its own columns give
            problems.at(cell, f"事项编码“{row.code}”与基本编码、办理项编码（{derived}）不一致。")
        code = derived or row.code
        if not code:
            # no code: validate it anyway (under a placeholder) so every other error shows too
            code = f"{_NO_CODE}{row.number}"
        if code in parsed.items:
            problems.at(cell, f"事项编码“{code}”与第{parsed.items[code].number}行重复。")
            continue
        row.code = code
        parsed.items[code] = row

    for sheet in CHILD_SHEETS:
        for row in sheets.get(sheet.title, []):
            if _linked(sheet, row, parsed, problems):
                parsed.children[sheet.title].setdefault(row.code, []).append(row)
    seen: dict[tuple[str, str], int] = {}
    for row in sheets.get(IMPLEMENTATIONS.title, []):
        if not _linked(IMPLEMENTATIONS, row, parsed, problems):
            continue
        key = (row.code, row.values.get("region", ""))
        if key in seen:
            problems.at(
                _Cell(IMPLEMENTATIONS.title, row.number, "区划代码"),
                f"该事项在区划“{key[1]}”的实施清单与第{seen[key]}行重复。",
            )
            continue
        seen[key] = row.number
        parsed.implementations.append(row)
    _report_orphans(parsed, problems)
    return parsed


def _linked(sheet: Sheet, row: _Row, parsed: _Parsed, problems: _Problems) -> bool:
    cell = _Cell(sheet.title, row.number, "事项编码")
    if not row.code:
        if cell not in problems.bad_cells:
            problems.at(cell, "不能为空。")
        return False
    if row.code not in parsed.items:
        parsed.orphans.setdefault((sheet.title, row.code), []).append(row.number)
        return False
    return True


def _report_orphans(parsed: _Parsed, problems: _Problems) -> None:
    """One error per sheet and unknown code (at its first row), not one per row."""
    for (title, code), numbers in parsed.orphans.items():
        more = f"（本表共{len(numbers)}行使用该编码）" if len(numbers) > 1 else ""
        problems.at(_Cell(title, numbers[0], "事项编码"), f"事项编码“{code}”在「事项」表中不存在{more}。")


class _Lookups:
    """Department and region look-ups, each asked once."""

    def __init__(self):
        self._departments: dict[tuple[str, str], int | None] = {}
        self._regions: dict[str, int | None] = {}

    def department(self, name: str, region_code: str) -> int | None:
        key = (name, region_code)
        if key not in self._departments:
            self._departments[key] = department_id_by_name(name, region_code)
        return self._departments[key]

    def region(self, code: str) -> int | None:
        if code not in self._regions:
            self._regions[code] = region_id_by_code(code)
        return self._regions[code]


def _validation_messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            path: [str(m) for m in ValidationError(errs).messages] for path, errs in exc.error_dict.items()
        }
    return {"": list(exc.messages)}


def _check(parsed: _Parsed, problems: _Problems, city: str | None) -> dict[str, dict[str, Any]]:
    """Validates every text and implementation row; returns the cleaned content by code."""
    locator, lookups, cleaned = _Locator(), _Lookups(), {}
    for code, item in parsed.items.items():
        data = _content_for(code, item, parsed, locator, problems)
        try:
            cleaned[code] = validate_content(data)
        except ValidationError as exc:
            for path, messages in _validation_messages(exc).items():
                cell = locator.find(code, path)
                if (cell in problems.bad_cells and path != "") or parsed.suppressed(path):
                    continue  # already reported: an unreadable cell, a missing or broken sheet
                if code.startswith(_NO_CODE) and cell.column == "事项编码":
                    continue  # a row without a code has no linked rows: "no materials" says nothing new
                for message in messages:
                    problems.at(cell, message)
        department = item.values.get("department", "")
        if city and department and lookups.department(department, city) is None:
            problems.at(
                locator.find(code, "department"),
                f"找不到市级部门“{department}”，请填写部门全称。",
            )
    for row in parsed.implementations:

        def at(column: str, message: str, row=row) -> None:
            problems.at(_Cell(IMPLEMENTATIONS.title, row.number, column), message)

        region = row.values.get("region", "")
        department = row.values.get("department", "")
        if not region:
            at("区划代码", "不能为空。")
        elif lookups.region(region) is None:
            at("区划代码", f"找不到区划代码为“{region}”的区域。")
        if not department:
            at("实施主体", "不能为空。")
        elif region and lookups.region(region) is not None and lookups.department(department, region) is None:
            at("实施主体", f"区划“{region}”下找不到部门“{department}”。")
        for key, limit in _LOCAL_MAX_LENGTH.items():
            if len(row.values.get(key, "")) > limit:
                at(IMPLEMENTATIONS.column(key).header, f"不能超过{limit}个字符。")
    return cleaned


class _Rollback(Exception):
    pass


def import_catalog(stream, *, actor, publish: bool = False) -> ImportReport:
    """Imports a workbook all-or-nothing (see the module doc); the report lists every error."""
    report = ImportReport()
    problems = _Problems()
    try:
        wb = _open_workbook(_read_bytes(stream))
    except _Unreadable as exc:
        report.errors.append(str(exc))
        return report
    except OSError:
        report.errors.append("无法读取文件。")
        return report
    try:
        parsed = _parse_workbook(wb, problems)
    finally:
        wb.close()
    city = city_region_code()
    if city is None:
        problems.workbook("尚未配置行政区域，无法导入标准化文本。")
    cleaned = _check(parsed, problems, city)
    if problems:
        report.errors = problems.messages()
        return report
    try:
        with transaction.atomic():
            _write(parsed, cleaned, report, problems, actor=actor, publish=publish)
            if problems:
                raise _Rollback
    except _Rollback:
        report._reset_counts()
        report.errors = problems.messages()
    return report


def _write(parsed: _Parsed, cleaned, report: ImportReport, problems: _Problems, *, actor, publish) -> None:
    items: dict[str, StandardItem] = {}
    for code, row in parsed.items.items():
        content = cleaned[code]
        try:
            version, outcome = services.standard_save(actor=actor, data=content, change_note=CHANGE_NOTE)
            if publish and version.status in (Status.DRAFT, Status.REVIEW):
                services.version_publish(actor=actor, version=version)
                report.published += 1
        except ValidationError as exc:
            for messages in _validation_messages(exc).values():
                for message in messages:
                    problems.at(_Cell(ITEMS.title, row.number, "事项编码"), message)
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
        items[code] = version.item
    for row in parsed.implementations:
        standard = items.get(row.code)
        if standard is None:
            continue
        region = row.values["region"]
        # The import carries local fields only: a region's declared element set stays as it is.
        try:
            _, outcome = services.implementation_save(
                actor=actor,
                standard=standard,
                region_code=region,
                department=row.values["department"],
                local={k: row.values.get(k, "") for k in services.LOCAL_FIELDS},
            )
        except ValidationError as exc:
            for messages in _validation_messages(exc).values():
                for message in messages:
                    problems.at(_Cell(IMPLEMENTATIONS.title, row.number, "事项编码"), message)
            continue
        name = f"implementations_{outcome}"
        setattr(report, name, getattr(report, name) + 1)
