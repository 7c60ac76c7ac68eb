"""Throughput of the working-day calendar, compared with chinesecalendar's own day-by-day loop.

Uses the database the settings name (run `python manage.py migrate` first); it does not
migrate. Usage:

    .venv/bin/python bench/calendar_bench.py [--calls 1000000] [--cc-calls 20000]
        [--verify 20000] [--seed 20260213] [--database-url postgres://...]

The last line is machine-readable:
    add_workdays_per_s=<n> workdays_between_per_s=<m> chinesecalendar_find_workday_per_s=<k>
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shlex
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST = dt.date(2024, 1, 1)
LAST = dt.date(2026, 12, 31)
MAX_N = 30


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=1_000_000, help="calls of each banhao function")
    parser.add_argument("--cc-calls", type=int, default=20_000, help="calls of chinese_calendar.find_workday")
    parser.add_argument("--verify", type=int, default=20_000, help="sample size of the agreement check")
    parser.add_argument("--seed", type=int, default=20260213)
    parser.add_argument("--database-url", help="overrides DATABASE_URL for this run")
    return parser.parse_args()


def setup_django(database_url: str | None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def samples(rng: random.Random, count: int, first: dt.date, last: dt.date) -> tuple[list, list]:
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    starts = [days[i] for i in (rng.randrange(len(days)) for _ in range(count))]
    ns = [rng.randint(0, MAX_N) for _ in range(count)]
    return starts, ns


def timed(fn, firsts: list, seconds: list) -> tuple[float, object]:
    """Seconds for fn over all pairs; the last result is returned so nothing is optimised away."""
    result = None
    t0 = time.perf_counter()
    for a, b in zip(firsts, seconds, strict=True):
        result = fn(a, b)
    return time.perf_counter() - t0, result


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)

    import chinese_calendar
    from django.db import connection

    from banhao.core.calendar import add_workdays, is_workday, workdays_between

    rng = random.Random(args.seed)

    # Build the table once (one database read), outside the timings; counting past the
    # last published year logs its warning here rather than in the middle of a timing.
    t0 = time.perf_counter()
    add_workdays(FIRST, 1)
    build_s = time.perf_counter() - t0
    add_workdays(LAST, MAX_N)

    starts, ns = samples(rng, args.calls, FIRST, LAST)
    add_s, _ = timed(add_workdays, starts, ns)
    ends = [add_workdays(s, n) for s, n in zip(starts, ns, strict=True)]
    ends.reverse()  # pair each start with an unrelated end: positive and negative spans
    between_s, _ = timed(workdays_between, starts, ends)

    # chinesecalendar knows nothing after its last year: keep pairs whose result stays inside.
    cc_last = max(chinese_calendar.holidays)
    cc_last = dt.date(cc_last.year, 12, 31)
    cc_starts, cc_ns = [], []
    while len(cc_starts) < args.cc_calls:
        s, n = samples(rng, 1, FIRST, LAST)
        if add_workdays(s[0], n[0] + 1) <= cc_last:
            cc_starts.append(s[0])
            cc_ns.append(n[0])
    cc_s, _ = timed(lambda s, n: chinese_calendar.find_workday(n, s), cc_starts, cc_ns)

    # Agreement. find_workday(0, d) is "d or the next working day", so from a working day
    # find_workday(n, d) is our add_workdays(d, n); from a day off it counts one more day
    # (its day 0 is the next working day), i.e. equals our add_workdays(d, n + 1).
    checked = same_as_ours = mismatches_workday_start = mismatches_day_off_start = day_off_starts = 0
    for s, n in zip(*samples(rng, args.verify * 2, FIRST, LAST), strict=True):
        if checked >= args.verify:
            break
        n = max(n, 1)
        if add_workdays(s, n + 1) > cc_last:
            continue
        checked += 1
        theirs = chinese_calendar.find_workday(n, s)
        ours = add_workdays(s, n)
        same_as_ours += theirs == ours
        if is_workday(s):
            mismatches_workday_start += theirs != ours
        else:
            day_off_starts += 1
            mismatches_day_off_start += theirs != add_workdays(s, n + 1)

    add_rate = args.calls / add_s
    between_rate = args.calls / between_s
    cc_rate = args.cc_calls / cc_s
    db = connection.settings_dict
    rows = [
        ("banhao add_workdays(start, n)", args.calls, add_s, add_rate),
        ("banhao workdays_between(a, b)", args.calls, between_s, between_rate),
        ("chinese_calendar.find_workday(n, start)", args.cc_calls, cc_s, cc_rate),
    ]
    print(
        f"Calendar benchmark — Python {platform.python_version()} on {platform.machine()}, "
        f"database {connection.vendor} ({db['NAME']})"
    )
    print(f"starts {FIRST}..{LAST}, n in 0..{MAX_N}, seed {args.seed}; table build {build_s * 1000:.0f} ms")
    print()
    print(f"{'function':<42} {'calls':>10} {'seconds':>9} {'calls/s':>13} {'µs/call':>9}")
    for name, calls, secs, rate in rows:
        print(f"{name:<42} {calls:>10,} {secs:>9.3f} {rate:>13,.0f} {1e6 / rate:>9.3f}")
    print()
    print(f"speed-up of add_workdays over find_workday: {add_rate / cc_rate:,.0f}x")
    print(
        f"agreement with chinese_calendar.find_workday (n >= 1, {checked:,} samples, "
        f"{day_off_starts:,} starting on a day off):"
    )
    print(f"  identical results: {same_as_ours:,}")
    print(f"  mismatches, start on a working day (expect equal): {mismatches_workday_start}")
    print(f"  mismatches, start on a day off (expect ours(n + 1)): {mismatches_day_off_start}")
    print()
    rerun = [".venv/bin/python", "bench/calendar_bench.py", *sys.argv[1:]]
    print("rerun: " + shlex.join(rerun))
    print(
        f"add_workdays_per_s={add_rate:.0f} workdays_between_per_s={between_rate:.0f} "
        f"chinesecalendar_find_workday_per_s={cc_rate:.0f}"
    )


if __name__ == "__main__":
    main()
