"""Prints the number of rows of every table of the database as JSON (the restore drill compares
the figures of the original and the restored database)."""

import json

from django.core.management.base import BaseCommand
from django.db import connections


class Command(BaseCommand):
    help = "每张数据表的行数（JSON），供备份恢复演练核对。"

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default", help="数据库别名（默认 default）")

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        counts = {}
        with connection.cursor() as cursor:
            for table in sorted(connection.introspection.table_names(cursor)):
                if table.startswith("sqlite_"):
                    continue  # SQLite's own bookkeeping (sqlite_sequence, FTS shadow tables differ by name only)
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 (a listed table)
                counts[table] = cursor.fetchone()[0]
        self.stdout.write(json.dumps(counts, sort_keys=True))
