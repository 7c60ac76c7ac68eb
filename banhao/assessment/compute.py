"""assessment_compute(period): score every subject of every scheme in force for a period and
store the scores per ranking group. See docs/assessment.md for the rules."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from banhao.core.audit import audit_record

from .indicators import FORMULAS, Context, Measured, Unavailable, measure
from .models_schemes import ManualItem, Scheme, SchemeVersion, Score, ScoreSet, SubjectKind, linear_score
from .periods import Period, parse_period, periods_closed_by


@dataclass(frozen=True)
class KindSummary:
    kind: str
    subjects: int
    published: int


def version_in_force(scheme: Scheme, day: dt.date) -> SchemeVersion | None:
    """The published version with the latest valid_from on or before ``day``."""
    return (
        scheme.versions.filter(status=SchemeVersion.Status.PUBLISHED, valid_from__lte=day)
        .order_by("-valid_from", "-number")
        .first()
    )


def _dec(x: float | None) -> Decimal | None:
    return None if x is None else Decimal(str(round(x, 2)))


def rank_competition(totals: dict[int, float | None]) -> dict[int, int | None]:
    """1, 2, 2, 4 …: equal totals share a rank; subjects without a total get none."""
    ordered = sorted((t, sid) for sid, t in totals.items() if t is not None)
    ordered.sort(key=lambda p: -p[0])
    ranks: dict[int, int | None] = {sid: None for sid, t in totals.items() if t is None}
    prev, prev_rank = None, 0
    for i, (t, sid) in enumerate(ordered, start=1):
        if t != prev:
            prev, prev_rank = t, i
        ranks[sid] = prev_rank
    return ranks


# units of the indicators whose facts show that a subject was active in the period
ACTIVITY_UNITS = ("%", "分钟", "分")


def _measure_or_none(key: str, kind: str, ctx: Context) -> dict[int, Measured] | None:
    try:
        return measure(key, kind, ctx)
    except Unavailable:
        return None


def score_subjects(
    version: SchemeVersion, period: Period, subjects, *, ctx: Context | None = None
) -> list[dict]:
    """The scores of ``subjects`` (org.api.AssessmentSubject) under ``version`` for ``period``,
    without storing anything: [{subject, base, manual_points, total, details, manual}]."""
    ctx = ctx or Context(period.start, period.end)
    kind = version.scheme.subject_kind
    indicators = list(version.indicators.all())
    measured: dict[str, dict[int, Measured] | None] = {}
    for ind in indicators:
        # measured once per computation for the whole city, whatever the group asked
        measured[ind.key] = ctx.get(
            f"measured:{ind.key}:{kind}", lambda key=ind.key: _measure_or_none(key, kind, ctx)
        )
    items = defaultdict(list)
    for item in ManualItem.objects.filter(
        scheme=version.scheme, period=period.code, subject_kind=kind, status=ManualItem.Status.APPROVED
    ).exclude(decided_by=None):
        if item.decided_by_id != item.requested_by_id:  # the constraint holds it; counted only so
            items[item.subject_id].append(item)
    total_weight = sum(float(i.weight) for i in indicators)
    out = []
    for s in subjects:
        details, got, got_weight = [], 0.0, 0.0
        for ind in indicators:
            formula = FORMULAS[ind.key]
            values = measured[ind.key]
            if values is None:
                m, available = Measured(None, 0, ()), False
            else:
                m = values.get(s.id) or Measured(0.0 if formula.unit == "件" else None, 0, ())
                available = m.value is not None
            sc = linear_score(m.value, float(ind.weight), float(ind.full_at), float(ind.zero_at))
            if sc is not None:
                got += sc
                got_weight += float(ind.weight)
            details.append(
                {
                    "key": ind.key,
                    "label": ind.label,
                    "unit": formula.unit,
                    "direction": ind.direction,
                    "weight": float(ind.weight),
                    "full_at": float(ind.full_at),
                    "zero_at": float(ind.zero_at),
                    "value": m.value,
                    "score": sc,
                    "n": m.n,
                    "available": available,
                    "unavailable": values is None,
                    "source": formula.source,
                    "ids": list(m.ids),
                }
            )
        # Indicators without data are left out and the rest scaled to the full weight, so a
        # window nobody rated is neither rewarded nor punished for it. When the scheme measures
        # activity (a rate or a time, whose facts are the subject's cases, ratings or tickets)
        # and not one of those found a fact, the subject had no activity in the period (a
        # window nobody came to): it is not scored, rather than given full marks on every count
        # of nothing and a place on the red list.
        activity = [d for d in details if d["unit"] in ACTIVITY_UNITS and not d["unavailable"]]
        idle = bool(activity) and not any(d["n"] for d in activity)
        base = got * total_weight / got_weight if got_weight and not idle else None
        manual = [
            {"id": i.pk, "kind": i.kind, "points": i.signed_points, "reason": i.reason}
            for i in items.get(s.id, [])
        ]
        manual_points = sum(m["points"] for m in manual)
        total = None if base is None else round(base + manual_points, 2)
        out.append(
            {
                "subject": s,
                "base": None if base is None else round(base, 2),
                "manual_points": round(manual_points, 2),
                "total": total,
                "details": details,
                "manual": manual,
            }
        )
    return out


def _compute_scheme(scheme: Scheme, period: Period, ctx: Context, now) -> tuple[int, int]:
    """(subjects, published subjects) of one scheme for one period."""
    from banhao.org.api import assessment_subjects

    version = version_in_force(scheme, period.start)
    if version is None:
        return 0, 0
    subjects = assessment_subjects(scheme.subject_kind)
    groups: dict[str, list] = defaultdict(list)
    for s in subjects:
        groups[s.group].append(s)
    existing = {ss.group: ss for ss in ScoreSet.objects.filter(scheme=scheme, period=period.code)}
    total_subjects = published = 0
    for group, members in groups.items():
        total_subjects += len(members)
        current = existing.get(group)
        if current is not None and current.status != ScoreSet.Status.DRAFT:
            if current.status == ScoreSet.Status.PUBLISHED:
                published += current.scores.count()
            continue  # a reviewed or published set is never recomputed
        rows = score_subjects(version, period, members, ctx=ctx)
        ranks = rank_competition({r["subject"].id: r["total"] for r in rows})
        with transaction.atomic():
            if current is None:
                current = ScoreSet.objects.create(
                    scheme=scheme,
                    version=version,
                    subject_kind=scheme.subject_kind,
                    period=period.code,
                    group=group,
                    group_label=members[0].group_label,
                    region_id=members[0].region_id,
                    computed_at=now,
                )
            else:
                # a draft: replaced; lock it so a concurrent review waits for us
                current = ScoreSet.objects.select_for_update().get(pk=current.pk)
                if current.status != ScoreSet.Status.DRAFT:
                    continue
                current.scores.all().delete()
                current.version = version
                current.group_label = members[0].group_label
                current.computed_at = now
                current.save(update_fields=["version", "group_label", "computed_at"])
            Score.objects.bulk_create(
                [
                    Score(
                        score_set=current,
                        subject_kind=scheme.subject_kind,
                        subject_id=r["subject"].id,
                        subject_label=r["subject"].label,
                        period=period.code,
                        version=version,
                        base=_dec(r["base"]),
                        manual_points=_dec(r["manual_points"]),
                        total=_dec(r["total"]),
                        rank=ranks[r["subject"].id],
                        details=r["details"],
                        manual=r["manual"],
                    )
                    for r in rows
                ],
                batch_size=1000,
            )
    return total_subjects, published


def assessment_compute(period: str | Period, *, today: dt.date | None = None) -> list[KindSummary]:
    """Compute ``period`` for every active scheme of its period kind; a month also computes the
    quarter and the year it closes. Returns one summary per subject kind (every kind, in the
    order of SubjectKind; a kind without a scheme shows 0 subjects)."""
    if isinstance(period, str):
        period = parse_period(period)
    periods = periods_closed_by(period) if period.kind == "month" else [period]
    now = timezone.now()
    totals = {k: [0, 0] for k in SubjectKind.values}
    for p in periods:
        ctx = Context(p.start, p.end, today=today)
        for scheme in Scheme.objects.filter(active=True, period_kind=p.kind).order_by("pk"):
            n, pub = _compute_scheme(scheme, p, ctx, now)
            audit_record(
                actor="考核计算",
                obj=scheme,
                action="assessment.compute",
                after={"period": p.code, "subjects": n},
            )
            totals[scheme.subject_kind][0] += n
            totals[scheme.subject_kind][1] += pub
    return [KindSummary(k, n, pub) for k, (n, pub) in totals.items()]
