"""Catalog officer screens: edit in tables, versions, review and publish, implementations, audit."""

import datetime as dt

import pytest
from django.urls import reverse

from banhao.catalog import services
from banhao.catalog.editor import LISTS
from banhao.catalog.models import Implementation, StandardItem, StandardVersion, Status
from conftest import PASSWORD, sample_content

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def published_item():
    version, _ = services.standard_save(actor="测试", data=sample_content())
    services.version_publish(actor="测试", version=version, effective_from=dt.date(2026, 1, 1))
    return version.item


def post_data(content, **changes):
    """What the edit page posts for this content (scalars + every list table)."""
    data = {k: v for k, v in content.items() if not isinstance(v, (list, dict)) and v is not None}
    data.update(
        {
            "keywords": "、".join(content["keywords"]),
            "service_objects": content["service_objects"],
            "themes": content["themes"],
            "fee_free": "on" if content["fee"]["free"] else "",
        }
    )
    for flag in ("booking", "post", "online_payment", "result_is_licence"):
        data[flag] = "on" if content[flag] else ""
    for spec in LISTS:
        rows = content["fee"].get("lines", []) if spec.name == "fee_lines" else content.get(spec.name, [])
        data[f"{spec.name}-TOTAL"] = str(len(rows))
        for i, row in enumerate(rows):
            for c in spec.columns:
                v = row.get(c.key)
                if c.kind == "bool":
                    if v:
                        data[f"{spec.name}-{i}-{c.key}"] = "1"
                elif c.kind == "list":
                    data[f"{spec.name}-{i}-{c.key}"] = "、".join(v or [])
                else:
                    data[f"{spec.name}-{i}-{c.key}"] = "" if v is None else str(v)
    data.update(changes)
    return data


def test_a_catalog_officer_creates_a_standard_text_from_the_form(client, make_staff, catalog_city):
    login(client, make_staff("catalog_officer"))
    response = client.post(reverse("catalog_manage:item_new"), post_data(sample_content()))
    assert response.status_code == 302, response.content.decode()[:2000]
    version = StandardVersion.objects.get()
    assert version.status == Status.DRAFT
    assert [m["name"] for m in version.materials] == [m["name"] for m in sample_content()["materials"]]
    assert version.materials[2]["situation"] == "agent"


def test_an_error_in_a_material_row_is_shown_on_that_row_and_nothing_typed_is_lost(
    client, make_staff, catalog_city
):
    login(client, make_staff("catalog_officer"))
    data = post_data(sample_content(), **{"materials-1-name": "", "materials-1-standard": "我写的受理标准"})
    response = client.post(reverse("catalog_manage:item_new"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert StandardItem.objects.count() == 0
    assert "不能为空" in html
    assert "我写的受理标准" in html  # the officer's text on the failing row is kept


def test_adding_a_row_keeps_everything_and_saves_nothing(client, make_staff, catalog_city):
    login(client, make_staff("catalog_officer"))
    data = post_data(sample_content(), add_row="materials")
    html = client.post(reverse("catalog_manage:item_new"), data).content.decode()
    assert StandardItem.objects.count() == 0
    assert 'name="materials-TOTAL" value="5"' in html  # 3 rows + the blank one + the added one


def test_editing_a_published_text_drafts_a_new_version_and_publishing_retires_the_old(
    client, make_staff, catalog_city
):
    item = published_item()
    officer = make_staff("catalog_officer")
    login(client, officer)
    content = sample_content()
    response = client.post(
        reverse("catalog_manage:item_edit", args=[item.code]),
        post_data(content, promised_days="3", change_note="压缩时限"),
    )
    assert response.status_code == 302
    draft = StandardVersion.objects.get(item=item, number=2)
    assert draft.status == Status.DRAFT and draft.change_note == "压缩时限"
    url = reverse("catalog_manage:version_transition", args=[item.code, 2])
    client.post(url, {"action": "submit"})
    assert client.post(url, {"action": "publish"}).status_code == 403  # officers do not publish
    client.logout()
    login(client, make_staff("administrator"))
    client.post(url, {"action": "publish", "effective_from": "2026-12-01"})
    assert StandardVersion.objects.get(item=item, number=2).status == Status.PUBLISHED
    assert StandardVersion.objects.get(item=item, number=1).status == Status.RETIRED
    compare = client.get(reverse("catalog_manage:version_compare", args=[item.code]), {"a": 1, "b": 2})
    assert "承诺时限" in compare.content.decode()


def test_a_county_officer_cannot_edit_city_standard_texts(client, make_staff, catalog_city):
    item = published_item()
    login(client, make_staff("catalog_officer", region="lanshan"))
    assert client.get(reverse("catalog_manage:item_edit", args=[item.code])).status_code == 403


def test_a_county_officer_maintains_only_their_own_implementations(client, make_staff, catalog_city):
    item = published_item()
    mine, _ = services.implementation_save(
        actor="测试", standard=item, region_code="371302", department="兰山区行政审批服务局"
    )
    other, _ = services.implementation_save(
        actor="测试", standard=item, region_code="371321", department="沂南县行政审批服务局"
    )
    login(client, make_staff("catalog_officer", region="lanshan"))
    assert client.get(reverse("catalog_manage:implementation_detail", args=[other.pk])).status_code == 404
    url = reverse("catalog_manage:implementation_detail", args=[mine.pk])
    client.post(
        url,
        {"action": "save", "department": "兰山区行政审批服务局", "address": "兰山区政务服务中心C区8号窗口"},
    )
    client.post(url, {"action": "publish"})
    mine.refresh_from_db()
    assert mine.address == "兰山区政务服务中心C区8号窗口" and mine.status == Status.PUBLISHED


def test_the_audit_page_shows_each_deviation_side_by_side(client, make_staff, catalog_city):
    item = published_item()
    services.implementation_save(
        actor="测试",
        standard=item,
        region_code="371321",
        department="沂南县行政审批服务局",
        declared=sample_content(promised_days=8),
    )
    login(client, make_staff("supervisor"))
    html = client.get(reverse("catalog_manage:audit")).content.decode()
    assert "1 个实施清单共 1 处不一致" in html
    assert "沂南县" in html and "承诺时限" in html


def test_a_deviating_implementation_is_refused_on_publish_and_aligned_by_the_officer(
    client, make_staff, catalog_city
):
    item = published_item()
    impl, _ = services.implementation_save(
        actor="测试",
        standard=item,
        region_code="371302",
        department="兰山区行政审批服务局",
        declared=sample_content(promised_days=8),
    )
    login(client, make_staff("catalog_officer", region="lanshan"))
    url = reverse("catalog_manage:implementation_detail", args=[impl.pk])
    response = client.post(url, {"action": "publish"}, follow=True)
    assert "不一致" in response.content.decode()
    assert Implementation.objects.get(pk=impl.pk).status == Status.DRAFT
    client.post(url, {"action": "align"})
    client.post(url, {"action": "publish"})
    assert Implementation.objects.get(pk=impl.pk).status == Status.PUBLISHED


def test_pages_render_for_viewers_and_are_refused_to_applicants(
    client, make_staff, catalog_city, make_person
):
    item = published_item()
    login(client, make_staff("window_clerk"))
    for url in (
        reverse("catalog_manage:item_list"),
        reverse("catalog_manage:item_detail", args=[item.code]),
        reverse("catalog_manage:implementation_list"),
    ):
        assert client.get(url).status_code == 200
    assert client.get(reverse("catalog_manage:audit")).status_code == 403


def test_an_officer_imports_a_workbook_fixes_the_reported_error_and_it_lands(
    client, make_staff, catalog_city
):
    import io

    from openpyxl import load_workbook

    from banhao.catalog.excel import export_catalog

    published_item()
    buffer = io.BytesIO()
    export_catalog(buffer)
    book = load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = book["事项"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("承诺时限（工作日）") + 1, value=15)  # above the statutory 10
    bad = io.BytesIO()
    book.save(bad)
    login(client, make_staff("catalog_officer"))
    bad.name = "目录.xlsx"
    bad.seek(0)
    response = client.post(reverse("catalog_manage:excel_import"), {"file": bad})
    html = response.content.decode()
    assert "「事项」第2行「承诺时限（工作日）」" in html and "不得超过法定时限" in html
    assert StandardVersion.objects.count() == 1

    sheet.cell(row=2, column=headers.index("承诺时限（工作日）") + 1, value=3)
    good = io.BytesIO()
    book.save(good)
    good.name = "目录.xlsx"
    good.seek(0)
    response = client.post(reverse("catalog_manage:excel_import"), {"file": good}, follow=True)
    assert "生成新版本1项" in response.content.decode()
    assert StandardVersion.objects.get(number=2).promised_days == 3


def test_a_file_that_is_not_a_workbook_is_refused_in_chinese(client, make_staff, catalog_city):
    import io

    login(client, make_staff("catalog_officer"))
    fake = io.BytesIO(b"MZ\x90\x00 not a workbook")
    fake.name = "目录.xlsx"
    html = client.post(reverse("catalog_manage:excel_import"), {"file": fake}).content.decode()
    assert "不是有效的Excel" in html
    assert StandardItem.objects.count() == 0


def test_the_catalog_downloads_as_a_workbook(client, make_staff, catalog_city):
    published_item()
    login(client, make_staff("window_clerk"))
    response = client.get(reverse("catalog_manage:excel_export"))
    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    assert "filename*=UTF-8''" in response["Content-Disposition"]
