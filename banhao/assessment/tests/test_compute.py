"""Versioning, manual items, ranking, draft vs published, and the command's output."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from banhao.assessment.compute import assessment_compute, rank_competition, version_in_force
from banhao.assessment.models import (
    Indicator,
    ManualItem,
    Scheme,
    SchemeVersion,
    Score,
    ScoreSet,
    linear_score,
)

pytestmark = pytest.mark.django_db


def make_scheme(kind="window", period="month", *, versions=((dt.date(2026, 1, 1), 60),)):
    """A scheme with one bad-rating indicator per version (weight w, full at 0, zero at 5) and a
    satisfaction rate indicator of weight 100 - w."""
    scheme = Scheme.objects.create(name=f"{kind}{period}方案", subject_kind=kind, period_kind=period)
    for n, (valid_from, w) in enumerate(versions, start=1):
        v = SchemeVersion.objects.create(scheme=scheme, number=n, valid_from=valid_from, status="published")
        Indicator.objects.create(
            version=v, key="bad_ratings", label="差评数", direction="lower", weight=w, full_at=0, zero_at=5
        )
        Indicator.objects.create(
            version=v,
            key="satisfaction_rate",
            label="满意率",
            direction="higher",
            weight=100 - w,
            full_at=100,
            zero_at=80,
        )
    return scheme


def rate(window, level, day, *, hall, region):
    from banhao.evaluation.models import Rating

    r = Rating.objects.create(channel="hall_pad", level=level, window=window, hall=hall, region=region)
    Rating.objects.filter(pk=r.pk).update(
        created_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    )


def test_linear_score_between_thresholds_and_clamped():
    assert linear_score(90, 40, 100, 80) == 20.0
    assert linear_score(70, 40, 100, 80) == 0.0
    assert linear_score(100, 40, 100, 80) == 40.0
    assert linear_score(1, 60, 0, 5) == 48.0  # lower is better
    assert linear_score(None, 60, 0, 5) is None


def test_thresholds_must_follow_the_direction():
    scheme = make_scheme()
    v = scheme.versions.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(
            version=v, key="no_shows", label="过号", direction="lower", weight=5, full_at=10, zero_at=0
        )


def test_competition_ranking_shares_ties():
    assert rank_competition({1: 90.0, 2: 95.0, 3: 90.0, 4: 80.0, 5: None}) == {
        2: 1,
        1: 2,
        3: 2,
        4: 4,
        5: None,
    }


def test_a_period_is_scored_with_the_version_in_force_at_its_start():
    scheme = make_scheme(
        versions=((dt.date(2026, 1, 1), 60), (dt.date(2026, 11, 15), 30), (dt.date(2026, 12, 1), 20))
    )
    draft = SchemeVersion.objects.create(
        scheme=scheme, number=4, valid_from=dt.date(2026, 10, 1)
    )  # not published
    assert version_in_force(scheme, dt.date(2026, 11, 1)).number == 1
    assert version_in_force(scheme, dt.date(2026, 12, 1)).number == 3
    assert version_in_force(scheme, dt.date(2025, 12, 1)) is None
    assert draft.pk != version_in_force(scheme, dt.date(2026, 10, 1)).pk


def test_compute_scores_windows_ranks_them_per_hall_and_keeps_the_facts(hall, regions):
    make_scheme()
    w1, w2, w3 = hall["windows"][1], hall["windows"][2], hall["windows"][3]
    for level in (5, 5, 5, 2):
        rate(w1, level, dt.date(2026, 11, 3), hall=hall["hall"], region=regions["lanshan"])
    rate(w2, 5, dt.date(2026, 11, 3), hall=hall["hall"], region=regions["lanshan"])
    out = assessment_compute("2026-11")
    assert [(s.kind, s.subjects) for s in out if s.kind == "window"] == [("window", 5)]
    scores = {s.subject_id: s for s in Score.objects.filter(period="2026-11")}
    # w1: 1 bad → 48 of 60; 75 % satisfied → 0 of 40 → 48
    assert scores[w1.pk].total == Decimal("48.00")
    assert scores[w2.pk].total == Decimal("100.00") and scores[w2.pk].rank == 1
    # w3 had no activity (no rating, so the satisfaction rate found no fact): not scored rather
    # than full marks for a count of nothing, and not ranked
    assert scores[w3.pk].total is None and scores[w3.pk].rank is None
    assert scores[w1.pk].rank == 2  # below w2; the idle windows (w3, w4, pickup 9) are not ranked
    detail = {d["key"]: d for d in scores[w1.pk].details}
    assert detail["bad_ratings"]["value"] == 1.0 and len(detail["bad_ratings"]["ids"]) == 1
    assert len(detail["satisfaction_rate"]["ids"]) == 4
    assert ScoreSet.objects.get().group == f"hall:{hall['hall'].pk}"


def test_manual_items_count_only_when_approved_by_another_person(hall, regions, make_staff):
    scheme = make_scheme()
    w1 = hall["windows"][1]
    rate(w1, 5, dt.date(2026, 11, 3), hall=hall["hall"], region=regions["lanshan"])  # active: scored
    asker, approver = make_staff("supervisor", region="lanshan"), make_staff("supervisor", region="lanshan")
    manager = make_staff("hall_manager", region="lanshan")
    with pytest.raises(IntegrityError), transaction.atomic():
        ManualItem.objects.create(
            scheme=scheme,
            subject_kind="window",
            subject_id=w1.pk,
            subject_label="1号窗口",
            region=regions["lanshan"],
            period="2026-11",
            kind="deduction",
            points=5,
            reason="迟到",
            requested_by=asker,
            status="approved",
            decided_by=asker,
            decided_at=timezone.now(),
        )
    pending = ManualItem.objects.create(
        scheme=scheme,
        subject_kind="window",
        subject_id=w1.pk,
        subject_label="1号窗口",
        region=regions["lanshan"],
        period="2026-11",
        kind="deduction",
        points=5,
        reason="迟到",
        requested_by=asker,
    )
    assessment_compute("2026-11")
    assert Score.objects.get(subject_id=w1.pk).total == Decimal("100.00")
    from django.core.exceptions import PermissionDenied, ValidationError

    from banhao.assessment.services import manual_item_decide

    with pytest.raises(ValidationError, match="申请人以外"):
        manual_item_decide(actor=asker, item_id=pending.pk, approve=True)
    with pytest.raises(PermissionDenied):
        manual_item_decide(actor=manager, item_id=pending.pk, approve=True)  # no assessment.manage
    manual_item_decide(actor=approver, item_id=pending.pk, approve=True)
    ManualItem.objects.create(
        scheme=scheme,
        subject_kind="window",
        subject_id=w1.pk,
        subject_label="1号窗口",
        region=regions["lanshan"],
        period="2026-11",
        kind="bonus",
        points=2,
        reason="获表扬",
        requested_by=asker,
    )  # still pending: does not count
    with pytest.raises(ValidationError, match="重复审批"):
        manual_item_decide(actor=approver, item_id=pending.pk, approve=False)
    assessment_compute("2026-11")  # the draft is replaced
    s = Score.objects.get(subject_id=w1.pk)
    assert s.total == Decimal("95.00") and s.manual_points == Decimal("-5.00")
    assert s.manual[0]["reason"] == "迟到"


def test_a_published_set_is_never_recomputed_but_a_draft_is(hall, regions):
    make_scheme()
    rate(hall["windows"][1], 5, dt.date(2026, 11, 2), hall=hall["hall"], region=regions["lanshan"])
    assessment_compute("2026-11")
    ss = ScoreSet.objects.get()
    ScoreSet.objects.filter(pk=ss.pk).update(status="published")
    rate(hall["windows"][1], 1, dt.date(2026, 11, 3), hall=hall["hall"], region=regions["lanshan"])
    out = StringIO()
    call_command("assessment_compute", "--period", "2026-11", stdout=out)
    assert Score.objects.get(subject_id=hall["windows"][1].pk).total == Decimal("100.00")
    assert "kind=window subjects=5 published=5" in out.getvalue().splitlines()


def test_the_command_prints_one_line_per_subject_kind(hall, regions, make_department):
    make_scheme()
    make_department("兰山区行政审批服务局", region="lanshan")
    make_scheme("department", "month")
    out = StringIO()
    call_command("assessment_compute", "--period", "2026-11", stdout=out)
    assert out.getvalue().splitlines() == [
        "kind=window subjects=5 published=0",
        "kind=department subjects=1 published=0",
        "kind=county subjects=0 published=0",
        "kind=section subjects=0 published=0",
        "kind=staff subjects=0 published=0",
    ]


def test_the_command_refuses_a_bad_period_in_chinese():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="考核周期格式"):
        call_command("assessment_compute", "--period", "2026-13")


def test_december_also_computes_the_quarter_and_the_year_schemes(regions):
    make_scheme("county", "quarter")
    make_scheme("county", "year")
    out = StringIO()
    call_command("assessment_compute", "--period", "2026-12", stdout=out)
    assert "kind=county subjects=4 published=0" in out.getvalue()  # 2 counties × (Q4 + year)
    assert set(ScoreSet.objects.values_list("period", flat=True)) == {"2026-Q4", "2026"}
    call_command("assessment_compute", "--period", "2026-11", stdout=StringIO())
    assert not ScoreSet.objects.filter(period="2026-11").exists()


def test_the_admin_audits_indicator_changes_and_locks_a_published_version(client, django_user_model):
    from banhao.core.models import AuditEvent

    admin = django_user_model.objects.create_superuser("root", "root@example.com", "Root@Pass2026")
    client.force_login(admin)
    scheme = Scheme.objects.create(name="测试方案", subject_kind="window", period_kind="month")
    v = SchemeVersion.objects.create(scheme=scheme, number=1, valid_from=dt.date(2026, 1, 1))
    url = f"/admin/assessment/schemeversion/{v.pk}/change/"
    data = {
        "scheme": scheme.pk,
        "number": 1,
        "valid_from": "2026-01-01",
        "note": "",
        "indicators-TOTAL_FORMS": 1,
        "indicators-INITIAL_FORMS": 0,
        "indicators-0-order": 1,
        "indicators-0-key": "bad_ratings",
        "indicators-0-label": "差评数",
        "indicators-0-direction": "lower",
        "indicators-0-weight": "100",
        "indicators-0-full_at": "0",
        "indicators-0-zero_at": "5",
        "indicators-0-notes": "",
    }
    r = client.post(url, data)
    assert r.status_code == 302, r.content.decode()[:2000]
    assert AuditEvent.objects.filter(action="assessment.indicator_add").count() == 1
    client.post("/admin/assessment/schemeversion/", {"action": "publish", "_selected_action": [v.pk]})
    v.refresh_from_db()
    assert v.is_published
    html = client.get(url).content.decode()
    assert 'name="indicators-0-weight"' not in html  # read-only once published
