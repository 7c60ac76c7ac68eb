"""Comprehensive acceptance at the window (前台综合受理): any item, three outcomes, one visit."""

from __future__ import annotations

import os
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from banhao.cases.models import Case, CaseEvent, CaseMaterial
from banhao.catalog import services as catalog
from banhao.core import pdf
from banhao.core.identifiers import make_org_code, make_resident_id, make_uscc
from banhao.hall import services as hall_services
from banhao.hall.models import TicketCase
from banhao.registry import services as registry
from banhao.registry.models import Person
from conftest import PASSWORD, sample_content

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64

PERSONAL_FIELDS = [
    {"key": "applicant_name", "label": "申请人姓名", "type": "text", "prefill": "person.name"},
    {
        "key": "applicant_id",
        "label": "申请人身份证号",
        "type": "resident_id",
        "prefill": "person.resident_id",
    },
    {
        "key": "address",
        "label": "联系地址",
        "type": "address",
        "prefill": "person.address",
        "required": False,
    },
    {"key": "reason", "label": "申请事由", "type": "text"},
]
PERSONAL_MATERIALS = [
    {
        "name": "申请表",
        "required": True,
        "medium": "paper",
        "copy": "原件",
        "copies": 1,
        "source": "申请人自备",
    },
    {
        "name": "户口簿",
        "required": True,
        "medium": "paper",
        "copy": "原件",
        "copies": 1,
        "source": "申请人自备",
    },
    {
        "name": "居民身份证",
        "required": True,
        "medium": "electronic",
        "copy": "原件",
        "copies": 1,
        "source": "政府部门核发",
        "shared": True,
        "licence_type": "居民身份证",
    },
]


def personal(code: str, name: str, department: str, **overrides):
    return sample_content(
        basic_code=code,
        name=name,
        sub_item_name=name,
        handling_name="",
        department=department,
        service_objects=["自然人"],
        situations=[],
        materials=PERSONAL_MATERIALS,
        form_fields=PERSONAL_FIELDS,
        keywords=[name],
        **overrides,
    )


def publish(content, region_code: str, department: str):
    version, _ = catalog.standard_save(actor="测试", data=content)
    version = catalog.version_publish(actor="测试", version=version)
    impl, _ = catalog.implementation_save(
        actor="测试", standard=version.item, region_code=region_code, department=department
    )
    return catalog.implementation_publish(actor="测试", implementation=impl)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def departments(catalog_city, make_department):
    from banhao.org.models import Department

    return {
        "approval": Department.objects.get(name="兰山区行政审批服务局"),  # made by catalog_city
        "hrss": make_department("兰山区人力资源和社会保障局", region="lanshan"),
        "civil": make_department("兰山区民政局", region="lanshan"),
        "city_hrss": make_department("临沂市人力资源和社会保障局"),
        "city_civil": make_department("临沂市民政局"),
    }


@pytest.fixture
def items(departments):
    """Three personal items of three departments of 兰山区, one of 沂南县 (全市通办) and one of
    沂南县 whose scope is only 全县通办."""
    return {
        "approval": publish(
            personal("371301009001", "个体工商户登记", "临沂市行政审批服务局"),
            "371302",
            "兰山区行政审批服务局",
        ),
        "hrss": publish(
            personal("371301009002", "失业登记", "临沂市人力资源和社会保障局"),
            "371302",
            "兰山区人力资源和社会保障局",
        ),
        "civil": publish(
            personal("371301009003", "老年人优待证办理", "临沂市民政局"), "371302", "兰山区民政局"
        ),
        "yinan_city_wide": publish(
            personal("371301009004", "再生育审批", "临沂市行政审批服务局", scope="全市通办"),
            "371321",
            "沂南县行政审批服务局",
        ),
        "yinan_county": publish(
            personal("371301009005", "农机登记", "临沂市行政审批服务局", scope="全县通办"),
            "371321",
            "沂南县行政审批服务局",
        ),
    }


@pytest.fixture
def person(make_person):
    return make_person("371302", name="王芳", phone="13800000001")


@pytest.fixture
def clerk(client, make_staff, hall):
    user = make_staff("window_clerk", region="lanshan", hall=hall["hall"], window=hall["windows"][1])
    client.login(username=user.username, password=PASSWORD)
    return user


@pytest.fixture
def ticket(clerk, hall):
    """A ticket the clerk's window is serving."""
    hall_services.ticket_issue(
        hall_id=hall["hall"].pk, zone_id=hall["zones"]["A"].pk, source="kiosk", phone="13800000001"
    )
    called = hall_services.ticket_call_next(window_id=hall["windows"][1].pk, staff_id=clerk.staff.pk)
    assert called is not None
    return called


def item_url(impl):
    return reverse("hall:accept_item", args=[impl.pk])


def form(person, outcome="accept", **extra):
    """A complete POST of a personal item: paper application and household book, shared ID card."""
    data = {
        "key": uuid.uuid4().hex,
        "action": "submit",
        "resident_id": person.resident_id,
        "name": "",
        "phone": "",
        "credit_code": "",
        "m_0_how": "paper",
        "m_1_how": "paper",
        "m_2_how": "shared",
        "f_reason": "本人申请",
        "contact_phone": "13800000001",
        "outcome": outcome,
    }
    data.update(extra)
    return data


def _pdf_or_skip():
    try:
        pdf.check_available()
    except pdf.PdfUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PDF output unavailable in CI: {exc}")
        pytest.skip(str(exc))


# --- one window, three departments -----------------------------------------------------------------


def test_one_clerk_accepts_three_departments_items_for_one_ticket(client, clerk, ticket, items, person):
    numbers = []
    for key in ("approval", "hrss", "civil"):
        r = client.post(item_url(items[key]), form(person))
        assert r.status_code == 302, r.content.decode()[:2000]
        numbers.append(r.url.rstrip("/").rsplit("/", 1)[-1])
    cases = list(Case.objects.filter(number__in=numbers))
    assert len(cases) == 3
    assert {c.department_id for c in cases} == {items[k].department_id for k in ("approval", "hrss", "civil")}
    assert len({c.department_id for c in cases}) == 3
    for c in cases:
        assert c.channel == "window" and c.status == "accepted"
        assert c.accepted_on == timezone.localdate() and c.person_id == person.pk
        assert c.applicant_user_id is None
        assert [e.action for e in c.events.order_by("id")] == ["submit", "accept"]
    assert set(TicketCase.objects.filter(ticket=ticket).values_list("case_id", flat=True)) == {
        c.pk for c in cases
    }
    # one visit, one case group: its own number, all three members, status from the members
    from banhao.cases.api import case_group_info

    assert len({c.group_id for c in cases}) == 1 and cases[0].group_id is not None
    group = case_group_info(cases[0].group_id)
    assert set(group.case_numbers) == set(numbers) and group.kind == "visit"
    assert group.number.startswith(f"{cases[0].region.code}-") and "-G" in group.number
    assert group.status == "open"
    page = client.get(reverse("hall:accept_done", args=[numbers[-1]])).content.decode()
    assert "继续受理其他事项" in page
    assert all(n in page for n in numbers)
    again = client.get(reverse("hall:accept")).content.decode()
    assert "本次已受理事项（3）" in again


def test_the_accepted_case_reaches_its_departments_back_office_inbox(
    client, clerk, ticket, items, person, departments, make_staff
):
    r = client.post(item_url(items["hrss"]), form(person))
    case = Case.objects.get()
    assert r.status_code == 302 and case.department_id == departments["hrss"].pk
    reviewer = make_staff("reviewer", region="lanshan", department=departments["hrss"])
    other = make_staff("reviewer", region="lanshan", department=departments["civil"])
    client.logout()
    client.login(username=reviewer.username, password=PASSWORD)
    assert case.number in client.get(reverse("cases_office:inbox")).content.decode()
    client.logout()
    client.login(username=other.username, password=PASSWORD)
    assert case.number not in client.get(reverse("cases_office:inbox")).content.decode()


def test_materials_are_recorded_as_received_at_the_window(client, clerk, ticket, items, person):
    upload = SimpleUploadedFile("户口簿.pdf", PDF, content_type="application/pdf")
    r = client.post(item_url(items["approval"]), {**form(person, m_1_how="file"), "m_1": upload})
    assert r.status_code == 302
    rows = {m.name: m for m in CaseMaterial.objects.all()}
    assert rows["申请表"].note == "纸质原件已核验" and not rows["申请表"].file
    assert rows["居民身份证"].note == "免提交（数据共享）"
    assert rows["户口簿"].file and rows["户口簿"].sha256 and rows["户口簿"].content_type == "application/pdf"
    assert rows["户口簿"].file.read() == PDF


def test_the_acceptance_notice_prints_for_the_clerk(client, clerk, ticket, items, person):
    _pdf_or_skip()
    client.post(item_url(items["approval"]), form(person))
    case = Case.objects.get()
    page = client.get(reverse("hall:accept_done", args=[case.number])).content.decode()
    url = reverse("hall:accept_notice", args=[case.number, "acceptance"])
    assert url in page and "打印受理通知书" in page
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    assert client.get(reverse("hall:accept_notice", args=[case.number, "refusal"])).status_code == 404


def test_a_desk_role_without_cases_view_gets_404_for_the_outcome_and_its_notice(
    client, clerk, ticket, items, person, monkeypatch
):
    """Even a case made for a ticket of the clerk's own hall: reading cases needs cases.view."""
    from banhao.org import roles

    client.post(item_url(items["approval"]), form(person))
    case = Case.objects.get()
    without = {p for p in roles.PERMISSIONS[roles.Role.WINDOW_CLERK] if p != "cases.view"}
    monkeypatch.setitem(roles.PERMISSIONS, roles.Role.WINDOW_CLERK, without)
    assert client.get(reverse("hall:accept_done", args=[case.number])).status_code == 404
    assert client.get(reverse("hall:accept_notice", args=[case.number, "acceptance"])).status_code == 404


# --- correction and refusal --------------------------------------------------------------------------


def test_correction_lists_every_missing_and_defective_material_in_one_notice(
    client, clerk, ticket, items, person
):
    data = form(
        person,
        outcome="correction",
        m_0_how="defective",
        m_0_reason="缺少申请人签字",
        m_1_how="missing",
        m_1_reason="",
        correction_note="补齐后到任一窗口提交",
    )
    r = client.post(item_url(items["civil"]), data)
    assert r.status_code == 302
    case = Case.objects.get()
    assert case.status == "correction"
    event = CaseEvent.objects.get(case=case, action="request_correction")
    assert event.data["items"] == [
        {"material": "申请表", "reason": "缺少申请人签字"},
        {"material": "户口簿", "reason": "未提交该材料，请补充提交。"},
    ]
    assert event.note == "补齐后到任一窗口提交"
    assert CaseMaterial.objects.get(case=case, name="申请表").state == "defective"
    _pdf_or_skip()
    notice = client.get(reverse("hall:accept_notice", args=[case.number, "correction"]))
    assert notice.status_code == 200 and notice.content.startswith(b"%PDF")


def test_a_defective_material_needs_its_reason(client, clerk, ticket, items, person):
    r = client.post(item_url(items["civil"]), form(person, outcome="correction", m_0_how="defective"))
    assert r.status_code == 400
    assert "请写明“申请表”需要补正的原因" in r.content.decode()
    assert not Case.objects.exists()


def test_refusal_records_the_reason_and_the_competent_office_and_prints(client, clerk, ticket, items, person):
    data = form(
        person,
        outcome="refuse",
        m_0_how="",
        m_1_how="",
        f_reason="",
        refusal_reason="申请事项不属于本机关职权范围",
        competent_office="临沂市公安局兰山分局",
    )
    r = client.post(item_url(items["hrss"]), data)
    assert r.status_code == 302
    case = Case.objects.get()
    assert case.status == "refused"
    assert case.refusal_reason == "申请事项不属于本机关职权范围"
    assert case.competent_office == "临沂市公安局兰山分局"
    event = CaseEvent.objects.get(case=case, action="refuse")
    assert event.from_status == "submitted" and event.to_status == "refused"
    _pdf_or_skip()
    notice = client.get(reverse("hall:accept_notice", args=[case.number, "refusal"]))
    assert notice.status_code == 200 and notice.content.startswith(b"%PDF")


def test_a_refusal_without_a_reason_is_not_made(client, clerk, ticket, items, person):
    r = client.post(item_url(items["hrss"]), form(person, outcome="refuse"))
    assert r.status_code == 400 and "不予受理必须说明理由" in r.content.decode()
    assert not Case.objects.exists()


# --- nothing lost, nothing twice ---------------------------------------------------------------------


def test_accepting_with_a_required_material_missing_is_refused_and_keeps_every_input(
    client, clerk, ticket, items, person
):
    data = form(person, m_1_how="missing", f_reason="家庭困难申请", f_address="兰山区解放路1号")
    r = client.post(item_url(items["approval"]), data)
    page = r.content.decode()
    assert r.status_code == 400
    assert "必要材料“户口簿”未收取" in page
    assert "家庭困难申请" in page and "兰山区解放路1号" in page and data["key"] in page
    assert '<option value="missing" selected>' in page
    assert not Case.objects.exists()


def test_a_scanned_file_survives_a_validation_error(client, clerk, ticket, items, person):
    upload = SimpleUploadedFile("户口簿.pdf", PDF, content_type="application/pdf")
    first = client.post(
        item_url(items["approval"]), {**form(person, m_1_how="file", outcome=""), "m_1": upload}
    )
    page = first.content.decode()
    assert first.status_code == 400 and "已上传：户口簿.pdf" in page
    token = page.split('name="m_1_kept" value="', 1)[1].split('"', 1)[0]
    r = client.post(item_url(items["approval"]), form(person, m_1_how="file", m_1_kept=token))
    assert r.status_code == 302
    assert CaseMaterial.objects.get(name="户口簿").file.read() == PDF


def test_a_forged_upload_token_is_ignored(client, clerk, ticket, items, person):
    r = client.post(item_url(items["approval"]), form(person, m_1_how="file", m_1_kept="forged:token"))
    assert r.status_code == 400 and "选择了扫描上传，请选择要上传的文件" in r.content.decode()
    assert not Case.objects.exists()


def test_an_upload_disguised_as_pdf_is_refused(client, clerk, ticket, items, person):
    fake = SimpleUploadedFile("户口簿.pdf", EXE, content_type="application/pdf")
    r = client.post(item_url(items["approval"]), {**form(person, m_1_how="file"), "m_1": fake})
    assert r.status_code == 400
    assert "文件内容与扩展名不符" in r.content.decode()
    assert not Case.objects.exists() and not CaseMaterial.objects.exists()


def test_a_double_submit_makes_one_case(client, clerk, ticket, items, person):
    data = form(person)
    first = client.post(item_url(items["approval"]), data)
    second = client.post(item_url(items["approval"]), data)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Case.objects.count() == 1
    assert TicketCase.objects.filter(ticket=ticket).count() == 1


# --- the applicant -------------------------------------------------------------------------------------


def test_an_unknown_applicant_is_registered_on_the_spot_and_the_form_prefilled(client, clerk, ticket, items):
    number = make_resident_id("37130219900202123")
    r = client.post(
        item_url(items["approval"]),
        {
            "key": uuid.uuid4().hex,
            "action": "identify",
            "resident_id": number,
            "name": "李雷",
            "phone": "13900000009",
        },
    )
    page = r.content.decode()
    assert r.status_code == 200
    registered = Person.objects.get(resident_id=number)
    assert registered.name == "李雷" and registered.phone == "13900000009"
    assert 'value="李雷"' in page and "已核验：李雷" in page and "收取申请材料" in page


def test_an_unknown_applicant_without_a_name_is_asked_for_it(client, clerk, ticket, items):
    number = make_resident_id("37130219900202124")
    r = client.post(
        item_url(items["approval"]), {"key": uuid.uuid4().hex, "action": "identify", "resident_id": number}
    )
    assert r.status_code == 400 and "请填写姓名以现场登记" in r.content.decode()
    assert not Person.objects.filter(resident_id=number).exists()


def test_a_wrong_check_digit_is_refused(client, clerk, ticket, items, person):
    wrong = person.resident_id[:17] + ("0" if person.resident_id[17] != "0" else "1")
    r = client.post(item_url(items["approval"]), form(person, resident_id=wrong))
    assert r.status_code == 400 and "校验位不正确" in r.content.decode()
    assert not Case.objects.exists()


def test_an_enterprise_item_takes_the_credit_code_of_a_registered_unit(
    client, clerk, ticket, published_implementation, person
):
    code = make_uscc("9", "2", "371302", make_org_code("55667788"))
    org = registry.organization_register(
        actor="测试", name="临沂某餐饮店", credit_code=code, legal_representative="王芳"
    )
    impl, _ = published_implementation
    data = {
        **form(person),
        "credit_code": code,
        "s_agent": "no",
        "m_0_how": "paper",
        "m_1_how": "shared",
        "f_address": "兰山区通达路2号",
        "f_category": "热食类",
    }
    r = client.post(item_url(impl), data)
    assert r.status_code == 302, r.content.decode()[:3000]
    case = Case.objects.get()
    assert case.organization_id == org.pk
    assert case.form_data["org_name"] == "临沂某餐饮店" and case.form_data["credit_code"] == code


def test_an_unregistered_credit_code_is_refused(client, clerk, ticket, published_implementation, person):
    impl, _ = published_implementation
    code = make_uscc("9", "2", "371302", make_org_code("11223344"))
    r = client.post(item_url(impl), {**form(person), "credit_code": code})
    assert r.status_code == 400 and "基础信息库中没有该统一社会信用代码的单位" in r.content.decode()


# --- 全市通办 ---------------------------------------------------------------------------------------------


def test_an_item_of_another_county_is_accepted_under_city_wide_service(client, clerk, ticket, items, person):
    impl = items["yinan_city_wide"]
    page = client.get(item_url(impl)).content.decode()
    assert "全市通办" in page and "沂南县行政审批服务局" in page
    r = client.post(item_url(impl), form(person))
    assert r.status_code == 302
    case = Case.objects.get()
    assert case.region_id == impl.region_id and case.department_id == impl.department_id
    assert case.status == "accepted"
    # the clerk of 兰山区 prints the notice of a 沂南县 case: it was made for the hall's ticket
    done = client.get(reverse("hall:accept_done", args=[case.number]))
    assert done.status_code == 200 and case.number in done.content.decode()


def test_an_item_of_another_county_without_city_wide_scope_is_refused_with_the_reason(
    client, clerk, ticket, items, person
):
    impl = items["yinan_county"]
    r = client.get(item_url(impl))
    assert r.status_code == 403
    page = r.content.decode()
    assert "全县通办" in page and "沂南县" in page and "不能全市通办" in page
    assert client.post(item_url(impl), form(person)).status_code == 403
    assert not Case.objects.exists()


def test_the_search_shows_region_department_and_which_items_may_be_accepted(client, clerk, ticket, items):
    page = client.get(reverse("hall:accept"), {"q": "再生育审批"}).content.decode()
    assert "沂南县" in page and "沂南县行政审批服务局" in page and "全市通办" in page
    assert reverse("hall:accept_item", args=[items["yinan_city_wide"].pk]) in page
    page = client.get(reverse("hall:accept"), {"q": "农机登记"}).content.decode()
    assert "不可通办" in page
    assert reverse("hall:accept_item", args=[items["yinan_county"].pk]) not in page


# --- who may accept --------------------------------------------------------------------------------------


def test_without_a_ticket_being_served_the_clerk_is_sent_back_to_the_desk(client, clerk, items):
    r = client.get(reverse("hall:accept"))
    page = r.content.decode()
    assert r.status_code == 409 and "没有正在办理的号码" in page and 'href="/hall/desk/"' in page


def test_a_clerk_without_a_window_cannot_accept(client, make_staff, hall):
    user = make_staff("window_clerk", region="lanshan", hall=hall["hall"])
    client.login(username=user.username, password=PASSWORD)
    r = client.get(reverse("hall:accept"))
    assert r.status_code == 409 and "未分配窗口" in r.content.decode()


def test_a_finished_ticket_takes_no_more_cases(client, clerk, ticket, items, person, hall):
    data = form(person)
    client.get(reverse("hall:accept"))
    hall_services.ticket_finish(window_id=hall["windows"][1].pk, staff_id=clerk.staff.pk)
    r = client.post(item_url(items["approval"]), data)
    assert r.status_code == 409 and not Case.objects.exists()


def test_only_staff_with_the_desk_permission_open_the_acceptance(client, make_staff, hall):
    manager = make_staff("hall_manager", region="lanshan", hall=hall["hall"])
    client.login(username=manager.username, password=PASSWORD)
    assert client.get(reverse("hall:accept")).status_code == 403
