"""SMS codes, applicant registration, sign-in by code and the applicant's own profile."""

import datetime as dt
import logging
import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from banhao.accounts import sms, sms_codes
from banhao.accounts.models import LoginAttempt, SmsCode, User
from banhao.core.audit import history
from banhao.core.identifiers import make_resident_id
from banhao.core.logging import MaskIdentifiersFilter
from banhao.registry.models import ApplicantAccount, Person
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

PHONE = "13800000001"
REGISTER = "/accounts/register/"
LOGIN_SMS = "/accounts/login/sms/"
PROFILE = "/accounts/profile/"
NEW_ID = make_resident_id("37130219900101123")


@pytest.fixture(autouse=True)
def outbox():
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def clock(monkeypatch):
    """Freezes django.utils.timezone.now (the module the codes read it from); advance() moves it."""

    class Clock:
        now = timezone.now()

        def advance(self, **delta):
            self.now += dt.timedelta(**delta)

    c = Clock()
    monkeypatch.setattr(sms_codes.timezone, "now", lambda: c.now)
    return c


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Sends a code through the service (messages leave on commit) and returns it."""

    def go(phone=PHONE, purpose="login", ip="10.0.0.1"):
        with django_capture_on_commit_callbacks(execute=True):
            sms_codes.sms_code_send(phone=phone, purpose=purpose, ip=ip)
        return last_code(phone)

    return go


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """client.post with on-commit callbacks run, as they are outside the test transaction."""

    def go(client, url, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return go


def last_code(phone=PHONE) -> str:
    message = [m for m in sms.outbox if m.phone == phone][-1]
    return re.search(r"验证码：(\d{6})", message.text).group(1)


def verify(code, phone=PHONE, purpose="login"):
    return sms_codes.sms_code_verify(phone=phone, purpose=purpose, code=code)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# --- codes ---------------------------------------------------------------------------------


def test_a_code_has_six_digits_is_texted_with_its_limit_and_only_a_hash_is_stored(send, outbox):
    code = send()
    assert re.fullmatch(r"\d{6}", code)
    assert outbox[-1].phone == PHONE
    assert "5分钟内有效" in outbox[-1].text and outbox[-1].text.startswith("【")
    stored = SmsCode.objects.values().get()
    assert all(code not in str(value) for value in stored.values())
    assert len(stored["code_hash"]) == 64


def test_the_right_code_verifies_once_and_is_then_used_up(send):
    code = send()
    assert verify(code)
    assert not verify(code)
    assert SmsCode.objects.get().used_at is not None


def test_a_check_without_consuming_leaves_the_code_usable(send):
    code = send()
    assert sms_codes.sms_code_verify(phone=PHONE, purpose="login", code=code, consume=False)
    assert verify(code)


def test_a_code_expires_after_five_minutes(send, clock):
    code = send()
    clock.advance(minutes=4, seconds=59)
    assert sms_codes.sms_code_verify(phone=PHONE, purpose="login", code=code, consume=False)
    clock.advance(seconds=2)
    assert not verify(code)


def test_five_wrong_tries_kill_the_code_even_for_the_right_one(send):
    code = send()
    for _ in range(5):
        assert not verify(wrong(code))
    assert SmsCode.objects.get().attempts == 5
    assert not verify(code)
    assert sms_codes.sms_code_status(phone=PHONE, purpose="login").expires_at is None  # said so on the page


def test_a_code_for_one_purpose_or_phone_does_not_verify_another(send):
    code = send(purpose="register")
    assert not verify(code, purpose="login")
    assert not verify(code, phone="13800000002", purpose="register")
    assert verify(code, purpose="register")


def test_a_new_code_waits_sixty_seconds_and_replaces_the_old_one(send, clock):
    first = send()
    clock.advance(seconds=30)
    with pytest.raises(ValidationError) as err:
        send()
    assert "30秒后再重新获取" in err.value.messages[0]
    clock.advance(seconds=30)
    second = send()
    if second != first:  # one chance in a million that they are the same
        assert not verify(first)
    assert verify(second)


def test_a_phone_gets_at_most_five_codes_an_hour(send, clock):
    for _ in range(5):
        send()
        clock.advance(seconds=61)
    with pytest.raises(ValidationError) as err:
        send()
    assert "1小时内获取验证码已达5次" in err.value.messages[0]
    clock.advance(minutes=60)
    send()


def test_an_address_gets_at_most_twenty_codes_an_hour(send):
    for i in range(20):
        send(phone=f"1390000{i:04d}")
    with pytest.raises(ValidationError) as err:
        send(phone="13900009999")
    assert "当前网络获取验证码过于频繁" in err.value.messages[0]
    send(phone="13900009999", ip="10.0.0.2")


def test_the_status_announces_the_expiry_and_the_wait(send, clock):
    send()
    status = sms_codes.sms_code_status(phone=PHONE, purpose="login")
    assert status.wait_seconds == 60 and status.ttl_minutes == 5
    assert status.expires_at == clock.now + dt.timedelta(minutes=5)
    clock.advance(minutes=6)
    status = sms_codes.sms_code_status(phone=PHONE, purpose="login")
    assert status.expires_at is None and status.wait_seconds == 0


class _BrokenGateway:
    def send(self, phone, text):
        raise ConnectionError(f"gateway down for {phone}")


def test_a_gateway_failure_is_logged_not_raised(settings, caplog):
    settings.BANHAO_SMS_BACKEND = f"{__name__}._BrokenGateway"
    sms.get_backend.cache_clear()
    try:
        with caplog.at_level(logging.ERROR, logger="banhao.sms"):
            assert sms.send_sms(PHONE, "测试") is False
    finally:
        sms.get_backend.cache_clear()
    assert "短信发送失败" in caplog.text
    assert PHONE not in caplog.records[-1].getMessage()


def test_the_console_backend_shows_the_code_and_the_log_filter_masks_the_phone(caplog):
    with caplog.at_level(logging.INFO, logger="banhao.sms"):
        sms.ConsoleBackend().send(PHONE, "验证码：123456", message_id="code-1")
    record = caplog.records[-1]
    MaskIdentifiersFilter().filter(record)
    assert record.getMessage() == "短信 → 138****0001：验证码：123456"


# --- registration ----------------------------------------------------------------------------


def register_data(code, **overrides):
    data = {
        "action": "register",
        "name": "王芳",
        "resident_id": NEW_ID,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "code": code,
    }
    data.update(overrides)
    return data


@pytest.fixture
def at_step_two(client, post, regions):
    """The client asked for a registration code for PHONE; returns the code."""
    response = post(client, REGISTER, {"action": "send", "phone": PHONE})
    assert response.status_code == 302
    return last_code()


def test_step_one_announces_the_code_limit(client, regions):
    html = client.get(REGISTER).content.decode()
    assert "获取验证码" in html and "验证码5分钟内有效" in html


def test_a_new_applicant_registers_with_a_texted_code_and_lands_on_the_workbench(client, post, at_step_two):
    page = client.get(REGISTER).content.decode()
    assert "验证码已发送至" in page and "138****0001" in page
    assert "5分钟内有效" in page and "60秒后可重新获取" in page
    response = post(client, REGISTER, register_data(at_step_two))
    assert response.status_code == 302 and response["Location"] == reverse("portal:workbench")
    user = User.objects.get(phone=PHONE)
    assert client.session["_auth_user_id"] == str(user.pk)
    person = Person.objects.get(resident_id=NEW_ID)
    assert person.name == "王芳" and person.phone == PHONE
    assert ApplicantAccount.objects.get(user=user).person == person
    assert user.check_password(PASSWORD)
    workbench = client.get(reverse("portal:workbench")).content.decode()
    assert person.masked_id in workbench and NEW_ID not in workbench


def test_an_applicant_can_then_sign_in_with_the_password(client, post, at_step_two):
    post(client, REGISTER, register_data(at_step_two))
    assert (
        Client().post(reverse("accounts:login"), {"username": PHONE, "password": PASSWORD}).status_code == 302
    )


def test_a_person_in_the_registry_must_give_the_registered_name(client, post, make_person):
    person = make_person(name="张三", phone=PHONE)  # the registry's phone: real-name check passes
    post(client, REGISTER, {"action": "send", "phone": PHONE})
    code = last_code()
    response = post(client, REGISTER, register_data(code, name="李四", resident_id=person.resident_id))
    html = response.content.decode()
    assert response.status_code == 200
    assert "姓名与身份号码不一致" in html
    assert 'value="李四"' in html and f'value="{person.resident_id}"' in html  # typed values stay
    assert not ApplicantAccount.objects.exists()
    # The refusal did not use the code up: the right name goes through with it.
    response = post(client, REGISTER, register_data(code, name="张三", resident_id=person.resident_id))
    assert response.status_code == 302
    account = ApplicantAccount.objects.get()
    assert account.person == person and Person.objects.count() == 1
    person.refresh_from_db()
    assert person.phone == PHONE


def test_a_bad_resident_id_is_refused_in_chinese_and_nothing_is_saved(client, post, at_step_two):
    response = post(client, REGISTER, register_data(at_step_two, resident_id="110105194912310021"))
    html = response.content.decode()
    assert "校验位不正确" in html and 'value="王芳"' in html
    assert not User.objects.filter(phone=PHONE).exists()
    assert verify(at_step_two, purpose="register")  # the code was not even tried


def test_a_wrong_code_is_refused_and_costs_one_try(client, post, at_step_two):
    response = post(client, REGISTER, register_data(wrong(at_step_two)))
    html = response.content.decode()
    assert "验证码不正确" in html and 'value="王芳"' in html
    assert SmsCode.objects.get().attempts == 1
    assert not Person.objects.exists()


def test_a_malformed_code_is_refused_by_the_form(client, post, at_step_two):
    response = post(client, REGISTER, register_data("12ab"))
    assert "验证码为6位数字" in response.content.decode()


def test_mismatched_or_weak_passwords_are_refused(client, post, at_step_two):
    html = post(client, REGISTER, register_data(at_step_two, password2="Other@Pass2026")).content.decode()
    assert "两次输入的密码不一致" in html
    html = post(
        client, REGISTER, register_data(at_step_two, password1="abcdefgh", password2="abcdefgh")
    ).content.decode()
    assert "密码太短" in html
    assert not User.objects.filter(phone=PHONE).exists()


def test_a_used_code_cannot_register_again_and_a_double_submit_opens_one_account(client, post, at_step_two):
    twin = Client()  # the same browser session, posting twice
    twin.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    data = register_data(at_step_two)
    assert post(client, REGISTER, data).status_code == 302
    second = post(twin, REGISTER, data)
    assert second.status_code in (200, 302)
    assert User.objects.filter(phone=PHONE).count() == 1
    assert ApplicantAccount.objects.count() == 1
    # The code is spent either way.
    assert not verify(at_step_two, purpose="register")


def test_a_registered_phone_is_told_to_sign_in_and_gets_no_code(client, post, make_person, outbox):
    from banhao.registry import services

    services.applicant_account_open(actor="测试", person=make_person(phone=PHONE), password=PASSWORD)
    response = post(client, REGISTER, {"action": "send", "phone": PHONE})
    assert "该手机号码已注册办事账户，请直接登录" in response.content.decode()
    assert outbox == []


def test_a_bad_mobile_number_is_refused_at_step_one(client, post, regions):
    response = post(client, REGISTER, {"action": "send", "phone": "12345"})
    assert "手机号码应为11位数字" in response.content.decode()
    assert 'value="12345"' in response.content.decode()


def test_resend_is_refused_during_the_cool_down_and_keeps_what_was_typed(client, post, at_step_two, clock):
    response = post(client, REGISTER, {"action": "resend", "name": "王芳", "resident_id": NEW_ID})
    html = response.content.decode()
    assert response.status_code == 429
    assert "秒后再重新获取" in html and 'value="王芳"' in html and NEW_ID in html
    clock.advance(seconds=61)
    response = post(client, REGISTER, {"action": "resend", "name": "王芳", "resident_id": NEW_ID})
    assert response.status_code == 200 and "新的验证码已发送" in response.content.decode()
    new_code = last_code()
    assert post(client, REGISTER, register_data(new_code)).status_code == 302


def test_an_expired_code_page_says_so_and_offers_a_new_code(client, post, at_step_two, clock):
    clock.advance(minutes=6)
    html = client.get(REGISTER).content.decode()
    assert "已失效或已使用，请重新获取" in html
    assert "秒后可重新获取" not in html
    response = post(client, REGISTER, register_data(at_step_two))
    assert "验证码不正确" in response.content.decode()


def test_changing_the_phone_goes_back_to_step_one(client, post, at_step_two):
    response = post(client, REGISTER, {"action": "change_phone"})
    assert response.status_code == 302
    html = client.get(REGISTER).content.decode()
    assert "第1步" in html and "获取验证码" in html


# --- sign in by SMS code -----------------------------------------------------------------------


@pytest.fixture
def applicant(make_person):
    from banhao.registry import services

    person = make_person(name="赵敏", phone=PHONE)
    return services.applicant_account_open(actor="测试", person=person, password=PASSWORD).user


def test_the_login_page_links_to_sms_sign_in_and_registration(client, regions):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "短信验证码登录" in html and LOGIN_SMS in html
    assert REGISTER in html and "注册" in html


def test_an_applicant_signs_in_with_a_texted_code(client, post, applicant):
    html = client.get(LOGIN_SMS).content.decode()
    assert "5分钟内有效" in html
    assert post(client, LOGIN_SMS, {"action": "send", "phone": PHONE}).status_code == 302
    html = client.get(LOGIN_SMS).content.decode()
    assert "138****0001" in html and "60秒后可重新获取" in html
    response = post(client, LOGIN_SMS, {"action": "login", "code": last_code()})
    assert response.status_code == 302 and response["Location"] == reverse("portal:workbench")
    assert client.session["_auth_user_id"] == str(applicant.pk)
    assert LoginAttempt.objects.filter(username=PHONE, success=True).exists()


def test_sms_sign_in_follows_a_safe_next_and_refuses_other_sites(client, post, applicant, clock):
    post(client, LOGIN_SMS, {"action": "send", "phone": PHONE, "next": PROFILE})
    response = post(client, LOGIN_SMS, {"action": "login", "code": last_code(), "next": PROFILE})
    assert response["Location"] == PROFILE
    clock.advance(seconds=61)
    other = Client()
    post(other, LOGIN_SMS, {"action": "send", "phone": PHONE})
    evil = "https://evil.example/"
    response = post(other, LOGIN_SMS, {"action": "login", "code": last_code(), "next": evil})
    assert response["Location"] == reverse("portal:workbench")


def test_staff_cannot_sign_in_by_sms(client, post, make_staff, outbox):
    staff = make_staff("window_clerk", username="clerk")
    staff.phone = "13800000009"
    staff.save()
    response = post(client, LOGIN_SMS, {"action": "send", "phone": "13800000009"})
    html = response.content.decode()
    assert "尚未注册办事账户" in html and "工作人员请使用账号和密码登录" in html
    assert outbox == []
    # Even with a code obtained some other way, a staff phone finds no account to sign in.
    sms_codes.sms_code_send(phone="13800000009", purpose="login", ip=None)
    session = client.session
    session["bh_sms_login_phone"] = "13800000009"
    session.save()
    response = post(client, LOGIN_SMS, {"action": "login", "code": "000000"})
    assert "_auth_user_id" not in client.session
    assert "验证码不正确" in response.content.decode()


def test_an_unknown_phone_gets_no_code(client, post, regions, outbox):
    html = post(client, LOGIN_SMS, {"action": "send", "phone": "13900000000"}).content.decode()
    assert "尚未注册办事账户" in html and outbox == []


def test_repeated_wrong_codes_lock_the_sms_login(client, post, applicant, settings, clock):
    post(client, LOGIN_SMS, {"action": "send", "phone": PHONE})
    code = last_code()
    for _ in range(settings.BANHAO_LOGIN_MAX_FAILURES - 1):
        response = post(client, LOGIN_SMS, {"action": "login", "code": wrong(code)})
        assert response.status_code == 200 and "验证码不正确" in response.content.decode()
    response = post(client, LOGIN_SMS, {"action": "login", "code": wrong(code)})
    assert response.status_code == 429 and "已临时锁定" in response.content.decode()
    # Locked: no new code is texted and the password does not help either.
    clock.advance(seconds=61)
    sent_before = len(sms.outbox)
    response = post(client, LOGIN_SMS, {"action": "resend"})
    assert response.status_code == 429 and len(sms.outbox) == sent_before
    response = Client().post(reverse("accounts:login"), {"username": PHONE, "password": PASSWORD})
    assert response.status_code == 429
    # The lock ends after the lock period.
    clock.advance(minutes=settings.BANHAO_LOGIN_LOCK_MINUTES + 1)
    post(client, LOGIN_SMS, {"action": "resend"})
    response = post(client, LOGIN_SMS, {"action": "login", "code": last_code()})
    assert response.status_code == 302


def test_a_deactivated_applicant_cannot_sign_in_by_sms(client, post, applicant, outbox):
    applicant.is_active = False
    applicant.save()
    post(client, LOGIN_SMS, {"action": "send", "phone": PHONE})
    assert outbox == []


# --- profile --------------------------------------------------------------------------------------


@pytest.fixture
def signed_in(client, applicant):
    assert client.login(username=PHONE, password=PASSWORD)
    return client


def test_the_profile_shows_the_registry_record_with_the_id_masked(signed_in, applicant):
    person = applicant.applicant.person
    response = signed_in.get(PROFILE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "赵敏" in html and person.masked_id in html and "138****0001" in html
    assert person.resident_id not in html and PHONE not in html


def test_the_profile_saves_a_new_address_with_an_audit_event(signed_in, applicant):
    response = signed_in.post(PROFILE, {"action": "address", "address": "临沂市兰山区  金雀山路 1号"})
    assert response.status_code == 302
    person = Person.objects.get(pk=applicant.applicant.person_id)
    assert person.address == "临沂市兰山区 金雀山路 1号"
    event = history(person).first()
    assert event.action == "registry.person_update" and event.actor == applicant
    assert "临沂市兰山区 金雀山路 1号" in signed_in.get(PROFILE).content.decode()


def test_the_profile_changes_the_mobile_with_a_code_sent_to_the_new_number(signed_in, post, applicant):
    new = "13900000002"
    assert post(signed_in, PROFILE, {"action": "phone_send", "phone": new}).status_code == 302
    html = signed_in.get(PROFILE).content.decode()
    assert "139****0002" in html and "5分钟内有效" in html
    response = post(signed_in, PROFILE, {"action": "phone_change", "code": wrong(last_code(new))})
    assert "验证码不正确" in response.content.decode()
    response = post(signed_in, PROFILE, {"action": "phone_change", "code": last_code(new)})
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.phone == new
    assert Person.objects.get(pk=applicant.applicant.person_id).phone == new
    assert Client().login(username=new, password=PASSWORD)
    assert not Client().login(username=PHONE, password=PASSWORD)


def test_the_profile_refuses_a_mobile_of_another_account(signed_in, post, make_person, outbox):
    from banhao.registry import services

    other = make_person(name="钱二", phone="13900000003")
    services.applicant_account_open(actor="测试", person=other, password=PASSWORD)
    response = post(signed_in, PROFILE, {"action": "phone_send", "phone": "13900000003"})
    assert "已注册其他办事账户" in response.content.decode()
    assert outbox == []


def test_staff_have_no_applicant_profile(client, make_staff):
    assert client.login(username=make_staff("window_clerk").username, password=PASSWORD)
    assert client.get(PROFILE).status_code == 403


def test_the_profile_needs_a_login(client, regions):
    response = client.get(PROFILE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
