"""The hall big screen's feed under polling: requests per second and latency.

A fresh database (a temporary SQLite file, or a new PostgreSQL database beside
--database-url, dropped afterwards) gets one hall with 5 ticket zones and a pickup zone,
--windows windows spread over them, and a day of --tickets tickets today (85 % called, of
those most finished, one in 20 skipped, one in 15 recalled, one ticket being served at each
open window, a few windows paused, the rest waiting), plus --history-days earlier days of the
same size so the event table is not small. Rows are bulk-inserted with the shape the hall
services give them (tickets, their issue/call/recall/finish/skip events, the windows' Desk
rows).

Then the feed `/hall/<hall>/screen/feed/?after=<id>` is requested --requests times through
django.test.Client in-process (one thread, the full middleware stack, no network), with an
`after` two calls behind the latest so every answer carries two calls, as a screen sees it
right after a call. Reported: queries per request, answer size, requests per second, p50,
p95 and p99 latency.

Usage:
    .venv/bin/python bench/hall_screen.py [--windows 50] [--tickets 3000] [--requests 3000] \
        [--database-url postgres://postgres@127.0.0.1:5432/postgres]

Last line:
    screen_feed_req_per_s=<n> p50_ms=<x> p95_ms=<y>
"""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _fresh import fresh_database, setup_django  # noqa: E402

ZONES = [("investment", "A"), ("construction", "B"), ("market", "C"), ("agriculture", "D"), ("social", "E")]
PAUSED_EVERY = 12  # every 12th window is paused (no current ticket)


def build_hall(windows: int):
    """The city, the hall, its zones and windows; returns (hall, zones, windows), the pickup
    zone last (it takes tickets too, for its pickup window)."""
    from django.core.management import call_command

    from banhao.org import services as org

    call_command("migrate", verbosity=0)
    city = org.region_ensure(actor="bench", code="371300", name="临沂市", level="city")
    lanshan = org.region_ensure(actor="bench", code="371302", name="兰山区", level="district", parent=city)
    hall = org.hall_ensure(actor="bench", name="兰山区政务服务中心", region=lanshan, phone="0539-8000000")
    zones = [
        org.zone_ensure(actor="bench", hall=hall, kind=kind, letter=letter, order=i)
        for i, (kind, letter) in enumerate(ZONES)
    ]
    pickup = org.zone_ensure(actor="bench", hall=hall, kind="pickup", letter="G", order=9, bookable=False)
    wins = []
    for n in range(windows):
        zone = pickup if n == windows - 1 else zones[n % len(zones)]
        kind = "pickup" if zone is pickup else "comprehensive"
        wins.append(org.window_ensure(actor="bench", hall=hall, zone=zone, number=n + 1, kind=kind))
    return hall, [*zones, pickup], wins


def fill_day(hall, zones, windows, day: dt.date, tickets: int, *, today: bool) -> None:
    """Bulk-inserts one day of tickets and their events; on ``today`` also the Desk rows."""
    from django.utils import timezone

    from banhao.hall.models import Desk, HallEvent, Ticket

    S, A = Ticket.Status, HallEvent.Action
    open_at = timezone.make_aware(dt.datetime.combine(day, dt.time(8, 30)))
    step = dt.timedelta(seconds=8 * 3600 / max(tickets, 1))
    by_zone = {z.pk: [w for w in windows if w.zone_id == z.pk] for z in zones}
    serving_windows = [w for i, w in enumerate(windows) if i % PAUSED_EVERY != PAUSED_EVERY - 1]
    called_upto = int(tickets * 0.85) if today else tickets
    serving_from = called_upto - len(serving_windows) if today else tickets
    seqs = {z.pk: 0 for z in zones}
    rows, plan = [], []
    zone_of = {z.pk: z for z in zones}
    for i in range(tickets):
        zone = zones[i % len(zones)]
        if serving_from <= i < called_upto:  # being served now: at one of the open windows
            zone = zone_of.get(serving_windows[i - serving_from].zone_id, zone)
        seqs[zone.pk] += 1
        issued = open_at + step * i
        t = Ticket(
            hall_id=hall.pk,
            zone_id=zone.pk,
            issued_zone_id=zone.pk,
            day=day,
            seq=seqs[zone.pk],
            number=f"{zone.letter}{seqs[zone.pk]:03d}",
            source="kiosk",
            phone=f"138{i:08d}",
            issued_at=issued,
            updated_at=issued,
        )
        window = None
        if i < called_upto:
            if i >= serving_from:
                window = serving_windows[i - serving_from]
                t.status = S.SERVING
            else:
                window = by_zone[zone.pk][i % len(by_zone[zone.pk])]
                t.status = S.NO_SHOW if i % 20 == 7 else S.DONE
            t.window_id = window.pk
            t.first_called_at = t.called_at = issued + dt.timedelta(minutes=3 + i % 11)
            if t.status != S.SERVING:
                t.finished_at = t.first_called_at + dt.timedelta(minutes=2 + i % 9)
            t.recalls = 1 if i % 15 == 4 else 0
        rows.append(t)
        plan.append(window)
    Ticket.objects.bulk_create(rows, batch_size=1000)
    events = []
    for t, window in zip(rows, plan, strict=True):
        events.append((t.issued_at, A.ISSUE, t, None))
        if window is not None:
            events.append((t.first_called_at, A.CALL, t, window))
            if t.recalls:
                events.append((t.first_called_at + dt.timedelta(seconds=40), A.RECALL, t, window))
            if t.finished_at:
                events.append((t.finished_at, A.SKIP if t.status == S.NO_SHOW else A.FINISH, t, window))
    events.sort(key=lambda e: e[0])
    HallEvent.objects.bulk_create(
        [
            HallEvent(
                ticket_id=t.pk,
                hall_id=hall.pk,
                action=action,
                window_id=window.pk if window else None,
                at=at,
                data={"window": window.number} if action in (A.CALL, A.RECALL) else {},
            )
            for at, action, t, window in events
        ],
        batch_size=2000,
    )
    if today:
        serving = {w.pk: t.pk for t, w in zip(rows, plan, strict=True) if t.status == S.SERVING}
        Desk.objects.bulk_create(
            [
                Desk(
                    window_id=w.pk,
                    state=Desk.State.PAUSED if i % PAUSED_EVERY == PAUSED_EVERY - 1 else Desk.State.OPEN,
                    current_id=serving.get(w.pk),
                )
                for i, w in enumerate(windows)
            ]
        )


def pct(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--windows", type=int, default=50)
    p.add_argument("--tickets", type=int, default=3000, help="tickets today (and on each earlier day)")
    p.add_argument("--history-days", type=int, default=5)
    p.add_argument("--requests", type=int, default=3000)
    p.add_argument("--database-url")
    args = p.parse_args()
    _url, cleanup = fresh_database(args.database_url)
    setup_django()
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from banhao.hall.models import HallEvent, Ticket

    try:
        t0 = time.perf_counter()
        hall, zones, windows = build_hall(args.windows)
        today = timezone.localdate()
        with transaction.atomic():
            for back in range(args.history_days, 0, -1):
                fill_day(hall, zones, windows, today - dt.timedelta(days=back), args.tickets, today=False)
            fill_day(hall, zones, windows, today, args.tickets, today=True)
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f"ANALYZE {Ticket._meta.db_table}; ANALYZE {HallEvent._meta.db_table}")
        build_s = time.perf_counter() - t0

        calls = list(
            HallEvent.objects.filter(hall_id=hall.pk, action__in=["call", "recall"])
            .order_by("-id")
            .values_list("id", flat=True)[:3]
        )
        after = calls[-1]
        client = Client(SERVER_NAME="127.0.0.1")
        url = reverse("hall:screen_feed", args=[hall.pk]) + f"?after={after}"
        page_url = reverse("hall:screen", args=[hall.pk])

        first = client.get(url)
        assert first.status_code == 200, first.status_code
        data = first.json()
        assert len(data["events"]) == 2, data["events"]
        queries = []

        def count(execute, sql, params, many, context):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(url)
        t_page = time.perf_counter()
        page = client.get(page_url)
        page_ms = (time.perf_counter() - t_page) * 1000
        assert page.status_code == 200

        for _ in range(100):  # warm-up
            client.get(url)
        latencies = []
        started = time.perf_counter()
        for _ in range(args.requests):
            t = time.perf_counter()
            client.get(url)
            latencies.append((time.perf_counter() - t) * 1000)
        elapsed = time.perf_counter() - started
        rate = args.requests / elapsed

        n_today = Ticket.objects.filter(hall_id=hall.pk, day=today).count()
        n_events = HallEvent.objects.count()
        print(
            f"database: {connection.vendor}; hall with {args.windows} windows, {n_today:,} tickets today "
            f"({data['waiting_total']} waiting), {args.history_days} earlier days, {n_events:,} ticket events; "
            f"built in {build_s:.1f} s"
        )
        print(
            "client: django.test.Client in-process, one thread, full middleware stack (no network, no server)"
        )
        print(
            f"feed: {len(queries)} queries per request, {len(first.content):,} bytes, 2 calls per answer; "
            f"screen page (first render) {page_ms:.0f} ms"
        )
        print(
            f"{args.requests} requests in {elapsed:.2f} s: {rate:,.0f} req/s; latency p50 {pct(latencies, 0.5):.2f} ms"
            f"  p95 {pct(latencies, 0.95):.2f} ms  p99 {pct(latencies, 0.99):.2f} ms"
            f"  mean {statistics.mean(latencies):.2f} ms"
        )
        screens = rate * 1.0  # each screen polls once per second by default
        print(f"one process can serve about {screens:,.0f} screens polling every second")
        print("rerun: " + shlex.join([".venv/bin/python", "bench/hall_screen.py", *sys.argv[1:]]))
        print(
            f"screen_feed_req_per_s={rate:.0f} p50_ms={pct(latencies, 0.5):.2f} p95_ms={pct(latencies, 0.95):.2f}"
        )
    finally:
        cleanup()


if __name__ == "__main__":
    main()
