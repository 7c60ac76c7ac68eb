"""Checking uploaded files: size, the real type sniffed from the content, and active content.

The extension a user gives a file is not trusted: a renamed executable is refused because its
first bytes are not those of the type its name claims. Each kind lists the extensions it may
carry and the signatures its content must start with.

A file of the right type can still carry something that runs when a clerk opens it (issue 10,
fix 9), and such files are refused rather than stored:

- a PDF with JavaScript or automatic actions (/JS, /JavaScript, /AA, /Launch; an /OpenAction
  that runs script is caught by its /JS). Names are read with their #xx escapes decoded, and
  Flate-compressed streams (object streams hide dictionaries there) are inflated and read too;
- an image that is also something else: bytes after a PNG's IEND chunk, or SVG/HTML/script
  markup anywhere in a PNG or JPEG outside the PNG's compressed pixel data.
"""

from __future__ import annotations

import re
import zlib
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
    if kind.content_type in _ACTIVE_CHECKS:
        upload.seek(0)
        data = upload.read()
        upload.seek(0)
        _ACTIVE_CHECKS[kind.content_type](data)
    return kind


# --- active content ----------------------------------------------------------------------------

PDF_ACTIVE = "PDF文件含有脚本或自动执行的动作（如JavaScript、打开即运行），为安全起见已拒绝。请用“打印为PDF”或扫描重新生成普通PDF后上传。"
IMAGE_TRAILER = (
    "图片文件在图像结束后还附带了其他内容（可能是伪装成图片的网页或程序），已拒绝。请重新保存或截图后上传。"
)
IMAGE_MARKUP = "图片文件中含有网页或脚本代码（如SVG、HTML），已拒绝。请重新保存图片后上传。"

_PDF_NAME = re.compile(rb"/([^\s/\[\]()<>{}%]+)")
_PDF_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_ACTIVE_NAMES = {b"JS", b"JavaScript", b"AA", b"Launch"}
_PDF_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_INFLATE_LIMIT = 64 * 1024 * 1024  # inflated bytes read per file at most (a zip bomb stops here)
_MARKUP = re.compile(
    rb"<\s*(?:script|svg|html|body|iframe|object|embed|!doctype\s+html)\b|javascript:|\bon(?:load|error)\s*=",
    re.IGNORECASE,
)


def _pdf_has_active_name(data: bytes) -> bool:
    for match in _PDF_NAME.finditer(data):
        name = _PDF_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        if name in _PDF_ACTIVE_NAMES:
            return True
    return False


def _pdf_streams(data: bytes):
    """The inflated contents of the file's Flate streams (others fail to inflate and are skipped)."""
    budget = _INFLATE_LIMIT
    for match in _PDF_STREAM.finditer(data):
        if budget <= 0:
            return
        start = match.end()
        end = data.find(b"endstream", start)
        if end < 0:
            end = len(data)
        inflater = zlib.decompressobj()
        try:
            out = inflater.decompress(data[start:end], budget)
        except zlib.error:
            continue
        budget -= len(out)
        yield out


def _check_pdf(data: bytes) -> None:
    if _pdf_has_active_name(data) or any(_pdf_has_active_name(s) for s in _pdf_streams(data)):
        raise ValidationError(PDF_ACTIVE, code="active_content")


def _png_chunks(data: bytes):
    """(type, start, end) of each chunk's data, from the signature on, until IEND or a broken
    length; the last item is ("END", offset after IEND or -1 when IEND was never reached, 0)."""
    pos = 8
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        ctype = data[pos + 4 : pos + 8]
        start, end = pos + 8, pos + 8 + length
        if end + 4 > len(data):
            break
        yield ctype, start, end
        pos = end + 4
        if ctype == b"IEND":
            yield b"END", pos, 0
            return
    yield b"END", -1, 0


def _check_png(data: bytes) -> None:
    readable = []  # every byte except the compressed pixel data (IDAT), where markup is noise
    last = 8
    after_iend = -1
    for ctype, start, end in _png_chunks(data):
        if ctype == b"END":
            after_iend = start
            break
        if ctype == b"IDAT":
            readable.append(data[last:start])
            last = end
    if after_iend < 0:
        readable.append(data[last:])  # no proper end: read everything left
    else:
        readable.append(data[last:after_iend])
        if data[after_iend:].strip(b"\x00"):
            raise ValidationError(IMAGE_TRAILER, code="active_content")
    if any(_MARKUP.search(part) for part in readable):
        raise ValidationError(IMAGE_MARKUP, code="active_content")


def _check_jpeg(data: bytes) -> None:
    # Bytes after the end marker are common (phones append previews and motion clips), so
    # only markup is refused.
    if _MARKUP.search(data):
        raise ValidationError(IMAGE_MARKUP, code="active_content")


_ACTIVE_CHECKS = {"application/pdf": _check_pdf, "image/png": _check_png, "image/jpeg": _check_jpeg}
