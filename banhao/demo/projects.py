"""The demo's approval tracks (审批路线) for engineering construction projects, and two demo projects.

The tracks follow catalog-facts.md §8: four stages with one lead department each, main-line and
parallel items from the demo catalog (the city's implementations), and Shandong's limits (社会投资
45, 政府投资 70, 全流程 100, 简易低风险 20 working days). The stage limits are the proposed fit
to those targets, not a published Linyi split. The small social-investment track merges stages 2
and 3, the simple low-risk track merges them too and has a 20-day whole process: both are rows
here, not code.

Not in the demo catalog, so not members yet: 设计方案审查, 施工图联合审查, 规划条件核实, 土地核验,
人防验收备案, 城建档案验收, 超限高层抗震审批 and the utilities' connections (水电气暖信).

Idempotent: a track that already has a version is left as it is (its officers may have edited it).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from banhao.catalog.models import Implementation, Status
from banhao.core.calendar import add_workdays
from banhao.org import api as org_api
from banhao.projects import services
from banhao.projects.models import Project, StageRun, Track, TrackVersion

ACTOR = "演示数据载入"
CITY = "371300"
APPROVAL = "临沂市行政审批服务局"
PLANNING = "临沂市自然资源和规划局"
HOUSING = "临沂市住房和城乡建设局"
BASIS = "山东省优化提升工程建设项目审批制度改革实施方案（2019）"

# Item codes (standard text codes of the demo catalog).
FEASIBILITY = "371310000301-01"  # 政府投资项目可行性研究报告审批
FILING = "371330000201-01"  # 企业投资项目备案
SITE = "371301000501-01"  # 用地预审与选址意见书
LAND_ALLOCATED = "371301000601-01"  # 建设用地规划许可（划拨）
LAND_SOLD = "371301000602-01"  # 建设用地规划许可（出让）
ENERGY = "371301000401-01"
EIA = "371301000901-01"
SOIL = "371301001001-01"
WATER = "371301004201-01"
TEMP_LAND = "371301001101-01"
BUILDING_PLAN = "371301000701-01"  # 建设工程规划许可证
AIR_DEFENCE = "371301001801-01"
ROAD_DIG = "371301002101-01"
FIRE_DESIGN = "371301001301-01"
CONSTRUCTION = "371301001201-01"  # 建筑工程施工许可证
DRAINAGE = "371301001901-01"
WASTE = "371301002001-01"
NIGHT_WORK = "371310007201-01"
FIRE_ACCEPTANCE = "371301001401-01"
FIRE_FILING = "371330001501-01"
COMPLETION_FILING = "371330001601-01"

S1, S2, S3, S4 = "立项用地规划许可", "工程建设许可", "施工许可", "竣工验收"
S23 = "工程建设许可和施工许可"

# (key, name, investment kind, simple low-risk, small only, priority, main, whole,
#  [(stage name, covers, lead, limit, main-line items, parallel items)])
TRACKS = [
    (
        "government",
        "政府投资项目",
        "government",
        False,
        False,
        10,
        70,
        100,
        [
            (
                S1,
                [1],
                APPROVAL,
                25,
                [FEASIBILITY, SITE, LAND_ALLOCATED],
                [ENERGY, EIA, SOIL, WATER, TEMP_LAND],
            ),
            (S2, [2], PLANNING, 20, [BUILDING_PLAN], [AIR_DEFENCE, ROAD_DIG]),
            (S3, [3], HOUSING, 15, [FIRE_DESIGN, CONSTRUCTION], [DRAINAGE, WASTE, NIGHT_WORK]),
            (S4, [4], HOUSING, 10, [FIRE_ACCEPTANCE, COMPLETION_FILING], [FIRE_FILING]),
        ],
    ),
    (
        "social",
        "社会投资项目",
        "social",
        False,
        False,
        10,
        45,
        100,
        [
            (S1, [1], PLANNING, 10, [FILING, SITE, LAND_SOLD], [ENERGY, EIA, SOIL, WATER, TEMP_LAND]),
            (S2, [2], PLANNING, 15, [BUILDING_PLAN], [AIR_DEFENCE, ROAD_DIG]),
            (S3, [3], HOUSING, 10, [FIRE_DESIGN, CONSTRUCTION], [DRAINAGE, WASTE, NIGHT_WORK]),
            (S4, [4], HOUSING, 10, [FIRE_ACCEPTANCE, COMPLETION_FILING], [FIRE_FILING]),
        ],
    ),
    (
        "social-small",
        "小型社会投资项目（工程建设许可和施工许可合并）",
        "social",
        False,
        True,
        20,
        45,
        100,
        [
            (S1, [1], PLANNING, 10, [FILING, SITE, LAND_SOLD], [EIA, SOIL]),
            (S23, [2, 3], HOUSING, 25, [BUILDING_PLAN, FIRE_DESIGN, CONSTRUCTION], [DRAINAGE, WASTE]),
            (S4, [4], HOUSING, 10, [FIRE_ACCEPTANCE, COMPLETION_FILING], [FIRE_FILING]),
        ],
    ),
    (
        "simple-low-risk",
        "简易低风险项目",
        "social",
        True,
        False,
        30,
        20,
        20,
        [
            (S1, [1], PLANNING, 3, [FILING, LAND_SOLD], []),
            (S23, [2, 3], APPROVAL, 12, [BUILDING_PLAN, CONSTRUCTION], []),
            (S4, [4], HOUSING, 5, [COMPLETION_FILING], [FIRE_FILING]),
        ],
    ),
]


def _implementation_id(code: str) -> int | None:
    return (
        Implementation.objects.filter(standard__code=code, region__code=CITY, status=Status.PUBLISHED)
        .values_list("id", flat=True)
        .first()
    )


@transaction.atomic
def load_tracks() -> dict[str, int]:
    """The four tracks, each with a published first version; returns {track key: version id}."""
    from banhao.projects.models import Stage, StageItem

    out: dict[str, int] = {}
    for key, name, kind, low_risk, small_only, priority, main, whole, stages in TRACKS:
        leads = {lead: org_api.department_id_by_name(lead, CITY) for _n, _c, lead, *_rest in stages}
        if None in leads.values():  # the demo city's departments are not there: nothing to build on
            continue
        track, _ = Track.objects.get_or_create(
            key=key,
            defaults={
                "name": name, "investment_kind": kind, "simple_low_risk": low_risk,
                "small_only": small_only, "priority": priority,
            },
        )  # fmt: skip
        existing = track.versions.order_by("-number").first()
        if existing is not None:
            out[key] = existing.pk
            continue
        version = TrackVersion.objects.create(
            track=track, number=1, main_limit_days=main, whole_limit_days=whole, basis=BASIS, note="演示路线"
        )
        for order, (stage_name, covers, lead, limit, main_items, parallel_items) in enumerate(
            stages, start=1
        ):
            stage = Stage.objects.create(
                version=version, order=order, name=stage_name, covers=covers, limit_days=limit,
                lead_department_id=leads[lead],
            )  # fmt: skip
            for parallel, codes in ((False, main_items), (True, parallel_items)):
                for n, code in enumerate(codes):
                    impl = _implementation_id(code)
                    if impl is not None:
                        StageItem.objects.create(
                            stage=stage, implementation_id=impl, parallel=parallel, order=n
                        )
        services.version_publish(actor=ACTOR, version=version)
        out[key] = version.pk
    return out


# Demo projects: (code, name, owner enterprise index, kind, use, small, low risk, location, scale,
# investment, key level, stages done/open as working-day offsets from a start date)
PROJECTS = [
    (
        "2026-371302-48-03-000016",
        "临沂商城智慧物流仓储中心",
        0,
        "social",
        "industrial",
        False,
        False,
        "临沂市兰山区金雀山路与沂河路交汇处东北角",
        "新建仓储用房4栋，总建筑面积36000平方米",
        "18600",
        "city",
        [(0, 8), (9, 21), (22, None)],
    ),
    (
        "2026-371321-44-03-000027",
        "沂南县标准化厂房（一期）",
        1,
        "social",
        "industrial",
        True,
        True,
        "沂南县经济开发区澳柯玛大道以南",
        "新建单层标准化厂房1栋，建筑面积4800平方米",
        "1500",
        "",
        [(0, 2)],
    ),
]


@transaction.atomic
def load_projects(start: dt.date) -> int:
    """The demo projects with their stages' dates; a project already registered is left alone."""
    from banhao.demo.licences import demo_accounts

    enterprises, _ = demo_accounts()
    made = 0
    for code, name, owner, kind, use, small, low_risk, location, scale, money, key, runs in PROJECTS:
        if Project.objects.filter(code=code).exists() or owner >= len(enterprises):
            continue
        project = services.project_register(
            actor=ACTOR,
            owner_organization_id=enterprises[owner].organization_id,
            data=services.ProjectData(
                code=code, name=name, investment_kind=kind, use_kind=use, location=location, scale=scale,
                total_investment=money, simple_low_risk=low_risk, small=small, key_level=key,
            ),
        )  # fmt: skip
        stage_runs = list(StageRun.objects.filter(project=project).order_by("stage__order"))
        for run, (opened, done) in zip(stage_runs, runs, strict=False):
            services.stage_run_record(
                actor=ACTOR,
                run=run,
                opened_on=add_workdays(start, opened) if opened else start,
                done_on=add_workdays(start, done) if done is not None else None,
            )
        made += 1
    return made


def load(today: dt.date) -> tuple[dict[str, int], int]:
    tracks = load_tracks()
    start = today - dt.timedelta(days=60)
    return tracks, load_projects(start)
