"""Errors a visitor can provoke answer with the platform's own Chinese pages, never Django's
English or technical ones (issue 10, fixes 8 and 9)."""

import importlib
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from conftest import PASSWORD

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999"


def test_the_demo_settings_serve_with_debug_off_and_dev_keeps_it_on(monkeypatch):
    monkeypatch.delenv("BANHAO_DEBUG", raising=False)
    demo = importlib.import_module("config.settings.demo")
    dev = importlib.import_module("config.settings.dev")
    assert demo.DEBUG is False and dev.DEBUG is True
    assert demo.WHITENOISE_USE_FINDERS  # static files without a collectstatic step
    monkeypatch.setenv("BANHAO_DEBUG", "true")  # a copied .env.example does not turn it on
    assert importlib.reload(demo).DEBUG is False


def test_the_makefile_serves_the_demo_with_the_demo_settings():
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[3] / "Makefile").read_text()
    assert "DEMO_SETTINGS ?= config.settings.demo" in makefile
    demo = makefile[makefile.index("\ndemo:") : makefile.index("\n## make dev")]
    # the server, its worker and the scheduler all run under the demo settings (DEBUG off)
    assert "export DJANGO_SETTINGS_MODULE=$(DEMO_SETTINGS);" in demo
    assert demo.index("export DJANGO_SETTINGS_MODULE") < demo.index("$(BIN)/granian")
    assert demo.index("export DJANGO_SETTINGS_MODULE") < demo.index("manage.py db_worker")


def test_an_unknown_url_gets_the_chinese_404_page_without_the_url_list(client, settings):
    assert settings.DEBUG is False
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "抱歉，您访问的页面不存在" in html and "返回首页" in html
    assert "URLconf" not in html and "Using the URLconf" not in html and "admin/" not in html


def test_the_hall_feed_with_an_out_of_range_id_is_404_not_500(client, hall):
    response = client.get(f"/hall/{HUGE}/screen/feed/")
    assert response.status_code == 404
    assert "抱歉，您访问的页面不存在" in response.content.decode()
    assert client.get(f"/hall/{2**63}/screen/feed/").status_code == 404
    assert client.get(f"/hall/{hall['hall'].pk}/screen/feed/").status_code == 200


def _int_routes(resolver=None, prefix=""):
    """Every route of the platform with an <int:…> part, as (pattern text, example path)."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _int_routes(p, route)
        elif isinstance(p, URLPattern) and any(
            isinstance(c, IntConverter) for c in _converters(resolver, p, prefix)
        ):
            path = re.sub(r"<int:\w+>", HUGE, route)
            path = re.sub(r"<(?:str|slug|path):\w+>", "x", path)
            path = re.sub(r"<\w+>", "x", path)
            yield route, "/" + path.lstrip("^").rstrip("$")


def _converters(resolver, pattern, prefix):
    found = list(getattr(pattern.pattern, "converters", {}).values())
    if "<int:" in prefix:
        found.append(IntConverter())
    return found


def test_every_route_with_an_integer_id_answers_404_for_an_out_of_range_id(make_staff):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@banhao.invalid", PASSWORD, kind="staff")
    signed_in = Client()
    signed_in.force_login(admin)
    routes = list(_int_routes())
    assert len(routes) > 20  # the walk found the platform's routes
    failures = []
    for route, path in routes:
        for client in (Client(), signed_in):
            status = client.get(path).status_code
            if status != 404:
                failures.append((route, path, status))
    assert failures == []


@pytest.mark.urls("banhao.core.tests.boom_urls")
def test_a_bug_gets_the_chinese_500_page_without_a_traceback():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "抱歉，系统暂时出现问题" in html
    assert "Traceback" not in html and "RuntimeError" not in html and "SECRET_KEY" not in html
    assert "/static/banhao/css/banhao.css" in html  # the page's style is served


def test_static_files_are_served_with_debug_off(client):
    response = client.get("/static/banhao/css/banhao.css")
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content])


# --- the smaller ones (fix 9) -----------------------------------------------------------------


def _multipart_with_name(name: str) -> tuple[bytes, str]:
    boundary = "bhBoundary7MA4YWxkTrZu0gW"
    body = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="m_0"; filename="{name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n%PDF-1.4 x\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_10000_character_upload_name_gets_a_chinese_400(client, regions):
    body, content_type = _multipart_with_name("a" * 10_000 + ".pdf")
    response = client.generic("POST", "/cases/lookup/", body, content_type=content_type)
    html = response.content.decode()
    assert response.status_code == 400
    assert "请求无法处理" in html and "文件名过长" in html and "Bad Request" not in html
    api = client.generic("POST", "/api/v1/calendar/deadline/", body, content_type=content_type)
    assert api.status_code in (400, 403, 405)
    assert "Bad Request (400)" not in api.content.decode()


def test_a_form_posted_without_its_csrf_token_gets_a_chinese_403(make_staff):
    make_staff("window_clerk", username="clerk")
    response = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"username": "clerk", "password": "x"}
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert "安全校验未通过" in html and "刷新页面" in html and "CSRF verification failed" not in html


def test_an_api_call_without_its_csrf_token_is_refused_in_chinese(make_staff):
    user = make_staff("window_clerk", username="clerk")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/api/v1/calendar/deadline/", {"start": "2026-02-13", "days": 1})
    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "安全校验失败" in detail and "CSRF Failed" not in detail


def test_the_api_docs_load_redoc_from_this_server_with_no_inline_script(client):
    response = client.get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all('src="/static/' in s for s in scripts)  # no CDN, nothing inline
    assert "<script>" not in html and "cdn." not in html and "googleapis" not in html
    bundle = re.search(r'<script src="(/static/[^"]+)"', html).group(1)
    assert client.get(bundle).status_code == 200
    assert '<redoc spec-url="/api/schema/"' in html
    swagger = client.get("/api/docs/swagger/")
    assert swagger.status_code == 200 and "cdn." not in swagger.content.decode()
