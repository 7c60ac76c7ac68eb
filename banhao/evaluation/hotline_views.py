"""12345 pages (/hotline/…): the callback work list and the scripted callback, the hotline
desk's tickets (dispatch, call back, close, send back), the department's tickets (sign, return,
ask for an extension, answer), and the per-unit figures.

Every page reads through the staff scope (region, and for the department roles their
department); a record outside it is a 404. Phones are masked; a role with hotline.reveal may
show a whole number with an explicit POST, audited each time, on that response only.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from banhao.cases import api as cases_api
from banhao.core.masking import mask_phone
from banhao.org.api import department_choices, staff_required

from . import callbacks, tickets
from .api import callback_unit_figures, hotline_unit_metrics
from .models import BAD_LEVELS, BAD_REASONS, Level
from .models_hotline import Callback, CallbackAttempt, HotlineTicket

PAGE_SIZE = 30
# the answer clock has stopped (it runs from receipt until the department answers)
ANSWERED = (HotlineTicket.Status.ANSWERED, HotlineTicket.Status.CALLED_BACK, HotlineTicket.Status.CLOSED)


def _errors(e: ValidationError) -> dict[str, list[str]]:
    if hasattr(e, "error_dict"):
        errors = {k: [str(m) for v in vs for m in v.messages] for k, vs in e.error_dict.items()}
        if "__all__" in errors:
            errors["general"] = errors.pop("__all__")
        return errors
    return {"general": list(e.messages)}


def _countdown(due: dt.date | None, done: bool) -> dict:
    if done:
        return {"text": "", "level": ""}
    text, level = tickets.ticket_countdown(due)
    return {"text": text, "level": level}


# --- callbacks ----------------------------------------------------------------------------------


@staff_required("hotline.callback")
def callback_list(request):
    """GET /hotline/callbacks/ — the callbacks to make (default: pending, most urgent first)."""
    status = request.GET.get("status", "pending")
    qs = callbacks.callbacks_for_scope(request.scope).select_related("department")
    if status in Callback.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("due_on", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "c": c,
            "phone": mask_phone(c.phone),
            "countdown": _countdown(c.due_on, c.status != Callback.Status.PENDING),
        }
        for c in page
    ]
    return render(
        request,
        "evaluation/hotline/callbacks.html",
        {
            "rows": rows,
            "page": page,
            "status": status,
            "statuses": Callback.Status.choices,
            "max_tries": callbacks.max_tries(),
        },
    )


def _callback_or_404(request, pk: int) -> Callback:
    c = callbacks.callbacks_for_scope(request.scope).select_related("department").filter(pk=pk).first()
    if c is None:
        raise Http404("未找到该回访任务。")
    return c


def _callback_context(request, c: Callback, **extra) -> dict:
    form = extra.get("form") or {}
    info = cases_api.case_info(c.case_id)
    case_status = info.status_label if info else ""
    return {
        "c": c,
        "case_status": case_status,
        "qrows": [(q, form.get(q.key, "")) for q in callbacks.QUESTIONNAIRE],
        "phone": mask_phone(c.phone),
        "questions": callbacks.QUESTIONNAIRE,
        "score_max": callbacks.SCORE_MAX,
        "outcomes": CallbackAttempt.Outcome.choices,
        "attempts": list(c.attempts.all()),
        "reasons": list(BAD_REASONS.items()),
        "bad_levels": [int(v) for v in BAD_LEVELS],
        "can_reveal": request.scope.can("hotline.reveal"),
        "countdown": _countdown(c.due_on, c.status != Callback.Status.PENDING),
        "max_tries": callbacks.max_tries(),
        "answer_labels": _answer_labels(c),
        "form": {},
        "errors": {},
        **extra,
    }


def _answer_labels(c: Callback) -> list[tuple[str, str, int | None]]:
    rows = []
    for q in callbacks.QUESTIONNAIRE:
        option = q.option(str(c.answers.get(q.key, "")))
        if option:
            rows.append((q.text, option[1], c.scores.get(q.key)))
    return rows


@staff_required("hotline.callback")
def callback_detail(request, pk: int):
    """GET: the case, the script and the form. POST: one call's outcome (and the answers)."""
    c = _callback_or_404(request, pk)
    if request.method != "POST":
        return render(request, "evaluation/hotline/callback.html", _callback_context(request, c))
    post = request.POST
    answers = {q.key: post.get(q.key, "") for q in callbacks.QUESTIONNAIRE}
    answers["extra_note"] = post.get("extra_note", "")
    try:
        done = callbacks.callback_record(
            callback_id=c.pk,
            actor=request.user,
            outcome=post.get("outcome", ""),
            note=post.get("note", ""),
            answers=answers,
            reasons=post.getlist("reasons"),
            comment=post.get("comment", ""),
        )
    except (ValidationError, PermissionDenied) as e:
        errors = _errors(e) if isinstance(e, ValidationError) else {"general": [str(e)]}
        context = _callback_context(request, c, form=post, errors=errors)
        return render(request, "evaluation/hotline/callback.html", context, status=400)
    if done.status == Callback.Status.PENDING:
        messages.info(
            request, f"已记录第{done.tries}次拨打，未接通；满{callbacks.max_tries()}次未接通按无法联系结束。"
        )
    elif done.rehandled:
        messages.warning(request, f"回访完成（{done.score}分）。申请人不满意，办件已退回承办部门重办。")
    else:
        messages.success(
            request,
            f"回访已完成：{done.get_status_display()}"
            + (f"，{done.score}分。" if done.score is not None else "。"),
        )
    return redirect("hotline:callbacks")


@require_POST
@staff_required("hotline.reveal")
def callback_phone(request, pk: int):
    """POST — the whole number, audited, on this response only (not cached)."""
    c = _callback_or_404(request, pk)
    full = callbacks.callback_phone_reveal(
        callback=c, actor=request.user, reason=request.POST.get("reason", "")
    )
    response = render(
        request, "evaluation/hotline/callback.html", _callback_context(request, c, phone=full, revealed=True)
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- tickets -------------------------------------------------------------------------------------


def _ticket_rows(qs):
    return [
        {
            "t": t,
            "phone": mask_phone(t.caller_phone),
            "sign": _countdown(t.sign_due, t.status != HotlineTicket.Status.DISPATCHED),
            "answer": _countdown(t.answer_due, t.status in ANSWERED),
        }
        for t in qs
    ]


def _ticket_list(request, *, department: bool):
    status = request.GET.get("status", "")
    qs = tickets.tickets_for_scope(request.scope)
    if department:
        qs = qs.filter(department_id=request.scope.department_id)
    if status in HotlineTicket.Status.values:
        qs = qs.filter(status=status)
    elif department:
        qs = qs.filter(status__in=[HotlineTicket.Status.DISPATCHED, HotlineTicket.Status.SIGNED])
    else:
        qs = qs.exclude(status=HotlineTicket.Status.CLOSED)
    q = request.GET.get("q", "").strip()[:60]
    if q:
        qs = qs.filter(number__contains=q) | qs.filter(title__contains=q)
    page = Paginator(qs.order_by("answer_due", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/hotline/tickets.html",
        {
            "rows": _ticket_rows(page),
            "page": page,
            "status": status,
            "q": q,
            "statuses": HotlineTicket.Status.choices,
            "department_view": department,
        },
    )


@staff_required("hotline.tickets")
def ticket_list(request):
    """GET /hotline/tickets/ — the hotline desk's tickets (default: every one not closed)."""
    return _ticket_list(request, department=False)


@staff_required("hotline.handle")
def department_tickets(request):
    """GET /hotline/department/ — the tickets dispatched to the user's department."""
    if request.scope.department_id is None:
        raise PermissionDenied("您的账户未关联承办单位。")
    return _ticket_list(request, department=True)


def _ticket_or_404(request, pk: int) -> HotlineTicket:
    t = tickets.tickets_for_scope(request.scope).filter(pk=pk).first()
    if t is None:
        raise Http404("未找到该工单。")
    return t


def _ticket_context(request, t: HotlineTicket, **extra) -> dict:
    scope = request.scope
    allowed = set(tickets.allowed_actions(t.status))
    desk = scope.can("hotline.tickets")
    mine = scope.can("hotline.handle") and scope.department_id == t.department_id
    offers = {
        a
        for a in allowed
        if (a in tickets.HOTLINE_ACTIONS and desk) or (a in tickets.DEPARTMENT_ACTIONS and mine)
    }
    if (
        "rehandle" in offers
        and t.callback_outcome == "reached"
        and t.resolved
        and (t.level or 0) >= Level.BASIC
    ):
        offers.discard("rehandle")
    return {
        "t": t,
        "phone": mask_phone(t.caller_phone),
        "events": list(t.events.select_related("department")),
        "offers": offers,
        "departments": department_choices(scope.region_ids) if "dispatch" in offers else [],
        "levels": Level.choices,
        "can_reveal": scope.can("hotline.reveal"),
        "perms_desk": desk,
        "can_register_complaint": scope.can("complaints.register"),
        "sign": _countdown(t.sign_due, t.status != HotlineTicket.Status.DISPATCHED),
        "answer_cd": _countdown(t.answer_due, t.status in ANSWERED),
        "labels": tickets.ACTION_LABELS,
        "extension_days": tickets._days("BANHAO_HOTLINE_EXTENSION_DAYS", 5),
        "errors": {},
        "form": {},
        **extra,
    }


def _ticket_perm(request) -> None:
    if not (request.scope.can("hotline.tickets") or request.scope.can("hotline.handle")):
        raise PermissionDenied("您的角色无权访问此页面。")


@staff_required("org.view")
def ticket_detail(request, pk: int):
    """GET /hotline/tickets/<id>/ — the ticket, its steps and the forms the actor may use."""
    _ticket_perm(request)
    t = _ticket_or_404(request, pk)
    return render(request, "evaluation/hotline/ticket.html", _ticket_context(request, t))


@require_POST
@staff_required("org.view")
def ticket_action(request, pk: int):
    """POST /hotline/tickets/<id>/act/ — one step (tickets.ticket_act checks who and when)."""
    _ticket_perm(request)
    t = _ticket_or_404(request, pk)
    action = request.POST.get("action", "")
    data = {k: v for k, v in request.POST.items() if k not in ("action", "csrfmiddlewaretoken")}
    try:
        done = tickets.ticket_act(t.pk, action, request.user, **data)
    except ValidationError as e:
        t.refresh_from_db()
        context = _ticket_context(request, t, errors=_errors(e), form=request.POST, failed=action)
        return render(request, "evaluation/hotline/ticket.html", context, status=400)
    messages.success(
        request,
        f"已{tickets.ACTION_LABELS.get(action, action)}：{done.number}（{done.get_status_display()}）。",
    )
    return redirect("hotline:ticket", pk=done.pk)


@require_POST
@staff_required("hotline.reveal")
def ticket_phone(request, pk: int):
    t = _ticket_or_404(request, pk)
    full = tickets.ticket_phone_reveal(ticket=t, actor=request.user, reason=request.POST.get("reason", ""))
    response = render(
        request, "evaluation/hotline/ticket.html", _ticket_context(request, t, phone=full, revealed=True)
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- the per-unit figures ---------------------------------------------------------------------------


@staff_required("hotline.metrics")
def metrics(request):
    """GET /hotline/metrics/?month=YYYY-MM — the 12345 figures per department (the scope's)."""
    month = request.GET.get("month", "").strip()[:7] or timezone.localdate().strftime("%Y-%m")
    error = ""
    own = request.scope.department_id if request.scope.role in ("reviewer", "department_head") else None
    try:
        rows = hotline_unit_metrics(month, region_ids=request.scope.region_ids, department_id=own)
        callback_rows = callback_unit_figures(month, region_ids=request.scope.region_ids, department_id=own)
    except ValidationError as e:
        rows, callback_rows = [], []
        error = _errors(e).get("month", ["月份格式应为 YYYY-MM。"])[0]
    return render(
        request,
        "evaluation/hotline/metrics.html",
        {"rows": rows, "callback_rows": callback_rows, "month": month, "error": error},
        status=400 if error else 200,
    )
