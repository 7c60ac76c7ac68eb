"""红旗窗口/服务明星评选: candidates from the scores, ineligibility by complaints and accountability,
the life cycle with its refused transitions, votes once per reviewer, sign-off, the decision,
the notice PDF, the messages queued at publication, scope and the pages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from banhao.assessment import selection as svc
from banhao.assessment.models import (
    Indicator,
    Nomination,
    Scheme,
    SchemeVersion,
    Score,
    ScoreSet,
    SelectionReview,
    SelectionRound,
)
from banhao.core.models import AuditEvent
from banhao.notify.models import Message

pytestmark = pytest.mark.django_db

# monthly totals of windows 1–4 of the hall for July, August, September 2026
TOTALS = {1: (95.0, 93.0, 97.0), 2: (98.0, 99.0, 97.0), 3: (88.0, None, 90.0), 4: (70.0, 75.0, 72.0)}


def _details(total):
    return [
        {
            "key": "satisfaction_rate",
            "label": "满意率",
            "unit": "%",
            "direction": "higher",
            "weight": 60.0,
            "full_at": 100.0,
            "zero_at": 80.0,
            "value": total,
            "score": None if total is None else round(60 * (total - 80) / 20, 2),
            "n": 12,
            "available": True,
            "unavailable": False,
            "source": "rating",
            "ids": [],
        }
    ]


@pytest.fixture
def world(hall, regions, make_staff, make_department):
    scheme = Scheme.objects.create(
        name="窗口月度考核", subject_kind="window", period_kind="month", example=True
    )
    version = SchemeVersion.objects.create(
        scheme=scheme, number=1, valid_from=dt.date(2026, 1, 1), status="published"
    )
    Indicator.objects.create(
        version=version,
        key="satisfaction_rate",
        label="满意率",
        direction="higher",
        weight=60,
        full_at=100,
        zero_at=80,
    )
    h = hall["hall"]
    for i, month in enumerate(("2026-07", "2026-08", "2026-09")):
        ss = ScoreSet.objects.create(
            scheme=scheme,
            version=version,
            subject_kind="window",
            period=month,
            group=f"hall:{h.pk}",
            group_label=h.name,
            region=regions["lanshan"],
            status="published",
            computed_at=timezone.now(),
        )
        month_totals = {n: TOTALS[n][i] for n in TOTALS}
        ordered = sorted((t for t in month_totals.values() if t is not None), reverse=True)
        for n, total in month_totals.items():
            Score.objects.create(
                score_set=ss,
                subject_kind="window",
                subject_id=hall["windows"][n].pk,
                subject_label=f"{h.name} {n}号窗口",
                period=month,
                version=version,
                base=None if total is None else Decimal(str(total)),
                total=None if total is None else Decimal(str(total)),
                rank=None if total is None else ordered.index(total) + 1,
                details=_details(total),
            )
    dept = make_department("兰山区行政审批服务局", region="lanshan")
    return {
        **hall,
        "scheme": scheme,
        "dept": dept,
        "supervisor": make_staff("supervisor", region="lanshan"),
        "supervisor2": make_staff("supervisor", region="lanshan"),
        "admin": make_staff("administrator", region="city"),
        "manager": make_staff("hall_manager", region="lanshan", hall=h),
    }


def _round(world, **kw):
    data = {
        "actor": world["supervisor"],
        "kind": "window",
        "period": "2026-Q3",
        "places": 2,
        "issuing_office": "兰山区政务服务管理办公室",
        "votes_needed": 2,
    }
    data.update(kw)
    return svc.selection_round_create(**data)


def _cand(rnd, window):
    return rnd.candidates.get(subject_id=window.pk)


def _accountable(world, window, when=dt.date(2026, 8, 10)):
    """A substantiated complaint about ``window`` concluded and held to account on ``when``."""
    from banhao.evaluation import complaints
    from banhao.evaluation.models import AccountabilityMeasure

    sup = world["supervisor2"]
    c = complaints.complaint_file(
        actor="网上投诉",
        source="online",
        department_id=world["dept"].pk,
        subject_kind="window",
        window_id=window.pk,
        subject_note=f"{window.number}号窗口",
        content="窗口工作人员让我跑了三次，每次要的材料都不一样。",
        complainant_name="李四",
        complainant_phone="13900000009",
        today=when,
    )
    complaints.complaint_accept(actor=sup, complaint_id=c.pk, today=when)
    complaints.complaint_investigate(actor=sup, complaint_id=c.pk)
    complaints.complaint_conclude(
        actor=sup,
        complaint_id=c.pk,
        conclusion="substantiated",
        findings="经调取录像核实，情况属实。",
        today=when,
    )
    complaints.accountability_decide(
        actor=sup,
        complaint_id=c.pk,
        subject_kind="window",
        window_id=window.pk,
        measure_id=AccountabilityMeasure.objects.get(name="批评教育").pk,
        facts="多次要求补交清单以外的材料。",
        today=when,
    )
    return c


def test_candidates_are_ranked_by_the_mean_of_the_monthly_totals_with_the_facts(world):
    rnd = _round(world)
    assert rnd.status == "draft" and "各月总分的平均值" in rnd.score_basis
    rows = [(c.subject_label.split()[-1], c.score, c.rank, c.periods_counted) for c in rnd.candidates.all()]
    assert rows == [
        ("2号窗口", Decimal("98.00"), 1, 3),
        ("1号窗口", Decimal("95.00"), 2, 3),
        ("3号窗口", Decimal("89.00"), 3, 2),  # August has no total: the mean of the two months
        ("4号窗口", Decimal("72.33"), 4, 3),
    ]
    facts = _cand(rnd, world["windows"][1]).facts
    assert [p["period"] for p in facts["periods"]] == ["2026-07", "2026-08", "2026-09"]
    assert facts["periods"][1]["rank"] == 2 and facts["indicators"][0]["value"] == 95.0
    assert AuditEvent.objects.filter(action="assessment.selection_create", object_id=str(rnd.pk)).exists()


def test_a_quarterly_scheme_ranks_by_its_own_score_of_the_quarter(world, regions):
    q = Scheme.objects.create(name="窗口季度考核", subject_kind="window", period_kind="quarter")
    v = SchemeVersion.objects.create(scheme=q, number=1, valid_from=dt.date(2026, 1, 1), status="published")
    ss = ScoreSet.objects.create(
        scheme=q,
        version=v,
        subject_kind="window",
        period="2026-Q3",
        group="hall:x",
        group_label="大厅",
        region=regions["lanshan"],
        computed_at=timezone.now(),
    )
    Score.objects.create(
        score_set=ss,
        subject_kind="window",
        subject_id=world["windows"][4].pk,
        subject_label="4号窗口",
        period="2026-Q3",
        version=v,
        total=Decimal("99.5"),
        rank=1,
        details=_details(99.5),
    )
    rnd = _round(world)
    assert rnd.scheme == q and "季度考核2026年第3季度得分" in rnd.score_basis
    assert [(c.subject_id, c.score) for c in rnd.candidates.all()] == [
        (world["windows"][4].pk, Decimal("99.50"))
    ]


def test_a_complaint_held_to_account_makes_a_window_ineligible_with_the_reason(world):
    _accountable(world, world["windows"][2])
    _accountable(world, world["windows"][1], when=dt.date(2026, 10, 12))  # after the quarter: counts not
    rnd = _round(world)
    top = _cand(rnd, world["windows"][2])
    assert top.rank == 1 and not top.eligible and top.excluded_by is None
    assert "经查属实" in top.exclusion_reason and "责任追究（批评教育，2026-08-10）" in top.exclusion_reason
    assert top.facts["exclusion"]["accountability"][0]["measure"] == "批评教育"
    assert _cand(rnd, world["windows"][1]).eligible
    svc.selection_act(actor=world["supervisor"], round_id=rnd.pk, action="open_nomination")
    with pytest.raises(ValidationError, match="不符合评选条件"):
        svc.selection_nominate(
            actor=world["supervisor"], round_id=rnd.pk, candidate_id=top.pk, reason="服务热情周到。"
        )
    assert not Nomination.objects.exists()


def test_creation_is_refused_for_open_or_monthly_periods_and_twice(world, make_staff):
    with pytest.raises(ValidationError, match="尚未结束"):
        _round(world, period="2026-Q4", today=dt.date(2026, 12, 4))
    with pytest.raises(ValidationError, match="按季度或年度评选"):
        _round(world, period="2026-09")
    with pytest.raises(ValidationError, match="名额应在"):
        _round(world, places=0)
    with pytest.raises(PermissionDenied):
        _round(world, actor=world["manager"])
    _round(world)
    with pytest.raises(ValidationError, match="已经发起，不能重复发起"):
        _round(world)  # a double click on 发起评选
    assert SelectionRound.objects.count() == 1


def test_the_life_cycle_with_votes_once_per_reviewer_decision_publication_and_notices(world, make_staff):
    sup, sup2, admin, manager = world["supervisor"], world["supervisor2"], world["admin"], world["manager"]
    rnd = _round(world)
    w = world["windows"]
    with pytest.raises(ValidationError, match="评选当前状态为“草稿”，不能“提交评审”"):
        svc.selection_act(actor=sup, round_id=rnd.pk, action="start_review")
    with pytest.raises(ValidationError, match="不能“提名”"):
        svc.selection_nominate(
            actor=sup, round_id=rnd.pk, candidate_id=_cand(rnd, w[1]).pk, reason="服务热情周到。"
        )
    svc.selection_act(actor=sup, round_id=rnd.pk, action="open_nomination")
    with pytest.raises(ValidationError, match="不能“开始提名”"):  # the second click
        svc.selection_act(actor=sup, round_id=rnd.pk, action="open_nomination")
    with pytest.raises(ValidationError, match="尚无提名"):
        svc.selection_act(actor=sup, round_id=rnd.pk, action="start_review")

    # the hall manager nominates a window of their hall; a manager of no (or another) hall may not
    other_hall_manager = make_staff("hall_manager", region="lanshan")
    with pytest.raises(PermissionDenied):
        svc.selection_nominate(
            actor=other_hall_manager,
            round_id=rnd.pk,
            candidate_id=_cand(rnd, w[2]).pk,
            reason="服务热情周到。",
        )
    with pytest.raises(ValidationError, match="推荐理由"):
        svc.selection_nominate(actor=manager, round_id=rnd.pk, candidate_id=_cand(rnd, w[2]).pk, reason="好")
    svc.selection_nominate(
        actor=manager,
        round_id=rnd.pk,
        candidate_id=_cand(rnd, w[2]).pk,
        reason="季度满意率始终第一，零差评。",
    )
    with pytest.raises(ValidationError, match="已被提名，不能重复提名"):
        svc.selection_nominate(
            actor=sup, round_id=rnd.pk, candidate_id=_cand(rnd, w[2]).pk, reason="再提名一次。"
        )
    for n in (1, 3):
        svc.selection_nominate(
            actor=sup, round_id=rnd.pk, candidate_id=_cand(rnd, w[n]).pk, reason=f"{n}号窗口一次办好率高。"
        )
    # an excluded candidate shows the supervisor's reason
    svc.selection_candidate_exclude(
        actor=sup, round_id=rnd.pk, candidate_id=_cand(rnd, w[4]).pk, reason="季度内擅自离岗两次。"
    )
    assert _cand(rnd, w[4]).excluded_by == sup
    svc.selection_act(actor=sup, round_id=rnd.pk, action="start_review")
    with pytest.raises(ValidationError, match="不能“排除候选”"):
        svc.selection_candidate_exclude(
            actor=sup, round_id=rnd.pk, candidate_id=_cand(rnd, w[1]).pk, reason="迟到早退。"
        )

    noms = {n.candidate.subject_id: n.pk for n in rnd.nominations.select_related("candidate")}
    n1, n2, n3 = noms[w[1].pk], noms[w[2].pk], noms[w[3].pk]
    with pytest.raises(PermissionDenied):
        svc.selection_review(actor=manager, round_id=rnd.pk, ballot={n1: (True, "")})
    with pytest.raises(ValidationError, match="请写明意见"):
        svc.selection_review(actor=sup, round_id=rnd.pk, ballot={n3: (False, "")})
    svc.selection_review(
        actor=sup, round_id=rnd.pk, ballot={n1: (True, ""), n2: (True, "同意"), n3: (True, "")}
    )
    with pytest.raises(ValidationError, match="只能投票一次"):
        svc.selection_review(actor=sup, round_id=rnd.pk, ballot={n1: (False, "改主意了")})
    svc.selection_review(
        actor=sup2, round_id=rnd.pk, ballot={n1: (True, ""), n2: (True, ""), n3: (False, "得分偏低")}
    )
    svc.selection_review(actor=admin, round_id=rnd.pk, ballot={n1: (True, ""), n3: (True, "")})
    assert SelectionReview.objects.count() == 8
    assert SelectionReview.objects.filter(nomination_id=n1, reviewer=sup, approve=True).count() == 1

    svc.selection_act(actor=sup, round_id=rnd.pk, action="decide")
    rnd.refresh_from_db()
    assert rnd.status == "decided" and rnd.decided_by == sup
    chosen = {
        n.candidate.subject_id: (n.selected, n.outcome_note)
        for n in rnd.nominations.select_related("candidate")
    }
    assert chosen[w[1].pk] == (True, "当选（同意3，不同意0）")
    assert chosen[w[2].pk] == (True, "当选（同意2，不同意0）")
    assert chosen[w[3].pk] == (False, "名额已满，未当选（同意2，不同意1）")  # qualified, but two places
    with pytest.raises(ValidationError, match="不能“评审投票”"):
        svc.selection_review(
            actor=make_staff("supervisor", region="lanshan"), round_id=rnd.pk, ballot={n1: (True, "")}
        )

    head = make_staff("department_head", region="lanshan", department=world["dept"])
    outsider = make_staff("supervisor", region="yinan")
    with pytest.raises(PermissionDenied):
        svc.selection_publish(actor=outsider, round_id=rnd.pk)
    svc.selection_publish(
        actor=sup, round_id=rnd.pk, notice_number="兰政服〔2026〕8号", today=dt.date(2026, 10, 20)
    )
    with pytest.raises(ValidationError, match="不能“发布通报”"):
        svc.selection_publish(actor=sup, round_id=rnd.pk)
    rnd.refresh_from_db()
    assert rnd.status == "published" and rnd.published_on == dt.date(2026, 10, 20)

    site = Message.objects.filter(dedupe_key__startswith=f"selection-notice:{rnd.pk}:")
    to = set(site.values_list("user_id", flat=True))
    # the leadership (supervisors of the county, the city's administrator) and the hall's manager
    assert {sup.pk, sup2.pk, admin.pk, manager.pk} <= to
    assert outsider.pk not in to and head.pk not in to and other_hall_manager.pk not in to
    assert all(m.link == f"/assessment/selection/{rnd.pk}/" and "1号窗口" in m.text for m in site)
    actions = set(AuditEvent.objects.filter(object_id=str(rnd.pk)).values_list("action", flat=True))
    assert {
        "assessment.selection_create",
        "assessment.selection_open_nomination",
        "assessment.selection_nominate",
        "assessment.selection_exclude",
        "assessment.selection_start_review",
        "assessment.selection_vote",
        "assessment.selection_decide",
        "assessment.selection_publish",
    } <= actions

    pdf = svc.notice_pdf(rnd)
    assert pdf.startswith(b"%PDF-")


def test_without_enough_votes_the_decision_is_refused_and_the_round_goes_back_to_nomination(world):
    sup = world["supervisor"]
    rnd = _round(world, votes_needed=3)
    svc.selection_act(actor=sup, round_id=rnd.pk, action="open_nomination")
    nom = svc.selection_nominate(
        actor=sup, round_id=rnd.pk, candidate_id=_cand(rnd, world["windows"][1]).pk, reason="服务热情周到。"
    )
    svc.selection_act(actor=sup, round_id=rnd.pk, action="start_review")
    with pytest.raises(ValidationError, match="尚无评审意见"):
        svc.selection_act(actor=sup, round_id=rnd.pk, action="decide")
    svc.selection_review(actor=sup, round_id=rnd.pk, ballot={nom.pk: (True, "")})
    svc.selection_review(actor=world["supervisor2"], round_id=rnd.pk, ballot={nom.pk: (True, "")})
    with pytest.raises(ValidationError, match="至少3票赞成"):
        svc.selection_act(actor=sup, round_id=rnd.pk, action="decide")
    rnd.refresh_from_db()
    assert rnd.status == "reviewing" and not rnd.nominations.filter(selected=True).exists()
    svc.selection_act(actor=sup, round_id=rnd.pk, action="reopen")
    rnd.refresh_from_db()
    assert rnd.status == "nominating"


def test_a_sign_off_round_is_signed_once_by_someone_other_than_its_creator(world):
    sup, sup2 = world["supervisor"], world["supervisor2"]
    rnd = _round(world, review_mode="signoff", places=1)
    svc.selection_act(actor=sup, round_id=rnd.pk, action="open_nomination")
    a = svc.selection_nominate(
        actor=sup, round_id=rnd.pk, candidate_id=_cand(rnd, world["windows"][1]).pk, reason="服务热情周到。"
    )
    b = svc.selection_nominate(
        actor=sup, round_id=rnd.pk, candidate_id=_cand(rnd, world["windows"][3]).pk, reason="一次办好率高。"
    )
    svc.selection_act(actor=sup, round_id=rnd.pk, action="start_review")
    with pytest.raises(ValidationError, match="发起人以外"):
        svc.selection_review(actor=sup, round_id=rnd.pk, ballot={a.pk: (True, ""), b.pk: (True, "")})
    with pytest.raises(ValidationError, match="全部提名"):
        svc.selection_review(actor=sup2, round_id=rnd.pk, ballot={a.pk: (True, "")})
    svc.selection_review(
        actor=sup2, round_id=rnd.pk, ballot={a.pk: (True, "同意"), b.pk: (False, "名额有限")}
    )
    with pytest.raises(ValidationError, match="已签批，不能重复签批"):
        svc.selection_review(
            actor=world["admin"], round_id=rnd.pk, ballot={a.pk: (True, ""), b.pk: (True, "")}
        )
    svc.selection_act(actor=sup, round_id=rnd.pk, action="decide")
    assert [n.candidate.subject_id for n in svc.selected(rnd)] == [world["windows"][1].pk]
    assert Nomination.objects.get(pk=b.pk).outcome_note == "未获签批同意"


# --- pages -------------------------------------------------------------------------------------


def _published(world):
    sup = world["supervisor"]
    rnd = _round(world, votes_needed=1)
    svc.selection_act(actor=sup, round_id=rnd.pk, action="open_nomination")
    nom = svc.selection_nominate(
        actor=sup,
        round_id=rnd.pk,
        candidate_id=_cand(rnd, world["windows"][2]).pk,
        reason="季度满意率始终第一。",
    )
    svc.selection_act(actor=sup, round_id=rnd.pk, action="start_review")
    svc.selection_review(actor=world["supervisor2"], round_id=rnd.pk, ballot={nom.pk: (True, "")})
    svc.selection_act(actor=sup, round_id=rnd.pk, action="decide")
    return svc.selection_publish(actor=sup, round_id=rnd.pk)


def test_the_supervisor_creates_a_round_on_the_page_and_sees_only_the_allowed_steps(client, world):
    client.force_login(world["supervisor"])
    r = client.post(
        "/assessment/selection/", {"kind": "window", "period": "2026-Q3", "places": "2", "issuing_office": ""}
    )
    assert r.status_code == 400 and "请填写发文单位" in r.content.decode()
    assert not SelectionRound.objects.exists()
    form = {
        "kind": "window",
        "period": "2026-Q3",
        "places": "2",
        "review_mode": "vote",
        "votes_needed": "2",
        "issuing_office": "兰山区政务服务管理办公室",
    }
    r = client.post("/assessment/selection/", form)
    rnd = SelectionRound.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/assessment/selection/{rnd.pk}/"
    assert client.post("/assessment/selection/", form).status_code == 400  # the double click
    html = client.get(f"/assessment/selection/{rnd.pk}/").content.decode()
    assert "开始提名" in html and "发布通报" not in html and "确定评选结果" not in html
    assert "2号窗口" in html and "98.00" in html
    client.post(f"/assessment/selection/{rnd.pk}/act/", {"action": "open_nomination", "status": "draft"})
    r = client.post(
        f"/assessment/selection/{rnd.pk}/act/", {"action": "open_nomination", "status": "draft"}, follow=True
    )
    assert "状态已变为“提名中”" in r.content.decode()
    rnd.refresh_from_db()
    assert rnd.status == "nominating"
    cand = _cand(rnd, world["windows"][1])
    client.post(
        f"/assessment/selection/{rnd.pk}/nominate/", {"candidate": cand.pk, "reason": "服务热情周到。"}
    )
    assert Nomination.objects.filter(candidate=cand).count() == 1
    client.post(f"/assessment/selection/{rnd.pk}/act/", {"action": "start_review", "status": "nominating"})
    r = client.get(f"/assessment/selection/{rnd.pk}/review/")
    assert r.status_code == 200 and "服务热情周到" in r.content.decode()
    nom = Nomination.objects.get()
    client.post(
        f"/assessment/selection/{rnd.pk}/review/", {f"vote-{nom.pk}": "yes", f"comment-{nom.pk}": "同意"}
    )
    r = client.post(
        f"/assessment/selection/{rnd.pk}/review/", {f"vote-{nom.pk}": "no", f"comment-{nom.pk}": "反悔"}
    )
    assert r.status_code == 400
    assert SelectionReview.objects.get().approve is True


def test_the_notice_pdf_and_the_published_list_for_the_leadership_and_the_departments(
    client, world, make_staff
):
    rnd = _published(world)
    client.force_login(world["admin"])  # the city's administrator: the leadership
    html = client.get("/assessment/selection/published/").content.decode()
    assert rnd.title in html and "2号窗口" in html and "季度满意率始终第一" in html
    pdf = client.get(f"/assessment/selection/{rnd.pk}/notice.pdf")
    assert (
        pdf.status_code == 200
        and pdf["Content-Type"] == "application/pdf"
        and pdf.content.startswith(b"%PDF-")
    )
    head = make_staff("department_head", region="lanshan", department=world["dept"])
    client.force_login(head)
    assert client.get(f"/assessment/selection/{rnd.pk}/notice.pdf").content.startswith(b"%PDF-")
    assert rnd.title in client.get("/assessment/selection/published/").content.decode()


def test_scope_other_county_unpublished_rounds_and_roles_without_the_permission(client, world, make_staff):
    rnd = _round(world)
    client.force_login(make_staff("supervisor", region="yinan"))
    assert client.get(f"/assessment/selection/{rnd.pk}/").status_code == 404
    assert rnd.title not in client.get("/assessment/selection/").content.decode()
    head = make_staff("department_head", region="lanshan", department=world["dept"])
    client.force_login(head)
    assert client.get(f"/assessment/selection/{rnd.pk}/").status_code == 404  # not published yet
    assert client.get(f"/assessment/selection/{rnd.pk}/notice.pdf").status_code == 404
    client.force_login(make_staff("window_clerk", region="lanshan"))
    assert client.get("/assessment/selection/").status_code == 403
    assert client.get("/assessment/selection/published/").status_code == 403
    client.logout()
    assert client.get("/assessment/selection/").status_code == 302


def test_the_supervisor_tile_leads_to_the_rounds(world):
    from banhao.portal.platform_map import ROLE_TASKS, resolve

    tiles = {r.title: r.url for r in resolve(ROLE_TASKS["supervisor"])}
    assert tiles["红旗窗口与服务明星"] == "/assessment/selection/"
    assert {r.title: r.url for r in resolve(ROLE_TASKS["administrator"])}[
        "评选通报"
    ] == "/assessment/selection/published/"


def test_service_stars_one_with_a_partly_substantiated_complaint_is_ineligible_and_the_head_is_told(
    world, make_staff
):
    from banhao.evaluation import complaints
    from banhao.org.models import StaffMember

    dept, sup = world["dept"], world["supervisor"]
    head = make_staff("department_head", region="lanshan", department=dept)
    a = StaffMember.objects.get(user=make_staff("window_clerk", region="lanshan", department=dept))
    b = StaffMember.objects.get(user=make_staff("window_clerk", region="lanshan", department=dept))
    scheme = Scheme.objects.create(name="人员月度考核", subject_kind="staff", period_kind="month")
    v = SchemeVersion.objects.create(
        scheme=scheme, number=1, valid_from=dt.date(2026, 1, 1), status="published"
    )
    for month in ("2026-10", "2026-11", "2026-12"):
        ss = ScoreSet.objects.create(
            scheme=scheme,
            version=v,
            subject_kind="staff",
            period=month,
            group=f"department:{dept.pk}",
            group_label=dept.name,
            region=world["dept"].region,
            computed_at=timezone.now(),
        )
        for rank, (member, total) in enumerate(((b, 99), (a, 96)), start=1):
            Score.objects.create(
                score_set=ss,
                subject_kind="staff",
                subject_id=member.pk,
                subject_label=f"{member.name}（{member.employee_no}）",
                period=month,
                version=v,
                total=Decimal(total),
                rank=rank,
                details=_details(total),
            )
    c = complaints.complaint_file(
        actor="网上投诉",
        source="online",
        department_id=dept.pk,
        subject_kind="staff",
        staff_id=b.pk,
        content="工作人员态度生硬，拒绝解释不予受理的理由。",
        complainant_name="王五",
        complainant_phone="13900000008",
        today=dt.date(2026, 11, 2),
    )
    complaints.complaint_accept(actor=sup, complaint_id=c.pk, today=dt.date(2026, 11, 2))
    complaints.complaint_investigate(actor=sup, complaint_id=c.pk)
    complaints.complaint_conclude(
        actor=sup,
        complaint_id=c.pk,
        conclusion="partly",
        findings="经查部分属实。",
        today=dt.date(2026, 11, 3),
    )
    rnd = _round(world, kind="staff", period="2026", places=1, votes_needed=1, today=dt.date(2027, 1, 4))
    assert rnd.title == "兰山区2026年度服务明星评选"
    top = rnd.candidates.get(subject_id=b.pk)
    assert top.rank == 1 and not top.eligible and "部分属实" in top.exclusion_reason
    svc.selection_act(actor=sup, round_id=rnd.pk, action="open_nomination")
    nom = svc.selection_nominate(
        actor=sup,
        round_id=rnd.pk,
        candidate_id=rnd.candidates.get(subject_id=a.pk).pk,
        reason="全年零差评，帮办群众百余次。",
    )
    svc.selection_act(actor=sup, round_id=rnd.pk, action="start_review")
    svc.selection_review(actor=world["supervisor2"], round_id=rnd.pk, ballot={nom.pk: (True, "")})
    svc.selection_act(actor=sup, round_id=rnd.pk, action="decide")
    rnd = svc.selection_publish(actor=sup, round_id=rnd.pk)
    to = set(
        Message.objects.filter(dedupe_key__startswith=f"selection-notice:{rnd.pk}:").values_list(
            "user_id", flat=True
        )
    )
    assert head.pk in to and world["manager"].pk not in to
    assert svc.notice_pdf(rnd).startswith(b"%PDF-")


def test_refreshing_a_draft_takes_the_current_scores_and_keeps_the_supervisors_exclusions(world):
    sup, w = world["supervisor"], world["windows"]
    rnd = _round(world)
    svc.selection_candidate_exclude(
        actor=sup, round_id=rnd.pk, candidate_id=_cand(rnd, w[1]).pk, reason="季度内擅自离岗两次。"
    )
    Score.objects.filter(subject_id=w[4].pk).update(total=Decimal("100"))  # recomputed drafts, say
    svc.selection_candidates_refresh(actor=sup, round_id=rnd.pk)
    assert _cand(rnd, w[4]).rank == 1 and _cand(rnd, w[4]).score == Decimal("100.00")
    kept = _cand(rnd, w[1])
    assert not kept.eligible and kept.exclusion_reason == "季度内擅自离岗两次。" and kept.excluded_by == sup
    svc.selection_act(actor=sup, round_id=rnd.pk, action="open_nomination")
    with pytest.raises(ValidationError, match="不能“重新生成候选名单”"):
        svc.selection_candidates_refresh(actor=sup, round_id=rnd.pk)
    with pytest.raises(PermissionDenied):
        svc.selection_candidates_refresh(actor=world["manager"], round_id=rnd.pk)


def test_a_hall_manager_sees_the_round_and_may_nominate_only_their_halls_windows(
    client, world, regions, make_staff
):
    from banhao.org import services as org

    other = org.hall_ensure(
        actor="测试", name="兰山区第二服务中心", region=regions["lanshan"], address="（测试）"
    )
    zone = org.zone_ensure(actor="测试", hall=other, kind="market", letter="A", order=1)
    far = org.window_ensure(actor="测试", hall=other, zone=zone, number=1, kind="comprehensive")
    ss = ScoreSet.objects.filter(period="2026-07").first()
    Score.objects.create(
        score_set=ss,
        subject_kind="window",
        subject_id=far.pk,
        subject_label="兰山区第二服务中心 1号窗口",
        period="2026-07",
        version=ss.version,
        total=Decimal("90"),
        rank=3,
        details=_details(90.0),
    )
    rnd = _round(world)
    svc.selection_act(actor=world["supervisor"], round_id=rnd.pk, action="open_nomination")
    client.force_login(world["manager"])
    html = client.get(f"/assessment/selection/{rnd.pk}/").content.decode()
    assert "兰山区第二服务中心 1号窗口" in html
    assert html.count(f'action="/assessment/selection/{rnd.pk}/nominate/"') == 4  # the four of their hall
    assert "排除" not in html and "提交评审" not in html  # not the supervisor's steps
    r = client.post(
        f"/assessment/selection/{rnd.pk}/nominate/",
        {"candidate": _cand(rnd, far).pk, "reason": "服务热情周到。"},
        follow=True,
    )
    assert "只能提名本大厅的窗口和人员" in r.content.decode()
    assert not Nomination.objects.exists()


def test_the_admin_shows_rounds_read_only(client, world):
    rnd = _round(world)
    client.force_login(world["admin"])
    assert rnd.title in client.get("/admin/assessment/selectionround/").content.decode()
    r = client.get(f"/admin/assessment/selectionround/{rnd.pk}/change/")
    assert (
        r.status_code == 200 and "2号窗口" in r.content.decode() and 'name="_save"' not in r.content.decode()
    )
