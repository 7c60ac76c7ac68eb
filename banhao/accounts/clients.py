"""API clients for other systems: the scopes they may hold, their tokens and their life cycle.

A token is ``bh_`` plus 32 random bytes (URL-safe). It is shown once; the database keeps its
SHA-256 digest (the token is random and long, so no salt or slow hash is needed) and a short
prefix for recognising it in the admin. Every change is audited.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from banhao.core.audit import audit_record, snapshot

from .models import ApiClient, User

# What a client may be allowed to call. Each API view names the scope each method needs
# (``client_scopes`` on the view); a view that names none is closed to clients.
SCOPES = {
    "cases.read": "查询办件（列表、详情、办理过程）",
    "cases.create": "提交申请（创建办件）",
    "cases.act": "办理办件（工作人员操作）",
    "catalog.read": "查询事项目录",
    "calendar.read": "计算办结期限",
    "licences.read": "查询电子证照（按持证主体、证照标识、二维码；须写明用证事由）",
    "licences.copy": "下载电子证照加注件（须写明用证事由）",
    "licences.verify": "核验电子证照（状态与公开信息）",
    "hotline.push": "推送12345工单",
    "hotline.read": "查询12345工单办理情况",
}
SCOPE_CHOICES = list(SCOPES.items())
TOKEN_PREFIX = "bh_"  # noqa: S105 (a marker, not a secret)
AUDIT_FIELDS = ["name", "organisation", "user", "scopes", "rate_limit_per_minute", "active", "token_prefix"]


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token(client: ApiClient) -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    client.token_hash = token_digest(token)
    client.token_prefix = token[:10]
    return token


def api_client_check(*, user: User, scopes: list[str], rate_limit_per_minute: int) -> None:
    errors = {}
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        errors["scopes"] = [f"未知的接口权限：{'、'.join(unknown)}。"]
    if getattr(user, "kind", None) != User.Kind.STAFF or getattr(user, "staff", None) is None:
        errors["user"] = ["服务账户须为已登记角色和数据范围的工作人员账户。"]
    if not 1 <= int(rate_limit_per_minute) <= 10000:
        errors["rate_limit_per_minute"] = ["每分钟调用上限应在1到10000之间。"]
    if errors:
        raise ValidationError(errors)


def client_snapshot(client: ApiClient) -> dict:
    return snapshot(client, fields=AUDIT_FIELDS)


@transaction.atomic
def api_client_create(
    *,
    actor,
    name: str,
    organisation: str,
    user: User,
    scopes: list[str],
    rate_limit_per_minute: int = 60,
) -> tuple[ApiClient, str]:
    """Registers a client; returns it and its token (shown once, never stored)."""
    api_client_check(user=user, scopes=scopes, rate_limit_per_minute=rate_limit_per_minute)
    client = ApiClient(
        name=name,
        organisation=organisation,
        user=user,
        scopes=sorted(set(scopes)),
        rate_limit_per_minute=rate_limit_per_minute,
    )
    token = _new_token(client)
    client.save()
    audit_record(actor=actor, obj=client, action="accounts.apiclient_add", after=client_snapshot(client))
    return client, token


@transaction.atomic
def api_client_update(*, actor, client: ApiClient, **changes) -> ApiClient:
    """Changes name, organisation, service account, scopes, rate limit or the active flag."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    before = client_snapshot(client)
    for field, value in changes.items():
        if field not in AUDIT_FIELDS or field == "token_prefix":
            raise ValueError(field)
        setattr(client, field, value)
    api_client_check(
        user=client.user, scopes=client.scopes, rate_limit_per_minute=client.rate_limit_per_minute
    )
    client.scopes = sorted(set(client.scopes))
    if "active" in changes:
        client.revoked_at = None if client.active else (client.revoked_at or timezone.now())
    client.save()
    audit_record(
        actor=actor,
        obj=client,
        action="accounts.apiclient_change",
        before=before,
        after=client_snapshot(client),
    )
    return client


@transaction.atomic
def api_client_rotate(*, actor, client: ApiClient) -> str:
    """Gives the client a new token; the old one stops working at once."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    before = client_snapshot(client)
    token = _new_token(client)
    client.save(update_fields=["token_hash", "token_prefix"])
    audit_record(
        actor=actor,
        obj=client,
        action="accounts.apiclient_rotate",
        before=before,
        after=client_snapshot(client),
    )
    return token


@transaction.atomic
def api_client_revoke(*, actor, client: ApiClient, reason: str = "") -> ApiClient:
    """Switches the client off: its token is refused (401) from the next call on."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if not client.active:
        return client
    before = client_snapshot(client)
    client.active = False
    client.revoked_at = timezone.now()
    client.save(update_fields=["active", "revoked_at"])
    audit_record(
        actor=actor,
        obj=client,
        action="accounts.apiclient_revoke",
        before=before,
        after=client_snapshot(client),
        reason=reason,
    )
    return client
