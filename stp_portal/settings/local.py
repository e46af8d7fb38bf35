"""Developer machine: the embedded default (SQLite, tasks in-process, console e-mail)."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
ICONS_STRICT = DEBUG
# runserver serves static files itself; no manifest needed before collectstatic.
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Serve static files straight from the app folders; collectstatic is for production.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The demo signs in with its printed logins alone; production asks staff for a TOTP code.
STAFF_TWO_FACTOR = env.bool("STAFF_TWO_FACTOR", default=False)
