"""Settings come from the environment; production refuses unsafe defaults.

Each case starts a fresh interpreter, since settings are read once at start-up.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = secrets.token_urlsafe(50)
PG = "postgres://stp:secret@db.example:5432/stp_portal"
REDIS = "redis://redis.example:6379/0"
# Variables of this test process that must not leak into the interpreter under test.
SCRUBBED = (
    "SECRET_KEY",
    "DEBUG",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)
PRINT_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)"
)


def _run(args: list[str], module: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    return subprocess.run(  # noqa: S603 - our own interpreter with fixed arguments
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": module, "ENV_FILE": "/nonexistent/.env", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_periods_are_asia_karachi_and_timestamps_are_aware():
    assert settings.TIME_ZONE == "Asia/Karachi"
    assert settings.USE_TZ is True


@pytest.mark.parametrize(
    "key", ["", "insecure-dev-key-change-me", "short-key", "a" * 60, "django-insecure-" + "x" * 50]
)
def test_production_refuses_to_start_with_a_default_or_weak_secret_key(key):
    result = _run(
        ["-c", PRINT_SETTINGS], "stp_portal.settings.production", SECRET_KEY=key, DATABASE_URL=PG
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_starts_with_a_strong_key_and_debug_off():
    result = _run(
        ["-c", PRINT_SETTINGS],
        "stp_portal.settings.production",
        SECRET_KEY=STRONG_KEY,
        DATABASE_URL=PG,
        REDIS_URL=REDIS,
        DEBUG="true",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "False"


def test_embedded_default_is_sqlite_with_tasks_in_process():
    result = _run(["-c", PRINT_SETTINGS], "stp_portal.settings.local")
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3", "True"], result.stderr


def test_database_and_redis_urls_switch_to_postgresql_and_a_real_broker():
    result = _run(
        ["-c", PRINT_SETTINGS],
        "stp_portal.settings.local",
        DATABASE_URL="postgres://u:p@db.example:5432/stp",
        REDIS_URL="redis://r.example:6379/0",
    )
    assert result.stdout.split() == ["True", "django.db.backends.postgresql", "False"], (
        result.stderr
    )


def test_production_passes_djangos_deployment_checks_with_nothing_silenced():
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        "stp_portal.settings.production",
        SECRET_KEY=STRONG_KEY,
        DATABASE_URL=PG,
        REDIS_URL=REDIS,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_sends_a_year_of_hsts_for_every_subdomain():
    result = _run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)",
        ],
        "stp_portal.settings.production",
        SECRET_KEY=STRONG_KEY,
        DATABASE_URL=PG,
        REDIS_URL=REDIS,
    )
    assert result.stdout.split() == ["31536000", "True", "True"], result.stderr


def test_production_refuses_to_start_without_redis_for_shared_sign_in_counts():
    result = _run(
        ["-c", PRINT_SETTINGS],
        "stp_portal.settings.production",
        SECRET_KEY=STRONG_KEY,
        DATABASE_URL=PG,
    )
    assert result.returncode != 0
    assert "REDIS_URL must be set" in result.stderr


def test_production_refuses_to_start_without_a_database_url():
    result = _run(["-c", PRINT_SETTINGS], "stp_portal.settings.production", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "DATABASE_URL must be set" in result.stderr


def test_an_empty_broker_url_falls_back_to_redis_url():
    result = _run(
        [
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER)",
        ],
        "stp_portal.settings.local",
        REDIS_URL="redis://r.example:6379/0",
        CELERY_BROKER_URL="",
    )
    assert result.stdout.split() == ["redis://r.example:6379/0", "False"], result.stderr


def test_empty_values_copied_from_env_example_keep_the_embedded_defaults():
    result = _run(
        ["-c", PRINT_SETTINGS],
        "stp_portal.settings.local",
        DATABASE_URL="",
        MEDIA_ROOT="",
        STATIC_ROOT="",
    )
    assert result.stdout.split() == ["True", "django.db.backends.sqlite3", "True"], result.stderr
