"""Issue 3 end to end, in a real browser: an applicant finds 低保 and 营业执照 on a phone, reads
the guide and gets the PDF; a catalog officer imports a workbook, fixes the reported error,
and an administrator publishes."""

import io

import pytest

from banhao.catalog.models import StandardVersion, Status
from banhao.demo import catalog, city

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def demo(live_server):
    city.load()
    catalog.load()
    return {"url": live_server.url, "password": city.demo_password()}


def sign_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def test_an_applicant_finds_items_on_a_phone_reads_the_guide_and_gets_the_pdf(phone, demo):
    phone.goto(demo["url"] + "/")
    phone.fill("input[name=q]", "低保")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert "最低生活保障" in phone.inner_text("main")
    with phone.expect_navigation():
        phone.locator("main a[href^='/guide/']").first.click()
    body = phone.inner_text("main")
    for heading in ("基本信息", "申请材料", "办理流程", "收费标准", "设定依据"):
        assert heading in body
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    pdf_href = phone.locator("a[href$='/pdf/']").first.get_attribute("href")
    response = phone.request.get(demo["url"] + pdf_href)
    assert response.status == 200 and response.body()[:5] == b"%PDF-"

    phone.goto(demo["url"] + "/search/?q=营业执照")
    assert "企业设立登记" in phone.inner_text("main")


def test_an_officer_imports_fixes_the_reported_error_and_an_administrator_publishes(page, demo, tmp_path):
    from openpyxl import load_workbook

    sign_in(page, demo["url"], "catalog", demo["password"])
    response = page.request.get(demo["url"] + "/catalog/manage/export/")
    book = load_workbook(io.BytesIO(response.body()))
    sheet = book["事项"]
    headers = [c.value for c in sheet[1]]
    row = next(
        r
        for r in range(2, sheet.max_row + 1)
        if sheet.cell(r, headers.index("事项名称") + 1).value == "食品经营许可"
    )
    statutory = sheet.cell(row, headers.index("法定时限（工作日）") + 1).value
    promised_col = headers.index("承诺时限（工作日）") + 1
    sheet.cell(row, promised_col, value=int(statutory) + 5)
    bad = tmp_path / "目录-有错.xlsx"
    book.save(bad)

    page.goto(demo["url"] + "/catalog/manage/import/")
    page.set_input_files("input[name=file]", str(bad))
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert f"「事项」第{row}行「承诺时限（工作日）」" in page.inner_text("main")

    sheet.cell(row, promised_col, value=1)
    good = tmp_path / "目录.xlsx"
    book.save(good)
    page.set_input_files("input[name=file]", str(good))
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert "生成新版本1项" in page.inner_text("body")
    code = sheet.cell(row, headers.index("事项编码") + 1).value
    draft = StandardVersion.objects.get(item__code=code, status=Status.DRAFT)
    assert draft.promised_days == 1

    page.context.clear_cookies()
    sign_in(page, demo["url"], "admin", demo["password"])
    page.goto(f"{demo['url']}/catalog/manage/items/{code}/")
    with page.expect_navigation():
        page.locator(
            f"form[action$='/versions/{draft.number}/transition/'] button:has-text('审核通过并发布')"
        ).click()
    assert StandardVersion.objects.get(pk=draft.pk).status == Status.PUBLISHED
