"""Parallel review of a stage: one submission, one correction notice, acceptance opening one
case per member item as one group, the lead's desk, the merged reply, lateness, scope."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from banhao.cases import api as cases_api
from banhao.core.audit import AuditEvent
from banhao.projects import review
from banhao.projects.models import StageRun

pytestmark = pytest.mark.django_db


def _run(project, order=1):
    return StageRun.objects.get(project=project, stage__order=order)


def _answers(run):
    from banhao.projects.notice import stage_notice

    notice = stage_notice(run.project, run.stage)
    form = {f.key: f.value or "10000" for f in notice.fields}
    return form, [m.name for m in notice.materials]


@pytest.fixture
def staged(register, enterprise, make_staff, departments):
    project = register()
    run = _run(project)
    lead = make_staff("reviewer", region="city", department=departments["planning"])
    return {"project": project, "run": run, "lead": lead, "owner": enterprise["user"]}


def _submit(s, drop=()):
    form, materials = _answers(s["run"])
    return review.stage_submit(
        actor=s["owner"], run=s["run"], form=form, materials=[m for m in materials if m not in drop]
    )


def _decide(members, make_staff):
    """Each member's department reviews and decides its own case (审查 → 决定)."""
    from banhao.org.models import Department

    for m in members:
        department = Department.objects.get(pk=m.case.department_id)
        reviewer = make_staff("reviewer", region="city", department=department)
        head = make_staff("department_head", region="city", department=department)
        cases_api.case_act(m.case.id, "claim", reviewer)
        cases_api.case_act(m.case.id, "opinion", reviewer, opinion="材料齐全，同意", complete_step=True)
        cases_api.case_act(m.case.id, "decide", head, decision="approve", reason="符合条件")


def test_submit_correct_resubmit_accept_opens_one_case_per_member_as_a_group(staged, items, departments):
    s = staged
    with pytest.raises(ValidationError, match="请提交材料"):
        _submit(s, drop=["宗地图及用地红线坐标"])
    assert _run(s["project"]).review == "not_started"
    run = _submit(s)
    assert run.review == "submitted" and run.status == "not_started"
    run = review.stage_correct(actor=s["lead"], run=run, note="宗地图坐标系不符，请按2000国家大地坐标系重报")
    assert run.review == "correction"
    run = _submit(s)
    assert run.review == "submitted"
    with pytest.raises(ValidationError, match="已发出过一次性告知"):
        review.stage_correct(actor=s["lead"], run=run, note="再补一次")
    run = review.stage_accept(actor=s["lead"], run=run, today=dt.date(2026, 12, 4))
    assert run.review == "accepted" and run.status == "open" and run.case_group_id
    group = cases_api.case_group_info(run.case_group_id)
    assert group.kind == "stage" and len(group.case_ids) == 2
    members = {m.case.implementation_id: m.case for m in review.stage_members(run)}
    assert set(members) == {items["filing"].pk, items["land"].pk}
    assert members[items["filing"].pk].department_id == departments["approval"].pk
    assert members[items["land"].pk].department_id == departments["planning"].pk
    assert all(c.status == "accepted" and c.group_id == run.case_group_id for c in members.values())
    assert all(c.promised_due for c in members.values())
    actions = set(
        AuditEvent.objects.filter(action__startswith="projects.stage_").values_list("action", flat=True)
    )
    assert {"projects.stage_submit", "projects.stage_correct", "projects.stage_accept"} <= actions


def test_refused_transitions_change_nothing(staged):
    s = staged
    with pytest.raises(ValidationError, match="不能“受理”"):
        review.stage_accept(actor=s["lead"], run=s["run"])
    with pytest.raises(ValidationError, match="不能“出具阶段意见”"):
        review.stage_reply(actor=s["lead"], run=s["run"], text="同意")
    run = _submit(s)
    with pytest.raises(ValidationError, match="不能“申报”"):
        _submit(s)
    with pytest.raises(PermissionDenied):
        review.stage_accept(actor=s["owner"], run=run)
    with pytest.raises(ValidationError, match="上一阶段尚未办结"):
        review.stage_submit(actor=s["owner"], run=_run(s["project"], 2), form={}, materials=[])
    run.refresh_from_db()
    assert run.review == "submitted" and run.case_group_id is None


def test_only_the_lead_department_accepts(staged, make_staff, departments):
    other = make_staff("reviewer", region="city", department=departments["housing"])
    run = _submit(staged)
    with pytest.raises(PermissionDenied):
        review.stage_accept(actor=other, run=run)
    assert _run(staged["project"]).review == "submitted"


def test_the_merged_reply_only_after_every_member_is_decided(staged, make_staff):
    s = staged
    run = review.stage_accept(actor=s["lead"], run=_submit(s))
    with pytest.raises(ValidationError, match="尚未作出决定"):
        review.stage_reply(actor=s["lead"], run=run, text="同意")
    first, *rest = review.stage_members(run)
    _decide([first], make_staff)
    with pytest.raises(ValidationError, match="尚未作出决定"):
        review.stage_reply(actor=s["lead"], run=run, text="同意")
    _decide(rest, make_staff)
    assert all(m.decided for m in review.stage_members(run))
    run = review.stage_reply(actor=s["lead"], run=run, text="各事项均准予许可")
    assert run.status == "done" and run.review == "replied" and run.done_on == run.opened_on


def test_a_late_member_makes_the_stage_late(staged):
    s = staged
    run = review.stage_accept(actor=s["lead"], run=_submit(s))
    members = review.stage_members(run)
    due = max(m.case.promised_due for m in members)
    assert not review.stage_late(run, today=run.opened_on)
    assert review.stage_late(run, today=due + dt.timedelta(days=1))


def test_the_pages_submit_accept_show_members_and_reply(client, staged, make_staff, departments):
    from django.urls import reverse

    s = staged
    project, stage = s["project"], s["run"].stage
    client.force_login(s["owner"])
    assert "申报本阶段" in client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    submit = reverse("projects:submit", args=[project.pk, stage.pk])
    assert client.post(submit, {"materials": ["项目备案申请表"]}).status_code == 400
    assert _run(project).review == "not_started"
    form, materials = _answers(s["run"])
    data = {f"f_{k}": v for k, v in form.items()} | {"materials": materials}
    assert client.post(submit, data).status_code == 302
    assert _run(project).review == "submitted"

    desk = reverse("projects_office:desk", args=[project.pk, stage.pk])
    client.force_login(make_staff("reviewer", region="city", department=departments["housing"]))
    assert client.get(desk).status_code == 404  # another department: not its desk
    assert client.post(desk, {"action": "accept"}).status_code == 404
    client.force_login(make_staff("supervisor", region="yinan"))
    assert client.get(desk).status_code == 404  # another region: not its project
    assert _run(project).review == "submitted"

    client.force_login(s["lead"])
    detail = client.get(reverse("projects_office:detail", args=[project.pk])).content.decode()
    assert "阶段受理台" in detail
    before = client.get(desk).content.decode()
    assert "统一社会信用代码" in before and "项目备案申请表" in before  # the submission by label
    assert client.post(desk, {"action": "accept"}).status_code == 302
    html = client.get(desk).content.decode()
    run = _run(project)
    for m in review.stage_members(run):
        assert m.case.number in html and m.case.department in html
    response = client.post(desk, {"action": "reply", "text": "同意"})
    assert response.status_code == 400 and "尚未作出决定" in response.content.decode()
    _decide(review.stage_members(run), make_staff)
    assert (
        client.post(desk, {"action": "reply", "text": "各事项均准予许可，请按时开展下一阶段"}).status_code
        == 302
    )
    client.force_login(s["owner"])
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "各事项均准予许可" in page and "已出具阶段意见" in page


def test_a_special_procedure_stops_only_its_own_members_clock(staged, make_staff):
    from banhao.org.models import Department

    s = staged
    run = review.stage_accept(actor=s["lead"], run=_submit(s))
    first, second = review.stage_members(run)
    reviewer = make_staff(
        "reviewer", region="city", department=Department.objects.get(pk=first.case.department_id)
    )
    cases_api.case_act(first.case.id, "claim", reviewer)
    cases_api.case_act(
        first.case.id, "suspend", reviewer, kind="expert", reason="组织专家评审", expected_days=5
    )
    after = max(first.case.promised_due, second.case.promised_due) + dt.timedelta(days=1)
    members = {m.case.id: m for m in review.stage_members(run, today=after)}
    assert members[first.case.id].case.status == "suspended" and not members[first.case.id].late
    assert (
        members[second.case.id].late and members[second.case.id].case.promised_due == second.case.promised_due
    )
    assert review.stage_late(run, today=after)


def test_the_report_reads_the_reviewed_stage_dates(staged, make_staff):
    from banhao.projects.services import project_report

    s = staged
    run = review.stage_accept(actor=s["lead"], run=_submit(s), today=dt.date(2026, 12, 1))
    _decide(review.stage_members(run), make_staff)
    review.stage_reply(actor=s["lead"], run=run, text="同意", today=dt.date(2026, 12, 4))
    stage = project_report(s["project"], today=dt.date(2026, 12, 4))["stages"][0]
    assert (stage["status"], stage["opened_on"], stage["done_on"]) == ("done", "2026-12-01", "2026-12-04")
    assert stage["used_days"] == 3 and stage["within_limit"] is True


def test_a_second_acceptance_opens_nothing_more(staged):
    s = staged
    run = _submit(s)
    review.stage_accept(actor=s["lead"], run=run)
    with pytest.raises(ValidationError, match="不能“受理”"):
        review.stage_accept(actor=s["lead"], run=run)  # a stale copy of the run: the lock rereads it
    run = _run(s["project"])
    assert len(cases_api.case_group_info(run.case_group_id).case_ids) == 2
    assert AuditEvent.objects.filter(action="projects.stage_accept").count() == 1
