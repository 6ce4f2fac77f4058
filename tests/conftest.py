from uuid import uuid4

import pytest
from django.core.cache import cache

from tests.factories import (
    make_customer,
    make_home_page,
    make_product_index,
    make_seller,
    make_staff_in_role,
)


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
def seller(db):
    """The shop's seller identity, as a shop owner sets it under Settings → Seller."""
    return make_seller()


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


@pytest.fixture
def get_within_queries(client, django_assert_max_num_queries):
    """get(url, params, bound): GET a page twice and hold the second visit to bound queries.

    The first visit makes the image renditions; the cache is then cleared, so the second visit
    must find renditions through the page's prefetch rather than in the cache.
    """

    def get(url, params, bound):
        client.get(url, params)
        cache.clear()
        with django_assert_max_num_queries(bound):
            return client.get(url, params)

    return get


@pytest.fixture
def staff_client(client):
    """Log the test client in as a member of a staff role: `staff_client(FULFILMENT)`."""

    def log_in(role):
        client.force_login(make_staff_in_role(role))
        return client

    return log_in
