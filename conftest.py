"""Fixtures shared by every test."""

import pytest


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """Each test sees the calendar of its own database state, never a table left by another."""
    from banhao.core import calendar

    calendar.reset_cache()
    yield
    calendar.reset_cache()


PASSWORD = "Test@Pass2026"


@pytest.fixture
def run_tasks():
    """run_tasks() -> runs every ready background task in this process with django-tasks-db's
    own worker loop (what `manage.py db_worker --batch` does), inside the test's transaction.

    The worker's connection housekeeping is switched off (it would close the test's connection),
    with a patch of its own, so a test's monkeypatch.undo() leaves it in place."""
    from django_tasks_db.management.commands import db_worker

    def run() -> None:
        db_worker.Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="pytest",
            excluded_queue_names=[],
        ).run()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(db_worker, "close_old_connections", lambda: None)
        yield run


@pytest.fixture
def regions(db):
    """Linyi city with two of its counties (兰山区, 沂南县)."""
    from banhao.org import services

    city = services.region_ensure(actor="测试", code="371300", name="临沂市", level="city")
    lanshan = services.region_ensure(
        actor="测试", code="371302", name="兰山区", level="district", parent=city
    )
    yinan = services.region_ensure(actor="测试", code="371321", name="沂南县", level="county", parent=city)
    return {"city": city, "lanshan": lanshan, "yinan": yinan}


@pytest.fixture
def make_department(regions):
    from banhao.core.identifiers import make_org_code, make_uscc
    from banhao.org import services

    counter = iter(range(10_000_000, 99_999_999))

    def make(name, region="city"):
        region_obj = regions[region]
        code = make_uscc("1", "1", region_obj.code, make_org_code(str(next(counter))))
        return services.department_ensure(actor="测试", name=name, credit_code=code, region=region_obj)

    return make


@pytest.fixture
def make_staff(regions):
    """make_staff("window_clerk", region="lanshan", department=None, username=None) -> User."""
    from banhao.org import services

    counter = iter(range(1, 10_000))

    def make(role, region="city", department=None, username=None, hall=None, window=None):
        n = next(counter)
        member = services.staff_member_create(
            actor="测试",
            username=username or f"{role}{n}",
            password=PASSWORD,
            name=f"{role}{n}",
            employee_no=f"T{n:05d}",
            role=role,
            region=regions[region],
            department=department,
            hall=hall,
            window=window,
        )
        return member.user

    return make


@pytest.fixture
def make_person(regions):
    """make_person("371302", name="张三") -> Person with a valid ID from that division code."""
    from banhao.core.identifiers import make_resident_id
    from banhao.registry import services

    counter = iter(range(1, 999))

    def make(division="371302", name="张三", phone=""):
        number = make_resident_id(f"{division}19800101{next(counter):03d}")
        return services.person_register(actor="测试", name=name, resident_id=number, phone=phone)

    return make


def sample_content(**overrides):
    """A valid standard text's content (the shape of banhao/demo/catalog.json), for tests."""
    data = {
        "basic_code": "371301002301",
        "handling_code": "01",
        "name": "食品经营许可",
        "sub_item_name": "食品经营许可",
        "handling_name": "新办",
        "item_type": "01",
        "zone": "market",
        "department": "临沂市行政审批服务局",
        "level": "7",
        "service_objects": ["企业法人", "非法人企业"],
        "themes": ["开办", "经营"],
        "keywords": ["开饭店", "餐饮许可"],
        "legal_bases": [
            {
                "law": "中华人民共和国食品安全法",
                "article": "第三十五条",
                "text": "从事食品经营应当依法取得许可。",
            }
        ],
        "conditions": "已取得营业执照，具有与经营的食品品种、数量相适应的场所和设施。",
        "situations": [{"key": "agent", "question": "是否委托他人办理？", "answer": "是"}],
        "materials": [
            {
                "name": "食品经营许可申请书",
                "required": True,
                "medium": "both",
                "copy": "原件",
                "copies": 1,
                "pages": 2,
                "source": "申请人自备",
                "standard": "填写完整并签字盖章",
                "has_blank_form": True,
                "has_sample": True,
            },
            {
                "name": "营业执照",
                "required": True,
                "medium": "electronic",
                "copy": "原件",
                "copies": 1,
                "pages": None,
                "source": "政府部门核发",
                "standard": "在有效期内",
                "shared": True,
                "licence_type": "营业执照",
            },
            {
                "name": "授权委托书",
                "required": True,
                "medium": "paper",
                "copy": "原件",
                "copies": 1,
                "pages": 1,
                "source": "申请人自备",
                "standard": "载明委托事项和权限",
                "situation": "agent",
            },
        ],
        "steps": [
            {"name": "受理", "role": "窗口受理人员", "share": 20},
            {"name": "审查", "role": "后台审批人员", "share": 50},
            {"name": "决定", "role": "部门负责人", "share": 30},
        ],
        "fee": {"free": True},
        "statutory_days": 10,
        "promised_days": 5,
        "case_type": "promised",
        "visits": 1,
        "visit_reason": "需现场核查经营场所",
        "online_depth": "3",
        "booking": True,
        "post": True,
        "online_payment": False,
        "scope": "全市通办",
        "result_name": "食品经营许可证",
        "result_is_licence": True,
        "result_delivery": "窗口领取、邮寄送达、电子证照",
        "consult_phone": "0539-8100001",
        "complaint_phone": "12345",
        "faq": [{"q": "只卖预包装食品需要许可吗？", "a": "仅销售预包装食品的，办理备案即可。"}],
        "form_fields": [
            {
                "key": "org_name",
                "label": "经营者名称",
                "type": "text",
                "required": True,
                "prefill": "org.name",
            },
            {
                "key": "credit_code",
                "label": "统一社会信用代码",
                "type": "credit_code",
                "prefill": "org.credit_code",
            },
            {"key": "address", "label": "经营场所", "type": "address"},
            {
                "key": "category",
                "label": "经营项目",
                "type": "choice",
                "choices": ["热食类", "冷食类", "预包装食品"],
            },
            {"key": "agent_id", "label": "经办人身份证号", "type": "resident_id", "situation": "agent"},
        ],
    }
    data.update(overrides)
    return data


@pytest.fixture
def catalog_city(regions, make_department):
    """Regions plus the departments the sample content names, in the city and in 兰山区."""
    make_department("临沂市行政审批服务局")
    make_department("临沂市市场监督管理局")
    make_department("兰山区行政审批服务局", region="lanshan")
    make_department("沂南县行政审批服务局", region="yinan")
    return regions


@pytest.fixture
def published_implementation(catalog_city):
    """A published standard text (promised 5, statutory 10 working days) implemented in 兰山区."""
    import datetime as dt

    from banhao.catalog import services

    version, _ = services.standard_save(actor="测试", data=sample_content())
    services.version_publish(actor="测试", version=version, effective_from=dt.date(2026, 1, 1))
    impl, _ = services.implementation_save(
        actor="测试", standard=version.item, region_code="371302", department="兰山区行政审批服务局"
    )
    services.implementation_publish(actor="测试", implementation=impl)
    impl.refresh_from_db()
    version.refresh_from_db()
    return impl, version


@pytest.fixture
def make_case(published_implementation, make_person):
    """make_case(key="k1", user=None) -> a submitted case of the published implementation."""
    from banhao.cases import services

    impl, version = published_implementation
    person = make_person("371302", name="王芳", phone="13800000001")

    def make(key="", user=None):
        case, _ = services.case_create(
            actor=user or "测试",
            implementation=impl,
            version=version,
            region_id=impl.region_id,
            region_code="371302",
            department_id=impl.department_id,
            person_id=person.pk,
            contact_phone="13800000001",
            form_data={"org_name": "临沂某餐饮店"},
            idempotency_key=key,
        )
        return case

    return make


@pytest.fixture
def CaseFactory(make_case):
    """CaseFactory(key="", user=None, **traits) -> a case of the published implementation brought
    to the named life-cycle state through the real services (banhao/cases/tests/factories.py)."""
    from banhao.cases.tests.factories import advance

    def make(key="", user=None, **traits):
        return advance(make_case(key=key, user=user), **traits)

    return make


@pytest.fixture
def hall(regions):
    """兰山区政务服务中心 with zones A 市场准入, B 社会事务, G 统一出件 (and F self-service, no
    tickets), windows 1–2 in A, 3 in B, 4 in B that also calls A, and 9 the pickup window.

    Returns a dict: hall, zones (by letter), windows (by number)."""
    from banhao.org import services

    h = services.hall_ensure(
        actor="测试", name="兰山区政务服务中心", region=regions["lanshan"], address="兰山区（测试）"
    )
    zones = {
        "A": services.zone_ensure(actor="测试", hall=h, kind="market", letter="A", order=1),
        "B": services.zone_ensure(actor="测试", hall=h, kind="social", letter="B", order=2),
        "F": services.zone_ensure(
            actor="测试",
            hall=h,
            kind="self_service",
            letter="F",
            order=3,
            bookable=False,
            takes_tickets=False,
        ),
        "G": services.zone_ensure(actor="测试", hall=h, kind="pickup", letter="G", order=4, bookable=False),
    }
    windows = {
        n: services.window_ensure(actor="测试", hall=h, zone=zones[z], number=n, kind=kind)
        for n, z, kind in [
            (1, "A", "comprehensive"),
            (2, "A", "comprehensive"),
            (3, "B", "comprehensive"),
            (4, "B", "comprehensive"),
            (9, "G", "pickup"),
        ]
    }
    windows[4].skills.add(zones["A"])
    return {"hall": h, "zones": zones, "windows": windows}


def parse_source(path):
    """ast.parse of a source file, for the tests that read the code itself. CPython 3.11 before
    3.11.8 may raise a spurious "AST constructor recursion depth mismatch" SystemError when
    another thread (a live server's request thread left from a browser test) builds an AST at
    the same moment (python/cpython#106905): parse again; a real syntax problem still raises."""
    import ast
    from pathlib import Path

    source = Path(path).read_text(encoding="utf-8")
    for attempt in range(3):
        try:
            return ast.parse(source, filename=str(path))
        except SystemError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
