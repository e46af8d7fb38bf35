import pytest
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_health_answers_ok_when_database_and_cache_answer(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_health_answers_503_when_the_cache_is_down(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "set", broken)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["cache"] == "unavailable"


@pytest.mark.redis
def test_cache_is_the_real_redis_when_redis_url_is_set(settings):
    import redis
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    assert isinstance(caches["default"], RedisCache)
    caches["default"].set("ci:probe", "present", timeout=30)
    raw = redis.Redis.from_url(settings.REDIS_URL)
    keys = [k.decode() for k in raw.keys("*ci:probe*")]
    assert keys, "the value did not reach the Redis server"
    caches["default"].delete("ci:probe")
