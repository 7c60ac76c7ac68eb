"""Online appointments for applicants (预约取号): book, my appointments, cancel, reschedule.

Every page works as plain GET links and POST forms, without JavaScript. Booking is one page
that grows step by step from its GET parameters: hall → zone (bookable zones only) → an
optional item (search) → a day among the next working days → a slot of the grid (remaining
places, 约满 / 已过 greyed out and said in words) → the confirmation with the phone from the
registry. The services decide what may be booked (working days, capacity, one booking per
person, zone and day) and their Chinese messages are shown as they are.

A double click sends the confirmation twice: the second is refused by the service (and the
unique constraint behind it), and the page then shows the booking the first click made.

Only applicant accounts book; anonymous visitors go to the login page and staff accounts get
a 403 page in Chinese. An appointment that is not the applicant's own answers 404.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

import banhao.org.api as org
from banhao.catalog.api import published_for_application, search_items
from banhao.core.calendar import is_workday
from banhao.registry.api import applicant_identity

from . import services
from .forms_appointment import BookForm, SlotForm, parse_day, parse_int, parse_time
from .models import Appointment

WEEKDAYS = "一二三四五六日"
ITEM_HITS = 8
A = Appointment.Status
STATUS_TONE = {A.BOOKED: "ok", A.CHECKED_IN: "", A.CANCELLED: "muted", A.NO_SHOW: "danger"}


# --- helpers -------------------------------------------------------------------------------------


def applicant_required(view):
    """Logged-in applicant accounts with a registry identity (``request.identity``).

    Anonymous users go to the login page; staff and accounts without an identity get 403."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not getattr(request.user, "is_applicant", False):
            return _forbidden(request, "staff")
        identity = applicant_identity(request.user)
        if identity is None:
            return _forbidden(request, "no_profile")
        request.identity = identity
        return view(request, *args, **kwargs)

    return wrapped


def _forbidden(request, reason: str):
    return render(request, "hall/appointment/forbidden.html", {"reason": reason}, status=403)


def _day_label(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日（星期{WEEKDAYS[day.weekday()]}）"


def _query(**params) -> str:
    """``?a=1&b=2`` of the non-empty parameters (the links of the booking steps)."""
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return "?" + urlencode(clean) if clean else "?"


def _day_refusal(day: dt.date, days: list[dt.date]) -> str:
    """Why a day typed into the address cannot be booked (the services' wording)."""
    if not is_workday(day):
        return f"{day:%Y年%-m月%-d日}是非工作日，大厅不办公，请选择工作日。"
    return f"只能预约今天起{services.BOOK_AHEAD_WORKDAYS}个工作日内的时段。"


def _slot_rows(hall, zone, day: dt.date, now, link) -> list[dict]:
    """The slot grid: each slot with what it says in words (余N个 / 约满 / 已过)."""
    rows = []
    for s in services.slots_for(hall, zone, day, now):
        begins = timezone.make_aware(dt.datetime.combine(day, s["start"]))
        if begins <= now:
            state, note = "past", "已过"
        elif s["left"] <= 0:
            state, note = "full", "约满"
        elif not s["open"]:
            state, note = "closed", "不可约"
        else:
            state, note = "open", f"余{s['left']}个"
        rows.append(
            {
                **s,
                "state": state,
                "note": note,
                "value": s["start"].strftime("%H:%M"),
                "label": f"{s['start']:%H:%M}—{s['end']:%H:%M}",
                "href": link(s["start"].strftime("%H:%M")) if state == "open" else "",
            }
        )
    return rows


def _item(implementation_id: int | None) -> tuple[int, str] | None:
    """(implementation id, name) of a published item, or None."""
    if not implementation_id:
        return None
    impl, version = published_for_application(implementation_id)
    if impl is None:
        return None
    return impl.pk, version.display_name


def _item_hits(q: str, hall, zone) -> list:
    """Items matching the search, in the hall's region first (and the zone's business)."""
    kind = (
        zone.kind if zone.kind in {"investment", "construction", "market", "agriculture", "social"} else None
    )
    hits = list(search_items(q, region_code=hall.region_code, zone=kind, limit=ITEM_HITS).hits)
    if not hits:
        hits = list(search_items(q, region_code=hall.region_code, limit=ITEM_HITS).hits)
    return hits


class _Halls:
    """Halls and zones by id, read once per request (for the lists of appointments)."""

    def __init__(self):
        self._cache: dict[int, org.HallInfo | None] = {}

    def hall(self, hall_id: int):
        if hall_id not in self._cache:
            self._cache[hall_id] = org.hall_info(hall_id, windows=False)
        return self._cache[hall_id]

    def describe(self, appt: Appointment, now) -> dict:
        hall = self.hall(appt.hall_id)
        zone = hall.zone(appt.zone_id) if hall else None
        ends = timezone.make_aware(dt.datetime.combine(appt.day, appt.end))
        changeable = services.appointment_changeable(appt, now)
        return {
            "a": appt,
            "hall_name": hall.name if hall else "",
            "hall_address": hall.address if hall else "",
            "hall_phone": hall.phone if hall else "",
            "zone_name": zone.name if zone else "",
            "zone_floor": zone.floor if zone else "",
            "day_label": _day_label(appt.day),
            "time_label": f"{appt.start:%H:%M}—{appt.end:%H:%M}",
            "tone": STATUS_TONE.get(appt.status, ""),
            "changeable": changeable,
            "upcoming": appt.status == A.BOOKED and ends > now,
        }


def _own(request, pk: int) -> Appointment:
    return get_object_or_404(Appointment, pk=pk, user=request.user)


# --- booking ------------------------------------------------------------------------------------


@applicant_required
@require_http_methods(["GET", "POST"])
def book(request):
    """GET/POST /hall/appointments/ — choose and confirm an appointment."""
    if request.method == "POST":
        return _book_post(request)
    return _book_page(request, request.GET)


def _book_post(request):
    form = BookForm(request.POST)
    if not form.is_valid():
        errors = [e for field in form.errors.values() for e in field]
        return _book_page(request, request.POST, errors=errors)
    data = form.cleaned_data
    item = _item(data["item"])
    try:
        appt = services.appointment_book(
            user=request.user,
            person_id=request.identity.person.id,
            phone=data["phone"],
            hall_id=data["hall"],
            zone_id=data["zone"],
            day=data["day"],
            start=data["start"],
            implementation_id=item[0] if item else None,
            item_name=item[1] if item else "",
        )
    except ValidationError as exc:
        # A double click (or a resent form): the first request booked this very slot.
        first = Appointment.objects.filter(
            user=request.user,
            person_id=request.identity.person.id,
            zone_id=data["zone"],
            day=data["day"],
            start=data["start"],
            status=A.BOOKED,
        ).first()
        if first is not None:
            messages.info(request, "您已成功预约该时段，无需重复提交。")
            return redirect("hall:appointment_detail", first.pk)
        return _book_page(request, request.POST, errors=list(exc.messages))
    messages.success(request, f"预约成功，预约码 {appt.code}，短信已发送至您的手机。")
    return redirect("hall:appointment_detail", appt.pk)


def _book_page(request, params, *, errors=None):
    now = timezone.localtime()
    errors = list(errors or [])
    identity = request.identity
    halls = org.hall_list()
    hall_id = parse_int(params.get("hall"))
    if hall_id is None and len(halls) == 1:
        hall_id = halls[0][0]
    hall = org.hall_info(hall_id, windows=False) if hall_id else None
    if hall_id and hall is None:
        errors.append("没有找到该大厅，请重新选择。")
    zones = [z for z in hall.zones if z.bookable] if hall else []
    zone = None
    zone_id = parse_int(params.get("zone"))
    if hall and zone_id:
        zone = next((z for z in zones if z.id == zone_id), None)
        if zone is None:
            errors.append("该功能区不接受预约，请选择其他业务。")
    if hall and zone is None and len(zones) == 1:
        zone = zones[0]

    q = " ".join((params.get("q") or "").split())[:50]
    item = _item(parse_int(params.get("item"))) if zone else None
    hits = _item_hits(q, hall, zone) if zone and q and not item else []

    days = services.bookable_days(now, hall=hall)
    raw_day = params.get("day") or ""
    day = parse_day(raw_day) if zone else None
    if zone and raw_day and day is None:
        errors.append("预约日期格式应为 年-月-日。")
    if day is not None and day not in days:
        if request.method == "GET":
            errors.append(_day_refusal(day, days))
            day = None

    def link(**extra):
        base = {
            "hall": hall.id if hall else "",
            "zone": zone.id if zone else "",
            "item": item[0] if item else "",
        }
        base.update(extra)
        return _query(**base)

    slots = []
    if day is not None and day in days:
        slots = _slot_rows(
            hall, zone, day, now, lambda start: link(day=day.isoformat(), start=start) + "#confirm"
        )
    start = parse_time(params.get("start")) if day else None
    chosen = next((s for s in slots if s["start"] == start), None) if start else None
    if start and request.method == "GET" and (chosen is None or chosen["state"] != "open"):
        errors.append(
            "该时段已约满，请选择其他时段。"
            if chosen and chosen["state"] == "full"
            else "该时段已开始或已过，请选择之后的时段。"
            if chosen and chosen["state"] == "past"
            else "请选择大厅办公时间内的预约时段。"
        )
        chosen = None
    if request.method == "POST" and day is not None and start is not None and chosen is None:
        # the form as it was posted (a refused holiday, a slot outside the hours)
        chosen = {"start": start, "value": start.strftime("%H:%M"), "label": start.strftime("%H:%M")}

    context = {
        "halls": halls,
        "hall": hall,
        "zones": zones,
        "zone": zone,
        "q": q,
        "hits": hits,
        "item": item,
        "days": [
            {
                "day": d,
                "label": _day_label(d),
                "href": link(day=d.isoformat()) + "#slots",
                "today": d == now.date(),
            }
            for d in days
        ],
        "day": day,
        "day_label": _day_label(day) if day else "",
        "slots": slots,
        "chosen": chosen,
        "phone": params.get("phone", identity.person.phone)
        if request.method == "POST"
        else identity.person.phone,
        "identity": identity,
        "errors": errors,
        "zone_links": [{"zone": z, "href": _query(hall=hall.id, zone=z.id)} for z in zones] if hall else [],
        "clear_item_href": link(item="", day=day.isoformat() if day else ""),
        "item_links": [
            {"hit": h, "href": link(item=h.implementation_id, day=day.isoformat() if day else "")}
            for h in hits
        ],
        "ahead": services.BOOK_AHEAD_WORKDAYS,
        "check_in_minutes": int(services.CHECK_IN_EARLY.total_seconds() // 60),
    }
    return render(request, "hall/appointment/book.html", context)


# --- my appointments -----------------------------------------------------------------------------


@applicant_required
@require_GET
def mine(request):
    """GET /hall/appointments/mine/ — the applicant's upcoming and past appointments."""
    now = timezone.localtime()
    halls = _Halls()
    rows = [
        halls.describe(a, now) for a in Appointment.objects.filter(user=request.user).order_by("day", "start")
    ]
    upcoming = [r for r in rows if r["upcoming"]]
    past = sorted(
        (r for r in rows if not r["upcoming"]), key=lambda r: (r["a"].day, r["a"].start), reverse=True
    )
    return render(request, "hall/appointment/mine.html", {"upcoming": upcoming, "past": past[:50]})


@applicant_required
@require_GET
def detail(request, pk: int):
    """GET /hall/appointments/mine/<id>/ — one appointment with its booking code, big."""
    appt = _own(request, pk)
    row = _Halls().describe(appt, timezone.localtime())
    return render(
        request,
        "hall/appointment/detail.html",
        {"row": row, "a": appt, "check_in_minutes": int(services.CHECK_IN_EARLY.total_seconds() // 60)},
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def cancel(request, pk: int):
    """GET asks to confirm; POST cancels (the slot's place is freed)."""
    appt = _own(request, pk)
    if request.method == "POST":
        try:
            services.appointment_cancel(user=request.user, appointment=appt)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
            return redirect("hall:appointment_detail", appt.pk)
        messages.success(request, f"已取消预约 {appt.code}，该时段名额已释放。")
        return redirect("hall:my_appointments")
    row = _Halls().describe(appt, timezone.localtime())
    return render(request, "hall/appointment/cancel.html", {"row": row, "a": appt})


@applicant_required
@require_http_methods(["GET", "POST"])
def reschedule(request, pk: int):
    """GET chooses another day and slot of the same zone; POST moves the appointment."""
    appt = _own(request, pk)
    now = timezone.localtime()
    halls = _Halls()
    row = halls.describe(appt, now)
    errors: list[str] = []
    if request.method == "POST":
        form = SlotForm(request.POST)
        if form.is_valid():
            try:
                services.appointment_reschedule(
                    user=request.user,
                    appointment=appt,
                    day=form.cleaned_data["day"],
                    start=form.cleaned_data["start"],
                )
            except ValidationError as exc:
                errors = list(exc.messages)
            else:
                appt.refresh_from_db()
                messages.success(
                    request, f"已改约到{_day_label(appt.day)} {appt.start:%H:%M}—{appt.end:%H:%M}。"
                )
                return redirect("hall:appointment_detail", appt.pk)
        else:
            errors = [e for field in form.errors.values() for e in field]
        params = request.POST
    else:
        params = request.GET
    if not row["changeable"]:
        messages.error(request, f"该预约{appt.get_status_display()}或时段已开始，不能改约。")
        return redirect("hall:appointment_detail", appt.pk)

    hall = halls.hall(appt.hall_id)
    zone = hall.zone(appt.zone_id)
    days = services.bookable_days(now, hall=hall)
    raw_day = params.get("day") or ""
    day = parse_day(raw_day)
    if raw_day and day is None:
        errors.append("预约日期格式应为 年-月-日。")
    if day is not None and day not in days and request.method == "GET":
        errors.append(_day_refusal(day, days))
        day = None
    if day is None and request.method == "GET" and not raw_day and appt.day in days:
        day = appt.day
    base = reverse("hall:appointment_reschedule", args=[appt.pk])
    slots = []
    if day is not None and day in days:
        slots = _slot_rows(
            hall, zone, day, now, lambda start: base + _query(day=day.isoformat(), start=start) + "#confirm"
        )
        for s in slots:
            s["current"] = day == appt.day and s["start"] == appt.start
            if s["current"]:
                s["state"], s["note"], s["href"] = "current", "当前预约", ""
    start = parse_time(params.get("start")) if day else None
    chosen = next((s for s in slots if s["start"] == start and s["state"] == "open"), None) if start else None
    if start and chosen is None and request.method == "GET":
        errors.append("该时段不可预约，请选择其他时段。")
    if request.method == "POST" and chosen is None and day and start:
        chosen = {"start": start, "value": start.strftime("%H:%M"), "label": start.strftime("%H:%M")}
    context = {
        "row": row,
        "a": appt,
        "days": [
            {
                "day": d,
                "label": _day_label(d),
                "href": base + _query(day=d.isoformat()) + "#slots",
                "today": d == now.date(),
            }
            for d in days
        ],
        "day": day,
        "day_label": _day_label(day) if day else "",
        "slots": slots,
        "chosen": chosen,
        "errors": errors,
    }
    return render(request, "hall/appointment/reschedule.html", context)
