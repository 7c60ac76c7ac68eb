"""The rating pad bound to each window (/hall/desk/pad/<window>/) and the managers' list of
pad addresses (/hall/desk/pads/).

The pad is a device, not a person: it proves which window it belongs to with a signed key
that a hall manager hands out, and it can only rate the visit the window has just finished,
within two minutes (services.PAD_TIMEOUT).
"""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

import banhao.hall.api as hall
import banhao.org.api as org
from banhao.org.api import staff_required

from . import services
from .api import LEVELS

# The salt of the keys already handed out to the tablets: changing it unbinds every pad.
PAD_SALT = "banhao.hall.pad"


def pad_key(window_id: int) -> str:
    return signing.dumps({"w": window_id}, salt=PAD_SALT)


def _pad_window(request, window_id: int) -> org.WindowInfo:
    key = request.GET.get("key") or request.POST.get("key") or ""
    try:
        data = signing.loads(key, salt=PAD_SALT)
    except signing.BadSignature:
        raise PermissionDenied("评价器未绑定本窗口，请联系大厅管理人员。") from None
    if data.get("w") != window_id:
        raise PermissionDenied("评价器未绑定本窗口，请联系大厅管理人员。")
    window = org.window_info(window_id)
    if window is None:
        raise Http404("没有这个窗口。")
    return window


@staff_required("hall.manage")
def pads(request):
    """The pad address of every window of the manager's halls (open it on the window's tablet)."""
    scope = request.scope
    halls = []
    for hid, _name, _region in org.hall_list(None if scope.is_city_wide else scope.region_ids):
        info = org.hall_info(hid)
        rows = [
            (w, request.build_absolute_uri(reverse("evaluation:pad", args=[w.id])) + "?key=" + pad_key(w.id))
            for w in info.windows
            if w.active
        ]
        halls.append((info, rows))
    return render(request, "evaluation/pad/pads.html", {"halls": halls})


def _pad_context(window, *, thanks: str = "", error: str = "") -> dict:
    desk = hall.window_desk(window.id)
    pending = services.pad_pending(window.id, desk=desk) if desk else None
    clerk = org.staff_names([desk.clerk_id]).get(desk.clerk_id, "") if desk and desk.clerk_id else ""
    return {
        "window": window,
        "key": pad_key(window.id),
        "pending": pending,
        "remaining": services.pad_seconds_left(pending) if pending is not None else 0,
        "levels": LEVELS,
        "clerk": clerk,
        "thanks": thanks,
        "error": error,
    }


@require_GET
def pad(request, window_id: int):
    window = _pad_window(request, window_id)
    template = "evaluation/pad/_pad_body.html" if request.htmx else "evaluation/pad/pad.html"
    return render(request, template, _pad_context(window))


@require_POST
def pad_rate(request, window_id: int):
    window = _pad_window(request, window_id)
    ticket = request.POST.get("ticket", "")
    thanks, error = "", ""
    try:
        if not ticket.isdigit():
            raise ValidationError("本次服务已评价或评价已超时。")
        info = services.pad_rate(window_id=window.id, ticket_id=int(ticket), level=request.POST.get("level"))
        thanks = f"感谢您的评价：{info.level_label}"
    except ValidationError as e:
        error = "；".join(e.messages)
    ctx = _pad_context(window, thanks=thanks, error=error)
    if request.htmx:
        return render(request, "evaluation/pad/_pad_body.html", ctx)
    return render(request, "evaluation/pad/pad.html", ctx)
