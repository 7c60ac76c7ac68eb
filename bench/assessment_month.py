"""Computing a month of the assessment (assessment_compute) for a city on PostgreSQL, from the
raw facts: N windows and N staff, cases, ratings (with their rectifications) and hall tickets.

Builds a FRESH PostgreSQL database beside --database-url (dropped afterwards), migrates, makes a
city with four counties (ten departments and one hall each, the city too), then COPY-loads:
--windows windows spread over the five halls and as many staff (one per window, in one of the
region's departments); --cases cases of November 2026 (promised day in the month, 92 % decided
on time, 85 % delivered in the month, 60 % taken at a window through a ticket, 8 % of those
with a second visit); --ratings ratings of the month (levels 60/20/12/5/3 %, on a window and
its clerk for the hall's share, on the department and region for the rest, 0.3 % replaced by a
re-rating, 4 % of the bad ones excluded) and a rectification for every bad rating. ANALYZE,
then the demo's example schemes (window, department, staff monthly) are computed for 2026-11:
first run (draft sets created) and a second run (drafts replaced). A reference measured in the
same run: SELECT count(*) over the ratings.

Usage:
    .venv/bin/python bench/assessment_month.py --database-url postgres://postgres@127.0.0.1:5432/postgres \
        [--windows 2000] [--cases 250000] [--ratings 250000]

Last line:
    month_s=<second run, seconds> first_s=<first run> subjects=<n> cases=<n> ratings=<n> tickets=<n> count_star_s=<s>
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shlex
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _fresh import fresh_database, setup_django, tiny_city  # noqa: E402

MONTH_START = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)
DAYS = 30
DEPARTMENTS_PER_REGION = 10


def _copy(table: str, cols: str, rows) -> int:
    from django.db import connection

    n = 0
    with connection.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        chunk = []
        for row in rows:
            chunk.append("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
            n += 1
            if len(chunk) == 50_000:
                copy.write("".join(chunk))
                chunk.clear()
        if chunk:
            copy.write("".join(chunk))
    return n


def make_city(n_windows: int):
    from banhao.core.identifiers import make_org_code, make_uscc
    from banhao.org import services as org
    from banhao.org.models import Region, StaffMember, Window

    impl, version, person = tiny_city()
    city = Region.objects.get(code="371300")
    regions = [city, Region.objects.get(code="371302")]
    for code, name, level in (
        ("371311", "罗庄区", "district"),
        ("371312", "河东区", "district"),
        ("371321", "沂南县", "county"),
    ):
        regions.append(org.region_ensure(actor="bench", code=code, name=name, level=level, parent=city))
    departments: dict[int, list[int]] = {}
    n = 0
    for region in regions:
        departments[region.pk] = []
        for i in range(DEPARTMENTS_PER_REGION):
            n += 1
            d = org.department_ensure(
                actor="bench",
                name=f"{region.name}第{i + 1}部门",
                region=region,
                credit_code=make_uscc("1", "1", region.code, make_org_code(f"{n + 500:08d}")),
            )
            departments[region.pk].append(d.pk)
    halls = []  # (hall id, region id, zone id)
    for region in regions:
        h = org.hall_ensure(
            actor="bench", name=f"{region.name}政务服务中心", region=region, address="（bench）"
        )
        z = org.zone_ensure(actor="bench", hall=h, kind="market", letter="A", order=1)
        halls.append((h.pk, region.pk, z.pk))
    per_hall = n_windows // len(halls)
    _copy(
        "org_window",
        "hall_id, zone_id, number, kind, active",
        ((h, z, i + 1, "comprehensive", "t") for h, _r, z in halls for i in range(per_hall)),
    )
    windows = list(Window.objects.values_list("id", "hall_id").order_by("id"))
    hall_region = {h: r for h, r, _z in halls}
    now = dt.datetime.now(dt.UTC).isoformat()
    _copy(
        "accounts_user",
        "password, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined, kind, display_name, phone",
        (
            ("!", "f", f"benchclerk{i}", "", "", "", "f", "t", now, "staff", f"窗口人员{i}", "")
            for i in range(len(windows))
        ),
    )
    from django.contrib.auth import get_user_model

    users = list(
        get_user_model()
        .objects.filter(username__startswith="benchclerk")
        .order_by("id")
        .values_list("id", flat=True)
    )
    rng = random.Random(1)
    _copy(
        "org_staffmember",
        "user_id, name, employee_no, role, region_id, department_id, hall_id, window_id, phone, active",
        (
            (
                u,
                f"窗口人员{i}",
                f"B{i:06d}",
                "window_clerk",
                hall_region[h],
                rng.choice(departments[hall_region[h]]),
                h,
                w,
                "",
                "t",
            )
            for i, (u, (w, h)) in enumerate(zip(users, windows, strict=True))
        ),
    )
    clerks = dict(StaffMember.objects.filter(window__isnull=False).values_list("window_id", "id"))
    return impl, version, person, regions, departments, halls, windows, clerks


def load_facts(n_cases, n_ratings, impl, version, person, regions, departments, halls, windows, clerks):
    from django.db import connection

    rng = random.Random(20261204)
    t0 = time.perf_counter()
    region_ids = [r.pk for r in regions]
    hall_of_region = {r: (h, z) for h, r, z in halls}
    windows_of_hall: dict[int, list[int]] = {}
    for w, h in windows:
        windows_of_hall.setdefault(h, []).append(w)
    cases = []  # (region, department, delivered_at or None, at_window)

    def case_rows():
        for i in range(n_cases):
            region = rng.choice(region_ids)
            dept = rng.choice(departments[region])
            submitted = MONTH_START - dt.timedelta(days=rng.randint(3, 15))
            due = (MONTH_START + dt.timedelta(days=rng.randrange(DAYS))).date()
            on_time = rng.random() < 0.92
            decided = dt.datetime.combine(
                due - dt.timedelta(days=rng.randint(0, 3)) if on_time else due + dt.timedelta(days=2),
                dt.time(10),
                dt.UTC,
            )
            delivered = (
                decided + dt.timedelta(hours=4) if rng.random() < 0.85 and decided.month == 11 else None
            )
            status = "delivered" if delivered else "approved"
            cases.append((region, dept, delivered, rng.random() < 0.6))
            yield (
                f"BENCH{i:09d}",
                impl.pk,
                version.pk,
                region,
                dept,
                "window",
                person.pk,
                "13800000000",
                status,
                "{}",
                "{}",
                "",
                submitted.isoformat(),
                "none",
                0,
                "",
                "",
                "",
                "",
                "",
                0,
                "",
                submitted.isoformat(),
                submitted.date().isoformat(),
                due.isoformat(),
                decided.isoformat(),
                delivered.isoformat() if delivered else None,
            )

    _copy(
        "cases_case",
        "number, implementation_id, version_id, region_id, department_id, channel, person_id, contact_phone, status, "
        "form_data, situations, idempotency_key, submitted_at, warning, step_index, decision_reason, refusal_reason, "
        "competent_office, delivery_method, tracking_number, rehandle_count, rehandle_reason, updated_at, "
        "accepted_on, promised_due, decided_at, delivered_at",
        case_rows(),
    )
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM cases_case WHERE number LIKE 'BENCH%%' ORDER BY number")
        case_ids = [r[0] for r in cur.fetchall()]
    # tickets: one per case taken at a window (8 % come twice), numbered per hall and day
    seq: dict[tuple, int] = {}
    ticket_links = []  # (case id, ticket seq key) resolved after the COPY

    def ticket_rows():
        for cid, (region, _dept, _delivered, at_window) in zip(case_ids, cases, strict=True):
            if not at_window:
                continue
            h, z = hall_of_region[region]
            for _visit in range(2 if rng.random() < 0.08 else 1):
                day = rng.randrange(DAYS)
                key = (h, day)
                seq[key] = seq.get(key, 0) + 1
                issued = MONTH_START + dt.timedelta(days=day, minutes=rng.randrange(480))
                called = issued + dt.timedelta(seconds=rng.randint(60, 2400))
                finished = called + dt.timedelta(seconds=rng.randint(300, 1800))
                w = rng.choice(windows_of_hall[h])
                no_show = rng.random() < 0.02
                ticket_links.append(cid)
                yield (
                    h,
                    z,
                    z,
                    (MONTH_START + dt.timedelta(days=day)).date().isoformat(),
                    seq[key],
                    f"A{seq[key]:05d}",
                    "kiosk",
                    "no_show" if no_show else "done",
                    "",
                    "",
                    "",
                    "",
                    issued.isoformat(),
                    0,
                    finished.isoformat(),
                    w,
                    clerks.get(w),
                    called.isoformat(),
                    None if no_show else finished.isoformat(),
                )

    n_tickets = _copy(
        "hall_ticket",
        "hall_id, zone_id, issued_zone_id, day, seq, number, source, status, green, phone, id_masked, id_digest, "
        "issued_at, recalls, updated_at, window_id, clerk_id, first_called_at, finished_at",
        ticket_rows(),
    )
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM hall_ticket ORDER BY id")
        ticket_ids = [r[0] for r in cur.fetchall()]
    _copy(
        "hall_ticketcase",
        "ticket_id, case_id, at",
        ((t, c, MONTH_START.isoformat()) for t, c in zip(ticket_ids, ticket_links, strict=True)),
    )

    def rating_rows():
        for _ in range(n_ratings):
            y = rng.random()
            level = 5 if y < 0.60 else 4 if y < 0.80 else 3 if y < 0.92 else 2 if y < 0.97 else 1
            at = (MONTH_START + dt.timedelta(seconds=rng.randrange(DAYS * 86400 - 40000))).isoformat()
            region = rng.choice(region_ids)
            excluded = "t" if level <= 2 and rng.random() < 0.04 else "f"
            current = "f" if rng.random() < 0.003 else "t"
            if rng.random() < 0.5:  # at a window's pad: the window, its clerk, the hall
                h, _z = hall_of_region[region]
                w = rng.choice(windows_of_hall[h])
                yield (
                    "hall_pad",
                    level,
                    "{}",
                    "[]",
                    "",
                    "",
                    "f",
                    "f",
                    current,
                    excluded,
                    "",
                    at,
                    None,
                    None,
                    h,
                    w,
                    clerks.get(w),
                )
            else:
                yield (
                    "pc",
                    level,
                    "{}",
                    "[]",
                    "",
                    "",
                    "t",
                    "f",
                    current,
                    excluded,
                    "",
                    at,
                    rng.choice(departments[region]),
                    region,
                    None,
                    None,
                    None,
                )

    n_r = _copy(
        "evaluation_rating",
        "channel, level, dimensions, reasons, comment, rater_phone, real_name, is_default, current, excluded, "
        "excluded_reason, created_at, department_id, region_id, hall_id, window_id, clerk_id",
        rating_rows(),
    )
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO evaluation_rectification
                (rating_id, department_id, region_id, hall_id, status, complex, opened_on, due_on,
                 measures, feedback, on_time, created_at)
            SELECT id, department_id, region_id, hall_id,
                   CASE WHEN id % 10 < 8 THEN 'closed' ELSE 'open' END, false,
                   created_at::date, created_at::date + 7, '', '',
                   CASE WHEN id % 10 < 7 THEN true WHEN id % 10 < 8 THEN false ELSE NULL END, created_at
              FROM evaluation_rating WHERE level <= 2 AND created_at < '2026-11-23'
            """
        )
        for t in (
            "cases_case",
            "hall_ticket",
            "hall_ticketcase",
            "evaluation_rating",
            "evaluation_rectification",
        ):
            cur.execute(f"ANALYZE {t}")
    return time.perf_counter() - t0, n_tickets, n_r


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--windows", type=int, default=2000, help="windows, and as many staff")
    p.add_argument("--cases", type=int, default=250_000)
    p.add_argument("--ratings", type=int, default=250_000)
    p.add_argument("--database-url", required=True)
    p.add_argument("--profile", action="store_true", help="print where the second run spends its time")
    args = p.parse_args()
    _url, cleanup = fresh_database(args.database_url, require_postgres=True)
    setup_django()
    from django.db import connection

    from banhao.assessment.compute import assessment_compute
    from banhao.assessment.models import Scheme, Score
    from banhao.demo import assessment as demo_schemes

    try:
        t0 = time.perf_counter()
        world = make_city(args.windows)
        t_city = time.perf_counter() - t0
        t_load, n_tickets, n_ratings = load_facts(args.cases, args.ratings, *world)
        demo_schemes.load()
        Scheme.objects.filter(period_kind="quarter").update(active=False)  # November closes no quarter
        today = dt.date(2026, 12, 2)
        t0 = time.perf_counter()
        first = assessment_compute("2026-11", today=today)
        t_first = time.perf_counter() - t0
        if args.profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
        t0 = time.perf_counter()
        second = assessment_compute("2026-11", today=today)
        t_second = time.perf_counter() - t0
        if args.profile:
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
            pstats.Stats(prof).sort_stats("tottime").print_stats(20)
        subjects = sum(s.subjects for s in second)
        assert [s.subjects for s in first] == [s.subjects for s in second]
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM evaluation_rating")
            total = cur.fetchone()[0]
        t_count = time.perf_counter() - t0
        with connection.cursor() as cur:
            cur.execute("SELECT version()")
            pg = cur.fetchone()[0].split(",")[0]
        best = Score.objects.filter(subject_kind="window", rank=1).first()
        print(f"database: {pg}")
        print(
            f"  city: {len(world[3])} regions, {len(world[6])} windows and {len(world[7])} staff in {len(world[5])} halls ({t_city:.1f} s)"
        )
        print(
            f"  facts COPY-loaded in {t_load:.1f} s: {args.cases:,} cases, {n_tickets:,} tickets, {n_ratings:,} ratings (+ rectifications)"
        )
        for s in second:
            print(f"    kind={s.kind} subjects={s.subjects} published={s.published}")
        print(
            f"  assessment_compute 2026-11: first run {t_first:.2f} s (draft sets created), second {t_second:.2f} s (drafts replaced)"
        )
        if best:
            print(f"  e.g. {best.subject_label}: total {best.total}, rank {best.rank}")
        print(f"  reference: SELECT count(*) over {total:,} ratings: {t_count:.3f} s")
        print("rerun: " + shlex.join([".venv/bin/python", "bench/assessment_month.py", *sys.argv[1:]]))
        print(
            f"month_s={t_second:.2f} first_s={t_first:.2f} subjects={subjects} cases={args.cases} "
            f"ratings={n_ratings} tickets={n_tickets} count_star_s={t_count:.3f}"
        )
    finally:
        cleanup()


if __name__ == "__main__":
    main()
