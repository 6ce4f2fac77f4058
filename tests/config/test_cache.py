"""The shared Redis cache and the sessions kept in it (needs a Redis server)."""

import os
import pickle
import uuid
from importlib import import_module

import pytest
import redis
from django.core.cache import cache

from config.env import cache_config

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

CACHE_A_VALUE = """
from django.core.cache import caches
cache = caches["default"]
cache.set({key!r}, "Dell XPS 13", 60)
print(json.dumps({{"backend": type(cache).__name__, "stored_as": cache.make_key({key!r})}}))
"""


@pytest.fixture(scope="module")
def redis_server():
    server = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        server.ping()
    except redis.RedisError:
        pytest.skip(f"No Redis server at {REDIS_URL} (set TEST_REDIS_URL to use another one).")
    return server


def test_with_redis_url_set_production_caches_in_redis(run_production, redis_server):
    key = f"test-{uuid.uuid4()}"
    cached = run_production(CACHE_A_VALUE.format(key=key), REDIS_URL=REDIS_URL)
    try:
        assert cached["backend"] == "RedisCache"
        assert pickle.loads(redis_server.get(cached["stored_as"])) == "Dell XPS 13"
    finally:
        redis_server.delete(cached["stored_as"])


@pytest.mark.django_db
def test_a_shoppers_session_is_kept_in_the_database_and_never_in_redis(settings, redis_server):
    # Redis could hand back a copy older than the database's after an outage (a stale cart).
    settings.CACHES = cache_config(REDIS_URL)
    session_store = import_module(settings.SESSION_ENGINE).SessionStore

    session = session_store()
    session["cart"] = {"dell-xps-13": 2}
    session.save()

    assert not list(redis_server.scan_iter(match=f"*{session.session_key}*"))
    assert session_store(session.session_key)["cart"] == {"dell-xps-13": 2}


def test_the_redis_cache_stores_values_through_one_reused_client(settings, redis_server):
    settings.CACHES = cache_config(REDIS_URL)
    key = f"test-{uuid.uuid4()}"
    try:
        cache.set(key, {"sku": "XPS-13"}, 60)
        assert cache.get(key) == {"sku": "XPS-13"}
        # Django would build a new redis.Redis for every operation (see config/redis_cache.py).
        assert cache._cache.get_client(key) is cache._cache.get_client(key, write=True)
    finally:
        cache.delete(key)
