"""The service guide page, its PDF and the clerk's work procedure."""

from __future__ import annotations

import io
import os
import re

import pytest
from django.urls import reverse

from banhao.catalog import guide_views, services
from banhao.catalog.models import Status
from banhao.core import pdf
from conftest import PASSWORD, sample_content

LOCAL = {
    "address": "兰山区政务服务中心二楼",
    "phone": "0539-8211234",
    "office_hours": "法定工作日 9:00-17:00",
    "windows": "A12综合受理窗口",
}


def _publish(content=None, *, publish_impl=True, publish_standard=True):
    version, _ = services.standard_save(actor="测试", data=content or sample_content())
    if publish_standard:
        version = services.version_publish(actor="测试", version=version)
    impl, _ = services.implementation_save(
        actor="测试",
        standard=version.item,
        region_code="371302",
        department="兰山区行政审批服务局",
        local=LOCAL,
    )
    if publish_impl:
        impl = services.implementation_publish(actor="测试", implementation=impl)
    return impl


@pytest.fixture
def impl(catalog_city):
    return _publish()


def _text(response) -> str:
    return response.content.decode()


# --- the public guide page -----------------------------------------------------------------


def test_guide_page_shows_every_section_in_the_prescribed_order(client, impl):
    response = client.get(reverse("guide:detail", args=[impl.pk]))
    assert response.status_code == 200
    html = _text(response)
    headings = re.findall(r'<h2 class="bh-section__title" id="[a-z]+-title">([^<]+)</h2>', html)
    assert headings == [
        "基本信息",
        "办理地点和时间",
        "申请条件",
        "申请材料",
        "办理流程",
        "收费标准",
        "设定依据",
        "常见问题",
    ]
    # the tab-like navigation links every section, in the same order
    nav = re.search(r'<nav class="bh-guide__nav".*?</nav>', html, re.S).group(0)
    assert re.findall(r'href="#([a-z]+)"', nav) == [sid for sid, _ in guide_views.SECTIONS]
    assert "当前位置：" in html and "办事指南" in html and "食品经营许可（新办）" in html
    assert "data-read-aloud" in html
    assert "guide.css" in html


def test_guide_page_shows_local_fields_region_and_department(client, impl):
    html = _text(client.get(reverse("guide:detail", args=[impl.pk])))
    assert "兰山区行政审批服务局" in html
    assert "兰山区" in html
    for value in LOCAL.values():
        assert value in html
    assert "371301002301-01-371302" in html  # the implementation code


def test_guide_page_lists_materials_with_their_attributes_and_situations(client, impl):
    html = _text(client.get(reverse("guide:detail", args=[impl.pk])))
    table = re.search(r'<table class="bh-table bh-guide__materials">.*?</table>', html, re.S).group(0)
    for name in ("食品经营许可申请书", "营业执照", "授权委托书"):
        assert name in table
    assert "必要" in table and "纸质和电子" in table and "原件" in table and "1份（2页）" in table
    assert "填写完整并签字盖章" in table  # acceptance standard
    assert "是否委托他人办理？是" in table  # the situation question of the agent material
    assert "所有情形" in table
    assert "空白表格" in table and "示例样表" in table
    # the shared licence is not asked for
    assert "可通过数据共享或电子证照获取，无需提交" in table
    assert "电子证照：营业执照" in table


def test_guide_page_draws_the_process_with_working_days_per_step(client, impl):
    html = _text(client.get(reverse("guide:detail", args=[impl.pk])))
    flow = re.search(r'<ol class="bh-flow".*?</ol>', html, re.S).group(0)
    names = re.findall(r'<span class="bh-flow__name">([^<]+)</span>', flow)
    assert names == ["提交申请", "受理", "审查", "决定", "办结"]
    # promised 5 days split 20/50/30
    assert re.findall(r'<span class="bh-flow__time">([^<]+)</span>', flow) == [
        "1个工作日",
        "2.5个工作日",
        "1.5个工作日",
    ]
    assert "窗口受理人员" in flow and "后台审批人员" in flow and "部门负责人" in flow


def test_guide_side_box_shows_promised_and_statutory_limits_visits_and_phones(client, impl):
    html = _text(client.get(reverse("guide:detail", args=[impl.pk])))
    side = re.search(r'<aside class="bh-guide__side".*?</aside>', html, re.S).group(0)
    text = re.sub(r"<[^>]+>", "", side)
    text = re.sub(r"\s+", " ", text)
    assert "承诺时限 5 个工作日" in text
    assert "法定时限 10 个工作日" in text
    assert "到现场次数 1 次原因：需现场核查经营场所" in text
    assert "承诺件" in text and "三级（在线办理）" in text and "全市通办" in text
    assert "0539-8211234" in text  # the implementation's phone wins over the standard's
    assert "12345" in text
    assert f'href="/apply/{impl.pk}/"' in side and "在线办理" in side and "disabled" not in side


def test_guide_page_carries_a_qr_code_of_its_own_address_and_a_pdf_link(client, impl):
    html = _text(client.get(reverse("guide:detail", args=[impl.pk])))
    assert re.search(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', html)
    assert f"http://testserver/guide/{impl.pk}/" in html  # in the QR's alt text
    assert reverse("guide:pdf", args=[impl.pk]) in html
    assert "打印/下载PDF" in html


def test_guide_fee_section_shows_lines_when_the_item_charges(client, catalog_city):
    fee = {
        "free": False,
        "lines": [
            {"name": "工本费", "standard": "每证10元", "basis": "鲁价费发〔2020〕1号", "reduction": ""}
        ],
    }
    impl = _publish(sample_content(fee=fee))
    html = _text(client.get(reverse("guide:detail", args=[impl.pk])))
    assert "工本费" in html and "每证10元" in html and "鲁价费发〔2020〕1号" in html
    assert "不收费" not in html


def test_guide_free_item_says_no_fee_and_zero_visits_say_zero_trips(client, catalog_city):
    impl = _publish(sample_content(visits=0, visit_reason="", statutory_days=None))
    html = _text(client.get(reverse("guide:detail", args=[impl.pk])))
    assert "不收费" in html
    assert "零跑腿" in html
    assert "法律未规定" in html


def test_immediate_items_are_done_on_the_spot(client, catalog_city):
    impl = _publish(sample_content(case_type="immediate", promised_days=0))
    html = _text(client.get(reverse("guide:detail", args=[impl.pk])))
    flow = re.search(r'<ol class="bh-flow".*?</ol>', html, re.S).group(0)
    assert flow.count("当场办结") == 3
    assert "即办件" in html


def test_unpublished_implementation_gives_a_chinese_404(client, catalog_city):
    impl = _publish(publish_impl=False)
    response = client.get(reverse("guide:detail", args=[impl.pk]))
    assert response.status_code == 404
    assert "未找到该事项的办事指南" in _text(response)
    assert client.get(reverse("guide:pdf", args=[impl.pk])).status_code == 404


def test_implementation_without_a_published_standard_gives_404(client, catalog_city):
    impl = _publish(publish_impl=False, publish_standard=False)
    impl.status = Status.PUBLISHED  # even if the row says so: no published standard text, no guide
    impl.save()
    assert client.get(reverse("guide:detail", args=[impl.pk])).status_code == 404


def test_unknown_implementation_gives_404(client, catalog_city):
    assert client.get(reverse("guide:detail", args=[999999])).status_code == 404


def test_guide_page_renders_in_elder_mode(client, impl):
    client.cookies["banhao_elder"] = "1"
    response = client.get(reverse("guide:detail", args=[impl.pk]))
    assert response.status_code == 200
    assert '<html lang="zh-CN" class="elder">' in _text(response)


@pytest.mark.parametrize(
    ("promised", "shares", "expected"),
    [
        (5, [20, 50, 30], ["1个工作日", "2.5个工作日", "1.5个工作日"]),
        (10, [20, 50, 30], ["2个工作日", "5个工作日", "3个工作日"]),
        (3, [33, 33, 34], ["1个工作日", "1个工作日", "1个工作日"]),
        (1, [20, 50, 30], ["当日", "0.5个工作日", "0.5个工作日"]),
        (2, [10, 10, 80], ["0.5个工作日", "0.5个工作日", "1个工作日"]),
    ],
)
def test_step_shares_become_half_days_that_add_up_to_the_promise(promised, shares, expected):
    steps = [{"share": s} for s in shares]
    limits = guide_views.step_limits(steps, promised, immediate=False)
    assert limits == expected
    total = sum(float(x.removesuffix("个工作日")) for x in limits if x != "当日")
    assert total == promised


# --- the PDF -------------------------------------------------------------------------------


def _pdf_or_skip():
    """Skips on a machine without WeasyPrint's libraries or CJK fonts; in CI (which installs
    them, see .ci/run) their absence is a failure."""
    try:
        pdf.check_available()
    except pdf.PdfUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PDF output unavailable in CI: {exc}")
        pytest.skip(str(exc))


def test_guide_pdf_is_an_a4_pdf_with_an_embedded_cjk_font_and_the_item_name(client, impl):
    _pdf_or_skip()
    from pypdf import PdfReader

    response = client.get(reverse("guide:pdf", args=[impl.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF-")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline;")
    assert "filename*=UTF-8''" in disposition
    assert "%E5%8A%9E%E4%BA%8B%E6%8C%87%E5%8D%97.pdf" in disposition  # 办事指南.pdf

    reader = PdfReader(io.BytesIO(body))
    page = reader.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert abs(width - 595.3) < 1 and abs(height - 841.9) < 1  # A4 in points

    standard14 = {
        "Courier",
        "Helvetica",
        "Times-Roman",
        "Symbol",
        "ZapfDingbats",
        "STSong-Light",
        "STSongStd-Light",
    }
    embedded, cjk = [], []
    for p in reader.pages:
        for font in (p["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            base = str(font.get("/BaseFont", "")).lstrip("/").split("+")[-1]
            assert not any(base.startswith(s) for s in standard14), base
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            has_file = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            embedded.append(has_file)
            if "CJK" in base or "SourceHan" in base or "WenQuanYi" in base or "UMing" in base:
                cjk.append(base)
    assert embedded and all(embedded), "every font must be embedded"
    assert cjk, "a CJK font must be used"

    text = "".join(p.extract_text() or "" for p in reader.pages)
    squeezed = re.sub(r"\s+", "", text)
    assert "食品经营许可" in squeezed
    assert "办事指南" in squeezed
    assert "第1页共" in squeezed
    assert "生成日期" in squeezed
    for heading in ("基本信息", "申请材料", "办理流程", "设定依据", "常见问题"):
        assert heading in squeezed


def test_guide_pdf_is_cached_until_the_record_changes(client, impl):
    _pdf_or_skip()
    url = reverse("guide:pdf", args=[impl.pk])
    first = client.get(url).content
    assert client.get(url).content == first


def test_guide_pdf_answers_503_in_chinese_when_pdf_output_is_unavailable(client, impl, monkeypatch):
    def unavailable():
        raise pdf.PdfUnavailable("服务器未安装可嵌入的中文字体")

    monkeypatch.setattr(pdf, "check_available", unavailable)
    response = client.get(reverse("guide:pdf", args=[impl.pk]))
    assert response.status_code == 503
    html = _text(response)
    assert "暂时无法生成PDF" in html and "服务器未安装可嵌入的中文字体" in html


def test_fonts_are_found_by_path_and_extra_dirs_come_from_settings(settings, tmp_path):
    (tmp_path / "wqy-zenhei.ttc").write_bytes(b"not really a font")
    settings.BANHAO_PDF_FONT_DIRS = [str(tmp_path)]
    pdf._find_fonts.cache_clear()
    found = pdf.find_fonts()
    assert any(f.path == tmp_path / "wqy-zenhei.ttc" and f.family == "WenQuanYi Zen Hei" for f in found)


def test_no_cjk_font_at_all_makes_pdf_unavailable(monkeypatch):
    monkeypatch.setattr(pdf, "find_fonts", lambda: ())
    with pytest.raises(pdf.PdfUnavailable, match="中文字体"):
        pdf.font_stacks()


# --- the clerk's work procedure ------------------------------------------------------------


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_procedure_requires_login(client, impl):
    url = reverse("guide:procedure", args=[impl.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_procedure_is_refused_to_applicants(client, impl, django_user_model):
    user = django_user_model.objects.create_user(username="13800000000", password=PASSWORD)
    client.force_login(user)
    assert client.get(reverse("guide:procedure", args=[impl.pk])).status_code == 403


@pytest.mark.parametrize(
    "role", ["window_clerk", "reviewer", "department_head", "hall_manager", "supervisor", "administrator"]
)
def test_procedure_opens_for_every_staff_role_in_scope(client, impl, make_staff, role):
    from banhao.org.models import Department

    department = Department.objects.get(name="兰山区行政审批服务局")
    _login(client, make_staff(role, region="lanshan", department=department))
    response = client.get(reverse("guide:procedure", args=[impl.pk]))
    assert response.status_code == 200
    assert "工作规程" in _text(response)


def test_procedure_of_another_county_is_not_found(client, impl, make_staff):
    _login(client, make_staff("window_clerk", region="yinan"))
    assert client.get(reverse("guide:procedure", args=[impl.pk])).status_code == 404


def test_city_staff_see_the_procedure_of_a_district(client, impl, make_staff):
    _login(client, make_staff("supervisor", region="city"))
    assert client.get(reverse("guide:procedure", args=[impl.pk])).status_code == 200


def _case_blocks(html: str) -> dict[str, str]:
    blocks = re.findall(
        r'<section class="bh-card bh-proc__case" id="(situation-[a-z_]+)".*?</section>', html, re.S
    )
    bodies = re.split(r'<section class="bh-card bh-proc__case" id="situation-[a-z_]+"', html)[1:]
    return dict(zip(blocks, bodies, strict=True))


def test_procedure_lists_the_agent_material_only_under_the_agent_situation(client, impl, make_staff):
    _login(client, make_staff("window_clerk", region="lanshan"))
    html = _text(client.get(reverse("guide:procedure", args=[impl.pk])))
    cases = _case_blocks(html)
    assert list(cases) == ["situation-base", "situation-agent"]
    base, agent = cases["situation-base"], cases["situation-agent"]
    assert "一般情形" in base
    assert "是否委托他人办理？是" in agent
    assert "授权委托书" not in base
    assert "授权委托书" in agent and "载明委托事项和权限" in agent
    for block in (base, agent):
        assert "食品经营许可申请书" in block and "营业执照" in block
        assert 'type="checkbox"' in block
    # form fields follow the same rule
    assert "经办人身份证号" not in base
    assert "经办人身份证号" in agent
    # steps with roles and working days, and the time limits
    assert "2.5个工作日" in html and "后台审批人员" in html
    assert "承诺时限" in html and "法定时限" in html


def test_procedure_shows_shared_materials_as_fetched_not_submitted(client, impl, make_staff):
    _login(client, make_staff("window_clerk", region="lanshan"))
    html = _text(client.get(reverse("guide:procedure", args=[impl.pk])))
    assert "可通过数据共享或电子证照获取，无需提交" in html


def test_procedure_of_an_unpublished_implementation_is_shown_to_staff_as_a_draft(
    client, catalog_city, make_staff
):
    impl = _publish(publish_impl=False)
    _login(client, make_staff("window_clerk", region="lanshan"))
    response = client.get(reverse("guide:procedure", args=[impl.pk]))
    assert response.status_code == 200
    assert "尚未发布" in _text(response)
