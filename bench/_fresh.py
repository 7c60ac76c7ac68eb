"""Shared by the benchmarks: a fresh database for one run, and a tiny city to hang cases on."""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def fresh_database(url: str | None, *, require_postgres: bool = False):
    """Points DATABASE_URL at a new empty database (beside ``url`` on PostgreSQL, or a temporary
    SQLite file); returns (the new URL, a cleanup function)."""
    if not url:
        if require_postgres:
            raise SystemExit("this benchmark needs --database-url postgres://…")
        path = Path(tempfile.mkdtemp(prefix="banhao-bench-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        return os.environ["DATABASE_URL"], lambda: None
    import psycopg

    name = f"banhao_bench_{uuid.uuid4().hex[:8]}"
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))

    def drop():
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return os.environ["DATABASE_URL"], drop


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["BANHAO_DEBUG"] = "false"
    import logging

    import django

    django.setup()
    logging.disable(logging.WARNING)


def tiny_city():
    """Migrates, then makes one published item implemented in 兰山区 and one applicant.

    Returns (implementation, version, person)."""
    import datetime as dt

    from django.core.management import call_command

    from banhao.catalog import services as catalog
    from banhao.core.identifiers import make_org_code, make_resident_id, make_uscc
    from banhao.org import services as org
    from banhao.registry import services as registry
    from conftest import sample_content

    call_command("migrate", verbosity=0)
    city = org.region_ensure(actor="bench", code="371300", name="临沂市", level="city")
    lanshan = org.region_ensure(actor="bench", code="371302", name="兰山区", level="district", parent=city)
    for region, name in ((city, "临沂市行政审批服务局"), (lanshan, "兰山区行政审批服务局")):
        org.department_ensure(
            actor="bench",
            name=name,
            region=region,
            credit_code=make_uscc("1", "1", region.code, make_org_code(region.code + "01")),
        )
    version, _ = catalog.standard_save(actor="bench", data=sample_content())
    catalog.version_publish(actor="bench", version=version, effective_from=dt.date(2026, 1, 1))
    impl, _ = catalog.implementation_save(
        actor="bench", standard=version.item, region_code="371302", department="兰山区行政审批服务局"
    )
    catalog.implementation_publish(actor="bench", implementation=impl)
    person = registry.person_register(
        actor="bench", name="王芳", resident_id=make_resident_id("37130219850315002"), phone="13800000001"
    )
    impl.refresh_from_db()
    version.refresh_from_db()
    return impl, version, person
