"""Several app servers share one cache (issue 10, build 2; decision 0016): the public lookup's
throttle lives in the configured default cache (the database or Redis), never in a process."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache, caches

from banhao.cases.self_service_api import _failure_key, lookup_record_failure, lookup_throttled

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)
REDIS_URL = "redis://127.0.0.1:6379/15"
SHARED = {
    "django.core.cache.backends.db.DatabaseCache",
    "django.core.cache.backends.redis.RedisCache",
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_default_cache_is_shared_between_processes():
    backend = settings.CACHES["default"]["BACKEND"]
    assert backend in SHARED, backend
    expected = "RedisCache" if settings.BANHAO_REDIS_URL else "DatabaseCache"
    assert type(caches["default"]).__name__ == expected


def test_the_lookup_throttle_writes_and_reads_through_the_default_cache():
    ip = "203.0.113.7"
    for _ in range(settings.BANHAO_LOOKUP_MAX_FAILURES_PER_HOUR):
        lookup_record_failure(ip)
    # A second client of the same cache (another server's connection) sees the count...
    other = caches.create_connection("default")
    assert len(other.get(_failure_key(ip))) == settings.BANHAO_LOOKUP_MAX_FAILURES_PER_HOUR
    assert lookup_throttled(ip)
    # ... and what it changes is what this one reads: the lock is lifted for every server.
    other.delete(_failure_key(ip))
    assert not lookup_throttled(ip)


def _redis_answers() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:
        return False


def _manage_shell(code: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_XDIST_WORKER"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", BANHAO_REDIS_URL=REDIS_URL)
    done = subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


@pytest.mark.skipif(not _redis_answers(), reason=f"Redis does not answer at {REDIS_URL}")
def test_two_server_processes_see_one_lock_out_through_redis():
    ip = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    api = "from banhao.cases.self_service_api import lookup_record_failure as r, lookup_throttled as t;"
    clear = f"from django.core.cache import cache; cache.delete_many([__import__('banhao.cases.self_service_api', fromlist=['x'])._failure_key({ip!r})]);"
    try:
        _manage_shell(clear)
        # Server A: the failures land in Redis; A itself is then locked.
        assert _manage_shell(api + f"[r({ip!r}) for _ in range(10)]; print(t({ip!r}))") == "True"
        # Server B, a separate process: the same address is locked there too.
        assert _manage_shell(api + f"print(t({ip!r}))") == "True"
        assert _manage_shell(api + "print(t('198.51.100.251'))") == "False"
    finally:
        _manage_shell(clear)
