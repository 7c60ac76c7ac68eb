"""Case creation over the JSON API, served as in production, beside pgbench on the same server.

1. The database (--database-url; by default a FRESH PostgreSQL database
   banhao_bench_case_api on 127.0.0.1, dropped and created anew) is migrated and gets the
   demo city: `manage.py migrate`, `manage.py load_demo`, and `collectstatic` (production
   settings serve hashed static files).
2. granian serves the project: 2 worker processes, settings config.settings.prod (DEBUG off),
   the secret key from BANHAO_SECRET_KEY (a random one for this run when unset), plain HTTP
   on 127.0.0.1 (so BANHAO_SECURE_COOKIES=false), console SMS (BANHAO_ALLOW_CONSOLE_SMS).
3. The demo's personal applicant accounts log in as a browser does: GET /accounts/login/
   for the CSRF cookie and form token, POST their mobile number and the demo password
   (BANHAO_DEMO_PASSWORD, default Banhao@2026); the session and csrftoken cookies they get
   back are what each API request sends (Cookie + X-CSRFToken + Referer: the API uses DRF's
   SessionAuthentication with CSRF).
4. The body comes from the catalog (banhao.catalog.api.version_content): a published item
   that may be applied for online (online depth 3 or 4), for natural persons, whose
   applicable required materials can all be shared (免提交) — the one published in the most
   regions; every situation answered 否, every field filled by its type, the applicant's own
   registry values where the form prefills them. Requests rotate over the applicants, each
   bound to one region's implementation of that item.
5. One probe request must answer 201 and its repeat (same Idempotency-Key) 200 with the same
   case number. Then wrk drives POST /api/v1/cases/ (bench/case_api.lua: each request its
   own Idempotency-Key) with --connections for --seconds, after reference runs on the same
   server: /healthz/ (a trivial Django view, no database), a static file (WhiteNoise) and the
   login page (a template-rendered view, no database).
6. created_per_s is counted in the database (cases created during the run / its seconds), as
   are the case events and audit rows written per case. errors counts every non-2xx answer
   and every socket error. granian is stopped, then pgbench runs on the same PostgreSQL
   server in a scratch database (`pgbench -i`, then `pgbench -c 16 -j 2 -T 30`).

Usage:
    .venv/bin/python bench/case_api.py [--database-url postgres://postgres@127.0.0.1:5432/banhao_bench_case_api]
        [--seconds 30] [--connections 16] [--pgbench-seconds 30] [--keep]

Last line:
    created_per_s=<n> p50_ms=<x> p99_ms=<y> errors=<e> pgbench_tps=<m>
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
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
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "case_api.lua"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/banhao_bench_case_api"
PROTECTED_DATABASES = {"postgres", "template0", "template1"}
OPEN_ZAAK = (41, 3380)  # Open Zaak 1.30 on a 2-core machine: cases/s beside pgbench tps


def say(text: str) -> None:
    print(text, flush=True)


# --- the database ------------------------------------------------------------------------------


def admin_url(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def prepare_database(url: str, *, fresh: bool) -> None:
    """Creates the database (dropping it first when ``fresh``); an existing one given on the
    command line is used as it is (migrate and load_demo keep existing data)."""
    import psycopg

    name = database_name(url)
    if not name or name in PROTECTED_DATABASES:
        raise SystemExit(f"--database-url must name a database of its own, not “{name or '(none)'}”.")
    with psycopg.connect(admin_url(url), autocommit=True) as c:
        if fresh:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            c.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url(url), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')


def counted(url: str, start: float, end: float) -> dict[str, int]:
    """What the run wrote, read from the database: the cases submitted between ``start`` and
    ``end`` (Unix times), their case events and site messages, and the audit rows of that time."""
    import datetime as dt

    import psycopg

    window = [dt.datetime.fromtimestamp(t, dt.UTC) for t in (start, end)]
    run = "SELECT id, number FROM cases_case WHERE submitted_at >= %s AND submitted_at < %s"
    with psycopg.connect(url) as c:
        return {
            "cases": c.execute(f"SELECT count(*) FROM ({run}) r", window).fetchone()[0],
            "events": c.execute(
                f"SELECT count(*) FROM cases_caseevent WHERE case_id IN (SELECT id FROM ({run}) r)", window
            ).fetchone()[0],
            # outbox rows (a site message and an SMS per step), written with the step
            "messages": c.execute(
                "SELECT count(*) FROM notify_message WHERE created_at >= %s AND created_at < %s", window
            ).fetchone()[0],
            "audit": c.execute(
                "SELECT count(*) FROM core_auditevent WHERE at >= %s AND at < %s", window
            ).fetchone()[0],
        }


def server_env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DATABASE_URL": url,
        "BANHAO_SECRET_KEY": os.environ.get("BANHAO_SECRET_KEY") or secrets.token_urlsafe(50),
        "BANHAO_SECURE_COOKIES": "false",  # plain HTTP on 127.0.0.1: no TLS in front
        "BANHAO_HSTS_SECONDS": "0",
        "BANHAO_ALLOW_CONSOLE_SMS": "true",
        "BANHAO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    }


def manage(env: dict[str, str], *args: str, log) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=log, stderr=log
    )


# --- the request body from the catalog ---------------------------------------------------------


def _value(field: dict, identity) -> str:
    registered = identity.value(field["prefill"]) if field["prefill"] else None
    if registered:
        return registered
    kind = field["type"]
    limit = field.get("max_length") or 50
    return {
        "text": "测试填写"[:limit],
        "textarea": "压测填写的说明。"[:limit],
        "address": "临沂市兰山区测试路1号"[:limit],
        "number": "12.5",
        "date": "2026-11-02",
        "choice": (field["choices"] or [""])[0],
        "phone": identity.person.phone,
        "resident_id": identity.person.resident_id,
    }.get(kind, "测试")


def _fits(content: dict) -> bool:
    """Online (depth 3/4), for persons, every applicable required material shareable, no
    organisation field (situations answered 否: only what applies to every case counts)."""
    if content["online_depth"] not in ("3", "4") or "自然人" not in content["service_objects"]:
        return False
    plain = [f for f in content["form_fields"] if not f["situation"]]
    if any(f["prefill"].startswith("org.") or f["type"] == "credit_code" for f in plain):
        return False
    from banhao.licences.api import licence_type_for_material

    # a material held in the licence store needs a held licence (免提交 of an e-licence), which
    # the demo's personal applicants don't all have: keep to items shared by data sharing
    return all(
        m["shared"] and licence_type_for_material(m["licence_type"]) is None
        for m in content["materials"]
        if m["required"] and not m["situation"]
    )


def build_bodies(env: dict[str, str], password: str):
    """[(login mobile, JSON body)], one per personal demo applicant, and the item's name."""
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "BANHAO_SECRET_KEY")})
    os.environ.update({k: env[k] for k in env if k.startswith("BANHAO_")})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connections

    from banhao.catalog.api import published_for_application, version_content
    from banhao.catalog.models import Implementation, Status
    from banhao.licences.api import licence_type_for_material
    from banhao.registry.api import applicant_identity
    from banhao.registry.models import ApplicantAccount

    by_standard: dict[int, list[tuple[int, dict]]] = {}
    for impl in Implementation.objects.filter(status=Status.PUBLISHED).order_by("pk"):
        _, version = published_for_application(impl.pk)
        if version is None:
            continue
        content = version_content(version)
        if _fits(content):
            by_standard.setdefault(impl.standard_id, []).append((impl.pk, content))
    if not by_standard:
        raise SystemExit("the demo catalog has no item that can be applied for online with shared materials")
    chosen = max(by_standard.values(), key=lambda rows: (len(rows), -len(rows[0][1]["form_fields"])))

    accounts = (
        ApplicantAccount.objects.filter(organization__isnull=True)
        .select_related("user", "person")
        .order_by("pk")
    )
    bodies = []
    for n, account in enumerate(accounts):
        identity = applicant_identity(account.user)
        impl_id, content = chosen[n % len(chosen)]
        body = {
            "implementation_id": impl_id,
            "contact_phone": identity.person.phone,
            "situations": {s["key"]: False for s in content["situations"]},
            "form_data": {
                f["key"]: _value(f, identity) for f in content["form_fields"] if not f["situation"]
            },
            "materials": [
                {"name": m["name"], "how": "shared"}
                for m in content["materials"]
                if m["shared"] and not m["situation"] and licence_type_for_material(m["licence_type"]) is None
            ],
            "outcome": "submit",
        }
        bodies.append((account.person.phone, json.dumps(body, ensure_ascii=False)))
    connections.close_all()
    name = chosen[0][1]["name"]
    return bodies, f"{name}（{len(chosen)} 个地区的实施清单）"


# --- the server and a real login ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
            if request(port, "GET", "/accounts/login/")[0] == 200:
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


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        return res.status, res.getheaders(), res.read()
    finally:
        conn.close()


def _cookies(headers, jar: dict[str, str]) -> None:
    for name, value in headers:
        if name.lower() == "set-cookie":
            for key, morsel in SimpleCookie(value).items():
                jar[key] = morsel.value


def login(port: int, mobile: str, password: str) -> dict[str, str]:
    """A browser's login: the form (CSRF cookie and token), then the POST; returns the cookies."""
    jar: dict[str, str] = {}
    status, headers, page = request(port, "GET", "/accounts/login/")
    _cookies(headers, jar)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or token is None or "csrftoken" not in jar:
        raise SystemExit(f"the login page answered {status} without a CSRF token")
    form = urllib.parse.urlencode(
        {"username": mobile, "password": password, "csrfmiddlewaretoken": token.group(1).decode()}
    ).encode()
    status, headers, page = request(
        port,
        "POST",
        "/accounts/login/",
        form,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={jar['csrftoken']}",
            "Referer": f"http://127.0.0.1:{port}/accounts/login/",
        },
    )
    _cookies(headers, jar)
    if status != 302 or "sessionid" not in jar:
        raise SystemExit(f"logging in {mobile} answered {status}: {page[:300].decode(errors='replace')}")
    return jar


def api_headers(port: int, jar: dict[str, str], key: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        "X-CSRFToken": jar["csrftoken"],
        "Referer": f"http://127.0.0.1:{port}/",
        "Idempotency-Key": key,
    }


def probe(port: int, jar: dict[str, str], body: str) -> str:
    """One case and its retry: 201 then 200 with the same number, or what the server said."""
    key = "probe-" + secrets.token_hex(8)
    answers = []
    for _ in range(2):
        status, _, payload = request(
            port, "POST", "/api/v1/cases/", body.encode(), api_headers(port, jar, key)
        )
        try:
            number = json.loads(payload).get("number")
        except (ValueError, AttributeError):
            number = None
        answers.append((status, number, payload[:300].decode(errors="replace")))
    (s1, n1, p1), (s2, n2, _) = answers
    if s1 == 201 and s2 == 200 and n1 and n1 == n2:
        return f"探测：201 创建 {n1}，同一 Idempotency-Key 重发 200 返回同一办件"
    return f"探测异常：首次 {s1}（{p1}），重发 {s2}"


# --- load ---------------------------------------------------------------------------------------


def wrk(
    port: int, connections: int, seconds: int, *, path: str = "/", script: list[str] | None = None
) -> str:
    """wrk's report; ``script`` is the Lua file and its arguments."""
    exe = shutil.which("wrk") or "/usr/bin/wrk"
    if not Path(exe).exists():
        raise SystemExit("wrk not found: install it (Debian: apt-get install wrk)")
    cmd = [exe, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        cmd += ["-s", script[0], f"http://127.0.0.1:{port}{path}", "--", *script[1:]]
    else:
        cmd.append(f"http://127.0.0.1:{port}{path}")
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def reference(port: int, connections: int, seconds: int, path: str) -> dict[str, float]:
    out = wrk(port, connections, seconds, path=path)

    def ms(label: str) -> float:
        m = re.search(rf"^\s*{label}%\s+([0-9.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")

    rps = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50": ms("50"),
        "p99": ms("99"),
        "errors": (int(bad.group(1)) if bad else 0) + (sum(map(int, sock.groups())) if sock else 0),
    }


def pgbench(url: str, clients: int, threads: int, seconds: int) -> float:
    """pgbench on the same server, in a scratch database dropped afterwards."""
    import psycopg

    exe = shutil.which("pgbench")
    if exe is None:
        raise SystemExit("pgbench not found: install PostgreSQL's client tools (Debian: postgresql-client)")
    parts = urlsplit(url)
    scratch = database_name(url) + "_pgbench"
    env = {
        **os.environ,
        "PGHOST": parts.hostname or "127.0.0.1",
        "PGPORT": str(parts.port or 5432),
        "PGUSER": parts.username or "postgres",
    }
    if parts.password:
        env["PGPASSWORD"] = parts.password
    with psycopg.connect(admin_url(url), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{scratch}"')
    try:
        subprocess.run([exe, "-q", "-i", scratch], env=env, check=True, capture_output=True)
        out = subprocess.run(
            [exe, "-c", str(clients), "-j", str(threads), "-T", str(seconds), scratch],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        with psycopg.connect(admin_url(url), autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out) or re.search(
        r"tps = ([0-9.]+)", out
    )
    return float(match.group(1))


def static_path() -> str:
    """A hashed static file from collectstatic's manifest (served by WhiteNoise)."""
    manifest = json.loads((ROOT / "staticfiles" / "staticfiles.json").read_text(encoding="utf-8"))
    paths = manifest["paths"]
    name = next((n for n in sorted(paths) if n.endswith(".css")), next(iter(sorted(paths))))
    return "/static/" + paths[name]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--database-url", default=None, help=f"PostgreSQL database to use (default: a fresh {DEFAULT_URL})"
    )
    p.add_argument("--seconds", type=int, default=30)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--reference-seconds", type=int, default=10)
    p.add_argument("--pgbench-seconds", type=int, default=30)
    p.add_argument("--keep", action="store_true", help="keep the default database after the run")
    args = p.parse_args()
    url = args.database_url or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("case_api measures PostgreSQL: give --database-url postgres://…")
    rerun = " ".join(shlex.quote(a) for a in [".venv/bin/python", "bench/case_api.py", *sys.argv[1:]])

    workdir = Path(tempfile.mkdtemp(prefix="banhao-case-api-"))
    log = (workdir / "server.log").open("w", encoding="utf-8")
    env = server_env(url)
    password = os.environ.get("BANHAO_DEMO_PASSWORD", "Banhao@2026")
    fresh = args.database_url is None
    prepare_database(url, fresh=fresh)
    server = None
    try:
        t = time.perf_counter()
        manage(env, "migrate", "--noinput", log=log)
        manage(env, "load_demo", log=log)
        manage(env, "collectstatic", "--noinput", log=log)
        say(f"数据库 {database_name(url)}：迁移并载入演示城市，{time.perf_counter() - t:.1f} s")
        bodies, item = build_bodies(env, password)
        say(f"事项：{item}；办事人：{len(bodies)} 个个人办事账户")

        port = free_port()
        server = start_granian(env, port, log)
        say(f"granian：2 个进程，config.settings.prod（DEBUG 关闭），http://127.0.0.1:{port}/")
        sessions = []
        for mobile, body in bodies:
            jar = login(port, mobile, password)
            sessions.append((jar, body))
        say(f"登录：{len(sessions)} 个办事人经 /accounts/login/ 真实登录（会话 + CSRF）")
        say(probe(port, sessions[0][0], sessions[0][1]))

        session_file = workdir / "sessions.tsv"
        session_file.write_text(
            "".join(
                "; ".join(f"{k}={v}" for k, v in jar.items()) + "\t" + jar["csrftoken"] + "\t" + body + "\n"
                for jar, body in sessions
            ),
            encoding="utf-8",
        )
        refs = {}
        for label, path in (
            ("/healthz/（最简 Django 视图）", "/healthz/"),
            ("静态文件（WhiteNoise）", static_path()),
            ("登录页（模板渲染的 Django 视图）", "/accounts/login/"),
        ):
            refs[label] = reference(port, args.connections, args.reference_seconds, path)

        load_before = os.getloadavg()[0]
        start = time.time()
        out = wrk(
            port,
            args.connections,
            args.seconds,
            script=[str(LUA), str(session_file), f"http://127.0.0.1:{port}/"],
        )
        end = time.time()
        load_after = os.getloadavg()[0]
        stop(server)
        server = None

        line = re.search(r"^CASE_API (.*)$", out, re.M)
        if line is None:
            raise SystemExit("wrk gave no summary:\n" + out)
        w = {k: int(v) for k, v in (kv.split("=") for kv in line.group(1).split())}
        first_other = re.search(r"^CASE_API_FIRST_OTHER ?(.*)$", out, re.M).group(1)
        seconds = w["duration_us"] / 1e6
        rows = counted(url, start, end)
        created = rows["cases"]
        created_per_s = created / (end - start)
        errors = w["other"] + w["connect"] + w["read"] + w["write"] + w["timeout"]
        p50, p99 = w["p50_us"] / 1000, w["p99_us"] / 1000

        tps = pgbench(url, 16, 2, args.pgbench_seconds)
    finally:
        if server is not None:
            stop(server)
        log.close()
        (workdir / "sessions.tsv").unlink(missing_ok=True)
        if fresh and not args.keep:
            drop_database(url)

    say("")
    for label, r in refs.items():
        say(
            f"参照 {label}：{r['rps']:.0f} 次/秒，p50 {r['p50']:.2f} ms，p99 {r['p99']:.2f} ms，错误 {r['errors']}"
        )
    say(
        f"POST /api/v1/cases/：{args.connections} 个连接 {seconds:.1f} s，{w['requests']} 个请求"
        f"（{w['requests'] / seconds:.1f} 次/秒）：201 {w['created']}，200（重复键）{w['replayed']}，其他 {w['other']}；"
        f"套接字错误 connect {w['connect']} read {w['read']} write {w['write']} timeout {w['timeout']}"
    )
    if first_other:
        say(f"  第一个非 2xx 答复：{first_other}")
    say(
        f"  延迟 p50 {p50:.1f} ms，p90 {w['p90_us'] / 1000:.1f} ms，p99 {p99:.1f} ms，最大 {w['max_us'] / 1000:.1f} ms"
    )
    per_case = (
        f"每件 {rows['events'] / created:.2f} 条办件事件（办件的留痕）、{rows['messages'] / created:.2f} 条消息（站内消息与短信，发件箱）；"
        f"同期审计表（core）{rows['audit']} 行"
        if created
        else "无"
    )
    say(f"数据库：压测的 {end - start:.1f} s 内提交办件 {created} 件 = {created_per_s:.1f} 件/秒；{per_case}")
    say(f"机器负载（1 分钟平均，2 核）：压测前 {load_before:.1f}，压测后 {load_after:.1f}")
    say(f"pgbench（同一服务器，-c 16 -j 2 -T {args.pgbench_seconds}）：{tps:.0f} tps")
    ratio = created_per_s / tps * 100 if tps else 0.0
    oz = OPEN_ZAAK[0] / OPEN_ZAAK[1] * 100
    say(
        f"比例：{ratio:.2f}% of pgbench（目标 ≥ 6%；Open Zaak 1.30：{OPEN_ZAAK[0]}/{OPEN_ZAAK[1]} = {oz:.1f}%）"
    )
    say(f"服务器日志：{workdir / 'server.log'}")
    say(f"重跑：{rerun}")
    say(
        f"created_per_s={created_per_s:.1f} p50_ms={p50:.1f} p99_ms={p99:.1f} errors={errors} pgbench_tps={tps:.0f}"
    )


if __name__ == "__main__":
    main()
