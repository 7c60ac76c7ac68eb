"""The clerk's workstation at a window (/hall/desk/) and the hall index (/hall/).

The workstation's buttons are plain POST forms (they work without JavaScript and redirect
back); with htmx they swap only the panel. Every button calls exactly one hall service.
The rating pad at /hall/desk/pad/<window>/ belongs to the evaluation app (banhao.evaluation),
which reads the window's last finished visit through banhao.hall.api.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

import banhao.org.api as org
from banhao.core.masking import mask_phone
from banhao.org.api import staff_required

from . import selectors, services
from .models import Desk, Green, Ticket

# --- the hall index ------------------------------------------------------------------------------


@staff_required("org.view")
def index(request):
    """The halls in the staff member's scope, with their devices and pages."""
    scope = request.scope
    halls = [
        {"id": hid, "name": name, "region": region}
        for hid, name, region in org.hall_list(None if scope.is_city_wide else scope.region_ids)
    ]
    return render(
        request,
        "hall/index.html",
        {
            "halls": halls,
            "can_desk": scope.can("hall.desk"),
            "can_stats": scope.can("hall.stats"),
            "can_manage": scope.can("hall.manage"),
            "can_pickup": scope.can("hall.pickup"),
        },
    )


# --- the workstation -----------------------------------------------------------------------------


def _station(request):
    """(staff info, window info) of the clerk at a window; (staff, None) when not at one."""
    st = selectors.station_for(request.user)
    return st.staff, st.window


def _panel_context(staff, window, *, error: str = "") -> dict:
    hall = org.hall_info(window.hall_id)
    desk = Desk.objects.filter(window_id=window.id).select_related("current").first()
    current = desk.current if desk and desk.current_id else None
    served = [z for z in hall.zones if z.id in window.served_zone_ids]
    per_zone, mine = selectors.desk_queue(window, selectors.today())
    cases = []
    if current is not None:
        from banhao.cases.api import case_summaries

        cases = case_summaries(list(current.cases.values_list("case_id", flat=True)))
    return {
        "staff": staff,
        "window": window,
        "hall": hall,
        "desk": desk,
        "paused": bool(desk and desk.state == Desk.State.PAUSED),
        "current": current,
        "current_phone": mask_phone(current.phone) if current else "",
        "cases": cases,
        "served": [(z, per_zone[z.id]) for z in served],
        "transferred_here": mine,
        "zones": [z for z in hall.zones if z.takes_tickets],
        "other_windows": [w for w in hall.windows if w.active and w.id != window.id],
        "greens": Green.choices,
        "error": error,
    }


@staff_required("hall.desk")
@require_GET
def desk(request):
    staff, window = _station(request)
    if window is None:
        return render(request, "hall/desk/no_window.html", {"staff": staff}, status=200)
    # Opening the page signs the clerk in (a write, once a day or on a change of clerk); the
    # 5-second poll (htmx) only reads: no lock on the desk row that call-next locks, no write.
    if not request.htmx and not selectors.desk_signed_in(window.id, staff.staff_id, selectors.today()):
        services.desk_sign_in(window_id=window.id, staff_id=staff.staff_id, actor_label=staff.name)
    ctx = _panel_context(staff, window)
    if request.htmx and request.GET.get("part") == "queue":
        return render(request, "hall/desk/_queue.html", ctx)
    if request.htmx:
        return render(request, "hall/desk/_panel.html", ctx)
    return render(request, "hall/desk/desk.html", ctx)


ACTIONS = {"call", "recall", "skip", "transfer", "finish", "pause", "resume", "issue"}


@staff_required("hall.desk")
@require_POST
def act(request):
    staff, window = _station(request)
    if window is None:
        raise PermissionDenied("您未分配窗口，不能叫号。")
    action = request.POST.get("action", "")
    error, notice = "", ""
    common = {"window_id": window.id, "staff_id": staff.staff_id, "actor_label": staff.name}
    try:
        if action not in ACTIONS:
            raise ValidationError("未知的操作。")
        if action == "call":
            ticket = services.ticket_call_next(**common)
            notice = f"已呼叫{ticket.number}号。" if ticket else "当前没有等候的号码。"
        elif action == "recall":
            notice = f"已重呼{services.ticket_recall(**common).number}号。"
        elif action == "skip":
            notice = f"{services.ticket_skip(**common).number}号已过号。"
        elif action == "finish":
            notice = f"{services.ticket_finish(**common).number}号已办结，请办事人在评价器上评价。"
        elif action == "transfer":
            to_zone = request.POST.get("to_zone") or None
            to_window = request.POST.get("to_window") or None
            for value in (to_zone, to_window):
                if value is not None and not value.isdigit():
                    raise ValidationError("请选择转移到的功能区或窗口。")
            t = services.ticket_transfer(
                **common, to_zone_id=to_zone, to_window_id=to_window, reason=request.POST.get("reason", "")
            )
            notice = f"{t.number}号已转移。"
        elif action in ("pause", "resume"):
            services.desk_pause(
                window_id=window.id, staff_id=staff.staff_id, paused=action == "pause", actor_label=staff.name
            )
            notice = "已暂停叫号。" if action == "pause" else "已恢复叫号。"
        elif action == "issue":
            zone = request.POST.get("zone", "")
            green = request.POST.get("green", "")
            t, created = services.ticket_issue(
                hall_id=window.hall_id,
                zone_id=int(zone) if zone.isdigit() else 0,
                source=Ticket.Source.WINDOW,
                resident_id=request.POST.get("resident_id", ""),
                phone=request.POST.get("phone", ""),
                green=green,
                actor_label=staff.name,
            )
            ahead = services.people_ahead(t)
            notice = (
                f"已代取{t.number}号，前方等待{ahead}人。" if created else f"该办事人已有{t.number}号在等候。"
            )
    except ValidationError as e:
        error = "；".join(e.messages)
    if request.htmx:
        return render(
            request, "hall/desk/_panel.html", {**_panel_context(staff, window, error=error), "notice": notice}
        )
    if error:
        messages.error(request, error)
    elif notice:
        messages.success(request, notice)
    return redirect("hall:desk")
