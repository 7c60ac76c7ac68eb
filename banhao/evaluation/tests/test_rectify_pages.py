"""差评整改 pages: scope (another department 404, a clerk 403), the detail with the masked phone
and only the next steps' forms, a double submission, the hall manager's window ratings, the
appeal form and review, the supervisor's overview, and the rater's feedback page with the
re-rate (login or the SMS link)."""

import re

import pytest
from django.urls import reverse

from banhao.core.masking import mask_phone
from banhao.evaluation import rectification as rs
from banhao.evaluation.models import Appeal, Rating, Rectification
from banhao.notify.models import Message
from banhao.portal import platform_map as pm

from . import rectify_support as support
from .rectify_support import disguised, pdf

# the shared fixtures (rectify_support.py)
media = support.media
rect = support.rect
supervisor = support.supervisor
unit = support.unit

pytestmark = pytest.mark.django_db
S = Rectification.Status


def _to_feedback(r, who):
    rs.rectification_callback(
        actor=who, rectification=r, answered_by="赵敏", summary="窗口要求补交清单外材料"
    )
    rs.rectification_verify(actor=who, rectification=r, substantiated=True, note="属实")
    rs.rectification_measures(actor=who, rectification=r, measures="已删除清单外材料要求，窗口人员通报批评")
    rs.rectification_feedback(actor=who, rectification=r, feedback="感谢监督，问题已整改")


def test_the_department_sees_its_rectification_with_the_countdown(client, rect, unit):
    client.force_login(unit["reviewer"])
    html = client.get(reverse("rectify:list")).content.decode()
    assert reverse("rectify:detail", args=[rect.pk]) in html
    assert "剩余5个工作日" in html or "剩余4个工作日" in html
    Rectification.objects.filter(pk=rect.pk).update(
        due_on=rect.opened_on.replace(year=rect.opened_on.year - 1)
    )
    html = client.get(reverse("rectify:list") + "?due=overdue").content.decode()
    assert "超期" in html and "bh-badge--danger" in html and f"#{rect.pk}" in html


def test_another_department_gets_404_and_a_clerk_403(client, rect, make_staff, make_department):
    other = make_staff(
        "department_head", region="lanshan", department=make_department("兰山区民政局", region="lanshan")
    )
    client.force_login(other)
    assert f"#{rect.pk}" not in client.get(reverse("rectify:list")).content.decode()
    assert client.get(reverse("rectify:detail", args=[rect.pk])).status_code == 404
    assert client.post(reverse("rectify:act", args=[rect.pk]), {"action": "call"}).status_code == 404
    client.force_login(make_staff("window_clerk", region="lanshan"))
    assert client.get(reverse("rectify:list")).status_code == 403
    client.logout()
    assert client.get(reverse("rectify:list")).status_code == 302
    rect.refresh_from_db()
    assert rect.calls.count() == 0


def test_the_detail_masks_the_phone_and_shows_only_the_next_steps(client, rect, unit):
    client.force_login(unit["reviewer"])
    html = client.get(reverse("rectify:detail", args=[rect.pk])).content.decode()
    assert "13700000007" not in html and mask_phone("13700000007") in html
    assert "记录回访" in html and "记录未联系上" in html
    assert (
        "记录核实结论" not in html and "反馈评价人</button>" not in html and "无法联系，完成回访" not in html
    )


def test_steps_through_the_page_and_a_double_submission_changes_nothing(client, rect, unit):
    client.force_login(unit["reviewer"])
    url = reverse("rectify:act", args=[rect.pk])
    form = {"action": "callback", "status": "open", "answered_by": "赵敏", "summary": "反映跑了三次"}
    assert client.post(url, form).status_code == 302
    rect.refresh_from_db()
    assert rect.status == S.CALLED_BACK
    html = client.post(url, form, follow=True).content.decode()
    assert "本次提交未处理" in html
    assert rect.calls.count() == 1
    html = client.get(reverse("rectify:detail", args=[rect.pk])).content.decode()
    assert "记录核实结论" in html and "记录回访</button>" not in html
    bad = client.post(url, {"action": "verify", "status": "called_back", "note": "属实"})
    assert bad.status_code == 400 and "请选择核实结论" in bad.content.decode()
    rect.refresh_from_db()
    assert rect.status == S.CALLED_BACK


def test_a_hall_manager_sees_the_window_ratings_of_the_hall_only(client, hall, make_staff, regions):
    from banhao.org import services as org_services

    rating = Rating.objects.create(
        channel="hall_pad",
        level=2,
        hall=hall["hall"],
        window=hall["windows"][1],
        region=regions["lanshan"],
        real_name=True,
        rater_phone="13900000001",
        reasons=["attitude"],
        comment="态度差",
    )
    r = rs.rectification_open(rating=rating)
    assert r.hall_id == hall["hall"].pk and r.department_id is None
    client.force_login(make_staff("hall_manager", region="lanshan", hall=hall["hall"]))
    html = client.get(reverse("rectify:detail", args=[r.pk])).content.decode()
    assert "1号窗口" in html and "窗口服务评价" not in html
    assert "窗口服务评价" in client.get(reverse("rectify:list")).content.decode()
    other_hall = org_services.hall_ensure(
        actor="测试", name="沂南县政务服务中心", region=regions["yinan"], address="沂南"
    )
    client.force_login(make_staff("hall_manager", region="yinan", hall=other_hall))
    assert client.get(reverse("rectify:detail", args=[r.pk])).status_code == 404


def test_the_appeal_form_refuses_a_disguised_file_and_the_supervisor_upholds(
    client, rect, unit, supervisor, media
):
    client.force_login(unit["head"])
    url = reverse("rectify:appeal", args=[rect.pk])
    assert "提交申诉" in client.get(url).content.decode()
    bad = client.post(url, {"kind": "malicious", "reason": "未到窗口", "evidence": [disguised()]})
    assert bad.status_code == 400 and "内容与扩展名不符" in bad.content.decode()
    assert not Appeal.objects.exists()
    ok = client.post(url, {"kind": "malicious", "reason": "未到窗口", "evidence": [pdf()]})
    assert ok.status_code == 302
    appeal = Appeal.objects.get()
    # the department cannot review; the supervisor can
    assert client.get(reverse("rectify:appeals")).status_code == 403
    client.force_login(supervisor)
    assert (
        reverse("rectify:appeal_detail", args=[appeal.pk])
        in client.get(reverse("rectify:appeals")).content.decode()
    )
    detail = client.get(reverse("rectify:appeal_detail", args=[appeal.pk])).content.decode()
    assert "监控截图说明.pdf" in detail
    ev = appeal.evidence.get()
    download = client.get(reverse("rectify:evidence", args=[ev.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    client.post(
        reverse("rectify:appeal_detail", args=[appeal.pk]), {"decision": "upheld", "opinion": "监控可证"}
    )
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.UPHELD and Rating.objects.get(pk=rect.rating_id).excluded
    again = client.post(
        reverse("rectify:appeal_detail", args=[appeal.pk]), {"decision": "rejected", "opinion": "改"}
    )
    assert again.status_code == 400 and "不能再次复核" in again.content.decode()


def test_the_supervisor_overview_shows_the_on_time_figure_and_its_target(
    client, rect, unit, supervisor, make_staff
):
    _to_feedback(rect, unit["reviewer"])
    client.force_login(supervisor)
    html = client.get(reverse("rectify:overview")).content.decode()
    assert "实名差评按期整改率" in html and "目标 100%" in html and "100.0%" in html
    assert "兰山区行政审批服务局" in html
    client.force_login(make_staff("supervisor", region="yinan"))
    html = client.get(reverse("rectify:overview")).content.decode()
    assert "兰山区行政审批服务局" not in html
    assert client.get(reverse("rectify:detail", args=[rect.pk])).status_code == 404
    client.force_login(unit["reviewer"])
    assert client.get(reverse("rectify:overview")).status_code == 403


def test_the_workbench_tiles_lead_to_the_rectification_pages():
    sup = {e.title: e.target for e in pm.ROLE_TASKS["supervisor"]}
    assert pm.resolve_url(sup["差评整改"]) == reverse("rectify:overview")
    for role in ("reviewer", "department_head", "hall_manager"):
        targets = [pm.resolve_url(e.target) for e in pm.ROLE_TASKS[role]]
        assert reverse("rectify:list") in targets


# --- the rater's page --------------------------------------------------------------------------------


def _sms_link(r):
    sms = Message.objects.get(dedupe_key=f"rectify:{r.pk}:feedback:sms")
    assert sms.phone == "13700000007"
    return re.search(r"(/rate/feedback/\d+/\?t=\S+)", sms.text).group(1)


def test_the_rater_reads_the_feedback_by_the_sms_link_and_rerates_once(client, rect, unit):
    _to_feedback(rect, unit["reviewer"])
    site = Message.objects.get(dedupe_key=f"rectify:{rect.pk}:feedback:site")
    assert site.link == reverse("rectify_feedback:page", args=[rect.pk])
    link = _sms_link(rect)
    html = client.get(link).content.decode()
    assert "已删除清单外材料要求" in html and "感谢监督，问题已整改" in html and "非常不满意" in html
    assert "提交追评" in html
    token = link.split("?t=")[1]
    resp = client.post(link, {"t": token, "level": "4", "comment": "改了就好"})
    assert resp.status_code == 302
    old = Rating.objects.get(pk=rect.rating_id)
    new = Rating.objects.get(rerate_of=old)
    assert (old.current, new.current, new.level, new.channel) == (False, True, 4, old.channel)
    assert new.case_id == old.case_id
    rect.refresh_from_db()
    assert rect.status == S.CLOSED
    again = client.post(link, {"t": token, "level": "5"})
    assert again.status_code == 400 and "只能追评一次" in again.content.decode()
    assert Rating.objects.filter(case_id=old.case_id).count() == 2


def test_a_bad_rerate_opens_no_new_rectification(client, rect, unit, applicant):
    _to_feedback(rect, unit["reviewer"])
    client.force_login(applicant["user"])
    url = reverse("rectify_feedback:page", args=[rect.pk])
    assert "提交追评" in client.get(url).content.decode()
    missing = client.post(url, {"level": "1", "comment": "还是不行"})
    assert missing.status_code == 400 and "至少选择一项原因" in missing.content.decode()
    assert client.post(url, {"level": "1", "reasons": ["repeat"], "comment": "还是不行"}).status_code == 302
    assert Rectification.objects.count() == 1
    assert Rating.objects.filter(current=True, case_id=rect.rating.case_id).get().level == 1


def test_the_rater_page_is_closed_to_others_and_the_rerate_waits_for_the_feedback(client, rect, make_person):
    from banhao.registry import services

    url = reverse("rectify_feedback:page", args=[rect.pk])
    assert client.get(url).status_code == 302  # anonymous: log in
    assert client.get(url + "?t=forged").status_code == 404
    assert client.get(url + "?t=" + rs.feedback_token(rect.pk + 1)).status_code == 404
    other = services.applicant_account_open(
        actor="测试", person=make_person(name="钱"), password="Pass@12345", phone="13700000009"
    ).user
    client.force_login(other)
    assert client.get(url).status_code == 404
    token = rs.feedback_token(rect.pk)
    client.logout()
    html = client.get(url + "?t=" + token).content.decode()
    assert "正在处理中" in html and "提交追评" not in html
    resp = client.post(url, {"t": token, "level": "5"})
    assert resp.status_code == 400 and "反馈给您之后才能追评" in resp.content.decode()
    assert Rating.objects.count() == 1


def test_after_the_failed_calls_the_page_offers_the_unreachable_step(client, rect, unit, settings):
    settings.BANHAO_RECTIFICATION_CALLBACK_TRIES = 1
    client.force_login(unit["reviewer"])
    url = reverse("rectify:act", args=[rect.pk])
    client.post(url, {"action": "call", "status": "open", "summary": "关机"})
    html = client.get(reverse("rectify:detail", args=[rect.pk])).content.decode()
    assert "无法联系，完成回访" in html and "已记录 1 次未联系上" in html
    client.post(url, {"action": "unreachable", "status": "open", "note": "短信未回"})
    rect.refresh_from_db()
    assert rect.status == S.CALLED_BACK


def test_the_whole_loop_through_the_pages(client, rated_case, applicant, unit):
    """A bad rating on a phone opens a rectification with its deadline; the reviewer records the
    callback, the verdict, the measure and the feedback on the page; the applicant finds the
    site message in the inbox, reads the result and re-rates."""
    from banhao.core.calendar import add_workdays
    from banhao.evaluation import ratings
    from banhao.evaluation.tests.rectify_support import bad_rating

    r = bad_rating(rated_case, applicant, channel="mobile")
    assert (
        r.due_on == add_workdays(r.opened_on, 5)
        and ratings.Rating.objects.get(pk=r.rating_id).channel == "mobile"
    )
    client.force_login(unit["reviewer"])
    assert r.due_on.strftime("%Y-%m-%d") in client.get(reverse("rectify:list")).content.decode()
    act = reverse("rectify:act", args=[r.pk])
    steps = [
        {"action": "callback", "status": "open", "answered_by": "赵敏", "summary": "反映跑了三次"},
        {"action": "verify", "status": "called_back", "substantiated": "yes", "note": "窗口多次要求补材料"},
        {"action": "measures", "status": "verified", "measures": "按清单一次性告知，约谈窗口人员"},
        {"action": "feedback", "status": "rectified", "feedback": "已整改，欢迎再次评价"},
    ]
    for form in steps:
        assert client.post(act, form).status_code == 302, form["action"]
    r.refresh_from_db()
    assert r.status == S.FED_BACK and r.on_time is True
    client.force_login(applicant["user"])
    inbox = client.get(reverse("notify:list")).content.decode()
    assert "您的评价已整改反馈" in inbox
    page = client.get(reverse("rectify_feedback:page", args=[r.pk])).content.decode()
    assert "按清单一次性告知" in page and "已整改，欢迎再次评价" in page
    client.post(reverse("rectify_feedback:page", args=[r.pk]), {"level": "5", "comment": "满意"})
    r.refresh_from_db()
    assert r.status == S.CLOSED
    assert "您的追评" in client.get(reverse("rectify_feedback:page", args=[r.pk])).content.decode()


def test_the_countdown_counts_working_days_and_says_overdue_in_words(rect):
    import datetime as dt

    from banhao.evaluation.rectify_views import countdown

    rect.due_on = dt.date(2026, 10, 9)  # a Friday before the Saturday make-up day
    assert countdown(rect, dt.date(2026, 9, 30))["text"] == "剩余2个工作日"  # 10/8, 10/9 over the holiday
    assert countdown(rect, dt.date(2026, 10, 9)) == {"text": "今日到期", "tone": "warn", "days": 0}
    assert countdown(rect, dt.date(2026, 10, 12)) == {"text": "超期2个工作日", "tone": "danger", "days": -2}
    rect.due_on = dt.date(2026, 12, 4)  # a Friday
    assert countdown(rect, dt.date(2026, 12, 5)) == {"text": "已超期", "tone": "danger", "days": 0}


def test_the_supervisor_filters_the_list_by_unit(client, rect, supervisor, make_department):
    client.force_login(supervisor)
    dept = f"d{rect.department_id}"
    html = client.get(reverse("rectify:list")).content.decode()
    assert f'<option value="{dept}"' in html and "兰山区行政审批服务局" in html
    assert f"#{rect.pk}" in client.get(reverse("rectify:list") + f"?unit={dept}").content.decode()
    other = make_department("兰山区民政局", region="lanshan")
    assert f"#{rect.pk}" not in client.get(reverse("rectify:list") + f"?unit=d{other.pk}").content.decode()
    overview = client.get(reverse("rectify:overview")).content.decode()
    assert f"unit={dept}" in overview
