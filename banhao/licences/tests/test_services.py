"""Issuing, signing, the life cycle, verification, the use log and 免提交, through the services."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from banhao.core.identifiers import normalize_licence_identifier
from banhao.licences import api, keys, services
from banhao.licences.models import Licence, LicenceEvent, LicenceUse, Status
from banhao.notify.models import Message

pytestmark = pytest.mark.django_db


def test_an_approved_case_issues_a_signed_licence_when_its_result_is_ready(
    enterprise_case, enterprise, licence_types
):
    case = enterprise_case(result_ready=True)
    licence = Licence.objects.get(case_id=case.pk)
    assert licence.name == "食品经营许可证"
    assert licence.holder_code == enterprise["org"].credit_code and licence.holder_code_type == "001"
    assert licence.issuer_name == "兰山区行政审批服务局" and licence.region_code == "371302"
    assert normalize_licence_identifier(licence.identifier) == licence.identifier
    assert licence.identifier.startswith("1.2.156.3005.2.11100000000013338W027." + licence.issuer_code + ".")
    assert licence.face == {"operator": "临沂某餐饮有限公司", "site": "兰山区金雀山路1号", "items": "热食类"}
    assert licence.valid_until == licence.issued_on.replace(year=licence.issued_on.year + 5) - dt.timedelta(
        days=1
    )
    assert licence.algorithm == "sm2" and services.verify_status(licence) == "valid"
    assert case.events.filter(action="licence_issued", data__licences=[licence.identifier]).exists()
    # the enterprise's account is told where to find it
    assert Message.objects.filter(user=enterprise["user"], title="电子证照已签发").exists()


def test_a_denied_case_issues_nothing(enterprise_case, licence_types):
    case = enterprise_case(denied=True, result_ready=True)
    assert not Licence.objects.filter(case_id=case.pk).exists()


def test_an_item_without_a_licence_type_issues_nothing(enterprise_case):
    case = enterprise_case(result_ready=True)
    assert case.status == "result_ready" and not Licence.objects.exists()


def test_altering_a_face_field_or_the_metadata_in_the_database_reads_as_tampered(issue):
    licence = issue(scope="餐饮服务")
    assert services.verify_status(licence) == "valid"
    Licence.objects.filter(pk=licence.pk).update(face={**licence.face, "scope": "餐饮服务；烟草零售"})
    assert services.verify_status(Licence.objects.get(pk=licence.pk)) == "tampered"
    Licence.objects.filter(pk=licence.pk).update(face=licence.face)
    assert services.verify_status(Licence.objects.get(pk=licence.pk)) == "valid"
    Licence.objects.filter(pk=licence.pk).update(valid_until=dt.date(2099, 1, 1))
    assert services.verify_status(Licence.objects.get(pk=licence.pk)) == "tampered"


def test_a_garbled_signature_or_an_unknown_key_reads_as_tampered(issue):
    licence = issue()
    Licence.objects.filter(pk=licence.pk).update(signature="AAAA" + licence.signature[4:])
    assert services.verify_status(Licence.objects.get(pk=licence.pk)) == "tampered"
    Licence.objects.filter(pk=licence.pk).update(signature=licence.signature, key_id="sm2-unknown")
    assert services.verify_status(Licence.objects.get(pk=licence.pk)) == "tampered"


def test_suspend_resume_and_revoke_each_need_a_reason_write_an_event_and_tell_the_holder(issue, enterprise):
    licence = issue()
    with pytest.raises(ValidationError, match="请填写暂停使用原因"):
        services.licence_suspend(actor="测试", licence=licence, reason=" ")
    services.licence_suspend(actor="测试", licence=licence, reason="涉嫌虚假登记，立案调查")
    licence.refresh_from_db()
    assert licence.status == Status.SUSPENDED and services.verify_status(licence) == "suspended"
    services.licence_resume(actor="测试", licence=licence, reason="调查结束，未发现问题")
    licence.refresh_from_db()
    assert services.verify_status(licence) == "valid"
    services.licence_revoke(actor="测试", licence=licence, reason="企业申请注销登记")
    licence.refresh_from_db()
    assert services.verify_status(licence) == "revoked"
    with pytest.raises(ValidationError, match="已注销"):
        services.licence_resume(actor="测试", licence=licence, reason="误操作")
    actions = list(
        LicenceEvent.objects.filter(licence=licence).values_list("action", "from_status", "to_status")
    )
    assert actions == [
        ("issue", "", "valid"),
        ("suspend", "valid", "suspended"),
        ("resume", "suspended", "valid"),
        ("revoke", "valid", "revoked"),
    ]
    titles = set(Message.objects.filter(user=enterprise["user"]).values_list("title", flat=True))
    assert {"电子证照已暂停使用", "电子证照已恢复使用", "电子证照已注销"} <= titles
    assert Message.objects.filter(channel="sms", phone="13900000002", text__contains="注销").exists()


def test_a_licence_past_its_end_date_verifies_as_expired_and_the_sweep_records_it(issue):
    licence = issue("food", operator="临沂某餐饮有限公司")
    past = timezone.localdate() - dt.timedelta(days=1)
    # re-issue with a validity that ended yesterday (signed so: not tampered)
    services.licence_revoke(actor="测试", licence=licence, reason="测试换发")
    old = services.licence_issue(
        actor="测试",
        licence_type=licence.type,
        issuer_id=licence.issuer_id,
        organization_id=licence.holder_organization_id,
        face={"operator": "临沂某餐饮有限公司"},
        issued_on=past - dt.timedelta(days=365),
        valid_until=past,
    )
    assert services.verify_status(old) == "expired"
    assert services.licence_expire_sweep() == 1
    old.refresh_from_db()
    assert old.status == Status.EXPIRED and old.events.filter(action="expire").exists()
    assert services.licence_expire_sweep() == 0


def test_a_second_licence_of_a_one_per_holder_type_supersedes_the_first_as_its_next_version(issue):
    first = issue(scope="餐饮服务")
    second = issue(scope="餐饮服务；食品销售")
    first.refresh_from_db()
    assert first.status == Status.SUPERSEDED and services.verify_status(first) == "revoked"
    assert second.supersedes_id == first.pk and second.serial == first.serial
    assert (first.version, second.version) == (1, 2) and second.identifier.split(".")[-2] == "002"
    assert second.number == first.number == first.holder_code  # 营业执照 carries the credit code
    assert second.face["scope"] == "餐饮服务；食品销售" and services.verify_status(second) == "valid"


def test_the_database_keeps_one_active_licence_per_type_and_holder(issue):
    licence = issue()
    twin = Licence.objects.get(pk=licence.pk)
    twin.pk = None
    twin.identifier = licence.identifier[:-5] + "9.999.X"
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_a_type_that_allows_several_keeps_them_all_valid_and_serials_never_repeat(issue):
    a = issue("works", project="一号楼")
    b = issue("works", project="二号楼")
    c = issue("works", project="三号楼")
    assert {x.status for x in (a, b, c)} == {Status.VALID}
    assert len({a.serial, b.serial, c.serial}) == 3 and len({a.identifier, b.identifier, c.identifier}) == 3


def test_a_missing_required_face_field_refuses_the_issue_and_changes_nothing(issue):
    with pytest.raises(ValidationError) as e:
        issue("works")
    assert "工程名称" in str(e.value)
    assert not Licence.objects.exists()


def test_rotating_the_issuers_key_keeps_old_licences_verifiable(issue):
    old = issue()
    keys.key_generate(old.issuer_code, "sm2")
    new = issue(scope="新版本")
    old.refresh_from_db()
    assert new.key_id != old.key_id
    assert keys.public_key(old.key_id).retired is True
    old_signed = Licence.objects.get(pk=old.pk)
    assert services.signature_holds(old_signed) and services.verify_status(new) == "valid"


def test_ed25519_can_be_configured_as_the_algorithm_of_new_signatures(issue, settings):
    settings.BANHAO_LICENCE_ALGORITHM = "ed25519"
    licence = issue()
    assert licence.algorithm == "ed25519" and services.verify_status(licence) == "valid"


def test_a_use_without_a_reason_or_with_a_reason_too_long_is_refused(issue):
    licence = issue()
    with pytest.raises(ValidationError, match="用证事由"):
        services.licence_use_record(licence=licence, kind="query", reason="")
    with pytest.raises(ValidationError, match="200"):
        services.licence_use_record(licence=licence, kind="query", reason="查" * 201)
    use = services.licence_use_record(licence=licence, kind="query", reason="办理食品经营许可核验主体资格")
    assert use.user_label == "公众" and LicenceUse.objects.count() == 1


def test_a_held_valid_licence_stands_in_for_a_material_and_the_use_is_logged(issue, enterprise):
    licence = issue()
    info = api.licence_use_as_material(
        identifier=licence.identifier,
        holder_codes={enterprise["org"].credit_code},
        type_name="营业执照",
        case_number="371302-20261204-00001",
        actor="测试",
    )
    assert info.identifier == licence.identifier
    use = LicenceUse.objects.get(licence=licence)
    assert use.kind == "material" and use.case_number == "371302-20261204-00001" and "00001" in use.reason


@pytest.mark.parametrize("case", ["made_up", "foreign", "revoked", "wrong_type"])
def test_a_made_up_foreign_revoked_or_wrong_licence_is_refused_as_a_material(issue, enterprise, case):
    licence = issue()
    identifier, codes, type_name = licence.identifier, {enterprise["org"].credit_code}, "营业执照"
    if case == "made_up":
        parts = identifier.split(".")
        parts[-3] = "20269999999"
        from banhao.core.identifiers import make_licence_identifier

        identifier = make_licence_identifier(parts[5], parts[6], parts[7], parts[8])
    elif case == "foreign":
        codes = {"91371302MA00000151"}
    elif case == "revoked":
        services.licence_revoke(actor="测试", licence=licence, reason="注销")
    else:
        type_name = "食品经营许可证"
    with pytest.raises(ValidationError):
        api.licence_use_as_material(
            identifier=identifier, holder_codes=codes, type_name=type_name, case_number="X", actor="测试"
        )
    assert not LicenceUse.objects.exists()


def test_the_figures_count_issued_used_and_reused_per_type_and_department(issue, enterprise):
    licence = issue()
    issue("works", project="一号楼")
    services.licence_use_record(licence=licence, kind="query", reason="核验")
    api.licence_use_as_material(
        identifier=licence.identifier,
        holder_codes={enterprise["org"].credit_code},
        type_name="营业执照",
        case_number="C1",
        actor="测试",
    )
    rows = {r["type"]: r for r in api.licence_figures()}
    assert rows["营业执照"] == {
        "type": "营业执照",
        "department": "临沂市行政审批服务局",
        "issued": 1,
        "used": 2,
        "reused": 1,
    }
    assert rows["建筑工程施工许可证"]["issued"] == 1 and rows["建筑工程施工许可证"]["used"] == 0


def test_the_applicants_case_page_names_the_issued_licence_with_a_link_to_verify_it(
    client, enterprise_case, enterprise, licence_types
):
    case = enterprise_case(result_ready=True)
    licence = Licence.objects.get(case_id=case.pk)
    client.force_login(enterprise["user"])
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "《食品经营许可证》" in page and licence.number in page
    assert "/licences/verify/?id=" + licence.identifier in page.replace("&amp;", "&")
