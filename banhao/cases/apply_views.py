"""Online application (网上申请): one page that works without JavaScript, and its confirmation.

GET /apply/<implementation id>/ draws the application of a published implementation: the
situation questions, the form (prefilled from the registry), the materials and the contact
phone. Every POST first keeps what was typed and the uploads that passed the checks in the
applicant's draft, then does what was asked: 更新情形 (redraw for the answers), 保存草稿,
提交申请 (validate, then case_submit_application) or 放弃草稿. A failed submission shows the
same page with every value kept and the errors listed.

A hidden idempotency key (kept in the draft) goes with every submission, so a double click or a
browser retry returns the case already made instead of a second one.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from banhao.catalog.api import other_published_regions, published_for_application, version_content
from banhao.registry.api import applicant_identity

from . import apply_forms as af
from .commands import Applicant, case_submit_application
from .models import Case, Draft
from .services import case_opened

ONLINE_DEPTHS = {"3", "4"}  # 在线办理, 全程网办: the depths that take applications online
ACTIONS = {"refresh", "save", "submit", "discard"}


def _published(implementation_id: int):
    """(implementation, published version) of a published implementation, or (None, None)."""
    return published_for_application(implementation_id)


def _forbidden(request, reason: str):
    return render(request, "cases/apply/forbidden.html", {"reason": reason}, status=403)


def case_status_url(number: str) -> str:
    """The applicant's case status page (cases/<number>/, built by the case pages)."""
    return f"/cases/{number}/"


def _discard(draft: Draft | None) -> None:
    if draft is None:
        return
    for record in (draft.data or {}).get("files", {}).values():
        af.delete_stored(record)
    draft.delete()


def _other_regions(impl):
    """The same item published in other regions: the applicant may choose where to apply."""
    return other_published_regions(impl)


def _render(request, impl, version, content, identity, draft_data, *, errors=None, restored=None, status=200):
    errors = errors or {}
    rows = af.page(content, draft_data, identity, errors)
    labels = {r["input"]: r["label"] for r in rows["fields"]}
    labels.update({r["input"]: r["question"] for r in rows["situations"]})
    labels.update({r["input"]: r["name"] for r in rows["materials"]})
    labels["contact_phone"] = "联系电话"
    summary = [{"input": name, "label": labels.get(name, ""), "message": msg} for name, msg in errors.items()]
    context = {
        "impl": impl,
        "version": version,
        "c": content,
        "title": version.display_name,
        "identity": identity,
        "key": draft_data.get("key") or af.new_key(),
        "errors": summary,
        "restored": restored,
        "other_regions": _other_regions(impl),
        "shared_note": af.SHARED_NOTE,
        "accept": af.UPLOAD_ACCEPT,
        "max_mb": af.MAX_UPLOAD_BYTES // (1024 * 1024),
        "immediate": content["case_type"] == "immediate",
        **rows,
    }
    return render(request, "cases/apply/apply.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def apply(request, implementation_id: int):
    """GET/POST /apply/<implementation id>/ — the online application of one item in one region."""
    if not getattr(request.user, "is_applicant", False):
        return _forbidden(request, "staff")
    impl, version = _published(implementation_id)
    if impl is None:
        raise Http404("没有找到该事项，或该事项已停止办理。")
    content = version_content(version)
    if content["online_depth"] not in ONLINE_DEPTHS:
        return render(request, "cases/apply/unavailable.html", {"impl": impl, "version": version}, status=404)
    identity = applicant_identity(request.user)
    if identity is None:
        return _forbidden(request, "no_profile")
    draft = Draft.objects.filter(user=request.user, implementation=impl).first()

    if request.method == "GET":
        data = draft.data if draft is not None else af.new_draft_data()
        # "?saved=1": back from our own save or redraw, not a return visit: no "restored" notice
        restored = draft if "saved" not in request.GET else None
        return _render(request, impl, version, content, identity, data, restored=restored)

    action = request.POST.get("action", "")
    if action not in ACTIONS:
        action = "save"
    if action == "discard":
        _discard(draft)
        messages.info(request, "草稿已清除，您可以重新填写。")
        return redirect("apply:start", impl.pk)

    key = af.clean_key(request.POST.get("key"))
    earlier = case_opened(request.user, key)
    if earlier is not None:
        if action == "submit":  # a retry or a second click of a submission that went through
            if draft is not None and draft.data.get("key") == key:
                _discard(draft)
            return redirect("apply:done", earlier.number)
        key = ""  # a page from before that submission: this draft is a new application

    # Keep everything first: a validation error below must not lose a keystroke or an upload.
    with transaction.atomic():
        draft = Draft.objects.select_for_update().filter(user=request.user, implementation=impl).first()
        if draft is None:
            draft = Draft(user=request.user, implementation=impl, data=af.new_draft_data())
        data = draft.data
        if key:
            data["key"] = key
        af.merge_post(data, request.POST, content)
        upload_errors = af.store_uploads(data, request.FILES, content, user_id=request.user.pk)
        try:
            with transaction.atomic():
                draft.save()
        except IntegrityError:  # a concurrent first POST created the draft: merge into it
            draft = Draft.objects.select_for_update().get(user=request.user, implementation=impl)
            draft.data.update({k: v for k, v in data.items() if k != "files"})
            draft.data.setdefault("files", {}).update(data.get("files", {}))
            draft.save()
            data = draft.data

    if action != "submit":
        if upload_errors:
            return _render(request, impl, version, content, identity, data, errors=upload_errors, status=400)
        url = reverse("apply:start", args=[impl.pk]) + "?saved=1"
        if action == "save":
            messages.success(request, "草稿已保存。您可以随时回到本页继续填写，已上传的材料也已保存。")
            return redirect(url)
        return redirect(url + "#step-form")

    result = af.validate(content, data, identity)
    errors = {**result.errors, **upload_errors}  # a refused file says why, not just "missing"
    if errors:
        return _render(request, impl, version, content, identity, data, errors=errors, status=400)
    try:
        case = case_submit_application(
            actor=request.user,
            implementation_id=impl.pk,
            applicant=Applicant(
                person_id=identity.person.id,
                organization_id=identity.organization.id if identity.organization else None,
                contact_phone=result.contact_phone,
            ),
            form_data=result.form_data,
            situations=result.situations,
            materials=result.materials,
            idempotency_key=data["key"],
            draft=draft,
        )
    except (ValidationError, PermissionDenied) as exc:  # the view's checks passed, the service's did not
        errors = {"__all__": exc.messages[0] if isinstance(exc, ValidationError) else str(exc)}
        return _render(request, impl, version, content, identity, data, errors=errors, status=400)
    return redirect("apply:done", case.number)


@login_required
@require_GET
def done(request, number: str):
    """GET /apply/done/<number>/ — the confirmation an applicant sees after submitting."""
    case = get_object_or_404(
        Case.objects.select_related("version", "region", "department"),
        number=number,
        applicant_user=request.user,
    )
    return render(
        request,
        "cases/apply/done.html",
        {
            "case": case,
            "title": case.version.display_name,
            "materials": list(case.materials.all()),
            "status_url": case_status_url(case.number),
            "immediate": case.version.case_type == "immediate",
        },
    )
