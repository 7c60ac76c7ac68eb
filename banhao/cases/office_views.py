"""Back-office screens (办件审批): the reviewer's inbox with the SLA countdown, the case page with
every field, the timeline and the actions the status and the role allow, bulk claim, and
material downloads. Every read goes through the staff scope (selectors); every write through
commands.case_act, which the JSON API calls too."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from banhao.org.api import staff_required

from . import commands, disclosure, selectors, states
from .models import Case, Pause, Status, Warning

PAGE_SIZE = 30


def _case_or_404(request, number: str) -> Case:
    case = selectors.case_for_staff(request.scope, number)
    if case is None:
        raise Http404("未找到该办件。")
    return case


def _flag(value: str | None) -> bool:
    return value in {"1", "on", "true", "yes"}


@staff_required("cases.view")
def inbox(request):
    g = request.GET
    filters = {
        "status": g.get("status", ""),
        "warning": g.get("warning", ""),
        "mine": _flag(g.get("mine")),
        "unassigned": _flag(g.get("unassigned")),
        "q": g.get("q", "").strip()[:50],
        "number": g.get("number", "").strip()[:32],
    }
    qs = selectors.inbox(
        request.scope,
        request.user,
        status=filters["status"] or None,
        warning=filters["warning"] or None,
        mine=filters["mine"],
        unassigned=filters["unassigned"],
        q=filters["q"],
        number=filters["number"],
    )
    page = Paginator(qs, PAGE_SIZE).get_page(g.get("page"))
    today = timezone.localdate()
    rows = [
        {
            "case": c,
            "applicant": selectors.applicant_label(c),
            "step": selectors.current_step(c),
            "countdown": selectors.countdown(c, today),
        }
        for c in page.object_list
    ]
    kept = {k: v for k, v in g.items() if k != "page" and v}
    counts = selectors.status_counts(request.scope)
    open_total = sum(
        n for s, n in counts.items() if s in Status.values and s not in selectors.CLOSED_STATUSES
    )
    return render(
        request,
        "cases/office/inbox.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "query": urlencode(kept),
            "statuses": Status.choices,
            "warnings": Warning.choices,
            "status_counts": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
            "open_total": open_total,
            "red_total": counts.get("warning:red", 0),
            "yellow_total": counts.get("warning:yellow", 0),
            "can_claim": request.scope.can("cases.review"),
            "next": request.get_full_path(),
        },
    )


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


@require_POST
@staff_required("cases.review")
def bulk_claim(request):
    """认领所选: one POST claims every ticked case the user may take; the rest are reported."""
    numbers = [n for n in request.POST.getlist("numbers") if n][: PAGE_SIZE * 4]
    if not numbers:
        messages.error(request, "请先勾选要认领的办件。")
        return _back(request, reverse("cases_office:inbox"))
    done, failed = [], []
    cases = {c.number: c for c in selectors.cases_for_staff(request.scope).filter(number__in=numbers)}
    for number in numbers:
        case = cases.get(number)
        if case is None:
            failed.append(f"{number}（未找到）")
            continue
        try:
            commands.case_act(case.pk, "claim", request.user)
        except (ValidationError, PermissionDenied) as e:
            failed.append(f"{number}（{'；'.join(e.messages)}）")
        else:
            done.append(number)
    if done:
        messages.success(request, f"已认领{len(done)}件办件。")
    if failed:
        messages.error(request, f"{len(failed)}件未能认领：" + "；".join(failed))
    return _back(request, reverse("cases_office:inbox"))


def _event_rows(case: Case) -> list[dict]:
    rows = []
    for e in case.events.select_related("actor").order_by("at", "id"):
        rows.append(
            {
                "event": e,
                "label": states.ACTION_LABELS.get(e.action, e.action),
                "from": Status(e.from_status).label if e.from_status in Status.values else "",
                "to": Status(e.to_status).label if e.to_status in Status.values else "",
                "items": (e.data or {}).get("items") or [],
                "step": (e.data or {}).get("step", ""),
            }
        )
    return rows


def _correction_rows(case: Case) -> list[dict]:
    """Every material of the version (so the clerk ticks all defective ones in one notice)."""
    supplied = {m.name: m for m in case.materials.all()}
    rows = []
    for i, m in enumerate(case.version.materials or []):
        name = m.get("name", "")
        if not name:
            continue
        got = supplied.get(name)
        rows.append(
            {
                "index": i,
                "name": name,
                "required": m.get("required", False),
                "situation": m.get("situation", ""),
                "supplied": got,
            }
        )
    return rows


def _detail_context(request, case: Case) -> dict:
    offers = commands.case_offers(case.pk, request.user)
    return {
        "case": case,
        "countdown": selectors.countdown(case),
        "applicant": selectors.applicant_label(case),
        "step": selectors.current_step(case),
        "steps": case.version.steps or [],
        "form_rows": selectors.form_rows(case),
        "situation_rows": selectors.situation_rows(case),
        "materials": list(case.materials.all()),
        "events": _event_rows(case),
        "pauses": list(case.pauses.all()),
        "offers": offers,
        "correction_rows": _correction_rows(case) if "request_correction" in offers else [],
        "candidates": (
            list(selectors.assignee_candidates(case).select_related("staff")) if "assign" in offers else []
        ),
        "pause_kinds": Pause.Kind.choices,
        "delivery_methods": Case.Delivery.choices,
        "needs_head": selectors.requires_head_sign_off(case),
        "can_complete_step": "opinion" in offers and commands.step_completable(case.pk, request.user),
        "today": timezone.localdate(),
    }


@staff_required("cases.view")
def case_detail(request, number):
    case = _case_or_404(request, number)
    return render(request, "cases/office/case_detail.html", _detail_context(request, case))


@require_POST
@staff_required("cases.view")
def reveal_identifier(request, number):
    """The explicit, audited 查看完整证件号码: the full number appears on this response only (a
    reload of the case page shows the mask again), and the response is not cached."""
    case = _case_or_404(request, number)
    context = _detail_context(request, case)
    context["revealed_id"] = disclosure.case_identifier_reveal(
        case=case, actor=request.user, reason=request.POST.get("reason", "")
    )
    response = render(request, "cases/office/case_detail.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


def _correction_data(post, case: Case) -> dict:
    """The ticked materials of the form (by their place in the version's list), each with its
    reason, plus an optional material the list does not name."""
    names = [m.get("name", "") for m in case.version.materials or []]
    items = []
    for raw in post.getlist("material"):
        index = int(raw) if raw.isdigit() else -1
        if 0 <= index < len(names) and names[index]:
            items.append({"material": names[index], "reason": post.get(f"reason_{index}", "")})
    other = post.get("other_name", "").strip()
    if other:
        items.append({"material": other, "reason": post.get("other_reason", "")})
    return {"items": items, "note": post.get("note", "")}


@require_POST
@staff_required("cases.view")
def case_action(request, number):
    case = _case_or_404(request, number)
    action = request.POST.get("action", "")
    data = _correction_data(request.POST, case) if action == "request_correction" else request.POST.dict()
    spec = commands.ACTIONS.get(action)
    if spec is None or spec.side != commands.STAFF:
        messages.error(request, "未知的操作。")
        return redirect("cases_office:case_detail", number=case.number)
    try:
        info = commands.case_act(case.pk, action, request.user, **commands.details_from(data))
    except commands.CaseNotFound:
        raise Http404("未找到该办件。") from None
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, f"“{spec.label}”已完成，办件当前状态：{info.status_label}。")
    return redirect("cases_office:case_detail", number=case.number)


@staff_required("cases.view")
def material_download(request, number, pk):
    """Streams an uploaded material to staff who may see the case (404 otherwise)."""
    case = _case_or_404(request, number)
    material = case.materials.filter(pk=pk).first()
    if material is None or not material.file:
        raise Http404("未找到该材料文件。")
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404("材料文件已不存在。") from None
    filename = material.original_name or material.file.name.rsplit("/", 1)[-1]
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=material.content_type or None
    )
    response["Content-Disposition"] = (
        f"attachment; filename=\"material-{material.pk}\"; filename*=UTF-8''{quote(filename)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
