"""The applicant answers the one-time correction notice: every listed material, all or nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from banhao.cases import services
from banhao.cases.models import Status
from banhao.registry import services as registry
from conftest import PASSWORD

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def corrected_case(make_case, client):
    from banhao.registry.models import Person

    person = Person.objects.get(phone="13800000001")
    account = registry.applicant_account_open(actor="测试", person=person, password=PASSWORD)
    case = make_case(user=account.user)
    case.applicant_user = account.user
    case.save()
    case = services.case_request_correction(
        actor="测试",
        case=case,
        items=[
            {"material": "营业执照", "reason": "已过有效期"},
            {"material": "授权委托书", "reason": "缺少签字"},
        ],
    )
    assert client.login(username="13800000001", password=PASSWORD)
    return case


def test_the_applicant_uploads_every_listed_material_and_the_case_goes_back_for_acceptance(
    client, corrected_case
):
    url = reverse("cases:correct", args=[corrected_case.number])
    page = client.get(url).content.decode()
    assert "已过有效期" in page and "缺少签字" in page
    response = client.post(
        url, {"m0": SimpleUploadedFile("执照.pdf", PDF), "m1": SimpleUploadedFile("委托书.pdf", PDF)}
    )
    assert response.status_code == 302
    corrected_case.refresh_from_db()
    assert corrected_case.status == Status.SUBMITTED
    assert corrected_case.materials_completed_on == timezone.localdate()  # the count restarts from here
    assert set(corrected_case.materials.values_list("name", flat=True)) >= {"营业执照", "授权委托书"}


def test_a_missing_or_disguised_file_changes_nothing(client, corrected_case):
    url = reverse("cases:correct", args=[corrected_case.number])
    response = client.post(url, {"m0": SimpleUploadedFile("执照.pdf", b"MZ\x90\x00" + b"\x00" * 64)})
    html = response.content.decode()
    assert response.status_code == 400
    assert "文件内容与扩展名不符" in html and "请上传补正后的材料" in html
    corrected_case.refresh_from_db()
    assert corrected_case.status == Status.CORRECTION
    assert corrected_case.materials.count() == 0


def test_another_applicant_cannot_open_the_correction_page(client, corrected_case, make_person):
    other = make_person("371302", name="李四", phone="13800000002")
    registry.applicant_account_open(actor="测试", person=other, password=PASSWORD)
    client.logout()
    assert client.login(username="13800000002", password=PASSWORD)
    assert client.get(reverse("cases:correct", args=[corrected_case.number])).status_code == 404
