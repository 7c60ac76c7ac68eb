# ruff: noqa: F811  (the fixtures of test_apply are imported by name)
"""The apply form refuses over-long text without cutting it, and folds full-width identifiers
(issue 10, fixes 6 and 9)."""

import pytest

from banhao.cases.models import Case
from banhao.cases.tests.test_apply import (  # noqa: F401  (fixtures)
    APPLICATION_FORM,
    _form,
    _html,
    _pdf,
    _url,
    applicant,
    impl,
    media,
    person,
)

pytestmark = pytest.mark.django_db
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def test_a_10000_character_field_is_refused_with_its_limit_and_the_text_is_kept(client, impl, applicant):
    text = "长" * 9_999 + "尾"
    response = client.post(_url(impl), {**_form(applicant, f_remark=text), APPLICATION_FORM: _pdf()})
    html = _html(response)
    assert response.status_code == 400
    assert "“备注”不能超过50个字，当前10000个字。" in html
    assert f">{text}</textarea>" in html  # nothing cut: the applicant shortens it
    assert not Case.objects.exists()


def test_a_full_width_resident_id_and_phone_are_accepted_as_the_registered_ones(client, impl, applicant):
    form = _form(
        applicant,
        f_applicant_id=applicant.resident_id.translate(FULL_WIDTH),
        f_mobile="１３９ ００００ ０００２",
        contact_phone="０５３９－８１２３４５６",
    )
    response = client.post(_url(impl), {**form, APPLICATION_FORM: _pdf()})
    assert response.status_code == 302, _html(response)
    case = Case.objects.get()
    assert case.form_data["applicant_id"] == applicant.resident_id
    assert case.form_data["mobile"] == "13900000002"
    assert case.contact_phone == "0539-8123456"


def test_a_resident_id_with_digits_of_another_script_is_refused(client, impl, applicant):
    spoofed = "\u0663" + applicant.resident_id[1:]
    response = client.post(_url(impl), {**_form(applicant, f_applicant_id=spoofed), APPLICATION_FORM: _pdf()})
    assert response.status_code == 400
    assert "公民身份号码前17位应为数字" in _html(response)
    assert not Case.objects.exists()


def test_a_pdf_with_javascript_is_refused_at_the_apply_form_and_not_stored(client, impl, applicant, media):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from banhao.core.uploads import PDF_ACTIVE

    evil = b"%PDF-1.7\n1 0 obj<</Type /Catalog /OpenAction <</S /JavaScript /JS (app.alert(1))>>>>endobj\n%%EOF\n"
    upload = SimpleUploadedFile("申请书.pdf", evil, content_type="application/pdf")
    response = client.post(_url(impl), {**_form(applicant), APPLICATION_FORM: upload})
    assert response.status_code == 400
    assert PDF_ACTIVE in _html(response)
    assert not Case.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13800000001", "13800000001"),
        ("+86 138 0000 0001", "13800000001"),  # the registry's mobile rule: country code dropped
        ("１３８００００００01", "13800000001"),  # full-width digits folded
        ("0539-8123456", "0539-8123456"),  # a landline keeps its area code
    ],
)
def test_the_contact_phone_follows_the_one_mobile_rule_of_the_registry(typed, stored):
    from banhao.cases.apply_forms import normalize_phone
    from banhao.registry.api import normalize_mobile

    assert normalize_phone(typed) == stored
    if not stored.startswith("0"):
        assert normalize_mobile(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "23800000001", "1380000000１2", "٠١٣٨٠٠٠٠٠٠٠١"])
def test_a_contact_phone_neither_mobile_nor_landline_is_refused_in_chinese(typed):
    from django.core.exceptions import ValidationError

    from banhao.cases.apply_forms import PHONE_MESSAGE, normalize_phone

    with pytest.raises(ValidationError) as refused:
        normalize_phone(typed)
    assert refused.value.messages == [PHONE_MESSAGE]
