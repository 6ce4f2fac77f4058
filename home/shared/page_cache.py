"""Whole-page cache for anonymous shoppers.

Most visitors browse without logging in or filling a cart, and for them the home page, the
catalogue, product pages and search results are the same HTML for everyone. Those pages are
kept in Django's cache (local memory, or Redis when REDIS_URL is set) and served without
touching the database.

The rules are the plain functions below:

- ``request_may_use_cache``: only GET/HEAD requests without a session cookie and without a
  messages cookie. No session cookie means no cart, no logged-in user and no messages kept in
  the session, so the header's cart count is always right (it is empty for these visitors).
- ``view_may_be_cached``: only Wagtail's page view and views decorated with
  ``@cache_for_anonymous`` (search) look in the cache; health probes, the cart, the admin
  and every other view never touch it.
- The page then opts in with ``allow_caching(request)``: a Wagtail hook does it for the home,
  product index and product pages only, the decorator for its view.
- ``response_may_be_cached``: a 200 response that sets no cookie, did not start a session,
  and is not marked private or no-store.
- CSRF forms (add to cart) are cached with a placeholder instead of the token, and every
  visitor gets their own token filled in when the page is served, so nobody receives
  someone else's token.

Entries are keyed by scheme, host, path and query string (parameters sorted by name, so
filters, sorting and page numbers each get their own entry) and stamped with a
*generation*: a token kept in the cache that ``invalidate_catalogue()`` replaces, which makes
every stored page stale at once. Signals (home/signals.py) call it when pages, images,
reviews or shop settings change; code that changes stock with ``update()`` calls it itself.
``remember()`` keeps data shared by every visitor (the listing's facet counts) the same way,
so logged-in shoppers, whose pages are never cached, are spared computing it too.

When the cache cannot be reached, lookups miss and nothing is stored: pages are rendered as if
there were no cache.

Local memory is per process: with several gunicorn workers set REDIS_URL, otherwise a worker
would not see another's invalidation. Production settings therefore turn the page cache off
when REDIS_URL is unset (see README, "Caching").
"""

import hashlib
import logging
import re
import uuid
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token

logger = logging.getLogger(__name__)

GENERATION_KEY = "page-cache:generation"
CACHEABLE_PAGE_TYPES = ("home.HomePage", "products.ProductIndexPage", "products.ProductPage")
MESSAGES_COOKIE = "messages"  # django.contrib.messages' CookieStorage.cookie_name
CACHE_STATUS_HEADER = "X-Page-Cache"

# What Django's {% csrf_token %} renders; its value is replaced with CSRF_PLACEHOLDER.
CSRF_INPUT = re.compile(rb'(<input type="hidden" name="csrfmiddlewaretoken" value=")[^"]*(">)')
CSRF_PLACEHOLDER = b"__page_cache_csrf_token__"
# Headers that belong to one response, not to the stored page.
UNSTORED_HEADERS = {"content-length", "set-cookie", CACHE_STATUS_HEADER.lower()}

_ALLOWED_ATTRIBUTE = "_page_cache_allowed"
_SLOT_ATTRIBUTE = "_page_cache_slot"
_VIEW_ATTRIBUTE = "cache_for_anonymous"


def is_enabled():
    return settings.PAGE_CACHE_ENABLED


def request_may_use_cache(request):
    """True if this request may be answered from the cache (and its answer stored)."""
    if not is_enabled() or request.method not in ("GET", "HEAD"):
        return False
    if getattr(request, "is_preview", False):
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and MESSAGES_COOKIE not in cookies


def view_may_be_cached(view_func):
    # Imported here: models (the listing) use this module while Django is still loading apps.
    from wagtail.views import serve as wagtail_serve

    return view_func is wagtail_serve or getattr(view_func, _VIEW_ATTRIBUTE, False)


def allow_caching(request):
    """Called by a view whose page is the same for every anonymous visitor."""
    setattr(request, _ALLOWED_ATTRIBUTE, True)


def page_type_is_cacheable(page):
    return page.specific_class._meta.label in CACHEABLE_PAGE_TYPES


def response_may_be_cached(request, response):
    """True if a response is the same for every visitor and may be stored."""
    if not getattr(request, _ALLOWED_ATTRIBUTE, False) or request.method != "GET":
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    cache_control = response.get("Cache-Control", "")
    return "private" not in cache_control and "no-store" not in cache_control


def normalised_url(request):
    """Scheme, host, path and query string with parameters sorted by name."""
    params = sorted(request.GET.lists(), key=lambda item: item[0])
    query = urlencode([(name, value) for name, values in params for value in values])
    return f"{request.scheme}://{request.get_host()}{request.path}?{query}"


def invalidate_catalogue():
    """Make every cached page stale, once the current transaction (if any) commits.

    Call it after any change that shows on shop pages and that no signal sees, for example
    stock changed with ``QuerySet.update()`` and ``F()`` when an order is placed.
    """
    # robust: a cache that is down must not fail the change itself; pages stored in it are
    # unreachable while it is down anyway.
    transaction.on_commit(_start_new_generation, robust=True)


def _start_new_generation():
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def _lookup(identity):
    """(slot, value) for what is kept under `identity`: value is None when nothing is kept
    for the current generation, slot is where to keep it (None if the cache is down).

    One round trip to the cache fetches both the generation and the entry; an entry kept
    under an older generation is stale.
    """
    key = "page-cache:" + hashlib.sha256(identity.encode()).hexdigest()
    try:
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY)
        if generation is None:
            cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
            generation = cache.get(GENERATION_KEY)
    except Exception:
        logger.warning("Page cache unavailable, %s looked up in vain", identity, exc_info=True)
        return None, None
    entry = found.get(key)
    if entry is None or entry["generation"] != generation:
        return (key, generation), None
    return (key, generation), entry["value"]


def _keep(slot, value):
    key, generation = slot
    try:
        cache.set(
            key, {"generation": generation, "value": value}, timeout=settings.PAGE_CACHE_SECONDS
        )
    except Exception:
        logger.warning("Page cache unavailable, %s not stored", key, exc_info=True)
        return False
    return True


def remember(key_parts, compute):
    """compute()'s result, kept like the cached pages: until the catalogue next changes.

    For data every visitor shares and that is costly to get, such as the listing's facet
    counts, so logged-in shoppers (whose pages are never cached) are spared it too.
    ``key_parts`` must identify the data (its repr is hashed). Computed afresh whenever the
    page cache is off or cannot be reached.
    """
    if not is_enabled():
        return compute()
    slot, value = _lookup(f"data:{key_parts!r}")
    if value is None:
        value = compute()
        if slot is not None:
            _keep(slot, value)
    return value


def stored_page(response, uses_csrf):
    """What the cache keeps of a response, or None if it holds a CSRF token that cannot be
    swapped out."""
    content = response.content
    if uses_csrf:
        content, replaced = CSRF_INPUT.subn(rb"\1" + CSRF_PLACEHOLDER + rb"\2", content)
        if not replaced:
            return None
    headers = [
        (name, value) for name, value in response.items() if name.lower() not in UNSTORED_HEADERS
    ]
    return {"content": content, "headers": headers, "csrf": uses_csrf}


def cached_response(request, entry):
    content = entry["content"]
    if entry["csrf"]:
        # Sets this visitor's CSRF cookie through CsrfViewMiddleware, as rendering would.
        content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
    response = HttpResponse(content)
    for name, value in entry["headers"]:
        response[name] = value
    response[CACHE_STATUS_HEADER] = "hit"
    return response


class PageCacheMiddleware:
    """Serve and store anonymous pages. Goes after CsrfViewMiddleware and before
    AuthenticationMiddleware, so the session and CSRF cookie are handled around it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        slot = getattr(request, _SLOT_ATTRIBUTE, None)
        if slot is None or not response_may_be_cached(request, response):
            return response
        # Set by django.middleware.csrf.get_token(): the page holds a CSRF token.
        entry = stored_page(response, request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False))
        if entry is not None and _keep(slot, entry):
            response[CACHE_STATUS_HEADER] = "miss"
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not (request_may_use_cache(request) and view_may_be_cached(view_func)):
            return None
        slot, entry = _lookup(normalised_url(request))
        if entry is not None:
            return cached_response(request, entry)
        if slot is not None:
            setattr(request, _SLOT_ATTRIBUTE, slot)
        return None


def cache_for_anonymous(view):
    """Let the page cache keep this view's responses for anonymous visitors."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        allow_caching(request)
        return view(request, *args, **kwargs)

    setattr(wrapped, _VIEW_ATTRIBUTE, True)
    return wrapped
