"""Checking uploaded files: size, and the real type sniffed from the content.

The extension a user gives a file is not trusted: a renamed executable is refused because its
first bytes are not those of the type its name claims. Each kind lists the extensions it may
carry and the signatures its content must start with.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError


@dataclass(frozen=True)
class Kind:
    label: str
    extensions: tuple[str, ...]
    signatures: tuple[bytes, ...]
    content_type: str


KINDS: dict[str, Kind] = {
    "pdf": Kind("PDF", (".pdf",), (b"%PDF-",), "application/pdf"),
    "jpg": Kind("JPG图片", (".jpg", ".jpeg"), (b"\xff\xd8\xff",), "image/jpeg"),
    "png": Kind("PNG图片", (".png",), (b"\x89PNG\r\n\x1a\n",), "image/png"),
    "ofd": Kind("OFD版式文件", (".ofd",), (b"PK\x03\x04",), "application/ofd"),
    "docx": Kind(
        "Word文档",
        (".docx",),
        (b"PK\x03\x04",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": Kind(
        "Excel工作簿",
        (".xlsx",),
        (b"PK\x03\x04",),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "doc": Kind("Word文档", (".doc",), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",), "application/msword"),
    "xls": Kind("Excel工作簿", (".xls",), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",), "application/vnd.ms-excel"),
}
FORMS = ("pdf", "docx", "doc", "xlsx", "xls", "jpg", "png", "ofd")  # blank forms and samples


def check_upload(upload, *, allowed: tuple[str, ...], max_bytes: int) -> Kind:
    """Returns the file's kind, or raises ValidationError with a Chinese message."""
    name = (getattr(upload, "name", "") or "").lower()
    size = getattr(upload, "size", None)
    if size is None or size == 0:
        raise ValidationError("文件是空的，请重新选择。", code="empty")
    if size > max_bytes:
        raise ValidationError(
            "文件太大（%(size).1f MB），不能超过 %(limit)d MB。",
            code="too_large",
            params={"size": size / 1e6, "limit": max_bytes // (1024 * 1024)},
        )
    kind = next((KINDS[k] for k in allowed if name.endswith(KINDS[k].extensions)), None)
    if kind is None:
        labels = "、".join(dict.fromkeys(KINDS[k].label for k in allowed))
        raise ValidationError(
            "不支持这种文件类型，请上传：%(labels)s。", code="type", params={"labels": labels}
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(kind.signatures):
        raise ValidationError(
            "文件内容与扩展名不符（不是真正的%(label)s），已拒绝。",
            code="disguised",
            params={"label": kind.label},
        )
    return kind
