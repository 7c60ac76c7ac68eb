"""Platform-wide endpoints with no domain: health checks for a load balancer, and the error
answers Django gives before a view runs (bad request, CSRF failure), in Chinese."""

from __future__ import annotations

import logging
import time
import uuid

from django.core.cache import cache
from django.db import connections
from django.http import HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

logger = logging.getLogger("banhao.health")

CSRF_MESSAGE = "安全校验失败：页面已过期，或浏览器未允许本站的 Cookie。请刷新页面后重新提交。"
BAD_REQUEST_MESSAGE = (
    "请求无法处理：提交的内容格式有误或超出限制（例如文件名过长）。请缩短文件名或检查填写内容后重试。"
)


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def csrf_failure(request, reason: str = ""):
    """CSRF_FAILURE_VIEW: a Chinese page (JSON for the API) instead of Django's English one."""
    logger.warning("CSRF refused: %s %s", request.path, reason)
    if _wants_json(request):
        return JsonResponse({"detail": CSRF_MESSAGE}, status=403)
    html = loader.get_template("403_csrf.html").render({"message": CSRF_MESSAGE})
    return HttpResponseForbidden(html)


def bad_request(request, exception=None):
    """handler400: reached when the request itself is unreadable (a multipart header over
    Django's limit, a suspicious operation); renders without the request's context, which may
    be what is broken."""
    if _wants_json(request):
        return JsonResponse({"detail": BAD_REQUEST_MESSAGE}, status=400)
    return HttpResponseBadRequest(loader.get_template("400.html").render({"message": BAD_REQUEST_MESSAGE}))


@csrf_exempt
@never_cache
@require_safe
def healthz(request):
    """Liveness: the process answers. Touches no database or cache."""
    return JsonResponse({"status": "ok"})


def _check_database(alias: str = "default") -> None:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    key = f"banhao:readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    found = cache.get(key)
    cache.delete(key)
    if found != "1":
        raise RuntimeError("cache did not return the value just written")


@csrf_exempt
@never_cache
@require_safe
def readyz(request):
    """Readiness: 200 only when the database (which also holds the task queue) and the cache
    answer; 503 with the failing checks otherwise, so a load balancer takes the server out."""
    checks: dict[str, str] = {}
    for name, check in (("database", _check_database), ("cache", _check_cache)):
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:  # any failure means not ready; the log keeps the detail
            logger.error("readyz: %s unavailable: %s", name, exc)
            checks[name] = "unavailable"
        else:
            checks[name] = f"ok {1000 * (time.perf_counter() - started):.1f}ms"
    ready = all(v.startswith("ok") for v in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )
