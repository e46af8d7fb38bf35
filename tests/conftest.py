"""Role fixtures, and the rule for tests that need a browser, PostgreSQL or Redis.

Such tests are marked (``browser``, ``postgres``, ``redis``). On a machine without the thing
they need they are skipped with the reason; with ``STP_REQUIRE_SERVICES=1`` (set by .ci/run)
a missing requirement fails the test instead, so CI can never pass by skipping them.
"""

import os
import shutil

import pytest
from django.conf import settings
from django.db import connection

from tests import factories

REQUIRE = os.environ.get("STP_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("STP_CHROMIUM") or shutil.which("chromium") or ""


def _unmet(item: pytest.Item) -> str | None:
    if item.get_closest_marker("browser") and not CHROMIUM:
        return "needs Chromium (apt-get install chromium, or set STP_CHROMIUM)"
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        return "needs PostgreSQL (set DATABASE_URL=postgres://...)"
    if item.get_closest_marker("redis") and not settings.REDIS_URL:
        return "needs Redis (set REDIS_URL=redis://...)"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    reason = _unmet(item)
    if reason is None:
        return
    if REQUIRE:
        pytest.fail(f"STP_REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Sign-in lock-outs and rate limits count in the cache: no test inherits another's."""
    clear_own_cache()
    yield
    clear_own_cache()


def clear_own_cache() -> None:
    """Empty this test process's cache. Parallel workers share one Redis database in CI,
    each under its own key prefix: only this worker's keys go, never another's mid-test."""
    from django.core.cache import cache

    if not settings.REDIS_URL:
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploads and PDFs of a test go to its own folder, removed with it."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def pseb_staff():
    return factories.PsebStaffFactory(username="pseb.staff")


@pytest.fixture
def park():
    return factories.ParkFactory(code="GUJ", name="Gujranwala STP", city="Gujranwala")


@pytest.fixture
def other_park():
    return factories.ParkFactory(code="GLT", name="SCO STP Gilgit", city="Gilgit")


@pytest.fixture
def park_manager(park):
    return factories.ParkManagerAssignmentFactory(park=park, user__username="manager.guj").user


@pytest.fixture
def other_park_manager(other_park):
    return factories.ParkManagerAssignmentFactory(
        park=other_park, user__username="manager.glt"
    ).user


@pytest.fixture
def company_user():
    return factories.MembershipFactory(
        user__username="owner.one", company__name="First Company (Pvt) Ltd"
    ).user


@pytest.fixture
def other_company_user():
    return factories.MembershipFactory(
        user__username="owner.two", company__name="Second Company (Pvt) Ltd"
    ).user
