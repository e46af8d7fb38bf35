"""Test run. Uses DATABASE_URL / REDIS_URL when set (CI: PostgreSQL and Redis), else SQLite."""

from .base import *  # noqa: F403

DEBUG = False
ICONS_STRICT = True  # an icon the sprite lacks fails the test that renders it
SECRET_KEY = "test-only-secret-key"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Tasks run in-process unless a test starts a real worker against the broker on purpose.
# (A test that starts a real worker runs it with CELERY_TASK_ALWAYS_EAGER=false.)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)  # noqa: F405
# Serve static files straight from the app folders; collectstatic is for production.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Most tests sign staff in without a second factor; tests/security turns it on.
STAFF_TWO_FACTOR = False
# Tests sign in often from one address; the throttle itself is tested with a low rate.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "10000/minute"}}  # noqa: F405
# Parallel test workers share one Redis in CI: each keeps its own keys.
if REDIS_URL:  # noqa: F405
    import os

    CACHES["default"]["KEY_PREFIX"] = "stp-test-" + os.environ.get(  # noqa: F405
        "PYTEST_XDIST_WORKER", "main"
    )
