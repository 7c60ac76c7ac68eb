"""Each formula of the registry on hand-made facts (a seeded Context), empty periods and ties,
and the fact functions of the other apps' api on real rows."""

import datetime as dt

import pytest

from banhao.assessment.indicators import FORMULAS, Context, Measured, Unavailable, measure
from banhao.cases.api import CaseTimeFact
from banhao.evaluation.api import CallbackFact, ComplaintFact, RatingFact, RectificationFact
from banhao.hall.api import TicketFact

NOV = (dt.date(2026, 11, 1), dt.date(2026, 12, 1))


def ctx_with(**facts):
    ctx = Context(*NOV)
    ctx._cache["county_of"] = {10: 10, 11: 10, 20: 20}  # region 11 is a town of county 10
    ctx._cache.update(facts)
    return ctx


def r(id, level, window=1, clerk=100, dept=5, region=10):
    return RatingFact(id, level, level <= 2, window, clerk, dept, region, 1)


def test_satisfaction_rate_counts_basic_and_better_per_window_with_the_ratings_behind_it():
    ctx = ctx_with(
        ratings=[r(1, 5), r(2, 3), r(3, 2), r(4, 1, window=2), r(5, 4, window=2), r(6, 4, window=None)]
    )
    got = measure("satisfaction_rate", "window", ctx)
    assert got[1] == Measured(66.7, 3, (1, 2, 3))
    assert got[2] == Measured(50.0, 2, (4, 5))
    assert None not in got  # a rating of no window belongs to no window


def test_satisfaction_rate_of_staff_departments_and_counties_uses_clerk_department_and_county():
    ctx = ctx_with(ratings=[r(1, 5, clerk=100, dept=5, region=11), r(2, 1, clerk=101, dept=6, region=20)])
    assert measure("satisfaction_rate", "staff", ctx)[101].value == 0.0
    assert measure("satisfaction_rate", "department", ctx)[5].value == 100.0
    assert measure("satisfaction_rate", "county", ctx)[10] == Measured(100.0, 1, (1,))  # the town's rating


def test_empty_period_gives_no_subjects_and_bad_ratings_lists_only_the_bad_ones():
    assert measure("satisfaction_rate", "window", ctx_with(ratings=[])) == {}
    got = measure("bad_ratings", "window", ctx_with(ratings=[r(1, 5), r(2, 2), r(3, 1)]))
    assert got[1] == Measured(2.0, 2, (2, 3))


def test_rectification_on_time_rate():
    facts = [RectificationFact(1, True, 1, 100, 5, 10, 1), RectificationFact(2, False, 1, 100, 5, 10, 1)]
    got = measure("rectification_on_time", "window", ctx_with(rectifications=facts))
    assert got[1] == Measured(50.0, 2, (1, 2))


def test_on_time_completion_and_overdue_cases_per_department():
    facts = [
        CaseTimeFact(1, "A1", 5, 10, True),
        CaseTimeFact(2, "A2", 5, 10, False),
        CaseTimeFact(3, "A3", 6, 20, True),
    ]
    ctx = ctx_with(due_cases=facts)
    assert measure("on_time_completion", "department", ctx)[5].value == 50.0
    assert measure("overdue_cases", "department", ctx)[5] == Measured(1.0, 1, (2,))
    assert measure("overdue_cases", "department", ctx)[6] == Measured(0.0, 0, ())
    assert measure("on_time_completion", "county", ctx)[20].value == 100.0


def test_case_time_formulas_do_not_apply_to_windows():
    with pytest.raises(Unavailable):
        measure("on_time_completion", "window", ctx_with(due_cases=[]))


def test_one_visit_rate_counts_zero_and_one_visit_and_windows_only_see_hall_cases():
    from banhao.assessment.indicators import _VisitFact

    facts = [
        _VisitFact(1, 5, 10, None, None, 0),  # online, posted
        _VisitFact(2, 5, 10, 1, 100, 1),
        _VisitFact(3, 5, 10, 1, 100, 2),
    ]
    ctx = ctx_with(visited_cases=facts)
    assert measure("one_visit_rate", "department", ctx)[5] == Measured(66.7, 3, (1, 2, 3))
    assert measure("one_visit_rate", "window", ctx)[1] == Measured(50.0, 2, (2, 3))


def test_callback_score_is_the_mean_of_reached_scores():
    facts = [CallbackFact(1, 90, 5, 10), CallbackFact(2, 75, 5, 10), CallbackFact(3, 100, 6, 20)]
    got = measure("callback_score", "department", ctx_with(callbacks=facts))
    assert got[5] == Measured(82.5, 2, (1, 2))


def test_complaints_and_accountability_count_per_subject_named():
    from banhao.evaluation.api import AccountabilityInfo

    complaints = [
        ComplaintFact(1, "TS1", "substantiated", 1, None, 5, 10),
        ComplaintFact(2, "TS2", "partly", None, 100, 5, 10),
    ]
    ctx = ctx_with(complaints=complaints)
    assert measure("substantiated_complaints", "window", ctx)[1].ids == (1,)
    assert measure("substantiated_complaints", "staff", ctx)[100].ids == (2,)
    assert measure("substantiated_complaints", "department", ctx)[5].value == 2.0
    acc = [
        AccountabilityInfo(
            7,
            1,
            "TS1",
            "substantiated",
            "staff",
            100,
            None,
            5,
            10,
            "c",
            "批评教育",
            1,
            "",
            dt.date(2026, 11, 3),
        )
    ]
    assert measure("accountability", "staff", ctx_with(accountability=acc))[100] == Measured(1.0, 1, (7,))


def test_queue_wait_service_time_and_no_shows_per_window():
    tickets = [
        TicketFact(1, 1, 10, 1, 100, 300.0, 600.0, False),
        TicketFact(2, 1, 10, 1, 100, 900.0, None, False),  # called, not finished
        TicketFact(3, 1, 10, 1, 100, 60.0, None, True),
        TicketFact(4, 1, 10, None, None, None, None, False),  # never called
    ]
    ctx = ctx_with(tickets=tickets)
    assert measure("queue_wait", "window", ctx)[1] == Measured(7.0, 3, (1, 2, 3))
    assert measure("service_time", "window", ctx)[1] == Measured(10.0, 1, (1,))
    assert measure("no_shows", "window", ctx)[1] == Measured(1.0, 1, (3,))


def test_training_hours_without_the_training_module_is_unavailable_not_a_crash(monkeypatch):
    import importlib

    real = importlib.import_module

    def fake(name, *a, **kw):
        if name == "banhao.assessment.training":
            raise ImportError(name)
        return real(name, *a, **kw)

    monkeypatch.setattr(importlib, "import_module", fake)
    with pytest.raises(Unavailable):
        measure("training_hours", "staff", ctx_with())


def test_every_formula_names_its_kinds_source_and_definition():
    for key, f in FORMULAS.items():
        assert f.kinds and f.source and f.definition and f.direction in ("higher", "lower"), key
        assert "section" not in f.kinds  # 内设科室 have no facts yet


# --- the fact functions on real rows -----------------------------------------------------------


@pytest.fixture
def rating_world(regions, hall, make_department, make_staff):
    from banhao.org.models import StaffMember

    dept = make_department("兰山区行政审批服务局", region="lanshan")
    clerk = StaffMember.objects.get(user=make_staff("window_clerk", region="lanshan", hall=hall["hall"]))
    return {
        "dept": dept,
        "clerk": clerk,
        "window": hall["windows"][1],
        "hall": hall["hall"],
        "region": regions["lanshan"],
    }


def _rating(world, level, when, **kw):
    from django.utils import timezone

    from banhao.evaluation.models import Rating

    r = Rating.objects.create(
        channel="hall_pad",
        level=level,
        window=world["window"],
        clerk=world["clerk"],
        hall=world["hall"],
        department=world["dept"],
        region=world["region"],
        **kw,
    )
    Rating.objects.filter(pk=r.pk).update(
        created_at=timezone.make_aware(dt.datetime.combine(when, dt.time(10)))
    )
    return r


@pytest.mark.django_db
def test_rating_facts_keep_current_counted_ratings_of_the_period_only(rating_world):
    from banhao.evaluation.api import rating_facts

    keep = _rating(rating_world, 2, dt.date(2026, 11, 5))
    _rating(rating_world, 5, dt.date(2026, 11, 6), current=False)
    _rating(rating_world, 1, dt.date(2026, 11, 7), excluded=True, excluded_reason="申诉成立")
    _rating(rating_world, 5, dt.date(2026, 12, 1))  # next month
    facts = rating_facts(*NOV)
    assert [f.id for f in facts] == [keep.pk]
    assert facts[0].is_bad and facts[0].window_id == rating_world["window"].pk
    assert facts[0].clerk_id == rating_world["clerk"].pk


@pytest.mark.django_db
def test_case_due_facts_on_time_by_decision_day_and_open_past_due_is_late(CaseFactory):
    from django.utils import timezone

    from banhao.cases.api import case_due_facts
    from banhao.cases.models import Case

    a, b, c = CaseFactory(accepted=True), CaseFactory(accepted=True), CaseFactory(accepted=True)
    at = lambda d: timezone.make_aware(dt.datetime.combine(d, dt.time(15)))  # noqa: E731
    Case.objects.filter(pk=a.pk).update(
        promised_due=dt.date(2026, 11, 10), decided_at=at(dt.date(2026, 11, 10))
    )
    Case.objects.filter(pk=b.pk).update(
        promised_due=dt.date(2026, 11, 10), decided_at=at(dt.date(2026, 11, 11))
    )
    Case.objects.filter(pk=c.pk).update(
        promised_due=dt.date(2026, 11, 20), decided_at=None, concluded_at=None
    )
    got = {f.id: f.on_time for f in case_due_facts(*NOV, today=dt.date(2026, 12, 2))}
    assert got == {a.pk: True, b.pk: False, c.pk: False}
    # before the 20th the open case is not late yet
    got = {f.id for f in case_due_facts(*NOV, today=dt.date(2026, 11, 15))}
    assert got == {a.pk, b.pk}


@pytest.mark.django_db
def test_visits_count_tickets_and_a_pickup_without_its_own_ticket(CaseFactory, hall, make_staff):
    from django.utils import timezone

    from banhao.cases.api import case_concluded_facts
    from banhao.cases.models import Case
    from banhao.hall.api import case_visit_facts, ticket_period_facts
    from banhao.hall.models import Handover, Ticket, TicketCase
    from banhao.org.models import StaffMember

    at = timezone.make_aware(dt.datetime(2026, 11, 10, 10))
    once, twice, online = (CaseFactory(accepted=True) for _ in range(3))
    Case.objects.filter(pk__in=[once.pk, twice.pk, online.pk]).update(status="delivered", delivered_at=at)
    clerk = StaffMember.objects.get(user=make_staff("window_clerk", region="lanshan", hall=hall["hall"]))
    zone, w1, w2 = hall["zones"]["A"], hall["windows"][1], hall["windows"][2]

    def ticket(seq, window, status="done"):
        issued = timezone.make_aware(dt.datetime(2026, 11, 3, 9, seq))
        return Ticket.objects.create(
            hall=hall["hall"],
            zone=zone,
            issued_zone=zone,
            day=dt.date(2026, 11, 3),
            seq=seq,
            number=f"A{seq:03d}",
            source="kiosk",
            status=status,
            issued_at=issued,
            window=window,
            clerk=clerk,
            first_called_at=issued + dt.timedelta(minutes=6),
            finished_at=issued + dt.timedelta(minutes=16),
        )

    t1, t2 = ticket(1, w1), ticket(2, w2)
    ticket(3, w1, status="no_show")
    TicketCase.objects.create(ticket=t1, case=once)
    TicketCase.objects.create(ticket=t2, case=twice)
    Handover.objects.create(  # collected later at the pickup window, without a ticket
        case=twice,
        window=hall["windows"][9],
        clerk=clerk,
        collector_name="王芳",
        collector_id_masked="3713**",
        collector_id_sha256="x",
        relation="self",
    )
    visits = case_visit_facts(*NOV)
    assert visits[once.pk].visits == 1 and visits[once.pk].window_id == w1.pk
    assert visits[twice.pk].visits == 2 and visits[twice.pk].window_id == w2.pk
    assert online.pk not in visits  # never came: 0 visits
    assert {c.id for c in case_concluded_facts(*NOV)} == {once.pk, twice.pk, online.pk}
    got = measure("one_visit_rate", "department", Context(*NOV))
    assert got[once.department_id].value == 66.7
    tickets = {t.id: t for t in ticket_period_facts(*NOV)}
    assert tickets[t1.pk].wait_s == 360.0 and tickets[t1.pk].service_s == 600.0
    assert sum(t.no_show for t in tickets.values()) == 1
