"""Staff pages: the projects of the scope (项目列表, 项目详情 with each stage's clock and its
一次告知) and, for catalog officers, the approval tracks (审批路线) with their versions.

A project outside the scope is a 404. Track edits go through the services (a published version
is never edited; a draft is copied from it) and every change is audited there.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from banhao.catalog import api as catalog_api
from banhao.org.api import department_choices, staff_required

from . import pages, services
from .models import KeyLevel, Project, Stage, StageItem, Track, TrackVersion
from .notice import stage_notice

PAGE_SIZE = 30


def projects_for_staff(scope):
    return scope.filter(
        Project.objects.select_related("region", "track_version__track"), region_field="region"
    )


def _project_or_404(request, pk: int) -> Project:
    project = projects_for_staff(request.scope).filter(pk=pk).first()
    if project is None:
        raise Http404("未找到该项目。")
    return project


@staff_required("projects.view")
def project_list(request):
    g = request.GET
    filters = {"q": g.get("q", "").strip()[:60], "key": g.get("key", "").strip()[:8]}
    qs = projects_for_staff(request.scope).order_by("-registered_at", "-id")
    if filters["q"]:
        q = filters["q"]
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(owner_name__icontains=q))
    if filters["key"] in {KeyLevel.CITY, KeyLevel.COUNTY}:
        qs = qs.filter(key_level=filters["key"])
    elif filters["key"] == "any":
        qs = qs.exclude(key_level="")
    page = Paginator(qs, PAGE_SIZE).get_page(g.get("page"))
    rows = [{"project": p, "summary": pages.summary(p)} for p in page]
    return render(
        request,
        "projects/office/list.html",
        {"page": page, "rows": rows, "filters": filters, "can_tracks": request.scope.can("projects.tracks")},
    )


@staff_required("projects.view")
def project_detail(request, pk: int):
    project = _project_or_404(request, pk)
    rows = pages.stage_rows(project)
    for row in rows:  # the stage desk is the lead department's
        row["desk"] = request.scope.allows(project.region_id, row["stage"].lead_department_id)
    return render(
        request,
        "projects/office/detail.html",
        {"project": project, "rows": rows, "summary": pages.summary(project)},
    )


@staff_required("projects.view")
def project_stage_notice(request, pk: int, stage_id: int):
    project = _project_or_404(request, pk)
    stage = project.track_version.stages.filter(pk=stage_id).first()
    if stage is None:
        raise Http404("未找到该阶段。")
    return render(
        request,
        "projects/notice.html",
        {"project": project, "stage": stage, "notice": stage_notice(project, stage), "staff": True},
    )


# --- tracks ----------------------------------------------------------------------------------


@staff_required("projects.tracks")
def track_list(request):
    tracks = Track.objects.prefetch_related("versions").order_by("-priority", "key")
    return render(request, "projects/tracks/list.html", {"tracks": tracks})


def _version_or_404(pk: int) -> TrackVersion:
    version = TrackVersion.objects.select_related("track").filter(pk=pk).first()
    if version is None:
        raise Http404("未找到该路线版本。")
    return version


@staff_required("projects.tracks")
def version_detail(request, pk: int):
    version = _version_or_404(pk)
    stages = [{"stage": s, "items": pages.stage_items(s)} for s in version.stages.order_by("order")]
    departments = department_choices(request.scope.region_ids)
    names = {d[0]: d[1] for d in departments}
    for row in stages:
        row["lead"] = names.get(row["stage"].lead_department_id, "")
    return render(
        request,
        "projects/tracks/version.html",
        {
            "version": version,
            "stages": stages,
            "departments": departments,
            "problems": services.version_check(version) if version.status == "draft" else [],
            "versions": version.track.versions.order_by("-number"),
            "may_edit": request.scope.is_city_wide,
        },
    )


CITY_ONLY = "审批路线全市统一，由市级事项管理人员维护。"


def _city_wide(request) -> bool:
    """Tracks are the city's: only staff whose scope is the whole city change them."""
    if request.scope.is_city_wide:
        return True
    messages.error(request, CITY_ONLY)
    return False


def _done(request, version: TrackVersion, fn, ok: str):
    if not _city_wide(request):
        return redirect("projects_office:version_detail", version.pk)
    try:
        fn()
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    else:
        messages.success(request, ok)
    return redirect("projects_office:version_detail", version.pk)


@require_POST
@staff_required("projects.tracks")
def version_copy(request, pk: int):
    version = _version_or_404(pk)
    if not _city_wide(request):
        return redirect("projects_office:version_detail", version.pk)
    try:
        draft = services.version_copy(
            actor=request.user, version=version, note=request.POST.get("note", "")[:200]
        )
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
        return redirect("projects_office:version_detail", version.pk)
    messages.success(
        request, f"已复制为第{draft.number}版草稿，修改后发布即生效；已登记的项目仍按原版本办理。"
    )
    return redirect("projects_office:version_detail", draft.pk)


@require_POST
@staff_required("projects.tracks")
def version_publish(request, pk: int):
    version = _version_or_404(pk)
    return _done(
        request,
        version,
        lambda: services.version_publish(actor=request.user, version=version),
        "已发布。新登记的项目按此版本办理。",
    )


@require_POST
@staff_required("projects.tracks")
def stage_edit(request, pk: int, stage_id: int):
    version = _version_or_404(pk)
    stage = Stage.objects.filter(pk=stage_id, version=version).first()
    if stage is None:
        raise Http404("未找到该阶段。")
    p = request.POST
    changes = {}
    name = (p.get("name") or "").strip()
    if not name or len(name) > 60:
        messages.error(request, "阶段名称应为1至60个字。")
        return redirect("projects_office:version_detail", version.pk)
    changes["name"] = name
    try:
        limit = int(p.get("limit_days", ""))
        if not 1 <= limit <= 200:
            raise ValueError
    except ValueError:
        messages.error(request, "阶段时限应为1至200之间的整数（工作日）。")
        return redirect("projects_office:version_detail", version.pk)
    changes["limit_days"] = limit
    lead = p.get("lead_department", "")
    allowed = {str(d[0]) for d in department_choices(request.scope.region_ids)}
    if lead not in allowed:
        messages.error(request, "请选择数据范围内的牵头部门。")
        return redirect("projects_office:version_detail", version.pk)
    changes["lead_department_id"] = int(lead)
    return _done(
        request,
        version,
        lambda: services.stage_change(actor=request.user, stage=stage, **changes),
        "阶段已修改。",
    )


@require_POST
@staff_required("projects.tracks")
def stage_item_add(request, pk: int, stage_id: int):
    version = _version_or_404(pk)
    stage = Stage.objects.filter(pk=stage_id, version=version).first()
    if stage is None:
        raise Http404("未找到该阶段。")
    impl_id = catalog_api.implementation_id_by_code(request.POST.get("implementation_code", ""))
    if impl_id is None:
        messages.error(request, "找不到该实施编码对应的已发布事项，请核对。")
        return redirect("projects_office:version_detail", version.pk)
    parallel = request.POST.get("parallel") == "1"
    return _done(
        request,
        version,
        lambda: services.stage_item_add(
            actor=request.user, stage=stage, implementation_id=impl_id, parallel=parallel
        ),
        "事项已加入本阶段。",
    )


@require_POST
@staff_required("projects.tracks")
def stage_item_remove(request, pk: int, item_id: int):
    version = _version_or_404(pk)
    item = StageItem.objects.filter(pk=item_id, stage__version=version).first()
    if item is None:
        raise Http404("未找到该事项。")
    return _done(
        request,
        version,
        lambda: services.stage_item_remove(actor=request.user, item=item),
        "事项已移出本阶段。",
    )
