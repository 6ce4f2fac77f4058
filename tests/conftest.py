from uuid import uuid4

import pytest

from tests.factories import make_customer, make_home_page, make_product_index


@pytest.fixture
def home_page(db):
    return make_home_page()


@pytest.fixture
def product_index(home_page):
    return make_product_index(home_page)


@pytest.fixture
def customer(db):
    return make_customer()


@pytest.fixture
def fresh_cache(settings):
    """A private, empty cache for one test, so throttles and counters kept in the cache
    start from zero whatever earlier tests did."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"test-{uuid4()}",
        }
    }
