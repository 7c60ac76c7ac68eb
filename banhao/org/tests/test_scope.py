"""Every staff read is limited by role AND data scope: a county never sees another county."""

import pytest
from django.urls import reverse

from banhao.registry.models import Person
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_a_county_clerk_lists_only_persons_of_their_own_county(client, make_staff, make_person):
    make_person("371302", name="兰山甲")
    make_person("371321", name="沂南乙")
    login(client, make_staff("window_clerk", region="lanshan"))
    html = client.get(reverse("registry:person_list")).content.decode()
    assert "兰山甲" in html
    assert "沂南乙" not in html


def test_a_county_clerk_cannot_open_another_countys_person_even_by_its_address(
    client, make_staff, make_person
):
    other = make_person("371321", name="沂南乙")
    login(client, make_staff("window_clerk", region="lanshan"))
    assert client.get(reverse("registry:person_detail", args=[other.pk])).status_code == 404


def test_a_county_clerk_cannot_find_another_countys_person_by_full_id(client, make_staff, make_person):
    other = make_person("371321", name="沂南乙")
    login(client, make_staff("window_clerk", region="lanshan"))
    html = client.get(reverse("registry:person_list"), {"q": other.resident_id}).content.decode()
    assert "沂南乙" not in html


def test_a_city_clerk_sees_every_county_and_people_from_outside_the_city(client, make_staff, make_person):
    make_person("371302", name="兰山甲")
    make_person("371321", name="沂南乙")
    make_person("110105", name="北京丙")
    login(client, make_staff("window_clerk", region="city"))
    html = client.get(reverse("registry:person_list")).content.decode()
    assert all(name in html for name in ("兰山甲", "沂南乙", "北京丙"))


def test_a_county_clerk_does_not_see_people_from_outside_the_city(client, make_staff, make_person):
    make_person("110105", name="北京丙")
    login(client, make_staff("window_clerk", region="lanshan"))
    assert "北京丙" not in client.get(reverse("registry:person_list")).content.decode()


def test_a_reviewer_has_no_access_to_the_registry_by_role(client, make_staff, make_department, make_person):
    make_person("371302")
    login(client, make_staff("reviewer", department=make_department("审批局")))
    assert client.get(reverse("registry:person_list")).status_code == 403


def test_a_reviewer_sees_only_their_own_department_and_its_staff(client, make_staff, make_department):
    mine, other = make_department("审批局"), make_department("市场监管局")
    colleague = make_staff("reviewer", department=mine, username="colleague")
    stranger = make_staff("reviewer", department=other, username="stranger")
    login(client, make_staff("department_head", department=mine))
    departments = client.get(reverse("org:department_list")).content.decode()
    assert "审批局" in departments and "市场监管局" not in departments
    staff = client.get(reverse("org:staff_list")).content.decode()
    assert colleague.staff.name in staff
    assert stranger.staff.name not in staff


def test_an_applicant_is_refused_every_staff_page(client, make_person):
    from banhao.registry import services

    person = make_person("371302", phone="13800000001")
    services.applicant_account_open(actor="测试", person=person, password=PASSWORD)
    assert client.login(username="13800000001", password=PASSWORD)
    for name in ("registry:person_list", "org:department_list", "org:staff_list"):
        assert client.get(reverse(name)).status_code == 403
    assert client.get("/admin/").status_code == 302  # the admin sends non-staff to its login


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(reverse("registry:person_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_county_administrator_cannot_register_a_person_of_another_county(client, make_staff):
    from banhao.core.identifiers import make_resident_id

    login(client, make_staff("administrator", region="lanshan"))
    number = make_resident_id("37132119800101001")
    response = client.post(reverse("registry:person_create"), {"name": "沂南乙", "resident_id": number})
    assert response.status_code == 200
    assert "不在您的数据范围内" in response.content.decode()
    assert not Person.objects.filter(resident_id=number).exists()


def test_a_county_administrator_sees_only_their_county_in_the_admin(client, make_staff, make_department):
    make_department("兰山区市场监督管理局", region="lanshan")
    make_department("沂南县市场监督管理局", region="yinan")
    login(client, make_staff("administrator", region="lanshan"))
    html = client.get("/admin/org/department/").content.decode()
    assert "兰山区市场监督管理局" in html
    assert "沂南县市场监督管理局" not in html


def test_a_window_clerk_cannot_use_the_admin(client, make_staff):
    login(client, make_staff("window_clerk"))
    assert client.get("/admin/org/department/").status_code == 302


def test_staff_history_is_visible_only_inside_the_scope(client, make_staff):
    other = make_staff("window_clerk", region="yinan")
    login(client, make_staff("hall_manager", region="lanshan"))
    assert client.get(reverse("org:staff_detail", args=[other.staff.pk])).status_code == 404


def test_a_bad_credit_code_in_the_admin_is_refused_in_chinese_and_nothing_is_saved(
    client, make_staff, regions
):
    from banhao.org.models import Department

    login(client, make_staff("administrator"))
    response = client.post(
        "/admin/org/department/add/",
        {
            "name": "测试局",
            "credit_code": "914403001922038217",
            "region": regions["city"].pk,
            "order": 0,
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "统一社会信用代码校验位不正确" in response.content.decode()
    assert not Department.objects.filter(name="测试局").exists()


def test_an_admin_change_is_audited_with_the_administrator_as_actor(client, make_staff, regions):
    from banhao.core.models import AuditEvent
    from banhao.org.models import Department

    admin_user = make_staff("administrator")
    login(client, admin_user)
    response = client.post(
        "/admin/org/department/add/",
        {
            "name": "测试局",
            "credit_code": "11100000000013338w",
            "region": regions["city"].pk,
            "order": 0,
            "active": "on",
        },
    )
    assert response.status_code == 302
    dept = Department.objects.get(name="测试局")
    assert dept.credit_code == "11100000000013338W"
    event = AuditEvent.objects.get(action="org.department_add", object_id=str(dept.pk))
    assert event.actor == admin_user
