"""Lookups every page makes and that change only when staff edit something: the site for the
request's host, Wagtail's site root paths, the header's catalogue link, the footer's contact
link and seller, the private sections of the site; and what the shop apps hold through
``held()`` (the sale windows, the bulk discount rule, the vouchers carts are priced with).

Each is held in process memory under a *version*. Any change that can alter one (a page
saved, moved or deleted, a view restriction, a site, a setting: home/signals.py; a voucher:
commerce/signals.py) calls ``invalidate()``, which bumps the version, and every process
recomputes what it holds the next time it reads a different version. The version is read
once per request, lazily (a page served from the page cache reads nothing):

- without Redis (the local-memory cache is private to each gunicorn worker), it is a row in
  the database, bumped inside the transaction that makes the change, so the new version
  becomes visible to every worker exactly when the change does: one primary-key read per
  request instead of one query per lookup;
- with Redis, it is a key in the cache, replaced once the change commits: no SQL at all.

Outside a request (commands, tasks, the shell) nothing is held and every lookup is computed,
so a long-running process can never read a stale value.
"""

import contextvars
import copy
import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import F

from home.shared import page_cache

logger = logging.getLogger(__name__)

CACHE_VERSION_KEY = "fixed-lookups:version"
# Lookups are keyed by host among other things; a process never needs more than a handful.
MAX_HELD = 500
_UNREAD = object()

_held = {}  # (name, key) -> (version, value)
_request_scope = contextvars.ContextVar("fixed_lookups_request_scope", default=None)


class FixedLookupsVersion(models.Model):
    """The single row whose number every process compares with what it holds (app label
    home). Missing on a fresh or flushed database: read as 0, created by the first bump."""

    number = models.BigIntegerField(default=0)

    class Meta:
        app_label = "home"

    def __str__(self):
        return f"fixed lookups version {self.number}"


def version_is_in_cache():
    """True when the cache is shared by every process (Redis), so the version lives there."""
    return "locmem" not in settings.CACHES["default"]["BACKEND"].lower()


def _read_version():
    if version_is_in_cache():
        try:
            version = cache.get(CACHE_VERSION_KEY)
            if version is None:
                cache.add(CACHE_VERSION_KEY, uuid.uuid4().hex, timeout=None)
                version = cache.get(CACHE_VERSION_KEY)
            return version
        except Exception:
            logger.warning("Cache unavailable, fixed lookups computed afresh", exc_info=True)
            return None
    number = FixedLookupsVersion.objects.values_list("number", flat=True).first()
    return number or 0


def invalidate():
    """Make every process recompute what it holds. Call inside the transaction that makes
    the change (signals do): the database version changes when the change commits."""
    _held.clear()
    scope = _request_scope.get()
    if scope is not None:
        scope["version"] = None  # the rest of this request computes afresh
    if version_is_in_cache():
        transaction.on_commit(_new_cache_version, robust=True)
        return
    if not FixedLookupsVersion.objects.update(number=F("number") + 1):
        FixedLookupsVersion.objects.create(number=1)


def _new_cache_version():
    cache.set(CACHE_VERSION_KEY, uuid.uuid4().hex, timeout=None)


def forget_all():
    """Drop what this process holds, as a newly started worker would have nothing."""
    _held.clear()


def _current_version():
    scope = _request_scope.get()
    if scope is None:
        return None
    if scope["version"] is _UNREAD:
        scope["version"] = _read_version()
    return scope["version"]


def held(name, key, compute):
    """compute()'s result, held in this process until the version changes. Computed afresh
    outside a request, or when the version cannot be read."""
    version = _current_version()
    if version is None:
        return compute()
    found = _held.get((name, key))
    if found is not None and found[0] == version:
        return found[1]
    value = compute()
    if len(_held) >= MAX_HELD:
        _held.clear()
    _held[(name, key)] = (version, value)
    return value


def site_for_request(request):
    """Wagtail's Site for this request's host, held in memory. Each request gets its own copy
    of the site and its root page, so nothing a request caches on them is shared."""
    from wagtail.models import Site

    def find_site():
        site = Site._find_for_request(request)
        if site is not None:
            # Routing starts from the root page's specific class: held too, not read per request.
            site.root_page = site.root_page.specific
        return site

    host = request._get_raw_host()  # as Wagtail reads it: no ALLOWED_HOSTS check
    site = held("site", (host, request.get_port()), find_site)
    if site is None:
        return None
    site = copy.copy(site)
    if Site.root_page.is_cached(site):
        site.root_page = copy.copy(site.root_page)
    return site


def child_page(parent, slug):
    """A copy of `parent`'s child page of that slug, of its specific class, or None: what
    Wagtail's routing reads for each level of the URL. The children of sections that every
    visit routes through (the home page) are held; each request gets its own copy."""
    children = held(
        "child pages",
        parent.pk,
        lambda: {child.slug: child for child in parent.get_children().specific()},
    )
    child = children.get(slug)
    return copy.copy(child) if child is not None else None


def site_root_paths():
    from wagtail.models import Site

    return held("site root paths", None, Site.get_site_root_paths)


def private_sections():
    """(path, depth) of every page with a view restriction: it and its descendants are
    private."""
    from wagtail.models import PageViewRestriction

    return held(
        "private sections",
        None,
        lambda: list(PageViewRestriction.objects.values_list("page__path", "page__depth")),
    )


def _restricted_paths():
    """(restriction id, path) of each restricted page and of each alias of one: Wagtail
    checks an alias (and every page below it) against its source page's restrictions."""
    from wagtail.models import Page, PageViewRestriction

    restrictions = list(PageViewRestriction.objects.values_list("pk", "page_id", "page__path"))
    by_page = {}
    for pk, page_id, _path in restrictions:
        by_page.setdefault(page_id, []).append(pk)
    aliases = (
        Page.objects.filter(alias_of__in=list(by_page)).values_list("alias_of", "path")
        if by_page
        else []
    )
    return [(pk, path) for pk, _page_id, path in restrictions] + [
        (pk, path) for source, path in aliases for pk in by_page[source]
    ]


def view_restrictions_for(page):
    """The view restrictions on `page` and its ancestors (or, for aliases, on their source
    pages), as Page.get_view_restrictions() finds them (a queryset), without a query when
    there are none."""
    from wagtail.models import PageViewRestriction

    restrictions = held("view restrictions", None, _restricted_paths)
    ids = sorted({pk for pk, path in restrictions if page.path.startswith(path)})
    if not ids:
        return PageViewRestriction.objects.none()  # evaluating it runs no query
    return PageViewRestriction.objects.filter(pk__in=ids)


class HeldViewRestrictionsMixin:
    """For page classes served on most visits: Wagtail's view restriction check (on every
    serve) reads the held restrictions instead of querying the page's ancestors."""

    def get_view_restrictions(self):
        return view_restrictions_for(self)


def prime_request(request):
    """Give Wagtail the held site and site root paths, so routing and page URLs make no
    query for them."""
    request._wagtail_site = site_for_request(request)
    request._wagtail_cached_site_root_paths = site_root_paths()


class FixedLookupsMiddleware:
    """Read the version at most once per request, and hand the shop's pages the held site.
    Goes after the page cache, so a page served from it reads nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_scope.set({"version": _UNREAD})
        try:
            return self.get_response(request)
        finally:
            _request_scope.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The shop's pages: Wagtail's page view and search (the views the page cache serves).
        if page_cache.view_may_be_cached(view_func):
            prime_request(request)
        return None
