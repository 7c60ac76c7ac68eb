"""The public verification page /licences/verify/: scan a licence's QR code (it opens this page
with ?id=<identifier>) or type the identifier. No login; limited per address (verification)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from banhao.org.api import scope_for_user

from . import verification


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


@never_cache
@require_safe
def verify(request):
    """GET /licences/verify/[?id=<identifier>|?qr=<QR content>] — the form, and the result."""
    raw_id = request.GET.get("id", "")
    raw_qr = request.GET.get("qr", "")
    asked = bool(raw_id.strip() or raw_qr.strip())
    # the box keeps what was typed only when it needs correcting; after a result it is empty
    # for the next licence
    context = {"typed": "", "result": None, "error": ""}
    if not asked:
        return render(request, "licences/verify.html", context)
    wait = verification.verify_throttle(_ip(request))
    if wait:
        response = render(
            request,
            "licences/verify_throttled.html",
            {"message": verification.throttled_message(wait)},
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response
    staff = request.user if scope_for_user(request.user) is not None else None
    try:
        context["result"] = verification.licence_verify(
            identifier=raw_id or None, qr=raw_qr or None, ip=_ip(request), user=staff
        )
    except ValidationError as e:
        context["error"] = e.messages[0]
        context["typed"] = (raw_id or raw_qr).strip()[:300]
        return render(request, "licences/verify.html", context, status=400)
    return render(request, "licences/verify.html", context)
