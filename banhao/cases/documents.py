"""The documents the office issues on a case (domain.md §9), as PDF.

受理通知书 · 补正材料通知书（一次性告知书） · 不予受理通知书 · 特别程序告知书 ·
准予／不予行政许可决定书. Each is drawn from the case's own records — the case row, the
CaseEvent that issued it (the correction items, the refusal, the decision) and the Pause of a
special procedure — so printing a notice again gives the same notice: its date is the day
it was issued, never the day it is printed.

The look follows GB/T 9704: a Song-style bold title, the document number under it, the body
in a FangSong-style face (the Song face when no FangSong font is installed), the issuing
office, the seal line（印章）and the date at the foot, the case number on every page. A QR
code leads to the case's status page. The pipeline (WeasyPrint, embedded CJK fonts, the
Chinese PdfUnavailable) and the QR helper are banhao.core.pdf and banhao.core.qr, shared
with the service guide.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from banhao.core import calendar, pdf
from banhao.core.qr import qr_data_uri

from .models import Case, CaseEvent, Pause

ACCEPTANCE = "acceptance"
CORRECTION = "correction"
REFUSAL = "refusal"
SPECIAL_PROCEDURE = "special_procedure"
DECISION = "decision"

# kind -> the name of the document (the decision's name depends on the decision)
KINDS: dict[str, str] = {
    ACCEPTANCE: "受理通知书",
    CORRECTION: "补正材料通知书",
    REFUSAL: "不予受理通知书",
    SPECIAL_PROCEDURE: "特别程序告知书",
    DECISION: "行政许可决定书",
}
APPROVAL_TITLE = "准予行政许可决定书"
DENIAL_TITLE = "不予行政许可决定书"
EXTENSION_TITLE = "延期告知书"  # the special procedure 延长审批 (行政许可法第四十二条)

# The 代字 of each document in its number: 临兰审受字〔2026〕…号.
NUMBER_MARKS = {
    ACCEPTANCE: "受",
    CORRECTION: "补",
    REFUSAL: "不受",
    SPECIAL_PROCEDURE: "特",
    "extension": "延",
    "approve": "许",
    "deny": "不许",
}

# Common department names → the short mark used in document numbers (机关代字).
DEPARTMENT_MARKS = (
    ("行政审批", "审"),
    ("市场监督管理", "市监"),
    ("人力资源和社会保障", "人社"),
    ("住房和城乡建设", "住建"),
    ("卫生健康", "卫健"),
    ("自然资源", "自然资源"),
    ("生态环境", "环"),
    ("交通运输", "交"),
    ("文化和旅游", "文旅"),
    ("农业农村", "农"),
    ("医疗保障", "医保"),
    ("应急管理", "应急"),
    ("公安", "公"),
    ("教育", "教"),
    ("民政", "民"),
    ("商务", "商"),
    ("水利", "水"),
)

# The remedies against a refusal or a denial (行政复议法 2023 第二十条、第二十四条;
# 行政诉讼法 第四十六条). The reconsideration body of a local department is, in general, the
# people's government at its own level.
REMEDIES = (
    "如对本{doc}不服，可以自收到本{doc}之日起六十日内，依法向本机关的本级人民政府申请行政复议；"
    "也可以自收到本{doc}之日起六个月内，依法向人民法院提起行政诉讼。"
)


class NoticeNotApplicable(Exception):
    """The case has not reached the point where this document is issued."""


@dataclass
class Notice:
    kind: str
    title: str
    mark: str  # the 代字 in the document number
    issued_on: dt.date
    data: dict[str, Any] = field(default_factory=dict)


# --- formatting -----------------------------------------------------------------------------


def cn_date(d: dt.date | dt.datetime | None) -> str:
    """2026年2月27日 (GB/T 9704 writes dates in Arabic numerals, without leading zeros)."""
    if d is None:
        return ""
    if isinstance(d, dt.datetime):
        d = timezone.localdate(d) if timezone.is_aware(d) else d.date()
    return f"{d.year}年{d.month}月{d.day}日"


def _first_char(name: str) -> str:
    return name[:1]


def issuer_prefix(case: Case) -> str:
    """临兰审: the city's first character, the district's (when it is not the city itself) and
    the department's mark."""
    region = case.region
    chain = []
    seen = set()
    while region is not None and region.pk not in seen:
        seen.add(region.pk)
        chain.append(region)
        region = region.parent
    chain.reverse()  # city first
    places = "".join(_first_char(r.name) for r in chain[-2:]) if chain else ""
    dept = case.department.name
    for r in chain:
        if dept.startswith(r.name):
            dept = dept[len(r.name) :]
    mark = next((m for key, m in DEPARTMENT_MARKS if key in dept), _first_char(dept))
    return places + mark


def document_number(case: Case, mark: str) -> str:
    """临兰审受字〔2026〕112400012号, from the case number 371302-20261124-00012: the year of the
    case, then its day and sequence — unique, since the case number is, and the same on every
    print of the notice."""
    parts = case.number.split("-")
    if len(parts) == 3 and len(parts[1]) == 8 and parts[1].isdigit():
        year, serial = parts[1][:4], parts[1][4:] + parts[2]
    else:  # not our numbering (an imported case): the whole number stands in
        year, serial = str(timezone.localdate(case.submitted_at).year), case.number
    return f"{issuer_prefix(case)}{mark}字〔{year}〕{serial}号"


def applicant_name(case: Case) -> str:
    return case.organization.name if case.organization_id else case.person.name


def site_base_url() -> str:
    """The public address of the site, for links made outside a request (notifications)."""
    explicit = getattr(settings, "BANHAO_SITE_URL", "")
    if explicit:
        return explicit.rstrip("/")
    domain = settings.BANHAO_SITE.get("domain") or "localhost"
    return f"https://{domain}"


def status_url(case: Case, base_url: str | None = None) -> str:
    return (base_url or site_base_url()).rstrip("/") + reverse("cases:detail", args=[case.number])


def lookup_url(base_url: str | None = None) -> str:
    return (base_url or site_base_url()).rstrip("/") + reverse("cases:lookup")


def consult_phone(case: Case) -> str:
    return (
        case.implementation.phone
        or case.version.consult_phone
        or case.department.phone
        or settings.BANHAO_SITE.get("phone", "")
    )


# --- which notice, from which record --------------------------------------------------------


def _latest_event(case: Case, *actions: str) -> CaseEvent | None:
    return case.events.filter(action__in=actions).order_by("-at", "-id").first()


def _expected_end(pause: Pause) -> dt.date | None:
    """The last working day the procedure is expected to take, counting its first day."""
    try:
        return calendar.add_workdays(pause.started_on - dt.timedelta(days=1), pause.expected_days)
    except ValueError:  # the calendar of that year is not entered yet
        return None


def notice_for(case: Case, kind: str) -> Notice:
    """The notice of that kind the case was issued; NoticeNotApplicable when there is none."""
    if kind == ACCEPTANCE:
        if case.accepted_on is None:
            raise NoticeNotApplicable(kind)
        materials = [
            {
                "name": m.name,
                "note": getattr(m, "note", "") or "",  # 免提交（数据共享）, 免提交（电子证照）…
                "licence_identifier": getattr(m, "licence_identifier", "") or "",
            }
            for m in case.materials.all()
        ]
        return Notice(
            kind,
            KINDS[kind],
            NUMBER_MARKS[kind],
            case.accepted_on,
            {
                "materials": materials,
                "accepted_cn": cn_date(case.accepted_on),
                "promised_due_cn": cn_date(case.promised_due),
                "statutory_due_cn": cn_date(case.statutory_due),
                "completed_cn": cn_date(case.materials_completed_on),
            },
        )
    if kind == CORRECTION:
        event = _latest_event(case, "request_correction")
        if event is None:
            raise NoticeNotApplicable(kind)
        items = [i for i in (event.data or {}).get("items", []) if i.get("material")]
        return Notice(
            kind, KINDS[kind], NUMBER_MARKS[kind], cn_day(event.at), {"items": items, "note": event.note}
        )
    if kind == REFUSAL:
        event = _latest_event(case, "refuse")
        if event is None:
            raise NoticeNotApplicable(kind)
        return Notice(
            kind,
            KINDS[kind],
            NUMBER_MARKS[kind],
            cn_day(event.at),
            {
                "reason": case.refusal_reason or event.note,
                "competent_office": case.competent_office,
                "remedies": REMEDIES.format(doc="通知书"),
            },
        )
    if kind == SPECIAL_PROCEDURE:
        pause = case.pauses.order_by("-started_on", "-id").first()
        if pause is None:
            raise NoticeNotApplicable(kind)
        extension = pause.kind == Pause.Kind.EXTENSION
        return Notice(
            kind,
            EXTENSION_TITLE if extension else KINDS[kind],
            NUMBER_MARKS["extension" if extension else kind],
            pause.started_on,
            {
                "pause": pause,
                "extension": extension,
                "procedure": pause.get_kind_display(),
                "started_cn": cn_date(pause.started_on),
                "expected_end_cn": cn_date(_expected_end(pause)),
                "ended_cn": cn_date(pause.ended_on),
                "accepted_cn": cn_date(case.accepted_on),
            },
        )
    if kind == DECISION:
        event = _latest_event(case, "approve", "deny")
        if event is None:
            raise NoticeNotApplicable(kind)
        approved = event.action == "approve"
        return Notice(
            kind,
            APPROVAL_TITLE if approved else DENIAL_TITLE,
            NUMBER_MARKS[event.action],
            cn_day(case.decided_at or event.at),
            {
                "approved": approved,
                "reason": case.decision_reason or event.note,
                "result_name": case.version.result_name,
                "yields_licence": _yields_licence(case),
                "accepted_cn": cn_date(case.accepted_on),
                "remedies": REMEDIES.format(doc="决定书"),
            },
        )
    raise NoticeNotApplicable(kind)


def _yields_licence(case: Case) -> bool:
    from banhao.licences import api as licences_api

    return licences_api.item_yields_licence(case.version.item_id)


def cn_day(moment: dt.datetime) -> dt.date:
    """The local calendar day of a stored moment."""
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def available_notices(case: Case) -> list[dict[str, str]]:
    """The notices this case has been issued, oldest first: [{kind, title, issued_on, issued_cn}]."""
    found = []
    for kind in KINDS:
        try:
            notice = notice_for(case, kind)
        except NoticeNotApplicable:
            continue
        found.append(
            {
                "kind": kind,
                "title": notice.title,
                "issued_on": notice.issued_on,
                "issued_cn": cn_date(notice.issued_on),
            }
        )
    return sorted(found, key=lambda n: n["issued_on"])  # stable: same day keeps the order of KINDS


# --- rendering ------------------------------------------------------------------------------


def notice_context(case: Case, notice: Notice, *, base_url: str | None = None) -> dict[str, Any]:
    url = status_url(case, base_url)
    return {
        "case": case,
        "notice": notice,
        "title": notice.title,
        "doc_number": document_number(case, notice.mark),
        "issued_cn": cn_date(notice.issued_on),
        "department": case.department.name,
        "region": case.region.name,
        "applicant": applicant_name(case),
        "item": case.version.display_name,
        "submitted_cn": cn_date(case.submitted_at),
        "status_url": url,
        "base_url": (base_url or site_base_url()).rstrip("/"),  # links a notice makes by URL name
        "lookup_url": lookup_url(base_url),
        "qr": qr_data_uri(url),
        "phone": consult_phone(case),
        "site": settings.BANHAO_SITE,
        **notice.data,
    }


def notice_html(case: Case, kind: str, *, base_url: str | None = None) -> str:
    """The notice as a complete HTML document (what the PDF is made from)."""
    notice = notice_for(case, kind)
    data = notice_context(case, notice, base_url=base_url)
    data["fonts"] = pdf.font_stacks()
    return render_to_string(f"cases/notice_{kind}.html", data)


def render_notice(case: Case, kind: str, *, base_url: str | None = None) -> bytes:
    """The PDF of the notice of that kind.

    ``base_url`` is the site's address for the QR code and the links (a view passes
    ``request.build_absolute_uri("/")``); without it the configured site address is used.
    Raises NoticeNotApplicable when the case has no such notice and pdf.PdfUnavailable when
    this server cannot make PDFs.
    """
    pdf.check_available()
    return pdf.render_pdf(notice_html(case, kind, base_url=base_url))
