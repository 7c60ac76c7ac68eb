"""申诉复核: the unit appeals a rating with evidence; a supervisor upholds it (the rating is
excluded from scores but kept) or rejects it (the rectification returns where it was); one
open appeal per rating; a decided appeal is not decided again; disguised files are refused."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from banhao.core.models import AuditEvent
from banhao.evaluation import appeals
from banhao.evaluation import rectification as rs
from banhao.evaluation.models import Appeal, Rating, Rectification

from . import rectify_support as support
from .rectify_support import disguised, pdf

# the shared fixtures (rectify_support.py)
media = support.media
rect = support.rect
supervisor = support.supervisor
unit = support.unit

pytestmark = pytest.mark.django_db
S = Rectification.Status


def _file(r, who, **kw):
    args = {"kind": "malicious", "reason": "评价人当日未到本窗口办理，监控可证", "files": [pdf()]}
    args.update(kw)
    return appeals.appeal_file(actor=who, rectification=r, **args)


def _called_back(r, who):
    rs.rectification_callback(actor=who, rectification=r, answered_by="赵敏", summary="仍不满意")


def test_an_upheld_appeal_excludes_the_rating_but_keeps_it_and_closes_the_task(rect, unit, supervisor, media):
    _called_back(rect, unit["reviewer"])
    appeal = _file(rect, unit["head"])
    rect.refresh_from_db()
    assert rect.status == S.APPEALING and appeal.prior_status == S.CALLED_BACK
    assert appeal.evidence.get().content_type == "application/pdf"
    assert (media / appeal.evidence.get().file.name).exists()
    appeals.appeal_decide(actor=supervisor, appeal=appeal, upheld=True, opinion="监控显示当日未到窗口")
    rating = Rating.objects.get(pk=rect.rating_id)
    assert (
        rating.excluded is True
        and "申诉成立" in rating.excluded_reason
        and "恶意差评" in rating.excluded_reason
    )
    assert rating.level == 1 and rating.current  # kept as it was, never deleted
    rect.refresh_from_db()
    assert rect.status == S.CLOSED and rect.closed_at and rect.on_time is None
    assert rect.events.last().action == "appeal_upheld"
    assert AuditEvent.objects.filter(action="evaluation.rating.exclude", object_id=str(rating.pk)).exists()
    assert rs.on_time_figure(Rectification.objects.all())["due"] == 0


def test_a_rejected_appeal_returns_the_task_to_its_status_and_the_work_goes_on(rect, unit, supervisor, media):
    who = unit["reviewer"]
    _called_back(rect, who)
    rs.rectification_verify(actor=who, rectification=rect, substantiated=True, note="属实")
    appeal = _file(rect, who, kind="mistaken", reason="评价人误评了窗口")
    appeals.appeal_decide(actor=supervisor, appeal=appeal, upheld=False, opinion="材料不能证明误评")
    rect.refresh_from_db()
    assert rect.status == S.VERIFIED and rect.substantiated is True
    assert Rating.objects.get(pk=rect.rating_id).excluded is False
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.REJECTED and appeal.decided_by == supervisor
    rs.rectification_measures(actor=who, rectification=rect, measures="培训")  # the life goes on
    rect.refresh_from_db()
    assert rect.status == S.RECTIFIED


def test_a_decided_appeal_cannot_be_decided_again(rect, unit, supervisor, media):
    appeal = _file(rect, unit["reviewer"])
    appeals.appeal_decide(actor=supervisor, appeal=appeal, upheld=False, opinion="不成立")
    with pytest.raises(ValidationError, match="已复核"):
        appeals.appeal_decide(actor=supervisor, appeal=appeal, upheld=True, opinion="改为成立")
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.REJECTED and appeal.opinion == "不成立"
    assert Rating.objects.get(pk=rect.rating_id).excluded is False


def test_one_open_appeal_per_rating(rect, unit, media):
    _file(rect, unit["reviewer"])
    with pytest.raises(ValidationError, match="不能“提出申诉”"):
        _file(rect, unit["head"])
    # and the database holds the rule even if the status check were bypassed
    Rectification.objects.filter(pk=rect.pk).update(status=S.OPEN)
    with pytest.raises(ValidationError, match="已有待复核的申诉"):
        _file(rect, unit["head"])
    assert Appeal.objects.count() == 1


def test_a_disguised_file_is_refused_in_chinese_and_nothing_is_filed(rect, unit, media):
    with pytest.raises(ValidationError) as e:
        _file(rect, unit["reviewer"], files=[pdf(), disguised()])
    assert "内容与扩展名不符" in e.value.message_dict["evidence"][0]
    rect.refresh_from_db()
    assert rect.status == S.OPEN and not Appeal.objects.exists()
    assert not list(media.rglob("*.pdf"))


def test_an_appeal_needs_a_kind_a_reason_and_evidence(rect, unit, media):
    for kw, field in [({"kind": "angry"}, "kind"), ({"reason": " "}, "reason"), ({"files": []}, "evidence")]:
        with pytest.raises(ValidationError) as e:
            _file(rect, unit["reviewer"], **kw)
        assert field in e.value.message_dict
    assert not Appeal.objects.exists()


def test_a_closed_task_cannot_be_appealed(rect, unit, media):
    who = unit["reviewer"]
    _called_back(rect, who)
    rs.rectification_verify(actor=who, rectification=rect, substantiated=False, note="不属实")
    rs.rectification_feedback(actor=who, rectification=rect, feedback="说明")
    rs.rectification_close(actor="系统", rectification=rect)
    with pytest.raises(ValidationError, match="已办结"):
        _file(rect, who)


def test_only_the_unit_appeals_and_only_a_supervisor_of_the_region_decides(
    rect,
    unit,
    supervisor,
    make_staff,
    make_department,
    media,
):
    other = make_staff(
        "reviewer", region="lanshan", department=make_department("兰山区民政局", region="lanshan")
    )
    with pytest.raises(PermissionDenied):
        _file(rect, other)
    appeal = _file(rect, unit["reviewer"])
    for user in (unit["head"], make_staff("supervisor", region="yinan")):
        with pytest.raises(PermissionDenied):
            appeals.appeal_decide(actor=user, appeal=appeal, upheld=True, opinion="x")
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.PENDING


def test_the_clock_does_not_stop_during_an_appeal(rect, unit, supervisor, media):
    import datetime as dt

    _file(rect, unit["reviewer"])
    rect.refresh_from_db()
    assert rs.rectification_sweep(rect.due_on + dt.timedelta(days=1))["escalated"] == 1
    rect.refresh_from_db()
    assert rect.status == S.APPEALING and rect.escalated_at is not None
