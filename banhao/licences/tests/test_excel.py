"""The licence catalog in Excel: exported and imported again unchanged, new types imported,
every mistake reported by sheet, row and column with nothing written, and the admin's import
page and export button."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from banhao.core.models import AuditEvent
from banhao.licences.excel import licence_types_export, licence_types_import
from banhao.licences.models import LicenceType

pytestmark = pytest.mark.django_db

MOHURD = "11100000000013020201"  # a valid 18-character code + 3 digits, as in conftest


def workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def saved(wb) -> io.BytesIO:
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def add_type(wb, *values, fields=()):
    wb["证照类型"].append(list(values))
    for row in fields:
        wb["照面项"].append(list(row))


def test_an_exported_catalog_imports_again_without_any_change(licence_types):
    audits = AuditEvent.objects.count()
    report = licence_types_import(io.BytesIO(licence_types_export()), actor="测试")
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert AuditEvent.objects.count() == audits
    food = LicenceType.objects.get(name="食品经营许可证")
    assert food.validity == "years" and food.validity_years == 5 and food.items.count() == 1


def test_a_new_type_with_its_face_fields_and_items_is_imported(licence_types, published_implementation):
    _, version = published_implementation
    wb = workbook(licence_types_export())
    add_type(
        wb,
        "公共场所卫生许可证",
        "11100000000013338W031",
        "国家卫生健康委员会",
        "法人及其他组织",
        "固定年限",
        4,
        None,
        "否",
        version.item.code,
        "卫生许可证、公共场所卫生许可",
        fields=[
            ("11100000000013338W031", "unit", "单位名称", "text", "是", "是", "org_name、holder.name"),
            ("11100000000013338W031", "site", "地址", "", "否", "是", "address"),
        ],
    )
    report = licence_types_import(saved(wb), actor="测试")
    assert report.ok, report.errors
    assert (report.created, report.unchanged) == (1, 3)
    t = LicenceType.objects.get(code="11100000000013338W031")
    assert t.holder_kind == "organization" and t.validity_years == 4 and not t.several_allowed
    assert t.aliases == ["卫生许可证", "公共场所卫生许可"]
    assert [f["key"] for f in t.fields] == ["unit", "site"]
    assert t.fields[0]["sources"] == ["org_name", "holder.name"] and t.fields[0]["required"]
    assert t.fields[1]["kind"] == "text" and not t.fields[1]["required"]
    assert list(t.items.values_list("code", flat=True)) == [version.item.code]


def test_every_mistake_is_reported_by_row_and_column_and_nothing_is_written(licence_types):
    wb = workbook(licence_types_export())
    wb["证照类型"]["C3"] = "改过的定义机构"  # a valid change in the same workbook: not written either
    add_type(
        wb,
        "",
        "11100000000013338W03X",
        "",
        "个人",
        "三年",
        None,
        None,
        "也许",
        "999999999999",
        None,
        fields=[("11100000000013338W03X", "Bad Key", "名称", "text", "是", "否", "")],
    )
    wb["照面项"].append(["11100000000013338W999", "unit", "单位", "text", "是", "是", ""])
    audits = AuditEvent.objects.count()
    report = licence_types_import(saved(wb), actor="测试")
    assert not report.ok
    text = "\n".join(report.errors)
    row = 5  # three exported types, then the new one
    for expected in (
        f"「证照类型」第{row}行「证照名称」：不能为空。",
        f"「证照类型」第{row}行「定义机构」：不能为空。",
        f"「证照类型」第{row}行「持证主体类别」",
        f"「证照类型」第{row}行「有效期规则」",
        f"「证照类型」第{row}行「可同时持有多本」：应填写“是”或“否”，不能是“也许”。",
        f"「证照类型」第{row}行「产生此证照的事项编码」：事项目录中没有编码为 999999999999 的标准化文本。",
        f"「证照类型」第{row}行「证照类型代码」",
        "「照面项」第9行「标识」：",
        "「照面项」第10行「证照类型代码」：证照类型代码“11100000000013338W999”在「证照类型」表中不存在。",
    ):
        assert expected in text, (expected, report.errors)
    assert report.summary.startswith("导入失败")
    assert LicenceType.objects.count() == 3
    assert LicenceType.objects.get(code="11100000000013338W001").authority_name == "国家市场监督管理总局"
    assert AuditEvent.objects.count() == audits


@pytest.mark.parametrize(
    "content, message",
    [
        (b"MZ\x90\x00 not a workbook at all", "文件不是有效的Excel（.xlsx）工作簿。"),
        (b"PK\x03\x04 broken zip", "文件不是有效的Excel（.xlsx）工作簿。"),
    ],
)
def test_a_file_that_is_not_a_workbook_is_refused_with_a_clear_message(licence_types, content, message):
    report = licence_types_import(io.BytesIO(content), actor="测试")
    assert report.errors == [message]


def test_a_workbook_with_other_sheets_or_columns_is_refused_and_changes_nothing(licence_types):
    wb = workbook(licence_types_export())
    wb["证照类型"]["B1"] = "类型编号"
    del wb["照面项"]
    wb.create_sheet("Sheet1")
    report = licence_types_import(saved(wb), actor="测试")
    text = "\n".join(report.errors)
    assert "工作表「Sheet1」无法识别" in text
    assert "工作簿缺少工作表「照面项」。" in text
    assert "「证照类型」第1行：无法识别的列「类型编号」" in text
    assert "「证照类型」第1行：缺少列「证照类型代码」。" in text
    assert LicenceType.objects.count() == 3


def test_the_commands_export_and_import_the_catalog(licence_types, tmp_path):
    from django.core.management import call_command

    path = tmp_path / "types.xlsx"
    out = io.StringIO()
    call_command("licence_types_export", str(path), stdout=out)
    assert "已导出3种证照类型" in out.getvalue()
    call_command("licence_types_import", str(path), stdout=out)
    assert "新建0种、更新0种、未变化3种" in out.getvalue()


def test_the_admin_imports_a_workbook_exports_one_and_refuses_a_disguised_upload(client, licence_types):
    admin = get_user_model().objects.create_superuser(username="root", password="Pass@12345")
    client.force_login(admin)
    listing = client.get(reverse("admin:licences_licencetype_changelist")).content.decode()
    assert reverse("admin:licences_licencetype_import") in listing
    assert reverse("admin:licences_licencetype_export") in listing

    exported = client.get(reverse("admin:licences_licencetype_export"))
    assert exported.status_code == 200 and exported.content.startswith(b"PK\x03\x04")
    assert "attachment" in exported["Content-Disposition"]

    disguised = SimpleUploadedFile("types.xlsx", b"MZ\x90\x00" + b"\x00" * 64)
    page = client.post(reverse("admin:licences_licencetype_import"), {"file": disguised})
    assert page.status_code == 200
    assert "文件内容与扩展名不符" in page.content.decode()

    wb = workbook(exported.content)
    wb["证照类型"]["C2"] = "住建部"
    code = wb["证照类型"]["B2"].value
    upload = SimpleUploadedFile("types.xlsx", saved(wb).getvalue())
    done = client.post(reverse("admin:licences_licencetype_import"), {"file": upload})
    assert done.status_code == 302
    assert LicenceType.objects.get(code=code).authority_name == "住建部"

    bad = workbook(exported.content)
    bad["证照类型"]["D2"] = "个人"
    page = client.post(
        reverse("admin:licences_licencetype_import"),
        {"file": SimpleUploadedFile("types.xlsx", saved(bad).getvalue())},
    ).content.decode()
    assert "导入失败" in page and "「证照类型」第2行「持证主体类别」" in page


def test_a_type_edited_in_the_admin_goes_through_the_service_and_its_checks(client, licence_types):
    admin = get_user_model().objects.create_superuser(username="root", password="Pass@12345")
    client.force_login(admin)
    t = licence_types["works"]
    url = reverse("admin:licences_licencetype_change", args=[t.pk])
    data = {
        "name": t.name,
        "authority_name": "住房和城乡建设部（新）",
        "holder_kind": "organization",
        "validity": "long_term",
        "validity_years": "",
        "validity_field": "",
        "several_allowed": "on",
        "aliases": "[]",
        "fields": '[{"key": "Bad", "label": "x"}]',
        "composition_note": "",
    }
    page = client.post(url, data)
    assert page.status_code == 200 and "小写字母开头" in page.content.decode()
    data["fields"] = '[{"key": "project", "label": "工程名称", "required": true, "public": true}]'
    assert client.post(url, data).status_code == 302
    t.refresh_from_db()
    assert t.authority_name == "住房和城乡建设部（新）"
    assert AuditEvent.objects.filter(action="licences.type_update").exists()


def test_licences_and_their_uses_are_read_only_in_the_admin(client, issue):
    licence = issue("business", scope="餐饮服务")
    admin = get_user_model().objects.create_superuser(username="root", password="Pass@12345")
    client.force_login(admin)
    page = client.get(reverse("admin:licences_licence_change", args=[licence.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert licence.identifier in html and "餐饮服务" in html
    assert 'name="_save"' not in html  # nothing to save: licences change through the services
    assert client.get(reverse("admin:licences_licence_add")).status_code == 403
    assert client.get(reverse("admin:licences_licenceuse_changelist")).status_code == 200


def test_staff_without_the_administrator_role_do_not_see_the_licence_admin(client, make_staff, licence_types):
    clerk = make_staff("window_clerk")
    clerk.is_staff = True
    clerk.save(update_fields=["is_staff"])
    client.force_login(clerk)
    assert client.get(reverse("admin:licences_licencetype_changelist")).status_code == 403
    assert client.get(reverse("admin:licences_licencetype_import")).status_code == 403
    assert client.get(reverse("admin:licences_licencetype_export")).status_code == 403


def test_an_imported_change_keeps_what_the_workbook_has_no_column_for(licence_types):
    t = licence_types["works"]
    t.composition_note = "每个工程一本"
    t.save(update_fields=["composition_note"])
    wb = workbook(licence_types_export())
    assert wb["证照类型"]["B2"].value == t.code
    wb["证照类型"]["C2"] = "住房和城乡建设部（新）"
    report = licence_types_import(saved(wb), actor="测试")
    assert (report.updated, report.unchanged) == (1, 2), report.errors
    t.refresh_from_db()
    assert t.authority_name == "住房和城乡建设部（新）" and t.composition_note == "每个工程一本"


def test_a_new_type_in_the_admin_is_checked_before_it_is_saved(client, licence_types):
    admin = get_user_model().objects.create_superuser(username="root", password="Pass@12345")
    client.force_login(admin)
    data = {
        "name": "取水许可证",
        "code": "11100000000013338W04",
        "authority_name": "水利部",
        "holder_kind": "organization",
        "validity": "years",
        "validity_years": "",
        "validity_field": "",
        "aliases": "[]",
        "fields": '[{"key": "holder", "label": "取水权人", "sources": ["holder.name"]}]',
        "composition_note": "",
    }
    html = client.post(reverse("admin:licences_licencetype_add"), data).content.decode()
    assert "证照类型代码" in html and "1至50之间的有效年限" in html
    assert not LicenceType.objects.filter(name="取水许可证").exists()
    data |= {"code": "11100000000013338W042", "validity_years": "5"}
    assert client.post(reverse("admin:licences_licencetype_add"), data).status_code == 302
    t = LicenceType.objects.get(name="取水许可证")
    assert t.validity_years == 5 and t.fields[0]["sources"] == ["holder.name"]
    assert AuditEvent.objects.filter(action="licences.type_create", object_id=str(t.pk)).exists()


def test_what_only_the_service_can_tell_is_reported_at_the_row_and_nothing_is_written(licence_types):
    wb = workbook(licence_types_export())
    face = [("11100000000013338W099", "name", "名称", "text", "是", "是", "holder.name")]
    add_type(
        wb,
        "营业执照",
        "11100000000013338W099",
        "总局",
        "法人及其他组织",
        "长期有效",
        None,
        None,
        "否",
        None,
        None,
        fields=face,
    )
    face = [("11100000000013338W098", "name", "名称", "text", "是", "是", "holder.name")]
    add_type(
        wb,
        "某许可证",
        "11100000000013338W098",
        "总局",
        "法人及其他组织",
        "固定年限",
        None,
        None,
        "否",
        None,
        None,
        fields=face,
    )
    report = licence_types_import(saved(wb), actor="测试")
    assert report.errors == [
        "「证照类型」第5行「证照名称」：证照名称“营业执照”已被类型代码 11100000000013338W001 使用。",
        "「证照类型」第6行「有效年限」：固定年限的证照请填写1至50之间的有效年限。",
    ]
    assert LicenceType.objects.count() == 3
