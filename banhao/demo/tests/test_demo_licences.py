"""The demo's electronic licences: the curated licence catalog linked to its items, licences
issued by approved demo cases that verify, every status a verifier should see, and a second
load that creates nothing."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command

from banhao.cases.models import Case
from banhao.demo import catalog, city, licences
from banhao.licences import services
from banhao.licences.models import Licence, LicenceType

pytestmark = pytest.mark.django_db


def everything() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def test_the_demo_holds_licences_issued_by_approved_cases_and_loading_again_creates_nothing():
    city.load()
    catalog.load()
    types = licences.load()
    held = licences.load_holdings()

    # every curated type exists, linked to the items that yield it
    assert types == LicenceType.objects.count() > len(licences.CURATED)
    for spec in licences.CURATED:
        t = LicenceType.objects.get(code=spec["code"])
        assert t.name == spec["name"]
        linked = set(t.items.values_list("basic_code", flat=True))
        assert {c.split("-")[0] for c in spec["items"]} <= linked, t.name

    # the demo's licences came from approved cases and verify
    demo = Licence.objects.filter(case_number__gt="")
    assert held.licences == demo.count() == len(licences.DEMO_CASES)
    for licence in demo:
        case = Case.objects.get(pk=licence.case_id)
        assert case.status == "concluded" and case.events.filter(action="licence_issued").exists()
        assert services.signature_holds(licence), licence.identifier
    assert {services.verify_status(x) for x in demo} == {"valid", "suspended", "revoked"}
    for licence in demo.exclude(status="valid"):
        assert licence.events.filter(to_status=licence.status).exclude(reason="").exists()

    enterprises, persons = licences.demo_accounts()
    business = set(demo.filter(type__name="营业执照").values_list("holder_organization_id", flat=True))
    assert business == {a.organization_id for a in enterprises}
    food = set(
        demo.filter(type__name="食品经营许可证", status="valid").values_list(
            "holder_organization_id", flat=True
        )
    )
    assert {a.organization_id for a in enterprises} - food, "an enterprise is left to apply for 食品经营许可"
    personal = dict(demo.filter(holder_kind="person").values_list("type__name", "holder_person_id"))
    assert set(personal) == {"不动产权证书", "中华人民共和国残疾人证", "医师执业证书"}
    assert set(personal.values()) <= {a.person_id for a in persons}
    assert (
        held.sample_identifier
        and services.verify_status(Licence.objects.get(identifier=held.sample_identifier)) == "valid"
    )
    assert [phone for phone, _holder, _ in held.by_account][:5] == [a.person.phone for a in enterprises]

    before = everything()
    assert licences.load() == types
    again = licences.load_holdings()
    assert everything() == before
    assert (again.new_cases, again.new_keys, again.licences) == (0, 0, held.licences)


def test_load_demo_prints_the_licences_block(monkeypatch):
    # the loaders are tested above; here only what the command prints from their results
    monkeypatch.setattr(city, "load", lambda: ([], []))
    monkeypatch.setattr(catalog, "load", lambda: {"standards": 0, "implementations": 0})
    monkeypatch.setattr(licences, "load", lambda: 39)
    monkeypatch.setattr(
        licences,
        "load_holdings",
        lambda: licences.Holdings(
            licences=11,
            new_cases=0,
            new_keys=0,
            sample_identifier="1.2.156.3005.2.X",
            by_account=[("13800000001", "临沂某公司", ["《营业执照》（有效）"])],
            by_status={"valid": 9, "suspended": 1, "revoked": 1},
        ),
    )
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()
    assert "电子证照：" in text and "演示证照 11 本" in text and "暂停使用1本" in text
    assert "/licences/verify/ 可试：1.2.156.3005.2.X" in text
    assert "13800000001" in text and "《营业执照》（有效）" in text
