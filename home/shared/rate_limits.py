"""Fixed-window rate limits kept in the cache (Redis in production), shared by every app.

While the cache is down nothing can be counted: limits are not enforced (every event counts as
the first of its window) rather than turning shoppers away, and each such event is logged.
"""

import logging

from django.core.cache import cache

from config.redis_cache import cache_is_down

logger = logging.getLogger(__name__)


def count_within_window(key, window_seconds):
    """Record one more event under `key` and return how many happened in the current window."""
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # The window expired between add() and incr(): start a new one.
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    if cache_is_down(cache):
        logger.warning("Rate limit %s not enforced: the cache is unreachable", key)
    return count
