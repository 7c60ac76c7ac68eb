"""Comprehensive acceptance at the window (前台综合受理), /hall/desk/accept/.

From the ticket the window is serving (Desk.current), the clerk searches any item of the city's
catalog, opens it (an item of another region only under 全市通办), identifies the applicant from
the ID card (prefilled from the registry, registered on the spot when unknown), works through
the situations, the materials checklist and the form, and chooses the outcome: 受理, 一次性告知
补正 or 不予受理. The case is made by banhao.cases (window_case_submit), linked to the ticket,
and the page offers the printed notice and "继续受理其他事项" for the same visit.

Every POST redraws the same page from what was sent, so a validation error loses nothing; files
that passed the upload check are carried in signed tokens. The hidden idempotency key makes a
double submit return the case already made.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

import banhao.org.api as org
from banhao.cases.api import (
    WindowItemRefused,
    case_summaries,
    window_case,
    window_case_readable,
    window_item,
    window_item_labels,
    window_notice,
)
from banhao.catalog.api import search_items
from banhao.core import pdf
from banhao.core.masking import mask_phone, mask_resident_id
from banhao.org.api import staff_required
from banhao.registry.api import ApplicantIdentity, person_by_id

from . import selectors, services
from .acceptance_form import (
    WINDOW_MAX_UPLOAD_MB,
    WINDOW_UPLOAD_ACCEPT,
    window_clean_key,
    window_merge,
    window_new_data,
    window_page,
    window_validate,
)
from .forms_acceptance import ApplicantForm
from .models import Ticket, TicketCase

SEARCH_LIMIT = 30
ACTIONS = {"identify", "refresh", "submit"}


def desk_url() -> str:
    try:
        return reverse("hall:desk")
    except NoReverseMatch:  # the workstation is mounted at /hall/desk/
        return "/hall/desk/"


@dataclass(frozen=True)
class Station:
    """The clerk at a window of a hall, and the ticket the window is serving."""

    staff: org.StaffInfo
    window: org.WindowInfo
    hall: org.HallInfo
    ticket: Ticket


def _station(request) -> tuple[Station | None, HttpResponse | None]:
    """(station, None) when the clerk is at a window serving a ticket; else (None, the page
    that says what is missing, with the way back to the workstation)."""
    st = selectors.station_for(request.user)
    if st.window is None:
        reason = "您当前未分配窗口，不能受理申请。请联系大厅管理人员为您指定所在窗口。"
        return None, _blocked(request, reason)
    if st.ticket is None:
        reason = "当前窗口没有正在办理的号码。请先在叫号页面呼叫办事人，再从当前号码进入受理。"
        return None, _blocked(request, reason)
    hall = org.hall_info(st.window.hall_id, windows=False)
    return Station(st.staff, st.window, hall, st.ticket), None


def _blocked(request, reason: str) -> HttpResponse:
    return render(
        request, "hall/acceptance/blocked.html", {"reason": reason, "desk_url": desk_url()}, status=409
    )


def _ticket_cases(ticket) -> list[dict]:
    return case_summaries(list(ticket.cases.order_by("at", "id").values_list("case_id", flat=True)))


def _ticket_context(station: Station) -> dict:
    ticket = station.ticket
    return {
        "station": station,
        "ticket": ticket,
        "ticket_phone": mask_phone(ticket.phone),
        "ticket_cases": _ticket_cases(ticket),
        "desk_url": desk_url(),
    }


# --- step 1: find the item -------------------------------------------------------------------------


@staff_required("hall.desk")
@require_GET
def start(request):
    """GET /hall/desk/accept/?q= — search any item of the city for the ticket being served."""
    station, blocked = _station(request)
    if blocked:
        return blocked
    q = " ".join(request.GET.get("q", "").split())[:50]
    hits, labels, total = [], {}, 0
    if q:
        result = search_items(q, limit=SEARCH_LIMIT)
        hits, total = list(result.hits), result.total
        labels = window_item_labels(
            [h.implementation_id for h in hits], hall_region_id=station.hall.region_id
        )
    rows = [
        {
            "hit": h,
            "own": h.region_code == station.hall.region_code,
            "label": labels.get(h.implementation_id, ("", ""))[0],
            "refusal": labels.get(h.implementation_id, ("", ""))[1],
        }
        for h in hits
    ]
    rows.sort(key=lambda r: (not r["own"], not r["label"]))  # the hall's own region first
    return render(
        request,
        "hall/acceptance/start.html",
        {**_ticket_context(station), "q": q, "rows": rows, "total": total},
    )


# --- step 2: the application -----------------------------------------------------------------------


def _applicant_initial(ticket) -> dict:
    """The ticket's person (a ticket taken with an ID card or an appointment) prefills the ID."""
    if ticket.person_id:
        person = person_by_id(ticket.person_id)
        if person is not None:
            return {"resident_id": person.resident_id, "name": person.name, "phone": person.phone}
    return {"phone": ticket.phone}


def _render(request, station, item, applicant_form, identity, data, *, errors=None, status=200):
    errors = errors or {}
    content = item.content
    rows = window_page(content, data, identity, errors) if identity is not None else {}
    labels = {}
    for r in rows.get("fields", []):
        labels[r["input"]] = r["label"]
    for r in rows.get("situations", []):
        labels[r["input"]] = r["question"]
    for r in rows.get("materials", []):
        labels[r["input"]] = r["name"]
    labels.update(
        {
            "contact_phone": "联系电话",
            "outcome": "受理结果",
            "refusal_reason": "不予受理理由",
            "resident_id": "身份证号码",
            "name": "姓名",
            "phone": "手机号码",
            "credit_code": "统一社会信用代码",
        }
    )
    summary = [{"input": k, "label": labels.get(k, ""), "message": v} for k, v in errors.items()]
    post = request.POST if request.method == "POST" else {}
    return render(
        request,
        "hall/acceptance/item.html",
        {
            **_ticket_context(station),
            "item": item,
            "c": content,
            "form": applicant_form,
            "identity": identity,
            "identity_id_masked": mask_resident_id(identity.person.resident_id) if identity else "",
            "key": data["key"],
            "errors": summary,
            "outcome": post.get("outcome", ""),
            "refusal_reason": post.get("refusal_reason", ""),
            "competent_office": post.get("competent_office", ""),
            "correction_note": post.get("correction_note", ""),
            "accept": WINDOW_UPLOAD_ACCEPT,
            "max_mb": WINDOW_MAX_UPLOAD_MB,
            **rows,
        },
        status=status,
    )


@staff_required("hall.desk")
@require_http_methods(["GET", "POST"])
def item(request, implementation_id: int):
    """GET/POST /hall/desk/accept/item/<implementation>/ — one application taken at the window."""
    station, blocked = _station(request)
    if blocked:
        return blocked
    try:
        found = window_item(implementation_id, hall_region_id=station.hall.region_id)
    except WindowItemRefused as exc:
        return render(
            request,
            "hall/acceptance/refused_item.html",
            {**_ticket_context(station), "reason": exc.messages[0]},
            status=403,
        )
    if found is None:
        raise Http404("没有找到该事项，或该事项已停止办理。")

    if request.method == "GET":
        initial = _applicant_initial(station.ticket)
        form = ApplicantForm(initial=initial)
        person = person_by_id(station.ticket.person_id) if station.ticket.person_id else None
        identity = ApplicantIdentity(person=person, organization=None) if person else None
        return _render(request, station, found, form, identity, window_new_data())

    action = request.POST.get("action", "")
    if action not in ACTIONS:
        action = "refresh"
    data = window_new_data()
    data["key"] = window_clean_key(request.POST.get("key")) or data["key"]
    upload_errors = window_merge(
        data, request.POST, request.FILES, found.content, staff_id=station.staff.staff_id
    )
    form = ApplicantForm(request.POST)
    identity = form.identity(actor=request.user, register=action in ("identify", "submit"))
    if identity is None:
        if not form.errors:  # a valid ID the registry does not know, and no registration asked
            form.add_error("name", "基础信息库中没有此人，请填写姓名后点“查询/登记”现场登记。")
        errors = {("resident_id" if k == "__all__" else k): v[0] for k, v in form.errors.items()}
        errors.update(upload_errors)
        return _render(request, station, found, form, None, data, errors=errors, status=400)
    if not form.data.get("name"):  # show the registry's name of the person identified
        form.data = form.data.copy()
        form.data["name"] = identity.person.name
    if action != "submit":
        status = 400 if upload_errors else 200
        return _render(request, station, found, form, identity, data, errors=upload_errors, status=status)

    result = window_validate(found.content, data, identity, request.POST)
    errors = {**result.errors, **upload_errors}
    if errors:
        return _render(request, station, found, form, identity, data, errors=errors, status=400)
    try:
        case = services.ticket_accept_application(
            actor=request.user,
            window_id=station.window.id,
            ticket_id=station.ticket.pk,
            implementation_id=found.implementation_id,
            hall_region_id=station.hall.region_id,
            person_id=identity.person.id,
            organization_id=identity.organization.id if identity.organization else None,
            result=result,
            idempotency_key=data["key"],
        )
    except ValidationError as exc:
        return _render(
            request, station, found, form, identity, data, errors={"__all__": exc.messages[0]}, status=400
        )
    return redirect("hall:accept_done", number=case.number)


# --- the outcome, and its notice -------------------------------------------------------------------


def _visible_case(request, number: str):
    """The case when the clerk may see it: the role reads cases (``cases.view``), and the case
    was made for a ticket of the clerk's hall (通办 across regions) or lies in the scope."""
    if not request.scope.can("cases.view"):
        raise Http404("未找到该办件。")
    case = window_case(number)
    if case is None:
        raise Http404("未找到该办件。")
    staff = org.staff_for_user(request.user)
    hall_id = staff.hall_id if staff else None
    if hall_id is None and staff and staff.window_id:
        window = org.window_info(staff.window_id, departments=False)
        hall_id = window.hall_id if window else None
    linked = (
        hall_id is not None and TicketCase.objects.filter(case_id=case.id, ticket__hall_id=hall_id).exists()
    )
    if not linked and not window_case_readable(request.user, case.number):
        raise Http404("未找到该办件。")
    return case


@staff_required("hall.desk")
@require_GET
def done(request, number: str):
    """GET /hall/desk/accept/done/<number>/ — the outcome, the notice to print, and the way on."""
    case = _visible_case(request, number)
    station, _ = _station(request)
    link = TicketCase.objects.filter(case_id=case.id).select_related("ticket").order_by("-at").first()
    ticket = link.ticket if link else None
    serving = station is not None and ticket is not None and station.ticket.pk == ticket.pk
    return render(
        request,
        "hall/acceptance/done.html",
        {
            "case": case,
            "ticket": ticket,
            "serving": serving,
            "ticket_cases": _ticket_cases(ticket) if ticket else [],
            "desk_url": desk_url(),
        },
    )


@staff_required("hall.desk")
@require_GET
def notice(request, number: str, kind: str):
    """GET /hall/desk/accept/notice/<number>/<kind>.pdf — the printed notice, for the clerk."""
    case = _visible_case(request, number)
    try:
        filename, body = window_notice(case.id, kind, base_url=request.build_absolute_uri("/"))
    except LookupError:
        raise Http404("该办件没有这种通知书。") from None
    except pdf.PdfUnavailable as exc:
        return render(
            request, "hall/acceptance/blocked.html", {"reason": str(exc), "desk_url": desk_url()}, status=503
        )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["Cache-Control"] = "private, no-store"
    return response
