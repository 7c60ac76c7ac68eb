"""12345 回访: the daily plan (deterministic sample per department and item, every bad rating,
a rerun adds nothing), the questionnaire and its scores, the outcomes and their refusals, the
phone rating, the re-handling a dissatisfied answer sets off, and the pages."""

import datetime as dt
import hashlib
import math

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from banhao.cases.models import Case
from banhao.core.calendar import add_workdays
from banhao.core.models import AuditEvent
from banhao.evaluation import callbacks, ratings
from banhao.evaluation.models import Rating, Rectification
from banhao.evaluation.models_hotline import Callback, CallbackAttempt

pytestmark = pytest.mark.django_db

SATISFIED = {"once": "yes", "visits": "1", "extra": "no", "satisfaction": "5"}
UNHAPPY = {"once": "no", "visits": "3", "extra": "yes", "extra_note": "要求提供社区证明", "satisfaction": "1"}


def plan_day():
    """The working day after today: the plan then covers the cases finished today."""
    return add_workdays(timezone.localdate(), 1)


@pytest.fixture
def hotline(make_staff):
    return make_staff("hotline", region="city")


@pytest.fixture
def cases(rated_case):
    def make(n):
        return [rated_case() for _ in range(n)]

    return make


def test_the_plan_samples_each_department_and_item_by_the_hash_of_the_case_number(cases, settings):
    settings.BANHAO_CALLBACK_RATE = 0.5
    made = cases(5)
    added = callbacks.callback_plan(plan_day())
    wanted = math.ceil(0.5 * 5)
    assert added == wanted
    expected = sorted(made, key=lambda c: hashlib.sha256(c.number.encode()).hexdigest())[:wanted]
    planned = Callback.objects.order_by("case_id")
    assert [c.case_id for c in planned] == sorted(c.pk for c in expected)
    first = planned.first()
    assert first.reason == Callback.Reason.SAMPLED
    assert first.planned_on == plan_day()
    assert first.status == Callback.Status.PENDING
    assert first.phone == "13700000007"
    # a rerun adds nothing (deterministic draw, one callback per case)
    assert callbacks.callback_plan(plan_day()) == 0
    assert Callback.objects.count() == wanted


def test_the_sample_is_drawn_in_each_item_group_separately(cases, settings, monkeypatch):
    import dataclasses

    from banhao.cases import api as cases_api

    settings.BANHAO_CALLBACK_RATE = 0.34
    made = cases(6)
    real = cases_api.cases_finished_between

    def two_items(start, end, **kw):
        facts = real(start, end, **kw)
        return [dataclasses.replace(f, item="甲事项" if i % 2 else "乙事项") for i, f in enumerate(facts)]

    monkeypatch.setattr(cases_api, "cases_finished_between", two_items)
    # ceil(0.34 × 3) = 2 in each of the two groups; one draw over all six would give ceil(0.34 × 6) = 3
    assert callbacks.callback_plan(plan_day()) == 4
    assert {c.item for c in Callback.objects.all()} == {"甲事项", "乙事项"}
    assert Callback.objects.filter(item="甲事项").count() == 2
    assert len(made) == 6


def test_every_bad_rating_is_called_even_at_a_zero_rate(cases, applicant, settings):
    settings.BANHAO_CALLBACK_RATE = 0
    good, bad = cases(2)
    ratings.rating_record_case(
        case_id=bad.pk, user=applicant["user"], level=1, reasons=["attitude"], comment="态度差"
    )
    ratings.rating_record_case(case_id=good.pk, user=applicant["user"], level=5)
    assert callbacks.callback_plan(plan_day()) == 1
    callback = Callback.objects.get()
    assert callback.case_id == bad.pk and callback.reason == Callback.Reason.BAD_RATING


def test_a_department_override_changes_its_rate(cases, settings):
    settings.BANHAO_CALLBACK_RATE = 0
    settings.BANHAO_CALLBACK_DEPARTMENT_RATES = {"兰山区行政审批服务局": 1.0}
    cases(3)
    assert callbacks.callback_plan(plan_day()) == 3


def test_the_plan_does_nothing_on_a_rest_day_and_the_next_working_day_covers_it(cases, settings):
    settings.BANHAO_CALLBACK_RATE = 1.0
    cases(1)
    saturday = dt.date(2026, 12, 12)
    assert callbacks.callback_plan(saturday) == 0
    assert Callback.objects.count() == 0


def test_the_sweep_command_prints_the_plan_line(cases, settings, capsys, monkeypatch):
    settings.BANHAO_CALLBACK_RATE = 1.0
    cases(2)
    real = callbacks.callback_plan
    monkeypatch.setattr(callbacks, "callback_plan", lambda today=None: real(plan_day()))
    call_command("evaluation_sweep")
    out = capsys.readouterr().out
    assert "12345回访计划：新增 2 件" in out


def _planned(cases, settings, n=1):
    settings.BANHAO_CALLBACK_RATE = 1.0
    made = cases(n)
    callbacks.callback_plan(plan_day())
    return [Callback.objects.get(case_id=c.pk) for c in made]


def test_a_satisfied_answer_scores_and_becomes_the_phone_rating(cases, settings, hotline):
    (cb,) = _planned(cases, settings)
    done = callbacks.callback_record(callback_id=cb.pk, actor=hotline, outcome="reached", answers=SATISFIED)
    assert done.status == Callback.Status.REACHED
    assert done.score == callbacks.SCORE_MAX == 100
    assert done.scores == {"once": 25, "visits": 25, "extra": 25, "satisfaction": 25}
    rating = Rating.objects.get(case_id=cb.case_id)
    assert (rating.channel, rating.level, rating.real_name, rating.is_default) == ("phone", 5, True, False)
    assert done.rating_id == rating.pk
    assert Case.objects.get(pk=cb.case_id).status == "delivered"
    assert not done.rehandled
    assert AuditEvent.objects.filter(action="evaluation.callback").exists()


def test_a_dissatisfied_answer_sends_the_case_back_and_opens_a_rectification(cases, settings, hotline):
    settings.BANHAO_CALLBACK_REHANDLE_DAYS = 4
    (cb,) = _planned(cases, settings)
    done = callbacks.callback_record(
        callback_id=cb.pk,
        actor=hotline,
        outcome="reached",
        answers=UNHAPPY,
        reasons=["repeat"],
        comment="跑了三次才办成",
    )
    assert done.score == 0 and done.level == 1 and done.rehandled
    case = Case.objects.get(pk=cb.case_id)
    assert case.status == "under_review"
    assert case.rehandle_due == add_workdays(timezone.localdate(), 4)
    assert "12345回访：申请人表示非常不满意" in case.rehandle_reason
    rating = Rating.objects.get(case_id=cb.case_id)
    assert rating.channel == "phone" and rating.level == 1
    assert Rectification.objects.filter(rating=rating).exists()


def test_a_case_already_rated_keeps_its_rating_but_is_still_sent_back(cases, settings, hotline, applicant):
    (cb,) = _planned(cases, settings)
    ratings.rating_record_case(case_id=cb.case_id, user=applicant["user"], level=4)
    done = callbacks.callback_record(
        callback_id=cb.pk, actor=hotline, outcome="reached", answers={**SATISFIED, "satisfaction": "2"}
    )
    assert done.rehandled and done.rating_id is None
    assert list(Rating.objects.filter(case_id=cb.case_id).values_list("channel", "level")) == [("pc", 4)]
    assert Case.objects.get(pk=cb.case_id).status == "under_review"


def test_not_done_in_one_go_lowers_the_score_but_does_not_reopen_a_satisfied_case(cases, settings, hotline):
    (cb,) = _planned(cases, settings)
    answers = {"once": "no", "visits": "2", "extra": "no", "satisfaction": "3"}
    done = callbacks.callback_record(callback_id=cb.pk, actor=hotline, outcome="reached", answers=answers)
    assert done.score == 0 + 10 + 25 + 15
    assert not done.rehandled
    assert Case.objects.get(pk=cb.case_id).status == "delivered"


@pytest.mark.parametrize(
    ("answers", "key", "words"),
    [
        ({**SATISFIED, "satisfaction": ""}, "satisfaction", "请选择"),
        ({**SATISFIED, "visits": "9"}, "visits", "请选择"),
        ({**SATISFIED, "visits": "3"}, "visits", "一次办好"),
        ({**SATISFIED, "extra": "yes"}, "extra_note", "清单以外材料"),
    ],
)
def test_bad_answers_are_refused_in_chinese_and_nothing_is_recorded(
    cases, settings, hotline, answers, key, words
):
    (cb,) = _planned(cases, settings)
    with pytest.raises(ValidationError) as e:
        callbacks.callback_record(callback_id=cb.pk, actor=hotline, outcome="reached", answers=answers)
    assert words in " ".join(e.value.message_dict[key])
    cb.refresh_from_db()
    assert cb.status == Callback.Status.PENDING and cb.tries == 0
    assert not CallbackAttempt.objects.exists() and not Rating.objects.exists()


def test_a_bad_phone_rating_needs_a_reason_and_nothing_changes_without_one(cases, settings, hotline):
    (cb,) = _planned(cases, settings)
    with pytest.raises(ValidationError) as e:
        callbacks.callback_record(callback_id=cb.pk, actor=hotline, outcome="reached", answers=UNHAPPY)
    assert "reasons" in e.value.message_dict
    assert Case.objects.get(pk=cb.case_id).status == "delivered"
    cb.refresh_from_db()
    assert cb.status == Callback.Status.PENDING and not Rating.objects.exists()


def test_after_the_last_unanswered_try_the_callback_closes_as_unreachable(cases, settings, hotline):
    settings.BANHAO_CALLBACK_MAX_TRIES = 3
    (cb,) = _planned(cases, settings)
    for outcome in ("no_answer", "busy"):
        cb = callbacks.callback_record(callback_id=cb.pk, actor=hotline, outcome=outcome)
        assert cb.status == Callback.Status.PENDING
    cb = callbacks.callback_record(callback_id=cb.pk, actor=hotline, outcome="no_answer")
    assert cb.status == Callback.Status.UNREACHABLE and cb.tries == 3 and cb.closed_at is not None
    with pytest.raises(ValidationError, match="该回访已结束"):
        callbacks.callback_record(callback_id=cb.pk, actor=hotline, outcome="reached", answers=SATISFIED)
    assert CallbackAttempt.objects.filter(callback=cb).count() == 3
    assert not Rating.objects.exists()


def test_a_refusal_closes_the_callback_and_an_unknown_outcome_is_refused(cases, settings, hotline):
    first, second = _planned(cases, settings, n=2)
    with pytest.raises(ValidationError):
        callbacks.callback_record(callback_id=first.pk, actor=hotline, outcome="maybe")
    done = callbacks.callback_record(
        callback_id=first.pk, actor=hotline, outcome="refused", note="不愿接受回访"
    )
    assert done.status == Callback.Status.REFUSED
    assert Callback.objects.get(pk=second.pk).status == Callback.Status.PENDING


# --- pages ---------------------------------------------------------------------------------------


def test_the_work_list_shows_masked_phones_and_a_countdown(client, cases, settings, hotline):
    (cb,) = _planned(cases, settings)
    client.force_login(hotline)
    html = client.get(reverse("hotline:callbacks")).content.decode()
    assert cb.case_number in html
    assert "137****0007" in html and "13700000007" not in html
    assert "个工作日" in html or "今日到期" in html


def test_the_callback_page_records_a_dissatisfied_call(client, cases, settings, hotline):
    (cb,) = _planned(cases, settings)
    client.force_login(hotline)
    url = reverse("hotline:callback", args=[cb.pk])
    page = client.get(url).content.decode()
    for q in callbacks.QUESTIONNAIRE:
        assert q.text in page
    response = client.post(
        url, {"outcome": "reached", **UNHAPPY, "reasons": ["repeat"], "comment": "材料反复要求"}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=cb.case_id).status == "under_review"


def test_the_callback_page_answers_a_bad_form_with_400_and_records_nothing(client, cases, settings, hotline):
    (cb,) = _planned(cases, settings)
    client.force_login(hotline)
    response = client.post(reverse("hotline:callback", args=[cb.pk]), {"outcome": "reached", "once": "yes"})
    assert response.status_code == 400
    assert "请选择" in response.content.decode()
    assert Callback.objects.get(pk=cb.pk).tries == 0


def test_showing_the_whole_number_is_audited_and_not_cached(client, cases, settings, hotline):
    (cb,) = _planned(cases, settings)
    client.force_login(hotline)
    response = client.post(reverse("hotline:callback_phone", args=[cb.pk]), {"reason": "拨号"})
    assert "13700000007" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    event = AuditEvent.objects.get(action="evaluation.callback_reveal_phone")
    assert event.reason == "拨号"
    assert "13700000007" not in client.get(reverse("hotline:callback", args=[cb.pk])).content.decode()


def test_other_roles_and_other_regions_cannot_reach_callbacks(client, cases, settings, make_staff):
    (cb,) = _planned(cases, settings)
    client.force_login(make_staff("window_clerk", region="lanshan"))
    assert client.get(reverse("hotline:callbacks")).status_code == 403
    client.force_login(make_staff("hotline", region="yinan"))
    assert client.get(reverse("hotline:callback", args=[cb.pk])).status_code == 404
    assert client.post(reverse("hotline:callback_phone", args=[cb.pk])).status_code == 404


def test_the_callback_figures_per_department(client, cases, settings, hotline):
    from banhao.evaluation.api import callback_unit_figures

    settings.BANHAO_CALLBACK_MAX_TRIES = 1
    first, second, third = _planned(cases, settings, n=3)
    callbacks.callback_record(callback_id=first.pk, actor=hotline, outcome="reached", answers=SATISFIED)
    callbacks.callback_record(
        callback_id=second.pk,
        actor=hotline,
        outcome="reached",
        answers=UNHAPPY,
        reasons=["repeat"],
        comment="跑了三次",
    )
    callbacks.callback_record(callback_id=third.pk, actor=hotline, outcome="no_answer")
    (row,) = callback_unit_figures(plan_day().strftime("%Y-%m"))
    assert (row.planned, row.reached, row.unreachable, row.refused) == (3, 2, 1, 0)
    assert row.average_score == 50.0 and row.satisfaction_rate == 50.0 and row.rehandled == 1
    client.force_login(hotline)
    html = client.get(reverse("hotline:metrics"), {"month": plan_day().strftime("%Y-%m")}).content.decode()
    assert "办件回访" in html and "50.0" in html


def test_a_case_finished_again_after_re_handling_is_called_back_again(cases, settings, hotline):
    from banhao.cases import services as case_services

    (cb,) = _planned(cases, settings)
    callbacks.callback_record(
        callback_id=cb.pk,
        actor=hotline,
        outcome="reached",
        answers=UNHAPPY,
        reasons=["repeat"],
        comment="跑了三次",
    )
    case = Case.objects.get(pk=cb.case_id)
    case_services.case_decide(actor="测试", case=case, approved=True, reason="")
    case_services.case_result_ready(actor="测试", case=Case.objects.get(pk=case.pk))
    case_services.case_deliver(actor="测试", case=Case.objects.get(pk=case.pk), method="pickup")
    settings.BANHAO_CALLBACK_RATE = 0  # not by the draw: every re-handled case is called again
    assert callbacks.callback_plan(plan_day()) == 1
    again = Callback.objects.get(case_id=case.pk, round=1)
    assert again.reason == Callback.Reason.BAD_RATING  # its phone rating was bad
    assert callbacks.callback_plan(plan_day()) == 0
    assert Callback.objects.filter(case_id=case.pk).count() == 2
