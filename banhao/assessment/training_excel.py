"""The training records of a scope as an .xlsx workbook (staff keep these lists in Excel/WPS):
one row per person with the hours of the period and the required courses not done."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

COLUMNS = [
    ("工号", 12),
    ("姓名", 12),
    ("角色", 14),
    ("区域", 12),
    ("部门", 24),
    ("大厅", 22),
    ("窗口", 10),
    ("本期学时", 10),
    ("已完成课程数", 12),
    ("参加集中学习场次", 14),
    ("未完成的必修课程", 40),
]


def _text(value):
    # Text cells are written as text: a formula-looking value ("=…") never becomes a formula.
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value[:1] in ("=", "+", "-", "@"):
            value = "'" + value
    return value


def records_workbook(period, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "学习培训记录"
    ws.append([f"学习培训记录（{period.label}，{period.start:%Y-%m-%d}至{period.end:%Y-%m-%d}前一日）"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([name for name, _ in COLUMNS])
    for col, (_, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=2, column=col)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(col)].width = width
    for r in rows:
        s = r.staff
        ws.append(
            [
                _text(v)
                for v in (
                    s.employee_no,
                    s.name,
                    s.role_label,
                    s.region_name,
                    s.department_name,
                    s.hall_name,
                    s.window_label,
                    r.hours,
                    r.courses_done,
                    r.sessions_attended,
                    "、".join(r.missing_required) or "无",
                )
            ]
        )
        ws.cell(row=ws.max_row, column=1).number_format = "@"
    ws.freeze_panes = "A3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
