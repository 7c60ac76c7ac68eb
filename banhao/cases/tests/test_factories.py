"""The test factory brings cases to each state through the real services, events and all."""

import pytest

from banhao.cases.models import Status, Warning

pytestmark = pytest.mark.django_db

TRAITS = [
    ({}, Status.SUBMITTED, ["submit"]),
    ({"accepted": True}, Status.ACCEPTED, ["submit", "accept"]),
    ({"under_review": True}, Status.UNDER_REVIEW, ["submit", "accept", "start_review"]),
    ({"reviewed": True}, Status.UNDER_REVIEW, ["submit", "accept", "start_review", "opinion"]),
    ({"approved": True}, Status.APPROVED, ["submit", "accept", "start_review", "opinion", "approve"]),
    ({"denied": True}, Status.DENIED, ["submit", "accept", "start_review", "opinion", "deny"]),
    (
        {"concluded": True},
        Status.CONCLUDED,
        ["submit", "accept", "start_review", "opinion", "approve", "result_ready", "deliver", "conclude"],
    ),
    ({"correction": True}, Status.CORRECTION, ["submit", "request_correction"]),
    ({"refused": True}, Status.REFUSED, ["submit", "refuse"]),
]


@pytest.mark.parametrize(("traits", "status", "actions"), TRAITS)
def test_each_trait_reaches_its_state_through_the_services(CaseFactory, traits, status, actions):
    case = CaseFactory(**traits)
    assert case.status == status
    assert list(case.events.order_by("id").values_list("action", flat=True)) == actions


def test_reviewed_stops_at_the_decision_step_and_overdue_turns_red_in_the_sweep(CaseFactory):
    from django.utils import timezone

    from banhao.cases import services

    assert CaseFactory(reviewed=True).step_index == 2  # 受理 → 审查 done → at 决定
    late = CaseFactory(overdue=True)
    assert late.promised_due < timezone.localdate()
    services.warning_sweep()
    late.refresh_from_db()
    assert late.warning == Warning.RED
