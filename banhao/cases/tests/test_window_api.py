"""The cases side of the hall's windows: which items a hall may accept, the window's case in one
transaction, the collector's ID check and the hand-over."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from banhao.cases import api, services
from banhao.cases.models import CaseEvent
from banhao.catalog import services as catalog
from banhao.core.digests import resident_id_digest
from banhao.core.identifiers import make_resident_id
from banhao.org.api import scope_for_user
from conftest import sample_content

pytestmark = pytest.mark.django_db


def publish(content, region_code, department):
    version, _ = catalog.standard_save(actor="测试", data=content)
    version = catalog.version_publish(actor="测试", version=version)
    impl, _ = catalog.implementation_save(
        actor="测试", standard=version.item, region_code=region_code, department=department
    )
    return catalog.implementation_publish(actor="测试", implementation=impl)


@pytest.fixture
def yinan(catalog_city):
    return {
        scope: publish(
            sample_content(
                basic_code=f"3713010099{i:02d}",
                name=f"测试事项{i}",
                sub_item_name=f"测试事项{i}",
                scope=scope,
            ),
            "371321",
            "沂南县行政审批服务局",
        )
        for i, scope in enumerate(["全市通办", "全省通办", "全县通办", ""], 1)
    }


def test_the_halls_own_region_always_accepts(published_implementation):
    impl, _ = published_implementation
    item = api.window_item(impl.pk, hall_region_id=impl.region_id)
    assert item.label == "本级受理" and not item.cross_region
    assert item.department_id == impl.department_id


def test_another_county_accepts_only_city_wide_or_wider(yinan, regions):
    lanshan = regions["lanshan"].pk
    assert api.window_item(yinan["全市通办"].pk, hall_region_id=lanshan).label == "全市通办"
    assert api.window_item(yinan["全省通办"].pk, hall_region_id=lanshan).label == "全市通办"
    for scope in ("全县通办", ""):
        with pytest.raises(api.WindowItemRefused) as refused:
            api.window_item(yinan[scope].pk, hall_region_id=lanshan)
        assert "沂南县" in refused.value.messages[0] and "不能全市通办" in refused.value.messages[0]


def test_county_wide_items_are_accepted_only_inside_their_county(yinan, regions):
    # the city's hall is above the county, not inside it: 全县通办 does not reach it
    with pytest.raises(api.WindowItemRefused):
        api.window_item(yinan["全县通办"].pk, hall_region_id=regions["city"].pk)
    assert api.window_item(yinan["全县通办"].pk, hall_region_id=regions["yinan"].pk).label == "本级受理"


def test_an_unpublished_implementation_is_not_offered(catalog_city):
    version, _ = catalog.standard_save(actor="测试", data=sample_content(basic_code="371301009999"))
    version = catalog.version_publish(actor="测试", version=version)
    impl, _ = catalog.implementation_save(
        actor="测试", standard=version.item, region_code="371302", department="兰山区行政审批服务局"
    )
    assert api.window_item(impl.pk, hall_region_id=impl.region_id) is None


@pytest.fixture
def clerk(make_staff):
    return make_staff("window_clerk", region="lanshan")


def _ready(make_case, make_staff):
    case = make_case()
    reviewer = make_staff("reviewer", region="lanshan", department=case.department)
    case = services.case_accept(actor=reviewer, case=case)
    case = services.case_claim(actor=reviewer, case=case)
    case = services.case_decide(actor=reviewer, case=case, approved=True, reason="符合条件")
    return services.case_result_ready(actor=reviewer, case=case)


def test_the_collector_check_refuses_a_mismatch_and_digests_the_id(make_case, make_staff):
    case = _ready(make_case, make_staff)
    other = make_resident_id("37130219700101009")
    with pytest.raises(ValidationError) as wrong:
        api.pickup_collector(case.pk, relation="self", resident_id=other)
    assert "resident_id" in wrong.value.message_dict
    collector = api.pickup_collector(case.pk, relation="self", resident_id=case.person.resident_id)
    assert collector.name == case.person.name and collector.relation == "self"
    assert collector.id_sha256 != case.person.resident_id and len(collector.id_sha256) == 64
    again = api.pickup_collector(case.pk, relation="self", resident_id=case.person.resident_id.lower())
    assert again.id_sha256 == collector.id_sha256
    # the same keyed digest the hall's tickets match double taps on (banhao.core.digests)
    assert collector.id_sha256 == resident_id_digest(case.person.resident_id)


def test_a_result_is_handed_over_once(make_case, make_staff):
    case = _ready(make_case, make_staff)
    clerk = make_staff("window_clerk", region="lanshan")
    row = api.pickup_hand_over(actor=clerk, case_id=case.pk)
    assert row.status == "concluded"
    with pytest.raises(ValidationError):
        api.pickup_hand_over(actor=clerk, case_id=case.pk)
    assert CaseEvent.objects.filter(case=case, action="deliver").count() == 1


def test_the_pickup_list_keeps_to_the_scope(make_case, make_staff):
    case = _ready(make_case, make_staff)
    here = scope_for_user(make_staff("window_clerk", region="lanshan"))
    there = scope_for_user(make_staff("window_clerk", region="yinan"))
    rows, total = api.pickup_list(here)
    assert total == 1 and rows[0].number == case.number and rows[0].decision == "准予许可"
    assert api.pickup_list(there) == ([], 0)
    assert api.pickup_case(there, case.number) is None
    assert api.pickup_list(here, case.number[-5:])[1] == 1
