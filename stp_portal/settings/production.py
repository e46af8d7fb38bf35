"""Production (docker compose): PostgreSQL, Redis, a real worker. Refuses unsafe defaults."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import REDIS_URL, SECRET_KEY, env

DEBUG = False
if (
    SECRET_KEY.startswith(("insecure-", "django-insecure-"))
    or len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a long random value in production "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

# No silent fallback to a SQLite file inside the container.
if "DATABASE_URL" not in env.ENVIRON:
    raise ImproperlyConfigured("DATABASE_URL must be set in production (PostgreSQL).")
# Sign-in lock-outs and rate limits are counted in the cache: one Redis for every worker,
# never a per-process memory that each gunicorn worker would count on its own.
if not REDIS_URL:
    raise ImproperlyConfigured(
        "REDIS_URL must be set in production: workers share sign-in and rate-limit counts there."
    )

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# One year, every subdomain, and eligible for the browsers' preload list: the portal is
# HTTPS-only for good (stp.pseb.org.pk has no plain-HTTP subdomain to keep).
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# The container health check calls /health/ over plain HTTP from inside the container.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
