"""Whole-page cache for every shopper, with the personal parts filled in on the server.

The home page, the catalogue, product pages and search results are the same HTML for
everyone except a few *personal parts*: the header's cart count and account links, the review
form's state, the back-in-stock form's email. Those pages are kept once in Django's cache
(local memory, or Redis when REDIS_URL is set) with each personal part left as a placeholder,
and every visitor, anonymous or logged in, gets the stored page with their own parts rendered
into it (``{% personal_part %}``, registered by the apps through the ``personal_page_parts``
Wagtail hook). No JavaScript is involved.

The rules are the plain functions below:

- ``request_may_use_cache``: only GET/HEAD requests without a messages cookie, without
  messages waiting in the session, and not from staff who may use the Wagtail admin (their
  pages carry Wagtail's user bar).
- ``view_may_be_cached``: only Wagtail's page view and views decorated with
  ``@cache_shop_page`` (search) look in the cache; health probes, the cart, the admin
  and every other view never touch it.
- The page then opts in with ``allow_caching(request)``: a Wagtail hook does it for the home,
  product index and product pages only, the decorator for its view.
- ``response_may_be_cached``: a 200 response that sets no cookie, did not start a session,
  and is not marked private or no-store.
- CSRF forms (add to cart) are cached with a placeholder instead of the token, and every
  visitor gets their own token filled in when the page is served, so nobody receives
  someone else's token.
- A page the rendering visitor saw in full only because of a view restriction (a login or a
  password) is never stored; see home/wagtail_hooks.py.

Entries are keyed by scheme, host, path and query string (parameters sorted by name, so
filters, sorting and page numbers each get their own entry), kept no later than the next change
the clock alone makes (a sale starting or ending: the ``page_cache_expiry`` hook), and stamped
with a *generation*: a token kept in the cache that ``invalidate_catalogue()`` replaces, which
makes every stored page stale at once. Signals (home/signals.py) call it when pages, images,
reviews or shop settings change; code that changes stock with ``update()`` calls it itself.
``remember()`` keeps data shared by every visitor (the listing's facet counts) the same way, so
logged-in shoppers, whose pages are never cached, are spared computing it too.

When the cache cannot be reached, lookups miss and nothing is stored: pages are rendered as if
there were no cache.

Local memory is per process: with several gunicorn workers set REDIS_URL, otherwise a worker
would not see another's invalidation. Production settings therefore turn the page cache off
when REDIS_URL is unset (see README, "Caching").
"""

import functools
import hashlib
import logging
import math
import re
import time
import uuid
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from wagtail import hooks

logger = logging.getLogger(__name__)

GENERATION_KEY = "page-cache:generation"
EXPIRY_HOOK = "page_cache_expiry"
CACHEABLE_PAGE_TYPES = ("home.HomePage", "products.ProductIndexPage", "products.ProductPage")
MESSAGES_COOKIE = "messages"  # django.contrib.messages' CookieStorage.cookie_name
CACHE_STATUS_HEADER = "X-Page-Cache"

# What Django's {% csrf_token %} renders; its value is replaced with CSRF_PLACEHOLDER.
CSRF_INPUT = re.compile(rb'(<input type="hidden" name="csrfmiddlewaretoken" value=")[^"]*(">)')
CSRF_PLACEHOLDER = b"__page_cache_csrf_token__"
# Headers that belong to one response, not to the stored page.
UNSTORED_HEADERS = {"content-length", "set-cookie", CACHE_STATUS_HEADER.lower()}

# A personal part as rendered for the visitor:
#   <!--personal-part NAME ARGS-->HTML<!--/personal-part-->
# Its HTML is escaped by the templates, so it cannot contain the closing marker.
PERSONAL_PARTS_HOOK = "personal_page_parts"
PERSONAL_PART = re.compile(
    rb"<!--personal-part ([a-z0-9-]+)((?: [A-Za-z0-9_-]+)*)-->(.*?)<!--/personal-part-->",
    re.DOTALL,
)
PERSONAL_PART_ARGUMENT = re.compile(r"[A-Za-z0-9_-]+")
ADMIN_ACCESS_PERMISSION = "wagtailadmin.access_admin"

_ALLOWED_ATTRIBUTE = "_page_cache_allowed"
_SLOT_ATTRIBUTE = "_page_cache_slot"
_VIEW_ATTRIBUTE = "cache_shop_page"


def is_enabled():
    return settings.PAGE_CACHE_ENABLED


def request_may_use_cache(request):
    """True if this request may be answered from the cache (and its answer stored)."""
    if not is_enabled() or request.method not in ("GET", "HEAD"):
        return False
    # A cookie that was deleted may still be sent empty (by the test client, say).
    if getattr(request, "is_preview", False) or request.COOKIES.get(MESSAGES_COOKIE):
        return False
    if not request.COOKIES.get(settings.SESSION_COOKIE_NAME):
        return True  # a first-time visitor: nothing of theirs to look up
    if len(get_messages(request)):  # counting them does not mark them shown
        return False
    user = request.user
    return not (user.is_authenticated and user.has_perm(ADMIN_ACCESS_PERMISSION))


def view_may_be_cached(view_func):
    # Imported here: models (the listing) use this module while Django is still loading apps.
    from wagtail.views import serve as wagtail_serve

    return view_func is wagtail_serve or getattr(view_func, _VIEW_ATTRIBUTE, False)


def allow_caching(request):
    """Called by a view whose page is the same for every visitor but for its personal parts."""
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


def _key(identity):
    return "page-cache:" + hashlib.sha256(identity.encode()).hexdigest()


def _lookup(identity):
    """(slot, value) for what is kept under `identity`: value is None when nothing is kept
    for the current generation, slot is where to keep it (None if the cache is down)."""
    generation, found = _lookup_many([identity])
    if generation is None:
        return None, None
    return (_key(identity), generation), found.get(identity)


def _lookup_many(identities):
    """(generation, {identity: value}) for what is kept under each of `identities` for the
    current generation; (None, {}) if the cache is down.

    One round trip to the cache fetches the generation and the entries; an entry kept
    under an older generation is stale.
    """
    keys = {_key(identity): identity for identity in identities}
    try:
        found = cache.get_many([GENERATION_KEY, *keys])
        generation = found.get(GENERATION_KEY)
        if generation is None:
            cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
            generation = cache.get(GENERATION_KEY)
    except Exception:
        logger.warning("Page cache unavailable, %d entries looked up in vain", len(keys),
                       exc_info=True)
        return None, {}
    now = time.time()
    return generation, {
        keys[key]: entry["value"] for key, entry in found.items()
        if key != GENERATION_KEY and entry["generation"] == generation
        and (entry.get("until") is None or entry["until"] > now)
    }


def next_scheduled_change(now=None):
    """The next time a page may change by the clock alone (a sale starting or ending), from
    the apps' `page_cache_expiry` hooks (each takes `now` and returns an aware datetime or
    None); None if nothing is scheduled."""
    now = now or timezone.now()
    moments = [moment for hook in hooks.get_hooks(EXPIRY_HOOK) if (moment := hook(now))]
    return min(moments, default=None)


def first_change_after(now, windows):
    """The earliest start or end among `windows` ((start, end) pairs, None for an open end)
    after `now`, or None: for the apps' `page_cache_expiry` hooks."""
    return min(
        (moment for window in windows for moment in window
         if moment is not None and moment > now),
        default=None,
    )


def _keep(slot, value, change):
    """Keep `value` under `slot` until PAGE_CACHE_SECONDS pass or `change` (the next
    scheduled change, None if there is none), whichever comes first; True if it was kept."""
    key, generation = slot
    return _keep_many(generation, {key: value}, change)


def _keep_many(generation, values, change):
    """Keep each of `values` ({cache key: value}) for `generation`, as `_keep` does."""
    timeout, until = settings.PAGE_CACHE_SECONDS, None
    if change is not None:
        until = change.timestamp()
        timeout = min(timeout, math.ceil(until - time.time()))
        if timeout <= 0:
            return False
    entries = {
        key: {"generation": generation, "value": value, "until": until}
        for key, value in values.items()
    }
    try:
        cache.set_many(entries, timeout=timeout)
    except Exception:
        logger.warning("Page cache unavailable, %d entries not stored", len(entries),
                       exc_info=True)
        return False
    return True


def remember(key_parts, compute):
    """compute()'s result, kept like the cached pages: until the catalogue next changes.

    For data every visitor shares and that is costly to get, such as the listing's facet
    counts, so pages rendered afresh (another sort order, a shopper with a message waiting)
    are spared it too.
    ``key_parts`` must identify the data (its repr is hashed). Computed afresh whenever the
    page cache is off or cannot be reached.
    """
    if not is_enabled():
        return compute()
    slot, value = _lookup(f"data:{key_parts!r}")
    if value is None:
        value = compute()
        if slot is not None:
            _keep(slot, value, next_scheduled_change())
    return value


def remember_each(key_parts_list, compute_missing):
    """remember() for many pieces at once, in one round trip to the cache each way: a list
    of values, one per item of `key_parts_list`. `compute_missing(indexes)` gets the
    positions of those not kept and returns their values in that order."""
    if not is_enabled():
        return compute_missing(list(range(len(key_parts_list))))
    identities = [f"data:{key_parts!r}" for key_parts in key_parts_list]
    generation, found = _lookup_many(identities)
    missing = [index for index, identity in enumerate(identities) if identity not in found]
    if missing:
        computed = dict(zip(missing, compute_missing(missing), strict=True))
        if generation is not None:
            _keep_many(generation, {_key(identities[index]): value
                                    for index, value in computed.items()},
                       next_scheduled_change())
        found.update({identities[index]: value for index, value in computed.items()})
    return [found[identity] for identity in identities]


@functools.cache
def personal_parts():
    """{name: (template, context function)} registered through the personal_page_parts
    hook: each hook function returns such a dict; the context function takes the request and
    the part's arguments. Hooks are registered once, when the apps load."""
    parts = {}
    for registered in hooks.get_hooks(PERSONAL_PARTS_HOOK):
        parts.update(registered())
    return parts


class UnknownPersonalPart(LookupError):
    """A stored page names a personal part that no app registers (any more)."""


def render_personal_part(request, name, args):
    try:
        template, context = personal_parts()[name]
    except KeyError:
        raise UnknownPersonalPart(name) from None
    return render_to_string(template, context(request, *args), request=request)


def personal_part(request, name, *args):
    """The part `name` rendered for this visitor, marked so that the page cache stores a
    placeholder in its place and renders it again for each visitor it serves."""
    args = [str(arg) for arg in args]
    if not all(PERSONAL_PART_ARGUMENT.fullmatch(arg) for arg in args):
        raise ValueError(f"Personal part {name} arguments must be ids or slugs: {args!r}")
    html = render_personal_part(request, name, args)
    marker = " ".join([name, *args])
    return mark_safe(f"<!--personal-part {marker}-->{html}<!--/personal-part-->")


def without_part_markers(content):
    """The page as this visitor sees it: their parts kept, the markers dropped."""
    return PERSONAL_PART.sub(rb"\3", content)


def _empty_part(match):
    return b"<!--personal-part " + match.group(1) + match.group(2) + b"--><!--/personal-part-->"


def fill_personal_parts(request, content):
    """Each placeholder of a stored page replaced with the part rendered for this visitor."""
    def render(match):
        name = match.group(1).decode()
        args = match.group(2).decode().split()
        return render_personal_part(request, name, args).encode()

    return PERSONAL_PART.sub(render, content)


def stored_page(response, uses_csrf):
    """What the cache keeps of a response (its personal parts emptied), or None if it holds
    a CSRF token that cannot be swapped out."""
    content = response.content
    parts_held_token = False
    if b"<!--personal-part " in content:
        parts_held_token = any(
            CSRF_INPUT.search(match.group(3)) for match in PERSONAL_PART.finditer(content)
        )
        content = PERSONAL_PART.sub(_empty_part, content)
    if uses_csrf:
        content, replaced = CSRF_INPUT.subn(rb"\1" + CSRF_PLACEHOLDER + rb"\2", content)
        if not replaced and not parts_held_token:
            return None
        uses_csrf = bool(replaced)
    headers = [
        (name, value) for name, value in response.items() if name.lower() not in UNSTORED_HEADERS
    ]
    return {"content": content, "headers": headers, "csrf": uses_csrf}


def cached_response(request, entry):
    content = fill_personal_parts(request, entry["content"])
    if entry["csrf"]:
        # Sets this visitor's CSRF cookie through CsrfViewMiddleware, as rendering would.
        content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
    response = HttpResponse(content)
    for name, value in entry["headers"]:
        response[name] = value
    response[CACHE_STATUS_HEADER] = "hit"
    return response


class PageCacheMiddleware:
    """Serve and store shop pages. Goes after CsrfViewMiddleware, so the CSRF cookie is
    handled around it; by the time its process_view runs, the session and the user are
    known."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.streaming or response.get(CACHE_STATUS_HEADER) == "hit":
            return response
        slot, change = getattr(request, _SLOT_ATTRIBUTE, (None, None))
        if slot is not None and response_may_be_cached(request, response):
            # Set by django.middleware.csrf.get_token(): the page holds a CSRF token.
            entry = stored_page(response, request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False))
            if entry is not None and _keep(slot, entry, change):
                response[CACHE_STATUS_HEADER] = "miss"
        if b"<!--personal-part " in response.content:
            response.content = without_part_markers(response.content)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not (request_may_use_cache(request) and view_may_be_cached(view_func)):
            return None
        slot, entry = _lookup(normalised_url(request))
        if entry is not None:
            try:
                return cached_response(request, entry)
            except UnknownPersonalPart:
                # A part no longer registered (a page stored before a deploy): render afresh.
                logger.warning("Stored page names an unknown personal part", exc_info=True)
        if slot is not None:
            # Read now, while the request holds its fixed lookups (the sale windows among
            # them): the page is stored after the request has let them go.
            setattr(request, _SLOT_ATTRIBUTE, (slot, next_scheduled_change()))
        return None


def cache_shop_page(view):
    """Let the page cache keep this view's responses (the same for every visitor, but for
    their personal parts)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        allow_caching(request)
        return view(request, *args, **kwargs)

    setattr(wrapped, _VIEW_ATTRIBUTE, True)
    return wrapped
