"""POST /api/v1/ratings/: 201 the rating, 409 a second rating of the same case, 400 a bad level
without a reason (Chinese, by field), 403 not the applicant, 404 an unknown case, 429 throttled;
the applicant's session (with CSRF) or the signed token; in the OpenAPI schema."""

import json

import pytest
from django.core.cache import cache
from django.test import Client

from banhao.evaluation import ratings
from banhao.evaluation.models import Rating, Rectification

pytestmark = pytest.mark.django_db

URL = "/api/v1/ratings/"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()  # the throttle counts there
    yield
    cache.clear()


def post(client, **body):
    return client.post(URL, json.dumps(body), content_type="application/json")


@pytest.fixture
def session(client, applicant):
    client.force_login(applicant["user"])
    return client


def test_the_applicant_rates_a_case_and_gets_201_with_the_rating(session, rated_case, applicant):
    case = rated_case()
    r = post(session, case=case.number, level=5, dimensions={"efficiency": 5, "guide": 4}, channel="mobile")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["case"] == case.number and body["level"] == 5 and body["level_label"] == "非常满意"
    assert body["channel"] == "mobile" and body["dimensions"] == {"efficiency": 5, "guide": 4}
    assert body["is_bad"] is False and body["rectification_due_on"] is None
    assert Rating.objects.get(case=case).rater == applicant["user"]


def test_a_second_rating_of_the_same_case_is_409_in_chinese(session, rated_case):
    case = rated_case()
    assert post(session, case=case.number, level=4).status_code == 201
    r = post(session, case=case.number, level=1, reasons=["slow"], comment="再评一次")
    assert r.status_code == 409
    assert r.json()["detail"] == ratings.AlreadyRated.message
    assert Rating.objects.filter(case=case).count() == 1


def test_a_bad_level_without_reason_is_400_with_chinese_field_errors(session, rated_case):
    case = rated_case()
    r = post(session, case=case.number, level=2)
    assert r.status_code == 400
    errors = r.json()
    assert "请至少选择一项原因" in errors["reasons"][0] and "请写明具体情况" in errors["comment"][0]
    r = post(session, case=case.number, level=1, reasons=["slow"])
    assert r.status_code == 400 and list(r.json()) == ["comment"]
    assert not Rating.objects.exists()


def test_a_bad_level_with_reason_and_text_is_201_and_opens_a_rectification(session, rated_case):
    case = rated_case()
    r = post(session, case=case.number, level=1, reasons=["slow", "repeat"], comment="跑了三次")
    assert r.status_code == 201
    rect = Rectification.objects.get(rating__case=case)
    assert r.json()["rectification_due_on"] == rect.due_on.isoformat() and r.json()["is_bad"] is True


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"level": 9}, "level", "请选择满意程度"),
        ({"level": "很好"}, "level", "请选择满意程度"),
        ({"level": 5, "dimensions": {"speed": 5}}, "dimensions.speed", "没有"),
        ({"level": 5, "dimensions": {"efficiency": 7}}, "dimensions.efficiency", "评价无效"),
        ({"level": 5, "dimensions": [1, 2]}, "dimensions", "应为对象"),
        ({"level": 2, "reasons": ["made_up"], "comment": "x"}, "reasons", "不在列表中"),
        ({"level": 5, "reasons": "slow"}, "reasons", "应为列表"),
        ({"level": 5, "channel": "fax"}, "channel", "pc 或 mobile"),
        ({"level": 5, "comment": "长" * 501}, "comment", "500字"),
        ({}, "level", "请选择满意程度"),
    ],
)
def test_odd_input_is_400_in_chinese_and_nothing_is_saved(session, rated_case, body, field, words):
    case = rated_case()
    r = post(session, case=case.number, **body)
    assert r.status_code == 400
    assert words in r.json()[field][0]
    assert not Rating.objects.exists()


def test_full_width_digits_and_a_padded_case_number_are_accepted(session, rated_case):
    case = rated_case()
    r = post(session, case=f" {case.number} ", level="４")
    assert r.status_code == 201 and r.json()["level"] == 4


def test_neither_case_nor_token_is_400(session):
    r = post(session, level=5)
    assert r.status_code == 400 and "case" in r.json()


def test_another_applicant_is_403(client, rated_case, make_person):
    from banhao.registry import services

    case = rated_case()
    other = services.applicant_account_open(
        actor="测试", person=make_person(name="钱"), password="Pass@12345", phone="13700000009"
    ).user
    client.force_login(other)
    r = post(client, case=case.number, level=5)
    assert r.status_code == 403 and "申请人本人" in r.json()["detail"]
    assert not Rating.objects.exists()


def test_an_anonymous_caller_without_token_is_403(client, rated_case):
    r = post(client, case=rated_case().number, level=5)
    assert r.status_code == 403 and "登录" in r.json()["detail"]


def test_an_unknown_case_is_404(session):
    r = post(session, case="371302-20991231-99999", level=5)
    assert r.status_code == 404 and r.json()["detail"] == "办件不存在。"


def test_a_case_not_yet_delivered_is_400(session, rated_case):
    case = rated_case(approved=True)
    r = post(session, case=case.number, level=5)
    assert r.status_code == 400 and "送达或办结后" in r.json()["case"][0]


def test_the_token_rates_without_login_and_only_once(client, rated_case):
    case = rated_case()
    token = ratings.rating_token(case.pk, "sms")
    r = post(client, token=token, level=3)
    assert r.status_code == 201 and r.json()["channel"] == "sms" and r.json()["case"] == case.number
    assert post(client, token=token, level=3).status_code == 409


def test_a_forged_or_expired_token_is_400(client, rated_case, settings):
    case = rated_case()
    token = ratings.rating_token(case.pk, "qr")
    r = post(client, token=token[:-2] + "zz", level=5)
    assert r.status_code == 400 and "评价链接无效" in r.json()["token"][0]
    settings.BANHAO_RATING_TOKEN_DAYS = -1
    r = post(client, token=token, level=5)
    assert r.status_code == 400 and "已过期" in r.json()["token"][0]
    assert not Rating.objects.exists()


def test_the_session_call_needs_the_csrf_token(applicant, rated_case):
    case = rated_case()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(applicant["user"])
    r = post(strict, case=case.number, level=5)
    assert r.status_code == 403 and "CSRF" not in r.json()["detail"]
    assert not Rating.objects.exists()
    strict.get("/rate/mine/")  # sets the csrftoken cookie
    token = strict.cookies["csrftoken"].value
    r = strict.post(
        URL,
        json.dumps({"case": case.number, "level": 5}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert r.status_code == 201


def test_the_api_is_throttled_with_a_chinese_429(client, rated_case, settings):
    settings.BANHAO_RATING_API_RATE = "2/min"
    case = rated_case()
    token = ratings.rating_token(case.pk, "sms")
    assert post(client, token="bad", level=5).status_code == 400
    assert post(client, token=token, level=5).status_code == 201
    r = post(client, token=token, level=5)
    assert r.status_code == 429 and "过于频繁" in r.json()["detail"]


def test_the_ratings_api_is_in_the_schema(client):
    schema = json.loads(client.get("/api/schema/", {"format": "json"}).content)
    op = schema["paths"]["/api/v1/ratings/"]["post"]
    assert op["summary"] == "评价办件（一事一评）"
    assert {"201", "400", "403", "404", "409", "429"} <= set(op["responses"])


def test_a_token_rating_reads_its_case_once_and_links_it_with_one_insert(client, rated_case):
    """The answer is built from what the service read and wrote: the case's facts are read once,
    the case link is one insert, the response one join (docs/ratings.md, benchmark notes)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = rated_case()
    token = ratings.rating_token(case.pk)
    with CaptureQueriesContext(connection) as q:
        r = post(client, token=token, level=5)
    assert r.status_code == 201 and r.json()["case"] == case.number
    sql = [x["sql"] for x in q.captured_queries]
    assert sum(s.startswith("SELECT") and 'FROM "cases_case"' in s for s in sql) == 1
    assert sum("evaluation_rating_cases" in s for s in sql) == 1
    assert Rating.objects.get(case=case).cases.get() == case
