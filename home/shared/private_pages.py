"""Pages that belong to one shopper (account, cart, checkout, orders, invoices): no browser,
proxy or page cache may keep them, so the next person at a shared computer, or behind the
same proxy, never sees them."""

from django.urls import URLPattern, URLResolver
from django.views.decorators.cache import never_cache


def never_cached(patterns):
    """`patterns` with every view, those of included patterns too, behind Django's
    never_cache: `Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private`.

    Applied to a whole URL module, so a view added to it later is covered without a thought.
    """
    return [_never_cached(pattern) for pattern in patterns]


def _never_cached(pattern):
    if isinstance(pattern, URLResolver):
        return URLResolver(
            pattern.pattern,
            never_cached(pattern.url_patterns),
            pattern.default_kwargs,
            pattern.app_name,
            pattern.namespace,
        )
    return URLPattern(
        pattern.pattern, never_cache(pattern.callback), pattern.default_args, pattern.name
    )
