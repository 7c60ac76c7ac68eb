"""One form and one set of materials per stage: fields by key or label once, prefilled from the
project and the registry; materials once; a valid e-licence of the owner and what an earlier stage
produces are dropped (免提交), an expired or revoked one is not."""

import pytest

from banhao.projects.notice import stage_notice


@pytest.fixture
def business_licence(enterprise, departments):
    """The enterprise's 营业执照, issued and signed by the licence store."""
    from banhao.licences import services

    licence_type, _ = services.licence_type_upsert(
        actor="测试",
        name="营业执照",
        code="11100000000013338W001",
        authority_name="国家市场监督管理总局",
        holder_kind="organization",
        fields=[
            {"key": "name", "label": "名称", "required": True, "public": True, "sources": ["holder.name"]}
        ],
    )
    return services.licence_issue(
        actor="测试",
        licence_type=licence_type,
        issuer_id=departments["approval"].pk,
        face={},
        organization_id=enterprise["org"].pk,
    )


def _stage(project, order):
    return project.track_version.stages.get(order=order)


def test_the_merged_stage_asks_each_field_once_and_prefills_it(register, enterprise, business_licence):
    p = register(small=True)  # stages 2 and 3 merged
    notice = stage_notice(p, _stage(p, 2), user=enterprise["user"])
    keys = [f.key for f in notice.fields]
    assert len(keys) == len(set(keys))
    labels = [f.label for f in notice.fields]
    assert len(labels) == len(set(labels))
    by_key = {f.key: f for f in notice.fields}
    # 工程名称 (fire, works) and 项目名称 share the key project_name: once, from the project.
    assert by_key["project_name"].value == p.name and by_key["project_name"].source == "project"
    assert set(by_key["project_name"].items) == {"特殊建设工程消防设计审查", "建筑工程施工许可证核发"}
    # fire's "site" has the label 建设位置 that plan's project_site already asked: not asked twice.
    assert "site" not in by_key and by_key["project_site"].value == p.location
    assert by_key["project_code"].value == "2026-371302-48-03-000016"
    assert by_key["org_name"].value == "临沂某置业有限公司" and by_key["org_name"].source == "registry"
    assert by_key["contact_name"].value == "赵建国"
    assert by_key["building_area"].value == "" and by_key["building_area"].required
    # the same question asked under two keys is asked once
    assert [s.question for s in notice.situations] == ["是否委托他人代为办理？"]


def test_materials_once_and_the_held_licence_and_earlier_results_dropped(
    register, enterprise, business_licence
):
    p = register(small=True)
    notice = stage_notice(p, _stage(p, 2), user=enterprise["user"])
    bring = [m.name for m in notice.materials]
    assert len(bring) == len(set(bring))
    assert bring.count("消防设计文件") == 1
    fire_docs = next(m for m in notice.materials if m.name == "消防设计文件")
    assert fire_docs.required  # required by one item, optional for the other: required
    dropped = {m.name: m.dropped for m in notice.dropped}
    assert "已有有效电子证照" in dropped["营业执照"] and "营业执照" not in bring
    # stage 1 (备案, 建设用地规划许可) produces the 建设用地规划许可证 that plan asks for
    assert "立项用地规划许可" in dropped["建设用地规划许可证"]
    # 建设工程规划许可证 is produced inside this same merged stage, not an earlier one: still listed
    assert "建设工程规划许可证" in bring
    assert "施工许可申请表" in bring and "排水许可申请书" in bring


def test_without_the_licence_the_owner_brings_it(register, enterprise, business_licence):
    from banhao.licences import services

    services.licence_revoke(actor="测试", licence=business_licence, reason="测试撤销")
    p = register(small=True)
    notice = stage_notice(p, _stage(p, 2), user=enterprise["user"])
    assert "营业执照" in [m.name for m in notice.materials]
    assert "营业执照" not in [m.name for m in notice.dropped]


def test_the_first_stage_drops_nothing_from_earlier_stages(register, enterprise):
    p = register()
    notice = stage_notice(p, _stage(p, 1), user=enterprise["user"])
    bring = [m.name for m in notice.materials]
    # 项目备案证明 is the result of an item of the same stage 1: the owner is told to bring it
    assert "项目批准、核准或备案文件" in bring and "营业执照" in bring
    assert notice.dropped == []
    assert [f.key for f in notice.fields].count("project_name") == 1


def test_answers_leave_out_what_does_not_apply(register, enterprise):
    p = register(small=True)
    stage = _stage(p, 2)
    listed = stage_notice(p, stage, user=enterprise["user"])
    assert "授权委托书" in [m.name for m in listed.materials]
    assert "agent_id" in [f.key for f in listed.fields]
    no = stage_notice(p, stage, user=enterprise["user"], answers={"agent": "否"})
    assert "授权委托书" not in [m.name for m in no.materials]
    assert "委托书" not in [m.name for m in no.materials]  # the same question under another key
    assert "agent_id" not in [f.key for f in no.fields]
    yes = stage_notice(p, stage, user=enterprise["user"], answers={"agent": "是"})
    assert {"授权委托书", "委托书"} <= {m.name for m in yes.materials}


def test_a_later_stage_drops_the_licence_an_earlier_stage_issues(register, enterprise):
    p = register()
    notice = stage_notice(p, _stage(p, 4), user=enterprise["user"])
    assert [m.name for m in notice.dropped] == ["建筑工程施工许可证"]
    assert [m.name for m in notice.materials] == ["竣工验收备案表"]


def test_a_stage_of_another_track_is_refused(register, tracks):
    p = register()
    with pytest.raises(ValueError):
        stage_notice(p, tracks["government"].stages.first())
