"""The notices the office issues on a case, as PDF: content, dates, fonts, and who may fetch them."""

from __future__ import annotations

import datetime as dt
import io
import os
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from banhao.cases import documents, services
from banhao.cases.tests.factories import advance
from banhao.core import pdf
from conftest import PASSWORD

pytestmark = pytest.mark.django_db
D = dt.date

ITEMS = [
    {"material": "营业执照", "reason": "已过有效期"},
    {"material": "授权委托书", "reason": "缺少委托人签字"},
    {"material": "经营场所平面图", "reason": "未标明面积"},
]


def _pdf_or_skip():
    """Skips on a machine without WeasyPrint's libraries or CJK fonts; in CI (which installs
    them) their absence is a failure."""
    try:
        pdf.check_available()
    except pdf.PdfUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PDF output unavailable in CI: {exc}")
        pytest.skip(str(exc))


def _reader(body: bytes):
    from pypdf import PdfReader

    assert body.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(body))


def _text(body: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() or "" for p in _reader(body).pages))


def _fonts_embedded(body: bytes) -> list[str]:
    """The CJK base fonts of the document; asserts every font carries its font program."""
    cjk = []
    for page in _reader(body).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            base = str(font.get("/BaseFont", "")).lstrip("/").split("+")[-1]
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), base
            if any(s in base for s in ("CJK", "SourceHan", "WenQuanYi", "UMing", "Zhuque")):
                cjk.append(base)
    return cjk


@pytest.fixture
def applicant(db):
    return get_user_model().objects.create_user(
        username="13800000001", password=PASSWORD, kind="applicant", display_name="王芳"
    )


@pytest.fixture
def case(make_case, applicant):
    return make_case(key="k1", user=applicant)


# --- formatting --------------------------------------------------------------------------------


def test_dates_are_written_the_chinese_way_without_leading_zeros():
    assert documents.cn_date(D(2026, 2, 7)) == "2026年2月7日"
    assert documents.cn_date(None) == ""


def test_the_document_number_comes_from_the_place_the_department_and_the_case_number(case):
    number = documents.document_number(case, "受")
    _, day, seq = case.number.split("-")
    assert number == f"临兰审受字〔{day[:4]}〕{day[4:]}{seq}号"


def test_a_notice_exists_only_once_the_case_reached_its_step(case):
    with pytest.raises(documents.NoticeNotApplicable):
        documents.notice_for(case, documents.ACCEPTANCE)
    with pytest.raises(documents.NoticeNotApplicable):
        documents.notice_for(case, documents.DECISION)
    assert documents.available_notices(case) == []
    case = advance(case, accepted=True, on=D(2026, 2, 13))
    assert [n["kind"] for n in documents.available_notices(case)] == ["acceptance"]
    with pytest.raises(documents.NoticeNotApplicable):
        documents.notice_for(case, "no_such_kind")


# --- each notice, as PDF -----------------------------------------------------------------------


def test_the_acceptance_notice_gives_both_dates_and_how_to_follow_up(case):
    _pdf_or_skip()
    case = advance(case, accepted=True, on=D(2026, 2, 13))
    body = documents.render_notice(case, "acceptance", base_url="https://zwfw.example.cn")
    assert _fonts_embedded(body), "a CJK font must be embedded"
    text = _text(body)
    assert "受理通知书" in text
    assert case.number in text
    assert "受理日期：2026年2月13日" in text
    assert "承诺办结日期：2026年2月27日" in text
    assert "王芳" in text and "食品经营许可（新办）" in text
    assert "兰山区行政审批服务局" in text and "（印章）" in text
    assert documents.document_number(case, "受") in text
    assert "https://zwfw.example.cn/cases/lookup/" in text  # how to follow up
    assert "我的办件" in text and "手机号码" in text
    page = _reader(body).pages[0]
    assert abs(float(page.mediabox.width) - 595.3) < 1  # A4


def test_the_correction_notice_lists_every_item_and_says_the_count_restarts(case):
    _pdf_or_skip()
    case = services.case_request_correction(actor="测试", case=case, items=ITEMS, note="请一并提交")
    body = documents.render_notice(case, "correction", base_url="http://testserver")
    assert _fonts_embedded(body)
    text = _text(body)
    assert "补正材料通知书" in text and case.number in text
    for item in ITEMS:
        assert item["material"] in text and item["reason"] in text
    assert "共3项" in text
    assert "一次性" in text and "重新计算" in text
    assert "请一并提交" in text


def test_the_refusal_notice_gives_the_reason_the_competent_office_and_the_remedies(case):
    _pdf_or_skip()
    case = services.case_refuse(
        actor="测试", case=case, reason="该事项不属于本机关职权范围", competent_office="临沂市市场监督管理局"
    )
    text = _text(documents.render_notice(case, "refusal", base_url="http://testserver"))
    assert "不予受理通知书" in text and case.number in text
    assert "该事项不属于本机关职权范围" in text
    assert "临沂市市场监督管理局" in text
    assert "六十日内" in text and "本级人民政府申请行政复议" in text
    assert "六个月内" in text and "人民法院提起行政诉讼" in text


def test_the_special_procedure_notice_says_which_procedure_and_how_long(case):
    _pdf_or_skip()
    case = advance(case, accepted=True, on=D(2026, 2, 13))
    case = services.case_suspend(
        actor="测试", case=case, kind="expert", reason="需组织专家评审", expected_days=5, on=D(2026, 3, 2)
    )
    text = _text(documents.render_notice(case, "special_procedure", base_url="http://testserver"))
    assert "特别程序告知书" in text and case.number in text
    assert "专家评审" in text and "需组织专家评审" in text
    assert "2026年3月2日" in text and "5个工作日" in text
    assert "预计于2026年3月6日前结束" in text  # 3/2 … 3/6, Monday to Friday
    assert "不计算在办理期限内" in text


def test_an_extension_is_a_notice_of_its_own_name(case):
    case = advance(case, accepted=True, on=D(2026, 2, 13))
    case = services.case_suspend(
        actor="测试", case=case, kind="extension", reason="情况复杂", expected_days=10, on=D(2026, 3, 2)
    )
    notice = documents.notice_for(case, "special_procedure")
    assert notice.title == "延期告知书"
    assert "第四十二条" in documents.notice_html(case, "special_procedure", base_url="http://testserver")


def test_an_approval_is_a_decision_to_grant_naming_the_result(case):
    _pdf_or_skip()
    case = advance(case, approved=True, on=D(2026, 2, 13))
    text = _text(documents.render_notice(case, "decision", base_url="http://testserver"))
    assert "准予行政许可决定书" in text and case.number in text
    assert "食品经营许可证" in text
    assert "2026年2月13日" in text  # accepted on
    assert documents.document_number(case, "许") in text


def test_a_denial_gives_reasons_and_remedies(case):
    _pdf_or_skip()
    case = advance(case, denied=True, reason="经营场所与食品安全要求不符", on=D(2026, 2, 13))
    body = documents.render_notice(case, "decision", base_url="http://testserver")
    assert _fonts_embedded(body)
    text = _text(body)
    assert "不予行政许可决定书" in text and case.number in text
    assert "经营场所与食品安全要求不符" in text
    assert "申请行政复议" in text and "提起行政诉讼" in text


def test_the_notice_carries_a_qr_code_of_the_case_status_page(case):
    case = advance(case, accepted=True, on=D(2026, 2, 13))
    html = documents.notice_html(case, "acceptance", base_url="https://zwfw.example.cn/")
    assert re.search(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', html)
    assert documents.status_url(case, "https://zwfw.example.cn/") == (
        f"https://zwfw.example.cn/cases/{case.number}/"
    )


# --- the view: who may fetch a notice ---------------------------------------------------------


def _url(case, kind="acceptance"):
    return reverse("cases:notice", args=[case.number, kind])


def test_the_applicant_downloads_their_notice(client, case, applicant):
    _pdf_or_skip()
    case = advance(case, accepted=True, on=D(2026, 2, 13))
    client.force_login(applicant)
    response = client.get(_url(case))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    text = _text(response.content)
    assert "http://testserver/cases/lookup/" in text
    assert client.get(_url(case)).content == response.content  # cached


def test_staff_in_scope_may_fetch_a_notice(client, case, make_staff):
    _pdf_or_skip()
    case = advance(case, accepted=True, on=D(2026, 2, 13))
    client.force_login(make_staff("window_clerk", region="lanshan"))
    assert client.get(_url(case)).status_code == 200


def test_another_applicant_and_staff_outside_the_scope_get_404(client, case, make_staff, make_department):
    case = advance(case, accepted=True, on=D(2026, 2, 13))
    other = get_user_model().objects.create_user(username="13900000002", password=PASSWORD, kind="applicant")
    client.force_login(other)
    assert client.get(_url(case)).status_code == 404
    client.force_login(make_staff("window_clerk", region="yinan"))
    assert client.get(_url(case)).status_code == 404
    # a reviewer of the same district but another department
    dept = make_department("兰山区市场监督管理局", region="lanshan")
    client.force_login(make_staff("reviewer", region="lanshan", department=dept))
    assert client.get(_url(case)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, case):
    response = client.get(_url(advance(case, accepted=True, on=D(2026, 2, 13))))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_notice_not_yet_issued_answers_404_in_chinese(client, case, applicant):
    client.force_login(applicant)
    response = client.get(_url(case, "decision"))
    assert response.status_code == 404
    html = response.content.decode()
    assert "本办件尚未出具行政许可决定书" in html
    response = client.get(_url(case, "nonsense"))
    assert response.status_code == 404 and "没有这种文书" in response.content.decode()


def test_pdf_output_unavailable_answers_503_in_chinese(client, case, applicant, monkeypatch):
    def unavailable():
        raise pdf.PdfUnavailable("服务器未安装可嵌入的中文字体")

    monkeypatch.setattr(pdf, "check_available", unavailable)
    client.force_login(applicant)
    response = client.get(_url(advance(case, accepted=True, on=D(2026, 2, 13))))
    assert response.status_code == 503
    assert "暂时无法生成PDF" in response.content.decode()


def test_the_acceptance_notice_lists_the_materials_received(case):
    from banhao.cases.models import CaseMaterial

    CaseMaterial.objects.create(case=case, name="食品经营许可申请书")
    CaseMaterial.objects.create(case=case, name="营业执照")
    html = documents.notice_html(
        advance(case, accepted=True, on=D(2026, 2, 13)), "acceptance", base_url="http://testserver"
    )
    assert "食品经营许可申请书" in html and "营业执照" in html
    assert "申请表（网上申请）" in html
