"""Read the shop's configuration from environment variables.

Plain functions so that the rules (which database, which cache, which queue) are tested once,
independently of the settings modules that call them.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = BASE_DIR / "db.sqlite3"

# Wagtail search backends that talk to an Elasticsearch or OpenSearch cluster, by the name
# SEARCH_BACKEND takes. Each needs its client library installed (see the README).
SEARCH_CLUSTER_BACKENDS = {
    "opensearch3": "wagtail.search.backends.opensearch3",
    "opensearch2": "wagtail.search.backends.opensearch2",
    "elasticsearch9": "wagtail.search.backends.elasticsearch9",
    "elasticsearch8": "wagtail.search.backends.elasticsearch8",
    "elasticsearch7": "wagtail.search.backends.elasticsearch7",
}

TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}


def env_bool(name, default=False, environ=os.environ):
    value = environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name, default, environ=os.environ):
    return _env_number(name, default, environ, int, "a whole number")


def env_float(name, default, environ=os.environ):
    return _env_number(name, default, environ, float, "a number")


def _env_number(name, default, environ, parse, kind):
    value = environ.get(name)
    if value is None or value == "":
        return default
    try:
        return parse(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be {kind}, not {value!r}.") from None


def env_list(name, default=(), environ=os.environ):
    value = environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or list(default)


# SQLite lets one connection write at a time. A deferred transaction (SQLite's default) takes
# the write lock at its first write, and one that has already read cannot wait for it: it
# fails at once with "database is locked". Immediate transactions take the lock when they
# begin, so concurrent requests queue for up to `timeout` seconds instead. WAL lets pages be
# read while a request writes; with WAL, synchronous=NORMAL is still safe after a crash (a
# power cut may lose the last commits, never corrupt the file).
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


# DATABASE_POOLER values: how a connection pooler between the shop and PostgreSQL hands out
# server connections.
DATABASE_POOLERS = ("", "session", "transaction")


def database_config(url=None, pooler=""):
    """Database settings for DATABASE_URL; an SQLite file in the project folder when unset.

    `pooler` is "transaction" behind PgBouncer (or another pooler) in transaction pooling mode,
    where each transaction may run on a different server connection: Django must then not keep
    a server-side cursor open across transactions. The shop keeps no other session state
    (no advisory locks, SET, temporary tables or prepared statements: psycopg binds parameters
    on the client unless told otherwise).
    """
    if pooler not in DATABASE_POOLERS:
        raise ImproperlyConfigured(
            f"DATABASE_POOLER must be 'transaction', 'session' or empty, not {pooler!r}."
        )
    if not url:
        url = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    config = dj_database_url.parse(url, conn_max_age=0 if url.startswith("sqlite") else 60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        options = config.setdefault("OPTIONS", {})
        for name, value in SQLITE_OPTIONS.items():
            options.setdefault(name, value)
    if config["ENGINE"] == "django.db.backends.postgresql":
        config["CONN_HEALTH_CHECKS"] = True
        # An unreachable server must fail a request (and /readyz) quickly, not hang a worker.
        config.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
        config["DISABLE_SERVER_SIDE_CURSORS"] = pooler == "transaction"
    return config


def cache_config(redis_url=None, timeout_seconds=0.5, outage_retry_seconds=30):
    """Redis (Django's own backend, sharing its clients and surviving an outage:
    config/redis_cache.py) when REDIS_URL is set, process-local memory otherwise.

    With Redis, a connection or an answer that takes longer than `timeout_seconds` counts as
    an outage, and the cache is then skipped for `outage_retry_seconds`.
    """
    if redis_url:
        return {
            "default": {
                "BACKEND": "config.redis_cache.RedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": "storefront",
                "OPTIONS": {
                    "socket_connect_timeout": timeout_seconds,
                    "socket_timeout": timeout_seconds,
                    "OUTAGE_RETRY_SECONDS": outage_retry_seconds,
                },
            }
        }
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "storefront",
        }
    }


def search_config(backend=None, urls=(), index_prefix="storefront_"):
    """WAGTAILSEARCH_BACKENDS: the database by default, a search cluster when SEARCH_URL is set.

    `backend` is a SEARCH_BACKEND name ("database", "opensearch3", "elasticsearch8", ...);
    with cluster `urls` and no name, OpenSearch 3 is assumed.
    """
    urls = list(urls)
    backend = backend or ("opensearch3" if urls else "database")
    if backend == "database":
        if urls:
            raise ImproperlyConfigured(
                "SEARCH_URL is set but SEARCH_BACKEND is 'database'; "
                "choose one of " + ", ".join(SEARCH_CLUSTER_BACKENDS) + " or unset SEARCH_URL."
            )
        return {"default": {"BACKEND": "wagtail.search.backends.database"}}
    if backend not in SEARCH_CLUSTER_BACKENDS:
        raise ImproperlyConfigured(
            f"SEARCH_BACKEND must be 'database' or one of {', '.join(SEARCH_CLUSTER_BACKENDS)}, "
            f"not {backend!r}."
        )
    if not urls:
        raise ImproperlyConfigured(
            f"SEARCH_BACKEND is {backend!r}: set SEARCH_URL to the cluster's address, "
            "e.g. https://user:password@search.internal:9200."
        )
    return {
        "default": {
            "BACKEND": SEARCH_CLUSTER_BACKENDS[backend],
            "URLS": urls,
            "INDEX_PREFIX": index_prefix,
            "TIMEOUT": 5,
            "OPTIONS": {},
            "INDEX_SETTINGS": {},
        }
    }


def media_storage_config(environ=os.environ):
    """STORAGES["default"]: the MEDIA_ROOT folder, or an S3-compatible bucket when
    MEDIA_S3_BUCKET is set (AWS S3, MinIO, Cloudflare R2, DigitalOcean Spaces, ...).

    Credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the machine's IAM
    role), read by django-storages and boto3 themselves.
    """
    bucket = environ.get("MEDIA_S3_BUCKET", "")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": environ.get("MEDIA_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("MEDIA_S3_REGION") or None,
            "custom_domain": environ.get("MEDIA_S3_CUSTOM_DOMAIN") or None,
            # Private bucket by default: image URLs are signed and expire.
            "querystring_auth": env_bool("MEDIA_S3_SIGNED_URLS", default=True, environ=environ),
            "signature_version": "s3v4",
            # Two uploads called "photo.jpg" must not replace each other.
            "file_overwrite": False,
        },
    }


def media_origins(environ=os.environ):
    """The origins that uploaded images are served from, as media_storage_config stores them:
    none beyond the shop's own with local storage, else the bucket's host (for the
    Content-Security-Policy's img-src)."""
    bucket = environ.get("MEDIA_S3_BUCKET", "")
    if not bucket:
        return []
    if custom_domain := environ.get("MEDIA_S3_CUSTOM_DOMAIN"):
        return [f"https://{custom_domain.partition('/')[0]}"]
    if endpoint := environ.get("MEDIA_S3_ENDPOINT_URL"):
        parts = urlsplit(endpoint)
        return [f"{parts.scheme}://{parts.netloc}"]
    origins = [f"https://{bucket}.s3.amazonaws.com"]
    if region := environ.get("MEDIA_S3_REGION"):
        origins.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    return origins


def tasks_config(backend="immediate"):
    """TASKS: "immediate" runs a task inside the request; "database" queues it in PostgreSQL
    (or SQLite) for `manage.py db_worker` to run."""
    if backend not in TASK_BACKENDS:
        raise ImproperlyConfigured(
            f"TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)}, not {backend!r}."
        )
    return {"default": {"BACKEND": TASK_BACKENDS[backend]}}


def logging_config(level="INFO", json_lines=False):
    """LOGGING: everything to stdout, as plain text or one JSON object per line."""
    formatter = "json" if json_lines else "plain"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
            "not_a_probe": {
                "()": "django.utils.log.CallbackFilter",
                "callback": "ext://config.health.is_not_a_probe",
            },
        },
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            "json": {"()": "config.json_logging.JsonFormatter"},
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": formatter,
            },
            "mail_admins": {
                "class": "django.utils.log.AdminEmailHandler",
                "level": "ERROR",
                "filters": ["require_debug_false", "not_a_probe"],
            },
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            # Server errors (500s) also go by email to ADMINS, when there are any.
            "django": {"handlers": ["mail_admins"], "level": "INFO"},
            "django.db.backends": {"level": "WARNING"},
            # Wagtail runs its reference-index updates as tasks and logs each one at INFO.
            "django_tasks": {"level": "WARNING"},
            # A shop email given up on (home.shared.emails) is an ERROR that ADMINS hear about.
            "home.shared.emails": {"handlers": ["mail_admins"], "level": "INFO"},
        },
    }


# Hosts that only the machine itself can reach: a link to one is useless to a shopper.
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


def public_base_url(value, *, public=False):
    """SHOP_BASE_URL, checked and normalised to scheme://host[:port] (no trailing slash).

    With `public` (production) it must be https and not a loopback address, so no shopper,
    mail client or crawler is ever handed an http://localhost link.
    """
    parts = urlsplit(value.strip())
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.username
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise ImproperlyConfigured(
            "SHOP_BASE_URL must be the shop's public address, a scheme and host such as "
            f"https://shop.example.com (no path), not {value!r}."
        )
    if public and (
        parts.scheme != "https"
        or parts.hostname in LOOPBACK_HOSTS
        or parts.hostname.endswith(".localhost")
    ):
        raise ImproperlyConfigured(
            "SHOP_BASE_URL must be the address shoppers reach the shop on, over https, "
            f"not {value!r}: emails, the sitemap and search engines get links built on it."
        )
    return f"{parts.scheme}://{parts.netloc}"


STRIPE_GATEWAY = "commerce.payments.stripe_gateway.StripeGateway"
TEST_CARD_GATEWAY = "commerce.payments.testcard.TestCardGateway"
CASH_ON_DELIVERY_GATEWAY = "commerce.payments.cash_on_delivery.CashOnDelivery"


def payment_gateways(*, stripe, test_card):
    """SHOP_PAYMENT_GATEWAYS: card through Stripe when its keys are set, else the test card
    gateway if allowed, else no card at all; cash on delivery always."""
    gateways = {}
    if stripe:
        gateways["card"] = STRIPE_GATEWAY
    elif test_card:
        gateways["card"] = TEST_CARD_GATEWAY
    gateways["cod"] = CASH_ON_DELIVERY_GATEWAY
    return gateways
