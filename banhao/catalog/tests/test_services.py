"""Standard texts in versions with a life cycle; implementations audited against them."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from banhao.catalog import selectors, services
from banhao.catalog.models import Implementation, StandardVersion, Status
from banhao.core.models import AuditEvent
from conftest import sample_content

pytestmark = pytest.mark.django_db


def publish(content=None):
    version, _ = services.standard_save(actor="测试", data=content or sample_content())
    return services.version_publish(actor="测试", version=version, effective_from=dt.date(2026, 1, 1))


def test_saving_new_content_creates_a_draft_version_one(catalog_city):
    version, outcome = services.standard_save(actor="测试", data=sample_content())
    assert outcome == "created"
    assert version.number == 1 and version.status == Status.DRAFT
    assert version.item.code == "371301002301-01"
    assert AuditEvent.objects.filter(action="catalog.version_create", object_id=str(version.pk)).exists()


def test_saving_identical_content_again_writes_nothing(catalog_city):
    publish()
    events = AuditEvent.objects.count()
    _version, outcome = services.standard_save(actor="测试", data=sample_content())
    assert outcome == "unchanged"
    assert StandardVersion.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_changed_content_after_publication_makes_a_new_draft_version(catalog_city):
    publish()
    version, outcome = services.standard_save(actor="测试", data=sample_content(promised_days=3))
    assert outcome == "new_version"
    assert version.number == 2 and version.status == Status.DRAFT
    assert version.promised_days == 3


def test_changes_to_a_draft_update_it_in_place(catalog_city):
    services.standard_save(actor="测试", data=sample_content())
    version, outcome = services.standard_save(actor="测试", data=sample_content(promised_days=4))
    assert outcome == "updated"
    assert StandardVersion.objects.count() == 1 and version.promised_days == 4


def test_publishing_a_new_version_retires_the_old_one_the_day_before(catalog_city):
    first = publish()
    second, _ = services.standard_save(actor="测试", data=sample_content(promised_days=3))
    services.version_submit(actor="测试", version=second)
    services.version_publish(actor="测试", version=second, effective_from=dt.date(2026, 3, 1))
    first.refresh_from_db()
    assert first.status == Status.RETIRED and first.effective_to == dt.date(2026, 2, 28)
    assert StandardVersion.objects.filter(status=Status.PUBLISHED).get().number == 2


def test_a_refused_transition_says_why_in_chinese(catalog_city):
    version, _ = services.standard_save(actor="测试", data=sample_content())
    with pytest.raises(ValidationError) as err:
        services.version_retire(actor="测试", version=version)
    assert "当前状态为“草稿”，不能执行“停用”" in err.value.messages[0]


def test_promised_limit_above_the_statutory_limit_is_refused(catalog_city):
    with pytest.raises(ValidationError) as err:
        services.standard_save(actor="测试", data=sample_content(promised_days=12))
    assert "不得超过法定时限" in str(err.value.message_dict["promised_days"])


def test_visits_without_a_reason_are_refused(catalog_city):
    with pytest.raises(ValidationError) as err:
        services.standard_save(actor="测试", data=sample_content(visit_reason=""))
    assert "visit_reason" in err.value.message_dict


def test_a_zero_visit_item_that_cannot_be_done_online_must_accept_post(catalog_city):
    with pytest.raises(ValidationError) as err:
        services.standard_save(actor="测试", data=sample_content(visits=0, visit_reason="", post=False))
    assert "必须支持物流快递" in str(err.value.message_dict["post"])


def test_an_implementation_that_inherits_the_standard_publishes(catalog_city):
    publish()
    impl, _ = services.implementation_save(
        actor="测试",
        standard=StandardVersion.objects.get().item,
        region_code="371302",
        department="兰山区行政审批服务局",
        local={"address": "兰山区政务服务中心C区", "phone": "0539-8200001"},
    )
    services.implementation_publish(actor="测试", implementation=impl)
    impl.refresh_from_db()
    assert impl.status == Status.PUBLISHED and impl.implementation_code == "371301002301-01-371302"


def test_a_deviating_implementation_is_listed_by_the_audit_and_cannot_be_published(catalog_city):
    standard = publish().item
    declared = sample_content(promised_days=7, materials=sample_content()["materials"][:2])
    impl, _ = services.implementation_save(
        actor="测试",
        standard=standard,
        region_code="371321",
        department="沂南县行政审批服务局",
        declared=declared,
    )
    deviations = selectors.catalog_audit()
    assert {(d.region_code, d.element) for d in deviations} == {
        ("371321", "promised_days"),
        ("371321", "materials"),
    }
    promised = next(d for d in deviations if d.element == "promised_days")
    assert (promised.standard_value, promised.implementation_value) == (5, 7)
    with pytest.raises(ValidationError) as err:
        services.implementation_publish(actor="测试", implementation=impl)
    assert "申请材料" in err.value.messages[0] and "承诺时限" in err.value.messages[0]
    services.implementation_align(actor="测试", implementation=impl)
    services.implementation_publish(actor="测试", implementation=Implementation.objects.get(pk=impl.pk))
    assert selectors.catalog_audit() == []


def test_an_implementation_declaring_the_same_elements_is_not_a_deviation(catalog_city):
    standard = publish().item
    services.implementation_save(
        actor="测试",
        standard=standard,
        region_code="371302",
        department="兰山区行政审批服务局",
        declared=sample_content(),
    )
    assert selectors.catalog_audit() == []


def test_an_implementation_cannot_be_published_before_its_standard(catalog_city):
    version, _ = services.standard_save(actor="测试", data=sample_content())
    impl, _ = services.implementation_save(
        actor="测试", standard=version.item, region_code="371302", department="兰山区行政审批服务局"
    )
    with pytest.raises(ValidationError) as err:
        services.implementation_publish(actor="测试", implementation=impl)
    assert "尚未发布" in err.value.messages[0]


def test_saving_local_fields_keeps_a_declared_element_set_unless_told_otherwise(catalog_city):
    standard = publish().item
    declared = sample_content(promised_days=7)
    impl, _ = services.implementation_save(
        actor="测试",
        standard=standard,
        region_code="371302",
        department="兰山区行政审批服务局",
        declared=declared,
    )
    services.implementation_save(
        actor="测试",
        standard=standard,
        region_code="371302",
        department="兰山区行政审批服务局",
        local={"address": "新地址"},
    )
    impl.refresh_from_db()
    assert impl.declared["promised_days"] == 7 and impl.address == "新地址"
    services.implementation_save(
        actor="测试",
        standard=standard,
        region_code="371302",
        department="兰山区行政审批服务局",
        declared=None,
    )
    impl.refresh_from_db()
    assert impl.declared is None


def test_content_equal_to_the_published_version_leaves_a_newer_draft_alone(catalog_city):
    publish()
    draft, _ = services.standard_save(actor="测试", data=sample_content(promised_days=3))
    version, outcome = services.standard_save(actor="测试", data=sample_content())
    assert outcome == "unchanged" and version.status == Status.PUBLISHED
    draft.refresh_from_db()
    assert draft.promised_days == 3


def test_the_new_text_screen_refuses_a_code_that_already_exists(catalog_city):
    publish()
    with pytest.raises(ValidationError) as err:
        services.standard_save(actor="测试", data=sample_content(promised_days=3), new_only=True)
    assert "已存在" in str(err.value.message_dict["basic_code"])
    assert StandardVersion.objects.count() == 1
