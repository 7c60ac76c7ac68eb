"""考核评分: scorecards per subject and period (with the last periods side by side and the facts
behind each indicator), lists per kind and period, a staff member's own scorecard, Excel and PDF
exports. Role and region scope on every page: a subject outside the scope is a 404."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from banhao.org.api import scope_for_user, staff_required

from . import exports, selectors
from .indicators import FORMULAS
from .models_schemes import Scheme, ScoreSet, SubjectKind
from .periods import MONTH, Period, parse_period, period_containing

KINDS = [k for k in SubjectKind.values if k != SubjectKind.SECTION]


def _default_period(kind: str = MONTH) -> Period:
    """The last closed period of the kind — or, when that was never computed and the running one
    was (its draft, as the demo has), the running one, so the page opens on scores, not on
    「尚未计算」."""
    today = timezone.localdate()
    running = period_containing(kind, today)
    closed = period_containing(kind, running.start - dt.timedelta(days=1))
    computed = set(
        ScoreSet.objects.filter(period__in=[closed.code, running.code]).values_list("period", flat=True)
    )
    return running if running.code in computed and closed.code not in computed else closed


def _period(request, scheme_kind: str | None = None) -> Period:
    code = request.GET.get("period", "").strip()
    if not code:
        return _default_period(scheme_kind or MONTH)
    try:
        return parse_period(code)
    except ValidationError as exc:
        raise Http404(exc.messages[0]) from None


def _scheme(request, kind: str, period: Period) -> Scheme | None:
    schemes = selectors.schemes_for(kind, period)
    wanted = request.GET.get("scheme", "")
    if wanted.isdigit():
        return next((s for s in schemes if s.pk == int(wanted)), None)
    return schemes[0] if schemes else None


def _card_context(
    request, kind: str, subject, period: Period, scheme: Scheme | None, *, own: bool = False
) -> dict:
    columns = selectors.scorecard(scheme, kind, subject.id, period) if scheme else []
    current = columns[-1] if columns else None
    details = []
    if current and current.score:
        for d in current.score.details:
            details.append({**d, "definition": FORMULAS[d["key"]].definition if d["key"] in FORMULAS else ""})
    return {
        "kind": kind,
        "kind_label": SubjectKind(kind).label,
        "subject": subject,
        "period": period,
        "scheme": scheme,
        "schemes": selectors.schemes_for(kind, period),
        "columns": columns,
        "current": current,
        "details": details,
        "rows": selectors.comparison_rows(columns),
        "own": own,
    }


@staff_required("assessment.view")
def scorecard_list(request):
    """GET /assessment/scorecards/?kind=window&period=YYYY-MM — the scores of a kind and period."""
    kind = request.GET.get("kind", "window")
    if kind not in KINDS:
        kind = "window"
    if request.scope.role in ("reviewer", "department_head") and kind not in selectors.DEPARTMENT_KINDS:
        kind = "department"
    scheme_kinds = [s.period_kind for s in Scheme.objects.filter(subject_kind=kind)]
    period = _period(request, scheme_kinds[0] if scheme_kinds else MONTH)
    scheme = _scheme(request, kind, period)
    groups = selectors.kind_list(request.scope, scheme, period) if scheme else []
    if request.GET.get("format") == "xlsx" and scheme:
        return exports.xlsx_response(
            exports.list_workbook(scheme, period, groups), f"考核结果-{kind}-{period.code}.xlsx"
        )
    return render(
        request,
        "assessment/list.html",
        {
            "kind": kind,
            "kinds": [(k, SubjectKind(k).label) for k in KINDS],
            "kind_label": SubjectKind(kind).label,
            "period": period,
            "scheme": scheme,
            "schemes": selectors.schemes_for(kind, period),
            "groups": groups,
        },
    )


def _subject_or_404(request, kind: str, subject_id: int):
    if kind not in SubjectKind.values:
        raise Http404("未知的考核对象类型。")
    subject = selectors.subject_visible(request.scope, kind, subject_id)
    if subject is None:
        raise Http404("未找到该考核对象，或不在您的管辖范围内。")
    return subject


def _period_for_kind(request, kind):
    scheme_kinds = [s.period_kind for s in Scheme.objects.filter(subject_kind=kind)]
    return _period(request, scheme_kinds[0] if scheme_kinds else MONTH)


@staff_required("assessment.view")
def scorecard(request, kind: str, subject_id: int):
    """GET /assessment/scorecards/<kind>/<id>/?period=YYYY-MM (&format=xlsx|pdf)."""
    subject = _subject_or_404(request, kind, subject_id)
    period = _period_for_kind(request, kind)
    ctx = _card_context(request, kind, subject, period, _scheme(request, kind, period))
    return _render_card(request, ctx)


def _render_card(request, ctx):
    fmt = request.GET.get("format", "")
    name = f"考核评分-{ctx['subject'].label}-{ctx['period'].code}"
    if fmt == "xlsx":
        return exports.xlsx_response(exports.card_workbook(ctx), f"{name}.xlsx")
    if fmt == "pdf":
        try:
            body = exports.card_pdf(ctx)
        except exports.PdfUnavailable:
            return HttpResponse(
                "本服务器暂不能生成PDF，请导出Excel。", status=503, content_type="text/plain; charset=utf-8"
            )
        return exports.pdf_response(body, f"{name}.pdf")
    return render(request, "assessment/scorecard.html", ctx)


@staff_required("assessment.view")
def scorecard_facts(request, kind: str, subject_id: int, key: str):
    """GET /assessment/scorecards/<kind>/<id>/facts/<key>/?period= — what an indicator counted."""
    subject = _subject_or_404(request, kind, subject_id)
    return _facts(request, kind, subject, key, own=False)


def _facts(request, kind, subject, key, *, own):
    period = _period_for_kind(request, kind)
    scheme = _scheme(request, kind, period)
    columns = selectors.scorecard(scheme, kind, subject.id, period) if scheme else []
    score = columns[-1].score if columns else None
    detail = next((d for d in (score.details if score else []) if d["key"] == key), None)
    if detail is None:
        raise Http404("该周期没有这项指标的计算结果。")
    rows = selectors.fact_rows(detail["source"], detail["ids"], scope_for_user(request.user), period)
    return render(
        request,
        "assessment/facts.html",
        {
            "kind": kind,
            "subject": subject,
            "period": period,
            "scheme": scheme,
            "detail": detail,
            "definition": FORMULAS[key].definition if key in FORMULAS else "",
            "rows": rows,
            "own": own,
        },
    )


def _own_subject(request):
    from django.contrib.auth.views import redirect_to_login

    if not request.user.is_authenticated:
        return None, redirect_to_login(request.get_full_path())
    scope = scope_for_user(request.user)
    if scope is None:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("只有工作人员有考核评分。")
    subject = selectors.subject_any("staff", scope.staff_id)
    if subject is None:
        raise Http404("您不在考核对象之列。")
    return subject, None


def mine(request):
    """GET /assessment/mine/ — the signed-in staff member's own scorecard (any staff role)."""
    subject, redirect = _own_subject(request)
    if redirect:
        return redirect
    period = _period_for_kind(request, "staff")
    ctx = _card_context(request, "staff", subject, period, _scheme(request, "staff", period), own=True)
    return _render_card(request, ctx)


def mine_facts(request, key: str):
    subject, redirect = _own_subject(request)
    if redirect:
        return redirect
    return _facts(request, "staff", subject, key, own=True)


# --- 加分/扣分 ---------------------------------------------------------------------------------


@staff_required("assessment.view")
def manual_items(request):
    """GET /assessment/manual/ — the manual items of the scope; POST asks for one (reason and
    points; it counts once another person with assessment.manage approves it)."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from . import services
    from .models_schemes import ManualItem

    errors, form = [], {}
    if request.method == "POST":
        form = {
            k: request.POST.get(k, "").strip()
            for k in ("scheme", "subject", "period", "kind", "points", "reason", "evidence")
        }
        try:
            item = services.manual_item_request(
                actor=request.user,
                scheme_id=int(form["scheme"]) if form["scheme"].isdigit() else 0,
                subject_id=int(form["subject"]) if form["subject"].isdigit() else 0,
                period=form["period"],
                kind=form["kind"],
                points=form["points"] or "0",
                reason=form["reason"],
                evidence=form["evidence"],
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, f"已提交{item.get_kind_display()}申请，待审批后计入。")
            return redirect("assessment:manual")
    items = request.scope.filter(ManualItem.objects.select_related("scheme", "requested_by", "decided_by"))
    if request.scope.role in ("reviewer", "department_head"):
        items = items.filter(subject_kind__in=selectors.DEPARTMENT_KINDS)
    schemes = list(Scheme.objects.filter(active=True).order_by("subject_kind", "name"))
    subjects = {s.pk: selectors.visible_subjects(request.scope, s.subject_kind) for s in schemes}
    return render(
        request,
        "assessment/manual.html",
        {
            "items": items.order_by("-requested_at")[:200],
            "schemes": [(s, subjects[s.pk]) for s in schemes],
            "can_decide": request.scope.can("assessment.manage"),
            "errors": errors,
            "form": form,
            "own": False,
            "kind": "window",
            "period": _default_period(),
        },
        status=400 if errors else 200,
    )


@staff_required("assessment.manage")
def manual_item_decide(request, pk: int):
    """POST /assessment/manual/<pk>/decide/ — approve or refuse (never one's own request)."""
    from django.contrib import messages
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import redirect

    from . import services

    if request.method != "POST":
        return redirect("assessment:manual")
    try:
        item = services.manual_item_decide(
            actor=request.user,
            item_id=pk,
            approve=request.POST.get("decision") == "approve",
            note=request.POST.get("note", "")[:300],
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"{item.subject_label} {item.period} {item.get_kind_display()}：{item.get_status_display()}。",
        )
    return redirect("assessment:manual")
