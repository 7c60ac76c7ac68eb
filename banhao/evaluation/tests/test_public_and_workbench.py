"""The rating figures on a small known set (excluded, default, re-rated and other-month ratings
included), the public 好差评公示 page, the supervisor's workbench and the department's view
with their scope, and the registry of workbench sources."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from banhao.evaluation import complaints, selectors, summary
from banhao.evaluation.models import Rating, Rectification
from banhao.org.models import Department

pytestmark = pytest.mark.django_db

NOV = selectors.month_period(2026, 11)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=timezone.get_current_timezone())


def _rating(dept, level, day=dt.date(2026, 11, 10), **kw):
    r = Rating.objects.create(
        channel=kw.pop("channel", "pc"), level=level, department=dept, region=dept.region, **kw
    )
    Rating.objects.filter(pk=r.pk).update(created_at=_at(day))
    return r


def _rectification(rating, status, on_time):
    return Rectification.objects.create(
        rating=rating,
        department=rating.department,
        region=rating.region,
        status=status,
        opened_on=dt.date(2026, 11, 10),
        due_on=dt.date(2026, 11, 17),
        on_time=on_time,
    )


@pytest.fixture
def known_set(catalog_city):
    lanshan = Department.objects.get(name="兰山区行政审批服务局")
    yinan = Department.objects.get(name="沂南县行政审批服务局")
    for level in (5, 4, 3):
        _rating(lanshan, level)
    bad_fixed = _rating(lanshan, 2, real_name=True)
    _rectification(bad_fixed, Rectification.Status.CLOSED, True)
    bad_late = _rating(lanshan, 1, real_name=True)
    _rectification(bad_late, Rectification.Status.FED_BACK, False)
    bad_open = _rating(lanshan, 1, real_name=True)
    _rectification(bad_open, Rectification.Status.OPEN, None)
    _rating(lanshan, 1, excluded=True, excluded_reason="申诉成立：恶意差评")  # not counted
    _rating(lanshan, 4, channel="default", is_default=True)  # counted apart
    _rating(lanshan, 4, channel="default", is_default=True)
    _rating(lanshan, 2, current=False)  # replaced by a re-rating: not counted
    _rating(lanshan, 5, day=dt.date(2026, 10, 31))  # another month
    _rating(yinan, 1)  # another region
    return {"lanshan": lanshan, "yinan": yinan}


def test_the_figures_follow_the_definitions_on_a_known_set(known_set):
    (row,) = selectors.rating_figures(period=NOV, region_ids=[known_set["lanshan"].region_id])
    assert row.name == "兰山区行政审批服务局"
    assert (
        row.ratings,
        row.satisfied,
        row.bad,
        row.bad_rectified,
        row.bad_rectified_on_time,
        row.default_ratings,
    ) == (
        6,
        3,
        3,
        2,
        1,
        2,
    )
    assert row.satisfaction_rate == Decimal("50.00")
    assert row.rectification_rate == Decimal("66.67")
    everywhere = selectors.rating_figures(period=NOV)
    assert {f.name: f.bad for f in everywhere} == {"兰山区行政审批服务局": 3, "沂南县行政审批服务局": 1}
    year = selectors.rating_figures(
        period=selectors.year_period(2026), region_ids=[known_set["lanshan"].region_id]
    )
    assert year[0].ratings == 7  # October's rating is in the year


def test_the_default_ratings_can_be_counted_in_the_satisfaction_rate(known_set, settings):
    settings.BANHAO_SATISFACTION_COUNTS_DEFAULT = True
    (row,) = selectors.rating_figures(period=NOV, region_ids=[known_set["lanshan"].region_id])
    assert row.satisfaction_rate == Decimal("62.50")  # (3 + 2) / (6 + 2)


def test_window_ratings_without_a_department_count_for_their_hall(hall):
    r = Rating.objects.create(channel="hall_pad", level=5, hall=hall["hall"])
    Rating.objects.filter(pk=r.pk).update(created_at=_at(dt.date(2026, 11, 3)))
    (row,) = selectors.rating_figures(period=NOV, region_ids=[hall["hall"].region_id])
    assert (
        row.name == "兰山区政务服务中心" and row.ratings == 1 and row.satisfaction_rate == Decimal("100.00")
    )


def test_anyone_can_read_the_public_page_for_a_region_and_month(client, known_set):
    url = reverse("evaluation_public:figures")
    html = client.get(url, {"region": "371302", "month": "2026-11"}).content.decode()
    assert "2026年11月" in html and "兰山区行政审批服务局" in html and "50.00%" in html
    assert "沂南县行政审批服务局" not in html
    other = client.get(url, {"region": "371321", "month": "2026-11"}).content.decode()
    assert "沂南县行政审批服务局" in other and "兰山区行政审批服务局" not in other
    assert client.get(url, {"region": "x", "month": "9999-99"}).status_code == 200  # bad input: the defaults
    assert 'href="/evaluation/public/"' in client.get(reverse("portal:home")).content.decode()  # the footer


def test_the_workbench_needs_a_supervisor_and_keeps_to_the_region(client, known_set, make_staff, applicant):
    lanshan = known_set["lanshan"]
    c = complaints.complaint_file(
        actor="网上投诉",
        source="online",
        department_id=lanshan.pk,
        subject_kind="department",
        content="办理营业执照超过承诺时限仍未办结。",
        complainant_name="张三",
        complainant_phone="13900000001",
    )
    url = reverse("evaluation_office:workbench")
    assert client.get(url).status_code == 302  # anonymous: to the login
    client.force_login(applicant["user"])
    assert client.get(url).status_code == 403
    client.force_login(make_staff("supervisor", region="lanshan"))
    html = client.get(url).content.decode()
    assert c.number in html and "差评整改" in html and "效能投诉" in html and "差评申诉复核" in html
    assert 'href="/evaluation/rectify/' in html  # the open rectifications link to their pages
    assert "剩余2个工作日" in html  # the acceptance deadline of a complaint filed today
    client.force_login(make_staff("supervisor", region="yinan"))
    html = client.get(url).content.decode()
    assert c.number not in html and "兰山区行政审批服务局" not in html and "差评整改 #" not in html


def test_the_department_head_sees_its_own_rectifications_and_complaints(
    client, known_set, make_staff, make_department
):
    lanshan = known_set["lanshan"]
    other = make_department("兰山区人力资源和社会保障局", region="lanshan")
    mine = complaints.complaint_file(
        actor="x",
        source="online",
        department_id=lanshan.pk,
        subject_kind="department",
        content="窗口推诿，不给一次性告知。",
        complainant_name="张三",
        complainant_phone="13900000001",
    )
    theirs = complaints.complaint_file(
        actor="x",
        source="online",
        department_id=other.pk,
        subject_kind="department",
        content="社保窗口长时间无人。",
        complainant_name="李四",
        complainant_phone="13900000002",
    )
    client.force_login(make_staff("department_head", region="lanshan", department=lanshan))
    html = client.get(reverse("evaluation_office:department")).content.decode()
    assert mine.number in html and theirs.number not in html
    assert "差评整改 #" in html  # the open rectification of its bad rating
    client.force_login(make_staff("department_head", region="lanshan", department=other))
    html = client.get(reverse("evaluation_office:department")).content.decode()
    assert theirs.number in html and mine.number not in html and "差评整改 #" not in html
    assert client.get(reverse("evaluation_office:workbench")).status_code == 403


def test_a_registered_source_shows_on_the_workbench_with_its_countdown(client, regions, make_staff):
    today = timezone.localdate()

    def collect(scope, today_, limit):
        return summary.Counts(
            1, 1, 0, (summary.Item("回访 #7", None, today - dt.timedelta(days=7), "待回访"),)
        )

    summary.register_source("test_callbacks", "12345回访", collect, order=5)
    try:
        client.force_login(make_staff("supervisor", region="lanshan"))
        html = client.get(reverse("evaluation_office:workbench")).content.decode()
        assert "12345回访" in html and "回访 #7" in html and "已超期" in html
    finally:
        summary._SOURCES.pop("test_callbacks")


def test_countdowns_count_working_days():
    monday = dt.date(2026, 11, 2)
    assert summary.Countdown.of(dt.date(2026, 11, 9), monday).text == "剩余5个工作日"
    assert summary.Countdown.of(monday, monday).text == "今日到期"
    assert summary.Countdown.of(dt.date(2026, 10, 30), monday).text == "超期1个工作日"
    # the Saturday after a Friday deadline: overdue, though no working day has passed yet
    saturday = summary.Countdown.of(dt.date(2026, 11, 6), dt.date(2026, 11, 7))
    assert saturday.text == "已超期" and saturday.tone == "danger"
