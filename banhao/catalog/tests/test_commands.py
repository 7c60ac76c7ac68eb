"""The catalog's management commands: Excel export and import, and the two-level audit."""

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from banhao.catalog import services
from banhao.catalog.models import Implementation, StandardItem, StandardVersion, Status
from banhao.core.models import AuditEvent
from conftest import sample_content

pytestmark = pytest.mark.django_db


def publish(content=None):
    version, _ = services.standard_save(actor="测试", data=content or sample_content())
    return services.version_publish(actor="测试", version=version, effective_from=dt.date(2026, 1, 1))


@pytest.fixture
def deviating(catalog_city):
    """A published standard text; 沂南县 declares a longer promised limit, 兰山区 inherits."""
    standard = publish().item
    services.implementation_save(
        actor="测试", standard=standard, region_code="371302", department="兰山区行政审批服务局"
    )
    services.implementation_save(
        actor="测试",
        standard=standard,
        region_code="371321",
        department="沂南县行政审批服务局",
        declared=sample_content(promised_days=7),
    )
    return standard


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts():
    return (
        StandardItem.objects.count(),
        StandardVersion.objects.count(),
        Implementation.objects.count(),
        AuditEvent.objects.count(),
    )


def test_an_exported_file_imports_back_without_changes(deviating, tmp_path):
    path = tmp_path / "catalog.xlsx"
    out, _ = run("catalog_export", str(path))
    assert "已导出1项标准化文本、2条实施清单" in out
    before = counts()
    out, _ = run("catalog_import", str(path))
    assert "导入完成" in out and "未变化1项" in out and "未变化2条" in out
    assert counts() == before


def test_an_edited_file_imported_with_publish_publishes_the_new_version(deviating, tmp_path):
    path = tmp_path / "catalog.xlsx"
    run("catalog_export", str(path))
    wb = openpyxl.load_workbook(path)
    wb["常见问题"]["C2"] = "仅销售预包装食品的，向所在地市场监管部门备案即可。"
    wb.save(path)
    out, _ = run("catalog_import", str(path), "--publish")
    assert "生成新版本1项" in out and "发布1项" in out
    published = StandardVersion.objects.get(status=Status.PUBLISHED)
    assert published.number == 2 and published.faq[0]["a"].startswith("仅销售预包装食品的，向")


def test_the_export_of_all_statuses_includes_drafts(catalog_city, tmp_path):
    services.standard_save(actor="测试", data=sample_content())
    path = tmp_path / "drafts.xlsx"
    assert "已导出0项" in run("catalog_export", str(path))[0]
    assert "已导出1项" in run("catalog_export", str(path), "--all-statuses")[0]


def test_a_bad_file_fails_with_every_error_and_imports_nothing(deviating, tmp_path):
    path = tmp_path / "catalog.xlsx"
    run("catalog_export", str(path))
    wb = openpyxl.load_workbook(path)
    wb["申请材料"]["C3"] = None
    wb["事项"]["U2"] = "也许"
    wb.save(path)
    services.standard_save(actor="测试", data=sample_content(basic_code="371301002399"))
    before = counts()
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("catalog_import", str(path), "--publish", stdout=io.StringIO(), stderr=err)
    assert "导入失败：发现2处错误，未导入任何数据。" in str(exc.value)
    lines = err.getvalue().splitlines()
    assert "「事项」第2行「支持预约」：应填写“是”或“否”，不能是“也许”。" in lines
    assert "「申请材料」第3行「材料名称」：不能为空。" in lines
    assert counts() == before


def test_a_file_that_is_not_a_workbook_or_does_not_exist_is_refused(catalog_city, tmp_path):
    path = tmp_path / "catalog.xlsx"
    path.write_text("事项编码,事项名称\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("catalog_import", str(path), stdout=io.StringIO(), stderr=err)
    assert "文件不是有效的Excel（.xlsx）工作簿" in err.getvalue()
    with pytest.raises(CommandError, match="不存在"):
        call_command("catalog_import", str(tmp_path / "missing.xlsx"))
    assert StandardItem.objects.count() == 0


def test_the_audit_as_json_lists_each_deviation_with_both_values(deviating):
    out, _ = run("catalog_audit", "--json")
    deviations = json.loads(out)
    assert deviations == [
        {
            "region": "371321",
            "region_name": "沂南县",
            "item_code": "371301002301-01",
            "item_name": "食品经营许可",
            "element": "promised_days",
            "element_label": "承诺时限",
            "standard": 5,
            "implementation": 7,
        }
    ]
    assert "沂南县" in out  # not escaped


def test_the_audit_can_be_limited_to_one_region(deviating):
    assert json.loads(run("catalog_audit", "--json", "--region", "371302")[0]) == []
    assert len(json.loads(run("catalog_audit", "--json", "--region", "371321")[0])) == 1
    with pytest.raises(CommandError, match="找不到区划代码"):
        call_command("catalog_audit", "--region", "999999")


def test_the_audit_prints_a_chinese_table_and_a_count(deviating):
    out, _ = run("catalog_audit")
    lines = out.splitlines()
    assert lines[0].split() == ["区域", "事项编码", "事项名称", "要素", "市级标准", "实施清单"]
    assert "沂南县（371321）" in lines[2] and "承诺时限" in lines[2] and "5" in lines[2] and "7" in lines[2]
    assert lines[-1] == "共发现1处不一致。"


def test_the_audit_says_so_when_everything_is_consistent(catalog_city):
    publish()
    assert "未发现不一致" in run("catalog_audit")[0]
