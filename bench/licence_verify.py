"""Licence verification over HTTP (GET /api/v1/licences/verify/), served as in production.

1. The database (--database-url; by default a FRESH PostgreSQL database
   banhao_bench_licence_verify on 127.0.0.1, dropped and created anew, and dropped after the
   run) is migrated and seeded through the services: a city, an issuing department, the
   营业执照 type, --licences enterprises each issued a signed 营业执照 (SM2 by default;
   --algorithm ed25519), of which about 10 % are suspended, 8 % revoked (licence_suspend /
   licence_revoke), 7 % issued already lapsed (expired) and 5 % altered in the database
   afterwards (tampered). The department's signing key is made in a key file of this run.
2. granian serves the project: 2 worker processes, settings config.settings.prod (DEBUG off),
   the same key file, the per-address verification limit raised out of the way
   (BANHAO_LICENCE_VERIFY_PER_MINUTE=1000000000: the counter is still kept in the shared cache,
   so its cost is measured), plain HTTP on 127.0.0.1.
3. A probe verifies one licence of each kind and must get valid / suspended / revoked /
   expired / tampered / unknown. Then wrk runs the reference, /healthz/ (a trivial Django
   view, no database), and the verify API with the identifiers mixed (bench/licence_verify.lua:
   the seeded licences plus 10 % well-formed identifiers of no licence), --connections for
   --seconds. Every verification recomputes the licence's signature; the holder's use log gets
   one row per licence and address a day, so after the first pass the log is not written.

Usage:
    .venv/bin/python bench/licence_verify.py [--database-url postgres://postgres@127.0.0.1:5432/banhao_bench_licence_verify]
        [--licences 300] [--seconds 30] [--connections 16] [--algorithm sm2|ed25519] [--keep] [--probe-only]

Last line:
    verify_rps=<n> verify_p99_ms=<x> reference_rps=<m> errors=<e>
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LUA = ROOT / "bench" / "licence_verify.lua"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/banhao_bench_licence_verify"
PROTECTED_DATABASES = {"postgres", "template0", "template1"}
MIX = {"suspended": 0.10, "revoked": 0.08, "expired": 0.07, "tampered": 0.05}  # the rest valid
UNKNOWN_SHARE = 0.10


def say(text: str) -> None:
    print(text, flush=True)


# --- the database ------------------------------------------------------------------------------


def admin_url(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def prepare_database(url: str, *, fresh: bool) -> None:
    import psycopg

    name = database_name(url)
    if not name or name in PROTECTED_DATABASES:
        raise SystemExit(f"--database-url must name a database of its own, not “{name or '(none)'}”.")
    with psycopg.connect(admin_url(url), autocommit=True) as c:
        if fresh:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            c.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url(url), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')


# --- the licences, through the services -----------------------------------------------------------


def seed(count: int, algorithm: str) -> dict[str, list[str]]:
    """Migrates and issues about ``count`` 营业执照 (at least one of each kind); returns the
    identifiers by expected status."""
    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.core.management import call_command
    from django.db import connections

    from banhao.core.identifiers import make_licence_identifier, make_org_code, make_uscc
    from banhao.licences import services
    from banhao.licences.models import Licence
    from banhao.org import services as org
    from banhao.registry import services as registry

    call_command("migrate", verbosity=0)
    city = org.region_ensure(actor="bench", code="371300", name="临沂市", level="city")
    dept = org.department_ensure(
        actor="bench",
        name="临沂市行政审批服务局",
        region=city,
        credit_code=make_uscc("1", "1", "371300", make_org_code("37130001")),
    )
    licence_type, _ = services.licence_type_upsert(
        actor="bench",
        name="营业执照",
        code="11100000000013338W001",
        authority_name="国家市场监督管理总局",
        holder_kind="organization",
        fields=[
            {
                "key": "number",
                "label": "统一社会信用代码",
                "required": True,
                "public": True,
                "sources": ["holder.code"],
            },
            {"key": "name", "label": "名称", "required": True, "public": True, "sources": ["holder.name"]},
            {"key": "scope", "label": "经营范围", "sources": ["business_scope"]},
        ],
    )
    plan = [k for k, share in MIX.items() for _ in range(max(1, round(count * share)))]
    plan += ["valid"] * max(1, count - len(plan))
    random.Random(36904).shuffle(plan)
    kinds: dict[str, list[str]] = {k: [] for k in ("valid", *MIX, "unknown")}
    for n, kind in enumerate(plan):
        organization = registry.organization_register(
            actor="bench",
            name=f"临沂压测商贸有限公司{n:04d}",
            credit_code=make_uscc("9", "1", "371302", make_org_code(f"MB{n:06d}")),
            legal_representative="压测",
        )
        lapsed = kind == "expired"
        licence = services.licence_issue(
            actor="bench",
            licence_type=licence_type,
            issuer_id=dept.pk,
            organization_id=organization.pk,
            face={"scope": "日用百货销售"},
            issued_on=dt.date(2020, 3, 1) if lapsed else None,
            valid_until=dt.date(2025, 2, 28) if lapsed else None,
            algorithm=algorithm,
        )
        if kind == "suspended":
            services.licence_suspend(actor="bench", licence=licence, reason="压测：暂停使用")
        elif kind == "revoked":
            services.licence_revoke(actor="bench", licence=licence, reason="压测：注销")
        elif kind == "tampered":
            Licence.objects.filter(pk=licence.pk).update(face={**licence.face, "scope": "篡改后的经营范围"})
        kinds[kind].append(licence.identifier)
    for n in range(max(1, int(count * UNKNOWN_SHARE))):
        kinds["unknown"].append(
            make_licence_identifier(licence_type.code, dept.credit_code, f"2099{n:07d}", 1)
        )
    connections.close_all()
    return kinds


# --- the server and wrk --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def start_granian(env: dict[str, str], port: int, log) -> subprocess.Popen:
    granian = Path(sys.executable).parent / "granian"
    cmd = [
        str(granian),
        "--interface",
        "wsgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "2",
        "--blocking-threads",
        "4",
        "--no-access-log",
        "config.wsgi:application",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"granian exited ({proc.returncode}); see {log.name}")
        try:
            if get(port, "/healthz/")[0] == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    stop(proc)
    raise SystemExit(f"granian did not answer within 60 s; see {log.name}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wrk(port: int, connections: int, seconds: int, *, path: str = "/", script: list[str] | None = None):
    """wrk's figures: requests/s, p50, p99 (ms), errors (non-2xx answers and socket errors)."""
    exe = shutil.which("wrk") or "/usr/bin/wrk"
    if not Path(exe).exists():
        raise SystemExit("wrk not found: install it (scripts/system-deps.sh --bench)")
    cmd = [exe, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        cmd += ["-s", script[0], f"http://127.0.0.1:{port}{path}", "--", *script[1:]]
    else:
        cmd.append(f"http://127.0.0.1:{port}{path}")
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}%\s+([0-9.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")

    rps = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "requests": int(total.group(1)) if total else 0,
        "p50": ms("50"),
        "p99": ms("99"),
        "errors": (int(bad.group(1)) if bad else 0) + (sum(map(int, sock.groups())) if sock else 0),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--database-url", default=None, help=f"PostgreSQL database (default: a fresh {DEFAULT_URL})"
    )
    p.add_argument("--licences", type=int, default=300)
    p.add_argument("--seconds", type=int, default=30)
    p.add_argument("--reference-seconds", type=int, default=10)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--algorithm", choices=["sm2", "ed25519"], default="sm2")
    p.add_argument("--keep", action="store_true", help="keep the default database after the run")
    p.add_argument("--probe-only", action="store_true", help="seed, serve and probe the six answers; no wrk")
    args = p.parse_args()
    url = args.database_url or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("licence_verify measures PostgreSQL: give --database-url postgres://…")
    rerun = " ".join(shlex.quote(a) for a in [".venv/bin/python", "bench/licence_verify.py", *sys.argv[1:]])

    workdir = Path(tempfile.mkdtemp(prefix="banhao-licence-verify-"))
    key_file = workdir / "licence-keys.json"
    fresh = args.database_url is None
    prepare_database(url, fresh=fresh)
    common = {
        "DATABASE_URL": url,
        "BANHAO_LICENCE_KEYS": "",
        "BANHAO_LICENCE_KEY_FILE": str(key_file),
        "BANHAO_LICENCE_ALGORITHM": args.algorithm,
    }
    os.environ.update(
        {
            **common,
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "BANHAO_DEBUG": "false",
            "BANHAO_LICENCE_KEYS_AUTOCREATE": "true",  # the department's key, made on its first licence
        }
    )
    env = {
        **os.environ,
        **common,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "BANHAO_SECRET_KEY": os.environ.get("BANHAO_SECRET_KEY") or secrets.token_urlsafe(50),
        "BANHAO_SECURE_COOKIES": "false",
        "BANHAO_HSTS_SECONDS": "0",
        "BANHAO_ALLOW_CONSOLE_SMS": "true",
        "BANHAO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "BANHAO_LICENCE_KEYS_AUTOCREATE": "false",
        "BANHAO_LICENCE_VERIFY_PER_MINUTE": "1000000000",
    }
    log = (workdir / "server.log").open("w", encoding="utf-8")
    server = None
    try:
        t = time.perf_counter()
        kinds = seed(args.licences, args.algorithm)
        seeded = sum(len(v) for k, v in kinds.items() if k != "unknown")
        say(
            f"数据库 {database_name(url)}：经服务签发 {seeded} 本营业执照（{args.algorithm.upper()}），"
            f"{time.perf_counter() - t:.1f} s；" + "，".join(f"{k} {len(v)}" for k, v in kinds.items())
        )
        ids = [i for v in kinds.values() for i in v]
        random.Random(7064).shuffle(ids)
        ids_file = workdir / "identifiers.txt"
        ids_file.write_text("\n".join(ids) + "\n", encoding="utf-8")

        port = free_port()
        server = start_granian(env, port, log)
        say(f"granian：2 个进程，config.settings.prod（DEBUG 关闭），http://127.0.0.1:{port}/")
        answers = {}
        for kind, found in kinds.items():
            status, body = get(port, f"/api/v1/licences/verify/?id={found[0]}")
            answers[kind] = json.loads(body).get("status") if status == 200 else f"HTTP {status}"
        if any(answers[k] != k for k in answers):
            raise SystemExit(f"探测异常：{answers}; see {log.name}")
        say("探测：" + "，".join(f"{k} → {v}" for k, v in answers.items()))
        if args.probe_only:
            return

        ref = wrk(port, args.connections, args.reference_seconds, path="/healthz/")
        load_before = os.getloadavg()[0]
        res = wrk(port, args.connections, args.seconds, script=[str(LUA), str(ids_file)])
        load_after = os.getloadavg()[0]
        uses = verify_uses(url)
    finally:
        if server is not None:
            stop(server)
        log.close()
        if fresh and not args.keep:
            drop_database(url)

    say("")
    say(
        f"参照 /healthz/（最简 Django 视图）：{ref['rps']:.0f} 次/秒，p50 {ref['p50']:.2f} ms，"
        f"p99 {ref['p99']:.2f} ms，错误 {ref['errors']}"
    )
    say(
        f"GET /api/v1/licences/verify/：{args.connections} 个连接 {args.seconds} s，{res['requests']} 个请求，"
        f"{res['rps']:.0f} 次/秒，p50 {res['p50']:.2f} ms，p99 {res['p99']:.2f} ms，错误 {res['errors']}"
        f"（{res['rps'] / ref['rps'] * 100 if ref['rps'] else 0:.1f}% of /healthz/）"
    )
    say(f"用证记录：核验写入 {uses} 行（每本证照、每个地址每天一行）")
    say(f"机器负载（1 分钟平均，2 核）：压测前 {load_before:.1f}，压测后 {load_after:.1f}")
    say(f"服务器日志：{workdir / 'server.log'}")
    say(f"重跑：{rerun}")
    errors = res["errors"] + ref["errors"]
    say(
        f"verify_rps={res['rps']:.0f} verify_p99_ms={res['p99']:.2f} reference_rps={ref['rps']:.0f} errors={errors}"
    )


def verify_uses(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as c:
        return c.execute("SELECT count(*) FROM licences_licenceuse WHERE kind = 'verify'").fetchone()[0]


if __name__ == "__main__":
    main()
