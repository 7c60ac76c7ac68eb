"""One call-log row per API call made with a bearer token (never the token itself)."""

from __future__ import annotations

import time

from django.utils import timezone

from .models import ApiCall, ApiClient


class ApiCallLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        call = getattr(request, "api_call", None)
        if call is not None:
            client = call.get("client")
            ApiCall.objects.create(
                client=client,
                method=request.method[:10],
                path=request.path[:300],
                status=response.status_code,
                request_id=getattr(request, "request_id", "")[:64],
                ip=request.META.get("REMOTE_ADDR") or None,
                duration_ms=round(1000 * (time.perf_counter() - started)),
            )
            if client is not None and client.active:
                ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
        return response
