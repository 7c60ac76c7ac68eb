"""The pages: the owner registers and sees their project, another enterprise does not; staff see
the projects of their scope; catalog officers copy, edit and publish a track version."""

import pytest
from django.urls import reverse

from banhao.core.audit import AuditEvent
from banhao.projects.models import Project, StageItem, TrackVersion


def _form(**overrides):
    data = {
        "code": "2026-371302-48-03-000016",
        "name": "临沂商城智慧物流仓储中心",
        "investment_kind": "social",
        "use_kind": "industrial",
        "location": "临沂市兰山区金雀山路88号",
        "scale": "新建仓储用房4栋",
        "total_investment": "18600",
    }
    data.update(overrides)
    return data


def test_the_owner_registers_a_project_and_sees_its_stages_and_notice(client, enterprise, tracks):
    client.force_login(enterprise["user"])
    page = client.get(reverse("projects:mine"))
    assert page.status_code == 200 and "还没有登记项目" in page.content.decode()
    r = client.post(reverse("projects:mine"), _form(small="on"))
    project = Project.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("projects:detail", args=[project.pk])
    assert project.track_version == tracks["small"]
    html = client.get(r["Location"]).content.decode()
    assert "工程建设许可和施工许可" in html and "25 个工作日" in html and "尚未开始" in html
    stage = project.track_version.stages.get(order=2)
    notice = client.get(reverse("projects:notice", args=[project.pk, stage.pk])).content.decode()
    assert "一次告知：工程建设许可和施工许可" in notice
    assert notice.count("是否委托他人代为办理？") == 1
    assert "由本项目“立项用地规划许可”阶段产生" in notice  # 建设用地规划许可证
    assert "13900000031" not in notice  # phones stay masked even on the owner's own page
    answered = client.get(
        reverse("projects:notice", args=[project.pk, stage.pk]), {"answered": "1", "s_agent": "否"}
    ).content.decode()
    assert "授权委托书" in notice and "授权委托书" not in answered


def test_a_bad_code_is_refused_on_the_form_and_nothing_is_kept(client, enterprise, tracks):
    client.force_login(enterprise["user"])
    r = client.post(reverse("projects:mine"), _form(code="2026-991302-48-03-000016", total_investment="abc"))
    html = r.content.decode()
    assert r.status_code == 400
    assert "行政区划代码991302不存在" in html and "总投资应为大于0的金额" in html
    r = client.post(reverse("projects:mine"), _form(code="2026-440305-48-03-000016"))
    assert "不属于本平台的区域" in r.content.decode()
    assert not Project.objects.exists()


def test_another_enterprise_and_a_person_do_not_see_the_project(client, register, make_person):
    from banhao.core.identifiers import make_org_code, make_uscc
    from banhao.registry import services

    project = register()
    agent = make_person("371302", name="钱多多", phone="13900000041")
    other = services.organization_register(
        actor="测试", name="另一家公司", credit_code=make_uscc("9", "1", "371302", make_org_code("MA88XY0A")),
        legal_representative="钱多多", phone="13900000041", address="兰山区",
    )  # fmt: skip
    user = services.applicant_account_open(
        actor="测试", person=agent, organization=other, password="Pass@12345"
    ).user
    services.mandate_grant(actor="测试", organization=other, agent=agent, scope="全部事项")
    client.force_login(user)
    assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 404
    assert project.name not in client.get(reverse("projects:mine")).content.decode()
    person = make_person("371302", name="孙一", phone="13900000051")
    personal = services.applicant_account_open(actor="测试", person=person, password="Pass@12345").user
    client.force_login(personal)
    assert client.get(reverse("projects:mine")).status_code == 403
    assert client.post(reverse("projects:mine"), _form(code="2026-371302-48-03-000017")).status_code == 403
    assert Project.objects.count() == 1


def test_staff_see_the_projects_of_their_scope(client, register, make_staff):
    lanshan_project = register()
    yinan_project = register(code="2026-371321-48-03-000018", name="沂南县标准化厂房")
    client.force_login(make_staff("supervisor", region="lanshan"))
    html = client.get(reverse("projects_office:list")).content.decode()
    assert lanshan_project.name in html and yinan_project.name not in html
    assert client.get(reverse("projects_office:detail", args=[yinan_project.pk])).status_code == 404
    detail = client.get(reverse("projects_office:detail", args=[lanshan_project.pk])).content.decode()
    assert "立项用地规划许可" in detail and "临沂某置业有限公司" in detail
    stage = lanshan_project.track_version.stages.get(order=1)
    notice = client.get(
        reverse("projects_office:notice", args=[lanshan_project.pk, stage.pk])
    ).content.decode()
    assert "合并表单" in notice and "取自基础信息库" in notice and "赵建国" not in notice
    client.force_login(make_staff("supervisor", region="city"))
    html = client.get(reverse("projects_office:list")).content.decode()
    assert lanshan_project.name in html and yinan_project.name in html
    assert client.get(reverse("projects_office:track_list")).status_code == 403  # no projects.tracks


def test_a_window_clerk_has_no_project_pages(client, register, make_staff):
    register()
    client.force_login(make_staff("window_clerk", region="city"))
    assert client.get(reverse("projects_office:list")).status_code == 403


def test_a_catalog_officer_copies_edits_and_publishes_a_track_version(
    client, tracks, items, departments, make_staff
):
    client.force_login(make_staff("catalog_officer", region="city"))
    social = tracks["social"]
    assert client.get(reverse("projects_office:track_list")).status_code == 200
    page = client.get(reverse("projects_office:version_detail", args=[social.pk])).content.decode()
    assert "复制为新版本" in page and "保存阶段" not in page  # published: read-only
    stage2 = social.stages.get(order=2)
    r = client.post(
        reverse("projects_office:stage_edit", args=[social.pk, stage2.pk]),
        {"name": "工程建设许可", "limit_days": "5", "lead_department": str(departments["planning"].pk)},
    )
    stage2.refresh_from_db()
    assert stage2.limit_days == 15
    r = client.post(reverse("projects_office:version_copy", args=[social.pk]), {"note": "压缩第二阶段"})
    draft = TrackVersion.objects.get(track=social.track, number=2)
    assert r["Location"] == reverse("projects_office:version_detail", args=[draft.pk])
    d2 = draft.stages.get(order=2)
    client.post(
        reverse("projects_office:stage_edit", args=[draft.pk, d2.pk]),
        {"name": "工程建设许可", "limit_days": "12", "lead_department": str(departments["housing"].pk)},
    )
    d2.refresh_from_db()
    assert (d2.limit_days, d2.lead_department_id) == (12, departments["housing"].pk)
    bad = client.post(
        reverse("projects_office:stage_edit", args=[draft.pk, d2.pk]),
        {"name": "工程建设许可", "limit_days": "十二", "lead_department": str(departments["housing"].pk)},
        follow=True,
    )
    assert "阶段时限应为1至200之间的整数" in bad.content.decode()
    drain = StageItem.objects.get(stage__version=draft, implementation=items["drain"])
    client.post(reverse("projects_office:stage_item_remove", args=[draft.pk, drain.pk]))
    assert not StageItem.objects.filter(pk=drain.pk).exists()
    client.post(
        reverse("projects_office:stage_item_add", args=[draft.pk, d2.pk]),
        {"implementation_code": items["drain"].implementation_code, "parallel": "1"},
    )
    assert StageItem.objects.get(stage=d2, implementation=items["drain"]).parallel
    unknown = client.post(
        reverse("projects_office:stage_item_add", args=[draft.pk, d2.pk]),
        {"implementation_code": "NOPE"},
        follow=True,
    )
    assert "找不到该实施编码" in unknown.content.decode()
    client.post(reverse("projects_office:version_publish", args=[draft.pk]))
    draft.refresh_from_db()
    social.refresh_from_db()
    assert (draft.status, social.status) == ("published", "retired")
    assert AuditEvent.objects.filter(action="projects.stageitem_add", actor__isnull=False).exists()


@pytest.mark.parametrize("role", ["helper", "catalog_officer", "administrator"])
def test_the_project_tiles_lead_somewhere_real(client, role, make_staff):
    from banhao.portal import platform_map as pm

    client.force_login(make_staff(role, region="city"))
    html = client.get(reverse("portal:workbench")).content.decode()
    wanted = {"helper": "工程建设项目", "catalog_officer": "审批路线", "administrator": "工程建设项目"}[role]
    assert f'<span class="bh-tile__title">{wanted}</span>' in html
    assert '<span class="bh-tile__title">重点项目帮办</span>' not in html  # next session
    for tasks in pm.ROLE_TASKS.values():
        assert len(tasks) <= 8


def test_only_enterprise_accounts_get_the_my_projects_tile(client, enterprise, make_person):
    from banhao.registry import services

    client.force_login(enterprise["user"])
    assert (
        '<span class="bh-tile__title">我的项目</span>'
        in client.get(reverse("portal:workbench")).content.decode()
    )
    person = make_person("371302", name="孙一", phone="13900000051")
    personal = services.applicant_account_open(actor="测试", person=person, password="Pass@12345").user
    client.force_login(personal)
    assert (
        '<span class="bh-tile__title">我的项目</span>'
        not in client.get(reverse("portal:workbench")).content.decode()
    )


def test_the_admin_lists_everything_and_keeps_a_published_version_read_only(
    client, register, tracks, make_staff
):
    project = register()
    client.force_login(make_staff("administrator", region="city"))
    for name in ("track", "trackversion", "stage", "project"):
        assert client.get(reverse(f"admin:projects_{name}_changelist")).status_code == 200, name
    social = tracks["social"]
    page = client.get(reverse("admin:projects_trackversion_change", args=[social.pk])).content.decode()
    assert 'name="main_limit_days"' not in page  # read-only
    r = client.post(
        reverse("admin:projects_trackversion_change", args=[social.pk]),
        {"track": social.track_id, "number": 1, "main_limit_days": 5, "whole_limit_days": 5},
    )
    assert r.status_code == 403
    social.refresh_from_db()
    assert social.main_limit_days == 45
    assert client.get(reverse("admin:projects_project_change", args=[project.pk])).status_code == 200
    r = client.post(
        reverse("admin:projects_trackversion_changelist"),
        {"action": "copy_as_new", "_selected_action": [social.pk]},
    )
    assert TrackVersion.objects.filter(track=social.track, number=2, status="draft").exists()


def test_a_county_catalog_officer_sees_the_tracks_but_does_not_change_them(client, tracks, make_staff):
    client.force_login(make_staff("catalog_officer", region="lanshan"))
    social = tracks["social"]
    page = client.get(reverse("projects_office:version_detail", args=[social.pk])).content.decode()
    assert "只能查看" in page and "复制为新版本" not in page
    r = client.post(reverse("projects_office:version_copy", args=[social.pk]), follow=True)
    assert "由市级事项管理人员维护" in r.content.decode()
    assert TrackVersion.objects.filter(track=social.track).count() == 1
