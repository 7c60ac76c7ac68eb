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
