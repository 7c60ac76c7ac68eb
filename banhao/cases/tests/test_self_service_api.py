"""What the hall's 24-hour self-service area may do with cases (banhao.cases.api)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from banhao.cases import api
from banhao.core.audit import AuditEvent

IP = "10.1.2.3"


@pytest.fixture(autouse=True)
def _fresh_cache(db):  # the cache is the database's (or Redis)
    cache.clear()  # the lookup throttle lives there
    yield
    cache.clear()


def _message(excinfo) -> str:
    return excinfo.value.messages[0]


# --- 办件查询 --------------------------------------------------------------------------------------


def test_the_self_service_functions_are_part_of_the_cases_api():
    for name in ("case_lookup", "decision_check", "decision_pdf", "lookup_throttled", "LOOKUP_FAILED"):
        assert name in api.__all__ and hasattr(api, name)


def test_a_lookup_with_the_right_number_and_phone_gives_the_status_with_the_name_masked(
    make_case, CaseFactory
):
    case = CaseFactory(accepted=True, on=dt.date(2026, 2, 13))
    info = api.case_lookup(number=f" {case.number} ", phone="+86 138-0000-0001", ip=IP)
    assert info.number == case.number
    assert info.status == "accepted" and info.status_label == "已受理"
    assert info.department == "兰山区行政审批服务局"
    assert info.applicant_masked == "王*"
    assert info.accepted_on == dt.date(2026, 2, 13) and info.promised_due == dt.date(2026, 2, 27)
    assert info.last_event_at is not None


def test_a_wrong_phone_and_an_unknown_number_get_the_same_message_and_count_as_failures(make_case, settings):
    settings.BANHAO_LOOKUP_MAX_FAILURES_PER_HOUR = 2
    case = make_case()
    with pytest.raises(ValidationError) as wrong:
        api.case_lookup(number=case.number, phone="13900000000", ip=IP)
    with pytest.raises(ValidationError) as unknown:
        api.case_lookup(number="371302-20260101-99999", phone="13800000001", ip=IP)
    assert _message(wrong) == _message(unknown) == api.LOOKUP_FAILED
    assert api.lookup_throttled(IP)  # both were counted


def test_the_throttle_locks_an_address_after_the_configured_failures_and_not_others(make_case, settings):
    settings.BANHAO_LOOKUP_MAX_FAILURES_PER_HOUR = 3
    case = make_case()
    for _ in range(3):
        with pytest.raises(ValidationError):
            api.case_lookup(number=case.number, phone="13900000000", ip=IP)
    assert api.lookup_throttled(IP)
    with pytest.raises(ValidationError) as blocked:
        api.case_lookup(number=case.number, phone="13800000001", ip=IP)
    assert _message(blocked) == api.LOOKUP_THROTTLED
    assert api.case_lookup(number=case.number, phone="13800000001", ip="10.9.9.9").number == case.number


def test_the_throttle_is_the_one_of_the_web_lookup(client, make_case, settings):
    settings.BANHAO_LOOKUP_MAX_FAILURES_PER_HOUR = 2
    case = make_case()
    url = reverse("cases:lookup")
    for _ in range(2):
        client.post(url, {"number": case.number, "phone": "13900000000"})  # the test client is 127.0.0.1
    assert api.lookup_throttled("127.0.0.1")
    assert not api.lookup_throttled(IP)


# --- 打印决定书 ------------------------------------------------------------------------------------


def test_the_decision_is_available_with_the_case_number_and_the_applicants_id(make_case, CaseFactory):
    case = CaseFactory(approved=True, on=dt.date(2026, 2, 13))
    case_id = api.decision_check(number=case.number, resident_id=case.person.resident_id.lower(), ip=IP)
    assert case_id == case.pk
    assert AuditEvent.objects.filter(action="cases.self_service_decision", object_id=str(case.pk)).exists()
    doc = api.decision_pdf(case_id)
    assert doc.body.startswith(b"%PDF")
    assert doc.title == "准予行政许可决定书"
    assert doc.filename == f"准予行政许可决定书-{case.number}.pdf"


def test_a_denial_is_a_decision_too(make_case, CaseFactory):
    case = CaseFactory(denied=True, reason="经营场所不符合要求", on=dt.date(2026, 2, 13))
    assert api.decision_check(number=case.number, resident_id=case.person.resident_id, ip=IP) == case.pk
    assert api.decision_pdf(case.pk).title == "不予行政许可决定书"


def test_a_wrong_id_an_undecided_case_and_an_unknown_number_get_one_neutral_message(
    make_case, make_person, CaseFactory
):
    decided = CaseFactory(approved=True, on=dt.date(2026, 2, 13))
    undecided = CaseFactory(accepted=True, on=dt.date(2026, 2, 13))
    stranger = make_person(name="赵磊")
    attempts = [
        (decided.number, stranger.resident_id),
        (undecided.number, undecided.person.resident_id),
        ("371302-20260101-99999", decided.person.resident_id),
    ]
    for number, rid in attempts:
        with pytest.raises(ValidationError) as refused:
            api.decision_check(number=number, resident_id=rid, ip=IP)
        assert _message(refused) == api.DECISION_FAILED
    assert not AuditEvent.objects.filter(action="cases.self_service_decision").exists()


def test_wrong_decision_pairs_count_as_lookup_failures(make_case, make_person, settings, CaseFactory):
    settings.BANHAO_LOOKUP_MAX_FAILURES_PER_HOUR = 2
    case = CaseFactory(approved=True, on=dt.date(2026, 2, 13))
    stranger = make_person(name="赵磊")
    for _ in range(2):
        with pytest.raises(ValidationError):
            api.decision_check(number=case.number, resident_id=stranger.resident_id, ip=IP)
    with pytest.raises(ValidationError) as blocked:
        api.decision_check(number=case.number, resident_id=case.person.resident_id, ip=IP)
    assert _message(blocked) == api.LOOKUP_THROTTLED


def test_a_malformed_id_number_is_a_typo_and_not_counted(make_case, settings, CaseFactory):
    settings.BANHAO_LOOKUP_MAX_FAILURES_PER_HOUR = 1
    case = CaseFactory(approved=True, on=dt.date(2026, 2, 13))
    with pytest.raises(ValidationError) as typo:
        api.decision_check(number=case.number, resident_id="3713021980", ip=IP)
    assert _message(typo) == "身份证号码有误，请核对后重新输入。"
    assert not api.lookup_throttled(IP)


def test_no_pdf_is_made_for_a_case_without_a_decision(make_case, CaseFactory):
    case = CaseFactory(accepted=True, on=dt.date(2026, 2, 13))
    with pytest.raises(LookupError):
        api.decision_pdf(case.pk)
    with pytest.raises(LookupError):
        api.decision_pdf(999_999)
