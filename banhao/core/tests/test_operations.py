"""Health checks for a load balancer and structured logs with the request id (issue 10, build 3)."""

import io
import json
import logging

import pytest
from django.db import OperationalError, connections
from django.test import Client

from banhao.core.logging import JsonFormatter, MaskIdentifiersFilter, RequestIdFilter

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz/")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_readyz_answers_200_when_the_database_and_the_cache_answer(client):
    response = client.get("/readyz/")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"
    assert body["checks"]["database"].startswith("ok") and body["checks"]["cache"].startswith("ok")


def test_readyz_answers_503_when_the_database_does_not(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connections["default"], "cursor", refuse)
    response = client.get("/readyz/")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "unavailable", "cache": response.json()["checks"]["cache"]},
    }
    assert len(response.content) < 200  # a short body, no traceback
    assert Client().get("/healthz/").status_code == 200  # liveness is not readiness


def test_readyz_answers_503_when_the_cache_loses_what_it_was_given(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    response = client.get("/readyz/")
    assert response.status_code == 503 and response.json()["checks"]["cache"] == "unavailable"


def test_health_checks_refuse_writes(client):
    assert client.post("/healthz/").status_code == 405


@pytest.fixture
def json_log():
    """The banhao.request and banhao.test loggers into a JSON handler configured as in settings."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskIdentifiersFilter())
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger("banhao.request"), logging.getLogger("banhao.test")]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for lg in loggers:
        lg.removeHandler(handler)


def test_each_request_logs_one_json_line_with_its_request_id(client, settings, json_log):
    settings.BANHAO_LOG_REQUESTS = True
    response = client.get("/healthz/", HTTP_X_REQUEST_ID="req-0123456789abcdef")
    assert response["X-Request-ID"] == "req-0123456789abcdef"
    entry = next(e for e in json_log() if e["logger"] == "banhao.request")
    assert entry["request_id"] == "req-0123456789abcdef"
    assert entry["method"] == "GET" and entry["path"] == "/healthz/" and entry["status"] == 200
    assert entry["level"] == "INFO" and entry["time"].endswith("+00:00")
    assert isinstance(entry["duration_ms"], float)


def test_json_lines_mask_identifiers_and_keep_the_traceback(json_log):
    log = logging.getLogger("banhao.test")
    try:
        raise ValueError("duplicate 371302198005051115")
    except ValueError:
        log.exception("注册失败：手机号 13800000001", extra={"case": "371302-20261204-00001"})
    (entry,) = json_log()
    assert entry["message"] == "注册失败：手机号 138****0001"
    assert entry["case"] == "371302-20261204-00001" and entry["request_id"] == "-"
    assert "ValueError" in entry["exception"] and "371302198005051115" not in entry["exception"]


def test_the_setting_chooses_the_json_formatter():
    import os
    import subprocess
    import sys

    probe = "import config.settings.base as s; print(s.LOGGING['handlers']['console']['formatter'])"

    def formatter(value):
        env = {k: v for k, v in os.environ.items() if k != "BANHAO_LOG_FORMAT"}
        if value is not None:
            env["BANHAO_LOG_FORMAT"] = value
        command = [sys.executable, "-c", probe]
        run = subprocess.run(command, env=env, capture_output=True, text=True, check=True)  # noqa: S603
        return run.stdout.strip()

    assert formatter("JSON") == "json" and formatter("json") == "json"
    assert formatter(None) == "plain" and formatter("plain") == "plain"
