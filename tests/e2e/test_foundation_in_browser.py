"""A newcomer's first minutes, in a real browser: every role signs in and lands on its home
page; the elderly mode persists; the phone layout does not overflow; a bad ID is refused."""

import pytest

from banhao.demo import city

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def demo(live_server):
    staff, applicants = city.load()
    return {
        "url": live_server.url,
        "staff": staff,
        "applicants": applicants,
        "password": city.demo_password(),
    }


def sign_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def sign_out(page):
    with page.expect_navigation():
        page.click("form[action='/accounts/logout/'] button")


ROLE_OF = {
    "admin": "administrator",
    "clerk": "window_clerk",
    "reviewer": "reviewer",
    "head": "department_head",
    "manager": "hall_manager",
    "supervisor": "supervisor",
    "helper": "helper",
    "catalog": "catalog_officer",
}


def test_each_role_signs_in_and_lands_on_its_own_home_page(page, demo):
    for username, role in ROLE_OF.items():
        sign_in(page, demo["url"], username, demo["password"])
        assert page.url.endswith("/workbench/"), username
        marker = page.locator("section.bh-role-home")
        assert marker.get_attribute("data-role") == role
        sign_out(page)
        assert "/workbench/" not in page.url


def test_an_applicant_signs_in_with_a_mobile_and_sees_only_a_masked_id(page, demo):
    from banhao.registry.models import ApplicantAccount

    account = ApplicantAccount.objects.filter(organization__isnull=True).select_related("person").first()
    sign_in(page, demo["url"], account.person.phone, demo["password"])
    body = page.content()
    assert account.person.masked_id in body
    assert account.person.resident_id not in body


def test_a_wrong_password_five_times_locks_the_login(page, demo):
    for _ in range(5):
        sign_in(page, demo["url"], "clerk", "not-the-password")
    sign_in(page, demo["url"], "clerk", demo["password"])
    assert "已临时锁定" in page.content()
    assert "/workbench/" not in page.url


def test_the_elderly_mode_enlarges_text_and_survives_a_reload(page, demo):
    page.goto(demo["url"] + "/")
    normal = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    with page.expect_navigation():
        page.get_by_role("button", name="长辈版").first.click()
    assert "elder" in (page.get_attribute("html", "class") or "")
    page.reload()
    assert "elder" in (page.get_attribute("html", "class") or "")
    large = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert large >= 18 and large > normal
    # touch targets in elder mode are at least 60 px high
    heights = page.evaluate(
        "Array.from(document.querySelectorAll('main .bh-tile')).map(e => e.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 60


def test_pages_fit_a_phone_screen_without_sideways_scrolling(phone, demo):
    phone.goto(demo["url"] + "/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    sign_in(phone, demo["url"], "clerk", demo["password"])
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_bad_resident_id_is_refused_in_chinese_and_the_typed_values_stay(page, demo):
    sign_in(page, demo["url"], "admin", demo["password"])
    page.goto(demo["url"] + "/registry/persons/new/")
    page.fill("input[name=name]", "测试人")
    page.fill("input[name=resident_id]", "110105194912310021")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "校验位不正确" in page.content()
    assert page.input_value("input[name=name]") == "测试人"
    assert page.input_value("input[name=resident_id]") == "110105194912310021"
