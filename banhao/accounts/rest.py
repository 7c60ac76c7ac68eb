"""Bearer-token authentication for API clients (other systems), with their scopes and rate limit.

``Authorization: Bearer <token>`` authenticates as the client's service account; a request
without a bearer header falls through to session login (browsers, applicants). For a client:
an unknown or revoked token is a 401, an endpoint outside its scopes a 403 (checked here, so a
view open to everyone is still closed to a client without the scope), more calls in a minute
than its limit a 429 with Retry-After. The limit is counted in the shared cache, so several
app servers count together. ApiCallLogMiddleware writes one row per call.
"""

from __future__ import annotations

import time

from django.core.cache import caches
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .clients import token_digest
from .models import ApiClient

KEYWORD = "Bearer"


def _bearer(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    parts = header.split()
    if not parts or parts[0].lower() != KEYWORD.lower():
        return None
    if len(parts) != 2:
        return ""
    return parts[1]


def required_scope(view, method: str) -> str | None:
    scopes = getattr(view, "client_scopes", None) or {}
    if method == "HEAD":
        method = "GET"
    return scopes.get(method)


def _rate_limit(client: ApiClient) -> None:
    cache = caches["default"]
    now = time.time()
    window = int(now // 60)
    key = f"banhao:apiclient:{client.pk}:{window}"
    cache.add(key, 0, timeout=70)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=70)
        count = 1
    if count > client.rate_limit_per_minute:
        wait = max(1, int((window + 1) * 60 - now) + 1)
        refusal = exceptions.Throttled(
            detail=f"调用过于频繁：本客户端每分钟最多调用{client.rate_limit_per_minute}次，请{wait}秒后再试。"
        )
        refusal.wait = wait  # the Retry-After header; set here so DRF adds no English sentence
        raise refusal


class ApiClientAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        token = _bearer(request)
        if token is None:
            return None
        django_request = request._request
        django_request.api_call = {"client": None}
        if not token:
            raise exceptions.AuthenticationFailed("接口令牌格式有误，应为“Authorization: Bearer 令牌”。")
        client = ApiClient.objects.select_related("user").filter(token_hash=token_digest(token)).first()
        if client is None:
            raise exceptions.AuthenticationFailed("接口令牌无效。")
        django_request.api_call["client"] = client
        if not client.active:
            raise exceptions.AuthenticationFailed("该接口客户端已停用，令牌不再有效。")
        if not client.user.is_active:
            raise exceptions.AuthenticationFailed("该接口客户端的服务账户已停用。")
        view = request.parser_context.get("view") if request.parser_context else None
        scope = required_scope(view, request.method)
        if scope is None:
            raise exceptions.PermissionDenied("该接口不对外部系统开放。")
        if scope not in (client.scopes or []):
            raise exceptions.PermissionDenied(f"本客户端未获授权调用该接口（需要“{scope}”权限）。")
        _rate_limit(client)
        return (client.user, client)

    def authenticate_header(self, request):
        # A 401 (with this header) only for bearer calls; session calls keep their 403.
        if _bearer(request) is not None:
            return f'{KEYWORD} realm="banhao"'
        return None


class ApiClientScheme(OpenApiAuthenticationExtension):
    """The bearer scheme in the OpenAPI document (/api/schema/, /api/docs/)."""

    target_class = "banhao.accounts.rest.ApiClientAuthentication"
    name = "apiClientToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "外部系统（省级平台、12345热线、合作部门）的接口令牌：请求头 Authorization: Bearer 令牌。"
                "令牌由管理员在后台“接口客户端”中创建，仅显示一次。"
            ),
        }
