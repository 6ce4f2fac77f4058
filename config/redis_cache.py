"""Django's Redis cache backend, sharing its clients and surviving a Redis outage.

One redis-py client per connection pool: Django builds a new ``redis.Redis`` for every cache
operation, and each one fills a table of some 170 response callbacks: about a tenth of a
millisecond, a quarter of the time a page takes to come out of the page cache (see README,
"Benchmarks"). A client only wraps its pool, is safe to share between threads, and its pool
reconnects after a fork, so one per pool does.

A cache that cannot be reached behaves as an empty cache that keeps nothing: ``get`` answers
the default, ``add``/``touch``/``delete``/``has_key`` False, ``set`` and ``delete_many`` do
nothing, ``incr`` raises ValueError as for a missing key. So every caller (Wagtail's site root
paths, the page cache, rate limits) degrades without knowing. After a failure an
:class:`OutageBreaker` skips Redis for ``OUTAGE_RETRY_SECONDS``: a dead or hung server costs one
short socket timeout per process, not one per cache call. ``ping()`` ignores the breaker,
for /readyz.
"""

import logging
import threading
import time

from django.core.cache.backends import redis as django_redis
from redis import RedisError

logger = logging.getLogger(__name__)

DEFAULT_OUTAGE_RETRY_SECONDS = 30


class OutageBreaker:
    """Whether to try Redis: after a failure, not again for `retry_seconds`.

    Shared by the threads of a process. When the pause is over one caller tries again while
    the others keep skipping; its success ends the outage, its failure starts a new pause.
    """

    def __init__(self, name, retry_seconds, clock=time.monotonic):
        self.name = name
        self.retry_seconds = retry_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._retry_at = None  # None: no outage

    @property
    def in_outage(self):
        return self._retry_at is not None

    def allows_a_call(self):
        with self._lock:
            if self._retry_at is None:
                return True
            if self._clock() < self._retry_at:
                return False
            self._retry_at = self._clock() + self.retry_seconds
            return True

    def record_failure(self, error):
        with self._lock:
            started = self._retry_at is None
            self._retry_at = self._clock() + self.retry_seconds
        if started:
            logger.warning(
                "Cache %s unreachable (%s: %s); pages are served without it, retrying every %ss",
                self.name, type(error).__name__, error, self.retry_seconds,
            )

    def record_success(self):
        if self._retry_at is None:  # the common case, without taking the lock
            return
        with self._lock:
            ended = self._retry_at is not None
            self._retry_at = None
        if ended:
            logger.warning("Cache %s reachable again", self.name)


# Per process, by server list: Django gives each thread its own cache backend object.
_breakers = {}
_breakers_lock = threading.Lock()


def outage_breaker(servers, retry_seconds):
    name = ",".join(servers)
    with _breakers_lock:
        if name not in _breakers:
            _breakers[name] = OutageBreaker(name, retry_seconds)
        return _breakers[name]


def cache_is_down(cache):
    """True while `cache` is known to be unreachable (only the Redis backend ever is)."""
    breaker = getattr(cache, "outage_breaker", None)
    return breaker is not None and breaker.in_outage


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._options = dict(self._options)
        retry_seconds = self._options.pop("OUTAGE_RETRY_SECONDS", DEFAULT_OUTAGE_RETRY_SECONDS)
        self.outage_breaker = outage_breaker(self._servers, retry_seconds)

    def _unless_down(self, when_down, operation, *args, **kwargs):
        if not self.outage_breaker.allows_a_call():
            return when_down
        try:
            result = operation(*args, **kwargs)
        except RedisError as error:
            self.outage_breaker.record_failure(error)
            return when_down
        self.outage_breaker.record_success()
        return result

    def ping(self):
        """Ask Redis for a PONG now, outage or not; raise its error if it cannot answer."""
        try:
            self._cache.get_client(write=True).ping()
        except RedisError as error:
            self.outage_breaker.record_failure(error)
            raise
        self.outage_breaker.record_success()

    def add(self, *args, **kwargs):
        return self._unless_down(False, super().add, *args, **kwargs)

    def get(self, key, default=None, version=None):
        return self._unless_down(default, super().get, key, default, version)

    def set(self, *args, **kwargs):
        self._unless_down(None, super().set, *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._unless_down(False, super().touch, *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._unless_down(False, super().delete, *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._unless_down({}, super().get_many, *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._unless_down(False, super().has_key, *args, **kwargs)

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._unless_down(missing, super().incr, key, delta, version)
        if value is missing:
            raise ValueError(f"Key {key!r} not found: the cache is unreachable.")
        return value

    def set_many(self, data, *args, **kwargs):
        # Django's contract: the keys that could not be stored.
        return self._unless_down(list(data), super().set_many, data, *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        self._unless_down(None, super().delete_many, *args, **kwargs)

    def clear(self):
        return self._unless_down(False, super().clear)
