import pytest

from tests.factories import make_product


@pytest.fixture
def enabled_page_cache(settings, fresh_cache):
    """The page cache on (the test settings switch it off), in a cache of the test's own."""
    settings.PAGE_CACHE_ENABLED = True


@pytest.fixture
def laptop(product_index):
    return make_product(product_index, "Cached Laptop", price="1000.00", stock=5)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a change as if its transaction committed, so invalidation happens as in production."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
