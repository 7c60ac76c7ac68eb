"""Fixtures of the evaluation suite: a delivered case of an applicant with a login."""

import pytest


@pytest.fixture
def applicant(make_person):
    from banhao.registry import services

    person = make_person("371302", name="赵敏", phone="13700000007")
    user = services.applicant_account_open(actor="测试", person=person, password="Pass@12345").user
    return {"person": person, "user": user}


@pytest.fixture
def rated_case(published_implementation, applicant):
    """rated_case(**traits): a case of the applicant (default: delivered), brought there through
    the real services; traits as CaseFactory's."""
    from banhao.cases import services
    from banhao.cases.tests.factories import advance

    impl, version = published_implementation

    def make(key="", **traits):
        case, _ = services.case_create(
            actor=applicant["user"],
            implementation=impl,
            version=version,
            region_id=impl.region_id,
            region_code="371302",
            department_id=impl.department_id,
            person_id=applicant["person"].pk,
            contact_phone="13700000007",
            form_data={"org_name": "临沂某餐饮店"},
            idempotency_key=key,
            applicant_user=applicant["user"],
        )
        return advance(case, **(traits or {"delivered": True}))

    return make
