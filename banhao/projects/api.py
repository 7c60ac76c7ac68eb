"""What other apps may use of projects: a project by its code and the approval-time report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from banhao.core.identifiers import normalize_project_code

from .models import Project
from .reports import report as _report

__all__ = ["ProjectInfo", "approval_time_report", "normalize_project_code", "project_by_code"]


@dataclass(frozen=True)
class ProjectInfo:
    id: int
    code: str
    name: str
    owner_organization_id: int
    owner_name: str
    region_id: int
    key_level: str
    track: str


def project_by_code(code: str) -> ProjectInfo | None:
    """The registered project with that code (typed in any accepted form), or None."""
    try:
        code = normalize_project_code(code)
    except ValidationError:  # an invalid code names no project
        return None
    p = Project.objects.select_related("track_version__track").filter(code=code).first()
    if p is None:
        return None
    return ProjectInfo(
        p.pk,
        p.code,
        p.name,
        p.owner_organization_id,
        p.owner_name,
        p.region_id,
        p.key_level,
        p.track_version.track.name,
    )


def approval_time_report(*, today: dt.date, region_code: str | None = None) -> dict:
    """The projects_report data (shape in docs/projects.md)."""
    return _report(today=today, region_code=region_code)
