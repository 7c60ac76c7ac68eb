"""The public lookup's throttle (issue 10, fix 9): per case number as well as per address,
and a trusted kiosk address is not blocked for its whole queue."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from banhao.cases.self_service_api import LOOKUP_FAILED, LOOKUP_THROTTLED, lookup_trusted

pytestmark = pytest.mark.django_db
URL = "/cases/lookup/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _html(response) -> str:
    return response.content.decode()


def test_the_url_is_the_public_lookup():
    assert reverse("cases:lookup") == URL


def test_ten_failures_from_many_addresses_lock_that_case_number_only(client, make_case):
    case, other = make_case(key="a"), make_case(key="b")
    for i in range(10):
        response = client.post(
            URL, {"number": case.number, "phone": "13900000000"}, REMOTE_ADDR=f"10.1.0.{i}"
        )
        assert LOOKUP_FAILED in _html(response)
    # A new address with the right phone is refused for this number: it is being guessed at.
    blocked = client.post(URL, {"number": case.number, "phone": "13800000001"}, REMOTE_ADDR="10.2.0.1")
    assert LOOKUP_THROTTLED in _html(blocked) and "兰山区行政审批服务局" not in _html(blocked)
    # The same spelled with full-width digits is the same number, still locked.
    wide = case.number.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
    assert LOOKUP_THROTTLED in _html(client.post(URL, {"number": wide, "phone": "13800000001"}))
    # Other cases are not affected.
    ok = client.post(URL, {"number": other.number, "phone": "13800000001"}, REMOTE_ADDR="10.2.0.1")
    assert "兰山区行政审批服务局" in _html(ok)


def test_a_trusted_kiosk_address_is_not_locked_for_its_whole_queue(client, make_case, settings):
    settings.BANHAO_LOOKUP_TRUSTED_ADDRESSES = ["10.8.0.0/24"]
    cases = [make_case(key=f"k{i}") for i in range(12)]
    for c in cases[:11]:  # eleven people in the queue each mistype their phone once
        response = client.post(URL, {"number": c.number, "phone": "13900000000"}, REMOTE_ADDR="10.8.0.5")
        assert LOOKUP_FAILED in _html(response)
    ok = client.post(URL, {"number": cases[0].number, "phone": "13800000001"}, REMOTE_ADDR="10.8.0.5")
    assert "兰山区行政审批服务局" in _html(ok)
    # An untrusted address making the same mistakes is locked after ten.
    for c in cases[:10]:
        client.post(URL, {"number": c.number, "phone": "13900000000"}, REMOTE_ADDR="10.9.0.5")
    blocked = client.post(URL, {"number": cases[11].number, "phone": "13800000001"}, REMOTE_ADDR="10.9.0.5")
    assert LOOKUP_THROTTLED in _html(blocked)


def test_a_trusted_address_still_counts_toward_the_case_number_limit(client, make_case, settings):
    settings.BANHAO_LOOKUP_TRUSTED_ADDRESSES = ["10.8.0.5"]
    case = make_case()
    for _ in range(10):
        client.post(URL, {"number": case.number, "phone": "13900000000"}, REMOTE_ADDR="10.8.0.5")
    blocked = client.post(URL, {"number": case.number, "phone": "13800000001"}, REMOTE_ADDR="10.8.0.5")
    assert LOOKUP_THROTTLED in _html(blocked)


def test_trusted_addresses_accept_single_addresses_and_networks(settings):
    settings.BANHAO_LOOKUP_TRUSTED_ADDRESSES = ["192.0.2.7", "2001:db8::/64"]
    assert lookup_trusted("192.0.2.7") and lookup_trusted("2001:db8::1")
    assert not lookup_trusted("192.0.2.8") and not lookup_trusted("") and not lookup_trusted("nonsense")
