import pytest

from tests.factories import make_customer, make_order, make_product


@pytest.fixture
def laptop(product_index):
    return make_product(product_index, "Aero 14")


@pytest.fixture
def work_laptop(product_index):
    """A live product at 100.00 whose stock is not tracked."""
    return make_product(product_index, "Work Laptop", price="100.00")


@pytest.fixture
def buyer(customer, laptop):
    """A customer with a placed order for the laptop."""
    make_order(customer, [laptop])
    return customer


@pytest.fixture
def customer_client(client, customer):
    client.force_login(customer.user)
    return client


@pytest.fixture
def ada(db):
    return make_customer("ada", "Ada Lovelace")


@pytest.fixture
def grace(db):
    return make_customer("grace", "Grace Hopper")
