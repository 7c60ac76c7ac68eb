"""The test suite: SQLite unless DATABASE_URL names another database (CI also runs PostgreSQL)."""

from .base import *
from .base import DATABASES

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; tests
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = True
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["TEST"] = {"NAME": None}
BANHAO_SMS_BACKEND = "banhao.accounts.sms.MemoryBackend"  # messages land in banhao.accounts.sms.outbox
BANHAO_HALL_ALWAYS_OPEN = True  # the suite runs at any hour; the hours rule is tested with it off
BANHAO_IDENTITY_BACKEND = "banhao.accounts.identity.DevelopmentBackend"  # the default is tested explicitly
