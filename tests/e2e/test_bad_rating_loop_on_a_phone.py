"""Issue 12 end to end: a citizen rates a delivered case 非常不满意 with a reason on a phone; the
department's reviewer sees the rectification with its working-day deadline, records the
callback, the verdict and the measure and feeds back; the citizen sees the feedback from the
case's rating page and re-rates, which closes the rectification."""

import pytest

from banhao.cases import services as case_services
from banhao.cases.tests.factories import advance
from banhao.core.calendar import add_workdays
from banhao.evaluation.models import Rating, Rectification
from banhao.registry import services as registry
from conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def world(live_server, published_implementation, make_person, make_staff):
    impl, version = published_implementation
    person = make_person("371302", name="赵敏", phone="13700000007")
    user = registry.applicant_account_open(actor="测试", person=person, password=PASSWORD).user
    case, _ = case_services.case_create(
        actor=user,
        implementation=impl,
        version=version,
        region_id=impl.region_id,
        region_code="371302",
        department_id=impl.department_id,
        person_id=person.pk,
        contact_phone="13700000007",
        form_data={"org_name": "临沂某餐饮店"},
        applicant_user=user,
    )
    case = advance(case, delivered=True)
    reviewer = make_staff("reviewer", region="lanshan", department=impl.department, username="shenpi1")
    return {"url": live_server.url, "case": case, "reviewer": reviewer}


def login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 375


def test_a_bad_rating_on_a_phone_is_rectified_fed_back_and_re_rated(phone, browser, world):
    base, case = world["url"], world["case"]

    # the citizen rates the delivered case from its page, on a phone
    login(phone, base, "13700000007")
    phone.goto(f"{base}/cases/{case.number}/")
    with phone.expect_navigation():
        phone.click(f"a[href='/rate/case/{case.number}/']")
    assert no_sideways_scroll(phone)
    phone.check("input[name=level][value='1']")
    with phone.expect_navigation():
        phone.click("main button[type=submit]:has-text('提交评价')")
    # a bad level without a reason is refused in Chinese and nothing is saved
    assert "请至少选择一项原因" in phone.inner_text("main")
    assert not Rating.objects.filter(case_id=case.pk).exists()
    phone.check("input[name=level][value='1']")
    phone.check("input[name=reasons][value='repeat']")
    phone.fill("textarea[name=comment]", "跑了三次窗口才办完，每次都说缺材料")
    with phone.expect_navigation():
        phone.click("main button[type=submit]:has-text('提交评价')")
    rating = Rating.objects.get(case_id=case.pk, current=True)
    assert rating.level == 1 and rating.channel == Rating.Channel.MOBILE and rating.real_name
    rect = Rectification.objects.get(rating=rating)
    assert rect.due_on == add_workdays(rect.opened_on, 5)
    assert "差评整改" in phone.inner_text("main")

    # the department's reviewer sees it with its deadline and works it through
    staff = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    try:
        desk = staff.new_page()
        desk.set_default_timeout(10_000)
        login(desk, base, "shenpi1")
        desk.goto(f"{base}/evaluation/rectify/")
        row = desk.locator(f"tr:has-text('#{rect.pk}')")
        assert rect.due_on.strftime("%Y-%m-%d") in row.inner_text()
        with desk.expect_navigation():
            row.locator("a").first.click()
        assert "13700000007" not in desk.inner_text("main")  # the rater's phone stays masked
        desk.fill("input[name=answered_by]", "赵敏")
        desk.fill("textarea[name=summary]", "申请人反映三次被要求补材料")
        with desk.expect_navigation():
            desk.click("button:has-text('记录回访')")
        desk.check("input[name=substantiated][value=yes]")
        desk.fill("textarea[name=note]", "窗口未按清单一次性告知")
        with desk.expect_navigation():
            desk.click("button:has-text('记录核实结论')")
        desk.fill("textarea[name=measures]", "约谈窗口人员，按材料清单一次性告知")
        with desk.expect_navigation():
            desk.click("button:has-text('记录整改措施')")
        desk.fill("textarea[name=feedback]", "已整改并向您致歉，欢迎再次评价")
        with desk.expect_navigation():
            desk.click("button:has-text('反馈评价人')")
        assert "已反馈" in desk.inner_text("main")
    finally:
        staff.close()
    rect.refresh_from_db()
    assert rect.status == Rectification.Status.FED_BACK and rect.on_time is True

    # the citizen sees the result from the case's rating page and re-rates
    phone.goto(f"{base}/rate/case/{case.number}/")
    with phone.expect_navigation():
        phone.click("text=查看处理结果")
    main = phone.inner_text("main")
    assert "约谈窗口人员" in main and "已整改并向您致歉" in main
    assert no_sideways_scroll(phone)
    phone.check("input[name=level][value='4']")
    with phone.expect_navigation():
        phone.click("button:has-text('提交追评')")
    assert "您的追评" in phone.inner_text("main")
    rect.refresh_from_db()
    assert rect.status == Rectification.Status.CLOSED
    current = Rating.objects.get(case_id=case.pk, current=True)
    assert current.level == 4 and current.rerate_of_id == rating.pk
    assert Rating.objects.filter(pk=rating.pk, current=False).exists()  # kept, not deleted
