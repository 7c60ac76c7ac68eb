"""Masking of identifiers on screens and in logs, and the append-only audit trail."""

import datetime as dt
import io
import logging

import pytest
from django.db import connection, transaction

from banhao.accounts.models import User
from banhao.core.audit import audit_record, changed, history, snapshot
from banhao.core.context import current_request_id, current_request_ip
from banhao.core.logging import MaskIdentifiersFilter
from banhao.core.masking import mask_phone, mask_resident_id, mask_text
from banhao.core.models import AuditEvent, CalendarDay, CalendarYear
from banhao.registry.models import Organization, Person

RESIDENT_ID = "37130219900101123X"
MASKED_ID = "3713**********123X"
MOBILE = "13812345678"
MASKED_MOBILE = "138****5678"

# --- masking ------------------------------------------------------------------------------


def test_a_resident_id_keeps_its_first_four_and_last_four_characters():
    assert mask_resident_id(RESIDENT_ID) == MASKED_ID
    assert mask_resident_id("440524188001010014") == "4405**********0014"


def test_short_or_empty_values_are_masked_entirely_or_left_empty():
    assert mask_resident_id("") == ""
    assert mask_resident_id(None) == ""
    assert mask_resident_id("12345678") == "********"
    assert mask_phone("") == ""
    assert mask_phone("123456") == "******"


def test_a_mobile_number_keeps_its_first_three_and_last_four_digits():
    assert mask_phone(MOBILE) == MASKED_MOBILE


def test_mask_text_masks_resident_ids_and_mobiles_inside_free_text():
    text = f"申请人身份证号{RESIDENT_ID}，手机{MOBILE}，另一证件 11010519491231002x。"
    assert mask_text(text) == (
        f"申请人身份证号{MASKED_ID}，手机{MASKED_MOBILE}，另一证件 1101**********002X。"
    )


def test_mask_text_leaves_other_numbers_alone():
    text = "办件编号 20260213001，金额 1234.56 元，座机 0539-8123456，第 12 号窗口，2026年2月13日。"
    assert mask_text(text) == text


def test_mask_text_leaves_ids_and_mobiles_embedded_in_longer_digit_runs_alone():
    text = f"流水号 9{RESIDENT_ID[:-1]}9 与 0{MOBILE}0"
    assert mask_text(text) == text


def test_mask_text_masks_a_mobile_written_with_the_country_code():
    # KNOWN BUG (see the report): "+86" glued to the number makes the look-behind fail.
    assert mask_text(f"联系电话 +86{MOBILE}") == f"联系电话 +86{MASKED_MOBILE}"


def _handler_with_mask() -> tuple[logging.Handler, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(MaskIdentifiersFilter())
    return handler, stream


def test_the_log_filter_masks_identifiers_passed_as_arguments(caplog):
    logger = logging.getLogger("banhao.tests.masking")
    mask = MaskIdentifiersFilter()
    logger.addFilter(mask)
    try:
        with caplog.at_level(logging.INFO, logger="banhao.tests.masking"):
            logger.info("申请人 %s 手机 %s 提交了第 %d 号申请", RESIDENT_ID, MOBILE, 42)
    finally:
        logger.removeFilter(mask)
    (record,) = caplog.records
    assert record.getMessage() == f"申请人 {MASKED_ID} 手机 {MASKED_MOBILE} 提交了第 42 号申请"
    assert RESIDENT_ID not in caplog.text and MOBILE not in caplog.text


def test_the_log_filter_on_a_handler_masks_what_the_handler_writes():
    logger = logging.getLogger("banhao.tests.masking.handler")
    handler, stream = _handler_with_mask()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info("查询 %(id)s", {"id": RESIDENT_ID})
        logger.info("没有身份信息的消息 %s", 12345)
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == f"INFO 查询 {MASKED_ID}\nINFO 没有身份信息的消息 12345\n"


def test_the_log_filter_masks_identifiers_in_a_logged_exception():
    # KNOWN BUG (see the report): the traceback text is not masked. PostgreSQL's unique
    # violation, for one, reads "Key (resident_id)=(37130219900101123X) already exists".
    logger = logging.getLogger("banhao.tests.masking.exception")
    handler, stream = _handler_with_mask()
    logger.addHandler(handler)
    try:
        try:
            raise ValueError(f"Key (resident_id)=({RESIDENT_ID}) already exists.")
        except ValueError:
            logger.exception("保存自然人失败")
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "保存自然人失败" in output
    assert RESIDENT_ID not in output


def test_a_broken_format_string_is_left_for_logging_to_report():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%d %d", ("a",), None)
    assert MaskIdentifiersFilter().filter(record) is True
    assert record.msg == "%d %d"


# --- audit records ------------------------------------------------------------------------


def test_changed_keeps_only_the_keys_whose_values_differ():
    before = {"source": "甲", "note": "不变", "year": 2027}
    after = {"source": "乙", "note": "不变", "year": 2027}
    assert changed(before, after) == ({"source": "甲"}, {"source": "乙"})
    assert changed(None, after) == (None, after)
    assert changed(before, None) == (before, None)


@pytest.mark.django_db
def test_audit_record_stores_before_and_after_of_the_changed_keys_only():
    entry = CalendarYear.objects.create(year=2027, source="甲", note="不变")
    before = snapshot(entry)
    entry.source = "乙"
    entry.save()
    event = audit_record(
        actor="管理员", obj=entry, action="test.change", before=before, after=snapshot(entry)
    )
    event.refresh_from_db()
    assert event.before == {"source": "甲"}
    assert event.after == {"source": "乙"}
    assert event.object_type == "core.calendaryear"
    assert event.object_id == str(entry.pk)
    assert event.object_repr == "2027年"
    assert event.actor_label == "管理员"


@pytest.mark.django_db
def test_audit_record_on_create_keeps_every_field_of_the_new_object():
    day = CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday", name="元旦")
    event = audit_record(actor=None, obj=day, action="test.create", after=snapshot(day))
    assert event.before is None
    assert event.after == {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}
    assert event.object_id == str(day.pk)
    assert event.actor_label == "系统"


@pytest.mark.django_db
def test_audit_record_takes_the_request_id_and_address_from_the_context():
    day = CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday")
    id_token = current_request_id.set("req-123")
    ip_token = current_request_ip.set("10.0.0.7")
    try:
        event = audit_record(actor="管理员", obj=day, action="test.ctx", reason="长" * 300)
    finally:
        current_request_id.reset(id_token)
        current_request_ip.reset(ip_token)
    assert event.request_id == "req-123"
    assert event.ip == "10.0.0.7"
    assert event.reason == "长" * 200
    assert list(history(day)) == [event]


def test_snapshot_masks_resident_id_and_phone_fields():
    person = Person(
        name="张三", resident_id=RESIDENT_ID, gender="M", birth_date=dt.date(1990, 1, 1), phone=MOBILE
    )
    data = snapshot(person)
    assert data["resident_id"] == MASKED_ID
    assert data["phone"] == MASKED_MOBILE
    assert data["birth_date"] == "1990-01-01"
    assert data["name"] == "张三"
    assert "updated_at" not in data


def test_snapshot_of_an_account_masks_the_phone_and_never_copies_the_password():
    user = User(username="zhangsan", phone=MOBILE, password="md5$salt$hash")
    data = snapshot(user)
    assert data["phone"] == MASKED_MOBILE
    assert "password" not in data and "last_login" not in data


def test_snapshot_masks_every_field_holding_a_resident_id():
    # KNOWN BUG (see the report): only fields named exactly "resident_id" are masked, so the
    # legal representative's full ID number is copied into the append-only trail for ever.
    org = Organization(
        name="示例公司",
        credit_code="914403001922038216",
        kind="enterprise",
        legal_representative="张三",
        legal_representative_id=RESIDENT_ID,
    )
    data = snapshot(org)
    assert RESIDENT_ID not in str(data)
    assert data["legal_representative_id"] == MASKED_ID


# --- append-only --------------------------------------------------------------------------


@pytest.fixture
def event(db):
    day = CalendarDay.objects.create(date=dt.date(2027, 1, 1), kind="holiday")
    return audit_record(actor="管理员", obj=day, action="test.append_only", after=snapshot(day))


def test_an_audit_event_cannot_be_saved_again(event):
    event.action = "x"
    with pytest.raises(PermissionError):
        event.save()


def test_an_audit_event_cannot_be_deleted_through_the_model(event):
    with pytest.raises(PermissionError):
        event.delete()


def test_audit_events_cannot_be_updated_or_deleted_through_a_queryset(event):
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.append_only"


def test_the_database_refuses_a_raw_update_of_the_audit_trail(event):
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditevent SET action = 'x'")
    assert AuditEvent.objects.get(pk=event.pk).action == "test.append_only"


def test_on_postgresql_the_database_refuses_a_raw_delete_of_the_audit_trail(event):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite refuses DELETE in the model and queryset only (migration 0002)")
    with pytest.raises(Exception, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_history_rows_speak_chinese_field_names_and_action_labels():
    from banhao.core.audit import action_label
    from banhao.core.models import CalendarYear

    entry = CalendarYear.objects.create(year=2030, source="甲")
    event = audit_record(actor="管理员", obj=entry, action="calendar.year_publish", after=snapshot(entry))
    assert event.action_label == "发布年度工作日历"
    assert ("来源", None, "甲") in event.diff_rows
    assert "id" not in event.after  # the object id is the event's own column
    assert action_label("org.department_add") == "新增部门"
    assert action_label("registry.person_update") == "修改自然人信息"
    assert action_label("unknown.thing") == "unknown.thing"
