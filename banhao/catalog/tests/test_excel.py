"""Excel import/export of standard texts: round trips, new versions, and errors that point at cells."""

import datetime as dt
import io

import openpyxl
import pytest

from banhao.catalog import excel, services
from banhao.catalog.models import Implementation, StandardItem, StandardVersion, Status
from banhao.core.models import AuditEvent
from conftest import sample_content

pytestmark = pytest.mark.django_db


# --- helpers ---------------------------------------------------------------------------------


def publish(content=None):
    version, _ = services.standard_save(actor="测试", data=content or sample_content())
    return services.version_publish(actor="测试", version=version, effective_from=dt.date(2026, 1, 1))


def charged_content():
    """A second standard text, one that charges a fee (so the 收费 sheet has rows)."""
    return sample_content(
        basic_code="371301002302",
        name="食品生产许可",
        sub_item_name="食品生产许可",
        fee={
            "free": False,
            "lines": [
                {"name": "审查费", "standard": "每件100元", "basis": "鲁价费发〔2020〕1号", "reduction": ""},
                {"name": "证书工本费", "standard": "每本10元", "basis": "鲁价费发〔2020〕2号"},
            ],
        },
    )


@pytest.fixture
def catalog(catalog_city):
    """Two published standard texts and two implementations (one with a declared element set)."""
    food = publish().item
    publish(charged_content())
    services.implementation_save(
        actor="测试",
        standard=food,
        region_code="371302",
        department="兰山区行政审批服务局",
        local={"address": "兰山区政务服务中心C区", "phone": "0539-8200001", "windows": "C12"},
    )
    services.implementation_save(
        actor="测试",
        standard=food,
        region_code="371321",
        department="沂南县行政审批服务局",
        local={"office_hours": "工作日 9:00-17:00"},
        declared=sample_content(promised_days=7),
    )
    return catalog_city


def exported(**kwargs) -> io.BytesIO:
    buf = io.BytesIO()
    excel.export_catalog(buf, **kwargs)
    buf.seek(0)
    return buf


def column_of(ws, header: str) -> int:
    for cell in ws[1]:
        if cell.value == header:
            return cell.column
    raise AssertionError(f"no column {header} in {ws.title}")


def edited(buf: io.BytesIO, changes) -> io.BytesIO:
    """A copy of the workbook with changes: (sheet, row, header, value) or a callable(wb)."""
    buf.seek(0)
    wb = openpyxl.load_workbook(buf)
    for change in changes:
        if callable(change):
            change(wb)
        else:
            sheet, row, header, value = change
            ws = wb[sheet]
            ws.cell(row=row, column=column_of(ws, header)).value = value  # None too: clears it
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def append_row(sheet: str, values: dict):
    def change(wb):
        ws = wb[sheet]
        row = ws.max_row + 1
        for header, value in values.items():
            ws.cell(row=row, column=column_of(ws, header), value=value)

    return change


def recode(old: str, new_basic: str):
    """Renames one standard text's code in every sheet (makes it a new text for the import)."""

    def change(wb):
        for ws in wb.worksheets:
            if ws.title == excel.GUIDE_TITLE:
                continue
            col = column_of(ws, "事项编码")
            for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
                if cell.value == old:
                    cell.value = f"{new_basic}-{old.rsplit('-', 1)[1]}"
                    if ws.title == "事项":
                        ws.cell(row=cell.row, column=column_of(ws, "基本编码"), value=new_basic)

    return change


def counts():
    return (
        StandardItem.objects.count(),
        StandardVersion.objects.count(),
        Implementation.objects.count(),
        AuditEvent.objects.count(),
    )


def import_fails(buf, *expected):
    """Imports a bad workbook: nothing is written, and each expected message is reported."""
    before = counts()
    report = excel.import_catalog(buf, actor="测试", publish=True)
    assert counts() == before
    assert not report.ok
    for message in expected:
        assert message in report.errors, report.errors
    assert report.summary == f"导入失败：发现{len(report.errors)}处错误，未导入任何数据。"
    assert report.created == report.unchanged == report.implementations_unchanged == 0
    return report


# --- layout ----------------------------------------------------------------------------------


def test_the_workbook_has_one_sheet_per_kind_with_chinese_headers_and_a_frozen_header(catalog):
    wb = openpyxl.load_workbook(exported())
    assert wb.sheetnames == [
        "事项",
        "情形",
        "设立依据",
        "申请材料",
        "收费",
        "办理流程",
        "表单字段",
        "常见问题",
        "实施清单",
        "说明",
    ]
    items = wb["事项"]
    assert items.freeze_panes == "B2"
    assert [c.value for c in items[1]][:4] == ["事项编码", "基本编码", "办理项编码", "事项名称"]
    row = {h.value: c.value for h, c in zip(items[1], items[2], strict=True)}
    assert row["事项编码"] == "371301002301-01" and row["办理项编码"] == "01"
    assert row["事项类别"] == "01" and row["所属功能区"] == "market" and row["办件类型"] == "promised"
    assert row["服务对象"] == "企业法人、非法人企业"
    assert row["支持预约"] == "是" and row["支持网上支付"] == "否" and row["不收费"] == "是"
    assert row["状态"] == "已发布" and row["版本号"] == 1
    assert items.column_dimensions["D"].width > 10
    assert (
        "resident_id" in items.parent["表单字段"].cell(1, column_of(wb["表单字段"], "字段类型")).comment.text
    )
    materials = wb["申请材料"]
    first = {h.value: c.value for h, c in zip(materials[1], materials[2], strict=True)}
    assert first["材料名称"] == "食品经营许可申请书" and first["材料形式"] == "纸质和电子"
    assert first["序号"] == 1 and first["是否必需"] == "是"
    # free texts have no fee rows; the charged one has two
    assert [r[0] for r in wb["收费"].iter_rows(min_row=2, values_only=True)] == ["371301002302-01"] * 2
    impls = list(wb["实施清单"].iter_rows(min_row=2, values_only=True))
    assert impls[0][:4] == ("371301002301-01", "371302", "兰山区", "兰山区行政审批服务局")
    guide = [r[1] for r in wb["说明"].iter_rows(values_only=True)]
    assert "resident_id" in guide and "申请材料" in guide


def test_only_published_versions_are_exported_unless_all_statuses_are_asked_for(catalog):
    services.standard_save(actor="测试", data=sample_content(promised_days=3))
    services.standard_save(actor="测试", data=sample_content(basic_code="371301002399", name="草稿事项"))

    def rows(buf):
        ws = openpyxl.load_workbook(buf)["事项"]
        col = column_of(ws, "承诺时限（工作日）")
        return {
            r[0]: (r[col - 1], r[column_of(ws, "状态") - 1])
            for r in ws.iter_rows(min_row=2, values_only=True)
        }

    assert rows(exported()) == {"371301002301-01": (5, "已发布"), "371301002302-01": (5, "已发布")}
    assert rows(exported(status=None)) == {
        "371301002301-01": (3, "草稿"),
        "371301002302-01": (5, "已发布"),
        "371301002399-01": (5, "草稿"),
    }


# --- round trips -----------------------------------------------------------------------------


def test_importing_an_exported_workbook_again_changes_nothing(catalog):
    buf = exported()
    before = counts()
    report = excel.import_catalog(buf, actor="测试")
    assert report.ok, report.errors
    assert (report.created, report.new_version, report.updated, report.unchanged) == (0, 0, 0, 2)
    assert (report.implementations_created, report.implementations_updated) == (0, 0)
    assert report.implementations_unchanged == 2
    assert counts() == before
    assert "未变化2项" in report.summary


def test_a_round_trip_with_publish_also_changes_nothing(catalog):
    before = counts()
    report = excel.import_catalog(exported(), actor="测试", publish=True)
    assert report.ok and report.published == 0 and report.unchanged == 2
    assert counts() == before


def test_the_import_keeps_a_regions_declared_elements(catalog):
    excel.import_catalog(exported(), actor="测试")
    yinan = Implementation.objects.get(region__code="371321")
    assert yinan.declared["promised_days"] == 7


def test_an_edited_value_makes_a_new_version_never_a_second_standard_text(catalog):
    buf = edited(exported(), [("事项", 2, "承诺时限（工作日）", 3)])
    report = excel.import_catalog(buf, actor="测试")
    assert report.ok, report.errors
    assert (report.new_version, report.unchanged) == (1, 1)
    assert StandardItem.objects.count() == 2
    latest = StandardVersion.objects.filter(item__code="371301002301-01").order_by("-number").first()
    assert (latest.number, latest.status, latest.promised_days) == (2, Status.DRAFT, 3)
    assert latest.change_note == "Excel导入"
    # the same file again: the draft already holds it
    again = excel.import_catalog(edited(exported(), [("事项", 2, "承诺时限（工作日）", 3)]), actor="测试")
    assert again.unchanged == 2 and StandardVersion.objects.count() == 3


def test_importing_with_publish_publishes_the_new_version_and_retires_the_old(catalog):
    buf = edited(exported(), [("申请材料", 2, "页数", 4)])
    report = excel.import_catalog(buf, actor="测试", publish=True)
    assert report.ok and report.new_version == 1 and report.published == 1
    versions = StandardVersion.objects.filter(item__code="371301002301-01").order_by("number")
    assert [v.status for v in versions] == [Status.RETIRED, Status.PUBLISHED]
    assert versions[1].materials[0]["pages"] == 4


def test_a_published_export_imported_again_leaves_a_newer_draft_alone(catalog):
    buf = exported()
    draft, _ = services.standard_save(actor="测试", data=sample_content(promised_days=3))
    before = counts()
    report = excel.import_catalog(buf, actor="测试")
    assert report.ok and report.unchanged == 2
    assert counts() == before
    draft.refresh_from_db()
    assert draft.promised_days == 3


def test_new_rows_create_standard_texts_and_implementations(catalog):
    buf = edited(exported(), [recode("371301002302-01", "371301002303")])
    buf = edited(
        buf,
        [
            append_row(
                "实施清单",
                {"事项编码": "371301002303-01", "区划代码": 371321, "实施主体": "沂南县行政审批服务局"},
            )
        ],
    )
    report = excel.import_catalog(buf, actor="测试", publish=True)
    assert report.ok, report.errors
    assert (report.created, report.unchanged, report.published) == (1, 1, 1)
    assert (report.implementations_created, report.implementations_unchanged) == (1, 2)
    new = StandardVersion.objects.get(item__code="371301002303-01")
    assert new.status == Status.PUBLISHED and new.fee["lines"][1]["name"] == "证书工本费"
    assert Implementation.objects.get(standard=new.item).implementation_code == "371301002303-01-371321"


def test_codes_typed_as_numbers_and_labels_for_codes_are_understood(catalog):
    buf = edited(
        exported(),
        [
            ("事项", 2, "办理项编码", 1),
            ("事项", 2, "事项类别", "行政许可"),
            ("事项", 2, "办件类型", "承诺件"),
            ("事项", 2, "监督投诉电话", 12345),
            ("申请材料", 2, "材料形式", "both"),
        ],
    )
    report = excel.import_catalog(buf, actor="测试")
    assert report.ok and report.unchanged == 2, report.errors


# --- errors ----------------------------------------------------------------------------------


def test_an_empty_material_name_is_reported_at_its_cell_and_nothing_is_written(catalog):
    import_fails(
        edited(exported(), [("申请材料", 5, "材料名称", None)]), "「申请材料」第5行「材料名称」：不能为空。"
    )


def test_a_promised_limit_above_the_statutory_limit_is_reported_at_its_cell(catalog):
    import_fails(
        edited(exported(), [("事项", 3, "承诺时限（工作日）", 12)]),
        "「事项」第3行「承诺时限（工作日）」：承诺时限（12个工作日）不得超过法定时限（10个工作日）。",
    )


def test_an_unknown_department_is_reported_before_anything_is_written(catalog):
    import_fails(
        edited(
            exported(),
            [("事项", 2, "实施主体", "临沂市不存在局"), ("实施清单", 2, "实施主体", "罗庄区行政审批服务局")],
        ),
        "「事项」第2行「实施主体」：找不到市级部门“临沂市不存在局”，请填写部门全称。",
        "「实施清单」第2行「实施主体」：区划“371302”下找不到部门“罗庄区行政审批服务局”。",
    )


def test_bad_yes_no_values_and_non_integers_are_reported(catalog):
    report = import_fails(
        edited(
            exported(),
            [
                ("事项", 2, "支持预约", "可以"),
                ("事项", 3, "承诺时限（工作日）", "五天"),
                ("申请材料", 3, "份数", "两份"),
                ("办理流程", 2, "序号", "第一"),
            ],
        ),
        "「事项」第2行「支持预约」：应填写“是”或“否”，不能是“可以”。",
        "「事项」第3行「承诺时限（工作日）」：应为整数。",
        "「申请材料」第3行「份数」：应为整数。",
        "「办理流程」第2行「序号」：应为整数。",
    )
    assert len(report.errors) == 4  # the unreadable cells are not reported a second time


def test_a_child_row_without_its_standard_text_is_reported(catalog):
    buf = edited(
        exported(), [append_row("常见问题", {"事项编码": "999999-01", "问题": "问？", "解答": "答。"})]
    )
    import_fails(buf, "「常见问题」第4行「事项编码」：事项编码“999999-01”在「事项」表中不存在。")


def test_a_missing_sheet_is_reported_once_without_its_consequences(catalog):
    def drop(wb):
        del wb["办理流程"]

    report = import_fails(edited(exported(), [drop]), "工作簿缺少工作表「办理流程」。")
    assert report.errors == ["工作簿缺少工作表「办理流程」。"]


def test_wrong_headers_and_unknown_sheets_are_reported(catalog):
    def rename(wb):
        wb["收费"].cell(1, 2).value = "收费名称"
        wb.create_sheet("备注")

    import_fails(
        edited(exported(), [rename]),
        "「收费」第1行「收费名称」：无法识别的列，请使用导出模板中的列名。",
        "「收费」第1行：缺少列「收费项目名称」。",
    )


def test_a_file_that_is_not_an_xlsx_workbook_is_refused(catalog):
    report = import_fails(io.BytesIO(b"\xd0\xcf\x11\xe0 this is an old .xls or anything else"))
    assert report.errors == ["文件不是有效的Excel（.xlsx）工作簿。"]


def test_an_oversized_file_is_refused_unread(catalog):
    report = import_fails(io.BytesIO(b"0" * (excel.MAX_FILE_BYTES + 1)))
    assert report.errors == ["文件超过20 MB，不予导入。"]


def test_duplicate_codes_are_reported(catalog):
    def duplicate(wb):
        ws = wb["事项"]
        ws.append([c.value for c in ws[2]])

    import_fails(
        edited(exported(), [duplicate]), "「事项」第4行「事项编码」：事项编码“371301002301-01”与第2行重复。"
    )


def test_list_element_rules_are_reported_where_the_values_are(catalog):
    import_fails(
        edited(
            exported(),
            [
                ("办理流程", 2, "时限占比（%）", 10),
                ("表单字段", 3, "适用情形", "nobody"),
                ("表单字段", 4, "字段类型", "photo"),
                ("申请材料", 2, "材料形式", "光盘"),
                ("事项", 3, "不收费", "是"),
            ],
        ),
        "「办理流程」第2行「时限占比（%）」：各环节时限占比之和应为100%，当前为90%。",
        "「表单字段」第3行「适用情形」：情形“nobody”未定义。",
        "「申请材料」第2行「材料形式」：“光盘”不是有效的取值，可选：纸质、电子、纸质和电子。",
        "「事项」第3行「不收费」：标注为不收费，但「收费」表中有2条该事项的收费项目。",
    )
    # the field type names the allowed codes
    report = excel.import_catalog(edited(exported(), [("表单字段", 4, "字段类型", "photo")]), actor="测试")
    assert any(
        e.startswith("「表单字段」第4行「字段类型」：“photo”不是有效的字段类型") for e in report.errors
    )


def test_one_bad_text_stops_the_whole_import_including_the_good_ones(catalog):
    buf = edited(
        exported(),
        [
            recode("371301002302-01", "371301002303"),
            ("事项", 2, "承诺时限（工作日）", 3),
            ("事项", 3, "事项名称", ""),
        ],
    )
    report = import_fails(buf, "「事项」第3行「事项名称」：不能为空。")
    assert len(report.errors) == 1
    assert not StandardItem.objects.filter(code="371301002303-01").exists()


def test_text_that_looks_like_a_formula_or_spans_lines_survives_the_round_trip(catalog_city):
    publish(
        sample_content(
            conditions='=HYPERLINK("http://example.com")\n第二行条件',
            keywords=["=1+1", "开饭店"],
            consult_phone="0539-8100001",
        )
    )
    buf = exported()
    ws = openpyxl.load_workbook(buf)["事项"]
    assert ws.cell(2, column_of(ws, "受理条件")).data_type == "s"
    buf.seek(0)
    before = counts()
    report = excel.import_catalog(buf, actor="测试")
    assert report.ok and report.unchanged == 1, report.errors
    assert counts() == before
