"""The applicant's side of a case: 我的办件, a case's timeline, its notices as PDF, withdrawal,
and the public status lookup (办件查询) by case number and phone.

Who sees a case: the account that applied (``applicant_user``) and staff whose role may read
cases (``cases.view``) and whose scope covers the case's region and department
(``selectors.case_visible_to``). Anyone else gets the same 404 as for a number that does
not exist, so a case number reveals nothing. The public lookup shows no personal data:
the status, the item, the department, the dates, and the applicant's name masked (王*).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from banhao.core import pdf
from banhao.licences import api as licences_api
from banhao.org.api import scope_for_user

from . import commands, documents, selectors, services, states
from .messages import next_step_for_applicant
from .models import Case, Pause, Status

PDF_CACHE_SECONDS = 600

# Events whose note is the office's internal working (a reviewer's opinion, who got the file):
# the applicant sees that the step happened, not the note.
INTERNAL_NOTES = {"opinion", "assign", "claim", "step", "escalate", "warning"}

STATUS_TONE = {
    Status.CORRECTION: "warn",
    Status.SUSPENDED: "warn",
    Status.REFUSED: "danger",
    Status.DENIED: "danger",
    Status.APPROVED: "ok",
    Status.RESULT_READY: "ok",
    Status.DELIVERED: "ok",
    Status.CONCLUDED: "ok",
    Status.WITHDRAWN: "muted",
}


# --- who may see a case ---------------------------------------------------------------------


def _case_for(request, number: str) -> tuple[Case | None, bool]:
    """(case, is_owner) when the user may see the case (selectors.case_visible_to), else
    (None, False)."""
    case = selectors.case_visible_to(request.user, number)
    if case is None:
        return None, False
    return case, selectors.is_owner(case, request.user)


def _tone(status: str) -> str:
    return STATUS_TONE.get(status, "")


def _can_withdraw(case: Case, is_owner: bool) -> bool:
    return is_owner and "withdraw" in states.allowed_actions(case.status)


# --- 我的办件 ---------------------------------------------------------------------------------


@login_required
def mine(request):
    """GET /cases/mine/ — the account's own cases, newest first, with what to do next."""
    qs = (
        Case.objects.filter(applicant_user=request.user)
        .select_related("version", "department")
        .order_by("-submitted_at", "-id")
    )
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    rows = [
        {"case": c, "next_step": next_step_for_applicant(c), "tone": _tone(c.status)}
        for c in page.object_list
    ]
    return render(
        request,
        "cases/mine.html",
        {"page": page, "rows": rows, "is_staff_account": scope_for_user(request.user) is not None},
    )


# --- one case ---------------------------------------------------------------------------------


def _timeline(case: Case) -> list[dict]:
    rows = []
    pause_kinds = dict(Pause.Kind.choices)
    for e in case.events.all().order_by("at", "id"):
        data = e.data or {}
        details = []
        if e.action == "request_correction":
            details = [
                f"{i['material']}：{i.get('reason', '')}" for i in data.get("items", []) if i.get("material")
            ]
        elif e.action == "suspend" and data.get("kind"):
            days = data.get("expected_days")
            details = [f"{pause_kinds.get(data['kind'], data['kind'])}，预计{days}个工作日"]
        elif e.action in ("accept", "resume") and data.get("promised_due"):
            details = [f"承诺办结日期：{documents.cn_date(dt.date.fromisoformat(data['promised_due']))}"]
        rows.append(
            {
                "at": e.at,
                "label": states.ACTION_LABELS.get(e.action, e.action),
                "to_status": Status(e.to_status).label if e.to_status in Status.values else "",
                "note": "" if e.action in INTERNAL_NOTES else e.note,
                "details": details,
            }
        )
    return rows


def detail(request, number: str):
    """GET /cases/<number>/ — the case's timeline, status, dates, notices and withdrawal."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    case, is_owner = _case_for(request, number)
    if case is None:
        raise Http404("办件不存在")
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "is_owner": is_owner,
            "tone": _tone(case.status),
            "next_step": next_step_for_applicant(case),
            "timeline": _timeline(case),
            "notices": documents.available_notices(case),
            "can_withdraw": _can_withdraw(case, is_owner),
            "pauses": list(case.pauses.all()),
            "licences": licences_api.licences_for_case(case.pk),
        },
    )


@require_POST
def withdraw(request, number: str):
    """POST /cases/<number>/withdraw/ — the applicant withdraws (before a decision)."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("cases:detail", args=[number]))
    case, is_owner = _case_for(request, number)
    if case is None or not is_owner:
        raise Http404("办件不存在")
    if request.POST.get("confirm") != "1":
        messages.error(request, "请勾选“我确认撤回本申请”后再提交。")
        return redirect("cases:detail", number=case.number)
    if not _can_withdraw(case, is_owner):
        messages.error(request, f"办件当前状态为“{case.get_status_display()}”，不能撤回。")
        return redirect("cases:detail", number=case.number)
    reason = (request.POST.get("reason") or "").strip()[:500]
    try:
        commands.case_act(case.pk, "withdraw", request.user, reason=reason)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    except commands.CaseNotFound:
        raise Http404("办件不存在") from None
    else:
        messages.success(request, "您的申请已撤回。")
    return redirect("cases:detail", number=case.number)


# --- notices as PDF -----------------------------------------------------------------------------


def _pdf_cache_key(case: Case, kind: str, base_url: str) -> str:
    marks = case.events.aggregate(last=Max("id"))["last"]
    pauses = list(case.pauses.values_list("id", "ended_on"))
    raw = f"{case.pk}|{kind}|{case.updated_at.isoformat()}|{marks}|{pauses}|{base_url}"
    return "case-notice-pdf:" + hashlib.sha256(raw.encode()).hexdigest()


def notice_pdf(request, number: str, kind: str):
    """GET /cases/<number>/notice/<kind>.pdf — a notice the office issued on the case."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    case, _ = _case_for(request, number)
    if case is None:
        raise Http404("办件不存在")
    if kind not in documents.KINDS:
        return render(request, "cases/notice_missing.html", {"case": case, "kind_title": ""}, status=404)
    try:
        notice = documents.notice_for(case, kind)
    except documents.NoticeNotApplicable:
        return render(
            request,
            "cases/notice_missing.html",
            {"case": case, "kind_title": documents.KINDS[kind]},
            status=404,
        )
    try:
        pdf.check_available()
    except pdf.PdfUnavailable as exc:
        return render(
            request, "cases/notice_unavailable.html", {"case": case, "reason": str(exc)}, status=503
        )
    base_url = request.build_absolute_uri("/")
    key = _pdf_cache_key(case, kind, base_url)
    body = cache.get(key)
    if body is None:
        try:
            body = documents.render_notice(case, kind, base_url=base_url)
        except pdf.PdfUnavailable as exc:
            return render(
                request, "cases/notice_unavailable.html", {"case": case, "reason": str(exc)}, status=503
            )
        cache.set(key, body, PDF_CACHE_SECONDS)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{notice.title}-{case.number}.pdf")
    return response


# --- the public lookup (办件查询) --------------------------------------------------------------


class LookupForm(forms.Form):
    number = forms.CharField(
        label="办件编号",
        max_length=32,
        help_text="受理通知书或短信中的办件编号，如 371302-20260213-00001",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label="手机号码",
        max_length=20,
        help_text="申请时预留的联系电话",
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


def mask_name(name: str) -> str:
    """王芳 → 王*; 欧阳娜娜 → 欧阳**; an organisation keeps its first two and last two characters."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) <= 3:
        return name[0] + "*" * (len(name) - 1)
    if len(name) == 4:
        return name[:2] + "**"
    return name[:2] + "*" * (len(name) - 4) + name[-2:]


@require_http_methods(["GET", "POST"])
def lookup(request):
    """GET/POST /cases/lookup/ — the status of a case by its number and the contact phone."""
    from .self_service_api import case_lookup

    result = None
    error = ""
    if request.method == "POST":
        form = LookupForm(request.POST)
        if form.is_valid():
            try:
                info = case_lookup(
                    number=form.cleaned_data["number"],
                    phone=form.cleaned_data["phone"],
                    ip=request.META.get("REMOTE_ADDR", ""),
                )
            except ValidationError as e:
                error = e.messages[0]
            else:
                result = {
                    "number": info.number,
                    "status": info.status_label,
                    "tone": info.tone,
                    "item": info.item,
                    "department": info.department,
                    "applicant": info.applicant_masked,
                    "accepted_on": info.accepted_on,
                    "promised_due": info.promised_due,
                    "last_event_at": info.last_event_at,
                }
    else:
        form = LookupForm()
    template = "cases/lookup_result.html" if result else "cases/lookup.html"
    return render(request, template, {"form": form, "result": result, "error": error})


def correct(request, number: str):
    """GET/POST /cases/<number>/correct/ — upload every material the one-time notice listed."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    case, is_owner = _case_for(request, number)
    if case is None or not is_owner:
        raise Http404("办件不存在")
    items = services.correction_items(case)
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and case.status == Status.CORRECTION:
        uploads = {item["material"]: request.FILES.get(f"m{i}") for i, item in enumerate(items)}
        uploads = {k: v for k, v in uploads.items() if v is not None}
        try:
            commands.case_act(case.pk, "correct", request.user, uploads=uploads)
        except commands.CaseNotFound:
            raise Http404("办件不存在") from None
        except ValidationError as e:
            errors = e.message_dict if hasattr(e, "error_dict") else {"": e.messages}
        else:
            messages.success(request, "补正材料已提交，材料齐全之日起重新计算办理时限。")
            return redirect("cases:detail", number=case.number)
    rows = [{"index": i, **item, "errors": errors.get(item["material"], [])} for i, item in enumerate(items)]
    return render(
        request,
        "cases/correct.html",
        {"case": case, "rows": rows, "general": errors.get("", []), "open": case.status == Status.CORRECTION},
        status=400 if errors else 200,
    )
