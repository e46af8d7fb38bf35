import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_counts():
    """Lock-out and rate-limit counts live in the cache: each test starts from none."""
    cache.clear()
    yield
    cache.clear()


# The API clients of tests/api: a plain one and one with a user's token.
from tests.api.conftest import api, as_user  # noqa: E402, F401
