"""Pages of the parallel review: the lead department's stage desk (受理 once or one 一次性告知,
the member cases with their clocks, the merged stage reply) and the owner's one submission.

The desk is for staff whose scope holds the project and the stage's lead department: anyone
else gets the same 404 as a stage that does not exist. The owner's page follows the owner pages
(enterprise agent with a live mandate; another enterprise's project is a 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from banhao.org.api import staff_required

from . import owner_views, review
from .models import StageRun
from .notice import stage_notice
from .office_views import projects_for_staff


def _desk_run_or_404(request, pk: int, stage_id: int) -> StageRun:
    project = projects_for_staff(request.scope).filter(pk=pk).first()
    run = (
        StageRun.objects.select_related("project__region", "stage")
        .filter(project=project, stage_id=stage_id)
        .first()
        if project
        else None
    )
    if run is None or not request.scope.allows(project.region_id, run.stage.lead_department_id):
        raise Http404("未找到该阶段。")
    return run


@staff_required("projects.view")
@require_http_methods(["GET", "POST"])
def stage_desk(request, pk: int, stage_id: int):
    run = _desk_run_or_404(request, pk, stage_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == review.ACCEPT:
                review.stage_accept(actor=request.user, run=run)
                messages.success(request, "已受理，本阶段各事项已同时分送各部门并联审批。")
            elif action == review.CORRECT:
                review.stage_correct(actor=request.user, run=run, note=request.POST.get("note", ""))
                messages.success(request, "已向建设单位发出一次性告知。")
            elif action == review.REPLY:
                review.stage_reply(actor=request.user, run=run, text=request.POST.get("text", ""))
                messages.success(request, "已出具阶段办理意见，本阶段办结。")
            else:
                raise ValidationError("未知的操作。")
        except (ValidationError, PermissionDenied) as e:
            for m in getattr(e, "messages", None) or [str(e)]:
                messages.error(request, m)
        else:
            return redirect("projects_office:desk", pk, stage_id)
        run.refresh_from_db()
    members = review.stage_members(run)
    labels = (
        {f.key: f.label for f in stage_notice(run.project, run.stage).fields} if run.submitted_form else {}
    )
    submitted = [(labels.get(k, k), v) for k, v in run.submitted_form.items()]
    return render(
        request,
        "projects/office/desk.html",
        {
            "run": run,
            "project": run.project,
            "stage": run.stage,
            "members": members,
            "submitted": submitted,
            "late": any(m.late for m in members),
            "all_decided": bool(members) and all(m.decided for m in members),
            "may_act": review.lead_may(request.user, run),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def stage_submit(request, pk: int, stage_id: int):
    identity = owner_views._owner(request)
    if identity is None:
        return owner_views._refuse(request)
    project = owner_views._project_or_404(identity, pk)
    run = StageRun.objects.select_related("stage").filter(project=project, stage_id=stage_id).first()
    if run is None:
        raise Http404("未找到该阶段。")
    notice = stage_notice(project, run.stage, user=request.user)
    errors: list[str] = []
    if request.method == "POST":
        form = {f.key: request.POST.get(f"f_{f.key}", "") for f in notice.fields}
        brought = request.POST.getlist("materials")
        situations = {s.key: request.POST.get(f"s_{s.key}", "否") for s in notice.situations}
        try:
            review.stage_submit(
                actor=request.user, run=run, form=form, materials=brought, situations=situations
            )
        except (ValidationError, PermissionDenied) as e:
            errors = list(getattr(e, "messages", None) or [str(e)])
        else:
            messages.success(request, "本阶段已申报，请等待牵头部门受理。")
            return redirect("projects:detail", project.pk)
    return render(
        request,
        "projects/owner/submit.html",
        {"project": project, "run": run, "stage": run.stage, "notice": notice, "errors": errors},
        status=400 if errors else 200,
    )
