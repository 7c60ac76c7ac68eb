"""The login-attempt admin masks the mobiles and IDs people typed as their login (issue 10, fix 4e)."""

import pytest

from banhao.accounts.models import LoginAttempt
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

ID = "371302198005051115"


@pytest.fixture
def admin_client(client, make_staff):
    assert client.login(username=make_staff("administrator").username, password=PASSWORD)
    return client


def test_the_list_and_the_detail_page_show_typed_phones_and_ids_masked(admin_client):
    phone = LoginAttempt.objects.create(username="13912345678", ip="10.0.0.1", success=False)
    LoginAttempt.objects.create(username=f"per-{ID}", ip="10.0.0.2", success=False)
    staff = LoginAttempt.objects.create(username="clerk01", ip="10.0.0.3", success=True)
    listing = admin_client.get("/admin/accounts/loginattempt/")
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "13912345678" not in body and "139****5678" in body
    assert ID not in body and "3713**********1115" in body
    assert "clerk01" in body  # a plain account name stays readable
    detail = admin_client.get(f"/admin/accounts/loginattempt/{phone.pk}/change/")
    assert detail.status_code == 200
    assert "13912345678" not in detail.content.decode() and "139****5678" in detail.content.decode()
    assert str(staff).endswith("clerk01 成功")


def test_a_search_by_the_full_number_still_finds_its_attempts(admin_client):
    LoginAttempt.objects.create(username="13912345678", ip="10.0.0.1", success=False)
    LoginAttempt.objects.create(username="13700000000", ip="10.0.0.1", success=False)
    body = admin_client.get("/admin/accounts/loginattempt/", {"q": "13912345678"}).content.decode()
    assert "139****5678" in body and "137****0000" not in body
