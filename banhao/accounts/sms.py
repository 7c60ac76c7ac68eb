"""Sending text messages through a pluggable gateway (BANHAO_SMS_BACKEND).

A backend is any class with ``send(phone, text)`` that raises when the gateway refuses the
message. Two ship here:

- ``ConsoleBackend`` (development default) writes the message to the log. The log filter
  masks the phone number; the text (and so a verification code) stays readable, which is
  what a developer running ``make demo`` needs. Never configure it in production.
- ``MemoryBackend`` (tests) appends to the module-level ``outbox`` list.

A real gateway (the province's SMS platform, a carrier's API) is one more class with the same
method, named in the environment; nothing else changes.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from banhao.core.masking import mask_phone

logger = logging.getLogger("banhao.sms")


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str


# MemoryBackend's sent messages, oldest first. Tests clear it with a fixture.
outbox: list[SmsMessage] = []


class ConsoleBackend:
    """Logs each message instead of sending it (development only)."""

    def send(self, phone: str, text: str) -> None:
        logger.info("短信 → %s：%s", phone, text)


class MemoryBackend:
    """Keeps each message in ``outbox`` (tests; the live test server shares the process)."""

    def send(self, phone: str, text: str) -> None:
        outbox.append(SmsMessage(phone, text))


@functools.cache
def get_backend():
    """The configured backend, loaded once (``get_backend.cache_clear()`` after a settings change)."""
    return import_string(settings.BANHAO_SMS_BACKEND)()


def signature() -> str:
    """The 【签名】 a Chinese carrier requires at the head of every message."""
    name = settings.BANHAO_SMS_SIGNATURE or settings.BANHAO_SITE.get("short_name") or ""
    return f"【{name}】" if name else ""


def send_sms(phone: str, text: str) -> bool:
    """Sends one message; a gateway failure is logged, never raised (the caller's work stands)."""
    try:
        get_backend().send(phone, signature() + text)
    except Exception:
        logger.exception("短信发送失败：%s", mask_phone(phone))
        return False
    return True
