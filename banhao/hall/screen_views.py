"""The hall's screens and its live statistics.

- ``/hall/<hall>/screen/``: the big screen in the waiting area (public: ticket numbers, window
  numbers and counts only). The page polls ``/hall/<hall>/screen/feed/?after=<event id>``
  every ``BANHAO_SCREEN_POLL_MS`` ms; the feed answers the windows' state, the waiting counts,
  the day's average wait and the calls and recalls after that event id, which the page shows
  and announces by voice.
- ``/hall/window/<window>/screen/``: the small screen above one window, with its own feed.
- ``/hall/<hall>/stats/``: today's figures for hall managers, refreshed by htmx every 5 s.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

import banhao.org.api as org
from banhao.org.api import staff_required

from . import selectors

STATE_LABELS = {"serving": "", "paused": "暂停服务", "idle": "空闲", "closed": "暂停服务"}


def _feed_response(data: dict) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def _after(request) -> int | None:
    value = request.GET.get("after", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def _clock() -> dict:
    now = timezone.localtime()
    return {
        "server_ms": int(time.time() * 1000),
        "date": now.date().isoformat(),
        "date_label": selectors.date_label(now.date()),
        "clock": now.strftime("%H:%M:%S"),
    }


# --- the hall's big screen -------------------------------------------------------------------


@require_GET
def screen(request, hall_id: int):
    hall = org.hall_info(hall_id)
    if hall is None:
        raise Http404("没有这个大厅。")
    clock = _clock()
    day = timezone.localdate()
    state = selectors.screen_state(hall.id, day)
    windows = []
    for w in hall.windows:
        if not w.active:
            continue
        s = state["windows"].get(w.id, {"state": "idle", "number": ""})
        windows.append({"id": w.id, "number": w.number, "state": s["state"], "ticket": s["number"]})
    n = len(windows)
    grid_size = "s1" if n <= 12 else "s2" if n <= 20 else "s3" if n <= 30 else "s4" if n <= 56 else "s5"
    zones = [
        {"id": z.id, "letter": z.letter, "name": z.name, "waiting": state["zones"].get(z.id, 0)}
        for z in hall.zones
        if z.takes_tickets
    ]
    return render(
        request,
        "hall/screen/hall.html",
        {
            "hall": hall,
            "clock": clock,
            "state": state,
            "windows": windows,
            "grid_size": grid_size,
            "zones": zones,
            "recent": selectors.recent_calls(hall.id, day),
            "after": selectors.last_call_id(hall.id),
            "poll_ms": settings.BANHAO_SCREEN_POLL_MS,
            "time_zone": settings.TIME_ZONE,
            "notices": selectors.notices(hall),
        },
    )


@require_GET
def screen_feed(request, hall_id: int):
    """The big screen's poll: the current state, plus the calls after ``?after=<event id>``.

    Without ``after`` (or with a bad one) no calls are returned, only the id to poll from, so
    a screen that has just loaded does not announce the morning again. Three queries
    whatever the size of the hall (an unknown hall simply has nothing to show)."""
    after = _after(request)
    if after is None:
        events, last = [], selectors.last_call_id(hall_id)
    else:
        events = selectors.calls_after(hall_id, after)
        last = max([after, *(e["id"] for e in events)])
    clock = _clock()
    state = selectors.screen_state(hall_id, timezone.localdate())
    return _feed_response(
        {
            **clock,
            "last": last,
            "events": events,
            "windows": {str(k): v for k, v in state["windows"].items()},
            "zones": {str(k): v for k, v in state["zones"].items()},
            "waiting_total": state["waiting_total"],
            "avg_wait": state["avg_wait"],
        }
    )


# --- a window's small screen -----------------------------------------------------------------


def _window_payload(window: org.WindowInfo) -> dict:
    shown = selectors.window_screen(window, timezone.localdate())
    data = shown.as_dict()
    data["led"] = (
        selectors.led_text(shown.number, window.number)
        if shown.state == "serving"
        else STATE_LABELS[shown.state]
    )
    return data


@require_GET
def window_screen(request, window_id: int):
    window = org.window_info(window_id)
    if window is None:
        raise Http404("没有这个窗口。")
    hall = org.hall_info(window.hall_id, windows=False)
    return render(
        request,
        "hall/screen/window.html",
        {
            "hall": hall,
            "window": window,
            "shown": _window_payload(window),
            "clock": _clock(),
            "poll_ms": settings.BANHAO_SCREEN_POLL_MS,
            "time_zone": settings.TIME_ZONE,
        },
    )


@require_GET
def window_screen_feed(request, window_id: int):
    window = org.window_info(window_id, departments=False)
    if window is None:
        raise Http404("没有这个窗口。")
    return _feed_response({**_clock(), **_window_payload(window)})


# --- live statistics for hall managers -------------------------------------------------------


@require_GET
@staff_required("hall.stats")
def stats(request, hall_id: int):
    """Today's figures of one hall in the manager's scope; htmx asks only the live part."""
    hall = org.hall_info(hall_id)
    scope = request.scope
    if hall is None or not (scope.is_city_wide or hall.region_id in scope.region_ids):
        raise Http404("没有这个大厅，或不在您的数据范围内。")
    context = {
        "hall": hall,
        "stats": selectors.hall_stats(hall, timezone.localdate()),
        "updated": timezone.localtime().strftime("%H:%M:%S"),
    }
    if request.htmx:
        return render(request, "hall/screen/_stats_live.html", context)
    return render(request, "hall/screen/stats.html", context)
