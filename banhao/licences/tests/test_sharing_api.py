"""The sharing API (/api/v1/licences/): API clients with the licences scopes and staff with
licences.use; every call carries a 用证事由 or is refused with 400, every licence returned is logged."""

import io
import unicodedata

import pytest
from django.urls import reverse

from banhao.accounts.clients import api_client_create
from banhao.licences import services
from banhao.licences.models import LicenceUse
from banhao.org.models import Department

pytestmark = pytest.mark.django_db

API = "/api/v1/licences/"
REASON = "办件371302-20261204-00012审查核验营业执照"


@pytest.fixture
def licence(issue):
    return issue("business", scope="餐饮服务")


@pytest.fixture
def person_licence(make_person, catalog_city):
    licence_type, _ = services.licence_type_upsert(
        actor="测试",
        name="食品安全管理员培训合格证明",
        code="11100000000013338W099",
        authority_name="国家市场监督管理总局",
        holder_kind="person",
        fields=[
            {"key": "name", "label": "姓名", "required": True, "public": True, "sources": ["holder.name"]},
            {"key": "id_number", "label": "公民身份号码", "required": True, "sources": ["holder.code"]},
        ],
    )
    person = make_person("371302", name="王芳")
    return services.licence_issue(
        actor="测试",
        licence_type=licence_type,
        issuer_id=Department.objects.get(name="临沂市行政审批服务局").pk,
        person_id=person.pk,
        face={},
    )


@pytest.fixture
def token(make_staff):
    """token(scopes) -> a bearer token of the client 12345热线 with those scopes."""

    def make(scopes):
        _, raw = api_client_create(
            actor="测试",
            name="12345热线",
            organisation="临沂市12345政务服务便民热线",
            user=make_staff("window_clerk", region="lanshan"),
            scopes=scopes,
        )
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return make


def endpoints(licence):
    holder = {"holder": licence.holder_code}
    qr = {"qr": services.verification_url(licence.identifier, base_url="https://zwfw.example/")}
    return [
        (API, holder),
        (f"{API}{licence.identifier}/", {}),
        (f"{API}by-qr/", qr),
        (f"{API}{licence.identifier}/copy/", {}),
    ]


def test_every_sharing_endpoint_refuses_a_call_without_a_reason_or_with_a_too_long_one(
    client, token, licence
):
    auth = token(["licences.read", "licences.copy"])
    for url, params in endpoints(licence):
        response = client.get(url, params, **auth)
        assert response.status_code == 400, url
        assert "请填写用证事由" in response.json()["detail"]
        response = client.get(url, {**params, "reason": "查" * 201}, **auth)
        assert response.status_code == 400 and "不得超过200字" in response.json()["detail"], url
    assert not LicenceUse.objects.exists()


def test_without_credentials_a_bad_token_or_the_scope_the_sharing_api_is_closed(client, token, licence):
    for url, params in endpoints(licence):
        assert client.get(url, {**params, "reason": REASON}).status_code == 403, url
        bad = client.get(url, {**params, "reason": REASON}, HTTP_AUTHORIZATION="Bearer bh_nonsense")
        assert bad.status_code == 401, url
    read_only = token(["licences.read"])
    response = client.get(f"{API}{licence.identifier}/copy/", {"reason": REASON}, **read_only)
    assert response.status_code == 403 and "licences.copy" in response.json()["detail"]
    cases_only = token(["cases.read"])
    response = client.get(f"{API}{licence.identifier}/", {"reason": REASON}, **cases_only)
    assert response.status_code == 403 and "licences.read" in response.json()["detail"]
    assert not LicenceUse.objects.exists()


def test_a_client_queries_by_holder_with_full_width_input_and_each_licence_is_logged(
    client, token, licence, issue
):
    works = issue("works", project="临沂某餐饮有限公司厨房改造工程")
    wide = unicodedata.normalize("NFKC", licence.holder_code).translate(
        {c: c + 0xFEE0 for c in range(0x21, 0x7F)}
    )
    response = client.get(API, {"holder": wide, "reason": REASON}, **token(["licences.read"]))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and {r["identifier"] for r in body["results"]} == {
        licence.identifier,
        works.identifier,
    }
    found = next(r for r in body["results"] if r["identifier"] == licence.identifier)
    assert found["status"] == "valid" and found["holder"]["code"] == licence.holder_code
    assert {"key": "scope", "label": "经营范围", "value": "餐饮服务"} in found["face"]
    uses = LicenceUse.objects.filter(kind=LicenceUse.Kind.QUERY)
    assert uses.count() == 2
    assert {u.user_label for u in uses} == {"12345热线（临沂市12345政务服务便民热线）"}
    assert {u.reason for u in uses} == {REASON} and all(u.client_id for u in uses)


def test_an_invalid_holder_code_is_a_400_in_chinese(client, token, licence):
    response = client.get(API, {"holder": "12345", "reason": REASON}, **token(["licences.read"]))
    assert response.status_code == 400 and "公民身份号码或统一社会信用代码" in response.json()["detail"]


def test_a_list_masks_a_persons_id_number_and_the_identifier_query_shows_it(client, token, person_licence):
    auth = token(["licences.read"])
    code = person_licence.holder_code
    listed = client.get(API, {"holder": code, "reason": REASON}, **auth).json()["results"][0]
    assert listed["holder"]["code"] == code[:4] + "*" * 10 + code[-4:]
    assert code not in str(listed)
    one = client.get(f"{API}{person_licence.identifier}/", {"reason": REASON}, **auth).json()
    assert (
        one["holder"]["code"] == code
        and {"key": "id_number", "label": "公民身份号码", "value": code} in one["face"]
    )


def test_a_client_reads_a_licence_by_identifier_and_the_status_is_recomputed(client, token, licence):
    auth = token(["licences.read"])
    response = client.get(f"{API}{licence.identifier}/", {"reason": REASON}, **auth)
    assert response.status_code == 200
    data = response.json()
    assert data["name"] == "营业执照" and data["status"] == "valid" and data["long_term"] is True
    assert (
        data["issuer"]["name"] == "临沂市行政审批服务局"
        and data["signature"]["algorithm"] == licence.algorithm
    )
    services.licence_suspend(actor="测试", licence=licence, reason="立案调查")
    data = client.get(f"{API}{licence.identifier}/", {"reason": REASON}, **auth).json()
    assert data["status"] == "suspended" and data["status_label"] == "暂停使用"
    assert LicenceUse.objects.filter(licence=licence, kind="query").count() == 2


def test_an_unknown_or_malformed_identifier_is_404_or_400(client, token, licence):
    auth = token(["licences.read"])
    wrong_check = licence.identifier[:-1] + ("A" if licence.identifier[-1] != "A" else "B")
    response = client.get(f"{API}{wrong_check}/", {"reason": REASON}, **auth)
    assert response.status_code == 400 and "校验位" in response.json()["detail"]
    from banhao.core.identifiers import make_licence_identifier

    other = make_licence_identifier(licence.type_code, licence.issuer_code, "20269999999", 1)
    response = client.get(f"{API}{other}/", {"reason": REASON}, **auth)
    assert response.status_code == 404 and "没有这本证照" in response.json()["detail"]
    assert not LicenceUse.objects.exists()


def test_a_client_reads_a_licence_by_the_content_of_its_qr_code(client, token, licence):
    auth = token(["licences.read"])
    qr = services.verification_url(licence.identifier, base_url="https://zwfw.example/")
    response = client.get(f"{API}by-qr/", {"qr": qr, "reason": REASON}, **auth)
    assert response.status_code == 200 and response.json()["identifier"] == licence.identifier
    response = client.get(f"{API}by-qr/", {"qr": "https://zwfw.example/x", "reason": REASON}, **auth)
    assert response.status_code == 400 and "没有电子证照标识" in response.json()["detail"]
    assert LicenceUse.objects.filter(licence=licence).count() == 1


def test_a_client_downloads_a_watermarked_copy_that_names_the_identifier_and_is_logged(
    client, token, licence
):
    from pypdf import PdfReader

    response = client.get(
        f"{API}{licence.identifier}/copy/",
        {"reason": "招投标资格审查"},
        HTTP_ACCEPT="application/pdf",
        **token(["licences.copy"]),
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content[:5] == b"%PDF-"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = "".join(text.split())
    assert licence.identifier in flat and "本加注件有效期至" in flat and "招投标资格审查" in flat
    use = LicenceUse.objects.get()
    assert use.kind == LicenceUse.Kind.COPY and use.reason == "招投标资格审查"
    assert use.user_label == "12345热线（临沂市12345政务服务便民热线）"


def test_a_copy_of_a_revoked_licence_is_refused_in_json_even_when_a_pdf_is_asked_for(client, token, licence):
    services.licence_revoke(actor="测试", licence=licence, reason="企业申请注销登记")
    response = client.get(
        f"{API}{licence.identifier}/copy/",
        {"reason": REASON},
        HTTP_ACCEPT="application/pdf",
        **token(["licences.copy"]),
    )
    assert response.status_code == 400 and "已注销" in response.json()["detail"]
    assert not LicenceUse.objects.exists()


def test_staff_with_licences_use_may_call_and_are_logged_by_name_others_are_refused(
    client, make_staff, licence, enterprise
):
    clerk = make_staff("window_clerk", region="lanshan")
    client.force_login(clerk)
    response = client.get(f"{API}{licence.identifier}/", {"reason": REASON})
    assert response.status_code == 200
    use = LicenceUse.objects.get()
    assert use.user == clerk and use.client is None and use.user_label.startswith(clerk.display_name)
    client.force_login(make_staff("catalog_officer"))
    response = client.get(f"{API}{licence.identifier}/", {"reason": REASON})
    assert response.status_code == 403 and "使用证照" in response.json()["detail"]
    client.force_login(enterprise["user"])  # an applicant, even the holder, uses 我的证照 instead
    assert client.get(f"{API}{licence.identifier}/", {"reason": REASON}).status_code == 403
    assert LicenceUse.objects.count() == 1


def test_the_identifier_pattern_leaves_verify_and_by_qr_to_their_views():
    from django.urls import resolve

    assert resolve(f"{API}by-qr/").url_name == "api-licences-by-qr"
    match = resolve(f"{API}1.2.156.3005.2.X/")
    assert match.url_name == "api-licences-detail"
    try:
        verify = resolve(f"{API}verify/")
    except Exception:
        verify = None
    assert verify is None or verify.url_name != "api-licences-detail"
    assert reverse("api-licences-copy", args=["1.2.156.3005.2.X"]) == f"{API}1.2.156.3005.2.X/copy/"


def test_the_openapi_document_describes_the_sharing_endpoints(client, make_staff):
    client.force_login(make_staff("administrator"))
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert "/api/v1/licences/" in paths and "/api/v1/licences/by-qr/" in paths
    assert any(p.endswith("/copy/") for p in paths if p.startswith("/api/v1/licences/"))
    params = {p["name"]: p for p in paths["/api/v1/licences/"]["get"]["parameters"]}
    assert params["reason"]["required"] is True


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/licences/?holder=91371302MA00000151",
        "/api/v1/licences/1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U/",
        "/api/v1/licences/by-qr/?qr=x",
        "/api/v1/licences/1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U/copy/",
    ],
)
def test_a_call_without_a_reason_is_a_400_even_before_authentication(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "用证事由" in response.json()["detail"]
