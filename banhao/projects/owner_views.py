"""The owner's pages (建设单位): their enterprise's projects, registering a project, a project's
stages with their clocks against the limits, and each stage's 一次告知 (what to answer and bring).

Enterprise agent logins only, while the agent's mandate is live (as the licence wallet); a
project of another enterprise is the same 404 as one that does not exist.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from banhao.registry import api as registry_api

from . import pages, services
from .forms import ProjectForm
from .models import Project
from .notice import YES, stage_notice


def _owner(request):
    identity = registry_api.applicant_identity(request.user)
    if identity is None or identity.organization is None:
        return None
    return identity


def _refuse(request):
    return render(request, "projects/owner/not_owner.html", status=403)


def _project_or_404(identity, pk: int) -> Project:
    project = (
        services.projects_of_owner(identity.organization.id)
        .select_related("track_version__track")
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise Http404("未找到该项目。")
    return project


@login_required
@require_http_methods(["GET", "POST"])
def mine(request):
    identity = _owner(request)
    if identity is None:
        return _refuse(request)
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            project = services.project_register(
                actor=request.user,
                owner_organization_id=identity.organization.id,
                data=services.ProjectData(
                    code=d["code"], name=d["name"], investment_kind=d["investment_kind"], use_kind=d["use_kind"],
                    location=d["location"], scale=d["scale"], total_investment=d["total_investment"],
                    simple_low_risk=d["simple_low_risk"], small=d["small"],
                ),
            )  # fmt: skip
        except ValidationError as e:
            if hasattr(e, "error_dict"):
                for field, errors in e.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, e.messages)
        else:
            messages.success(request, f"项目已登记，按“{project.track_version.track.name}”路线办理。")
            return redirect("projects:detail", project.pk)
    projects = services.projects_of_owner(identity.organization.id).select_related("track_version__track")
    rows = [{"project": p, "summary": pages.summary(p)} for p in projects]
    return render(
        request,
        "projects/owner/mine.html",
        {"rows": rows, "form": form, "organization": identity.organization},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def detail(request, pk: int):
    identity = _owner(request)
    if identity is None:
        return _refuse(request)
    project = _project_or_404(identity, pk)
    return render(
        request,
        "projects/owner/detail.html",
        {"project": project, "rows": pages.stage_rows(project), "summary": pages.summary(project)},
    )


@login_required
def notice(request, pk: int, stage_id: int):
    identity = _owner(request)
    if identity is None:
        return _refuse(request)
    project = _project_or_404(identity, pk)
    stage = project.track_version.stages.filter(pk=stage_id).first()
    if stage is None:
        raise Http404("未找到该阶段。")
    full = stage_notice(project, stage, user=request.user)
    answers = None
    if request.GET.get("answered") == "1":
        answers = {s.key: (YES if request.GET.get(f"s_{s.key}") == YES else "否") for s in full.situations}
    shown = stage_notice(project, stage, user=request.user, answers=answers) if answers is not None else full
    return render(
        request,
        "projects/notice.html",
        {
            "project": project,
            "stage": stage,
            "notice": shown,
            "situations": full.situations,
            "answers": answers or {},
        },
    )
