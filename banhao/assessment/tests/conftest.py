"""Fixtures of the assessment suite."""

import pytest


@pytest.fixture
def applicant(make_person):
    from banhao.registry import services

    person = make_person("371302", name="赵敏", phone="13700000007")
    user = services.applicant_account_open(actor="测试", person=person, password="Pass@12345").user
    return {"person": person, "user": user}
