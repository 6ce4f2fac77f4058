"""Settings shared by every environment. See dev.py, test.py and production.py."""

import os
import re
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from config.env import (
    BASE_DIR,
    cache_config,
    database_config,
    env_bool,
    env_float,
    env_int,
    env_list,
    logging_config,
    media_origins,
    media_storage_config,
    payment_gateways,
    public_base_url,
    search_config,
    tasks_config,
)

PROJECT_DIR = BASE_DIR / "config"

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    "home",
    "products",
    "commerce",
    "support",
    "search",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v2",
    "wagtail",
    "wagtail_modeladmin",
    "django_tasks_db",
    "axes",
    "rest_framework",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.content_security_policy.ContentSecurityPolicyMiddleware",
    # NUL bytes and numbers beyond 64 bits answer 400 before anything reads them.
    "home.shared.bad_input.RefuseUnusableInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Inside the session and CSRF middleware, outside everything that renders
    # (home/shared/page_cache.py).
    "home.shared.page_cache.PageCacheMiddleware",
    # The site, links and settings every page looks up, held in memory per version.
    "home.shared.fixed_lookups.FixedLookupsMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Turns a locked-out log-in (shop, Wagtail admin, Django admin) into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "home.context_processors.shop",
                "commerce.cart.context_processors.cart",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": database_config(
        os.environ.get("DATABASE_URL"), pooler=os.environ.get("DATABASE_POOLER", "")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = cache_config(
    os.environ.get("REDIS_URL"),
    timeout_seconds=env_float("REDIS_TIMEOUT", 0.5),
    outage_retry_seconds=env_int("REDIS_RETRY_SECONDS", 30),
)
# Sessions (carts, log-ins) live in PostgreSQL only, even with Redis: a session read is one
# primary-key query. Read through the cache ("cached_db"), a session saved while Redis was
# down would be shadowed by the older copy Redis still holds once it is back (a stale cart),
# and no cache timeout short enough to bound that is worth the fraction of a millisecond.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Whole pages for anonymous visitors (home/shared/page_cache.py); invalidated on every relevant
# change.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE", default=True)
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)

# How many different products one cart may hold (commerce/cart/carts.py).
CART_MAX_LINES = env_int("CART_MAX_LINES", 50)
if CART_MAX_LINES < 1:
    raise ImproperlyConfigured(f"CART_MAX_LINES must be at least 1, not {CART_MAX_LINES}.")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = os.environ.get("STATIC_ROOT", str(BASE_DIR / "staticfiles"))
STATIC_URL = "/static/"

MEDIA_ROOT = os.environ.get("MEDIA_ROOT", str(BASE_DIR / "media"))
MEDIA_URL = "/media/"

STORAGES = {
    "default": media_storage_config(os.environ),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Content-Security-Policy (config/content_security_policy.py): a directive's list of sources,
# or the whole header as a string. Shop pages load everything from the shop's own origin
# (images also from the media bucket) and have no inline script or style. To allow a
# provider, add its origin to the directives it needs, 'self' kept, for example
# CONTENT_SECURITY_POLICY["script-src"] = ["'self'", "https://js.example-pay.com"].
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:", *media_origins(os.environ)],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# The Wagtail and Django admins write inline scripts and styles, and preview pages in a frame
# of their own; everything else is as strict as the shop's.
CONTENT_SECURITY_POLICY_ADMIN_PATHS = ["/admin/", "/django-admin/"]
CONTENT_SECURITY_POLICY_ADMIN = {
    **CONTENT_SECURITY_POLICY,
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": [*CONTENT_SECURITY_POLICY["img-src"], "blob:"],
    "font-src": ["'self'", "data:"],
    "frame-ancestors": ["'self'"],
}
CONTENT_SECURITY_POLICY_REPORT_ONLY = env_bool("CONTENT_SECURITY_POLICY_REPORT_ONLY", False)

# Complex page models can exceed Django's default of 1000 fields per form in the editor.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Storefront <shop@example.com>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# A shop email that fails is tried again after EMAIL_RETRY_SECONDS, then twice as long each
# time, EMAIL_MAX_ATTEMPTS tries in all (5 and 300: over about 75 minutes); then ADMINS hear.
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 5)
EMAIL_RETRY_SECONDS = env_int("EMAIL_RETRY_SECONDS", 300)

LOGIN_URL = "/accounts/login/"

# Log-in throttling (django-axes, commerce/customers/login_throttle.py). Counts are kept in the
# database, so they hold with several workers and whether or not the cache is up.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURES_PER_USERNAME = env_int("LOGIN_FAILURES_PER_USERNAME", 5)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 20)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
AXES_HANDLER = "commerce.customers.login_throttle.LoginThrottle"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = LOGIN_FAILURES_PER_USERNAME
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_TEMPLATE = "commerce/customers/lockout.html"
AXES_CLIENT_IP_CALLABLE = "home.shared.client_address.client_address"
AXES_VERBOSE = False
# Addresses (or networks) of the reverse proxies whose X-Forwarded-For is believed
# (home/shared/client_address.py). None by default: the header is ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
# The contact form takes at most this many messages from one email address (case and +tags
# ignored) and from one client address in CONTACT_THROTTLE_MINUTES (support/inquiries.py).
CONTACT_MESSAGES_PER_ADDRESS = env_int("CONTACT_MESSAGES_PER_ADDRESS", 3)
CONTACT_MESSAGES_PER_CLIENT = env_int("CONTACT_MESSAGES_PER_CLIENT", 10)
CONTACT_THROTTLE_MINUTES = env_int("CONTACT_THROTTLE_MINUTES", 10)
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Prices are stored and shown in this currency, an ISO 4217 code (commerce/pricing.py shows
# it: "$1,299.00", "€1,299.00", "CHF 1,299.00").
SHOP_CURRENCY = os.environ.get("SHOP_CURRENCY", "USD").strip().upper()
if not re.fullmatch(r"[A-Z]{3}", SHOP_CURRENCY):
    raise ImproperlyConfigured(
        f"SHOP_CURRENCY must be a three-letter ISO 4217 code such as USD or EUR, not "
        f"{SHOP_CURRENCY!r}."
    )

# Listings and product pages say "Only N left" at or below this many units in stock
# (products/availability.py); 0 shows only "In stock" and "Out of stock".
SHOP_LOW_STOCK_THRESHOLD = env_int("SHOP_LOW_STOCK_THRESHOLD", 5)
if SHOP_LOW_STOCK_THRESHOLD < 0:
    raise ImproperlyConfigured("SHOP_LOW_STOCK_THRESHOLD must be 0 or more.")

# "Email me when it's back" (products/back_in_stock.py) takes at most this many requests from
# one email and from one client address in BACK_IN_STOCK_THROTTLE_MINUTES.
BACK_IN_STOCK_REQUESTS_PER_EMAIL = env_int("BACK_IN_STOCK_REQUESTS_PER_EMAIL", 5)
BACK_IN_STOCK_REQUESTS_PER_CLIENT = env_int("BACK_IN_STOCK_REQUESTS_PER_CLIENT", 10)
BACK_IN_STOCK_THROTTLE_MINUTES = env_int("BACK_IN_STOCK_THROTTLE_MINUTES", 60)

# Abandoned-cart reminders (commerce/recovery): a cart unchanged this many hours gets one
# email, unless it has been unchanged longer than the maximum age; its link works this long.
SHOP_ABANDONED_CART_DELAY_HOURS = env_int("SHOP_ABANDONED_CART_DELAY_HOURS", 10)
SHOP_ABANDONED_CART_MAX_AGE_DAYS = env_int("SHOP_ABANDONED_CART_MAX_AGE_DAYS", 7)
SHOP_ABANDONED_CART_LINK_DAYS = env_int("SHOP_ABANDONED_CART_LINK_DAYS", 30)
if SHOP_ABANDONED_CART_DELAY_HOURS < 1 or SHOP_ABANDONED_CART_MAX_AGE_DAYS * 24 <= (
    SHOP_ABANDONED_CART_DELAY_HOURS
):
    raise ImproperlyConfigured(
        "SHOP_ABANDONED_CART_DELAY_HOURS must be at least 1 and less than "
        "SHOP_ABANDONED_CART_MAX_AGE_DAYS in hours."
    )

# An order paid through a provider (card) holds its stock this long while it awaits payment;
# then `manage.py release_expired_reservations` (or its task) puts the stock back.
SHOP_PAYMENT_RESERVATION_MINUTES = env_int("SHOP_PAYMENT_RESERVATION_MINUTES", 15)
# How long the link in a guest's confirmation email opens their order and its invoice.
SHOP_GUEST_ORDER_LINK_DAYS = env_int("SHOP_GUEST_ORDER_LINK_DAYS", 365)

# Card payments through Stripe (commerce/payments/stripe_gateway.py). With both keys the card
# method takes real payments, the card typed into Stripe's own fields; without them Stripe is
# not offered and the card method is the test card gateway, which never charges anyone
# (production refuses it unless SHOP_ALLOW_TEST_CARD=true). The two base URLs are Stripe's
# own unless tests point them at a local fake (localstripe).
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "https://api.stripe.com").rstrip("/")
STRIPE_JS_URL = os.environ.get("STRIPE_JS_URL", "https://js.stripe.com/v3/")
SHOP_ALLOW_TEST_CARD = env_bool("SHOP_ALLOW_TEST_CARD", default=True)
SHOP_PAYMENT_GATEWAYS = payment_gateways(
    stripe=bool(STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY), test_card=SHOP_ALLOW_TEST_CARD
)

# Wagtail
WAGTAIL_SITE_NAME = os.environ.get("SHOP_NAME", "Storefront")
# The shop's one public address (scheme, host and port). Every absolute link it gives out is
# built on it (home/shared/public_address.py): emails, the API, the sitemap, canonical links,
# Open Graph and JSON-LD, never the Wagtail Site's hostname or the request's Host header.
SHOP_BASE_URL = public_base_url(os.environ.get("SHOP_BASE_URL") or "http://127.0.0.1:8000")
WAGTAILADMIN_BASE_URL = SHOP_BASE_URL
WAGTAILSEARCH_BACKENDS = search_config(
    os.environ.get("SEARCH_BACKEND"),
    urls=env_list("SEARCH_URL"),
    index_prefix=os.environ.get("SEARCH_INDEX_PREFIX", "storefront_"),
)
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "txt", "xlsx", "zip"]
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Nothing is fetched from the internet at run time: no Gravatar avatars in the admin.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILAPI_BASE_URL = SHOP_BASE_URL
WAGTAILAPI_LIMIT_MAX = 100
WAGTAILAPI_SEARCH_ENABLED = True

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

LOGGING = logging_config(
    os.environ.get("LOG_LEVEL", "INFO"), json_lines=env_bool("LOG_JSON", default=False)
)

# Background tasks (shop emails, Wagtail's reference index). Immediate by default: the task
# runs inside the request. Production queues them in the database for `manage.py db_worker`.
TASKS = tasks_config(os.environ.get("TASKS_BACKEND", "immediate"))
# `manage.py prune_tasks` deletes finished tasks and sent emails older than this.
TASKS_KEEP_DAYS = env_int("TASKS_KEEP_DAYS", 7)
