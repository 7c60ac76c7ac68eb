"""The demo's scoring schemes (考核方案), one per subject kind, each marked as an example (示例):
plausible weights and thresholds for a city to start from, not a norm. Loading again changes
nothing (a scheme is found by its name)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from banhao.assessment.models import Indicator, Scheme, SchemeVersion
from banhao.core.audit import audit_record

ACTOR = "演示数据载入"
VALID_FROM = dt.date(2026, 1, 1)

# name, subject kind, period kind, description, [(key, label, direction, weight, full_at, zero_at)]
SCHEMES = [
    (
        "窗口月度考核（示例）",
        "window",
        "month",
        "大厅各窗口每月考核，用于红蓝榜。满分100分，另计加减分。",
        [
            ("satisfaction_rate", "满意率", "higher", 30, 100, 90),
            ("bad_ratings", "差评数", "lower", 15, 0, 5),
            ("rectification_on_time", "差评按期整改率", "higher", 10, 100, 80),
            ("one_visit_rate", "一次办好率", "higher", 15, 100, 80),
            ("queue_wait", "平均等候时长", "lower", 10, 10, 40),
            ("service_time", "平均办理时长", "lower", 5, 15, 45),
            ("no_shows", "过号数", "lower", 5, 0, 20),
            ("substantiated_complaints", "属实投诉数", "lower", 10, 0, 3),
        ],
    ),
    (
        "部门月度考核（示例）",
        "department",
        "month",
        "进驻部门每月考核：时限、一次办好、评价和回访。",
        [
            ("satisfaction_rate", "满意率", "higher", 20, 100, 90),
            ("on_time_completion", "按时办结率", "higher", 25, 100, 90),
            ("overdue_cases", "超期办件数", "lower", 10, 0, 10),
            ("one_visit_rate", "一次办好率", "higher", 15, 100, 80),
            ("callback_score", "回访平均得分", "higher", 10, 100, 80),
            ("rectification_on_time", "差评按期整改率", "higher", 10, 100, 80),
            ("substantiated_complaints", "属实投诉数", "lower", 5, 0, 3),
            ("accountability", "责任追究数", "lower", 5, 0, 2),
        ],
    ),
    (
        "县区季度考核（示例）",
        "county",
        "quarter",
        "各县区政务服务季度考核，计入年终考核。",
        [
            ("satisfaction_rate", "满意率", "higher", 20, 100, 90),
            ("on_time_completion", "按时办结率", "higher", 20, 100, 90),
            ("overdue_cases", "超期办件数", "lower", 10, 0, 30),
            ("one_visit_rate", "一次办好率", "higher", 15, 100, 80),
            ("callback_score", "回访平均得分", "higher", 15, 100, 80),
            ("rectification_on_time", "差评按期整改率", "higher", 10, 100, 80),
            ("accountability", "责任追究数", "lower", 10, 0, 5),
        ],
    ),
    (
        "工作人员月度考核（示例）",
        "staff",
        "month",
        "窗口和后台工作人员每月考核，用于服务明星评选。",
        [
            ("satisfaction_rate", "满意率", "higher", 35, 100, 90),
            ("bad_ratings", "差评数", "lower", 15, 0, 3),
            ("service_time", "平均办理时长", "lower", 10, 15, 45),
            ("substantiated_complaints", "属实投诉数", "lower", 15, 0, 2),
            ("accountability", "责任追究数", "lower", 10, 0, 1),
            ("training_hours", "学习培训学时", "higher", 15, 8, 0),
        ],
    ),
]


@transaction.atomic
def load() -> int:
    """Creates the example schemes that are missing; returns how many there are."""
    for name, kind, period, description, indicators in SCHEMES:
        if Scheme.objects.filter(name=name).exists():
            continue
        scheme = Scheme.objects.create(
            name=name, subject_kind=kind, period_kind=period, example=True, description=description
        )
        version = SchemeVersion.objects.create(
            scheme=scheme, number=1, valid_from=VALID_FROM, status="published", note="示例方案"
        )
        for order, (key, label, direction, weight, full_at, zero_at) in enumerate(indicators, start=1):
            Indicator.objects.create(
                version=version,
                key=key,
                label=label,
                direction=direction,
                weight=weight,
                full_at=full_at,
                zero_at=zero_at,
                order=order,
            )
        audit_record(actor=ACTOR, obj=scheme, action="assessment.scheme_add", after={"name": name})
    return Scheme.objects.filter(name__in=[s[0] for s in SCHEMES]).count()


def compute_this_month(today=None) -> list:
    """This month's scores so far, as drafts (the scheduled run replaces them after the month
    closes): the demo's scorecards and the hall managers' draft boards have something to show."""
    from django.utils import timezone

    from banhao.assessment.compute import assessment_compute
    from banhao.assessment.models import ScoreSet

    today = today or timezone.localdate()
    if ScoreSet.objects.filter(period=f"{today:%Y-%m}").exists():
        return []  # computed by an earlier load (or the schedule): a second load adds nothing
    return assessment_compute(f"{today:%Y-%m}", today=today)
