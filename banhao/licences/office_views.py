"""证照管理: the issuing department's licence register. Staff whose role has ``licences.view``
list and open the licences issued within their scope (region and below; the department roles
only their own department's); ``licences.manage`` (the department head) suspends, resumes and
revokes with a reason. A licence outside the scope is a 404, as a case is."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from banhao.core.masking import mask_resident_id
from banhao.org.api import staff_required

from . import services, states
from .models import HolderKind, Licence, LicenceType, Status

PAGE_SIZE = 30
USES_SHOWN = 100
# what each action button does to a licence (the service; the label comes from states)
ACTIONS = {
    "suspend": services.licence_suspend,
    "resume": services.licence_resume,
    "revoke": services.licence_revoke,
}


def licences_for_staff(scope):
    """The licences issued within the scope: its regions (and below), and for the department
    roles (reviewer, department head) only those their own department issued."""
    qs = Licence.objects.select_related("type")
    return scope.filter(qs, region_field="region", department_field="issuer")


def _licence_or_404(request, pk: int) -> Licence:
    licence = licences_for_staff(request.scope).filter(pk=pk).first()
    if licence is None:
        raise Http404("未找到该电子证照。")
    return licence


def holder_code_shown(licence: Licence) -> str:
    """A person's ID number masked; an organisation's credit code is public."""
    if licence.holder_kind == HolderKind.ORGANIZATION:
        return licence.holder_code
    return mask_resident_id(licence.holder_code)


def _status_tone(status: str) -> str:
    return {
        Status.VALID: "ok",
        Status.SUSPENDED: "warn",
        Status.EXPIRED: "muted",
        Status.SUPERSEDED: "muted",
        Status.REVOKED: "danger",
    }.get(status, "")


@staff_required("licences.view")
def register(request):
    """GET /licences/office/ — the register, filtered by type, status and a search."""
    g = request.GET
    filters = {
        "type": g.get("type", "").strip()[:10],
        "status": g.get("status", "").strip()[:12],
        "q": g.get("q", "").strip()[:120],
    }
    qs = licences_for_staff(request.scope)
    if filters["type"].isdigit():
        qs = qs.filter(type_id=int(filters["type"]))
    if filters["status"] in Status.values:
        qs = qs.filter(status=filters["status"])
    if filters["q"]:
        q = filters["q"]
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(holder_name__icontains=q)
            | Q(holder_code=q.upper())
            | Q(identifier__startswith=q.upper())
            | Q(case_number=q)
        )
    page = Paginator(qs.order_by("-issued_on", "-id"), PAGE_SIZE).get_page(g.get("page"))
    rows = [
        {
            "licence": x,
            "holder_code": holder_code_shown(x),
            "tone": _status_tone(x.status),
            "effective": services.effective_status(x),
        }
        for x in page.object_list
    ]
    types = LicenceType.objects.filter(pk__in=licences_for_staff(request.scope).values("type_id")).order_by(
        "code"
    )
    kept = {k: v for k, v in g.items() if k != "page" and v}
    return render(
        request,
        "licences/office/register.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "types": types,
            "statuses": Status.choices,
            "query": urlencode(kept),
        },
    )


def _detail_context(request, licence: Licence, **extra) -> dict:
    labels = {f["key"]: f.get("label") or f["key"] for f in licence.type.fields}
    public = {f["key"] for f in licence.type.fields if f.get("public")}
    face = [(labels.get(k, k), v, k in public) for k, v in licence.face.items()]
    status_labels = dict(Status.choices)
    events = [
        {
            "event": e,
            "label": states.ACTION_LABELS.get(e.action, e.action),
            "from": status_labels.get(e.from_status, ""),
            "to": status_labels.get(e.to_status, ""),
        }
        for e in licence.events.all().order_by("at", "id")
    ]
    can_manage = request.scope.can("licences.manage")
    actions = [
        {"name": name, "label": states.ACTION_LABELS[name]}
        for name in ACTIONS
        if states.next_status(licence.status, name) is not None
    ]
    return {
        "licence": licence,
        "holder_code": holder_code_shown(licence),
        "tone": _status_tone(licence.status),
        "verify_status": services.verify_status(licence),
        "face": face,
        "events": events,
        "uses": list(licence.uses.all()[:USES_SHOWN]),
        "use_count": licence.uses.count(),
        "actions": actions if can_manage else [],
        "can_manage": can_manage,
        **extra,
    }


@staff_required("licences.view")
def detail(request, pk: int):
    """GET /licences/office/<pk>/ — the face, the events and the use log."""
    licence = _licence_or_404(request, pk)
    return render(request, "licences/office/detail.html", _detail_context(request, licence))


@require_POST
@staff_required("licences.manage")
def act(request, pk: int):
    """POST /licences/office/<pk>/act/ — suspend, resume or revoke with a reason.

    The form carries the status it was shown with: a repeated submission (the licence already
    moved from that status, e.g. a double click) changes nothing and says so."""
    licence = _licence_or_404(request, pk)
    action = request.POST.get("action", "")
    service = ACTIONS.get(action)
    if service is None:
        messages.error(request, "未知的操作。")
        return redirect("licences:office_detail", pk=licence.pk)
    label = states.ACTION_LABELS[action]
    shown = request.POST.get("status", "")
    if shown and shown != licence.status:
        if states.next_status(shown, action) == licence.status:
            messages.info(request, f"该证照已{label}，本次重复提交未再处理。")
        else:
            messages.error(
                request,
                f"证照状态已变为“{licence.get_status_display()}”，未执行“{label}”，请核对后重新操作。",
            )
        return redirect("licences:office_detail", pk=licence.pk)
    try:
        service(actor=request.user, licence=licence, reason=request.POST.get("reason", ""))
    except ValidationError as e:
        context = _detail_context(
            request,
            licence,
            error="；".join(e.messages),
            failed_action=action,
            typed_reason=request.POST.get("reason", "")[:200],
        )
        return render(request, "licences/office/detail.html", context, status=400)
    licence.refresh_from_db(fields=["status"])
    messages.success(request, f"已{label}，证照当前状态：{licence.get_status_display()}。已通知持证人。")
    return redirect("licences:office_detail", pk=licence.pk)
