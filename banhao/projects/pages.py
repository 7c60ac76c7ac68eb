"""What the project pages show (shared by the staff and the owner views)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from banhao.catalog import api as catalog_api
from banhao.org import api as org_api

from . import services
from .models import Project, Stage, StageRun

TONES = {"not_started": "muted", "open": "warn", "done": "ok"}


def stage_rows(project: Project, today: dt.date | None = None) -> list[dict]:
    today = today or timezone.localdate()
    days = {d.stage_id: d for d in services.stage_days(project, today=today)}
    stages = sorted(project.track_version.stages.all(), key=lambda s: s.order)
    leads = {s.lead_department_id: org_api.department_info(s.lead_department_id) for s in stages}
    runs = {r.stage_id: r for r in project.stage_runs.all()}
    rows = []
    for s in stages:
        d = days[s.pk]
        rows.append(
            {
                "stage": s,
                "days": d,
                "lead": leads[s.lead_department_id].name if leads[s.lead_department_id] else "",
                "tone": "danger" if d.within is False else TONES.get(d.status, ""),
                "status_label": dict(StageRun.Status.choices).get(d.status, d.status),
                "items": stage_items(s),
                "run": runs.get(s.pk),
            }
        )
    return rows


def stage_items(stage: Stage) -> list[dict]:
    out = []
    for si in stage.items.all().order_by("parallel", "order", "id"):
        impl, version = catalog_api.published_for_application(si.implementation_id)
        out.append(
            {
                "item": si,
                "name": version.name if version else "（事项未发布）",
                "code": impl.implementation_code if impl else "",
                "department": impl.department.name if impl else "",
                "parallel": si.parallel,
            }
        )
    return out


def summary(project: Project, today: dt.date | None = None) -> dict:
    return services.project_report(project, today=today or timezone.localdate())
