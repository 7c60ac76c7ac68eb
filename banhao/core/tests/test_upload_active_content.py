"""Uploads that would run something when a clerk opens them are refused (issue 10, fix 9)."""

import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from banhao.core.uploads import IMAGE_MARKUP, IMAGE_TRAILER, PDF_ACTIVE, check_upload

KINDS = ("pdf", "jpg", "png")


def pdf(*objects: bytes) -> bytes:
    body = b"".join(b"%d 0 obj\n%s\nendobj\n" % (i + 1, o) for i, o in enumerate(objects))
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + body + b"trailer<</Root 1 0 R>>\n%%EOF\n"


def flate_stream(content: bytes, extra: bytes = b"") -> bytes:
    packed = zlib.compress(content)
    return b"<</Length %d /Filter /FlateDecode%s>>\nstream\n%s\nendstream" % (len(packed), extra, packed)


def chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))


def png(*extra_chunks: bytes, idat: bytes | None = None) -> bytes:
    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    pixels = chunk(b"IDAT", idat if idat is not None else zlib.compress(b"\x00\x00"))
    return b"\x89PNG\r\n\x1a\n" + header + b"".join(extra_chunks) + pixels + chunk(b"IEND", b"")


def jpeg(*segments: bytes, scan: bytes = b"\x11" * 64, trailer: bytes = b"") -> bytes:
    """SOI, APP0, the given marker segments, a scan header, entropy-coded bytes, EOI, trailer."""
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sos = b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"
    stuffed = scan.replace(b"\xff", b"\xff\x00")  # as an encoder writes 0xFF inside image data
    return b"\xff\xd8" + app0 + b"".join(segments) + sos + stuffed + b"\xff\xd9" + trailer


def comment(text: bytes) -> bytes:
    return b"\xff\xfe" + struct.pack(">H", len(text) + 2) + text


JPEG = jpeg()


def check(name: str, data: bytes):
    return check_upload(SimpleUploadedFile(name, data), allowed=KINDS, max_bytes=1024 * 1024)


def refused(name: str, data: bytes) -> str:
    with pytest.raises(ValidationError) as err:
        check(name, data)
    assert err.value.code == "active_content"
    return err.value.messages[0]


CATALOG = b"<</Type /Catalog /Pages 2 0 R>>"
PAGES = b"<</Type /Pages /Kids [3 0 R] /Count 1>>"
PAGE = b"<</Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]>>"


def test_plain_documents_and_images_pass():
    assert check("申请书.pdf", pdf(CATALOG, PAGES, PAGE)).label == "PDF"
    # An /OpenAction that only opens a page at a zoom is no script.
    assert check("a.pdf", pdf(b"<</Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit]>>", PAGES, PAGE))
    assert check("照片.png", png(chunk(b"tEXt", b"Software\x00Scanner 2.1"))).label == "PNG图片"
    assert check("照片.png", png() + b"\x00" * 16)  # zero padding after IEND is harmless
    assert check("照片.png", png(idat=zlib.compress(b"\x00\x00") + b"<svg"))  # pixel bytes are noise
    assert check("照片.jpg", jpeg(trailer=bytes(range(256)) * 40))  # phones append clips after EOI
    assert check("照片.jpg", jpeg(comment(b"Scanned by Office Lens")))
    xmp = b'<?xpacket begin=""?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    assert check("照片.png", png(chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x00\x00\x00\x00" + xmp)))


@pytest.mark.parametrize(
    "catalog",
    [
        b"<</Type /Catalog /Pages 2 0 R /OpenAction <</S /JavaScript /JS (app.alert(1))>>>>",
        b"<</Type /Catalog /Pages 2 0 R /Names <</JavaScript 4 0 R>>>>",
        b"<</Type /Catalog /Pages 2 0 R /OpenAction <</S /J#61vaScript /J#53 (x)>>>>",
        b"<</Type /Catalog /Pages 2 0 R /AA <</O 5 0 R>>>>",
        b"<</Type /Catalog /Pages 2 0 R /OpenAction <</S /Launch /F (cmd.exe)>>>>",
        b"<</Type /Catalog /Pages 2 0 R /OpenAction<</S/JS/JS(x)>>>>",
    ],
)
def test_a_pdf_with_script_or_automatic_actions_is_refused_in_chinese(catalog):
    message = refused("申请书.pdf", pdf(catalog, PAGES, PAGE))
    assert message == PDF_ACTIVE and "JavaScript" in message


def test_script_hidden_in_a_compressed_object_stream_is_found():
    hidden = b"5 0 <</S /JavaScript /JS (app.alert(1))>>"
    assert refused("a.pdf", pdf(CATALOG, PAGES, PAGE, flate_stream(hidden, b" /Type /ObjStm /N 1 /First 4")))


def test_a_compressed_stream_without_script_passes():
    assert check("a.pdf", pdf(CATALOG, PAGES, PAGE, flate_stream(b"BT /F1 12 Tf (Hello) Tj ET")))


def test_a_png_with_a_page_after_its_end_is_refused():
    assert refused("照片.png", png() + b"<html><script>alert(1)</script></html>") == IMAGE_TRAILER
    assert refused("照片.png", png() + b"PK\x03\x04 a zip after the image") == IMAGE_TRAILER


@pytest.mark.parametrize(
    "markup",
    [
        b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
        b"<SCRIPT>alert(1)</SCRIPT>",
        b"<!DOCTYPE html>",
    ],
)
def test_markup_inside_an_image_is_refused(markup):
    assert refused("照片.png", png(chunk(b"tEXt", b"Comment\x00" + markup))) == IMAGE_MARKUP
    assert refused("照片.jpg", jpeg(comment(markup))) == IMAGE_MARKUP


def test_an_svg_wearing_a_png_header_without_an_end_is_refused():
    assert refused("照片.png", b"\x89PNG\r\n\x1a\n<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>")


def test_a_page_after_a_jpeg_is_refused_but_markup_like_bytes_in_the_image_data_are_not():
    page = b"<html><body><script>fetch('/api/v1/cases/')</script></body></html>"
    assert refused("照片.jpg", jpeg(trailer=b"\n" + page)) == IMAGE_TRAILER
    assert check("照片.jpg", jpeg(scan=b"\x12\xffrandom <svg onload= <script\x00" * 50))


def test_name_like_bytes_inside_an_image_stream_of_a_pdf_are_not_actions():
    image = b"<</Type /XObject /Subtype /Image /Length 40 /Filter /DCTDecode>>\nstream\n"
    image += b"\x00/JS /AA(/Launch \xff\xd8" * 3 + b"\nendstream"
    assert check("扫描件.pdf", pdf(CATALOG, PAGES, PAGE, image))


def test_an_object_stream_named_with_escapes_is_still_read():
    hidden = b"5 0 <</S /JavaScript /JS (app.alert(1))>>"
    assert refused(
        "a.pdf", pdf(CATALOG, PAGES, PAGE, flate_stream(hidden, b" /Type /Obj#53tm /N 1 /First 4"))
    )


def test_a_scanned_pdf_of_19_mb_of_random_image_bytes_passes():
    import random

    noise = random.Random(7).randbytes(19_000_000)
    image = b"<</Type /XObject /Subtype /Image /Length 19000000 /Filter /DCTDecode>>\nstream\n" + noise
    kind = check_upload(
        SimpleUploadedFile("扫描件.pdf", pdf(CATALOG, PAGES, PAGE, image + b"\nendstream")),
        allowed=KINDS,
        max_bytes=20 * 1024 * 1024,
    )
    assert kind.label == "PDF"
