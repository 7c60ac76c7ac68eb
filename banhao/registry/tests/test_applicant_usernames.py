"""Applicant usernames carry no resident ID (issue 10, fix 4d); existing ones are renamed."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from banhao.registry import services
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

migration = importlib.import_module("banhao.registry.migrations.0003_applicant_usernames_without_ids")


def test_a_new_personal_account_is_named_without_the_id_and_signs_in_by_mobile(client, make_person):
    person = make_person("371302", name="王芳", phone="13800000001")
    account = services.applicant_account_open(actor="测试", person=person, password=PASSWORD)
    username = account.user.username
    assert username.startswith("per-") and len(username) == 24
    assert person.resident_id not in username and person.resident_id[6:14] not in username
    assert username == services.applicant_username(person=person)  # stable for the same person
    assert client.login(username="13800000001", password=PASSWORD)


def test_a_person_still_gets_one_personal_account(make_person):
    person = make_person("371302", name="王芳", phone="13800000001")
    services.applicant_account_open(actor="测试", person=person, password=PASSWORD)
    with pytest.raises(ValidationError, match="该主体已开通办事账户"):
        services.applicant_account_open(actor="测试", person=person, password=PASSWORD, phone="13800000002")
    assert get_user_model().objects.filter(kind="applicant").count() == 1


def test_the_migration_renames_existing_id_usernames_and_leaves_others(client, make_person, make_staff):
    person = make_person("371302", name="王芳", phone="13800000001")
    account = services.applicant_account_open(actor="测试", person=person, password=PASSWORD)
    user_model = get_user_model()
    user_model.objects.filter(pk=account.user_id).update(username=f"per-{person.resident_id}")
    staff = make_staff("window_clerk", region="lanshan")
    migration.rename(apps, None)
    account.user.refresh_from_db()
    assert account.user.username == services.applicant_username(person=person)
    assert not user_model.objects.filter(username__contains=person.resident_id).exists()
    assert user_model.objects.filter(pk=staff.pk, username=staff.username).exists()
    assert client.login(username="13800000001", password=PASSWORD)  # the mobile login is unchanged
    migration.rename(apps, None)  # running again changes nothing
    account.user.refresh_from_db()
    assert account.user.username == services.applicant_username(person=person)
