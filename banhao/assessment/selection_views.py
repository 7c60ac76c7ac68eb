"""红旗窗口与服务明星评选 pages: the rounds, a round with its candidates and the allowed next
steps only, the vote or sign-off form, the notice PDF and the published lists (the leadership's
view). Every view parses, calls one service in banhao.assessment.selection, renders."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from banhao.org.api import region_info, scope_for_user

from . import exports
from . import selection as svc
from . import selection_states as states
from .models_selection import Nomination, SelectionRound
from .periods import QUARTER, period_containing

R = SelectionRound


def _staff(request):
    from django.contrib.auth.views import redirect_to_login

    if not request.user.is_authenticated:
        return None, redirect_to_login(request.get_full_path())
    scope = scope_for_user(request.user)
    if scope is None or not (svc.sees_unpublished(scope) or scope.can("assessment.honours")):
        raise PermissionDenied("您的角色无权访问此页面。")
    request.scope = scope
    return scope, None


def _round_or_404(scope, pk: int) -> SelectionRound:
    rnd = svc.visible_rounds(scope).filter(pk=pk).select_related("scheme", "region").first()
    if rnd is None:
        raise Http404("未找到该评选，或不在您的管辖范围内。")
    return rnd


def _errors(exc) -> str:
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    return str(exc) or "您无权进行此操作。"


def round_list(request):
    """GET /assessment/selection/ — the rounds of the scope; POST creates one (assessment.select)."""
    scope, login = _staff(request)
    if login:
        return login
    can_create = scope.can("assessment.select")
    last_quarter = period_containing(QUARTER, timezone.localdate()).previous()
    region = region_info(scope.region_id)
    form = {
        "kind": "window",
        "period": last_quarter.code,
        "places": "3",
        "review_mode": "vote",
        "votes_needed": "2",
        "issuing_office": f"{region.name}政务服务管理办公室" if region else "",
        "title": "",
    }
    error = ""
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied("您的角色无权发起评选。")
        form.update({k: request.POST.get(k, form[k]).strip() for k in form})
        scheme = request.POST.get("scheme", "")
        try:
            rnd = svc.selection_round_create(
                actor=request.user,
                kind=form["kind"],
                period=form["period"],
                places=form["places"] or "0",
                review_mode=form["review_mode"],
                votes_needed=form["votes_needed"] or "0",
                issuing_office=form["issuing_office"],
                title=form["title"],
                scheme_id=int(scheme) if scheme.isdigit() else None,
            )
        except (ValidationError, PermissionDenied) as exc:
            error = _errors(exc)
        else:
            messages.success(request, f"已发起“{rnd.title}”，共{rnd.candidates.count()}个候选。")
            return redirect("selection:detail", rnd.pk)
    rounds = svc.visible_rounds(scope).select_related("region", "scheme").order_by("-period", "kind")
    return render(
        request,
        "assessment/selection/list.html",
        {
            "rounds": rounds[:200],
            "can_create": can_create,
            "form": form,
            "error": error,
            "kinds": R.Kind.choices,
            "modes": R.ReviewMode.choices,
        },
        status=400 if error else 200,
    )


def _detail_context(request, rnd, scope) -> dict:
    manage = svc.can_manage(scope, rnd)
    candidates = list(svc.visible_candidates(scope, rnd).select_related("nomination")[:300])
    for c in candidates:
        c.may_nominate = (
            rnd.status in states.NOMINATE_STATUSES and c.eligible and svc.can_nominate(scope, rnd, c)
        )
        try:
            c.nominated = c.nomination
        except Nomination.DoesNotExist:
            c.nominated = None
    rows = svc.tally(rnd)
    reviewed_by_me = {r.nomination_id for t in rows for r in t["reviews"] if r.reviewer_id == request.user.pk}
    can_review = rnd.status in states.REVIEW_STATUSES and svc.can_review(scope, rnd)
    if can_review and rnd.review_mode == R.ReviewMode.SIGNOFF:
        can_review = rnd.created_by_id != request.user.pk and not any(
            r.kind == "signoff" for t in rows for r in t["reviews"]
        )
    elif can_review:
        can_review = any(t["nomination"].pk not in reviewed_by_me for t in rows)
    return {
        "round": rnd,
        "period": svc.parse_period(rnd.period),
        "kind_label": R.Kind(rnd.kind).label,
        "candidates": candidates,
        "manage": manage,
        "actions": [{"name": a, "label": states.ACTION_LABELS[a]} for a in states.allowed_actions(rnd.status)]
        if manage
        else [],
        "can_exclude": manage and rnd.status in states.EXCLUDE_STATUSES,
        "can_refresh": manage and rnd.status in states.REFRESH_STATUSES,
        "tally": rows,
        "can_review": can_review,
        "winners": svc.selected(rnd) if rnd.status in (R.Status.DECIDED, R.Status.PUBLISHED) else [],
        "published": rnd.status == R.Status.PUBLISHED,
    }


def round_detail(request, pk: int):
    """GET /assessment/selection/<pk>/ — the round, its candidates and the next steps allowed."""
    scope, login = _staff(request)
    if login:
        return login
    rnd = _round_or_404(scope, pk)
    return render(request, "assessment/selection/detail.html", _detail_context(request, rnd, scope))


def _post_only(request, pk):
    if request.method != "POST":
        return redirect("selection:detail", pk)
    return None


def round_act(request, pk: int):
    """POST /assessment/selection/<pk>/act/ — action=open_nomination|start_review|reopen|decide|
    publish|refresh, with the status the page showed (a stale page is refused, nothing changes)."""
    scope, login = _staff(request)
    if login:
        return login
    if (r := _post_only(request, pk)) is not None:
        return r
    rnd = _round_or_404(scope, pk)
    action = request.POST.get("action", "")
    try:
        if action == "refresh":
            svc.selection_candidates_refresh(actor=request.user, round_id=rnd.pk)
        elif action == "publish":
            svc.selection_publish(
                actor=request.user,
                round_id=rnd.pk,
                notice_number=request.POST.get("notice_number", ""),
                expected_status=request.POST.get("status", ""),
            )
        elif action in states.ACTION_LABELS:
            svc.selection_act(
                actor=request.user,
                round_id=rnd.pk,
                action=action,
                expected_status=request.POST.get("status", ""),
            )
        else:
            raise ValidationError("未知的操作。")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, f"已{states.ACTION_LABELS.get(action, '完成')}。")
    return redirect("selection:detail", rnd.pk)


def _candidate_step(request, pk: int, service, done):
    """A POST naming a candidate and a reason (nominate, exclude): the service decides."""
    scope, login = _staff(request)
    if login:
        return login
    if (r := _post_only(request, pk)) is not None:
        return r
    rnd = _round_or_404(scope, pk)
    cid = request.POST.get("candidate", "")
    try:
        result = service(
            actor=request.user,
            round_id=rnd.pk,
            candidate_id=int(cid) if cid.isdigit() else 0,
            reason=request.POST.get("reason", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, done(result))
    return redirect("selection:detail", rnd.pk)


def round_nominate(request, pk: int):
    """POST /assessment/selection/<pk>/nominate/ — candidate and reason."""
    return _candidate_step(
        request, pk, svc.selection_nominate, lambda nom: f"已提名{nom.candidate.subject_label}。"
    )


def round_exclude(request, pk: int):
    """POST /assessment/selection/<pk>/exclude/ — candidate and reason."""
    return _candidate_step(
        request, pk, svc.selection_candidate_exclude, lambda c: f"已将{c.subject_label}排除出候选。"
    )


def round_review(request, pk: int):
    """GET/POST /assessment/selection/<pk>/review/ — the reviewer's votes (once) or the sign-off."""
    scope, login = _staff(request)
    if login:
        return login
    rnd = _round_or_404(scope, pk)
    if not svc.can_review(scope, rnd):
        raise PermissionDenied("您无权评审该评选。")
    rows = svc.tally(rnd)
    mine = {r.nomination_id: r for t in rows for r in t["reviews"] if r.reviewer_id == request.user.pk}
    error, typed = "", {}
    if request.method == "POST":
        ballot = {}
        for t in rows:
            n = t["nomination"]
            choice = request.POST.get(f"vote-{n.pk}", "")
            comment = request.POST.get(f"comment-{n.pk}", "")[:400]
            typed[n.pk] = (choice, comment)
            if n.pk in mine:
                continue
            if choice in ("yes", "no"):
                ballot[n.pk] = (choice == "yes", comment)
        try:
            svc.selection_review(actor=request.user, round_id=rnd.pk, ballot=ballot)
        except (ValidationError, PermissionDenied) as exc:
            error = _errors(exc)
        else:
            messages.success(
                request, "已签批。" if rnd.review_mode == R.ReviewMode.SIGNOFF else "已记录您的投票。"
            )
            return redirect("selection:detail", rnd.pk)
    for t in rows:
        t["mine"] = mine.get(t["nomination"].pk)
        t["typed"] = typed.get(t["nomination"].pk, ("", ""))
    return render(
        request,
        "assessment/selection/review.html",
        {
            "round": rnd,
            "rows": rows,
            "error": error,
            "open": rnd.status in states.REVIEW_STATUSES,
            "signoff": rnd.review_mode == R.ReviewMode.SIGNOFF,
        },
        status=400 if error else 200,
    )


def round_notice(request, pk: int):
    """GET /assessment/selection/<pk>/notice.pdf — the 通报 of a published round."""
    scope, login = _staff(request)
    if login:
        return login
    rnd = _round_or_404(scope, pk)
    if rnd.status != R.Status.PUBLISHED:
        raise Http404("评选结果发布后才有通报。")
    try:
        body = svc.notice_pdf(rnd)
    except exports.PdfUnavailable as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    from banhao.core.audit import audit_record

    audit_record(actor=request.user, obj=rnd, action="assessment.selection_notice_download")
    return exports.pdf_response(body, f"通报-{rnd.title}.pdf")


def published(request):
    """GET /assessment/selection/published/ — the published lists: what the leadership sees."""
    scope, login = _staff(request)
    if login:
        return login
    if not scope.can("assessment.honours"):
        raise PermissionDenied("您的角色无权访问此页面。")
    rounds = list(
        svc.visible_rounds(scope)
        .filter(status=R.Status.PUBLISHED)
        .select_related("region")
        .order_by("-published_on", "-period", "kind")[:100]
    )
    for rnd in rounds:
        rnd.winners = svc.selected(rnd)
    return render(request, "assessment/selection/published.html", {"rounds": rounds})
