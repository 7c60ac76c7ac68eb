"""红蓝榜: the board's life cycle and its refused steps, the red/blue rule, the blue list's
rectification tasks (opened once), the public page and the JSON API (published boards only),
and the hall scope of the review."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from banhao.assessment import boards
from banhao.assessment.compute import assessment_compute
from banhao.assessment.models import (
    BoardEvent,
    BoardRectification,
    Indicator,
    Scheme,
    SchemeVersion,
    ScoreSet,
)
from banhao.core.audit import AuditEvent

pytestmark = pytest.mark.django_db

PERIOD = "2026-11"


def window_scheme():
    scheme = Scheme.objects.create(name="窗口月度（测试）", subject_kind="window", period_kind="month")
    v = SchemeVersion.objects.create(
        scheme=scheme, number=1, valid_from=dt.date(2026, 1, 1), status="published"
    )
    Indicator.objects.create(
        version=v, key="bad_ratings", label="差评数", direction="lower", weight=100, full_at=0, zero_at=5
    )
    return scheme


def rate(window, level, day, *, hall, region):
    from banhao.evaluation.models import Rating

    r = Rating.objects.create(channel="hall_pad", level=level, window=window, hall=hall, region=region)
    Rating.objects.filter(pk=r.pk).update(
        created_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    )


@pytest.fixture
def world(hall, regions, make_staff, settings):
    settings.BANHAO_HONOUR_BOARD = {**settings.BANHAO_HONOUR_BOARD, "red_top": 2, "blue_bottom": 2}
    window_scheme()
    h, ls = hall["hall"], regions["lanshan"]
    # bad ratings 0,1,2,3,4 → totals 100, 80, 60, 40, 20
    for n, bad in ((1, 0), (2, 1), (3, 2), (4, 3), (9, 4)):
        rate(hall["windows"][n], 5, dt.date(2026, 11, 2), hall=h, region=ls)
        for _ in range(bad):
            rate(hall["windows"][n], 1, dt.date(2026, 11, 3), hall=h, region=ls)
    assessment_compute(PERIOD)
    board = ScoreSet.objects.get(group=f"hall:{h.pk}", period=PERIOD)
    manager = make_staff("hall_manager", region="lanshan", hall=h)
    return {"hall": hall, "board": board, "manager": manager, "regions": regions}


def test_red_and_blue_lists_follow_the_rule(world):
    w = world["hall"]["windows"]
    rows = {r["window_id"]: r["list"] for r in boards.board_rows(world["board"])}
    assert rows == {w[1].pk: "red", w[2].pk: "red", w[3].pk: None, w[4].pk: "blue", w[9].pk: "blue"}


def test_ties_at_the_edge_take_every_tied_window(world, settings):
    board = world["board"]
    scores = list(board.scores.order_by("rank"))
    # make windows 3 and 4 tie with window 2 (rank 2): all three are red
    for s in scores[2:4]:
        s.total, s.rank = scores[1].total, 2
        s.save()
    lists = boards.board_lists(board)
    assert [lists[s.pk] for s in scores] == ["red", "red", "red", "red", "blue"]
    settings.BANHAO_HONOUR_BOARD = {"red_top": 0, "red_at_least": 90, "blue_bottom": 0, "blue_below": 50}
    lists = boards.board_lists(board)
    assert [lists[s.pk] for s in scores] == ["red", None, None, None, "blue"]


def test_review_then_publish_opens_one_task_per_blue_window(world, make_staff):
    board, manager = world["board"], world["manager"]
    boards.board_review(actor=manager, score_set=board, note="已逐项核对")
    board.refresh_from_db()
    assert board.status == "reviewed" and board.reviewed_by == manager
    boards.board_publish(actor=manager, score_set=board, on=dt.date(2026, 12, 2))
    board.refresh_from_db()
    assert board.status == "published" and board.published_at is not None
    w = world["hall"]["windows"]
    tasks = BoardRectification.objects.filter(score_set=board)
    assert sorted(t.window_id for t in tasks) == sorted([w[4].pk, w[9].pk])
    assert all(t.due_on == dt.date(2026, 12, 16) for t in tasks)  # 10 working days after Wed 2 Dec
    # idempotent: opening again opens nothing new
    boards.board_rectifications_open(board)
    assert BoardRectification.objects.filter(score_set=board).count() == 2
    assert list(
        BoardEvent.objects.filter(score_set=board, rectification=None).values_list("action", flat=True)
    ) == [
        "review",
        "publish",
    ]
    assert AuditEvent.objects.filter(action="assessment.board.publish").count() == 1
    assert AuditEvent.objects.filter(action="assessment.board_rectification.open").count() == 2


def test_refused_transitions_change_nothing(world):
    board, manager = world["board"], world["manager"]
    with pytest.raises(ValidationError, match=r"草稿.*不能“发布”"):
        boards.board_publish(actor=manager, score_set=board)
    boards.board_review(actor=manager, score_set=board)
    with pytest.raises(ValidationError, match=r"已审核.*不能“审核”"):  # a double click
        boards.board_review(actor=manager, score_set=board)
    boards.board_publish(actor=manager, score_set=board)
    with pytest.raises(ValidationError, match="已发布"):
        boards.board_publish(actor=manager, score_set=board)
    with pytest.raises(ValidationError, match="已发布"):
        boards.board_review(actor=manager, score_set=board)
    assert BoardEvent.objects.filter(score_set=board, rectification=None).count() == 2
    # a published board is frozen: the computation leaves it alone
    before = list(board.scores.values_list("pk", "total"))
    assessment_compute(PERIOD)
    assert list(board.scores.values_list("pk", "total")) == before


def test_publisher_must_differ_when_configured(world, make_staff, settings):
    settings.BANHAO_HONOUR_BOARD = {**settings.BANHAO_HONOUR_BOARD, "publisher_must_differ": True}
    board, manager = world["board"], world["manager"]
    boards.board_review(actor=manager, score_set=board)
    with pytest.raises(ValidationError, match="审核人以外"):
        boards.board_publish(actor=manager, score_set=board)
    other = make_staff("hall_manager", region="lanshan", hall=world["hall"]["hall"])
    boards.board_publish(actor=other, score_set=board)
    board.refresh_from_db()
    assert board.status == "published" and board.published_by == other


def test_another_halls_manager_and_a_supervisor_cannot_review(world, make_staff, regions):
    from banhao.org import services

    other_hall = services.hall_ensure(
        actor="测试", name="沂南县政务服务中心", region=regions["yinan"], address="沂南"
    )
    stranger = make_staff("hall_manager", region="yinan", hall=other_hall)
    supervisor = make_staff("supervisor", region="lanshan")
    for actor in (stranger, supervisor):
        with pytest.raises(PermissionDenied):
            boards.board_review(actor=actor, score_set=world["board"])
    world["board"].refresh_from_db()
    assert world["board"].status == "draft"
    from banhao.org.api import scope_for_user

    assert not boards.boards_in_scope(scope_for_user(stranger)).exists()
    assert boards.boards_in_scope(scope_for_user(supervisor)).count() == 1


def _published(world):
    boards.board_review(actor=world["manager"], score_set=world["board"])
    boards.board_publish(actor=world["manager"], score_set=world["board"], on=dt.date(2026, 12, 2))
    return BoardRectification.objects.filter(score_set=world["board"]).order_by("pk")


def test_blue_task_life_cycle_with_refusals(world, make_staff):
    task = _published(world)[0]
    supervisor = make_staff("supervisor", region="lanshan")
    with pytest.raises(ValidationError, match=r"待整改.*不能“确认办结”"):
        boards.rectification_close(actor=supervisor, rectification=task)
    with pytest.raises(PermissionDenied):
        boards.rectification_measures(actor=supervisor, rectification=task, measures="x")
    with pytest.raises(ValidationError):
        boards.rectification_measures(actor=world["manager"], rectification=task, measures="  ")
    boards.rectification_measures(
        actor=world["manager"], rectification=task, measures="组织窗口人员业务培训", on=dt.date(2026, 12, 10)
    )
    task.refresh_from_db()
    assert task.status == "rectified" and task.on_time is True
    with pytest.raises(PermissionDenied):
        boards.rectification_close(actor=world["manager"], rectification=task)
    with pytest.raises(ValidationError):
        boards.rectification_return(actor=supervisor, rectification=task, note="")
    boards.rectification_return(actor=supervisor, rectification=task, note="措施不具体")
    task.refresh_from_db()
    assert task.status == "open"
    boards.rectification_measures(
        actor=world["manager"], rectification=task, measures="逐项整改并复训", on=dt.date(2026, 12, 17)
    )
    task.refresh_from_db()
    assert task.on_time is False  # after the 16th
    boards.rectification_close(actor=supervisor, rectification=task)
    task.refresh_from_db()
    assert task.status == "closed" and task.closed_at is not None
    assert list(task.events.values_list("action", flat=True)) == [
        "open",
        "measures",
        "return",
        "measures",
        "close",
    ]


def test_sweep_reminds_once_and_escalates_once(world, make_staff):
    from banhao.notify.models import Message

    make_staff("supervisor", region="lanshan")
    tasks = _published(world)
    assert boards.board_rectification_sweep(dt.date(2026, 12, 3)) == {"reminded": 0, "escalated": 0}
    assert boards.board_rectification_sweep(dt.date(2026, 12, 14)) == {"reminded": 2, "escalated": 0}
    assert boards.board_rectification_sweep(dt.date(2026, 12, 15)) == {"reminded": 0, "escalated": 0}
    assert boards.board_rectification_sweep(dt.date(2026, 12, 17)) == {"reminded": 0, "escalated": 2}
    assert boards.board_rectification_sweep(dt.date(2026, 12, 18)) == {"reminded": 0, "escalated": 0}
    assert Message.objects.filter(title="蓝榜整改超期").count() == 2
    assert boards.countdown(tasks[0], dt.date(2026, 12, 14)).days == 2


# --- pages and the API ---------------------------------------------------------------------------


def test_api_returns_only_published_boards_with_chinese_errors(client, world):
    hall_id = world["hall"]["hall"].pk
    url = "/api/v1/assessment/boards/"
    r = client.get(url, {"hall": hall_id, "period": PERIOD})
    assert r.status_code == 404 and "尚未发布" in r.json()["detail"]
    assert client.get(url, {"hall": hall_id, "period": "2026-13"}).status_code == 400
    assert "YYYY-MM" in client.get(url, {"hall": hall_id, "period": "2026-Q4"}).json()["detail"]
    assert client.get(url, {"period": PERIOD}).status_code == 400
    r = client.get(url, {"hall": 999999, "period": PERIOD})
    assert r.status_code == 404 and "大厅" in r.json()["detail"]
    boards.board_review(actor=world["manager"], score_set=world["board"])
    assert client.get(url, {"hall": hall_id, "period": PERIOD}).status_code == 404  # reviewed only
    boards.board_publish(actor=world["manager"], score_set=world["board"])
    for params in ({"hall": hall_id, "period": PERIOD}, {"hall": hall_id}):
        r = client.get(url, params)
        assert r.status_code == 200, r.content
        data = r.json()
        assert data["period"] == PERIOD and data["hall"]["name"] == "兰山区政务服务中心"
        assert [w["score"] for w in data["windows"]] == ["100.00", "80.00", "60.00", "40.00", "20.00"]
        assert [w["rank"] for w in data["red"]] == [1, 2] and [w["rank"] for w in data["blue"]] == [4, 5]
        assert data["red"][0]["window"] == "1号窗口" and data["blue"][-1]["window"] == "9号窗口"
        assert data["published_at"]


def test_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/assessment/boards/" in schema and "大厅窗口红蓝榜" in schema


def test_public_page_shows_only_a_published_board(client, world):
    hall_id = world["hall"]["hall"].pk
    w = world["hall"]["windows"]
    url = f"/hall/{hall_id}/honour-board/"
    html = client.get(url).content.decode()
    assert "尚未发布" in html and "100.00" not in html
    boards.board_review(actor=world["manager"], score_set=world["board"])
    assert "100.00" not in client.get(url, {"period": PERIOD}).content.decode()
    boards.board_publish(actor=world["manager"], score_set=world["board"])
    r = client.get(url)
    html = r.content.decode()
    assert r.status_code == 200 and "2026年11月" in html
    red = html.split('id="hb-red"')[1].split("</section>")[0]
    blue = html.split('id="hb-blue"')[1].split("</section>")[0]
    label = {w: f"{n}号窗口" for n, w in ((n, w[n].pk) for n in (1, 2, 3, 4, 9))}
    assert "兰山区政务服务中心 1号窗口" not in red  # the hall's name is said once, in the title
    assert label[w[1].pk] in red and "100.00分" in red and label[w[2].pk] in red and label[w[3].pk] not in red
    assert label[w[9].pk] in blue and "20.00分" in blue and label[w[1].pk] not in blue
    assert client.get(url, {"period": "2026-10"}).content.decode().count("尚未发布") == 1
    assert client.get(url, {"period": "11/2026"}).status_code == 404
    assert client.get("/hall/999999/honour-board/").status_code == 404


def test_manager_reviews_and_publishes_on_the_pages_and_a_double_click_changes_nothing(client, world):
    board, manager = world["board"], world["manager"]
    client.force_login(manager)
    html = client.get("/assessment/boards/").content.decode()
    assert f"/assessment/boards/{board.pk}/" in html
    html = client.get(f"/assessment/boards/{board.pk}/").content.decode()
    w1 = world["hall"]["windows"][1]
    assert f"/assessment/scorecards/window/{w1.pk}/?period={PERIOD}" in html  # the facts behind it
    card = client.get(
        f"/assessment/scorecards/window/{w1.pk}/", {"period": PERIOD, "scheme": board.scheme_id}
    )
    assert card.status_code == 200 and "差评数" in card.content.decode()  # the manager may open it
    assert "审核通过" in html
    act = f"/assessment/boards/{board.pk}/act/"
    r = client.post(act, {"action": "publish", "status": "draft"})
    assert r.status_code == 400 and "不能“发布”" in r.content.decode()
    assert client.post(act, {"action": "review", "status": "draft"}).status_code == 302
    assert client.post(act, {"action": "review", "status": "draft"}).status_code == 302  # double click
    assert BoardEvent.objects.filter(score_set=board, action="review").count() == 1
    assert client.post(act, {"action": "publish", "status": "reviewed"}).status_code == 302
    board.refresh_from_db()
    assert board.status == "published"
    task = BoardRectification.objects.filter(score_set=board).first()
    html = client.get(f"/assessment/boards/tasks/{task.pk}/").content.decode()
    assert "剩余" in html and "个工作日" in html and "提交整改措施" in html
    r = client.post(
        f"/assessment/boards/tasks/{task.pk}/act/", {"action": "measures", "status": "open", "measures": ""}
    )
    assert r.status_code == 400 and "请填写整改措施" in r.content.decode()
    client.post(
        f"/assessment/boards/tasks/{task.pk}/act/",
        {"action": "measures", "status": "open", "measures": "复训"},
    )
    task.refresh_from_db()
    assert task.status == "rectified"


def test_another_halls_manager_gets_404_and_a_clerk_403(client, world, make_staff, regions):
    from banhao.org import services

    other_hall = services.hall_ensure(
        actor="测试", name="沂南县政务服务中心", region=regions["yinan"], address="沂南"
    )
    client.force_login(make_staff("hall_manager", region="yinan", hall=other_hall))
    board = world["board"]
    assert client.get(f"/assessment/boards/{board.pk}/").status_code == 404
    assert client.post(f"/assessment/boards/{board.pk}/act/", {"action": "review"}).status_code == 404
    assert f"/assessment/boards/{board.pk}/" not in client.get("/assessment/boards/").content.decode()
    client.force_login(make_staff("window_clerk", region="lanshan"))
    assert client.get("/assessment/boards/").status_code == 403
    board.refresh_from_db()
    assert board.status == "draft"


def test_workbench_tiles_lead_to_the_boards(client, world, make_staff):
    client.force_login(world["manager"])
    assert 'href="/assessment/boards/"' in client.get("/workbench/").content.decode()
    client.force_login(make_staff("supervisor", region="lanshan"))
    html = client.get("/workbench/").content.decode()
    assert "红黑榜" in html and 'href="/assessment/boards/"' in html


def test_the_big_screen_loads_the_board_by_url(client, world):
    html = client.get(f"/hall/{world['hall']['hall'].pk}/screen/").content.decode()
    assert f'data-src="/api/v1/assessment/boards/?hall={world["hall"]["hall"].pk}"' in html
    assert "honour-board-screen.js" in html


def test_the_sweep_is_scheduled_and_its_task_runs(world, settings):
    from django.utils.module_loading import import_string

    entry = settings.BANHAO_SCHEDULE["assessment_board_sweep"]
    task = import_string(entry["task"])
    assert task.call() == {"reminded": 0, "escalated": 0}
    assert "assessment_compute" in settings.BANHAO_SCHEDULE  # the month is computed first


def test_admin_lists_the_tasks_read_only(client, world, make_staff):
    _published(world)
    client.force_login(make_staff("administrator", region="city"))
    r = client.get("/admin/assessment/boardrectification/")
    assert r.status_code == 200 and "蓝榜整改" in r.content.decode()
    task = BoardRectification.objects.first()
    assert (
        client.post(
            f"/admin/assessment/boardrectification/{task.pk}/change/", {"status": "closed"}
        ).status_code
        == 403
    )


def test_a_month_still_running_cannot_be_reviewed(hall, regions, make_staff):
    """This month's draft (the demo computes one) is a preview: review and publication wait for
    the month's end, and nothing changes."""
    window_scheme()
    h, ls = hall["hall"], regions["lanshan"]
    today = timezone.localdate()
    rate(hall["windows"][1], 5, today, hall=h, region=ls)
    assessment_compute(f"{today:%Y-%m}", today=today)
    draft = ScoreSet.objects.get(group=f"hall:{h.pk}", period=f"{today:%Y-%m}")
    manager = make_staff("hall_manager", region="lanshan", hall=h)
    with pytest.raises(ValidationError, match="本月尚未结束"):
        boards.board_review(actor=manager, score_set=draft)
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.reviewed_by is None


def test_this_months_draft_page_offers_no_review_and_windows_read_in_number_order(
    client, hall, regions, make_staff
):
    window_scheme()
    h, ls = hall["hall"], regions["lanshan"]
    today = timezone.localdate()
    for n in hall["windows"]:
        rate(hall["windows"][n], 5, today, hall=h, region=ls)
    assessment_compute(f"{today:%Y-%m}", today=today)
    draft = ScoreSet.objects.get(group=f"hall:{h.pk}", period=f"{today:%Y-%m}")
    client.force_login(make_staff("hall_manager", region="lanshan", hall=h))
    html = client.get(f"/assessment/boards/{draft.pk}/").content.decode()
    assert "本月尚未结束" in html and "审核通过" not in html
    labels = [r["window"] for r in boards.board_rows(draft)]  # all tied at rank 1
    numbers = [int("".join(ch for ch in label.split()[-1] if ch.isdigit())) for label in labels]
    assert numbers == sorted(numbers)
    # 10号 after 9号, not after 1号 (the fixture's hall has no tenth window: the key itself)
    names = ["大厅 10号窗口", "大厅 9号窗口", "大厅 1号窗口", "大厅 2号窗口"]
    assert sorted(names, key=boards._natural) == [
        "大厅 1号窗口",
        "大厅 2号窗口",
        "大厅 9号窗口",
        "大厅 10号窗口",
    ]
