"""One lock-out counter per account, whatever name is typed (issue 10, fix 7)."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client

from banhao.accounts import services as account_services
from banhao.accounts import sms
from banhao.accounts.models import LoginAttempt
from banhao.registry import services
from conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
PHONE = "13800000001"


@pytest.fixture
def applicant(make_person):
    person = make_person(phone=PHONE)
    return services.applicant_account_open(actor="测试", person=person, password=PASSWORD).user


def post_login(username, password, ip="10.0.0.1"):
    client = Client()  # a fresh browser each time: the lock follows the account, not the session
    return client, client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_failures_under_the_phone_lock_the_other_account_name_too(applicant):
    for i in range(settings.BANHAO_LOGIN_MAX_FAILURES):
        post_login(PHONE, "wrong-password", ip=f"10.0.1.{i}")
    client, response = post_login(applicant.username, PASSWORD, ip="10.0.2.1")
    assert response.status_code == 429
    assert "已临时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_spread_over_both_names_count_together(applicant):
    for i in range(settings.BANHAO_LOGIN_MAX_FAILURES):
        name = PHONE if i % 2 else applicant.username.upper()
        post_login(name, "wrong-password", ip=f"10.0.1.{i}")
    for name in (PHONE, applicant.username):
        assert post_login(name, PASSWORD, ip="10.0.3.1")[1].status_code == 429


def test_full_width_digits_and_spaces_are_the_same_phone_for_the_counter(applicant):
    wide = "１３８ ００００ ０００１"
    for _ in range(settings.BANHAO_LOGIN_MAX_FAILURES):
        post_login(wide, "wrong-password")
    assert set(LoginAttempt.objects.values_list("username", flat=True)) == {PHONE}
    assert post_login(PHONE, PASSWORD)[1].status_code == 429


def test_the_full_width_phone_signs_in_like_the_ascii_one(applicant):
    client, response = post_login("１３８００００００01", PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(applicant.pk)


def test_wrong_sms_codes_lock_the_password_login_under_the_account_name(applicant, make_person):
    sms.outbox.clear()
    for _ in range(settings.BANHAO_LOGIN_MAX_FAILURES):
        with pytest.raises(ValidationError):
            account_services.applicant_sms_login(phone=PHONE, code="000000", ip="10.0.4.1")
    assert post_login(applicant.username, PASSWORD, ip="10.0.5.1")[1].status_code == 429


def test_a_success_under_one_name_clears_the_count_of_the_account(applicant):
    for _ in range(settings.BANHAO_LOGIN_MAX_FAILURES - 1):
        post_login(PHONE, "wrong-password")
    assert post_login(applicant.username, PASSWORD)[1].status_code == 302
    post_login(PHONE, "wrong-password")
    assert post_login(PHONE, PASSWORD)[1].status_code == 302


def test_the_lock_of_one_applicant_does_not_lock_another(applicant, make_person):
    other = make_person(phone="13800000002")
    services.applicant_account_open(actor="测试", person=other, password=PASSWORD)
    for _ in range(settings.BANHAO_LOGIN_MAX_FAILURES):
        post_login(PHONE, "wrong-password")
    assert post_login("13800000002", PASSWORD)[1].status_code == 302
