"""Excel (openpyxl) and PDF (WeasyPrint, banhao.core.pdf) of scorecards and lists, for the
year-end assessment."""

from __future__ import annotations

import io
from urllib.parse import quote

from django.http import HttpResponse
from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from banhao.core import pdf
from banhao.core.pdf import PdfUnavailable

__all__ = ["PdfUnavailable", "card_pdf", "card_workbook", "list_workbook", "pdf_response", "xlsx_response"]

HEAD = Font(bold=True)
FILL = PatternFill("solid", fgColor="DDEBF7")


def _fmt(v) -> str | float:
    return "无数据" if v is None else v


def _head(ws, row: list[str], widths: list[int]):
    ws.append(row)
    for i, cell in enumerate(ws[ws.max_row], start=1):
        cell.font, cell.fill = HEAD, FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[cell.column_letter].width = widths[i - 1] if i <= len(widths) else 14


def card_workbook(ctx) -> Workbook:
    """Two sheets: 「本期明细」 (each indicator's value, score and facts counted) and 「各期对比」."""
    wb = Workbook()
    ws = wb.active
    ws.title = "本期明细"
    ws.append([f"{ctx['subject'].label} {ctx['period'].label}考核评分"])
    ws["A1"].font = Font(bold=True, size=14)
    score = ctx["current"].score if ctx["current"] else None
    ws.append(
        [f"考核方案：{ctx['scheme'] or '无'}", f"状态：{ctx['current'].status_label if score else '未计算'}"]
    )
    _head(
        ws,
        ["指标", "单位", "方向", "权重", "满分值", "零分值", "本期值", "得分", "计入事实数"],
        [22, 8, 10, 8, 10, 10, 10, 10, 12],
    )
    for d in ctx["details"]:
        ws.append(
            [
                d["label"],
                d["unit"],
                "越高越好" if d["direction"] == "higher" else "越低越好",
                d["weight"],
                d["full_at"],
                d["zero_at"],
                "不可用" if d["unavailable"] else _fmt(d["value"]),
                _fmt(d["score"]),
                d["n"],
            ]
        )
    if score:
        for m in score.manual:
            ws.append(
                [
                    f"{'加分' if m['points'] > 0 else '扣分'}：{m['reason']}",
                    "分",
                    "",
                    "",
                    "",
                    "",
                    "",
                    m["points"],
                    "",
                ]
            )
        ws.append(
            ["指标得分", "", "", "", "", "", "", _fmt(float(score.base) if score.base is not None else None)]
        )
        ws.append(
            ["总分", "", "", "", "", "", "", _fmt(float(score.total) if score.total is not None else None)]
        )
        ws.append(["排名", "", "", "", "", "", "", score.rank or "—", score.score_set.group_label])
    cmp_ws = wb.create_sheet("各期对比")
    _head(cmp_ws, ["指标"] + [c.period.label for c in ctx["columns"]], [22] + [14] * len(ctx["columns"]))
    for row in ctx["rows"]:
        cmp_ws.append(
            [f"{row['label']}（{row['unit']}）"] + [_fmt(c["value"]) if c else "—" for c in row["cells"]]
        )
    cmp_ws.append(
        ["总分"]
        + [
            _fmt(float(c.score.total)) if c.score and c.score.total is not None else "—"
            for c in ctx["columns"]
        ]
    )
    cmp_ws.append(["排名"] + [c.score.rank if c.score and c.score.rank else "—" for c in ctx["columns"]])
    return wb


def list_workbook(scheme, period, groups) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "考核结果"
    ws.append([f"{scheme} {period.label}"])
    ws["A1"].font = Font(bold=True, size=14)
    labels = []
    for _, rows in groups:
        for s in rows:
            labels = [d["label"] for d in s.details]
            break
        if labels:
            break
    _head(
        ws,
        ["排名范围", "状态", "考核对象", "排名", "总分", "指标得分", "加减分", *labels],
        [24, 10, 28, 8, 10, 10, 10],
    )
    for ss, rows in groups:
        for s in rows:
            ws.append(
                [
                    ss.group_label,
                    ss.get_status_display(),
                    s.subject_label,
                    s.rank or "—",
                    _fmt(float(s.total) if s.total is not None else None),
                    _fmt(float(s.base) if s.base is not None else None),
                    float(s.manual_points),
                    *[_fmt(d["score"]) for d in s.details],
                ]
            )
    return wb


def xlsx_response(wb: Workbook, filename: str) -> HttpResponse:
    buf = io.BytesIO()
    wb.save(buf)
    resp = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


def card_pdf(ctx) -> bytes:
    pdf.check_available()
    html = render_to_string("assessment/scorecard_pdf.html", {**ctx, "fonts": pdf.font_stacks()})
    return pdf.render_pdf(html)


def pdf_response(body: bytes, filename: str) -> HttpResponse:
    resp = HttpResponse(body, content_type="application/pdf")
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp
