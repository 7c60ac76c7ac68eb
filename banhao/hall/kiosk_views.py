"""Hall devices without login: the ticket kiosk and the 24-hour self-service area.

Ticket kiosk (取号机), ``/hall/<hall>/kiosk/``:

1. choose a business: the hall's zones that take tickets (letter, name, people waiting);
2. identify: a resident ID number (the card reader types it into the focused field) or a mobile
   number (an on-screen keypad with JS, a plain field without);
3. the ticket: the number, the business, people ahead, the time, the windows serving it, the
   masked ID, a print button (an 80 mm slip) and the voice "您已领取A005号，前方等待3人".

Appointment check-in (预约签到), ``/hall/<hall>/kiosk/check-in/``: a booking code or the ID
number turns today's booking into a ticket; the same ticket page follows.

24-hour self-service area (24小时自助服务区), ``/hall/<hall>/self-service/``: large tiles for
查办事指南 (the catalog of the hall's region, a guide in kiosk mode), 自助取号 (the kiosk),
办件查询 (case number + contact phone, the rules and failure throttle of /cases/lookup/)
and 打印决定书 (case number + the applicant's ID number; the PDF inline for printing).

Every step is a plain HTML form (POST with CSRF); a double tap is harmless because the service
hands back the ticket already taken. The ticket page and the decision page are reached by a
signed link that expires after a few minutes, pages are never cached, and hall-kiosk.js
returns every page to the start after a visible idle countdown, clearing the screen.
"""

from __future__ import annotations

from csp.constants import SELF
from csp.decorators import csp_replace
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods

import banhao.cases.api as cases
import banhao.catalog.api as catalog
import banhao.org.api as org
from banhao.core import pdf
from banhao.core.masking import mask_phone
from banhao.core.qr import qr_data_uri

from . import services
from .forms_kiosk import CheckInForm, DecisionForm, GuideSearchForm, IdentifyForm, LookupForm
from .models import Appointment, Green, Ticket

TICKET_SALT = "hall.kiosk.ticket"
DECISION_SALT = "hall.self-service.decision"
LINK_SECONDS = 300  # a ticket or decision link opens for 5 minutes, then leads to the start
TICKET_IDLE_SECONDS = 30  # the ticket page clears sooner: the slip is printed, the screen must not stay


def _idle_seconds() -> int:
    return int(getattr(settings, "BANHAO_KIOSK_IDLE_SECONDS", 90))


def _hall(hall_id: int) -> org.HallInfo:
    hall = org.hall_info(hall_id)
    if hall is None:
        raise Http404("没有这个大厅。")
    return hall


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _ctx(request, hall: org.HallInfo, *, home: str, **extra) -> dict:
    """What every kiosk page needs: the hall, where the idle reset leads, and its timing."""
    return {
        "hall": hall,
        "home_url": reverse(f"hall:{home}", args=[hall.id]),
        "kiosk_url": reverse("hall:kiosk", args=[hall.id]),
        "self_service_url": reverse("hall:self_service", args=[hall.id]),
        "idle_seconds": _idle_seconds(),
        "countdown_seconds": 10,
        **extra,
    }


def _ticket_zones(hall: org.HallInfo) -> list[org.ZoneInfo]:
    return [z for z in hall.zones if z.takes_tickets]


# --- the ticket kiosk ---------------------------------------------------------------------------


@never_cache
@require_GET
def kiosk(request, hall_id: int):
    """Step 1: choose a business."""
    return _start(request, _hall(hall_id))


def _start(request, hall: org.HallInfo, *, error: str = "", status: int = 200):
    now = timezone.localtime()
    waiting = dict(
        Ticket.objects.filter(hall_id=hall.id, day=now.date(), status=Ticket.Status.WAITING)
        .values("zone_id")
        .annotate(n=Count("id"))
        .values_list("zone_id", "n")
    )
    zones = [{"zone": z, "waiting": waiting.get(z.id, 0)} for z in _ticket_zones(hall)]
    return render(
        request,
        "hall/kiosk/start.html",
        _ctx(
            request,
            hall,
            home="kiosk",
            zones=zones,
            closed="" if services.is_open(hall, now) else services.closed_message(hall),
            error=error,
        ),
        status=status,
    )


def _ticket_link(hall_id: int, ticket: Ticket, *, again: bool) -> str:
    token = signing.dumps({"t": ticket.pk, "a": int(again)}, salt=TICKET_SALT, compress=True)
    return reverse("hall:kiosk_ticket", args=[hall_id, token])


@never_cache
@require_http_methods(["GET", "POST"])
def identify(request, hall_id: int, zone_id: int):
    """Step 2: ID card / ID number or mobile number; POST takes the ticket."""
    hall = _hall(hall_id)
    zone = hall.zone(zone_id)
    if zone is None or not zone.takes_tickets:
        # e.g. F (the self-service area) has no queue: back to the choice, nothing taken.
        return _start(request, hall, error="该区域无需取号，请选择要办理的业务。", status=400)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        form = IdentifyForm(request.POST)
        if form.is_valid():
            try:
                ticket, created = services.ticket_issue(
                    hall_id=hall.id,
                    zone_id=zone.id,
                    source=Ticket.Source.KIOSK,
                    resident_id=form.cleaned_data["resident_id"],
                    phone=form.cleaned_data["phone"],
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                return redirect(_ticket_link(hall.id, ticket, again=not created))
        else:
            errors = _messages(form)
        status = 400
    # After an error the form comes back empty: the numbers typed are never sent back to the
    # screen (the next person must not find them), the messages say what to correct.
    return render(
        request,
        "hall/kiosk/identify.html",
        _ctx(request, hall, home="kiosk", zone=zone, form=IdentifyForm(), errors=errors),
        status=status,
    )


@never_cache
@require_GET
def ticket_page(request, hall_id: int, token: str):
    """Step 3: the ticket (screen and 80 mm slip). The link works for LINK_SECONDS only."""
    hall = _hall(hall_id)
    try:
        data = signing.loads(token, salt=TICKET_SALT, max_age=LINK_SECONDS)
        ticket = Ticket.objects.get(pk=int(data["t"]), hall_id=hall.id)
    except (signing.BadSignature, KeyError, TypeError, ValueError, Ticket.DoesNotExist):
        return redirect("hall:kiosk", hall.id)
    zone = hall.zone(ticket.zone_id)
    ahead = services.people_ahead(ticket) if ticket.status == Ticket.Status.WAITING else 0
    windows = [w for w in hall.windows if w.active and ticket.zone_id in w.served_zone_ids]
    issued = timezone.localtime(ticket.issued_at)
    appointment = Appointment.objects.filter(ticket=ticket).only("start", "end").first()
    speak = f"您已领取{ticket.number}号，前方等待{ahead}人"
    return render(
        request,
        "hall/kiosk/ticket.html",
        _ctx(
            request,
            hall,
            home="kiosk",
            ticket=ticket,
            zone=zone,
            ahead=ahead,
            windows=windows,
            issued=issued,
            again=bool(data.get("a")),
            waiting=ticket.status == Ticket.Status.WAITING,
            green=Green(ticket.green).label if ticket.green else "",
            who=ticket.id_masked or mask_phone(ticket.phone),
            who_label="身份证" if ticket.id_masked else "手机",
            appointment=appointment,
            speak=speak,
            idle_seconds=TICKET_IDLE_SECONDS,
            refresh_seconds=TICKET_IDLE_SECONDS + 20,
        ),
    )


def _checked_in_ticket(hall_id: int, code: str, resident_id: str) -> Ticket | None:
    """A booking checked in a moment ago (a double tap): its ticket, while still waiting."""
    from banhao.core.identifiers import normalize_resident_id
    from banhao.registry.api import person_by_resident_id

    today = timezone.localdate()
    qs = Appointment.objects.filter(
        hall_id=hall_id,
        day=today,
        status=Appointment.Status.CHECKED_IN,
        ticket__status=Ticket.Status.WAITING,
    ).select_related("ticket")
    code = (code or "").strip().upper()
    if code:
        appt = qs.filter(code=code).first()
    else:
        try:
            person = person_by_resident_id(normalize_resident_id(resident_id))
        except ValidationError:
            return None
        appt = qs.filter(person_id=person.id).order_by("-changed_at").first() if person else None
    return appt.ticket if appt else None


@never_cache
@require_http_methods(["GET", "POST"])
def check_in(request, hall_id: int):
    """预约签到: a booking code or the ID number → the ticket page."""
    hall = _hall(hall_id)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        form = CheckInForm(request.POST)
        if form.is_valid():
            code, rid = form.cleaned_data["code"], form.cleaned_data["resident_id"]
            try:
                ticket = services.appointment_check_in(hall_id=hall.id, code=code, resident_id=rid)
            except ValidationError as exc:
                again = _checked_in_ticket(hall.id, code, rid)
                if again is not None:
                    return redirect(_ticket_link(hall.id, again, again=True))
                errors = exc.messages
            else:
                return redirect(_ticket_link(hall.id, ticket, again=False))
        else:
            errors = _messages(form)
        status = 400
    return render(
        request,
        "hall/kiosk/check_in.html",
        _ctx(request, hall, home="kiosk", form=CheckInForm(), errors=errors),
        status=status,
    )


def _messages(form) -> list[str]:
    out = []
    for field, msgs in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        out += [f"{label}：{m}" if label else m for m in msgs]
    return out


# --- the 24-hour self-service area ------------------------------------------------------------


@never_cache
@require_GET
def self_service(request, hall_id: int):
    hall = _hall(hall_id)
    return render(request, "hall/kiosk/self_service.html", _ctx(request, hall, home="self_service"))


@never_cache
@require_GET
def guide_search(request, hall_id: int):
    """查办事指南: the published items of the hall's region, big."""
    hall = _hall(hall_id)
    form = GuideSearchForm(request.GET or None)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    result = catalog.search_items(q, region_code=hall.region_code, limit=12)
    return render(
        request,
        "hall/kiosk/guide_search.html",
        _ctx(request, hall, home="self_service", form=form, q=q, result=result),
    )


@never_cache
@require_GET
def guide_detail(request, hall_id: int, implementation_id: int):
    """One guide in kiosk mode: the essentials large, and a QR code to read it on the phone."""
    hall = _hall(hall_id)
    impl, version = catalog.published_for_application(implementation_id)
    if impl is None:
        raise Http404("该事项未发布。")
    content = catalog.version_content(version)
    guide_url = reverse("guide:detail", args=[impl.pk])
    materials = [m for m in content.get("materials") or [] if m.get("name")]
    return render(
        request,
        "hall/kiosk/guide_detail.html",
        _ctx(
            request,
            hall,
            home="self_service",
            impl=impl,
            title=version.display_name,
            c=content,
            materials=materials,
            guide_url=guide_url,
            qr=qr_data_uri(request.build_absolute_uri(guide_url)),
        ),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request, hall_id: int):
    """办件查询: case number + contact phone (the rules and throttle of /cases/lookup/)."""
    hall = _hall(hall_id)
    errors: list[str] = []
    result = None
    status = 200
    if request.method == "POST":
        form = LookupForm(request.POST)
        if cases.lookup_throttled(_ip(request)):
            errors = [cases.LOOKUP_THROTTLED]
        elif form.is_valid():
            try:
                result = cases.case_lookup(
                    number=form.cleaned_data["number"], phone=form.cleaned_data["phone"], ip=_ip(request)
                )
            except ValidationError as exc:
                errors = exc.messages
        else:
            errors = _messages(form)
        status = 200 if result else 400
    ctx = _ctx(request, hall, home="self_service", form=LookupForm(), errors=errors, result=result)
    if result is not None:
        ctx["refresh_seconds"] = ctx["idle_seconds"] + 30
    return render(request, "hall/kiosk/lookup.html", ctx, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def decision(request, hall_id: int):
    """打印决定书: case number + the applicant's ID number → the decision, ready to print."""
    hall = _hall(hall_id)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if cases.lookup_throttled(_ip(request)):
            errors = [cases.LOOKUP_THROTTLED]
        elif form.is_valid():
            try:
                case_id = cases.decision_check(
                    number=form.cleaned_data["number"],
                    resident_id=form.cleaned_data["resident_id"],
                    ip=_ip(request),
                    actor_label=f"{hall.name}24小时自助服务区",
                )
            except ValidationError as exc:
                errors = exc.messages
            else:
                token = signing.dumps({"c": case_id, "h": hall.id}, salt=DECISION_SALT, compress=True)
                ctx = _ctx(
                    request,
                    hall,
                    home="self_service",
                    pdf_url=reverse("hall:self_service_decision_pdf", args=[hall.id, token]),
                )
                ctx["refresh_seconds"] = ctx["idle_seconds"] + 30
                return render(request, "hall/kiosk/decision_ready.html", ctx)
        else:
            errors = _messages(form)
        status = 400
    return render(
        request,
        "hall/kiosk/decision.html",
        _ctx(request, hall, home="self_service", form=DecisionForm(), errors=errors),
        status=status,
    )


# Shown inside the kiosk page (which keeps the idle reset): framing by this site only, and the
# browser's own PDF viewer (an embedded plugin) must not be refused by object-src.
@csp_replace({"frame-ancestors": [SELF], "object-src": [SELF]})
@xframe_options_sameorigin
@never_cache
@require_GET
def decision_pdf(request, hall_id: int, token: str):
    """The decision as an inline PDF, for the link made by ``decision`` (valid 5 minutes)."""
    hall = _hall(hall_id)
    try:
        data = signing.loads(token, salt=DECISION_SALT, max_age=LINK_SECONDS)
        case_id = int(data["c"])
        if int(data["h"]) != hall.id:
            raise ValueError
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return redirect("hall:self_service", hall.id)
    try:
        doc = cases.decision_pdf(case_id, base_url=request.build_absolute_uri("/"))
    except LookupError:
        raise Http404("没有可打印的决定书。") from None
    except pdf.PdfUnavailable:
        return render(
            request,
            "hall/kiosk/pdf_unavailable.html",
            _ctx(request, hall, home="self_service"),
            status=503,
        )
    response = HttpResponse(doc.body, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, doc.filename)  # inline: print
    return response


__all__ = [
    "check_in",
    "decision",
    "decision_pdf",
    "guide_detail",
    "guide_search",
    "identify",
    "kiosk",
    "lookup",
    "self_service",
    "ticket_page",
]
