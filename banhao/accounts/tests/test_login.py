"""Login: staff by account name, applicants by mobile; lock-out; password rules; sessions."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from banhao.accounts.models import LoginAttempt
from conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def post_login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_staff_sign_in_with_their_account_name_and_land_on_the_workbench(client, make_staff):
    user = make_staff("window_clerk", username="clerk")
    response = post_login(client, "clerk", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:workbench")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_applicants_sign_in_with_their_mobile_number(client, make_person):
    from banhao.registry import services

    person = make_person(phone="13800000001")
    services.applicant_account_open(actor="测试", person=person, password=PASSWORD)
    assert post_login(client, "13800000001", PASSWORD).status_code == 302


def test_a_wrong_password_gets_a_chinese_message(client, make_staff):
    make_staff("window_clerk", username="clerk")
    response = post_login(client, "clerk", "wrong-password")
    assert response.status_code == 200
    assert "账号或密码不正确" in response.content.decode()


def test_five_failures_lock_the_account_even_for_the_right_password(client, make_staff):
    make_staff("window_clerk", username="clerk")
    for _ in range(settings.BANHAO_LOGIN_MAX_FAILURES):
        post_login(client, "clerk", "wrong-password")
    response = post_login(client, "clerk", PASSWORD)
    assert response.status_code == 429
    assert "已临时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_ends_after_the_lock_period(client, make_staff):
    make_staff("window_clerk", username="clerk")
    for _ in range(settings.BANHAO_LOGIN_MAX_FAILURES):
        post_login(client, "clerk", "wrong-password")
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=settings.BANHAO_LOGIN_LOCK_MINUTES + 1)
    for attempt in LoginAttempt.objects.all():
        LoginAttempt.objects.filter(pk=attempt.pk).update(at=past)
    assert post_login(client, "clerk", PASSWORD).status_code == 302


def test_the_lock_is_per_account_and_does_not_lock_colleagues(client, make_staff):
    make_staff("window_clerk", username="clerk")
    make_staff("window_clerk", username="clerk2")
    for _ in range(settings.BANHAO_LOGIN_MAX_FAILURES):
        post_login(client, "clerk", "wrong-password")
    assert post_login(Client(), "clerk2", PASSWORD).status_code == 302


def test_many_failures_from_one_address_lock_that_address(client, make_staff, settings):
    settings.BANHAO_LOGIN_MAX_FAILURES_PER_IP = 6
    make_staff("window_clerk", username="clerk")
    for i in range(6):
        post_login(client, f"nobody{i}", "wrong-password")
    assert post_login(client, "clerk", PASSWORD).status_code == 429


def test_login_without_a_csrf_token_is_refused(make_staff):
    make_staff("window_clerk", username="clerk")
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(LOGIN, {"username": "clerk", "password": PASSWORD}).status_code == 403


def test_the_login_redirect_refuses_other_sites(client, make_staff):
    make_staff("window_clerk", username="clerk")
    response = client.post(
        LOGIN, {"username": "clerk", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("portal:workbench")


def test_logout_is_a_post_and_ends_the_session(client, make_staff):
    make_staff("window_clerk", username="clerk")
    post_login(client, "clerk", PASSWORD)
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("password", ["abcdefghijkl", "1234567890123", "Short@1"])
def test_weak_passwords_are_refused_with_chinese_reasons(password):
    with pytest.raises(ValidationError) as err:
        validate_password(password)
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in err.value.messages)


def test_a_password_with_three_character_classes_and_ten_characters_is_accepted():
    validate_password("Banhao@2026")


def test_sessions_expire_after_the_idle_time(client, make_staff):
    make_staff("window_clerk", username="clerk")
    post_login(client, "clerk", PASSWORD)
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 30 * 60
    # Renewed by banhao.core.middleware.SessionActivityMiddleware, not on every request.
    assert not getattr(settings, "SESSION_SAVE_EVERY_REQUEST", False)
    session = client.session
    session.set_expiry(-1)  # as if the idle time had passed
    session.save()
    response = client.get(reverse("registry:person_list"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_deactivated_staff_account_cannot_sign_in(client, make_staff):
    user = make_staff("window_clerk", username="clerk")
    user.is_active = False
    user.save()
    assert post_login(client, "clerk", PASSWORD).status_code == 200
    assert "_auth_user_id" not in client.session
