import pytest

from tests.factories import make_product


@pytest.fixture
def laptop(product_index):
    return make_product(product_index, "Cached Laptop", price="1000.00", stock=5)
