"""Ratings ingested per second through POST /api/v1/ratings/, served as in production.

1. A FRESH database (PostgreSQL beside --database-url, default postgres://postgres@127.0.0.1:5432/;
   SQLite with --sqlite or when PostgreSQL cannot be reached — the output says which) is
   migrated and gets a tiny city (bench/_fresh.py). One case of an applicant is walked through
   the real services to 送达 (delivered); --cases − 1 more delivered cases are copies of its row
   with their own numbers (bulk insert: walking thousands of cases through every step would
   measure case handling, not rating). Each case gets its signed one-time SMS token
   (ratings.rating_token) and a level: 60 % 非常满意, 25 % 满意, 10 % 基本满意, 3 % 不满意, 2 %
   非常不满意; a bad one carries a reason and a description, so it opens its rectification in
   the same transaction, as in production.
2. granian serves the project: 2 worker processes, config.settings.prod (DEBUG off), the same
   secret key (the tokens must verify), the ratings API's rate limit raised out of the way
   (BANHAO_RATING_API_RATE: the throttle still reads and writes its counter in the shared cache,
   so its cost is measured).
3. A probe rates one case (201) and repeats it (409). wrk runs the reference, /healthz/ (a
   trivial Django view, no database) on the same server, then POST /api/v1/ratings/ with
   bench/ratings_api.lua: each request rates a distinct case (each wrk thread walks its own half
   of the tokens once; 201 counted, every other answer reported). Ratings and rectifications
   are counted in the database afterwards.

Usage:
    .venv/bin/python bench/ratings_api.py [--database-url postgres://postgres@127.0.0.1:5432/] [--sqlite]
        [--cases 12000] [--seconds 30] [--connections 16]

Last line:
    ratings_per_s=<n> p99_ms=<x> created=<c> non_201=<e> reference_rps=<m> database=<postgresql|sqlite>
"""

from __future__ import annotations

import argparse
import os
import random
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from _fresh import fresh_database, setup_django, tiny_city  # noqa: E402
from licence_verify import free_port, start_granian, stop  # noqa: E402

LUA = ROOT / "bench" / "ratings_api.lua"
LEVELS = [(5, 0.60), (4, 0.25), (3, 0.10), (2, 0.03), (1, 0.02)]


def say(text: str) -> None:
    print(text, flush=True)


def postgres_reachable(url: str) -> bool:
    try:
        from urllib.parse import urlsplit, urlunsplit

        import psycopg

        with psycopg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")), connect_timeout=3):
            return True
    except Exception:
        return False


def seed(count: int, tokens_file: Path) -> tuple[int, str]:
    """Migrates, makes ``count`` delivered cases and writes "<token> <level>" per case. Returns
    (cases, the probe's token)."""
    from django.db import connections, transaction

    from banhao.cases import services
    from banhao.cases.models import Case
    from banhao.cases.tests.factories import advance
    from banhao.evaluation.ratings import rating_token
    from banhao.registry import services as registry

    impl, version, person = tiny_city()
    user = registry.applicant_account_open(actor="bench", person=person, password="Bench@Pass2026").user
    case, _ = services.case_create(
        actor=user,
        implementation=impl,
        version=version,
        region_id=impl.region_id,
        region_code="371302",
        department_id=impl.department_id,
        person_id=person.pk,
        contact_phone="13800000001",
        form_data={"org_name": "临沂压测餐饮店"},
        applicant_user=user,
    )
    case = advance(case, delivered=True)
    template = Case.objects.get(pk=case.pk)
    prefix = template.number.rsplit("-", 1)[0]
    with transaction.atomic():
        batch = []
        for n in range(count):  # the probe's case and the measured ones
            c = Case.objects.get(pk=template.pk)
            c.pk = None
            c.id = None
            c._state.adding = True
            c.number = f"{prefix}-R{n:06d}"
            c.idempotency_key = ""
            batch.append(c)
            if len(batch) == 2000:
                Case.objects.bulk_create(batch)
                batch = []
        if batch:
            Case.objects.bulk_create(batch)
    ids = list(
        Case.objects.filter(number__startswith=f"{prefix}-R").order_by("id").values_list("id", flat=True)
    )
    rng = random.Random(39046)
    values, weights = zip(*LEVELS, strict=True)
    probe = rating_token(ids[0], "sms")
    lines = [f"{rating_token(cid, 'sms')} {rng.choices(values, weights)[0]}" for cid in ids[1:]]
    tokens_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    connections.close_all()
    return len(ids) - 1, probe


def run_wrk(port: int, connections: int, seconds: int, path: str, script: list[str] | None = None) -> dict:
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

    def num(pattern: str, default=0.0) -> float:
        m = re.search(pattern, out)
        return float(m.group(1)) if m else default

    lua = re.search(r"lua: created=(\d+) non_201=(\d+) spare=(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    took = re.search(r"requests in ([0-9.]+)(ms|s|m),", out)
    elapsed = float(took.group(1)) * {"ms": 0.001, "s": 1, "m": 60}[took.group(2)] if took else float(seconds)
    return {
        "rps": num(r"Requests/sec:\s+([0-9.]+)"),
        "requests": int(num(r"(\d+) requests in")),
        "elapsed": elapsed,
        "p50": ms("50"),
        "p99": ms("99"),
        "non2xx": int(num(r"Non-2xx or 3xx responses:\s+(\d+)")),
        "socket": sum(map(int, sock.groups())) if sock else 0,
        "created": int(lua.group(1)) if lua else 0,
        "non_201": int(lua.group(2)) if lua else 0,
        "spare": int(lua.group(3)) if lua else 0,
    }


def post_json(port: int, path: str, body: str) -> int:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", path, body.encode(), {"Content-Type": "application/json"})
    status = conn.getresponse().status
    conn.close()
    return status


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/banhao")
    p.add_argument("--sqlite", action="store_true", help="measure on SQLite instead of PostgreSQL")
    p.add_argument("--cases", type=int, default=12000)
    p.add_argument("--seconds", type=int, default=30)
    p.add_argument("--reference-seconds", type=int, default=10)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--probe-only", action="store_true", help="seed, serve and probe (201, then 409); no wrk")
    args = p.parse_args()
    rerun = " ".join(shlex.quote(a) for a in [".venv/bin/python", "bench/ratings_api.py", *sys.argv[1:]])

    use_pg = not args.sqlite and postgres_reachable(args.database_url)
    if not args.sqlite and not use_pg:
        say(f"PostgreSQL 不可达（{args.database_url}），改用 SQLite。")
    url, cleanup = fresh_database(args.database_url if use_pg else None)
    engine = "postgresql" if use_pg else "sqlite"
    secret = os.environ.get("BANHAO_SECRET_KEY") or secrets.token_urlsafe(50)
    os.environ["BANHAO_SECRET_KEY"] = secret  # the tokens are signed with the server's key
    workdir = Path(tempfile.mkdtemp(prefix="banhao-ratings-api-"))
    tokens_file = workdir / "tokens.txt"
    setup_django()
    server = None
    log = (workdir / "server.log").open("w", encoding="utf-8")
    try:
        t = time.perf_counter()
        cases, probe = seed(args.cases + 1, tokens_file)
        say(
            f"数据库（{engine}，本次新建）：{cases + 1} 件已送达办件（1 件经服务逐步办理，其余复制其数据行），"
            f"各有短信评价令牌，{time.perf_counter() - t:.1f} s"
        )
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "config.settings.prod",
            "BANHAO_SECRET_KEY": secret,
            "BANHAO_SECURE_COOKIES": "false",
            "BANHAO_HSTS_SECONDS": "0",
            "BANHAO_ALLOW_CONSOLE_SMS": "true",
            "BANHAO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "BANHAO_RATING_API_RATE": "1000000000/min",
        }
        port = free_port()
        server = start_granian(env, port, log)
        say(f"granian：2 个进程，config.settings.prod（DEBUG 关闭），http://127.0.0.1:{port}/")
        body = f'{{"token":"{probe}","level":5}}'
        first, again = post_json(port, "/api/v1/ratings/", body), post_json(port, "/api/v1/ratings/", body)
        if (first, again) != (201, 409):
            raise SystemExit(f"探测异常：首次 {first}，重复 {again}（应为 201、409）；see {log.name}")
        say("探测：首次评价 201，重复评价 409")
        if args.probe_only:
            return

        ref = run_wrk(port, args.connections, args.reference_seconds, "/healthz/")
        load_before = os.getloadavg()[0]
        res = run_wrk(
            port, args.connections, args.seconds, "/api/v1/ratings/", script=[str(LUA), str(tokens_file)]
        )
        load_after = os.getloadavg()[0]
    finally:
        if server is not None:
            stop(server)
        log.close()
        if args.probe_only:
            cleanup()
    from banhao.evaluation.models import Rating, Rectification

    stored = Rating.objects.count() - 1  # less the probe's
    rects = Rectification.objects.count()
    cleanup()

    rate = res["created"] / res["elapsed"] if res["elapsed"] else 0.0
    say("")
    say(
        f"参照 /healthz/（最简 Django 视图）：{ref['rps']:.0f} 次/秒，p50 {ref['p50']:.2f} ms，"
        f"p99 {ref['p99']:.2f} ms，非2xx {ref['non2xx']}，套接字错误 {ref['socket']}"
    )
    say(
        f"POST /api/v1/ratings/：{args.connections} 个连接，{res['elapsed']:.1f} s 内 {res['created']} 个 201"
        f"（每个请求评价不同的办件），{rate:.0f} 条/秒，p50 {res['p50']:.2f} ms，p99 {res['p99']:.2f} ms；"
        f"非201 {res['non_201']}，套接字错误 {res['socket']}，令牌用完后的占位请求 {res['spare']}"
        f"（{rate / ref['rps'] * 100 if ref['rps'] else 0:.1f}% of /healthz/）"
    )
    say(f"数据库：新写入评价 {stored} 条，其中差评开出整改 {rects} 件（令牌 {cases} 个）")
    say(f"机器负载（1 分钟平均，2 核）：压测前 {load_before:.1f}，压测后 {load_after:.1f}")
    say(f"服务器日志：{workdir / 'server.log'}")
    say(f"重跑：{rerun}")
    say(
        f"ratings_per_s={rate:.0f} p99_ms={res['p99']:.2f} created={res['created']} "
        f"non_201={res['non_201'] + res['socket']} reference_rps={ref['rps']:.0f} database={engine}"
    )


if __name__ == "__main__":
    main()
