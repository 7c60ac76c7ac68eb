"""我的证照: the holder's own and their enterprise's licences (never another holder's), the face
with the ID masked, the QR code to show, the watermarked copy for a stated purpose and the use log."""

import pytest
from django.urls import reverse

from banhao.licences import documents, services
from banhao.licences.models import LicenceUse
from banhao.org.models import Department
from banhao.registry import services as registry
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def person_type(db):
    licence_type, _ = services.licence_type_upsert(
        actor="测试",
        name="食品安全管理员培训合格证明",
        code="11100000000013338W099",
        authority_name="国家市场监督管理总局",
        holder_kind="person",
        fields=[
            {"key": "name", "label": "姓名", "required": True, "public": True, "sources": ["holder.name"]},
            {"key": "id_number", "label": "公民身份号码", "required": True, "sources": ["holder.code"]},
            {"key": "grade", "label": "培训等级", "public": True},
        ],
    )
    return licence_type


@pytest.fixture
def wallet(enterprise, issue, person_type, make_person, licence_types):
    """The agent's own licence, the enterprise's business licence, and a stranger's licences."""
    from banhao.core.identifiers import make_org_code, make_uscc

    dept = Department.objects.get(name="临沂市行政审批服务局")
    own = services.licence_issue(
        actor="测试",
        licence_type=person_type,
        issuer_id=dept.pk,
        person_id=enterprise["agent"].pk,
        face={"grade": "餐饮服务"},
    )
    business = issue("business", scope="餐饮服务")
    stranger = make_person("371302", name="赵强", phone="13900000009")
    theirs = services.licence_issue(
        actor="测试", licence_type=person_type, issuer_id=dept.pk, person_id=stranger.pk, face={}
    )
    other_org = registry.organization_register(
        actor="测试",
        name="临沂另一家商贸有限公司",
        credit_code=make_uscc("9", "1", "371302", make_org_code("MA5678CD")),
        legal_representative="赵强",
    )
    other_business = services.licence_issue(
        actor="测试",
        licence_type=licence_types["business"],
        issuer_id=dept.pk,
        organization_id=other_org.pk,
        face={},
    )
    stranger_user = registry.applicant_account_open(actor="测试", person=stranger, password=PASSWORD).user
    return {
        "own": own,
        "business": business,
        "theirs": theirs,
        "other_business": other_business,
        "user": enterprise["user"],
        "stranger": stranger_user,
    }


def test_the_wallet_lists_the_holders_own_and_their_enterprises_licences_and_nobody_elses(client, wallet):
    client.force_login(wallet["user"])
    html = client.get(reverse("licences:mine")).content.decode()
    assert "食品安全管理员培训合格证明" in html and "营业执照" in html
    assert reverse("licences:mine_detail", args=[wallet["own"].pk]) in html
    assert reverse("licences:mine_detail", args=[wallet["business"].pk]) in html
    assert reverse("licences:mine_detail", args=[wallet["theirs"].pk]) not in html
    assert reverse("licences:mine_detail", args=[wallet["other_business"].pk]) not in html
    assert "临沂另一家商贸有限公司" not in html and "赵强" not in html
    assert (
        wallet["business"].number in html and "临沂市行政审批服务局" in html and 'data-status="valid"' in html
    )


def test_without_a_live_mandate_the_enterprises_licences_leave_the_wallet(client, wallet, enterprise):
    from banhao.registry.models import Mandate

    Mandate.objects.filter(organization=enterprise["org"]).update(revoked_at="2026-01-01T00:00:00Z")
    client.force_login(wallet["user"])
    html = client.get(reverse("licences:mine")).content.decode()
    assert reverse("licences:mine_detail", args=[wallet["own"].pk]) in html
    assert reverse("licences:mine_detail", args=[wallet["business"].pk]) not in html
    response = client.get(reverse("licences:mine_detail", args=[wallet["business"].pk]))
    assert response.status_code == 404


def test_another_applicant_opening_a_licence_that_is_not_theirs_gets_404(client, wallet):
    client.force_login(wallet["stranger"])
    assert client.get(reverse("licences:mine_detail", args=[wallet["own"].pk])).status_code == 404
    assert client.get(reverse("licences:mine_detail", args=[wallet["business"].pk])).status_code == 404
    response = client.post(reverse("licences:mine_copy", args=[wallet["own"].pk]), {"purpose": "银行开户"})
    assert response.status_code == 404 and not LicenceUse.objects.exists()
    assert client.get(reverse("licences:mine_detail", args=[wallet["theirs"].pk])).status_code == 200


def test_the_wallet_asks_anonymous_users_to_log_in_and_refuses_staff(client, make_staff, wallet):
    response = client.get(reverse("licences:mine"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(make_staff("window_clerk"))
    response = client.get(reverse("licences:mine"))
    assert response.status_code == 403 and "仅供办事群众和企业账户使用" in response.content.decode()


def test_the_detail_page_shows_the_full_face_with_the_id_number_masked_and_a_qr_code(client, wallet):
    own = wallet["own"]
    client.force_login(wallet["user"])
    html = client.get(reverse("licences:mine_detail", args=[own.pk])).content.decode()
    resident_id = own.holder_code
    assert resident_id not in html
    assert resident_id[:4] + "*" * 10 + resident_id[-4:] in html
    assert "培训等级" in html and "餐饮服务" in html and "李明" in html
    assert own.identifier in html and "data:image/svg+xml;base64," in html
    assert services.verification_url(own.identifier, base_url="http://testserver/") in html
    assert "<script" not in html.split("</head>")[1] and " style=" not in html


def test_a_copy_needs_a_purpose_and_is_refused_with_a_chinese_error(client, wallet):
    client.force_login(wallet["user"])
    url = reverse("licences:mine_copy", args=[wallet["business"].pk])
    response = client.post(url, {"purpose": "  "})
    assert response.status_code == 400 and "请填写用途（用证事由）" in response.content.decode()
    response = client.post(url, {"purpose": "开" * 201})
    assert response.status_code == 400 and "不得超过200字" in response.content.decode()
    assert not LicenceUse.objects.exists()


def test_downloading_a_copy_gives_a_pdf_and_logs_the_holders_use(client, wallet):
    client.force_login(wallet["user"])
    licence = wallet["business"]
    response = client.post(
        reverse("licences:mine_copy", args=[licence.pk]), {"purpose": "向银行申请开立对公账户"}
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content[:5] == b"%PDF-" and "attachment" in response["Content-Disposition"]
    use = LicenceUse.objects.get()
    assert use.licence == licence and use.kind == LicenceUse.Kind.HOLDER
    assert use.reason == "向银行申请开立对公账户" and use.user == wallet["user"]
    assert use.user_label == "临沂某餐饮有限公司（经办人李明）"
    html = client.get(reverse("licences:mine_detail", args=[licence.pk])).content.decode()
    assert f'action="{reverse("licences:mine_copy", args=[licence.pk])}"' in html


def test_a_revoked_licence_yields_no_copy(client, wallet):
    licence = wallet["business"]
    services.licence_revoke(actor="测试", licence=licence, reason="企业申请注销登记")
    client.force_login(wallet["user"])
    html = client.get(reverse("licences:mine_detail", args=[licence.pk])).content.decode()
    assert "已注销，不能生成加注件" in html
    assert f'action="{reverse("licences:mine_copy", args=[licence.pk])}"' not in html
    response = client.post(reverse("licences:mine_copy", args=[licence.pk]), {"purpose": "银行开户"})
    assert response.status_code == 400 and "已注销，不能生成加注件" in response.content.decode()
    assert not LicenceUse.objects.exists()


def test_the_use_log_shows_who_used_the_licence_why_how_and_when(client, wallet):
    licence = wallet["business"]
    services.licence_use_record(
        licence=licence,
        kind=LicenceUse.Kind.QUERY,
        reason="办件审查核验营业执照",
        label="兰山区市场监督管理局（张科员）",
        case_number="371302-20261204-00001",
    )
    documents.licence_copy_make(licence=licence, purpose="招投标资格审查", label="某招标代理公司")
    client.force_login(wallet["user"])
    html = client.get(reverse("licences:mine_detail", args=[licence.pk])).content.decode()
    for text in (
        "查询",
        "兰山区市场监督管理局（张科员）",
        "办件审查核验营业执照",
        "371302-20261204-00001",
        "下载加注件",
        "某招标代理公司",
        "招投标资格审查",
    ):
        assert text in html
    assert html.index("招投标资格审查") < html.index("办件审查核验营业执照")  # newest first


def test_the_applicant_home_and_the_portal_link_the_wallet(client, wallet):
    from banhao.portal import platform_map as pm

    tiles = {r.title: r.url for r in pm.resolve(pm.APPLICANT_TILES)}
    assert tiles["我的证照"] == reverse("licences:mine")
    assert {r.title: r.url for r in pm.resolve(pm.PORTAL_ENTRIES)}["电子证照"] == reverse("licences:mine")
    client.force_login(wallet["user"])
    html = client.get(reverse("portal:workbench")).content.decode()
    assert f'href="{reverse("licences:mine")}"' in html
