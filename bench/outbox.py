"""The outbox under a killed worker: every SMS of real case steps arrives once, none twice.

On a FRESH database (beside --database-url on PostgreSQL, else a temporary SQLite file), --cases
cases go through submit → accept → claim → approve → result ready → deliver → conclude, each
step through the cases services, each applicant-facing step writing its SMS to the outbox in
the step's own transaction (5 SMS a case). Then a real `manage.py db_worker` process delivers
them to the gateway simulator (banhao.accounts.sms.GatewaySimulatorBackend: a SQLite file that
records every request and delivers each message id once, as a real gateway de-duplicating on
the client message id does; --latency-ms per call, --fail-rate of calls refused). The worker
is killed with SIGKILL --kills times while it delivers (at evenly spread shares of the
messages) and restarted each time; `manage.py run_scheduler` runs beside it, making the tasks
the kills left "running" ready again. When the outbox is drained, the bench counts at the
gateway, per case step (phone and wording, not our dedupe keys):

- lost: steps whose SMS never reached a handset;
- duplicated: handset deliveries beyond one per step (what a person would get twice).

It also counts the requests the gateway received and dropped as repeats of an id already
delivered (a worker killed between the gateway's answer and its commit sends again, under the
same id). Reference in the same run: the gateway simulator's raw rate, called in a loop without
the outbox; on PostgreSQL also pgbench on the same server.

Usage:
    .venv/bin/python bench/outbox.py [--database-url postgres://postgres@127.0.0.1:5432/postgres]
        [--cases 400] [--kills 2] [--latency-ms 5] [--fail-rate 0.02]

Last line:
    queued=<n> delivered=<n> lost=<l> duplicated=<d>
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _fresh import fresh_database, setup_django, tiny_city  # noqa: E402

# The wording of each SMS step (banhao/cases/messages.py), to tell the steps apart at the gateway.
STEPS = {
    "submit": "已提交成功",
    "accept": "已受理，承诺于",
    "approve": "已准予许可",
    "result_ready": "办理结果已出具",
    "deliver": "办理结果已送达",
}


def make_cases(n: int, staff, impl, version, person) -> tuple[list[str], float]:
    """Carries n window cases through their whole life; returns (their phones, seconds)."""
    from banhao.cases import services

    phones = []
    t0 = time.perf_counter()
    for i in range(n):
        phone = f"139{i:08d}"
        case, _ = services.case_create(
            actor=staff,
            implementation=impl,
            version=version,
            region_id=impl.region_id,
            region_code="371302",
            department_id=impl.department_id,
            person_id=person.pk,
            contact_phone=phone,
            form_data={"org_name": "临沂某餐饮店"},
            channel="window",
        )
        case = services.case_accept(actor=staff, case=case)
        case = services.case_claim(actor=staff, case=case)
        case = services.case_decide(actor=staff, case=case, approved=True, reason="符合条件")
        case = services.case_result_ready(actor=staff, case=case)
        case = services.case_deliver(actor=staff, case=case, method="pickup")
        services.case_conclude(actor=staff, case=case)
        phones.append(phone)
    return phones, time.perf_counter() - t0


def gateway_rows(path: Path, sql: str) -> list[tuple]:
    if not path.exists():
        return []
    conn = sqlite3.connect(path, timeout=30)
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:  # no table yet
        return []
    finally:
        conn.close()


def raw_gateway_rate(seconds: float = 3.0) -> float:
    """The simulator called in a loop in this process, no outbox: its own ceiling."""
    from banhao.accounts.sms import GatewaySimulatorBackend

    old = os.environ["BANHAO_SMS_GATEWAY_FILE"]
    os.environ["BANHAO_SMS_GATEWAY_FILE"] = str(Path(old).with_name("raw-gateway.sqlite3"))
    fail_rate = os.environ.pop("BANHAO_SMS_GATEWAY_FAIL_RATE", None)
    try:
        backend = GatewaySimulatorBackend()
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            backend.send("13900000000", "基准短信", message_id=f"raw-{n}")
            n += 1
        return n / (time.perf_counter() - t0)
    finally:
        os.environ["BANHAO_SMS_GATEWAY_FILE"] = old
        if fail_rate is not None:
            os.environ["BANHAO_SMS_GATEWAY_FAIL_RATE"] = fail_rate


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database-url", help="PostgreSQL server to create the fresh database beside")
    p.add_argument("--cases", type=int, default=400, help="cases carried through their life (5 SMS each)")
    p.add_argument("--kills", type=int, default=2, help="SIGKILLs of the worker while it delivers")
    p.add_argument("--latency-ms", type=float, default=5, help="the gateway's round trip")
    p.add_argument("--fail-rate", type=float, default=0.02, help="share of gateway calls refused")
    p.add_argument("--timeout", type=float, default=900, help="seconds to wait for the outbox to drain")
    args = p.parse_args()
    if args.kills < 2:
        raise SystemExit("--kills must be at least 2")

    work = Path(tempfile.mkdtemp(prefix="banhao-outbox-"))
    gateway = work / "gateway.sqlite3"
    os.environ.update(
        {
            "BANHAO_SMS_BACKEND": "banhao.accounts.sms.GatewaySimulatorBackend",
            "BANHAO_SMS_GATEWAY_FILE": str(gateway),
            "BANHAO_SMS_GATEWAY_LATENCY_MS": str(args.latency_ms),
            "BANHAO_SMS_GATEWAY_FAIL_RATE": str(args.fail_rate),
            "BANHAO_OUTBOX_BACKOFF_SECONDS": "0.2",  # retries within the run (production: 30 s)
            "BANHAO_OUTBOX_MAX_ATTEMPTS": "12",
            "BANHAO_OUTBOX_LEASE_SECONDS": "2",  # production: 60 s
            "BANHAO_TASK_STALE_SECONDS": "3",  # production: 300 s
            "BANHAO_LOG_LEVEL": "ERROR",
            "BANHAO_DEBUG": "false",
        }
    )
    url, cleanup = fresh_database(args.database_url)
    setup_django()
    from django.db import connection, connections
    from django_tasks_db.models import DBTaskResult

    from banhao.notify.models import Message
    from banhao.org import services as org
    from banhao.org.models import Region

    vendor = "PostgreSQL" if url.startswith(("postgres://", "postgresql://")) else "SQLite"
    procs: list[subprocess.Popen] = []
    manage = [sys.executable, str(ROOT / "manage.py")]

    def start(*extra: str) -> subprocess.Popen:
        proc = subprocess.Popen(
            [*manage, *extra],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        procs.append(proc)
        return proc

    def requests() -> int:
        rows = gateway_rows(gateway, "SELECT count(*) FROM requests")
        return rows[0][0] if rows else 0

    try:
        impl, version, person = tiny_city()
        staff = org.staff_member_create(
            actor="bench",
            username="bench-admin",
            password="Bench@Pass2026",
            name="压测管理员",
            employee_no="B0001",
            role="administrator",
            region=Region.objects.get(code="371300"),
        )
        phones, make_s = make_cases(args.cases, staff.user, impl, version, person)
        queued = Message.objects.filter(channel="sms").count()
        tasks = DBTaskResult.objects.filter(task_path="banhao.notify.tasks.message_deliver").count()
        connections.close_all()

        worker_cmd = ("db_worker", "--no-startup-delay", "--interval", "0.05", "--no-reload")
        kills = []
        scheduler = start("run_scheduler", "--tick", "0.5", "--only", "outbox_sweep")
        t0 = time.perf_counter()
        for k in range(1, args.kills + 1):
            worker = start(*worker_cmd)
            target = queued * k // (args.kills + 1)
            while requests() < target:  # polled tightly: the kill lands just after a gateway receipt
                if worker.poll() is not None:
                    raise SystemExit("the worker died on its own")
                time.sleep(0.001)
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            running = DBTaskResult.objects.filter(status="RUNNING").count()
            sending = Message.objects.filter(status="sending").count()
            connections.close_all()
            kills.append((requests(), running, sending))
        worker = start(*worker_cmd)
        deadline = time.perf_counter() + args.timeout
        while Message.objects.filter(channel="sms", status__in=["sent", "failed"]).count() < queued:
            if time.perf_counter() > deadline:
                raise SystemExit("the outbox did not drain in time")
            connections.close_all()
            time.sleep(0.2)
        drain_s = time.perf_counter() - t0
        # The last worker's steady rate: its gateway requests over the time between its first and last.
        first_id = kills[-1][0]
        span = gateway_rows(
            gateway, f"SELECT count(*), max(at) - min(at) FROM requests WHERE id > {first_id}"
        )[0]
        steady = (span[0] - 1) / span[1] if span[0] > 1 and span[1] else 0.0
        for proc in (worker, scheduler):
            proc.terminate()
            proc.wait(10)
        failed = Message.objects.filter(status="failed").count()
        attempts = sum(Message.objects.values_list("attempts", flat=True))
        reruns = sum(1 for w in DBTaskResult.objects.values_list("worker_ids", flat=True) if len(w) > 1)

        # Counted at the gateway, per case step (phone + wording), not by our own keys.
        expected = {(phone, step) for phone in phones for step in STEPS}
        handset = Counter()
        foreign = 0
        for phone, text in gateway_rows(gateway, "SELECT phone, text FROM delivered"):
            step = next((s for s, words in STEPS.items() if words in text), None)
            if (phone, step) in expected:
                handset[(phone, step)] += 1
            else:
                foreign += 1
        total_requests = requests()
        delivered = sum(handset.values())
        lost = sum(1 for key in expected if handset[key] == 0)
        duplicated = sum(c - 1 for c in handset.values() if c > 1) + foreign
        repeats = gateway_rows(gateway, "SELECT count(*) - count(DISTINCT message_id) FROM requests")[0][0]

        raw = raw_gateway_rate()
        tps = None
        if vendor == "PostgreSQL":
            from case_throughput import pgbench

            connections.close_all()
            tps = pgbench(url, 1, 10)

        print(
            f"{vendor}; {args.cases} cases x 7 steps through the services ({make_s:.1f} s, "
            f"{args.cases * 7 / make_s:.0f} steps/s), {queued} SMS queued with {tasks} delivery tasks "
            f"in the steps' transactions"
        )
        print(
            f"  gateway simulator: {args.latency_ms:g} ms round trip, {args.fail_rate:.0%} of calls refused; "
            "1 db_worker, run_scheduler beside it (stale tasks after 3 s, message lease 2 s)"
        )
        for i, (at, running, sending) in enumerate(kills, 1):
            print(
                f"  SIGKILL {i}: after {at} gateway requests; left behind {running} task(s) RUNNING, "
                f"{sending} message(s) sending; worker restarted"
            )
        print(
            f"  drained in {drain_s:.1f} s including {args.kills} restarts -> {queued / drain_s:.0f} SMS/s; "
            f"{attempts} attempts for {queued} messages ({attempts - queued} retries after refusals or kills), "
            f"{reruns} task(s) run again after a kill, {failed} failed for good"
        )
        print(
            f"  the last worker's steady rate (its first to its last gateway request): {steady:.0f} SMS/s "
            f"over {span[0]} requests"
        )
        print(
            f"  at the gateway: {total_requests} requests, {repeats} repeats of an id already received "
            f"(dropped by its de-duplication), {delivered} delivered to handsets for {len(expected)} steps"
        )
        print(
            f"  without the gateway's de-duplication on the message id, {repeats} handset(s) would have got "
            "an SMS twice (the worker was killed between the gateway's answer and its own commit)"
        )
        print(f"  reference: the gateway simulator alone, in a loop without the outbox: {raw:.0f} sends/s")
        if tps is not None:
            print(f"  reference: pgbench -c 1 -j 1 -T 10 (scale 1) on the same server: {tps:.0f} tps")
        connection.close()
        print("rerun: " + shlex.join([".venv/bin/python", "bench/outbox.py", *sys.argv[1:]]))
        print(f"queued={queued} delivered={delivered} lost={lost} duplicated={duplicated}")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        cleanup()


if __name__ == "__main__":
    main()
