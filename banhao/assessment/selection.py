"""红旗窗口 and 服务明星 selection (评选): every write of a round, each audited, each under a lock
on the round (select_for_update), so a double click or two people at once change it once.

Candidates come from the scheme's stored scores (compute.py), never from the raw facts again:
- a scheme of the round's own period kind (a quarterly or yearly scheme): its scores for the
  period;
- otherwise a monthly scheme: the **mean of the monthly totals** over the months of the period
  that the subject has a total for (how many is shown as 计入期数).
A subject with a substantiated efficiency complaint (属实/部分属实) concluded in the period, or an
accountability record (责任追究) decided in it, is ineligible, with the reason shown. See
docs/selection.md."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from banhao.core.audit import actor_label, audit_record, snapshot
from banhao.org.api import region_info, scope_for_user

from . import selection_states as states
from .compute import rank_competition
from .models_schemes import PeriodKind, Scheme, Score
from .models_selection import Nomination, SelectionCandidate, SelectionReview, SelectionRound
from .periods import MONTH, Period, parse_period, period_containing

R = SelectionRound
S = SelectionRound.Status
ROUND_FIELDS = ["status", "places", "review_mode", "votes_needed", "notice_number", "published_on"]

REASON_MIN, REASON_MAX = 5, 300


# --- who may do what ---------------------------------------------------------------------------


def _scope(actor):
    scope = scope_for_user(actor)
    if scope is None:
        raise PermissionDenied("只有工作人员可以参与评选。")
    return scope


def can_manage(scope, rnd: SelectionRound) -> bool:
    return scope is not None and scope.can("assessment.select") and scope.allows(rnd.region_id)


def can_review(scope, rnd: SelectionRound) -> bool:
    return scope is not None and scope.can("assessment.review") and scope.allows(rnd.region_id)


def can_nominate(scope, rnd: SelectionRound, candidate: SelectionCandidate) -> bool:
    """The round's supervisor any candidate; a hall manager the windows (and staff) of their hall."""
    if scope is None:
        return False
    if can_manage(scope, rnd):
        return True
    return (
        scope.can("assessment.nominate")
        and scope.hall_id is not None
        and candidate.hall_id == scope.hall_id
        and scope.allows(candidate.region_id)
    )


def sees_unpublished(scope) -> bool:
    return scope is not None and any(
        scope.can(p) for p in ("assessment.select", "assessment.nominate", "assessment.review")
    )


def visible_rounds(scope):
    """The rounds a scope may open: those of its regions and those with candidates in them; a
    role that only reads the results (assessment.honours) sees the published ones."""
    if scope is None:
        return SelectionRound.objects.none()
    cond = Q(region__in=scope.region_ids) | Q(candidates__region__in=scope.region_ids)
    qs = SelectionRound.objects.filter(cond).distinct()
    if not sees_unpublished(scope):
        if not scope.can("assessment.honours"):
            return SelectionRound.objects.none()
        qs = qs.filter(status=S.PUBLISHED)
    return qs


def visible_candidates(scope, rnd: SelectionRound):
    qs = rnd.candidates.all()
    if not scope.allows(rnd.region_id):
        qs = qs.filter(region__in=scope.region_ids)
    return qs


# --- candidates --------------------------------------------------------------------------------


def period_of_round(code: str) -> Period:
    p = parse_period(code)
    if p.kind == MONTH:
        raise ValidationError("红旗窗口和服务明星按季度或年度评选，周期应为 YYYY-Q1…Q4 或 YYYY。")
    return p


def _months(period: Period) -> list[Period]:
    out, day = [], period.start
    while day < period.end:
        m = period_containing(MONTH, day)
        out.append(m)
        day = m.end
    return out


def schemes_for_round(kind: str, period: Period) -> list[Scheme]:
    """The schemes a round may rank by: the kind's schemes of the period's own kind first, then
    the monthly ones (averaged over the months)."""
    schemes = list(
        Scheme.objects.filter(subject_kind=kind, period_kind__in=[period.kind, MONTH]).order_by("pk")
    )
    return sorted(schemes, key=lambda s: (s.period_kind != period.kind, not s.active, s.pk))


def _f(x) -> float | None:
    return None if x is None else float(x)


def score_candidates(scheme: Scheme, period: Period, subjects) -> tuple[list[dict], str]:
    """[{subject, score, periods_counted, facts}] of the subjects with a score, and the basis
    in words. Reads the stored scores only."""
    by_id = {s.id: s for s in subjects}
    rows = []
    if scheme.period_kind == period.kind:
        basis = f"{scheme}{period.label}得分"
        scores = Score.objects.filter(
            score_set__scheme=scheme, period=period.code, subject_id__in=list(by_id)
        ).select_related("score_set")
        for sc in scores:
            if sc.total is None:
                continue
            rows.append(
                {
                    "subject": by_id[sc.subject_id],
                    "score": float(sc.total),
                    "periods_counted": 1,
                    "facts": {
                        "basis": "own",
                        "periods": [
                            {
                                "period": sc.period,
                                "total": float(sc.total),
                                "rank": sc.rank,
                                "group": sc.score_set.group_label,
                                "status": sc.score_set.get_status_display(),
                            }
                        ],
                        "indicators": [
                            {
                                "key": d["key"],
                                "label": d["label"],
                                "unit": d["unit"],
                                "value": d["value"],
                                "score": d["score"],
                                "weight": d["weight"],
                                "n": d["n"],
                            }
                            for d in sc.details
                        ],
                        "manual": sc.manual,
                    },
                }
            )
        return rows, basis
    if scheme.period_kind != PeriodKind.MONTH:
        raise ValidationError("所选考核方案的周期与评选周期不一致。")
    months = _months(period)
    basis = f"{scheme}{period.label}各月总分的平均值"
    per: dict[int, list[Score]] = defaultdict(list)
    for sc in (
        Score.objects.filter(
            score_set__scheme=scheme, period__in=[m.code for m in months], subject_id__in=list(by_id)
        )
        .select_related("score_set")
        .order_by("period")
    ):
        if sc.total is not None:
            per[sc.subject_id].append(sc)
    for sid, scores in per.items():
        mean = sum(float(s.total) for s in scores) / len(scores)
        indicators: dict[str, dict] = {}
        for s in scores:
            for d in s.details:
                ind = indicators.setdefault(
                    d["key"], {"key": d["key"], "label": d["label"], "unit": d["unit"], "values": [], "n": 0}
                )
                ind["n"] += d["n"]
                if d["value"] is not None:
                    ind["values"].append(d["value"])
        rows.append(
            {
                "subject": by_id[sid],
                "score": round(mean, 2),
                "periods_counted": len(scores),
                "facts": {
                    "basis": "monthly_average",
                    "periods": [
                        {
                            "period": s.period,
                            "total": float(s.total),
                            "rank": s.rank,
                            "group": s.score_set.group_label,
                            "status": s.score_set.get_status_display(),
                        }
                        for s in scores
                    ],
                    "indicators": [
                        {
                            "key": i["key"],
                            "label": i["label"],
                            "unit": i["unit"],
                            "value": round(sum(i["values"]) / len(i["values"]), 1) if i["values"] else None,
                            "n": i["n"],
                        }
                        for i in indicators.values()
                    ],
                },
            }
        )
    return rows, basis


def ineligibility(kind: str, period: Period, region_ids=None) -> dict[int, tuple[str, dict]]:
    """Subject id → (reason, facts) for the subjects with a substantiated complaint concluded in
    the period or an accountability record decided in it."""
    from banhao.evaluation.api import accountability_records, substantiated_complaint_facts

    field = "window_id" if kind == "window" else "staff_id"
    reasons: dict[int, list[str]] = defaultdict(list)
    facts: dict[int, dict] = defaultdict(lambda: {"complaints": [], "accountability": []})
    labels = {"substantiated": "属实", "partly": "部分属实"}
    for c in substantiated_complaint_facts(period.start, period.end, region_ids=region_ids):
        sid = getattr(c, field)
        if sid:
            reasons[sid].append(
                f"期内效能投诉{c.number or '#' + str(c.id)}经查{labels.get(c.conclusion, '属实')}"
            )
            facts[sid]["complaints"].append({"id": c.id, "number": c.number, "conclusion": c.conclusion})
    for a in accountability_records(start=period.start, end=period.end, region_ids=region_ids):
        sid = getattr(a, field)
        if sid:
            reasons[sid].append(f"期内受到责任追究（{a.measure_name}，{a.decided_on:%Y-%m-%d}）")
            facts[sid]["accountability"].append(
                {
                    "id": a.id,
                    "complaint_id": a.complaint_id,
                    "complaint_number": a.complaint_number,
                    "measure": a.measure_name,
                    "decided_on": f"{a.decided_on:%Y-%m-%d}",
                }
            )
    return {sid: ("；".join(dict.fromkeys(rs)), facts[sid]) for sid, rs in reasons.items()}


def _build_candidates(rnd: SelectionRound, scope_region_ids) -> int:
    """(Re)writes the round's candidates; returns how many."""
    from banhao.org.api import assessment_subjects

    period = parse_period(rnd.period)
    subjects = assessment_subjects(rnd.kind, scope_region_ids)
    rows, basis = score_candidates(rnd.scheme, period, subjects)
    ranks = rank_competition({r["subject"].id: r["score"] for r in rows})
    banned = ineligibility(rnd.kind, period, scope_region_ids)
    rnd.candidates.all().delete()
    objs = []
    for r in sorted(rows, key=lambda r: (ranks[r["subject"].id], r["subject"].label)):
        s = r["subject"]
        reason, extra = banned.get(s.id, ("", None))
        facts = {**r["facts"], **({"exclusion": extra} if extra else {})}
        objs.append(
            SelectionCandidate(
                round=rnd,
                subject_id=s.id,
                subject_label=s.label,
                group_label=s.group_label,
                region_id=s.region_id,
                department_id=s.department_id,
                hall_id=s.hall_id,
                score=Decimal(str(round(r["score"], 2))),
                rank=ranks[s.id],
                periods_counted=r["periods_counted"],
                facts=facts,
                eligible=not reason,
                exclusion_reason=reason[:300],
            )
        )
    SelectionCandidate.objects.bulk_create(objs, batch_size=1000)
    rnd.score_basis = basis[:200]
    rnd.save(update_fields=["score_basis"])
    return len(objs)


# --- the round ---------------------------------------------------------------------------------


def _locked(round_id: int) -> SelectionRound:
    rnd = SelectionRound.objects.select_for_update().filter(pk=round_id).first()
    if rnd is None:
        raise ValidationError("评选不存在。")
    return rnd


def _audit(actor, rnd, action, before=None, reason="", after=None):
    audit_record(
        actor=actor,
        obj=rnd,
        action=f"assessment.selection_{action}",
        before=before,
        after=after if after is not None else snapshot(rnd, ROUND_FIELDS),
        reason=reason,
    )


def _reason(text: str, label: str) -> str:
    text = (text or "").strip()
    if len(text) < REASON_MIN:
        raise ValidationError(f"请填写{label}（不少于{REASON_MIN}个字）。")
    if len(text) > REASON_MAX:
        raise ValidationError(f"{label}不能超过{REASON_MAX}个字。")
    return text


@transaction.atomic
def selection_round_create(
    *,
    actor,
    kind: str,
    period: str,
    places,
    issuing_office: str,
    scheme_id: int | None = None,
    review_mode: str = R.ReviewMode.VOTE,
    votes_needed=2,
    title: str = "",
    today: dt.date | None = None,
) -> SelectionRound:
    """A draft round for the actor's region, with its candidates ranked and checked."""
    today = today or timezone.localdate()
    scope = _scope(actor)
    if not scope.can("assessment.select"):
        raise PermissionDenied("您的角色无权发起评选。")
    if kind not in R.Kind.values:
        raise ValidationError("请选择评选类型（红旗窗口或服务明星）。")
    p = period_of_round(period)
    if p.end > today:
        raise ValidationError(f"{p.label}尚未结束，结束后才能评选。")
    try:
        places = int(places)
        votes_needed = int(votes_needed)
    except (TypeError, ValueError):
        raise ValidationError("名额和当选所需赞成票应为整数。") from None
    if not 1 <= places <= 100:
        raise ValidationError("名额应在 1 到 100 之间。")
    if not 1 <= votes_needed <= 50:
        raise ValidationError("当选所需赞成票应在 1 到 50 之间。")
    if review_mode not in R.ReviewMode.values:
        raise ValidationError("请选择评审方式（评审投票或领导签批）。")
    office = (issuing_office or "").strip()
    if not office or len(office) > 100:
        raise ValidationError("请填写发文单位（不超过100个字）。")
    schemes = schemes_for_round(kind, p)
    if scheme_id:
        scheme = next((s for s in schemes if s.pk == int(scheme_id)), None)
        if scheme is None:
            raise ValidationError("所选考核方案不适用于该评选类型和周期。")
    else:
        scheme = schemes[0] if schemes else None
        if scheme is None:
            raise ValidationError(f"没有可用于{R.Kind(kind).label}评选的考核方案。")
    region = region_info(scope.region_id)
    kind_label = R.Kind(kind).label
    title = (title or "").strip()[:120] or f"{region.name}{p.label}{kind_label}评选"
    if SelectionRound.objects.filter(kind=kind, period=p.code, region_id=scope.region_id).exists():
        raise ValidationError(f"{region.name}{p.label}的{kind_label}评选已经发起，不能重复发起。")
    try:
        with transaction.atomic():
            rnd = SelectionRound.objects.create(
                kind=kind,
                period=p.code,
                region_id=scope.region_id,
                scheme=scheme,
                title=title,
                places=places,
                review_mode=review_mode,
                votes_needed=votes_needed,
                issuing_office=office,
                created_by=actor,
            )
    except IntegrityError:  # a second click racing the first
        raise ValidationError(f"{region.name}{p.label}的{kind_label}评选已经发起，不能重复发起。") from None
    n = _build_candidates(rnd, scope.region_ids)
    _audit(actor, rnd, "create", after={**snapshot(rnd, ROUND_FIELDS), "candidates": n, "scheme": scheme.pk})
    return rnd


@transaction.atomic
def selection_candidates_refresh(*, actor, round_id: int) -> SelectionRound:
    """Rebuilds the candidates from the current scores (only while a draft)."""
    rnd = _locked(round_id)
    scope = _scope(actor)
    if not can_manage(scope, rnd):
        raise PermissionDenied("您无权管理该评选。")
    states.check_step(rnd.status, "refresh", states.REFRESH_STATUSES)
    manual = {
        c.subject_id: (c.exclusion_reason, c.excluded_by_id) for c in rnd.candidates.exclude(excluded_by=None)
    }
    n = _build_candidates(rnd, _round_region_ids(rnd))
    for sid, (reason, by) in manual.items():  # a supervisor's exclusion survives a refresh
        rnd.candidates.filter(subject_id=sid).update(
            eligible=False, exclusion_reason=reason, excluded_by_id=by
        )
    _audit(actor, rnd, "refresh", after={"candidates": n})
    return rnd


def _round_region_ids(rnd: SelectionRound):
    """The regions a round covers: its creator's scope when that still holds the round's region,
    else the region and the regions that lie in it (a county and its streets; the city: all)."""
    creator = scope_for_user(rnd.created_by)
    if creator is not None and creator.region_id == rnd.region_id:
        return creator.region_ids
    from banhao.org.api import county_of_regions

    mapping = county_of_regions()  # region → the county it lies in
    if rnd.region_id in mapping.values():
        return frozenset(rid for rid, county in mapping.items() if county == rnd.region_id)
    if rnd.region_id in mapping:
        return frozenset({rnd.region_id})
    return None  # above the counties: the whole city


@transaction.atomic
def selection_candidate_exclude(
    *, actor, round_id: int, candidate_id: int, reason: str
) -> SelectionCandidate:
    rnd = _locked(round_id)
    scope = _scope(actor)
    if not can_manage(scope, rnd):
        raise PermissionDenied("您无权管理该评选。")
    states.check_step(rnd.status, "exclude", states.EXCLUDE_STATUSES)
    reason = _reason(reason, "排除原因")
    c = rnd.candidates.filter(pk=candidate_id).first()
    if c is None:
        raise ValidationError("候选不存在。")
    if not c.eligible:
        raise ValidationError(f"{c.subject_label}已不符合条件：{c.exclusion_reason}")
    if Nomination.objects.filter(candidate=c).exists():
        raise ValidationError(f"{c.subject_label}已被提名，不能排除。")
    c.eligible, c.exclusion_reason, c.excluded_by = False, reason, actor
    c.save(update_fields=["eligible", "exclusion_reason", "excluded_by"])
    _audit(actor, rnd, "exclude", reason=reason, after={"candidate": c.subject_label, "reason": reason})
    return c


@transaction.atomic
def selection_nominate(*, actor, round_id: int, candidate_id: int, reason: str) -> Nomination:
    rnd = _locked(round_id)
    scope = _scope(actor)
    c = rnd.candidates.filter(pk=candidate_id).first()
    if c is None:
        raise ValidationError("候选不存在。")
    if not can_nominate(scope, rnd, c):
        raise PermissionDenied("您无权提名该候选（大厅管理人员只能提名本大厅的窗口和人员）。")
    states.check_step(rnd.status, "nominate", states.NOMINATE_STATUSES)
    if not c.eligible:
        raise ValidationError(f"{c.subject_label}不符合评选条件：{c.exclusion_reason}")
    if Nomination.objects.filter(candidate=c).exists():
        raise ValidationError(f"{c.subject_label}已被提名，不能重复提名。")
    reason = _reason(reason, "推荐理由")
    nom = Nomination.objects.create(round=rnd, candidate=c, reason=reason, nominated_by=actor)
    _audit(actor, rnd, "nominate", reason=reason, after={"candidate": c.subject_label, "reason": reason})
    return nom


_label = actor_label


@transaction.atomic
def selection_review(*, actor, round_id: int, ballot: dict[int, tuple[bool, str]]) -> list[SelectionReview]:
    """Records the actor's votes (评审投票: once per nomination and reviewer) or, in a sign-off
    round, the leader's sign-off on every nomination at once (by someone other than the round's
    creator, and only once). ``ballot``: nomination id → (approve, comment)."""
    rnd = _locked(round_id)
    scope = _scope(actor)
    if not can_review(scope, rnd):
        raise PermissionDenied("您无权评审该评选。")
    signoff = rnd.review_mode == R.ReviewMode.SIGNOFF
    states.check_step(rnd.status, "signoff" if signoff else "vote", states.REVIEW_STATUSES)
    noms = {n.pk: n for n in rnd.nominations.select_related("candidate")}
    if not ballot:
        raise ValidationError("请对提名逐一表明同意或不同意。")
    unknown = [k for k in ballot if k not in noms]
    if unknown:
        raise ValidationError("所评审的提名不属于该评选。")
    done = set(
        SelectionReview.objects.filter(nomination__round=rnd, reviewer=actor).values_list(
            "nomination_id", flat=True
        )
    )
    if signoff:
        if rnd.created_by_id == actor.pk:
            raise ValidationError("领导签批须由评选发起人以外的人员作出。")
        if SelectionReview.objects.filter(nomination__round=rnd, kind=SelectionReview.Kind.SIGNOFF).exists():
            raise ValidationError("该评选已签批，不能重复签批。")
        if set(ballot) != set(noms):
            raise ValidationError("签批须对全部提名逐一表明意见。")
    again = [noms[k].candidate.subject_label for k in ballot if k in done]
    if again:
        raise ValidationError(f"您已对{'、'.join(again)}投过票，每位评审人对每个提名只能投票一次。")
    label = _label(actor)
    rows = []
    for nid, (approve, comment) in ballot.items():
        comment = (comment or "").strip()
        if len(comment) > 300:
            raise ValidationError("评审意见不能超过300个字。")
        if not approve and not comment:
            raise ValidationError(f"不同意{noms[nid].candidate.subject_label}时请写明意见。")
        rows.append(
            SelectionReview(
                nomination=noms[nid],
                kind=SelectionReview.Kind.SIGNOFF if signoff else SelectionReview.Kind.VOTE,
                reviewer=actor,
                reviewer_label=label,
                approve=bool(approve),
                comment=comment,
            )
        )
    try:
        with transaction.atomic():
            SelectionReview.objects.bulk_create(rows)
    except IntegrityError:  # the same ballot twice at once
        raise ValidationError("您已投过票，每位评审人对每个提名只能投票一次。") from None
    _audit(
        actor,
        rnd,
        "signoff" if signoff else "vote",
        after={r.nomination.candidate.subject_label: ("同意" if r.approve else "不同意") for r in rows},
    )
    return rows


def tally(rnd: SelectionRound) -> list[dict]:
    """Per nomination: yes, no, whether it qualifies, in the order of the decision."""
    out = []
    for n in rnd.nominations.select_related("candidate").prefetch_related("reviews"):
        reviews = list(n.reviews.all())
        yes = sum(1 for r in reviews if r.approve)
        no = len(reviews) - yes
        if rnd.review_mode == R.ReviewMode.SIGNOFF:
            qualifies = any(r.approve and r.kind == "signoff" for r in reviews)
        else:
            qualifies = yes >= rnd.votes_needed and yes > no
        out.append({"nomination": n, "yes": yes, "no": no, "reviews": reviews, "qualifies": qualifies})
    out.sort(key=lambda t: (not t["qualifies"], -t["yes"], -t["nomination"].candidate.score))
    return out


def _act_permission(scope, rnd, action):
    if not can_manage(scope, rnd):
        raise PermissionDenied(f"您无权“{states.ACTION_LABELS.get(action, action)}”。")


@transaction.atomic
def selection_act(*, actor, round_id: int, action: str, expected_status: str = "") -> SelectionRound:
    """open_nomination, start_review, reopen or decide (publish: selection_publish)."""
    if action == "publish":
        return selection_publish(actor=actor, round_id=round_id, expected_status=expected_status)
    rnd = _locked(round_id)
    scope = _scope(actor)
    _act_permission(scope, rnd, action)
    if expected_status and expected_status != rnd.status:
        raise ValidationError(f"评选状态已变为“{S(rnd.status).label}”，请刷新页面后再操作。")
    target = states.transition(rnd.status, action)
    before = snapshot(rnd, ROUND_FIELDS)
    if action == "open_nomination" and not rnd.candidates.filter(eligible=True).exists():
        raise ValidationError("没有符合条件的候选，不能开始提名。")
    if action == "start_review" and not rnd.nominations.exists():
        raise ValidationError("尚无提名，不能提交评审。")
    if action == "decide":
        _decide(rnd, actor)
    rnd.status = target
    rnd.save(update_fields=["status", "decided_at", "decided_by"] if action == "decide" else ["status"])
    _audit(actor, rnd, action, before=before)
    return rnd


def _decide(rnd: SelectionRound, actor) -> None:
    rows = tally(rnd)
    if not any(r["reviews"] for r in rows):
        raise ValidationError("尚无评审意见，不能确定评选结果。")
    if rnd.review_mode == R.ReviewMode.SIGNOFF and not all(
        any(v.kind == "signoff" for v in r["reviews"]) for r in rows
    ):
        raise ValidationError("尚有提名未经领导签批，不能确定评选结果。")
    qualified = [r for r in rows if r["qualifies"]]
    if not qualified:
        raise ValidationError(
            "没有提名获得足够的同意意见"
            + (f"（至少{rnd.votes_needed}票赞成且多于反对票）" if rnd.review_mode == "vote" else "")
            + "，不能确定评选结果；可退回补充提名。"
        )
    chosen = {r["nomination"].pk for r in qualified[: rnd.places]}
    for r in rows:
        n = r["nomination"]
        n.selected = n.pk in chosen
        if n.selected:
            n.outcome_note = f"当选（同意{r['yes']}，不同意{r['no']}）"
        elif r["qualifies"]:
            n.outcome_note = f"名额已满，未当选（同意{r['yes']}，不同意{r['no']}）"
        elif rnd.review_mode == R.ReviewMode.SIGNOFF:
            n.outcome_note = "未获签批同意"
        else:
            n.outcome_note = f"同意意见不足，未当选（同意{r['yes']}，不同意{r['no']}）"
        n.save(update_fields=["selected", "outcome_note"])
    rnd.decided_at = timezone.now()
    rnd.decided_by = actor


def selected(rnd: SelectionRound) -> list[Nomination]:
    return list(
        rnd.nominations.filter(selected=True).select_related("candidate").order_by("candidate__rank", "pk")
    )


@transaction.atomic
def selection_publish(
    *, actor, round_id: int, notice_number: str = "", expected_status: str = "", today: dt.date | None = None
) -> SelectionRound:
    """Publishes a decided round: the notice (通报) is ready as a PDF, and a site message goes
    to the leadership of the round's region (administrators and supervisors above or at it) and
    to the heads of the units concerned (a window's hall managers, a star's department head)."""
    from banhao.notify.api import SITE, message_send
    from banhao.org.api import staff_user_ids

    rnd = _locked(round_id)
    scope = _scope(actor)
    _act_permission(scope, rnd, "publish")
    if expected_status and expected_status != rnd.status:
        raise ValidationError(f"评选状态已变为“{S(rnd.status).label}”，请刷新页面后再操作。")
    target = states.transition(rnd.status, "publish")
    notice_number = (notice_number or "").strip()
    if len(notice_number) > 60:
        raise ValidationError("通报文号不能超过60个字。")
    before = snapshot(rnd, ROUND_FIELDS)
    rnd.status = target
    rnd.notice_number = notice_number
    rnd.published_on = today or timezone.localdate()
    rnd.published_by = actor
    rnd.save(update_fields=["status", "notice_number", "published_on", "published_by"])
    winners = selected(rnd)
    recipients = set(staff_user_ids(["administrator", "supervisor"], covering_region_id=rnd.region_id))
    for n in winners:
        c = n.candidate
        if rnd.kind == R.Kind.STAFF and c.department_id:
            recipients.update(staff_user_ids(["department_head"], department_id=c.department_id))
        elif c.hall_id:
            recipients.update(staff_user_ids(["hall_manager"], hall_id=c.hall_id))
    names = "、".join(n.candidate.subject_label for n in winners)
    link = f"/assessment/selection/{rnd.pk}/"
    for uid in sorted(recipients):
        message_send(
            recipient=uid,
            channel=SITE,
            title=f"通报：{rnd.title}结果"[:100],
            text=f"{rnd.issuing_office}发布{rnd.title}结果，当选{R.Kind(rnd.kind).label}：{names}。通报可在评选页面下载。",
            dedupe_key=f"selection-notice:{rnd.pk}:{uid}",
            link=link,
        )
    _audit(
        actor,
        rnd,
        "publish",
        before=before,
        after={**snapshot(rnd, ROUND_FIELDS), "notified": len(recipients)},
    )
    return rnd


# --- the notice --------------------------------------------------------------------------------


def date_cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def notice_context(rnd: SelectionRound) -> dict:
    period = parse_period(rnd.period)
    return {
        "round": rnd,
        "period": period,
        "kind_label": R.Kind(rnd.kind).label,
        "winners": selected(rnd),
        "issued_cn": date_cn(rnd.published_on or timezone.localdate()),
    }


def notice_pdf(rnd: SelectionRound) -> bytes:
    """The 通报 of a published round as a PDF (WeasyPrint, fonts embedded)."""
    from django.template.loader import render_to_string

    from banhao.core import pdf

    if rnd.status != S.PUBLISHED:
        raise ValidationError("评选结果发布后才有通报。")
    pdf.check_available()
    html = render_to_string(
        "assessment/selection/notice_pdf.html", {**notice_context(rnd), "fonts": pdf.font_stacks()}
    )
    return pdf.render_pdf(html)
