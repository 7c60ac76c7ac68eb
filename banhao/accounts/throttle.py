"""Login lock-out: too many recent failures lock the account (and the address) for a while.

One counter per account, whatever name is typed: an applicant signs in with the account name
or the mobile number, and failures under either count together (issue 10, fix 7). A typed
name that names no account has a counter of its own, so probing unknown names costs the
same. A success clears the account's count. The window and the limits are settings
(BANHAO_LOGIN_MAX_FAILURES, BANHAO_LOGIN_MAX_FAILURES_PER_IP, BANHAO_LOGIN_LOCK_MINUTES).
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone

from .backends import account_for_login_name, canonical_login_name, login_names_of
from .models import LoginAttempt


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=settings.BANHAO_LOGIN_LOCK_MINUTES)


def _names(username: str) -> set[str]:
    """The names whose attempts count for this login: all of the account's, or the typed one."""
    user = account_for_login_name(username)
    return login_names_of(user) if user is not None else {canonical_login_name(username)}


def is_locked(username: str, ip: str | None) -> bool:
    since = _window_start()
    names = _names(username)
    last_ok = (
        LoginAttempt.objects.filter(username__in=names, success=True, at__gte=since)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    failures = LoginAttempt.objects.filter(
        username__in=names, success=False, at__gte=last_ok or since
    ).count()
    if failures >= settings.BANHAO_LOGIN_MAX_FAILURES:
        return True
    if ip:
        per_ip = LoginAttempt.objects.filter(ip=ip, success=False, at__gte=since).count()
        if per_ip >= settings.BANHAO_LOGIN_MAX_FAILURES_PER_IP:
            return True
    return False


def record(username: str, ip: str | None, success: bool) -> None:
    LoginAttempt.objects.create(username=canonical_login_name(username), ip=ip, success=success)


def lock_message() -> str:
    return f"登录失败次数过多，已临时锁定，请{settings.BANHAO_LOGIN_LOCK_MINUTES}分钟后再试，或联系管理员。"
