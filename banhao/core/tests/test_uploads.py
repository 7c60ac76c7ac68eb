"""Uploads are checked by size and by their real content, not by the name they carry."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from banhao.core.uploads import FORMS, check_upload

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_real_pdf_is_accepted_as_pdf():
    kind = check_upload(SimpleUploadedFile("申请表.PDF", PDF), allowed=FORMS, max_bytes=1024)
    assert kind.content_type == "application/pdf"


def test_a_renamed_executable_is_refused_in_chinese():
    with pytest.raises(ValidationError) as err:
        check_upload(
            SimpleUploadedFile("申请表.pdf", b"MZ\x90\x00\x03" + b"\x00" * 60), allowed=FORMS, max_bytes=1024
        )
    assert err.value.code == "disguised" and "文件内容与扩展名不符" in err.value.messages[0]


def test_a_word_name_on_pdf_content_is_refused():
    with pytest.raises(ValidationError) as err:
        check_upload(SimpleUploadedFile("样表.docx", PDF), allowed=FORMS, max_bytes=1024)
    assert err.value.code == "disguised"


def test_an_oversized_file_is_refused_with_the_limit():
    with pytest.raises(ValidationError) as err:
        check_upload(
            SimpleUploadedFile("大.pdf", PDF + b"0" * 3_000_000), allowed=FORMS, max_bytes=2 * 1024 * 1024
        )
    assert err.value.code == "too_large" and "不能超过 2 MB" in err.value.messages[0]


@pytest.mark.parametrize("name", ["病毒.exe", "脚本.html", "无扩展名"])
def test_types_outside_the_list_are_refused(name):
    with pytest.raises(ValidationError) as err:
        check_upload(SimpleUploadedFile(name, PDF), allowed=FORMS, max_bytes=1024)
    assert err.value.code == "type" and "请上传" in err.value.messages[0]


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as err:
        check_upload(SimpleUploadedFile("空.pdf", b""), allowed=FORMS, max_bytes=1024)
    assert err.value.code == "empty"
