"""The database cache's table (decision 0016), so that `migrate` alone readies a deployment.

Django's `createcachetable` makes the table of every DatabaseCache in settings.CACHES (none when
BANHAO_REDIS_URL points the cache at Redis) and skips a table that exists, so this is safe to
run again, e.g. after switching from Redis back to the database cache: run `createcachetable`.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_auditevent_region_backfill")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
