"""Sessions through the shared cache with the database behind it, kept alive without a write on
every request (issue 10, build 2; decision 0016)."""

import time
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from banhao.core.middleware import SESSION_SEEN_KEY
from conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def _signed_in(client, make_staff):
    make_staff("window_clerk", username="clerk")
    response = client.post(LOGIN, {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 302
    return reverse("registry:person_list")


def _session_writes(queries) -> list[str]:
    return [
        q["sql"]
        for q in queries
        if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]


def _stamp(client, seconds_ago: float) -> None:
    session = client.session
    session[SESSION_SEEN_KEY] = time.time() - seconds_ago
    session.save()


def test_sessions_live_in_the_cache_with_the_database_behind_it():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    assert not getattr(settings, "SESSION_SAVE_EVERY_REQUEST", False)


def test_ten_pages_in_a_row_write_the_session_at_most_once(client, make_staff):
    url = _signed_in(client, make_staff)
    with (
        mock.patch.object(SessionStore, "save", autospec=True, side_effect=SessionStore.save) as save,
        CaptureQueriesContext(connection) as queries,
    ):
        for _ in range(10):
            assert client.get(url).status_code == 200
    assert save.call_count <= 1
    assert len(_session_writes(queries)) <= 1, _session_writes(queries)
    assert "_auth_user_id" in client.session


def test_a_stale_stamp_is_renewed_once_then_not_again(client, make_staff):
    url = _signed_in(client, make_staff)
    _stamp(client, settings.BANHAO_SESSION_REFRESH_SECONDS + 5)
    with mock.patch.object(SessionStore, "save", autospec=True, side_effect=SessionStore.save) as save:
        for _ in range(5):
            assert client.get(url).status_code == 200
    assert save.call_count == 1  # the first request renews the expiry; the next four do not
    assert time.time() - client.session[SESSION_SEEN_KEY] < 5
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_a_session_idle_longer_than_thirty_minutes_is_signed_out(client, make_staff):
    url = _signed_in(client, make_staff)
    _stamp(client, 30 * 60 + 5)  # the stored row would still be valid: the stamp decides
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session


def test_a_session_idle_just_under_thirty_minutes_stays_signed_in(client, make_staff):
    url = _signed_in(client, make_staff)
    _stamp(client, 29 * 60)
    assert client.get(url).status_code == 200
    assert "_auth_user_id" in client.session
