"""差评整改 pages (/evaluation/rectify/, namespace "rectify") and the rater's feedback page
(/rate/feedback/<id>/, namespace "rectify_feedback").

- The list and detail: a department's reviewers and head see their department's
  rectifications, a hall manager the window ratings of the hall, a supervisor the region's
  (read only). A record outside the scope is a 404. The detail shows the forms of the next
  allowed steps only (rectification_states.allowed_actions).
- The appeal form (the unit), the appeal review list and decision (the supervisor), the
  supervisor's overview with 实名差评按期整改率 (target 100%).
- The rater's page: their login, or the signed link of the feedback SMS.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from banhao.cases import api as cases_api
from banhao.core.masking import mask_phone
from banhao.org import api as org_api
from banhao.org.api import staff_required

from . import appeals as appeal_services
from . import rectification as rs
from . import rectification_states as states
from .models import BAD_REASONS, Appeal, AppealEvidence, Level, Rating, Rectification

S = Rectification.Status
PAGE_SIZE = 30


def staff_any(*permissions):
    """Like org.api.staff_required, for pages two kinds of staff share (the unit and the
    supervisor): any one of ``permissions`` will do; request.scope is set."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            scope = org_api.scope_for_user(request.user)
            if scope is None or not any(scope.can(p) for p in permissions):
                raise PermissionDenied("您的角色无权访问此页面。")
            request.scope = scope
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


shared = staff_any("evaluation.rectify", "evaluation.supervise")


def _rect_or_404(request, pk: int) -> Rectification:
    rect = rs.rectifications_in_scope(request.scope).filter(pk=pk).first()
    if rect is None:
        raise Http404("未找到该差评整改。")
    return rect


countdown = rs.rectification_countdown  # (shared with the supervisor's workbench)


def _unit_name(rect: Rectification, cache: dict) -> str:
    key = ("d", rect.department_id) if rect.department_id else ("h", rect.hall_id)
    if key not in cache:
        if rect.department_id:
            info = org_api.department_info(rect.department_id)
        elif rect.hall_id:
            info = org_api.hall_info(rect.hall_id, windows=False)
        else:
            info = None
        cache[key] = info.name if info else "—"
    return cache[key]


def _case_facts(rating: Rating):
    return cases_api.case_rating_facts(rating.case_id) if rating.case_id else None


# --- the list ---------------------------------------------------------------------------------


@shared
def rect_list(request):
    """GET /evaluation/rectify/ — the rectifications of the scope, overdue first, with filters."""
    g = request.GET
    filters = {
        "status": g.get("status", "").strip()[:12],
        "due": g.get("due", "").strip()[:10],
        "unit": g.get("unit", "").strip()[:12],
    }
    today = timezone.localdate()
    qs = rs.rectifications_in_scope(request.scope)
    unit = filters["unit"]
    if unit[:1] == "d" and unit[1:].isdigit():
        qs = qs.filter(department_id=int(unit[1:]))
    elif unit[:1] == "h" and unit[1:].isdigit():
        qs = qs.filter(hall_id=int(unit[1:]))
    if filters["status"] == "all":
        pass
    elif filters["status"] in S.values:
        qs = qs.filter(status=filters["status"])
    else:
        qs = qs.exclude(status=S.CLOSED)
    if filters["due"] == "overdue":
        qs = qs.filter(due_on__lt=today, status__in=rs.OPEN_WORK)
    elif filters["due"] == "soon":
        from banhao.core.calendar import add_workdays

        qs = qs.filter(
            due_on__gte=today, due_on__lte=add_workdays(today, rs.remind_days()), status__in=rs.OPEN_WORK
        )
    page = Paginator(qs.order_by("due_on", "id"), PAGE_SIZE).get_page(g.get("page"))
    cache: dict = {}
    rows = []
    for rect in page.object_list:
        facts = _case_facts(rect.rating)
        rows.append(
            {
                "rect": rect,
                "cd": countdown(rect, today),
                "unit": _unit_name(rect, cache),
                "case": facts,
                "level": Level(rect.rating.level).label,
            }
        )
    base = rs.rectifications_in_scope(request.scope)
    units = _units_of(base, cache) if request.scope.can("evaluation.supervise") else []
    kept = {k: v for k, v in g.items() if k != "page" and v}
    return render(
        request,
        "evaluation/rectify/list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "statuses": S.choices,
            "overdue_total": base.filter(due_on__lt=today, status__in=rs.OPEN_WORK).count(),
            "open_total": base.exclude(status=S.CLOSED).count(),
            "query": urlencode(kept),
            "is_supervisor": request.scope.can("evaluation.supervise"),
            "units": units,
        },
    )


def _unit_key(rect: Rectification) -> str:
    return f"d{rect.department_id}" if rect.department_id else f"h{rect.hall_id}"


def _units_of(qs, cache: dict) -> list[tuple[str, str]]:
    """(filter key, name) of the units that have rectifications in ``qs``, for the filter."""
    seen: dict[str, str] = {}
    for dept_id, hall_id in (
        qs.select_related(None).order_by().values_list("department_id", "hall_id").distinct()
    ):
        probe = Rectification(department_id=dept_id, hall_id=hall_id)
        seen.setdefault(_unit_key(probe), _unit_name(probe, cache))
    return sorted(seen.items(), key=lambda kv: kv[1])


# --- the detail and its steps -----------------------------------------------------------------

FORMS = ("call", "callback", "unreachable", "verify", "measures", "feedback")


def _forms_for(rect: Rectification, scope) -> list[str]:
    if not scope.can("evaluation.rectify"):
        return []
    allowed = states.allowed_actions(rect)
    shown = [a for a in ("callback", "call", "verify", "measures", "feedback") if a in allowed]
    if "callback" in allowed and rs.failed_calls(rect) >= rs.callback_tries():
        shown.insert(shown.index("call") + 1, "unreachable")
    return shown


def _rating_view(rating: Rating) -> dict:
    window = org_api.window_info(rating.window_id, departments=False) if rating.window_id else None
    return {
        "rating": rating,
        "level": Level(rating.level).label,
        "reasons": [BAD_REASONS.get(r, r) for r in rating.reasons],
        "phone": mask_phone(rating.rater_phone),
        "window": window.label if window else "",
        "case": _case_facts(rating),
    }


def _detail_context(request, rect: Rectification, **extra) -> dict:
    status_labels = dict(S.choices)
    events = [
        {
            "e": e,
            "label": states.ACTION_LABELS.get(e.action, e.action),
            "from": status_labels.get(e.from_status, ""),
            "to": status_labels.get(e.to_status, ""),
            "moved": e.from_status != e.to_status,
        }
        for e in rect.events.all()
    ]
    can_rectify = request.scope.can("evaluation.rectify")
    open_appeal = appeal_services.appeal_open_for(rect)
    rerate = Rating.objects.filter(rerate_of_id=rect.rating_id).first()
    return {
        "rect": rect,
        "cd": countdown(rect),
        "unit": _unit_name(rect, {}),
        "case": _case_facts(rect.rating),
        **_rating_view(rect.rating),
        "rerate": rerate,
        "rerate_level": Level(rerate.level).label if rerate else "",
        "events": events,
        "calls": list(rect.calls.all()),
        "failed": rs.failed_calls(rect),
        "tries": rs.callback_tries(),
        "forms": _forms_for(rect, request.scope),
        "can_appeal": can_rectify and "appeal" in states.allowed_actions(rect) and open_appeal is None,
        "open_appeal": open_appeal,
        "appeals": list(rect.appeals.all()),
        "is_supervisor": request.scope.can("evaluation.supervise"),
        "now": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "posted": {},
        **extra,
    }


@shared
def rect_detail(request, pk: int):
    """GET /evaluation/rectify/<pk>/ — the rating, the timeline, the next steps' forms."""
    rect = _rect_or_404(request, pk)
    return render(request, "evaluation/rectify/detail.html", _detail_context(request, rect))


def _called_at(value: str):
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError({"called_at": "回访时间格式不正确。"}) from None


def _run_step(action: str, user, rect: Rectification, post) -> str:
    if action == "call":
        rs.rectification_call(
            actor=user,
            rectification=rect,
            called_at=_called_at(post.get("called_at")),
            summary=post.get("summary", ""),
        )
        return "已记录本次未联系上的回访。"
    if action == "callback":
        rs.rectification_callback(
            actor=user,
            rectification=rect,
            called_at=_called_at(post.get("called_at")),
            answered_by=post.get("answered_by", ""),
            summary=post.get("summary", ""),
        )
        return "已记录回访，请核实差评情况。"
    if action == "unreachable":
        rs.rectification_unreachable(actor=user, rectification=rect, note=post.get("note", ""))
        return "已按“无法联系”完成回访。"
    if action == "verify":
        value = post.get("substantiated", "")
        rs.rectification_verify(
            actor=user,
            rectification=rect,
            substantiated={"yes": True, "no": False}.get(value),
            note=post.get("note", ""),
        )
        return "已记录核实结论。"
    if action == "measures":
        rs.rectification_measures(actor=user, rectification=rect, measures=post.get("measures", ""))
        return "已记录整改措施，请向评价人反馈。"
    if action == "feedback":
        rs.rectification_feedback(actor=user, rectification=rect, feedback=post.get("feedback", ""))
        return "已向评价人反馈（站内消息和短信），评价人可追评。"
    raise ValidationError("未知的操作。")


@require_POST
@staff_required("evaluation.rectify")
def rect_act(request, pk: int):
    """POST /evaluation/rectify/<pk>/act/ — one step. The form carries the status it was shown
    with: a second submission (a double click, another window) changes nothing and says so."""
    rect = _rect_or_404(request, pk)
    action = request.POST.get("action", "")
    shown = request.POST.get("status", "")
    if action not in FORMS:
        messages.error(request, "未知的操作。")
        return redirect("rectify:detail", pk=rect.pk)
    if shown and shown != rect.status and action != "call":
        messages.error(
            request, f"该差评整改已变为“{rect.get_status_display()}”，本次提交未处理，请核对后再操作。"
        )
        return redirect("rectify:detail", pk=rect.pk)
    try:
        done = _run_step(action, request.user, rect, request.POST)
    except ValidationError as e:
        errors = e.message_dict if hasattr(e, "error_dict") else {"__all__": e.messages}
        context = _detail_context(
            request,
            rect,
            error="；".join(m for ms in errors.values() for m in ms),
            failed_action=action,
            posted={
                k: request.POST.get(k, "")[:2000]
                for k in ("answered_by", "summary", "note", "measures", "feedback", "called_at")
            },
        )
        return render(request, "evaluation/rectify/detail.html", context, status=400)
    messages.success(request, done)
    return redirect("rectify:detail", pk=rect.pk)


# --- appeals ----------------------------------------------------------------------------------------


@staff_required("evaluation.rectify")
def appeal_new(request, pk: int):
    """GET/POST /evaluation/rectify/<pk>/appeal/ — 申诉 a rating as malicious or mistaken."""
    rect = _rect_or_404(request, pk)
    context = {
        "rect": rect,
        **_rating_view(rect.rating),
        "kinds": Appeal.Kind.choices,
        "max_files": appeal_services.evidence_max_files(),
        "max_mb": appeal_services.evidence_max_bytes() // (1024 * 1024),
        "posted": {},
    }
    if appeal_services.appeal_open_for(rect) is not None or "appeal" not in states.allowed_actions(rect):
        messages.error(request, "该差评整改当前不能申诉（已有待复核的申诉或已办结）。")
        return redirect("rectify:detail", pk=rect.pk)
    if request.method == "POST":
        try:
            appeal_services.appeal_file(
                actor=request.user,
                rectification=rect,
                kind=request.POST.get("kind", ""),
                reason=request.POST.get("reason", ""),
                files=request.FILES.getlist("evidence"),
            )
        except ValidationError as e:
            errors = e.message_dict if hasattr(e, "error_dict") else {"__all__": e.messages}
            context.update(
                errors=errors,
                posted={
                    "kind": request.POST.get("kind", ""),
                    "reason": request.POST.get("reason", "")[:2000],
                },
            )
            return render(request, "evaluation/rectify/appeal_form.html", context, status=400)
        messages.success(request, "申诉已提交，等待督查人员复核。复核期间整改期限照常计算。")
        return redirect("rectify:detail", pk=rect.pk)
    return render(request, "evaluation/rectify/appeal_form.html", context)


@staff_required("evaluation.supervise")
def appeal_list(request):
    """GET /evaluation/rectify/appeals/ — the region's appeals, pending first."""
    status = request.GET.get("status", "pending").strip()[:10]
    qs = appeal_services.appeals_in_scope(request.scope)
    if status in Appeal.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("filed_at", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    cache: dict = {}
    rows = [
        {"a": a, "unit": _unit_name(a.rectification, cache), "cd": countdown(a.rectification)}
        for a in page.object_list
    ]
    return render(
        request,
        "evaluation/rectify/appeals.html",
        {"page": page, "rows": rows, "status": status, "statuses": Appeal.Status.choices},
    )


def _appeal_or_404(request, pk: int) -> Appeal:
    appeal = appeal_services.appeals_in_scope(request.scope).filter(pk=pk).first()
    if appeal is None:
        raise Http404("未找到该申诉。")
    return appeal


@staff_required("evaluation.supervise")
def appeal_detail(request, pk: int):
    """GET/POST /evaluation/rectify/appeals/<pk>/ — the appeal with its evidence; the decision."""
    appeal = _appeal_or_404(request, pk)
    context = {
        "a": appeal,
        "rect": appeal.rectification,
        "unit": _unit_name(appeal.rectification, {}),
        **_rating_view(appeal.rating),
        "evidence": list(appeal.evidence.all()),
        "posted": {},
    }
    if request.method == "POST":
        try:
            appeal_services.appeal_decide(
                actor=request.user,
                appeal=appeal,
                upheld={"upheld": True, "rejected": False}.get(request.POST.get("decision", "")),
                opinion=request.POST.get("opinion", ""),
            )
        except ValidationError as e:
            errors = e.message_dict if hasattr(e, "error_dict") else {"__all__": e.messages}
            context.update(errors=errors, posted={"opinion": request.POST.get("opinion", "")[:2000]})
            return render(request, "evaluation/rectify/appeal_detail.html", context, status=400)
        appeal.refresh_from_db()
        messages.success(request, f"复核结论已记录：{appeal.get_status_display()}。")
        return redirect("rectify:appeal_detail", pk=appeal.pk)
    return render(request, "evaluation/rectify/appeal_detail.html", context)


@shared
def evidence_file(request, pk: int):
    """GET /evaluation/rectify/appeals/evidence/<pk>/ — an evidence file, for whoever may see
    the rectification it belongs to (the unit, the region's supervisors)."""
    ev = AppealEvidence.objects.select_related("appeal").filter(pk=pk).first()
    if (
        ev is None
        or not rs.rectifications_in_scope(request.scope).filter(pk=ev.appeal.rectification_id).exists()
    ):
        raise Http404("未找到该材料。")
    response = FileResponse(
        ev.file.open("rb"), content_type=ev.content_type, as_attachment=True, filename=ev.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the supervisor's overview --------------------------------------------------------------------------


@staff_required("evaluation.supervise")
def overview(request):
    """GET /evaluation/rectify/overview/ — 实名差评按期整改率 across the region (target 100%), per
    unit: open, overdue, on time / due; the pending appeals."""
    today = timezone.localdate()
    qs = rs.rectifications_in_scope(request.scope)
    total = rs.on_time_figure(qs, today)
    cache: dict = {}
    units: dict = {}
    for rect in qs.select_related(None).only("id", "department_id", "hall_id", "status", "due_on", "on_time"):
        key = _unit_key(rect)
        units.setdefault(key, {"name": _unit_name(rect, cache), "ids": []})["ids"].append(rect.pk)
    rows = []
    for key, u in units.items():
        sub = Rectification.objects.filter(pk__in=u["ids"])
        fig = rs.on_time_figure(sub, today)
        rows.append(
            {
                "name": u["name"],
                "key": key,
                "kind": "部门" if key[0] == "d" else "大厅",
                "open": sub.exclude(status=S.CLOSED).count(),
                "overdue": sub.filter(due_on__lt=today, status__in=rs.OPEN_WORK).count(),
                "fig": fig,
            }
        )
    rows.sort(key=lambda r: (r["fig"]["rate"] if r["fig"]["rate"] is not None else 101, r["name"]))
    return render(
        request,
        "evaluation/rectify/overview.html",
        {
            "total": total,
            "rows": rows,
            "pending_appeals": appeal_services.appeals_in_scope(request.scope)
            .filter(status=Appeal.Status.PENDING)
            .count(),
            "overdue_total": qs.filter(due_on__lt=today, status__in=rs.OPEN_WORK).count(),
            "open_total": qs.exclude(status=S.CLOSED).count(),
        },
    )


# --- the rater's page -----------------------------------------------------------------------------------


def feedback_page(request, pk: int):
    """GET/POST /rate/feedback/<pk>/ — the rater sees the rating, the measures and the feedback,
    and may re-rate once (the login of the applicant who rated, or ?t= from the SMS)."""
    token = request.POST.get("t") or request.GET.get("t") or ""
    rect = Rectification.objects.select_related("rating").filter(pk=pk).first()
    if rect is None:
        raise Http404("未找到该评价的整改反馈。")
    if not rs.rater_may_see(rect, user=request.user, token=token):
        if not token and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404("未找到该评价的整改反馈。")
    rating = rect.rating
    rerate = Rating.objects.filter(rerate_of=rating).first()
    shown = rect.status in (S.FED_BACK, S.CLOSED) and bool(rect.feedback)
    context = {
        "rect": rect,
        "rating": rating,
        "level": Level(rating.level).label,
        "reasons_shown": [BAD_REASONS.get(r, r) for r in rating.reasons],
        "shown": shown,
        "rerate": rerate,
        "rerate_level": Level(rerate.level).label if rerate else "",
        "can_rerate": rect.status == S.FED_BACK and rerate is None,
        "levels": Level.choices,
        "bad_levels": [int(x) for x in (Level.DISSATISFIED, Level.VERY_DISSATISFIED)],
        "reasons": BAD_REASONS.items(),
        "token": token,
        "posted": {},
    }
    if request.method == "POST":
        try:
            rs.rating_rerate(
                rectification=rect,
                user=request.user,
                token=token,
                level=request.POST.get("level"),
                reasons=request.POST.getlist("reasons"),
                comment=request.POST.get("comment", ""),
            )
        except (ValidationError, PermissionDenied) as e:
            errors = (
                e.message_dict
                if getattr(e, "error_dict", None)
                else {"__all__": getattr(e, "messages", [str(e)])}
            )
            context.update(
                errors=errors,
                posted={
                    "level": request.POST.get("level", ""),
                    "reasons": request.POST.getlist("reasons"),
                    "comment": request.POST.get("comment", "")[:500],
                },
            )
            return render(request, "evaluation/rectify/feedback.html", context, status=400)
        messages.success(request, "感谢您的追评，我们已收到。")
        url = request.path + (f"?{urlencode({'t': token})}" if token else "")
        return redirect(url)
    return render(request, "evaluation/rectify/feedback.html", context)
