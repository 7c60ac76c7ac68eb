"""一事一评 on every case channel, the signed token, bad-rating reasons, the default rating and
the rectification a real-name bad rating opens."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from banhao.core.calendar import add_workdays
from banhao.evaluation import ratings
from banhao.evaluation.models import Rating, Rectification

pytestmark = pytest.mark.django_db


def test_the_applicant_rates_a_delivered_case_once_with_the_online_indicators(rated_case, applicant):
    case = rated_case()
    info = ratings.rating_record_case(
        case_id=case.pk,
        user=applicant["user"],
        channel="mobile",
        level=5,
        dimensions={"efficiency": 5, "guide": 4, "convenience": 5, "usability": 4},
    )
    rating = Rating.objects.get(pk=info.id)
    assert (
        rating.real_name and rating.rater == applicant["user"] and rating.department_id == case.department_id
    )
    assert rating.dimensions == {"efficiency": 5, "guide": 4, "convenience": 5, "usability": 4}
    with pytest.raises(ratings.AlreadyRated):
        ratings.rating_record_case(case_id=case.pk, user=applicant["user"], channel="pc", level=1)
    assert Rating.objects.filter(case=case).count() == 1


def test_a_case_not_yet_delivered_cannot_be_rated(rated_case, applicant):
    case = rated_case(approved=True)
    with pytest.raises(ValidationError, match="送达或办结后"):
        ratings.rating_record_case(case_id=case.pk, user=applicant["user"], level=5)


def test_another_login_or_an_anonymous_caller_cannot_rate(rated_case, make_person):
    from banhao.registry import services

    case = rated_case()
    other = services.applicant_account_open(
        actor="测试", person=make_person(name="钱"), password="Pass@12345", phone="13700000009"
    ).user
    with pytest.raises(PermissionDenied):
        ratings.rating_record_case(case_id=case.pk, user=other, level=5)
    with pytest.raises(PermissionDenied):
        ratings.rating_record_case(case_id=case.pk, user=None, level=5)
    assert not Rating.objects.exists()


@pytest.mark.parametrize(
    ("reasons", "comment", "field"),
    [([], "等了很久", "reasons"), (["slow"], "", "comment"), (["made_up"], "x", "reasons")],
)
def test_a_bad_rating_needs_a_reason_from_the_list_and_a_description(
    rated_case, applicant, reasons, comment, field
):
    case = rated_case()
    with pytest.raises(ValidationError) as e:
        ratings.rating_record_case(
            case_id=case.pk, user=applicant["user"], level=2, reasons=reasons, comment=comment
        )
    assert field in e.value.message_dict
    assert not Rating.objects.exists()


def test_the_sms_token_rates_its_case_once_and_a_forged_token_is_refused(rated_case):
    case = rated_case()
    token = ratings.rating_token(case.pk, "sms")
    info = ratings.rating_record_case(token=token, level=4)
    assert Rating.objects.get(pk=info.id).channel == "sms"
    with pytest.raises(ratings.AlreadyRated):
        ratings.rating_record_case(token=token, level=5)
    with pytest.raises(ValidationError, match="无效"):
        ratings.rating_record_case(token=token[:-2] + "xx", level=5)


def test_a_real_name_bad_rating_opens_a_rectification_due_in_five_working_days(rated_case, applicant):
    case = rated_case()
    info = ratings.rating_record_case(
        case_id=case.pk, user=applicant["user"], level=1, reasons=["slow", "repeat"], comment="跑了三次才办完"
    )
    rect = Rectification.objects.get(rating_id=info.id)
    assert rect.department_id == case.department_id and rect.status == "open"
    assert rect.due_on == add_workdays(rect.opened_on, 5)
    assert rect.events.filter(action="open").exists()


def test_a_case_nobody_rated_in_time_gets_the_default_level_marked_as_default(rated_case, settings):
    from banhao.cases.models import Case

    settings.BANHAO_RATING_DEFAULT_DAYS = 5
    case = rated_case()
    delivered = dt.datetime(2026, 11, 2, 10, tzinfo=dt.UTC)  # a Monday
    Case.objects.filter(pk=case.pk).update(delivered_at=delivered)
    assert ratings.rating_default_sweep(today=dt.date(2026, 11, 6)) == 0  # 4 working days later
    assert ratings.rating_default_sweep(today=dt.date(2026, 11, 9)) == 1  # 5 working days later
    rating = Rating.objects.get(case=case)
    assert rating.is_default and rating.level == 4 and rating.channel == "default" and not rating.real_name
    assert not Rectification.objects.exists()
    assert ratings.rating_default_sweep(today=dt.date(2026, 11, 10)) == 0
