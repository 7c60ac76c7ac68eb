"""The base information registry: identifiers validated and masked, every change audited."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from banhao.core.models import AuditEvent
from banhao.registry import services
from banhao.registry.models import Organization, Person
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, make_staff):
    assert client.login(username=make_staff("administrator").username, password=PASSWORD)
    return client


def test_registering_a_person_derives_gender_birth_date_and_region_from_the_id(regions):
    from banhao.core.identifiers import make_resident_id

    number = make_resident_id("37130219850315002")
    person = services.person_register(actor="测试", name="王芳", resident_id=number.lower())
    assert person.resident_id == number
    assert person.birth_date == dt.date(1985, 3, 15)
    assert person.gender == "F"  # sequence 002: even
    assert person.region == regions["lanshan"]


def test_a_person_from_another_province_has_no_region_of_ours(regions):
    person = services.person_register(actor="测试", name="李雷", resident_id="11010519491231002X")
    assert person.region is None


def test_the_same_resident_id_cannot_be_registered_twice(regions):
    services.person_register(actor="测试", name="王芳", resident_id="11010519491231002X")
    with pytest.raises(ValidationError) as err:
        services.person_register(actor="测试", name="王芳", resident_id="11010519491231002x")
    assert "已在基础信息库中登记" in str(err.value)
    assert Person.objects.count() == 1


def test_a_bad_resident_id_in_the_form_gets_a_chinese_message_and_saves_nothing(admin_client):
    response = admin_client.post(
        reverse("registry:person_create"), {"name": "王芳", "resident_id": "110105194912310021"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "校验位不正确" in html
    assert 'value="王芳"' in html  # what the user typed is kept
    assert Person.objects.count() == 0


def test_a_bad_mobile_number_is_refused_with_a_chinese_message(admin_client):
    response = admin_client.post(
        reverse("registry:person_create"),
        {"name": "王芳", "resident_id": "11010519491231002X", "phone": "12345"},
    )
    assert "手机号码应为11位数字" in response.content.decode()
    assert Person.objects.count() == 0


def test_a_credit_code_with_the_letter_i_is_refused_in_the_form(admin_client):
    response = admin_client.post(
        reverse("registry:organization_create"),
        {"name": "某公司", "credit_code": "91440300708461136I", "legal_representative": "张三"},
    )
    assert "不使用字母" in response.content.decode()
    assert Organization.objects.count() == 0


def test_a_credit_code_with_a_wrong_check_character_is_refused(regions):
    with pytest.raises(ValidationError) as err:
        services.organization_register(
            actor="测试", name="某公司", credit_code="914403001922038217", legal_representative="张三"
        )
    assert "校验位不正确" in str(err.value)


def test_an_organization_gets_its_kind_and_region_from_the_credit_code(regions):
    from banhao.core.identifiers import make_org_code, make_uscc

    code = make_uscc("9", "1", "371302", make_org_code("MA3C4K7P"))
    org = services.organization_register(
        actor="测试", name="临沂某某商贸有限公司", credit_code=code.lower(), legal_representative="张三"
    )
    assert org.credit_code == code
    assert org.kind == Organization.Kind.ENTERPRISE
    assert org.region == regions["lanshan"]


def test_lists_and_pages_show_masked_ids_never_full_ones(admin_client, make_person):
    person = make_person("371302", name="王芳", phone="13812345678")
    for url in (reverse("registry:person_list"), reverse("registry:person_detail", args=[person.pk])):
        html = admin_client.get(url).content.decode()
        assert person.resident_id not in html
        assert person.masked_id in html
        assert "13812345678" not in html and "138****5678" in html


def test_the_organisation_page_masks_the_contact_phone_like_its_history(admin_client, regions):
    from banhao.core.identifiers import make_org_code, make_uscc

    org = services.organization_register(
        actor="测试",
        name="临沂某某商贸有限公司",
        credit_code=make_uscc("9", "1", "371302", make_org_code("MA3C4K7P")),
        legal_representative="张三",
        phone="13912345678",
    )
    html = admin_client.get(reverse("registry:organization_detail", args=[org.pk])).content.decode()
    assert "13912345678" not in html and "139****5678" in html


def test_staff_can_find_a_person_by_the_full_id_number(admin_client, make_person):
    person = make_person("371302", name="王芳")
    make_person("371302", name="李四")
    html = admin_client.get(
        reverse("registry:person_list"), {"q": person.resident_id.lower()}
    ).content.decode()
    assert "王芳" in html and "李四" not in html


def test_an_edit_is_audited_with_before_after_and_reason_and_the_phone_masked(admin_client, make_person):
    person = make_person("371302", name="王芳", phone="13812345678")
    response = admin_client.post(
        reverse("registry:person_edit", args=[person.pk]),
        {"name": "王芳", "phone": "13900001111", "address": "兰山区北京路1号", "reason": "本人申请更正"},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.filter(action="registry.person_update", object_id=str(person.pk)).get()
    assert event.before == {"phone": "138****5678", "address": ""}
    assert event.after == {"phone": "139****1111", "address": "兰山区北京路1号"}
    assert event.reason == "本人申请更正"
    assert event.actor is not None and event.request_id
    history = admin_client.get(reverse("registry:person_detail", args=[person.pk])).content.decode()
    assert "本人申请更正" in history


def test_an_applicant_account_needs_a_unique_mobile_and_a_strong_password(make_person):
    first = make_person("371302", phone="13800000001")
    second = make_person("371302", phone="13800000001")
    services.applicant_account_open(actor="测试", person=first, password=PASSWORD)
    with pytest.raises(ValidationError) as err:
        services.applicant_account_open(actor="测试", person=second, password=PASSWORD)
    assert "已注册办事账户" in str(err.value)
    third = make_person("371302", phone="13800000003")
    with pytest.raises(ValidationError) as err:
        services.applicant_account_open(actor="测试", person=third, password="abcdefghijk")
    assert "至少包含" in str(err.value)


def test_registry_changes_cannot_bypass_the_scope_through_the_admin(admin_client, make_person):
    person = make_person("371302")
    assert admin_client.get(f"/admin/registry/person/{person.pk}/change/").status_code == 200
    # View-only: the admin offers no way to change a registry record.
    response = admin_client.post(f"/admin/registry/person/{person.pk}/change/", {"name": "篡改"})
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.name != "篡改"
