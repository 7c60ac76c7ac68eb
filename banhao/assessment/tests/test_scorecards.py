"""Scorecard pages: scope, drill-down to the facts, comparison over periods, the exports and
one's own scorecard."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from banhao.assessment.compute import assessment_compute
from banhao.assessment.models import Indicator, Scheme, SchemeVersion

pytestmark = pytest.mark.django_db


def scheme(kind):
    s = Scheme.objects.create(name=f"{kind}月度考核", subject_kind=kind, period_kind="month", example=True)
    v = SchemeVersion.objects.create(scheme=s, number=1, valid_from=dt.date(2026, 1, 1), status="published")
    Indicator.objects.create(
        version=v, key="bad_ratings", label="差评数", direction="lower", weight=40, full_at=0, zero_at=4
    )
    Indicator.objects.create(
        version=v,
        key="satisfaction_rate",
        label="满意率",
        direction="higher",
        weight=60,
        full_at=100,
        zero_at=80,
    )
    return s


@pytest.fixture
def world(hall, regions, make_staff):
    from banhao.evaluation.models import Rating
    from banhao.org.models import StaffMember

    scheme("window")
    scheme("staff")
    clerk_user = make_staff("window_clerk", region="lanshan", hall=hall["hall"], window=hall["windows"][1])
    clerk = StaffMember.objects.get(user=clerk_user)
    w1 = hall["windows"][1]
    ids = []
    for month, levels in ((10, (5, 5)), (11, (5, 1, 4))):
        for level in levels:
            r = Rating.objects.create(
                channel="hall_pad",
                level=level,
                window=w1,
                clerk=clerk,
                hall=hall["hall"],
                region=regions["lanshan"],
            )
            Rating.objects.filter(pk=r.pk).update(
                created_at=timezone.make_aware(dt.datetime(2026, month, 5, 10))
            )
            ids.append(r.pk)
    assessment_compute("2026-10")
    assessment_compute("2026-11")
    return {"w1": w1, "clerk": clerk, "clerk_user": clerk_user, "rating_ids": ids, **hall}


def test_a_supervisor_lists_the_windows_of_the_hall_with_ranks(client, world, make_staff):
    client.force_login(make_staff("supervisor", region="lanshan"))
    html = client.get("/assessment/scorecards/?kind=window&period=2026-11").content.decode()
    assert "兰山区政务服务中心 1号窗口" in html and "导出Excel" in html


def test_the_scorecard_shows_values_scores_and_the_last_six_months(client, world, make_staff):
    client.force_login(make_staff("hall_manager", region="lanshan"))
    r = client.get(f"/assessment/scorecards/window/{world['w1'].pk}/?period=2026-11")
    html = r.content.decode()
    assert r.status_code == 200
    assert "66.7 %" in html  # 2 of 3 satisfied
    assert "2026年6月" in html and "2026年11月" in html  # six columns, oldest first
    assert "100.0" in html  # October's satisfaction in the comparison


def test_another_countys_manager_and_a_department_head_get_404(client, world, make_staff, make_department):
    client.force_login(make_staff("hall_manager", region="yinan"))
    assert client.get(f"/assessment/scorecards/window/{world['w1'].pk}/?period=2026-11").status_code == 404
    dept = make_department("兰山区行政审批服务局", region="lanshan")
    client.force_login(make_staff("department_head", region="lanshan", department=dept))
    assert client.get(f"/assessment/scorecards/window/{world['w1'].pk}/?period=2026-11").status_code == 404
    client.force_login(make_staff("window_clerk", region="lanshan"))
    assert client.get(f"/assessment/scorecards/window/{world['w1'].pk}/").status_code == 403


def test_drill_down_lists_the_ratings_counted(client, world, make_staff):
    client.force_login(make_staff("supervisor", region="lanshan"))
    html = client.get(
        f"/assessment/scorecards/window/{world['w1'].pk}/facts/bad_ratings/?period=2026-11"
    ).content.decode()
    bad = world["rating_ids"][3]
    assert f"评价 #{bad}" in html and "非常不满意" in html
    assert f"评价 #{world['rating_ids'][2]}" not in html  # a good rating is not a bad-rating fact
    assert (
        client.get(f"/assessment/scorecards/window/{world['w1'].pk}/facts/nope/?period=2026-11").status_code
        == 404
    )


def test_exports_open_as_xlsx_and_pdf(client, world, make_staff):
    client.force_login(make_staff("supervisor", region="lanshan"))
    url = f"/assessment/scorecards/window/{world['w1'].pk}/?period=2026-11"
    wb = load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content))
    assert wb.sheetnames == ["本期明细", "各期对比"]
    rows = [[c.value for c in r] for r in wb["本期明细"].iter_rows()]
    assert ["满意率", "%", "越高越好", 60, 100, 80, 66.7, 0, 3] in rows
    pdf = client.get(url + "&format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    lst = load_workbook(
        io.BytesIO(client.get("/assessment/scorecards/?kind=window&period=2026-11&format=xlsx").content)
    )
    assert any("1号窗口" in str(c.value) for r in lst.active.iter_rows() for c in r)


def test_a_clerk_sees_their_own_scorecard_and_its_facts(client, world):
    client.force_login(world["clerk_user"])
    html = client.get("/assessment/mine/?period=2026-11").content.decode()
    assert world["clerk"].name in html and "66.7 %" in html
    facts = client.get("/assessment/mine/facts/satisfaction_rate/?period=2026-11").content.decode()
    assert facts.count("评价 #") == 3


def test_own_scorecard_needs_a_login_and_a_staff_member(client, world, applicant):
    assert client.get("/assessment/mine/").status_code == 302
    client.force_login(applicant["user"])
    assert client.get("/assessment/mine/").status_code == 403


def test_a_bad_period_is_a_404_in_chinese(client, world, make_staff):
    client.force_login(make_staff("supervisor", region="lanshan"))
    assert client.get(f"/assessment/scorecards/window/{world['w1'].pk}/?period=2026-13").status_code == 404


def test_tiles_lead_to_the_scorecards(client, make_staff):
    from banhao.portal.platform_map import ROLE_TASKS, resolve

    assert "考核评分" in [r.title for r in resolve(ROLE_TASKS["supervisor"])]
    assert "红黑榜" in [r.title for r in resolve(ROLE_TASKS["supervisor"])]  # the boards exist
    assert "我的考核" in [r.title for r in resolve(ROLE_TASKS["window_clerk"])]


def test_manual_items_are_asked_on_the_page_and_approved_by_another_supervisor(client, world, make_staff):
    from banhao.assessment.models import ManualItem

    asker, other = make_staff("supervisor", region="lanshan"), make_staff("supervisor", region="lanshan")
    window_scheme = Scheme.objects.get(subject_kind="window")
    client.force_login(asker)
    form = {
        "scheme": window_scheme.pk,
        "subject": world["w1"].pk,
        "period": "2026-11",
        "kind": "deduction",
        "points": "3",
    }
    r = client.post("/assessment/manual/", {**form, "reason": ""})
    assert r.status_code == 400 and "请填写加减分事由" in r.content.decode()
    assert not ManualItem.objects.exists()
    client.post("/assessment/manual/", {**form, "reason": "工作时间脱岗"})
    item = ManualItem.objects.get()
    assert "本人申请，须由他人审批" in client.get("/assessment/manual/").content.decode()
    client.post(f"/assessment/manual/{item.pk}/decide/", {"decision": "approve"})
    item.refresh_from_db()
    assert item.status == "pending"  # one's own request stays pending
    client.force_login(other)
    client.post(f"/assessment/manual/{item.pk}/decide/", {"decision": "approve"})
    item.refresh_from_db()
    assert item.status == "approved" and item.decided_by == other
    assessment_compute("2026-11")
    html = client.get(f"/assessment/scorecards/window/{world['w1'].pk}/?period=2026-11").content.decode()
    assert "工作时间脱岗" in html and "-3.0" in html
    client.force_login(make_staff("hall_manager", region="lanshan"))
    assert client.post(f"/assessment/manual/{item.pk}/decide/", {"decision": "refuse"}).status_code == 403


def test_the_list_opens_on_the_running_month_when_only_its_draft_was_computed(client, hall, make_staff):
    """As in the demo: nothing computed for last month, this month's draft computed — the page
    opens on this month's scores rather than on 「尚未计算」; once last month is computed it wins."""
    from banhao.assessment.periods import period_containing

    scheme("window")
    today = timezone.localdate()
    running = period_containing("month", today)
    assessment_compute(running.code, today=today)
    client.force_login(make_staff("supervisor", region="lanshan"))
    html = client.get("/assessment/scorecards/?kind=window").content.decode()
    assert running.label in html and "尚未计算" not in html
    closed = running.previous()
    assessment_compute(closed.code)
    assert closed.label in client.get("/assessment/scorecards/?kind=window").content.decode()
