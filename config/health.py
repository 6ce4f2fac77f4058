"""Probes for the load balancer and the orchestrator.

/healthz: the process answers (liveness). /readyz: it can also reach the database, so it can
serve shoppers (readiness); 503 with the failing part otherwise. A cache that is down is
reported ("degraded") but answers 200: pages are served without it, and every server shares
the same Redis, so taking them out of the load balancer for it would take the shop down. Both are
cheap (no page rendering, one trivial query), never cached, and exempt from the HTTPS
redirect so a probe may use plain HTTP.
"""

import logging

from django.core.cache import caches
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

READINESS_CACHE_KEY = "readyz"
PROBE_PATHS = {"/healthz", "/readyz"}


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    checks = {"database": check_databases(), "cache": check_caches()}
    if checks["database"] != "ok":
        return JsonResponse({"status": "unavailable", "checks": checks}, status=503)
    status = "ok" if checks["cache"] == "ok" else "degraded"
    return JsonResponse({"status": status, "checks": checks})


def check_databases():
    """"ok", or which database cannot answer a trivial query and why (the error class)."""
    for alias in connections:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception as error:
            logger.exception("Readiness: database %r is unreachable", alias)
            return f"{alias} unreachable ({type(error).__name__})"
    return "ok"


def check_caches():
    """"ok", or which cache cannot store and return a value and why.

    A cache that hides its outages (config/redis_cache.py) is asked for a real round trip.
    """
    for alias in caches:
        cache = caches[alias]
        try:
            if hasattr(cache, "ping"):
                cache.ping()
                continue
            cache.set(READINESS_CACHE_KEY, "ok", timeout=10)
            if cache.get(READINESS_CACHE_KEY) != "ok":
                raise LookupError("the value written was not read back")
        except Exception as error:
            logger.exception("Readiness: cache %r is unreachable", alias)
            return f"{alias} unreachable ({type(error).__name__})"
    return "ok"


def is_not_a_probe(record):
    """Logging filter: a failing probe is logged, but not emailed to ADMINS every few seconds."""
    return getattr(getattr(record, "request", None), "path", None) not in PROBE_PATHS
