"""The demo's 好差评 loop, loaded by load_demo through the real services: the public page shows the
demo departments' figures, the supervisor's workbench has open rectifications, appeals and
complaints, the hotline desk has its callback list, the rater sees the feedback, and loading
again adds nothing. One load per test (load_demo takes a while), as the other demo tests do."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from banhao.cases.models import Case
from banhao.demo import city
from banhao.demo import evaluation as demo
from banhao.evaluation.models import Rating, Rectification
from banhao.evaluation.models_appeals import Appeal
from banhao.evaluation.models_complaints import AccountabilityRecord, Complaint
from banhao.evaluation.models_hotline import Callback

pytestmark = pytest.mark.django_db

S = Rectification.Status


def everything() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def login(client, username):
    client.logout()
    assert client.login(username=username, password=city.demo_password()), username


def test_the_demo_shows_the_rating_loop_end_to_end_and_a_second_load_adds_nothing(client):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    text = out.getvalue()

    # the ratings: the demo's cases on several channels, mostly good, the bad ones real-name
    demo_cases = Case.objects.filter(idempotency_key__startswith="demo-rating-")
    assert demo_cases.count() == len(demo.CASES)
    given = Rating.objects.filter(case__in=demo_cases, is_default=False, rerate_of__isnull=True)
    assert {"pc", "mobile", "sms", "kiosk", "phone"} <= set(given.values_list("channel", flat=True))
    bad = given.filter(level__lte=2)
    assert 0 < bad.count() < given.count() / 2
    assert all(r.real_name and r.reasons and r.comment for r in bad)
    assert Rating.objects.filter(is_default=True, case__in=demo_cases).count() == 2

    # the rectifications at their stages
    by_case = {r.rating.case_id: r for r in Rectification.objects.select_related("rating")}
    ids = [demo_cases.get(idempotency_key=demo.CASE_KEY.format(i)).pk for i in range(len(demo.CASES))]
    assert by_case[ids[9]].status == S.OPEN
    assert by_case[ids[10]].status == S.VERIFIED and by_case[ids[10]].substantiated is True
    rerated = by_case[ids[11]]
    assert rerated.status == S.CLOSED and rerated.rating.current is False
    assert Rating.objects.get(rerate_of=rerated.rating).level == 4
    fed_back = by_case[ids[12]]
    assert fed_back.status == S.FED_BACK and fed_back.feedback
    assert by_case[ids[13]].status == S.APPEALING
    assert Appeal.objects.get(rectification=by_case[ids[13]]).status == Appeal.Status.PENDING
    upheld = by_case[ids[14]]
    assert upheld.status == S.CLOSED and upheld.rating.excluded and upheld.rating.excluded_reason
    assert Appeal.objects.get(rectification=upheld).status == Appeal.Status.UPHELD

    # the public page: the demo departments with their figures (this month, where they were rated)
    today = timezone.localdate()
    month = f"{today:%Y-%m}"
    url = reverse("evaluation_public:figures")
    page = client.get(url, {"region": "371300", "month": month}).content.decode()
    assert "临沂市行政审批服务局" in page and "临沂市市场监督管理局" in page
    lanshan = client.get(url, {"region": "371302", "month": month}).content.decode()
    assert "兰山区行政审批服务局" in lanshan and "兰山区政务服务中心" in lanshan  # the pad's hall row

    # the window pad: a visit for a case names its department, a visit without one its hall
    pads = {r.department_id: r for r in Rating.objects.filter(channel="hall_pad")}
    assert len(pads) == 2 and None in pads
    with_case = next(r for d, r in pads.items() if d)
    assert with_case.department.name == "兰山区行政审批服务局" and with_case.region.code == "371302"
    assert pads[None].region.code == "371302" and pads[None].hall.name == "兰山区政务服务中心"
    assert f"/evaluation/public/?month={month}" in text

    # the supervisor's workbench: open rectifications, appeals to review, complaints
    login(client, "supervisor")
    r = client.get(reverse("evaluation_office:workbench"))
    assert r.status_code == 200
    tiles = {t.key: t for t in r.context["tiles"]}
    assert tiles["rectifications"].open >= 3  # open, verified, appealing (and the callback's)
    assert tiles["appeals"].open == 1
    assert tiles["complaints"].open >= 2  # received, investigating (and the concluded one)
    html = r.content.decode()
    assert "差评整改" in html and "差评申诉复核" in html and "效能投诉" in html

    # the complaints and the accountability record
    statuses = set(Complaint.objects.values_list("status", flat=True))
    assert {"received", "investigating", "concluded", "declined"} <= statuses
    investigating = Complaint.objects.get(status="investigating")
    assert investigating.evidence.count() == 1
    record = AccountabilityRecord.objects.get()
    assert record.measure.name == "提醒谈话" and record.complaint.conclusion == "substantiated"

    # the hotline desk has its callback list; the one dissatisfied callback sent its case back
    login(client, "hotline")
    r = client.get(reverse("hotline:callbacks"))
    assert r.status_code == 200 and len(r.context["rows"]) > 0
    done = Callback.objects.get(case_id=ids[17])
    assert done.status == Callback.Status.REACHED and done.rehandled
    assert Case.objects.get(pk=ids[17]).rehandle_count == 1

    # the rater of the fed-back rectification reads the feedback with their own login
    rater = fed_back.rating.rater
    client.logout()
    client.force_login(rater)
    page = client.get(reverse("rectify_feedback:page", args=[fed_back.pk])).content.decode()
    assert fed_back.feedback[:20] in page

    # the printed block names the accounts
    block = text.split("好差评：", 1)[1]
    assert "supervisor：" in block and "head、reviewer（临沂市行政审批服务局）" in block
    assert "hotline：/hotline/callbacks/" in block
    assert "待复核申诉 1 件" in block and "责任追究 1 条" in block
    assert fed_back.rating.rater.applicant.person.phone in block

    before = everything()
    again = io.StringIO()
    call_command("load_demo", stdout=again)
    assert everything() == before
    assert demo.load().new_cases == 0


def test_without_the_demo_city_the_loop_loads_nothing():
    result = demo.load()
    assert result.new_cases == 0 and result.ratings == 0
    assert not Rating.objects.exists() and not Complaint.objects.exists()
