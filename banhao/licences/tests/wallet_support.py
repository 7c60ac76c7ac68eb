"""Shared by the wallet, document and sharing API tests (and the wallet's e2e test)."""

import pytest
from django.urls import NoReverseMatch, reverse


@pytest.fixture
def verify_route(settings):
    """licences:verify resolves: the real page when it is merged, else a test placeholder."""
    try:
        reverse("licences:verify")
    except NoReverseMatch:
        settings.ROOT_URLCONF = "banhao.licences.tests.verify_stub_urls"
    return reverse("licences:verify")
