"""效能投诉 pages (/complaints/…).

- /complaints/new/: the public form (投诉建议). A logged-in citizen files under the account (told
  the result by site message, and SMS when a mobile is given); anyone else must give a phone
  number (told by SMS). Throttled per client address (BANHAO_COMPLAINTS_PER_HOUR).
- /complaints/: the staff list of the scope with each open complaint's countdown
  (complaints.view: supervisors, hall managers, department heads — their own department).
- /complaints/register/: staff register a complaint made at the hall or sent by 12345
  (complaints.register).
- /complaints/<pk>/: the detail with only the next allowed steps (complaints.handle), the
  evidence, the accountability records and the events; /complaints/<pk>/accountability/:
  a supervisor's decision (evaluation.supervise).
A complaint outside the viewer's scope is a 404.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, When
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from banhao.core.masking import mask_phone
from banhao.org import api as org
from banhao.org.api import staff_required

from . import complaint_states as states
from . import complaints as services
from .models_complaints import AccountabilityMeasure, Complaint, SubjectKind
from .summary import Countdown

PAGE_SIZE = 30
S = Complaint.Status


def _ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _errors(e: ValidationError) -> dict[str, str]:
    if hasattr(e, "error_dict"):
        return {("form" if k == "__all__" else k): "；".join(v) for k, v in e.message_dict.items()}
    return {"form": "；".join(e.messages)}


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip()) if value else None
    except ValueError:
        return None


def _department_groups(region_ids=None) -> list[tuple[str, list[tuple[int, str]]]]:
    """The department picker's options grouped by region (names repeat across regions)."""
    regions = {
        r.id: r.name
        for r in (org.region_info(rid) for rid in {d[2] for d in org.department_choices(region_ids)})
        if r
    }
    groups: dict[str, list] = {}
    for pk, name, rid in org.department_choices(region_ids):
        groups.setdefault(regions.get(rid, ""), []).append((pk, name))
    return list(groups.items())


def _form_values(post) -> dict:
    keys = (
        "department_id",
        "subject_kind",
        "window_id",
        "staff_id",
        "subject_note",
        "content",
        "case_number",
        "occurred_on",
        "complainant_name",
        "complainant_phone",
        "hotline_ticket",
        "source",
        "submission_key",
    )
    values = {k: (post.get(k) or "").strip() for k in keys}
    values["submission_key"] = values["submission_key"][:40] or uuid.uuid4().hex
    return values


# --- the public form --------------------------------------------------------------------------


def complaint_new(request):
    """GET/POST /complaints/new/ — 投诉建议 (效能投诉) for citizens and companies."""
    user = request.user if request.user.is_authenticated else None
    if user is not None and org.scope_for_user(user) is not None:
        user = None  # staff filing as citizens are anonymous complainants with a phone
    values = {
        "complainant_name": getattr(user, "display_name", "") if user else "",
        "subject_kind": "window",
        "submission_key": uuid.uuid4().hex,
    }
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = _form_values(request.POST)
        if services.complaint_throttled(_ip(request)):
            return render(request, "evaluation/complaints/throttled.html", status=429)
        occurred = _date(values["occurred_on"])
        if values["occurred_on"] and occurred is None:
            errors["occurred_on"] = "发生日期格式不正确。"
        else:
            try:
                c = services.complaint_file(
                    actor=user or "网上投诉",
                    source=Complaint.Source.ONLINE,
                    department_id=values["department_id"],
                    subject_kind=values["subject_kind"],
                    subject_note=values["subject_note"],
                    content=values["content"],
                    case_number=values["case_number"],
                    occurred_on=occurred,
                    complainant_name=values["complainant_name"],
                    complainant_phone=values["complainant_phone"],
                    complainant_user=user,
                    submission_key=values["submission_key"],
                )
            except ValidationError as e:
                errors = _errors(e)
            else:
                services.complaint_throttle_note(_ip(request))
                request.session["complaint_filed"] = c.number
                return redirect("complaints:filed")
        status = 400
    return render(
        request,
        "evaluation/complaints/new.html",
        {
            "values": values,
            "errors": errors,
            "departments": _department_groups(),
            "kinds": SubjectKind.choices,
            "logged_in": user is not None,
            "accept_days": services.days("accept"),
            "investigate_days": services.days("investigate"),
        },
        status=status,
    )


def complaint_filed(request):
    """GET /complaints/new/done/ — the number of the complaint just filed."""
    number = request.session.pop("complaint_filed", None)
    if not number:
        return redirect("complaints:new")
    return render(
        request,
        "evaluation/complaints/filed.html",
        {
            "number": number,
            "accept_days": services.days("accept"),
            "investigate_days": services.days("investigate"),
        },
    )


# --- staff pages ------------------------------------------------------------------------------


def complaints_for_staff(scope):
    qs = Complaint.objects.select_related("department", "region")
    return scope.filter(qs, region_field="region", department_field="department")


def _complaint_or_404(request, pk: int) -> Complaint:
    c = complaints_for_staff(request.scope).filter(pk=pk).first()
    if c is None:
        raise Http404("未找到该投诉。")
    return c


def _tone(status: str) -> str:
    return {S.RECEIVED: "warn", S.DECLINED: "muted", S.CLOSED: "muted", S.REPLIED: "ok"}.get(status, "")


@staff_required("complaints.view")
def complaint_list(request):
    """GET /complaints/ — the complaints of the scope, open ones first by deadline."""
    status = request.GET.get("status", "")
    qs = complaints_for_staff(request.scope)
    if status == "open":
        qs = qs.filter(status__in=states.OPEN_STATUSES)
    elif status in S.values:
        qs = qs.filter(status=status)
    qs = qs.annotate(
        closed_rank=Case(
            When(status__in=states.OPEN_STATUSES, then=0), default=1, output_field=IntegerField()
        )
    ).order_by("closed_rank", F("due_on").asc(nulls_last=True), "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        {
            "c": c,
            "countdown": Countdown.of(c.due_on, today) if c.status in states.OPEN_STATUSES else None,
            "tone": _tone(c.status),
        }
        for c in page.object_list
    ]
    return render(
        request,
        "evaluation/complaints/list.html",
        {
            "page": page,
            "rows": rows,
            "status": status,
            "statuses": S.choices,
            "can_register": request.scope.can("complaints.register"),
        },
    )


@staff_required("complaints.register")
def complaint_register(request):
    """GET/POST /complaints/register/ — a complaint made at the hall or sent by 12345."""
    scope = request.scope
    region_ids = None if scope.is_city_wide else scope.region_ids
    values = {"source": Complaint.Source.HALL, "subject_kind": "window", "submission_key": uuid.uuid4().hex}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = _form_values(request.POST)
        occurred = _date(values["occurred_on"])
        source = (
            values["source"] if values["source"] in (Complaint.Source.HALL, Complaint.Source.HOTLINE) else ""
        )
        try:
            if values["occurred_on"] and occurred is None:
                raise ValidationError({"occurred_on": "发生日期格式不正确。"})
            if not source:
                raise ValidationError({"source": "请选择投诉来源（大厅登记或12345转办）。"})
            c = services.complaint_file(
                actor=request.user,
                source=source,
                department_id=values["department_id"],
                subject_kind=values["subject_kind"],
                window_id=values["window_id"] or None,
                staff_id=values["staff_id"] or None,
                subject_note=values["subject_note"],
                content=values["content"],
                case_number=values["case_number"],
                occurred_on=occurred,
                complainant_name=values["complainant_name"],
                complainant_phone=values["complainant_phone"],
                hotline_ticket=values["hotline_ticket"],
                scope=scope,
                submission_key=values["submission_key"],
            )
        except ValidationError as e:
            errors = _errors(e)
            status = 400
        except PermissionDenied as e:
            errors = {"department_id": str(e)}
            status = 400
        else:
            messages.success(request, f"已登记效能投诉，编号 {c.number}。")
            if scope.can("complaints.view"):
                return redirect("complaints:detail", pk=c.pk)
            return redirect("complaints:register")
    return render(
        request,
        "evaluation/complaints/register.html",
        {
            "values": values,
            "errors": errors,
            "departments": _department_groups(region_ids),
            "windows": org.window_choices(region_ids),
            "staff": org.staff_choices(region_ids),
            "kinds": SubjectKind.choices,
            "sources": [(Complaint.Source.HALL, "大厅登记"), (Complaint.Source.HOTLINE, "12345转办")],
        },
        status=status,
    )


def _detail_context(request, c: Complaint, **extra) -> dict:
    labels = dict(S.choices)
    today = timezone.localdate()
    can_handle = request.scope.can("complaints.handle")
    actions = [{"name": a, "label": states.ACTION_LABELS[a]} for a in states.allowed_actions(c.status)]
    can_decide = (
        request.scope.can("evaluation.supervise")
        and c.substantiated
        and c.status in states.ACCOUNTABILITY_STATUSES
    )
    # the complainant is known to those who handle the complaint, not to the department or
    # staff it is about (a department head sees the complaint without the complainant)
    show_complainant = request.scope.can("complaints.handle")
    return {
        "c": c,
        "show_complainant": show_complainant,
        "phone": mask_phone(c.complainant_phone) if show_complainant else "",
        "tone": _tone(c.status),
        "countdown": Countdown.of(c.due_on, today) if c.status in states.OPEN_STATUSES else None,
        "actions": actions if can_handle else [],
        "can_handle": can_handle,
        "can_add_evidence": can_handle and c.status in states.EVIDENCE_STATUSES,
        "can_decide": can_decide,
        "conclusions": Complaint.Conclusion.choices,
        "evidence": list(c.evidence.all()),
        "records": list(c.accountability.select_related("measure", "department", "staff", "window")),
        "events": [
            {
                "e": e,
                "label": states.ACTION_LABELS.get(e.action, e.action),
                "to": labels.get(e.to_status, "") if e.to_status != e.from_status else "",
            }
            for e in c.events.all()
        ],
        **extra,
    }


@staff_required("complaints.view")
def complaint_detail(request, pk: int):
    c = _complaint_or_404(request, pk)
    return render(request, "evaluation/complaints/detail.html", _detail_context(request, c))


@require_POST
@staff_required("complaints.handle")
def complaint_act(request, pk: int):
    """POST /complaints/<pk>/act/ — one step of the life cycle. The form carries the status it
    was shown with: a repeated submission changes nothing and says so."""
    c = _complaint_or_404(request, pk)
    action = request.POST.get("action", "")
    service = services.ACTIONS.get(action)
    if service is None:
        messages.error(request, "未知的操作。")
        return redirect("complaints:detail", pk=c.pk)
    label = states.ACTION_LABELS[action]
    shown = request.POST.get("status", "")
    if shown and shown != c.status:
        if states.next_status(shown, action) == c.status:
            messages.info(request, f"该投诉已{label}，本次重复提交未再处理。")
        else:
            messages.error(
                request, f"投诉状态已变为“{c.get_status_display()}”，未执行“{label}”，请核对后重新操作。"
            )
        return redirect("complaints:detail", pk=c.pk)
    p = request.POST
    kwargs = {
        "decline": {"reason": p.get("reason", "")},
        "investigate": {"investigator": p.get("investigator", "")},
        "conclude": {"conclusion": p.get("conclusion", ""), "findings": p.get("findings", "")},
        "reply": {"reply": p.get("reply", "")},
        "accept": {"note": p.get("note", "")},
    }.get(action, {})
    try:
        service(actor=request.user, complaint_id=c.pk, scope=request.scope, **kwargs)
    except ValidationError as e:
        context = _detail_context(
            request,
            c,
            errors=_errors(e),
            failed_action=action,
            typed={k: str(v)[:2000] for k, v in kwargs.items()},
        )
        return render(request, "evaluation/complaints/detail.html", context, status=400)
    c.refresh_from_db()
    messages.success(request, f"已{label}，投诉当前状态：{c.get_status_display()}。")
    return redirect("complaints:detail", pk=c.pk)


@require_POST
@staff_required("complaints.handle")
def complaint_evidence(request, pk: int):
    """POST /complaints/<pk>/evidence/ — one evidence file (disguised files are refused)."""
    c = _complaint_or_404(request, pk)
    try:
        services.complaint_add_evidence(
            actor=request.user,
            complaint_id=c.pk,
            upload=request.FILES.get("file"),
            note=request.POST.get("note", ""),
            scope=request.scope,
        )
    except ValidationError as e:
        context = _detail_context(request, c, evidence_error="；".join(e.messages))
        return render(request, "evaluation/complaints/detail.html", context, status=400)
    messages.success(request, "证据已上传。")
    return redirect("complaints:detail", pk=c.pk)


@staff_required("complaints.view")
def evidence_download(request, pk: int, evidence_id: int):
    c = _complaint_or_404(request, pk)
    evidence = c.evidence.filter(pk=evidence_id).first()
    if evidence is None:
        raise Http404("未找到该证据。")
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.name)


@staff_required("evaluation.supervise")
def accountability_new(request, pk: int):
    """GET/POST /complaints/<pk>/accountability/ — 责任追究 for a substantiated complaint."""
    c = _complaint_or_404(request, pk)
    if not (c.substantiated and c.status in states.ACCOUNTABILITY_STATUSES):
        messages.error(request, "只有经调查属实或部分属实的投诉才能登记责任追究。")
        return redirect("complaints:detail", pk=c.pk)
    values = {
        "subject_kind": c.subject_kind,
        "staff_id": str(c.staff_id or ""),
        "window_id": str(c.window_id or ""),
        "department_id": str(c.department_id),
    }
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        p = request.POST
        values = {
            k: (p.get(k) or "").strip()
            for k in ("subject_kind", "staff_id", "window_id", "department_id", "measure_id", "facts")
        }
        try:
            record = services.accountability_decide(
                actor=request.user, complaint_id=c.pk, scope=request.scope, **values
            )
        except ValidationError as e:
            errors = _errors(e)
            status = 400
        except PermissionDenied as e:
            errors = {"department_id": str(e)}
            status = 400
        else:
            messages.success(request, f"已登记责任追究：{record.subject_label}，{record.measure.name}。")
            return redirect("complaints:detail", pk=c.pk)
    region_ids = None if request.scope.is_city_wide else request.scope.region_ids
    return render(
        request,
        "evaluation/complaints/accountability.html",
        {
            "c": c,
            "values": values,
            "errors": errors,
            "measures": AccountabilityMeasure.objects.filter(active=True),
            "kinds": SubjectKind.choices,
            "departments": _department_groups(region_ids),
            "windows": org.window_choices(region_ids),
            "staff": org.staff_choices(region_ids),
        },
        status=status,
    )
