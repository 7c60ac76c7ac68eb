"""The 差评整改 life cycle (rectification_states.py): every transition, the refused ones (Chinese
error, nothing changed), callback calls, deadlines across holidays, reminders, escalation and
closing after the re-rate period."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from banhao.core.models import AuditEvent
from banhao.evaluation import rectification as rs
from banhao.evaluation import rectification_states as states
from banhao.evaluation.models import Rating, Rectification
from banhao.notify.models import Message

from . import rectify_support as support

# the shared fixtures (rectify_support.py)
rect = support.rect
supervisor = support.supervisor
unit = support.unit

pytestmark = pytest.mark.django_db
S = Rectification.Status
D = dt.date


def _snapshot(r):
    r.refresh_from_db()
    return (r.status, r.substantiated, r.measures, r.feedback, r.on_time, r.events.count(), r.calls.count())


def _callback(r, actor):
    return rs.rectification_callback(
        actor=actor, rectification=r, answered_by="赵敏本人", summary="反映跑了三次"
    )


def test_the_whole_life_substantiated(rect, unit):
    who = unit["reviewer"]
    assert rect.status == S.OPEN and states.allowed_actions(rect) == ["call", "callback", "appeal"]
    _callback(rect, who)
    rect.refresh_from_db()
    assert rect.status == S.CALLED_BACK
    call = rect.calls.get()
    assert call.reached and call.answered_by == "赵敏本人" and call.summary == "反映跑了三次"
    rs.rectification_verify(actor=who, rectification=rect, substantiated=True, note="窗口确实多次要求补材料")
    rect.refresh_from_db()
    assert rect.status == S.VERIFIED and rect.substantiated is True
    assert "feedback" not in states.allowed_actions(rect)  # a substantiated rating needs measures first
    rs.rectification_measures(
        actor=unit["head"], rectification=rect, measures="一次性告知清单已更新，窗口人员培训"
    )
    rect.refresh_from_db()
    assert rect.status == S.RECTIFIED and "培训" in rect.measures
    rs.rectification_feedback(
        actor=who, rectification=rect, feedback="已整改，欢迎再次评价", on=rect.opened_on
    )
    rect.refresh_from_db()
    assert rect.status == S.FED_BACK and rect.on_time is True
    rs.rectification_close(actor="系统", rectification=rect)
    rect.refresh_from_db()
    assert rect.status == S.CLOSED and rect.closed_at and rect.on_time is True
    actions = list(rect.events.values_list("action", flat=True))
    assert actions == ["open", "callback", "verify", "measures", "feedback", "close"]
    audited = set(
        AuditEvent.objects.filter(object_type="evaluation.rectification", object_id=str(rect.pk)).values_list(
            "action", flat=True
        )
    )
    assert {f"evaluation.rectification.{a}" for a in actions} <= audited


def test_a_not_substantiated_rating_goes_straight_to_feedback_with_the_explanation(rect, unit):
    who = unit["reviewer"]
    _callback(rect, who)
    rs.rectification_verify(actor=who, rectification=rect, substantiated=False, note="系统记录显示当日办结")
    rect.refresh_from_db()
    assert states.allowed_actions(rect) == ["feedback", "appeal"]
    before = _snapshot(rect)
    with pytest.raises(ValidationError, match="无需整改"):
        rs.rectification_measures(actor=who, rectification=rect, measures="无")
    assert _snapshot(rect) == before
    rs.rectification_feedback(actor=who, rectification=rect, feedback="经核实当日即办结，解释如下……")
    rect.refresh_from_db()
    assert rect.status == S.FED_BACK and rect.measures == ""


def test_a_substantiated_rating_cannot_skip_the_measures(rect, unit):
    who = unit["reviewer"]
    _callback(rect, who)
    rs.rectification_verify(actor=who, rectification=rect, substantiated=True, note="属实")
    before = _snapshot(rect)
    with pytest.raises(ValidationError, match="先填写整改措施"):
        rs.rectification_feedback(actor=who, rectification=rect, feedback="好了")
    assert _snapshot(rect) == before


@pytest.mark.parametrize(
    ("step", "kwargs"),
    [
        (rs.rectification_verify, {"substantiated": True, "note": "x"}),
        (rs.rectification_measures, {"measures": "x"}),
        (rs.rectification_feedback, {"feedback": "x"}),
        (rs.rectification_close, {}),
    ],
)
def test_steps_out_of_order_are_refused_in_chinese_and_change_nothing(rect, unit, step, kwargs):
    before = _snapshot(rect)
    with pytest.raises(ValidationError) as e:
        step(actor=unit["reviewer"], rectification=rect, **kwargs)
    assert "当前状态为“待回访”" in e.value.messages[0]
    assert _snapshot(rect) == before


def test_a_closed_rectification_refuses_every_step(rect, unit):
    who = unit["reviewer"]
    _callback(rect, who)
    rs.rectification_verify(actor=who, rectification=rect, substantiated=False, note="不属实")
    rs.rectification_feedback(actor=who, rectification=rect, feedback="说明")
    rs.rectification_close(actor="系统", rectification=rect)
    before = _snapshot(rect)
    for step, kw in [
        (_callback, None),
        (rs.rectification_feedback, {"feedback": "再说一次"}),
        (rs.rectification_close, {}),
    ]:
        with pytest.raises(ValidationError, match="已办结"):
            step(rect, who) if kw is None else step(actor=who, rectification=rect, **kw)
    assert _snapshot(rect) == before


def test_empty_texts_are_refused_and_nothing_is_recorded(rect, unit):
    who = unit["reviewer"]
    with pytest.raises(ValidationError) as e:
        rs.rectification_callback(actor=who, rectification=rect, answered_by="", summary="")
    assert "answered_by" in e.value.message_dict
    assert rect.calls.count() == 0
    _callback(rect, who)
    with pytest.raises(ValidationError) as e:
        rs.rectification_verify(actor=who, rectification=rect, substantiated=None, note="x")
    assert "substantiated" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        rs.rectification_verify(actor=who, rectification=rect, substantiated=True, note="  ")
    assert "note" in e.value.message_dict
    rect.refresh_from_db()
    assert rect.status == S.CALLED_BACK


def test_a_call_in_the_future_or_before_the_rating_is_refused(rect, unit):
    from django.utils import timezone

    with pytest.raises(ValidationError, match="不能晚于现在"):
        rs.rectification_callback(
            actor=unit["reviewer"],
            rectification=rect,
            called_at=timezone.now() + dt.timedelta(days=1),
            answered_by="赵敏",
            summary="x",
        )
    with pytest.raises(ValidationError, match="早于差评派发"):
        rs.rectification_call(
            actor=unit["reviewer"], rectification=rect, called_at=rect.opened_on - dt.timedelta(days=3)
        )
    assert rect.calls.count() == 0


def test_failed_calls_are_recorded_and_after_n_the_callback_completes_as_unreachable(rect, unit, settings):
    settings.BANHAO_RECTIFICATION_CALLBACK_TRIES = 2
    who = unit["reviewer"]
    rs.rectification_call(actor=who, rectification=rect, summary="无人接听")
    rect.refresh_from_db()
    assert rect.status == S.OPEN and rect.calls.filter(reached=False).count() == 1
    with pytest.raises(ValidationError, match="满2次"):
        rs.rectification_unreachable(actor=who, rectification=rect)
    rect.refresh_from_db()
    assert rect.status == S.OPEN
    rs.rectification_call(actor=who, rectification=rect, summary="关机")
    rs.rectification_unreachable(actor=who, rectification=rect, note="短信也未回复")
    rect.refresh_from_db()
    assert rect.status == S.CALLED_BACK
    last = rect.events.last()
    assert last.data["unreachable"] is True and "无法联系" in last.note
    # the step is done: no more calls are recorded on it
    with pytest.raises(ValidationError, match="不能“回访未联系上”"):
        rs.rectification_call(actor=who, rectification=rect)


def test_another_department_or_a_clerk_cannot_act(rect, make_staff, make_department):
    other = make_department("兰山区市场监督管理局", region="lanshan")
    for user in (
        make_staff("reviewer", region="lanshan", department=other),
        make_staff("window_clerk", region="lanshan"),
    ):
        with pytest.raises(PermissionDenied):
            _callback(rect, user)
    rect.refresh_from_db()
    assert rect.status == S.OPEN and rect.calls.count() == 0


def test_two_windows_racing_one_wins_the_other_is_refused(rect, unit):
    # both loaded the open task; the second finds the locked row already moved
    stale = Rectification.objects.get(pk=rect.pk)
    _callback(rect, unit["reviewer"])
    with pytest.raises(ValidationError, match="已回访待核实"):
        _callback(stale, unit["head"])
    assert rect.calls.count() == 1


# --- deadlines on the working-day calendar -----------------------------------------------------


def test_deadlines_count_working_days_across_national_day_and_spring_festival(rect):
    rating = Rating.objects.get(pk=rect.rating_id)
    rect.delete()
    simple = rs.rectification_open(rating=rating, complex=False, on=D(2026, 9, 30))
    # 10/8, 10/9, Saturday make-up 10/10, 10/12, 10/13
    assert simple.due_on == D(2026, 10, 13)
    simple.delete()
    complex_ = rs.rectification_open(rating=rating, complex=True, on=D(2026, 2, 13))
    # 2/14 (make-up), 2/24–2/28, 3/2–3/6, 3/9–3/12: the fifteenth is 3/12
    assert complex_.due_on == D(2026, 3, 12)


def _reopen(old, on, complex_=False):
    rating = Rating.objects.get(pk=old.rating_id)
    old.delete()
    return rs.rectification_open(rating=rating, complex=complex_, on=on)


def test_feedback_after_the_deadline_is_not_on_time(rect, unit):
    r = _reopen(rect, D(2026, 9, 30))
    who = unit["reviewer"]
    _callback(r, who)
    rs.rectification_verify(actor=who, rectification=r, substantiated=False, note="不属实")
    rs.rectification_feedback(actor=who, rectification=r, feedback="说明", on=D(2026, 10, 14))
    r.refresh_from_db()
    assert r.on_time is False


def test_the_reminder_comes_once_within_the_remind_days_counted_over_the_holiday(rect, unit, settings):
    settings.BANHAO_RECTIFICATION_REMIND_DAYS = 2
    r = _reopen(rect, D(2026, 9, 28))
    assert r.due_on == D(2026, 10, 10)  # 9/29, 9/30, 10/8, 10/9 and the Saturday make-up day
    three_before = D(2026, 10, 7)  # three calendar days, but 3 working days (10/8, 10/9, 10/10)
    two_before = D(2026, 10, 8)
    assert rs.rectification_sweep(three_before)["reminded"] == 0
    assert rs.rectification_sweep(two_before)["reminded"] == 1
    r.refresh_from_db()
    assert r.reminded_on == two_before
    to = set(Message.objects.filter(title="差评整改即将到期").values_list("user_id", flat=True))
    assert to == {unit["reviewer"].pk, unit["head"].pk}
    assert rs.rectification_sweep(two_before + dt.timedelta(days=1))["reminded"] == 0
    assert Message.objects.filter(title="差评整改即将到期").count() == 2


def test_an_overdue_task_is_escalated_once_to_the_region_supervisors(rect, unit, supervisor, make_staff):
    elsewhere = make_staff("supervisor", region="yinan")
    r = _reopen(rect, D(2026, 9, 30))
    assert rs.rectification_sweep(r.due_on)["escalated"] == 0  # due today: not yet overdue
    assert rs.rectification_sweep(r.due_on + dt.timedelta(days=1))["escalated"] == 1
    r.refresh_from_db()
    assert r.escalated_at is not None
    to = set(Message.objects.filter(title="差评整改超期督办").values_list("user_id", flat=True))
    assert to == {supervisor.pk} and elsewhere.pk not in to
    assert (
        AuditEvent.objects.filter(action="evaluation.rectification.escalate", object_id=str(r.pk)).count()
        == 1
    )
    assert rs.rectification_sweep(r.due_on + dt.timedelta(days=2))["escalated"] == 0


def test_a_fed_back_task_closes_after_the_rerate_days_without_a_rerate(rect, unit, settings):
    from django.utils import timezone

    from banhao.core.calendar import add_workdays

    settings.BANHAO_RECTIFICATION_RERATE_DAYS = 3
    who = unit["reviewer"]
    _callback(rect, who)
    rs.rectification_verify(actor=who, rectification=rect, substantiated=False, note="不属实")
    rs.rectification_feedback(actor=who, rectification=rect, feedback="说明")
    today = timezone.localdate()
    assert rs.rectification_sweep(add_workdays(today, 2))["closed"] == 0
    assert rs.rectification_sweep(add_workdays(today, 3))["closed"] == 1
    rect.refresh_from_db()
    assert rect.status == S.CLOSED and rect.events.last().actor_label == "系统"


def test_the_sweep_command_prints_one_line_per_step(rect, capsys):
    call_command("evaluation_sweep")
    out = capsys.readouterr().out
    for words in ("默认评价", "到期提醒", "超期督办", "追评期满办结"):
        assert words in out


def test_the_on_time_figure_counts_due_tasks_and_leaves_out_excluded_ratings(rect, unit):
    who = unit["reviewer"]
    _callback(rect, who)
    rs.rectification_verify(actor=who, rectification=rect, substantiated=False, note="不属实")
    rs.rectification_feedback(actor=who, rectification=rect, feedback="说明", on=rect.opened_on)
    fig = rs.on_time_figure(Rectification.objects.all(), today=rect.opened_on)
    assert fig == {"due": 1, "on_time": 1, "rate": 100.0}
    Rectification.objects.filter(pk=rect.pk).update(on_time=False)
    assert rs.on_time_figure(Rectification.objects.all(), today=rect.opened_on)["rate"] == 0.0
    Rating.objects.filter(pk=rect.rating_id).update(excluded=True)
    assert rs.on_time_figure(Rectification.objects.all(), today=rect.opened_on)["due"] == 0
