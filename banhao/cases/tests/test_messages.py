"""Cases own the wording of what they tell the applicant (cases/messages.py); the facade reads
a step's facts without importing any views module."""

from __future__ import annotations

import ast
import datetime as dt

import pytest

from banhao.cases import api, applicant_views, messages, services
from conftest import parse_source

pytestmark = pytest.mark.django_db


def test_the_next_step_lives_in_messages_and_the_applicant_pages_use_that_one():
    assert applicant_views.next_step_for_applicant is messages.next_step_for_applicant


def test_the_cases_api_imports_no_views_module():
    tree = parse_source(api.__file__)
    names = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)] + [
        a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names
    ]
    assert names and not [n for n in names if "views" in n]


def test_the_facts_of_a_step_tell_the_next_step_only_while_it_is_the_latest(make_case):
    case = make_case()
    submit = case.events.get(action="submit")
    case = services.case_accept(actor="测试", case=case, on=dt.date(2026, 2, 13))
    accept = case.events.get(action="accept")
    facts = api.case_event_info(accept.pk)
    assert facts.action == "accept" and facts.case_number == case.number
    assert facts.promised_due_cn == "2026年2月27日" and "承诺于2026年2月27日前办结" in facts.next_step
    assert api.case_event_info(submit.pk).next_step == ""
    assert api.case_event_info(10**9) is None


def test_each_sms_step_has_its_wording_and_internal_steps_none(make_case):
    case = make_case()
    event = case.events.get(action="submit")
    title, text, by_sms = messages.step_text(case, event)
    assert title == "申请已提交" and by_sms
    assert text == f"您申请的食品经营许可（新办）（办件编号{case.number}）已提交成功，请等待受理。"
    event.action = "claim"
    assert messages.step_text(case, event) is None
