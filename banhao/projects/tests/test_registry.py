"""The project registry: a valid code of the platform's regions, an enterprise of the registry,
the track chosen by the project's type; refusals change nothing."""

import pytest
from django.core.exceptions import ValidationError

from banhao.core.audit import AuditEvent
from banhao.projects import services
from banhao.projects.models import Project, StageRun

from .conftest import project_data


def test_a_project_is_registered_with_its_region_owner_track_and_stage_runs(
    register, enterprise, tracks, regions
):
    p = register(code="２０２６－３７１３０２－４８－０３－０００016")
    assert p.code == "2026-371302-48-03-000016"
    assert p.region_id == regions["lanshan"].pk
    assert p.owner_organization_id == enterprise["org"].pk and p.owner_name == "临沂某置业有限公司"
    assert p.track_version == tracks["social"]
    assert p.key_project and p.get_key_level_display() == "市级重点项目"
    runs = list(StageRun.objects.filter(project=p).order_by("stage__order"))
    assert [r.stage.name for r in runs] == ["立项用地规划许可", "工程建设许可", "施工许可", "竣工验收"]
    assert {r.status for r in runs} == {"not_started"}
    event = AuditEvent.objects.get(action="projects.project_register")
    assert event.object_id == str(p.pk)


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("", "请填写投资项目代码"),
        ("2026-371302-48-03-0001", "格式不正确"),
        ("2012-371302-48-03-000016", "年份2012"),
        ("2026-991302-48-03-000016", "991302"),
        ("2026-440305-48-03-000016", "不属于本平台的区域"),  # Shenzhen: a real division, not ours
        ("2026-371399-48-03-000016", "不属于本平台的区域"),  # no such county in Linyi
    ],
)
def test_an_application_without_a_valid_code_of_our_regions_is_refused(register, code, words):
    with pytest.raises(ValidationError) as e:
        register(code=code)
    assert words in str(e.value.message_dict["code"])
    assert not Project.objects.exists() and not StageRun.objects.exists()


def test_the_same_code_is_registered_once(register):
    register()
    with pytest.raises(ValidationError) as e:
        register(code="2026371302480300 0016", name="另一个名称")
    assert "已登记" in str(e.value)
    assert Project.objects.count() == 1


def test_the_track_follows_the_type(register, tracks):
    assert register(code="2026-371302-48-03-000011").track_version == tracks["social"]
    assert register(code="2026-371302-48-03-000012", small=True).track_version == tracks["small"]
    low = register(code="2026-371321-48-03-000013", small=True, simple_low_risk=True)
    assert low.track_version == tracks["low"]
    gov = register(code="2026-371300-48-01-000014", investment_kind="government", key_level="")
    assert gov.track_version == tracks["government"] and not gov.key_project


def test_a_project_needs_an_enterprise_of_the_registry_and_complete_facts(enterprise, tracks):
    with pytest.raises(ValidationError, match="主体库"):
        services.project_register(actor="测试", owner_organization_id=999_999, data=project_data())
    with pytest.raises(ValidationError) as e:
        services.project_register(
            actor="测试",
            owner_organization_id=enterprise["org"].pk,
            data=project_data(
                name=" ", total_investment="-5", investment_kind="private", key_level="province"
            ),
        )
    errors = e.value.message_dict
    assert set(errors) == {"name", "total_investment", "investment_kind", "key_level"}
    assert "请填写项目名称" in errors["name"][0]
    with pytest.raises(ValidationError, match="简易低风险项目限社会投资项目"):
        services.project_register(
            actor="测试",
            owner_organization_id=enterprise["org"].pk,
            data=project_data(investment_kind="government", simple_low_risk=True),
        )
    assert not Project.objects.exists()


def test_without_a_published_track_for_the_type_nothing_is_registered(enterprise, make_track):
    from .conftest import SOCIAL_STAGES

    make_track("social-draft", SOCIAL_STAGES, publish=False)
    with pytest.raises(ValidationError, match="没有适用于这类项目的已发布审批路线"):
        services.project_register(
            actor="测试", owner_organization_id=enterprise["org"].pk, data=project_data()
        )
    assert not Project.objects.exists()


def test_the_api_finds_a_project_by_any_spelling_of_its_code(register):
    from banhao.projects import api

    p = register()
    info = api.project_by_code("２０２６－371302 48 03 000016")
    assert info is not None and info.id == p.pk and info.track == "social"
    assert api.project_by_code("2026-371302-48-03-000017") is None
    assert api.project_by_code("not a code") is None
