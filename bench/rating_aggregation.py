"""The monthly and yearly rating figures (selectors.rating_figures, 好差评公示) over 3,000,000
ratings on PostgreSQL.

Builds a FRESH PostgreSQL database beside --database-url (dropped afterwards), migrates, makes
a city with two districts and 30 departments in each of the three regions, loads N ratings of
one year with COPY (levels 60/20/12/5/3 % from 非常满意 down, 4 % default ratings, 4 %
of the bad ones excluded by an appeal, 0.3 % replaced by a re-rating; a fifth are window-pad
ratings that name a hall but no region or department, as the pad records them; every real-name
bad rating of a department gets a rectification, 80 % of them carried out), ANALYZEs, then times:

- the month of the largest region (the public page's query), cold and warm (median of 5);
- the year of the same region; the month of every region at once;
- as a reference measured in the same run: a plain COUNT(*) over the whole ratings table.

Usage:
    .venv/bin/python bench/rating_aggregation.py --database-url postgres://postgres@127.0.0.1:5432/postgres [--ratings 3000000]

Last line:
    ratings=<n> month_s=<median seconds> year_s=<median seconds> count_star_s=<seconds>
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shlex
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _fresh import fresh_database, setup_django  # noqa: E402

YEAR = 2026
DEPARTMENTS_PER_REGION = 30


def make_city():
    from django.core.management import call_command

    from banhao.core.identifiers import make_org_code, make_uscc
    from banhao.org import services as org

    call_command("migrate", verbosity=0)
    city = org.region_ensure(actor="bench", code="371300", name="临沂市", level="city")
    regions = [
        city,
        org.region_ensure(actor="bench", code="371302", name="兰山区", level="district", parent=city),
        org.region_ensure(actor="bench", code="371321", name="沂南县", level="county", parent=city),
    ]
    departments = []  # (department id, region id)
    n = 0
    for region in regions:
        for i in range(DEPARTMENTS_PER_REGION):
            n += 1
            d = org.department_ensure(
                actor="bench",
                name=f"{region.name}第{i + 1}部门",
                region=region,
                credit_code=make_uscc("1", "1", region.code, make_org_code(f"{n:08d}")),
            )
            departments.append((d.pk, region.pk))
    halls = [
        org.hall_ensure(
            actor="bench", name=f"{region.name}政务服务中心", region=region, address="（bench）"
        ).pk
        for region in regions
    ]
    return regions, departments, halls


def load_ratings(n: int, departments, halls) -> float:
    """COPYs n ratings spread over the year; returns the seconds it took."""
    from django.db import connection

    rng = random.Random(20261204)
    region_index = {r: i for i, r in enumerate(dict.fromkeys(r for _d, r in departments))}
    # the city's departments get 40 % of the ratings, the districts 35 % and 25 %
    weights = [0.40 / DEPARTMENTS_PER_REGION] * DEPARTMENTS_PER_REGION
    weights += [0.35 / DEPARTMENTS_PER_REGION] * DEPARTMENTS_PER_REGION
    weights += [0.25 / DEPARTMENTS_PER_REGION] * DEPARTMENTS_PER_REGION
    start = dt.datetime(YEAR, 1, 1, tzinfo=dt.UTC).timestamp()
    span = dt.datetime(YEAR + 1, 1, 1, tzinfo=dt.UTC).timestamp() - start - 86400
    cols = (
        "channel, level, dimensions, reasons, comment, department_id, region_id, hall_id, rater_phone, "
        "real_name, is_default, current, excluded, excluded_reason, created_at"
    )
    t0 = time.perf_counter()
    with connection.cursor() as cur, cur.copy(f"COPY evaluation_rating ({cols}) FROM STDIN") as copy:
        chunk = []
        picks = rng.choices(departments, weights=weights, k=n)
        for i in range(n):
            dept, region = picks[i]
            x = rng.random()
            is_default = x < 0.04
            if is_default:
                level, channel = 4, "default"
            else:
                y = rng.random()
                level = 5 if y < 0.60 else 4 if y < 0.80 else 3 if y < 0.92 else 2 if y < 0.97 else 1
                channel = ("pc", "mobile", "hall_pad", "sms", "qr")[i % 5]
            # the window pad rates a visit: it names the hall, neither region nor department
            pad = channel == "hall_pad"
            hall = str(halls[region_index[region]]) if pad else "\\N"
            dept_col, region_col = ("\\N", "\\N") if pad else (dept, region)
            excluded = "t" if level <= 2 and rng.random() < 0.04 else "f"
            current = "f" if rng.random() < 0.003 else "t"
            real_name = "t" if level <= 2 and rng.random() < 0.7 else "f"
            at = dt.datetime.fromtimestamp(start + rng.random() * span, dt.UTC).isoformat()
            chunk.append(
                f"{channel}\t{level}\t{{}}\t[]\t\t{dept_col}\t{region_col}\t{hall}\t\t{real_name}"
                f"\t{'t' if is_default else 'f'}\t{current}\t{excluded}\t\t{at}\n"
            )
            if len(chunk) == 50_000:
                copy.write("".join(chunk))
                chunk.clear()
        if chunk:
            copy.write("".join(chunk))
    with connection.cursor() as cur:
        # every real-name bad rating has its rectification; 80 % of them carried out, most on time
        cur.execute(
            """
            INSERT INTO evaluation_rectification
                (rating_id, department_id, region_id, status, complex, opened_on, due_on,
                 measures, feedback, on_time, created_at)
            SELECT id, department_id, region_id,
                   CASE WHEN id % 10 < 8 THEN 'closed' ELSE 'open' END, false,
                   created_at::date, created_at::date + 7, '', '',
                   CASE WHEN id % 10 < 7 THEN true WHEN id % 10 < 8 THEN false ELSE NULL END,
                   created_at
              FROM evaluation_rating WHERE real_name AND level <= 2 AND department_id IS NOT NULL
            """
        )
        cur.execute("ANALYZE evaluation_rating")
        cur.execute("ANALYZE evaluation_rectification")
    return time.perf_counter() - t0


def timed(fn, repeat: int = 5) -> tuple[float, float, object]:
    """(first run, median of the next ``repeat`` runs, the result) in seconds."""
    t0 = time.perf_counter()
    result = fn()
    first = time.perf_counter() - t0
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return first, statistics.median(runs), result


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--ratings", type=int, default=3_000_000)
    p.add_argument("--database-url", required=True)
    args = p.parse_args()
    _url, cleanup = fresh_database(args.database_url, require_postgres=True)
    setup_django()
    from django.db import connection

    from banhao.evaluation import selectors

    try:
        regions, departments, halls = make_city()
        t_load = load_ratings(args.ratings, departments, halls)
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM evaluation_rectification")
            rects = cur.fetchone()[0]
            cur.execute("SELECT version()")
            version = cur.fetchone()[0].split(",")[0]
        city = regions[0]
        month = selectors.month_period(YEAR, 6)
        year = selectors.year_period(YEAR)

        m_first, m_med, m_rows = timed(lambda: selectors.rating_figures(period=month, region_ids=[city.pk]))
        y_first, y_med, y_rows = timed(lambda: selectors.rating_figures(period=year, region_ids=[city.pk]))
        a_first, a_med, a_rows = timed(lambda: selectors.rating_figures(period=month))

        def count_star():
            with connection.cursor() as cur:
                cur.execute("SELECT count(*) FROM evaluation_rating")
                return cur.fetchone()[0]

        c_first, c_med, total = timed(count_star)
        m_tot, y_tot = selectors.totals(m_rows), selectors.totals(y_rows)
        print(
            f"database: {version}; {total:,} ratings and {rects:,} rectifications loaded (COPY) in {t_load:.1f} s"
        )
        print(
            f"  {city.name} {month.label}: {len(m_rows)} rows (departments and the hall), {m_tot.ratings:,} ratings, "
            f"satisfaction {m_tot.satisfaction_rate}%, {m_tot.bad:,} bad, {m_tot.bad_rectified:,} rectified, "
            f"{m_tot.default_ratings:,} default"
        )
        print(f"    month, one region:   first {m_first:6.3f} s   median of 5 {m_med:6.3f} s")
        print(
            f"  {city.name} {year.label}: {len(y_rows)} rows, {y_tot.ratings:,} ratings, "
            f"satisfaction {y_tot.satisfaction_rate}%"
        )
        print(f"    year, one region:    first {y_first:6.3f} s   median of 5 {y_med:6.3f} s")
        print(
            f"    month, all regions:  first {a_first:6.3f} s   median of 5 {a_med:6.3f} s  ({len(a_rows)} rows)"
        )
        print(
            f"  reference: SELECT count(*) over all {total:,} ratings: first {c_first:6.3f} s   median {c_med:6.3f} s"
        )
        print("rerun: " + shlex.join([".venv/bin/python", "bench/rating_aggregation.py", *sys.argv[1:]]))
        print(f"ratings={total} month_s={m_med:.3f} year_s={y_med:.3f} count_star_s={c_med:.3f}")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
