"""Renames personal applicant accounts from "per-<resident ID>" to "per-<keyed digest>" (issue 10,
fix 4d): the admin's user list showed every applicant's full ID. Applicants sign in with their
mobile number, which does not change. The old names are not restored on reverse."""

from django.db import migrations

from banhao.core.digests import keyed_digest

# The same purpose as banhao.registry.services.USERNAME_DIGEST_PURPOSE (copied: a migration keeps
# the value it was written with).
PURPOSE = "banhao.registry.applicant_username"


def rename(apps, schema_editor):
    ApplicantAccount = apps.get_model("registry", "ApplicantAccount")
    User = apps.get_model("accounts", "User")
    personal = ApplicantAccount.objects.filter(organization__isnull=True).select_related("user", "person")
    for account in personal.iterator():
        number = account.person.resident_id
        if account.user.username.upper() != f"PER-{number}":
            continue
        new = "per-" + keyed_digest(number, purpose=PURPOSE)[:20]
        if not User.objects.filter(username=new).exists():
            User.objects.filter(pk=account.user_id).update(username=new)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_mandate"),
        ("accounts", "0002_smscode"),
    ]

    operations = [migrations.RunPython(rename, migrations.RunPython.noop, elidable=True)]
