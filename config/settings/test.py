"""The test suite: SQLite unless DATABASE_URL names another database (CI also runs PostgreSQL)."""

import os as _os
import tempfile as _tempfile
from pathlib import Path as _Path

from .base import *
from .base import BANHAO_REDIS_URL, CACHES, DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; tests
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = True
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["TEST"] = {"NAME": None}
BANHAO_SMS_BACKEND = "banhao.accounts.sms.MemoryBackend"  # messages land in banhao.accounts.sms.outbox
BANHAO_HALL_ALWAYS_OPEN = True  # the suite runs at any hour; the hours rule is tested with it off
BANHAO_IDENTITY_BACKEND = "banhao.accounts.identity.DevelopmentBackend"  # the default is tested explicitly

# With BANHAO_REDIS_URL (CI's PostgreSQL pass) each pytest-xdist worker takes its own Redis
# database (the URL's number plus the worker's), as each has its own test database: a test's
# cache.clear() empties only its own worker's cache.
if BANHAO_REDIS_URL:
    import os
    import re

    _worker = int((os.environ.get("PYTEST_XDIST_WORKER") or "gw0").removeprefix("gw") or 0)
    _match = re.match(r"^(.*/)(\d+)$", BANHAO_REDIS_URL)
    if _match:
        CACHES["default"]["LOCATION"] = f"{_match.group(1)}{int(_match.group(2)) + _worker}"

# Licence signing keys: a fresh key file per run and worker, keys made on first use (as in the demo).
BANHAO_LICENCE_KEYS = ""
BANHAO_LICENCE_KEY_FILE = _Path(_tempfile.gettempdir()) / (
    f"banhao-test-licence-keys-{_os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{_os.getpid()}.json"
)
BANHAO_LICENCE_KEYS_AUTOCREATE = True
