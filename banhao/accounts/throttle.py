"""Login lock-out: too many recent failures lock the account (and the address) for a while.

A success clears the account's count. The window and the limits are settings
(BANHAO_LOGIN_MAX_FAILURES, BANHAO_LOGIN_MAX_FAILURES_PER_IP, BANHAO_LOGIN_LOCK_MINUTES).
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from .models import LoginAttempt


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=settings.BANHAO_LOGIN_LOCK_MINUTES)


def _normal(username: str) -> str:
    return (username or "").strip().lower()[:150]


def is_locked(username: str, ip: str | None) -> bool:
    since = _window_start()
    name = _normal(username)
    last_ok = (
        LoginAttempt.objects.filter(username=name, success=True, at__gte=since)
        .values_list("at", flat=True)
        .first()
    )
    failures = LoginAttempt.objects.filter(username=name, success=False, at__gte=last_ok or since).count()
    if failures >= settings.BANHAO_LOGIN_MAX_FAILURES:
        return True
    if ip:
        per_ip = LoginAttempt.objects.filter(ip=ip, success=False, at__gte=since).count()
        if per_ip >= settings.BANHAO_LOGIN_MAX_FAILURES_PER_IP:
            return True
    return False


def record(username: str, ip: str | None, success: bool) -> None:
    LoginAttempt.objects.create(username=_normal(username), ip=ip, success=success)


def lock_message() -> str:
    return f"登录失败次数过多，已临时锁定，请{settings.BANHAO_LOGIN_LOCK_MINUTES}分钟后再试，或联系管理员。"
