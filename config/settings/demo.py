"""`make demo`: the demo city served as a deployment would serve it, on SQLite.

DEBUG is off, so a wrong address gets the platform's own Chinese 404 page (never Django's
technical page listing every URL) and an error the Chinese 500 page (never a traceback with
the environment). Static files are served by WhiteNoise straight from the finders, so no
collectstatic step is needed. What stays of development: the console SMS backend (codes in
the server log), the development identity backend (a new person registers without a real-name
service) and tickets at any hour. `make dev` (config.settings.dev) keeps DEBUG on.
"""

import warnings

from .base import *
from .base import env

DEBUG = False
WHITENOISE_USE_FINDERS = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# WhiteNoise warns that STATIC_ROOT does not exist: it is not used here (the finders serve).
warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
BANHAO_HALL_ALWAYS_OPEN = env.bool("BANHAO_HALL_ALWAYS_OPEN", default=True)
BANHAO_IDENTITY_BACKEND = env(
    "BANHAO_IDENTITY_BACKEND", default="banhao.accounts.identity.DevelopmentBackend"
)

# A department without a signing key gets one on its first licence (the demo's key file lives in
# var/); production sets BANHAO_LICENCE_KEYS or a key file and leaves this off.
BANHAO_LICENCE_KEYS_AUTOCREATE = env.bool("BANHAO_LICENCE_KEYS_AUTOCREATE", default=True)
