"""证照管理: the issuing department's register, its scope, and suspend / resume / revoke with a
reason through the page."""

import pytest
from django.urls import reverse

from banhao.licences import services
from banhao.licences.models import Licence, LicenceEvent, Status
from banhao.org.models import Department

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_dept(licence_types):
    return Department.objects.get(name="临沂市行政审批服务局")


@pytest.fixture
def head(make_staff, city_dept):
    """The department head of 临沂市行政审批服务局, the issuer of the `issue` fixture's licences."""
    return make_staff("department_head", region="city", department=city_dept)


@pytest.fixture
def person_licence(licence_types, make_person, city_dept):
    licence_type, _ = services.licence_type_upsert(
        actor="测试",
        name="残疾人证",
        code="11100000000013338W099",
        authority_name="中国残疾人联合会",
        holder_kind="person",
        fields=[{"key": "category", "label": "残疾类别", "required": True, "public": True}],
    )
    person = make_person("371302", name="王小明")
    licence = services.licence_issue(
        actor="测试",
        licence_type=licence_type,
        issuer_id=city_dept.pk,
        person_id=person.pk,
        face={"category": "肢体残疾"},
    )
    return licence, person


def detail_url(licence):
    return reverse("licences:office_detail", args=[licence.pk])


def act(client, licence, action, reason, status=None):
    return client.post(
        reverse("licences:office_act", args=[licence.pk]),
        {"action": action, "reason": reason, "status": status or licence.status},
    )


def test_the_url_names_are_those_of_the_licences_namespace():
    assert reverse("licences:office_register") == "/licences/office/"
    assert reverse("licences:verify") == "/licences/verify/"


def test_the_head_lists_the_departments_licences_with_id_numbers_masked(client, head, issue, person_licence):
    business = issue()
    licence, person = person_licence
    client.force_login(head)
    response = client.get(reverse("licences:office_register"))
    html = response.content.decode()
    assert response.status_code == 200
    assert business.number in html and licence.number in html
    assert person.resident_id not in html
    assert person.resident_id[:4] + "*" * 10 + person.resident_id[-4:] in html
    assert "王小明" in html  # staff see the holder's name


def test_the_register_filters_by_type_status_and_search(client, head, issue, licence_types):
    business = issue()
    works = issue("works", project="沂河大桥")
    services.licence_suspend(actor="测试", licence=works, reason="停工整改")
    client.force_login(head)
    url = reverse("licences:office_register")
    by_type = client.get(url, {"type": licence_types["works"].pk}).content.decode()
    assert detail_url(works) in by_type and detail_url(business) not in by_type
    by_status = client.get(url, {"status": "suspended"}).content.decode()
    assert detail_url(works) in by_status and detail_url(business) not in by_status
    by_identifier = client.get(url, {"q": business.identifier}).content.decode()
    assert detail_url(business) in by_identifier and detail_url(works) not in by_identifier
    by_holder = client.get(url, {"q": "某餐饮"}).content.decode()
    assert detail_url(business) in by_holder and detail_url(works) in by_holder
    nothing = client.get(url, {"q": "不存在的单位"}).content.decode()
    assert "没有符合条件的电子证照" in nothing


def test_the_detail_shows_the_face_events_and_use_log(client, head, issue):
    licence = issue(scope="餐饮服务")
    services.licence_use_record(licence=licence, kind="query", reason="现场检查核对", label="市场监管局")
    client.force_login(head)
    html = client.get(detail_url(licence)).content.decode()
    assert "餐饮服务" in html  # a non-public face field: staff see it
    assert "签发" in html and "现场检查核对" in html and "市场监管局" in html


def test_staff_of_another_region_get_404_and_the_register_is_empty(
    client, make_staff, make_department, issue
):
    licence = issue()  # issued in the city region by the city's department
    yinan = make_department("沂南县市场监督管理局", region="yinan")
    client.force_login(make_staff("department_head", region="yinan", department=yinan))
    assert client.get(detail_url(licence)).status_code == 404
    assert licence.number not in client.get(reverse("licences:office_register")).content.decode()
    response = act(client, licence, "suspend", "越权暂停")
    assert response.status_code == 404
    licence.refresh_from_db()
    assert licence.status == Status.VALID


def test_another_department_of_the_same_region_does_not_see_the_licence(
    client, make_staff, make_department, issue
):
    licence = issue()
    other = make_department("临沂市住房和城乡建设局", region="city")
    client.force_login(make_staff("reviewer", region="city", department=other))
    assert client.get(detail_url(licence)).status_code == 404


def test_a_city_supervisor_sees_every_licence_of_the_city(client, make_staff, enterprise_case, issue):
    city = issue()
    county = Licence.objects.get(case_id=enterprise_case(result_ready=True).pk)  # 兰山区
    client.force_login(make_staff("supervisor", region="city"))
    html = client.get(reverse("licences:office_register")).content.decode()
    assert detail_url(city) in html and detail_url(county) in html
    assert "证照状态管理" not in client.get(detail_url(city)).content.decode()  # view only


def test_a_role_without_licences_view_is_refused(client, make_staff):
    client.force_login(make_staff("helper", region="city"))
    assert client.get(reverse("licences:office_register")).status_code == 403


def test_a_reviewer_may_view_but_not_suspend(client, make_staff, city_dept, issue):
    licence = issue()
    client.force_login(make_staff("reviewer", region="city", department=city_dept))
    assert client.get(detail_url(licence)).status_code == 200
    assert act(client, licence, "suspend", "试图暂停").status_code == 403
    licence.refresh_from_db()
    assert licence.status == Status.VALID


def test_the_register_needs_a_login(client):
    response = client.get(reverse("licences:office_register"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_suspend_without_a_reason_is_refused_and_nothing_changes(client, head, issue):
    licence = issue()
    client.force_login(head)
    events = LicenceEvent.objects.filter(licence=licence).count()
    response = act(client, licence, "suspend", "   ")
    assert response.status_code == 400
    assert "请填写暂停使用原因" in response.content.decode()
    licence.refresh_from_db()
    assert licence.status == Status.VALID
    assert LicenceEvent.objects.filter(licence=licence).count() == events


def test_suspend_resume_and_revoke_through_the_page(client, head, issue):
    licence = issue()
    client.force_login(head)
    response = act(client, licence, "suspend", "涉嫌虚假登记，立案调查")
    assert response.status_code == 302 and response["Location"] == detail_url(licence)
    licence.refresh_from_db()
    assert licence.status == Status.SUSPENDED
    assert client.get("/api/v1/licences/verify/", {"id": licence.identifier}).json()["status"] == "suspended"
    act(client, licence, "resume", "调查结束，未发现问题")
    licence.refresh_from_db()
    assert licence.status == Status.VALID
    page = client.get(detail_url(licence)).content.decode()
    assert "涉嫌虚假登记，立案调查" in page and "调查结束，未发现问题" in page
    act(client, licence, "revoke", "企业申请注销登记")
    licence.refresh_from_db()
    assert licence.status == Status.REVOKED
    actions = list(LicenceEvent.objects.filter(licence=licence).values_list("action", "actor_label"))
    assert [a for a, _ in actions] == ["issue", "suspend", "resume", "revoke"]
    assert all(label.startswith("department_head") for _, label in actions[1:])
    assert "不能再变更状态" in client.get(detail_url(licence)).content.decode()


def test_a_double_submitted_suspend_changes_nothing_the_second_time(client, head, issue):
    licence = issue()
    client.force_login(head)
    act(client, licence, "suspend", "立案调查", status="valid")
    second = act(client, licence, "suspend", "立案调查", status="valid")
    assert second.status_code == 302
    assert LicenceEvent.objects.filter(licence=licence, action="suspend").count() == 1
    page = client.get(detail_url(licence)).content.decode()
    assert "本次重复提交未再处理" in page


def test_an_impossible_transition_is_refused_in_chinese(client, head, issue):
    licence = issue()
    client.force_login(head)
    response = act(client, licence, "resume", "恢复")
    assert response.status_code == 400
    assert "不能恢复使用" in response.content.decode()
    licence.refresh_from_db()
    assert licence.status == Status.VALID


def test_the_act_view_needs_a_post_with_csrf(head, issue):
    from django.test import Client

    licence = issue()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(head)
    response = strict.post(
        reverse("licences:office_act", args=[licence.pk]),
        {"action": "suspend", "reason": "无令牌", "status": "valid"},
    )
    assert response.status_code == 403
    assert strict.get(reverse("licences:office_act", args=[licence.pk])).status_code == 405
    licence.refresh_from_db()
    assert licence.status == Status.VALID
