"""The SMS backend contract: every message carries the id the gateway de-duplicates on."""

from __future__ import annotations

import sqlite3

import pytest

from banhao.accounts import sms


@pytest.fixture(autouse=True)
def _outbox():
    sms.get_backend.cache_clear()
    sms.outbox.clear()
    yield
    sms.outbox.clear()
    sms.get_backend.cache_clear()


def test_a_short_plain_key_is_the_message_id_and_a_long_one_a_stable_digest():
    assert sms.gateway_message_id("case-event:12:sms") == "case-event:12:sms"
    long = "x" * 100
    assert sms.gateway_message_id(long) == sms.gateway_message_id(long)
    assert sms.gateway_message_id(long).startswith("h") and len(sms.gateway_message_id(long)) == 41
    assert sms.gateway_message_id("办件:1") != "办件:1"


def test_the_gateway_simulator_delivers_each_id_once_and_records_every_request(tmp_path, monkeypatch):
    monkeypatch.setenv("BANHAO_SMS_GATEWAY_FILE", str(tmp_path / "gw.sqlite3"))
    gateway = sms.GatewaySimulatorBackend()
    gateway.send("13800000001", "一", message_id="m-1")
    gateway.send("13800000001", "一", message_id="m-1")  # a re-send after a crash
    gateway.send("13800000002", "二", message_id="m-2")
    conn = sqlite3.connect(tmp_path / "gw.sqlite3")
    assert conn.execute("SELECT count(*) FROM requests").fetchone()[0] == 3
    assert conn.execute("SELECT message_id FROM delivered ORDER BY message_id").fetchall() == [
        ("m-1",),
        ("m-2",),
    ]
    with pytest.raises(ValueError):
        gateway.send("13800000001", "无编号", message_id="")


def test_verification_codes_are_sent_at_once_each_under_its_own_id(settings):
    settings.BANHAO_SMS_BACKEND = "banhao.accounts.sms.MemoryBackend"
    assert sms.send_sms("13800000001", "验证码：123456") and sms.send_sms("13800000001", "验证码：654321")
    ids = [m.message_id for m in sms.outbox]
    assert len(set(ids)) == 2 and all(i.startswith("code-") for i in ids)
    assert sms.outbox[0].text.startswith("【")
