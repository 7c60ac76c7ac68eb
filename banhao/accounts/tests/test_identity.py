"""Real-name registration (issue 10, fix 3): knowing a person's name and resident ID and holding
an SMS code for some phone does not make one that person."""

import re

import pytest
from django.urls import reverse

from banhao.accounts import identity, sms
from banhao.accounts.identity import DevelopmentBackend, IdentityClaim, RegistryBackend
from banhao.accounts.models import SmsCode, User
from banhao.core.identifiers import make_resident_id
from banhao.core.models import AuditEvent
from banhao.registry.models import ApplicantAccount, Person
from conftest import PASSWORD

pytestmark = pytest.mark.django_db
REGISTER = "/accounts/register/"
VICTIM_PHONE = "13900000009"
ATTACKER_PHONE = "13800000001"
NEW_ID = make_resident_id("37130219900101123")


class YesService:
    """A verification service that confirms every claim (as the province's platform would a true one)."""

    claims: list = []

    def confirms(self, claim):
        YesService.claims.append(claim)
        return True


class NoService:
    def confirms(self, claim):
        return False


@pytest.fixture(autouse=True)
def _outbox():
    sms.outbox.clear()
    identity._backend.cache_clear()
    YesService.claims = []
    yield
    sms.outbox.clear()
    identity._backend.cache_clear()


@pytest.fixture
def victim(make_person):
    """张三 in the registry, with his phone and his address."""
    from banhao.registry import services

    person = make_person(name="张三", phone=VICTIM_PHONE)
    return services.person_update(
        actor="测试", person=person, name="张三", phone=VICTIM_PHONE, address="兰山区沂蒙路100号3单元"
    )


def _code(client, django_capture_on_commit_callbacks, phone=ATTACKER_PHONE) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(REGISTER, {"action": "send", "phone": phone}).status_code == 302
    text = [m for m in sms.outbox if m.phone == phone][-1].text
    return re.search(r"验证码：(\d{6})", text).group(1)


def _register(client, code, *, name, resident_id):
    return client.post(
        REGISTER,
        {
            "action": "register",
            "name": name,
            "resident_id": resident_id,
            "password1": PASSWORD,
            "password2": PASSWORD,
            "code": code,
        },
    )


@pytest.fixture
def register(client, django_capture_on_commit_callbacks):
    def go(name, resident_id, phone=ATTACKER_PHONE):
        code = _code(client, django_capture_on_commit_callbacks, phone)
        return _register(client, code, name=name, resident_id=resident_id), code

    return go


# --- the probe of the issue --------------------------------------------------------------------


def test_another_persons_name_and_id_with_a_different_phone_is_refused_and_audited(client, register, victim):
    response, _ = register("张三", victim.resident_id)
    html = response.content.decode()
    assert response.status_code == 200
    assert "实名核验未通过" in html
    assert "_auth_user_id" not in client.session
    assert not ApplicantAccount.objects.exists() and not User.objects.filter(phone=ATTACKER_PHONE).exists()
    # Nothing of the person is shown or prefilled: not their phone, not their address.
    assert "兰山区沂蒙路100号" not in html and VICTIM_PHONE not in html and "139****0009" not in html
    victim.refresh_from_db()
    assert victim.phone == VICTIM_PHONE  # the registry is unchanged
    event = AuditEvent.objects.get(action="accounts.identity_refused")
    assert event.object_type == "registry.person" and event.object_id == str(victim.pk)
    assert event.after["reason"] == "registry_phone_mismatch"
    assert event.after["phone"] == "138****0001" and victim.resident_id not in str(event.after)
    # The code is not used up (a typo in the ID can be corrected with it); the refusal cost a try.
    code_row = SmsCode.objects.get(phone=ATTACKER_PHONE)
    assert code_row.used_at is None and code_row.attempts == 1


def test_one_code_cannot_probe_identity_after_identity(client, register, victim, make_person, settings):
    _, code = register("张三", victim.resident_id)  # the first refusal
    others = [make_person(name=f"路人{i}", phone=f"1370000000{i}") for i in range(4)]
    assert settings.BANHAO_SMS_CODE_MAX_ATTEMPTS == 5
    for person in others:
        assert (
            "实名核验未通过"
            in _register(client, code, name=person.name, resident_id=person.resident_id).content.decode()
        )
    # The tries are spent: even a claim the backend would admit (a new person) needs a new code.
    response = _register(client, code, name="王芳", resident_id=NEW_ID)
    assert "验证码不正确" in response.content.decode()
    assert not ApplicantAccount.objects.exists()
    assert (
        AuditEvent.objects.filter(action="accounts.identity_refused").count()
        == settings.BANHAO_SMS_CODE_MAX_ATTEMPTS
    )


def test_the_workbench_and_the_apply_prefill_stay_out_of_reach_after_the_refusal(client, register, victim):
    register("张三", victim.resident_id)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_registry_person_without_a_phone_is_refused_without_a_service(client, register, make_person):
    person = make_person(name="李四")  # no phone on record
    response, _ = register("李四", person.resident_id)
    assert "实名核验未通过" in response.content.decode()
    assert not ApplicantAccount.objects.exists()
    person.refresh_from_db()
    assert person.phone == ""  # the claimed phone was not written into the registry
    assert (
        AuditEvent.objects.get(action="accounts.identity_refused").after["reason"] == "registry_without_phone"
    )


def test_the_registered_phone_itself_registers_and_signs_in(client, register, victim):
    response, _ = register("张三", victim.resident_id, phone=VICTIM_PHONE)
    assert response.status_code == 302
    assert ApplicantAccount.objects.get().person == victim
    assert not AuditEvent.objects.filter(action__startswith="accounts.identity").exists()


def test_a_service_that_says_yes_admits_a_changed_phone_and_it_is_audited(client, register, victim, settings):
    settings.BANHAO_IDENTITY_SERVICE = "banhao.accounts.tests.test_identity.YesService"
    response, _ = register("张三", victim.resident_id)
    assert response.status_code == 302
    assert YesService.claims == [IdentityClaim("张三", victim.resident_id, ATTACKER_PHONE)]
    event = AuditEvent.objects.get(action="accounts.identity_confirmed")
    assert event.after["reason"] == "registry_phone_mismatch+service_confirmed"


def test_a_service_that_says_no_keeps_the_refusal(client, register, victim, settings):
    settings.BANHAO_IDENTITY_SERVICE = "banhao.accounts.tests.test_identity.NoService"
    response, _ = register("张三", victim.resident_id)
    assert "实名核验未通过" in response.content.decode()
    reason = AuditEvent.objects.get(action="accounts.identity_refused").after["reason"]
    assert reason == "registry_phone_mismatch+service_refused"


# --- the backends --------------------------------------------------------------------------------


def test_the_development_backend_admits_a_new_person_only(client, register, victim):
    response, _ = register("王芳", NEW_ID)
    assert response.status_code == 302
    assert Person.objects.get(resident_id=NEW_ID).phone == ATTACKER_PHONE


def test_the_default_backend_refuses_a_person_the_registry_does_not_know(client, register, settings):
    settings.BANHAO_IDENTITY_BACKEND = "banhao.accounts.identity.RegistryBackend"
    response, _ = register("王芳", NEW_ID)
    assert "实名核验未通过" in response.content.decode()
    assert not Person.objects.filter(resident_id=NEW_ID).exists()
    event = AuditEvent.objects.get(action="accounts.identity_refused")
    assert event.object_type == "accounts.smscode" and event.after["reason"] == "not_in_registry"


def test_the_default_backend_admits_a_new_person_a_service_confirms(client, register, settings):
    settings.BANHAO_IDENTITY_BACKEND = "banhao.accounts.identity.RegistryBackend"
    settings.BANHAO_IDENTITY_SERVICE = "banhao.accounts.tests.test_identity.YesService"
    assert register("王芳", NEW_ID)[0].status_code == 302


def test_the_verdicts_of_the_backends(victim, make_person):
    bare = make_person(name="李四")
    match = IdentityClaim("张三", victim.resident_id, VICTIM_PHONE)
    other = IdentityClaim("张三", victim.resident_id, ATTACKER_PHONE)
    nophone = IdentityClaim("李四", bare.resident_id, ATTACKER_PHONE)
    new = IdentityClaim("王芳", NEW_ID, ATTACKER_PHONE)
    for backend in (RegistryBackend(), DevelopmentBackend()):
        assert backend.verify(match).ok
        assert not backend.verify(other).ok and not backend.verify(nophone).ok
    assert not RegistryBackend().verify(new).ok and DevelopmentBackend().verify(new).ok


def test_the_base_default_is_the_registry_backend_and_production_refuses_the_development_one():
    import os
    import subprocess
    import sys

    probe = "import config.settings.{} as s; print(s.BANHAO_IDENTITY_BACKEND)"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BANHAO_", "DATABASE_URL"))}
    base = subprocess.run(  # noqa: S603  (a fixed command: a fresh interpreter reads the settings)
        [sys.executable, "-c", probe.format("base")], env=env, capture_output=True, text=True, check=True
    )
    assert base.stdout.strip() == "banhao.accounts.identity.RegistryBackend"
    env.update(
        BANHAO_SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://u@127.0.0.1:5432/db",
        BANHAO_SMS_BACKEND="gateway.Real",
        BANHAO_IDENTITY_BACKEND="banhao.accounts.identity.DevelopmentBackend",
    )
    prod = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe.format("prod")], env=env, capture_output=True, text=True
    )
    assert prod.returncode != 0 and "ImproperlyConfigured" in prod.stderr and "实名核验" in prod.stderr
    env["BANHAO_IDENTITY_BACKEND"] = "banhao.accounts.identity.RegistryBackend"
    ok = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe.format("prod")], env=env, capture_output=True, text=True
    )
    assert ok.returncode == 0, ok.stderr
