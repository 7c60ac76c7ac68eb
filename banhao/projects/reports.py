"""The approval-time report across projects (projects_report, later the public list)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch

from .models import Project, Stage, StageRun
from .services import project_report

REPORT_VERSION = 1


def report(*, today: dt.date, region_code: str | None = None) -> dict:
    qs = (
        Project.objects.select_related("region", "track_version__track")
        .prefetch_related(
            Prefetch("stage_runs", queryset=StageRun.objects.all()),
            Prefetch("track_version__stages", queryset=Stage.objects.order_by("order")),
        )
        .order_by("code")
    )
    if region_code:
        qs = qs.filter(region__code=region_code)
    return {
        "version": REPORT_VERSION,
        "today": today.isoformat(),
        "unit": "working_days",
        "projects": [project_report(p, today=today) for p in qs],
    }
