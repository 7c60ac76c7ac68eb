"""Settings shared by every environment.

Every value that differs between deployments comes from an environment variable; each
one is listed with its default in `.env.example`. A `.env` file at the repository root is
read when present (never committed).
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("BANHAO_SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("BANHAO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("BANHAO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("BANHAO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Redoc and Swagger UI as static files (the CSP forbids CDNs)
    "csp",
    "django_tasks",
    "django_tasks_db",
    "banhao.core",
    "banhao.accounts",
    "banhao.org",
    "banhao.registry",
    "banhao.catalog",
    "banhao.cases",
    "banhao.licences",
    "banhao.notify",
    "banhao.hall",
    "banhao.evaluation",
    "banhao.assessment",
    "banhao.projects",
    "banhao.portal",
    "banhao.background",
    "banhao.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "banhao.core.middleware.RequestIdMiddleware",
    "banhao.accounts.middleware.ApiCallLogMiddleware",  # one row per bearer-token API call
    "django.contrib.sessions.middleware.SessionMiddleware",
    "banhao.core.middleware.SessionActivityMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "banhao.core.middleware.ElderModeMiddleware",
    "banhao.core.middleware.OutOfRangeIdMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "banhao" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "banhao.core.context_processors.site",
            ],
        },
    },
]

# --- database --------------------------------------------------------------------------
# SQLite is the embedded default; PostgreSQL (>= 15) is the production database.
(BASE_DIR / "var").mkdir(exist_ok=True)  # the SQLite file and uploads of a local run
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'banhao.sqlite3'}"),
}
# Persistent connections: reconnecting per request costs ~10x on PostgreSQL.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("BANHAO_DB_CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE avoids lock upgrades failing.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- the shared cache (decision 0016) ---------------------------------------------------
# Several app servers share throttles, lock-outs, rate limits and cached sessions through one
# cache, never a process's memory: Redis when BANHAO_REDIS_URL is set (redis://host:6379/0),
# else the database (table banhao_cache, made by `migrate`: banhao/core/migrations/0006).
BANHAO_REDIS_URL = env("BANHAO_REDIS_URL", default="")
if BANHAO_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": BANHAO_REDIS_URL,
            "KEY_PREFIX": env("BANHAO_CACHE_KEY_PREFIX", default="banhao"),
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "banhao_cache",
            "KEY_PREFIX": env("BANHAO_CACHE_KEY_PREFIX", default="banhao"),
            "OPTIONS": {"MAX_ENTRIES": env.int("BANHAO_CACHE_MAX_ENTRIES", default=50000)},
        },
    }

# --- accounts and security -------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:workbench"
LOGOUT_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "banhao.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("BANHAO_PASSWORD_MIN_LENGTH", default=10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "banhao.accounts.passwords.CharacterClassValidator"},
]
# Lock-out after repeated failures (per account, and per client address).
BANHAO_LOGIN_MAX_FAILURES = env.int("BANHAO_LOGIN_MAX_FAILURES", default=5)
BANHAO_LOGIN_MAX_FAILURES_PER_IP = env.int("BANHAO_LOGIN_MAX_FAILURES_PER_IP", default=30)
BANHAO_LOGIN_LOCK_MINUTES = env.int("BANHAO_LOGIN_LOCK_MINUTES", default=15)
# SMS: a dotted path to a class with send(phone, text); the console backend logs messages
# (development). Verification codes: lifetime, wrong tries per code, resend cool-down, caps.
# Lift the hall's opening-hours rule for taking tickets (tests; demos outside office hours).
BANHAO_HALL_ALWAYS_OPEN = env.bool("BANHAO_HALL_ALWAYS_OPEN", default=False)
# The hall screen and window screens poll this often (milliseconds); a call shows within 2 s.
BANHAO_SCREEN_POLL_MS = env.int("BANHAO_SCREEN_POLL_MS", default=1000)
# Kiosks and the self-service area clear the screen after this many idle seconds.
BANHAO_KIOSK_IDLE_SECONDS = env.int("BANHAO_KIOSK_IDLE_SECONDS", default=90)
BANHAO_SMS_BACKEND = env("BANHAO_SMS_BACKEND", default="banhao.accounts.sms.ConsoleBackend")
# Real-name verification of online registrations (banhao/accounts/identity.py): the registry's
# phone must match, or the service (a class with confirms(claim) -> bool) must say yes.
BANHAO_IDENTITY_BACKEND = env("BANHAO_IDENTITY_BACKEND", default="banhao.accounts.identity.RegistryBackend")
BANHAO_IDENTITY_SERVICE = env("BANHAO_IDENTITY_SERVICE", default="")
BANHAO_SMS_SIGNATURE = env("BANHAO_SMS_SIGNATURE", default="")  # 短信签名; empty: the site's short name
BANHAO_SMS_CODE_TTL_MINUTES = env.int("BANHAO_SMS_CODE_TTL_MINUTES", default=5)
BANHAO_SMS_CODE_MAX_ATTEMPTS = env.int("BANHAO_SMS_CODE_MAX_ATTEMPTS", default=5)
BANHAO_SMS_RESEND_SECONDS = env.int("BANHAO_SMS_RESEND_SECONDS", default=60)
BANHAO_SMS_MAX_PER_PHONE_PER_HOUR = env.int("BANHAO_SMS_MAX_PER_PHONE_PER_HOUR", default=5)
BANHAO_SMS_MAX_PER_IP_PER_HOUR = env.int("BANHAO_SMS_MAX_PER_IP_PER_HOUR", default=20)
# Sessions end after this much inactivity. The session is not written on every request:
# banhao.core.middleware.SessionActivityMiddleware re-saves it (renewing its expiry) when its
# last-seen stamp is older than BANHAO_SESSION_REFRESH_SECONDS, so the idle timeout is exact to
# that much (decision 0016).
SESSION_COOKIE_AGE = env.int("BANHAO_SESSION_IDLE_MINUTES", default=30) * 60
BANHAO_SESSION_REFRESH_SECONDS = env.int("BANHAO_SESSION_REFRESH_SECONDS", default=60)
# Sessions are read from the shared cache, with the database behind it (no process holds one).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "banhao.core.views.csrf_failure"  # Chinese, and JSON under /api/
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# --- language and time -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = env("BANHAO_TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- static files ----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "banhao" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = env.path("BANHAO_MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Uploaded files go through Django's storage API only (never a path on disk), so several app
# servers can share them: local disk under MEDIA_ROOT by default (one shared volume), or
# S3-compatible object storage with BANHAO_STORAGE=s3 (needs `pip install -e ".[s3]"`,
# django-storages; decision 0016). Files are streamed through the app, never linked directly.
BANHAO_STORAGE = env("BANHAO_STORAGE", default="local").lower()
if BANHAO_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("BANHAO_S3_BUCKET"),
            "endpoint_url": env("BANHAO_S3_ENDPOINT_URL", default=None),  # MinIO, Ceph, OSS, COS ...
            "region_name": env("BANHAO_S3_REGION", default=None),
            "access_key": env("BANHAO_S3_ACCESS_KEY", default=None),  # else the usual AWS_* sources
            "secret_key": env("BANHAO_S3_SECRET_KEY", default=None),
            "location": env("BANHAO_S3_PREFIX", default=""),
            "default_acl": None,  # private objects: the bucket's policy decides
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif BANHAO_STORAGE != "local":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"BANHAO_STORAGE must be 'local' or 's3', not {BANHAO_STORAGE!r}.")

# --- API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Other systems: a bearer token (banhao/accounts/rest.py; scopes, rate limit, call log).
    # Browsers and applicants: session login with CSRF, refusing in Chinese
    # (banhao/core/rest/authentication.py).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "banhao.accounts.rest.ApiClientAuthentication",
        "banhao.core.rest.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "banhao 办好 API",
    "DESCRIPTION": "一体化政务服务平台接口",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # several "status" fields: each choice set keeps a stable name
    "ENUM_NAME_OVERRIDES": {
        "StatusEnum": "banhao.cases.models.Status",
        "HotlineTicketKindEnum": "banhao.evaluation.models_hotline.TicketKind",
        "CaseChannelEnum": "banhao.cases.models.CaseChannel",
        "SpecialProcedureKindEnum": "banhao.cases.models.PauseKind",
        "LicenceVerifyStatusEnum": ["valid", "suspended", "revoked", "expired", "unknown", "tampered"],
    },
}

# --- the deploying government (footer and meta tags; never hard-coded in templates) ----
BANHAO_SITE = {
    "name": env("BANHAO_SITE_NAME", default="临沂市政务服务网（演示）"),
    "short_name": env("BANHAO_SITE_SHORT_NAME", default="办好"),
    "domain": env("BANHAO_SITE_DOMAIN", default="127.0.0.1"),
    "id_code": env("BANHAO_SITE_ID_CODE", default=""),
    "sponsor": env("BANHAO_SITE_SPONSOR", default="（演示）市行政审批服务局"),
    "operator": env("BANHAO_SITE_OPERATOR", default="（演示）市政务服务中心"),
    "address": env("BANHAO_SITE_ADDRESS", default="（演示地址）"),
    "phone": env("BANHAO_SITE_PHONE", default="12345"),
    "icp": env("BANHAO_SITE_ICP", default=""),
    "police_record": env("BANHAO_SITE_POLICE_RECORD", default=""),
    "error_report_url": env("BANHAO_SITE_ERROR_REPORT_URL", default=""),
}

# Absolute address of the site, for links in documents and SMS made outside a request
# (empty: https://<BANHAO_SITE_DOMAIN>).
BANHAO_SITE_URL = env("BANHAO_SITE_URL", default="")
# Public case status lookup: failed lookups allowed per client address per hour.
BANHAO_LOOKUP_MAX_FAILURES_PER_HOUR = env.int("BANHAO_LOOKUP_MAX_FAILURES_PER_HOUR", default=10)
# ... and per case number, from any address (many addresses guessing one case's phone).
BANHAO_LOOKUP_MAX_FAILURES_PER_NUMBER_PER_HOUR = env.int(
    "BANHAO_LOOKUP_MAX_FAILURES_PER_NUMBER_PER_HOUR", default=10
)
# Addresses or networks (the hall's kiosks, a NAT in front of them) exempt from the
# per-address limit; the per-number limit still applies to them.
BANHAO_LOOKUP_TRUSTED_ADDRESSES = env.list("BANHAO_LOOKUP_TRUSTED_ADDRESSES", default=[])
# Public licence verification (/licences/verify/ and its API): verifications allowed per client
# address per minute, and the addresses exempt from it (by default the lookup's trusted ones).
BANHAO_LICENCE_VERIFY_PER_MINUTE = env.int("BANHAO_LICENCE_VERIFY_PER_MINUTE", default=60)
BANHAO_LICENCE_VERIFY_TRUSTED_ADDRESSES = env.list(
    "BANHAO_LICENCE_VERIFY_TRUSTED_ADDRESSES", default=BANHAO_LOOKUP_TRUSTED_ADDRESSES
)
# Yellow warning when at most this share of the promised limit is left.
BANHAO_WARNING_FRACTION = env.float("BANHAO_WARNING_FRACTION", default=0.2)

# --- electronic licences: signing keys (decision 0018) -----------------------------------
# Keys per issuing department, as JSON {"keys": [...]} (banhao/licences/keys.py). The JSON text
# in BANHAO_LICENCE_KEYS, when set, is the whole keyring and the key file is not read; else the
# key file (mode 0600, written by `manage.py licence_keys`). New licences are signed with
# BANHAO_LICENCE_ALGORITHM ("sm2" or "ed25519"); old licences verify with their own key id.
BANHAO_LICENCE_KEYS = env("BANHAO_LICENCE_KEYS", default="")
BANHAO_LICENCE_KEY_FILE = env.path("BANHAO_LICENCE_KEY_FILE", default=BASE_DIR / "var" / "licence-keys.json")
BANHAO_LICENCE_ALGORITHM = env("BANHAO_LICENCE_ALGORITHM", default="sm2").lower()
# How many days a watermarked copy (加注件) of a licence stays valid ("本加注件有效期至").
BANHAO_LICENCE_COPY_DAYS = env.int("BANHAO_LICENCE_COPY_DAYS", default=30)

# --- evaluation (好差评) ---------------------------------------------------------------------
# A case nobody rated this many working days after delivery gets the default level (满意 = 4 on
# the internal scale, 5 = 非常满意), marked as default and counted separately.
BANHAO_RATING_DEFAULT_DAYS = env.int("BANHAO_RATING_DEFAULT_DAYS", default=5)
BANHAO_RATING_DEFAULT_LEVEL = env.int("BANHAO_RATING_DEFAULT_LEVEL", default=4)
# How long the SMS / QR rating link of a case works (days); it stops once the case is rated.
BANHAO_RATING_TOKEN_DAYS = env.int("BANHAO_RATING_TOKEN_DAYS", default=30)
# POST /api/v1/ratings/: per account (session) or per address (token), DRF rate syntax.
BANHAO_RATING_API_RATE = env("BANHAO_RATING_API_RATE", default="30/min")
# The month export's formats: name -> dotted path of an exporter class (docs/ratings.md); a
# province adds its own. national and gbt39046 are always there.
BANHAO_RATING_EXPORTERS: dict[str, str] = {}
# The push of a month's ratings to the provincial platform (manage.py evaluation_export --push):
# no url, no push.
BANHAO_RATING_PUSH = {
    "url": env("BANHAO_RATING_PUSH_URL", default=""),
    "token": env("BANHAO_RATING_PUSH_TOKEN", default=""),
    "format": env("BANHAO_RATING_PUSH_FORMAT", default="national"),
    "timeout": env.float("BANHAO_RATING_PUSH_TIMEOUT", default=15),
}
# Working days a bad rating's rectification has (差评整改): simple cases, complex cases.
BANHAO_RECTIFICATION_DAYS = {
    "simple": env.int("BANHAO_RECTIFICATION_DAYS_SIMPLE", default=5),
    "complex": env.int("BANHAO_RECTIFICATION_DAYS_COMPLEX", default=15),
}
# 差评整改 (docs/rectification.md): the unit is reminded once when the deadline is this many
# working days away or fewer; failed callback calls after which the callback may be completed
# as 无法联系; working days the rater has to re-rate after the feedback before it closes.
BANHAO_RECTIFICATION_REMIND_DAYS = env.int("BANHAO_RECTIFICATION_REMIND_DAYS", default=2)
BANHAO_RECTIFICATION_CALLBACK_TRIES = env.int("BANHAO_RECTIFICATION_CALLBACK_TRIES", default=3)
BANHAO_RECTIFICATION_RERATE_DAYS = env.int("BANHAO_RECTIFICATION_RERATE_DAYS", default=5)
# Appeal (申诉) evidence: bytes per file, files per appeal.
BANHAO_APPEAL_EVIDENCE_MAX_BYTES = env.int("BANHAO_APPEAL_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
BANHAO_APPEAL_EVIDENCE_MAX_FILES = env.int("BANHAO_APPEAL_EVIDENCE_MAX_FILES", default=5)

# --- 12345 hotline (回访, 工单; docs/hotline.md) ----------------------------------------------
# Share of each department's and item's finished cases called back the next working day (every
# case with a bad rating is called as well); per-department overrides by name or id.
BANHAO_CALLBACK_RATE = env.float("BANHAO_CALLBACK_RATE", default=0.1)
BANHAO_CALLBACK_DEPARTMENT_RATES: dict[str, float] = {}
BANHAO_CALLBACK_DAYS = env.int("BANHAO_CALLBACK_DAYS", default=1)  # due after the case finished
BANHAO_CALLBACK_MAX_TRIES = env.int("BANHAO_CALLBACK_MAX_TRIES", default=3)  # then 无法联系
BANHAO_CALLBACK_REHANDLE_DAYS = env.int("BANHAO_CALLBACK_REHANDLE_DAYS", default=5)  # 重办时限
# Working days a 12345 ticket has, counted from the day after 12345 received it.
BANHAO_HOTLINE_LIMITS = {
    "consult": env.int("BANHAO_HOTLINE_CONSULT_DAYS", default=3),
    "help": env.int("BANHAO_HOTLINE_HELP_DAYS", default=5),
    "complaint": env.int("BANHAO_HOTLINE_COMPLAINT_DAYS", default=15),
    "suggestion": env.int("BANHAO_HOTLINE_SUGGESTION_DAYS", default=15),
}
BANHAO_HOTLINE_SIGN_DAYS = env.int("BANHAO_HOTLINE_SIGN_DAYS", default=1)  # 签收 after the dispatch
BANHAO_HOTLINE_EXTENSION_DAYS = env.int("BANHAO_HOTLINE_EXTENSION_DAYS", default=5)  # once, asked in time
BANHAO_HOTLINE_REHANDLE_DAYS = env.int("BANHAO_HOTLINE_REHANDLE_DAYS", default=5)

# --- background work (decision 0008) ----------------------------------------------------
# Tasks are rows in the database (django-tasks-db), enqueued inside the transaction of the
# change that causes them and run by `manage.py db_worker` processes (as many as needed).
TASKS = {
    "default": {
        "BACKEND": env("BANHAO_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    },
}
# The outbox (banhao.notify): an SMS is tried this many times, waiting BACKOFF x 2^(n-1) seconds
# (at most BACKOFF_MAX) after the n-th failure, then marked failed for administrators.
BANHAO_OUTBOX_MAX_ATTEMPTS = env.int("BANHAO_OUTBOX_MAX_ATTEMPTS", default=6)
BANHAO_OUTBOX_BACKOFF_SECONDS = env.float("BANHAO_OUTBOX_BACKOFF_SECONDS", default=30)
BANHAO_OUTBOX_BACKOFF_MAX_SECONDS = env.float("BANHAO_OUTBOX_BACKOFF_MAX_SECONDS", default=3600)
# A worker that claimed a message and went silent this long is presumed dead: another may send it
# (with the same message id, which the gateway de-duplicates on). Longer than a gateway timeout.
BANHAO_OUTBOX_LEASE_SECONDS = env.float("BANHAO_OUTBOX_LEASE_SECONDS", default=60)
# A task left "running" this long (its worker was killed) is made ready again by the scheduler.
# Every task is idempotent, so running one twice is harmless; keep it above the longest task.
BANHAO_TASK_STALE_SECONDS = env.float("BANHAO_TASK_STALE_SECONDS", default=300)
# `manage.py run_scheduler` wakes up this often (seconds).
BANHAO_SCHEDULER_TICK_SECONDS = env.float("BANHAO_SCHEDULER_TICK_SECONDS", default=10)
# Periodic work: a management command (or a task path) at local times, or every N seconds.
# "workdays": only on working days of the calendar. Several schedulers never enqueue a slot twice.
BANHAO_SCHEDULE = {
    "cases_sweep": {"command": "cases_sweep", "at": ["06:30"]},
    "hall_sweep": {"command": "hall_sweep", "at": ["12:05", "17:05"], "workdays": True},
    "catalog_reindex": {"command": "catalog_reindex", "at": ["02:30"]},
    "licences_sweep": {"command": "licences_sweep", "at": ["00:10"]},
    "evaluation_sweep": {"command": "evaluation_sweep", "at": ["06:40"]},
    "evaluation_invite": {"command": "evaluation_invite", "every": 300},  # SMS rating invitations
    "outbox_sweep": {"task": "banhao.notify.tasks.outbox_sweep", "every": 300},
    "tasks_prune": {"command": "prune_db_task_results", "at": ["03:30"]},  # finished tasks > 14 days
    # the closed month's scores (days 1-5 of the next month; the task skips other days)
    "assessment_compute": {
        "task": "banhao.assessment.tasks.assessment_compute_closed_month",
        "at": ["01:30"],
    },
    # 红蓝榜: reminders and escalation of the blue list's rectification tasks
    "assessment_board_sweep": {
        "task": "banhao.assessment.board_tasks.board_rectification_sweep",
        "at": ["06:50"],
    },
}

# --- 红蓝榜 (docs/boards.md) ---------------------------------------------------------------
# Red list: rank <= red_top (ties at the edge all in) or total >= red_at_least; blue list, among
# the others: the blue_bottom lowest totals (ties in) or total < blue_below. None: not applied.
# "schemes": {"<scheme name>": {same keys}} overrides per scheme. Blue windows get a task due in
# rectification_days working days; reminded remind_days before. publisher_must_differ: the
# publisher must be another hall manager than the reviewer.
BANHAO_HONOUR_BOARD = {
    "red_top": env.int("BANHAO_HONOUR_BOARD_RED_TOP", default=3),
    "red_at_least": None,
    "blue_bottom": env.int("BANHAO_HONOUR_BOARD_BLUE_BOTTOM", default=3),
    "blue_below": None,
    "schemes": {},
    "rectification_days": env.int("BANHAO_HONOUR_BOARD_RECTIFICATION_DAYS", default=10),
    "remind_days": 2,
    "publisher_must_differ": env.bool("BANHAO_HONOUR_BOARD_PUBLISHER_MUST_DIFFER", default=False),
}

# --- documents ------------------------------------------------------------------------
# Extra directories searched for the CJK fonts embedded in PDFs (besides the Noto CJK paths).
BANHAO_PDF_FONT_DIRS = env.list("BANHAO_PDF_FONT_DIRS", default=[])

# --- logging: identifiers are masked before any handler sees them --------------------
# One line per request (method, path, status, duration, request id) on the logger banhao.request.
BANHAO_LOG_REQUESTS = env.bool("BANHAO_LOG_REQUESTS", default=False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask": {"()": "banhao.core.logging.MaskIdentifiersFilter"},
        "request_id": {"()": "banhao.core.logging.RequestIdFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "banhao.core.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["mask", "request_id"],
            # BANHAO_LOG_FORMAT=json: one JSON object per line, for a log collector.
            "formatter": "json" if env("BANHAO_LOG_FORMAT", default="plain").lower() == "json" else "plain",
        },
    },
    "root": {"handlers": ["console"], "level": env("BANHAO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
    },
}

AUTHENTICATION_BACKENDS = ["banhao.accounts.backends.UsernameOrPhoneBackend"]
