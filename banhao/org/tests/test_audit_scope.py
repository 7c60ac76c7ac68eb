"""The audit trail is scoped like everything else (issue 10, fix 2): an administrator below
city level sees in the admin only the events of objects in their region; another county's
event answers 404; the city sees every event."""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction

from banhao.core.audit import audit_record, region_of
from banhao.core.models import AuditEvent
from banhao.core.services import calendar_day_set
from banhao.org import services as org_services
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _event(person) -> AuditEvent:
    return AuditEvent.objects.get(action="registry.person_register", object_id=str(person.pk))


@pytest.fixture
def people(make_person, regions):
    # a city-level record (no region): a holiday in the working-day calendar
    calendar_day_set(actor="测试", date=dt.date(2031, 1, 1), kind="holiday", name="元旦")
    return {
        "lanshan": make_person("371302", name="兰山甲", phone="13800000001"),
        "yinan": make_person("371321", name="沂南乙", phone="13900000002"),
    }


def test_an_event_carries_the_region_of_its_object(people, regions):
    assert _event(people["lanshan"]).region_id == regions["lanshan"].pk
    assert _event(people["yinan"]).region_id == regions["yinan"].pk


def test_the_region_of_a_region_a_hall_object_and_a_city_level_record(regions):
    hall = org_services.hall_ensure(
        actor="测试", name="兰山区政务服务中心", region=regions["lanshan"], address=""
    )
    zone = org_services.zone_ensure(actor="测试", hall=hall, kind="market", letter="A", name="市场准入")
    assert region_of(regions["yinan"]) == regions["yinan"].pk
    assert region_of(hall) == regions["lanshan"].pk
    assert region_of(zone) == regions["lanshan"].pk  # through its hall
    from banhao.core.models import CalendarYear

    year = CalendarYear(year=2031)
    assert region_of(year) is None
    assert audit_record(actor="测试", obj=zone, action="test.zone").region_id == regions["lanshan"].pk


def test_a_county_administrator_lists_only_their_countys_events(client, make_staff, people):
    login(client, make_staff("administrator", region="lanshan"))
    response = client.get("/admin/core/auditevent/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "兰山甲" in html
    assert "沂南乙" not in html
    response = client.get("/admin/core/auditevent/", {"q": "沂南乙"})
    assert "0 条结果" in response.content.decode()


def test_a_county_administrator_gets_404_for_another_countys_event(client, make_staff, people):
    login(client, make_staff("administrator", region="lanshan"))
    own, other = _event(people["lanshan"]), _event(people["yinan"])
    assert client.get(f"/admin/core/auditevent/{own.pk}/change/").status_code == 200
    response = client.get(f"/admin/core/auditevent/{other.pk}/change/")
    assert response.status_code == 404
    assert "沂南乙" not in response.content.decode()
    assert client.get(f"/admin/core/auditevent/{other.pk}/history/").status_code == 404
    # an event without a region (a city-level record) is for the city only
    city_level = AuditEvent.objects.filter(region_id__isnull=True).first()
    assert city_level is not None
    assert client.get(f"/admin/core/auditevent/{city_level.pk}/change/").status_code == 404
    # absent looks the same as forbidden
    assert client.get("/admin/core/auditevent/99999999/change/").status_code == 404


def test_the_city_administrator_sees_every_event(client, make_staff, people):
    login(client, make_staff("administrator", region="city"))
    html = client.get("/admin/core/auditevent/").content.decode()
    assert "兰山甲" in html and "沂南乙" in html
    for person in people.values():
        assert client.get(f"/admin/core/auditevent/{_event(person).pk}/change/").status_code == 200
    city_level = AuditEvent.objects.filter(region_id__isnull=True).first()
    assert client.get(f"/admin/core/auditevent/{city_level.pk}/change/").status_code == 200


def test_the_backfill_gives_older_events_the_region_of_their_object(people, regions):
    older = AuditEvent.objects.create(
        actor_label="测试",
        action="registry.person_change",
        object_type="registry.person",
        object_id=str(people["yinan"].pk),
        object_repr="沂南乙",
    )
    gone = AuditEvent.objects.create(
        actor_label="测试", action="registry.person_change", object_type="registry.person", object_id="0"
    )
    migration = importlib.import_module("banhao.core.migrations.0005_auditevent_region_backfill")

    def execute(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)

    migration.forwards(apps, SimpleNamespace(connection=connection, execute=execute))
    assert AuditEvent.objects.get(pk=older.pk).region_id == regions["yinan"].pk
    assert AuditEvent.objects.get(pk=gone.pk).region_id is None
    with pytest.raises(DatabaseError), transaction.atomic():  # the append-only trigger is back
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditevent SET action = 'x'")
