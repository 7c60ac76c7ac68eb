"""12345 tickets: the API (scopes, 400 in Chinese, idempotent on the ticket number), the life
cycle with its refused transitions and who may take each step, the working-day limits across
holidays, the per-unit metrics and the pages."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from banhao.accounts.clients import api_client_create
from banhao.core.calendar import add_workdays
from banhao.core.models import AuditEvent
from banhao.evaluation import tickets
from banhao.evaluation.api import hotline_unit_metrics
from banhao.evaluation.models_hotline import HotlineTicket, TicketEvent
from banhao.org.models import Department, Region

pytestmark = pytest.mark.django_db
API = "/api/v1/hotline/tickets/"
D = dt.date
BODY = {
    "number": "12345-20261204-0001",
    "kind": "complaint",
    "title": "营业执照办理多次跑腿",
    "content": "在兰山区政务服务中心办理食品经营许可，被要求三次补充材料。",
    "caller_name": "李女士",
    "caller_phone": "13912345678",
    "region_code": "371302",
}


@pytest.fixture
def desk(make_staff):
    return make_staff("hotline", region="city")


@pytest.fixture
def depts(published_implementation, make_department):
    approval = Department.objects.get(name="兰山区行政审批服务局")
    civil = make_department("兰山区民政局", region="lanshan")
    return {"approval": approval, "civil": civil}


@pytest.fixture
def reviewer(make_staff, depts):
    return make_staff("reviewer", region="lanshan", department=depts["approval"])


@pytest.fixture
def token(make_staff):
    def make(scopes):
        _, raw = api_client_create(
            actor="测试",
            name="12345热线",
            organisation="临沂市12345政务服务便民热线",
            user=make_staff("hotline", region="city"),
            scopes=scopes,
        )
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return make


def post(client, body, auth):
    return client.post(API, data=json.dumps(body), content_type="application/json", **auth)


def receive(number="12345-1", kind="consult", received_at=None, region="lanshan"):
    data = {
        "number": number,
        "kind": kind,
        "title": "咨询营业执照办理",
        "content": "需要哪些材料",
        "caller_phone": "13912345678",
    }
    if received_at:
        data["received_at"] = received_at
    return tickets.ticket_receive(
        actor="测试", data=data, region_id=Region.objects.get(code="371302").pk
    ).ticket


# --- the API -------------------------------------------------------------------------------------


def test_a_pushed_ticket_is_received_once_and_a_repeat_changes_nothing(client, token, regions):
    auth = token(["hotline.push", "hotline.read"])
    first = post(client, BODY, auth)
    assert first.status_code == 201, first.content.decode()
    data = first.json()
    assert data["created"] is True
    assert data["status"] == "received" and data["status_label"] == "已受理"
    assert data["caller_phone"] == "139****5678"
    assert data["answer_due"] == add_workdays(timezone.localdate(), 15).isoformat()
    again = post(client, {**BODY, "title": "改过的标题"}, auth)
    assert again.status_code == 200
    assert again.json()["created"] is False and again.json()["title"] == BODY["title"]
    assert HotlineTicket.objects.count() == 1
    ticket = HotlineTicket.objects.get()
    assert ticket.region.code == "371302" and ticket.source == "12345热线"
    assert TicketEvent.objects.filter(ticket=ticket, action="receive").count() == 1


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"number": ""}, "number", "请提供12345工单编号"),
        ({"kind": "praise"}, "kind", "诉求类型应为"),
        ({"title": ""}, "title", "请提供工单标题"),
        ({"content": ""}, "content", "请提供诉求内容"),
        ({"caller_phone": "abc"}, "caller_phone", "来电号码格式有误"),
        ({"received_at": "昨天"}, "received_at", "ISO 8601"),
        ({"region_code": "110101"}, "region_code", "区划代码不在本平台范围内"),
    ],
)
def test_bad_input_is_a_400_in_chinese_and_nothing_is_stored(client, token, regions, change, field, words):
    response = post(client, {**BODY, **change}, token(["hotline.push"]))
    assert response.status_code == 400
    assert words in " ".join(response.json()["errors"][field])
    assert not HotlineTicket.objects.exists()


def test_scopes_decide_who_may_push_and_read(client, token, desk, regions):
    read_only = token(["hotline.read"])
    response = post(client, BODY, read_only)
    assert response.status_code == 403
    assert "hotline.push" in response.json()["detail"]
    anonymous = client.post(API, data=json.dumps(BODY), content_type="application/json")
    assert anonymous.status_code in (401, 403)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in anonymous.json()["detail"])  # said in Chinese
    bad = client.post(
        API, data=json.dumps(BODY), content_type="application/json", HTTP_AUTHORIZATION="Bearer bh_x"
    )
    assert bad.status_code == 401 and "令牌无效" in bad.json()["detail"]
    # a logged-in hotline clerk uses the pages, not the push API
    client.force_login(desk)
    assert client.post(API, data=json.dumps(BODY), content_type="application/json").status_code == 403
    client.logout()
    assert not HotlineTicket.objects.exists()
    post(client, BODY, token(["hotline.push"]))
    push_only = token(["hotline.push"])
    assert client.get(f"{API}{BODY['number']}/", **push_only).status_code == 403
    got = client.get(f"{API}{BODY['number']}/", **read_only)
    assert got.status_code == 200 and got.json()["status"] == "received"
    assert "13912345678" not in got.content.decode()
    assert client.get(f"{API}NO-SUCH/", **read_only).status_code == 404


# --- limits on the working-day calendar ------------------------------------------------------------


def test_a_consultation_received_before_national_day_is_due_on_the_make_up_saturday(regions):
    t = receive(kind="consult", received_at="2026-09-30T10:00:00+08:00")
    # 10/1-10/7 off; Thu 10/8 day 1, Fri 10/9 day 2, Sat 10/10 (make-up working day) day 3
    assert t.received_on == D(2026, 9, 30) and t.answer_due == D(2026, 10, 10)


def test_a_help_request_crosses_the_spring_festival_2026(regions):
    t = receive(kind="help", received_at="2026-02-13T16:00:00+08:00")
    # Sat 2/14 is a make-up day (day 1), 2/15-2/23 off, then 2/24 … 2/27 are days 2-5
    assert t.answer_due == D(2026, 2, 27)


def test_sign_off_is_due_the_next_working_day_after_dispatch(regions, desk, depts):
    t = receive()
    t = tickets.ticket_act(t.pk, "dispatch", desk, today=D(2026, 9, 30), department_id=depts["approval"].pk)
    assert t.sign_due == D(2026, 10, 8)


# --- the life cycle --------------------------------------------------------------------------------


def test_the_whole_loop_received_to_closed(regions, desk, reviewer, depts):
    t = receive(kind="complaint")
    t = tickets.ticket_act(t.pk, "dispatch", desk, department_id=depts["approval"].pk, note="请核查")
    assert t.status == "dispatched" and t.department_id == depts["approval"].pk
    from banhao.notify.models import Message

    told = Message.objects.get(user=reviewer)
    assert (
        t.number in told.text and "签收" in told.text and told.link == reverse("hotline:ticket", args=[t.pk])
    )
    t = tickets.ticket_act(t.pk, "sign", reviewer)
    assert t.status == "signed" and t.on_time_sign is True
    t = tickets.ticket_act(t.pk, "answer", reviewer, answer="已核实，材料要求已按清单更正并致歉。")
    assert t.status == "answered" and t.on_time_answer is True
    t = tickets.ticket_act(t.pk, "callback", desk, outcome="reached", resolved="yes", level="4")
    assert t.status == "called_back" and t.resolved is True and t.level == 4
    t = tickets.ticket_act(t.pk, "close", desk)
    assert t.status == "closed" and t.closed_at is not None
    actions = list(t.events.values_list("action", flat=True))
    assert actions == ["receive", "dispatch", "sign", "answer", "callback", "close"]
    assert AuditEvent.objects.filter(action="evaluation.ticket_close").count() == 1


@pytest.mark.parametrize(
    ("steps", "action", "data"),
    [
        ([], "sign", {}),
        ([], "answer", {"answer": "x"}),
        (["dispatch"], "answer", {"answer": "x"}),
        (["dispatch"], "callback", {"resolved": "yes", "level": "5"}),
        (["dispatch", "sign"], "close", {}),
        (["dispatch", "sign"], "dispatch", {}),
        (["dispatch", "sign", "answer"], "close", {}),
        (["dispatch", "sign", "answer"], "sign", {}),
    ],
)
def test_transitions_the_table_does_not_have_are_refused(regions, desk, reviewer, depts, steps, action, data):
    t = receive()
    args = {
        "dispatch": (desk, {"department_id": depts["approval"].pk}),
        "sign": (reviewer, {}),
        "answer": (reviewer, {"answer": "已答复"}),
    }
    for step in steps:
        actor, extra = args[step]
        t = tickets.ticket_act(t.pk, step, actor, **extra)
    before = t.status
    actor = desk if action in tickets.HOTLINE_ACTIONS else reviewer
    if action == "dispatch":
        data = {"department_id": depts["approval"].pk}
    with pytest.raises(ValidationError) as e:
        tickets.ticket_act(t.pk, action, actor, **data)
    assert "工单当前状态为" in str(e.value)
    assert HotlineTicket.objects.get(pk=t.pk).status == before


def test_each_side_takes_only_its_own_steps(regions, desk, reviewer, depts, make_staff):
    t = receive()
    with pytest.raises(PermissionDenied):
        tickets.ticket_act(t.pk, "dispatch", reviewer, department_id=depts["approval"].pk)
    t = tickets.ticket_act(t.pk, "dispatch", desk, department_id=depts["approval"].pk)
    with pytest.raises(PermissionDenied):
        tickets.ticket_act(t.pk, "sign", desk)
    other = make_staff("reviewer", region="lanshan", department=depts["civil"])
    with pytest.raises(PermissionDenied):
        tickets.ticket_act(t.pk, "sign", other)
    with pytest.raises(PermissionDenied):
        tickets.ticket_act(t.pk, "sign", make_staff("window_clerk", region="lanshan"))
    assert HotlineTicket.objects.get(pk=t.pk).status == "dispatched"


def test_a_returned_ticket_is_re_dispatched_and_signed_by_the_new_department(
    regions, desk, reviewer, depts, make_staff
):
    t = receive()
    due = t.answer_due
    t = tickets.ticket_act(t.pk, "dispatch", desk, department_id=depts["approval"].pk)
    with pytest.raises(ValidationError) as e:
        tickets.ticket_act(t.pk, "return", reviewer)
    assert "退回须说明理由" in str(e.value)
    t = tickets.ticket_act(t.pk, "return", reviewer, reason="属民政职责，建议派兰山区民政局")
    assert t.status == "returned" and t.sign_due is None
    t = tickets.ticket_act(t.pk, "dispatch", desk, department_id=depts["civil"].pk)
    assert t.status == "dispatched" and t.department_id == depts["civil"].pk
    assert t.answer_due == due  # the caller's wait does not restart
    civil = make_staff("reviewer", region="lanshan", department=depts["civil"])
    assert tickets.ticket_act(t.pk, "sign", civil).status == "signed"


def test_a_late_sign_off_and_a_late_answer_are_recorded_as_such(regions, desk, reviewer, depts):
    t = receive(kind="consult")
    t = tickets.ticket_act(t.pk, "dispatch", desk, department_id=depts["approval"].pk)
    late = add_workdays(t.sign_due, 2)
    t = tickets.ticket_act(t.pk, "sign", reviewer, today=late)
    assert t.on_time_sign is False
    t = tickets.ticket_act(t.pk, "answer", reviewer, today=add_workdays(t.answer_due, 1), answer="已答复")
    assert t.on_time_answer is False


def test_an_extension_is_asked_once_and_only_before_the_deadline(regions, desk, reviewer, depts):
    t = receive(kind="consult")
    t = tickets.ticket_act(t.pk, "dispatch", desk, department_id=depts["approval"].pk)
    t = tickets.ticket_act(t.pk, "sign", reviewer)
    due = t.answer_due
    with pytest.raises(ValidationError) as e:
        tickets.ticket_act(
            t.pk, "extend", reviewer, today=due + dt.timedelta(days=1), days="2", reason="需现场核查"
        )
    assert "期限届满前" in str(e.value)
    with pytest.raises(ValidationError):
        tickets.ticket_act(t.pk, "extend", reviewer, days="9", reason="需现场核查")
    t = tickets.ticket_act(t.pk, "extend", reviewer, days="2", reason="需现场核查")
    assert t.answer_due == add_workdays(due, 2) and t.extended_days == 2
    with pytest.raises(ValidationError, match="已延期一次"):
        tickets.ticket_act(t.pk, "extend", reviewer, days="1", reason="再延")
    t = tickets.ticket_act(t.pk, "answer", reviewer, today=add_workdays(due, 1), answer="已答复")
    assert t.on_time_answer is True  # within the extended day


def test_a_dissatisfied_callback_sends_the_ticket_back_for_re_handling(regions, desk, reviewer, depts):
    t = receive(kind="complaint")
    t = tickets.ticket_act(t.pk, "dispatch", desk, department_id=depts["approval"].pk)
    t = tickets.ticket_act(t.pk, "sign", reviewer)
    t = tickets.ticket_act(t.pk, "answer", reviewer, answer="已处理")
    t = tickets.ticket_act(t.pk, "callback", desk, outcome="reached", resolved="no", level="2")
    t = tickets.ticket_act(t.pk, "rehandle", desk, reason="来电人表示问题未解决")
    assert t.status == "signed" and t.rehandle_count == 1
    assert t.answer_due == add_workdays(timezone.localdate(), 5)
    assert t.level is None and t.resolved is None
    t = tickets.ticket_act(t.pk, "answer", reviewer, answer="已重新处理并电话沟通")
    t = tickets.ticket_act(t.pk, "callback", desk, outcome="reached", resolved="yes", level="5")
    with pytest.raises(ValidationError, match="只有回访不满意或未解决"):
        tickets.ticket_act(t.pk, "rehandle", desk, reason="再退")
    assert tickets.ticket_act(t.pk, "close", desk).status == "closed"


def test_after_the_last_missed_call_the_callback_ends_as_unreachable(
    regions, desk, reviewer, depts, settings
):
    settings.BANHAO_CALLBACK_MAX_TRIES = 2
    t = receive()
    t = tickets.ticket_act(t.pk, "dispatch", desk, department_id=depts["approval"].pk)
    t = tickets.ticket_act(t.pk, "sign", reviewer)
    t = tickets.ticket_act(t.pk, "answer", reviewer, answer="已答复")
    t = tickets.ticket_act(t.pk, "callback_missed", desk)
    assert t.status == "answered" and t.callback_tries == 1
    t = tickets.ticket_act(t.pk, "callback_missed", desk)
    assert t.status == "called_back" and t.callback_outcome == "unreachable"
    with pytest.raises(ValidationError):
        tickets.ticket_act(t.pk, "rehandle", desk, reason="无法联系")
    assert tickets.ticket_act(t.pk, "close", desk).status == "closed"


def test_a_callback_needs_the_resolution_and_a_level(regions, desk, reviewer, depts):
    t = receive()
    t = tickets.ticket_act(t.pk, "dispatch", desk, department_id=depts["approval"].pk)
    t = tickets.ticket_act(t.pk, "sign", reviewer)
    t = tickets.ticket_act(t.pk, "answer", reviewer, answer="已答复")
    with pytest.raises(ValidationError) as e:
        tickets.ticket_act(t.pk, "callback", desk, outcome="reached", level="4")
    assert "是否已解决" in str(e.value)
    with pytest.raises(ValidationError) as e:
        tickets.ticket_act(t.pk, "callback", desk, outcome="reached", resolved="yes", level="7")
    assert "满意程度" in str(e.value)
    assert HotlineTicket.objects.get(pk=t.pk).status == "answered"


# --- metrics --------------------------------------------------------------------------------------


def test_unit_metrics_per_department_and_month(regions, desk, reviewer, depts):
    month = timezone.localdate().strftime("%Y-%m")
    a = receive("A")
    b = receive("B")
    c = receive("C")
    for t in (a, b, c):
        tickets.ticket_act(t.pk, "dispatch", desk, department_id=depts["approval"].pk)
    tickets.ticket_act(a.pk, "sign", reviewer)
    tickets.ticket_act(b.pk, "sign", reviewer, today=add_workdays(timezone.localdate(), 3))  # late
    tickets.ticket_act(a.pk, "answer", reviewer, answer="已答复")
    tickets.ticket_act(b.pk, "answer", reviewer, answer="已答复")
    tickets.ticket_act(a.pk, "callback", desk, outcome="reached", resolved="yes", level="5")
    tickets.ticket_act(b.pk, "callback", desk, outcome="reached", resolved="no", level="1")
    tickets.ticket_act(b.pk, "rehandle", desk, reason="未解决")
    (row,) = hotline_unit_metrics(month)
    assert row.department == "兰山区行政审批服务局" and row.tickets == 3
    assert (row.signed_on_time, row.sign_due, row.on_time_sign_rate) == (1, 2, 50.0)
    assert (row.answered_on_time, row.answer_due, row.on_time_answer_rate) == (2, 2, 100.0)
    assert (row.resolved, row.called_back, row.resolution_rate) == (1, 1, 100.0)  # b is being re-handled
    assert (row.satisfied, row.rated, row.satisfaction_rate) == (1, 1, 100.0)
    assert (row.rehandled, row.answered, row.rehandle_rate) == (1, 2, 50.0)
    assert hotline_unit_metrics("2020-01") == []
    with pytest.raises(ValidationError):
        hotline_unit_metrics("2026-13")


# --- pages ----------------------------------------------------------------------------------------


def test_the_desk_dispatches_and_the_department_signs_and_answers_through_the_pages(
    client, regions, desk, reviewer, depts
):
    t = receive()
    client.force_login(desk)
    html = client.get(reverse("hotline:tickets")).content.decode()
    assert t.number in html and "139****5678" in html and "13912345678" not in html
    act = reverse("hotline:ticket_act", args=[t.pk])
    bad = client.post(act, {"action": "dispatch", "department_id": "x"})
    assert bad.status_code == 400 and "请选择承办单位" in bad.content.decode()
    page = client.get(reverse("hotline:ticket", args=[t.pk])).content.decode()
    assert 'value="dispatch"' in page and 'value="sign"' not in page
    assert client.post(act, {"action": "dispatch", "department_id": depts["approval"].pk}).status_code == 302
    client.force_login(reviewer)
    page = client.get(reverse("hotline:ticket", args=[t.pk])).content.decode()
    assert 'value="sign"' in page and 'value="return"' in page and 'value="dispatch"' not in page
    assert t.number in client.get(reverse("hotline:department_tickets")).content.decode()
    assert client.post(act, {"action": "sign"}).status_code == 302
    assert client.post(act, {"action": "answer", "answer": "已电话答复"}).status_code == 302
    assert HotlineTicket.objects.get(pk=t.pk).status == "answered"
    # the department may not call back, and another department does not see the ticket
    assert client.post(act, {"action": "callback", "resolved": "yes", "level": "5"}).status_code == 403


def test_another_department_gets_a_404_and_a_clerk_a_403(client, regions, desk, depts, make_staff):
    t = receive()
    tickets.ticket_act(t.pk, "dispatch", desk, department_id=depts["approval"].pk)
    client.force_login(make_staff("reviewer", region="lanshan", department=depts["civil"]))
    assert client.get(reverse("hotline:ticket", args=[t.pk])).status_code == 404
    assert t.number not in client.get(reverse("hotline:department_tickets")).content.decode()
    client.force_login(make_staff("window_clerk", region="lanshan"))
    assert client.get(reverse("hotline:tickets")).status_code == 403
    assert client.get(reverse("hotline:metrics")).status_code == 403


def test_the_metrics_page_shows_each_department_and_refuses_a_bad_month(
    client, regions, desk, reviewer, depts
):
    t = receive()
    tickets.ticket_act(t.pk, "dispatch", desk, department_id=depts["approval"].pk)
    tickets.ticket_act(t.pk, "sign", reviewer)
    client.force_login(desk)
    html = client.get(reverse("hotline:metrics")).content.decode()
    assert "兰山区行政审批服务局" in html and "100.0%" in html
    bad = client.get(reverse("hotline:metrics"), {"month": "2026-99"})
    assert bad.status_code == 400 and "月份格式应为" in bad.content.decode()


def test_the_whole_caller_number_is_shown_once_and_audited(client, regions, desk):
    t = receive()
    client.force_login(desk)
    response = client.post(reverse("hotline:ticket_phone", args=[t.pk]), {"reason": "回访拨号"})
    assert "13912345678" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert AuditEvent.objects.filter(action="evaluation.ticket_reveal_phone", reason="回访拨号").exists()


def test_a_unit_of_another_district_handles_a_ticket_dispatched_to_it(
    client, regions, desk, make_department, make_staff
):
    t = receive()  # a 兰山区 caller
    yinan = make_department("沂南县行政审批服务局", region="yinan")
    tickets.ticket_act(t.pk, "dispatch", desk, department_id=yinan.pk)
    handler = make_staff("reviewer", region="yinan", department=yinan)
    client.force_login(handler)
    assert t.number in client.get(reverse("hotline:department_tickets")).content.decode()
    assert client.get(reverse("hotline:ticket", args=[t.pk])).status_code == 200
    assert tickets.ticket_act(t.pk, "sign", handler).status == "signed"
    # a county desk does not dispatch outside its county
    county_desk = make_staff("hotline", region="yinan")
    other = receive("12345-2")
    with pytest.raises(PermissionDenied):
        tickets.ticket_act(other.pk, "dispatch", county_desk, department_id=yinan.pk)


def test_the_supervisor_workbench_counts_open_tickets_and_the_department_view_its_own(
    client, regions, desk, depts, make_staff
):
    from banhao.evaluation import summary
    from banhao.org.api import scope_for_user

    t = receive()
    tickets.ticket_act(t.pk, "dispatch", desk, department_id=depts["approval"].pk)
    receive("12345-2")  # not dispatched yet
    supervisor = make_staff("supervisor", region="city")
    tiles = {tile.key: tile for tile in summary.tiles(scope_for_user(supervisor), timezone.localdate())}
    assert tiles["hotline_tickets"].open == 2
    assert tiles["hotline_tickets"].url == reverse("hotline:metrics")
    assert all(
        row.item.url is None for row in tiles["hotline_tickets"].rows
    )  # no ticket page for supervisors
    head = make_staff("department_head", region="lanshan", department=depts["approval"])
    tiles = {tile.key: tile for tile in summary.tiles(scope_for_user(head), timezone.localdate())}
    assert tiles["hotline_tickets"].open == 1
    assert tiles["hotline_tickets"].rows[0].item.url == reverse("hotline:ticket", args=[t.pk])


def test_administrators_see_tickets_read_only_without_the_caller_number(client, regions, make_staff):
    t = receive()
    admin_user = make_staff("administrator", region="city")
    client.force_login(admin_user)
    listing = client.get("/admin/evaluation/hotlineticket/")
    assert listing.status_code == 200 and t.number in listing.content.decode()
    page = client.get(f"/admin/evaluation/hotlineticket/{t.pk}/change/").content.decode()
    assert "13912345678" not in page
    assert client.get("/admin/evaluation/hotlineticket/add/").status_code == 403


def test_a_complaint_ticket_points_the_desk_to_the_efficiency_complaint_register(client, regions, desk):
    data = {"number": "12345-C", "kind": "complaint", "title": "窗口态度差", "content": "窗口人员推诿。"}
    t = tickets.ticket_receive(actor="测试", data=data, region_id=Region.objects.get(code="371302").pk).ticket
    client.force_login(desk)
    page = client.get(reverse("hotline:ticket", args=[t.pk])).content.decode()
    assert reverse("complaints:register") in page
    assert client.get(reverse("complaints:register")).status_code == 200
