"""Online application (网上申请): prefill, registry re-check, uploads, drafts, idempotent submit."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from banhao.cases.models import Case, CaseMaterial, Draft, Status
from banhao.catalog import services as catalog
from banhao.core.identifiers import make_org_code, make_uscc
from banhao.registry import services as registry
from conftest import PASSWORD, sample_content

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64

# material inputs follow the order of sample_content's materials
APPLICATION_FORM, LICENCE, MANDATE = "m_0", "m_1", "m_2"

PERSON_FIELDS = [
    {"key": "applicant_name", "label": "申请人姓名", "type": "text", "prefill": "person.name"},
    {
        "key": "applicant_id",
        "label": "申请人身份证号",
        "type": "resident_id",
        "prefill": "person.resident_id",
    },
    {"key": "mobile", "label": "手机号码", "type": "phone", "prefill": "person.phone"},
    {"key": "open_on", "label": "拟开业日期", "type": "date", "required": False},
    {"key": "seats", "label": "座位数", "type": "number", "required": False},
    {"key": "remark", "label": "备注", "type": "textarea", "required": False, "max_length": 50},
]


def _publish(content, region_code="371302", department="兰山区行政审批服务局", publish=True):
    version, _ = catalog.standard_save(actor="测试", data=content)
    version = catalog.version_publish(actor="测试", version=version)
    impl, _ = catalog.implementation_save(
        actor="测试", standard=version.item, region_code=region_code, department=department
    )
    if publish:
        impl = catalog.implementation_publish(actor="测试", implementation=impl)
    return impl


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def impl(catalog_city):
    content = sample_content()
    content["form_fields"] = content["form_fields"] + PERSON_FIELDS
    return _publish(content)


@pytest.fixture
def person(make_person):
    return make_person("371302", name="李娜", phone="13900000002")


@pytest.fixture
def applicant(client, person):
    registry.applicant_account_open(actor="测试", person=person, password=PASSWORD)
    assert client.login(username=person.phone, password=PASSWORD)
    return person


@pytest.fixture
def organization():
    code = make_uscc("9", "1", "371302", make_org_code("MA3C0001"))
    return registry.organization_register(
        actor="测试", name="临沂市好味道餐饮有限公司", credit_code=code, legal_representative="赵强"
    )


def _url(impl) -> str:
    return reverse("apply:start", args=[impl.pk])


def _html(response) -> str:
    return response.content.decode()


def _value(html: str, name: str) -> str | None:
    """The value attribute of the input of that name, whatever the attribute order."""
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', html)
    found = re.search(r'\bvalue="([^"]*)"', tag.group(0)) if tag else None
    return found.group(1) if found else None


def _key(html: str) -> str:
    return re.search(r'name="key" value="([0-9a-f]{32})"', html).group(1)


def _form(applicant, **overrides) -> dict:
    """A complete, valid application of a personal account (no agent)."""
    data = {
        "s_agent": "no",
        "f_org_name": "李娜小吃店",
        "f_credit_code": make_uscc("9", "2", "371302", make_org_code("L0000001")),
        "f_address": "兰山区解放路1号",
        "f_category": "热食类",
        "f_applicant_name": applicant.name,
        "f_applicant_id": applicant.resident_id,
        "f_mobile": "13900000002",
        "f_open_on": "2026-12-01",
        "f_seats": "24",
        "f_remark": "",
        "contact_phone": "13900000002",
        "action": "submit",
    }
    data.update(overrides)
    return data


def _pdf(name="申请书.pdf", body=PDF):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def _draft_files(media) -> list:
    root = media / "drafts"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- the page ----------------------------------------------------------------------------------


def test_the_page_shows_item_region_limit_and_the_applicants_registry_values(client, impl, applicant):
    response = client.get(_url(impl))
    assert response.status_code == 200
    html = _html(response)
    assert "食品经营许可（新办）" in html and "兰山区" in html and "5个工作日" in html
    assert re.search(rf'name="f_applicant_name" value="{applicant.name}"[^>]*readonly', html)
    assert re.search(rf'name="f_applicant_id" value="{applicant.resident_id}"[^>]*readonly', html)
    assert _value(html, "contact_phone") == "13900000002"
    assert "是否委托他人办理？" in html and 'name="s_agent" value="yes"' in html
    # every widget by type
    assert re.search(r'<input id="f_open_on"[^>]*type="date"', html)
    assert re.search(r'<input id="f_mobile"[^>]*type="tel"', html)
    assert re.search(r'<textarea id="f_remark" name="f_remark"', html)
    assert 'name="f_category" value="热食类"' in html  # a choice of three: radio buttons
    # materials: the shared one needs no upload, the agent's one is not asked for yet
    assert 'name="m_0"' in html and 'type="file"' in html
    assert "可通过数据共享获取，无需上传" in html and 'name="m_1"' not in html
    assert "授权委托书" not in html and 'name="f_agent_id"' not in html
    assert "保存草稿" in html and "提交申请" in html and "更新情形" in html


def test_an_enterprise_account_gets_its_organization_prefilled(client, impl, person, organization):
    registry.enterprise_account_open(
        actor="测试", person=person, organization=organization, password=PASSWORD, granted_by="赵强"
    )
    assert client.login(username=person.phone, password=PASSWORD)
    html = _html(client.get(_url(impl)))
    assert re.search(r'name="f_org_name" value="临沂市好味道餐饮有限公司"[^>]*readonly', html)
    assert re.search(rf'name="f_credit_code" value="{organization.credit_code}"[^>]*readonly', html)


def test_answering_agent_adds_its_field_and_its_material(client, impl, applicant):
    response = client.post(_url(impl), {"s_agent": "yes", "action": "refresh"})
    assert response.status_code == 302
    html = _html(client.get(_url(impl)))
    assert 'name="s_agent" value="yes" checked' in html
    assert 'name="f_agent_id"' in html and "经办人身份证号" in html
    assert "授权委托书" in html and 'name="m_2"' in html


# --- submitting --------------------------------------------------------------------------------


def test_the_happy_path_makes_a_case_with_its_materials_and_shows_the_number(
    client, impl, applicant, media, django_capture_on_commit_callbacks
):
    html = _html(client.get(_url(impl)))
    key = _key(html)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(impl), {**_form(applicant), "key": key, APPLICATION_FORM: _pdf()})
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("apply:done", args=[case.number])
    assert case.status == Status.SUBMITTED and case.channel == Case.Channel.ONLINE
    assert case.idempotency_key == key and case.applicant_user.phone == "13900000002"
    assert case.person_id == applicant.pk and case.organization_id is None
    assert case.region.code == "371302" and case.promised_limit == 5
    assert case.form_data["applicant_id"] == applicant.resident_id
    assert case.form_data["seats"] == "24" and case.form_data["open_on"] == "2026-12-01"
    assert case.situations == {"agent": False} and "agent_id" not in case.form_data
    materials = {m.name: m for m in case.materials.all()}
    assert set(materials) == {"食品经营许可申请书", "营业执照"}
    upload = materials["食品经营许可申请书"]
    assert upload.original_name == "申请书.pdf" and upload.content_type == "application/pdf"
    assert upload.size == len(PDF) and len(upload.sha256) == 64
    assert upload.file.read() == PDF
    assert not Draft.objects.exists() and _draft_files(media) == []  # the draft is gone

    done = _html(client.get(response.url))
    assert case.number in done and "已提交，等待受理" in done
    assert f'href="/cases/{case.number}/"' in done and "一次性告知" in done


def test_a_shared_material_needs_no_upload_and_is_recorded_as_exempt(client, impl, applicant):
    client.post(_url(impl), {**_form(applicant), APPLICATION_FORM: _pdf()})
    licence = CaseMaterial.objects.get(name="营业执照")
    assert not licence.file and licence.state == CaseMaterial.State.RECEIVED
    assert licence.note == "免提交（数据共享）"


def test_a_required_material_missing_blocks_the_submission_with_a_chinese_message(client, impl, applicant):
    response = client.post(_url(impl), _form(applicant))
    assert response.status_code == 400
    assert "请上传“食品经营许可申请书”。" in _html(response)
    assert not Case.objects.exists()


def test_the_agent_situation_requires_its_field_and_material(client, impl, applicant):
    response = client.post(_url(impl), {**_form(applicant, s_agent="yes"), APPLICATION_FORM: _pdf()})
    html = _html(response)
    assert response.status_code == 400
    assert "请填写“经办人身份证号”。" in html and "请上传“授权委托书”。" in html
    # the application form uploaded in that POST was kept: only the mandate and the ID remain
    assert "已上传：申请书.pdf" in html
    good_id = "11010519491231002X"
    response = client.post(
        _url(impl),
        {
            **_form(applicant, s_agent="yes", f_agent_id=good_id),
            MANDATE: SimpleUploadedFile("委托书.png", PNG, content_type="image/png"),
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.situations == {"agent": True} and case.form_data["agent_id"] == good_id
    assert set(case.materials.values_list("name", flat=True)) == {
        "食品经营许可申请书",
        "营业执照",
        "授权委托书",
    }


def test_a_field_that_differs_from_the_registry_is_refused(client, impl, applicant, make_person):
    other = make_person("371302", name="王五")
    response = client.post(
        _url(impl),
        {
            **_form(applicant, f_applicant_name="王五", f_applicant_id=other.resident_id),
            APPLICATION_FORM: _pdf(),
        },
    )
    html = _html(response)
    assert response.status_code == 400
    assert html.count("与基础信息库不一致") >= 2
    assert not Case.objects.exists()


def test_an_enterprise_cannot_apply_with_another_organizations_credit_code(
    client, impl, person, organization
):
    registry.enterprise_account_open(
        actor="测试", person=person, organization=organization, password=PASSWORD, granted_by="赵强"
    )
    assert client.login(username=person.phone, password=PASSWORD)
    someone_else = make_uscc("9", "1", "371302", make_org_code("MA3C0002"))
    form = _form(person, f_org_name=organization.name, f_credit_code=someone_else)
    response = client.post(_url(impl), {**form, APPLICATION_FORM: _pdf()})
    assert response.status_code == 400 and "与基础信息库不一致" in _html(response)
    # with the registered code (typed in lower case with spaces) it goes through, for the organization
    form["f_credit_code"] = " ".join([organization.credit_code[:9], organization.credit_code[9:]]).lower()
    response = client.post(_url(impl), form)
    assert response.status_code == 302
    case = Case.objects.get()
    assert (
        case.organization_id == organization.pk and case.form_data["credit_code"] == organization.credit_code
    )


def test_a_bad_resident_id_shows_the_chinese_error_and_keeps_every_typed_value(client, impl, applicant):
    typed = _form(
        applicant,
        s_agent="yes",
        f_agent_id="371302198001010010",  # wrong check digit
        f_org_name="李娜小吃店（解放路店）",
        f_address="兰山区解放路1号附2号",
        f_category="冷食类",
        f_seats="36",
        f_remark="只做早餐",
        contact_phone="0539-8123456",
    )
    response = client.post(_url(impl), typed)
    html = _html(response)
    assert response.status_code == 400
    assert "公民身份号码校验位不正确，请核对是否输错。" in html
    assert 'value="371302198001010010"' in html  # the wrong number too, to be corrected
    for name in ("f_org_name", "f_address", "f_credit_code", "f_seats", "contact_phone", "f_open_on"):
        assert _value(html, name) == typed[name]
    assert 'name="f_category" value="冷食类" checked' in html
    assert ">只做早餐</textarea>" in html
    assert 'name="s_agent" value="yes" checked' in html
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("f_mobile", "1390000", "请填写11位手机号码，或带区号的固定电话"),
        ("f_seats", "二十", "“座位数”应填写数字。"),
        ("f_open_on", "2026-02-30", "“拟开业日期”应为有效日期"),
        ("f_category", "烧烤类", "“经营项目”请从给定选项中选择"),
        ("f_remark", "字" * 51, "“备注”不能超过50个字"),
        ("f_address", "", "请填写“经营场所”。"),
        ("f_credit_code", "91371302MA3C00010I", "统一社会信用代码"),
        ("contact_phone", "", "请填写联系电话"),
    ],
)
def test_each_field_is_checked_by_its_type(client, impl, applicant, field, value, message):
    response = client.post(_url(impl), {**_form(applicant, **{field: value}), APPLICATION_FORM: _pdf()})
    assert response.status_code == 400
    assert message in _html(response)


def test_an_unanswered_situation_must_be_answered(client, impl, applicant):
    form = _form(applicant)
    del form["s_agent"]
    response = client.post(_url(impl), {**form, APPLICATION_FORM: _pdf()})
    assert response.status_code == 400 and "请回答：是否委托他人办理？" in _html(response)


# --- uploads -----------------------------------------------------------------------------------


def test_a_disguised_executable_is_refused_and_not_stored_while_good_uploads_are_kept(
    client, impl, applicant, media
):
    response = client.post(
        _url(impl),
        {
            **_form(applicant, s_agent="yes", f_agent_id="11010519491231002X"),
            APPLICATION_FORM: _pdf("申请书.pdf", EXE),
            MANDATE: _pdf("委托书.pdf"),
        },
    )
    html = _html(response)
    assert response.status_code == 400
    assert "文件内容与扩展名不符（不是真正的PDF），已拒绝。" in html
    assert "已上传：委托书.pdf" in html and "已上传：申请书.pdf" not in html
    files = Draft.objects.get().data["files"]
    assert set(files) == {"授权委托书"}
    stored = _draft_files(media)
    assert len(stored) == 1 and stored[0].read_bytes() == PDF
    assert not any(p.read_bytes().startswith(b"MZ") for p in media.rglob("*") if p.is_file())
    assert not Case.objects.exists()


def test_a_file_of_the_wrong_type_or_too_large_is_refused(client, impl, applicant, monkeypatch):
    from banhao.cases import apply_forms

    response = client.post(
        _url(impl), {"action": "save", APPLICATION_FORM: SimpleUploadedFile("申请书.docx", b"PK\x03\x04xx")}
    )
    assert response.status_code == 400 and "不支持这种文件类型" in _html(response)
    monkeypatch.setattr(apply_forms, "MAX_UPLOAD_BYTES", 10)
    response = client.post(_url(impl), {"action": "save", APPLICATION_FORM: _pdf()})
    assert response.status_code == 400 and "文件太大" in _html(response)
    assert Draft.objects.get().data["files"] == {}


def test_a_new_upload_replaces_the_earlier_file_of_the_material(client, impl, applicant, media):
    client.post(_url(impl), {"action": "save", APPLICATION_FORM: _pdf("第一版.pdf")})
    client.post(_url(impl), {"action": "save", APPLICATION_FORM: _pdf("第二版.pdf", PDF + b"v2")})
    files = Draft.objects.get().data["files"]
    assert files["食品经营许可申请书"]["name"] == "第二版.pdf"
    stored = _draft_files(media)
    assert len(stored) == 1 and stored[0].read_bytes() == PDF + b"v2"


# --- drafts ------------------------------------------------------------------------------------


def test_a_saved_draft_comes_back_with_its_values_and_files(client, impl, applicant):
    key = _key(_html(client.get(_url(impl))))
    response = client.post(
        _url(impl),
        {
            "key": key,
            "action": "save",
            "s_agent": "yes",
            "f_org_name": "李娜小吃店",
            "f_agent_id": "1101051949",
            "f_seats": "12",
            "contact_phone": "0539-8123456",
            APPLICATION_FORM: _pdf(),
        },
    )
    assert response.status_code == 302
    assert "草稿已保存" in _html(client.get(response.url))
    draft = Draft.objects.get()
    assert draft.data["key"] == key and draft.data["fields"]["agent_id"] == "1101051949"
    html = _html(client.get(_url(impl)))
    assert "已恢复您于" in html and _key(html) == key
    assert 'name="f_org_name" value="李娜小吃店"' in html
    assert 'name="f_agent_id" value="1101051949"' in html  # incomplete: a draft need not be valid
    assert _value(html, "contact_phone") == "0539-8123456"
    assert "已上传：申请书.pdf" in html and "可重新选择替换" in html
    # a draft is the applicant's own: nobody else sees it
    assert Case.objects.count() == 0


def test_a_draft_can_be_discarded_with_its_files(client, impl, applicant, media):
    client.post(_url(impl), {"action": "save", "f_org_name": "x", APPLICATION_FORM: _pdf()})
    assert _draft_files(media)
    response = client.post(_url(impl), {"action": "discard"})
    assert response.status_code == 302
    assert not Draft.objects.exists() and _draft_files(media) == []


def test_submitting_from_the_draft_uses_the_files_uploaded_before(client, impl, applicant):
    client.post(_url(impl), {**_form(applicant), "action": "save", APPLICATION_FORM: _pdf()})
    response = client.post(_url(impl), _form(applicant))  # no file in this POST
    assert response.status_code == 302
    assert Case.objects.get().materials.get(name="食品经营许可申请书").original_name == "申请书.pdf"


# --- idempotency -------------------------------------------------------------------------------


def test_a_double_submit_with_the_same_key_makes_one_case(client, impl, applicant):
    key = uuid.uuid4().hex
    first = client.post(_url(impl), {**_form(applicant), "key": key, APPLICATION_FORM: _pdf()})
    second = client.post(_url(impl), {**_form(applicant), "key": key, APPLICATION_FORM: _pdf()})
    assert Case.objects.count() == 1 and CaseMaterial.objects.count() == 2
    assert first.url == second.url == reverse("apply:done", args=[Case.objects.get().number])
    assert not Draft.objects.exists()


def test_the_service_checks_the_materials_and_returns_the_same_case_for_a_retry(impl, applicant):
    from django.core.exceptions import ValidationError
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from banhao.cases import commands

    path = default_storage.save("drafts/test/form.pdf", ContentFile(PDF))
    record = {
        "path": path,
        "name": "申请书.pdf",
        "size": len(PDF),
        "sha256": "0" * 64,
        "content_type": "application/pdf",
    }
    kwargs = dict(
        actor=applicant.accounts.get().user,
        implementation_id=impl.pk,
        applicant=commands.Applicant(person_id=applicant.pk, contact_phone="13900000002"),
        form_data={"org_name": "李娜小吃店"},
        situations={"agent": False},
        materials=[{"name": "营业执照", "shared": True, "file": None}],
        idempotency_key="k" * 32,
    )
    with pytest.raises(ValidationError, match="食品经营许可申请书"):
        commands.case_submit_application(**kwargs)
    kwargs["materials"].append({"name": "食品经营许可申请书", "shared": False, "file": record})
    a = commands.case_submit_application(**kwargs)
    b = commands.case_submit_application(**kwargs)
    assert a.id == b.id and a.created and not b.created
    assert CaseMaterial.objects.filter(case_id=a.id).count() == 2


def test_a_new_application_after_a_submission_gets_a_new_key(client, impl, applicant):
    key = _key(_html(client.get(_url(impl))))
    client.post(_url(impl), {**_form(applicant), "key": key, APPLICATION_FORM: _pdf()})
    fresh = _key(_html(client.get(_url(impl))))
    assert fresh != key
    # the old page saved again (browser back): a new draft, not the old submission's key
    client.post(_url(impl), {"key": key, "action": "save", "f_org_name": "第二家店"})
    assert Draft.objects.get().data["key"] != key


# --- who and what ------------------------------------------------------------------------------


def test_staff_get_a_friendly_403(client, impl, make_staff):
    make_staff("window_clerk", username="clerk1")
    assert client.login(username="clerk1", password=PASSWORD)
    response = client.get(_url(impl))
    assert response.status_code == 403
    assert "工作人员账户不能网上申请" in _html(response)
    assert client.post(_url(impl), {"action": "save"}).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, impl):
    response = client.get(_url(impl))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_an_unpublished_implementation_is_404(client, catalog_city, applicant):
    content = sample_content(basic_code="371301002399")
    impl = _publish(content, publish=False)
    assert client.get(_url(impl)).status_code == 404
    assert client.get(reverse("apply:start", args=[999999])).status_code == 404


def test_an_item_that_cannot_be_handled_online_is_404_with_the_reason(client, catalog_city, applicant):
    impl = _publish(sample_content(basic_code="371301002398", online_depth="2"))
    response = client.get(_url(impl))
    assert response.status_code == 404 and "本事项暂不支持网上申请，请到窗口办理" in _html(response)


def test_the_confirmation_page_is_only_the_applicants_own(client, impl, applicant, make_person):
    client.post(_url(impl), {**_form(applicant), APPLICATION_FORM: _pdf()})
    number = Case.objects.get().number
    stranger = make_person("371302", name="陈七", phone="13700000007")
    registry.applicant_account_open(actor="测试", person=stranger, password=PASSWORD)
    client.logout()
    assert client.login(username="13700000007", password=PASSWORD)
    assert client.get(reverse("apply:done", args=[number])).status_code == 404


def test_the_guide_links_to_the_application_only_when_the_item_is_online(client, impl, catalog_city):
    html = _html(client.get(reverse("guide:detail", args=[impl.pk])))
    assert f'href="/apply/{impl.pk}/"' in html
    offline = _publish(sample_content(basic_code="371301002397", online_depth="2"))
    html = _html(client.get(reverse("guide:detail", args=[offline.pk])))
    side = re.search(r'<aside class="bh-guide__side".*?</aside>', html, re.S).group(0)
    assert f'href="/apply/{offline.pk}/"' not in side
    assert re.sub(r"<[^>]+>", "", side).count("本事项暂不支持网上申请，请到窗口办理") == 1
    assert "disabled" in side


def test_the_page_works_in_elder_mode(client, impl, applicant):
    client.cookies["banhao_elder"] = "1"
    html = _html(client.get(_url(impl)))
    assert '<html lang="zh-CN" class="elder">' in html and "提交申请" in html


def test_uploads_go_through_the_storage_api_so_any_storage_serves_them(
    client, impl, applicant, media, settings, django_capture_on_commit_callbacks
):
    """Issue 10, build 2: with a storage that is not the disk (as S3 is), the draft upload, the
    submitted material and reading it back all work, and nothing lands under MEDIA_ROOT."""
    from django.core.files.storage import default_storage

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    key = _key(_html(client.get(_url(impl))))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(impl), {**_form(applicant), "key": key, APPLICATION_FORM: _pdf()})
    assert response.status_code == 302
    upload = Case.objects.get().materials.get(name="食品经营许可申请书")
    assert type(default_storage._wrapped).__name__ == "InMemoryStorage"
    assert default_storage.exists(upload.file.name) and upload.file.read() == PDF
    assert not [p for p in media.rglob("*") if p.is_file()]  # the disk was never touched
