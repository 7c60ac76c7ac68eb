"""Issue 5 end to end in a real browser: take a ticket at the kiosk, call it at a window, see
the call on the hall's big screen, accept an application for it, finish, rate the service on
the window's pad. Every step goes through the pages a hall would use."""

import pytest
from playwright.sync_api import expect

from banhao.cases.models import Case, Status
from banhao.evaluation.models import Rating
from banhao.evaluation.views import pad_key
from banhao.hall.models import Ticket
from banhao.hall.tests.test_acceptance import personal, publish
from conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def world(live_server, hall, catalog_city, make_person, make_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    impl = publish(
        personal("000201099000", "城乡居民养老保险参保登记", "临沂市行政审批服务局"),
        "371302",
        "兰山区行政审批服务局",
    )
    person = make_person("371302", name="李秀英", phone="13800000007")
    clerk = make_staff("window_clerk", region="lanshan", hall=hall["hall"], window=hall["windows"][1])
    return {"url": live_server.url, "hall": hall, "impl": impl, "person": person, "clerk": clerk}


def test_kiosk_ticket_called_at_a_window_shown_on_the_screen_accepted_and_rated(browser, world):
    base, hall = world["url"], world["hall"]
    hall_id, window = hall["hall"].pk, hall["windows"][1]

    # 1. the kiosk: choose the business, swipe the ID card (the reader types the number)
    kiosk = browser.new_context(
        locale="zh-CN", viewport={"width": 1080, "height": 1920}, has_touch=True
    ).new_page()
    kiosk.goto(f"{base}/hall/{hall_id}/kiosk/")
    with kiosk.expect_navigation():
        kiosk.click("a.kk-tile:has-text('市场准入')")
    kiosk.fill("input[name=resident_id]", world["person"].resident_id)
    with kiosk.expect_navigation():
        kiosk.click("button:has-text('取号')")
    expect(kiosk.locator("#kk-number")).to_have_text("A001")
    assert "前方等待" in kiosk.inner_text("main")
    assert world["person"].resident_id not in kiosk.content()  # only the masked ID is shown
    ticket = Ticket.objects.get()
    assert ticket.person_id == world["person"].pk

    # 2. the big screen is up before the call
    screen = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080}).new_page()
    screen.goto(f"{base}/hall/{hall_id}/screen/")
    expect(screen.locator("#hs-led")).to_contain_text("欢迎光临")

    # 3. the clerk calls the next ticket at window 1
    desk = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}).new_page()
    desk.set_default_timeout(10_000)
    desk.goto(f"{base}/accounts/login/?next=/hall/desk/")
    desk.fill("input[name=username]", world["clerk"].username)
    desk.fill("input[name=password]", PASSWORD)
    with desk.expect_navigation():
        desk.click("main button[type=submit]")
    desk.click("button:has-text('呼叫下一位')")
    expect(desk.locator(".hall-desk__number")).to_have_text("A001")

    # 4. the screen shows the call within 2 seconds, without a reload
    expect(screen.locator("#hs-led")).to_contain_text("请A001到1号窗口", timeout=2_000)

    # 5. comprehensive acceptance for this ticket
    with desk.expect_navigation():
        desk.click("a:has-text('受理申请')")
    desk.fill("input[name=q]", "养老保险")
    with desk.expect_navigation():
        desk.press("input[name=q]", "Enter")
    with desk.expect_navigation():
        desk.click(f"a[href='/hall/desk/accept/item/{world['impl'].pk}/']")
    expect(desk.locator("main")).to_contain_text("已核验：李秀英")  # the ticket's person, from the registry
    for name, how in (("申请表", "paper"), ("户口簿", "paper"), ("居民身份证", "shared")):
        item = desk.locator("li[data-material]", has_text=name)
        item.locator("select[data-how]").select_option(how)
    desk.fill("input[name=f_reason]", "首次参保")
    desk.check("input[name=outcome][value=accept]")
    with desk.expect_navigation():
        desk.click("button:has-text('确认并生成办件')")
    case = Case.objects.get()
    assert case.status == Status.ACCEPTED and case.channel == "window"
    assert case.department.name == "兰山区行政审批服务局"
    expect(desk.locator("main")).to_contain_text(case.number)

    # 6. finish at the desk; the pad on the window asks for a rating
    desk.goto(f"{base}/hall/desk/")
    desk.click("button[name=action][value=finish]")
    expect(desk.locator("main")).to_contain_text("A001号已办结")
    pad = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 800}, has_touch=True
    ).new_page()
    pad.goto(f"{base}/hall/desk/pad/{window.pk}/?key={pad_key(window.pk)}")
    expect(pad.locator("h1")).to_have_text("请对本次服务作出评价")
    pad.click("button[name=level][value='5']")
    expect(pad.locator(".hall-pad__thanks")).to_contain_text("非常满意")

    rating = Rating.objects.get()
    assert rating.level == 5 and rating.window_id == window.pk
    assert rating.clerk_id == world["clerk"].staff.pk and rating.ticket_id == ticket.pk
    assert list(rating.cases.values_list("pk", flat=True)) == [case.pk]
    assert Ticket.objects.get().status == "done"
