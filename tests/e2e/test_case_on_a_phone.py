"""Issue 4 end to end on a phone-sized screen: apply, get a one-time correction notice,
correct, get approved, download the decision. Staff steps go through the same services the
back office calls (their screens have their own tests)."""

import pytest

from banhao.cases import services
from banhao.cases.models import Case, Status
from banhao.core.identifiers import make_org_code, make_uscc
from banhao.registry import services as registry
from conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(live_server, published_implementation, make_person, make_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    impl, _version = published_implementation
    person = make_person("371302", name="王芳", phone="13800000001")
    registry.applicant_account_open(actor="测试", person=person, password=PASSWORD)
    head = make_staff("department_head", region="lanshan", department=impl.department)
    pdf = tmp_path / "申请书.pdf"
    pdf.write_bytes(PDF)
    return {"url": live_server.url, "impl": impl, "head": head, "pdf": str(pdf)}


def test_apply_correct_get_approved_and_download_the_decision_on_a_phone(phone, world):
    base = world["url"]
    phone.goto(f"{base}/accounts/login/")
    phone.fill("input[name=username]", "13800000001")
    phone.fill("input[name=password]", PASSWORD)
    with phone.expect_navigation():
        phone.click("main button[type=submit]")

    phone.goto(f"{base}/apply/{world['impl'].pk}/")
    assert phone.input_value("input[name=contact_phone]") == "13800000001"  # prefilled from the registry
    phone.check("input[name=s_agent][value=no]")
    phone.fill("input[name=f_org_name]", "临沂市兰山区王芳餐馆")
    phone.fill("input[name=f_credit_code]", make_uscc("9", "2", "371302", make_org_code("MA3C4K7P")))
    phone.fill("input[name=f_address], textarea[name=f_address]", "临沂市兰山区北京路1号")
    category = phone.locator("[name=f_category]").first
    if category.evaluate("e => e.tagName") == "SELECT":
        category.select_option("热食类")
    else:
        phone.check("input[name=f_category][value=热食类]")
    phone.locator("input[type=file]").first.set_input_files(world["pdf"])
    with phone.expect_navigation():
        phone.click("button[name=action][value=submit]")
    case = Case.objects.get()
    assert case.number in phone.inner_text("main")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    services.case_request_correction(
        actor="窗口", case=case, items=[{"material": "食品经营许可申请书", "reason": "缺少经营者签字"}]
    )
    phone.goto(f"{base}/cases/{case.number}/")
    assert "缺少经营者签字" in phone.inner_text("main")
    with phone.expect_navigation():
        phone.click("text=提交补正材料")
    phone.locator("input[type=file]").first.set_input_files(world["pdf"])
    with phone.expect_navigation():
        phone.click("main button[type=submit]")
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED

    case = services.case_accept(actor="窗口", case=case)
    case = services.case_claim(actor=world["head"], case=case)
    case = services.case_decide(actor=world["head"], case=case, approved=True, reason="符合法定条件")
    services.case_result_ready(actor=world["head"], case=case)

    phone.goto(f"{base}/cases/{case.number}/")
    body = phone.inner_text("main")
    assert "准予" in body or "待领取" in body
    href = phone.locator("a[href*='/notice/decision']").first.get_attribute("href")
    response = phone.request.get(base + href)
    assert response.status == 200 and response.body()[:5] == b"%PDF-"
