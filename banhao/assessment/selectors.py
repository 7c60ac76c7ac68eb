"""Reads of the assessment: which subjects a scope may see, scorecards over periods, the facts
behind an indicator."""

from __future__ import annotations

from dataclasses import dataclass

from banhao.org.api import AssessmentSubject, assessment_subjects

from .models_schemes import Scheme, Score, ScoreSet
from .periods import Period

COMPARE_PERIODS = 6
# kinds a department-scoped role (department head) may see: its department and its staff
DEPARTMENT_KINDS = ("department", "staff")


def visible_subjects(scope, kind: str) -> list[AssessmentSubject]:
    """The subjects of ``kind`` the scope may see: its regions; a department head only its own
    department and that department's staff."""
    subjects = assessment_subjects(kind, scope.region_ids)
    if scope.role in ("reviewer", "department_head"):
        if kind not in DEPARTMENT_KINDS:
            return []
        return [s for s in subjects if s.department_id == scope.department_id]
    return subjects


def subject_visible(scope, kind: str, subject_id: int) -> AssessmentSubject | None:
    return next((s for s in visible_subjects(scope, kind) if s.id == subject_id), None)


def subject_any(kind: str, subject_id: int) -> AssessmentSubject | None:
    return next((s for s in assessment_subjects(kind) if s.id == subject_id), None)


def schemes_for(kind: str, period: Period) -> list[Scheme]:
    return list(Scheme.objects.filter(subject_kind=kind, period_kind=period.kind).order_by("pk"))


@dataclass
class CardColumn:
    period: Period
    score: Score | None
    status_label: str


def scorecard(scheme: Scheme, kind: str, subject_id: int, period: Period) -> list[CardColumn]:
    """The subject's scores of ``period`` and the COMPARE_PERIODS − 1 before it, oldest first."""
    periods = period.last(COMPARE_PERIODS)
    scores = {
        s.period: s
        for s in Score.objects.filter(
            score_set__scheme=scheme,
            subject_kind=kind,
            subject_id=subject_id,
            period__in=[p.code for p in periods],
        ).select_related("score_set", "version")
    }
    return [
        CardColumn(
            p, scores.get(p.code), scores[p.code].score_set.get_status_display() if p.code in scores else ""
        )
        for p in periods
    ]


def comparison_rows(columns: list[CardColumn]) -> list[dict]:
    """One row per indicator (by key, in the order of the latest version that has it), with
    its value and score in each column."""
    order: list[str] = []
    labels: dict[str, tuple[str, str]] = {}
    for col in reversed(columns):
        for d in col.score.details if col.score else []:
            if d["key"] not in labels:
                labels[d["key"]] = (d["label"], d["unit"])
                order.append(d["key"])
    rows = []
    for key in order:
        cells = []
        for col in columns:
            d = next((x for x in (col.score.details if col.score else []) if x["key"] == key), None)
            cells.append(d)
        rows.append({"key": key, "label": labels[key][0], "unit": labels[key][1], "cells": cells})
    return rows


def kind_list(scope, scheme: Scheme, period: Period) -> list[tuple[ScoreSet, list[Score]]]:
    """The score sets of a scheme and period with the scores the scope may see, by group."""
    visible = {s.id for s in visible_subjects(scope, scheme.subject_kind)}
    out = []
    for ss in ScoreSet.objects.filter(scheme=scheme, period=period.code).order_by("group_label"):
        rows = [s for s in ss.scores.order_by("rank", "subject_label") if s.subject_id in visible]
        if rows:
            out.append((ss, rows))
    return out


def fact_rows(source: str, ids: list[int], scope, period: Period | None = None) -> list[dict]:
    """The facts behind an indicator as rows {label, detail, url}; a link only where the viewer
    may open the fact's own page."""
    from django.urls import reverse

    can = scope.can if scope is not None else (lambda p: False)
    rows = []
    if source == "rating":
        from banhao.evaluation.api import rating_briefs

        for r in rating_briefs(ids):
            url = None
            if r.rectification_id and (can("evaluation.rectify") or can("evaluation.supervise")):
                url = reverse("rectify:detail", args=[r.rectification_id])
            rows.append(
                {
                    "label": f"评价 #{r.id}",
                    "detail": f"{r.level_label} · {r.channel_label} · {r.created_at:%Y-%m-%d %H:%M}"
                    + (" · 已转整改" if r.has_rectification else ""),
                    "url": url,
                    "bad": r.is_bad,
                }
            )
    elif source == "rectification":
        for i in ids:
            url = (
                reverse("rectify:detail", args=[i])
                if can("evaluation.rectify") or can("evaluation.supervise")
                else None
            )
            rows.append({"label": f"差评整改 #{i}", "detail": "", "url": url})
    elif source == "case":
        from banhao.cases.api import case_summaries

        for c in case_summaries(ids):
            url = reverse("cases_office:case_detail", args=[c["number"]]) if can("cases.view") else None
            rows.append(
                {
                    "label": c["number"],
                    "detail": f"{c['item']} · {c['department']} · {c['status_label']}",
                    "url": url,
                }
            )
    elif source in ("complaint", "accountability"):
        url_ok = can("complaints.view")
        if source == "accountability":
            from banhao.evaluation.api import accountability_records

            wanted = set(ids)
            span = {"start": period.start, "end": period.end} if period else {}
            for a in accountability_records(**span):
                if a.id in wanted:
                    rows.append(
                        {
                            "label": f"责任追究 #{a.id}（投诉 {a.complaint_number}）",
                            "detail": f"{a.measure_name} · {a.decided_on:%Y-%m-%d}",
                            "url": reverse("complaints:detail", args=[a.complaint_id]) if url_ok else None,
                        }
                    )
        else:
            for i in ids:
                rows.append(
                    {
                        "label": f"效能投诉 #{i}",
                        "detail": "",
                        "url": reverse("complaints:detail", args=[i]) if url_ok else None,
                    }
                )
    elif source == "ticket":
        from banhao.hall.api import ticket_numbers

        found = ticket_numbers(ids)
        for i in ids:
            if i in found:
                number, day, status = found[i]
                rows.append({"label": f"{number}", "detail": f"{day:%Y-%m-%d} · {status}", "url": None})
    else:
        rows = [{"label": f"#{i}", "detail": "", "url": None} for i in ids]
    return rows
