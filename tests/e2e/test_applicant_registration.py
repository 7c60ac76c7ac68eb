"""Issue 4 item 1 in a real browser on a phone: an applicant registers with a texted code, lands
on 我的办事 with the ID masked, signs out and signs in again with a new code.

The live server runs in a thread of the test process, so the MemoryBackend's outbox (the
test settings' SMS backend) is read directly here.
"""

import re

import pytest

from banhao.accounts import sms
from banhao.core.identifiers import make_resident_id
from banhao.core.masking import mask_resident_id

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MOBILE = "13912345678"
RESIDENT_ID = make_resident_id("37130219880808123")
PASSWORD = "Banhao@Reg2026"


@pytest.fixture(autouse=True)
def outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def texted_code(outbox) -> str:
    message = [m for m in outbox if m.phone == MOBILE][-1]
    return re.search(r"验证码：(\d{6})", message.text).group(1)


def test_an_applicant_registers_on_a_phone_and_signs_in_again_by_sms(
    phone, live_server, regions, outbox, settings
):
    base = live_server.url
    phone.goto(f"{base}/accounts/login/")
    with phone.expect_navigation():
        phone.get_by_role("link", name="注册", exact=True).click()
    assert "验证码5分钟内有效" in phone.inner_text("main")

    phone.fill("input[name=phone]", MOBILE)
    with phone.expect_navigation():
        phone.get_by_role("button", name="获取验证码").click()
    main = phone.inner_text("main")
    assert "139****5678" in main and "5分钟内有效" in main
    assert re.search(r"\d+秒后可重新获取", main)
    assert phone.get_by_role("button", name="重新获取验证码").is_disabled()  # until the countdown ends
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    phone.fill("input[name=name]", "陈新")
    phone.fill("input[name=resident_id]", RESIDENT_ID)
    phone.fill("input[name=password1]", PASSWORD)
    phone.fill("input[name=password2]", PASSWORD)
    phone.fill("input[name=code]", texted_code(outbox))
    with phone.expect_navigation():
        phone.get_by_role("button", name="注册并登录").click()

    assert phone.url.endswith("/workbench/")
    body = phone.content()
    assert mask_resident_id(RESIDENT_ID) in body
    assert RESIDENT_ID not in body
    assert "陈新，您好" in phone.inner_text("main")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    with phone.expect_navigation():
        phone.click("form[action='/accounts/logout/'] button")
    phone.goto(f"{base}/accounts/login/")
    with phone.expect_navigation():
        phone.get_by_role("link", name="短信验证码登录").click()
    phone.fill("input[name=phone]", MOBILE)
    # The registration code was sent moments ago: the per-phone cool-down still runs.
    with phone.expect_navigation():
        phone.get_by_role("button", name="获取验证码").click()
    assert "秒后再重新获取" in phone.inner_text("main")

    settings.BANHAO_SMS_RESEND_SECONDS = 0  # the live server reads the same settings
    with phone.expect_navigation():
        phone.get_by_role("button", name="获取验证码").click()
    assert "139****5678" in phone.inner_text("main")
    phone.fill("input[name=code]", texted_code(outbox))
    with phone.expect_navigation():
        phone.get_by_role("button", name="登录", exact=True).click()
    assert phone.url.endswith("/workbench/")
    assert mask_resident_id(RESIDENT_ID) in phone.content()
