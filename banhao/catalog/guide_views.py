"""The service guide (办事指南), its PDF, and the clerk's work procedure (工作规程).

All three are generated from one record: the published version of the city standard text
(`services.version_content`) plus the region's implementation (local fields only). Nothing
here is stored: change the standard text or the implementation and every output follows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from typing import Any
from urllib.parse import quote

from django.core.cache import cache
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from banhao.core import calendar, pdf
from banhao.core.qr import qr_data_uri
from banhao.org.api import staff_required

from . import codes
from .models import Implementation, MaterialFile, Status
from .selectors import implementation_with_version
from .services import version_content

# The order of a guide's sections (ui.md): anchor id, heading.
SECTIONS = [
    ("basic", "基本信息"),
    ("place", "办理地点和时间"),
    ("conditions", "申请条件"),
    ("materials", "申请材料"),
    ("process", "办理流程"),
    ("fees", "收费标准"),
    ("basis", "设定依据"),
    ("faq", "常见问题"),
]
CN_NUMBERS = "一二三四五六七八九十"
SHARED_NOTE = "可通过数据共享或电子证照获取，无需提交"
BASE_SITUATION = "一般情形"
PDF_CACHE_SECONDS = 600


# --- building the guide --------------------------------------------------------------------


def _days(n: float) -> str:
    text = f"{n:g}" if n != int(n) else str(int(n))
    return f"{text}个工作日"


def step_limits(steps: list[dict[str, Any]], promised_days: int, immediate: bool) -> list[str]:
    """Each step's share of the promised limit, in working days.

    Rounded to half days by largest remainder, so the parts add up to the promised limit
    exactly; a step whose share is under a quarter of a day is done 当日 (the same day as the
    step before). 即办件: every step 当场办结.
    """
    if immediate or not promised_days:
        return ["当场办结"] * len(steps)
    halves = promised_days * 2
    exact = [halves * s["share"] / 100 for s in steps]
    units = [math.floor(x) for x in exact]
    rest = halves - sum(units)
    for i in sorted(range(len(steps)), key=lambda i: (-(exact[i] - units[i]), i))[:rest]:
        units[i] += 1
    # A step with a share should not show 0 while another has more than a half day to spare.
    for i, u in enumerate(units):
        if u == 0 and steps[i]["share"] > 0:
            donor = max(range(len(units)), key=lambda j: units[j])
            if units[donor] > 1:
                units[donor] -= 1
                units[i] = 1
    return [_days(u / 2) if u else "当日" for u in units]


def _situation_label(situation: dict[str, str] | None) -> str:
    if not situation:
        return ""
    answer = situation.get("answer") or ""
    return f"{situation['question']}{answer}" if answer else situation["question"]


def _material_rows(content: dict[str, Any], files: dict | None = None) -> list[dict[str, Any]]:
    situations = {s["key"]: s for s in content["situations"]}
    files = files or {}
    rows = []
    for i, m in enumerate(content["materials"], 1):
        required = "必要" if m["required"] else "非必要"
        rows.append(
            {
                **m,
                "no": i,
                "required_label": required + ("（容缺）" if m["tolerated"] else ""),
                "medium_label": codes.MEDIA.get(m["medium"], m["medium"]),
                "copies_label": f"{m['copies']}份" + (f"（{m['pages']}页）" if m["pages"] else ""),
                "source_label": m["source"]
                + (f"（电子证照：{m['licence_type']}）" if m["licence_type"] else ""),
                "situation_label": _situation_label(situations.get(m["situation"])),
                "blank_url": _file_url(files.get((m["name"], "blank"))),
                "sample_url": _file_url(files.get((m["name"], "sample"))),
            }
        )
    return rows


def _file_url(record) -> str | None:
    return reverse("guide:material_file", args=[record.pk]) if record is not None else None


def material_files(item_id: int) -> dict:
    """{(material name, kind): MaterialFile} of a standard text."""
    return {(f.material_name, f.kind): f for f in MaterialFile.objects.filter(item_id=item_id)}


@require_GET
def material_file(request, file_id: int):
    """Downloads a blank form or sample of a published standard text (public, like the guide)."""
    record = MaterialFile.objects.filter(pk=file_id, item__versions__status=Status.PUBLISHED).first()
    if record is None:
        return _missing(request)
    return FileResponse(
        record.file.open("rb"),
        as_attachment=True,
        filename=record.original_name,
        content_type=record.content_type,
    )


def _field_rows(content: dict[str, Any]) -> list[dict[str, Any]]:
    prefill = {
        "person.name": "个人姓名",
        "person.resident_id": "公民身份号码",
        "person.phone": "手机号码",
        "person.address": "个人住址",
        "org.name": "单位名称",
        "org.credit_code": "统一社会信用代码",
        "org.legal_representative": "法定代表人",
        "org.address": "单位住所",
    }
    return [
        {
            **f,
            "type_label": codes.FIELD_TYPES.get(f["type"], f["type"]),
            "prefill_label": prefill.get(f["prefill"], ""),
        }
        for f in content["form_fields"]
    ]


def _step_rows(content: dict[str, Any]) -> list[dict[str, Any]]:
    immediate = content["case_type"] == "immediate"
    limits = step_limits(content["steps"], content["promised_days"] or 0, immediate)
    return [
        {**s, "no": i, "limit": limit}
        for i, (s, limit) in enumerate(zip(content["steps"], limits, strict=True), 1)
    ]


def _flow_rows(content, steps, forms, per_row: int = 7) -> list[list[dict[str, Any]]]:
    """The flow chart's boxes (申请 → steps → 办结), cut into rows for the PDF page width."""
    nodes = [{"name": "提交申请", "role": "申请人", "limit": "", "end": True}]
    nodes += [{**s, "end": False} for s in steps]
    nodes.append({"name": "办结", "role": content["result_name"], "limit": "", "end": True})
    return [nodes[i : i + per_row] for i in range(0, len(nodes), per_row)]


def _due_date(content: dict[str, Any]) -> dt.date | None:
    """The latest completion date if accepted today (None when the calendar cannot say)."""
    try:
        return calendar.add_workdays(timezone.localdate(), content["promised_days"] or 0)
    except ValueError:
        return None


def guide_data(impl: Implementation, version) -> dict[str, Any]:
    """Everything a guide shows, as plain values (the page, the PDF and the procedure)."""
    c = version_content(version)
    immediate = c["case_type"] == "immediate"
    depth = c["online_depth"]
    forms = ["窗口办理"]
    if depth in {"3", "4"}:
        forms.append("网上办理")
    if c["post"]:
        forms.append("快递（邮寄）办理")
    steps = _step_rows(c)
    return {
        "c": c,
        "impl": impl,
        "version": version,
        "title": version.display_name,
        "item_type_label": codes.ITEM_TYPES.get(c["item_type"], c["item_type"]),
        "level_label": codes.LEVELS.get(c["level"], c["level"]),
        "case_type_label": codes.CASE_TYPES.get(c["case_type"], c["case_type"]),
        "online_depth_label": f"{'一二三四'[int(depth) - 1]}级（{codes.ONLINE_DEPTHS.get(depth, depth)}）"
        if depth in codes.ONLINE_DEPTHS
        else depth,
        "immediate": immediate,
        "forms": forms,
        "department": impl.department.name,
        "region": impl.region.name,
        "consult_phone": impl.phone or c["consult_phone"],
        "complaint_phone": c["complaint_phone"],
        "materials": _material_rows(c, material_files(impl.standard_id)),
        "fields": _field_rows(c),
        "steps": steps,
        "flow_rows": _flow_rows(c, steps, forms),
        "condition_lines": [line.strip() for line in c["conditions"].splitlines() if line.strip()],
        "due_date": _due_date(c),
        "sections": [
            {"id": sid, "title": title, "no": CN_NUMBERS[i]} for i, (sid, title) in enumerate(SECTIONS)
        ],
        "shared_note": SHARED_NOTE,
    }


def _published(implementation_id: int, *, public: bool):
    """(implementation, published standard version) or (None, None)."""
    return implementation_with_version(implementation_id, include_unpublished=not public)


def _missing(request):
    return render(request, "catalog/guide_missing.html", status=404)


# --- views ---------------------------------------------------------------------------------


def guide(request, implementation_id: int):
    """GET /guide/<id>/ — the public service guide."""
    impl, version = _published(implementation_id, public=True)
    if impl is None:
        return _missing(request)
    data = guide_data(impl, version)
    url = request.build_absolute_uri(reverse("guide:detail", args=[impl.pk]))
    data["qr"] = qr_data_uri(url)
    data["guide_url"] = url
    return render(request, "catalog/guide.html", data)


def _filename_header(name: str, fallback: str) -> str:
    """Content-Disposition inline with an ASCII fallback and the Chinese name (RFC 5987/6266)."""
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def guide_pdf(request, implementation_id: int):
    """GET /guide/<id>/pdf/ — the same guide as an A4 PDF in the official document look."""
    impl, version = _published(implementation_id, public=True)
    if impl is None:
        return _missing(request)
    try:
        pdf.check_available()
        fonts = pdf.font_stacks()
    except pdf.PdfUnavailable as exc:
        return render(request, "catalog/guide_pdf_unavailable.html", {"reason": str(exc)}, status=503)
    url = request.build_absolute_uri(reverse("guide:detail", args=[impl.pk]))
    today = timezone.localdate()
    key = (
        "guide-pdf:"
        + hashlib.sha256(
            f"{impl.pk}|{impl.updated_at.isoformat()}|{version.pk}|{version.updated_at.isoformat()}|{today}|{url}".encode()
        ).hexdigest()
    )
    body = cache.get(key)
    if body is None:
        data = guide_data(impl, version)
        data.update(qr=qr_data_uri(url), guide_url=url, fonts=fonts, generated_on=today)
        html = render_to_string("catalog/guide_pdf.html", data, request=request)
        try:
            body = pdf.render_pdf(html)
        except pdf.PdfUnavailable as exc:
            return render(request, "catalog/guide_pdf_unavailable.html", {"reason": str(exc)}, status=503)
        cache.set(key, body, PDF_CACHE_SECONDS)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = _filename_header(
        f"{version.display_name}办事指南.pdf", f"guide-{impl.implementation_code}.pdf"
    )
    return response


@staff_required("org.view")
def procedure(request, implementation_id: int):
    """GET /guide/<id>/procedure/ — the clerk's work procedure, per situation (staff only)."""
    impl, version = _published(implementation_id, public=False)
    if impl is None or not request.scope.allows(impl.region_id):
        return _missing(request)  # outside the scope looks the same as absent
    data = guide_data(impl, version)
    c = data["c"]
    cases = [{"key": "", "label": BASE_SITUATION, "question": "", "answer": ""}]
    cases += [
        {"key": s["key"], "label": _situation_label(s), "question": s["question"], "answer": s["answer"]}
        for s in c["situations"]
    ]
    for i, case in enumerate(cases, 1):
        applies = ("", case["key"])
        case["no"] = i
        case["materials"] = [m for m in data["materials"] if m["situation"] in applies]
        case["fields"] = [f for f in data["fields"] if f["situation"] in applies]
        case["id"] = f"situation-{case['key'] or 'base'}"
    data["cases"] = cases
    data["today"] = timezone.localdate()
    data["draft"] = impl.status != Status.PUBLISHED
    return render(request, "catalog/procedure.html", data)
