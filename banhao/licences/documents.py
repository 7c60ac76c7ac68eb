"""A licence as PDF: its face (照面) and the watermarked copy (加注件) a holder or a department
hands on for one stated purpose.

The face carries the title (证照名称), every face field under the label its type gives it, the
metadata (证照编号, 电子证照标识, 持证主体, 颁发机构, 颁发日期, 有效期), the issuer's seal
line as on the cases' notices (颁发机构名称, （印章）, the date of issue), a QR code of the
public verification page (services.verification_url) and a footer naming the signature
algorithm and key id.

A copy (加注件) is the same face under a diagonal watermark repeated over the page — the
purpose (用途/用证事由), who made it, when, "本加注件有效期至 <date>" and the licence's status
at that moment — with the same statement in a box under the face. A copy is made only of a
licence whose verification says valid: a suspended, revoked, expired or tampered licence
yields none (ValidationError in Chinese), and every copy made is logged as a LicenceUse
(kind "copy" when shared, "holder" when the holder takes it for themselves; the purpose is
the reason). The copy's own validity is ``BANHAO_LICENCE_COPY_DAYS`` days (default 30).

The pipeline (WeasyPrint, embedded CJK fonts, the Chinese PdfUnavailable) and the QR code are
banhao.core.pdf and banhao.core.qr, as for the cases' notices.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone

from banhao.core import pdf
from banhao.core.qr import qr_data_uri

from . import services
from .models import Licence, LicenceUse

DEFAULT_COPY_DAYS = 30

ALGORITHM_LABELS = {"sm2": "SM2/SM3（国密）", "ed25519": "Ed25519"}

# What a verification status means for a copy that cannot be made.
REFUSALS = {
    "suspended": "暂停使用",
    "revoked": "已注销",
    "expired": "已过期",
    "tampered": "签名核验未通过（证照数据可能被篡改）",
    "unknown": "不存在",
}
STATUS_LABELS = {"valid": "有效", **REFUSALS}


def cn_date(d: dt.date | dt.datetime | None) -> str:
    """2026年2月27日."""
    if d is None:
        return ""
    if isinstance(d, dt.datetime):
        d = timezone.localdate(d) if timezone.is_aware(d) else d.date()
    return f"{d.year}年{d.month}月{d.day}日"


def copy_days() -> int:
    """How many days a copy (加注件) stays valid: BANHAO_LICENCE_COPY_DAYS, default 30."""
    try:
        days = int(getattr(settings, "BANHAO_LICENCE_COPY_DAYS", DEFAULT_COPY_DAYS))
    except (TypeError, ValueError):
        return DEFAULT_COPY_DAYS
    return days if days > 0 else DEFAULT_COPY_DAYS


def face_rows(licence: Licence) -> list[tuple[str, str]]:
    """(label, value) of the face in the order the type defines, then any field the type no
    longer defines under its key (a stored face is never hidden)."""
    rows, seen = [], set()
    for f in licence.type.fields:
        key = f["key"]
        seen.add(key)
        value = licence.face.get(key)
        if value not in (None, ""):
            rows.append((f.get("label") or key, str(value)))
    rows.extend((key, str(value)) for key, value in licence.face.items() if key not in seen and value)
    return rows


def validity_text(licence: Licence) -> str:
    if licence.valid_until is None:
        return f"{cn_date(licence.valid_from)}起长期有效"
    return f"{cn_date(licence.valid_from)}至{cn_date(licence.valid_until)}"


def metadata_rows(licence: Licence) -> list[tuple[str, str]]:
    return [
        ("证照编号", licence.number),
        ("电子证照标识", licence.identifier),
        ("持证主体", licence.holder_name),
        ("持证主体代码", licence.holder_code),
        ("颁发机构", licence.issuer_name),
        ("颁发日期", cn_date(licence.issued_on)),
        ("有效期", validity_text(licence)),
    ]


@dataclass(frozen=True)
class CopyMark:
    """What a copy's watermark states."""

    purpose: str
    user_label: str
    made_at: dt.datetime
    valid_until: dt.date
    status_label: str

    @property
    def made_text(self) -> str:
        made = timezone.localtime(self.made_at) if timezone.is_aware(self.made_at) else self.made_at
        return f"{made:%Y-%m-%d %H:%M}"

    @property
    def lines(self) -> list[str]:
        return [
            f"仅供{self.purpose}使用",
            f"使用人：{self.user_label}",
            f"生成时间：{self.made_text}",
            f"本加注件有效期至{cn_date(self.valid_until)}",
            f"生成时证照状态：{self.status_label}",
        ]


def licence_context(licence: Licence, *, base_url: str | None = None, mark: CopyMark | None = None) -> dict:
    url = services.verification_url(licence.identifier, base_url=base_url)
    return {
        "licence": licence,
        "title": licence.name,
        "face": face_rows(licence),
        "metadata": metadata_rows(licence),
        "issued_cn": cn_date(licence.issued_on),
        "verification_url": url,
        "qr": qr_data_uri(url),
        "algorithm_label": ALGORITHM_LABELS.get(licence.algorithm, licence.algorithm),
        "mark": mark,
        # the watermark repeated over the page: enough tiles to cover an A4 sheet
        "mark_tiles": range(16) if mark else (),
        "site": settings.BANHAO_SITE,
    }


def licence_html(licence: Licence, *, base_url: str | None = None, mark: CopyMark | None = None) -> str:
    """The face (or, with ``mark``, the copy) as a complete HTML document — what the PDF is made of."""
    data = licence_context(licence, base_url=base_url, mark=mark)
    data["fonts"] = pdf.font_stacks()
    return render_to_string("licences/licence_pdf.html", data)


def render_licence(licence: Licence, *, base_url: str | None = None) -> bytes:
    """The licence face as PDF (no watermark: for the issuer's own print and archive)."""
    pdf.check_available()
    return pdf.render_pdf(licence_html(licence, base_url=base_url))


def copy_refusal(licence: Licence) -> str | None:
    """Why no copy can be made of the licence now (None when it can)."""
    status = services.verify_status(licence)
    if status == "valid":
        return None
    return f"《{licence.name}》当前{REFUSALS.get(status, status)}，不能生成加注件。"


def licence_copy_make(
    *,
    licence: Licence,
    purpose: str,
    kind: str = LicenceUse.Kind.COPY,
    user=None,
    client=None,
    label: str = "",
    base_url: str | None = None,
) -> bytes:
    """The watermarked copy (加注件) of a valid licence for ``purpose`` (用证事由, required,
    ≤200 characters), logged as a LicenceUse. Raises ValidationError in Chinese (missing or too
    long purpose, a licence not valid) and pdf.PdfUnavailable; nothing is logged then."""
    if kind not in (LicenceUse.Kind.COPY, LicenceUse.Kind.HOLDER):
        raise ValueError(kind)
    try:
        purpose = services.use_reason(purpose)
    except ValidationError as e:
        raise ValidationError(e.messages[0].replace("用证事由", "用途（用证事由）"), code=e.code) from None
    refusal = copy_refusal(licence)
    if refusal:
        raise ValidationError(refusal, code="not_valid")
    pdf.check_available()
    made_at = timezone.now()
    mark = CopyMark(
        purpose=purpose,
        user_label=label or _label(user, client),
        made_at=made_at,
        valid_until=timezone.localdate(made_at) + dt.timedelta(days=copy_days()),
        status_label=STATUS_LABELS["valid"],
    )
    body = pdf.render_pdf(licence_html(licence, base_url=base_url, mark=mark))
    services.licence_use_record(
        licence=licence, kind=kind, reason=purpose, user=user, client=client, label=label
    )
    return body


def _label(user, client) -> str:
    if client is not None:
        organisation = getattr(client, "organisation", "")
        return f"{client.name}（{organisation}）" if organisation else client.name
    if getattr(user, "is_authenticated", False):
        return getattr(user, "display_name", "") or user.get_username()
    return "公众"


def copy_filename(licence: Licence) -> str:
    return f"{licence.name}-{licence.number}-加注件.pdf"


def face_filename(licence: Licence) -> str:
    return f"{licence.name}-{licence.number}.pdf"
