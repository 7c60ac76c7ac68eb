"""Production: refuses to start without a real secret key and a real database."""

from django.core.exceptions import ImproperlyConfigured

from .base import *
from .base import BANHAO_IDENTITY_BACKEND, BANHAO_SMS_BACKEND, DATABASES, env

DEBUG = False
SECRET_KEY = env("BANHAO_SECRET_KEY", default="")
if len(SECRET_KEY) < 40 or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("生产环境必须通过 BANHAO_SECRET_KEY 提供至少 40 个字符的密钥。")
if "DATABASE_URL" not in env.ENVIRON:
    raise ImproperlyConfigured("生产环境必须通过 DATABASE_URL 指定数据库（PostgreSQL）。")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql" and not env.bool(
    "BANHAO_ALLOW_SQLITE_IN_PRODUCTION", default=False
):
    raise ImproperlyConfigured(
        "生产环境应使用 PostgreSQL；确需 SQLite 请显式设置 BANHAO_ALLOW_SQLITE_IN_PRODUCTION=true。"
    )

if BANHAO_SMS_BACKEND.endswith(
    (".ConsoleBackend", ".MemoryBackend", ".GatewaySimulatorBackend")
) and not env.bool("BANHAO_ALLOW_CONSOLE_SMS", default=False):
    # The console backend writes verification codes to the log: never in production by accident.
    raise ImproperlyConfigured("生产环境必须通过 BANHAO_SMS_BACKEND 配置真实的短信网关。")

if BANHAO_IDENTITY_BACKEND.endswith(".DevelopmentBackend"):
    # It lets anyone register a person the registry does not know without a real-name check.
    raise ImproperlyConfigured("生产环境不能使用开发用的实名核验后端（BANHAO_IDENTITY_BACKEND）。")

SESSION_COOKIE_SECURE = env.bool("BANHAO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("BANHAO_HSTS_SECONDS", default=31536000)
SECURE_SSL_REDIRECT = env.bool("BANHAO_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
