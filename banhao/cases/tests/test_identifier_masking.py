"""Identifiers on case pages and in the API are masked (issue 10, fix 4): the form's ID and phone
answers, the contact phone, and IDs or mobiles typed into opinions, notes and reasons. The full
resident ID is shown only through the explicit, audited 查看完整证件号码."""

import json

import pytest
from django.contrib.auth import get_user_model

from banhao.cases import services
from banhao.cases.models import Case, CaseEvent
from banhao.core.identifiers import make_resident_id
from banhao.core.models import AuditEvent
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

AGENT_ID = make_resident_id("37130219900101003")
OTHER_PHONE = "13912345678"
NOTE = f"经办人身份证{AGENT_ID}，电话{OTHER_PHONE}，已电话核实。"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.fixture
def case(make_case):
    case = make_case()
    Case.objects.filter(pk=case.pk).update(
        form_data={"org_name": "临沂某餐饮店", "agent_id": AGENT_ID, "联系人": f"李四 {OTHER_PHONE}"}
    )
    CaseEvent.objects.filter(case=case).update(note=NOTE)
    case.refresh_from_db()
    return case


@pytest.fixture
def clerk(make_staff):
    return make_staff("window_clerk", region="lanshan")


def _leaks(body: str, case: Case) -> list[str]:
    return [v for v in (case.person.resident_id, AGENT_ID, OTHER_PHONE, case.contact_phone) if v in body]


def test_the_office_case_page_masks_form_ids_phones_and_notes(client, case, clerk):
    login(client, clerk)
    body = client.get(f"/office/cases/{case.number}/").content.decode()
    assert _leaks(body, case) == []
    assert AGENT_ID[:4] + "*" * 10 + AGENT_ID[-4:] in body  # the resident_id field, masked whole
    assert "李四 139****5678" in body  # a mobile inside a free-text answer
    assert "138****0001" in body  # the contact phone
    assert "电话139****5678，已电话核实" in body  # the note on the timeline
    assert "临沂某餐饮店" in body  # other answers are untouched


def test_the_api_case_detail_and_events_mask_identifiers(client, case, clerk):
    login(client, clerk)
    detail = client.get(f"/api/v1/cases/{case.number}/")
    events = client.get(f"/api/v1/cases/{case.number}/events/")
    assert detail.status_code == 200 and events.status_code == 200
    data = detail.json()
    assert data["contact_phone"] == "138****0001"
    form = {row["label"]: row["value"] for row in data["form"]}
    assert form["经办人身份证号"] == AGENT_ID[:4] + "*" * 10 + AGENT_ID[-4:]
    assert form["联系人"] == "李四 139****5678"
    assert NOTE not in json.dumps(events.json(), ensure_ascii=False)
    assert "139****5678" in events.json()[0]["note"]
    assert _leaks(detail.content.decode() + events.content.decode(), case) == []


def test_reasons_typed_with_an_id_are_masked_on_the_applicants_page_and_the_office_page(
    client, make_case, clerk
):
    applicant = get_user_model().objects.create_user(
        username="13800000001", password=PASSWORD, kind="applicant", display_name="王芳"
    )
    case = services.case_refuse(
        actor="测试",
        case=make_case(user=applicant),
        reason=f"申请人冒用{AGENT_ID}",
        competent_office="市监局",
    )
    masked = AGENT_ID[:4] + "*" * 10 + AGENT_ID[-4:]
    login(client, applicant)
    mine = client.get(f"/cases/{case.number}/").content.decode()
    assert AGENT_ID not in mine and masked in mine
    login(client, clerk)
    office = client.get(f"/office/cases/{case.number}/").content.decode()
    assert AGENT_ID not in office and masked in office
    api = client.get(f"/api/v1/cases/{case.number}/").json()
    assert api["refusal_reason"] == f"申请人冒用{masked}"


def test_staff_see_the_full_id_once_through_the_audited_show_action(client, case, clerk):
    login(client, clerk)
    url = f"/office/cases/{case.number}/identifier/"
    assert client.get(url).status_code == 405  # never by a link or a prefetch
    assert 'action="' + url + '"' in client.get(f"/office/cases/{case.number}/").content.decode()
    response = client.post(url, {"reason": "核对纸质档案"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert case.person.resident_id in response.content.decode()
    event = AuditEvent.objects.get(action="cases.reveal_identifier")
    assert event.actor == clerk and event.object_id == str(case.pk) and event.reason == "核对纸质档案"
    assert case.person.resident_id not in json.dumps(event.after)  # the trail never holds the number
    # the next view of the page is masked again
    assert case.person.resident_id not in client.get(f"/office/cases/{case.number}/").content.decode()


def test_the_show_action_is_refused_outside_the_role_and_the_scope(client, case, make_staff, make_department):
    login(client, make_staff("catalog_officer", region="lanshan"))
    url = f"/office/cases/{case.number}/identifier/"
    assert client.post(url).status_code == 403
    other = make_department("兰山区市场监督管理局", region="lanshan")
    login(client, make_staff("reviewer", region="lanshan", department=other))
    response = client.post(url)
    assert response.status_code == 404 and case.person.resident_id not in response.content.decode()
    assert not AuditEvent.objects.filter(action="cases.reveal_identifier").exists()
