"""The outbox survives a killed worker: a real `manage.py db_worker` process is SIGKILLed twice
while it delivers, restarted, and every SMS reaches the gateway exactly once per message id.

Processes share nothing with the test but files: a fresh SQLite database and the gateway
simulator's SQLite file (banhao.accounts.sms.GatewaySimulatorBackend), which records every
request and delivers each id once, as a real gateway does. Takes about 15 s.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
N = 60


def _count(path: Path, sql: str) -> int:
    if not path.exists():
        return 0
    conn = sqlite3.connect(path, timeout=30)
    try:
        return conn.execute(sql).fetchone()[0]
    except sqlite3.OperationalError:  # the table is not there yet
        return 0
    finally:
        conn.close()


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def test_a_worker_killed_twice_mid_delivery_loses_nothing_and_sends_nothing_twice(tmp_path):
    app_db, gateway = tmp_path / "app.sqlite3", tmp_path / "gateway.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": f"sqlite:///{app_db}",
        "BANHAO_DEBUG": "false",
        "BANHAO_LOG_LEVEL": "ERROR",
        "BANHAO_SMS_BACKEND": "banhao.accounts.sms.GatewaySimulatorBackend",
        "BANHAO_SMS_GATEWAY_FILE": str(gateway),
        "BANHAO_SMS_GATEWAY_LATENCY_MS": "40",  # half before the gateway records, half after
        "BANHAO_OUTBOX_LEASE_SECONDS": "1",
        "BANHAO_TASK_STALE_SECONDS": "1.5",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]

    def start(*args):
        return subprocess.Popen(  # noqa: S603
            [*manage, *args], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    seed = (  # one process: the tables the outbox needs, then N messages in one transaction
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "for app in ('notify', 'django_tasks_database', 'background'):\n"
        "    call_command('migrate', app, verbosity=0)\n"
        "from django.db import transaction\n"
        "from banhao.notify.api import SMS, message_send\n"
        "with transaction.atomic():\n"
        f"    for i in range({N}):\n"
        "        message_send(recipient=f'1380000{i:04d}', channel=SMS, text=f'第{i}条', dedupe_key=f'kill:{i}')\n"
    )
    subprocess.run([sys.executable, "-c", seed], env=env, cwd=ROOT, check=True, timeout=60)  # noqa: S603
    assert _count(app_db, "SELECT count(*) FROM notify_message WHERE status='pending'") == N

    requests = lambda: _count(gateway, "SELECT count(*) FROM requests")  # noqa: E731
    scheduler = start("run_scheduler", "--tick", "0.3", "--only", "outbox_sweep")  # recovers killed tasks
    worker = None
    try:
        for reached in (10, 30):
            worker = start("db_worker", "--no-startup-delay", "--interval", "0.05", "--no-reload")
            _wait(lambda r=reached: requests() >= r, 30, f"{reached} gateway requests")
            worker.send_signal(signal.SIGKILL)  # mid-run: the worker is always inside a delivery
            worker.wait(10)
        worker = start("db_worker", "--no-startup-delay", "--interval", "0.05", "--no-reload")
        _wait(
            lambda: _count(app_db, "SELECT count(*) FROM notify_message WHERE status='sent'") == N,
            40,
            "the outbox to drain",
        )
    finally:
        for proc in (worker, scheduler):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(10)

    conn = sqlite3.connect(gateway)
    delivered = dict(conn.execute("SELECT message_id, text FROM delivered").fetchall())
    per_id = dict(conn.execute("SELECT message_id, count(*) FROM requests GROUP BY message_id").fetchall())
    conn.close()
    expected = {f"kill:{i}": f"【办好】第{i}条" for i in range(N)}
    assert delivered == expected  # nothing lost, nothing foreign; one delivery per id (primary key)
    assert set(per_id) == set(expected)
    # The kills really hit deliveries in flight: some task was claimed by a killed worker and
    # then run again by the next one (django-tasks-db records each worker that claimed it).
    conn = sqlite3.connect(app_db)
    claims = [
        len(json.loads(w))
        for (w,) in conn.execute("SELECT worker_ids FROM django_tasks_database_dbtaskresult")
    ]
    failed = conn.execute("SELECT count(*) FROM notify_message WHERE status='failed'").fetchone()[0]
    conn.close()
    assert max(claims) >= 2 and failed == 0
