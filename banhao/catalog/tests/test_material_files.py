"""Blank forms and samples: uploaded by catalog officers, downloaded from the public guide."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from banhao.catalog import services
from banhao.catalog.models import MaterialFile
from banhao.core.models import AuditEvent
from conftest import PASSWORD, sample_content

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def published(catalog_city):
    version, _ = services.standard_save(actor="测试", data=sample_content())
    services.version_publish(actor="测试", version=version, effective_from=dt.date(2026, 1, 1))
    impl, _ = services.implementation_save(
        actor="测试", standard=version.item, region_code="371302", department="兰山区行政审批服务局"
    )
    services.implementation_publish(actor="测试", implementation=impl)
    return version.item, impl


def upload(
    client, item, name="食品经营许可申请表.pdf", content=PDF, material="食品经营许可申请书", kind="blank"
):
    return client.post(
        reverse("catalog_manage:material_file_upload", args=[item.code]),
        {"material": material, "kind": kind, "file": SimpleUploadedFile(name, content)},
        follow=True,
    )


def test_an_officer_uploads_a_blank_form_and_anyone_downloads_it_from_the_guide(
    client, make_staff, published
):
    item, impl = published
    assert client.login(username=make_staff("catalog_officer").username, password=PASSWORD)
    assert "已上传" in upload(client, item).content.decode()
    record = MaterialFile.objects.get()
    assert record.size == len(PDF) and record.content_type == "application/pdf"
    assert AuditEvent.objects.filter(action="catalog.material_file_attach").exists()
    client.logout()
    guide = client.get(reverse("guide:detail", args=[impl.pk])).content.decode()
    link = reverse("guide:material_file", args=[record.pk])
    assert link in guide and "下载空白表格" in guide
    response = client.get(link)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]


def test_a_disguised_executable_is_refused_and_nothing_is_stored(client, make_staff, published):
    item, _ = published
    assert client.login(username=make_staff("catalog_officer").username, password=PASSWORD)
    html = upload(client, item, name="申请表.pdf", content=b"MZ\x90\x00" + b"\x00" * 100).content.decode()
    assert "文件内容与扩展名不符" in html
    assert MaterialFile.objects.count() == 0


def test_a_new_upload_replaces_the_current_file(client, make_staff, published):
    item, _ = published
    assert client.login(username=make_staff("catalog_officer").username, password=PASSWORD)
    upload(client, item)
    upload(client, item, name="新版申请表.pdf", content=PDF + b"% v2\n")
    record = MaterialFile.objects.get()
    assert record.original_name == "新版申请表.pdf"
    assert AuditEvent.objects.filter(action="catalog.material_file_attach").count() == 2


def test_a_material_the_item_does_not_have_is_refused(client, make_staff, published):
    item, _ = published
    assert client.login(username=make_staff("catalog_officer").username, password=PASSWORD)
    assert "没有这项申请材料" in upload(client, item, material="不存在的材料").content.decode()
    assert MaterialFile.objects.count() == 0


def test_county_officers_and_clerks_cannot_upload(client, make_staff, published):
    item, _ = published
    for role, region in (("catalog_officer", "lanshan"), ("window_clerk", "city")):
        client.logout()
        assert client.login(username=make_staff(role, region=region).username, password=PASSWORD)
        response = client.post(
            reverse("catalog_manage:material_file_upload", args=[item.code]),
            {"material": "食品经营许可申请书", "kind": "blank", "file": SimpleUploadedFile("a.pdf", PDF)},
        )
        assert response.status_code == 403
    assert MaterialFile.objects.count() == 0
