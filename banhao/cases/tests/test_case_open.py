"""The one door into cases: case_open for every channel, case_act's rules, case groups, and
POST /api/v1/cases/ (idempotent by its Idempotency-Key header, errors in Chinese by field)."""

from __future__ import annotations

import base64
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from banhao.cases import api, commands
from banhao.cases.models import Case, CaseEvent, CaseGroup, Status
from banhao.core.identifiers import make_org_code, make_uscc
from banhao.registry.services import applicant_account_open
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

API = "/api/v1/cases/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
USCC = make_uscc("9", "2", "371302", make_org_code("MA3C0001"))
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def people(make_person):
    li = make_person("371302", name="李雷", phone="13900000001")
    han = make_person("371302", name="韩梅梅", phone="13900000002")
    return {
        "li": li,
        "han": han,
        "li_user": applicant_account_open(actor="测试", person=li, password=PASSWORD).user,
    }


@pytest.fixture
def staff(published_implementation, make_staff):
    impl, _ = published_implementation
    return {
        "clerk": make_staff("window_clerk", region="lanshan"),
        "far_clerk": make_staff("window_clerk", region="yinan"),
        "reviewer": make_staff("reviewer", region="lanshan", department=impl.department),
        "head": make_staff("department_head", region="lanshan", department=impl.department),
        "helper": make_staff("helper", region="lanshan"),
    }


def _body(impl, **over):
    body = {
        "implementation_id": impl.pk,
        "contact_phone": "13900000001",
        "situations": {"agent": False},
        "form_data": {
            "org_name": "李雷小吃店",
            "credit_code": USCC,
            "address": "临沂市兰山区金雀山路1号",
            "category": "热食类",
        },
        "materials": [
            {
                "name": "食品经营许可申请书",
                "how": "file",
                "file": {"filename": "申请书.pdf", "content_base64": base64.b64encode(PDF).decode()},
            },
            {"name": "营业执照", "how": "shared"},
        ],
    }
    body.update(over)
    return body


def _post(client, body, key="key-1"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(API, json.dumps(body), content_type="application/json", **headers)


def _trail(case_id):
    return [
        (e.action, e.from_status, e.to_status)
        for e in CaseEvent.objects.filter(case_id=case_id).order_by("id")
    ]


# --- the API ------------------------------------------------------------------------------------


def test_post_creates_a_case_and_the_same_key_returns_the_same_case(client, published_implementation, people):
    impl, _ = published_implementation
    assert client.login(username=people["li_user"].username, password=PASSWORD)
    first = _post(client, _body(impl))
    assert first.status_code == 201, first.json()
    data = first.json()
    assert data["status"] == "submitted" and data["channel"] == "api"
    case = Case.objects.get(number=data["number"])
    assert case.applicant_user == people["li_user"] and case.person == people["li"]
    assert case.form_data["org_name"] == "李雷小吃店"
    assert sorted(m.name for m in case.materials.all()) == ["营业执照", "食品经营许可申请书"]
    assert case.materials.get(name="食品经营许可申请书").file.read() == PDF
    again = _post(client, _body(impl, form_data={"org_name": "另一个名字"}))
    assert again.status_code == 200 and again.json()["number"] == data["number"]
    assert Case.objects.count() == 1
    other = _post(client, _body(impl), key="key-2")
    assert other.status_code == 201 and other.json()["number"] != data["number"]
    assert _trail(case.pk) == [("submit", "", "")]


def test_post_without_an_idempotency_key_is_refused_in_chinese(client, published_implementation, people):
    impl, _ = published_implementation
    assert client.login(username=people["li_user"].username, password=PASSWORD)
    response = _post(client, _body(impl), key=None)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"] and "唯一标识" in response.json()["detail"]
    assert _post(client, _body(impl), key="有中文").status_code == 400
    assert _post(client, _body(impl), key="x" * 65).status_code == 400
    assert Case.objects.count() == 0


def test_post_names_each_wrong_field_and_changes_nothing(client, published_implementation, people):
    impl, _ = published_implementation
    assert client.login(username=people["li_user"].username, password=PASSWORD)
    body = _body(
        impl,
        contact_phone="12345",
        situations={"agent": "maybe"},
        form_data={"org_name": "", "category": "火锅", "colour": "红"},
        materials=[
            {
                "name": "食品经营许可申请书",
                "how": "file",
                "file": {"filename": "a.pdf", "content_base64": base64.b64encode(EXE).decode()},
            },
            {"name": "不存在的材料", "how": "shared"},
        ],
    )
    response = _post(client, body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "form_data.colour" in errors and "本事项的申请表没有字段" in errors["form_data.colour"][0]
    assert errors["situations.agent"] == ["情形的回答应为 true 或 false。"]
    assert "materials.不存在的材料" in errors
    assert "materials.食品经营许可申请书" in errors
    assert Case.objects.count() == 0
    ok_but_bad_fields = _post(
        client, _body(impl, contact_phone="12345", form_data={"org_name": "", "category": "火锅"})
    )
    errors = ok_but_bad_fields.json()["errors"]
    assert (
        errors["contact_phone"]
        and errors["form_data.org_name"]
        and "请从给定选项中选择" in errors["form_data.category"][0]
    )
    missing = _post(client, _body(impl, materials=[{"name": "营业执照", "how": "shared"}]))
    assert missing.status_code == 400 and "materials.食品经营许可申请书" in missing.json()["errors"]
    assert _post(client, {**_body(impl), "implementation_id": "x"}).json()["errors"]["implementation_id"]
    assert _post(client, {**_body(impl), "implementation_id": 10**20}).status_code == 400
    assert Case.objects.count() == 0


def test_an_applicant_may_only_submit_and_only_for_themselves(client, published_implementation, people):
    impl, _ = published_implementation
    assert client.login(username=people["li_user"].username, password=PASSWORD)
    accept = _post(client, _body(impl, outcome="accept"))
    assert accept.status_code == 403 and "申请人只能提交申请" in accept.json()["detail"]
    for_her = _post(client, _body(impl, applicant={"resident_id": people["han"].resident_id}), key="k2")
    assert for_her.status_code == 400 and "applicant" in for_her.json()["errors"]
    assert Case.objects.count() == 0


def test_staff_open_and_accept_for_a_registered_person_within_their_scope(
    client, published_implementation, people, staff
):
    impl, _ = published_implementation
    assert client.login(username=staff["clerk"].username, password=PASSWORD)
    body = _body(impl, applicant={"resident_id": people["han"].resident_id}, outcome="accept")
    body["materials"] = [
        {"name": "食品经营许可申请书", "how": "paper"},
        {"name": "营业执照", "how": "shared"},
    ]
    response = _post(client, body)
    assert response.status_code == 201, response.json()
    case = Case.objects.get(number=response.json()["number"])
    assert case.status == Status.ACCEPTED and case.person == people["han"] and case.applicant_user is None
    assert case.opened_by == staff["clerk"] and case.step_index == 1
    client.logout()
    assert client.login(username=staff["far_clerk"].username, password=PASSWORD)
    assert _post(client, body, key="far").status_code == 403  # 沂南县's clerk, a 兰山区 item, no hall
    client.logout()
    assert client.login(username=staff["helper"].username, password=PASSWORD)
    assert _post(client, body, key="helper").status_code == 403  # no 受理 permission
    assert Case.objects.count() == 1


def test_the_api_create_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    post = schema["paths"]["/api/v1/cases/"]["post"]
    assert post["operationId"] == "cases_create"
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in post["parameters"])


# --- every channel, one door ---------------------------------------------------------------------


def test_a_case_opened_online_at_a_window_and_through_the_api_leaves_the_same_trail(
    client, published_implementation, people, staff, hall
):
    impl, _ = published_implementation
    clerk = staff["clerk"]
    materials = [{"name": "食品经营许可申请书", "how": "paper"}, {"name": "营业执照", "how": "shared"}]
    common = dict(
        implementation_id=impl.pk,
        applicant=api.Applicant(person_id=people["han"].pk, contact_phone="13900000002"),
        form_data={"org_name": "韩梅梅小吃店"},
        situations={"agent": False},
    )
    online = api.case_open(
        channel="online",
        actor=people["li_user"],
        idempotency_key="o1",
        materials=[{"name": "食品经营许可申请书", "how": "shared"}, {"name": "营业执照", "how": "shared"}],
        **{**common, "applicant": api.Applicant(person_id=people["li"].pk, contact_phone="13900000001")},
    )
    api.case_act(online.id, "accept", clerk)
    window = api.case_open(
        channel="window",
        actor=clerk,
        idempotency_key="w1",
        materials=materials,
        outcome="accept",
        hall_region_id=hall["hall"].region_id,
        **common,
    )
    assert client.login(username=clerk.username, password=PASSWORD)
    body = _body(
        impl, applicant={"resident_id": people["han"].resident_id}, outcome="accept", materials=materials
    )
    via_api = Case.objects.get(number=_post(client, body, key="a1").json()["number"])
    expected = [("submit", "", ""), ("accept", "submitted", "accepted")]
    assert _trail(online.id) == _trail(window.id) == _trail(via_api.pk) == expected
    assert [Case.objects.get(pk=i).channel for i in (online.id, window.id, via_api.pk)] == [
        "online",
        "window",
        "api",
    ]
    for case_id in (online.id, window.id, via_api.pk):
        case = Case.objects.get(pk=case_id)
        assert case.status == Status.ACCEPTED and case.step_index == 1 and case.promised_due is not None


def test_the_same_key_from_two_openers_makes_two_cases_but_from_one_makes_one(
    published_implementation, people, staff
):
    impl, _ = published_implementation
    kwargs = dict(
        channel="window",
        implementation_id=impl.pk,
        applicant=api.Applicant(person_id=people["han"].pk, contact_phone="13900000002"),
        form_data={"org_name": "店"},
        situations={"agent": False},
        materials=[{"name": "食品经营许可申请书", "how": "paper"}, {"name": "营业执照", "how": "shared"}],
        idempotency_key="same",
    )
    a = api.case_open(actor=staff["clerk"], **kwargs)
    b = api.case_open(actor=staff["clerk"], **kwargs)
    c = api.case_open(actor=staff["reviewer"], **kwargs)
    assert a.created and not b.created and a.id == b.id
    assert c.created and c.id != a.id


def test_case_open_refuses_an_anonymous_actor_and_a_missing_key(published_implementation, people):
    from django.contrib.auth.models import AnonymousUser

    impl, _ = published_implementation
    kwargs = dict(
        channel="online",
        implementation_id=impl.pk,
        applicant=api.Applicant(person_id=people["li"].pk),
        form_data={},
    )
    with pytest.raises(PermissionDenied):
        api.case_open(actor=AnonymousUser(), idempotency_key="k", **kwargs)
    with pytest.raises(ValidationError, match="提交标识"):
        api.case_open(actor=people["li_user"], idempotency_key="", **kwargs)
    with pytest.raises(PermissionDenied, match="本人"):
        api.case_open(
            actor=people["li_user"],
            idempotency_key="k",
            **{**kwargs, "applicant": api.Applicant(person_id=people["han"].pk)},
        )
    assert Case.objects.count() == 0


# --- the process steps follow their roles ----------------------------------------------------------


def _accepted(impl, people, staff, key="s"):
    info = api.case_open(
        channel="window",
        actor=staff["clerk"],
        implementation_id=impl.pk,
        applicant=api.Applicant(person_id=people["han"].pk, contact_phone="13900000002"),
        form_data={"org_name": "店"},
        situations={"agent": False},
        materials=[{"name": "食品经营许可申请书", "how": "paper"}, {"name": "营业执照", "how": "shared"}],
        outcome="accept",
        idempotency_key=key,
    )
    return info


def test_each_step_is_done_only_by_its_role_and_the_head_signs_after_the_review(
    published_implementation, people, staff
):
    impl, _ = published_implementation  # steps: 受理 (window) → 审查 (reviewer) → 决定 (head)
    case = _accepted(impl, people, staff)
    assert case.current_step == "审查"
    api.case_act(case.id, "claim", staff["reviewer"])
    with pytest.raises(PermissionDenied, match="审查"):  # the head may not complete the reviewer's step
        api.case_act(case.id, "opinion", staff["head"], opinion="同意", complete_step=True)
    with pytest.raises(ValidationError, match="请先完成“审查”环节"):
        api.case_act(case.id, "decide", staff["head"], decision="approve", reason="")
    info = api.case_act(case.id, "opinion", staff["reviewer"], opinion="材料齐全", complete_step=True)
    assert info.current_step == "决定"
    with pytest.raises(ValidationError, match="作出决定"):  # the head's step is completed by deciding
        api.case_act(case.id, "opinion", staff["head"], opinion="同意", complete_step=True)
    with pytest.raises(PermissionDenied, match="部门负责人签批"):
        api.case_act(case.id, "decide", staff["reviewer"], decision="approve", reason="")
    assert api.case_act(case.id, "decide", staff["head"], decision="approve", reason="").status == "approved"


def test_a_reviewer_decides_an_item_whose_process_has_no_head_step(catalog_city, people, staff):
    import datetime as dt

    from banhao.catalog import services as catalog
    from conftest import sample_content

    content = sample_content(
        basic_code="371301002302",
        name="企业设立登记",
        sub_item_name="企业设立登记",
        steps=[
            {"name": "受理", "role": "窗口受理人员", "share": 20},
            {"name": "审核", "role": "登记审核人员", "share": 50},
            {"name": "核准", "role": "登记审核人员", "share": 30},
        ],
    )
    version, _ = catalog.standard_save(actor="测试", data=content)
    catalog.version_publish(actor="测试", version=version, effective_from=dt.date(2026, 1, 1))
    impl, _ = catalog.implementation_save(
        actor="测试", standard=version.item, region_code="371302", department="兰山区行政审批服务局"
    )
    catalog.implementation_publish(actor="测试", implementation=impl)
    staff["reviewer"].staff.department_id = impl.department_id
    staff["reviewer"].staff.save()
    case = _accepted(impl, people, staff, key="reg")
    api.case_act(case.id, "claim", staff["reviewer"])
    with pytest.raises(ValidationError, match="请先完成“审核”环节"):
        api.case_act(case.id, "decide", staff["reviewer"], decision="approve", reason="")
    api.case_act(case.id, "opinion", staff["reviewer"], opinion="符合条件", complete_step=True)
    assert (
        api.case_act(case.id, "decide", staff["reviewer"], decision="approve", reason="").status == "approved"
    )


def test_case_act_hides_a_case_outside_the_scope_and_refuses_a_role_without_the_permission(
    published_implementation, people, staff
):
    impl, _ = published_implementation
    case = _accepted(impl, people, staff)
    with pytest.raises(commands.CaseNotFound):
        api.case_act(case.id, "claim", staff["far_clerk"])
    with pytest.raises(PermissionDenied, match="无权"):
        api.case_act(case.id, "claim", staff["clerk"])
    with pytest.raises(ValidationError, match="未知的操作"):
        api.case_act(case.id, "fly", staff["reviewer"])
    with pytest.raises(ValidationError, match="不能“送达”"):
        api.case_act(case.id, "deliver", staff["clerk"], method="pickup")
    assert Case.objects.get(pk=case.id).status == Status.ACCEPTED


# --- groups ----------------------------------------------------------------------------------------


def test_a_group_numbers_itself_derives_its_status_and_delivers_once(published_implementation, people, staff):
    impl, _ = published_implementation
    group = api.case_group_open(actor=staff["clerk"], region_code="371302", title="一次到访")
    assert group.status == "empty" and "-G0001" in group.number
    cases = [
        api.case_open(
            channel="window",
            actor=staff["clerk"],
            implementation_id=impl.pk,
            applicant=api.Applicant(person_id=people["han"].pk, contact_phone="13900000002"),
            form_data={"org_name": "店"},
            situations={"agent": False},
            materials=[{"name": "食品经营许可申请书", "how": "paper"}, {"name": "营业执照", "how": "shared"}],
            outcome="accept",
            idempotency_key=f"g{i}",
            group=group.id,
        )
        for i in range(2)
    ]
    assert api.case_group_info(group.id).status == "open"
    with pytest.raises(ValidationError, match="没有待领取"):
        api.case_group_deliver(group_id=group.id, actor=staff["clerk"], method="pickup")
    for c in cases:
        api.case_act(c.id, "claim", staff["reviewer"])
        api.case_act(c.id, "opinion", staff["reviewer"], opinion="同意", complete_step=True)
        api.case_act(c.id, "decide", staff["head"], decision="approve", reason="")
    api.case_act(cases[0].id, "result_ready", staff["clerk"])
    assert api.case_group_info(group.id).status == "partly_ready"
    api.case_act(cases[1].id, "result_ready", staff["clerk"])
    assert api.case_group_info(group.id).status == "ready"
    done = api.case_group_deliver(group_id=group.id, actor=staff["clerk"], method="pickup")
    assert done.status == "closed"
    assert set(Case.objects.filter(group_id=group.id).values_list("status", flat=True)) == {Status.CONCLUDED}
    assert CaseGroup.objects.count() == 1


def test_events_after_a_cursor_give_each_fact_once_in_order(published_implementation, people, staff):
    impl, _ = published_implementation
    case = _accepted(impl, people, staff)
    facts = api.case_events_after(0)
    assert [f.action for f in facts] == ["submit", "accept"]
    assert facts[0].case_number == Case.objects.get(pk=case.id).number and facts[0].channel == "window"
    assert api.case_events_after(facts[-1].id) == []
    api.case_act(case.id, "claim", staff["reviewer"])
    assert [f.action for f in api.case_events_after(facts[-1].id)] == ["start_review"]
