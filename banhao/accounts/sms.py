"""Sending text messages through a pluggable gateway (BANHAO_SMS_BACKEND).

The backend contract
--------------------
A backend is any class with ``send(phone, text, *, message_id)`` that returns once the gateway
has accepted the message and raises when it refuses it (or cannot be reached).

``message_id`` identifies one logical message. The same id may be sent more than once: the
outbox (banhao.notify) retries after a failure, and a worker killed between the gateway's
answer and its own commit sends the message again after a restart. The backend MUST pass the
id to the gateway as the key the gateway de-duplicates on (the client message id / 自定义
消息ID that provincial SMS platforms and carriers' HTTP APIs accept), so that a repeated id is
acknowledged and not delivered twice. That is what makes delivery exactly once per id: the
outbox guarantees at-least-once, the gateway's de-duplication removes the repeats. A gateway
without such a key can only give at-least-once (at most one repeat per crashed worker); say so
when you configure one. Ids are at most 120 characters (see ``gateway_message_id``).

Backends shipped here:

- ``ConsoleBackend`` (development default) writes the message to the log. The log filter
  masks the phone number; the text (and so a verification code) stays readable, which is
  what a developer running ``make demo`` needs. Never configure it in production.
- ``MemoryBackend`` (tests) appends to the module-level ``outbox`` list.
- ``GatewaySimulatorBackend`` (tests with real worker processes, ``bench/outbox.py``) behaves
  like a real gateway: it records every request in a SQLite file and delivers each message id
  once. Production refuses it.

A real gateway is one more class with the same method, named in the environment.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import random
import sqlite3
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from banhao.core.masking import mask_phone

logger = logging.getLogger("banhao.sms")


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str
    message_id: str = ""


# MemoryBackend's sent messages, oldest first. Tests clear it with a fixture.
outbox: list[SmsMessage] = []


class ConsoleBackend:
    """Logs each message instead of sending it (development only)."""

    def send(self, phone: str, text: str, *, message_id: str) -> None:
        logger.info("短信 → %s：%s", phone, text)


class MemoryBackend:
    """Keeps each message in ``outbox`` (tests; the live test server shares the process).

    It keeps every request, repeats included, so a test can see what a real gateway received."""

    def send(self, phone: str, text: str, *, message_id: str) -> None:
        outbox.append(SmsMessage(phone, text, message_id))


class GatewaySimulatorBackend:
    """A stand-in for a real gateway, shared by processes through a SQLite file.

    ``BANHAO_SMS_GATEWAY_FILE`` names the file. Every call is one row of ``requests``; the first
    call with a message id also makes a row of ``delivered`` (what reaches the handset), later
    ones are acknowledged and dropped, as a gateway that de-duplicates on the id does.
    ``BANHAO_SMS_GATEWAY_LATENCY_MS`` adds a network round trip (half before the gateway records
    the message, half after, so a worker can die after the gateway has it and before the answer);
    ``BANHAO_SMS_GATEWAY_FAIL_RATE`` refuses that share of calls, before recording them.
    """

    SCHEMA = (
        "CREATE TABLE IF NOT EXISTS requests (id INTEGER PRIMARY KEY, message_id TEXT, phone TEXT,"
        " text TEXT, at REAL);"
        "CREATE TABLE IF NOT EXISTS delivered (message_id TEXT PRIMARY KEY, phone TEXT, text TEXT, at REAL);"
    )

    def __init__(self) -> None:
        self.path = os.environ.get("BANHAO_SMS_GATEWAY_FILE") or str(
            settings.BASE_DIR / "var" / "sms-gateway.sqlite3"
        )
        self.latency = float(os.environ.get("BANHAO_SMS_GATEWAY_LATENCY_MS", "0")) / 1000
        self.fail_rate = float(os.environ.get("BANHAO_SMS_GATEWAY_FAIL_RATE", "0"))

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30)
        conn.executescript(self.SCHEMA)
        return conn

    def send(self, phone: str, text: str, *, message_id: str) -> None:
        if not message_id:
            raise ValueError("message_id is required")
        time.sleep(self.latency / 2)
        if self.fail_rate and random.random() < self.fail_rate:  # noqa: S311 (a simulated fault)
            raise ConnectionError("短信网关暂时不可用（模拟）")
        conn = self._connect()
        try:
            with conn:
                now = time.time()
                conn.execute(
                    "INSERT INTO requests (message_id, phone, text, at) VALUES (?, ?, ?, ?)",
                    (message_id, phone, text, now),
                )
                conn.execute(
                    "INSERT OR IGNORE INTO delivered (message_id, phone, text, at) VALUES (?, ?, ?, ?)",
                    (message_id, phone, text, now),
                )
        finally:
            conn.close()
        time.sleep(self.latency / 2)


@functools.cache
def get_backend():
    """The configured backend, loaded once (``get_backend.cache_clear()`` after a settings change)."""
    return import_string(settings.BANHAO_SMS_BACKEND)()


def signature() -> str:
    """The 【签名】 a Chinese carrier requires at the head of every message."""
    name = settings.BANHAO_SMS_SIGNATURE or settings.BANHAO_SITE.get("short_name") or ""
    return f"【{name}】" if name else ""


def gateway_message_id(key: str) -> str:
    """The id given to the gateway for a de-duplication key: the key itself when it is short
    and plain, else a digest of it (gateways limit the id's length and alphabet)."""
    if len(key) <= 64 and key.isascii() and key.replace("-", "").replace(":", "").replace("_", "").isalnum():
        return key
    return "h" + hashlib.sha256(key.encode()).hexdigest()[:40]


def sms_deliver(phone: str, text: str, *, message_id: str) -> None:
    """Hands one message to the gateway under ``message_id``; raises when the gateway refuses
    it (the outbox counts the attempt and retries). The signature is added here."""
    get_backend().send(phone, signature() + text, message_id=gateway_message_id(message_id))


def send_sms(phone: str, text: str) -> bool:
    """Sends one message now, in the caller's thread (verification codes: the user is waiting);
    a gateway failure is logged, never raised. Everything else goes through the outbox
    (banhao.notify.api.message_send)."""
    try:
        sms_deliver(phone, text, message_id=f"code-{uuid.uuid4().hex}")
    except Exception:
        logger.exception("短信发送失败：%s", mask_phone(phone))
        return False
    return True
