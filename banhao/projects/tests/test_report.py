"""Working days per stage on the State Council calendar (across the 2026 Spring Festival, hand-made
StageRun dates) and the projects_report command."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from banhao.core.calendar import workdays_between
from banhao.projects import services
from banhao.projects.models import StageRun

D = dt.date


def _runs(project):
    return list(StageRun.objects.filter(project=project).order_by("stage__order"))


def _set(run, opened, done=None):
    return services.stage_run_record(actor="测试", run=run, opened_on=opened, done_on=done)


def test_a_stage_across_the_spring_festival_counts_working_days_only(register):
    p = register()
    s1, s2, *_ = _runs(p)
    # 2026: 2月15日至23日放假，2月14日（周六）、2月28日（周六）上班.
    _set(s1, D(2026, 2, 6), D(2026, 3, 6))
    assert workdays_between(D(2026, 2, 6), D(2026, 3, 6)) == 16  # 28 calendar days, 20 weekdays
    days = services.stage_days(p, today=D(2026, 3, 20))
    assert [d.used_days for d in days] == [16, None, None, None]
    assert days[0].limit_days == 10 and days[0].within is False
    _set(s2, D(2026, 3, 6))
    days = services.stage_days(p, today=D(2026, 3, 13))
    assert days[1].status == "open" and days[1].used_days == 5 and days[1].within is True


def test_the_report_across_the_spring_festival(register):
    p = register()
    s1, s2, s3, s4 = _runs(p)
    _set(s1, D(2026, 1, 26), D(2026, 2, 6))  # 9 working days (limit 10)
    _set(s2, D(2026, 2, 6), D(2026, 3, 2))  # 2/9-13, 2/14, 2/24-27, 2/28, 3/2: 12 (limit 15)
    _set(s3, D(2026, 3, 2), D(2026, 3, 16))  # 10 (limit 10)
    _set(s4, D(2026, 3, 16), D(2026, 3, 27))  # 9 (limit 10)
    out = io.StringIO()
    call_command("projects_report", "--json", "--today", "2026-04-01", stdout=out)
    data = json.loads(out.getvalue())
    assert data["unit"] == "working_days" and data["today"] == "2026-04-01"
    (entry,) = data["projects"]
    assert entry["code"] == p.code and entry["track"] == "social"
    assert [s["used_days"] for s in entry["stages"]] == [9, 12, 10, 9]
    assert [s["limit_days"] for s in entry["stages"]] == [10, 15, 10, 10]
    assert all(s["within_limit"] for s in entry["stages"])
    assert entry["main_days"] == 40 and entry["main_limit_days"] == 45 and entry["main_within_limit"]
    assert entry["whole_days"] == workdays_between(D(2026, 1, 26), D(2026, 3, 27)) == 40
    assert entry["whole_limit_days"] == 100 and entry["whole_within_limit"] and entry["within_limits"]
    assert entry["finished"] is True
    assert entry["stages"][1]["opened_on"] == "2026-02-06" and entry["stages"][1]["status"] == "done"


def test_a_late_stage_and_an_open_one_in_the_report(register):
    late = register(code="2026-371302-48-03-000021")
    open_ = register(code="2026-371321-48-03-000022", small=True, simple_low_risk=True)
    a1, *_ = _runs(late)
    _set(a1, D(2026, 2, 2), D(2026, 3, 2))  # across the festival: 16 of 10 days
    b1, *_ = _runs(open_)
    _set(b1, D(2026, 3, 30))
    out = io.StringIO()
    call_command("projects_report", "--json", "--today", "2026-04-03", stdout=out)
    by_code = {p["code"]: p for p in json.loads(out.getvalue())["projects"]}
    first = by_code[late.code]
    assert first["stages"][0]["used_days"] == 16 and first["stages"][0]["within_limit"] is False
    assert first["within_limits"] is False and first["main_within_limit"] is True
    assert first["stages"][1]["used_days"] is None and first["stages"][1]["within_limit"] is None
    second = by_code[open_.code]
    assert second["track"] == "simple-low-risk" and second["whole_limit_days"] == 20
    assert second["stages"][0]["status"] == "open" and second["stages"][0]["used_days"] == 4
    assert second["finished"] is False and second["whole_days"] == 4
    region = io.StringIO()
    call_command("projects_report", "--json", "--region", "371321", "--today", "2026-04-03", stdout=region)
    assert [p["code"] for p in json.loads(region.getvalue())["projects"]] == [open_.code]


def test_the_text_report_and_a_bad_date(register):
    p = register()
    _set(_runs(p)[0], D(2026, 3, 2), D(2026, 3, 6))
    out = io.StringIO()
    call_command("projects_report", "--today", "2026-03-10", stdout=out)
    text = out.getvalue()
    assert p.code in text and "1. 立项用地规划许可：4/10 工作日 未超时" in text and "共 1 个项目" in text
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("projects_report", "--json", "--today", "3月10日")


def test_stage_dates_are_checked(register):
    p = register()
    s1, s2, *_ = _runs(p)
    with pytest.raises(ValidationError, match="上一阶段开始之前"):
        _set(s2, D(2026, 3, 2))
    _set(s1, D(2026, 3, 2))
    with pytest.raises(ValidationError, match="不能早于开始日期"):
        _set(s1, D(2026, 3, 2), D(2026, 3, 1))
    with pytest.raises(ValidationError, match="不能晚于今天"):
        _set(s1, D(2099, 1, 1))
    with pytest.raises(ValidationError, match="上一阶段开始之前"):
        _set(s2, D(2026, 2, 27))
    s1.refresh_from_db()
    assert (s1.status, s1.opened_on, s1.done_on) == ("open", D(2026, 3, 2), None)


def test_the_database_refuses_dates_that_contradict_the_status(register):
    from django.db import IntegrityError, transaction

    run = _runs(register())[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        StageRun.objects.filter(pk=run.pk).update(status="done", opened_on=D(2026, 3, 2))
