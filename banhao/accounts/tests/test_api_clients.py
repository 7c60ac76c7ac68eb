"""API clients for other systems (issue 10, build 4): a bearer token stored only as a digest,
scopes per endpoint, the service account's region as data scope, a per-client rate limit in the
shared cache, a call-log row per call, and administration (revoke, rotate) in the admin."""

from __future__ import annotations

import json
import re

import pytest

from banhao.accounts.clients import api_client_create, api_client_revoke, api_client_rotate, token_digest
from banhao.accounts.models import ApiCall, ApiClient
from banhao.cases.models import Case, Status
from banhao.core.identifiers import make_org_code, make_uscc
from banhao.core.models import AuditEvent
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

USCC = make_uscc("9", "2", "371302", make_org_code("MA3C0001"))


@pytest.fixture
def lanshan_clerk(make_staff):
    return make_staff("window_clerk", region="lanshan")


@pytest.fixture
def new_client(lanshan_clerk):
    def make(scopes, user=None, rate=60, name="12345热线"):
        return api_client_create(
            actor="测试",
            name=name,
            organisation="临沂市12345政务服务便民热线",
            user=user or lanshan_clerk,
            scopes=scopes,
            rate_limit_per_minute=rate,
        )

    return make


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _body(impl, person):
    return {
        "implementation_id": impl.pk,
        "outcome": "accept",
        "applicant": {"resident_id": person.resident_id},
        "contact_phone": "13900000002",
        "situations": {"agent": False},
        "form_data": {
            "org_name": "韩梅梅小吃店",
            "credit_code": USCC,
            "address": "临沂市兰山区金雀山路1号",
            "category": "热食类",
        },
        "materials": [
            {"name": "食品经营许可申请书", "how": "paper"},
            {"name": "营业执照", "how": "shared"},
        ],
    }


def _no_token_anywhere(token):
    for call in ApiCall.objects.all():
        assert token not in json.dumps([call.path, call.request_id, call.method])
    for event in AuditEvent.objects.all():
        assert token not in json.dumps([event.before, event.after, event.reason], ensure_ascii=False)


def test_the_token_is_shown_once_and_stored_only_as_its_digest(new_client):
    client, token = new_client(["cases.read"])
    stored = ApiClient.objects.get(pk=client.pk)
    assert token.startswith("bh_") and len(token) > 40
    assert stored.token_hash == token_digest(token) != token
    assert token not in [str(getattr(stored, f.attname)) for f in ApiClient._meta.concrete_fields]
    event = AuditEvent.objects.get(action="accounts.apiclient_add")
    assert "token_hash" not in (event.after or {})
    _no_token_anywhere(token)


def test_a_client_lists_cases_in_its_service_accounts_scope_and_each_call_is_logged(
    client, new_client, make_case
):
    case = make_case()
    api_client, token = new_client(["cases.read"])
    response = client.get("/api/v1/cases/", HTTP_X_REQUEST_ID="req-abcdef12", **bearer(token))
    assert response.status_code == 200, response.content
    assert [r["number"] for r in response.json()["results"]] == [case.number]
    assert client.get(f"/api/v1/cases/{case.number}/", **bearer(token)).status_code == 200
    calls = list(ApiCall.objects.order_by("id"))
    assert [(c.client_id, c.method, c.status) for c in calls] == [(api_client.pk, "GET", 200)] * 2
    assert calls[0].path == "/api/v1/cases/" and calls[0].request_id == "req-abcdef12"
    api_client.refresh_from_db()
    assert api_client.last_used_at is not None
    _no_token_anywhere(token)


def test_a_client_opens_and_accepts_a_case_through_the_one_door(
    client, new_client, published_implementation, make_person, lanshan_clerk, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    impl, _ = published_implementation
    person = make_person("371302", name="韩梅梅", phone="13900000002")
    _, token = new_client(["cases.read", "cases.create"])
    response = client.post(
        "/api/v1/cases/",
        json.dumps(_body(impl, person)),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="hotline-1",
        **bearer(token),
    )
    assert response.status_code == 201, response.json()
    case = Case.objects.get(number=response.json()["number"])
    assert case.status == Status.ACCEPTED and case.person == person
    assert case.opened_by == lanshan_clerk and case.channel == "api"
    # no CSRF token is needed with a bearer token; the call is logged with its 201
    assert ApiCall.objects.get().status == 201


def test_an_endpoint_outside_the_clients_scopes_is_403_in_chinese(
    client, new_client, published_implementation, make_person, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    impl, _ = published_implementation
    person = make_person("371302", name="韩梅梅", phone="13900000002")
    _, token = new_client(["catalog.read"])
    listing = client.get("/api/v1/cases/", **bearer(token))
    assert listing.status_code == 403 and "cases.read" in listing.json()["detail"]
    assert "未获授权" in listing.json()["detail"]
    create = client.post(
        "/api/v1/cases/",
        json.dumps(_body(impl, person)),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k1",
        **bearer(token),
    )
    assert create.status_code == 403 and "cases.create" in create.json()["detail"]
    assert Case.objects.count() == 0
    # an endpoint open to everyone is still closed to a client without its scope
    assert (
        client.get("/api/v1/calendar/deadline/?start=2026-11-02&days=5", **bearer(token)).status_code == 403
    )
    assert client.get("/api/v1/catalog/items/", **bearer(token)).status_code == 200
    assert list(ApiCall.objects.order_by("id").values_list("status", flat=True)) == [403, 403, 403, 200]


def test_another_regions_case_is_404(client, new_client, make_case, make_staff):
    case = make_case()  # a 兰山区 case
    yinan_clerk = make_staff("window_clerk", region="yinan")
    _, token = new_client(["cases.read"], user=yinan_clerk, name="沂南县部门系统")
    response = client.get(f"/api/v1/cases/{case.number}/", **bearer(token))
    assert response.status_code == 404 and response.json()["detail"] == "未找到该办件。"
    assert client.get("/api/v1/cases/", **bearer(token)).json()["count"] == 0


def test_over_the_rate_limit_is_429_in_chinese_with_retry_after(client, new_client):
    api_client, token = new_client(["cases.read"], rate=2)
    assert [client.get("/api/v1/cases/", **bearer(token)).status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/cases/", **bearer(token))
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 1 <= wait <= 61
    assert response.json()["detail"] == f"调用过于频繁：本客户端每分钟最多调用2次，请{wait}秒后再试。"
    assert ApiCall.objects.filter(client=api_client, status=429).count() == 1
    # another client has its own allowance
    _, other = new_client(["cases.read"], rate=2, name="省级平台")
    assert client.get("/api/v1/cases/", **bearer(other)).status_code == 200


def test_a_revoked_or_unknown_token_is_401_in_chinese(client, new_client):
    api_client, token = new_client(["cases.read"])
    assert client.get("/api/v1/cases/", **bearer(token)).status_code == 200
    api_client_revoke(actor="测试", client=api_client, reason="合作结束")
    revoked = client.get("/api/v1/cases/", **bearer(token))
    assert revoked.status_code == 401 and "已停用" in revoked.json()["detail"]
    assert revoked["WWW-Authenticate"].startswith("Bearer")
    unknown = client.get("/api/v1/cases/", **bearer("bh_not-a-real-token"))
    assert unknown.status_code == 401 and unknown.json()["detail"] == "接口令牌无效。"
    malformed = client.get("/api/v1/cases/", HTTP_AUTHORIZATION="Bearer")
    assert malformed.status_code == 401 and "格式有误" in malformed.json()["detail"]
    rows = list(ApiCall.objects.order_by("id").values_list("client_id", "status"))
    assert rows == [(api_client.pk, 200), (api_client.pk, 401), (None, 401), (None, 401)]
    assert AuditEvent.objects.filter(action="accounts.apiclient_revoke", reason="合作结束").count() == 1
    _no_token_anywhere(token)


def test_rotating_the_token_stops_the_old_one_at_once(client, new_client):
    api_client, old = new_client(["cases.read"])
    new = api_client_rotate(actor="测试", client=api_client)
    assert new != old
    assert client.get("/api/v1/cases/", **bearer(old)).status_code == 401
    assert client.get("/api/v1/cases/", **bearer(new)).status_code == 200
    _no_token_anywhere(new)


def test_sessions_keep_working_and_write_no_call_log(client, lanshan_clerk, make_case):
    make_case()
    assert client.get("/api/v1/cases/").status_code == 403  # anonymous: 403 as before, not 401
    assert client.login(username=lanshan_clerk.username, password=PASSWORD)
    assert client.get("/api/v1/cases/").json()["count"] == 1
    assert ApiCall.objects.count() == 0


def test_a_service_account_must_be_registered_staff_and_scopes_must_exist(new_client, make_person):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        new_client(["cases.read", "cases.delete"])
    assert "未知的接口权限" in error.value.message_dict["scopes"][0]
    assert ApiClient.objects.count() == 0


def test_the_admin_registers_shows_the_token_once_and_scopes_by_region(client, make_staff, new_client):
    admin_lanshan = make_staff("administrator", region="lanshan")
    clerk = make_staff("window_clerk", region="lanshan")
    yinan_client, _ = new_client(
        ["cases.read"], user=make_staff("window_clerk", region="yinan"), name="沂南系统"
    )
    assert client.login(username=admin_lanshan.username, password=PASSWORD)
    response = client.post(
        "/admin/accounts/apiclient/add/",
        {
            "name": "省级平台",
            "organisation": "山东省政务服务平台",
            "user": clerk.pk,
            "scopes": ["cases.read", "cases.create"],
            "rate_limit_per_minute": 120,
            "active": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    shown = re.search(r"bh_[A-Za-z0-9_-]{40,}", response.content.decode())
    assert shown, "the new token is shown once"
    created = ApiClient.objects.get(name="省级平台")
    assert created.token_hash == token_digest(shown.group(0))
    assert created.scopes == ["cases.create", "cases.read"]
    listing = client.get("/admin/accounts/apiclient/").content.decode()
    assert "省级平台" in listing and "沂南系统" not in listing
    assert client.get(f"/admin/accounts/apiclient/{yinan_client.pk}/change/").status_code in (302, 404)
    change_page = client.get(f"/admin/accounts/apiclient/{created.pk}/change/")
    assert change_page.status_code == 200 and created.token_prefix in change_page.content.decode()
    assert shown.group(0) not in change_page.content.decode()
    assert "bh_" not in client.get("/admin/accounts/apicall/").content.decode()
    # revoke through the admin action
    client.post(
        "/admin/accounts/apiclient/",
        {"action": "revoke", "_selected_action": [created.pk]},
        follow=True,
    )
    created.refresh_from_db()
    assert not created.active and created.revoked_at is not None
    assert client.get("/api/v1/cases/", **bearer(shown.group(0))).status_code == 401
    # rotate: a new token shown once, the old one no longer matches
    page = client.post(
        "/admin/accounts/apiclient/",
        {"action": "rotate_token", "_selected_action": [created.pk]},
        follow=True,
    ).content.decode()
    rotated = re.search(r"bh_[A-Za-z0-9_-]{40,}", page).group(0)
    created.refresh_from_db()
    assert created.token_hash == token_digest(rotated) != token_digest(shown.group(0))
    actions = set(
        AuditEvent.objects.filter(object_type__contains="apiclient").values_list("action", flat=True)
    )
    assert {"accounts.apiclient_add", "accounts.apiclient_revoke", "accounts.apiclient_rotate"} <= actions


def test_the_openapi_document_lists_the_bearer_scheme(client):
    schema = client.get("/api/schema/?format=json").json()
    scheme = schema["components"]["securitySchemes"]["apiClientToken"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert {"apiClientToken": []} in schema["paths"]["/api/v1/cases/"]["post"]["security"]
