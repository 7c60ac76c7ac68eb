"""Local development (`make dev`): SQLite by default, debug on (`make demo` uses config.settings.demo)."""

from .base import *
from .base import env

DEBUG = env.bool("BANHAO_DEBUG", default=True)
# No collectstatic needed while developing: WhiteNoise serves straight from the finders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# The demo hall takes tickets at any hour, so `make demo` works in the evening too.
BANHAO_HALL_ALWAYS_OPEN = env.bool("BANHAO_HALL_ALWAYS_OPEN", default=True)
# New persons (nobody in the registry to impersonate) register without a verification service.
BANHAO_IDENTITY_BACKEND = env(
    "BANHAO_IDENTITY_BACKEND", default="banhao.accounts.identity.DevelopmentBackend"
)
BANHAO_LICENCE_KEYS_AUTOCREATE = env.bool("BANHAO_LICENCE_KEYS_AUTOCREATE", default=True)
