"""Issue 13, the monthly 红蓝榜 end to end in a real browser: a month of finished tickets and pad
ratings at each window (through the hall and evaluation services), the month computed with the
demo's window scheme, then the hall manager reviews and publishes the board on its page and the
hall's big screen and public page show it; the blue windows got their rectification tasks."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from banhao.assessment.compute import assessment_compute
from banhao.assessment.models import BoardRectification, ScoreSet
from banhao.demo import assessment as demo_schemes
from banhao.evaluation.api import rating_record_onsite
from banhao.evaluation.models import Rating
from banhao.hall.tests.factories import TicketFactory
from conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PERIOD = "2026-11"
# per window: the pad levels of its three visits — window 1 best, window 4 worst
LEVELS = {1: (5, 5, 5), 2: (5, 5, 2), 3: (4, 2, 1), 4: (1, 1, 1)}


@pytest.fixture
def month(live_server, hall, make_staff, settings):
    settings.BANHAO_HONOUR_BOARD = {**settings.BANHAO_HONOUR_BOARD, "red_top": 1, "blue_bottom": 1}
    demo_schemes.load()
    h = hall["hall"]
    # zone B for windows 3 and 4 (4 also serves A); the tickets are issued where each window calls
    zones = {1: "A", 2: "A", 3: "B", 4: "B"}
    for i, (n, levels) in enumerate(LEVELS.items()):
        for j, level in enumerate(levels):
            day = dt.date(2026, 11, 2 + i * 3 + j)  # Mon 2 … Fri 13 November, all working days
            now = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
            ticket = TicketFactory(hall, zone=zones[n], window=n, finished=True, now=now)
            rating, created = rating_record_onsite(
                ticket_id=ticket.pk,
                hall_id=h.pk,
                window_id=hall["windows"][n].pk,
                clerk_id=None,
                case_ids=[],
                level=level,
            )
            assert created
            Rating.objects.filter(pk=rating.id).update(created_at=now + dt.timedelta(minutes=20))
    assessment_compute(PERIOD)
    board = ScoreSet.objects.get(group=f"hall:{h.pk}", period=PERIOD)
    manager = make_staff("hall_manager", region="lanshan", hall=h)
    return {"url": live_server.url, "hall": hall, "board": board, "manager": manager}


def test_the_manager_publishes_the_month_and_the_big_screen_shows_it(browser, month):
    base, hall_id, board = month["url"], month["hall"]["hall"].pk, month["board"]
    labels = dict(board.scores.values_list("subject_id", "subject_label"))
    best, worst = labels[month["hall"]["windows"][1].pk], labels[month["hall"]["windows"][4].pk]
    # the hall's own screen and page name the hall once and each window by its number
    best_short, worst_short = "1号窗口", "4号窗口"

    # before publication: the screen shows no board, the public page says it is not published
    screen = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080}).new_page()
    screen.set_default_timeout(10_000)
    screen.goto(f"{base}/hall/{hall_id}/screen/")
    expect(screen.locator("#hs-led")).to_be_visible()
    screen.wait_for_load_state("networkidle")
    expect(screen.locator("#hs-honour")).to_be_hidden()

    # the manager signs in, opens 红蓝榜 from the workbench, reviews, then publishes
    page = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}).new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{base}/accounts/login/?next=/workbench/")
    page.fill("input[name=username]", month["manager"].username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    with page.expect_navigation():
        page.click("a:has-text('红蓝榜')")
    with page.expect_navigation():
        page.click(f"a[href='/assessment/boards/{board.pk}/']")
    expect(page.locator("#board-status")).to_have_text("草稿")
    first = page.locator("#board-rows tbody tr").first
    expect(first).to_contain_text(best)
    expect(first).to_contain_text("红榜")
    expect(page.locator("#board-rows tbody tr", has_text=worst)).to_contain_text("蓝榜")
    with page.expect_navigation():
        page.click("button:has-text('审核通过')")
    expect(page.locator("#board-status")).to_have_text("已审核")
    with page.expect_navigation():
        page.click("button:has-text('发布红蓝榜')")
    expect(page.locator("#board-status")).to_have_text("已发布")
    expect(page.locator("#board-rows tbody tr", has_text=worst)).to_contain_text("待整改")
    task = BoardRectification.objects.get(score_set=board)
    assert task.window_id == month["hall"]["windows"][4].pk

    # the big screen, reloaded (it also refreshes by itself), shows the published board
    screen.reload()
    expect(screen.locator("#hs-honour")).to_be_visible()
    expect(screen.locator("#hs-honour-title")).to_have_text("2026年11月窗口红蓝榜")
    expect(screen.locator("#hs-honour-red")).to_contain_text(best_short)
    expect(screen.locator("#hs-honour-blue")).to_contain_text(worst_short)

    # the public page on a phone, in 长辈版 too
    phone = browser.new_context(
        locale="zh-CN", viewport={"width": 375, "height": 740}, is_mobile=True
    ).new_page()
    phone.set_default_timeout(10_000)
    phone.goto(f"{base}/hall/{hall_id}/honour-board/")
    expect(phone.locator("#hb-red")).to_contain_text(best_short)
    expect(phone.locator("#hb-blue")).to_contain_text(worst_short)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1, width
    with phone.expect_navigation():
        phone.get_by_role("button", name="长辈版").first.click()
    assert "elder" in (phone.get_attribute("html", "class") or "")
    expect(phone.locator("#hb-blue")).to_contain_text(worst_short)  # back on the board, larger
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375 + 1

    # the manager sees the blue window's task with its countdown
    with page.expect_navigation():
        page.click("#board-rows tbody tr:has-text('待整改') a:has-text('待整改')")
    expect(page.locator("#task-countdown")).to_be_visible()
