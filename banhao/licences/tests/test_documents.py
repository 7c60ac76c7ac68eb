"""The licence face and its watermarked copy (加注件) as PDF."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pypdf import PdfReader

from banhao.licences import documents, services
from banhao.licences.models import Licence, LicenceUse

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def test_the_face_pdf_carries_the_fields_the_metadata_the_seal_line_the_qr_and_the_signature(issue):
    licence = issue("business", scope="餐饮服务")
    pdf = documents.render_licence(licence, base_url="https://zwfw.example/")
    assert pdf[:5] == b"%PDF-" and len(PdfReader(io.BytesIO(pdf)).pages) == 1
    text = text_of(pdf)
    for expected in (
        "营业执照",
        "统一社会信用代码",
        "经营范围",
        "餐饮服务",
        "电子证照标识",
        licence.identifier,
        "颁发机构",
        "长期有效",
        "（印章）",
        "SM2/SM3",
        licence.key_id,
    ):
        assert expected in text, expected
    assert "加注件" not in text
    html = documents.licence_html(licence, base_url="https://zwfw.example/")
    assert 'src="data:image/svg+xml;base64,' in html
    assert services.verification_url(licence.identifier, base_url="https://zwfw.example/") in html


def test_a_copy_states_purpose_user_time_its_own_validity_and_the_status(issue, settings):
    settings.BANHAO_LICENCE_COPY_DAYS = 10
    licence = issue("business")
    pdf = documents.licence_copy_make(
        licence=licence, purpose="向银行申请开立对公账户", label="某银行兰山支行"
    )
    text = text_of(pdf)
    until = timezone.localdate() + dt.timedelta(days=10)
    assert f"本加注件有效期至{until.year}年{until.month}月{until.day}日" in text
    assert "向银行申请开立对公账户" in text and "某银行兰山支行" in text and "生成时证照状态：有效" in text
    html = documents.licence_html(
        licence,
        mark=documents.CopyMark("银行开户", "某银行", timezone.now(), until, "有效"),
    )
    assert html.count("仅供银行开户使用") >= 10  # the watermark repeats over the page
    use = LicenceUse.objects.get()
    assert use.kind == LicenceUse.Kind.COPY and use.user_label == "某银行兰山支行"


def test_no_copy_of_a_suspended_expired_or_tampered_licence_and_nothing_is_logged(issue):
    suspended = issue("works", project="一号工程")
    services.licence_suspend(actor="测试", licence=suspended, reason="立案调查")
    suspended.refresh_from_db()
    expired = issue("food", operator="临沂某餐饮有限公司")
    Licence.objects.filter(pk=expired.pk).update(valid_until=dt.date(2020, 1, 1))
    expired.refresh_from_db()  # signed with another end date: reads as tampered
    tampered = issue("works", project="二号工程")
    Licence.objects.filter(pk=tampered.pk).update(face={"project": "三号工程"})
    tampered.refresh_from_db()
    for licence, words in (
        (suspended, "暂停使用"),
        (expired, "签名核验未通过"),
        (tampered, "签名核验未通过"),
    ):
        with pytest.raises(ValidationError, match=words):
            documents.licence_copy_make(licence=licence, purpose="银行开户")
    assert not LicenceUse.objects.exists()


def test_a_licence_past_its_end_date_yields_no_copy(licence_types, enterprise, issue):
    issuer = issue("business").issuer_id
    licence = services.licence_issue(
        actor="测试",
        licence_type=licence_types["food"],
        issuer_id=issuer,
        organization_id=enterprise["org"].pk,
        face={"operator": "临沂某餐饮有限公司"},
        issued_on=dt.date(2020, 1, 1),
        valid_until=dt.date(2021, 1, 1),
    )
    with pytest.raises(ValidationError, match="已过期"):
        documents.licence_copy_make(licence=licence, purpose="银行开户")


def test_a_copy_needs_a_purpose_of_at_most_200_characters(issue):
    licence = issue("business")
    with pytest.raises(ValidationError, match="请填写用途"):
        documents.licence_copy_make(licence=licence, purpose="")
    with pytest.raises(ValidationError, match="不得超过200字"):
        documents.licence_copy_make(licence=licence, purpose="开" * 201)
    assert not LicenceUse.objects.exists()
