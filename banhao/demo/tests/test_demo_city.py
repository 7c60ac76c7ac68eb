"""The demo city that `make demo` loads: complete, valid, and unchanged by a second load."""

import pytest
from django.contrib.auth import authenticate

from banhao.core.identifiers import normalize_resident_id, normalize_uscc
from banhao.core.models import AuditEvent
from banhao.demo import city
from banhao.org.models import Department, Hall, Region, StaffMember, Window, Zone
from banhao.org.roles import Role
from banhao.registry.models import ApplicantAccount, Organization, Person

pytestmark = pytest.mark.django_db


def counts():
    return [
        m.objects.count()
        for m in (
            Region,
            Department,
            Hall,
            Zone,
            Window,
            StaffMember,
            Person,
            Organization,
            ApplicantAccount,
            AuditEvent,
        )
    ]


def test_the_demo_city_is_complete_valid_and_loading_it_twice_changes_nothing():
    city.load()
    first = counts()
    city.load()
    assert counts() == first

    codes = set(Region.objects.values_list("code", flat=True))
    assert {"371300", "371302", "371311", "371312", "371321", "371329", "371371", "371372", "371373"} <= codes
    assert len(codes) == 16
    assert Region.objects.get(code="371371").parent.code == "371300"

    assert Department.objects.count() >= 20
    for code in Department.objects.values_list("credit_code", flat=True):
        assert normalize_uscc(code) == code

    halls = Hall.objects.all()
    assert halls.filter(region__code="371300").count() == 1
    assert halls.count() == 3
    for hall in halls:
        kinds = set(hall.zones.values_list("kind", flat=True))
        assert kinds == {
            "investment",
            "construction",
            "market",
            "agriculture",
            "social",
            "self_service",
            "pickup",
        }
        assert not hall.zones.get(kind="self_service").takes_tickets
        assert hall.windows.filter(kind="pickup", zone__kind="pickup").exists()
        assert hall.windows.filter(kind="comprehensive").exists()
        assert hall.windows.filter(kind="pickup").exists()

    assert set(StaffMember.objects.values_list("role", flat=True)) == set(Role.values)

    assert Person.objects.count() + Organization.objects.count() >= 50
    for number in Person.objects.values_list("resident_id", flat=True):
        assert normalize_resident_id(number) == number
    for code in Organization.objects.values_list("credit_code", flat=True):
        assert normalize_uscc(code) == code


def test_every_demo_account_signs_in_with_the_printed_password():
    staff, applicants = city.load()
    for account in staff + applicants:
        assert authenticate(username=account.username, password=city.demo_password()) is not None, account
