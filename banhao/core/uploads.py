"""Checking uploaded files: size, the real type sniffed from the content, and active content.

The extension a user gives a file is not trusted: a renamed executable is refused because its
first bytes are not those of the type its name claims. Each kind lists the extensions it may
carry and the signatures its content must start with.

A file of the right type can still carry something that runs when a clerk opens it (issue 10,
fix 9), and such files are refused rather than stored:

- a PDF with JavaScript or automatic actions (/JS, /JavaScript, /AA, /Launch; an /OpenAction
  that runs script is caught by its /JS). Names are read with their #xx escapes decoded, in the
  file's syntax and in its object streams (inflated: PDF 1.5+ keeps dictionaries there); other
  stream bodies (images, fonts) are skipped, since random image bytes spell /JS now and then;
- an image that is also something else: bytes after a PNG's IEND chunk, a page of markup after
  a JPEG's end, or SVG/HTML/script markup in an image's metadata (never in its pixel data,
  which is random bytes).
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


def _pdf_names(data: bytes) -> set[bytes]:
    """Every /Name in PDF syntax, with its #xx escapes decoded."""
    return {
        _PDF_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), m.group(1)) for m in _PDF_NAME.finditer(data)
    }


def _pdf_split(data: bytes):
    """The file's syntax with every stream body cut out, and the inflated bodies of its object
    streams (/Type /ObjStm, where a PDF 1.5+ keeps dictionaries). Other stream bodies (images,
    fonts, page content) are binary or drawing operators: reading names in them would find
    /JS in random image bytes, and no action dictionary lives there."""
    syntax, objects, budget, pos = [], [], _INFLATE_LIMIT, 0
    while (match := _PDF_STREAM.search(data, pos)) is not None:
        end = data.find(b"endstream", match.end())
        end = len(data) if end < 0 else end
        head = data[pos : match.start()]
        syntax.append(head)
        dictionary = head[head.rfind(b"obj") + 3 :] if b"obj" in head else head[-2048:]
        if b"ObjStm" in _pdf_names(dictionary) and budget > 0:
            try:
                inflated = zlib.decompressobj().decompress(data[match.end() : end], budget)
            except zlib.error:
                inflated = data[match.end() : end]  # not Flate: read as it is
            budget -= len(inflated)
            objects.append(inflated)
        pos = end + len(b"endstream")  # the body is skipped, never searched
    syntax.append(data[pos:])
    return b"\n".join(syntax), objects


def _check_pdf(data: bytes) -> None:
    syntax, object_streams = _pdf_split(data)
    for part in (syntax, *object_streams):
        if _pdf_names(part) & _PDF_ACTIVE_NAMES:
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


def _jpeg_parts(data: bytes) -> tuple[bytes, bytes]:
    """The marker segments before the image data (APPn metadata, comments, tables) and what
    follows the end-of-image marker. The entropy-coded image data between them is skipped:
    it is random bytes, and a marker (0xFF not followed by 0x00) cannot occur inside it, so
    the first end marker after it is the image's end."""
    pos, n = 2, len(data)
    while pos + 4 <= n and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker == 0xDA:  # start of scan: the image data follows its header
            scan = pos + 2 + length
            end = scan
            while True:
                end = data.find(b"\xff", end)
                if end < 0 or end + 1 >= n:
                    return data[:scan], b""
                if data[end + 1] == 0xD9:
                    return data[:scan], data[end + 2 :]
                end += 1
        pos += 2 + length
    return data, b""  # not a well-formed JPEG: read all of it


def _looks_like_text(chunk: bytes) -> bool:
    sample = chunk[:4096]
    printable = sum(1 for b in sample if 32 <= b < 127 or b in (9, 10, 13))
    return bool(sample) and printable >= 0.9 * len(sample)


def _check_jpeg(data: bytes) -> None:
    head, trailer = _jpeg_parts(data)
    if _MARKUP.search(head):
        raise ValidationError(IMAGE_MARKUP, code="active_content")
    # Bytes after the end marker are common (phones append previews and motion clips): only a
    # page of text with markup there is refused.
    if trailer.strip() and _looks_like_text(trailer.strip()) and _MARKUP.search(trailer):
        raise ValidationError(IMAGE_TRAILER, code="active_content")


_ACTIVE_CHECKS = {"application/pdf": _check_pdf, "image/png": _check_png, "image/jpeg": _check_jpeg}
