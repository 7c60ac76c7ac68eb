"""免提交 end to end: a 营业执照 issued through the real path (an approved registration whose
result is ready) is reused as the material of the next application (食品经营许可) instead of an
upload, online, at the window and through the API; a made-up, foreign or revoked licence is
refused and leaves no case."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from banhao.cases import commands, documents
from banhao.cases.models import Case, CaseMaterial
from banhao.cases.tests.factories import advance
from banhao.core.identifiers import make_licence_identifier
from banhao.licences import services
from banhao.licences.models import Licence, LicenceUse
from conftest import PASSWORD, sample_content

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
API = "/api/v1/cases/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def registration(licence_types):
    """企业设立登记 in 兰山区, whose result is the 营业执照 of the licence catalog."""
    from banhao.catalog import services as catalog

    content = sample_content(
        basic_code="371301002399",
        name="企业设立登记",
        sub_item_name="企业设立登记",
        handling_name="",
        situations=[],
        keywords=["开公司"],
        result_name="营业执照",
        materials=[
            {
                "name": "设立登记申请书",
                "required": True,
                "medium": "both",
                "copy": "原件",
                "copies": 1,
                "source": "申请人自备",
            }
        ],
        form_fields=[
            {"key": "org_name", "label": "企业名称", "type": "text", "prefill": "org.name"},
            {"key": "business_scope", "label": "经营范围", "type": "text", "required": False},
        ],
    )
    version, _ = catalog.standard_save(actor="测试", data=content)
    version = catalog.version_publish(actor="测试", version=version)
    impl, _ = catalog.implementation_save(
        actor="测试", standard=version.item, region_code="371302", department="兰山区行政审批服务局"
    )
    impl = catalog.implementation_publish(actor="测试", implementation=impl)
    business = licence_types["business"]
    services.licence_type_upsert(
        actor="测试",
        name=business.name,
        code=business.code,
        authority_name=business.authority_name,
        holder_kind=business.holder_kind,
        fields=business.fields,
        item_codes=[version.item.code],
    )
    return impl, version


@pytest.fixture
def business_licence(registration, enterprise):
    """The enterprise's 营业执照, issued when its approved registration's result is ready."""
    from banhao.cases import services as cases

    impl, version = registration
    case, _ = cases.case_create(
        actor=enterprise["user"],
        implementation=impl,
        version=version,
        region_id=impl.region_id,
        region_code="371302",
        department_id=impl.department_id,
        person_id=enterprise["agent"].pk,
        organization_id=enterprise["org"].pk,
        contact_phone="13900000002",
        form_data={"org_name": "临沂某餐饮有限公司", "business_scope": "餐饮服务"},
        idempotency_key="registration",
    )
    case = advance(case, result_ready=True)
    licence = Licence.objects.get(case_id=case.pk)
    assert licence.name == "营业执照" and licence.holder_organization_id == enterprise["org"].pk
    assert services.verify_status(licence) == "valid"
    return licence


@pytest.fixture
def food(published_implementation):
    return published_implementation[0]


def made_up(licence: Licence) -> str:
    """A well-formed identifier (right check character) that the store never issued."""
    parts = licence.identifier.split(".")
    return make_licence_identifier(parts[5], parts[6], "20269999999", parts[8])


def _apply_url(impl) -> str:
    return reverse("apply:start", args=[impl.pk])


def _online(client, impl, enterprise, **extra):
    page = client.get(_apply_url(impl)).content.decode()
    key = page.split('name="key" value="', 1)[1][:32]
    data = {
        "key": key,
        "action": "submit",
        "s_agent": "no",
        "f_org_name": enterprise["org"].name,
        "f_credit_code": enterprise["org"].credit_code,
        "f_address": "兰山区金雀山路1号",
        "f_category": "热食类",
        "contact_phone": "13900000002",
        "m_0": SimpleUploadedFile("申请书.pdf", PDF, content_type="application/pdf"),
    }
    data.update(extra)
    return client.post(_apply_url(impl), data)


# --- online -------------------------------------------------------------------------------------


def test_the_apply_form_offers_the_held_licence_with_a_preview_and_a_consent_box(
    client, food, enterprise, business_licence
):
    client.force_login(enterprise["user"])
    page = client.get(_apply_url(food)).content.decode()
    assert "使用已有电子证照（免提交）" in page and "同意本次申请调用该电子证照" in page
    assert business_licence.identifier in page and business_licence.number in page
    assert business_licence.issuer_name in page and "长期" in page
    assert f'name="m_1_use" value="{business_licence.identifier}" checked' in page
    assert 'name="m_1_consent" value="yes">' in page  # never ticked for the applicant
    assert 'type="file" id="m_1"' in page  # they may still upload
    assert "<script>" not in page and "style=" not in page


def test_an_enterprise_reuses_its_approved_business_licence_online_without_an_upload(
    client, food, enterprise, business_licence
):
    client.force_login(enterprise["user"])
    r = _online(client, food, enterprise, m_1_use=business_licence.identifier, m_1_consent="yes")
    assert r.status_code == 302, r.content.decode()[:3000]
    case = Case.objects.get(implementation=food)
    material = case.materials.get(name="营业执照")
    assert material.licence_identifier == business_licence.identifier and not material.file
    assert material.note.startswith("免提交（电子证照）") and business_licence.identifier in material.note
    use = LicenceUse.objects.get(licence=business_licence)
    assert use.kind == "material" and use.case_number == case.number and case.number in use.reason
    done = client.get(r.url).content.decode()
    assert business_licence.identifier in done
    # the acceptance notice lists the licence among the materials received
    case = advance(case, accepted=True)
    notice = documents.notice_for(case, documents.ACCEPTANCE)
    row = next(m for m in notice.data["materials"] if m["name"] == "营业执照")
    assert row["licence_identifier"] == business_licence.identifier
    assert business_licence.identifier in row["note"]


def test_without_consent_the_licence_is_not_used_and_no_case_is_made(
    client, food, enterprise, business_licence
):
    client.force_login(enterprise["user"])
    r = _online(client, food, enterprise, m_1_use=business_licence.identifier)
    assert r.status_code == 400
    assert "请勾选“同意本次申请调用该电子证照”" in r.content.decode()
    assert not Case.objects.filter(implementation=food).exists()
    assert not LicenceUse.objects.exists()


def test_the_applicant_may_upload_instead_of_using_the_held_licence(
    client, food, enterprise, business_licence
):
    client.force_login(enterprise["user"])
    upload = SimpleUploadedFile("营业执照.pdf", PDF, content_type="application/pdf")
    r = _online(client, food, enterprise, m_1_use="upload", m_1=upload)
    assert r.status_code == 302, r.content.decode()[:3000]
    material = CaseMaterial.objects.get(name="营业执照")
    assert material.file and not material.licence_identifier
    assert not LicenceUse.objects.exists()


def test_a_made_up_identifier_posted_online_is_refused_and_makes_no_case(
    client, food, enterprise, business_licence
):
    client.force_login(enterprise["user"])
    r = _online(client, food, enterprise, m_1_use=made_up(business_licence), m_1_consent="yes")
    assert r.status_code == 400 and "不是您（或本单位）持有的有效证照" in r.content.decode()
    assert not Case.objects.filter(implementation=food).exists()
    assert not LicenceUse.objects.exists()


def test_a_revoked_licence_is_not_offered_and_the_upload_is_required(
    client, food, enterprise, business_licence
):
    services.licence_revoke(actor="测试", licence=business_licence, reason="吊销营业执照")
    client.force_login(enterprise["user"])
    page = client.get(_apply_url(food)).content.decode()
    assert business_licence.identifier not in page
    assert "电子证照库中暂无您（或本单位）有效的《营业执照》" in page
    r = _online(client, food, enterprise, m_1_use=business_licence.identifier, m_1_consent="yes")
    assert r.status_code == 400
    r = _online(client, food, enterprise)
    assert r.status_code == 400 and "请上传“营业执照”" in r.content.decode()
    assert not Case.objects.filter(implementation=food).exists()
    assert not LicenceUse.objects.exists()


# --- the rule in case_open ------------------------------------------------------------------------


def _open(food, enterprise, *, key="k1", **licence_row):
    return commands.case_open(
        channel="online",
        implementation_id=food.pk,
        applicant=commands.Applicant(
            person_id=enterprise["agent"].pk,
            organization_id=enterprise["org"].pk,
            contact_phone="13900000002",
        ),
        form_data={"org_name": enterprise["org"].name},
        situations={"agent": False},
        materials=[
            {"name": "食品经营许可申请书", "how": "paper"},
            {"name": "营业执照", **licence_row},
        ],
        idempotency_key=key,
        actor=enterprise["user"],
    )


@pytest.mark.parametrize("case", ["made_up", "foreign", "revoked", "suspended", "expired", "tampered"])
def test_case_open_refuses_a_licence_that_is_not_the_applicants_valid_one_and_keeps_nothing(
    food, enterprise, business_licence, make_person, case
):
    from banhao.registry import services as registry

    identifier = business_licence.identifier
    agent_user = enterprise["user"]
    if case == "made_up":
        identifier = made_up(business_licence)
    elif case == "foreign":  # another person's account: the enterprise's licence is not theirs
        other = make_person("371302", name="王五", phone="13900000009")
        agent_user = registry.applicant_account_open(actor="测试", person=other, password=PASSWORD).user
        enterprise = {**enterprise, "agent": other, "org": None}
    elif case == "revoked":
        services.licence_revoke(actor="测试", licence=business_licence, reason="吊销")
    elif case == "suspended":
        services.licence_suspend(actor="测试", licence=business_licence, reason="责令停业整顿")
    elif case == "expired":
        import datetime as dt

        Licence.objects.filter(pk=business_licence.pk).update(valid_until=dt.date(2020, 1, 1))
    else:
        Licence.objects.filter(pk=business_licence.pk).update(
            face={**business_licence.face, "name": "别家公司"}
        )
    with pytest.raises(ValidationError) as exc:
        commands.case_open(
            channel="online",
            implementation_id=food.pk,
            applicant=commands.Applicant(
                person_id=enterprise["agent"].pk,
                organization_id=enterprise["org"].pk if enterprise["org"] else None,
                contact_phone="13900000002",
            ),
            form_data={"org_name": "临沂某餐饮有限公司"},
            situations={"agent": False},
            materials=[
                {"name": "食品经营许可申请书", "how": "paper"},
                {"name": "营业执照", "how": "licence", "licence": identifier},
            ],
            idempotency_key="k1",
            actor=agent_user,
        )
    assert list(exc.value.message_dict) == ["materials[1].licence"]
    assert exc.value.message_dict["materials[1].licence"][0].startswith("“营业执照”：")
    assert not Case.objects.filter(implementation=food).exists()
    assert not LicenceUse.objects.exists()


def test_a_material_the_store_holds_is_no_longer_taken_as_shared_on_trust(food, enterprise, business_licence):
    with pytest.raises(ValidationError) as exc:
        _open(food, enterprise, how="shared")
    assert "materials[1].how" in exc.value.message_dict
    assert "须使用申请人持有的《营业执照》电子证照" in exc.value.messages[0]
    assert not Case.objects.filter(implementation=food).exists()


def test_licence_is_refused_for_a_material_the_store_does_not_hold(food, enterprise, business_licence):
    from banhao.cases.models import Case as CaseModel

    with pytest.raises(ValidationError) as exc:
        commands.case_open(
            channel="online",
            implementation_id=food.pk,
            applicant=commands.Applicant(
                person_id=enterprise["agent"].pk, organization_id=enterprise["org"].pk
            ),
            form_data={},
            situations={"agent": False},
            materials=[
                {"name": "食品经营许可申请书", "how": "licence", "licence": business_licence.identifier},
                {"name": "营业执照", "how": "licence", "licence": business_licence.identifier},
            ],
            idempotency_key="k1",
            actor=enterprise["user"],
        )
    assert "materials[0].how" in exc.value.message_dict
    assert not CaseModel.objects.filter(implementation=food).exists()


def test_a_retry_with_the_same_key_logs_the_use_once(food, enterprise, business_licence):
    first = _open(food, enterprise, how="licence", licence=business_licence.identifier)
    again = _open(food, enterprise, how="licence", licence=business_licence.identifier)
    assert first.created and not again.created and first.number == again.number
    assert LicenceUse.objects.filter(licence=business_licence, kind="material").count() == 1
    assert CaseMaterial.objects.get(case_id=first.id, name="营业执照").licence_identifier == (
        business_licence.identifier
    )


# --- the window -----------------------------------------------------------------------------------


@pytest.fixture
def clerk(client, make_staff, hall):
    from banhao.hall import services as hall_services

    user = make_staff("window_clerk", region="lanshan", hall=hall["hall"], window=hall["windows"][1])
    client.login(username=user.username, password=PASSWORD)
    hall_services.ticket_issue(
        hall_id=hall["hall"].pk, zone_id=hall["zones"]["A"].pk, source="kiosk", phone="13900000002"
    )
    assert hall_services.ticket_call_next(window_id=hall["windows"][1].pk, staff_id=user.staff.pk)
    return user


def _window(enterprise, **extra):
    data = {
        "key": uuid.uuid4().hex,
        "action": "submit",
        "resident_id": enterprise["agent"].resident_id,
        "name": "",
        "phone": "",
        "credit_code": enterprise["org"].credit_code,
        "s_agent": "no",
        "f_address": "兰山区金雀山路1号",
        "f_category": "热食类",
        "contact_phone": "13900000002",
        "m_0_how": "paper",
        "outcome": "accept",
    }
    data.update(extra)
    return data


def test_the_window_clerk_calls_up_the_held_licence_with_the_applicants_consent(
    client, clerk, food, enterprise, business_licence
):
    url = reverse("hall:accept_item", args=[food.pk])
    page = client.post(url, {**_window(enterprise), "action": "identify"}).content.decode()
    assert "持有电子证照" in page and business_licence.identifier in page and "申请人已同意调用" in page
    assert (
        '<option value="licence" selected>' in page
        and '<option value="shared"' not in page.split("m_1_how")[1][:600]
    )
    refused = client.post(
        url, _window(enterprise, m_1_how="licence", m_1_licence=business_licence.identifier)
    )
    assert refused.status_code == 400 and "须经申请人同意" in refused.content.decode()
    assert not Case.objects.filter(implementation=food).exists()
    r = client.post(
        url,
        _window(enterprise, m_1_how="licence", m_1_licence=business_licence.identifier, m_1_consent="yes"),
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    case = Case.objects.get(implementation=food)
    assert case.channel == "window" and case.status == "accepted"
    material = case.materials.get(name="营业执照")
    assert material.licence_identifier == business_licence.identifier
    assert LicenceUse.objects.get(licence=business_licence).case_number == case.number


def test_the_window_cannot_mark_a_store_licence_as_shared_or_call_a_made_up_one(
    client, clerk, food, enterprise, business_licence
):
    url = reverse("hall:accept_item", args=[food.pk])
    shared = client.post(url, _window(enterprise, m_1_how="shared"))
    assert shared.status_code == 400 and "必要材料“营业执照”未收取" in shared.content.decode()
    fake = client.post(
        url, _window(enterprise, m_1_how="licence", m_1_licence=made_up(business_licence), m_1_consent="yes")
    )
    assert (
        fake.status_code == 400 and "请选择申请人（或其单位）持有的有效《营业执照》" in fake.content.decode()
    )
    assert not Case.objects.filter(implementation=food).exists()
    assert not LicenceUse.objects.exists()


# --- the API --------------------------------------------------------------------------------------


def _api_body(food, *licence_row):
    return {
        "implementation_id": food.pk,
        "contact_phone": "13900000002",
        "situations": {"agent": False},
        "form_data": {"address": "兰山区金雀山路1号", "category": "热食类"},
        "materials": [
            {
                "name": "食品经营许可申请书",
                "how": "file",
                "file": {"filename": "申请书.pdf", "content_base64": base64.b64encode(PDF).decode()},
            },
            *licence_row,
        ],
    }


def _api(client, body, key="api-1"):
    return client.post(API, json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


def test_the_api_takes_a_held_licence_named_explicitly(client, food, enterprise, business_licence):
    client.force_login(enterprise["user"])
    r = _api(
        client,
        _api_body(food, {"name": "营业执照", "how": "licence", "licence": business_licence.identifier}),
    )
    assert r.status_code == 201, r.json()
    case = Case.objects.get(number=r.json()["number"])
    assert case.materials.get(name="营业执照").licence_identifier == business_licence.identifier
    row = next(m for m in r.json()["materials"] if m["name"] == "营业执照")
    assert row["licence_identifier"] == business_licence.identifier
    assert LicenceUse.objects.get(licence=business_licence).case_number == case.number
    again = _api(client, _api_body(food, {"name": "营业执照", "how": "licence", "licence": "whatever"}))
    assert again.status_code == 200 and LicenceUse.objects.count() == 1


def test_the_api_refuses_a_made_up_licence_by_its_json_path_and_never_fills_it_in_as_shared(
    client, food, enterprise, business_licence
):
    client.force_login(enterprise["user"])
    fake = _api(
        client, _api_body(food, {"name": "营业执照", "how": "licence", "licence": made_up(business_licence)})
    )
    assert fake.status_code == 400
    assert "materials[1].licence" in fake.json()["errors"]
    assert "电子证照库中没有这本证照" in fake.json()["errors"]["materials[1].licence"][0]
    shared = _api(client, _api_body(food, {"name": "营业执照", "how": "shared"}), key="api-2")
    assert shared.status_code == 400 and "materials[1].how" in shared.json()["errors"]
    left_out = _api(client, _api_body(food), key="api-3")  # the old "shared unless uploaded" rule
    assert left_out.status_code == 400 and "materials.营业执照" in left_out.json()["errors"]
    assert not Case.objects.filter(implementation=food).exists()
    assert not LicenceUse.objects.exists()


def test_the_api_documents_the_licence_way_of_receipt(client):
    schema = client.get("/api/schema/?format=json").json()
    schemas = schema["components"]["schemas"]
    material = schemas["CaseMaterialRequest"]
    how = material["properties"]["how"]
    ref = (how.get("allOf") or [how])[0].get("$ref", "")
    enum = schemas[ref.rsplit("/", 1)[-1]]["enum"] if ref else how["enum"]
    assert "licence" in material["properties"] and "licence" in enum
    assert "licence" in material["properties"]["how"].get("description", "") + json.dumps(material)


def test_the_api_fills_a_licence_left_out_only_from_the_one_usable_licence_held(
    client, food, enterprise, business_licence
):
    client.force_login(enterprise["user"])
    r = _api(client, _api_body(food, {"name": "营业执照", "how": "licence"}))
    assert r.status_code == 201, r.json()
    case = Case.objects.get(number=r.json()["number"])
    assert case.materials.get(name="营业执照").licence_identifier == business_licence.identifier
    services.licence_revoke(actor="测试", licence=business_licence, reason="吊销")
    none = _api(client, _api_body(food, {"name": "营业执照", "how": "licence"}), key="api-2")
    assert (
        none.status_code == 400
        and "电子证照库中没有申请人有效的该证照" in none.json()["errors"]["materials[1].licence"][0]
    )


def test_a_material_the_store_does_not_hold_is_still_fetched_by_data_sharing(
    licence_types, catalog_city, enterprise
):
    """居民身份证 is not a type of the licence store: 免提交（数据共享） as before."""
    from banhao.catalog import services as catalog

    content = sample_content(
        basic_code="371301002398",
        name="个体工商户登记",
        sub_item_name="个体工商户登记",
        handling_name="",
        situations=[],
        keywords=["个体户"],
        materials=[
            {
                "name": "居民身份证",
                "required": True,
                "medium": "electronic",
                "copy": "原件",
                "copies": 1,
                "source": "政府部门核发",
                "shared": True,
                "licence_type": "居民身份证",
            }
        ],
        form_fields=[{"key": "org_name", "label": "名称", "type": "text", "required": False}],
    )
    version, _ = catalog.standard_save(actor="测试", data=content)
    version = catalog.version_publish(actor="测试", version=version)
    impl, _ = catalog.implementation_save(
        actor="测试", standard=version.item, region_code="371302", department="兰山区行政审批服务局"
    )
    impl = catalog.implementation_publish(actor="测试", implementation=impl)
    info = commands.case_open(
        channel="online",
        implementation_id=impl.pk,
        applicant=commands.Applicant(person_id=enterprise["agent"].pk),
        form_data={},
        materials=[{"name": "居民身份证", "how": "shared"}],
        idempotency_key="k1",
        actor=enterprise["user"],
    )
    material = CaseMaterial.objects.get(case_id=info.id)
    assert material.note == "免提交（数据共享）" and not material.licence_identifier
