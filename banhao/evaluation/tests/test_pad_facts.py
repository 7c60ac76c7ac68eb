"""Where a window visit's rating belongs: the department when every case handled at the visit is
that one department's (in the cases' region), else the hall's region and the hall row of
好差评公示."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from banhao.cases.models import Case
from banhao.evaluation import api, selectors
from banhao.evaluation.models import Rating
from banhao.hall.tests.factories import TicketFactory


def _this_month():
    today = timezone.localdate()
    return selectors.month_period(today.year, today.month)


def _rate(hall, window, case_ids, level=5):
    t = TicketFactory(hall, finished=True, window=window.number)
    info, created = api.rating_record_onsite(
        ticket_id=t.pk,
        hall_id=hall["hall"].pk,
        window_id=window.pk,
        clerk_id=None,
        case_ids=case_ids,
        level=level,
    )
    assert created
    return Rating.objects.get(pk=info.id)


def test_a_visit_for_one_department_rates_that_department_in_the_halls_region(hall, make_case):
    case = make_case()
    rating = _rate(hall, hall["windows"][1], [case.pk], level=4)
    assert rating.region_id == hall["hall"].region_id
    assert rating.department_id == case.department_id
    (row,) = selectors.rating_figures(period=_this_month(), region_ids=[hall["hall"].region_id])
    assert (row.department_id, row.hall_id, row.name) == (case.department_id, None, "兰山区行政审批服务局")
    assert row.ratings == 1 and row.satisfaction_rate == Decimal("100.00")


def test_two_cases_of_the_same_department_still_name_it(hall, make_case):
    a, b = make_case(key="a"), make_case(key="b")
    rating = _rate(hall, hall["windows"][1], [a.pk, b.pk, a.pk])
    assert rating.department_id == a.department_id
    assert sorted(rating.cases.values_list("pk", flat=True)) == sorted([a.pk, b.pk])


def test_a_visit_without_cases_keeps_the_hall_row_but_now_has_its_region(hall, regions):
    rating = _rate(hall, hall["windows"][2], [], level=2)
    assert rating.region_id == regions["lanshan"].pk and rating.department_id is None
    (row,) = selectors.rating_figures(period=_this_month(), region_ids=[regions["lanshan"].pk])
    assert (row.department_id, row.hall_id, row.name) == (None, hall["hall"].pk, "兰山区政务服务中心")
    assert row.bad == 1 and row.satisfaction_rate == Decimal("0.00")
    # counted for its county, not for another one
    assert selectors.rating_figures(period=_this_month(), region_ids=[regions["yinan"].pk]) == []


def test_a_visit_for_two_departments_names_none_and_counts_for_the_hall(hall, make_case, make_department):
    ours = make_case(key="ours")
    theirs = make_case(key="theirs")
    other = make_department("兰山区市场监督管理局", region="lanshan")
    Case.objects.filter(pk=theirs.pk).update(department_id=other.pk)  # a case of another department
    rating = _rate(hall, hall["windows"][1], [ours.pk, theirs.pk])
    assert rating.department_id is None and rating.region_id == hall["hall"].region_id
    (row,) = selectors.rating_figures(period=_this_month(), region_ids=[hall["hall"].region_id])
    assert row.hall_id == hall["hall"].pk and row.department_id is None


def test_the_department_row_and_the_hall_row_stay_apart(hall, make_case):
    case = make_case()
    _rate(hall, hall["windows"][1], [case.pk], level=5)
    _rate(hall, hall["windows"][2], [], level=1)
    rows = {(f.department_id, f.hall_id): f for f in selectors.rating_figures(period=_this_month())}
    assert set(rows) == {(case.department_id, None), (None, hall["hall"].pk)}
    assert rows[(case.department_id, None)].satisfied == 1 and rows[(None, hall["hall"].pk)].bad == 1


def test_a_second_tap_on_the_same_visit_changes_nothing(hall, make_case):
    case = make_case()
    first = _rate(hall, hall["windows"][1], [case.pk], level=5)
    info, created = api.rating_record_onsite(
        ticket_id=first.ticket_id,
        hall_id=hall["hall"].pk,
        window_id=hall["windows"][1].pk,
        clerk_id=None,
        case_ids=[],
        level=1,
    )
    assert not created and info.id == first.pk
    first.refresh_from_db()
    assert (first.level, first.department_id) == (5, case.department_id)
    assert Rating.objects.count() == 1


def test_a_case_taken_in_another_regions_hall_counts_where_its_department_is(
    hall, make_case, regions, make_department
):
    """通办: a 沂南县 case handled in the 兰山区 hall counts for the 沂南县 department, under 沂南县."""
    case = make_case()
    yinan = make_department("沂南县市场监督管理局", region="yinan")
    Case.objects.filter(pk=case.pk).update(department_id=yinan.pk, region_id=regions["yinan"].pk)
    rating = _rate(hall, hall["windows"][1], [case.pk])
    assert (rating.region_id, rating.department_id) == (regions["yinan"].pk, yinan.pk)
    (row,) = selectors.rating_figures(period=_this_month(), region_ids=[regions["yinan"].pk])
    assert row.department_id == yinan.pk
    assert selectors.rating_figures(period=_this_month(), region_ids=[regions["lanshan"].pk]) == []


@pytest.mark.parametrize("level", ["x", 0, 6])
def test_a_bad_level_records_nothing(hall, level):
    t = TicketFactory(hall, finished=True, window=1)
    with pytest.raises(ValidationError, match="请选择满意程度"):
        api.rating_record_onsite(
            ticket_id=t.pk,
            hall_id=hall["hall"].pk,
            window_id=hall["windows"][1].pk,
            clerk_id=None,
            case_ids=[],
            level=level,
        )
    assert Rating.objects.count() == 0
