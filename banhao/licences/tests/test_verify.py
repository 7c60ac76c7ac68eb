"""Public verification: the QR page and GET /api/v1/licences/verify/ for every status, what a
stranger may see, the use log (once a day per address) and the per-address limit."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from banhao.accounts.clients import api_client_create
from banhao.core.middleware import ELDER_COOKIE
from banhao.licences import services
from banhao.licences.models import Licence, LicenceUse

pytestmark = pytest.mark.django_db

API = "/api/v1/licences/verify/"
PAGE = "/licences/verify/"
STATUSES = ["valid", "suspended", "revoked", "expired", "unknown", "tampered"]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def disability_type(licence_types):
    """残疾人证: held by a person, the category public, the address not."""
    licence_type, _ = services.licence_type_upsert(
        actor="测试",
        name="残疾人证",
        code="11100000000013338W099",
        authority_name="中国残疾人联合会",
        holder_kind="person",
        validity="years",
        validity_years=10,
        fields=[
            {"key": "category", "label": "残疾类别", "required": True, "public": True},
            {"key": "address", "label": "户籍地址", "required": False, "public": False},
        ],
    )
    return licence_type


@pytest.fixture
def person_licence(disability_type, make_person):
    from banhao.org.models import Department

    person = make_person("371302", name="王小明")
    licence = services.licence_issue(
        actor="测试",
        licence_type=disability_type,
        issuer_id=Department.objects.get(name="临沂市行政审批服务局").pk,
        person_id=person.pk,
        face={"category": "肢体残疾", "address": "兰山区秘密路99号"},
    )
    return licence, person


def in_status(issue, status):
    """A licence of the enterprise brought into one of the six verification statuses; returns
    (identifier, licence or None)."""
    if status == "unknown":
        from banhao.core.identifiers import make_licence_identifier

        licence = issue()
        made_up = make_licence_identifier(licence.type_code, licence.issuer_code, "20269999999", 1)
        return made_up, None
    licence = issue("works", project=f"{status}工程")
    if status == "suspended":
        services.licence_suspend(actor="测试", licence=licence, reason="立案调查")
    elif status == "revoked":
        services.licence_revoke(actor="测试", licence=licence, reason="依法撤销")
    elif status == "expired":
        Licence.objects.filter(pk=licence.pk).update(valid_until=dt.date(2020, 1, 1))
        licence.refresh_from_db()
        services._sign(licence)  # re-signed by the issuer's key: a genuine, lapsed licence
        licence.save()
    elif status == "tampered":
        Licence.objects.filter(pk=licence.pk).update(face={**licence.face, "project": "篡改后的工程"})
    return licence.identifier, licence


def result_status(html: str) -> str:
    found = re.findall(r'data-status="([a-z]+)"', html)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("status", STATUSES)
def test_the_api_reports_each_status_with_the_public_fields_only_when_trustworthy(client, issue, status):
    identifier, _ = in_status(issue, status)
    response = client.get(API, {"id": identifier})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == status
    assert (
        body["status_label"]
        == {
            "valid": "有效",
            "suspended": "暂停使用",
            "revoked": "已注销",
            "expired": "已过期",
            "unknown": "未找到",
            "tampered": "核验未通过：证照数据被篡改",
        }[status]
    )
    if status in ("unknown", "tampered"):
        assert body["licence"] is None
    else:
        assert body["licence"]["identifier"] == identifier
        assert body["licence"]["name"] == "建筑工程施工许可证"
        assert body["licence"]["issuer"] == "临沂市行政审批服务局"
        assert body["licence"]["face"] == {"工程名称": f"{status}工程"}
        assert body["licence"]["valid_until"] == (None if status != "expired" else "2020-01-01")


@pytest.mark.parametrize("status", STATUSES)
def test_the_page_shows_each_status_in_words_and_in_data_status(client, issue, status):
    identifier, _ = in_status(issue, status)
    response = client.get(PAGE, {"id": identifier})
    html = response.content.decode()
    assert response.status_code == 200
    assert result_status(html) == status
    headline = {
        "valid": "有效",
        "suspended": "暂停使用",
        "revoked": "已注销",
        "expired": "已过期",
        "unknown": "未找到",
        "tampered": "核验未通过：证照数据被篡改",
    }[status]
    assert f'id="verify-outcome">{headline}</p>' in html
    if status == "tampered":
        assert "篡改后的工程" not in html and "建筑工程施工许可证" not in html
    if status in ("valid", "suspended", "revoked"):
        assert f"{status}工程" in html and "长期" in html


def test_the_qr_content_verifies_like_the_identifier_on_the_page_and_the_api(client, issue):
    licence = issue()
    url = services.verification_url(licence.identifier, base_url="https://zwfw.example.gov.cn")
    assert client.get(API, {"qr": url}).json()["status"] == "valid"
    assert result_status(client.get(PAGE, {"qr": url}).content.decode()) == "valid"
    # the QR opens the page itself: its path and query are the page's
    path = url.removeprefix("https://zwfw.example.gov.cn")
    assert path.startswith(reverse("licences:verify") + "?id=")
    assert result_status(client.get(path).content.decode()) == "valid"


def test_a_typed_identifier_in_lower_case_with_spaces_is_found(client, issue):
    licence = issue()
    assert client.get(API, {"id": f"  {licence.identifier.lower()} "}).json()["status"] == "valid"


@pytest.mark.parametrize("bad", ["1.2.156.3005.2.abc", "12345", "", None])
def test_a_missing_or_malformed_identifier_is_a_400_with_a_chinese_detail(client, issue, bad):
    params = {} if bad is None else {"id": bad}
    response = client.get(API, params)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "unknown"
    assert re.search(r"[\u4e00-\u9fff]", body["detail"])


def test_a_wrong_check_character_gives_the_identifier_message_on_the_page(client, issue):
    licence = issue()
    last = licence.identifier[-1]
    wrong = licence.identifier[:-1] + ("0" if last != "0" else "1")
    html = client.get(PAGE, {"id": wrong}).content.decode()
    assert result_status(html) == "unknown"
    assert "电子证照标识校验位不正确，请核对是否输错。" in html
    body = client.get(API, {"id": wrong}).json()
    assert body == {"status": "unknown", "detail": "电子证照标识校验位不正确，请核对是否输错。"}
    assert not LicenceUse.objects.exists()


def test_a_bad_qr_content_is_refused_in_chinese(client):
    body = client.get(API, {"qr": "https://example.com/pay?x=1"}).json()
    assert body["status"] == "unknown" and "二维码内容中没有电子证照标识" in body["detail"]


def test_the_page_never_shows_a_non_public_face_field_or_the_full_id_number(client, person_licence):
    licence, person = person_licence
    for params in ({"id": licence.identifier}, {}):
        html = client.get(PAGE, params).content.decode() if params else ""
        assert person.resident_id not in html
    html = client.get(PAGE, {"id": licence.identifier}).content.decode()
    assert result_status(html) == "valid"
    assert "肢体残疾" in html  # public
    assert "兰山区秘密路99号" not in html and "户籍地址" not in html  # not public
    assert "王小明" not in html and "王**" in html
    masked = person.resident_id[:4] + "*" * 10 + person.resident_id[-4:]
    assert masked in html
    body = client.get(API, {"id": licence.identifier}).json()
    assert person.resident_id not in str(body) and "兰山区秘密路99号" not in str(body)
    assert body["licence"]["holder"] == "王**" and body["licence"]["holder_code"] == masked
    assert body["licence"]["face"] == {"残疾类别": "肢体残疾"}


def test_verification_is_logged_once_per_address_and_day(client, issue):
    licence = issue()
    for _ in range(3):
        client.get(PAGE, {"id": licence.identifier})
        client.get(API, {"id": licence.identifier})
    uses = LicenceUse.objects.filter(licence=licence, kind="verify")
    assert uses.count() == 1
    use = uses.get()
    assert use.reason == "扫码/输入标识核验" and use.user_label == "公众核验" and use.user is None
    # another address is another verifier
    client.get(API, {"id": licence.identifier}, REMOTE_ADDR="10.1.2.3")
    assert uses.count() == 2
    # and the next day counts again
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    from unittest import mock

    with mock.patch("django.utils.timezone.now", return_value=tomorrow):
        client.get(API, {"id": licence.identifier})
    assert uses.count() == 3


def test_an_unknown_identifier_logs_nothing(client, issue):
    identifier, _ = in_status(issue, "unknown")
    client.get(API, {"id": identifier})
    assert not LicenceUse.objects.exists()


def test_a_logged_in_staff_member_is_named_in_the_use_log(client, issue, make_staff):
    licence = issue()
    client.force_login(make_staff("window_clerk", region="lanshan"))
    assert result_status(client.get(PAGE, {"id": licence.identifier}).content.decode()) == "valid"
    use = LicenceUse.objects.get(licence=licence)
    assert use.user is not None and use.user_label.startswith("window_clerk")


def test_an_api_client_with_a_reason_is_logged_under_its_name(client, issue, make_staff):
    licence = issue()
    _, token = api_client_create(
        actor="测试",
        name="市场监管平台",
        organisation="临沂市市场监督管理局",
        user=make_staff("window_clerk", region="city"),
        scopes=["licences.verify"],
    )
    response = client.get(
        API,
        {"id": licence.identifier, "reason": "食品经营许可现场核查"},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200 and response.json()["status"] == "valid"
    use = LicenceUse.objects.get(licence=licence)
    assert use.client is not None and use.reason == "食品经营许可现场核查"
    assert use.user_label == "市场监管平台（临沂市市场监督管理局）"
    too_long = client.get(
        API, {"id": licence.identifier, "reason": "字" * 201}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert too_long.status_code == 400 and "用证事由不得超过200字" in too_long.json()["detail"]


def test_an_api_client_without_the_scope_is_refused(client, issue, make_staff):
    licence = issue()
    _, token = api_client_create(
        actor="测试",
        name="热线",
        organisation="12345",
        user=make_staff("window_clerk", region="city"),
        scopes=["catalog.read"],
    )
    response = client.get(API, {"id": licence.identifier}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403 and "licences.verify" in response.json()["detail"]


def test_a_reason_from_the_public_is_not_written_into_the_holders_log(client, issue):
    licence = issue()
    client.get(API, {"id": licence.identifier, "reason": "广告：加微信"})
    assert LicenceUse.objects.get(licence=licence).reason == "扫码/输入标识核验"


@override_settings(BANHAO_LICENCE_VERIFY_PER_MINUTE=3)
def test_an_address_over_its_limit_gets_a_chinese_429_on_the_page_and_the_api(client, issue):
    licence = issue()
    for _ in range(3):
        assert client.get(API, {"id": licence.identifier}).status_code == 200
    api = client.get(API, {"id": licence.identifier})
    assert api.status_code == 429 and int(api["Retry-After"]) >= 1
    assert "核验过于频繁" in api.json()["detail"]
    page = client.get(PAGE, {"id": licence.identifier})
    assert page.status_code == 429 and "核验过于频繁" in page.content.decode()
    # another address is not affected; the form alone is never throttled
    assert client.get(API, {"id": licence.identifier}, REMOTE_ADDR="10.9.9.9").status_code == 200
    assert client.get(PAGE).status_code == 200


@override_settings(
    BANHAO_LICENCE_VERIFY_PER_MINUTE=1, BANHAO_LICENCE_VERIFY_TRUSTED_ADDRESSES=["10.0.0.0/24"]
)
def test_a_trusted_address_such_as_a_hall_kiosk_is_not_limited(client, issue):
    licence = issue()
    for _ in range(4):
        response = client.get(API, {"id": licence.identifier}, REMOTE_ADDR="10.0.0.7")
        assert response.status_code == 200


def test_the_page_is_phone_ready_csp_clean_and_works_in_elder_mode(client, issue):
    licence = issue()
    response = client.get(PAGE, {"id": licence.identifier})
    html = response.content.decode()
    assert '<html lang="zh-CN"' in html and 'name="viewport"' in html
    assert "licences-verify.css" in html
    policy = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy
    client.cookies[ELDER_COOKIE] = "1"
    elder = client.get(PAGE, {"id": licence.identifier}).content.decode()
    assert 'class="elder"' in elder and result_status(elder) == "valid"
    for page in (html, elder, client.get(PAGE).content.decode()):
        assert 'style="' not in page
        assert not re.search(r"<style[\s>]", page)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
        assert not re.search(r"\son[a-z]+=", page)


def test_the_empty_page_offers_the_form_without_a_result(client):
    html = client.get(PAGE).content.decode()
    assert 'name="id"' in html and "data-status" not in html


def test_the_openapi_schema_documents_the_verify_endpoint(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/api/schema/", {"format": "json"})
    if response.status_code == 404:
        pytest.fail("the schema is not served at /api/schema/")
    schema = response.json()
    op = schema["paths"]["/api/v1/licences/verify/"]["get"]
    assert op["operationId"] == "licences_verify"
    names = {p["name"] for p in op["parameters"]}
    assert {"id", "qr", "reason"} <= names
    assert {"200", "400", "429"} <= set(op["responses"])


def test_a_superseded_version_reads_as_revoked_and_says_a_newer_version_exists(client, issue):
    old = issue(scope="餐饮服务")
    new = issue(scope="餐饮服务；预包装食品销售")
    assert new.supersedes_id == old.pk
    body = client.get(API, {"id": old.identifier}).json()
    assert body["status"] == "revoked" and body["superseded"] is True
    assert client.get(API, {"id": new.identifier}).json()["status"] == "valid"
    html = client.get(PAGE, {"id": old.identifier}).content.decode()
    assert result_status(html) == "revoked" and "该证照已换发新版本" in html


def test_a_head_request_from_a_qr_scanner_is_answered(client, issue):
    licence = issue()
    assert client.head(PAGE, {"id": licence.identifier}).status_code == 200
