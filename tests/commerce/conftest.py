import pytest

from tests.factories import make_order, make_product


@pytest.fixture
def laptop(product_index):
    return make_product(product_index, "Aero 14")


@pytest.fixture
def buyer(customer, laptop):
    """A customer with a placed order for the laptop."""
    make_order(customer, [laptop])
    return customer
