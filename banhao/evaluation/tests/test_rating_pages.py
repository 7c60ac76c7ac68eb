"""The rating pages under /rate/: the applicant's case (PC and phone), the SMS/QR token, 我的评价,
the kiosk, the window QR sheet and where it leads, the case page's 评价 block, the notice's QR
code and the SMS invitation step."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from banhao.evaluation import ratings
from banhao.evaluation.invitations import rating_invite_sweep
from banhao.evaluation.models import Rating, Rectification
from banhao.evaluation.rating_views import window_key
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

PHONE_UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"
GOOD = {"level": "5", "dim_efficiency": "5", "dim_guide": "4", "dim_convenience": "5", "dim_usability": "4"}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()  # the lookup throttle lives there
    yield
    cache.clear()


@pytest.fixture
def logged_in(client, applicant):
    client.force_login(applicant["user"])
    return client


def rate_url(case):
    return reverse("rating:case", args=[case.number])


def test_the_urls_are_where_the_other_pages_link_them():
    assert reverse("rating:case", args=["371302-20261204-00001"]) == "/rate/case/371302-20261204-00001/"
    assert reverse("rating:mine") == "/rate/mine/"
    assert reverse("rating:kiosk", args=[3]) == "/rate/kiosk/3/"


def test_the_applicant_rates_a_delivered_case_on_a_pc_and_then_sees_the_rating(logged_in, rated_case):
    case = rated_case()
    page = logged_in.get(rate_url(case)).content.decode()
    assert "请对本次服务作出评价" in page and "办事指南准确性" in page and "服务态度差" in page
    r = logged_in.post(rate_url(case), GOOD)
    assert r.status_code == 302
    assert "感谢您的评价" in logged_in.get(r["Location"]).content.decode()
    rating = Rating.objects.get(case=case)
    assert rating.channel == "pc" and rating.level == 5 and rating.real_name
    assert rating.dimensions == {"efficiency": 5, "guide": 4, "convenience": 5, "usability": 4}
    page = logged_in.get(rate_url(case)).content.decode()
    assert "您的评价" in page and "非常满意" in page and "提交评价" not in page


def test_a_phone_browser_records_the_mobile_channel(logged_in, rated_case):
    case = rated_case()
    logged_in.post(rate_url(case), {"level": "4"}, HTTP_USER_AGENT=PHONE_UA)
    assert Rating.objects.get(case=case).channel == "mobile"


def test_the_phone_layout_hint_wins_over_the_user_agent(logged_in, rated_case):
    case = rated_case()
    logged_in.post(rate_url(case), {"level": "4", "layout": "mobile"})
    assert Rating.objects.get(case=case).channel == "mobile"


def test_a_bad_rating_without_reason_or_text_shows_chinese_errors_beside_the_fields_and_saves_nothing(
    logged_in, rated_case
):
    case = rated_case()
    r = logged_in.post(rate_url(case), {"level": "1"})
    page = r.content.decode()
    assert r.status_code == 400
    assert "请至少选择一项原因" in page and "请写明具体情况" in page
    assert 'value="1" checked' in page  # the choice is kept
    assert not Rating.objects.exists()


def test_a_bad_rating_with_reason_and_text_opens_a_rectification(logged_in, rated_case):
    case = rated_case()
    r = logged_in.post(
        rate_url(case),
        {"level": "2", "reasons": ["slow", "repeat"], "comment": "来回跑了三趟"},
        HTTP_USER_AGENT=PHONE_UA,
    )
    assert r.status_code == 302
    rating = Rating.objects.get(case=case)
    assert rating.reasons == ["repeat", "slow"] and rating.channel == "mobile"
    assert Rectification.objects.filter(rating=rating).exists()
    assert "已转承办部门回访核实" in logged_in.get(rate_url(case)).content.decode()


def test_odd_input_is_refused_in_chinese(logged_in, rated_case):
    case = rated_case()
    r = logged_in.post(rate_url(case), {"level": "9", "dim_efficiency": "x", "reasons": ["made_up"]})
    page = r.content.decode()
    assert r.status_code == 400
    assert "请选择满意程度" in page and "“办事效率”的评价无效" in page and "差评原因不在列表中" in page
    assert not Rating.objects.exists()


def test_full_width_digits_and_padded_text_are_understood(logged_in, rated_case):
    case = rated_case()
    r = logged_in.post(rate_url(case), {"level": "２", "reasons": ["slow"], "comment": "  等了很久  "})
    assert r.status_code == 302
    rating = Rating.objects.get(case=case)
    assert rating.level == 2 and rating.comment == "等了很久"


def test_a_double_submit_keeps_the_first_rating(logged_in, rated_case):
    case = rated_case()
    logged_in.post(rate_url(case), {"level": "5"})
    r = logged_in.post(rate_url(case), {"level": "1", "reasons": ["slow"], "comment": "改主意"})
    assert r.status_code == 200 and "您的评价" in r.content.decode()
    assert list(Rating.objects.values_list("level", flat=True)) == [5]


def test_a_case_not_yet_delivered_shows_when_it_can_be_rated(logged_in, rated_case):
    case = rated_case(approved=True)
    page = logged_in.get(rate_url(case)).content.decode()
    assert "办件送达或办结后才能评价" in page and "提交评价" not in page
    logged_in.post(rate_url(case), {"level": "5"})
    assert not Rating.objects.exists()


def test_another_applicant_gets_404_and_nothing_is_saved(client, rated_case, make_person):
    from banhao.registry import services

    case = rated_case()
    other = services.applicant_account_open(
        actor="测试", person=make_person(name="钱"), password="Pass@12345", phone="13700000009"
    ).user
    client.force_login(other)
    assert client.get(rate_url(case)).status_code == 404
    assert client.post(rate_url(case), {"level": "1"}).status_code == 404
    assert not Rating.objects.exists()


def test_the_case_page_links_to_the_rating_once_the_case_is_delivered(logged_in, rated_case):
    delivered, pending = rated_case(), rated_case(key="b", approved=True)
    page = logged_in.get(reverse("cases:detail", args=[delivered.number])).content.decode()
    assert rate_url(delivered) in page and "评价本次服务" in page
    page = logged_in.get(reverse("cases:detail", args=[pending.number])).content.decode()
    assert rate_url(pending) not in page


# --- without login: the QR code on the notice, the SMS token ------------------------------------


def test_the_notice_qr_without_login_asks_for_the_phone_digits_then_rates_as_qr(client, rated_case):
    case = rated_case()
    page = client.get(rate_url(case)).content.decode()
    assert "手机号码后四位" in page and "登录" in page
    assert "/accounts/login/?next=%2Frate%2Fcase%2F" in page  # the login returns here
    r = client.post(rate_url(case), {"digits": "1234"})
    assert r.status_code == 400 and "不符" in r.content.decode()
    r = client.post(rate_url(case), {"digits": "０００７"})  # full-width digits of …0007
    assert r.status_code == 302
    r = client.post(r["Location"], {"level": "4"})
    assert "感谢您的评价" in r.content.decode()
    assert Rating.objects.get(case=case).channel == "qr"


def test_the_phone_digits_are_throttled_per_case(client, rated_case, settings):
    settings.BANHAO_LOOKUP_MAX_FAILURES_PER_NUMBER_PER_HOUR = 3
    settings.BANHAO_LOOKUP_MAX_FAILURES_PER_HOUR = 100
    case = rated_case()
    for _ in range(3):
        client.post(rate_url(case), {"digits": "1111"})
    r = client.post(rate_url(case), {"digits": "0007"})  # right, but locked
    assert r.status_code == 400 and "次数过多" in r.content.decode()


def test_the_sms_token_page_rates_without_login_and_then_says_it_was_used(client, rated_case, applicant):
    case = rated_case()
    url = reverse("rating:token", args=[ratings.rating_token(case.pk, "sms")])
    assert "请对本次服务作出评价" in client.get(url).content.decode()
    r = client.post(url, {"level": "1"})
    assert r.status_code == 400 and "请至少选择一项原因" in r.content.decode()
    r = client.post(url, {"level": "1", "reasons": ["attitude"], "comment": "窗口态度生硬"})
    assert "感谢您的评价" in r.content.decode()
    rating = Rating.objects.get(case=case)
    assert rating.channel == "sms" and rating.rater == applicant["user"]  # shows in 我的评价
    page = client.get(url).content.decode()
    assert "该评价链接已使用" in page and "提交评价" not in page


def test_a_forged_or_expired_token_gets_a_clear_page(client, rated_case, settings):
    case = rated_case()
    token = ratings.rating_token(case.pk, "sms")
    r = client.get(reverse("rating:token", args=[token[:-3] + "abc"]))
    assert r.status_code == 400 and "评价链接无效" in r.content.decode()
    settings.BANHAO_RATING_TOKEN_DAYS = -1
    r = client.get(reverse("rating:token", args=[token]))
    assert r.status_code == 400 and "评价链接已过期" in r.content.decode()
    assert client.post(reverse("rating:token", args=[token]), {"level": "5"}).status_code == 400
    assert not Rating.objects.exists()


def test_my_ratings_lists_the_applicants_ratings(logged_in, rated_case, client):
    case = rated_case()
    assert "您还没有作出评价" in logged_in.get(reverse("rating:mine")).content.decode()
    logged_in.post(rate_url(case), {"level": "3"})
    page = logged_in.get(reverse("rating:mine")).content.decode()
    assert case.number in page and "基本满意" in page


def test_my_ratings_needs_a_login(client):
    r = client.get(reverse("rating:mine"))
    assert r.status_code == 302 and "login" in r["Location"]


# --- the kiosk ------------------------------------------------------------------------------------


def test_the_self_service_menu_links_the_kiosk_rating(client, hall):
    page = client.get(reverse("hall:self_service", args=[hall["hall"].pk])).content.decode()
    assert reverse("rating:kiosk", args=[hall["hall"].pk]) in page


def test_the_kiosk_rates_a_case_with_its_number_and_phone_digits_on_the_onsite_indicators(
    client, rated_case, hall
):
    case = rated_case()
    url = reverse("rating:kiosk", args=[hall["hall"].pk])
    r = client.post(url, {"number": case.number, "digits": "9999"})
    assert r.status_code == 400 and "不符" in r.content.decode()
    r = client.post(url, {"number": f" {case.number} ", "digits": "0007"})
    page = r.content.decode()
    assert "服务态度" in page and "办事指南准确性" not in page
    token = r.context["token"]
    r = client.post(url, {"token": token, "level": "2"})
    assert r.status_code == 400 and "请至少选择一项原因" in r.content.decode()
    r = client.post(url, {"token": token, "level": "5", "dim_attitude": "5", "dim_skill": "4"})
    assert "感谢您的评价" in r.content.decode()
    assert r.context["refresh_seconds"] > 0  # the screen clears itself
    rating = Rating.objects.get(case=case)
    assert rating.channel == "kiosk" and rating.dimensions == {"attitude": 5, "skill": 4}
    r = client.post(url, {"token": token, "level": "1", "reasons": ["slow"], "comment": "再评"})
    assert r.status_code == 409 and Rating.objects.count() == 1
    r = client.post(url, {"number": case.number, "digits": "0007"})
    assert "本办件已评价" in r.content.decode()


def test_the_kiosk_refuses_a_token_of_another_channel(client, rated_case, hall):
    case = rated_case()
    url = reverse("rating:kiosk", args=[hall["hall"].pk])
    r = client.post(url, {"token": ratings.rating_token(case.pk, "sms"), "level": "5"})
    assert r.status_code == 400 and not Rating.objects.exists()


def test_the_kiosk_says_an_undelivered_case_cannot_be_rated_yet(client, rated_case, hall):
    case = rated_case(approved=True)
    r = client.post(
        reverse("rating:kiosk", args=[hall["hall"].pk]), {"number": case.number, "digits": "0007"}
    )
    assert "办件送达或办结后才能评价" in r.content.decode() and "token" not in r.context


# --- the window QR sheet ----------------------------------------------------------------------------


def test_hall_managers_print_one_qr_per_window_and_others_cannot(client, make_staff, hall, applicant):
    manager = make_staff("hall_manager", region="lanshan", hall=hall["hall"])
    client.login(username=manager.username, password=PASSWORD)
    page = client.get(reverse("rating:windows")).content.decode()
    assert page.count("data:image/svg+xml;base64,") == len(hall["windows"])
    assert "1号窗口" in page and "9号窗口" in page
    client.force_login(applicant["user"])
    assert client.get(reverse("rating:windows")).status_code == 403


def _finished_ticket(client, make_staff, hall):
    from banhao.hall.tests.factories import TicketFactory

    w1 = hall["windows"][1]
    clerk = make_staff("window_clerk", region="lanshan", hall=hall["hall"], window=w1)
    client.login(username=clerk.username, password=PASSWORD)
    TicketFactory(hall)
    client.post(reverse("hall:desk_act"), {"action": "call"})
    client.post(reverse("hall:desk_act"), {"action": "finish"})
    client.logout()
    return w1, clerk


def test_the_window_qr_rates_todays_visit_once(client, make_staff, hall):
    w1, clerk = _finished_ticket(client, make_staff, hall)
    url = reverse("rating:window", args=[window_key(w1.pk)])
    assert "排队号" in client.get(url).content.decode()
    r = client.post(url, {"ticket": "A999"})
    assert r.status_code == 400 and "未找到本窗口今天办结的该排队号" in r.content.decode()
    r = client.post(url, {"ticket": "ａ００１"})  # full-width, lower case
    assert "请对本次窗口服务作出评价" in r.content.decode()
    r = client.post(url, {"ticket": "A001", "level": "1"})
    assert r.status_code == 400 and "请至少选择一项原因" in r.content.decode()
    r = client.post(url, {"ticket": "A001", "level": "1", "reasons": ["attitude"], "comment": "不耐烦"})
    assert "感谢您的评价" in r.content.decode()
    rating = Rating.objects.get()
    assert (rating.channel, rating.window_id, rating.clerk_id, rating.reasons) == (
        "qr",
        w1.pk,
        clerk.staff.pk,
        ["attitude"],
    )
    r = client.post(url, {"ticket": "A001", "level": "5"})
    assert r.status_code == 400 and Rating.objects.count() == 1  # 一次一评


def test_the_window_qr_of_another_window_does_not_rate_this_visit(client, make_staff, hall):
    _finished_ticket(client, make_staff, hall)
    r = client.post(
        reverse("rating:window", args=[window_key(hall["windows"][2].pk)]), {"ticket": "A001", "level": "5"}
    )
    assert r.status_code == 400 and not Rating.objects.exists()


def test_a_forged_window_key_is_404(client):
    assert client.get(reverse("rating:window", args=["forged"])).status_code == 404


def test_the_window_qr_also_rates_a_case_by_number_and_phone_digits(client, hall, rated_case):
    case = rated_case()
    url = reverse("rating:window", args=[window_key(hall["windows"][1].pk)])
    r = client.post(url, {"case_number": case.number, "digits": "0000"})
    assert r.status_code == 400 and "不符" in r.content.decode()
    r = client.post(url, {"case_number": case.number, "digits": "0007"})
    assert r.status_code == 302 and r["Location"].startswith("/rate/t/")


# --- the notice and the invitation ---------------------------------------------------------------------


def test_the_decision_notice_carries_a_qr_code_to_the_rating_page(rated_case):
    from banhao.cases import documents

    case = rated_case()
    html = documents.notice_html(case, documents.DECISION, base_url="https://gov.example")
    assert f"https://gov.example/rate/case/{case.number}/" in html
    assert html.count("data:image/svg+xml;base64,") == 2  # the progress code and the rating code


def test_the_invitation_sms_goes_once_per_delivered_case(rated_case, settings):
    from banhao.notify.models import Message

    settings.BANHAO_SITE_URL = "https://gov.example"
    pending = rated_case(key="p", approved=True)
    case = rated_case()
    assert rating_invite_sweep() == 1
    msg = Message.objects.get(dedupe_key=f"rating-invite:{case.pk}")
    assert msg.channel == "sms" and msg.phone == "13700000007"
    assert "https://gov.example/rate/t/" in msg.text and case.number in msg.text
    assert rating_invite_sweep() == 0  # the cursor moved: nothing read twice
    from banhao.cases import services
    from banhao.cases.models import Case

    pending = services.case_result_ready(actor="测试", case=pending)
    services.case_deliver(actor="测试", case=pending, method=Case.Delivery.PICKUP)
    ratings.rating_record_case(case_id=pending.pk, user=pending.applicant_user, level=5)
    assert rating_invite_sweep() == 0  # rated before the step ran: no invitation
    assert Message.objects.filter(dedupe_key__startswith="rating-invite:").count() == 1


def test_the_invitation_link_rates_the_case(client, rated_case, settings):
    from banhao.notify.models import Message

    settings.BANHAO_SITE_URL = "https://gov.example"
    case = rated_case()
    rating_invite_sweep()
    text = Message.objects.get(dedupe_key=f"rating-invite:{case.pk}").text
    path = text.split("https://gov.example", 1)[1].split(" ", 1)[0]
    r = client.post(path, {"level": "5"})
    assert "感谢您的评价" in r.content.decode()
    assert Rating.objects.get(case=case).channel == "sms"


def test_a_repeated_run_after_a_crash_sends_no_second_sms(rated_case):
    from banhao.evaluation.models import EventCursor
    from banhao.notify.models import Message

    case = rated_case()
    rating_invite_sweep()
    EventCursor.objects.filter(name="rating-invite").update(position=0)  # as if the cursor was lost
    assert rating_invite_sweep() == 0
    assert Message.objects.filter(dedupe_key=f"rating-invite:{case.pk}").count() == 1
