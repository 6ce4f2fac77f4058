"""Production: everything that matters comes from the environment; unsafe defaults refused.

`python manage.py check --deploy` passes with these settings (tests/config/test_production.py).
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.http.request import validate_host

from .base import *  # noqa: F403
from .base import (
    env_bool,
    env_int,
    env_list,
    logging_config,
    os,
    payment_gateways,
    public_base_url,
    tasks_config,
)

DEBUG = False

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "Set the SECRET_KEY environment variable to run in production "
        "(50+ random characters, e.g. from `python -c 'import secrets; "
        "print(secrets.token_urlsafe(50))'`)."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "Set ALLOWED_HOSTS to the comma-separated host names the shop answers to."
    )
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS", default=[f"https://{host}" for host in ALLOWED_HOSTS]
)

# The public address every absolute link is built on (base.py). No default: one guessed from
# the Wagtail Site or ALLOWED_HOSTS would send crawlers and customers to the wrong place.
if not os.environ.get("SHOP_BASE_URL"):
    raise ImproperlyConfigured(
        "Set SHOP_BASE_URL to the shop's public address, e.g. https://shop.example.com: "
        "links in emails, the API, the sitemap, canonical links and JSON-LD are built on it."
        + (" WAGTAILADMIN_BASE_URL is no longer read: rename it to SHOP_BASE_URL."
           if os.environ.get("WAGTAILADMIN_BASE_URL") else "")
    )
SHOP_BASE_URL = public_base_url(os.environ["SHOP_BASE_URL"], public=True)
if not validate_host(urlsplit(SHOP_BASE_URL).hostname, ALLOWED_HOSTS):
    raise ImproperlyConfigured(
        f"The host of SHOP_BASE_URL ({SHOP_BASE_URL}) is not in ALLOWED_HOSTS: every link "
        "the shop gives out would be refused."
    )
WAGTAILADMIN_BASE_URL = WAGTAILAPI_BASE_URL = SHOP_BASE_URL

# TLS ends at the proxy, which must set X-Forwarded-Proto (and overwrite any value a client
# sent). Health probes come straight from the load balancer over plain HTTP.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# gunicorn listens on 127.0.0.1 behind nginx on the same machine (README): only that nginx
# can reach it, so its X-Forwarded-For tells the shopper's address (log-in throttling).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", default=["127.0.0.1", "::1"])
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True

STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405
    "whitenoise.storage.CompressedManifestStaticFilesStorage"
)

# The test card gateway accepts any well-formed number and charges nothing: never offered to
# real shoppers unless switched on, and then `check --deploy` warns (commerce.payments.checks).
SHOP_ALLOW_TEST_CARD = env_bool("SHOP_ALLOW_TEST_CARD", default=False)
SHOP_PAYMENT_GATEWAYS = payment_gateways(
    stripe=bool(STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY),  # noqa: F405
    test_card=SHOP_ALLOW_TEST_CARD,
)

# Shop emails (and Wagtail's index updates) wait in the database for `manage.py db_worker`.
TASKS = tasks_config(os.environ.get("TASKS_BACKEND", "database"))

LOGGING = logging_config(
    os.environ.get("LOG_LEVEL", "INFO"), json_lines=env_bool("LOG_JSON", default=True)
)

# Local-memory caches are per process: one gunicorn worker would keep serving a page another
# worker has invalidated. Cache whole pages only with a shared cache (Redis) unless told to.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE", default=bool(os.environ.get("REDIS_URL")))

# Server errors are emailed to these addresses (none: errors are only logged).
ADMINS = [("Admin", email) for email in env_list("ADMIN_EMAILS")]
EMAIL_SUBJECT_PREFIX = os.environ.get("EMAIL_SUBJECT_PREFIX", "[Storefront] ")
