import pytest

from tests.factories import make_home_page, make_product_index


@pytest.fixture
def home_page(db):
    return make_home_page()


@pytest.fixture
def product_index(home_page):
    return make_product_index(home_page)
