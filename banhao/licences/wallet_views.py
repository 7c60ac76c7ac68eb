"""我的证照 (the holder's wallet): the licences of the applicant's own person and, while their
mandate is live, of their enterprise; one licence's face, its QR code to show (亮证), a
watermarked copy (加注件) for a stated purpose, and the log of every use.

Applicant logins only; a licence of another holder is the same 404 as one that does not exist.
The holder's ID number stays masked on these pages.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from banhao.core import pdf
from banhao.core.qr import qr_data_uri

from . import documents, selectors, services
from .models import HolderKind, LicenceUse, Status

USES_PER_PAGE = 20

TONES = {
    "valid": "ok",
    "suspended": "warn",
    "revoked": "danger",
    "tampered": "danger",
    "expired": "muted",
    "superseded": "muted",
}


class CopyForm(forms.Form):
    purpose = forms.CharField(
        label="用途（用证事由）",
        max_length=services.REASON_MAX,
        help_text="写明交给谁、办什么事，如“向某银行申请开立对公账户”。用途和有效期会加注在文件上。",
        error_messages={
            "required": "请填写用途（用证事由），说明这份加注件交给谁、办什么事。",
            "max_length": f"用途（用证事由）不得超过{services.REASON_MAX}字。",
        },
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_purpose(self):
        text = (self.cleaned_data.get("purpose") or "").strip()
        if not text:
            raise ValidationError(self.fields["purpose"].error_messages["required"])
        return text


def _scope_or_refuse(request):
    scope = selectors.holder_scope(request.user)
    if scope is None:
        return None, render(request, "licences/wallet/not_applicant.html", status=403)
    return scope, None


def status_of(licence) -> tuple[str, str]:
    """(status, label) as the holder sees it: the verification status, a replaced version as 已换发."""
    status = services.verify_status(licence)
    if licence.status == Status.SUPERSEDED and status == "revoked":
        status = "superseded"
    label = dict(Status.choices).get(status) or documents.STATUS_LABELS.get(status, status)
    if status == "tampered":
        label = "签名核验未通过"
    return status, label


def _card(licence) -> dict:
    status, label = status_of(licence)
    return {"licence": licence, "status": status, "status_label": label, "tone": TONES.get(status, "")}


@login_required
@require_GET
def mine(request):
    """GET /licences/mine/ — the wallet."""
    scope, refusal = _scope_or_refuse(request)
    if refusal:
        return refusal
    cards = [_card(x) for x in selectors.wallet_licences(scope)]
    return render(
        request,
        "licences/wallet/mine.html",
        {
            "scope": scope,
            "in_force": [c for c in cards if c["licence"].status in (Status.VALID, Status.SUSPENDED)],
            "history": [c for c in cards if c["licence"].status not in (Status.VALID, Status.SUSPENDED)],
        },
    )


def _detail(request, scope, licence, *, form=None, copy_error: str = "", status: int = 200):
    card = _card(licence)
    url = services.verification_url(licence.identifier, base_url=request.build_absolute_uri("/"))
    uses = Paginator(selectors.licence_uses(licence), USES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "licences/wallet/detail.html",
        {
            "scope": scope,
            **card,
            "person": licence.holder_kind == HolderKind.PERSON,
            "face": documents.face_rows(licence),
            "validity": documents.validity_text(licence),
            "verification_url": url,
            "qr": qr_data_uri(url),
            "algorithm_label": documents.ALGORITHM_LABELS.get(licence.algorithm, licence.algorithm),
            "copy_refusal": documents.copy_refusal(licence),
            "copy_days": documents.copy_days(),
            "form": form or CopyForm(),
            "copy_error": copy_error,
            "uses": uses,
        },
        status=status,
    )


@login_required
@require_GET
def detail(request, pk: int):
    """GET /licences/mine/<id>/ — the face, the QR code to show, the copy form and the use log."""
    scope, refusal = _scope_or_refuse(request)
    if refusal:
        return refusal
    licence = selectors.wallet_licence(scope, pk)
    if licence is None:
        raise Http404("证照不存在")
    return _detail(request, scope, licence)


def _holder_label(request, scope, licence) -> str:
    name = getattr(request.user, "display_name", "") or scope.person_name
    if licence.holder_kind == HolderKind.ORGANIZATION:
        return f"{licence.holder_name}（经办人{name}）"
    return f"持证人本人（{name}）"


@login_required
@require_http_methods(["GET", "POST"])
def copy(request, pk: int):
    """POST /licences/mine/<id>/copy/ — the watermarked copy (加注件) as PDF, logged. A GET (the
    长辈版 switch on a page re-shown after an error) leads back to the licence."""
    scope, refusal = _scope_or_refuse(request)
    if refusal:
        return refusal
    licence = selectors.wallet_licence(scope, pk)
    if licence is None:
        raise Http404("证照不存在")
    if request.method == "GET":
        return redirect("licences:mine_detail", pk=licence.pk)
    form = CopyForm(request.POST)
    if not form.is_valid():
        return _detail(request, scope, licence, form=form, status=400)
    try:
        body = documents.licence_copy_make(
            licence=licence,
            purpose=form.cleaned_data["purpose"],
            kind=LicenceUse.Kind.HOLDER,
            user=request.user,
            label=_holder_label(request, scope, licence),
            base_url=request.build_absolute_uri("/"),
        )
    except ValidationError as e:
        return _detail(request, scope, licence, form=form, copy_error="；".join(e.messages), status=400)
    except pdf.PdfUnavailable as e:
        return _detail(request, scope, licence, form=form, copy_error=str(e), status=503)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, documents.copy_filename(licence))
    response["Cache-Control"] = "no-store"
    return response
