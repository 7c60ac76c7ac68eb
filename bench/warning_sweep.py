"""The deadline warning sweep over many open cases (target: under 2 s per run for 1,000,000).

Builds a FRESH database (temporary SQLite, or a new PostgreSQL database beside
--database-url, dropped afterwards), inserts N accepted/under-review cases in bulk with due
dates spread over ±60 days, runs the sweep once for "yesterday" (to reach the steady state
a daily schedule keeps), then times the sweep for "today": the run a deployment makes every
morning. It also times a cold first run over the same data.

Usage:
    .venv/bin/python bench/warning_sweep.py [--cases 1000000] [--database-url postgres://postgres@127.0.0.1:5432/postgres]

Last line:
    open_cases=<n> sweep_s=<seconds of the daily run>
"""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _fresh import fresh_database, setup_django, tiny_city  # noqa: E402


def insert_cases(n, impl, version, person, today):
    """Bulk-inserts n running cases with dates computed the way the services compute them."""
    from django.db import connection

    from banhao.cases.models import Case
    from banhao.cases.services import _warn_on
    from banhao.core.calendar import add_workdays

    limit = version.promised_days
    # precompute the 121 distinct (due, warn_on) pairs of the spread
    dues = {}
    for offset in range(-60, 61):
        start = today + dt.timedelta(days=offset - 7)
        due = add_workdays(start, limit)
        dues[offset] = (start, due, _warn_on(due, limit))
    table = Case._meta.db_table
    cols = [
        "number",
        "implementation_id",
        "version_id",
        "region_id",
        "department_id",
        "channel",
        "person_id",
        "contact_phone",
        "status",
        "form_data",
        "situations",
        "idempotency_key",
        "submitted_at",
        "accepted_on",
        "clock_start",
        "promised_limit",
        "statutory_limit",
        "promised_due",
        "statutory_due",
        "warn_on",
        "warning",
        "step_index",
        "decision_reason",
        "refusal_reason",
        "competent_office",
        "delivery_method",
        "tracking_number",
        "updated_at",
    ]
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
    now = dt.datetime.now(dt.UTC)
    batch = []
    with connection.cursor() as cur:
        for i in range(n):
            start, due, warn_on = dues[(i * 7919) % 121 - 60]
            batch.append(
                (
                    f"371302-B-{i:09d}",
                    impl.pk,
                    version.pk,
                    impl.region_id,
                    impl.department_id,
                    "online",
                    person.pk,
                    "13800000001",
                    "under_review" if i % 3 else "accepted",
                    "{}",
                    "{}",
                    "",
                    now,
                    start,
                    start,
                    limit,
                    version.statutory_days,
                    due,
                    None,
                    warn_on,
                    "none",
                    0,
                    "",
                    "",
                    "",
                    "",
                    "",
                    now,
                )
            )
            if len(batch) == 20_000:
                cur.executemany(sql, batch)
                batch.clear()
        if batch:
            cur.executemany(sql, batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {table}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases", type=int, default=1_000_000)
    p.add_argument("--database-url")
    args = p.parse_args()
    _url, cleanup = fresh_database(args.database_url)
    setup_django()
    from django.db import connection, transaction

    from banhao.cases.models import Case
    from banhao.cases.services import warning_sweep

    try:
        impl, version, person = tiny_city()
        today = dt.date(2026, 11, 24)
        t0 = time.perf_counter()
        with transaction.atomic():
            insert_cases(args.cases, impl, version, person, today)
        t_insert = time.perf_counter() - t0

        t0 = time.perf_counter()
        cold = warning_sweep(today - dt.timedelta(days=1))
        t_cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        daily = warning_sweep(today)
        t_daily = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = warning_sweep(today)
        t_again = time.perf_counter() - t0
        n = Case.objects.filter(status__in=["accepted", "under_review"]).count()
        print(f"database: {connection.vendor}; {n:,} open cases inserted in {t_insert:.1f} s")
        print(f"  first sweep (cold, every overdue case turns red): {t_cold:7.2f} s  {cold}")
        print(f"  daily sweep (the next morning):                   {t_daily:7.2f} s  {daily}")
        print(f"  repeated sweep the same day (nothing changes):    {t_again:7.2f} s  {again}")
        print("rerun: " + shlex.join([".venv/bin/python", "bench/warning_sweep.py", *sys.argv[1:]]))
        print(f"open_cases={n} sweep_s={t_daily:.2f}")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
