from django.db import migrations


def forwards(apps, schema_editor):
    from banhao.core.calendar_seed import seed

    seed(apps.get_model("core", "CalendarDay"), apps.get_model("core", "CalendarYear"))


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
