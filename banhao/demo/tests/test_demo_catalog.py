"""The demo catalog: every text published, implemented in the city and 4 counties, and the audit
finds every seeded deviation and nothing else."""

import pytest

from banhao.catalog import selectors
from banhao.catalog.models import Implementation, StandardItem, StandardVersion, Status
from banhao.demo import catalog, city

pytestmark = pytest.mark.django_db


def test_the_demo_catalog_loads_once_and_the_audit_finds_exactly_the_seeded_deviations():
    city.load()
    first = catalog.load()
    snapshot = (StandardItem.objects.count(), StandardVersion.objects.count(), Implementation.objects.count())
    assert catalog.load() == first
    assert (
        StandardItem.objects.count(),
        StandardVersion.objects.count(),
        Implementation.objects.count(),
    ) == snapshot

    assert first["standards"] >= 60
    assert StandardVersion.objects.filter(status=Status.PUBLISHED).count() == first["standards"]
    regions = set(Implementation.objects.values_list("region__code", flat=True))
    assert {"371300", "371302", "371311", "371312", "371321"} <= regions

    found = {(d.region_code, d.item_code, d.element) for d in selectors.catalog_audit()}
    assert found == catalog.expected_deviations()
    deviating = {d.implementation_id for d in selectors.catalog_audit()}
    assert not Implementation.objects.filter(pk__in=deviating, status=Status.PUBLISHED).exists()
    # everything else is published
    assert Implementation.objects.exclude(pk__in=deviating).exclude(status=Status.PUBLISHED).count() == 0
