"""The public portal, the elder-mode switch and each user's home page (工作台 / 我的办事)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from banhao.core.calendar import missing_years
from banhao.core.middleware import ELDER_COOKIE
from banhao.org.api import Role, staff_for_user
from banhao.registry.api import applicant_for_user

from . import platform_map as pm

ELDER_COOKIE_MAX_AGE = 365 * 24 * 60 * 60


def today() -> dt.date:
    """Today in the site's time zone (a seam for tests)."""
    return timezone.localdate()


@require_GET
def portal(request):
    context = {
        "personal_events": pm.resolve(pm.PERSONAL_EVENTS),
        "legal_events": pm.resolve(pm.LEGAL_EVENTS),
        "entries": pm.resolve(pm.PORTAL_ENTRIES),
        "elder_entries": pm.resolve(pm.ELDER_ENTRIES),
        "platform": pm.platform_map(),
    }
    return render(request, "portal/portal.html", context)


def _safe_next(request) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@require_POST
def elder_toggle(request):
    """Switches 长辈版 on or off; the cookie lets the server render the right first paint.

    ``mode`` = "elder" or "standard" says which one is wanted (a double submit does not flip
    it back); without it the current mode is flipped.
    """
    mode = request.POST.get("mode")
    turn_on = (mode == "elder") if mode in ("elder", "standard") else not request.elder_mode
    response = redirect(_safe_next(request))
    if turn_on:
        response.set_cookie(
            ELDER_COOKIE,
            "1",
            max_age=ELDER_COOKIE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure(),
        )
    else:
        response.delete_cookie(ELDER_COOKIE, samesite="Lax")
    return response


@login_required
@require_GET
def workbench(request):
    """Each user's home: a staff member's role page, an applicant's 我的办事, or a notice."""
    user = request.user
    staff = staff_for_user(user)
    if staff is not None:
        missing = missing_years(today()) if staff.role == Role.ADMINISTRATOR else []
        scope = [
            (label, value)
            for label, value in (
                ("数据范围", staff.region_name),
                ("所属部门", staff.department_name),
                ("所在大厅", staff.hall_name),
                ("所在窗口", staff.window_label),
            )
            if value
        ]
        return render(
            request,
            "portal/workbench_staff.html",
            {
                "staff": staff,
                "role": staff.role,
                "scope": scope,
                "intro": pm.ROLE_INTRO.get(staff.role, ""),
                "tasks": pm.resolve(pm.ROLE_TASKS.get(staff.role, ())),
                "own": pm.resolve(pm.STAFF_TILES),
                "missing_years": missing,
                "calendar_url": pm.calendar_admin_url(),
                "platform": pm.platform_map(staff.role),
            },
        )
    account = applicant_for_user(user)
    if account is not None:
        return render(
            request,
            "portal/workbench_applicant.html",
            {
                "account": account,
                "person": account.person,
                "organization": account.organization,
                "role": pm.APPLICANT,
                "tiles": pm.resolve(
                    pm.APPLICANT_TILES + (pm.ENTERPRISE_TILES if account.organization is not None else ())
                ),
                "platform": pm.platform_map(),
            },
        )
    return render(request, "portal/workbench_none.html", {"platform": pm.platform_map()})
