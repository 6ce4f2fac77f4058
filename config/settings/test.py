"""The test suite: fast hashing, emails kept in memory, media in a temporary folder.

Nothing here follows the environment except DATABASE_URL: a REDIS_URL, SEARCH_URL or
MEDIA_S3_BUCKET exported in the shell must not send test data to real services.
"""

import tempfile

from .base import *  # noqa: F403
from .base import cache_config, payment_gateways, search_config, tasks_config

DEBUG = False
SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="storefront-test-media-")
STORAGES["default"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}  # noqa: F405
CACHES = cache_config(None)
WAGTAILSEARCH_BACKENDS = search_config()
TASKS = tasks_config("immediate")
# No Stripe keys from the shell: card payments use the test card gateway unless a test points
# the shop at localstripe (tests/commerce/payments/conftest.py).
STRIPE_SECRET_KEY = STRIPE_PUBLISHABLE_KEY = STRIPE_WEBHOOK_SECRET = ""
STRIPE_API_BASE = "https://api.stripe.com"
STRIPE_JS_URL = "https://js.stripe.com/v3/"
SHOP_PAYMENT_GATEWAYS = payment_gateways(stripe=False, test_card=True)
SHOP_BASE_URL = WAGTAILADMIN_BASE_URL = WAGTAILAPI_BASE_URL = "http://testserver"
# The cache outlives each test's database; tests/home/test_page_cache.py switches it on.
PAGE_CACHE_ENABLED = False
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Serve static files straight from the source folders; tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
