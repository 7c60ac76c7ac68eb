"""Case throughput on PostgreSQL, beside pgbench on the same server in the same run.

Two worker processes (the default) each carry cases through the whole life a case has:
opened and accepted at a window (case_open) → claim → the review step → the head's approval →
result ready → deliver → conclude, every step through the one door (case_act, with the role
and step rules: a clerk, a reviewer and a department head; row locks, events), on a FRESH database created beside
--database-url and dropped afterwards. Then pgbench's TPC-B-like run (-c/-j = workers)
gives the database's own figure for scale.

Usage:
    .venv/bin/python bench/case_throughput.py --database-url postgres://postgres@127.0.0.1:5432/postgres
        [--workers 2] [--seconds 20] [--pgbench-seconds 10]

Last line:
    cases_per_s=<n> pgbench_tps=<m>
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _fresh import fresh_database, setup_django, tiny_city  # noqa: E402


def worker(url: str, seconds: float, ids: tuple[int, int, int, int, int, int], queue) -> None:
    os.environ["DATABASE_URL"] = url
    sys.path.insert(0, str(ROOT))
    setup_django()
    from django.contrib.auth import get_user_model

    from banhao.cases import api

    impl_id, person_id, clerk_id, reviewer_id, head_id, hall_region_id = ids
    users = get_user_model().objects.in_bulk([clerk_id, reviewer_id, head_id])
    clerk, reviewer, head = users[clerk_id], users[reviewer_id], users[head_id]
    done, deadline = 0, time.perf_counter() + seconds
    tag = f"{os.getpid()}-{time.time_ns()}"
    while time.perf_counter() < deadline:
        case = api.case_open(  # accepted at the window in one transaction (submit + accept)
            channel="window",
            actor=clerk,
            implementation_id=impl_id,
            applicant=api.Applicant(person_id=person_id, contact_phone="13800000001"),
            form_data={"org_name": "临沂某餐饮店"},
            situations={"agent": False},
            materials=[{"name": "食品经营许可申请书", "how": "paper"}, {"name": "营业执照", "how": "shared"}],
            outcome="accept",
            idempotency_key=f"{tag}-{done}",
            hall_region_id=hall_region_id,
        )
        api.case_act(case.id, "claim", reviewer)
        api.case_act(case.id, "opinion", reviewer, opinion="材料齐全，符合条件", complete_step=True)
        api.case_act(case.id, "decide", head, decision="approve", reason="符合条件")
        api.case_act(case.id, "result_ready", clerk)
        api.case_act(case.id, "deliver", clerk, method="pickup")
        api.case_act(case.id, "conclude", clerk)
        done += 1
    queue.put(done)


def pgbench(url: str, clients: int, seconds: int) -> float:
    parts = urlsplit(url)
    env = {
        **os.environ,
        "PGHOST": parts.hostname or "127.0.0.1",
        "PGPORT": str(parts.port or 5432),
        "PGUSER": parts.username or "postgres",
    }
    if parts.password:
        env["PGPASSWORD"] = parts.password
    db = parts.path.lstrip("/")
    exe = shutil.which("pgbench")
    if exe is None:
        raise SystemExit("pgbench not found: install PostgreSQL's client tools (Debian: postgresql-15)")
    subprocess.run([exe, "-q", "-i", "-s", "1", db], env=env, check=True, capture_output=True)
    out = subprocess.run(
        [exe, "-c", str(clients), "-j", str(clients), "-T", str(seconds), db],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out) or re.search(
        r"tps = ([0-9.]+)", out
    )
    return float(match.group(1))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database-url", required=True)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--pgbench-seconds", type=int, default=10)
    args = p.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("case_throughput measures PostgreSQL: give --database-url postgres://…")
    url, cleanup = fresh_database(args.database_url, require_postgres=True)
    setup_django()
    from django.db import connections

    from banhao.org import services as org
    from banhao.org.models import Region

    try:
        impl, _version, person = tiny_city()
        lanshan = Region.objects.get(code="371302")
        people = {
            role: org.staff_member_create(
                actor="bench",
                username=f"bench-{role}",
                password="Bench@Pass2026",
                name=f"压测{role}",
                employee_no=f"B000{i}",
                role=role,
                region=lanshan,
                department=impl.department if role != "window_clerk" else None,
            )
            for i, role in enumerate(("window_clerk", "reviewer", "department_head"), 1)
        }
        connections.close_all()
        ctx = mp.get_context("spawn")
        queue = ctx.Queue()
        procs = [
            ctx.Process(
                target=worker,
                args=(
                    url,
                    args.seconds,
                    (
                        impl.pk,
                        person.pk,
                        people["window_clerk"].user_id,
                        people["reviewer"].user_id,
                        people["department_head"].user_id,
                        lanshan.pk,
                    ),
                    queue,
                ),
            )
            for _ in range(args.workers)
        ]
        t0 = time.perf_counter()
        for proc in procs:
            proc.start()
        counts = [queue.get() for _ in procs]
        for proc in procs:
            proc.join()
        wall = time.perf_counter() - t0
        cases_per_s = sum(counts) / args.seconds
        tps = pgbench(url, args.workers, args.pgbench_seconds)
        print(
            f"PostgreSQL; {args.workers} workers x {args.seconds:.0f} s; each case through case_open/case_act with real roles: "
            f"open+accept, claim, review step, approve, result ready, deliver, conclude (7 transactions, 8 events)"
        )
        print(
            f"  cases completed: {sum(counts)} ({counts}) in {wall:.1f} s wall -> {cases_per_s:.1f} cases/s "
            f"({cases_per_s * 7:.0f} case transactions/s)"
        )
        print(
            f"  pgbench -c {args.workers} -j {args.workers} -T {args.pgbench_seconds} (scale 1): {tps:.0f} tps"
        )
        print("rerun: " + shlex.join([".venv/bin/python", "bench/case_throughput.py", *sys.argv[1:]]))
        print(f"cases_per_s={cases_per_s:.1f} pgbench_tps={tps:.0f}")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
