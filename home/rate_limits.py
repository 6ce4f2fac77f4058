"""Fixed-window rate limits kept in the cache (Redis in production), shared by every app."""

from django.core.cache import cache


def count_within_window(key, window_seconds):
    """Record one more event under `key` and return how many happened in the current window."""
    cache.add(key, 0, timeout=window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # The window expired between add() and incr(): start a new one.
        cache.set(key, 1, timeout=window_seconds)
        return 1
