import threading
from uuid import uuid4

import pytest
from django.core.cache import cache
from django.db import connection

from home.shared import fixed_lookups
from tests.factories import (
    make_customer,
    make_home_page,
    make_product_index,
    make_seller,
    make_staff_in_role,
)


@pytest.fixture(autouse=True)
def fresh_fixed_lookups():
    """Each test starts like a newly started worker, holding no lookups from an earlier
    test's (rolled back) database."""
    fixed_lookups.forget_all()
    yield
    fixed_lookups.forget_all()


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
def enabled_page_cache(settings, fresh_cache):
    """The page cache on (the test settings switch it off), in a cache of the test's own."""
    settings.PAGE_CACHE_ENABLED = True


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a change as if its transaction committed, so invalidation happens as in production."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


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


@pytest.fixture
def run_together():
    """run_together(calls): run each call in its own thread, so on its own database
    connection, all released at once by a barrier; returns their results in order, an
    exception raised by a call standing as its result. For transactional tests on PostgreSQL,
    where row locks are what is being tested."""

    def run(calls):
        barrier = threading.Barrier(len(calls))
        results = [None] * len(calls)

        def call_in_thread(index, call):
            try:
                barrier.wait()
                results[index] = call()
            except Exception as error:  # the outcome under test, collected for the assertions
                results[index] = error
            finally:
                connection.close()

        threads = [threading.Thread(target=call_in_thread, args=item)
                   for item in enumerate(calls)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        return results

    return run
