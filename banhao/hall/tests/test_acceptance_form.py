"""The hall's acceptance form: what the clerk chose per material, checked for the outcome, and
the case opened through cases.api case_open (one case per form key)."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from banhao.cases import api
from banhao.cases.models import Case, CaseEvent
from banhao.core.identifiers import make_org_code, make_uscc
from banhao.hall import acceptance_form as af
from banhao.registry.api import ApplicantIdentity, person_by_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(make_staff):
    return make_staff("window_clerk", region="lanshan")


def _submit(impl, person, clerk, *, outcome="accept", key=None, post=None):
    item = api.window_item(impl.pk, hall_region_id=impl.region_id)
    identity = ApplicantIdentity(person=person_by_id(person.pk), organization=None)
    data = af.window_new_data()
    fields = {
        "s_agent": "no",
        "m_0_how": "paper",
        "m_1_how": "shared",
        "f_org_name": "临沂某餐饮店",
        "f_address": "兰山区通达路2号",
        "f_category": "热食类",
        "f_credit_code": make_uscc("9", "2", "371302", make_org_code("55667788")),
        "contact_phone": "13800000001",
        "outcome": outcome,
        **(post or {}),
    }
    request = RequestFactory().post("/", fields)
    assert af.window_merge(data, request.POST, {}, item.content, staff_id=clerk.staff.pk) == {}
    result = af.window_validate(item.content, data, identity, request.POST)
    return result, lambda: af.acceptance_case_open(
        actor=clerk,
        implementation_id=impl.pk,
        hall_region_id=impl.region_id,
        person_id=person.pk,
        organization_id=None,
        result=result,
        idempotency_key=key or uuid.uuid4().hex,
    )


def test_the_same_key_returns_the_case_already_made(published_implementation, make_person, clerk):
    impl, _ = published_implementation
    person = make_person("371302", name="王芳", phone="13800000001")
    key = uuid.uuid4().hex
    result, submit = _submit(impl, person, clerk, key=key)
    assert result.ok, result.errors
    first = submit()
    second = submit()
    assert first.created and not second.created and first.id == second.id
    assert Case.objects.count() == 1
    case = Case.objects.get()
    assert case.channel == "window" and case.status == "accepted" and case.idempotency_key == key
    assert CaseEvent.objects.filter(case=case, action="accept").count() == 1


def test_accepting_needs_every_required_material(published_implementation, make_person, clerk):
    impl, _ = published_implementation
    person = make_person("371302", name="王芳")
    result, submit = _submit(impl, person, clerk, post={"m_0_how": "missing"})
    assert "m_0" in result.errors and not result.ok
    with pytest.raises(ValidationError):
        submit()
    assert not Case.objects.exists()


def test_correction_counts_a_required_material_left_unchosen_as_missing(
    published_implementation, make_person, clerk
):
    impl, _ = published_implementation
    person = make_person("371302", name="王芳")
    result, submit = _submit(impl, person, clerk, outcome="correction", post={"m_0_how": ""})
    assert result.ok, result.errors
    assert result.correction_items == [
        {"material": "食品经营许可申请书", "reason": "未提交该材料，请补充提交。"}
    ]
    case_info = submit()
    assert case_info.status == "correction" and case_info.notice_kind == "correction"
