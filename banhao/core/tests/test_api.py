"""The calendar API answers with the calendar's own functions and refuses bad input in Chinese."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_deadline_endpoint_counts_across_the_spring_festival(client):
    response = client.get("/api/v1/calendar/deadline/", {"start": "2026-02-13", "days": 2})
    assert response.status_code == 200
    assert response.json() == {
        "start": "2026-02-13",
        "days": 2,
        "due": "2026-02-24",
        "start_is_workday": True,
        "estimated": False,
    }


def test_a_deadline_in_a_year_not_yet_entered_is_marked_estimated(client):
    body = client.get("/api/v1/calendar/deadline/", {"start": "2026-12-28", "days": 10}).json()
    assert body["due"] == "2027-01-11"
    assert body["estimated"] is True


def test_bad_input_gets_a_400_with_chinese_messages(client):
    response = client.get("/api/v1/calendar/deadline/", {"start": "2026-02-30", "days": -1})
    assert response.status_code == 400
    body = response.json()
    assert body["start"] == ["日期格式应为 YYYY-MM-DD。"]
    assert body["days"] == ["工作日数不能为负数。"]


def test_the_openapi_schema_lists_the_endpoint(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/calendar/deadline/" in response.content


def test_the_openapi_schema_is_valid_and_generates_without_warnings(tmp_path):
    """Every endpoint's authentication is described (the session login as cookieAuth, API
    clients as bearer) and every enum has its own name: a new view that breaks either fails here."""
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text(encoding="utf-8")
    assert "cookieAuth" in text and "apiClientToken" in text
    assert "CaseChannelEnum" in text and "SpecialProcedureKindEnum" in text
