"""Issue 11 end to end on a phone: the holder opens 我的证照, opens a licence, downloads a
watermarked copy (加注件); then a stranger opens the address held by the licence's QR code and
sees that it is valid (the public verification page: licences:verify, result element with
data-status)."""

import pytest

from banhao.licences import services
from banhao.licences.models import LicenceUse
from banhao.registry import services as registry
from conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def world(live_server, make_person, make_department):
    person = make_person("371302", name="王芳", phone="13800000001")
    registry.applicant_account_open(actor="测试", person=person, password=PASSWORD)
    department = make_department("临沂市市场监督管理局")
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
    licence = services.licence_issue(
        actor="测试",
        licence_type=licence_type,
        issuer_id=department.pk,
        person_id=person.pk,
        face={"grade": "餐饮服务食品安全管理员"},
    )
    return {"url": live_server.url, "licence": licence, "person": person}


@pytest.fixture
def phone_812(browser):
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 375, "height": 812},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 375


def test_the_holder_shows_and_shares_a_licence_on_a_phone_and_a_stranger_verifies_its_qr(
    phone_812, browser, world
):
    phone, base, licence = phone_812, world["url"], world["licence"]
    phone.goto(f"{base}/accounts/login/")
    phone.fill("input[name=username]", "13800000001")
    phone.fill("input[name=password]", PASSWORD)
    with phone.expect_navigation():
        phone.click("main button[type=submit]")

    phone.goto(f"{base}/licences/mine/")
    assert "食品安全管理员培训合格证明" in phone.inner_text("main")
    assert no_sideways_scroll(phone)
    with phone.expect_navigation():
        phone.click("a.bh-licence-card")
    main = phone.inner_text("main")
    assert licence.identifier in main and "餐饮服务食品安全管理员" in main
    assert licence.holder_code not in main  # the ID number stays masked
    assert phone.locator("img.bh-licence__qr").is_visible()
    assert no_sideways_scroll(phone)

    # 长辈版 keeps the page usable on the phone
    with phone.expect_navigation():
        phone.click("button[value=elder]")
    assert "elder" in (phone.get_attribute("html", "class") or "")
    assert no_sideways_scroll(phone)

    phone.fill("textarea[name=purpose]", "向社区食堂提交从业资格证明")
    with phone.expect_download() as download_info:
        phone.click("main button[type=submit]:has-text('下载加注件')")
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
    use = LicenceUse.objects.get(licence=licence)
    assert use.kind == LicenceUse.Kind.HOLDER and use.reason == "向社区食堂提交从业资格证明"

    phone.reload()
    assert "向社区食堂提交从业资格证明" in phone.inner_text("main")  # the use log
    qr_url = phone.get_attribute("img.bh-licence__qr", "data-verification-url")
    assert qr_url == services.verification_url(licence.identifier, base_url=base + "/")

    stranger = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 812}, is_mobile=True)
    try:
        page = stranger.new_page()
        page.set_default_timeout(10_000)
        page.goto(qr_url)
        result = page.locator("[data-status]").first
        assert result.get_attribute("data-status") == "valid"
        assert "有效" in result.inner_text()
    finally:
        stranger.close()
