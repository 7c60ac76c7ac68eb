"""Fixtures of the projects suite: the three lead departments, a handful of catalog items
implemented by the city (with overlapping form fields and materials), an enterprise with its
agent, and a builder for tracks as data."""

import pytest

from conftest import sample_content

APPROVAL = "临沂市行政审批服务局"
PLANNING = "临沂市自然资源和规划局"
HOUSING = "临沂市住房和城乡建设局"

COMMON_FIELDS = [
    {"key": "org_name", "label": "单位名称", "type": "text", "required": True, "prefill": "org.name"},
    {
        "key": "credit_code",
        "label": "统一社会信用代码",
        "type": "credit_code",
        "required": True,
        "prefill": "org.credit_code",
    },
    {
        "key": "contact_name",
        "label": "经办人姓名",
        "type": "text",
        "required": True,
        "prefill": "person.name",
    },
    {"key": "project_code", "label": "投资项目代码", "type": "text", "required": True},
]


def material(name, *, licence_type="", situation="", required=True):
    return {
        "name": name, "required": required, "medium": "both", "copy": "原件", "copies": 1,
        "source": "申请人自备", "standard": "", "licence_type": licence_type, "situation": situation,
    }  # fmt: skip


# (basic code, name, department, result name, extra fields, materials, situations)
ITEMS = {
    "filing": ("371330000299", "企业投资项目备案", APPROVAL, "项目备案证明", [
        {"key": "project_name", "label": "项目名称", "type": "text", "required": True},
        {"key": "investment", "label": "总投资（万元）", "type": "number", "required": True},
    ], [material("项目备案申请表"), material("营业执照", licence_type="营业执照")], []),
    "land": ("371301000699", "建设用地规划许可证核发", PLANNING, "建设用地规划许可证", [
        {"key": "project_name", "label": "项目名称", "type": "text", "required": True},
        {"key": "land_area", "label": "用地面积（平方米）", "type": "number", "required": True},
    ], [material("建设用地规划许可申请表"), material("项目批准、核准或备案文件", licence_type="项目备案证明"),
        material("宗地图及用地红线坐标")], []),
    "plan": ("371301000799", "建设工程规划许可证核发", PLANNING, "建设工程规划许可证", [
        {"key": "project_site", "label": "建设位置", "type": "address", "required": True},
        {"key": "building_area", "label": "总建筑面积（平方米）", "type": "number", "required": True},
        {"key": "agent_id", "label": "受托人公民身份号码", "type": "resident_id", "situation": "agent"},
    ], [material("建设工程规划许可申请表"), material("建设用地规划许可证"), material("营业执照", licence_type="营业执照"),
        material("授权委托书", situation="agent")],
        [{"key": "agent", "question": "是否委托他人代为办理？", "answer": "是"}]),
    "fire": ("371301001399", "特殊建设工程消防设计审查", HOUSING, "消防设计审查意见书", [
        {"key": "project_name", "label": "工程名称", "type": "text", "required": True},
        {"key": "site", "label": "建设位置", "type": "address", "required": False},
        {"key": "building_area", "label": "建筑面积（平方米）", "type": "number", "required": True},
    ], [material("消防设计文件"), material("营业执照", licence_type="营业执照"),
        material("委托书", situation="entrust")],
        [{"key": "entrust", "question": "是否委托他人代为办理？", "answer": "是"}]),
    "works": ("371301001299", "建筑工程施工许可证核发", APPROVAL, "建筑工程施工许可证", [
        {"key": "project_name", "label": "工程名称", "type": "text", "required": True},
        {"key": "contract_price", "label": "合同价格（万元）", "type": "number", "required": True},
    ], [material("施工许可申请表"), material("建设工程规划许可证", licence_type="建设工程规划许可证"),
        material("消防设计文件", required=False)], []),
    "drain": ("371301001999", "城镇污水排入排水管网许可", APPROVAL, "排水许可证", [],
        [material("排水许可申请书"), material("营业执照", licence_type="营业执照")], []),
    "filing_done": ("371330001699", "房屋建筑和市政基础设施工程竣工验收备案", HOUSING, "竣工验收备案证明", [],
        [material("竣工验收备案表"), material("建筑工程施工许可证")], []),
}  # fmt: skip


@pytest.fixture
def departments(catalog_city, make_department):
    from banhao.org.models import Department

    return {
        "approval": Department.objects.get(name=APPROVAL, region__code="371300"),
        "planning": make_department(PLANNING),
        "housing": make_department(HOUSING),
    }


@pytest.fixture
def items(departments):
    """{key: Implementation} of the city, each published."""
    from banhao.catalog import services

    out = {}
    for key, (basic, name, dept, result, extra, materials, situations) in ITEMS.items():
        content = sample_content(
            basic_code=basic, name=name, sub_item_name=name, handling_name="", department=dept,
            result_name=result, result_is_licence=True, materials=materials, situations=situations,
            form_fields=COMMON_FIELDS + extra, keywords=[name],
        )  # fmt: skip
        version, _ = services.standard_save(actor="测试", data=content)
        version = services.version_publish(actor="测试", version=version)
        impl, _ = services.implementation_save(
            actor="测试", standard=version.item, region_code="371300", department=dept
        )
        out[key] = services.implementation_publish(actor="测试", implementation=impl)
    return out


@pytest.fixture
def enterprise(make_person, regions):
    from banhao.core.identifiers import make_org_code, make_uscc
    from banhao.registry import services

    agent = make_person("371302", name="赵建国", phone="13900000031")
    org = services.organization_register(
        actor="测试",
        name="临沂某置业有限公司",
        credit_code=make_uscc("9", "1", "371302", make_org_code("MA77PR0J")),
        legal_representative="赵建国",
        phone="13900000031",
        address="兰山区沂蒙路100号",
    )
    user = services.applicant_account_open(
        actor="测试", person=agent, organization=org, password="Pass@12345"
    ).user
    services.mandate_grant(actor="测试", organization=org, agent=agent, scope="全部事项")
    return {"org": org, "agent": agent, "user": user}


@pytest.fixture
def make_track(departments, items):
    """make_track(key, stages=[(name, covers, dept key, limit, [main item keys], [parallel keys])],
    kind="social", low_risk=False, small_only=False, priority=0, main=45, whole=100, publish=True)."""
    from banhao.projects import services
    from banhao.projects.models import Stage, StageItem, Track, TrackVersion

    def make(
        key,
        stages,
        *,
        kind="social",
        low_risk=False,
        small_only=False,
        priority=0,
        main=45,
        whole=100,
        publish=True,
    ):
        track = Track.objects.create(
            key=key,
            name=key,
            investment_kind=kind,
            simple_low_risk=low_risk,
            small_only=small_only,
            priority=priority,
        )
        version = TrackVersion.objects.create(
            track=track, number=1, main_limit_days=main, whole_limit_days=whole
        )
        for order, (name, covers, dept, limit, main_items, parallel) in enumerate(stages, start=1):
            stage = Stage.objects.create(
                version=version,
                order=order,
                name=name,
                covers=covers,
                lead_department=departments[dept],
                limit_days=limit,
            )
            for is_parallel, keys in ((False, main_items), (True, parallel)):
                for n, k in enumerate(keys):
                    StageItem.objects.create(
                        stage=stage, implementation=items[k], parallel=is_parallel, order=n
                    )
        if publish:
            version = services.version_publish(actor="测试", version=version)
        return version

    return make  # fmt: skip


SOCIAL_STAGES = [
    ("立项用地规划许可", [1], "planning", 10, ["filing", "land"], []),
    ("工程建设许可", [2], "planning", 15, ["plan"], []),
    ("施工许可", [3], "housing", 10, ["fire", "works"], ["drain"]),
    ("竣工验收", [4], "housing", 10, ["filing_done"], []),
]
MERGED_STAGES = [
    ("立项用地规划许可", [1], "planning", 10, ["filing", "land"], []),
    ("工程建设许可和施工许可", [2, 3], "housing", 25, ["plan", "fire", "works"], ["drain"]),
    ("竣工验收", [4], "housing", 10, ["filing_done"], []),
]
LOW_RISK_STAGES = [
    ("立项用地规划许可", [1], "planning", 3, ["filing", "land"], []),
    ("工程建设许可和施工许可", [2, 3], "approval", 12, ["plan", "works"], []),
    ("竣工验收", [4], "housing", 5, ["filing_done"], []),
]
GOVERNMENT_STAGES = [
    ("立项用地规划许可", [1], "approval", 25, ["land"], []),
    ("工程建设许可", [2], "planning", 20, ["plan"], []),
    ("施工许可", [3], "housing", 15, ["fire", "works"], ["drain"]),
    ("竣工验收", [4], "housing", 10, ["filing_done"], []),
]


@pytest.fixture
def tracks(make_track):
    return {
        "social": make_track("social", SOCIAL_STAGES, priority=10),
        "small": make_track("social-small", MERGED_STAGES, small_only=True, priority=20),
        "low": make_track("simple-low-risk", LOW_RISK_STAGES, low_risk=True, main=20, whole=20, priority=30),
        "government": make_track("government", GOVERNMENT_STAGES, kind="government", main=70, priority=10),
    }


def project_data(**overrides):
    from banhao.projects.services import ProjectData

    data = dict(
        code="2026-371302-48-03-000016", name="临沂商城智慧物流仓储中心", investment_kind="social",
        use_kind="industrial", location="临沂市兰山区金雀山路88号", scale="新建仓储用房4栋，建筑面积36000平方米",
        total_investment="18600", key_level="city",
    )  # fmt: skip
    data.update(overrides)
    return ProjectData(**data)


@pytest.fixture
def register(enterprise, tracks):
    from banhao.projects import services

    def make(**overrides):
        return services.project_register(
            actor=enterprise["user"],
            owner_organization_id=enterprise["org"].pk,
            data=project_data(**overrides),
        )

    return make
